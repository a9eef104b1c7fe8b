// Command-line tools of taxation (docs/taxation.md):
//
//   customsdesk taxation import tariff|fx FILE
//
// Imports a tariff-rate or exchange-rate CSV file all-or-nothing as the system principal. Prints a
// summary ("imported N rows: I new, R replaced") and exits 0, or prints one line per problem
// ("line 3, duty_percent: format: ...") and exits 1 with nothing written; 2 for a usage error.
// A running server sees the new rates within taxation::kRevisionCheckInterval.
#pragma once

#include <string>

#include "customsdesk/core/clock.hpp"
#include "customsdesk/core/error.hpp"
#include "customsdesk/storage/database.hpp"

namespace customsdesk::app {

int RunTaxationImport(storage::Database& db, const core::Clock& clock, const std::string& kind,
                      const std::string& file);

// The demo exchange rates (demo_taxation.cpp); called from SeedDemo on an empty database.
core::Result<void> SeedTaxationDemo(storage::Database& db, const core::Clock& clock);

}  // namespace customsdesk::app

// Command-line tools of the trader registry: `import`, `export` and `demo` (issue 3).
//
//   customsdesk import KIND FILE [--mode all_or_nothing|skip_bad_rows] [--report FILE]
//   customsdesk export KIND [--output FILE]           (standard output by default; streams)
//   customsdesk demo [--scale small|national] [--seed N] [--out-dir DIR]
//
// They act as the system principal (audited as "system"). Import prints a summary and the
// row-level issues (or writes them to --report as CSV) and exits 1 when nothing was written
// because of bad rows. Export streams page by page at constant memory. Demo generates the
// deterministic demo register (registry/demo_generator.hpp): with --out-dir it writes the CSV
// files there, otherwise it imports them (first the small demo's users, so the KAM exists).
#pragma once

#include <cstdint>
#include <string>

#include "customsdesk/accounts/account_service.hpp"
#include "customsdesk/core/clock.hpp"
#include "customsdesk/registry/organisation_service.hpp"
#include "customsdesk/storage/database.hpp"

namespace customsdesk::app {

int RunImport(storage::Database& db, const core::Clock& clock, const std::string& kind, const std::string& file,
              const std::string& mode, const std::string& report_file);
int RunExport(storage::Database& db, const std::string& kind, const std::string& output);
int RunDemo(storage::Database& db, const core::Clock& clock, accounts::AccountService& accounts,
            registry::OrganisationService& organisations, const std::string& scale, std::uint64_t seed);
int WriteDemoFiles(const std::string& scale, std::uint64_t seed, const std::string& out_dir);

// Imports the generated demo register of `scale` if the registry holds no establishments yet;
// used by `serve --demo-scale`. Returns the number of rows imported.
core::Result<std::int64_t> LoadDemoRegister(storage::Database& db, const core::Clock& clock, const std::string& scale,
                                            std::uint64_t seed);

}  // namespace customsdesk::app

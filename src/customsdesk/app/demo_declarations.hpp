// Demo declarations for `serve --demo`: a few H1, H7 and B1 declarations of the demo trader's
// organisation in different states (accepted, released by officer, under control, draft, rejected).
#pragma once

#include "customsdesk/core/error.hpp"
#include "customsdesk/core/ids.hpp"
#include "customsdesk/storage/database.hpp"

namespace customsdesk::app {

// Lodges the demo declarations as the organisation `org` (its EORI is read from the register).
core::Result<void> SeedDemoDeclarations(storage::Database& db, core::OrganisationId org);

}  // namespace customsdesk::app

// The small demo data set `make run` loads into an empty database: a few organisations and one
// user per role with printed passwords. Deterministic; refuses to run on a database that has users.
#pragma once

#include <string>
#include <vector>

#include "customsdesk/accounts/account_service.hpp"
#include "customsdesk/registry/organisation_service.hpp"

namespace customsdesk::app {

struct DemoLogin {
    std::string username;
    std::string password;
    std::string role;
};

// The logins the demo creates (also printed by `serve --demo`).
const std::vector<DemoLogin>& DemoLogins();

// Creates the demo records when there are no users yet; returns true when it created them.
core::Result<bool> SeedDemo(storage::Database& db, accounts::AccountService& accounts,
                            registry::OrganisationService& organisations);

// AEO authorisations of demo traders (demo_selectivity.cpp); called by SeedDemo.
core::Result<void> SeedSelectivityDemo(storage::Database& db);
// The service desk demo (demo_servicedesk.cpp): three dozen requests in every status, canned responses.
core::Result<void> SeedDemoServiceDesk(storage::Database& db);

}  // namespace customsdesk::app

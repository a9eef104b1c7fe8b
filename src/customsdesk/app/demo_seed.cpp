#include "customsdesk/app/demo_seed.hpp"
#include "customsdesk/app/demo_declarations.hpp"

#include <fmt/format.h>

#include "customsdesk/app/taxation_cli.hpp"
#include "customsdesk/core/clock.hpp"
#include "customsdesk/core/identifiers.hpp"
#include "customsdesk/core/json.hpp"

namespace customsdesk::app {
namespace {

// A valid Business ID from seven digits, moving to the next number when the check would be 1.
std::string MakeBusinessId(int seed) {
    for (int n = seed;; ++n) {
        const std::string digits = fmt::format("{:07d}", n);
        const int check = core::BusinessIdCheckDigit(digits);
        if (check >= 0) return fmt::format("{}-{}", digits, check);
    }
}

struct DemoOrg {
    const char* name;
    int seed;
    const char* city;
    const char* postal_code;
    const char* street;
    const char* roles;
    const char* language;
};

constexpr DemoOrg kDemoOrgs[] = {
    {"Demo Import Oy", 3141592, "Helsinki", "00180", "Ruoholahdenkatu 4", R"(["importer","declarant"])", "fi"},
    {"Pohjolan Kuljetus Oy", 2718281, "Oulu", "90100", "Satamatie 12", R"(["carrier"])", "fi"},
    {"Vaasan Vienti Ab", 1414213, "Vaasa", "65100", "Hovioikeudenpuistikko 3", R"(["exporter"])", "sv"},
    {"Mäkinen Huolinta Oy", 1732050, "Kotka", "48100", "Kirkkokatu 7", R"(["customs_representative","declarant"])",
     "fi"},
    {"Åland Shipping Ab", 2236067, "Mariehamn", "22100", "Storagatan 1", R"(["carrier","warehouse_keeper"])", "sv"},
    {"Lappeenrannan Rajakauppa Oy", 1618033, "Lappeenranta", "53100", "Valtakatu 20", R"(["importer","exporter"])",
     "fi"},
};

}  // namespace

const std::vector<DemoLogin>& DemoLogins() {
    static const std::vector<DemoLogin> logins = {
        {"admin", "demo-admin-pass", "admin"},       {"agent", "demo-agent-pass", "agent"},
        {"specialist", "demo-specialist-pass", "specialist"},
        {"kam", "demo-kam-pass", "kam"},             {"analyst", "demo-analyst-pass", "risk_analyst"},
        {"officer", "demo-officer-pass", "officer"}, {"auditor", "demo-auditor-pass", "auditor"},
        {"trader", "demo-trader-pass", "trader"},
    };
    return logins;
}

core::Result<bool> SeedDemo(storage::Database& db, accounts::AccountService& accounts,
                            registry::OrganisationService& organisations) {
    auto count = storage::InReadTx(db, [](storage::Transaction& tx) -> core::Result<std::int64_t> {
        auto row = tx.QueryOne("SELECT COUNT(*) FROM users");
        if (!row) return core::Fail(std::move(row.error()));
        return (*row)->GetInt(0);
    });
    if (!count) return core::Fail(std::move(count.error()));
    if (*count > 0) return false;

    const core::Principal system = core::Principal::System();
    std::optional<core::OrganisationId> first;
    for (const auto& o : kDemoOrgs) {
        const std::string bid = MakeBusinessId(o.seed);
        auto body = core::ParseJsonObject(fmt::format(
            R"({{"name":"{}","business_id":"{}","eori":"{}","vat_number":"{}","languages":["{}"],"roles":{},)"
            R"("addresses":[{{"type":"postal","street":"{}","postal_code":"{}","city":"{}","country":"FI"}}]}})",
            o.name, bid, core::EoriFromBusinessId(bid), core::VatFromBusinessId(bid), o.language, o.roles, o.street,
            o.postal_code, o.city));
        if (!body) return core::Fail(std::move(body.error()));
        auto created = organisations.Create(system, *body);
        if (!created) return core::Fail(std::move(created.error()));
        if (!first) first = created->id;
    }
    for (const auto& login : DemoLogins()) {
        accounts::NewUser u;
        u.username = login.username;
        u.display_name = fmt::format("Demo {}", login.role);
        u.password = login.password;
        u.roles = {*core::ParseRole(login.role)};
        if (login.role == "trader") u.organisation = first;
        if (auto r = accounts.CreateUser(system, u); !r) return core::Fail(std::move(r.error()));
    }
    if (auto r = SeedTaxationDemo(db, core::SystemClock()); !r) return core::Fail(std::move(r.error()));
    if (auto r = SeedDemoDeclarations(db, *first); !r) return core::Fail(std::move(r.error()));
    if (auto r = SeedSelectivityDemo(db); !r) return core::Fail(std::move(r.error()));
    if (auto r = SeedDemoServiceDesk(db); !r) return core::Fail(std::move(r.error()));
    return true;
}

}  // namespace customsdesk::app

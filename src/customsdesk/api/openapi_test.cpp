// The router's routes and the OpenAPI document's operations are the same set.
#include <gtest/gtest.h>

#include <set>

#include "customsdesk/api/api.hpp"

namespace customsdesk::api {
namespace {

TEST(OpenApi, DocumentDescribesExactlyTheRegisteredRoutes) {
    core::SystemClock clock;
    auto db = storage::Open("sqlite::memory:");
    ASSERT_TRUE(db) << db.error().message;
    accounts::LoginThrottle throttle(clock);
    accounts::AccountService accounts(**db, clock, throttle);
    registry::OrganisationService organisations(**db, clock);
    ruleset::RulesetService rulesets(**db, clock);
    http::Metrics metrics;
    registry::EstablishmentService establishments(**db, clock);
    registry::ContactService contacts(**db, clock);
    registry::SearchService search(**db);
    jobs::JobQueue jobs(**db, clock);
    taxation::TaxService taxation(**db, clock);
    sla::SlaService sla(**db, clock);
    selectivity::SelectivityService selectivity(**db, clock, rulesets);
    servicedesk::ServiceDeskService servicedesk(**db, clock, rulesets);
    Services services{**db,    clock,  accounts, organisations, rulesets, metrics, "test", establishments,
                      contacts, search, jobs,     taxation,      sla,  selectivity, servicedesk};
    http::Router router;
    RegisterRoutes(router, services);

    std::set<std::string> routed;
    for (const auto& r : router.Routes()) routed.insert(r.method + " " + r.pattern);

    std::set<std::string> documented;
    const auto& doc = OpenApiDocument().as_object();
    EXPECT_EQ(doc.at("openapi").as_string(), "3.1.0");
    for (const auto& path : doc.at("paths").as_object()) {
        for (const auto& method : path.value().as_object()) {
            std::string m(method.key());
            for (char& c : m) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
            documented.insert(m + " " + std::string(path.key()));
        }
    }
    EXPECT_EQ(routed, documented);
}

TEST(OpenApi, PublicRoutesAreMarkedWithoutSecurity) {
    const auto& paths = OpenApiDocument().as_object().at("paths").as_object();
    for (const auto& path : paths) {
        for (const auto& method : path.value().as_object()) {
            std::string m(method.key());
            for (char& c : m) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
            const auto& op = method.value().as_object();
            const bool open = op.contains("security") && op.at("security").as_array().empty();
            EXPECT_EQ(open, IsPublicRoute(m, path.key())) << m << " " << path.key();
        }
    }
}

}  // namespace
}  // namespace customsdesk::api

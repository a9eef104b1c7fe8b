// SLA settings through the real binary, on SQLite and PostgreSQL: the seeded calendar and policies,
// computed holidays, administrators create and change calendars and policies, other staff read
// only (403), traders are refused, and bad input is a 422 naming the field by JSON pointer.
#include <gtest/gtest.h>

#include "test_database.hpp"
#include "test_server.hpp"

namespace customsdesk::apitest {
namespace {

using boost::json::object;

std::vector<std::string> Pointers(const HttpResult& r) {
    std::vector<std::string> out;
    for (const auto& e : r.Json().at("errors").as_array()) out.emplace_back(e.at("pointer").as_string());
    return out;
}

TEST(SlaApi, SeededDefaultsAndHolidays) {
    TestServer server;
    Client agent(server.port());
    ASSERT_EQ(agent.Login("agent", "demo-agent-pass").status, 200u);
    auto cals = agent.Get("/api/v1/sla/calendars");
    ASSERT_EQ(cals.status, 200u) << cals.body;
    const auto& cal = cals.Json().at("items").as_array().at(0).as_object();
    EXPECT_EQ(cal.at("name"), "Customer service FI");
    EXPECT_EQ(cal.at("time_zone"), "Europe/Helsinki");
    EXPECT_EQ(boost::json::serialize(cal.at("weekly_hours").at("mon")), R"([{"start":"08:00","end":"16:15"}])");
    const auto id = std::to_string(cal.at("id").as_int64());

    auto hol = agent.Get("/api/v1/sla/calendars/" + id + "/holidays?year=2026");
    ASSERT_EQ(hol.status, 200u) << hol.body;
    const auto& items = hol.Json().at("items").as_array();
    ASSERT_EQ(items.size(), 15u);
    EXPECT_EQ(items[3].at("date"), "2026-04-05");  // Easter Sunday
    EXPECT_EQ(items[8].at("date"), "2026-06-19");  // Midsummer Eve
    EXPECT_EQ(items[8].at("weekday"), "fri");
    auto bad_year = agent.Get("/api/v1/sla/calendars/" + id + "/holidays?year=12");
    EXPECT_EQ(bad_year.status, 422u) << bad_year.body;
    EXPECT_EQ(Pointers(bad_year), std::vector<std::string>{"/query/year"});

    auto pols = agent.Get("/api/v1/sla/policies");
    ASSERT_EQ(pols.status, 200u);
    std::map<std::string, std::int64_t> first_response;
    for (const auto& p : pols.Json().at("items").as_array())
        first_response[std::string(p.at("name").as_string())] = p.at("first_response_minutes").as_int64();
    EXPECT_EQ(first_response["Partnership customers"], 120);
    EXPECT_EQ(first_response["Key customers"], 240);
    EXPECT_EQ(first_response["Small customers"], 990);
    EXPECT_EQ(agent.Get("/api/v1/sla/calendars/999").status, 404u);
}

TEST(SlaApi, AdministratorsWriteOthersAreRefused) {
    TestServer server;
    Client admin(server.port());
    ASSERT_EQ(admin.Login("admin", "demo-admin-pass").status, 200u);
    Client agent(server.port());
    ASSERT_EQ(agent.Login("agent", "demo-agent-pass").status, 200u);
    Client trader(server.port());
    ASSERT_EQ(trader.Login("trader", "demo-trader-pass").status, 200u);

    const object calendar{{"name", "EDI support CET"},
                          {"time_zone", "CET"},
                          {"holiday_rule_set", "FI"},
                          {"weekly_hours", {{"mon", {{{"start", "07:00"}, {"end", "17:00"}}}}}},
                          {"closures", {{{"start", "2026-12-28"}, {"end", "2026-12-30"}, {"reason", "inventory"}}}}};
    EXPECT_EQ(agent.PostJson("/api/v1/sla/calendars", calendar).status, 403u);
    EXPECT_EQ(trader.Get("/api/v1/sla/calendars").status, 403u);
    EXPECT_EQ(trader.Get("/api/v1/sla/policies").status, 403u);

    auto made = admin.PostJson("/api/v1/sla/calendars", calendar);
    ASSERT_EQ(made.status, 201u) << made.body;
    const auto cal_id = std::to_string(made.Json().at("id").as_int64());
    EXPECT_EQ(made.Header("location"), "/api/v1/sla/calendars/" + cal_id);
    EXPECT_EQ(made.Json().at("closures").at(0).at("end"), "2026-12-30");

    auto patched = admin.PatchJson("/api/v1/sla/calendars/" + cal_id, object{{"holiday_rule_set", ""}},
                                   {{"If-Match", "\"1\""}});
    ASSERT_EQ(patched.status, 200u) << patched.body;
    EXPECT_EQ(patched.Json().at("version"), 2);
    EXPECT_EQ(admin.PatchJson("/api/v1/sla/calendars/" + cal_id, object{{"name", "x"}}, {{"If-Match", "\"1\""}}).status,
              412u);
    EXPECT_EQ(agent.PatchJson("/api/v1/sla/calendars/" + cal_id, object{{"name", "x"}}).status, 403u);

    const object policy{{"name", "EDI incidents"},
                        {"request_type", "malfunction"},
                        {"priority", "high"},
                        {"calendar_id", made.Json().at("id")},
                        {"first_response_minutes", 30},
                        {"resolution_minutes", 495},
                        {"warning", {{"kind", "minutes_before"}, {"value", 10}}},
                        {"escalations", {{{"on", "breach"}, {"metric", "any"}, {"action", "move_tier"}, {"target", "2"}}}}};
    EXPECT_EQ(agent.PostJson("/api/v1/sla/policies", policy).status, 403u);
    auto p = admin.PostJson("/api/v1/sla/policies", policy);
    ASSERT_EQ(p.status, 201u) << p.body;
    const auto pol = "/api/v1/sla/policies/" + std::to_string(p.Json().at("id").as_int64());
    EXPECT_TRUE(p.Json().at("next_response_minutes").is_null());
    EXPECT_EQ(agent.Get(pol).Json().at("escalations").at(0).at("action"), "move_tier");

    auto changed = admin.PatchJson(pol, object{{"first_response_minutes", 45}});
    ASSERT_EQ(changed.status, 200u) << changed.body;
    EXPECT_EQ(changed.Json().at("first_response_minutes"), 45);
    EXPECT_EQ(agent.Delete(pol).status, 403u);
    EXPECT_EQ(admin.Delete(pol).status, 204u);
    EXPECT_EQ(agent.Get(pol).status, 404u);
}

TEST(SlaApi, BadInputIs422WithPointersAndWritesNothing) {
    TestServer server;
    Client admin(server.port());
    ASSERT_EQ(admin.Login("admin", "demo-admin-pass").status, 200u);
    auto bad = admin.PostJson("/api/v1/sla/calendars",
                              object{{"name", "Broken"},
                                     {"time_zone", "Europe/Atlantis"},
                                     {"weekly_hours", {{"tue", {{{"start", "16:00"}, {"end", "08:00"}}}}}}});
    ASSERT_EQ(bad.status, 422u) << bad.body;
    EXPECT_EQ(Pointers(bad), (std::vector<std::string>{"/time_zone", "/weekly_hours/tue/0/end"}));
    EXPECT_EQ(admin.Get("/api/v1/sla/calendars").Json().at("items").as_array().size(), 1u);

    auto bad_policy = admin.PostJson("/api/v1/sla/policies", object{{"name", "P"},
                                                                     {"customer_group", "giant"},
                                                                     {"calendar_id", 1},
                                                                     {"resolution_minutes", -1}});
    ASSERT_EQ(bad_policy.status, 422u) << bad_policy.body;
    EXPECT_EQ(Pointers(bad_policy), (std::vector<std::string>{"/customer_group", "/resolution_minutes"}));

    auto dup = admin.PostJson("/api/v1/sla/policies", object{{"name", "Another partnership"},
                                                              {"customer_group", "partnership"},
                                                              {"calendar_id", 1}});
    EXPECT_EQ(dup.status, 409u) << dup.body;
}

}  // namespace
}  // namespace customsdesk::apitest

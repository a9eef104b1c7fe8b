// SlaService on SQLite and PostgreSQL: the seeded defaults, calendar and policy CRUD with
// validation, admin-only writes, history, optimistic versions, SelectPolicy precedence, and the
// PolicyCache the service desk's hot paths use.
#include <gtest/gtest.h>

#include <algorithm>
#include <tuple>

#include "customsdesk/accounts/account_service.hpp"
#include "customsdesk/core/json.hpp"
#include "customsdesk/history/change_history.hpp"
#include "customsdesk/sla/sla_service.hpp"
#include "support/test_database.hpp"

namespace customsdesk::sla {
namespace {

using core::ErrorCode;

boost::json::object Obj(std::string_view text) { return core::ParseJsonObject(text).value(); }

std::vector<std::string> Pointers(const core::Error& e) {
    std::vector<std::string> out;
    for (const auto& f : e.fields) out.push_back(f.pointer);
    return out;
}

class SlaServiceTest : public ::testing::Test {
protected:
    SlaServiceTest()
        : db_(test_support::OpenTestDatabase()),
          clock_(core::Timestamp(std::chrono::seconds(1'800'000'000))),
          throttle_(clock_),
          accounts_(*db_, clock_, throttle_),
          service_(*db_, clock_) {
        admin_ = MakeUser("adele", core::Role::kAdmin);
        agent_ = MakeUser("agnes", core::Role::kAgent);
        trader_ = agent_;
        trader_.roles = {core::Role::kTrader};
        trader_.organisation = core::OrganisationId(1);
    }

    core::Principal MakeUser(const std::string& name, core::Role role) {
        accounts::NewUser u{name, name, "a-long-enough-password", {role}, std::nullopt, "en"};
        auto user = accounts_.CreateUser(core::Principal::System(), u);
        EXPECT_TRUE(user) << user.error().message;
        return accounts::AccountService::PrincipalFor(*user, core::AuthMethod::kSession);
    }

    std::optional<PolicyRecord> Select(std::string_view group, std::string_view type, std::string_view prio) {
        auto tx = db_->Begin(storage::TxMode::kRead).value();
        return SelectPolicy(*tx, group, type, prio).value();
    }

    CalendarId DefaultCalendar() { return service_.ListCalendars(agent_).value().at(0).id; }

    std::unique_ptr<storage::Database> db_;
    core::ManualClock clock_;
    accounts::LoginThrottle throttle_;
    accounts::AccountService accounts_;
    SlaService service_;
    core::Principal admin_, agent_, trader_;
};

TEST_F(SlaServiceTest, SeedsTheCustomerServiceCalendarAndPolicies) {
    auto calendars = service_.ListCalendars(agent_).value();
    ASSERT_EQ(calendars.size(), 1u);
    EXPECT_EQ(calendars[0].name, "Customer service FI");
    EXPECT_EQ(calendars[0].spec.time_zone, "Europe/Helsinki");
    EXPECT_EQ(calendars[0].spec.holiday_rule_set, "FI");
    EXPECT_EQ(calendars[0].spec.weekly_hours[4], (std::vector<OpeningInterval>{{480, 975}}));
    EXPECT_TRUE(calendars[0].spec.weekly_hours[5].empty());

    auto partnership = Select("partnership", "incident", "high");
    ASSERT_TRUE(partnership);
    EXPECT_EQ(partnership->name, "Partnership customers");
    EXPECT_EQ(partnership->targets.first_response_minutes, 120);
    EXPECT_EQ(partnership->targets.warning.value, 80);
    EXPECT_EQ(Select("key", "", "")->targets.first_response_minutes, 240);
    EXPECT_EQ(Select("small", "", "")->targets.first_response_minutes, 990);
    EXPECT_EQ(Select("", "question", "normal")->name, "Default");
}

TEST_F(SlaServiceTest, LoadCalendarGivesBusinessTime) {
    auto tx = db_->Begin(storage::TxMode::kRead).value();
    auto cal = LoadCalendar(*tx, DefaultCalendar()).value();
    // Friday 2026-01-09 16:00 Helsinki (14:00Z) + 60 business minutes = Monday 08:45 (06:45Z).
    auto due = cal.AddBusinessMinutes(core::ParseTimestamp("2026-01-09T14:00:00Z").value(), 60);
    EXPECT_EQ(due, core::ParseTimestamp("2026-01-12T06:45:00Z"));
    EXPECT_EQ(LoadCalendar(*tx, CalendarId(999)).error().code, ErrorCode::kNotFound);
}

TEST_F(SlaServiceTest, MostSpecificPolicyWins) {
    const auto cal = DefaultCalendar().value();
    auto make = [&](std::string body) {
        auto p = service_.CreatePolicy(admin_, Obj(body));
        EXPECT_TRUE(p) << (p ? "" : p.error().message);
    };
    make(R"({"name":"Key incidents","customer_group":"key","request_type":"incident","calendar_id":)" +
         std::to_string(cal) + R"(,"first_response_minutes":30})");
    make(R"({"name":"Urgent anything","priority":"urgent","calendar_id":)" + std::to_string(cal) +
         R"(,"first_response_minutes":15})");
    make(R"({"name":"Incidents urgent","request_type":"incident","priority":"urgent","calendar_id":)" +
         std::to_string(cal) + R"(,"first_response_minutes":10})");
    EXPECT_EQ(Select("key", "incident", "normal")->name, "Key incidents");
    EXPECT_EQ(Select("key", "question", "normal")->name, "Key customers");
    EXPECT_EQ(Select("", "question", "urgent")->name, "Urgent anything");
    // Two selectors each: customer group + request type outranks request type + priority.
    EXPECT_EQ(Select("key", "incident", "urgent")->name, "Key incidents");
    EXPECT_EQ(Select("small", "incident", "urgent")->name, "Incidents urgent");
}

TEST_F(SlaServiceTest, CalendarCrudWithHistoryAndVersions) {
    auto created = service_.CreateCalendar(admin_, Obj(R"({"name":"EDI support CET","time_zone":"CET",
        "weekly_hours":{"mon":[{"start":"07:00","end":"12:00"},{"start":"13:00","end":"17:00"}]},
        "extra_holidays":["2026-05-15"],"closures":[{"start":"2026-12-28","end":"2026-12-30","reason":"inventory"}]})"));
    ASSERT_TRUE(created) << created.error().message;
    EXPECT_EQ(created->version, 1);
    EXPECT_EQ(created->spec.weekly_hours[0].size(), 2u);

    auto updated = service_.UpdateCalendar(admin_, created->id, Obj(R"({"holiday_rule_set":"FI","closures":null})"), 1);
    ASSERT_TRUE(updated) << updated.error().message;
    EXPECT_EQ(updated->version, 2);
    EXPECT_EQ(updated->spec.holiday_rule_set, "FI");
    EXPECT_TRUE(updated->spec.closures.empty());
    EXPECT_EQ(updated->spec.extra_holidays.size(), 1u);

    auto stale = service_.UpdateCalendar(admin_, created->id, Obj(R"({"name":"x"})"), 1);
    ASSERT_FALSE(stale);
    EXPECT_EQ(stale.error().code, ErrorCode::kFailedPrecondition);

    auto tx = db_->Begin(storage::TxMode::kRead).value();
    auto page = history::ListChanges(*tx, "sla_calendar", created->id.value(), 0, 10).value();
    ASSERT_EQ(page.entries.size(), 2u);
    EXPECT_EQ(page.entries[0].action, history::ChangeAction::kUpdate);
    std::vector<std::string> fields;
    for (const auto& c : page.entries[0].changes) fields.push_back(c.field);
    std::sort(fields.begin(), fields.end());
    EXPECT_EQ(fields, (std::vector<std::string>{"closures", "holiday_rule_set"}));

    auto holidays = service_.CalendarHolidays(agent_, created->id, 2026).value();
    EXPECT_EQ(holidays.size(), 16u);  // 15 Finnish + the extra day
}

TEST_F(SlaServiceTest, CalendarValidationNamesFieldsAndWritesNothing) {
    auto bad = service_.CreateCalendar(admin_, Obj(R"({"name":"Bad","time_zone":"Europe/Atlantis",
        "weekly_hours":{"mon":[{"start":"09:00","end":"08:00"}]},"holiday_rule_set":"XX","colour":"red"})"));
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error().code, ErrorCode::kInvalidArgument);
    EXPECT_EQ(Pointers(bad.error()), (std::vector<std::string>{"/colour", "/time_zone", "/weekly_hours/mon/0/end",
                                                               "/holiday_rule_set"}));
    EXPECT_EQ(service_.ListCalendars(agent_).value().size(), 1u);
    auto dup = service_.CreateCalendar(admin_, Obj(R"({"name":"Customer service FI","time_zone":"UTC",
        "weekly_hours":{"mon":[{"start":"09:00","end":"10:00"}]}})"));
    ASSERT_FALSE(dup);
    EXPECT_EQ(dup.error().code, ErrorCode::kAlreadyExists);
    EXPECT_EQ(Pointers(dup.error()), std::vector<std::string>{"/name"});
}

// The cache chooses as SelectPolicy does, reads the tables only when they changed (through the
// service or behind its back, as another process would), and compiles each calendar once.
TEST_F(SlaServiceTest, PolicyCacheSelectsLikeTheDatabaseAndReloadsOnlyAfterAChange) {
    const auto cal = DefaultCalendar().value();
    ASSERT_TRUE(service_.CreatePolicy(admin_, Obj(R"({"name":"Urgent anything","priority":"urgent","calendar_id":)" +
                                                  std::to_string(cal) + R"(,"first_response_minutes":15})")));
    PolicyCache cache;
    auto current = [&] {
        auto tx = db_->Begin(storage::TxMode::kRead).value();
        return cache.Current(*tx).value();
    };
    auto first = current();
    EXPECT_EQ(cache.Loads(), 1u);
    for (const auto& [g, t, p] : std::vector<std::tuple<std::string, std::string, std::string>>{
             {"key", "question", "normal"}, {"", "question", "urgent"}, {"small", "x", "low"}, {"", "", ""},
             {"partnership", "complaint", "urgent"}}) {
        const auto* cached = first->Select(g, t, p);
        const auto db = Select(g, t, p);
        ASSERT_EQ(cached != nullptr, db.has_value()) << g << t << p;
        if (db) {
            EXPECT_EQ(cached->id, db->id) << g << t << p;
        }
    }
    const auto* key = first->Select("key", "question", "normal");
    ASSERT_NE(key, nullptr);
    ASSERT_TRUE(first->Calendar(key->calendar_id));
    EXPECT_FALSE(first->Calendar(CalendarId(999)));
    // Nothing changed: the same snapshot, no reload.
    EXPECT_EQ(current(), first);
    EXPECT_EQ(cache.Loads(), 1u);
    // A change through the service is seen by the next use.
    ASSERT_TRUE(service_.UpdatePolicy(admin_, key->id, Obj(R"({"first_response_minutes":60})"), std::nullopt));
    auto second = current();
    EXPECT_EQ(cache.Loads(), 2u);
    EXPECT_EQ(second->Select("key", "question", "normal")->targets.first_response_minutes, 60);
    // So is one made directly in the database (another process), even at the same clock reading.
    {
        auto tx = db_->Begin(storage::TxMode::kWrite).value();
        ASSERT_TRUE(tx->Execute("UPDATE sla_policies SET first_response_minutes = 45, version = version + 1 "
                                "WHERE id = $1",
                                {key->id.value()}));
        ASSERT_TRUE(tx->Commit());
    }
    EXPECT_EQ(current()->Select("key", "question", "normal")->targets.first_response_minutes, 45);
    EXPECT_EQ(cache.Loads(), 3u);
    {
        auto tx = db_->Begin(storage::TxMode::kWrite).value();
        ASSERT_TRUE(tx->Execute("DELETE FROM sla_policies WHERE priority = 'urgent'"));
        ASSERT_TRUE(tx->Commit());
    }
    EXPECT_NE(current()->Select("", "question", "urgent")->name, "Urgent anything");
}

TEST_F(SlaServiceTest, PolicyCrudValidationAndDelete) {
    const auto cal = std::to_string(DefaultCalendar().value());
    auto bad = service_.CreatePolicy(admin_, Obj(R"({"name":"X","customer_group":"huge","calendar_id":999,
        "first_response_minutes":-5,"warning":{"kind":"percent","value":150},
        "escalations":[{"on":"breach","action":"explode"}]})"));
    ASSERT_FALSE(bad);
    EXPECT_EQ(Pointers(bad.error()),
              (std::vector<std::string>{"/customer_group", "/escalations/0/action", "/first_response_minutes",
                                        "/warning/value", "/calendar_id"}));

    auto dup = service_.CreatePolicy(admin_, Obj(R"({"name":"Another key","customer_group":"key","calendar_id":)" + cal +
                                                 "}"));
    ASSERT_FALSE(dup);
    EXPECT_EQ(dup.error().code, ErrorCode::kAlreadyExists);
    EXPECT_EQ(Pointers(dup.error()), std::vector<std::string>{"/customer_group"});

    auto p = service_.CreatePolicy(admin_, Obj(R"({"name":"Complaints","request_type":"complaint","calendar_id":)" +
                                               cal + R"(,"resolution_minutes":4950,
        "warning":{"kind":"minutes_before","value":60},
        "escalations":[{"on":"warning","metric":"resolution","action":"move_group","target":"complaints"}]})"));
    ASSERT_TRUE(p) << p.error().message;
    EXPECT_EQ(p->targets.first_response_minutes, std::nullopt);
    EXPECT_EQ(p->escalations.at(0).target, "complaints");

    auto patched = service_.UpdatePolicy(admin_, p->id, Obj(R"({"first_response_minutes":240,"request_type":null})"),
                                         std::nullopt);
    ASSERT_FALSE(patched) << "request_type null would collide with the Default policy";
    EXPECT_EQ(patched.error().code, ErrorCode::kAlreadyExists);
    patched = service_.UpdatePolicy(admin_, p->id, Obj(R"({"first_response_minutes":240})"), std::nullopt);
    ASSERT_TRUE(patched) << patched.error().message;
    EXPECT_EQ(patched->targets.first_response_minutes, 240);
    EXPECT_EQ(patched->version, 2);

    EXPECT_EQ(service_.DeletePolicy(admin_, p->id, 1).error().code, ErrorCode::kFailedPrecondition);
    ASSERT_TRUE(service_.DeletePolicy(admin_, p->id, 2));
    EXPECT_EQ(service_.GetPolicy(agent_, p->id).error().code, ErrorCode::kNotFound);
    auto tx = db_->Begin(storage::TxMode::kRead).value();
    EXPECT_EQ(history::ListChanges(*tx, "sla_policy", p->id.value(), 0, 10).value().entries.size(), 3u);
}

TEST_F(SlaServiceTest, OnlyAdministratorsWriteAndTradersSeeNothing) {
    const auto body = Obj(R"({"name":"N","time_zone":"UTC","weekly_hours":{"mon":[{"start":"09:00","end":"10:00"}]}})");
    EXPECT_EQ(service_.CreateCalendar(agent_, body).error().code, ErrorCode::kPermissionDenied);
    EXPECT_EQ(service_.ListPolicies(trader_).error().code, ErrorCode::kPermissionDenied);
    EXPECT_EQ(service_.ListCalendars(trader_).error().code, ErrorCode::kPermissionDenied);
    EXPECT_TRUE(service_.ListPolicies(agent_));
    EXPECT_EQ(service_.DeletePolicy(agent_, PolicyId(1), std::nullopt).error().code, ErrorCode::kPermissionDenied);
}

}  // namespace
}  // namespace customsdesk::sla

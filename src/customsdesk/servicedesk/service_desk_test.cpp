// The service desk's storage behaviour on SQLite and PostgreSQL: request numbers are unique under
// concurrent creation; the SLA policy is chosen per request and its due times follow the business
// calendar; the scheduler raises a warning and a breach exactly once even when several sweepers run
// at the same time, and runs the policy's escalation actions; the sweep uses the next-check index;
// the e-mail entry points (sender lookup, threading by Message-ID, reopen, outbox).
#include <gtest/gtest.h>

#include <set>
#include <thread>

#include "customsdesk/core/json.hpp"
#include "customsdesk/ruleset/ruleset_service.hpp"
#include "customsdesk/servicedesk/service_desk.hpp"
#include "customsdesk/servicedesk/sla_integration.hpp"
#include "support/test_database.hpp"

namespace customsdesk::servicedesk {
namespace {

using boost::json::object;
using namespace std::chrono_literals;

// Monday 2026-11-23 08:00 Europe/Helsinki (UTC+2): the customer service calendar opens.
const core::Timestamp kMonday8 = *core::ParseTimestamp("2026-11-23T06:00:00Z");

class ServiceDeskDb : public ::testing::Test {
protected:
    ServiceDeskDb()
        : db_(test_support::OpenTestDatabase()),
          clock_(kMonday8),
          rulesets_(*db_, clock_),
          desk_(*db_, clock_, rulesets_),
          sla_(*db_, clock_, desk_) {
        EXPECT_TRUE(desk_.InstallDefaultRouting());
        org_ = MakeOrganisation("Partner Oy", "partnership");
        small_ = MakeOrganisation("Pieni Oy", "small");
    }

    std::int64_t MakeOrganisation(const std::string& name, const std::string& group) {
        auto tx = db_->Begin(storage::TxMode::kWrite);
        auto row = (*tx)->QueryOne(
            "INSERT INTO organisations (name, customer_group, created_at, updated_at) VALUES ($1, $2, $3, $3) "
            "RETURNING id",
            {name, group, core::FormatTimestamp(kMonday8)});
        EXPECT_TRUE(row) << row.error().message;
        EXPECT_TRUE((*tx)->Commit());
        return (*row)->GetInt(0);
    }

    std::int64_t MakeContact(std::int64_t org, const std::string& email) {
        auto tx = db_->Begin(storage::TxMode::kWrite);
        auto row = (*tx)->QueryOne(
            "INSERT INTO contacts (organisation_id, first_name, last_name, email, language, created_at, updated_at) "
            "VALUES ($1, 'Maija', 'Mäkinen', $2, 'fi', $3, $3) RETURNING id",
            {org, email, core::FormatTimestamp(kMonday8)});
        EXPECT_TRUE(row) << row.error().message;
        EXPECT_TRUE((*tx)->Commit());
        return (*row)->GetInt(0);
    }

    ServiceRequest Create(std::int64_t org, const std::string& subject = "Question") {
        auto r = desk_.Create(core::Principal::System(),
                              object{{"type", "question"},
                                     {"subject", subject},
                                     {"body", "How?"},
                                     {"organisation_id", org},
                                     {"form", object{{"topic", "origin"}}}});
        EXPECT_TRUE(r) << (r ? "" : r.error().message);
        return *r;
    }

    std::int64_t Count(const std::string& sql) {
        auto tx = db_->Begin(storage::TxMode::kRead);
        auto row = (*tx)->QueryOne(sql);
        EXPECT_TRUE(row) << row.error().message;
        return (*row)->GetInt(0);
    }

    std::unique_ptr<storage::Database> db_;
    core::ManualClock clock_;
    ruleset::RulesetService rulesets_;
    ServiceDeskService desk_;
    SlaIntegration sla_;
    std::int64_t org_ = 0, small_ = 0;
};

TEST_F(ServiceDeskDb, NumbersAreUniqueUnderConcurrentCreation) {
    std::vector<std::thread> threads;
    std::mutex mutex;
    std::set<std::string> numbers;
    int failures = 0;
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([&] {
            for (int i = 0; i < 15; ++i) {
                for (int attempt = 0; attempt < 20; ++attempt) {
                    auto r = desk_.Create(core::Principal::System(),
                                          object{{"type", "question"}, {"subject", "c"}, {"body", "b"},
                                                 {"organisation_id", org_}, {"form", object{{"topic", "origin"}}}});
                    std::lock_guard lock(mutex);
                    if (r) {
                        numbers.insert(r->number);
                        break;
                    }
                    // A busy SQLite writer or a PostgreSQL serialisation conflict may ask to retry.
                    if (r.error().code != core::ErrorCode::kUnavailable) {
                        ++failures;
                        ADD_FAILURE() << r.error().message;
                        break;
                    }
                }
            }
        });
    }
    for (auto& t : threads) t.join();
    EXPECT_EQ(failures, 0);
    EXPECT_EQ(numbers.size(), 60u);
    EXPECT_EQ(*numbers.begin(), "SR-2026-000001");
    EXPECT_EQ(*numbers.rbegin(), "SR-2026-000060");
}

TEST_F(ServiceDeskDb, PolicyDueTimesAndStateFollowTheCalendar) {
    const auto r = Create(org_);
    auto got = desk_.Get(core::Principal::System(), r.id);
    ASSERT_TRUE(got);
    const auto json = ToJson(*got, true);
    ASSERT_TRUE(json.contains("sla")) << boost::json::serialize(json);
    const auto& sla = json.at("sla").as_object();
    EXPECT_EQ(sla.at("policy_name"), "Partnership customers");
    // First response 120 business minutes: 10:00 Helsinki; warning at 80 %: 09:36.
    EXPECT_EQ(sla.at("metrics").at("first_response").at("due_at"), "2026-11-23T08:00:00.000000Z");
    EXPECT_EQ(sla.at("metrics").at("first_response").at("warning_at"), "2026-11-23T07:36:00.000000Z");
    EXPECT_EQ(sla.at("state"), "on_track");
    EXPECT_EQ(json.at("due_at"), "2026-11-23T08:00:00.000000Z");
    // Shown live: past the warning time the state is warning, without a sweep.
    clock_.Set(*core::ParseTimestamp("2026-11-23T07:40:00Z"));
    EXPECT_EQ(ToJson(*desk_.Get(core::Principal::System(), r.id), true).at("sla").at("state"), "warning");
    // Pending customer pauses the clock; the queue filters by state.
    clock_.Set(kMonday8 + 30min);
    ASSERT_TRUE(desk_.AddReply(core::Principal::System(), r.id, object{{"body", "Which?"}, {"status", "pending_customer"}}));
    auto paused = ToJson(*desk_.Get(core::Principal::System(), r.id), true);
    EXPECT_EQ(paused.at("sla").at("metrics").at("first_response").at("state"), "met");
    EXPECT_EQ(paused.at("sla").at("metrics").at("resolution").at("state"), "paused");
    QueueFilter f;
    f.sla_state = "paused";
    EXPECT_EQ(desk_.List(core::Principal::System(), f)->items.size(), 1u);
    f.sla_state = "bogus";
    EXPECT_FALSE(desk_.List(core::Principal::System(), f));
}

TEST_F(ServiceDeskDb, SweepRaisesEachWarningAndBreachOnceUnderConcurrency) {
    const auto r = Create(org_);
    const auto other = Create(small_);
    // Nothing due yet: the sweep reads nothing.
    auto none = sla_.SweepOnce(clock_.Now());
    ASSERT_TRUE(none);
    EXPECT_EQ(none->examined, 0);
    // Past the warning: four sweepers at once raise it once.
    clock_.Set(*core::ParseTimestamp("2026-11-23T07:40:00Z"));
    std::vector<std::thread> threads;
    std::atomic<int> warnings = 0, breaches = 0;
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([&] {
            for (int attempt = 0; attempt < 20; ++attempt) {
                auto s = sla_.SweepOnce(clock_.Now());
                if (!s && s.error().code == core::ErrorCode::kUnavailable) continue;
                ASSERT_TRUE(s) << s.error().message;
                warnings += s->warnings;
                breaches += s->breaches;
                break;
            }
        });
    }
    for (auto& t : threads) t.join();
    EXPECT_EQ(warnings.load(), 1);
    EXPECT_EQ(breaches.load(), 0);
    // Again: nothing new.
    EXPECT_EQ(sla_.SweepOnce(clock_.Now())->warnings, 0);
    // Past the due time: the breach, once; the partnership policy raises the priority.
    clock_.Set(*core::ParseTimestamp("2026-11-23T08:01:00Z"));
    auto s1 = sla_.SweepOnce(clock_.Now());
    ASSERT_TRUE(s1);
    EXPECT_EQ(s1->breaches, 1);
    EXPECT_EQ(sla_.SweepOnce(clock_.Now())->breaches, 0);
    auto after = desk_.Get(core::Principal::System(), r.id);
    EXPECT_EQ(after->priority, Priority::kHigh);
    EXPECT_EQ(ToJson(*after, true).at("sla").at("state"), "breached");
    // The notes name the targets; staff see them, the history has the events.
    auto messages = desk_.ListMessages(core::Principal::System(), r.id);
    int sla_notes = 0;
    for (const auto& m : *messages)
        if (m.note && m.author_name == "System (SLA)") ++sla_notes;
    EXPECT_EQ(sla_notes, 3);  // warning: notify assignee; breach: notify kam, raise priority
    EXPECT_EQ(Count("SELECT COUNT(*) FROM change_history WHERE entity_type = 'service_request_note' AND "
                    "changes LIKE '%sla_%'"),
              2);
    // The small customer's request (2 business days) is untouched.
    EXPECT_EQ(desk_.Get(core::Principal::System(), other.id)->priority, Priority::kNormal);
    // Breached requests come first in the queue filtered by state.
    QueueFilter f;
    f.sla_state = "breached";
    auto breached = desk_.List(core::Principal::System(), f);
    ASSERT_EQ(breached->items.size(), 1u);
    EXPECT_EQ(breached->items[0].id, r.id);
}

TEST_F(ServiceDeskDb, EmailIntakeThreadsRepliesAndWritesTheOutbox) {
    MakeContact(org_, "maija@partner.example");
    EmailIntake mail{"Maija@Partner.example", "", "EDI help", "Our messages fail", "<abc@partner.example>",
                     std::nullopt, "question", std::nullopt};
    auto unknown = mail;
    unknown.from_address = "nobody@else.example";
    auto refused = desk_.CreateFromEmail(unknown);
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().type, "unknown-sender");
    auto r = desk_.CreateFromEmail(mail);
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(r->channel, Channel::kEmail);
    EXPECT_EQ(r->organisation.value(), org_);
    EXPECT_EQ(*desk_.FindByMessageId("abc@partner.example"), r->id);
    EXPECT_EQ(*desk_.FindByNumber(r->number), r->id);
    auto pending = desk_.PendingNotifications(10);
    ASSERT_EQ(pending->size(), 1u);
    EXPECT_EQ((*pending)[0].kind, "received");
    EXPECT_EQ((*pending)[0].recipient, "maija@partner.example");
    EXPECT_EQ((*pending)[0].in_reply_to, "<abc@partner.example>");
    ASSERT_TRUE(desk_.MarkNotificationSent((*pending)[0].id));
    // An agent reply is mailed; its Message-ID threads the customer's answer back.
    ASSERT_TRUE(desk_.AddReply(core::Principal::System(), r->id, object{{"body", "Send the MRN"}, {"status", "resolved"}}));
    pending = desk_.PendingNotifications(10);
    ASSERT_EQ(pending->size(), 1u);
    EXPECT_EQ((*pending)[0].kind, "resolved");
    const auto outbound = (*pending)[0].message_id;
    EXPECT_EQ(*desk_.FindByMessageId(outbound), r->id);
    ASSERT_TRUE(desk_.MarkNotificationFailed((*pending)[0].id, "421 try later"));
    // The answer within the reopen window reopens the request.
    auto reply = desk_.AddCustomerEmailReply(r->id, "maija@partner.example", "MRN 26FI1", "<def@partner.example>",
                                             outbound);
    ASSERT_TRUE(reply) << reply.error().message;
    EXPECT_TRUE(reply->reopened);
    EXPECT_EQ(reply->request.status, Status::kOpen);
    EXPECT_EQ(*desk_.FindByMessageId("<def@partner.example>"), r->id);
    EXPECT_FALSE(desk_.AddCustomerEmailReply(r->id, "stranger@x.example", "hi", "<x@y>", std::nullopt));
}

}  // namespace
}  // namespace customsdesk::servicedesk

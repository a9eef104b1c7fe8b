// The service desk's storage behaviour on SQLite and PostgreSQL: request numbers are unique under
// concurrent creation; the SLA policy is chosen per request and its due times follow the business
// calendar; the scheduler raises a warning and a breach exactly once even when several sweepers run
// at the same time, and runs the policy's escalation actions; the sweep uses the next-check index;
// the e-mail entry points (sender lookup, threading by Message-ID, reopen, outbox).
#include <gtest/gtest.h>

#include <fmt/format.h>

#include <atomic>
#include <mutex>
#include <set>
#include <thread>

#include "customsdesk/core/json.hpp"
#include "customsdesk/ruleset/ruleset_service.hpp"
#include "customsdesk/servicedesk/service_desk.hpp"
#include "customsdesk/servicedesk/sla_integration.hpp"
#include "customsdesk/storage/group_commit.hpp"
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

// Create answers with the row it built in memory: it must be what a reload gives.
TEST_F(ServiceDeskDb, CreateAnswersWhatAReloadGives) {
    const auto contact = MakeContact(org_, "maija@partner.example");
    auto strip = [](boost::json::object o) {
        o.erase("counts");
        return o;
    };
    std::vector<ServiceRequest> created;
    created.push_back(Create(org_));
    created.push_back(Create(small_));
    auto phone = desk_.Create(core::Principal::System(),
                              object{{"type", "malfunction_report"},
                                     {"subject", "EDI down"},
                                     {"body", "Nothing arrives"},
                                     {"channel", "phone"},
                                     {"priority", "urgent"},
                                     {"requester_contact_id", contact},
                                     {"form", object{{"system", "edi_messages"}, {"occurred_at", "2026-11-20"}}}});
    if (!phone) {
        // The malfunction form may need other fields; a question is enough for the comparison.
        phone = desk_.Create(core::Principal::System(),
                             object{{"type", "question"}, {"subject", "Phone"}, {"body", "Asked by phone"},
                                    {"channel", "phone"}, {"priority", "urgent"}, {"requester_contact_id", contact},
                                    {"form", object{{"topic", "tariff_classification"}}}});
    }
    ASSERT_TRUE(phone) << phone.error().message;
    created.push_back(*phone);
    auto mailed = desk_.CreateFromEmail(EmailIntake{"maija@partner.example", "", "By mail", "Hello",
                                                    "<m1@partner.example>", std::nullopt, "question", "sv"});
    ASSERT_TRUE(mailed) << mailed.error().message;
    created.push_back(*mailed);
    for (const auto& c : created) {
        auto stored = desk_.Get(core::Principal::System(), c.id);
        ASSERT_TRUE(stored) << stored.error().message;
        EXPECT_EQ(strip(ToJson(c, true)), strip(ToJson(*stored, true))) << c.number;
        EXPECT_EQ(c.sla_events, stored->sla_events);
        EXPECT_EQ(c.sla_next_check, stored->sla_next_check);
        EXPECT_EQ(c.sla_json, stored->sla_json);
    }
}

// The in-memory catalogue and SLA snapshot never serve a stale configuration: a form changed by
// an administrator and a policy changed directly in the database (as by another process) apply to
// the very next creation.
TEST_F(ServiceDeskDb, CreationUsesAChangedFormAndPolicyAtOnce) {
    const auto before = Create(org_);
    EXPECT_EQ(ToJson(before, true).at("sla").at("metrics").at("first_response").at("due_at"),
              "2026-11-23T08:00:00.000000Z");
    {
        auto tx = db_->Begin(storage::TxMode::kWrite);
        ASSERT_TRUE((*tx)->Execute("UPDATE sla_policies SET first_response_minutes = 60, version = version + 1 "
                                   "WHERE name = 'Partnership customers'"));
        ASSERT_TRUE((*tx)->Commit());
    }
    const auto after = Create(org_);
    EXPECT_EQ(ToJson(after, true).at("sla").at("metrics").at("first_response").at("due_at"),
              "2026-11-23T07:00:00.000000Z");
    boost::json::object label{{"fi", "MRN"}, {"sv", "MRN"}, {"en", "MRN"}};
    boost::json::array fields;
    fields.push_back(object{{"key", "mrn"}, {"type", "text"}, {"required", true}, {"label", label}});
    auto form = desk_.UpdateForm(core::Principal::System(), "question", object{{"fields", fields}});
    ASSERT_TRUE(form) << form.error().message;
    auto refused = desk_.Create(core::Principal::System(),
                                object{{"type", "question"}, {"subject", "Old form"}, {"body", "b"},
                                       {"organisation_id", org_}, {"form", object{{"topic", "origin"}}}});
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().code, core::ErrorCode::kInvalidArgument);
    auto accepted = desk_.Create(core::Principal::System(),
                                 object{{"type", "question"}, {"subject", "New form"}, {"body", "b"},
                                        {"organisation_id", org_}, {"form", object{{"mrn", "26FI000000000001"}}}});
    ASSERT_TRUE(accepted) << accepted.error().message;
    EXPECT_EQ(accepted->form_version, form->form_version);
}

// Counts the creations that finished their read phase (Decorate is its last step), delegating
// everything to the SLA integration.
class CountingObserver final : public RequestObserver {
public:
    explicit CountingObserver(RequestObserver& inner) : inner_(inner) {}
    core::Result<void> PrepareNew(storage::Transaction& tx, ServiceRequest& r, const std::optional<std::string>& g,
                                  core::Timestamp now) override {
        return inner_.PrepareNew(tx, r, g, now);
    }
    core::Result<void> OnEvent(storage::Transaction& tx, const ServiceRequest& r, std::string_view event,
                               core::Timestamp now) override {
        return inner_.OnEvent(tx, r, event, now);
    }
    core::Result<void> Decorate(storage::Transaction& tx, std::vector<ServiceRequest*> rs) override {
        auto d = inner_.Decorate(tx, std::move(rs));
        ++decorated;
        return d;
    }
    std::optional<std::string> SlaStateCondition(std::string_view state) const override {
        return inner_.SlaStateCondition(state);
    }
    std::atomic<int> decorated = 0;

private:
    RequestObserver& inner_;
};

// Through the group committer, a batch that fails is rolled back and its creations run again one
// by one: each re-run takes a fresh serial, so numbers stay unique and without gaps, and every
// answer names the row that was stored.
TEST_F(ServiceDeskDb, GroupCommittedCreationsSurviveABatchRetryWithUniqueGaplessNumbers) {
    constexpr int kCreations = 6;
    CountingObserver counting(sla_);
    desk_.SetObserver(&counting);
    std::vector<ServiceRequest> created;
    std::int64_t most_before_poison = 0;
    // The poisoned item should land after some creations in one batch; that depends on thread
    // timing, so up to five rounds are tried (the checks below hold for any ordering).
    for (int round = 0; round < 5 && most_before_poison == 0; ++round) {
        storage::GroupCommitOptions options;
        options.max_batch = kCreations + 1;      // the creations and the poisoned item: one batch
        // The writer lingers (up to 300 ms, or until all are queued) once writes come concurrently;
        // a first creation that arrives alone is committed alone.
        options.linger = std::chrono::milliseconds(300);
        storage::GroupCommitter committer(*db_, options);
        desk_.SetGroupCommitter(&committer);
        counting.decorated = 0;
        std::vector<std::thread> threads;
        std::mutex mutex;
        for (int t = 0; t < kCreations; ++t) {
            threads.emplace_back([&] {
                auto r = desk_.Create(core::Principal::System(),
                                      object{{"type", "question"}, {"subject", "batch"}, {"body", "b"},
                                             {"organisation_id", org_}, {"form", object{{"topic", "origin"}}}});
                std::lock_guard lock(mutex);
                if (r) created.push_back(*r);
                else ADD_FAILURE() << r.error().message;
            });
        }
        while (counting.decorated < kCreations) std::this_thread::yield();
        std::this_thread::sleep_for(std::chrono::milliseconds(50));  // let them reach the queue
        // Fails wherever it lands; the creations before it ran in the failed transaction.
        std::int64_t seen = 0;
        auto poisoned = committer.Run([&](storage::Transaction& tx) -> core::Result<void> {
            auto n = tx.QueryOne("SELECT COUNT(*) FROM sd_requests WHERE subject = 'batch'");
            if (n) seen = std::max(seen, (*n)->GetInt(0) - static_cast<std::int64_t>(round * kCreations));
            return core::Fail(core::Error::InvalidArgument("poisoned"));
        });
        EXPECT_FALSE(poisoned);
        for (auto& t : threads) t.join();
        desk_.SetGroupCommitter(nullptr);
        EXPECT_GE(committer.Stats().failed_batches, 1u);
        most_before_poison = std::max(most_before_poison, seen);
    }
    desk_.SetObserver(&sla_);
    EXPECT_GT(most_before_poison, 0) << "no round put a creation before the poisoned item";
    std::set<std::string> numbers;
    for (const auto& c : created) {
        numbers.insert(c.number);
        auto stored = desk_.Get(core::Principal::System(), c.id);
        ASSERT_TRUE(stored);
        EXPECT_EQ(stored->number, c.number);
    }
    EXPECT_EQ(numbers.size(), created.size());
    EXPECT_EQ(*numbers.begin(), "SR-2026-000001");
    EXPECT_EQ(*numbers.rbegin(), fmt::format("SR-2026-{:06}", created.size()));
    EXPECT_EQ(Count("SELECT COUNT(*) FROM sd_requests"), static_cast<std::int64_t>(created.size()));
    EXPECT_EQ(Count("SELECT COUNT(*) FROM change_history WHERE entity_type = 'service_request'"),
              static_cast<std::int64_t>(created.size()));
}

// A sweep takes at most `batch` due requests (oldest check first); the rest wait for the next round.
TEST_F(ServiceDeskDb, SweepTakesABoundedBatchAndLeavesTheRestForTheNextRound) {
    for (int i = 0; i < 3; ++i) Create(org_, "due " + std::to_string(i));
    clock_.Set(*core::ParseTimestamp("2026-11-23T08:01:00Z"));  // past warning and due of all three
    auto first = sla_.SweepOnce(clock_.Now(), 2);
    ASSERT_TRUE(first) << first.error().message;
    EXPECT_EQ(first->examined, 2);
    EXPECT_EQ(first->breaches, 2);
    auto second = sla_.SweepOnce(clock_.Now(), 2);
    ASSERT_TRUE(second);
    EXPECT_EQ(second->examined, 1);
    EXPECT_EQ(second->breaches, 1);
    EXPECT_EQ(sla_.SweepOnce(clock_.Now(), 2)->examined, 0);
    // Each breach once, each with its notes (notify kam, raise priority) and history entry.
    EXPECT_EQ(Count("SELECT COUNT(*) FROM change_history WHERE entity_type = 'service_request_note' AND "
                    "changes LIKE '%sla_breach%'"),
              3);
    EXPECT_EQ(Count("SELECT COUNT(*) FROM sd_messages WHERE kind = 'note' AND author_name = 'System (SLA)'"), 6);
    EXPECT_EQ(Count("SELECT COUNT(*) FROM sd_requests WHERE priority = 'high'"), 3);
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

// MailIntake and NotificationSender on both databases: threading, new requests, unknown senders,
// quarantine (list, retry, delete), duplicates, attachments, and delivery of the outbox with backoff.
#include "customsdesk/servicedesk/mail_intake.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "customsdesk/mail/parse.hpp"
#include "customsdesk/registry/organisation_service.hpp"
#include "customsdesk/ruleset/ruleset_service.hpp"
#include "customsdesk/servicedesk/mail_notifications.hpp"
#include "support/test_database.hpp"

namespace customsdesk::servicedesk {
namespace {

using namespace std::chrono_literals;

std::string ReadCorpus(const std::string& name) {
    std::ifstream in("tests/cases/mail/" + name, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

core::Principal Admin() { return core::Principal::System(); }  // role admin

core::Principal Agent() {
    core::Principal p;
    p.user = core::UserId(999);
    p.username = "agent";
    p.roles = {core::Role::kAgent};
    p.method = core::AuthMethod::kSession;
    return p;
}

class MailIntakeTest : public ::testing::Test {
protected:
    void SetUp() override {
        db_ = test_support::OpenTestDatabase();
        rulesets_ = std::make_unique<ruleset::RulesetService>(*db_, clock_);
        ServiceDeskOptions options;
        options.mail_domain = "customs.example";
        desk_ = std::make_unique<ServiceDeskService>(*db_, clock_, *rulesets_, options);
        ASSERT_TRUE(desk_->InstallDefaultRouting());
        organisations_ = std::make_unique<registry::OrganisationService>(*db_, clock_);
        contacts_ = std::make_unique<registry::ContactService>(*db_, clock_);
        org_ = MakeOrganisation("Kuljetus Oy", "1234567-1");
        prospects_ = MakeOrganisation("Sähköpostin uudet asiakkaat", "7654321-2");
        AddContact(org_, "Liisa", "Virtanen", "liisa@kuljetus.example");
        AddContact(org_, "Matti", "Meikäläinen", "matti@yritys.example");
        intake_ = MakeIntake(UnknownSenderPolicy::kRefuse);
    }

    core::OrganisationId MakeOrganisation(const std::string& name, const std::string& business_id) {
        boost::json::object body{{"name", name}, {"business_id", business_id}};
        auto org = organisations_->Create(core::Principal::System(), body, true);
        EXPECT_TRUE(org) << (org ? "" : org.error().message + (org.error().fields.empty() ? "" : " " + org.error().fields[0].pointer));
        return org ? org->id : core::OrganisationId(0);
    }

    void AddContact(core::OrganisationId org, const std::string& first, const std::string& last,
                    const std::string& email) {
        boost::json::object body{{"first_name", first}, {"last_name", last}, {"email", email}};
        auto c = contacts_->Create(core::Principal::System(), org, body);
        ASSERT_TRUE(c) << c.error().message;
    }

    std::unique_ptr<MailIntake> MakeIntake(UnknownSenderPolicy policy) {
        MailIntakeOptions o;
        o.unknown_sender = policy;
        o.prospect_organisation = prospects_;
        return std::make_unique<MailIntake>(*db_, *desk_, *contacts_, clock_, o);
    }

    std::string Mail(const std::string& from, const std::string& subject, const std::string& body,
                     const std::string& message_id, const std::string& extra_headers = "") {
        return "From: " + from + "\r\nTo: servicedesk@test.customsdesk\r\nSubject: " + subject +
               "\r\nMessage-ID: <" + message_id + ">\r\n" + extra_headers +
               "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" + body;
    }

    ServiceRequest Get(RequestId id) {
        auto r = desk_->Get(core::Principal::System(), id);
        EXPECT_TRUE(r) << r.error().message;
        return *r;
    }

    core::ManualClock clock_{core::Timestamp(std::chrono::sys_days(std::chrono::year(2026) / 3 / 2) + 8h)};
    std::unique_ptr<storage::Database> db_;
    std::unique_ptr<ruleset::RulesetService> rulesets_;
    std::unique_ptr<ServiceDeskService> desk_;
    std::unique_ptr<registry::OrganisationService> organisations_;
    std::unique_ptr<registry::ContactService> contacts_;
    std::unique_ptr<MailIntake> intake_;
    core::OrganisationId org_, prospects_;
};

TEST_F(MailIntakeTest, NewMailFromAContactCreatesAQuestion) {
    auto r = intake_->Ingest(ReadCorpus("html_only.eml"));
    ASSERT_TRUE(r) << r.error().message;
    ASSERT_EQ(r->outcome, IntakeOutcome::kCreated) << r->reason;
    EXPECT_TRUE(r->request_number.starts_with("SR-2026-"));
    auto sr = Get(*r->request);
    EXPECT_EQ(sr.channel, Channel::kEmail);
    EXPECT_EQ(sr.type, "question");
    EXPECT_EQ(sr.subject, "Tullausohjeet");
    EXPECT_NE(sr.body.find("miten tullaan elintarvikkeet & juomat?"), std::string::npos) << sr.body;
    EXPECT_EQ(sr.organisation, org_);
    EXPECT_FALSE(r->quarantine_id.has_value());
}

TEST_F(MailIntakeTest, ReplyThreadsByNumberInSubjectAndKeepsOnlyTheNewText) {
    auto first = intake_->Ingest(Mail("Matti <matti@yritys.example>", "Tullipäätös", "Kysymys.", "q1@yritys.example"));
    ASSERT_TRUE(first && first->outcome == IntakeOutcome::kCreated);
    const std::string reply =
        Mail("Matti <matti@yritys.example>", "Re: [" + first->request_number + "] Tullipäätös",
             "Kiitos vastauksesta.\r\n\r\nOn Mon, 2 Mar 2026 at 10:00, Tulli <sd@customs.example> wrote:\r\n> Vanha\r\n",
             "r1@yritys.example");
    auto r = intake_->Ingest(reply);
    ASSERT_TRUE(r) << r.error().message;
    ASSERT_EQ(r->outcome, IntakeOutcome::kReplied) << r->reason;
    EXPECT_EQ(r->request, first->request);
    auto messages = desk_->ListMessages(core::Principal::System(), *first->request);
    ASSERT_TRUE(messages);
    ASSERT_FALSE(messages->empty());
    EXPECT_EQ(messages->back().body, "Kiitos vastauksesta.");
}

TEST_F(MailIntakeTest, ReplyThreadsByInReplyToANotification) {
    auto first = intake_->Ingest(Mail("liisa@kuljetus.example", "Kysymys", "Hei", "q2@kuljetus.example"));
    ASSERT_TRUE(first && first->outcome == IntakeOutcome::kCreated);
    auto pending = desk_->PendingNotifications(10);
    ASSERT_TRUE(pending);
    ASSERT_FALSE(pending->empty()) << "creating a request queues a 'received' notification";
    std::string notification_id = pending->front().message_id;
    // The customer answers the notification; the subject no longer names the request.
    auto r = intake_->Ingest(Mail("liisa@kuljetus.example", "Vastaus", "Lisätietoa tässä.", "r2@kuljetus.example",
                                  "In-Reply-To: " + notification_id + "\r\nReferences: <q2@kuljetus.example> " +
                                      notification_id + "\r\n"));
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(r->outcome, IntakeOutcome::kReplied) << r->reason;
    EXPECT_EQ(r->request, first->request);
}

TEST_F(MailIntakeTest, SameMessageTwiceIsADuplicate) {
    const std::string m = Mail("liisa@kuljetus.example", "Kysymys", "Hei", "dup@kuljetus.example");
    auto a = intake_->Ingest(m);
    ASSERT_TRUE(a && a->outcome == IntakeOutcome::kCreated);
    auto b = intake_->Ingest(m);
    ASSERT_TRUE(b);
    EXPECT_EQ(b->outcome, IntakeOutcome::kDuplicate);
    EXPECT_EQ(b->request, a->request);
}

TEST_F(MailIntakeTest, UnknownSenderIsQuarantinedAndARetrySucceedsOnceTheContactExists) {
    auto r = intake_->Ingest(Mail("Outo <outo@tuntematon.example>", "Apua", "Kuka vastaa?", "u1@tuntematon.example"));
    ASSERT_TRUE(r) << r.error().message;
    ASSERT_EQ(r->outcome, IntakeOutcome::kQuarantined);
    ASSERT_TRUE(r->quarantine_id);
    EXPECT_NE(r->reason.find("unknown sender outo@tuntematon.example"), std::string::npos) << r->reason;

    auto list = intake_->ListQuarantine(Admin(), 10, std::nullopt);
    ASSERT_TRUE(list);
    ASSERT_EQ(list->items.size(), 1u);
    EXPECT_EQ(list->items[0].stage, "ingest");
    EXPECT_EQ(list->items[0].from_address, "outo@tuntematon.example");
    EXPECT_EQ(intake_->ListQuarantine(Agent(), 10, std::nullopt).error().code, core::ErrorCode::kPermissionDenied);

    // Still unknown: the retry updates the same row.
    auto again = intake_->RetryQuarantined(Admin(), *r->quarantine_id);
    ASSERT_TRUE(again);
    EXPECT_EQ(again->outcome, IntakeOutcome::kQuarantined);
    EXPECT_EQ(again->quarantine_id, r->quarantine_id);
    auto row = intake_->GetQuarantined(Admin(), *r->quarantine_id);
    ASSERT_TRUE(row);
    EXPECT_EQ(row->retries, 1);

    AddContact(org_, "Olli", "Outo", "outo@tuntematon.example");
    auto ok = intake_->RetryQuarantined(Admin(), *r->quarantine_id);
    ASSERT_TRUE(ok) << ok.error().message;
    EXPECT_EQ(ok->outcome, IntakeOutcome::kCreated) << ok->reason;
    EXPECT_EQ(intake_->GetQuarantined(Admin(), *r->quarantine_id).error().code, core::ErrorCode::kNotFound);
}

TEST_F(MailIntakeTest, UnknownSenderBecomesAProspectContactWhenConfigured) {
    auto intake = MakeIntake(UnknownSenderPolicy::kCreateProspect);
    auto r = intake->Ingest(Mail("Uusi Asiakas <uusi@yritys2.example>", "Kysymys", "Hei", "p1@yritys2.example"));
    ASSERT_TRUE(r) << r.error().message;
    ASSERT_EQ(r->outcome, IntakeOutcome::kCreated) << r->reason;
    EXPECT_EQ(Get(*r->request).organisation, prospects_);
}

TEST_F(MailIntakeTest, UnparsableMailIsQuarantinedByteForByte) {
    const std::string garbage = ReadCorpus("malformed_garbage.eml");
    auto r = intake_->Ingest(garbage);
    ASSERT_TRUE(r);
    ASSERT_EQ(r->outcome, IntakeOutcome::kQuarantined);
    auto q = intake_->GetQuarantined(Admin(), *r->quarantine_id);
    ASSERT_TRUE(q);
    EXPECT_EQ(q->stage, "parse");
    EXPECT_EQ(q->raw, garbage);
    EXPECT_EQ(q->size, static_cast<std::int64_t>(garbage.size()));
    EXPECT_TRUE(intake_->DeleteQuarantined(Admin(), q->id));
    EXPECT_EQ(intake_->DeleteQuarantined(Admin(), q->id).error().code, core::ErrorCode::kNotFound);
}

TEST_F(MailIntakeTest, ReplyFromAStrangerToAKnownRequestIsQuarantined) {
    auto first = intake_->Ingest(Mail("liisa@kuljetus.example", "Kysymys", "Hei", "q3@kuljetus.example"));
    ASSERT_TRUE(first && first->outcome == IntakeOutcome::kCreated);
    auto r = intake_->Ingest(Mail("vieras@muu.example", "Re: [" + first->request_number + "] Kysymys", "Minäkin!",
                                  "s1@muu.example"));
    ASSERT_TRUE(r);
    EXPECT_EQ(r->outcome, IntakeOutcome::kQuarantined);
    auto q = intake_->GetQuarantined(Admin(), *r->quarantine_id);
    ASSERT_TRUE(q);
    EXPECT_EQ(q->request_number, first->request_number);
}

TEST_F(MailIntakeTest, AttachmentsAreStoredAndRefusedOnesQuarantineACopy) {
    // The corpus message from tilaukset@tuonti.example: register the sender first.
    AddContact(org_, "Tilaukset", "Tuonti", "tilaukset@tuonti.example");
    auto r = intake_->Ingest(ReadCorpus("attachments.eml"));
    ASSERT_TRUE(r) << r.error().message;
    ASSERT_EQ(r->outcome, IntakeOutcome::kCreated);
    auto stored = desk_->ListAttachments(core::Principal::System(), *r->request);
    ASSERT_TRUE(stored);
    std::vector<std::string> names;
    for (const auto& a : stored->empty() ? std::vector<Attachment>{} : *stored) names.push_back(a.filename);
    EXPECT_NE(std::find(names.begin(), names.end(), "invoice-2026-17.pdf"), names.end());
    EXPECT_NE(std::find(names.begin(), names.end(), "pakkauslista.csv"), names.end());
    // application/octet-stream is not an accepted attachment type: the message is kept for the admin.
    ASSERT_TRUE(r->quarantine_id);
    auto q = intake_->GetQuarantined(Admin(), *r->quarantine_id);
    ASSERT_TRUE(q);
    EXPECT_EQ(q->stage, "attachment");
    EXPECT_NE(q->reason.find("tullauspäätös.txt"), std::string::npos) << q->reason;
    EXPECT_EQ(intake_->RetryQuarantined(Admin(), q->id).error().code, core::ErrorCode::kFailedPrecondition);
}

TEST_F(MailIntakeTest, OutOfOfficeAnswersAreQuarantinedNotThreaded) {
    auto first = intake_->Ingest(Mail("Matti <matti@yritys.example>", "Kysymys", "Hei", "q7@yritys.example"));
    ASSERT_TRUE(first && first->outcome == IntakeOutcome::kCreated);
    auto r = intake_->Ingest(Mail("Matti <matti@yritys.example>", "Automaattinen vastaus: [" + first->request_number +
                                      "] Kysymys", "Olen lomalla.", "ooo1@yritys.example",
                                  "Auto-Submitted: auto-replied\r\n"));
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(r->outcome, IntakeOutcome::kQuarantined);
    EXPECT_NE(r->reason.find("automatic message"), std::string::npos) << r->reason;
    auto messages = desk_->ListMessages(core::Principal::System(), *first->request);
    ASSERT_TRUE(messages);
    for (const auto& m : *messages) EXPECT_NE(m.body, "Olen lomalla.");
}

TEST_F(MailIntakeTest, OverlongTextIsCutAndTheWholeMessageKept) {
    const std::string body(kMaxBodyLength + 5000, 'x');
    auto r = intake_->Ingest(Mail("liisa@kuljetus.example", "", body, "long1@kuljetus.example"));
    ASSERT_TRUE(r) << r.error().message;
    ASSERT_EQ(r->outcome, IntakeOutcome::kCreated);
    auto sr = Get(*r->request);
    EXPECT_EQ(sr.subject, "(no subject)");
    EXPECT_LE(sr.body.size(), kMaxBodyLength);
    EXPECT_NE(sr.body.find("mail quarantine"), std::string::npos);
    ASSERT_TRUE(r->quarantine_id);
    auto q = intake_->GetQuarantined(Admin(), *r->quarantine_id);
    ASSERT_TRUE(q);
    EXPECT_EQ(q->stage, "attachment");
    EXPECT_NE(q->raw.find(body), std::string::npos);
}

TEST_F(MailIntakeTest, FindRequestNumber) {
    EXPECT_EQ(FindRequestNumber("Re: [SR-2026-000123] x"), "SR-2026-000123");
    EXPECT_EQ(FindRequestNumber("SR-2026-000123"), "SR-2026-000123");
    EXPECT_EQ(FindRequestNumber("XSR-2026-000123"), "");
    EXPECT_EQ(FindRequestNumber("SR-2026-0001234"), "");
    EXPECT_EQ(FindRequestNumber("SR-26-000123"), "");
}

// ---- the notification sender ----

struct FakeTransport {
    std::vector<mail::OutboundMessage> sent;
    std::vector<core::Error> failures;  // consumed first, one per call
    core::Result<void> operator()(const mail::OutboundMessage& m) {
        if (!failures.empty()) {
            auto e = failures.front();
            failures.erase(failures.begin());
            return core::Fail(e);
        }
        sent.push_back(m);
        return {};
    }
};

TEST_F(MailIntakeTest, SenderDeliversTheOutboxThreadedUnderTheCustomersMail) {
    auto first = intake_->Ingest(Mail("liisa@kuljetus.example", "Kysymys", "Hei", "q4@kuljetus.example"));
    ASSERT_TRUE(first && first->outcome == IntakeOutcome::kCreated);
    FakeTransport transport;
    NotificationSenderOptions o;
    o.from = {"servicedesk@customs.example", "Tulli"};
    NotificationSender sender(*db_, *desk_, std::ref(transport), clock_, o);
    auto stats = sender.RunOnce();
    ASSERT_TRUE(stats) << stats.error().message;
    EXPECT_EQ(stats->sent, 1);
    ASSERT_EQ(transport.sent.size(), 1u);
    const auto& m = transport.sent[0];
    EXPECT_EQ(m.to[0].address, "liisa@kuljetus.example");
    EXPECT_NE(m.subject.find(first->request_number), std::string::npos) << m.subject;
    EXPECT_EQ(m.in_reply_to, "q4@kuljetus.example");
    EXPECT_EQ(m.references, std::vector<std::string>{"q4@kuljetus.example"});
    EXPECT_EQ(m.message_id.find('<'), std::string::npos);
    EXPECT_TRUE(m.auto_generated);
    // The customer's answer to it threads back by In-Reply-To alone.
    auto found = desk_->FindByMessageId(m.message_id);
    ASSERT_TRUE(found && *found);
    EXPECT_EQ(**found, *first->request);
    // Nothing left to send.
    auto again = sender.RunOnce();
    ASSERT_TRUE(again);
    EXPECT_EQ(again->sent + again->failed, 0);
}

TEST_F(MailIntakeTest, SenderRetriesWithBackoff) {
    auto first = intake_->Ingest(Mail("liisa@kuljetus.example", "Kysymys", "Hei", "q5@kuljetus.example"));
    ASSERT_TRUE(first && first->outcome == IntakeOutcome::kCreated);
    FakeTransport transport;
    transport.failures = {core::Error::Unavailable("relay down"), core::Error::Unavailable("relay down")};
    NotificationSenderOptions o;
    o.min_backoff = 30s;
    NotificationSender sender(*db_, *desk_, std::ref(transport), clock_, o);
    auto s1 = sender.RunOnce();
    ASSERT_TRUE(s1);
    EXPECT_EQ(s1->failed, 1);
    auto s2 = sender.RunOnce();  // within the backoff: not tried
    ASSERT_TRUE(s2);
    EXPECT_EQ(s2->deferred, 1);
    EXPECT_EQ(s2->failed, 0);
    clock_.Advance(31s);
    auto s3 = sender.RunOnce();  // second failure: now waits 60 s
    ASSERT_TRUE(s3);
    EXPECT_EQ(s3->failed, 1);
    clock_.Advance(31s);
    EXPECT_EQ(sender.RunOnce()->deferred, 1);
    clock_.Advance(30s);
    auto s5 = sender.RunOnce();
    ASSERT_TRUE(s5);
    EXPECT_EQ(s5->sent, 1);
    auto pending = desk_->PendingNotifications(10);
    ASSERT_TRUE(pending);
    EXPECT_TRUE(pending->empty());
}

TEST_F(MailIntakeTest, SenderGivesUpAtOnceOnAPermanentRefusal) {
    auto first = intake_->Ingest(Mail("liisa@kuljetus.example", "Kysymys", "Hei", "q6@kuljetus.example"));
    ASSERT_TRUE(first && first->outcome == IntakeOutcome::kCreated);
    FakeTransport transport;
    transport.failures = {core::Error::FailedPrecondition("550 5.1.1 no such user")};
    NotificationSender sender(*db_, *desk_, std::ref(transport), clock_, NotificationSenderOptions{});
    auto s1 = sender.RunOnce();
    ASSERT_TRUE(s1);
    EXPECT_EQ(s1->failed, 1);
    auto pending = desk_->PendingNotifications(10);
    ASSERT_TRUE(pending);
    EXPECT_TRUE(pending->empty()) << "a 5xx is not retried";
    auto tx = db_->Begin(storage::TxMode::kRead);
    ASSERT_TRUE(tx);
    auto row = (*tx)->QueryOne("SELECT last_error FROM sd_notifications WHERE sent_at IS NULL");
    ASSERT_TRUE(row && *row);
    EXPECT_EQ((*row)->GetText(0), "permanent: 550 5.1.1 no such user");
}

}  // namespace
}  // namespace customsdesk::servicedesk

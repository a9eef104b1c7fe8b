// ControlService on SQLite and PostgreSQL, with the real DeclarationService and selectivity wired
// through the lane hook: lanes decided at acceptance, the officers' queue (filters, keyset pages,
// roles), documentary control (request, scoped upload, decision), findings, release and refusal,
// and the statistics they feed (trader compliance history, profile hit rates).
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "customsdesk/control/control_service.hpp"
#include "customsdesk/control/lane_hook.hpp"
#include "customsdesk/core/json.hpp"
#include "customsdesk/selectivity/selectivity_service.hpp"
#include "support/test_database.hpp"

namespace customsdesk::control {
namespace {

using core::ErrorCode;
using declarations::Language;

boost::json::object H1(const std::string& lrn, const std::string& eori = "FI1234567-1") {
    std::ifstream in("tests/cases/declarations/h1-valid.json", std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    auto text = ss.str();
    auto o = *core::ParseJsonObject(text.substr(0, text.find("\n----\n")));
    o["lrn"] = lrn;
    o["declarant"].as_object()["identification_number"] = eori;
    o["importer"].as_object()["identification_number"] = eori;
    return o;
}

core::Principal Person(const std::string& name, core::Role role, std::optional<std::int64_t> org = std::nullopt) {
    core::Principal p;
    p.username = name;
    p.roles = {role};
    if (org) p.organisation = core::OrganisationId(*org);
    p.method = core::AuthMethod::kToken;
    return p;
}

class ControlServiceTest : public ::testing::Test {
protected:
    void SetUp() override {
        db_ = test_support::OpenTestDatabase();
        own_org_ = InsertOrg("Demo Import Oy", "FI1234567-1");
        other_org_ = InsertOrg("Other Oy", "FI7654321-2");
        rulesets_ = std::make_unique<ruleset::RulesetService>(*db_, clock_);
        selectivity_ = std::make_unique<selectivity::SelectivityService>(*db_, clock_, *rulesets_);
        ASSERT_TRUE(selectivity_->InstallDefaultProfiles());
        SetRates(0, 0);
        declarations_ = std::make_unique<declarations::DeclarationService>(*db_, clock_);
        declarations_->SetSelectivity(MakeLaneHook(*selectivity_, {}));
        control_ = std::make_unique<ControlService>(*db_, clock_, *declarations_);
        trader_ = Person("tina", core::Role::kTrader, own_org_);
        other_ = Person("otto", core::Role::kTrader, other_org_);
        officer_ = Person("olli", core::Role::kOfficer);
        analyst_ = Person("rita", core::Role::kRiskAnalyst);
    }

    std::int64_t InsertOrg(const std::string& name, const std::string& eori) {
        auto r = storage::InWriteTx(*db_, [&](storage::Transaction& tx) -> core::Result<std::int64_t> {
            auto row = tx.QueryOne(
                "INSERT INTO organisations (name, eori, created_at, updated_at) VALUES ($1, $2, $3, $3) RETURNING id",
                {name, eori, std::string("2026-01-01T00:00:00.000000Z")});
            if (!row) return core::Fail(row.error());
            return (*row)->GetInt(0);
        });
        EXPECT_TRUE(r);
        return r.value_or(0);
    }

    void SetRates(std::int64_t red, std::int64_t yellow) {
        auto r = selectivity_->SetSampleRates(Person("rita", core::Role::kRiskAnalyst),
                                              {{"red_ppm", red}, {"yellow_ppm", yellow}});
        ASSERT_TRUE(r) << r.error().message;
    }

    declarations::StoredDeclaration Lodge(const std::string& lrn) {
        auto r = declarations_->LodgeJson(trader_, H1(lrn), Language::kEn);
        EXPECT_TRUE(r) << (r ? "" : r.error().message + " " +
                                        (r.error().fields.empty() ? "" : r.error().fields[0].pointer + " " +
                                                                             r.error().fields[0].message));
        return r ? r->stored : declarations::StoredDeclaration{};
    }

    std::pair<std::int64_t, std::int64_t> Compliance(std::int64_t org) {
        auto t = storage::InReadTx(*db_, [&](storage::Transaction& tx) {
            return selectivity::LoadTraderAttributes(tx, core::OrganisationId(org));
        });
        EXPECT_TRUE(t);
        return {t->controls, t->findings};
    }

    selectivity::ProfileReport Profile(const std::string& key) {
        auto v = selectivity_->Profiles(analyst_);
        EXPECT_TRUE(v);
        for (const auto& r : v->active)
            if (r.profile.key == key) return r;
        ADD_FAILURE() << "no profile " << key;
        return {};
    }

    core::ManualClock clock_{*core::ParseTimestamp("2026-03-02T08:00:00Z")};
    std::unique_ptr<storage::Database> db_;
    std::int64_t own_org_ = 0, other_org_ = 0;
    std::unique_ptr<ruleset::RulesetService> rulesets_;
    std::unique_ptr<selectivity::SelectivityService> selectivity_;
    std::unique_ptr<declarations::DeclarationService> declarations_;
    std::unique_ptr<ControlService> control_;
    core::Principal trader_, other_, officer_, analyst_;
};

TEST_F(ControlServiceTest, TheLaneIsDecidedAtAcceptanceWithItsExplanation) {
    // The trader's first declaration: yellow by the trader profile (first-time trader).
    auto first = Lodge("LRN-1");
    EXPECT_EQ(first.lane, "yellow");
    EXPECT_EQ(first.state, declarations::State::kUnderDocumentaryControl);
    ASSERT_TRUE(first.selectivity_json);
    EXPECT_NE(first.selectivity_json->find("First-time trader"), std::string::npos) << *first.selectivity_json;
    // The second: no rule fires (not first-time, EUR 13,520, no sensitive goods): green, released.
    auto second = Lodge("LRN-2");
    EXPECT_EQ(second.lane, "green");
    EXPECT_EQ(second.state, declarations::State::kReleased);
    // Random sample at 100 % red: physical control.
    SetRates(1'000'000, 0);
    auto third = Lodge("LRN-3");
    EXPECT_EQ(third.lane, "red");
    EXPECT_EQ(third.state, declarations::State::kUnderPhysicalControl);
    EXPECT_NE(third.selectivity_json->find("random_sample"), std::string::npos);
}

TEST_F(ControlServiceTest, TheQueueFiltersByOfficeAndLaneAndPages) {
    auto yellow = Lodge("LRN-1");
    SetRates(1'000'000, 0);
    auto red1 = Lodge("LRN-2");
    auto red2 = Lodge("LRN-3");
    auto q = control_->Queue(officer_, {});
    ASSERT_TRUE(q) << q.error().message;
    ASSERT_EQ(q->items.size(), 3u);
    EXPECT_EQ(q->items[0].id, red2.id);  // newest first
    EXPECT_EQ(q->items[0].office, "FI002000");
    auto reds = control_->Queue(officer_, {"FI002000", "red", 0, 1});
    ASSERT_TRUE(reds);
    ASSERT_EQ(reds->items.size(), 1u);
    EXPECT_EQ(reds->items[0].id, red2.id);
    ASSERT_TRUE(reds->next_before);
    auto next = control_->Queue(officer_, {"FI002000", "red", *reds->next_before, 1});
    ASSERT_TRUE(next);
    ASSERT_EQ(next->items.size(), 1u);
    EXPECT_EQ(next->items[0].id, red1.id);
    EXPECT_FALSE(next->next_before);
    auto yellows = control_->Queue(officer_, {std::nullopt, "yellow", 0, 50});
    ASSERT_TRUE(yellows);
    ASSERT_EQ(yellows->items.size(), 1u);
    EXPECT_EQ(yellows->items[0].id, yellow.id);
    auto elsewhere = control_->Queue(officer_, {"FI999999", std::nullopt, 0, 50});
    ASSERT_TRUE(elsewhere);
    EXPECT_TRUE(elsewhere->items.empty());
    auto denied = control_->Queue(trader_, {});
    ASSERT_FALSE(denied);
    EXPECT_EQ(denied.error().code, ErrorCode::kPermissionDenied);
}

TEST_F(ControlServiceTest, DocumentaryControlFromRequestToRelease) {
    auto d = Lodge("LRN-1");  // yellow
    auto bad = control_->RequestDocuments(officer_, d.id, {{"required_documents", boost::json::array{}}});
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error().code, ErrorCode::kInvalidArgument);
    EXPECT_EQ(bad.error().fields.size(), 2u);  // no document named, no message
    EXPECT_EQ(control_->RequestDocuments(trader_, d.id, {{"required_documents", {"invoice"}}, {"message", "x"}})
                  .error()
                  .code,
              ErrorCode::kPermissionDenied);
    auto req = control_->RequestDocuments(
        officer_, d.id, {{"required_documents", {"commercial invoice", "certificate of origin"}},
                         {"message", "Please send the invoice and the certificate of origin."}});
    ASSERT_TRUE(req) << req.error().message;
    EXPECT_EQ(req->state, "open");
    EXPECT_EQ(req->required_documents.size(), 2u);

    // The trader sees it; another trader does not, not even that the declaration exists.
    auto mine = control_->DocumentRequests(trader_, d.id);
    ASSERT_TRUE(mine);
    EXPECT_EQ(mine->size(), 1u);
    EXPECT_EQ(control_->DocumentRequests(other_, d.id).error().code, ErrorCode::kNotFound);
    EXPECT_EQ(control_->GetDocumentRequest(other_, req->id).error().code, ErrorCode::kNotFound);
    const boost::json::object upload{
        {"filename", "invoice.pdf"}, {"content_type", "application/pdf"}, {"content_base64", "JVBERi0xLjQKJcfs"}};
    EXPECT_EQ(control_->UploadDocument(other_, req->id, upload).error().code, ErrorCode::kNotFound);
    auto badfile = control_->UploadDocument(trader_, req->id,
                                            {{"filename", "../x"}, {"content_type", "pdf"}, {"content_base64", "%%"}});
    ASSERT_FALSE(badfile);
    EXPECT_EQ(badfile.error().fields.size(), 3u);

    auto doc = control_->UploadDocument(trader_, req->id, upload);
    ASSERT_TRUE(doc) << doc.error().message;
    EXPECT_EQ(doc->size_bytes, 12);
    auto content = control_->GetDocument(officer_, req->id, doc->id);
    ASSERT_TRUE(content);
    EXPECT_EQ(content->bytes, "%PDF-1.4\n%\xc7\xec");
    auto answered = control_->GetDocumentRequest(officer_, req->id);
    ASSERT_TRUE(answered);
    EXPECT_EQ(answered->state, "answered");
    EXPECT_EQ(answered->documents.size(), 1u);

    // Refusal needs a category; release records a compliant documentary control.
    auto nocat = control_->DecideDocumentRequest(officer_, req->id, {{"decision", "refuse"}});
    ASSERT_FALSE(nocat);
    EXPECT_EQ(nocat.error().fields.at(0).pointer, "/category");
    auto decided = control_->DecideDocumentRequest(officer_, req->id, {{"decision", "release"}, {"note", "ok"}});
    ASSERT_TRUE(decided) << decided.error().message;
    EXPECT_EQ(decided->state, "decided");
    EXPECT_EQ(declarations_->Get(officer_, d.id)->state, declarations::State::kReleased);
    EXPECT_EQ(control_->UploadDocument(trader_, req->id, upload).error().code, ErrorCode::kConflict);
    auto findings = control_->Findings(officer_, d.id);
    ASSERT_TRUE(findings);
    ASSERT_EQ(findings->size(), 1u);
    EXPECT_EQ((*findings)[0].outcome, "compliant");
    EXPECT_EQ((*findings)[0].control_type, "documentary");
    EXPECT_EQ(Compliance(own_org_), (std::pair<std::int64_t, std::int64_t>{1, 0}));
    auto profile = Profile("risk-profile-trader");
    EXPECT_EQ(profile.controls, 1);
    EXPECT_EQ(profile.findings, 0);
    // Every officer and trader action is in the change history, with its actor.
    auto history = storage::InReadTx(*db_, [&](storage::Transaction& tx) -> core::Result<std::vector<std::string>> {
        auto rows = tx.Query(
            "SELECT entity_type, action, actor_name FROM change_history WHERE entity_type IN "
            "('document_request', 'request_document', 'control_finding') ORDER BY id");
        if (!rows) return core::Fail(std::move(rows.error()));
        std::vector<std::string> out;
        for (const auto& r : rows->rows) out.push_back(r.GetText(0) + " " + r.GetText(1) + " " + r.GetText(2));
        return out;
    });
    ASSERT_TRUE(history) << history.error().message;
    EXPECT_EQ(*history, (std::vector<std::string>{"document_request create olli", "request_document create tina",
                                                  "control_finding create olli", "document_request update olli"}));
}

TEST_F(ControlServiceTest, DocumentaryControlCanMoveToPhysicalControlWhereFindingsCount) {
    auto d = Lodge("LRN-1");  // yellow, decided by the trader profile
    auto req = control_->RequestDocuments(officer_, d.id,
                                          {{"required_documents", {"packing list"}}, {"message", "Packing list?"}});
    ASSERT_TRUE(req);
    auto moved = control_->DecideDocumentRequest(officer_, req->id, {{"decision", "physical_control"}});
    ASSERT_TRUE(moved) << moved.error().message;
    EXPECT_EQ(declarations_->Get(officer_, d.id)->state, declarations::State::kUnderPhysicalControl);
    EXPECT_EQ(Compliance(own_org_), (std::pair<std::int64_t, std::int64_t>{0, 0}));

    auto bad = control_->RecordFinding(officer_, d.id, {{"outcome", "non_compliant"}, {"category", "colour"}});
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error().fields.at(0).pointer, "/category");
    auto f1 = control_->RecordFinding(officer_, d.id,
                                      {{"outcome", "non_compliant"}, {"category", "misclassification"},
                                       {"note", "T-shirts are 6110, not 6109"}});
    ASSERT_TRUE(f1) << f1.error().message;
    EXPECT_EQ(f1->control_type, "physical");
    auto f2 = control_->RecordFinding(officer_, d.id, {{"outcome", "non_compliant"}, {"category", "quantity"}});
    ASSERT_TRUE(f2);
    // One declaration = one control and one finding, however many findings were written.
    EXPECT_EQ(Compliance(own_org_), (std::pair<std::int64_t, std::int64_t>{1, 1}));
    auto profile = Profile("risk-profile-trader");
    EXPECT_EQ(profile.controls, 1);
    EXPECT_EQ(profile.findings, 1);
    auto refused = control_->Refuse(officer_, d.id, "misclassified");
    ASSERT_TRUE(refused) << refused.error().message;
    EXPECT_EQ(refused->state, declarations::State::kNotReleased);
    // No findings on a declaration that is no longer under control.
    auto late = control_->RecordFinding(officer_, d.id, {{"outcome", "compliant"}});
    ASSERT_FALSE(late);
    EXPECT_EQ(late.error().code, ErrorCode::kConflict);
    // The next assessment of this trader sees the history.
    auto t = storage::InReadTx(*db_, [&](storage::Transaction& tx) {
        return selectivity::LoadTraderAttributes(tx, core::OrganisationId(own_org_));
    });
    ASSERT_TRUE(t);
    EXPECT_EQ(t->last_finding_at, clock_.Now());
}

TEST_F(ControlServiceTest, ASampledDeclarationCreditsNoProfile) {
    Lodge("LRN-0");  // not first-time any more afterwards
    SetRates(1'000'000, 0);
    auto d = Lodge("LRN-1");
    ASSERT_EQ(d.lane, "red");
    auto f = control_->RecordFinding(officer_, d.id, {{"outcome", "non_compliant"}, {"category", "undervaluation"}});
    ASSERT_TRUE(f);
    EXPECT_EQ(Compliance(own_org_), (std::pair<std::int64_t, std::int64_t>{1, 1}));
    auto v = selectivity_->Profiles(analyst_);
    ASSERT_TRUE(v);
    for (const auto& r : v->active) EXPECT_EQ(r.controls, 0) << r.profile.key;
    auto released = control_->Release(officer_, d.id, "duty recovered after audit");
    ASSERT_TRUE(released);
    EXPECT_EQ(released->state, declarations::State::kReleased);
    EXPECT_EQ(control_->Release(trader_, d.id, "").error().code, ErrorCode::kPermissionDenied);
}

TEST_F(ControlServiceTest, DocumentsAreRequestedOnlyUnderDocumentaryControl) {
    SetRates(1'000'000, 0);
    auto d = Lodge("LRN-1");  // red
    auto r = control_->RequestDocuments(officer_, d.id, {{"required_documents", {"invoice"}}, {"message", "x"}});
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, ErrorCode::kConflict);
    EXPECT_EQ(control_->RequestDocuments(officer_, 999999, {{"required_documents", {"invoice"}}, {"message", "x"}})
                  .error()
                  .code,
              ErrorCode::kNotFound);
}

}  // namespace
}  // namespace customsdesk::control

// DeclarationService on the configured database (SQLite and PostgreSQL): idempotent lodging
// (also under concurrency), acceptance with MRN, data scoping, lifecycle, requests, group commit.
#include "customsdesk/declarations/declaration_service.hpp"

#include <gtest/gtest.h>

#include <fmt/format.h>

#include <atomic>
#include <fstream>
#include <set>
#include <sstream>
#include <thread>

#include "customsdesk/core/json.hpp"
#include "customsdesk/declarations/mrn.hpp"
#include "support/test_database.hpp"

namespace customsdesk::declarations {
namespace {

using core::ErrorCode;

const core::Timestamp kStart = *core::ParseTimestamp("2026-03-02T08:00:00Z");

std::string CaseBody(const std::string& name) {
    std::ifstream in("tests/cases/declarations/" + name, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    auto text = ss.str();
    return text.substr(0, text.find("\n----\n"));
}

boost::json::object H1(const std::string& lrn) {
    auto o = *core::ParseJsonObject(CaseBody("h1-valid.json"));
    o["lrn"] = lrn;
    return o;
}

class DeclarationServiceTest : public ::testing::Test {
protected:
    void SetUp() override {
        db_ = test_support::OpenTestDatabase();
        own_org_ = InsertOrg("Demo Import Oy", "FI1234567-1");
        broker_org_ = InsertOrg("Broker Oy", "FI7654321-2");
        other_org_ = InsertOrg("Other Oy", "FI0000000-0");
        service_ = std::make_unique<DeclarationService>(*db_, clock_);
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
        return *r;
    }

    static core::Principal Trader(std::int64_t org, std::int64_t user = 0) {
        core::Principal p;
        p.username = "trader" + std::to_string(org);
        p.roles = {core::Role::kTrader};
        p.organisation = core::OrganisationId(org);
        p.method = core::AuthMethod::kToken;
        (void)user;
        return p;
    }
    static core::Principal Officer() {
        core::Principal p;
        p.username = "officer";
        p.roles = {core::Role::kOfficer};
        p.method = core::AuthMethod::kToken;
        return p;
    }

    std::int64_t Count() {
        auto r = storage::InReadTx(*db_, [](storage::Transaction& tx) -> core::Result<std::int64_t> {
            auto row = tx.QueryOne("SELECT COUNT(*) FROM declarations");
            if (!row) return core::Fail(row.error());
            return (*row)->GetInt(0);
        });
        EXPECT_TRUE(r) << r.error().message;
        return r ? *r : -1;
    }

    core::ManualClock clock_{kStart};
    std::unique_ptr<storage::Database> db_;
    std::unique_ptr<DeclarationService> service_;
    std::int64_t own_org_ = 0, broker_org_ = 0, other_org_ = 0;
};

TEST_F(DeclarationServiceTest, AcceptsWithMrnAndHistory) {
    auto r = service_->LodgeJson(Trader(own_org_), H1("LRN-1"), Language::kEn);
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_TRUE(r->created);
    const auto& s = r->stored;
    EXPECT_EQ(s.state, State::kAccepted);
    ASSERT_TRUE(s.mrn);
    EXPECT_TRUE(IsValidMrn(*s.mrn));
    EXPECT_EQ(*s.mrn, MakeMrn(2026, "FI", s.id));
    auto got = service_->Get(Trader(own_org_), s.id);
    ASSERT_TRUE(got);
    EXPECT_EQ(got->declaration, s.declaration);
    EXPECT_EQ(got->mrn, s.mrn);
    auto h = service_->History(Trader(own_org_), s.id);
    ASSERT_TRUE(h);
    ASSERT_EQ(h->size(), 2u);
    EXPECT_EQ((*h)[0].to, State::kSubmitted);
    EXPECT_EQ((*h)[1].to, State::kAccepted);
    EXPECT_EQ((*h)[1].actor_name, "trader" + std::to_string(own_org_));
}

TEST_F(DeclarationServiceTest, SameLrnReturnsTheExistingDeclaration) {
    auto a = service_->LodgeJson(Trader(own_org_), H1("LRN-2"), Language::kEn);
    ASSERT_TRUE(a);
    auto changed = H1("LRN-2");
    changed["country_of_dispatch"] = "US";
    auto b = service_->LodgeJson(Trader(own_org_), changed, Language::kEn);
    ASSERT_TRUE(b);
    EXPECT_FALSE(b->created);
    EXPECT_EQ(b->stored.id, a->stored.id);
    EXPECT_EQ(b->stored.declaration.country_of_dispatch, "CN");
    EXPECT_EQ(Count(), 1);
    // A copy that no longer validates still gets the declaration lodged under its LRN.
    auto invalid = H1("LRN-2");
    invalid["country_of_dispatch"] = "XX";
    auto c = service_->LodgeJson(Trader(own_org_), invalid, Language::kEn);
    ASSERT_TRUE(c) << c.error().message;
    EXPECT_FALSE(c->created);
    EXPECT_EQ(c->stored.id, a->stored.id);
    EXPECT_EQ(Count(), 1);
}

TEST_F(DeclarationServiceTest, ConcurrentSameLrnCreatesExactlyOne) {
    constexpr int kThreads = 8;
    std::atomic<int> created{0};
    std::set<std::int64_t> ids;
    std::mutex mu;
    std::vector<std::thread> threads;
    for (int i = 0; i < kThreads; ++i) {
        threads.emplace_back([&] {
            auto r = service_->LodgeJson(Trader(own_org_), H1("LRN-RACE"), Language::kEn);
            ASSERT_TRUE(r) << r.error().message;
            if (r->created) ++created;
            std::lock_guard lock(mu);
            ids.insert(r->stored.id);
        });
    }
    for (auto& t : threads) t.join();
    EXPECT_EQ(created.load(), 1);
    EXPECT_EQ(ids.size(), 1u);
    EXPECT_EQ(Count(), 1);
}

TEST_F(DeclarationServiceTest, ConcurrentSameLrnThroughGroupCommitCreatesExactlyOne) {
    storage::GroupCommitter committer(*db_);
    service_->SetGroupCommitter(&committer);
    std::atomic<int> created{0};
    std::vector<std::thread> threads;
    for (int i = 0; i < 8; ++i) {
        threads.emplace_back([&, i] {
            auto r = service_->LodgeJson(Trader(own_org_), H1(i % 2 == 0 ? "LRN-GC" : "LRN-GC-" + std::to_string(i)),
                                         Language::kEn);
            ASSERT_TRUE(r) << r.error().message;
            if (r->created && r->stored.declaration.lrn == "LRN-GC") ++created;
        });
    }
    for (auto& t : threads) t.join();
    EXPECT_EQ(created.load(), 1);
    EXPECT_EQ(Count(), 5);
    service_->SetGroupCommitter(nullptr);
}

TEST_F(DeclarationServiceTest, ViolationsStoreNothingAndSpeakTheLanguage) {
    auto bad = H1("LRN-BAD");
    bad["country_of_dispatch"] = "XX";
    auto r = service_->LodgeJson(Trader(own_org_), bad, Language::kFi);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
    ASSERT_EQ(r.error().fields.size(), 1u);
    EXPECT_EQ(r.error().fields[0].pointer, "/country_of_dispatch");
    EXPECT_EQ(r.error().fields[0].message, "Tuntematon maakoodi XX (ISO 3166-1).");
    EXPECT_EQ(Count(), 0);
}

TEST_F(DeclarationServiceTest, XmlViolationsUseXPaths) {
    auto xml = CaseBody("pair-h1.xml");
    auto pos = xml.find("<NetMass>800</NetMass>");
    xml.replace(pos, 22, "<NetMass>900</NetMass>");
    auto r = service_->LodgeXml(Trader(own_org_), xml, Language::kSv);
    ASSERT_FALSE(r);
    ASSERT_EQ(r.error().fields.size(), 1u);
    EXPECT_EQ(r.error().fields[0].pointer, "/Declaration/GoodsItem[1]/NetMass");
    EXPECT_EQ(r.error().fields[0].message, "Nettovikten 900 kg är större än bruttovikten 850.5 kg.");
}

TEST_F(DeclarationServiceTest, DeclarantMustBeTheTradersOwnEori) {
    auto r = service_->LodgeJson(Trader(other_org_), H1("LRN-3"), Language::kEn);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().fields.at(0).code, "not_own_eori");
}

TEST_F(DeclarationServiceTest, TradersSeeOwnAndRepresentedDeclarationsOnly) {
    // The broker lodges for Demo Import Oy (importer), Demo Import Oy sees it as represented party.
    auto body = H1("LRN-REP");
    body["declarant"].as_object()["identification_number"] = "FI7654321-2";
    body["representative"] = boost::json::object{{"identification_number", "FI7654321-2"}, {"status", "2"}};
    auto r = service_->LodgeJson(Trader(broker_org_), body, Language::kEn);
    ASSERT_TRUE(r) << r.error().message << (r ? "" : r.error().fields.at(0).pointer);
    const auto id = r->stored.id;
    EXPECT_EQ(r->stored.represented_org_id, own_org_);
    EXPECT_TRUE(service_->Get(Trader(broker_org_), id));
    EXPECT_TRUE(service_->Get(Trader(own_org_), id));
    auto other = service_->Get(Trader(other_org_), id);
    ASSERT_FALSE(other);
    EXPECT_EQ(other.error().code, ErrorCode::kNotFound);
    EXPECT_FALSE(service_->History(Trader(other_org_), id));
    EXPECT_FALSE(service_->Requests(Trader(other_org_), id));
    EXPECT_FALSE(service_->RequestInvalidation(Trader(other_org_), id, "x"));
    auto list = service_->List(Trader(other_org_), {});
    ASSERT_TRUE(list);
    EXPECT_TRUE(list->items.empty());
    EXPECT_EQ(service_->List(Trader(own_org_), {})->items.size(), 1u);
    EXPECT_EQ(service_->List(Officer(), {})->items.size(), 1u);
}

TEST_F(DeclarationServiceTest, DraftSubmitRejectAndDelete) {
    auto bad = H1("LRN-DRAFT");
    bad["location_of_goods"] = "FIXXX";
    auto d = service_->LodgeJson(Trader(own_org_), bad, Language::kEn, /*draft=*/true);
    ASSERT_TRUE(d) << d.error().message;
    EXPECT_EQ(d->stored.state, State::kDraft);
    EXPECT_FALSE(d->stored.mrn);
    auto s = service_->Submit(Trader(own_org_), d->stored.id, Language::kEn);
    ASSERT_TRUE(s) << s.error().message;
    EXPECT_EQ(s->state, State::kRejected);
    ASSERT_EQ(s->violations.size(), 1u);
    EXPECT_EQ(s->violations[0].code, "unknown_location");
    auto again = service_->Submit(Trader(own_org_), d->stored.id, Language::kEn);
    ASSERT_FALSE(again);
    EXPECT_EQ(again.error().code, ErrorCode::kConflict);
    auto del = service_->DeleteDraft(Trader(own_org_), d->stored.id);
    ASSERT_FALSE(del);  // rejected, not a draft
    EXPECT_EQ(del.error().code, ErrorCode::kConflict);

    auto good = service_->LodgeJson(Trader(own_org_), H1("LRN-DRAFT2"), Language::kEn, true);
    ASSERT_TRUE(good);
    auto accepted = service_->Submit(Trader(own_org_), good->stored.id, Language::kEn);
    ASSERT_TRUE(accepted);
    EXPECT_EQ(accepted->state, State::kAccepted);
    EXPECT_TRUE(accepted->mrn);

    auto third = service_->LodgeJson(Trader(own_org_), H1("LRN-DRAFT3"), Language::kEn, true);
    ASSERT_TRUE(third);
    EXPECT_TRUE(service_->DeleteDraft(Trader(own_org_), third->stored.id));
    EXPECT_FALSE(service_->Get(Trader(own_org_), third->stored.id));
}

TEST_F(DeclarationServiceTest, ControlTransitionsAndIllegalOnes) {
    auto r = service_->LodgeJson(Trader(own_org_), H1("LRN-CTL"), Language::kEn);
    ASSERT_TRUE(r);
    const auto id = r->stored.id;
    auto denied = service_->Transition(Trader(own_org_), id, Action::kRelease, "");
    ASSERT_FALSE(denied);
    EXPECT_EQ(denied.error().code, ErrorCode::kPermissionDenied);
    auto doc = service_->Transition(Officer(), id, Action::kDocumentaryControl, "invoice check");
    ASSERT_TRUE(doc);
    EXPECT_EQ(doc->state, State::kUnderDocumentaryControl);
    auto phys = service_->Transition(Officer(), id, Action::kPhysicalControl, "escalated");
    ASSERT_TRUE(phys);
    auto refused = service_->Transition(Officer(), id, Action::kRefuseRelease, "prohibited goods");
    ASSERT_TRUE(refused);
    EXPECT_EQ(refused->state, State::kNotReleased);
    auto illegal = service_->Transition(Officer(), id, Action::kRelease, "");
    ASSERT_FALSE(illegal);
    EXPECT_EQ(illegal.error().code, ErrorCode::kConflict);
    EXPECT_EQ(illegal.error().type, "illegal-transition");
    auto h = service_->History(Officer(), id);
    ASSERT_TRUE(h);
    ASSERT_EQ(h->size(), 5u);
    EXPECT_EQ(h->back().reason, "prohibited goods");
    EXPECT_EQ(h->back().actor_name, "officer");
}

TEST_F(DeclarationServiceTest, LaneHookMovesTheStateInTheAcceptanceTransaction) {
    int recorded = 0;
    LaneHooks hooks;
    hooks.decide = [](storage::Transaction*, const Declaration& d,
                      std::optional<std::int64_t>) -> core::Result<LaneDecision> {
        return LaneDecision{d.lrn.ends_with("R") ? "red" : "green", R"({"rule":"test"})", nullptr};
    };
    hooks.record = [&recorded](storage::Transaction&, std::span<const LaneRecordItem> items) -> core::Result<void> {
        for (const auto& item : items) {
            EXPECT_GT(item.id, 0);
            EXPECT_FALSE(item.mrn->empty());
            ++recorded;
        }
        return {};
    };
    service_->SetSelectivity(hooks);
    service_->SetTaxation([](const Declaration&, core::Timestamp) -> core::Result<std::string> {
        return std::string(R"({"duty":"12.00","vat":"100.00","currency":"EUR"})");
    });
    auto g = service_->LodgeJson(Trader(own_org_), H1("LRN-G"), Language::kEn);
    ASSERT_TRUE(g);
    EXPECT_EQ(g->stored.state, State::kReleased);
    auto red = service_->LodgeJson(Trader(own_org_), H1("LRN-R"), Language::kEn);
    ASSERT_TRUE(red);
    EXPECT_EQ(red->stored.state, State::kUnderPhysicalControl);
    auto got = service_->Get(Officer(), red->stored.id);
    ASSERT_TRUE(got);
    EXPECT_EQ(got->lane, "red");
    EXPECT_EQ(got->taxes_json, R"({"duty":"12.00","vat":"100.00","currency":"EUR"})");
    // The lodging's own answer carries the taxes and the explanation it stored, and each step's
    // time is the acceptance time.
    EXPECT_EQ(red->stored.taxes_json, got->taxes_json);
    EXPECT_EQ(red->stored.selectivity_json, std::optional<std::string>(R"({"rule":"test"})"));
    EXPECT_EQ(got->selectivity_json, red->stored.selectivity_json);
    for (const auto& [id, lane_action] :
         {std::pair{red->stored.id, "physical_control (lane red)"}, std::pair{g->stored.id, "release (lane green)"}}) {
        auto history = service_->History(Officer(), id);
        ASSERT_TRUE(history);
        ASSERT_EQ(history->size(), 3u);
        EXPECT_EQ((*history)[0].action, "submit");
        EXPECT_EQ((*history)[1].action, "accept");
        EXPECT_EQ((*history)[2].action, lane_action);
        auto stored = service_->Get(Officer(), id);
        ASSERT_TRUE(stored);
        for (const auto& step : *history) EXPECT_EQ(step.at, stored->accepted_at);
    }
    EXPECT_EQ(recorded, 2);
    // The text form (lodging's response) is the same representation as the DOM form.
    for (const auto* r : {&*g, &*red}) {
        const auto dom = ToJson(r->stored);
        EXPECT_EQ(boost::json::parse(ToJsonText(r->stored, r->declaration_json, true)), boost::json::value(dom));
        EXPECT_EQ(boost::json::parse(ToJsonText(r->stored)), boost::json::value(dom));
    }
    auto odd = *got;
    odd.taxes_json = "not json";  // stored text that does not parse is a JSON string, as in ToJson
    odd.violations.push_back({"/lrn", "x", "y"});
    EXPECT_EQ(boost::json::parse(ToJsonText(odd)), boost::json::value(ToJson(odd)));
}

TEST_F(DeclarationServiceTest, AmendmentAndInvalidationRequests) {
    auto r = service_->LodgeJson(Trader(own_org_), H1("LRN-AM"), Language::kEn);
    ASSERT_TRUE(r);
    const auto id = r->stored.id;
    auto amended = H1("LRN-AM");
    amended["items"].as_array()[0].as_object()["description"] = "T-shirts of organic cotton";
    auto req = service_->RequestAmendment(Trader(own_org_), id, amended, "typo", Language::kEn);
    ASSERT_TRUE(req) << req.error().message;
    EXPECT_EQ(req->state, RequestState::kRequested);
    auto second = service_->RequestInvalidation(Trader(own_org_), id, "duplicate");
    ASSERT_FALSE(second);  // one open request at a time
    EXPECT_EQ(second.error().code, ErrorCode::kConflict);
    auto denied = service_->DecideRequest(Trader(own_org_), id, req->id, true, "", Language::kEn);
    ASSERT_FALSE(denied);
    auto ok = service_->DecideRequest(Officer(), id, req->id, true, "fine", Language::kEn);
    ASSERT_TRUE(ok) << ok.error().message;
    EXPECT_EQ(ok->state, RequestState::kAccepted);
    EXPECT_EQ(service_->Get(Officer(), id)->declaration.items[0].description, "T-shirts of organic cotton");
    auto twice = service_->DecideRequest(Officer(), id, req->id, false, "", Language::kEn);
    ASSERT_FALSE(twice);
    EXPECT_EQ(twice.error().code, ErrorCode::kConflict);

    auto inv = service_->RequestInvalidation(Trader(own_org_), id, "goods not shipped");
    ASSERT_TRUE(inv);
    auto rejected = service_->DecideRequest(Officer(), id, inv->id, false, "no", Language::kEn);
    ASSERT_TRUE(rejected);
    EXPECT_EQ(rejected->state, RequestState::kRejected);
    EXPECT_EQ(service_->Get(Officer(), id)->state, State::kAccepted);
    auto inv2 = service_->RequestInvalidation(Trader(own_org_), id, "goods not shipped, really");
    ASSERT_TRUE(inv2);
    ASSERT_TRUE(service_->DecideRequest(Officer(), id, inv2->id, true, "ok", Language::kEn));
    EXPECT_EQ(service_->Get(Officer(), id)->state, State::kInvalidated);
    EXPECT_EQ(service_->Requests(Trader(own_org_), id)->size(), 3u);
}

TEST_F(DeclarationServiceTest, BulkAnswersPerDeclaration) {
    std::vector<boost::json::object> bodies{H1("B-1"), H1("B-2"), H1("B-1")};
    auto bad = H1("B-3");
    bad["invoice_currency"] = "EUX";
    bodies.push_back(bad);
    auto r = service_->LodgeBulk(Trader(own_org_), bodies, Language::kEn, false);
    ASSERT_TRUE(r);
    ASSERT_EQ(r->size(), 4u);
    EXPECT_EQ((*r)[0].status, "accepted");
    EXPECT_EQ((*r)[1].status, "accepted");
    EXPECT_EQ((*r)[2].status, "existing");
    EXPECT_EQ((*r)[2].id, (*r)[0].id);
    EXPECT_EQ((*r)[3].status, "invalid");
    EXPECT_EQ((*r)[3].violations.at(0).pointer, "/invoice_currency");
    EXPECT_EQ(Count(), 2);
}

TEST_F(DeclarationServiceTest, NdjsonLinesThatAreNotObjectsAreInvalidAtTheirPlace) {
    const std::string good1 = boost::json::serialize(H1("ND-1")), good2 = boost::json::serialize(H1("ND-2"));
    std::vector<std::string_view> lines{good1, "{\"lrn\": ", "[1, 2]", good2};
    auto r = service_->LodgeNdjson(Trader(own_org_), lines, Language::kEn);
    ASSERT_TRUE(r);
    ASSERT_EQ(r->size(), 4u);
    EXPECT_EQ((*r)[0].status, "accepted");
    for (std::size_t i : {1u, 2u}) {
        EXPECT_EQ((*r)[i].index, i);
        EXPECT_EQ((*r)[i].status, "invalid");
        ASSERT_EQ((*r)[i].violations.size(), 1u);
        EXPECT_EQ((*r)[i].violations[0].pointer, "/");
        EXPECT_EQ((*r)[i].violations[0].code, "malformed_json");
    }
    EXPECT_EQ((*r)[3].status, "accepted");
    EXPECT_EQ(Count(), 2);
}

TEST_F(DeclarationServiceTest, ALargeBulkIsPreparedInParallelAndWrittenInChunksInOrder) {
    // More than one write chunk (1,024) and many preparation blocks: every outcome at its index,
    // duplicates across chunks answered with the first, invalid ones reported, ids in input order.
    constexpr int kCount = 1300;
    std::vector<boost::json::object> bodies;
    for (int i = 0; i < kCount; ++i) {
        auto b = H1(fmt::format("BIG-{}", i % 1200));  // 1200..1299 repeat 0..99
        if (i % 97 == 5) b["invoice_currency"] = "EUX";
        bodies.push_back(std::move(b));
    }
    auto r = service_->LodgeBulk(Trader(own_org_), bodies, Language::kEn, false);
    ASSERT_TRUE(r);
    ASSERT_EQ(r->size(), static_cast<std::size_t>(kCount));
    std::int64_t last_id = 0;
    int invalid = 0, created = 0;
    for (int i = 0; i < kCount; ++i) {
        const auto& o = (*r)[static_cast<std::size_t>(i)];
        EXPECT_EQ(o.index, static_cast<std::size_t>(i));
        EXPECT_EQ(o.lrn, fmt::format("BIG-{}", i % 1200));
        if (i % 97 == 5) {
            EXPECT_EQ(o.status, "invalid") << i;
            ++invalid;
            continue;
        }
        if (i >= 1200 && (i - 1200) % 97 != 5) {
            EXPECT_EQ(o.status, "existing") << i;
            EXPECT_EQ(o.id, (*r)[static_cast<std::size_t>(i - 1200)].id) << i;
            continue;
        }
        if (i >= 1200) {
            // the first copy was invalid: this one is new
            EXPECT_EQ(o.status, "accepted") << i;
        } else {
            EXPECT_EQ(o.status, "accepted") << i;
        }
        ASSERT_TRUE(o.id);
        EXPECT_GT(*o.id, last_id);
        last_id = *o.id;
        ++created;
    }
    EXPECT_EQ(Count(), created);
    EXPECT_GT(invalid, 10);
}

TEST_F(DeclarationServiceTest, ABulkLongerThanThePreparationRingKeepsEveryOutcomeInItsPlace) {
    // The prepared declarations live in a ring of four 1,024-declaration chunks; 9,000 wrap it
    // twice. An invalid line must never be answered with the declaration an earlier chunk left in
    // its slot, and each valid one is written once.
    constexpr int kCount = 9000;
    std::vector<std::string> texts;
    for (int i = 0; i < kCount; ++i) {
        auto b = H1(fmt::format("RING-{}", i));
        if (i % 89 == 3) b["invoice_currency"] = "EUX";
        texts.push_back(boost::json::serialize(b));
    }
    std::vector<std::string_view> lines(texts.begin(), texts.end());
    auto r = service_->LodgeNdjson(Trader(own_org_), lines, Language::kEn);
    ASSERT_TRUE(r) << r.error().message;
    ASSERT_EQ(r->size(), static_cast<std::size_t>(kCount));
    std::set<std::int64_t> ids;
    for (int i = 0; i < kCount; ++i) {
        const auto& o = (*r)[static_cast<std::size_t>(i)];
        ASSERT_EQ(o.lrn, fmt::format("RING-{}", i));
        // (what went wrong, should a line get another outcome)
        const std::string why = o.violations.empty() ? "" : o.violations[0].code + ": " + o.violations[0].message;
        if (i % 89 == 3) {
            EXPECT_EQ(o.status, "invalid") << i;
            EXPECT_FALSE(o.id) << i;
            continue;
        }
        EXPECT_EQ(o.status, "accepted") << i << " " << why;
        ASSERT_TRUE(o.id) << i;
        EXPECT_TRUE(ids.insert(*o.id).second) << i;
    }
    EXPECT_EQ(Count(), static_cast<std::int64_t>(ids.size()));
    EXPECT_EQ(ids.size(), static_cast<std::size_t>(kCount - (kCount + 85) / 89));
}

TEST_F(DeclarationServiceTest, ABulkWithMoreInvalidChunksThanTheRingHoldsFinishes) {
    // Five chunks of nothing but invalid lines, then one valid: the writer has nothing to write for
    // the first five, and the workers preparing the sixth wait until those count as written.
    constexpr std::size_t kInvalid = 5 * 1024;
    std::vector<std::string_view> lines(kInvalid, "[1, 2]");
    const std::string good = boost::json::serialize(H1("AFTER-INVALID"));
    lines.push_back(good);
    auto r = service_->LodgeNdjson(Trader(own_org_), lines, Language::kEn);
    ASSERT_TRUE(r);
    ASSERT_EQ(r->size(), kInvalid + 1);
    EXPECT_EQ((*r)[0].status, "invalid");
    EXPECT_EQ((*r)[kInvalid - 1].status, "invalid");
    EXPECT_EQ((*r)[kInvalid].status, "accepted");
    EXPECT_EQ(Count(), 1);
}

TEST(BulkOutcomeJson, IsWrittenAsTheSameObjectTheDomWouldGive) {
    BulkOutcome o;
    o.index = 7;
    o.lrn = "a\"b\\c\u00e4\n";
    o.status = "invalid";
    o.violations = {{"/items/0/commodity_code", "unknown_code", "Tuntematon \"koodi\""}, {"/", "x", ""}};
    std::string out;
    AppendJson(out, o);
    EXPECT_EQ(boost::json::parse(out),
              boost::json::parse(R"({"index":7,"lrn":"a\"b\\c\u00e4\n","status":"invalid","violations":[)"
                                 R"({"pointer":"/items/0/commodity_code","code":"unknown_code","message":"Tuntematon \"koodi\""},)"
                                 R"({"pointer":"/","code":"x","message":""}]})"));
    BulkOutcome ok{1, "L", "released", 42, "26FI0000000000420", {}};
    out.clear();
    AppendJson(out, ok);
    EXPECT_EQ(out, R"({"index":1,"lrn":"L","status":"released","id":42,"mrn":"26FI0000000000420"})");
}

}  // namespace
}  // namespace customsdesk::declarations

// SelectivityService on SQLite and PostgreSQL: shipped profiles installed and active on a fresh
// database (idempotently), trader attributes from the registry and the compliance history,
// assessments recorded with their hits and counters, the profile cache following activations,
// sample-rate configuration (validation, roles, history) and rollback of an assessment.
#include <gtest/gtest.h>

#include <fmt/format.h>

#include <algorithm>

#include "customsdesk/accounts/account_service.hpp"
#include "customsdesk/core/json.hpp"
#include "customsdesk/selectivity/selectivity_service.hpp"
#include "support/test_database.hpp"

namespace customsdesk::selectivity {
namespace {

using core::ErrorCode;

class SelectivityServiceTest : public ::testing::Test {
protected:
    SelectivityServiceTest()
        : db_(test_support::OpenTestDatabase()),
          clock_(core::Timestamp(std::chrono::seconds(1'800'000'000))),
          throttle_(clock_),
          accounts_(*db_, clock_, throttle_),
          rulesets_(*db_, clock_),
          service_(*db_, clock_, rulesets_) {
        analyst_ = MakeUser("rita", core::Role::kRiskAnalyst);
        analyst2_ = MakeUser("ronja", core::Role::kRiskAnalyst);
        officer_ = MakeUser("olli", core::Role::kOfficer);
    }

    core::Principal MakeUser(const std::string& name, core::Role role) {
        accounts::NewUser u{name, name, "a-long-enough-password", {role}, std::nullopt, "en"};
        auto user = accounts_.CreateUser(core::Principal::System(), u);
        EXPECT_TRUE(user) << user.error().message;
        return accounts::AccountService::PrincipalFor(*user, core::AuthMethod::kSession);
    }

    core::OrganisationId MakeOrganisation(const std::string& name, std::optional<std::string> group,
                                          std::optional<std::string> aeo) {
        auto id = storage::InWriteTx(*db_, [&](storage::Transaction& tx) -> core::Result<std::int64_t> {
            auto r = tx.QueryOne(
                "INSERT INTO organisations (name, customer_group, aeo_type, created_at, updated_at) "
                "VALUES ($1, $2, $3, $4, $4) RETURNING id",
                {name, storage::Opt(group), storage::Opt(aeo), core::FormatTimestamp(clock_.Now())});
            if (!r) return core::Fail(std::move(r.error()));
            return (*r)->GetInt(0);
        });
        EXPECT_TRUE(id) << id.error().message;
        return core::OrganisationId(id.value_or(0));
    }

    Subject Declaration(core::OrganisationId org, std::int64_t id, std::string value, std::string code = "94036010") {
        Subject s;
        s.declaration_id = id;
        s.identity = "26FI00000000" + std::to_string(id);
        s.organisation = org;
        s.declaration_type = "H1";
        s.total_value = Decimal::Parse(value);
        s.items.push_back({code, "DE", Decimal::Parse(value), Decimal::Parse("100")});
        return s;
    }

    core::Result<Assessment> AssessCommitted(const Subject& s) {
        return storage::InWriteTx(*db_, [&](storage::Transaction& tx) { return service_.Assess(tx, s); });
    }

    void SetRates(std::int64_t red, std::int64_t yellow) {
        auto r = service_.SetSampleRates(analyst_, {{"red_ppm", red}, {"yellow_ppm", yellow}});
        ASSERT_TRUE(r) << r.error().message;
    }

    std::unique_ptr<storage::Database> db_;
    core::ManualClock clock_;
    accounts::LoginThrottle throttle_;
    accounts::AccountService accounts_;
    ruleset::RulesetService rulesets_;
    SelectivityService service_;
    core::Principal analyst_, analyst2_, officer_;
};

TEST_F(SelectivityServiceTest, AFreshInstallHasTheShippedProfilesActive) {
    auto installed = service_.InstallDefaultProfiles();
    ASSERT_TRUE(installed) << installed.error().message;
    EXPECT_EQ(installed->size(), DefaultProfiles().size());
    for (const auto& p : DefaultProfiles()) {
        auto r = rulesets_.Get(analyst_, p.key);
        ASSERT_TRUE(r) << p.key;
        EXPECT_EQ(r->active_version, 1) << p.key;
        auto v = rulesets_.GetVersion(analyst_, p.key, 1);
        ASSERT_TRUE(v);
        EXPECT_EQ(v->author, "system");
        EXPECT_EQ(v->approved_by, "shipped-defaults");  // four eyes: not the author
    }
    // A second start installs nothing and changes nothing.
    auto again = service_.InstallDefaultProfiles();
    ASSERT_TRUE(again);
    EXPECT_TRUE(again->empty());
    auto view = service_.Profiles(analyst_);
    ASSERT_TRUE(view) << view.error().message;
    EXPECT_EQ(view->active.size(), DefaultProfiles().size());
    EXPECT_TRUE(view->rejected.empty());
    // The default sample rates exist, with a key.
    auto rates = service_.GetSampleRates(analyst_);
    ASSERT_TRUE(rates);
    EXPECT_EQ(rates->version, 1);
    EXPECT_EQ(rates->rates.red_ppm, 10'000u);
    EXPECT_EQ(rates->rates.yellow_ppm, 20'000u);
}

TEST_F(SelectivityServiceTest, ARetiredDefaultProfileIsNotReinstalled) {
    ASSERT_TRUE(service_.InstallDefaultProfiles());
    ASSERT_TRUE(rulesets_.Apply(analyst_, "risk-profile-trader", 1, ruleset::Transition::kRetire));
    auto again = service_.InstallDefaultProfiles();
    ASSERT_TRUE(again);
    EXPECT_TRUE(again->empty());
    auto view = service_.Profiles(analyst_);
    ASSERT_TRUE(view);
    EXPECT_EQ(view->active.size(), DefaultProfiles().size() - 1);
}

TEST_F(SelectivityServiceTest, TraderAttributesComeFromTheRegistryAndTheComplianceHistory) {
    auto org = MakeOrganisation("Acme Oy", "key", "AEOF");
    auto t = storage::InReadTx(*db_, [&](storage::Transaction& tx) { return LoadTraderAttributes(tx, org); });
    ASSERT_TRUE(t) << t.error().message;
    EXPECT_EQ(t->customer_group, "key");
    EXPECT_EQ(t->aeo_type, "AEOF");
    EXPECT_EQ(t->declaration_count, 0);
    EXPECT_FALSE(t->first_declaration_at);
    ASSERT_TRUE(service_.InstallDefaultProfiles());
    SetRates(0, 0);
    ASSERT_TRUE(AssessCommitted(Declaration(org, 1, "10")));
    t = storage::InReadTx(*db_, [&](storage::Transaction& tx) { return LoadTraderAttributes(tx, org); });
    ASSERT_TRUE(t);
    EXPECT_EQ(t->declaration_count, 1);
    EXPECT_EQ(t->first_declaration_at, clock_.Now());
    // Unknown organisation: a first-time trader without AEO.
    t = storage::InReadTx(*db_, [&](storage::Transaction& tx) {
        return LoadTraderAttributes(tx, core::OrganisationId(987654));
    });
    ASSERT_TRUE(t);
    EXPECT_FALSE(t->aeo_type);
    EXPECT_EQ(t->declaration_count, 0);
}

TEST_F(SelectivityServiceTest, AssessmentsAreRecordedWithTheirHitsAndCounters) {
    ASSERT_TRUE(service_.InstallDefaultProfiles());
    SetRates(0, 0);
    auto newcomer = MakeOrganisation("New Trade Oy", "small", std::nullopt);
    // First declaration, high value, no AEO: two yellow rules of the trader profile.
    auto a = AssessCommitted(Declaration(newcomer, 1, "250000"));
    ASSERT_TRUE(a) << a.error().message;
    EXPECT_EQ(a->decision.lane, Lane::kYellow);
    EXPECT_GT(a->decision_id, 0);
    ASSERT_EQ(a->decision.hits.size(), 2u);
    EXPECT_NE(a->explanation_json.find("First-time trader"), std::string::npos);
    // Second declaration: no longer first-time; low value: green, no hit.
    auto b = AssessCommitted(Declaration(newcomer, 2, "100"));
    ASSERT_TRUE(b);
    EXPECT_EQ(b->decision.lane, Lane::kGreen);
    EXPECT_TRUE(b->decision.hits.empty());
    // Air guns: red from the sensitive-goods profile.
    auto c = AssessCommitted(Declaration(newcomer, 3, "100", "93040000"));
    ASSERT_TRUE(c);
    EXPECT_EQ(c->decision.lane, Lane::kRed);

    auto stored = storage::InReadTx(*db_, [&](storage::Transaction& tx) -> core::Result<std::vector<std::string>> {
        auto rows = tx.Query("SELECT lane, declaration_ref, explanation FROM selectivity_decisions ORDER BY id");
        if (!rows) return core::Fail(std::move(rows.error()));
        std::vector<std::string> out;
        for (const auto& r : rows->rows) out.push_back(r.GetText(0) + " " + r.GetText(1));
        return out;
    });
    ASSERT_TRUE(stored);
    EXPECT_EQ(*stored, (std::vector<std::string>{"yellow 26FI000000001", "green 26FI000000002",
                                                 "red 26FI000000003"}));
    auto view = service_.Profiles(analyst_);
    ASSERT_TRUE(view);
    for (const auto& r : view->active) {
        if (r.profile.key == "risk-profile-trader") {
            EXPECT_EQ(r.hits, 1);
            EXPECT_EQ(r.decisive_hits, 1);
        }
        if (r.profile.key == "risk-profile-sensitive-goods") {
            EXPECT_EQ(r.hits, 1);
        }
        if (r.profile.key == "risk-profile-undervaluation") {
            EXPECT_EQ(r.hits, 0);
        }
    }
}

TEST_F(SelectivityServiceTest, ARolledBackAssessmentLeavesNothing) {
    ASSERT_TRUE(service_.InstallDefaultProfiles());
    auto org = MakeOrganisation("Acme Oy", std::nullopt, std::nullopt);
    {
        auto tx = db_->Begin(storage::TxMode::kWrite);
        ASSERT_TRUE(tx);
        ASSERT_TRUE(service_.Assess(**tx, Declaration(org, 1, "250000")));
        (*tx)->Rollback();
    }
    auto t = storage::InReadTx(*db_, [&](storage::Transaction& tx) { return LoadTraderAttributes(tx, org); });
    ASSERT_TRUE(t);
    EXPECT_EQ(t->declaration_count, 0);
    auto n = storage::InReadTx(*db_, [&](storage::Transaction& tx) -> core::Result<std::int64_t> {
        auto r = tx.QueryOne("SELECT COUNT(*) FROM selectivity_decisions");
        if (!r) return core::Fail(std::move(r.error()));
        return (*r)->GetInt(0);
    });
    ASSERT_TRUE(n);
    EXPECT_EQ(*n, 0);
}

TEST_F(SelectivityServiceTest, DecideWritesNothingAndRecordWritesWhatAssessWould) {
    ASSERT_TRUE(service_.InstallDefaultProfiles());
    auto org = MakeOrganisation("Acme Oy", std::nullopt, std::nullopt);
    auto count = [&](std::string_view table) {
        return storage::InReadTx(*db_, [&](storage::Transaction& tx) -> core::Result<std::int64_t> {
                   auto r = tx.QueryOne(fmt::format("SELECT COUNT(*) FROM {}", table));
                   if (!r) return core::Fail(std::move(r.error()));
                   return (*r)->GetInt(0);
               }).value();
    };
    auto decided = service_.Decide(Declaration(org, 1, "250000"));
    ASSERT_TRUE(decided) << decided.error().message;
    EXPECT_EQ(count("selectivity_decisions"), 0);
    EXPECT_EQ(count("trader_compliance"), 0);
    // The same subject assessed in one go (another identity would draw another sample; same id here).
    auto assessed = AssessCommitted(Declaration(org, 1, "250000"));
    ASSERT_TRUE(assessed);
    EXPECT_EQ(decided->decision.lane, assessed->decision.lane);
    EXPECT_EQ(decided->explanation_json, assessed->explanation_json);
    auto recorded = storage::InWriteTx(*db_, [&](storage::Transaction& tx) -> core::Result<std::int64_t> {
        auto s = Declaration(org, 2, "250000");
        s.assessed_at = decided->assessed_at;
        if (auto r = service_.Record(tx, s, *decided); !r) return core::Fail(std::move(r.error()));
        return decided->decision_id;
    });
    ASSERT_TRUE(recorded) << recorded.error().message;
    EXPECT_GT(*recorded, 0);
    EXPECT_EQ(count("selectivity_decisions"), 2);
    auto t = storage::InReadTx(*db_, [&](storage::Transaction& tx) { return LoadTraderAttributes(tx, org); });
    EXPECT_EQ(t->declaration_count, 2);
}

TEST_F(SelectivityServiceTest, DecideCountsABurstOfDeclarationsInItsCachedTraderAttributes) {
    ASSERT_TRUE(service_.InstallDefaultProfiles());
    auto org = MakeOrganisation("Burst Oy", std::nullopt, std::nullopt);
    // Nothing is recorded between these decisions (as within one group-commit batch): the cached
    // attributes still count each one, so the trader is a first-time declarant only once.
    auto first_time_rule_fired = [](const Assessment& a) {
        return a.explanation_json.find("risk-profile-trader-r2") != std::string::npos;
    };
    auto first = service_.Decide(Declaration(org, 1, "100"));
    ASSERT_TRUE(first) << first.error().message;
    EXPECT_TRUE(first_time_rule_fired(*first)) << first->explanation_json;
    for (int i = 2; i <= 4; ++i) {
        auto a = service_.Decide(Declaration(org, i, "100"));
        ASSERT_TRUE(a);
        EXPECT_FALSE(first_time_rule_fired(*a)) << i << ": " << a->explanation_json;
    }
}

TEST_F(SelectivityServiceTest, ANewlyActivatedProfileVersionIsUsedAtOnce) {
    ASSERT_TRUE(service_.InstallDefaultProfiles());
    SetRates(0, 0);
    auto org = MakeOrganisation("Plastics Oy", std::nullopt, "AEOC");
    const std::string plastics = "39269097";
    ASSERT_TRUE(AssessCommitted(Declaration(org, 1, "10", plastics)));  // warms the cache
    EXPECT_EQ(AssessCommitted(Declaration(org, 2, "10", plastics))->decision.lane, Lane::kGreen);
    // An analyst adds plastics (chapter 39) to the sensitive goods as yellow: upload, review, activate.
    auto dmn = rulesets_.GetDmn(analyst_, "risk-profile-sensitive-goods", 1);
    ASSERT_TRUE(dmn);
    std::string text = *dmn;
    const std::string anchor = "    </decisionTable>";
    text.insert(text.find(anchor),
                "      <rule id=\"plastics\"><description>Plastics</description>"
                "<inputEntry><text>-</text></inputEntry><inputEntry><text>\"39\"</text></inputEntry>"
                "<outputEntry><text>\"yellow\"</text></outputEntry></rule>\n");
    auto v2 = rulesets_.Upload(analyst_, "risk-profile-sensitive-goods", text, std::nullopt, "plastics");
    ASSERT_TRUE(v2) << v2.error().message;
    ASSERT_TRUE(rulesets_.Apply(analyst_, "risk-profile-sensitive-goods", 2, ruleset::Transition::kSubmit));
    ASSERT_TRUE(rulesets_.Apply(analyst2_, "risk-profile-sensitive-goods", 2, ruleset::Transition::kApprove));
    // Approved but not active: still green.
    EXPECT_EQ(AssessCommitted(Declaration(org, 3, "10", plastics))->decision.lane, Lane::kGreen);
    ASSERT_TRUE(rulesets_.Apply(analyst_, "risk-profile-sensitive-goods", 2, ruleset::Transition::kActivate));
    auto a = AssessCommitted(Declaration(org, 4, "10", plastics));
    ASSERT_TRUE(a);
    EXPECT_EQ(a->decision.lane, Lane::kYellow);
    auto hit = std::find_if(a->decision.hits.begin(), a->decision.hits.end(),
                            [](const Hit& h) { return h.profile_key == "risk-profile-sensitive-goods"; });
    ASSERT_NE(hit, a->decision.hits.end());
    EXPECT_EQ(hit->profile_version, 2);
    EXPECT_EQ(hit->rule_number, 5u);
    EXPECT_EQ(hit->annotation, "Plastics");
    EXPECT_TRUE(hit->decisive);
}

TEST_F(SelectivityServiceTest, SampleRatesAreValidatedStoredAndAudited) {
    ASSERT_TRUE(service_.InstallDefaultProfiles());
    auto bad = service_.SetSampleRates(analyst_, {{"red_ppm", 600000}, {"yellow_ppm", 500000}});
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error().code, ErrorCode::kInvalidArgument);
    EXPECT_EQ(bad.error().fields.at(0).pointer, "/yellow_ppm");
    bad = service_.SetSampleRates(analyst_, {{"red_ppm", -1}, {"yellow_ppm", "2"}, {"colour", 1}});
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error().fields.size(), 3u);
    bad = service_.SetSampleRates(analyst_, {{"red_ppm", 1}, {"yellow_ppm", 2}, {"sample_key", "12x"}});
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error().fields.at(0).pointer, "/sample_key");
    auto denied = service_.SetSampleRates(officer_, {{"red_ppm", 1}, {"yellow_ppm", 2}});
    ASSERT_FALSE(denied);
    EXPECT_EQ(denied.error().code, ErrorCode::kPermissionDenied);
    EXPECT_FALSE(service_.GetSampleRates(officer_));

    auto ok = service_.SetSampleRates(analyst_, {{"red_ppm", 5000}, {"yellow_ppm", 15000}, {"sample_key", "42"}});
    ASSERT_TRUE(ok) << ok.error().message;
    EXPECT_EQ(ok->version, 2);
    EXPECT_EQ(ok->rates.key, 42u);
    EXPECT_EQ(ok->updated_by, "rita");
    auto json = ToJson(*ok);
    EXPECT_EQ(json.at("red_percent").as_string(), "0.5");
    EXPECT_FALSE(json.contains("sample_key"));
    auto history = storage::InReadTx(*db_, [&](storage::Transaction& tx) -> core::Result<std::int64_t> {
        auto r = tx.QueryOne("SELECT COUNT(*) FROM change_history WHERE entity_type = 'selectivity_settings'");
        if (!r) return core::Fail(std::move(r.error()));
        return (*r)->GetInt(0);
    });
    ASSERT_TRUE(history);
    EXPECT_EQ(*history, 1);
}

TEST_F(SelectivityServiceTest, TheStoredRatesDriveTheSample) {
    ASSERT_TRUE(service_.InstallDefaultProfiles());
    SetRates(1'000'000, 0);  // everything red
    auto org = MakeOrganisation("Acme Oy", std::nullopt, "AEOF");
    ASSERT_TRUE(AssessCommitted(Declaration(org, 1, "10")));
    auto a = AssessCommitted(Declaration(org, 2, "10"));
    ASSERT_TRUE(a);
    EXPECT_EQ(a->decision.lane, Lane::kRed);
    EXPECT_EQ(a->decision.source, DecisionSource::kRandomSample);
    EXPECT_NE(a->explanation_json.find("\"source\":\"random_sample\""), std::string::npos);
}

}  // namespace
}  // namespace customsdesk::selectivity

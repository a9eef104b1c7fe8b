// RulesetService on SQLite and PostgreSQL: versions, lifecycle (legal and illegal transitions),
// four eyes, approval gated by saved test cases, a single active version, and change history.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "customsdesk/accounts/account_service.hpp"
#include "customsdesk/core/json.hpp"
#include "customsdesk/ruleset/ruleset_service.hpp"
#include "support/test_database.hpp"

namespace customsdesk::ruleset {
namespace {

using core::ErrorCode;

constexpr const char* kModelerFile = "tests/conformance/dmn-tck/TestCases/compliance-level-2/0004-simpletable-U/"
                                     "0004-simpletable-U.dmn";

std::string ReadFile(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

class RulesetServiceTest : public ::testing::Test {
protected:
    RulesetServiceTest()
        : db_(test_support::OpenTestDatabase()),
          clock_(core::Timestamp(std::chrono::seconds(1'800'000'000))),
          throttle_(clock_),
          accounts_(*db_, clock_, throttle_),
          service_(*db_, clock_) {
        alice_ = MakeUser("alice", core::Role::kRiskAnalyst);
        bob_ = MakeUser("bob", core::Role::kRiskAnalyst);
        agent_ = MakeUser("agnes", core::Role::kAgent);
        trader_ = agent_;
        trader_.roles = {core::Role::kTrader};
        trader_.organisation = core::OrganisationId(1);
        dmn_ = ReadFile(kModelerFile);
    }

    core::Principal MakeUser(const std::string& name, core::Role role) {
        accounts::NewUser u{name, name, "a-long-enough-password", {role}, std::nullopt, "en"};
        auto user = accounts_.CreateUser(core::Principal::System(), u);
        EXPECT_TRUE(user) << user.error().message;
        return accounts::AccountService::PrincipalFor(*user, core::AuthMethod::kSession);
    }

    TestCase AddCase(const std::string& name, std::int64_t age, const std::string& expected) {
        boost::json::object body{{"name", name},
                                 {"decision", "Approval Status"},
                                 {"inputs", {{"Age", age}, {"RiskCategory", "Medium"}, {"isAffordable", true}}},
                                 {"expected", expected}};
        auto t = service_.AddTest(alice_, "approval", body);
        EXPECT_TRUE(t) << t.error().message;
        return t.value_or(TestCase{});
    }

    std::unique_ptr<storage::Database> db_;
    core::ManualClock clock_;
    accounts::LoginThrottle throttle_;
    accounts::AccountService accounts_;
    RulesetService service_;
    core::Principal alice_, bob_, agent_, trader_;
    std::string dmn_;
};

TEST_F(RulesetServiceTest, UploadsMakeNumberedDraftVersions) {
    auto v1 = service_.Upload(alice_, "approval", dmn_, std::nullopt, "first");
    ASSERT_TRUE(v1) << v1.error().message;
    EXPECT_EQ(v1->version, 1);
    EXPECT_EQ(v1->state, VersionState::kDraft);
    EXPECT_EQ(v1->author, "alice");
    ASSERT_EQ(v1->decisions.size(), 1u);
    EXPECT_EQ(v1->decisions[0].name, "Approval Status");
    auto v2 = service_.Upload(bob_, "approval", dmn_, std::nullopt, "second");
    ASSERT_TRUE(v2);
    EXPECT_EQ(v2->version, 2);

    auto list = service_.List(agent_);
    ASSERT_TRUE(list);
    ASSERT_EQ(list->size(), 1u);
    EXPECT_EQ((*list)[0].name, "0004-simpletable-U");  // from the DMN definitions
    EXPECT_EQ((*list)[0].latest_version, 2);
    EXPECT_FALSE((*list)[0].active_version);
    auto versions = service_.Versions(agent_, "approval");
    ASSERT_TRUE(versions);
    ASSERT_EQ(versions->size(), 2u);
    EXPECT_EQ((*versions)[0].version, 2);
    auto dmn = service_.GetDmn(agent_, "approval", 1);
    ASSERT_TRUE(dmn);
    EXPECT_EQ(*dmn, dmn_);
    EXPECT_EQ(service_.GetVersion(agent_, "approval", 3).error().code, ErrorCode::kNotFound);
    EXPECT_EQ(service_.Get(agent_, "nothing").error().code, ErrorCode::kNotFound);
}

TEST_F(RulesetServiceTest, InvalidUploadsChangeNothing) {
    auto bad_key = service_.Upload(alice_, "Bad Key", dmn_, std::nullopt, "");
    ASSERT_FALSE(bad_key);
    EXPECT_EQ(bad_key.error().fields.at(0).pointer, "/key");
    auto bad_xml = service_.Upload(alice_, "approval", "<definitions", std::nullopt, "");
    ASSERT_FALSE(bad_xml);
    EXPECT_EQ(bad_xml.error().type, "invalid-dmn");
    EXPECT_NE(bad_xml.error().fields.at(0).message.find("line 1, column"), std::string::npos);
    EXPECT_TRUE(service_.List(alice_)->empty());
}

TEST_F(RulesetServiceTest, RolesAreEnforced) {
    EXPECT_EQ(service_.Upload(agent_, "approval", dmn_, std::nullopt, "").error().code,
              ErrorCode::kPermissionDenied);
    ASSERT_TRUE(service_.Upload(alice_, "approval", dmn_, std::nullopt, ""));
    EXPECT_EQ(service_.List(trader_).error().code, ErrorCode::kPermissionDenied);
    EXPECT_EQ(service_.GetDmn(trader_, "approval", 1).error().code, ErrorCode::kPermissionDenied);
    EXPECT_EQ(service_.Evaluate(trader_, "approval", 1, {{"inputs", boost::json::object{}}}).error().code,
              ErrorCode::kPermissionDenied);
    EXPECT_EQ(service_.Apply(agent_, "approval", 1, Transition::kSubmit).error().code, ErrorCode::kPermissionDenied);
    // Other staff may read and evaluate.
    EXPECT_TRUE(service_.Evaluate(agent_, "approval", 1,
                                  {{"inputs", {{"Age", 20}, {"RiskCategory", "Low"}, {"isAffordable", true}}}}));
}

TEST_F(RulesetServiceTest, LifecycleWithFourEyesAndTestCases) {
    ASSERT_TRUE(service_.Upload(alice_, "approval", dmn_, std::nullopt, ""));
    // Illegal: approve or activate a draft.
    auto early = service_.Apply(bob_, "approval", 1, Transition::kApprove);
    ASSERT_FALSE(early);
    EXPECT_EQ(early.error().code, ErrorCode::kConflict);
    EXPECT_EQ(early.error().type, "illegal-transition");
    EXPECT_EQ(service_.Apply(bob_, "approval", 1, Transition::kActivate).error().type, "illegal-transition");

    ASSERT_TRUE(service_.Apply(alice_, "approval", 1, Transition::kSubmit));
    EXPECT_EQ(service_.Apply(alice_, "approval", 1, Transition::kSubmit).error().type, "illegal-transition");

    // No saved test cases: refused.
    auto none = service_.Apply(bob_, "approval", 1, Transition::kApprove);
    ASSERT_FALSE(none);
    EXPECT_EQ(none.error().type, "no-test-cases");

    AddCase("adult approved", 18, "Approved");
    const auto wrong = AddCase("minor approved (wrong)", 17, "Approved");
    auto failing = service_.Apply(bob_, "approval", 1, Transition::kApprove);
    ASSERT_FALSE(failing);
    EXPECT_EQ(failing.error().type, "test-cases-failed");
    ASSERT_EQ(failing.error().fields.size(), 1u);
    EXPECT_EQ(failing.error().fields[0].pointer, "/tests/" + std::to_string(wrong.id));
    EXPECT_NE(failing.error().fields[0].message.find("\"Declined\""), std::string::npos);

    auto run = service_.RunTests(agent_, "approval", 1);
    ASSERT_TRUE(run);
    EXPECT_EQ(run->passed, 1);
    EXPECT_EQ(run->failed, 1);
    ASSERT_TRUE(service_.DeleteTest(alice_, "approval", wrong.id));
    AddCase("minor declined", 17, "Declined");

    // Four eyes: the author cannot approve; a colleague can.
    auto self = service_.Apply(alice_, "approval", 1, Transition::kApprove);
    ASSERT_FALSE(self);
    EXPECT_EQ(self.error().code, ErrorCode::kPermissionDenied);
    EXPECT_EQ(self.error().type, "four-eyes");
    auto approved = service_.Apply(bob_, "approval", 1, Transition::kApprove);
    ASSERT_TRUE(approved) << approved.error().message;
    EXPECT_EQ(approved->state, VersionState::kApproved);
    EXPECT_EQ(approved->approved_by, "bob");

    // No active version yet: evaluation needs ?version.
    EXPECT_EQ(service_.Evaluate(agent_, "approval", std::nullopt, {{"inputs", boost::json::object{}}}).error().type,
              "no-active-version");
    clock_.Advance(std::chrono::minutes(1));
    auto active = service_.Apply(alice_, "approval", 1, Transition::kActivate);
    ASSERT_TRUE(active) << active.error().message;
    EXPECT_EQ(active->state, VersionState::kActive);

    auto e = service_.Evaluate(agent_, "approval", std::nullopt,
                               {{"decision", "Approval Status"},
                                {"inputs", {{"Age", 17}, {"RiskCategory", "Medium"}, {"isAffordable", true}}}});
    ASSERT_TRUE(e) << e.error().message;
    EXPECT_EQ(e->version, 1);
    EXPECT_EQ(e->result_json, "\"Declined\"");
    auto ej = core::ParseJson(ToJsonText(*e));
    ASSERT_TRUE(ej) << ToJsonText(*e);
    const auto& ex = ej->at("explanation").as_array().at(0).as_object();
    EXPECT_EQ(ex.at("matchedRules").as_array().at(0).as_int64(), 2);
    EXPECT_EQ(ex.at("hitPolicy").as_string(), "UNIQUE");
    EXPECT_FALSE(ex.at("reason").as_string().empty());

    // Version 2 goes through the same path (bob authors, alice approves) and replaces version 1.
    ASSERT_TRUE(service_.Upload(bob_, "approval", dmn_, std::nullopt, "v2"));
    ASSERT_TRUE(service_.Apply(bob_, "approval", 2, Transition::kSubmit));
    EXPECT_EQ(service_.Apply(bob_, "approval", 2, Transition::kApprove).error().type, "four-eyes");
    ASSERT_TRUE(service_.Apply(alice_, "approval", 2, Transition::kApprove));
    ASSERT_TRUE(service_.Apply(bob_, "approval", 2, Transition::kActivate));
    auto versions = service_.Versions(agent_, "approval");
    ASSERT_TRUE(versions);
    int active_count = 0;
    for (const auto& v : *versions) active_count += v.state == VersionState::kActive ? 1 : 0;
    EXPECT_EQ(active_count, 1);
    EXPECT_EQ((*versions)[0].state, VersionState::kActive);
    EXPECT_EQ((*versions)[1].state, VersionState::kRetired);
    EXPECT_EQ((*versions)[1].retired_by, "bob");
    EXPECT_EQ(service_.Get(agent_, "approval")->active_version, 2);
    // Retired is final.
    EXPECT_EQ(service_.Apply(alice_, "approval", 1, Transition::kActivate).error().type, "illegal-transition");
    EXPECT_EQ(service_.Apply(alice_, "approval", 1, Transition::kRetire).error().type, "illegal-transition");

    // History of version 1: create, submit, approve, activate, retire (newest first), each by its actor.
    auto h = service_.History(agent_, "approval", 1, 0, 50);
    ASSERT_TRUE(h);
    ASSERT_EQ(h->entries.size(), 5u);
    EXPECT_EQ(h->entries[0].actor_name, "bob");    // retired by activating version 2
    EXPECT_EQ(h->entries[2].actor_name, "bob");    // approved
    EXPECT_EQ(h->entries[4].actor_name, "alice");  // uploaded
    EXPECT_EQ(h->entries[4].action, history::ChangeAction::kCreate);
    bool saw_state = false;
    for (const auto& c : h->entries[2].changes) {
        if (c.field == "state") {
            saw_state = true;
            EXPECT_EQ(c.before.as_string(), "in_review");
            EXPECT_EQ(c.after.as_string(), "approved");
        }
    }
    EXPECT_TRUE(saw_state);
}

TEST_F(RulesetServiceTest, RejectSendsBackToDraftAndRetireAbandons) {
    ASSERT_TRUE(service_.Upload(alice_, "approval", dmn_, std::nullopt, ""));
    ASSERT_TRUE(service_.Apply(alice_, "approval", 1, Transition::kSubmit));
    auto back = service_.Apply(bob_, "approval", 1, Transition::kReject);
    ASSERT_TRUE(back);
    EXPECT_EQ(back->state, VersionState::kDraft);
    EXPECT_FALSE(back->submitted_by);
    EXPECT_EQ(service_.Apply(bob_, "approval", 1, Transition::kReject).error().type, "illegal-transition");
    auto retired = service_.Apply(alice_, "approval", 1, Transition::kRetire);
    ASSERT_TRUE(retired);
    EXPECT_EQ(retired->state, VersionState::kRetired);
}

TEST_F(RulesetServiceTest, TestCasesAreValidatedAndNamedUniquely) {
    ASSERT_TRUE(service_.Upload(alice_, "approval", dmn_, std::nullopt, ""));
    auto bad = service_.AddTest(alice_, "approval", {{"name", "x"}, {"inputs", 3}});
    ASSERT_FALSE(bad);
    std::set<std::string> pointers;
    for (const auto& f : bad.error().fields) pointers.insert(f.pointer);
    EXPECT_TRUE(pointers.contains("/decision"));
    EXPECT_TRUE(pointers.contains("/inputs"));
    EXPECT_TRUE(pointers.contains("/expected"));
    AddCase("one", 18, "Approved");
    boost::json::object dup{{"name", "one"}, {"decision", "Approval Status"}, {"inputs", boost::json::object{}},
                            {"expected", nullptr}};
    EXPECT_EQ(service_.AddTest(alice_, "approval", dup).error().code, ErrorCode::kAlreadyExists);
    EXPECT_EQ(service_.AddTest(agent_, "approval", dup).error().code, ErrorCode::kPermissionDenied);
    EXPECT_EQ(service_.AddTest(alice_, "nothing", dup).error().code, ErrorCode::kNotFound);
    EXPECT_EQ(service_.ListTests(agent_, "approval")->size(), 1u);
}

}  // namespace
}  // namespace customsdesk::ruleset

// Rules as managed assets through the real binary, on SQLite and PostgreSQL: a rule analyst uploads a
// DMN file made in a standard modeler, saves test cases, submits; self-approval is refused; a colleague
// approves; the version is activated and evaluated with an explanation; bad uploads give problems
// with line and column; trader users are refused.
#include <gtest/gtest.h>

#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "test_database.hpp"
#include "test_server.hpp"

namespace customsdesk::apitest {
namespace {

using boost::json::object;

constexpr const char* kModelerFile = "tests/conformance/dmn-tck/TestCases/compliance-level-2/0004-simpletable-U/"
                                     "0004-simpletable-U.dmn";

std::string ReadFile(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

HttpResult PostXml(Client& c, const std::string& target, const std::string& xml) {
    return c.Request("POST", target, xml, {{"Content-Type", "application/xml"}});
}

std::string FirstErrorMessage(const HttpResult& r) {
    const auto& errors = r.Json().at("errors").as_array();
    EXPECT_FALSE(errors.empty()) << r.body;
    if (errors.empty()) return {};
    EXPECT_EQ(errors[0].at("pointer"), "/dmn") << r.body;
    return std::string(errors[0].at("message").as_string());
}

object Case(const std::string& name, int age, const std::string& risk, const std::string& expected) {
    return {{"name", name},
            {"decision", "Approval Status"},
            {"inputs", {{"Age", age}, {"RiskCategory", risk}, {"isAffordable", true}}},
            {"expected", expected}};
}

TEST(RulesetApi, UploadTestApproveByColleagueActivateAndEvaluate) {
    TestServer server;
    Client admin(server.port());
    ASSERT_EQ(admin.Login("admin", "demo-admin-pass").status, 200u);
    auto made = admin.PostJson("/api/v1/users", object{{"username", "analyst2"},
                                                       {"display_name", "Second Analyst"},
                                                       {"password", "second-analyst-pass"},
                                                       {"roles", {"risk_analyst"}}});
    ASSERT_EQ(made.status, 201u) << made.body;

    Client analyst(server.port());
    ASSERT_EQ(analyst.Login("analyst", "demo-analyst-pass").status, 200u);
    Client colleague(server.port());
    ASSERT_EQ(colleague.Login("analyst2", "second-analyst-pass").status, 200u);

    // Upload the modeler's file as raw XML.
    const std::string dmn = ReadFile(kModelerFile);
    auto up = PostXml(analyst, "/api/v1/rulesets/approval/versions?name=Loan%20approval", dmn);
    ASSERT_EQ(up.status, 201u) << up.body;
    EXPECT_EQ(up.Header("location"), "/api/v1/rulesets/approval/versions/1");
    EXPECT_EQ(up.Json().at("state"), "draft");
    EXPECT_EQ(up.Json().at("author"), "analyst");
    EXPECT_EQ(up.Json().at("decisions").as_array().at(0).at("name"), "Approval Status");

    auto list = analyst.Get("/api/v1/rulesets");
    ASSERT_EQ(list.status, 200u);
    EXPECT_EQ(list.Json().at("items").as_array().at(0).at("name"), "Loan approval");
    auto xml = analyst.Get("/api/v1/rulesets/approval/versions/1/dmn");
    EXPECT_EQ(xml.status, 200u);
    EXPECT_EQ(xml.body, dmn);

    // Test cases, then a run against version 1.
    ASSERT_EQ(analyst.PostJson("/api/v1/rulesets/approval/tests", Case("adult", 18, "Medium", "Approved")).status, 201u);
    ASSERT_EQ(analyst.PostJson("/api/v1/rulesets/approval/tests", Case("minor", 17, "Medium", "Declined")).status, 201u);
    auto run = analyst.Request("POST", "/api/v1/rulesets/approval/versions/1/test");
    ASSERT_EQ(run.status, 200u) << run.body;
    EXPECT_EQ(run.Json().at("passed"), 2);
    EXPECT_EQ(run.Json().at("failed"), 0);

    // Approving a draft is an illegal transition.
    auto early = colleague.Request("POST", "/api/v1/rulesets/approval/versions/1/approve");
    EXPECT_EQ(early.status, 409u);
    EXPECT_NE(early.Json().at("type").as_string().find("illegal-transition"), std::string::npos);

    ASSERT_EQ(analyst.Request("POST", "/api/v1/rulesets/approval/versions/1/submit").status, 200u);
    // Four eyes: the author may not approve.
    auto self = analyst.Request("POST", "/api/v1/rulesets/approval/versions/1/approve");
    EXPECT_EQ(self.status, 403u) << self.body;
    EXPECT_TRUE(self.IsProblem());
    EXPECT_NE(self.Json().at("type").as_string().find("four-eyes"), std::string::npos);
    auto approved = colleague.Request("POST", "/api/v1/rulesets/approval/versions/1/approve");
    ASSERT_EQ(approved.status, 200u) << approved.body;
    EXPECT_EQ(approved.Json().at("approved_by"), "analyst2");
    ASSERT_EQ(analyst.Request("POST", "/api/v1/rulesets/approval/versions/1/activate").status, 200u);

    // Explained evaluation of the active version.
    auto ev = analyst.PostJson("/api/v1/rulesets/approval/evaluate",
                               object{{"decision", "Approval Status"},
                                      {"inputs", {{"Age", 17}, {"RiskCategory", "Low"}, {"isAffordable", true}}}});
    ASSERT_EQ(ev.status, 200u) << ev.body;
    EXPECT_EQ(ev.Json().at("result"), "Declined");
    EXPECT_EQ(ev.Json().at("version"), 1);
    const auto& ex = ev.Json().at("explanation").as_array().at(0);
    EXPECT_EQ(ex.at("hitPolicy"), "UNIQUE");
    EXPECT_EQ(ex.at("matchedRules").as_array().at(0), 2);
    EXPECT_FALSE(ex.at("reason").as_string().empty());

    // Other staff may evaluate; the history records every step with its actor.
    Client agent(server.port());
    ASSERT_EQ(agent.Login("agent", "demo-agent-pass").status, 200u);
    EXPECT_EQ(agent.PostJson("/api/v1/rulesets/approval/evaluate",
                             object{{"inputs", {{"Age", 40}, {"RiskCategory", "High"}, {"isAffordable", true}}}})
                  .status,
              200u);
    EXPECT_EQ(agent.Request("POST", "/api/v1/rulesets/approval/versions/1/retire").status, 403u);
    auto hist = agent.Get("/api/v1/rulesets/approval/versions/1/history");
    ASSERT_EQ(hist.status, 200u);
    const auto& items = hist.Json().at("items").as_array();
    ASSERT_EQ(items.size(), 4u) << hist.body;  // upload, submit, approve, activate
    EXPECT_EQ(items[1].at("actor").at("name"), "analyst2");

    // A second version replaces the first once activated.
    ASSERT_EQ(PostXml(colleague, "/api/v1/rulesets/approval/versions", dmn).status, 201u);
    ASSERT_EQ(colleague.Request("POST", "/api/v1/rulesets/approval/versions/2/submit").status, 200u);
    ASSERT_EQ(analyst.Request("POST", "/api/v1/rulesets/approval/versions/2/approve").status, 200u);
    ASSERT_EQ(colleague.Request("POST", "/api/v1/rulesets/approval/versions/2/activate").status, 200u);
    auto versions = agent.Get("/api/v1/rulesets/approval/versions");
    ASSERT_EQ(versions.status, 200u);
    EXPECT_EQ(versions.Json().at("items").as_array().at(0).at("state"), "active");
    EXPECT_EQ(versions.Json().at("items").as_array().at(1).at("state"), "retired");
}

TEST(RulesetApi, ApprovalNeedsPassingTestCases) {
    TestServer server;
    Client analyst(server.port());
    ASSERT_EQ(analyst.Login("analyst", "demo-analyst-pass").status, 200u);
    Client admin(server.port());
    ASSERT_EQ(admin.Login("admin", "demo-admin-pass").status, 200u);
    ASSERT_EQ(PostXml(analyst, "/api/v1/rulesets/approval/versions", ReadFile(kModelerFile)).status, 201u);
    ASSERT_EQ(analyst.Request("POST", "/api/v1/rulesets/approval/versions/1/submit").status, 200u);
    auto none = admin.Request("POST", "/api/v1/rulesets/approval/versions/1/approve");
    EXPECT_EQ(none.status, 409u);
    EXPECT_NE(none.Json().at("type").as_string().find("no-test-cases"), std::string::npos);
    ASSERT_EQ(analyst.PostJson("/api/v1/rulesets/approval/tests", Case("wrong", 17, "Medium", "Approved")).status,
              201u);
    auto failing = admin.Request("POST", "/api/v1/rulesets/approval/versions/1/approve");
    EXPECT_EQ(failing.status, 409u);
    EXPECT_NE(failing.Json().at("type").as_string().find("test-cases-failed"), std::string::npos);
    EXPECT_EQ(failing.Json().at("errors").as_array().size(), 1u) << failing.body;
    // Still in review: nothing changed.
    EXPECT_EQ(admin.Get("/api/v1/rulesets/approval/versions/1").Json().at("state"), "in_review");
}

TEST(RulesetApi, BadUploadsAreProblemsWithLineAndColumn) {
    TestServer server;
    Client analyst(server.port());
    ASSERT_EQ(analyst.Login("analyst", "demo-analyst-pass").status, 200u);
    const std::string dmn = ReadFile(kModelerFile);

    std::string malformed = dmn;
    malformed.replace(malformed.find("</inputExpression>"), 18, "</inputExpresion>");
    auto r1 = PostXml(analyst, "/api/v1/rulesets/approval/versions", malformed);
    EXPECT_EQ(r1.status, 422u) << r1.body;
    EXPECT_TRUE(r1.IsProblem());
    EXPECT_NE(FirstErrorMessage(r1).find("malformed XML at line 18, column"), std::string::npos) << r1.body;

    std::string feel = dmn;
    feel.replace(feel.find("<text>&lt;18</text>"), 19, "<text>&lt;(18</text>");
    auto r2 = PostXml(analyst, "/api/v1/rulesets/approval/versions", feel);
    EXPECT_EQ(r2.status, 422u) << r2.body;
    const auto m2 = FirstErrorMessage(r2);
    EXPECT_NE(m2.find("FEEL syntax error at line 1, column"), std::string::npos) << m2;
    EXPECT_NE(m2.find("in the document: line 54, column"), std::string::npos) << m2;

    std::string policy = dmn;
    policy.replace(policy.find("hitPolicy=\"UNIQUE\""), 18, "hitPolicy=\"SOMETIMES\"");
    auto r3 = PostXml(analyst, "/api/v1/rulesets/approval/versions", policy);
    EXPECT_EQ(r3.status, 422u);
    EXPECT_NE(FirstErrorMessage(r3).find("unknown hit policy 'SOMETIMES'"), std::string::npos) << r3.body;

    // JSON form, bad key, wrong media type, body over the server's limit.
    auto r4 = analyst.PostJson("/api/v1/rulesets/Bad_Key/versions", object{{"dmn", dmn}});
    EXPECT_EQ(r4.status, 422u) << r4.body;
    EXPECT_EQ(r4.Json().at("errors").as_array().at(0).at("pointer"), "/key");
    auto r5 = analyst.Request("POST", "/api/v1/rulesets/approval/versions", dmn, {{"Content-Type", "text/plain"}});
    EXPECT_EQ(r5.status, 415u);
    auto r6 = PostXml(analyst, "/api/v1/rulesets/approval/versions", std::string(3u << 20, ' '));
    EXPECT_EQ(r6.status, 413u);
    EXPECT_TRUE(r6.IsProblem()) << r6.body;

    // Nothing was stored (the only rule sets are those shipped, e.g. the risk profiles); a good JSON
    // upload still works.
    const auto rulesets = analyst.Get("/api/v1/rulesets").Json();
    for (const auto& r : rulesets.at("items").as_array()) EXPECT_NE(r.at("key").as_string(), "approval");
    EXPECT_EQ(analyst.PostJson("/api/v1/rulesets/approval/versions", object{{"dmn", dmn}, {"comment", "json"}}).status,
              201u);
}

TEST(RulesetApi, TradersAreRefused) {
    TestServer server;
    Client analyst(server.port());
    ASSERT_EQ(analyst.Login("analyst", "demo-analyst-pass").status, 200u);
    ASSERT_EQ(PostXml(analyst, "/api/v1/rulesets/approval/versions", ReadFile(kModelerFile)).status, 201u);
    Client trader(server.port());
    ASSERT_EQ(trader.Login("trader", "demo-trader-pass").status, 200u);
    EXPECT_EQ(trader.Get("/api/v1/rulesets").status, 403u);
    EXPECT_EQ(trader.Get("/api/v1/rulesets/approval/versions/1/dmn").status, 403u);
    EXPECT_EQ(trader.PostJson("/api/v1/rulesets/approval/evaluate?version=1",
                              object{{"inputs", {{"Age", 20}, {"RiskCategory", "Low"}, {"isAffordable", true}}}})
                  .status,
              403u);
    EXPECT_EQ(PostXml(trader, "/api/v1/rulesets/approval/versions", ReadFile(kModelerFile)).status, 403u);
}

struct CliRun {
    int status = -1;
    std::string out;  // stdout and stderr together
};

CliRun Cli(const std::string& args) {
    CliRun r;
    FILE* p = popen((std::string(CUSTOMSDESK_BINARY) + " " + args + " 2>&1").c_str(), "r");
    std::array<char, 4096> buf{};
    while (auto n = fread(buf.data(), 1, buf.size(), p)) r.out.append(buf.data(), n);
    const int st = pclose(p);
    r.status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
    return r;
}

TEST(RulesetCli, EvalPrintsTheResultAsJson) {
    auto plain = Cli("rules eval data/rules/risk-profile.dmn --decision 'Control Channel' --input "
                     "'{\"originCountry\": \"FI\", \"commodityHeading\": \"0101\", \"customsValue\": 100, "
                     "\"grossMass\": 10, \"customerGroup\": \"small\", \"aeoStatus\": \"none\", "
                     "\"complianceScore\": 90, \"transportMode\": 3, \"procedureCode\": \"4000\", "
                     "\"declarantAgeDays\": 1000, \"route\": \"direct\", \"previousFindings\": 0}'");
    ASSERT_EQ(plain.status, 0) << plain.out;
    auto v = boost::json::parse(plain.out.substr(0, plain.out.find('\n')));
    EXPECT_EQ(v.at("channel"), "green") << plain.out;  // multiple outputs: an object
    auto explained = Cli(std::string("rules eval ") + kModelerFile +
                         " --decision 'Approval Status' --input '{\"Age\": 17, \"RiskCategory\": \"Low\", "
                         "\"isAffordable\": true}' --explain");
    ASSERT_EQ(explained.status, 0) << explained.out;
    auto e = boost::json::parse(explained.out);
    EXPECT_EQ(e.at("result"), "Declined");
    EXPECT_EQ(e.at("explanation").as_array().at(0).at("matchedRules").as_array().at(0), 2);
    EXPECT_NE(Cli("rules eval data/rules/risk-profile.dmn --decision 'No Such' --input '{}'").status, 0);
}

TEST(RulesetCli, ImportUploadsAShippedRuleSetAsADraft) {
    const std::string db = "--db '" + test_support::TestDatabaseUrl() + "'";
    auto first = Cli("rules import data/rules/risk-profile.dmn --key risk-profile " + db);
    ASSERT_EQ(first.status, 0) << first.out;
    EXPECT_NE(first.out.find("rule set risk-profile version 1 (draft)"), std::string::npos) << first.out;
    auto second = Cli("rules import data/rules/risk-profile.dmn --key risk-profile " + db);
    EXPECT_NE(second.out.find("version 2 (draft)"), std::string::npos) << second.out;
    const std::string bad = ::testing::TempDir() + "bad.dmn";
    std::ofstream(bad) << "<definitions";
    auto broken = Cli("rules import " + bad + " --key broken " + db);
    EXPECT_EQ(broken.status, 1);
    EXPECT_NE(broken.out.find("line 1, column"), std::string::npos) << broken.out;
    EXPECT_EQ(Cli("rules import data/rules/risk-profile.dmn " + db).status, 2);  // no --key
}

}  // namespace
}  // namespace customsdesk::apitest

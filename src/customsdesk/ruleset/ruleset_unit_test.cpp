// Upload validation without a database: every problem names the line and column in the document.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "customsdesk/ruleset/ruleset_service.hpp"

namespace customsdesk::ruleset {
namespace {

constexpr const char* kModelerFile = "tests/conformance/dmn-tck/TestCases/compliance-level-2/0004-simpletable-U/"
                                     "0004-simpletable-U.dmn";

std::string ReadFile(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

std::string Replace(std::string text, const std::string& from, const std::string& to) {
    const auto at = text.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    if (at != std::string::npos) text.replace(at, from.size(), to);
    return text;
}

std::string DetailOf(const core::Result<rules::Model>& r) {
    EXPECT_FALSE(r.has_value());
    if (r) return {};
    EXPECT_EQ(r.error().fields.size(), 1u);
    if (r.error().fields.empty()) return r.error().message;
    EXPECT_EQ(r.error().fields[0].pointer, "/dmn");
    return r.error().fields[0].code + ": " + r.error().fields[0].message;
}

TEST(LineColumn, CountsLinesAndCharacters) {
    EXPECT_EQ(LineColumn("abc", 0), std::make_pair(1, 1));
    EXPECT_EQ(LineColumn("ab\ncd", 4), std::make_pair(2, 2));
    EXPECT_EQ(LineColumn("\xc3\xa4x", 2), std::make_pair(1, 2));  // 'ä' is one character
    EXPECT_EQ(LineColumn("ab", 99), std::make_pair(1, 3));
}

TEST(ValidateDmn, AcceptsAModelerFile) {
    auto m = RulesetService::ValidateDmn(ReadFile(kModelerFile));
    ASSERT_TRUE(m) << m.error().message;
    EXPECT_NE(m->DecisionTableOf("Approval Status"), nullptr);
    auto shipped = RulesetService::ValidateDmn(ReadFile("data/rules/risk-profile.dmn"));
    ASSERT_TRUE(shipped) << shipped.error().message;
}

TEST(ValidateDmn, MalformedXmlNamesLineAndColumn) {
    const auto xml = Replace(ReadFile(kModelerFile), "</inputExpression>", "</inputExpresion>");
    const auto detail = DetailOf(RulesetService::ValidateDmn(xml));
    EXPECT_NE(detail.find("malformed_xml: malformed XML at line 18, column"), std::string::npos) << detail;
}

TEST(ValidateDmn, FeelSyntaxErrorNamesTheCellAndItsPosition) {
    // Rule 2, input 1 is "<18" at line 54; the error is inside the cell text.
    const auto xml = Replace(ReadFile(kModelerFile), "<text>&lt;18</text>", "<text>&lt;(18</text>");
    const auto detail = DetailOf(RulesetService::ValidateDmn(xml));
    EXPECT_NE(detail.find("feel_syntax: "), std::string::npos) << detail;
    EXPECT_NE(detail.find("rule 2, input 1"), std::string::npos) << detail;
    EXPECT_NE(detail.find("FEEL syntax error at line 1"), std::string::npos) << detail;
    EXPECT_NE(detail.find("in the document: line 54, column"), std::string::npos) << detail;
}

TEST(ValidateDmn, UnknownHitPolicyNamesTheTable) {
    const auto xml = Replace(ReadFile(kModelerFile), "hitPolicy=\"UNIQUE\"", "hitPolicy=\"MOSTLY\"");
    const auto detail = DetailOf(RulesetService::ValidateDmn(xml));
    EXPECT_NE(detail.find("unknown hit policy 'MOSTLY'"), std::string::npos) << detail;
    EXPECT_NE(detail.find("line 14, column"), std::string::npos) << detail;
}

TEST(ValidateDmn, EmptyHugeNotDmnAndNoDecision) {
    EXPECT_NE(DetailOf(RulesetService::ValidateDmn("  \n")).find("required"), std::string::npos);
    const auto huge = RulesetService::ValidateDmn(std::string(kMaxDmnBytes + 1, ' '));
    ASSERT_FALSE(huge);
    EXPECT_EQ(huge.error().type, "dmn-too-large");
    EXPECT_NE(DetailOf(RulesetService::ValidateDmn("<html/>")).find("not a DMN document"), std::string::npos);
    EXPECT_NE(DetailOf(RulesetService::ValidateDmn(
                           R"(<definitions xmlns="https://www.omg.org/spec/DMN/20230324/MODEL/" name="x"/>)"))
                  .find("no_decision"),
              std::string::npos);
}

}  // namespace
}  // namespace customsdesk::ruleset

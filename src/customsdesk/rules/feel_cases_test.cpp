// Data-driven FEEL tests: every file under src/customsdesk/rules/testdata/{feel,unary}/ holds cases
// separated by blank lines; a case is the input, a `----` line, and the expected result as a FEEL
// literal (or `error: <text contained in the error message>`). Lines starting with '#' are comments.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "customsdesk/rules/feel_eval.hpp"

namespace customsdesk::rules {
namespace {

struct Case {
    int line = 0;
    std::vector<std::string> input;
    std::string expected;
};

std::vector<Case> ReadCases(const std::filesystem::path& file) {
    std::ifstream in(file);
    std::vector<Case> out;
    Case cur;
    bool after_sep = false;
    std::string line;
    int n = 0;
    auto flush = [&]() {
        if (!cur.input.empty()) out.push_back(cur);
        cur = Case{};
        after_sep = false;
    };
    while (std::getline(in, line)) {
        ++n;
        if (!after_sep && cur.input.empty() && (line.empty() || line[0] == '#')) continue;
        if (line == "----") {
            after_sep = true;
            continue;
        }
        if (after_sep) {
            if (line.empty()) {
                flush();
                continue;
            }
            cur.expected += (cur.expected.empty() ? "" : "\n") + line;
            continue;
        }
        if (cur.input.empty()) cur.line = n;
        cur.input.push_back(line);
    }
    flush();
    return out;
}

std::vector<std::string> Files(const std::string& dir) {
    std::vector<std::string> out;
    for (const auto& e : std::filesystem::directory_iterator(dir))
        if (e.path().extension() == ".txt") out.push_back(e.path().string());
    std::sort(out.begin(), out.end());
    return out;
}

std::string Join(const std::vector<std::string>& lines) {
    std::string s;
    for (size_t i = 0; i < lines.size(); ++i) s += (i ? "\n" : "") + lines[i];
    return s;
}

class FeelCases : public testing::TestWithParam<std::string> {};

TEST_P(FeelCases, Match) {
    NameSet names;
    for (const auto& c : ReadCases(GetParam())) {
        SCOPED_TRACE(GetParam() + ":" + std::to_string(c.line));
        std::string text = Join(c.input);
        auto node = ParseExpression(text, names);
        if (c.expected.starts_with("error: ")) {
            ASSERT_FALSE(node.has_value()) << text;
            EXPECT_NE(node.error().message.find(c.expected.substr(7)), std::string::npos) << node.error().message;
            continue;
        }
        ASSERT_TRUE(node.has_value()) << node.error().message;
        Scope scope;
        EvalContext ctx;
        EXPECT_EQ(ToFeelLiteral(Evaluate(**node, scope, ctx)), c.expected) << text;
    }
}

INSTANTIATE_TEST_SUITE_P(Files, FeelCases, testing::ValuesIn(Files("src/customsdesk/rules/testdata/feel")));

class UnaryCases : public testing::TestWithParam<std::string> {};

TEST_P(UnaryCases, Match) {
    NameSet names;
    for (const auto& c : ReadCases(GetParam())) {
        SCOPED_TRACE(GetParam() + ":" + std::to_string(c.line));
        ASSERT_EQ(c.input.size(), 2u);
        auto tests = ParseUnaryTests(c.input[0], names);
        ASSERT_TRUE(tests.has_value()) << tests.error().message;
        auto input = ParseExpression(c.input[1], names);
        ASSERT_TRUE(input.has_value()) << input.error().message;
        Scope scope;
        EvalContext ctx;
        auto m = MatchUnaryTests(**tests, Evaluate(**input, scope, ctx), scope, ctx);
        EXPECT_EQ(m ? (*m ? "true" : "false") : "null", c.expected) << c.input[0] << " with " << c.input[1];
    }
}

INSTANTIATE_TEST_SUITE_P(Files, UnaryCases, testing::ValuesIn(Files("src/customsdesk/rules/testdata/unary")));

}  // namespace
}  // namespace customsdesk::rules

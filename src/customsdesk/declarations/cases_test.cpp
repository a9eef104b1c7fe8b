// Data-driven validation cases: every file in tests/cases/declarations/ (see its README.md) is one
// test case: a declaration (JSON or XML), "----", then `valid` or the expected violations.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "customsdesk/core/json.hpp"
#include "customsdesk/declarations/mapping.hpp"
#include "customsdesk/declarations/validation.hpp"

namespace customsdesk::declarations {
namespace {

namespace fs = std::filesystem;
const fs::path kDir = "tests/cases/declarations";

std::vector<std::string> CaseFiles() {
    std::vector<std::string> out;
    if (!fs::exists(kDir)) return out;
    for (const auto& e : fs::directory_iterator(kDir)) {
        auto ext = e.path().extension();
        if (ext == ".json" || ext == ".xml") out.push_back(e.path().filename().string());
    }
    std::sort(out.begin(), out.end());
    return out;
}

std::string ReadFile(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

// The violations of one case file as "pointer code" strings (XPaths for XML files).
std::multiset<std::string> RunCase(const std::string& name, const std::string& body) {
    const bool xml = name.ends_with(".xml");
    std::vector<core::FieldError> errors;
    std::vector<Violation> v;
    Declaration d;
    if (xml) {
        auto shape = ParseDeclarationXml(body);
        if (!shape) {
            errors = shape.error().fields;
        } else {
            d = ReadDeclaration(*shape, v);
        }
    } else {
        auto obj = core::ParseJsonObject(body);
        if (!obj) {
            ADD_FAILURE() << obj.error().message;
            return {};
        }
        d = ReadDeclaration(*obj, v);
    }
    if (errors.empty() && v.empty()) {
        ValidationContext ctx;
        auto rules = BusinessRules::Shipped();
        ctx.rules = rules.get();
        if (name.find("-fx-") != std::string::npos) {
            ctx.to_eur = [](std::string_view cur, const Decimal& amount) -> std::optional<Decimal> {
                if (cur == "USD") return Decimal::Mul(amount, *Decimal::Parse("0.9"));
                if (cur == "SEK") return Decimal::Mul(amount, *Decimal::Parse("0.09"));
                return std::nullopt;
            };
        }
        v = Validate(d, ctx);
    }
    if (errors.empty()) errors = Localize(v, Language::kEn, xml);
    std::multiset<std::string> out;
    for (const auto& e : errors) {
        EXPECT_FALSE(e.message.empty()) << e.pointer << " " << e.code;
        out.insert(e.pointer + " " + e.code);
    }
    return out;
}

class DeclarationCases : public ::testing::TestWithParam<std::string> {};

// A case file: its declaration and the outcome expected.
std::pair<std::string, std::multiset<std::string>> ReadCase(const std::string& name) {
    const std::string text = ReadFile(kDir / name);
    const auto sep = text.find("\n----\n");
    EXPECT_NE(sep, std::string::npos) << name << ": no ---- separator";
    if (sep == std::string::npos) return {};
    std::multiset<std::string> expected;
    std::istringstream lines(text.substr(sep + 6));
    for (std::string line; std::getline(lines, line);) {
        if (line.empty() || line == "valid") continue;
        expected.insert(line);
    }
    return {text.substr(0, sep), expected};
}

TEST_P(DeclarationCases, Validates) {
    const auto [body, expected] = ReadCase(GetParam());
    EXPECT_EQ(RunCase(GetParam(), body), expected);
}

// The business rules' results are remembered by their inputs (BusinessRules::Apply): every case
// again, in one process, after all the others, gives its outcome from the memo.
TEST(DeclarationCasesFolder, RememberedRuleResultsGiveTheSameOutcomes) {
    for (int round = 0; round < 2; ++round) {
        for (const auto& name : CaseFiles()) {
            const auto [body, expected] = ReadCase(name);
            EXPECT_EQ(RunCase(name, body), expected) << name << " round " << round;
        }
    }
}

// Two goods items with the same rule inputs: the remembered violations point at each item.
TEST(DeclarationCasesFolder, RememberedItemViolationsPointAtTheirItem) {
    const auto [body, expected] = ReadCase("h1-rule-import-procedure.json");
    auto obj = core::ParseJsonObject(body);
    ASSERT_TRUE(obj);
    auto& items = (*obj)["items"].as_array();
    ASSERT_EQ(items.size(), 2u);
    items[0].as_object()["procedure_code"] = items[1].as_object()["procedure_code"];
    items[0].as_object()["commodity_code"] = items[1].as_object()["commodity_code"];
    std::vector<Violation> v;
    Declaration d = ReadDeclaration(*obj, v);
    ASSERT_TRUE(v.empty());
    const BusinessRules rules(BusinessRules::Shipped()->model(), "test");
    ValidationContext ctx;
    ctx.rules = &rules;
    std::multiset<std::string> got;
    for (int round = 0; round < 2; ++round) {
        got.clear();
        for (const auto& x : Validate(d, ctx)) got.insert(x.pointer + " " + x.code);
        EXPECT_TRUE(got.contains("/items/0/procedure_code import_procedure")) << round;
        EXPECT_TRUE(got.contains("/items/1/procedure_code import_procedure")) << round;
    }
}

INSTANTIATE_TEST_SUITE_P(Files, DeclarationCases, ::testing::ValuesIn(CaseFiles()),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                             std::string n = info.param;
                             for (char& c : n)
                                 if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
                             return n;
                         });

// The canonical text written directly is the serialized canonical JSON, for every case that reads,
// and for members the cases leave out (escapes, a container flag of false, documents everywhere).
TEST(DeclarationCasesFolder, CanonicalJsonIsTheSerializedToJson) {
    std::size_t compared = 0;
    for (const auto& name : CaseFiles()) {
        if (!name.ends_with(".json")) continue;
        const auto [body, expected] = ReadCase(name);
        auto obj = core::ParseJsonObject(body);
        if (!obj) continue;
        std::vector<Violation> v;
        Declaration d = ReadDeclaration(*obj, v);
        if (!v.empty()) continue;
        EXPECT_EQ(CanonicalJson(d), boost::json::serialize(ToJson(d))) << name;
        ++compared;
        d.items[0].description = "quote \" tab\t nl\n \x01 back\\slash Mäki";
        d.transport.container = false;
        d.transport.mode_at_border.reset();
        d.previous_documents.push_back({"N380", "INV-1"});
        d.items[0].supporting_documents.push_back({"Y923", "ok"});
        d.representative = Representative{"FI1234567-8", "2"};
        EXPECT_EQ(CanonicalJson(d), boost::json::serialize(ToJson(d))) << name << " (changed)";
        d.transport = {};
        d.items[0].packages.reset();
        EXPECT_EQ(CanonicalJson(d), boost::json::serialize(ToJson(d))) << name << " (no transport)";
    }
    EXPECT_GE(compared, 10u);
}

TEST(DeclarationCasesFolder, HasCases) { EXPECT_GE(CaseFiles().size(), 30u); }

}  // namespace
}  // namespace customsdesk::declarations

// Runs the data-driven taxation cases: every tests/cases/taxation/*.case file is one test.
//
// A case file holds '#' comment lines (the hand calculation), the AssessmentInput as JSON, a line
// "----", and the expected result as JSON: either the assessment (a SUBSET match: every member given
// must be equal, arrays must have the same length, members left out are not checked) or
// {"error": {"code": "...", "fields": [{"pointer": "...", "code": "..."}]}} (fields matched exactly,
// messages not checked). All cases use the rate tables of tests/cases/taxation/tables.json.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "customsdesk/core/json.hpp"
#include "customsdesk/taxation/assessment.hpp"
#include "customsdesk/taxation/json_mapping.hpp"

namespace customsdesk::taxation {
namespace {

namespace json = boost::json;
const std::filesystem::path kDir = "tests/cases/taxation";

std::string ReadFile(const std::filesystem::path& p) {
    std::ifstream in(p);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

RateTables LoadTables() {
    auto doc = core::ParseJsonObject(ReadFile(kDir / "tables.json"));
    if (!doc) throw std::runtime_error("tables.json: " + doc.error().message);
    core::FieldErrors errors;
    std::vector<TariffRate> tariff;
    std::vector<VatRate> vat;
    std::vector<ExchangeRate> fx;
    for (std::size_t i = 0; i < doc->at("tariff").as_array().size(); ++i) {
        if (auto r = ParseTariffRate(doc->at("tariff").as_array()[i].as_object(), errors, "/tariff/" + std::to_string(i)))
            tariff.push_back(*r);
    }
    for (std::size_t i = 0; i < doc->at("vat").as_array().size(); ++i) {
        if (auto r = ParseVatRate(doc->at("vat").as_array()[i].as_object(), errors, "/vat/" + std::to_string(i)))
            vat.push_back(*r);
    }
    for (std::size_t i = 0; i < doc->at("fx").as_array().size(); ++i) {
        if (auto r = ParseExchangeRate(doc->at("fx").as_array()[i].as_object(), errors, "/fx/" + std::to_string(i)))
            fx.push_back(*r);
    }
    if (!errors.empty()) throw std::runtime_error("tables.json: " + errors.errors().front().pointer);
    auto t = TariffTable::Build(std::move(tariff));
    auto v = VatTable::Build(std::move(vat));
    auto f = ExchangeTable::Build(std::move(fx));
    if (!t || !v || !f) throw std::runtime_error("tables.json: overlapping rows");
    return RateTables{std::move(*t), std::move(*v), std::move(*f)};
}

// Every member of `expected` equals the same member of `actual` (recursively for objects).
void ExpectSubset(const json::value& expected, const json::value& actual, const std::string& path) {
    if (expected.is_object() && actual.is_object()) {
        for (const auto& kv : expected.get_object()) {
            const json::value* a = actual.get_object().if_contains(kv.key());
            if (a == nullptr) {
                ADD_FAILURE() << path << "/" << kv.key() << " missing in the result";
                continue;
            }
            ExpectSubset(kv.value(), *a, path + "/" + std::string(kv.key()));
        }
    } else if (expected.is_array() && actual.is_array()) {
        ASSERT_EQ(expected.get_array().size(), actual.get_array().size()) << path;
        for (std::size_t i = 0; i < expected.get_array().size(); ++i) {
            ExpectSubset(expected.get_array()[i], actual.get_array()[i], path + "/" + std::to_string(i));
        }
    } else {
        EXPECT_EQ(json::serialize(expected), json::serialize(actual)) << "at " << path;
    }
}

std::vector<std::string> CaseNames() {
    std::vector<std::string> names;
    std::error_code ec;
    for (const auto& e : std::filesystem::directory_iterator(kDir, ec)) {
        if (e.path().extension() == ".case") names.push_back(e.path().stem().string());
    }
    std::sort(names.begin(), names.end());
    return names;
}

class TaxationCase : public ::testing::TestWithParam<std::string> {};

TEST_P(TaxationCase, MatchesTheHandCalculation) {
    static const RateTables tables = LoadTables();
    std::string text = ReadFile(kDir / (GetParam() + ".case"));
    std::string input_text;
    std::string expected_text;
    bool after = false;
    std::istringstream lines(text);
    for (std::string line; std::getline(lines, line);) {
        if (line.starts_with("#")) continue;
        if (line == "----") {
            after = true;
            continue;
        }
        (after ? expected_text : input_text) += line + "\n";
    }
    ASSERT_TRUE(after) << "no ---- separator";
    auto input_json = core::ParseJsonObject(input_text);
    ASSERT_TRUE(input_json) << input_json.error().message;
    auto expected = core::ParseJsonObject(expected_text);
    ASSERT_TRUE(expected) << expected.error().message;

    auto parsed = ParseAssessmentInput(*input_json);
    core::Result<Assessment> result = parsed ? Assess(tables, *parsed) : core::Fail(parsed.error());
    json::object actual;
    if (result) {
        actual = AssessmentToJson(*result);
    } else {
        json::array fields;
        for (const auto& f : result.error().fields) fields.push_back(json::object{{"pointer", f.pointer}, {"code", f.code}});
        actual["error"] = json::object{{"code", core::ErrorCodeName(result.error().code)}, {"fields", fields}};
    }
    ExpectSubset(*expected, actual, "");
}

INSTANTIATE_TEST_SUITE_P(Cases, TaxationCase, ::testing::ValuesIn(CaseNames()),
                         [](const ::testing::TestParamInfo<std::string>& info) { return info.param; });

TEST(TaxationCases, AreFound) { EXPECT_GE(CaseNames().size(), 15u) << "run from the source root"; }

}  // namespace
}  // namespace customsdesk::taxation

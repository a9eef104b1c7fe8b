// Risk profiles: the data-driven cases of tests/cases/selectivity/*.case against the shipped default
// profiles, and the profile contract (what ProfileSet::Check refuses).
//
// Case file: optional comment lines ("# ..."), an optional "@rates RED_PPM YELLOW_PPM KEY" line
// (default: no random sample), the subject as JSON (subject_json.hpp), a line "----", then the
// expected decision: "lane L", "source S", and one line per hit in evaluation order:
//   hit <profile>#<rule> <lane>[ item=<n>][ decisive] | <input>=<value> ...
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "customsdesk/core/json.hpp"
#include "customsdesk/selectivity/profile.hpp"
#include "customsdesk/selectivity/selectivity_service.hpp"
#include "customsdesk/selectivity/subject_json.hpp"

namespace customsdesk::selectivity {
namespace {

const std::filesystem::path kCaseDir = "tests/cases/selectivity";

std::vector<ProfileSource> ShippedSources() {
    std::vector<ProfileSource> out;
    std::int64_t id = 1;
    for (const auto& p : DefaultProfiles()) {
        out.push_back({std::string(p.key), 1, id++, std::string(p.name), std::string(p.dmn)});
    }
    return out;
}

const ProfileSet& Shipped() {
    static const ProfileSet set = ProfileSet::Compile(ShippedSources());
    return set;
}

std::string Render(const Decision& d) {
    std::string out = "lane " + std::string(LaneName(d.lane)) + "\nsource " + std::string(DecisionSourceName(d.source)) +
                      "\n";
    for (const auto& h : d.hits) {
        out += "hit " + h.profile_key + "#" + std::to_string(h.rule_number) + " " + std::string(LaneName(h.lane));
        if (h.item) out += " item=" + std::to_string(*h.item);
        if (h.decisive) out += " decisive";
        out += " |";
        for (const auto& [name, value] : h.matched_inputs) out += " " + name + "=" + value;
        out += "\n";
    }
    for (const auto& e : d.errors) out += "error " + e + "\n";
    return out;
}

std::vector<std::string> CaseFiles() {
    std::vector<std::string> names;
    if (!std::filesystem::exists(kCaseDir)) return names;
    for (const auto& e : std::filesystem::directory_iterator(kCaseDir))
        if (e.path().extension() == ".case") names.push_back(e.path().stem().string());
    std::sort(names.begin(), names.end());
    return names;
}

class SelectivityCase : public ::testing::TestWithParam<std::string> {};

TEST_P(SelectivityCase, MatchesExpectedLaneAndExplanation) {
    std::ifstream in(kCaseDir / (GetParam() + ".case"));
    ASSERT_TRUE(in) << "cannot open case " << GetParam();
    std::string line, json, expected;
    SampleRates rates{0, 0, 1};
    bool after = false;
    while (std::getline(in, line)) {
        if (after) {
            expected += line + "\n";
        } else if (line == "----") {
            after = true;
        } else if (line.starts_with("#")) {
            continue;
        } else if (line.starts_with("@rates ")) {
            std::istringstream ss(line.substr(7));
            ss >> rates.red_ppm >> rates.yellow_ppm >> rates.key;
        } else {
            json += line + "\n";
        }
    }
    ASSERT_TRUE(after) << "no ---- line";
    auto obj = core::ParseJsonObject(json);
    ASSERT_TRUE(obj) << obj.error().message;
    auto subject = SubjectFromJson(*obj);
    ASSERT_TRUE(subject) << subject.error().message << " "
                         << (subject.error().fields.empty() ? "" : subject.error().fields[0].pointer);
    const Decision d = Shipped().Evaluate(*subject, rates);
    EXPECT_EQ(Render(d), expected);
    // The explanation is valid JSON that carries the lane.
    auto parsed = core::ParseJsonObject(d.ExplanationJson());
    ASSERT_TRUE(parsed);
    EXPECT_EQ(parsed->at("lane").as_string(), LaneName(d.lane));
}

INSTANTIATE_TEST_SUITE_P(Cases, SelectivityCase, ::testing::ValuesIn(CaseFiles()),
                         [](const auto& info) {
                             std::string n = info.param;
                             for (char& c : n)
                                 if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
                             return n;
                         });

TEST(SelectivityCases, ThereAreCases) { EXPECT_GE(CaseFiles().size(), 8u); }

TEST(ShippedProfiles, AllCompileAndFollowTheContract) {
    EXPECT_TRUE(Shipped().rejected().empty()) << Shipped().rejected().front().reason;
    EXPECT_EQ(Shipped().Summaries().size(), DefaultProfiles().size());
    for (const auto& p : DefaultProfiles()) EXPECT_TRUE(ProfileSet::Check(p.dmn)) << p.key;
}

std::string Table(std::string_view input, std::string_view entry, std::string_view output, std::string_view out_name = "lane") {
    return std::string(R"(<?xml version="1.0"?>
<definitions xmlns="https://www.omg.org/spec/DMN/20230324/MODEL/" id="t" name="t" namespace="x">
  <decision id="d" name="D"><decisionTable hitPolicy="FIRST">
    <input><inputExpression typeRef="string"><text>)") +
           std::string(input) + R"(</text></inputExpression></input>
    <output name=")" + std::string(out_name) + R"(" typeRef="string"/>
    <output name="other" typeRef="string"/>
    <rule><inputEntry><text>)" + std::string(entry) + R"(</text></inputEntry><outputEntry><text>)" +
           std::string(output) + R"(</text></outputEntry><outputEntry><text>"x"</text></outputEntry></rule>
  </decisionTable></decision>
  <inputData id="i" name=")" + std::string(input) + R"("/>
</definitions>)";
}

TEST(ProfileContract, AcceptsAWellFormedProfile) {
    auto ok = ProfileSet::Check(Table("itemOrigin", R"("KP")", R"("red")"));
    EXPECT_TRUE(ok) << ok.error().message;
}

TEST(ProfileContract, RefusesAnInputThatIsNoAttribute) {
    auto r = ProfileSet::Check(Table("shoeSize", "42", R"("red")"));
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().message.find("'shoeSize' is not a selectivity attribute"), std::string::npos);
}

TEST(ProfileContract, RefusesALaneThatIsNoLane) {
    auto r = ProfileSet::Check(Table("itemOrigin", R"("KP")", R"("orange")"));
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().message.find("rule 1: the lane must be one of"), std::string::npos);
}

TEST(ProfileContract, RefusesATableWithoutALaneOutput) {
    auto r = ProfileSet::Check(Table("itemOrigin", R"("KP")", R"("red")", "channel"));
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().message.find("no output named 'lane'"), std::string::npos);
}

TEST(ProfileSet, ABrokenProfileIsLeftOutAndReported) {
    auto sources = ShippedSources();
    sources.push_back({"risk-profile-broken", 3, 99, "", Table("shoeSize", "42", R"("red")")});
    auto set = ProfileSet::Compile(sources);
    ASSERT_EQ(set.rejected().size(), 1u);
    EXPECT_EQ(set.rejected()[0].key, "risk-profile-broken");
    EXPECT_EQ(set.rejected()[0].version, 3);
    EXPECT_EQ(set.Summaries().size(), DefaultProfiles().size());
}

TEST(ProfileSet, AnItemLevelProfileRunsForEveryItem) {
    Subject s;
    s.identity = "x";
    s.declaration_type = "H1";
    s.items = {{"93040000", "CN", std::nullopt, std::nullopt}, {"94030000", "CN", std::nullopt, std::nullopt},
               {"93040000", "CN", std::nullopt, std::nullopt}};
    auto d = Shipped().Evaluate(s, SampleRates{0, 0, 1});
    std::vector<std::size_t> items;
    for (const auto& h : d.hits)
        if (h.profile_key == "risk-profile-sensitive-goods") items.push_back(*h.item);
    EXPECT_EQ(items, (std::vector<std::size_t>{0, 2}));
    EXPECT_EQ(d.lane, Lane::kRed);
}

TEST(ProfileKeys, OnlyPrefixedKeysAreProfiles) {
    EXPECT_TRUE(IsProfileKey("risk-profile-trader"));
    EXPECT_FALSE(IsProfileKey("risk-profile"));  // the rules engine's benchmark table
    EXPECT_FALSE(IsProfileKey("risk-profile-"));
    EXPECT_FALSE(IsProfileKey("approval"));
}

}  // namespace
}  // namespace customsdesk::selectivity

namespace customsdesk::selectivity {
namespace {

TEST(Explanation, IsValidJsonWhateverTheTexts) {
    Decision d;
    d.lane = Lane::kYellow;
    d.rule_lane = Lane::kYellow;
    d.source = DecisionSource::kRules;
    Hit h;
    h.profile_key = "risk-profile-x";
    h.profile_version = 2;
    h.decision = "Lane \"main\"";
    h.rule_number = 3;
    h.annotation = "quote \" backslash \\ newline \n tab \t bell \x07 ä";
    h.lane = Lane::kYellow;
    h.item = 1;
    h.matched_inputs = {{"itemOrigin", "KP"}};
    h.decisive = true;
    d.hits.push_back(h);
    d.errors.push_back("bad \"thing\"");
    auto v = core::ParseJsonObject(d.ExplanationJson());
    ASSERT_TRUE(v) << v.error().message << "\n" << d.ExplanationJson();
    const auto& hit = v->at("hits").as_array().at(0).as_object();
    EXPECT_EQ(hit.at("annotation").as_string(), h.annotation);
    EXPECT_EQ(hit.at("decision").as_string(), h.decision);
    EXPECT_EQ(hit.at("item").as_int64(), 1);
    EXPECT_EQ(hit.at("rule").as_int64(), 3);
    EXPECT_EQ(hit.at("inputs").at("itemOrigin").as_string(), "KP");
    EXPECT_TRUE(hit.at("decisive").as_bool());
    EXPECT_EQ(v->at("errors").as_array().at(0).as_string(), "bad \"thing\"");
    EXPECT_EQ(v->at("sample").at("lane"), nullptr);
    EXPECT_EQ(v->at("source").as_string(), "rules");
}

}  // namespace
}  // namespace customsdesk::selectivity

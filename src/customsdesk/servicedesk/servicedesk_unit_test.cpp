// Pure units of the service desk: the status transition table, request numbers, e-form validation
// (data-driven: tests/cases/servicedesk/forms/*.case) and the shipped routing table (data-driven:
// tests/cases/servicedesk/routing.tsv). See tests/cases/servicedesk/README.md for the formats.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "customsdesk/core/json.hpp"
#include "customsdesk/ruleset/ruleset_service.hpp"
#include "customsdesk/servicedesk/forms.hpp"
#include "customsdesk/servicedesk/model.hpp"
#include "customsdesk/servicedesk/service_desk.hpp"

namespace customsdesk::servicedesk {
namespace {

TEST(Workflow, TransitionTableIsExplicit) {
    EXPECT_TRUE(CanTransition(Status::kNew, Status::kOpen));
    EXPECT_TRUE(CanTransition(Status::kOpen, Status::kPendingCustomer));
    EXPECT_TRUE(CanTransition(Status::kPendingCustomer, Status::kOpen));
    EXPECT_TRUE(CanTransition(Status::kPendingThirdParty, Status::kResolved));
    EXPECT_TRUE(CanTransition(Status::kResolved, Status::kClosed));
    EXPECT_TRUE(CanTransition(Status::kResolved, Status::kOpen));
    EXPECT_FALSE(CanTransition(Status::kNew, Status::kClosed));
    EXPECT_FALSE(CanTransition(Status::kOpen, Status::kNew));
    EXPECT_FALSE(CanTransition(Status::kOpen, Status::kClosed));
    EXPECT_FALSE(CanTransition(Status::kOpen, Status::kOpen));
    for (auto to : {Status::kNew, Status::kOpen, Status::kPendingCustomer, Status::kPendingThirdParty,
                    Status::kResolved, Status::kClosed}) {
        EXPECT_FALSE(CanTransition(Status::kClosed, to)) << StatusName(to);
    }
}

TEST(Workflow, NamesRoundTrip) {
    for (auto s : {Status::kNew, Status::kOpen, Status::kPendingCustomer, Status::kPendingThirdParty,
                   Status::kResolved, Status::kClosed})
        EXPECT_EQ(ParseStatus(StatusName(s)), s);
    EXPECT_EQ(ParseStatus("pending"), std::nullopt);
    EXPECT_EQ(NextTier(Tier::kCustomerService), Tier::kSupport);
    EXPECT_EQ(NextTier(Tier::kSupport), Tier::kStakeholder);
    EXPECT_EQ(NextTier(Tier::kStakeholder), std::nullopt);
    EXPECT_EQ(RaisedPriority(Priority::kNormal), Priority::kHigh);
    EXPECT_EQ(RaisedPriority(Priority::kUrgent), Priority::kUrgent);
}

TEST(RequestNumber, FormatAndParse) {
    EXPECT_EQ(FormatRequestNumber(2026, 42), "SR-2026-000042");
    EXPECT_EQ(FormatRequestNumber(2026, 1234567), "SR-2026-1234567");
    auto p = ParseRequestNumber("SR-2026-000042");
    ASSERT_TRUE(p);
    EXPECT_EQ(p->first, 2026);
    EXPECT_EQ(p->second, 42);
    EXPECT_FALSE(ParseRequestNumber("SR-2026-42"));
    EXPECT_FALSE(ParseRequestNumber("XX-2026-000042"));
    EXPECT_FALSE(ParseRequestNumber("SR-2026-000000"));
}

std::string ReadFile(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

std::vector<std::string> Errors(const core::Error& e) {
    std::vector<std::string> out;
    for (const auto& f : e.fields) out.push_back(f.pointer + " " + f.code);
    std::sort(out.begin(), out.end());
    return out;
}

// Runs one .case file; returns the number of checks.
int RunFormCase(const std::filesystem::path& file) {
    std::istringstream in(ReadFile(file));
    std::string line;
    std::optional<FormDefinition> form;
    std::optional<boost::json::value> definition;
    std::optional<boost::json::object> data;
    std::vector<std::string> expected;
    int checks = 0;
    bool reading_expected = false;
    auto flush = [&] {
        if (!reading_expected) return;
        std::sort(expected.begin(), expected.end());
        std::vector<std::string> actual;
        if (definition) {
            auto r = ParseFormDefinition(*definition);
            if (r) actual = {"ok"};
            else actual = Errors(r.error());
        } else {
            EXPECT_TRUE(form.has_value()) << file;
            if (!form) return;
            auto r = ValidateFormData(*form, *data);
            if (r) actual = {"ok"};
            else actual = Errors(r.error());
        }
        EXPECT_EQ(actual, expected) << file << " data " << (data ? boost::json::serialize(*data) : "");
        ++checks;
        expected.clear();
        reading_expected = false;
        definition.reset();
    };
    while (std::getline(in, line)) {
        if (line.empty() || line[0] == '#') continue;
        if (line.starts_with("form ")) {
            flush();
            auto v = core::ParseJson(line.substr(5));
            EXPECT_TRUE(v) << file;
            auto def = ParseFormDefinition(*v);
            EXPECT_TRUE(def) << file << ": " << (def ? "" : def.error().message);
            if (def) form = std::move(*def);
        } else if (line.starts_with("definition ")) {
            flush();
            auto v = core::ParseJson(line.substr(11));
            EXPECT_TRUE(v) << file;
            definition = *v;
        } else if (line.starts_with("data ")) {
            flush();
            auto v = core::ParseJsonObject(line.substr(5));
            EXPECT_TRUE(v) << file << ": " << line;
            data = v ? *v : boost::json::object{};
        } else if (line == "----") {
            reading_expected = true;
        } else if (reading_expected) {
            expected.push_back(line);
        }
    }
    flush();
    return checks;
}

TEST(FormCases, AllCaseFiles) {
    int files = 0, checks = 0;
    for (const auto& e : std::filesystem::directory_iterator("tests/cases/servicedesk/forms")) {
        if (e.path().extension() != ".case") continue;
        SCOPED_TRACE(e.path().string());
        checks += RunFormCase(e.path());
        ++files;
    }
    EXPECT_GE(files, 7);
    EXPECT_GE(checks, 30);
}

TEST(FormCases, ShippedFormsParse) {
    // The seed migration's forms are valid definitions (the generator writes them from one list).
    const std::string sql = ReadFile("data/migrations/sqlite/V036__servicedesk_seed.sql");
    int forms = 0;
    for (auto pos = sql.find("'{\"fields\""); pos != std::string::npos; pos = sql.find("'{\"fields\"", pos + 1)) {
        const auto end = sql.find("}', ", pos);
        std::string json = sql.substr(pos + 1, end + 1 - pos - 1);
        std::string unescaped;
        for (std::size_t i = 0; i < json.size(); ++i) {
            unescaped += json[i];
            if (json[i] == '\'' && i + 1 < json.size() && json[i + 1] == '\'') ++i;
        }
        auto v = core::ParseJson(unescaped);
        ASSERT_TRUE(v) << unescaped;
        auto def = ParseFormDefinition(*v);
        EXPECT_TRUE(def) << (def ? "" : def.error().message);
        ++forms;
    }
    EXPECT_EQ(forms, 7);
}

std::vector<std::string> SplitTabs(const std::string& line) {
    std::vector<std::string> out;
    std::size_t start = 0;
    for (;;) {
        const auto tab = line.find('\t', start);
        out.push_back(line.substr(start, tab - start));
        if (tab == std::string::npos) break;
        start = tab + 1;
    }
    return out;
}

TEST(RoutingCases, ShippedTableRoutesAsDocumented) {
    auto model = ruleset::RulesetService::ValidateDmn(ShippedRoutingDmn());
    ASSERT_TRUE(model) << model.error().message;
    std::istringstream in(ReadFile("tests/cases/servicedesk/routing.tsv"));
    std::string line;
    int cases = 0;
    while (std::getline(in, line)) {
        if (line.empty() || line[0] == '#') continue;
        const auto cols = SplitTabs(line);
        ASSERT_EQ(cols.size(), 6u) << line;
        auto form = core::ParseJsonObject(cols[3]);
        ASSERT_TRUE(form) << line;
        std::optional<std::string> group;
        if (cols[1] != "-") group = cols[1];
        const auto out = DecideRouting(&*model, 1, cols[0], group, cols[2], *form);
        EXPECT_EQ(out.at("group"), cols[4].c_str()) << line << " -> " << boost::json::serialize(out);
        EXPECT_EQ(out.at("tier"), cols[5].c_str()) << line;
        EXPECT_FALSE(out.contains("reason")) << line << " -> " << boost::json::serialize(out);
        ++cases;
    }
    EXPECT_GE(cases, 15);
}

TEST(RoutingCases, NoTableMeansCustomerService) {
    const auto out = DecideRouting(nullptr, 0, "malfunction_report", std::nullopt, "fi", {{"system", "api"}});
    EXPECT_EQ(out.at("group"), "customer_service");
    EXPECT_EQ(out.at("tier"), "customer_service");
}

}  // namespace
}  // namespace customsdesk::servicedesk

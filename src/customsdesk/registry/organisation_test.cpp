// Runs tests/cases/organisation_validation.txt against registry::ValidateFields.
#include "customsdesk/registry/organisation.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "customsdesk/core/json.hpp"

namespace customsdesk::registry {
namespace {

struct Case {
    std::string name;
    std::string body;
    std::vector<std::string> expected;
};

std::vector<Case> Load() {
    std::ifstream in("tests/cases/organisation_validation.txt");
    std::vector<Case> cases;
    std::string line;
    bool in_expected = false;
    while (std::getline(in, line)) {
        if (line.starts_with("#")) continue;
        if (line.starts_with("=== ")) {
            cases.push_back({line.substr(4), {}, {}});
            in_expected = false;
        } else if (line == "----") {
            in_expected = true;
        } else if (!line.empty() && !cases.empty()) {
            if (in_expected) {
                cases.back().expected.push_back(line);
            } else {
                cases.back().body += line;
            }
        }
    }
    return cases;
}

TEST(OrganisationValidation, CasesFromFile) {
    const auto cases = Load();
    ASSERT_GE(cases.size(), 15u) << "run from the source root";
    for (const auto& c : cases) {
        SCOPED_TRACE(c.name);
        auto body = core::ParseJsonObject(c.body);
        ASSERT_TRUE(body) << c.body;
        auto r = ValidateFields(*body);
        ASSERT_FALSE(c.expected.empty());
        if (c.expected[0] == "ok") {
            ASSERT_TRUE(r) << (r ? "" : r.error().fields.empty() ? r.error().message : r.error().fields[0].pointer);
            const auto json = FieldsToJson(*r);
            for (std::size_t i = 1; i < c.expected.size(); ++i) {
                const auto& e = c.expected[i];
                const auto eq = e.find(" = ");
                ASSERT_NE(eq, std::string::npos) << e;
                EXPECT_EQ(json.at(e.substr(0, eq)), *core::ParseJson(e.substr(eq + 3))) << e;
            }
            continue;
        }
        ASSERT_FALSE(r) << "expected errors";
        std::vector<std::string> got;
        for (const auto& f : r.error().fields) {
            got.push_back(f.pointer + " " + f.code);
            EXPECT_FALSE(f.message.empty());
        }
        EXPECT_EQ(got, c.expected);
    }
}

TEST(OrganisationValidation, JsonRoundTrip) {
    auto body = core::ParseJsonObject(
        R"({"name":"A Oy","business_id":"0737546-2","addresses":[{"type":"visiting","street":"S 1","postal_code":"00100","city":"Helsinki","country":"FI"}],"languages":["sv"],"roles":["importer","carrier"],"parent_id":4,"status":"prospect"})");
    auto f = ValidateFields(*body);
    ASSERT_TRUE(f);
    auto again = ValidateFields(FieldsToJson(*f));
    ASSERT_TRUE(again);
    EXPECT_EQ(FieldsToJson(*again), FieldsToJson(*f));
    EXPECT_EQ(AddressesFromJsonText(AddressesToJsonText(f->addresses)), f->addresses);
}

}  // namespace
}  // namespace customsdesk::registry

// Selectivity and control through the real binary, on SQLite and PostgreSQL: the shipped risk
// profiles active on a fresh install, sample rates and dry runs for analysts, the lane decided at
// lodging, the officers' queue, documentary control with a trader's upload (and 404 for another
// trader), findings, release and refusal, and the hit rates they feed.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "test_database.hpp"
#include "test_server.hpp"

namespace customsdesk::apitest {
namespace {

using boost::json::object;

std::string Replace(std::string s, const std::string& from, const std::string& to) {
    for (auto pos = s.find(from); pos != std::string::npos; pos = s.find(from, pos + to.size())) s.replace(pos, from.size(), to);
    return s;
}

std::string H1Json(const std::string& lrn, const std::string& eori) {
    std::ifstream in("tests/cases/declarations/h1-valid.json", std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    auto text = ss.str();
    text = text.substr(0, text.find("\n----\n"));
    return Replace(Replace(text, "IMP-2026-0001", lrn), "FI1234567-1", eori);
}

struct Fixture {
    TestServer server;
    Client admin{server.port()};
    Client analyst{server.port()};
    Client officer{server.port()};
    Client trader{server.port()};    // Demo Import Oy (organisation 1)
    Client newcomer{server.port()};  // Pohjolan Kuljetus Oy (organisation 2): no declarations yet
    std::string own_eori, newcomer_eori;

    Fixture() {
        EXPECT_EQ(admin.Login("admin", "demo-admin-pass").status, 200u);
        EXPECT_EQ(analyst.Login("analyst", "demo-analyst-pass").status, 200u);
        EXPECT_EQ(officer.Login("officer", "demo-officer-pass").status, 200u);
        EXPECT_EQ(trader.Login("trader", "demo-trader-pass").status, 200u);
        own_eori = std::string(admin.Get("/api/v1/organisations/1").Json().at("eori").as_string());
        newcomer_eori = std::string(admin.Get("/api/v1/organisations/2").Json().at("eori").as_string());
        auto made = admin.PostJson("/api/v1/users", object{{"username", "newcomer1"},
                                                           {"display_name", "Newcomer"},
                                                           {"password", "long-enough-password"},
                                                           {"roles", {"trader"}},
                                                           {"organisation_id", 2}});
        EXPECT_EQ(made.status, 201u) << made.body;
        EXPECT_EQ(newcomer.Login("newcomer1", "long-enough-password").status, 200u);
    }

    void Rates(std::int64_t red, std::int64_t yellow) {
        auto r = analyst.Request("PUT", "/api/v1/selectivity/sample-rates",
                                 boost::json::serialize(object{{"red_ppm", red}, {"yellow_ppm", yellow}}),
                                 {{"Content-Type", "application/json"}});
        ASSERT_EQ(r.status, 200u) << r.body;
    }

    HttpResult Lodge(Client& c, const std::string& lrn, const std::string& eori) {
        return c.Request("POST", "/api/v1/declarations", H1Json(lrn, eori), {{"Content-Type", "application/json"}});
    }
};

TEST(SelectivityApi, ProfilesRatesAndDryRun) {
    Fixture f;
    auto profiles = f.analyst.Get("/api/v1/selectivity/profiles");
    ASSERT_EQ(profiles.status, 200u) << profiles.body;
    EXPECT_EQ(profiles.Json().at("items").as_array().size(), 4u);
    EXPECT_TRUE(profiles.Json().at("rejected").as_array().empty());
    EXPECT_EQ(f.trader.Get("/api/v1/selectivity/profiles").status, 403u);
    EXPECT_EQ(f.officer.Get("/api/v1/selectivity/profiles").status, 403u);
    EXPECT_EQ(f.officer.Get("/api/v1/selectivity/attributes").status, 200u);
    EXPECT_EQ(f.trader.Get("/api/v1/selectivity/attributes").status, 403u);

    auto rates = f.analyst.Get("/api/v1/selectivity/sample-rates");
    ASSERT_EQ(rates.status, 200u);
    EXPECT_EQ(rates.Json().at("red_ppm").as_int64(), 10000);
    EXPECT_FALSE(rates.Json().as_object().contains("sample_key"));
    auto bad = f.analyst.Request("PUT", "/api/v1/selectivity/sample-rates",
                                 R"({"red_ppm": 900000, "yellow_ppm": 200000})", {{"Content-Type", "application/json"}});
    EXPECT_EQ(bad.status, 422u);
    EXPECT_EQ(bad.Json().at("errors").at(0).at("pointer"), "/yellow_ppm");
    EXPECT_EQ(f.officer.Request("PUT", "/api/v1/selectivity/sample-rates", R"({"red_ppm": 1, "yellow_ppm": 1})",
                                {{"Content-Type", "application/json"}})
                  .status,
              403u);
    f.Rates(0, 0);

    auto dry = f.analyst.PostJson("/api/v1/selectivity/evaluate",
                                  object{{"identity", "x"},
                                         {"declaration_type", "H1"},
                                         {"items", {object{{"commodity_code", "93040000"}, {"origin", "US"}}}},
                                         {"trader", object{{"declaration_count", 5}}}});
    ASSERT_EQ(dry.status, 200u) << dry.body;
    EXPECT_EQ(dry.Json().at("lane"), "red");
    EXPECT_EQ(dry.Json().at("hits").at(0).at("profile"), "risk-profile-sensitive-goods");
    auto invalid = f.analyst.PostJson("/api/v1/selectivity/evaluate", object{{"items", {object{{"x", 1}}}}});
    EXPECT_EQ(invalid.status, 422u);
}

TEST(ControlApi, DocumentaryControlWithATradersUpload) {
    Fixture f;
    f.Rates(0, 1'000'000);  // everything at least yellow
    auto d = f.Lodge(f.trader, "CTL-1", f.own_eori);
    ASSERT_EQ(d.status, 201u) << d.body;
    ASSERT_EQ(d.Json().at("state"), "under_documentary_control") << d.body;
    const auto id = d.Json().at("id").as_int64();
    const std::string decl = "/api/v1/control/declarations/" + std::to_string(id);

    auto queue = f.officer.Get("/api/v1/control/queue?lane=yellow&office=FI002000");
    ASSERT_EQ(queue.status, 200u) << queue.body;
    EXPECT_EQ(queue.Json().at("items").at(0).at("id").as_int64(), id);
    EXPECT_EQ(f.officer.Get("/api/v1/control/queue?lane=purple").status, 422u);
    EXPECT_EQ(f.trader.Get("/api/v1/control/queue").status, 403u);

    EXPECT_EQ(f.trader.PostJson(decl + "/document-requests", object{{"required_documents", {"invoice"}}, {"message", "x"}})
                  .status,
              403u);
    auto req = f.officer.PostJson(decl + "/document-requests",
                                  object{{"required_documents", {"commercial invoice"}}, {"message", "Send the invoice."}});
    ASSERT_EQ(req.status, 201u) << req.body;
    const std::string rq = "/api/v1/control/document-requests/" + std::to_string(req.Json().at("id").as_int64());

    // The trader sees and answers it; another trader gets 404 everywhere.
    auto listed = f.trader.Get(decl + "/document-requests");
    ASSERT_EQ(listed.status, 200u);
    EXPECT_EQ(listed.Json().at("items").as_array().size(), 1u);
    EXPECT_EQ(f.newcomer.Get(decl + "/document-requests").status, 404u);
    EXPECT_EQ(f.newcomer.Get(rq).status, 404u);
    const object upload{{"filename", "invoice.pdf"}, {"content_type", "application/pdf"}, {"content_base64", "JVBERi0xLjQK"}};
    EXPECT_EQ(f.newcomer.PostJson(rq + "/documents", upload).status, 404u);
    auto up = f.trader.PostJson(rq + "/documents", upload);
    ASSERT_EQ(up.status, 201u) << up.body;
    const auto doc = up.Json().at("id").as_int64();
    auto bytes = f.officer.Get(rq + "/documents/" + std::to_string(doc));
    ASSERT_EQ(bytes.status, 200u);
    EXPECT_EQ(bytes.body, "%PDF-1.4\n");
    EXPECT_EQ(f.newcomer.Get(rq + "/documents/" + std::to_string(doc)).status, 404u);

    auto nocat = f.officer.PostJson(rq + "/decision", object{{"decision", "refuse"}});
    EXPECT_EQ(nocat.status, 422u);
    auto decided = f.officer.PostJson(rq + "/decision", object{{"decision", "release"}, {"note", "invoice matches"}});
    ASSERT_EQ(decided.status, 200u) << decided.body;
    EXPECT_EQ(f.trader.Get("/api/v1/declarations/" + std::to_string(id)).Json().at("state"), "released");
    EXPECT_EQ(f.trader.PostJson(rq + "/documents", upload).status, 409u);
    auto findings = f.officer.Get(decl + "/findings");
    ASSERT_EQ(findings.status, 200u);
    EXPECT_EQ(findings.Json().at("items").at(0).at("outcome"), "compliant");
    EXPECT_EQ(f.trader.Get(decl + "/findings").status, 404u);
}

TEST(ControlApi, PhysicalControlFindingsAndHitRates) {
    Fixture f;
    f.Rates(0, 0);
    // The newcomer's first declaration: yellow by the trader profile (first-time trader).
    auto d = f.Lodge(f.newcomer, "CTL-NEW-1", f.newcomer_eori);
    ASSERT_EQ(d.status, 201u) << d.body;
    ASSERT_EQ(d.Json().at("lane"), "yellow") << d.body;
    const std::string decl = "/api/v1/control/declarations/" + std::to_string(d.Json().at("id").as_int64());
    auto req = f.officer.PostJson(decl + "/document-requests",
                                  object{{"required_documents", {"packing list"}}, {"message", "Packing list?"}});
    ASSERT_EQ(req.status, 201u);
    auto moved = f.officer.PostJson("/api/v1/control/document-requests/" + std::to_string(req.Json().at("id").as_int64()) +
                                        "/decision",
                                    object{{"decision", "physical_control"}});
    ASSERT_EQ(moved.status, 200u) << moved.body;
    auto queue = f.officer.Get("/api/v1/control/queue?lane=yellow");
    EXPECT_EQ(queue.Json().at("items").at(0).at("state"), "under_physical_control");

    EXPECT_EQ(f.officer.PostJson(decl + "/findings", object{{"outcome", "non_compliant"}}).status, 422u);
    EXPECT_EQ(f.newcomer.PostJson(decl + "/findings", object{{"outcome", "compliant"}}).status, 403u);
    auto finding = f.officer.PostJson(
        decl + "/findings", object{{"outcome", "non_compliant"}, {"category", "misclassification"}, {"note", "6110"}});
    ASSERT_EQ(finding.status, 201u) << finding.body;
    auto refused = f.officer.PostJson(decl + "/refuse", object{{"reason", "misclassified"}});
    ASSERT_EQ(refused.status, 200u) << refused.body;
    EXPECT_EQ(refused.Json().at("state"), "not_released");
    EXPECT_EQ(f.officer.PostJson(decl + "/release", object{}).status, 409u);

    auto profiles = f.analyst.Get("/api/v1/selectivity/profiles");
    bool seen = false;
    for (const auto& p : profiles.Json().at("items").as_array()) {
        if (p.at("key") != "risk-profile-trader") continue;
        seen = true;
        EXPECT_GE(p.at("controls").as_int64(), 1);
        EXPECT_GE(p.at("findings").as_int64(), 1);
        EXPECT_FALSE(p.at("hit_rate").is_null());
    }
    EXPECT_TRUE(seen);
}

}  // namespace
}  // namespace customsdesk::apitest

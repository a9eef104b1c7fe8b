// Declarations through the real binary, on SQLite and PostgreSQL: lodging as JSON and XML with the
// LRN as idempotency key, violations with pointers/XPaths in the caller's language, bulk NDJSON and
// XML, the lifecycle with 409 on illegal transitions, and data scoping on every endpoint.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "test_database.hpp"
#include "test_server.hpp"

namespace customsdesk::apitest {
namespace {

using boost::json::object;

std::string CaseBody(const std::string& name) {
    std::ifstream in("tests/cases/declarations/" + name, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    auto text = ss.str();
    return text.substr(0, text.find("\n----\n"));
}

std::string Replace(std::string s, const std::string& from, const std::string& to) {
    for (auto pos = s.find(from); pos != std::string::npos; pos = s.find(from, pos + to.size())) s.replace(pos, from.size(), to);
    return s;
}

struct Fixture {
    TestServer server;
    Client admin{server.port()};
    Client trader{server.port()};   // Demo Import Oy (organisation 1)
    Client broker{server.port()};   // Mäkinen Huolinta Oy (organisation 4), a customs representative
    Client outsider{server.port()}; // Pohjolan Kuljetus Oy (organisation 2)
    Client officer{server.port()};
    std::string own_eori, broker_eori;

    Fixture() {
        EXPECT_EQ(admin.Login("admin", "demo-admin-pass").status, 200u);
        EXPECT_EQ(trader.Login("trader", "demo-trader-pass").status, 200u);
        EXPECT_EQ(officer.Login("officer", "demo-officer-pass").status, 200u);
        own_eori = std::string(admin.Get("/api/v1/organisations/1").Json().at("eori").as_string());
        broker_eori = std::string(admin.Get("/api/v1/organisations/4").Json().at("eori").as_string());
        for (auto [name, org] : {std::pair{"broker1", 4}, std::pair{"outsider1", 2}}) {
            auto made = admin.PostJson("/api/v1/users", object{{"username", name},
                                                               {"display_name", name},
                                                               {"password", "long-enough-password"},
                                                               {"roles", {"trader"}},
                                                               {"organisation_id", org}});
            EXPECT_EQ(made.status, 201u) << made.body;
        }
        EXPECT_EQ(broker.Login("broker1", "long-enough-password").status, 200u);
        EXPECT_EQ(outsider.Login("outsider1", "long-enough-password").status, 200u);
    }

    std::string H1Json(const std::string& lrn) {
        return Replace(Replace(CaseBody("h1-valid.json"), "IMP-2026-0001", lrn), "FI1234567-1", own_eori);
    }
    std::string H1Xml(const std::string& lrn) {
        return Replace(Replace(CaseBody("pair-h1.xml"), "IMP-2026-0001", lrn), "FI1234567-1", own_eori);
    }
};

HttpResult Post(Client& c, const std::string& target, const std::string& body, const std::string& type,
                std::map<std::string, std::string> headers = {}) {
    headers["Content-Type"] = type;
    return c.Request("POST", target, body, headers);
}

TEST(DeclarationsApi, LodgeJsonAndXmlIdempotentByLrn) {
    Fixture f;
    auto a = Post(f.trader, "/api/v1/declarations", f.H1Json("API-1"), "application/json");
    ASSERT_EQ(a.status, 201u) << a.body;
    // Accepted and moved on by the selectivity lane in the same transaction.
    const std::string lane(a.Json().at("lane").as_string());
    const std::string state(a.Json().at("state").as_string());
    EXPECT_EQ(state, lane == "red"      ? "under_physical_control"
                     : lane == "yellow" ? "under_documentary_control"
                                        : "released")
        << a.body;
    EXPECT_TRUE(a.Json().at("selectivity").is_object());
    const auto id = a.Json().at("id").as_int64();
    const std::string mrn(a.Json().at("mrn").as_string());
    EXPECT_EQ(mrn.size(), 17u);
    EXPECT_EQ(a.Header("location"), "/api/v1/declarations/" + std::to_string(id));
    // The same LRN again, even as XML: the existing declaration, no second one.
    auto again = Post(f.trader, "/api/v1/declarations", f.H1Xml("API-1"), "application/xml");
    ASSERT_EQ(again.status, 200u) << again.body;
    EXPECT_EQ(again.Json().at("id").as_int64(), id);
    // The XML form of another LRN gives the same stored model as the JSON form.
    auto x = Post(f.trader, "/api/v1/declarations", f.H1Xml("API-2"), "application/xml");
    ASSERT_EQ(x.status, 201u) << x.body;
    auto ja = a.Json().at("declaration").as_object();
    auto jx = x.Json().at("declaration").as_object();
    ja.erase("lrn");
    jx.erase("lrn");
    EXPECT_EQ(boost::json::serialize(ja), boost::json::serialize(jx));
    auto xml = f.trader.Request("GET", "/api/v1/declarations/" + std::to_string(id), {}, {{"Accept", "application/xml"}});
    ASSERT_EQ(xml.status, 200u);
    EXPECT_NE(xml.body.find("<LRN>API-1</LRN>"), std::string::npos);
    // Taxes are computed and stored at acceptance: an H7 consignment gets duty relief and VAT.
    auto h7 = Post(f.trader, "/api/v1/declarations",
                   Replace(Replace(CaseBody("h7-valid.json"), "FI1234567-1", f.own_eori), "FI7654321-2", f.own_eori),
                   "application/json");
    ASSERT_EQ(h7.status, 201u) << h7.body;
    EXPECT_EQ(h7.Json().at("taxes").at("status"), "assessed") << h7.body;
    EXPECT_EQ(h7.Json().at("taxes").at("total_duty"), "0.00") << h7.body;
    EXPECT_EQ(h7.Json().at("taxes").at("total_vat"), "10.17") << h7.body;  // 39.90 * 25.5 % = 10.1745
    auto unsupported = Post(f.trader, "/api/v1/declarations", "x", "text/plain");
    EXPECT_EQ(unsupported.status, 415u);
}

TEST(DeclarationsApi, ViolationsNameTheFieldInTheCallersLanguage) {
    Fixture f;
    auto bad = Replace(f.H1Json("API-BAD"), "\"CN\",\n  \"country_of_destination\"", "\"XX\",\n  \"country_of_destination\"");
    auto r = Post(f.trader, "/api/v1/declarations", bad, "application/json", {{"Accept-Language", "sv-FI, en;q=0.5"}});
    ASSERT_EQ(r.status, 422u) << r.body;
    ASSERT_TRUE(r.IsProblem());
    const auto& e = r.Json().at("errors").as_array().at(0);
    EXPECT_EQ(e.at("pointer"), "/country_of_dispatch");
    EXPECT_EQ(e.at("code"), "unknown_country");
    EXPECT_EQ(e.at("message"), "Okänd landskod XX (ISO 3166-1).");
    // No Accept-Language: the user's language (the demo trader's is Finnish).
    auto fi = Post(f.trader, "/api/v1/declarations", bad, "application/json");
    EXPECT_EQ(fi.Json().at("errors").as_array().at(0).at("message"), "Tuntematon maakoodi XX (ISO 3166-1).");
    // XML: XPath.
    auto xbad = Replace(f.H1Xml("API-BADX"), "<NetMass>800</NetMass>", "<NetMass>900</NetMass>");
    auto x = Post(f.trader, "/api/v1/declarations", xbad, "application/xml", {{"Accept-Language", "en"}});
    ASSERT_EQ(x.status, 422u);
    EXPECT_EQ(x.Json().at("errors").as_array().at(0).at("pointer"), "/Declaration/GoodsItem[1]/NetMass");
    EXPECT_EQ(f.trader.Get("/api/v1/declarations").Json().at("items").as_array().size() , 6u);  // the demo ones only
}

TEST(DeclarationsApi, BulkNdjsonAndXmlAnswerPerDeclaration) {
    Fixture f;
    auto line = [&](const std::string& lrn) {
        return boost::json::serialize(boost::json::parse(f.H1Json(lrn)));
    };
    std::string nd = line("BULK-1") + "\n" + line("BULK-2") + "\n{not json\n" + line("BULK-1") + "\n";
    auto r = Post(f.trader, "/api/v1/declarations/bulk", nd, "application/x-ndjson");
    ASSERT_EQ(r.status, 200u) << r.body;
    const auto& results = r.Json().at("results").as_array();
    ASSERT_EQ(results.size(), 4u);
    for (int i : {0, 1}) EXPECT_NE(results[i].at("status"), "invalid") << r.body;
    EXPECT_TRUE(results[0].as_object().contains("mrn"));
    EXPECT_EQ(results[2].at("status"), "invalid");
    EXPECT_EQ(results[2].at("index"), 2);
    EXPECT_EQ(results[3].at("status"), "existing");
    EXPECT_EQ(results[3].at("id"), results[0].at("id"));
    const auto one = f.H1Xml("BULK-X1");
    const auto inner = one.substr(one.find("<Declaration "));
    auto bad = Replace(Replace(inner, "BULK-X1", "BULK-X2"), "<InvoiceCurrency>EUR</InvoiceCurrency>",
                       "<InvoiceCurrency>EUX</InvoiceCurrency>");
    auto x = Post(f.trader, "/api/v1/declarations/bulk", "<Declarations>" + inner + bad + "</Declarations>",
                  "application/xml");
    ASSERT_EQ(x.status, 200u) << x.body;
    const auto& xr = x.Json().at("results").as_array();
    ASSERT_EQ(xr.size(), 2u);
    EXPECT_TRUE(xr[0].as_object().contains("mrn")) << x.body;
    EXPECT_EQ(xr[1].at("status"), "invalid");
    EXPECT_EQ(xr[1].at("violations").as_array().at(0).at("pointer"), "/Declarations/Declaration[2]/InvoiceCurrency");
}

TEST(DeclarationsApi, LifecycleAndIllegalTransitions) {
    Fixture f;
    auto a = Post(f.trader, "/api/v1/declarations", f.H1Json("LIFE-1"), "application/json");
    ASSERT_EQ(a.status, 201u);
    const std::string base = "/api/v1/declarations/" + std::to_string(a.Json().at("id").as_int64());
    const std::string state(a.Json().at("state").as_string());
    EXPECT_EQ(f.trader.PostJson(base + "/transitions", object{{"action", "release"}}).status, 403u);
    std::size_t transitions = 3;  // submit, accept, lane
    if (state == "under_documentary_control") {
        auto phys = f.officer.PostJson(base + "/transitions", object{{"action", "physical_control"}, {"reason", "check"}});
        ASSERT_EQ(phys.status, 200u) << phys.body;
        EXPECT_EQ(phys.Json().at("state"), "under_physical_control");
        ++transitions;
    }
    if (state != "released") {
        auto rel = f.officer.PostJson(base + "/transitions", object{{"action", "release"}, {"reason", "ok"}});
        ASSERT_EQ(rel.status, 200u) << rel.body;
        EXPECT_EQ(rel.Json().at("state"), "released");
        ++transitions;
    }
    // Released: no control action is legal any more.
    for (const char* action : {"refuse_release", "release", "documentary_control"}) {
        auto illegal = f.officer.PostJson(base + "/transitions", object{{"action", action}});
        EXPECT_EQ(illegal.status, 409u) << action;
        EXPECT_NE(illegal.Json().at("type").as_string().find("illegal-transition"), std::string::npos);
    }
    EXPECT_EQ(f.officer.PostJson(base + "/transitions", object{{"action", "fly"}}).status, 422u);
    EXPECT_EQ(f.trader.Delete(base).status, 409u);  // only drafts are deleted
    auto history = f.trader.Get(base + "/history");
    ASSERT_EQ(history.status, 200u);
    EXPECT_EQ(history.Json().at("items").as_array().size(), transitions);
    if (state != "released") {
        EXPECT_EQ(history.Json().at("items").as_array().back().at("actor"), "officer");
    }

    auto draft = Post(f.trader, "/api/v1/declarations?draft=true", f.H1Json("LIFE-2"), "application/json");
    ASSERT_EQ(draft.status, 201u);
    EXPECT_EQ(draft.Json().at("state"), "draft");
    EXPECT_TRUE(draft.Json().at("mrn").is_null());
    const std::string dbase = "/api/v1/declarations/" + std::to_string(draft.Json().at("id").as_int64());
    auto submitted = f.trader.PostJson(dbase + "/submit", object{});
    ASSERT_EQ(submitted.status, 200u) << submitted.body;
    EXPECT_FALSE(submitted.Json().at("mrn").is_null());
    EXPECT_FALSE(submitted.Json().at("lane").is_null());
    EXPECT_EQ(f.trader.PostJson(dbase + "/submit", object{}).status, 409u);

    auto inv = f.trader.PostJson(dbase + "/requests", object{{"kind", "invalidation"}, {"reason", "not shipped"}});
    ASSERT_EQ(inv.status, 201u) << inv.body;
    const auto rid = inv.Json().at("id").as_int64();
    EXPECT_EQ(f.trader.PostJson(dbase + "/requests/" + std::to_string(rid) + "/decision",
                                object{{"decision", "accepted"}}).status, 403u);
    auto decided = f.officer.PostJson(dbase + "/requests/" + std::to_string(rid) + "/decision",
                                      object{{"decision", "accepted"}, {"reason", "ok"}});
    ASSERT_EQ(decided.status, 200u) << decided.body;
    EXPECT_EQ(f.trader.Get(dbase).Json().at("state"), "invalidated");
    EXPECT_EQ(f.trader.Get(dbase + "/requests").Json().at("items").as_array().size(), 1u);

    auto d3 = Post(f.trader, "/api/v1/declarations?draft=true", f.H1Json("LIFE-3"), "application/json");
    const std::string d3base = "/api/v1/declarations/" + std::to_string(d3.Json().at("id").as_int64());
    EXPECT_EQ(f.trader.Delete(d3base).status, 204u);
    EXPECT_EQ(f.trader.Get(d3base).status, 404u);
}

TEST(DeclarationsApi, TradersSeeOnlyTheirOwnAndRepresentedDeclarations) {
    Fixture f;
    // The broker declares for Demo Import Oy (direct representation).
    auto body = Replace(f.H1Json("REP-1"), "\"declarant\": {\"identification_number\": \"" + f.own_eori,
                        "\"declarant\": {\"identification_number\": \"" + f.broker_eori);
    auto obj = boost::json::parse(body).as_object();
    obj["representative"] = object{{"identification_number", f.broker_eori}, {"status", "2"}};
    auto r = f.broker.PostJson("/api/v1/declarations", obj);
    ASSERT_EQ(r.status, 201u) << r.body;
    const std::string base = "/api/v1/declarations/" + std::to_string(r.Json().at("id").as_int64());
    EXPECT_EQ(f.broker.Get(base).status, 200u);
    EXPECT_EQ(f.trader.Get(base).status, 200u);  // the represented importer
    for (const auto& path : {base, base + "/history", base + "/requests"}) EXPECT_EQ(f.outsider.Get(path).status, 404u) << path;
    EXPECT_EQ(f.outsider.PostJson(base + "/requests", object{{"kind", "invalidation"}, {"reason", "x"}}).status, 404u);
    EXPECT_EQ(f.outsider.PostJson(base + "/submit", object{}).status, 404u);
    EXPECT_EQ(f.outsider.Delete(base).status, 404u);
    EXPECT_TRUE(f.outsider.Get("/api/v1/declarations").Json().at("items").as_array().empty());
    EXPECT_EQ(f.broker.Get("/api/v1/declarations").Json().at("items").as_array().size(), 1u);
    // The outsider cannot lodge in the importer's name either: its declarant must be its own EORI.
    auto foreign = Post(f.outsider, "/api/v1/declarations", f.H1Json("REP-2"), "application/json");
    EXPECT_EQ(foreign.status, 422u);
    EXPECT_EQ(f.officer.Get(base).status, 200u);
}

}  // namespace
}  // namespace customsdesk::apitest

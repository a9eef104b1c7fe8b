// API tests against the real server binary, on SQLite and on PostgreSQL (registered for both).
#include <gtest/gtest.h>

#include <set>

#include "test_server.hpp"

namespace customsdesk::apitest {
namespace {

using boost::json::object;
using boost::json::value;

std::int64_t OrganisationCount(Client& staff) {
    std::int64_t n = 0;
    std::string cursor;
    for (;;) {
        auto r = staff.Get("/api/v1/organisations?limit=500" + (cursor.empty() ? "" : "&cursor=" + cursor));
        EXPECT_EQ(r.status, 200u) << r.body;
        auto v = r.Json();
        n += static_cast<std::int64_t>(v.at("items").as_array().size());
        if (v.at("next_cursor").is_null()) break;
        cursor = std::string(v.at("next_cursor").as_string());
    }
    return n;
}

object NewOrganisation(const std::string& name, const std::string& business_id) {
    return {{"name", name}, {"business_id", business_id}, {"languages", {"fi"}}, {"roles", {"importer"}}};
}

// Business IDs valid by the check digit rule, distinct from the demo data's.
const char* kIds[] = {"0737546-2", "1572860-0", "2331972-7", "0201256-6", "1234567-1", "7654321-2"};

TEST(Api, HealthReadinessMetricsAndOpenApi) {
    TestServer server;
    Client c(server.port());
    auto h = c.Get("/healthz");
    EXPECT_EQ(h.status, 200u);
    EXPECT_EQ(h.Json().at("status"), "ok");
    EXPECT_EQ(c.Get("/readyz").status, 200u);
    auto doc = c.Get("/api/v1/openapi.json");
    EXPECT_EQ(doc.status, 200u);
    EXPECT_EQ(doc.Json().at("openapi"), "3.1.0");
    auto m = c.Get("/metrics");
    EXPECT_EQ(m.status, 200u);
    EXPECT_NE(m.body.find("customsdesk_http_requests_total{route=\"/healthz\",method=\"GET\",status=\"200\"} 1"),
              std::string::npos)
        << m.body;
    EXPECT_NE(m.body.find("customsdesk_http_request_duration_seconds_bucket"), std::string::npos);
    EXPECT_NE(m.body.find("customsdesk_db_connections"), std::string::npos);
    EXPECT_NE(m.body.find("customsdesk_db_wal_checkpoints_total "), std::string::npos);
    EXPECT_NE(m.body.find("customsdesk_db_syncs_total "), std::string::npos);
}

TEST(Api, EveryProtectedRouteNeedsLogin) {
    TestServer server;
    Client c(server.port());
    const auto doc = c.Get("/api/v1/openapi.json").Json();
    int checked = 0;
    for (const auto& path : doc.at("paths").as_object()) {
        for (const auto& op : path.value().as_object()) {
            const auto& o = op.value().as_object();
            if (o.contains("security") && o.at("security").as_array().empty()) continue;
            std::string target(path.key());
            for (auto p = target.find('{'); p != std::string::npos; p = target.find('{')) {
                target.replace(p, target.find('}', p) - p + 1, "1");
            }
            std::string method(op.key());
            for (char& ch : method) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
            auto r = c.Request(method, target, "{}", {{"Content-Type", "application/json"}});
            EXPECT_EQ(r.status, 401u) << method << " " << target;
            EXPECT_TRUE(r.IsProblem()) << r.body;
            ++checked;
        }
    }
    EXPECT_GE(checked, 12);
    // A made-up bearer token and a made-up cookie are refused too.
    c.UseToken("cdk_not-a-real-token");
    EXPECT_EQ(c.Get("/api/v1/me").status, 401u);
    c.Forget();
    EXPECT_EQ(c.Request("GET", "/api/v1/me", "", {{"Cookie", "cd_session=forged"}}).status, 401u);
}

TEST(Api, LoginSessionCookieMeAndLogout) {
    TestServer server;
    Client c(server.port());
    auto bad = c.Login("agent", "wrong-password");
    EXPECT_EQ(bad.status, 401u);
    EXPECT_TRUE(bad.IsProblem());
    EXPECT_EQ(c.Login("no-such-user", "whatever-password").status, 401u);
    auto ok = c.Login("agent", "demo-agent-pass");
    ASSERT_EQ(ok.status, 200u) << ok.body;
    const auto cookie = ok.Header("set-cookie");
    EXPECT_NE(cookie.find("HttpOnly"), std::string::npos);
    EXPECT_NE(cookie.find("SameSite=Strict"), std::string::npos);
    EXPECT_EQ(cookie.find("Secure"), std::string::npos);  // plain HTTP on loopback
    auto me = c.Get("/api/v1/me");
    ASSERT_EQ(me.status, 200u);
    EXPECT_EQ(me.Json().at("username"), "agent");
    EXPECT_EQ(me.Json().at("auth"), "session");
    EXPECT_EQ(me.Json().at("csrf_token"), value(c.csrf()));
    EXPECT_EQ(c.Request("POST", "/api/v1/auth/logout").status, 204u);
    EXPECT_EQ(c.Get("/api/v1/me").status, 401u);
}

TEST(Api, SecureCookieBehindTlsProxy) {
    TestServer server({"--trust-proxy"});
    Client c(server.port());
    auto r = c.Request("POST", "/api/v1/auth/login", R"({"username":"agent","password":"demo-agent-pass"})",
                       {{"Content-Type", "application/json"}, {"X-Forwarded-Proto", "https"}});
    ASSERT_EQ(r.status, 200u);
    EXPECT_NE(r.Header("set-cookie").find("; Secure"), std::string::npos);
}

TEST(Api, CsrfTokenRequiredForCookieSessions) {
    TestServer server;
    Client c(server.port());
    ASSERT_EQ(c.Login("agent", "demo-agent-pass").status, 200u);
    c.SetSendCsrf(false);
    auto r = c.PostJson("/api/v1/organisations", NewOrganisation("Csrf Oy", kIds[0]));
    EXPECT_EQ(r.status, 403u);
    EXPECT_TRUE(r.IsProblem());
    EXPECT_NE(r.Json().at("type").as_string().find("csrf"), std::string::npos);
    r = c.Request("POST", "/api/v1/organisations", boost::json::serialize(NewOrganisation("Csrf Oy", kIds[0])),
                  {{"Content-Type", "application/json"}, {"X-CSRF-Token", "guessed"}});
    EXPECT_EQ(r.status, 403u);
    c.SetSendCsrf(true);
    EXPECT_EQ(c.PostJson("/api/v1/organisations", NewOrganisation("Csrf Oy", kIds[0])).status, 201u);
}

TEST(Api, FailedLoginsAreThrottled) {
    TestServer server;
    Client c(server.port());
    for (int i = 0; i < 5; ++i) EXPECT_EQ(c.Login("kam", "wrong-password-" + std::to_string(i)).status, 401u);
    auto r = c.Login("kam", "demo-kam-pass");  // even the right password waits now
    EXPECT_EQ(r.status, 429u);
    EXPECT_TRUE(r.IsProblem());
    EXPECT_FALSE(r.Header("retry-after").empty());
    EXPECT_EQ(c.Login("agent", "demo-agent-pass").status, 200u);  // other accounts are unaffected
}

TEST(Api, ApiTokensShownOnceAndRevocable) {
    TestServer server;
    Client admin(server.port());
    ASSERT_EQ(admin.Login("admin", "demo-admin-pass").status, 200u);
    auto created = admin.PostJson("/api/v1/tokens", object{{"name", "ERP integration"}, {"username", "agent"}});
    ASSERT_EQ(created.status, 201u) << created.body;
    const std::string secret(created.Json().at("token").as_string());
    const auto id = created.Json().at("id").as_int64();
    EXPECT_TRUE(secret.starts_with("cdk_"));

    Client system(server.port());
    system.UseToken(secret);
    auto me = system.Get("/api/v1/me");
    ASSERT_EQ(me.status, 200u);
    EXPECT_EQ(me.Json().at("username"), "agent");
    EXPECT_EQ(me.Json().at("auth"), "token");
    // Bearer requests need no CSRF token.
    EXPECT_EQ(system.PostJson("/api/v1/organisations", NewOrganisation("Token Oy", kIds[1])).status, 201u);

    auto list = admin.Get("/api/v1/tokens");
    EXPECT_EQ(list.body.find(secret), std::string::npos);
    EXPECT_EQ(admin.Delete("/api/v1/tokens/" + std::to_string(id)).status, 204u);
    EXPECT_EQ(system.Get("/api/v1/me").status, 401u);

    // Only administrators make tokens for others.
    Client agent(server.port());
    ASSERT_EQ(agent.Login("agent", "demo-agent-pass").status, 200u);
    EXPECT_EQ(agent.PostJson("/api/v1/tokens", object{{"name", "x"}, {"username", "kam"}}).status, 403u);
    EXPECT_EQ(agent.PostJson("/api/v1/tokens", object{{"name", "mine"}}).status, 201u);
}

TEST(Api, OrganisationLifecycleWithHistory) {
    TestServer server;
    Client c(server.port());
    ASSERT_EQ(c.Login("agent", "demo-agent-pass").status, 200u);
    auto created = c.PostJson("/api/v1/organisations",
                              object{{"name", "Kuopion Kauppa Oy"},
                                     {"business_id", kIds[2]},
                                     {"eori", std::string("FI") + kIds[2]},
                                     {"addresses", {object{{"street", "Puijonkatu 1"},
                                                           {"postal_code", "70100"},
                                                           {"city", "Kuopio"},
                                                           {"country", "FI"}}}}});
    ASSERT_EQ(created.status, 201u) << created.body;
    const auto id = created.Json().at("id").as_int64();
    const std::string url = "/api/v1/organisations/" + std::to_string(id);
    EXPECT_EQ(created.Header("location"), url);

    auto got = c.Get(url);
    ASSERT_EQ(got.status, 200u);
    EXPECT_EQ(got.Header("etag"), "\"1\"");
    EXPECT_EQ(got.Json().at("addresses").as_array()[0].at("city"), "Kuopio");

    auto patched = c.PatchJson(url, object{{"name", "Kuopion Kauppa Oyj"}, {"status", "non_active"}},
                               {{"If-Match", "\"1\""}});
    ASSERT_EQ(patched.status, 200u) << patched.body;
    EXPECT_EQ(patched.Json().at("version").as_int64(), 2);
    auto stale = c.PatchJson(url, object{{"name", "Stale"}}, {{"If-Match", "\"1\""}});
    EXPECT_EQ(stale.status, 412u);
    EXPECT_TRUE(stale.IsProblem());

    auto history = c.Get(url + "/history");
    ASSERT_EQ(history.status, 200u);
    const auto& items = history.Json().at("items").as_array();
    ASSERT_EQ(items.size(), 2u);
    EXPECT_EQ(items[0].at("action"), "update");
    EXPECT_EQ(items[0].at("actor").at("name"), "agent");
    bool saw_name = false;
    for (const auto& ch : items[0].at("changes").as_array()) {
        if (ch.at("field") == "name") {
            saw_name = true;
            EXPECT_EQ(ch.at("old"), "Kuopion Kauppa Oy");
            EXPECT_EQ(ch.at("new"), "Kuopion Kauppa Oyj");
        }
    }
    EXPECT_TRUE(saw_name);
    EXPECT_EQ(items[1].at("action"), "create");

    EXPECT_EQ(c.Delete(url).status, 204u);
    EXPECT_EQ(c.Get(url).status, 404u);
    EXPECT_EQ(c.Get(url + "/history").Json().at("items").as_array()[0].at("action"), "delete");
    // The Business ID is free again after a soft delete.
    EXPECT_EQ(c.PostJson("/api/v1/organisations", NewOrganisation("Uusi Oy", kIds[2])).status, 201u);
}

TEST(Api, ListingPagesFiltersAndCursor) {
    TestServer server;
    Client c(server.port());
    ASSERT_EQ(c.Login("agent", "demo-agent-pass").status, 200u);
    for (int i = 0; i < 4; ++i) {
        ASSERT_EQ(c.PostJson("/api/v1/organisations", NewOrganisation("Sivutus " + std::to_string(i), kIds[i])).status,
                  201u);
    }
    std::set<std::int64_t> seen;
    std::string cursor;
    std::string last_name;
    int pages = 0;
    for (;;) {
        auto r = c.Get("/api/v1/organisations?limit=3" + (cursor.empty() ? "" : "&cursor=" + cursor));
        ASSERT_EQ(r.status, 200u) << r.body;
        auto v = r.Json();
        for (const auto& o : v.at("items").as_array()) {
            EXPECT_TRUE(seen.insert(o.at("id").as_int64()).second);
            const std::string name(o.at("name").as_string());
            EXPECT_LE(last_name, name);
            last_name = name;
        }
        ++pages;
        if (v.at("next_cursor").is_null()) break;
        cursor = std::string(v.at("next_cursor").as_string());
    }
    EXPECT_EQ(seen.size(), static_cast<std::size_t>(kDemoOrganisations + 4));
    EXPECT_EQ(pages, 4);
    auto prefix = c.Get("/api/v1/organisations?q=sivu");
    EXPECT_EQ(prefix.Json().at("items").as_array().size(), 4u);
    auto role = c.Get("/api/v1/organisations?role=carrier");
    EXPECT_EQ(role.Json().at("items").as_array().size(), 2u);
    auto bad = c.Get("/api/v1/organisations?limit=0&status=sleeping&cursor=@@");
    EXPECT_EQ(bad.status, 422u);
    ASSERT_TRUE(bad.IsProblem());
    std::set<std::string> pointers;
    for (const auto& e : bad.Json().at("errors").as_array()) pointers.insert(std::string(e.at("pointer").as_string()));
    EXPECT_EQ(pointers, (std::set<std::string>{"/query/limit", "/query/status", "/query/cursor"}));
}

TEST(Api, DuplicatesRefusedWithPointerToExisting) {
    TestServer server;
    Client c(server.port());
    ASSERT_EQ(c.Login("agent", "demo-agent-pass").status, 200u);
    auto first = c.PostJson("/api/v1/organisations", NewOrganisation("Alkuperäinen Oy", kIds[3]));
    ASSERT_EQ(first.status, 201u);
    auto dup = c.PostJson("/api/v1/organisations", NewOrganisation("Kopio Oy", kIds[3]));
    EXPECT_EQ(dup.status, 409u);
    ASSERT_TRUE(dup.IsProblem());
    EXPECT_EQ(dup.Json().at("errors").as_array()[0].at("pointer"), "/business_id");
    EXPECT_NE(dup.Json().at("detail").as_string().find(first.Header("location")), std::string::npos);
}

TEST(Api, HierarchyCyclesRefused) {
    TestServer server;
    Client c(server.port());
    ASSERT_EQ(c.Login("agent", "demo-agent-pass").status, 200u);
    auto a = c.PostJson("/api/v1/organisations", NewOrganisation("Emo Oy", kIds[0])).Json().at("id").as_int64();
    auto child = NewOrganisation("Tytär Oy", kIds[1]);
    child["parent_id"] = a;
    auto b = c.PostJson("/api/v1/organisations", child);
    ASSERT_EQ(b.status, 201u);
    auto r = c.PatchJson("/api/v1/organisations/" + std::to_string(a),
                         object{{"parent_id", b.Json().at("id").as_int64()}});
    EXPECT_EQ(r.status, 422u);
    EXPECT_EQ(r.Json().at("errors").as_array()[0].at("code"), "cycle");
    EXPECT_EQ(c.Delete("/api/v1/organisations/" + std::to_string(a)).status, 409u);  // has a child
    auto kids = c.Get("/api/v1/organisations?parent_id=" + std::to_string(a));
    EXPECT_EQ(kids.Json().at("items").as_array().size(), 1u);
}

TEST(Api, TraderSeesOnlyOwnOrganisation) {
    TestServer server;
    Client trader(server.port());
    auto login = trader.Login("trader", "demo-trader-pass");
    ASSERT_EQ(login.status, 200u);
    const auto own = login.Json().at("user").at("organisation_id").as_int64();
    const std::string own_url = "/api/v1/organisations/" + std::to_string(own);

    auto list = trader.Get("/api/v1/organisations?limit=500");
    ASSERT_EQ(list.status, 200u);
    ASSERT_EQ(list.Json().at("items").as_array().size(), 1u);
    EXPECT_EQ(list.Json().at("items").as_array()[0].at("id"), own);
    EXPECT_EQ(trader.Get("/api/v1/organisations?parent_id=" + std::to_string(own)).Json().at("items").as_array().size(),
              0u);

    for (std::int64_t other = 1; other <= kDemoOrganisations + 1; ++other) {
        if (other == own) continue;
        const std::string url = "/api/v1/organisations/" + std::to_string(other);
        for (const auto& r : {trader.Get(url), trader.PatchJson(url, object{{"languages", {"sv"}}}),
                              trader.Delete(url), trader.Get(url + "/history")}) {
            EXPECT_EQ(r.status, 404u) << url << " " << r.body;
            EXPECT_TRUE(r.IsProblem());
        }
    }
    // Own organisation: readable, addresses and languages editable, the rest not.
    EXPECT_EQ(trader.Get(own_url).status, 200u);
    EXPECT_EQ(trader.Get(own_url + "/history").status, 200u);
    auto rename = trader.PatchJson(own_url, object{{"name", "Renamed"}, {"languages", {"en"}}});
    EXPECT_EQ(rename.status, 403u);
    ASSERT_TRUE(rename.IsProblem());
    EXPECT_EQ(rename.Json().at("errors").as_array()[0].at("pointer"), "/name");
    EXPECT_EQ(trader.PatchJson(own_url, object{{"languages", {"en", "fi"}}}).status, 200u);
    EXPECT_EQ(trader.PostJson("/api/v1/organisations", NewOrganisation("Oma Oy", kIds[4])).status, 403u);
    EXPECT_EQ(trader.Delete(own_url).status, 403u);
    EXPECT_EQ(trader.Get("/api/v1/users").status, 403u);
}

TEST(Api, AdministratorsManageUsers) {
    TestServer server;
    Client admin(server.port());
    ASSERT_EQ(admin.Login("admin", "demo-admin-pass").status, 200u);
    auto created = admin.PostJson("/api/v1/users", object{{"username", "Officer2"},
                                                          {"display_name", "Second Officer"},
                                                          {"password", "long-enough-password"},
                                                          {"roles", {"officer"}}});
    ASSERT_EQ(created.status, 201u) << created.body;
    EXPECT_EQ(created.Json().at("username"), "officer2");
    EXPECT_EQ(created.body.find("password"), std::string::npos);
    auto invalid = admin.PostJson("/api/v1/users", object{{"username", "t"},
                                                          {"display_name", ""},
                                                          {"password", "short"},
                                                          {"roles", {"trader", "wizard"}}});
    EXPECT_EQ(invalid.status, 422u);
    EXPECT_GE(invalid.Json().at("errors").as_array().size(), 4u);

    Client officer(server.port());
    ASSERT_EQ(officer.Login("officer2", "long-enough-password").status, 200u);
    EXPECT_EQ(officer.Get("/api/v1/users").status, 403u);
    EXPECT_EQ(admin.PatchJson("/api/v1/users/officer2", object{{"disabled", true}}).status, 200u);
    EXPECT_EQ(officer.Get("/api/v1/me").status, 401u);  // the session ended with the account
    EXPECT_EQ(officer.Login("officer2", "long-enough-password").status, 401u);
}

TEST(Api, BadInputGetsProblemsAndChangesNothing) {
    TestServer server({"--body-limit", "65536"});
    Client c(server.port());
    ASSERT_EQ(c.Login("agent", "demo-agent-pass").status, 200u);
    const auto before = OrganisationCount(c);
    auto post = [&](const std::string& body, const std::string& type = "application/json") {
        return c.Request("POST", "/api/v1/organisations", body, {{"Content-Type", type}});
    };
    struct Case {
        std::string what;
        HttpResult r;
        unsigned status;
    };
    std::vector<Case> cases;
    cases.push_back({"malformed JSON", post(R"({"name": "X", )"), 400});
    cases.push_back({"not an object", post("[1,2,3]"), 422});
    cases.push_back({"invalid UTF-8", post(std::string("{\"name\":\"\xC3\x28\",\"business_id\":\"0737546-2\"}")), 400});
    cases.push_back({"wrong types", post(R"({"name": 42, "business_id": true})"), 422});
    cases.push_back({"unknown field", post(R"({"name": "X", "business_id": "0737546-2", "shoe_size": 42})"), 422});
    cases.push_back({"wrong content type", post(R"({"name": "X"})", "text/plain"), 415});
    cases.push_back({"body over the limit", post(std::string(70000, ' ')), 413});
    cases.push_back({"very long URL", c.Get("/api/v1/organisations?q=" + std::string(20000, 'a')), 414});
    cases.push_back({"unknown route", c.Get("/api/v1/nothing-here"), 404});
    cases.push_back({"wrong method", c.Request("PUT", "/api/v1/organisations"), 405});
    cases.push_back({"non-numeric id", c.Get("/api/v1/organisations/abc"), 404});
    cases.push_back({"bad percent-encoding", c.Get("/api/v1/organisations/%zz"), 400});
    for (const auto& k : cases) {
        EXPECT_EQ(k.r.status, k.status) << k.what << ": " << k.r.body;
        EXPECT_TRUE(k.r.IsProblem()) << k.what << ": " << k.r.body;
    }
    EXPECT_FALSE(cases[5].r.Json().at("type").as_string().empty());
    EXPECT_FALSE(cases[9].r.Header("allow").empty());
    // Field pointers name the wrong fields.
    std::set<std::string> pointers;
    for (const auto& e : cases[3].r.Json().at("errors").as_array()) {
        pointers.insert(std::string(e.at("pointer").as_string()));
    }
    EXPECT_EQ(pointers, (std::set<std::string>{"/name", "/business_id"}));
    // Garbage on the socket gets a 400 and does not hurt the server.
    const auto raw = c.Raw("THIS IS NOT HTTP\r\n\r\n");
    EXPECT_TRUE(raw.empty() || raw.starts_with("HTTP/1.1 400")) << raw;
    EXPECT_TRUE(server.running());
    EXPECT_EQ(c.Get("/healthz").status, 200u);
    EXPECT_EQ(OrganisationCount(c), before);
}

TEST(Api, AcknowledgedWritesSurviveKill9) {
    TestServer server;
    Client c(server.port());
    ASSERT_EQ(c.Login("agent", "demo-agent-pass").status, 200u);
    std::vector<std::int64_t> ids;
    for (int i = 0; i < 5; ++i) {
        auto r = c.PostJson("/api/v1/organisations", NewOrganisation("Kestävä " + std::to_string(i), kIds[i]));
        ASSERT_EQ(r.status, 201u);
        ids.push_back(r.Json().at("id").as_int64());
    }
    server.Kill();
    server.Restart();
    Client again(server.port());
    ASSERT_EQ(again.Login("agent", "demo-agent-pass").status, 200u);
    for (auto id : ids) EXPECT_EQ(again.Get("/api/v1/organisations/" + std::to_string(id)).status, 200u) << id;
}

TEST(Api, SigtermStopsCleanly) {
    TestServer server;
    Client c(server.port());
    EXPECT_EQ(c.Get("/healthz").status, 200u);
    EXPECT_EQ(server.Terminate(), 0);
}

}  // namespace
}  // namespace customsdesk::apitest

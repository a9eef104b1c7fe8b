// The service desk through the real binary, on SQLite and PostgreSQL: a trader files a request that
// the shipped routing table sends to EDI support; the workflow refuses illegal transitions (409);
// customer replies reopen within the window and open a linked follow-up after closing; traders never
// see other organisations' requests (404 on every endpoint) nor internal notes (not in the thread,
// the counts or the history); form validation gives 422 with /form/<key> pointers; attachment
// limits; merging, links, tags, escalation, canned responses, phone requests, form versions.
#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "test_database.hpp"
#include "test_server.hpp"

namespace customsdesk::apitest {
namespace {

using boost::json::object;

const std::string kBase = "/api/v1/servicedesk";
const std::string kMine = "/api/v1/servicedesk/requests?q=zq-";

std::size_t Total(Client& c) {
    return c.Get("/api/v1/servicedesk/requests?limit=200").Json().at("items").as_array().size();
}

std::string Req(std::int64_t id, const std::string& tail = "") {
    return kBase + "/requests/" + std::to_string(id) + tail;
}

// The server runs with the demo data (three dozen requests): the tests' own requests carry this
// token in their subjects and lists are filtered by it.
const std::string kToken = "zq-";

object Malfunction(const std::string& subject) {
    return {{"type", "malfunction_report"},
            {"subject", kToken + subject},
            {"body", "Our IE415 messages are rejected."},
            {"form", object{{"system", "edi_messages"}, {"occurred_on", "2026-11-20"}}}};
}

object Question(const std::string& subject) {
    return {{"type", "question"}, {"subject", kToken + subject}, {"body", "How?"}, {"form", object{{"topic", "origin"}}}};
}

std::vector<std::string> Pointers(const HttpResult& r) {
    std::vector<std::string> out;
    if (!r.Json().as_object().contains("errors")) return out;
    for (const auto& e : r.Json().at("errors").as_array()) out.emplace_back(e.at("pointer").as_string());
    return out;
}

bool HasPointer(const HttpResult& r, const std::string& p) {
    const auto ps = Pointers(r);
    return std::find(ps.begin(), ps.end(), p) != ps.end();
}

std::int64_t Id(const HttpResult& r) { return r.Json().at("id").as_int64(); }

struct Desk {
    TestServer server;
    Client admin{server.port()}, agent{server.port()}, trader{server.port()}, trader2{server.port()};
    Desk() {
        EXPECT_EQ(admin.Login("admin", "demo-admin-pass").status, 200u);
        EXPECT_EQ(agent.Login("agent", "demo-agent-pass").status, 200u);
        EXPECT_EQ(trader.Login("trader", "demo-trader-pass").status, 200u);
        auto made = admin.PostJson("/api/v1/users", object{{"username", "trader2"},
                                                           {"display_name", "Other Trader"},
                                                           {"password", "other-trader-pass"},
                                                           {"roles", {"trader"}},
                                                           {"organisation_id", 2}});
        EXPECT_EQ(made.status, 201u) << made.body;
        EXPECT_EQ(trader2.Login("trader2", "other-trader-pass").status, 200u);
    }
};

TEST(ServiceDeskApi, TypesFormsAndGroupsAreData) {
    Desk d;
    auto types = d.trader.Get(kBase + "/request-types");
    ASSERT_EQ(types.status, 200u) << types.body;
    std::vector<std::string> keys;
    for (const auto& t : types.Json().at("items").as_array()) keys.emplace_back(t.at("key").as_string());
    EXPECT_EQ(keys, (std::vector<std::string>{"service_request", "change_report", "malfunction_report",
                                              "development_proposal", "question", "feedback", "complaint"}));
    auto groups = d.agent.Get(kBase + "/groups");
    ASSERT_EQ(groups.status, 200u);
    EXPECT_EQ(groups.Json().at("items").as_array().at(0).at("key"), "customer_service");

    // Only administrators change forms; a new version keeps the old one.
    object form{{"fields", boost::json::array{object{{"key", "rating"},
                                                     {"type", "number"},
                                                     {"required", true},
                                                     {"min", 1},
                                                     {"max", 10},
                                                     {"label", object{{"fi", "Arvio"}, {"sv", "Betyg"}, {"en", "Rating"}}}}}},
                {"comment", "1-10 scale"}};
    EXPECT_EQ(d.agent.Request("PUT", kBase + "/request-types/feedback/form", boost::json::serialize(form),
                              {{"Content-Type", "application/json"}})
                  .status,
              403u);
    auto bad = d.admin.Request("PUT", kBase + "/request-types/feedback/form",
                               R"({"fields":[{"key":"x","type":"select","label":{"fi":"a","sv":"b","en":"c"}}]})",
                               {{"Content-Type", "application/json"}});
    EXPECT_EQ(bad.status, 422u) << bad.body;
    EXPECT_TRUE(HasPointer(bad, "/fields/0/options")) << bad.body;
    auto put = d.admin.Request("PUT", kBase + "/request-types/feedback/form", boost::json::serialize(form),
                               {{"Content-Type", "application/json"}});
    ASSERT_EQ(put.status, 200u) << put.body;
    EXPECT_EQ(put.Json().at("form_version"), 2);
    auto versions = d.agent.Get(kBase + "/request-types/feedback/form-versions");
    ASSERT_EQ(versions.status, 200u);
    EXPECT_EQ(versions.Json().at("items").as_array().size(), 2u);
    // Submissions are validated against the new version.
    auto ok = d.trader.PostJson(kBase + "/requests", object{{"type", "feedback"},
                                                            {"subject", "Great"},
                                                            {"body", "Thanks"},
                                                            {"form", object{{"rating", 9}}}});
    EXPECT_EQ(ok.status, 201u) << ok.body;
    EXPECT_EQ(ok.Json().at("form_version"), 2);
}

TEST(ServiceDeskApi, FormValidationPointsAtFields) {
    Desk d;
    const auto before = Total(d.agent);
    auto r = d.trader.PostJson(kBase + "/requests",
                               object{{"type", "malfunction_report"},
                                      {"subject", ""},
                                      {"body", "x"},
                                      {"priority", "asap"},
                                      {"form", object{{"system", "fax"}, {"occurred_on", "2026-02-30"},
                                                      {"message_reference", "bad ref!"}, {"colour", "red"}}}});
    ASSERT_EQ(r.status, 422u) << r.body;
    EXPECT_TRUE(r.IsProblem());
    for (const char* p : {"/subject", "/priority", "/form/system", "/form/occurred_on", "/form/message_reference",
                          "/form/colour"}) {
        EXPECT_TRUE(HasPointer(r, p)) << p << " in " << r.body;
    }
    auto missing = d.trader.PostJson(kBase + "/requests",
                                     object{{"type", "complaint"}, {"subject", "s"}, {"body", "b"}, {"form", object{}}});
    ASSERT_EQ(missing.status, 422u);
    EXPECT_EQ(Pointers(missing), std::vector<std::string>{"/form/remedy"});
    auto type = d.trader.PostJson(kBase + "/requests", object{{"type", "chat"}, {"subject", "s"}, {"body", "b"}});
    ASSERT_EQ(type.status, 422u);
    EXPECT_TRUE(HasPointer(type, "/type"));
    // Nothing was written.
    EXPECT_EQ(Total(d.agent), before);
}

TEST(ServiceDeskApi, RoutingWorkflowRepliesAndReopen) {
    Desk d;
    auto created = d.trader.PostJson(kBase + "/requests", Malfunction("EDI down"));
    ASSERT_EQ(created.status, 201u) << created.body;
    const auto id = Id(created);
    EXPECT_EQ(created.Json().at("number").as_string().subview(0, 3), "SR-");
    EXPECT_EQ(created.Json().at("group"), "edi_support");  // the routing table
    EXPECT_EQ(created.Json().at("tier"), "support");
    EXPECT_EQ(created.Json().at("status"), "new");
    EXPECT_EQ(created.Json().at("channel"), "portal");
    EXPECT_FALSE(created.Json().as_object().contains("routing"));  // internal
    // The SLA policy (no customer group: the default policy) with due times in the JSON.
    EXPECT_EQ(created.Json().at("sla").at("policy_name"), "Default");
    EXPECT_EQ(created.Json().at("sla").at("state"), "on_track");
    EXPECT_FALSE(created.Json().at("sla").at("metrics").at("first_response").at("due_at").is_null());
    EXPECT_EQ(created.Json().at("due_at"), created.Json().at("sla").at("due_at"));
    EXPECT_EQ(d.agent.Get(kMine + "&sla_state=on_track").Json().at("items").as_array().size(), 1u);
    EXPECT_EQ(d.agent.Get(kMine + "&sla_state=breached").Json().at("items").as_array().size(), 0u);
    EXPECT_EQ(d.agent.Get(kBase + "/requests?sla_state=late").status, 422u);
    auto q = d.trader.PostJson(kBase + "/requests", Question("Origin rules"));
    ASSERT_EQ(q.status, 201u);
    EXPECT_EQ(q.Json().at("group"), "customer_service");  // one contact principle
    EXPECT_NE(q.Json().at("number"), created.Json().at("number"));
    auto staff_view = d.agent.Get(Req(id));
    EXPECT_EQ(staff_view.Json().at("routing").at("group"), "edi_support");
    EXPECT_EQ(staff_view.Json().at("routing").at("version"), 1);

    // Illegal transitions are refused with 409 and change nothing.
    auto illegal = d.agent.PostJson(Req(id, "/status"), object{{"status", "closed"}});
    EXPECT_EQ(illegal.status, 409u) << illegal.body;
    EXPECT_NE(illegal.body.find("illegal-transition"), std::string::npos);
    EXPECT_EQ(d.agent.PostJson(Req(id, "/status"), object{{"status", "pending"}}).status, 422u);
    EXPECT_EQ(d.agent.Get(Req(id)).Json().at("status"), "new");
    // The trader may not move its request along.
    EXPECT_EQ(d.trader.PostJson(Req(id, "/status"), object{{"status", "open"}}).status, 403u);

    // An agent's reply opens it and records the first response.
    auto reply = d.agent.PostJson(Req(id, "/replies"), object{{"body", "Please send the MRN."}, {"status", "pending_customer"}});
    ASSERT_EQ(reply.status, 201u) << reply.body;
    EXPECT_EQ(reply.Json().at("request").at("status"), "pending_customer");
    EXPECT_FALSE(reply.Json().at("request").at("first_response_at").is_null());
    // The customer's answer reopens it.
    auto answer = d.trader.PostJson(Req(id, "/replies"), object{{"body", "MRN 26FI000000000001"}});
    ASSERT_EQ(answer.status, 201u) << answer.body;
    EXPECT_EQ(answer.Json().at("request").at("status"), "open");
    EXPECT_EQ(answer.Json().at("message").at("direction"), "customer");
    // Resolve; a customer reply within the window reopens it.
    ASSERT_EQ(d.agent.PostJson(Req(id, "/status"), object{{"status", "resolved"}}).status, 200u);
    auto again = d.trader.PostJson(Req(id, "/replies"), object{{"body", "Still broken"}});
    ASSERT_EQ(again.status, 201u);
    EXPECT_TRUE(again.Json().at("reopened").as_bool());
    EXPECT_EQ(again.Json().at("request").at("id"), id);
    EXPECT_EQ(again.Json().at("request").at("status"), "open");
    // Resolve and close; a reply then opens a new request linked to the old one.
    ASSERT_EQ(d.agent.PostJson(Req(id, "/status"), object{{"status", "resolved"}}).status, 200u);
    ASSERT_EQ(d.trader.PostJson(Req(id, "/status"), object{{"status", "closed"}}).status, 200u);
    EXPECT_EQ(d.agent.PostJson(Req(id, "/status"), object{{"status", "open"}}).status, 409u);
    auto late = d.trader.PostJson(Req(id, "/replies"), object{{"body", "It happened again"}});
    ASSERT_EQ(late.status, 201u) << late.body;
    EXPECT_TRUE(late.Json().at("follow_up").as_bool());
    const auto follow = late.Json().at("request").at("id").as_int64();
    EXPECT_NE(follow, id);
    auto links = d.trader.Get(Req(follow, "/links"));
    ASSERT_EQ(links.status, 200u);
    ASSERT_EQ(links.Json().at("items").as_array().size(), 1u);
    EXPECT_EQ(links.Json().at("items").as_array()[0].at("kind"), "follow_up_of");
    EXPECT_EQ(links.Json().at("items").as_array()[0].at("to_id"), id);

    // Every change is in the history.
    auto hist = d.agent.Get(Req(id, "/history?limit=200"));
    ASSERT_EQ(hist.status, 200u);
    int status_changes = 0;
    for (const auto& e : hist.Json().at("items").as_array())
        for (const auto& c : e.at("changes").as_array())
            if (c.at("field") == "status") ++status_changes;
    EXPECT_GE(status_changes, 6);
}

TEST(ServiceDeskApi, TradersSeeOnlyTheirOrganisationAndNeverNotes) {
    Desk d;
    auto mine = d.trader.PostJson(kBase + "/requests", Question("Mine"));
    ASSERT_EQ(mine.status, 201u);
    auto theirs = d.trader2.PostJson(kBase + "/requests", Question("Theirs"));
    ASSERT_EQ(theirs.status, 201u) << theirs.body;
    const auto my_id = Id(mine);
    const auto other = Id(theirs);
    EXPECT_EQ(theirs.Json().at("organisation_id"), 2);
    // A trader cannot file for another organisation.
    auto foreign = Question("Foreign");
    foreign["organisation_id"] = 2;
    EXPECT_EQ(d.trader.PostJson(kBase + "/requests", foreign).status, 404u);

    ASSERT_EQ(d.agent.PostJson(Req(other, "/replies"), object{{"body", "Hello"}}).status, 201u);
    auto att = d.trader2.Request("POST", Req(other, "/attachments?filename=a.txt"), "hello",
                                 {{"Content-Type", "text/plain"}});
    ASSERT_EQ(att.status, 201u) << att.body;
    const auto att_id = Id(att);
    // Every endpoint answers 404 for the other organisation's request.
    for (const std::string& url :
         {Req(other), Req(other, "/history"), Req(other, "/messages"), Req(other, "/attachments"),
          Req(other, "/attachments/" + std::to_string(att_id)), Req(other, "/links")}) {
        EXPECT_EQ(d.trader.Get(url).status, 404u) << url;
    }
    for (const auto& [path, body] : std::vector<std::pair<std::string, object>>{
             {"/replies", {{"body", "x"}}},
             {"/notes", {{"body", "x"}}},
             {"/status", {{"status", "open"}}},
             {"/assign", {{"group", "edi_support"}}},
             {"/escalate", {{"reason", "x"}}},
             {"/tags", {{"add", {"x"}}}},
             {"/links", {{"target_id", my_id}, {"kind", "related"}}},
             {"/merge", {{"target_id", my_id}}}}) {
        EXPECT_EQ(d.trader.PostJson(Req(other, path), body).status, 404u) << path;
    }
    EXPECT_EQ(d.trader.PatchJson(Req(other), object{{"subject", "x"}}).status, 404u);
    EXPECT_EQ(d.trader.Request("POST", Req(other, "/attachments"), "x", {{"Content-Type", "text/plain"}}).status, 404u);
    // Lists and text search show the own organisation only.
    for (const std::string& url : {kBase + "/requests", kBase + "/requests?q=zq-Theirs", kBase + "/requests?organisation_id=2"}) {
        auto list = d.trader.Get(url);
        ASSERT_EQ(list.status, 200u) << url;
        for (const auto& i : list.Json().at("items").as_array()) EXPECT_EQ(i.at("organisation_id"), 1) << url;
    }
    EXPECT_EQ(d.trader.Get(kMine).Json().at("items").as_array().size(), 1u);
    EXPECT_EQ(d.agent.Get(kMine).Json().at("items").as_array().size(), 2u);

    // Internal notes: staff see them; the trader never does (thread, counts, history).
    ASSERT_EQ(d.agent.PostJson(Req(my_id, "/notes"), object{{"body", "Secret: check the broker"}}).status, 201u);
    ASSERT_EQ(d.agent.PostJson(Req(my_id, "/replies"), object{{"body", "We are on it"}}).status, 201u);
    EXPECT_EQ(d.trader.PostJson(Req(my_id, "/notes"), object{{"body", "x"}}).status, 403u);
    auto staff_thread = d.agent.Get(Req(my_id, "/messages"));
    EXPECT_EQ(staff_thread.Json().at("items").as_array().size(), 2u);
    auto thread = d.trader.Get(Req(my_id, "/messages"));
    ASSERT_EQ(thread.status, 200u);
    EXPECT_EQ(thread.Json().at("items").as_array().size(), 1u);
    EXPECT_EQ(thread.body.find("Secret"), std::string::npos);
    auto own = d.trader.Get(Req(my_id));
    EXPECT_FALSE(own.Json().at("counts").as_object().contains("notes"));
    EXPECT_EQ(d.agent.Get(Req(my_id)).Json().at("counts").at("notes"), 1);
    auto hist = d.trader.Get(Req(my_id, "/history"));
    ASSERT_EQ(hist.status, 200u);
    EXPECT_EQ(hist.body.find("note"), std::string::npos) << hist.body;
    EXPECT_NE(d.agent.Get(Req(my_id, "/history")).body.find("\"note\""), std::string::npos);
    // Internal attachments likewise.
    auto internal = d.agent.Request("POST", Req(my_id, "/attachments?filename=memo.txt&internal=true"), "memo",
                                    {{"Content-Type", "text/plain"}});
    ASSERT_EQ(internal.status, 201u) << internal.body;
    EXPECT_EQ(d.trader.Get(Req(my_id, "/attachments")).Json().at("items").as_array().size(), 0u);
    EXPECT_EQ(d.trader.Get(Req(my_id, "/attachments/" + std::to_string(Id(internal)))).status, 404u);
    EXPECT_EQ(d.trader.Get(kBase + "/canned-responses").status, 403u);
}

TEST(ServiceDeskApi, AttachmentsAreLimitedAndServedSafely) {
    Desk d;
    const auto id = Id(d.trader.PostJson(kBase + "/requests", Question("Files")));
    const std::string pdf = "%PDF-1.7\n1 0 obj\n<<>>\nendobj\n";
    auto up = d.trader.Request("POST", Req(id, "/attachments?filename=..%2F..%2Fetc%2Fpasswd%22.pdf"), pdf,
                               {{"Content-Type", "application/pdf"}});
    ASSERT_EQ(up.status, 201u) << up.body;
    EXPECT_EQ(up.Json().at("filename"), "passwd_.pdf");
    EXPECT_EQ(up.Json().at("size"), static_cast<std::int64_t>(pdf.size()));
    auto down = d.trader.Get(Req(id, "/attachments/" + std::to_string(Id(up))));
    ASSERT_EQ(down.status, 200u);
    EXPECT_EQ(down.body, pdf);
    EXPECT_EQ(down.Header("content-type"), "application/pdf");
    EXPECT_EQ(down.Header("x-content-type-options"), "nosniff");
    EXPECT_NE(down.Header("content-disposition").find("attachment;"), std::string::npos);
    // Type not allowed, content not of the declared type, empty, too large.
    auto exe = d.trader.Request("POST", Req(id, "/attachments?filename=a.exe"), "MZ\x90",
                                {{"Content-Type", "application/x-msdownload"}});
    EXPECT_EQ(exe.status, 422u);
    EXPECT_TRUE(HasPointer(exe, "/headers/content-type"));
    auto fake = d.trader.Request("POST", Req(id, "/attachments?filename=a.pdf"), "not a pdf",
                                 {{"Content-Type", "application/pdf"}});
    EXPECT_EQ(fake.status, 422u);
    EXPECT_EQ(d.trader.Request("POST", Req(id, "/attachments"), "", {{"Content-Type", "text/plain"}}).status, 422u);
    auto big = d.trader.Request("POST", Req(id, "/attachments?filename=big.txt"), std::string((1u << 20) + 1, 'a'),
                                {{"Content-Type", "text/plain"}});
    EXPECT_EQ(big.status, 413u);
    EXPECT_EQ(d.trader.Get(Req(id, "/attachments")).Json().at("items").as_array().size(), 1u);
}

TEST(ServiceDeskApi, AgentsAssignEscalateTagLinkMergeAndUseCannedResponses) {
    Desk d;
    const auto a = Id(d.trader.PostJson(kBase + "/requests", Question("Duplicate 1")));
    const auto b = Id(d.trader.PostJson(kBase + "/requests", Question("Duplicate 2")));
    const auto other = Id(d.trader2.PostJson(kBase + "/requests", Question("Other org")));
    // Assignment to a group and an agent.
    auto me = d.agent.Get("/api/v1/me");
    const auto agent_id = me.Json().at("id").as_int64();
    auto assigned = d.agent.PostJson(Req(a, "/assign"), object{{"group", "customs_procedures"}, {"assignee_id", agent_id}});
    ASSERT_EQ(assigned.status, 200u) << assigned.body;
    EXPECT_EQ(assigned.Json().at("tier"), "support");
    EXPECT_EQ(assigned.Json().at("assignee_id"), agent_id);
    EXPECT_EQ(d.agent.PostJson(Req(a, "/assign"), object{{"group", "nope"}}).status, 422u);
    auto mine = d.agent.Get(kMine + "&assignee=me");
    ASSERT_EQ(mine.Json().at("items").as_array().size(), 1u);
    // Escalation: support -> stakeholder, then no higher tier.
    auto esc = d.agent.PostJson(Req(a, "/escalate"), object{{"reason", "Needs the ministry"}});
    ASSERT_EQ(esc.status, 200u) << esc.body;
    EXPECT_EQ(esc.Json().at("tier"), "stakeholder");
    EXPECT_EQ(esc.Json().at("group"), "stakeholders");
    EXPECT_TRUE(esc.Json().at("assignee_id").is_null());
    EXPECT_EQ(d.agent.PostJson(Req(a, "/escalate"), object{{"reason", "again"}}).status, 409u);
    EXPECT_EQ(d.agent.PostJson(Req(b, "/escalate"), object{}).status, 422u);
    // Tags.
    auto tagged = d.agent.PostJson(Req(a, "/tags"), object{{"add", {"EDI", "urgent-fix"}}});
    ASSERT_EQ(tagged.status, 200u);
    EXPECT_EQ(tagged.Json().at("tags"), (boost::json::array{"edi", "urgent-fix"}));
    EXPECT_EQ(d.agent.PostJson(Req(a, "/tags"), object{{"add", {"bad tag!"}}}).status, 422u);
    // Links.
    auto link = d.agent.PostJson(Req(b, "/links"), object{{"target_id", a}, {"kind", "related"}});
    ASSERT_EQ(link.status, 201u) << link.body;
    EXPECT_EQ(d.agent.PostJson(Req(b, "/links"), object{{"target_id", a}, {"kind", "related"}}).status, 409u);
    EXPECT_EQ(d.agent.PostJson(Req(b, "/links"), object{{"target_id", b}, {"kind", "related"}}).status, 422u);
    // Merge: b into a; across organisations refused.
    EXPECT_EQ(d.agent.PostJson(Req(b, "/merge"), object{{"target_id", other}}).status, 409u);
    ASSERT_EQ(d.trader.PostJson(Req(b, "/replies"), object{{"body", "More details"}}).status, 201u);
    auto merged = d.agent.PostJson(Req(b, "/merge"), object{{"target_id", a}});
    ASSERT_EQ(merged.status, 200u) << merged.body;
    EXPECT_EQ(merged.Json().at("id"), a);
    auto source = d.agent.Get(Req(b));
    EXPECT_EQ(source.Json().at("status"), "closed");
    EXPECT_EQ(source.Json().at("merged_into_id"), a);
    auto thread = d.trader.Get(Req(a, "/messages"));
    EXPECT_NE(thread.body.find("More details"), std::string::npos);
    EXPECT_NE(thread.body.find("zq-Duplicate 2"), std::string::npos);
    // Canned responses with placeholders.
    auto bad = d.agent.PostJson(kBase + "/canned-responses",
                                object{{"name", "x"}, {"language", "en"}, {"body", "Hi {{nobody}}"}});
    EXPECT_EQ(bad.status, 422u);
    const auto canned_before = d.agent.Get(kBase + "/canned-responses").Json().at("items").as_array().size();
    auto canned = d.agent.PostJson(kBase + "/canned-responses",
                                   object{{"name", "Thanks"},
                                          {"language", "en"},
                                          {"body", "Dear {{requester.name}}, about {{request.number}}: thanks."}});
    ASSERT_EQ(canned.status, 201u) << canned.body;
    auto rendered = d.agent.Get(Req(a, "/canned-responses/" + std::to_string(Id(canned))));
    ASSERT_EQ(rendered.status, 200u);
    EXPECT_NE(rendered.Json().at("body").as_string().find("Dear Demo trader, about SR-"), std::string::npos);
    auto used = d.agent.PostJson(Req(a, "/replies"), object{{"canned_response_id", Id(canned)}});
    ASSERT_EQ(used.status, 201u) << used.body;
    EXPECT_NE(used.Json().at("message").at("body").as_string().find("Dear Demo trader"), std::string::npos);
    EXPECT_EQ(d.agent.PatchJson(kBase + "/canned-responses/" + std::to_string(Id(canned)), object{{"name", "Kiitos"}})
                  .status,
              200u);
    EXPECT_EQ(d.agent.Delete(kBase + "/canned-responses/" + std::to_string(Id(canned))).status, 204u);
    EXPECT_EQ(d.agent.Get(kBase + "/canned-responses").Json().at("items").as_array().size(), canned_before);
}

TEST(ServiceDeskApi, PhoneRequestsQueueFiltersAndPaging) {
    Desk d;
    auto contact = d.admin.PostJson("/api/v1/organisations/1/contacts",
                                    object{{"first_name", "Maija"}, {"last_name", "Mäkinen"},
                                           {"email", "maija@demo.example"}, {"language", "sv"}});
    ASSERT_EQ(contact.status, 201u) << contact.body;
    auto phone = Question("Called about origin");
    phone["channel"] = "phone";
    EXPECT_EQ(d.agent.PostJson(kBase + "/requests", phone).status, 422u);  // a phone request names the contact
    phone["requester_contact_id"] = Id(contact);
    auto logged = d.agent.PostJson(kBase + "/requests", phone);
    ASSERT_EQ(logged.status, 201u) << logged.body;
    EXPECT_EQ(logged.Json().at("channel"), "phone");
    EXPECT_EQ(logged.Json().at("organisation_id"), 1);
    EXPECT_EQ(logged.Json().at("language"), "sv");
    EXPECT_EQ(logged.Json().at("requester").at("name"), "Maija Mäkinen");
    EXPECT_EQ(d.trader.Get(Req(Id(logged))).status, 200u);
    auto trader_phone = Question("x");
    trader_phone["channel"] = "phone";
    EXPECT_EQ(d.trader.PostJson(kBase + "/requests", trader_phone).status, 422u);

    for (int i = 0; i < 7; ++i) {
        ASSERT_EQ(d.trader.PostJson(kBase + "/requests", i % 2 ? Malfunction("EDI " + std::to_string(i))
                                                              : Question("Q " + std::to_string(i)))
                      .status,
                  201u);
    }
    auto edi = d.agent.Get(kMine + "&group=edi_support&status=new");
    EXPECT_EQ(edi.Json().at("items").as_array().size(), 3u);
    EXPECT_EQ(d.agent.Get(kMine + "&tier=support").Json().at("items").as_array().size(), 3u);
    EXPECT_EQ(d.agent.Get(kBase + "/requests?q=zq-edi%203").Json().at("items").as_array().size(), 1u);
    EXPECT_EQ(d.agent.Get(kBase + "/requests?status=bogus").status, 422u);
    EXPECT_EQ(d.agent.Get(kBase + "/requests?cursor=zzz").status, 422u);
    // Keyset paging visits every request once.
    std::set<std::int64_t> seen;
    std::string url = kMine + "&limit=3";
    for (int pages = 0; pages < 10; ++pages) {
        auto page = d.agent.Get(url);
        ASSERT_EQ(page.status, 200u) << page.body;
        for (const auto& i : page.Json().at("items").as_array()) EXPECT_TRUE(seen.insert(i.at("id").as_int64()).second);
        if (page.Json().at("next_cursor").is_null()) break;
        url = kMine + "&limit=3&cursor=" + std::string(page.Json().at("next_cursor").as_string());
    }
    EXPECT_EQ(seen.size(), 8u);
}

}  // namespace
}  // namespace customsdesk::apitest

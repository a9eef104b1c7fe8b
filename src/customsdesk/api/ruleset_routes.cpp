// /api/v1/rulesets: rule sets as managed assets (ruleset/ruleset_service.hpp). Thin handlers: parse
// the request, call the service once, map the result. Described in openapi_rules.json.
#include <fmt/format.h>

#include "customsdesk/api/api.hpp"
#include "customsdesk/api/handler_support.hpp"
#include "customsdesk/core/json.hpp"
#include "customsdesk/ruleset/ruleset_service.hpp"

namespace customsdesk::api {
namespace {

using http::Request;
using http::Response;

constexpr std::string_view kJsonType = "application/json";


Response JsonText(unsigned status, std::string body) { return Response::Text(status, std::move(body), "application/json"); }

std::string MediaType(const Request& req) {
    auto type = std::string(req.Header("Content-Type").value_or(""));
    type = type.substr(0, type.find(';'));
    while (!type.empty() && type.back() == ' ') type.pop_back();
    for (char& c : type) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return type;
}

std::string VersionLocation(const ruleset::VersionInfo& v) {
    return fmt::format("/api/v1/rulesets/{}/versions/{}", v.key, v.version);
}

Response ListRulesets(Services& s, Request& req) {
    auto list = s.rulesets.List(PrincipalOf(req));
    return Respond(req, list, [](const std::vector<ruleset::RulesetSummary>& items) {
        boost::json::array a;
        for (const auto& r : items) a.push_back(ruleset::ToJson(r));
        return Response::Json(200, boost::json::object{{"items", a}});
    });
}

Response GetRuleset(Services& s, Request& req) {
    auto r = s.rulesets.Get(PrincipalOf(req), req.PathParam("key"));
    return Respond(req, r, [](const ruleset::RulesetSummary& x) { return Response::Json(200, ruleset::ToJson(x)); });
}

Response ListVersions(Services& s, Request& req) {
    auto list = s.rulesets.Versions(PrincipalOf(req), req.PathParam("key"));
    return Respond(req, list, [](const std::vector<ruleset::VersionInfo>& items) {
        boost::json::array a;
        for (const auto& v : items) a.push_back(ruleset::ToJson(v));
        return Response::Json(200, boost::json::object{{"items", a}});
    });
}

// The DMN document as the raw body (application/xml or text/xml; `name` and `comment` in the query),
// or as JSON {"dmn": "...", "name": "...", "comment": "..."}.
Response UploadVersion(Services& s, Request& req) {
    const auto type = MediaType(req);
    std::string dmn;
    std::optional<std::string> name;
    std::string comment;
    if (type == "application/xml" || type == "text/xml") {
        dmn = std::move(req.body);
        if (auto n = req.QueryParam("name")) name = std::string(*n);
        if (auto c = req.QueryParam("comment")) comment = std::string(*c);
    } else if (type == kJsonType) {
        auto body = JsonBody(req);
        if (!body) return ErrorResponse(req, body.error());
        core::FieldErrors errs;
        core::ObjectReader r(*body, errs);
        dmn = r.String("dmn", true, ruleset::kMaxDmnBytes, false).value_or("");
        name = r.String("name", false, ruleset::kMaxNameLength);
        comment = r.String("comment", false, ruleset::kMaxCommentLength).value_or("");
        r.RejectUnknown({"dmn", "name", "comment"});
        if (auto ok = errs.ToResult(); !ok) return ErrorResponse(req, ok.error());
    } else {
        return ErrorResponse(req, core::Error::InvalidArgument(
                                      "Send the DMN document as application/xml (or text/xml), or as JSON.",
                                      {{"/headers/content-type", "unsupported_media_type",
                                        "Expected application/xml, text/xml or application/json."}})
                                      .WithType("unsupported-media-type"));
    }
    auto v = s.rulesets.Upload(PrincipalOf(req), req.PathParam("key"), dmn, name, comment);
    return Respond(req, v, [](const ruleset::VersionInfo& x) {
        auto resp = Response::Json(201, ruleset::ToJson(x));
        resp.Set("Location", VersionLocation(x));
        return resp;
    });
}

Response GetVersion(Services& s, Request& req) {
    auto n = PathId(req, "version");
    if (!n) return NotFound(req);
    auto v = s.rulesets.GetVersion(PrincipalOf(req), req.PathParam("key"), *n);
    return Respond(req, v, [](const ruleset::VersionInfo& x) { return Response::Json(200, ruleset::ToJson(x)); });
}

Response GetVersionDmn(Services& s, Request& req) {
    auto n = PathId(req, "version");
    if (!n) return NotFound(req);
    auto dmn = s.rulesets.GetDmn(PrincipalOf(req), req.PathParam("key"), *n);
    return Respond(req, dmn, [](const std::string& xml) {
        return Response::Text(200, xml, "application/xml; charset=utf-8");
    });
}

template <ruleset::Transition T>
Response ApplyTransition(Services& s, Request& req) {
    auto n = PathId(req, "version");
    if (!n) return NotFound(req);
    auto v = s.rulesets.Apply(PrincipalOf(req), req.PathParam("key"), *n, T);
    return Respond(req, v, [](const ruleset::VersionInfo& x) { return Response::Json(200, ruleset::ToJson(x)); });
}

Response VersionHistory(Services& s, Request& req) {
    auto n = PathId(req, "version");
    if (!n) return NotFound(req);
    core::FieldErrors errs;
    const auto limit = QueryInt(req, "limit", errs, 1, history::kMaxHistoryPage).value_or(50);
    const auto before = QueryInt(req, "before", errs, 1, INT64_MAX).value_or(0);
    if (auto ok = errs.ToResult("The query has invalid parameters."); !ok) return ErrorResponse(req, ok.error());
    auto page = s.rulesets.History(PrincipalOf(req), req.PathParam("key"), *n, before, static_cast<int>(limit));
    return Respond(req, page, [](const history::ChangePage& p) {
        boost::json::array items;
        for (const auto& e : p.entries) items.push_back(history::ToJson(e));
        return Response::Json(200, boost::json::object{
                                       {"items", items},
                                       {"next_before", p.next_before ? boost::json::value(*p.next_before) : nullptr}});
    });
}

Response RunVersionTests(Services& s, Request& req) {
    auto n = PathId(req, "version");
    if (!n) return NotFound(req);
    auto run = s.rulesets.RunTests(PrincipalOf(req), req.PathParam("key"), *n);
    return Respond(req, run, [](const ruleset::TestRun& r) { return JsonText(200, ruleset::ToJsonText(r)); });
}

Response ListTests(Services& s, Request& req) {
    auto list = s.rulesets.ListTests(PrincipalOf(req), req.PathParam("key"));
    return Respond(req, list, [](const std::vector<ruleset::TestCase>& items) {
        boost::json::array a;
        for (const auto& t : items) a.push_back(ruleset::ToJson(t));
        return Response::Json(200, boost::json::object{{"items", a}});
    });
}

Response AddTest(Services& s, Request& req) {
    auto body = JsonBody(req);
    if (!body) return ErrorResponse(req, body.error());
    const std::string key(req.PathParam("key"));
    auto t = s.rulesets.AddTest(PrincipalOf(req), key, *body);
    return Respond(req, t, [&key](const ruleset::TestCase& x) {
        auto resp = Response::Json(201, ruleset::ToJson(x));
        resp.Set("Location", fmt::format("/api/v1/rulesets/{}/tests/{}", key, x.id));
        return resp;
    });
}

Response DeleteTest(Services& s, Request& req) {
    auto id = PathId(req, "id");
    if (!id) return NotFound(req);
    auto r = s.rulesets.DeleteTest(PrincipalOf(req), req.PathParam("key"), *id);
    if (!r) return ErrorResponse(req, r.error());
    return Response::NoContent();
}

Response Evaluate(Services& s, Request& req) {
    core::FieldErrors errs;
    const auto version = QueryInt(req, "version", errs, 1, INT64_MAX);
    if (auto ok = errs.ToResult("The query has invalid parameters."); !ok) return ErrorResponse(req, ok.error());
    auto body = JsonBody(req);
    if (!body) return ErrorResponse(req, body.error());
    auto e = s.rulesets.Evaluate(PrincipalOf(req), req.PathParam("key"), version, *body);
    return Respond(req, e, [](const ruleset::Evaluation& x) { return JsonText(200, ruleset::ToJsonText(x)); });
}

template <Response (*F)(Services&, Request&)>
http::Handler Bind(Services& s) {
    return [&s](Request& req) { return F(s, req); };
}

}  // namespace

void RegisterRulesetRoutes(http::Router& router, Services& s) {
    using ruleset::Transition;
    const std::string base = "/api/v1/rulesets";
    const std::string version = base + "/{key}/versions/{version}";
    router.Add("GET", base, Bind<ListRulesets>(s));
    router.Add("GET", base + "/{key}", Bind<GetRuleset>(s));
    router.Add("GET", base + "/{key}/versions", Bind<ListVersions>(s));
    router.Add("POST", base + "/{key}/versions", Bind<UploadVersion>(s));
    router.Add("GET", version, Bind<GetVersion>(s));
    router.Add("GET", version + "/dmn", Bind<GetVersionDmn>(s));
    router.Add("GET", version + "/history", Bind<VersionHistory>(s));
    router.Add("POST", version + "/submit", Bind<ApplyTransition<Transition::kSubmit>>(s));
    router.Add("POST", version + "/reject", Bind<ApplyTransition<Transition::kReject>>(s));
    router.Add("POST", version + "/approve", Bind<ApplyTransition<Transition::kApprove>>(s));
    router.Add("POST", version + "/activate", Bind<ApplyTransition<Transition::kActivate>>(s));
    router.Add("POST", version + "/retire", Bind<ApplyTransition<Transition::kRetire>>(s));
    router.Add("POST", version + "/test", Bind<RunVersionTests>(s));
    router.Add("GET", base + "/{key}/tests", Bind<ListTests>(s));
    router.Add("POST", base + "/{key}/tests", Bind<AddTest>(s));
    router.Add("DELETE", base + "/{key}/tests/{id}", Bind<DeleteTest>(s));
    router.Add("POST", base + "/{key}/evaluate", Bind<Evaluate>(s));
}

}  // namespace customsdesk::api

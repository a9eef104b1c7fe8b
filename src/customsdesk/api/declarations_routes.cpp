// /api/v1/declarations: lodging (JSON, XML, bulk NDJSON/XML), reads, lifecycle, amendment and
// invalidation requests (declarations/declaration_service.hpp). Thin handlers: parse the request,
// call the service once, map the result. Described in openapi_declarations.json.
#include <fmt/format.h>

#include "customsdesk/api/api.hpp"
#include "customsdesk/api/handler_support.hpp"
#include "customsdesk/core/json.hpp"
#include "customsdesk/declarations/declaration_service.hpp"

namespace customsdesk::api {
namespace {

using declarations::DeclarationService;
using declarations::Language;
using http::Request;
using http::Response;

std::string MediaType(const Request& req) {
    auto type = std::string(req.Header("Content-Type").value_or(""));
    type = type.substr(0, type.find(';'));
    while (!type.empty() && type.back() == ' ') type.pop_back();
    for (char& c : type) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return type;
}

bool IsXml(const std::string& type) { return type == "application/xml" || type == "text/xml"; }

Response UnsupportedMediaType(const Request& req, std::string_view expected) {
    return ErrorResponse(req, core::Error::InvalidArgument(fmt::format("Send the body as {}.", expected),
                                                           {{"/headers/content-type", "unsupported_media_type",
                                                             fmt::format("Expected {}.", expected)}})
                                  .WithType("unsupported-media-type"));
}

// Accept-Language first, then the user's own language.
Language LanguageOf(Services& s, const Request& req) {
    if (auto h = req.Header("Accept-Language"))
        if (auto l = declarations::FromAcceptLanguage(*h)) return *l;
    return s.declarations->UserLanguage(PrincipalOf(req));
}

bool DraftFlag(const Request& req) {
    auto v = req.QueryParam("draft");
    return v && (*v == "true" || *v == "1");
}

Response LodgeAnswer(const core::Result<declarations::LodgeResult>& r, const std::string& path,
                     const std::string& request_id) {
    if (!r) {
        Request where;
        where.path = path;
        where.request_id = request_id;
        return ErrorResponse(where, r.error());
    }
    auto res = Response::Text(r->created ? 201 : 200,
                              declarations::ToJsonText(r->stored, r->declaration_json, r->created),
                              "application/json");
    res.Set("Location", fmt::format("/api/v1/declarations/{}", r->stored.id));
    return res;
}

// Answered once the declaration is durably committed (group commit); no thread waits meanwhile.
// The answer is made on the server's thread, not the writer's.
Response Lodge(Services& s, Request& req) {
    const auto type = MediaType(req);
    const bool xml = IsXml(type);
    if (!xml && type != "application/json") return UnsupportedMediaType(req, "application/json or application/xml");
    return Response::Later([&s, xml, lang = LanguageOf(s, req), draft = DraftFlag(req), actor = PrincipalOf(req),
                            body = std::move(req.body), path = req.path, id = req.request_id](http::Reply reply) {
        auto answer = [reply, path, id](core::Result<declarations::LodgeResult> r) {
            auto result = std::make_shared<const core::Result<declarations::LodgeResult>>(std::move(r));
            reply([result, path, id] { return LodgeAnswer(*result, path, id); });
        };
        if (xml) return s.declarations->LodgeXml(actor, body, lang, draft, std::move(answer));
        boost::json::monotonic_resource arena;  // the body is read once, into the model
        auto object = core::ParseJsonObject(body, &arena);
        if (!object) return answer(core::Fail(std::move(object.error())));
        s.declarations->LodgeJson(actor, *object, lang, draft, std::move(answer));
    });
}

Response Bulk(Services& s, Request& req) {
    const auto type = MediaType(req);
    const Language lang = LanguageOf(s, req);
    core::Result<std::vector<declarations::BulkOutcome>> r = core::Fail(core::Error::Internal(""));
    if (IsXml(type)) {
        auto many = declarations::ParseDeclarationsXml(req.body);
        if (!many) return ErrorResponse(req, many.error());
        r = s.declarations->LodgeBulk(PrincipalOf(req), std::move(*many), lang, true);
    } else if (type == "application/x-ndjson" || type == "application/jsonl") {
        std::vector<std::string_view> lines;
        std::string_view rest = req.body;
        while (!rest.empty()) {
            auto nl = rest.find('\n');
            std::string_view line = rest.substr(0, nl);
            rest = nl == std::string_view::npos ? std::string_view{} : rest.substr(nl + 1);
            if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
            if (line.find_first_not_of(" \t") == std::string_view::npos) continue;
            lines.push_back(line);
        }
        r = s.declarations->LodgeNdjson(PrincipalOf(req), std::move(lines), lang);
    } else {
        return UnsupportedMediaType(req, "application/x-ndjson or application/xml");
    }
    if (!r) return ErrorResponse(req, r.error());
    const auto& all = *r;
    std::map<std::string, std::int64_t> counts;
    std::string out = "{\"results\":[";
    out.reserve(all.size() * 96);
    for (std::size_t i = 0; i < all.size(); ++i) {
        if (i > 0) out += ',';
        declarations::AppendJson(out, all[i]);
        ++counts[all[i].status];
    }
    out += "],\"counts\":";
    boost::json::object c;
    for (const auto& [k, v] : counts) c[k] = v;
    out += boost::json::serialize(c);
    out += '}';
    return Response::Text(200, std::move(out), "application/json");
}

Response List(Services& s, Request& req) {
    core::FieldErrors errors;
    declarations::ListFilter f;
    if (auto v = req.QueryParam("state")) {
        f.state = declarations::ParseState(*v);
        if (!f.state) errors.Add("/query/state", "unknown_value", "Unknown state.");
    }
    if (auto v = req.QueryParam("type")) {
        f.type = declarations::ParseType(*v);
        if (!f.type) errors.Add("/query/type", "unknown_value", "Expected H1, H7 or B1.");
    }
    f.before_id = QueryInt(req, "before_id", errors, 1, INT64_MAX).value_or(0);
    f.limit = static_cast<int>(QueryInt(req, "limit", errors, 1, declarations::kMaxPage).value_or(50));
    if (auto ok = errors.ToResult(); !ok) return ErrorResponse(req, ok.error());
    auto page = s.declarations->List(PrincipalOf(req), f);
    return Respond(req, page, [](const declarations::DeclarationPage& p) {
        boost::json::array items;
        for (const auto& d : p.items) items.push_back(declarations::ToJson(d));
        return Response::Json(200, boost::json::object{
                                       {"items", items},
                                       {"next_before_id", p.next_before ? boost::json::value(*p.next_before) : nullptr}});
    });
}

Response Get(Services& s, Request& req) {
    auto id = PathId(req, "id");
    if (!id) return NotFound(req);
    auto d = s.declarations->Get(PrincipalOf(req), *id);
    return Respond(req, d, [&](const declarations::StoredDeclaration& x) {
        if (auto accept = req.Header("Accept"); accept && accept->find("application/xml") != std::string_view::npos &&
                                                accept->find("json") == std::string_view::npos)
            return Response::Text(200, declarations::ToXml(x.declaration), "application/xml");
        return Response::Json(200, declarations::ToJson(x));
    });
}

Response Delete(Services& s, Request& req) {
    auto id = PathId(req, "id");
    if (!id) return NotFound(req);
    auto r = s.declarations->DeleteDraft(PrincipalOf(req), *id);
    if (!r) return ErrorResponse(req, r.error());
    return Response::NoContent();
}

Response Submit(Services& s, Request& req) {
    auto id = PathId(req, "id");
    if (!id) return NotFound(req);
    auto r = s.declarations->Submit(PrincipalOf(req), *id, LanguageOf(s, req));
    return Respond(req, r, [](const declarations::StoredDeclaration& d) { return Response::Json(200, declarations::ToJson(d)); });
}

// {"items": [...]} of a list the declarations module answers.
template <typename T>
Response ItemsResponse(const std::vector<T>& items) {
    boost::json::array a;
    for (const auto& e : items) a.push_back(declarations::ToJson(e));
    return Response::Json(200, boost::json::object{{"items", std::move(a)}});
}

Response History(Services& s, Request& req) {
    auto id = PathId(req, "id");
    if (!id) return NotFound(req);
    return Respond(req, s.declarations->History(PrincipalOf(req), *id), ItemsResponse<declarations::TransitionEntry>);
}

// {"action": "release" | "documentary_control" | "physical_control" | "refuse_release", "reason": "..."}
Response Transition(Services& s, Request& req) {
    auto id = PathId(req, "id");
    if (!id) return NotFound(req);
    auto body = JsonBody(req);
    if (!body) return ErrorResponse(req, body.error());
    core::FieldErrors errors;
    core::ObjectReader r(*body, errors);
    auto action_name = r.String("action", true, 40);
    auto reason = r.String("reason", false, 2000).value_or("");
    r.RejectUnknown({"action", "reason"});
    std::optional<declarations::Action> action;
    if (action_name) {
        action = declarations::ParseAction(*action_name);
        if (!action) errors.Add("/action", "unknown_value", "Unknown action.");
    }
    if (auto ok = errors.ToResult(); !ok) return ErrorResponse(req, ok.error());
    auto d = s.declarations->Transition(PrincipalOf(req), *id, *action, reason);
    return Respond(req, d, [](const declarations::StoredDeclaration& x) { return Response::Json(200, declarations::ToJson(x)); });
}

Response ListRequests(Services& s, Request& req) {
    auto id = PathId(req, "id");
    if (!id) return NotFound(req);
    return Respond(req, s.declarations->Requests(PrincipalOf(req), *id),
                   ItemsResponse<declarations::DeclarationRequest>);
}

// {"kind": "amendment", "declaration": {...}, "reason": "..."} or {"kind": "invalidation", "reason": "..."}
Response CreateRequest(Services& s, Request& req) {
    auto id = PathId(req, "id");
    if (!id) return NotFound(req);
    auto body = JsonBody(req);
    if (!body) return ErrorResponse(req, body.error());
    core::FieldErrors errors;
    core::ObjectReader r(*body, errors);
    auto kind = r.String("kind", true, 20);
    auto reason = r.String("reason", true, 2000);
    const auto* decl = r.Object("declaration", kind && *kind == "amendment");
    r.RejectUnknown({"kind", "reason", "declaration"});
    if (kind && *kind != "amendment" && *kind != "invalidation")
        errors.Add("/kind", "unknown_value", "Expected amendment or invalidation.");
    if (auto ok = errors.ToResult(); !ok) return ErrorResponse(req, ok.error());
    auto result = *kind == "amendment"
                      ? s.declarations->RequestAmendment(PrincipalOf(req), *id, *decl, *reason, LanguageOf(s, req))
                      : s.declarations->RequestInvalidation(PrincipalOf(req), *id, *reason);
    return Respond(req, result, [](const declarations::DeclarationRequest& x) { return Response::Json(201, declarations::ToJson(x)); });
}

// {"decision": "accepted" | "rejected", "reason": "..."}
Response DecideRequest(Services& s, Request& req) {
    auto id = PathId(req, "id");
    auto rid = PathId(req, "request_id");
    if (!id || !rid) return NotFound(req);
    auto body = JsonBody(req);
    if (!body) return ErrorResponse(req, body.error());
    core::FieldErrors errors;
    core::ObjectReader r(*body, errors);
    auto decision = r.String("decision", true, 20);
    auto reason = r.String("reason", false, 2000).value_or("");
    r.RejectUnknown({"decision", "reason"});
    if (decision && *decision != "accepted" && *decision != "rejected")
        errors.Add("/decision", "unknown_value", "Expected accepted or rejected.");
    if (auto ok = errors.ToResult(); !ok) return ErrorResponse(req, ok.error());
    auto result = s.declarations->DecideRequest(PrincipalOf(req), *id, *rid, *decision == "accepted", reason,
                                                LanguageOf(s, req));
    return Respond(req, result, [](const declarations::DeclarationRequest& x) { return Response::Json(200, declarations::ToJson(x)); });
}

}  // namespace

void RegisterDeclarationRoutes(http::Router& router, Services& s) {
    auto bind = [&s](Response (*fn)(Services&, Request&)) { return [&s, fn](Request& req) { return fn(s, req); }; };
    router.Add("GET", "/api/v1/declarations", bind(List));
    router.Add("POST", "/api/v1/declarations", bind(Lodge));
    router.Add("POST", "/api/v1/declarations/bulk", bind(Bulk));
    router.Add("GET", "/api/v1/declarations/{id}", bind(Get));
    router.Add("DELETE", "/api/v1/declarations/{id}", bind(Delete));
    router.Add("POST", "/api/v1/declarations/{id}/submit", bind(Submit));
    router.Add("GET", "/api/v1/declarations/{id}/history", bind(History));
    router.Add("POST", "/api/v1/declarations/{id}/transitions", bind(Transition));
    router.Add("GET", "/api/v1/declarations/{id}/requests", bind(ListRequests));
    router.Add("POST", "/api/v1/declarations/{id}/requests", bind(CreateRequest));
    router.Add("POST", "/api/v1/declarations/{id}/requests/{request_id}/decision", bind(DecideRequest));
}

}  // namespace customsdesk::api

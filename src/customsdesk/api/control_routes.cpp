// /api/v1/control: the officers' work queue, documentary control (document requests, trader
// uploads, decisions), findings, release and refusal (control/control_service.hpp). Thin handlers:
// parse the request, call the service once, map the result. Described in openapi_control.json.
#include <fmt/format.h>

#include "customsdesk/api/api.hpp"
#include "customsdesk/api/handler_support.hpp"
#include "customsdesk/control/control_service.hpp"
#include "customsdesk/core/json.hpp"
#include "customsdesk/selectivity/subject.hpp"

namespace customsdesk::api {
namespace {

using http::Request;
using http::Response;

Response Unwired(const Request& req) {
    return ErrorResponse(req, core::Error::Unavailable("Control is not available in this process."));
}

Response Queue(Services& s, Request& req) {
    if (s.control == nullptr) return Unwired(req);
    core::FieldErrors errs;
    control::QueueFilter f;
    if (auto o = req.QueryParam("office"); o && !o->empty()) f.office = std::string(*o);
    if (auto l = req.QueryParam("lane"); l && !l->empty()) {
        if (!selectivity::ParseLane(*l)) errs.Add("/query/lane", "code", "lane is green, blue, yellow or red.");
        f.lane = std::string(*l);
    }
    f.before_id = QueryInt(req, "before", errs, 1, INT64_MAX).value_or(0);
    f.limit = static_cast<int>(QueryInt(req, "limit", errs, 1, control::kMaxQueuePage).value_or(50));
    if (auto ok = errs.ToResult("The query has invalid parameters."); !ok) return ErrorResponse(req, ok.error());
    auto page = s.control->Queue(PrincipalOf(req), f);
    return Respond(req, page, [](const control::QueuePage& p) { return Response::Json(200, control::ToJson(p)); });
}

Response Categories(Services&, Request& req) {
    if (!PrincipalOf(req).IsStaff()) {
        return ErrorResponse(req, core::Error::PermissionDenied("Finding categories are for customs staff."));
    }
    boost::json::array items;
    for (auto c : control::FindingCategories()) items.emplace_back(c);
    return Response::Json(200, boost::json::object{{"items", std::move(items)}});
}

Response ListRequests(Services& s, Request& req) {
    if (s.control == nullptr) return Unwired(req);
    auto id = PathId(req, "id");
    if (!id) return NotFound(req);
    auto r = s.control->DocumentRequests(PrincipalOf(req), *id);
    return Respond(req, r, [](const std::vector<control::DocumentRequest>& items) {
        boost::json::array a;
        for (const auto& q : items) a.push_back(control::ToJson(q));
        return Response::Json(200, boost::json::object{{"items", std::move(a)}});
    });
}

Response CreateRequest(Services& s, Request& req) {
    if (s.control == nullptr) return Unwired(req);
    auto id = PathId(req, "id");
    if (!id) return NotFound(req);
    auto body = JsonBody(req);
    if (!body) return ErrorResponse(req, body.error());
    auto r = s.control->RequestDocuments(PrincipalOf(req), *id, *body);
    return Respond(req, r, [](const control::DocumentRequest& q) {
        auto resp = Response::Json(201, control::ToJson(q));
        resp.headers.emplace("Location", fmt::format("/api/v1/control/document-requests/{}", q.id));
        return resp;
    });
}

Response GetRequest(Services& s, Request& req) {
    if (s.control == nullptr) return Unwired(req);
    auto id = PathId(req, "id");
    if (!id) return NotFound(req);
    auto r = s.control->GetDocumentRequest(PrincipalOf(req), *id);
    return Respond(req, r, [](const control::DocumentRequest& q) { return Response::Json(200, control::ToJson(q)); });
}

Response Upload(Services& s, Request& req) {
    if (s.control == nullptr) return Unwired(req);
    auto id = PathId(req, "id");
    if (!id) return NotFound(req);
    auto body = JsonBody(req);
    if (!body) return ErrorResponse(req, body.error());
    auto r = s.control->UploadDocument(PrincipalOf(req), *id, *body);
    return Respond(req, r, [](const control::DocumentInfo& d) { return Response::Json(201, control::ToJson(d)); });
}

Response Download(Services& s, Request& req) {
    if (s.control == nullptr) return Unwired(req);
    auto id = PathId(req, "id");
    auto doc = PathId(req, "doc");
    if (!id || !doc) return NotFound(req);
    auto r = s.control->GetDocument(PrincipalOf(req), *id, *doc);
    return Respond(req, r, [](const control::DocumentContent& c) {
        auto resp = Response::Text(200, c.bytes, c.info.content_type);
        resp.headers.emplace("Content-Disposition", fmt::format("attachment; filename=\"document-{}\"", c.info.id));
        resp.headers.emplace("X-Content-Type-Options", "nosniff");
        return resp;
    });
}

Response Decide(Services& s, Request& req) {
    if (s.control == nullptr) return Unwired(req);
    auto id = PathId(req, "id");
    if (!id) return NotFound(req);
    auto body = JsonBody(req);
    if (!body) return ErrorResponse(req, body.error());
    auto r = s.control->DecideDocumentRequest(PrincipalOf(req), *id, *body);
    return Respond(req, r, [](const control::DocumentRequest& q) { return Response::Json(200, control::ToJson(q)); });
}

Response ListFindings(Services& s, Request& req) {
    if (s.control == nullptr) return Unwired(req);
    auto id = PathId(req, "id");
    if (!id) return NotFound(req);
    auto r = s.control->Findings(PrincipalOf(req), *id);
    return Respond(req, r, [](const std::vector<control::Finding>& items) {
        boost::json::array a;
        for (const auto& f : items) a.push_back(control::ToJson(f));
        return Response::Json(200, boost::json::object{{"items", std::move(a)}});
    });
}

Response AddFinding(Services& s, Request& req) {
    if (s.control == nullptr) return Unwired(req);
    auto id = PathId(req, "id");
    if (!id) return NotFound(req);
    auto body = JsonBody(req);
    if (!body) return ErrorResponse(req, body.error());
    auto r = s.control->RecordFinding(PrincipalOf(req), *id, *body);
    return Respond(req, r, [](const control::Finding& f) { return Response::Json(201, control::ToJson(f)); });
}

// {"reason"?: "..."}
template <bool kRelease>
Response Conclude(Services& s, Request& req) {
    if (s.control == nullptr) return Unwired(req);
    auto id = PathId(req, "id");
    if (!id) return NotFound(req);
    std::string reason;
    if (!req.body.empty()) {
        auto body = JsonBody(req);
        if (!body) return ErrorResponse(req, body.error());
        core::FieldErrors errs;
        core::ObjectReader r(*body, errs);
        reason = r.String("reason", false, control::kMaxNoteLength).value_or("");
        r.RejectUnknown({"reason"});
        if (auto ok = errs.ToResult(); !ok) return ErrorResponse(req, ok.error());
    }
    const auto& who = PrincipalOf(req);
    auto r = kRelease ? s.control->Release(who, *id, reason) : s.control->Refuse(who, *id, reason);
    return Respond(req, r, [](const declarations::StoredDeclaration& d) {
        return Response::Json(200, boost::json::object{{"id", d.id},
                                                       {"state", declarations::StateName(d.state)},
                                                       {"lane", d.lane ? boost::json::value(*d.lane) : nullptr}});
    });
}

template <Response (*F)(Services&, Request&)>
http::Handler Bind(Services& s) {
    return [&s](Request& req) { return F(s, req); };
}

}  // namespace

void RegisterControlRoutes(http::Router& router, Services& s) {
    const std::string base = "/api/v1/control";
    router.Add("GET", base + "/queue", Bind<Queue>(s));
    router.Add("GET", base + "/finding-categories", Bind<Categories>(s));
    router.Add("GET", base + "/declarations/{id}/document-requests", Bind<ListRequests>(s));
    router.Add("POST", base + "/declarations/{id}/document-requests", Bind<CreateRequest>(s));
    router.Add("GET", base + "/document-requests/{id}", Bind<GetRequest>(s));
    router.Add("POST", base + "/document-requests/{id}/documents", Bind<Upload>(s));
    router.Add("GET", base + "/document-requests/{id}/documents/{doc}", Bind<Download>(s));
    router.Add("POST", base + "/document-requests/{id}/decision", Bind<Decide>(s));
    router.Add("GET", base + "/declarations/{id}/findings", Bind<ListFindings>(s));
    router.Add("POST", base + "/declarations/{id}/findings", Bind<AddFinding>(s));
    router.Add("POST", base + "/declarations/{id}/release", Bind<Conclude<true>>(s));
    router.Add("POST", base + "/declarations/{id}/refuse", Bind<Conclude<false>>(s));
}

}  // namespace customsdesk::api

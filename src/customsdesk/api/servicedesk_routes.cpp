// /api/v1/servicedesk: request types and forms, service groups, service requests (queue, workflow,
// thread, attachments, tags, links, merging, history) and canned responses. Thin handlers: parse,
// call the service once, map the result (servicedesk/service_desk.hpp does the scoping and the
// rules). Described in openapi_servicedesk.json.
#include <fmt/format.h>

#include "customsdesk/api/api.hpp"
#include "customsdesk/api/handler_support.hpp"
#include "customsdesk/core/json.hpp"
#include "customsdesk/servicedesk/service_desk.hpp"

namespace customsdesk::api {
namespace {

using http::Request;
using http::Response;
namespace sd = servicedesk;

Response RequestJson(const Request& req, unsigned status, const sd::ServiceRequest& r) {
    auto resp = Response::Json(status, sd::ToJson(r, PrincipalOf(req).IsStaff()));
    resp.Set("ETag", fmt::format("\"{}\"", r.version));
    if (status == 201) resp.Set("Location", fmt::format("/api/v1/servicedesk/requests/{}", r.id.value()));
    return resp;
}

template <typename T>
Response Items(const std::vector<T>& items) {
    boost::json::array a;
    for (const auto& i : items) a.push_back(sd::ToJson(i));
    return Response::Json(200, boost::json::object{{"items", a}});
}

std::optional<sd::RequestId> RequestIdOf(const Request& req) {
    auto id = PathId(req, "id");
    if (!id) return std::nullopt;
    return sd::RequestId(*id);
}

// ---- types, forms, groups ----

Response ListTypes(Services& s, Request& req) {
    auto r = s.servicedesk.ListTypes(PrincipalOf(req));
    return Respond(req, r, [](const std::vector<sd::RequestType>& v) { return Items(v); });
}

Response GetType(Services& s, Request& req) {
    auto r = s.servicedesk.GetType(PrincipalOf(req), req.PathParam("key"));
    return Respond(req, r, [](const sd::RequestType& t) { return Response::Json(200, sd::ToJson(t)); });
}

Response PutForm(Services& s, Request& req) {
    auto body = JsonBody(req);
    if (!body) return ErrorResponse(req, body.error());
    auto r = s.servicedesk.UpdateForm(PrincipalOf(req), req.PathParam("key"), *body);
    return Respond(req, r, [](const sd::RequestType& t) { return Response::Json(200, sd::ToJson(t)); });
}

Response FormVersions(Services& s, Request& req) {
    auto r = s.servicedesk.FormVersions(PrincipalOf(req), req.PathParam("key"));
    return Respond(req, r, [](const std::vector<sd::FormVersion>& v) { return Items(v); });
}

Response ListGroups(Services& s, Request& req) {
    auto r = s.servicedesk.ListGroups(PrincipalOf(req));
    return Respond(req, r, [](const std::vector<sd::ServiceGroup>& v) { return Items(v); });
}

// ---- requests ----

// Comma-separated list of names parsed by `parse`; a bad one is a field error at /query/<name>.
template <typename E, typename P>
std::vector<E> ListParam(const Request& req, std::string_view name, P parse, core::FieldErrors& errs) {
    std::vector<E> out;
    auto v = req.QueryParam(name);
    if (!v || v->empty()) return out;
    std::string_view rest = *v;
    while (!rest.empty()) {
        const auto comma = rest.find(',');
        const auto item = rest.substr(0, comma);
        if (auto e = parse(item)) out.push_back(*e);
        else errs.Add(fmt::format("/query/{}", name), "option", fmt::format("'{}' is not a valid value.", item));
        if (comma == std::string_view::npos) break;
        rest = rest.substr(comma + 1);
    }
    return out;
}

Response ListRequests(Services& s, Request& req) {
    core::FieldErrors errs;
    sd::QueueFilter f;
    f.statuses = ListParam<sd::Status>(req, "status", sd::ParseStatus, errs);
    f.priorities = ListParam<sd::Priority>(req, "priority", sd::ParsePriority, errs);
    if (auto g = req.QueryParam("group")) f.group = std::string(*g);
    if (auto a = req.QueryParam("assignee")) {
        if (*a == "me") f.assignee = PrincipalOf(req).user.value();
        else if (*a == "none") f.assignee = 0;
        else f.assignee = QueryInt(req, "assignee", errs, 1, INT64_MAX);
    }
    if (auto t = req.QueryParam("tier")) {
        f.tier = sd::ParseTier(*t);
        if (!f.tier) errs.Add("/query/tier", "option", "One of self_service, customer_service, support, stakeholder.");
    }
    if (auto st = req.QueryParam("sla_state")) f.sla_state = std::string(*st);
    f.organisation = QueryInt(req, "organisation_id", errs, 1, INT64_MAX);
    if (auto t = req.QueryParam("type")) f.type = std::string(*t);
    if (auto q = req.QueryParam("q"); q && !q->empty()) {
        if (q->size() > 200) errs.Add("/query/q", "max_length", "At most 200 bytes.");
        f.text = std::string(*q);
    }
    f.limit = static_cast<int>(QueryInt(req, "limit", errs, 1, sd::kMaxPageSize).value_or(50));
    if (auto c = req.QueryParam("cursor")) f.cursor = std::string(*c);
    if (auto ok = errs.ToResult("The query has invalid parameters."); !ok) return ErrorResponse(req, ok.error());
    auto page = s.servicedesk.List(PrincipalOf(req), f);
    const bool staff = PrincipalOf(req).IsStaff();
    return Respond(req, page, [staff](const sd::RequestPage& p) {
        // The whole answer in one arena: a page of 50 requests is ~1,500 JSON nodes.
        boost::json::monotonic_resource arena(64 * 1024);
        boost::json::storage_ptr sp(&arena);
        boost::json::array items(sp);
        items.reserve(p.items.size());
        for (const auto& r : p.items) items.push_back(sd::ToJson(r, staff, sp));
        boost::json::object body(sp);
        body.emplace("items", std::move(items));
        body.emplace("next_cursor", p.next_cursor ? boost::json::value(*p.next_cursor, sp) : nullptr);
        return Response::Json(200, boost::json::value(std::move(body)));
    });
}

Response CreateRequest(Services& s, Request& req) {
    auto body = JsonBody(req);
    if (!body) return ErrorResponse(req, body.error());
    auto r = s.servicedesk.Create(PrincipalOf(req), *body);
    return Respond(req, r, [&req](const sd::ServiceRequest& x) { return RequestJson(req, 201, x); });
}

Response GetRequest(Services& s, Request& req) {
    auto id = RequestIdOf(req);
    if (!id) return NotFound(req);
    auto r = s.servicedesk.Get(PrincipalOf(req), *id);
    return Respond(req, r, [&req](const sd::ServiceRequest& x) { return RequestJson(req, 200, x); });
}

Response PatchRequest(Services& s, Request& req) {
    auto id = RequestIdOf(req);
    if (!id) return NotFound(req);
    auto version = IfMatchVersion(req);
    if (!version) return ErrorResponse(req, version.error());
    auto body = JsonBody(req, true);
    if (!body) return ErrorResponse(req, body.error());
    auto r = s.servicedesk.Update(PrincipalOf(req), *id, *body, *version);
    return Respond(req, r, [&req](const sd::ServiceRequest& x) { return RequestJson(req, 200, x); });
}

using RequestAction = core::Result<sd::ServiceRequest> (sd::ServiceDeskService::*)(const core::Principal&,
                                                                                   sd::RequestId,
                                                                                   const boost::json::object&);

template <RequestAction A>
Response Act(Services& s, Request& req) {
    auto id = RequestIdOf(req);
    if (!id) return NotFound(req);
    auto body = JsonBody(req);
    if (!body) return ErrorResponse(req, body.error());
    auto r = (s.servicedesk.*A)(PrincipalOf(req), *id, *body);
    return Respond(req, r, [&req](const sd::ServiceRequest& x) { return RequestJson(req, 200, x); });
}

Response History(Services& s, Request& req) {
    auto id = RequestIdOf(req);
    if (!id) return NotFound(req);
    core::FieldErrors errs;
    const auto limit = QueryInt(req, "limit", errs, 1, history::kMaxHistoryPage).value_or(50);
    const auto before = QueryInt(req, "before", errs, 1, INT64_MAX).value_or(0);
    if (auto ok = errs.ToResult("The query has invalid parameters."); !ok) return ErrorResponse(req, ok.error());
    auto page = s.servicedesk.History(PrincipalOf(req), *id, before, static_cast<int>(limit));
    return Respond(req, page, [](const history::ChangePage& p) {
        boost::json::array items;
        for (const auto& e : p.entries) items.push_back(history::ToJson(e));
        return Response::Json(200, boost::json::object{
                                       {"items", items},
                                       {"next_before", p.next_before ? boost::json::value(*p.next_before) : nullptr}});
    });
}

// ---- thread ----

Response ListMessages(Services& s, Request& req) {
    auto id = RequestIdOf(req);
    if (!id) return NotFound(req);
    auto r = s.servicedesk.ListMessages(PrincipalOf(req), *id);
    return Respond(req, r, [](const std::vector<sd::Message>& v) { return Items(v); });
}

Response AddReply(Services& s, Request& req) {
    auto id = RequestIdOf(req);
    if (!id) return NotFound(req);
    auto body = JsonBody(req);
    if (!body) return ErrorResponse(req, body.error());
    auto r = s.servicedesk.AddReply(PrincipalOf(req), *id, *body);
    const bool staff = PrincipalOf(req).IsStaff();
    return Respond(req, r, [staff](const sd::ReplyOutcome& o) {
        auto resp = Response::Json(201, boost::json::object{{"message", sd::ToJson(o.message)},
                                                            {"request", sd::ToJson(o.request, staff)},
                                                            {"reopened", o.reopened},
                                                            {"follow_up", o.follow_up}});
        resp.Set("Location", fmt::format("/api/v1/servicedesk/requests/{}", o.request.id.value()));
        return resp;
    });
}

Response AddNote(Services& s, Request& req) {
    auto id = RequestIdOf(req);
    if (!id) return NotFound(req);
    auto body = JsonBody(req);
    if (!body) return ErrorResponse(req, body.error());
    auto r = s.servicedesk.AddNote(PrincipalOf(req), *id, *body);
    return Respond(req, r, [](const sd::Message& m) { return Response::Json(201, sd::ToJson(m)); });
}

// ---- attachments ----

Response UploadAttachment(Services& s, Request& req) {
    auto id = RequestIdOf(req);
    if (!id) return NotFound(req);
    const std::string type(req.Header("Content-Type").value_or(""));
    const std::string filename(req.QueryParam("filename").value_or("attachment"));
    const auto internal_param = req.QueryParam("internal");
    const bool internal = internal_param && (*internal_param == "true" || *internal_param == "1");
    auto r = s.servicedesk.AddAttachment(PrincipalOf(req), *id, filename, type, req.body, internal);
    return Respond(req, r, [](const sd::Attachment& a) {
        auto resp = Response::Json(201, sd::ToJson(a));
        resp.Set("Location", fmt::format("/api/v1/servicedesk/requests/{}/attachments/{}", a.request.value(), a.id));
        return resp;
    });
}

Response ListAttachments(Services& s, Request& req) {
    auto id = RequestIdOf(req);
    if (!id) return NotFound(req);
    auto r = s.servicedesk.ListAttachments(PrincipalOf(req), *id);
    return Respond(req, r, [](const std::vector<sd::Attachment>& v) { return Items(v); });
}

// RFC 6266 / RFC 8187: an ASCII fallback name plus the UTF-8 name percent-encoded.
std::string ContentDisposition(const std::string& name) {
    std::string ascii, encoded;
    for (unsigned char c : name) {
        ascii += (c >= 0x20 && c < 0x7f && c != '"' && c != '\\' && c != '%') ? static_cast<char>(c) : '_';
        if (std::isalnum(c) || c == '.' || c == '-' || c == '_') encoded += static_cast<char>(c);
        else encoded += fmt::format("%{:02X}", c);
    }
    return fmt::format("attachment; filename=\"{}\"; filename*=UTF-8''{}", ascii, encoded);
}

Response DownloadAttachment(Services& s, Request& req) {
    auto id = RequestIdOf(req);
    auto aid = PathId(req, "attachment_id");
    if (!id || !aid) return NotFound(req);
    auto r = s.servicedesk.GetAttachment(PrincipalOf(req), *id, *aid);
    return Respond(req, r, [](const sd::AttachmentContent& c) {
        auto resp = Response::Text(200, c.bytes, c.meta.content_type);
        resp.Set("Content-Disposition", ContentDisposition(c.meta.filename));
        resp.Set("X-Content-Type-Options", "nosniff");
        resp.Set("Content-Security-Policy", "sandbox; default-src 'none'");
        resp.Set("ETag", fmt::format("\"{}\"", c.meta.sha256));
        return resp;
    });
}

// ---- links and merging ----

Response ListLinks(Services& s, Request& req) {
    auto id = RequestIdOf(req);
    if (!id) return NotFound(req);
    auto r = s.servicedesk.ListLinks(PrincipalOf(req), *id);
    return Respond(req, r, [](const std::vector<sd::Link>& v) { return Items(v); });
}

Response AddLink(Services& s, Request& req) {
    auto id = RequestIdOf(req);
    if (!id) return NotFound(req);
    auto body = JsonBody(req);
    if (!body) return ErrorResponse(req, body.error());
    auto r = s.servicedesk.AddLink(PrincipalOf(req), *id, *body);
    return Respond(req, r, [](const sd::Link& l) { return Response::Json(201, sd::ToJson(l)); });
}

// ---- canned responses ----

Response ListCanned(Services& s, Request& req) {
    std::optional<std::string> language;
    if (auto l = req.QueryParam("language")) language = std::string(*l);
    auto r = s.servicedesk.ListCanned(PrincipalOf(req), language);
    return Respond(req, r, [](const std::vector<sd::CannedResponse>& v) { return Items(v); });
}

Response CreateCanned(Services& s, Request& req) {
    auto body = JsonBody(req);
    if (!body) return ErrorResponse(req, body.error());
    auto r = s.servicedesk.CreateCanned(PrincipalOf(req), *body);
    return Respond(req, r, [](const sd::CannedResponse& c) {
        auto resp = Response::Json(201, sd::ToJson(c));
        resp.Set("Location", fmt::format("/api/v1/servicedesk/canned-responses/{}", c.id));
        return resp;
    });
}

Response PatchCanned(Services& s, Request& req) {
    auto id = PathId(req, "id");
    if (!id) return NotFound(req);
    auto body = JsonBody(req, true);
    if (!body) return ErrorResponse(req, body.error());
    auto r = s.servicedesk.UpdateCanned(PrincipalOf(req), *id, *body);
    return Respond(req, r, [](const sd::CannedResponse& c) { return Response::Json(200, sd::ToJson(c)); });
}

Response DeleteCanned(Services& s, Request& req) {
    auto id = PathId(req, "id");
    if (!id) return NotFound(req);
    auto r = s.servicedesk.DeleteCanned(PrincipalOf(req), *id);
    if (!r) return ErrorResponse(req, r.error());
    return Response::NoContent();
}

Response RenderCanned(Services& s, Request& req) {
    auto id = RequestIdOf(req);
    auto cid = PathId(req, "canned_id");
    if (!id || !cid) return NotFound(req);
    auto r = s.servicedesk.RenderCanned(PrincipalOf(req), *cid, *id);
    return Respond(req, r, [](const std::string& text) {
        return Response::Json(200, boost::json::object{{"body", text}});
    });
}

template <Response (*F)(Services&, Request&)>
http::Handler Bind(Services& s) {
    return [&s](Request& req) { return F(s, req); };
}

}  // namespace

void RegisterServiceDeskRoutes(http::Router& router, Services& s) {
    using sd::ServiceDeskService;
    const std::string base = "/api/v1/servicedesk";
    const std::string one = base + "/requests/{id}";
    router.Add("GET", base + "/request-types", Bind<ListTypes>(s));
    router.Add("GET", base + "/request-types/{key}", Bind<GetType>(s));
    router.Add("PUT", base + "/request-types/{key}/form", Bind<PutForm>(s));
    router.Add("GET", base + "/request-types/{key}/form-versions", Bind<FormVersions>(s));
    router.Add("GET", base + "/groups", Bind<ListGroups>(s));
    router.Add("GET", base + "/requests", Bind<ListRequests>(s));
    router.Add("POST", base + "/requests", Bind<CreateRequest>(s));
    router.Add("GET", one, Bind<GetRequest>(s));
    router.Add("PATCH", one, Bind<PatchRequest>(s));
    router.Add("POST", one + "/status", Bind<Act<&ServiceDeskService::ChangeStatus>>(s));
    router.Add("POST", one + "/assign", Bind<Act<&ServiceDeskService::Assign>>(s));
    router.Add("POST", one + "/escalate", Bind<Act<&ServiceDeskService::Escalate>>(s));
    router.Add("POST", one + "/tags", Bind<Act<&ServiceDeskService::UpdateTags>>(s));
    router.Add("POST", one + "/merge", Bind<Act<&ServiceDeskService::Merge>>(s));
    router.Add("GET", one + "/history", Bind<History>(s));
    router.Add("GET", one + "/messages", Bind<ListMessages>(s));
    router.Add("POST", one + "/replies", Bind<AddReply>(s));
    router.Add("POST", one + "/notes", Bind<AddNote>(s));
    router.Add("GET", one + "/attachments", Bind<ListAttachments>(s));
    router.Add("POST", one + "/attachments", Bind<UploadAttachment>(s));
    router.Add("GET", one + "/attachments/{attachment_id}", Bind<DownloadAttachment>(s));
    router.Add("GET", one + "/links", Bind<ListLinks>(s));
    router.Add("POST", one + "/links", Bind<AddLink>(s));
    router.Add("GET", one + "/canned-responses/{canned_id}", Bind<RenderCanned>(s));
    router.Add("GET", base + "/canned-responses", Bind<ListCanned>(s));
    router.Add("POST", base + "/canned-responses", Bind<CreateCanned>(s));
    router.Add("PATCH", base + "/canned-responses/{id}", Bind<PatchCanned>(s));
    router.Add("DELETE", base + "/canned-responses/{id}", Bind<DeleteCanned>(s));
}

}  // namespace customsdesk::api

// /api/v1/mail/quarantine: inbound e-mail that could not be parsed or ingested, for administrators
// (servicedesk/mail_intake.hpp). Thin handlers; described in openapi_mail.json.
#include "customsdesk/api/api.hpp"
#include "customsdesk/api/handler_support.hpp"
#include "customsdesk/servicedesk/mail_intake.hpp"

namespace customsdesk::api {
namespace {

using http::Request;
using http::Response;

boost::json::value OptText(const std::optional<std::string>& s) {
    if (!s) return nullptr;
    return boost::json::value(*s);
}

boost::json::object ToJson(const servicedesk::QuarantinedMail& q) {
    return {{"id", q.id},
            {"received_at", q.received_at},
            {"stage", q.stage},
            {"reason", q.reason},
            {"from_address", OptText(q.from_address)},
            {"subject", OptText(q.subject)},
            {"message_id", OptText(q.message_id)},
            {"request_number", OptText(q.request_number)},
            {"size", q.size},
            {"retries", q.retries},
            {"last_retry_at", OptText(q.last_retry_at)}};
}

boost::json::object ToJson(const servicedesk::IntakeResult& r) {
    boost::json::object o{{"outcome", servicedesk::IntakeOutcomeName(r.outcome)},
                          {"request_id", r.request ? boost::json::value(r.request->value()) : nullptr},
                          {"request_number", r.request_number.empty() ? boost::json::value(nullptr)
                                                                      : boost::json::value(r.request_number)},
                          {"quarantine_id", r.quarantine_id ? boost::json::value(*r.quarantine_id) : nullptr},
                          {"reason", r.reason}};
    return o;
}

servicedesk::MailIntake* Intake(Services& s) { return s.mail_intake; }

Response Unconfigured(const Request& req) {
    return ErrorResponse(req, core::Error::Unavailable("The e-mail channel is not configured on this server."));
}

Response ListQuarantine(Services& s, Request& req) {
    if (Intake(s) == nullptr) return Unconfigured(req);
    core::FieldErrors errs;
    const auto limit = QueryInt(req, "limit", errs, 1, servicedesk::kMaxQuarantinePage);
    const auto after = QueryInt(req, "after", errs, 1, INT64_MAX);
    if (auto ok = errs.ToResult("The query has invalid parameters."); !ok) return ErrorResponse(req, ok.error());
    auto page = Intake(s)->ListQuarantine(PrincipalOf(req), static_cast<int>(limit.value_or(50)), after);
    return Respond(req, page, [](const servicedesk::QuarantinePage& p) {
        boost::json::array items;
        for (const auto& q : p.items) items.push_back(ToJson(q));
        return Response::Json(200, boost::json::object{
                                       {"items", items},
                                       {"next_after", p.next_after ? boost::json::value(*p.next_after) : nullptr}});
    });
}

Response GetQuarantined(Services& s, Request& req) {
    if (Intake(s) == nullptr) return Unconfigured(req);
    auto id = PathId(req, "id");
    if (!id) return NotFound(req);
    auto q = Intake(s)->GetQuarantined(PrincipalOf(req), *id);
    return Respond(req, q, [](const servicedesk::QuarantinedMail& m) { return Response::Json(200, ToJson(m)); });
}

Response GetQuarantinedRaw(Services& s, Request& req) {
    if (Intake(s) == nullptr) return Unconfigured(req);
    auto id = PathId(req, "id");
    if (!id) return NotFound(req);
    auto q = Intake(s)->GetQuarantined(PrincipalOf(req), *id);
    return Respond(req, q, [](const servicedesk::QuarantinedMail& m) {
        auto r = Response::Text(200, m.raw, "message/rfc822");
        r.Set("Content-Disposition", "attachment; filename=\"quarantine-" + std::to_string(m.id) + ".eml\"");
        return r;
    });
}

Response RetryQuarantined(Services& s, Request& req) {
    if (Intake(s) == nullptr) return Unconfigured(req);
    auto id = PathId(req, "id");
    if (!id) return NotFound(req);
    auto r = Intake(s)->RetryQuarantined(PrincipalOf(req), *id);
    return Respond(req, r, [](const servicedesk::IntakeResult& x) { return Response::Json(200, ToJson(x)); });
}

Response DeleteQuarantined(Services& s, Request& req) {
    if (Intake(s) == nullptr) return Unconfigured(req);
    auto id = PathId(req, "id");
    if (!id) return NotFound(req);
    auto r = Intake(s)->DeleteQuarantined(PrincipalOf(req), *id);
    if (!r) return ErrorResponse(req, r.error());
    return Response::NoContent();
}

template <Response (*F)(Services&, Request&)>
http::Handler Bind(Services& s) {
    return [&s](Request& req) { return F(s, req); };
}

}  // namespace

void RegisterMailRoutes(http::Router& router, Services& s) {
    const std::string base = "/api/v1/mail/quarantine";
    router.Add("GET", base, Bind<ListQuarantine>(s));
    router.Add("GET", base + "/{id}", Bind<GetQuarantined>(s));
    router.Add("GET", base + "/{id}/raw", Bind<GetQuarantinedRaw>(s));
    router.Add("POST", base + "/{id}/retry", Bind<RetryQuarantined>(s));
    router.Add("DELETE", base + "/{id}", Bind<DeleteQuarantined>(s));
}

}  // namespace customsdesk::api

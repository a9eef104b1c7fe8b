// /api/v1/sla: business calendars and SLA policies (sla/sla_service.hpp). Thin handlers: parse the
// request, call the service once, map the result. Described in openapi_sla.json.
#include <fmt/format.h>

#include "customsdesk/api/api.hpp"
#include "customsdesk/api/handler_support.hpp"
#include "customsdesk/sla/sla_service.hpp"

namespace customsdesk::api {
namespace {

using http::Request;
using http::Response;

template <typename T>
Response Versioned(unsigned status, const T& record) {
    auto resp = Response::Json(status, sla::ToJson(record));
    resp.Set("ETag", fmt::format("\"{}\"", record.version));
    return resp;
}

template <typename T>
Response Items(const std::vector<T>& list) {
    boost::json::array a;
    for (const auto& x : list) a.push_back(sla::ToJson(x));
    return Response::Json(200, boost::json::object{{"items", a}});
}

Response ListCalendars(Services& s, Request& req) {
    auto list = s.sla.ListCalendars(PrincipalOf(req));
    return Respond(req, list, [](const std::vector<sla::CalendarRecord>& l) { return Items(l); });
}

Response CreateCalendar(Services& s, Request& req) {
    auto body = JsonBody(req);
    if (!body) return ErrorResponse(req, body.error());
    auto c = s.sla.CreateCalendar(PrincipalOf(req), *body);
    return Respond(req, c, [](const sla::CalendarRecord& x) {
        auto resp = Versioned(201, x);
        resp.Set("Location", fmt::format("/api/v1/sla/calendars/{}", x.id.value()));
        return resp;
    });
}

Response GetCalendar(Services& s, Request& req) {
    auto id = PathId(req, "id");
    if (!id) return NotFound(req);
    auto c = s.sla.GetCalendar(PrincipalOf(req), sla::CalendarId(*id));
    return Respond(req, c, [](const sla::CalendarRecord& x) { return Versioned(200, x); });
}

Response PatchCalendar(Services& s, Request& req) {
    auto id = PathId(req, "id");
    if (!id) return NotFound(req);
    auto body = JsonBody(req, true);
    if (!body) return ErrorResponse(req, body.error());
    auto expected = IfMatchVersion(req);
    if (!expected) return ErrorResponse(req, expected.error());
    auto c = s.sla.UpdateCalendar(PrincipalOf(req), sla::CalendarId(*id), *body, *expected);
    return Respond(req, c, [](const sla::CalendarRecord& x) { return Versioned(200, x); });
}

Response CalendarHolidays(Services& s, Request& req) {
    auto id = PathId(req, "id");
    if (!id) return NotFound(req);
    core::FieldErrors errs;
    const auto now_year = static_cast<int>(
        date::year_month_day{date::floor<date::days>(s.clock.Now())}.year());
    const auto year = QueryInt(req, "year", errs, sla::kMinHolidayYear, sla::kMaxHolidayYear).value_or(now_year);
    if (auto ok = errs.ToResult("The query has invalid parameters."); !ok) return ErrorResponse(req, ok.error());
    auto list = s.sla.CalendarHolidays(PrincipalOf(req), sla::CalendarId(*id), static_cast<int>(year));
    return Respond(req, list, [year](const std::vector<sla::Holiday>& l) {
        boost::json::array a;
        for (const auto& h : l) a.push_back(sla::ToJson(h));
        return Response::Json(200, boost::json::object{{"year", year}, {"items", a}});
    });
}

Response ListPolicies(Services& s, Request& req) {
    auto list = s.sla.ListPolicies(PrincipalOf(req));
    return Respond(req, list, [](const std::vector<sla::PolicyRecord>& l) { return Items(l); });
}

Response CreatePolicy(Services& s, Request& req) {
    auto body = JsonBody(req);
    if (!body) return ErrorResponse(req, body.error());
    auto p = s.sla.CreatePolicy(PrincipalOf(req), *body);
    return Respond(req, p, [](const sla::PolicyRecord& x) {
        auto resp = Versioned(201, x);
        resp.Set("Location", fmt::format("/api/v1/sla/policies/{}", x.id.value()));
        return resp;
    });
}

Response GetPolicy(Services& s, Request& req) {
    auto id = PathId(req, "id");
    if (!id) return NotFound(req);
    auto p = s.sla.GetPolicy(PrincipalOf(req), sla::PolicyId(*id));
    return Respond(req, p, [](const sla::PolicyRecord& x) { return Versioned(200, x); });
}

Response PatchPolicy(Services& s, Request& req) {
    auto id = PathId(req, "id");
    if (!id) return NotFound(req);
    auto body = JsonBody(req, true);
    if (!body) return ErrorResponse(req, body.error());
    auto expected = IfMatchVersion(req);
    if (!expected) return ErrorResponse(req, expected.error());
    auto p = s.sla.UpdatePolicy(PrincipalOf(req), sla::PolicyId(*id), *body, *expected);
    return Respond(req, p, [](const sla::PolicyRecord& x) { return Versioned(200, x); });
}

Response DeletePolicy(Services& s, Request& req) {
    auto id = PathId(req, "id");
    if (!id) return NotFound(req);
    auto expected = IfMatchVersion(req);
    if (!expected) return ErrorResponse(req, expected.error());
    auto r = s.sla.DeletePolicy(PrincipalOf(req), sla::PolicyId(*id), *expected);
    if (!r) return ErrorResponse(req, r.error());
    return Response::NoContent();
}

template <Response (*F)(Services&, Request&)>
http::Handler Bind(Services& s) {
    return [&s](Request& req) { return F(s, req); };
}

}  // namespace

void RegisterSlaRoutes(http::Router& router, Services& s) {
    const std::string base = "/api/v1/sla";
    router.Add("GET", base + "/calendars", Bind<ListCalendars>(s));
    router.Add("POST", base + "/calendars", Bind<CreateCalendar>(s));
    router.Add("GET", base + "/calendars/{id}", Bind<GetCalendar>(s));
    router.Add("PATCH", base + "/calendars/{id}", Bind<PatchCalendar>(s));
    router.Add("GET", base + "/calendars/{id}/holidays", Bind<CalendarHolidays>(s));
    router.Add("GET", base + "/policies", Bind<ListPolicies>(s));
    router.Add("POST", base + "/policies", Bind<CreatePolicy>(s));
    router.Add("GET", base + "/policies/{id}", Bind<GetPolicy>(s));
    router.Add("PATCH", base + "/policies/{id}", Bind<PatchPolicy>(s));
    router.Add("DELETE", base + "/policies/{id}", Bind<DeletePolicy>(s));
}

}  // namespace customsdesk::api

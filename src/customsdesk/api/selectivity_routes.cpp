// /api/v1/selectivity: the active risk profiles with their hit rates, the random-sample rates and a
// dry run for analysts (selectivity/selectivity_service.hpp). Thin handlers: parse the request, call
// the service once, map the result. Described in openapi_selectivity.json.
#include "customsdesk/api/api.hpp"
#include "customsdesk/api/handler_support.hpp"
#include "customsdesk/selectivity/profile.hpp"
#include "customsdesk/selectivity/selectivity_service.hpp"

namespace customsdesk::api {
namespace {

using http::Request;
using http::Response;

Response ListProfiles(Services& s, Request& req) {
    auto v = s.selectivity.Profiles(PrincipalOf(req));
    return Respond(req, v, [](const selectivity::ProfilesView& x) { return Response::Json(200, selectivity::ToJson(x)); });
}

Response ListAttributes(Services&, Request& req) {
    if (!PrincipalOf(req).IsStaff()) {
        return ErrorResponse(req, core::Error::PermissionDenied("Selectivity attributes are for customs staff."));
    }
    boost::json::array items;
    for (const auto& a : selectivity::Attributes()) {
        items.push_back(boost::json::object{{"name", a.name},
                                            {"type", a.type},
                                            {"level", a.item ? "item" : "declaration"},
                                            {"description", a.description}});
    }
    return Response::Json(200, boost::json::object{{"items", std::move(items)}});
}

Response GetSampleRates(Services& s, Request& req) {
    auto r = s.selectivity.GetSampleRates(PrincipalOf(req));
    return Respond(req, r, [](const selectivity::SampleSettings& x) { return Response::Json(200, selectivity::ToJson(x)); });
}

Response PutSampleRates(Services& s, Request& req) {
    auto body = JsonBody(req);
    if (!body) return ErrorResponse(req, body.error());
    auto r = s.selectivity.SetSampleRates(PrincipalOf(req), *body);
    return Respond(req, r, [](const selectivity::SampleSettings& x) { return Response::Json(200, selectivity::ToJson(x)); });
}

Response DryRun(Services& s, Request& req) {
    auto body = JsonBody(req);
    if (!body) return ErrorResponse(req, body.error());
    auto r = s.selectivity.DryRun(PrincipalOf(req), *body);
    return Respond(req, r, [](const selectivity::Decision& d) {
        return Response::Text(200, d.ExplanationJson(), "application/json");
    });
}

template <Response (*F)(Services&, Request&)>
http::Handler Bind(Services& s) {
    return [&s](Request& req) { return F(s, req); };
}

}  // namespace

void RegisterSelectivityRoutes(http::Router& router, Services& s) {
    const std::string base = "/api/v1/selectivity";
    router.Add("GET", base + "/profiles", Bind<ListProfiles>(s));
    router.Add("GET", base + "/attributes", Bind<ListAttributes>(s));
    router.Add("GET", base + "/sample-rates", Bind<GetSampleRates>(s));
    router.Add("PUT", base + "/sample-rates", Bind<PutSampleRates>(s));
    router.Add("POST", base + "/evaluate", Bind<DryRun>(s));
}

}  // namespace customsdesk::api

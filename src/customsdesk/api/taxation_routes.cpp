// /api/v1/taxation: rate tables and assessment preview (taxation/tax_service.hpp). Thin handlers: parse
// the request, call the service once, map the result. Described in openapi_taxation.json.
#include <fmt/format.h>

#include "customsdesk/api/api.hpp"
#include "customsdesk/api/handler_support.hpp"
#include "customsdesk/core/json.hpp"
#include "customsdesk/taxation/json_mapping.hpp"
#include "customsdesk/taxation/tax_service.hpp"

namespace customsdesk::api {
namespace {

using http::Request;
using http::Response;
namespace tax = customsdesk::taxation;

template <typename Row>
Response Items(const std::vector<Row>& rows) {
    boost::json::array a;
    a.reserve(rows.size());
    for (const auto& r : rows) a.push_back(tax::ToJson(r));
    return Response::Json(200, boost::json::object{{"items", std::move(a)}});
}

Response ListTariffRates(Services& s, Request& req) {
    core::FieldErrors errs;
    tax::TariffFilter filter;
    if (auto code = req.QueryParam("code")) {
        filter.code = std::string(*code);
        if (filter.code.empty() || filter.code.size() > tax::kMaxCodeDigits ||
            !std::all_of(filter.code.begin(), filter.code.end(), [](char c) { return c >= '0' && c <= '9'; })) {
            errs.Add("/query/code", "format", "A commodity code (prefix) of 1 to 10 digits.");
        }
    }
    if (auto date = req.QueryParam("date")) {
        filter.date = tax::ParseDate(*date);
        if (!filter.date) errs.Add("/query/date", "format", "Expected a date YYYY-MM-DD.");
    }
    if (auto limit = QueryInt(req, "limit", errs, 1, static_cast<std::int64_t>(tax::kMaxListRows))) {
        filter.limit = static_cast<std::size_t>(*limit);
    }
    if (auto ok = errs.ToResult("The query has invalid parameters."); !ok) return ErrorResponse(req, ok.error());
    auto rows = s.taxation.ListTariffRates(PrincipalOf(req), filter);
    return Respond(req, rows, [](const std::vector<tax::TariffRate>& r) { return Items(r); });
}

Response ImportCsv(Services& s, Request& req, tax::ImportKind kind) {
    const auto type = std::string(req.Header("Content-Type").value_or(""));
    if (!type.starts_with("text/csv")) {
        return ErrorResponse(req, core::Error::InvalidArgument("Send the file as text/csv.",
                                                               {{"/headers/content-type", "unsupported_media_type",
                                                                 "Expected text/csv."}})
                                      .WithType("unsupported-media-type"));
    }
    auto report = s.taxation.Import(PrincipalOf(req), kind, req.body);
    return Respond(req, report, [](const tax::ImportReport& r) {
        return Response::Json(200, boost::json::object{{"rows", r.rows}, {"inserted", r.inserted},
                                                       {"replaced", r.replaced}});
    });
}

Response ImportTariff(Services& s, Request& req) { return ImportCsv(s, req, tax::ImportKind::kTariff); }
Response ImportFx(Services& s, Request& req) { return ImportCsv(s, req, tax::ImportKind::kExchangeRates); }

Response ListVatRates(Services& s, Request& req) {
    auto rows = s.taxation.ListVatRates(PrincipalOf(req));
    return Respond(req, rows, [](const std::vector<tax::VatRate>& r) { return Items(r); });
}

Response PutVatRate(Services& s, Request& req) {
    auto body = JsonBody(req);
    if (!body) return ErrorResponse(req, body.error());
    core::FieldErrors errs;
    auto row = tax::ParseVatRate(*body, errs, "");
    if (!row) return ErrorResponse(req, core::Error::InvalidArgument("The VAT rate is invalid.", errs.errors()));
    auto saved = s.taxation.PutVatRate(PrincipalOf(req), *row);
    return Respond(req, saved, [](const tax::VatRate& r) { return Response::Json(200, tax::ToJson(r)); });
}

Response ListFx(Services& s, Request& req) {
    core::FieldErrors errs;
    std::string currency;
    if (auto c = req.QueryParam("currency")) {
        currency = std::string(*c);
        if (currency.size() != 3) errs.Add("/query/currency", "format", "An ISO 4217 code of three letters.");
    }
    if (auto ok = errs.ToResult("The query has invalid parameters."); !ok) return ErrorResponse(req, ok.error());
    auto rows = s.taxation.ListExchangeRates(PrincipalOf(req), currency);
    return Respond(req, rows, [](const std::vector<tax::ExchangeRate>& r) { return Items(r); });
}

Response PutFx(Services& s, Request& req) {
    auto body = JsonBody(req);
    if (!body) return ErrorResponse(req, body.error());
    core::FieldErrors errs;
    auto row = tax::ParseExchangeRate(*body, errs, "");
    if (!row) return ErrorResponse(req, core::Error::InvalidArgument("The exchange rate is invalid.", errs.errors()));
    auto saved = s.taxation.PutExchangeRate(PrincipalOf(req), *row);
    return Respond(req, saved, [](const tax::ExchangeRate& r) { return Response::Json(200, tax::ToJson(r)); });
}

Response AssessPreview(Services& s, Request& req) {
    auto body = JsonBody(req);
    if (!body) return ErrorResponse(req, body.error());
    auto input = tax::ParseAssessmentInput(*body);
    if (!input) return ErrorResponse(req, input.error());
    auto a = s.taxation.Assess(*input);
    return Respond(req, a, [](const tax::Assessment& x) { return Response::Json(200, tax::AssessmentToJson(x)); });
}

template <Response (*F)(Services&, Request&)>
http::Handler Bind(Services& s) {
    return [&s](Request& req) { return F(s, req); };
}

}  // namespace

void RegisterTaxationRoutes(http::Router& router, Services& s) {
    const std::string base = "/api/v1/taxation";
    router.Add("GET", base + "/tariff-rates", Bind<ListTariffRates>(s));
    router.Add("POST", base + "/tariff-rates/import", Bind<ImportTariff>(s));
    router.Add("GET", base + "/vat-rates", Bind<ListVatRates>(s));
    router.Add("POST", base + "/vat-rates", Bind<PutVatRate>(s));
    router.Add("GET", base + "/exchange-rates", Bind<ListFx>(s));
    router.Add("POST", base + "/exchange-rates", Bind<PutFx>(s));
    router.Add("POST", base + "/exchange-rates/import", Bind<ImportFx>(s));
    router.Add("POST", base + "/assess", Bind<AssessPreview>(s));
}

}  // namespace customsdesk::api

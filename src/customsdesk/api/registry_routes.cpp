// Handlers of the trader registry (issue 3): establishments, contacts, account groups, search,
// privacy export and erasure, CSV import jobs and CSV export. Each parses the request, calls one
// service and maps the result (habit 1); the services do the data scoping.
#include <fmt/format.h>

#include <charconv>
#include <iterator>

#include "customsdesk/api/api.hpp"
#include "customsdesk/api/handler_support.hpp"
#include "customsdesk/core/json.hpp"
#include "customsdesk/registry/csv_io.hpp"

namespace customsdesk::api {
namespace {

using http::Request;
using http::Response;

inline constexpr std::string_view kImportJobKind = "registry_import";
// Rows of one export page through the API (the command line streams whole tables).
inline constexpr std::int64_t kDefaultExportPage = 50'000;
inline constexpr std::int64_t kMaxExportPage = 200'000;


// If-Match: "3" / W/"3" -> 3; a malformed header is a 412.

struct Paging {
    int limit = registry::kDefaultPageSize;
    std::optional<std::string> cursor;
};

core::Result<Paging> PagingOf(const Request& req) {
    core::FieldErrors errs;
    Paging p;
    p.limit = static_cast<int>(QueryInt(req, "limit", errs, 1, registry::kMaxPageSize).value_or(registry::kDefaultPageSize));
    if (auto c = req.QueryParam("cursor")) p.cursor = std::string(*c);
    if (auto ok = errs.ToResult("The query has invalid parameters."); !ok) return core::Fail(std::move(ok.error()));
    return p;
}

template <typename T>
Response Versioned(unsigned status, const T& record) {
    auto resp = Response::Json(status, registry::ToJson(record));
    resp.Set("ETag", fmt::format("\"{}\"", record.version));
    return resp;
}

Response HistoryResponse(const Request& req, const core::Result<history::ChangePage>& page) {
    return Respond(req, page, [](const history::ChangePage& p) {
        boost::json::array items;
        for (const auto& e : p.entries) items.push_back(history::ToJson(e));
        return Response::Json(200, boost::json::object{
                                       {"items", items},
                                       {"next_before", p.next_before ? boost::json::value(*p.next_before) : nullptr}});
    });
}

core::Result<std::pair<std::int64_t, int>> HistoryQuery(const Request& req) {
    core::FieldErrors errs;
    const auto limit = QueryInt(req, "limit", errs, 1, history::kMaxHistoryPage).value_or(50);
    const auto before = QueryInt(req, "before", errs, 1, INT64_MAX).value_or(0);
    if (auto ok = errs.ToResult("The query has invalid parameters."); !ok) return core::Fail(std::move(ok.error()));
    return std::make_pair(before, static_cast<int>(limit));
}

// ---- organisations: group ----

Response OrganisationGroup(Services& s, Request& req) {
    auto id = PathId(req, "id");
    if (!id) return NotFound(req);
    auto g = s.organisations.Group(PrincipalOf(req), core::OrganisationId(*id));
    return Respond(req, g, [](const registry::OrganisationGroup& group) {
        boost::json::array items;
        for (const auto& m : group.members) {
            auto o = registry::ToJson(m.organisation);
            o["depth"] = m.depth;
            items.push_back(std::move(o));
        }
        return Response::Json(200, boost::json::object{
                                       {"root_id", group.root.value()}, {"items", items}, {"truncated", group.truncated}});
    });
}

// ---- establishments ----

Response ListEstablishments(Services& s, Request& req) {
    auto id = PathId(req, "id");
    if (!id) return NotFound(req);
    auto paging = PagingOf(req);
    if (!paging) return ErrorResponse(req, paging.error());
    auto page = s.establishments.List(PrincipalOf(req), core::OrganisationId(*id), paging->limit, paging->cursor);
    return Respond(req, page, [](const registry::EstablishmentPage& p) {
        boost::json::array items;
        for (const auto& e : p.items) items.push_back(registry::ToJson(e));
        return Response::Json(200, boost::json::object{
                                       {"items", items},
                                       {"next_cursor", p.next_cursor ? boost::json::value(*p.next_cursor) : nullptr}});
    });
}

Response CreateEstablishment(Services& s, Request& req) {
    auto id = PathId(req, "id");
    if (!id) return NotFound(req);
    auto body = JsonBody(req);
    if (!body) return ErrorResponse(req, body.error());
    auto e = s.establishments.Create(PrincipalOf(req), core::OrganisationId(*id), *body);
    return Respond(req, e, [](const registry::Establishment& est) {
        auto resp = Versioned(201, est);
        resp.Set("Location", fmt::format("/api/v1/establishments/{}", est.id.value()));
        return resp;
    });
}

Response GetEstablishment(Services& s, Request& req) {
    auto id = PathId(req, "id");
    if (!id) return NotFound(req);
    auto e = s.establishments.Get(PrincipalOf(req), registry::EstablishmentId(*id));
    return Respond(req, e, [](const registry::Establishment& est) { return Versioned(200, est); });
}

Response PatchEstablishment(Services& s, Request& req) {
    auto id = PathId(req, "id");
    if (!id) return NotFound(req);
    auto body = JsonBody(req, true);
    if (!body) return ErrorResponse(req, body.error());
    auto expected = IfMatchVersion(req);
    if (!expected) return ErrorResponse(req, expected.error());
    auto e = s.establishments.Update(PrincipalOf(req), registry::EstablishmentId(*id), *body, *expected);
    return Respond(req, e, [](const registry::Establishment& est) { return Versioned(200, est); });
}

Response DeleteEstablishment(Services& s, Request& req) {
    auto id = PathId(req, "id");
    if (!id) return NotFound(req);
    auto r = s.establishments.Delete(PrincipalOf(req), registry::EstablishmentId(*id));
    if (!r) return ErrorResponse(req, r.error());
    return Response::NoContent();
}

Response EstablishmentHistory(Services& s, Request& req) {
    auto id = PathId(req, "id");
    if (!id) return NotFound(req);
    auto q = HistoryQuery(req);
    if (!q) return ErrorResponse(req, q.error());
    return HistoryResponse(req, s.establishments.History(PrincipalOf(req), registry::EstablishmentId(*id), q->first,
                                                         q->second));
}

// ---- contacts ----

Response ListContacts(Services& s, Request& req) {
    auto id = PathId(req, "id");
    if (!id) return NotFound(req);
    auto paging = PagingOf(req);
    if (!paging) return ErrorResponse(req, paging.error());
    auto page = s.contacts.List(PrincipalOf(req), core::OrganisationId(*id), paging->limit, paging->cursor);
    return Respond(req, page, [](const registry::ContactPage& p) {
        boost::json::array items;
        for (const auto& c : p.items) items.push_back(registry::ToJson(c));
        return Response::Json(200, boost::json::object{
                                       {"items", items},
                                       {"next_cursor", p.next_cursor ? boost::json::value(*p.next_cursor) : nullptr}});
    });
}

Response CreateContact(Services& s, Request& req) {
    auto id = PathId(req, "id");
    if (!id) return NotFound(req);
    auto body = JsonBody(req);
    if (!body) return ErrorResponse(req, body.error());
    auto c = s.contacts.Create(PrincipalOf(req), core::OrganisationId(*id), *body);
    return Respond(req, c, [](const registry::Contact& contact) {
        auto resp = Versioned(201, contact);
        resp.Set("Location", fmt::format("/api/v1/contacts/{}", contact.id.value()));
        return resp;
    });
}

Response GetContact(Services& s, Request& req) {
    auto id = PathId(req, "id");
    if (!id) return NotFound(req);
    auto c = s.contacts.Get(PrincipalOf(req), registry::ContactId(*id));
    return Respond(req, c, [](const registry::Contact& contact) { return Versioned(200, contact); });
}

Response PatchContact(Services& s, Request& req) {
    auto id = PathId(req, "id");
    if (!id) return NotFound(req);
    auto body = JsonBody(req, true);
    if (!body) return ErrorResponse(req, body.error());
    auto expected = IfMatchVersion(req);
    if (!expected) return ErrorResponse(req, expected.error());
    auto c = s.contacts.Update(PrincipalOf(req), registry::ContactId(*id), *body, *expected);
    return Respond(req, c, [](const registry::Contact& contact) { return Versioned(200, contact); });
}

Response DeleteContact(Services& s, Request& req) {
    auto id = PathId(req, "id");
    if (!id) return NotFound(req);
    auto r = s.contacts.Delete(PrincipalOf(req), registry::ContactId(*id));
    if (!r) return ErrorResponse(req, r.error());
    return Response::NoContent();
}

Response ContactHistory(Services& s, Request& req) {
    auto id = PathId(req, "id");
    if (!id) return NotFound(req);
    auto q = HistoryQuery(req);
    if (!q) return ErrorResponse(req, q.error());
    return HistoryResponse(req, s.contacts.History(PrincipalOf(req), registry::ContactId(*id), q->first, q->second));
}

Response ContactPersonalData(Services& s, Request& req) {
    auto id = PathId(req, "id");
    if (!id) return NotFound(req);
    auto data = s.contacts.PersonalData(PrincipalOf(req), registry::ContactId(*id));
    return Respond(req, data, [&](const boost::json::object& doc) {
        auto resp = Response::Json(200, doc);
        resp.Set("Content-Disposition", fmt::format("attachment; filename=\"contact-{}.json\"", *id));
        return resp;
    });
}

Response EraseContact(Services& s, Request& req) {
    auto id = PathId(req, "id");
    if (!id) return NotFound(req);
    auto c = s.contacts.Erase(PrincipalOf(req), registry::ContactId(*id));
    return Respond(req, c, [](const registry::Contact& contact) { return Versioned(200, contact); });
}

// ---- search ----

Response Search(Services& s, Request& req) {
    core::FieldErrors errs;
    registry::SearchQuery q;
    q.text = std::string(req.QueryParam("q").value_or(""));
    q.limit = static_cast<int>(
        QueryInt(req, "limit", errs, 1, registry::kMaxSearchResults).value_or(registry::kDefaultSearchResults));
    if (auto t = req.QueryParam("type")) {
        q.kind = registry::ParseEntityKind(*t);
        if (!q.kind) errs.Add("/query/type", "enum", "The type is one of: organisation, establishment, contact.");
    }
    if (auto ok = errs.ToResult("The query has invalid parameters."); !ok) return ErrorResponse(req, ok.error());
    auto hits = s.search.Search(PrincipalOf(req), q);
    // Search as you type is the hottest read: the body is written directly (boost::json's own
    // string escaping), the bytes boost::json::serialize wrote for {"items": [{...}, ...]} - building
    // the JSON tree first was 8% of the server's CPU under the search benchmark.
    return Respond(req, hits, [](const std::vector<registry::SearchHit>& list) {
        Response resp = Response::Text(200, "", "application/json");
        std::string& out = resp.body;
        out.reserve(64 + list.size() * 256);
        out += "{\"items\":[";
        for (const auto& h : list) {
            const auto kind = registry::EntityKindName(h.kind);
            fmt::format_to(std::back_inserter(out),
                           "{}{{\"type\":\"{}\",\"id\":{},\"organisation_id\":{},\"title\":{},\"subtitle\":{},"
                           "\"match\":\"{}\",\"href\":\"/api/v1/{}s/{}\"}}",
                           &h == list.data() ? "" : ",", kind, h.id, h.organisation_id,
                           boost::json::serialize(boost::json::string_view(h.title)),
                           boost::json::serialize(boost::json::string_view(h.subtitle)),
                           registry::MatchKindName(h.match), kind, h.id);
        }
        out += "]}";
        return resp;
    });
}

// ---- import and export ----

Response CreateImport(Services& s, Request& req) {
    core::FieldErrors errs;
    const auto kind_text = req.QueryParam("kind");
    std::optional<registry::ImportKind> kind;
    if (!kind_text) errs.Add("/query/kind", "required", "Say what the file holds: organisations, establishments or contacts.");
    else if (!(kind = registry::ParseImportKind(*kind_text))) {
        errs.Add("/query/kind", "enum", "The kind is one of: organisations, establishments, contacts.");
    }
    auto mode = registry::ImportMode::kAllOrNothing;
    if (auto m = req.QueryParam("mode")) {
        if (auto parsed = registry::ParseImportMode(*m)) mode = *parsed;
        else errs.Add("/query/mode", "enum", "The mode is all_or_nothing (default) or skip_bad_rows.");
    }
    const auto type = std::string(req.Header("Content-Type").value_or(""));
    if (!type.starts_with("text/csv")) {
        return ErrorResponse(req, core::Error::InvalidArgument("Send the file as text/csv.",
                                                               {{"/headers/content-type", "unsupported_media_type",
                                                                 "Expected text/csv."}})
                                      .WithType("unsupported-media-type"));
    }
    if (auto ok = errs.ToResult("The query has invalid parameters."); !ok) return ErrorResponse(req, ok.error());
    boost::json::object params{{"kind", registry::ImportKindName(*kind)},
                               {"mode", registry::ImportModeName(mode)},
                               {"bytes", static_cast<std::int64_t>(req.body.size())}};
    const auto& p = PrincipalOf(req);
    if (!p.IsStaff() || !(p.Has(core::Role::kAdmin) || p.Has(core::Role::kAgent) || p.Has(core::Role::kKam) ||
                          p.Has(core::Role::kSegmentManager))) {
        return ErrorResponse(req, core::Error::PermissionDenied("Your role may not import registry data."));
    }
    auto job = s.jobs.Submit(p, std::string(kImportJobKind), std::move(params), req.body);
    return Respond(req, job, [](const jobs::Job& j) {
        auto resp = Response::Json(202, jobs::ToJson(j));
        resp.Set("Location", fmt::format("/api/v1/imports/{}", j.id));
        return resp;
    });
}

Response GetImport(Services& s, Request& req) {
    auto id = PathId(req, "id");
    if (!id) return NotFound(req);
    auto job = s.jobs.Get(PrincipalOf(req), *id);
    if (job && job->kind != kImportJobKind) return NotFound(req);
    return Respond(req, job, [](const jobs::Job& j) { return Response::Json(200, jobs::ToJson(j)); });
}

Response ImportErrors(Services& s, Request& req) {
    auto id = PathId(req, "id");
    if (!id) return NotFound(req);
    auto report = s.jobs.Report(PrincipalOf(req), *id);
    return Respond(req, report, [&](const std::string& csv) {
        auto resp = Response::Text(200, csv, "text/csv; charset=utf-8");
        resp.Set("Content-Disposition", fmt::format("attachment; filename=\"import-{}-errors.csv\"", *id));
        return resp;
    });
}

Response Export(Services& s, Request& req) {
    auto kind = registry::ParseImportKind(req.PathParam("kind"));
    if (!kind) return NotFound(req);
    core::FieldErrors errs;
    const auto limit = QueryInt(req, "limit", errs, 1, kMaxExportPage).value_or(kDefaultExportPage);
    if (auto ok = errs.ToResult("The query has invalid parameters."); !ok) return ErrorResponse(req, ok.error());
    std::optional<std::string> cursor;
    if (auto c = req.QueryParam("cursor")) cursor = std::string(*c);
    std::string body;
    registry::Exporter exporter(s.db);
    auto result = exporter.Run(PrincipalOf(req), *kind,
                               [&body](std::string_view chunk) {
                                   body += chunk;
                                   return true;
                               },
                               cursor, limit);
    return Respond(req, result, [&](const registry::ExportResult& r) {
        auto resp = Response::Text(200, std::move(body), "text/csv; charset=utf-8");
        resp.Set("Content-Disposition",
                 fmt::format("attachment; filename=\"{}.csv\"", registry::ImportKindName(*kind)));
        resp.Set("X-Row-Count", std::to_string(r.rows));
        if (r.next_cursor) {
            resp.Set("Link", fmt::format("</api/v1/exports/{}?limit={}&cursor={}>; rel=\"next\"",
                                         registry::ImportKindName(*kind), limit, *r.next_cursor));
        }
        return resp;
    });
}

template <Response (*F)(Services&, Request&)>
http::Handler Bind(Services& s) {
    return [&s](Request& req) { return F(s, req); };
}

}  // namespace

jobs::JobHandler ImportJobHandler(Services& s) {
    return [&s](const core::Principal& submitter, const jobs::Job& job, const std::string& input,
                const jobs::ProgressFn& progress) -> jobs::JobOutcome {
        // Act with the submitter's current roles and scope.
        core::Principal actor = submitter;
        if (submitter.user.valid()) {
            auto user = s.accounts.GetUser(submitter.user);
            if (!user) return {false, nullptr, std::nullopt, "The user who submitted the import no longer exists."};
            actor.roles = user->roles;
            actor.organisation = user->organisation;
            actor.method = core::AuthMethod::kSystem;
        }
        const auto* kind_v = job.params.if_contains("kind");
        const auto* mode_v = job.params.if_contains("mode");
        auto kind = kind_v && kind_v->is_string() ? registry::ParseImportKind(kind_v->as_string()) : std::nullopt;
        auto mode = mode_v && mode_v->is_string() ? registry::ParseImportMode(mode_v->as_string()) : std::nullopt;
        if (!kind || !mode) return {false, nullptr, std::nullopt, "The job's parameters are damaged."};
        registry::Importer importer(s.db, s.clock);
        auto report = importer.Run(actor, *kind, *mode, input, progress);
        if (!report) return {false, nullptr, std::nullopt, report.error().message};
        const bool ok = report->rejected == 0 || report->written;
        std::string message =
            report->written
                ? fmt::format("Imported {} of {} rows; {} rejected.", report->imported, report->rows, report->rejected)
                : fmt::format("Nothing was imported: {} of {} rows have errors.", report->rejected, report->rows);
        if (report->rows == 0 && report->issues.empty()) message = "The file has no data rows.";
        return {ok, registry::ToJson(*report), registry::IssuesCsv(*report), std::move(message)};
    };
}

void RegisterRegistryRoutes(http::Router& router, Services& s) {
    s.jobs.Register(std::string(kImportJobKind), ImportJobHandler(s));
    router.Add("GET", "/api/v1/search", Bind<Search>(s));
    router.Add("GET", "/api/v1/organisations/{id}/group", Bind<OrganisationGroup>(s));
    router.Add("GET", "/api/v1/organisations/{id}/establishments", Bind<ListEstablishments>(s));
    router.Add("POST", "/api/v1/organisations/{id}/establishments", Bind<CreateEstablishment>(s));
    router.Add("GET", "/api/v1/establishments/{id}", Bind<GetEstablishment>(s));
    router.Add("PATCH", "/api/v1/establishments/{id}", Bind<PatchEstablishment>(s));
    router.Add("DELETE", "/api/v1/establishments/{id}", Bind<DeleteEstablishment>(s));
    router.Add("GET", "/api/v1/establishments/{id}/history", Bind<EstablishmentHistory>(s));
    router.Add("GET", "/api/v1/organisations/{id}/contacts", Bind<ListContacts>(s));
    router.Add("POST", "/api/v1/organisations/{id}/contacts", Bind<CreateContact>(s));
    router.Add("GET", "/api/v1/contacts/{id}", Bind<GetContact>(s));
    router.Add("PATCH", "/api/v1/contacts/{id}", Bind<PatchContact>(s));
    router.Add("DELETE", "/api/v1/contacts/{id}", Bind<DeleteContact>(s));
    router.Add("GET", "/api/v1/contacts/{id}/history", Bind<ContactHistory>(s));
    router.Add("GET", "/api/v1/contacts/{id}/personal-data", Bind<ContactPersonalData>(s));
    router.Add("POST", "/api/v1/contacts/{id}/erase", Bind<EraseContact>(s));
    router.Add("POST", "/api/v1/imports", Bind<CreateImport>(s));
    router.Add("GET", "/api/v1/imports/{id}", Bind<GetImport>(s));
    router.Add("GET", "/api/v1/imports/{id}/errors", Bind<ImportErrors>(s));
    router.Add("GET", "/api/v1/exports/{kind}", Bind<Export>(s));
}

}  // namespace customsdesk::api

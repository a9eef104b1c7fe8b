#include "customsdesk/api/api.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>

#include "customsdesk/accounts/secrets.hpp"
#include "customsdesk/api/handler_support.hpp"
#include "customsdesk/core/identifiers.hpp"
#include "customsdesk/core/json.hpp"

namespace customsdesk::api {

extern const std::string_view kOpenApiJson;
extern const std::string_view kOpenApiRulesJson;
extern const std::string_view kOpenApiTaxationJson;
extern const std::string_view kOpenApiSlaJson;
extern const std::string_view kOpenApiSelectivityJson;
extern const std::string_view kOpenApiServiceDeskJson;
extern const std::string_view kOpenApiMailJson;
extern const std::string_view kOpenApiDeclarationsJson;
extern const std::string_view kOpenApiControlJson;

namespace {

using http::Request;
using http::Response;

boost::json::object UserJson(const accounts::User& u) {
    boost::json::array roles;
    for (auto r : u.roles) roles.emplace_back(core::RoleName(r));
    return {{"id", u.id.value()},
            {"username", u.username},
            {"display_name", u.display_name},
            {"roles", roles},
            {"organisation_id", u.organisation ? boost::json::value(u.organisation->value()) : nullptr},
            {"language", u.language},
            {"disabled", u.disabled},
            {"created_at", core::FormatTimestamp(u.created_at)}};
}

boost::json::object TokenJson(const accounts::ApiToken& t) {
    auto opt = [](const std::optional<core::Timestamp>& ts) {
        return ts ? boost::json::value(core::FormatTimestamp(*ts)) : boost::json::value(nullptr);
    };
    return {{"id", t.id.value()},         {"username", t.username},        {"name", t.name},
            {"prefix", t.prefix},         {"created_at", core::FormatTimestamp(t.created_at)},
            {"expires_at", opt(t.expires_at)}, {"revoked_at", opt(t.revoked_at)}, {"last_used_at", opt(t.last_used_at)}};
}

std::string SessionCookie(const Request& req, const std::string& value, long max_age) {
    return fmt::format("{}={}; Path=/; HttpOnly; SameSite=Strict; Max-Age={}{}", kSessionCookie, value, max_age,
                       req.secure ? "; Secure" : "");
}

std::string ETag(std::int64_t version) { return fmt::format("\"{}\"", version); }

// ---- system ----

Response Healthz(Request&) { return Response::Json(200, boost::json::object{{"status", "ok"}}); }

Response Readyz(Services& s, Request& req) {
    if (auto ok = s.db.Ping(); !ok) {
        return http::Problem(503, "not-ready", "Service unavailable", "The database does not answer.", req.path,
                             req.request_id);
    }
    return Response::Json(200, boost::json::object{{"status", "ready"}, {"database", s.db.Describe()}});
}

Response MetricsText(Services& s, Request&) {
    return Response::Text(200, s.metrics.Render(), "text/plain; version=0.0.4; charset=utf-8");
}

Response OpenApi(Request&) {
    auto r = Response::Json(200, OpenApiDocument());
    r.Set("Cache-Control", "public, max-age=300");
    return r;
}

// ---- auth ----

Response Login(Services& s, Request& req) {
    auto body = JsonBody(req);
    if (!body) return ErrorResponse(req, body.error());
    core::FieldErrors errs;
    core::ObjectReader r(*body, errs);
    auto username = r.String("username", true, 100);
    auto password = r.String("password", true, 256, false);
    r.RejectUnknown({"username", "password"});
    if (auto ok = errs.ToResult(); !ok) return ErrorResponse(req, ok.error());
    auto grant = s.accounts.Login(*username, *password, req.remote_address,
                                  std::string(req.Header("User-Agent").value_or("")));
    if (!grant) {
        auto resp = ErrorResponse(req, grant.error());
        if (grant.error().code == core::ErrorCode::kResourceExhausted) {
            if (auto wait = s.accounts.ThrottleWait(*username, req.remote_address)) {
                resp.Set("Retry-After", std::to_string(wait->count()));
            }
        }
        return resp;
    }
    auto resp = Response::Json(200, boost::json::object{{"user", UserJson(grant->user)},
                                                       {"csrf_token", grant->csrf_token},
                                                       {"expires_at", core::FormatTimestamp(grant->expires_at)}});
    const auto max_age = std::chrono::duration_cast<std::chrono::seconds>(grant->expires_at - s.clock.Now()).count();
    resp.Set("Set-Cookie", SessionCookie(req, grant->token, max_age));
    return resp;
}

Response Logout(Services& s, Request& req) {
    if (auto cookie = req.Cookie(kSessionCookie)) {
        if (auto r = s.accounts.Logout(*cookie); !r) return ErrorResponse(req, r.error());
    }
    auto resp = Response::NoContent();
    resp.Set("Set-Cookie", SessionCookie(req, "", 0));
    return resp;
}

Response Me(Services& s, Request& req) {
    const auto& p = PrincipalOf(req);
    auto user = s.accounts.GetUser(p.user);
    return Respond(req, user, [&](const accounts::User& u) {
        auto body = UserJson(u);
        body["auth"] = p.method == core::AuthMethod::kSession ? "session" : "token";
        if (auto it = req.context.find(kCsrfKey); it != req.context.end()) {
            body["csrf_token"] = std::any_cast<std::string>(it->second);
        }
        return Response::Json(200, body);
    });
}

// ---- users (administrators) ----

Response ListUsers(Services& s, Request& req) {
    auto users = s.accounts.ListUsers(PrincipalOf(req));
    return Respond(req, users, [](const std::vector<accounts::User>& list) {
        boost::json::array items;
        for (const auto& u : list) items.push_back(UserJson(u));
        return Response::Json(200, boost::json::object{{"items", items}});
    });
}

Response CreateUser(Services& s, Request& req) {
    auto body = JsonBody(req);
    if (!body) return ErrorResponse(req, body.error());
    core::FieldErrors errs;
    core::ObjectReader r(*body, errs);
    accounts::NewUser u;
    u.username = r.String("username", true, 100).value_or("");
    u.display_name = r.String("display_name", true, 200).value_or("");
    u.password = r.String("password", true, 256, false).value_or("");
    u.language = r.String("language", false, 2).value_or("fi");
    if (auto roles = r.StringArray("roles", true, 10, 40)) {
        for (std::size_t i = 0; i < roles->size(); ++i) {
            if (auto role = core::ParseRole((*roles)[i])) u.roles.push_back(*role);
            else errs.Add("/roles/" + std::to_string(i), "enum", "Unknown role.");
        }
    }
    if (auto org = r.Int("organisation_id")) u.organisation = core::OrganisationId(*org);
    r.RejectUnknown({"username", "display_name", "password", "language", "roles", "organisation_id"});
    if (auto v = s.accounts.Validate(u); !v) {
        // Report the service's checks too, without repeating a field the parse already flagged.
        for (const auto& f : v.error().fields) {
            const bool seen = std::any_of(errs.errors().begin(), errs.errors().end(),
                                          [&](const core::FieldError& e) { return e.pointer == f.pointer; });
            if (!seen) errs.Add(f.pointer, f.code, f.message);
        }
    }
    if (auto ok = errs.ToResult(); !ok) return ErrorResponse(req, ok.error());
    auto created = s.accounts.CreateUser(PrincipalOf(req), u);
    return Respond(req, created, [](const accounts::User& user) {
        auto resp = Response::Json(201, UserJson(user));
        resp.Set("Location", "/api/v1/users/" + user.username);
        return resp;
    });
}

Response PatchUser(Services& s, Request& req) {
    auto body = JsonBody(req, true);
    if (!body) return ErrorResponse(req, body.error());
    core::FieldErrors errs;
    core::ObjectReader r(*body, errs);
    auto disabled = r.Bool("disabled", true);
    r.RejectUnknown({"disabled"});
    if (auto ok = errs.ToResult(); !ok) return ErrorResponse(req, ok.error());
    auto user = s.accounts.SetDisabled(PrincipalOf(req), std::string(req.PathParam("username")), *disabled);
    return Respond(req, user, [](const accounts::User& u) { return Response::Json(200, UserJson(u)); });
}

// ---- API tokens ----

Response ListTokens(Services& s, Request& req) {
    auto tokens = s.accounts.ListTokens(PrincipalOf(req));
    return Respond(req, tokens, [](const std::vector<accounts::ApiToken>& list) {
        boost::json::array items;
        for (const auto& t : list) items.push_back(TokenJson(t));
        return Response::Json(200, boost::json::object{{"items", items}});
    });
}

Response CreateToken(Services& s, Request& req) {
    auto body = JsonBody(req);
    if (!body) return ErrorResponse(req, body.error());
    core::FieldErrors errs;
    core::ObjectReader r(*body, errs);
    auto name = r.String("name", true, 100);
    auto username = r.String("username", false, 100);
    std::optional<core::Timestamp> expires;
    if (auto text = r.String("expires_at", false, 40)) {
        expires = core::ParseTimestamp(*text);
        if (!expires) errs.Add("/expires_at", "format", "Expected an RFC 3339 timestamp.");
    }
    r.RejectUnknown({"name", "username", "expires_at"});
    if (auto ok = errs.ToResult(); !ok) return ErrorResponse(req, ok.error());
    auto token = s.accounts.CreateToken(PrincipalOf(req), username, *name, expires);
    return Respond(req, token, [](const accounts::NewApiToken& t) {
        auto body = TokenJson(t.token);
        body["token"] = t.secret;
        return Response::Json(201, body);
    });
}

Response RevokeToken(Services& s, Request& req) {
    auto id = PathId(req, "id");
    if (!id) return NotFound(req);
    auto t = s.accounts.RevokeToken(PrincipalOf(req), core::TokenId(*id));
    return Respond(req, t, [](const accounts::ApiToken&) { return Response::NoContent(); });
}

// ---- organisations ----

Response OrganisationResponse(unsigned status, const registry::Organisation& o) {
    auto resp = Response::Json(status, registry::ToJson(o));
    resp.Set("ETag", ETag(o.version));
    return resp;
}

Response ListOrganisations(Services& s, Request& req) {
    core::FieldErrors errs;
    registry::OrganisationQuery q;
    q.limit = static_cast<int>(QueryInt(req, "limit", errs, 1, registry::kMaxPageSize).value_or(registry::kDefaultPageSize));
    if (auto c = req.QueryParam("cursor")) q.cursor = std::string(*c);
    if (auto v = req.QueryParam("q")) q.name_prefix = std::string(v->substr(0, 200));
    if (auto v = req.QueryParam("status")) {
        q.status = registry::ParseStatus(*v);
        if (!q.status) errs.Add("/query/status", "enum", "The status is one of: prospect, active, non_active.");
    }
    if (auto v = req.QueryParam("role")) q.role = std::string(*v);
    if (auto v = req.QueryParam("customer_group")) q.customer_group = std::string(*v);
    if (auto v = req.QueryParam("value_class")) q.value_class = std::string(*v);
    if (auto v = QueryInt(req, "parent_id", errs, 1, INT64_MAX)) q.parent = core::OrganisationId(*v);
    if (auto v = req.QueryParam("business_id")) q.business_id = std::string(*v);
    if (auto v = req.QueryParam("eori")) q.eori = std::string(*v);
    registry::OrganisationService::CheckQuery(q, errs);
    if (auto ok = errs.ToResult("The query has invalid parameters."); !ok) return ErrorResponse(req, ok.error());
    auto page = s.organisations.List(PrincipalOf(req), q);
    return Respond(req, page, [](const registry::OrganisationPage& p) {
        boost::json::array items;
        for (const auto& o : p.items) items.push_back(registry::ToJson(o));
        return Response::Json(200, boost::json::object{
                                       {"items", items},
                                       {"next_cursor", p.next_cursor ? boost::json::value(*p.next_cursor) : nullptr}});
    });
}

Response CreateOrganisation(Services& s, Request& req) {
    auto body = JsonBody(req);
    if (!body) return ErrorResponse(req, body.error());
    const bool allow_similar = req.QueryParam("allow_similar").value_or("") == "true";
    auto o = s.organisations.Create(PrincipalOf(req), *body, allow_similar);
    return Respond(req, o, [](const registry::Organisation& org) {
        auto resp = OrganisationResponse(201, org);
        resp.Set("Location", fmt::format("/api/v1/organisations/{}", org.id.value()));
        return resp;
    });
}

Response GetOrganisation(Services& s, Request& req) {
    auto id = PathId(req, "id");
    if (!id) return NotFound(req);
    auto o = s.organisations.Get(PrincipalOf(req), core::OrganisationId(*id));
    return Respond(req, o, [](const registry::Organisation& org) { return OrganisationResponse(200, org); });
}

Response PatchOrganisation(Services& s, Request& req) {
    auto id = PathId(req, "id");
    if (!id) return NotFound(req);
    auto body = JsonBody(req, true);
    if (!body) return ErrorResponse(req, body.error());
    auto expected = IfMatchVersion(req);
    if (!expected) return ErrorResponse(req, expected.error());
    auto o = s.organisations.Update(PrincipalOf(req), core::OrganisationId(*id), *body, *expected);
    return Respond(req, o, [](const registry::Organisation& org) { return OrganisationResponse(200, org); });
}

Response DeleteOrganisation(Services& s, Request& req) {
    auto id = PathId(req, "id");
    if (!id) return NotFound(req);
    auto r = s.organisations.Delete(PrincipalOf(req), core::OrganisationId(*id));
    if (!r) return ErrorResponse(req, r.error());
    return Response::NoContent();
}

Response OrganisationHistory(Services& s, Request& req) {
    auto id = PathId(req, "id");
    if (!id) return NotFound(req);
    core::FieldErrors errs;
    const auto limit = QueryInt(req, "limit", errs, 1, history::kMaxHistoryPage).value_or(50);
    const auto before = QueryInt(req, "before", errs, 1, INT64_MAX).value_or(0);
    if (auto ok = errs.ToResult("The query has invalid parameters."); !ok) return ErrorResponse(req, ok.error());
    auto page = s.organisations.History(PrincipalOf(req), core::OrganisationId(*id), before, static_cast<int>(limit));
    return Respond(req, page, [](const history::ChangePage& p) {
        boost::json::array items;
        for (const auto& e : p.entries) items.push_back(history::ToJson(e));
        return Response::Json(200, boost::json::object{
                                       {"items", items},
                                       {"next_before", p.next_before ? boost::json::value(*p.next_before) : nullptr}});
    });
}

template <Response (*F)(Services&, Request&)>
http::Handler Bind(Services& s) {
    return [&s](Request& req) { return F(s, req); };
}

}  // namespace

bool IsPublicRoute(std::string_view method, std::string_view pattern) {
    return pattern == "/healthz" || pattern == "/readyz" || pattern == "/metrics" ||
           pattern == "/api/v1/openapi.json" || (method == "POST" && pattern == "/api/v1/auth/login") ||
           (method == "POST" && pattern == "/api/v1/auth/logout");
}

void RegisterRoutes(http::Router& router, Services& s) {
    router.Add("GET", "/healthz", Healthz);
    router.Add("GET", "/readyz", Bind<Readyz>(s));
    router.Add("GET", "/metrics", Bind<MetricsText>(s));
    router.Add("GET", "/api/v1/openapi.json", OpenApi);
    router.Add("POST", "/api/v1/auth/login", Bind<Login>(s));
    router.Add("POST", "/api/v1/auth/logout", Bind<Logout>(s));
    router.Add("GET", "/api/v1/me", Bind<Me>(s));
    router.Add("GET", "/api/v1/users", Bind<ListUsers>(s));
    router.Add("POST", "/api/v1/users", Bind<CreateUser>(s));
    router.Add("PATCH", "/api/v1/users/{username}", Bind<PatchUser>(s));
    router.Add("GET", "/api/v1/tokens", Bind<ListTokens>(s));
    router.Add("POST", "/api/v1/tokens", Bind<CreateToken>(s));
    router.Add("DELETE", "/api/v1/tokens/{id}", Bind<RevokeToken>(s));
    router.Add("GET", "/api/v1/organisations", Bind<ListOrganisations>(s));
    router.Add("POST", "/api/v1/organisations", Bind<CreateOrganisation>(s));
    router.Add("GET", "/api/v1/organisations/{id}", Bind<GetOrganisation>(s));
    router.Add("PATCH", "/api/v1/organisations/{id}", Bind<PatchOrganisation>(s));
    router.Add("DELETE", "/api/v1/organisations/{id}", Bind<DeleteOrganisation>(s));
    router.Add("GET", "/api/v1/organisations/{id}/history", Bind<OrganisationHistory>(s));
    RegisterRulesetRoutes(router, s);
    RegisterTaxationRoutes(router, s);
    RegisterSelectivityRoutes(router, s);
    RegisterControlRoutes(router, s);
    RegisterRegistryRoutes(router, s);
    RegisterSlaRoutes(router, s);
    RegisterServiceDeskRoutes(router, s);
    RegisterMailRoutes(router, s);
    RegisterDeclarationRoutes(router, s);
}

http::Response Authenticate(Services& s, http::Request& req, const http::Handler& next) {
    if (IsPublicRoute(req.method, req.route)) return next(req);
    // Systems: bearer token. People: session cookie, plus the CSRF token on state-changing requests.
    if (auto auth = req.Header("Authorization")) {
        std::string_view v = *auth;
        if (v.size() < 7 || !(v.substr(0, 7) == "Bearer " || v.substr(0, 7) == "bearer ")) {
            return ErrorResponse(req, core::Error::Unauthenticated("Use 'Authorization: Bearer <token>'."));
        }
        auto who = s.accounts.AuthenticateToken(std::string(core::TrimAscii(v.substr(7))));
        if (!who) return ErrorResponse(req, who.error());
        req.context[std::string(kPrincipalKey)] = std::move(who->principal);
        return next(req);
    }
    auto cookie = req.Cookie(kSessionCookie);
    if (!cookie) return ErrorResponse(req, core::Error::Unauthenticated("Log in first."));
    auto who = s.accounts.AuthenticateSession(*cookie);
    if (!who) return ErrorResponse(req, who.error());
    const bool safe = req.method == "GET" || req.method == "HEAD" || req.method == "OPTIONS";
    if (!safe) {
        const auto sent = req.Header(kCsrfHeader);
        if (!sent || !accounts::ConstantTimeEquals(*sent, who->csrf_token)) {
            return ErrorResponse(req, core::Error::PermissionDenied(
                                          "A state-changing request with a session cookie needs the X-CSRF-Token "
                                          "header from the login response.")
                                          .WithType("csrf-token-missing"));
        }
    }
    req.context[std::string(kPrincipalKey)] = std::move(who->principal);
    req.context[std::string(kCsrfKey)] = who->csrf_token;
    return next(req);
}

namespace {

// Adds a fragment's paths, component schemas and tags to the document (fragments never override).
void MergeOpenApiFragment(boost::json::object& doc, std::string_view name, std::string_view text) {
    auto v = core::ParseJson(text);
    if (!v || !v->is_object()) throw std::runtime_error(std::string(name) + " is not a JSON object");
    const auto& frag = v->as_object();
    auto merge = [&](boost::json::object& into, const boost::json::value* from, std::string_view what) {
        if (from == nullptr) return;
        for (const auto& kv : from->as_object()) {
            if (into.contains(kv.key())) {
                throw std::runtime_error(std::string(name) + " repeats " + std::string(what) + " " +
                                         std::string(kv.key()));
            }
            into[kv.key()] = kv.value();
        }
    };
    merge(doc["paths"].as_object(), frag.if_contains("paths"), "path");
    if (const auto* comps = frag.if_contains("components")) {
        merge(doc["components"].as_object()["schemas"].as_object(), comps->as_object().if_contains("schemas"),
              "schema");
    }
    if (const auto* tags = frag.if_contains("tags")) {
        for (const auto& t : tags->as_array()) doc["tags"].as_array().push_back(t);
    }
}

}  // namespace

const boost::json::value& OpenApiDocument() {
    // The document is openapi.json plus one fragment per module (openapi_<module>.json), so that
    // modules describe their own routes; tests/openapi/validate.mjs merges them the same way.
    static const boost::json::value doc = [] {
        auto v = core::ParseJson(kOpenApiJson);
        if (!v || !v->is_object()) throw std::runtime_error("the embedded openapi.json is not a JSON object");
        MergeOpenApiFragment(v->as_object(), "openapi_rules.json", kOpenApiRulesJson);
        MergeOpenApiFragment(v->as_object(), "openapi_taxation.json", kOpenApiTaxationJson);
        MergeOpenApiFragment(v->as_object(), "openapi_sla.json", kOpenApiSlaJson);
        MergeOpenApiFragment(v->as_object(), "openapi_selectivity.json", kOpenApiSelectivityJson);
        MergeOpenApiFragment(v->as_object(), "openapi_servicedesk.json", kOpenApiServiceDeskJson);
        MergeOpenApiFragment(v->as_object(), "openapi_mail.json", kOpenApiMailJson);
        MergeOpenApiFragment(v->as_object(), "openapi_declarations.json", kOpenApiDeclarationsJson);
        MergeOpenApiFragment(v->as_object(), "openapi_control.json", kOpenApiControlJson);
        return *v;
    }();
    return doc;
}

}  // namespace customsdesk::api

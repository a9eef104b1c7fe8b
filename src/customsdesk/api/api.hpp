// The public REST API under /api/v1 plus /healthz, /readyz and /metrics: thin handlers that
// parse the request, call one service and map the result (habit 1).
//
// RegisterRoutes() fills a Router; Authenticate() is the server middleware that establishes
// the Principal for every non-public route (bearer API token, or session cookie + CSRF token
// for state-changing methods) and stores it in Request::context. The OpenAPI 3.1 document
// served at /api/v1/openapi.json describes exactly the routes registered here (a test checks).
#pragma once

#include <boost/json.hpp>

#include <string>

#include "customsdesk/accounts/account_service.hpp"
#include "customsdesk/control/control_service.hpp"
#include "customsdesk/core/clock.hpp"
#include "customsdesk/declarations/declaration_service.hpp"
#include "customsdesk/http/message.hpp"
#include "customsdesk/http/metrics.hpp"
#include "customsdesk/http/router.hpp"
#include "customsdesk/jobs/job_queue.hpp"
#include "customsdesk/registry/contact_service.hpp"
#include "customsdesk/registry/establishment_service.hpp"
#include "customsdesk/registry/organisation_service.hpp"
#include "customsdesk/registry/search.hpp"
#include "customsdesk/ruleset/ruleset_service.hpp"
#include "customsdesk/sla/sla_service.hpp"
#include "customsdesk/selectivity/selectivity_service.hpp"
#include "customsdesk/servicedesk/mail_intake.hpp"
#include "customsdesk/servicedesk/service_desk.hpp"
#include "customsdesk/storage/database.hpp"
#include "customsdesk/taxation/tax_service.hpp"

namespace customsdesk::api {

inline constexpr std::string_view kSessionCookie = "cd_session";
inline constexpr std::string_view kCsrfHeader = "X-CSRF-Token";

struct Services {
    storage::Database& db;
    const core::Clock& clock;
    accounts::AccountService& accounts;
    registry::OrganisationService& organisations;
    ruleset::RulesetService& rulesets;
    http::Metrics& metrics;
    std::string version;
    registry::EstablishmentService& establishments;
    registry::ContactService& contacts;
    registry::SearchService& search;
    jobs::JobQueue& jobs;  // the registry routes register their job handlers; start it after RegisterRoutes
    taxation::TaxService& taxation;
    sla::SlaService& sla;
    selectivity::SelectivityService& selectivity;
    servicedesk::ServiceDeskService& servicedesk;
    servicedesk::MailIntake* mail_intake = nullptr;  // the mail quarantine (null: e-mail channel off)
    declarations::DeclarationService* declarations = nullptr;  // required when serving /api/v1/declarations
    control::ControlService* control = nullptr;  // required when serving /api/v1/control (503 otherwise)
};

void RegisterRoutes(http::Router& router, Services& services);
// The registry routes (registry_routes.cpp); called by RegisterRoutes.
void RegisterRegistryRoutes(http::Router& router, Services& services);
// Runs a CSV import job (kind "registry_import") as its submitter.
jobs::JobHandler ImportJobHandler(Services& services);
// The /api/v1/rulesets routes (ruleset_routes.cpp); called by RegisterRoutes.
void RegisterRulesetRoutes(http::Router& router, Services& services);
// The /api/v1/taxation routes (taxation_routes.cpp); called by RegisterRoutes.
void RegisterTaxationRoutes(http::Router& router, Services& services);
// The /api/v1/sla routes (sla_routes.cpp); called by RegisterRoutes.
void RegisterSlaRoutes(http::Router& router, Services& services);
// The /api/v1/selectivity routes (selectivity_routes.cpp); called by RegisterRoutes.
void RegisterSelectivityRoutes(http::Router& router, Services& services);
// The /api/v1/servicedesk routes (servicedesk_routes.cpp); called by RegisterRoutes.
void RegisterServiceDeskRoutes(http::Router& router, Services& services);
// The /api/v1/mail/quarantine routes (mail_routes.cpp); called by RegisterRoutes.
void RegisterMailRoutes(http::Router& router, Services& services);
// The /api/v1/control routes (control_routes.cpp); called by RegisterRoutes.
void RegisterControlRoutes(http::Router& router, Services& services);

// The /api/v1/declarations routes (declarations_routes.cpp); called by RegisterRoutes.
void RegisterDeclarationRoutes(http::Router& router, Services& services);

// Middleware for http::Server: authentication, CSRF check, and the 401/403 problems.
http::Response Authenticate(Services& services, http::Request& request, const http::Handler& next);

// True for routes that need no login.
bool IsPublicRoute(std::string_view method, std::string_view pattern);

// The OpenAPI document (compiled in from openapi.json).
const boost::json::value& OpenApiDocument();

}  // namespace customsdesk::api

// The web UI's routes: the static assets and the client-side pages, all public (the UI logs in
// through /api/v1 like any client). Registered apart from RegisterRoutes() because they are not
// part of the API and not in the OpenAPI document.
//
// Pages: every path the UI's own router knows (kUiPages, kept equal to web/js/router.js's table)
// answers GET with index.html, so a typed or reloaded URL such as /organisations/12 works; the
// browser-side code then decides what to show (including "not found" for a record the user may not
// see: the data comes from the API, which enforces the data scope). Assets live under
// /assets/<version>/... (up to three further segments).
#pragma once

#include <string_view>

#include "customsdesk/http/router.hpp"
#include "customsdesk/http/static_files.hpp"

namespace customsdesk::api {

inline constexpr std::string_view kUiPages[] = {
    "/",
    "/login",
    "/organisations",
    "/organisations/new",
    "/organisations/{id}",
    "/organisations/{id}/edit",
    "/contacts/{id}",
    "/import",
    "/servicedesk",
    "/servicedesk/new",
    "/servicedesk/{id}",
    "/declarations",
    "/declarations/new",
    "/declarations/{id}",
    "/risk/profiles",
};

// Adds GET routes for kUiPages and the asset patterns. `files` must outlive the router and hold
// "/index.html". Throws std::invalid_argument (from Router::Add) on a clash with existing routes.
void RegisterUiRoutes(http::Router& router, const http::StaticFiles& files);

// True for the routes added by RegisterUiRoutes (the authentication middleware lets them pass).
bool IsUiRoute(std::string_view pattern);

}  // namespace customsdesk::api

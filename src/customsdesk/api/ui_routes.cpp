#include "customsdesk/api/ui_routes.hpp"

#include <algorithm>
#include <string>

#include "customsdesk/http/problem.hpp"

namespace customsdesk::api {

namespace {

constexpr std::string_view kAssetPatterns[] = {
    "/assets/{version}/{a}",
    "/assets/{version}/{a}/{b}",
    "/assets/{version}/{a}/{b}/{c}",
};

http::Response NotFound(const http::Request& req) {
    return http::Problem(404, "not-found", "Not found", "No such file.", req.path, req.request_id);
}

}  // namespace

void RegisterUiRoutes(http::Router& router, const http::StaticFiles& files) {
    for (std::string_view page : kUiPages) {
        router.Add("GET", std::string(page), [&files](http::Request& req) {
            auto r = files.Serve(req, "/index.html");
            return r ? std::move(*r) : NotFound(req);
        });
    }
    for (std::string_view pattern : kAssetPatterns) {
        router.Add("GET", std::string(pattern), [&files](http::Request& req) {
            // The decoded path; a segment holding an encoded '/' cannot name an asset anyway.
            auto r = files.Serve(req, req.path);
            return r ? std::move(*r) : NotFound(req);
        });
    }
}

bool IsUiRoute(std::string_view pattern) {
    const auto in = [pattern](const auto& list) {
        return std::find(std::begin(list), std::end(list), pattern) != std::end(list);
    };
    return in(kUiPages) || in(kAssetPatterns);
}

}  // namespace customsdesk::api

// Small helpers shared by the API handlers: the principal of a request, body parsing with
// content-type checks, path ids, query parameters, and mapping Result errors to problems.
#pragma once

#include <boost/json.hpp>

#include <optional>
#include <string>
#include <string_view>

#include "customsdesk/core/error.hpp"
#include "customsdesk/core/principal.hpp"
#include "customsdesk/http/message.hpp"
#include "customsdesk/http/problem.hpp"

namespace customsdesk::api {

inline constexpr std::string_view kPrincipalKey = "principal";
inline constexpr std::string_view kCsrfKey = "csrf_token";

// The authenticated principal; the middleware guarantees it for non-public routes.
const core::Principal& PrincipalOf(const http::Request& request);

// The problem response for an error, with the request's path and id.
http::Response ErrorResponse(const http::Request& request, const core::Error& error);

// A JSON object body; refuses a wrong Content-Type (415), malformed JSON, invalid UTF-8 (400).
// `merge_patch` also accepts application/merge-patch+json.
core::Result<boost::json::object> JsonBody(const http::Request& request, bool merge_patch = false);

// The 404 problem for a path that names no record (e.g. a non-numeric id).
http::Response NotFound(const http::Request& request);

// A positive integer path parameter; nullopt when it is not one (the handler answers 404).
std::optional<std::int64_t> PathId(const http::Request& request, std::string_view name);

// Integer query parameter with bounds; a bad value is recorded as "/query/<name>".
std::optional<std::int64_t> QueryInt(const http::Request& request, std::string_view name, core::FieldErrors& errors,
                                     std::int64_t min, std::int64_t max);

// The version named by an If-Match header ("3", "\"3\"", W/"3"); nullopt without the header;
// a failed-precondition error (412) when the header names no version.
core::Result<std::optional<std::int64_t>> IfMatchVersion(const http::Request& request);

template <typename T, typename F>
http::Response Respond(const http::Request& request, const core::Result<T>& result, F&& to_response) {
    if (!result) return ErrorResponse(request, result.error());
    return to_response(*result);
}

}  // namespace customsdesk::api

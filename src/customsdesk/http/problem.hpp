// RFC 9457 problem details: the one mapping from core::Error to an HTTP status and body.
//
// Body: {"type": "https://customsdesk.example/problems/<type>", "title", "status", "detail",
// "instance": request path, "request_id", and for validation "errors": [{pointer, code, message}]}
// with Content-Type application/problem+json. `type` is stable: Error::type when set, else the
// code name with '_' -> '-' ("invalid-argument", "not-found", ...).
#pragma once

#include <string_view>

#include "customsdesk/core/error.hpp"
#include "customsdesk/http/message.hpp"

namespace customsdesk::http {

inline constexpr std::string_view kProblemTypeBase = "https://customsdesk.example/problems/";

unsigned StatusFor(core::ErrorCode code);
Response Problem(const core::Error& error, std::string_view instance = {}, std::string_view request_id = {});
// For errors the server raises itself (404 no route, 405, 413 body too large, 414, 408, 500).
Response Problem(unsigned status, std::string_view type, std::string_view title, std::string_view detail,
                 std::string_view instance = {}, std::string_view request_id = {});

}  // namespace customsdesk::http

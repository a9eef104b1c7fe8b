// RFC 9457 problem details: the one mapping from core::Error to an HTTP status and body.
//
// Body: {"type": "https://customsdesk.example/problems/<type>", "title", "status", "detail",
// "instance": request path, "request_id", and for validation "errors": [{pointer, code, message}]}
// with Content-Type application/problem+json. `type` is stable: Error::type when set, else the
// code name with '_' -> '-' ("invalid-argument", "not-found", ...).
//
// Status mapping (StatusFor): invalid_argument 400, or 422 when the error carries field errors
// other than "malformed_json" (validation failed on well-formed input); not_found 404;
// already_exists 409; conflict 409; failed_precondition 409, or 412 when Error::type is
// "precondition-failed"; unauthenticated 401 (with `WWW-Authenticate: Bearer`);
// permission_denied 403; resource_exhausted 429; unavailable 503; internal 500.
// For internal errors the detail is a fixed sentence: Error::message never reaches the client.
// Every problem response carries `Cache-Control: no-store`. Pure functions, thread-safe.
#pragma once

#include <string_view>

#include "customsdesk/core/error.hpp"
#include "customsdesk/http/message.hpp"

namespace customsdesk::http {

inline constexpr std::string_view kProblemTypeBase = "https://customsdesk.example/problems/";

// The status for a code alone (400 for invalid_argument, 409 for failed_precondition).
unsigned StatusFor(core::ErrorCode code);
// The status for a whole error: also tells 422 from 400 and 412 from 409 (see above).
unsigned StatusFor(const core::Error& error);
// The fixed English title for a status ("Not found"); "Error" for statuses without one.
std::string_view TitleFor(unsigned status);
Response Problem(const core::Error& error, std::string_view instance = {}, std::string_view request_id = {});
// For errors the server raises itself (404 no route, 405, 413 body too large, 414, 408, 500).
Response Problem(unsigned status, std::string_view type, std::string_view title, std::string_view detail,
                 std::string_view instance = {}, std::string_view request_id = {});

}  // namespace customsdesk::http

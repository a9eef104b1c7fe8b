// HTTP request and response as plain values: handlers know no sockets (Beast stays in server.cpp).
//
// A Handler takes the parsed Request and returns a Response. Handlers are called on the
// server's worker threads and may block (database calls); they must be thread-safe.
// A handler that would only wait (for a group commit, say) returns Response::Later instead: the
// server then frees its thread and writes the response when the work calls back.
// `Request::context` carries per-request values set by middleware (the authenticated principal).
#pragma once

#include <boost/json/value.hpp>

#include <any>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "customsdesk/core/error.hpp"

namespace customsdesk::http {

// Case-insensitive header map (names compared ASCII-case-insensitively).
struct CaseInsensitiveLess {
    using is_transparent = void;
    bool operator()(std::string_view a, std::string_view b) const;
};
using Headers = std::multimap<std::string, std::string, CaseInsensitiveLess>;

struct Request {
    std::string method;       // "GET", "POST", ... as sent
    std::string target;       // raw request target, "/api/v1/organisations?limit=5"
    std::string path;         // percent-decoded path without query, "/api/v1/organisations"
    std::vector<std::pair<std::string, std::string>> query;  // decoded, in order
    Headers headers;
    std::string body;
    std::string remote_address;  // peer IP (or the first X-Forwarded-For hop when trust_proxy)
    bool secure = false;         // arrived over TLS (X-Forwarded-Proto: https behind a trusted proxy)
    std::string request_id;      // X-Request-Id from the client if sane, else generated
    std::string route;           // the matched route pattern, "/api/v1/organisations/{id}"
    std::map<std::string, std::string, std::less<>> path_params;
    std::map<std::string, std::any, std::less<>> context;

    [[nodiscard]] std::optional<std::string_view> Header(std::string_view name) const;
    [[nodiscard]] std::optional<std::string_view> QueryParam(std::string_view name) const;
    [[nodiscard]] std::string_view PathParam(std::string_view name) const;  // "" when absent
    // The value of one cookie from the Cookie header(s).
    [[nodiscard]] std::optional<std::string> Cookie(std::string_view name) const;
};

struct Response;
// Makes the response; the server calls it on the connection's thread.
using MakeResponse = std::function<Response()>;
// Given to a deferred response's `start`: call it exactly once, from any thread (a database
// writer's, say), with what makes the response. Cheap to call: the making runs on the server.
using Reply = std::function<void(MakeResponse)>;

struct Response {
    unsigned status = 200;
    Headers headers;
    std::string body;
    // Set by Response::Later: the server calls `later(reply)` once the handler has returned,
    // then writes what `reply` is given. Until then the request is in flight (Stop waits for it),
    // and the rest of this Response is unused.
    std::function<void(Reply)> later;

    void Set(std::string name, std::string value);

    // A response that comes later: `start` begins the work (it must not block) and arranges for
    // `reply` to be called when the work is done. An exception from `start`, or from what `reply`
    // is given, becomes a 500 like a handler's.
    static Response Later(std::function<void(Reply)> start);
    static Response Json(unsigned status, const boost::json::value& body);
    static Response Text(unsigned status, std::string body, std::string content_type = "text/plain; charset=utf-8");
    static Response NoContent();
};

using Handler = std::function<Response(Request&)>;

}  // namespace customsdesk::http

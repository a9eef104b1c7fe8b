// HTTP request and response as plain values: handlers know no sockets (Beast stays in server.cpp).
//
// A Handler takes the parsed Request and returns a Response. Handlers are called on the
// server's worker threads and may block (database calls); they must be thread-safe.
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

struct Response {
    unsigned status = 200;
    Headers headers;
    std::string body;

    void Set(std::string name, std::string value);

    static Response Json(unsigned status, const boost::json::value& body);
    static Response Text(unsigned status, std::string body, std::string content_type = "text/plain; charset=utf-8");
    static Response NoContent();
};

using Handler = std::function<Response(Request&)>;

}  // namespace customsdesk::http

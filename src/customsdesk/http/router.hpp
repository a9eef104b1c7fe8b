// Routing table: method + path pattern with `{name}` parameters -> handler.
//
// Patterns are literal segments and `{param}` segments ("/api/v1/organisations/{id}/history").
// Match() tells three outcomes apart: a handler, "no such path" (404), and "path exists but not
// for this method" (405 with the Allow list). Literal segments win over parameters.
// Build the table at start-up, then only read it: Match() is thread-safe, Add() is not.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "customsdesk/http/message.hpp"

namespace customsdesk::http {

struct RouteInfo {
    std::string method;
    std::string pattern;
};

class Router {
public:
    void Add(std::string method, std::string pattern, Handler handler);

    struct Match {
        enum class Kind { kFound, kNotFound, kMethodNotAllowed } kind = Kind::kNotFound;
        const Handler* handler = nullptr;
        std::string pattern;
        std::map<std::string, std::string, std::less<>> params;
        std::vector<std::string> allowed;  // for kMethodNotAllowed
    };
    // `path` is already percent-decoded. HEAD matches GET routes.
    [[nodiscard]] Match Find(std::string_view method, std::string_view path) const;
    [[nodiscard]] std::vector<RouteInfo> Routes() const;

private:
    struct Entry {
        std::string method;
        std::string pattern;
        std::vector<std::string> segments;
        Handler handler;
    };
    std::vector<Entry> entries_;
};

}  // namespace customsdesk::http

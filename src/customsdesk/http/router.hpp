// Routing table: method + path pattern with `{name}` parameters -> handler.
//
// Patterns are literal segments and `{param}` segments ("/api/v1/organisations/{id}/history").
// Match() tells three outcomes apart: a handler, "no such path" (404), and "path exists but not
// for this method" (405 with the Allow list). Literal segments win over parameters.
// Build the table at start-up, then only read it: Find() is thread-safe, Add() is not.
//
// Paths are compared segment by segment. A path is split on '/' after its leading '/':
// "/" is one empty segment, "/a" is {"a"}, "/a/" is {"a", ""}; so "/a/" does NOT match a "/a"
// route (no trailing-slash folding, no redirect) and "/a//b" does not match "/a/b".
// A `{param}` segment matches exactly one non-empty segment; its value is the decoded segment.
//
// Percent-decoding is done per segment BEFORE matching, so "%2F" stays inside its segment
// ("/files/a%2Fb" gives {"files", "a/b"}). The server calls DecodePathSegments() on the raw path
// and then FindSegments(); Find() on an already decoded path is a convenience that splits on '/'
// (it cannot tell an encoded '/' from a separator).
//
// Precedence: among the routes whose pattern matches and whose method matches, the one whose
// first differing segment is a literal wins ("/a/me" beats "/a/{id}"). HEAD uses an explicit HEAD
// route if there is one, else the GET route (the server drops the body). When some pattern matches
// but no method does, the result is kMethodNotAllowed with `allowed` = the sorted union of the
// methods of every matching pattern (HEAD added wherever GET is).
// Add() throws std::invalid_argument for a malformed pattern or a duplicate (method, pattern).
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "customsdesk/http/message.hpp"

namespace customsdesk::http {

// Splits an already decoded path into segments as described above ("/a/" -> {"a", ""}).
std::vector<std::string> SplitPath(std::string_view path);
// Splits a raw request path (no query) on '/' and percent-decodes each segment. InvalidArgument
// when the path does not start with '/', has a malformed escape ("%4", "%zz") or decodes to NUL.
core::Result<std::vector<std::string>> DecodePathSegments(std::string_view raw_path);

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
    // Same, on segments from DecodePathSegments() (what the server uses).
    [[nodiscard]] Match FindSegments(std::string_view method, const std::vector<std::string>& segments) const;
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

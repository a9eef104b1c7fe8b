#include "customsdesk/http/router.hpp"

#include <algorithm>
#include <stdexcept>

namespace customsdesk::http {

namespace {

bool IsParam(std::string_view segment) {
    return segment.size() >= 3 && segment.front() == '{' && segment.back() == '}';
}

int HexValue(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

bool Matches(const std::vector<std::string>& pattern, const std::vector<std::string>& segments) {
    if (pattern.size() != segments.size()) return false;
    for (std::size_t i = 0; i < pattern.size(); ++i) {
        if (IsParam(pattern[i])) {
            if (segments[i].empty()) return false;
        } else if (pattern[i] != segments[i]) {
            return false;
        }
    }
    return true;
}

// True when `a` is more specific than `b`: at the first segment where one is a literal and the
// other a parameter, `a` has the literal.
bool MoreSpecific(const std::vector<std::string>& a, const std::vector<std::string>& b) {
    for (std::size_t i = 0; i < a.size() && i < b.size(); ++i) {
        bool pa = IsParam(a[i]);
        bool pb = IsParam(b[i]);
        if (pa != pb) return !pa;
    }
    return false;
}

}  // namespace

std::vector<std::string> SplitPath(std::string_view path) {
    std::vector<std::string> out;
    if (!path.empty() && path.front() == '/') path.remove_prefix(1);
    while (true) {
        std::size_t slash = path.find('/');
        out.emplace_back(path.substr(0, slash));
        if (slash == std::string_view::npos) break;
        path.remove_prefix(slash + 1);
    }
    return out;
}

core::Result<std::vector<std::string>> DecodePathSegments(std::string_view raw_path) {
    if (raw_path.empty() || raw_path.front() != '/') {
        return core::Fail(core::Error::InvalidArgument("The request path must start with '/'."));
    }
    std::vector<std::string> segments = SplitPath(raw_path);
    for (auto& segment : segments) {
        if (segment.find('%') == std::string::npos) continue;
        std::string decoded;
        decoded.reserve(segment.size());
        for (std::size_t i = 0; i < segment.size(); ++i) {
            if (segment[i] != '%') {
                decoded.push_back(segment[i]);
                continue;
            }
            int hi = i + 1 < segment.size() ? HexValue(segment[i + 1]) : -1;
            int lo = i + 2 < segment.size() ? HexValue(segment[i + 2]) : -1;
            if (hi < 0 || lo < 0) {
                return core::Fail(core::Error::InvalidArgument("The request path has an invalid percent-encoding."));
            }
            char c = static_cast<char>(hi * 16 + lo);
            if (c == '\0') {
                return core::Fail(core::Error::InvalidArgument("The request path must not contain NUL."));
            }
            decoded.push_back(c);
            i += 2;
        }
        segment = std::move(decoded);
    }
    return segments;
}

void Router::Add(std::string method, std::string pattern, Handler handler) {
    if (method.empty() || pattern.empty() || pattern.front() != '/') {
        throw std::invalid_argument("route pattern must start with '/': " + pattern);
    }
    if (!handler) throw std::invalid_argument("route without a handler: " + method + " " + pattern);
    std::vector<std::string> segments = SplitPath(pattern);
    for (const auto& s : segments) {
        bool has_brace = s.find_first_of("{}") != std::string::npos;
        if (has_brace && !IsParam(s)) throw std::invalid_argument("malformed route parameter in " + pattern);
    }
    for (const auto& e : entries_) {
        if (e.method == method && e.segments.size() == segments.size()) {
            bool same = true;
            for (std::size_t i = 0; i < segments.size() && same; ++i) {
                same = (IsParam(segments[i]) && IsParam(e.segments[i])) || segments[i] == e.segments[i];
            }
            if (same) throw std::invalid_argument("duplicate route: " + method + " " + pattern);
        }
    }
    entries_.push_back({std::move(method), std::move(pattern), std::move(segments), std::move(handler)});
}

Router::Match Router::Find(std::string_view method, std::string_view path) const {
    return FindSegments(method, SplitPath(path));
}

Router::Match Router::FindSegments(std::string_view method, const std::vector<std::string>& segments) const {
    Match result;
    const Entry* best = nullptr;
    const Entry* best_get = nullptr;  // fallback for HEAD
    std::vector<std::string> allowed;
    for (const auto& e : entries_) {
        if (!Matches(e.segments, segments)) continue;
        allowed.push_back(e.method);
        if (e.method == "GET") allowed.emplace_back("HEAD");
        if (e.method == method) {
            if (best == nullptr || MoreSpecific(e.segments, best->segments)) best = &e;
        } else if (method == "HEAD" && e.method == "GET") {
            if (best_get == nullptr || MoreSpecific(e.segments, best_get->segments)) best_get = &e;
        }
    }
    if (best == nullptr) best = best_get;
    if (best != nullptr) {
        result.kind = Match::Kind::kFound;
        result.handler = &best->handler;
        result.pattern = best->pattern;
        for (std::size_t i = 0; i < best->segments.size(); ++i) {
            const std::string& s = best->segments[i];
            if (IsParam(s)) result.params.emplace(s.substr(1, s.size() - 2), segments[i]);
        }
        return result;
    }
    if (allowed.empty()) return result;  // kNotFound
    std::sort(allowed.begin(), allowed.end());
    allowed.erase(std::unique(allowed.begin(), allowed.end()), allowed.end());
    result.kind = Match::Kind::kMethodNotAllowed;
    result.allowed = std::move(allowed);
    return result;
}

std::vector<RouteInfo> Router::Routes() const {
    std::vector<RouteInfo> out;
    out.reserve(entries_.size());
    for (const auto& e : entries_) out.push_back({e.method, e.pattern});
    return out;
}

}  // namespace customsdesk::http

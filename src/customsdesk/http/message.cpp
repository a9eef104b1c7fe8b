#include "customsdesk/http/message.hpp"

#include <boost/json/serialize.hpp>

#include <algorithm>

namespace customsdesk::http {

namespace {

char AsciiLower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

std::string_view TrimOws(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

}  // namespace

bool CaseInsensitiveLess::operator()(std::string_view a, std::string_view b) const {
    return std::lexicographical_compare(a.begin(), a.end(), b.begin(), b.end(),
                                        [](char x, char y) { return AsciiLower(x) < AsciiLower(y); });
}

std::optional<std::string_view> Request::Header(std::string_view name) const {
    auto it = headers.find(name);
    if (it == headers.end()) return std::nullopt;
    return std::string_view(it->second);
}

std::optional<std::string_view> Request::QueryParam(std::string_view name) const {
    for (const auto& [key, value] : query) {
        if (key == name) return std::string_view(value);
    }
    return std::nullopt;
}

std::string_view Request::PathParam(std::string_view name) const {
    auto it = path_params.find(name);
    if (it == path_params.end()) return {};
    return it->second;
}

// RFC 6265 section 4.2.1: cookie-string = cookie-pair *( ";" SP cookie-pair ). Parsed leniently
// (any whitespace around pairs, pairs without '=' skipped); names are case-sensitive; a value in
// double quotes is returned without them. The first matching pair across all Cookie headers wins.
std::optional<std::string> Request::Cookie(std::string_view name) const {
    if (name.empty()) return std::nullopt;
    auto [first, last] = headers.equal_range("Cookie");
    for (auto it = first; it != last; ++it) {
        std::string_view rest = it->second;
        while (!rest.empty()) {
            std::size_t semi = rest.find(';');
            std::string_view pair = TrimOws(rest.substr(0, semi));
            rest = semi == std::string_view::npos ? std::string_view{} : rest.substr(semi + 1);
            std::size_t eq = pair.find('=');
            if (eq == std::string_view::npos) continue;
            if (TrimOws(pair.substr(0, eq)) != name) continue;
            std::string_view value = TrimOws(pair.substr(eq + 1));
            if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
                value = value.substr(1, value.size() - 2);
            }
            return std::string(value);
        }
    }
    return std::nullopt;
}

void Response::Set(std::string name, std::string value) {
    headers.erase(name);
    headers.emplace(std::move(name), std::move(value));
}

Response Response::Json(unsigned status, const boost::json::value& body) {
    Response r;
    r.status = status;
    r.Set("Content-Type", "application/json");
    r.body = boost::json::serialize(body);
    return r;
}

Response Response::Text(unsigned status, std::string body, std::string content_type) {
    Response r;
    r.status = status;
    r.Set("Content-Type", std::move(content_type));
    r.body = std::move(body);
    return r;
}

Response Response::Later(std::function<void(Reply)> start) {
    Response r;
    r.later = std::move(start);
    return r;
}

Response Response::NoContent() {
    Response r;
    r.status = 204;
    return r;
}

}  // namespace customsdesk::http

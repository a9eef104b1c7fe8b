#include "customsdesk/http/static_files.hpp"

#include <fmt/format.h>

#include <array>
#include <cstdint>
#include <utility>

namespace customsdesk::http {

namespace {

char Lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool IEquals(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (Lower(a[i]) != Lower(b[i])) return false;
    }
    return true;
}

std::string_view Trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

// The weight of one Accept-Encoding element ("gzip;q=0.5" -> 0.5); 1 without a q parameter, 0 when
// the q value is malformed (a malformed preference is not taken as consent).
double Weight(std::string_view params) {
    while (!params.empty()) {
        const auto semi = params.find(';');
        const std::string_view p = Trim(params.substr(0, semi));
        params = semi == std::string_view::npos ? std::string_view{} : params.substr(semi + 1);
        if (p.size() >= 2 && Lower(p[0]) == 'q' && p[1] == '=') {
            const std::string_view v = Trim(p.substr(2));
            if (v.empty() || v.size() > 5) return 0;
            double q = 0;
            double scale = 1;
            bool dot = false;
            for (char c : v) {
                if (c == '.' && !dot) {
                    dot = true;
                } else if (c >= '0' && c <= '9') {
                    if (dot) {
                        scale /= 10;
                        q += (c - '0') * scale;
                    } else {
                        q = q * 10 + (c - '0');
                    }
                } else {
                    return 0;
                }
            }
            return q > 1 ? 0 : q;
        }
    }
    return 1;
}

std::string ETagOf(std::string_view bytes, std::string_view suffix) {
    std::uint64_t h = 14695981039346656037ULL;
    for (unsigned char c : bytes) {
        h ^= c;
        h *= 1099511628211ULL;
    }
    return fmt::format("\"{:016x}{}\"", h, suffix);
}

// True when an If-None-Match value ("*", or a comma-separated list of entity tags, weak or strong)
// names `etag` (weak comparison, RFC 9110 section 13.1.2).
bool NoneMatchHits(std::string_view header, std::string_view etag) {
    if (Trim(header) == "*") return true;
    while (!header.empty()) {
        const auto comma = header.find(',');
        std::string_view tag = Trim(header.substr(0, comma));
        header = comma == std::string_view::npos ? std::string_view{} : header.substr(comma + 1);
        if (tag.starts_with("W/")) tag.remove_prefix(2);
        if (tag == etag) return true;
    }
    return false;
}

}  // namespace

std::string_view ContentTypeFor(std::string_view path) {
    static constexpr std::array<std::pair<std::string_view, std::string_view>, 12> kTypes = {{
        {".html", "text/html; charset=utf-8"},
        {".js", "text/javascript; charset=utf-8"},
        {".mjs", "text/javascript; charset=utf-8"},
        {".css", "text/css; charset=utf-8"},
        {".json", "application/json"},
        {".svg", "image/svg+xml"},
        {".png", "image/png"},
        {".ico", "image/x-icon"},
        {".woff2", "font/woff2"},
        {".txt", "text/plain; charset=utf-8"},
        {".csv", "text/csv; charset=utf-8"},
        {".webmanifest", "application/manifest+json"},
    }};
    const auto slash = path.rfind('/');
    const std::string_view name = slash == std::string_view::npos ? path : path.substr(slash + 1);
    const auto dot = name.rfind('.');
    if (dot == std::string_view::npos) return "application/octet-stream";
    const std::string_view ext = name.substr(dot);
    for (const auto& [e, type] : kTypes) {
        if (IEquals(e, ext)) return type;
    }
    return "application/octet-stream";
}

bool AcceptsGzip(std::string_view accept_encoding) {
    std::optional<double> gzip;
    std::optional<double> star;
    while (!accept_encoding.empty()) {
        const auto comma = accept_encoding.find(',');
        const std::string_view element = Trim(accept_encoding.substr(0, comma));
        accept_encoding = comma == std::string_view::npos ? std::string_view{} : accept_encoding.substr(comma + 1);
        const auto semi = element.find(';');
        const std::string_view coding = Trim(element.substr(0, semi));
        const double w = semi == std::string_view::npos ? 1.0 : Weight(element.substr(semi + 1));
        if (IEquals(coding, "gzip") || IEquals(coding, "x-gzip")) {
            gzip = w;
        } else if (coding == "*") {
            star = w;
        }
    }
    if (gzip) return *gzip > 0;
    return star && *star > 0;
}

StaticFiles::StaticFiles(const std::vector<StaticAsset>& assets) {
    for (const auto& a : assets) {
        Entry e{a, std::string(ContentTypeFor(a.path)), ETagOf(a.body, ""),
                a.gzip_body.empty() ? std::string() : ETagOf(a.gzip_body, "-gz")};
        entries_.insert_or_assign(std::string(a.path), std::move(e));
    }
}

bool StaticFiles::Has(std::string_view path) const { return entries_.contains(std::string(path)); }

std::optional<Response> StaticFiles::Serve(const Request& request, std::string_view path) const {
    const auto it = entries_.find(std::string(path));
    if (it == entries_.end()) return std::nullopt;
    const Entry& e = it->second;
    const bool compressible = !e.asset.gzip_body.empty();
    const bool gzip = compressible && AcceptsGzip(request.Header("Accept-Encoding").value_or(""));
    const std::string& etag = gzip ? e.gzip_etag : e.etag;

    Response r;
    r.Set("Content-Type", e.content_type);
    r.Set("Cache-Control", std::string(e.asset.immutable ? kImmutableCacheControl : kRevalidateCacheControl));
    r.Set("ETag", etag);
    r.Set("Content-Security-Policy", std::string(kUiContentSecurityPolicy));
    r.Set("X-Frame-Options", "DENY");
    r.Set("Cross-Origin-Opener-Policy", "same-origin");
    if (compressible) r.Set("Vary", "Accept-Encoding");
    if (auto inm = request.Header("If-None-Match"); inm && NoneMatchHits(*inm, etag)) {
        r.status = 304;
        r.headers.erase("Content-Type");
        return r;
    }
    r.status = 200;
    if (gzip) {
        r.Set("Content-Encoding", "gzip");
        r.body = std::string(e.asset.gzip_body);
    } else {
        r.body = std::string(e.asset.body);
    }
    return r;
}

std::size_t StaticFiles::CompressedSize() const {
    std::size_t total = 0;
    for (const auto& [path, e] : entries_) {
        total += e.asset.gzip_body.empty() ? e.asset.body.size() : e.asset.gzip_body.size();
    }
    return total;
}

}  // namespace customsdesk::http

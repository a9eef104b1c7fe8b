// Static files (the web UI) served from memory: content types, validators, caching, gzip and the
// security headers a browser needs (Content-Security-Policy that forbids inline scripts).
//
// StaticFiles owns nothing but views: the asset bytes are `std::string_view`s that must outlive it
// (the build embeds them in the binary as static arrays, see web/CMakeLists.txt). It is built once
// at start-up and then only read: Serve() is const and thread-safe.
//
// Caching: an asset marked `immutable` lives under a versioned URL (/assets/<version>/...; the
// version is a hash over every asset, so any change gives new URLs) and is sent with
// `Cache-Control: public, max-age=31536000, immutable`. Other assets (index.html) get
// `Cache-Control: no-cache`, so the browser revalidates them with If-None-Match and receives 304.
// Every response carries a strong ETag (a 64-bit FNV-1a hash of the bytes sent).
//
// Compression: when an asset has a precompressed gzip body and the request's Accept-Encoding
// allows gzip (RFC 9110 section 12.5.3: a q=0 weight refuses it), the gzip body is sent with
// `Content-Encoding: gzip`; responses of compressible assets carry `Vary: Accept-Encoding`.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "customsdesk/http/message.hpp"

namespace customsdesk::http {

// The policy sent with every static response: scripts, styles, images, fonts and connections only
// from this origin; no inline script or style, no plugins, no framing, no <base> rewriting.
inline constexpr std::string_view kUiContentSecurityPolicy =
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

inline constexpr std::string_view kImmutableCacheControl = "public, max-age=31536000, immutable";
inline constexpr std::string_view kRevalidateCacheControl = "no-cache";

struct StaticAsset {
    std::string_view path;          // URL path, "/assets/0123abcd/app.js" or "/index.html"
    std::string_view body;          // the bytes as stored
    std::string_view gzip_body;     // the same bytes gzip-compressed, or empty when not worth it
    bool immutable = false;         // served under a versioned name: cache for a year
};

// "text/javascript; charset=utf-8" for "x.js", ...; "application/octet-stream" when unknown.
std::string_view ContentTypeFor(std::string_view path);
// True when an Accept-Encoding value allows gzip ("gzip", "gzip;q=0.5", "*"), false for absent
// coding, "gzip;q=0" or "identity".
bool AcceptsGzip(std::string_view accept_encoding);

class StaticFiles {
public:
    // Duplicate paths: the last one wins.
    explicit StaticFiles(const std::vector<StaticAsset>& assets);

    [[nodiscard]] bool Has(std::string_view path) const;
    // The response for the asset at `path` (200, or 304 when If-None-Match names its ETag), or
    // nullopt when there is no such asset. Only GET and HEAD are expected here (the router decides).
    [[nodiscard]] std::optional<Response> Serve(const Request& request, std::string_view path) const;
    // Total bytes of the bodies a gzip-capable client downloads for every asset (for the figures).
    [[nodiscard]] std::size_t CompressedSize() const;

private:
    struct Entry {
        StaticAsset asset;
        std::string content_type;
        std::string etag;       // of `body`
        std::string gzip_etag;  // of `gzip_body`
    };
    std::unordered_map<std::string, Entry> entries_;
};

}  // namespace customsdesk::http

// StaticFiles: content types, gzip negotiation, validators, caching and security headers.
#include "customsdesk/http/static_files.hpp"

#include <gtest/gtest.h>

namespace customsdesk::http {
namespace {

Request Get(std::string accept_encoding = "", std::string if_none_match = "") {
    Request r;
    r.method = "GET";
    if (!accept_encoding.empty()) r.headers.emplace("Accept-Encoding", accept_encoding);
    if (!if_none_match.empty()) r.headers.emplace("If-None-Match", if_none_match);
    return r;
}

std::string H(const Response& r, const std::string& name) {
    auto it = r.headers.find(name);
    return it == r.headers.end() ? "" : it->second;
}

const std::vector<StaticAsset> kAssets = {
    {"/index.html", "<!doctype html>", "", false},
    {"/assets/v1/app.js", "console.log(1)", std::string_view("\x1f\x8b gz", 5), true},
};

TEST(StaticFilesTest, ContentTypesByExtension) {
    EXPECT_EQ(ContentTypeFor("/a/b.js"), "text/javascript; charset=utf-8");
    EXPECT_EQ(ContentTypeFor("/index.HTML"), "text/html; charset=utf-8");
    EXPECT_EQ(ContentTypeFor("/i18n/fi.json"), "application/json");
    EXPECT_EQ(ContentTypeFor("/app.css"), "text/css; charset=utf-8");
    EXPECT_EQ(ContentTypeFor("/favicon.svg"), "image/svg+xml");
    EXPECT_EQ(ContentTypeFor("/noext"), "application/octet-stream");
    EXPECT_EQ(ContentTypeFor("/dir.js/noext"), "application/octet-stream");
}

TEST(StaticFilesTest, AcceptEncodingNegotiation) {
    EXPECT_TRUE(AcceptsGzip("gzip"));
    EXPECT_TRUE(AcceptsGzip("gzip, deflate, br"));
    EXPECT_TRUE(AcceptsGzip("br;q=1.0, GZIP;q=0.5"));
    EXPECT_TRUE(AcceptsGzip("*"));
    EXPECT_TRUE(AcceptsGzip("x-gzip"));
    EXPECT_FALSE(AcceptsGzip(""));
    EXPECT_FALSE(AcceptsGzip("identity"));
    EXPECT_FALSE(AcceptsGzip("gzip;q=0"));
    EXPECT_FALSE(AcceptsGzip("gzip;q=0.000"));
    EXPECT_FALSE(AcceptsGzip("*, gzip;q=0"));
    EXPECT_FALSE(AcceptsGzip("*;q=0"));
    EXPECT_FALSE(AcceptsGzip("gzip;q=abc"));
    EXPECT_FALSE(AcceptsGzip("gzip;q=2"));
}

TEST(StaticFilesTest, UnknownPathIsNotServed) {
    StaticFiles files(kAssets);
    EXPECT_FALSE(files.Serve(Get(), "/nope.js").has_value());
    EXPECT_FALSE(files.Has("/assets/v2/app.js"));
    EXPECT_TRUE(files.Has("/index.html"));
}

TEST(StaticFilesTest, ImmutableAssetGzipWhenAccepted) {
    StaticFiles files(kAssets);
    auto plain = files.Serve(Get(), "/assets/v1/app.js");
    ASSERT_TRUE(plain);
    EXPECT_EQ(plain->status, 200u);
    EXPECT_EQ(plain->body, "console.log(1)");
    EXPECT_EQ(H(*plain, "Content-Encoding"), "");
    EXPECT_EQ(H(*plain, "Cache-Control"), "public, max-age=31536000, immutable");
    EXPECT_EQ(H(*plain, "Vary"), "Accept-Encoding");
    EXPECT_EQ(H(*plain, "Content-Type"), "text/javascript; charset=utf-8");

    auto gz = files.Serve(Get("gzip, br"), "/assets/v1/app.js");
    ASSERT_TRUE(gz);
    EXPECT_EQ(gz->body, std::string("\x1f\x8b gz", 5));
    EXPECT_EQ(H(*gz, "Content-Encoding"), "gzip");
    EXPECT_NE(H(*gz, "ETag"), H(*plain, "ETag"));  // different bytes, different validators
}

TEST(StaticFilesTest, IndexRevalidatesAndCarriesThePolicy) {
    StaticFiles files(kAssets);
    auto r = files.Serve(Get("gzip"), "/index.html");
    ASSERT_TRUE(r);
    EXPECT_EQ(H(*r, "Cache-Control"), "no-cache");
    EXPECT_EQ(H(*r, "Content-Encoding"), "");  // no gzip body stored for it
    EXPECT_EQ(H(*r, "Vary"), "");
    const std::string csp = H(*r, "Content-Security-Policy");
    EXPECT_NE(csp.find("script-src 'self';"), std::string::npos);
    EXPECT_EQ(csp.find("unsafe-inline"), std::string::npos);
    EXPECT_NE(csp.find("frame-ancestors 'none'"), std::string::npos);
    EXPECT_EQ(H(*r, "X-Frame-Options"), "DENY");
}

TEST(StaticFilesTest, IfNoneMatchGives304) {
    StaticFiles files(kAssets);
    const auto etag = H(*files.Serve(Get(), "/index.html"), "ETag");
    ASSERT_FALSE(etag.empty());
    auto r = files.Serve(Get("", "\"other\", W/" + etag), "/index.html");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 304u);
    EXPECT_TRUE(r->body.empty());
    EXPECT_EQ(H(*r, "ETag"), etag);
    auto miss = files.Serve(Get("", "\"other\""), "/index.html");
    EXPECT_EQ(miss->status, 200u);
    // The gzip variant has its own validator: a plain ETag does not match a gzip response.
    const auto plain_tag = H(*files.Serve(Get(), "/assets/v1/app.js"), "ETag");
    EXPECT_EQ(files.Serve(Get("gzip", plain_tag), "/assets/v1/app.js")->status, 200u);
}

TEST(StaticFilesTest, CompressedSizeCountsWhatGzipClientsDownload) {
    StaticFiles files(kAssets);
    EXPECT_EQ(files.CompressedSize(), std::string_view("<!doctype html>").size() + 5);
}

}  // namespace
}  // namespace customsdesk::http

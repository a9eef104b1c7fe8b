#include "customsdesk/http/router.hpp"

#include <gtest/gtest.h>

namespace customsdesk::http {
namespace {

Handler Named(std::string name) {
    return [name](Request&) { return Response::Text(200, name); };
}

std::string Call(const Router::Match& m) {
    Request req;
    return (*m.handler)(req).body;
}

TEST(RouterTest, MatchesLiteralAndParams) {
    Router r;
    r.Add("GET", "/api/v1/organisations", Named("list"));
    r.Add("GET", "/api/v1/organisations/{id}", Named("get"));
    r.Add("GET", "/api/v1/organisations/{id}/history/{n}", Named("history"));

    auto m = r.Find("GET", "/api/v1/organisations");
    ASSERT_EQ(m.kind, Router::Match::Kind::kFound);
    EXPECT_EQ(Call(m), "list");
    EXPECT_TRUE(m.params.empty());

    m = r.Find("GET", "/api/v1/organisations/42/history/7");
    ASSERT_EQ(m.kind, Router::Match::Kind::kFound);
    EXPECT_EQ(Call(m), "history");
    EXPECT_EQ(m.pattern, "/api/v1/organisations/{id}/history/{n}");
    EXPECT_EQ(m.params.at("id"), "42");
    EXPECT_EQ(m.params.at("n"), "7");
}

TEST(RouterTest, NotFoundVersusMethodNotAllowed) {
    Router r;
    r.Add("GET", "/a/{id}", Named("get"));
    r.Add("DELETE", "/a/{id}", Named("delete"));
    r.Add("POST", "/a", Named("create"));

    EXPECT_EQ(r.Find("GET", "/b").kind, Router::Match::Kind::kNotFound);
    EXPECT_EQ(r.Find("GET", "/a/1/x").kind, Router::Match::Kind::kNotFound);
    auto m = r.Find("PUT", "/a/1");
    ASSERT_EQ(m.kind, Router::Match::Kind::kMethodNotAllowed);
    EXPECT_EQ(m.allowed, (std::vector<std::string>{"DELETE", "GET", "HEAD"}));
    m = r.Find("GET", "/a");
    ASSERT_EQ(m.kind, Router::Match::Kind::kMethodNotAllowed);
    EXPECT_EQ(m.allowed, (std::vector<std::string>{"POST"}));
}

TEST(RouterTest, LiteralBeatsParameterWhateverTheOrder) {
    Router r;
    r.Add("GET", "/users/{id}", Named("param"));
    r.Add("GET", "/users/me", Named("literal"));
    r.Add("GET", "/x/{a}/b", Named("param-first"));
    r.Add("GET", "/x/a/{b}", Named("literal-first"));
    EXPECT_EQ(Call(r.Find("GET", "/users/me")), "literal");
    EXPECT_EQ(Call(r.Find("GET", "/users/you")), "param");
    EXPECT_EQ(Call(r.Find("GET", "/x/a/b")), "literal-first");
    EXPECT_EQ(Call(r.Find("GET", "/x/z/b")), "param-first");
}

TEST(RouterTest, HeadUsesGetUnlessHeadIsRegistered) {
    Router r;
    r.Add("GET", "/a", Named("get-a"));
    r.Add("GET", "/b", Named("get-b"));
    r.Add("HEAD", "/b", Named("head-b"));
    auto m = r.Find("HEAD", "/a");
    ASSERT_EQ(m.kind, Router::Match::Kind::kFound);
    EXPECT_EQ(Call(m), "get-a");
    EXPECT_EQ(m.pattern, "/a");
    EXPECT_EQ(Call(r.Find("HEAD", "/b")), "head-b");
    EXPECT_EQ(r.Find("POST", "/a").allowed, (std::vector<std::string>{"GET", "HEAD"}));
}

TEST(RouterTest, TrailingSlashIsADifferentPath) {
    Router r;
    r.Add("GET", "/a", Named("a"));
    r.Add("GET", "/", Named("root"));
    EXPECT_EQ(r.Find("GET", "/a/").kind, Router::Match::Kind::kNotFound);
    EXPECT_EQ(r.Find("GET", "//a").kind, Router::Match::Kind::kNotFound);
    EXPECT_EQ(Call(r.Find("GET", "/")), "root");
}

TEST(RouterTest, ParameterNeverMatchesEmptySegment) {
    Router r;
    r.Add("GET", "/a/{id}", Named("a"));
    EXPECT_EQ(r.Find("GET", "/a/").kind, Router::Match::Kind::kNotFound);
}

TEST(RouterTest, EncodedSlashStaysInsideItsSegment) {
    Router r;
    r.Add("GET", "/files/{name}", Named("file"));
    auto segments = DecodePathSegments("/files/a%2Fb%20c");
    ASSERT_TRUE(segments.has_value());
    EXPECT_EQ(*segments, (std::vector<std::string>{"files", "a/b c"}));
    auto m = r.FindSegments("GET", *segments);
    ASSERT_EQ(m.kind, Router::Match::Kind::kFound);
    EXPECT_EQ(m.params.at("name"), "a/b c");
}

TEST(RouterTest, DecodeRejectsBadEscapesAndNul) {
    EXPECT_FALSE(DecodePathSegments("/a%zz").has_value());
    EXPECT_FALSE(DecodePathSegments("/a%4").has_value());
    EXPECT_FALSE(DecodePathSegments("/a%").has_value());
    EXPECT_FALSE(DecodePathSegments("/a%00b").has_value());
    EXPECT_FALSE(DecodePathSegments("a").has_value());
    EXPECT_EQ(DecodePathSegments("/").value(), (std::vector<std::string>{""}));
    EXPECT_EQ(DecodePathSegments("/%41+b").value(), (std::vector<std::string>{"A+b"}));
}

TEST(RouterTest, AddRejectsBadPatternsAndDuplicates) {
    Router r;
    r.Add("GET", "/a/{id}", Named("a"));
    EXPECT_THROW(r.Add("GET", "/a/{other}", Named("b")), std::invalid_argument);
    EXPECT_THROW(r.Add("GET", "a", Named("b")), std::invalid_argument);
    EXPECT_THROW(r.Add("GET", "/a/{x", Named("b")), std::invalid_argument);
    EXPECT_NO_THROW(r.Add("POST", "/a/{id}", Named("c")));
    EXPECT_EQ(r.Routes().size(), 2u);
}

}  // namespace
}  // namespace customsdesk::http

#include "customsdesk/http/message.hpp"

#include <boost/json/parse.hpp>
#include <gtest/gtest.h>

namespace customsdesk::http {
namespace {

TEST(MessageTest, CaseInsensitiveHeaders) {
    CaseInsensitiveLess less;
    EXPECT_FALSE(less("Content-Type", "content-type"));
    EXPECT_FALSE(less("content-type", "CONTENT-TYPE"));
    EXPECT_TRUE(less("a", "B"));
    EXPECT_TRUE(less("A", "b"));
    EXPECT_TRUE(less("abc", "ABCD"));
    Request req;
    req.headers.emplace("X-Thing", "1");
    EXPECT_EQ(req.Header("x-thing").value_or(""), "1");
    EXPECT_FALSE(req.Header("x-other").has_value());
}

TEST(MessageTest, CookieParsing) {
    Request req;
    req.headers.emplace("Cookie", "a=1; session=abc.def;theme=\"dark\" ; empty=; flag");
    req.headers.emplace("cookie", "late=2; a=shadowed");
    EXPECT_EQ(req.Cookie("a").value_or("?"), "1");
    EXPECT_EQ(req.Cookie("session").value_or("?"), "abc.def");
    EXPECT_EQ(req.Cookie("theme").value_or("?"), "dark");
    EXPECT_EQ(req.Cookie("empty").value_or("?"), "");
    EXPECT_EQ(req.Cookie("late").value_or("?"), "2");
    EXPECT_FALSE(req.Cookie("flag").has_value());
    EXPECT_FALSE(req.Cookie("Session").has_value());  // names are case-sensitive
    EXPECT_FALSE(req.Cookie("missing").has_value());
    EXPECT_FALSE(req.Cookie("").has_value());
}

TEST(MessageTest, QueryAndPathParams) {
    Request req;
    req.query = {{"limit", "5"}, {"q", "a b"}, {"limit", "9"}};
    req.path_params.emplace("id", "42");
    EXPECT_EQ(req.QueryParam("limit").value_or(""), "5");
    EXPECT_EQ(req.QueryParam("q").value_or(""), "a b");
    EXPECT_FALSE(req.QueryParam("x").has_value());
    EXPECT_EQ(req.PathParam("id"), "42");
    EXPECT_EQ(req.PathParam("nope"), "");
}

TEST(MessageTest, ResponseFactories) {
    auto j = Response::Json(201, boost::json::object{{"id", 7}});
    EXPECT_EQ(j.status, 201u);
    EXPECT_EQ(j.headers.find("content-type")->second, "application/json");
    EXPECT_EQ(boost::json::parse(j.body).at("id").to_number<int>(), 7);
    auto t = Response::Text(200, "hi");
    EXPECT_EQ(t.headers.find("Content-Type")->second, "text/plain; charset=utf-8");
    EXPECT_EQ(Response::NoContent().status, 204u);
    t.Set("content-type", "text/csv");
    EXPECT_EQ(t.headers.count("Content-Type"), 1u);
    EXPECT_EQ(t.headers.find("Content-Type")->second, "text/csv");
}

}  // namespace
}  // namespace customsdesk::http

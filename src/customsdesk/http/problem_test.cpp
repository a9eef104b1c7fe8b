#include "customsdesk/http/problem.hpp"

#include <boost/json/parse.hpp>
#include <gtest/gtest.h>

namespace customsdesk::http {
namespace {

using core::Error;
using core::ErrorCode;

boost::json::object Body(const Response& r) { return boost::json::parse(r.body).as_object(); }

TEST(ProblemTest, StatusMapping) {
    EXPECT_EQ(StatusFor(ErrorCode::kInvalidArgument), 400u);
    EXPECT_EQ(StatusFor(ErrorCode::kNotFound), 404u);
    EXPECT_EQ(StatusFor(ErrorCode::kAlreadyExists), 409u);
    EXPECT_EQ(StatusFor(ErrorCode::kConflict), 409u);
    EXPECT_EQ(StatusFor(ErrorCode::kFailedPrecondition), 409u);
    EXPECT_EQ(StatusFor(ErrorCode::kUnauthenticated), 401u);
    EXPECT_EQ(StatusFor(ErrorCode::kPermissionDenied), 403u);
    EXPECT_EQ(StatusFor(ErrorCode::kResourceExhausted), 429u);
    EXPECT_EQ(StatusFor(ErrorCode::kUnavailable), 503u);
    EXPECT_EQ(StatusFor(ErrorCode::kInternal), 500u);
}

TEST(ProblemTest, ValidationIs422MalformedJsonIs400) {
    EXPECT_EQ(StatusFor(Error::InvalidArgument("bad")), 400u);
    EXPECT_EQ(StatusFor(Error::InvalidArgument("bad", {{"", "malformed_json", "x"}})), 400u);
    EXPECT_EQ(StatusFor(Error::InvalidArgument("bad", {{"/name", "required", "x"}})), 422u);
    EXPECT_EQ(StatusFor(Error::FailedPrecondition("stale").WithType("precondition-failed")), 412u);
    EXPECT_EQ(StatusFor(Error::FailedPrecondition("state")), 409u);
}

TEST(ProblemTest, BodyShape) {
    auto r = Problem(Error::InvalidArgument("The request has invalid fields.",
                                            {{"/business_id", "checksum", "Bad check digit."}}),
                     "/api/v1/organisations", "req-1");
    EXPECT_EQ(r.status, 422u);
    auto ct = r.headers.find("content-type");
    ASSERT_NE(ct, r.headers.end());
    EXPECT_EQ(ct->second, "application/problem+json");
    auto body = Body(r);
    EXPECT_EQ(body.at("type").as_string(), "https://customsdesk.example/problems/invalid-argument");
    EXPECT_EQ(body.at("title").as_string(), "Validation failed");
    EXPECT_EQ(body.at("status").to_number<int>(), 422);
    EXPECT_EQ(body.at("detail").as_string(), "The request has invalid fields.");
    EXPECT_EQ(body.at("instance").as_string(), "/api/v1/organisations");
    EXPECT_EQ(body.at("request_id").as_string(), "req-1");
    const auto& errors = body.at("errors").as_array();
    ASSERT_EQ(errors.size(), 1u);
    EXPECT_EQ(errors[0].at("pointer").as_string(), "/business_id");
    EXPECT_EQ(errors[0].at("code").as_string(), "checksum");
    EXPECT_EQ(errors[0].at("message").as_string(), "Bad check digit.");
}

TEST(ProblemTest, TypeUsesErrorTypeOrCodeName) {
    EXPECT_EQ(Body(Problem(Error::NotFound("x"))).at("type").as_string(),
              "https://customsdesk.example/problems/not-found");
    EXPECT_EQ(Body(Problem(Error::AlreadyExists("x").WithType("duplicate-organisation"))).at("type").as_string(),
              "https://customsdesk.example/problems/duplicate-organisation");
    EXPECT_FALSE(Body(Problem(Error::NotFound("x"))).contains("errors"));
}

TEST(ProblemTest, InternalHidesMessageAndUnauthenticatedAsksForBearer) {
    auto r = Problem(Error::Internal("connection to 10.0.0.5 refused"));
    EXPECT_EQ(r.status, 500u);
    EXPECT_EQ(r.body.find("10.0.0.5"), std::string::npos);
    auto u = Problem(Error::Unauthenticated("no token"));
    EXPECT_EQ(u.status, 401u);
    ASSERT_NE(u.headers.find("WWW-Authenticate"), u.headers.end());
    EXPECT_EQ(u.headers.find("www-authenticate")->second, "Bearer");
}

TEST(ProblemTest, ServerRaisedProblem) {
    auto r = Problem(413, "content-too-large", "Content too large", "Too big.", "/x", "id");
    EXPECT_EQ(r.status, 413u);
    auto body = Body(r);
    EXPECT_EQ(body.at("type").as_string(), "https://customsdesk.example/problems/content-too-large");
    EXPECT_EQ(body.at("status").to_number<int>(), 413);
    EXPECT_EQ(r.headers.find("Cache-Control")->second, "no-store");
}

}  // namespace
}  // namespace customsdesk::http

// The authentication cache: what takes effect at once, and what within the ttl (SQLite and PostgreSQL).
#include <gtest/gtest.h>

#include "customsdesk/accounts/account_service.hpp"
#include "support/test_database.hpp"

namespace customsdesk::accounts {
namespace {

class AuthCacheTest : public ::testing::Test {
protected:
    AuthCacheTest()
        : db_(test_support::OpenTestDatabase()),
          clock_(core::Timestamp(std::chrono::seconds(1'800'000'000))),
          throttle_(clock_),
          accounts_(*db_, clock_, throttle_, Options()) {
        NewUser u{"cora", "Cora", "a-long-enough-password", {core::Role::kAgent}, std::nullopt, "en"};
        EXPECT_TRUE(accounts_.CreateUser(core::Principal::System(), u));
        NewUser a{"adam", "Adam", "a-long-enough-password", {core::Role::kAdmin}, std::nullopt, "en"};
        admin_ = AccountService::PrincipalFor(accounts_.CreateUser(core::Principal::System(), a).value(),
                                              core::AuthMethod::kSession);
    }
    static AccountOptions Options() {
        AccountOptions o;
        o.auth_cache_ttl = std::chrono::seconds(5);
        return o;
    }
    std::string Login() { return accounts_.Login("cora", "a-long-enough-password", "127.0.0.1", "test").value().token; }
    void DeleteBehindTheServicesBack(std::string_view sql) {
        auto tx = db_->Begin(storage::TxMode::kWrite).value();
        ASSERT_TRUE(tx->Execute(sql));
        ASSERT_TRUE(tx->Commit());
    }

    std::unique_ptr<storage::Database> db_;
    core::ManualClock clock_;
    LoginThrottle throttle_;
    AccountService accounts_;
    core::Principal admin_;
};

TEST_F(AuthCacheTest, AnotherProcessesChangeTakesEffectWithinTheTtl) {
    const auto token = Login();
    ASSERT_TRUE(accounts_.AuthenticateSession(token));
    DeleteBehindTheServicesBack("DELETE FROM sessions");  // as another process would
    EXPECT_TRUE(accounts_.AuthenticateSession(token)) << "answered from the cache";
    clock_.Advance(std::chrono::seconds(5));
    EXPECT_FALSE(accounts_.AuthenticateSession(token));
}

TEST_F(AuthCacheTest, LogoutTakesEffectAtOnce) {
    const auto token = Login();
    ASSERT_TRUE(accounts_.AuthenticateSession(token));
    ASSERT_TRUE(accounts_.Logout(token));
    EXPECT_FALSE(accounts_.AuthenticateSession(token));
}

TEST_F(AuthCacheTest, DisablingTakesEffectAtOnceForSessionsAndTokens) {
    const auto token = Login();
    const auto api = accounts_.CreateToken(admin_, std::string("cora"), "ERP", std::nullopt).value().secret;
    ASSERT_TRUE(accounts_.AuthenticateSession(token));
    ASSERT_TRUE(accounts_.AuthenticateToken(api));
    ASSERT_TRUE(accounts_.SetDisabled(admin_, "cora", true));
    EXPECT_FALSE(accounts_.AuthenticateSession(token));
    EXPECT_FALSE(accounts_.AuthenticateToken(api));
}

TEST_F(AuthCacheTest, RevokingATokenTakesEffectAtOnce) {
    const auto made = accounts_.CreateToken(admin_, std::string("cora"), "ERP", std::nullopt).value();
    ASSERT_TRUE(accounts_.AuthenticateToken(made.secret));
    ASSERT_TRUE(accounts_.RevokeToken(admin_, made.token.id));
    auto r = accounts_.AuthenticateToken(made.secret);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, core::ErrorCode::kUnauthenticated);
}

TEST_F(AuthCacheTest, NeverPastTheSessionsOwnExpiry) {
    const auto token = Login();
    ASSERT_TRUE(accounts_.AuthenticateSession(token));
    clock_.Advance(std::chrono::hours(12));  // the default session lifetime
    EXPECT_FALSE(accounts_.AuthenticateSession(token));
}

TEST_F(AuthCacheTest, ATokenExpiringBeforeTheTtlIsNotCachedPastIt) {
    const auto api = accounts_
                         .CreateToken(admin_, std::string("cora"), "short",
                                      clock_.Now() + std::chrono::seconds(2))
                         .value()
                         .secret;
    ASSERT_TRUE(accounts_.AuthenticateToken(api));
    clock_.Advance(std::chrono::seconds(2));
    EXPECT_FALSE(accounts_.AuthenticateToken(api));
}

TEST(AuthCache, AStaleReadStartedBeforeAnInvalidationIsNotStored) {
    AuthCache cache(std::chrono::seconds(5));
    const core::Timestamp now(std::chrono::seconds(100));
    const auto generation = cache.Generation();
    cache.Invalidate();  // e.g. a user was disabled while this lookup read the database
    cache.Put("d", CachedAuth{}, now, std::nullopt, generation);
    EXPECT_FALSE(cache.Get("d", now));
    cache.Put("d", CachedAuth{}, now, std::nullopt, cache.Generation());
    EXPECT_TRUE(cache.Get("d", now));
}

TEST(AuthCache, ZeroTtlDisablesIt) {
    AuthCache cache(std::chrono::milliseconds(0));
    const core::Timestamp now(std::chrono::seconds(100));
    cache.Put("d", CachedAuth{}, now, std::nullopt, cache.Generation());
    EXPECT_FALSE(cache.Get("d", now));
}

}  // namespace
}  // namespace customsdesk::accounts

#include "customsdesk/accounts/secrets.hpp"

#include <gtest/gtest.h>

#include <set>

namespace customsdesk::accounts {
namespace {

TEST(Passwords, HashIsArgon2idAndVerifies) {
    const auto policy = PasswordPolicy::ForTests();
    auto h = HashPassword("correct horse battery", policy);
    ASSERT_TRUE(h) << h.error().message;
    EXPECT_TRUE(h->starts_with("$argon2id$")) << *h;
    EXPECT_TRUE(VerifyPassword(*h, "correct horse battery"));
    EXPECT_FALSE(VerifyPassword(*h, "correct horse batterY"));
    EXPECT_FALSE(VerifyPassword(*h, ""));
}

TEST(Passwords, SaltedSoEqualPasswordsHashDifferently) {
    const auto policy = PasswordPolicy::ForTests();
    EXPECT_NE(*HashPassword("same password here", policy), *HashPassword("same password here", policy));
}

TEST(Passwords, RulesGiveFieldErrors) {
    const auto policy = PasswordPolicy::ForTests();
    auto shortp = HashPassword("short", policy);
    ASSERT_FALSE(shortp);
    ASSERT_EQ(shortp.error().fields.size(), 1u);
    EXPECT_EQ(shortp.error().fields[0].pointer, "/password");
    EXPECT_EQ(shortp.error().fields[0].code, "too_short");
    EXPECT_FALSE(HashPassword(std::string(300, 'x'), policy));
}

TEST(Passwords, MalformedStoredHashNeverVerifies) {
    EXPECT_FALSE(VerifyPassword("", "x"));
    EXPECT_FALSE(VerifyPassword("not-a-hash", "not-a-hash"));
    EXPECT_FALSE(VerifyPassword(std::string(1000, '$'), "x"));
}

TEST(Tokens, RandomUrlSafeAndDistinct) {
    std::set<std::string> seen;
    for (int i = 0; i < 100; ++i) {
        auto t = RandomToken();
        EXPECT_EQ(t.size(), 43u);
        EXPECT_EQ(t.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
                  std::string::npos);
        seen.insert(t);
    }
    EXPECT_EQ(seen.size(), 100u);
}

TEST(Tokens, DigestIsStableHexAndNotTheToken) {
    const auto d = TokenDigest("cdk_abc");
    EXPECT_EQ(d.size(), 64u);
    EXPECT_EQ(d, TokenDigest("cdk_abc"));
    EXPECT_NE(d, TokenDigest("cdk_abd"));
    EXPECT_EQ(d.find("abc"), std::string::npos);
}

TEST(Tokens, ConstantTimeEquals) {
    EXPECT_TRUE(ConstantTimeEquals("abc", "abc"));
    EXPECT_FALSE(ConstantTimeEquals("abc", "abd"));
    EXPECT_FALSE(ConstantTimeEquals("abc", "abcd"));
    EXPECT_TRUE(ConstantTimeEquals("", ""));
}

}  // namespace
}  // namespace customsdesk::accounts

#include "customsdesk/accounts/login_throttle.hpp"

#include <gtest/gtest.h>

namespace customsdesk::accounts {
namespace {

using namespace std::chrono_literals;

core::Timestamp T0() { return *core::ParseTimestamp("2026-11-22T08:00:00Z"); }

TEST(LoginThrottle, LocksAccountAfterFailuresAndReleasesAfterWindow) {
    core::ManualClock clock(T0());
    LoginThrottle t(clock, {.max_failures_per_account = 3, .max_failures_per_address = 100, .window = 600s});
    for (int i = 0; i < 3; ++i) {
        EXPECT_FALSE(t.Check("alice", "10.0.0.1"));
        t.RecordFailure("alice", "10.0.0.1");
        clock.Advance(10s);
    }
    auto wait = t.Check("alice", "10.0.0.9");  // another address: still locked (per account)
    ASSERT_TRUE(wait);
    EXPECT_GT(wait->count(), 0);
    EXPECT_FALSE(t.Check("bob", "10.0.0.1"));  // other accounts unaffected
    clock.Advance(600s);
    EXPECT_FALSE(t.Check("alice", "10.0.0.1"));
}

TEST(LoginThrottle, LocksAddressAcrossAccounts) {
    core::ManualClock clock(T0());
    LoginThrottle t(clock, {.max_failures_per_account = 100, .max_failures_per_address = 4, .window = 600s});
    for (int i = 0; i < 4; ++i) t.RecordFailure("user" + std::to_string(i), "192.0.2.7");
    EXPECT_TRUE(t.Check("fresh-user", "192.0.2.7"));
    EXPECT_FALSE(t.Check("fresh-user", "192.0.2.8"));
}

TEST(LoginThrottle, SuccessClearsAccountFailures) {
    core::ManualClock clock(T0());
    LoginThrottle t(clock, {.max_failures_per_account = 3, .max_failures_per_address = 100, .window = 600s});
    t.RecordFailure("alice", "a");
    t.RecordFailure("alice", "a");
    t.RecordSuccess("alice");
    t.RecordFailure("alice", "a");
    t.RecordFailure("alice", "a");
    EXPECT_FALSE(t.Check("alice", "a"));
}

TEST(LoginThrottle, BoundedMemory) {
    core::ManualClock clock(T0());
    LoginThrottle t(clock, {.max_failures_per_account = 3, .max_failures_per_address = 3, .window = 600s,
                            .max_keys = 10});
    for (int i = 0; i < 1000; ++i) {
        t.RecordFailure("u" + std::to_string(i), "ip" + std::to_string(i));
        clock.Advance(100ms);
    }
    // The newest keys are still tracked.
    t.RecordFailure("u999", "x");
    t.RecordFailure("u999", "y");
    EXPECT_TRUE(t.Check("u999", "z"));
}

}  // namespace
}  // namespace customsdesk::accounts

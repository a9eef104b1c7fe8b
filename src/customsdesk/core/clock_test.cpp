#include "customsdesk/core/clock.hpp"

#include <gtest/gtest.h>

namespace customsdesk::core {
namespace {

TEST(Clock, FormatsFixedWidthUtc) {
    const auto t = ParseTimestamp("2026-11-22T06:30:14Z");
    ASSERT_TRUE(t);
    EXPECT_EQ(FormatTimestamp(*t), "2026-11-22T06:30:14.000000Z");
}

TEST(Clock, ParsesOffsets) {
    const auto a = ParseTimestamp("2026-03-29T04:00:00+03:00");
    const auto b = ParseTimestamp("2026-03-29T01:00:00Z");
    ASSERT_TRUE(a && b);
    EXPECT_EQ(*a, *b);
}

TEST(Clock, RejectsGarbage) {
    EXPECT_FALSE(ParseTimestamp("2026-13-01T00:00:00Z"));
    EXPECT_FALSE(ParseTimestamp("yesterday"));
    EXPECT_FALSE(ParseTimestamp("2026-11-22T06:30:14Zjunk"));
}

TEST(Clock, ManualClockMovesOnlyWhenTold) {
    ManualClock c(*ParseTimestamp("2026-01-01T00:00:00Z"));
    const auto t0 = c.Now();
    EXPECT_EQ(c.Now(), t0);
    c.Advance(std::chrono::seconds(5));
    EXPECT_EQ(c.Now() - t0, std::chrono::seconds(5));
}

}  // namespace
}  // namespace customsdesk::core

namespace customsdesk::core {
namespace {

TEST(Clock, ParsesFractionsAndRoundTrips) {
    const auto t = ParseTimestamp("2026-11-22T06:30:14.123456Z");
    ASSERT_TRUE(t);
    EXPECT_EQ(FormatTimestamp(*t), "2026-11-22T06:30:14.123456Z");
    EXPECT_EQ(FormatTimestamp(*ParseTimestamp("2026-11-22T06:30:14.5Z")), "2026-11-22T06:30:14.500000Z");
    EXPECT_EQ(FormatTimestamp(*ParseTimestamp("2024-02-29T23:00:00-02:30")), "2024-03-01T01:30:00.000000Z");
    EXPECT_FALSE(ParseTimestamp("2025-02-29T00:00:00Z"));
    EXPECT_FALSE(ParseTimestamp("2026-11-22T24:00:00Z"));
    EXPECT_FALSE(ParseTimestamp("2026-11-22T06:30:14."));
    EXPECT_FALSE(ParseTimestamp("2026-11-22T06:30:14+0200"));
}

}  // namespace
}  // namespace customsdesk::core

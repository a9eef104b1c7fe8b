#include "customsdesk/core/clock.hpp"

#include <gtest/gtest.h>

#include <date/date.h>

#include <random>

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

TEST(Clock, FormatTimestampWritesWhatDateFormatWrites) {
    std::mt19937_64 rng(2026);
    // 1970 .. 2200, every microsecond pattern, plus leap days, ends of days and the epoch.
    std::uniform_int_distribution<std::int64_t> any(0, 7'258'118'400'000'000LL);
    std::vector<Timestamp> cases{Timestamp{}, *ParseTimestamp("2024-02-29T23:59:59.999999Z"),
                                 *ParseTimestamp("2000-02-29T00:00:00Z"), *ParseTimestamp("1999-12-31T23:59:59Z"),
                                 *ParseTimestamp("2100-03-01T00:00:00.000001Z")};
    for (int i = 0; i < 20000; ++i) cases.emplace_back(std::chrono::microseconds(any(rng)));
    for (const auto& t : cases) ASSERT_EQ(FormatTimestamp(t), date::format("%FT%TZ", t));
    // Before the epoch (not produced by the system, but formatted the same way).
    const Timestamp before(std::chrono::microseconds(-1'500'000));
    EXPECT_EQ(FormatTimestamp(before), date::format("%FT%TZ", before));
}

}  // namespace
}  // namespace customsdesk::core

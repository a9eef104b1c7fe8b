#include "customsdesk/core/decimal.hpp"

#include <gtest/gtest.h>

namespace customsdesk::core {
namespace {

Decimal D(std::string_view s) {
    auto d = Decimal::Parse(s);
    EXPECT_TRUE(d.has_value()) << s;
    return d.value_or(Decimal{});
}

TEST(DecimalTest, ParsesAndPrintsPlainNotationKeepingTheScale) {
    EXPECT_EQ(D("12.30").ToString(), "12.30");
    EXPECT_EQ(D("0").ToString(), "0");
    EXPECT_EQ(D("-0.05").ToString(), "-0.05");
    EXPECT_EQ(D("-0.00").ToString(), "0.00");
    EXPECT_EQ(D("1000000").ToString(), "1000000");
    EXPECT_EQ(D("0.000000000000000001").ToString(), "0.000000000000000001");
    EXPECT_EQ(D("999999999999999999999999999999999999").ToString(), "999999999999999999999999999999999999");
    EXPECT_EQ(D("12.30").scale(), 2);
}

TEST(DecimalTest, RejectsEverythingButPlainNotation) {
    for (std::string_view bad : {"", "-", ".5", "5.", "1e3", "+1", " 1", "1 ", "1,5", "1.2.3", "--1", "0x1", "NaN",
                                 "0.0000000000000000001", "1000000000000000000000000000000000000"}) {
        EXPECT_FALSE(Decimal::Parse(bad).has_value()) << bad;
    }
}

TEST(DecimalTest, ComparesByValueAcrossScales) {
    EXPECT_EQ(D("12.3"), D("12.30"));
    EXPECT_LT(D("-0.5"), D("0.5"));
    EXPECT_LT(D("-1.5"), D("-1.49"));
    EXPECT_GT(D("150.01"), D("150"));
    EXPECT_LE(D("150.00"), D("150"));
    EXPECT_LT(D("0.000000000000000001"), D("0.00000000000000001"));
    EXPECT_GT(D("999999999999999999999999999999999999"), D("99999999999999999.999999999999999999"));
}

TEST(DecimalTest, AddSubAndMulAreExact) {
    EXPECT_EQ(Decimal::Add(D("0.1"), D("0.2"))->ToString(), "0.3");
    EXPECT_EQ(Decimal::Add(D("1.25"), D("-1.250"))->ToString(), "0.000");
    EXPECT_EQ(Decimal::Sub(D("150.01"), D("150"))->ToString(), "0.01");
    EXPECT_EQ(Decimal::Mul(D("123.45"), D("0.255"))->ToString(), "31.47975");
    EXPECT_EQ(Decimal::Mul(D("-2"), D("0.5"))->ToString(), "-1.0");
    // Out of range: nullopt, never a rounded value.
    EXPECT_FALSE(Decimal::Add(D("999999999999999999999999999999999999"), D("1")).has_value());
    EXPECT_FALSE(Decimal::Mul(D("100000000000000000000"), D("100000000000000000000")).has_value());
    EXPECT_FALSE(Decimal::Mul(D("0.000000001"), D("0.0000000001")).has_value());
    EXPECT_EQ(Decimal::Mul(D("0.000000010"), D("0.0000000010"))->ToString(), "0.000000000000000010");
}

TEST(DecimalTest, RoundsOnceWithTheRequestedMode) {
    EXPECT_EQ(D("0.005").Round(2, RoundingMode::kHalfUp)->ToString(), "0.01");
    EXPECT_EQ(D("-0.005").Round(2, RoundingMode::kHalfUp)->ToString(), "-0.01");
    EXPECT_EQ(D("0.00499999").Round(2, RoundingMode::kHalfUp)->ToString(), "0.00");
    EXPECT_EQ(D("0.005").Round(2, RoundingMode::kHalfEven)->ToString(), "0.00");
    EXPECT_EQ(D("0.015").Round(2, RoundingMode::kHalfEven)->ToString(), "0.02");
    EXPECT_EQ(D("0.0150001").Round(2, RoundingMode::kHalfEven)->ToString(), "0.02");
    EXPECT_EQ(D("0.019").Round(2, RoundingMode::kTowardZero)->ToString(), "0.01");
    EXPECT_EQ(D("-0.019").Round(2, RoundingMode::kTowardZero)->ToString(), "-0.01");
    EXPECT_EQ(D("7").Round(2, RoundingMode::kHalfUp)->ToString(), "7.00");
    EXPECT_FALSE(D("7").Round(19, RoundingMode::kHalfUp).has_value());
}

TEST(DecimalTest, DividesWithOneRoundingAtTheTargetScale) {
    EXPECT_EQ(Decimal::Divide(D("100"), D("3"), 2, RoundingMode::kHalfUp)->ToString(), "33.33");
    EXPECT_EQ(Decimal::Divide(D("200"), D("3"), 2, RoundingMode::kHalfUp)->ToString(), "66.67");
    EXPECT_EQ(Decimal::Divide(D("-200"), D("3"), 2, RoundingMode::kHalfUp)->ToString(), "-66.67");
    EXPECT_EQ(Decimal::Divide(D("200"), D("-3"), 2, RoundingMode::kHalfUp)->ToString(), "-66.67");
    // 1.0855 / 1.0856 -> 0.99990788...: the quotient is never pre-rounded.
    EXPECT_EQ(Decimal::Divide(D("1.0855"), D("1.0856"), 4, RoundingMode::kHalfUp)->ToString(), "0.9999");
    // An exact tie at the target scale: 0.01 / 2 = 0.005.
    EXPECT_EQ(Decimal::Divide(D("0.01"), D("2"), 2, RoundingMode::kHalfUp)->ToString(), "0.01");
    EXPECT_EQ(Decimal::Divide(D("0.01"), D("2"), 2, RoundingMode::kHalfEven)->ToString(), "0.00");
    EXPECT_EQ(Decimal::Divide(D("108.56"), D("1.0856"), 2, RoundingMode::kHalfUp)->ToString(), "100.00");
    EXPECT_FALSE(Decimal::Divide(D("1"), D("0.00"), 2, RoundingMode::kHalfUp).has_value());
}

TEST(DecimalTest, ShiftRightTurnsPercentIntoFraction) {
    EXPECT_EQ(D("25.5").ShiftRight(2)->ToString(), "0.255");
    EXPECT_EQ(D("0").ShiftRight(2)->ToString(), "0.00");
    EXPECT_EQ(D("8").ShiftRight(2)->ToString(), "0.08");
}

}  // namespace
}  // namespace customsdesk::core

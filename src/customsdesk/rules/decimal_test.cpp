#include "customsdesk/rules/decimal.hpp"

#include <gtest/gtest.h>

namespace customsdesk::rules {
namespace {

Decimal D(const char* s) { return *Decimal::Parse(s); }

TEST(Decimal, ParsesAndPrintsCanonically) {
    EXPECT_EQ(D("1.2300").ToString(), "1.23");
    EXPECT_EQ(D("-0.000123").ToString(), "-0.000123");
    EXPECT_EQ(D("1.23e4").ToString(), "12300");
    EXPECT_EQ(D(".5").ToString(), "0.5");
    EXPECT_EQ(D("-0").ToString(), "0");
    EXPECT_FALSE(Decimal::Parse("1.2.3"));
    EXPECT_FALSE(Decimal::Parse("abc"));
    EXPECT_FALSE(Decimal::Parse("1e"));
}

TEST(Decimal, ExactArithmetic) {
    EXPECT_EQ(Decimal::Add(D("0.1"), D("0.2"))->ToString(), "0.3");
    EXPECT_EQ(Decimal::Mul(D("1.1"), D("1.1"))->ToString(), "1.21");
    EXPECT_EQ(Decimal::Div(D("1"), D("3"))->ToString(), "0.3333333333333333333333333333333333");
    EXPECT_EQ(Decimal::Div(D("2"), D("3"))->ToString(), "0.6666666666666666666666666666666667");
    EXPECT_FALSE(Decimal::Div(D("1"), D("0")));
    EXPECT_EQ(Decimal::Sub(D("1e30"), D("1"))->ToString(), "999999999999999999999999999999");
    // 34 significant digits: adding a tiny amount to a big number rounds half-even.
    EXPECT_EQ(Decimal::Add(D("1e40"), D("1"))->ToString(), "10000000000000000000000000000000000000000");
}

TEST(Decimal, ComparesNumerically) {
    EXPECT_EQ(D("1.0"), D("1"));
    EXPECT_LT(D("0.999"), D("1"));
    EXPECT_LT(D("-2"), D("-1.5"));
    EXPECT_GT(D("1e3"), D("999.99"));
}

TEST(Decimal, Rounds) {
    EXPECT_EQ(D("2.5").Round(0, RoundingMode::kHalfEven)->ToString(), "2");
    EXPECT_EQ(D("2.5").Round(0, RoundingMode::kHalfUp)->ToString(), "3");
    EXPECT_EQ(D("-2.5").Round(0, RoundingMode::kHalfDown)->ToString(), "-2");
    EXPECT_EQ(D("-1.1").Round(0, RoundingMode::kFloor)->ToString(), "-2");
    EXPECT_EQ(D("1.1").Round(0, RoundingMode::kCeiling)->ToString(), "2");
    EXPECT_EQ(D("1234.5678").Round(2, RoundingMode::kHalfEven)->ToString(), "1234.57");
    EXPECT_EQ(D("1234.5678").Round(-2, RoundingMode::kDown)->ToString(), "1200");
}

TEST(Decimal, PowerAndSqrt) {
    EXPECT_EQ(Decimal::PowInt(D("2"), 100)->ToString(), "1267650600228229401496703205376");
    EXPECT_EQ(Decimal::PowInt(D("5"), -2)->ToString(), "0.04");
    EXPECT_EQ(D("16").Sqrt()->ToString(), "4");
    EXPECT_EQ(D("2").Sqrt()->ToString(), "1.414213562373095048801688724209698");
    EXPECT_FALSE(D("-1").Sqrt());
    EXPECT_FALSE(Decimal::PowInt(D("10"), 7000));  // exponent overflow is reported, not wrapped
}

}  // namespace
}  // namespace customsdesk::rules

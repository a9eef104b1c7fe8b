#include "customsdesk/declarations/mrn.hpp"

#include <gtest/gtest.h>

namespace customsdesk::declarations {
namespace {

TEST(Iso6346, LetterValuesSkipMultiplesOfEleven) {
    EXPECT_EQ(Iso6346Value('0'), 0);
    EXPECT_EQ(Iso6346Value('9'), 9);
    EXPECT_EQ(Iso6346Value('A'), 10);
    EXPECT_EQ(Iso6346Value('B'), 12);  // 11 skipped
    EXPECT_EQ(Iso6346Value('K'), 21);
    EXPECT_EQ(Iso6346Value('L'), 23);  // 22 skipped
    EXPECT_EQ(Iso6346Value('U'), 32);
    EXPECT_EQ(Iso6346Value('V'), 34);  // 33 skipped
    EXPECT_EQ(Iso6346Value('Z'), 38);
    EXPECT_EQ(Iso6346Value('a'), -1);
    EXPECT_EQ(Iso6346Value('-'), -1);
}

// The container number of ISO 6346's own example: CSQU 305438 check digit 3.
TEST(Iso6346, ContainerExample) { EXPECT_EQ(Iso6346CheckCharacter("CSQU305438"), '3'); }

// 26FI000000000001: 2*1 + 6*2 + F(16)*4 + I(19)*8 + 1*2^15 = 2 + 12 + 64 + 152 + 32768 = 32998;
// 32998 mod 11 = 9 -> check character 9.
TEST(Mrn, WorkedExample) {
    EXPECT_EQ(Iso6346CheckCharacter("26FI000000000001"), '9');
    EXPECT_EQ(MakeMrn(2026, "FI", 1), "26FI0000000000019");
}

// 26FI000000000015: sum 180454, 180454 mod 11 = 10 -> check character 0.
TEST(Mrn, RemainderTenBecomesZero) {
    EXPECT_EQ(Iso6346CheckCharacter("26FI000000000015"), '0');
    EXPECT_EQ(MakeMrn(2026, "FI", 15), "26FI0000000000150");
}

TEST(Mrn, OtherExamples) {
    // 26FI000000012345: sum 264422, mod 11 = 4.
    EXPECT_EQ(MakeMrn(2026, "FI", 12345), "26FI0000000123454");
    EXPECT_EQ(MakeMrn(2125, "FI", 999999999999), "25FI9999999999990");
}

TEST(Mrn, Validation) {
    EXPECT_TRUE(IsValidMrn("26FI0000000000019"));
    EXPECT_FALSE(IsValidMrn("26FI0000000000018"));  // wrong check character
    EXPECT_FALSE(IsValidMrn("26FI000000000001"));   // too short
    EXPECT_FALSE(IsValidMrn("2XFI0000000000019"));
    EXPECT_FALSE(IsValidMrn("26fi0000000000019"));
    EXPECT_EQ(Iso6346CheckCharacter("26fi"), std::nullopt);
}

}  // namespace
}  // namespace customsdesk::declarations

#include "customsdesk/reference/commodities.hpp"
#include "customsdesk/reference/currencies.hpp"

#include <gtest/gtest.h>

namespace customsdesk::reference {
namespace {

TEST(Commodities, LoadsEveryCn8Code) {
    EXPECT_EQ(CnCodes().size(), 9791u);
    const Commodity* c = FindCnCode("01012100");
    ASSERT_NE(c, nullptr);
    EXPECT_EQ(c->supplementary_unit, "PST");
    EXPECT_EQ(FindCnCode("99999999"), nullptr);
    EXPECT_EQ(FindCnCode("0101"), nullptr);
}

TEST(Commodities, HeadingsIncludeUndividedOnes) {
    EXPECT_TRUE(IsCnHeading("0101"));
    EXPECT_TRUE(IsCnHeading("0409"));  // Natural honey: only a CN8 row upstream
    EXPECT_FALSE(IsCnHeading("0000"));
}

TEST(Currencies, LoadsIso4217) {
    const Currency* eur = FindCurrency("EUR");
    ASSERT_NE(eur, nullptr);
    EXPECT_EQ(eur->numeric, "978");
    EXPECT_EQ(eur->minor_unit, 2);
    ASSERT_NE(FindCurrency("JPY"), nullptr);
    EXPECT_EQ(FindCurrency("JPY")->minor_unit, 0);
    EXPECT_EQ(FindCurrency("XXY"), nullptr);
    EXPECT_EQ(FindCurrency("eur"), nullptr);
}

}  // namespace
}  // namespace customsdesk::reference

#include "customsdesk/reference/countries.hpp"

#include <gtest/gtest.h>

namespace customsdesk::reference {
namespace {

TEST(Countries, ShippedListIsComplete) {
    EXPECT_EQ(Countries().size(), 249u);
    const Country* fi = FindCountry("FI");
    ASSERT_NE(fi, nullptr);
    EXPECT_EQ(fi->name_fi, "Suomi");
    EXPECT_EQ(fi->name_sv, "Finland");
    EXPECT_TRUE(fi->eu_member);
    EXPECT_FALSE(FindCountry("NO")->eu_member);
    EXPECT_EQ(FindCountry("XX"), nullptr);
    EXPECT_EQ(FindCountry("fi"), nullptr);
    int eu = 0;
    for (const auto& c : Countries()) eu += c.eu_member ? 1 : 0;
    EXPECT_EQ(eu, 27);
}

}  // namespace
}  // namespace customsdesk::reference

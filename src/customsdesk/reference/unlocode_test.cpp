#include "customsdesk/reference/unlocode.hpp"

#include <gtest/gtest.h>

namespace customsdesk::reference {
namespace {

TEST(Unlocode, ShippedListIsLoaded) {
    EXPECT_GT(Locations().size(), 52000u);
    const auto* hel = FindLocation("FIHEL");
    ASSERT_NE(hel, nullptr);
    EXPECT_NE(hel->name.find("Helsinki"), std::string::npos);
    ASSERT_NE(FindLocation("FIAAN"), nullptr);
    EXPECT_EQ(FindLocation("FIAAN")->name, "Äänekoski");
    EXPECT_EQ(FindLocation("FIXXX"), nullptr);
    EXPECT_EQ(FindLocation("fihel"), nullptr);  // callers upper-case
    EXPECT_EQ(LocationsOf("FI").size(), 710u);
}

}  // namespace
}  // namespace customsdesk::reference

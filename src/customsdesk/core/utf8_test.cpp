#include "customsdesk/core/utf8.hpp"

#include <gtest/gtest.h>

namespace customsdesk::core {
namespace {

TEST(Utf8, EncodesAndDecodesEveryLength) {
    for (char32_t cp : {U'a', U'ä', U'Å', U'€', U'\U0001F600', char32_t{0x7F}, char32_t{0x80}, char32_t{0x10FFFF}}) {
        std::string s;
        AppendUtf8(s, cp);
        std::size_t i = 0;
        EXPECT_EQ(NextCodePoint(s, i), cp);
        EXPECT_EQ(i, s.size());
    }
}

TEST(Utf8, RejectsMalformed) {
    EXPECT_TRUE(IsValidUtf8("Mäkinen Åland"));
    EXPECT_FALSE(IsValidUtf8("\xC3\x28"));          // bad continuation
    EXPECT_FALSE(IsValidUtf8("\xC0\xAF"));          // overlong '/'
    EXPECT_FALSE(IsValidUtf8("\xED\xA0\x80"));      // surrogate
    EXPECT_FALSE(IsValidUtf8("\xF4\x90\x80\x80"));  // above U+10FFFF
    EXPECT_FALSE(IsValidUtf8("\xE2\x82"));          // truncated
    EXPECT_FALSE(IsValidUtf8("\xFF"));
}

}  // namespace
}  // namespace customsdesk::core

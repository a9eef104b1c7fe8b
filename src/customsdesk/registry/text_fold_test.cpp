// Runs tests/cases/registry/folding.txt: "input<TAB>expected Fold()<TAB>expected Words() joined by |".
#include "customsdesk/registry/text_fold.hpp"

#include <gtest/gtest.h>

#include <fstream>

#include "customsdesk/registry/organisation.hpp"

namespace customsdesk::registry {
namespace {

TEST(TextFold, CasesFromFile) {
    std::ifstream in("tests/cases/registry/folding.tsv");
    ASSERT_TRUE(in) << "run from the source root";
    std::string line;
    int n = 0;
    while (std::getline(in, line)) {
        if (line.empty() || line.starts_with("#")) continue;
        const auto t1 = line.find('\t');
        const auto t2 = line.find('\t', t1 + 1);
        ASSERT_NE(t2, std::string::npos) << line;
        const std::string input = line.substr(0, t1);
        SCOPED_TRACE(input);
        EXPECT_EQ(Fold(input), line.substr(t1 + 1, t2 - t1 - 1));
        std::string words;
        for (const auto& w : Words(input)) words += (words.empty() ? "" : "|") + w;
        EXPECT_EQ(words, line.substr(t2 + 1));
        ++n;
    }
    EXPECT_GE(n, 10);
}

TEST(TextFold, InvalidUtf8IsDropped) {
    EXPECT_EQ(Fold("a\xff" "b\xc3"), "ab");
    EXPECT_EQ(Fold("\xe2\x82"), "");
}

TEST(TextFold, SimilarNames) {
    EXPECT_TRUE(SimilarNames("Mäkinen Huolinta Oy", "Makinen Huolinta"));
    EXPECT_TRUE(SimilarNames("Pohjolan Kuljetus Oy", "Pohjolan Kuljetuss Oy"));
    EXPECT_FALSE(SimilarNames("Pohjolan Kuljetus Oy", "Etelän Kuljetus Oy"));
    EXPECT_FALSE(SimilarNames("Oy", "Ab"));
}

}  // namespace
}  // namespace customsdesk::registry

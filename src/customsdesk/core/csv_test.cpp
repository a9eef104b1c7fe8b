#include "customsdesk/core/csv.hpp"

#include <gtest/gtest.h>

namespace customsdesk::core {
namespace {

std::vector<std::vector<std::string>> All(std::string_view text, std::string* error = nullptr) {
    CsvReader r(text);
    std::vector<std::vector<std::string>> out;
    std::vector<std::string> f;
    while (r.Next(f)) out.push_back(f);
    if (error && r.error()) *error = *r.error();
    return out;
}

TEST(Csv, QuotedFieldsCommasQuotesAndNewlines) {
    auto rows = All("a,b,c\r\n\"x, y\",\"say \"\"hi\"\"\",\"two\nlines\"\n,,\n");
    ASSERT_EQ(rows.size(), 3u);
    EXPECT_EQ(rows[1][0], "x, y");
    EXPECT_EQ(rows[1][1], "say \"hi\"");
    EXPECT_EQ(rows[1][2], "two\nlines");
    EXPECT_EQ(rows[2], (std::vector<std::string>{"", "", ""}));
}

TEST(Csv, BomAndNoFinalNewline) {
    auto rows = All("\xEF\xBB\xBFname\nMäkinen Oy");
    ASSERT_EQ(rows.size(), 2u);
    EXPECT_EQ(rows[0][0], "name");
    EXPECT_EQ(rows[1][0], "Mäkinen Oy");
}

TEST(Csv, LineNumbersCountEmbeddedNewlines) {
    CsvReader r("h\n\"a\nb\"\nc\n");
    std::vector<std::string> f;
    ASSERT_TRUE(r.Next(f));
    EXPECT_EQ(r.line(), 1);
    ASSERT_TRUE(r.Next(f));
    EXPECT_EQ(r.line(), 2);
    ASSERT_TRUE(r.Next(f));
    EXPECT_EQ(r.line(), 4);
}

TEST(Csv, MalformedIsReported) {
    std::string err;
    All("a,b\"c\n", &err);
    EXPECT_NE(err.find("line 1"), std::string::npos);
    err.clear();
    All("a,\"b\"c\n", &err);
    EXPECT_FALSE(err.empty());
    err.clear();
    All("a\n\"open", &err);
    EXPECT_NE(err.find("line 2"), std::string::npos);
}

}  // namespace
}  // namespace customsdesk::core

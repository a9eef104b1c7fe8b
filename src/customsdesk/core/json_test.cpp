#include "customsdesk/core/json.hpp"

#include <gtest/gtest.h>

#include "customsdesk/core/decimal.hpp"

namespace customsdesk::core {
namespace {

TEST(Json, RejectsMalformedAndInvalidUtf8) {
    EXPECT_FALSE(ParseJson("{\"a\":"));
    EXPECT_FALSE(ParseJson("{\"a\":1} x"));
    EXPECT_FALSE(ParseJson(std::string("{\"a\":\"\xff\xfe\"}")));
    EXPECT_FALSE(ParseJsonObject("[1,2]"));
    std::string deep(100, '[');
    deep += std::string(100, ']');
    EXPECT_FALSE(ParseJson(deep));
    EXPECT_TRUE(ParseJsonObject("{\"a\":\"Mäkinen\"}"));
}

TEST(Json, ReaderRecordsPointers) {
    auto obj = ParseJsonObject(R"({"name":5,"tags":["a",1],"ok":true,"extra":1,"a/b":"x"})");
    ASSERT_TRUE(obj);
    FieldErrors errs;
    ObjectReader r(*obj, errs);
    EXPECT_FALSE(r.String("name"));
    EXPECT_FALSE(r.StringArray("tags"));
    EXPECT_EQ(r.Bool("ok"), true);
    EXPECT_FALSE(r.String("missing", true));
    r.RejectUnknown({"name", "tags", "ok", "missing"});
    ASSERT_EQ(errs.errors().size(), 5u);
    EXPECT_EQ(errs.errors()[0].pointer, "/name");
    EXPECT_EQ(errs.errors()[1].pointer, "/tags/1");
    EXPECT_EQ(errs.errors()[2].code, "required");
    EXPECT_EQ(errs.errors()[3].pointer, "/extra");
    EXPECT_EQ(errs.errors()[4].pointer, "/a~1b");
}

TEST(Json, StringsAreTrimmedAndBounded) {
    auto obj = ParseJsonObject(R"({"a":"  x  ","b":"toolong","c":"   "})");
    FieldErrors errs;
    ObjectReader r(*obj, errs);
    EXPECT_EQ(r.String("a"), "x");
    EXPECT_FALSE(r.String("b", false, 3));
    EXPECT_FALSE(r.String("c", true));
    EXPECT_EQ(errs.errors().size(), 2u);
}

}  // namespace
}  // namespace customsdesk::core

#include "customsdesk/core/base64.hpp"

namespace customsdesk::core {
namespace {

TEST(Base64Url, RoundTripsAndRejectsJunk) {
    const std::vector<std::string> samples = {"", "a", "ab", "abc", "abcd", "Mäkinen\x1f" "42", std::string("\0\xff\x10", 3)};
    for (const std::string& s : samples) {
        auto enc = Base64UrlEncode(s);
        EXPECT_EQ(enc.find_first_of("+/="), std::string::npos);
        EXPECT_EQ(Base64UrlDecode(enc), s);
    }
    EXPECT_FALSE(Base64UrlDecode("a"));
    EXPECT_FALSE(Base64UrlDecode("ab+c"));
    EXPECT_FALSE(Base64UrlDecode("ab=="));
}

TEST(Json, AppendJsonStringWritesWhatBoostSerializeWrites) {
    std::vector<std::string> texts = {"", "plain", "Mäkinen Oy", "quote \" back\\slash / slash", "日本 €", "\x7f"};
    for (int c = 0; c < 0x20; ++c) texts.push_back("a" + std::string(1, static_cast<char>(c)) + "b");
    for (const auto& t : texts) {
        std::string out = "x";
        AppendJsonString(out, t);
        EXPECT_EQ(out, "x" + boost::json::serialize(boost::json::string_view(t))) << t;
    }
}

TEST(Json, ObjectWriterWritesWhatBoostSerializeWritesForTheSameMembers) {
    std::string out = "[";
    {
        JsonObjectWriter o(out);
        o.Text("name", "Mäkinen \"Oy\"\n");
        o.TextIfAny("skipped", "");
        o.TextIfAny("kept", "x");
        o.Integer("count", -42);
        o.Bool("yes", true);
        o.Bool("no", false);
        o.Null("none");
        o.Decimal("amount", *Decimal::Parse("12.50"));
        o.DecimalOrNull("maybe", std::optional<Decimal>());
        o.DecimalOrNull("some", Decimal::Parse("0.1"));
        o.DecimalIfAny("absent", std::optional<Decimal>());
        {
            JsonObjectWriter inner(o.Key("inner"));
        }
        o.ObjectArray("rows", std::vector<int>{1, 2}, [](JsonObjectWriter& w, int n) { w.Integer("n", n); });
        o.ObjectArray("empty", std::vector<int>{}, [](JsonObjectWriter& w, int n) { w.Integer("n", n); });
    }
    out += ']';
    const boost::json::object expected{{"name", "Mäkinen \"Oy\"\n"}, {"kept", "x"}, {"count", -42}, {"yes", true},
                                       {"no", false},   {"none", nullptr},  {"amount", "12.50"},
                                       {"maybe", nullptr}, {"some", "0.1"}, {"inner", boost::json::object{}},
                                       {"rows", boost::json::array{{{"n", 1}}, {{"n", 2}}}}, {"empty", boost::json::array{}}};
    EXPECT_EQ(out, "[" + boost::json::serialize(expected) + "]");
}

}  // namespace
}  // namespace customsdesk::core

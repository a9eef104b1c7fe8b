#include <gtest/gtest.h>

#include "customsdesk/core/json.hpp"
#include "customsdesk/history/change_history.hpp"

namespace customsdesk::history {
namespace {

boost::json::object Obj(std::string_view text) { return *core::ParseJsonObject(text); }

TEST(ChangeHistoryDiff, ReportsChangedAddedAndRemovedFields) {
    auto d = Diff(Obj(R"({"name":"A","city":"Oulu","version":1,"gone":"x"})"),
                  Obj(R"({"name":"B","city":"Oulu","version":2,"new":[1]})"), {"version"});
    ASSERT_EQ(d.size(), 3u);
    EXPECT_EQ(d[0].field, "name");
    EXPECT_EQ(d[0].before, boost::json::value("A"));
    EXPECT_EQ(d[0].after, boost::json::value("B"));
    EXPECT_EQ(d[1].field, "new");
    EXPECT_TRUE(d[1].before.is_null());
    EXPECT_EQ(d[2].field, "gone");
    EXPECT_TRUE(d[2].after.is_null());
}

TEST(ChangeHistoryDiff, NoChangeNoEntries) {
    EXPECT_TRUE(Diff(Obj(R"({"a":[1,2]})"), Obj(R"({"a":[1,2]})")).empty());
}

TEST(ChangeHistoryDiff, AllFieldsSkipsNullsAndIgnored) {
    auto d = AllFields(Obj(R"({"a":1,"b":null,"c":"x"})"), false, {"c"});
    ASSERT_EQ(d.size(), 1u);
    EXPECT_EQ(d[0].field, "a");
    EXPECT_TRUE(d[0].before.is_null());
}

}  // namespace
}  // namespace customsdesk::history

// JSON forms of calendars: round trips and field pointers of bad input.
#include <gtest/gtest.h>

#include "customsdesk/core/json.hpp"
#include "customsdesk/sla/json_forms.hpp"

namespace customsdesk::sla {
namespace {

boost::json::value J(std::string_view text) { return core::ParseJson(text).value(); }

TEST(JsonForms, WeeklyHoursRoundTrip) {
    core::FieldErrors errors;
    auto hours = WeeklyHoursFromJson(J(R"({"mon":[{"start":"08:00","end":"11:00"},{"start":"12:00","end":"24:00"}]})"),
                                     errors, "/weekly_hours");
    ASSERT_TRUE(errors.empty());
    EXPECT_EQ(hours[0], (std::vector<OpeningInterval>{{480, 660}, {720, 1440}}));
    EXPECT_TRUE(hours[6].empty());
    EXPECT_EQ(boost::json::serialize(WeeklyHoursToJson(hours)),
              R"({"mon":[{"start":"08:00","end":"11:00"},{"start":"12:00","end":"24:00"}],"tue":[],"wed":[],)"
              R"("thu":[],"fri":[],"sat":[],"sun":[]})");
}

TEST(JsonForms, BadHoursHavePointers) {
    core::FieldErrors errors;
    (void)WeeklyHoursFromJson(J(R"({"mon":[{"start":"8:00","end":"11:00"}],"funday":[],"tue":[{"start":"09:00"}]})"),
                              errors, "/weekly_hours");
    std::vector<std::string> pointers;
    for (const auto& e : errors.errors()) pointers.push_back(e.pointer);
    EXPECT_EQ(pointers, (std::vector<std::string>{"/weekly_hours/mon/0/start", "/weekly_hours/funday",
                                                  "/weekly_hours/tue/0/end"}));
}

TEST(JsonForms, ClosuresRoundTripBothForms) {
    core::FieldErrors errors;
    auto text = R"([{"start":"2026-12-28","end":"2026-12-30","reason":"inventory"},)"
                R"({"start":"2026-06-01T12:00","end":"2026-06-01T16:15","reason":""}])";
    auto closures = ClosuresFromJson(J(text), errors, "/closures");
    ASSERT_TRUE(errors.empty()) << errors.errors().front().pointer;
    ASSERT_EQ(closures.size(), 2u);
    EXPECT_TRUE(closures[0].whole_days);
    EXPECT_EQ(closures[0].end - closures[0].start, std::chrono::hours(72));
    EXPECT_EQ(boost::json::serialize(ClosuresToJson(closures)), boost::json::serialize(J(text)));
}

TEST(JsonForms, ClosureEndingBeforeStart) {
    core::FieldErrors errors;
    (void)ClosuresFromJson(J(R"([{"start":"2026-12-30","end":"2026-12-28"}])"), errors, "/closures");
    ASSERT_EQ(errors.errors().size(), 1u);
    EXPECT_EQ(errors.errors()[0].pointer, "/closures/0/end");
}

TEST(JsonForms, MergePatch) {
    auto target = J(R"({"a":1,"b":{"c":2,"d":3}})").as_object();
    ApplyMergePatch(target, J(R"({"a":null,"b":{"c":5},"e":[1]})").as_object());
    EXPECT_EQ(boost::json::serialize(target), R"({"b":{"c":5,"d":3},"e":[1]})");
}

}  // namespace
}  // namespace customsdesk::sla

// Unit tests of calendar edge cases, validation and evaluation errors (behaviour tables live in
// tests/cases/sla/).
#include <gtest/gtest.h>

#include "customsdesk/sla/calendar.hpp"
#include "customsdesk/sla/evaluation.hpp"
#include "customsdesk/sla/holidays.hpp"

namespace customsdesk::sla {
namespace {

using namespace std::chrono_literals;
using date::operator""_y;

CalendarSpec OfficeSpec() {
    CalendarSpec spec;
    spec.time_zone = "Europe/Helsinki";
    for (int d = 0; d < 5; ++d) spec.weekly_hours[d] = {{8 * 60, 16 * 60 + 15}};
    spec.holiday_rule_set = "FI";
    return spec;
}

BusinessCalendar Office() { return BusinessCalendar::Create(OfficeSpec()).value(); }

Timestamp Local(const BusinessCalendar& cal, const char* text) { return cal.ToUtc(ParseLocalDateTime(text).value()); }

std::vector<std::string> Pointers(const core::Error& e) {
    std::vector<std::string> out;
    for (const auto& f : e.fields) out.push_back(f.pointer);
    return out;
}

TEST(Holidays, EasterKnownDates) {
    EXPECT_EQ(EasterSunday(2024), 2024_y / date::March / 31);
    EXPECT_EQ(EasterSunday(2025), 2025_y / date::April / 20);
    EXPECT_EQ(EasterSunday(2026), 2026_y / date::April / 5);
    EXPECT_EQ(EasterSunday(2027), 2027_y / date::March / 28);
}

TEST(Holidays, FinnishListHasFifteenDaysEveryYear) {
    for (int y = 1900; y <= 2200; ++y) {
        auto list = FinnishHolidays(y);
        ASSERT_EQ(list.size(), 15u) << y;
        EXPECT_TRUE(std::is_sorted(list.begin(), list.end(),
                                   [](const Holiday& a, const Holiday& b) { return a.date < b.date; }));
        for (const auto& h : list) {
            const date::weekday wd{date::sys_days{h.date}};
            date::weekday want = wd;
            if (h.key == "midsummer_eve") want = date::Friday;
            if (h.key == "midsummer_day" || h.key == "all_saints_day") want = date::Saturday;
            if (h.key == "easter_sunday" || h.key == "whitsun") want = date::Sunday;
            if (h.key == "ascension_day") want = date::Thursday;
            EXPECT_EQ(wd, want) << y << " " << h.key;
        }
    }
}

TEST(Holidays, RuleSets) {
    EXPECT_TRUE(HolidaysFor("", 2026).value().empty());
    EXPECT_FALSE(HolidaysFor("SE", 2026).has_value());
    EXPECT_TRUE(IsKnownHolidayRuleSet("FI"));
}

TEST(CalendarValidation, ReportsFieldPointers) {
    CalendarSpec spec = OfficeSpec();
    spec.time_zone = "Mars/Olympus_Mons";
    spec.weekly_hours[1] = {{9 * 60, 8 * 60}};
    spec.weekly_hours[2] = {{8 * 60, 12 * 60}, {11 * 60, 13 * 60}};
    spec.holiday_rule_set = "XX";
    spec.closures = {{ParseLocalDateTime("2026-01-02T10:00").value(), ParseLocalDateTime("2026-01-02T09:00").value(),
                      "", false}};
    auto cal = BusinessCalendar::Create(spec);
    ASSERT_FALSE(cal.has_value());
    EXPECT_EQ(cal.error().code, core::ErrorCode::kInvalidArgument);
    EXPECT_EQ(Pointers(cal.error()),
              (std::vector<std::string>{"/time_zone", "/weekly_hours/tue/0/end", "/weekly_hours/wed/1",
                                        "/holiday_rule_set", "/closures/0/end"}));
}

TEST(CalendarValidation, NeedsSomeOpeningHours) {
    CalendarSpec spec;
    auto cal = BusinessCalendar::Create(spec);
    ASSERT_FALSE(cal.has_value());
    EXPECT_EQ(Pointers(cal.error()), std::vector<std::string>{"/weekly_hours"});
}

TEST(CalendarValidation, TimeZoneDatabaseIsTheSystemOne) {
    // USE_OS_TZDB: zones come from /usr/share/zoneinfo with no download.
    EXPECT_TRUE(BusinessCalendar::Create([] {
                    auto s = OfficeSpec();
                    s.time_zone = "America/St_Johns";
                    return s;
                }())
                    .has_value());
}

TEST(BusinessTime, ZeroAmountIsTheStartEvenWhenClosed) {
    auto cal = Office();
    const auto sat = Local(cal, "2026-01-10T12:00");
    EXPECT_EQ(cal.AddBusinessMinutes(sat, 0), sat);
    EXPECT_EQ(cal.AddBusinessMinutes(sat, -5), sat);
}

TEST(BusinessTime, ExactlyAtOpeningAndClosing) {
    auto cal = Office();
    EXPECT_TRUE(cal.IsOpen(Local(cal, "2026-01-12T08:00")));
    EXPECT_FALSE(cal.IsOpen(Local(cal, "2026-01-12T16:15")));
    EXPECT_EQ(cal.AddBusinessMinutes(Local(cal, "2026-01-12T08:00"), 1), Local(cal, "2026-01-12T08:01"));
    EXPECT_EQ(cal.AddBusinessMinutes(Local(cal, "2026-01-12T16:14"), 1), Local(cal, "2026-01-12T16:15"));
    EXPECT_EQ(cal.AddBusinessMinutes(Local(cal, "2026-01-12T16:15"), 1), Local(cal, "2026-01-13T08:01"));
    EXPECT_EQ(cal.NextOpening(Local(cal, "2026-01-12T16:15")), Local(cal, "2026-01-13T08:00"));
    EXPECT_EQ(cal.NextOpening(Local(cal, "2026-01-12T10:00")), Local(cal, "2026-01-12T10:00"));
}

TEST(BusinessTime, InstantInsideAClosure) {
    auto spec = OfficeSpec();
    spec.closures.push_back({ParseLocalDateTime("2026-01-15T12:00").value(),
                             ParseLocalDateTime("2026-01-15T14:00").value(), "meeting", false});
    auto cal = BusinessCalendar::Create(spec).value();
    const auto inside = Local(cal, "2026-01-15T13:00");
    EXPECT_FALSE(cal.IsOpen(inside));
    EXPECT_EQ(cal.NextOpening(inside), Local(cal, "2026-01-15T14:00"));
    EXPECT_EQ(cal.AddBusinessMinutes(inside, 1), Local(cal, "2026-01-15T14:01"));
    EXPECT_EQ(cal.BusinessMinutesBetween(inside, Local(cal, "2026-01-15T14:00")), 0);
}

TEST(BusinessTime, SecondsArePreserved) {
    auto cal = Office();
    const auto t = Local(cal, "2026-01-12T16:14") + 30s;
    EXPECT_EQ(cal.AddBusinessMinutes(t, 1), Local(cal, "2026-01-13T08:00") + 30s);
    EXPECT_EQ(cal.BusinessTimeBetween(t, Local(cal, "2026-01-12T16:15")), 30s);
}

TEST(BusinessTime, RoundTripAddThenMeasure) {
    auto cal = Office();
    auto start = Local(cal, "2026-03-20T13:37");
    for (std::int64_t m : {0, 1, 38, 495, 496, 990, 5000, 20000}) {
        auto due = cal.AddBusinessMinutes(start, m).value();
        EXPECT_EQ(cal.BusinessMinutesBetween(start, due), m) << m;
    }
}

TEST(BusinessTime, GivesUpWhenClosedForDecades) {
    auto spec = OfficeSpec();
    spec.closures.push_back(Closure::Days(2026_y / 1 / 1, 2060_y / 1 / 1, "forever"));
    auto cal = BusinessCalendar::Create(spec).value();
    EXPECT_EQ(cal.AddBusinessMinutes(Local(cal, "2026-01-12T10:00"), 1), std::nullopt);
    EXPECT_EQ(cal.NextOpening(Local(cal, "2026-01-12T10:00")), std::nullopt);
}

TEST(BusinessTime, MidnightIntervalsMerge) {
    CalendarSpec spec;
    spec.time_zone = "UTC";
    for (auto& d : spec.weekly_hours) d = {{0, kMinutesPerDay}};
    auto cal = BusinessCalendar::Create(spec).value();
    auto from = Local(cal, "2026-01-12T20:00");
    auto ivs = cal.OpenIntervals(from, Local(cal, "2026-01-14T04:00"));
    ASSERT_EQ(ivs.size(), 1u);
    EXPECT_EQ(ivs[0].end - ivs[0].start, 32h);
}

TEST(Parsing, ClockAndDates) {
    EXPECT_EQ(ParseClockMinutes("08:15"), 495);
    EXPECT_EQ(ParseClockMinutes("24:00"), 1440);
    EXPECT_EQ(ParseClockMinutes("24:01"), std::nullopt);
    EXPECT_EQ(ParseClockMinutes("8:15"), std::nullopt);
    EXPECT_EQ(ParseIsoDate("2026-02-30"), std::nullopt);
    EXPECT_EQ(FormatClockMinutes(495), "08:15");
    EXPECT_EQ(FormatLocalDateTime(ParseLocalDateTime("2026-06-19T12:30").value()), "2026-06-19T12:30");
    EXPECT_EQ(ParseLocalDateTime("2026-06-19 12:30"), std::nullopt);
}

TEST(Evaluation, RejectsBadTimelines) {
    auto cal = Office();
    SlaTargets targets{60, 120, 990, {}};
    const auto t = Local(cal, "2026-01-12T10:00");
    std::vector<SlaEvent> no_created{{t, EventKind::kAgentReply, ""}};
    auto r = EvaluateSla(cal, targets, no_created, t);
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(Pointers(r.error()), std::vector<std::string>{"/events/0"});
    std::vector<SlaEvent> bad_status{{t, EventKind::kCreated, ""}, {t, EventKind::kStatusChanged, "sleeping"}};
    EXPECT_FALSE(EvaluateSla(cal, targets, bad_status, t).has_value());
    std::vector<SlaEvent> ok{{t, EventKind::kCreated, ""}};
    EXPECT_FALSE(EvaluateSla(cal, targets, ok, t - 1min).has_value()) << "created after now";
}

TEST(Evaluation, ValidatesTargets) {
    SlaTargets t{-1, 10, kMaxTargetMinutes + 1, {WarningThreshold::Kind::kPercentOfTarget, 0}};
    auto r = ValidateTargets(t);
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(Pointers(r.error()),
              (std::vector<std::string>{"/first_response_minutes", "/resolution_minutes", "/warning/value"}));
}

TEST(Evaluation, NoTargetsMeansNotApplicable) {
    auto cal = Office();
    const auto t = Local(cal, "2026-01-12T10:00");
    std::vector<SlaEvent> events{{t, EventKind::kCreated, ""}};
    auto r = EvaluateSla(cal, SlaTargets{}, events, t + 1h).value();
    EXPECT_EQ(r.first_response.state, SlaState::kNotApplicable);
    EXPECT_EQ(r.resolution.state, SlaState::kNotApplicable);
    EXPECT_EQ(r.next_check, std::nullopt);
}

TEST(Evaluation, EventsAreSortedByTime) {
    auto cal = Office();
    const auto t = Local(cal, "2026-01-12T10:00");
    std::vector<SlaEvent> events{{t + 30min, EventKind::kAgentReply, ""}, {t, EventKind::kCreated, ""}};
    auto r = EvaluateSla(cal, SlaTargets{60, {}, {}, {}}, events, t + 2h).value();
    EXPECT_EQ(r.first_response.state, SlaState::kMet);
    EXPECT_EQ(r.first_response.completed_at, t + 30min);
}

}  // namespace
}  // namespace customsdesk::sla

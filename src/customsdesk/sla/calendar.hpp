// Business calendars and business-time arithmetic (pure: no clock reads, no I/O beyond the
// operating system's time-zone database that date/tz reads from /usr/share/zoneinfo).
//
// A calendar is an IANA time zone, weekly opening hours (any number of intervals per weekday, in
// local wall-clock time), public holidays (a computed rule set such as "FI" plus extra dates) and
// one-off closures (local wall-clock ranges). All arithmetic is done on UTC instants
// (core::Timestamp); each local day's opening intervals are converted to UTC with that day's offset,
// so a day on which daylight saving time starts or ends is handled exactly (e.g. a 24-hour calendar
// has 23 business hours on the last Sunday of March in Europe/Helsinki).
//
// Rules (docs/sla.md):
//   * Opening intervals are half-open [start, end) minutes after local midnight, 0 <= start < end <= 1440;
//     intervals of one weekday must not overlap. A local time that does not exist (spring-forward gap)
//     maps to the instant of the transition; an ambiguous one (fall-back) opens at the earlier and
//     closes at the later instant.
//   * A holiday (rule set or extra date) closes the whole local day. A closure closes [start, end)
//     local wall-clock time; a whole-day closure from day A to day B (inclusive) is
//     Closure::Days(A, B).
//   * AddBusinessTime(t, d) is the earliest instant u >= t such that the open time in [t, u) equals d;
//     so adding 0 returns t itself, and a target that ends exactly at closing time is due at closing
//     time, not at the next opening.
//   * BusinessTimeBetween(a, b) is the open time in [a, b) (zero when b <= a).
//
// Ownership/thread-safety: a BusinessCalendar is an immutable value (copyable); all const members
// are safe to call concurrently. The time_zone pointer refers to date/tz's process-wide database.
#pragma once

#include <date/date.h>
#include <date/tz.h>

#include <array>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "customsdesk/core/clock.hpp"
#include "customsdesk/core/error.hpp"
#include "customsdesk/sla/holidays.hpp"

namespace customsdesk::sla {

using core::Timestamp;
using BusinessDuration = std::chrono::microseconds;

inline constexpr int kMinutesPerDay = 24 * 60;
// Searches for open time give up after this many days (a calendar closed for 20 years).
inline constexpr int kMaxSearchDays = 366 * 20;
inline constexpr std::size_t kMaxIntervalsPerDay = 8;
inline constexpr std::size_t kMaxExtraHolidays = 1000;
inline constexpr std::size_t kMaxClosures = 1000;

// [start_minute, end_minute) minutes after local midnight.
struct OpeningInterval {
    int start_minute = 0;
    int end_minute = 0;
    friend bool operator==(const OpeningInterval&, const OpeningInterval&) = default;
};

// Index 0 = Monday ... 6 = Sunday (ISO weekday - 1).
using WeeklyHours = std::array<std::vector<OpeningInterval>, 7>;

// Weekday keys used in JSON and case files, index as in WeeklyHours: "mon".."sun".
inline constexpr std::array<std::string_view, 7> kWeekdayKeys{"mon", "tue", "wed", "thu", "fri", "sat", "sun"};

// Closed over [start, end) local wall-clock time of the calendar's zone.
struct Closure {
    date::local_seconds start;
    date::local_seconds end;
    std::string reason;
    bool whole_days = false;  // written as dates (inclusive) rather than date-times

    // Closed from the start of `first` to the end of `last` (inclusive).
    static Closure Days(date::year_month_day first, date::year_month_day last, std::string reason = {});
    friend bool operator==(const Closure&, const Closure&) = default;
};

struct CalendarSpec {
    std::string time_zone = "Europe/Helsinki";  // IANA name, e.g. "Europe/Helsinki", "CET"
    WeeklyHours weekly_hours;
    std::string holiday_rule_set;                       // "FI" or "" (none)
    std::vector<date::year_month_day> extra_holidays;  // closed all day
    std::vector<Closure> closures;
    friend bool operator==(const CalendarSpec&, const CalendarSpec&) = default;
};

// Checks a spec; field errors carry JSON pointers of the JSON form (docs/sla.md):
// /time_zone, /weekly_hours/mon/0/end, /holiday_rule_set, /extra_holidays/3, /closures/1/end.
core::Result<void> ValidateCalendarSpec(const CalendarSpec& spec);

// A UTC half-open interval.
struct Interval {
    Timestamp start;
    Timestamp end;
    friend bool operator==(const Interval&, const Interval&) = default;
};

class BusinessCalendar {
public:
    // Validates (ValidateCalendarSpec) and resolves the time zone.
    static core::Result<BusinessCalendar> Create(CalendarSpec spec);

    [[nodiscard]] const CalendarSpec& spec() const { return spec_; }
    [[nodiscard]] const date::time_zone& zone() const { return *zone_; }

    // Holidays of the rule set plus the extra dates (key "extra") in `year`, sorted by date.
    [[nodiscard]] std::vector<Holiday> HolidaysInYear(int year) const;
    [[nodiscard]] bool IsHoliday(date::year_month_day day) const;

    // Open UTC intervals of one local day (after holidays and closures), sorted, non-overlapping.
    [[nodiscard]] std::vector<Interval> OpenIntervalsOn(date::local_days day) const;
    // Open UTC intervals intersecting [from, to), clipped to it; adjacent intervals are merged.
    [[nodiscard]] std::vector<Interval> OpenIntervals(Timestamp from, Timestamp to) const;

    [[nodiscard]] bool IsOpen(Timestamp t) const;
    // `t` if open, else the next opening; nullopt if none within kMaxSearchDays.
    [[nodiscard]] std::optional<Timestamp> NextOpening(Timestamp t) const;

    // The earliest instant u >= from with BusinessTimeBetween(from, u) == amount; a negative amount
    // counts as zero; nullopt if the calendar has not that much open time within kMaxSearchDays.
    [[nodiscard]] std::optional<Timestamp> AddBusinessTime(Timestamp from, BusinessDuration amount) const;
    [[nodiscard]] std::optional<Timestamp> AddBusinessMinutes(Timestamp from, std::int64_t minutes) const {
        return AddBusinessTime(from, std::chrono::minutes(minutes));
    }
    // Open time in [from, to); zero when to <= from.
    [[nodiscard]] BusinessDuration BusinessTimeBetween(Timestamp from, Timestamp to) const;
    // Whole business minutes in [from, to) (rounded down).
    [[nodiscard]] std::int64_t BusinessMinutesBetween(Timestamp from, Timestamp to) const {
        return std::chrono::floor<std::chrono::minutes>(BusinessTimeBetween(from, to)).count();
    }

    // Local wall-clock helpers of the calendar's zone.
    [[nodiscard]] date::local_days LocalDay(Timestamp t) const;
    // Local time to UTC: a non-existent time maps to the transition, an ambiguous one to the earlier
    // instant (or the later one with `latest`).
    [[nodiscard]] Timestamp ToUtc(date::local_seconds local, bool latest = false) const;

private:
    BusinessCalendar(CalendarSpec spec, const date::time_zone* zone) : spec_(std::move(spec)), zone_(zone) {}

    CalendarSpec spec_;
    const date::time_zone* zone_ = nullptr;
    std::vector<Interval> closures_utc_;  // sorted by start
};

// "08:15" -> 495; "24:00" -> 1440 (as an end). nullopt if malformed.
std::optional<int> ParseClockMinutes(std::string_view text);
std::string FormatClockMinutes(int minutes);
// "2026-06-19" (strict).
std::optional<date::year_month_day> ParseIsoDate(std::string_view text);
std::string FormatIsoDate(date::year_month_day day);
// "2026-06-19T12:30" or "2026-06-19T12:30:15" (local wall-clock, no offset).
std::optional<date::local_seconds> ParseLocalDateTime(std::string_view text);
std::string FormatLocalDateTime(date::local_seconds t);

}  // namespace customsdesk::sla

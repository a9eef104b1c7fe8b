#include "customsdesk/sla/calendar.hpp"

#include <algorithm>
#include <charconv>
#include <set>
#include <stdexcept>

#include <fmt/format.h>

namespace customsdesk::sla {

namespace {

using std::chrono::duration_cast;
using std::chrono::microseconds;

bool ParseInt(std::string_view text, int& out) {
    if (text.empty()) return false;
    for (char c : text)
        if (c < '0' || c > '9') return false;
    auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
    return ec == std::errc{} && p == text.data() + text.size();
}

std::size_t WeekdayIndex(date::local_days day) {
    return static_cast<std::size_t>(date::weekday{day}.iso_encoding() - 1);
}

// Subtracts the sorted `cuts` from the sorted, disjoint `in`.
std::vector<Interval> Subtract(const std::vector<Interval>& in, const std::vector<Interval>& cuts) {
    std::vector<Interval> out;
    for (Interval piece : in) {
        for (const auto& cut : cuts) {
            if (cut.end <= piece.start || cut.start >= piece.end) continue;
            if (cut.start > piece.start) out.push_back({piece.start, cut.start});
            piece.start = std::max(piece.start, cut.end);
            if (piece.start >= piece.end) break;
        }
        if (piece.start < piece.end) out.push_back(piece);
    }
    return out;
}

// Per-call cache of one year's holidays (holiday rules are cheap but not free).
class HolidayCache {
public:
    explicit HolidayCache(const BusinessCalendar& calendar) : calendar_(calendar) {}
    bool IsHoliday(date::year_month_day day) {
        const int year = static_cast<int>(day.year());
        if (year != year_) {
            year_ = year;
            days_.clear();
            for (const auto& h : calendar_.HolidaysInYear(year)) days_.insert(date::sys_days{h.date});
        }
        return days_.contains(date::sys_days{day});
    }

private:
    const BusinessCalendar& calendar_;
    int year_ = -1;
    std::set<date::sys_days> days_;
};

}  // namespace

Closure Closure::Days(date::year_month_day first, date::year_month_day last, std::string reason) {
    return {date::local_days{first}, date::local_days{last} + date::days{1}, std::move(reason), true};
}

core::Result<void> ValidateCalendarSpec(const CalendarSpec& spec) {
    core::FieldErrors errors;
    if (spec.time_zone.empty()) {
        errors.Add("/time_zone", "required", "A time zone is required.");
    } else {
        try {
            (void)date::locate_zone(spec.time_zone);
        } catch (const std::exception&) {
            errors.Add("/time_zone", "unknown_time_zone",
                       fmt::format("'{}' is not an IANA time zone known to this system.", spec.time_zone));
        }
    }
    bool any_open = false;
    for (std::size_t d = 0; d < spec.weekly_hours.size(); ++d) {
        const auto& day = spec.weekly_hours[d];
        const std::string base = fmt::format("/weekly_hours/{}", kWeekdayKeys[d]);
        if (!day.empty()) any_open = true;  // an invalid interval is reported as such, not as "no hours"
        if (day.size() > kMaxIntervalsPerDay) {
            errors.Add(base, "too_many", fmt::format("At most {} intervals per day.", kMaxIntervalsPerDay));
            continue;
        }
        std::vector<OpeningInterval> sorted;
        for (std::size_t i = 0; i < day.size(); ++i) {
            const auto& iv = day[i];
            const std::string p = fmt::format("{}/{}", base, i);
            if (iv.start_minute < 0 || iv.start_minute >= kMinutesPerDay) {
                errors.Add(p + "/start", "out_of_range", "The start must be between 00:00 and 23:59.");
                continue;
            }
            if (iv.end_minute <= iv.start_minute || iv.end_minute > kMinutesPerDay) {
                errors.Add(p + "/end", "before_start", "The end must be after the start and at most 24:00.");
                continue;
            }
            for (const auto& other : sorted) {
                if (iv.start_minute < other.end_minute && other.start_minute < iv.end_minute) {
                    errors.Add(p, "overlap", "Opening intervals of one day must not overlap.");
                    break;
                }
            }
            sorted.push_back(iv);
        }
    }
    if (!any_open) errors.Add("/weekly_hours", "empty", "At least one weekday needs opening hours.");
    if (!IsKnownHolidayRuleSet(spec.holiday_rule_set))
        errors.Add("/holiday_rule_set", "unknown_rule_set",
                   fmt::format("Unknown holiday rule set '{}' (known: FI, or empty for none).", spec.holiday_rule_set));
    if (spec.extra_holidays.size() > kMaxExtraHolidays)
        errors.Add("/extra_holidays", "too_many", fmt::format("At most {} extra holidays.", kMaxExtraHolidays));
    for (std::size_t i = 0; i < spec.extra_holidays.size() && i < kMaxExtraHolidays; ++i) {
        const auto& d = spec.extra_holidays[i];
        if (!d.ok() || static_cast<int>(d.year()) < kMinHolidayYear || static_cast<int>(d.year()) > kMaxHolidayYear)
            errors.Add(fmt::format("/extra_holidays/{}", i), "invalid_date", "Not a valid date.");
    }
    if (spec.closures.size() > kMaxClosures)
        errors.Add("/closures", "too_many", fmt::format("At most {} closures.", kMaxClosures));
    for (std::size_t i = 0; i < spec.closures.size() && i < kMaxClosures; ++i) {
        const auto& c = spec.closures[i];
        if (c.end <= c.start)
            errors.Add(fmt::format("/closures/{}/end", i), "before_start", "A closure must end after it starts.");
    }
    return errors.ToResult("The calendar has invalid fields.");
}

core::Result<BusinessCalendar> BusinessCalendar::Create(CalendarSpec spec) {
    if (auto ok = ValidateCalendarSpec(spec); !ok) return core::Fail(ok.error());
    const date::time_zone* zone = date::locate_zone(spec.time_zone);
    for (auto& day : spec.weekly_hours)
        std::sort(day.begin(), day.end(),
                  [](const OpeningInterval& l, const OpeningInterval& r) { return l.start_minute < r.start_minute; });
    BusinessCalendar cal(std::move(spec), zone);
    for (const auto& c : cal.spec_.closures) cal.closures_utc_.push_back({cal.ToUtc(c.start), cal.ToUtc(c.end, true)});
    std::sort(cal.closures_utc_.begin(), cal.closures_utc_.end(),
              [](const Interval& l, const Interval& r) { return l.start < r.start; });
    return cal;
}

Timestamp BusinessCalendar::ToUtc(date::local_seconds local, bool latest) const {
    const auto info = zone_->get_info(local);
    switch (info.result) {
        case date::local_info::unique:
            return Timestamp{duration_cast<microseconds>(local.time_since_epoch() - info.first.offset)};
        case date::local_info::nonexistent:
            // In the gap: the transition instant (the end of the first period).
            return Timestamp{duration_cast<microseconds>(info.first.end.time_since_epoch())};
        case date::local_info::ambiguous:
        default: {
            const auto offset = latest ? info.second.offset : info.first.offset;
            return Timestamp{duration_cast<microseconds>(local.time_since_epoch() - offset)};
        }
    }
}

date::local_days BusinessCalendar::LocalDay(Timestamp t) const {
    return date::floor<date::days>(zone_->to_local(t));
}

std::vector<Holiday> BusinessCalendar::HolidaysInYear(int year) const {
    std::vector<Holiday> out;
    if (year < kMinHolidayYear || year > kMaxHolidayYear) return out;
    if (auto rules = HolidaysFor(spec_.holiday_rule_set, year)) out = std::move(*rules);
    for (const auto& d : spec_.extra_holidays)
        if (static_cast<int>(d.year()) == year) out.push_back({d, "extra", "Lisävapaapäivä", "Extra holiday"});
    std::stable_sort(out.begin(), out.end(), [](const Holiday& l, const Holiday& r) { return l.date < r.date; });
    return out;
}

bool BusinessCalendar::IsHoliday(date::year_month_day day) const {
    for (const auto& h : HolidaysInYear(static_cast<int>(day.year())))
        if (h.date == day) return true;
    return false;
}

namespace {

std::vector<Interval> DayIntervals(const BusinessCalendar& cal, const std::vector<Interval>& closures,
                                   date::local_days day, HolidayCache& holidays) {
    const auto& hours = cal.spec().weekly_hours[WeekdayIndex(day)];
    if (hours.empty() || holidays.IsHoliday(date::year_month_day{day})) return {};
    std::vector<Interval> raw;
    for (const auto& iv : hours) {
        const Timestamp s = cal.ToUtc(day + std::chrono::minutes(iv.start_minute));
        const Timestamp e = cal.ToUtc(day + std::chrono::minutes(iv.end_minute), true);
        if (s < e) {
            if (!raw.empty() && raw.back().end >= s)
                raw.back().end = std::max(raw.back().end, e);
            else
                raw.push_back({s, e});
        }
    }
    if (closures.empty() || raw.empty()) return raw;
    std::vector<Interval> relevant;
    for (const auto& c : closures) {
        if (c.start >= raw.back().end) break;
        if (c.end > raw.front().start) relevant.push_back(c);
    }
    return Subtract(raw, relevant);
}

}  // namespace

std::vector<Interval> BusinessCalendar::OpenIntervalsOn(date::local_days day) const {
    HolidayCache cache(*this);
    return DayIntervals(*this, closures_utc_, day, cache);
}

std::vector<Interval> BusinessCalendar::OpenIntervals(Timestamp from, Timestamp to) const {
    std::vector<Interval> out;
    if (to <= from) return out;
    HolidayCache cache(*this);
    const auto last = LocalDay(to);
    for (auto day = LocalDay(from); day <= last; day += date::days{1}) {
        for (auto iv : DayIntervals(*this, closures_utc_, day, cache)) {
            iv.start = std::max(iv.start, from);
            iv.end = std::min(iv.end, to);
            if (iv.start >= iv.end) continue;
            if (!out.empty() && out.back().end >= iv.start)
                out.back().end = std::max(out.back().end, iv.end);
            else
                out.push_back(iv);
        }
    }
    return out;
}

bool BusinessCalendar::IsOpen(Timestamp t) const {
    for (const auto& iv : OpenIntervalsOn(LocalDay(t)))
        if (iv.start <= t && t < iv.end) return true;
    return false;
}

std::optional<Timestamp> BusinessCalendar::NextOpening(Timestamp t) const {
    HolidayCache cache(*this);
    const auto first = LocalDay(t);
    for (int i = 0; i <= kMaxSearchDays; ++i) {
        for (const auto& iv : DayIntervals(*this, closures_utc_, first + date::days{i}, cache)) {
            if (iv.end <= t) continue;
            return std::max(iv.start, t);
        }
    }
    return std::nullopt;
}

std::optional<Timestamp> BusinessCalendar::AddBusinessTime(Timestamp from, BusinessDuration amount) const {
    if (amount <= BusinessDuration::zero()) return from;
    BusinessDuration remaining = amount;
    HolidayCache cache(*this);
    const auto first = LocalDay(from);
    for (int i = 0; i <= kMaxSearchDays; ++i) {
        for (const auto& iv : DayIntervals(*this, closures_utc_, first + date::days{i}, cache)) {
            if (iv.end <= from) continue;
            const Timestamp s = std::max(iv.start, from);
            const BusinessDuration available = iv.end - s;
            if (available >= remaining) return s + remaining;
            remaining -= available;
        }
    }
    return std::nullopt;
}

BusinessDuration BusinessCalendar::BusinessTimeBetween(Timestamp from, Timestamp to) const {
    BusinessDuration total{0};
    for (const auto& iv : OpenIntervals(from, to)) total += iv.end - iv.start;
    return total;
}

std::optional<int> ParseClockMinutes(std::string_view text) {
    if (text.size() != 5 || text[2] != ':') return std::nullopt;
    int h = 0;
    int m = 0;
    if (!ParseInt(text.substr(0, 2), h) || !ParseInt(text.substr(3, 2), m)) return std::nullopt;
    if (m > 59 || h > 24 || (h == 24 && m != 0)) return std::nullopt;
    return h * 60 + m;
}

std::string FormatClockMinutes(int minutes) { return fmt::format("{:02}:{:02}", minutes / 60, minutes % 60); }

std::optional<date::year_month_day> ParseIsoDate(std::string_view text) {
    if (text.size() != 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
    int y = 0;
    int m = 0;
    int d = 0;
    if (!ParseInt(text.substr(0, 4), y) || !ParseInt(text.substr(5, 2), m) || !ParseInt(text.substr(8, 2), d))
        return std::nullopt;
    const date::year_month_day ymd{date::year{y}, date::month{static_cast<unsigned>(m)},
                                   date::day{static_cast<unsigned>(d)}};
    if (!ymd.ok()) return std::nullopt;
    return ymd;
}

std::string FormatIsoDate(date::year_month_day day) {
    return fmt::format("{:04}-{:02}-{:02}", static_cast<int>(day.year()), static_cast<unsigned>(day.month()),
                       static_cast<unsigned>(day.day()));
}

std::optional<date::local_seconds> ParseLocalDateTime(std::string_view text) {
    if (text.size() != 16 && text.size() != 19) return std::nullopt;
    if (text[10] != 'T') return std::nullopt;
    auto day = ParseIsoDate(text.substr(0, 10));
    if (!day) return std::nullopt;
    auto hm = ParseClockMinutes(text.substr(11, 5));
    if (!hm || *hm >= kMinutesPerDay) return std::nullopt;
    int sec = 0;
    if (text.size() == 19) {
        if (text[16] != ':' || !ParseInt(text.substr(17, 2), sec) || sec > 59) return std::nullopt;
    }
    return date::local_days{*day} + std::chrono::minutes(*hm) + std::chrono::seconds(sec);
}

std::string FormatLocalDateTime(date::local_seconds t) {
    const auto day = date::floor<date::days>(t);
    const auto secs = (t - day).count();
    const auto s = secs % 60;
    std::string out = fmt::format("{}T{:02}:{:02}", FormatIsoDate(date::year_month_day{day}), secs / 3600, (secs / 60) % 60);
    if (s != 0) out += fmt::format(":{:02}", s);
    return out;
}

}  // namespace customsdesk::sla

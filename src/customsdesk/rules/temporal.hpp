// Calendar and clock arithmetic for FEEL temporal values: ISO 8601 parsing and formatting of dates,
// times, dates and times and durations; civil-date conversions; time-zone offsets by IANA id.
//
// Pure functions. Zone offsets come from the operating system's tz database through Howard Hinnant's
// date/tz library (read-only, loaded once, thread-safe after that); no clock is ever read here.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "customsdesk/rules/value.hpp"

namespace customsdesk::rules {

constexpr int64_t kNanosPerSecond = 1'000'000'000;
constexpr int64_t kSecondsPerDay = 86'400;
constexpr int64_t kMaxYear = 999'999'999;

int64_t DaysFromCivil(int64_t y, int64_t m, int64_t d);
void CivilFromDays(int64_t days, int64_t& y, int64_t& m, int64_t& d);
bool IsValidCivil(int64_t y, int64_t m, int64_t d);
int64_t DaysInMonth(int64_t y, int64_t m);

std::optional<Date> ParseDate(std::string_view text);
std::optional<Time> ParseTime(std::string_view text);
// Accepts "YYYY-MM-DDThh:mm:ss[.f][zone]" and a bare date (midnight, local).
std::optional<DateTime> ParseDateTime(std::string_view text);
// "P1Y2M" -> years and months duration; "P1DT2H3M4.5S" -> days and time duration; null otherwise.
Value ParseDuration(std::string_view text);
// The `@"..."` literal: whichever of date, time, date and time, duration the text is; null otherwise.
Value ParseTemporalLiteral(std::string_view text);

std::string FormatDate(const Date& d);
std::string FormatTime(const Time& t);
std::string FormatDateTime(const DateTime& t);
std::string FormatDtDuration(const DtDuration& d);
std::string FormatYmDuration(const YmDuration& d);
std::string FormatZone(const Zone& z);

bool IsKnownZone(std::string_view zone_id);
// Offset (seconds east of UTC) of `zone_id` at the given local wall time; nullopt for unknown zones.
std::optional<int32_t> ZoneOffsetAt(const std::string& zone_id, int64_t local_seconds);
// Effective offset of a zoned value at a local wall time; nullopt when the value is local (no zone).
std::optional<int32_t> EffectiveOffset(const Zone& z, int64_t local_seconds);
// UTC instant in nanoseconds for a date and time with a zone or offset; nullopt for local values.
std::optional<Int128> InstantNanos(const DateTime& t);
// Nanoseconds since 1970-01-01T00:00 local wall time (ignoring any zone).
Int128 LocalNanos(const DateTime& t);

}  // namespace customsdesk::rules

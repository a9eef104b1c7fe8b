// JSON forms of calendars and SLA targets (pure): the shapes stored in sla_calendars /
// sla_policies and exchanged over the API (docs/sla.md). Readers record every problem in a
// core::FieldErrors with an RFC 6901 pointer below `base` and return what they could read.
// Thread-safety: free functions over values.
#pragma once

#include <boost/json.hpp>

#include <optional>
#include <string>

#include "customsdesk/core/error.hpp"
#include "customsdesk/sla/calendar.hpp"
#include "customsdesk/sla/evaluation.hpp"

namespace customsdesk::sla {

// {"mon": [{"start": "08:00", "end": "16:15"}], ..., "sun": []} (missing days are closed).
WeeklyHours WeeklyHoursFromJson(const boost::json::value& v, core::FieldErrors& errors, const std::string& base);
boost::json::object WeeklyHoursToJson(const WeeklyHours& hours);

// ["2026-01-16", ...]
std::vector<date::year_month_day> DatesFromJson(const boost::json::value& v, core::FieldErrors& errors,
                                                const std::string& base);
boost::json::array DatesToJson(const std::vector<date::year_month_day>& days);

// [{"start": "2026-12-28", "end": "2026-12-30", "reason": ""}]           whole days, inclusive, or
// [{"start": "2026-06-01T12:00", "end": "2026-06-01T16:15", "reason": ""}] local date-times, end exclusive.
std::vector<Closure> ClosuresFromJson(const boost::json::value& v, core::FieldErrors& errors, const std::string& base);
boost::json::array ClosuresToJson(const std::vector<Closure>& closures);

// {"kind": "percent"|"minutes_before", "value": N}
std::optional<WarningThreshold> WarningFromJson(const boost::json::value& v, core::FieldErrors& errors,
                                                const std::string& base);
boost::json::object WarningToJson(const WarningThreshold& w);
std::string_view WarningKindName(WarningThreshold::Kind kind);  // "percent" | "minutes_before"
std::optional<WarningThreshold::Kind> ParseWarningKind(std::string_view name);

// RFC 7396 merge patch of `patch` onto `target`.
void ApplyMergePatch(boost::json::object& target, const boost::json::object& patch);

}  // namespace customsdesk::sla

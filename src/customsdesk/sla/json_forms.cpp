#include "customsdesk/sla/json_forms.hpp"

#include <fmt/format.h>

#include "customsdesk/core/json.hpp"

namespace customsdesk::sla {

namespace {

constexpr std::size_t kMaxReasonLength = 200;

const boost::json::string* StringAt(const boost::json::value& v, core::FieldErrors& errors, const std::string& p) {
    if (!v.is_string()) {
        errors.Add(p, "type", "Expected a string.");
        return nullptr;
    }
    return &v.as_string();
}

}  // namespace

WeeklyHours WeeklyHoursFromJson(const boost::json::value& v, core::FieldErrors& errors, const std::string& base) {
    WeeklyHours out;
    if (!v.is_object()) {
        errors.Add(base, "type", "Expected an object with the weekdays mon..sun.");
        return out;
    }
    for (const auto& kv : v.as_object()) {
        std::size_t day = kWeekdayKeys.size();
        for (std::size_t i = 0; i < kWeekdayKeys.size(); ++i)
            if (kWeekdayKeys[i] == std::string_view(kv.key())) day = i;
        const std::string p = base + "/" + core::JsonPointerEscape(kv.key());
        if (day == kWeekdayKeys.size()) {
            errors.Add(p, "unknown_field", "Weekdays are mon, tue, wed, thu, fri, sat, sun.");
            continue;
        }
        if (!kv.value().is_array()) {
            errors.Add(p, "type", "Expected an array of {start, end} intervals.");
            continue;
        }
        const auto& arr = kv.value().as_array();
        if (arr.size() > kMaxIntervalsPerDay) {
            errors.Add(p, "too_many", fmt::format("At most {} intervals per day.", kMaxIntervalsPerDay));
            continue;
        }
        for (std::size_t i = 0; i < arr.size(); ++i) {
            const std::string ip = fmt::format("{}/{}", p, i);
            if (!arr[i].is_object()) {
                errors.Add(ip, "type", "Expected {\"start\": \"HH:MM\", \"end\": \"HH:MM\"}.");
                continue;
            }
            const auto& o = arr[i].as_object();
            std::optional<int> start;
            std::optional<int> end;
            for (const auto& m : o) {
                if (m.key() != "start" && m.key() != "end")
                    errors.Add(ip + "/" + core::JsonPointerEscape(m.key()), "unknown_field", "Unknown member.");
            }
            for (const char* key : {"start", "end"}) {
                const std::string mp = ip + "/" + key;
                const auto* val = o.if_contains(key);
                if (val == nullptr) {
                    errors.Add(mp, "required", "Required.");
                    continue;
                }
                const auto* s = StringAt(*val, errors, mp);
                if (s == nullptr) continue;
                auto minutes = ParseClockMinutes(std::string_view(*s));
                if (!minutes) {
                    errors.Add(mp, "format", "Expected a time HH:MM (00:00-24:00).");
                    continue;
                }
                (std::string_view(key) == "start" ? start : end) = *minutes;
            }
            if (start && end) out[day].push_back({*start, *end});
            else out[day].push_back({-1, -1});  // keeps indexes aligned; errors already recorded
        }
    }
    // Drop placeholders of malformed intervals (their errors are recorded).
    for (auto& day : out) std::erase_if(day, [](const OpeningInterval& iv) { return iv.start_minute < 0; });
    return out;
}

boost::json::object WeeklyHoursToJson(const WeeklyHours& hours) {
    boost::json::object out;
    for (std::size_t d = 0; d < hours.size(); ++d) {
        boost::json::array arr;
        for (const auto& iv : hours[d])
            arr.push_back({{"start", FormatClockMinutes(iv.start_minute)}, {"end", FormatClockMinutes(iv.end_minute)}});
        out[kWeekdayKeys[d]] = std::move(arr);
    }
    return out;
}

std::vector<date::year_month_day> DatesFromJson(const boost::json::value& v, core::FieldErrors& errors,
                                                const std::string& base) {
    std::vector<date::year_month_day> out;
    if (!v.is_array()) {
        errors.Add(base, "type", "Expected an array of dates YYYY-MM-DD.");
        return out;
    }
    const auto& arr = v.as_array();
    if (arr.size() > kMaxExtraHolidays) {
        errors.Add(base, "too_many", fmt::format("At most {} dates.", kMaxExtraHolidays));
        return out;
    }
    for (std::size_t i = 0; i < arr.size(); ++i) {
        const std::string p = fmt::format("{}/{}", base, i);
        const auto* s = StringAt(arr[i], errors, p);
        if (s == nullptr) continue;
        auto d = ParseIsoDate(std::string_view(*s));
        if (!d) errors.Add(p, "format", "Expected a date YYYY-MM-DD.");
        else out.push_back(*d);
    }
    return out;
}

boost::json::array DatesToJson(const std::vector<date::year_month_day>& days) {
    boost::json::array out;
    for (const auto& d : days) out.push_back(boost::json::string(FormatIsoDate(d)));
    return out;
}

std::vector<Closure> ClosuresFromJson(const boost::json::value& v, core::FieldErrors& errors, const std::string& base) {
    std::vector<Closure> out;
    if (!v.is_array()) {
        errors.Add(base, "type", "Expected an array of {start, end, reason}.");
        return out;
    }
    const auto& arr = v.as_array();
    if (arr.size() > kMaxClosures) {
        errors.Add(base, "too_many", fmt::format("At most {} closures.", kMaxClosures));
        return out;
    }
    for (std::size_t i = 0; i < arr.size(); ++i) {
        const std::string p = fmt::format("{}/{}", base, i);
        if (!arr[i].is_object()) {
            errors.Add(p, "type", "Expected {\"start\", \"end\", \"reason\"}.");
            continue;
        }
        const auto& o = arr[i].as_object();
        for (const auto& m : o)
            if (m.key() != "start" && m.key() != "end" && m.key() != "reason")
                errors.Add(p + "/" + core::JsonPointerEscape(m.key()), "unknown_field", "Unknown member.");
        std::string texts[2];
        bool ok = true;
        for (int k = 0; k < 2; ++k) {
            const char* key = k == 0 ? "start" : "end";
            const auto* val = o.if_contains(key);
            if (val == nullptr) {
                errors.Add(p + "/" + key, "required", "Required.");
                ok = false;
                continue;
            }
            const auto* s = StringAt(*val, errors, p + "/" + key);
            if (s == nullptr) ok = false;
            else texts[k] = std::string(*s);
        }
        std::string reason;
        if (const auto* r = o.if_contains("reason")) {
            const auto* s = StringAt(*r, errors, p + "/reason");
            if (s != nullptr && s->size() > kMaxReasonLength) errors.Add(p + "/reason", "too_long", "At most 200 bytes.");
            else if (s != nullptr) reason = std::string(*s);
        }
        if (!ok) continue;
        if (texts[0].size() == 10) {
            auto a = ParseIsoDate(texts[0]);
            auto z = ParseIsoDate(texts[1]);
            if (!a) errors.Add(p + "/start", "format", "Expected a date YYYY-MM-DD or a local date-time YYYY-MM-DDTHH:MM.");
            if (!z) errors.Add(p + "/end", "format", "Expected a date YYYY-MM-DD (the same form as start).");
            if (a && z) {
                if (date::sys_days{*z} < date::sys_days{*a})
                    errors.Add(p + "/end", "before_start", "A closure must not end before it starts.");
                else
                    out.push_back(Closure::Days(*a, *z, reason));
            }
        } else {
            auto a = ParseLocalDateTime(texts[0]);
            auto z = ParseLocalDateTime(texts[1]);
            if (!a) errors.Add(p + "/start", "format", "Expected a date YYYY-MM-DD or a local date-time YYYY-MM-DDTHH:MM.");
            if (!z) errors.Add(p + "/end", "format", "Expected a local date-time YYYY-MM-DDTHH:MM (the same form as start).");
            if (a && z) {
                if (*z <= *a) errors.Add(p + "/end", "before_start", "A closure must end after it starts.");
                else out.push_back({*a, *z, reason, false});
            }
        }
    }
    return out;
}

boost::json::array ClosuresToJson(const std::vector<Closure>& closures) {
    boost::json::array out;
    for (const auto& c : closures) {
        boost::json::object o;
        if (c.whole_days) {
            o["start"] = FormatIsoDate(date::year_month_day{date::floor<date::days>(c.start)});
            o["end"] = FormatIsoDate(date::year_month_day{date::floor<date::days>(c.end) - date::days{1}});
        } else {
            o["start"] = FormatLocalDateTime(c.start);
            o["end"] = FormatLocalDateTime(c.end);
        }
        o["reason"] = c.reason;
        out.push_back(std::move(o));
    }
    return out;
}

std::string_view WarningKindName(WarningThreshold::Kind kind) {
    return kind == WarningThreshold::Kind::kPercentOfTarget ? "percent" : "minutes_before";
}

std::optional<WarningThreshold::Kind> ParseWarningKind(std::string_view name) {
    if (name == "percent") return WarningThreshold::Kind::kPercentOfTarget;
    if (name == "minutes_before") return WarningThreshold::Kind::kMinutesBeforeDue;
    return std::nullopt;
}

std::optional<WarningThreshold> WarningFromJson(const boost::json::value& v, core::FieldErrors& errors,
                                                const std::string& base) {
    if (!v.is_object()) {
        errors.Add(base, "type", "Expected {\"kind\": \"percent\"|\"minutes_before\", \"value\": N}.");
        return std::nullopt;
    }
    const auto& o = v.as_object();
    for (const auto& m : o)
        if (m.key() != "kind" && m.key() != "value")
            errors.Add(base + "/" + core::JsonPointerEscape(m.key()), "unknown_field", "Unknown member.");
    WarningThreshold w;
    bool ok = true;
    const auto* kind = o.if_contains("kind");
    if (kind == nullptr || !kind->is_string() || !ParseWarningKind(std::string_view(kind->as_string()))) {
        errors.Add(base + "/kind", kind == nullptr ? "required" : "invalid", "Expected \"percent\" or \"minutes_before\".");
        ok = false;
    } else {
        w.kind = *ParseWarningKind(std::string_view(kind->as_string()));
    }
    const auto* value = o.if_contains("value");
    if (value == nullptr || !value->is_int64()) {
        errors.Add(base + "/value", value == nullptr ? "required" : "type", "Expected an integer.");
        ok = false;
    } else {
        w.value = value->as_int64();
    }
    if (!ok) return std::nullopt;
    return w;
}

boost::json::object WarningToJson(const WarningThreshold& w) {
    return {{"kind", WarningKindName(w.kind)}, {"value", w.value}};
}

void ApplyMergePatch(boost::json::object& target, const boost::json::object& patch) {
    for (const auto& kv : patch) {
        if (kv.value().is_null()) {
            target.erase(kv.key());
        } else if (kv.value().is_object()) {
            auto* existing = target.if_contains(kv.key());
            if (existing == nullptr || !existing->is_object()) target[kv.key()] = boost::json::object{};
            ApplyMergePatch(target[kv.key()].as_object(), kv.value().as_object());
        } else {
            target[kv.key()] = kv.value();
        }
    }
}

}  // namespace customsdesk::sla

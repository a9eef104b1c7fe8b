#include "customsdesk/rules/temporal.hpp"

#include <date/tz.h>

#include <cstdio>
#include <mutex>
#include <set>

namespace customsdesk::rules {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// Reads exactly n digits at s[i]; advances i.
bool ReadDigits(std::string_view s, size_t& i, size_t n, int64_t& out) {
    if (i + n > s.size()) return false;
    int64_t v = 0;
    for (size_t k = 0; k < n; ++k) {
        if (!IsDigit(s[i + k])) return false;
        v = v * 10 + (s[i + k] - '0');
    }
    i += n;
    out = v;
    return true;
}

bool ParseDatePart(std::string_view s, size_t& i, int64_t& y, int64_t& m, int64_t& d) {
    bool neg = false;
    if (i < s.size() && s[i] == '-') {
        neg = true;
        ++i;
    }
    size_t start = i;
    while (i < s.size() && IsDigit(s[i])) ++i;
    size_t ylen = i - start;
    if (ylen < 4 || ylen > 9) return false;
    if (ylen > 4 && s[start] == '0') return false;
    y = 0;
    for (size_t k = start; k < i; ++k) y = y * 10 + (s[k] - '0');
    if (neg) y = -y;
    if (i >= s.size() || s[i] != '-') return false;
    ++i;
    if (!ReadDigits(s, i, 2, m)) return false;
    if (i >= s.size() || s[i] != '-') return false;
    ++i;
    if (!ReadDigits(s, i, 2, d)) return false;
    return IsValidCivil(y, m, d);
}

// hh:mm:ss[.fffffffff] -> nanos since midnight.
bool ParseClock(std::string_view s, size_t& i, int64_t& nanos) {
    int64_t h = 0, mi = 0, se = 0;
    if (!ReadDigits(s, i, 2, h)) return false;
    if (i >= s.size() || s[i] != ':') return false;
    ++i;
    if (!ReadDigits(s, i, 2, mi)) return false;
    if (i >= s.size() || s[i] != ':') return false;
    ++i;
    if (!ReadDigits(s, i, 2, se)) return false;
    int64_t frac = 0;
    if (i < s.size() && s[i] == '.') {
        ++i;
        size_t start = i;
        int64_t scale = 100'000'000;
        while (i < s.size() && IsDigit(s[i])) {
            if (scale > 0) {
                frac += (s[i] - '0') * scale;
                scale /= 10;
            }
            ++i;
        }
        if (i == start) return false;
    }
    if (h > 24 || mi > 59 || se > 59) return false;
    if (h == 24 && (mi != 0 || se != 0 || frac != 0)) return false;
    nanos = ((h * 60 + mi) * 60 + se) * kNanosPerSecond + frac;
    return true;
}

bool ParseZoneSuffix(std::string_view s, size_t& i, Zone& z) {
    if (i == s.size()) return true;
    if (s[i] == 'Z' || s[i] == 'z') {
        ++i;
        z.has_offset = true;
        z.offset_seconds = 0;
        return i == s.size();
    }
    if (s[i] == '+' || s[i] == '-') {
        int sign = s[i] == '-' ? -1 : 1;
        ++i;
        int64_t hh = 0, mm = 0, ss = 0;
        if (!ReadDigits(s, i, 2, hh)) return false;
        if (i >= s.size() || s[i] != ':') return false;
        ++i;
        if (!ReadDigits(s, i, 2, mm)) return false;
        if (i < s.size() && s[i] == ':') {
            ++i;
            if (!ReadDigits(s, i, 2, ss)) return false;
        }
        if (hh > 14 || mm > 59) return false;
        z.has_offset = true;
        z.offset_seconds = static_cast<int32_t>(sign * (hh * 3600 + mm * 60 + ss));
        return i == s.size();
    }
    if (s[i] == '@') {
        std::string_view id = s.substr(i + 1);
        if (!IsKnownZone(id)) return false;
        z.zone = InternZone(id);
        i = s.size();
        return true;
    }
    return false;
}

std::string Pad2(int64_t v) {
    char b[32];
    std::snprintf(b, sizeof b, "%02lld", static_cast<long long>(v));
    return b;
}

std::string FracNanos(int64_t nanos) {
    if (nanos == 0) return "";
    char b[32];
    std::snprintf(b, sizeof b, "%09lld", static_cast<long long>(nanos));
    std::string f = b;
    while (!f.empty() && f.back() == '0') f.pop_back();
    return "." + f;
}

std::string FormatClock(int64_t nanos_of_day) {
    int64_t secs = nanos_of_day / kNanosPerSecond;
    return Pad2(secs / 3600) + ":" + Pad2(secs / 60 % 60) + ":" + Pad2(secs % 60) +
           FracNanos(nanos_of_day % kNanosPerSecond);
}

}  // namespace

int64_t DaysFromCivil(int64_t y, int64_t m, int64_t d) {
    y -= m <= 2 ? 1 : 0;
    const int64_t era = (y >= 0 ? y : y - 399) / 400;
    const int64_t yoe = y - era * 400;
    const int64_t mp = (m + 9) % 12;
    const int64_t doy = (153 * mp + 2) / 5 + d - 1;
    const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

void CivilFromDays(int64_t z, int64_t& y, int64_t& m, int64_t& d) {
    z += 719468;
    const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const int64_t doe = z - era * 146097;
    const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const int64_t mp = (5 * doy + 2) / 153;
    d = doy - (153 * mp + 2) / 5 + 1;
    m = mp < 10 ? mp + 3 : mp - 9;
    y = yoe + era * 400 + (m <= 2 ? 1 : 0);
}

int64_t DaysInMonth(int64_t y, int64_t m) {
    static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m == 2) {
        bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
        return leap ? 29 : 28;
    }
    return kDays[m - 1];
}

bool IsValidCivil(int64_t y, int64_t m, int64_t d) {
    if (y < -kMaxYear || y > kMaxYear) return false;
    if (m < 1 || m > 12) return false;
    return d >= 1 && d <= DaysInMonth(y, m);
}

std::optional<Date> ParseDate(std::string_view s) {
    size_t i = 0;
    int64_t y = 0, m = 0, d = 0;
    if (!ParseDatePart(s, i, y, m, d) || i != s.size()) return std::nullopt;
    return Date{DaysFromCivil(y, m, d)};
}

std::optional<Time> ParseTime(std::string_view s) {
    size_t i = 0;
    Time t;
    if (!ParseClock(s, i, t.nanos)) return std::nullopt;
    if (!ParseZoneSuffix(s, i, t.zone)) return std::nullopt;
    if (t.nanos == kSecondsPerDay * kNanosPerSecond) t.nanos = 0;
    return t;
}

std::optional<DateTime> ParseDateTime(std::string_view s) {
    size_t i = 0;
    int64_t y = 0, m = 0, d = 0;
    if (!ParseDatePart(s, i, y, m, d)) return std::nullopt;
    DateTime t;
    int64_t days = DaysFromCivil(y, m, d);
    if (i == s.size()) {
        t.local_seconds = days * kSecondsPerDay;
        return t;
    }
    if (s[i] != 'T') return std::nullopt;
    ++i;
    int64_t nanos = 0;
    if (!ParseClock(s, i, nanos)) return std::nullopt;
    if (!ParseZoneSuffix(s, i, t.zone)) return std::nullopt;
    t.local_seconds = days * kSecondsPerDay + nanos / kNanosPerSecond;
    t.nanos = static_cast<int32_t>(nanos % kNanosPerSecond);
    return t;
}

Value ParseDuration(std::string_view s) {
    size_t i = 0;
    bool neg = false;
    if (i < s.size() && s[i] == '-') {
        neg = true;
        ++i;
    }
    if (i >= s.size() || s[i] != 'P') return {};
    ++i;
    bool in_time = false, any = false, ym = false, dt = false;
    int64_t years = 0, months = 0;
    Int128 nanos = 0;
    char last_unit = 0;
    static constexpr std::string_view kDateOrder = "YMD", kTimeOrder = "HMS";
    while (i < s.size()) {
        if (s[i] == 'T') {
            if (in_time) return {};
            in_time = true;
            last_unit = 0;
            ++i;
            if (i == s.size()) return {};
            continue;
        }
        size_t start = i;
        int64_t whole = 0;
        while (i < s.size() && IsDigit(s[i])) {
            if (whole > 999'999'999'999LL) return {};
            whole = whole * 10 + (s[i] - '0');
            ++i;
        }
        if (i == start) return {};
        int64_t frac = 0;
        bool has_frac = false;
        if (i < s.size() && s[i] == '.') {
            has_frac = true;
            ++i;
            int64_t scale = 100'000'000;
            size_t fs = i;
            while (i < s.size() && IsDigit(s[i])) {
                if (scale > 0) {
                    frac += (s[i] - '0') * scale;
                    scale /= 10;
                }
                ++i;
            }
            if (i == fs) return {};
        }
        if (i >= s.size()) return {};
        char unit = s[i++];
        std::string_view order = in_time ? kTimeOrder : kDateOrder;
        size_t pos = order.find(unit);
        if (pos == std::string_view::npos) return {};
        if (last_unit != 0 && pos <= order.find(last_unit)) return {};
        last_unit = unit;
        if (has_frac && !(in_time && unit == 'S')) return {};
        any = true;
        if (!in_time && unit == 'Y') {
            years = whole;
            ym = true;
        } else if (!in_time && unit == 'M') {
            months = whole;
            ym = true;
        } else if (!in_time && unit == 'D') {
            nanos += Int128(whole) * kSecondsPerDay * kNanosPerSecond;
            dt = true;
        } else if (unit == 'H') {
            nanos += Int128(whole) * 3600 * kNanosPerSecond;
            dt = true;
        } else if (unit == 'M') {
            nanos += Int128(whole) * 60 * kNanosPerSecond;
            dt = true;
        } else {
            nanos += Int128(whole) * kNanosPerSecond + frac;
            dt = true;
        }
    }
    if (!any || (ym && dt)) return {};
    if (ym) return Value(YmDuration{(neg ? -1 : 1) * (years * 12 + months)});
    return Value(DtDuration{neg ? -nanos : nanos});
}

Value ParseTemporalLiteral(std::string_view s) {
    if (!s.empty() && (s[0] == 'P' || (s.size() > 1 && s[0] == '-' && s[1] == 'P'))) return ParseDuration(s);
    if (s.find('T') != std::string_view::npos) {
        if (auto dt = ParseDateTime(s)) return Value(*dt);
        return {};
    }
    if (s.size() >= 3 && s[2] == ':') {
        if (auto t = ParseTime(s)) return Value(*t);
        return {};
    }
    if (auto d = ParseDate(s)) return Value(*d);
    return {};
}

std::string FormatDate(const Date& dd) {
    int64_t y = 0, m = 0, d = 0;
    CivilFromDays(dd.days, y, m, d);
    char b[40];
    if (y < 0) {
        std::snprintf(b, sizeof b, "-%04lld-%02lld-%02lld", static_cast<long long>(-y), static_cast<long long>(m),
                      static_cast<long long>(d));
    } else {
        std::snprintf(b, sizeof b, "%04lld-%02lld-%02lld", static_cast<long long>(y), static_cast<long long>(m),
                      static_cast<long long>(d));
    }
    return b;
}

std::string FormatZone(const Zone& z) {
    if (z.zone != nullptr) return "@" + *z.zone;
    if (!z.has_offset) return "";
    if (z.offset_seconds == 0) return "Z";
    int32_t o = z.offset_seconds;
    std::string sign = o < 0 ? "-" : "+";
    if (o < 0) o = -o;
    std::string out = sign + Pad2(o / 3600) + ":" + Pad2(o / 60 % 60);
    if (o % 60 != 0) out += ":" + Pad2(o % 60);
    return out;
}

std::string FormatTime(const Time& t) { return FormatClock(t.nanos) + FormatZone(t.zone); }

std::string FormatDateTime(const DateTime& t) {
    int64_t days = t.local_seconds >= 0 ? t.local_seconds / kSecondsPerDay
                                        : -((-t.local_seconds + kSecondsPerDay - 1) / kSecondsPerDay);
    int64_t secs = t.local_seconds - days * kSecondsPerDay;
    return FormatDate(Date{days}) + "T" + FormatClock(secs * kNanosPerSecond + t.nanos) + FormatZone(t.zone);
}

std::string FormatDtDuration(const DtDuration& d) {
    Int128 n = d.nanos;
    bool neg = n < 0;
    if (neg) n = -n;
    int64_t frac = static_cast<int64_t>(n % kNanosPerSecond);
    Int128 secs = n / kNanosPerSecond;
    int64_t days = static_cast<int64_t>(secs / kSecondsPerDay);
    int64_t rem = static_cast<int64_t>(secs % kSecondsPerDay);
    int64_t h = rem / 3600, m = rem / 60 % 60, s = rem % 60;
    std::string out = neg ? "-P" : "P";
    if (days != 0) out += std::to_string(days) + "D";
    if (h != 0 || m != 0 || s != 0 || frac != 0) {
        out += "T";
        if (h != 0) out += std::to_string(h) + "H";
        if (m != 0) out += std::to_string(m) + "M";
        if (s != 0 || frac != 0) out += std::to_string(s) + FracNanos(frac) + "S";
    }
    if (out == "P" || out == "-P") return "PT0S";
    return out;
}

std::string FormatYmDuration(const YmDuration& d) {
    int64_t m = d.months;
    bool neg = m < 0;
    if (neg) m = -m;
    std::string out = neg ? "-P" : "P";
    if (m / 12 != 0) out += std::to_string(m / 12) + "Y";
    if (m % 12 != 0 || m == 0) out += std::to_string(m % 12) + "M";
    if (m == 0) return "P0M";
    return out;
}

bool IsKnownZone(std::string_view id) {
    if (id.empty() || id.size() > 64) return false;
    try {
        return date::locate_zone(id) != nullptr;
    } catch (const std::exception&) {
        return false;
    }
}

std::optional<int32_t> ZoneOffsetAt(const std::string& id, int64_t local_seconds) {
    try {
        const date::time_zone* tz = date::locate_zone(id);
        date::local_seconds lt{std::chrono::seconds(local_seconds)};
        auto info = tz->get_info(lt);
        auto off = info.first.offset;
        return static_cast<int32_t>(off.count());
    } catch (const std::exception&) {
        return std::nullopt;
    }
}

std::optional<int32_t> EffectiveOffset(const Zone& z, int64_t local_seconds) {
    if (z.has_offset) return z.offset_seconds;
    if (z.zone != nullptr) return ZoneOffsetAt(*z.zone, local_seconds);
    return std::nullopt;
}

Int128 LocalNanos(const DateTime& t) { return Int128(t.local_seconds) * kNanosPerSecond + t.nanos; }

std::optional<Int128> InstantNanos(const DateTime& t) {
    auto off = EffectiveOffset(t.zone, t.local_seconds);
    if (!off) return std::nullopt;
    return LocalNanos(t) - Int128(*off) * kNanosPerSecond;
}

const std::string* InternZone(std::string_view zone_id) {
    static std::mutex mu;
    static std::set<std::string, std::less<>> zones;
    std::lock_guard lock(mu);
    auto it = zones.find(zone_id);
    if (it == zones.end()) it = zones.emplace(zone_id).first;
    return &*it;
}

}  // namespace customsdesk::rules

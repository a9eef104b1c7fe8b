#include "customsdesk/core/clock.hpp"

#include <date/date.h>

namespace customsdesk::core {
namespace {

// Reads exactly `n` digits at `pos` into `out`; false if any is not a digit.
bool Digits(std::string_view s, std::size_t pos, std::size_t n, int& out) {
    if (pos + n > s.size()) return false;
    out = 0;
    for (std::size_t i = pos; i < pos + n; ++i) {
        if (s[i] < '0' || s[i] > '9') return false;
        out = out * 10 + (s[i] - '0');
    }
    return true;
}

}  // namespace

Timestamp SystemClock::Now() const {
    return std::chrono::time_point_cast<std::chrono::microseconds>(std::chrono::system_clock::now());
}

// Same text as date::format("%FT%TZ", t) (tested against it), without a stream per call: this
// runs several times for every stored row.
std::string FormatTimestamp(Timestamp t) {
    const auto day = std::chrono::floor<std::chrono::days>(t);
    const std::chrono::year_month_day ymd{day};
    const std::int64_t us = (t - day).count();  // in [0, 86400 * 10^6)
    const int year = static_cast<int>(ymd.year());
    if (year < 0 || year > 9999) return date::format("%FT%TZ", t);
    const auto secs = us / 1000000;
    const auto frac = us % 1000000;
    char buf[32];
    auto put = [&buf](std::size_t pos, std::int64_t v, std::size_t width) {
        for (std::size_t i = width; i-- > 0; v /= 10) buf[pos + i] = static_cast<char>('0' + v % 10);
    };
    put(0, year, 4);
    buf[4] = '-';
    put(5, static_cast<unsigned>(ymd.month()), 2);
    buf[7] = '-';
    put(8, static_cast<unsigned>(ymd.day()), 2);
    buf[10] = 'T';
    put(11, secs / 3600, 2);
    buf[13] = ':';
    put(14, secs / 60 % 60, 2);
    buf[16] = ':';
    put(17, secs % 60, 2);
    buf[19] = '.';
    put(20, frac, 6);
    buf[26] = 'Z';
    return std::string(buf, 27);
}

std::optional<Timestamp> ParseTimestamp(std::string_view s) {
    // YYYY-MM-DDTHH:MM:SS[.ffffff](Z|+HH:MM|-HH:MM)
    int y, mo, d, h, mi, sec;
    if (s.size() < 20 || s.size() > 40) return std::nullopt;
    if (!Digits(s, 0, 4, y) || s[4] != '-' || !Digits(s, 5, 2, mo) || s[7] != '-' || !Digits(s, 8, 2, d) ||
        (s[10] != 'T' && s[10] != 't' && s[10] != ' ') || !Digits(s, 11, 2, h) || s[13] != ':' ||
        !Digits(s, 14, 2, mi) || s[16] != ':' || !Digits(s, 17, 2, sec)) {
        return std::nullopt;
    }
    if (h > 23 || mi > 59 || sec > 59) return std::nullopt;
    const std::chrono::year_month_day ymd{std::chrono::year(y), std::chrono::month(static_cast<unsigned>(mo)),
                                         std::chrono::day(static_cast<unsigned>(d))};
    if (!ymd.ok()) return std::nullopt;
    std::size_t pos = 19;
    long long micros = 0;
    if (pos < s.size() && s[pos] == '.') {
        ++pos;
        int digits = 0;
        while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
            if (digits < 6) micros = micros * 10 + (s[pos] - '0');
            ++digits;
            ++pos;
        }
        if (digits == 0 || digits > 9) return std::nullopt;
        for (int i = digits; i < 6; ++i) micros *= 10;
    }
    std::chrono::minutes offset{0};
    if (pos < s.size() && (s[pos] == 'Z' || s[pos] == 'z')) {
        ++pos;
    } else if (pos < s.size() && (s[pos] == '+' || s[pos] == '-')) {
        int oh, om;
        if (!Digits(s, pos + 1, 2, oh) || pos + 3 >= s.size() || s[pos + 3] != ':' || !Digits(s, pos + 4, 2, om) ||
            oh > 23 || om > 59) {
            return std::nullopt;
        }
        offset = std::chrono::hours(oh) + std::chrono::minutes(om);
        if (s[pos] == '-') offset = -offset;
        pos += 6;
    } else {
        return std::nullopt;
    }
    if (pos != s.size()) return std::nullopt;
    const auto local = std::chrono::sys_days(ymd) + std::chrono::hours(h) + std::chrono::minutes(mi) +
                       std::chrono::seconds(sec) + std::chrono::microseconds(micros);
    return Timestamp(local - offset);
}

}  // namespace customsdesk::core

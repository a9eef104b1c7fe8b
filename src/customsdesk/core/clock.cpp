#include "customsdesk/core/clock.hpp"

#include <date/date.h>

#include <sstream>

namespace customsdesk::core {

Timestamp SystemClock::Now() const {
    return std::chrono::time_point_cast<std::chrono::microseconds>(std::chrono::system_clock::now());
}

std::string FormatTimestamp(Timestamp t) { return date::format("%FT%TZ", t); }

std::optional<Timestamp> ParseTimestamp(std::string_view text) {
    if (text.size() < 20 || text.size() > 40) return std::nullopt;
    std::string s(text);
    std::istringstream in(s);
    Timestamp t;
    if (s.back() == 'Z' || s.back() == 'z') {
        in >> date::parse("%FT%T", t);
        if (in.fail()) return std::nullopt;
        char z = 0;
        in >> z;
        if ((z != 'Z' && z != 'z') || in.peek() != std::char_traits<char>::eof()) return std::nullopt;
        return t;
    }
    in >> date::parse("%FT%T%Ez", t);
    if (in.fail() || in.peek() != std::char_traits<char>::eof()) return std::nullopt;
    return t;
}

}  // namespace customsdesk::core

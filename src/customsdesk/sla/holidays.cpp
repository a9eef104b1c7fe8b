#include "customsdesk/sla/holidays.hpp"

#include <algorithm>

namespace customsdesk::sla {

using namespace date::literals;

date::year_month_day EasterSunday(int year) {
    // Anonymous Gregorian algorithm (Meeus/Jones/Butcher).
    const int a = year % 19;
    const int b = year / 100;
    const int c = year % 100;
    const int d = b / 4;
    const int e = b % 4;
    const int f = (b + 8) / 25;
    const int g = (b - f + 1) / 3;
    const int h = (19 * a + b - d - g + 15) % 30;
    const int i = c / 4;
    const int k = c % 4;
    const int l = (32 + 2 * e + 2 * i - h - k) % 7;
    const int m = (a + 11 * h + 22 * l) / 451;
    const int month = (h + l - 7 * m + 114) / 31;
    const int day = ((h + l - 7 * m + 114) % 31) + 1;
    return date::year{year} / date::month{static_cast<unsigned>(month)} / date::day{static_cast<unsigned>(day)};
}

namespace {

date::year_month_day Shift(date::year_month_day d, int days) {
    return date::year_month_day{date::sys_days{d} + date::days{days}};
}

// The first `weekday` on or after `from`.
date::year_month_day OnOrAfter(date::year_month_day from, date::weekday weekday) {
    const date::sys_days start{from};
    return date::year_month_day{start + (weekday - date::weekday{start})};
}

}  // namespace

std::vector<Holiday> FinnishHolidays(int year) {
    const date::year y{year};
    const auto easter = EasterSunday(year);
    std::vector<Holiday> out{
        {y / date::January / 1, "new_year", "Uudenvuodenpäivä", "New Year's Day"},
        {y / date::January / 6, "epiphany", "Loppiainen", "Epiphany"},
        {Shift(easter, -2), "good_friday", "Pitkäperjantai", "Good Friday"},
        {easter, "easter_sunday", "Pääsiäispäivä", "Easter Sunday"},
        {Shift(easter, 1), "easter_monday", "2. pääsiäispäivä", "Easter Monday"},
        {y / date::May / 1, "may_day", "Vappu", "May Day"},
        {Shift(easter, 39), "ascension_day", "Helatorstai", "Ascension Day"},
        {Shift(easter, 49), "whitsun", "Helluntaipäivä", "Whitsun"},
        {OnOrAfter(y / date::June / 19, date::Friday), "midsummer_eve", "Juhannusaatto", "Midsummer Eve"},
        {OnOrAfter(y / date::June / 20, date::Saturday), "midsummer_day", "Juhannuspäivä", "Midsummer Day"},
        {OnOrAfter(y / date::October / 31, date::Saturday), "all_saints_day", "Pyhäinpäivä", "All Saints' Day"},
        {y / date::December / 6, "independence_day", "Itsenäisyyspäivä", "Independence Day"},
        {y / date::December / 24, "christmas_eve", "Jouluaatto", "Christmas Eve"},
        {y / date::December / 25, "christmas_day", "Joulupäivä", "Christmas Day"},
        {y / date::December / 26, "boxing_day", "Tapaninpäivä", "Boxing Day"},
    };
    std::stable_sort(out.begin(), out.end(), [](const Holiday& l, const Holiday& r) { return l.date < r.date; });
    return out;
}

bool IsKnownHolidayRuleSet(std::string_view rule_set) { return rule_set.empty() || rule_set == "FI"; }

std::vector<std::string> KnownHolidayRuleSets() { return {"FI"}; }

std::optional<std::vector<Holiday>> HolidaysFor(std::string_view rule_set, int year) {
    if (rule_set.empty()) return std::vector<Holiday>{};
    if (rule_set == "FI") return FinnishHolidays(year);
    return std::nullopt;
}

}  // namespace customsdesk::sla

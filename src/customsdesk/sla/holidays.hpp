// Public holidays computed by rule, for any year (pure: no clock, no I/O).
//
// A holiday rule set is named by a short code ("FI" = Finland). `HolidaysFor` lists the holidays of
// one year in date order. Finnish holidays (Finnish Holidays Act / Church Act): New Year's Day,
// Epiphany (6 Jan), Good Friday, Easter Sunday, Easter Monday, May Day, Ascension Day (Easter + 39),
// Whitsun (Pentecost Sunday, Easter + 49), Midsummer Eve (the Friday between 19 and 25 June),
// Midsummer Day (the Saturday between 20 and 26 June), All Saints' Day (the Saturday between
// 31 October and 6 November), Independence Day (6 Dec), Christmas Eve, Christmas Day, Boxing Day.
// Easter is the Gregorian computus (anonymous Gregorian algorithm), valid for years 1583..9999.
// Thread-safety: free functions over values.
#pragma once

#include <date/date.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace customsdesk::sla {

struct Holiday {
    date::year_month_day date;
    std::string key;      // stable token, e.g. "easter_monday"
    std::string name_fi;  // "2. pääsiäispäivä"
    std::string name_en;  // "Easter Monday"

    friend bool operator==(const Holiday&, const Holiday&) = default;
};

inline constexpr int kMinHolidayYear = 1583;
inline constexpr int kMaxHolidayYear = 9999;

// Easter Sunday of a Gregorian year (1583..9999).
date::year_month_day EasterSunday(int year);

// Finnish public holidays of `year`, sorted by date.
std::vector<Holiday> FinnishHolidays(int year);

// Rule sets known to HolidaysFor: "FI"; "" means none.
bool IsKnownHolidayRuleSet(std::string_view rule_set);
std::vector<std::string> KnownHolidayRuleSets();

// The holidays of `rule_set` in `year`; empty for "" ; nullopt for an unknown rule set.
std::optional<std::vector<Holiday>> HolidaysFor(std::string_view rule_set, int year);

}  // namespace customsdesk::sla

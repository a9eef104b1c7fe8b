// UN/LOCODE locations of the EU-27 (data/reference/unlocode/unlocode-eu27.csv, UNECE, see its
// SOURCE.md), compiled into the binary. Loaded once on first use; read-only afterwards and
// thread-safe. A code is the country (2 letters) + location (3 letters or digits), e.g. "FIHEL".
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace customsdesk::reference {

struct Location {
    std::string code;         // "FIHEL"
    std::string name;         // "Helsinki (Helsingfors)"
    std::string plain_name;   // name without diacritics
    std::string subdivision;  // ISO 3166-2 subdivision code without the country, may be empty
    std::string function;     // 8 positions, e.g. "1-3-----"
    std::string status;       // 2-letter status, e.g. "AF"
};

// All locations sorted by code; for a code listed twice (bilingual names) the first row is kept.
const std::vector<Location>& Locations();
// By upper-case code; nullptr when unknown.
const Location* FindLocation(std::string_view code);
// The Finnish locations, in code order.
std::vector<const Location*> LocationsOf(std::string_view country);

}  // namespace customsdesk::reference

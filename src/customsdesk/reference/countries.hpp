// ISO 3166-1 countries from the shipped code list (data/reference/iso-codes/iso_3166-1.csv,
// Debian iso-codes, LGPL-2.1+), compiled into the binary. Loaded once on first use; read-only
// afterwards and thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace customsdesk::reference {

struct Country {
    std::string alpha2;
    std::string alpha3;
    std::string name_en;
    std::string name_fi;
    std::string name_sv;
    bool eu_member = false;
};

const std::vector<Country>& Countries();
// By upper-case alpha-2 code ("FI"); nullptr when unknown.
const Country* FindCountry(std::string_view alpha2);

}  // namespace customsdesk::reference

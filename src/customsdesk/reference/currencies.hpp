// ISO 4217 currencies from the shipped code list (data/reference/iso-codes/iso_4217.csv, Debian
// iso-codes, LGPL-2.1+), compiled into the binary. Loaded once on first use; read-only afterwards
// and thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace customsdesk::reference {

struct Currency {
    std::string alpha3;   // "EUR"
    std::string numeric;  // "978"
    std::string name_en;
    std::string name_fi;
    std::string name_sv;
    int minor_unit = 2;   // decimal places; 0 for JPY, 3 for KWD, -1 when not applicable (XAU)
};

// Sorted by alpha3.
const std::vector<Currency>& Currencies();
// By upper-case alphabetic code ("EUR"); nullptr when unknown.
const Currency* FindCurrency(std::string_view alpha3);

}  // namespace customsdesk::reference

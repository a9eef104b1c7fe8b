// EU Combined Nomenclature 2026 (data/reference/cn/cn2026.csv, © European Union, EU Vocabularies;
// see its SOURCE.md), compiled into the binary: the 8-digit CN codes with their supplementary unit
// and the 4-digit headings. Loaded once on first use; read-only afterwards and thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace customsdesk::reference {

struct Commodity {
    std::string code;                // 8 digits, "01012100"
    std::string description;         // the line's own English text (often "Other")
    std::string supplementary_unit;  // "PST", "L", ... or empty
};

// The 9,791 CN8 codes, sorted by code.
const std::vector<Commodity>& CnCodes();
// By 8-digit code; nullptr when it is not a CN 2026 code.
const Commodity* FindCnCode(std::string_view code8);
// True when `heading4` (4 digits) is a heading of the nomenclature (as a heading row or as the
// prefix of a CN8 code).
bool IsCnHeading(std::string_view heading4);

}  // namespace customsdesk::reference

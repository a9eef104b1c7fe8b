// Validation of trader identifiers: Finnish Business ID (Y-tunnus), EORI, Finnish VAT number.
//
// Rules (shared/data/README.md):
//  - Business ID `NNNNNNN-C`: weights 7,9,10,5,8,4,2, sum mod 11; remainder 0 -> 0, 1 -> never
//    issued (invalid), else 11 - remainder. Old six-digit ids are padded with a leading zero.
//  - EORI: two-letter country code + 1..15 characters [A-Z0-9-]; a Finnish EORI is `FI` + the
//    Business ID with its hyphen, so a Finnish one is also checked with the Business ID rule.
//  - Finnish VAT number: `FI` + the eight digits of the Business ID without the hyphen.
// Surrounding whitespace is trimmed and letters are upper-cased (what users paste); anything
// else that does not match is refused with a stable code: "required", "format", "checksum".
// Pure functions, thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace customsdesk::core {

struct IdCheck {
    std::string normalized;  // the canonical form when ok
    std::string code;        // empty when ok; "required" | "format" | "checksum"
    std::string message;     // English explanation when not ok
    [[nodiscard]] bool ok() const { return code.empty(); }
};

// Check digit for seven digits, or -1 when the remainder is 1 (no valid id has these digits).
int BusinessIdCheckDigit(std::string_view seven_digits);

IdCheck CheckBusinessId(std::string_view text);
IdCheck CheckEori(std::string_view text);
IdCheck CheckFinnishVat(std::string_view text);

// "FI" + digits, from a valid Business ID ("1234567-8" -> "FI12345678").
std::string VatFromBusinessId(std::string_view business_id);
// "FI" + Business ID ("1234567-8" -> "FI1234567-8").
std::string EoriFromBusinessId(std::string_view business_id);

// Trims ASCII whitespace at both ends.
std::string_view TrimAscii(std::string_view s);

}  // namespace customsdesk::core

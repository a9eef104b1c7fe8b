// Movement Reference Number (MRN) of an accepted declaration (issue 7, item 2):
//   YY (year of acceptance) + country code "FI" + 12-character serial + 1 check character = 17.
// The check character is computed as in ISO 6346 (freight containers): digits count at face
// value, letters A=10, B=12, ... skipping multiples of 11 (11, 22, 33) so Z=38; each character's
// value is multiplied by 2^position (position 0 = first character), the sum is taken mod 11 and
// a result of 10 becomes 0. Pure functions, thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace customsdesk::declarations {

// ISO 6346 value of a character (0-9 -> 0-9, A-Z -> 10..38 skipping 11, 22, 33); -1 otherwise.
int Iso6346Value(char c);
// The check character ('0'..'9') of `text` (upper-case letters and digits), nullopt when `text`
// holds another character.
std::optional<char> Iso6346CheckCharacter(std::string_view text);

// The MRN for `serial` (0 <= serial < 10^12, written as 12 zero-padded digits) accepted in
// `year` (the last two digits are used), country `country` (2 letters).
std::string MakeMrn(int year, std::string_view country, std::int64_t serial);
// True when `mrn` has the layout above and a correct check character.
bool IsValidMrn(std::string_view mrn);

}  // namespace customsdesk::declarations

// Text folding for search and duplicate detection: what a Finnish user expects to match.
//
// Fold() lower-cases and removes diacritics from Latin letters, so "Mäkinen", "MAKINEN" and
// "makinen" are the same word; Å/Ä/Ö fold to a/a/o (what a Finn types on a foreign keyboard:
// "Aland", "Makinen", "Jarvenpaa"), æ/ø/ß to ae/o/ss; Greek and Cyrillic capitals are lower-cased;
// letters of other scripts are kept; symbols and punctuation outside ASCII become spaces. Invalid UTF-8 bytes are dropped. Words() splits folded text into
// words of [a-z0-9] and non-ASCII letters (everything else separates: "fi1234567-8" is
// "fi1234567" "8", "a.b@x.fi" is "a" "b" "x" "fi"). Both dialects index and query the same folded
// words, so search behaves identically on SQLite and PostgreSQL. Pure, thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace customsdesk::registry {

inline constexpr std::size_t kMaxWords = 64;

std::string Fold(std::string_view text);
std::vector<std::string> Words(std::string_view text, std::size_t max_words = kMaxWords);
// The words joined by one space: the key for prefix search and name comparison.
std::string NameKey(std::string_view text);

}  // namespace customsdesk::registry

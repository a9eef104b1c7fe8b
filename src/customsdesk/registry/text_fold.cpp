#include "customsdesk/registry/text_fold.hpp"

#include <array>

#include "customsdesk/core/utf8.hpp"

namespace customsdesk::registry {
namespace {

// Base letters of U+00C0..U+024F (Latin-1 Supplement letters, Latin Extended-A and -B), from the
// Unicode canonical decompositions, plus the usual spellings of letters that have none (æ -> ae,
// ø -> o, ß -> ss, þ -> th, ł -> l). "" keeps the code point; " " makes it a separator (×, ÷).
constexpr std::array<const char*, 0x250 - 0xC0> kLatin = {
    "a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i", "i",
    "d", "n", "o", "o", "o", "o", "o", " ", "o", "u", "u", "u", "u", "y", "th", "ss",
    "a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i", "i",
    "d", "n", "o", "o", "o", "o", "o", " ", "o", "u", "u", "u", "u", "y", "th", "y",
    "a", "a", "a", "a", "a", "a", "c", "c", "c", "c", "c", "c", "c", "c", "d", "d",
    "d", "d", "e", "e", "e", "e", "e", "e", "e", "e", "e", "e", "g", "g", "g", "g",
    "g", "g", "g", "g", "h", "h", "h", "h", "i", "i", "i", "i", "i", "i", "i", "i",
    "i", "i", "ij", "ij", "j", "j", "k", "k", "k", "l", "l", "l", "l", "l", "l", "l",
    "l", "l", "l", "n", "n", "n", "n", "n", "n", "n", "n", "n", "o", "o", "o", "o",
    "o", "o", "oe", "oe", "r", "r", "r", "r", "r", "r", "s", "s", "s", "s", "s", "s",
    "s", "s", "t", "t", "t", "t", "t", "t", "u", "u", "u", "u", "u", "u", "u", "u",
    "u", "u", "u", "u", "w", "w", "y", "y", "y", "z", "z", "z", "z", "z", "z", "s",
    "b", "b", "", "", "", "", "", "", "", "", "", "", "", "", "", "",
    "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "",
    "o", "o", "", "", "", "", "", "", "", "", "", "", "", "", "", "u",
    "u", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "",
    "", "", "", "", "dz", "dz", "dz", "lj", "lj", "lj", "nj", "nj", "nj", "a", "a", "i",
    "i", "o", "o", "u", "u", "u", "u", "u", "u", "u", "u", "u", "u", "", "a", "a",
    "a", "a", "", "", "", "", "g", "g", "k", "k", "o", "o", "o", "o", "", "",
    "j", "dz", "dz", "dz", "g", "g", "", "", "n", "n", "a", "a", "", "", "", "",
    "a", "a", "a", "a", "e", "e", "e", "e", "i", "i", "i", "i", "o", "o", "o", "o",
    "r", "r", "r", "r", "u", "u", "u", "u", "s", "s", "t", "t", "", "", "h", "h",
    "", "", "", "", "", "", "a", "a", "e", "e", "o", "o", "o", "o", "o", "o",
    "o", "o", "y", "y", "", "", "", "", "", "", "", "", "", "", "", "",
    "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "",
};

// Decodes one UTF-8 sequence at `i`; returns the code point or -1 for an invalid byte (skipped).
int Decode(std::string_view s, std::size_t& i) {
    const auto cp = core::NextCodePoint(s, i);
    return cp ? static_cast<int>(*cp) : -1;
}

void Encode(int cp, std::string& out) { core::AppendUtf8(out, static_cast<char32_t>(cp)); }

bool IsWordByte(char c) {
    const auto u = static_cast<unsigned char>(c);
    return (u >= 'a' && u <= 'z') || (u >= '0' && u <= '9') || u >= 0x80;
}

}  // namespace

std::string Fold(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    std::size_t i = 0;
    while (i < text.size()) {
        if (const auto c = static_cast<unsigned char>(text[i]); c < 0x80) {  // ASCII: no decoding
            out += static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c);
            ++i;
            continue;
        }
        int cp = Decode(text, i);
        if (cp < 0) continue;
        if (cp < 0x80) {
            out += static_cast<char>(cp >= 'A' && cp <= 'Z' ? cp + 32 : cp);
        } else if (cp >= 0xC0 && cp < 0x250 && kLatin[cp - 0xC0][0] != '\0') {
            out += kLatin[cp - 0xC0];
        } else if (cp >= 0x391 && cp <= 0x3A9 && cp != 0x3A2) {
            Encode(cp + 32, out);  // Greek capitals
        } else if (cp >= 0x410 && cp <= 0x42F) {
            Encode(cp + 32, out);  // Cyrillic capitals
        } else if (cp >= 0x400 && cp <= 0x40F) {
            Encode(cp + 80, out);
        } else if ((cp >= 0xC0 && cp < 0x250) || (cp >= 0x370 && cp <= 0x6FF) || (cp >= 0x3040 && cp <= 0x9FFF) ||
                   (cp >= 0xAC00 && cp <= 0xD7AF)) {
            Encode(cp, out);  // letters of other scripts stay as they are
        } else {
            out += ' ';  // symbols, punctuation, spaces and dashes outside ASCII separate words
        }
    }
    return out;
}

std::vector<std::string> Words(std::string_view text, std::size_t max_words) {
    const std::string folded = Fold(text);
    std::vector<std::string> words;
    std::size_t i = 0;
    while (i < folded.size() && words.size() < max_words) {
        while (i < folded.size() && !IsWordByte(folded[i])) ++i;
        const std::size_t start = i;
        while (i < folded.size() && IsWordByte(folded[i])) ++i;
        if (i > start) words.emplace_back(folded.substr(start, i - start));
    }
    return words;
}

std::string NameKey(std::string_view text) {
    std::string out;
    for (const auto& w : Words(text, kMaxWords)) {
        if (!out.empty()) out += ' ';
        out += w;
    }
    return out;
}

}  // namespace customsdesk::registry

#include "customsdesk/declarations/mrn.hpp"

#include <fmt/format.h>

#include <iterator>

namespace customsdesk::declarations {

int Iso6346Value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c < 'A' || c > 'Z') return -1;
    int v = 10;
    for (char l = 'A'; l < c; ++l) {
        ++v;
        if (v % 11 == 0) ++v;
    }
    return v;
}

std::optional<char> Iso6346CheckCharacter(std::string_view text) {
    long long sum = 0;
    long long weight = 1;
    for (char c : text) {
        int v = Iso6346Value(c);
        if (v < 0) return std::nullopt;
        sum += v * weight;
        weight *= 2;
        if (weight > (1LL << 40)) weight %= 11;  // keeps the sum exact mod 11 for long texts
    }
    int r = static_cast<int>(sum % 11);
    return static_cast<char>('0' + (r == 10 ? 0 : r));
}

std::string MakeMrn(int year, std::string_view country, std::int64_t serial) {
    std::string mrn;
    mrn.reserve(2 + country.size() + 12 + 1);  // one allocation: an MRN is made per lodging
    fmt::format_to(std::back_inserter(mrn), "{:02d}{}{:012d}", ((year % 100) + 100) % 100, country, serial);
    mrn += *Iso6346CheckCharacter(mrn);
    return mrn;
}

bool IsValidMrn(std::string_view mrn) {
    if (mrn.size() != 17) return false;
    for (std::size_t i = 0; i < 2; ++i)
        if (mrn[i] < '0' || mrn[i] > '9') return false;
    for (std::size_t i = 2; i < 4; ++i)
        if (mrn[i] < 'A' || mrn[i] > 'Z') return false;
    auto check = Iso6346CheckCharacter(mrn.substr(0, 16));
    return check && *check == mrn[16];
}

}  // namespace customsdesk::declarations

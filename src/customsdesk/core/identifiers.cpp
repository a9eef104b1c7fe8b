#include "customsdesk/core/identifiers.hpp"

#include <cctype>

namespace customsdesk::core {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsUpperAlpha(char c) { return c >= 'A' && c <= 'Z'; }

std::string Upper(std::string_view s) {
    std::string out(s);
    for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return out;
}

IdCheck Bad(std::string code, std::string message) { return IdCheck{{}, std::move(code), std::move(message)}; }

}  // namespace

std::string_view TrimAscii(std::string_view s) {
    auto is_space = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; };
    while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
    while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
    return s;
}

int BusinessIdCheckDigit(std::string_view seven_digits) {
    static constexpr int kWeights[7] = {7, 9, 10, 5, 8, 4, 2};
    if (seven_digits.size() != 7) return -1;
    int sum = 0;
    for (int i = 0; i < 7; ++i) {
        if (!IsDigit(seven_digits[i])) return -1;
        sum += (seven_digits[i] - '0') * kWeights[i];
    }
    const int remainder = sum % 11;
    if (remainder == 0) return 0;
    if (remainder == 1) return -1;
    return 11 - remainder;
}

IdCheck CheckBusinessId(std::string_view text) {
    const std::string_view s = TrimAscii(text);
    if (s.empty()) return Bad("required", "A Business ID is required.");
    // NNNNNNN-C, or the old six-digit form NNNNNN-C which is padded with a leading zero.
    std::string id(s);
    if (id.size() == 8 && id[6] == '-') id.insert(id.begin(), '0');
    if (id.size() != 9 || id[7] != '-') {
        return Bad("format", "A Business ID has seven digits, a hyphen and a check digit, e.g. 1234567-1.");
    }
    for (int i = 0; i < 7; ++i) {
        if (!IsDigit(id[i])) return Bad("format", "A Business ID has seven digits, a hyphen and a check digit.");
    }
    if (!IsDigit(id[8])) return Bad("format", "The check digit of a Business ID is a digit.");
    const int check = BusinessIdCheckDigit(std::string_view(id).substr(0, 7));
    if (check < 0 || check != id[8] - '0') {
        return Bad("checksum", "The check digit of the Business ID does not match its digits.");
    }
    return IdCheck{std::move(id), {}, {}};
}

IdCheck CheckEori(std::string_view text) {
    const std::string_view s = TrimAscii(text);
    if (s.empty()) return Bad("required", "An EORI number is required.");
    const std::string eori = Upper(s);
    if (eori.size() < 3 || eori.size() > 17) {
        return Bad("format", "An EORI number is a two-letter country code followed by 1 to 15 characters.");
    }
    if (!IsUpperAlpha(eori[0]) || !IsUpperAlpha(eori[1])) {
        return Bad("format", "An EORI number starts with a two-letter country code.");
    }
    for (std::size_t i = 2; i < eori.size(); ++i) {
        const char c = eori[i];
        if (!IsDigit(c) && !IsUpperAlpha(c) && c != '-') {
            return Bad("format", "An EORI number holds only letters, digits and hyphens after the country code.");
        }
    }
    if (eori.starts_with("FI")) {
        const IdCheck bid = CheckBusinessId(std::string_view(eori).substr(2));
        if (!bid.ok()) {
            if (bid.code == "checksum") {
                return Bad("checksum", "A Finnish EORI is FI followed by the Business ID, whose check digit does not match.");
            }
            return Bad("format", "A Finnish EORI is FI followed by the Business ID with its hyphen, e.g. FI1234567-1.");
        }
        if (eori.size() != 11) {
            return Bad("format", "A Finnish EORI is FI followed by the Business ID with its hyphen, e.g. FI1234567-1.");
        }
    }
    return IdCheck{eori, {}, {}};
}

IdCheck CheckFinnishVat(std::string_view text) {
    const std::string_view s = TrimAscii(text);
    if (s.empty()) return Bad("required", "A VAT number is required.");
    const std::string vat = Upper(s);
    if (vat.size() != 10 || !vat.starts_with("FI")) {
        return Bad("format", "A Finnish VAT number is FI followed by eight digits.");
    }
    for (std::size_t i = 2; i < 10; ++i) {
        if (!IsDigit(vat[i])) return Bad("format", "A Finnish VAT number is FI followed by eight digits.");
    }
    const int check = BusinessIdCheckDigit(std::string_view(vat).substr(2, 7));
    if (check < 0 || check != vat[9] - '0') {
        return Bad("checksum", "The check digit of the VAT number does not match its digits.");
    }
    return IdCheck{vat, {}, {}};
}

std::string VatFromBusinessId(std::string_view business_id) {
    std::string out = "FI";
    for (char c : business_id) {
        if (IsDigit(c)) out += c;
    }
    return out;
}

std::string EoriFromBusinessId(std::string_view business_id) { return "FI" + std::string(business_id); }

}  // namespace customsdesk::core

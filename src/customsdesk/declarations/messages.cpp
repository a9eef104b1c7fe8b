#include "customsdesk/declarations/messages.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdlib>

namespace customsdesk::declarations {
namespace {

struct Text {
    std::string_view code;
    std::string_view fi;
    std::string_view sv;
    std::string_view en;
};

// Sorted by code (checked by a unit test), looked up by binary search.
constexpr std::array kTexts = {
    Text{"amount_total_mismatch", "Nimikkeiden laskutettujen määrien summa {0} ei vastaa laskun kokonaismäärää {1}.",
         "Summan av varupostens fakturerade belopp {0} motsvarar inte fakturans totalbelopp {1}.",
         "The items' invoiced amounts add up to {0}, not the total amount invoiced {1}."},
    Text{"checksum", "Tunnisteen tarkiste on väärä.", "Identifierarens kontrolltecken är fel.",
         "The identifier's check character is wrong."},
    Text{"control_character", "Ohjausmerkit eivät ole sallittuja.", "Styrtecken är inte tillåtna.",
         "Control characters are not allowed."},
    Text{"currency_without_rate", "Valuutalle {0} ei ole vaihtokurssia; arvo on ilmoitettava euroina.",
         "Det finns ingen växelkurs för valutan {0}; värdet ska anges i euro.",
         "There is no exchange rate for currency {0}; declare the value in euro."},
    Text{"decimal_as_string", "Anna desimaaliluku merkkijonona, esim. \"123.45\".",
         "Ange ett decimaltal som en sträng, t.ex. \"123.45\".",
         "Give a fractional number as a string, e.g. \"123.45\"."},
    Text{"format", "Muoto on väärä: {0}.", "Formatet är fel: {0}.", "The format is wrong: {0}."},
    Text{"h7_value_limit", "H7-ilmoituksen lähetyksen todellinen arvo {0} EUR ylittää 150 euroa.",
         "Den verkliga värdet {0} EUR för en H7-deklaration överstiger 150 euro.",
         "The intrinsic value of an H7 consignment, {0} EUR, exceeds 150 EUR."},
    Text{"item_sequence", "Tavaraerän järjestysnumeron pitää olla {0}.", "Varupostens nummer ska vara {0}.",
         "The goods item number must be {0}."},
    Text{"mass_total_mismatch", "Nimikkeiden bruttomassojen summa {0} kg ei vastaa kokonaisbruttomassaa {1} kg.",
         "Summan av varupostens bruttovikter {0} kg motsvarar inte totala bruttovikten {1} kg.",
         "The items' gross masses add up to {0} kg, not the total gross mass {1} kg."},
    Text{"net_exceeds_gross", "Nettomassa {0} kg on suurempi kuin bruttomassa {1} kg.",
         "Nettovikten {0} kg är större än bruttovikten {1} kg.",
         "The net mass {0} kg is greater than the gross mass {1} kg."},
    Text{"not_allowed", "Kenttää ei sallita tässä ilmoituslajissa: {0}.",
         "Fältet är inte tillåtet i denna deklarationstyp: {0}.", "This field is not allowed here: {0}."},
    Text{"not_own_eori", "Ilmoittajan EORI-tunniste ei ole organisaatiosi tunniste.",
         "Deklarantens EORI-nummer är inte din organisations nummer.",
         "The declarant's EORI number is not your organisation's."},
    Text{"not_positive", "Arvon pitää olla suurempi kuin nolla.", "Värdet måste vara större än noll.",
         "The value must be greater than zero."},
    Text{"packages_total_mismatch", "Nimikkeiden kollimäärien summa {0} ei vastaa kollien kokonaismäärää {1}.",
         "Summan av varupostens kollin {0} motsvarar inte totala antalet kollin {1}.",
         "The items' packages add up to {0}, not the total packages {1}."},
    Text{"required", "Tieto on pakollinen.", "Uppgiften är obligatorisk.", "This field is required."},
    Text{"too_long", "Liian pitkä (enintään {0} merkkiä).", "För lång (högst {0} tecken).",
         "Too long (at most {0} characters)."},
    Text{"too_many", "Liian monta (enintään {0}).", "För många (högst {0}).", "Too many (at most {0})."},
    Text{"type", "Väärä tietotyyppi.", "Fel datatyp.", "Wrong type."},
    Text{"unknown_commodity", "Nimikettä {0} ei ole yhdistetyssä nimikkeistössä 2026.",
         "Varukoden {0} finns inte i Kombinerade nomenklaturen 2026.",
         "Commodity code {0} is not in the Combined Nomenclature 2026."},
    Text{"unknown_country", "Tuntematon maakoodi {0} (ISO 3166-1).", "Okänd landskod {0} (ISO 3166-1).",
         "Unknown country code {0} (ISO 3166-1)."},
    Text{"unknown_currency", "Tuntematon valuuttakoodi {0} (ISO 4217).", "Okänd valutakod {0} (ISO 4217).",
         "Unknown currency code {0} (ISO 4217)."},
    Text{"unknown_field", "Tuntematon kenttä.", "Okänt fält.", "This field is not known."},
    Text{"unknown_location", "Tuntematon UN/LOCODE-paikka {0}.", "Okänd UN/LOCODE-ort {0}.",
         "Unknown UN/LOCODE location {0}."},
    Text{"unknown_value", "Arvo {0} ei ole sallittu; sallitut: {1}.", "Värdet {0} är inte tillåtet; tillåtna: {1}.",
         "The value {0} is not allowed; allowed: {1}."},
};

std::string Format(std::string_view tmpl, std::string_view a0, std::string_view a1) {
    std::string out;
    out.reserve(tmpl.size() + a0.size() + a1.size());
    for (std::size_t i = 0; i < tmpl.size(); ++i) {
        if (tmpl[i] == '{' && i + 2 < tmpl.size() && tmpl[i + 2] == '}' && (tmpl[i + 1] == '0' || tmpl[i + 1] == '1')) {
            out += tmpl[i + 1] == '0' ? a0 : a1;
            i += 2;
        } else {
            out += tmpl[i];
        }
    }
    return out;
}

}  // namespace

std::string_view LanguageName(Language l) {
    switch (l) {
        case Language::kFi: return "fi";
        case Language::kSv: return "sv";
        case Language::kEn: return "en";
    }
    return "en";
}

std::optional<Language> ParseLanguage(std::string_view code) {
    if (code.size() < 2) return std::nullopt;
    char a = static_cast<char>(std::tolower(static_cast<unsigned char>(code[0])));
    char b = static_cast<char>(std::tolower(static_cast<unsigned char>(code[1])));
    if (code.size() > 2 && code[2] != '-' && code[2] != '_') return std::nullopt;
    if (a == 'f' && b == 'i') return Language::kFi;
    if (a == 's' && b == 'v') return Language::kSv;
    if (a == 'e' && b == 'n') return Language::kEn;
    return std::nullopt;
}

std::optional<Language> FromAcceptLanguage(std::string_view header) {
    std::optional<Language> best;
    double best_q = 0;
    while (!header.empty()) {
        auto comma = header.find(',');
        std::string_view part = header.substr(0, comma);
        header = comma == std::string_view::npos ? std::string_view{} : header.substr(comma + 1);
        while (!part.empty() && part.front() == ' ') part.remove_prefix(1);
        double q = 1.0;
        if (auto semi = part.find(';'); semi != std::string_view::npos) {
            auto params = part.substr(semi + 1);
            part = part.substr(0, semi);
            if (auto qpos = params.find("q="); qpos != std::string_view::npos) {
                std::string qs(params.substr(qpos + 2));
                q = std::strtod(qs.c_str(), nullptr);
            }
        }
        while (!part.empty() && part.back() == ' ') part.remove_suffix(1);
        auto lang = ParseLanguage(part);
        if (lang && q > best_q) {
            best = lang;
            best_q = q;
        }
    }
    return best;
}

std::optional<std::string> Message(std::string_view code, Language lang, std::string_view arg0,
                                   std::string_view arg1) {
    auto it = std::lower_bound(kTexts.begin(), kTexts.end(), code,
                               [](const Text& t, std::string_view c) { return t.code < c; });
    if (it == kTexts.end() || it->code != code) return std::nullopt;
    std::string_view tmpl = lang == Language::kFi ? it->fi : lang == Language::kSv ? it->sv : it->en;
    return Format(tmpl, arg0, arg1);
}

bool MessagesSorted() {
    return std::is_sorted(kTexts.begin(), kTexts.end(), [](const Text& a, const Text& b) { return a.code < b.code; });
}

}  // namespace customsdesk::declarations

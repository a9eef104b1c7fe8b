#include "customsdesk/registry/demo_generator.hpp"

#include <fmt/format.h>

#include <array>
#include <vector>

#include "customsdesk/core/identifiers.hpp"
#include "customsdesk/reference/unlocode.hpp"
#include "customsdesk/registry/csv_io.hpp"

namespace customsdesk::registry {
namespace {

// SplitMix64: small, fast, identical everywhere.
class Rng {
public:
    explicit Rng(std::uint64_t seed) : state_(seed) {}
    std::uint64_t Next() {
        std::uint64_t z = (state_ += 0x9E3779B97F4A7C15ULL);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
        return z ^ (z >> 31);
    }
    int Below(int n) { return static_cast<int>(Next() % static_cast<std::uint64_t>(n)); }
    bool Chance(int percent) { return Below(100) < percent; }
    template <typename T, std::size_t N>
    const T& Pick(const std::array<T, N>& a) {
        return a[static_cast<std::size_t>(Below(static_cast<int>(N)))];
    }

private:
    std::uint64_t state_;
};

constexpr std::array<std::string_view, 48> kStems = {
    "Mäki",  "Koski",  "Järvi", "Lahti",  "Niemi", "Salo",   "Vuori",  "Laakso", "Rinne",  "Harju", "Aho",    "Kallio",
    "Korpi", "Haapa",  "Koivu", "Pihla",  "Tammi", "Kuusi",  "Leppä",  "Saari",  "Oja",    "Hiekka", "Kivi",  "Ranta",
    "Lampi", "Suo",    "Metsä", "Pelto",  "Kangas", "Mänty", "Honka",  "Kataja", "Lehto", "Nummi", "Paju",  "Rauta",
    "Sarja", "Tuomi",  "Vaara", "Ylä",    "Ala",   "Öhman", "Åker",   "Sjö",    "Berg",  "Lund",  "Strand", "Holm"};
constexpr std::array<std::string_view, 12> kEndings = {"nen", "la", "lä", "mäki", "koski", "järvi",
                                                       "lahti", "", "ström", "berg", "salo", "niemi"};
constexpr std::array<std::string_view, 24> kTrades = {
    "Kuljetus",  "Logistiikka", "Huolinta",  "Tuonti",    "Vienti",     "Kauppa",   "Trading",  "Freight",
    "Cargo",     "Teollisuus",  "Tekniikka", "Metalli",   "Elintarvike", "Puu",     "Kemia",    "Varasto",
    "Terminaali", "Shipping",   "Forwarding", "Agentuuri", "Tukku",     "Rakennus", "Energia",  "Tekstiili"};
constexpr std::array<std::string_view, 8> kForms = {"Oy", "Oy", "Oy", "Oy", "Oy", "Ab", "Oyj", "Ky"};
constexpr std::array<std::string_view, 32> kFirstNames = {
    "Matti", "Juha",  "Mikko", "Timo",  "Kari",   "Antti",  "Jukka",  "Mika",   "Pekka", "Ville",  "Sami",
    "Jari",  "Sari",  "Anna",  "Maria", "Tiina",  "Laura",  "Johanna", "Päivi", "Kaisa", "Liisa",  "Elina",
    "Heidi", "Minna", "Anders", "Erik", "Johan",  "Karin",  "Åsa",    "Sofia",  "Jyrki", "Hannele"};
constexpr std::array<std::string_view, 8> kStreetKinds = {"katu", "tie", "kuja", "polku", "väylä", "ranta", "kaari",
                                                          "puistikko"};
constexpr std::array<std::string_view, 7> kRoles = {"importer",  "exporter",         "declarant", "customs_representative",
                                                    "carrier",   "warehouse_keeper", "software_provider"};
constexpr std::array<std::string_view, 6> kContactRoles = {"decision_maker", "influencer",      "customs_contact",
                                                           "cooperation_partner", "billing_contact", "it_edi_contact"};
constexpr std::array<std::string_view, 6> kSegments = {"Retail", "Manufacturing", "Logistics", "Wholesale",
                                                       "Energy", "Food"};
constexpr std::array<std::string_view, 8> kBigTowns = {"FIHEL", "FIESP", "FIVAA", "FITMP",
                                                       "FITKU", "FIOUL", "FIJYV", "FIKUO"};


// ASCII for e-mail addresses: ä -> a, ö -> o, å -> a.
std::string Ascii(std::string_view s) {
    std::string out;
    for (std::size_t i = 0; i < s.size(); ++i) {
        const auto c = static_cast<unsigned char>(s[i]);
        if (c == 0xC3 && i + 1 < s.size()) {
            const auto d = static_cast<unsigned char>(s[++i]);
            out += (d == 0xB6 || d == 0x96) ? 'o' : 'a';
        } else if (std::isalnum(c)) {
            out += static_cast<char>(std::tolower(c));
        }
    }
    return out;
}

std::string Csv(std::string_view v) {
    if (v.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(v);
    std::string out = "\"";
    for (char c : v) {
        if (c == '"') out += '"';
        out += c;
    }
    return out + "\"";
}

struct Place {
    std::string code;
    std::string name;  // Finnish name (bilingual names keep the first part)
};

std::vector<Place> Places() {
    std::vector<Place> out;
    for (const auto* l : reference::LocationsOf("FI")) {
        if (l->function.find('3') == std::string::npos) continue;
        std::string name = l->name;
        if (auto p = name.find(" ("); p != std::string::npos) name = name.substr(0, p);
        out.push_back({l->code, name});
    }
    return out;
}

class Generator {
public:
    Generator(std::uint64_t seed, std::string_view kam, const DemoSink& sink)
        : rng_(seed), kam_(kam), sink_(sink), places_(Places()) {}

    std::string CompanyName() {
        std::string name = std::string(rng_.Pick(kStems)) + std::string(rng_.Pick(kEndings));
        if (rng_.Chance(70)) name += " " + std::string(rng_.Pick(kTrades));
        if (rng_.Chance(15)) name += " " + std::string(rng_.Pick(kStems)) + "n";
        return name + " " + std::string(rng_.Pick(kForms));
    }
    std::string PersonSurname() { return std::string(rng_.Pick(kStems)) + std::string(rng_.Pick(kEndings)); }

    const Place& SomePlace() {
        if (rng_.Chance(45)) {
            const auto code = rng_.Pick(kBigTowns);
            for (const auto& p : places_) {
                if (p.code == code) return p;
            }
        }
        return places_[static_cast<std::size_t>(rng_.Below(static_cast<int>(places_.size())))];
    }
    std::string Street() {
        return fmt::format("{}{} {}", rng_.Pick(kStems), rng_.Pick(kStreetKinds), 1 + rng_.Below(120));
    }
    std::string PostalCode() { return fmt::format("{:05d}", rng_.Below(99) * 1000 + rng_.Below(10) * 10 + 100); }

    std::string NextBusinessId() {
        for (;;) {
            const std::string digits = fmt::format("{:07d}", next_bid_++);
            const int check = core::BusinessIdCheckDigit(digits);
            if (check >= 0) return fmt::format("{}-{}", digits, check);
        }
    }

    struct Org {
        std::string key;
        std::string domain;
    };

    // Writes organisations; `parents` of them get children pointing at a principal.
    std::vector<Org> Organisations(std::string_view file, int principals, int children, bool prospects) {
        std::vector<Org> orgs;
        std::string out;
        const auto& cols = Columns(ImportKind::kOrganisations);
        for (std::size_t i = 0; i < cols.size(); ++i) out += (i ? "," : "") + cols[i];
        out += "\r\n";
        const int total = principals + children;
        for (int i = 0; i < total; ++i) {
            const bool child = i >= principals;
            const std::string name = CompanyName();
            const std::string bid = NextBusinessId();
            const Place& place = SomePlace();
            std::string roles, languages = rng_.Chance(8) ? "sv;fi" : (rng_.Chance(5) ? "en" : "fi");
            const int nroles = 1 + rng_.Below(3);
            for (int r = 0; r < nroles; ++r) {
                auto role = std::string(rng_.Pick(kRoles));
                if (roles.find(role) == std::string::npos) roles += (roles.empty() ? "" : ";") + role;
            }
            // Customer group and value class: ~50 partnership, ~300 key (national scale), the rest small.
            std::string group, value_class, status = "active", kam;
            const int r = rng_.Below(24000);
            if (prospects) {
                status = "prospect";
                value_class = "prospective";
            } else if (!child && r < 50 * 24000 / 15000) {
                group = "partnership";
                value_class = r < 20 ? "strategic" : "key";
                kam = std::string(kam_);
            } else if (!child && r < 350 * 24000 / 15000) {
                group = "key";
                value_class = rng_.Chance(50) ? "key" : "big";
                kam = std::string(kam_);
            } else {
                group = "small";
                const int v = rng_.Below(100);
                value_class = v < 6 ? "big" : v < 22 ? "middle" : v < 42 ? "small_a" : v < 80 ? "small" : v < 92 ? "non_active" : "other";
                if (value_class == "non_active") status = "non_active";
            }
            std::string parent;
            if (child && principals > 0) parent = orgs[static_cast<std::size_t>(rng_.Below(principals))].key;
            const std::string segment = std::string(rng_.Pick(kSegments));
            out += fmt::format("{},{},,FI{},FI{},{},{},{},{},{},{},{},{},,{},{},{},FI", Csv(name), bid, bid,
                               bid.substr(0, 7) + bid.substr(8), status, roles, languages, segment, parent, group,
                               value_class, kam, Csv(Street()), PostalCode(), Csv(place.name));
            for (int k = 0; k < 12; ++k) out += ',';
            out += "\r\n";
            orgs.push_back({bid, Ascii(name.substr(0, name.find(' '))) + bid.substr(0, 7)});
            if (out.size() > (1 << 20)) Flush(file, out);
        }
        Flush(file, out);
        return orgs;
    }

    // One establishment per organisation plus `extra` spread over them; returns codes per organisation.
    std::vector<int> Establishments(std::string_view file, const std::vector<Org>& orgs, int total) {
        std::vector<int> count(orgs.size(), 0);
        std::string out = "organisation_key,code,name,type,street,postal_code,city,country,unlocode\r\n";
        for (int i = 0; i < total; ++i) {
            const std::size_t o = i < static_cast<int>(orgs.size()) ? static_cast<std::size_t>(i)
                                                                  : static_cast<std::size_t>(rng_.Below(static_cast<int>(orgs.size())));
            const int n = ++count[o];
            const Place& place = SomePlace();
            static constexpr std::array<std::string_view, 6> kTypes = {"branch", "warehouse", "terminal",
                                                                       "office", "production", "customs_warehouse"};
            const std::string type = n == 1 ? "head_office" : std::string(rng_.Pick(kTypes));
            out += fmt::format("{},T{:03d},{},{},{},{},{},FI,{}\r\n", orgs[o].key, n,
                               Csv(fmt::format("{} {}", place.name, n == 1 ? "pääkonttori" : type == "warehouse" ? "varasto" : "toimipiste")),
                               type, Csv(Street()), PostalCode(), Csv(place.name), place.code);
            if (out.size() > (1 << 20)) Flush(file, out);
        }
        Flush(file, out);
        return count;
    }

    void Contacts(std::string_view file, const std::vector<Org>& orgs, const std::vector<int>& sites, int total) {
        std::string out =
            "organisation_key,establishment_code,first_name,last_name,email,phone,language,contact_roles,"
            "marketing_consent\r\n";
        for (int i = 0; i < total; ++i) {
            const std::size_t o = i < static_cast<int>(orgs.size()) ? static_cast<std::size_t>(i)
                                                                  : static_cast<std::size_t>(rng_.Below(static_cast<int>(orgs.size())));
            const std::string first(rng_.Pick(kFirstNames));
            const std::string last = PersonSurname();
            const std::string site = rng_.Chance(60) && sites[o] > 0 ? fmt::format("T{:03d}", 1 + rng_.Below(sites[o])) : "";
            std::string roles(rng_.Pick(kContactRoles));
            if (rng_.Chance(30)) {
                auto second = std::string(rng_.Pick(kContactRoles));
                if (second != roles) roles += ";" + second;
            }
            out += fmt::format("{},{},{},{},{}.{}.{}@{}.example,+358 4{} {:03d} {:04d},{},{},{}\r\n", orgs[o].key, site,
                               first, last, Ascii(first), Ascii(last), i, orgs[o].domain, rng_.Below(10),
                               rng_.Below(1000), rng_.Below(10000), first == "Åsa" || first == "Anders" ? "sv" : "fi",
                               roles, rng_.Chance(35) ? "true" : "false");
            if (out.size() > (1 << 20)) Flush(file, out);
        }
        Flush(file, out);
    }

private:
    void Flush(std::string_view file, std::string& out) {
        sink_(file, out);
        out.clear();
    }

    Rng rng_;
    std::string_view kam_;
    const DemoSink& sink_;
    std::vector<Place> places_;
    std::int64_t next_bid_ = 4000000;
};

}  // namespace

DemoSizes SizesOf(DemoScale scale) {
    if (scale == DemoScale::kSmall) return {200, 100, 50, 450, 0, 0, 0};
    return {15000, 9000, 6000, 29000, 100000, 230000, 335000};
}

void GenerateDemo(DemoScale scale, std::uint64_t seed, std::string_view kam_username, const DemoSink& sink) {
    const DemoSizes z = SizesOf(scale);
    Generator g(seed, kam_username, sink);
    const auto orgs = g.Organisations("organisations", z.principals, z.children, false);
    const auto sites =
        g.Establishments("establishments", orgs, static_cast<int>(orgs.size()) + z.establishments_extra);
    g.Contacts("contacts", orgs, sites, z.contacts);
    if (z.prospect_organisations == 0) return;
    const auto prospects = g.Organisations("prospect_organisations", z.prospect_organisations, 0, true);
    const auto psites = g.Establishments("prospect_establishments", prospects, z.prospect_establishments);
    g.Contacts("prospect_contacts", prospects, psites, z.prospect_contacts);
}

}  // namespace customsdesk::registry

#include "customsdesk/reference/countries.hpp"

#include <algorithm>
#include <stdexcept>

#include "customsdesk/core/csv.hpp"

namespace customsdesk::reference {

extern const std::string_view kIso3166Csv;

namespace {

std::vector<Country> Load() {
    core::CsvReader csv(kIso3166Csv);
    std::vector<std::string> f;
    std::vector<Country> out;
    if (!csv.Next(f) || f.size() < 9 || f[0] != "alpha_2") throw std::runtime_error("iso_3166-1.csv: bad header");
    while (csv.Next(f)) {
        if (f.size() < 9) continue;
        out.push_back({f[0], f[1], f[3], f[6].empty() ? f[3] : f[6], f[7], f[8] == "1"});
    }
    if (csv.error()) throw std::runtime_error("iso_3166-1.csv: " + *csv.error());
    std::sort(out.begin(), out.end(), [](const Country& a, const Country& b) { return a.alpha2 < b.alpha2; });
    return out;
}

}  // namespace

const std::vector<Country>& Countries() {
    static const std::vector<Country> countries = Load();
    return countries;
}

const Country* FindCountry(std::string_view alpha2) {
    const auto& all = Countries();
    auto it = std::lower_bound(all.begin(), all.end(), alpha2,
                               [](const Country& c, std::string_view code) { return c.alpha2 < code; });
    if (it == all.end() || it->alpha2 != alpha2) return nullptr;
    return &*it;
}

}  // namespace customsdesk::reference

#include "customsdesk/reference/currencies.hpp"

#include <algorithm>
#include <charconv>
#include <stdexcept>

#include "customsdesk/core/csv.hpp"

namespace customsdesk::reference {

extern const std::string_view kIso4217Csv;

namespace {

std::vector<Currency> Load() {
    core::CsvReader csv(kIso4217Csv);
    std::vector<std::string> f;
    std::vector<Currency> out;
    if (!csv.Next(f) || f.size() < 6 || f[0] != "alpha_3") throw std::runtime_error("iso_4217.csv: bad header");
    while (csv.Next(f)) {
        if (f.size() < 6) continue;
        int minor = -1;
        std::from_chars(f[5].data(), f[5].data() + f[5].size(), minor);
        out.push_back({f[0], f[1], f[2], f[3].empty() ? f[2] : f[3], f[4].empty() ? f[2] : f[4], minor});
    }
    if (csv.error()) throw std::runtime_error("iso_4217.csv: " + *csv.error());
    std::sort(out.begin(), out.end(), [](const Currency& a, const Currency& b) { return a.alpha3 < b.alpha3; });
    return out;
}

}  // namespace

const std::vector<Currency>& Currencies() {
    static const std::vector<Currency> currencies = Load();
    return currencies;
}

const Currency* FindCurrency(std::string_view alpha3) {
    const auto& all = Currencies();
    auto it = std::lower_bound(all.begin(), all.end(), alpha3,
                               [](const Currency& c, std::string_view code) { return c.alpha3 < code; });
    if (it == all.end() || it->alpha3 != alpha3) return nullptr;
    return &*it;
}

}  // namespace customsdesk::reference

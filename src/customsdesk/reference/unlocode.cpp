#include "customsdesk/reference/unlocode.hpp"

#include <algorithm>
#include <stdexcept>

#include "customsdesk/core/csv.hpp"

namespace customsdesk::reference {

extern const std::string_view kUnlocodeCsv;

namespace {

std::vector<Location> Load() {
    core::CsvReader csv(kUnlocodeCsv);
    std::vector<std::string> f;
    std::vector<Location> out;
    if (!csv.Next(f) || f.size() < 12 || f[1] != "Country" || f[2] != "Location") {
        throw std::runtime_error("unlocode-eu27.csv: bad header");
    }
    out.reserve(53000);
    while (csv.Next(f)) {
        if (f.size() < 12 || f[1].size() != 2 || f[2].size() != 3) continue;
        out.push_back({f[1] + f[2], f[3], f[4], f[5], f[6], f[7]});
    }
    if (csv.error()) throw std::runtime_error("unlocode-eu27.csv: " + *csv.error());
    std::stable_sort(out.begin(), out.end(), [](const Location& a, const Location& b) { return a.code < b.code; });
    out.erase(std::unique(out.begin(), out.end(), [](const Location& a, const Location& b) { return a.code == b.code; }),
              out.end());
    return out;
}

}  // namespace

const std::vector<Location>& Locations() {
    static const std::vector<Location> locations = Load();
    return locations;
}

const Location* FindLocation(std::string_view code) {
    const auto& all = Locations();
    auto it = std::lower_bound(all.begin(), all.end(), code,
                               [](const Location& l, std::string_view c) { return l.code < c; });
    if (it == all.end() || it->code != code) return nullptr;
    return &*it;
}

std::vector<const Location*> LocationsOf(std::string_view country) {
    std::vector<const Location*> out;
    for (const auto& l : Locations()) {
        if (std::string_view(l.code).substr(0, 2) == country) out.push_back(&l);
    }
    return out;
}

}  // namespace customsdesk::reference

#include "customsdesk/reference/commodities.hpp"

#include <algorithm>
#include <stdexcept>

#include "customsdesk/core/csv.hpp"

namespace customsdesk::reference {

extern const std::string_view kCn2026Csv;

namespace {

struct Data {
    std::vector<Commodity> codes;
    std::vector<std::string> headings;  // sorted, unique
};

Data Load() {
    core::CsvReader csv(kCn2026Csv);
    std::vector<std::string> f;
    Data d;
    if (!csv.Next(f) || f.size() < 9 || f[0] != "level") throw std::runtime_error("cn2026.csv: bad header");
    while (csv.Next(f)) {
        if (f.size() < 9) continue;
        if (f[0] == "cn8" && f[1].size() == 8) {
            d.codes.push_back({f[1], f[8], f[7]});
            d.headings.push_back(f[1].substr(0, 4));
        } else if (f[0] == "heading" && f[1].size() == 4) {
            d.headings.push_back(f[1]);
        }
    }
    if (csv.error()) throw std::runtime_error("cn2026.csv: " + *csv.error());
    std::sort(d.codes.begin(), d.codes.end(), [](const Commodity& a, const Commodity& b) { return a.code < b.code; });
    std::sort(d.headings.begin(), d.headings.end());
    d.headings.erase(std::unique(d.headings.begin(), d.headings.end()), d.headings.end());
    return d;
}

const Data& TheData() {
    static const Data data = Load();
    return data;
}

}  // namespace

const std::vector<Commodity>& CnCodes() { return TheData().codes; }

const Commodity* FindCnCode(std::string_view code8) {
    const auto& all = TheData().codes;
    auto it = std::lower_bound(all.begin(), all.end(), code8,
                               [](const Commodity& c, std::string_view code) { return c.code < code; });
    if (it == all.end() || it->code != code8) return nullptr;
    return &*it;
}

bool IsCnHeading(std::string_view heading4) {
    const auto& h = TheData().headings;
    return std::binary_search(h.begin(), h.end(), heading4, std::less<>());
}

}  // namespace customsdesk::reference

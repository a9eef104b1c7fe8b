// Selectivity throughput: subjects evaluated per second by ProfileSet::Evaluate against the shipped
// default profiles (the embedded data/rules/risk-profiles/*.dmn), single thread.
//
// Usage: selectivity_bench [SUBJECTS=200000] [RUNS=5]
// Subjects are generated with a fixed xorshift64 seed: 1-5 items each, origins and commodity codes
// drawn from pools that include the codes the profiles test (so rules fire: roughly a quarter of
// subjects get a non-green lane), values and masses spread over four orders of magnitude. Sample
// rates 1 % red and 2 % yellow. Prints the median of RUNS timed passes, first without and then with
// the explanation JSON (which Assess stores), and the lane distribution as a sanity check.
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "customsdesk/selectivity/profile.hpp"
#include "customsdesk/selectivity/selectivity_service.hpp"

using namespace customsdesk::selectivity;

namespace {

std::uint64_t state = 0x9E3779B97F4A7C15ull;
std::uint64_t Next() {
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    return state;
}
template <typename T, std::size_t N>
const T& Pick(const T (&pool)[N]) {
    return pool[Next() % N];
}

const char* kCountries[] = {"CN", "DE", "SE", "US", "IR", "KP", "RU", "BD", "VN", "TR", "IN", "JP", "GB", "NO", "EE"};
const char* kCodes[] = {"84713000", "85171300", "94036010", "93040000", "24022090", "30049000", "61091000",
                        "62034231", "64039900", "95030075", "39269097", "87032319", "73181595", "90183110",
                        "22030001", "08039010", "40111000", "84295199", "85423190", "94016100"};
const char* kGroups[] = {"partnership", "key", "small"};
const char* kAeo[] = {"AEOC", "AEOS", "AEOF"};

Subject MakeSubject(int i) {
    Subject s;
    s.declaration_id = i;
    s.identity = "26FI" + std::to_string(10'000'000 + i);
    s.declaration_type = Next() % 5 == 0 ? "H7" : "H1";
    s.office = "FI002300";
    s.dispatch_country = Pick(kCountries);
    s.origin_country = Pick(kCountries);
    s.destination_country = "FI";
    s.transport_mode = static_cast<std::int64_t>(1 + Next() % 4);
    const int items = 1 + static_cast<int>(Next() % 5);
    std::int64_t total = 0;
    for (int k = 0; k < items; ++k) {
        const std::int64_t value = 10 + static_cast<std::int64_t>(Next() % 60'000);
        const std::int64_t mass = 1 + static_cast<std::int64_t>(Next() % 20'000);
        total += value;
        s.items.push_back({Pick(kCodes), std::string(Pick(kCountries)), Decimal::FromInt(value), Decimal::FromInt(mass)});
    }
    s.total_value = Decimal::FromInt(total);
    if (Next() % 3 == 0) s.trader.customer_group = Pick(kGroups);
    if (Next() % 4 == 0) s.trader.aeo_type = Pick(kAeo);
    s.trader.controls = static_cast<std::int64_t>(Next() % 10);
    s.trader.findings = s.trader.controls > 0 ? static_cast<std::int64_t>(Next() % (s.trader.controls + 1)) / 2 : 0;
    s.trader.declaration_count = Next() % 20 == 0 ? 0 : static_cast<std::int64_t>(Next() % 5000);
    return s;
}

}  // namespace

int main(int argc, char** argv) {
    const int n = argc > 1 ? std::atoi(argv[1]) : 200'000;
    const int runs = argc > 2 ? std::atoi(argv[2]) : 5;
    std::vector<ProfileSource> sources;
    std::int64_t id = 1;
    for (const auto& p : DefaultProfiles()) sources.push_back({std::string(p.key), 1, id++, std::string(p.name), std::string(p.dmn)});
    const ProfileSet set = ProfileSet::Compile(sources);
    if (!set.rejected().empty()) {
        std::fprintf(stderr, "profile rejected: %s\n", set.rejected().front().reason.c_str());
        return 1;
    }
    std::vector<Subject> subjects;
    subjects.reserve(static_cast<std::size_t>(n));
    std::size_t item_count = 0;
    for (int i = 0; i < n; ++i) {
        subjects.push_back(MakeSubject(i));
        item_count += subjects.back().items.size();
    }
    const SampleRates rates{10'000, 20'000, 0xC0FFEEull};
    for (int with_json = 0; with_json < 2; ++with_json) {
        std::vector<double> rates_per_s;
        std::size_t lanes[4] = {0, 0, 0, 0};
        std::size_t sink = 0;
        for (int r = 0; r < runs; ++r) {
            std::fill(std::begin(lanes), std::end(lanes), 0);
            const auto t0 = std::chrono::steady_clock::now();
            for (const auto& s : subjects) {
                Decision d = set.Evaluate(s, rates);
                ++lanes[static_cast<int>(d.lane)];
                if (with_json) sink += d.ExplanationJson().size();
                else sink += d.hits.size();
            }
            const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
            rates_per_s.push_back(n / secs);
        }
        std::sort(rates_per_s.begin(), rates_per_s.end());
        std::printf("%s: median %.0f subjects/s over %d runs of %d subjects (%.2f items/subject); lanes green %zu "
                    "blue %zu yellow %zu red %zu (sink %zu)\n",
                    with_json ? "evaluate + explanation JSON" : "evaluate", rates_per_s[rates_per_s.size() / 2], runs,
                    n, static_cast<double>(item_count) / n, lanes[0], lanes[1], lanes[2], lanes[3], sink);
    }
    return 0;
}

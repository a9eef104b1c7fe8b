// Assessment throughput: taxation::Assess over a tariff table of the size of the CN (9,791 8-digit
// rows plus their 4- and 6-digit parents, two validity periods each), and TaxService::Assess (the
// call the declarations module makes on acceptance: snapshot under the mutex, then Assess) on an
// in-memory SQLite database. Run: build/bench/taxation/taxation_bench --benchmark_repetitions=5
#include <benchmark/benchmark.h>

#include <fmt/format.h>

#include "customsdesk/core/clock.hpp"
#include "customsdesk/storage/migrations.hpp"
#include "customsdesk/taxation/assessment.hpp"
#include "customsdesk/taxation/tax_service.hpp"

namespace {

using namespace customsdesk;
using core::Decimal;

Decimal N(std::string_view s) { return *Decimal::Parse(s); }
taxation::Date D(std::string_view s) { return *taxation::ParseDate(s); }

// Deterministic pseudo-CN codes: 97 chapters x 10 headings x 10 subheadings (4-, 6- and 8-digit rows).
std::vector<std::string> Codes() {
    std::vector<std::string> codes;
    for (int ch = 1; ch <= 97; ++ch)
        for (int h = 0; h < 10; ++h)
            for (int s = 0; s < 10; ++s) codes.push_back(fmt::format("{:02}{:02}{:02}{:02}", ch, h * 3, s * 7, 10));
    return codes;
}

taxation::RateTables BuildTables() {
    std::vector<taxation::TariffRate> tariff;
    for (const auto& c : Codes()) {
        for (std::string prefix : {c.substr(0, 4), c.substr(0, 6), c}) {
            tariff.push_back({prefix, N("4.5"), std::nullopt, "", D("2020-01-01"), D("2023-12-31")});
            tariff.push_back({prefix, N("6.5"), std::nullopt, "", D("2024-01-01"), std::nullopt});
        }
    }
    std::sort(tariff.begin(), tariff.end(), [](const auto& a, const auto& b) {
        return std::tie(a.code_prefix, a.valid_from) < std::tie(b.code_prefix, b.valid_from);
    });
    tariff.erase(std::unique(tariff.begin(), tariff.end(),
                             [](const auto& a, const auto& b) {
                                 return a.code_prefix == b.code_prefix && a.valid_from == b.valid_from;
                             }),
                 tariff.end());
    std::vector<taxation::VatRate> vat{{"", N("24"), D("2013-01-01"), D("2024-08-31")},
                                       {"", N("25.5"), D("2024-09-01"), std::nullopt}};
    std::vector<taxation::ExchangeRate> fx;
    for (int m = 1; m <= 12; ++m) fx.push_back({"USD", D(fmt::format("2024-{:02}-01", m)), N("1.0856")});
    return {*taxation::TariffTable::Build(std::move(tariff)), *taxation::VatTable::Build(std::move(vat)),
            *taxation::ExchangeTable::Build(std::move(fx))};
}

taxation::AssessmentInput Input(std::size_t items) {
    const auto codes = Codes();
    taxation::AssessmentInput in;
    in.acceptance_date = D("2024-09-15");
    in.currency = "USD";
    for (std::size_t i = 0; i < items; ++i) {
        in.items.push_back({codes[(i * 7919) % codes.size()] + "90", N("1234.56"), std::nullopt});
    }
    return in;
}

void BM_Assess(benchmark::State& state) {
    static const taxation::RateTables tables = BuildTables();
    const auto in = Input(static_cast<std::size_t>(state.range(0)));
    for (auto _ : state) {
        auto a = taxation::Assess(tables, in);
        benchmark::DoNotOptimize(a);
    }
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Assess)->Arg(1)->Arg(5)->Arg(50);

void BM_ServiceAssess(benchmark::State& state) {
    static core::SystemClock clock;
    static auto db = [] {
        auto d = storage::Open("sqlite::memory:");
        if (!d || !storage::Migrate(**d, "2026-01-01T00:00:00.000000Z")) std::abort();
        return std::move(*d);
    }();
    static taxation::TaxService service(*db, clock);
    taxation::AssessmentInput in;
    in.acceptance_date = D("2024-09-15");
    for (int i = 0; i < state.range(0); ++i) in.items.push_back({"64039118", N("100.00"), std::nullopt});
    for (auto _ : state) {
        auto a = service.Assess(in);
        if (!a) state.SkipWithError(a.error().message.c_str());
        benchmark::DoNotOptimize(a);
    }
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ServiceAssess)->Arg(5);

}  // namespace

BENCHMARK_MAIN();

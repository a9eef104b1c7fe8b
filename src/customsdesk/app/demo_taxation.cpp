// Demo exchange rates for `serve --demo` (docs/taxation.md, "Seed data"). DEMO VALUES, not official
// ECB or customs rates: round figures near the 2024 levels, valid from 2024-01-01, so that foreign-
// currency assessments work out of the box. The VAT rates and demo duty rates come from migration V071.
#include "customsdesk/app/taxation_cli.hpp"
#include "customsdesk/taxation/tax_service.hpp"

namespace customsdesk::app {

core::Result<void> SeedTaxationDemo(storage::Database& db, const core::Clock& clock) {
    constexpr std::string_view kDemoRates =
        "currency,valid_from,units_per_eur\n"
        "USD,2024-01-01,1.1000\n"
        "GBP,2024-01-01,0.8500\n"
        "SEK,2024-01-01,11.5000\n"
        "NOK,2024-01-01,11.7000\n"
        "JPY,2024-01-01,160.00\n"
        "CNY,2024-01-01,7.8000\n";
    taxation::TaxService service(db, clock);
    auto r = service.Import(core::Principal::System(), taxation::ImportKind::kExchangeRates, kDemoRates);
    if (!r) return core::Fail(std::move(r.error()));
    return {};
}

}  // namespace customsdesk::app

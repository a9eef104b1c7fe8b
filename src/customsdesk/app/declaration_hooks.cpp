#include "customsdesk/app/declaration_hooks.hpp"

#include "customsdesk/control/lane_hook.hpp"
#include "customsdesk/taxation/assessment.hpp"
#include "customsdesk/taxation/json_mapping.hpp"

namespace customsdesk::app {
namespace {

std::optional<core::Decimal> ToCore(const rules::Decimal& d) { return core::Decimal::Parse(d.ToString()); }

taxation::Date DateOf(core::Timestamp t) { return std::chrono::floor<std::chrono::days>(t); }

// `amount` in `currency` converted to EUR with the rate in force today; nullopt without a rate.
std::optional<rules::Decimal> ToEur(taxation::TaxService& taxes, const core::Clock& clock, std::string_view currency,
                                    const rules::Decimal& amount) {
    if (currency.empty() || currency == "EUR") return amount;
    auto tables = taxes.Tables();
    if (!tables) return std::nullopt;
    const auto* rate = (*tables)->fx.Find(currency, DateOf(clock.Now()));
    auto value = ToCore(amount);
    if (rate == nullptr || !value) return std::nullopt;
    auto eur = core::Decimal::Divide(*value, rate->units_per_eur, 6, core::RoundingMode::kHalfUp);
    if (!eur) return std::nullopt;
    return rules::Decimal::Parse(eur->ToString());
}

}  // namespace

void WireTaxation(declarations::DeclarationService& declarations, taxation::TaxService& taxes,
                  const core::Clock& clock) {
    declarations.SetToEur([&taxes, &clock](std::string_view currency,
                                           const rules::Decimal& amount) -> std::optional<rules::Decimal> {
        return ToEur(taxes, clock, currency, amount);
    });
    declarations.SetTaxation([&taxes](const declarations::Declaration& d,
                                      core::Timestamp accepted_at) -> core::Result<std::string> {
        taxation::AssessmentInput in;
        in.acceptance_date = DateOf(accepted_at);
        in.procedure = d.type == declarations::DeclarationType::kH1   ? taxation::Procedure::kImportH1
                       : d.type == declarations::DeclarationType::kH7 ? taxation::Procedure::kImportH7
                                                                      : taxation::Procedure::kExport;
        in.currency = d.invoice_currency.empty() ? "EUR" : d.invoice_currency;
        for (const auto& it : d.items) {
            taxation::AssessmentItem item;
            item.commodity_code = it.commodity_code;
            const auto& value = it.customs_value ? it.customs_value : it.item_amount;
            if (value) {
                if (auto v = ToCore(*value)) item.customs_value = *v;
            }
            in.items.push_back(std::move(item));
        }
        auto a = taxes.Assess(in);
        if (!a) {
            if (a.error().code != core::ErrorCode::kInvalidArgument) return core::Fail(std::move(a.error()));
            boost::json::array errors;
            for (const auto& f : a.error().fields)
                errors.push_back(boost::json::object{{"pointer", f.pointer}, {"code", f.code}, {"message", f.message}});
            return boost::json::serialize(boost::json::object{{"status", "not_assessed"}, {"errors", errors}});
        }
        std::string json;
        json.reserve(400 + 360 * a->items.size());
        {
            core::JsonObjectWriter o(json);
            taxation::WriteAssessment(o, *a);
            o.Text("status", "assessed");
        }
        return json;
    });
}

void WireSelectivity(declarations::DeclarationService& declarations, selectivity::SelectivityService& selectivity,
                     taxation::TaxService& taxes, const core::Clock& clock) {
    declarations.SetSelectivity(control::MakeLaneHook(
        selectivity, [&taxes, &clock](std::string_view currency, const rules::Decimal& amount) {
            return ToEur(taxes, clock, currency, amount);
        }));
}

}  // namespace customsdesk::app

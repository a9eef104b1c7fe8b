#include "customsdesk/taxation/assessment.hpp"

#include <algorithm>
#include <fmt/format.h>
#include <stdexcept>

namespace customsdesk::taxation {
namespace {

using core::Decimal;
using core::RoundingMode;

constexpr RoundingMode kRounding = RoundingMode::kHalfUp;
constexpr int kCents = 2;

// Every Decimal operation below is within range by the input bounds; a nullopt is a bug.
Decimal Must(std::optional<Decimal> d) {
    if (!d) throw std::logic_error("taxation: decimal arithmetic out of range despite the input bounds");
    return *d;
}

Decimal Cents(const Decimal& d) { return Must(d.Round(kCents, kRounding)); }

Decimal H7Limit() { return Decimal::FromInt(150); }

bool ValidCode(std::string_view code) {
    return code.size() >= 2 && code.size() <= kMaxCodeDigits &&
           std::all_of(code.begin(), code.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool InBounds(const Decimal& d) {
    return !d.IsNegative() && d < Decimal::FromInt(kMaxAmountUnits) && d.scale() <= kMaxExchangeScale;
}

}  // namespace

std::optional<Procedure> ParseProcedure(std::string_view text) {
    if (text == "H1") return Procedure::kImportH1;
    if (text == "H7") return Procedure::kImportH7;
    if (text == "export") return Procedure::kExport;
    return std::nullopt;
}

std::string_view ProcedureName(Procedure p) {
    switch (p) {
        case Procedure::kImportH1:
            return "H1";
        case Procedure::kImportH7:
            return "H7";
        case Procedure::kExport:
            return "export";
    }
    return "H1";
}

core::Result<Assessment> Assess(const RateTables& tables, const AssessmentInput& input) {
    core::FieldErrors errors;
    Assessment out;
    out.procedure = input.procedure;
    out.acceptance_date = input.acceptance_date;
    out.currency = input.currency;

    // Exchange rate.
    const ExchangeRate* fx = nullptr;
    if (input.currency == "EUR") {
        out.units_per_eur = Decimal::FromInt(1);
    } else if (input.currency.size() != 3 ||
               !std::all_of(input.currency.begin(), input.currency.end(), [](char c) { return c >= 'A' && c <= 'Z'; })) {
        errors.Add("/currency", "format", "An ISO 4217 currency code of three capital letters.");
    } else if ((fx = tables.fx.Find(input.currency, input.acceptance_date)) == nullptr) {
        errors.Add("/currency", "no_exchange_rate",
                   fmt::format("No exchange rate for {} on or before {}.", input.currency,
                               FormatDate(input.acceptance_date)));
    } else {
        out.units_per_eur = fx->units_per_eur;
        out.exchange_rate_date = fx->valid_from;
    }

    if (input.items.empty()) errors.Add("/items", "required", "A declaration has at least one item.");
    if (input.items.size() > kMaxItems) {
        errors.Add("/items", "too_many", fmt::format("At most {} items.", kMaxItems));
        return core::Fail(core::Error::InvalidArgument("The assessment input is invalid.", errors.errors()));
    }

    // Item checks and customs values in EUR.
    out.items.resize(input.items.size());
    for (std::size_t i = 0; i < input.items.size(); ++i) {
        const auto& item = input.items[i];
        if (!ValidCode(item.commodity_code)) {
            errors.Add(fmt::format("/items/{}/commodity_code", i), "format", "A commodity code has 2 to 10 digits.");
        }
        if (!InBounds(item.customs_value)) {
            errors.Add(fmt::format("/items/{}/customs_value", i), "out_of_range",
                       fmt::format("A customs value is between 0 and 10^15 with at most {} decimals.",
                                   kMaxExchangeScale));
        }
        if (item.quantity && (!InBounds(*item.quantity) || item.quantity->IsZero())) {
            errors.Add(fmt::format("/items/{}/quantity", i), "out_of_range",
                       "A quantity is greater than 0 and below 10^15.");
        }
    }
    if (!errors.empty()) {
        return core::Fail(core::Error::InvalidArgument("The assessment input is invalid.", errors.errors()));
    }

    Decimal total_value;
    for (std::size_t i = 0; i < input.items.size(); ++i) {
        const auto& value = input.items[i].customs_value;
        Decimal eur = fx ? Must(Decimal::Divide(value, fx->units_per_eur, kCents, kRounding)) : Cents(value);
        out.items[i].customs_value_eur = eur;
        total_value = Must(Decimal::Add(total_value, eur));
    }
    out.total_customs_value_eur = Cents(total_value);

    const bool is_export = input.procedure == Procedure::kExport;
    if (input.procedure == Procedure::kImportH7) {
        if (out.total_customs_value_eur > H7Limit()) {
            errors.Add("/items", "h7_value_limit",
                       fmt::format("The intrinsic value {} EUR exceeds 150.00 EUR: lodge an H1 declaration.",
                                   out.total_customs_value_eur.ToString()));
            return core::Fail(core::Error::InvalidArgument("The assessment input is invalid.", errors.errors()));
        }
        out.h7_duty_relief = true;
    }

    Decimal total_duty = Cents(Decimal{});
    Decimal total_vat = Cents(Decimal{});
    for (std::size_t i = 0; i < input.items.size(); ++i) {
        const auto& item = input.items[i];
        auto& res = out.items[i];
        res.duty = Cents(Decimal{});
        res.vat = Cents(Decimal{});
        res.vat_base = res.customs_value_eur;
        if (is_export) continue;

        if (out.h7_duty_relief) {
            res.duty_relief = true;
        } else if (const TariffRate* rate = tables.tariff.Find(item.commodity_code, input.acceptance_date)) {
            res.tariff_code_prefix = rate->code_prefix;
            res.duty_percent = rate->duty_percent;
            Decimal duty = Must(Decimal::Mul(res.customs_value_eur, Must(rate->duty_percent.ShiftRight(2))));
            if (rate->specific_duty) {
                res.specific_duty = rate->specific_duty;
                res.specific_unit = rate->specific_unit;
                if (!item.quantity) {
                    errors.Add(fmt::format("/items/{}/quantity", i), "required",
                               fmt::format("The tariff rate for {} has a specific duty per {}: give the quantity.",
                                           rate->code_prefix, rate->specific_unit));
                } else {
                    duty = Must(Decimal::Add(duty, Must(Decimal::Mul(*item.quantity, *rate->specific_duty))));
                }
            }
            res.duty = Cents(duty);
        } else {
            errors.Add(fmt::format("/items/{}/commodity_code", i), "no_tariff_rate",
                       fmt::format("No tariff rate for commodity code {} on {}.", item.commodity_code,
                                   FormatDate(input.acceptance_date)));
        }

        res.vat_base = Must(Decimal::Add(res.customs_value_eur, res.duty));
        if (const VatRate* vat = tables.vat.Find(item.commodity_code, input.acceptance_date)) {
            res.vat_code_prefix = vat->code_prefix;
            res.vat_percent = vat->percent;
            res.vat = Cents(Must(Decimal::Mul(res.vat_base, Must(vat->percent.ShiftRight(2)))));
        } else {
            errors.Add(fmt::format("/items/{}/commodity_code", i), "no_vat_rate",
                       fmt::format("No VAT rate for commodity code {} on {}.", item.commodity_code,
                                   FormatDate(input.acceptance_date)));
        }
        total_duty = Must(Decimal::Add(total_duty, res.duty));
        total_vat = Must(Decimal::Add(total_vat, res.vat));
    }
    if (!errors.empty()) {
        return core::Fail(core::Error::InvalidArgument("No rate for some items.", errors.errors()));
    }
    out.total_duty = total_duty;
    out.total_vat = total_vat;
    out.total_taxes = Must(Decimal::Add(total_duty, total_vat));
    return out;
}

}  // namespace customsdesk::taxation

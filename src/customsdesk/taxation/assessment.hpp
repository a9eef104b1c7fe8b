// Assess: customs duty and import VAT of one declaration, from an immutable RateTables snapshot.
//
// Pure and deterministic: no clock, no database, no I/O; the same input and tables always give the
// same amounts. Amounts are core::Decimal (exact); see docs/taxation.md for the formulas. In short,
// per item, every amount rounded to cents HALF-UP (ties away from zero) once, where it is computed:
//   customs_value_eur = round(customs_value / units_per_eur)            (EUR input: round(customs_value))
//   duty              = round(customs_value_eur * duty_percent / 100 + quantity * specific_duty)
//   vat_base          = customs_value_eur + duty                        (exact, both already in cents)
//   vat               = round(vat_base * vat_percent / 100)
// and the totals are sums of the rounded item amounts.
//
// Procedures:
// - kImportH1: duty from the tariff table (longest prefix valid on the acceptance date), VAT from the
//   VAT table at the rate in force on the acceptance date.
// - kImportH7 (low-value consignment): the consignment's intrinsic value (sum of the items' EUR customs
//   values) must be <= 150.00 EUR, else an error (such goods need an H1 declaration); duty is relieved
//   (0, no tariff lookup), VAT is due as for H1.
// - kExport: no duty and no VAT (0 %); the customs value is still converted to EUR.
//
// Errors (core::ErrorCode::kInvalidArgument, all problems at once, JSON pointers relative to the
// AssessmentInput as JSON, i.e. the POST /api/v1/taxation/assess body):
//   /currency                   format | no_exchange_rate (no rate on or before the acceptance date)
//   /items                      required | too_many | h7_value_limit
//   /items/{i}/commodity_code   format | no_tariff_rate | no_vat_rate
//   /items/{i}/customs_value    out_of_range
//   /items/{i}/quantity         required (the tariff row has a specific duty) | out_of_range
// Performance: no allocation besides the result's item vector; lookups are hash probes.
// Thread-safety: a free function over immutable data; call it from any thread.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "customsdesk/core/decimal.hpp"
#include "customsdesk/core/error.hpp"
#include "customsdesk/taxation/tables.hpp"

namespace customsdesk::taxation {

enum class Procedure { kImportH1, kImportH7, kExport };

// "H1", "H7", "export" (the API and case-file spelling).
std::optional<Procedure> ParseProcedure(std::string_view text);
std::string_view ProcedureName(Procedure p);

inline constexpr std::size_t kMaxItems = 999;  // the EU customs data model's item limit
// 10^15 units of any currency: beyond any real declaration, and far from core::Decimal's range.
inline constexpr std::int64_t kMaxAmountUnits = 1'000'000'000'000'000;

struct AssessmentItem {
    std::string commodity_code;            // 2..10 digits (CN8 or TARIC10 normally; H7 allows HS6)
    core::Decimal customs_value;           // in the invoice currency; >= 0
    std::optional<core::Decimal> quantity; // in the unit of the tariff row's specific duty; > 0
};

struct AssessmentInput {
    Date acceptance_date{};
    Procedure procedure = Procedure::kImportH1;
    std::string currency = "EUR";  // invoice currency, ISO 4217
    std::vector<AssessmentItem> items;
};

struct ItemAssessment {
    core::Decimal customs_value_eur;             // cents
    std::string tariff_code_prefix;              // the tariff row applied; "" for H7 relief and export
    core::Decimal duty_percent;                  // 0 when no tariff row applied
    std::optional<core::Decimal> specific_duty;  // EUR per unit, when the row has one
    std::string specific_unit;
    bool duty_relief = false;                    // H7 relief applied
    core::Decimal duty;                          // cents
    core::Decimal vat_base;                      // cents
    std::string vat_code_prefix;                 // the VAT row applied ("" = standard rate)
    core::Decimal vat_percent;
    core::Decimal vat;                           // cents
};

struct Assessment {
    Procedure procedure = Procedure::kImportH1;
    Date acceptance_date{};
    std::string currency;
    core::Decimal units_per_eur;               // the rate applied; 1 for EUR
    std::optional<Date> exchange_rate_date;    // valid_from of the rate applied; nullopt for EUR
    bool h7_duty_relief = false;
    std::vector<ItemAssessment> items;
    core::Decimal total_customs_value_eur;
    core::Decimal total_duty;
    core::Decimal total_vat;
    core::Decimal total_taxes;                 // total_duty + total_vat
};

[[nodiscard]] core::Result<Assessment> Assess(const RateTables& tables, const AssessmentInput& input);

}  // namespace customsdesk::taxation

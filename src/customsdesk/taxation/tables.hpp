// Rate tables for taxation: customs duty by commodity code, VAT by commodity code, exchange rates.
//
// Each table is built once from plain rows (Build validates every row and refuses overlapping
// validity periods) and is immutable afterwards; lookups never allocate. Dates are calendar days
// (`Date`, no time of day, no time zone: the acceptance date of a declaration as Finnish Customs
// records it); validity periods include both ends, an absent `valid_to` is open-ended.
//
// - TariffTable::Find(code, date): the row with the LONGEST code prefix (2..10 digits) matching the
//   commodity code whose period contains the date; a longer prefix not valid on that date falls back
//   to a shorter one.
// - VatTable::Find(code, date): the same, where the empty prefix is the standard rate for all goods
//   and a non-empty prefix (1..10 digits) is a reduced rate for that commodity group.
// - ExchangeTable::Find(currency, date): the rate in force, i.e. the row with the latest valid_from on
//   or before the date. Rates are quoted as units of the currency per 1 EUR (the ECB convention).
//
// Row errors from Build use JSON pointers relative to the row list: "/3/valid_from".
// Thread-safety: a built table is immutable and safe to share between threads; pointers returned by
// Find stay valid for the table's lifetime.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "customsdesk/core/decimal.hpp"
#include "customsdesk/core/error.hpp"

namespace customsdesk::taxation {

using Date = std::chrono::sys_days;

// "2024-09-01" (a real calendar date, exactly this form); nullopt otherwise.
std::optional<Date> ParseDate(std::string_view text);
std::string FormatDate(Date d);

// Bounds (habit 9): rates and amounts outside them are refused as input errors.
inline constexpr int kMaxRateScale = 6;        // decimals in a percentage or a specific duty
inline constexpr int kMaxExchangeScale = 10;   // decimals in an exchange rate
inline constexpr int kMaxCodeDigits = 10;      // TARIC codes have 10 digits

struct TariffRate {
    std::string code_prefix;                      // 2..10 digits (chapter, heading, CN8, TARIC)
    core::Decimal duty_percent;                   // ad valorem duty, percent of the customs value
    std::optional<core::Decimal> specific_duty;   // EUR per unit of the item's quantity, if any
    std::string specific_unit;                    // label of that unit ("kg", "p/st"); "" without one
    Date valid_from{};
    std::optional<Date> valid_to;                 // inclusive; nullopt = open-ended
};

struct VatRate {
    std::string code_prefix;  // "" = the standard rate for all goods; digits = reduced rate for them
    core::Decimal percent;
    Date valid_from{};
    std::optional<Date> valid_to;
};

struct ExchangeRate {
    std::string currency;        // ISO 4217 alphabetic code, three capital letters, not "EUR"
    Date valid_from{};           // in force from this day until the next row of the same currency
    core::Decimal units_per_eur; // 1 EUR = units_per_eur units of the currency; > 0
};

// Row checks shared by Build, the CSV import and the API (pointers are `base` + "/field").
void CheckTariffRate(const TariffRate& row, const std::string& base, core::FieldErrors& errors);
void CheckVatRate(const VatRate& row, const std::string& base, core::FieldErrors& errors);
void CheckExchangeRate(const ExchangeRate& row, const std::string& base, core::FieldErrors& errors);

namespace detail {
// Validity periods per code prefix. The prefix is encoded as an integer key (value * 16 + length),
// so a lookup walks at most 11 keys of one hash map without building a string.
class PrefixIndex {
public:
    struct Period {
        Date from;
        Date to;  // inclusive; Date::max() when open-ended
        std::size_t row;
    };
    static std::uint64_t Key(std::string_view digits);
    void Add(std::uint64_t key, Period period);
    // Sorts the periods; returns the pairs of rows whose periods overlap (first is the later row).
    std::vector<std::pair<std::size_t, std::size_t>> Finish();
    // Longest prefix of `code` of at least `min_len` digits with a period containing `date`.
    [[nodiscard]] std::optional<std::size_t> Find(std::string_view code, int min_len, Date date) const;

private:
    std::unordered_map<std::uint64_t, std::vector<Period>> periods_;
};
}  // namespace detail

class TariffTable {
public:
    // `conflicts`, when given, receives the (later row, earlier row) index pairs of the overlap errors.
    static core::Result<TariffTable> Build(std::vector<TariffRate> rows,
                                   std::vector<std::pair<std::size_t, std::size_t>>* conflicts = nullptr);
    [[nodiscard]] const TariffRate* Find(std::string_view commodity_code, Date date) const;
    [[nodiscard]] const std::vector<TariffRate>& rows() const { return rows_; }

private:
    std::vector<TariffRate> rows_;
    detail::PrefixIndex index_;
};

class VatTable {
public:
    // `conflicts`, when given, receives the (later row, earlier row) index pairs of the overlap errors.
    static core::Result<VatTable> Build(std::vector<VatRate> rows,
                                   std::vector<std::pair<std::size_t, std::size_t>>* conflicts = nullptr);
    [[nodiscard]] const VatRate* Find(std::string_view commodity_code, Date date) const;
    [[nodiscard]] const std::vector<VatRate>& rows() const { return rows_; }

private:
    std::vector<VatRate> rows_;
    detail::PrefixIndex index_;
};

class ExchangeTable {
public:
    // `conflicts`, when given, receives the (later row, earlier row) index pairs of the overlap errors.
    static core::Result<ExchangeTable> Build(std::vector<ExchangeRate> rows,
                                   std::vector<std::pair<std::size_t, std::size_t>>* conflicts = nullptr);
    [[nodiscard]] const ExchangeRate* Find(std::string_view currency, Date date) const;
    [[nodiscard]] const std::vector<ExchangeRate>& rows() const { return rows_; }

private:
    std::vector<ExchangeRate> rows_;
    // currency key (three letters packed in an integer) -> row indices sorted by valid_from
    std::unordered_map<std::uint32_t, std::vector<std::size_t>> by_currency_;
};

// The three tables an assessment reads: one immutable snapshot.
struct RateTables {
    TariffTable tariff;
    VatTable vat;
    ExchangeTable fx;
};

}  // namespace customsdesk::taxation

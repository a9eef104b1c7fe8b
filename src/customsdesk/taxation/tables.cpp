#include "customsdesk/taxation/tables.hpp"

#include <algorithm>
#include <fmt/format.h>

namespace customsdesk::taxation {
namespace {

using core::Decimal;
using core::FieldErrors;

bool AllDigits(std::string_view s) {
    return std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool IsCurrencyCode(std::string_view s) {
    return s.size() == 3 && std::all_of(s.begin(), s.end(), [](char c) { return c >= 'A' && c <= 'Z'; });
}

std::uint32_t CurrencyKey(std::string_view c) {
    return (static_cast<std::uint32_t>(c[0]) << 16) | (static_cast<std::uint32_t>(c[1]) << 8) |
           static_cast<std::uint32_t>(c[2]);
}

void CheckPeriod(Date from, const std::optional<Date>& to, const std::string& base, FieldErrors& errors) {
    if (to && *to < from) errors.Add(base + "/valid_to", "before_valid_from", "valid_to is before valid_from.");
}

void CheckPercent(const Decimal& p, const std::string& pointer, FieldErrors& errors) {
    if (p.IsNegative() || p > Decimal::FromInt(1000)) {
        errors.Add(pointer, "out_of_range", "A rate must be between 0 and 1000 percent.");
    } else if (p.scale() > kMaxRateScale) {
        errors.Add(pointer, "too_precise", fmt::format("At most {} decimals.", kMaxRateScale));
    }
}

std::string OverlapMessage(std::size_t other) {
    return fmt::format("The validity period overlaps row {} with the same key.", other);
}

}  // namespace

std::optional<Date> ParseDate(std::string_view s) {
    if (s.size() != 10 || s[4] != '-' || s[7] != '-') return std::nullopt;
    if (!AllDigits(s.substr(0, 4)) || !AllDigits(s.substr(5, 2)) || !AllDigits(s.substr(8, 2))) return std::nullopt;
    int y = std::stoi(std::string(s.substr(0, 4)));
    unsigned m = static_cast<unsigned>(std::stoi(std::string(s.substr(5, 2))));
    unsigned d = static_cast<unsigned>(std::stoi(std::string(s.substr(8, 2))));
    std::chrono::year_month_day ymd{std::chrono::year(y), std::chrono::month(m), std::chrono::day(d)};
    if (!ymd.ok() || y < 1900) return std::nullopt;
    return std::chrono::sys_days(ymd);
}

std::string FormatDate(Date d) {
    std::chrono::year_month_day ymd(d);
    return fmt::format("{:04}-{:02}-{:02}", static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                       static_cast<unsigned>(ymd.day()));
}

void CheckTariffRate(const TariffRate& row, const std::string& base, FieldErrors& errors) {
    if (row.code_prefix.size() < 2 || row.code_prefix.size() > kMaxCodeDigits || !AllDigits(row.code_prefix)) {
        errors.Add(base + "/code_prefix", "format", "A commodity code prefix has 2 to 10 digits.");
    }
    CheckPercent(row.duty_percent, base + "/duty_percent", errors);
    if (row.specific_duty) {
        if (row.specific_duty->IsNegative()) {
            errors.Add(base + "/specific_duty", "out_of_range", "A specific duty cannot be negative.");
        } else if (row.specific_duty->scale() > kMaxRateScale) {
            errors.Add(base + "/specific_duty", "too_precise", fmt::format("At most {} decimals.", kMaxRateScale));
        }
        if (row.specific_unit.empty()) {
            errors.Add(base + "/specific_unit", "required", "A specific duty needs the unit it is charged per.");
        }
    } else if (!row.specific_unit.empty()) {
        errors.Add(base + "/specific_unit", "unexpected", "A unit is given but no specific duty.");
    }
    if (row.specific_unit.size() > 20) errors.Add(base + "/specific_unit", "too_long", "At most 20 characters.");
    CheckPeriod(row.valid_from, row.valid_to, base, errors);
}

void CheckVatRate(const VatRate& row, const std::string& base, FieldErrors& errors) {
    if (row.code_prefix.size() > kMaxCodeDigits || !AllDigits(row.code_prefix)) {
        errors.Add(base + "/code_prefix", "format",
                   "A VAT rate's commodity code prefix is empty (standard rate) or 1 to 10 digits.");
    }
    if (row.percent.IsNegative() || row.percent > Decimal::FromInt(100)) {
        errors.Add(base + "/percent", "out_of_range", "A VAT rate must be between 0 and 100 percent.");
    } else if (row.percent.scale() > kMaxRateScale) {
        errors.Add(base + "/percent", "too_precise", fmt::format("At most {} decimals.", kMaxRateScale));
    }
    CheckPeriod(row.valid_from, row.valid_to, base, errors);
}

void CheckExchangeRate(const ExchangeRate& row, const std::string& base, FieldErrors& errors) {
    if (!IsCurrencyCode(row.currency) || row.currency == "EUR") {
        errors.Add(base + "/currency", "format", "An ISO 4217 code of three capital letters other than EUR.");
    }
    if (row.units_per_eur.IsNegative() || row.units_per_eur.IsZero()) {
        errors.Add(base + "/units_per_eur", "out_of_range", "An exchange rate must be greater than zero.");
    } else if (row.units_per_eur.scale() > kMaxExchangeScale) {
        errors.Add(base + "/units_per_eur", "too_precise", fmt::format("At most {} decimals.", kMaxExchangeScale));
    } else if (row.units_per_eur > Decimal::FromInt(1'000'000'000)) {
        errors.Add(base + "/units_per_eur", "out_of_range", "An exchange rate above 1 000 000 000 is not plausible.");
    }
}

namespace detail {

std::uint64_t PrefixIndex::Key(std::string_view digits) {
    std::uint64_t v = 0;
    for (char c : digits) v = v * 10 + static_cast<std::uint64_t>(c - '0');
    return v * 16 + digits.size();
}

void PrefixIndex::Add(std::uint64_t key, Period period) { periods_[key].push_back(period); }

std::vector<std::pair<std::size_t, std::size_t>> PrefixIndex::Finish() {
    std::vector<std::pair<std::size_t, std::size_t>> overlaps;
    for (auto& [key, list] : periods_) {
        std::sort(list.begin(), list.end(), [](const Period& a, const Period& b) { return a.from < b.from; });
        for (std::size_t i = 1; i < list.size(); ++i) {
            if (list[i].from <= list[i - 1].to) {
                overlaps.emplace_back(std::max(list[i].row, list[i - 1].row), std::min(list[i].row, list[i - 1].row));
            }
        }
    }
    std::sort(overlaps.begin(), overlaps.end());
    return overlaps;
}

std::optional<std::size_t> PrefixIndex::Find(std::string_view code, int min_len, Date date) const {
    if (periods_.empty()) return std::nullopt;
    const int len = static_cast<int>(std::min<std::size_t>(code.size(), kMaxCodeDigits));
    std::uint64_t values[kMaxCodeDigits + 1];
    values[0] = 0;
    for (int i = 0; i < len; ++i) {
        char c = code[static_cast<std::size_t>(i)];
        if (c < '0' || c > '9') return std::nullopt;
        values[i + 1] = values[i] * 10 + static_cast<std::uint64_t>(c - '0');
    }
    for (int l = len; l >= min_len; --l) {
        auto it = periods_.find(values[l] * 16 + static_cast<std::uint64_t>(l));
        if (it == periods_.end()) continue;
        const auto& list = it->second;
        // The last period starting on or before the date is the only candidate (periods do not overlap).
        auto after = std::upper_bound(list.begin(), list.end(), date,
                                      [](Date d, const Period& p) { return d < p.from; });
        if (after == list.begin()) continue;
        const Period& p = *(after - 1);
        if (date <= p.to) return p.row;
    }
    return std::nullopt;
}

}  // namespace detail

namespace {
constexpr Date kOpenEnd = Date::max();

core::Result<void> OverlapErrors(const std::vector<std::pair<std::size_t, std::size_t>>& overlaps) {
    FieldErrors errors;
    for (const auto& [later, earlier] : overlaps) {
        errors.Add(fmt::format("/{}/valid_from", later), "overlap", OverlapMessage(earlier));
    }
    return errors.ToResult("Rate rows have overlapping validity periods.");
}
// Tariff and VAT tables are built the same way: rows checked one by one (pointer /<row>), then
// indexed by code prefix and validity period, refusing overlapping periods.
template <typename Row, typename Check>
core::Result<void> IndexByPrefix(const std::vector<Row>& rows, detail::PrefixIndex& index,
                                 std::vector<std::pair<std::size_t, std::size_t>>* conflicts, Check check,
                                 const char* invalid_message) {
    FieldErrors errors;
    for (std::size_t i = 0; i < rows.size(); ++i) check(rows[i], fmt::format("/{}", i), errors);
    if (auto r = errors.ToResult(invalid_message); !r) return core::Fail(std::move(r.error()));
    for (std::size_t i = 0; i < rows.size(); ++i) {
        index.Add(detail::PrefixIndex::Key(rows[i].code_prefix), {rows[i].valid_from, rows[i].valid_to.value_or(kOpenEnd), i});
    }
    auto overlaps = index.Finish();
    if (conflicts) *conflicts = overlaps;
    return OverlapErrors(overlaps);
}
}  // namespace

core::Result<TariffTable> TariffTable::Build(std::vector<TariffRate> rows, std::vector<std::pair<std::size_t, std::size_t>>* conflicts) {
    TariffTable t;
    if (auto r = IndexByPrefix(rows, t.index_, conflicts, CheckTariffRate, "Invalid tariff rates."); !r) {
        return core::Fail(std::move(r.error()));
    }
    t.rows_ = std::move(rows);
    return t;
}

const TariffRate* TariffTable::Find(std::string_view commodity_code, Date date) const {
    auto row = index_.Find(commodity_code, 2, date);
    return row ? &rows_[*row] : nullptr;
}

core::Result<VatTable> VatTable::Build(std::vector<VatRate> rows, std::vector<std::pair<std::size_t, std::size_t>>* conflicts) {
    VatTable t;
    if (auto r = IndexByPrefix(rows, t.index_, conflicts, CheckVatRate, "Invalid VAT rates."); !r) {
        return core::Fail(std::move(r.error()));
    }
    t.rows_ = std::move(rows);
    return t;
}

const VatRate* VatTable::Find(std::string_view commodity_code, Date date) const {
    auto row = index_.Find(commodity_code, 0, date);
    return row ? &rows_[*row] : nullptr;
}

core::Result<ExchangeTable> ExchangeTable::Build(std::vector<ExchangeRate> rows, std::vector<std::pair<std::size_t, std::size_t>>* conflicts) {
    FieldErrors errors;
    for (std::size_t i = 0; i < rows.size(); ++i) CheckExchangeRate(rows[i], fmt::format("/{}", i), errors);
    if (auto r = errors.ToResult("Invalid exchange rates."); !r) return core::Fail(std::move(r.error()));
    ExchangeTable t;
    t.rows_ = std::move(rows);
    for (std::size_t i = 0; i < t.rows_.size(); ++i) t.by_currency_[CurrencyKey(t.rows_[i].currency)].push_back(i);
    for (auto& [key, list] : t.by_currency_) {
        std::sort(list.begin(), list.end(),
                  [&](std::size_t a, std::size_t b) { return t.rows_[a].valid_from < t.rows_[b].valid_from; });
        for (std::size_t i = 1; i < list.size(); ++i) {
            if (t.rows_[list[i]].valid_from == t.rows_[list[i - 1]].valid_from) {
                if (conflicts) conflicts->emplace_back(std::max(list[i], list[i - 1]), std::min(list[i], list[i - 1]));
                errors.Add(fmt::format("/{}/valid_from", std::max(list[i], list[i - 1])), "duplicate",
                           fmt::format("Row {} has the same currency and date.", std::min(list[i], list[i - 1])));
            }
        }
    }
    if (auto r = errors.ToResult("Duplicate exchange rates."); !r) return core::Fail(std::move(r.error()));
    return t;
}

const ExchangeRate* ExchangeTable::Find(std::string_view currency, Date date) const {
    if (!IsCurrencyCode(currency)) return nullptr;
    auto it = by_currency_.find(CurrencyKey(currency));
    if (it == by_currency_.end()) return nullptr;
    const auto& list = it->second;
    auto after = std::upper_bound(list.begin(), list.end(), date,
                                  [&](Date d, std::size_t row) { return d < rows_[row].valid_from; });
    if (after == list.begin()) return nullptr;
    return &rows_[*(after - 1)];
}

}  // namespace customsdesk::taxation

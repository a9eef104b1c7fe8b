#include "customsdesk/taxation/tax_service.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>

#include "customsdesk/core/csv.hpp"
#include "customsdesk/core/json.hpp"

namespace customsdesk::taxation {
namespace {

using core::Decimal;
using core::Error;
using core::FieldErrors;
using core::Result;

// ---- SQL (shared by both dialects) ----
constexpr std::string_view kSelectRevision = "SELECT revision FROM taxation_revision WHERE id = 1";
constexpr std::string_view kBumpRevision = "UPDATE taxation_revision SET revision = revision + 1 WHERE id = 1";
constexpr std::string_view kSelectTariff =
    "SELECT code_prefix, valid_from, valid_to, duty_percent, specific_duty, specific_unit FROM tariff_rates";
constexpr std::string_view kSelectVat = "SELECT code_prefix, valid_from, valid_to, percent FROM vat_rates";
constexpr std::string_view kSelectFx = "SELECT currency, valid_from, units_per_eur FROM exchange_rates";
constexpr std::string_view kUpsertTariff =
    "INSERT INTO tariff_rates (code_prefix, valid_from, valid_to, duty_percent, specific_duty, specific_unit, "
    "updated_at, updated_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) "
    "ON CONFLICT (code_prefix, valid_from) DO UPDATE SET valid_to = excluded.valid_to, "
    "duty_percent = excluded.duty_percent, specific_duty = excluded.specific_duty, "
    "specific_unit = excluded.specific_unit, updated_at = excluded.updated_at, updated_by = excluded.updated_by";
constexpr std::string_view kUpsertVat =
    "INSERT INTO vat_rates (code_prefix, valid_from, valid_to, percent, updated_at, updated_by) "
    "VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (code_prefix, valid_from) DO UPDATE SET "
    "valid_to = excluded.valid_to, percent = excluded.percent, updated_at = excluded.updated_at, "
    "updated_by = excluded.updated_by";
constexpr std::string_view kUpsertFx =
    "INSERT INTO exchange_rates (currency, valid_from, units_per_eur, updated_at, updated_by) "
    "VALUES ($1, $2, $3, $4, $5) ON CONFLICT (currency, valid_from) DO UPDATE SET "
    "units_per_eur = excluded.units_per_eur, updated_at = excluded.updated_at, updated_by = excluded.updated_by";

storage::Param OptDate(const std::optional<Date>& d) {
    if (!d) return storage::Null();
    return FormatDate(*d);
}

// Stored text that does not parse is a broken invariant of our own writes: an internal error.
Result<Decimal> StoredDecimal(const std::string& text, std::string_view table) {
    auto d = Decimal::Parse(text);
    if (!d) return core::Fail(Error::Internal(fmt::format("{}: stored decimal '{}' is malformed", table, text)));
    return *d;
}
Result<Date> StoredDate(const std::string& text, std::string_view table) {
    auto d = ParseDate(text);
    if (!d) return core::Fail(Error::Internal(fmt::format("{}: stored date '{}' is malformed", table, text)));
    return *d;
}

Result<std::vector<TariffRate>> ReadTariff(storage::Transaction& tx) {
    auto rows = tx.Query(kSelectTariff);
    if (!rows) return core::Fail(std::move(rows.error()));
    std::vector<TariffRate> out;
    out.reserve(rows->rows.size());
    for (const auto& r : rows->rows) {
        TariffRate t;
        t.code_prefix = r.GetText(0);
        auto from = StoredDate(r.GetText(1), "tariff_rates");
        auto pct = StoredDecimal(r.GetText(3), "tariff_rates");
        if (!from) return core::Fail(from.error());
        if (!pct) return core::Fail(pct.error());
        t.valid_from = *from;
        t.duty_percent = *pct;
        if (!r.IsNull(2)) {
            auto to = StoredDate(r.GetText(2), "tariff_rates");
            if (!to) return core::Fail(to.error());
            t.valid_to = *to;
        }
        if (!r.IsNull(4)) {
            auto sd = StoredDecimal(r.GetText(4), "tariff_rates");
            if (!sd) return core::Fail(sd.error());
            t.specific_duty = *sd;
        }
        t.specific_unit = r.GetText(5);
        out.push_back(std::move(t));
    }
    return out;
}

Result<std::vector<VatRate>> ReadVat(storage::Transaction& tx) {
    auto rows = tx.Query(kSelectVat);
    if (!rows) return core::Fail(std::move(rows.error()));
    std::vector<VatRate> out;
    for (const auto& r : rows->rows) {
        VatRate v;
        v.code_prefix = r.GetText(0);
        auto from = StoredDate(r.GetText(1), "vat_rates");
        auto pct = StoredDecimal(r.GetText(3), "vat_rates");
        if (!from) return core::Fail(from.error());
        if (!pct) return core::Fail(pct.error());
        v.valid_from = *from;
        v.percent = *pct;
        if (!r.IsNull(2)) {
            auto to = StoredDate(r.GetText(2), "vat_rates");
            if (!to) return core::Fail(to.error());
            v.valid_to = *to;
        }
        out.push_back(std::move(v));
    }
    return out;
}

Result<std::vector<ExchangeRate>> ReadFx(storage::Transaction& tx) {
    auto rows = tx.Query(kSelectFx);
    if (!rows) return core::Fail(std::move(rows.error()));
    std::vector<ExchangeRate> out;
    for (const auto& r : rows->rows) {
        ExchangeRate e;
        e.currency = r.GetText(0);
        auto from = StoredDate(r.GetText(1), "exchange_rates");
        auto rate = StoredDecimal(r.GetText(2), "exchange_rates");
        if (!from) return core::Fail(from.error());
        if (!rate) return core::Fail(rate.error());
        e.valid_from = *from;
        e.units_per_eur = *rate;
        out.push_back(std::move(e));
    }
    return out;
}

std::string KeyOf(const TariffRate& r) { return r.code_prefix + "|" + FormatDate(r.valid_from); }
std::string KeyOf(const VatRate& r) { return r.code_prefix + "|" + FormatDate(r.valid_from); }
std::string KeyOf(const ExchangeRate& r) { return r.currency + "|" + FormatDate(r.valid_from); }
std::string Describe(const TariffRate& r) {
    return fmt::format("the stored row {} from {}", r.code_prefix, FormatDate(r.valid_from));
}
std::string Describe(const VatRate& r) {
    return fmt::format("the stored row '{}' from {}", r.code_prefix, FormatDate(r.valid_from));
}
std::string Describe(const ExchangeRate& r) {
    return fmt::format("the stored row {} from {}", r.currency, FormatDate(r.valid_from));
}

// Where an incoming row came from: its pointer prefix ("/lines/3" for CSV, "" for a posted row) and
// how to name it in messages.
struct Origin {
    std::string base;
    std::string name;
};

// Merges incoming rows over the stored ones (same key replaces), builds the merged table and maps
// its overlap errors back to the incoming rows. Returns the counts of new and replaced keys.
template <typename Row, typename Table>
Result<ImportReport> MergeAndCheck(const std::vector<Row>& stored, const std::vector<Row>& incoming,
                                   const std::vector<Origin>& origins) {
    std::map<std::string, std::size_t> incoming_keys;
    for (std::size_t i = 0; i < incoming.size(); ++i) incoming_keys.emplace(KeyOf(incoming[i]), i);
    std::vector<Row> merged;
    std::vector<std::optional<std::size_t>> from_incoming;  // index into incoming, nullopt for stored
    ImportReport report;
    report.rows = incoming.size();
    for (const auto& row : stored) {
        if (incoming_keys.contains(KeyOf(row))) {
            ++report.replaced;
            continue;
        }
        merged.push_back(row);
        from_incoming.push_back(std::nullopt);
    }
    report.inserted = incoming.size() - report.replaced;
    for (std::size_t i = 0; i < incoming.size(); ++i) {
        merged.push_back(incoming[i]);
        from_incoming.push_back(i);
    }
    std::vector<std::pair<std::size_t, std::size_t>> conflicts;
    std::vector<Row> copy = merged;
    auto built = Table::Build(std::move(copy), &conflicts);
    if (built) return report;
    if (conflicts.empty()) return core::Fail(std::move(built.error()));  // cannot happen: rows were checked
    FieldErrors errors;
    for (const auto& [a, b] : conflicts) {
        // Report on the incoming row of the pair (the later one in file order when both are).
        std::size_t at = from_incoming[a] ? a : b;
        std::size_t other = at == a ? b : a;
        if (!from_incoming[at]) {
            return core::Fail(Error::Internal("stored taxation rates overlap: " + Describe(merged[at])));
        }
        std::string other_name =
            from_incoming[other] ? origins[*from_incoming[other]].name : Describe(merged[other]);
        errors.Add(origins[*from_incoming[at]].base + "/valid_from", "overlap",
                   "The validity period overlaps " + other_name + ".");
    }
    return core::Fail(Error::InvalidArgument("Rate rows have overlapping validity periods.", errors.errors()));
}

// ---- CSV ----
struct CsvColumns {
    std::map<std::string, std::size_t, std::less<>> index;
    [[nodiscard]] std::string Get(const std::vector<std::string>& fields, std::string_view name) const {
        auto it = index.find(name);
        if (it == index.end() || it->second >= fields.size()) return {};
        return fields[it->second];
    }
};

Result<CsvColumns> ReadHeader(core::CsvReader& reader, std::initializer_list<std::string_view> required,
                              std::initializer_list<std::string_view> optional) {
    std::vector<std::string> header;
    FieldErrors errors;
    if (!reader.Next(header)) {
        errors.Add("/lines/1", reader.error() ? "csv" : "required",
                   reader.error() ? *reader.error() : "The file is empty: a header row is required.");
        return core::Fail(Error::InvalidArgument("The CSV file has no valid header.", errors.errors()));
    }
    CsvColumns cols;
    for (std::size_t i = 0; i < header.size(); ++i) {
        std::string name = header[i];
        bool known = std::find(required.begin(), required.end(), name) != required.end() ||
                     std::find(optional.begin(), optional.end(), name) != optional.end();
        if (!known) {
            errors.Add("/lines/1/" + core::JsonPointerEscape(name), "unknown_column", "This column is not known.");
        } else if (!cols.index.emplace(name, i).second) {
            errors.Add("/lines/1/" + name, "duplicate_column", "This column appears twice.");
        }
    }
    for (auto name : required) {
        if (!cols.index.contains(name)) {
            errors.Add(fmt::format("/lines/1/{}", name), "required", "This column is required.");
        }
    }
    if (auto r = errors.ToResult("The CSV header is invalid."); !r) return core::Fail(std::move(r.error()));
    return cols;
}

std::optional<Decimal> CsvDecimal(const std::string& text, const std::string& pointer, FieldErrors& errors,
                                  bool required) {
    if (text.empty()) {
        if (required) errors.Add(pointer, "required", "This field is required.");
        return std::nullopt;
    }
    auto d = Decimal::Parse(text);
    if (!d) errors.Add(pointer, "format", "Expected a decimal number in plain notation, e.g. 12.5.");
    return d;
}

std::optional<Date> CsvDate(const std::string& text, const std::string& pointer, FieldErrors& errors,
                            bool required) {
    if (text.empty()) {
        if (required) errors.Add(pointer, "required", "This field is required.");
        return std::nullopt;
    }
    auto d = ParseDate(text);
    if (!d) errors.Add(pointer, "format", "Expected a date YYYY-MM-DD.");
    return d;
}

template <typename Row>
struct ParsedCsv {
    std::vector<Row> rows;
    std::vector<Origin> origins;
};

// Reads every data row with `parse_row(fields, base, errors) -> optional<Row>`; refuses the file when
// any row has an error, and when two rows have the same key.
template <typename Row, typename ParseRow>
Result<ParsedCsv<Row>> ReadCsv(std::string_view csv, std::initializer_list<std::string_view> required,
                               std::initializer_list<std::string_view> optional, ParseRow&& parse_row) {
    if (csv.size() > kMaxImportBytes) {
        return core::Fail(Error::ResourceExhausted(fmt::format("A CSV file has at most {} bytes.", kMaxImportBytes)));
    }
    core::CsvReader reader(csv);
    auto cols = ReadHeader(reader, required, optional);
    if (!cols) return core::Fail(std::move(cols.error()));
    ParsedCsv<Row> out;
    FieldErrors errors;
    std::map<std::string, int> lines_by_key;
    std::vector<std::string> fields;
    while (reader.Next(fields)) {
        if (fields.size() == 1 && fields[0].empty()) continue;  // blank line
        std::string base = fmt::format("/lines/{}", reader.line());
        if (out.rows.size() >= kMaxImportRows) {
            return core::Fail(Error::ResourceExhausted(fmt::format("A CSV file has at most {} rows.", kMaxImportRows)));
        }
        if (fields.size() != cols->index.size()) {
            errors.Add(base, "field_count",
                       fmt::format("Expected {} fields, found {}.", cols->index.size(), fields.size()));
            continue;
        }
        std::size_t before = errors.errors().size();
        std::optional<Row> row = parse_row(*cols, fields, base, errors);
        if (!row || errors.errors().size() != before) continue;
        auto [it, fresh] = lines_by_key.emplace(KeyOf(*row), reader.line());
        if (!fresh) {
            errors.Add(base + "/valid_from", "duplicate", fmt::format("Line {} has the same key.", it->second));
            continue;
        }
        out.rows.push_back(std::move(*row));
        out.origins.push_back({base, fmt::format("line {}", reader.line())});
    }
    if (reader.error()) errors.Add(fmt::format("/lines/{}", reader.line()), "csv", *reader.error());
    if (auto r = errors.ToResult("The CSV file has invalid rows; nothing was imported."); !r) {
        return core::Fail(std::move(r.error()));
    }
    return out;
}

std::optional<TariffRate> ParseTariffCsvRow(const CsvColumns& c, const std::vector<std::string>& f,
                                            const std::string& base, FieldErrors& errors) {
    TariffRate row;
    row.code_prefix = c.Get(f, "code_prefix");
    auto pct = CsvDecimal(c.Get(f, "duty_percent"), base + "/duty_percent", errors, true);
    row.specific_duty = CsvDecimal(c.Get(f, "specific_duty"), base + "/specific_duty", errors, false);
    row.specific_unit = c.Get(f, "specific_unit");
    auto from = CsvDate(c.Get(f, "valid_from"), base + "/valid_from", errors, true);
    row.valid_to = CsvDate(c.Get(f, "valid_to"), base + "/valid_to", errors, false);
    if (!pct || !from) {
        CheckTariffRate(row, base, errors);  // still report the other fields' problems
        return std::nullopt;
    }
    row.duty_percent = *pct;
    row.valid_from = *from;
    CheckTariffRate(row, base, errors);
    return row;
}

std::optional<ExchangeRate> ParseFxCsvRow(const CsvColumns& c, const std::vector<std::string>& f,
                                          const std::string& base, FieldErrors& errors) {
    ExchangeRate row;
    row.currency = c.Get(f, "currency");
    auto from = CsvDate(c.Get(f, "valid_from"), base + "/valid_from", errors, true);
    auto rate = CsvDecimal(c.Get(f, "units_per_eur"), base + "/units_per_eur", errors, true);
    if (!from || !rate) return std::nullopt;
    row.valid_from = *from;
    row.units_per_eur = *rate;
    CheckExchangeRate(row, base, errors);
    return row;
}

Result<void> RequireAdmin(const core::Principal& p) {
    if (!p.Has(core::Role::kAdmin)) {
        return core::Fail(Error::PermissionDenied("Only an administrator may change taxation rates."));
    }
    return {};
}

}  // namespace

std::optional<ImportKind> ParseImportKind(std::string_view text) {
    if (text == "tariff") return ImportKind::kTariff;
    if (text == "fx") return ImportKind::kExchangeRates;
    return std::nullopt;
}

TaxService::TaxService(storage::Database& db, const core::Clock& clock) : db_(db), clock_(clock) {}

core::Result<TaxService::Loaded> TaxService::Load() {
    return storage::InReadTx(db_, [&](storage::Transaction& tx) -> Result<Loaded> {
        auto rev = tx.QueryOne(kSelectRevision);
        if (!rev) return core::Fail(std::move(rev.error()));
        auto tariff = ReadTariff(tx);
        if (!tariff) return core::Fail(std::move(tariff.error()));
        auto vat = ReadVat(tx);
        if (!vat) return core::Fail(std::move(vat.error()));
        auto fx = ReadFx(tx);
        if (!fx) return core::Fail(std::move(fx.error()));
        auto t = TariffTable::Build(std::move(*tariff));
        auto v = VatTable::Build(std::move(*vat));
        auto f = ExchangeTable::Build(std::move(*fx));
        if (!t || !v || !f) {
            return core::Fail(Error::Internal("The stored taxation rates do not form valid tables."));
        }
        Loaded out;
        out.revision = *rev ? (*rev)->GetInt(0) : 0;
        out.tables = std::make_shared<const RateTables>(RateTables{std::move(*t), std::move(*v), std::move(*f)});
        return out;
    });
}

core::Result<std::shared_ptr<const RateTables>> TaxService::Tables() {
    std::lock_guard lock(mu_);
    const core::Timestamp now = clock_.Now();
    if (tables_ && now - checked_at_ < kRevisionCheckInterval) return tables_;
    if (tables_) {
        auto rev = storage::InReadTx(db_, [](storage::Transaction& tx) { return tx.QueryOne(kSelectRevision); });
        if (!rev) return core::Fail(std::move(rev.error()));
        if (*rev && (*rev)->GetInt(0) == revision_) {
            checked_at_ = now;
            return tables_;
        }
    }
    auto loaded = Load();
    if (!loaded) return core::Fail(std::move(loaded.error()));
    tables_ = std::move(loaded->tables);
    revision_ = loaded->revision;
    checked_at_ = now;
    return tables_;
}

void TaxService::Invalidate() {
    std::lock_guard lock(mu_);
    tables_.reset();
}

core::Result<Assessment> TaxService::Assess(const AssessmentInput& input) {
    auto tables = Tables();
    if (!tables) return core::Fail(std::move(tables.error()));
    return taxation::Assess(**tables, input);
}

core::Result<std::vector<TariffRate>> TaxService::ListTariffRates(const core::Principal&, const TariffFilter& filter) {
    auto tables = Tables();
    if (!tables) return core::Fail(std::move(tables.error()));
    std::vector<TariffRate> out;
    for (const auto& r : (*tables)->tariff.rows()) {
        if (!filter.code.empty() && !filter.code.starts_with(r.code_prefix) && !r.code_prefix.starts_with(filter.code))
            continue;
        if (filter.date && (*filter.date < r.valid_from || (r.valid_to && *r.valid_to < *filter.date))) continue;
        out.push_back(r);
    }
    std::sort(out.begin(), out.end(), [](const TariffRate& a, const TariffRate& b) {
        return std::tie(a.code_prefix, a.valid_from) < std::tie(b.code_prefix, b.valid_from);
    });
    if (out.size() > std::min(filter.limit, kMaxListRows)) out.resize(std::min(filter.limit, kMaxListRows));
    return out;
}

core::Result<std::vector<VatRate>> TaxService::ListVatRates(const core::Principal&) {
    auto tables = Tables();
    if (!tables) return core::Fail(std::move(tables.error()));
    std::vector<VatRate> out = (*tables)->vat.rows();
    std::sort(out.begin(), out.end(), [](const VatRate& a, const VatRate& b) {
        return std::tie(a.code_prefix, a.valid_from) < std::tie(b.code_prefix, b.valid_from);
    });
    return out;
}

core::Result<std::vector<ExchangeRate>> TaxService::ListExchangeRates(const core::Principal&,
                                                                      std::string_view currency) {
    auto tables = Tables();
    if (!tables) return core::Fail(std::move(tables.error()));
    std::vector<ExchangeRate> out;
    for (const auto& r : (*tables)->fx.rows()) {
        if (currency.empty() || r.currency == currency) out.push_back(r);
    }
    std::sort(out.begin(), out.end(), [](const ExchangeRate& a, const ExchangeRate& b) {
        return std::tie(a.currency, a.valid_from) < std::tie(b.currency, b.valid_from);
    });
    return out;
}

core::Result<ImportReport> TaxService::Import(const core::Principal& p, ImportKind kind, std::string_view csv) {
    if (auto ok = RequireAdmin(p); !ok) return core::Fail(std::move(ok.error()));
    const std::string now = core::FormatTimestamp(clock_.Now());
    const std::string by = p.username;
    Result<ImportReport> result = core::Fail(Error::Internal("unreachable"));
    if (kind == ImportKind::kTariff) {
        auto parsed = ReadCsv<TariffRate>(
            csv, {"code_prefix", "duty_percent", "valid_from"}, {"specific_duty", "specific_unit", "valid_to"},
            ParseTariffCsvRow);
        if (!parsed) return core::Fail(std::move(parsed.error()));
        result = storage::InWriteTx(db_, [&](storage::Transaction& tx) -> Result<ImportReport> {
            if (auto b = tx.Execute(kBumpRevision); !b) return core::Fail(std::move(b.error()));
            auto stored = ReadTariff(tx);
            if (!stored) return core::Fail(std::move(stored.error()));
            auto report = MergeAndCheck<TariffRate, TariffTable>(*stored, parsed->rows, parsed->origins);
            if (!report) return report;
            for (const auto& r : parsed->rows) {
                std::vector<storage::Param> params{r.code_prefix,
                                                   FormatDate(r.valid_from),
                                                   OptDate(r.valid_to),
                                                   r.duty_percent.ToString(),
                                                   r.specific_duty ? storage::Param(r.specific_duty->ToString())
                                                                   : storage::Null(),
                                                   r.specific_unit,
                                                   now,
                                                   by};
                if (auto e = tx.Execute(kUpsertTariff, params); !e) return core::Fail(std::move(e.error()));
            }
            return report;
        });
    } else {
        auto parsed =
            ReadCsv<ExchangeRate>(csv, {"currency", "valid_from", "units_per_eur"}, {}, ParseFxCsvRow);
        if (!parsed) return core::Fail(std::move(parsed.error()));
        result = storage::InWriteTx(db_, [&](storage::Transaction& tx) -> Result<ImportReport> {
            if (auto b = tx.Execute(kBumpRevision); !b) return core::Fail(std::move(b.error()));
            auto stored = ReadFx(tx);
            if (!stored) return core::Fail(std::move(stored.error()));
            auto report = MergeAndCheck<ExchangeRate, ExchangeTable>(*stored, parsed->rows, parsed->origins);
            if (!report) return report;
            for (const auto& r : parsed->rows) {
                if (auto e = tx.Execute(kUpsertFx, {r.currency, FormatDate(r.valid_from), r.units_per_eur.ToString(),
                                                    now, by});
                    !e) {
                    return core::Fail(std::move(e.error()));
                }
            }
            return report;
        });
    }
    if (result) Invalidate();
    return result;
}

core::Result<VatRate> TaxService::PutVatRate(const core::Principal& p, const VatRate& row) {
    if (auto ok = RequireAdmin(p); !ok) return core::Fail(std::move(ok.error()));
    FieldErrors errors;
    CheckVatRate(row, "", errors);
    if (auto r = errors.ToResult(); !r) return core::Fail(std::move(r.error()));
    const std::string now = core::FormatTimestamp(clock_.Now());
    auto result = storage::InWriteTx(db_, [&](storage::Transaction& tx) -> Result<VatRate> {
        if (auto b = tx.Execute(kBumpRevision); !b) return core::Fail(std::move(b.error()));
        auto stored = ReadVat(tx);
        if (!stored) return core::Fail(std::move(stored.error()));
        auto check = MergeAndCheck<VatRate, VatTable>(*stored, {row}, {{"", "this row"}});
        if (!check) return core::Fail(std::move(check.error()));
        if (auto e = tx.Execute(kUpsertVat, {row.code_prefix, FormatDate(row.valid_from), OptDate(row.valid_to),
                                             row.percent.ToString(), now, p.username});
            !e) {
            return core::Fail(std::move(e.error()));
        }
        return row;
    });
    if (result) Invalidate();
    return result;
}

core::Result<ExchangeRate> TaxService::PutExchangeRate(const core::Principal& p, const ExchangeRate& row) {
    if (auto ok = RequireAdmin(p); !ok) return core::Fail(std::move(ok.error()));
    FieldErrors errors;
    CheckExchangeRate(row, "", errors);
    if (auto r = errors.ToResult(); !r) return core::Fail(std::move(r.error()));
    const std::string now = core::FormatTimestamp(clock_.Now());
    auto result = storage::InWriteTx(db_, [&](storage::Transaction& tx) -> Result<ExchangeRate> {
        if (auto b = tx.Execute(kBumpRevision); !b) return core::Fail(std::move(b.error()));
        if (auto e = tx.Execute(kUpsertFx, {row.currency, FormatDate(row.valid_from), row.units_per_eur.ToString(),
                                            now, p.username});
            !e) {
            return core::Fail(std::move(e.error()));
        }
        return row;
    });
    if (result) Invalidate();
    return result;
}

}  // namespace customsdesk::taxation

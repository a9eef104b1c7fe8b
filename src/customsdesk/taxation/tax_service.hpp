// TaxService: the stored rate tables (tariff, VAT, exchange rates), their CSV import, and assessment
// over an in-memory snapshot of them.
//
// Caching: the three tables are loaded into one immutable `RateTables` snapshot on first use and
// shared by all callers (a `shared_ptr<const RateTables>`; an assessment in progress keeps its
// snapshot alive). Every write bumps the stored revision (table taxation_revision) in the same
// transaction and drops this service's snapshot; other processes (a server while the command line
// imports) notice the new revision within kRevisionCheckInterval, checked on use (one tiny query at
// most once per interval), and reload.
//
// Writes are all-or-nothing: a CSV file or a posted row is parsed and checked completely, merged with
// the stored rows (a row with the same key — prefix and valid_from, or currency and valid_from —
// replaces the stored one), the merged table must build (no overlapping periods), and only then is
// anything written, in one transaction. Errors name the CSV line and column ("/lines/3/duty_percent")
// or the JSON field.
//
// Access: writes need the admin role (PermissionDenied otherwise); reading rates and assessing is open
// to every authenticated principal (tariff rates are public information; traders preview their taxes).
// `Assess` takes no principal: it is the internal call of the declarations module on acceptance.
// Thread-safety: thread-safe. The snapshot pointer is guarded by a mutex held only to swap or copy it
// (and while loading, so that concurrent first users load once).
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "customsdesk/core/clock.hpp"
#include "customsdesk/core/error.hpp"
#include "customsdesk/core/principal.hpp"
#include "customsdesk/storage/database.hpp"
#include "customsdesk/taxation/assessment.hpp"
#include "customsdesk/taxation/tables.hpp"

namespace customsdesk::taxation {

inline constexpr std::chrono::seconds kRevisionCheckInterval{2};
inline constexpr std::size_t kMaxImportBytes = 32u << 20;  // one CSV file
inline constexpr std::size_t kMaxImportRows = 200'000;     // TARIC has about 20,000 codes
inline constexpr std::size_t kMaxListRows = 1000;

enum class ImportKind { kTariff, kExchangeRates };
std::optional<ImportKind> ParseImportKind(std::string_view text);  // "tariff" | "fx"

struct ImportReport {
    std::size_t rows = 0;      // data rows in the file
    std::size_t inserted = 0;  // new keys
    std::size_t replaced = 0;  // keys that existed and were overwritten
};

struct TariffFilter {
    std::string code;         // digits: rows whose prefix is a prefix of it or starts with it; "" = all
    std::optional<Date> date; // only rows valid on this day
    std::size_t limit = 200;  // at most kMaxListRows
};

class TaxService {
public:
    TaxService(storage::Database& db, const core::Clock& clock);
    TaxService(const TaxService&) = delete;
    TaxService& operator=(const TaxService&) = delete;

    // The current snapshot (loads or reloads as described above). Errors: kUnavailable when the
    // database cannot be read, kInternal when stored rows do not form valid tables.
    core::Result<std::shared_ptr<const RateTables>> Tables();

    // taxation::Assess over the current snapshot (see assessment.hpp for the rules and errors).
    core::Result<Assessment> Assess(const AssessmentInput& input);

    // Reads (from the snapshot), sorted by key then valid_from.
    core::Result<std::vector<TariffRate>> ListTariffRates(const core::Principal& p, const TariffFilter& filter);
    core::Result<std::vector<VatRate>> ListVatRates(const core::Principal& p);
    core::Result<std::vector<ExchangeRate>> ListExchangeRates(const core::Principal& p, std::string_view currency);

    // Writes (admin). Posted rows: field pointers relative to the row's JSON ("/valid_from").
    core::Result<ImportReport> Import(const core::Principal& p, ImportKind kind, std::string_view csv);
    core::Result<VatRate> PutVatRate(const core::Principal& p, const VatRate& row);
    core::Result<ExchangeRate> PutExchangeRate(const core::Principal& p, const ExchangeRate& row);

    // Forgets the snapshot: the next use reloads.
    void Invalidate();

private:
    struct Loaded {
        std::shared_ptr<const RateTables> tables;
        std::int64_t revision = 0;
    };
    core::Result<Loaded> Load();

    storage::Database& db_;
    const core::Clock& clock_;
    std::mutex mu_;
    std::shared_ptr<const RateTables> tables_;  // guarded by mu_
    std::int64_t revision_ = 0;                  // guarded by mu_
    core::Timestamp checked_at_{};               // guarded by mu_
};

}  // namespace customsdesk::taxation

// CSV import and export of the registry (issue 3 §3; format in docs/formats/registry-csv.md).
//
// Format: RFC 4180, UTF-8 with or without BOM, a header row naming the columns (any order,
// unknown names refused). Lists (roles, languages, contact roles, account team) are separated by
// ";". Organisations are referred to by their key: the Business ID, or the foreign registry id
// when there is none; establishments by their code within the organisation; users by username.
// Export writes the same columns (all of them, in Columns() order), so export -> import
// round-trips.
//
// Import checks every row before writing anything and reports each problem as (line, column,
// message): CSV syntax (the reader resynchronises on the next line), a row with the wrong number
// of fields, invalid UTF-8, the record's own validation (the same as the API's), unknown
// references, duplicates within the file and duplicates of existing records (refused), and
// near-duplicate organisation names at the same postal address (warnings only). Mode
// all-or-nothing writes nothing when any row is bad; skip-bad-rows writes exactly the good rows.
// Good rows are written in ONE transaction with multi-row inserts, with a change-history entry
// and a search entry per record, so a failure leaves the database as it was. Requires a
// registry-maintaining staff role; lookups go through accounts::ScopedSql.
//
// Export reads keyset pages of kExportPageRows rows (id order) inside one read transaction and
// hands each encoded page to the sink: memory stays constant whatever the table size. It is
// data-scoped like every other read (a trader exports their own organisation's rows only).
// Erased contacts are not exported. Thread-safe (no shared state).
#pragma once

#include <boost/json.hpp>

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "customsdesk/core/clock.hpp"
#include "customsdesk/core/principal.hpp"
#include "customsdesk/storage/database.hpp"

namespace customsdesk::registry {

enum class ImportKind { kOrganisations, kEstablishments, kContacts };
std::string_view ImportKindName(ImportKind k);  // "organisations", "establishments", "contacts"
std::optional<ImportKind> ParseImportKind(std::string_view s);
enum class ImportMode { kAllOrNothing, kSkipBadRows };
std::string_view ImportModeName(ImportMode m);  // "all_or_nothing", "skip_bad_rows"
std::optional<ImportMode> ParseImportMode(std::string_view s);

// The columns of a kind, in export order.
const std::vector<std::string>& Columns(ImportKind kind);

inline constexpr std::size_t kMaxImportBytes = 512 * 1024 * 1024;
inline constexpr std::int64_t kMaxImportRows = 2'000'000;
inline constexpr std::size_t kMaxReportedIssues = 10'000;
inline constexpr int kExportPageRows = 2000;
inline constexpr std::int64_t kProgressEvery = 1000;

struct RowIssue {
    std::int64_t line = 0;  // 1 = header
    std::string column;     // "" when the whole row is concerned
    std::string message;
    bool warning = false;

    friend bool operator==(const RowIssue&, const RowIssue&) = default;
};

struct ImportReport {
    ImportKind kind = ImportKind::kOrganisations;
    ImportMode mode = ImportMode::kAllOrNothing;
    std::int64_t rows = 0;      // data rows read
    std::int64_t imported = 0;  // rows written
    std::int64_t rejected = 0;  // rows with an error
    std::int64_t warnings = 0;
    bool written = false;  // anything was committed
    std::vector<RowIssue> issues;  // at most kMaxReportedIssues
    bool issues_truncated = false;
};

// "line,column,severity,message" rows (RFC 4180), header included.
std::string IssuesCsv(const ImportReport& report);
boost::json::object ToJson(const ImportReport& report);

using ImportProgress = std::function<void(std::int64_t done, std::int64_t total)>;

class Importer {
public:
    Importer(storage::Database& db, const core::Clock& clock) : db_(db), clock_(clock) {}
    // Errors are for refusals and outages (permission, database down); bad rows are in the report.
    core::Result<ImportReport> Run(const core::Principal& actor, ImportKind kind, ImportMode mode,
                                   std::string_view csv, const ImportProgress& progress = {});

private:
    storage::Database& db_;
    const core::Clock& clock_;
};

struct ExportResult {
    std::int64_t rows = 0;
    std::optional<std::string> next_cursor;  // set when `max_rows` stopped the export early
};

class Exporter {
public:
    explicit Exporter(storage::Database& db) : db_(db) {}
    // Writes the header and up to `max_rows` rows after `cursor` (all when max_rows is 0) to `sink`,
    // one chunk per page. A sink returning false stops the export (client gone).
    core::Result<ExportResult> Run(const core::Principal& actor, ImportKind kind,
                                   const std::function<bool(std::string_view)>& sink,
                                   const std::optional<std::string>& cursor = std::nullopt, std::int64_t max_rows = 0);

private:
    storage::Database& db_;
};

}  // namespace customsdesk::registry

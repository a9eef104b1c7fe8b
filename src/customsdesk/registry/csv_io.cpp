#include "customsdesk/registry/csv_io.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <iterator>
#include <map>
#include <set>
#include <unordered_map>
#include <unordered_set>

#include "customsdesk/accounts/data_scope.hpp"
#include "customsdesk/core/csv.hpp"
#include "customsdesk/core/identifiers.hpp"
#include "customsdesk/core/json.hpp"
#include "customsdesk/history/change_history.hpp"
#include "customsdesk/storage/bulk.hpp"
#include "customsdesk/registry/contact.hpp"
#include "customsdesk/registry/establishment.hpp"
#include "customsdesk/registry/organisation.hpp"
#include "customsdesk/registry/organisation_service.hpp"
#include "customsdesk/registry/pipeline.hpp"
#include "customsdesk/registry/search.hpp"
#include "customsdesk/registry/service_support.hpp"

namespace customsdesk::registry {
namespace {

using core::Error;
using core::Fail;
using core::Result;

constexpr std::int64_t kImportCacheKib = 512 * 1024;  // SQLite page cache during an import

constexpr std::string_view kAddressColumns[] = {"street", "postal_code", "city", "country"};

std::vector<std::string> OrganisationColumnList() {
    std::vector<std::string> c = {"name",        "business_id",    "foreign_registry_id", "eori",      "vat_number",
                                  "status",      "roles",          "languages",           "sector_segment",
                                  "parent_key",  "customer_group", "value_class",         "kam",       "account_team"};
    for (auto t : kAddressTypes) {
        for (auto f : kAddressColumns) c.push_back(fmt::format("{}_{}", t, f));
    }
    return c;
}

const std::vector<std::string> kOrgColumns = OrganisationColumnList();
const std::vector<std::string> kEstColumns = {"organisation_key", "code",        "name", "type",    "street",
                                              "postal_code",      "city",        "country", "unlocode"};
const std::vector<std::string> kContactColumns = {"organisation_key", "establishment_code", "first_name",
                                                  "last_name",        "email",              "phone",
                                                  "language",         "contact_roles",      "marketing_consent"};

std::vector<std::string> RequiredColumns(ImportKind k) {
    switch (k) {
        case ImportKind::kOrganisations: return {"name"};
        case ImportKind::kEstablishments: return {"organisation_key", "name", "city", "country"};
        case ImportKind::kContacts: return {"organisation_key", "first_name", "last_name"};
    }
    return {};
}

bool ValidUtf8(std::string_view s) {
    std::size_t i = 0;
    while (i < s.size()) {
        const auto c = static_cast<unsigned char>(s[i]);
        if (c < 0x80) {
            ++i;
            continue;
        }
        std::size_t n = 0;
        std::uint32_t cp = 0;
        if ((c & 0xE0) == 0xC0) {
            n = 1;
            cp = c & 0x1F;
        } else if ((c & 0xF0) == 0xE0) {
            n = 2;
            cp = c & 0x0F;
        } else if ((c & 0xF8) == 0xF0) {
            n = 3;
            cp = c & 0x07;
        } else {
            return false;
        }
        if (i + n >= s.size()) return false;
        for (std::size_t k = 1; k <= n; ++k) {
            const auto b = static_cast<unsigned char>(s[i + k]);
            if ((b & 0xC0) != 0x80) return false;
            cp = (cp << 6) | (b & 0x3F);
        }
        if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) || (n == 3 && (cp < 0x10000 || cp > 0x10FFFF)) ||
            (cp >= 0xD800 && cp <= 0xDFFF)) {
            return false;
        }
        i += n + 1;
    }
    return true;
}

std::vector<std::string> SplitList(const std::string& s) {
    std::vector<std::string> out;
    std::size_t start = 0;
    while (start <= s.size()) {
        auto end = s.find(';', start);
        if (end == std::string::npos) end = s.size();
        auto item = std::string(core::TrimAscii(std::string_view(s).substr(start, end - start)));
        if (!item.empty()) out.push_back(std::move(item));
        start = end + 1;
    }
    return out;
}

std::string JoinList(const std::vector<std::string>& items) {
    std::string out;
    for (const auto& i : items) out += (out.empty() ? "" : ";") + i;
    return out;
}

void AppendField(std::string& out, std::string_view v) {
    const bool quote = v.find_first_of(",\"\r\n") != std::string_view::npos ||
                       (!v.empty() && (v.front() == ' ' || v.back() == ' '));
    if (!quote) {
        out += v;
        return;
    }
    out += '"';
    for (char c : v) {
        if (c == '"') out += '"';
        out += c;
    }
    out += '"';
}

void AppendRow(std::string& out, const std::vector<std::string>& fields) {
    for (std::size_t i = 0; i < fields.size(); ++i) {
        if (i > 0) out += ',';
        AppendField(out, fields[i]);
    }
    out += "\r\n";
}

// Reads records, resynchronising on the next line after a syntax error.
class RecordStream {
public:
    explicit RecordStream(std::string_view text) : text_(text), reader_(text) {}

    enum class Status { kRecord, kSyntaxError, kEnd };
    Status Next(std::vector<std::string>& fields, std::int64_t& line, std::string& error) {
        if (reader_.Next(fields)) {
            line = line_base_ + reader_.line();
            return Status::kRecord;
        }
        if (!reader_.error()) return Status::kEnd;
        // The bad record started on reader_.line() (relative); restart on the line after it.
        line = line_base_ + std::max(reader_.line(), 1);
        error = *reader_.error();
        if (auto colon = error.find(": "); colon != std::string::npos) error = error.substr(colon + 2);
        std::int64_t to_skip = line - line_base_;  // newlines to pass from base_
        std::size_t pos = base_;
        while (to_skip > 0 && pos < text_.size()) {
            auto nl = text_.find('\n', pos);
            if (nl == std::string_view::npos) {
                pos = text_.size();
                break;
            }
            pos = nl + 1;
            --to_skip;
        }
        base_ = pos;
        line_base_ = line;
        reader_ = core::CsvReader(text_.substr(pos));
        return Status::kSyntaxError;
    }

private:
    std::string_view text_;
    core::CsvReader reader_;
    std::size_t base_ = 0;
    std::int64_t line_base_ = 0;
};

// Looks column names up without building a std::string per lookup (called for every field of
// every row).
struct NameHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

struct Header {
    std::vector<std::string> names;
    std::unordered_map<std::string, std::size_t, NameHash, std::equal_to<>> index;
    [[nodiscard]] std::string Get(const std::vector<std::string>& row, std::string_view name) const {
        auto it = index.find(name);
        if (it == index.end() || it->second >= row.size()) return {};
        return std::string(core::TrimAscii(row[it->second]));
    }
    [[nodiscard]] bool Has(std::string_view name) const { return index.contains(name); }
};

// What every import collects while checking rows.
class Collector {
public:
    explicit Collector(ImportReport& report) : report_(report) {}
    void Error(std::int64_t line, std::string column, std::string message) {
        Add({line, std::move(column), std::move(message), false});
    }
    void Warning(std::int64_t line, std::string column, std::string message) {
        ++report_.warnings;
        Add({line, std::move(column), std::move(message), true});
    }

private:
    void Add(RowIssue issue) {
        if (report_.issues.size() >= kMaxReportedIssues) {
            report_.issues_truncated = true;
            return;
        }
        report_.issues.push_back(std::move(issue));
    }
    ImportReport& report_;
};

// An organisation id and a text value: the key of per-organisation unique values.
using OrgValue = std::pair<std::int64_t, std::string>;
struct OrgValueHash {
    std::size_t operator()(const OrgValue& k) const noexcept {
        return std::hash<std::string>()(k.second) ^ (std::hash<std::int64_t>()(k.first) * 0x9e3779b97f4a7c15ULL);
    }
};

// A value that must be unique per organisation: against the database and within the file.
class PerOrganisationKeys {
public:
    // Room for `existing` values of the database and `in_file` of the file (no rehashing midway).
    void Reserve(std::size_t existing, std::size_t in_file) {
        existing_.reserve(existing);
        in_file_.reserve(in_file);
    }
    void AddExisting(std::int64_t org, std::string value) { existing_.emplace(org, std::move(value)); }
    // Records `value` for `org` at `line`; false with an error on `column` when it is already taken.
    // `what` names the value in messages ("code", "e-mail"), `record` the kind ("an establishment").
    bool Claim(Collector& collector, std::int64_t line, std::int64_t org, const std::string& value,
               std::string_view column, std::string_view record, std::string_view what) {
        OrgValue k(org, value);
        if (existing_.contains(k)) {
            collector.Error(line, std::string(column),
                            fmt::format("The organisation already has {} with this {}.", record, what));
            return false;
        }
        if (auto [it, added] = in_file_.try_emplace(std::move(k), line); !added) {
            collector.Error(line, std::string(column),
                            fmt::format("The same organisation and {} are already on line {}.", what, it->second));
            return false;
        }
        return true;
    }

private:
    std::unordered_set<OrgValue, OrgValueHash> existing_;
    std::unordered_map<OrgValue, std::int64_t, OrgValueHash> in_file_;
};

// Maps a validation pointer ("/addresses/1/city", "/roles/0") to a CSV column name.
std::string ColumnFor(const std::string& pointer, const std::vector<std::string>& address_types) {
    std::string_view p = pointer;
    if (p.starts_with("/")) p.remove_prefix(1);
    auto slash = p.find('/');
    std::string head(p.substr(0, slash));
    if (head == "addresses" && slash != std::string_view::npos) {
        auto rest = p.substr(slash + 1);
        auto slash2 = rest.find('/');
        std::size_t n = 0;
        try {
            n = std::stoul(std::string(rest.substr(0, slash2)));
        } catch (...) {
            return head;
        }
        if (n < address_types.size() && slash2 != std::string_view::npos) {
            auto field = std::string(rest.substr(slash2 + 1));
            if (field == "type") field = "street";
            return address_types[n] + "_" + field;
        }
    }
    if (head == "kam_user_id") return "kam";
    if (head == "parent_id") return "parent_key";
    if (head == "establishment_id") return "establishment_code";
    return head;
}

void ReportFieldErrors(Collector& c, std::int64_t line, const core::Error& e,
                       const std::vector<std::string>& address_types = {}) {
    if (e.fields.empty()) {
        c.Error(line, "", e.message);
        return;
    }
    for (const auto& f : e.fields) c.Error(line, ColumnFor(f.pointer, address_types), f.message);
}

// Keys of existing records (and users), loaded once per import inside the write transaction.
struct Existing {
    std::unordered_map<std::string, std::int64_t> org_by_key;  // business id / foreign registry id
    std::unordered_map<std::string, std::int64_t> org_by_business_id;  // organisation imports only
    std::unordered_map<std::string, std::int64_t> org_by_eori;         // organisation imports only
    std::unordered_map<std::string, std::pair<std::int64_t, bool>> users;  // username -> (id, is KAM)
};

// `identifiers`: also the Business ID and EORI maps (the duplicate checks of an organisation import).
Result<void> LoadOrganisations(storage::Transaction& tx, const core::AccessScope& scope, bool identifiers,
                               Existing& ex) {
    accounts::ScopedSql q(scope,
                          identifiers ? "SELECT id, business_id, foreign_registry_id, eori FROM organisations WHERE "
                                        "deleted_at IS NULL"
                                      : "SELECT id, business_id, foreign_registry_id FROM organisations WHERE "
                                        "deleted_at IS NULL",
                          "id");
    auto rows = tx.Query(q.sql(), q.params());
    if (!rows) return Fail(std::move(rows.error()));
    ex.org_by_key.reserve(rows->rows.size());
    for (auto& r : rows->rows) {
        const auto id = r.GetInt(0);
        if (identifiers) {
            if (auto b = r.GetOptText(1)) ex.org_by_business_id.emplace(*b, id);
            if (auto e = r.GetOptText(3)) ex.org_by_eori.emplace(*e, id);
        }
        if (auto b = r.GetOptText(1)) ex.org_by_key.emplace(std::move(*b), id);
        if (auto f = r.GetOptText(2)) ex.org_by_key.emplace(std::move(*f), id);
    }
    return {};
}

Result<void> LoadUsers(storage::Transaction& tx, Existing& ex) {
    auto rows = tx.Query("SELECT id, username, roles FROM users");
    if (!rows) return Fail(std::move(rows.error()));
    for (const auto& r : rows->rows) {
        const auto roles = StringsFromJsonText(r.GetText(2));
        ex.users.emplace(r.GetText(1), std::make_pair(r.GetInt(0), std::find(roles.begin(), roles.end(), "kam") !=
                                                                       roles.end()));
    }
    return {};
}

std::optional<std::int64_t> ResolveOrg(const Existing& ex, const std::string& key) {
    auto it = ex.org_by_key.find(key);
    if (it != ex.org_by_key.end()) return it->second;
    // A Business ID may be written without normalisation (lower case, spaces).
    auto upper = std::string(core::TrimAscii(key));
    for (char& ch : upper) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
    it = ex.org_by_key.find(upper);
    if (it != ex.org_by_key.end()) return it->second;
    return std::nullopt;
}

// ---- organisations ----

struct OrgRow {
    std::int64_t line = 0;
    OrganisationFields fields;
    std::string parent_key;
    std::optional<std::size_t> parent_in_file;
    bool ok = true;
};

struct RowSource {
    RecordStream stream;
    Header header;
    Collector& collector;
    ImportReport& report;
    const ImportProgress& progress;
    std::int64_t total_estimate = 0;
    const std::atomic<bool>* cancel = nullptr;  // set: stop reading (the writer failed)
};

// Reads the header; false (with issues) when the file cannot be imported at all.
bool ReadHeader(RowSource& src, ImportKind kind) {
    std::vector<std::string> fields;
    std::int64_t line = 0;
    std::string error;
    const auto st = src.stream.Next(fields, line, error);
    if (st != RecordStream::Status::kRecord) {
        src.collector.Error(1, "", st == RecordStream::Status::kEnd ? "The file is empty; it needs a header row."
                                                                   : "The header row is not valid CSV: " + error);
        return false;
    }
    const auto& allowed = Columns(kind);
    bool ok = true;
    for (std::size_t i = 0; i < fields.size(); ++i) {
        std::string name(core::TrimAscii(fields[i]));
        if (!ValidUtf8(name)) {
            src.collector.Error(1, "", "The header is not valid UTF-8.");
            return false;
        }
        if (std::find(allowed.begin(), allowed.end(), name) == allowed.end()) {
            src.collector.Error(1, name, "Unknown column; the columns are: " + JoinList(allowed) + ".");
            ok = false;
        } else if (!src.header.index.emplace(name, i).second) {
            src.collector.Error(1, name, "The column is named twice.");
            ok = false;
        }
        src.header.names.push_back(std::move(name));
    }
    for (const auto& req : RequiredColumns(kind)) {
        if (!src.header.Has(req)) {
            src.collector.Error(1, req, "This required column is missing from the header.");
            ok = false;
        }
    }
    if (kind == ImportKind::kOrganisations && !src.header.Has("business_id") &&
        !src.header.Has("foreign_registry_id")) {
        src.collector.Error(1, "business_id", "A business_id or foreign_registry_id column is required.");
        ok = false;
    }
    return ok;
}

// Calls `row_fn(line, fields)` for each well-formed data row; reports the malformed ones.
template <typename F>
bool ForEachRow(RowSource& src, F&& row_fn) {
    std::vector<std::string> fields;
    std::int64_t line = 0;
    std::string error;
    for (;;) {
        if (src.cancel != nullptr && src.cancel->load(std::memory_order_relaxed)) return false;
        const auto st = src.stream.Next(fields, line, error);
        if (st == RecordStream::Status::kEnd) break;
        if (src.report.rows >= kMaxImportRows) {
            src.collector.Error(line, "", fmt::format("The file has more than {} rows.", kMaxImportRows));
            return false;
        }
        if (st == RecordStream::Status::kSyntaxError) {
            ++src.report.rows;
            ++src.report.rejected;
            src.collector.Error(line, "", "Broken CSV quoting: " + error + ".");
            continue;
        }
        if (fields.size() == 1 && fields[0].empty()) continue;  // blank line
        ++src.report.rows;
        if (src.progress && src.report.rows % kProgressEvery == 0) src.progress(src.report.rows, src.total_estimate);
        if (fields.size() != src.header.names.size()) {
            ++src.report.rejected;
            src.collector.Error(line, "",
                                fmt::format("The row has {} fields; the header has {}. A required column is missing "
                                            "or a comma is unquoted.",
                                            fields.size(), src.header.names.size()));
            continue;
        }
        bool utf8 = true;
        for (std::size_t i = 0; i < fields.size(); ++i) {
            if (!ValidUtf8(fields[i])) {
                src.collector.Error(line, src.header.names[i], "The value is not valid UTF-8.");
                utf8 = false;
            }
        }
        if (!utf8) {
            ++src.report.rejected;
            continue;
        }
        if (!row_fn(line, fields)) ++src.report.rejected;
    }
    return true;
}

std::int64_t CountLines(std::string_view text) {
    return static_cast<std::int64_t>(std::count(text.begin(), text.end(), '\n'));
}

// The creation entry of an imported record: where it came from. The record's values at creation
// are its stored values until the first update, whose history entry holds the field-level diff;
// repeating every field here would triple the bytes an import of a national register writes.
std::vector<history::FieldChange> ImportSource(std::int64_t line) {
    return {{"source", nullptr, boost::json::value("CSV import, line " + std::to_string(line))}};
}

// ImportSource(line) as stored change text, without building JSON per row: the text of a marker
// line split around the marker once (the line number needs no escaping).
class ImportSourceText {
  public:
    ImportSourceText() {
        constexpr std::int64_t kMarker = 918273645501;
        const std::string text = history::ChangesText(ImportSource(kMarker));
        const std::string marker = std::to_string(kMarker);
        const auto at = text.find(marker);
        prefix_ = text.substr(0, at);
        suffix_ = text.substr(at + marker.size());
    }
    std::string operator()(std::int64_t line) const {
        std::string out = prefix_;
        fmt::format_to(std::back_inserter(out), "{}", line);
        out += suffix_;
        return out;
    }

  private:
    std::string prefix_, suffix_;
};

boost::json::array JsonList(const std::vector<std::string>& items) {
    boost::json::array a;
    for (const auto& i : items) a.emplace_back(i);
    return a;
}

}  // namespace

std::string_view ImportKindName(ImportKind k) {
    switch (k) {
        case ImportKind::kOrganisations: return "organisations";
        case ImportKind::kEstablishments: return "establishments";
        case ImportKind::kContacts: return "contacts";
    }
    return "organisations";
}

std::optional<ImportKind> ParseImportKind(std::string_view s) {
    if (s == "organisations") return ImportKind::kOrganisations;
    if (s == "establishments") return ImportKind::kEstablishments;
    if (s == "contacts") return ImportKind::kContacts;
    return std::nullopt;
}

std::string_view ImportModeName(ImportMode m) {
    return m == ImportMode::kAllOrNothing ? "all_or_nothing" : "skip_bad_rows";
}

std::optional<ImportMode> ParseImportMode(std::string_view s) {
    if (s == "all_or_nothing") return ImportMode::kAllOrNothing;
    if (s == "skip_bad_rows") return ImportMode::kSkipBadRows;
    return std::nullopt;
}

const std::vector<std::string>& Columns(ImportKind kind) {
    switch (kind) {
        case ImportKind::kOrganisations: return kOrgColumns;
        case ImportKind::kEstablishments: return kEstColumns;
        case ImportKind::kContacts: return kContactColumns;
    }
    return kOrgColumns;
}

std::string IssuesCsv(const ImportReport& report) {
    std::string out;
    AppendRow(out, {"line", "column", "severity", "message"});
    for (const auto& i : report.issues) {
        AppendRow(out, {std::to_string(i.line), i.column, i.warning ? "warning" : "error", i.message});
    }
    return out;
}

boost::json::object ToJson(const ImportReport& r) {
    return {{"kind", ImportKindName(r.kind)},     {"mode", ImportModeName(r.mode)},
            {"rows", r.rows},                     {"imported", r.imported},
            {"rejected", r.rejected},             {"warnings", r.warnings},
            {"written", r.written},               {"issues", static_cast<std::int64_t>(r.issues.size())},
            {"issues_truncated", r.issues_truncated}};
}

Result<ImportReport> Importer::Run(const core::Principal& actor, ImportKind kind, ImportMode mode,
                                   std::string_view csv, const ImportProgress& progress) {
    if (!CanMaintain(actor)) return Fail(Error::PermissionDenied("Your role may not import registry data."));
    if (csv.size() > kMaxImportBytes) {
        return Fail(Error::ResourceExhausted(fmt::format("An import file is at most {} bytes.", kMaxImportBytes)));
    }
    ImportReport report;
    report.kind = kind;
    report.mode = mode;
    Collector collector(report);
    RowSource src{RecordStream(csv), {}, collector, report, progress, CountLines(csv)};
    const auto now = clock_.Now();
    const std::string ts = core::FormatTimestamp(now);
    const auto scope = actor.Scope();

    // The import's transaction: true = commit; false = nothing to keep (a bad row in all-or-nothing
    // mode after earlier batches were written, or no good row): roll back.
    auto body = [&](storage::Transaction& tx) -> Result<bool> {
        if (!ReadHeader(src, kind)) return false;
        if (tx.dialect() == storage::Dialect::kSqlite) {
            // A big import touches every page of several indexes: keep them in memory instead of
            // spilling the transaction's pages to the WAL early (kImportCacheKib, reset afterwards).
            if (auto r = tx.Execute(fmt::format("PRAGMA cache_size = -{}", kImportCacheKib)); !r) return Fail(r.error());
        }
        Existing ex;
        if (auto r = LoadOrganisations(tx, scope, kind == ImportKind::kOrganisations, ex); !r) return Fail(r.error());
        std::vector<history::ChangeRecord> changes;
        std::vector<SearchDoc> docs;

        if (kind == ImportKind::kOrganisations) {
            if (auto r = LoadUsers(tx, ex); !r) return Fail(r.error());
            std::vector<OrgRow> rows;
            std::unordered_map<std::string, std::size_t> file_key, file_bid, file_eori;
            std::unordered_map<std::string, std::vector<std::size_t>> file_address;
            bool fine = ForEachRow(src, [&](std::int64_t line, const std::vector<std::string>& f) {
                const auto& h = src.header;
                boost::json::object body;
                auto put = [&](std::string_view col) {
                    auto v = h.Get(f, col);
                    if (!v.empty()) body[col] = v;
                };
                for (auto col : {"name", "business_id", "foreign_registry_id", "eori", "vat_number", "status",
                                 "sector_segment", "customer_group", "value_class"}) {
                    put(col);
                }
                if (!body.contains("name")) body["name"] = "";
                body["roles"] = JsonList(SplitList(h.Get(f, "roles")));
                body["languages"] = JsonList(SplitList(h.Get(f, "languages")));
                boost::json::array addresses;
                std::vector<std::string> address_types;
                for (auto t : kAddressTypes) {
                    boost::json::object a;
                    bool any = false;
                    for (auto c : kAddressColumns) {
                        auto v = h.Get(f, fmt::format("{}_{}", t, c));
                        if (!v.empty()) any = true;
                        a[c] = v;
                    }
                    if (!any) continue;
                    a["type"] = t;
                    if (a["postal_code"].as_string().empty()) a.erase("postal_code");
                    addresses.push_back(std::move(a));
                    address_types.emplace_back(t);
                }
                body["addresses"] = std::move(addresses);
                bool ok = true;
                auto fields = ValidateFields(body);
                if (!fields) {
                    ReportFieldErrors(collector, line, fields.error(), address_types);
                    return false;
                }
                OrgRow row{line, std::move(*fields), h.Get(f, "parent_key"), std::nullopt, true};
                if (auto kam = h.Get(f, "kam"); !kam.empty()) {
                    auto u = ex.users.find(kam);
                    if (u == ex.users.end() || !u->second.second) {
                        collector.Error(line, "kam", "No user with this username has the key account manager role.");
                        ok = false;
                    } else {
                        row.fields.kam = core::UserId(u->second.first);
                    }
                }
                for (const auto& name : SplitList(h.Get(f, "account_team"))) {
                    auto u = ex.users.find(name);
                    if (u == ex.users.end() || !u->second.second) {
                        collector.Error(line, "account_team",
                                        "User " + name + " does not exist or lacks the key account manager role.");
                        ok = false;
                    } else if (row.fields.account_team.size() < kMaxAccountTeam) {
                        row.fields.account_team.emplace_back(u->second.first);
                    }
                }
                auto dup = [&](const std::optional<std::string>& v, std::unordered_map<std::string, std::size_t>& seen,
                               const std::unordered_map<std::string, std::int64_t>& existing, const char* column,
                               const char* what) {
                    if (!v) return;
                    if (auto it = existing.find(*v); it != existing.end()) {
                        collector.Error(line, column,
                                        fmt::format("An organisation with this {} exists: /api/v1/organisations/{}",
                                                    what, it->second));
                        ok = false;
                    } else if (auto it2 = seen.find(*v); it2 != seen.end()) {
                        collector.Error(line, column,
                                        fmt::format("The same {} is already on line {} of this file.", what,
                                                    rows[it2->second].line));
                        ok = false;
                    }
                };
                dup(row.fields.business_id, file_bid, ex.org_by_business_id, "business_id", "Business ID");
                dup(row.fields.eori, file_eori, ex.org_by_eori, "eori", "EORI");
                if (!ok) return false;
                const std::string key = row.fields.business_id.value_or(row.fields.foreign_registry_id.value_or(""));
                if (row.fields.business_id) file_bid.emplace(*row.fields.business_id, rows.size());
                if (row.fields.eori) file_eori.emplace(*row.fields.eori, rows.size());
                file_key.emplace(key, rows.size());
                rows.push_back(std::move(row));
                return true;
            });
            if (!fine) return false;
            // Parents: an existing organisation or a good row of this file, without cycles. A row whose
            // parent row was rejected is rejected too (repeat until nothing changes).
            for (auto& r : rows) {
                if (r.parent_key.empty()) continue;
                if (auto it = file_key.find(r.parent_key); it != file_key.end()) {
                    r.parent_in_file = it->second;
                } else if (auto id = ResolveOrg(ex, r.parent_key)) {
                    r.fields.parent = core::OrganisationId(*id);
                } else {
                    collector.Error(r.line, "parent_key", "No organisation has this Business ID or registry id.");
                    r.ok = false;
                }
            }
            for (std::size_t i = 0; i < rows.size(); ++i) {
                std::size_t cursor = i;
                for (std::size_t steps = 0; rows[cursor].parent_in_file; ++steps) {
                    cursor = *rows[cursor].parent_in_file;
                    if (cursor == i || steps > rows.size()) {
                        collector.Error(rows[i].line, "parent_key", "The parents in this file form a cycle.");
                        rows[i].ok = false;
                        break;
                    }
                }
            }
            for (bool changed = true; changed;) {
                changed = false;
                for (auto& r : rows) {
                    if (r.ok && r.parent_in_file && !rows[*r.parent_in_file].ok) {
                        collector.Error(r.line, "parent_key", "The parent organisation's row is not imported.");
                        r.ok = false;
                        changed = true;
                    }
                }
            }
            for (const auto& r : rows) {
                if (!r.ok) ++report.rejected;
            }
            if (report.rejected > 0 && mode == ImportMode::kAllOrNothing) return false;
            // Near-duplicate names at the same postal address: warnings.
            for (std::size_t i = 0; i < rows.size(); ++i) {
                if (!rows[i].ok) continue;
                const auto key = AddressKey(rows[i].fields);
                if (!key) continue;
                auto same = tx.Query("SELECT id, name FROM organisations WHERE address_key = $1 AND deleted_at IS NULL",
                                     {*key});
                if (!same) return Fail(std::move(same.error()));
                for (const auto& s : same->rows) {
                    if (SimilarNames(rows[i].fields.name, s.GetText(1))) {
                        collector.Warning(rows[i].line, "name",
                                          fmt::format("Organisation {} \"{}\" at the same postal address has a similar "
                                                      "name.",
                                                      s.GetInt(0), s.GetText(1)));
                    }
                }
                auto& list = file_address[*key];
                for (auto j : list) {
                    if (SimilarNames(rows[i].fields.name, rows[j].fields.name)) {
                        collector.Warning(rows[i].line, "name",
                                          fmt::format("Line {} has a similar name at the same postal address.",
                                                      rows[j].line));
                    }
                }
                list.push_back(i);
            }
            std::size_t good = 0;
            for (const auto& r : rows) good += r.ok ? 1 : 0;
            auto ids = storage::AllocateIds(tx, "organisations", good);
            if (!ids) return Fail(std::move(ids.error()));
            std::vector<std::int64_t> id_of(rows.size(), 0);
            std::vector<storage::Param> params;
            std::size_t k = 0;
            for (std::size_t i = 0; i < rows.size(); ++i) {
                if (rows[i].ok) id_of[i] = (*ids)[k++];
            }
            std::vector<storage::Param> parents;
            for (std::size_t i = 0; i < rows.size(); ++i) {
                auto& r = rows[i];
                if (!r.ok) continue;
                if (r.parent_in_file) r.fields.parent = core::OrganisationId(id_of[*r.parent_in_file]);
                const auto& f = r.fields;
                params.insert(params.end(),
                              {id_of[i], f.name, storage::Opt(f.business_id), storage::Opt(f.foreign_registry_id),
                               storage::Opt(f.eori), storage::Opt(f.vat_number), AddressesToJsonText(f.addresses),
                               StringsToJsonText(f.languages), StringsToJsonText(f.roles),
                               storage::Opt(f.sector_segment), std::string(StatusName(f.status)),
                               storage::Opt(f.customer_group), storage::Opt(f.value_class),
                               f.kam ? storage::Param(f.kam->value()) : storage::Null(),
                               TeamToJsonText(f.account_team), storage::Opt(AddressKey(f)), ts, ts});
                if (f.parent) parents.insert(parents.end(), {f.parent->value(), id_of[i]});
                Organisation o;
                o.id = core::OrganisationId(id_of[i]);
                o.fields = f;
                changes.push_back({"organisation", id_of[i], id_of[i], history::ChangeAction::kCreate,
                                   ImportSource(r.line)});
                docs.push_back(OrganisationDoc(o));
            }
            static constexpr std::string_view kOrgInsertColumns[] = {
                "id",          "name",          "business_id",    "foreign_registry_id", "eori",
                "vat_number",  "addresses",     "languages",      "roles",               "sector_segment",
                "status",      "customer_group", "value_class",   "kam_user_id",         "account_team",
                "address_key", "created_at",    "updated_at"};
            if (auto r = tx.CopyRows("organisations", kOrgInsertColumns, params); !r) return Fail(r.error());
            for (std::size_t i = 0; i + 1 < parents.size(); i += 2) {
                auto n = tx.Execute("UPDATE organisations SET parent_id = $1 WHERE id = $2", {parents[i], parents[i + 1]});
                if (!n) return Fail(std::move(n.error()));
            }
            report.imported = static_cast<std::int64_t>(good);
        } else {
            // Establishments and contacts: rows are checked (and their parameters, history entry
            // and search entry built) on a second thread while this one writes the earlier ones.
            // A bad row in all-or-nothing mode stops the handing on; the transaction then rolls
            // back what was written, so the outcome is the one of checking everything first.
            // One batch of checked records, as storage CopyRows rows; the ids are set by the writer.
            struct Batch {
                std::vector<storage::Param> rows;       // 12 per record; [0] the id
                std::vector<std::size_t> generated_code;  // records whose code [2] is "E<id>"
                std::vector<storage::Param> history;    // history::kChangeRowColumns per record
                std::vector<storage::Param> entries;    // kEntryRowColumns per record
                std::vector<storage::Param> keys;       // kKeyRowColumns per identifier key
                std::vector<std::size_t> key_count;     // keys per record
                std::size_t records = 0;
            };
            constexpr std::size_t kRowColumns = 12;
            const bool establishments = kind == ImportKind::kEstablishments;
            const std::string_view table = establishments ? "establishments" : "contacts";
            static constexpr std::string_view kEstablishmentInsertColumns[] = {
                "id",          "organisation_id", "code", "name",    "type",       "street",
                "postal_code", "city",            "country", "unlocode", "created_at", "updated_at"};
            static constexpr std::string_view kContactInsertColumns[] = {
                "id",    "organisation_id", "establishment_id", "first_name",        "last_name",  "email",
                "phone", "language",        "contact_roles",    "marketing_consent", "created_at", "updated_at"};
            const auto columns = establishments ? std::span<const std::string_view>(kEstablishmentInsertColumns)
                                                : std::span<const std::string_view>(kContactInsertColumns);
            PerOrganisationKeys taken;  // establishment codes / contact e-mails, per organisation
            std::unordered_map<OrgValue, std::int64_t, OrgValueHash> establishment_by_code;
            if (establishments) {
                accounts::ScopedSql q(scope, "SELECT organisation_id, code FROM establishments WHERE deleted_at IS NULL",
                                      "organisation_id");
                auto r = tx.Query(q.sql(), q.params());
                if (!r) return Fail(std::move(r.error()));
                taken.Reserve(r->rows.size(), static_cast<std::size_t>(std::max<std::int64_t>(src.total_estimate, 0)));
                for (auto& row : r->rows) taken.AddExisting(row.GetInt(0), row.GetText(1));
            } else {
                accounts::ScopedSql q(scope,
                                      "SELECT organisation_id, email FROM contacts WHERE deleted_at IS NULL AND email "
                                      "IS NOT NULL",
                                      "organisation_id");
                auto r = tx.Query(q.sql(), q.params());
                if (!r) return Fail(std::move(r.error()));
                taken.Reserve(r->rows.size(), static_cast<std::size_t>(std::max<std::int64_t>(src.total_estimate, 0)));
                for (auto& row : r->rows) taken.AddExisting(row.GetInt(0), row.GetText(1));
                accounts::ScopedSql q2(scope,
                                       "SELECT organisation_id, code, id FROM establishments WHERE deleted_at IS NULL",
                                       "organisation_id");
                auto r2 = tx.Query(q2.sql(), q2.params());
                if (!r2) return Fail(std::move(r2.error()));
                establishment_by_code.reserve(r2->rows.size());
                for (const auto& row : r2->rows) {
                    establishment_by_code.emplace(OrgValue(row.GetInt(0), row.GetText(1)), row.GetInt(2));
                }
            }
            const std::string entity_type = establishments ? "establishment" : "contact";
            const ImportSourceText source_text;

            // Checking thread: the row checks as before, then the item to write.
            auto check_establishment = [&](std::int64_t line, const std::vector<std::string>& f, auto& sink) {
                const auto& h = src.header;
                boost::json::object body;
                for (auto col : {"code", "name", "type", "street", "postal_code", "city", "country", "unlocode"}) {
                    auto v = h.Get(f, col);
                    if (!v.empty() || col == std::string_view("name") || col == std::string_view("city") ||
                        col == std::string_view("country")) {
                        body[col] = v;
                    }
                }
                bool ok = true;
                auto fields = ValidateEstablishment(body);
                if (!fields) {
                    ReportFieldErrors(collector, line, fields.error());
                    ok = false;
                }
                const auto key = h.Get(f, "organisation_key");
                auto org = ResolveOrg(ex, key);
                if (!org) {
                    collector.Error(line, "organisation_key",
                                    key.empty() ? "Required." : "No organisation has this Business ID or registry id.");
                    ok = false;
                }
                if (!ok) return false;
                if (fields->code && !taken.Claim(collector, line, *org, *fields->code, "code", "an establishment", "code")) {
                    return false;
                }
                if (report.rejected > 0 && mode == ImportMode::kAllOrNothing) return true;  // nothing will be written
                Establishment e;
                e.organisation = core::OrganisationId(*org);
                e.fields = std::move(*fields);
                Batch& b = sink.batch();
                b.key_count.push_back(AppendEntryRows(EstablishmentDoc(e), b.entries, b.keys));
                history::AppendChangeRow(b.history, actor, ts, entity_type, 0, *org, history::ChangeAction::kCreate,
                                         source_text(line));
                auto& x = e.fields;
                if (!x.code) b.generated_code.push_back(b.records);
                b.rows.insert(b.rows.end(), {std::int64_t{0}, *org,
                                             x.code ? storage::Param(std::move(*x.code)) : storage::Null(),
                                             std::move(x.name), std::move(x.type), std::move(x.street),
                                             std::move(x.postal_code), std::move(x.city), std::move(x.country),
                                             storage::Opt(x.unlocode), ts, ts});
                ++b.records;
                sink.Added();
                return true;
            };
            auto check_contact = [&](std::int64_t line, const std::vector<std::string>& f, auto& sink) {
                const auto& h = src.header;
                boost::json::object body;
                body["first_name"] = h.Get(f, "first_name");
                body["last_name"] = h.Get(f, "last_name");
                for (auto col : {"email", "phone", "language"}) {
                    auto v = h.Get(f, col);
                    if (!v.empty()) body[col] = v;
                }
                body["contact_roles"] = JsonList(SplitList(h.Get(f, "contact_roles")));
                bool ok = true;
                auto consent = h.Get(f, "marketing_consent");
                for (char& ch : consent) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
                if (consent == "true" || consent == "yes" || consent == "1") {
                    body["marketing_consent"] = true;
                } else if (consent.empty() || consent == "false" || consent == "no" || consent == "0") {
                    body["marketing_consent"] = false;
                } else {
                    collector.Error(line, "marketing_consent", "Write true or false.");
                    ok = false;
                }
                auto fields = ValidateContact(body);
                if (!fields) {
                    ReportFieldErrors(collector, line, fields.error());
                    ok = false;
                }
                const auto key = h.Get(f, "organisation_key");
                auto org = ResolveOrg(ex, key);
                if (!org) {
                    collector.Error(line, "organisation_key",
                                    key.empty() ? "Required." : "No organisation has this Business ID or registry id.");
                    ok = false;
                }
                if (!ok) return false;
                if (auto code = h.Get(f, "establishment_code"); !code.empty()) {
                    auto it = establishment_by_code.find(OrgValue(*org, code));
                    if (it == establishment_by_code.end()) {
                        collector.Error(line, "establishment_code", "The organisation has no establishment with this code.");
                        return false;
                    }
                    fields->establishment = EstablishmentId(it->second);
                }
                if (fields->email && !taken.Claim(collector, line, *org, *fields->email, "email", "a contact", "e-mail")) {
                    return false;
                }
                if (report.rejected > 0 && mode == ImportMode::kAllOrNothing) return true;  // nothing will be written
                Contact c;
                c.organisation = core::OrganisationId(*org);
                c.fields = std::move(*fields);
                Batch& b = sink.batch();
                b.key_count.push_back(AppendEntryRows(ContactDoc(c), b.entries, b.keys));
                history::AppendChangeRow(b.history, actor, ts, entity_type, 0, *org, history::ChangeAction::kCreate,
                                         source_text(line));
                auto& x = c.fields;
                b.rows.insert(b.rows.end(),
                              {std::int64_t{0}, *org,
                               x.establishment ? storage::Param(x.establishment->value()) : storage::Null(),
                               std::move(x.first_name), std::move(x.last_name), storage::Opt(x.email),
                               storage::Opt(x.phone), storage::Opt(x.language), StringsToJsonText(x.roles),
                               x.marketing_consent, ts, ts});
                ++b.records;
                sink.Added();
                return true;
            };

            // Writer (this thread): ids, rows, history and search entries per batch; the SQLite
            // word index rows once per range of consecutive ids (search.hpp IndexEntryRange).
            const EntityKind entity_kind = establishments ? EntityKind::kEstablishment : EntityKind::kContact;
            std::optional<std::pair<std::int64_t, std::int64_t>> range;  // entity ids without word rows yet
            std::int64_t report_written = 0;
            auto write = [&](Batch& batch) -> Result<void> {
                auto ids = storage::AllocateIds(tx, table, batch.records);
                if (!ids) return Fail(std::move(ids.error()));
                std::size_t first_key = 0;
                for (std::size_t i = 0; i < batch.records; ++i) {
                    const std::int64_t id = (*ids)[i];
                    batch.rows[i * kRowColumns] = id;
                    batch.history[i * history::kChangeRowColumns + history::kChangeRowEntityId] = id;
                    SetEntryIds(batch.entries, i, batch.keys, first_key, batch.key_count[i], id);
                    first_key += batch.key_count[i];
                }
                for (const std::size_t i : batch.generated_code) batch.rows[i * kRowColumns + 2] = fmt::format("E{}", (*ids)[i]);
                if (auto w = tx.CopyRows(table, columns, batch.rows); !w) return w;
                if (auto h = history::CopyChangeRows(tx, batch.history); !h) return h;
                if (auto ix = WriteEntryRows(tx, batch.entries, batch.keys); !ix) return ix;
                // Word index rows: one range per run of consecutive ids (on SQLite the import's ids
                // are one run: MAX(id) + 1 onwards).
                for (const std::int64_t id : *ids) {
                    if (range && id == range->second + 1) {
                        range->second = id;
                        continue;
                    }
                    if (range) {
                        if (auto r = IndexEntryRange(tx, entity_kind, range->first, range->second); !r) return r;
                    }
                    range = std::make_pair(id, id);
                }
                report_written += static_cast<std::int64_t>(batch.records);
                return {};
            };
            auto fine = CheckWhileWriting<Batch>(
                [&](auto& sink, const std::atomic<bool>& cancelled) {
                    src.cancel = &cancelled;
                    return ForEachRow(src, [&](std::int64_t line, const std::vector<std::string>& f) {
                        return establishments ? check_establishment(line, f, sink) : check_contact(line, f, sink);
                    });
                },
                write);
            src.cancel = nullptr;
            if (!fine) return Fail(std::move(fine.error()));
            if (!*fine) return false;
            if (report.rejected > 0 && mode == ImportMode::kAllOrNothing) return false;
            if (range) {
                if (auto r = IndexEntryRange(tx, entity_kind, range->first, range->second); !r) return Fail(r.error());
            }
            report.imported = report_written;
        }
        if (auto h = history::RecordChanges(tx, actor, now, changes); !h) return Fail(h.error());
        changes.clear();
        if (auto ix = IndexNewDocs(tx, docs); !ix) return Fail(ix.error());
        return report.imported > 0;
    };
    auto result = [&]() -> Result<bool> {
        auto tx = db_.Begin(storage::TxMode::kBulkWrite);
        if (!tx) return Fail(std::move(tx.error()));
        auto keep = body(**tx);
        if (!keep) return keep;
        if (!*keep) {
            (*tx)->Rollback();
            return false;
        }
        if (auto c = (*tx)->Commit(); !c) return Fail(std::move(c.error()));
        return true;
    }();
    if (db_.dialect() == storage::Dialect::kSqlite) {
        (void)storage::InWriteTx(db_, [](storage::Transaction& tx) { return tx.Execute("PRAGMA cache_size = -2000"); });
    }
    if (!result) return Fail(std::move(result.error()));
    report.written = *result;
    if (!report.written) report.imported = 0;
    if (progress) progress(report.rows, report.rows);
    return report;
}

// ---- export ----

Result<ExportResult> Exporter::Run(const core::Principal& actor, ImportKind kind,
                                   const std::function<bool(std::string_view)>& sink,
                                   const std::optional<std::string>& cursor, std::int64_t max_rows) {
    std::int64_t after = 0;
    if (cursor) {
        auto c = DecodeIdCursor(*cursor);
        if (!c) {
            return Fail(Error::InvalidArgument("The query has invalid parameters.",
                                               {{"/query/cursor", "format", "Not a cursor this server issued."}}));
        }
        after = *c;
    }
    const auto scope = actor.Scope();
    return storage::InReadTx(db_, [&](storage::Transaction& tx) -> Result<ExportResult> {
        ExportResult result;
        std::unordered_map<std::int64_t, std::string> usernames;
        if (kind == ImportKind::kOrganisations) {
            auto users = tx.Query("SELECT id, username FROM users");
            if (!users) return Fail(std::move(users.error()));
            for (const auto& u : users->rows) usernames.emplace(u.GetInt(0), u.GetText(1));
        }
        std::string chunk;
        AppendRow(chunk, Columns(kind));
        std::string base;
        std::string org_col;
        switch (kind) {
            case ImportKind::kOrganisations:
                base = fmt::format("SELECT {}, (SELECT COALESCE(p.business_id, p.foreign_registry_id) FROM organisations "
                                   "p WHERE p.id = organisations.parent_id) FROM organisations WHERE deleted_at IS NULL",
                                   OrganisationColumns());
                org_col = "id";
                break;
            case ImportKind::kEstablishments:
                base = "SELECT e.id, COALESCE(o.business_id, o.foreign_registry_id), e.code, e.name, e.type, e.street, "
                       "e.postal_code, e.city, e.country, e.unlocode FROM establishments e JOIN organisations o ON "
                       "o.id = e.organisation_id WHERE e.deleted_at IS NULL";
                org_col = "e.organisation_id";
                break;
            case ImportKind::kContacts:
                base = "SELECT c.id, COALESCE(o.business_id, o.foreign_registry_id), e.code, c.first_name, c.last_name, "
                       "c.email, c.phone, c.language, c.contact_roles, c.marketing_consent FROM contacts c JOIN "
                       "organisations o ON o.id = c.organisation_id LEFT JOIN establishments e ON e.id = "
                       "c.establishment_id WHERE c.deleted_at IS NULL AND c.erased_at IS NULL";
                org_col = "c.organisation_id";
                break;
        }
        const std::string id_col = kind == ImportKind::kOrganisations ? "id"
                                   : kind == ImportKind::kEstablishments ? "e.id"
                                                                         : "c.id";
        for (;;) {
            std::int64_t page = kExportPageRows;
            if (max_rows > 0) page = std::min<std::int64_t>(page, max_rows - result.rows);
            if (page <= 0) break;
            accounts::ScopedSql q(scope, base, org_col);
            q.And(id_col + " > ", after);
            q.Raw(" ORDER BY " + id_col + " LIMIT " + q.Bind(page));
            auto rows = tx.Query(q.sql(), q.params());
            if (!rows) return Fail(std::move(rows.error()));
            for (const auto& r : rows->rows) {
                std::vector<std::string> out;
                if (kind == ImportKind::kOrganisations) {
                    const auto o = OrganisationFromRow(r);
                    const auto& f = o.fields;
                    std::vector<std::string> team;
                    for (const auto& u : f.account_team) team.push_back(usernames[u.value()]);
                    out = {f.name,
                           f.business_id.value_or(""),
                           f.foreign_registry_id.value_or(""),
                           f.eori.value_or(""),
                           f.vat_number.value_or(""),
                           std::string(StatusName(f.status)),
                           JoinList(f.roles),
                           JoinList(f.languages),
                           f.sector_segment.value_or(""),
                           r.GetText(19),
                           f.customer_group.value_or(""),
                           f.value_class.value_or(""),
                           f.kam ? usernames[f.kam->value()] : "",
                           JoinList(team)};
                    for (auto t : kAddressTypes) {
                        const Address* a = nullptr;
                        for (const auto& x : f.addresses) {
                            if (x.type == t) {
                                a = &x;
                                break;
                            }
                        }
                        for (auto c : kAddressColumns) {
                            if (a == nullptr) {
                                out.emplace_back();
                            } else if (c == std::string_view("street")) {
                                out.push_back(a->street);
                            } else if (c == std::string_view("postal_code")) {
                                out.push_back(a->postal_code);
                            } else if (c == std::string_view("city")) {
                                out.push_back(a->city);
                            } else {
                                out.push_back(a->country);
                            }
                        }
                    }
                } else if (kind == ImportKind::kEstablishments) {
                    for (std::size_t i = 1; i < 10; ++i) out.push_back(r.GetText(i));
                } else {
                    for (std::size_t i = 1; i < 8; ++i) out.push_back(r.GetText(i));
                    out.push_back(JoinList(StringsFromJsonText(r.GetText(8))));
                    out.emplace_back(r.GetBool(9) ? "true" : "false");
                }
                AppendRow(chunk, out);
                after = r.GetInt(0);
                ++result.rows;
            }
            if (!sink(chunk)) return result;
            chunk.clear();
            if (static_cast<std::int64_t>(rows->rows.size()) < page) {
                return result;
            }
        }
        if (max_rows > 0 && result.rows >= max_rows) {
            // More may follow: the caller pages on with this cursor (an empty next page ends it).
            result.next_cursor = EncodeIdCursor(after);
        }
        if (!chunk.empty()) sink(chunk);
        return result;
    });
}

}  // namespace customsdesk::registry

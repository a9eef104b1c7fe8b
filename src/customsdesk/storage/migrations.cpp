#include "customsdesk/storage/migrations.hpp"

#include <sodium.h>

#include <algorithm>
#include <charconv>
#include <map>
#include <stdexcept>

#include "customsdesk/storage/embedded_migrations.hpp"

namespace customsdesk::storage {

namespace {

// Serialises concurrent Migrate calls on PostgreSQL (pg_advisory_xact_lock key: "customsd").
constexpr std::int64_t kMigrationLockKey = 0x637573746f6d7364;

constexpr std::string_view kCreateSchemaVersion =
    "CREATE TABLE IF NOT EXISTS schema_version ("
    "version INTEGER PRIMARY KEY, name TEXT NOT NULL, checksum TEXT NOT NULL, applied_at TEXT NOT NULL)";

std::string Label(int version, const std::string& name) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "V%03d", version);
    return name.empty() ? std::string(buf) : std::string(buf) + "__" + name;
}

std::string Sha256Hex(std::string_view text) {
    unsigned char digest[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(text.data()), text.size());
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out;
    out.reserve(2 * sizeof digest);
    for (unsigned char b : digest) {
        out.push_back(kHex[b >> 4]);
        out.push_back(kHex[b & 0xf]);
    }
    return out;
}

std::vector<Migration> Parse(std::string_view dialect) {
    std::vector<Migration> out;
    for (const auto& file : detail::EmbeddedMigrationFiles()) {
        if (file.dialect != dialect) continue;
        // "V001__init.sql"
        const std::string_view name = file.filename;
        const auto sep = name.find("__");
        int version = 0;
        auto [ptr, ec] =
            std::from_chars(name.data() + 1, name.data() + (sep == std::string_view::npos ? 1 : sep), version);
        if (!name.starts_with('V') || sep == std::string_view::npos || ec != std::errc() || ptr != name.data() + sep ||
            !name.ends_with(".sql") || version <= 0) {
            throw std::logic_error("storage: badly named migration " + std::string(dialect) + "/" + std::string(name));
        }
        out.push_back({version, std::string(name.substr(sep + 2, name.size() - sep - 2 - 4)), std::string(file.text)});
    }
    std::sort(out.begin(), out.end(), [](const Migration& a, const Migration& b) { return a.version < b.version; });
    for (std::size_t i = 1; i < out.size(); ++i) {
        if (out[i].version == out[i - 1].version) {
            throw std::logic_error("storage: two migrations numbered " + Label(out[i].version, {}));
        }
    }
    return out;
}

core::Error Prefixed(core::Error error, const std::string& prefix) {
    error.message = prefix + error.message;
    return error;
}

struct Applied {
    std::string name;
    std::string checksum;
};

// Reads schema_version under the migration lock and checks it against `known`.
Result<std::map<int, Applied>> ReadAndCheck(Transaction& tx, const std::vector<Migration>& known) {
    auto rows = tx.Query("SELECT version, name, checksum FROM schema_version ORDER BY version");
    if (!rows) return core::Fail(std::move(rows.error()));
    std::map<int, Applied> applied;
    for (const Row& row : rows->rows) {
        applied[static_cast<int>(row.GetInt(0))] = {row.GetText(1), row.GetText(2)};
    }
    const int newest_known = known.empty() ? 0 : known.back().version;
    for (const auto& [version, row] : applied) {
        if (version > newest_known) {
            return core::Fail(core::Error::FailedPrecondition("the database schema is at " + Label(version, row.name) +
                                                              ", newer than this binary knows (up to " +
                                                              Label(newest_known, {}) + "); upgrade the binary"));
        }
        auto it = std::find_if(known.begin(), known.end(), [&](const Migration& m) { return m.version == version; });
        if (it == known.end()) {
            return core::Fail(core::Error::FailedPrecondition("applied migration " + Label(version, row.name) +
                                                              " is unknown to this binary"));
        }
        if (Sha256Hex(it->sql) != row.checksum) {
            return core::Fail(core::Error::FailedPrecondition("migration " + Label(version, {}) +
                                                              " was edited after it was applied"));
        }
    }
    return applied;
}

// Begins a write transaction holding the migration lock, with schema_version present.
Result<std::unique_ptr<Transaction>> BeginLocked(Database& db) {
    auto tx = db.Begin(TxMode::kWrite);
    if (!tx) return tx;
    // SQLite: BEGIN IMMEDIATE on the single writer already excludes every other writer, also in
    // other processes. PostgreSQL: an advisory lock released at commit.
    if (db.dialect() == Dialect::kPostgres) {
        if (auto r = (*tx)->Query("SELECT pg_advisory_xact_lock($1)", {kMigrationLockKey}); !r) {
            return core::Fail(std::move(r.error()));
        }
    }
    if (auto r = (*tx)->Execute(kCreateSchemaVersion); !r) return core::Fail(std::move(r.error()));
    return tx;
}

}  // namespace

const std::vector<Migration>& EmbeddedMigrations(Dialect dialect) {
    static const std::vector<Migration> sqlite = Parse("sqlite");
    static const std::vector<Migration> postgres = Parse("postgres");
    return dialect == Dialect::kSqlite ? sqlite : postgres;
}

std::string MigrationChecksum(std::string_view sql) {
    if (sodium_init() < 0) throw std::runtime_error("libsodium failed to initialise");
    return Sha256Hex(sql);
}

Result<MigrationReport> Migrate(Database& db, const std::string& now) {
    return Migrate(db, EmbeddedMigrations(db.dialect()), now);
}

Result<MigrationReport> Migrate(Database& db, const std::vector<Migration>& migrations, const std::string& now) {
    if (sodium_init() < 0) throw std::runtime_error("libsodium failed to initialise");
    std::vector<Migration> known = migrations;
    std::sort(known.begin(), known.end(), [](const Migration& a, const Migration& b) { return a.version < b.version; });

    MigrationReport report;
    bool first = true;
    // One transaction per migration; each re-reads schema_version under the lock, so a concurrent
    // starter that got there first is noticed and nothing is applied twice.
    while (true) {
        auto tx = BeginLocked(db);
        if (!tx) return core::Fail(std::move(tx.error()));
        auto applied = ReadAndCheck(**tx, known);
        if (!applied) return core::Fail(std::move(applied.error()));
        const int current = applied->empty() ? 0 : applied->rbegin()->first;
        if (first) {
            report.from_version = current;
            first = false;
        }
        report.to_version = current;
        auto next =
            std::find_if(known.begin(), known.end(), [&](const Migration& m) { return !applied->contains(m.version); });
        if (next == known.end()) {
            if (auto c = (*tx)->Commit(); !c) return core::Fail(std::move(c.error()));
            return report;
        }
        const std::string label = Label(next->version, next->name);
        if (auto r = (*tx)->ExecuteScript(next->sql); !r) {
            return core::Fail(Prefixed(std::move(r.error()), "migration " + label + " failed: "));
        }
        auto r =
            (*tx)->Execute("INSERT INTO schema_version (version, name, checksum, applied_at) VALUES ($1, $2, $3, $4)",
                           {std::int64_t{next->version}, next->name, Sha256Hex(next->sql), now});
        if (!r) return core::Fail(std::move(r.error()));
        if (auto c = (*tx)->Commit(); !c) {
            return core::Fail(Prefixed(std::move(c.error()), "migration " + label + " failed: "));
        }
        report.applied.push_back(label);
        report.to_version = next->version;
    }
}

Result<int> CurrentSchemaVersion(Database& db) {
    auto tx = db.Begin(TxMode::kRead);
    if (!tx) return core::Fail(std::move(tx.error()));
    const std::string_view exists =
        db.dialect() == Dialect::kSqlite
            ? "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'"
            : "SELECT count(*) FROM pg_tables WHERE tablename = 'schema_version' "
              "AND schemaname = current_schema()";
    auto found = (*tx)->QueryOne(exists);
    if (!found) return core::Fail(std::move(found.error()));
    if (!*found || (*found)->GetInt(0) == 0) return 0;
    auto row = (*tx)->QueryOne("SELECT coalesce(max(version), 0) FROM schema_version");
    if (!row) return core::Fail(std::move(row.error()));
    return static_cast<int>((*row)->GetInt(0));
}

}  // namespace customsdesk::storage

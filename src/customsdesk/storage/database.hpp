// The storage interface: one API over SQLite (embedded default) and PostgreSQL (production).
//
// Contract
//  - `Database` is thread-safe. It owns its connections: for SQLite one writer connection and a
//    pool of reader connections (WAL, foreign_keys=ON, busy_timeout); for PostgreSQL a pool of
//    libpq connections. A URL picks the implementation: "sqlite:PATH" (or "sqlite::memory:")
//    or "postgresql://..." / "postgres://...".
//  - All work happens in a `Transaction`, obtained from `Begin(kRead|kWrite)`. A transaction is
//    used by one thread at a time and holds its connection until Commit() or destruction;
//    destroying an uncommitted transaction rolls it back, so a request that fails half-way
//    leaves nothing behind. Only one write transaction runs at a time on SQLite.
//  - SQL is written once in PostgreSQL style with numbered parameters `$1, $2, ...`; the SQLite
//    implementation rewrites them to `?1, ?2, ...`. Where the dialects differ, callers branch on
//    `dialect()` (e.g. full-text search) and keep both texts as named constants in their store.
//  - Conventions shared by both schemas: ids are 64-bit integers; timestamps are TEXT in the
//    fixed-width UTC form of core::FormatTimestamp (sorts chronologically); booleans are read
//    with Row::GetBool (SQLite 0/1, PostgreSQL t/f); lists and nested values are JSON TEXT.
//  - Expected failures come back as Result errors: a unique-constraint violation is
//    ErrorCode::kAlreadyExists (message names the constraint), a foreign-key violation is
//    kFailedPrecondition, a serialization failure or busy database is kUnavailable. A lost
//    connection is kUnavailable too; the pool replaces broken connections.
//  - Every statement is bounded by the statement timeout given in Options.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "customsdesk/core/error.hpp"

namespace customsdesk::storage {

using core::Result;

enum class Dialect { kSqlite, kPostgres };

// Text that is not copied into the parameter: the caller keeps it alive (and unchanged) until the
// statement that uses it has run. For large values written in bulk (a declaration's JSON).
struct TextView {
    std::string_view text;
};

// A statement parameter. std::monostate is SQL NULL.
using Param = std::variant<std::monostate, std::int64_t, double, bool, std::string, TextView>;

// Helpers for optional parameters.
inline Param Null() { return std::monostate{}; }
inline Param View(const std::string& text) { return TextView{text}; }
inline Param OptView(const std::optional<std::string>& text) {
    if (!text) return std::monostate{};
    return TextView{*text};
}
template <typename T>
Param Opt(const std::optional<T>& v) {
    if (!v) return std::monostate{};
    if constexpr (std::is_same_v<T, std::string>) return *v;
    else if constexpr (std::is_same_v<T, bool>) return *v;
    else return static_cast<std::int64_t>(*v);
}

// One result row; values are copied out of the driver so rows outlive the statement.
class Row {
public:
    Row() = default;
    explicit Row(std::vector<std::optional<std::string>> cells) : cells_(std::move(cells)) {}
    [[nodiscard]] std::size_t size() const { return cells_.size(); }
    [[nodiscard]] bool IsNull(std::size_t i) const { return !cells_.at(i).has_value(); }
    // Text of a column; "" for NULL.
    [[nodiscard]] const std::string& GetText(std::size_t i) const;
    [[nodiscard]] std::optional<std::string> GetOptText(std::size_t i) const { return cells_.at(i); }
    // Integer value; 0 for NULL. Throws std::runtime_error if the text is not an integer (a bug).
    [[nodiscard]] std::int64_t GetInt(std::size_t i) const;
    [[nodiscard]] std::optional<std::int64_t> GetOptInt(std::size_t i) const;
    [[nodiscard]] double GetDouble(std::size_t i) const;
    // true for "1", "t", "true"; false otherwise (including NULL).
    [[nodiscard]] bool GetBool(std::size_t i) const;

private:
    std::vector<std::optional<std::string>> cells_;
};

struct QueryResult {
    std::vector<std::string> columns;
    std::vector<Row> rows;
    std::int64_t affected = 0;  // rows changed by INSERT/UPDATE/DELETE
};

class Transaction {
public:
    virtual ~Transaction() = default;
    Transaction(const Transaction&) = delete;
    Transaction& operator=(const Transaction&) = delete;

    // Runs one statement with parameters and returns all its rows.
    virtual Result<QueryResult> Query(std::string_view sql, std::span<const Param> params) = 0;
    Result<QueryResult> Query(std::string_view sql, std::initializer_list<Param> params = {}) {
        return Query(sql, std::span<const Param>(params.begin(), params.size()));
    }
    // Convenience: the first row, or nullopt when there is none.
    Result<std::optional<Row>> QueryOne(std::string_view sql, std::initializer_list<Param> params = {});
    Result<std::optional<Row>> QueryOne(std::string_view sql, std::span<const Param> params);
    // Convenience: rows affected.
    Result<std::int64_t> Execute(std::string_view sql, std::initializer_list<Param> params = {});
    Result<std::int64_t> Execute(std::string_view sql, std::span<const Param> params);

    // Runs several statements without parameters (migrations). No rows are returned.
    virtual Result<void> ExecuteScript(std::string_view sql) = 0;

    // Bulk load: appends rows to `table` (`params` holds rows of columns.size() values each, row
    // after row). PostgreSQL streams them with COPY ... FROM STDIN (text format: one round trip
    // per call); SQLite inserts up to 64 rows per statement with INSERT OR ROLLBACK (a constraint
    // failure ends the whole transaction, so SQLite keeps no statement journal - a copy of every
    // page a multi-row statement changes), but one row per statement into a table whose foreign
    // keys it checks (a failed foreign key ends only the statement, which needs that journal).
    // Same constraints, triggers, defaults and generated columns as INSERT, and the same errors
    // (kAlreadyExists for a unique violation, kInternal when `params` is not whole rows); a
    // failure aborts the transaction. The rows of one call are bounded by the statement timeout
    // together.
    virtual Result<void> CopyRows(std::string_view table, std::span<const std::string_view> columns,
                                  std::span<const Param> params) = 0;

    virtual Result<void> Commit() = 0;
    // Rolls back explicitly; also done by the destructor when not committed.
    virtual void Rollback() = 0;
    [[nodiscard]] virtual Dialect dialect() const = 0;

protected:
    Transaction() = default;
};

// kBulkWrite is kWrite for a caller that has checked every foreign key it writes itself, inside
// the same transaction (an import resolves each reference against the rows it read in the
// transaction): SQLite then does not check them a second time (PRAGMA foreign_keys is off for the
// transaction only), which lets CopyRows insert many rows per statement. PostgreSQL checks them.
// kBulkWriteDeferred is kBulkWrite whose commit need not be durable yet when Commit() returns: it
// is atomic and visible to every later transaction at once, and durable once Database::Sync()
// returned. For a caller that commits many transactions and acknowledges
// them together, after one Sync() (bulk lodging: one fsync per request instead of one per chunk).
// SQLite runs it with PRAGMA synchronous=NORMAL; PostgreSQL commits it durably.
enum class TxMode { kRead, kWrite, kBulkWrite, kBulkWriteDeferred };
[[nodiscard]] inline bool IsBulk(TxMode mode) {
    return mode == TxMode::kBulkWrite || mode == TxMode::kBulkWriteDeferred;
}

struct PoolStats {
    int connections_total = 0;  // open connections
    int connections_idle = 0;   // waiting in the pool
    int waiters = 0;            // callers waiting for a connection now
    std::uint64_t acquired_total = 0;
    std::uint64_t acquire_timeouts_total = 0;
    std::uint64_t transactions_committed_total = 0;
    std::uint64_t transactions_rolled_back_total = 0;
    std::uint64_t wal_checkpoints_total = 0;  // SQLite: background WAL checkpoints that copied pages
    std::uint64_t syncs_total = 0;            // SQLite: Sync() calls that had deferred commits to make durable
};

struct Options {
    int pool_size = 8;                                            // readers (SQLite) / connections (PostgreSQL)
    std::chrono::milliseconds busy_timeout{5000};                 // SQLite busy_timeout
    std::chrono::milliseconds statement_timeout{10000};           // PostgreSQL statement_timeout
    std::chrono::milliseconds acquire_timeout{10000};             // waiting for a pooled connection
    // SQLite readers: bytes of the database file read through a memory map (PRAGMA mmap_size)
    // instead of read() into each connection's page cache; 0 = off. Mapped pages count in the
    // process's resident size (they are the OS page cache, shared), so the server sets it and the
    // command-line tools (export: constant memory) do not.
    std::int64_t reader_mmap_bytes = 0;
    // SQLite: once a commit leaves the WAL at least this many pages long, a thread of the database's
    // own copies it back into the database file (a passive checkpoint, at the lowest CPU priority),
    // so that no commit pays for it. SQLite's own automatic checkpoint, run by the committing
    // writer, has the same threshold. 0 = SQLite's own.
    int wal_checkpoint_pages = 1000;
};

class Database {
public:
    virtual ~Database() = default;
    Database(const Database&) = delete;
    Database& operator=(const Database&) = delete;

    virtual Result<std::unique_ptr<Transaction>> Begin(TxMode mode) = 0;
    [[nodiscard]] virtual Dialect dialect() const = 0;
    [[nodiscard]] virtual PoolStats Stats() const = 0;
    // Makes every commit so far durable, kBulkWriteDeferred ones included (a no-op when they all
    // are). kUnavailable when that cannot be ensured.
    virtual Result<void> Sync() = 0;
    // A cheap round trip for /readyz.
    virtual Result<void> Ping() = 0;
    // Closes every connection; later calls fail with kUnavailable. Called on shutdown.
    virtual void Close() = 0;
    // URL with any password masked, for logs.
    [[nodiscard]] virtual std::string Describe() const = 0;

protected:
    Database() = default;
};

// Opens by URL: "sqlite:PATH", "sqlite::memory:", "postgresql://user@host:port/db?...".
// The SQLite file's folder is created if missing. Errors: kInvalidArgument for a bad URL,
// kUnavailable when the database cannot be reached.
Result<std::unique_ptr<Database>> Open(std::string_view url, const Options& options = {});

// Runs `fn(tx)` in a write transaction and commits if it returns a value; rolls back otherwise.
template <typename F>
auto InWriteTx(Database& db, F&& fn) -> decltype(fn(std::declval<Transaction&>())) {
    auto tx = db.Begin(TxMode::kWrite);
    if (!tx) return core::Fail(std::move(tx.error()));
    auto result = fn(**tx);
    if (!result) return result;
    if (auto c = (*tx)->Commit(); !c) return core::Fail(std::move(c.error()));
    return result;
}

template <typename F>
auto InReadTx(Database& db, F&& fn) -> decltype(fn(std::declval<Transaction&>())) {
    auto tx = db.Begin(TxMode::kRead);
    if (!tx) return core::Fail(std::move(tx.error()));
    return fn(**tx);
}

}  // namespace customsdesk::storage

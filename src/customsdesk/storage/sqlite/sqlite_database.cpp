#include "customsdesk/storage/sqlite/sqlite_database.hpp"

#include <spdlog/spdlog.h>
#include <sqlite3.h>
#include <sys/resource.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <map>
#include <mutex>
#include <string>
#include <system_error>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

#include "customsdesk/storage/internal.hpp"
#include "customsdesk/storage/pool.hpp"

namespace customsdesk::storage::sqlite {

namespace {

using Clock = std::chrono::steady_clock;

// Prepared statements kept per connection; beyond this the cache is emptied (queries are named
// constants, so a real workload stays far below it).
constexpr std::size_t kStatementCacheLimit = 512;
// Page size of a new database file (see Connection::Open).
constexpr int kPageSize = 16384;
// The progress handler runs every this many virtual machine instructions.
constexpr int kProgressInterval = 1000;

enum class Role { kWriter, kReader, kBoth };

// One sqlite3 handle with its statement cache. Used by one thread at a time (it is leased).
class Connection {
  public:
    Connection(const Connection&) = delete;
    Connection& operator=(const Connection&) = delete;
    ~Connection() {
        for (auto& [sql, stmt] : cache_) sqlite3_finalize(stmt);
        sqlite3_close_v2(db_);
    }

    static Result<std::unique_ptr<Connection>> Open(const std::string& path, Role role, const Options& options) {
        int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX;
        if (role != Role::kReader) flags |= SQLITE_OPEN_CREATE;
        sqlite3* raw = nullptr;
        const int rc = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
        std::unique_ptr<Connection> conn(new Connection(raw, role, options.statement_timeout));
        if (rc != SQLITE_OK) {
            return core::Fail(core::Error::Unavailable("cannot open SQLite database '" + path +
                                                       "': " + (raw ? sqlite3_errmsg(raw) : sqlite3_errstr(rc))));
        }
        sqlite3_extended_result_codes(raw, 1);
        sqlite3_busy_timeout(raw, static_cast<int>(options.busy_timeout.count()));
        sqlite3_progress_handler(raw, kProgressInterval, &Connection::OnProgress, conn.get());
        std::string pragmas = "PRAGMA foreign_keys=ON;";
        if (role == Role::kReader) {
            pragmas += "PRAGMA query_only=ON;";
            if (options.reader_mmap_bytes > 0) {
                pragmas += "PRAGMA mmap_size=" + std::to_string(options.reader_mmap_bytes) + ";";
            }
        } else {
            // A new database gets 16 KiB pages (SQLite's default is 4 KiB; an existing file keeps
            // its size - see docs/operations.md to convert one): B-trees one level shallower and a
            // third fewer page splits; an import of the prospect register writes 15-20% less CPU
            // time in SQLite. Only possible before the file's first table and before WAL mode.
            if (auto r = conn->Exec("PRAGMA page_size=" + std::to_string(kPageSize)); !r) return core::Fail(std::move(r.error()));
            // WAL first: synchronous applies per journal mode.
            if (auto r = conn->ExpectPragma("PRAGMA journal_mode=WAL", path == ":memory:" ? "memory" : "wal"); !r) {
                return core::Fail(std::move(r.error()));
            }
            // The one writer keeps 64 MiB of pages (SQLite's default is 2 MiB): batches of
            // declarations or imported rows touch many index pages, which were re-read otherwise.
            pragmas += "PRAGMA synchronous=FULL;PRAGMA temp_store=MEMORY;PRAGMA cache_size=-65536;";
        }
        if (auto r = conn->Exec(pragmas); !r) return core::Fail(std::move(r.error()));
        return conn;
    }

    [[nodiscard]] sqlite3* db() const { return db_; }
    [[nodiscard]] Role role() const { return role_; }

    // Starts the statement-timeout clock for the next statement(s).
    void Arm() { deadline_ = Clock::now() + statement_timeout_; }

    // Runs SQL without parameters or rows (may hold several statements).
    Result<void> Exec(const std::string& sql) {
        Arm();
        char* message = nullptr;
        const int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &message);
        if (rc == SQLITE_OK) return {};
        std::string text = message ? message : sqlite3_errstr(rc);
        sqlite3_free(message);
        return core::Fail(MapError(rc, text));
    }

    // Runs one statement without parameters or rows through the statement cache (BEGIN, COMMIT,
    // ROLLBACK: sqlite3_exec would parse them again on every transaction).
    Result<void> ExecOne(const std::string& sql) {
        auto stmt = Prepare(sql);
        if (!stmt) return core::Fail(std::move(stmt.error()));
        Arm();
        int rc = sqlite3_step(*stmt);
        while (rc == SQLITE_ROW) rc = sqlite3_step(*stmt);
        sqlite3_reset(*stmt);
        if (rc != SQLITE_DONE) return core::Fail(MapError(rc, sqlite3_errmsg(db_)));
        return {};
    }

    // PRAGMA synchronous FULL (every commit fsyncs the WAL) or NORMAL (it does not; Sync() or a
    // checkpoint does). Outside a transaction. Changing it does not expire prepared statements.
    Result<void> SetSynchronousFull(bool full) {
        if (full == synchronous_full_) return {};
        if (auto r = ExecOne(full ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL"); !r) return r;
        synchronous_full_ = full;
        return {};
    }

    // PRAGMA foreign_keys (outside a transaction; each connection starts with them on).
    Result<void> SetForeignKeys(bool on) {
        if (on == foreign_keys_) return {};
        if (auto r = ExecOne(on ? "PRAGMA foreign_keys=ON" : "PRAGMA foreign_keys=OFF"); !r) return r;
        foreign_keys_ = on;
        return {};
    }

    // Whether an INSERT into `table` checks foreign keys now (cached per table).
    Result<bool> ChecksForeignKeys(std::string_view table) {
        if (!foreign_keys_) return false;
        auto it = has_foreign_keys_.find(table);
        if (it == has_foreign_keys_.end()) {
            auto stmt = Prepare("SELECT count(*) FROM pragma_foreign_key_list(?1)");
            if (!stmt) return core::Fail(std::move(stmt.error()));
            sqlite3_bind_text64(*stmt, 1, table.data(), table.size(), SQLITE_STATIC, SQLITE_UTF8);
            const int rc = sqlite3_step(*stmt);
            const bool has = rc == SQLITE_ROW && sqlite3_column_int64(*stmt, 0) > 0;
            sqlite3_reset(*stmt);
            sqlite3_clear_bindings(*stmt);
            if (rc != SQLITE_ROW) return core::Fail(MapError(rc, sqlite3_errmsg(db_)));
            it = has_foreign_keys_.emplace(std::string(table), has).first;
        }
        return it->second;
    }

    // A cached prepared statement, looked up by the caller's text ($N parameters are rewritten to
    // ?N once, when the statement is prepared).
    Result<sqlite3_stmt*> Prepare(std::string_view sql) {
        if (auto it = cache_.find(sql); it != cache_.end()) return it->second;
        if (cache_.size() >= kStatementCacheLimit) {
            for (auto& [text, stmt] : cache_) sqlite3_finalize(stmt);
            cache_.clear();
        }
        sqlite3_stmt* stmt = nullptr;
        Arm();
        const std::string text = RewriteNumberedParams(sql);
        const int rc = sqlite3_prepare_v3(db_, text.data(), static_cast<int>(text.size()), SQLITE_PREPARE_PERSISTENT,
                                          &stmt, nullptr);
        if (rc != SQLITE_OK) {
            sqlite3_finalize(stmt);
            return core::Fail(MapError(rc, sqlite3_errmsg(db_)));
        }
        if (stmt == nullptr) return core::Fail(core::Error::Internal("SQLite: empty statement"));
        cache_.emplace(sql, stmt);
        return stmt;
    }

    // Maps an SQLite result code (extended) and message to an Error.
    core::Error MapError(int rc, const std::string& message) {
        switch (rc) {
            case SQLITE_CONSTRAINT_UNIQUE:
            case SQLITE_CONSTRAINT_PRIMARYKEY:
                return core::Error::AlreadyExists("unique constraint \"" + UniqueConstraintName(rc, message) +
                                                  "\" violated (" + message + ")");
            case SQLITE_CONSTRAINT_FOREIGNKEY:
                return core::Error::FailedPrecondition("foreign key constraint violated (" + message + ")");
            case SQLITE_INTERRUPT:
                return core::Error::Unavailable("statement timeout: the statement ran longer than " +
                                                std::to_string(statement_timeout_.count()) + " ms");
            default:
                break;
        }
        switch (rc & 0xff) {
            case SQLITE_BUSY:
            case SQLITE_LOCKED:
                return core::Error::Unavailable("the SQLite database is busy: " + message);
            default:
                return core::Error::Internal("SQLite error " + std::to_string(rc) + ": " + message);
        }
    }

  private:
    Connection(sqlite3* db, Role role, std::chrono::milliseconds statement_timeout)
        : db_(db), role_(role), statement_timeout_(statement_timeout) {}

    static int OnProgress(void* self) { return Clock::now() > static_cast<Connection*>(self)->deadline_ ? 1 : 0; }

    Result<void> ExpectPragma(const std::string& sql, std::string_view expected) {
        auto stmt = Prepare(sql);
        if (!stmt) return core::Fail(std::move(stmt.error()));
        const int rc = sqlite3_step(*stmt);
        std::string value;
        if (rc == SQLITE_ROW) value = reinterpret_cast<const char*>(sqlite3_column_text(*stmt, 0));
        sqlite3_reset(*stmt);
        if (rc != SQLITE_ROW && rc != SQLITE_DONE) return core::Fail(MapError(rc, sqlite3_errmsg(db_)));
        if (value != expected) {
            return core::Fail(core::Error::Unavailable("SQLite refused '" + sql + "': got '" + value + "'"));
        }
        return {};
    }

    // SQLite names the columns ("UNIQUE constraint failed: t.a, t.b"), PostgreSQL the constraint.
    // Find the unique index with exactly those columns and name it as PostgreSQL would: declared
    // indexes keep their name, inline UNIQUE becomes "<table>_<cols>_key", a primary key "<table>_pkey".
    std::string UniqueConstraintName(int rc, const std::string& message) {
        const std::string marker = "constraint failed: ";
        const auto pos = message.find(marker);
        if (pos == std::string::npos) return "?";
        std::string rest = message.substr(pos + marker.size());
        if (rest.starts_with("index '")) return rest.substr(7, rest.find('\'', 7) - 7);
        std::string table;
        std::vector<std::string> columns;
        std::size_t start = 0;
        while (start < rest.size()) {
            std::size_t end = rest.find(", ", start);
            if (end == std::string::npos) end = rest.size();
            const std::string item = rest.substr(start, end - start);
            const auto dot = item.find('.');
            if (dot == std::string::npos) return "?";
            table = item.substr(0, dot);
            columns.push_back(item.substr(dot + 1));
            start = end + 2;
        }
        auto joined = [&] {
            std::string out = table;
            for (const auto& c : columns) out += "_" + c;
            return out;
        };
        if (rc == SQLITE_CONSTRAINT_PRIMARYKEY) return table + "_pkey";
        sqlite3_stmt* stmt = nullptr;
        const char* sql =
            "SELECT il.name, il.origin, ii.name FROM pragma_index_list(?1) AS il "
            "JOIN pragma_index_info(il.name) AS ii WHERE il.\"unique\" = 1 ORDER BY il.seq, ii.seqno";
        if (sqlite3_prepare_v2(db_, sql, -1, &stmt, nullptr) != SQLITE_OK) {
            sqlite3_finalize(stmt);
            return joined() + "_key";
        }
        sqlite3_bind_text(stmt, 1, table.c_str(), -1, SQLITE_TRANSIENT);
        std::vector<std::pair<std::string, std::string>> order;  // name, origin in index order
        std::map<std::string, std::vector<std::string>> index_columns;
        Arm();
        while (sqlite3_step(stmt) == SQLITE_ROW) {
            std::string name = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0));
            if (!index_columns.contains(name)) {
                order.emplace_back(name, reinterpret_cast<const char*>(sqlite3_column_text(stmt, 1)));
            }
            const unsigned char* column = sqlite3_column_text(stmt, 2);
            index_columns[name].push_back(column ? reinterpret_cast<const char*>(column) : "");
        }
        sqlite3_finalize(stmt);
        for (const auto& [name, origin] : order) {
            if (index_columns[name] != columns) continue;
            if (origin == "pk") return table + "_pkey";
            if (origin == "u") return joined() + "_key";
            return name;
        }
        return joined() + "_key";
    }

    sqlite3* db_;
    const Role role_;
    const std::chrono::milliseconds statement_timeout_;
    Clock::time_point deadline_ = Clock::time_point::max();
    struct TextHash {
        using is_transparent = void;
        std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
    };
    std::unordered_map<std::string, sqlite3_stmt*, TextHash, std::equal_to<>> cache_;
    bool foreign_keys_ = true;                                  // PRAGMA foreign_keys, set at Open
    bool synchronous_full_ = true;                              // PRAGMA synchronous, FULL at Open (writer)
    std::map<std::string, bool, std::less<>> has_foreign_keys_;  // table -> declares a foreign key
};

using Pool = detail::ConnectionPool<Connection>;

class SqliteDatabase;

class SqliteTransaction final : public Transaction {
  public:
    SqliteTransaction(SqliteDatabase& db, Pool::Lease lease, TxMode mode)
        : db_(db), lease_(std::move(lease)), mode_(mode) {}
    ~SqliteTransaction() override {
        if (lease_) Rollback();
    }

    Result<QueryResult> Query(std::string_view sql, std::span<const Param> params) override;
    Result<void> ExecuteScript(std::string_view sql) override;
    Result<void> CopyRows(std::string_view table, std::span<const std::string_view> columns,
                          std::span<const Param> params) override;
    Result<void> Commit() override;
    void Rollback() override;
    [[nodiscard]] Dialect dialect() const override { return Dialect::kSqlite; }

  private:
    Result<void> CheckUsable() const {
        if (!lease_) return core::Fail(core::Error::FailedPrecondition("the transaction has already ended"));
        if (aborted_) {
            return core::Fail(core::Error::FailedPrecondition(
                "the transaction was aborted by an earlier error; only Rollback is possible"));
        }
        return {};
    }
    void Finish();

    SqliteDatabase& db_;
    Pool::Lease lease_;  // empty once committed or rolled back
    const TxMode mode_;
    bool aborted_ = false;  // a statement failed: like PostgreSQL, the transaction can only roll back
};

// Copies the WAL back into the database file on a thread of its own (a passive checkpoint: it
// neither waits for nor blocks the writer and the readers) once a commit left the WAL at least
// Options::wal_checkpoint_pages long. It replaces SQLite's automatic checkpoint, which runs inside
// the commit that crosses the threshold and so lengthens it (on the bulk path, the commits with
// their checkpoints took a quarter of the writer's time). The thread runs at the lowest CPU
// priority: while every core is busy, the WAL grows instead, and is copied once there is time.
// The WAL starts again from its beginning at the first write after a checkpoint that copied all of
// it; should it reach kWriterCheckpointFactor times the threshold (busy without a pause), the
// writer checkpoints itself after its commit, as SQLite would.
constexpr int kWriterCheckpointFactor = 16;

class Checkpointer {
  public:
    Checkpointer(const std::string& path, const Options& options)
        : pages_(options.wal_checkpoint_pages), thread_([this, path, options](std::stop_token stop) {
              Run(stop, path, options);
          }) {}
    ~Checkpointer() { Stop(); }

    void Stop() {
        if (!thread_.joinable()) return;
        thread_.request_stop();
        cv_.notify_all();
        thread_.join();
    }

    // Installed on the writer connection (sqlite3_wal_hook): runs after each commit.
    static int OnCommit(void* self, sqlite3* db, const char* schema, int wal_pages) {
        auto& c = *static_cast<Checkpointer*>(self);
        if (wal_pages < c.pages_) return SQLITE_OK;
        if (wal_pages >= kWriterCheckpointFactor * c.pages_) {
            (void)sqlite3_wal_checkpoint_v2(db, schema, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
            return SQLITE_OK;
        }
        {
            std::lock_guard lock(c.mu_);
            c.wanted_ = true;
        }
        c.cv_.notify_one();
        return SQLITE_OK;
    }

    [[nodiscard]] std::uint64_t done() const { return done_.load(); }

  private:
    void Run(std::stop_token stop, const std::string& path, const Options& options) {
        (void)setpriority(PRIO_PROCESS, static_cast<id_t>(gettid()), 19);  // this thread only
        std::unique_ptr<Connection> conn;
        for (;;) {
            {
                std::unique_lock lock(mu_);
                cv_.wait(lock, stop, [this] { return wanted_; });
                if (stop.stop_requested()) return;
                wanted_ = false;
            }
            if (!conn) {
                // A reader's connection: query_only does not forbid checkpoints.
                auto opened = Connection::Open(path, Role::kReader, options);
                // A connection learns that the file is in WAL mode on its first read; before that,
                // a checkpoint does nothing.
                if (opened) {
                    if (auto read = (*opened)->Exec("SELECT 1 FROM sqlite_schema LIMIT 1"); !read)
                        opened = core::Fail(std::move(read.error()));
                }
                if (!opened) {
                    spdlog::warn("event=sqlite_checkpoint_failed error=\"{}\"", opened.error().message);
                    continue;
                }
                conn = std::move(*opened);
            }
            int log = 0, copied = 0;
            const int rc =
                sqlite3_wal_checkpoint_v2(conn->db(), "main", SQLITE_CHECKPOINT_PASSIVE, &log, &copied);
            if (rc != SQLITE_OK && rc != SQLITE_BUSY) {
                spdlog::warn("event=sqlite_checkpoint_failed error=\"{}\"", sqlite3_errmsg(conn->db()));
                continue;
            }
            if (copied > 0) ++done_;
            spdlog::debug("event=sqlite_checkpoint wal_pages={} copied={}", log, copied);
        }
    }

    const int pages_;
    std::mutex mu_;
    std::condition_variable_any cv_;
    bool wanted_ = false;
    std::atomic<std::uint64_t> done_{0};
    std::jthread thread_;  // last: started once the members above exist
};

class SqliteDatabase final : public Database {
  public:
    SqliteDatabase(std::string path, const Options& options)
        : path_(std::move(path)),
          options_(options),
          memory_(path_ == ":memory:"),
          checkpointer_(memory_ || options.wal_checkpoint_pages <= 0 ? nullptr
                                                                     : std::make_unique<Checkpointer>(path_, options)),
          writer_(1, [this] { return OpenWriter(); }),
          readers_(options.pool_size, [this] { return Connection::Open(path_, Role::kReader, options_); }) {}
    ~SqliteDatabase() override { Close(); }

    // Makes the writer connection now so that a bad path fails at Open and the file is in WAL mode.
    Result<void> Init() {
        auto lease = writer_.Acquire(options_.acquire_timeout);
        if (!lease) return core::Fail(std::move(lease.error()));
        return {};
    }

    Result<std::unique_ptr<Transaction>> Begin(TxMode mode) override {
        const bool write = mode != TxMode::kRead;
        Pool& pool = (write || memory_) ? writer_ : readers_;
        auto lease = pool.Acquire(options_.acquire_timeout);
        if (!lease) return core::Fail(std::move(lease.error()));
        Connection& conn = **lease;
        if (conn.role() == Role::kBoth) {
            if (auto r = conn.Exec(write ? "PRAGMA query_only=OFF" : "PRAGMA query_only=ON"); !r) {
                return core::Fail(std::move(r.error()));
            }
        }
        // Set before BEGIN (a no-op inside a transaction), for every transaction: only the bulk modes
        // run without (see SqliteTransaction::Finish).
        if (auto r = conn.SetForeignKeys(!IsBulk(mode)); !r) return core::Fail(std::move(r.error()));
        // Likewise (SQLite refuses to change it inside a transaction): a deferred commit writes the
        // WAL without an fsync; Sync() makes it durable.
        if (write) {
            auto r = conn.SetSynchronousFull(mode != TxMode::kBulkWriteDeferred);
            if (!r) return core::Fail(std::move(r.error()));
        }
        if (auto r = conn.ExecOne(write ? "BEGIN IMMEDIATE" : "BEGIN"); !r) return core::Fail(std::move(r.error()));
        return std::unique_ptr<Transaction>(new SqliteTransaction(*this, std::move(*lease), mode));
    }

    [[nodiscard]] Dialect dialect() const override { return Dialect::kSqlite; }

    [[nodiscard]] PoolStats Stats() const override {
        PoolStats stats;
        writer_.AddStats(stats);
        if (!memory_) readers_.AddStats(stats);
        stats.transactions_committed_total = committed_.load();
        stats.transactions_rolled_back_total = rolled_back_.load();
        if (checkpointer_) stats.wal_checkpoints_total = checkpointer_->done();
        stats.syncs_total = syncs_.load();
        return stats;
    }

    Result<void> Ping() override {
        auto tx = Begin(TxMode::kRead);
        if (!tx) return core::Fail(std::move(tx.error()));
        if (auto r = (*tx)->Query("SELECT 1"); !r) return core::Fail(std::move(r.error()));
        return (*tx)->Commit();
    }

    void Close() override {
        if (checkpointer_) checkpointer_->Stop();
        writer_.Close();
        readers_.Close();
    }

    [[nodiscard]] std::string Describe() const override { return "sqlite:" + path_; }

    // Under the writer's lease (a commit): a deferred commit is not durable yet.
    void MarkUnsynced() { unsynced_ = true; }

    Result<void> Sync() override {
        if (memory_) return {};
        auto lease = writer_.Acquire(options_.acquire_timeout);  // no commit meanwhile
        if (!lease) return core::Fail(std::move(lease.error()));
        if (!unsynced_) return {};
        // The WAL holds every deferred commit (or a checkpoint, which syncs it first, copied them
        // into the database file and synced that): one fsync of the WAL file makes them all durable.
        sqlite3_file* wal = nullptr;
        int rc = sqlite3_file_control((*lease)->db(), "main", SQLITE_FCNTL_JOURNAL_POINTER, &wal);
        if (rc == SQLITE_OK && wal != nullptr && wal->pMethods != nullptr)
            rc = wal->pMethods->xSync(wal, SQLITE_SYNC_NORMAL);
        if (rc != SQLITE_OK)
            return core::Fail(core::Error::Unavailable(std::string("cannot sync the SQLite WAL: ") + sqlite3_errstr(rc)));
        unsynced_ = false;
        ++syncs_;
        return {};
    }

    void CountCommit() { ++committed_; }
    void CountRollback() { ++rolled_back_; }

  private:
    Result<std::unique_ptr<Connection>> OpenWriter() {
        auto conn = Connection::Open(path_, memory_ ? Role::kBoth : Role::kWriter, options_);
        // Replaces SQLite's automatic checkpoint on this connection.
        if (conn && checkpointer_) sqlite3_wal_hook((*conn)->db(), &Checkpointer::OnCommit, checkpointer_.get());
        return conn;
    }

    const std::string path_;
    const Options options_;
    const bool memory_;  // one private in-memory connection serves both roles (pool `writer_`)
    std::unique_ptr<Checkpointer> checkpointer_;  // none for :memory:
    Pool writer_;        // capacity 1: serialises write transactions
    Pool readers_;       // capacity options_.pool_size; unused for :memory:
    bool unsynced_ = false;  // a kBulkWriteDeferred commit since the last Sync (under the writer's lease)
    std::atomic<std::uint64_t> syncs_{0};
    std::atomic<std::uint64_t> committed_{0};
    std::atomic<std::uint64_t> rolled_back_{0};
};

// Resets a cached statement and clears its bindings when the scope ends (also on an error).
struct StatementReset {
    sqlite3_stmt* stmt;
    explicit StatementReset(sqlite3_stmt* s) : stmt(s) {}
    StatementReset(const StatementReset&) = delete;
    StatementReset& operator=(const StatementReset&) = delete;
    ~StatementReset() {
        sqlite3_reset(stmt);
        sqlite3_clear_bindings(stmt);
    }
};

// Binds one parameter. SQLITE_STATIC is safe: bindings are cleared before `param` can go away.
int Bind(sqlite3_stmt* stmt, int index, const Param& param) {
    return std::visit(
        [&](const auto& v) {
            using T = std::decay_t<decltype(v)>;
            if constexpr (std::is_same_v<T, std::monostate>) {
                return sqlite3_bind_null(stmt, index);
            } else if constexpr (std::is_same_v<T, std::int64_t>) {
                return sqlite3_bind_int64(stmt, index, v);
            } else if constexpr (std::is_same_v<T, double>) {
                return sqlite3_bind_double(stmt, index, v);
            } else if constexpr (std::is_same_v<T, bool>) {
                return sqlite3_bind_int(stmt, index, v ? 1 : 0);
            } else if constexpr (std::is_same_v<T, TextView>) {
                // (an empty view may have no data pointer, which SQLite would bind as NULL)
                return sqlite3_bind_text64(stmt, index, v.text.empty() ? "" : v.text.data(), v.text.size(),
                                           SQLITE_STATIC, SQLITE_UTF8);
            } else {
                return sqlite3_bind_text64(stmt, index, v.data(), v.size(), SQLITE_STATIC, SQLITE_UTF8);
            }
        },
        param);
}

Result<QueryResult> SqliteTransaction::Query(std::string_view sql, std::span<const Param> params) {
    if (auto ok = CheckUsable(); !ok) return core::Fail(std::move(ok.error()));
    Connection& conn = *lease_;
    auto prepared = conn.Prepare(sql);
    if (!prepared) {
        aborted_ = true;
        return core::Fail(std::move(prepared.error()));
    }
    sqlite3_stmt* stmt = *prepared;
    const StatementReset reset_on_exit{stmt};

    const int expected = sqlite3_bind_parameter_count(stmt);
    if (static_cast<std::size_t>(expected) != params.size()) {
        aborted_ = true;
        return core::Fail(core::Error::Internal("the statement takes " + std::to_string(expected) + " parameters but " +
                                                std::to_string(params.size()) + " were given: " + std::string(sql)));
    }
    for (std::size_t i = 0; i < params.size(); ++i) {
        if (const int rc = Bind(stmt, static_cast<int>(i) + 1, params[i]); rc != SQLITE_OK) {
            aborted_ = true;
            return core::Fail(conn.MapError(rc, sqlite3_errmsg(conn.db())));
        }
    }

    QueryResult result;
    const int columns = sqlite3_column_count(stmt);
    result.columns.reserve(static_cast<std::size_t>(columns));
    for (int c = 0; c < columns; ++c) result.columns.emplace_back(sqlite3_column_name(stmt, c));
    const sqlite3_int64 total_before = sqlite3_total_changes64(conn.db());
    conn.Arm();
    while (true) {
        const int rc = sqlite3_step(stmt);
        if (rc == SQLITE_DONE) break;
        if (rc != SQLITE_ROW) {
            aborted_ = true;
            return core::Fail(conn.MapError(rc, sqlite3_errmsg(conn.db())));
        }
        std::vector<std::optional<std::string>> cells;
        cells.reserve(static_cast<std::size_t>(columns));
        for (int c = 0; c < columns; ++c) {
            if (sqlite3_column_type(stmt, c) == SQLITE_NULL) {
                cells.emplace_back(std::nullopt);
            } else {
                const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt, c));
                cells.emplace_back(std::string(text, static_cast<std::size_t>(sqlite3_column_bytes(stmt, c))));
            }
        }
        result.rows.emplace_back(std::move(cells));
    }
    if (!sqlite3_stmt_readonly(stmt) && sqlite3_total_changes64(conn.db()) != total_before) {
        result.affected = sqlite3_changes64(conn.db());
    }
    return result;
}

Result<void> SqliteTransaction::CopyRows(std::string_view table, std::span<const std::string_view> columns,
                                         std::span<const Param> params) {
    if (auto ok = CheckUsable(); !ok) return core::Fail(std::move(ok.error()));
    if (columns.empty() || params.size() % columns.size() != 0) {
        return core::Fail(core::Error::Internal("CopyRows: the parameters are not whole rows"));
    }
    if (params.empty()) return {};
    Connection& conn = *lease_;
    const std::size_t width = columns.size();
    auto fail = [&](core::Error e) -> Result<void> {
        aborted_ = true;
        return core::Fail(std::move(e));
    };
    auto checks_keys = conn.ChecksForeignKeys(table);
    if (!checks_keys) return fail(std::move(checks_keys.error()));
    // Rows per statement (see Transaction::CopyRows); SQLite takes at most 32,766 parameters.
    const std::size_t per_statement = *checks_keys ? 1 : std::max<std::size_t>(1, std::min<std::size_t>(64, 32766 / width));
    auto statement = [&](std::size_t rows) {
        return detail::InsertStatement(rows > 1 ? "INSERT OR ROLLBACK INTO" : "INSERT INTO", table, columns, rows);
    };
    conn.Arm();
    const std::size_t rows = params.size() / width;
    // Full statements of `per_statement` rows, then the rest one row at a time (two cached statements).
    const std::string many = rows >= per_statement && per_statement > 1 ? statement(per_statement) : std::string();
    const std::string one = per_statement == 1 || rows % per_statement != 0 ? statement(1) : std::string();
    for (std::size_t row = 0; row < rows;) {
        const std::size_t n = rows - row >= per_statement ? per_statement : 1;
        auto prepared = conn.Prepare(n > 1 ? many : one);
        if (!prepared) return fail(std::move(prepared.error()));
        sqlite3_stmt* stmt = *prepared;
        const StatementReset reset_on_exit{stmt};
        const std::size_t first = row * width;
        for (std::size_t i = 0; i < n * width; ++i) {
            if (const int rc = Bind(stmt, static_cast<int>(i) + 1, params[first + i]); rc != SQLITE_OK) {
                return fail(conn.MapError(rc, sqlite3_errmsg(conn.db())));
            }
        }
        if (const int rc = sqlite3_step(stmt); rc != SQLITE_DONE) return fail(conn.MapError(rc, sqlite3_errmsg(conn.db())));
        row += n;
    }
    return {};
}

Result<void> SqliteTransaction::ExecuteScript(std::string_view sql) {
    if (auto ok = CheckUsable(); !ok) return core::Fail(std::move(ok.error()));
    if (mode_ == TxMode::kRead) {
        return core::Fail(core::Error::FailedPrecondition("ExecuteScript needs a write transaction"));
    }
    auto r = lease_->Exec(std::string(sql));
    if (!r) aborted_ = true;
    return r;
}

Result<void> SqliteTransaction::Commit() {
    if (!lease_) return core::Fail(core::Error::FailedPrecondition("the transaction has already ended"));
    if (aborted_) {
        Rollback();
        return core::Fail(core::Error::FailedPrecondition(
            "the transaction was aborted by an earlier error and has been rolled back"));
    }
    auto r = lease_->ExecOne("COMMIT");
    if (!r) {
        // A failed COMMIT (deferred foreign key, busy, I/O error) may leave the transaction open.
        Rollback();
        return r;
    }
    db_.CountCommit();
    if (mode_ == TxMode::kBulkWriteDeferred) db_.MarkUnsynced();
    Finish();
    return {};
}

void SqliteTransaction::Rollback() {
    if (!lease_) return;
    if (sqlite3_get_autocommit(lease_->db()) == 0) (void)lease_->ExecOne("ROLLBACK");
    db_.CountRollback();
    Finish();
}

void SqliteTransaction::Finish() {
    if (lease_->role() == Role::kBoth && mode_ == TxMode::kRead) (void)lease_->Exec("PRAGMA query_only=OFF");
    // Foreign keys stay as this transaction had them: Begin sets them for every transaction (off
    // only for kBulkWrite). Switching them expires every prepared statement of the connection, so
    // a run of bulk transactions (1,024 declarations each) would otherwise prepare its multi-row
    // statements again for each one.
    // A connection left inside a transaction (ROLLBACK failed) must not go back to the pool.
    lease_.Release(sqlite3_get_autocommit(lease_->db()) == 0);
}

}  // namespace

std::string RewriteNumberedParams(std::string_view sql) {
    std::string out;
    out.reserve(sql.size());
    std::size_t i = 0;
    const std::size_t n = sql.size();
    auto copy_until = [&](std::string_view terminator) {
        const std::size_t end = sql.find(terminator, i);
        const std::size_t stop = end == std::string_view::npos ? n : end + terminator.size();
        out.append(sql.substr(i, stop - i));
        i = stop;
    };
    while (i < n) {
        const char c = sql[i];
        if (c == '\'' || c == '"' || c == '`') {
            // Quoted text; a doubled quote ('') closes and reopens, which this handles naturally.
            out.push_back(c);
            ++i;
            copy_until(std::string_view(&c, 1));
        } else if (c == '-' && i + 1 < n && sql[i + 1] == '-') {
            copy_until("\n");
        } else if (c == '/' && i + 1 < n && sql[i + 1] == '*') {
            out.append("/*");
            i += 2;
            copy_until("*/");
        } else if (c == '$' && i + 1 < n && sql[i + 1] >= '0' && sql[i + 1] <= '9') {
            out.push_back('?');
            ++i;
        } else {
            out.push_back(c);
            ++i;
        }
    }
    return out;
}

Result<std::unique_ptr<Database>> OpenSqlite(std::string_view path, const Options& options) {
    std::string file(path);
    if (file != ":memory:") {
        const std::filesystem::path parent = std::filesystem::path(file).parent_path();
        std::error_code ec;
        if (!parent.empty()) std::filesystem::create_directories(parent, ec);
        if (ec) {
            return core::Fail(core::Error::Unavailable("cannot create the folder of SQLite database '" + file +
                                                       "': " + ec.message()));
        }
    }
    auto db = std::make_unique<SqliteDatabase>(std::move(file), options);
    if (auto r = db->Init(); !r) return core::Fail(std::move(r.error()));
    return std::unique_ptr<Database>(std::move(db));
}

}  // namespace customsdesk::storage::sqlite

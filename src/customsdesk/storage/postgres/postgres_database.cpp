#include "customsdesk/storage/postgres/postgres_database.hpp"

#include <libpq-fe.h>

#include <algorithm>
#include <atomic>
#include <charconv>
#include <string>
#include <utility>
#include <vector>

#include "customsdesk/storage/internal.hpp"
#include "customsdesk/storage/pool.hpp"

namespace customsdesk::storage::postgres {

namespace {

// Owns a PGresult.
struct ResultDeleter {
    void operator()(PGresult* r) const { PQclear(r); }
};
using PgResult = std::unique_ptr<PGresult, ResultDeleter>;

std::string Field(const PGresult* r, int code) {
    const char* v = r ? PQresultErrorField(r, code) : nullptr;
    return v ? v : "";
}

std::string TrimNewline(std::string s) {
    while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
    return s;
}

// One libpq connection. Used by one thread at a time (it is leased).
class Connection {
  public:
    Connection(const Connection&) = delete;
    Connection& operator=(const Connection&) = delete;
    ~Connection() { PQfinish(conn_); }

    static Result<std::unique_ptr<Connection>> Open(const std::string& url, const Options& options) {
        const std::string connect_timeout =
            std::to_string(std::max<long long>(2, (options.acquire_timeout.count() + 999) / 1000));
        const char* keywords[] = {"dbname", "connect_timeout", "application_name", nullptr};
        const char* values[] = {url.c_str(), connect_timeout.c_str(), "customsdesk", nullptr};
        PGconn* raw = PQconnectdbParams(keywords, values, /*expand_dbname=*/1);
        std::unique_ptr<Connection> conn(new Connection(raw));
        if (raw == nullptr || PQstatus(raw) != CONNECTION_OK) {
            return core::Fail(core::Error::Unavailable("cannot connect to PostgreSQL at " + detail::MaskPassword(url) +
                                                       ": " +
                                                       TrimNewline(raw ? PQerrorMessage(raw) : "out of memory")));
        }
        PQsetNoticeProcessor(
            raw, [](void*, const char*) {}, nullptr);  // "already exists, skipping" etc.
        const std::string setup = "SET statement_timeout = " + std::to_string(options.statement_timeout.count()) +
                                  "; SET TIME ZONE 'UTC'; SET client_encoding = 'UTF8'";
        if (auto r = conn->Exec(setup); !r) return core::Fail(std::move(r.error()));
        return conn;
    }

    [[nodiscard]] PGconn* pg() const { return conn_; }
    [[nodiscard]] bool broken() const { return PQstatus(conn_) != CONNECTION_OK; }

    // Runs SQL without parameters (may hold several statements).
    Result<PgResult> Exec(const std::string& sql) {
        PgResult r(PQexec(conn_, sql.c_str()));
        return Check(std::move(r));
    }

    Result<PgResult> ExecParams(const std::string& sql, const std::vector<const char*>& values) {
        PgResult r(PQexecParams(conn_, sql.c_str(), static_cast<int>(values.size()), nullptr, values.data(), nullptr,
                                nullptr, /*resultFormat=*/0));
        return Check(std::move(r));
    }

    // COPY ... FROM STDIN with `data` (COPY text format, whole rows).
    Result<void> CopyIn(const std::string& sql, std::string_view data) {
        PgResult start(PQexec(conn_, sql.c_str()));
        if (!start || PQresultStatus(start.get()) != PGRES_COPY_IN) {
            auto r = Check(std::move(start));
            if (!r) return core::Fail(std::move(r.error()));
            return core::Fail(core::Error::Internal("PostgreSQL did not start the COPY: " + sql));
        }
        constexpr std::size_t kChunk = 1 << 20;
        bool sent = true;
        for (std::size_t pos = 0; sent && pos < data.size(); pos += kChunk) {
            const std::size_t n = std::min(kChunk, data.size() - pos);
            sent = PQputCopyData(conn_, data.data() + pos, static_cast<int>(n)) == 1;
        }
        if (PQputCopyEnd(conn_, sent ? nullptr : "the client could not send the rows") != 1) sent = false;
        Result<void> outcome;
        while (PGresult* raw = PQgetResult(conn_)) {
            auto r = Check(PgResult(raw));
            if (!r && outcome) outcome = core::Fail(std::move(r.error()));
        }
        if (outcome && !sent) {
            return core::Fail(core::Error::Unavailable("lost the connection to PostgreSQL during COPY: " +
                                                       TrimNewline(PQerrorMessage(conn_))));
        }
        return outcome;
    }

  private:
    explicit Connection(PGconn* conn) : conn_(conn) {}

    Result<PgResult> Check(PgResult r) {
        const ExecStatusType status = r ? PQresultStatus(r.get()) : PGRES_FATAL_ERROR;
        if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK || status == PGRES_EMPTY_QUERY) return r;
        return core::Fail(MapError(r.get()));
    }

    core::Error MapError(const PGresult* r) {
        const std::string state = Field(r, PG_DIAG_SQLSTATE);
        std::string message = TrimNewline(Field(r, PG_DIAG_MESSAGE_PRIMARY));
        if (message.empty()) message = TrimNewline(PQerrorMessage(conn_));
        const std::string detail = TrimNewline(Field(r, PG_DIAG_MESSAGE_DETAIL));
        if (broken()) return core::Error::Unavailable("lost the connection to PostgreSQL: " + message);
        if (state == "23505") {
            return core::Error::AlreadyExists("unique constraint \"" + Field(r, PG_DIAG_CONSTRAINT_NAME) +
                                              "\" violated (" + (detail.empty() ? message : detail) + ")");
        }
        if (state == "23503") {
            return core::Error::FailedPrecondition("foreign key constraint \"" + Field(r, PG_DIAG_CONSTRAINT_NAME) +
                                                   "\" violated (" + (detail.empty() ? message : detail) + ")");
        }
        if (state == "57014") return core::Error::Unavailable("statement timeout: " + message);
        if (state == "40001" || state == "40P01" || state == "55P03" || state.starts_with("08") || state == "57P01" ||
            state == "57P02" || state == "57P03") {
            return core::Error::Unavailable("PostgreSQL " + state + ": " + message);
        }
        return core::Error::Internal("PostgreSQL " + (state.empty() ? std::string("error") : state) + ": " + message);
    }

    PGconn* conn_;
};

using Pool = detail::ConnectionPool<Connection>;

class PostgresDatabase;

class PostgresTransaction final : public Transaction {
  public:
    PostgresTransaction(PostgresDatabase& db, Pool::Lease lease) : db_(db), lease_(std::move(lease)) {}
    ~PostgresTransaction() override {
        if (lease_) Rollback();
    }

    Result<QueryResult> Query(std::string_view sql, std::span<const Param> params) override;
    Result<void> ExecuteScript(std::string_view sql) override;
    Result<void> CopyRows(std::string_view table, std::span<const std::string_view> columns,
                          std::span<const Param> params) override;
    Result<void> Commit() override;
    void Rollback() override;
    [[nodiscard]] Dialect dialect() const override { return Dialect::kPostgres; }

  private:
    Result<void> CheckUsable() const {
        if (!lease_) return core::Fail(core::Error::FailedPrecondition("the transaction has already ended"));
        if (aborted_) {
            return core::Fail(core::Error::FailedPrecondition(
                "the transaction was aborted by an earlier error; only Rollback is possible"));
        }
        return {};
    }
    // Notes a failed statement: the server aborted the transaction; a broken connection is dropped.
    std::unexpected<core::Error> Failed(core::Error error);

    PostgresDatabase& db_;  // outlives the transaction
    Pool::Lease lease_;     // empty once committed or rolled back
    bool aborted_ = false;  // a statement failed; the server accepts only ROLLBACK now
};

class PostgresDatabase final : public Database {
  public:
    PostgresDatabase(std::string url, const Options& options)
        : url_(std::move(url)),
          options_(options),
          pool_(options.pool_size, [this] { return Connection::Open(url_, options_); }) {}
    ~PostgresDatabase() override { Close(); }

    Result<void> Init() {
        auto lease = pool_.Acquire(options_.acquire_timeout);
        if (!lease) return core::Fail(std::move(lease.error()));
        return {};
    }

    Result<std::unique_ptr<Transaction>> Begin(TxMode mode) override {
        const std::string begin = mode != TxMode::kRead ? "BEGIN ISOLATION LEVEL READ COMMITTED" : "BEGIN READ ONLY";
        // An idle connection may have died (server restart, pg_terminate_backend): PQstatus only
        // notices on use. BEGIN has no effect yet, so retry it on fresh connections.
        core::Error last = core::Error::Unavailable("no PostgreSQL connection");
        for (int attempt = 0; attempt <= options_.pool_size; ++attempt) {
            auto lease = pool_.Acquire(options_.acquire_timeout);
            if (!lease) return core::Fail(std::move(lease.error()));
            auto r = (*lease)->Exec(begin);
            if (r) return std::unique_ptr<Transaction>(new PostgresTransaction(*this, std::move(*lease)));
            last = std::move(r.error());
            if (!(*lease)->broken()) {
                (void)(*lease)->Exec("ROLLBACK");
                return core::Fail(std::move(last));
            }
            lease->Release(/*broken=*/true);
        }
        return core::Fail(std::move(last));
    }

    [[nodiscard]] Dialect dialect() const override { return Dialect::kPostgres; }

    [[nodiscard]] PoolStats Stats() const override {
        PoolStats stats;
        pool_.AddStats(stats);
        stats.transactions_committed_total = committed_.load();
        stats.transactions_rolled_back_total = rolled_back_.load();
        return stats;
    }

    // Every PostgreSQL commit is durable (kBulkWriteDeferred too).
    Result<void> Sync() override { return {}; }

    Result<void> Ping() override {
        auto tx = Begin(TxMode::kRead);
        if (!tx) return core::Fail(std::move(tx.error()));
        if (auto r = (*tx)->Query("SELECT 1"); !r) return core::Fail(std::move(r.error()));
        return (*tx)->Commit();
    }

    void Close() override { pool_.Close(); }

    [[nodiscard]] std::string Describe() const override { return detail::MaskPassword(url_); }

    void CountCommit() { ++committed_; }
    void CountRollback() { ++rolled_back_; }

  private:
    const std::string url_;
    const Options options_;
    Pool pool_;
    std::atomic<std::uint64_t> committed_{0};
    std::atomic<std::uint64_t> rolled_back_{0};
};

std::string ToText(const Param& param, bool& is_null) {
    is_null = false;
    return std::visit(
        [&](const auto& v) -> std::string {
            using T = std::decay_t<decltype(v)>;
            if constexpr (std::is_same_v<T, std::monostate>) {
                is_null = true;
                return {};
            } else if constexpr (std::is_same_v<T, std::int64_t>) {
                return std::to_string(v);
            } else if constexpr (std::is_same_v<T, double>) {
                char buf[64];
                auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
                return std::string(buf, end);
            } else if constexpr (std::is_same_v<T, bool>) {
                return v ? "true" : "false";
            } else if constexpr (std::is_same_v<T, TextView>) {
                return std::string(v.text);
            } else {
                return v;
            }
        },
        param);
}

std::unexpected<core::Error> PostgresTransaction::Failed(core::Error error) {
    aborted_ = true;
    if (lease_->broken()) {
        db_.CountRollback();
        lease_.Release(/*broken=*/true);
    }
    return core::Fail(std::move(error));
}

Result<QueryResult> PostgresTransaction::Query(std::string_view sql, std::span<const Param> params) {
    if (auto ok = CheckUsable(); !ok) return core::Fail(std::move(ok.error()));
    std::vector<std::string> texts(params.size());
    std::vector<const char*> values(params.size());
    for (std::size_t i = 0; i < params.size(); ++i) {
        bool is_null = false;
        texts[i] = ToText(params[i], is_null);
        values[i] = is_null ? nullptr : texts[i].c_str();
    }
    auto r = lease_->ExecParams(std::string(sql), values);
    if (!r) return Failed(std::move(r.error()));
    PGresult* res = r->get();
    QueryResult result;
    const int columns = PQnfields(res);
    const int rows = PQntuples(res);
    result.columns.reserve(static_cast<std::size_t>(columns));
    for (int c = 0; c < columns; ++c) result.columns.emplace_back(PQfname(res, c));
    result.rows.reserve(static_cast<std::size_t>(rows));
    for (int row = 0; row < rows; ++row) {
        std::vector<std::optional<std::string>> cells;
        cells.reserve(static_cast<std::size_t>(columns));
        for (int c = 0; c < columns; ++c) {
            if (PQgetisnull(res, row, c)) {
                cells.emplace_back(std::nullopt);
            } else {
                cells.emplace_back(
                    std::string(PQgetvalue(res, row, c), static_cast<std::size_t>(PQgetlength(res, row, c))));
            }
        }
        result.rows.emplace_back(std::move(cells));
    }
    const std::string_view command = PQcmdStatus(res);
    if (!command.starts_with("SELECT")) {
        const std::string_view tuples = PQcmdTuples(res);
        std::from_chars(tuples.data(), tuples.data() + tuples.size(), result.affected);
    }
    return result;
}

Result<void> PostgresTransaction::ExecuteScript(std::string_view sql) {
    if (auto ok = CheckUsable(); !ok) return core::Fail(std::move(ok.error()));
    auto r = lease_->Exec(std::string(sql));
    if (!r) return Failed(std::move(r.error()));
    return {};
}

namespace {

// One value in COPY's text format: \N for NULL; backslash, tab, newline and carriage return escaped.
void AppendCopyText(std::string& out, const Param& param) {
    std::visit(
        [&](const auto& v) {
            using T = std::decay_t<decltype(v)>;
            if constexpr (std::is_same_v<T, std::monostate>) {
                out += "\\N";
            } else if constexpr (std::is_same_v<T, std::int64_t> || std::is_same_v<T, double>) {
                char buf[64];
                auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
                out.append(buf, end);
            } else if constexpr (std::is_same_v<T, bool>) {
                out += v ? 't' : 'f';
            } else {
                std::string_view text;
                if constexpr (std::is_same_v<T, TextView>) text = v.text;
                else text = v;
                for (const char c : text) {
                    switch (c) {
                        case '\\': out += "\\\\"; break;
                        case '\t': out += "\\t"; break;
                        case '\n': out += "\\n"; break;
                        case '\r': out += "\\r"; break;
                        default: out += c;
                    }
                }
            }
        },
        param);
}

}  // namespace

Result<void> PostgresTransaction::CopyRows(std::string_view table, std::span<const std::string_view> columns,
                                           std::span<const Param> params) {
    if (auto ok = CheckUsable(); !ok) return core::Fail(std::move(ok.error()));
    if (columns.empty() || params.size() % columns.size() != 0) {
        return core::Fail(core::Error::Internal("CopyRows: the parameters are not whole rows"));
    }
    if (params.empty()) return {};
    std::string sql = "COPY ";
    sql += table;
    sql += ' ';
    sql += detail::ColumnList(columns);
    sql += " FROM STDIN";
    std::string data;
    data.reserve(params.size() * 16);
    for (std::size_t i = 0; i < params.size(); ++i) {
        AppendCopyText(data, params[i]);
        data += (i + 1) % columns.size() == 0 ? '\n' : '\t';
    }
    auto r = lease_->CopyIn(sql, data);
    if (!r) return Failed(std::move(r.error()));
    return {};
}

Result<void> PostgresTransaction::Commit() {
    if (!lease_) return core::Fail(core::Error::FailedPrecondition("the transaction has already ended"));
    if (aborted_) {
        Rollback();
        return core::Fail(core::Error::FailedPrecondition(
            "the transaction was aborted by an earlier error and has been rolled back"));
    }
    auto r = lease_->Exec("COMMIT");
    if (!r) {
        // Deferred constraint or serialization failure at commit, or the connection was lost: in the
        // last case the outcome is unknown to us, which the caller must treat as a failure.
        const bool broken = lease_->broken();
        if (!broken) (void)lease_->Exec("ROLLBACK");
        db_.CountRollback();
        lease_.Release(broken);
        return core::Fail(std::move(r.error()));
    }
    // COMMIT of an aborted transaction "succeeds" with the tag ROLLBACK.
    const bool rolled_back = std::string_view(PQcmdStatus(r->get())) == "ROLLBACK";
    lease_.Release(false);
    if (rolled_back) {
        db_.CountRollback();
        return core::Fail(core::Error::FailedPrecondition("the transaction was rolled back by the server"));
    }
    db_.CountCommit();
    return {};
}

void PostgresTransaction::Rollback() {
    if (!lease_) return;
    bool broken = lease_->broken();
    if (!broken) broken = !lease_->Exec("ROLLBACK") && lease_->broken();
    db_.CountRollback();
    lease_.Release(broken || PQtransactionStatus(lease_->pg()) != PQTRANS_IDLE);
}

}  // namespace

Result<std::unique_ptr<Database>> OpenPostgres(std::string_view url, const Options& options) {
    auto db = std::make_unique<PostgresDatabase>(std::string(url), options);
    if (auto r = db->Init(); !r) return core::Fail(std::move(r.error()));
    return std::unique_ptr<Database>(std::move(db));
}

}  // namespace customsdesk::storage::postgres

#include "support/test_database.hpp"

#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <random>
#include <stdexcept>

#include "customsdesk/storage/migrations.hpp"

namespace customsdesk::test_support {

namespace {

constexpr const char* kAppliedAt = "2000-01-01T00:00:00.000000Z";

std::atomic<int> g_counter{0};

[[noreturn]] void Die(const std::string& message) {
    ADD_FAILURE() << message;
    throw std::runtime_error(message);
}

// The per-process folder for SQLite test files; removed at exit.
class TempFolder {
  public:
    TempFolder() {
        const char* base = std::getenv("TMPDIR");
        std::string pattern = std::string(base && *base ? base : "/tmp") + "/customsdesk-test-XXXXXX";
        if (mkdtemp(pattern.data()) == nullptr) Die("cannot create a temporary folder from " + pattern);
        path_ = pattern;
    }
    ~TempFolder() {
        std::error_code ec;
        std::filesystem::remove_all(path_, ec);
    }
    [[nodiscard]] const std::string& path() const { return path_; }

  private:
    std::string path_;
};

const std::string& TempPath() {
    static TempFolder folder;
    return folder.path();
}

std::string PgDir() {
    const char* dir = std::getenv("CUSTOMSDESK_TEST_PG_DIR");
    return dir && *dir ? dir : CUSTOMSDESK_DEFAULT_PG_TEST_DIR;
}

std::string PgServerUrl() {
    const std::string file = PgDir() + "/url";
    std::ifstream in(file);
    std::string url;
    if (!in || !std::getline(in, url) || url.empty()) {
        Die("CUSTOMSDESK_TEST_DB=postgres but " + file +
            " does not exist: start a server with `scripts/pg-test-server.sh start " + PgDir() +
            "` or run the tests through ctest (fixture postgres_server_start)");
    }
    return url;
}

// The server URL with its database name replaced.
std::string WithDatabase(const std::string& url, const std::string& name) {
    const auto scheme = url.find("://");
    const auto slash = url.find('/', scheme == std::string::npos ? 0 : scheme + 3);
    const auto query = url.find('?');
    const std::string rest = query == std::string::npos ? "" : url.substr(query);
    return (slash == std::string::npos ? url.substr(0, query) : url.substr(0, slash)) + "/" + name + rest;
}

void PgAdmin(const std::string& sql) {
    PGconn* conn = PQconnectdb(PgServerUrl().c_str());
    if (PQstatus(conn) != CONNECTION_OK) {
        const std::string message = PQerrorMessage(conn);
        PQfinish(conn);
        Die("cannot connect to the PostgreSQL test server: " + message);
    }
    PGresult* r = PQexec(conn, sql.c_str());
    const bool ok = PQresultStatus(r) == PGRES_COMMAND_OK;
    const std::string message = ok ? "" : PQresultErrorMessage(r);
    PQclear(r);
    PQfinish(conn);
    if (!ok) Die("PostgreSQL test server refused `" + sql + "`: " + message);
}

std::string UniqueName() {
    static const unsigned salt = std::random_device{}() % 100000;
    return "cdtest_" + std::to_string(getpid()) + "_" + std::to_string(salt) + "_" + std::to_string(++g_counter);
}

struct Fresh {
    std::string url;
    std::string cleanup;  // SQLite file path or PostgreSQL database name
};

Fresh MakeFresh() {
    const std::string name = UniqueName();
    if (ConfiguredKind() == TestDbKind::kSqlite) {
        const std::string path = TempPath() + "/" + name + ".sqlite";
        return {"sqlite:" + path, path};
    }
    PgAdmin("CREATE DATABASE " + name + " TEMPLATE template0 ENCODING 'UTF8'");
    return {WithDatabase(PgServerUrl(), name), name};
}

std::unique_ptr<storage::Database> OpenUrl(const std::string& url, const storage::Options& options, bool migrate) {
    auto db = storage::Open(url, options);
    if (!db) Die("cannot open test database " + url + ": " + db.error().message);
    if (migrate) {
        auto report = storage::Migrate(**db, kAppliedAt);
        if (!report) Die("cannot migrate test database " + url + ": " + report.error().message);
    }
    return std::move(*db);
}

// Forwards to the real database and removes it afterwards.
class TestDatabase final : public storage::Database {
  public:
    TestDatabase(std::unique_ptr<storage::Database> inner, TestDbKind kind, std::string cleanup)
        : inner_(std::move(inner)), kind_(kind), cleanup_(std::move(cleanup)) {}
    ~TestDatabase() override {
        inner_->Close();
        inner_.reset();
        if (kind_ == TestDbKind::kSqlite) {
            std::error_code ec;
            for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(cleanup_ + suffix, ec);
        } else {
            try {
                PgAdmin("DROP DATABASE IF EXISTS " + cleanup_ + " WITH (FORCE)");
            } catch (const std::exception&) {
                // Reported through ADD_FAILURE already; the cluster is thrown away anyway.
            }
        }
    }

    core::Result<std::unique_ptr<storage::Transaction>> Begin(storage::TxMode mode) override {
        return inner_->Begin(mode);
    }
    [[nodiscard]] storage::Dialect dialect() const override { return inner_->dialect(); }
    [[nodiscard]] storage::PoolStats Stats() const override { return inner_->Stats(); }
    core::Result<void> Sync() override { return inner_->Sync(); }
    core::Result<void> Ping() override { return inner_->Ping(); }
    void Close() override { inner_->Close(); }
    [[nodiscard]] std::string Describe() const override { return inner_->Describe(); }

  private:
    std::unique_ptr<storage::Database> inner_;
    const TestDbKind kind_;
    const std::string cleanup_;
};

std::unique_ptr<storage::Database> OpenFresh(const storage::Options& options, bool migrate) {
    Fresh fresh = MakeFresh();
    auto db = OpenUrl(fresh.url, options, migrate);
    return std::make_unique<TestDatabase>(std::move(db), ConfiguredKind(), fresh.cleanup);
}

}  // namespace

TestDbKind ConfiguredKind() {
    const char* kind = std::getenv("CUSTOMSDESK_TEST_DB");
    const std::string value = kind ? kind : "sqlite";
    if (value.empty() || value == "sqlite") return TestDbKind::kSqlite;
    if (value == "postgres" || value == "postgresql") return TestDbKind::kPostgres;
    Die("CUSTOMSDESK_TEST_DB must be sqlite or postgres, not '" + value + "'");
}

std::unique_ptr<storage::Database> OpenTestDatabase(const storage::Options& options) {
    return OpenFresh(options, true);
}

std::unique_ptr<storage::Database> OpenUnmigratedTestDatabase(const storage::Options& options) {
    return OpenFresh(options, false);
}

std::string TestDatabaseUrl() {
    Fresh fresh = MakeFresh();
    OpenUrl(fresh.url, {}, true)->Close();
    return fresh.url;
}

std::string UnmigratedTestDatabaseUrl() { return MakeFresh().url; }

}  // namespace customsdesk::test_support

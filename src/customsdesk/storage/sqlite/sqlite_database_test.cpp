// SQLite-only behaviour: parameter rewriting, the in-memory database, crash durability.
#include "customsdesk/storage/sqlite/sqlite_database.hpp"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <thread>

#include "customsdesk/storage/migrations.hpp"

namespace customsdesk::storage::sqlite {
namespace {

TEST(SqliteParams, RewritesDollarNumbersOutsideLiterals) {
    EXPECT_EQ(RewriteNumberedParams("SELECT $1, $2, $1"), "SELECT ?1, ?2, ?1");
    EXPECT_EQ(RewriteNumberedParams("SELECT $12 + $3"), "SELECT ?12 + ?3");
    EXPECT_EQ(RewriteNumberedParams("SELECT '$1', $1"), "SELECT '$1', ?1");
    EXPECT_EQ(RewriteNumberedParams("SELECT 'it''s $1', $2"), "SELECT 'it''s $1', ?2");
    EXPECT_EQ(RewriteNumberedParams("SELECT \"col$1\", $1"), "SELECT \"col$1\", ?1");
    EXPECT_EQ(RewriteNumberedParams("SELECT $1 -- $2\n, $3"), "SELECT ?1 -- $2\n, ?3");
    EXPECT_EQ(RewriteNumberedParams("SELECT /* $1 */ $2"), "SELECT /* $1 */ ?2");
    EXPECT_EQ(RewriteNumberedParams("SELECT '$1"), "SELECT '$1");  // unterminated: left alone
    EXPECT_EQ(RewriteNumberedParams("SELECT $a, $"), "SELECT $a, $");
    EXPECT_EQ(RewriteNumberedParams(""), "");
}

TEST(SqliteMemory, OneConnectionServesBothRoles) {
    auto db = Open("sqlite::memory:");
    ASSERT_TRUE(db) << db.error().message;
    ASSERT_TRUE(Migrate(**db, "2026-01-01T00:00:00.000000Z"));
    {
        auto tx = (*db)->Begin(TxMode::kWrite);
        ASSERT_TRUE(tx);
        ASSERT_TRUE((*tx)->Execute("INSERT INTO organisations (name, created_at, updated_at) VALUES ('m', 'x', 'x')"));
        ASSERT_TRUE((*tx)->Commit());
    }
    auto tx = (*db)->Begin(TxMode::kRead);
    ASSERT_TRUE(tx);
    EXPECT_EQ((*(*tx)->QueryOne("SELECT count(*) FROM organisations"))->GetInt(0), 1);
    EXPECT_FALSE((*tx)->Execute("DELETE FROM organisations"));  // read transactions stay read-only
    tx->reset();
    // A second in-memory database is a different one.
    auto other = Open("sqlite::memory:");
    ASSERT_TRUE(other);
    EXPECT_EQ(*CurrentSchemaVersion(**other), 0);
    EXPECT_EQ((*db)->Describe(), "sqlite::memory:");
}

TEST(SqliteOpen, CreatesTheFolderAndUsesWal) {
    const auto dir = std::filesystem::temp_directory_path() / ("cd-sqlite-open-" + std::to_string(getpid()));
    std::filesystem::remove_all(dir);
    const std::string path = (dir / "nested" / "db.sqlite").string();
    {
        auto db = Open("sqlite:" + path);
        ASSERT_TRUE(db) << db.error().message;
        auto tx = (*db)->Begin(TxMode::kRead);
        ASSERT_TRUE(tx);
        EXPECT_EQ((*(*tx)->QueryOne("PRAGMA journal_mode"))->GetText(0), "wal");
        EXPECT_EQ((*(*tx)->QueryOne("PRAGMA foreign_keys"))->GetInt(0), 1);
        EXPECT_EQ((*(*tx)->QueryOne("PRAGMA page_size"))->GetInt(0), 16384);  // a new file: 16 KiB pages
    }
    std::filesystem::remove_all(dir);
}

TEST(SqliteCheckpoint, AFullWalIsCopiedByTheDatabasesOwnThreadAndThenStartsAgain) {
    const auto dir = std::filesystem::temp_directory_path() / ("cd-sqlite-ckpt-" + std::to_string(getpid()));
    std::filesystem::remove_all(dir);
    const std::string path = (dir / "db.sqlite").string();
    Options options;
    options.wal_checkpoint_pages = 8;
    {
        auto db = Open("sqlite:" + path, options);
        ASSERT_TRUE(db) << db.error().message;
        const std::string text(40000, 'x');  // three 16 KiB pages a row
        auto write = [&](int rows) {
            auto tx = (*db)->Begin(TxMode::kWrite);
            ASSERT_TRUE(tx);
            ASSERT_TRUE((*tx)->Execute("CREATE TABLE IF NOT EXISTS t (x TEXT NOT NULL)"));
            for (int i = 0; i < rows; ++i) ASSERT_TRUE((*tx)->Execute("INSERT INTO t (x) VALUES ($1)", {text}));
            ASSERT_TRUE((*tx)->Commit());
        };
        EXPECT_EQ((*db)->Stats().wal_checkpoints_total, 0u);
        write(4);  // 12+ pages: past the threshold, far below the writer's own (16 times it)
        // The thread copies the WAL soon after the commit; the wait is for it, not a limit on its speed.
        for (int i = 0; i < 6000 && (*db)->Stats().wal_checkpoints_total == 0; ++i)
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        ASSERT_GE((*db)->Stats().wal_checkpoints_total, 1u);
        const auto wal = std::filesystem::file_size(path + "-wal");
        // All of the WAL was copied: the next commit writes it again from its start instead of
        // making it longer.
        write(4);
        EXPECT_EQ(std::filesystem::file_size(path + "-wal"), wal);
        auto tx = (*db)->Begin(TxMode::kRead);
        ASSERT_TRUE(tx);
        EXPECT_EQ((*(*tx)->QueryOne("SELECT count(*) FROM t"))->GetInt(0), 8);
    }
    std::filesystem::remove_all(dir);
}

TEST(SqliteDurability, AcknowledgedCommitsSurviveSigkill) {
    const auto dir = std::filesystem::temp_directory_path() / ("cd-sqlite-crash-" + std::to_string(getpid()));
    std::filesystem::remove_all(dir);
    const std::string url = "sqlite:" + (dir / "crash.sqlite").string();
    {
        auto db = Open(url);
        ASSERT_TRUE(db) << db.error().message;
        ASSERT_TRUE(Migrate(**db, "2026-01-01T00:00:00.000000Z"));
    }
    int acks[2];
    ASSERT_EQ(pipe(acks), 0);
    const pid_t child = fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
        // The child commits rows forever and reports each id after Commit() returned.
        close(acks[0]);
        auto db = Open(url);
        if (!db) _exit(2);
        for (std::int64_t i = 1;; ++i) {
            auto tx = (*db)->Begin(TxMode::kWrite);
            if (!tx) _exit(3);
            if (!(*tx)->Execute(
                    "INSERT INTO organisations (id, name, created_at, updated_at) VALUES ($1, 'c', 'x', 'x')", {i})) {
                _exit(4);
            }
            if (!(*tx)->Commit()) _exit(5);
            if (write(acks[1], &i, sizeof i) != sizeof i) _exit(6);
        }
    }
    close(acks[1]);
    constexpr std::int64_t kAcknowledged = 200;
    std::int64_t last = 0;
    while (last < kAcknowledged) {
        std::int64_t id = 0;
        ASSERT_EQ(read(acks[0], &id, sizeof id), static_cast<ssize_t>(sizeof id)) << "the child died early";
        last = id;
    }
    kill(child, SIGKILL);  // right after an acknowledgement, likely in the middle of the next commit
    int status = 0;
    waitpid(child, &status, 0);
    close(acks[0]);
    ASSERT_TRUE(WIFSIGNALED(status));

    auto db = Open(url);
    ASSERT_TRUE(db) << db.error().message;
    auto tx = (*db)->Begin(TxMode::kRead);
    ASSERT_TRUE(tx);
    auto row = (*tx)->QueryOne("SELECT count(*), min(id), max(id) FROM organisations WHERE id <= $1", {last});
    ASSERT_TRUE(row) << row.error().message;
    EXPECT_EQ((*row)->GetInt(0), last);
    EXPECT_EQ((*row)->GetInt(1), 1);
    EXPECT_EQ((*row)->GetInt(2), last);
    auto check = (*tx)->QueryOne("PRAGMA integrity_check");
    ASSERT_TRUE(check);
    EXPECT_EQ((*check)->GetText(0), "ok");
    tx->reset();
    db->reset();
    std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace customsdesk::storage::sqlite

// GroupCommitter crash durability on SQLite: every item acknowledged (done(ok) called) before the
// process is killed with SIGKILL is in the database afterwards; the file is intact.
#include <gtest/gtest.h>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <set>
#include <thread>
#include <vector>

#include "customsdesk/storage/database.hpp"
#include "customsdesk/storage/group_commit.hpp"
#include "customsdesk/storage/migrations.hpp"

namespace customsdesk::storage {
namespace {

TEST(GroupCommitDurability, AcknowledgedItemsSurviveSigkill) {
    const auto dir = std::filesystem::temp_directory_path() / ("cd-gc-crash-" + std::to_string(getpid()));
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
        // Eight writer threads submit rows with their own ids; the writer thread acknowledges each
        // committed item on the pipe.
        close(acks[0]);
        auto db = Open(url);
        if (!db) _exit(2);
        GroupCommitter committer(**db);
        std::vector<std::thread> threads;
        for (std::int64_t t = 0; t < 8; ++t) {
            threads.emplace_back([&, t] {
                for (std::int64_t i = 0;; ++i) {
                    const std::int64_t id = i * 8 + t + 1;
                    auto r = committer.Run([id](Transaction& tx) -> Result<void> {
                        auto e = tx.Execute(
                            "INSERT INTO organisations (id, name, created_at, updated_at) VALUES ($1, 'c', 'x', 'x')",
                            {id});
                        if (!e) return core::Fail(std::move(e.error()));
                        return {};
                    });
                    if (!r) _exit(4);
                    if (write(acks[1], &id, sizeof id) != sizeof id) _exit(6);
                }
            });
        }
        for (auto& th : threads) th.join();
        _exit(0);
    }
    close(acks[1]);
    std::set<std::int64_t> acknowledged;
    while (acknowledged.size() < 400) {
        std::int64_t id = 0;
        ASSERT_EQ(read(acks[0], &id, sizeof id), static_cast<ssize_t>(sizeof id)) << "the child died early";
        acknowledged.insert(id);
    }
    kill(child, SIGKILL);
    int status = 0;
    waitpid(child, &status, 0);
    // Acknowledgements still in the pipe were also committed before the kill.
    for (std::int64_t id = 0; read(acks[0], &id, sizeof id) == static_cast<ssize_t>(sizeof id);) acknowledged.insert(id);
    close(acks[0]);
    ASSERT_TRUE(WIFSIGNALED(status));

    auto db = Open(url);
    ASSERT_TRUE(db) << db.error().message;
    auto tx = (*db)->Begin(TxMode::kRead);
    ASSERT_TRUE(tx);
    std::set<std::int64_t> present;
    auto rows = (*tx)->Query("SELECT id FROM organisations");
    ASSERT_TRUE(rows);
    for (const auto& r : rows->rows) present.insert(r.GetInt(0));
    for (auto id : acknowledged) EXPECT_TRUE(present.count(id)) << "acknowledged id " << id << " lost";
    auto check = (*tx)->QueryOne("PRAGMA integrity_check");
    ASSERT_TRUE(check);
    EXPECT_EQ((*check)->GetText(0), "ok");
    tx->reset();
    db->reset();
    std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace customsdesk::storage

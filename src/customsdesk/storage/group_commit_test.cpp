// storage::GroupCommitter on the configured database (SQLite and PostgreSQL): batching, failure
// isolation (one failing item never fails the others), and shutdown.
#include "customsdesk/storage/group_commit.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "support/test_database.hpp"

namespace customsdesk::storage {
namespace {

constexpr const char* kNow = "2026-01-01T00:00:00.000000Z";

std::int64_t Count(Database& db) {
    auto tx = db.Begin(TxMode::kRead);
    auto row = (*tx)->QueryOne("SELECT COUNT(*) FROM organisations");
    return (*row)->GetInt(0);
}

Result<void> Insert(Transaction& tx, const std::string& name) {
    auto r = tx.Execute("INSERT INTO organisations (name, created_at, updated_at) VALUES ($1, $2, $2)", {name, kNow});
    if (!r) return core::Fail(std::move(r.error()));
    return {};
}

TEST(GroupCommit, ConcurrentItemsAllCommitAndShareTransactions) {
    auto db = test_support::OpenTestDatabase();
    GroupCommitter committer(*db);
    constexpr int kThreads = 16, kPerThread = 20;
    std::atomic<int> ok{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&, t] {
            for (int i = 0; i < kPerThread; ++i) {
                if (committer.Run([&](Transaction& tx) { return Insert(tx, "org " + std::to_string(t) + "-" + std::to_string(i)); })) ++ok;
            }
        });
    }
    for (auto& th : threads) th.join();
    EXPECT_EQ(ok.load(), kThreads * kPerThread);
    EXPECT_EQ(Count(*db), kThreads * kPerThread);
    const auto stats = committer.Stats();
    EXPECT_EQ(stats.items, static_cast<std::uint64_t>(kThreads * kPerThread));
    EXPECT_LE(stats.batches, stats.items);
    EXPECT_EQ(stats.failed_batches, 0u);
}

// A work item that fails (error or exception) fails alone: the others of its batch commit.
TEST(GroupCommit, OneFailingItemDoesNotFailTheOthers) {
    auto db = test_support::OpenTestDatabase();
    GroupCommitter committer(*db, GroupCommitOptions{512, 100000, std::chrono::milliseconds(50)});
    std::atomic<int> done{0};
    std::vector<Result<void>> results(10);
    for (int i = 0; i < 10; ++i) {
        committer.Submit(
            [i](Transaction& tx) -> Result<void> {
                if (i == 3) return core::Fail(core::Error::InvalidArgument("bad item"));
                if (i == 6) throw std::runtime_error("boom");
                if (i == 8) {  // a failing statement: the transaction can only roll back
                    auto r = tx.Execute("INSERT INTO no_such_table VALUES (1)");
                    if (!r) return core::Fail(std::move(r.error()));
                }
                return Insert(tx, "item " + std::to_string(i));
            },
            [&, i](Result<void> r) {
                results[i] = std::move(r);
                ++done;
            });
    }
    committer.Stop();
    ASSERT_EQ(done.load(), 10);
    for (int i = 0; i < 10; ++i) {
        if (i == 3 || i == 6 || i == 8) {
            EXPECT_FALSE(results[i]) << i;
        } else {
            EXPECT_TRUE(results[i]) << i;
        }
    }
    EXPECT_EQ(results[3].error().code, core::ErrorCode::kInvalidArgument);
    EXPECT_EQ(results[6].error().code, core::ErrorCode::kInternal);
    EXPECT_EQ(Count(*db), 7);
    EXPECT_GE(committer.Stats().failed_batches, 1u);
}

TEST(GroupCommit, AfterStopWorkIsRefused) {
    auto db = test_support::OpenTestDatabase();
    GroupCommitter committer(*db);
    committer.Stop();
    auto r = committer.Run([](Transaction& tx) { return Insert(tx, "late"); });
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, core::ErrorCode::kUnavailable);
    EXPECT_EQ(Count(*db), 0);
}

}  // namespace
}  // namespace customsdesk::storage

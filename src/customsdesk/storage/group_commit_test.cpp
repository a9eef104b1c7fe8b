// storage::GroupCommitter on the configured database (SQLite and PostgreSQL): batching, failure
// isolation (one failing item never fails the others), and shutdown.
#include "customsdesk/storage/group_commit.hpp"

#include "customsdesk/storage/bulk.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <set>
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

// The linger gathers concurrent writes into fewer commits, but never delays a lone write.
TEST(GroupCommit, LingerWaitsOnlyWhileWritesComeConcurrently) {
    auto db = test_support::OpenTestDatabase();
    GroupCommitter committer(*db, GroupCommitOptions{512, 100000, std::chrono::milliseconds(20)});
    for (int i = 0; i < 5; ++i) ASSERT_TRUE(committer.Run([&](Transaction& tx) { return Insert(tx, "alone " + std::to_string(i)); }));
    EXPECT_EQ(committer.Stats().lingered, 0u);
    EXPECT_EQ(committer.Stats().batches, 5u);
    constexpr int kThreads = 8, kPerThread = 10;
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&, t] {
            for (int i = 0; i < kPerThread; ++i)
                EXPECT_TRUE(committer.Run([&](Transaction& tx) { return Insert(tx, "c" + std::to_string(t) + "-" + std::to_string(i)); }));
        });
    }
    for (auto& th : threads) th.join();
    const auto stats = committer.Stats();
    EXPECT_GT(stats.lingered, 0u);
    EXPECT_LT(stats.batches, 5u + kThreads * kPerThread) << "concurrent writes should share commits";
    EXPECT_EQ(Count(*db), 5 + kThreads * kPerThread);
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

// Batched items of one batch function are written by one call (here one multi-row INSERT via
// InsertRows, ids from AllocateIds); a bad one fails alone, the rest of its batch commits.
TEST(GroupCommit, BatchedItemsShareOneCallAndFailAlone) {
    auto db = test_support::OpenTestDatabase();
    GroupCommitter committer(*db, GroupCommitOptions{512, 100000, std::chrono::milliseconds(50)});
    struct Payload {
        std::string name;
        std::int64_t id = 0;  // output
    };
    std::atomic<int> calls{0};
    GroupCommitter::BatchWork batch = [&](Transaction& tx, std::span<void* const> payloads) -> Result<void> {
        ++calls;
        auto ids = AllocateIds(tx, "organisations", payloads.size());
        if (!ids) return core::Fail(std::move(ids.error()));
        std::vector<Param> rows;
        for (std::size_t k = 0; k < payloads.size(); ++k) {
            auto* p = static_cast<Payload*>(payloads[k]);
            if (p->name == "bad") return core::Fail(core::Error::InvalidArgument("bad payload"));
            p->id = (*ids)[k];
            rows.insert(rows.end(), {p->id, p->name, std::string(kNow), std::string(kNow)});
        }
        static constexpr std::string_view kColumns[] = {"id", "name", "created_at", "updated_at"};
        auto r = InsertRows(tx, "organisations", kColumns, rows, {}, /*rows_per_statement=*/4);
        if (!r) return core::Fail(std::move(r.error()));
        if (r->size() != payloads.size()) return core::Fail(core::Error::Internal("InsertRows lost rows"));
        return {};
    };
    constexpr int kItems = 21;
    std::vector<Payload> payloads(kItems);
    std::vector<Result<void>> results(kItems);
    std::vector<std::thread> threads;
    for (int i = 0; i < kItems; ++i) {
        payloads[i].name = i == 7 ? "bad" : "batched " + std::to_string(i);
        threads.emplace_back([&, i] { results[i] = committer.RunBatched(batch, &payloads[i]); });
    }
    for (auto& t : threads) t.join();
    for (int i = 0; i < kItems; ++i) EXPECT_EQ(results[i].has_value(), i != 7) << i;
    EXPECT_EQ(Count(*db), kItems - 1);
    // Without a failure, concurrent items share calls (the 50 ms linger gathers them).
    calls = 0;
    std::vector<Payload> more(kItems);
    threads.clear();
    for (int i = 0; i < kItems; ++i) {
        more[i].name = "more " + std::to_string(i);
        threads.emplace_back([&, i] { EXPECT_TRUE(committer.RunBatched(batch, &more[i])); });
    }
    for (auto& t : threads) t.join();
    EXPECT_LT(calls.load(), kItems) << "batched items should share calls";
    EXPECT_EQ(Count(*db), 2 * kItems - 1);
    std::set<std::int64_t> ids;
    for (int i = 0; i < kItems; ++i)
        if (i != 7) ids.insert(payloads[i].id);
    EXPECT_EQ(ids.size(), static_cast<std::size_t>(kItems - 1));
}

// SubmitBatched does not block: one thread queues many payloads, each `done` comes after its
// commit (the row is visible by then), and a bad payload fails alone.
TEST(GroupCommit, SubmittedBatchedItemsCompleteWithoutBlockingTheCaller) {
    auto db = test_support::OpenTestDatabase();
    GroupCommitter committer(*db, GroupCommitOptions{512, 100000, std::chrono::milliseconds(50)});
    struct Payload {
        std::string name;
        std::int64_t id = 0;
    };
    GroupCommitter::BatchWork batch = [&](Transaction& tx, std::span<void* const> payloads) -> Result<void> {
        for (void* raw : payloads) {
            auto* p = static_cast<Payload*>(raw);
            if (p->name == "bad") return core::Fail(core::Error::InvalidArgument("bad payload"));
            auto r = Insert(tx, p->name);
            if (!r) return r;
        }
        return {};
    };
    constexpr int kItems = 30;
    std::vector<Payload> payloads(kItems);
    std::vector<std::optional<Result<void>>> results(kItems);
    std::vector<std::int64_t> visible(kItems, -1);
    std::mutex mu;
    std::condition_variable cv;
    int finished = 0;
    for (int i = 0; i < kItems; ++i) {
        payloads[i].name = i == 11 ? "bad" : "submitted " + std::to_string(i);
        committer.SubmitBatched(batch, &payloads[i], [&, i](Result<void> r) {
            const std::int64_t rows = Count(*db);  // committed before done: a reader sees it
            std::lock_guard lock(mu);
            results[i] = std::move(r);
            visible[i] = rows;
            ++finished;
            cv.notify_all();
        });
    }
    {
        std::unique_lock lock(mu);
        cv.wait(lock, [&] { return finished == kItems; });
    }
    for (int i = 0; i < kItems; ++i) {
        ASSERT_TRUE(results[i].has_value()) << i;
        EXPECT_EQ(results[i]->has_value(), i != 11) << i;
        if (i != 11) {
            EXPECT_GE(visible[i], 1) << i;
        }
    }
    EXPECT_EQ(Count(*db), kItems - 1);
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

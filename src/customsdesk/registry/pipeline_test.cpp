// CheckWhileWriting (pipeline.hpp): order and batching, the writer's error cancelling the checker
// (no hang however far the checker would run), exceptions on either side reaching the caller.
#include "customsdesk/registry/pipeline.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <mutex>
#include <stdexcept>
#include <thread>

namespace customsdesk::registry {
namespace {

struct Ints {
    std::vector<int> v;
};

TEST(CheckWhileWriting, WritesEveryItemInOrderInBatches) {
    std::vector<int> written;
    std::vector<std::size_t> sizes;
    std::thread::id writer_thread;
    std::thread::id checker_thread;
    auto r = CheckWhileWriting<Ints>(
        [&](auto& sink, const std::atomic<bool>&) {
            checker_thread = std::this_thread::get_id();
            for (int i = 0; i < 10'007; ++i) {
                sink.batch().v.push_back(i);
                sink.Added();
            }
            return true;
        },
        [&](Ints& batch) -> core::Result<void> {
            writer_thread = std::this_thread::get_id();
            sizes.push_back(batch.v.size());
            written.insert(written.end(), batch.v.begin(), batch.v.end());
            return {};
        },
        1000);
    ASSERT_TRUE(r.has_value());
    EXPECT_TRUE(*r);
    ASSERT_EQ(written.size(), 10'007u);
    for (int i = 0; i < 10'007; ++i) ASSERT_EQ(written[static_cast<std::size_t>(i)], i);
    ASSERT_EQ(sizes.size(), 11u);
    EXPECT_EQ(sizes.front(), 1000u);
    EXPECT_EQ(sizes.back(), 7u);
    EXPECT_EQ(writer_thread, std::this_thread::get_id());  // the transaction's thread
    EXPECT_NE(checker_thread, std::this_thread::get_id());
}

TEST(CheckWhileWriting, ReturnsTheCheckersVerdict) {
    int batches = 0;
    auto r = CheckWhileWriting<Ints>(
        [&](auto& sink, const std::atomic<bool>&) {
            sink.batch().v.push_back(1);
            sink.Added();
            return false;  // e.g. too many rows: the file cannot be imported
        },
        [&](Ints&) -> core::Result<void> {
            ++batches;
            return {};
        });
    ASSERT_TRUE(r.has_value());
    EXPECT_FALSE(*r);
    EXPECT_EQ(batches, 1);  // what was emitted is written; the caller rolls back
}

TEST(CheckWhileWriting, WriterErrorCancelsTheChecker) {
    int batches = 0;
    bool saw_cancel = false;
    auto r = CheckWhileWriting<Ints>(
        [&](auto& sink, const std::atomic<bool>& cancelled) {
            // Would run forever (and block on the bounded queue) without the cancellation.
            for (int i = 0; !cancelled.load(); ++i) {
                sink.batch().v.push_back(i);
                sink.Added();
            }
            saw_cancel = true;
            return true;
        },
        [&](Ints&) -> core::Result<void> {
            if (++batches == 3) return core::Fail(core::Error::Unavailable("disk full"));
            return {};
        },
        10);
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error().message, "disk full");
    EXPECT_EQ(batches, 3);  // nothing is written after the error
    EXPECT_TRUE(saw_cancel);
}

TEST(CheckWhileWriting, ExceptionsReachTheCaller) {
    EXPECT_THROW((void)CheckWhileWriting<Ints>(
                     [&](auto& sink, const std::atomic<bool>&) -> bool {
                         sink.batch().v.push_back(1);
                         sink.Added();
                         throw std::runtime_error("checker bug");
                     },
                     [&](Ints&) -> core::Result<void> { return {}; }),
                 std::runtime_error);
    EXPECT_THROW((void)CheckWhileWriting<Ints>(
                     [&](auto& sink, const std::atomic<bool>& cancelled) {
                         for (int i = 0; !cancelled.load(); ++i) {
                             sink.batch().v.push_back(i);
                             sink.Added();
                         }
                         return true;
                     },
                     [&](Ints&) -> core::Result<void> { throw std::runtime_error("writer bug"); }, 5),
                 std::runtime_error);
}

// A batch's memory is freed by the thread that allocated it: written batches go back to the
// checking thread (all but the last kPipelineDepth + 1, which may still be in flight when it ends).
struct Tracked {
    std::vector<int> v;
    std::mutex* mu = nullptr;
    std::vector<std::thread::id>* freed_on = nullptr;
    Tracked() = default;
    Tracked(Tracked&& o) noexcept : v(std::move(o.v)), mu(o.mu), freed_on(o.freed_on) { o.v.clear(); }
    Tracked& operator=(Tracked&& o) noexcept {
        Note();
        v = std::move(o.v);
        o.v.clear();
        mu = o.mu;
        freed_on = o.freed_on;
        return *this;
    }
    ~Tracked() { Note(); }
    void Note() {
        if (v.empty() || mu == nullptr) return;
        std::lock_guard lock(*mu);
        freed_on->push_back(std::this_thread::get_id());
    }
};

TEST(CheckWhileWriting, WrittenBatchesAreFreedOnTheCheckingThread) {
    std::mutex mu;
    std::vector<std::thread::id> freed_on;
    std::thread::id checker_thread;
    constexpr int kBatches = 50;
    auto r = CheckWhileWriting<Tracked>(
        [&](auto& sink, const std::atomic<bool>&) {
            checker_thread = std::this_thread::get_id();
            for (int i = 0; i < kBatches; ++i) {
                sink.batch().v.push_back(i);
                sink.batch().mu = &mu;
                sink.batch().freed_on = &freed_on;
                sink.Added();
            }
            return true;
        },
        [&](Tracked&) -> core::Result<void> { return {}; }, 1);
    ASSERT_TRUE(r.has_value());
    ASSERT_EQ(freed_on.size(), static_cast<std::size_t>(kBatches));
    const auto on_checker = std::count(freed_on.begin(), freed_on.end(), checker_thread);
    EXPECT_GE(on_checker, kBatches - static_cast<long>(kPipelineDepth) - 1);
}

}  // namespace
}  // namespace customsdesk::registry

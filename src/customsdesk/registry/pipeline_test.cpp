// CheckWhileWriting (pipeline.hpp): order and batching, the writer's error cancelling the checker
// (no hang however far the checker would run), exceptions on either side reaching the caller.
#include "customsdesk/registry/pipeline.hpp"

#include <gtest/gtest.h>

#include <stdexcept>
#include <thread>

namespace customsdesk::registry {
namespace {

TEST(CheckWhileWriting, WritesEveryItemInOrderInBatches) {
    std::vector<int> written;
    std::vector<std::size_t> sizes;
    std::thread::id writer_thread;
    std::thread::id checker_thread;
    auto r = CheckWhileWriting<int>(
        [&](auto& emit, const std::atomic<bool>&) {
            checker_thread = std::this_thread::get_id();
            for (int i = 0; i < 10'007; ++i) emit(int{i});
            return true;
        },
        [&](std::vector<int>& batch) -> core::Result<void> {
            writer_thread = std::this_thread::get_id();
            sizes.push_back(batch.size());
            written.insert(written.end(), batch.begin(), batch.end());
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
    auto r = CheckWhileWriting<int>(
        [&](auto& emit, const std::atomic<bool>&) {
            emit(1);
            return false;  // e.g. too many rows: the file cannot be imported
        },
        [&](std::vector<int>&) -> core::Result<void> {
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
    auto r = CheckWhileWriting<int>(
        [&](auto& emit, const std::atomic<bool>& cancelled) {
            // Would run forever (and block on the bounded queue) without the cancellation.
            for (int i = 0; !cancelled.load(); ++i) emit(int{i});
            saw_cancel = true;
            return true;
        },
        [&](std::vector<int>&) -> core::Result<void> {
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
    EXPECT_THROW((void)CheckWhileWriting<int>(
                     [&](auto& emit, const std::atomic<bool>&) -> bool {
                         emit(1);
                         throw std::runtime_error("checker bug");
                     },
                     [&](std::vector<int>&) -> core::Result<void> { return {}; }),
                 std::runtime_error);
    EXPECT_THROW((void)CheckWhileWriting<int>(
                     [&](auto& emit, const std::atomic<bool>& cancelled) {
                         for (int i = 0; !cancelled.load(); ++i) emit(int{i});
                         return true;
                     },
                     [&](std::vector<int>&) -> core::Result<void> { throw std::runtime_error("writer bug"); }, 5),
                 std::runtime_error);
}

}  // namespace
}  // namespace customsdesk::registry

// Check-while-write pipeline of the CSV imports (csv_io.cpp; internal to the registry module).
//
// An import checks every row (CSV, validation, references, duplicates) and builds what it writes
// (statement parameters, history entry, search entry); the database work happens in ONE write
// transaction, which belongs to the thread that began it. CheckWhileWriting() runs the checking
// on a second thread and hands the checked items, in file order and in batches, to `write` on the
// calling (transaction's) thread, so the two overlap on two cores.
//
// Contract
//  - `check(emit, cancelled)` runs on the second thread; it calls emit(Item&&) for each item to
//    write and returns false when the file cannot be imported at all. It should stop soon after
//    `cancelled` becomes true (the writer failed); emit then drops the items.
//  - `write(std::vector<Item>&)` runs on the calling thread, once per batch of at most
//    `batch_size` items, in order. Its first error stops the writing: the checker is cancelled and
//    the error returned; later batches are dropped.
//  - Returns check's result, or write's error. An exception thrown by either is rethrown on the
//    calling thread after the checking thread has ended (it never outlives the call).
//  - Memory: at most kPipelineDepth batches wait for the writer (the checker blocks beyond).
//  - Whatever `check` touches must not be touched by `write` until the call returns.
#pragma once

#include <atomic>
#include <condition_variable>
#include <deque>
#include <exception>
#include <mutex>
#include <optional>
#include <thread>
#include <utility>
#include <vector>

#include "customsdesk/core/error.hpp"

namespace customsdesk::registry {

inline constexpr std::size_t kPipelineBatch = 2000;  // items handed to the writer at a time
inline constexpr std::size_t kPipelineDepth = 8;     // batches the checker may run ahead

// A bounded queue of batches from one producer (the checker) to one consumer (the writer).
template <typename Item>
class BatchPipe {
public:
    // Producer: false when the consumer has stopped (then stop producing).
    bool Push(std::vector<Item>&& batch) {
        std::unique_lock lock(mu_);
        space_.wait(lock, [&] { return stopped_ || queue_.size() < kPipelineDepth; });
        if (stopped_) return false;
        queue_.push_back(std::move(batch));
        ready_.notify_one();
        return true;
    }
    // Producer: no more batches.
    void Close() {
        std::lock_guard lock(mu_);
        closed_ = true;
        ready_.notify_all();
    }
    // Consumer: the next batch; nullopt once the producer has closed and every batch was taken.
    std::optional<std::vector<Item>> Pop() {
        std::unique_lock lock(mu_);
        ready_.wait(lock, [&] { return closed_ || !queue_.empty(); });
        if (queue_.empty()) return std::nullopt;
        auto batch = std::move(queue_.front());
        queue_.pop_front();
        space_.notify_one();
        return batch;
    }
    // Consumer: takes nothing more; drops what is queued and releases a waiting producer.
    void Stop() {
        std::lock_guard lock(mu_);
        stopped_ = true;
        queue_.clear();
        space_.notify_all();
    }

private:
    std::mutex mu_;
    std::condition_variable ready_;        // a batch or the close is there
    std::condition_variable space_;        // room in the queue, or stopped
    std::deque<std::vector<Item>> queue_;  // guarded by mu_
    bool closed_ = false;                  // guarded by mu_
    bool stopped_ = false;                 // guarded by mu_
};

template <typename Item, typename Check, typename Write>
core::Result<bool> CheckWhileWriting(Check&& check, Write&& write, std::size_t batch_size = kPipelineBatch) {
    if (batch_size == 0) batch_size = 1;
    BatchPipe<Item> pipe;
    std::atomic<bool> cancelled{false};
    bool fine = false;            // written by the checker, read after the join
    std::exception_ptr failure;   // likewise
    std::thread checker([&] {
        try {
            std::vector<Item> batch;
            batch.reserve(batch_size);
            auto emit = [&](Item&& item) {
                if (cancelled.load(std::memory_order_relaxed)) return;
                batch.push_back(std::move(item));
                if (batch.size() < batch_size) return;
                if (!pipe.Push(std::move(batch))) cancelled.store(true);
                batch = {};
                batch.reserve(batch_size);
            };
            fine = check(emit, static_cast<const std::atomic<bool>&>(cancelled));
            if (!batch.empty() && !cancelled.load()) pipe.Push(std::move(batch));
        } catch (...) {
            failure = std::current_exception();
        }
        pipe.Close();
    });
    core::Result<void> written;
    try {
        while (auto batch = pipe.Pop()) {
            written = write(*batch);
            if (!written) {
                cancelled.store(true);
                pipe.Stop();
            }
        }
    } catch (...) {
        cancelled.store(true);
        pipe.Stop();
        checker.join();
        throw;
    }
    checker.join();
    if (failure) std::rethrow_exception(failure);
    if (!written) return core::Fail(std::move(written.error()));
    return fine;
}

}  // namespace customsdesk::registry

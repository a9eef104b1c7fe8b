// Check-while-write pipeline of the CSV imports (csv_io.cpp; internal to the registry module).
//
// An import checks every row (CSV, validation, references, duplicates) and builds what it writes
// (statement parameters of the row, its history entry and its search entry); the database work
// happens in ONE write transaction, which belongs to the thread that began it.
// CheckWhileWriting() runs the checking on a second thread, which fills batches of records, and
// hands the full batches, in file order, to `write` on the calling (transaction's) thread, so the
// two overlap on two cores. Written batches go back to the checking thread to be destroyed: the
// memory of a batch is allocated and freed by the same thread (glibc malloc frees across threads
// with arena locks and consolidation - 10% of the writer's time when the writer freed them).
//
// Contract
//  - `check(sink, cancelled)` runs on the second thread. For each record to write it appends to
//    `sink.batch()` and then calls `sink.Added()` (which hands a full batch on). It returns false
//    when the file cannot be imported at all. It should stop soon after `cancelled` becomes true
//    (the writer failed); the sink then drops what it is given.
//  - `write(Batch&)` runs on the calling thread, once per batch of 1..`batch_size` records, in
//    order. Its first error stops the writing: the checker is cancelled and the error returned;
//    later batches are dropped.
//  - Returns check's result, or write's error. An exception thrown by either is rethrown on the
//    calling thread after the checking thread has ended (it never outlives the call).
//  - Memory: at most kPipelineDepth full batches wait for the writer (the checker blocks beyond).
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

inline constexpr std::size_t kPipelineBatch = 2000;  // records handed to the writer at a time
inline constexpr std::size_t kPipelineDepth = 8;     // batches the checker may run ahead

// Bounded queue of full batches from one producer (the checker) to one consumer (the writer),
// and the written batches back.
template <typename Batch>
class BatchPipe {
  public:
    // Producer: false when the consumer has stopped (then stop producing).
    bool Push(Batch&& batch) {
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
    // Producer: the written batches so far (to destroy on the producer's thread).
    std::deque<Batch> TakeSpent() {
        std::lock_guard lock(mu_);
        return std::exchange(spent_, {});
    }
    // Consumer: the next batch; nullopt once the producer has closed and every batch was taken.
    std::optional<Batch> Pop() {
        std::unique_lock lock(mu_);
        ready_.wait(lock, [&] { return closed_ || !queue_.empty(); });
        if (queue_.empty()) return std::nullopt;
        Batch batch = std::move(queue_.front());
        queue_.pop_front();
        space_.notify_one();
        return batch;
    }
    // Consumer: a written batch goes back.
    void GiveBack(Batch&& batch) {
        std::lock_guard lock(mu_);
        spent_.push_back(std::move(batch));
    }
    // Consumer: takes nothing more; releases a waiting producer. (Queued batches are destroyed
    // with the pipe, after the producer has ended.)
    void Stop() {
        std::lock_guard lock(mu_);
        stopped_ = true;
        space_.notify_all();
    }

  private:
    std::mutex mu_;
    std::condition_variable ready_;  // a batch or the close is there
    std::condition_variable space_;  // room in the queue, or stopped
    std::deque<Batch> queue_;        // guarded by mu_
    std::deque<Batch> spent_;        // guarded by mu_
    bool closed_ = false;            // guarded by mu_
    bool stopped_ = false;           // guarded by mu_
};

// What `check` fills: the batch being built, handed on when it holds `batch_size` records.
template <typename Batch>
class BatchSink {
  public:
    BatchSink(BatchPipe<Batch>& pipe, std::atomic<bool>& cancelled, std::size_t batch_size)
        : pipe_(pipe), cancelled_(cancelled), batch_size_(batch_size) {}
    Batch& batch() { return batch_; }
    // One more record was appended to batch().
    void Added() {
        if (++records_ < batch_size_) return;
        Flush();
    }
    // Hands on a partly filled batch (the end of the file).
    void Flush() {
        if (records_ == 0) return;
        records_ = 0;
        if (cancelled_.load(std::memory_order_relaxed) || !pipe_.Push(std::move(batch_))) {
            cancelled_.store(true);
        }
        batch_ = Batch();
        pipe_.TakeSpent();  // destroyed here, on the thread that allocated them
    }

  private:
    BatchPipe<Batch>& pipe_;
    std::atomic<bool>& cancelled_;
    const std::size_t batch_size_;
    Batch batch_;
    std::size_t records_ = 0;
};

template <typename Batch, typename Check, typename Write>
core::Result<bool> CheckWhileWriting(Check&& check, Write&& write, std::size_t batch_size = kPipelineBatch) {
    if (batch_size == 0) batch_size = 1;
    BatchPipe<Batch> pipe;
    std::atomic<bool> cancelled{false};
    bool fine = false;           // written by the checker, read after the join
    std::exception_ptr failure;  // likewise
    std::thread checker([&] {
        try {
            BatchSink<Batch> sink(pipe, cancelled, batch_size);
            fine = check(sink, static_cast<const std::atomic<bool>&>(cancelled));
            sink.Flush();
        } catch (...) {
            failure = std::current_exception();
        }
        pipe.Close();
    });
    core::Result<void> written;
    try {
        while (auto batch = pipe.Pop()) {
            if (written) {
                written = write(*batch);
                if (!written) {
                    cancelled.store(true);
                    pipe.Stop();
                }
            }
            pipe.GiveBack(std::move(*batch));
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

// GroupCommitter: many concurrent writers, one transaction and one durable commit per batch.
//
// Why: a durable commit costs an fsync (SQLite synchronous=FULL: one WAL fsync per COMMIT), which
// caps single-row write transactions at a few thousand per second. Callers that each need "my row
// is durably committed before I answer" can share a commit: a writer thread takes every queued
// work item (up to `max_batch`), runs them one after another in ONE write transaction, commits,
// and only then completes each item. Throughput grows with concurrency; latency is one batch.
//
// Contract
//  - `Submit(work, done)` queues `work`; `done(result)` is called exactly once, on the writer
//    thread, AFTER the transaction that ran `work` committed (result ok) or with the error that
//    made `work` fail. `Run(work)` is the blocking form (waits on a condition variable).
//  - Isolation of failures: if any item of a batch fails (returns an error or throws) or the
//    batch's COMMIT fails, the batch is rolled back and every item of it is re-run ALONE in its
//    own transaction, so one bad item never fails the others. Therefore `work` may be called more
//    than once: it must write only through the given transaction and (re)set its own outputs at
//    each call. An item that fails alone gets its own error; an exception becomes kInternal.
//  - Durability: `done(ok)` is called only after Commit() returned, so an acknowledged item
//    survives a crash exactly as a directly committed transaction does (SQLite: synchronous=FULL;
//    tested by killing a process with SIGKILL). Items not yet acknowledged may or may not be there
//    after a crash, but never partially (each batch is one transaction).
//  - Shutdown: the destructor (or Stop()) stops accepting work (Submit then completes at once
//    with kUnavailable), runs what is queued, and joins the writer thread.
//  - Batched items: RunBatched(batch, payload) (or SubmitBatched(batch, payload, done)) queues `payload` for a shared `batch` function.
//    Consecutive queued items of the same `batch` (same object) are written by ONE call
//    `batch(tx, payloads)` in their queue order, e.g. one multi-row INSERT for many requests; when
//    a transaction fails each is re-run alone as `batch(tx, {payload})`. The same rules as for
//    `work` apply (may run more than once; write only through `tx`; reset outputs per call).
//  - Thread-safe. `done` callbacks run on the writer thread: they must be short and must not
//    call Run() (deadlock) — post to another executor for anything long.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <span>
#include <thread>

#include "customsdesk/core/error.hpp"
#include "customsdesk/storage/database.hpp"

namespace customsdesk::storage {

struct GroupCommitOptions {
    std::size_t max_batch = 512;                 // items per transaction
    std::size_t max_queue = 100000;              // queued items; more -> kResourceExhausted
    // Wait this long for more items before a batch that is not full - only while writes come
    // concurrently (the previous batch had more than one item, or more than one is waiting), so
    // a lone write is not delayed.
    // Fewer, larger commits: each costs WAL writes of every page it changed and an fsync.
    std::chrono::microseconds linger{0};
};

struct GroupCommitStats {
    std::uint64_t batches = 0;
    std::uint64_t items = 0;
    std::uint64_t failed_batches = 0;  // rolled back and re-run item by item
    std::uint64_t lingered = 0;        // batches that waited `linger` for more items
    std::size_t largest_batch = 0;
};

class GroupCommitter {
public:
    using Work = std::function<core::Result<void>(Transaction&)>;
    using Done = std::function<void(core::Result<void>)>;

    GroupCommitter(Database& db, GroupCommitOptions options = {});
    ~GroupCommitter();
    GroupCommitter(const GroupCommitter&) = delete;
    GroupCommitter& operator=(const GroupCommitter&) = delete;

    void Submit(Work work, Done done);
    // Blocks the calling thread until the item's transaction committed or failed.
    core::Result<void> Run(Work work);
    using BatchWork = std::function<core::Result<void>(Transaction&, std::span<void* const> payloads)>;
    // See "Batched items" above; `batch` must outlive the call. Blocks like Run().
    core::Result<void> RunBatched(const BatchWork& batch, void* payload);
    // The non-blocking form of RunBatched: `done` as for Submit; `batch` and `payload` must live
    // until `done` is called.
    void SubmitBatched(const BatchWork& batch, void* payload, Done done);
    void Stop();
    [[nodiscard]] GroupCommitStats Stats() const;

private:
    struct Item {
        Work work;
        Done done;
        const BatchWork* batch = nullptr;  // set: a batched item (`work` unused)
        void* payload = nullptr;
    };
    void Enqueue(Item item);
    core::Result<void> Wait(Item item);
    void Loop();
    void RunBatch(std::deque<Item>& batch);
    static core::Result<void> Call(const Work& work, Transaction& tx);
    static core::Result<void> CallBatch(const BatchWork& batch, Transaction& tx, std::span<void* const> payloads);

    Database& db_;
    const GroupCommitOptions options_;
    mutable std::mutex mu_;
    std::condition_variable cv_;
    std::deque<Item> queue_;  // guarded by mu_
    bool stopping_ = false;   // guarded by mu_
    GroupCommitStats stats_;  // guarded by mu_
    std::thread writer_;
};

}  // namespace customsdesk::storage

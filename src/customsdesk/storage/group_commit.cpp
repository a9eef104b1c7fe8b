#include "customsdesk/storage/group_commit.hpp"

#include <exception>
#include <optional>
#include <vector>

namespace customsdesk::storage {

GroupCommitter::GroupCommitter(Database& db, GroupCommitOptions options) : db_(db), options_(options) {
    writer_ = std::thread([this] { Loop(); });
}

GroupCommitter::~GroupCommitter() { Stop(); }

void GroupCommitter::Stop() {
    {
        std::lock_guard lock(mu_);
        if (stopping_ && !writer_.joinable()) return;
        stopping_ = true;
    }
    cv_.notify_all();
    if (writer_.joinable() && writer_.get_id() != std::this_thread::get_id()) writer_.join();
}

void GroupCommitter::Submit(Work work, Done done) { Enqueue(Item{std::move(work), std::move(done)}); }

void GroupCommitter::Enqueue(Item item) {
    {
        std::lock_guard lock(mu_);
        if (stopping_) {
            item.done(core::Fail(core::Error::Unavailable("the writer is shutting down")));
            return;
        }
        if (queue_.size() >= options_.max_queue) {
            item.done(core::Fail(core::Error::ResourceExhausted("too many writes are waiting")));
            return;
        }
        queue_.push_back(std::move(item));
        // The writer waits for a first item, or lingers until the batch is full: other pushes
        // need not wake it.
        if (queue_.size() != 1 && queue_.size() < options_.max_batch) return;
    }
    cv_.notify_one();
}

core::Result<void> GroupCommitter::Wait(Item item) {
    std::mutex m;
    std::condition_variable cv;
    std::optional<core::Result<void>> result;
    item.done = [&](core::Result<void> r) {
        std::lock_guard lock(m);
        result = std::move(r);
        cv.notify_one();
    };
    Enqueue(std::move(item));
    std::unique_lock lock(m);
    cv.wait(lock, [&] { return result.has_value(); });
    return std::move(*result);
}

core::Result<void> GroupCommitter::Run(Work work) { return Wait(Item{std::move(work), {}}); }

core::Result<void> GroupCommitter::RunBatched(const BatchWork& batch, void* payload) {
    return Wait(Item{{}, {}, &batch, payload});
}

void GroupCommitter::SubmitBatched(const BatchWork& batch, void* payload, Done done) {
    Enqueue(Item{{}, std::move(done), &batch, payload});
}

GroupCommitStats GroupCommitter::Stats() const {
    std::lock_guard lock(mu_);
    return stats_;
}

namespace {
template <typename F>
core::Result<void> Guarded(F&& f) {
    try {
        return f();
    } catch (const std::exception& e) {
        return core::Fail(core::Error::Internal(std::string("write failed: ") + e.what()));
    } catch (...) {
        return core::Fail(core::Error::Internal("write failed"));
    }
}
}  // namespace

core::Result<void> GroupCommitter::Call(const Work& work, Transaction& tx) {
    return Guarded([&] { return work(tx); });
}

core::Result<void> GroupCommitter::CallBatch(const BatchWork& batch, Transaction& tx,
                                             std::span<void* const> payloads) {
    return Guarded([&] { return batch(tx, payloads); });
}

void GroupCommitter::Loop() {
    std::deque<Item> batch;
    std::size_t last_batch_size = 0;
    while (true) {
        {
            std::unique_lock lock(mu_);
            cv_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
            if (queue_.empty() && stopping_) return;
            // Linger only while writes come concurrently: a lone write is committed at once.
            const bool concurrent = last_batch_size > 1 || queue_.size() > 1;
            if (options_.linger.count() > 0 && concurrent && queue_.size() < options_.max_batch && !stopping_) {
                ++stats_.lingered;
                cv_.wait_for(lock, options_.linger, [&] { return stopping_ || queue_.size() >= options_.max_batch; });
            }
            while (!queue_.empty() && batch.size() < options_.max_batch) {
                batch.push_back(std::move(queue_.front()));
                queue_.pop_front();
            }
        }
        last_batch_size = batch.size();
        RunBatch(batch);
        batch.clear();
    }
}

void GroupCommitter::RunBatch(std::deque<Item>& batch) {
    bool ok = false;
    if (auto tx = db_.Begin(TxMode::kWrite); tx) {
        ok = true;
        std::vector<void*> payloads;
        for (std::size_t i = 0; ok && i < batch.size();) {
            if (batch[i].batch == nullptr) {
                ok = Call(batch[i].work, **tx).has_value();
                ++i;
                continue;
            }
            // A run of consecutive items for the same batch function: one call.
            payloads.clear();
            std::size_t j = i;
            for (; j < batch.size() && batch[j].batch == batch[i].batch; ++j) payloads.push_back(batch[j].payload);
            ok = CallBatch(*batch[i].batch, **tx, payloads).has_value();
            i = j;
        }
        if (ok) ok = (*tx)->Commit().has_value();
        if (!ok) (*tx)->Rollback();
    }
    {
        std::lock_guard lock(mu_);
        ++stats_.batches;
        stats_.items += batch.size();
        if (batch.size() > stats_.largest_batch) stats_.largest_batch = batch.size();
        if (!ok) ++stats_.failed_batches;
    }
    if (ok) {
        for (auto& item : batch) item.done({});
        return;
    }
    // Isolate the failure: every item again, alone.
    for (auto& item : batch) {
        auto tx = db_.Begin(TxMode::kWrite);
        if (!tx) {
            item.done(core::Fail(std::move(tx.error())));
            continue;
        }
        void* const one[] = {item.payload};
        auto r = item.batch != nullptr ? CallBatch(*item.batch, **tx, one) : Call(item.work, **tx);
        if (r) r = (*tx)->Commit();
        else (*tx)->Rollback();
        item.done(std::move(r));
    }
}

}  // namespace customsdesk::storage

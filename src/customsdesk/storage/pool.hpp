// Internal: a bounded pool of connections shared by the SQLite and PostgreSQL implementations.
//
// Contract
//  - `ConnectionPool<Conn>` owns up to `capacity` connections. `Acquire(timeout)` hands one out as a
//    `Lease`; a lease gives its connection back when released or destroyed. New connections are
//    made lazily through the factory, outside the pool mutex.
//  - When every connection is leased, callers wait up to `timeout`; then kUnavailable (counted in
//    acquire_timeouts_total). After Close(), Acquire fails with kUnavailable, idle connections are
//    destroyed at once and leased ones when they come back.
//  - A lease released with `broken = true` destroys its connection, freeing the slot for a new one.
//  - Thread-safe. Leases may be released on a different thread than the one that acquired them.
//    The pool must outlive its leases.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "customsdesk/core/error.hpp"
#include "customsdesk/storage/database.hpp"

namespace customsdesk::storage::detail {

template <typename Conn>
class ConnectionPool {
  public:
    using Factory = std::function<Result<std::unique_ptr<Conn>>()>;

    class Lease {
      public:
        Lease() = default;
        Lease(ConnectionPool* pool, std::unique_ptr<Conn> conn) : pool_(pool), conn_(std::move(conn)) {}
        Lease(Lease&& other) noexcept : pool_(std::exchange(other.pool_, nullptr)), conn_(std::move(other.conn_)) {}
        Lease& operator=(Lease&& other) noexcept {
            if (this != &other) {
                Release(false);
                pool_ = std::exchange(other.pool_, nullptr);
                conn_ = std::move(other.conn_);
            }
            return *this;
        }
        Lease(const Lease&) = delete;
        Lease& operator=(const Lease&) = delete;
        ~Lease() { Release(false); }

        [[nodiscard]] explicit operator bool() const { return conn_ != nullptr; }
        Conn& operator*() const { return *conn_; }
        Conn* operator->() const { return conn_.get(); }

        // Returns the connection to the pool (or destroys it when `broken`).
        void Release(bool broken) {
            if (pool_ != nullptr && conn_ != nullptr) pool_->Put(std::move(conn_), broken);
            pool_ = nullptr;
            conn_.reset();
        }

      private:
        ConnectionPool* pool_ = nullptr;
        std::unique_ptr<Conn> conn_;
    };

    ConnectionPool(int capacity, Factory factory)
        : capacity_(capacity < 1 ? 1 : capacity), factory_(std::move(factory)) {}
    ConnectionPool(const ConnectionPool&) = delete;
    ConnectionPool& operator=(const ConnectionPool&) = delete;
    ~ConnectionPool() { Close(); }

    Result<Lease> Acquire(std::chrono::milliseconds timeout) {
        const auto deadline = std::chrono::steady_clock::now() + timeout;
        std::unique_lock lock(mu_);
        while (true) {
            if (closed_) return core::Fail(core::Error::Unavailable("the database is closed"));
            if (!idle_.empty()) {
                std::unique_ptr<Conn> conn = std::move(idle_.back());
                idle_.pop_back();
                ++acquired_total_;
                return Lease(this, std::move(conn));
            }
            if (total_ < capacity_) {
                ++total_;  // reserve the slot, connect outside the lock
                lock.unlock();
                Result<std::unique_ptr<Conn>> made = factory_();
                lock.lock();
                if (!made) {
                    --total_;
                    cv_.notify_one();
                    return core::Fail(std::move(made.error()));
                }
                ++acquired_total_;
                return Lease(this, std::move(*made));
            }
            ++waiters_;
            const bool timed_out = cv_.wait_until(lock, deadline) == std::cv_status::timeout;
            --waiters_;
            if (timed_out && idle_.empty() && !closed_ && total_ >= capacity_) {
                ++acquire_timeouts_total_;
                return core::Fail(core::Error::Unavailable("timed out after " + std::to_string(timeout.count()) +
                                                           " ms waiting for a database connection (pool of " +
                                                           std::to_string(capacity_) + ")"));
            }
        }
    }

    void Close() {
        std::vector<std::unique_ptr<Conn>> doomed;
        {
            std::lock_guard lock(mu_);
            closed_ = true;
            total_ -= static_cast<int>(idle_.size());
            doomed.swap(idle_);
        }
        cv_.notify_all();
    }

    [[nodiscard]] bool closed() const {
        std::lock_guard lock(mu_);
        return closed_;
    }

    // Adds this pool's figures to `stats`.
    void AddStats(PoolStats& stats) const {
        std::lock_guard lock(mu_);
        stats.connections_total += total_;
        stats.connections_idle += static_cast<int>(idle_.size());
        stats.waiters += waiters_;
        stats.acquired_total += acquired_total_;
        stats.acquire_timeouts_total += acquire_timeouts_total_;
    }

  private:
    void Put(std::unique_ptr<Conn> conn, bool broken) {
        {
            std::lock_guard lock(mu_);
            if (!broken && !closed_) {
                idle_.push_back(std::move(conn));
            } else {
                --total_;
            }
        }
        cv_.notify_one();
        conn.reset();  // a broken or closed connection is destroyed outside the lock
    }

    const int capacity_;
    const Factory factory_;

    mutable std::mutex mu_;
    std::condition_variable cv_;                // signalled when a connection or a slot frees up
    std::vector<std::unique_ptr<Conn>> idle_;   // guarded by mu_
    int total_ = 0;                             // guarded by mu_: idle + leased + being connected
    int waiters_ = 0;                           // guarded by mu_
    bool closed_ = false;                       // guarded by mu_
    std::uint64_t acquired_total_ = 0;          // guarded by mu_
    std::uint64_t acquire_timeouts_total_ = 0;  // guarded by mu_
};

}  // namespace customsdesk::storage::detail

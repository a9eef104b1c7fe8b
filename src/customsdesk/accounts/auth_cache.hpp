// AuthCache: the outcome of a recent session or API-token check, kept in memory for a short time.
//
// Why: every API request authenticates. Without a cache that is a read transaction (session or
// token row, then the user row) per request: about a tenth of the server's time under load.
//
// Contract
//  - Entries are keyed by the token's digest (never the token) and live at most `ttl` (and never
//    past the session's or token's own expiry). A ttl of zero disables the cache.
//  - Changes made through this process (logout, disabling a user, revoking a token) call
//    Invalidate()/Erase() after their commit and take effect at once. A lookup that started before
//    an invalidation never stores its (possibly stale) result: Put() takes the generation read by
//    Generation() before the database read and drops the entry when it has changed since.
//  - Changes made by ANOTHER process on the same database (e.g. `customsdesk user disable` while
//    the server runs, or a second server on PostgreSQL) take effect within `ttl`.
//  - Thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "customsdesk/core/clock.hpp"
#include "customsdesk/core/principal.hpp"

namespace customsdesk::accounts {

struct CachedAuth {
    core::Principal principal;
    std::string csrf_token;
    std::int64_t row_id = 0;        // session or token id (for the last-seen touch)
    core::Timestamp last_seen;      // as written in the database
    core::Timestamp valid_until;    // min(cached at + ttl, expiry)
};

class AuthCache {
public:
    explicit AuthCache(std::chrono::milliseconds ttl, std::size_t max_entries = 100000)
        : ttl_(ttl), max_entries_(max_entries) {}

    [[nodiscard]] std::chrono::milliseconds Ttl() const { return ttl_; }
    [[nodiscard]] std::uint64_t Generation() const {
        std::lock_guard lock(mu_);
        return generation_;
    }

    std::optional<CachedAuth> Get(const std::string& digest, core::Timestamp now) const {
        if (ttl_.count() <= 0) return std::nullopt;
        std::lock_guard lock(mu_);
        auto it = entries_.find(digest);
        if (it == entries_.end() || it->second.valid_until <= now) return std::nullopt;
        return it->second;
    }

    // `expires`: when the session or token itself stops being valid (if it does).
    void Put(const std::string& digest, CachedAuth entry, core::Timestamp now,
             std::optional<core::Timestamp> expires, std::uint64_t generation) {
        if (ttl_.count() <= 0) return;
        entry.valid_until = now + std::chrono::duration_cast<core::Timestamp::duration>(ttl_);
        if (expires && *expires < entry.valid_until) entry.valid_until = *expires;
        std::lock_guard lock(mu_);
        if (generation != generation_) return;
        if (entries_.size() >= max_entries_) entries_.clear();
        entries_.insert_or_assign(digest, std::move(entry));
    }

    void SetLastSeen(const std::string& digest, core::Timestamp at) {
        std::lock_guard lock(mu_);
        if (auto it = entries_.find(digest); it != entries_.end()) it->second.last_seen = at;
    }

    void Erase(const std::string& digest) {
        std::lock_guard lock(mu_);
        ++generation_;
        entries_.erase(digest);
    }

    void Invalidate() {
        std::lock_guard lock(mu_);
        ++generation_;
        entries_.clear();
    }

private:
    const std::chrono::milliseconds ttl_;
    const std::size_t max_entries_;
    mutable std::mutex mu_;
    std::uint64_t generation_ = 0;
    std::unordered_map<std::string, CachedAuth> entries_;
};

}  // namespace customsdesk::accounts

// Failed-login throttling per account and per client address.
//
// Counts failures in a sliding window; once a key has `max_failures` failures inside `window`,
// further attempts are refused until the oldest failure leaves the window (the caller answers
// 429 with Retry-After). A successful login clears the account's failures (not the address's).
// The check happens BEFORE the password is verified, so a locked account cannot be probed.
// In-memory (per process) and bounded: at most `max_keys` keys are tracked; the oldest are
// evicted first. Time comes from the injected clock. Thread-safe.
#pragma once

#include <chrono>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "customsdesk/core/clock.hpp"

namespace customsdesk::accounts {

struct ThrottleOptions {
    int max_failures_per_account = 5;
    int max_failures_per_address = 20;
    std::chrono::seconds window{15 * 60};
    std::size_t max_keys = 100000;
};

class LoginThrottle {
public:
    LoginThrottle(const core::Clock& clock, ThrottleOptions options = {});

    // nullopt when the attempt may proceed; otherwise how long to wait.
    std::optional<std::chrono::seconds> Check(const std::string& account, const std::string& address);
    void RecordFailure(const std::string& account, const std::string& address);
    void RecordSuccess(const std::string& account);

private:
    std::optional<std::chrono::seconds> CheckKey(const std::string& key, int limit, core::Timestamp now);
    void Prune(std::deque<core::Timestamp>& q, core::Timestamp now) const;
    void Add(const std::string& key, core::Timestamp now);

    const core::Clock& clock_;
    const ThrottleOptions options_;
    std::mutex mu_;
    std::map<std::string, std::deque<core::Timestamp>> failures_;  // guarded by mu_; "a:" / "ip:" keys
};

}  // namespace customsdesk::accounts

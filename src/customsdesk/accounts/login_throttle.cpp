#include "customsdesk/accounts/login_throttle.hpp"

#include <algorithm>

namespace customsdesk::accounts {

LoginThrottle::LoginThrottle(const core::Clock& clock, ThrottleOptions options) : clock_(clock), options_(options) {}

void LoginThrottle::Prune(std::deque<core::Timestamp>& q, core::Timestamp now) const {
    while (!q.empty() && now - q.front() >= options_.window) q.pop_front();
}

std::optional<std::chrono::seconds> LoginThrottle::CheckKey(const std::string& key, int limit, core::Timestamp now) {
    auto it = failures_.find(key);
    if (it == failures_.end()) return std::nullopt;
    Prune(it->second, now);
    if (it->second.empty()) {
        failures_.erase(it);
        return std::nullopt;
    }
    if (static_cast<int>(it->second.size()) < limit) return std::nullopt;
    // Wait until enough failures have left the window to allow one more attempt.
    const auto oldest_blocking = it->second[it->second.size() - static_cast<std::size_t>(limit)];
    const auto wait = std::chrono::ceil<std::chrono::seconds>(oldest_blocking + options_.window - now);
    return std::max(wait, std::chrono::seconds(1));
}

std::optional<std::chrono::seconds> LoginThrottle::Check(const std::string& account, const std::string& address) {
    const auto now = clock_.Now();
    std::lock_guard lock(mu_);
    auto a = CheckKey("a:" + account, options_.max_failures_per_account, now);
    auto b = CheckKey("ip:" + address, options_.max_failures_per_address, now);
    if (a && b) return std::max(*a, *b);
    return a ? a : b;
}

void LoginThrottle::Add(const std::string& key, core::Timestamp now) {
    if (failures_.size() >= options_.max_keys && !failures_.contains(key)) {
        // Evict the key whose newest failure is oldest: it is the least likely to matter.
        auto victim = std::min_element(failures_.begin(), failures_.end(), [](const auto& x, const auto& y) {
            return x.second.back() < y.second.back();
        });
        failures_.erase(victim);
    }
    auto& q = failures_[key];
    Prune(q, now);
    q.push_back(now);
}

void LoginThrottle::RecordFailure(const std::string& account, const std::string& address) {
    const auto now = clock_.Now();
    std::lock_guard lock(mu_);
    Add("a:" + account, now);
    Add("ip:" + address, now);
}

void LoginThrottle::RecordSuccess(const std::string& account) {
    std::lock_guard lock(mu_);
    failures_.erase("a:" + account);
}

}  // namespace customsdesk::accounts

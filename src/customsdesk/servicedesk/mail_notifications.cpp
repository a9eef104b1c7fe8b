#include "customsdesk/servicedesk/mail_notifications.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

namespace customsdesk::servicedesk {

namespace {

std::string Bare(std::string id) {
    if (id.size() >= 2 && id.front() == '<' && id.back() == '>') id = id.substr(1, id.size() - 2);
    return id;
}

}  // namespace

NotificationSender::NotificationSender(storage::Database& db, ServiceDeskService& desk, MailTransport transport,
                                       const core::Clock& clock, NotificationSenderOptions options)
    : db_(db),
      desk_(desk), transport_(std::move(transport)), clock_(clock), options_(std::move(options)) {}

NotificationSender::~NotificationSender() { Stop(); }

mail::OutboundMessage NotificationSender::Compose(const Notification& n) const {
    mail::OutboundMessage m;
    m.from = options_.from;
    m.to = {{n.recipient, ""}};
    m.subject = n.subject;
    if (!n.request_number.empty() && m.subject.find(n.request_number) == std::string::npos) {
        m.subject = "[" + n.request_number + "] " + m.subject;
    }
    m.message_id = Bare(n.message_id);
    if (n.in_reply_to && !n.in_reply_to->empty()) {
        m.in_reply_to = Bare(*n.in_reply_to);
        m.references = {m.in_reply_to};
    }
    m.date = std::chrono::floor<std::chrono::seconds>(clock_.Now());
    m.text = n.body;
    m.auto_generated = true;  // out-of-office robots must not answer it (RFC 3834)
    return m;
}

core::Result<SendStats> NotificationSender::RunOnce() {
    std::lock_guard lock(run_mutex_);
    auto pending = desk_.PendingNotifications(options_.batch, options_.max_attempts);
    if (!pending) return core::Fail(pending.error());
    SendStats stats;
    const core::Timestamp now = clock_.Now();
    for (const auto& n : *pending) {
        if (auto it = not_before_.find(n.id); it != not_before_.end() && now < it->second) {
            ++stats.deferred;
            continue;
        }
        auto sent = transport_(Compose(n));
        if (sent) {
            if (auto marked = desk_.MarkNotificationSent(n.id); !marked) return core::Fail(marked.error());
            not_before_.erase(n.id);
            ++stats.sent;
            continue;
        }
        ++stats.failed;
        const bool permanent = sent.error().code == core::ErrorCode::kFailedPrecondition ||
                               sent.error().code == core::ErrorCode::kInvalidArgument;
        spdlog::warn("notification {} to {} not sent (attempt {}): {}", n.id, n.recipient, n.attempts + 1,
                     sent.error().message);
        if (permanent) {
            if (auto given_up = GiveUp(n.id, sent.error().message); !given_up) return core::Fail(given_up.error());
            not_before_.erase(n.id);
            continue;
        }
        if (auto marked = desk_.MarkNotificationFailed(n.id, sent.error().message); !marked) {
            return core::Fail(marked.error());
        }
        const int exponent = std::clamp(n.attempts, 0, 20);
        const auto wait = std::min<std::chrono::seconds>(options_.max_backoff, options_.min_backoff * (1LL << exponent));
        not_before_[n.id] = now + std::chrono::duration_cast<std::chrono::microseconds>(wait);
    }
    // Forget backoff of notifications no longer pending (sent elsewhere or given up).
    std::erase_if(not_before_, [&](const auto& entry) {
        return std::none_of(pending->begin(), pending->end(), [&](const Notification& n) { return n.id == entry.first; });
    });
    return stats;
}

core::Result<void> NotificationSender::GiveUp(std::int64_t id, const std::string& error) {
    // The outbox offers rows with attempts < max_attempts: this one is done, its error kept.
    return storage::InWriteTx(db_, [&](storage::Transaction& tx) -> core::Result<void> {
        auto n = tx.Execute(
            "UPDATE sd_notifications SET attempts = $1, last_error = $2 WHERE id = $3 AND sent_at IS NULL",
            {static_cast<std::int64_t>(std::max(options_.max_attempts, 1)), "permanent: " + error.substr(0, 1900), id});
        if (!n) return core::Fail(n.error());
        return {};
    });
}

void NotificationSender::Start() {
    if (thread_.joinable()) return;
    {
        std::lock_guard lock(stop_mutex_);
        stopping_ = false;
    }
    thread_ = std::thread([this] {
        std::unique_lock lock(stop_mutex_);
        while (!stopping_) {
            lock.unlock();
            try {
                auto stats = RunOnce();
                if (!stats) {
                    spdlog::warn("mail notifications: outbox not readable: {}", stats.error().message);
                } else if (stats->sent + stats->failed > 0) {
                    spdlog::info("mail notifications: {} sent, {} failed, {} waiting", stats->sent, stats->failed,
                                 stats->deferred);
                }
            } catch (const std::exception& e) {
                spdlog::error("mail notifications: {}", e.what());
            }
            lock.lock();
            stop_cv_.wait_for(lock, options_.poll_interval, [this] { return stopping_; });
        }
    });
}

void NotificationSender::Stop() {
    {
        std::lock_guard lock(stop_mutex_);
        stopping_ = true;
    }
    stop_cv_.notify_all();
    if (thread_.joinable()) thread_.join();
}

}  // namespace customsdesk::servicedesk

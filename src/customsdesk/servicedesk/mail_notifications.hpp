// Delivery of the service desk's notification outbox (sd_notifications) by e-mail.
//
// Contract
//  - RunOnce() takes the pending notifications (ServiceDeskService::PendingNotifications, oldest first,
//    at most `batch`), skips those still in backoff, and sends each as one text/plain mail:
//      From     options.from
//      To       the notification's recipient
//      Subject  the notification's subject, prefixed "[SR-YYYY-NNNNNN] " unless it already names
//               the request number (so a reply threads back by subject too)
//      Message-ID  the notification's own id (stored with the agent's reply: a customer answer's
//               In-Reply-To finds the request); In-Reply-To / References: the requester's message
//    A sent one is marked sent; a failure is recorded (MarkNotificationFailed, attempts + 1) and
//    the notification waits min_backoff · 2^(attempts−1), at most max_backoff, before the next
//    try; the outbox stops offering it after `max_attempts`. A permanent refusal (5xx, invalid
//    address) is not retried: the row gets attempts = max_attempts and the error, prefixed
//    "permanent: ". Backoff is kept in memory: a restart retries at once.
//  - Start() runs RunOnce every poll_interval on a background thread until Stop() (or
//    destruction); the thread logs failures and never throws. Tests call RunOnce with a
//    ManualClock and a fake transport.
// Thread-safety: RunOnce is serialised internally; Start/Stop from one owning thread.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <thread>

#include "customsdesk/core/clock.hpp"
#include "customsdesk/core/error.hpp"
#include "customsdesk/mail/message.hpp"
#include "customsdesk/servicedesk/service_desk.hpp"
#include "customsdesk/storage/database.hpp"

namespace customsdesk::servicedesk {

// Sends one message; mail::SmtpClient::Send in production.
using MailTransport = std::function<core::Result<void>(const mail::OutboundMessage&)>;

struct NotificationSenderOptions {
    mail::Mailbox from{"servicedesk@customsdesk.invalid", "Customs service desk"};
    int batch = 50;
    int max_attempts = 10;
    std::chrono::milliseconds poll_interval{10'000};
    std::chrono::seconds min_backoff{30};
    std::chrono::seconds max_backoff{3600};
};

struct SendStats {
    int sent = 0;
    int failed = 0;
    int deferred = 0;  // still in backoff
};

class NotificationSender {
public:
    // `db` is the service desk's database (for giving up on a notification, see above).
    NotificationSender(storage::Database& db, ServiceDeskService& desk, MailTransport transport,
                       const core::Clock& clock, NotificationSenderOptions options);
    ~NotificationSender();
    NotificationSender(const NotificationSender&) = delete;
    NotificationSender& operator=(const NotificationSender&) = delete;

    // One pass over the outbox. An error only when the outbox cannot be read.
    [[nodiscard]] core::Result<SendStats> RunOnce();

    void Start();
    void Stop();

    // The mail a notification becomes (exposed for tests).
    [[nodiscard]] mail::OutboundMessage Compose(const Notification& n) const;

private:
    core::Result<void> GiveUp(std::int64_t id, const std::string& error);

    storage::Database& db_;
    ServiceDeskService& desk_;
    MailTransport transport_;
    const core::Clock& clock_;
    NotificationSenderOptions options_;

    std::mutex run_mutex_;                              // serialises RunOnce
    std::map<std::int64_t, core::Timestamp> not_before_;  // guarded by run_mutex_

    std::mutex stop_mutex_;
    std::condition_variable stop_cv_;
    bool stopping_ = false;  // guarded by stop_mutex_
    std::thread thread_;
};

}  // namespace customsdesk::servicedesk

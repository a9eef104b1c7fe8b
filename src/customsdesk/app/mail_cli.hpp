// The e-mail channel in the binary (docs/mail.md): configuration, the `mail-in` subcommand that
// Postfix pipes inbound mail to, and the pieces `serve` runs (the quarantine intake for the admin
// API and the background notification sender).
//
//   customsdesk mail-in            one message on standard input. Exit 0 when it was stored (a new
//                                  request, a reply, a duplicate, or the quarantine); 75
//                                  (EX_TEMPFAIL: Postfix keeps the message and retries) when the
//                                  database cannot be reached; 74 when standard input cannot be read.
//
// Options (flag > config file > environment, like the other settings), on the top-level command so
// both `serve` and `mail-in` see them:
//   --mail-relay HOST:PORT          SMTP relay for outgoing mail (CUSTOMSDESK_MAIL_RELAY); empty:
//                                   notifications stay in the outbox
//   --mail-from ADDRESS             From of notifications (CUSTOMSDESK_MAIL_FROM)
//   --mail-from-name NAME           its display name (CUSTOMSDESK_MAIL_FROM_NAME)
//   --mail-unknown-sender POLICY    refuse | prospect (CUSTOMSDESK_MAIL_UNKNOWN_SENDER)
//   --mail-prospect-organisation ID organisation that collects prospect contacts
//                                   (CUSTOMSDESK_MAIL_PROSPECT_ORGANISATION)
//   --mail-poll-seconds N           how often the sender looks at the outbox (CUSTOMSDESK_MAIL_POLL_SECONDS)
#pragma once

#include <CLI/CLI.hpp>

#include <cstdint>
#include <istream>
#include <memory>
#include <string>

#include "customsdesk/core/clock.hpp"
#include "customsdesk/registry/contact_service.hpp"
#include "customsdesk/servicedesk/mail_intake.hpp"
#include "customsdesk/servicedesk/mail_notifications.hpp"
#include "customsdesk/servicedesk/service_desk.hpp"
#include "customsdesk/storage/database.hpp"

namespace customsdesk::app {

inline constexpr int kExitTempFail = 75;  // EX_TEMPFAIL (sysexits.h)
inline constexpr int kExitIoError = 74;   // EX_IOERR

struct MailConfig {
    std::string relay;  // "HOST:PORT"; empty: no sending
    std::string from_address = "servicedesk@customsdesk.invalid";
    std::string from_name = "Customs service desk";
    std::string unknown_sender = "refuse";
    std::int64_t prospect_organisation = 0;
    int poll_seconds = 10;
};

void AddMailOptions(CLI::App& app, MailConfig& cfg);

// The intake options from the configuration; an error names the bad option.
core::Result<servicedesk::MailIntakeOptions> IntakeOptions(const MailConfig& cfg);

// What `serve` runs for the e-mail channel; stops the sender when destroyed.
struct MailRuntime {
    std::unique_ptr<servicedesk::MailIntake> intake;
    std::unique_ptr<servicedesk::NotificationSender> sender;  // null when no relay is configured
};
core::Result<std::unique_ptr<MailRuntime>> StartMail(const MailConfig& cfg, storage::Database& db,
                                                     const core::Clock& clock, servicedesk::ServiceDeskService& desk,
                                                     registry::ContactService& contacts);

// `customsdesk mail-in`: opens the database itself (so that an unreachable database is exit 75, not 1).
int RunMailIn(const std::string& db_url, const MailConfig& cfg, std::istream& in, std::ostream& out,
              std::ostream& err);

}  // namespace customsdesk::app

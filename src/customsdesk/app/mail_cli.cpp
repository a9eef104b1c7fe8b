#include "customsdesk/app/mail_cli.hpp"

#include <spdlog/spdlog.h>

#include <iterator>

#include "customsdesk/mail/parse.hpp"
#include "customsdesk/mail/smtp_client.hpp"
#include "customsdesk/ruleset/ruleset_service.hpp"

namespace customsdesk::app {

namespace {

core::Result<mail::SmtpSettings> RelaySettings(const MailConfig& cfg) {
    mail::SmtpSettings s;
    const auto colon = cfg.relay.rfind(':');
    if (colon == std::string::npos || colon == 0) {
        return core::Fail(core::Error::InvalidArgument("--mail-relay takes HOST:PORT, e.g. 127.0.0.1:25"));
    }
    s.host = cfg.relay.substr(0, colon);
    int port = 0;
    try {
        port = std::stoi(cfg.relay.substr(colon + 1));
    } catch (...) {
    }
    if (port <= 0 || port > 65535) return core::Fail(core::Error::InvalidArgument("the port of --mail-relay is 1 to 65535"));
    s.port = static_cast<std::uint16_t>(port);
    const auto at = cfg.from_address.rfind('@');
    if (at != std::string::npos) s.helo_name = cfg.from_address.substr(at + 1);
    return s;
}

}  // namespace

void AddMailOptions(CLI::App& app, MailConfig& cfg) {
    app.add_option("--mail-relay", cfg.relay, "SMTP relay HOST:PORT for outgoing mail (empty: do not send)")
        ->envname("CUSTOMSDESK_MAIL_RELAY");
    app.add_option("--mail-from", cfg.from_address, "From address of notifications")
        ->envname("CUSTOMSDESK_MAIL_FROM")
        ->capture_default_str();
    app.add_option("--mail-from-name", cfg.from_name, "Display name of the From address")
        ->envname("CUSTOMSDESK_MAIL_FROM_NAME")
        ->capture_default_str();
    app.add_option("--mail-unknown-sender", cfg.unknown_sender,
                   "Mail from an address no contact has: refuse (quarantine) or prospect (add a contact)")
        ->envname("CUSTOMSDESK_MAIL_UNKNOWN_SENDER")
        ->check(CLI::IsMember({"refuse", "prospect"}))
        ->capture_default_str();
    app.add_option("--mail-prospect-organisation", cfg.prospect_organisation,
                   "Organisation id that collects prospect contacts (with --mail-unknown-sender prospect)")
        ->envname("CUSTOMSDESK_MAIL_PROSPECT_ORGANISATION");
    app.add_option("--mail-poll-seconds", cfg.poll_seconds, "How often the notification sender looks at the outbox")
        ->envname("CUSTOMSDESK_MAIL_POLL_SECONDS")
        ->check(CLI::Range(1, 3600))
        ->capture_default_str();
}

core::Result<servicedesk::MailIntakeOptions> IntakeOptions(const MailConfig& cfg) {
    servicedesk::MailIntakeOptions o;
    auto policy = servicedesk::ParseUnknownSenderPolicy(cfg.unknown_sender);
    if (!policy) return core::Fail(core::Error::InvalidArgument("--mail-unknown-sender is refuse or prospect"));
    o.unknown_sender = *policy;
    if (cfg.prospect_organisation > 0) o.prospect_organisation = core::OrganisationId(cfg.prospect_organisation);
    if (o.unknown_sender == servicedesk::UnknownSenderPolicy::kCreateProspect && !o.prospect_organisation) {
        return core::Fail(core::Error::InvalidArgument(
            "--mail-unknown-sender prospect needs --mail-prospect-organisation (the organisation that collects them)"));
    }
    return o;
}

core::Result<std::unique_ptr<MailRuntime>> StartMail(const MailConfig& cfg, storage::Database& db,
                                                     const core::Clock& clock, servicedesk::ServiceDeskService& desk,
                                                     registry::ContactService& contacts) {
    auto options = IntakeOptions(cfg);
    if (!options) return core::Fail(options.error());
    auto rt = std::make_unique<MailRuntime>();
    rt->intake = std::make_unique<servicedesk::MailIntake>(db, desk, contacts, clock, *options);
    if (!cfg.relay.empty()) {
        auto settings = RelaySettings(cfg);
        if (!settings) return core::Fail(settings.error());
        servicedesk::NotificationSenderOptions so;
        so.from = {cfg.from_address, cfg.from_name};
        so.poll_interval = std::chrono::seconds(cfg.poll_seconds);
        auto client = std::make_shared<mail::SmtpClient>(*settings);
        rt->sender = std::make_unique<servicedesk::NotificationSender>(
            db, desk, [client](const mail::OutboundMessage& m) { return client->Send(m); }, clock, so);
        rt->sender->Start();
        spdlog::info("event=mail_sender_started relay={} from={}", cfg.relay, cfg.from_address);
    } else {
        spdlog::info("event=mail_sender_disabled reason=\"no --mail-relay\"");
    }
    return rt;
}

int RunMailIn(const std::string& db_url, const MailConfig& cfg, std::istream& in, std::ostream& out,
              std::ostream& err) {
    auto options = IntakeOptions(cfg);
    if (!options) {
        // A configuration mistake: keep the mail queued until it is fixed.
        err << "customsdesk mail-in: " << options.error().message << "\n";
        return kExitTempFail;
    }
    std::string raw;
    {
        std::istreambuf_iterator<char> it(in), end;
        for (; it != end && raw.size() <= mail::kMaxMessageBytes; ++it) raw.push_back(*it);
        // Beyond the limit the rest is read and dropped (the quarantine keeps the first part and the
        // reason): Postfix must not see a broken pipe for a message we did store.
        for (; it != end; ++it) {
        }
        if (in.bad()) {
            err << "customsdesk mail-in: cannot read the message from standard input\n";
            return kExitIoError;
        }
    }
    try {
        storage::Options db_options;
        db_options.pool_size = 2;
        auto db = storage::Open(db_url, db_options);
        if (!db) {
            err << "customsdesk mail-in: database unavailable, Postfix will retry: " << db.error().message << "\n";
            return kExitTempFail;
        }
        core::SystemClock clock;
        ruleset::RulesetService rulesets(**db, clock);
        servicedesk::ServiceDeskService desk(**db, clock, rulesets);
        registry::ContactService contacts(**db, clock);
        servicedesk::MailIntake intake(**db, desk, contacts, clock, *options);
        auto result = intake.Ingest(raw);
        (*db)->Close();
        if (!result) {
            err << "customsdesk mail-in: not stored, Postfix will retry: " << result.error().message << "\n";
            return kExitTempFail;  // Ingest fails only when the database is unavailable
        }
        out << servicedesk::IntakeOutcomeName(result->outcome);
        if (!result->request_number.empty()) out << " " << result->request_number;
        if (result->quarantine_id) out << " quarantine=" << *result->quarantine_id;
        if (!result->reason.empty()) out << " reason=\"" << result->reason << "\"";
        out << "\n";
        return 0;
    } catch (const std::exception& e) {
        err << "customsdesk mail-in: " << e.what() << " (Postfix will retry)\n";
        return kExitTempFail;
    }
}

}  // namespace customsdesk::app

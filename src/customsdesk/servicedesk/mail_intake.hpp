// E-mail intake (SPEC §4 channels; docs/mail.md "Intake"): one inbound message becomes a new
// request, a reply in an existing request's thread, or a quarantined message. Nothing is dropped.
//
// Contract
//  - Ingest(raw) parses the message (mail::ParseMessage) and
//      1. skips it as a duplicate when its Message-ID is already stored (Postfix may deliver twice
//         when `mail-in` dies after committing);
//      2. threads it into an existing request: by a request number "SR-YYYY-NNNNNN" in the subject,
//         else by In-Reply-To, else by References (newest first) matched against the Message-IDs
//         stored on requests, their messages and their notifications. The reply's text is the new
//         text only (mail::StripQuotedReply); ServiceDeskService::AddCustomerEmailReply applies the reopen
//         rules and checks that the sender belongs to the request;
//      3. otherwise creates a request of type "question", channel email, for the contact that has
//         the sender's address. An unknown sender is, per MailIntakeOptions, refused (quarantine)
//         or added as a contact of the configured prospect organisation and then served;
//      4. stores the attachments through the service desk's attachment store (its size and type
//         limits apply; a refused attachment quarantines a copy of the message, stage attachment).
//    A message that cannot be parsed, or that no request takes (unknown sender, validation), is
//    stored in mail_quarantine with the raw bytes and the reason (outcome kQuarantined).
//  - Ingest returns an error only when the database cannot be reached (kUnavailable / kInternal):
//    the message is then NOT stored and the caller must make the sender retry (mail-in exits 75,
//    EX_TEMPFAIL, and Postfix keeps the message queued).
//  - Subject and text longer than the service desk's limits are cut at a UTF-8 boundary (with a
//    marker) and a full copy goes to quarantine (stage attachment) for the administrator.
//  - The quarantine methods are for administrators only (kPermissionDenied otherwise). Retry
//    ingests the stored bytes again: on success the row is deleted, otherwise it is updated in
//    place (reason, retries), never duplicated.
// Thread-safety: thread-safe (state is in the database).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "customsdesk/core/clock.hpp"
#include "customsdesk/core/error.hpp"
#include "customsdesk/core/ids.hpp"
#include "customsdesk/core/principal.hpp"
#include "customsdesk/registry/contact_service.hpp"
#include "customsdesk/servicedesk/service_desk.hpp"
#include "customsdesk/storage/database.hpp"

namespace customsdesk::servicedesk {

enum class UnknownSenderPolicy {
    kRefuse,          // quarantine the message (the default)
    kCreateProspect,  // add the sender as a contact of MailIntakeOptions::prospect_organisation
};
// "refuse" | "prospect"; nullopt for anything else.
std::optional<UnknownSenderPolicy> ParseUnknownSenderPolicy(std::string_view name);
std::string_view UnknownSenderPolicyName(UnknownSenderPolicy policy);

struct MailIntakeOptions {
    UnknownSenderPolicy unknown_sender = UnknownSenderPolicy::kRefuse;
    // Required for kCreateProspect: the (prospect) organisation that collects unknown senders.
    std::optional<core::OrganisationId> prospect_organisation;
};

enum class IntakeOutcome { kCreated, kReplied, kDuplicate, kQuarantined };
std::string_view IntakeOutcomeName(IntakeOutcome outcome);  // "created" | "replied" | "duplicate" | "quarantined"

struct IntakeResult {
    IntakeOutcome outcome = IntakeOutcome::kQuarantined;
    std::optional<RequestId> request;
    std::string request_number;
    std::optional<std::int64_t> quarantine_id;  // also set when a copy was quarantined (attachment stage)
    std::string reason;                         // why it was quarantined, or what was left out
};

struct QuarantinedMail {
    std::int64_t id = 0;
    std::string received_at;
    std::string stage;  // parse | ingest | attachment
    std::string reason;
    std::optional<std::string> from_address, subject, message_id, request_number;
    std::int64_t size = 0;
    int retries = 0;
    std::optional<std::string> last_retry_at;
    std::string raw;  // the message bytes (GetQuarantined only)
};

struct QuarantinePage {
    std::vector<QuarantinedMail> items;
    std::optional<std::int64_t> next_after;  // pass as `after` for the next page
};

inline constexpr int kMaxQuarantinePage = 200;

class MailIntake {
public:
    MailIntake(storage::Database& db, ServiceDeskService& desk, registry::ContactService& contacts, const core::Clock& clock,
               MailIntakeOptions options);

    [[nodiscard]] core::Result<IntakeResult> Ingest(std::string_view raw);

    // Newest first; `after` is the id of the last item of the previous page.
    [[nodiscard]] core::Result<QuarantinePage> ListQuarantine(const core::Principal& actor, int limit,
                                                              std::optional<std::int64_t> after);
    [[nodiscard]] core::Result<QuarantinedMail> GetQuarantined(const core::Principal& actor, std::int64_t id);
    [[nodiscard]] core::Result<IntakeResult> RetryQuarantined(const core::Principal& actor, std::int64_t id);
    [[nodiscard]] core::Result<void> DeleteQuarantined(const core::Principal& actor, std::int64_t id);

    [[nodiscard]] const MailIntakeOptions& options() const { return options_; }

private:
    core::Result<IntakeResult> Process(std::string_view raw, std::optional<std::int64_t> quarantine_row);
    core::Result<std::int64_t> Quarantine(std::string_view raw, std::string_view stage, std::string_view reason,
                                          const std::optional<std::string>& from, const std::optional<std::string>& subject,
                                          const std::optional<std::string>& message_id,
                                          const std::optional<std::string>& request_number,
                                          std::optional<std::int64_t> existing_row);

    storage::Database& db_;
    ServiceDeskService& desk_;
    registry::ContactService& contacts_;
    const core::Clock& clock_;
    MailIntakeOptions options_;
};

// The first "SR-YYYY-NNNNNN" in `subject`, or empty.
std::string FindRequestNumber(std::string_view subject);

}  // namespace customsdesk::servicedesk

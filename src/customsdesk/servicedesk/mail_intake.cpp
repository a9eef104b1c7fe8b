#include "customsdesk/servicedesk/mail_intake.hpp"

#include <boost/json.hpp>

#include <cctype>

#include "customsdesk/core/base64.hpp"
#include "customsdesk/mail/parse.hpp"

namespace customsdesk::servicedesk {

namespace {

constexpr std::string_view kTruncated = "\n\n[…] (cut: the full message is kept in the mail quarantine)";

constexpr std::string_view kInsertQuarantine =
    "INSERT INTO mail_quarantine (received_at, stage, reason, from_address, subject, message_id, request_number, "
    "size, raw_base64) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id";
constexpr std::string_view kUpdateQuarantine =
    "UPDATE mail_quarantine SET stage = $2, reason = $3, from_address = $4, subject = $5, message_id = $6, "
    "request_number = $7, retries = retries + 1, last_retry_at = $8 WHERE id = $1";
constexpr std::string_view kQuarantineColumns =
    "id, received_at, stage, reason, from_address, subject, message_id, request_number, size, retries, last_retry_at";

bool IsTempFailure(const core::Error& e) {
    return e.code == core::ErrorCode::kUnavailable || e.code == core::ErrorCode::kInternal;
}

// `text` cut to at most `limit` bytes (marker included) at a UTF-8 boundary; true when cut.
bool CutUtf8(std::string& text, std::size_t limit, std::string_view marker) {
    if (text.size() <= limit) return false;
    std::size_t keep = limit > marker.size() ? limit - marker.size() : 0;
    while (keep > 0 && (static_cast<unsigned char>(text[keep]) & 0xC0) == 0x80) --keep;
    text.resize(keep);
    text.append(marker.substr(0, limit - keep));
    return true;
}

std::optional<std::string> NonEmpty(const std::string& s) {
    if (s.empty()) return std::nullopt;
    return s;
}

QuarantinedMail ReadQuarantineRow(const storage::Row& r) {
    QuarantinedMail q;
    q.id = r.GetInt(0);
    q.received_at = r.GetText(1);
    q.stage = r.GetText(2);
    q.reason = r.GetText(3);
    q.from_address = r.GetOptText(4);
    q.subject = r.GetOptText(5);
    q.message_id = r.GetOptText(6);
    q.request_number = r.GetOptText(7);
    q.size = r.GetInt(8);
    q.retries = static_cast<int>(r.GetInt(9));
    q.last_retry_at = r.GetOptText(10);
    return q;
}

core::Result<void> RequireAdmin(const core::Principal& actor) {
    if (!actor.Has(core::Role::kAdmin)) {
        return core::Fail(core::Error::PermissionDenied("Only administrators manage the mail quarantine."));
    }
    return {};
}

// First and last name for a prospect contact from "Matti Meikäläinen" or, without a name, the address.
std::pair<std::string, std::string> SplitName(const mail::Mailbox& from) {
    std::string name = from.name;
    while (!name.empty() && std::isspace(static_cast<unsigned char>(name.back()))) name.pop_back();
    if (!name.empty()) {
        auto space = name.rfind(' ');
        if (space != std::string::npos && space > 0 && space + 1 < name.size()) {
            return {name.substr(0, space), name.substr(space + 1)};
        }
        return {name, "-"};
    }
    return {from.address.substr(0, from.address.find('@')), "-"};
}

// A retried message that went through: its quarantine row has served its purpose.
core::Result<void> ForgetQuarantined(storage::Database& db, std::optional<std::int64_t> row) {
    if (!row) return {};
    return storage::InWriteTx(db, [&](storage::Transaction& tx) -> core::Result<void> {
        auto n = tx.Execute("DELETE FROM mail_quarantine WHERE id = $1", {*row});
        if (!n) return core::Fail(n.error());
        return {};
    });
}

}  // namespace

std::optional<UnknownSenderPolicy> ParseUnknownSenderPolicy(std::string_view name) {
    if (name == "refuse") return UnknownSenderPolicy::kRefuse;
    if (name == "prospect") return UnknownSenderPolicy::kCreateProspect;
    return std::nullopt;
}

std::string_view UnknownSenderPolicyName(UnknownSenderPolicy policy) {
    return policy == UnknownSenderPolicy::kRefuse ? "refuse" : "prospect";
}

std::string_view IntakeOutcomeName(IntakeOutcome outcome) {
    switch (outcome) {
        case IntakeOutcome::kCreated: return "created";
        case IntakeOutcome::kReplied: return "replied";
        case IntakeOutcome::kDuplicate: return "duplicate";
        case IntakeOutcome::kQuarantined: return "quarantined";
    }
    return "quarantined";
}

std::string FindRequestNumber(std::string_view subject) {
    // "SR-" 4 digits "-" 6 digits, not inside a longer token of digits.
    for (std::size_t i = 0; i + 14 <= subject.size(); ++i) {
        if (subject.substr(i, 3) != "SR-") continue;
        if (i > 0 && std::isalnum(static_cast<unsigned char>(subject[i - 1]))) continue;
        bool ok = subject[i + 7] == '-';
        for (std::size_t k : {3, 4, 5, 6, 8, 9, 10, 11, 12, 13}) {
            ok = ok && std::isdigit(static_cast<unsigned char>(subject[i + k]));
        }
        if (!ok) continue;
        if (i + 14 < subject.size() && std::isdigit(static_cast<unsigned char>(subject[i + 14]))) continue;
        return std::string(subject.substr(i, 14));
    }
    return {};
}

MailIntake::MailIntake(storage::Database& db, ServiceDeskService& desk, registry::ContactService& contacts,
                       const core::Clock& clock, MailIntakeOptions options)
    : db_(db), desk_(desk), contacts_(contacts), clock_(clock), options_(std::move(options)) {}

core::Result<IntakeResult> MailIntake::Ingest(std::string_view raw) { return Process(raw, std::nullopt); }

core::Result<std::int64_t> MailIntake::Quarantine(std::string_view raw, std::string_view stage,
                                                  std::string_view reason, const std::optional<std::string>& from,
                                                  const std::optional<std::string>& subject,
                                                  const std::optional<std::string>& message_id,
                                                  const std::optional<std::string>& request_number,
                                                  std::optional<std::int64_t> existing_row) {
    const std::string now = core::FormatTimestamp(clock_.Now());
    return storage::InWriteTx(db_, [&](storage::Transaction& tx) -> core::Result<std::int64_t> {
        if (existing_row) {
            auto n = tx.Execute(kUpdateQuarantine, {*existing_row, std::string(stage), std::string(reason),
                                                    storage::Opt(from), storage::Opt(subject),
                                                    storage::Opt(message_id), storage::Opt(request_number), now});
            if (!n) return core::Fail(n.error());
            return *existing_row;
        }
        auto row = tx.QueryOne(kInsertQuarantine,
                               {now, std::string(stage), std::string(reason), storage::Opt(from), storage::Opt(subject),
                                storage::Opt(message_id), storage::Opt(request_number),
                                static_cast<std::int64_t>(raw.size()), core::Base64UrlEncode(raw)});
        if (!row) return core::Fail(row.error());
        if (!*row) return core::Fail(core::Error::Internal("the quarantine insert returned no id"));
        return (*row)->GetInt(0);
    });
}

core::Result<IntakeResult> MailIntake::Process(std::string_view raw, std::optional<std::int64_t> quarantine_row) {
    IntakeResult result;
    auto quarantine = [&](std::string_view stage, std::string reason, const mail::InboundMessage* m,
                          const std::string& number) -> core::Result<IntakeResult> {
        auto id = Quarantine(raw, stage, reason, m ? NonEmpty(m->from.address) : std::nullopt,
                             m ? NonEmpty(m->subject) : std::nullopt, m ? NonEmpty(m->message_id) : std::nullopt,
                             NonEmpty(number), quarantine_row);
        if (!id) return core::Fail(id.error());
        result.outcome = IntakeOutcome::kQuarantined;
        result.quarantine_id = *id;
        result.reason = std::move(reason);
        return result;
    };

    auto parsed = mail::ParseMessage(raw);
    if (!parsed) return quarantine("parse", parsed.error().message, nullptr, "");
    mail::InboundMessage& m = *parsed;
    // An out-of-office answer or a bounce is no customer's word: threading it would reopen requests and
    // answer robots with notifications (a mail loop). Kept for the administrator instead.
    if (m.automatic) return quarantine("ingest", "automatic message (" + m.automatic_reason + ")", &m, "");

    // 1. Delivered before?
    if (!m.message_id.empty()) {
        auto seen = desk_.FindByMessageId(m.message_id);
        if (!seen) return core::Fail(seen.error());
        if (*seen) {
            if (auto forgotten = ForgetQuarantined(db_, quarantine_row); !forgotten) {
                return core::Fail(forgotten.error());
            }
            result.outcome = IntakeOutcome::kDuplicate;
            result.request = **seen;
            result.reason = "a message with this Message-ID is already stored";
            return result;
        }
    }

    // 2. Threading: number in the subject, then In-Reply-To, then References (newest first).
    std::optional<RequestId> target;
    const std::string number = FindRequestNumber(m.subject);
    if (!number.empty()) {
        auto found = desk_.FindByNumber(number);
        if (!found) return core::Fail(found.error());
        target = *found;
    }
    std::vector<std::string> ids;
    if (!m.in_reply_to.empty()) ids.push_back(m.in_reply_to);
    ids.insert(ids.end(), m.references.rbegin(), m.references.rend());
    for (const auto& id : ids) {
        if (target) break;
        auto found = desk_.FindByMessageId(id);
        if (!found) return core::Fail(found.error());
        target = *found;
    }

    // Texts within the service desk's limits; a cut message is also kept whole in quarantine.
    std::string subject = m.subject.empty() ? std::string("(no subject)") : m.subject;
    std::string text = target ? mail::StripQuotedReply(m.text) : m.text;
    if (text.empty()) text = "(no text)";
    bool cut = CutUtf8(subject, kMaxSubjectLength, "…");
    cut = CutUtf8(text, kMaxBodyLength, kTruncated) || cut;
    std::vector<std::string> left_out;
    if (cut) left_out.push_back("the subject or text was longer than the service desk stores and was cut");

    if (target) {
        auto reply = desk_.AddCustomerEmailReply(*target, m.from.address, text, m.message_id,
                                                 m.in_reply_to.empty() ? std::nullopt
                                                                       : std::optional<std::string>(m.in_reply_to));
        if (!reply) {
            if (IsTempFailure(reply.error())) return core::Fail(reply.error());
            return quarantine("ingest", "reply to request " + (number.empty() ? std::to_string(target->value()) : number) +
                                            " refused: " + reply.error().message,
                              &m, number);
        }
        result.outcome = IntakeOutcome::kReplied;
        result.request = reply->request.id;
        result.request_number = reply->request.number;
    } else {
        EmailIntake intake;
        intake.from_address = m.from.address;
        intake.from_name = m.from.name;
        intake.subject = subject;
        intake.body = text;
        intake.message_id = m.message_id;
        if (!m.in_reply_to.empty()) intake.in_reply_to = m.in_reply_to;
        auto created = desk_.CreateFromEmail(intake);
        if (!created && created.error().code == core::ErrorCode::kNotFound &&
            options_.unknown_sender == UnknownSenderPolicy::kCreateProspect) {
            if (!options_.prospect_organisation) {
                return quarantine("ingest",
                                  "unknown sender " + m.from.address +
                                      " and no prospect organisation is configured (--mail-prospect-organisation)",
                                  &m, "");
            }
            auto [first, last] = SplitName(m.from);
            boost::json::object contact{{"first_name", first}, {"last_name", last}, {"email", m.from.address}};
            auto added = contacts_.Create(core::Principal::System(), *options_.prospect_organisation, contact);
            if (!added) {
                if (IsTempFailure(added.error())) return core::Fail(added.error());
                return quarantine("ingest", "unknown sender " + m.from.address +
                                                " could not be added as a prospect contact: " + added.error().message,
                                  &m, "");
            }
            created = desk_.CreateFromEmail(intake);
        }
        if (!created) {
            if (IsTempFailure(created.error())) return core::Fail(created.error());
            std::string reason = created.error().code == core::ErrorCode::kNotFound
                                     ? "unknown sender " + m.from.address + " (no contact has this address)"
                                     : "no request could be created: " + created.error().message;
            for (const auto& f : created.error().fields) reason += "; " + f.pointer + ": " + f.message;
            return quarantine("ingest", reason, &m, "");
        }
        result.outcome = IntakeOutcome::kCreated;
        result.request = created->id;
        result.request_number = created->number;
    }

    // 3. Attachments, through the service desk's store and its limits.
    int n = 0;
    for (const auto& a : m.attachments) {
        ++n;
        std::string filename = a.filename.empty() ? "attachment-" + std::to_string(n) : a.filename;
        auto stored = desk_.AddAttachment(core::Principal::System(), *result.request, filename, a.content_type, a.data,
                                          false);
        if (!stored) {
            std::string why = stored.error().message;
            for (const auto& f : stored.error().fields) why += " (" + f.pointer + ": " + f.message + ")";
            left_out.push_back("attachment '" + filename + "' (" + a.content_type + ", " +
                               std::to_string(a.data.size()) + " bytes) not stored: " + why);
        }
    }
    if (!left_out.empty()) {
        std::string reason;
        for (const auto& s : left_out) reason += (reason.empty() ? "" : "; ") + s;
        auto id = Quarantine(raw, "attachment", reason, NonEmpty(m.from.address), NonEmpty(m.subject),
                             NonEmpty(m.message_id), NonEmpty(result.request_number), quarantine_row);
        if (!id) return core::Fail(id.error());
        result.quarantine_id = *id;
        result.reason = reason;
    } else if (auto forgotten = ForgetQuarantined(db_, quarantine_row); !forgotten) {
        return core::Fail(forgotten.error());
    }
    return result;
}

core::Result<QuarantinePage> MailIntake::ListQuarantine(const core::Principal& actor, int limit,
                                                        std::optional<std::int64_t> after) {
    if (auto ok = RequireAdmin(actor); !ok) return core::Fail(ok.error());
    limit = std::clamp(limit, 1, kMaxQuarantinePage);
    return storage::InReadTx(db_, [&](storage::Transaction& tx) -> core::Result<QuarantinePage> {
        const std::string sql = "SELECT " + std::string(kQuarantineColumns) +
                                " FROM mail_quarantine WHERE ($1 = 0 OR id < $1) ORDER BY id DESC LIMIT $2";
        auto rows = tx.Query(sql, {after.value_or(0), static_cast<std::int64_t>(limit + 1)});
        if (!rows) return core::Fail(rows.error());
        QuarantinePage page;
        for (const auto& r : rows->rows) {
            if (static_cast<int>(page.items.size()) == limit) {
                page.next_after = page.items.back().id;
                break;
            }
            page.items.push_back(ReadQuarantineRow(r));
        }
        return page;
    });
}

core::Result<QuarantinedMail> MailIntake::GetQuarantined(const core::Principal& actor, std::int64_t id) {
    if (auto ok = RequireAdmin(actor); !ok) return core::Fail(ok.error());
    return storage::InReadTx(db_, [&](storage::Transaction& tx) -> core::Result<QuarantinedMail> {
        const std::string sql =
            "SELECT " + std::string(kQuarantineColumns) + ", raw_base64 FROM mail_quarantine WHERE id = $1";
        auto row = tx.QueryOne(sql, {id});
        if (!row) return core::Fail(row.error());
        if (!*row) return core::Fail(core::Error::NotFound("No quarantined message " + std::to_string(id) + "."));
        QuarantinedMail q = ReadQuarantineRow(**row);
        auto raw = core::Base64UrlDecode((*row)->GetText(11));
        if (!raw) return core::Fail(core::Error::Internal("quarantined message " + std::to_string(id) + " is corrupt"));
        q.raw = std::move(*raw);
        return q;
    });
}

core::Result<IntakeResult> MailIntake::RetryQuarantined(const core::Principal& actor, std::int64_t id) {
    auto q = GetQuarantined(actor, id);
    if (!q) return core::Fail(q.error());
    if (q->stage == "attachment") {
        // The request already has the text: ingesting again would only find the duplicate.
        return core::Fail(core::Error::FailedPrecondition(
                              "This message already reached request " + q->request_number.value_or("?") +
                              "; only its left-out parts are kept here. Download it or delete it.")
                              .WithType("quarantine-not-retryable"));
    }
    return Process(q->raw, id);
}

core::Result<void> MailIntake::DeleteQuarantined(const core::Principal& actor, std::int64_t id) {
    if (auto ok = RequireAdmin(actor); !ok) return core::Fail(ok.error());
    return storage::InWriteTx(db_, [&](storage::Transaction& tx) -> core::Result<void> {
        auto n = tx.Execute("DELETE FROM mail_quarantine WHERE id = $1", {id});
        if (!n) return core::Fail(n.error());
        if (*n == 0) return core::Fail(core::Error::NotFound("No quarantined message " + std::to_string(id) + "."));
        return {};
    });
}

}  // namespace customsdesk::servicedesk

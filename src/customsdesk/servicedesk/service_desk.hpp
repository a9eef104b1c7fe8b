// The service desk (SPEC §4, issue 6): request types with e-forms, service requests and their
// workflow, the thread (public replies, internal notes), attachments, tags, links, merging,
// canned responses, routing, escalation, and the e-mail entry points and notification outbox the
// mail module builds on.
//
// Contract
//  - Every method takes the calling principal (or, for the mail entry points, acts as the system
//    principal) and opens ONE transaction: the change, its history (history::RecordChange, entity
//    "service_request"; internal notes as "service_request_note" so traders never see them) and
//    any notification row commit together or not at all.
//  - Data scoping: requests, their messages, attachments, links and history are read through
//    accounts::ScopedSql on the request's organisation; a trader user sees only its own
//    organisation's requests and gets "not found" (404) for any other — on every method. Traders
//    never see internal notes, internal attachments, note counts or note history.
//  - Roles: traders create requests for their own organisation (channel portal with a session,
//    api with a token), read them, reply, upload attachments, and may close a resolved request or
//    edit subject/form while the request is new. Staff read everything; agents, specialists, KAMs
//    and administrators ("workers") change status, assign, escalate, tag, link, merge, write notes,
//    log phone calls and manage canned responses; administrators edit forms.
//  - Numbers: "SR-<year>-<6-digit serial>", serial per UTC year from sd_serials by an upsert in the
//    creating transaction (safe under concurrency on both databases; a transaction that rolls back,
//    or a group-commit batch that is re-run, gives its serial back, so numbers have no gaps).
//  - Creating a request (Create) is split for throughput (issue 6): everything that only reads
//    (form validation, organisation and contact, routing, SLA policy and evaluation) runs first in
//    a read transaction against in-memory snapshots of the request types and forms, service groups,
//    active routing version (Catalogue) and SLA policies and calendars (sla::PolicyCache), each
//    checked against a one-query stamp of its tables, so an administrator's change is used by the
//    next creation after it committed; then ONE write transaction holds only the writes (serial,
//    request row with its SLA columns, history, notification) — through the GroupCommitter when one
//    is set, so concurrent creations share a durable commit — and the answer is the row built in
//    memory (the same JSON a reload would give). A request created while an administrator changes a
//    form, the routing or a policy gets either the old or the new configuration, as if it had been
//    created just before or just after the change.
//  - Status workflow: model.hpp's transition table; an illegal change is kConflict typed
//    "illegal-transition" (409). A customer reply re-opens a pending_customer request, re-opens a
//    resolved one within `reopen_days` of resolution, and otherwise (closed, or resolved longer
//    ago) opens a NEW request linked to the old one (link kind follow_up_of).
//  - Routing (one contact principle): a new request's tier and group come from the active version
//    of the rule set "servicedesk-routing" (inputs requestType, customerGroup, language, form;
//    outputs group, tier); without an active version, or when it gives no known group, the request
//    lands in customer service. The decision (rule set version, outputs) is kept in `routing`.
//
// E-mail (for the mail module; it owns servicedesk/mail_intake.* and the SMTP sender)
//  - CreateFromEmail(): a request from channel "email" for the sender, looked up among contacts
//    by e-mail address (case-insensitively; the most recently updated live contact wins), created
//    as the system principal. kNotFound typed "unknown-sender" when no contact has the address.
//    The sender's Message-ID is stored on the request's first message.
//  - AddCustomerEmailReply(): a customer reply to an existing request from `from_address` (must be
//    a contact of the request's organisation or the requester's address, else kPermissionDenied
//    typed "unknown-sender"), with the same reopen rules as a portal reply. Message-ID and
//    In-Reply-To are stored on the message.
//  - FindByNumber() / FindByMessageId(): thread an incoming mail by "[SR-2026-000042]" in the
//    subject, or by In-Reply-To/References naming a message or notification of a request.
//  - Outbox: sd_notifications rows (kind received | replied | resolved | sla_warning |
//    sla_breach, recipient, subject, body, message_id, in_reply_to) are written in the same
//    transaction as the event, only when the requester has an e-mail address. The mail module
//    delivers them with PendingNotifications() / MarkNotificationSent() / MarkNotificationFailed().
//    Each agent reply's message row carries the Message-ID of its notification, so a customer's
//    answer (In-Reply-To) threads back to the request.
//
// Thread-safety: the service is thread-safe (state is in the database; the caches are guarded).
#pragma once

#include <boost/json.hpp>

#include <atomic>

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "customsdesk/core/clock.hpp"
#include "customsdesk/core/error.hpp"
#include "customsdesk/core/principal.hpp"
#include "customsdesk/history/change_history.hpp"
#include "customsdesk/ruleset/ruleset_service.hpp"
#include "customsdesk/servicedesk/forms.hpp"
#include "customsdesk/servicedesk/model.hpp"
#include "customsdesk/storage/database.hpp"
#include "customsdesk/storage/group_commit.hpp"

namespace customsdesk::servicedesk {

inline constexpr std::size_t kMaxSubjectLength = 200;      // bytes
inline constexpr std::size_t kMaxBodyLength = 20000;       // bytes, request body and messages
inline constexpr std::size_t kMaxTags = 20;
inline constexpr std::size_t kMaxTagLength = 40;
inline constexpr int kMaxPageSize = 200;
inline constexpr std::string_view kRoutingRuleset = "servicedesk-routing";
inline constexpr std::string_view kNoDue = "9999-12-31T23:59:59.999999Z";

struct ServiceDeskOptions {
    int reopen_days = 14;                                    // a customer reply re-opens a resolved request
    std::size_t max_attachment_bytes = 1u << 20;             // per file (the server's body limit is 1 MiB too)
    std::size_t max_attachments_per_request = 50;
    std::string mail_domain = "customsdesk.invalid";         // right-hand side of generated Message-IDs
};

// Content types an attachment may have; anything else is refused (422 /headers/content-type).
const std::vector<std::string>& AllowedAttachmentTypes();

struct RequestType {
    std::int64_t id = 0;
    std::string key;
    boost::json::object names;  // {"fi", "sv", "en"}
    std::int64_t form_version = 0;
    boost::json::object form;   // the current form definition
    bool active = true;
};

struct FormVersion {
    std::int64_t version = 0;
    boost::json::object definition;
    std::string comment;
    std::string created_by;
    core::Timestamp created_at;
};

struct ServiceGroup {
    std::int64_t id = 0;
    std::string key;
    boost::json::object names;
    Tier tier = Tier::kCustomerService;
    bool tier_default = false;
};

struct ServiceRequest {
    RequestId id;
    std::string number;
    core::OrganisationId organisation;
    std::string organisation_name;
    std::optional<std::int64_t> requester_contact_id;
    std::optional<std::int64_t> requester_user_id;
    std::string requester_name;
    std::optional<std::string> requester_email;
    std::string type;
    std::int64_t form_version = 0;
    Priority priority = Priority::kNormal;
    Channel channel = Channel::kPortal;
    std::string language = "fi";
    std::string subject;
    std::string body;
    boost::json::object form;
    Status status = Status::kNew;
    Tier tier = Tier::kCustomerService;
    std::optional<std::string> group;
    std::optional<std::int64_t> assignee_id;
    std::string assignee_name;
    std::vector<std::string> tags;
    boost::json::object routing;
    std::optional<RequestId> merged_into;
    std::string due_at = std::string(kNoDue);
    std::int64_t version = 1;
    core::Timestamp created_at, updated_at;
    std::optional<core::Timestamp> first_response_at, resolved_at, closed_at;
    // Filled by Get (not in lists): counts visible to the caller.
    std::optional<std::int64_t> reply_count, note_count, attachment_count;
    // SLA columns (sla_integration.hpp): the chosen policy, timeline, stored evaluation, markers.
    std::optional<std::int64_t> sla_policy_id;
    std::optional<std::string> sla_state;
    std::optional<std::string> sla_json;
    std::string sla_events = "[]";
    std::string sla_raised = "[]";
    std::optional<std::string> sla_next_check;
    // Extra members added to the JSON form (e.g. the SLA state), set by the SLA integration.
    boost::json::object extra;
};

struct Message {
    std::int64_t id = 0;
    RequestId request;
    bool note = false;       // internal note (staff only)
    bool from_customer = false;
    Channel channel = Channel::kPortal;
    std::optional<std::int64_t> author_user_id, author_contact_id;
    std::string author_name;
    std::string body;
    std::optional<std::string> message_id, in_reply_to;
    core::Timestamp created_at;
};

struct Attachment {
    std::int64_t id = 0;
    RequestId request;
    std::optional<std::int64_t> message;
    bool internal = false;
    std::string filename;
    std::string content_type;
    std::int64_t size = 0;
    std::string sha256;
    std::string uploaded_by;
    core::Timestamp created_at;
};

struct AttachmentContent {
    Attachment meta;
    std::string bytes;
};

struct Link {
    std::int64_t id = 0;
    RequestId from, to;
    std::string to_number;  // the other request's number
    LinkKind kind = LinkKind::kRelated;
    bool outgoing = true;   // false: the other request links to this one
    std::string created_by;
    core::Timestamp created_at;
};

struct CannedResponse {
    std::int64_t id = 0;
    std::string name;
    std::string language;
    std::string body;
    std::optional<std::string> group;
    std::int64_t version = 1;
    std::string created_by;
    core::Timestamp created_at, updated_at;
};

struct Notification {
    std::int64_t id = 0;
    RequestId request;
    std::string request_number;
    std::string kind;
    std::string recipient;
    std::string subject;
    std::string body;
    std::string message_id;
    std::optional<std::string> in_reply_to;
    core::Timestamp created_at;
    int attempts = 0;
};

struct QueueFilter {
    std::vector<Status> statuses;          // any of; empty = all
    std::optional<std::string> group;      // group key
    std::optional<std::int64_t> assignee;  // 0 = unassigned
    std::optional<Tier> tier;
    std::vector<Priority> priorities;
    std::optional<std::string> sla_state;  // on_track | warning | breached (needs the SLA columns)
    std::optional<std::int64_t> organisation;
    std::optional<std::string> type;
    std::optional<std::string> text;       // in the subject (case-insensitive) or the exact number
    int limit = 50;
    std::optional<std::string> cursor;
};

struct RequestPage {
    std::vector<ServiceRequest> items;
    std::optional<std::string> next_cursor;
};

struct ReplyOutcome {
    Message message;
    ServiceRequest request;  // the request the reply landed in (a new one when `follow_up`)
    bool reopened = false;
    bool follow_up = false;
};

struct EmailIntake {
    std::string from_address;
    std::string from_name;
    std::string subject;
    std::string body;
    std::string message_id;                 // the mail's Message-ID (with or without <>)
    std::optional<std::string> in_reply_to;
    std::string type = "question";          // request type key
    std::optional<std::string> language;    // fi | sv | en; default the contact's language
};

// Extension points the SLA integration fills in (sla_integration.hpp).
class RequestObserver {
public:
    virtual ~RequestObserver() = default;
    // A new request, before it is written: fills its SLA members (sla_policy_id, sla_events,
    // sla_state, sla_json, due_at, sla_next_check) from the request in memory. `tx` may be a read
    // transaction (it is used only to read configuration); must not write.
    virtual core::Result<void> PrepareNew(storage::Transaction& tx, ServiceRequest& request,
                                          const std::optional<std::string>& customer_group, core::Timestamp now) = 0;
    // A request was changed (status, priority, tier, group, a reply...), called inside the
    // transaction of the change after the row has been written. `event` is "status",
    // "reply_agent", "reply_customer", "priority", "assigned", "escalated", "type".
    virtual core::Result<void> OnEvent(storage::Transaction& tx, const ServiceRequest& request, std::string_view event,
                                       core::Timestamp now) = 0;
    // Adds members to a request's JSON (e.g. "sla"); may read in `tx`.
    virtual core::Result<void> Decorate(storage::Transaction& tx, std::vector<ServiceRequest*> requests) = 0;
    // Adds conditions to the queue query for `sla_state` (a SQL condition on the request alias r).
    virtual std::optional<std::string> SlaStateCondition(std::string_view state) const = 0;
};

class ServiceDeskService {
public:
    ServiceDeskService(storage::Database& db, const core::Clock& clock, ruleset::RulesetService& rulesets,
                       ServiceDeskOptions options = {});
    ServiceDeskService(const ServiceDeskService&) = delete;
    ServiceDeskService& operator=(const ServiceDeskService&) = delete;

    // Installs the shipped routing table (data/rules/servicedesk-routing.dmn, compiled in) as rule
    // set "servicedesk-routing" with its test cases, if that rule set does not exist yet.
    core::Result<bool> InstallDefaultRouting();
    // The routing decision for given inputs with the active routing version (for tests and tools).
    core::Result<boost::json::object> Route(const std::string& type, const std::optional<std::string>& customer_group,
                                            const std::string& language, const boost::json::object& form);

    void SetObserver(RequestObserver* observer) { observer_ = observer; }
    // Creations (Create) then commit through `committer` (shared durable commits); nullptr: one
    // write transaction each. Set before serving; the committer must outlive the service's use.
    void SetGroupCommitter(storage::GroupCommitter* committer) { committer_ = committer; }
    [[nodiscard]] const ServiceDeskOptions& options() const { return options_; }

    // ---- request types and forms, service groups ----
    core::Result<std::vector<RequestType>> ListTypes(const core::Principal& actor);
    core::Result<RequestType> GetType(const core::Principal& actor, std::string_view key);
    core::Result<std::vector<FormVersion>> FormVersions(const core::Principal& actor, std::string_view key);
    // Administrators: body {"fields": [...], "comment": "..."} becomes the type's next form version.
    core::Result<RequestType> UpdateForm(const core::Principal& actor, std::string_view key,
                                         const boost::json::object& body);
    core::Result<std::vector<ServiceGroup>> ListGroups(const core::Principal& actor);

    // ---- requests ----
    // body: {"type", "subject", "body", "form", "priority", "language", "organisation_id",
    //        "requester_contact_id", "channel"}; see docs/servicedesk.md.
    core::Result<ServiceRequest> Create(const core::Principal& actor, const boost::json::object& body);
    core::Result<ServiceRequest> Get(const core::Principal& actor, RequestId id);
    core::Result<RequestPage> List(const core::Principal& actor, const QueueFilter& filter);
    // Merge-patch of subject, body, priority, type, form, language (If-Match version optional).
    core::Result<ServiceRequest> Update(const core::Principal& actor, RequestId id, const boost::json::object& patch,
                                        std::optional<std::int64_t> expected_version);
    // body: {"status", "comment"?}
    core::Result<ServiceRequest> ChangeStatus(const core::Principal& actor, RequestId id,
                                              const boost::json::object& body);
    // body: {"group"?: key, "assignee_id"?: id | null}
    core::Result<ServiceRequest> Assign(const core::Principal& actor, RequestId id, const boost::json::object& body);
    // body: {"reason", "group"?}: to the next tier, its default group unless one is named.
    core::Result<ServiceRequest> Escalate(const core::Principal& actor, RequestId id, const boost::json::object& body);
    // body: {"add": [...], "remove": [...]}
    core::Result<ServiceRequest> UpdateTags(const core::Principal& actor, RequestId id,
                                            const boost::json::object& body);
    core::Result<history::ChangePage> History(const core::Principal& actor, RequestId id, std::int64_t before_id,
                                              int limit);

    // ---- thread ----
    // body: {"body" | "canned_response_id", "status"?}; staff replies are agent replies, trader
    // replies customer replies (with the reopen rules).
    core::Result<ReplyOutcome> AddReply(const core::Principal& actor, RequestId id, const boost::json::object& body);
    core::Result<Message> AddNote(const core::Principal& actor, RequestId id, const boost::json::object& body);
    // Replies and (for staff) notes, oldest first.
    core::Result<std::vector<Message>> ListMessages(const core::Principal& actor, RequestId id);

    // ---- attachments ----
    core::Result<Attachment> AddAttachment(const core::Principal& actor, RequestId id, std::string_view filename,
                                           std::string_view content_type, std::string_view bytes, bool internal);
    core::Result<std::vector<Attachment>> ListAttachments(const core::Principal& actor, RequestId id);
    core::Result<AttachmentContent> GetAttachment(const core::Principal& actor, RequestId id,
                                                  std::int64_t attachment_id);

    // ---- links and merging ----
    // body: {"target_id", "kind"}
    core::Result<Link> AddLink(const core::Principal& actor, RequestId id, const boost::json::object& body);
    core::Result<std::vector<Link>> ListLinks(const core::Principal& actor, RequestId id);
    // Moves the thread and attachments of `source` to body.target_id, closes the source and links it.
    core::Result<ServiceRequest> Merge(const core::Principal& actor, RequestId source, const boost::json::object& body);

    // ---- canned responses ----
    core::Result<std::vector<CannedResponse>> ListCanned(const core::Principal& actor,
                                                         const std::optional<std::string>& language);
    core::Result<CannedResponse> CreateCanned(const core::Principal& actor, const boost::json::object& body);
    core::Result<CannedResponse> UpdateCanned(const core::Principal& actor, std::int64_t id,
                                              const boost::json::object& patch);
    core::Result<void> DeleteCanned(const core::Principal& actor, std::int64_t id);
    // The canned response's body with its placeholders filled in for a request.
    core::Result<std::string> RenderCanned(const core::Principal& actor, std::int64_t id, RequestId request);

    // ---- e-mail (see the file comment) ----
    core::Result<ServiceRequest> CreateFromEmail(const EmailIntake& mail);
    core::Result<ReplyOutcome> AddCustomerEmailReply(RequestId id, std::string_view from_address, std::string_view body,
                                                     std::string_view message_id,
                                                     const std::optional<std::string>& in_reply_to);
    core::Result<std::optional<RequestId>> FindByNumber(std::string_view number);
    core::Result<std::optional<RequestId>> FindByMessageId(std::string_view message_id);
    core::Result<std::vector<Notification>> PendingNotifications(int limit, int max_attempts = 10);
    core::Result<void> MarkNotificationSent(std::int64_t id);
    core::Result<void> MarkNotificationFailed(std::int64_t id, std::string_view error);

    // ---- for the SLA integration and the scheduler (no principal: system decisions) ----
    // Loads a request without scoping inside the caller's transaction.
    core::Result<std::optional<ServiceRequest>> LoadForSystem(storage::Transaction& tx, RequestId id);
    // Writes a changed request (priority, tier, group, due_at...) with history as `actor`.
    core::Result<void> SaveForSystem(storage::Transaction& tx, const ServiceRequest& before, ServiceRequest& after,
                                     core::Timestamp now, const core::Principal& actor);
    // Queues a notification to the requester (nothing when the request has no e-mail address).
    core::Result<void> Notify(storage::Transaction& tx, const ServiceRequest& request, std::string_view kind,
                              std::string_view text, core::Timestamp now);
    // Queues a notification to an explicit address.
    core::Result<void> NotifyAddress(storage::Transaction& tx, const ServiceRequest& request, std::string_view kind,
                                     const std::string& recipient, const std::string& subject,
                                     const std::string& text, core::Timestamp now);

private:
    struct Impl;
    struct Catalogue;  // types and forms, groups, active routing version (service_desk.cpp)
    storage::Database& db_;
    const core::Clock& clock_;
    ruleset::RulesetService& rulesets_;
    ServiceDeskOptions options_;
    RequestObserver* observer_ = nullptr;
    std::mutex forms_mutex_;
    std::map<std::pair<std::int64_t, std::int64_t>, std::shared_ptr<const FormDefinition>> forms_;  // guarded
    storage::GroupCommitter* committer_ = nullptr;
    std::atomic<std::uint64_t> catalogue_generation_{0};  // bumped by UpdateForm after its commit
    std::mutex catalogue_mutex_;
    std::string catalogue_stamp_;                      // guarded by catalogue_mutex_
    std::shared_ptr<const Catalogue> catalogue_;       // guarded by catalogue_mutex_

    // The current catalogue (one stamp query in `tx`; reloaded when the stamp moved).
    core::Result<std::shared_ptr<const Catalogue>> CatalogueOf(storage::Transaction& tx);
    // Routing, group and tier, timestamps and (observer) SLA members of a new request; reads only.
    core::Result<void> PrepareNew(storage::Transaction& tx, const Catalogue& catalogue, ServiceRequest& sr,
                                  const std::optional<std::string>& customer_group, core::Timestamp now);
    // The writes of a prepared new request: serial and number, row, first message, history,
    // "received" notification. Sets sr.id and sr.number (afresh at every call).
    core::Result<void> WriteNew(storage::Transaction& tx, const core::Principal& actor, ServiceRequest& sr,
                                std::int64_t type_id, core::Timestamp now,
                                const std::optional<std::string>& first_message_id);

    core::Result<std::shared_ptr<const FormDefinition>> FormOf(storage::Transaction& tx, std::int64_t type_id,
                                                               std::int64_t version);
    core::Result<ReplyOutcome> CustomerReply(storage::Transaction& tx, const core::Principal& actor,
                                             ServiceRequest current, Channel channel, const std::string& text,
                                             std::optional<std::int64_t> contact_id, const std::string& author,
                                             std::optional<std::string> message_id,
                                             std::optional<std::string> in_reply_to, core::Timestamp now);
    // PrepareNew + WriteNew in one (write) transaction, for the follow-up and e-mail paths.
    core::Result<ServiceRequest> Insert(storage::Transaction& tx, const core::Principal& actor, ServiceRequest sr,
                                        std::int64_t type_id, core::Timestamp now,
                                        std::optional<std::string> first_message_id);
    core::Result<void> Fire(storage::Transaction& tx, const ServiceRequest& r, std::string_view event,
                            core::Timestamp now);
    core::Result<void> DecorateAll(storage::Transaction& tx, std::vector<ServiceRequest*> rs);
    // The request as stored now (after the observer's updates), decorated for the response.
    core::Result<ServiceRequest> Reload(storage::Transaction& tx, RequestId id);
};

// JSON forms for the API. `staff` adds internal members (routing, note counts). The request's
// form is built in `sp` (e.g. a monotonic resource for a whole list answer).
boost::json::object ToJson(const ServiceRequest& r, bool staff, boost::json::storage_ptr sp = {});
boost::json::object ToJson(const RequestType& t);
boost::json::object ToJson(const FormVersion& v);
boost::json::object ToJson(const ServiceGroup& g);
boost::json::object ToJson(const Message& m);
boost::json::object ToJson(const Attachment& a);
boost::json::object ToJson(const Link& l);
boost::json::object ToJson(const CannedResponse& c);

// The shipped routing table (data/rules/servicedesk-routing.dmn).
std::string_view ShippedRoutingDmn();

// The routing decision of a compiled routing model (nullptr: no active table, customer service):
// {"ruleset", "version", "group", "tier", "reason"?}. Pure; used by the service and its tests.
boost::json::object DecideRouting(const rules::Model* model, std::int64_t version, const std::string& type,
                                  const std::optional<std::string>& customer_group, const std::string& language,
                                  const boost::json::object& form);

}  // namespace customsdesk::servicedesk

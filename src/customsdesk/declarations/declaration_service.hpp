// Declarations: lodging (JSON, XML, bulk), the acceptance transaction, the lifecycle, amendment
// and invalidation requests, reads with data scoping (issue 7).
//
// Lodging
//  - The trader's LRN is an idempotency key per declarant: (declarant EORI, LRN) is unique in the
//    database, and lodging the same pair again returns the EXISTING declaration (created = false)
//    without creating a second one, whatever the new body says; concurrent lodgings of one LRN
//    create exactly one row (INSERT ... ON CONFLICT DO NOTHING, then read the winner).
//  - A declaration with violations is refused (InvalidArgument, one field error per violation,
//    in the caller's language; JSON pointers for JSON, XPaths for XML) and nothing is stored.
//  - Lodging as a draft stores it after the structural read only (state draft); Submit() later
//    validates it: violations -> rejected (kept with its violations), else accepted.
//  - Acceptance (one transaction): MRN assigned (mrn.hpp, serial = the row id), taxes computed by
//    the taxation hook, the lane decided by the selectivity hook, the state moved by the lane
//    (green/blue -> released, yellow -> under_documentary_control, red -> under_physical_control;
//    without a selectivity hook it stays accepted), every transition recorded.
//  - With a GroupCommitter (SetGroupCommitter), concurrent lodgings are written together (one
//    PersistMany: multi-row statements) and share one commit; the call still returns only after
//    its own commit.
// Access
//  - Lodging: trader users (their organisation is the declarant; a declarant EORI other than the
//    organisation's registered EORI is a violation) and administrators / the system.
//  - Reading: a trader sees only declarations whose declarant organisation or represented party
//    (importer/exporter) is its organisation; others are NotFound. Staff see all.
//  - Lifecycle decisions (control states, release, request decisions): officers and administrators.
// Service API for control (selectivity/control helpers): Transition() and TransitionInTx() move a
//  declaration along the table in lifecycle.hpp; illegal transitions are Conflict (409, type
//  "illegal-transition"); each transition is timestamped, attributed to the principal and recorded
//  in declaration_transitions (History()).
// Thread-safety: the service is thread-safe; hooks must be set before serving requests.
#pragma once

#include <boost/json.hpp>

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "customsdesk/core/clock.hpp"
#include "customsdesk/core/error.hpp"
#include "customsdesk/core/principal.hpp"
#include "customsdesk/declarations/declaration.hpp"
#include "customsdesk/declarations/lifecycle.hpp"
#include "customsdesk/declarations/mapping.hpp"
#include "customsdesk/declarations/validation.hpp"
#include "customsdesk/storage/database.hpp"
#include "customsdesk/storage/group_commit.hpp"

namespace customsdesk::ruleset {
class RulesetService;
}

namespace customsdesk::declarations {

inline constexpr std::size_t kMaxBulkDeclarations = 100000;
inline constexpr int kMaxPage = 200;
inline constexpr std::string_view kRulesetKey = "declaration-rules";

struct StoredDeclaration {
    std::int64_t id = 0;
    Declaration declaration;
    State state = State::kDraft;
    std::optional<std::string> mrn;
    std::optional<std::string> lane;
    std::optional<std::string> taxes_json;        // from taxation
    std::optional<std::string> selectivity_json;  // lane explanation from selectivity
    std::vector<core::FieldError> violations;     // of a rejected declaration
    std::optional<std::int64_t> declarant_org_id;
    std::optional<std::int64_t> represented_org_id;
    core::Timestamp created_at;
    std::optional<core::Timestamp> accepted_at;
    core::Timestamp updated_at;
    std::int64_t version = 1;
};

struct LodgeResult {
    StoredDeclaration stored;
    bool created = false;  // false: the LRN existed, `stored` is the existing declaration
    std::string declaration_json;  // `stored.declaration` serialized (as stored) when created
};

struct DeclarationSummary {
    std::int64_t id = 0;
    std::string lrn;
    std::string type;
    State state = State::kDraft;
    std::optional<std::string> mrn;
    std::optional<std::string> lane;
    std::string declarant_eori;
    core::Timestamp created_at;
};
struct DeclarationPage {
    std::vector<DeclarationSummary> items;
    std::optional<std::int64_t> next_before;  // pass as before_id for the next (older) page
};
struct ListFilter {
    std::optional<State> state;
    std::optional<DeclarationType> type;
    std::int64_t before_id = 0;
    int limit = 50;
};

struct TransitionEntry {
    std::int64_t id = 0;
    std::optional<State> from;
    State to = State::kDraft;
    std::string action;
    std::optional<std::int64_t> actor_id;
    std::string actor_name;
    core::Timestamp at;
    std::string reason;
};

struct DeclarationRequest {
    std::int64_t id = 0;
    std::int64_t declaration_id = 0;
    RequestKind kind = RequestKind::kAmendment;
    RequestState state = RequestState::kRequested;
    std::string reason;
    std::optional<std::string> payload;  // amendment: the amended declaration (canonical JSON)
    std::string requested_by;
    core::Timestamp requested_at;
    std::optional<std::string> decided_by;
    std::optional<core::Timestamp> decided_at;
    std::optional<std::string> decision_reason;
};

// One answer of the bulk endpoint.
struct BulkOutcome {
    std::size_t index = 0;
    std::string lrn;
    std::string status;  // "accepted", "released", "under_..." (state), "existing", "invalid", "error"
    std::optional<std::int64_t> id;
    std::optional<std::string> mrn;
    std::vector<core::FieldError> violations;
};

// Hooks to taxation and selectivity (wired by app/main.cpp when those modules exist).
struct LaneDecision {
    std::string lane;              // "green", "yellow", "red", "blue"
    std::string explanation_json;  // which profile and rule fired
    std::shared_ptr<const void> detail;  // the deciding module's own record, for its LaneRecord hook
};
using TaxHook = std::function<core::Result<std::string>(const Declaration&, core::Timestamp accepted_at)>;
// Decides the lane and writes nothing. `tx` is the caller's transaction when it holds one (the hook
// then reads through it), else nullptr (the hook reads committed data itself, possibly cached):
// lodging decides BEFORE its write transaction so that the shared writer only writes.
using LaneDecide = std::function<core::Result<LaneDecision>(storage::Transaction* tx, const Declaration&,
                                                            std::optional<std::int64_t> declarant_org_id)>;
// Records decisions inside the acceptance transaction, once the rows exist (`id`, `mrn` assigned);
// many at once when a batch of declarations is written. May run more than once for one decision
// (group commit re-runs a failed batch item by item).
struct LaneRecordItem {
    const Declaration* declaration;
    std::optional<std::int64_t> declarant_org_id;
    std::int64_t id;
    const std::string* mrn;
    const LaneDecision* decision;
};
using LaneRecord = std::function<core::Result<void>(storage::Transaction&, std::span<const LaneRecordItem>)>;
struct LaneHooks {
    LaneDecide decide;
    LaneRecord record;
};

using LodgeDone = std::function<void(core::Result<LodgeResult>)>;

class DeclarationService {
public:
    DeclarationService(storage::Database& db, const core::Clock& clock, ruleset::RulesetService* rulesets = nullptr);
    DeclarationService(const DeclarationService&) = delete;
    DeclarationService& operator=(const DeclarationService&) = delete;

    void SetTaxation(TaxHook hook) { tax_hook_ = std::move(hook); }
    void SetSelectivity(LaneHooks hooks) { lane_hooks_ = std::move(hooks); }
    void SetToEur(ToEur to_eur) { to_eur_ = std::move(to_eur); }
    void SetGroupCommitter(storage::GroupCommitter* committer) { committer_ = committer; }

    core::Result<LodgeResult> LodgeJson(const core::Principal& actor, const boost::json::object& body, Language lang,
                                        bool draft = false);
    core::Result<LodgeResult> LodgeXml(const core::Principal& actor, std::string_view xml, Language lang,
                                       bool draft = false);
    // The same without blocking: reading, validation, taxes and the lane decision run on the
    // calling thread, then `done` is called exactly once - at once when the declaration is refused,
    // else once its transaction committed, possibly on the group committer's writer thread (so
    // `done` must be short: hand the answer to another thread). `body`/`xml` are read before the
    // call returns.
    void LodgeJson(const core::Principal& actor, const boost::json::object& body, Language lang, bool draft,
                   LodgeDone done);
    void LodgeXml(const core::Principal& actor, std::string_view xml, Language lang, bool draft, LodgeDone done);
    // Many declarations (already split: NDJSON lines or the <Declaration> elements of one document);
    // one outcome per declaration, in order. `xml` selects XPath pointers.
    core::Result<std::vector<BulkOutcome>> LodgeBulk(const core::Principal& actor,
                                                     std::vector<boost::json::object> bodies, Language lang, bool xml);
    // The same for NDJSON lines, parsed on the worker threads; a line that is not a JSON object is
    // "invalid" with a "malformed_json" violation at "/".
    core::Result<std::vector<BulkOutcome>> LodgeNdjson(const core::Principal& actor,
                                                       std::vector<std::string_view> lines, Language lang);

    core::Result<StoredDeclaration> Get(const core::Principal& actor, std::int64_t id);
    core::Result<DeclarationPage> List(const core::Principal& actor, const ListFilter& filter);
    core::Result<std::vector<TransitionEntry>> History(const core::Principal& actor, std::int64_t id);
    // Drafts only (Conflict otherwise).
    core::Result<void> DeleteDraft(const core::Principal& actor, std::int64_t id);
    // draft -> submitted -> accepted | rejected.
    core::Result<StoredDeclaration> Submit(const core::Principal& actor, std::int64_t id, Language lang);

    // Control API: moves a declaration by `action` (release, documentary_control, physical_control,
    // refuse_release). Officers and administrators only.
    core::Result<StoredDeclaration> Transition(const core::Principal& actor, std::int64_t id, Action action,
                                               const std::string& reason);
    // The same inside the caller's transaction (the control module records findings with it).
    core::Result<StoredDeclaration> TransitionInTx(storage::Transaction& tx, const core::Principal& actor,
                                                   std::int64_t id, Action action, const std::string& reason);

    // Amendment (the amended declaration as JSON) and invalidation requests, by the trader.
    core::Result<DeclarationRequest> RequestAmendment(const core::Principal& actor, std::int64_t id,
                                                      const boost::json::object& declaration,
                                                      const std::string& reason, Language lang);
    core::Result<DeclarationRequest> RequestInvalidation(const core::Principal& actor, std::int64_t id,
                                                         const std::string& reason);
    core::Result<std::vector<DeclarationRequest>> Requests(const core::Principal& actor, std::int64_t id);
    // requested -> accepted (amendment applied / declaration invalidated) | rejected. Officers, admins.
    core::Result<DeclarationRequest> DecideRequest(const core::Principal& actor, std::int64_t id,
                                                   std::int64_t request_id, bool accept, const std::string& reason,
                                                   Language lang);

    // The user's own language (users.language), cached; English when unknown (system, tokens
    // without a user).
    Language UserLanguage(const core::Principal& actor);

    // The business rules in force: the active version of rule set "declaration-rules" when there is
    // one (re-checked at most every few seconds), else the shipped table.
    std::shared_ptr<const BusinessRules> CurrentRules();

private:
    struct Prepared;
    void LodgeThen(const core::Principal& actor, Declaration d, Language lang, bool draft, bool xml, LodgeDone done);
    core::Result<std::optional<LodgeResult>> ExistingByLrn(const core::Principal& actor, const std::string& declarant,
                                                           const std::string& lrn);
    core::Result<Prepared> Prepare(const core::Principal& actor, Declaration d, Language lang, bool draft, bool xml,
                                   std::vector<Violation>* violations_out);
    // Writes prepared lodgings with multi-row statements; each item's `result` is (re)set.
    core::Result<std::vector<BulkOutcome>> LodgeMany(
        const core::Principal& actor, std::size_t n,
        const std::function<core::Result<boost::json::object>(std::size_t, boost::json::storage_ptr)>& body,
        Language lang, bool xml);
    core::Result<void> PersistMany(storage::Transaction& tx, std::span<Prepared* const> items);
    core::Result<void> RecordTransitions(storage::Transaction& tx, const core::Principal& actor, std::int64_t id,
                                         const std::vector<std::pair<std::optional<State>, State>>& steps,
                                         const std::vector<std::string>& actions, const std::string& reason,
                                         core::Timestamp now);
    core::Result<void> AcceptInTx(storage::Transaction& tx, const core::Principal& actor, StoredDeclaration& d,
                                  State from, core::Timestamp now);
    std::optional<std::int64_t> OrganisationByEori(const std::string& eori);
    std::optional<std::string> EoriOfOrganisation(std::int64_t org);
    ValidationContext Context();

    storage::Database& db_;
    const core::Clock& clock_;
    ruleset::RulesetService* rulesets_;
    storage::GroupCommitter* committer_ = nullptr;
    storage::GroupCommitter::BatchWork persist_batch_;
    TaxHook tax_hook_;
    LaneHooks lane_hooks_;
    ToEur to_eur_;

    std::mutex rules_mu_;
    std::shared_ptr<const BusinessRules> rules_;            // guarded by rules_mu_
    std::optional<std::int64_t> rules_version_;             // guarded by rules_mu_
    std::chrono::steady_clock::time_point rules_checked_;   // guarded by rules_mu_

    struct CacheEntry {
        std::optional<std::int64_t> org;
        std::optional<std::string> eori;
        std::chrono::steady_clock::time_point at;
    };
    std::mutex cache_mu_;
    std::unordered_map<std::string, CacheEntry> org_by_eori_;   // guarded by cache_mu_
    std::unordered_map<std::int64_t, CacheEntry> eori_by_org_;  // guarded by cache_mu_
    std::unordered_map<std::int64_t, CacheEntry> language_by_user_;  // guarded by cache_mu_ (eori = language)
};

// JSON forms for the API.
boost::json::object ToJson(const StoredDeclaration& d);
// The same representation as text, splicing in JSON texts instead of building their DOM:
// `declaration_json` (serialized d.declaration; computed when empty) and, when `trusted_texts`
// (they were just produced by this program), the taxes and selectivity texts without checking.
std::string ToJsonText(const StoredDeclaration& d, std::string_view declaration_json = {},
                       bool trusted_texts = false);
boost::json::object ToJson(const DeclarationSummary& s);
boost::json::object ToJson(const TransitionEntry& t);
boost::json::object ToJson(const DeclarationRequest& r);
// Appends one bulk outcome as a JSON object: {index, lrn, status, id?, mrn?, violations?}.
void AppendJson(std::string& out, const BulkOutcome& o);

}  // namespace customsdesk::declarations

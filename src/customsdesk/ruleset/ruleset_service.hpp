// Rules as managed assets (SPEC §6, issue 5 item 5): rule sets whose decision tables are DMN
// documents kept in VERSIONS, with a reviewed lifecycle, four eyes on approval, and saved test cases.
//
// Model
//  - A rule set has a stable key ("risk-profile": lowercase letters, digits and '-', starting with
//    a letter, at most 64 characters) and a display name. Uploading DMN under a key creates the
//    rule set if it is new and always adds a new version (1, 2, ...) in state `draft`. The DMN text
//    of a version never changes afterwards: editing means uploading a new version.
//  - Lifecycle of a version:  draft --submit--> in_review --approve--> approved --activate--> active
//    in_review --reject--> draft; draft, in_review, approved and active --retire--> retired.
//    Activating a version retires the rule set's previously active version in the same transaction,
//    so at most one version is active (also enforced by a unique index).
//  - Four eyes: the approver must not be the version's author (PermissionDenied, type "four-eyes").
//  - Approval runs every saved test case of the rule set against the version; it is refused
//    (Conflict, type "no-test-cases" or "test-cases-failed" with one field error per failing case)
//    unless there is at least one case and all pass.
//  - Every upload and transition is recorded in the change history (entity_type
//    "ruleset_version", entity id = the version's row id) in the same transaction; test cases are
//    recorded as entity_type "ruleset_test_case".
//
// Access: any staff principal may read, run test cases and evaluate; risk analysts and
// administrators upload, manage test cases and make transitions; trader users are refused
// (PermissionDenied) on everything.
//
// Validation of an upload (ValidateDmn): size (kMaxDmnBytes), well-formed XML, DMN structure (hit
// policies, ...), FEEL syntax of every expression, at least one decision. Each problem is an
// InvalidArgument with a field error at pointer "/dmn" whose message names the line and column in
// the XML document (and, for FEEL, the position inside the expression).
//
// Thread-safety: the service is thread-safe; compiled models of versions are cached (the DMN of a
// version is immutable) behind a mutex.
#pragma once

#include <boost/json.hpp>

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
#include "customsdesk/rules/model.hpp"
#include "customsdesk/storage/database.hpp"

namespace customsdesk::ruleset {

inline constexpr std::size_t kMaxDmnBytes = 2u << 20;       // one DMN document
inline constexpr std::size_t kMaxKeyLength = 64;
inline constexpr std::size_t kMaxNameLength = 200;
inline constexpr std::size_t kMaxCommentLength = 2000;
inline constexpr std::size_t kMaxTestCases = 500;           // per rule set
inline constexpr std::size_t kMaxTestCaseJsonBytes = 64u << 10;  // inputs, expected: each
inline constexpr std::size_t kModelCacheSize = 32;          // compiled versions kept in memory

enum class VersionState { kDraft, kInReview, kApproved, kActive, kRetired };
std::string_view StateName(VersionState s);
std::optional<VersionState> ParseState(std::string_view name);

enum class Transition { kSubmit, kReject, kApprove, kActivate, kRetire };
std::string_view TransitionName(Transition t);

struct DecisionInfo {
    std::string name;
    std::string type_ref;
    bool decision_table = false;
};
struct InputInfo {
    std::string name;
    std::string type_ref;
};

struct VersionInfo {
    std::int64_t id = 0;  // row id (history entity id)
    std::string key;
    std::int64_t version = 0;
    VersionState state = VersionState::kDraft;
    std::string comment;
    std::optional<std::int64_t> author_id;  // unset for the system user (command line)
    std::string author;                     // username
    core::Timestamp created_at;
    std::optional<std::string> submitted_by, approved_by, activated_by, retired_by;
    std::optional<core::Timestamp> submitted_at, approved_at, activated_at, retired_at;
    std::size_t dmn_bytes = 0;
    // Filled by GetVersion and Upload (they compile the model), empty in lists.
    std::vector<DecisionInfo> decisions;
    std::vector<InputInfo> inputs;
};

struct RulesetSummary {
    std::int64_t id = 0;
    std::string key;
    std::string name;
    core::Timestamp created_at;
    core::Timestamp updated_at;
    std::int64_t latest_version = 0;
    std::optional<std::int64_t> active_version;
};

struct TestCase {
    std::int64_t id = 0;
    std::string name;
    std::string decision;
    boost::json::object inputs;
    boost::json::value expected;
    std::string created_by;
    core::Timestamp created_at;
};

struct TestCaseResult {
    TestCase test;
    bool passed = false;
    std::string actual_json;  // the decision's result as JSON text (exact decimals); "null" on error
    std::vector<std::string> errors;
};

struct TestRun {
    std::string key;
    std::int64_t version = 0;
    int passed = 0;
    int failed = 0;
    std::vector<TestCaseResult> results;
};

struct Evaluation {
    std::string key;
    std::int64_t version = 0;
    VersionState state = VersionState::kActive;
    std::string decision;
    std::string result_json;       // exact decimals, ISO temporal strings
    std::string explanation_json;  // rules::ExplanationsToJson
    std::vector<std::string> errors;
};

class RulesetService {
public:
    RulesetService(storage::Database& db, const core::Clock& clock);
    RulesetService(const RulesetService&) = delete;
    RulesetService& operator=(const RulesetService&) = delete;

    // Validates and stores `dmn` as a new draft version of the rule set `key` (created if new, named
    // `name` or else the DMN definitions' name or the key).
    core::Result<VersionInfo> Upload(const core::Principal& actor, std::string_view key, std::string_view dmn,
                                     const std::optional<std::string>& name, const std::string& comment);
    core::Result<std::vector<RulesetSummary>> List(const core::Principal& actor);
    core::Result<RulesetSummary> Get(const core::Principal& actor, std::string_view key);
    // Newest first, without decisions/inputs.
    core::Result<std::vector<VersionInfo>> Versions(const core::Principal& actor, std::string_view key);
    core::Result<VersionInfo> GetVersion(const core::Principal& actor, std::string_view key, std::int64_t version);
    core::Result<std::string> GetDmn(const core::Principal& actor, std::string_view key, std::int64_t version);
    core::Result<VersionInfo> Apply(const core::Principal& actor, std::string_view key, std::int64_t version,
                                    Transition transition);
    core::Result<history::ChangePage> History(const core::Principal& actor, std::string_view key,
                                              std::int64_t version, std::int64_t before_id, int limit);

    core::Result<std::vector<TestCase>> ListTests(const core::Principal& actor, std::string_view key);
    // `body`: {"name", "decision", "inputs": {...}, "expected": <any JSON>}.
    core::Result<TestCase> AddTest(const core::Principal& actor, std::string_view key, const boost::json::object& body);
    core::Result<void> DeleteTest(const core::Principal& actor, std::string_view key, std::int64_t test_id);
    core::Result<TestRun> RunTests(const core::Principal& actor, std::string_view key, std::int64_t version);

    // `body`: {"decision": "...", "inputs": {...}}; `decision` may be left out when the model has
    // exactly one decision. Without `version` the active version is used (409 "no-active-version").
    core::Result<Evaluation> Evaluate(const core::Principal& actor, std::string_view key,
                                      std::optional<std::int64_t> version, const boost::json::object& body);

    // The compiled active version of rule set `key`, for domain services that evaluate rules on
    // their own behalf (declaration validation, selectivity): no principal, no access check.
    // nullopt when the rule set does not exist or has no active version. Compiled models are
    // cached by version, so a caller may ask often; callers on hot paths still cache the result.
    struct ActiveModel {
        std::int64_t version = 0;
        std::shared_ptr<const rules::Model> model;
    };
    core::Result<std::optional<ActiveModel>> ActiveModelOf(std::string_view key);

    // Parses and compiles a DMN document, or says what is wrong and where (see the file comment).
    static core::Result<rules::Model> ValidateDmn(std::string_view xml);

    // The same, read in the caller's transaction (e.g. service-desk routing inside the creating
    // transaction).
    core::Result<std::optional<ActiveModel>> ActiveModelOf(storage::Transaction& tx, std::string_view key);

    // A shipped default: when no rule set `key` exists, stores `dmn` as its version 1 in state
    // `active` (authored, approved and activated by "system", comment "shipped default") with
    // `tests` as its saved test cases (so later versions are approved against them), all audited
    // in one transaction. Returns true when it installed, false when the rule set already
    // existed (then nothing changes; an edited rule set is never overwritten).
    core::Result<bool> InstallDefault(std::string_view key, std::string_view name, std::string_view dmn,
                                      const std::vector<TestCase>& tests);

private:
    core::Result<std::shared_ptr<const rules::Model>> ModelOf(std::int64_t version_id, const std::string& dmn);

    storage::Database& db_;
    const core::Clock& clock_;
    std::mutex cache_mutex_;
    std::map<std::int64_t, std::shared_ptr<const rules::Model>> cache_;  // guarded by cache_mutex_
};

// JSON forms for the API.
boost::json::object ToJson(const RulesetSummary& r);
boost::json::object ToJson(const VersionInfo& v);
boost::json::object ToJson(const TestCase& t);
// Text, because results carry exact decimals that boost::json cannot hold.
std::string ToJsonText(const TestRun& run);
std::string ToJsonText(const Evaluation& e);

// 1-based line and column (in characters) of a byte offset in `text`.
std::pair<int, int> LineColumn(std::string_view text, std::size_t offset);

}  // namespace customsdesk::ruleset

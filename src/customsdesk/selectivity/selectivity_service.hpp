// Selectivity (SPEC §5): decides the control lane of an accepted declaration from the ACTIVE risk
// profiles and the random sample, records the decision with its explanation, and keeps the
// counters that make each profile's hit rate.
//
// Contract for the declarations module (call inside its acceptance transaction):
//     selectivity::Subject s = ...;               // declaration + items; s.organisation = declarant
//     auto a = selectivity.Assess(tx, s);          // Result<Assessment>
//     a->decision.lane, a->explanation_json, a->decision_id   // store / move the declaration on
// `Assess` reads the trader attributes itself (LoadTraderAttributes) when `s.organisation` is
// valid, evaluates, and writes in `tx`: the decision (selectivity_decisions), the rules that fired
// (selectivity_hits), the per-profile counters and the trader's declaration count. If `tx` rolls
// back, nothing of it remains.
//
// Split form, for callers that must keep their write transaction short (declaration lodging):
//     auto a = selectivity.Decide(s);            // outside any transaction: reads, evaluates
//     ... in the acceptance transaction: s.declaration_id = id; selectivity.Record(tx, s, *a);
// `Decide` reads through caches that are refreshed at most once a second (kDecideCacheTtl): the
// active profile versions, the sample settings (SetSampleRates and Invalidate refresh them at
// once) and each trader's attributes. A trader's cached declaration count is advanced by every
// Decide, so a burst of declarations still sees a growing count; controls and findings recorded
// in the last second may not be seen yet. The decision is the same as Assess's for the same inputs.
//
// Profiles are rule sets whose key starts with "risk-profile-" (profile.hpp); the ACTIVE version
// of each takes part. The compiled set is cached; every Assess compares the active version ids
// with the cached set (one indexed query), so an activation (in this process or another) is seen
// by the next assessment without any notification. `Invalidate()` drops the cache explicitly.
//
// Default profiles ship in data/rules/risk-profiles/*.dmn with their test cases (*.tests.json),
// compiled into the binary. `InstallDefaultProfiles()` (run at every start; idempotent) uploads
// each one whose rule set does not exist yet as the `system` user, adds its test cases, submits
// it, has it approved by the separate principal "shipped-defaults" (the second pair of eyes was
// the review in the source repository; the approval still runs the test cases) and activates it.
// A rule set that exists is never touched again (an analyst may have retired it on purpose).
//
// Access: Profiles/GetSampleRates/SetSampleRates are for risk analysts and administrators
// (PermissionDenied otherwise). Assess and LoadTraderAttributes are internal (no principal).
// Thread-safety: the service is thread-safe (the cache is behind a mutex).
#pragma once

#include <boost/json.hpp>

#include <chrono>
#include <cstdint>
#include <unordered_map>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "customsdesk/core/clock.hpp"
#include "customsdesk/core/error.hpp"
#include "customsdesk/core/principal.hpp"
#include "customsdesk/ruleset/ruleset_service.hpp"
#include "customsdesk/selectivity/profile.hpp"
#include "customsdesk/selectivity/sampler.hpp"
#include "customsdesk/selectivity/subject.hpp"
#include "customsdesk/storage/database.hpp"

namespace customsdesk::selectivity {

// A shipped default profile (embedded from data/rules/risk-profiles/).
struct DefaultProfile {
    std::string_view key;
    std::string_view name;
    std::string_view dmn;
    std::string_view tests_json;  // JSON array of ruleset test cases
};
std::span<const DefaultProfile> DefaultProfiles();

// Trader attributes from the registry (customer group, AEO) and trader_compliance. An unknown
// organisation gives default attributes (first-time trader, no AEO).
core::Result<TraderAttributes> LoadTraderAttributes(storage::Transaction& tx, core::OrganisationId organisation);

struct Assessment {
    std::int64_t decision_id = 0;  // selectivity_decisions.id
    Decision decision;
    std::string explanation_json;  // Decision::ExplanationJson()
    core::Timestamp assessed_at;   // the subject's "now"
};

struct SampleSettings {
    SampleRates rates;
    std::int64_t version = 0;  // 0 = never stored (defaults)
    std::string updated_by;
    std::optional<core::Timestamp> updated_at;
};

struct ProfileReport {
    ProfileSummary profile;
    std::int64_t hits = 0;           // assessments in which a rule of this version fired
    std::int64_t decisive_hits = 0;  // ... and decided the lane
    std::int64_t controls = 0;       // controls of declarations it decided (from control)
    std::int64_t findings = 0;       // non-compliant outcomes among them
};

struct ProfilesView {
    std::vector<ProfileReport> active;
    std::vector<RejectedProfile> rejected;  // active versions that break the profile contract
};

class SelectivityService {
public:
    SelectivityService(storage::Database& db, const core::Clock& clock, ruleset::RulesetService& rulesets);
    SelectivityService(const SelectivityService&) = delete;
    SelectivityService& operator=(const SelectivityService&) = delete;

    // Keys of the profiles installed now (empty when all existed). Also creates the settings row
    // with a random sample key if there is none.
    core::Result<std::vector<std::string>> InstallDefaultProfiles();

    // See the file comment.
    core::Result<Assessment> Assess(storage::Transaction& tx, Subject subject);
    core::Result<Assessment> Decide(Subject subject);
    // Decides reading through `tx` (no caches) and writes nothing.
    core::Result<Assessment> Decide(storage::Transaction& tx, Subject subject);
    // Writes `a` (from Decide) for `subject.declaration_id`; sets a.decision_id.
    core::Result<void> Record(storage::Transaction& tx, const Subject& subject, Assessment& a);
    // The same for many (a batch of lodgings): multi-row inserts, one counter update per profile
    // version and per trader. Sets each `decision_id` that is given (the assessment itself is only
    // read, so a decision made once can be recorded again when its transaction is retried).
    struct RecordItem {
        const Subject* subject;
        const Assessment* assessment;
        std::int64_t* decision_id = nullptr;
    };
    core::Result<void> RecordMany(storage::Transaction& tx, std::span<const RecordItem> items);

    // The compiled active profiles (cached; checked against the database in `tx`).
    core::Result<std::shared_ptr<const ProfileSet>> ActiveProfiles(storage::Transaction& tx);
    core::Result<SampleSettings> LoadSampleSettings(storage::Transaction& tx);
    void Invalidate();

    // API. `body`: {"red_ppm": int, "yellow_ppm": int, "sample_key"?: "decimal uint64"}; each rate in
    // [0, 1000000], their sum at most 1000000. Recorded in the change history.
    core::Result<SampleSettings> GetSampleRates(const core::Principal& actor);
    core::Result<SampleSettings> SetSampleRates(const core::Principal& actor, const boost::json::object& body);
    core::Result<ProfilesView> Profiles(const core::Principal& actor);
    // Evaluates a subject given as JSON (subject_json.hpp) against the active profiles and the
    // stored rates without recording anything: for analysts trying profiles. Trader attributes
    // come from the body only.
    core::Result<Decision> DryRun(const core::Principal& actor, const boost::json::object& subject);

private:
    storage::Database& db_;
    const core::Clock& clock_;
    ruleset::RulesetService& rulesets_;
    std::mutex mutex_;
    std::vector<std::int64_t> cached_ids_;              // guarded by mutex_
    std::shared_ptr<const ProfileSet> cached_;          // guarded by mutex_
    // Decide's caches, guarded by mutex_.
    struct CachedTrader {
        TraderAttributes attributes;
        std::chrono::steady_clock::time_point loaded;
    };
    std::chrono::steady_clock::time_point profiles_checked_{};
    std::optional<SampleSettings> settings_;
    std::chrono::steady_clock::time_point settings_loaded_{};
    std::unordered_map<std::int64_t, CachedTrader> traders_;
};

inline constexpr std::chrono::seconds kDecideCacheTtl{1};

boost::json::object ToJson(const SampleSettings& s);
boost::json::object ToJson(const ProfilesView& v);

}  // namespace customsdesk::selectivity

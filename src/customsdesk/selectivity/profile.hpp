// Risk profiles compiled for fast evaluation, and the lane decision with its explanation.
//
// A risk profile is a DMN decision table kept as a rule set whose key starts with
// `kProfileKeyPrefix` ("risk-profile-..."), so it is versioned and passes the four-eyes lifecycle
// of ruleset::RulesetService; only ACTIVE versions take part in selectivity.
//
// Profile contract (checked by `ProfileSet::Compile`; a profile that breaks it is left out and
// reported in `ProfileSet::rejected()`):
//  - every decision of the model whose logic is a decision table is one table of the profile;
//  - each input expression is the plain name of a subject attribute (`Attributes()`, e.g.
//    `itemOrigin`, `totalValue`, `aeo`); a table that names any item attribute is evaluated once
//    per item, otherwise once per declaration;
//  - the output named `lane` (or the only output) holds, in every rule, a string literal among
//    "red", "yellow", "blue", "green".
//
// Evaluation (`ProfileSet::Evaluate`): every table is matched; with hit policy UNIQUE or FIRST the
// deciding rule counts, with every other policy (ANY, PRIORITY, RULE ORDER, OUTPUT ORDER, COLLECT)
// every matching rule counts (the strictest lane wins anyway). Each counted rule is a `Hit`. The strictest lane over all
// hits wins (red > yellow > blue > green; no hit = green). Then the random sample (sampler.hpp) may
// raise the lane to red or yellow; the explanation then says "random sample".
//
// Speed: tables are compiled once (interval indexes of rules::CompiledTable); a subject is turned
// into one array of FEEL values and each table is matched through slot pointers, without FEEL
// interpretation unless a column needs it (then the interpreter gives the same semantics).
// Thread-safety: a ProfileSet is immutable after Compile; Evaluate may run concurrently.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "customsdesk/core/error.hpp"
#include "customsdesk/rules/model.hpp"
#include "customsdesk/selectivity/sampler.hpp"
#include "customsdesk/selectivity/subject.hpp"

namespace customsdesk::selectivity {

inline constexpr std::string_view kProfileKeyPrefix = "risk-profile-";
[[nodiscard]] bool IsProfileKey(std::string_view ruleset_key);

// The attributes a profile may test, in FEEL terms.
struct AttributeInfo {
    std::string_view name;         // input expression text, e.g. "itemOrigin"
    std::string_view type;         // FEEL type: "string", "number", "boolean"
    bool item = false;             // per item (true) or per declaration/trader
    std::string_view description;
};
std::span<const AttributeInfo> Attributes();

// One rule that fired.
struct Hit {
    std::string profile_key;
    std::int64_t profile_version = 0;
    std::string decision;               // DMN decision name
    std::size_t rule_number = 0;        // 1-based, in table order (as DMN modelers number rules)
    std::string rule_id;                // the rule's id attribute
    std::string annotation;             // the rule's description, else its annotation entries
    Lane lane = Lane::kGreen;
    std::optional<std::size_t> item;    // 0-based item index for item-level tables
    // Inputs the rule actually tests (entries other than "-"): attribute name and value as text.
    std::vector<std::pair<std::string, std::string>> matched_inputs;
    bool decisive = false;              // its lane is the decision's lane (and not from the sample)
};

enum class DecisionSource : std::uint8_t { kRules, kRandomSample, kNoHit };
std::string_view DecisionSourceName(DecisionSource s);  // "rules", "random_sample", "no_hit"

struct Decision {
    Lane lane = Lane::kGreen;       // the final lane
    Lane rule_lane = Lane::kGreen;  // the lane from the profiles alone
    DecisionSource source = DecisionSource::kNoHit;
    SampleDraw sample;              // the draw (always made, so it can be audited)
    std::vector<Hit> hits;
    std::vector<std::string> errors;  // evaluation problems (FEEL errors in a fallback evaluation)

    // {"lane","ruleLane","source","sample":{...},"hits":[...],"errors":[...]} (see docs/selectivity.md).
    [[nodiscard]] std::string ExplanationJson() const;
};

// A profile version as stored: the rule set key, version number, row id and DMN text.
struct ProfileSource {
    std::string key;
    std::int64_t version = 0;
    std::int64_t version_id = 0;
    std::string name;
    std::string dmn;
};

struct RejectedProfile {
    std::string key;
    std::int64_t version = 0;
    std::string reason;
};

struct ProfileSummary {
    std::string key;
    std::int64_t version = 0;
    std::string name;
    std::vector<std::string> decisions;
    bool item_level = false;  // any table evaluated per item
    std::size_t rules = 0;
};

class ProfileSet {
public:
    ProfileSet();
    ~ProfileSet();
    ProfileSet(ProfileSet&&) noexcept;
    ProfileSet& operator=(ProfileSet&&) noexcept;

    // Compiles every source; broken ones are rejected (see the header comment), never fatal.
    static ProfileSet Compile(const std::vector<ProfileSource>& sources);
    // Checks one DMN document against the profile contract (used before activation and by tests).
    static core::Result<void> Check(std::string_view dmn);

    [[nodiscard]] Decision Evaluate(const Subject& subject, const SampleRates& rates) const;

    [[nodiscard]] std::vector<ProfileSummary> Summaries() const;
    [[nodiscard]] const std::vector<RejectedProfile>& rejected() const { return rejected_; }
    // Row ids of the compiled versions, sorted: identifies the set for cache checks.
    [[nodiscard]] const std::vector<std::int64_t>& version_ids() const { return version_ids_; }

    struct Table;

private:
    std::vector<std::unique_ptr<Table>> tables_;
    std::vector<ProfileSummary> summaries_;
    std::vector<RejectedProfile> rejected_;
    std::vector<std::int64_t> version_ids_;
    std::vector<std::shared_ptr<const rules::Model>> models_;  // keep the compiled models alive
};

}  // namespace customsdesk::selectivity

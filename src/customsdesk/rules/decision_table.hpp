// Decision tables: compilation and evaluation, with explanations.
//
// `CompiledTable::Compile` parses every cell once and builds, per input column whose entries are
// constant tests over one ordered type (number, string, date, durations, boolean), an interval
// index: the sorted distinct endpoints split the line into regions, and each region stores the
// bitset of rules whose entry accepts it. Matching a row of inputs is then one binary search and one
// bitset AND per column, followed by the hit policy. Columns that cannot be indexed (entries that
// refer to variables, functions, `?`...) fall back to per-rule interpretation, and so do input values
// of another type than the index (type mismatches) and nulls (precomputed).
//
// `MatchSlots` is the allocation-free hot path: it takes input values by slot (one per distinct
// simple input name, see `slot_names()`) and returns the matched rules and the deciding rule; it
// does not allocate when every input expression is a plain name and every column is indexed.
// `Evaluate` produces the FEEL result (value, list or context per hit policy) and an optional
// `Explanation`; `EvaluateInterpreted` does the same without any index (the reference semantics,
// used by the property test). A compiled table is immutable: evaluation is thread-safe.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "customsdesk/core/error.hpp"
#include "customsdesk/rules/dmn_model.hpp"
#include "customsdesk/rules/dmn_xml.hpp"
#include "customsdesk/rules/feel_ast.hpp"
#include "customsdesk/rules/feel_eval.hpp"

namespace customsdesk::rules {

constexpr size_t kRuleWords = (kMaxRules + 63) / 64;
// Upper bound on one column index (regions x 64-bit words); bigger columns are interpreted.
constexpr size_t kMaxIndexWords = 1u << 22;

struct RuleSet {
    std::array<uint64_t, kRuleWords> words;
    size_t nwords = 0;
    [[nodiscard]] bool Test(size_t i) const { return (words[i / 64] >> (i % 64)) & 1u; }
    void Clear(size_t i) { words[i / 64] &= ~(uint64_t{1} << (i % 64)); }
    [[nodiscard]] size_t Count() const;
    [[nodiscard]] int First() const;  // -1 when empty
};

// Why a table produced its result: for audit trails and the UI.
struct Explanation {
    std::string table_id;
    HitPolicy hit_policy = HitPolicy::kUnique;
    Aggregation aggregation = Aggregation::kNone;
    std::vector<Value> inputs;              // evaluated input expressions, per column
    std::vector<size_t> matched_rules;      // rule indices (0-based, rule order)
    std::vector<std::string> matched_rule_ids;
    std::vector<size_t> decisive_rules;     // rules whose outputs make the result
    std::vector<std::vector<std::string>> annotations;  // annotation entries of the decisive rules
    bool used_default = false;
    std::string reason;                     // one sentence naming the hit policy's decision
    std::vector<std::string> errors;
};

enum class MatchStatus : uint8_t { kOk, kNoMatch, kHitPolicyViolation, kNeedsFullEvaluation };

struct SlotMatch {
    RuleSet matched;
    int decided_rule = -1;              // single-hit policies: the rule whose outputs apply
    MatchStatus status = MatchStatus::kOk;
    const Value* constant_output = nullptr;  // first output of the decided rule, when constant
};

class CompiledTable {
public:
    // `result_name` names a single output when the output clause has no name (the decision name).
    static core::Result<CompiledTable> Compile(const DecisionTable& table, const NameSet& names,
                                               std::string result_name);

    [[nodiscard]] const std::vector<std::string>& slot_names() const { return slot_names_; }
    [[nodiscard]] size_t rule_count() const { return rule_count_; }
    [[nodiscard]] const DecisionTable& source() const { return source_; }
    // Number of columns served by an interval index (for diagnostics and tests).
    [[nodiscard]] size_t indexed_columns() const;

    // Hot path; see the header comment. `slots` follows slot_names(). Single-hit policies only
    // decide a rule here; for others `decided_rule` is -1 and `matched` holds every hit.
    void MatchSlots(std::span<const Value> slots, SlotMatch& out) const;
    // Same, with the slot values given by pointer (values kept elsewhere, e.g. in shared pools).
    void MatchSlotPointers(std::span<const Value* const> slots, SlotMatch& out) const;

    // Full evaluation against a scope (input expressions evaluated in it).
    Value Evaluate(const Scope& scope, EvalContext& ctx, Explanation* explain = nullptr) const;
    // Same, from slot values.
    Value EvaluateSlots(std::span<const Value> slots, EvalContext& ctx, Explanation* explain = nullptr) const;
    // Reference semantics without indexes.
    Value EvaluateInterpreted(const Scope& scope, EvalContext& ctx, Explanation* explain = nullptr) const;

    struct Column;
    struct OutputCell {
        NodePtr expr;
        std::optional<Value> constant;
    };
    struct OutputColumn {
        std::string name;
        NodePtr default_expr;
        std::vector<NodePtr> priorities;  // outputValues tests, highest priority first
        std::optional<Value> default_constant;
    };

private:
    CompiledTable() = default;
    void MatchColumns(std::span<const Value* const> inputs, const Scope* scope, EvalContext* ctx, bool use_index,
                      RuleSet& bits) const;
    Value Decide(const RuleSet& bits, std::span<const Value> inputs, const Scope& scope, EvalContext& ctx,
                 Explanation* explain) const;
    Value EvaluateCommon(const Scope& scope, EvalContext& ctx, Explanation* explain, bool use_index) const;
    size_t Priority(size_t output, const Value& v, const Scope& scope, EvalContext& ctx) const;

    DecisionTable source_;
    std::string result_name_;
    size_t rule_count_ = 0;
    size_t nwords_ = 0;
    std::vector<std::string> slot_names_;
    std::vector<std::shared_ptr<Column>> columns_;
    std::vector<OutputColumn> outputs_;
    std::vector<std::vector<OutputCell>> cells_;  // [rule][output]
};

}  // namespace customsdesk::rules

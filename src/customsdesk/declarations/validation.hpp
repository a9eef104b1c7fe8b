// Validation of a declaration (issue 7, item 3): structure is checked by the reader
// (mapping.hpp); this adds code lists (ISO 3166 countries, ISO 4217 currencies, Combined
// Nomenclature 2026, UN/LOCODE), EORI checks (core/identifiers), arithmetic (items against
// totals, net <= gross), the H7 value limit, cross-field rules, and the business rules of a
// decision table (data/rules/declaration-rules.dmn, managed as the rule set "declaration-rules").
//
// Every violation has a code and a JSON pointer; messages are put in the caller's language later
// (mapping.hpp Localize). Pure: the exchange rate and the decision table are passed in.
// Thread-safety: BusinessRules is safe to share between threads (its only mutable state is the
// result memo, behind a lock).
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "customsdesk/core/error.hpp"
#include "customsdesk/declarations/declaration.hpp"
#include "customsdesk/declarations/mapping.hpp"
#include "customsdesk/rules/model.hpp"

namespace customsdesk::declarations {

// H7: the intrinsic value of a low-value consignment is at most this many euro.
inline constexpr std::int64_t kH7LimitEur = 150;

// The compiled business rules: decisions "Declaration Violations" (once per declaration) and
// "Item Violations" (once per goods item), both COLLECT tables whose rows are contexts
// {code, field, message_en, message_fi, message_sv}. `field` is a JSON pointer for the header
// decision and a member name relative to the item for the item decision.
class BusinessRules {
public:
    BusinessRules(std::shared_ptr<const rules::Model> model, std::string source)
        : model_(std::move(model)), source_(std::move(source)) {}
    // The shipped data/rules/declaration-rules.dmn (compiled once, embedded in the binary).
    static std::shared_ptr<const BusinessRules> Shipped();
    static std::string_view ShippedDmn();

    // The decisions' results are remembered by their inputs (the engine reads no clock, so a
    // decision is a function of its inputs and the immutable model): declarations with the same
    // type, countries, transport and procedures - nearly all of a trader's - evaluate once.
    void Apply(const Declaration& d, std::vector<Violation>& out) const;
    // "shipped" or "ruleset declaration-rules v3".
    [[nodiscard]] const std::string& source() const { return source_; }
    [[nodiscard]] const std::shared_ptr<const rules::Model>& model() const { return model_; }

private:
    // The violations (pointers relative to the decision's subject) of `decision` for `inputs`,
    // evaluated or remembered under `key` (a text made of the inputs).
    std::shared_ptr<const std::vector<Violation>> Evaluate(std::string_view decision, const std::string& key,
                                                           const std::function<rules::Context()>& inputs) const;

    std::shared_ptr<const rules::Model> model_;
    std::string source_;
    mutable std::shared_mutex memo_mu_;
    mutable std::unordered_map<std::string, std::shared_ptr<const std::vector<Violation>>> memo_;
};

// Converts an amount in `currency` to euro on the declaration's date; nullopt when there is no
// rate. Supplied by taxation when it is wired in; without one only EUR amounts can be checked.
using ToEur = std::function<std::optional<Decimal>(std::string_view currency, const Decimal& amount)>;

struct ValidationContext {
    const BusinessRules* rules = nullptr;  // nullptr: no business rules
    ToEur to_eur;                          // empty: only EUR
};

// All violations of `d` (empty = valid). Assumes `d` came out of ReadDeclaration without
// violations (structure is not re-checked).
std::vector<Violation> Validate(const Declaration& d, const ValidationContext& ctx);

}  // namespace customsdesk::declarations

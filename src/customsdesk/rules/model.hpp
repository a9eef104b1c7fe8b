// A compiled DMN model: every FEEL text parsed once, every decision table compiled, ready to
// evaluate decisions against input values.
//
// `Model::Compile` takes imported `Definitions` and fails with a positioned error on any FEEL
// syntax error. `Evaluate` computes one decision (and, transitively, the decisions it requires),
// with DMN type checks on results (a value that does not conform to the decision's type becomes
// null with an error). Business knowledge models and decision services are callable functions.
// Explanations of every decision table evaluated are appended to `explanations` when given.
// A Model is immutable after compilation; evaluations are independent and thread-safe (each
// uses its own EvalContext).
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "customsdesk/core/error.hpp"
#include "customsdesk/rules/decision_table.hpp"
#include "customsdesk/rules/dmn_model.hpp"
#include "customsdesk/rules/feel_eval.hpp"

namespace customsdesk::rules {

struct DecisionExplanation {
    std::string decision;
    Explanation table;
};

struct CompiledExpression;

class Model {
public:
    static core::Result<Model> Compile(Definitions defs);

    [[nodiscard]] const Definitions& definitions() const { return *defs_; }
    [[nodiscard]] const NameSet& names() const { return *names_; }

    // Evaluates the decision (or decision service, or BKM without parameters) called `name`.
    // `inputs` maps input data names (and, optionally, decision names to override) to values.
    [[nodiscard]] core::Result<Value> Evaluate(std::string_view name, const Context& inputs, EvalContext& ctx,
                                               std::vector<DecisionExplanation>* explanations = nullptr) const;

    // The compiled table of a decision whose logic is a decision table; nullptr otherwise.
    [[nodiscard]] const CompiledTable* DecisionTableOf(std::string_view decision) const;

    // Checks `v` against a DMN typeRef ("number", "tPerson", "feel:string", ...): nullopt = unknown type.
    [[nodiscard]] std::optional<bool> Conforms(const Value& v, std::string_view type_ref) const;

    // Resolver for item definitions, to pass to EvalContext (for `instance of` on model types).
    [[nodiscard]] const TypeResolver* type_resolver() const;

    struct State;

private:
    std::shared_ptr<const Definitions> defs_;
    std::shared_ptr<NameSet> names_;
    std::shared_ptr<State> state_;
};

}  // namespace customsdesk::rules

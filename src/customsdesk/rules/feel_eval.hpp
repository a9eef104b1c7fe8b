// FEEL evaluation: walks a parsed `Node` tree against a `Scope` of named values and returns a
// `Value`. FEEL semantics: errors do not throw, they yield null and are recorded in the
// `EvalContext` (messages for explanations and the TCK runner). Unary tests (decision-table input
// entries) are matched with `MatchUnaryTests` using `?` for the input value.
//
// Bounds: every evaluation is limited by `EvalLimits` (recursion depth, evaluation steps, size of
// built collections and strings); when a limit is hit the evaluation stops, returns null and the
// context reports `limit_hit()`. Thread-safety: an EvalContext and its Scopes belong to one
// evaluation on one thread; trees and Values may be shared.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "customsdesk/rules/feel_ast.hpp"
#include "customsdesk/rules/value.hpp"

namespace customsdesk::rules {

struct EvalLimits {
    int max_depth = 160;                   // nested evaluation (incl. function calls)
    int64_t max_steps = 20'000'000;        // node visits per evaluation context
    size_t max_collection = 1'000'000;     // elements in one list / for loop
    size_t max_string_bytes = 16u << 20;   // bytes in one string
};

// Variables visible to an expression. A scope looks in its own entries, then in `parent`, then in
// `fallback` (the caller's scope, used so that functions defined in a context can call themselves).
class Scope {
public:
    explicit Scope(const Scope* parent = nullptr, const Scope* fallback = nullptr)
        : parent_(parent), fallback_(fallback) {}
    void Set(std::string name, Value v);
    [[nodiscard]] const Value* Find(std::string_view name) const;
    // Copies every visible binding into one parentless scope (closure capture).
    [[nodiscard]] std::shared_ptr<Scope> Flatten() const;
    [[nodiscard]] const std::vector<std::pair<std::string, Value>>& own() const { return vars_; }

private:
    const Scope* parent_;
    const Scope* fallback_;
    std::vector<std::pair<std::string, Value>> vars_;
};

// Resolves named types (item definitions) for `instance of` and DMN typeRef checks.
class TypeResolver {
public:
    virtual ~TypeResolver() = default;
    // nullopt when the type name is unknown to this resolver.
    [[nodiscard]] virtual std::optional<bool> IsInstance(const Value& v, std::string_view type) const = 0;
};

class EvalContext {
public:
    explicit EvalContext(EvalLimits limits = {}, const TypeResolver* types = nullptr)
        : limits_(limits), types_(types) {}
    void Error(std::string message);
    [[nodiscard]] const std::vector<std::string>& errors() const { return errors_; }
    [[nodiscard]] bool limit_hit() const { return limit_hit_; }
    [[nodiscard]] const EvalLimits& limits() const { return limits_; }
    [[nodiscard]] const TypeResolver* types() const { return types_; }
    // Counts one step; false once a limit is exceeded (and stays false).
    bool Step();
    bool Steps(int64_t n);  // charges n steps at once (bulk copies)
    bool Enter();  // depth + 1; false past the limit
    void Leave() { --depth_; }
    void LimitHit(std::string what);
    size_t ErrorMark() const { return errors_.size(); }
    void RewindErrors(size_t mark) { errors_.resize(mark); }

private:
    EvalLimits limits_;
    const TypeResolver* types_;
    std::vector<std::string> errors_;
    int64_t steps_ = 0;
    int depth_ = 0;
    bool limit_hit_ = false;
};

struct FunctionImpl {
    NodePtr body;
    std::shared_ptr<Scope> closure;
};

Value Evaluate(const Node& node, const Scope& scope, EvalContext& ctx);
// Matches a unary-tests tree (from ParseUnaryTests) against `input`: true, false, or nullopt (null).
std::optional<bool> MatchUnaryTests(const Node& tests, const Value& input, const Scope& scope, EvalContext& ctx);
// FEEL `input in test-value`: range containment, list membership, or equality.
std::optional<bool> InTest(const Value& input, const Value& test);
// Calls a function value with positional (names empty) or named arguments.
Value Invoke(const Function& fn, std::span<const Value> args, std::span<const std::string> names, const Scope& caller,
             EvalContext& ctx);
// Built-in type test for `instance of`: "number", "list<string>", "Any", ...; nullopt if unknown.
std::optional<bool> BuiltinInstanceOf(const Value& v, std::string_view type, const TypeResolver* types);
// Arithmetic shared with built-ins: `+ - * / **` on any FEEL operands; null when undefined.
Value Arithmetic(std::string_view op, const Value& a, const Value& b, EvalContext& ctx);

// Built-in functions (builtins.cpp). nullptr when `name` is not a built-in.
FunctionPtr FindBuiltin(std::string_view name);

}  // namespace customsdesk::rules

// The DMN model as plain data: definitions, item definitions, input data, decisions, business
// knowledge models, decision services and their boxed expressions (decision tables, literal
// expressions, contexts, invocations, function definitions, lists, relations, conditionals,
// iterators, filters). FEEL text is kept as text here; `ModelEvaluator` compiles it.
//
// Produced by `ImportDmn` (dmn_xml.hpp), consumed by `ExportDmn` and the evaluators. Plain values:
// copyable, no shared state, thread-compatible.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace customsdesk::rules {

// Hit policies (DMN 1.5 table 8.?): single-hit U, A, P, F; multiple-hit R, O, C with aggregations.
enum class HitPolicy : uint8_t { kUnique, kAny, kPriority, kFirst, kRuleOrder, kOutputOrder, kCollect };
enum class Aggregation : uint8_t { kNone, kSum, kCount, kMin, kMax };

struct ItemDefinition {
    std::string name;
    std::string type_ref;          // empty for structured types
    bool is_collection = false;
    std::string allowed_values;    // unary tests text, empty when unconstrained
    std::string type_constraint;   // DMN 1.5 typeConstraint text
    std::vector<ItemDefinition> components;
    bool is_function = false;
};

struct Expression;
using ExpressionPtr = std::shared_ptr<Expression>;

struct InputClause {
    std::string id;
    std::string label;
    std::string expression;   // inputExpression/text
    std::string type_ref;     // inputExpression@typeRef
    std::string input_values; // inputValues/text
};

struct OutputClause {
    std::string id;
    std::string name;
    std::string label;
    std::string type_ref;
    std::string output_values;   // outputValues/text (priority order)
    std::string default_output;  // defaultOutputEntry/text, empty when absent
    bool has_default = false;
};

struct RuleAnnotationClause {
    std::string name;
};

struct Rule {
    std::string id;
    std::vector<std::string> input_entries;
    std::vector<std::string> output_entries;
    std::vector<std::string> annotations;
    std::string description;
};

struct DecisionTable {
    std::string id;
    HitPolicy hit_policy = HitPolicy::kUnique;
    Aggregation aggregation = Aggregation::kNone;
    std::string output_label;
    std::vector<InputClause> inputs;
    std::vector<OutputClause> outputs;
    std::vector<RuleAnnotationClause> annotation_columns;
    std::vector<Rule> rules;
};

struct ContextEntry {
    std::string name;  // empty for the final (result) entry
    std::string type_ref;
    ExpressionPtr value;
};

struct Binding {
    std::string name;
    ExpressionPtr value;  // null when bound to null
};

enum class ExpressionKind : uint8_t {
    kLiteral,
    kDecisionTable,
    kContext,
    kInvocation,
    kFunctionDefinition,
    kList,
    kRelation,
    kConditional,
    kFilter,
    kFor,
    kSome,
    kEvery,
};

struct Expression {
    ExpressionKind kind = ExpressionKind::kLiteral;
    std::string id;
    std::string type_ref;
    std::string text;                      // kLiteral
    DecisionTable table;                   // kDecisionTable
    std::vector<ContextEntry> entries;     // kContext
    std::string callee;                    // kInvocation: literal text naming the function
    std::vector<Binding> bindings;         // kInvocation
    std::vector<std::string> parameters;   // kFunctionDefinition
    std::string function_kind;             // kFunctionDefinition: FEEL, Java, PMML
    std::vector<ExpressionPtr> items;      // kList; kFunctionDefinition body = items[0];
                                           // kConditional if/then/else; kFilter in/match;
                                           // kFor/kSome/kEvery in/return
    std::vector<std::string> columns;      // kRelation
    std::vector<std::vector<ExpressionPtr>> rows;  // kRelation
    std::string iterator_variable;         // kFor/kSome/kEvery
};

struct InputData {
    std::string id;
    std::string name;
    std::string type_ref;
};

struct Requirement {
    enum class Kind : uint8_t { kDecision, kInput, kKnowledge };
    Kind kind = Kind::kInput;
    std::string href;  // "#id" within this model
};

struct Decision {
    std::string id;
    std::string name;
    std::string type_ref;
    std::vector<Requirement> requirements;
    ExpressionPtr expression;  // null when the decision has no logic
};

struct BusinessKnowledgeModel {
    std::string id;
    std::string name;
    std::string type_ref;
    std::vector<Requirement> requirements;
    std::vector<std::string> parameters;
    ExpressionPtr body;  // the encapsulated logic's body
};

struct DecisionService {
    std::string id;
    std::string name;
    std::vector<std::string> output_decisions;    // hrefs
    std::vector<std::string> encapsulated;        // hrefs
    std::vector<std::string> input_decisions;     // hrefs
    std::vector<std::string> input_data;          // hrefs
};

struct Definitions {
    std::string id;
    std::string name;
    std::string ns;                // definitions@namespace
    std::string dmn_namespace;     // the DMN model namespace used by the file
    std::vector<ItemDefinition> item_definitions;
    std::vector<InputData> inputs;
    std::vector<Decision> decisions;
    std::vector<BusinessKnowledgeModel> bkms;
    std::vector<DecisionService> services;
};

const char* HitPolicyName(HitPolicy p);        // "UNIQUE", "RULE ORDER", ...
const char* AggregationName(Aggregation a);    // "SUM", ... ("" for none)

}  // namespace customsdesk::rules

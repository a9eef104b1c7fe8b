// FEEL syntax tree and parser: turns FEEL expression text and unary-test text into a tree of
// `Node`s carrying line/column positions.
//
// Names with spaces ("date and time", "Approval Status") are resolved while parsing against a set
// of known names (`NameSet`): at a name position the longest known name matching the source text
// wins, otherwise a single word is taken. The parser is bounded: inputs longer than
// `kMaxExpressionBytes` or nested deeper than `kMaxParseDepth` are rejected with an error, never
// a crash. Trees are immutable after parsing and shared (`NodePtr`), so function values may keep
// their bodies alive. Thread-safety: parsing is reentrant; trees may be read from many threads.
#pragma once

#include <cstddef>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "customsdesk/core/error.hpp"
#include "customsdesk/rules/value.hpp"

namespace customsdesk::rules {

constexpr size_t kMaxExpressionBytes = 256 * 1024;
constexpr int kMaxParseDepth = 200;

enum class NodeKind : uint8_t {
    kLiteral,      // value
    kName,         // name
    kQuestion,     // `?`, the input value inside a unary test
    kList,         // kids
    kContext,      // names[i] : kids[i]
    kRange,        // kids[0]..kids[1], low_closed/high_closed
    kUnaryCmp,     // op kids[0]: a positive unary test `< x`, `= x`, `!= x` ...
    kNegate,       // -kids[0]
    kArith,        // kids[0] op kids[1], op in + - * / **
    kAnd,          // kids[0] and kids[1]
    kOr,           // kids[0] or kids[1]
    kCompare,      // kids[0] op kids[1], op in = != < <= > >=
    kBetween,      // kids[0] between kids[1] and kids[2]
    kIn,           // kids[0] in kids[1] (kids[1] is a test or a kTestList)
    kInstanceOf,   // kids[0] instance of `name` (a type)
    kIf,           // if kids[0] then kids[1] else kids[2]
    kFor,          // for names[i] in kids[i] (kids[i] may be kRangeIter) return kids.back()
    kSome,         // some names[i] in kids[i] satisfies kids.back()
    kEvery,        // every ...
    kRangeIter,    // kids[0]..kids[1] inside for: an integer sequence
    kPath,         // kids[0].name
    kFilter,       // kids[0][kids[1]]
    kCall,         // kids[0](kids[1..]), names = argument names when named
    kFunctionDef,  // function(names) kids[0]; `external` when op == "external"
    kTestList,     // positive unary tests, any matches
    kNotTests,     // not(kids[0] as kTestList)
    kDash,         // `-`: any input matches
};

struct Node;
using NodePtr = std::shared_ptr<const Node>;

struct Node {
    NodeKind kind = NodeKind::kLiteral;
    std::string op;    // operator, or type text for instance of
    std::string name;  // kName / kPath member
    Value value;       // kLiteral
    std::vector<NodePtr> kids;
    std::vector<std::string> names;
    bool low_closed = true;
    bool high_closed = true;
    int line = 1;
    int column = 1;
};

// Names that may contain spaces or operator characters, known in the scope of an expression.
class NameSet {
public:
    NameSet();  // seeded with the multi-word built-in function names
    void Add(std::string_view name);
    [[nodiscard]] const std::set<std::string, std::less<>>& names() const { return names_; }

private:
    std::set<std::string, std::less<>> names_;
};

// Parses a FEEL expression. Errors carry "line L, column C" in the message.
core::Result<NodePtr> ParseExpression(std::string_view text, const NameSet& names);
// Parses FEEL unary tests (a decision-table input entry): `-`, `not(...)`, or positive tests.
core::Result<NodePtr> ParseUnaryTests(std::string_view text, const NameSet& names);

}  // namespace customsdesk::rules

// FEEL values: the typed data every FEEL expression and decision table produces and consumes.
//
// A `Value` is one of: null, boolean, number (exact `Decimal`), string, date, time, date and time,
// days-and-time duration, years-and-months duration, list, context, range (including the unary-test
// forms `< x`, `= x`, `!= x`), function. Scalars are held inline; lists, contexts, ranges and
// functions are immutable and shared (`shared_ptr<const ...>`), so copying a Value never deep-copies.
// Time zone ids are interned strings that live for the whole process (`InternZone`).
// Thread-safety: Values are immutable once built and may be shared across threads.
#pragma once

#include <compare>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "customsdesk/rules/decimal.hpp"

namespace customsdesk::rules {

struct Date {
    int64_t days = 0;  // days since 1970-01-01, proleptic Gregorian
    friend bool operator==(const Date&, const Date&) = default;
};

// Zone information shared by time and date and time: none (local), a fixed UTC offset, or a zone id.
struct Zone {
    bool has_offset = false;
    int32_t offset_seconds = 0;          // valid when has_offset
    const std::string* zone = nullptr;  // IANA id, interned; when set, has_offset is false
    friend bool operator==(const Zone&, const Zone&) = default;
};

struct Time {
    int64_t nanos = 0;  // since local midnight, [0, 86400e9)
    Zone zone;
    friend bool operator==(const Time&, const Time&) = default;
};

struct DateTime {
    int64_t local_seconds = 0;  // seconds since 1970-01-01T00:00:00 local wall time
    int32_t nanos = 0;          // [0, 1e9)
    Zone zone;
    friend bool operator==(const DateTime&, const DateTime&) = default;
};

struct DtDuration {
    Int128 nanos = 0;
    friend bool operator==(const DtDuration&, const DtDuration&) = default;
};

struct YmDuration {
    int64_t months = 0;
    friend bool operator==(const YmDuration&, const YmDuration&) = default;
};

enum class ValueKind : uint8_t {
    kNull,
    kBoolean,
    kNumber,
    kString,
    kDate,
    kTime,
    kDateTime,
    kDtDuration,
    kYmDuration,
    kList,
    kContext,
    kRange,
    kFunction,
};

class Value;
struct Context;
struct Range;
struct Function;
using List = std::vector<Value>;
using ListPtr = std::shared_ptr<const List>;
using ContextPtr = std::shared_ptr<const Context>;
using RangePtr = std::shared_ptr<const Range>;
using FunctionPtr = std::shared_ptr<const Function>;

class Value {
public:
    Value() = default;
    explicit Value(bool b) : v_(b) {}
    explicit Value(Decimal d) : v_(d) {}
    explicit Value(std::string s) : v_(std::move(s)) {}
    explicit Value(Date d) : v_(d) {}
    explicit Value(Time t) : v_(t) {}
    explicit Value(DateTime t) : v_(t) {}
    explicit Value(DtDuration d) : v_(d) {}
    explicit Value(YmDuration d) : v_(d) {}
    explicit Value(ListPtr l) : v_(std::move(l)) {}
    explicit Value(ContextPtr c) : v_(std::move(c)) {}
    explicit Value(RangePtr r) : v_(std::move(r)) {}
    explicit Value(FunctionPtr f) : v_(std::move(f)) {}
    static Value Number(int64_t v) { return Value(Decimal::FromInt(v)); }
    static Value Str(std::string_view s) { return Value(std::string(s)); }
    static Value MakeList(List items) { return Value(std::make_shared<const List>(std::move(items))); }
    static Value FromOptional(const std::optional<Decimal>& d) { return d ? Value(*d) : Value(); }

    [[nodiscard]] ValueKind kind() const { return static_cast<ValueKind>(v_.index()); }
    [[nodiscard]] bool IsNull() const { return v_.index() == 0; }
    [[nodiscard]] bool Is(ValueKind k) const { return kind() == k; }

    [[nodiscard]] bool AsBool() const { return std::get<bool>(v_); }
    [[nodiscard]] const Decimal& AsNumber() const { return std::get<Decimal>(v_); }
    [[nodiscard]] const std::string& AsString() const { return std::get<std::string>(v_); }
    [[nodiscard]] const Date& AsDate() const { return std::get<Date>(v_); }
    [[nodiscard]] const Time& AsTime() const { return std::get<Time>(v_); }
    [[nodiscard]] const DateTime& AsDateTime() const { return std::get<DateTime>(v_); }
    [[nodiscard]] const DtDuration& AsDtDuration() const { return std::get<DtDuration>(v_); }
    [[nodiscard]] const YmDuration& AsYmDuration() const { return std::get<YmDuration>(v_); }
    [[nodiscard]] const List& AsList() const { return *std::get<ListPtr>(v_); }
    [[nodiscard]] const ListPtr& AsListPtr() const { return std::get<ListPtr>(v_); }
    [[nodiscard]] const Context& AsContext() const { return *std::get<ContextPtr>(v_); }
    [[nodiscard]] const Range& AsRange() const { return *std::get<RangePtr>(v_); }
    [[nodiscard]] const FunctionPtr& AsFunction() const { return std::get<FunctionPtr>(v_); }

private:
    std::variant<std::monostate, bool, Decimal, std::string, Date, Time, DateTime, DtDuration, YmDuration, ListPtr,
                 ContextPtr, RangePtr, FunctionPtr>
        v_;
};

struct Context {
    std::vector<std::pair<std::string, Value>> entries;  // insertion order, unique keys
    [[nodiscard]] const Value* Find(std::string_view key) const {
        for (const auto& [k, v] : entries)
            if (k == key) return &v;
        return nullptr;
    }
    void Put(std::string key, Value v) {
        for (auto& [k, old] : entries)
            if (k == key) {
                old = std::move(v);
                return;
            }
        entries.emplace_back(std::move(key), std::move(v));
    }
};

// Ranges: `kInterval` is `[a..b]` with open/closed ends (a null end is unbounded); the other forms
// are the unary-test values `< x`, `<= x`, `> x`, `>= x`, `= x`, `!= x` (endpoint in `low` for
// =/!=/>/>=, in `high` for </<=). Forms are kept apart because FEEL equality distinguishes them.
enum class RangeForm : uint8_t { kInterval, kLess, kLessEq, kGreater, kGreaterEq, kEqual, kNotEqual };

struct Range {
    RangeForm form = RangeForm::kInterval;
    Value low;
    Value high;
    bool low_closed = true;
    bool high_closed = true;
};

class EvalContext;
struct FunctionImpl;  // user-defined body, owned by the evaluator

// A callable FEEL value. Exactly one of `builtin`, `native` or `user` is set.
struct Function {
    using BuiltinFn = Value (*)(std::span<const Value> args, EvalContext& ctx);
    using NativeFn = std::function<Value(std::span<const Value> args, EvalContext& ctx)>;
    std::string name;
    std::vector<std::string> params;  // parameter names (for named invocation)
    int min_args = 0;                 // builtins: required positional parameters
    bool variadic = false;            // builtins: last parameter repeats
    BuiltinFn builtin = nullptr;
    NativeFn native;
    std::shared_ptr<const FunctionImpl> user;
};

// Interns an IANA zone id; the pointer stays valid for the process lifetime.
const std::string* InternZone(std::string_view zone_id);

// FEEL `=`: true/false, or nullopt (null) when the operands are not comparable.
std::optional<bool> FeelEquals(const Value& a, const Value& b);
// FEEL ordering for <, <=, >, >=: nullopt when not comparable (different types, null, lists...).
std::optional<std::partial_ordering> FeelCompare(const Value& a, const Value& b);
// Structural identity used by tests and round-trip checks (null == null; numbers numerically).
bool SameValue(const Value& a, const Value& b);

// FEEL `string(x)` text: numbers plain, dates ISO, durations ISO 8601, strings unquoted at top level.
std::string ToFeelString(const Value& v);
// A debugging/explanation rendering in FEEL syntax: strings quoted, lists `[a, b]`, contexts `{k: v}`.
std::string ToFeelLiteral(const Value& v);
// Name of the FEEL type: "number", "string", "date and time", "days and time duration", ...
std::string_view KindName(ValueKind kind);

}  // namespace customsdesk::rules

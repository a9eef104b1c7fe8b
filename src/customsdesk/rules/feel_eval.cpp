#include "customsdesk/rules/feel_eval.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>

#include "customsdesk/rules/temporal.hpp"

namespace customsdesk::rules {
namespace {

constexpr Int128 kNanosPerDay = Int128(kSecondsPerDay) * kNanosPerSecond;

struct DepthScope {
    explicit DepthScope(EvalContext& c) : ctx(c), ok(c.Enter()) {}
    ~DepthScope() { ctx.Leave(); }
    DepthScope(const DepthScope&) = delete;
    DepthScope& operator=(const DepthScope&) = delete;
    EvalContext& ctx;
    bool ok;
};

Value Bool(std::optional<bool> b) { return b ? Value(*b) : Value(); }

int64_t FloorDiv(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0)) ? 1 : 0); }

DateTime DateToDateTime(const Date& d) { return DateTime{d.days * kSecondsPerDay, 0, {}}; }

DateTime AddNanos(const DateTime& t, Int128 nanos) {
    Int128 total = LocalNanos(t) + nanos;
    Int128 secs = total / kNanosPerSecond, rem = total % kNanosPerSecond;
    if (rem < 0) {
        rem += kNanosPerSecond;
        secs -= 1;
    }
    DateTime r = t;
    r.local_seconds = static_cast<int64_t>(secs);
    r.nanos = static_cast<int32_t>(rem);
    // A zone id keeps the instant: re-derive the wall time when the offset changes across the shift.
    if (t.zone.zone != nullptr) {
        auto before = EffectiveOffset(t.zone, t.local_seconds);
        auto after = EffectiveOffset(r.zone, r.local_seconds);
        if (before && after && *before != *after) r.local_seconds += *after - *before;
    }
    return r;
}

std::optional<int64_t> AddMonthsToDays(int64_t days, int64_t months) {
    int64_t y = 0, m = 0, d = 0;
    CivilFromDays(days, y, m, d);
    int64_t total = y * 12 + (m - 1) + months;
    int64_t ny = FloorDiv(total, 12), nm = total - ny * 12 + 1;
    if (ny < -kMaxYear || ny > kMaxYear) return std::nullopt;
    int64_t nd = std::min(d, DaysInMonth(ny, nm));
    return DaysFromCivil(ny, nm, nd);
}

std::optional<DateTime> AddMonths(const DateTime& t, int64_t months) {
    int64_t days = FloorDiv(t.local_seconds, kSecondsPerDay);
    int64_t secs = t.local_seconds - days * kSecondsPerDay;
    auto nd = AddMonthsToDays(days, months);
    if (!nd) return std::nullopt;
    DateTime r = t;
    r.local_seconds = *nd * kSecondsPerDay + secs;
    return r;
}

Decimal NanosToDecimal(Int128 n) { return *Decimal::Make(n, 0); }

Value TimeAdd(const Time& t, Int128 nanos) {
    Int128 v = (Int128(t.nanos) + nanos) % kNanosPerDay;
    if (v < 0) v += kNanosPerDay;
    Time r = t;
    r.nanos = static_cast<int64_t>(v);
    return Value(r);
}

Value DateTimeDiff(const DateTime& a, const DateTime& b) {
    auto ia = InstantNanos(a), ib = InstantNanos(b);
    if (ia && ib) return Value(DtDuration{*ia - *ib});
    if (!ia && !ib) return Value(DtDuration{LocalNanos(a) - LocalNanos(b)});
    return {};
}

}  // namespace

void Scope::Set(std::string name, Value v) {
    for (auto& [k, old] : vars_)
        if (k == name) {
            old = std::move(v);
            return;
        }
    vars_.emplace_back(std::move(name), std::move(v));
}

const Value* Scope::Find(std::string_view name) const {
    for (const Scope* s = this; s != nullptr; s = s->parent_) {
        for (auto it = s->vars_.rbegin(); it != s->vars_.rend(); ++it)
            if (it->first == name) return &it->second;
    }
    for (const Scope* s = this; s != nullptr; s = s->parent_)
        if (s->fallback_ != nullptr) return s->fallback_->Find(name);
    return nullptr;
}

std::shared_ptr<Scope> Scope::Flatten() const {
    auto out = std::make_shared<Scope>();
    std::vector<const Scope*> chain;
    for (const Scope* s = this; s != nullptr; s = s->parent_) chain.push_back(s);
    for (auto it = chain.rbegin(); it != chain.rend(); ++it)
        for (const auto& [k, v] : (*it)->vars_) out->Set(k, v);
    return out;
}

void EvalContext::Error(std::string message) {
    if (errors_.size() < 64) errors_.push_back(std::move(message));
}

bool EvalContext::Step() {
    if (limit_hit_) return false;
    if (++steps_ > limits_.max_steps) {
        LimitHit("evaluation step limit (" + std::to_string(limits_.max_steps) + ") exceeded");
        return false;
    }
    return true;
}

bool EvalContext::Steps(int64_t n) {
    if (limit_hit_) return false;
    steps_ += n;
    return Step();
}

bool EvalContext::Enter() {
    ++depth_;
    if (limit_hit_) return false;
    if (depth_ > limits_.max_depth) {
        LimitHit("evaluation nested deeper than " + std::to_string(limits_.max_depth));
        return false;
    }
    return true;
}

void EvalContext::LimitHit(std::string what) {
    if (!limit_hit_) Error(std::move(what));
    limit_hit_ = true;
}

std::optional<bool> InTest(const Value& input, const Value& test) {
    if (test.Is(ValueKind::kRange)) {
        const Range& r = test.AsRange();
        auto cmp = [&](const Value& bound) { return FeelCompare(input, bound); };
        switch (r.form) {
            case RangeForm::kEqual:
                return FeelEquals(input, r.low);
            case RangeForm::kNotEqual: {
                auto e = FeelEquals(input, r.low);
                if (!e) return std::nullopt;
                return !*e;
            }
            case RangeForm::kLess: {
                auto c = cmp(r.high);
                if (!c) return std::nullopt;
                return *c < 0;
            }
            case RangeForm::kLessEq: {
                auto c = cmp(r.high);
                if (!c) return std::nullopt;
                return *c <= 0;
            }
            case RangeForm::kGreater: {
                auto c = cmp(r.low);
                if (!c) return std::nullopt;
                return *c > 0;
            }
            case RangeForm::kGreaterEq: {
                auto c = cmp(r.low);
                if (!c) return std::nullopt;
                return *c >= 0;
            }
            case RangeForm::kInterval: {
                // A null endpoint makes the range unknown (DMN 1.5: the result is null).
                if (input.IsNull() || r.low.IsNull() || r.high.IsNull()) return std::nullopt;
                auto lo = cmp(r.low), hi = cmp(r.high);
                if (!lo || !hi) return std::nullopt;
                return (r.low_closed ? *lo >= 0 : *lo > 0) && (r.high_closed ? *hi <= 0 : *hi < 0);
            }
        }
    }
    if (test.Is(ValueKind::kList)) {
        if (input.Is(ValueKind::kList)) {
            auto e = FeelEquals(input, test);
            if (e && *e) return true;
        }
        bool unknown = false;
        for (const auto& item : test.AsList()) {
            std::optional<bool> m =
                item.Is(ValueKind::kRange) ? InTest(input, item) : FeelEquals(input, item);
            if (m && *m) return true;
            if (!m) unknown = true;
        }
        (void)unknown;
        return false;
    }
    return FeelEquals(input, test);
}

namespace {

std::optional<bool> MatchPositive(const Node& t, const Value& input, const Scope& scope, EvalContext& ctx) {
    if (t.kind == NodeKind::kUnaryCmp) {
        Value rhs = Evaluate(*t.kids[0], scope, ctx);
        if (t.op == "=") return FeelEquals(input, rhs);
        if (t.op == "!=") {
            auto e = FeelEquals(input, rhs);
            if (!e) return std::nullopt;
            return !*e;
        }
        auto c = FeelCompare(input, rhs);
        if (!c) return std::nullopt;
        if (t.op == "<") return *c < 0;
        if (t.op == "<=") return *c <= 0;
        if (t.op == ">") return *c > 0;
        return *c >= 0;
    }
    if (t.kind == NodeKind::kTestList) {
        bool unknown = false;
        for (const auto& k : t.kids) {
            auto m = MatchPositive(*k, input, scope, ctx);
            if (m && *m) return true;
            if (!m) unknown = true;
        }
        if (unknown) return std::nullopt;
        return false;
    }
    Scope s(&scope);
    s.Set("?", input);
    Value v = Evaluate(t, s, ctx);
    if (v.Is(ValueKind::kBoolean) && !input.Is(ValueKind::kBoolean)) return v.AsBool();
    return InTest(input, v);
}

}  // namespace

std::optional<bool> MatchUnaryTests(const Node& tests, const Value& input, const Scope& scope, EvalContext& ctx) {
    switch (tests.kind) {
        case NodeKind::kDash:
            return true;
        case NodeKind::kNotTests: {
            auto m = MatchUnaryTests(*tests.kids[0], input, scope, ctx);
            if (!m) return std::nullopt;
            return !*m;
        }
        case NodeKind::kTestList: {
            bool unknown = false;
            for (const auto& k : tests.kids) {
                auto m = MatchPositive(*k, input, scope, ctx);
                if (m && *m) return true;
                if (!m) unknown = true;
            }
            if (unknown) return std::nullopt;
            return false;
        }
        default:
            return MatchPositive(tests, input, scope, ctx);
    }
}

Value Arithmetic(std::string_view op, const Value& a, const Value& b, EvalContext& ctx) {
    const ValueKind ka = a.kind(), kb = b.kind();
    auto fail = [&]() {
        ctx.Error("cannot apply '" + std::string(op) + "' to " + std::string(KindName(ka)) + " and " +
                  std::string(KindName(kb)));
        return Value();
    };
    if (a.IsNull() || b.IsNull()) return fail();
    if (ka == ValueKind::kNumber && kb == ValueKind::kNumber) {
        const Decimal &x = a.AsNumber(), &y = b.AsNumber();
        std::optional<Decimal> r;
        if (op == "+") r = Decimal::Add(x, y);
        if (op == "-") r = Decimal::Sub(x, y);
        if (op == "*") r = Decimal::Mul(x, y);
        if (op == "/") {
            if (y.IsZero()) {
                ctx.Error("division by zero");
                return {};
            }
            r = Decimal::Div(x, y);
        }
        if (op == "**") {
            if (y.IsInteger()) {
                auto n = y.ToInt64();
                if (n) r = Decimal::PowInt(x, *n);
            } else {
                double p = std::pow(x.ToDouble(), y.ToDouble());
                r = Decimal::FromDouble(p);
            }
        }
        if (!r) {
            ctx.Error("arithmetic overflow or undefined result");
            return {};
        }
        return Value(*r);
    }
    if (op == "+") {
        if (ka == ValueKind::kString && kb == ValueKind::kString) {
            if (a.AsString().size() + b.AsString().size() > ctx.limits().max_string_bytes) {
                ctx.LimitHit("string too long");
                return {};
            }
            return Value(a.AsString() + b.AsString());
        }
    }
    if (op == "+" || op == "-") {
        int sign = op == "+" ? 1 : -1;
        // duration +/- duration
        if (ka == ValueKind::kDtDuration && kb == ValueKind::kDtDuration)
            return Value(DtDuration{a.AsDtDuration().nanos + sign * b.AsDtDuration().nanos});
        if (ka == ValueKind::kYmDuration && kb == ValueKind::kYmDuration)
            return Value(YmDuration{a.AsYmDuration().months + sign * b.AsYmDuration().months});
        // temporal +/- duration
        if (kb == ValueKind::kDtDuration || kb == ValueKind::kYmDuration) {
            bool dt = kb == ValueKind::kDtDuration;
            Int128 nanos = dt ? sign * b.AsDtDuration().nanos : 0;
            int64_t months = dt ? 0 : sign * b.AsYmDuration().months;
            if (ka == ValueKind::kDateTime) {
                if (dt) return Value(AddNanos(a.AsDateTime(), nanos));
                auto r = AddMonths(a.AsDateTime(), months);
                return r ? Value(*r) : fail();
            }
            if (ka == ValueKind::kDate) {
                if (dt) {
                    DateTime r = AddNanos(DateToDateTime(a.AsDate()), nanos);
                    return Value(Date{FloorDiv(r.local_seconds, kSecondsPerDay)});
                }
                auto d = AddMonthsToDays(a.AsDate().days, months);
                return d ? Value(Date{*d}) : fail();
            }
            if (ka == ValueKind::kTime && dt) return TimeAdd(a.AsTime(), nanos);
            return fail();
        }
        if (op == "+" && (ka == ValueKind::kDtDuration || ka == ValueKind::kYmDuration) &&
            (kb == ValueKind::kDate || kb == ValueKind::kDateTime || kb == ValueKind::kTime))
            return Arithmetic(op, b, a, ctx);
        if (op == "-") {
            if (ka == ValueKind::kDateTime && kb == ValueKind::kDateTime)
                return DateTimeDiff(a.AsDateTime(), b.AsDateTime());
            if (ka == ValueKind::kDate && kb == ValueKind::kDate)
                return Value(DtDuration{Int128(a.AsDate().days - b.AsDate().days) * kNanosPerDay});
            if (ka == ValueKind::kDate && kb == ValueKind::kDateTime)
                return DateTimeDiff(DateToDateTime(a.AsDate()), b.AsDateTime());
            if (ka == ValueKind::kDateTime && kb == ValueKind::kDate)
                return DateTimeDiff(a.AsDateTime(), DateToDateTime(b.AsDate()));
            if (ka == ValueKind::kTime && kb == ValueKind::kTime) {
                const Time &x = a.AsTime(), &y = b.AsTime();
                auto ox = EffectiveOffset(x.zone, 0), oy = EffectiveOffset(y.zone, 0);
                if (ox.has_value() != oy.has_value()) return fail();
                Int128 nx = x.nanos - Int128(ox.value_or(0)) * kNanosPerSecond;
                Int128 ny = y.nanos - Int128(oy.value_or(0)) * kNanosPerSecond;
                return Value(DtDuration{nx - ny});
            }
        }
        return fail();
    }
    if (op == "*") {
        if (ka == ValueKind::kNumber && (kb == ValueKind::kDtDuration || kb == ValueKind::kYmDuration))
            return Arithmetic(op, b, a, ctx);
        if (kb == ValueKind::kNumber) {
            if (ka == ValueKind::kDtDuration) {
                auto r = Decimal::Mul(NanosToDecimal(a.AsDtDuration().nanos), b.AsNumber());
                if (!r) return fail();
                auto n = r->Round(0, RoundingMode::kHalfEven);
                if (!n || n->exponent() > 20) return fail();
                Int128 c = n->coefficient();
                for (int i = 0; i < n->exponent(); ++i) c *= 10;
                return Value(DtDuration{c});
            }
            if (ka == ValueKind::kYmDuration) {
                auto r = Decimal::Mul(Decimal::FromInt(a.AsYmDuration().months), b.AsNumber());
                if (!r) return fail();
                auto n = r->Round(0, RoundingMode::kDown);
                auto i = n ? n->ToInt64() : std::nullopt;
                if (!i) return fail();
                return Value(YmDuration{*i});
            }
        }
        return fail();
    }
    if (op == "/") {
        if (kb == ValueKind::kNumber && (ka == ValueKind::kDtDuration || ka == ValueKind::kYmDuration)) {
            if (b.AsNumber().IsZero()) {
                ctx.Error("division by zero");
                return {};
            }
            if (ka == ValueKind::kDtDuration) {
                auto r = Decimal::Div(NanosToDecimal(a.AsDtDuration().nanos), b.AsNumber());
                auto n = r ? r->Round(0, RoundingMode::kHalfEven) : std::nullopt;
                if (!n || n->exponent() > 20) return fail();
                Int128 c = n->coefficient();
                for (int i = 0; i < n->exponent(); ++i) c *= 10;
                return Value(DtDuration{c});
            }
            auto r = Decimal::Div(Decimal::FromInt(a.AsYmDuration().months), b.AsNumber());
            auto n = r ? r->Round(0, RoundingMode::kDown) : std::nullopt;
            auto i = n ? n->ToInt64() : std::nullopt;
            if (!i) return fail();
            return Value(YmDuration{*i});
        }
        if (ka == ValueKind::kDtDuration && kb == ValueKind::kDtDuration) {
            if (b.AsDtDuration().nanos == 0) return fail();
            return Value::FromOptional(
                Decimal::Div(NanosToDecimal(a.AsDtDuration().nanos), NanosToDecimal(b.AsDtDuration().nanos)));
        }
        if (ka == ValueKind::kYmDuration && kb == ValueKind::kYmDuration) {
            if (b.AsYmDuration().months == 0) return fail();
            return Value::FromOptional(Decimal::Div(Decimal::FromInt(a.AsYmDuration().months),
                                                    Decimal::FromInt(b.AsYmDuration().months)));
        }
        return fail();
    }
    return fail();
}

std::optional<bool> BuiltinInstanceOf(const Value& v, std::string_view type, const TypeResolver* types) {
    if (type == "Any") return !v.IsNull();
    if (type == "Null") return v.IsNull();
    if (type == "number") return v.Is(ValueKind::kNumber);
    if (type == "string") return v.Is(ValueKind::kString);
    if (type == "boolean") return v.Is(ValueKind::kBoolean);
    if (type == "date") return v.Is(ValueKind::kDate);
    if (type == "time") return v.Is(ValueKind::kTime);
    if (type == "date and time" || type == "dateTime") return v.Is(ValueKind::kDateTime);
    if (type == "days and time duration" || type == "dayTimeDuration") return v.Is(ValueKind::kDtDuration);
    if (type == "years and months duration" || type == "yearMonthDuration") return v.Is(ValueKind::kYmDuration);
    if (type == "list") return v.Is(ValueKind::kList);
    if (type == "context") return v.Is(ValueKind::kContext);
    if (type == "function") return v.Is(ValueKind::kFunction);
    if (type == "range") return v.Is(ValueKind::kRange);
    auto inner_of = [&](std::string_view prefix) -> std::optional<std::string_view> {
        if (!type.starts_with(prefix) || !type.ends_with(">")) return std::nullopt;
        return type.substr(prefix.size(), type.size() - prefix.size() - 1);
    };
    if (auto inner = inner_of("list<")) {
        if (!v.Is(ValueKind::kList)) return false;
        for (const auto& e : v.AsList()) {
            auto m = BuiltinInstanceOf(e, *inner, types);
            if (!m) return std::nullopt;
            if (!*m && !e.IsNull()) return false;
        }
        return true;
    }
    if (auto inner = inner_of("range<")) {
        if (!v.Is(ValueKind::kRange)) return false;
        const Range& r = v.AsRange();
        for (const Value* e : {&r.low, &r.high}) {
            if (e->IsNull()) continue;
            auto m = BuiltinInstanceOf(*e, *inner, types);
            if (!m || !*m) return m;
        }
        return true;
    }
    if (auto inner = inner_of("context<")) {
        if (!v.Is(ValueKind::kContext)) return false;
        // inner: "a: T, b: U" (no nested generics with commas supported beyond one level)
        std::string_view rest = *inner;
        int depth = 0;
        size_t start = 0;
        std::vector<std::string_view> parts;
        for (size_t i = 0; i <= rest.size(); ++i) {
            if (i == rest.size() || (rest[i] == ',' && depth == 0)) {
                parts.push_back(rest.substr(start, i - start));
                start = i + 1;
            } else if (rest[i] == '<') {
                ++depth;
            } else if (rest[i] == '>') {
                --depth;
            }
        }
        for (auto part : parts) {
            size_t colon = part.find(':');
            if (colon == std::string_view::npos) return std::nullopt;
            auto trim = [](std::string_view s) {
                while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
                while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
                return s;
            };
            const Value* e = v.AsContext().Find(trim(part.substr(0, colon)));
            if (e == nullptr) return false;
            auto m = BuiltinInstanceOf(*e, trim(part.substr(colon + 1)), types);
            if (!m || !*m) return m;
        }
        return true;
    }
    if (type.starts_with("function<")) return v.Is(ValueKind::kFunction);
    if (types != nullptr) return types->IsInstance(v, type);
    return std::nullopt;
}

Value Invoke(const Function& fn, std::span<const Value> args, std::span<const std::string> names, const Scope& caller,
             EvalContext& ctx) {
    DepthScope depth(ctx);
    if (!depth.ok) return {};
    std::vector<Value> positional;
    std::span<const Value> use = args;
    if (!names.empty()) {
        if (fn.variadic) {
            ctx.Error("named arguments are not supported by " + fn.name);
            return {};
        }
        positional.assign(fn.params.size(), Value());
        std::vector<bool> given(fn.params.size(), false);
        size_t max_given = 0;
        for (size_t i = 0; i < names.size(); ++i) {
            auto it = std::find(fn.params.begin(), fn.params.end(), names[i]);
            if (it == fn.params.end()) {
                ctx.Error("unknown parameter '" + names[i] + "' of " + fn.name);
                return {};
            }
            size_t idx = static_cast<size_t>(it - fn.params.begin());
            positional[idx] = args[i];
            given[idx] = true;
            max_given = std::max(max_given, idx + 1);
        }
        if (fn.builtin != nullptr) {
            for (size_t i = 0; i < static_cast<size_t>(fn.min_args); ++i)
                if (!given[i]) {
                    ctx.Error("missing parameter '" + fn.params[i] + "' of " + fn.name);
                    return {};
                }
            positional.resize(std::max(max_given, static_cast<size_t>(fn.min_args)));
        }
        use = positional;
    }
    if (fn.builtin != nullptr) {
        if (use.size() < static_cast<size_t>(fn.min_args) || (!fn.variadic && use.size() > fn.params.size())) {
            ctx.Error("wrong number of arguments to " + fn.name);
            return {};
        }
        return fn.builtin(use, ctx);
    }
    if (fn.native) return fn.native(use, ctx);
    if (fn.user) {
        if (use.size() > fn.params.size()) {
            ctx.Error("too many arguments to " + (fn.name.empty() ? std::string("function") : fn.name));
            return {};
        }
        Scope s(fn.user->closure.get(), &caller);
        for (size_t i = 0; i < fn.params.size(); ++i) s.Set(fn.params[i], i < use.size() ? use[i] : Value());
        return Evaluate(*fn.user->body, s, ctx);
    }
    return {};
}

namespace {

Value PathOf(const Value& base, const std::string& name, EvalContext& ctx) {
    switch (base.kind()) {
        case ValueKind::kNull:
            return {};
        case ValueKind::kContext: {
            const Value* v = base.AsContext().Find(name);
            return v != nullptr ? *v : Value();
        }
        case ValueKind::kList: {
            List out;
            for (const auto& e : base.AsList()) out.push_back(PathOf(e, name, ctx));
            return Value::MakeList(std::move(out));
        }
        case ValueKind::kDate:
        case ValueKind::kDateTime: {
            int64_t days = 0, secs = 0;
            Zone zone;
            int32_t nanos = 0;
            if (base.Is(ValueKind::kDate)) {
                days = base.AsDate().days;
            } else {
                const DateTime& t = base.AsDateTime();
                days = t.local_seconds >= 0 ? t.local_seconds / kSecondsPerDay
                                            : -((-t.local_seconds + kSecondsPerDay - 1) / kSecondsPerDay);
                secs = t.local_seconds - days * kSecondsPerDay;
                zone = t.zone;
                nanos = t.nanos;
            }
            int64_t y = 0, m = 0, d = 0;
            CivilFromDays(days, y, m, d);
            if (name == "year") return Value::Number(y);
            if (name == "month") return Value::Number(m);
            if (name == "day") return Value::Number(d);
            if (name == "weekday") {
                int64_t wd = ((days % 7) + 7 + 3) % 7 + 1;  // 1970-01-01 was a Thursday (4)
                return Value::Number(wd);
            }
            if (base.Is(ValueKind::kDate)) break;
            if (name == "hour") return Value::Number(secs / 3600);
            if (name == "minute") return Value::Number(secs / 60 % 60);
            if (name == "second") return Value::FromOptional(Decimal::Make(Int128(secs % 60) * kNanosPerSecond + nanos, -9));
            if (name == "time offset") {
                auto off = EffectiveOffset(zone, base.AsDateTime().local_seconds);
                if (!off) return {};
                return Value(DtDuration{Int128(*off) * kNanosPerSecond});
            }
            if (name == "timezone") return zone.zone != nullptr ? Value(*zone.zone) : Value();
            break;
        }
        case ValueKind::kTime: {
            const Time& t = base.AsTime();
            int64_t secs = t.nanos / kNanosPerSecond;
            if (name == "hour") return Value::Number(secs / 3600);
            if (name == "minute") return Value::Number(secs / 60 % 60);
            if (name == "second") return Value::FromOptional(Decimal::Make(t.nanos % (60 * kNanosPerSecond), -9));
            if (name == "time offset") {
                auto off = EffectiveOffset(t.zone, 0);
                if (!off) return {};
                return Value(DtDuration{Int128(*off) * kNanosPerSecond});
            }
            if (name == "timezone") return t.zone.zone != nullptr ? Value(*t.zone.zone) : Value();
            break;
        }
        case ValueKind::kDtDuration: {
            Int128 n = base.AsDtDuration().nanos;
            Int128 secs = n / kNanosPerSecond;
            if (name == "days") return Value::Number(static_cast<int64_t>(secs / kSecondsPerDay));
            if (name == "hours") return Value::Number(static_cast<int64_t>(secs / 3600 % 24));
            if (name == "minutes") return Value::Number(static_cast<int64_t>(secs / 60 % 60));
            if (name == "seconds") return Value::FromOptional(Decimal::Make(n % (60 * Int128(kNanosPerSecond)), -9));
            break;
        }
        case ValueKind::kYmDuration: {
            int64_t m = base.AsYmDuration().months;
            if (name == "years") return Value::Number(m / 12);
            if (name == "months") return Value::Number(m % 12);
            break;
        }
        case ValueKind::kRange: {
            const Range& r = base.AsRange();
            bool interval = r.form == RangeForm::kInterval;
            Value start = (r.form == RangeForm::kLess || r.form == RangeForm::kLessEq) ? Value() : r.low;
            Value end = (r.form == RangeForm::kGreater || r.form == RangeForm::kGreaterEq) ? Value()
                        : (r.form == RangeForm::kEqual)                                     ? r.low
                                                                                            : r.high;
            if (name == "start") return start;
            if (name == "end") return end;
            if (name == "start included")
                return Value(interval ? r.low_closed
                                      : (r.form == RangeForm::kGreaterEq || r.form == RangeForm::kEqual));
            if (name == "end included")
                return Value(interval ? r.high_closed : (r.form == RangeForm::kLessEq || r.form == RangeForm::kEqual));
            break;
        }
        default:
            break;
    }
    ctx.Error("no property '" + name + "' on a " + std::string(KindName(base.kind())));
    return {};
}

bool UsesName(const Node& n, std::string_view name) {
    if (n.kind == NodeKind::kName && n.name == name) return true;
    for (const auto& k : n.kids)
        if (UsesName(*k, name)) return true;
    return false;
}

Value MakeRangeValue(RangeForm form, Value low, Value high, bool lc, bool hc) {
    auto r = std::make_shared<Range>();
    r->form = form;
    r->low = std::move(low);
    r->high = std::move(high);
    r->low_closed = lc;
    r->high_closed = hc;
    return Value(RangePtr(std::move(r)));
}

bool RangeEndpointsOk(const Value& a, const Value& b) {
    if (a.IsNull() || b.IsNull()) return true;
    if (a.kind() != b.kind()) return false;
    auto c = FeelCompare(a, b);
    return c.has_value();
}

// Iterates the cartesian product of for/some/every domains; `body` returns false to stop early.
template <typename Body>
bool Iterate(const Node& n, size_t level, Scope& scope, EvalContext& ctx, const Body& body) {
    if (level == n.names.size()) return body(scope);
    const Node& dom = *n.kids[level];
    if (dom.kind == NodeKind::kRangeIter) {
        Value a = Evaluate(*dom.kids[0], scope, ctx), b = Evaluate(*dom.kids[1], scope, ctx);
        if (!a.Is(ValueKind::kNumber) || !b.Is(ValueKind::kNumber)) {
            ctx.Error("for range bounds must be numbers");
            return false;
        }
        auto x = a.AsNumber().ToInt64(), y = b.AsNumber().ToInt64();
        if (!x || !y) {
            ctx.Error("for range bounds must be integers");
            return false;
        }
        int64_t step = *x <= *y ? 1 : -1;
        if (static_cast<uint64_t>(std::abs(*y - *x)) >= ctx.limits().max_collection) {
            ctx.LimitHit("for range too large");
            return false;
        }
        for (int64_t i = *x;; i += step) {
            Scope s(&scope);
            s.Set(n.names[level], Value::Number(i));
            if (!Iterate(n, level + 1, s, ctx, body)) return false;
            if (i == *y) break;
        }
        return true;
    }
    Value d = Evaluate(dom, scope, ctx);
    List single;
    const List* items = nullptr;
    if (d.Is(ValueKind::kList)) {
        items = &d.AsList();
    } else if (d.Is(ValueKind::kRange) && d.AsRange().form == RangeForm::kInterval &&
               d.AsRange().low.Is(ValueKind::kNumber) && d.AsRange().high.Is(ValueKind::kNumber)) {
        const Range& r = d.AsRange();
        auto x = r.low.AsNumber().ToInt64(), y = r.high.AsNumber().ToInt64();
        if (!x || !y) return false;
        int64_t lo = *x + (r.low_closed ? 0 : 1), hi = *y - (r.high_closed ? 0 : 1);
        if (hi - lo >= static_cast<int64_t>(ctx.limits().max_collection)) {
            ctx.LimitHit("for range too large");
            return false;
        }
        for (int64_t i = lo; i <= hi; ++i) single.push_back(Value::Number(i));
        items = &single;
    } else if (d.IsNull()) {
        ctx.Error("iteration over null");
        return false;
    } else {
        single.push_back(d);
        items = &single;
    }
    for (const auto& item : *items) {
        Scope s(&scope);
        s.Set(n.names[level], item);
        if (!Iterate(n, level + 1, s, ctx, body)) return false;
    }
    return true;
}

}  // namespace

Value Evaluate(const Node& n, const Scope& scope, EvalContext& ctx) {
    if (!ctx.Step()) return {};
    DepthScope depth(ctx);
    if (!depth.ok) return {};
    switch (n.kind) {
        case NodeKind::kLiteral:
            if (!n.op.empty()) ctx.Error(n.op);  // an invalid literal kept for a runtime error
            return n.value;
        case NodeKind::kName: {
            if (const Value* v = scope.Find(n.name)) return *v;
            if (auto f = FindBuiltin(n.name)) return Value(f);
            ctx.Error("unknown name '" + n.name + "' at line " + std::to_string(n.line) + ", column " +
                      std::to_string(n.column));
            return {};
        }
        case NodeKind::kQuestion: {
            if (const Value* v = scope.Find("?")) return *v;
            ctx.Error("'?' used outside a unary test");
            return {};
        }
        case NodeKind::kList: {
            if (n.kids.size() > ctx.limits().max_collection) {
                ctx.LimitHit("list too large");
                return {};
            }
            List out;
            out.reserve(n.kids.size());
            for (const auto& k : n.kids) out.push_back(Evaluate(*k, scope, ctx));
            return Value::MakeList(std::move(out));
        }
        case NodeKind::kContext: {
            auto c = std::make_shared<Context>();
            Scope s(&scope);
            for (size_t i = 0; i < n.kids.size(); ++i) {
                Value v = Evaluate(*n.kids[i], s, ctx);
                s.Set(n.names[i], v);
                c->Put(n.names[i], std::move(v));
            }
            return Value(ContextPtr(std::move(c)));
        }
        case NodeKind::kRange: {
            Value lo = Evaluate(*n.kids[0], scope, ctx), hi = Evaluate(*n.kids[1], scope, ctx);
            if (!RangeEndpointsOk(lo, hi)) {
                ctx.Error("range endpoints of different types");
                return {};
            }
            return MakeRangeValue(RangeForm::kInterval, lo, hi, n.low_closed, n.high_closed);
        }
        case NodeKind::kUnaryCmp: {
            Value e = Evaluate(*n.kids[0], scope, ctx);
            if (n.op == "<") return MakeRangeValue(RangeForm::kLess, {}, e, false, false);
            if (n.op == "<=") return MakeRangeValue(RangeForm::kLessEq, {}, e, false, true);
            if (n.op == ">") return MakeRangeValue(RangeForm::kGreater, e, {}, false, false);
            if (n.op == ">=") return MakeRangeValue(RangeForm::kGreaterEq, e, {}, true, false);
            if (n.op == "=") return MakeRangeValue(RangeForm::kEqual, e, {}, true, true);
            return MakeRangeValue(RangeForm::kNotEqual, e, {}, false, false);
        }
        case NodeKind::kNegate: {
            Value v = Evaluate(*n.kids[0], scope, ctx);
            if (v.Is(ValueKind::kNumber)) return Value(v.AsNumber().Negate());
            if (v.Is(ValueKind::kDtDuration)) return Value(DtDuration{-v.AsDtDuration().nanos});
            if (v.Is(ValueKind::kYmDuration)) return Value(YmDuration{-v.AsYmDuration().months});
            ctx.Error("cannot negate a " + std::string(KindName(v.kind())));
            return {};
        }
        case NodeKind::kArith: {
            Value a = Evaluate(*n.kids[0], scope, ctx), b = Evaluate(*n.kids[1], scope, ctx);
            return Arithmetic(n.op, a, b, ctx);
        }
        case NodeKind::kAnd:
        case NodeKind::kOr: {
            bool is_and = n.kind == NodeKind::kAnd;
            Value a = Evaluate(*n.kids[0], scope, ctx);
            if (a.Is(ValueKind::kBoolean) && a.AsBool() != is_and) return Value(!is_and);
            Value b = Evaluate(*n.kids[1], scope, ctx);
            if (b.Is(ValueKind::kBoolean) && b.AsBool() != is_and) return Value(!is_and);
            if (a.Is(ValueKind::kBoolean) && b.Is(ValueKind::kBoolean)) return Value(is_and);
            return {};
        }
        case NodeKind::kCompare: {
            Value a = Evaluate(*n.kids[0], scope, ctx), b = Evaluate(*n.kids[1], scope, ctx);
            if (n.op == "=" || n.op == "!=") {
                auto e = FeelEquals(a, b);
                if (!e) {
                    ctx.Error("cannot compare " + std::string(KindName(a.kind())) + " with " +
                              std::string(KindName(b.kind())));
                    return {};
                }
                return Value(n.op == "=" ? *e : !*e);
            }
            auto c = FeelCompare(a, b);
            if (!c) {
                ctx.Error("cannot order " + std::string(KindName(a.kind())) + " and " + std::string(KindName(b.kind())));
                return {};
            }
            if (n.op == "<") return Value(*c < 0);
            if (n.op == "<=") return Value(*c <= 0);
            if (n.op == ">") return Value(*c > 0);
            return Value(*c >= 0);
        }
        case NodeKind::kBetween: {
            Value v = Evaluate(*n.kids[0], scope, ctx), lo = Evaluate(*n.kids[1], scope, ctx),
                  hi = Evaluate(*n.kids[2], scope, ctx);
            auto c1 = FeelCompare(v, lo), c2 = FeelCompare(v, hi);
            if (!c1 || !c2) return {};
            return Value(*c1 >= 0 && *c2 <= 0);
        }
        case NodeKind::kIn: {
            Value v = Evaluate(*n.kids[0], scope, ctx);
            return Bool(MatchUnaryTests(*n.kids[1], v, scope, ctx));
        }
        case NodeKind::kInstanceOf: {
            Value v = Evaluate(*n.kids[0], scope, ctx);
            auto m = BuiltinInstanceOf(v, n.op, ctx.types());
            if (!m) {
                ctx.Error("unknown type '" + n.op + "'");
                return {};
            }
            return Value(*m);
        }
        case NodeKind::kIf: {
            Value c = Evaluate(*n.kids[0], scope, ctx);
            if (c.Is(ValueKind::kBoolean) && c.AsBool()) return Evaluate(*n.kids[1], scope, ctx);
            return Evaluate(*n.kids[2], scope, ctx);
        }
        case NodeKind::kFor: {
            auto results = std::make_shared<List>();
            // `partial` (the results so far) is bound only when the body uses it: it costs a copy.
            const bool uses_partial = UsesName(*n.kids.back(), "partial");
            Scope outer(&scope);
            bool ok = Iterate(n, 0, outer, ctx, [&](Scope& s) {
                if (results->size() >= ctx.limits().max_collection) {
                    ctx.LimitHit("for result too large");
                    return false;
                }
                Scope inner(&s);
                if (uses_partial) {
                    if (!ctx.Steps(static_cast<int64_t>(results->size()))) return false;
                    inner.Set("partial", Value(ListPtr(std::make_shared<const List>(*results))));
                }
                results->push_back(Evaluate(*n.kids.back(), inner, ctx));
                return !ctx.limit_hit();
            });
            if (!ok && ctx.limit_hit()) return {};
            return Value(ListPtr(std::move(results)));
        }
        case NodeKind::kSome:
        case NodeKind::kEvery: {
            bool some = n.kind == NodeKind::kSome;
            bool found = !some;
            Scope outer(&scope);
            Iterate(n, 0, outer, ctx, [&](Scope& s) {
                Value r = Evaluate(*n.kids.back(), s, ctx);
                bool t = r.Is(ValueKind::kBoolean) && r.AsBool();
                if (some && t) {
                    found = true;
                    return false;
                }
                if (!some && !t) {
                    found = false;
                    return false;
                }
                return !ctx.limit_hit();
            });
            return Value(found);
        }
        case NodeKind::kRangeIter:
            ctx.Error("'..' outside a for expression");
            return {};
        case NodeKind::kPath: {
            Value base = Evaluate(*n.kids[0], scope, ctx);
            return PathOf(base, n.name, ctx);
        }
        case NodeKind::kFilter: {
            Value base = Evaluate(*n.kids[0], scope, ctx);
            if (base.IsNull()) return {};
            List single;
            const List* items = nullptr;
            if (base.Is(ValueKind::kList)) {
                items = &base.AsList();
            } else {
                single.push_back(base);
                items = &single;
            }
            const Node& f = *n.kids[1];
            // A numeric filter is an index; anything else is a boolean per item.
            size_t mark = ctx.ErrorMark();
            Value probe;
            {
                Scope s(&scope);
                s.Set("item", Value());
                probe = Evaluate(f, s, ctx);
            }
            if (probe.Is(ValueKind::kNumber)) {
                auto idx = probe.AsNumber().ToInt64();
                int64_t size = static_cast<int64_t>(items->size());
                if (!idx || *idx == 0 || *idx > size || *idx < -size) return {};
                return (*items)[static_cast<size_t>(*idx > 0 ? *idx - 1 : size + *idx)];
            }
            ctx.RewindErrors(mark);
            List out;
            for (const auto& item : *items) {
                Scope s(&scope);
                if (item.Is(ValueKind::kContext))
                    for (const auto& [k, v] : item.AsContext().entries) s.Set(k, v);
                s.Set("item", item);
                Value keep = Evaluate(f, s, ctx);
                if (keep.Is(ValueKind::kBoolean) && keep.AsBool()) out.push_back(item);
                if (ctx.limit_hit()) return {};
            }
            return Value::MakeList(std::move(out));
        }
        case NodeKind::kCall: {
            Value callee = Evaluate(*n.kids[0], scope, ctx);
            if (!callee.Is(ValueKind::kFunction)) {
                ctx.Error("not a function at line " + std::to_string(n.line) + ", column " + std::to_string(n.column));
                return {};
            }
            std::vector<Value> args;
            args.reserve(n.kids.size() - 1);
            for (size_t i = 1; i < n.kids.size(); ++i) args.push_back(Evaluate(*n.kids[i], scope, ctx));
            return Invoke(*callee.AsFunction(), args, n.names, scope, ctx);
        }
        case NodeKind::kFunctionDef: {
            if (n.op == "external") {
                ctx.Error("external functions are not supported");
                return {};
            }
            auto fn = std::make_shared<Function>();
            fn->params = n.names;
            auto impl = std::make_shared<FunctionImpl>();
            impl->body = n.kids[0];
            impl->closure = scope.Flatten();
            fn->user = std::move(impl);
            return Value(FunctionPtr(std::move(fn)));
        }
        case NodeKind::kTestList:
        case NodeKind::kNotTests:
        case NodeKind::kDash:
            ctx.Error("unary tests used as a value");
            return {};
    }
    return {};
}

}  // namespace customsdesk::rules

#include "customsdesk/rules/value.hpp"

#include "customsdesk/rules/temporal.hpp"

namespace customsdesk::rules {
namespace {

// FEEL compares times and dates and times at millisecond precision (the DMN TCK expects
// time("10:30:00.0001") = time("10:30:00.0002")); values keep their full nanosecond precision.
constexpr int64_t kCompareUnitNanos = 1'000'000;

Int128 Truncate(Int128 nanos) {
    Int128 q = nanos / kCompareUnitNanos;
    if (nanos % kCompareUnitNanos < 0) --q;
    return q;
}

// Time of day as comparable nanos: UTC-normalised when zoned, local otherwise.
std::optional<Int128> TimeKey(const Time& t, bool& zoned) {
    zoned = t.zone.has_offset || t.zone.zone != nullptr;
    if (!zoned) return Int128(t.nanos);
    auto off = EffectiveOffset(t.zone, t.nanos / kNanosPerSecond);
    if (!off) return std::nullopt;
    Int128 day = Int128(kSecondsPerDay) * kNanosPerSecond;
    Int128 v = (Int128(t.nanos) - Int128(*off) * kNanosPerSecond) % day;
    if (v < 0) v += day;
    return v;
}

std::optional<std::partial_ordering> CompareTimes(const Time& a, const Time& b) {
    bool za = false, zb = false;
    auto ka = TimeKey(a, za), kb = TimeKey(b, zb);
    if (!ka || !kb || za != zb) return std::nullopt;
    return Truncate(*ka) <=> Truncate(*kb);
}

std::optional<std::partial_ordering> CompareDateTimes(const DateTime& a, const DateTime& b) {
    auto ia = InstantNanos(a), ib = InstantNanos(b);
    if (ia && ib) return Truncate(*ia) <=> Truncate(*ib);
    if (!ia && !ib) return Truncate(LocalNanos(a)) <=> Truncate(LocalNanos(b));
    return std::nullopt;
}

std::string QuoteString(const std::string& s) {
    std::string out = "\"";
    for (char c : s) {
        if (c == '"' || c == '\\') out += '\\';
        if (c == '\n') {
            out += "\\n";
            continue;
        }
        out += c;
    }
    return out + "\"";
}

std::string Render(const Value& v, bool top);

std::string RenderRange(const Range& r) {
    switch (r.form) {
        case RangeForm::kLess:
            return "< " + Render(r.high, false);
        case RangeForm::kLessEq:
            return "<= " + Render(r.high, false);
        case RangeForm::kGreater:
            return "> " + Render(r.low, false);
        case RangeForm::kGreaterEq:
            return ">= " + Render(r.low, false);
        case RangeForm::kEqual:
            return "= " + Render(r.low, false);
        case RangeForm::kNotEqual:
            return "!= " + Render(r.low, false);
        case RangeForm::kInterval:
            break;
    }
    return std::string(r.low_closed ? "[" : "(") + Render(r.low, false) + ".." + Render(r.high, false) +
           (r.high_closed ? "]" : ")");
}

std::string Render(const Value& v, bool top) {
    switch (v.kind()) {
        case ValueKind::kNull:
            return "null";
        case ValueKind::kBoolean:
            return v.AsBool() ? "true" : "false";
        case ValueKind::kNumber:
            return v.AsNumber().ToString();
        case ValueKind::kString:
            return top ? v.AsString() : QuoteString(v.AsString());
        case ValueKind::kDate:
            return FormatDate(v.AsDate());
        case ValueKind::kTime:
            return FormatTime(v.AsTime());
        case ValueKind::kDateTime:
            return FormatDateTime(v.AsDateTime());
        case ValueKind::kDtDuration:
            return FormatDtDuration(v.AsDtDuration());
        case ValueKind::kYmDuration:
            return FormatYmDuration(v.AsYmDuration());
        case ValueKind::kList: {
            std::string out = "[";
            bool first = true;
            for (const auto& e : v.AsList()) {
                if (!first) out += ", ";
                first = false;
                out += Render(e, false);
            }
            return out + "]";
        }
        case ValueKind::kContext: {
            std::string out = "{";
            bool first = true;
            for (const auto& [k, e] : v.AsContext().entries) {
                if (!first) out += ", ";
                first = false;
                out += k + ": " + Render(e, false);
            }
            return out + "}";
        }
        case ValueKind::kRange:
            return RenderRange(v.AsRange());
        case ValueKind::kFunction:
            return "function " + v.AsFunction()->name;
    }
    return "null";
}

}  // namespace

std::string_view KindName(ValueKind kind) {
    switch (kind) {
        case ValueKind::kNull:
            return "Null";
        case ValueKind::kBoolean:
            return "boolean";
        case ValueKind::kNumber:
            return "number";
        case ValueKind::kString:
            return "string";
        case ValueKind::kDate:
            return "date";
        case ValueKind::kTime:
            return "time";
        case ValueKind::kDateTime:
            return "date and time";
        case ValueKind::kDtDuration:
            return "days and time duration";
        case ValueKind::kYmDuration:
            return "years and months duration";
        case ValueKind::kList:
            return "list";
        case ValueKind::kContext:
            return "context";
        case ValueKind::kRange:
            return "range";
        case ValueKind::kFunction:
            return "function";
    }
    return "Any";
}

std::optional<bool> FeelEquals(const Value& a, const Value& b) {
    if (a.IsNull() || b.IsNull()) return a.IsNull() && b.IsNull();
    if (a.kind() != b.kind()) return std::nullopt;
    switch (a.kind()) {
        case ValueKind::kNull:
            return true;
        case ValueKind::kBoolean:
            return a.AsBool() == b.AsBool();
        case ValueKind::kNumber:
            return a.AsNumber() == b.AsNumber();
        case ValueKind::kString:
            return a.AsString() == b.AsString();
        case ValueKind::kDate:
            return a.AsDate() == b.AsDate();
        case ValueKind::kTime: {
            const Time &x = a.AsTime(), &y = b.AsTime();
            if (x.zone.zone != nullptr || y.zone.zone != nullptr) {
                if (x.zone.zone != nullptr && y.zone.zone != nullptr)
                    return x.zone == y.zone && Truncate(x.nanos) == Truncate(y.nanos);
                return false;
            }
            auto c = CompareTimes(x, y);
            if (!c) return false;
            return *c == 0;
        }
        case ValueKind::kDateTime: {
            auto c = CompareDateTimes(a.AsDateTime(), b.AsDateTime());
            if (!c) return false;
            return *c == 0;
        }
        case ValueKind::kDtDuration:
            return a.AsDtDuration() == b.AsDtDuration();
        case ValueKind::kYmDuration:
            return a.AsYmDuration() == b.AsYmDuration();
        case ValueKind::kList: {
            const List &x = a.AsList(), &y = b.AsList();
            if (x.size() != y.size()) return false;
            bool unknown = false;
            for (size_t i = 0; i < x.size(); ++i) {
                auto e = FeelEquals(x[i], y[i]);
                if (!e) {
                    unknown = true;
                } else if (!*e) {
                    return false;
                }
            }
            if (unknown) return std::nullopt;
            return true;
        }
        case ValueKind::kContext: {
            const Context &x = a.AsContext(), &y = b.AsContext();
            if (x.entries.size() != y.entries.size()) return false;
            bool unknown = false;
            for (const auto& [k, v] : x.entries) {
                const Value* o = y.Find(k);
                if (o == nullptr) return false;
                auto e = FeelEquals(v, *o);
                if (!e) {
                    unknown = true;
                } else if (!*e) {
                    return false;
                }
            }
            if (unknown) return std::nullopt;
            return true;
        }
        case ValueKind::kRange: {
            const Range &x = a.AsRange(), &y = b.AsRange();
            if (x.form != y.form || x.low_closed != y.low_closed || x.high_closed != y.high_closed) return false;
            auto l = FeelEquals(x.low, y.low), h = FeelEquals(x.high, y.high);
            if (!l || !h) return std::nullopt;
            return *l && *h;
        }
        case ValueKind::kFunction:
            return a.AsFunction() == b.AsFunction() ||
                   (a.AsFunction()->builtin != nullptr && a.AsFunction()->builtin == b.AsFunction()->builtin);
    }
    return std::nullopt;
}

std::optional<std::partial_ordering> FeelCompare(const Value& a, const Value& b) {
    if (a.IsNull() || b.IsNull() || a.kind() != b.kind()) return std::nullopt;
    switch (a.kind()) {
        case ValueKind::kNumber:
            return a.AsNumber() <=> b.AsNumber();
        case ValueKind::kString:
            return a.AsString() <=> b.AsString();
        case ValueKind::kDate:
            return a.AsDate().days <=> b.AsDate().days;
        case ValueKind::kTime:
            return CompareTimes(a.AsTime(), b.AsTime());
        case ValueKind::kDateTime:
            return CompareDateTimes(a.AsDateTime(), b.AsDateTime());
        case ValueKind::kDtDuration:
            return a.AsDtDuration().nanos <=> b.AsDtDuration().nanos;
        case ValueKind::kYmDuration:
            return a.AsYmDuration().months <=> b.AsYmDuration().months;
        default:
            return std::nullopt;
    }
}

bool SameValue(const Value& a, const Value& b) {
    if (a.IsNull() || b.IsNull()) return a.IsNull() && b.IsNull();
    if (a.kind() == ValueKind::kDateTime && b.kind() == ValueKind::kDateTime) return a.AsDateTime() == b.AsDateTime();
    if (a.kind() == ValueKind::kTime && b.kind() == ValueKind::kTime) return a.AsTime() == b.AsTime();
    if (a.kind() == ValueKind::kList && b.kind() == ValueKind::kList) {
        const List &x = a.AsList(), &y = b.AsList();
        if (x.size() != y.size()) return false;
        for (size_t i = 0; i < x.size(); ++i)
            if (!SameValue(x[i], y[i])) return false;
        return true;
    }
    if (a.kind() == ValueKind::kContext && b.kind() == ValueKind::kContext) {
        const Context &x = a.AsContext(), &y = b.AsContext();
        if (x.entries.size() != y.entries.size()) return false;
        for (const auto& [k, v] : x.entries) {
            const Value* o = y.Find(k);
            if (o == nullptr || !SameValue(v, *o)) return false;
        }
        return true;
    }
    auto e = FeelEquals(a, b);
    return e.value_or(false);
}

std::string ToFeelString(const Value& v) { return Render(v, true); }
std::string ToFeelLiteral(const Value& v) { return Render(v, false); }

}  // namespace customsdesk::rules

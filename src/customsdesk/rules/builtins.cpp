// FEEL built-in functions (DMN 1.5 chapter 10.3.4): conversion, boolean, string, list, numeric,
// context, range-free temporal functions. Each is a plain function over positional arguments; the
// table at the bottom gives names, parameter names (for named invocation) and arity.
// Regular expressions (matches, replace, split) use std::regex (ECMAScript syntax, close to XPath
// for common patterns) and refuse inputs above kMaxRegexInputBytes to bound backtracking time.
#include <algorithm>
#include <cmath>
#include <map>
#include <regex>
#include <string>

#include "customsdesk/core/utf8.hpp"
#include "customsdesk/rules/feel_eval.hpp"
#include "customsdesk/rules/temporal.hpp"

namespace customsdesk::rules {
namespace {

constexpr size_t kMaxRegexInputBytes = 8 * 1024;
constexpr size_t kMaxRegexPatternBytes = 1024;

using Args = std::span<const Value>;

Value Err(EvalContext& ctx, std::string msg) {
    ctx.Error(std::move(msg));
    return {};
}

const Value& Arg(Args a, size_t i) {
    static const Value kNull;
    return i < a.size() ? a[i] : kNull;
}

bool IsNum(const Value& v) { return v.Is(ValueKind::kNumber); }
bool IsStr(const Value& v) { return v.Is(ValueKind::kString); }

std::optional<int64_t> IntArg(const Value& v) {
    if (!IsNum(v)) return std::nullopt;
    return v.AsNumber().ToInt64();
}

// UTF-8 <-> code points (core/utf8.hpp); a malformed byte decodes as U+FFFD.
std::u32string Decode(const std::string& s) {
    std::u32string out;
    for (size_t i = 0; i < s.size();) out.push_back(core::NextCodePoint(s, i).value_or(U'\uFFFD'));
    return out;
}

std::string Encode(const std::u32string& s) {
    std::string out;
    for (char32_t cp : s) core::AppendUtf8(out, cp);
    return out;
}

// Collects list arguments: f(list) or f(a, b, c).
std::optional<List> ListOrVarargs(Args a) {
    if (a.size() == 1 && a[0].Is(ValueKind::kList)) return a[0].AsList();
    if (a.empty()) return std::nullopt;
    if (a.size() == 1 && a[0].IsNull()) return std::nullopt;
    return List(a.begin(), a.end());
}

// ---- conversion ----

Value FnDate(Args a, EvalContext& ctx) {
    if (a.size() == 1) {
        const Value& v = a[0];
        if (IsStr(v)) {
            if (auto d = ParseDate(v.AsString())) return Value(*d);
            return Err(ctx, "date(): invalid date '" + v.AsString() + "'");
        }
        if (v.Is(ValueKind::kDate)) return v;
        if (v.Is(ValueKind::kDateTime)) {
            int64_t s = v.AsDateTime().local_seconds;
            int64_t days = s >= 0 ? s / kSecondsPerDay : -((-s + kSecondsPerDay - 1) / kSecondsPerDay);
            return Value(Date{days});
        }
        return Err(ctx, "date(): bad argument");
    }
    Args c = a.size() == 4 ? a.subspan(1) : a;
    if (c.size() != 3) return Err(ctx, "date(): bad arguments");
    auto y = IntArg(c[0]), m = IntArg(c[1]), d = IntArg(c[2]);
    if (!y || !m || !d || !IsValidCivil(*y, *m, *d)) return Err(ctx, "date(): invalid date");
    return Value(Date{DaysFromCivil(*y, *m, *d)});
}

Value FnTime(Args a, EvalContext& ctx) {
    if (a.size() == 1) {
        const Value& v = a[0];
        if (IsStr(v)) {
            if (auto t = ParseTime(v.AsString())) return Value(*t);
            return Err(ctx, "time(): invalid time '" + v.AsString() + "'");
        }
        if (v.Is(ValueKind::kTime)) return v;
        if (v.Is(ValueKind::kDate)) return Value(Time{0, Zone{true, 0, nullptr}});
        if (v.Is(ValueKind::kDateTime)) {
            const DateTime& t = v.AsDateTime();
            int64_t s = t.local_seconds % kSecondsPerDay;
            if (s < 0) s += kSecondsPerDay;
            return Value(Time{s * kNanosPerSecond + t.nanos, t.zone});
        }
        return Err(ctx, "time(): bad argument");
    }
    Args c = (a.size() >= 4 && a[0].IsNull()) ? a.subspan(1) : a;
    if (c.size() < 3 || c.size() > 4) return Err(ctx, "time(): bad arguments");
    auto h = IntArg(c[0]), m = IntArg(c[1]);
    if (!h || !m || !IsNum(c[2])) return Err(ctx, "time(): bad arguments");
    auto sn = Decimal::Mul(c[2].AsNumber(), Decimal::FromInt(kNanosPerSecond));
    auto sr = sn ? sn->Round(0, RoundingMode::kDown) : std::nullopt;
    auto nanos = sr ? sr->ToInt64() : std::nullopt;
    if (*h < 0 || *h > 23 || *m < 0 || *m > 59 || !nanos || *nanos < 0 || *nanos >= 60 * kNanosPerSecond)
        return Err(ctx, "time(): out of range");
    Time t{(*h * 3600 + *m * 60) * kNanosPerSecond + *nanos, {}};
    if (c.size() == 4 && !c[3].IsNull()) {
        if (!c[3].Is(ValueKind::kDtDuration)) return Err(ctx, "time(): offset must be a duration");
        Int128 off = c[3].AsDtDuration().nanos / kNanosPerSecond;
        if (off > 14 * 3600 || off < -14 * 3600) return Err(ctx, "time(): offset out of range");
        t.zone.has_offset = true;
        t.zone.offset_seconds = static_cast<int32_t>(off);
    }
    return Value(t);
}

Value FnDateTime(Args a, EvalContext& ctx) {
    if (a.size() == 1) {
        const Value& v = a[0];
        if (IsStr(v)) {
            if (auto t = ParseDateTime(v.AsString())) return Value(*t);
            return Err(ctx, "date and time(): invalid value '" + v.AsString() + "'");
        }
        if (v.Is(ValueKind::kDateTime)) return v;
        if (v.Is(ValueKind::kDate)) return Value(DateTime{v.AsDate().days * kSecondsPerDay, 0, {}});
        return Err(ctx, "date and time(): bad argument");
    }
    Args c = a;
    if (a.size() == 3) c = a.subspan(1);  // named (from, date, time)
    if (c.size() != 2) return Err(ctx, "date and time(): bad arguments");
    int64_t days = 0;
    if (c[0].Is(ValueKind::kDate)) {
        days = c[0].AsDate().days;
    } else if (c[0].Is(ValueKind::kDateTime)) {
        int64_t s = c[0].AsDateTime().local_seconds;
        days = s >= 0 ? s / kSecondsPerDay : -((-s + kSecondsPerDay - 1) / kSecondsPerDay);
    } else {
        return Err(ctx, "date and time(): first argument must be a date");
    }
    if (!c[1].Is(ValueKind::kTime)) return Err(ctx, "date and time(): second argument must be a time");
    const Time& t = c[1].AsTime();
    return Value(DateTime{days * kSecondsPerDay + t.nanos / kNanosPerSecond,
                          static_cast<int32_t>(t.nanos % kNanosPerSecond), t.zone});
}

Value FnDuration(Args a, EvalContext& ctx) {
    if (!IsStr(Arg(a, 0))) return Err(ctx, "duration(): argument must be a string");
    Value v = ParseDuration(a[0].AsString());
    if (v.IsNull()) return Err(ctx, "duration(): invalid duration '" + a[0].AsString() + "'");
    return v;
}

Value FnYmDuration(Args a, EvalContext& ctx) {
    auto days_of = [](const Value& v) -> std::optional<std::pair<int64_t, int64_t>> {
        if (v.Is(ValueKind::kDate)) return std::pair{v.AsDate().days, int64_t{0}};
        if (v.Is(ValueKind::kDateTime)) {
            int64_t s = v.AsDateTime().local_seconds;
            int64_t d = s >= 0 ? s / kSecondsPerDay : -((-s + kSecondsPerDay - 1) / kSecondsPerDay);
            return std::pair{d, s - d * kSecondsPerDay};
        }
        return std::nullopt;
    };
    auto f = days_of(Arg(a, 0)), t = days_of(Arg(a, 1));
    if (!f || !t) return Err(ctx, "years and months duration(): arguments must be dates");
    int64_t y1 = 0, m1 = 0, d1 = 0, y2 = 0, m2 = 0, d2 = 0;
    CivilFromDays(f->first, y1, m1, d1);
    CivilFromDays(t->first, y2, m2, d2);
    int64_t months = (y2 - y1) * 12 + (m2 - m1);
    if (months > 0 && (d2 < d1 || (d2 == d1 && t->second < f->second))) --months;
    if (months < 0 && (d2 > d1 || (d2 == d1 && t->second > f->second))) ++months;
    return Value(YmDuration{months});
}

Value FnString(Args a, EvalContext&) {
    if (Arg(a, 0).IsNull()) return {};
    return Value(ToFeelString(a[0]));
}

Value FnNumber(Args a, EvalContext& ctx) {
    if (!IsStr(Arg(a, 0))) return Err(ctx, "number(): argument must be a string");
    std::string s = a[0].AsString();
    const Value& g = Arg(a, 1);
    const Value& d = Arg(a, 2);
    if (!g.IsNull() && !IsStr(g)) return Err(ctx, "number(): bad grouping separator");
    if (!d.IsNull() && !IsStr(d)) return Err(ctx, "number(): bad decimal separator");
    std::string gs = g.IsNull() ? "" : g.AsString(), ds = d.IsNull() ? "" : d.AsString();
    if (!gs.empty() && gs != " " && gs != "," && gs != ".") return Err(ctx, "number(): bad grouping separator");
    if (!ds.empty() && ds != "," && ds != ".") return Err(ctx, "number(): bad decimal separator");
    if (!gs.empty() && gs == ds) return Err(ctx, "number(): separators must differ");
    std::string out;
    for (char c : s) {
        if (!gs.empty() && c == gs[0]) continue;
        if (!ds.empty() && c == ds[0]) {
            out += '.';
            continue;
        }
        out += c;
    }
    auto n = Decimal::Parse(out);
    if (!n) return Err(ctx, "number(): not a number '" + s + "'");
    return Value(*n);
}

// ---- boolean ----

Value FnNot(Args a, EvalContext&) {
    if (!Arg(a, 0).Is(ValueKind::kBoolean)) return {};
    return Value(!a[0].AsBool());
}

Value FnIs(Args a, EvalContext&) {
    const Value &x = Arg(a, 0), &y = Arg(a, 1);
    if (x.kind() != y.kind()) return Value(false);
    if (x.Is(ValueKind::kTime)) return Value(x.AsTime() == y.AsTime());
    if (x.Is(ValueKind::kDateTime)) return Value(x.AsDateTime() == y.AsDateTime());
    return Value(FeelEquals(x, y).value_or(false));
}

// ---- strings ----

Value FnSubstring(Args a, EvalContext& ctx) {
    if (!IsStr(Arg(a, 0)) || !IsNum(Arg(a, 1))) return Err(ctx, "substring(): bad arguments");
    std::u32string s = Decode(a[0].AsString());
    auto start = a[1].AsNumber().Round(0, RoundingMode::kHalfEven);
    auto st = start ? start->ToInt64() : std::nullopt;
    int64_t n = static_cast<int64_t>(s.size());
    if (!st || *st == 0 || *st > n || *st < -n) return Err(ctx, "substring(): start out of range");
    int64_t from = *st > 0 ? *st - 1 : n + *st;
    int64_t len = n - from;
    if (a.size() > 2 && !a[2].IsNull()) {
        if (!IsNum(a[2])) return Err(ctx, "substring(): bad length");
        auto l = a[2].AsNumber().Round(0, RoundingMode::kHalfEven);
        auto li = l ? l->ToInt64() : std::nullopt;
        if (!li || *li < 0) return Err(ctx, "substring(): bad length");
        len = std::min(len, *li);
    }
    return Value(Encode(s.substr(static_cast<size_t>(from), static_cast<size_t>(len))));
}

Value FnStringLength(Args a, EvalContext& ctx) {
    if (!IsStr(Arg(a, 0))) return Err(ctx, "string length(): not a string");
    return Value::Number(static_cast<int64_t>(Decode(a[0].AsString()).size()));
}

Value FnUpper(Args a, EvalContext& ctx) {
    if (!IsStr(Arg(a, 0))) return Err(ctx, "upper case(): not a string");
    std::string s = a[0].AsString();
    for (auto& c : s)
        if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 32);
    return Value(s);
}

Value FnLower(Args a, EvalContext& ctx) {
    if (!IsStr(Arg(a, 0))) return Err(ctx, "lower case(): not a string");
    std::string s = a[0].AsString();
    for (auto& c : s)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
    return Value(s);
}

Value FnSubstringBefore(Args a, EvalContext& ctx) {
    if (!IsStr(Arg(a, 0)) || !IsStr(Arg(a, 1))) return Err(ctx, "substring before(): bad arguments");
    size_t p = a[0].AsString().find(a[1].AsString());
    if (p == std::string::npos) return Value(std::string());
    return Value(a[0].AsString().substr(0, p));
}

Value FnSubstringAfter(Args a, EvalContext& ctx) {
    if (!IsStr(Arg(a, 0)) || !IsStr(Arg(a, 1))) return Err(ctx, "substring after(): bad arguments");
    size_t p = a[0].AsString().find(a[1].AsString());
    if (p == std::string::npos) return Value(std::string());
    return Value(a[0].AsString().substr(p + a[1].AsString().size()));
}

Value FnContains(Args a, EvalContext& ctx) {
    if (!IsStr(Arg(a, 0)) || !IsStr(Arg(a, 1))) return Err(ctx, "contains(): bad arguments");
    return Value(a[0].AsString().find(a[1].AsString()) != std::string::npos);
}

Value FnStartsWith(Args a, EvalContext& ctx) {
    if (!IsStr(Arg(a, 0)) || !IsStr(Arg(a, 1))) return Err(ctx, "starts with(): bad arguments");
    return Value(a[0].AsString().starts_with(a[1].AsString()));
}

Value FnEndsWith(Args a, EvalContext& ctx) {
    if (!IsStr(Arg(a, 0)) || !IsStr(Arg(a, 1))) return Err(ctx, "ends with(): bad arguments");
    return Value(a[0].AsString().ends_with(a[1].AsString()));
}

std::optional<std::regex> MakeRegex(const Value& pattern, const Value& flags, EvalContext& ctx) {
    if (!IsStr(pattern) || pattern.AsString().size() > kMaxRegexPatternBytes) {
        ctx.Error("bad regular expression");
        return std::nullopt;
    }
    auto opts = std::regex::ECMAScript;
    std::string pat = pattern.AsString();
    if (!flags.IsNull()) {
        if (!IsStr(flags)) return std::nullopt;
        for (char f : flags.AsString()) {
            if (f == 'i') {
                opts |= std::regex::icase;
            } else if (f == 'm') {
                opts |= std::regex::multiline;
            } else if (f == 's') {
                // dot matches newline: rewrite unescaped '.' outside classes
                std::string out;
                bool esc = false, cls = false;
                for (char c : pat) {
                    if (esc) {
                        out += c;
                        esc = false;
                        continue;
                    }
                    if (c == '\\') esc = true;
                    if (c == '[') cls = true;
                    if (c == ']') cls = false;
                    if (c == '.' && !cls) {
                        out += "[\\s\\S]";
                        continue;
                    }
                    out += c;
                }
                pat = out;
            } else if (f == 'x') {
                std::string out;
                for (char c : pat)
                    if (!std::isspace(static_cast<unsigned char>(c))) out += c;
                pat = out;
            } else if (f == 'q') {
                std::string out;
                for (char c : pat) {
                    if (std::string_view("\\^$.|?*+()[]{}").find(c) != std::string_view::npos) out += '\\';
                    out += c;
                }
                pat = out;
            } else {
                ctx.Error("bad regular expression flag");
                return std::nullopt;
            }
        }
    }
    try {
        return std::regex(pat, opts);
    } catch (const std::regex_error&) {
        ctx.Error("invalid regular expression '" + pattern.AsString() + "'");
        return std::nullopt;
    }
}

Value FnMatches(Args a, EvalContext& ctx) {
    if (!IsStr(Arg(a, 0))) return Err(ctx, "matches(): not a string");
    if (a[0].AsString().size() > kMaxRegexInputBytes) return Err(ctx, "matches(): input too long");
    auto re = MakeRegex(Arg(a, 1), Arg(a, 2), ctx);
    if (!re) return {};
    try {
        return Value(std::regex_search(a[0].AsString(), *re));
    } catch (const std::regex_error&) {
        return Err(ctx, "matches(): regular expression too complex");
    }
}

Value FnReplace(Args a, EvalContext& ctx) {
    if (!IsStr(Arg(a, 0)) || !IsStr(Arg(a, 2))) return Err(ctx, "replace(): bad arguments");
    if (a[0].AsString().size() > kMaxRegexInputBytes) return Err(ctx, "replace(): input too long");
    auto re = MakeRegex(Arg(a, 1), Arg(a, 3), ctx);
    if (!re) return {};
    try {
        return Value(std::regex_replace(a[0].AsString(), *re, a[2].AsString()));
    } catch (const std::regex_error&) {
        return Err(ctx, "replace(): regular expression too complex");
    }
}

Value FnSplit(Args a, EvalContext& ctx) {
    if (!IsStr(Arg(a, 0)) || !IsStr(Arg(a, 1))) return Err(ctx, "split(): bad arguments");
    if (a[0].AsString().size() > kMaxRegexInputBytes) return Err(ctx, "split(): input too long");
    auto re = MakeRegex(a[1], Value(), ctx);
    if (!re) return {};
    List out;
    const std::string& s = a[0].AsString();
    try {
        std::sregex_token_iterator it(s.begin(), s.end(), *re, -1), end;
        for (; it != end; ++it) out.push_back(Value(it->str()));
    } catch (const std::regex_error&) {
        return Err(ctx, "split(): regular expression too complex");
    }
    return Value::MakeList(std::move(out));
}

Value FnStringJoin(Args a, EvalContext& ctx) {
    if (!Arg(a, 0).Is(ValueKind::kList)) return Err(ctx, "string join(): not a list");
    std::string delim = IsStr(Arg(a, 1)) ? a[1].AsString() : "";
    if (!Arg(a, 1).IsNull() && !IsStr(Arg(a, 1))) return Err(ctx, "string join(): bad delimiter");
    std::string out;
    bool first = true;
    for (const auto& e : a[0].AsList()) {
        if (e.IsNull()) continue;
        if (!IsStr(e)) return Err(ctx, "string join(): non-string element");
        if (!first) out += delim;
        first = false;
        out += e.AsString();
    }
    return Value(out);
}

// ---- lists ----

Value FnListContains(Args a, EvalContext& ctx) {
    if (!Arg(a, 0).Is(ValueKind::kList)) return Err(ctx, "list contains(): not a list");
    for (const auto& e : a[0].AsList()) {
        auto eq = FeelEquals(e, Arg(a, 1));
        if (eq && *eq) return Value(true);
    }
    return Value(false);
}

Value FnCount(Args a, EvalContext& ctx) {
    if (!Arg(a, 0).Is(ValueKind::kList)) return Err(ctx, "count(): not a list");
    return Value::Number(static_cast<int64_t>(a[0].AsList().size()));
}

Value MinMax(Args a, EvalContext& ctx, bool want_max) {
    auto l = ListOrVarargs(a);
    if (!l) return Err(ctx, "min/max(): bad arguments");
    if (l->empty()) return {};
    Value best = (*l)[0];
    for (size_t i = 1; i < l->size(); ++i) {
        auto c = FeelCompare((*l)[i], best);
        if (!c) return Err(ctx, "min/max(): incomparable elements");
        if (want_max ? *c > 0 : *c < 0) best = (*l)[i];
    }
    if (l->size() == 1 && !FeelCompare(best, best)) return Err(ctx, "min/max(): incomparable element");
    return best;
}

Value FnMin(Args a, EvalContext& ctx) { return MinMax(a, ctx, false); }
Value FnMax(Args a, EvalContext& ctx) { return MinMax(a, ctx, true); }

std::optional<std::vector<Decimal>> Numbers(Args a) {
    auto l = ListOrVarargs(a);
    if (!l) return std::nullopt;
    std::vector<Decimal> out;
    for (const auto& e : *l) {
        if (!IsNum(e)) return std::nullopt;
        out.push_back(e.AsNumber());
    }
    return out;
}

Value FnSum(Args a, EvalContext& ctx) {
    auto n = Numbers(a);
    if (!n) return Err(ctx, "sum(): bad arguments");
    if (n->empty()) return {};
    Decimal s;
    for (const auto& d : *n) {
        auto r = Decimal::Add(s, d);
        if (!r) return {};
        s = *r;
    }
    return Value(s);
}

Value FnProduct(Args a, EvalContext& ctx) {
    auto n = Numbers(a);
    if (!n) return Err(ctx, "product(): bad arguments");
    if (n->empty()) return {};
    Decimal s = Decimal::FromInt(1);
    for (const auto& d : *n) {
        auto r = Decimal::Mul(s, d);
        if (!r) return {};
        s = *r;
    }
    return Value(s);
}

std::optional<Decimal> Mean(const std::vector<Decimal>& n) {
    Decimal s;
    for (const auto& d : n) {
        auto r = Decimal::Add(s, d);
        if (!r) return std::nullopt;
        s = *r;
    }
    return Decimal::Div(s, Decimal::FromInt(static_cast<int64_t>(n.size())));
}

Value FnMean(Args a, EvalContext& ctx) {
    auto n = Numbers(a);
    if (!n) return Err(ctx, "mean(): bad arguments");
    if (n->empty()) return {};
    return Value::FromOptional(Mean(*n));
}

Value FnMedian(Args a, EvalContext& ctx) {
    auto n = Numbers(a);
    if (!n) return Err(ctx, "median(): bad arguments");
    if (n->empty()) return {};
    std::sort(n->begin(), n->end());
    size_t k = n->size();
    if (k % 2 == 1) return Value((*n)[k / 2]);
    auto s = Decimal::Add((*n)[k / 2 - 1], (*n)[k / 2]);
    return Value::FromOptional(s ? Decimal::Div(*s, Decimal::FromInt(2)) : std::nullopt);
}

Value FnStddev(Args a, EvalContext& ctx) {
    auto n = Numbers(a);
    if (!n) return Err(ctx, "stddev(): bad arguments");
    if (n->size() < 2) return {};
    auto m = Mean(*n);
    if (!m) return {};
    Decimal acc;
    for (const auto& d : *n) {
        auto diff = Decimal::Sub(d, *m);
        auto sq = diff ? Decimal::Mul(*diff, *diff) : std::nullopt;
        auto s = sq ? Decimal::Add(acc, *sq) : std::nullopt;
        if (!s) return {};
        acc = *s;
    }
    auto var = Decimal::Div(acc, Decimal::FromInt(static_cast<int64_t>(n->size() - 1)));
    return Value::FromOptional(var ? var->Sqrt() : std::nullopt);
}

Value FnMode(Args a, EvalContext& ctx) {
    auto n = Numbers(a);
    if (!n) return Err(ctx, "mode(): bad arguments");
    std::sort(n->begin(), n->end());
    List out;
    size_t best = 0;
    for (size_t i = 0; i < n->size();) {
        size_t j = i;
        while (j < n->size() && (*n)[j] == (*n)[i]) ++j;
        if (j - i > best) {
            best = j - i;
            out.clear();
        }
        if (j - i == best) out.push_back(Value((*n)[i]));
        i = j;
    }
    return Value::MakeList(std::move(out));
}

Value AllAny(Args a, EvalContext& ctx, bool all) {
    auto l = ListOrVarargs(a);
    if (!l) return Err(ctx, "all/any(): bad arguments");
    bool unknown = false;
    for (const auto& e : *l) {
        if (!e.Is(ValueKind::kBoolean)) {
            unknown = true;
            continue;
        }
        if (e.AsBool() != all) return Value(!all);
    }
    if (unknown) return {};
    return Value(all);
}

Value FnAll(Args a, EvalContext& ctx) { return AllAny(a, ctx, true); }
Value FnAny(Args a, EvalContext& ctx) { return AllAny(a, ctx, false); }

Value FnSublist(Args a, EvalContext& ctx) {
    if (!Arg(a, 0).Is(ValueKind::kList)) return Err(ctx, "sublist(): not a list");
    const List& l = a[0].AsList();
    auto st = IntArg(Arg(a, 1));
    int64_t n = static_cast<int64_t>(l.size());
    if (!st || *st == 0 || *st > n || *st < -n) return Err(ctx, "sublist(): start out of range");
    int64_t from = *st > 0 ? *st - 1 : n + *st;
    int64_t len = n - from;
    if (a.size() > 2 && !a[2].IsNull()) {
        auto li = IntArg(a[2]);
        if (!li || *li < 0 || from + *li > n) return Err(ctx, "sublist(): bad length");
        len = *li;
    }
    return Value::MakeList(List(l.begin() + from, l.begin() + from + len));
}

Value FnAppend(Args a, EvalContext& ctx) {
    if (!Arg(a, 0).Is(ValueKind::kList)) return Err(ctx, "append(): not a list");
    List out = a[0].AsList();
    out.insert(out.end(), a.begin() + 1, a.end());
    return Value::MakeList(std::move(out));
}

Value FnConcatenate(Args a, EvalContext& ctx) {
    List out;
    for (const auto& e : a) {
        if (!e.Is(ValueKind::kList)) return Err(ctx, "concatenate(): not a list");
        out.insert(out.end(), e.AsList().begin(), e.AsList().end());
    }
    return Value::MakeList(std::move(out));
}

Value FnInsertBefore(Args a, EvalContext& ctx) {
    if (!Arg(a, 0).Is(ValueKind::kList)) return Err(ctx, "insert before(): not a list");
    List out = a[0].AsList();
    auto p = IntArg(Arg(a, 1));
    int64_t n = static_cast<int64_t>(out.size());
    if (!p || *p == 0 || *p > n || *p < -n) return Err(ctx, "insert before(): position out of range");
    int64_t at = *p > 0 ? *p - 1 : n + *p;
    out.insert(out.begin() + at, Arg(a, 2));
    return Value::MakeList(std::move(out));
}

Value FnRemove(Args a, EvalContext& ctx) {
    if (!Arg(a, 0).Is(ValueKind::kList)) return Err(ctx, "remove(): not a list");
    List out = a[0].AsList();
    auto p = IntArg(Arg(a, 1));
    int64_t n = static_cast<int64_t>(out.size());
    if (!p || *p == 0 || *p > n || *p < -n) return Err(ctx, "remove(): position out of range");
    out.erase(out.begin() + (*p > 0 ? *p - 1 : n + *p));
    return Value::MakeList(std::move(out));
}

Value FnReverse(Args a, EvalContext& ctx) {
    if (!Arg(a, 0).Is(ValueKind::kList)) return Err(ctx, "reverse(): not a list");
    List out = a[0].AsList();
    std::reverse(out.begin(), out.end());
    return Value::MakeList(std::move(out));
}

Value FnIndexOf(Args a, EvalContext& ctx) {
    if (!Arg(a, 0).Is(ValueKind::kList)) return Err(ctx, "index of(): not a list");
    List out;
    const List& l = a[0].AsList();
    for (size_t i = 0; i < l.size(); ++i) {
        auto eq = FeelEquals(l[i], Arg(a, 1));
        if (eq && *eq) out.push_back(Value::Number(static_cast<int64_t>(i + 1)));
    }
    return Value::MakeList(std::move(out));
}

void AddDistinct(List& out, const Value& v) {
    for (const auto& e : out) {
        auto eq = FeelEquals(e, v);
        if (eq && *eq) return;
    }
    out.push_back(v);
}

Value FnUnion(Args a, EvalContext& ctx) {
    List out;
    for (const auto& e : a) {
        if (!e.Is(ValueKind::kList)) return Err(ctx, "union(): not a list");
        for (const auto& x : e.AsList()) AddDistinct(out, x);
    }
    return Value::MakeList(std::move(out));
}

Value FnDistinct(Args a, EvalContext& ctx) {
    if (!Arg(a, 0).Is(ValueKind::kList)) return Err(ctx, "distinct values(): not a list");
    List out;
    for (const auto& x : a[0].AsList()) AddDistinct(out, x);
    return Value::MakeList(std::move(out));
}

void FlattenInto(List& out, const Value& v, int depth) {
    if (v.Is(ValueKind::kList) && depth < 64) {
        for (const auto& e : v.AsList()) FlattenInto(out, e, depth + 1);
    } else {
        out.push_back(v);
    }
}

Value FnFlatten(Args a, EvalContext& ctx) {
    if (!Arg(a, 0).Is(ValueKind::kList)) return Err(ctx, "flatten(): not a list");
    List out;
    FlattenInto(out, a[0], 0);
    return Value::MakeList(std::move(out));
}

Value FnSort(Args a, EvalContext& ctx) {
    if (!Arg(a, 0).Is(ValueKind::kList)) return Err(ctx, "sort(): not a list");
    List items = a[0].AsList();
    const Value& fnv = Arg(a, 1);
    bool failed = false;
    Scope empty;
    auto less = [&](const Value& x, const Value& y) -> bool {
        if (fnv.Is(ValueKind::kFunction)) {
            Value args[] = {x, y};
            Value r = Invoke(*fnv.AsFunction(), args, {}, empty, ctx);
            if (!r.Is(ValueKind::kBoolean)) failed = true;
            return r.Is(ValueKind::kBoolean) && r.AsBool();
        }
        auto c = FeelCompare(x, y);
        if (!c) failed = true;
        return c && *c < 0;
    };
    // Stable merge sort that tolerates inconsistent comparators (no undefined behaviour).
    List tmp(items.size());
    for (size_t width = 1; width < items.size() && !failed; width *= 2) {
        for (size_t lo = 0; lo < items.size(); lo += 2 * width) {
            size_t mid = std::min(lo + width, items.size()), hi = std::min(lo + 2 * width, items.size());
            size_t i = lo, j = mid, k = lo;
            while (i < mid && j < hi) tmp[k++] = less(items[j], items[i]) ? items[j++] : items[i++];
            while (i < mid) tmp[k++] = items[i++];
            while (j < hi) tmp[k++] = items[j++];
        }
        std::swap(items, tmp);
    }
    if (failed) return Err(ctx, "sort(): elements are not comparable");
    return Value::MakeList(std::move(items));
}

Value FnListReplace(Args a, EvalContext& ctx) {
    if (!Arg(a, 0).Is(ValueKind::kList)) return Err(ctx, "list replace(): not a list");
    List out = a[0].AsList();
    const Value& pos = Arg(a, 1);
    if (pos.Is(ValueKind::kFunction)) {
        Scope empty;
        for (auto& e : out) {
            Value args[] = {e, Arg(a, 2)};
            Value r = Invoke(*pos.AsFunction(), args, {}, empty, ctx);
            if (r.Is(ValueKind::kBoolean) && r.AsBool()) e = Arg(a, 2);
        }
        return Value::MakeList(std::move(out));
    }
    auto p = IntArg(pos);
    int64_t n = static_cast<int64_t>(out.size());
    if (!p || *p == 0 || *p > n || *p < -n) return Err(ctx, "list replace(): position out of range");
    out[static_cast<size_t>(*p > 0 ? *p - 1 : n + *p)] = Arg(a, 2);
    return Value::MakeList(std::move(out));
}

// ---- numbers ----

std::optional<int64_t> ScaleArg(Args a, size_t i, bool required) {
    if (i >= a.size() || a[i].IsNull()) return required ? std::nullopt : std::optional<int64_t>(0);
    auto s = IntArg(a[i]);
    if (!s || *s < -6111 || *s > 6176) return std::nullopt;
    return s;
}

Value RoundWith(Args a, EvalContext& ctx, RoundingMode mode, bool scale_required) {
    if (!IsNum(Arg(a, 0))) return Err(ctx, "rounding: not a number");
    auto s = ScaleArg(a, 1, scale_required);
    if (!s) return Err(ctx, "rounding: bad scale");
    return Value::FromOptional(a[0].AsNumber().Round(*s, mode));
}

Value FnDecimal(Args a, EvalContext& ctx) { return RoundWith(a, ctx, RoundingMode::kHalfEven, true); }
Value FnFloor(Args a, EvalContext& ctx) { return RoundWith(a, ctx, RoundingMode::kFloor, false); }
Value FnCeiling(Args a, EvalContext& ctx) { return RoundWith(a, ctx, RoundingMode::kCeiling, false); }
Value FnRoundUp(Args a, EvalContext& ctx) { return RoundWith(a, ctx, RoundingMode::kUp, true); }
Value FnRoundDown(Args a, EvalContext& ctx) { return RoundWith(a, ctx, RoundingMode::kDown, true); }
Value FnRoundHalfUp(Args a, EvalContext& ctx) { return RoundWith(a, ctx, RoundingMode::kHalfUp, true); }
Value FnRoundHalfDown(Args a, EvalContext& ctx) { return RoundWith(a, ctx, RoundingMode::kHalfDown, true); }

Value FnAbs(Args a, EvalContext& ctx) {
    const Value& v = Arg(a, 0);
    if (IsNum(v)) return Value(v.AsNumber().Abs());
    if (v.Is(ValueKind::kDtDuration))
        return Value(DtDuration{v.AsDtDuration().nanos < 0 ? -v.AsDtDuration().nanos : v.AsDtDuration().nanos});
    if (v.Is(ValueKind::kYmDuration)) return Value(YmDuration{std::abs(v.AsYmDuration().months)});
    return Err(ctx, "abs(): not a number");
}

Value FnModulo(Args a, EvalContext& ctx) {
    if (!IsNum(Arg(a, 0)) || !IsNum(Arg(a, 1))) return Err(ctx, "modulo(): bad arguments");
    const Decimal &x = a[0].AsNumber(), &y = a[1].AsNumber();
    if (y.IsZero()) return Err(ctx, "modulo(): division by zero");
    auto q = Decimal::Div(x, y);
    auto f = q ? q->Round(0, RoundingMode::kFloor) : std::nullopt;
    auto p = f ? Decimal::Mul(y, *f) : std::nullopt;
    return Value::FromOptional(p ? Decimal::Sub(x, *p) : std::nullopt);
}

Value FnSqrt(Args a, EvalContext& ctx) {
    if (!IsNum(Arg(a, 0))) return Err(ctx, "sqrt(): not a number");
    auto r = a[0].AsNumber().Sqrt();
    if (!r) return Err(ctx, "sqrt(): negative argument");
    return Value(*r);
}

Value FnLog(Args a, EvalContext& ctx) {
    if (!IsNum(Arg(a, 0)) || a[0].AsNumber() <= Decimal()) return Err(ctx, "log(): argument must be positive");
    return Value::FromOptional(Decimal::FromDouble(std::log(a[0].AsNumber().ToDouble())));
}

Value FnExp(Args a, EvalContext& ctx) {
    if (!IsNum(Arg(a, 0))) return Err(ctx, "exp(): not a number");
    return Value::FromOptional(Decimal::FromDouble(std::exp(a[0].AsNumber().ToDouble())));
}

Value FnOdd(Args a, EvalContext& ctx) {
    if (!IsNum(Arg(a, 0)) || !a[0].AsNumber().IsInteger()) return Err(ctx, "odd(): not an integer");
    auto r = a[0].AsNumber().exponent() > 0 ? Int128(0) : a[0].AsNumber().coefficient() % 2;
    return Value(r != 0);
}

Value FnEven(Args a, EvalContext& ctx) {
    if (!IsNum(Arg(a, 0)) || !a[0].AsNumber().IsInteger()) return Err(ctx, "even(): not an integer");
    auto r = a[0].AsNumber().exponent() > 0 ? Int128(0) : a[0].AsNumber().coefficient() % 2;
    return Value(r == 0);
}

// ---- contexts ----

Value FnGetValue(Args a, EvalContext& ctx) {
    if (!Arg(a, 0).Is(ValueKind::kContext) || !IsStr(Arg(a, 1))) return Err(ctx, "get value(): bad arguments");
    const Value* v = a[0].AsContext().Find(a[1].AsString());
    return v != nullptr ? *v : Value();
}

Value FnGetEntries(Args a, EvalContext& ctx) {
    if (!Arg(a, 0).Is(ValueKind::kContext)) return Err(ctx, "get entries(): not a context");
    List out;
    for (const auto& [k, v] : a[0].AsContext().entries) {
        auto c = std::make_shared<Context>();
        c->Put("key", Value(k));
        c->Put("value", v);
        out.push_back(Value(ContextPtr(std::move(c))));
    }
    return Value::MakeList(std::move(out));
}

Value FnContext(Args a, EvalContext& ctx) {
    if (!Arg(a, 0).Is(ValueKind::kList)) return Err(ctx, "context(): not a list");
    auto c = std::make_shared<Context>();
    for (const auto& e : a[0].AsList()) {
        if (!e.Is(ValueKind::kContext)) return Err(ctx, "context(): entries must be contexts");
        const Value* k = e.AsContext().Find("key");
        const Value* v = e.AsContext().Find("value");
        if (k == nullptr || v == nullptr || !IsStr(*k)) return Err(ctx, "context(): entry needs key and value");
        if (c->Find(k->AsString()) != nullptr) return Err(ctx, "context(): duplicate key");
        c->Put(k->AsString(), *v);
    }
    return Value(ContextPtr(std::move(c)));
}

Value PutPath(const Value& base, const List& keys, size_t i, const Value& v, EvalContext& ctx) {
    if (!base.Is(ValueKind::kContext) || !IsStr(keys[i])) return Err(ctx, "context put(): bad arguments");
    auto c = std::make_shared<Context>(base.AsContext());
    if (i + 1 == keys.size()) {
        c->Put(keys[i].AsString(), v);
    } else {
        const Value* inner = c->Find(keys[i].AsString());
        Value nested = PutPath(inner != nullptr ? *inner : Value(), keys, i + 1, v, ctx);
        if (nested.IsNull()) return {};
        c->Put(keys[i].AsString(), nested);
    }
    return Value(ContextPtr(std::move(c)));
}

Value FnContextPut(Args a, EvalContext& ctx) {
    if (a.size() != 3) return Err(ctx, "context put(): bad arguments");
    List keys;
    if (a[1].Is(ValueKind::kList)) {
        keys = a[1].AsList();
    } else {
        keys.push_back(a[1]);
    }
    if (keys.empty()) return Err(ctx, "context put(): empty key path");
    return PutPath(a[0], keys, 0, a[2], ctx);
}

Value FnContextMerge(Args a, EvalContext& ctx) {
    if (!Arg(a, 0).Is(ValueKind::kList)) return Err(ctx, "context merge(): not a list");
    auto c = std::make_shared<Context>();
    for (const auto& e : a[0].AsList()) {
        if (!e.Is(ValueKind::kContext)) return Err(ctx, "context merge(): not a context");
        for (const auto& [k, v] : e.AsContext().entries) c->Put(k, v);
    }
    return Value(ContextPtr(std::move(c)));
}

// ---- temporal ----

std::optional<int64_t> DaysOf(const Value& v) {
    if (v.Is(ValueKind::kDate)) return v.AsDate().days;
    if (v.Is(ValueKind::kDateTime)) {
        int64_t s = v.AsDateTime().local_seconds;
        return s >= 0 ? s / kSecondsPerDay : -((-s + kSecondsPerDay - 1) / kSecondsPerDay);
    }
    return std::nullopt;
}

Value FnDayOfYear(Args a, EvalContext& ctx) {
    auto d = DaysOf(Arg(a, 0));
    if (!d) return Err(ctx, "day of year(): not a date");
    int64_t y = 0, m = 0, dd = 0;
    CivilFromDays(*d, y, m, dd);
    return Value::Number(*d - DaysFromCivil(y, 1, 1) + 1);
}

int64_t IsoWeekday(int64_t days) { return ((days % 7) + 7 + 3) % 7 + 1; }  // Monday = 1

Value FnDayOfWeek(Args a, EvalContext& ctx) {
    static constexpr const char* kNames[] = {"Monday", "Tuesday", "Wednesday", "Thursday",
                                             "Friday", "Saturday", "Sunday"};
    auto d = DaysOf(Arg(a, 0));
    if (!d) return Err(ctx, "day of week(): not a date");
    return Value(std::string(kNames[IsoWeekday(*d) - 1]));
}

Value FnMonthOfYear(Args a, EvalContext& ctx) {
    static constexpr const char* kNames[] = {"January", "February", "March",     "April",   "May",      "June",
                                             "July",    "August",   "September", "October", "November", "December"};
    auto d = DaysOf(Arg(a, 0));
    if (!d) return Err(ctx, "month of year(): not a date");
    int64_t y = 0, m = 0, dd = 0;
    CivilFromDays(*d, y, m, dd);
    return Value(std::string(kNames[m - 1]));
}

Value FnWeekOfYear(Args a, EvalContext& ctx) {
    auto d = DaysOf(Arg(a, 0));
    if (!d) return Err(ctx, "week of year(): not a date");
    // ISO 8601 week: the week with the year's first Thursday is week 1.
    int64_t thursday = *d - IsoWeekday(*d) + 4;
    int64_t y = 0, m = 0, dd = 0;
    CivilFromDays(thursday, y, m, dd);
    return Value::Number((thursday - DaysFromCivil(y, 1, 1)) / 7 + 1);
}

Value FnNow(Args, EvalContext& ctx) { return Err(ctx, "now()/today() are not available: the engine reads no clock"); }

struct BuiltinSpec {
    const char* name;
    std::vector<std::string> params;
    int min_args;
    bool variadic;
    Function::BuiltinFn fn;
};

std::map<std::string, FunctionPtr, std::less<>> MakeRegistry() {
    const std::vector<BuiltinSpec> specs = {
        {"date", {"from", "year", "month", "day"}, 0, false, FnDate},
        {"time", {"from", "hour", "minute", "second", "offset"}, 0, false, FnTime},
        {"date and time", {"from", "date", "time"}, 0, false, FnDateTime},
        {"duration", {"from"}, 1, false, FnDuration},
        {"years and months duration", {"from", "to"}, 2, false, FnYmDuration},
        {"string", {"from"}, 1, false, FnString},
        {"number", {"from", "grouping separator", "decimal separator"}, 1, false, FnNumber},
        {"not", {"negand"}, 1, false, FnNot},
        {"is", {"value1", "value2"}, 2, false, FnIs},
        {"substring", {"string", "start position", "length"}, 2, false, FnSubstring},
        {"string length", {"string"}, 1, false, FnStringLength},
        {"upper case", {"string"}, 1, false, FnUpper},
        {"lower case", {"string"}, 1, false, FnLower},
        {"substring before", {"string", "match"}, 2, false, FnSubstringBefore},
        {"substring after", {"string", "match"}, 2, false, FnSubstringAfter},
        {"contains", {"string", "match"}, 2, false, FnContains},
        {"starts with", {"string", "match"}, 2, false, FnStartsWith},
        {"ends with", {"string", "match"}, 2, false, FnEndsWith},
        {"matches", {"input", "pattern", "flags"}, 2, false, FnMatches},
        {"replace", {"input", "pattern", "replacement", "flags"}, 3, false, FnReplace},
        {"split", {"string", "delimiter"}, 2, false, FnSplit},
        {"string join", {"list", "delimiter"}, 1, false, FnStringJoin},
        {"list contains", {"list", "element"}, 2, false, FnListContains},
        {"count", {"list"}, 1, false, FnCount},
        {"min", {"list"}, 1, true, FnMin},
        {"max", {"list"}, 1, true, FnMax},
        {"sum", {"list"}, 1, true, FnSum},
        {"product", {"list"}, 1, true, FnProduct},
        {"mean", {"list"}, 1, true, FnMean},
        {"median", {"list"}, 1, true, FnMedian},
        {"stddev", {"list"}, 1, true, FnStddev},
        {"mode", {"list"}, 1, true, FnMode},
        {"all", {"list"}, 1, true, FnAll},
        {"any", {"list"}, 1, true, FnAny},
        {"sublist", {"list", "start position", "length"}, 2, false, FnSublist},
        {"append", {"list", "item"}, 1, true, FnAppend},
        {"concatenate", {"list"}, 0, true, FnConcatenate},
        {"insert before", {"list", "position", "newItem"}, 3, false, FnInsertBefore},
        {"remove", {"list", "position"}, 2, false, FnRemove},
        {"reverse", {"list"}, 1, false, FnReverse},
        {"index of", {"list", "match"}, 2, false, FnIndexOf},
        {"union", {"list"}, 0, true, FnUnion},
        {"distinct values", {"list"}, 1, false, FnDistinct},
        {"flatten", {"list"}, 1, false, FnFlatten},
        {"sort", {"list", "precedes"}, 1, false, FnSort},
        {"list replace", {"list", "position", "newItem"}, 3, false, FnListReplace},
        {"decimal", {"n", "scale"}, 2, false, FnDecimal},
        {"floor", {"n", "scale"}, 1, false, FnFloor},
        {"ceiling", {"n", "scale"}, 1, false, FnCeiling},
        {"round up", {"n", "scale"}, 2, false, FnRoundUp},
        {"round down", {"n", "scale"}, 2, false, FnRoundDown},
        {"round half up", {"n", "scale"}, 2, false, FnRoundHalfUp},
        {"round half down", {"n", "scale"}, 2, false, FnRoundHalfDown},
        {"abs", {"n"}, 1, false, FnAbs},
        {"modulo", {"dividend", "divisor"}, 2, false, FnModulo},
        {"sqrt", {"number"}, 1, false, FnSqrt},
        {"log", {"number"}, 1, false, FnLog},
        {"exp", {"number"}, 1, false, FnExp},
        {"odd", {"number"}, 1, false, FnOdd},
        {"even", {"number"}, 1, false, FnEven},
        {"get value", {"m", "key"}, 2, false, FnGetValue},
        {"get entries", {"m"}, 1, false, FnGetEntries},
        {"context", {"entries"}, 1, false, FnContext},
        {"context put", {"context", "key", "value"}, 3, false, FnContextPut},
        {"context merge", {"contexts"}, 1, false, FnContextMerge},
        {"day of year", {"date"}, 1, false, FnDayOfYear},
        {"day of week", {"date"}, 1, false, FnDayOfWeek},
        {"month of year", {"date"}, 1, false, FnMonthOfYear},
        {"week of year", {"date"}, 1, false, FnWeekOfYear},
        {"now", {}, 0, false, FnNow},
        {"today", {}, 0, false, FnNow},
    };
    std::map<std::string, FunctionPtr, std::less<>> out;
    for (const auto& s : specs) {
        auto f = std::make_shared<Function>();
        f->name = s.name;
        f->params = s.params;
        f->min_args = s.min_args;
        f->variadic = s.variadic;
        f->builtin = s.fn;
        out.emplace(s.name, std::move(f));
    }
    return out;
}

}  // namespace

FunctionPtr FindBuiltin(std::string_view name) {
    static const auto registry = MakeRegistry();
    auto it = registry.find(name);
    return it == registry.end() ? nullptr : it->second;
}

}  // namespace customsdesk::rules

#include "customsdesk/rules/decision_table.hpp"

#include <algorithm>
#include <bit>
#include <cstring>

namespace customsdesk::rules {

size_t RuleSet::Count() const {
    size_t n = 0;
    for (size_t i = 0; i < nwords; ++i) n += static_cast<size_t>(std::popcount(words[i]));
    return n;
}

int RuleSet::First() const {
    for (size_t i = 0; i < nwords; ++i)
        if (words[i] != 0) return static_cast<int>(i * 64 + static_cast<size_t>(std::countr_zero(words[i])));
    return -1;
}

// Index key kinds: values of one ordered type mapped to a comparable key.
// kNumber64: numbers as int64 at a fixed decimal scale (exact for every endpoint); kNumber: general
// decimals; kString: strings with an 8-byte big-endian prefix key; kInt: dates, durations, booleans.
enum class KeyKind : uint8_t { kNone, kNumber, kNumber64, kString, kInt };

struct CompiledTable::Column {
    NodePtr input_expr;
    int slot = -1;
    NodePtr input_values;                  // unary tests, or null
    std::vector<NodePtr> tests;            // per rule
    bool all_dash = false;
    // Interval index.
    bool indexed = false;
    ValueKind kind = ValueKind::kNull;
    KeyKind key = KeyKind::kNone;
    std::vector<Decimal> num_points;
    std::vector<std::string> str_points;
    std::vector<Int128> int_points;
    std::vector<int64_t> key64;            // kNumber64 keys, or kString prefixes
    int number_scale = 0;                  // kNumber64: keys are value * 10^number_scale
    // Integer inputs in [int_lo, int_lo + int_regions.size()) map straight to their region.
    int64_t int_lo = 0;
    std::vector<uint16_t> int_regions;
    std::vector<uint64_t> region_bits;     // (2n+1) * nwords
    std::vector<uint64_t> null_bits;       // nwords
    std::vector<uint8_t> allowed_regions;  // inputValues per region (empty: unconstrained or not indexable)
    bool allowed_null = true;
    // Strings of at most 8 bytes looked up by hash when every gap between endpoints has the same
    // rule set (equality-only columns): entries {prefix key, length, region}, empty length = ~0u.
    struct HashEntry {
        int64_t prefix = 0;
        uint32_t length = ~0u;
        uint32_t region = 0;
    };
    std::vector<HashEntry> string_hash;    // power-of-two size, or empty
    int hash_shift = 64;
    double selectivity = 1.0;              // average share of rules a region accepts
};

namespace {

struct Bound {
    bool unbounded = true;
    Value v;
    bool closed = false;
};

struct Interval {
    Bound lo, hi;
};

struct SimpleTest {
    bool any = false;
    bool negate = false;
    std::vector<Interval> intervals;
};

bool IsIndexableKind(ValueKind k) {
    return k == ValueKind::kNumber || k == ValueKind::kString || k == ValueKind::kDate ||
           k == ValueKind::kDtDuration || k == ValueKind::kYmDuration || k == ValueKind::kBoolean;
}

Int128 IntKey(const Value& v) {
    switch (v.kind()) {
        case ValueKind::kDate:
            return v.AsDate().days;
        case ValueKind::kDtDuration:
            return v.AsDtDuration().nanos;
        case ValueKind::kYmDuration:
            return v.AsYmDuration().months;
        case ValueKind::kBoolean:
            return v.AsBool() ? 1 : 0;
        default:
            return 0;
    }
}

// Order used by the index (consistent with FeelCompare for indexable kinds; booleans false < true).
int CompareKeys(const Value& a, const Value& b) {
    if (a.Is(ValueKind::kBoolean)) return static_cast<int>(IntKey(a) > IntKey(b)) - static_cast<int>(IntKey(a) < IntKey(b));
    auto c = FeelCompare(a, b);
    if (!c) return 0;
    return *c < 0 ? -1 : (*c > 0 ? 1 : 0);
}

bool IsConstantNode(const Node& n) {
    switch (n.kind) {
        case NodeKind::kLiteral:
            return true;
        case NodeKind::kNegate:
        case NodeKind::kArith:
        case NodeKind::kList:
        case NodeKind::kRange:
        case NodeKind::kUnaryCmp:
            return std::all_of(n.kids.begin(), n.kids.end(), [](const NodePtr& k) { return IsConstantNode(*k); });
        case NodeKind::kCall: {
            const Node& callee = *n.kids[0];
            if (callee.kind != NodeKind::kName || !FindBuiltin(callee.name)) return false;
            if (callee.name == "now" || callee.name == "today") return false;
            for (size_t i = 1; i < n.kids.size(); ++i)
                if (!IsConstantNode(*n.kids[i])) return false;
            return true;
        }
        default:
            return false;
    }
}

std::optional<Value> ConstantValue(const Node& n) {
    if (!IsConstantNode(n)) return std::nullopt;
    Scope empty;
    EvalContext ctx;
    Value v = Evaluate(n, empty, ctx);
    if (!ctx.errors().empty()) return std::nullopt;
    return v;
}

// Adds the interval form of a constant positive test value; false when not indexable.
bool AddValueTest(const Value& v, ValueKind& kind, SimpleTest& t) {
    auto note_kind = [&](const Value& x) {
        if (!IsIndexableKind(x.kind())) return false;
        if (kind == ValueKind::kNull) kind = x.kind();
        return kind == x.kind();
    };
    if (v.IsNull()) return true;  // matches only null inputs: handled by the null bitset
    if (v.Is(ValueKind::kRange)) {
        const Range& r = v.AsRange();
        Interval in;
        switch (r.form) {
            case RangeForm::kInterval:
                if (r.low.IsNull() || r.high.IsNull()) return false;
                if (!note_kind(r.low) || !note_kind(r.high)) return false;
                in.lo = {false, r.low, r.low_closed};
                in.hi = {false, r.high, r.high_closed};
                break;
            case RangeForm::kLess:
            case RangeForm::kLessEq:
                if (!note_kind(r.high)) return false;
                in.hi = {false, r.high, r.form == RangeForm::kLessEq};
                break;
            case RangeForm::kGreater:
            case RangeForm::kGreaterEq:
                if (!note_kind(r.low)) return false;
                in.lo = {false, r.low, r.form == RangeForm::kGreaterEq};
                break;
            case RangeForm::kEqual:
                if (!note_kind(r.low)) return false;
                in.lo = {false, r.low, true};
                in.hi = {false, r.low, true};
                break;
            case RangeForm::kNotEqual:
                if (!note_kind(r.low)) return false;
                t.intervals.push_back({Bound{}, Bound{false, r.low, false}});
                t.intervals.push_back({Bound{false, r.low, false}, Bound{}});
                return true;
        }
        if (kind == ValueKind::kBoolean && r.form != RangeForm::kEqual) return false;
        t.intervals.push_back(in);
        return true;
    }
    if (v.Is(ValueKind::kList)) {
        for (const auto& e : v.AsList()) {
            if (e.Is(ValueKind::kList)) return false;
            if (!AddValueTest(e, kind, t)) return false;
        }
        return true;
    }
    if (!note_kind(v)) return false;
    t.intervals.push_back({Bound{false, v, true}, Bound{false, v, true}});
    return true;
}

bool AddPositive(const Node& n, ValueKind& kind, SimpleTest& t) {
    if (n.kind == NodeKind::kTestList) {
        for (const auto& k : n.kids)
            if (!AddPositive(*k, kind, t)) return false;
        return true;
    }
    auto v = ConstantValue(n);
    if (!v) return false;
    if (n.kind != NodeKind::kUnaryCmp && v->Is(ValueKind::kBoolean) && kind != ValueKind::kBoolean &&
        kind != ValueKind::kNull)
        return false;
    return AddValueTest(*v, kind, t);
}

std::optional<SimpleTest> ToSimpleTest(const Node& n, ValueKind& kind) {
    SimpleTest t;
    if (n.kind == NodeKind::kDash) {
        t.any = true;
        return t;
    }
    if (n.kind == NodeKind::kNotTests) {
        auto inner = ToSimpleTest(*n.kids[0], kind);
        if (!inner || inner->any || inner->negate) return std::nullopt;
        inner->negate = true;
        return inner;
    }
    if (!AddPositive(n, kind, t)) return std::nullopt;
    return t;
}

// Region r: odd = the point points[(r-1)/2]; even = the open gap before points[r/2].
bool IntervalContainsRegion(const Interval& in, const std::vector<Value>& points, size_t r) {
    if (r % 2 == 1) {
        const Value& p = points[(r - 1) / 2];
        if (!in.lo.unbounded) {
            int c = CompareKeys(in.lo.v, p);
            if (c > 0 || (c == 0 && !in.lo.closed)) return false;
        }
        if (!in.hi.unbounded) {
            int c = CompareKeys(p, in.hi.v);
            if (c > 0 || (c == 0 && !in.hi.closed)) return false;
        }
        return true;
    }
    size_t i = r / 2;
    const Value* a = i > 0 ? &points[i - 1] : nullptr;
    const Value* b = i < points.size() ? &points[i] : nullptr;
    if (!in.lo.unbounded && (a == nullptr || CompareKeys(in.lo.v, *a) > 0)) return false;
    if (!in.hi.unbounded && (b == nullptr || CompareKeys(*b, in.hi.v) > 0)) return false;
    return true;
}

bool TestAcceptsRegion(const SimpleTest& t, const std::vector<Value>& points, size_t r) {
    if (t.any) return true;
    bool in = false;
    for (const auto& i : t.intervals)
        if (IntervalContainsRegion(i, points, r)) {
            in = true;
            break;
        }
    return t.negate ? !in : in;
}

void CollectPoints(const SimpleTest& t, std::vector<Value>& points) {
    for (const auto& i : t.intervals) {
        if (!i.lo.unbounded) points.push_back(i.lo.v);
        if (!i.hi.unbounded) points.push_back(i.hi.v);
    }
}

constexpr int64_t kPow10_64[19] = {1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000, 1000000000,
                                   10000000000LL, 100000000000LL, 1000000000000LL, 10000000000000LL,
                                   100000000000000LL, 1000000000000000LL, 10000000000000000LL,
                                   100000000000000000LL, 1000000000000000000LL};

// floor(d * 10^scale) as int64, and whether a fraction was dropped; nullopt when out of int64 range.
inline std::optional<std::pair<int64_t, bool>> NumberKey64(const Decimal& d, int scale) {
    Int128 c = d.coefficient();
    int t = d.exponent() + scale;
    if (c > INT64_MAX || c < -INT64_MAX) return std::nullopt;
    int64_t c64 = static_cast<int64_t>(c);
    if (t >= 0) {
        if (t > 18) return c64 == 0 ? std::optional<std::pair<int64_t, bool>>({0, false}) : std::nullopt;
        static constexpr auto kLimits = [] {
            std::array<int64_t, 19> l{};
            for (size_t i = 0; i < l.size(); ++i) l[i] = INT64_MAX / kPow10_64[i];
            return l;
        }();
        int64_t limit = kLimits[static_cast<size_t>(t)];
        if (c64 > limit || c64 < -limit) return std::nullopt;
        return std::pair<int64_t, bool>{c64 * kPow10_64[t], false};
    }
    if (-t > 18) return std::pair<int64_t, bool>{c64 < 0 ? -1 : 0, c64 != 0};
    int64_t p = kPow10_64[-t];
    int64_t q = c64 / p, r = c64 % p;
    if (r < 0) --q;  // floor
    return std::pair<int64_t, bool>{q, r != 0};
}

// First 8 bytes, big-endian, zero-padded: orders like the strings themselves when prefixes differ.
inline int64_t StringPrefix(std::string_view s) {
    uint64_t k = 0;
    if (s.size() >= 8) {
        std::memcpy(&k, s.data(), 8);
        k = __builtin_bswap64(k);
    } else {
        for (size_t i = 0; i < s.size(); ++i) k |= uint64_t{static_cast<unsigned char>(s[i])} << (56 - 8 * i);
    }
    return static_cast<int64_t>(k ^ (uint64_t{1} << 63));  // signed order == unsigned order
}

constexpr int64_t kMaxIntegerTable = 4096;

size_t Number64Region(const CompiledTable::Column& c, int64_t key, bool frac);

// For columns whose endpoints are integers spanning a small interval, a direct table from each
// integer in [min - 1, max + 1] to its region.
void BuildIntegerTable(CompiledTable::Column& col, size_t regions) {
    if (col.num_points.empty() || regions > UINT16_MAX) return;
    for (const auto& d : col.num_points)
        if (!d.IsInteger()) return;
    auto lo = col.num_points.front().ToInt64(), hi = col.num_points.back().ToInt64();
    if (!lo || !hi || *hi - *lo + 3 > kMaxIntegerTable) return;
    col.int_lo = *lo - 1;
    for (int64_t v = *lo - 1; v <= *hi + 1; ++v) {
        auto k = NumberKey64(Decimal::FromInt(v), col.number_scale);
        col.int_regions.push_back(static_cast<uint16_t>(Number64Region(col, k->first, false)));
    }
}

inline size_t HashSlot(int64_t prefix, size_t length, int shift) {
    uint64_t h = (static_cast<uint64_t>(prefix) ^ (uint64_t{length} << 56)) * 0x9E3779B97F4A7C15ull;
    return static_cast<size_t>(h >> shift);
}

void BuildStringHash(CompiledTable::Column& col, size_t nwords) {
    const size_t points = col.str_points.size();
    for (size_t i = 0; i < points; ++i)
        if (col.str_points[i].size() > 8) return;
    // Every gap region (even index) must carry the same rule set.
    for (size_t r = 2; r <= 2 * points; r += 2)
        if (!std::equal(col.region_bits.begin() + static_cast<std::ptrdiff_t>(r * nwords),
                        col.region_bits.begin() + static_cast<std::ptrdiff_t>((r + 1) * nwords),
                        col.region_bits.begin()))
            return;
    size_t size = 8;
    int shift = 61;
    while (size < 2 * points) {
        size *= 2;
        --shift;
    }
    col.string_hash.assign(size, {});
    for (size_t i = 0; i < points; ++i) {
        size_t h = HashSlot(col.key64[i], col.str_points[i].size(), shift);
        while (col.string_hash[h].length != ~0u) h = (h + 1) & (size - 1);
        col.string_hash[h] = {col.key64[i], static_cast<uint32_t>(col.str_points[i].size()),
                              static_cast<uint32_t>(2 * i + 1)};
    }
    col.hash_shift = shift;
}

bool BuildIndex(CompiledTable::Column& col, size_t nrules, size_t nwords) {
    ValueKind kind = ValueKind::kNull;
    std::vector<SimpleTest> tests;
    tests.reserve(nrules);
    for (const auto& t : col.tests) {
        auto s = ToSimpleTest(*t, kind);
        if (!s) return false;
        tests.push_back(std::move(*s));
    }
    std::optional<SimpleTest> allowed;
    if (col.input_values) {
        allowed = ToSimpleTest(*col.input_values, kind);
        if (!allowed) return false;
    }
    if (kind == ValueKind::kNull) kind = ValueKind::kNumber;  // only dashes / nulls: any kind works
    std::vector<Value> points;
    for (const auto& t : tests) CollectPoints(t, points);
    if (allowed) CollectPoints(*allowed, points);
    std::sort(points.begin(), points.end(), [](const Value& a, const Value& b) { return CompareKeys(a, b) < 0; });
    points.erase(std::unique(points.begin(), points.end(),
                             [](const Value& a, const Value& b) { return CompareKeys(a, b) == 0; }),
                 points.end());
    size_t regions = 2 * points.size() + 1;
    if (regions * nwords > kMaxIndexWords) return false;
    col.region_bits.assign(regions * nwords, 0);
    for (size_t r = 0; r < regions; ++r)
        for (size_t rule = 0; rule < nrules; ++rule)
            if (TestAcceptsRegion(tests[rule], points, r)) col.region_bits[r * nwords + rule / 64] |= uint64_t{1} << (rule % 64);
    if (allowed) {
        col.allowed_regions.resize(regions);
        for (size_t r = 0; r < regions; ++r) col.allowed_regions[r] = TestAcceptsRegion(*allowed, points, r) ? 1 : 0;
    }
    col.kind = kind;
    switch (kind) {
        case ValueKind::kNumber: {
            col.key = KeyKind::kNumber;
            for (const auto& p : points) col.num_points.push_back(p.AsNumber());
            // Keys at >= 4 decimals, so that typical inputs (amounts in cents, integers) convert
            // by multiplication only.
            int scale = 4;
            for (const auto& d : col.num_points) scale = std::max(scale, d.Scale());
            bool fits = scale <= 9;
            for (const auto& d : col.num_points) {
                auto k = fits ? NumberKey64(d, scale) : std::nullopt;
                if (!k || k->second) {
                    fits = false;
                    break;
                }
                col.key64.push_back(k->first);
            }
            if (fits) {
                col.key = KeyKind::kNumber64;
                col.number_scale = scale;
                BuildIntegerTable(col, regions);
            } else {
                col.key64.clear();
            }
            break;
        }
        case ValueKind::kString:
            col.key = KeyKind::kString;
            for (const auto& p : points) {
                col.str_points.push_back(p.AsString());
                col.key64.push_back(StringPrefix(p.AsString()));
            }
            break;
        default:
            col.key = KeyKind::kInt;
            for (const auto& p : points) col.int_points.push_back(IntKey(p));
            break;
    }
    // Null input: interpret each (constant) test once.
    col.null_bits.assign(nwords, 0);
    Scope empty;
    EvalContext ctx;
    for (size_t rule = 0; rule < nrules; ++rule) {
        auto m = MatchUnaryTests(*col.tests[rule], Value(), empty, ctx);
        if (m && *m) col.null_bits[rule / 64] |= uint64_t{1} << (rule % 64);
    }
    if (col.key == KeyKind::kString) BuildStringHash(col, nwords);
    size_t accepted = 0;
    for (uint64_t w : col.region_bits) accepted += static_cast<size_t>(std::popcount(w));
    col.selectivity = nrules == 0 ? 1.0 : static_cast<double>(accepted) / static_cast<double>(regions * nrules);
    col.indexed = true;
    return true;
}

// Branch-free lower bound over a small sorted array (the per-column endpoint keys).
inline size_t LowerBound64(const int64_t* keys, size_t n, int64_t k) {
    const int64_t* base = keys;
    while (n > 1) {
        size_t half = n / 2;
        base = (base[half - 1] < k) ? base + half : base;
        n -= half;
    }
    return static_cast<size_t>(base - keys) + ((n == 1 && *base < k) ? 1 : 0);
}

template <typename T>
size_t RegionOf(const std::vector<T>& points, const T& v) {
    auto it = std::lower_bound(points.begin(), points.end(), v);
    size_t i = static_cast<size_t>(it - points.begin());
    if (it != points.end() && !(v < *it)) return 2 * i + 1;
    return 2 * i;
}

size_t Number64Region(const CompiledTable::Column& c, int64_t key, bool frac) {
    size_t i = LowerBound64(c.key64.data(), c.key64.size(), key);
    if (i < c.key64.size() && c.key64[i] == key) return frac ? 2 * (i + 1) : 2 * i + 1;
    return 2 * i;
}

// Region of `v` in an indexed column; SIZE_MAX when v is not of the index's kind.
inline __attribute__((always_inline)) size_t LookupRegion(const CompiledTable::Column& c, const Value& v) {
    if (v.kind() != c.kind) return SIZE_MAX;
    switch (c.key) {
        case KeyKind::kNumber64: {
            const Decimal& d = v.AsNumber();
            if (!c.int_regions.empty() && d.exponent() >= 0 && d.exponent() <= 3) {
                static constexpr int64_t kSmall[4] = {1, 10, 100, 1000};
                Int128 iv = d.coefficient() * kSmall[d.exponent()] - c.int_lo;
                if (iv >= 0 && iv < static_cast<Int128>(c.int_regions.size())) return c.int_regions[static_cast<size_t>(iv)];
            }
            auto k = NumberKey64(d, c.number_scale);
            if (!k) return RegionOf(c.num_points, d);
            return Number64Region(c, k->first, k->second);
        }
        case KeyKind::kNumber:
            return RegionOf(c.num_points, v.AsNumber());
        case KeyKind::kString: {
            const std::string& s = v.AsString();
            int64_t prefix = StringPrefix(s);
            if (!c.string_hash.empty() && s.size() <= 8) {
                const size_t mask = c.string_hash.size() - 1;
                for (size_t h = HashSlot(prefix, s.size(), c.hash_shift);; h = (h + 1) & mask) {
                    const auto& e = c.string_hash[h];
                    if (e.length == ~0u) return 0;  // not an endpoint: any gap (all gaps are alike)
                    if (e.prefix == prefix && e.length == s.size()) return e.region;
                }
            }
            size_t i = LowerBound64(c.key64.data(), c.key64.size(), prefix);
            // Among equal prefixes, order by the full string (short strings: by length).
            while (i < c.key64.size() && c.key64[i] == prefix) {
                const std::string& p = c.str_points[i];
                if (p.size() <= 8 && s.size() <= 8) {
                    if (p.size() == s.size()) return 2 * i + 1;
                    if (p.size() > s.size()) break;
                } else {
                    int cmp = p.compare(s);
                    if (cmp == 0) return 2 * i + 1;
                    if (cmp > 0) break;
                }
                ++i;
            }
            return 2 * i;
        }
        case KeyKind::kInt:
            return RegionOf(c.int_points, IntKey(v));
        case KeyKind::kNone:
            break;
    }
    return SIZE_MAX;
}

Value MakeContext(const std::vector<CompiledTable::OutputColumn>& outs, std::vector<Value> values) {
    auto c = std::make_shared<Context>();
    for (size_t i = 0; i < outs.size(); ++i) c->Put(outs[i].name, std::move(values[i]));
    return Value(ContextPtr(std::move(c)));
}

}  // namespace

size_t CompiledTable::indexed_columns() const {
    size_t n = 0;
    for (const auto& c : columns_) n += c->indexed ? 1 : 0;
    return n;
}

core::Result<CompiledTable> CompiledTable::Compile(const DecisionTable& table, const NameSet& names,
                                                   std::string result_name) {
    if (table.rules.size() > kMaxRules)
        return core::Fail(core::Error::ResourceExhausted("decision table has more than " + std::to_string(kMaxRules) + " rules"));
    if (table.inputs.size() > kMaxColumns || table.outputs.size() > kMaxColumns)
        return core::Fail(core::Error::ResourceExhausted("decision table has too many columns"));
    if (table.outputs.empty()) return core::Fail(core::Error::InvalidArgument("decision table has no output"));
    if (table.aggregation != Aggregation::kNone && table.hit_policy != HitPolicy::kCollect)
        return core::Fail(core::Error::InvalidArgument("aggregation is only allowed with the COLLECT hit policy"));
    CompiledTable t;
    t.source_ = table;
    t.result_name_ = std::move(result_name);
    t.rule_count_ = table.rules.size();
    t.nwords_ = std::max<size_t>(1, (t.rule_count_ + 63) / 64);
    auto where = [&](const std::string& what, const core::Error& e) {
        return core::Fail(core::Error::InvalidArgument(what + ": " + e.message));
    };
    for (size_t c = 0; c < table.inputs.size(); ++c) {
        auto col = std::make_shared<Column>();
        const InputClause& in = table.inputs[c];
        auto expr = ParseExpression(in.expression, names);
        if (!expr) return where("input " + std::to_string(c + 1) + " ('" + in.expression + "')", expr.error());
        col->input_expr = *expr;
        if ((*expr)->kind == NodeKind::kName) {
            auto it = std::find(t.slot_names_.begin(), t.slot_names_.end(), (*expr)->name);
            if (it == t.slot_names_.end()) {
                t.slot_names_.push_back((*expr)->name);
                it = t.slot_names_.end() - 1;
            }
            col->slot = static_cast<int>(it - t.slot_names_.begin());
        }
        if (!in.input_values.empty()) {
            auto iv = ParseUnaryTests(in.input_values, names);
            if (!iv) return where("input values of input " + std::to_string(c + 1), iv.error());
            col->input_values = *iv;
        }
        bool all_dash = true;
        for (size_t r = 0; r < table.rules.size(); ++r) {
            const std::string& text = table.rules[r].input_entries[c];
            auto test = ParseUnaryTests(text.empty() ? "-" : text, names);
            if (!test) return where("rule " + std::to_string(r + 1) + ", input " + std::to_string(c + 1), test.error());
            if ((*test)->kind != NodeKind::kDash) all_dash = false;
            col->tests.push_back(*test);
        }
        col->all_dash = all_dash && !col->input_values;
        if (!col->all_dash) BuildIndex(*col, t.rule_count_, t.nwords_);
        t.columns_.push_back(std::move(col));
    }
    for (size_t o = 0; o < table.outputs.size(); ++o) {
        const OutputClause& oc = table.outputs[o];
        OutputColumn out;
        out.name = !oc.name.empty() ? oc.name : (table.outputs.size() == 1 ? t.result_name_ : "output" + std::to_string(o + 1));
        if (!oc.output_values.empty()) {
            auto pv = ParseUnaryTests(oc.output_values, names);
            if (!pv) return where("output values of output " + out.name, pv.error());
            if ((*pv)->kind == NodeKind::kTestList) {
                out.priorities = (*pv)->kids;
            } else {
                out.priorities.push_back(*pv);
            }
        }
        if (oc.has_default && !oc.default_output.empty()) {
            auto d = ParseExpression(oc.default_output, names);
            if (!d) return where("default output of " + out.name, d.error());
            out.default_expr = *d;
            out.default_constant = ConstantValue(**d);
        }
        t.outputs_.push_back(std::move(out));
    }
    for (size_t r = 0; r < table.rules.size(); ++r) {
        std::vector<OutputCell> row;
        for (size_t o = 0; o < table.outputs.size(); ++o) {
            const std::string& text = table.rules[r].output_entries[o];
            auto e = ParseExpression(text.empty() ? "null" : text, names);
            if (!e) return where("rule " + std::to_string(r + 1) + ", output " + std::to_string(o + 1), e.error());
            row.push_back({*e, ConstantValue(**e)});
        }
        t.cells_.push_back(std::move(row));
    }
    return t;
}

void CompiledTable::MatchColumns(std::span<const Value* const> inputs, const Scope* scope, EvalContext* ctx,
                                 bool use_index, RuleSet& bits) const {
    bits.nwords = nwords_;
    for (size_t w = 0; w < nwords_; ++w) bits.words[w] = ~uint64_t{0};
    if (rule_count_ % 64 != 0) bits.words[nwords_ - 1] = (uint64_t{1} << (rule_count_ % 64)) - 1;
    if (rule_count_ == 0) bits.words[0] = 0;
    for (size_t c = 0; c < columns_.size(); ++c) {
        const Column& col = *columns_[c];
        if (col.all_dash) continue;
        const Value& v = *inputs[c];
        if (use_index && col.indexed) {
            const uint64_t* src = nullptr;
            if (v.IsNull()) {
                src = col.null_bits.data();
            } else {
                size_t r = LookupRegion(col, v);
                if (r != SIZE_MAX) src = col.region_bits.data() + r * nwords_;
            }
            if (src != nullptr) {
                uint64_t any = 0;
                for (size_t w = 0; w < nwords_; ++w) any |= (bits.words[w] &= src[w]);
                if (any == 0) return;
                continue;
            }
        }
        // Interpret the remaining candidate rules for this column.
        Scope empty;
        EvalContext local;
        const Scope& s = scope != nullptr ? *scope : empty;
        EvalContext& cx = ctx != nullptr ? *ctx : local;
        for (size_t r = 0; r < rule_count_; ++r) {
            if (!bits.Test(r)) continue;
            auto m = MatchUnaryTests(*col.tests[r], v, s, cx);
            if (!m || !*m) bits.Clear(r);
        }
    }
}

void CompiledTable::MatchSlots(std::span<const Value> slots, SlotMatch& out) const {
    std::array<const Value*, kMaxColumns> ptrs;
    size_t n = std::min(slots.size(), ptrs.size());
    for (size_t i = 0; i < n; ++i) ptrs[i] = &slots[i];
    MatchSlotPointers(std::span<const Value* const>(ptrs.data(), n), out);
}

void CompiledTable::MatchSlotPointers(std::span<const Value* const> slots, SlotMatch& out) const {
    out.decided_rule = -1;
    out.constant_output = nullptr;
    out.status = MatchStatus::kOk;
    RuleSet& bits = out.matched;
    bits.nwords = nwords_;
    for (size_t w = 0; w < nwords_; ++w) bits.words[w] = ~uint64_t{0};
    if (rule_count_ % 64 != 0) bits.words[nwords_ - 1] = (uint64_t{1} << (rule_count_ % 64)) - 1;
    if (rule_count_ == 0) bits.words[0] = 0;
    // Tables of up to 128 rules keep the rule bitset in two registers.
    const bool small = nwords_ <= 2;
    uint64_t w0 = bits.words[0], w1 = nwords_ > 1 ? bits.words[1] : 0;
    for (const auto& colp : columns_) {
        const Column& col = *colp;
        if (col.all_dash) continue;
        if (col.slot < 0 || static_cast<size_t>(col.slot) >= slots.size() || !col.indexed) {
            out.status = MatchStatus::kNeedsFullEvaluation;
            return;
        }
        const Value& v = *slots[static_cast<size_t>(col.slot)];
        const uint64_t* src = nullptr;
        if (v.IsNull()) {
            src = col.null_bits.data();
        } else {
            size_t r = LookupRegion(col, v);
            if (r == SIZE_MAX || (!col.allowed_regions.empty() && col.allowed_regions[r] == 0)) {
                out.status = MatchStatus::kNeedsFullEvaluation;  // type mismatch or not an allowed value
                return;
            }
            src = col.region_bits.data() + r * nwords_;
        }
        if (small) {
            w0 &= src[0];
            if (nwords_ > 1) w1 &= src[1];
        } else {
            for (size_t w = 0; w < nwords_; ++w) bits.words[w] &= src[w];
        }
    }
    if (small) {
        bits.words[0] = w0;
        if (nwords_ > 1) bits.words[1] = w1;
    }
    const int first = bits.First();
    if (first < 0) {
        out.status = MatchStatus::kNoMatch;
        return;
    }
    HitPolicy hp = source_.hit_policy;
    if (hp == HitPolicy::kUnique) {
        size_t fw = static_cast<size_t>(first) / 64;
        bool more = (bits.words[fw] & (bits.words[fw] - 1)) != 0;
        for (size_t w = fw + 1; w < nwords_ && !more; ++w) more = bits.words[w] != 0;
        if (more) {
            out.status = MatchStatus::kHitPolicyViolation;
            return;
        }
        out.decided_rule = first;
    } else if (hp == HitPolicy::kFirst) {
        out.decided_rule = first;
    } else {
        return;  // A, P, R, O, C: the caller decides through Evaluate
    }
    const auto& cell = cells_[static_cast<size_t>(out.decided_rule)][0];
    if (cell.constant) out.constant_output = &*cell.constant;
}

size_t CompiledTable::Priority(size_t output, const Value& v, const Scope& scope, EvalContext& ctx) const {
    const auto& pri = outputs_[output].priorities;
    for (size_t i = 0; i < pri.size(); ++i) {
        auto m = MatchUnaryTests(*pri[i], v, scope, ctx);
        if (m && *m) return i;
    }
    return pri.size();
}

Value CompiledTable::Decide(const RuleSet& bits, std::span<const Value> inputs, const Scope& scope, EvalContext& ctx,
                            Explanation* explain) const {
    std::vector<size_t> matched;
    for (size_t r = 0; r < rule_count_; ++r)
        if (bits.Test(r)) matched.push_back(r);
    // Output entries may refer to the inputs by name; they see the decision's scope.
    auto row_values = [&](size_t r) {
        std::vector<Value> vals;
        for (size_t o = 0; o < outputs_.size(); ++o) {
            const OutputCell& cell = cells_[r][o];
            vals.push_back(cell.constant ? *cell.constant : rules::Evaluate(*cell.expr, scope, ctx));
        }
        return vals;
    };
    auto row_result = [&](std::vector<Value> vals) {
        if (outputs_.size() == 1) return std::move(vals[0]);
        return MakeContext(outputs_, std::move(vals));
    };
    std::vector<size_t> decisive;
    std::string reason;
    Value result;
    const HitPolicy hp = source_.hit_policy;
    auto fail = [&](std::string why) {
        ctx.Error(why);
        reason = std::move(why);
        decisive.clear();
        result = Value();
    };
    if (matched.empty()) {
        bool any_default = false;
        std::vector<Value> defs;
        for (const auto& o : outputs_) {
            if (o.default_expr) any_default = true;
            defs.push_back(o.default_constant ? *o.default_constant
                                              : (o.default_expr ? rules::Evaluate(*o.default_expr, scope, ctx) : Value()));
        }
        if (any_default) {
            result = row_result(std::move(defs));
            reason = "no rule matched: default output";
            if (explain != nullptr) explain->used_default = true;
        } else if ((hp == HitPolicy::kCollect && source_.aggregation == Aggregation::kNone) ||
                   hp == HitPolicy::kRuleOrder || hp == HitPolicy::kOutputOrder) {
            result = Value::MakeList({});
            reason = "no rule matched: empty list";
        } else if (hp == HitPolicy::kCollect && source_.aggregation == Aggregation::kCount) {
            result = Value::Number(0);
            reason = "no rule matched: count 0";
        } else {
            reason = "no rule matched: null";
        }
    } else {
        switch (hp) {
            case HitPolicy::kUnique:
                if (matched.size() > 1) {
                    fail("UNIQUE hit policy violated: " + std::to_string(matched.size()) + " rules matched");
                } else {
                    decisive = matched;
                    result = row_result(row_values(matched[0]));
                    reason = "UNIQUE: exactly one rule matched";
                }
                break;
            case HitPolicy::kFirst:
                decisive = {matched[0]};
                result = row_result(row_values(matched[0]));
                reason = "FIRST: the first matching rule in rule order";
                break;
            case HitPolicy::kAny: {
                auto first = row_values(matched[0]);
                bool same = true;
                for (size_t i = 1; i < matched.size() && same; ++i) {
                    auto other = row_values(matched[i]);
                    for (size_t o = 0; o < first.size(); ++o) same = same && SameValue(first[o], other[o]);
                }
                if (!same) {
                    fail("ANY hit policy violated: matching rules have different outputs");
                } else {
                    decisive = matched;
                    result = row_result(std::move(first));
                    reason = "ANY: all matching rules agree";
                }
                break;
            }
            case HitPolicy::kPriority:
            case HitPolicy::kOutputOrder: {
                std::vector<std::pair<std::vector<size_t>, size_t>> keyed;
                std::vector<std::vector<Value>> rows;
                for (size_t r : matched) {
                    auto vals = row_values(r);
                    std::vector<size_t> key;
                    for (size_t o = 0; o < outputs_.size(); ++o) key.push_back(Priority(o, vals[o], scope, ctx));
                    keyed.emplace_back(std::move(key), rows.size());
                    rows.push_back(std::move(vals));
                }
                std::stable_sort(keyed.begin(), keyed.end(),
                                 [](const auto& a, const auto& b) { return a.first < b.first; });
                if (hp == HitPolicy::kPriority) {
                    decisive = {matched[keyed[0].second]};
                    result = row_result(rows[keyed[0].second]);
                    reason = "PRIORITY: the matching rule whose output has the highest priority";
                } else {
                    List out;
                    for (const auto& [key, i] : keyed) {
                        decisive.push_back(matched[i]);
                        out.push_back(row_result(rows[i]));
                    }
                    result = Value::MakeList(std::move(out));
                    reason = "OUTPUT ORDER: all matching rules, by decreasing output priority";
                }
                break;
            }
            case HitPolicy::kRuleOrder:
            case HitPolicy::kCollect: {
                decisive = matched;
                if (source_.aggregation == Aggregation::kNone) {
                    List out;
                    for (size_t r : matched) out.push_back(row_result(row_values(r)));
                    result = Value::MakeList(std::move(out));
                    reason = hp == HitPolicy::kRuleOrder ? "RULE ORDER: all matching rules in rule order"
                                                         : "COLLECT: all matching rules";
                    break;
                }
                if (outputs_.size() != 1) {
                    fail("COLLECT with an aggregation needs exactly one output");
                    break;
                }
                List vals;
                for (size_t r : matched) {
                    Value v = row_values(r)[0];
                    if (!v.IsNull()) vals.push_back(std::move(v));
                }
                if (source_.aggregation == Aggregation::kCount) {
                    List distinct;
                    for (const auto& v : vals) {
                        bool seen = false;
                        for (const auto& d : distinct) seen = seen || SameValue(d, v);
                        if (!seen) distinct.push_back(v);
                    }
                    result = Value::Number(static_cast<int64_t>(distinct.size()));
                    reason = "COLLECT COUNT: number of distinct outputs of the matching rules";
                } else if (source_.aggregation == Aggregation::kSum) {
                    Value acc = vals.empty() ? Value() : vals[0];
                    for (size_t i = 1; i < vals.size(); ++i) acc = Arithmetic("+", acc, vals[i], ctx);
                    result = acc;
                    reason = "COLLECT SUM: sum of the outputs of the matching rules";
                } else {
                    bool want_max = source_.aggregation == Aggregation::kMax;
                    Value best = vals.empty() ? Value() : vals[0];
                    for (size_t i = 1; i < vals.size(); ++i) {
                        auto c = FeelCompare(vals[i], best);
                        if (!c) {
                            best = Value();
                            ctx.Error("COLLECT MIN/MAX over incomparable outputs");
                            break;
                        }
                        if (want_max ? *c > 0 : *c < 0) best = vals[i];
                    }
                    result = best;
                    reason = want_max ? "COLLECT MAX: largest output of the matching rules"
                                      : "COLLECT MIN: smallest output of the matching rules";
                }
                break;
            }
        }
    }
    if (explain != nullptr) {
        explain->table_id = source_.id;
        explain->hit_policy = hp;
        explain->aggregation = source_.aggregation;
        explain->inputs.assign(inputs.begin(), inputs.end());
        explain->matched_rules = matched;
        explain->matched_rule_ids.clear();
        for (size_t r : matched) explain->matched_rule_ids.push_back(source_.rules[r].id);
        explain->decisive_rules = decisive;
        explain->annotations.clear();
        for (size_t r : decisive) explain->annotations.push_back(source_.rules[r].annotations);
        explain->reason = reason;
        explain->errors = ctx.errors();
    }
    return result;
}

Value CompiledTable::EvaluateCommon(const Scope& scope, EvalContext& ctx, Explanation* explain, bool use_index) const {
    std::vector<Value> inputs;
    inputs.reserve(columns_.size());
    std::vector<const Value*> ptrs;
    for (size_t c = 0; c < columns_.size(); ++c) {
        const Column& col = *columns_[c];
        inputs.push_back(rules::Evaluate(*col.input_expr, scope, ctx));
        if (col.input_values && !inputs.back().IsNull()) {
            auto ok = MatchUnaryTests(*col.input_values, inputs.back(), scope, ctx);
            if (!ok || !*ok) {
                std::string why = "input " + std::to_string(c + 1) + " value " + ToFeelLiteral(inputs.back()) +
                                  " is not one of the input values " + source_.inputs[c].input_values;
                ctx.Error(why);
                if (explain != nullptr) {
                    explain->table_id = source_.id;
                    explain->hit_policy = source_.hit_policy;
                    explain->reason = why;
                    explain->errors = ctx.errors();
                }
                return {};
            }
        }
    }
    for (const auto& v : inputs) ptrs.push_back(&v);
    RuleSet bits;
    MatchColumns(ptrs, &scope, &ctx, use_index, bits);
    return Decide(bits, inputs, scope, ctx, explain);
}

Value CompiledTable::Evaluate(const Scope& scope, EvalContext& ctx, Explanation* explain) const {
    return EvaluateCommon(scope, ctx, explain, true);
}

Value CompiledTable::EvaluateInterpreted(const Scope& scope, EvalContext& ctx, Explanation* explain) const {
    return EvaluateCommon(scope, ctx, explain, false);
}

Value CompiledTable::EvaluateSlots(std::span<const Value> slots, EvalContext& ctx, Explanation* explain) const {
    Scope scope;
    for (size_t i = 0; i < slot_names_.size() && i < slots.size(); ++i) scope.Set(slot_names_[i], slots[i]);
    return Evaluate(scope, ctx, explain);
}

}  // namespace customsdesk::rules

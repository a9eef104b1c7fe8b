#include "customsdesk/rules/decimal.hpp"

#include <array>
#include <charconv>
#include <cmath>
#include <cstdlib>

namespace customsdesk::rules {
namespace {

constexpr std::array<UInt128, 39> MakePow10() {
    std::array<UInt128, 39> p{};
    p[0] = 1;
    for (size_t i = 1; i < p.size(); ++i) p[i] = p[i - 1] * 10;
    return p;
}
constexpr std::array<UInt128, 39> kPow10 = MakePow10();
constexpr UInt128 kMaxCoef = kPow10[34];  // exclusive bound

int DigitCount(UInt128 v) {
    int n = 1;
    while (n < 39 && v >= kPow10[n]) ++n;
    return n;
}

UInt128 Mag(Int128 v) { return v < 0 ? UInt128(0) - UInt128(v) : UInt128(v); }

// Decides whether to add one to a truncated magnitude, given the first dropped digit and whether
// any later dropped digit was non-zero.
bool RoundUp(RoundingMode mode, bool negative, UInt128 kept, int dropped_digit, bool sticky) {
    bool inexact = dropped_digit != 0 || sticky;
    switch (mode) {
        case RoundingMode::kHalfEven:
            return dropped_digit > 5 || (dropped_digit == 5 && (sticky || (kept & 1) != 0));
        case RoundingMode::kHalfUp:
            return dropped_digit >= 5;
        case RoundingMode::kHalfDown:
            return dropped_digit > 5 || (dropped_digit == 5 && sticky);
        case RoundingMode::kUp:
            return inexact;
        case RoundingMode::kDown:
            return false;
        case RoundingMode::kFloor:
            return inexact && negative;
        case RoundingMode::kCeiling:
            return inexact && !negative;
    }
    return false;
}

// 256-bit unsigned magnitude as four little-endian 64-bit limbs.
struct U256 {
    std::array<uint64_t, 4> limb{};
    [[nodiscard]] bool FitsBelow(UInt128 bound) const {
        if (limb[2] != 0 || limb[3] != 0) return false;
        return ((UInt128(limb[1]) << 64) | limb[0]) < bound;
    }
    [[nodiscard]] UInt128 Low() const { return (UInt128(limb[1]) << 64) | limb[0]; }
    int DivSmall(uint64_t d) {  // returns remainder
        UInt128 rem = 0;
        for (int i = 3; i >= 0; --i) {
            UInt128 cur = (rem << 64) | limb[static_cast<size_t>(i)];
            limb[static_cast<size_t>(i)] = static_cast<uint64_t>(cur / d);
            rem = cur % d;
        }
        return static_cast<int>(rem);
    }
};

U256 Mul128(UInt128 a, UInt128 b) {
    uint64_t a0 = static_cast<uint64_t>(a), a1 = static_cast<uint64_t>(a >> 64);
    uint64_t b0 = static_cast<uint64_t>(b), b1 = static_cast<uint64_t>(b >> 64);
    U256 r;
    UInt128 p00 = UInt128(a0) * b0, p01 = UInt128(a0) * b1, p10 = UInt128(a1) * b0, p11 = UInt128(a1) * b1;
    r.limb[0] = static_cast<uint64_t>(p00);
    UInt128 mid = (p00 >> 64) + static_cast<uint64_t>(p01) + static_cast<uint64_t>(p10);
    r.limb[1] = static_cast<uint64_t>(mid);
    UInt128 hi = (mid >> 64) + (p01 >> 64) + (p10 >> 64) + static_cast<uint64_t>(p11);
    r.limb[2] = static_cast<uint64_t>(hi);
    r.limb[3] = static_cast<uint64_t>((hi >> 64) + (p11 >> 64));
    return r;
}

std::string Digits(UInt128 m) {
    char buf[48];
    size_t n = 0;
    do {
        buf[n++] = static_cast<char>('0' + static_cast<int>(m % 10));
        m /= 10;
    } while (m != 0);
    std::string out(n, '0');
    for (size_t i = 0; i < n; ++i) out[i] = buf[n - 1 - i];
    return out;
}

}  // namespace

std::optional<Decimal> Decimal::Make(Int128 coefficient, int64_t exponent) {
    bool neg = coefficient < 0;
    UInt128 m = Mag(coefficient);
    int dropped = 0;
    bool sticky = false;
    while (m >= kMaxCoef) {
        sticky = sticky || dropped != 0;
        dropped = static_cast<int>(m % 10);
        m /= 10;
        ++exponent;
    }
    if (RoundUp(RoundingMode::kHalfEven, neg, m, dropped, sticky)) {
        ++m;
        if (m == kMaxCoef) {
            m /= 10;
            ++exponent;
        }
    }
    if (m == 0) return Decimal();
    while (m % 10 == 0) {
        m /= 10;
        ++exponent;
    }
    if (exponent > kMaxExponent) {
        // Re-expand trailing zeros if that brings the exponent into range.
        while (exponent > kMaxExponent && m * 10 < kMaxCoef) {
            m *= 10;
            --exponent;
        }
        if (exponent > kMaxExponent) return std::nullopt;
    }
    if (exponent < kMinExponent) return Decimal();  // underflow to zero
    Int128 c = neg ? -Int128(m) : Int128(m);
    return Decimal(c, static_cast<int32_t>(exponent));
}

Decimal Decimal::FromInt(int64_t v) { return *Make(v, 0); }

std::optional<Decimal> Decimal::Parse(std::string_view s) {
    size_t i = 0;
    bool neg = false;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) {
        neg = s[i] == '-';
        ++i;
    }
    UInt128 m = 0;
    int64_t exp = 0;
    int sig = 0;
    int dropped = 0;
    bool sticky = false;
    bool any_digit = false;
    bool seen_point = false;
    for (; i < s.size(); ++i) {
        char c = s[i];
        if (c == '.') {
            if (seen_point) return std::nullopt;
            seen_point = true;
            continue;
        }
        if (c < '0' || c > '9') break;
        any_digit = true;
        int d = c - '0';
        if (sig < kDigits) {
            if (m != 0 || d != 0) {
                m = m * 10 + static_cast<unsigned>(d);
                ++sig;
            }
            if (seen_point) --exp;
        } else {
            // Beyond 34 significant digits: remember for rounding.
            if (sig == kDigits) {
                dropped = d;
                ++sig;
            } else {
                sticky = sticky || d != 0;
            }
            if (!seen_point) ++exp;
        }
    }
    if (!any_digit) return std::nullopt;
    if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
        ++i;
        bool eneg = false;
        if (i < s.size() && (s[i] == '+' || s[i] == '-')) {
            eneg = s[i] == '-';
            ++i;
        }
        if (i >= s.size()) return std::nullopt;
        int64_t e = 0;
        for (; i < s.size(); ++i) {
            if (s[i] < '0' || s[i] > '9') return std::nullopt;
            if (e < 100000000) e = e * 10 + (s[i] - '0');
        }
        exp += eneg ? -e : e;
    }
    if (i != s.size()) return std::nullopt;
    if (RoundUp(RoundingMode::kHalfEven, neg, m, dropped, sticky)) ++m;
    Int128 c = neg ? -Int128(m) : Int128(m);
    return Make(c, exp);
}

std::optional<Decimal> Decimal::FromDouble(double v) {
    if (v != v || v == __builtin_inf() || v == -__builtin_inf()) return std::nullopt;
    char buf[64];
    auto r = std::to_chars(buf, buf + sizeof buf, v);
    return Parse(std::string_view(buf, static_cast<size_t>(r.ptr - buf)));
}

std::string Decimal::ToString() const {
    if (coef_ == 0) return "0";
    UInt128 m = Mag(coef_);
    std::string digits = Digits(m);
    std::string out = coef_ < 0 ? "-" : "";
    if (exp_ >= 0) {
        out += digits;
        out.append(static_cast<size_t>(exp_), '0');
    } else {
        size_t frac = static_cast<size_t>(-exp_);
        if (digits.size() <= frac) {
            out += "0.";
            out.append(frac - digits.size(), '0');
            out += digits;
        } else {
            out += digits.substr(0, digits.size() - frac);
            out += '.';
            out += digits.substr(digits.size() - frac);
        }
    }
    return out;
}

double Decimal::ToDouble() const {
    if (coef_ == 0) return 0.0;
    std::string s = (coef_ < 0 ? "-" : "") + Digits(Mag(coef_));
    s += "e" + std::to_string(exp_);
    return std::strtod(s.c_str(), nullptr);
}

std::optional<int64_t> Decimal::ToInt64() const {
    if (exp_ < 0) return std::nullopt;
    if (exp_ > 18) return std::nullopt;
    Int128 v = coef_ * Int128(kPow10[static_cast<size_t>(exp_)]);
    if (v > INT64_MAX || v < INT64_MIN) return std::nullopt;
    return static_cast<int64_t>(v);
}

Decimal Decimal::Negate() const { return Decimal(-coef_, exp_); }

std::strong_ordering operator<=>(const Decimal& a, const Decimal& b) {
    int sa = a.coef_ < 0 ? -1 : (a.coef_ > 0 ? 1 : 0);
    int sb = b.coef_ < 0 ? -1 : (b.coef_ > 0 ? 1 : 0);
    if (sa != sb) return sa <=> sb;
    if (sa == 0) return std::strong_ordering::equal;
    UInt128 ma = Mag(a.coef_), mb = Mag(b.coef_);
    int64_t adj_a = DigitCount(ma) + int64_t(a.exp_), adj_b = DigitCount(mb) + int64_t(b.exp_);
    std::strong_ordering mag = std::strong_ordering::equal;
    if (adj_a != adj_b) {
        mag = adj_a <=> adj_b;
    } else {
        // Same magnitude order: align exponents (the difference is below 34 digits here).
        if (a.exp_ > b.exp_) {
            ma *= kPow10[static_cast<size_t>(a.exp_ - b.exp_)];
        } else if (b.exp_ > a.exp_) {
            mb *= kPow10[static_cast<size_t>(b.exp_ - a.exp_)];
        }
        mag = ma <=> mb;
    }
    return sa > 0 ? mag : (0 <=> mag);
}

std::optional<Decimal> Decimal::Add(const Decimal& x, const Decimal& y) {
    if (x.coef_ == 0) return y;
    if (y.coef_ == 0) return x;
    Decimal a = x, b = y;
    if (a.exp_ < b.exp_) std::swap(a, b);
    Int128 ac = a.coef_;
    int64_t ae = a.exp_;
    while (ae > b.exp_ && Mag(ac) < kPow10[36]) {
        ac *= 10;
        --ae;
    }
    Int128 bc = b.coef_;
    if (ae > b.exp_) {
        int64_t d = ae - b.exp_;
        if (d > 38) {
            bc = 0;  // far below a's last digit (a has 37 digits here): cannot change the rounded sum
        } else {
            bool neg = bc < 0;
            UInt128 m = Mag(bc);
            UInt128 q = m / kPow10[static_cast<size_t>(d)];
            UInt128 r = m % kPow10[static_cast<size_t>(d)];
            UInt128 half = kPow10[static_cast<size_t>(d)] / 2;
            if (r > half || (r == half && (q & 1) != 0)) ++q;
            bc = neg ? -Int128(q) : Int128(q);
        }
    }
    return Make(ac + bc, ae);
}

std::optional<Decimal> Decimal::Mul(const Decimal& a, const Decimal& b) {
    if (a.coef_ == 0 || b.coef_ == 0) return Decimal();
    bool neg = (a.coef_ < 0) != (b.coef_ < 0);
    U256 p = Mul128(Mag(a.coef_), Mag(b.coef_));
    int64_t exp = int64_t(a.exp_) + b.exp_;
    int dropped = 0;
    bool sticky = false;
    while (!p.FitsBelow(kMaxCoef)) {
        sticky = sticky || dropped != 0;
        dropped = p.DivSmall(10);
        ++exp;
    }
    UInt128 m = p.Low();
    if (RoundUp(RoundingMode::kHalfEven, neg, m, dropped, sticky)) ++m;
    return Make(neg ? -Int128(m) : Int128(m), exp);
}

std::optional<Decimal> Decimal::Div(const Decimal& a, const Decimal& b) {
    if (b.coef_ == 0) return std::nullopt;
    if (a.coef_ == 0) return Decimal();
    bool neg = (a.coef_ < 0) != (b.coef_ < 0);
    UInt128 A = Mag(a.coef_), B = Mag(b.coef_);
    UInt128 q = A / B, r = A % B;
    int64_t exp = int64_t(a.exp_) - b.exp_;
    while (r != 0 && (q == 0 || DigitCount(q) < kDigits + 1)) {
        r *= 10;
        q = q * 10 + r / B;
        r %= B;
        --exp;
    }
    int dropped = 0;
    bool sticky = r != 0;
    if (q >= kMaxCoef) {
        dropped = static_cast<int>(q % 10);
        q /= 10;
        ++exp;
        while (q >= kMaxCoef) {
            sticky = sticky || dropped != 0;
            dropped = static_cast<int>(q % 10);
            q /= 10;
            ++exp;
        }
        if (RoundUp(RoundingMode::kHalfEven, neg, q, dropped, sticky)) ++q;
    }
    return Make(neg ? -Int128(q) : Int128(q), exp);
}

std::optional<Decimal> Decimal::PowInt(const Decimal& a, int64_t n) {
    if (n > 999999999 || n < -999999999) return std::nullopt;
    bool inv = n < 0;
    uint64_t e = static_cast<uint64_t>(inv ? -n : n);
    Decimal result = FromInt(1), base = a;
    while (e != 0) {
        if (e & 1) {
            auto r = Mul(result, base);
            if (!r) return std::nullopt;
            result = *r;
        }
        e >>= 1;
        if (e != 0) {
            auto b2 = Mul(base, base);
            if (!b2) return std::nullopt;
            base = *b2;
        }
    }
    if (inv) return Div(FromInt(1), result);
    return result;
}

std::optional<Decimal> Decimal::Round(int64_t scale, RoundingMode mode) const {
    if (coef_ == 0) return *this;
    if (scale > 10000 || scale < -10000) return std::nullopt;
    if (-int64_t(exp_) <= scale) return *this;
    int64_t d = -int64_t(exp_) - scale;  // digits to drop, > 0
    bool neg = coef_ < 0;
    UInt128 m = Mag(coef_);
    UInt128 q = 0;
    int first = 0;
    bool sticky = false;
    if (d > 38) {
        q = 0;
        first = 0;
        sticky = true;
    } else {
        q = m / kPow10[static_cast<size_t>(d)];
        UInt128 r = m % kPow10[static_cast<size_t>(d)];
        first = static_cast<int>(r / kPow10[static_cast<size_t>(d - 1)]);
        sticky = (r % kPow10[static_cast<size_t>(d - 1)]) != 0;
    }
    if (RoundUp(mode, neg, q, first, sticky)) ++q;
    return Make(neg ? -Int128(q) : Int128(q), -scale);
}

std::optional<Decimal> Decimal::Sqrt() const {
    if (coef_ < 0) return std::nullopt;
    if (coef_ == 0) return Decimal();
    auto x = FromDouble(std::sqrt(ToDouble()));
    if (!x || x->IsZero()) return std::nullopt;
    Decimal two = FromInt(2);
    for (int i = 0; i < 8; ++i) {  // Newton: x = (x + a/x) / 2; quadratic convergence from 16 digits
        auto q = Div(*this, *x);
        if (!q) return std::nullopt;
        auto s = Add(*x, *q);
        if (!s) return std::nullopt;
        auto next = Div(*s, two);
        if (!next) return std::nullopt;
        if (*next == *x) break;
        x = next;
    }
    return x;
}

}  // namespace customsdesk::rules

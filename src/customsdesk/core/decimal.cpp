#include "customsdesk/core/decimal.hpp"

#include <algorithm>

namespace customsdesk::core {
namespace {

using Int128 = Decimal::Int128;

constexpr Int128 Pow10(int n) {
    Int128 r = 1;
    for (int i = 0; i < n; ++i) r *= 10;
    return r;
}

// Powers of ten up to 10^37 (all fit in a signed 128-bit integer).
constexpr int kMaxPow = 37;
struct PowTable {
    Int128 v[kMaxPow + 1];
    constexpr PowTable() : v() {
        for (int i = 0; i <= kMaxPow; ++i) v[i] = Pow10(i);
    }
};
constexpr PowTable kPow;

bool InRange(Int128 c) { return c <= Decimal::kMaxCoefficient && c >= -Decimal::kMaxCoefficient; }

// c * 10^n, false on overflow.
bool ScaleUp(Int128 c, int n, Int128& out) {
    if (n < 0 || n > kMaxPow) return false;
    return !__builtin_mul_overflow(c, kPow.v[n], &out);
}

// n / d rounded to an integer by `mode`; d > 0.
Int128 DivRound(Int128 n, Int128 d, RoundingMode mode) {
    Int128 q = n / d;
    Int128 r = n % d;
    if (r == 0) return q;
    Int128 ar = r < 0 ? -r : r;
    Int128 rest = d - ar;  // compare ar with d/2 without overflowing 2*ar
    bool away = false;
    switch (mode) {
        case RoundingMode::kTowardZero:
            away = false;
            break;
        case RoundingMode::kHalfUp:
            away = ar >= rest;
            break;
        case RoundingMode::kHalfEven:
            away = ar > rest || (ar == rest && (q % 2) != 0);
            break;
    }
    if (away) q += (n < 0) ? -1 : 1;
    return q;
}

}  // namespace

std::optional<Decimal> Decimal::FromUnits(Int128 coefficient, int scale) {
    if (scale < 0 || scale > kMaxScale || !InRange(coefficient)) return std::nullopt;
    return Decimal(coefficient, scale);
}

std::optional<Decimal> Decimal::Parse(std::string_view text) {
    std::size_t i = 0;
    bool negative = false;
    if (i < text.size() && text[i] == '-') {
        negative = true;
        ++i;
    }
    Int128 coef = 0;
    int int_digits = 0;
    int frac_digits = 0;
    bool dot = false;
    for (; i < text.size(); ++i) {
        char ch = text[i];
        if (ch == '.') {
            if (dot || int_digits == 0) return std::nullopt;
            dot = true;
            continue;
        }
        if (ch < '0' || ch > '9') return std::nullopt;
        coef = coef * 10 + (ch - '0');
        if (coef > kMaxCoefficient) return std::nullopt;
        if (dot) {
            ++frac_digits;
        } else {
            ++int_digits;
        }
    }
    if (int_digits == 0 || (dot && frac_digits == 0) || frac_digits > kMaxScale) return std::nullopt;
    return Decimal(negative ? -coef : coef, frac_digits);
}

std::string Decimal::ToString() const {
    Int128 v = coef_ < 0 ? -coef_ : coef_;
    std::string digits;
    do {
        digits.push_back(static_cast<char>('0' + static_cast<int>(v % 10)));
        v /= 10;
    } while (v != 0);
    while (static_cast<int>(digits.size()) <= scale_) digits.push_back('0');
    std::string out;
    out.reserve(digits.size() + 2);
    if (coef_ < 0) out.push_back('-');
    for (std::size_t k = digits.size(); k-- > 0;) {
        out.push_back(digits[k]);
        if (static_cast<int>(k) == scale_ && k != 0) out.push_back('.');
    }
    return out;
}

std::optional<Decimal> Decimal::Add(const Decimal& a, const Decimal& b) {
    int s = std::max(a.scale_, b.scale_);
    Int128 ca = 0;
    Int128 cb = 0;
    Int128 sum = 0;
    if (!ScaleUp(a.coef_, s - a.scale_, ca) || !ScaleUp(b.coef_, s - b.scale_, cb)) return std::nullopt;
    if (__builtin_add_overflow(ca, cb, &sum) || !InRange(sum)) return std::nullopt;
    return Decimal(sum, s);
}

std::optional<Decimal> Decimal::Sub(const Decimal& a, const Decimal& b) { return Add(a, b.Negate()); }

std::optional<Decimal> Decimal::Mul(const Decimal& a, const Decimal& b) {
    Int128 p = 0;
    if (__builtin_mul_overflow(a.coef_, b.coef_, &p)) return std::nullopt;
    int s = a.scale_ + b.scale_;
    while (s > kMaxScale && p % 10 == 0) {
        p /= 10;
        --s;
    }
    if (s > kMaxScale || !InRange(p)) return std::nullopt;
    return Decimal(p, s);
}

std::optional<Decimal> Decimal::Divide(const Decimal& a, const Decimal& b, int scale, RoundingMode mode) {
    if (b.coef_ == 0 || scale < 0 || scale > kMaxScale) return std::nullopt;
    // a/b * 10^scale = (ca * 10^(scale + sb - sa)) / cb
    Int128 n = a.coef_;
    Int128 d = b.coef_;
    if (d < 0) {
        d = -d;
        n = -n;
    }
    int e = scale + b.scale_ - a.scale_;
    if (e >= 0) {
        if (!ScaleUp(n, e, n)) return std::nullopt;
    } else {
        if (!ScaleUp(d, -e, d)) return std::nullopt;
    }
    Int128 q = DivRound(n, d, mode);
    if (!InRange(q)) return std::nullopt;
    return Decimal(q, scale);
}

std::optional<Decimal> Decimal::Round(int scale, RoundingMode mode) const {
    if (scale < 0 || scale > kMaxScale) return std::nullopt;
    if (scale >= scale_) {
        Int128 c = 0;
        if (!ScaleUp(coef_, scale - scale_, c) || !InRange(c)) return std::nullopt;
        return Decimal(c, scale);
    }
    return Decimal(DivRound(coef_, kPow.v[scale_ - scale], mode), scale);
}

std::optional<Decimal> Decimal::ShiftRight(int n) const {
    if (n < 0) return std::nullopt;
    Int128 c = coef_;
    int s = scale_ + n;
    while (s > kMaxScale && c % 10 == 0 && c != 0) {
        c /= 10;
        --s;
    }
    if (c == 0) s = std::min(s, kMaxScale);
    if (s > kMaxScale) return std::nullopt;
    return Decimal(c, s);
}

std::strong_ordering operator<=>(const Decimal& a, const Decimal& b) {
    // Integer parts first, then the fractions aligned to kMaxScale digits: no overflow is possible.
    Int128 ia = a.coef_ / kPow.v[a.scale_];
    Int128 ib = b.coef_ / kPow.v[b.scale_];
    if (ia != ib) return ia < ib ? std::strong_ordering::less : std::strong_ordering::greater;
    Int128 fa = (a.coef_ % kPow.v[a.scale_]) * kPow.v[Decimal::kMaxScale - a.scale_];
    Int128 fb = (b.coef_ % kPow.v[b.scale_]) * kPow.v[Decimal::kMaxScale - b.scale_];
    if (fa == fb) return std::strong_ordering::equal;
    return fa < fb ? std::strong_ordering::less : std::strong_ordering::greater;
}

}  // namespace customsdesk::core

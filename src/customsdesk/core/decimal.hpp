// core::Decimal: an exact fixed-point decimal for money, rates and quantities — never a binary double.
//
// value = coefficient * 10^-scale, with 0 <= scale <= kMaxScale and |coefficient| <= kMaxCoefficient.
// The scale is kept as written or computed ("12.30" has scale 2 and prints "12.30"); comparison and
// equality are by value (12.3 == 12.30). Add, Sub and Mul are exact and return std::nullopt when the
// exact result would leave the range (never a silently rounded value). Round and Divide round exactly
// once, at the requested scale, with an explicit RoundingMode.
//
// Text form (Parse/ToString): optional '-', one or more digits, optionally '.' and one or more digits;
// no exponent, no '+', no spaces, no grouping. "-0" and "-0.00" are zero (there is no negative zero).
//
// Unlike rules::Decimal (the FEEL number: floating, 34 significant digits, rounds half-even on every
// operation) this type never rounds implicitly, which is what money needs.
// Thread-safety: a plain value type, no shared state.
#pragma once

#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace customsdesk::core {

enum class RoundingMode {
    kHalfUp,      // ties away from zero ("commercial rounding"): 0.005 -> 0.01, -0.005 -> -0.01
    kHalfEven,    // ties to the even neighbour ("banker's rounding"): 0.005 -> 0.00, 0.015 -> 0.02
    kTowardZero,  // truncation: 0.019 -> 0.01, -0.019 -> -0.01
};

class Decimal {
public:
    __extension__ typedef __int128 Int128;

    static constexpr int kMaxScale = 18;
    // 10^36 - 1: leaves headroom in 128 bits for aligning scales and rounding.
    static constexpr Int128 kMaxCoefficient = static_cast<Int128>(1'000'000'000'000'000'000ULL) *
                                                  static_cast<Int128>(1'000'000'000'000'000'000ULL) -
                                              1;

    constexpr Decimal() = default;  // 0 (scale 0)
    static Decimal FromInt(std::int64_t v) { return Decimal(v, 0); }
    // coefficient * 10^-scale; nullopt when out of range.
    static std::optional<Decimal> FromUnits(Int128 coefficient, int scale);
    // Plain notation only (see the header comment); nullopt for anything else, more than kMaxScale
    // decimals or a coefficient beyond kMaxCoefficient.
    static std::optional<Decimal> Parse(std::string_view text);

    // Plain notation with exactly scale() decimals: "12.30", "-0.05", "7".
    [[nodiscard]] std::string ToString() const;
    [[nodiscard]] Int128 coefficient() const { return coef_; }
    [[nodiscard]] int scale() const { return scale_; }
    [[nodiscard]] bool IsZero() const { return coef_ == 0; }
    [[nodiscard]] bool IsNegative() const { return coef_ < 0; }
    [[nodiscard]] Decimal Negate() const { return Decimal(-coef_, scale_); }

    static std::optional<Decimal> Add(const Decimal& a, const Decimal& b);  // scale = max of both
    static std::optional<Decimal> Sub(const Decimal& a, const Decimal& b);
    // Exact product; scale = sum of both (trailing zeros dropped if that is needed to fit kMaxScale).
    static std::optional<Decimal> Mul(const Decimal& a, const Decimal& b);
    // a / b rounded once to `scale` decimals (0..kMaxScale); nullopt for b == 0 or overflow.
    static std::optional<Decimal> Divide(const Decimal& a, const Decimal& b, int scale, RoundingMode mode);
    // This value at `scale` decimals (0..kMaxScale): exact when scale >= scale(), else rounded by `mode`.
    [[nodiscard]] std::optional<Decimal> Round(int scale, RoundingMode mode) const;
    // Multiplies by 10^-n exactly (n >= 0), e.g. a percentage to a fraction: 25.5 -> 0.255.
    [[nodiscard]] std::optional<Decimal> ShiftRight(int n) const;

    friend std::strong_ordering operator<=>(const Decimal& a, const Decimal& b);
    friend bool operator==(const Decimal& a, const Decimal& b) { return (a <=> b) == 0; }

private:
    constexpr Decimal(Int128 c, int s) : coef_(c), scale_(s) {}
    Int128 coef_ = 0;
    int scale_ = 0;
};

}  // namespace customsdesk::core

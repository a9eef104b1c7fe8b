// Decimal: the FEEL number type, an exact decimal floating-point value with 34 significant digits
// (the precision of IEEE 754 decimal128), never a binary double.
//
// Representation: a signed 128-bit coefficient with |coefficient| < 10^34 and a base-ten exponent;
// value = coefficient * 10^exponent. Values are kept canonical (trailing zeros stripped), so two
// equal numbers have identical representations and `operator==` is a plain member comparison.
// Arithmetic rounds half-even to 34 significant digits. Operations that can fail (division by zero,
// exponent overflow) return std::nullopt; FEEL maps that to null.
// Thread-safety: a plain value type; no shared state.
#pragma once

#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace customsdesk::rules {

__extension__ typedef __int128 Int128;
__extension__ typedef unsigned __int128 UInt128;

enum class RoundingMode { kHalfEven, kHalfUp, kHalfDown, kUp, kDown, kFloor, kCeiling };

class Decimal {
public:
    static constexpr int kDigits = 34;
    static constexpr int kMaxExponent = 6111;
    static constexpr int kMinExponent = -6176;

    constexpr Decimal() = default;
    static Decimal FromInt(int64_t v);
    // Parses "12", "-1.5", "1.23e-4", ".5". Returns nullopt for anything else or out-of-range exponents.
    static std::optional<Decimal> Parse(std::string_view text);
    // Shortest round-trip decimal form of a binary double; nullopt for NaN/infinity.
    static std::optional<Decimal> FromDouble(double v);
    // Builds coefficient * 10^exponent, rounding to 34 digits; nullopt on overflow.
    static std::optional<Decimal> Make(Int128 coefficient, int64_t exponent);

    [[nodiscard]] std::string ToString() const;  // plain notation, e.g. "12300", "-0.0001"
    [[nodiscard]] double ToDouble() const;
    [[nodiscard]] std::optional<int64_t> ToInt64() const;  // only when integral and in range
    [[nodiscard]] bool IsZero() const { return coef_ == 0; }
    [[nodiscard]] bool IsNegative() const { return coef_ < 0; }
    [[nodiscard]] bool IsInteger() const { return exp_ >= 0; }
    [[nodiscard]] Int128 coefficient() const { return coef_; }
    [[nodiscard]] int32_t exponent() const { return exp_; }
    // Number of decimal places (0 for integers).
    [[nodiscard]] int Scale() const { return exp_ < 0 ? -exp_ : 0; }

    [[nodiscard]] Decimal Negate() const;
    [[nodiscard]] Decimal Abs() const { return coef_ < 0 ? Negate() : *this; }
    static std::optional<Decimal> Add(const Decimal& a, const Decimal& b);
    static std::optional<Decimal> Sub(const Decimal& a, const Decimal& b) { return Add(a, b.Negate()); }
    static std::optional<Decimal> Mul(const Decimal& a, const Decimal& b);
    static std::optional<Decimal> Div(const Decimal& a, const Decimal& b);
    // a ** n for an integral n with |n| <= 999999999.
    static std::optional<Decimal> PowInt(const Decimal& a, int64_t n);
    // Rounds to `scale` decimal places (negative scale rounds to tens, hundreds, ...).
    [[nodiscard]] std::optional<Decimal> Round(int64_t scale, RoundingMode mode) const;
    // Square root to 34 digits (Newton iteration in decimal); nullopt for negative input.
    [[nodiscard]] std::optional<Decimal> Sqrt() const;

    friend std::strong_ordering operator<=>(const Decimal& a, const Decimal& b);
    friend bool operator==(const Decimal& a, const Decimal& b) = default;

private:
    constexpr Decimal(Int128 c, int32_t e) : coef_(c), exp_(e) {}
    Int128 coef_ = 0;
    int32_t exp_ = 0;
};

}  // namespace customsdesk::rules

// The random sample of selectivity: a reproducible, keyed draw per declaration.
//
// Rates are parts per million (1 % = 10000 ppm) for red and yellow; red + yellow <= 1,000,000.
// The draw for a declaration is
//     h = SplitMix64(SplitMix64(key XOR FNV-1a-64(identity)))
//     d = floor(h * 1,000,000 / 2^64)            -- uniform in [0, 1,000,000)
//     d <  red_ppm                 -> red
//     d <  red_ppm + yellow_ppm    -> yellow
//     otherwise                    -> no sample
// where SplitMix64 is the finaliser of Steele, Lea and Flood (2014, the java.util.SplittableRandom
// mixer: add 0x9E3779B97F4A7C15, then xor-shift-multiply by 0xBF58476D1CE4E5B9 and
// 0x94D049BB133111EB), `key` is the configured 64-bit sample key and `identity` the declaration's
// stable identity (its MRN/LRN or id). The same key and identity always give the same draw (a
// reassessment cannot "re-roll"), while a trader who does not know the key cannot predict it.
// Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "customsdesk/selectivity/subject.hpp"

namespace customsdesk::selectivity {

inline constexpr std::uint32_t kPpm = 1'000'000;

struct SampleRates {
    std::uint32_t red_ppm = 10'000;     // 1 %
    std::uint32_t yellow_ppm = 20'000;  // 2 %
    std::uint64_t key = 0x5EEDC0DE5EEDC0DEull;
};

struct SampleDraw {
    std::uint32_t value = 0;       // d in [0, 1e6)
    std::optional<Lane> lane;      // red or yellow when sampled
    std::uint32_t red_ppm = 0;     // the rates the draw was compared with
    std::uint32_t yellow_ppm = 0;
};

std::uint64_t SplitMix64(std::uint64_t x);
std::uint64_t Fnv1a64(std::string_view bytes);
SampleDraw DrawSample(const SampleRates& rates, std::string_view identity);

}  // namespace customsdesk::selectivity

// The random sample: known values of the mixer, determinism, bounds, and convergence of the sampled
// share to the configured rates over 100,000 declarations (tolerance from the binomial standard
// deviation; the key is fixed, so the test is deterministic).
#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "customsdesk/selectivity/profile.hpp"
#include "customsdesk/selectivity/sampler.hpp"

namespace customsdesk::selectivity {
namespace {

TEST(Sampler, SplitMix64MatchesTheReferenceSequence) {
    // First outputs of SplitMix64 seeded with 0 (state advanced by the golden gamma each step).
    EXPECT_EQ(SplitMix64(0), 0xE220A8397B1DCDAFull);
    EXPECT_EQ(SplitMix64(0x9E3779B97F4A7C15ull), 0x6E789E6AA1B965F4ull);
}

TEST(Sampler, Fnv1aMatchesTheReference) {
    EXPECT_EQ(Fnv1a64(""), 0xCBF29CE484222325ull);
    EXPECT_EQ(Fnv1a64("a"), 0xAF63DC4C8601EC8Cull);
}

TEST(Sampler, TheSameKeyAndIdentityGiveTheSameDraw) {
    SampleRates r{10'000, 20'000, 42};
    for (int i = 0; i < 100; ++i) {
        const std::string id = "26FI000000000" + std::to_string(i);
        EXPECT_EQ(DrawSample(r, id).value, DrawSample(r, id).value);
    }
    SampleRates other = r;
    other.key = 43;
    int same = 0;
    for (int i = 0; i < 100; ++i) {
        const std::string id = "26FI000000000" + std::to_string(i);
        same += DrawSample(r, id).value == DrawSample(other, id).value;
    }
    EXPECT_LT(same, 3);  // another key, another sample
}

TEST(Sampler, RatesOfZeroAndOneHundredPercent) {
    for (int i = 0; i < 1000; ++i) {
        const std::string id = std::to_string(i);
        EXPECT_FALSE(DrawSample({0, 0, 7}, id).lane);
        EXPECT_EQ(DrawSample({kPpm, 0, 7}, id).lane, Lane::kRed);
        EXPECT_EQ(DrawSample({0, kPpm, 7}, id).lane, Lane::kYellow);
    }
}

TEST(Sampler, SampledSharesConvergeToTheRates) {
    constexpr int kN = 100'000;
    const SampleRates rates{10'000, 20'000, 0x0123456789ABCDEFull};  // 1 % red, 2 % yellow
    int red = 0, yellow = 0;
    for (int i = 0; i < kN; ++i) {
        auto d = DrawSample(rates, "26FI" + std::to_string(1'000'000 + i));
        if (d.lane == Lane::kRed) ++red;
        if (d.lane == Lane::kYellow) ++yellow;
    }
    auto check = [](int count, double p) {
        const double mean = kN * p;
        const double sd = std::sqrt(kN * p * (1 - p));
        EXPECT_LE(std::abs(count - mean), 4 * sd) << count << " vs " << mean << " +- 4*" << sd;
    };
    check(red, 0.01);
    check(yellow, 0.02);
}

TEST(Sampler, TheSampleOnlyRaisesTheLane) {
    // An empty profile set: every declaration is green unless sampled; with 100 % red every one is red.
    ProfileSet empty = ProfileSet::Compile({});
    Subject s;
    s.identity = "x";
    auto d = empty.Evaluate(s, {kPpm, 0, 1});
    EXPECT_EQ(d.lane, Lane::kRed);
    EXPECT_EQ(d.rule_lane, Lane::kGreen);
    EXPECT_EQ(d.source, DecisionSource::kRandomSample);
    EXPECT_NE(d.ExplanationJson().find("random sample"), std::string::npos);
    d = empty.Evaluate(s, {0, 0, 1});
    EXPECT_EQ(d.lane, Lane::kGreen);
    EXPECT_EQ(d.source, DecisionSource::kNoHit);
}

}  // namespace
}  // namespace customsdesk::selectivity

// The bottleneck attribution (sim/stats/limiters.h) on constructed timelines: every cycle of a
// layer goes to exactly one cause, the first in the order that was in progress.
#include <gtest/gtest.h>

#include <random>

#include "sim/stats/limiters.h"

namespace npu::stats {
namespace {

using Causes = std::array<std::vector<Interval>, kLimiters>;

std::vector<Interval>& of(Causes& c, Limiter l) { return c[static_cast<size_t>(l)]; }

TEST(Limiters, EveryCycleGoesToTheFirstCauseInProgress) {
    // Layer [100, 200). The array streams [100, 130) and [160, 170); its tiles span [100, 140)
    // and [150, 175) (fill/drain outside the streams); DMA slots are full [120, 190) and the
    // DRAM holds a request back [125, 150).
    Causes c;
    of(c, Limiter::kCompute) = {{100, 130}, {160, 170}};
    of(c, Limiter::kFillPreload) = {{100, 140}, {150, 175}};
    of(c, Limiter::kDramBandwidth) = {{125, 150}};
    of(c, Limiter::kDmaLatency) = {{120, 190}};
    const LimiterCycles r = attribute(c, 100, 200);
    EXPECT_EQ(r.at(Limiter::kCompute), 40u);        // 30 + 10
    EXPECT_EQ(r.at(Limiter::kFillPreload), 25u);    // [130,140) + [150,160) + [170,175)
    EXPECT_EQ(r.at(Limiter::kDramBandwidth), 10u);  // [140,150): the rest of [125,150) is taken
    EXPECT_EQ(r.at(Limiter::kDmaLatency), 15u);     // [175,190)
    EXPECT_EQ(r.at(Limiter::kDependency), 10u);     // [190,200): nothing in progress
    EXPECT_EQ(r.total(), 100u);                     // the layer's cycles, exactly
    EXPECT_EQ(r.top(), Limiter::kCompute);
}

TEST(Limiters, IntervalsAreClippedToTheLayerAndOverlapsCountOnce) {
    // Two DMA channels full at once, partly before the layer starts: 50 cycles, not 90.
    Causes c;
    of(c, Limiter::kDmaLatency) = {{0, 40}, {10, 60}, {30, 50}};
    const LimiterCycles r = attribute(c, 10, 80);
    EXPECT_EQ(r.at(Limiter::kDmaLatency), 50u);  // [10, 60)
    EXPECT_EQ(r.at(Limiter::kDependency), 20u);  // [60, 80)
    EXPECT_EQ(r.top(), Limiter::kDmaLatency);
}

TEST(Limiters, ATieGoesToTheEarlierCauseAndNoCyclesIsADependency) {
    Causes c;
    of(c, Limiter::kFillPreload) = {{0, 5}};
    of(c, Limiter::kVectorPpu) = {{5, 10}};
    EXPECT_EQ(attribute(c, 0, 10).top(), Limiter::kFillPreload);
    EXPECT_EQ(attribute(c, 7, 7).total(), 0u);
    EXPECT_EQ(LimiterCycles{}.top(), Limiter::kDependency);
}

TEST(Limiters, TheLogMergesTouchingIntervalsAndFreesALayerWhenItCloses) {
    LimiterLog log(2);
    // Back-to-back tiles of layer 0: one interval [0, 30); a gap, then [40, 50).
    log.add(0, Limiter::kCompute, 0, 10);
    log.add(0, Limiter::kCompute, 10, 20);
    log.add(0, Limiter::kCompute, 15, 30);
    log.add(0, Limiter::kCompute, 40, 50);
    log.add(0, Limiter::kDmaIssue, 25, 45);
    log.add(0, Limiter::kBankConflict, 9, 9);  // empty: nothing
    log.add(1, Limiter::kVectorPpu, 60, 70);
    const LimiterCycles r = log.close_layer(0, 0, 55);
    EXPECT_EQ(r.at(Limiter::kCompute), 40u);   // [0,30) + [40,50)
    EXPECT_EQ(r.at(Limiter::kDmaIssue), 10u);  // [30,40)
    EXPECT_EQ(r.at(Limiter::kBankConflict), 0u);
    EXPECT_EQ(r.at(Limiter::kDependency), 5u);  // [50,55)
    // Closed: its intervals are gone; layer 1 kept its own.
    EXPECT_EQ(log.close_layer(0, 0, 55).at(Limiter::kDependency), 55u);
    EXPECT_EQ(log.close_layer(1, 60, 80).at(Limiter::kVectorPpu), 10u);
}

// The sweep equals charging each cycle on its own to the first cause with an interval holding
// it, on random timelines: overlapping, touching, unsorted, reaching outside the layer.
TEST(Limiters, TheSweepEqualsACycleByCycleReference) {
    std::mt19937 rng(7);
    for (int trial = 0; trial < 500; ++trial) {
        Causes c;
        const uint64_t start = rng() % 50, end = start + rng() % 300;
        for (size_t i = 0; i < kLimiters; ++i) {
            const int n = static_cast<int>(rng() % 12);
            for (int k = 0; k < n; ++k) {
                const uint64_t b = rng() % 400;
                c[i].push_back({b, b + rng() % 40});  // some empty
            }
        }
        LimiterCycles reference;
        for (uint64_t t = start; t < end; ++t) {
            size_t who = kLimiters - 1;
            for (size_t i = 0; i + 1 < kLimiters && who == kLimiters - 1; ++i) {
                for (const Interval& x : c[i]) {
                    if (x.begin <= t && t < x.end) who = i;
                }
            }
            ++reference.cycles[who];
        }
        const LimiterCycles r = attribute(c, start, end);
        ASSERT_EQ(r.cycles, reference.cycles) << "trial " << trial;
        // The log gives the same, its intervals noted in any order.
        LimiterLog log(1);
        for (size_t i = 0; i < kLimiters; ++i) {
            for (const Interval& x : c[i]) log.add(0, static_cast<Limiter>(i), x.begin, x.end);
        }
        ASSERT_EQ(log.close_layer(0, start, end).cycles, reference.cycles) << "trial " << trial;
    }
}

TEST(Limiters, NamesAndSumsOfRows) {
    EXPECT_STREQ(to_string(Limiter::kDmaLatency), "dma-latency");
    EXPECT_STREQ(to_string(Limiter::kFillPreload), "fill/preload");
    EXPECT_STREQ(to_string(Limiter::kDependency), "dependency");
    LimiterCycles a, b;
    a.cycles[0] = 3;
    b.cycles[0] = 4;
    b.cycles[5] = 10;
    a += b;
    EXPECT_EQ(a.at(Limiter::kCompute), 7u);
    EXPECT_EQ(a.at(Limiter::kDmaLatency), 10u);
    EXPECT_EQ(a.total(), 17u);
}

}  // namespace
}  // namespace npu::stats

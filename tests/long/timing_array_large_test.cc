// The fast (closed-form) array model equals the PE-level reference at the bundled chips' sizes
// (16x16, 64x32, 256x256) and non-square shapes (32x64, 48x16): random tile sequences with partial
// tiles, both dataflows, both pipelinings, stretched precisions (cycles_per_mac 2 and 4: timing
// only, as the compute engine calls it), every TileTiming equal and, at int8, equal products.
// Slow (the PE model moves every register of up to 65,536 PEs every cycle): ctest label `long`,
// run by CI's Release pass (`ctest -L long`), not by the default test run.
#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "sim/timing/array_model.h"

namespace npu::timing {
namespace {

struct Case {
    int rows, cols, tiles;
};

void run_case(Dataflow df, Pipelining pl, const Case& c, uint32_t seed) {
    const ArrayGeometry g{c.rows, c.cols, df, pl};
    auto fast = make_fast_array(g);
    auto pe = make_pe_array(g);
    std::mt19937 rng(seed);
    auto uni = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
    const bool ws = df == Dataflow::kWeightStationary;
    const int free_max = 2 * c.rows + c.cols + 4;  // past the back-to-back threshold 2R + C
    for (int t = 0; t < c.tiles; ++t) {
        TileShape s;
        const int pick = uni(0, 9);
        (ws ? s.m : s.k) = pick == 0 ? 1 : uni(1, free_max);
        (ws ? s.k : s.m) = pick == 1 ? c.rows : uni(1, c.rows);  // partial tiles mostly
        s.n = pick == 2 ? c.cols : uni(1, c.cols);
        const int cpm = uni(0, 5) == 0 ? (uni(0, 1) == 0 ? 2 : 4) : 1;
        const TileShape timed = scaled_for_precision(s, ws, cpm);
        const TileTiming free = fast->plan(timed, 0);
        uint64_t earliest = 0;
        switch (uni(0, 4)) {
            case 0:
                earliest = free.start;
                break;
            case 1:
                earliest = free.start + static_cast<uint64_t>(uni(1, 3 * c.rows));
                break;
            default:
                earliest = 0;  // the array is the bottleneck
        }
        std::vector<int8_t> a(static_cast<size_t>(s.m) * static_cast<size_t>(s.k));
        std::vector<int8_t> w(static_cast<size_t>(s.k) * static_cast<size_t>(s.n));
        for (auto& v : a) v = static_cast<int8_t>(uni(-128, 127));
        for (auto& v : w) v = static_cast<int8_t>(uni(-128, 127));
        std::vector<int32_t> of(static_cast<size_t>(s.m) * static_cast<size_t>(s.n), 1);
        std::vector<int32_t> op(of.size(), -1);
        const TileData fd{a.data(), s.k, w.data(), s.n, of.data(), s.n};
        const TileData pd{a.data(), s.k, w.data(), s.n, op.data(), s.n};
        const bool data = cpm == 1 && uni(0, 1) == 0;
        const TileTiming ft = fast->issue(timed, earliest, data ? &fd : nullptr);
        const TileTiming pt = pe->issue(timed, earliest, data ? &pd : nullptr);
        ASSERT_EQ(ft, pt) << to_string(df) << "/" << to_string(pl) << " " << c.rows << "x" << c.cols
                          << " tile " << t << " m=" << timed.m << " k=" << timed.k
                          << " n=" << timed.n << " earliest=" << earliest;
        if (data) {
            ASSERT_EQ(of, op) << "tile " << t;
        }
    }
}

class LargeArrayEquivalence
    : public ::testing::TestWithParam<std::tuple<Dataflow, Pipelining, Case>> {};

TEST_P(LargeArrayEquivalence, FastEqualsPe) {
    const auto [df, pl, c] = GetParam();
    run_case(df, pl, c,
             static_cast<uint32_t>(c.rows * 131 + c.cols * 7 + static_cast<int>(df) * 3 +
                                   static_cast<int>(pl)));
}

INSTANTIATE_TEST_SUITE_P(
    Chips, LargeArrayEquivalence,
    ::testing::Combine(::testing::Values(Dataflow::kWeightStationary, Dataflow::kOutputStationary),
                       ::testing::Values(Pipelining::kNone, Pipelining::kOverlap),
                       ::testing::Values(Case{16, 16, 400}, Case{64, 32, 200}, Case{32, 64, 200},
                                         Case{48, 16, 200}, Case{256, 256, 3})),
    [](const auto& param_info) {
        const Case c = std::get<2>(param_info.param);
        return std::string(std::get<0>(param_info.param) == Dataflow::kWeightStationary ? "Ws"
                                                                                        : "Os") +
               (std::get<1>(param_info.param) == Pipelining::kNone ? "None" : "Overlap") + "_" +
               std::to_string(c.rows) + "x" + std::to_string(c.cols);
    });

}  // namespace
}  // namespace npu::timing

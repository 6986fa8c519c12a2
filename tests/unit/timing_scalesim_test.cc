// array.timing: scalesim: SCALE-Sim v2's accounting (folds never overlap, each charged in full,
// os without the drain), its closed form equal to its PE-level form, and SCALE-Sim's published
// GEMM numbers.
#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <vector>

#include "sim/timing/array_model.h"

namespace npu::timing {
namespace {

ArrayGeometry scalesim(int rows, int cols, Dataflow df) {
    ArrayGeometry g{rows, cols, df, Pipelining::kOverlap, ArrayTiming::kScaleSim};
    return g;
}

// The layer's folds back to back from cycle 0; SCALE-Sim reports the index of the last cycle.
uint64_t last_cycle_index(ArrayModel& a, const std::vector<TileShape>& folds) {
    uint64_t end = 0;
    for (const TileShape& f : folds) end = a.issue(f, 0, nullptr).out_end;
    return end - 1;
}

TEST(ScaleSimTiming, PublishedGemm64On32x32) {
    // M = N = K = 64 on 32 x 32: 2 x 2 folds.
    // os: each fold K + R + C - 2 = 64 + 32 + 32 - 2 = 126 cycles; 4 x 126 = 504 -> index 503.
    // ws: each fold M + 2R + C - 2 = 64 + 64 + 32 - 2 = 158 cycles; 4 x 158 = 632 -> index 631.
    for (const bool pe : {false, true}) {
        const ArrayGeometry os = scalesim(32, 32, Dataflow::kOutputStationary);
        auto a = pe ? make_pe_array(os) : make_fast_array(os);
        EXPECT_EQ(last_cycle_index(*a, std::vector<TileShape>(4, {32, 64, 32})), 503u) << pe;
        const ArrayGeometry ws = scalesim(32, 32, Dataflow::kWeightStationary);
        auto b = pe ? make_pe_array(ws) : make_fast_array(ws);
        EXPECT_EQ(last_cycle_index(*b, std::vector<TileShape>(4, {64, 32, 32})), 631u) << pe;
    }
}

TEST(ScaleSimTiming, PartialFoldsAreChargedInFullAndNeverOverlap) {
    // os on 8 x 8, a 5 x 3 corner with K = 10: still K + R + C - 2 = 10 + 8 + 8 - 2 = 24.
    auto os = make_fast_array(scalesim(8, 8, Dataflow::kOutputStationary));
    EXPECT_EQ(os->issue({5, 10, 3}, 0, nullptr).out_end, 24u);
    // The next fold starts when this one is counted done (24), even if ready at 0.
    EXPECT_EQ(os->issue({8, 10, 8}, 0, nullptr).start, 24u);
    // ws on 8 x 4, k = 2 of 8 rows and n = 1 of 4 columns, M = 7: 7 + 16 + 4 - 2 = 25.
    auto ws = make_fast_array(scalesim(8, 4, Dataflow::kWeightStationary));
    EXPECT_EQ(ws->issue({7, 2, 1}, 5, nullptr).out_end, 5u + 25u);
}

TEST(ScaleSimTiming, DiffersFromNpusimsUnpipelinedArrayByTheDrainOnly) {
    // For one full fold from cycle 0: ws one cycle less, os R cycles less (the drain).
    for (const auto df : {Dataflow::kWeightStationary, Dataflow::kOutputStationary}) {
        const int R = 12, C = 5;
        ArrayGeometry native{R, C, df, Pipelining::kNone, ArrayTiming::kNpusim};
        const TileShape full =
            df == Dataflow::kWeightStationary ? TileShape{9, R, C} : TileShape{R, 9, C};
        const uint64_t a = make_fast_array(native)->issue(full, 0, nullptr).out_end;
        const uint64_t b = make_fast_array(scalesim(R, C, df))->issue(full, 0, nullptr).out_end;
        EXPECT_EQ(a - b, df == Dataflow::kWeightStationary ? 1u : uint64_t{R});
    }
}

// The closed form equals the PE-level form (each fold padded to the full array on a fresh
// PE-level array, end moved by the constant) in every window and in the data, over random folds.
TEST(ScaleSimTiming, ClosedFormEqualsPeLevelForm) {
    std::mt19937 rng(7);
    auto draw = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
    for (int trial = 0; trial < 40; ++trial) {
        const Dataflow df =
            trial % 2 == 0 ? Dataflow::kWeightStationary : Dataflow::kOutputStationary;
        const ArrayGeometry g = scalesim(draw(1, 9), draw(1, 9), df);
        auto fast = make_fast_array(g);
        auto pe = make_pe_array(g);
        uint64_t ready = 0;
        for (int t = 0; t < 6; ++t) {
            TileShape s;
            s.n = draw(1, g.cols);
            if (df == Dataflow::kWeightStationary) {
                s.k = draw(1, g.rows);
                s.m = draw(1, 20);
            } else {
                s.m = draw(1, g.rows);
                s.k = draw(1, 20);
            }
            std::vector<int8_t> a(static_cast<size_t>(s.m * s.k)),
                w(static_cast<size_t>(s.k * s.n));
            for (auto& v : a) v = static_cast<int8_t>(draw(-128, 127));
            for (auto& v : w) v = static_cast<int8_t>(draw(-128, 127));
            std::vector<int32_t> of(static_cast<size_t>(s.m * s.n)), op(of.size());
            const TileData df_{a.data(), s.k, w.data(), s.n, of.data(), s.n};
            const TileData dp{a.data(), s.k, w.data(), s.n, op.data(), s.n};
            ready += static_cast<uint64_t>(draw(0, 30));
            EXPECT_EQ(fast->plan(s, ready), pe->plan(s, ready));
            const TileTiming tf = fast->issue(s, ready, &df_);
            const TileTiming tp = pe->issue(s, ready, &dp);
            ASSERT_EQ(tf, tp) << "trial " << trial << " tile " << t;
            EXPECT_EQ(of, op);
        }
    }
}

}  // namespace
}  // namespace npu::timing

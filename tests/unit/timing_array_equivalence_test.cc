// The fast (closed-form) array model against the PE-level reference: for every dataflow and
// pipelining mode, several array sizes (square and not), random tile sequences with random
// `earliest` values (in the past, exactly at the model's own lower bound, far ahead), both models
// must give the same TileTiming for every tile, identical products, and plan() == issue().
#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "sim/timing/array_model.h"

namespace npu::timing {
namespace {

std::string describe(const TileTiming& t) {
    return "start=" + std::to_string(t.start) + " w=[" + std::to_string(t.weight_begin) + "," +
           std::to_string(t.weight_end) + ") s=[" + std::to_string(t.stream_begin) + "," +
           std::to_string(t.stream_end) + ") out=[" + std::to_string(t.out_begin) + "," +
           std::to_string(t.out_end) + ")";
}

struct Case {
    int rows;
    int cols;
    int tiles;
};

void run_equivalence(Dataflow df, Pipelining pl, const Case& c, uint32_t seed) {
    ArrayGeometry g{c.rows, c.cols, df, pl};
    auto fast = make_fast_array(g);
    auto pe = make_pe_array(g);
    std::mt19937 rng(seed);
    auto uni = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
    const bool ws = df == Dataflow::kWeightStationary;
    uint64_t last_start = 0;
    for (int t = 0; t < c.tiles; ++t) {
        TileShape s;
        // Free dimension (ws m / os k) up to beyond the back-to-back threshold 2R+C.
        const int free_max = 2 * c.rows + c.cols + 4;
        const int pick = uni(0, 9);
        if (ws) {
            s.m = pick == 0 ? 1 : uni(1, free_max);
            s.k = pick == 1 ? 1 : uni(1, c.rows);
            s.n = pick == 2 ? c.cols : uni(1, c.cols);
        } else {
            s.k = pick == 0 ? 1 : uni(1, free_max);
            s.m = pick == 1 ? 1 : uni(1, c.rows);
            s.n = pick == 2 ? c.cols : uni(1, c.cols);
        }
        // earliest: mostly in the past (the array is the bottleneck), sometimes exactly at the
        // array's own lower bound or one cycle either side, sometimes far ahead.
        const TileTiming unconstrained = fast->plan(s, 0);
        uint64_t earliest = 0;
        switch (uni(0, 7)) {
            case 0:
            case 1:
            case 2:
                earliest = uni(0, 1) == 0 ? 0 : last_start;
                break;
            case 3:
                earliest = unconstrained.start;
                break;
            case 4:
                earliest = unconstrained.start + 1;
                break;
            case 5:
                earliest = unconstrained.start > 0 ? unconstrained.start - 1 : 0;
                break;
            case 6:
                earliest = unconstrained.start + static_cast<uint64_t>(uni(1, 40));
                break;
            default:
                earliest = unconstrained.start + 100000u + static_cast<uint64_t>(uni(0, 9));
        }
        std::vector<int8_t> a(static_cast<size_t>(s.m) * s.k);
        std::vector<int8_t> w(static_cast<size_t>(s.k) * s.n);
        for (auto& v : a) v = static_cast<int8_t>(uni(-128, 127));
        for (auto& v : w) v = static_cast<int8_t>(uni(-128, 127));
        std::vector<int32_t> out_fast(static_cast<size_t>(s.m) * s.n, 7);
        std::vector<int32_t> out_pe(static_cast<size_t>(s.m) * s.n, -7);
        TileData df_data{a.data(), s.k, w.data(), s.n, out_fast.data(), s.n};
        TileData pe_data{a.data(), s.k, w.data(), s.n, out_pe.data(), s.n};
        const bool with_data = uni(0, 3) != 0;

        const TileTiming fast_plan = fast->plan(s, earliest);
        const TileTiming pe_plan = pe->plan(s, earliest);
        const TileTiming ft = fast->issue(s, earliest, with_data ? &df_data : nullptr);
        const TileTiming pt = pe->issue(s, earliest, with_data ? &pe_data : nullptr);
        const std::string where = std::string(to_string(df)) + "/" + to_string(pl) + " " +
                                  std::to_string(c.rows) + "x" + std::to_string(c.cols) + " tile#" +
                                  std::to_string(t) + " m=" + std::to_string(s.m) +
                                  " k=" + std::to_string(s.k) + " n=" + std::to_string(s.n) +
                                  " earliest=" + std::to_string(earliest);
        ASSERT_EQ(ft, pt) << where << "\n fast: " << describe(ft) << "\n pe:   " << describe(pt);
        ASSERT_EQ(fast_plan, ft) << where;
        ASSERT_EQ(pe_plan, pt) << where;
        ASSERT_GE(ft.start, earliest) << where;
        if (with_data) {
            ASSERT_EQ(out_fast, out_pe) << where;
        }
        last_start = ft.start;
    }
}

class TimingArrayEquivalence : public ::testing::TestWithParam<std::tuple<Dataflow, Pipelining>> {};

TEST_P(TimingArrayEquivalence, FastEqualsPeOnRandomTileSequences) {
    const auto [df, pl] = GetParam();
    // Tile counts keep the PE model (O(rows*cols) per cycle) to a few seconds in Debug.
    const Case cases[] = {{1, 1, 400}, {2, 3, 400}, {3, 2, 300}, {4, 4, 300},
                          {8, 5, 200}, {5, 8, 150}, {16, 16, 60}};
    uint32_t seed = 1234u + static_cast<uint32_t>(df) * 100u + static_cast<uint32_t>(pl) * 10u;
    for (const Case& c : cases) {
        run_equivalence(df, pl, c, seed++);
        if (HasFatalFailure()) {
            return;
        }
    }
}

INSTANTIATE_TEST_SUITE_P(
    TimingArray, TimingArrayEquivalence,
    ::testing::Combine(::testing::Values(Dataflow::kWeightStationary, Dataflow::kOutputStationary),
                       ::testing::Values(Pipelining::kNone, Pipelining::kOverlap)),
    [](const auto& param_info) {
        return std::string(std::get<0>(param_info.param) == Dataflow::kWeightStationary ? "Ws"
                                                                                        : "Os") +
               (std::get<1>(param_info.param) == Pipelining::kNone ? "None" : "Overlap");
    });

}  // namespace
}  // namespace npu::timing

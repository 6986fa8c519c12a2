// Hand-computed array timings (the arithmetic is in the comments; docs/timing.md derives the
// rules) and data correctness against a naive triple loop. Every check runs on both the fast
// closed-form model and the PE-level reference.
#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "sim/core/error.h"
#include "sim/timing/array_model.h"

namespace npu::timing {
namespace {

TileTiming tt(uint64_t wb, uint64_t we, uint64_t sb, uint64_t se, uint64_t ob, uint64_t oe) {
    TileTiming t;
    t.start = wb;
    t.weight_begin = wb;
    t.weight_end = we;
    t.stream_begin = sb;
    t.stream_end = se;
    t.out_begin = ob;
    t.out_end = oe;
    return t;
}

class TimingArrayModel : public ::testing::TestWithParam<bool> {
  protected:
    std::unique_ptr<ArrayModel> make(int rows, int cols, Dataflow df, Pipelining pl) {
        ArrayGeometry g{rows, cols, df, pl};
        return GetParam() ? make_pe_array(g) : make_fast_array(g);
    }
};

constexpr auto kWs = Dataflow::kWeightStationary;
constexpr auto kOs = Dataflow::kOutputStationary;
constexpr auto kNone = Pipelining::kNone;
constexpr auto kOverlap = Pipelining::kOverlap;

TEST_P(TimingArrayModel, WsSingleFullTileOn4x4) {
    auto arr = make(4, 4, kWs, kNone);
    // Preload: 4 weight rows shift in during cycles 0..3 -> weights [0,4).
    // Stream: activation rows 0..3 read in cycles 4..7 -> [4,8).
    // Output (i,c) written at sb + i + c + R: (0,0) at 4+0+0+4 = 8; (3,3) at 4+3+3+4 = 14,
    // so out = [8,15) and the tile is done at 15.
    const TileTiming t = arr->issue({4, 4, 4}, 0, nullptr);
    EXPECT_EQ(t, tt(0, 4, 4, 8, 8, 15));
    EXPECT_EQ(t.done(), 15u);
}

TEST_P(TimingArrayModel, WsPartialTileCostsTheSameFillAndDrain) {
    auto arr = make(4, 4, kWs, kNone);
    // k=1 uses one array row, but the psums still pass all 4 rows: same as k=4.
    // n=2: last output (3,1) at 4+3+1+4 = 12 -> out_end 13.
    EXPECT_EQ(arr->issue({4, 1, 2}, 0, nullptr), tt(0, 4, 4, 8, 8, 13));
}

TEST_P(TimingArrayModel, WsNoneWaitsForThePreviousTileAndForEarliest) {
    auto arr = make(4, 4, kWs, kNone);
    EXPECT_EQ(arr->issue({4, 4, 4}, 0, nullptr), tt(0, 4, 4, 8, 8, 15));
    // Next preload starts at the previous out_end = 15: weights [15,19), stream [19,23),
    // out [19+4, 19+4+4+4-1) = [23,30).
    EXPECT_EQ(arr->issue({4, 4, 4}, 3, nullptr), tt(15, 19, 19, 23, 23, 30));
    // earliest 100 is later than out_end 30: everything moves to 100.
    EXPECT_EQ(arr->issue({1, 4, 1}, 100, nullptr), tt(100, 104, 104, 105, 108, 109));
}

TEST_P(TimingArrayModel, WsOverlapStreamsBackToBack) {
    auto arr = make(4, 4, kWs, kOverlap);
    // Tile 1, m=10: weights [0,4), stream [4,14), out [8, 4+10+4+4-1) = [8,21).
    EXPECT_EQ(arr->issue({10, 4, 4}, 0, nullptr), tt(0, 4, 4, 14, 8, 21));
    // Tile 2: its shadow load may start once PE(3,3) switched to tile 1's weights, in cycle
    // sb1 + 3 + 3 = 10 (a shift there latches at the end of the cycle): wb = 10, we = 14.
    // Its stream follows tile 1's last row directly: sb = max(14, se1 = 14) = 14.
    const TileTiming t2 = arr->issue({10, 4, 4}, 0, nullptr);
    EXPECT_EQ(t2, tt(10, 14, 14, 24, 18, 31));
    // Tile 3 with m=4: wb = 14 + 4 + 4 - 2 = 20, we = 24 = se2: back-to-back again.
    EXPECT_EQ(arr->issue({4, 4, 4}, 0, nullptr), tt(20, 24, 24, 28, 28, 35));
    // Tile 4: wb = 24 + 6 = 30, we = 34 > se3 = 28: a 6-cycle bubble (m=4 < 2R+C-2 = 10).
    EXPECT_EQ(arr->issue({4, 4, 4}, 0, nullptr), tt(30, 34, 34, 38, 38, 45));
}

TEST_P(TimingArrayModel, OsSingleFullTileOn4x4) {
    auto arr = make(4, 4, kOs, kNone);
    // Stream k=4 columns in [0,4). PE(i,j) does MAC kk at kk+i+j; the last is PE(3,3), kk=3,
    // at 3+3+3 = 9. Drain starts at d = 10 and shifts all 4 rows: row 3 is written at 10, row 0
    // at 13 -> out [10,14).
    EXPECT_EQ(arr->issue({4, 4, 4}, 0, nullptr), tt(0, 4, 0, 4, 10, 14));
}

TEST_P(TimingArrayModel, OsPartialRowsStillDrainAllRows) {
    auto arr = make(4, 4, kOs, kNone);
    // m=2, n=3, k=5: last MAC at 4 + 1 + 2 = 7, d = 8; rows 1 and 0 leave after rows 3, 2:
    // out [8+4-2, 8+4) = [10,12).
    EXPECT_EQ(arr->issue({2, 5, 3}, 0, nullptr), tt(0, 5, 0, 5, 10, 12));
}

TEST_P(TimingArrayModel, OsOverlapStreamsBackToBackWhenKIsLong) {
    auto arr = make(4, 4, kOs, kOverlap);
    // Tile 1, k=16: stream [0,16), last MAC 15+3+3 = 21, d = 22, out [22,26).
    EXPECT_EQ(arr->issue({4, 16, 4}, 0, nullptr), tt(0, 16, 0, 16, 22, 26));
    // Tile 2: PE(0,0) moves its result to the drain register at sb + 15, which must be >= 26:
    // sb >= 11; the port frees at 16 -> sb = 16 (back-to-back). d = 16+16+4+4-2 = 38.
    EXPECT_EQ(arr->issue({4, 16, 4}, 0, nullptr), tt(16, 32, 16, 32, 38, 42));
    // Tile 3, k=4: sb >= max(32, 42 + 1 - 4 = 39) = 39: the drain register is the limit.
    // d = 39+4+4+4-2 = 49, out [49,53).
    EXPECT_EQ(arr->issue({4, 4, 4}, 0, nullptr), tt(39, 43, 39, 43, 49, 53));
}

TEST_P(TimingArrayModel, OsNoneWaitsForTheFullDrain) {
    auto arr = make(4, 4, kOs, kNone);
    EXPECT_EQ(arr->issue({4, 16, 4}, 0, nullptr), tt(0, 16, 0, 16, 22, 26));
    EXPECT_EQ(arr->issue({4, 16, 4}, 0, nullptr), tt(26, 42, 26, 42, 48, 52));
}

TEST_P(TimingArrayModel, PlanDoesNotChangeState) {
    for (Dataflow df : {kWs, kOs}) {
        auto arr = make(3, 5, df, kOverlap);
        (void)arr->issue({3, 3, 5}, 0, nullptr);
        const TileTiming p1 = arr->plan({2, 2, 2}, 7);
        const TileTiming p2 = arr->plan({2, 2, 2}, 7);
        EXPECT_EQ(p1, p2);
        EXPECT_EQ(arr->issue({2, 2, 2}, 7, nullptr), p1);
    }
}

TEST_P(TimingArrayModel, RejectsTilesThatDoNotFit) {
    auto ws = make(4, 3, kWs, kNone);
    EXPECT_THROW((void)ws->issue({1, 5, 1}, 0, nullptr), ModelError);  // k > rows
    EXPECT_THROW((void)ws->issue({1, 1, 4}, 0, nullptr), ModelError);  // n > cols
    EXPECT_THROW((void)ws->plan({0, 1, 1}, 0), ModelError);            // m = 0
    auto os = make(4, 3, kOs, kNone);
    EXPECT_THROW((void)os->issue({5, 1, 1}, 0, nullptr), ModelError);  // m > rows
    EXPECT_NO_THROW((void)os->issue({4, 50, 3}, 0, nullptr));          // long k is fine
    EXPECT_EQ(os->geometry().rows, 4);
    EXPECT_EQ(os->geometry().cols, 3);
}

// The message of a rejected tile, for the exact-text checks below.
template <typename F>
std::string rejection(F&& f) {
    try {
        f();
    } catch (const ModelError& e) {
        return e.what();
    }
    return "(accepted)";
}

TEST_P(TimingArrayModel, RejectionsNameTheTileAndWhatWasExpected) {
    auto ws = make(4, 3, kWs, kNone);
    EXPECT_EQ(rejection([&] {
                  (void)ws->plan({2, 5, 1}, 9);
              }),
              "internal model error in npu.array at cycle 9: tile m=2 k=5 n=1 does not fit a 4x3 "
              "ws array "
              "(expected 1 <= k <= rows, 1 <= n <= cols, m >= 1)");
    auto os = make(4, 3, kOs, kNone);
    EXPECT_EQ(rejection([&] {
                  (void)os->issue({5, 1, 1}, 0, nullptr);
              }),
              "internal model error in npu.array at cycle 0: tile m=5 k=1 n=1 does not fit a 4x3 "
              "os array "
              "(expected 1 <= m <= rows, 1 <= n <= cols, k >= 1)");
    // A fitting tile with unusable data: each field in turn.
    std::vector<int8_t> a(8), w(8);
    std::vector<int32_t> out(8);
    const TileData good{a.data(), 2, w.data(), 2, out.data(), 2};
    EXPECT_EQ(rejection([&] { (void)os->issue({2, 2, 2}, 0, &good); }), "(accepted)");
    const std::string data_msg =
        "internal model error in npu.array at cycle 3: tile data needs a, w, out pointers and lda "
        ">= k, ldw >= n, ldo >= n";
    for (int field = 0; field < 6; ++field) {
        TileData d = good;
        if (field == 0) d.a = nullptr;
        if (field == 1) d.w = nullptr;
        if (field == 2) d.out = nullptr;
        if (field == 3) d.lda = 1;
        if (field == 4) d.ldw = 1;
        if (field == 5) d.ldo = 1;
        EXPECT_EQ(rejection([&] { (void)os->issue({2, 2, 2}, 3, &d); }), data_msg) << field;
    }
}

// Naive reference, int64 so it cannot wrap: the test sizes keep |sum| < 2^31.
std::vector<int32_t> naive(const std::vector<int8_t>& a, int lda, const std::vector<int8_t>& w,
                           int ldw, int m, int k, int n) {
    std::vector<int32_t> out(static_cast<size_t>(m) * n);
    for (int i = 0; i < m; ++i) {
        for (int j = 0; j < n; ++j) {
            int64_t s = 0;
            for (int kk = 0; kk < k; ++kk) {
                s += int64_t{a[static_cast<size_t>(i) * lda + kk]} *
                     int64_t{w[static_cast<size_t>(kk) * ldw + j]};
            }
            out[static_cast<size_t>(i) * n + j] = static_cast<int32_t>(s);
        }
    }
    return out;
}

TEST_P(TimingArrayModel, DataMatchesNaiveTripleLoop) {
    std::mt19937 rng(42);
    std::uniform_int_distribution<int> val(-128, 127);
    for (Dataflow df : {kWs, kOs}) {
        for (Pipelining pl : {kNone, kOverlap}) {
            auto arr = make(8, 5, df, pl);
            for (int rep = 0; rep < 6; ++rep) {
                const int m = df == kWs ? 1 + rep * 3 : 1 + rep;
                const int k = df == kWs ? 1 + rep : 1 + rep * 5;
                const int n = 1 + rep % 5;
                // Padded leading dimensions check the strides; rep 0 is all -128 (the largest
                // products: (-128)*(-128) = 16384 each).
                const int lda = k + 3;
                const int ldw = n + 2;
                const int ldo = n + 1;
                std::vector<int8_t> a(static_cast<size_t>(m) * lda);
                std::vector<int8_t> w(static_cast<size_t>(k) * ldw);
                for (auto& v : a) v = rep == 0 ? int8_t{-128} : static_cast<int8_t>(val(rng));
                for (auto& v : w) v = rep == 0 ? int8_t{-128} : static_cast<int8_t>(val(rng));
                std::vector<int32_t> out(static_cast<size_t>(m) * ldo, 12345);
                TileData d{a.data(), lda, w.data(), ldw, out.data(), ldo};
                (void)arr->issue({m, k, n}, 0, &d);
                const auto want = naive(a, lda, w, ldw, m, k, n);
                for (int i = 0; i < m; ++i) {
                    for (int j = 0; j < n; ++j) {
                        ASSERT_EQ(out[static_cast<size_t>(i) * ldo + j],
                                  want[static_cast<size_t>(i) * n + j])
                            << to_string(df) << "/" << to_string(pl) << " rep " << rep << " (" << i
                            << "," << j << ")";
                    }
                    EXPECT_EQ(out[static_cast<size_t>(i) * ldo + n], 12345) << "padding touched";
                }
                if (rep == 0) {
                    EXPECT_EQ(out[0], k * 16384);
                }
            }
        }
    }
}

INSTANTIATE_TEST_SUITE_P(TimingArray, TimingArrayModel, ::testing::Values(false, true),
                         [](const auto& param_info) {
                             return std::string(param_info.param ? "PeLevel" : "Fast");
                         });

}  // namespace
}  // namespace npu::timing

// The workload compiler: the mapper's tile sizes and buffer placement (exact values, arithmetic in
// the comments), the "does not fit" diagnostic, static checks of the emitted instruction stream
// (token balance, no deadlock in program order, k coverage, MACs, address bounds, every COMPUTE
// reading what the last LOAD put there) and the DRAM image (pre-tiled weights, folded bias).
#include <gtest/gtest-spi.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "sim/compiler/compiler.h"
#include "sim/config/config_loader.h"
#include "sim/core/error.h"
#include "sim/graph/workload_loader.h"
#include "tests/unit/compiler_test_util.h"

namespace npu::compiler {
namespace {

using isa::Opcode;
using test::hw_with;
using test::small_hw;
using test::workload;

// One-layer workloads (explicit output scales: no reference run at load time).
const char* const kGemm64x256x32 = R"(
input: {shape: [64, 256], scale: 0.05}
layers:
  - {name: g, op: gemm, n: 32, weight_scale: 0.01, output: {scale: 1.0}}
)";
// 64x64x32 -> 32x32x64, 3x3 stride 2 pad 1: out = (64 + 2 - 3) / 2 + 1 = 32.
const char* const kConv3x3s2 = R"(
input: {shape: [64, 64, 32], scale: 0.05}
layers:
  - {name: c, op: conv2d, out_channels: 64, kernel: 3, stride: 2, padding: 1,
     weight_scale: 0.01, output: {scale: 1.0}}
)";
const char* const kConv1x1 = R"(
input: {shape: [16, 16, 32], scale: 0.05}
layers:
  - {name: p, op: conv2d, out_channels: 64, kernel: 1, weight_scale: 0.01, output: {scale: 1.0}}
)";
// 20x20x8 -> 10x10x8, 3x3 stride 2 pad 1: out = (20 + 2 - 3) / 2 + 1 = 10.
const char* const kSmallConv = R"(
input: {shape: [20, 20, 8], scale: 0.05, zero_point: 7}
layers:
  - {name: c, op: conv2d, out_channels: 8, kernel: 3, stride: 2, padding: 1,
     weight_scale: 0.01, output: {scale: 1.0}}
)";
const char* const kGemm4x1000x20 = R"(
input: {shape: [4, 1000], scale: 0.05, zero_point: -2}
layers:
  - {name: g, op: gemm, n: 20, weight_scale: 0.01, output: {scale: 1.0}}
)";
// Two layers: 2x5000x20 (no bank-exclusive fit on the small NPU), then 2x20x12.
const char* const kTwoGemms = R"(
input: {shape: [2, 5000], scale: 0.05, zero_point: 3}
layers:
  - {name: big, op: gemm, n: 20, weight_scale: 0.01, output: {scale: 1.0}}
  - {name: small, op: gemm, n: 12, weight_scale: 0.01, output: {scale: 1.0}}
)";

// The same with the big gemm's m-blocks outermost (the stream checker below follows that order;
// unpinned, the search takes the k-chunks outermost: its 5000 x 20 B of weights loaded once
// instead of once per m-block).
const char* const kTwoGemmsMOuter = R"(
input: {shape: [2, 5000], scale: 0.05, zero_point: 3}
layers:
  - {name: big, op: gemm, n: 20, weight_scale: 0.01, output: {scale: 1.0}, mapping: {order: m}}
  - {name: small, op: gemm, n: 12, weight_scale: 0.01, output: {scale: 1.0}}
)";

struct Expect {
    int64_t m, k, n;
    int32_t nb;
    int64_t kb;
    int32_t rows;
    int64_t mb, m_blocks, n_blocks, k_chunks;
    uint32_t slab, w, bias, out, acc;
    Placement placement;
};

void expect_mapping(const LayerMapping& mp, const Expect& e) {
    EXPECT_EQ(mp.m, e.m);
    EXPECT_EQ(mp.k, e.k);
    EXPECT_EQ(mp.n, e.n);
    EXPECT_EQ(mp.nb, e.nb);
    EXPECT_EQ(mp.kb, e.kb);
    EXPECT_EQ(mp.out_rows_per_block, e.rows);
    EXPECT_EQ(mp.mb, e.mb);
    EXPECT_EQ(mp.m_blocks, e.m_blocks);
    EXPECT_EQ(mp.n_blocks, e.n_blocks);
    EXPECT_EQ(mp.k_chunks, e.k_chunks);
    EXPECT_EQ(mp.slab_bytes, e.slab);
    EXPECT_EQ(mp.w_bytes, e.w);
    EXPECT_EQ(mp.bias_bytes, e.bias);
    EXPECT_EQ(mp.out_bytes, e.out);
    EXPECT_EQ(mp.acc_bytes, e.acc);
    EXPECT_STREQ(to_string(mp.placement), to_string(e.placement));
}

// Default config: 16x16 ws, scratchpad 256 KiB in 4 banks of 64 KiB, accumulator 64 KiB in 2 banks
// (pong at 32 KiB).

TEST(CompilerMapping, GemmWholeLayerInOneBlockOnDefault) {
    const auto wl = workload(kGemm64x256x32);
    // nb = min(16, 32) = 16; the whole K = 256 fits (w = 256 * 16 = 4096). All 64 rows fit:
    // slab 64 * 256 = 16384 <= one bank, acc 64 * 16 * 4 = 4096 <= 32 KiB, out 64 * 16 = 1024.
    expect_mapping(choose_mapping(wl.layers[0], cfg::default_hw_config()),
                   {64, 256, 32, 16, 256, 64, 64, 1, 2, 1, 16384, 4096, 64, 1024, 4096,
                    Placement::kBankExclusive});
}

TEST(CompilerMapping, Conv3x3Stride2RowsLimitedBySlabBank) {
    const auto wl = workload(kConv3x3s2);
    // M = 32 * 32 = 1024, K = 3 * 3 * 32 = 288, N = 64; nb = 16, w = 288 * 16 = 4608.
    // r output rows (block starting at oh0 > 0) read input rows [2 oh0 - 1, 2 (oh0 + r - 1) + 2],
    // i.e. 2r + 1 rows of 64 * 32 = 2048 B. One bank (65536 B) holds 32 rows, so r <= 15:
    // r = 15 -> blocks at 0, 15, 30 need 30, 31, 5 rows; worst 31 * 2048 = 63488.
    // r = 16 -> the block at 16 needs rows [31, 64) = 33 rows > 32. The accumulator would allow
    // 16 (32768 + 16 * 32 * 16 * 4 = 65536). mb = 15 * 32 = 480, m_blocks = ceil(32 / 15) = 3.
    expect_mapping(choose_mapping(wl.layers[0], cfg::default_hw_config()),
                   {1024, 288, 64, 16, 288, 15, 480, 3, 4, 1, 63488, 4608, 64, 480 * 16,
                    480 * 16 * 4, Placement::kBankExclusive});
}

TEST(CompilerMapping, Conv1x1OnDefault) {
    const auto wl = workload(kConv1x1);
    // M = 256, K = 32, N = 64: all 16 rows fit (slab 16 * 16 * 32 = 8192, acc 256 * 16 * 4 =
    // 16384), 4 n-blocks of 16.
    expect_mapping(choose_mapping(wl.layers[0], cfg::default_hw_config()),
                   {256, 32, 64, 16, 32, 16, 256, 1, 4, 1, 8192, 512, 64, 4096, 16384,
                    Placement::kBankExclusive});
}

TEST(CompilerMapping, SmallConvRowsLimitedByAccumulator) {
    const auto wl = workload(kSmallConv);
    // Small NPU. M = 100, K = 72, N = 8 = nb; w = 72 * 8 = 576. Acc pong at 2048: r rows need
    // r * 10 * 8 * 4 = 320 r <= 2048 -> r = 6 (7 would need 2240). Blocks at 0 and 6 read input
    // rows [0, 12) and [11, 20): slab 12 * 20 * 8 = 1920. mb = 60, out 480, acc 1920.
    expect_mapping(
        choose_mapping(wl.layers[0], small_hw()),
        {100, 72, 8, 8, 72, 6, 60, 2, 1, 1, 1920, 576, 32, 480, 1920, Placement::kBankExclusive});
}

// With padding larger than the stride, the worst slab is not monotone in the rows per block: for
// a 5x5 "same" conv over 8 rows, 3 rows per block read 7 input rows (block [3, 6) reads [1, 8)),
// while 4 rows per block read only 6 ([0, 6) and [2, 8)). The mapper must still find the most
// rows that fit, not stop at a local answer.
TEST(CompilerMapping, MostRowsThatFitWhenSlabIsNotMonotoneInRows) {
    const auto wl = workload(R"(
input: {shape: [8, 8, 80], scale: 0.05}
layers:
  - {name: c, op: conv2d, out_channels: 8, kernel: 5, padding: 2, weight_scale: 0.01,
     output: {scale: 1.0}}
)");
    // Small NPU, bank 4096; an input row is 8 * 80 = 640 B, so a slab holds at most 6 rows
    // (3840; 7 rows = 4480). K = 25 * 80 = 2000; the w group fits a bank from kb 256 on
    // (2000 -> 1000 -> 504: 4032 + 64 + 64 > 4096 -> 256: 2048 + 64 + 64). The accumulator allows
    // all 8 rows (2048 + 8 * 8 * 8 * 4 = 4096). Rows per block -> worst slab rows:
    // 1 -> 5, 2 -> 6, 3 -> 7, 4 -> 6, 5 -> 7, 6..8 -> 8. The most that fit: 4 (2 m-blocks).
    expect_mapping(choose_mapping(wl.layers[0], small_hw()),
                   {64, 2000, 8, 8, 256, 4, 32, 2, 1, 8, 3840, 2048, 32, 256, 1024,
                    Placement::kBankExclusive});
}

TEST(CompilerMapping, KChunkHalvedToMultipleOfArrayRowsForWs) {
    const auto wl = workload(kGemm4x1000x20);
    // Small NPU, bank 4096. The w group (w + bias + out, each 64-aligned) must fit a bank:
    //   kb = 1000: 8000 B, no.
    //   kb = align_up(ceil(1000 / 2), 8) = 504: 4032 + 64 + 64 = 4160 > 4096, no.
    //   kb = align_up(252, 8) = 256: 2048 + 64 + 64 fits; 256 % 8 == 0.
    // Then all 4 rows: slab 4 * 1000 = 4000 (4032 aligned) <= 4096.
    // k_chunks = ceil(1000 / 256) = 4, n_blocks = ceil(20 / 8) = 3.
    const LayerMapping mp = choose_mapping(wl.layers[0], small_hw());
    expect_mapping(mp, {4, 1000, 20, 8, 256, 4, 4, 1, 3, 4, 4000, 2048, 32, 32, 128,
                        Placement::kBankExclusive});
    EXPECT_EQ(mp.kb % 8, 0);
}

TEST(CompilerMapping, KChunkHalvedWithoutRoundingForOs) {
    const auto wl = workload(kGemm4x1000x20);
    // os has no K-multiple constraint: 1000 -> 500 (4000 -> 4032 + 128 > 4096) -> 250 (2000 ->
    // 2048 + 128 fits). k_chunks = ceil(1000 / 250) = 4.
    expect_mapping(
        choose_mapping(wl.layers[0], small_hw({"array.dataflow=os"})),
        {4, 1000, 20, 8, 250, 4, 4, 1, 3, 4, 4000, 2000, 32, 32, 128, Placement::kBankExclusive});
}

TEST(CompilerMapping, FallsBackToHalvesWhenSlabNeedsTwoBanks) {
    const auto wl = workload(kTwoGemms);
    // One input row is K = 5000 B (5056 aligned) > a 4096 B bank, so each slab takes two banks and
    // bank-exclusive never fits. Halves: ping = slab + w + bias + out <= 8192:
    //   kb 5000 -> 2504 -> 1256 -> 632 (w 5056: 10112 + 128 > 8192) -> 320 (2560: 7744 fits).
    // Two rows would need a 10000 B slab: r = 1, m_blocks = 2, k_chunks = ceil(5000 / 320) = 16.
    expect_mapping(
        choose_mapping(wl.layers[0], small_hw()),
        {2, 5000, 20, 8, 320, 1, 1, 2, 3, 16, 5000, 2560, 32, 8, 32, Placement::kHalves});
}

TEST(CompilerMapping, FallsBackToPackedWithOneBank) {
    const auto wl = workload(kGemm4x1000x20);
    const cfg::HwConfig hw = small_hw({"scratchpad.banks=1"});
    // One bank: bank-exclusive needs four bank-sized groups, halves needs an even bank count.
    // Packed: 2 * (slab + w + bias + out) <= 16384. r = 1: kb 1000 -> 2 * (1024 + 8000 + 128) =
    // 18304, no; kb 504 -> 2 * (1024 + 4032 + 128) = 10368, fits. r = 4: 2 * (4032 + 4032 + 64 +
    // 64) = 16384, fits exactly. k_chunks = ceil(1000 / 504) = 2.
    const LayerMapping mp = choose_mapping(wl.layers[0], hw);
    expect_mapping(
        mp, {4, 1000, 20, 8, 504, 4, 4, 1, 3, 2, 4000, 4032, 32, 32, 128, Placement::kPacked});
    EXPECT_FALSE(place(mp, hw, Placement::kBankExclusive).has_value());
    EXPECT_FALSE(place(mp, hw, Placement::kHalves).has_value());
}

TEST(CompilerMapping, SramTooSmallNamesFileLayerAndNeeds) {
    const auto wl = workload(kTwoGemms);
    // 4 KiB scratchpad: layer 0's one-row slab alone is 5000 B; layer 1 (2x20x12) fits, so there
    // is exactly one diagnostic.
    const cfg::HwConfig hw = small_hw({"scratchpad.size=4KiB"});
    try {
        (void)compile(wl, hw, {false});
        FAIL() << "expected UserError";
    } catch (const UserError& e) {
        ASSERT_EQ(e.diagnostics().size(), 1u);
        const Diagnostic& d = e.diagnostics()[0];
        EXPECT_EQ(d.file, "w.yaml");
        EXPECT_EQ(d.key, "layers[0]");
        EXPECT_EQ(d.line, 4);  // the layer's line in the workload
        EXPECT_EQ(d.col, 5);
        // Packed is tried last; kb halves down to 8: 5000 -> 2504 -> 1256 -> 632 -> 320 -> 160 ->
        // 80 -> 40 -> 24 -> 16 -> 8. Need 2 * (5056 + 64 + 64 + 64) = 10496 B of scratchpad and
        // 2 * (1 * 8 * 4) = 64 B of accumulator.
        EXPECT_EQ(d.message,
                  "layer 'big' (gemm 2x5000x20 (MxKxN)) does not fit on chip: the smallest "
                  "double-buffered mapping (1 output row of 1 pixels, 8 channels, k-chunk 8) "
                  "needs 10496 B of scratchpad (has 4096) and 64 B of accumulator (has 4096); "
                  "to fit it, raise scratchpad.size = 4KiB (--set) or accumulator.size = 4KiB "
                  "(--set)");
    }
}

TEST(CompilerMapping, SramTooSmallReportsTheFailingLayerIndex) {
    // Layer 0 (2x100x5000) fits a 4 KiB scratchpad; layer 1 (K = 5000) does not.
    const auto wl = workload(R"(
input: {shape: [2, 100], scale: 0.05}
layers:
  - {name: a, op: gemm, n: 5000, weight_scale: 0.01, output: {scale: 1.0}}
  - {name: b, op: gemm, n: 8, weight_scale: 0.01, output: {scale: 1.0}}
)");
    try {
        (void)compile(wl, small_hw({"scratchpad.size=4KiB"}), {false});
        FAIL() << "expected UserError";
    } catch (const UserError& e) {
        ASSERT_EQ(e.diagnostics().size(), 1u);
        EXPECT_EQ(e.diagnostics()[0].to_string(),
                  "w.yaml:5:5: layers[1]: layer 'b' (gemm 2x5000x8 (MxKxN)) does not fit on chip: "
                  "the smallest double-buffered mapping (1 output row of 1 pixels, 8 channels, "
                  "k-chunk 8) needs 10496 B of scratchpad (has 4096) and 64 B of accumulator "
                  "(has 4096); to fit it, raise scratchpad.size = 4KiB (--set) or "
                  "accumulator.size = 4KiB (--set)");
    }
}

TEST(CompilerMapping, SummaryText) {
    const auto wl = workload(kSmallConv);
    EXPECT_EQ(choose_mapping(wl.layers[0], small_hw()).summary(Dataflow::kWeightStationary),
              "ws m-block 60 (6 out rows) x n-block 8 x k-chunk 72; 2x1x1 blocks; spad 2x(slab "
              "1920 + w 576 + bias 32 + out 480) B, acc 2x1920 B");
}

// ---------------------------------------------------------------------------------------------
// place()

struct Region {
    const char* name;
    uint64_t begin, bytes;
};

void expect_disjoint_within(const std::vector<Region>& rs, uint64_t limit, const char* what) {
    for (size_t i = 0; i < rs.size(); ++i) {
        EXPECT_LE(rs[i].begin + rs[i].bytes, limit) << what << ' ' << rs[i].name;
        for (size_t j = i + 1; j < rs.size(); ++j) {
            const bool apart = rs[i].begin + rs[i].bytes <= rs[j].begin ||
                               rs[j].begin + rs[j].bytes <= rs[i].begin;
            EXPECT_TRUE(apart) << what << ' ' << rs[i].name << " [" << rs[i].begin << ", +"
                               << rs[i].bytes << ") overlaps " << rs[j].name << " [" << rs[j].begin
                               << ", +" << rs[j].bytes << ")";
        }
    }
}

// Checks one placement; returns whether it exists.
bool check_place(const LayerMapping& mp, const cfg::HwConfig& hw, Placement how) {
    const auto b = place(mp, hw, how);
    if (!b) return false;
    const std::vector<Region> spad = {
        {"slab0", b->slab[0], mp.slab_bytes}, {"slab1", b->slab[1], mp.slab_bytes},
        {"w0", b->w[0], mp.w_bytes},          {"w1", b->w[1], mp.w_bytes},
        {"bias0", b->bias[0], mp.bias_bytes}, {"bias1", b->bias[1], mp.bias_bytes},
        {"out0", b->out[0], mp.out_bytes},    {"out1", b->out[1], mp.out_bytes}};
    expect_disjoint_within(spad, hw.scratchpad.size_bytes, to_string(how));
    expect_disjoint_within({{"acc0", b->acc[0], mp.acc_bytes}, {"acc1", b->acc[1], mp.acc_bytes}},
                           hw.accumulator.size_bytes, "acc");
    const uint64_t bank = hw.scratchpad.size_bytes / static_cast<uint64_t>(hw.scratchpad.banks);
    if (how == Placement::kBankExclusive) {
        const uint64_t starts[4] = {b->slab[0], b->slab[1], b->w[0], b->w[1]};
        for (int i = 0; i < 4; ++i) {
            EXPECT_EQ(starts[i] % bank, 0u) << "buffer " << i;
            for (int j = i + 1; j < 4; ++j) EXPECT_NE(starts[i] / bank, starts[j] / bank);
        }
    }
    if (how == Placement::kHalves) {
        const uint64_t half = hw.scratchpad.size_bytes / 2;
        EXPECT_LE(uint64_t{b->slab[0]} + mp.slab_bytes, half);
        EXPECT_LE(uint64_t{b->out[0]} + mp.out_bytes, half);
        EXPECT_GE(b->slab[1], half);
        EXPECT_GE(b->w[1], half);
    }
    return true;
}

TEST(CompilerPlace, BankExclusiveAddressesForTheSmallConv) {
    const auto wl = workload(kSmallConv);
    const cfg::HwConfig hw = small_hw();
    const LayerMapping mp = choose_mapping(wl.layers[0], hw);
    const auto b = place(mp, hw, Placement::kBankExclusive);
    ASSERT_TRUE(b.has_value());
    // Banks of 4096: slab0 | slab1 | w0 (576 -> 576) bias0 (32 -> 64) out0 | w1 bias1 out1.
    EXPECT_EQ(b->slab[0], 0u);
    EXPECT_EQ(b->slab[1], 4096u);
    EXPECT_EQ(b->w[0], 8192u);
    EXPECT_EQ(b->bias[0], 8192u + 576);
    EXPECT_EQ(b->out[0], 8192u + 576 + 64);
    EXPECT_EQ(b->w[1], 12288u);
    EXPECT_EQ(b->bias[1], 12288u + 576);
    EXPECT_EQ(b->out[1], 12288u + 640);
    EXPECT_EQ(b->acc[0], 0u);
    EXPECT_EQ(b->acc[1], 2048u);  // half of the 2-bank accumulator
    check_place(mp, hw, Placement::kBankExclusive);
}

TEST(CompilerPlace, HalvesAddressesForTheBigGemm) {
    const auto wl = workload(kTwoGemms);
    const cfg::HwConfig hw = small_hw();
    const LayerMapping mp = choose_mapping(wl.layers[0], hw);
    const auto b = place(mp, hw, Placement::kHalves);
    ASSERT_TRUE(b.has_value());
    // Ping from 0: slab 5000 -> 5056, w 2560, bias 32 -> 64, out; pong the same from 8192.
    EXPECT_EQ(b->slab[0], 0u);
    EXPECT_EQ(b->w[0], 5056u);
    EXPECT_EQ(b->bias[0], 5056u + 2560);
    EXPECT_EQ(b->out[0], 5056u + 2560 + 64);
    EXPECT_EQ(b->slab[1], 8192u);
    EXPECT_EQ(b->w[1], 8192u + 5056);
    EXPECT_EQ(b->out[1], 8192u + 5056 + 2560 + 64);
    check_place(mp, hw, Placement::kHalves);
}

TEST(CompilerPlace, OddAccumulatorBanksPackThePong) {
    const auto wl = workload(kSmallConv);
    const cfg::HwConfig hw = small_hw({"accumulator.size=3KiB", "accumulator.banks=3"});
    const LayerMapping mp = choose_mapping(wl.layers[0], hw);
    // No half-way bank boundary: pong right after ping (64-aligned). 320 r + align(320 r) <= 3072
    // -> r = 4 (1280 + 1280 = 2560; r = 5 would need 1600 + 1600 = 3200).
    EXPECT_EQ(mp.out_rows_per_block, 4);
    const auto b = place(mp, hw, mp.placement);
    ASSERT_TRUE(b.has_value());
    EXPECT_EQ(b->acc[1], 1280u);
    check_place(mp, hw, mp.placement);
}

// Every placement of a grid of buffer sizes on several scratchpads: whenever place() answers, the
// buffers are disjoint and in range (and bank-exclusive keeps its bank promise).
TEST(CompilerPlace, NoOverlapsUnderAnyPlacement) {
    int placed[3] = {0, 0, 0};
    for (const char* banks :
         {"scratchpad.banks=1", "scratchpad.banks=2", "scratchpad.banks=4", "scratchpad.banks=8"}) {
        for (const char* acc_banks : {"accumulator.banks=1", "accumulator.banks=2"}) {
            const cfg::HwConfig hw = small_hw({banks, acc_banks});
            for (uint32_t slab : {1u, 100u, 1000u, 2048u, 4097u, 6000u}) {
                for (uint32_t w : {8u, 64u, 65u, 1000u, 3000u}) {
                    for (uint32_t out : {8u, 200u, 1500u}) {
                        LayerMapping mp;
                        mp.slab_bytes = slab;
                        mp.w_bytes = w;
                        mp.bias_bytes = 32;
                        mp.out_bytes = out;
                        mp.acc_bytes = out * 4 / 2;
                        for (int how = 0; how < 3; ++how) {
                            placed[how] += check_place(mp, hw, static_cast<Placement>(how));
                        }
                    }
                }
            }
        }
    }
    // The grid exercises every placement; packed places more than halves (which refuses one bank).
    EXPECT_GT(placed[0], 0);
    EXPECT_GT(placed[1], 0);
    EXPECT_GT(placed[2], placed[1]);
}

// ---------------------------------------------------------------------------------------------
// The instruction stream

int64_t count_flag(const isa::Program& p, Opcode op, bool isa::Deps::*flag) {
    return std::count_if(p.instrs.begin(), p.instrs.end(),
                         [&](const isa::Instr& in) { return in.op == op && in.deps.*flag; });
}

// Static checks of a compiled program against its workload and config.
void check_stream(const isa::Program& prog, const graph::Workload& wl, const cfg::HwConfig& hw) {
    ASSERT_EQ(prog.layers.size(), wl.layers.size());
    const uint64_t spad = hw.scratchpad.size_bytes, acc = hw.accumulator.size_bytes;
    const uint64_t dram = prog.dram_bytes_used;

    // Token balance over the four queues.
    using isa::Deps;
    EXPECT_EQ(count_flag(prog, Opcode::kLoad, &Deps::push_next),
              count_flag(prog, Opcode::kCompute, &Deps::pop_prev));
    EXPECT_EQ(count_flag(prog, Opcode::kCompute, &Deps::push_prev),
              count_flag(prog, Opcode::kLoad, &Deps::pop_next));
    EXPECT_EQ(count_flag(prog, Opcode::kCompute, &Deps::push_next),
              count_flag(prog, Opcode::kPostproc, &Deps::pop_prev) +
                  count_flag(prog, Opcode::kStore, &Deps::pop_prev));
    EXPECT_EQ(count_flag(prog, Opcode::kPostproc, &Deps::push_prev) +
                  count_flag(prog, Opcode::kStore, &Deps::push_prev),
              count_flag(prog, Opcode::kCompute, &Deps::pop_next));
    // Tokens only flow between neighbours: no LOAD pops/pushes prev, no store-side op pushes next.
    for (const isa::Instr& in : prog.instrs) {
        const isa::Engine e = isa::engine_of(in.op);
        if (e == isa::Engine::kLoad) {
            EXPECT_FALSE(in.deps.pop_prev || in.deps.push_prev) << in.id;
        }
        if (e == isa::Engine::kStore) {
            EXPECT_FALSE(in.deps.pop_next || in.deps.push_next) << in.id;
        }
        if (e == isa::Engine::kController) {
            EXPECT_FALSE(in.deps.pop_prev || in.deps.pop_next || in.deps.push_prev ||
                         in.deps.push_next);
        }
    }

    // No deadlock in program order: a pop never runs ahead of the pushes before it.
    int64_t l2c = 0, c2l = 0, c2s = 0, s2c = 0;  // tokens available on each queue
    for (const isa::Instr& in : prog.instrs) {
        switch (isa::engine_of(in.op)) {
            case isa::Engine::kLoad:
                if (in.deps.pop_next) {
                    EXPECT_GE(--c2l, 0) << "LOAD " << in.id;
                }
                if (in.deps.push_next) ++l2c;
                break;
            case isa::Engine::kCompute:
                if (in.deps.pop_prev) {
                    EXPECT_GE(--l2c, 0) << "COMPUTE " << in.id;
                }
                if (in.deps.pop_next) {
                    EXPECT_GE(--s2c, 0) << "COMPUTE " << in.id;
                }
                if (in.deps.push_prev) ++c2l;
                if (in.deps.push_next) ++c2s;
                break;
            case isa::Engine::kStore:
                if (in.deps.pop_prev) {
                    EXPECT_GE(--c2s, 0) << "store-side " << in.id;
                }
                if (in.deps.push_prev) ++s2c;
                break;
            case isa::Engine::kController:
                // A SYNC between layers: no token may be left over for the next layer.
                EXPECT_EQ(l2c, 0);
                EXPECT_EQ(c2l, 0);
                EXPECT_EQ(c2s, 0);
                EXPECT_EQ(s2c, 0);
                break;
        }
    }

    uint64_t macs_total = 0;
    for (size_t li = 0; li < wl.layers.size(); ++li) {
        const graph::Layer& l = wl.layers[li];
        const isa::LayerDesc& d = prog.layers[li];
        if (li > 0) {
            EXPECT_EQ(d.input_addr, prog.layers[li - 1].output_addr);
        }
        const int64_t K = l.reduction(), N = l.out_c, M = l.out_pixels();
        const uint64_t in_row = uint64_t(l.in_w) * uint64_t(l.in_c);

        std::vector<const isa::Instr*> mine;
        for (const isa::Instr& in : prog.instrs) {
            if (size_t{in.layer} == li) mine.push_back(&in);
        }
        ASSERT_FALSE(mine.empty());
        EXPECT_EQ(mine.back()->op, Opcode::kSync) << "layer " << li;
        EXPECT_EQ(std::count_if(mine.begin(), mine.end(),
                                [](const isa::Instr* in) { return in->op == Opcode::kSync; }),
                  1);
        // The layer's instructions are contiguous.
        EXPECT_EQ(mine.back()->id - mine.front()->id + 1, mine.size());

        // What each scratchpad address last received from DRAM, and the accumulator blocks
        // computed but not yet post-processed.
        std::map<uint32_t, isa::Transfer> loaded;
        std::map<std::pair<int64_t, int32_t>, int64_t> k_done;  // (m0, n0) -> next k0
        std::map<std::pair<int64_t, int32_t>, int32_t> m_of;
        std::map<uint32_t, std::pair<int64_t, int32_t>> acc_holds;  // acc addr -> (m0, n0)
        std::map<uint32_t, std::pair<int64_t, int32_t>> out_holds;  // spad addr -> (m0, n0)
        uint64_t layer_macs = 0;
        for (const isa::Instr* in : mine) {
            switch (in->op) {
                case Opcode::kLoad:
                case Opcode::kStore: {
                    const isa::Transfer& x = prog.xfer(*in);
                    ASSERT_GT(x.rows, 0u);
                    EXPECT_LE(x.row_bytes, x.sram_stride);
                    EXPECT_LE(x.sram_addr + uint64_t(x.rows - 1) * x.sram_stride + x.row_bytes,
                              spad)
                        << isa::to_asm(prog, *in);
                    // The far side is DRAM, or the scratchpad's on-chip window (activations
                    // kept on chip).
                    const uint64_t far_end =
                        x.dram_addr + uint64_t(x.rows - 1) * x.dram_stride + x.row_bytes;
                    if (x.dram_addr >= isa::kOnChipBase) {
                        EXPECT_LE(far_end, isa::kOnChipBase + spad) << isa::to_asm(prog, *in);
                    } else {
                        EXPECT_LE(far_end, dram) << isa::to_asm(prog, *in);
                    }
                    if (in->op == Opcode::kLoad) {
                        loaded[x.sram_addr] = x;
                        break;
                    }
                    // STORE: writes the block the store engine's last POST left at sram_addr.
                    ASSERT_TRUE(out_holds.count(x.sram_addr)) << isa::to_asm(prog, *in);
                    const auto [m0, n0] = out_holds[x.sram_addr];
                    EXPECT_EQ(x.dram_addr,
                              d.output_addr + uint64_t(m0) * uint64_t(N) + uint64_t(n0));
                    EXPECT_EQ(x.dram_stride, uint64_t(N));
                    EXPECT_EQ(x.rows, uint32_t(m_of[{m0, n0}]));
                    EXPECT_EQ(x.row_bytes, uint32_t(std::min<int64_t>(hw.array.cols, N - n0)));
                    out_holds.erase(x.sram_addr);
                    break;
                }
                case Opcode::kCompute: {
                    const isa::Compute& c = prog.comp(*in);
                    ASSERT_GT(c.m, 0);
                    ASSERT_GT(c.k, 0);
                    ASSERT_GT(c.n, 0);
                    EXPECT_LE(c.n, hw.array.cols);
                    EXPECT_EQ(c.m0 % l.out_w(), 0);
                    EXPECT_EQ(c.m % l.out_w(), 0);
                    layer_macs += uint64_t(c.m) * uint64_t(c.k) * uint64_t(c.n);
                    // k coverage per (m-block, n-block): in order, no gap, no overlap.
                    const std::pair<int64_t, int32_t> key{c.m0, c.n0};
                    int64_t& next_k = k_done[key];
                    EXPECT_EQ(c.k0, next_k) << isa::to_asm(prog, *in);
                    EXPECT_EQ(c.accumulate, c.k0 != 0) << isa::to_asm(prog, *in);
                    next_k = c.k0 + c.k;
                    EXPECT_LE(next_k, K);
                    if (!c.accumulate) m_of[key] = c.m;
                    EXPECT_EQ(m_of[key], c.m);
                    // Bounds.
                    EXPECT_LE(c.slab_addr + uint64_t(c.slab_rows) * in_row, spad);
                    EXPECT_LE(c.w_addr + uint64_t(c.k) * uint64_t(c.n), spad);
                    EXPECT_LE(c.bias_addr + uint64_t(c.n) * 4, spad);
                    EXPECT_LE(c.acc_addr + uint64_t(c.m) * uint64_t(c.n) * 4, acc);
                    // The slab holds every input row these output rows read.
                    const int32_t oh0 = static_cast<int32_t>(c.m0 / l.out_w());
                    const int32_t oh1 = static_cast<int32_t>((c.m0 + c.m) / l.out_w());
                    const int32_t need_lo = std::max(0, oh0 * l.stride_h - l.pad_top);
                    const int32_t need_hi =
                        std::min(l.in_h, (oh1 - 1) * l.stride_h - l.pad_top +
                                             (l.kernel_h - 1) * l.dilation_h + 1);
                    if (need_hi > need_lo) {
                        EXPECT_LE(c.slab_row0, need_lo) << isa::to_asm(prog, *in);
                        EXPECT_GE(c.slab_row0 + c.slab_rows, need_hi) << isa::to_asm(prog, *in);
                    }
                    // ... and it, the weights and the bias are what the last LOADs there brought.
                    ASSERT_TRUE(loaded.count(c.slab_addr)) << isa::to_asm(prog, *in);
                    const isa::Transfer& sx = loaded[c.slab_addr];
                    EXPECT_EQ(sx.dram_addr, d.input_addr + uint64_t(c.slab_row0) * in_row);
                    EXPECT_EQ(sx.rows, uint32_t(c.slab_rows));
                    EXPECT_EQ(sx.row_bytes, in_row);
                    ASSERT_TRUE(loaded.count(c.w_addr)) << isa::to_asm(prog, *in);
                    const isa::Transfer& wx = loaded[c.w_addr];
                    // Pre-tiled weights: n-block n0 starts at n0 * K, k-row kk at kk * width.
                    EXPECT_EQ(wx.dram_addr, d.weight_addr + uint64_t(c.n0) * uint64_t(K) +
                                                uint64_t(c.k0) * uint64_t(c.n));
                    EXPECT_EQ(wx.bytes(), uint64_t(c.k) * uint64_t(c.n));
                    EXPECT_EQ(wx.sram_stride, uint32_t(c.n));
                    EXPECT_EQ(wx.dram_stride, uint64_t(c.n));
                    if (!c.accumulate) {
                        ASSERT_TRUE(loaded.count(c.bias_addr)) << isa::to_asm(prog, *in);
                        EXPECT_EQ(loaded[c.bias_addr].dram_addr, d.bias_addr + uint64_t(c.n0) * 4);
                        EXPECT_EQ(loaded[c.bias_addr].bytes(), uint64_t(c.n) * 4);
                        acc_holds[c.acc_addr] = key;
                    } else {
                        ASSERT_TRUE(acc_holds.count(c.acc_addr));
                        EXPECT_EQ(acc_holds[c.acc_addr], key) << isa::to_asm(prog, *in);
                    }
                    break;
                }
                case Opcode::kPostproc: {
                    const isa::Postproc& p = prog.post(*in);
                    ASSERT_TRUE(acc_holds.count(p.acc_addr)) << isa::to_asm(prog, *in);
                    const auto key = acc_holds[p.acc_addr];
                    EXPECT_EQ(k_done[key], K) << "post before the whole reduction";
                    EXPECT_EQ(p.m, m_of[key]);
                    EXPECT_EQ(p.n0, key.second);
                    EXPECT_EQ(p.n, int32_t(std::min<int64_t>(hw.array.cols, N - p.n0)));
                    EXPECT_LE(p.acc_addr + uint64_t(p.m) * uint64_t(p.n) * 4, acc);
                    EXPECT_LE(p.out_addr + uint64_t(p.m) * uint64_t(p.n), spad);
                    out_holds[p.out_addr] = key;
                    acc_holds.erase(p.acc_addr);
                    break;
                }
                case Opcode::kSync:
                    break;
                case Opcode::kWait:  // a one-core program has no pipeline tokens
                case Opcode::kSignal:
                case Opcode::kVector:  // conv2d and gemm layers never use the vector unit
                    ADD_FAILURE() << isa::to_asm(prog, *in);
                    break;
            }
        }
        EXPECT_TRUE(acc_holds.empty());
        EXPECT_TRUE(out_holds.empty());
        // Every (m-block, n-block) reduced over all of K, and the blocks tile M x N.
        int64_t covered = 0;
        for (const auto& [key, next_k] : k_done) {
            EXPECT_EQ(next_k, K) << "m0 " << key.first << " n0 " << key.second;
            covered += int64_t{m_of[key]} * std::min<int64_t>(hw.array.cols, N - key.second);
        }
        EXPECT_EQ(covered, M * N);
        EXPECT_EQ(layer_macs, uint64_t(l.macs()));
        EXPECT_EQ(d.macs, uint64_t(l.macs()));
        macs_total += layer_macs;
    }
    EXPECT_GT(macs_total, 0u);
}

TEST(CompilerStream, TwoGemmsOnSmallNpu) {
    const auto wl = workload(kTwoGemmsMOuter);
    const cfg::HwConfig hw = small_hw();
    const isa::Program prog = compile(wl, hw, {false});
    // Layer 0: 2 m-blocks x 3 n-blocks x 16 k-chunks = 96 steps; 6 (m, n) pairs.
    // Loads: 96 weights + 6 biases + 2 slabs; computes 96; 6 POST + 6 STORE; 1 SYNC = 213.
    // Layer 1 (2x20x12 -> nb 8, whole K and M): 1 x 2 x 1: loads 2 + 2 + 1, 2 computes,
    // 2 POST + 2 STORE, SYNC = 12.
    EXPECT_EQ(prog.instrs.size(), 213u + 12u);
    // Layer 0 queues: load->compute 96 tokens, compute->load 94, compute->store 6,
    // store->compute 4.
    EXPECT_EQ(count_flag(prog, Opcode::kLoad, &isa::Deps::push_next), 96 + 2);
    EXPECT_EQ(count_flag(prog, Opcode::kLoad, &isa::Deps::pop_next), 94 + 0);
    EXPECT_EQ(count_flag(prog, Opcode::kPostproc, &isa::Deps::pop_prev), 6 + 2);
    EXPECT_EQ(count_flag(prog, Opcode::kCompute, &isa::Deps::pop_next), 4 + 0);
    check_stream(prog, wl, hw);
}

TEST(CompilerStream, PaddedStridedConvOnSmallNpu) {
    const auto wl = workload(kSmallConv);
    const cfg::HwConfig hw = small_hw();
    const isa::Program prog = compile(wl, hw, test::largest_tiles(wl, hw));
    // 2 m-blocks x 1 x 1: per block slab + bias + weights, COMPUTE, POST, STORE; then SYNC.
    ASSERT_EQ(prog.instrs.size(), 2u * 6 + 1);
    const isa::Compute& c1 = prog.comp(prog.instrs[9]);  // the second block's COMPUTE
    ASSERT_EQ(prog.instrs[9].op, Opcode::kCompute);
    // Output rows [6, 10) (m0 = 60, m = 40) read input rows [6 * 2 - 1, 20) = [11, 20).
    EXPECT_EQ(c1.m0, 60);
    EXPECT_EQ(c1.m, 40);
    EXPECT_EQ(c1.slab_row0, 11);
    EXPECT_EQ(c1.slab_rows, 9);
    EXPECT_EQ(c1.slab_addr, 4096u);  // slab1
    check_stream(prog, wl, hw);
}

TEST(CompilerStream, MultiBlockConvOnDefault) {
    const auto wl = workload(kConv3x3s2);
    const cfg::HwConfig hw = cfg::default_hw_config();
    const isa::Program prog = compile(wl, hw, test::largest_tiles(wl, hw));
    // 3 m-blocks x 4 n-blocks x 1 k-chunk = 12 steps: 3 slabs + 12 biases + 12 weights,
    // 12 COMPUTE, 12 POST, 12 STORE, SYNC.
    EXPECT_EQ(prog.instrs.size(), 3u + 12 * 5 + 1);
    check_stream(prog, wl, hw);
}

TEST(CompilerStream, OsAndPackedMappings) {
    const auto wl = workload(kGemm4x1000x20);
    for (const auto& hw : {small_hw({"array.dataflow=os"}), small_hw({"scratchpad.banks=1"}),
                           cfg::default_hw_config()}) {
        const isa::Program prog = compile(wl, hw, {false});
        check_stream(prog, wl, hw);
    }
}

// The checker itself can fail: each single corruption of a good program is caught.
TEST(CompilerStream, CheckerCatchesBrokenPrograms) {
    const auto wl = workload(kTwoGemmsMOuter);
    const cfg::HwConfig hw = small_hw();
    const isa::Program good = compile(wl, hw, {false});
    const auto failures_after = [&](const std::function<void(isa::Program&)>& corrupt) {
        isa::Program bad = good;
        corrupt(bad);
        ::testing::TestPartResultArray results;
        {
            ::testing::ScopedFakeTestPartResultReporter reporter(
                ::testing::ScopedFakeTestPartResultReporter::INTERCEPT_ONLY_CURRENT_THREAD,
                &results);
            check_stream(bad, wl, hw);
        }
        return results.size();
    };
    EXPECT_EQ(failures_after([](isa::Program&) {}), 0);
    // Layer 0 starts (see TwoGemmsOnSmallNpu): 0 slab, 1 bias, 2 weights, 3 COMPUTE (step 0),
    // 4 weights, 5 COMPUTE (step 1), 6 weights, 7 COMPUTE (step 2, k0 = 640); nth() counts per
    // opcode, so load 4 is instruction 6.
    auto nth = [](isa::Program& p, Opcode op, int n) -> isa::Instr& {
        for (isa::Instr& in : p.instrs) {
            if (in.op == op && n-- == 0) return in;
        }
        throw std::logic_error("no such instruction");
    };
    // A lost "operands ready" token.
    EXPECT_GT(
        failures_after([&](isa::Program& p) { nth(p, Opcode::kLoad, 2).deps.push_next = false; }),
        0);
    // The first COMPUTE waits for an accumulator buffer nobody freed yet.
    EXPECT_GT(
        failures_after([&](isa::Program& p) { nth(p, Opcode::kCompute, 0).deps.pop_next = true; }),
        0);
    // Step 2's "buffer free" pop moved to step 0's weights (load 2 -> load 4 is step 2's first
    // load): the counts still balance, but it waits for a token no COMPUTE before it pushes.
    ASSERT_TRUE(!good.instrs[2].deps.pop_next && good.instrs[6].op == Opcode::kLoad &&
                good.instrs[6].deps.pop_next);
    EXPECT_GT(failures_after([&](isa::Program& p) {
                  nth(p, Opcode::kLoad, 2).deps.pop_next = true;
                  nth(p, Opcode::kLoad, 4).deps.pop_next = false;
              }),
              0);
    // A k-range gap, a first chunk that accumulates, a wrong weight address, a wrong buffer.
    EXPECT_GT(failures_after([&](isa::Program& p) { p.comp(nth(p, Opcode::kCompute, 2)).k0 += 8; }),
              0);
    EXPECT_GT(failures_after(
                  [&](isa::Program& p) { p.comp(nth(p, Opcode::kCompute, 0)).accumulate = true; }),
              0);
    EXPECT_GT(
        failures_after([&](isa::Program& p) { p.xfer(nth(p, Opcode::kLoad, 2)).dram_addr += 8; }),
        0);
    EXPECT_GT(failures_after([&](isa::Program& p) {
                  isa::Compute& c = p.comp(nth(p, Opcode::kCompute, 1));
                  c.w_addr = p.comp(nth(p, Opcode::kCompute, 0)).w_addr;
              }),
              0);
    // Out of the scratchpad; out of DRAM; a MAC too few; no SYNC at the end of layer 1.
    EXPECT_GT(failures_after(
                  [&](isa::Program& p) { p.xfer(nth(p, Opcode::kStore, 0)).sram_addr = 16380; }),
              0);
    EXPECT_GT(failures_after([&](isa::Program& p) { p.dram_bytes_used -= 64; }), 0);
    EXPECT_GT(failures_after([&](isa::Program& p) { p.comp(nth(p, Opcode::kCompute, 95)).k -= 1; }),
              0);
    EXPECT_GT(failures_after([](isa::Program& p) { p.instrs.pop_back(); }), 0);
}

// ---------------------------------------------------------------------------------------------
// The DRAM image

int32_t le32(const std::vector<uint8_t>& b, size_t at) {
    return static_cast<int32_t>(uint32_t{b[at]} | uint32_t{b[at + 1]} << 8 |
                                uint32_t{b[at + 2]} << 16 | uint32_t{b[at + 3]} << 24);
}

const isa::DramSegment& segment_at(const isa::Program& p, uint64_t addr) {
    for (const auto& s : p.dram_image) {
        if (s.addr == addr) return s;
    }
    ADD_FAILURE() << "no DRAM segment at " << addr;
    static const isa::DramSegment kNone;
    return kNone;
}

TEST(CompilerImage, WeightsPreTiledPerNBlockAndBiasFolded) {
    // 4x4x3 -> 4x4x5, 3x3 pad 1, on a 4x2 array: n-blocks {0,1}, {2,3}, {4} (widths 2, 2, 1).
    const auto wl = workload(R"(
input: {shape: [4, 4, 3], scale: 0.05, zero_point: -3}
layers:
  - {name: c, op: conv2d, out_channels: 5, kernel: 3, padding: 1, weight_scale: 0.01,
     output: {scale: 1.0}}
)");
    const graph::Layer& l = wl.layers[0];
    const cfg::HwConfig hw = hw_with({"array.rows=4", "array.cols=2"});
    const isa::Program prog = compile(wl, hw, {true});
    ASSERT_EQ(prog.layers.size(), 1u);
    const isa::LayerDesc& d = prog.layers[0];
    // DRAM: input 48 B at 0 -> weights at 64 (27 * 5 = 135 B) -> bias at 64 + 192 = 256 (20 B)
    // -> output at 320 (80 B) -> align_up(400, 64) = 448 used.
    EXPECT_EQ(d.input_addr, 0u);
    EXPECT_EQ(d.weight_addr, 64u);
    EXPECT_EQ(d.bias_addr, 256u);
    EXPECT_EQ(d.output_addr, 320u);
    EXPECT_EQ(prog.dram_bytes_used, 448u);
    ASSERT_EQ(prog.dram_image.size(), 3u);
    const auto& in = segment_at(prog, 0);
    EXPECT_EQ(in.bytes, std::vector<uint8_t>(wl.input.begin(), wl.input.end()));

    const auto& w = segment_at(prog, d.weight_addr).bytes;
    const size_t K = 27, N = 5, nb = 2;
    ASSERT_EQ(w.size(), K * N);
    // Block of channel oc starts at n0 * K (n0 = oc / 2 * 2); inside it row kk (the OHWI inner
    // index (kh * 3 + kw) * 3 + ic) holds the block's `width` channels.
    for (size_t oc = 0; oc < N; ++oc) {
        const size_t n0 = oc / nb * nb, width = std::min(nb, N - n0);
        for (size_t kk = 0; kk < K; ++kk) {
            EXPECT_EQ(static_cast<int8_t>(w[n0 * K + kk * width + (oc - n0)]),
                      l.weights[oc * K + kk])
                << "oc " << oc << " kk " << kk;
        }
    }
    // Spot checks: oc 3, kh 1 kw 0 ic 1 -> kk = (1 * 3 + 0) * 3 + 1 = 10 -> 2 * 27 + 10 * 2 + 1 =
    // 75; oc 4 (a block of width 1), kk 26 -> 4 * 27 + 26 = 134, the last byte.
    EXPECT_EQ(static_cast<int8_t>(w[75]), l.weights[3 * 27 + 10]);
    EXPECT_EQ(static_cast<int8_t>(w[134]), l.weights[4 * 27 + 26]);
    EXPECT_EQ(static_cast<int8_t>(w[1]), l.weights[1 * 27 + 0]);  // oc 1, kk 0

    // Bias: b - zp * sum(w) = b + 3 * sum(w), little-endian int32.
    const auto& b = segment_at(prog, d.bias_addr).bytes;
    ASSERT_EQ(b.size(), N * 4);
    for (size_t oc = 0; oc < N; ++oc) {
        int64_t sum = 0;
        for (size_t kk = 0; kk < K; ++kk) sum += l.weights[oc * K + kk];
        EXPECT_EQ(le32(b, oc * 4), l.bias[oc] + 3 * sum) << "oc " << oc;
    }

    // Timing-only compile: the same program without the image.
    const isa::Program bare = compile(wl, hw, {false});
    EXPECT_TRUE(bare.dram_image.empty());
    EXPECT_EQ(isa::to_asm(bare), isa::to_asm(prog));
    check_stream(prog, wl, hw);
}

// End to end: every COMPUTE's weight block, read from the image where its LOAD points, equals the
// OHWI weights of its (k-range, n-range), over 3 n-blocks (last of width 4) x 4 k-chunks (last
// 232).
TEST(CompilerImage, EveryWeightLoadReadsItsBlock) {
    const auto wl = workload(kGemm4x1000x20);
    const graph::Layer& l = wl.layers[0];
    const cfg::HwConfig hw = small_hw();
    const isa::Program prog = compile(wl, hw, test::largest_tiles(wl, hw, true));
    const isa::LayerDesc& d = prog.layers[0];
    const auto& w = segment_at(prog, d.weight_addr).bytes;
    const int64_t K = 1000;
    int computes = 0;
    const isa::Instr* last_load = nullptr;
    for (const isa::Instr& in : prog.instrs) {
        if (in.op == Opcode::kLoad) last_load = &in;
        if (in.op != Opcode::kCompute) continue;
        ++computes;
        ASSERT_NE(last_load, nullptr);
        const isa::Transfer& x = prog.xfer(*last_load);  // the weights are the step's last load
        ASSERT_EQ(x.sram_addr, prog.comp(in).w_addr);
        ASSERT_GE(x.dram_addr, d.weight_addr);
        for (uint32_t r = 0; r < x.rows; ++r) {
            for (uint32_t cidx = 0; cidx < x.row_bytes; ++cidx) {
                const uint64_t at = x.dram_addr - d.weight_addr + r * x.dram_stride + cidx;
                ASSERT_LT(at, w.size());
                const int64_t oc = prog.comp(in).n0 + int64_t{cidx},
                              kk = prog.comp(in).k0 + int64_t{r};
                ASSERT_EQ(static_cast<int8_t>(w[at]), l.weights[size_t(oc * K + kk)])
                    << "oc " << oc << " k " << kk;
            }
        }
    }
    EXPECT_EQ(computes, 3 * 4);
}

}  // namespace
}  // namespace npu::compiler

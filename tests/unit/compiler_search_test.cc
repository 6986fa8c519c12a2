// The mapping search alone (sim/compiler/search.h): vector layers' block sizes and buffer
// addresses (exact, arithmetic in the comments), the candidates an array layer's search tries and
// their order, that the search takes the candidate with the best estimate, and the problems it
// reports for a layer that does not fit.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "sim/compiler/estimate.h"
#include "sim/compiler/lower.h"
#include "sim/compiler/schedule.h"
#include "sim/compiler/search.h"
#include "sim/quant/prepare.h"
#include "tests/unit/compiler_test_util.h"

namespace npu::compiler {
namespace {

using test::small_hw;
using test::workload;

LayerPlan plan_of(const std::string& yaml, const cfg::HwConfig& hw, size_t layer = 0) {
    const graph::Workload wl = workload(yaml);
    const Lowered lo = lower(wl, hw);
    return plan_layer(lo.layers.at(layer), hw);
}

// Default config: scratchpad 256 KiB in 4 banks (halves of 131072 B), accumulator 64 KiB in 2
// banks (pong at 32768).
TEST(CompilerSearch, ElementwiseBlocksAndBuffers) {
    const LayerPlan p = plan_of(R"(
inputs:
  - {name: x, shape: [4, 8], scale: 0.05}
  - {name: y, shape: [4, 8], scale: 0.05}
layers:
  - {name: a, op: add, inputs: [x, y], output: {scale: 1.0}}
)",
                                cfg::default_hw_config());
    ASSERT_TRUE(p.ok);
    // All 4 rows of 8 in one block: 32 int32 results (128 B) fit half the accumulator; x, y and
    // out (32 B each, 64-aligned) in the lower half for ping, the upper half for pong.
    EXPECT_EQ(p.elementwise.rows_per_block, 4);
    EXPECT_EQ(p.elementwise.cols_per_block, 8);
    EXPECT_EQ(p.elementwise.x[0], 0u);
    EXPECT_EQ(p.elementwise.y[0], 64u);
    EXPECT_EQ(p.elementwise.out[0], 128u);
    EXPECT_EQ(p.elementwise.x[1], 131072u);
    EXPECT_EQ(p.elementwise.y[1], 131136u);
    EXPECT_EQ(p.elementwise.out[1], 131200u);
    EXPECT_EQ(p.elementwise.acc[0], 0u);
    EXPECT_EQ(p.elementwise.acc[1], 32768u);
    EXPECT_EQ(p.summary, "vector add 4 rows x 8 per block");
}

TEST(CompilerSearch, RowBlocksLimitedByHalfTheScratchpad) {
    // Small NPU: halves of 8192 B. r rows of 100 B in and out: 2 * align64(100 r) <= 8192, so
    // r <= 40 (4000 -> 4032; 41 rows: 4100 -> 4160). 64 rows: blocks of 40 and 24.
    const LayerPlan p = plan_of(R"(
input: {shape: [64, 100], scale: 0.05}
layers:
  - {name: s, op: softmax, output: {scale: 1.0}}
)",
                                small_hw());
    ASSERT_EQ(p.rows.size(), 1u);
    EXPECT_EQ(p.rows[0].rows_per_block, 40);
    EXPECT_EQ(p.rows[0].x[0], 0u);
    EXPECT_EQ(p.rows[0].out[0], 4032u);
    EXPECT_EQ(p.rows[0].x[1], 8192u);
    EXPECT_EQ(p.rows[0].out[1], 12224u);
    EXPECT_EQ(p.summary, "vector softmax 40 rows of 100 per block");
}

TEST(CompilerSearch, ConcatPlansEachInput) {
    // Rows of 16 and 8 bytes: each input's blocks are sized on its own (all 4 rows here).
    const LayerPlan p = plan_of(R"(
inputs:
  - {name: x, shape: [4, 16], scale: 0.05}
  - {name: y, shape: [4, 8], scale: 0.05}
layers:
  - {name: c, op: concat, inputs: [x, y]}
)",
                                cfg::default_hw_config());
    ASSERT_EQ(p.rows.size(), 2u);
    EXPECT_EQ(p.rows[0].rows_per_block, 4);
    EXPECT_EQ(p.rows[1].rows_per_block, 4);
    EXPECT_EQ(p.summary, "vector copy 4 rows of 8 per block");  // the last input's
}

TEST(CompilerSearch, PoolingWindowInOneBlock) {
    // 3x3 stride 2 pad 1 over 16x16x16 -> 8x8x16. All 8 output rows read input rows [0, 16):
    // slab 16 * 16 * 16 = 4096 B; out 64 pixels x 16 = 1024 B; 64 * 16 int32 = 4096 B of
    // accumulator. No weights or biases (0 B, so they share the address after the slab).
    const LayerPlan p = plan_of(R"(
input: {shape: [16, 16, 16], scale: 0.05}
layers:
  - {name: m, op: maxpool, kernel: 3, stride: 2, padding: 1}
)",
                                cfg::default_hw_config());
    EXPECT_EQ(p.window.rows_per_block, 8);
    EXPECT_EQ(p.window.channels_per_block, 16);
    EXPECT_FALSE(p.window.split);
    EXPECT_EQ(p.window.slab[0], 0u);
    EXPECT_EQ(p.window.out[0], 4096u);
    EXPECT_EQ(p.window.slab[1], 131072u);
    EXPECT_EQ(p.window.out[1], 135168u);
    EXPECT_EQ(p.window.acc[1], 32768u);
    EXPECT_EQ(p.summary, "vector maxpool 8 out rows x 16 channels per block");
}

// 64x64x32 -> 32x32x64, 3x3 stride 2 pad 1 on the default NPU with both dataflows. The largest
// tiles: the whole K = 288 and 15 output rows (a slab bank holds 32 input rows; 15 rows read at
// most 31), 3 m-blocks. Then the rows spread over 3 to 12 blocks (8 counts evenly spaced: 3, 4,
// 5, 6, 8, 9, 10, 12 -> ceil(32 / blocks) = 11, 8, 7, 6, 4, 4, 4, 3: rows 11, 8, 7, 6, 4, 3),
// each with no k limit and with the reduction over 2, 3 and 4 chunks (ws: align_up(ceil(288 /
// c), 16) = 144, 96, 80; os: 144, 96, 72), in ws, then the same in os; then each one-k-chunk
// candidate again with the n-blocks outermost.
const char* const kConv = R"(
input: {shape: [64, 64, 32], scale: 0.05}
layers:
  - {name: c, op: conv2d, out_channels: 64, kernel: 3, stride: 2, padding: 1,
     weight_scale: 0.01, output: {scale: 1.0}}
)";

TEST(CompilerSearch, CandidatesInOrder) {
    const cfg::HwConfig hw = test::hw_with({"array.dataflow=both"});
    const graph::Workload wl = workload(kConv);
    const Lowered lo = lower(wl, hw);
    const std::vector<ArrayPlan> c = array_candidates(lo.layers[0], hw);
    struct Want {
        Dataflow df;
        int32_t max_rows;
        int64_t max_k;
        int32_t rows;
        int64_t kb;
    };
    const Dataflow ws = Dataflow::kWeightStationary, os = Dataflow::kOutputStationary;
    std::vector<Want> want;
    for (Dataflow df : {ws, os}) {
        want.push_back({df, 0, 0, 15, 288});
        for (int32_t r : {0, 11, 8, 7, 6, 4, 3}) {
            for (int64_t k : {int64_t{0}, int64_t{144}, int64_t{96}, int64_t{df == ws ? 80 : 72}}) {
                if (r != 0 || k != 0) want.push_back({df, r, k, r == 0 ? 15 : r, k == 0 ? 288 : k});
            }
        }
    }
    const size_t m_outer = want.size();  // 2 x 28
    for (size_t i = 0; i < m_outer; ++i) {
        if (want[i].kb == 288) want.push_back(want[i]);  // one k-chunk: the n-blocks outermost
    }
    ASSERT_EQ(c.size(), want.size());
    for (size_t i = 0; i < want.size(); ++i) {
        EXPECT_EQ(c[i].dataflow, want[i].df) << i;
        EXPECT_EQ(c[i].limits.max_rows, want[i].max_rows) << i;
        EXPECT_EQ(c[i].limits.max_k_chunk, want[i].max_k) << i;
        EXPECT_EQ(c[i].mapping.out_rows_per_block, want[i].rows) << i;
        EXPECT_EQ(c[i].mapping.kb, want[i].kb) << i;
        EXPECT_EQ(c[i].order == LoopOrder::kN, i >= m_outer) << i;
        // The buffers are the mapping's placement.
        const std::optional<Buffers> b = place(c[i].mapping, hw, c[i].mapping.placement);
        ASSERT_TRUE(b.has_value());
        EXPECT_EQ(c[i].buffers.slab[1], b->slab[1]) << i;
    }
}

// Latency: the search takes the least traffic among the candidates whose score (closed form,
// cycles raised to the engine schedule's: scored_estimate()) is within 1% of the fastest, then
// the first tried. A small conv on a small NPU: few candidates of few instructions, so the
// search schedules every one its bound does not rule out.
const char* const kSmallConv = R"(
input: {shape: [10, 10, 8], scale: 0.05}
layers:
  - {name: c, op: conv2d, out_channels: 8, kernel: 3, stride: 2, padding: 1,
     weight_scale: 0.01, output: {scale: 1.0}}
)";

TEST(CompilerSearch, TakesTheLeastTrafficNearTheFastestSchedule) {
    for (const char* df : {"ws", "os"}) {
        const cfg::HwConfig hw = test::small_hw({std::string("array.dataflow=") + df});
        const graph::Workload wl = workload(kSmallConv);
        const Lowered lo = lower(wl, hw);
        // The first 16 by the closed form (the most the search schedules; with the k-chunks
        // outermost there are more than 16 candidates).
        std::vector<ArrayPlan> c = array_candidates(lo.layers[0], hw);
        std::stable_sort(c.begin(), c.end(), [&](const ArrayPlan& a, const ArrayPlan& b) {
            return better(estimate(lo.layers[0], a, hw), estimate(lo.layers[0], b, hw), hw);
        });
        if (c.size() > 16) c.resize(16);
        std::vector<Estimate> s;
        uint64_t fewest = UINT64_MAX;
        for (const ArrayPlan& p : c) {
            s.push_back(scored_estimate(lo.layers[0], p, hw));
            fewest = std::min(fewest, s.back().cycles);
        }
        size_t best = c.size();
        for (size_t i = 0; i < c.size(); ++i) {
            if (s[i].cycles * 100 > fewest * 101) continue;
            if (best == c.size() || s[i].bytes < s[best].bytes) best = i;
        }
        ASSERT_LT(best, c.size());
        const LayerPlan p = plan_layer(lo.layers[0], hw);
        EXPECT_EQ(p.array.dataflow, c[best].dataflow) << df;
        EXPECT_EQ(p.array.order, c[best].order) << df;
        EXPECT_EQ(p.summary, array_summary(lo.layers[0], c[best])) << df;
    }
}

// A layer of many steps is searched too: LLaMA-7B's 512x4096x4096 query projection on the
// default NPU with both dataflows. Its largest ws tiles (16 rows, k-chunk 2048) take
// 32 x 256 x 2 = 16384 steps; the search prefers the same blocks in os.
TEST(CompilerSearch, EveryLayerIsSearchedHoweverManySteps) {
    graph::LoadOptions no_data;
    no_data.with_data = false;
    const graph::Workload wl = quant::prepare(graph::load_workload_from_string(R"(
input: {shape: [512, 4096], scale: 0.05}
layers:
  - {name: q, op: gemm, n: 4096, weight_scale: 0.01, bias: false, output: {scale: 1.0}}
)",
                                                                               "w.yaml", no_data));
    const cfg::HwConfig hw = test::hw_with({"array.dataflow=both"});
    const Lowered lo = lower(wl, hw);
    const std::vector<ArrayPlan> c = array_candidates(lo.layers[0], hw);
    ASSERT_FALSE(c.empty());
    const LayerMapping& first = c[0].mapping;
    EXPECT_EQ(c[0].dataflow, Dataflow::kWeightStationary);
    EXPECT_EQ(first.m_blocks * first.n_blocks * first.k_chunks, 16384);
    const LayerPlan p = plan_layer(lo.layers[0], hw);
    EXPECT_EQ(p.array.dataflow, Dataflow::kOutputStationary);
    EXPECT_EQ(p.array.mapping.out_rows_per_block, 16);
    EXPECT_EQ(p.array.mapping.kb, 2048);
    EXPECT_LT(estimate(lo.layers[0], p.array, hw), estimate(lo.layers[0], c[0], hw));
}

TEST(CompilerSearch, ReportsLayersThatDoNotFit) {
    // Rows of 5000 B cannot be double-buffered in and out of a 16 KiB scratchpad's halves
    // (2 * 5056 > 8192); the gemm after it (2x5000x20) fits.
    const graph::Workload wl = workload(R"(
input: {shape: [2, 5000], scale: 0.05}
layers:
  - {name: wide, op: softmax, output: {scale: 1.0}}
  - {name: g, op: gemm, n: 20, weight_scale: 0.01, output: {scale: 1.0}}
)");
    const cfg::HwConfig hw = small_hw();
    const Lowered lo = lower(wl, hw);
    const std::vector<LayerPlan> plans = search_mappings(lo, hw);
    ASSERT_EQ(plans.size(), 2u);
    EXPECT_FALSE(plans[0].ok);
    ASSERT_EQ(plans[0].problems.size(), 1u);
    EXPECT_EQ(plans[0].problems[0].to_string(),
              "w.yaml:4:5: layers[0]: layer 'wide' (softmax 2x5000 -> 2x5000) does not fit on "
              "chip: one row of 5000 bytes, double-buffered in and out (scratchpad has 16384 B); "
              "to fit it, raise scratchpad.size = 16KiB (--set) or accumulator.size = 4KiB "
              "(--set)");
    EXPECT_TRUE(plans[1].ok);
    EXPECT_TRUE(plans[1].problems.empty());
}

// The k-chunks outermost where they are clearly best: a 64 x 4096 x 64 gemm on the default NPU
// with DRAM at 4 GB/s (4 B per cycle: the layer is memory-bound). Its m-blocks are 16 rows (a
// slab of 16 x 4096 B fills a 64 KiB bank), so with the m-blocks outermost the 4096 x 64 B of
// weights stream 4 times: 64 x 4096 (A) + 4 x (262144 + 64 x 4 bias) + 64 x 64 (out) =
// 1315840 B. With the k-chunks outermost its sums (4 x 4 pairs of 16 x 16 x 4 B = 16 KiB) stay in
// the accumulators, each k-chunk's weights are loaded once and each chunk loads only its columns
// of the slabs (a gemm's slab is plain rows of K): 262144 + 262144 + 256 + 4096 = 528640 B. The
// search takes them (simulated: 250,210 cycles against 333,099 pinned to the m-blocks).
TEST(CompilerSearch, TakesTheKChunksOutermostWhereTheWeightsWouldStreamPerMBlock) {
    const cfg::HwConfig hw = test::hw_with({"dram.bandwidth=4GB/s"});
    const char* const gemm = R"(
input: {shape: [64, 4096], scale: 0.05, zero_point: 3}
layers:
  - {name: fc, op: gemm, n: 64, weight_scale: 0.01, output: {scale: 1.0}}
)";
    const graph::Workload wl = workload(gemm);
    const Lowered lo = lower(wl, hw);
    const LoweredLayer& x = lo.layers.at(0);
    const LayerPlan p = plan_layer(x, hw);
    ASSERT_EQ(p.array.order, LoopOrder::kK) << p.summary;
    EXPECT_EQ(p.array.mapping.m_blocks, 4);
    EXPECT_EQ(p.array.mapping.n_blocks, 4);
    EXPECT_EQ(resident_sums_bytes(p.array.mapping), 16384u);
    EXPECT_EQ(estimate(x, p.array, hw).bytes, 528640u);
    EXPECT_NE(p.summary.find("; k-chunks outermost, partial sums resident (acc 16384 B)"),
              std::string::npos)
        << p.summary;
    uint64_t m_outer = UINT64_MAX;
    for (const ArrayPlan& c : array_candidates(x, hw)) {
        if (c.order == LoopOrder::kM) m_outer = std::min(m_outer, estimate(x, c, hw).bytes);
    }
    EXPECT_EQ(m_outer, 1315840u);
}

// Where the sums do not fit, no candidate has the k-chunks outermost: 32x32x16 -> 32 channels,
// M x N x 4 = 1024 x 32 x 4 = 131072 B against 65536 B of accumulators.
TEST(CompilerSearch, NoKChunksOutermostWhereTheSumsDoNotFit) {
    const cfg::HwConfig hw = test::hw_with({});
    const graph::Workload wl = workload(R"(
input: {shape: [32, 32, 16], scale: 0.05}
layers:
  - {name: c, op: conv2d, out_channels: 32, kernel: 3, padding: 1, weight_scale: 0.01,
     output: {scale: 1.0}}
)");
    const Lowered lo = lower(wl, hw);
    const std::vector<ArrayPlan> c = array_candidates(lo.layers.at(0), hw);
    ASSERT_FALSE(c.empty());
    for (const ArrayPlan& p : c) {
        EXPECT_NE(p.order, LoopOrder::kK);
        EXPECT_GT(resident_sums_bytes(p.mapping), hw.accumulator.size_bytes);
    }
}

}  // namespace
}  // namespace npu::compiler

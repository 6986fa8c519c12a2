// The mapper's objectives (compiler.objective): what the estimate counts for the energy model on
// a hand-checked GEMM, how better() orders estimates under latency, energy and edp, and which
// candidates the search tries for one image under each.
#include <gtest/gtest.h>

#include "sim/compiler/estimate.h"
#include "sim/compiler/lower.h"
#include "sim/compiler/search.h"
#include "sim/energy/energy_model.h"
#include "tests/unit/compiler_test_util.h"

namespace npu::compiler {
namespace {

constexpr const char* kGemm = R"(
input: {shape: [4, 8], scale: 0.05}
layers:
  - {name: g, op: gemm, n: 8, weight_scale: 0.01, output: {scale: 1.0}}
)";

// m = 4, k = 8, n = 8 on an 8x8 ws array: one m-block, one n-block, one k-chunk, one tile.
//  LOADs: slab 4 x 8 = 32 B, bias 8 x 4 = 32 B, weights 8 x 8 = 64 B -> DRAM read 128 B, the
//         scratchpad written 128 B;
//  COMPUTE: one tile reads 4 x 8 = 32 B of activations, 64 B of weights and the 32 B of bias
//         (it starts the sums); it writes 4 x 8 x 4 = 128 B of sums, reads none back;
//  POST: reads the 128 B of sums, writes 32 B of results, requantizes 32 elements;
//  STORE: 32 B from the scratchpad to DRAM.
TEST(CompilerObjective, EstimateCountsWhatTheEnergyModelPrices) {
    const cfg::HwConfig hw = test::small_hw();
    const graph::Workload wl = test::workload(kGemm);
    const Lowered lo = lower(wl, hw);
    const LoweredLayer& x = lo.layers.at(0);
    const ArrayPlan p = plan_array(x, hw, Dataflow::kWeightStationary, {});
    ASSERT_EQ(p.mapping.m_blocks * p.mapping.n_blocks * p.mapping.k_chunks, 1);
    const Estimate e = estimate(x, p, hw);
    EXPECT_EQ(e.counters.macs, 4u * 8 * 8);
    EXPECT_EQ(e.counters.dram_read_bytes, 128u);
    EXPECT_EQ(e.counters.dram_write_bytes, 32u);
    EXPECT_EQ(e.counters.spad_write_bytes, 128u + 32);
    EXPECT_EQ(e.counters.spad_read_bytes, 32u + 64 + 32 + 32);
    EXPECT_EQ(e.counters.acc_write_bytes, 128u);
    EXPECT_EQ(e.counters.acc_read_bytes, 128u);
    EXPECT_EQ(e.counters.requant_fixed_point_elements, 32u);
    EXPECT_EQ(e.bytes, 160u);
    const energy::EnergyBreakdown priced =
        energy::price(e.counters, e.cycles, hw.clock_hz, hw.energy);
    EXPECT_DOUBLE_EQ(energy_pj(e, hw), priced.total_pj());
    EXPECT_DOUBLE_EQ(priced.mac_pj, 256 * hw.energy.mac_int8_pj);
    EXPECT_DOUBLE_EQ(priced.dram_pj, 160 * hw.energy.dram_pj_per_byte);
}

TEST(CompilerObjective, BetterFollowsTheObjective) {
    cfg::HwConfig hw = test::small_hw();
    hw.energy = cfg::EnergyTable{};
    hw.energy.mac_int8_pj = 1;
    hw.energy.static_mw = 0;
    hw.energy.dram_pj_per_byte = 0;
    // a: 100 cycles, 1000 pJ (EDP 1e5); b: 200 cycles, 10 pJ (EDP 2e3).
    Estimate a, b;
    a.cycles = 100;
    a.counters.macs = 1000;
    b.cycles = 200;
    b.counters.macs = 10;
    EXPECT_DOUBLE_EQ(energy_pj(a, hw), 1000);
    hw.compiler.objective = Objective::kLatency;
    EXPECT_TRUE(better(a, b, hw));
    EXPECT_FALSE(better(b, a, hw));
    hw.compiler.objective = Objective::kEnergy;
    EXPECT_TRUE(better(b, a, hw));
    EXPECT_FALSE(better(a, b, hw));
    hw.compiler.objective = Objective::kEdp;
    EXPECT_TRUE(better(b, a, hw));
    // Equal energy: the latency order decides (fewer cycles).
    b.counters.macs = 1000;
    hw.compiler.objective = Objective::kEnergy;
    EXPECT_TRUE(better(a, b, hw));
    EXPECT_FALSE(better(b, a, hw));
    EXPECT_FALSE(better(a, a, hw));
}

// A conv with several m-blocks and n-blocks in one k-chunk: for one image, every objective
// tries each one-k-chunk candidate with the n-blocks outermost too.
TEST(CompilerObjective, EveryObjectiveTriesTheNBlocksOutermostForOneImage) {
    const graph::Workload wl = test::workload(R"(
input: {shape: [12, 12, 8], scale: 0.05}
layers:
  - {name: c, op: conv2d, out_channels: 24, kernel: [3, 3], padding: 1, weight_scale: 0.01,
     output: {scale: 1.0}}
)");
    for (Objective o : {Objective::kLatency, Objective::kEnergy, Objective::kEdp}) {
        cfg::HwConfig hw = test::small_hw();
        hw.compiler.objective = o;
        const Lowered lo = lower(wl, hw);
        int outer = 0, one_chunk = 0;
        for (const ArrayPlan& c : array_candidates(lo.layers.at(0), hw)) {
            outer += c.order == LoopOrder::kN;
            one_chunk += !(c.order == LoopOrder::kN) && c.mapping.k_chunks == 1;
        }
        ASSERT_GT(one_chunk, 0) << to_string(o);
        EXPECT_EQ(outer, one_chunk) << to_string(o);
    }
}

}  // namespace
}  // namespace npu::compiler

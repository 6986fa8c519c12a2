// Memory planning and linking alone (sim/compiler/memory_plan.h): working sets of an emitted
// program, tensor lifetimes, on-chip residency (first fit from the top over given working sets),
// DRAM allocation from a base, an on-chip window base, a fusion group's intermediates, and the
// relocation of an emitted program. Weight packing alone (sim/compiler/pack.h) at a plan's
// addresses.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "sim/compiler/emit.h"
#include "sim/compiler/fusion.h"
#include "sim/compiler/lower.h"
#include "sim/compiler/memory_plan.h"
#include "sim/compiler/pack.h"
#include "sim/compiler/search.h"
#include "tests/unit/compiler_test_util.h"

namespace npu::compiler {
namespace {

using test::small_hw;
using test::workload;

TEST(CompilerMemory, WorkingSetIsTheHighestScratchpadByteTouched) {
    // Softmax of 64 rows of 100 B on the small NPU: blocks of 40 and 24 rows, x at 0 / 8192,
    // out at 4032 / 12224 (compiler_search_test). The pong block's output ends at
    // 12224 + 24 * 100 = 14624.
    const graph::Workload wl = workload(R"(
input: {shape: [64, 100], scale: 0.05}
layers:
  - {name: s, op: softmax, output: {scale: 1.0}}
)");
    const cfg::HwConfig hw = small_hw();
    const Lowered lo = lower(wl, hw);
    const Emitted e = emit(lo, search_mappings(lo, hw), group_layers(lo));
    EXPECT_EQ(working_sets(e.program), (std::vector<uint64_t>{14624}));
}

TEST(CompilerMemory, LifetimesRunFromProducerToLastReaderThroughViews) {
    const graph::Workload wl = workload(test::kGraph);
    const Lowered lo = lower(wl, cfg::default_hw_config());
    const std::vector<std::optional<Lifetime>> life = lifetimes(lo);
    ASSERT_EQ(life.size(), 8u);
    for (size_t r : {0, 1, 2, 3, 7}) EXPECT_FALSE(life[r].has_value()) << r;
    // g's output is read by the reshape (layer 1) and, through it, by s (layer 2).
    ASSERT_TRUE(life[4]);
    EXPECT_EQ(life[4]->from, 0u);
    EXPECT_EQ(life[4]->to, 2u);
    ASSERT_TRUE(life[5] && life[6]);
    EXPECT_EQ(life[5]->from, 2u);
    EXPECT_EQ(life[5]->to, 4u);
    EXPECT_EQ(life[6]->from, 3u);
    EXPECT_EQ(life[6]->to, 4u);
}

// Working sets 1000, 0, 2000, 500, 0 B; scratchpad 262144 B.
//  g's output (64 B, layers 0..2): floor align64(2000) = 2048; right under the top: 262080.
//  s's output (64 B, layers 2..4): 262080 clashes with g's (both alive at layer 2): 262016.
//  a's output (32 B, layers 3..4): right under the top, (262144 - 32) / 64 * 64 = 262080, is
//  free (g's is dead by then).
// DRAM from 0x1000, 64-aligned: x 0x1000, y 0x1040, g's weights 0x1080 (128 B), bias 0x1100
// (64 B), c's output 0x1140 (96 B) -> end 0x11c0.
TEST(CompilerMemory, ResidencyFirstFitAndDramFromTheBases) {
    const graph::Workload wl = workload(test::kGraph);
    const Lowered lo = lower(wl, cfg::default_hw_config());
    const std::vector<uint64_t> work = {1000, 0, 2000, 500, 0};
    const MemoryBases bases{0x1000, uint64_t{5} << 44};
    const MemoryPlan p =
        plan_memory(lo, group_layers(lo), work, cfg::default_hw_config(), bases, true);
    const std::vector<uint64_t> want = {0x1000,
                                        0x1040,
                                        0x1080,
                                        0x1100,
                                        bases.onchip_window + 262080,
                                        bases.onchip_window + 262016,
                                        bases.onchip_window + 262080,
                                        0x1140};
    EXPECT_EQ(p.address, want);
    EXPECT_EQ(p.onchip, (std::vector<bool>{false, false, false, false, true, true, true, false}));
    EXPECT_EQ(p.dram_begin, 0x1000u);
    EXPECT_EQ(p.dram_end, 0x11c0u);

    // Without on-chip activations every region is in DRAM, in order.
    const MemoryPlan q =
        plan_memory(lo, group_layers(lo), work, cfg::default_hw_config(), bases, false);
    EXPECT_EQ(q.address, (std::vector<uint64_t>{0x1000, 0x1040, 0x1080, 0x1100, 0x1140, 0x1180,
                                                0x11c0, 0x1200}));
    EXPECT_EQ(q.dram_end, 0x1280u);
}

TEST(CompilerMemory, FusionIntermediatesStayOnChipOrFail) {
    const graph::Workload wl = workload(test::kGraph);
    const Lowered lo = lower(wl, cfg::default_hw_config());
    const std::vector<FusionGroup> groups = {{0, 2, {0}}, {3, 3, {}}, {4, 4, {}}};
    // Even with on-chip activations off, g's output (a fused intermediate) stays on chip.
    const MemoryPlan p =
        plan_memory(lo, groups, {0, 0, 0, 0, 0}, cfg::default_hw_config(), MemoryBases{}, false);
    EXPECT_TRUE(p.onchip[4]);
    EXPECT_EQ(p.address[4], isa::kOnChipBase + 262080);
    EXPECT_FALSE(p.onchip[5]);
    // Working sets filling the scratchpad leave it no room.
    try {
        (void)plan_memory(lo, groups, {262144, 0, 0, 0, 0}, cfg::default_hw_config(), MemoryBases{},
                          false);
        ADD_FAILURE() << "no error";
    } catch (const UserError& e) {
        EXPECT_STREQ(e.what(),
                     "w.yaml:6:5: layers[0]: layer 'g' is fused with the layers up to 's', but its "
                     "output (64 B) does not fit on chip beside their working sets");
    }
}

TEST(CompilerMemory, LinkRelocatesEveryTransferAndFillsTheLayerTable) {
    const cfg::HwConfig hw = cfg::default_hw_config();
    const graph::Workload wl = workload(test::kGraph);
    const Lowered lo = lower(wl, hw);
    const std::vector<FusionGroup> groups = group_layers(lo);
    Emitted e = emit(lo, search_mappings(lo, hw), groups);
    const Emitted before = e;
    const MemoryBases bases{0x1000, uint64_t{5} << 44};
    const MemoryPlan p = plan_memory(lo, groups, working_sets(e.program), hw, bases, true);
    link(e, lo, p);
    int transfers = 0;
    for (size_t i = 0; i < e.program.instrs.size(); ++i) {
        const isa::Instr& in = e.program.instrs[i];
        if (in.op != isa::Opcode::kLoad && in.op != isa::Opcode::kStore) {
            EXPECT_EQ(e.regions[i], kNoRegion);
            continue;
        }
        const uint64_t base = e.regions[i] == kNoRegion ? 0 : p.address[e.regions[i]];
        EXPECT_EQ(e.program.xfer(in).dram_addr, before.program.xfer(in).dram_addr + base);
        transfers += e.regions[i] != kNoRegion;
    }
    EXPECT_GT(transfers, 0);
    const std::vector<isa::LayerDesc>& d = e.program.layers;
    EXPECT_EQ(d[0].input_addr, p.address[0]);
    EXPECT_EQ(d[0].weight_addr, p.address[2]);
    EXPECT_EQ(d[0].bias_addr, p.address[3]);
    EXPECT_EQ(d[0].output_addr, p.address[4]);
    EXPECT_EQ(d[0].residency, "on-chip");
    EXPECT_EQ(d[1].output_addr, d[0].output_addr);  // the reshape views g's output
    EXPECT_EQ(d[1].residency, "on-chip");
    EXPECT_EQ(d[3].weight_addr, 0u);
    EXPECT_EQ(d[4].residency, "dram");
    EXPECT_EQ(e.program.dram_bytes_used, p.dram_end - p.dram_begin);
}

TEST(CompilerPack, ImagesAtThePlansAddresses) {
    // 4x8 x 8x16 with input zero point 3 on the default 16x16 array: one n-block of 16, so the
    // weights are K-major [8][16]: w[kk * 16 + oc] = weights[oc * 8 + kk]; the bias folds
    // -3 * sum_k w.
    const graph::Workload wl = workload(R"(
input: {shape: [4, 8], scale: 0.05, zero_point: 3}
layers:
  - {name: g, op: gemm, n: 16, weight_scale: 0.01, output: {scale: 1.0}}
)");
    const cfg::HwConfig hw = cfg::default_hw_config();
    const Lowered lo = lower(wl, hw);
    MemoryPlan plan;
    plan.address = {0x100, 0x2000, 0x3000, 0x4000};  // input, weights, bias, output
    plan.onchip.assign(4, false);
    isa::Program prog;
    pack_weights(wl, lo, plan, hw, prog);
    ASSERT_EQ(prog.dram_image.size(), 3u);
    EXPECT_EQ(prog.dram_image[0].addr, 0x100u);
    EXPECT_EQ(prog.dram_image[0].bytes, std::vector<uint8_t>(wl.input.begin(), wl.input.end()));
    EXPECT_EQ(prog.dram_image[1].addr, 0x2000u);
    EXPECT_EQ(prog.dram_image[2].addr, 0x3000u);
    const graph::Layer& l = wl.layers[0];
    for (int oc = 0; oc < 16; ++oc) {
        int64_t sum = 0;
        for (int kk = 0; kk < 8; ++kk) {
            const int8_t w = l.weights[size_t(oc * 8 + kk)];
            EXPECT_EQ(static_cast<int8_t>(prog.dram_image[1].bytes[size_t(kk * 16 + oc)]), w);
            sum += w;
        }
        const std::vector<uint8_t>& b = prog.dram_image[2].bytes;
        const auto folded = static_cast<int32_t>(
            uint32_t(b[size_t(oc * 4)]) | uint32_t(b[size_t(oc * 4 + 1)]) << 8 |
            uint32_t(b[size_t(oc * 4 + 2)]) << 16 | uint32_t(b[size_t(oc * 4 + 3)]) << 24);
        EXPECT_EQ(folded, l.bias[size_t(oc)] - 3 * sum) << oc;
    }
}

}  // namespace
}  // namespace npu::compiler

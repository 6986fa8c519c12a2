// Emission alone (sim/compiler/emit.h): a layer's instructions with their far addresses as
// offsets into regions (relocated only later), the region of every transfer, the closed-form
// instruction count, and the SYNC that closes each layer.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "sim/compiler/emit.h"
#include "sim/compiler/fusion.h"
#include "sim/compiler/lower.h"
#include "sim/compiler/search.h"
#include "sim/quant/ptq.h"
#include "tests/unit/compiler_test_util.h"

namespace npu::compiler {
namespace {

using isa::Opcode;
using test::small_hw;
using test::workload;

// 4x32 x 32x32 on the small NPU (8x8 array): nb = 8, so 4 n-blocks; the whole K = 32 and all 4
// rows fit: 1 m-block x 4 n-blocks x 1 k-chunk.
const char* const kGemm = R"(
input: {shape: [4, 32], scale: 0.05}
layers:
  - {name: g, op: gemm, n: 32, weight_scale: 0.01, output: {scale: 1.0}}
)";

TEST(CompilerEmit, TransfersAreOffsetsIntoTheirRegions) {
    const graph::Workload wl = workload(kGemm);
    const cfg::HwConfig hw = small_hw();
    const Lowered lo = lower(wl, hw);
    const std::vector<LayerPlan> plans = search_mappings(lo, hw);
    Emitted e;
    emit_layer(lo.layers[0], plans[0], 0, e);
    const LoweredLayer& g = lo.layers[0];
    // 1 slab; per n-block: bias, weights, COMPUTE, POST, STORE: 1 + 4 * 5 = 21.
    ASSERT_EQ(e.program.instrs.size(), 21u);
    // 13 transfers (slab, then bias, weights, STORE per n-block), 4 COMPUTE, 4 POST.
    EXPECT_TRUE(instruction_count(g, plans[0]) == (isa::InstrCounts{13, 4, 0, 4, 0}));
    EXPECT_TRUE(e.program.counts() == instruction_count(g, plans[0]));
    ASSERT_EQ(e.regions.size(), e.program.instrs.size());
    ASSERT_EQ(e.program.layers.size(), 1u);
    EXPECT_EQ(e.program.layers[0].mapping, plans[0].summary);
    const std::vector<Opcode> n_block = {Opcode::kLoad, Opcode::kLoad, Opcode::kCompute,
                                         Opcode::kPostproc, Opcode::kStore};
    EXPECT_EQ(e.program.instrs[0].op, Opcode::kLoad);
    EXPECT_EQ(e.regions[0], g.input_regions[0]);  // the slab: input rows 0..3 at offset 0
    EXPECT_EQ(e.program.xfer(e.program.instrs[0]).dram_addr, 0u);
    EXPECT_EQ(e.program.xfer(e.program.instrs[0]).bytes(), 4u * 32);
    for (int j = 0; j < 4; ++j) {
        const size_t at = 1 + 5 * size_t(j);
        for (size_t i = 0; i < n_block.size(); ++i) {
            EXPECT_EQ(e.program.instrs[at + i].op, n_block[i]) << j << " " << i;
        }
        // Bias: channels 8j.. at 32j B; weights: the n-block's [32][8] block at 256j B; the
        // output block: columns 8j.. of each row, at 8j B (row stride 32).
        EXPECT_EQ(e.regions[at], g.bias_region);
        EXPECT_EQ(e.program.xfer(e.program.instrs[at]).dram_addr, 32u * uint64_t(j));
        EXPECT_EQ(e.regions[at + 1], g.weight_region);
        EXPECT_EQ(e.program.xfer(e.program.instrs[at + 1]).dram_addr, 256u * uint64_t(j));
        EXPECT_EQ(e.regions[at + 2], kNoRegion);
        EXPECT_EQ(e.regions[at + 3], kNoRegion);
        EXPECT_EQ(e.regions[at + 4], g.output_region);
        EXPECT_EQ(e.program.xfer(e.program.instrs[at + 4]).dram_addr, 8u * uint64_t(j));
        EXPECT_EQ(e.program.xfer(e.program.instrs[at + 4]).dram_stride, 32u);
    }
}

TEST(CompilerEmit, EveryLayerEndsWithASync) {
    const graph::Workload wl = workload(R"(
input: {shape: [4, 32], scale: 0.05}
layers:
  - {name: g, op: gemm, n: 32, weight_scale: 0.01, output: {scale: 1.0}}
  - {name: r, op: reshape, shape: [128]}
  - {name: s, op: gelu, output: {scale: 1.0}}
)");
    const cfg::HwConfig hw = small_hw();
    const Lowered lo = lower(wl, hw);
    const std::vector<LayerPlan> plans = search_mappings(lo, hw);
    // One group per layer: 21 + SYNC, the reshape's SYNC, gelu (1 row of 128: LOAD, VECTOR,
    // STORE) + SYNC.
    const Emitted one = emit(lo, plans, group_layers(lo));
    ASSERT_EQ(one.program.instrs.size(), 22u + 1 + 4);
    const std::vector<size_t> syncs = {21, 22, 26};
    for (size_t i = 0; i < one.program.instrs.size(); ++i) {
        const bool sync = one.program.instrs[i].op == Opcode::kSync;
        EXPECT_EQ(sync, std::find(syncs.begin(), syncs.end(), i) != syncs.end()) << i;
        EXPECT_EQ(one.program.instrs[i].id, i);
    }
    EXPECT_EQ(one.program.instrs[22].layer, 1);
    // All three in one group: the layers of a group keep their barriers (fusion.h: the group's
    // gain is its intermediates read in place, which the plans say); without in-place plans the
    // program is the same.
    const Emitted fused = emit(lo, plans, {{0, 2, {0}}});
    EXPECT_EQ(isa::to_asm(fused.program), isa::to_asm(one.program));
}

TEST(CompilerEmit, CountsEveryKindOfLayer) {
    // Every operator (the test networks) on two NPUs: emit() checks each layer's count against
    // instruction_count() (per kind) and throws on a difference.
    for (const char* name : {"tiny_resnet", "tiny_attention"}) {
        graph::LoadOptions lo;
        lo.with_data = false;
        const graph::Workload wl = quant::load_and_quantize(
            std::string(NPUSIM_SOURCE_DIR) + "/workloads/" + name + ".yaml", lo);
        for (const cfg::HwConfig& hw : {cfg::default_hw_config(), small_hw()}) {
            const Lowered lowered = lower(wl, hw);
            const std::vector<LayerPlan> plans = search_mappings(lowered, hw);
            isa::InstrCounts total;
            total.syncs = lowered.layers.size();
            for (size_t i = 0; i < plans.size(); ++i) {
                ASSERT_TRUE(plans[i].ok) << name << " layer " << i;
                total += instruction_count(lowered.layers[i], plans[i]);
            }
            const Emitted e = emit(lowered, plans, group_layers(lowered));
            EXPECT_TRUE(e.program.counts() == total) << name;
            EXPECT_EQ(e.program.instrs.size(), total.total()) << name;
            // Every payload array was allocated once, at its exact size.
            EXPECT_EQ(e.program.transfers.capacity(), total.transfers) << name;
            EXPECT_EQ(e.program.computes.capacity(), total.computes) << name;
            EXPECT_EQ(e.program.vectors.capacity(), total.vectors) << name;
            EXPECT_EQ(e.program.posts.capacity(), total.posts) << name;
            EXPECT_EQ(e.program.instrs.capacity(), total.total()) << name;
        }
    }
}

}  // namespace
}  // namespace npu::compiler

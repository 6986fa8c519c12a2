// Prefetch across the barrier (compiler.overlap = prefetch; emit.h, memory_plan.h): where a
// layer's first weights may be prefetched (plan_prefetch: above both layers' working sets, clear of
// the tensors kept on chip, or nowhere) and what emit() makes of a slot (the LOAD moves into the
// previous layer's stream, before its SYNC; the first compute reads the slot).
#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

#include "sim/compiler/compiler.h"
#include "sim/compiler/emit.h"
#include "sim/compiler/fusion.h"
#include "sim/compiler/lower.h"
#include "sim/compiler/memory_plan.h"
#include "sim/compiler/search.h"
#include "tests/unit/compiler_test_util.h"

namespace npu::compiler {
namespace {

using test::small_hw;
using test::workload;

// Two GEMMs: x [16, 32] -> g1 (n 16) -> g2 (n 8).
constexpr const char* kTwoGemms = R"(
input: {shape: [16, 32], scale: 0.05}
layers:
  - {name: g1, op: gemm, n: 16, weight_scale: 0.01, output: {scale: 0.5}}
  - {name: g2, op: gemm, n: 8, weight_scale: 0.01, output: {scale: 0.5}}
)";

struct Passes {
    Lowered lo;
    std::vector<LayerPlan> plans;
    std::vector<FusionGroup> groups;
    std::vector<uint64_t> work;
    MemoryPlan memory;
};
Passes passes(const graph::Workload& wl, const cfg::HwConfig& hw, bool onchip) {
    Passes p{lower(wl, hw), {}, {}, {}, {}};
    p.plans = search_mappings(p.lo, hw);
    p.groups = group_layers(p.lo);
    p.work = working_sets(emit(p.lo, p.plans, p.groups).program);
    p.memory = plan_memory(p.lo, p.groups, p.work, hw, MemoryBases{}, onchip);
    return p;
}

TEST(CompilerPrefetch, FirstWeightsAreTheFirstStepsLoad) {
    const graph::Workload wl = workload(kTwoGemms);
    const Passes p = passes(wl, small_hw(), false);
    // g1 is the first layer: prefetchable weights, but no layer before it to prefetch under.
    const std::optional<isa::Transfer> w = first_weights(p.lo.layers[1], p.plans[1]);
    ASSERT_TRUE(w);
    const LayerMapping& mp = p.plans[1].array.mapping;
    // n-block 0 is min(nb, 8) weights wide (1 B each), its first k-chunk min(kb, 16) rows deep.
    EXPECT_EQ(w->row_bytes, uint32_t(std::min<int64_t>(mp.nb, 8)));
    EXPECT_EQ(w->rows, uint32_t(std::min<int64_t>(mp.kb, 16)));
    EXPECT_EQ(w->dram_addr, 0u);
    // No weights to prefetch: a softmax, a reshape view.
    const graph::Workload rows = workload(test::kGraph);
    const Passes q = passes(rows, cfg::default_hw_config(), false);
    EXPECT_FALSE(first_weights(q.lo.layers[1], q.plans[1]));
    EXPECT_FALSE(first_weights(q.lo.layers[2], q.plans[2]));
}

TEST(CompilerPrefetch, SlotIsRightUnderTheTopOrUnderTheTensorsKeptOnChip) {
    const graph::Workload wl = workload(kTwoGemms);
    const cfg::HwConfig hw = small_hw();  // 16384 B scratchpad
    {
        const Passes p = passes(wl, hw, false);  // nothing kept on chip
        const uint64_t bytes = uint64_t(first_weights(p.lo.layers[1], p.plans[1])->rows) *
                               first_weights(p.lo.layers[1], p.plans[1])->row_bytes;
        const auto slots = plan_prefetch(p.lo, p.plans, p.groups, p.work, p.memory, hw, {});
        ASSERT_EQ(slots.size(), 2u);
        EXPECT_FALSE(slots[0]);  // the first group has nothing before it
        ASSERT_TRUE(slots[1]);
        EXPECT_EQ(*slots[1], (16384 - bytes) / 64 * 64);
    }
    {
        const Passes p = passes(wl, hw, true);  // g1's output (16 x 16 B = 256 B) on chip
        ASSERT_TRUE(p.memory.onchip[p.lo.layers[0].output_region]);
        const uint64_t at = p.memory.address[p.lo.layers[0].output_region] - isa::kOnChipBase;
        EXPECT_EQ(at, 16384u - 256u);
        const uint64_t bytes = uint64_t(first_weights(p.lo.layers[1], p.plans[1])->rows) *
                               first_weights(p.lo.layers[1], p.plans[1])->row_bytes;
        const auto slots = plan_prefetch(p.lo, p.plans, p.groups, p.work, p.memory, hw, {});
        ASSERT_TRUE(slots[1]);
        EXPECT_EQ(*slots[1], (at - bytes) / 64 * 64);  // right under the tensor alive meanwhile
    }
}

TEST(CompilerPrefetch, NoRoomAboveBothWorkingSetsMeansNoSlot) {
    const graph::Workload wl = workload(kTwoGemms);
    const cfg::HwConfig hw = small_hw();
    const Passes p = passes(wl, hw, false);
    const uint64_t bytes = uint64_t(first_weights(p.lo.layers[1], p.plans[1])->rows) *
                           first_weights(p.lo.layers[1], p.plans[1])->row_bytes;
    const uint64_t floor = (std::max(p.work[0], p.work[1]) + 63) / 64 * 64;
    cfg::HwConfig tight = hw;
    tight.scratchpad.size_bytes = floor + bytes - 1;  // one byte short
    EXPECT_FALSE(plan_prefetch(p.lo, p.plans, p.groups, p.work, p.memory, tight, {})[1]);
    tight.scratchpad.size_bytes = floor + bytes;  // just fits, right at the floor
    const auto slots = plan_prefetch(p.lo, p.plans, p.groups, p.work, p.memory, tight, {});
    ASSERT_TRUE(slots[1]);
    EXPECT_EQ(*slots[1], floor);
}

TEST(CompilerPrefetch, TheLoadMovesBeforeThePreviousSyncAndTheFirstComputeReadsTheSlot) {
    const graph::Workload wl = workload(kTwoGemms);
    const cfg::HwConfig hw = small_hw();
    const Passes p = passes(wl, hw, false);
    const auto slots = plan_prefetch(p.lo, p.plans, p.groups, p.work, p.memory, hw, {});
    const Emitted off = emit(p.lo, p.plans, p.groups);
    const Emitted on = emit(p.lo, p.plans, p.groups, slots);
    const isa::Program& a = off.program;
    const isa::Program& b = on.program;
    ASSERT_EQ(a.instrs.size(), b.instrs.size());  // moved, not added
    // With it: the instruction right before g1's SYNC is g2's LOAD of its first weights...
    size_t sync0 = 0;
    while (b.instrs[sync0].op != isa::Opcode::kSync) ++sync0;
    const isa::Instr& pf = b.instrs[sync0 - 1];
    ASSERT_EQ(pf.op, isa::Opcode::kLoad);
    EXPECT_EQ(pf.layer, 1u);
    EXPECT_EQ(b.xfer(pf).sram_addr, *slots[1]);
    EXPECT_EQ(on.regions[sync0 - 1], p.lo.layers[1].weight_region);
    EXPECT_FALSE(pf.deps.push_next);  // the SYNC, not a token, tells g2 it has arrived
    // g1 read no slot of its own: the prefetch waits for nothing.
    EXPECT_FALSE(pf.deps.pop_next);
    // ...which without overlap is g1's SYNC (g2's first weights load after it).
    EXPECT_EQ(a.instrs[sync0 - 1].op, isa::Opcode::kSync);
    EXPECT_EQ(a.instrs[sync0 - 2].layer, 0u);
    // g2's first COMPUTE reads the slot; it loads one weight tile fewer itself.
    size_t first = sync0 + 1;
    while (b.instrs[first].op != isa::Opcode::kCompute) ++first;
    EXPECT_EQ(b.comp(b.instrs[first]).w_addr, *slots[1]);
    const auto loads = [](const isa::Program& prog, size_t from) {
        size_t n = 0;
        for (size_t i = from; i < prog.instrs.size(); ++i) {
            n += prog.instrs[i].op == isa::Opcode::kLoad ? 1 : 0;
        }
        return n;
    };
    EXPECT_EQ(loads(b, sync0 + 1) + 1, loads(a, sync0));
    // The rest of the stream is unchanged: same instructions in the same order.
    for (size_t i = 0; i + 1 < sync0; ++i) EXPECT_EQ(a.instrs[i].op, b.instrs[i].op) << i;
}

TEST(CompilerPrefetch, OverlapOffCompilesTheSameProgramAsBefore) {
    // compiler.overlap none is the program emit() makes without slots.
    const graph::Workload wl = workload(kTwoGemms);
    const cfg::HwConfig hw = small_hw();
    CompileOptions o;
    o.with_data = false;
    const isa::Program prog = compile(wl, hw, o);
    const Passes p = passes(wl, hw, true);
    const isa::Program& e = emit(p.lo, p.plans, p.groups).program;
    ASSERT_EQ(prog.instrs.size(), e.instrs.size());
    for (size_t i = 0; i < e.instrs.size(); ++i) {
        EXPECT_EQ(prog.instrs[i].op, e.instrs[i].op) << i;
        EXPECT_EQ(prog.instrs[i].layer, e.instrs[i].layer) << i;
    }
    const isa::Program pre = compile(wl, small_hw({"compiler.overlap=prefetch"}), o);
    size_t moved = 0;
    for (size_t i = 0; i < pre.instrs.size(); ++i) {
        moved += pre.instrs[i].layer != e.instrs[i].layer ? 1 : 0;
    }
    EXPECT_GT(moved, 0u);
}

}  // namespace
}  // namespace npu::compiler

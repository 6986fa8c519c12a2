// Cross-layer prefetch through the NPU (compiler.overlap = prefetch, sim/compiler/emit.h): the
// next layer's first weights load while the current layer still computes; outputs stay bit-exact
// on the small bundled networks in both dataflows and with a batch; a layer without room for its
// prefetch waits for the barrier as without overlap; per-layer spans, exclusive and overlapped
// cycles add up.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <systemc>
#include <vector>

#include "sim/compiler/compiler.h"
#include "sim/config/config_loader.h"
#include "sim/quant/prepare.h"
#include "sim/quant/ptq.h"
#include "sim/run/simulation.h"
#include "tests/models/bundled.h"
#include "tests/models/spans_checks.h"

namespace npu {
namespace {

using test_support::bundled;

cfg::HwConfig hw_with(std::vector<std::string> overrides) {
    cfg::HwConfig hw = cfg::default_hw_config();
    cfg::apply_overrides(hw, overrides);
    return hw;
}

using test_support::expect_spans_add_up;

TEST(NpuOverlap, SecondGemmsWeightsLoadBeforeTheFirstGemmsLastCompute) {
    // gemm_small on the default 16x16 NPU: g1 (37x50 by 50x29), then g2 (37x29 by 29x13).
    const graph::Workload wl = bundled("gemm_small");
    const cfg::HwConfig hw = hw_with({"compiler.overlap=prefetch"});
    compiler::CompileOptions co;
    co.with_data = false;
    const isa::Program prog = compiler::compile(wl, hw, co);
    size_t sync0 = 0;
    while (prog.instrs[sync0].op != isa::Opcode::kSync) ++sync0;
    const size_t pf = sync0 - 1;  // g2's first weights, before g1's SYNC
    ASSERT_EQ(prog.instrs[pf].op, isa::Opcode::kLoad);
    ASSERT_EQ(prog.instrs[pf].layer, 1u);

    run::RunOptions o;
    o.trace = true;
    const run::RunResult on = run::simulate(hw, wl, o);
    const run::RunResult off = run::simulate(hw_with({}), wl, {});
    const stats::LayerStats& g1 = on.stats.layers[0];
    const stats::LayerStats& g2 = on.stats.layers[1];
    // The controller decodes one instruction per cycle (controller.dispatch_cycles 1) and never
    // blocks on a full queue here, so g2 starts when its prefetch is decoded: after the `pf`
    // instructions before it, at cycle pf x 1.
    ASSERT_EQ(g1.counters.dispatch_queue_full_cycles, 0u);
    EXPECT_EQ(g2.start_cycle, pf);
    EXPECT_LT(g2.start_cycle, g1.end_cycle);
    EXPECT_EQ(g2.overlapped_cycles, g1.end_cycle - pf);
    EXPECT_EQ(g1.overlapped_cycles, 0u);
    // The load engine starts the prefetch before g1's last COMPUTE has finished.
    uint64_t prefetch_start = 0, last_compute_complete = 0;
    for (const stats::TraceEvent& ev : on.trace.events) {
        if (ev.instr == pf && ev.engine == stats::TraceEngine::kLoad) prefetch_start = ev.start;
        if (ev.layer == 0 && ev.engine == stats::TraceEngine::kCompute) {
            last_compute_complete = std::max(last_compute_complete, ev.complete);
        }
    }
    ASSERT_GT(prefetch_start, 0u);
    EXPECT_LT(prefetch_start, last_compute_complete);
    expect_spans_add_up(on.stats);
    expect_spans_add_up(off.stats);
    // Outputs the same and bit-exact; the run is shorter by what g2 no longer waits for.
    EXPECT_EQ(on.outputs, off.outputs);
    for (const auto& l : on.stats.layers) EXPECT_TRUE(l.checked && l.bit_exact) << l.name;
    EXPECT_LT(on.stats.total_cycles, off.stats.total_cycles);
    // Without overlap the spans are back to back and nothing overlaps.
    for (const auto& l : off.stats.layers) {
        EXPECT_EQ(l.overlapped_cycles, 0u) << l.name;
        EXPECT_EQ(l.exclusive_cycles, l.cycles()) << l.name;
    }
}

TEST(NpuOverlap, NoRoomForThePrefetchFallsBackToTheBarrier) {
    // 2 KiB of scratchpad (the tiles fill it) leaves gemm_small's g2 no room beside both layers'
    // buffers: no LOAD moves, and the run is the run without overlap, cycle for cycle.
    const graph::Workload wl = bundled("gemm_small");
    const cfg::HwConfig tight = hw_with({"scratchpad.size=2KiB", "compiler.overlap=prefetch"});
    compiler::CompileOptions co;
    co.with_data = false;
    const isa::Program prog = compiler::compile(wl, tight, co);
    size_t sync0 = 0;
    while (prog.instrs[sync0].op != isa::Opcode::kSync) ++sync0;
    for (size_t i = 0; i < sync0; ++i) EXPECT_EQ(prog.instrs[i].layer, 0u) << i;
    const run::RunResult on = run::simulate(tight, wl, {});
    const run::RunResult off = run::simulate(hw_with({"scratchpad.size=2KiB"}), wl, {});
    EXPECT_EQ(on.stats.layers[1].overlapped_cycles, 0u);
    EXPECT_EQ(on.stats.total_cycles, off.stats.total_cycles);
    EXPECT_EQ(on.outputs, off.outputs);
}

struct OverlapCase {
    const char* workload;
    const char* dataflow;
};
class NpuOverlapNets : public ::testing::TestWithParam<OverlapCase> {};

TEST_P(NpuOverlapNets, BitExactWithPrefetchAndTheSameOutputsAsWithout) {
    const OverlapCase c = GetParam();
    const graph::Workload wl = bundled(c.workload);
    const std::string df = std::string("array.dataflow=") + c.dataflow;
    const run::RunResult on = run::simulate(hw_with({df, "compiler.overlap=prefetch"}), wl, {});
    const run::RunResult off = run::simulate(hw_with({df}), wl, {});
    uint64_t overlapped = 0;
    for (const auto& l : on.stats.layers) {
        EXPECT_TRUE(l.checked) << l.name;
        EXPECT_TRUE(l.bit_exact) << l.name << " (" << l.op << "): " << l.mismatches;
        overlapped += l.overlapped_cycles;
    }
    EXPECT_GT(overlapped, 0u);
    EXPECT_EQ(on.outputs, off.outputs);
    expect_spans_add_up(on.stats);
}

INSTANTIATE_TEST_SUITE_P(
    Nets, NpuOverlapNets,
    ::testing::Values(OverlapCase{"tiny_resnet", "ws"}, OverlapCase{"tiny_resnet", "os"},
                      OverlapCase{"tiny_attention", "ws"}, OverlapCase{"tiny_attention", "os"},
                      OverlapCase{"mobilenet_v2", "ws"}, OverlapCase{"mobilenet_v2", "os"}));

TEST(NpuOverlap, BatchOfThreeBitExactWithPrefetch) {
    const cfg::HwConfig hw = hw_with({"compiler.overlap=prefetch"});
    const run::RunResult one = run::simulate(hw, bundled("tiny_resnet"), {});
    const run::RunResult three = run::simulate(hw, bundled("tiny_resnet", 3), {});
    uint64_t overlapped = 0;
    for (size_t i = 0; i < three.stats.layers.size(); ++i) {
        const auto& l = three.stats.layers[i];
        EXPECT_TRUE(l.checked && l.bit_exact) << l.name << ": " << l.mismatches;
        const std::vector<int8_t>& first = one.outputs[i];
        ASSERT_EQ(three.outputs[i].size(), 3 * first.size()) << l.name;
        EXPECT_TRUE(std::equal(first.begin(), first.end(), three.outputs[i].begin())) << l.name;
        overlapped += l.overlapped_cycles;
    }
    EXPECT_GT(overlapped, 0u);
    expect_spans_add_up(three.stats);
}

}  // namespace
}  // namespace npu

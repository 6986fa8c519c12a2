// The k-chunks outermost (ArrayPlan::order kK, `mapping: {order: k}`), end to end: pinned on a
// 3x3 conv (whole slabs reloaded per chunk), a 1x1 conv and a gemm (each chunk's columns of the
// slab), every layer of the run bit-exact against the reference executor: one image, a batch
// (the 3x3 conv image by image, the 1x1 conv's images stacked as rows), int4 weights, the os
// dataflow, fused (the input read and the output written in place), two cores splitting the
// channels and three the rows (equal to the one-core run), and with compiler.overlap prefetch and
// full (the first k-chunk of the next layer's weights loaded
// into the prefetch slot).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "sim/compiler/compiler.h"
#include "sim/config/config_loader.h"
#include "sim/graph/workload_loader.h"
#include "sim/quant/prepare.h"
#include "sim/quant/ptq.h"
#include "sim/run/simulation.h"
#include "tests/models/bundled.h"
#include "tests/models/multicore_checks.h"

namespace npu {
namespace {

// Default NPU (16x16, accumulator 64 KiB). c3: M = 256, K = 288 (3 chunks of 96), N = 32: sums
// 256 x 32 x 4 = 32 KiB. pw: M = 256, K = 32 (2 chunks of 16), N = 24: 24 KiB (batch 2, stacked:
// 2 n-blocks x 32 KiB = 64 KiB). fc: M = 1, K = 24 (chunks of 16 and 8), N = 40.
constexpr const char* kNet = R"(
name: kouter
seed: 5
input: {shape: [16, 16, 32], scale: 0.05, zero_point: 0}
layers:
  - {name: c3, op: conv2d, out_channels: 32, kernel: 3, padding: 1, weight_scale: 0.002,
     activation: relu, output: auto, mapping: {order: k, rows_per_block: 4, k_chunk: 96}}
  - {name: pw, op: conv2d, out_channels: 24, kernel: 1, weight_scale: 0.01, output: auto,
     mapping: {order: k, k_chunk: 16}}
  - {name: gap, op: global_avgpool}
  - {name: flat, op: reshape, shape: [1, 24]}
  - {name: fc, op: gemm, n: 40, weight_scale: 0.01, output: auto, mapping: {order: k, k_chunk: 16}}
)";

// `fused`: c3 pinned to fuse with pw (`fuse: true`): c3's POSTs write its output in place and
// pw's k-chunks read their slab columns where it lies (no LOAD).
graph::Workload net(int32_t batch = 1, bool fused = false) {
    std::string yaml = kNet;
    if (fused) {
        const std::string at = "output: auto, mapping: {order: k, rows_per_block";
        yaml.replace(yaml.find(at), 0, "fuse: true, ");
    }
    graph::Workload wl = quant::prepare(graph::load_workload_from_string(yaml, "kouter.yaml"));
    quant::set_batch(wl, batch);
    return wl;
}

cfg::HwConfig hw_with(std::vector<std::string> more) {
    cfg::HwConfig hw = cfg::default_hw_config();
    cfg::apply_overrides(hw, more);
    return hw;
}

// Every layer checked and bit-exact; the three array layers ran with the k-chunks outermost.
void expect_bit_exact_k_outer(const cfg::HwConfig& hw, const graph::Workload& wl,
                              const std::string& what) {
    compiler::CompileOptions co;
    co.with_data = false;
    const compiler::Partitioned parts = compiler::compile_cores(wl, hw, co);
    for (const isa::Program& p : parts.programs) {
        for (size_t i : {size_t{0}, size_t{1}, size_t{4}}) {
            EXPECT_NE(p.layers.at(i).mapping.find("k-chunks outermost, partial sums resident"),
                      std::string::npos)
                << what << ": " << p.layers[i].mapping;
        }
    }
    const run::RunResult r = run::simulate(hw, wl, {});
    ASSERT_EQ(r.stats.layers.size(), wl.layers.size());
    for (const stats::LayerStats& l : r.stats.layers) {
        EXPECT_TRUE(l.checked && l.bit_exact) << what << " " << l.name << ": " << l.mismatches;
    }
}

TEST(KOuter, PinnedLayersAreBitExact) { expect_bit_exact_k_outer(hw_with({}), net(), "default"); }

TEST(KOuter, BatchTwoIsBitExact) { expect_bit_exact_k_outer(hw_with({}), net(2), "batch 2"); }

TEST(KOuter, Int4WeightsAndOsAreBitExact) {
    expect_bit_exact_k_outer(hw_with({"precision=int4"}), net(), "int4");
    expect_bit_exact_k_outer(hw_with({"array.dataflow=os"}), net(), "os");
}

TEST(KOuter, OverlapPrefetchAndFullAreBitExact) {
    expect_bit_exact_k_outer(hw_with({"compiler.overlap=prefetch"}), net(), "prefetch");
    expect_bit_exact_k_outer(hw_with({"compiler.overlap=full"}), net(), "full");
    expect_bit_exact_k_outer(hw_with({"compiler.overlap=full"}), net(2), "full, batch 2");
}

TEST(KOuter, FusedInPlaceInputAndOutputAreBitExact) {
    expect_bit_exact_k_outer(hw_with({}), net(1, true), "fused");
    expect_bit_exact_k_outer(hw_with({}), net(2, true), "fused, batch 2");
}

TEST(KOuter, ChannelAndSpatialPartitionsAreBitExactAndEqualToOneCore) {
    const graph::Workload wl = net();
    const run::RunResult one = run::simulate(hw_with({}), wl, {});
    for (const auto& [cores, partition] :
         {std::pair{2, "channel"}, std::pair{3, "spatial"}, std::pair{3, "channel"}}) {
        const cfg::HwConfig hw =
            test_support::with_cores(cores, {std::string("compiler.partition=") + partition});
        expect_bit_exact_k_outer(hw, wl, partition);
        test_support::expect_layers_match_one_core(run::simulate(hw, wl, {}), one);
    }
}

}  // namespace
}  // namespace npu

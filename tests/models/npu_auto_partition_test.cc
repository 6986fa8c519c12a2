// compiler.partition auto (sim/compiler/partition.h, choose_layer_partitions() in compiler.h):
// batch when the batch gives every core the same images or the splits cannot run; otherwise each
// layer split by channel or by rows as the estimate prefers, if that beats one core. The choice on
// layers whose answer follows from their shape (one output row: only channel splits it; one
// n-block of output channels: only rows split it), the programs those of a channel run pinned to
// the same choice, bit-exact runs, the cases where auto keeps batch, and how many cores a batch
// keeps busy.
#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "sim/compiler/compiler.h"
#include "sim/compiler/partition.h"
#include "sim/graph/workload_loader.h"
#include "sim/isa/isa.h"
#include "sim/quant/prepare.h"
#include "sim/run/simulation.h"
#include "tests/models/bundled.h"
#include "tests/models/multicore_checks.h"

namespace npu {
namespace {

using test_support::bundled;
using test_support::with_cores;

cfg::HwConfig auto_hw(int cores, std::vector<std::string> more = {}) {
    more.push_back("compiler.partition=auto");
    return with_cores(cores, std::move(more));
}

// 'wide': a conv of a 32x32 image to 16 output channels, one n-block on the default 16-column
// array: channel can give only core 0 work, rows split it. 'fc': a gemm of one row (the global
// pooling's) to 256 outputs, 16 n-blocks and 64 KiB of weights: rows cannot split one row,
// channels split it. 'gap' (pooling) is not an array layer: rows.
constexpr const char* kShapes = R"(
name: shapes
seed: 3
input: {shape: [32, 32, 8], scale: 0.05, zero_point: 0}
layers:
  - {name: wide, op: conv2d, out_channels: 16, kernel: 3, padding: 1, weight_scale: 0.002,
     activation: relu, output: auto}
  - {name: gap, op: global_avgpool}
  - {name: flat, op: reshape, shape: [1, 16]}
  - {name: fc, op: gemm, n: 256, weight_scale: 0.01, output: auto}
)";

graph::Workload shapes() {
    return quant::prepare(graph::load_workload_from_string(kShapes, "shapes.yaml"));
}

TEST(AutoPartition, ChoosesBySplitsThatTheLayersShapeAllows) {
    const graph::Workload wl = shapes();
    const compiler::LayerSplit split = compiler::choose_layer_partitions(wl, auto_hw(4));
    ASSERT_EQ(split.layers.size(), wl.layers.size());
    EXPECT_EQ(split.layers[0], Partition::kSpatial);  // wide
    EXPECT_EQ(split.layers[1], Partition::kSpatial);  // gap
    EXPECT_EQ(split.layers[3], Partition::kChannel);  // fc
    EXPECT_LT(split.split_cycles, split.one_core_cycles);
}

// Auto's programs are, core by core, those of a channel run with every layer pinned to auto's
// choice; the report says how many layers went each way.
TEST(AutoPartition, ProgramsAreThoseOfTheChosenPins) {
    compiler::CompileOptions o;
    o.with_data = false;
    const graph::Workload plain = bundled("tiny_resnet");
    const cfg::HwConfig hw = auto_hw(3);
    const compiler::Partitioned a = compiler::compile_cores(plain, hw, o);
    ASSERT_EQ(a.partition, Partition::kAuto);
    const std::vector<Partition> chosen = compiler::choose_layer_partitions(plain, hw).layers;
    EXPECT_EQ(a.layers, chosen);
    graph::Workload pinned = plain;
    size_t channel = 0;
    for (size_t i = 0; i < pinned.layers.size(); ++i) {
        pinned.layers[i].pin_partition = chosen[i];
        channel += chosen[i] == Partition::kChannel ? 1 : 0;
    }
    // Both splits occur on tiny_resnet at 3 cores (its convolutions after the pooling are
    // weight-heavy enough for channel, the stem and the window layers go by rows).
    ASSERT_GT(channel, 0u);
    ASSERT_LT(channel, chosen.size());
    const compiler::Partitioned p =
        compiler::compile_cores(pinned, with_cores(3, {"compiler.partition=channel"}), o);
    ASSERT_EQ(a.programs.size(), p.programs.size());
    for (size_t c = 0; c < a.programs.size(); ++c) {
        EXPECT_EQ(isa::to_asm(a.programs[c]), isa::to_asm(p.programs[c])) << "core " << c;
        EXPECT_TRUE(a.programs[c].core_barrier);
    }
    EXPECT_EQ(compiler::share_text(a), "its channels of " + std::to_string(channel) +
                                           " layers and its rows of " +
                                           std::to_string(chosen.size() - channel) +
                                           " layers (chosen per layer by compiler.partition auto)");
}

// Bit-exact and byte for byte the one-core run, at batch 1 and at a batch the cores do not
// divide.
TEST(AutoPartition, SplitRunsAreBitExact) {
    for (int batch : {1, 3}) {
        const run::RunResult one = run::simulate(with_cores(1), bundled("tiny_resnet", batch), {});
        const run::RunResult a = run::simulate(auto_hw(2), bundled("tiny_resnet", batch), {});
        EXPECT_EQ(a.stats.partition, "auto") << "batch " << batch;
        test_support::expect_layers_match_one_core(a, one);
        EXPECT_LT(a.stats.total_cycles, one.stats.total_cycles) << "batch " << batch;
    }
}

// Batch whenever the cores divide the batch, the splits cannot run (fusion), or the estimate
// says no split beats one core: at 1 GB/s every layer is DRAM-bound and a split only adds bytes
// (each core rereads the input or the weights).
TEST(AutoPartition, KeepsBatchWhereSplittingDoesNotPay) {
    compiler::CompileOptions o;
    o.with_data = false;
    const graph::Workload wl = bundled("tiny_resnet");
    EXPECT_EQ(compiler::compile_cores(bundled("tiny_resnet", 4), auto_hw(2), o).partition,
              Partition::kBatch);
    EXPECT_EQ(compiler::compile_cores(wl, auto_hw(2, {"compiler.fusion=auto"}), o).partition,
              Partition::kBatch);
    const cfg::HwConfig slow = auto_hw(4, {"dram.bandwidth=1GB/s"});
    const compiler::LayerSplit split = compiler::choose_layer_partitions(wl, slow);
    EXPECT_GE(split.split_cycles, split.one_core_cycles);
    const compiler::Partitioned p = compiler::compile_cores(wl, slow, o);
    EXPECT_EQ(p.partition, Partition::kBatch);
    EXPECT_TRUE(p.layers.empty());
    EXPECT_EQ(compiler::share_text(p), "");
}

// 'weights': two gemms of 2 rows per image through 256 KiB of weights each. At batch 4 on 4
// cores behind a 1 GB/s DRAM every core would read all 512 KiB of weights for its one image; one
// core reads them once for the four images, so auto keeps fewer cores busy (choose_batch_cores()).
constexpr const char* kWeights = R"(
name: weights
seed: 5
batch: 4
input: {shape: [2, 512], scale: 0.05, zero_point: 0}
layers:
  - {name: g1, op: gemm, n: 512, weight_scale: 0.002, activation: relu, output: auto}
  - {name: g2, op: gemm, n: 512, weight_scale: 0.002, output: auto}
)";

TEST(AutoPartition, KeepsFewerCoresBusyWhenEveryCoreWouldReadTheWeights) {
    const graph::Workload wl =
        quant::prepare(graph::load_workload_from_string(kWeights, "weights.yaml"));
    ASSERT_EQ(wl.batch, 4);
    const cfg::HwConfig slow = auto_hw(4, {"dram.bandwidth=1GB/s"});
    const int busy = compiler::choose_batch_cores(wl, slow);
    EXPECT_LT(busy, 4);
    compiler::CompileOptions o;
    o.with_data = false;
    const compiler::Partitioned p = compiler::compile_cores(wl, slow, o);
    EXPECT_EQ(p.partition, Partition::kBatch);
    ASSERT_EQ(p.shares.size(), 4u);
    int working = 0;
    for (const compiler::CoreShare& s : p.shares) working += s.images > 0 ? 1 : 0;
    EXPECT_EQ(working, busy);
    // The choice pays in the run: fewer cycles than every core taking an image, and bit-exact.
    const run::RunResult a = run::simulate(slow, wl, {});
    const run::RunResult b =
        run::simulate(with_cores(4, {"compiler.partition=batch", "dram.bandwidth=1GB/s"}), wl, {});
    EXPECT_LT(a.stats.total_cycles, b.stats.total_cycles);
    EXPECT_TRUE(report::check_summary(a.stats).all_checked_exact());
    EXPECT_EQ(report::check_summary(a.stats).checked, a.stats.layers.size());
    // Where the arrays limit (tiny_resnet at batch 4 on the default 16 GB/s), every core works.
    EXPECT_EQ(compiler::choose_batch_cores(bundled("tiny_resnet", 4), auto_hw(4)), 4);
}

// Every bundled chip at 4 cores, batch 1 and batch 4, bit-exact whatever auto chooses (a split,
// or the batch on as many cores as choose_batch_cores() keeps busy); on each chip the choice is
// the one compile_cores() makes. NPUSIM_AUTO_SWEEP=long (ctest multicore_auto_long) adds BERT and
// ResNet-50.
TEST(AutoPartition, BundledChipsBitExact) {
    compiler::CompileOptions o;
    o.with_data = false;
    const auto reported = [&](const graph::Workload& wl, const cfg::HwConfig& hw) {
        return std::string(to_string(compiler::compile_cores(wl, hw, o).partition));
    };
    for (const int32_t batch : {1, 4}) {
        SCOPED_TRACE("batch " + std::to_string(batch));
        test_support::expect_bundled_chips_bit_exact("NPUSIM_AUTO_SWEEP", "auto", reported, batch);
    }
}

}  // namespace
}  // namespace npu

// Cross-layer prefetch with the channel and spatial partitions (compiler.overlap = prefetch with
// compiler.partition channel, spatial or auto's split; sim/compiler/emit.h, partition.h): each
// core's program loads the first weights of its own share of the next layer (channel: its first
// block of output channels; spatial: n-block 0) before the layer's SYNC, exactly the LOAD its
// first step would have made, and a core without a share of the next layer prefetches nothing;
// the cross-core barrier still closes every layer. Small networks at 2 to 4 cores bit-exact and
// byte for byte the one-core run (int8 and fp16); the prefetch overlaps the previous layer and
// shortens a four-core run; auto splits with prefetch; compiler.overlap full and fusion are
// refused with the exact message. NPUSIM_SPLIT_PREFETCH_SWEEP=long (ctest
// multicore_split_prefetch_long) runs the bundled chips at 4 cores on BERT and ResNet-50 too.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "sim/compiler/compiler.h"
#include "sim/compiler/lower.h"
#include "sim/compiler/memory_plan.h"
#include "sim/compiler/partition.h"
#include "sim/compiler/search.h"
#include "sim/compiler/tiling.h"
#include "sim/config/config_loader.h"
#include "sim/graph/workload.h"
#include "sim/quant/prepare.h"
#include "sim/run/simulation.h"
#include "tests/models/bundled.h"
#include "tests/models/multicore_checks.h"
#include "tests/models/spans_checks.h"

namespace npu {
namespace {

using test_support::bundled;
using test_support::with_cores;

cfg::HwConfig split_hw(int cores, const std::string& partition,
                       std::vector<std::string> more = {}) {
    more.push_back("compiler.partition=" + partition);
    return with_cores(cores, std::move(more));
}

// Three gemms on the default 16x16 array: g1 and g2 to 64 outputs (four 16-channel units of the
// channel split: one per core on 4 cores), g3 to 8 (one unit: core 0 only).
constexpr const char* kGemms = R"(
name: gemms
seed: 5
input: {shape: [16, 64], scale: 0.05, zero_point: 0}
layers:
  - {name: g1, op: gemm, n: 64, weight_scale: 0.01, output: auto}
  - {name: g2, op: gemm, n: 64, weight_scale: 0.01, output: auto}
  - {name: g3, op: gemm, n: 8, weight_scale: 0.01, output: auto}
)";

graph::Workload gemms() {
    return quant::prepare(graph::load_workload_from_string(kGemms, "gemms.yaml"));
}

// Index of the SYNC that closes layer `layer` in `p`.
size_t sync_of(const isa::Program& p, size_t layer) {
    for (size_t i = 0; i < p.instrs.size(); ++i) {
        if (p.instrs[i].op == isa::Opcode::kSync && p.instrs[i].layer == layer) return i;
    }
    ADD_FAILURE() << "no SYNC of layer " << layer;
    return 0;
}

// Layer `layer`'s instructions placed in layer `layer - 1`'s stream (before its SYNC): the
// prefetch LOADs.
std::vector<size_t> prefetches_of(const isa::Program& p, size_t layer) {
    std::vector<size_t> out;
    for (size_t i = 0; i < sync_of(p, layer - 1); ++i) {
        if (p.instrs[i].layer == layer) out.push_back(i);
    }
    return out;
}

// The first LOAD of layer `layer`'s weights ([weight_addr, bias_addr): its weights' region) in
// `p`, if any.
std::optional<isa::Transfer> first_weight_load(const isa::Program& p, size_t layer) {
    const isa::LayerDesc& d = p.layers[layer];
    for (const isa::Instr& in : p.instrs) {
        if (in.op != isa::Opcode::kLoad || in.layer != layer) continue;
        const isa::Transfer& x = p.xfer(in);
        if (x.dram_addr >= d.weight_addr && x.dram_addr < d.bias_addr) return x;
    }
    return std::nullopt;
}

// Every prefetch of every core's program in `on` (`off`: the same split without prefetch): the
// LOAD that core's first step of the layer makes without prefetch (address, bytes, stride), into a
// slot above both layers' working sets on that core (its own scratchpad: the addresses are
// offsets into its window). Returns how many prefetches there are.
size_t expect_prefetches_are_first_steps(const compiler::Partitioned& on,
                                         const compiler::Partitioned& off) {
    size_t count = 0;
    for (size_t c = 0; c < on.programs.size(); ++c) {
        const isa::Program& p = on.programs[c];
        const std::vector<uint64_t> work = compiler::working_sets(off.programs[c]);
        for (size_t li = 1; li < p.layers.size(); ++li) {
            for (size_t i : prefetches_of(p, li)) {
                SCOPED_TRACE("core " + std::to_string(c) + ", layer " + p.layers[li].name);
                const isa::Transfer& x = p.xfer(p.instrs[i]);
                const std::optional<isa::Transfer> own = first_weight_load(off.programs[c], li);
                EXPECT_TRUE(own);
                if (!own) continue;
                EXPECT_EQ(x.dram_addr, own->dram_addr);
                EXPECT_EQ(x.dram_stride, own->dram_stride);
                EXPECT_EQ(x.rows, own->rows);
                EXPECT_EQ(x.row_bytes, own->row_bytes);
                EXPECT_GE(x.sram_addr, std::max(work[li - 1], work[li]));
                ++count;
            }
        }
    }
    return count;
}

// Channel split of kGemms on 4 cores: core c's program loads, before g1's SYNC, the rows of g2's
// pre-tiled weights its first step reads, channels [16c, 16c + 16) of n-block j = 16c / nb (each
// row min(nb, 64 - j nb) bytes, int8), from the first k-chunk: the LOAD its first step makes
// without prefetch; g3 (one unit) is prefetched by core 0 only. Spatial: every core n-block 0.
TEST(SplitPrefetch, EachCorePrefetchesItsOwnFirstWeights) {
    const graph::Workload wl = gemms();
    compiler::CompileOptions o;
    o.with_data = false;
    const cfg::HwConfig hw = split_hw(4, "channel", {"compiler.overlap=prefetch"});
    const compiler::Partitioned on = compiler::compile_cores(wl, hw, o);
    const compiler::Partitioned off = compiler::compile_cores(wl, split_hw(4, "channel"), o);
    const compiler::Lowered lowered = compiler::lower(wl, hw);
    const compiler::LayerMapping mp = compiler::search_mappings(lowered, hw).at(1).array.mapping;
    const int64_t k = std::min<int64_t>(mp.kb, mp.k);
    ASSERT_EQ(mp.k, 64);
    ASSERT_EQ(on.programs.size(), 4u);
    for (size_t c = 0; c < 4; ++c) {
        SCOPED_TRACE("core " + std::to_string(c));
        const isa::Program& p = on.programs[c];
        EXPECT_TRUE(p.core_barrier);
        const std::vector<size_t> pf = prefetches_of(p, 1);
        ASSERT_EQ(pf.size(), 1u);
        ASSERT_EQ(pf[0] + 1, sync_of(p, 0));  // the LOAD right before g1's SYNC
        const isa::Transfer& x = p.xfer(p.instrs[pf[0]]);
        ASSERT_EQ(p.instrs[pf[0]].op, isa::Opcode::kLoad);
        const int64_t n0 = 16 * int64_t(c), j = n0 / mp.nb;
        const uint64_t row = uint64_t(std::min<int64_t>(mp.nb, 64 - j * mp.nb));
        EXPECT_EQ(x.dram_addr, p.layers[1].weight_addr + uint64_t(j) * 64 * uint64_t(mp.nb) +
                                   uint64_t(n0 - j * mp.nb));
        EXPECT_EQ(x.dram_stride, row);
        EXPECT_EQ(x.row_bytes, 16u);
        EXPECT_EQ(x.rows, uint32_t(k));
        // What the core's first step of g2 loads without prefetch, and no longer loads itself.
        const std::optional<isa::Transfer> own = first_weight_load(off.programs[c], 1);
        ASSERT_TRUE(own);
        EXPECT_EQ(x.dram_addr, own->dram_addr);
        EXPECT_EQ(x.bytes(), own->bytes());
        EXPECT_EQ(x.dram_stride, own->dram_stride);
        // g3: one unit, core 0's; the others have no share and prefetch nothing.
        EXPECT_EQ(prefetches_of(p, 2).size(), c == 0 ? 1u : 0u);
        // Every layer keeps its instruction count: the LOAD moved.
        EXPECT_EQ(p.instrs.size(), off.programs[c].instrs.size());
    }
    EXPECT_EQ(expect_prefetches_are_first_steps(on, off), 4u + 1u);  // g2 on 4 cores, g3 on 1
    // Spatial: every core runs every channel from n-block 0; its first LOAD of g2's weights.
    const compiler::Partitioned sp =
        compiler::compile_cores(wl, split_hw(4, "spatial", {"compiler.overlap=prefetch"}), o);
    const compiler::Partitioned sp_off = compiler::compile_cores(wl, split_hw(4, "spatial"), o);
    for (size_t c = 0; c < 4; ++c) {
        SCOPED_TRACE("spatial core " + std::to_string(c));
        const isa::Program& p = sp.programs[c];
        const std::vector<size_t> pf = prefetches_of(p, 1);
        ASSERT_EQ(pf.size(), 1u);
        const isa::Transfer& x = p.xfer(p.instrs[pf[0]]);
        EXPECT_EQ(x.dram_addr, p.layers[1].weight_addr);
        const std::optional<isa::Transfer> own = first_weight_load(sp_off.programs[c], 1);
        ASSERT_TRUE(own);
        EXPECT_EQ(x.dram_addr, own->dram_addr);
        EXPECT_EQ(x.bytes(), own->bytes());
    }
}

// A gemm of one row gives the spatial split's second core no rows: it prefetches nothing for it
// (its first step never runs), core 0 does; the run is bit-exact.
TEST(SplitPrefetch, ACoreWithoutRowsPrefetchesNothing) {
    constexpr const char* kOneRow = R"(
name: one_row
seed: 5
input: {shape: [1, 64], scale: 0.05, zero_point: 0}
layers:
  - {name: g1, op: gemm, n: 64, weight_scale: 0.01, output: auto}
  - {name: g2, op: gemm, n: 64, weight_scale: 0.01, output: auto}
)";
    const graph::Workload wl =
        quant::prepare(graph::load_workload_from_string(kOneRow, "one_row.yaml"));
    compiler::CompileOptions o;
    o.with_data = false;
    const compiler::Partitioned p =
        compiler::compile_cores(wl, split_hw(2, "spatial", {"compiler.overlap=prefetch"}), o);
    EXPECT_EQ(prefetches_of(p.programs[0], 1).size(), 1u);
    EXPECT_EQ(prefetches_of(p.programs[1], 1).size(), 0u);
    run::RunResult r = run::simulate(split_hw(2, "spatial", {"compiler.overlap=prefetch"}), wl, {});
    for (const auto& l : r.stats.layers) EXPECT_TRUE(l.checked && l.bit_exact) << l.name;
}

struct SplitCase {
    const char* partition;
    int cores;
    const char* precision;
};
class SplitPrefetchNets : public ::testing::TestWithParam<SplitCase> {};

// tiny_resnet split with prefetch: every layer bit-exact, the outputs those of one core (and of
// the split without prefetch), some layer overlapped, the spans adding up.
TEST_P(SplitPrefetchNets, BitExactAndOverlapped) {
    const SplitCase c = GetParam();
    const graph::Workload wl = bundled("tiny_resnet");
    const std::string prec = std::string("precision=") + c.precision;
    const run::RunResult on =
        run::simulate(split_hw(c.cores, c.partition, {prec, "compiler.overlap=prefetch"}), wl, {});
    const run::RunResult one = run::simulate(with_cores(1, {prec}), wl, {});
    EXPECT_EQ(on.stats.partition, c.partition);
    test_support::expect_layers_match_one_core(on, one);
    compiler::CompileOptions o;
    o.with_data = false;
    EXPECT_GT(expect_prefetches_are_first_steps(
                  compiler::compile_cores(
                      wl, split_hw(c.cores, c.partition, {prec, "compiler.overlap=prefetch"}), o),
                  compiler::compile_cores(wl, split_hw(c.cores, c.partition, {prec}), o)),
              0u);
    uint64_t overlapped = 0;
    for (const auto& l : on.stats.layers) overlapped += l.overlapped_cycles;
    EXPECT_GT(overlapped, 0u);
    test_support::expect_spans_add_up(on.stats);
}

INSTANTIATE_TEST_SUITE_P(
    Cases, SplitPrefetchNets,
    ::testing::Values(SplitCase{"channel", 2, "int8"}, SplitCase{"channel", 3, "int8"},
                      SplitCase{"channel", 4, "int8"}, SplitCase{"spatial", 2, "int8"},
                      SplitCase{"spatial", 3, "int8"}, SplitCase{"spatial", 4, "int8"},
                      SplitCase{"channel", 4, "fp16"}, SplitCase{"spatial", 3, "fp16"}),
    [](const ::testing::TestParamInfo<SplitCase>& p) {
        return std::string(p.param.partition) + "_" + std::to_string(p.param.cores) + "_" +
               p.param.precision;
    });

// Three 3x3 convs of a 16x16x64 image to 64 channels (36 KiB of weights each) on 4 cores: each
// layer's first weights load under the layer before on every core, so the next layer starts
// before the previous one ends, at the first core's prefetch. With the channel split the run is
// shorter than without prefetch (measured: 44,500 against 47,529 cycles). With the spatial split
// every core loads every weight of each layer, the four cores' loads contend, and the one tile
// prefetched gains nothing measurable: within 0.1% either way (measured: 44,214 against 44,205;
// with the kernel's same-cycle order before the ticket rule, 44,087 against 44,205).
// Bit-exact and byte for byte the run without prefetch.
TEST(SplitPrefetch, OverlapsAFourCoreRunAndShortensTheChannelSplit) {
    constexpr const char* kConvs = R"(
name: convs
seed: 7
input: {shape: [16, 16, 64], scale: 0.05, zero_point: 0}
layers:
  - {name: c1, op: conv2d, out_channels: 64, kernel: 3, padding: 1, weight_scale: 0.002,
     activation: relu, output: auto}
  - {name: c2, op: conv2d, out_channels: 64, kernel: 3, padding: 1, weight_scale: 0.002,
     activation: relu, output: auto}
  - {name: c3, op: conv2d, out_channels: 64, kernel: 3, padding: 1, weight_scale: 0.002,
     activation: relu, output: auto}
)";
    const graph::Workload wl =
        quant::prepare(graph::load_workload_from_string(kConvs, "convs.yaml"));
    compiler::CompileOptions o;
    o.with_data = false;
    for (const char* partition : {"channel", "spatial"}) {
        SCOPED_TRACE(partition);
        const cfg::HwConfig hw = split_hw(4, partition, {"compiler.overlap=prefetch"});
        const compiler::Partitioned parts = compiler::compile_cores(wl, hw, o);
        size_t first_prefetch = SIZE_MAX;  // c2's earliest prefetch over the cores
        for (const isa::Program& p : parts.programs) {
            const std::vector<size_t> pf = prefetches_of(p, 1);
            ASSERT_EQ(pf.size(), 1u);
            first_prefetch = std::min(first_prefetch, pf[0]);
        }
        const run::RunResult on = run::simulate(hw, wl, {});
        const run::RunResult off = run::simulate(split_hw(4, partition), wl, {});
        const stats::LayerStats& c1 = on.stats.layers[0];
        const stats::LayerStats& c2 = on.stats.layers[1];
        EXPECT_LT(c2.start_cycle, c1.end_cycle);
        EXPECT_EQ(c2.overlapped_cycles, c1.end_cycle - c2.start_cycle);
        EXPECT_GT(on.stats.layers[2].overlapped_cycles, 0u);
        for (const auto& l : off.stats.layers) EXPECT_EQ(l.overlapped_cycles, 0u) << l.name;
        if (std::string(partition) == "channel") {
            EXPECT_LT(on.stats.total_cycles, off.stats.total_cycles);
        } else {
            EXPECT_LE(on.stats.total_cycles * 1000, off.stats.total_cycles * 1001);
        }
        EXPECT_EQ(on.outputs, off.outputs);
        for (const auto& l : on.stats.layers) EXPECT_TRUE(l.checked && l.bit_exact) << l.name;
        test_support::expect_spans_add_up(on.stats);
        // Channel: each core's share of c1 is a few instructions, decoded one a cycle without a
        // full queue, so c2 starts at the earliest prefetch's index (18). Spatial: the cores'
        // loads of c1 fill the load queue first, so the prefetch is decoded later.
        if (std::string(partition) == "channel") {
            EXPECT_EQ(c2.start_cycle, first_prefetch);
        } else {
            EXPECT_GE(c2.start_cycle, first_prefetch);
        }
    }
}

// Auto at batch 1 on 4 cores splits the layers with prefetch as without (the same choice), and
// the run is bit-exact; with compiler.overlap full it keeps batch.
TEST(SplitPrefetch, AutoSplitsWithPrefetch) {
    const graph::Workload wl = bundled("tiny_resnet");
    compiler::CompileOptions o;
    o.with_data = false;
    const cfg::HwConfig hw = split_hw(4, "auto", {"compiler.overlap=prefetch"});
    const compiler::Partitioned pre = compiler::compile_cores(wl, hw, o);
    const compiler::Partitioned none = compiler::compile_cores(wl, split_hw(4, "auto"), o);
    EXPECT_EQ(pre.partition, Partition::kAuto);
    EXPECT_EQ(pre.layers, none.layers);
    size_t moved = 0;
    for (size_t li = 1; li < wl.layers.size(); ++li)
        moved += prefetches_of(pre.programs[0], li).size();
    EXPECT_GT(moved, 0u);
    const run::RunResult r = run::simulate(hw, wl, {});
    EXPECT_EQ(r.stats.partition, "auto");
    test_support::expect_layers_match_one_core(r, run::simulate(with_cores(1), wl, {}));
    EXPECT_EQ(
        compiler::compile_cores(wl, split_hw(4, "auto", {"compiler.overlap=full"}), o).partition,
        Partition::kBatch);
}

// compiler.overlap full and fusion stay refused with channel and spatial, with where the config
// set compiler.partition.
TEST(SplitPrefetch, FullAndFusionAreRefused) {
    const std::filesystem::path dir = std::filesystem::temp_directory_path() /
                                      ("npusim_split_prefetch_" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    const std::string file = (dir / "hw.yaml").string();
    std::ofstream(file) << "cores: 2\ncompiler:\n  partition: channel\n  overlap: full\n"
                           "  fusion: auto\n";
    const cfg::HwConfig hw = cfg::load_hw_config(file, {});
    EXPECT_EQ(test_support::partition_error(hw, bundled("tiny_resnet")),
              file +
                  ":3:14: compiler.partition: expected batch with compiler.fusion auto (channel "
                  "splits each layer over the cores, which keep no tensor on chip), found "
                  "channel\n" +
                  file +
                  ":3:14: compiler.partition: expected batch with compiler.overlap full (full "
                  "drops the barrier between layers, but each layer of a channel split reads the "
                  "other cores' outputs of the layers before it, which no core's dependency table "
                  "sees; compiler.overlap prefetch keeps the barrier), found channel");
    EXPECT_EQ(test_support::partition_error(split_hw(2, "spatial", {"compiler.overlap=full"}),
                                            bundled("tiny_resnet")),
              "--set: compiler.partition: expected batch with compiler.overlap full (full drops "
              "the barrier between layers, but each layer of a spatial split reads the other "
              "cores' outputs of the layers before it, which no core's dependency table sees; "
              "compiler.overlap prefetch keeps the barrier), found spatial");
    EXPECT_EQ(test_support::partition_error(split_hw(2, "channel", {"compiler.overlap=prefetch"}),
                                            bundled("tiny_resnet")),
              "(no error)");
    std::filesystem::remove_all(dir);
}

// Every bundled chip at 4 cores with prefetch, channel, spatial and auto (at batch 1: auto's
// choice, a split or one core busy), bit-exact. NPUSIM_SPLIT_PREFETCH_SWEEP=long (ctest
// multicore_split_prefetch_long) adds BERT and ResNet-50.
TEST(SplitPrefetch, BundledChipsBitExact) {
    compiler::CompileOptions o;
    o.with_data = false;
    const auto reported = [&](const graph::Workload& wl, const cfg::HwConfig& hw) {
        return std::string(to_string(compiler::compile_cores(wl, hw, o).partition));
    };
    for (const char* partition : {"channel", "spatial", "auto"}) {
        SCOPED_TRACE(partition);
        test_support::expect_bundled_chips_bit_exact("NPUSIM_SPLIT_PREFETCH_SWEEP", partition,
                                                     reported, 1, {"compiler.overlap=prefetch"});
    }
}

}  // namespace
}  // namespace npu

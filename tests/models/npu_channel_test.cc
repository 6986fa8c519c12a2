// The channel partition (`compiler.partition: channel`, sim/compiler/partition.h): each array
// layer's output channels split over the cores, which meet at the cross-core barrier
// (models/platform/core_barrier.h) after every layer. The barrier's timing cycle by cycle; the
// split (uneven shares, a layer with fewer n-blocks than cores, row layers on core 0 only, the
// MACs adding up to the layer's); small networks at 2 and 3 cores bit-exact against the
// reference and byte for byte the one-core run; PE-level arrays equal to the fast ones; the
// settings channel cannot run with refused with the exact message. NPUSIM_CHANNEL_SWEEP=long
// (ctest multicore_channel_long) adds the bundled chips at 4 cores on BERT and ResNet-50.
#include <gtest/gtest.h>

#include <cctype>
#include <string>
#include <systemc>
#include <utility>
#include <vector>

#include "models/platform/core_barrier.h"
#include "models/process.h"
#include "sim/compiler/partition.h"
#include "sim/core/error.h"
#include "sim/report/figures.h"
#include "sim/run/simulation.h"
#include "sim/stats/component_stats.h"
#include "tests/models/bundled.h"
#include "tests/models/multicore_checks.h"

namespace npu {
namespace {

using test_support::bundled;

cfg::HwConfig channel_hw(int cores, std::vector<std::string> more = {}) {
    more.push_back("compiler.partition=channel");
    return test_support::with_cores(cores, std::move(more));
}

// Three cores arrive for layer 0 at cycles 5, 9 and 7, then (released at r) for layer 1 at
// r + 1, r + 6, r + 2: each layer is released `latency` (sync_cycles) after its last arrival.
struct BarrierRig : sc_core::sc_module {
    stats::StatGroup stats{"", 2};
    model::CoreBarrier barrier;
    std::vector<std::vector<uint64_t>> resumed{3};
    SC_HAS_PROCESS(BarrierRig);
    BarrierRig(sc_core::sc_module_name n, uint64_t latency)
        : sc_module(n), barrier("barrier", 3, 2, latency, stats.group("barrier")) {
        SC_THREAD(core0);
        SC_THREAD(core1);
        SC_THREAD(core2);
    }
    void run(size_t c, uint64_t first, uint64_t second) {
        sc_core::wait(model::cycles_to_time(first));
        barrier.arrive_and_wait(c, 0);
        resumed[c].push_back(model::now_cycles());
        sc_core::wait(model::cycles_to_time(second));
        barrier.arrive_and_wait(c, 1);
        resumed[c].push_back(model::now_cycles());
    }
    void core0() { run(0, 5, 1); }
    void core1() { run(1, 9, 6); }
    void core2() { run(2, 7, 2); }
};

TEST(CoreBarrier, ReleasesEveryCoreAtTheLastArrival) {
    model::KernelContext ctx;
    BarrierRig rig("rig", 0);
    sc_core::sc_start();
    model::rethrow_process_error();
    // Layer 0: arrivals 5, 9, 7 -> all resume at 9; waits 4, 0, 2. Layer 1: arrivals 10, 15,
    // 11 -> all resume at 15; waits 5, 0, 4.
    for (size_t c = 0; c < 3; ++c) {
        ASSERT_EQ(rig.resumed[c].size(), 2u) << "core " << c;
        EXPECT_EQ(rig.resumed[c][0], 9u) << "core " << c;
        EXPECT_EQ(rig.resumed[c][1], 15u) << "core " << c;
    }
    EXPECT_EQ(rig.barrier.arrival(0, 0), 5u);
    EXPECT_EQ(rig.barrier.arrival(2, 1), 11u);
    const auto wait = [&](int c, size_t layer) {
        return rig.stats.find("barrier.core" + std::to_string(c) + ".wait_cycles")->at(layer);
    };
    EXPECT_EQ(wait(0, 0), 4u);
    EXPECT_EQ(wait(1, 0), 0u);
    EXPECT_EQ(wait(2, 0), 2u);
    EXPECT_EQ(wait(0, 1), 5u);
    EXPECT_EQ(wait(1, 1), 0u);
    EXPECT_EQ(wait(2, 1), 4u);
}

// sync_cycles 3: layer 0's arrivals 5, 9, 7 -> all resume at 9 + 3 = 12 (waits 7, 3, 5); layer
// 1's arrivals 13, 18, 14 -> all resume at 21 (waits 8, 3, 7): the last core waits too.
TEST(CoreBarrier, ReleasesSyncCyclesAfterTheLastArrival) {
    model::KernelContext ctx;
    BarrierRig rig("rig", 3);
    sc_core::sc_start();
    model::rethrow_process_error();
    const std::vector<uint64_t> waits0 = {7, 3, 5}, waits1 = {8, 3, 7};
    for (size_t c = 0; c < 3; ++c) {
        ASSERT_EQ(rig.resumed[c].size(), 2u) << "core " << c;
        EXPECT_EQ(rig.resumed[c][0], 12u) << "core " << c;
        EXPECT_EQ(rig.resumed[c][1], 21u) << "core " << c;
        const std::string key = "barrier.core" + std::to_string(c) + ".wait_cycles";
        EXPECT_EQ(rig.stats.find(key)->at(0), waits0[c]) << "core " << c;
        EXPECT_EQ(rig.stats.find(key)->at(1), waits1[c]) << "core " << c;
    }
}

// The split on tiny_resnet over 3 cores: every core's program shares one DRAM range and has the
// barrier; a layer's MACs over the cores add up to the one-core program's; layers without array
// work run on core 0 only; some layer has fewer n-blocks than cores (its last core does nothing
// in it) and some is split unevenly.
TEST(ChannelPartition, SplitsEachArrayLayersChannels) {
    const graph::Workload wl = bundled("tiny_resnet");
    compiler::CompileOptions o;
    o.with_data = false;
    const compiler::Partitioned one = compiler::compile_cores(wl, channel_hw(1), o);
    const compiler::Partitioned three = compiler::compile_cores(wl, channel_hw(3), o);
    ASSERT_EQ(three.partition, Partition::kChannel);
    ASSERT_EQ(three.programs.size(), 3u);
    const isa::Program& whole = one.programs.at(0);
    bool idle_core_in_a_layer = false, uneven = false, row_layer = false;
    for (size_t i = 0; i < whole.layers.size(); ++i) {
        uint64_t macs = 0;
        std::vector<uint64_t> instrs(3, 0);
        for (size_t c = 0; c < 3; ++c) {
            const isa::Program& p = three.programs[c];
            EXPECT_TRUE(p.core_barrier);
            EXPECT_EQ(p.dram_base, three.programs[0].dram_base);
            EXPECT_EQ(p.dram_bytes_used, three.programs[0].dram_bytes_used);
            EXPECT_EQ(p.onchip_base, isa::kOnChipBase + c * compiler::kCoreWindowStride);
            macs += p.layers[i].macs;
            for (const isa::Instr& in : p.instrs) {
                if (in.layer == i && in.op != isa::Opcode::kSync) ++instrs[c];
            }
        }
        EXPECT_EQ(macs, whole.layers[i].macs) << whole.layers[i].name;
        if (whole.layers[i].macs == 0 && instrs[0] > 0) {
            row_layer = true;
            EXPECT_EQ(instrs[1] + instrs[2], 0u) << whole.layers[i].name;
        }
        if (whole.layers[i].macs > 0) {
            idle_core_in_a_layer |= instrs[2] == 0;
            const uint64_t m0 = three.programs[0].layers[i].macs;
            const uint64_t m1 = three.programs[1].layers[i].macs;
            uneven |= m0 != m1 && m1 > 0;
        }
    }
    EXPECT_TRUE(idle_core_in_a_layer);
    EXPECT_TRUE(uneven);
    EXPECT_TRUE(row_layer);
    // Every program closes every layer with its SYNC (the barrier).
    for (const isa::Program& p : three.programs) {
        EXPECT_EQ(p.counts().syncs, whole.layers.size());
    }
}

struct ChannelCase {
    const char* workload;
    int32_t batch;
    int cores;
    const char* set;  // one more override, or ""
};

class ChannelNets : public ::testing::TestWithParam<ChannelCase> {};

// Every layer bit-exact against the reference and byte for byte the one-core run's outputs;
// the MACs are the one-core run's; every core ends every layer at the same cycle (the barrier),
// the layer's end.
TEST_P(ChannelNets, BitExactAndEqualToOneCore) {
    const ChannelCase c = GetParam();
    const graph::Workload wl = bundled(c.workload, c.batch);
    std::vector<std::string> more;
    if (*c.set != '\0') more.push_back(c.set);
    const run::RunResult one = run::simulate(channel_hw(1, more), wl, {});
    const run::RunResult many = run::simulate(channel_hw(c.cores, more), wl, {});
    ASSERT_EQ(many.stats.cores.size(), size_t(c.cores));
    EXPECT_EQ(many.stats.partition, "channel");
    EXPECT_TRUE(report::check_summary(many.stats).all_checked_exact());
    EXPECT_EQ(report::check_summary(many.stats).checked, many.stats.layers.size());
    test_support::expect_layers_match_one_core(many, one);
    uint64_t macs = 0;
    for (size_t k = 0; k < many.stats.cores.size(); ++k) {
        const stats::CoreStats& cs = many.stats.cores[k];
        EXPECT_EQ(cs.first_image, 0) << "core " << k;
        EXPECT_EQ(cs.images, c.batch) << "core " << k;
        // The barrier: every core ends the last layer when the run ends.
        EXPECT_EQ(cs.end_cycle, many.stats.total_cycles) << "core " << k;
        macs += cs.macs;
    }
    EXPECT_EQ(macs, many.stats.total.macs);
    EXPECT_NE(many.stats.components.find_group("barrier"), nullptr);
    // The one-core run has no barrier.
    EXPECT_EQ(one.stats.components.find_group("barrier"), nullptr);
}

INSTANTIATE_TEST_SUITE_P(
    Nets, ChannelNets,
    ::testing::Values(ChannelCase{"tiny_resnet", 1, 2, ""}, ChannelCase{"tiny_resnet", 1, 3, ""},
                      ChannelCase{"tiny_resnet", 2, 3, ""},  // a batch: each image's channels
                      ChannelCase{"tiny_attention", 1, 2, ""},
                      ChannelCase{"tiny_attention", 1, 3, ""},
                      ChannelCase{"conv_small", 1, 3, ""},  // 19 and 21 channels, 16-wide blocks
                      ChannelCase{"gemm_small", 1, 2, ""}, ChannelCase{"mobilenet_v2", 1, 3, ""},
                      ChannelCase{"tiny_resnet", 1, 3, "precision=fp16"},
                      ChannelCase{"tiny_resnet", 1, 2, "precision=int4"},
                      ChannelCase{"tiny_resnet", 1, 2, "array.dataflow=os"},
                      ChannelCase{"tiny_resnet", 1, 2, "dram.model=banked"}),
    test_support::case_name<ChannelCase>);

// Each core's array is the fast array; the PE-level arrays give the same outputs and, layer by
// layer, the same end cycles.
TEST(ChannelPartition, PeLevelArraysEqualFast) {
    const graph::Workload wl = bundled("tiny_resnet");
    run::RunOptions po;
    po.fidelity = model::Fidelity::kPe;
    const run::RunResult runs[2] = {
        run::simulate(channel_hw(3, {"array.rows=8", "array.cols=8"}), wl, {}),
        run::simulate(channel_hw(3, {"array.rows=8", "array.cols=8"}), wl, po)};
    test_support::expect_pe_level_equals_fast(runs[0], runs[1]);
}

// One image of a compute-bound network (conv_small: 19 and 21 output channels, each two
// n-blocks, 16 + 3 and 16 + 5, on the 16-wide array): two cores each with part of the output
// channels finish sooner than one core, and never more than twice as fast. (On networks this small
// the extra DRAM traffic can outweigh the split: tiny_attention and gemm_small are slower on two
// cores; scripts/multicore_scaling.sh measures the bundled networks.)
TEST(ChannelPartition, TwoCoresRunOneImageFaster) {
    const graph::Workload wl = bundled("conv_small");
    run::RunOptions o;
    o.functional = false;
    const run::RunResult one = run::simulate(channel_hw(1), wl, o);
    const run::RunResult two = run::simulate(channel_hw(2), wl, o);
    EXPECT_LT(two.stats.total_cycles, one.stats.total_cycles);
    EXPECT_GE(2 * two.stats.total_cycles, one.stats.total_cycles);
}

TEST(ChannelPartition, RefusesWhatItCannotSplit) {
    const graph::Workload wl = bundled("tiny_resnet");
    EXPECT_EQ(test_support::partition_error(
                  channel_hw(2, {"compiler.fusion=auto", "compiler.overlap=full"}), wl),
              "--set: compiler.partition: expected batch with compiler.fusion auto (channel "
              "splits each layer over the cores, which keep no tensor on chip), found channel\n"
              "--set: compiler.partition: expected batch with compiler.overlap full (full drops "
              "the barrier between layers, but each layer of a channel split reads the other "
              "cores' outputs of the layers before it, which no core's dependency table sees; "
              "compiler.overlap prefetch keeps the barrier), found channel");
    // One core: no split, nothing refused.
    EXPECT_EQ(test_support::partition_error(channel_hw(1, {"compiler.fusion=auto"}), wl),
              "(no error)");
}

// The bundled chips at 4 cores; BERT and ResNet-50 (with data) only with
// NPUSIM_CHANNEL_SWEEP=long (ctest multicore_channel_long, label long).
TEST(ChannelPartition, BundledChipsBitExact) {
    test_support::expect_bundled_chips_bit_exact("NPUSIM_CHANNEL_SWEEP", "channel");
}

}  // namespace
}  // namespace npu

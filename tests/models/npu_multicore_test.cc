// Multi-core NPUs (`cores`, models/platform/soc.h, sim/compiler/partition.h): the memory arbiter
// cycle by cycle, and whole networks split over 2 and 4 cores: every layer bit-exact against the
// reference and equal to the one-core run of the same batch, the PE-level arrays giving the same
// cycles as the fast ones, idle cores when the batch is smaller than the cores, per-core figures.
#include <gtest/gtest.h>

#include <string>
#include <systemc>
#include <utility>
#include <vector>

#include "models/mem/memory_image.h"
#include "models/mem/simple_dram.h"
#include "models/platform/mem_arbiter.h"
#include "models/platform/soc.h"
#include "models/process.h"
#include "sim/compiler/partition.h"
#include "sim/config/config_loader.h"
#include "sim/quant/prepare.h"
#include "sim/quant/ptq.h"
#include "sim/report/figures.h"
#include "sim/run/simulation.h"
#include "sim/stats/component_stats.h"
#include "tests/models/bundled.h"
#include "tests/models/multicore_checks.h"

namespace npu {
namespace {

using test_support::bundled;
// The batch partition (what this file tests; auto splits the layers where the cores do not
// divide the batch).
cfg::HwConfig with_cores(int cores, std::vector<std::string> more = {}) {
    more.push_back("compiler.partition=batch");
    return test_support::with_cores(cores, std::move(more));
}

// Two cores behind a one-port arbiter, in front of a one-channel simple DRAM: 16 B/cycle (a
// 64-byte burst holds the channel 64 / 16 = 4 cycles), latency 10.
struct ArbiterRig {
    model::KernelContext ctx;
    stats::StatGroup stats{"", 1};
    model::MemoryImage image;
    model::SimpleDram dram{"dram", 16.0, 1, 10, 64, image, stats.group("dram")};
    model::MemArbiter arbiter;
    explicit ArbiterRig(int ports) : arbiter("arbiter", 2, ports, dram, stats.group("arbiter")) {}
    uint64_t request(int core, uint64_t addr, uint64_t earliest) {
        model::MemRequest r;
        r.addr = addr;
        r.bytes = 64;
        r.earliest = earliest;
        return arbiter.port(core).request(r);
    }
    uint64_t stat(const std::string& path) const { return stats.find(path)->total(); }
};

TEST(MemArbiter, TwoCoresAtTheSameCycleOnOnePort) {
    ArbiterRig rig(1);
    // Core 0 first: granted at 100; the channel is free: [100, 104), done 104 + 10 = 114.
    EXPECT_EQ(rig.request(0, 0, 100), 114u);
    // Core 1 asks for cycle 100 too: the port is taken at 100, granted at 101 (waits 1 cycle);
    // the channel is busy until 104: [104, 108), done 108 + 10 = 118.
    EXPECT_EQ(rig.request(1, 64, 100), 118u);
    EXPECT_EQ(rig.stat("arbiter.core0.requests"), 1u);
    EXPECT_EQ(rig.stat("arbiter.core1.requests"), 1u);
    EXPECT_EQ(rig.stat("arbiter.core0.wait_cycles"), 0u);
    EXPECT_EQ(rig.stat("arbiter.core1.wait_cycles"), 1u);
    // Core 0 again at 100: cycles 100 and 101 are granted, so 102 (waits 2); the channel is
    // busy until 108: [108, 112), done 122.
    EXPECT_EQ(rig.request(0, 128, 100), 122u);
    EXPECT_EQ(rig.stat("arbiter.core0.wait_cycles"), 2u);
    // A request for an earlier free cycle is granted there (it moves no grant): core 1 at 90,
    // granted 90 (no wait); the channel grants in request order, busy until 112: [112, 116),
    // done 126.
    EXPECT_EQ(rig.request(1, 192, 90), 126u);
    EXPECT_EQ(rig.stat("arbiter.core1.wait_cycles"), 1u);
    EXPECT_EQ(rig.stat("dram.reads"), 4u);
}

TEST(MemArbiter, TwoPortsGrantTwoRequestsPerCycle) {
    ArbiterRig rig(2);
    // Both granted at 100 (one port each); the one channel serves them in request order:
    // [100, 104) done 114, [104, 108) done 118. Nobody waited at the arbiter.
    EXPECT_EQ(rig.request(0, 0, 100), 114u);
    EXPECT_EQ(rig.request(1, 64, 100), 118u);
    EXPECT_EQ(rig.stat("arbiter.core0.wait_cycles") + rig.stat("arbiter.core1.wait_cycles"), 0u);
    // A third request at 100: both ports are taken at 100, granted at 101 (waits 1).
    EXPECT_EQ(rig.request(0, 128, 100), 122u);
    EXPECT_EQ(rig.stat("arbiter.core0.wait_cycles"), 1u);
}

TEST(MultiCore, SplitBatch) {
    const auto s = compiler::split_batch(5, 3);  // 2, 2, 1
    ASSERT_EQ(s.size(), 3u);
    EXPECT_EQ(s[0].first_image, 0);
    EXPECT_EQ(s[0].images, 2);
    EXPECT_EQ(s[1].first_image, 2);
    EXPECT_EQ(s[1].images, 2);
    EXPECT_EQ(s[2].first_image, 4);
    EXPECT_EQ(s[2].images, 1);
    const auto idle = compiler::split_batch(1, 2);  // 1, 0
    EXPECT_EQ(idle[1].images, 0);
    EXPECT_THROW((void)compiler::split_batch(0, 2), std::invalid_argument);
}

stats::LayerStats record(uint64_t start, uint64_t end, uint64_t exclusive,
                         std::vector<std::pair<stats::Limiter, uint64_t>> causes) {
    stats::LayerStats l;
    l.start_cycle = start;
    l.end_cycle = end;
    l.exclusive_cycles = exclusive;
    for (const auto& [what, cycles] : causes) l.limiters.cycles[size_t(what)] = cycles;
    return l;
}

TEST(MultiCore, MergedLayerRecords) {
    using L = stats::Limiter;
    // Core 0: layer 0 [0, 100), layer 1 [100, 250). Core 1: layer 0 [0, 120), layer 1 [120, 230).
    // Core 2 idle (never ran either layer).
    const std::vector<std::vector<stats::LayerStats>> cores{
        {record(0, 100, 100, {{L::kCompute, 100}}),
         record(100, 250, 150, {{L::kCompute, 120}, {L::kDependency, 30}})},
        {record(0, 120, 120, {{L::kCompute, 80}, {L::kDramBandwidth, 40}}),
         record(120, 230, 110, {{L::kCompute, 110}})},
        {record(0, 0, 0, {}), record(0, 0, 0, {})}};
    const std::vector<stats::LayerStats> m = model::merge_core_layers(cores);
    ASSERT_EQ(m.size(), 2u);
    // Layer 0: [0, 120) (core 1 ends it): exclusive 120 - 0 = 120, none overlapped; core 1's
    // causes, which add up to 120.
    EXPECT_EQ(m[0].start_cycle, 0u);
    EXPECT_EQ(m[0].end_cycle, 120u);
    EXPECT_EQ(m[0].exclusive_cycles, 120u);
    EXPECT_EQ(m[0].overlapped_cycles, 0u);
    EXPECT_EQ(m[0].limiters.at(L::kCompute), 80u);
    EXPECT_EQ(m[0].limiters.at(L::kDramBandwidth), 40u);
    // Layer 1: [100, 250) (core 0 ends it): exclusive 250 - 120 = 130, overlapped 120 - 100 =
    // 20 (core 0 started it while core 1 still ran layer 0). Core 0's causes add up to its own
    // 150 exclusive cycles: the 20 over 130 come off the least precedent cause first, the
    // dependency wait: compute 120, dependency 30 - 20 = 10.
    EXPECT_EQ(m[1].start_cycle, 100u);
    EXPECT_EQ(m[1].end_cycle, 250u);
    EXPECT_EQ(m[1].exclusive_cycles, 130u);
    EXPECT_EQ(m[1].overlapped_cycles, 20u);
    EXPECT_EQ(m[1].limiters.at(L::kCompute), 120u);
    EXPECT_EQ(m[1].limiters.at(L::kDependency), 10u);
    EXPECT_EQ(m[1].limiters.total(), m[1].exclusive_cycles);
}

// The same multi-core run twice: the same cycles, core by core, and the same arbiter waits.
TEST(MultiCore, Deterministic) {
    run::RunOptions o;
    o.functional = false;
    const cfg::HwConfig hw = with_cores(4);
    const graph::Workload wl = bundled("tiny_resnet", 4);
    const run::RunResult a = run::simulate(hw, wl, o);
    const run::RunResult b = run::simulate(hw, wl, o);
    ASSERT_EQ(a.stats.cores.size(), 4u);
    for (size_t k = 0; k < 4; ++k) {
        EXPECT_EQ(a.stats.cores[k].end_cycle, b.stats.cores[k].end_cycle) << "core " << k;
        const std::string w = "arbiter.core" + std::to_string(k) + ".wait_cycles";
        EXPECT_EQ(a.stats.components.find(w)->total(), b.stats.components.find(w)->total());
    }
}

struct CoresCase {
    const char* workload;
    int32_t batch;
    int cores;
};

class MultiCoreNets : public ::testing::TestWithParam<CoresCase> {};

// Every layer bit-exact against the reference and byte for byte the one-core run's outputs of
// the same batch; the MACs are the one-core run's; each busy core's share and end are reported.
TEST_P(MultiCoreNets, BitExactAndEqualToOneCore) {
    const CoresCase c = GetParam();
    const graph::Workload wl = bundled(c.workload, c.batch);
    const run::RunResult one = run::simulate(with_cores(1), wl, {});
    const run::RunResult many = run::simulate(with_cores(c.cores), wl, {});
    EXPECT_TRUE(one.stats.cores.empty());
    ASSERT_EQ(many.stats.cores.size(), size_t(c.cores));
    EXPECT_EQ(many.stats.partition, "batch");
    EXPECT_TRUE(report::check_summary(many.stats).all_checked_exact());
    test_support::expect_layers_match_one_core(many, one);
    uint64_t macs = 0, last_end = 0;
    int32_t images = 0;
    for (size_t k = 0; k < many.stats.cores.size(); ++k) {
        const stats::CoreStats& cs = many.stats.cores[k];
        EXPECT_EQ(cs.first_image, images) << "core " << k;
        images += cs.images;
        macs += cs.macs;
        last_end = std::max(last_end, cs.end_cycle);
        EXPECT_EQ(cs.end_cycle == 0, cs.images == 0) << "core " << k;
        // Each core has its own components.
        EXPECT_NE(many.stats.components.find_group("npu" + std::to_string(k)), nullptr);
    }
    EXPECT_EQ(images, c.batch);
    EXPECT_EQ(macs, many.stats.total.macs);
    EXPECT_EQ(last_end, many.stats.total_cycles);
    EXPECT_NE(many.stats.components.find_group("arbiter"), nullptr);
    // The run's DRAM bursts all passed the arbiter.
    uint64_t granted = 0;
    for (int k = 0; k < c.cores; ++k) {
        granted +=
            many.stats.components.find("arbiter.core" + std::to_string(k) + ".requests")->total();
    }
    EXPECT_EQ(granted, many.stats.total.dram_bursts);
}

INSTANTIATE_TEST_SUITE_P(Nets, MultiCoreNets,
                         ::testing::Values(CoresCase{"tiny_resnet", 4, 2},
                                           CoresCase{"tiny_resnet", 4, 4},
                                           CoresCase{"tiny_resnet", 3, 2},  // 2 + 1 images
                                           CoresCase{"tiny_resnet", 2, 4},  // two cores idle
                                           CoresCase{"tiny_attention", 4, 4},
                                           CoresCase{"mobilenet_v2", 2, 2}),
                         [](const ::testing::TestParamInfo<CoresCase>& p) {
                             return std::string(p.param.workload) + "_b" +
                                    std::to_string(p.param.batch) + "_c" +
                                    std::to_string(p.param.cores);
                         });

// Each core's array is the fast array; the PE-level arrays give the same outputs and cycles.
TEST(MultiCore, PeLevelArraysEqualFast) {
    const cfg::HwConfig hw = with_cores(2, {"array.rows=8", "array.cols=8"});
    const graph::Workload wl = bundled("tiny_resnet", 2);
    const run::RunResult fast = run::simulate(hw, wl, {});
    run::RunOptions po;
    po.fidelity = model::Fidelity::kPe;
    const run::RunResult pe = run::simulate(hw, wl, po);
    EXPECT_EQ(fast.outputs, pe.outputs);
    EXPECT_EQ(fast.stats.total_cycles, pe.stats.total_cycles);
    ASSERT_EQ(fast.stats.cores.size(), pe.stats.cores.size());
    for (size_t k = 0; k < fast.stats.cores.size(); ++k) {
        EXPECT_EQ(fast.stats.cores[k].end_cycle, pe.stats.cores[k].end_cycle) << "core " << k;
    }
}

// The float check (whole outputs kept, compared at the end) and cross-layer prefetch on each core.
TEST(MultiCore, FloatPrecisionAndPrefetchBitExact) {
    for (const char* set : {"precision=fp16", "compiler.overlap=prefetch"}) {
        SCOPED_TRACE(set);
        const graph::Workload wl = bundled("tiny_resnet", 3);
        const run::RunResult one = run::simulate(with_cores(1, {set}), wl, {});
        const run::RunResult two = run::simulate(with_cores(2, {set}), wl, {});
        EXPECT_TRUE(report::check_summary(two.stats).all_checked_exact());
        EXPECT_EQ(report::check_summary(two.stats).checked, two.stats.layers.size());
        EXPECT_EQ(two.outputs, one.outputs);
    }
}

// The banked DRAM behind the arbiter: bit-exact, and the cores' bursts all reach it.
TEST(MultiCore, BankedDramBitExact) {
    const cfg::HwConfig hw = with_cores(2, {"dram.model=banked"});
    const run::RunResult r = run::simulate(hw, bundled("tiny_resnet", 2), {});
    EXPECT_TRUE(report::check_summary(r.stats).all_checked_exact());
    EXPECT_GT(r.stats.total.dram_bursts, 0u);
    ASSERT_EQ(r.stats.cores.size(), 2u);
    EXPECT_GT(r.stats.cores[1].end_cycle, 0u);
}

// Two cores, each with half the batch: faster than one core with all of it, since the weights
// fit and the DRAM is not saturated on this small network; never faster than twice as fast.
TEST(MultiCore, TwoCoresRunABatchFaster) {
    const graph::Workload wl = bundled("tiny_resnet", 4);
    run::RunOptions o;
    o.functional = false;
    const run::RunResult one = run::simulate(with_cores(1), wl, o);
    const run::RunResult two = run::simulate(with_cores(2), wl, o);
    EXPECT_LT(two.stats.total_cycles, one.stats.total_cycles);
    EXPECT_GE(2 * two.stats.total_cycles, one.stats.total_cycles);
}

}  // namespace
}  // namespace npu

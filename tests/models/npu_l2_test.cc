// Whole runs with the shared L2 (`l2.size` > 0, models/mem/l2_cache.h): bit-exact against the
// reference executor and byte for byte the run without an L2, on one core and on 4 cores (batch,
// channel and spatial partitions), with the simple and the banked DRAM, with a small L2 (evictions
// and write-backs) and a large one; an L2 larger than everything the run touches misses each line
// once (no evictions: any second access, e.g. the other cores' reads of the weights in a spatial
// run, hits); the run's L2 counts (stats::L2Counts) and energy come from the "l2" group.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "sim/report/figures.h"
#include "sim/run/simulation.h"
#include "tests/models/bundled.h"
#include "tests/models/multicore_checks.h"

namespace npu {
namespace {

using test_support::bundled;

uint64_t l2_stat(const run::RunResult& r, const char* name) {
    return r.stats.components.find(std::string("l2.") + name)->total();
}

struct L2Case {
    const char* workload;
    int32_t batch;
    int cores;
    const char* set;  // the partition and other overrides, ";"-separated
};

std::vector<std::string> split(const std::string& s) {
    std::vector<std::string> out;
    size_t from = 0;
    while (from < s.size()) {
        size_t to = s.find(';', from);
        if (to == std::string::npos) to = s.size();
        out.push_back(s.substr(from, to - from));
        from = to + 1;
    }
    return out;
}

class L2Runs : public ::testing::TestWithParam<L2Case> {};

// The same outputs as without an L2 (bit-exact against the reference), fewer or equal DRAM reads
// than requests, and the L2's counts consistent with its group.
TEST_P(L2Runs, BitExactAndEqualToTheRunWithoutL2) {
    const L2Case c = GetParam();
    const graph::Workload wl = bundled(c.workload, c.batch);
    const std::vector<std::string> more = split(c.set);
    const run::RunResult without = run::simulate(test_support::with_cores(c.cores, more), wl, {});
    std::vector<std::string> l2_more = more;
    l2_more.push_back("l2.size=" + std::string(c.cores > 1 ? "256KiB" : "64KiB"));
    const run::RunResult l2 = run::simulate(test_support::with_cores(c.cores, l2_more), wl, {});
    EXPECT_TRUE(report::check_summary(l2.stats).all_checked_exact());
    EXPECT_EQ(report::check_summary(l2.stats).checked, l2.stats.layers.size());
    EXPECT_EQ(l2.outputs, without.outputs);
    EXPECT_FALSE(without.stats.l2.has_value());
    EXPECT_EQ(without.stats.components.find_group("l2"), nullptr);
    ASSERT_TRUE(l2.stats.l2.has_value());
    const stats::L2Counts& t = *l2.stats.l2;
    EXPECT_EQ(t.hits, l2_stat(l2, "hits"));
    EXPECT_EQ(t.misses, l2_stat(l2, "misses"));
    EXPECT_GT(t.hits, 0u);
    EXPECT_GT(t.misses, 0u);
    // Every DRAM read is a line fill; every DRAM write a write-back.
    EXPECT_EQ(l2.stats.total.dram_read_bytes, l2_stat(l2, "fill_bytes"));
    EXPECT_EQ(l2.stats.total.dram_write_bytes, l2_stat(l2, "writeback_bytes"));
    // The requests the L2 served are those the run without it sent to the DRAM.
    EXPECT_EQ(l2_stat(l2, "bytes_read"), without.stats.total.dram_read_bytes);
    EXPECT_EQ(l2_stat(l2, "bytes_written"), without.stats.total.dram_write_bytes);
    EXPECT_EQ(t.bytes, l2_stat(l2, "bytes_read") + l2_stat(l2, "bytes_written") +
                           l2_stat(l2, "fill_bytes") + l2_stat(l2, "writeback_bytes"));
    // The energy breakdown has the L2, priced per byte.
    const report::Figures f =
        report::total_figures(l2.stats, report::peaks_of(l2.stats, {}), cfg::HwConfig{}.energy);
    EXPECT_TRUE(f.energy.has_l2);
    EXPECT_DOUBLE_EQ(f.energy.l2_pj, static_cast<double>(t.bytes) * 12.5);
    for (const auto& l : l2.stats.layers) EXPECT_EQ(l.exclusive_cycles, l.limiters.total());
}

INSTANTIATE_TEST_SUITE_P(
    Nets, L2Runs,
    ::testing::Values(L2Case{"tiny_resnet", 1, 1, ""},
                      L2Case{"tiny_resnet", 1, 1, "dram.model=banked"},
                      L2Case{"tiny_attention", 1, 1, "l2.line=128;l2.ways=4"},
                      L2Case{"tiny_resnet", 4, 4, "compiler.partition=batch"},
                      L2Case{"tiny_resnet", 1, 4, "compiler.partition=channel"},
                      L2Case{"tiny_resnet", 1, 4, "compiler.partition=spatial"},
                      L2Case{"tiny_resnet", 1, 4, "compiler.partition=spatial;dram.model=banked"},
                      L2Case{"tiny_attention", 1, 4, "compiler.partition=channel"},
                      L2Case{"tiny_attention", 2, 4, "compiler.partition=batch;l2.line=32"}),
    test_support::case_name<L2Case>);

// An L2 larger than everything the run touches: no line is ever evicted, so each line misses once
// (its first access) and every later access hits: in a spatial run the 4 cores read every layer's
// weights, so 3 of the 4 reads of each weight line hit. Nothing is written back; the dirty lines
// stay (dirty_lines_at_end).
TEST(L2, LargerThanTheWorkingSetMissesEachLineOnce) {
    const graph::Workload wl = bundled("tiny_resnet");
    const run::RunResult r = run::simulate(
        test_support::with_cores(4, {"compiler.partition=spatial", "l2.size=16MiB"}), wl, {});
    EXPECT_TRUE(report::check_summary(r.stats).all_checked_exact());
    EXPECT_EQ(l2_stat(r, "evictions"), 0u);
    EXPECT_EQ(l2_stat(r, "writebacks"), 0u);
    EXPECT_EQ(r.stats.total.dram_write_bytes, 0u);
    EXPECT_GT(l2_stat(r, "dirty_lines_at_end"), 0u);
    // Each miss brought a distinct line (no evictions): the DRAM reads are the fills.
    EXPECT_EQ(r.stats.total.dram_read_bytes, l2_stat(r, "fill_bytes"));
    const stats::L2Counts& t = *r.stats.l2;
    EXPECT_GT(t.hit_rate(), 0.6);
    // Per core: cores 1..3 read the weights core 0 (or another) brought in.
    for (int c = 1; c < 4; ++c) {
        const std::string core = "l2.core" + std::to_string(c);
        EXPECT_GT(r.stats.components.find(core + ".hits")->total(),
                  r.stats.components.find(core + ".misses")->total())
            << core;
    }
}

}  // namespace
}  // namespace npu

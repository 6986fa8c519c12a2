// SystemC model tests: whole simulations of small workloads. Each simulation gets a fresh
// SystemC context (sim/run), so one process can run several.
#include <gtest/gtest.h>

#include <string>
#include <systemc>

#include "models/mem/banked_sram.h"
#include "models/mem/port_calendar.h"
#include "sim/config/config_loader.h"
#include "sim/graph/workload_loader.h"
#include "sim/quant/prepare.h"
#include "sim/ref/reference.h"
#include "sim/run/simulation.h"

namespace npu {
namespace {

cfg::HwConfig small_hw(int rows, int cols, Dataflow df, Pipelining pl) {
    cfg::HwConfig hw = cfg::default_hw_config();
    cfg::apply_overrides(
        hw, {"array.rows=" + std::to_string(rows), "array.cols=" + std::to_string(cols),
             std::string("array.dataflow=") + to_string(df),
             std::string("array.pipelining=") + to_string(pl)});
    return hw;
}

// A conv with every awkward feature: padding, stride 2, dilation, channel counts that do not
// divide the array, then a GEMM that flattens it.
const char* kMixed = R"(
name: mixed
seed: 7
input: {shape: [11, 9, 5], scale: 0.04, zero_point: 9}
layers:
  - name: conv_a
    op: conv2d
    out_channels: 19
    kernel: [3, 2]
    stride: [2, 1]
    padding: [1, 2, 0, 1]
    dilation: [1, 2]
    weight_scale: {min: 0.005, max: 0.03}
    bias: true
    activation: relu
    output: {scale: auto, zero_point: auto}
  - name: fc
    op: gemm
    m: 3
    n: 7
    weight_scale: 0.01
    output: auto
)";

graph::Workload mixed() {
    return quant::prepare(graph::load_workload_from_string(kMixed, "mixed.yaml"));
}

void expect_bit_exact(const run::RunResult& r) {
    for (const auto& l : r.stats.layers) {
        EXPECT_TRUE(l.checked) << l.name;
        EXPECT_TRUE(l.bit_exact) << l.name << ": " << l.mismatches << " mismatches";
    }
}

struct ArrayCase {
    int rows, cols;
    Dataflow df;
    Pipelining pl;
};

class NpuArrayCases : public ::testing::TestWithParam<ArrayCase> {};

// The whole NPU with the closed-form array and with the PE-level array gives the same cycles,
// the same counts in every stat and the same (bit-exact) data.
TEST_P(NpuArrayCases, FastAndPeFidelityAgreeExactlyAndAreBitExact) {
    const ArrayCase c = GetParam();
    const cfg::HwConfig hw = small_hw(c.rows, c.cols, c.df, c.pl);
    const graph::Workload wl = mixed();
    run::RunOptions fast;
    run::RunOptions pe;
    pe.fidelity = model::Fidelity::kPe;
    const run::RunResult a = run::simulate(hw, wl, fast);
    const run::RunResult b = run::simulate(hw, wl, pe);
    expect_bit_exact(a);
    expect_bit_exact(b);
    ASSERT_EQ(a.stats.layers.size(), b.stats.layers.size());
    EXPECT_EQ(a.stats.total_cycles, b.stats.total_cycles);
    for (size_t i = 0; i < a.stats.layers.size(); ++i) {
        const auto& x = a.stats.layers[i];
        const auto& y = b.stats.layers[i];
        EXPECT_EQ(x.start_cycle, y.start_cycle) << x.name;
        EXPECT_EQ(x.end_cycle, y.end_cycle) << x.name;
        EXPECT_EQ(x.counters.array_busy_cycles, y.counters.array_busy_cycles) << x.name;
        EXPECT_EQ(x.counters.spad_bank_conflict_cycles, y.counters.spad_bank_conflict_cycles);
        EXPECT_EQ(x.counters.compute_wait_load_cycles, y.counters.compute_wait_load_cycles);
        EXPECT_EQ(x.counters.macs, y.counters.macs);
    }
    EXPECT_EQ(a.outputs, b.outputs);
    // MACs counted by the array equal the graph's MACs (no work lost or done twice).
    for (const auto& l : a.stats.layers) EXPECT_EQ(l.counters.macs, l.macs_total) << l.name;
}

INSTANTIATE_TEST_SUITE_P(
    Arrays, NpuArrayCases,
    ::testing::Values(ArrayCase{4, 4, Dataflow::kWeightStationary, Pipelining::kNone},
                      ArrayCase{4, 4, Dataflow::kWeightStationary, Pipelining::kOverlap},
                      ArrayCase{4, 4, Dataflow::kOutputStationary, Pipelining::kNone},
                      ArrayCase{4, 4, Dataflow::kOutputStationary, Pipelining::kOverlap},
                      ArrayCase{8, 4, Dataflow::kWeightStationary, Pipelining::kOverlap},
                      ArrayCase{8, 4, Dataflow::kOutputStationary, Pipelining::kOverlap}));

TEST(NpuModel, TimingOnlyGivesTheSameCyclesAsTheFunctionalRun) {
    const cfg::HwConfig hw = small_hw(8, 8, Dataflow::kWeightStationary, Pipelining::kOverlap);
    const graph::Workload wl = mixed();
    run::RunOptions timing_only;
    timing_only.functional = false;
    const run::RunResult a = run::simulate(hw, wl, {});
    const run::RunResult b = run::simulate(hw, wl, timing_only);
    expect_bit_exact(a);
    EXPECT_TRUE(b.outputs.empty());
    EXPECT_FALSE(b.stats.layers[0].checked);
    EXPECT_EQ(a.stats.total_cycles, b.stats.total_cycles);
    EXPECT_EQ(a.stats.total.dram_read_bytes, b.stats.total.dram_read_bytes);
    EXPECT_EQ(a.stats.total.spad_bank_conflict_cycles, b.stats.total.spad_bank_conflict_cycles);
}

TEST(NpuModel, EveryRoundingModeIsBitExactAgainstTheReference) {
    for (const char* mode : {"half_even", "tflite", "half_up"}) {
        cfg::HwConfig hw = small_hw(4, 4, Dataflow::kWeightStationary, Pipelining::kOverlap);
        cfg::apply_overrides(hw, {std::string("postproc.rounding=") + mode});
        const run::RunResult r = run::simulate(hw, mixed(), {});
        SCOPED_TRACE(mode);
        expect_bit_exact(r);
    }
}

TEST(NpuModel, OutputsAreTheReferenceOutputsByteForByte) {
    const cfg::HwConfig hw = small_hw(4, 4, Dataflow::kOutputStationary, Pipelining::kOverlap);
    const graph::Workload wl = mixed();
    const run::RunResult r = run::simulate(hw, wl, {});
    const auto expected = ref::run_workload(wl, hw.postproc.rounding);
    ASSERT_EQ(r.outputs.size(), expected.size());
    EXPECT_EQ(r.outputs, expected);
}

// A full instruction queue blocks dispatch (back-pressure) without changing the results.
TEST(NpuModel, ShallowQueuesBackPressureTheController) {
    cfg::HwConfig deep = small_hw(4, 4, Dataflow::kWeightStationary, Pipelining::kOverlap);
    cfg::HwConfig shallow = deep;
    shallow.controller.queue_depth = 1;
    const run::RunResult a = run::simulate(deep, mixed(), {});
    const run::RunResult b = run::simulate(shallow, mixed(), {});
    expect_bit_exact(b);
    EXPECT_EQ(a.outputs, b.outputs);
    EXPECT_GT(b.stats.total.dispatch_queue_full_cycles, a.stats.total.dispatch_queue_full_cycles);
}

// Halving DRAM bandwidth on a memory-heavy GEMM makes it slower; more DRAM latency too.
TEST(NpuModel, DramBandwidthAndLatencyShowInTheCycles) {
    const graph::Workload wl = quant::prepare(graph::load_workload_from_string(R"(
name: g
seed: 1
input: {shape: [64, 256], scale: 0.05, zero_point: 0}
layers:
  - {name: g, op: gemm, n: 64, weight_scale: 0.01, output: {scale: 0.5, zero_point: 0}}
)",
                                                                               "g.yaml"));
    cfg::HwConfig base = small_hw(16, 16, Dataflow::kWeightStationary, Pipelining::kOverlap);
    cfg::HwConfig slow = base;
    slow.dram.bandwidth_bytes_per_s = base.dram.bandwidth_bytes_per_s / 4;
    cfg::HwConfig far = base;
    far.dram.latency_cycles = base.dram.latency_cycles * 4;
    const uint64_t c_base = run::simulate(base, wl, {}).stats.total_cycles;
    EXPECT_GT(run::simulate(slow, wl, {}).stats.total_cycles, c_base);
    EXPECT_GT(run::simulate(far, wl, {}).stats.total_cycles, c_base);
}

// --- resources, exact cycle arithmetic -------------------------------------------------------

TEST(NpuResources, PortSetGrantsFirstComeFirstServed) {
    model::PortSet ports(2);
    EXPECT_EQ(ports.acquire(10, 5), 10u);  // port 0 busy [10, 15)
    EXPECT_EQ(ports.acquire(10, 5), 10u);  // port 1 busy [10, 15)
    EXPECT_EQ(ports.acquire(11, 3), 15u);  // both busy: waits for the first free, [15, 18)
    EXPECT_EQ(ports.free_at(), 15u);
}

TEST(NpuResources, PortCalendarFillsGapsBetweenReservations) {
    model::PortCalendar bank(1);
    EXPECT_EQ(bank.reserve(100, 50), 100u);  // [100, 150)
    EXPECT_EQ(bank.reserve(0, 10), 0u);      // before it: [0, 10)
    EXPECT_EQ(bank.reserve(95, 10), 150u);   // [95, 105) overlaps: first gap after is 150
    EXPECT_EQ(bank.reserve(10, 90), 10u);    // exactly fills [10, 100)
    EXPECT_EQ(bank.first_fit(0, 1), 160u);   // [0, 160) is now all taken
    model::PortCalendar two(2);
    EXPECT_EQ(two.reserve(0, 100), 0u);
    EXPECT_EQ(two.reserve(0, 100), 0u);  // second port
    EXPECT_EQ(two.reserve(50, 10), 100u);
    two.prune(1000);
    EXPECT_EQ(two.first_fit(0, 5), 0u);  // forgotten once in the past
}

TEST(NpuResources, SramBankConflictsDelayTheSecondAccess) {
    // 1 KiB in 4 banks of 256 B, 16 B per cycle per bank, one port.
    stats::StatGroup g("spad", 2);
    model::BankedSram sram("spad", cfg::SramConfig{1024, 4, 16, 1}, false, g);
    using Dir = model::BankedSram::Dir;
    // 64 B in bank 0: ceil(64/16) = 4 cycles, [0, 4).
    EXPECT_EQ(sram.access(0, 64, 0, Dir::kWrite, 0), 4u);
    // Another bank is free at once: [0, 2).
    EXPECT_EQ(sram.access(256, 32, 0, Dir::kWrite, 0), 2u);
    EXPECT_EQ(g.find("conflicts")->total(), 0u);
    // Bank 0 again at cycle 1 (layer 1): waits until 4, then 1 cycle -> done at 5, a 3-cycle
    // conflict on bank 0.
    EXPECT_EQ(sram.access(100, 16, 1, Dir::kRead, 1), 5u);
    EXPECT_EQ(g.find("conflicts")->at(1), 1u);
    EXPECT_EQ(g.find("conflict_cycles")->at(1), 3u);
    EXPECT_EQ(g.find("bank0.conflicts")->at(1), 1u);
    EXPECT_EQ(g.find("bank0.conflict_cycles")->at(1), 3u);
    EXPECT_EQ(g.find("bank1.conflicts")->total(), 0u);
    // An access spanning banks 1 and 2 ([496, 528): 16 B in each) holds both for one cycle.
    EXPECT_EQ(sram.access(496, 32, 10, Dir::kWrite, 0), 11u);
    // Bytes by direction and layer; busy port cycles per bank: bank 0 4 + 1, bank 1 2 + 1.
    EXPECT_EQ(g.find("bytes_written")->at(0), 64u + 32u + 32u);
    EXPECT_EQ(g.find("bytes_read")->at(1), 16u);
    EXPECT_EQ(g.find("bank0.busy_cycles")->total(), 5u);
    EXPECT_EQ(g.find("bank1.busy_cycles")->total(), 3u);
    EXPECT_EQ(g.find("bank2.busy_cycles")->total(), 1u);
    // A window over banks 0-1 from cycle 0 for 4 cycles: bank 0 is busy until 5, bank 1 until 2.
    EXPECT_EQ(sram.window_fit(0, 512, 0, 4), 5u);
    // Occupied at 5 although asked at 0: bank 0 alone delayed it 5 cycles (first fit 5), bank 1
    // 2 (free from 2): one conflict on each.
    sram.occupy(0, 512, 5, 4, 0, 0);
    EXPECT_EQ(g.find("bank0.conflicts")->at(0), 1u);
    EXPECT_EQ(g.find("bank0.conflict_cycles")->at(0), 5u);
    EXPECT_EQ(g.find("bank1.conflict_cycles")->at(0), 2u);
    EXPECT_EQ(sram.window_fit(256, 16, 0, 1), 2u);  // bank 1 free in [2, 5)
}

}  // namespace
}  // namespace npu

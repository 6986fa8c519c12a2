// The mapper's engine schedule (sim/compiler/schedule.h) on hand-built programs: its cycles
// against the arithmetic of its timing contract and against the simulated run of the same
// program. (On whole layers, every legal mapping of random ones: mapper_optimality_test.cc,
// ScheduleTracksTheSimulatedLayer.)
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "sim/compiler/schedule.h"
#include "sim/config/config_loader.h"
#include "sim/run/simulation.h"

namespace npu {
namespace {

// 1 GHz, DRAM 16 B/cycle on one channel, 100 cycles latency; DMA: 16 setup cycles, 64 B bursts,
// 32 outstanding; scratchpad banks 16 B wide; one instruction dispatched per cycle.
cfg::HwConfig small_hw() {
    cfg::HwConfig hw = cfg::default_hw_config();
    cfg::apply_overrides(
        hw, {"clock=1GHz", "dram.model=simple", "dram.bandwidth=16GB/s", "dram.channels=1",
             "dram.latency_cycles=100", "dma.setup_cycles=16", "dma.burst=64B",
             "dma.outstanding=32", "dma.channels=2", "scratchpad.size=64KiB", "scratchpad.banks=4",
             "scratchpad.bank_width=16B", "controller.dispatch_cycles=1"});
    return hw;
}

// A program of one layer holding `loads` (each: rows x row_bytes, strided by `stride` in DRAM)
// and a closing SYNC.
isa::Program loads_program(const cfg::HwConfig& hw, const std::vector<isa::Transfer>& loads) {
    isa::Program p;
    isa::LayerDesc L;
    L.name = "loads";
    L.op = "gemm";
    L.in_h = L.in_w = L.out_h = L.out_w = 1;
    L.in_c = L.out_c = 1;
    p.layers.push_back(L);
    for (const isa::Transfer& x : loads) {
        isa::Instr& in = p.append(isa::Opcode::kLoad, 0);
        p.transfers[in.payload] = x;
    }
    (void)p.append(isa::Opcode::kSync, 0);
    p.dram_size = hw.dram.size_bytes;
    return p;
}

uint64_t simulated(const cfg::HwConfig& hw, const isa::Program& p) {
    run::RunOptions o;
    o.functional = false;
    return run::simulate_program(hw, p, o).stats.layers.at(0).cycles();
}

// 256 contiguous bytes: 4 bursts, one at a time. Dispatched at cycle 1; the channel issues from
// 1 + 16 = 17, one burst per cycle (17..20); each holds the DRAM 64 / 16 = 4 cycles from
// max(issue, the previous one's end): 17, 21, 25, 29; each completes 100 cycles after its DRAM
// cycles plus 64 / 16 = 4 bank cycles: the last at 29 + 4 + 100 + 4 = 137.
TEST(CompilerSchedule, OneLoadIsSetupBurstsDramAndLatency) {
    const cfg::HwConfig hw = small_hw();
    const isa::Program p = loads_program(hw, {{0, 256, 0, 256, 1, 256}});
    EXPECT_EQ(compiler::schedule_cycles(p, hw), 137u);
    EXPECT_EQ(simulated(hw, p), 137u);
}

// 12 rows of 64 B, 128 B apart in DRAM (a run of 12 bursts, taken in closed form): the same
// steady state, burst j on the DRAM from 17 + 4j, completing at 17 + 4j + 4 + 100 + 4; the last
// (j = 11) at 169.
TEST(CompilerSchedule, ARunOfBurstsInClosedFormIsTheBurstByBurstTime) {
    const cfg::HwConfig hw = small_hw();
    const isa::Program p = loads_program(hw, {{0, 128, 0, 64, 12, 64}});
    EXPECT_EQ(compiler::schedule_cycles(p, hw), 169u);
    EXPECT_EQ(simulated(hw, p), 169u);
}

// Two loads of 256 B: the load engine takes the second when it has issued the first's last
// burst (cycle 21); it takes the other DMA channel and issues from 21 + 16 = 37 (37..40), when
// the DRAM is free again (the first's bursts hold it until 33): 37, 41, 45, 49; its last
// completes at 49 + 4 + 100 + 4 = 157.
TEST(CompilerSchedule, TheLoadEngineIssuesOneLoadAtATime) {
    const cfg::HwConfig hw = small_hw();
    const isa::Program p =
        loads_program(hw, {{0, 256, 0, 256, 1, 256}, {4096, 256, 8192, 256, 1, 256}});
    EXPECT_EQ(compiler::schedule_cycles(p, hw), 157u);
    EXPECT_EQ(simulated(hw, p), 157u);
}

}  // namespace
}  // namespace npu

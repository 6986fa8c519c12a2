// The same-cycle order is a rule of the model (models/process.h "Same-cycle order": processes
// due at the same cycle run in the order they asked for it), not the SystemC kernel's
// tie-breaking. The probe (model::set_kernel_probe) makes, after every model notification, one
// more timed notification that nobody waits for and cancels it at once: it takes a ticket in the
// cycle and leaves a dead entry in the kernel's event queue. Without the rule
// (model::use_same_cycle_tickets(false): every wake-up of a cycle at the same kernel time, the
// queue's shape breaking the ties) this probe moves cases 0, 3, 4 and 5 below: gemm_small 1,602
// -> 1,643 cycles, the 4-core spatial run 6,188 -> 6,192, the 4-core channel run's statistics
// but not its total. With it, every statistic of these runs must be the same with and without
// the probe: one core on the simple and the banked DRAM, vta with its DDR3, two and four cores on
// the banked DRAM (one with an L2), four on the simple one.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "models/process.h"
#include "sim/config/config_loader.h"
#include "sim/core/error.h"
#include "sim/report/stats_json.h"
#include "sim/run/simulation.h"
#include "tests/models/bundled.h"
#include "tests/models/driver.h"

namespace npu {
namespace {

struct Case {
    const char* config;
    const char* workload;
    std::vector<std::string> set;
};

// stats.json of a run, with the host figures (wall time, memory) left out.
nlohmann::json run_stats(const Case& c, uint64_t probe) {
    const cfg::HwConfig hw = cfg::load_hw_config(
        std::string(NPUSIM_SOURCE_DIR) + "/configs/" + c.config + ".yaml", c.set);
    const graph::Workload wl = test_support::bundled(c.workload);
    model::set_kernel_probe(probe);
    run::RunOptions options;
    options.functional = false;
    options.check = false;
    const run::RunResult r = run::simulate(hw, wl, options);
    model::set_kernel_probe(0);
    nlohmann::json j = report::stats_to_json(r.stats, hw);
    j.erase("host");
    return j;
}

class SameCycleOrder : public ::testing::TestWithParam<Case> {};

TEST_P(SameCycleOrder, UnrelatedNotificationsChangeNoResult) {
    const Case& c = GetParam();
    const nlohmann::json plain = run_stats(c, 0);
    ASSERT_GT(plain.at("totals").at("cycles").get<uint64_t>(), 0u);
    for (const uint64_t ahead : {uint64_t{1}, uint64_t{2}, uint64_t{1000000}}) {
        const nlohmann::json probed = run_stats(c, ahead);
        EXPECT_EQ(probed.at("totals").at("cycles"), plain.at("totals").at("cycles"))
            << "probe " << ahead << " cycles ahead";
        EXPECT_TRUE(probed == plain) << "probe " << ahead << " cycles ahead: the statistics differ";
    }
}

INSTANTIATE_TEST_SUITE_P(
    Runs, SameCycleOrder,
    ::testing::Values(
        Case{"edge_npu", "gemm_small", {"array.dataflow=ws", "array.pipelining=none"}},
        Case{"edge_npu", "tiny_resnet", {"dram.model=banked"}}, Case{"vta", "tiny_resnet", {}},
        Case{"gemmini",
             "tiny_attention",
             {"cores=2", "compiler.partition=auto", "dram.model=banked"}},
        Case{"edge_npu",
             "tiny_resnet",
             {"cores=4", "compiler.partition=spatial", "l2.size=64KiB", "dram.model=banked"}},
        Case{"edge_npu", "tiny_resnet", {"cores=4", "compiler.partition=channel"}}));

// The tickets themselves (model::wake_time): a cycle's tickets are its consecutive kernel time
// units in request order, each cycle counted on its own, also when two cycles to come share a
// slot of the ticket ring (4,096 slots: cycles 7 and 7 + 4,096) and after the slot frees (the
// second cycle's count must go on, not start again at 0: two wake-ups at one kernel time would
// be a tie again); a cycle out of units is a ModelError; without tickets every wake-up is at the
// cycle's start.
constexpr uint64_t kUnit = model::kTimeUnitsPerCycle;

TEST(SameCycleTickets, ConsecutiveUnitsPerCycleInRequestOrder) {
    model::KernelContext ctx;  // time 0
    EXPECT_EQ(model::wake_time(5), 5 * kUnit);
    EXPECT_EQ(model::wake_time(5), 5 * kUnit + 1);
    EXPECT_EQ(model::wake_time(6), 6 * kUnit);
    EXPECT_EQ(model::wake_time(5), 5 * kUnit + 2);
    // Cycles 7 and 7 + 4,096 share a ring slot: the later one is counted apart.
    EXPECT_EQ(model::wake_time(7), 7 * kUnit);
    EXPECT_EQ(model::wake_time(7 + 4096), (7 + 4096) * kUnit);
    EXPECT_EQ(model::wake_time(7 + 4096), (7 + 4096) * kUnit + 1);
    EXPECT_EQ(model::wake_time(7), 7 * kUnit + 1);
    model::use_same_cycle_tickets(false);
    EXPECT_EQ(model::wake_time(5), 5 * kUnit);
    EXPECT_EQ(model::wake_time(5), 5 * kUnit);
    model::use_same_cycle_tickets(true);
    EXPECT_EQ(model::wake_time(5), 5 * kUnit + 3);
}

TEST(SameCycleTickets, ACycleKeepsItsCountWhenItsRingSlotFrees) {
    model::KernelContext ctx;
    uint64_t before = 0, after = 0, fresh = 0;
    test_support::Driver drv("driver", [&] {
        EXPECT_EQ(model::wake_time(7), 7 * kUnit);  // the slot
        before = model::wake_time(7 + 4096);        // apart: the slot holds 7
        model::wait_until(8);                       // cycle 7 has passed
        after = model::wake_time(7 + 4096);         // its count goes on
        fresh = model::wake_time(8 + 4096);         // another cycle: from 0
        EXPECT_EQ(model::now_cycles(), 8u);
    });
    sc_core::sc_start();
    model::rethrow_process_error();
    EXPECT_EQ(before, (7 + 4096) * kUnit);
    EXPECT_EQ(after, (7 + 4096) * kUnit + 1);
    EXPECT_EQ(fresh, (8 + 4096) * kUnit);
}

// The map of cycles counted apart drops the cycles that have passed once it has grown (at 64
// cycles, then at twice what it kept plus 64): a cycle still to come keeps its count through
// that, and a ring slot whose cycles in the map were all dropped counts a new cycle from 0 again.
TEST(SameCycleTickets, TheMapDropsOnlyCyclesThatHavePassed) {
    model::KernelContext ctx;
    std::vector<uint64_t> kept, fresh;
    test_support::Driver drv("driver", [&] {
        // 100 cycles apart (their slots hold cycles 10 .. 109); the 64th grows the map past its
        // first bound with none passed (the next bound: 2 x 64 + 64 = 192).
        for (uint64_t i = 0; i < 100; ++i) (void)model::wake_time(10 + i);
        for (uint64_t i = 0; i < 100; ++i) (void)model::wake_time(10 + i + 4096);
        const uint64_t live = 5000 + 4096;  // apart from 5,000 and still to come below
        (void)model::wake_time(5000);
        kept.push_back(model::wake_time(live));
        model::wait_until(4096 + 200);  // the 100 cycles apart have passed, `live` has not
        // 100 more apart (slots 300 .. 399 hold cycles to come): the map reaches 192 and drops
        // the 100 that passed.
        for (uint64_t i = 0; i < 100; ++i) (void)model::wake_time(4096 + 300 + i);
        for (uint64_t i = 0; i < 100; ++i) (void)model::wake_time(2 * 4096 + 300 + i);
        kept.push_back(model::wake_time(live));  // its count goes on: 1
        // Slots 10 .. 109: their cycles passed and were dropped from the map: a new cycle of
        // each counts from 0.
        fresh.push_back(model::wake_time(10 + 3 * 4096));
        fresh.push_back(model::wake_time(10 + 3 * 4096));
        fresh.push_back(model::wake_time(109 + 3 * 4096));
    });
    sc_core::sc_start();
    model::rethrow_process_error();
    EXPECT_EQ(kept, (std::vector<uint64_t>{(5000 + 4096) * kUnit, (5000 + 4096) * kUnit + 1}));
    EXPECT_EQ(fresh, (std::vector<uint64_t>{(10 + 3 * 4096) * kUnit, (10 + 3 * 4096) * kUnit + 1,
                                            (109 + 3 * 4096) * kUnit}));
}

// One Advancer asked by two threads in the same delta cycle (the DMA's load and store channels
// share one, models/engines/dma.h): the second must ask the kernel again, the first one's answer
// being stale since that thread's timed wait (a change no notification counter sees).
TEST(Advancer, AnotherThreadInTheSameDeltaCycleAsksTheKernelAgain) {
    model::KernelContext ctx;
    model::Advancer adv;
    std::vector<uint64_t> seen;
    auto body = [&](uint64_t cycles) {
        return [&, cycles] {
            seen.push_back(adv.kernel_next());
            sc_core::wait(model::cycles_to_time(cycles));  // not through notify_after
        };
    };
    test_support::Driver a("a", body(5));
    test_support::Driver b("b", body(7));
    sc_core::sc_start();
    model::rethrow_process_error();
    // The first to run sees the other one runnable (pending now, at 0); the second sees the
    // first one's wait (cycle 5 or 7, whichever thread ran first).
    ASSERT_EQ(seen.size(), 2u);
    EXPECT_EQ(seen[0], 0u);
    EXPECT_TRUE(seen[1] == 5 * kUnit || seen[1] == 7 * kUnit) << seen[1];
}

TEST(SameCycleTickets, ACycleOutOfUnitsIsAModelError) {
    model::KernelContext ctx;
    for (uint64_t i = 0; i < kUnit; ++i) ASSERT_EQ(model::wake_time(9), 9 * kUnit + i);
    try {
        (void)model::wake_time(9);
        FAIL() << "no error";
    } catch (const ModelError& e) {
        EXPECT_NE(std::string(e.what()).find("more than 1000000 wake-ups requested for cycle 9"),
                  std::string::npos)
            << e.what();
    }
    EXPECT_EQ(model::wake_time(10), 10 * kUnit);  // other cycles are not affected
}

// time_of_units (models/process.h) makes the sc_time the library's from_value makes, with no
// library call: every notification and timed wait of the models goes through it.
TEST(TimeOfUnits, EqualsTheLibrarysFromValue) {
    model::KernelContext ctx;
    for (const uint64_t v : {uint64_t{0}, uint64_t{1}, kUnit - 1, kUnit, 3 * kUnit + 7,
                             (uint64_t{1} << 40) + 3, UINT64_MAX - 1, UINT64_MAX}) {
        const sc_core::sc_time fast = model::time_of_units(v);
        EXPECT_EQ(fast.value(), v);
        EXPECT_EQ(fast, sc_core::sc_time::from_value(v)) << v;
    }
    EXPECT_EQ(model::time_of_units(5 * kUnit), sc_core::sc_time(5, sc_core::SC_NS));
}

}  // namespace
}  // namespace npu

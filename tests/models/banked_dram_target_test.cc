// The banked DRAM behind the memory interface (models/mem/dram/banked_dram_target.h): networks
// run bit-exact on it (only timing changes), and the request stream the NPU generates reaches
// the per-channel controllers in the order and at the memory cycles the clock conversion gives,
// with every completion told at exactly the cycle the cycle-by-cycle reference computes.
#include "models/mem/dram/banked_dram_target.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "models/engines/dma.h"
#include "models/mem/banked_sram.h"
#include "models/mem/dram/banked_dram.h"
#include "models/mem/dram/reference_channel.h"
#include "models/mem/memory_image.h"
#include "models/platform/address_map.h"
#include "models/process.h"
#include "sim/compiler/compiler.h"
#include "sim/config/config_loader.h"
#include "sim/graph/workload_loader.h"
#include "sim/quant/ptq.h"
#include "sim/run/simulation.h"
#include "sim/stats/component_stats.h"
#include "tests/models/driver.h"

namespace npu {
namespace {

cfg::HwConfig banked(const std::vector<std::string>& sets) {
    std::vector<std::string> all = {"dram.model=banked"};
    all.insert(all.end(), sets.begin(), sets.end());
    return cfg::load_hw_config(std::string(NPUSIM_SOURCE_DIR) + "/configs/edge_npu.yaml", all);
}

graph::Workload workload(const std::string& name) {
    return quant::load_and_quantize(std::string(NPUSIM_SOURCE_DIR) + "/workloads/" + name +
                                    ".yaml");
}

uint64_t total(const stats::RunStats& run, const std::string& path) {
    const stats::Stat* s = run.components.find(path);
    EXPECT_NE(s, nullptr) << path;
    return s == nullptr ? 0 : s->total();
}

// Same outputs as the simple DRAM running the same program (the mapper's schedule takes the
// DRAM's latency into account, so each preset may map the layers its own way), every layer
// checked against the reference executor; the same traffic; the DRAM's row statistics account
// for every burst.
TEST(BankedDramTarget, NetworksRunBitExactOnEveryPreset) {
    const graph::Workload wl = workload("tiny_resnet");
    for (const char* preset :
         {"ddr4_3200", "lpddr4_4266", "lpddr5_6400", "hbm2", "ddr3_1600", "ddr3_2133"}) {
        SCOPED_TRACE(preset);
        const cfg::HwConfig hw = banked({std::string("dram.preset=") + preset, "dram.size=256MiB"});
        const run::RunResult b = run::simulate(hw, wl, {});
        cfg::HwConfig simple = hw;
        simple.dram.model = cfg::DramModel::kSimple;
        const run::RunResult a = run::simulate_program(simple, compiler::compile(wl, hw, {}), {});
        for (const auto& l : b.stats.layers) {
            EXPECT_TRUE(l.checked) << l.name;
            EXPECT_TRUE(l.bit_exact) << l.name;
        }
        EXPECT_EQ(a.outputs, b.outputs);
        EXPECT_EQ(b.stats.total.dram_bursts, a.stats.total.dram_bursts);
        EXPECT_EQ(b.stats.total.dram_read_bytes, a.stats.total.dram_read_bytes);
        EXPECT_EQ(b.stats.total.dram_write_bytes, a.stats.total.dram_write_bytes);
        EXPECT_EQ(b.stats.total.macs, a.stats.total.macs);
        EXPECT_NE(b.stats.total_cycles, a.stats.total_cycles);  // the timing is the banked one
        // Every DRAM burst (an NPU burst of up to 64 bytes is one or more of them) found its
        // row one of three ways; an ACT opened each miss and conflict.
        const uint64_t outcomes = total(b.stats, "dram.row_hits") +
                                  total(b.stats, "dram.row_misses") +
                                  total(b.stats, "dram.row_conflicts");
        EXPECT_GE(outcomes, b.stats.total.dram_bursts);
        EXPECT_EQ(total(b.stats, "dram.read_bursts") + total(b.stats, "dram.write_bursts"),
                  outcomes);
        EXPECT_GT(total(b.stats, "dram.row_hits"), 0u);
        EXPECT_GE(total(b.stats, "dram.activates"),
                  total(b.stats, "dram.row_misses") + total(b.stats, "dram.row_conflicts"));
        EXPECT_GT(total(b.stats, "dram.refreshes"), 0u);
    }
}

// The completions the adapter tells the DMA equal, request by request, those of the cycle-by-
// cycle reference channels fed the same stream; the stream is the NPU's requests at
// to_memory(earliest), in (arrival, issue) order. Several clock ratios and channel counts.
TEST(BankedDramTarget, TheAdapterPathEqualsTheCycleByCycleReferenceOnNpuStreams) {
    struct Case {
        const char* name;
        std::vector<std::string> sets;
        const char* workload;
    };
    const std::vector<Case> cases = {
        {"ddr4 at 1 GHz NPU (5:8 clocks)", {"dram.size=256MiB"}, "tiny_resnet"},
        {"ddr4, 2 channels, 4 KiB rows apart",
         {"dram.channels=2", "dram.size=256MiB"},
         "conv_small"},
        {"lpddr4, 2 channels, 700 MHz NPU",
         {"dram.preset=lpddr4_4266", "clock=700MHz", "dram.size=256MiB"},
         "tiny_attention"},
        {"hbm2 closed page, 16 channels",
         {"dram.preset=hbm2", "dram.page_policy=closed", "dram.size=256MiB"},
         "tiny_resnet"},
        {"ddr3 behind a 100 MHz NPU, small queues",
         {"dram.preset=ddr3_1600", "clock=100MHz", "dram.read_queue=4", "dram.write_queue=4",
          "dram.write_high=3", "dram.write_low=1", "dram.size=256MiB"},
         "tiny_resnet"},
    };
    for (const Case& c : cases) {
        SCOPED_TRACE(c.name);
        const cfg::HwConfig hw = banked(c.sets);
        std::vector<model::BankedDramTarget::Logged> log;
        run::RunOptions options;
        options.functional = false;
        options.dram = [&](model::MemoryImage& image, stats::StatGroup& stats) {
            auto d = std::make_unique<model::BankedDramTarget>("dram", hw, image, stats);
            d->set_log(&log);
            return std::unique_ptr<model::DramTarget>(std::move(d));
        };
        const run::RunResult r = run::simulate(hw, workload(c.workload), options);
        ASSERT_EQ(log.size(), r.stats.total.dram_bursts);
        EXPECT_GT(log.size(), 60u);

        const dram::ClockDomains clocks(static_cast<uint64_t>(hw.clock_hz),
                                        static_cast<uint64_t>(hw.dram.clock_hz));
        // The stream: arrivals nondecreasing, each the first memory cycle at or after the NPU
        // cycle the request was asked for.
        for (size_t i = 0; i < log.size(); ++i) {
            EXPECT_EQ(log[i].request.arrival_cycle, clocks.to_memory(log[i].earliest)) << i;
            if (i > 0) {
                ASSERT_GE(log[i].request.arrival_cycle, log[i - 1].request.arrival_cycle) << i;
            }
        }
        // The reference: one cycle-by-cycle channel per channel, the same bursts.
        const dram::BankedDram decoder(hw.dram);
        std::vector<dram::ReferenceChannel> channels(static_cast<size_t>(hw.dram.channels),
                                                     dram::ReferenceChannel(hw.dram));
        const uint64_t burst = decoder.address_map().burst_bytes();
        std::vector<uint32_t> bursts_left(log.size(), 0);
        uint64_t last_arrival = 0;
        for (size_t i = 0; i < log.size(); ++i) {
            const dram::Request& q = log[i].request;
            for (uint64_t b = q.addr / burst; b <= (q.addr + q.bytes - 1) / burst; ++b) {
                const auto routed =
                    decoder.route(b * burst, q.is_write, q.arrival_cycle, static_cast<uint32_t>(i));
                channels[routed.channel].push(routed.atom);
                ++bursts_left[i];
            }
            last_arrival = q.arrival_cycle;
        }
        std::vector<uint64_t> done(log.size(), 0);
        for (dram::ReferenceChannel& ch : channels) {
            uint64_t t = last_arrival;
            ch.run_until(t);
            while (ch.has_work()) ch.run_until(t += 1024);
            for (const auto& d : ch.done()) {
                done[d.tag] = std::max(done[d.tag], d.cycle);
                --bursts_left[d.tag];
            }
        }
        size_t differ = 0;
        for (size_t i = 0; i < log.size(); ++i) {
            ASSERT_EQ(bursts_left[i], 0u) << i;
            if (clocks.to_npu(done[i]) != log[i].told && ++differ <= 5) {
                ADD_FAILURE() << "request " << i << ": reference completes at memory cycle "
                              << done[i] << " = NPU cycle " << clocks.to_npu(done[i])
                              << ", the adapter told " << log[i].told;
            }
        }
        EXPECT_EQ(differ, 0u);
    }
}

// cancel_wake() (the DMA's synchronous loop taking the adapter's wake-up back) takes the wake-up
// out of the kernel also when it was held back while an initiator issued (models/process.h) and
// then handed to the kernel: the adapter's method must not run then (it would tell the request's
// completion). Without the cancel it does.
// A kernel with a DDR4-3200 banked DRAM over 1 MiB, and an initiator that counts what it is told.
struct OneDram {
    struct Recorder : model::MemInitiatorIf {
        void complete(model::MemRequest&, uint64_t) override { ++told; }
        size_t told = 0;
    };
    model::KernelContext ctx;
    cfg::HwConfig hw = banked({"dram.preset=ddr4_3200"});
    stats::StatGroup root{"", 1};
    model::MemoryImage image = mapped_image();
    model::BankedDramTarget dram{"dram", hw, image, root.group("dram")};
    Recorder rec;
    static model::MemoryImage mapped_image() {
        model::MemoryImage i;
        i.map(0, 1 << 20);
        return i;
    }
};

size_t told_after_a_held_and_released_wake_up(bool cancel) {
    OneDram one;
    model::BankedDramTarget& dram = one.dram;
    OneDram::Recorder& rec = one.rec;
    model::MemRequest r;
    r.bytes = 64;
    r.initiator = &rec;
    size_t told = 0;
    test_support::Driver d("driver", [&] {
        model::wait_until(2);
        r.earliest = 2;
        model::open_hold_window();
        EXPECT_EQ(dram.request(r), model::MemTargetIf::kLater);  // its wake-up held back
        const uint64_t wake = dram.untold_from();
        EXPECT_EQ(model::held_wake_time() / model::kTimeUnitsPerCycle, wake);
        model::close_hold_window();  // handed to the kernel
        EXPECT_EQ(model::held_wake_time(), UINT64_MAX);
        if (cancel) dram.cancel_wake();
        model::wait_until(wake + 100);
        told = rec.told;
    });
    sc_core::sc_start();
    model::rethrow_process_error();
    return told;
}

TEST(BankedDramTarget, AWakeUpHeldThenHandedToTheKernelIsCancelledThere) {
    EXPECT_EQ(told_after_a_held_and_released_wake_up(false), 1u);
    EXPECT_EQ(told_after_a_held_and_released_wake_up(true), 0u);
}

// The adapter tells the DMA that sent its first request with no virtual call
// (Dma::complete_told) and every other initiator through MemInitiatorIf::complete: with a DMA
// and another initiator sharing the DRAM, in either order, each gets its own completions.
// Returns what the other initiator was told and whether the DMA's load completed.
std::pair<size_t, bool> told_to_a_dma_and_another(bool dma_first) {
    OneDram one;
    const cfg::HwConfig& hw = one.hw;
    stats::StatGroup& root = one.root;
    model::BankedDramTarget& dram = one.dram;
    OneDram::Recorder& rec = one.rec;
    model::BankedSram spad("spad", hw.scratchpad, false, root.group("spad"), model::now_cycles);
    model::Dma dma("dma", hw.dma, spad, false, root.group("dma"));
    model::AddressMap map("map");
    map.add_region("dram", 0, uint64_t{1} << 20, dram);
    dma.memory.bind(map);
    model::MemRequest r;
    r.addr = 4096;
    r.bytes = 64;
    r.initiator = &rec;
    bool loaded = false;
    test_support::Driver d("driver", [&] {
        model::wait_until(2);
        if (!dma_first) {
            r.earliest = model::now_cycles();
            EXPECT_EQ(dram.request(r), model::MemTargetIf::kLater);
        }
        isa::Transfer x;
        x.rows = 1;
        x.row_bytes = 256;
        x.sram_stride = 256;
        x.dram_stride = 256;
        const model::Dma::Result res = dma.load(x, 0);
        if (dma_first) {
            r.earliest = model::now_cycles();
            EXPECT_EQ(dram.request(r), model::MemTargetIf::kLater);
        }
        res.complete.wait_known();
        loaded = true;
        model::wait_until(model::now_cycles() + 1000);
    });
    sc_core::sc_start();
    model::rethrow_process_error();
    return {rec.told, loaded};
}

TEST(BankedDramTarget, TellsADmaDirectlyAndOtherInitiatorsThroughTheInterface) {
    EXPECT_EQ(told_to_a_dma_and_another(true), std::make_pair(size_t{1}, true));
    EXPECT_EQ(told_to_a_dma_and_another(false), std::make_pair(size_t{1}, true));
}

}  // namespace
}  // namespace npu

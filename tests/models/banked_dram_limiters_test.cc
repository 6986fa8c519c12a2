// What the banked DRAM tells the limiter log (models/mem/dram/banked_dram_target.h, "Limiters";
// sim/stats/limiters.h): a request's wait inside the DRAM beyond its unloaded span (row opens and
// closes, the column-to-column gap behind another request) is charged as dram-bandwidth from its
// earliest cycle; and the DMA notes a deferred descriptor's last bursts in flight when its last
// completion is told. Exact cycles on DDR4-3200 with the NPU at the memory clock (1.6 GHz, one
// NPU cycle per memory cycle): tRCD = tRP = tCL = 22, tBURST = 4, tCCD_L = 8; a 64-byte request
// is one burst (64-bit bus, BL8), so its unloaded span is 1 + tCL + tBURST = 27 cycles.
#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <systemc>
#include <vector>

#include "models/engines/dma.h"
#include "models/mem/banked_sram.h"
#include "models/mem/dram/banked_dram_target.h"
#include "models/mem/memory_image.h"
#include "models/platform/address_map.h"
#include "models/process.h"
#include "sim/config/config_loader.h"
#include "sim/stats/component_stats.h"
#include "sim/stats/limiters.h"
#include "tests/models/driver.h"

namespace npu {
namespace {

using model::MemRequest;
using stats::Limiter;

cfg::HwConfig ddr4_at_memory_clock() {
    return cfg::load_hw(std::string("edge_npu"),
                        {"dram.model=banked", "dram.preset=ddr4_3200", "clock=1.6GHz"});
}

void simulate() {
    sc_core::sc_start();
    model::rethrow_process_error();
}

// Records the completion cycle of each request it is told about.
struct Recorder : model::MemInitiatorIf {
    void complete(MemRequest& r, uint64_t cycle) override { done[r.addr] = cycle; }
    std::map<uint64_t, uint64_t> done;
};

TEST(BankedDramLimiters, WaitsBeyondTheUnloadedSpanAreDramCycles) {
    model::KernelContext ctx;
    const cfg::HwConfig hw = ddr4_at_memory_clock();
    stats::StatGroup stats("", 1);
    model::MemoryImage image;
    model::BankedDramTarget dram("dram", hw, image, stats.group("dram"));
    stats::LimiterLog log(1);
    dram.set_limiters(&log);
    Recorder rec;
    // Mapping RoBaRaCoBgCh, one channel and rank: byte offset 6 bits, bank group 2, column 7
    // (1024 columns / BL8), bank 2: addresses 256 apart share a row, 128 KiB apart are the next
    // row of the same bank.
    constexpr uint64_t kNextRow = 128 * 1024;
    std::vector<MemRequest> req(5);
    const uint64_t addr[5] = {0, 256, kNextRow, kNextRow + 512, kNextRow + 768};
    const uint64_t at[5] = {0, 100, 200, 300, 300};
    for (size_t i = 0; i < req.size(); ++i) {
        req[i].addr = addr[i];
        req[i].bytes = 64;
        req[i].earliest = at[i];
        req[i].initiator = &rec;
    }
    test_support::Driver d("driver", [&] {
        for (size_t i = 0; i < req.size(); ++i) {
            model::wait_until(at[i]);
            (void)dram.request(req[i]);
        }
    });
    simulate();
    // A, bank closed: ACT at 1, RD at 1 + tRCD = 23, data done 23 + 22 + 4 = 49: 22 cycles over
    //   its 27 (the row open) -> [0, 22).
    // B, its row open and idle: RD at 101, done 127: no wait.
    // C, another row of that bank: PRE at 201, ACT at 201 + tRP = 223, RD at 223 + tRCD = 245,
    //   done 271: 71 - 27 = 44 (tRP + tRCD) -> [200, 244).
    // D and E, both at 300 in C's open row: D's RD at 301, done 327; E's RD tCCD_L = 8 later at
    //   309, done 335: 8 cycles behind D -> [300, 308).
    EXPECT_EQ(rec.done.at(addr[0]), 49u);
    EXPECT_EQ(rec.done.at(addr[1]), 127u);
    EXPECT_EQ(rec.done.at(addr[2]), 271u);
    EXPECT_EQ(rec.done.at(addr[3]), 327u);
    EXPECT_EQ(rec.done.at(addr[4]), 335u);
    const stats::LimiterCycles c = log.close_layer(0, 0, 400);
    EXPECT_EQ(c.at(Limiter::kDramBandwidth), 22u + 44u + 8u);
    EXPECT_EQ(c.at(Limiter::kDependency), 400u - 74u);
    EXPECT_EQ(c.total(), 400u);
}

TEST(BankedDramLimiters, ADmaLoadSplitsIntoIssueDramWaitAndBurstsInFlight) {
    model::KernelContext ctx;
    const cfg::HwConfig hw = ddr4_at_memory_clock();
    stats::StatGroup stats("", 1);
    model::MemoryImage image;
    // One DMA channel, 10 setup cycles; a one-bank scratchpad writing 16 B per cycle.
    cfg::DmaConfig dc;
    dc.channels = 1;
    dc.burst_bytes = 64;
    dc.outstanding = 2;
    dc.setup_cycles = 10;
    model::BankedSram spad("spad", cfg::SramConfig{4096, 1, 16, 1}, false, stats.group("spad"),
                           model::now_cycles);
    model::Dma dma("dma", dc, spad, false, stats.group("dma"));
    model::AddressMap map("map");
    dma.memory.bind(map);
    model::BankedDramTarget dram("dram", hw, image, stats.group("dram"));
    map.add_region("dram", 0, 1 << 20, dram);
    stats::LimiterLog log(1);
    dram.set_limiters(&log);
    dma.set_limiters(&log);
    spad.set_limiters(&log);
    uint64_t complete = 0;
    test_support::Driver d("driver", [&] {
        isa::Transfer x;
        x.rows = 1;
        x.row_bytes = 64;
        complete = dma.load(x, 0).complete.wait_known();
    });
    simulate();
    // Setup [0, 10), the burst issued at 10 (issue ends 11). The DRAM: bank closed, ACT at 11,
    // RD at 33, data at 33 + 26 = 59 (22 cycles over the unloaded 27: [10, 32)); the scratchpad
    // write [59, 63). By precedence: dma-issue [0, 10), dram-bandwidth [10, 32), the burst in
    // flight (dma-latency, noted when its completion is told) [32, 63).
    EXPECT_EQ(complete, 63u);
    const stats::LimiterCycles c = log.close_layer(0, 0, complete);
    EXPECT_EQ(c.at(Limiter::kDmaIssue), 10u);
    EXPECT_EQ(c.at(Limiter::kDramBandwidth), 22u);
    EXPECT_EQ(c.at(Limiter::kDmaLatency), 31u);
    EXPECT_EQ(c.at(Limiter::kDependency), 0u);
}

}  // namespace
}  // namespace npu

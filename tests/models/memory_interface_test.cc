// The DMA on the memory interface, cycle by cycle: through the address map to the simple DRAM
// (completion known at once) and to a target that decides each completion later (out of order),
// the outstanding-request limit, the scratchpad's bank ports, and the address map's routing.
// Each test builds its own small platform in a fresh SystemC context and drives the DMA from a
// test process.
#include <gtest/gtest.h>

#include <algorithm>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <systemc>
#include <vector>

#include "models/engines/dma.h"
#include "models/mem/banked_sram.h"
#include "models/mem/mem_if.h"
#include "models/mem/memory_image.h"
#include "models/mem/simple_dram.h"
#include "models/platform/address_map.h"
#include "models/process.h"
#include "sim/core/error.h"
#include "sim/stats/component_stats.h"
#include "tests/models/driver.h"
#include "tests/support/sanitizer.h"

namespace npu {
namespace {

using model::MemRequest;
using model::now_cycles;

using test_support::Driver;

void simulate() {
    sc_core::sc_start();
    model::rethrow_process_error();
}

// A target that decides each completion later (the memory interface's deferred path): it takes
// a request at once (kLater); at the request's earliest cycle (an event) it decides the
// completion there + the next latency of its list, and tells the initiator when that cycle
// comes. Requests must arrive with nondecreasing earliest cycles (a DMA channel's do).
class DeferredTarget : public sc_core::sc_module, public model::MemTargetIf {
  public:
    SC_HAS_PROCESS(DeferredTarget);
    DeferredTarget(sc_core::sc_module_name name, std::vector<uint64_t> latencies)
        : sc_module(name), m_latencies(std::move(latencies)) {
        SC_METHOD(run);  // a method, not a thread: it runs on the kernel's stack
    }

    uint64_t request(MemRequest& r) override {
        m_arrivals.push_back(&r);
        max_in_flight = std::max(max_in_flight, ++m_in_flight);
        m_changed.notify(sc_core::SC_ZERO_TIME);
        return kLater;
    }
    void debug_access(uint64_t, uint8_t*, uint32_t, bool) override {}

    size_t max_in_flight = 0;
    std::vector<uint64_t> told;  // request addresses in the order their completions were told

  private:
    struct Due {
        uint64_t cycle;
        MemRequest* r;
    };
    void run() {
        model::guarded([this] {
            const uint64_t now = now_cycles();
            while (!m_arrivals.empty() && m_arrivals.front()->earliest <= now) {
                MemRequest* r = m_arrivals.front();
                m_arrivals.pop_front();
                m_due.push_back({now + m_latencies[m_decided++ % m_latencies.size()], r});
                std::sort(m_due.begin(), m_due.end(),
                          [](const Due& a, const Due& b) { return a.cycle < b.cycle; });
            }
            while (!m_due.empty() && m_due.front().cycle <= now) {
                const Due d = m_due.front();
                m_due.pop_front();
                --m_in_flight;
                told.push_back(d.r->addr);
                d.r->initiator->complete(*d.r, d.cycle);
            }
            uint64_t next = UINT64_MAX;
            if (!m_arrivals.empty()) next = m_arrivals.front()->earliest;
            if (!m_due.empty()) next = std::min(next, m_due.front().cycle);
            if (next == UINT64_MAX) {
                next_trigger(m_changed);
            } else {
                next_trigger(model::cycles_to_time(next - now), m_changed);
            }
        });
    }

    std::vector<uint64_t> m_latencies;
    size_t m_decided = 0;
    size_t m_in_flight = 0;
    std::deque<MemRequest*> m_arrivals;
    std::deque<Due> m_due;
    sc_core::sc_event m_changed;
};

// A target that decides each completion when it takes the request (its earliest cycle + the
// next latency of its list) and tells it `ahead` cycles before that cycle (at the earliest cycle
// if that is later), as the banked DRAM tells a burst's completion at its column command.
// Its bound on the completions it has not told yet (MemTargetIf::untold_from): none, a true one
// (the earliest untold completion), or a false one (none will ever come).
class AheadTarget : public sc_core::sc_module, public model::MemTargetIf {
  public:
    enum class Bound { kNone, kTrue, kFalse };
    SC_HAS_PROCESS(AheadTarget);
    AheadTarget(sc_core::sc_module_name name, std::vector<uint64_t> latencies, uint64_t ahead,
                Bound bound)
        : sc_module(name), m_latencies(std::move(latencies)), m_ahead(ahead), m_bound(bound) {
        SC_METHOD(run);  // a method, not a thread: it runs on the kernel's stack
    }

    uint64_t request(MemRequest& r) override {
        const uint64_t done = r.earliest + m_latencies[m_taken++ % m_latencies.size()];
        const uint64_t tell = std::max(r.earliest, done > m_ahead ? done - m_ahead : 0);
        m_untold.push_back({tell, done, &r});
        std::stable_sort(m_untold.begin(), m_untold.end(),
                         [](const Untold& a, const Untold& b) { return a.tell < b.tell; });
        requested_at.push_back(now_cycles());
        m_changed.notify(sc_core::SC_ZERO_TIME);
        return kLater;
    }
    uint64_t untold_from() const override {
        if (m_bound == Bound::kNone) return 0;
        if (m_bound == Bound::kFalse) return UINT64_MAX;
        uint64_t bound = UINT64_MAX;
        for (const Untold& u : m_untold) bound = std::min(bound, u.done);
        return bound;
    }
    void debug_access(uint64_t, uint8_t*, uint32_t, bool) override {}

    std::vector<uint64_t> requested_at;  // the kernel cycle of each request() call
    std::vector<uint64_t> told;          // (address, cycle) of each completion, in telling order

  private:
    struct Untold {
        uint64_t tell, done;
        MemRequest* r;
    };
    void run() {
        model::guarded([this] {
            const uint64_t now = now_cycles();
            while (!m_untold.empty() && m_untold.front().tell <= now) {
                const Untold u = m_untold.front();
                m_untold.pop_front();
                told.insert(told.end(), {u.r->addr, u.done});
                u.r->initiator->complete(*u.r, u.done);
            }
            if (m_untold.empty()) {
                next_trigger(m_changed);
            } else {
                next_trigger(model::cycles_to_time(m_untold.front().tell - now), m_changed);
            }
        });
    }

    std::vector<uint64_t> m_latencies;
    uint64_t m_ahead;
    Bound m_bound;
    size_t m_taken = 0;
    std::deque<Untold> m_untold;
    sc_core::sc_event m_changed;
};

// One DMA channel, 64 B bursts, `outstanding` in flight, 10 setup cycles; a 4 KiB scratchpad of
// one bank, 16 B per cycle: a 64 B burst holds it 4 cycles.
struct Platform {
    explicit Platform(int outstanding) : stats("", 1) {
        cfg::DmaConfig dc;
        dc.channels = 1;
        dc.burst_bytes = 64;
        dc.outstanding = outstanding;
        dc.setup_cycles = 10;
        spad = std::make_unique<model::BankedSram>("spad", cfg::SramConfig{4096, 1, 16, 1}, false,
                                                   stats.group("spad"), now_cycles);
        dma = std::make_unique<model::Dma>("dma", dc, *spad, false, stats.group("dma"));
        map = std::make_unique<model::AddressMap>("map");
        dma->memory.bind(*map);
    }
    uint64_t stat(const char* path) const { return stats.find(path)->total(); }

    model::KernelContext ctx;
    stats::StatGroup stats;
    model::MemoryImage image;
    std::unique_ptr<model::BankedSram> spad;
    std::unique_ptr<model::Dma> dma;
    std::unique_ptr<model::AddressMap> map;
};

isa::Transfer transfer(uint32_t bytes) {
    isa::Transfer x;
    x.rows = 1;
    x.row_bytes = bytes;
    return x;
}

TEST(MemoryInterface, DmaLoadFromSimpleDramIsSetupPlusBurstsPlusLatency) {
    Platform p(2);
    // DRAM 16 B/cycle, latency 20, one channel.
    model::SimpleDram dram("dram", 16.0, 1, 20, 64, p.image, p.stats.group("dram"));
    p.map->add_region("dram", 0, 1 << 20, dram);
    model::Dma::Result r;
    Driver d("driver", [&] { r = p.dma->load(transfer(192), 0); });
    simulate();
    // burst 0: issue 10, DRAM [10, 14) + 20 latency -> data 34, SRAM [34, 38)
    // burst 1: issue 11, DRAM busy until 14 -> [14, 18) -> 38, SRAM [38, 42)
    // burst 2: 2 in flight -> issue at 38 (burst 0 done), DRAM [38, 42) -> 62, SRAM [62, 66)
    ASSERT_TRUE(r.complete.known());
    EXPECT_EQ(r.complete.cycle(), 66u);
    EXPECT_EQ(r.issued, 39u);
    EXPECT_EQ(p.stat("dram.reads"), 3u);
    EXPECT_EQ(p.stat("dram.bytes_read"), 192u);
    EXPECT_EQ(p.stat("dram.channel0.busy_cycles"), 12u);  // 3 bursts x 4 cycles
    EXPECT_EQ(p.stat("dma.descriptors"), 1u);
    EXPECT_EQ(p.stat("dma.bursts"), 3u);
    EXPECT_EQ(p.stat("dma.outstanding_full_cycles"), 38u - 12u);  // burst 2 asked at 12
    EXPECT_EQ(p.stat("spad.bytes_written"), 192u);
}

TEST(MemoryInterface, DeferredCompletionsOutOfOrderRespectTheOutstandingLimit) {
    Platform p(2);
    // Latencies in turn: 40, 10, 40, 10 (each decided when its request's earliest cycle comes).
    DeferredTarget target("target", {40, 10});
    p.map->add_region("far", 0, 1 << 20, target);
    model::Dma::Result r;
    uint64_t complete = 0;
    bool known_at_return = true;
    Driver d("driver", [&] {
        r = p.dma->load(transfer(256), 0);
        known_at_return = r.complete.known();
        complete = r.complete.wait_known();
    });
    simulate();
    // burst 0: issue 10 -> told at 10 + 40 = 50; burst 1: issue 11 -> told at 21.
    // burst 2: two in flight, neither told: waits; burst 1 told at 21 -> SRAM [21, 25): its slot
    //   frees at 25 -> issue 25 -> told at 65.
    // burst 3: bursts 0 and 2 untold: waits; burst 0 told at 50 -> SRAM [50, 54) -> issue 54 ->
    //   told at 64 -> SRAM [64, 68); burst 2 (told at 65) waits for the bank: [68, 72).
    EXPECT_EQ(r.issued, 55u);
    EXPECT_FALSE(known_at_return);  // bursts 2 and 3 were not told when the last was issued
    EXPECT_EQ(complete, 72u);
    EXPECT_EQ(target.told, (std::vector<uint64_t>{64, 0, 192, 128}));  // out of order
    EXPECT_EQ(target.max_in_flight, 2u);
    // Slot waits: burst 2 asked at 12, issued 25; burst 3 asked at 26, issued 54.
    EXPECT_EQ(p.stat("dma.outstanding_full_cycles"), (25u - 12u) + (54u - 26u));
    EXPECT_EQ(p.stat("spad.conflicts"), 1u);
    EXPECT_EQ(p.stat("spad.conflict_cycles"), 3u);
    EXPECT_EQ(p.stat("spad.bank0.conflict_cycles"), 3u);
    EXPECT_EQ(p.stat("dma.bursts"), 4u);
}

TEST(MemoryInterface, DeferredStoreCompletesWithItsLastAcknowledgement) {
    Platform p(2);
    DeferredTarget target("target", {30, 5});
    p.map->add_region("far", 0, 1 << 20, target);
    model::Dma::Result r;
    uint64_t complete = 0;
    Driver d("driver", [&] {
        r = p.dma->store(transfer(128), 0);
        complete = r.complete.wait_known();
    });
    simulate();
    // burst 0: issue 10, SRAM read [10, 14), write request from 14 -> acknowledged 14 + 30 = 44.
    // burst 1: issue 11, SRAM busy until 14: [14, 18) (a 3-cycle conflict), request from 18 ->
    //   acknowledged 23. The scratchpad side is done at 18, known at once; the descriptor
    //   completes with the later acknowledgement.
    EXPECT_EQ(r.issued, 12u);
    EXPECT_EQ(r.sram_done, 18u);
    EXPECT_EQ(complete, 44u);
    EXPECT_EQ(target.told, (std::vector<uint64_t>{64, 0}));
    EXPECT_EQ(p.stat("spad.bytes_read"), 128u);
    EXPECT_EQ(p.stat("spad.conflict_cycles"), 3u);
}

// A target's bound on its untold completions lets the DMA take a told completion as its next
// free slot without waiting for the kernel to reach it: the same cycles as waiting.
TEST(MemoryInterface, ABoundOnUntoldCompletionsChangesNoCycle) {
    struct Outcome {
        uint64_t issued, sram_done, complete, full_cycles, conflict_cycles;
        std::vector<uint64_t> told, requested_at;
    };
    auto run = [](AheadTarget::Bound bound, bool store) {
        Platform p(3);
        AheadTarget target("target", {40, 10, 25, 5, 60}, 20, bound);
        p.map->add_region("far", 0, 1 << 20, target);
        model::Dma::Result r;
        uint64_t complete = 0;
        Driver d("driver", [&] {
            r = store ? p.dma->store(transfer(12 * 64), 0) : p.dma->load(transfer(12 * 64), 0);
            complete = r.complete.wait_known();
        });
        simulate();
        return Outcome{r.issued,
                       r.sram_done,
                       complete,
                       p.stat("dma.outstanding_full_cycles"),
                       p.stat("spad.conflict_cycles"),
                       target.told,
                       target.requested_at};
    };
    for (const bool store : {false, true}) {
        SCOPED_TRACE(store ? "store" : "load");
        const Outcome waiting = run(AheadTarget::Bound::kNone, store);
        const Outcome bounded = run(AheadTarget::Bound::kTrue, store);
        EXPECT_EQ(bounded.issued, waiting.issued);
        EXPECT_EQ(bounded.sram_done, waiting.sram_done);
        EXPECT_EQ(bounded.complete, waiting.complete);
        EXPECT_EQ(bounded.full_cycles, waiting.full_cycles);
        EXPECT_EQ(bounded.conflict_cycles, waiting.conflict_cycles);
        EXPECT_EQ(bounded.told, waiting.told);
        EXPECT_GT(waiting.full_cycles, 0u);  // the slots did fill up
        // The bound was used: the DMA made some requests at other kernel times (it took a slot
        // without waiting, then waited in advance_to only for what the target had pending).
        EXPECT_EQ(bounded.requested_at.size(), 12u);
        EXPECT_NE(bounded.requested_at, waiting.requested_at);
    }
}

// A target whose bound is false (a completion told after the DMA relied on it comes earlier) is
// a model error, not a silent timing change.
TEST(MemoryInterface, ACompletionBeforeTheTargetsBoundIsAModelError) {
    NPUSIM_SKIP_IF_ASAN_THROWS_IN_A_PROCESS();
    Platform p(2);
    AheadTarget target("target", {12, 10}, 0, AheadTarget::Bound::kFalse);
    p.map->add_region("far", 0, 1 << 20, target);
    Driver d("driver", [&] { (void)p.dma->load(transfer(192), 0); });
    // burst 0: issue 10, done 22; burst 1: issue 11, done 21 (each told at its cycle). Burst 2
    // asks at 12: both slots taken, none told: it waits. Burst 1 told at 21 -> SRAM [21, 25);
    // burst 0 (done 22) is untold, but the false bound lets the known 25 free the slot. Burst 0
    // told at 22 < 25: the error (the true bound, 22, would have made the DMA wait).
    try {
        simulate();
        FAIL() << "expected a ModelError";
    } catch (const ModelError& e) {
        EXPECT_STREQ(e.what(),
                     "internal model error in dma at cycle 22: a completion at cycle 22 came "
                     "before the target's bound on untold completions (cycle 25)");
    }
}

TEST(MemoryInterface, AddressMapRoutesByRegionAndRejectsUnmappedRequests) {
    NPUSIM_SKIP_IF_ASAN_THROWS_IN_A_PROCESS();
    Platform p(4);
    model::SimpleDram dram("dram", 16.0, 1, 20, 64, p.image, p.stats.group("dram"));
    DeferredTarget window("window", {1});
    p.map->add_region("dram", 0, 4096, dram);
    p.map->add_region("window", 1 << 20, 4096, window);
    EXPECT_THROW(p.map->add_region("overlap", 4000, 100, dram), ModelError);
    Driver d("driver", [&] {
        isa::Transfer x = transfer(128);
        x.dram_addr = (1 << 20) + 256;  // the window, 256 bytes in
        (void)p.dma->load(x, 0);
        x.dram_addr = 4096 - 64;  // the last DRAM burst, then past the end of every region
        (void)p.dma->load(x, 0);
    });
    // The first transfer: bursts issued at 10 and 11 (the driver's process is at 11 when it
    // returns), told at 11 and 12. The second: its channel is free at 12, + 10 setup: the DRAM
    // burst at 22 (the process waits until 22: the window target has work pending at 12), the
    // unmapped one at 23, issued without waiting (nothing else pending): the error says 22.
    try {
        simulate();
        FAIL() << "expected a ModelError";
    } catch (const ModelError& e) {
        EXPECT_STREQ(e.what(),
                     "internal model error in map at cycle 22: no target holds [0x1000, 0x1040); "
                     "the address map is:\n"
                     "  [0x0, 0x1000) dram\n"
                     "  [0x100000, 0x101000) window\n");
    }
    // The window saw addresses relative to its base; the DRAM its one burst.
    EXPECT_EQ(window.told, (std::vector<uint64_t>{256, 320}));
    EXPECT_EQ(p.stat("dram.reads"), 1u);
}

}  // namespace
}  // namespace npu

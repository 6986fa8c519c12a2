// The banked DRAM's per-request statistics (models/mem/dram/banked_dram_target.h, "Stats"): the
// adapter sums them per layer in plain counters and adds them to the Stat objects when the DRAM
// falls idle and in finish(). Requests of two layers interleaved, reads and writes, timing-only
// and functional, issued out of arrival order: every layer gets exactly the counts of its own
// requests, computed independently from the model's completions (a second dram::BankedDram fed
// the logged request stream), whether read while the simulation still runs (the DRAM idle), after
// it, or after finish() (which adds nothing twice).
#include <gtest/gtest.h>

#include <map>
#include <string>
#include <systemc>
#include <vector>

#include "models/mem/dram/banked_dram.h"
#include "models/mem/dram/banked_dram_target.h"
#include "models/mem/memory_image.h"
#include "models/process.h"
#include "sim/config/config_loader.h"
#include "sim/stats/component_stats.h"
#include "tests/models/driver.h"

namespace npu {
namespace {

using model::MemRequest;

struct Recorder : model::MemInitiatorIf {
    void complete(MemRequest& r, uint64_t cycle) override { told[&r] = cycle; }
    std::map<const MemRequest*, uint64_t> told;
};

// The per-request statistics of each layer, read from the group or computed.
struct Counts {
    std::map<std::string, std::vector<uint64_t>> by_stat;
    bool operator==(const Counts& o) const { return by_stat == o.by_stat; }
};

const std::vector<std::string> kPerRequest = {
    "reads",      "writes",        "bytes_read",        "bytes_written",      "row_hits",
    "row_misses", "row_conflicts", "read_queue_cycles", "write_queue_cycles", "latency_cycles"};
constexpr size_t kLayers = 2;

Counts read_counts(const stats::StatGroup& dram) {
    Counts c;
    for (const std::string& name : kPerRequest) {
        const stats::Stat* s = dram.find(name);
        EXPECT_NE(s, nullptr) << name;
        for (size_t l = 0; l < kLayers; ++l) c.by_stat[name].push_back(s ? s->at(l) : 0);
    }
    return c;
}

std::ostream& operator<<(std::ostream& os, const Counts& c) {
    for (const auto& [name, v] : c.by_stat) os << name << " " << v[0] << " " << v[1] << "; ";
    return os;
}

TEST(BankedDramStats, PerRequestCountsReachTheirLayersWhenTheDramFallsIdle) {
    model::KernelContext ctx;
    const cfg::HwConfig hw =
        cfg::load_hw(std::string("edge_npu"), {"dram.model=banked", "dram.preset=ddr4_3200"});
    stats::StatGroup root("", kLayers);
    stats::StatGroup& group = root.group("dram");
    model::MemoryImage image;
    image.map(0, 1 << 22);
    model::BankedDramTarget dram("dram", hw, image, group);
    std::vector<model::BankedDramTarget::Logged> log;
    dram.set_log(&log);
    Recorder rec;

    // Bursts of 64 and 128 bytes (one and two DRAM bursts), layers alternating in runs of 1 to
    // 3, every third a write whose earliest cycle lies 20 cycles ahead (a store's scratchpad
    // read: the loads issued after it arrive before it), every fifth functional.
    constexpr size_t kRequests = 400;
    std::vector<MemRequest> req(kRequests);
    std::vector<std::vector<uint8_t>> data(kRequests);
    for (size_t i = 0; i < kRequests; ++i) {
        MemRequest& r = req[i];
        r.bytes = i % 7 == 3 ? 128 : 64;
        r.addr = (i * 64 * 37) % (1 << 21) + (i % 11 == 0 ? (1 << 21) : 0);
        r.write = i % 3 == 2;
        r.layer = static_cast<uint32_t>((i / (1 + i % 3)) % kLayers);
        r.initiator = &rec;
        if (i % 5 == 0) {
            data[i].assign(r.bytes, static_cast<uint8_t>(i));
            r.data = data[i].data();
        }
    }
    Counts idle;
    test_support::Driver d("driver", [&] {
        uint64_t cycle = 0;
        for (size_t i = 0; i < kRequests; ++i) {
            if (i % 4 == 0) model::wait_until(cycle += 3);
            req[i].earliest = cycle + (req[i].write ? 20 : 0);
            (void)dram.request(req[i]);
        }
        // Long after the last completion: the DRAM is idle, its counts added.
        model::wait_until(cycle + 100000);
        ASSERT_EQ(rec.told.size(), kRequests);
        idle = read_counts(group);
    });
    sc_core::sc_start();
    model::rethrow_process_error();

    // The expected counts: the logged stream (the order and arrival cycles the model got) into a
    // fresh model, its completions summed by their request's layer.
    ASSERT_EQ(log.size(), kRequests);
    dram::BankedDram model(hw.dram);
    for (const auto& l : log) model.enqueue(l.request);
    std::vector<dram::Completion> done;
    while (model.outstanding() > 0) model.advance(*model.next_event(), done);
    ASSERT_EQ(done.size(), kRequests);
    // The addresses are distinct: a logged request's address names its MemRequest.
    std::map<uint64_t, const MemRequest*> by_addr;
    for (const MemRequest& r : req) by_addr[r.addr] = &r;
    ASSERT_EQ(by_addr.size(), kRequests);
    Counts want;
    for (const std::string& name : kPerRequest) want.by_stat[name].assign(kLayers, 0);
    auto add = [&](const std::string& name, uint32_t layer, uint64_t v) {
        want.by_stat[name][layer] += v;
    };
    for (const dram::Completion& c : done) {
        const MemRequest& r = *by_addr.at(log.at(c.id).request.addr);
        add(r.write ? "writes" : "reads", r.layer, 1);
        add(r.write ? "bytes_written" : "bytes_read", r.layer, r.bytes);
        add("row_hits", r.layer, c.row_hits);
        add("row_misses", r.layer, c.row_misses);
        add("row_conflicts", r.layer, c.row_conflicts);
        add(r.write ? "write_queue_cycles" : "read_queue_cycles", r.layer, c.queue_cycles);
        const uint64_t told = rec.told.at(&r);
        EXPECT_EQ(told, dram.clocks().to_npu(c.cycle));
        add("latency_cycles", r.layer, told - r.earliest);
    }
    // Both layers saw reads and writes, with queueing.
    for (size_t l = 0; l < kLayers; ++l) {
        EXPECT_GT(want.by_stat["reads"][l], 0u);
        EXPECT_GT(want.by_stat["writes"][l], 0u);
        EXPECT_GT(want.by_stat["read_queue_cycles"][l], 0u);
    }
    EXPECT_EQ(idle, want);
    EXPECT_EQ(read_counts(group), want);
    static_cast<model::DramTarget&>(dram).finish(model::now_cycles());
    EXPECT_EQ(read_counts(group), want);  // nothing added twice
}

// Every statistic of the "dram" group per layer (the per-request ones and the channels'), and
// the cycle each request was told, for the request stream above run with or without the log.
// The log makes the adapter look at every request on the way in and out (BankedDramTarget's
// m_fast_layer and m_dma_only are off); without it, step() notices a layer change and tell()
// the initiator with one comparison each.
struct StreamResult {
    std::map<std::string, std::vector<uint64_t>> stats;
    std::vector<uint64_t> told;
    bool operator==(const StreamResult& o) const { return stats == o.stats && told == o.told; }
};

StreamResult run_layer_stream(bool logged) {
    model::KernelContext ctx;
    const cfg::HwConfig hw =
        cfg::load_hw(std::string("edge_npu"), {"dram.model=banked", "dram.preset=ddr4_3200"});
    constexpr size_t kStreamLayers = 3;
    stats::StatGroup root("", kStreamLayers);
    stats::StatGroup& group = root.group("dram");
    model::MemoryImage image;
    image.map(0, 1 << 22);
    model::BankedDramTarget dram("dram", hw, image, group);
    std::vector<model::BankedDramTarget::Logged> log;
    if (logged) dram.set_log(&log);
    Recorder rec;
    // Layers 0, 1, 2 in runs of 1 to 4 and back again (0 after 1 and 2: a request may return to
    // a layer seen before), rows far apart so that the layers' bursts open and close rows.
    constexpr size_t kRequests = 600;
    std::vector<MemRequest> req(kRequests);
    for (size_t i = 0; i < kRequests; ++i) {
        MemRequest& r = req[i];
        r.bytes = 64;
        r.addr = (i * 64 * 101) % (1 << 22);
        r.write = i % 4 == 3;
        const size_t run = i / 4;
        r.layer = static_cast<uint32_t>((run * 7 + run / 3) % kStreamLayers);
        r.initiator = &rec;
    }
    test_support::Driver d("driver", [&] {
        uint64_t cycle = 0;
        for (size_t i = 0; i < kRequests; ++i) {
            if (i % 3 == 0) model::wait_until(cycle += 4);
            req[i].earliest = cycle + (req[i].write ? 16 : 0);
            (void)dram.request(req[i]);
        }
        model::wait_until(cycle + 100000);
    });
    sc_core::sc_start();
    model::rethrow_process_error();
    static_cast<model::DramTarget&>(dram).finish(model::now_cycles());
    StreamResult out;
    for (const char* name :
         {"reads", "writes", "bytes_read", "bytes_written", "row_hits", "row_misses",
          "row_conflicts", "read_queue_cycles", "write_queue_cycles", "latency_cycles", "activates",
          "precharges", "refreshes", "refresh_cycles", "active_rank_cycles",
          "precharged_rank_cycles", "read_bursts", "write_bursts"}) {
        const stats::Stat* s = group.find(name);
        EXPECT_NE(s, nullptr) << name;
        for (size_t l = 0; l < kStreamLayers; ++l) out.stats[name].push_back(s ? s->at(l) : 0);
    }
    for (const MemRequest& r : req) out.told.push_back(rec.told.at(&r));
    return out;
}

TEST(BankedDramStats, LayerChangesCountTheSameWithAndWithoutTheLog) {
    const StreamResult plain = run_layer_stream(false);
    const StreamResult logged = run_layer_stream(true);
    // Every layer saw the channels work (the stream really goes back and forth).
    for (size_t l = 0; l < 3; ++l) {
        EXPECT_GT(logged.stats.at("read_bursts")[l], 0u) << l;
        EXPECT_GT(logged.stats.at("activates")[l], 0u) << l;
        EXPECT_GT(logged.stats.at("active_rank_cycles")[l], 0u) << l;
    }
    EXPECT_EQ(plain.stats, logged.stats);
    EXPECT_TRUE(plain == logged);
}

}  // namespace
}  // namespace npu

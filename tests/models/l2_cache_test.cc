// The shared L2 (models/mem/l2_cache.h): its tag decisions (hit, miss, victim, dirty victim)
// equal a plain LRU reference cache written from the definition on thousands of random streams;
// its completion cycles equal a cycle-by-cycle reference of its timing contract (bank ports as
// sets of busy cycles, a busy-until DRAM) on random request streams over random geometries;
// exact cycles of hand-derived cases over the simple DRAM (a cold miss, a hit, two same-bank
// hits serialising while another bank runs in parallel, a merged miss, a write-back delaying the
// next fill); the same cycles when the DRAM tells its completions later (the banked DRAM's way);
// whole-line write misses fetch nothing.
#include "models/mem/l2_cache.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <list>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <systemc>
#include <vector>

#include "models/mem/memory_image.h"
#include "models/mem/simple_dram.h"
#include "models/process.h"
#include "sim/stats/component_stats.h"
#include "tests/models/driver.h"

namespace npu {
namespace {

using model::L2Cache;
using model::L2Tags;
using model::MemRequest;

// The reference: an LRU cache straight from the definition. A set is a list of (line, dirty),
// most recently used first; a hit moves the line to the front; a miss puts it in front after
// dropping the back when the set is full. Line i is in bank i mod banks, set (i / banks) mod sets.
class ReferenceCache {
  public:
    ReferenceCache(uint64_t sets, size_t ways, uint64_t banks)
        : m_sets(sets), m_ways(ways), m_banks(banks) {}
    struct Result {
        bool hit = false, evicted = false, victim_dirty = false;
        uint64_t victim = 0;
    };
    Result access(uint64_t line, bool write) {
        std::list<std::pair<uint64_t, bool>>& set =
            m_set[(line % m_banks) * m_sets + (line / m_banks) % m_sets];
        Result r;
        for (auto it = set.begin(); it != set.end(); ++it) {
            if (it->first != line) continue;
            r.hit = true;
            const bool dirty = it->second || write;
            set.erase(it);
            set.emplace_front(line, dirty);
            return r;
        }
        if (set.size() == m_ways) {
            r.evicted = true;
            r.victim = set.back().first;
            r.victim_dirty = set.back().second;
            set.pop_back();
        }
        set.emplace_front(line, write);
        return r;
    }

  private:
    uint64_t m_sets;
    size_t m_ways;
    uint64_t m_banks;
    std::map<uint64_t, std::list<std::pair<uint64_t, bool>>> m_set;
};

TEST(L2Tags, DecisionsEqualAReferenceLruCacheOnRandomStreams) {
    std::mt19937_64 rng(20261207);
    const uint64_t set_choices[] = {1, 2, 3, 4, 8};
    const int way_choices[] = {1, 2, 4, 8, 16};
    const int bank_choices[] = {1, 2, 4, 8};
    uint64_t hits = 0, evictions = 0, dirty = 0;
    for (int stream = 0; stream < 3000; ++stream) {
        const uint64_t sets = set_choices[rng() % 5];
        const int ways = way_choices[rng() % 5];
        const int banks = bank_choices[rng() % 4];
        const uint64_t lines = sets * uint64_t(ways) * uint64_t(banks);
        // Addresses over 1 to 4 times the capacity, some streams with a hot region.
        const uint64_t span = lines * (1 + rng() % 4);
        const bool hot = rng() % 2 == 0;
        L2Tags tags(sets, ways, banks);
        ReferenceCache ref(sets, size_t(ways), uint64_t(banks));
        for (int k = 0; k < 400; ++k) {
            uint64_t line = rng() % span;
            if (hot && rng() % 3 == 0) line = rng() % std::max<uint64_t>(1, lines / 2);
            const bool write = rng() % 4 == 0;
            const L2Tags::Access a = tags.access(line, write);
            const ReferenceCache::Result r = ref.access(line, write);
            ASSERT_EQ(a.hit, r.hit) << "stream " << stream << " access " << k;
            ASSERT_EQ(a.evicted, r.evicted) << "stream " << stream << " access " << k;
            ASSERT_EQ(a.way->line, line);
            ASSERT_EQ(a.way->dirty, tags.find(line)->dirty);
            if (r.evicted) {
                ASSERT_EQ(a.victim.line, r.victim) << "stream " << stream << " access " << k;
                ASSERT_EQ(a.victim.dirty, r.victim_dirty) << "stream " << stream << " access " << k;
                ASSERT_EQ(tags.find(r.victim), nullptr);
            }
            hits += r.hit;
            evictions += r.evicted;
            dirty += r.victim_dirty;
        }
    }
    // The streams exercise every decision.
    EXPECT_GT(hits, 100000u);
    EXPECT_GT(evictions, 100000u);
    EXPECT_GT(dirty, 10000u);
}

// An initiator that records the completions told later.
struct Recorder : model::MemInitiatorIf {
    std::map<const MemRequest*, uint64_t> told;
    void complete(MemRequest& r, uint64_t cycle) override { told[&r] = cycle; }
};

// A DRAM like the simple one (one channel, `bytes_per_cycle`, `latency`) that tells every
// completion later, from a method at its cycle (as the banked DRAM does).
class DeferredDram : public model::DramTarget {
  public:
    SC_HAS_PROCESS(DeferredDram);
    DeferredDram(sc_core::sc_module_name name, uint64_t bytes_per_cycle, uint64_t latency,
                 model::MemoryImage& image, stats::StatGroup& stats)
        : DramTarget(name, image, stats), m_bpc(bytes_per_cycle), m_latency(latency) {
        SC_METHOD(run);
        sensitive << m_wake;
        dont_initialize();
    }
    uint64_t request(MemRequest& r) override {
        take(r);
        const uint64_t start = std::max(r.earliest, m_free);
        m_free = start + (r.bytes + m_bpc - 1) / m_bpc;
        m_due.emplace(m_free + m_latency, &r);
        m_wake.notify(model::cycles_to_time(m_due.begin()->first - model::now_cycles()));
        return kLater;
    }
    [[nodiscard]] uint64_t untold_from() const override {
        return m_due.empty() ? UINT64_MAX : m_due.begin()->first;
    }

  private:
    void run() {
        model::guarded([this] {
            const uint64_t now = model::now_cycles();
            while (!m_due.empty() && m_due.begin()->first <= now) {
                const auto [cycle, r] = *m_due.begin();
                m_due.erase(m_due.begin());
                r->initiator->complete(*r, cycle);
            }
            if (!m_due.empty()) m_wake.notify(model::cycles_to_time(m_due.begin()->first - now));
        });
    }
    uint64_t m_bpc, m_latency, m_free = 0;
    std::multimap<uint64_t, MemRequest*> m_due;
    sc_core::sc_event m_wake;
};

// 512 bytes: 64-byte lines, 2 ways, 2 banks of 32 bytes per cycle, 2 sets per bank; hit latency
// 5. Line i: bank i mod 2, set (i / 2) mod 2.
cfg::L2Config small_l2() {
    cfg::L2Config c;
    c.size_bytes = 512;
    c.line_bytes = 64;
    c.ways = 2;
    c.banks = 2;
    c.bank_width_bytes = 32;
    c.hit_latency_cycles = 5;
    return c;
}

MemRequest req(uint64_t addr, uint32_t bytes, bool write, uint64_t earliest,
               model::MemInitiatorIf* who = nullptr) {
    MemRequest r;
    r.addr = addr;
    r.bytes = bytes;
    r.write = write;
    r.earliest = earliest;
    r.initiator = who;
    return r;
}

struct SimplePlatform {
    model::KernelContext ctx;
    stats::StatGroup stats{"", 1};
    model::MemoryImage image;
    // DRAM: 16 B/cycle (a 64-byte line: 4 cycles), latency 100, one channel.
    model::SimpleDram dram{"dram", 16.0, 1, 100, 64, image, stats.group("dram")};
    L2Cache l2{"l2", small_l2(), 64, dram, stats.group("l2"), 1};
    uint64_t stat(const char* path) const { return stats.find(path)->total(); }
};

TEST(L2Cache, ColdMissHitAndSameBankHitsSerialise) {
    SimplePlatform p;
    MemRequest a = req(0, 64, false, 10);
    // Cold miss of line 0 at 10: the DRAM moves the line [10, 14), +100 latency -> 114; the line
    // is written into bank 0 [114, 116); the request's 64 bytes move [116, 118); + 5 -> 123.
    EXPECT_EQ(p.l2.request(a), 123u);
    MemRequest b = req(0, 64, false, 200);
    // A hit at 200: bank 0 [200, 202) + 5.
    EXPECT_EQ(p.l2.request(b), 207u);
    // Line 2 (bank 0) and line 1 (bank 1) filled, then at 300: line 0 and line 2 hit in bank 0
    // one after the other, line 1 in bank 1 beside them.
    MemRequest f2 = req(128, 64, false, 150), f1 = req(64, 64, false, 150);
    (void)p.l2.request(f2);
    (void)p.l2.request(f1);
    MemRequest h0 = req(0, 64, false, 300), h2 = req(128, 64, false, 300),
               h1 = req(64, 64, false, 300);
    EXPECT_EQ(p.l2.request(h0), 307u);  // bank 0 [300, 302) + 5
    EXPECT_EQ(p.l2.request(h2), 309u);  // bank 0 busy: [302, 304) + 5
    EXPECT_EQ(p.l2.request(h1), 307u);  // bank 1 [300, 302) + 5
    // Half a line: one port cycle, [400, 401) + 5.
    MemRequest half = req(32, 32, false, 400);
    EXPECT_EQ(p.l2.request(half), 406u);
    EXPECT_EQ(p.stat("l2.misses"), 3u);
    EXPECT_EQ(p.stat("l2.hits"), 5u);
    EXPECT_EQ(p.stat("l2.conflict_cycles"), 2u);  // h2 waited [300, 302)
    EXPECT_EQ(p.stat("dram.bytes_read"), 3u * 64);
    EXPECT_EQ(p.stat("l2.fill_bytes"), 3u * 64);
    EXPECT_EQ(p.stat("l2.bytes_read"), 7u * 64 + 32);
}

TEST(L2Cache, AMissInFlightMergesWithTheNextRequestToItsLine) {
    SimplePlatform p;
    // Line 6 (bank 0): fill at 0 -> [0, 4) + 100 = 104, into the bank [104, 106), served
    // [106, 108) + 5 = 113. The second request at 1 finds the line (a hit waiting for the fill):
    // bank 0 from 106, busy -> [108, 110) + 5 = 115. One fill only.
    MemRequest a = req(6 * 64, 64, false, 0), b = req(6 * 64, 64, false, 1);
    EXPECT_EQ(p.l2.request(a), 113u);
    EXPECT_EQ(p.l2.request(b), 115u);
    EXPECT_EQ(p.stat("l2.misses"), 1u);
    EXPECT_EQ(p.stat("l2.hits"), 1u);
    EXPECT_EQ(p.stat("l2.fill_waits"), 1u);
    EXPECT_EQ(p.stat("dram.reads"), 1u);
}

TEST(L2Cache, ADirtyVictimIsWrittenBackAndDelaysTheNextFill) {
    SimplePlatform p;
    // Lines 0, 4, 8 share bank 0 set 0 (2 ways).
    // Write of all of line 0 at 0: a miss with nothing to fetch, bank 0 [0, 2) + 5 = 7; dirty.
    MemRequest w = req(0, 64, true, 0);
    EXPECT_EQ(p.l2.request(w), 7u);
    EXPECT_EQ(p.stat("dram.reads"), 0u);
    // Line 4 at 10: fill [10, 14) + 100 = 114, bank [114, 116), served [116, 118) + 5 = 123.
    MemRequest r4 = req(4 * 64, 64, false, 10);
    EXPECT_EQ(p.l2.request(r4), 123u);
    // Line 8 at 20 evicts line 0 (least recently used, dirty): read out of bank 0 [20, 22), then
    // written to the DRAM [22, 26). The fill of line 8 finds the channel busy until 26:
    // [26, 30) + 100 = 130, bank [130, 132), served [132, 134) + 5 = 139 (without the write-back
    // it would be 20 + 4 + 100 + 2 + 2 + 5 = 133).
    MemRequest r8 = req(8 * 64, 64, false, 20);
    EXPECT_EQ(p.l2.request(r8), 139u);
    EXPECT_EQ(p.stat("l2.writebacks"), 1u);
    EXPECT_EQ(p.stat("l2.evictions"), 1u);
    EXPECT_EQ(p.stat("l2.writeback_bytes"), 64u);
    EXPECT_EQ(p.stat("dram.bytes_written"), 64u);
    EXPECT_EQ(p.stat("dram.channel0.busy_cycles"), 12u);  // two fills and the write-back
    // A partial write miss fetches its line first: line 12 (bank 0, set 0) at 200 evicts line 4
    // (clean): fill [200, 204) + 100 = 304, bank [304, 306), the 16 bytes [306, 307) + 5 = 312.
    MemRequest pw = req(12 * 64 + 16, 16, true, 200);
    EXPECT_EQ(p.l2.request(pw), 312u);
    EXPECT_EQ(p.stat("l2.writebacks"), 1u);
    p.l2.finish();
    EXPECT_EQ(p.stat("l2.dirty_lines_at_end"), 1u);  // line 12
}

// The L2's timing written out plainly from its contract, cycle by cycle: the tags as the
// reference cache's lists (with each line's ready cycle), each bank port a set of busy cycles
// searched one cycle at a time, the DRAM one busy-until channel (the simple DRAM with one channel:
// start = max(earliest, free), free = start + ceil(bytes / 16), done = free + latency).
class ReferenceL2 {
  public:
    ReferenceL2(const cfg::L2Config& c, uint32_t atom, uint64_t latency)
        : m_c(c),
          m_atom(std::min<uint32_t>(atom, uint32_t(c.line_bytes))),
          m_latency(latency),
          m_busy(size_t(c.banks)) {}
    // The request's completion cycle.
    uint64_t request(uint64_t addr, uint32_t bytes, bool write, uint64_t e) {
        const uint64_t line_bytes = uint64_t(m_c.line_bytes);
        uint64_t done = 0;
        for (uint64_t line = addr / line_bytes; line * line_bytes < addr + bytes; ++line) {
            const uint64_t lo = std::max(addr, line * line_bytes);
            const uint64_t hi = std::min(addr + bytes, (line + 1) * line_bytes);
            const size_t bank = size_t(line % uint64_t(m_c.banks));
            std::list<Entry>& set =
                m_sets[bank * 1000000 + (line / uint64_t(m_c.banks)) % m_c.sets_per_bank()];
            auto it = std::find_if(set.begin(), set.end(),
                                   [line](const Entry& x) { return x.line == line; });
            uint64_t from = 0;
            if (it != set.end()) {  // a hit: from when the line is there
                Entry hit = *it;
                set.erase(it);
                hit.dirty = hit.dirty || write;
                set.push_front(hit);
                from = std::max(e, hit.ready);
            } else {
                if (set.size() == size_t(m_c.ways)) {  // the least recently used goes
                    const Entry victim = set.back();
                    set.pop_back();
                    if (victim.dirty) {
                        const uint64_t read = fit(bank, std::max(e, victim.ready), line_bytes);
                        for (uint64_t off = 0; off < line_bytes; off += m_atom) {
                            (void)dram(m_atom, read);
                        }
                    }
                }
                Entry fresh{line, write, e};
                if (!(write && hi - lo == line_bytes)) {  // fetch the line
                    uint64_t arrived = 0;
                    for (uint64_t off = 0; off < line_bytes; off += m_atom) {
                        arrived = std::max(arrived, dram(m_atom, e));
                    }
                    fresh.ready = fit(bank, arrived, line_bytes);
                }
                set.push_front(fresh);
                from = fresh.ready;
            }
            done = std::max(done, fit(bank, from, hi - lo) + uint64_t(m_c.hit_latency_cycles));
        }
        return done;
    }

  private:
    struct Entry {
        uint64_t line;
        bool dirty;
        uint64_t ready;
    };
    // The first t >= from with `bytes`' port cycles free, taken; returns the cycle after them.
    uint64_t fit(size_t bank, uint64_t from, uint64_t bytes) {
        const uint64_t w = uint64_t(m_c.bank_width_bytes);
        const uint64_t n = std::max<uint64_t>(1, (bytes + w - 1) / w);
        std::set<uint64_t>& busy = m_busy[bank];
        uint64_t t = from;
        for (;;) {
            uint64_t k = 0;
            while (k < n && busy.count(t + k) == 0) ++k;
            if (k == n) break;
            ++t;
        }
        for (uint64_t k = 0; k < n; ++k) busy.insert(t + k);
        return t + n;
    }
    uint64_t dram(uint64_t bytes, uint64_t e) {
        const uint64_t start = std::max(e, m_free);
        m_free = start + (bytes + 15) / 16;
        return m_free + m_latency;
    }
    cfg::L2Config m_c;
    uint64_t m_atom, m_latency, m_free = 0;
    std::vector<std::set<uint64_t>> m_busy;
    std::map<uint64_t, std::list<Entry>> m_sets;
};

// Random request streams (reads and writes of 16 to 128 bytes within a 128-byte burst, earliest
// cycles jittered so they come out of order, as several cores' do) over random geometries: every
// completion equals the reference's, and so do the DRAM's traffic and the write-backs.
TEST(L2Cache, CompletionsEqualACycleByCycleReferenceOnRandomStreams) {
    std::mt19937_64 rng(7);
    uint64_t compared = 0, writebacks = 0, conflicts = 0;
    for (int stream = 0; stream < 60; ++stream) {
        cfg::L2Config c;
        c.line_bytes = 32 << (rng() % 3);  // 32, 64, 128
        c.ways = 1 << (rng() % 3);
        c.banks = 1 << (rng() % 3);
        c.bank_width_bytes = 8 << (rng() % 3);
        c.hit_latency_cycles = int(rng() % 6);
        c.size_bytes =
            uint64_t(c.line_bytes) * uint64_t(c.ways) * uint64_t(c.banks) * (1 + rng() % 4);
        model::KernelContext ctx;
        stats::StatGroup stats("", 1);
        model::MemoryImage image;
        model::SimpleDram dram("dram", 16.0, 1, 30, 64, image, stats.group("dram"));
        L2Cache l2("l2", c, 64, dram, stats.group("l2"), 1);
        ReferenceL2 ref(c, 64, 30);
        uint64_t base = 0;
        for (int k = 0; k < 300; ++k) {
            base += rng() % 12;
            const uint64_t burst = (rng() % 40) * 128;
            const uint32_t off = uint32_t(rng() % 8) * 16;
            const uint32_t bytes = std::min<uint32_t>(16 * uint32_t(1 + rng() % 8), 128 - off);
            const bool write = rng() % 3 == 0;
            const uint64_t e = base + rng() % 40;
            MemRequest r = req(burst + off, bytes, write, e);
            ASSERT_EQ(l2.request(r), ref.request(burst + off, bytes, write, e))
                << "stream " << stream << " request " << k;
            ++compared;
        }
        writebacks += stats.find("l2.writebacks")->total();
        conflicts += stats.find("l2.conflict_cycles")->total();
    }
    EXPECT_EQ(compared, 60u * 300u);
    EXPECT_GT(writebacks, 1000u);  // the streams evict dirty lines
    EXPECT_GT(conflicts, 1000u);   // and contend for bank ports
}

TEST(L2Cache, FillsToldLaterGiveTheSameCycles) {
    model::KernelContext ctx;
    stats::StatGroup stats("", 1);
    model::MemoryImage image;
    DeferredDram dram("dram", 16, 100, image, stats.group("dram"));
    L2Cache l2("l2", small_l2(), 64, dram, stats.group("l2"), 1);
    Recorder rec;
    // The cases of the two tests above, every request sent at cycle 0.
    MemRequest a = req(0, 64, false, 10, &rec), b = req(0, 64, false, 11, &rec),
               c = req(64 + 32, 32, true, 12, &rec), d = req(0, 64, false, 500, &rec);
    uint64_t ra = 0, rb = 0, rc = 0, rd = 0;
    test_support::Driver drv("driver", [&] {
        ra = l2.request(a);
        rb = l2.request(b);
        rc = l2.request(c);
        rd = l2.request(d);
        EXPECT_EQ(l2.untold_from(), 114u);  // the first fill's completion
    });
    sc_core::sc_start();
    model::rethrow_process_error();
    for (uint64_t r : {ra, rb, rc, rd}) EXPECT_EQ(r, model::MemTargetIf::kLater);
    // a: fill [10, 14) + 100 = 114, bank 0 [114, 116), [116, 118) + 5 = 123.
    EXPECT_EQ(rec.told.at(&a), 123u);
    // b merges: bank 0 [118, 120) + 5 = 125.
    EXPECT_EQ(rec.told.at(&b), 125u);
    // c: line 1 (bank 1), partial write: fill [14, 18) + 100 = 118, bank 1 [118, 120), its 32
    // bytes [120, 121) + 5 = 126.
    EXPECT_EQ(rec.told.at(&c), 126u);
    // d waits for line 0's fill but asks for 500: [500, 502) + 5.
    EXPECT_EQ(rec.told.at(&d), 507u);
    EXPECT_EQ(l2.untold_from(), UINT64_MAX);
    EXPECT_EQ(stats.find("l2.fill_waits")->total(), 2u);
    EXPECT_EQ(stats.find("dram.reads")->total(), 2u);
}

}  // namespace
}  // namespace npu

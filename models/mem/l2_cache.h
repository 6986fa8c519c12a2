// The shared on-chip L2 (`l2.size` > 0): a hardware-managed cache (a system-level cache) between
// the cores' DMAs (through the arbiter, or the one core's address map) and the DRAM target.
//
// Timing tags only: the data stays in the memory image. A request's bytes move there when the L2
// takes it (DramTarget::debug_access, as the DRAM itself would move them), so a run's outputs are
// the same with or without an L2 by construction; the L2 only changes when requests complete and
// what traffic the DRAM sees (line fills and write-backs, timing only, no data).
//
// What is modelled:
//  - geometry: l2.size bytes in lines of l2.line bytes, l2.ways ways, l2.banks banks. Line i
//    (address / line) lives in bank i mod banks, set (i / banks) mod sets, sets = size / (line *
//    ways * banks). Write-back, write-allocate, LRU replacement (an invalid way first).
//  - tags are looked up and updated when a request arrives, in the order requests arrive (the
//    kernel's process order, as the arbiter grants them): a request's lines in address order.
//  - each bank has one port (a calendar of reserved cycles, models/mem/port_calendar.h): moving
//    b bytes holds it ceil(b / l2.bank_width) cycles from the first free gap at or after the
//    cycle the data can move. Requests to different banks proceed in parallel; to one bank they
//    serialise.
//  - a hit: the request's bytes of the line move through the bank port from the cycle the line's
//    data is there (its earliest cycle, or its fill's end), and complete l2.hit_latency after.
//  - a miss sends a fill of the whole line to the DRAM target at the request's earliest cycle
//    (the L2 is an initiator there; the line in requests of at most dma.burst bytes, the DRAM's
//    access atom, all at that cycle); when the fill completes (f) the line is written into its
//    bank (line / bank_width cycles from the first gap at or after f), then the request is served
//    as a hit. A write miss that covers the whole line allocates it with no fill.
//  - misses in flight merge (MSHR): the line is allocated when its miss arrives, so a later
//    request to it finds it (a hit) and waits for the fill in flight (counted as fill_waits).
//  - an evicted dirty line is written back: read out of its bank (line / bank_width cycles from
//    the first gap at or after the evicting request's earliest cycle and the line's own fill) and
//    written to the DRAM from there. The write-back does not delay the fill (a victim buffer);
//    its completion is not waited for.
//  - dirty lines at the end of the run stay in the L2: they are not written back, their bytes are
//    not counted as DRAM traffic (the data is in the memory image anyway); dirty_lines_at_end
//    counts them (to the layer that last wrote each).
// Not modelled: critical-word-first forwarding (a miss is served after its whole line is in the
// bank), bounded MSHRs or write-back buffers, a tag-lookup delay before a miss goes to the DRAM
// (it is in hit_latency), a request interconnect latency, coherence (the cores share one L2 and
// have no caches of their own), replacement policies other than LRU, power gating. A line
// evicted while its fill is in flight (the DRAM tells completions later) still serves the
// requests that waited for it; a new miss to it sends a second fill.
// Timing contract (memory interface, models/mem/mem_if.h): a request whose lines' fills are all
// known at once (the simple DRAM, and every hit) returns its completion cycle: the latest of its
// lines'. One waiting for a fill the DRAM tells later (the banked DRAM) returns kLater and is told
// (MemInitiatorIf::complete) from the DRAM's process when its last fill completes, at a kernel
// time at or before its completion. untold_from(): the DRAM's while any request waits, else none
// pending. route() answers the L2 itself (it sees every request).
// Limiters: a request's, fill's or write-back's wait for its bank port is noted as
// Limiter::kBankConflict (to the log of the core whose request it serves, set_limiters); the DRAM
// notes its own waits for the fills (the log is passed on when the DRAM notes as it takes).
// Stats (group "l2"), per layer (the layer of the request that caused it):
//   hits, misses              lines of requests found / not found (a request counts each of its
//                             lines); fill_waits: hits on a line whose fill was still in flight;
//   bytes_read, bytes_written the requests' bytes served;
//   fill_bytes, writeback_bytes  bytes written into the banks from the DRAM / read out of them
//                             for write-backs; writebacks: dirty lines written back;
//   evictions                 valid lines replaced (clean or dirty);
//   conflict_cycles           cycles requests, fills and write-backs waited for a bank port;
//   dirty_lines_at_end        dirty lines left at the end of the run (finish());
//   bank<i>.busy_cycles       port cycles reserved on bank i;
//   core<c>.hits, core<c>.misses  per core, when there are several (MemRequest::core).
#pragma once

#include <cstdint>
#include <deque>
#include <systemc>
#include <vector>

#include "models/mem/mem_if.h"
#include "models/mem/port_calendar.h"
#include "sim/config/hw_config.h"
#include "sim/stats/component_stats.h"
#include "sim/stats/limiters.h"

namespace npu::model {

// The L2's tag array: which lines are present, LRU order, dirty bits. Plain C++ (tests compare
// its decisions with a reference cache).
class L2Tags {
  public:
    struct Way {
        uint64_t line = 0;      // line index (address / line bytes)
        uint64_t last_use = 0;  // LRU stamp (larger: used later)
        uint64_t ready = 0;     // the cycle the line's data is in its bank (when fill < 0)
        int32_t fill = -1;      // the fill in flight the DRAM tells later (L2Cache's), or -1
        uint32_t layer = 0;     // the layer that last wrote it
        bool valid = false;
        bool dirty = false;
    };
    struct Access {
        Way* way = nullptr;  // the line's way after the access
        bool hit = false;
        bool evicted = false;  // a valid line was replaced (victim: its state before)
        Way victim;
    };
    L2Tags(uint64_t sets_per_bank, int ways, int banks);
    // Looks line `line` up and makes it the most recently used; a miss allocates it (replacing
    // the least recently used way of its set, an invalid one first). A write marks it dirty.
    Access access(uint64_t line, bool write);
    // The way holding `line`, or nullptr; no LRU update.
    [[nodiscard]] Way* find(uint64_t line);
    [[nodiscard]] size_t bank_of(uint64_t line) const { return line % m_banks; }
    [[nodiscard]] const std::vector<Way>& ways() const { return m_ways; }

  private:
    [[nodiscard]] size_t set_base(uint64_t line) const {
        return (bank_of(line) * m_sets + (line / m_banks) % m_sets) * m_assoc;
    }
    uint64_t m_sets;
    size_t m_assoc;
    uint64_t m_banks;
    uint64_t m_clock = 0;
    std::vector<Way> m_ways;  // set s's ways at [s * ways, (s + 1) * ways)
};

class L2Cache : public MemTargetIf, public MemInitiatorIf, public sc_core::sc_module {
  public:
    // `dram_atom`: the largest DRAM request (dma.burst: the DRAM's interleave); `cores`: per-core
    // stats when > 1.
    L2Cache(sc_core::sc_module_name name, const cfg::L2Config& cfg, uint32_t dram_atom,
            DramTarget& dram, stats::StatGroup& stats, int cores);

    [[nodiscard]] uint64_t request(MemRequest& r) override;
    [[nodiscard]] uint64_t untold_from() const override;
    void debug_access(uint64_t addr, uint8_t* buf, uint32_t len, bool write) override {
        m_dram.debug_access(addr, buf, len, write);
    }
    // The DRAM's completion of a fill or a write-back.
    void complete(MemRequest& r, uint64_t cycle) override;
    // Where the L2 notes its bank waits; with `pass_on` (set_pass_limiters) also the DRAM's log.
    void set_limiters(stats::LimiterLog* log) override;
    // Whether set_limiters() hands the log to the DRAM too (a DRAM that notes its waits as it
    // takes a request, or one core; the default).
    void set_pass_limiters(bool on) { m_pass_limiters = on; }
    // The run ended: counts the dirty lines left (dirty_lines_at_end).
    void finish();
    [[nodiscard]] const L2Tags& tags() const { return m_tags; }

  private:
    // A request to the DRAM (a fill's part or a write-back's).
    struct Outgoing : MemRequest {
        int32_t fill = -1;  // the fill it belongs to; -1: a write-back
    };
    // A request that waits for fills the DRAM tells later.
    struct Pending {
        MemRequest* request = nullptr;
        stats::LimiterLog* limiters = nullptr;
        uint32_t left = 0;  // its lines still waiting
        uint64_t done = 0;  // the latest completion of its lines so far
    };
    struct Waiter {
        int32_t pending;
        uint32_t bytes;
        uint64_t earliest;  // the request's
    };
    // A fill in flight that the DRAM tells later.
    struct Fill {
        uint64_t line = 0;
        uint32_t layer = 0;
        uint32_t outstanding = 0;  // DRAM requests not told yet
        uint64_t arrived = 0;      // the latest completion told so far
        bool write_back = false;   // the line was evicted dirty before its fill came
        std::vector<Waiter> waiters;
    };

    // Reserves `bytes` on `bank`'s port from `from`; returns the cycle after the transfer.
    uint64_t occupy(size_t bank, uint32_t bytes, uint64_t from, uint32_t layer,
                    stats::LimiterLog* log);
    // Starts the fill of `line` at `earliest`: the cycle its data is in the bank, or UINT64_MAX
    // when the DRAM tells later (then way.fill names the Fill).
    uint64_t start_fill(uint64_t line, uint64_t earliest, uint32_t layer, uint16_t core,
                        L2Tags::Way& way);
    // The line is in its bank at `ready`: serves the fill's waiters and its write-back.
    void fill_arrived(int32_t id, uint64_t ready);
    // Writes dirty line `line` back: read out from `from`, then written to the DRAM.
    void write_back(uint64_t line, uint64_t from, uint32_t layer, uint16_t core,
                    stats::LimiterLog* log);
    // Sends `bytes` at `addr` to the DRAM in atoms; returns the latest completion, or kLater if
    // any is told later (those count to `fill`).
    uint64_t to_dram(uint64_t addr, uint32_t bytes, bool write, uint64_t earliest, uint32_t layer,
                     uint16_t core, int32_t fill);
    Outgoing& new_outgoing();
    void release(Outgoing& o) { m_free_out.push_back(&o); }

    cfg::L2Config m_cfg;
    uint32_t m_line;
    uint32_t m_atom;
    DramTarget& m_dram;
    L2Tags m_tags;
    std::vector<PortCalendar> m_banks;
    std::vector<uint64_t> m_since_prune;
    stats::LimiterLog* m_limiters = nullptr;
    bool m_pass_limiters = true;
    std::deque<Outgoing> m_out;
    std::vector<Outgoing*> m_free_out;
    std::vector<Fill> m_fills;
    std::vector<int32_t> m_free_fills;
    std::vector<Pending> m_pending;
    std::vector<int32_t> m_free_pending;
    size_t m_waiting = 0;  // requests answered kLater, not told yet
    stats::Stat& m_hits;
    stats::Stat& m_misses;
    stats::Stat& m_fill_waits;
    stats::Stat& m_bytes_read;
    stats::Stat& m_bytes_written;
    stats::Stat& m_fill_bytes;
    stats::Stat& m_writeback_bytes;
    stats::Stat& m_writebacks;
    stats::Stat& m_evictions;
    stats::Stat& m_conflict_cycles;
    stats::Stat& m_dirty_at_end;
    std::vector<stats::Stat*> m_bank_busy;
    std::vector<stats::Stat*> m_core_hits;  // several cores only
    std::vector<stats::Stat*> m_core_misses;
};

}  // namespace npu::model

// The DMA engine of a core: moves 2D transfers (rows x row_bytes with strides) between the
// scratchpad and an address of the platform's map (DRAM, or a scratchpad's on-chip window), as
// an initiator with outstanding requests on the memory interface (models/mem/mem_if.h): its
// `memory` port is bound to the platform's address map.
//
// Timing contract: a descriptor takes the DMA channel free earliest (dma.channels, shared by the
// load and store engines); after dma.setup_cycles the channel issues one burst per cycle, at most
// dma.outstanding bursts in flight (a burst is in flight from its issue until its completion: a
// load's bytes written into the scratchpad, a store's write acknowledged). Bursts never cross a
// dma.burst-aligned address; rows contiguous on both sides form one run. The far range of a
// descriptor is decoded once (MemTargetIf::route) and its bursts go straight to that target.
//  - load burst: a read request to the map at its issue cycle; when the target completes it
//    (cycle `ready`), the bytes are written into the scratchpad's bank ports from `ready`.
//  - store burst: the scratchpad's bank ports are read from the issue cycle (until `read`), then
//    a write request to the map with earliest cycle `read`.
// The calling engine's thread issues the bursts: it is advanced to each issue cycle only when
// another process has something to do before it (advance_to), so bursts of concurrent transfers
// interleave in time exactly as if it waited, at no cost when nothing else happens. Between two
// bursts the kernel is asked again for its next activity only when its answer may have changed
// (a wait, or a notification such as the banked DRAM's wake-up; Advancer in models/process.h):
// the same answers and the same kernel state as asking before every burst.
// A target may complete a request when it arrives (the burst's completion is known at issue) or
// later (MemInitiatorIf::complete): then the DMA waits for completions whenever its
// outstanding slots are full (unless the earliest told one comes no later than the target's
// bound on those not told yet, MemTargetIf::untold_from: then that one frees the slot, as it
// would after waiting), writes a load's bytes into the scratchpad when the completion
// comes, and reports the descriptor's completion as a DoneCycle that becomes known with its last
// burst. Completions may come in any order.
// The synchronous loop (await_completion; Dma::use_sync_loop(false) turns it off): such a wait
// (until the earliest known completion, the timeout, or a told one) takes its timeout's ticket as
// the kernel's wait would, then looks at the kernel's next activity (the Advancer's answer, kept
// between two looks while it cannot have changed: models/process.h). When the target's own wake-up
// (MemTargetIf::pending_wake: it serves this DMA alone) is next, no other thread waits for what
// it tells (ToldEvent::waiters), and every other activity is in a later cycle, the wake-up runs
// here (MemTargetIf::run_wake) instead of the kernel switching to the target's process and back:
// if it told a completion, the wait ends at its cycle, where the kernel's own wait would have
// ended in the next delta cycle; if not, the wait goes on. When the timeout is next and every
// other activity is in a later cycle, the wait ends at the timeout's cycle with no switch (as
// advance_to does). Either way the thread then runs ahead of the kernel's time in a cycle no
// other process acts in, as a burst issued through advance_to does. Otherwise the kernel waits.
// While the thread issues a descriptor burst by burst (between its waits) it opens a hold window
// (models/process.h, "Held wake-ups"): the target's wake-up requested meanwhile takes its ticket
// but enters the kernel's queue only when the thread waits, so one the loop runs itself never
// costs the kernel an insert, a cancel and a removal, and the loop needs no second query of the
// kernel after taking it back.
// Equal in every cycle and statistic to the kernel's own waits, with and without holding (the
// same-cycle order of models/process.h; tests/models/dma_descriptor_path_test.cc, DmaSyncLoop).
// Functional runs: the targets move the bytes when they take the request; the engines'
// dependency tokens make sure nobody reads them before their timed arrival.
// Direct path to the banked DRAM (timing-only runs whose far side is BankedDramTarget,
// issue_to_banked): the burst-by-burst path's requests, reservations and waits in the same order,
// with the target called directly (BankedDramTarget::request_timing, inline: no virtual call) and
// advance_to asked only when its answer may differ from the last one: the burst's cycle reached
// the kernel's next activity as last asked (Advancer::advance_to_until), the held wake-up's cycle
// (read per burst: a request may move it earlier), or a notification was counted or a slot wait
// ran since (the kernel's answer may have changed); otherwise advance_to would return at once.
// The target tells this DMA's completions with no virtual call either (complete_told), and a
// full channel reads its bound on untold completions (untold_from) with none. Equal to
// the burst-by-burst path in cycles, every statistic and every layer's limiter cycles
// (tests/models/dma_descriptor_path_test.cc, DmaBankedPath); use_descriptor_path(false) turns it
// off.
// Descriptor path (timing-only runs whose far side is the simple DRAM): the same reservations in
// the same order, with the per-burst work hoisted out of the loop: the kernel is asked for its
// next pending activity once (a burst issuing before it needs no advance_to; after a wait it is
// asked again), the scratchpad's old reservations are forgotten once per wait, the DRAM is called
// directly (no virtual call, no request object) and counts the descriptor's bursts and bytes
// once. A row's whole bursts within one scratchpad bank form a run (issue_run) when every
// completion in flight is known, and so do rows of one burst each (every row at the same offset
// in a burst: the same length) within one bank on one DRAM channel: after one search of the
// bank's calendar at the run's first earliest cycle finds no gap that fits a burst before some
// port's last reservation (PortCalendar::free_beyond_tails), each burst takes the first port with
// the least max(earliest, its last reservation's end), with no search, as long as the bursts'
// earliest cycles do not go back (checked; loads over several DRAM channels may) and no other
// process ran (after a wait the bank is searched again); when such a gap exists, each burst
// reserves the bank's first fit (PortCalendar::reserve, what reserve_burst does) until the next
// wait. The DRAM channel's busy-until cycle is updated in place, and the statistics (slot waits,
// DRAM busy cycles, bank cycles, conflicts, bytes) are added once per run. Within a run, loads over
// one DRAM channel onto one bank port that holds a burst no longer than the DRAM channel (bank
// cycles b <= DRAM cycles c) take their steady state in closed form (steady_loads): when every slot
// is full, the k-th earliest completion in flight h_k frees burst k's slot (each at least 2 cycles
// after the one before, so every burst waits and the slot-full intervals join), the channel (busy
// until f) is still busy when each issues (h_k <= f + (k-1)c, h_0 < f: the DRAM waits join), the
// bank is free from the first landing and the new completions come after every one in flight, the
// next m bursts (up to the horizon and the slots in flight) issue at h_k, start on the channel at
// f + kc, land at e_k = f + (k+1)c + latency and complete at e_k + b: the channel becomes busy
// until f + mc, the bank gets the series [e_k, e_k + b) (one interval when b = c), the completions
// the series e_0 + b + kc, the limiters one slot-full interval [t, h_(m-1) + 1) and one DRAM-wait
// interval [h_0, f + (m-1)c), all in O(1) but the m completions and bank intervals written.
// Limiters depend only on the union of each layer's intervals per cause (sim/stats/limiters.h),
// which these keep. Everything else goes burst by burst. Not a closed form in general: the bursts
// stop at every other process's next activity (which may reserve the same banks). Equal to the
// burst-by-burst path in cycles, every statistic and every layer's limiter cycles
// (tests/models/dma_descriptor_path_test.cc on random descriptor streams, with and without the
// closed form); use_descriptor_path(false) turns it off, use_closed_form(false) the closed
// form.
// Stats (group "npu.dma"): descriptors, bursts, bytes (moved), outstanding_full_cycles (cycles a
// channel's next burst waited because dma.outstanding bursts were in flight). The scratchpad and
// the targets count their own accesses.
#pragma once

#include <algorithm>
#include <cstdint>
#include <deque>
#include <memory>
#include <systemc>
#include <vector>

#include "models/engines/completions.h"
#include "models/engines/done_cycle.h"
#include "models/mem/banked_sram.h"
#include "models/mem/mem_if.h"
#include "models/mem/simple_dram.h"
#include "models/process.h"
#include "sim/config/hw_config.h"
#include "sim/isa/isa.h"
#include "sim/stats/component_stats.h"
#include "sim/stats/limiters.h"
#include "sim/stats/stats.h"

namespace npu::model {

class BankedDramTarget;

class Dma : public sc_core::sc_module, public MemInitiatorIf {
  public:
    sc_core::sc_port<MemTargetIf> memory;  // the platform's address map

    // `functional`: pass the scratchpad's bytes with each request (else timing only).
    Dma(sc_core::sc_module_name name, const cfg::DmaConfig& cfg, BankedSram& spad, bool functional,
        stats::StatGroup& stats);

    struct Result {
        uint64_t issued = 0;     // the cycle after the last burst left the channel's issue stage
        uint64_t sram_done = 0;  // a store's last scratchpad read has finished
        DoneCycle complete;      // the last burst has completed
    };
    // Runs in the calling engine's thread: waits for a free channel, issues every burst and
    // returns (the caller then waits until `issued`). `far` side: the transfer's dram_addr, an
    // address of the map; `layer`: the instruction's layer, for every statistic counted.
    Result load(const isa::Transfer& x, uint32_t layer);   // far -> scratchpad
    Result store(const isa::Transfer& x, uint32_t layer);  // scratchpad -> far

    // complete() with no virtual call, inline: the banked DRAM tells the DMA's completions this
    // way (BankedDramTarget::tell). `r` must be one of this DMA's requests.
    __attribute__((always_inline)) void complete_told(MemRequest& r, uint64_t cycle);

    // Reads `len` bytes at `addr` of the map, with no timing (debug access).
    void peek(uint64_t addr, uint8_t* dst, uint32_t len);

    // Where the DMA notes its slot-full waits, transfers' last bursts in flight and issue cycles
    // (sim/stats/limiters.h); nullptr: nowhere.
    void set_limiters(stats::LimiterLog* log) { m_limiters = log; }

    // The DMA fields of the run's counters (dma_descriptors) of `layer`.
    void add_counters(size_t layer, stats::Counters& c) const;

    // Whether timing-only transfers to the simple DRAM take the descriptor path, and those to
    // the banked DRAM its direct path (issue_to_banked; the default).
    void use_descriptor_path(bool on) { m_descriptor_path = on; }
    // Bursts the banked DRAM's direct path issued, over every DMA so far (tests).
    [[nodiscard]] static uint64_t banked_path_bursts() { return s_banked_bursts; }
    // Whether the burst-by-burst path keeps the kernel's answer on its next pending activity
    // between bursts while it cannot have changed (Advancer, models/process.h; the default) or
    // asks before every burst.
    void keep_kernel_answers(bool on) { m_advance.keep_answers(on); }
    // Bursts the descriptor path issued in runs (issue_run), for tests.
    [[nodiscard]] uint64_t run_bursts() const { return m_run_bursts; }
    [[nodiscard]] uint64_t steady_bursts() const { return m_steady_bursts; }
    // Of those, bursts of runs across rows of one burst each.
    [[nodiscard]] uint64_t row_run_bursts() const { return m_row_run_bursts; }
    // Of those, bursts that searched the bank's calendar.
    [[nodiscard]] uint64_t searched_bursts() const { return m_searched_bursts; }
    // Whether runs take their steady state in closed form (the default; tests compare).
    void use_closed_form(bool on) { m_closed_form = on; }
    // Whether the DMAs made from now on take the synchronous loop in their slot waits (the
    // default; tests compare).
    static void use_sync_loop(bool on) { s_sync_loop = on; }
    // Target wake-ups the synchronous loop ran in a DMA's thread, and waits it ended at their own
    // timeout with no context switch, over every DMA so far (tests).
    [[nodiscard]] static uint64_t sync_wakes() { return s_sync_wakes; }
    [[nodiscard]] static uint64_t sync_timeouts() { return s_sync_timeouts; }

  private:
    struct Channel {
        uint64_t next_issue = 0;
        bool busy = false;  // a descriptor is being issued on it
        // Completion cycles of the bursts in flight whose completion is known (earliest on top),
        // and how many more are in flight with a completion not told yet.
        Completions in_flight;
        uint32_t pending = 0;
        // The target of the bursts whose completion is untold (nullptr: several), and the
        // latest known completion taken as the earliest while some were untold (every
        // completion told later must come at or after it).
        MemTargetIf* untold = nullptr;
        uint64_t relied = 0;
    };
    // A descriptor with a burst whose completion comes later: its DoneCycle's state, and what
    // the limiter note of its last bursts in flight needs once the last completion is told.
    struct Deferred : PendingDone {
        uint64_t issued = 0;  // the cycle after its last burst left the issue stage
        uint32_t layer = 0;
    };
    // One burst's request, pooled: a request whose completion comes later keeps its slot
    // until then.
    struct Burst : MemRequest {
        Channel* ch = nullptr;
        Deferred* desc = nullptr;
        uint32_t sram = 0;
        Burst* next_free = nullptr;  // the free list's next, while free
    };

    Result run(const isa::Transfer& x, bool to_sram, uint32_t layer);
    // The bursts of `x` on the descriptor path (see above), from issue cycle `t` on `ch`: returns
    // the cycle after the last issue; raises `complete` and r.sram_done; counts `bursts`.
    uint64_t issue_to_simple_dram(const isa::Transfer& x, bool to_sram, uint32_t layer, Channel& ch,
                                  uint64_t t, SimpleDram& dram, uint64_t offset, uint64_t& complete,
                                  Result& r, uint64_t& bursts);
    // The bursts of `x` to the banked DRAM in a timing-only run (the direct path, see the
    // header), from issue cycle `t` on `ch`: returns the cycle after the last issue; raises
    // r.sram_done; makes `later` at the first burst; counts `bursts`.
    uint64_t issue_to_banked(const isa::Transfer& x, bool to_sram, uint32_t layer, Channel& ch,
                             uint64_t t, BankedDramTarget& dram, uint64_t offset, Deferred*& later,
                             Result& r, uint64_t& bursts);
    // A run of equal bursts within one scratchpad bank on the descriptor path: whole bursts of
    // one row, or (one DRAM channel) rows of one burst each, one after the other.
    struct Run {
        bool to_sram;
        uint32_t layer;
        uint64_t bank;         // the scratchpad bank
        uint64_t far;          // the first burst's DRAM address (burst-aligned)
        uint64_t bursts;       // at most
        uint64_t horizon;      // the kernel's next pending activity (kept up to date)
        uint64_t dram_cycles;  // a burst's cycles on its DRAM channel
        uint64_t bytes;        // each burst's length (a whole burst, or a row of one burst)
        uint32_t spad_addr;    // the transfer's scratchpad range (forget_past after a wait)
        uint64_t spad_span;
    };
    // The loads of a run in their steady state in closed form (see the header): up to `most`
    // bursts from `t`, when the slots, the DRAM channel and the bank are as it needs; returns
    // how many (0: none), having done what issue_run does for each.
    uint64_t steady_loads(const Run& run, Completions& in_flight, uint64_t& t, SimpleDram& dram,
                          PortCalendar& cal, uint64_t most, uint64_t bank_cycles, uint64_t& full,
                          uint64_t& complete, uint64_t& last_earliest);
    // Issues the first bursts of `run` while they need no search (see the header): from the
    // cycle `t` on, moved past them; returns how many (0: the caller issues the next itself).
    uint64_t issue_run(Run& run, Channel& ch, uint64_t& t, SimpleDram& dram, uint64_t& complete,
                       Result& r);
    // The cycle >= t at which `ch` has a free slot among dma.outstanding (may wait for
    // completions a target has not told yet). The common case inline, the rest in slot_wait.
    uint64_t acquire_slot(Channel& ch, uint64_t t, uint32_t layer) {
        return acquire_slot(ch, t, layer, [](const MemTargetIf& m) { return m.untold_from(); });
    }
    // acquire_slot() asking `untold_from(target)` for a target's MemTargetIf::untold_from (the
    // direct path: no virtual call for the banked DRAM).
    template <typename UntoldFrom>
    uint64_t acquire_slot(Channel& ch, uint64_t t, uint32_t layer, UntoldFrom&& untold_from) {
        while (!ch.in_flight.empty() && ch.in_flight.top() <= t) ch.in_flight.pop();
        if (ch.in_flight.size() + ch.pending < m_outstanding) return t;
        if (ch.pending > 0) {
            // The earliest known completion frees the slot if no untold one can come before it
            // (slot_wait's first look, inline: the common case with a target that tells ahead).
            if (ch.in_flight.empty() || ch.untold == nullptr ||
                ch.in_flight.top() > untold_from(*ch.untold)) {
                return slot_wait(ch, t, layer);
            }
            ch.relied = std::max(ch.relied, ch.in_flight.top());
        }
        // Every completion is known (or none untold comes first): the earliest frees the slot.
        const uint64_t free = std::max(t, ch.in_flight.top());
        ch.in_flight.pop();
        m_full_cycles.add(layer, free - t);
        note_slots_full(layer, t, free);
        return free;
    }
    // Some completions are still to be told: waits for them (the deferred path).
    uint64_t slot_wait(Channel& ch, uint64_t t, uint32_t layer);
    uint64_t m_slot_waits = 0;  // slot_wait calls (the direct path asks the kernel again after)
    // One wait of slot_wait: until the earliest known completion of `ch` (none: no timeout) or a
    // told one, whichever comes first; raises `t` to the cycle it ends. Synchronous where it can
    // be (see the header).
    void await_completion(Channel& ch, uint64_t& t);
    // Whether to forget the scratchpad's past reservations before this burst: every
    // kForgetEvery bursts (forgetting only saves memory and search: no request reaches back
    // before the current cycle, so when it happens changes no result).
    bool forget_now() { return (++m_since_forget % kForgetEvery) == 0; }
    static constexpr uint64_t kForgetEvery = 64;
    // Burst `b` of `ch`, sent to `target`, is told later: it joins the descriptor's deferred
    // state (`later`, made at its first such burst) and the channel's untold ones.
    __attribute__((always_inline)) void defer(Burst& b, Channel& ch, MemTargetIf* target,
                                              Deferred*& later) {
        if (later == nullptr) later = &m_pending_done.emplace_back();
        b.desc = later;
        ++later->pending;
        if (ch.pending++ == 0) {
            ch.untold = target;
        } else if (ch.untold != target) {
            ch.untold = nullptr;
        }
    }
    // A free request slot (stays on the free list until a request keeps it: keep_burst).
    Burst& free_burst();
    void keep_burst() { m_free_bursts = m_free_bursts->next_free; }
    // A target tells a completion decided after the request.
    void complete(MemRequest& r, uint64_t cycle) override;
    // complete()'s error: a completion before the bound the DMA relied on (kept out of line).
    [[noreturn, gnu::cold, gnu::noinline]] void early_completion(uint64_t cycle,
                                                                 uint64_t relied) const;
    // Notes a burst's wait for a slot, asked at `t`, issued at `free`: every slot holds a burst in
    // flight over [t, free] (at `free` one frees and this burst takes it), so a stream that waits
    // for a slot before every burst is one interval, not one per burst.
    void note_slots_full(uint32_t layer, uint64_t t, uint64_t free) {
        if (m_limiters != nullptr && free > t) {
            m_limiters->add(layer, stats::Limiter::kDmaLatency, t, free + 1);
        }
    }
    // Notes a deferred descriptor's last bursts in flight, [issued, its completion), once known.
    void note_deferred_latency(const Deferred& d) {
        if (m_limiters != nullptr && d.known()) {
            m_limiters->add(d.layer, stats::Limiter::kDmaLatency, d.issued, d.cycle);
        }
    }

    cfg::DmaConfig m_cfg;
    size_t m_outstanding;
    BankedSram& m_spad;
    bool m_functional;
    bool m_descriptor_path = true;
    // The last far-side target run() looked at, and it as the simple DRAM (nullptr: another).
    MemTargetIf* m_cast_target = nullptr;
    SimpleDram* m_cast_simple = nullptr;
    BankedDramTarget* m_cast_banked = nullptr;  // ... and as the banked DRAM
    uint64_t m_since_forget = 0;                // bursts since (see forget_now)
    uint64_t m_run_bursts = 0;                  // bursts issued by issue_run
    uint64_t m_steady_bursts = 0;               // of those, by steady_loads
    uint64_t m_row_run_bursts = 0;              // of those, across rows
    uint64_t m_searched_bursts = 0;             // of those, searching the bank
    bool m_closed_form = true;
    Advancer m_advance;  // the burst-by-burst path's advance_to
    std::vector<Channel> m_channels;
    sc_core::sc_semaphore m_free_channels;
    std::vector<std::unique_ptr<Burst>> m_bursts;  // the pool
    Burst* m_free_bursts = nullptr;                // the free list (last freed first)
    std::deque<Deferred> m_pending_done;           // descriptors with a burst completed later
    ToldEvent m_told;                              // a target told a completion
    // The synchronous loop (see slot_wait): on; a target's wake-up runs in this thread now (its
    // completions are told to it without m_told); one told something to it.
    static inline bool s_sync_loop = true;
    static inline uint64_t s_sync_wakes = 0;
    static inline uint64_t s_sync_timeouts = 0;
    static inline uint64_t s_banked_bursts = 0;
    bool m_sync_loop = s_sync_loop;
    bool m_in_wake = false;
    bool m_told_in_wake = false;
    uint64_t m_told_stamp = UINT64_MAX;  // the kernel's change stamp when m_told was notified
    stats::Stat& m_descriptors;
    stats::Stat& m_burst_count;
    stats::Stat& m_bytes;
    stats::Stat& m_full_cycles;
    stats::LimiterLog* m_limiters = nullptr;
};

inline void Dma::complete_told(MemRequest& r, uint64_t cycle) {
    auto& b = static_cast<Burst&>(r);
    if (__builtin_expect(cycle < b.ch->relied, 0)) {
        early_completion(cycle, b.ch->relied);
    }
    // A load's bytes go into the scratchpad from the cycle they arrive.
    uint64_t done = cycle;
    if (!b.write) {
        if (forget_now()) m_spad.forget_past(b.sram, b.bytes);
        done = m_spad.reserve_burst(b.sram, b.bytes, cycle, BankedSram::Dir::kWrite, b.layer);
    }
    b.ch->in_flight.push(done);
    --b.ch->pending;
    b.desc->cycle = std::max(b.desc->cycle, done);
    --b.desc->pending;
    note_deferred_latency(*b.desc);
    b.next_free = m_free_bursts;
    m_free_bursts = &b;
    if (m_in_wake) {  // a wake-up run in this thread (await_completion): no one else waits
        m_told_in_wake = true;
        return;
    }
    // One notification per evaluation phase: until the kernel delivers the first (after the
    // phase, which bumps the change stamp), another one would change nothing.
    const uint64_t stamp = sc_core::sc_get_curr_simcontext()->change_stamp();
    if (stamp != m_told_stamp) {
        notify_after(m_told.event, 0);
        m_told_stamp = stamp;
    }
}

}  // namespace npu::model

// The banked DRAM (`dram.model: banked`): channels of ChannelController behind an address map,
// with an event-driven API a SystemC target adapter drives without a per-cycle process. Plain
// C++, no SystemC.
//
// What it models: a request of any size is split into the bursts (access atoms of
// bus_width / 8 * burst_length bytes) it touches; a burst that is only partly requested still
// moves whole (a masked write, a discarded read tail); each burst goes to the channel, rank, bank
// group, bank, row and column the address map gives (dram.mapping); the channels are independent
// (channel_controller.h says what one models). A request completes when its last burst's data
// does. What it does not model: the data itself (no storage; the NPU keeps its DRAM image), and
// the interconnect in front of the controller.
//
// Contract (all cycles are memory-clock cycles, dram.clock; ClockDomains converts):
//  - enqueue(): requests arrive in nondecreasing arrival_cycle, each >= now(). A request is
//    registered in its arrival cycle and can be scheduled from the next.
//  - advance(t): runs cycles now()+1 .. t and appends to `done` every request completed at or
//    before t not reported yet, each exactly once, ordered by completion cycle then arrival
//    order. now() becomes t.
//  - next_event(): the first cycle > now() at which a command issues or a request completes if
//    nothing else arrives, or nullopt when no request is outstanding. Refresh while idle needs no
//    wake-up: advance() catches up with it exactly.
//  - Deterministic: the same calls give the same commands and completions.
// Cost: O(queue depth) per command and O(1) per completion when requests complete about in
// order; no per-cycle work and no allocation per request once the internal buffers have grown.
// A burst's rank, bank and row are decoded again only when their address bits change; a request
// of one burst is staged with no loop; the bursts of a request that differ only in their column
// (the column field lies right above the byte-in-burst bits, as in DDR3's RoBaRaCoBgCh with one
// channel, and the request stays within one run of it) have every other field decoded once and
// their column counted up (tests/unit/banked_dram_run_test.cc: the same commands as the bursts
// enqueued one by one).
//
// Stats: per channel (ChannelStats), and per request in its Completion (bursts and their row
// hits, misses and conflicts) so an adapter can attribute them to layers.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "models/mem/dram/address_map.h"
#include "models/mem/dram/channel_controller.h"
#include "models/mem/dram/dram_types.h"
#include "sim/config/dram_config.h"

namespace npu::dram {

class BankedDram {
  public:
    // The config passed validation (npu::cfg::validate).
    explicit BankedDram(const cfg::DramConfig& config);
    // Its channels hand their bursts to it (ChannelController::set_owner): not copied or moved.
    BankedDram(const BankedDram&) = delete;
    BankedDram& operator=(const BankedDram&) = delete;

    void enqueue(const Request& request);
    // enqueue() from the request's fields (the adapter's path: no Request built on the way).
    void enqueue(uint64_t id, uint64_t addr, uint64_t bytes, bool is_write, uint64_t arrival_cycle);
    [[nodiscard]] std::optional<uint64_t> next_event() const;
    void advance(uint64_t cycle, std::vector<Completion>& done);
    // Appends every request whose last burst's column command has issued (its completion cycle
    // is known, possibly after now()) and not reported yet, ordered by completion cycle then
    // arrival order; advance() will not report them again. Lets an adapter tell completions
    // ahead of their cycle.
    void take_known(std::vector<Completion>& done);
    // advance() that reports nothing: the completions it would report stay for take_known().
    void advance(uint64_t cycle);
    // take_known() handing each completion to `tell(const Completion&)` in the same order,
    // straight from its slot (no copy into a vector). `tell` must not call enqueue().
    template <typename Tell>
    void tell_known(Tell&& tell);
    // The fewest cycles from a column command to its burst's data: min(tCL, tCWL) + tBURST
    // (a read's data takes tCL + tBURST, a write's tCWL + tBURST).
    [[nodiscard]] uint64_t min_data_delay() const { return m_min_data_delay; }
    // The first cycle a request whose completion is not known yet (take_known) can complete, if
    // nothing arrives: each channel's next event plus the data delay of the bursts it holds
    // (tCL + tBURST when it holds only reads); nullopt when no such request is outstanding.
    [[nodiscard]] std::optional<uint64_t> next_unknown_completion() const;
    [[nodiscard]] uint64_t now() const { return m_now; }
    [[nodiscard]] uint64_t outstanding() const { return m_outstanding; }

    [[nodiscard]] const AddressMap& address_map() const { return m_map; }
    // The burst at `addr` as its channel's controller sees it.
    struct Routed {
        uint32_t channel = 0;
        Atom atom;
    };
    [[nodiscard]] Routed route(uint64_t addr, bool is_write, uint64_t arrival, uint32_t tag) const;
    [[nodiscard]] int channels() const { return static_cast<int>(m_channels.size()); }
    [[nodiscard]] ChannelStats channel_stats(int channel) const;
    [[nodiscard]] ChannelStats total_stats() const;
    // The channels' ChannelController::streaming_scans() summed (tests).
    [[nodiscard]] uint64_t streaming_scans() const;
    // The channels' ChannelController::streamed_commands() summed (tests).
    [[nodiscard]] uint64_t streamed_commands() const;
    // Records channel `channel`'s commands into `trace` (tests); nullptr stops.
    void set_trace(int channel, std::vector<CommandRecord>* trace);

  private:
    friend class ChannelController;
    static constexpr uint32_t kNoSlot = UINT32_MAX;
    struct Slot {
        Completion completion;
        uint32_t remaining = 0;        // bursts not issued yet
        uint32_t next_free = kNoSlot;  // the free list's next slot, while free
        uint64_t order = 0;            // arrival order, for ties
    };
    // A request whose every burst has issued. Equal cycles are ordered by the slots' arrival
    // order (rare: one channel issues one column command per cycle, so only a read and a write,
    // or two channels, can finish in the same cycle).
    struct Ready {
        uint64_t cycle;
        uint64_t slot;
    };
    [[nodiscard]] bool before(const Ready& a, const Ready& b) const {
        return a.cycle != b.cycle ? a.cycle < b.cycle
                                  : m_slots[a.slot].order < m_slots[b.slot].order;
    }
    [[noreturn]] void contract_error(uint64_t id, uint64_t bytes, uint64_t arrival) const;
    // A burst of the request in slot d.tag had its column command (ChannelController::report,
    // as it issues): the request's completion so far, and the ready list when it was the last.
    void burst_done(const ChannelController::Done& d);
    // Puts a request whose last burst has issued into the ready list, in (cycle, arrival order).
    void make_ready(uint64_t cycle, uint32_t slot);
    void insert_ready(uint64_t cycle, uint32_t slot);
    // Stages the burst at `addr` (any address inside it) of the request in `slot` into its
    // channel: stage_column_run() of one burst.
    void stage_burst(uint64_t addr, bool is_write, uint64_t arrival, uint32_t slot);
    // Stages `bursts` bursts from the one at `a` (any address inside it) of the request in
    // `slot`, when they differ only in their column (enqueue(): m_column_run_mask).
    void stage_column_run(uint64_t a, uint64_t bursts, bool is_write, uint64_t arrival,
                          uint32_t slot);
    // Decodes the cached fields (m_rank, m_bank, m_row) of the burst at `addr`.
    void decode_upper(uint64_t addr);
    // Fills a burst's place fields (all but arrival and is_write) from its decoded address.
    void place(Atom& a, const DramAddress& d, uint32_t tag) const;
    // Reports the first ready request and forgets it.
    void report_first(std::vector<Completion>& done);
    // The first ready request's slot, taken off the ready list (the caller reads its completion,
    // then release()s the slot).
    uint32_t pop_first();
    void release(uint32_t slot) {
        m_slots[slot].next_free = m_free_slot;
        m_free_slot = slot;
        --m_outstanding;
    }

    cfg::DramConfig m_config;
    AddressMap m_map;
    std::vector<ChannelController> m_channels;
    uint32_t m_banks_per_group;
    // The burst-index bits above the column field when it lies right above the byte-in-burst
    // bits (the mapping's lowest field of at least one bit), else every bit: two bursts whose
    // indices agree in these bits (and so does every one between) differ only in their column.
    uint64_t m_column_run_mask;
    // The last burst's rank, bank within its group and row, and the address bits they come from
    // (m_upper_bits) as that burst had them (m_upper_key): bursts of a stream share them until
    // the row changes, so enqueue() decodes them again only when those bits differ.
    uint64_t m_upper_bits;
    uint64_t m_upper_key;  // before the first burst: bits outside m_upper_bits (never equal)
    uint32_t m_rank = 0;
    uint32_t m_bank = 0;
    uint32_t m_row = 0;
    uint64_t m_read_delay;      // tCL + tBURST
    uint64_t m_min_data_delay;  // min(tCL, tCWL) + tBURST
    // Slots of requests in flight; the free ones are chained from m_free_slot (last freed first).
    std::vector<Slot> m_slots;
    uint32_t m_free_slot = kNoSlot;
    // Requests whose every burst has issued, by (completion cycle, arrival order) from
    // m_ready_head: they become ready almost in that order, so each goes at the back or is
    // inserted from the back in a step or two (cheaper than a heap).
    std::vector<Ready> m_ready;
    size_t m_ready_head = 0;
    uint64_t m_now = 0;
    uint64_t m_min_arrival = 0;  // max(now(), the last arrival): the next request's earliest
    uint64_t m_order = 0;
    uint64_t m_outstanding = 0;
};

// enqueue() and place() are inline: the adapter calls enqueue() once per request.
inline void BankedDram::enqueue(const Request& r) {
    enqueue(r.id, r.addr, r.bytes, r.is_write, r.arrival_cycle);
}

inline void BankedDram::enqueue(uint64_t id, uint64_t addr, uint64_t bytes, bool is_write,
                                uint64_t arrival) {
    if (bytes == 0 || arrival < m_min_arrival) contract_error(id, bytes, arrival);
    m_min_arrival = arrival;
    uint32_t slot = m_free_slot;
    if (slot == kNoSlot) {
        slot = static_cast<uint32_t>(m_slots.size());
        m_slots.emplace_back();
    } else {
        m_free_slot = m_slots[slot].next_free;
    }
    const unsigned shift = m_map.burst_shift();
    const uint64_t first = addr >> shift;
    const uint64_t last = (addr + bytes - 1) >> shift;
    Slot& s = m_slots[slot];
    s.completion = Completion{id, 0, arrival, static_cast<uint32_t>(last - first + 1)};
    s.remaining = s.completion.bursts;
    s.order = m_order++;
    ++m_outstanding;
    // A request of one burst (every request of a 64-byte DMA): no loop, and its address decoded
    // as it is (the fields lie above the byte-in-burst bits, so alignment changes none).
    if (first == last) {
        stage_burst(addr, is_write, arrival, slot);
        return;
    }
    // Bursts that differ only in their column (the column field lies right above the
    // byte-in-burst bits, and first and last agree above it): every other field decoded once.
    if (((first ^ last) & m_column_run_mask) == 0) {
        stage_column_run(first << shift, last - first + 1, is_write, arrival, slot);
        return;
    }
    for (uint64_t b = first; b <= last; ++b) stage_burst(b << shift, is_write, arrival, slot);
}

__attribute__((always_inline)) inline void BankedDram::stage_column_run(uint64_t a, uint64_t bursts,
                                                                        bool is_write,
                                                                        uint64_t arrival,
                                                                        uint32_t slot) {
    using F = cfg::AddressField;
    if ((a & m_upper_bits) != m_upper_key) decode_upper(a);
    // Written straight into the channel's staging slot (a copy through the stack stalls on
    // the wide reload); the fields of place().
    const uint32_t group = m_map.field(a, F::kBankGroup);
    ChannelController& channel = m_channels[m_map.field(a, F::kChannel)];
    const uint32_t rank = m_rank;
    const uint32_t bank = group * m_banks_per_group + m_bank;
    const uint32_t row = m_row;
    // Burst first + i has column column(first) + i (no carry out of the field: first and last
    // agree above it).
    uint32_t column = m_map.field(a, F::kColumn);
    for (; bursts > 0; --bursts, ++column) {
        // (enqueue() checked arrival >= m_min_arrival >= now() >= every channel's now().)
        Atom& at = channel.stage_checked(is_write, arrival);
        at.tag = slot;
        at.rank = rank;
        at.bank_group = group;
        at.bank = bank;
        at.row = row;
        at.column = column;
    }
}

__attribute__((always_inline)) inline void BankedDram::stage_burst(uint64_t a, bool is_write,
                                                                   uint64_t arrival,
                                                                   uint32_t slot) {
    stage_column_run(a, 1, is_write, arrival, slot);  // a run of one burst
}

inline void BankedDram::make_ready(uint64_t cycle, uint32_t slot) {
    // Usually after every ready one: at the back.
    if (m_ready_head == m_ready.size() || !before(Ready{cycle, slot}, m_ready.back())) {
        m_ready.push_back(Ready{cycle, slot});
    } else {
        insert_ready(cycle, slot);
    }
}

inline void BankedDram::burst_done(const ChannelController::Done& d) {
    Slot& s = m_slots[d.tag];
    Completion& c = s.completion;
    if (d.cycle > c.cycle) c.cycle = d.cycle;
    c.queue_cycles += d.issued - c.arrival_cycle;
    ++(d.outcome == RowOutcome::kHit    ? c.row_hits
       : d.outcome == RowOutcome::kMiss ? c.row_misses
                                        : c.row_conflicts);
    if (--s.remaining == 0) make_ready(c.cycle, d.tag);
}

inline uint32_t BankedDram::pop_first() {
    const auto slot = static_cast<uint32_t>(m_ready[m_ready_head].slot);
    if (++m_ready_head == m_ready.size()) {
        m_ready.clear();
        m_ready_head = 0;
    } else if (m_ready_head >= 64 && 2 * m_ready_head >= m_ready.size()) {
        // Drop the reported front once it is half the vector (a stream that never drains).
        m_ready.erase(m_ready.begin(), m_ready.begin() + static_cast<std::ptrdiff_t>(m_ready_head));
        m_ready_head = 0;
    }
    return slot;
}

template <typename Tell>
void BankedDram::tell_known(Tell&& tell) {
    // Every ready request, in order; the list is emptied at the end (tell() cannot add to it).
    const Ready* const end = m_ready.data() + m_ready.size();
    for (const Ready* r = m_ready.data() + m_ready_head; r != end; ++r) {
        const auto slot = static_cast<uint32_t>(r->slot);
        tell(static_cast<const Completion&>(m_slots[slot].completion));
        release(slot);
    }
    m_ready.clear();
    m_ready_head = 0;
}

inline std::optional<uint64_t> BankedDram::next_unknown_completion() const {
    // next_busy_event() and has_writes() in one look at the channel's staging and queues.
    std::optional<uint64_t> best;
    for (const ChannelController& c : m_channels) {
        const bool writes = c.has_writes();
        if (!writes && !c.has_reads()) continue;
        const uint64_t t = c.busy_event() + (writes ? m_min_data_delay : m_read_delay);
        if (!best || t < *best) best = t;
    }
    return best;
}

inline void BankedDram::decode_upper(uint64_t addr) {
    using F = cfg::AddressField;
    m_upper_key = addr & m_upper_bits;
    m_rank = m_map.field(addr, F::kRank);
    m_bank = m_map.field(addr, F::kBank);
    m_row = m_map.field(addr, F::kRow);
}

inline void BankedDram::place(Atom& a, const DramAddress& d, uint32_t tag) const {
    a.tag = tag;
    a.rank = d.rank;
    a.bank_group = d.bank_group;
    a.bank = d.bank_group * static_cast<uint32_t>(m_config.banks_per_group) + d.bank;
    a.row = d.row;
    a.column = d.column;
}

}  // namespace npu::dram

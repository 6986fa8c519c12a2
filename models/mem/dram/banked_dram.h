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

    void enqueue(const Request& request);
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
    [[nodiscard]] uint64_t min_data_delay() const;
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
    // Records channel `channel`'s commands into `trace` (tests); nullptr stops.
    void set_trace(int channel, std::vector<CommandRecord>* trace);

  private:
    struct Slot {
        Completion completion;
        uint32_t remaining = 0;  // bursts not issued yet
        uint64_t order = 0;      // arrival order, for ties
    };
    struct Ready {
        uint64_t cycle;
        uint64_t order;
        uint32_t slot;
        bool operator<(const Ready& o) const {
            return cycle != o.cycle ? cycle < o.cycle : order < o.order;
        }
    };
    [[noreturn]] void contract_error(const Request& r) const;
    void collect(ChannelController& channel);
    // Fills a burst's place fields (all but arrival and is_write) from its decoded address.
    void place(Atom& a, const DramAddress& d, uint32_t tag) const;
    // Reports the first ready request and forgets it.
    void report_first(std::vector<Completion>& done);
    // The first ready request's slot, taken off the ready list (the caller reads its completion,
    // then release()s the slot).
    uint32_t pop_first();
    void release(uint32_t slot) {
        m_free_slots.push_back(slot);
        --m_outstanding;
    }

    cfg::DramConfig m_config;
    AddressMap m_map;
    std::vector<ChannelController> m_channels;
    std::vector<Slot> m_slots;
    std::vector<uint32_t> m_free_slots;
    // Requests whose every burst has issued, by (completion cycle, arrival order) from
    // m_ready_head: they become ready almost in that order, so each is inserted from the back in
    // a step or two (cheaper than a heap).
    std::vector<Ready> m_ready;
    size_t m_ready_head = 0;
    uint64_t m_now = 0;
    uint64_t m_last_arrival = 0;
    uint64_t m_order = 0;
    uint64_t m_outstanding = 0;
};

// enqueue() and place() are inline: the adapter calls enqueue() once per request.
inline void BankedDram::enqueue(const Request& r) {
    if (r.bytes == 0 || r.arrival_cycle < m_now || r.arrival_cycle < m_last_arrival) {
        contract_error(r);
    }
    m_last_arrival = r.arrival_cycle;
    uint32_t slot = 0;
    if (m_free_slots.empty()) {
        slot = static_cast<uint32_t>(m_slots.size());
        m_slots.emplace_back();
    } else {
        slot = m_free_slots.back();
        m_free_slots.pop_back();
    }
    const unsigned shift = m_map.burst_shift();
    const uint64_t first = r.addr >> shift;
    const uint64_t last = (r.addr + r.bytes - 1) >> shift;
    Slot& s = m_slots[slot];
    s.completion = Completion{r.id, 0, r.arrival_cycle, static_cast<uint32_t>(last - first + 1)};
    s.remaining = s.completion.bursts;
    s.order = m_order++;
    ++m_outstanding;
    for (uint64_t b = first; b <= last; ++b) {
        // Written straight into the channel's staging slot (a copy through the stack stalls on
        // the wide reload).
        const DramAddress d = m_map.decode(b << shift);
        place(m_channels[d.channel].stage(r.is_write, r.arrival_cycle), d, slot);
    }
}

inline uint32_t BankedDram::pop_first() {
    const uint32_t slot = m_ready[m_ready_head].slot;
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
    for (size_t i = m_ready_head; i < m_ready.size(); ++i) {
        const uint32_t slot = m_ready[i].slot;
        tell(static_cast<const Completion&>(m_slots[slot].completion));
        release(slot);
    }
    m_ready.clear();
    m_ready_head = 0;
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

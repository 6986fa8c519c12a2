#include "models/mem/dram/banked_dram.h"

#include <algorithm>

#include "sim/core/error.h"

namespace npu::dram {

BankedDram::BankedDram(const cfg::DramConfig& config)
    : m_config(config),
      m_map(config),
      m_channels(static_cast<size_t>(config.channels), ChannelController(config)) {}

void BankedDram::contract_error(const Request& r) const {
    throw ModelError("dram", m_now, -1,
                     "request " + std::to_string(r.id) + " (" + std::to_string(r.bytes) +
                         " bytes at cycle " + std::to_string(r.arrival_cycle) +
                         ") breaks the contract: bytes > 0, arrivals nondecreasing and at "
                         "or after the present cycle " +
                         std::to_string(m_now));
}

BankedDram::Routed BankedDram::route(uint64_t addr, bool is_write, uint64_t arrival,
                                     uint32_t tag) const {
    const DramAddress d = m_map.decode(addr);
    Routed out;
    out.channel = d.channel;
    out.atom.arrival = arrival;
    out.atom.is_write = is_write;
    place(out.atom, d, tag);
    return out;
}

std::optional<uint64_t> BankedDram::next_event() const {
    std::optional<uint64_t> best;
    if (m_ready_head < m_ready.size()) best = m_ready[m_ready_head].cycle;
    for (const ChannelController& c : m_channels) {
        const auto e = c.next_busy_event();
        if (e && (!best || *e < *best)) best = e;
    }
    return best;
}

void BankedDram::collect(ChannelController& channel) {
    for (const ChannelController::Done& d : channel.done()) {
        Slot& s = m_slots[d.tag];
        s.completion.cycle = std::max(s.completion.cycle, d.cycle);
        s.completion.queue_cycles += d.issued - s.completion.arrival_cycle;
        ++(d.outcome == RowOutcome::kHit    ? s.completion.row_hits
           : d.outcome == RowOutcome::kMiss ? s.completion.row_misses
                                            : s.completion.row_conflicts);
        if (--s.remaining == 0) {
            // Into its place from the back, written in place (as in enqueue()).
            const Ready key{s.completion.cycle, s.order, d.tag};
            m_ready.emplace_back();
            size_t i = m_ready.size() - 1;
            for (; i > m_ready_head && key < m_ready[i - 1]; --i) m_ready[i] = m_ready[i - 1];
            Ready& r = m_ready[i];
            r.cycle = key.cycle;
            r.order = key.order;
            r.slot = key.slot;
        }
    }
    channel.done().clear();
}

void BankedDram::advance(uint64_t cycle) {
    if (cycle < m_now) {
        throw ModelError("dram", m_now, -1,
                         "advance to cycle " + std::to_string(cycle) + " before the present");
    }
    for (ChannelController& c : m_channels) {
        c.run_until(cycle);
        collect(c);
    }
    m_now = cycle;
}

void BankedDram::advance(uint64_t cycle, std::vector<Completion>& done) {
    advance(cycle);
    while (m_ready_head < m_ready.size() && m_ready[m_ready_head].cycle <= cycle) {
        report_first(done);
    }
}

void BankedDram::report_first(std::vector<Completion>& done) {
    const uint32_t slot = pop_first();
    done.push_back(m_slots[slot].completion);
    release(slot);
}

uint64_t BankedDram::min_data_delay() const {
    return static_cast<uint64_t>(std::min(m_config.timing.tCL, m_config.timing.tCWL) +
                                 m_config.timing.tBURST);
}

std::optional<uint64_t> BankedDram::next_unknown_completion() const {
    const uint64_t read_delay = static_cast<uint64_t>(m_config.timing.tCL + m_config.timing.tBURST);
    std::optional<uint64_t> best;
    for (const ChannelController& c : m_channels) {
        const auto e = c.next_busy_event();
        if (!e) continue;
        const uint64_t t = *e + (c.has_writes() ? min_data_delay() : read_delay);
        if (!best || t < *best) best = t;
    }
    return best;
}

void BankedDram::take_known(std::vector<Completion>& done) {
    while (m_ready_head < m_ready.size()) report_first(done);
}

ChannelStats BankedDram::channel_stats(int channel) const {
    return m_channels.at(static_cast<size_t>(channel)).stats();
}

ChannelStats BankedDram::total_stats() const {
    ChannelStats total;
    for (const ChannelController& c : m_channels) total += c.stats();
    return total;
}

uint64_t BankedDram::streaming_scans() const {
    uint64_t n = 0;
    for (const ChannelController& c : m_channels) n += c.streaming_scans();
    return n;
}

void BankedDram::set_trace(int channel, std::vector<CommandRecord>* trace) {
    m_channels.at(static_cast<size_t>(channel)).set_trace(trace);
}

}  // namespace npu::dram

#include "models/mem/dram/banked_dram.h"

#include <algorithm>

#include "sim/core/error.h"

namespace npu::dram {

namespace {

// BankedDram::m_column_run_mask of a map.
uint64_t column_run_mask(const AddressMap& map) {
    const uint64_t bits = map.bits(cfg::AddressField::kColumn);
    // (Fields of no bits below it decode as 0 anywhere.)
    if (bits == 0 || static_cast<unsigned>(__builtin_ctzll(bits)) != map.burst_shift()) {
        return ~uint64_t{0};
    }
    return ~(bits >> map.burst_shift());
}

}  // namespace

BankedDram::BankedDram(const cfg::DramConfig& config)
    : m_config(config),
      m_map(config),
      m_channels(static_cast<size_t>(config.channels), ChannelController(config)),
      m_banks_per_group(static_cast<uint32_t>(config.banks_per_group)),
      m_column_run_mask(column_run_mask(m_map)),
      m_upper_bits(m_map.bits(cfg::AddressField::kRank) | m_map.bits(cfg::AddressField::kBank) |
                   m_map.bits(cfg::AddressField::kRow)),
      m_upper_key(~m_upper_bits),
      m_read_delay(static_cast<uint64_t>(config.timing.tCL + config.timing.tBURST)),
      m_min_data_delay(static_cast<uint64_t>(std::min(config.timing.tCL, config.timing.tCWL) +
                                             config.timing.tBURST)) {
    for (ChannelController& c : m_channels) c.set_owner(this);
}

void BankedDram::contract_error(uint64_t id, uint64_t bytes, uint64_t arrival) const {
    throw ModelError("dram", m_now, -1,
                     "request " + std::to_string(id) + " (" + std::to_string(bytes) +
                         " bytes at cycle " + std::to_string(arrival) +
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

void BankedDram::insert_ready(uint64_t cycle, uint32_t slot) {
    // Into its place from the back.
    const Ready key{cycle, slot};
    m_ready.push_back(m_ready.back());
    size_t i = m_ready.size() - 2;
    for (; i > m_ready_head && before(key, m_ready[i - 1]); --i) m_ready[i] = m_ready[i - 1];
    m_ready[i] = key;
}

void BankedDram::advance(uint64_t cycle) {
    if (cycle < m_now) {
        throw ModelError("dram", m_now, -1,
                         "advance to cycle " + std::to_string(cycle) + " before the present");
    }
    // (The channels hand their bursts over as they issue: ChannelController::set_owner.)
    for (ChannelController& c : m_channels) c.run_until(cycle);
    m_now = cycle;
    m_min_arrival = std::max(m_min_arrival, cycle);
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

uint64_t BankedDram::streamed_commands() const {
    uint64_t n = 0;
    for (const ChannelController& c : m_channels) n += c.streamed_commands();
    return n;
}

void BankedDram::set_trace(int channel, std::vector<CommandRecord>* trace) {
    m_channels.at(static_cast<size_t>(channel)).set_trace(trace);
}

}  // namespace npu::dram

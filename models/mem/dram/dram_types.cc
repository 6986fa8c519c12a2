#include "models/mem/dram/dram_types.h"

#include <numeric>
#include <stdexcept>

namespace npu::dram {

const char* to_string(Command c) {
    switch (c) {
        case Command::kAct:
            return "ACT";
        case Command::kPre:
            return "PRE";
        case Command::kRd:
            return "RD";
        case Command::kWr:
            return "WR";
        case Command::kRda:
            return "RDA";
        case Command::kWra:
            return "WRA";
        case Command::kRef:
            return "REF";
        case Command::kRefpb:
            return "REFpb";
    }
    return "?";
}

std::string to_string(const CommandRecord& r) {
    return std::to_string(r.cycle) + " " + to_string(r.command) + " rank " +
           std::to_string(r.rank) + " bank " + std::to_string(r.bank) + " row " +
           std::to_string(r.row) + " col " + std::to_string(r.column);
}

ChannelStats& ChannelStats::operator+=(const ChannelStats& o) {
    reads += o.reads;
    writes += o.writes;
    activates += o.activates;
    precharges += o.precharges;
    refreshes += o.refreshes;
    refreshes_per_bank += o.refreshes_per_bank;
    row_hits += o.row_hits;
    row_misses += o.row_misses;
    row_conflicts += o.row_conflicts;
    queue_cycles += o.queue_cycles;
    refresh_cycles += o.refresh_cycles;
    active_rank_cycles += o.active_rank_cycles;
    precharged_rank_cycles += o.precharged_rank_cycles;
    return *this;
}

ClockDomains::ClockDomains(uint64_t npu_hz, uint64_t memory_hz)
    : m_npu_hz(npu_hz), m_memory_hz(memory_hz) {
    if (npu_hz == 0 || memory_hz == 0) throw std::invalid_argument("ClockDomains: zero clock");
    // The same ratio in lowest terms (1 GHz : 1.6 GHz = 5 : 8), so that products stay small.
    const uint64_t g = std::gcd(npu_hz, memory_hz);
    m_npu_hz /= g;
    m_memory_hz /= g;
}

uint64_t ClockDomains::mul_div_ceil_wide(uint64_t a, uint64_t b, uint64_t c) {
    __extension__ using u128 = unsigned __int128;
    const u128 p = static_cast<u128>(a) * b;
    return static_cast<uint64_t>((p + c - 1) / c);
}

}  // namespace npu::dram

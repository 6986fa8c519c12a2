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

MulDivCeil::MulDivCeil(uint64_t b, uint64_t c) : m_b(b), m_c(c) {
    if (b == 0 || c == 0 || c > (uint64_t{1} << 62)) {
        throw std::invalid_argument("MulDivCeil: factors out of range");
    }
    if (c == 1 && b < (uint64_t{1} << 63)) {
        // ceil(a * b / 1) = ceil(a * 2b / 2): l = 1, so the reciprocal's shift is at least 64
        // (the high half of the product, shifted right, with no 128-bit shift).
        m_b = 2 * b;
        m_c = 2;
    }
    b = m_b;
    c = m_c;
    constexpr uint64_t kTop = uint64_t{1} << 63;
    m_limit = (kTop - c) / b;
    unsigned l = 0;
    while ((uint64_t{1} << l) < c) ++l;
    __extension__ using u128 = unsigned __int128;
    const u128 power = static_cast<u128>(1) << (63 + l);
    m_magic = static_cast<uint64_t>((power + c - 1) / c);  // < 2^64 (the theorem's bound)
    if (l == 0) {
        // c = 1 with b >= 2^63: only a = 0 takes the reciprocal path (m_limit is 0), and its
        // result is 0 with any reciprocal.
        m_magic = 0;
        m_shift = 0;
        return;
    }
    m_shift = 63 + l - 64;
}

uint64_t MulDivCeil::wide(uint64_t a) const {
    __extension__ using u128 = unsigned __int128;
    const u128 p = static_cast<u128>(a) * m_b;
    return static_cast<uint64_t>((p + m_c - 1) / m_c);
}

uint64_t ClockDomains::reduced(uint64_t hz, uint64_t other) {
    if (hz == 0 || other == 0) throw std::invalid_argument("ClockDomains: zero clock");
    return hz / std::gcd(hz, other);
}

ClockDomains::ClockDomains(uint64_t npu_hz, uint64_t memory_hz)
    : m_to_memory(reduced(memory_hz, npu_hz), reduced(npu_hz, memory_hz)),
      m_to_npu(reduced(npu_hz, memory_hz), reduced(memory_hz, npu_hz)) {}

}  // namespace npu::dram

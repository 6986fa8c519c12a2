#include "models/resources.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "sim/core/error.h"

namespace npu::model {

uint64_t PortSet::free_at() const { return *std::min_element(m_free.begin(), m_free.end()); }

uint64_t PortSet::acquire(uint64_t earliest, uint64_t cycles) {
    auto it = std::min_element(m_free.begin(), m_free.end());
    const uint64_t start = std::max(earliest, *it);
    *it = start + cycles;
    return start;
}

uint64_t PortCalendar::fit(const Intervals& busy, uint64_t t, uint64_t cycles) {
    const auto first = busy.spans.begin() + static_cast<ptrdiff_t>(busy.head);
    auto it = std::upper_bound(first, busy.spans.end(), t,
                               [](uint64_t v, const auto& span) { return v < span.first; });
    if (it != first && std::prev(it)->second > t) t = std::prev(it)->second;
    for (; it != busy.spans.end() && it->first < t + cycles; ++it) t = std::max(t, it->second);
    return t;
}

uint64_t PortCalendar::first_fit(uint64_t earliest, uint64_t cycles) const {
    uint64_t best = UINT64_MAX;
    for (const Intervals& p : m_ports) best = std::min(best, fit(p, earliest, cycles));
    return best;
}

uint64_t PortCalendar::reserve(uint64_t earliest, uint64_t cycles) {
    Intervals* port = nullptr;
    uint64_t best = UINT64_MAX;
    for (Intervals& p : m_ports) {
        const uint64_t t = fit(p, earliest, cycles);
        if (t < best) {
            best = t;
            port = &p;
        }
    }
    if (cycles > 0) {
        auto& v = port->spans;
        const auto at =
            std::upper_bound(v.begin() + static_cast<ptrdiff_t>(port->head), v.end(), best,
                             [](uint64_t x, const auto& span) { return x < span.first; });
        v.insert(at, {best, best + cycles});
    }
    return best;
}

void PortCalendar::prune(uint64_t now) {
    for (Intervals& p : m_ports) {
        while (p.head < p.spans.size() && p.spans[p.head].second <= now) ++p.head;
        if (p.head > 32 && 2 * p.head > p.spans.size()) {
            p.spans.erase(p.spans.begin(), p.spans.begin() + static_cast<ptrdiff_t>(p.head));
            p.head = 0;
        }
    }
}

BankedSram::BankedSram(uint64_t size_bytes, int banks, int bank_width_bytes, int ports,
                       bool functional, std::function<uint64_t()> now)
    : m_size(size_bytes),
      m_bank_size(size_bytes / static_cast<uint64_t>(banks)),
      m_bank_width(bank_width_bytes),
      m_banks(static_cast<size_t>(banks), PortCalendar(ports)),
      m_now(std::move(now)) {
    if (functional) m_data.assign(size_bytes, 0);
}

void BankedSram::check_range(uint32_t addr, uint64_t len, const char* what) const {
    if (uint64_t{addr} + len > m_size) {
        throw ModelError(what, 0, -1,
                         "access [" + std::to_string(addr) + ", " + std::to_string(addr + len) +
                             ") outside the " + std::to_string(m_size) + "-byte memory");
    }
}

void BankedSram::prune(uint64_t first_bank, uint64_t last_bank) {
    if (!m_now) return;
    const uint64_t now = m_now();
    for (uint64_t b = first_bank; b <= last_bank; ++b) m_banks[b].prune(now);
}

uint64_t BankedSram::access(uint32_t addr, uint32_t len, uint64_t earliest, uint64_t* conflicts,
                            uint64_t* conflict_cycles) {
    prune(addr / m_bank_size, (uint64_t{addr} + std::max<uint32_t>(len, 1) - 1) / m_bank_size);
    uint64_t done = earliest;
    uint64_t a = addr;
    const uint64_t end = uint64_t{addr} + len;
    uint64_t waited = 0;
    while (a < end) {
        const uint64_t bank = a / m_bank_size;
        const uint64_t seg_end = std::min(end, (bank + 1) * m_bank_size);
        const uint64_t bytes = seg_end - a;
        const uint64_t cycles =
            (bytes + static_cast<uint64_t>(m_bank_width) - 1) / static_cast<uint64_t>(m_bank_width);
        const uint64_t start = m_banks[bank].reserve(earliest, cycles);
        waited = std::max(waited, start - earliest);
        done = std::max(done, start + cycles);
        a = seg_end;
    }
    if (waited > 0) {
        ++*conflicts;
        *conflict_cycles += waited;
    }
    return done;
}

uint64_t BankedSram::window_fit(uint32_t addr, uint32_t len, uint64_t begin,
                                uint64_t cycles) const {
    const uint64_t first = addr / m_bank_size;
    const uint64_t last = (uint64_t{addr} + std::max<uint32_t>(len, 1) - 1) / m_bank_size;
    // Every bank must be free over the same window: move t until all agree.
    uint64_t t = begin;
    for (bool moved = true; moved;) {
        moved = false;
        for (uint64_t b = first; b <= last; ++b) {
            const uint64_t fit = m_banks[b].first_fit(t, cycles);
            if (fit > t) {
                t = fit;
                moved = true;
            }
        }
    }
    return t;
}

void BankedSram::occupy(uint32_t addr, uint32_t len, uint64_t begin, uint64_t cycles) {
    const uint64_t last = (uint64_t{addr} + std::max<uint32_t>(len, 1) - 1) / m_bank_size;
    prune(addr / m_bank_size, last);
    for (uint64_t b = addr / m_bank_size; b <= last; ++b) m_banks[b].reserve(begin, cycles);
}

Dram::Dram(double bytes_per_cycle_total, int channels, int latency_cycles, uint32_t interleave,
           uint64_t bytes, bool functional)
    : m_bytes_per_cycle(bytes_per_cycle_total / channels),
      m_latency(latency_cycles),
      m_interleave(interleave),
      m_size(bytes),
      m_channels(static_cast<size_t>(channels), PortSet(1)) {
    if (functional) m_data.assign(bytes, 0);
}

uint64_t Dram::transfer_cycles(uint32_t len) const {
    // ceil(len / bytes_per_cycle), computed so that exact multiples do not round up.
    const double c = static_cast<double>(len) / m_bytes_per_cycle;
    const double r = std::round(c);
    const uint64_t cycles =
        std::fabs(c - r) < 1e-9 ? static_cast<uint64_t>(r) : static_cast<uint64_t>(std::ceil(c));
    return std::max<uint64_t>(cycles, 1);
}

Dram::Access Dram::access(uint64_t addr, uint32_t len, uint64_t earliest) {
    PortSet& ch = m_channels[(addr / m_interleave) % m_channels.size()];
    const uint64_t cycles = transfer_cycles(len);
    const uint64_t start = ch.acquire(earliest, cycles);
    return {start, start + static_cast<uint64_t>(m_latency) + cycles};
}

}  // namespace npu::model

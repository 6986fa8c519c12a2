// Reservation timelines of shared resources: a set of busy-until ports (a DRAM channel) and a
// calendar of reserved intervals per port (an SRAM bank).
//
// What is modelled: a PortSet grants requests in the order they are made, each from
// max(earliest, the port's next free cycle), so a later request never starts before an earlier
// one on the same port. A PortCalendar lets a request take the first gap at or after its
// earliest cycle that is long enough (a DMA burst can use the cycles between two array tiles that
// read the same bank), and a later request never moves an earlier reservation. A fit depends only
// on the set of reserved cycles of each port, so reservations that touch are kept as one interval
// (a DMA stream's back-to-back bursts hold one, however long). Deterministic and cycle-exact;
// contention comes out of it.
// Timing contract: all times are NPU cycles; intervals are half-open [begin, end).
// Stats: none (the components that own the ports count).
#pragma once

#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

namespace npu::model {

// Ports used in issue order: busy-until per port.
class PortSet {
  public:
    explicit PortSet(int ports = 1) : m_free(static_cast<size_t>(ports), 0) {}
    // Cycle at which some port is free.
    [[nodiscard]] uint64_t free_at() const;
    // Takes the earliest-free port from max(earliest, its free time) for `cycles`; returns start.
    uint64_t acquire(uint64_t earliest, uint64_t cycles) {
        uint64_t* port = &m_free[0];
        for (uint64_t& f : m_free) port = f < *port ? &f : port;
        const uint64_t start = earliest > *port ? earliest : *port;
        *port = start + cycles;
        return start;
    }

  private:
    std::vector<uint64_t> m_free;
};

// The ports of one SRAM bank: a calendar of reserved intervals per port.
class PortCalendar {
  public:
    explicit PortCalendar(int ports = 1) : m_ports(static_cast<size_t>(ports)) {}
    // First t >= earliest at which some port is free for [t, t + cycles) (0 cycles: a cycle
    // that no reservation holds, as for 1).
    [[nodiscard]] uint64_t first_fit(uint64_t earliest, uint64_t cycles) const {
        if (m_ports.size() == 1) return fit(m_ports[0], earliest, cycles);
        return first_fit_of_ports(earliest, cycles);
    }
    // Reserves [t, t + cycles) with t = first_fit(earliest, cycles); returns t. Inline: one port
    // and a request after every reservation (a stream of bursts).
    uint64_t reserve(uint64_t earliest, uint64_t cycles) {
        if (m_ports.size() == 1) {
            Intervals& p = m_ports[0];
            if (p.head == p.spans.size()) {
                if (cycles > 0) p.spans.emplace_back(earliest, earliest + cycles);
                return earliest;
            }
            auto& last = p.spans.back();
            if (last.second <= earliest) {
                if (cycles == 0) return earliest;
                if (last.second == earliest) {
                    last.second = earliest + cycles;
                } else {
                    p.spans.emplace_back(earliest, earliest + cycles);
                }
                return earliest;
            }
        }
        return reserve_in_gap(earliest, cycles);
    }
    // Forgets intervals that ended at or before `now` (no request can reach back before it).
    void prune(uint64_t now);

  private:
    // Reserved [begin, end) intervals, disjoint and sorted (so their ends are sorted too), a
    // reservation that touches another joined to it; the first `head` are forgotten.
    // Reservations mostly land at the end: a vector beats a tree.
    struct Intervals {
        std::vector<std::pair<uint64_t, uint64_t>> spans;
        size_t head = 0;
    };
    // First t' >= t free for `cycles` on one port; inline when t is after every reservation.
    static uint64_t fit(const Intervals& busy, uint64_t t, uint64_t cycles) {
        if (busy.head == busy.spans.size() || busy.spans.back().second <= t) return t;
        return fit_in_gap(busy, t, cycles);
    }
    static uint64_t fit_in_gap(const Intervals& busy, uint64_t t, uint64_t cycles);
    [[nodiscard]] uint64_t first_fit_of_ports(uint64_t earliest, uint64_t cycles) const;
    uint64_t reserve_in_gap(uint64_t earliest, uint64_t cycles);
    std::vector<Intervals> m_ports;
};

}  // namespace npu::model

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
    // Port i's next free cycle, read and written in place (Dma's runs of bursts on a DRAM
    // channel: acquire() on a one-port set is start = max(earliest, port(0)), port(0) = start +
    // cycles).
    uint64_t& port(size_t i) { return m_free[i]; }

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

    // A run of equal requests that land after every reservation (Dma's runs of bursts): the
    // caller checks free_beyond_tails(e, cycles) for the run's first earliest cycle e; then, for
    // every later request of the run with earliest e' >= e and the same `cycles`, reserve(e',
    // cycles) takes the first port p with the least max(e', tail(p)) from that cycle (a gap
    // before a tail that fits at e' would have fitted at e; the run's own reservations leave
    // gaps only before their earliest cycles), which append() does without a search.
    [[nodiscard]] size_t ports() const { return m_ports.size(); }
    // The end of port p's last reservation kept (0 when none is: those forgotten ended by now).
    [[nodiscard]] uint64_t tail(size_t p) const {
        const Intervals& i = m_ports[p];
        return i.head == i.spans.size() ? 0 : i.spans.back().second;
    }
    // Whether on every port the first fit for `cycles` at or after `earliest` is
    // max(earliest, tail): no gap at or after `earliest` holds `cycles`.
    [[nodiscard]] bool free_beyond_tails(uint64_t earliest, uint64_t cycles) const {
        for (const Intervals& i : m_ports) {
            if (i.head == i.spans.size() || i.spans.back().second <= earliest) continue;
            if (fit_in_gap(i, earliest, cycles) != i.spans.back().second) return false;
        }
        return true;
    }
    // Reserves [begin, begin + cycles) on port p, begin >= tail(p), cycles > 0: what reserve()
    // does when it picks p at begin (joined to the last reservation when they touch).
    void append(size_t p, uint64_t begin, uint64_t cycles) {
        Intervals& i = m_ports[p];
        if (i.head < i.spans.size() && i.spans.back().second == begin) {
            i.spans.back().second = begin + cycles;
        } else {
            i.spans.emplace_back(begin, begin + cycles);
        }
    }

    // append(p, first + i * step, cycles) for i = 0 .. n-1, step >= cycles (each after the last).
    void append_series(size_t p, uint64_t first, uint64_t step, uint64_t cycles, uint64_t n) {
        if (n == 0) return;
        Intervals& i = m_ports[p];
        if (step == cycles) {  // back to back: one interval
            append(p, first, n * cycles);
            return;
        }
        append(p, first, cycles);
        for (uint64_t k = 1; k < n; ++k) {
            const uint64_t b = first + k * step;
            i.spans.emplace_back(b, b + cycles);
        }
    }

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
    // reserve_in_gap on a one-port calendar, cycles > 0: one search for the fit and the place.
    static uint64_t reserve_on_one_port(Intervals& port, uint64_t earliest, uint64_t cycles);
    std::vector<Intervals> m_ports;
};

}  // namespace npu::model

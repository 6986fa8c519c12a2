// Shared resources as reservation timelines: DRAM channels, DMA channels, SRAM bank ports.
//
// What is modelled: every port keeps the intervals of cycles it is reserved for. A DRAM channel
// is a busy-until timeline (a burst starts at max(earliest, next free) and holds the channel for
// bytes / bandwidth cycles). An SRAM bank port is a calendar: a request takes the first gap at or
// after its earliest cycle that is long enough, so a DMA burst can use the cycles between two
// array tiles that read the same bank, and a tile's read window is never blocked by a burst
// booked for later. Requests are granted in the order they are made; a later request never
// moves an earlier reservation. Deterministic and cycle-exact; contention and bank conflicts
// come out of it. What is not modelled: DRAM rows, banks and refresh (a channel is a fixed
// latency plus a bandwidth).
//
// Stats counted: bytes read/written per memory, DRAM bursts, bank conflicts (requests that found
// their port busy) and the cycles they waited. Nothing is priced here.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "sim/stats/stats.h"

namespace npu::model {

// A DRAM channel or any resource used in issue order: busy-until per port.
class PortSet {
  public:
    explicit PortSet(int ports = 1) : m_free(static_cast<size_t>(ports), 0) {}
    // Cycle at which some port is free.
    [[nodiscard]] uint64_t free_at() const;
    // Takes the earliest-free port from max(earliest, its free time) for `cycles`; returns start.
    uint64_t acquire(uint64_t earliest, uint64_t cycles);

  private:
    std::vector<uint64_t> m_free;
};

// The ports of one SRAM bank: a calendar of reserved intervals per port.
class PortCalendar {
  public:
    explicit PortCalendar(int ports = 1) : m_ports(static_cast<size_t>(ports)) {}
    // First t >= earliest at which some port is free for [t, t + cycles).
    [[nodiscard]] uint64_t first_fit(uint64_t earliest, uint64_t cycles) const;
    // Reserves [t, t + cycles) with t = first_fit(earliest, cycles); returns t.
    uint64_t reserve(uint64_t earliest, uint64_t cycles);
    // Forgets intervals that ended at or before `now` (no request can reach back before it).
    void prune(uint64_t now);

  private:
    // Reserved [begin, end) intervals, disjoint and sorted (so their ends are sorted too); the
    // first `head` are forgotten. Reservations mostly land at the end: a vector beats a tree.
    struct Intervals {
        std::vector<std::pair<uint64_t, uint64_t>> spans;
        size_t head = 0;
    };
    static uint64_t fit(const Intervals& busy, uint64_t t, uint64_t cycles);
    std::vector<Intervals> m_ports;
};

// Banked SRAM with blocked banking (bank = address / bank size). Byte-addressed storage is kept
// only in functional runs.
class BankedSram {
  public:
    // `now` tells the current cycle, so old reservations can be forgotten (may be empty).
    BankedSram(uint64_t size_bytes, int banks, int bank_width_bytes, int ports, bool functional,
               std::function<uint64_t()> now = {});

    // A DMA-style access of `len` bytes at `addr`, one burst: each bank it touches is held for
    // ceil(bytes in that bank / bank width) cycles from the first gap at or after `earliest`.
    // Returns the cycle after the last byte moved.
    uint64_t access(uint32_t addr, uint32_t len, uint64_t earliest, uint64_t* conflicts,
                    uint64_t* conflict_cycles);
    // First t >= begin such that every bank of [addr, addr+len) has a port free for
    // [t, t + cycles).
    [[nodiscard]] uint64_t window_fit(uint32_t addr, uint32_t len, uint64_t begin,
                                      uint64_t cycles) const;
    // Reserves one port of every bank of [addr, addr+len) for [begin, begin + cycles); the caller
    // checked window_fit() == begin.
    void occupy(uint32_t addr, uint32_t len, uint64_t begin, uint64_t cycles);

    [[nodiscard]] uint64_t size() const { return m_size; }
    [[nodiscard]] bool functional() const { return !m_data.empty(); }
    uint8_t* data(uint32_t addr) { return m_data.data() + addr; }
    void check_range(uint32_t addr, uint64_t len, const char* what) const;

  private:
    void prune(uint64_t first_bank, uint64_t last_bank);
    uint64_t m_size;
    uint64_t m_bank_size;
    int m_bank_width;
    std::vector<PortCalendar> m_banks;
    std::vector<uint8_t> m_data;
    std::function<uint64_t()> m_now;
};

// DRAM: `channels` channels interleaved every `interleave` bytes; each a fixed latency and a
// share of the bandwidth. Storage (functional runs) is a flat byte array.
class Dram {
  public:
    Dram(double bytes_per_cycle_total, int channels, int latency_cycles, uint32_t interleave,
         uint64_t bytes, bool functional);
    struct Access {
        uint64_t start;  // the channel starts moving this burst
        uint64_t done;   // data delivered (read) / written and acknowledged (write)
    };
    // One burst (does not cross an interleave boundary).
    Access access(uint64_t addr, uint32_t len, uint64_t earliest);
    [[nodiscard]] uint64_t transfer_cycles(uint32_t len) const;
    uint8_t* data(uint64_t addr) { return m_data.data() + addr; }
    [[nodiscard]] bool functional() const { return !m_data.empty(); }
    [[nodiscard]] uint64_t size() const { return m_size; }

  private:
    double m_bytes_per_cycle;  // per channel
    int m_latency;
    uint32_t m_interleave;
    uint64_t m_size;
    std::vector<PortSet> m_channels;
    std::vector<uint8_t> m_data;
};

}  // namespace npu::model

// Shared resources as busy-until timelines: DRAM channels, DMA channels, SRAM bank ports.
//
// What is modelled: each resource records the cycle it is next free; a request starts at
// max(earliest, next_free) and holds the resource for its length. Requests are granted in the
// order they are made (first come, first served at issue): a request made later never overtakes
// an earlier reservation, even when it would fit in a gap. That is the arbitration policy of the
// model, exact and deterministic. Contention, bank conflicts and back-pressure come out of it.
// What is not: DRAM rows, banks and refresh (a channel is a fixed latency plus a bandwidth).
//
// Stats counted: bytes read/written per memory, DRAM bursts, bank conflicts (requests that found
// their port busy) and the cycles they waited. Nothing is priced here.
#pragma once

#include <cstdint>
#include <vector>

#include "sim/stats/stats.h"

namespace npu::model {

// A set of interchangeable ports (an SRAM bank's ports, a DRAM channel): busy-until per port.
class PortSet {
  public:
    explicit PortSet(int ports = 1) : m_free(static_cast<size_t>(ports), 0) {}
    // Cycle at which some port is free.
    [[nodiscard]] uint64_t free_at() const;
    // Takes the earliest-free port from max(earliest, its free time) for `cycles`; returns start.
    uint64_t acquire(uint64_t earliest, uint64_t cycles);
    // Occupies a port free by `begin` until `end` (the caller checked free_at() <= begin).
    void occupy(uint64_t begin, uint64_t end);

  private:
    std::vector<uint64_t> m_free;
};

// Banked SRAM with blocked banking (bank = address / bank size). Byte-addressed storage is kept
// only in functional runs.
class BankedSram {
  public:
    BankedSram(uint64_t size_bytes, int banks, int bank_width_bytes, int ports, bool functional);

    // A DMA-style access of `len` bytes at `addr`, one burst: each bank it touches is held for
    // ceil(bytes in that bank / bank width) cycles from max(earliest, port free). Returns the cycle
    // after the last byte moved.
    uint64_t access(uint32_t addr, uint32_t len, uint64_t earliest, uint64_t* conflicts,
                    uint64_t* conflict_cycles);
    // The cycle by which every bank of [addr, addr+len) has a free port.
    [[nodiscard]] uint64_t region_free_at(uint32_t addr, uint32_t len) const;
    // Holds one port of every bank of [addr, addr+len) for [begin, end).
    void occupy(uint32_t addr, uint32_t len, uint64_t begin, uint64_t end);

    [[nodiscard]] uint64_t size() const { return m_size; }
    [[nodiscard]] bool functional() const { return !m_data.empty(); }
    uint8_t* data(uint32_t addr) { return m_data.data() + addr; }
    void check_range(uint32_t addr, uint64_t len, const char* what) const;

  private:
    uint64_t m_size;
    uint64_t m_bank_size;
    int m_bank_width;
    std::vector<PortSet> m_banks;
    std::vector<uint8_t> m_data;
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

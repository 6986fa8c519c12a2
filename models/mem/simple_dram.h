// The simple DRAM (`dram.model: simple`, the default): each channel is a fixed latency plus a
// share of the bandwidth.
//
// What is modelled: `dram.channels` channels interleaved every `dma.burst` bytes (channel =
// address / interleave mod channels). A burst of b bytes holds its channel for
// ceil(b / (dram.bandwidth / clock / channels)) cycles from max(earliest, channel free), and
// completes `dram.latency_cycles` after that: done = start + cycles + latency. Channels are
// busy-until timelines (models/mem/port_calendar.h), granted in request order.
// Not modelled: banks, rows, refresh, read/write turnaround, command scheduling (the bank-level
// DRAM, `dram.model: banked`, models those).
// Timing contract (memory interface, models/mem/mem_if.h): the completion is known when the
// request arrives, so request() returns it; nothing is scheduled in the kernel.
// Stats (group "dram"): those of every DramTarget (reads, writes, bytes_read, bytes_written),
// plus channel<i>.busy_cycles (cycles channel i moved data).
#pragma once

#include <cstdint>
#include <vector>

#include "models/mem/mem_if.h"
#include "models/mem/port_calendar.h"

namespace npu::model {

class SimpleDram : public DramTarget {
  public:
    // `bytes_per_cycle_total`: over all channels, per NPU cycle.
    SimpleDram(sc_core::sc_module_name name, double bytes_per_cycle_total, int channels,
               int latency_cycles, uint32_t interleave, MemoryImage& image,
               stats::StatGroup& stats);

    // One burst (it does not cross an interleave boundary): the cycle it completes.
    [[nodiscard]] uint64_t request(MemRequest& r) override;
    // request() of a timing-only burst, called directly (no virtual call, no request object):
    // returns its completion without counting it; count_timing() counts a descriptor's bursts
    // at once. Dma's descriptor path uses them.
    uint64_t timing_request(uint64_t addr, uint32_t len, uint64_t earliest, uint32_t layer) {
        return reserve(addr, len, earliest, layer);
    }
    void count_timing(bool write, uint32_t layer, uint64_t bursts, uint64_t bytes) {
        count(write, layer, bursts, bytes);
    }
    // Cycles a channel is busy moving `len` bytes.
    [[nodiscard]] uint64_t transfer_cycles(uint32_t len) const;
    // Dma's runs of equal bursts (Dma::issue_run): the channel of an address (the next burst-
    // aligned address is on the next channel, wrapping), a channel's busy-until cycle read and
    // written in place (reserve() is start = max(earliest, it), it = start + cycles), and the
    // busy cycles and limiter notes reserve() makes, added by the caller.
    [[nodiscard]] size_t channels() const { return m_channels.size(); }
    [[nodiscard]] size_t channel_of(uint64_t addr) const {
        return m_channels.size() == 1 ? 0 : (addr / m_interleave) % m_channels.size();
    }
    uint64_t& channel_free(size_t ch) { return m_channels[ch].port(0); }
    [[nodiscard]] uint64_t latency() const { return static_cast<uint64_t>(m_latency); }
    void add_busy(size_t ch, uint32_t layer, uint64_t cycles) { m_busy[ch]->add(layer, cycles); }
    [[nodiscard]] stats::LimiterLog* limiters() const { return m_limiters; }

  private:
    // The channel's reservation for a burst: its completion cycle.
    uint64_t reserve(uint64_t addr, uint32_t len, uint64_t earliest, uint32_t layer) {
        const size_t ch = channel_of(addr);
        if (len != m_last_len) {  // transfer_cycles() of the last length asked, kept
            m_last_len = len;
            m_last_cycles = transfer_cycles(len);
        }
        const uint64_t cycles = m_last_cycles;
        const uint64_t start = m_channels[ch].acquire(earliest, cycles);
        if (m_limiters != nullptr && start > earliest) {
            m_limiters->add(layer, stats::Limiter::kDramBandwidth, earliest, start);
        }
        m_busy[ch]->add(layer, cycles);
        return start + static_cast<uint64_t>(m_latency) + cycles;
    }

    double m_bytes_per_cycle;  // per channel
    int m_latency;
    uint32_t m_interleave;
    std::vector<PortSet> m_channels;
    std::vector<stats::Stat*> m_busy;  // per channel
    uint32_t m_last_len = 0;
    uint64_t m_last_cycles = 0;
};

}  // namespace npu::model

// DMA engine: moves 2D transfers (rows x row_bytes with strides) between DRAM and the scratchpad.
//
// Timing contract: a descriptor goes to the DMA channel free earliest; after `setup_cycles` the
// channel issues one burst per cycle, at most `outstanding` bursts in flight (a burst is in flight
// from issue until its data has landed). Bursts never cross a `burst_bytes`-aligned DRAM boundary.
// A load burst: DRAM channel (latency + bytes/bandwidth), then the scratchpad bank port
// (ceil(bytes / bank width) cycles). A store burst: the bank port first, then DRAM.
// Each burst claims DRAM and the bank port at its issue cycle: the engine's thread is advanced to
// that cycle first (the `advance` callback), so bursts of concurrent transfers interleave in time
// instead of one descriptor booking the resources for its whole length up front.
// Data moves (functional runs) when the burst is issued; the engines' dependency tokens make sure
// nobody reads it before its timed arrival.
// Stats: descriptors, bursts, DRAM bytes, scratchpad bytes and bank conflicts.
#pragma once

#include <cstdint>
#include <functional>
#include <queue>
#include <vector>

#include "models/resources.h"
#include "sim/config/hw_config.h"
#include "sim/isa/isa.h"
#include "sim/stats/stats.h"

namespace npu::model {

class Dma {
  public:
    using Advance = std::function<void(uint64_t cycle)>;
    // `advance(c)` moves the calling engine's time to cycle c (SystemC: wait); may be empty.
    // Callers run at most `channels` transfers at once (the NPU holds a semaphore for that).
    Dma(const cfg::DmaConfig& cfg, Dram& dram, BankedSram& spad, Advance advance = {});
    struct Result {
        uint64_t issued = 0;     // the last burst has left the channel's issue stage
        uint64_t complete = 0;   // the last byte has landed
        uint64_t sram_done = 0;  // the last scratchpad access has finished
    };
    Result load(const isa::Transfer& x, uint64_t now, stats::Counters& c);   // DRAM -> spad
    Result store(const isa::Transfer& x, uint64_t now, stats::Counters& c);  // spad -> DRAM

  private:
    struct Channel {
        uint64_t next_issue = 0;
        bool busy = false;  // a descriptor is being issued on it
        // Completion cycles of the bursts in flight (earliest on top).
        std::priority_queue<uint64_t, std::vector<uint64_t>, std::greater<>> in_flight;
    };
    Result run(const isa::Transfer& x, uint64_t now, bool to_sram, stats::Counters& c);

    cfg::DmaConfig m_cfg;
    Dram& m_dram;
    BankedSram& m_spad;
    Advance m_advance;
    std::vector<Channel> m_channels;
};

}  // namespace npu::model

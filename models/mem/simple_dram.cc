#include "models/mem/simple_dram.h"

#include <algorithm>
#include <string>

#include "sim/timing/dram_transfer.h"

namespace npu::model {

SimpleDram::SimpleDram(sc_core::sc_module_name name, double bytes_per_cycle_total, int channels,
                       int latency_cycles, uint32_t interleave, MemoryImage& image,
                       stats::StatGroup& stats)
    : DramTarget(name, image, stats),
      m_bytes_per_cycle(bytes_per_cycle_total / channels),
      m_latency(latency_cycles),
      m_interleave(interleave),
      m_channels(static_cast<size_t>(channels), PortSet(1)) {
    for (int c = 0; c < channels; ++c) {
        m_busy.push_back(&stats.group("channel" + std::to_string(c))
                              .stat("busy_cycles", "cycles this channel moved data", "cycles"));
    }
}

uint64_t SimpleDram::transfer_cycles(uint32_t len) const {
    return timing::dram_transfer_cycles(len, m_bytes_per_cycle);
}

uint64_t SimpleDram::request(MemRequest& r) {
    take(r);
    return reserve(r.addr, r.bytes, r.earliest, r.layer);
}

}  // namespace npu::model

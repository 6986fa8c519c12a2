#include "models/mem/simple_dram.h"

#include <algorithm>
#include <cmath>
#include <string>

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
    // ceil(len / bytes_per_cycle), computed so that exact multiples do not round up.
    const double c = static_cast<double>(len) / m_bytes_per_cycle;
    const double r = std::round(c);
    const uint64_t cycles =
        std::fabs(c - r) < 1e-9 ? static_cast<uint64_t>(r) : static_cast<uint64_t>(std::ceil(c));
    return std::max<uint64_t>(cycles, 1);
}

uint64_t SimpleDram::request(MemRequest& r) {
    take(r);
    return reserve(r.addr, r.bytes, r.earliest, r.layer);
}

}  // namespace npu::model

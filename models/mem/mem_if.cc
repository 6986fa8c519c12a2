#include "models/mem/mem_if.h"

namespace npu::model {

DramTarget::DramTarget(sc_core::sc_module_name name, MemoryImage& image, stats::StatGroup& stats)
    : sc_module(name),
      m_image(image),
      m_reads(stats.stat("reads", "read bursts", "count")),
      m_writes(stats.stat("writes", "write bursts", "count")),
      m_bytes_read(stats.stat("bytes_read", "bytes read", "bytes")),
      m_bytes_written(stats.stat("bytes_written", "bytes written", "bytes")) {}

void DramTarget::move_data(const MemRequest& r) {
    if (r.write) {
        m_image.write(r.addr, r.data, r.bytes, name());
    } else {
        m_image.read(r.addr, r.data, r.bytes, name());
    }
}

void DramTarget::debug_access(uint64_t addr, uint8_t* buf, uint32_t len, bool write) {
    if (write) {
        m_image.write(addr, buf, len, name());
    } else {
        m_image.read(addr, buf, len, name());
    }
}

void DramTarget::add_counters(size_t layer, stats::Counters& c) const {
    c.dram_read_bytes += m_bytes_read.at(layer);
    c.dram_write_bytes += m_bytes_written.at(layer);
    c.dram_bursts += m_reads.at(layer) + m_writes.at(layer);
}

}  // namespace npu::model

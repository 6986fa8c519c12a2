#include "models/mem/sram_window.h"

#include <cstring>

namespace npu::model {

SramWindow::SramWindow(sc_core::sc_module_name name, BankedSram& sram)
    : sc_module(name), m_sram(sram) {}

uint64_t SramWindow::request(MemRequest& r) {
    m_sram.check_range(r.addr, r.bytes, name());
    const uint32_t addr = static_cast<uint32_t>(r.addr);
    const uint64_t done =
        m_sram.access(addr, r.bytes, r.earliest,
                      r.write ? BankedSram::Dir::kWrite : BankedSram::Dir::kRead, r.layer);
    // The initiator's buffer is this scratchpad too (a core moving its own data): may overlap.
    if (r.data != nullptr) {
        if (r.write) {
            std::memmove(m_sram.data(addr), r.data, r.bytes);
        } else {
            std::memmove(r.data, m_sram.data(addr), r.bytes);
        }
    }
    return done;
}

void SramWindow::debug_access(uint64_t addr, uint8_t* buf, uint32_t len, bool write) {
    m_sram.check_range(addr, len, name());
    uint8_t* mem = m_sram.data(static_cast<uint32_t>(addr));
    if (write) {
        std::memcpy(mem, buf, len);
    } else {
        std::memcpy(buf, mem, len);
    }
}

}  // namespace npu::model

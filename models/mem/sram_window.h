// A core's scratchpad seen from the memory interface: the on-chip window the platform's address
// map places at the program's `onchip_base`. A DMA transfer whose far address lies in the window
// moves scratchpad to scratchpad (an activation kept on chip), with no DRAM traffic.
//
// What is modelled: each request is one burst on the scratchpad's bank ports
// (BankedSram::access: the same calendars the core's own engines use, so window traffic and
// local traffic contend). Not modelled: a separate port or crossbar for remote access.
// Timing contract (models/mem/mem_if.h): the completion is known at once.
// Stats: counted on the scratchpad it fronts (bytes_read / bytes_written, conflicts, per bank).
#pragma once

#include <systemc>

#include "models/mem/banked_sram.h"
#include "models/mem/mem_if.h"

namespace npu::model {

class SramWindow : public MemTargetIf, public sc_core::sc_module {
  public:
    SramWindow(sc_core::sc_module_name name, BankedSram& sram);
    [[nodiscard]] uint64_t request(MemRequest& r) override;
    void debug_access(uint64_t addr, uint8_t* buf, uint32_t len, bool write) override;

  private:
    BankedSram& m_sram;
};

}  // namespace npu::model

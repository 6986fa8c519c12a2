// The platform's address map: routes each memory request from an initiator (a core's DMA) to the
// target whose address range holds it (the DRAM, a core's scratchpad window).
//
// What is modelled: address decoding only. Region i, [base, base + size), goes to its target,
// which sees the address minus the base. A request must lie inside one region (else ModelError
// naming the address and the map). No latency, no contention: sharing a target among
// initiators (an arbiter) is a separate component in front of the target.
// Timing contract: a pass-through of the memory interface (models/mem/mem_if.h): the target's
// answer (a completion cycle, or kLater) comes back unchanged; a later completion goes straight
// to the request's initiator. route() hands an initiator the target of a whole range, so a DMA
// decodes once per transfer.
// Stats: none.
#pragma once

#include <cstdint>
#include <string>
#include <systemc>
#include <vector>

#include "models/mem/mem_if.h"

namespace npu::model {

class AddressMap : public MemTargetIf, public sc_core::sc_module {
  public:
    explicit AddressMap(sc_core::sc_module_name name);
    // Adds a region served by `target`. Throws ModelError if it overlaps an earlier region.
    void add_region(std::string name, uint64_t base, uint64_t size, MemTargetIf& target);
    // The map as text, one region per line, for messages and docs.
    [[nodiscard]] std::string describe() const;

    [[nodiscard]] uint64_t request(MemRequest& r) override;
    // The target behind the region that holds the whole range; this map itself if none does (its
    // requests then fail one by one, naming the first unmapped burst).
    [[nodiscard]] Route route(uint64_t addr, uint64_t len) override;
    void debug_access(uint64_t addr, uint8_t* buf, uint32_t len, bool write) override;

  private:
    struct Region {
        uint64_t base;
        uint64_t size;
        MemTargetIf* target;
    };
    // The region holding [addr, addr + len), or nullptr.
    [[nodiscard]] const Region* find(uint64_t addr, uint64_t len) const {
        for (const Region& r : m_regions) {
            if (addr - r.base < r.size && len <= r.size - (addr - r.base)) return &r;
        }
        return nullptr;
    }
    [[noreturn]] void unmapped(uint64_t addr, uint64_t len) const;

    std::vector<Region> m_regions;  // few, searched in order (DRAM first)
    std::vector<std::string> m_names;
};

}  // namespace npu::model

// The functional contents of off-chip memory: the bytes behind DRAM addresses, kept apart from
// any timing model so that every DRAM target (the simple busy-until model, a bank-level model)
// moves data the same way and can be swapped without touching the data path.
//
// Regions are mapped explicitly (a program's DRAM range, from its base); an access outside every
// region is a ModelError. Timing-only runs map nothing and move no data.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace npu::model {

class MemoryImage {
  public:
    // Maps [base, base + size) as zeroed bytes. Throws ModelError if it overlaps a mapped region.
    void map(uint64_t base, uint64_t size);
    // The bytes [addr, addr + len); throws ModelError (naming `who`) unless they lie in one
    // mapped region.
    [[nodiscard]] uint8_t* at(uint64_t addr, uint64_t len, const char* who);
    [[nodiscard]] bool empty() const { return m_regions.empty(); }

  private:
    struct Region {
        uint64_t base;
        std::vector<uint8_t> bytes;
    };
    std::vector<Region> m_regions;  // few (one per program), searched in order
};

}  // namespace npu::model

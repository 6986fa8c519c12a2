// The functional contents of off-chip memory: the bytes behind DRAM addresses, kept apart from
// any timing model so that every DRAM target (the simple busy-until model, a bank-level model)
// moves data the same way and can be swapped without touching the data path.
//
// Regions are mapped explicitly (a program's DRAM range, from its base); an access outside every
// region is a ModelError. Timing-only runs map nothing and move no data.
// Storage is allocated lazily, in pages of kPageBytes: a page is allocated (zeroed) on its first
// write; reading bytes of a page never written gives zeros and allocates nothing. A run costs
// memory for the bytes it writes, not for the DRAM range it maps.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

namespace npu::model {

class MemoryImage {
  public:
    static constexpr uint64_t kPageBytes = uint64_t{64} << 10;

    // Maps [base, base + size) as zeroed bytes. Throws ModelError if it overlaps a mapped region.
    void map(uint64_t base, uint64_t size);
    // Copies [addr, addr + len) out (read) or in (write); throws ModelError (naming `who`) unless
    // the bytes lie in one mapped region.
    void read(uint64_t addr, uint8_t* dst, uint64_t len, const char* who) const;
    void write(uint64_t addr, const uint8_t* src, uint64_t len, const char* who);
    [[nodiscard]] bool empty() const { return m_regions.empty(); }
    // Pages allocated so far (written at least once), over every region.
    [[nodiscard]] uint64_t touched_pages() const { return m_touched; }

  private:
    struct Region {
        uint64_t base = 0, size = 0;
        std::vector<std::unique_ptr<uint8_t[]>> pages;  // null: never written (zeros)
    };
    [[nodiscard]] const Region& region(uint64_t addr, uint64_t len, const char* who) const;
    std::vector<Region> m_regions;  // few (one per program), searched in order
    uint64_t m_touched = 0;
};

}  // namespace npu::model

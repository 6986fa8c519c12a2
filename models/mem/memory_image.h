// The functional contents of off-chip memory: the bytes behind DRAM addresses, kept apart from
// any timing model so that every DRAM target (the simple busy-until model, a bank-level model)
// moves data the same way and can be swapped without touching the data path.
//
// Regions are mapped explicitly (a program's DRAM range, from its base); an access outside every
// region is a ModelError. Timing-only runs map nothing and move no data.
// Storage is allocated lazily, in pages of kPageBytes: a page is allocated on its first write;
// reading bytes of a page never written gives its initial bytes and allocates nothing. A run
// costs memory for the bytes it writes, not for the DRAM range it maps.
// Initial bytes: zeros, except where a read-only backing span lies (back(): a program's packed
// weights, shared with the Program instead of copied). Copy on write: a page's first write
// copies its initial bytes into the page, so writes never reach a backing span (the Program's
// image stays as compiled, whatever the run writes).
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
    // The initial bytes of [addr, addr + len) are `bytes`, which are not copied: they must stay
    // unchanged and alive as long as the image. Before the first read or write of the range;
    // throws ModelError unless the range lies in one mapped region and overlaps no other span.
    void back(uint64_t addr, const uint8_t* bytes, uint64_t len);
    // Copies [addr, addr + len) out (read) or in (write); throws ModelError (naming `who`) unless
    // the bytes lie in one mapped region.
    void read(uint64_t addr, uint8_t* dst, uint64_t len, const char* who) const;
    void write(uint64_t addr, const uint8_t* src, uint64_t len, const char* who);
    [[nodiscard]] bool empty() const { return m_regions.empty(); }
    // Pages allocated so far (written at least once), over every region.
    [[nodiscard]] uint64_t touched_pages() const { return m_touched; }

  private:
    struct Span {
        uint64_t at = 0, len = 0;  // offset in the region
        const uint8_t* bytes = nullptr;
    };
    struct Region {
        uint64_t base = 0, size = 0;
        std::vector<std::unique_ptr<uint8_t[]>> pages;  // null: never written (initial bytes)
        std::vector<Span> spans;                        // the backing, sorted by offset
    };
    [[nodiscard]] const Region& region(uint64_t addr, uint64_t len, const char* who) const;
    // The initial bytes of [at, at + n) (offsets in `r`) into `dst`.
    static void initial(const Region& r, uint64_t at, uint8_t* dst, uint64_t n);
    std::vector<Region> m_regions;  // few (one per program), searched in order
    uint64_t m_touched = 0;
};

}  // namespace npu::model

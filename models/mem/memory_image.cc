#include "models/mem/memory_image.h"

#include <algorithm>
#include <cstring>
#include <string>

#include "sim/core/error.h"

namespace npu::model {

void MemoryImage::map(uint64_t base, uint64_t size) {
    for (const Region& r : m_regions) {
        if (base < r.base + r.size && r.base < base + size) {
            throw ModelError("memory image", 0, -1,
                             "region [" + std::to_string(base) + ", " +
                                 std::to_string(base + size) + ") overlaps [" +
                                 std::to_string(r.base) + ", " + std::to_string(r.base + r.size) +
                                 ")");
        }
    }
    Region& r = m_regions.emplace_back();
    r.base = base;
    r.size = size;
    r.pages.resize(static_cast<size_t>((size + kPageBytes - 1) / kPageBytes));
}

const MemoryImage::Region& MemoryImage::region(uint64_t addr, uint64_t len, const char* who) const {
    for (const Region& r : m_regions) {
        if (addr >= r.base && addr + len <= r.base + r.size) return r;
    }
    throw ModelError(who, 0, -1,
                     "functional access [" + std::to_string(addr) + ", " +
                         std::to_string(addr + len) + ") outside the mapped DRAM image");
}

void MemoryImage::read(uint64_t addr, uint8_t* dst, uint64_t len, const char* who) const {
    const Region& r = region(addr, len, who);
    uint64_t at = addr - r.base;
    while (len > 0) {
        const uint64_t in_page = at % kPageBytes;
        const uint64_t n = std::min(len, kPageBytes - in_page);
        const auto& page = r.pages[static_cast<size_t>(at / kPageBytes)];
        if (page) {
            std::memcpy(dst, page.get() + in_page, n);
        } else {
            std::memset(dst, 0, n);
        }
        dst += n;
        at += n;
        len -= n;
    }
}

void MemoryImage::write(uint64_t addr, const uint8_t* src, uint64_t len, const char* who) {
    auto& r = const_cast<Region&>(region(addr, len, who));
    uint64_t at = addr - r.base;
    while (len > 0) {
        const uint64_t in_page = at % kPageBytes;
        const uint64_t n = std::min(len, kPageBytes - in_page);
        auto& page = r.pages[static_cast<size_t>(at / kPageBytes)];
        if (!page) {  // zeros where this write does not land
            page.reset(new uint8_t[kPageBytes]);
            std::memset(page.get(), 0, in_page);
            std::memset(page.get() + in_page + n, 0, kPageBytes - in_page - n);
            ++m_touched;
        }
        std::memcpy(page.get() + in_page, src, n);
        src += n;
        at += n;
        len -= n;
    }
}

}  // namespace npu::model

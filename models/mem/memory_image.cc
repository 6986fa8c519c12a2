#include "models/mem/memory_image.h"

#include "sim/core/error.h"

namespace npu::model {

void MemoryImage::map(uint64_t base, uint64_t size) {
    for (const Region& r : m_regions) {
        if (base < r.base + r.bytes.size() && r.base < base + size) {
            throw ModelError("memory image", 0, -1,
                             "region [" + std::to_string(base) + ", " +
                                 std::to_string(base + size) + ") overlaps [" +
                                 std::to_string(r.base) + ", " +
                                 std::to_string(r.base + r.bytes.size()) + ")");
        }
    }
    m_regions.push_back({base, std::vector<uint8_t>(size, 0)});
}

uint8_t* MemoryImage::at(uint64_t addr, uint64_t len, const char* who) {
    for (Region& r : m_regions) {
        if (addr >= r.base && addr + len <= r.base + r.bytes.size()) {
            return r.bytes.data() + (addr - r.base);
        }
    }
    throw ModelError(who, 0, -1,
                     "functional access [" + std::to_string(addr) + ", " +
                         std::to_string(addr + len) + ") outside the mapped DRAM image");
}

}  // namespace npu::model

#include "models/mem/memory_image.h"

#include <algorithm>
#include <cstring>
#include <iterator>
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

void MemoryImage::back(uint64_t addr, const uint8_t* bytes, uint64_t len) {
    if (len == 0) return;
    auto& r = const_cast<Region&>(region(addr, len, "memory image"));
    const Span s{addr - r.base, len, bytes};
    const auto next = std::upper_bound(r.spans.begin(), r.spans.end(), s.at,
                                       [](uint64_t at, const Span& x) { return at < x.at; });
    const bool after_prev =
        next == r.spans.begin() || std::prev(next)->at + std::prev(next)->len <= s.at;
    const bool before_next = next == r.spans.end() || s.at + s.len <= next->at;
    if (!after_prev || !before_next) {
        throw ModelError("memory image", 0, -1,
                         "backing [" + std::to_string(addr) + ", " + std::to_string(addr + len) +
                             ") overlaps another backing span");
    }
    r.spans.insert(next, s);
}

void MemoryImage::initial(const Region& r, uint64_t at, uint8_t* dst, uint64_t n) {
    std::memset(dst, 0, n);
    // The first span that ends after `at`, then each one that starts before at + n.
    auto it = std::upper_bound(r.spans.begin(), r.spans.end(), at,
                               [](uint64_t a, const Span& x) { return a < x.at + x.len; });
    for (; it != r.spans.end() && it->at < at + n; ++it) {
        const uint64_t lo = std::max(at, it->at), hi = std::min(at + n, it->at + it->len);
        std::memcpy(dst + (lo - at), it->bytes + (lo - it->at), hi - lo);
    }
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
            initial(r, at, dst, n);
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
        if (!page) {  // the initial bytes where this write does not land
            page.reset(new uint8_t[kPageBytes]);
            const uint64_t page_at = at - in_page;
            initial(r, page_at, page.get(), in_page);
            const uint64_t end = std::min(kPageBytes, r.size - page_at);
            if (in_page + n < end) {
                initial(r, at + n, page.get() + in_page + n, end - in_page - n);
            }
            std::memset(page.get() + end, 0, kPageBytes - end);  // past the region's end
            ++m_touched;
        }
        std::memcpy(page.get() + in_page, src, n);
        src += n;
        at += n;
        len -= n;
    }
}

}  // namespace npu::model

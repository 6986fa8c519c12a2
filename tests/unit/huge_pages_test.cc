// advise_huge_pages (sim/core/huge_pages.h) is advice: any range, aligned or not, large or tiny,
// keeps its contents and stays usable.
#include "sim/core/huge_pages.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

namespace npu {
namespace {

TEST(HugePages, AdviceKeepsContentsOfAnyRange) {
    std::vector<uint8_t> big(size_t{9} << 20);  // spans several 2 MiB blocks, unaligned ends
    for (size_t i = 0; i < big.size(); ++i) big[i] = static_cast<uint8_t>(i * 7);
    advise_huge_pages(big.data() + 3, big.size() - 5);
    advise_huge_pages(big.data(), 100);  // smaller than a huge page: nothing to advise
    advise_huge_pages(nullptr, 0);
    for (size_t i = 0; i < big.size(); ++i) {
        ASSERT_EQ(big[i], static_cast<uint8_t>(i * 7)) << i;
    }
    big.assign(big.size(), 1);  // still writable
    EXPECT_EQ(big.back(), 1);
}

// The heap advice leaves the allocator working: blocks allocated before keep their contents, and
// blocks of every size class (small, heap-sized, mmap-sized) allocate, fill and free after it.
TEST(HugePages, HeapAdviceLeavesMallocWorking) {
    std::vector<uint8_t> before(size_t{3} << 20, 0x5a);
    advise_heap_huge_pages(size_t{64} << 20);
    for (size_t bytes : {size_t{16}, size_t{100} << 10, size_t{5} << 20, size_t{40} << 20}) {
        std::vector<uint8_t> v(bytes, 0xa5);
        EXPECT_EQ(v.front(), 0xa5);
        EXPECT_EQ(v.back(), 0xa5);
    }
    for (uint8_t b : before) ASSERT_EQ(b, 0x5a);
}

}  // namespace
}  // namespace npu

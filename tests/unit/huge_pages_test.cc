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

}  // namespace
}  // namespace npu

// The loader's Mersenne Twister (sim/kernels/mt19937_64.h) is std::mt19937_64, number for number.
#include <gtest/gtest.h>

#include <cstdint>
#include <random>

#include "sim/kernels/mt19937_64.h"

namespace npu::kernels {
namespace {

TEST(Mt19937, SameSequenceAsTheStandardEngine) {
    for (uint64_t seed : {uint64_t{0}, uint64_t{5489}, uint64_t{1} << 63, ~uint64_t{0},
                          uint64_t{0x9e3779b97f4a7c15}}) {
        std::mt19937_64 want(seed);
        Mt19937_64 got(seed);
        for (int i = 0; i < 200'000; ++i) ASSERT_EQ(got(), want()) << seed << " at " << i;
    }
    // [rand.predef]: the 10000th output of a default-constructed mt19937_64 (seed 5489).
    Mt19937_64 e(5489);
    for (int i = 0; i < 9999; ++i) (void)e();
    EXPECT_EQ(e(), 9981545732273789042ull);
}

}  // namespace
}  // namespace npu::kernels

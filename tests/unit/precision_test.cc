// Precision formats: element sizes, parsing, and the bf16/fp16 conversions (round to nearest
// even) the float datapath, the compiler's images and the float reference share.
#include "sim/core/precision.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>

namespace npu {
namespace {

TEST(Precision, SizesAndNames) {
    EXPECT_EQ(act_bytes(Precision::kInt8), 1u);
    EXPECT_EQ(act_bytes(Precision::kInt4), 1u);
    EXPECT_EQ(act_bytes(Precision::kBf16), 2u);
    EXPECT_EQ(act_bytes(Precision::kFp16), 2u);
    EXPECT_EQ(act_bytes(Precision::kFp32), 4u);
    EXPECT_EQ(weight_bytes(Precision::kInt4, 16), 8u);
    EXPECT_EQ(weight_bytes(Precision::kInt4, 15), 8u);  // rounded up to whole bytes
    EXPECT_EQ(weight_bytes(Precision::kFp16, 3), 6u);
    for (Precision p : kAllPrecisions) EXPECT_EQ(parse_precision(to_string(p)), p);
    EXPECT_EQ(parse_precision("w4a8"), Precision::kInt4);
    EXPECT_FALSE(parse_precision("fp64").has_value());
}

TEST(Precision, EveryFp16PatternRoundTrips) {
    for (uint32_t h = 0; h < 65536; ++h) {
        const bool nan = ((h >> 10) & 31u) == 31u && (h & 0x3ffu) != 0;
        if (nan) continue;
        ASSERT_EQ(fp16_bits(fp16_value(static_cast<uint16_t>(h))), h) << h;
    }
}

TEST(Precision, Fp16MidpointsRoundToEven) {
    int checked = 0;
    for (uint32_t h = 0; h < 0x7bffu; ++h) {
        const double a = fp16_value(static_cast<uint16_t>(h));
        const double b = fp16_value(static_cast<uint16_t>(h + 1));
        const double mid = (a + b) / 2;
        const auto m = static_cast<float>(mid);
        if (double{m} != mid) continue;  // not representable in fp32 (never for binary16)
        ASSERT_EQ(fp16_bits(m), (h & 1u) ? h + 1 : h) << h;
        ++checked;
    }
    EXPECT_GT(checked, 30000);
    EXPECT_EQ(fp16_bits(65504.0f), 0x7bffu);          // the largest finite value
    EXPECT_EQ(fp16_bits(65520.0f), 0x7c00u);          // the midpoint to 2^16 rounds to infinity
    EXPECT_EQ(fp16_bits(std::ldexp(1.0f, -25)), 0u);  // half the smallest: to even (0)
    EXPECT_EQ(fp16_bits(std::ldexp(1.5f, -25)), 1u);  // above half: the smallest
}

TEST(Precision, Bf16RoundsToNearestEven) {
    EXPECT_EQ(bf16_bits(1.0f), 0x3f80u);
    EXPECT_EQ(bf16_bits(1.00390625f), 0x3f80u);  // exactly halfway, 0x3f80 is even
    EXPECT_EQ(bf16_bits(1.01171875f), 0x3f82u);  // halfway between 0x3f81 and 0x3f82: even
    EXPECT_EQ(bf16_bits(1.00390637f), 0x3f81u);  // just above halfway
    EXPECT_TRUE(std::isnan(bf16_value(bf16_bits(std::numeric_limits<float>::quiet_NaN()))));
    EXPECT_EQ(round_to(Precision::kFp32, 1.1f), 1.1f);
    EXPECT_EQ(round_to(Precision::kBf16, 1.00390625f), 1.0f);
}

TEST(Precision, MemoryElementsAreLittleEndianPatterns) {
    uint8_t b[4] = {};
    store_float(Precision::kFp16, b, 1.0f);  // 0x3c00
    EXPECT_EQ(b[0], 0x00);
    EXPECT_EQ(b[1], 0x3c);
    EXPECT_EQ(load_float(Precision::kFp16, b), 1.0f);
    store_float(Precision::kFp32, b, -2.5f);
    float f = 0;
    std::memcpy(&f, b, 4);
    EXPECT_EQ(f, -2.5f);
    EXPECT_EQ(load_float(Precision::kFp32, b), -2.5f);
    store_float(Precision::kBf16, b, 3.0f);
    EXPECT_EQ(load_float(Precision::kBf16, b), 3.0f);
    EXPECT_EQ(float_from_bits(Precision::kBf16, float_bits(Precision::kBf16, 3.0f)), 3.0f);
}

}  // namespace
}  // namespace npu

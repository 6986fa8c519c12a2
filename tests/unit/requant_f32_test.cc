// The float32 (ONNX Runtime MLAS) requantization formulas on hand-computed edge cases: ties,
// saturation, negative zero points, huge and tiny scales, uint8-origin zero points, and the
// places where MLAS's order of operations gives a different byte than exact arithmetic.
#include "sim/core/requant_f32.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include "sim/core/requant.h"

namespace npu {
namespace {

constexpr int32_t kMin = std::numeric_limits<int32_t>::min();
constexpr float kInf = std::numeric_limits<float>::infinity();
const float kNaN = std::nanf("");

TEST(RequantF32, CvtIsRoundHalfEvenWithIntegerIndefinite) {
    EXPECT_EQ(cvt_f32_to_i32(2.5f), 2);
    EXPECT_EQ(cvt_f32_to_i32(3.5f), 4);
    EXPECT_EQ(cvt_f32_to_i32(-2.5f), -2);
    EXPECT_EQ(cvt_f32_to_i32(-0.5f), 0);
    EXPECT_EQ(cvt_f32_to_i32(2.4999998f), 2);
    EXPECT_EQ(cvt_f32_to_i32(-2147483648.0f), kMin);       // -2^31 is in range
    EXPECT_EQ(cvt_f32_to_i32(2147483520.0f), 2147483520);  // the largest float below 2^31
    EXPECT_EQ(cvt_f32_to_i32(2147483648.0f), kMin);        // 2^31: out of range
    EXPECT_EQ(cvt_f32_to_i32(-3e9f), kMin);
    EXPECT_EQ(cvt_f32_to_i32(kInf), kMin);
    EXPECT_EQ(cvt_f32_to_i32(kNaN), kMin);
}

TEST(RequantF32, RescaleMultipliesThenDivides) {
    // f32(f32(sx * sw) / so): 0.026251834 * 0.050048072 = 0.0013138472 (f32), / 0.23025063 =
    // 0.0057061892 (f32); sx * f32(sw / so) would give 0.0057061897.
    const float m = f32_rescale(0.026251833885908127, 0.05004807189106941, 0.23025062680244446);
    EXPECT_EQ(m, 0.005706189200282097f);
    EXPECT_NE(m, 0.026251833885908127f * (0.05004807189106941f / 0.23025062680244446f));
    // The IR's doubles are read as float32 first: 0.1 (double) -> 0.1f.
    EXPECT_EQ(f32_rescale(0.1, 1.0, 1.0), 0.1f);
    // Global average pool: sx / (so * N) = 0.5 / (0.25 * 3) = 0.6666667f.
    EXPECT_EQ(f32_global_avgpool_scale(0.5, 0.25, 3), 0.5f / 0.75f);
}

TEST(RequantF32, RequantizeTiesToEvenAfterTheFloatProduct) {
    EXPECT_EQ(requantize_f32(5, 0.5f, 0, -128, 127), 2);    // 2.5 -> 2
    EXPECT_EQ(requantize_f32(7, 0.5f, 0, -128, 127), 4);    // 3.5 -> 4
    EXPECT_EQ(requantize_f32(-5, 0.5f, 0, -128, 127), -2);  // -2.5 -> -2
    EXPECT_EQ(requantize_f32(5, 0.5f, -3, -128, 127), -1);  // 2 + (-3)
    // m = 11744051 * 2^-24 = 0.69999999 (exact in float). 5 * m = 3.5 - 2^-24 exactly, but the
    // float product rounds to 3.5 (floats in [2, 4) are 2^-22 apart), a tie, so 4. The exact
    // one-rounding fixed-point path sees 3.49999994 and gives 3.
    const float m = std::ldexp(11744051.0f, -24);
    EXPECT_EQ(requantize_f32(5, m, 0, -128, 127), 4);
    const QuantMultiplier q = quantize_multiplier(double{m});
    EXPECT_EQ(requantize(5, q.multiplier, q.shift, 0, -128, 127, Rounding::kHalfEven), 3);
}

TEST(RequantF32, RequantizeSaturatesAroundTheZeroPoint) {
    // Clamped in float to [-128 - zp, 127 - zp] before rounding, then + zp.
    EXPECT_EQ(requantize_f32(1000, 1.0f, 10, -128, 127), 127);     // min(1000, 117) + 10
    EXPECT_EQ(requantize_f32(-1000, 1.0f, -10, -128, 127), -128);  // max(-1000, -118) - 10
    EXPECT_EQ(requantize_f32(254, 0.5f, -128, -128, 127), -1);     // 127 - 128
    EXPECT_EQ(requantize_f32(300, 1.0f, 127, -128, 127), 127);
    // The fused activation clamps last (ReLU with zero point -5: [-5, 127]).
    EXPECT_EQ(requantize_f32(-40, 0.25f, -5, -5, 127), -5);
}

TEST(RequantF32, RequantizeHugeAndTinyScales) {
    const float huge = f32_rescale(1e30, 1e30, 1e-30);  // overflows to +inf in float32
    ASSERT_EQ(huge, kInf);
    EXPECT_EQ(requantize_f32(1, huge, 0, -128, 127), 127);
    EXPECT_EQ(requantize_f32(-1, huge, 3, -128, 127), -128);
    // 0 * inf = NaN: MAXPS returns the bound for a NaN, so the bottom of the range.
    EXPECT_EQ(requantize_f32(0, huge, 3, -128, 127), -128);
    const float tiny = 1e-40f;  // a denormal
    EXPECT_EQ(requantize_f32(std::numeric_limits<int32_t>::max(), tiny, 7, -128, 127), 7);
    // Accumulators beyond 2^24 lose bits converting to float: 16777219 -> 16777220 (a tie, to
    // the even mantissa); times 2^-18 = 64.000015 -> 64.
    EXPECT_EQ(static_cast<float>(16777219), 16777220.0f);
    EXPECT_EQ(requantize_f32(16777219, std::ldexp(1.0f, -18), 0, -128, 127), 64);
}

TEST(RequantF32, MulAddsTheZeroPointInFloat) {
    // 1 * 0.5 = 0.5; + 1 = 1.5 -> 2 (mul), while round(0.5) + 1 = 1 (the generic formula).
    EXPECT_EQ(mul_requantize_f32(1, 0.5f, 1, 0, -128, 127), 2);
    EXPECT_EQ(requantize_f32(1, 0.5f, 1, -128, 127), 1);
    // uint8 origin: 0.5 + 2^-20 plus zero point 2 = 2.50000095 (exact in float) -> 3; the same
    // tensor as uint8 has zero point 130, and 130.50000095 rounds to 130.5 in float (ulp 2^-16),
    // a tie -> 130, which is 2 as int8.
    const float r = 0.5f + std::ldexp(1.0f, -20);
    EXPECT_EQ(mul_requantize_f32(1, r, 2, 0, -128, 127), 3);
    EXPECT_EQ(mul_requantize_f32(1, r, 2, 128, -128, 127), 2);
    // Saturation through PACKSSDW/PACKSSWB (uint8: PACKUSWB, [0, 255] = [-128, 127] as int8).
    EXPECT_EQ(mul_requantize_f32(65025, 1.0f, 0, 0, -128, 127), 127);
    EXPECT_EQ(mul_requantize_f32(-65025, 1.0f, 0, 128, -128, 127), -128);
    EXPECT_EQ(mul_requantize_f32(-3, 1.0f, -126, 0, -128, 127), -128);  // -129 saturates
    // Overflow: 65025 * 1e30 = inf -> INT32_MIN -> the bottom, not the top.
    EXPECT_EQ(mul_requantize_f32(65025, 1e30f, 0, 0, -128, 127), -128);
}

TEST(RequantF32, AddRoundsTheQuotientAndClampsAsIntegers) {
    // (1 * 0.5 + 0 * 1) / 1 = 0.5 -> 0; + 3.
    EXPECT_EQ(add_requantize_f32(add_partial_f32(1, 0.5f, 0, 1.0f), 1.0f, 3, -128, 127), 3);
    // (3 * 0.5 + 0) / 1 = 1.5 -> 2; zero point -4 -> -2.
    EXPECT_EQ(add_requantize_f32(add_partial_f32(3, 0.5f, 0, 1.0f), 1.0f, -4, -128, 127), -2);
    // Each product rounds before the sum: 1 * 0.1f + 2 * 0.1f = 0.1f + 0.2f = 0.3f (0.30000001),
    // / 0.1f = 3.0000002 -> 3.
    EXPECT_EQ(add_partial_f32(1, 0.1f, 2, 0.1f), 0.1f + 0.2f);
    EXPECT_EQ(add_requantize_f32(0.1f + 0.2f, 0.1f, 0, -128, 127), 3);
    // Integer clamps: 200 - zp 10 -> min(200, 117) + 10 = 127.
    EXPECT_EQ(add_requantize_f32(200.0f, 1.0f, 10, -128, 127), 127);
    EXPECT_EQ(add_requantize_f32(-200.0f, 1.0f, -10, -128, 127), -128);
    // A quotient beyond int32 converts to INT32_MIN, so a huge positive sum gives -128 (the
    // AVX2 kernel clamps after the conversion), and so does NaN (inf - inf).
    EXPECT_EQ(add_requantize_f32(3e9f, 1.0f, 0, -128, 127), -128);
    EXPECT_EQ(add_requantize_f32(add_partial_f32(1, kInf, -1, kInf), 1.0f, 5, -128, 127), -128);
    // Activation last: ReLU with zero point 0.
    EXPECT_EQ(add_requantize_f32(-7.0f, 1.0f, 0, 0, 127), 0);
}

TEST(RequantF32, AveragePoolMeanAndQuantization) {
    // Dequantize: f32(q - zp) * s; q = -128 with zero point 127 is -255 steps.
    EXPECT_EQ(dequantize_f32(-128, 127, 0.5f), -127.5f);
    // Sum from 0 in order, divided by the count: (0.1 + 0.2 + 0.4) / 3 in float.
    const float v[3] = {0.1f, 0.2f, 0.4f};
    EXPECT_EQ(avgpool_mean_f32(v, 3), ((0.1f + 0.2f) + 0.4f) / 3.0f);
    // mean / so + zp in float, then rounded: 0.25 / 0.5 + 1 = 1.5 -> 2.
    EXPECT_EQ(avgpool_requantize_f32(0.25f, 0.5f, 1, 0, -128, 127), 2);
    // uint8 origin changes the float sum's rounding as for mul: 0.5 + 2^-20 + 2 -> 3, but
    // + 130 -> 130.5 -> 130 (2 as int8).
    const float m = 0.5f + std::ldexp(1.0f, -20);
    EXPECT_EQ(avgpool_requantize_f32(m, 1.0f, 2, 0, -128, 127), 3);
    EXPECT_EQ(avgpool_requantize_f32(m, 1.0f, 2, 128, -128, 127), 2);
    EXPECT_EQ(avgpool_requantize_f32(1000.0f, 1.0f, 0, 128, -128, 127), 127);
    EXPECT_EQ(avgpool_requantize_f32(-1000.0f, 1.0f, 0, 128, -128, 127), -128);
}

TEST(RequantF32, QuantizeLinearDividesAndSaturates) {
    // 0.5 / f32(1/255) = 127.49999 in float (the float scale is slightly above 1/255) -> 127.
    EXPECT_EQ(quantize_linear_f32(0.5f, 1.0f / 255.0f, 0), 127);
    EXPECT_EQ(quantize_linear_f32(0.25f, 0.5f, 0), 0);        // 0.5 -> 0 (even)
    EXPECT_EQ(quantize_linear_f32(0.75f, 0.5f, 0), 2);        // 1.5 -> 2
    EXPECT_EQ(quantize_linear_f32(0.75f, 0.5f, -1), 1);       // 2 - 1
    EXPECT_EQ(quantize_linear_f32(100.0f, 0.5f, -100), 100);  // min(200, 227) - 100
    EXPECT_EQ(quantize_linear_f32(1000.0f, 0.5f, 10), 127);   // min(2000, 117) + 10
    EXPECT_EQ(quantize_linear_f32(-1000.0f, 0.5f, -10), -128);
    EXPECT_EQ(quantize_linear_f32(kInf, 1.0f, 0), 127);
    EXPECT_EQ(quantize_linear_f32(-kInf, 1.0f, 0), -128);
    EXPECT_EQ(quantize_linear_f32(kNaN, 1.0f, 3), -128);  // MAXPS: the lower bound
}

TEST(RequantF32, PostprocessDispatchesOnTheFormula) {
    F32Requant p;
    p.scale = {0.5f, 0.25f};
    EXPECT_EQ(postprocess_f32(6, 1, p, 0, -128, 127), 2);  // 6 * 0.25 = 1.5 -> 2
    p.formula = F32Formula::kMul;
    EXPECT_EQ(postprocess_f32(1, 0, p, 1, -128, 127), 2);
    p.formula = F32Formula::kAdd;
    p.out_scale = 2.0f;
    EXPECT_EQ(postprocess_f32(f32_bits(5.0f), 0, p, 0, -128, 127), 2);  // 2.5 -> 2
    p.formula = F32Formula::kAvgPool;
    EXPECT_EQ(postprocess_f32(f32_bits(7.0f), 0, p, 0, -128, 127), 4);  // 3.5 -> 4
    EXPECT_EQ(f32_from_bits(f32_bits(-0.0f)), -0.0f);
    EXPECT_TRUE(std::signbit(f32_from_bits(f32_bits(-0.0f))));
}

// QLinearSoftmax's table: entry 0 (the row's maximum) is FLT_MAX / row_len * e^-5 (the headroom
// ORT reserves so the float sum cannot overflow), each further code one factor exp(-sx) down.
TEST(RequantF32, SoftmaxTableLeavesHeadroomBelowFloatMax) {
    const std::vector<float> t = softmax_table_f32(0.125, 64);
    ASSERT_EQ(t.size(), 256u);
    const double top = 3.4028234663852886e38 / 64 * std::exp(-5.0);
    EXPECT_NEAR(t[0] / top, 1.0, 1e-6);
    for (size_t k = 0; k + 1 < t.size(); ++k) EXPECT_NEAR(t[k + 1] / t[k], std::exp(-0.125), 1e-6);
    // A scale so large that exp underflows: the far entries are 0, the maximum's is not.
    const std::vector<float> z = softmax_table_f32(10.0, 4);
    EXPECT_GT(z[0], 0.0f);
    EXPECT_EQ(z[255], 0.0f);
}

// The row: with so = 1/256, Y = floor(1.0f / so) = 256, so a value far above the rest of its
// row gives 256 and two equal values 128 each. uint8 tensors saturate at 255; int8 tensors wrap
// as ORT's static_cast<int8_t> does (256 - 128 = 128 -> -128).
TEST(RequantF32, SoftmaxRowSaturatesInUint8AndWrapsInInt8) {
    F32Requant p;
    p.formula = F32Formula::kSoftmax;
    p.table = softmax_table_f32(1.0, 4);  // t[100] / t[0] = e^-100: nothing next to 256
    p.out_scale = std::floor(1.0f / (1.0f / 256.0f));
    ASSERT_EQ(p.out_scale, 256.0f);
    const int8_t peak[4] = {100, 0, 0, 0};
    int8_t out[4] = {};
    p.zp_offset = 128;  // uint8 zero point 0 = int8 code -128
    qlinear_softmax_row(peak, 4, p, -128, out);
    EXPECT_EQ(out[0], 127);   // min(256 + 0, 255) - 128
    EXPECT_EQ(out[1], -128);  // 0
    p.zp_offset = 0;          // int8, zero point -128
    qlinear_softmax_row(peak, 4, p, -128, out);
    EXPECT_EQ(out[0], -128);  // 256 - 128 = 128 wraps
    EXPECT_EQ(out[1], -128);
    p.table = softmax_table_f32(0.1, 2);
    const int8_t two[2] = {-3, -3};
    qlinear_softmax_row(two, 2, p, -128, out);
    EXPECT_EQ(out[0], 0);  // 128 - 128
    EXPECT_EQ(out[1], 0);
    // One code below the maximum: t1 / (t0 + t1) * 256 with t1 / t0 = exp(-0.1).
    const int8_t pair[2] = {7, 6};
    qlinear_softmax_row(pair, 2, p, -128, out);
    const double e = std::exp(-0.1);
    EXPECT_EQ(out[0], static_cast<int>(std::nearbyint(256 / (1 + e))) - 128);      // 134 - 128
    EXPECT_EQ(out[1], static_cast<int>(std::nearbyint(256 * e / (1 + e))) - 128);  // 122 - 128
    // A row of one value: t0 = FLT_MAX * e^-5 and t0 * 256 is infinite; ORT leaves the zero point.
    p.table = softmax_table_f32(0.1, 1);
    qlinear_softmax_row(pair, 1, p, -128, out);
    EXPECT_EQ(out[0], -128);
    p.zp_offset = 128;
    qlinear_softmax_row(pair, 1, p, -128, out);
    EXPECT_EQ(out[0], -128);
}

}  // namespace
}  // namespace npu

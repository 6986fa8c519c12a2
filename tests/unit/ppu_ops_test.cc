#include "sim/core/ppu_ops.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <vector>

#include "sim/core/requant.h"

namespace npu {
namespace {

TEST(PpuOps, RoundHalfEvenIgnoresTheRoundingMode) {
    EXPECT_EQ(round_half_even(0.5), 0.0);
    EXPECT_EQ(round_half_even(1.5), 2.0);
    EXPECT_EQ(round_half_even(2.5), 2.0);
    EXPECT_EQ(round_half_even(-1.5), -2.0);
    EXPECT_EQ(round_half_even(-2.5), -2.0);
    EXPECT_EQ(round_half_even(2.4f), 2.0f);
    EXPECT_EQ(round_half_even(-2.6f), -3.0f);
}

TEST(PpuOps, RoundingDivideTiesAwayFromZero) {
    EXPECT_EQ(rounding_divide(5, 2), 3);    // 2.5
    EXPECT_EQ(rounding_divide(-5, 2), -3);  // -2.5
    EXPECT_EQ(rounding_divide(7, 3), 2);    // 2.33
    EXPECT_EQ(rounding_divide(8, 3), 3);    // 2.67
    EXPECT_EQ(rounding_divide(-8, 3), -3);
    EXPECT_EQ(rounding_divide(0, 4), 0);
    EXPECT_EQ(rounding_divide(-1, 4), 0);  // -0.25
}

TEST(PpuOps, SoftmaxOfTwoValuesThreeToOne) {
    // v = [ln 3, 0] -> e = [1, 1/3] -> p = [0.75, 0.25]; out scale 1/256, zp -128:
    // 0.75 * 256 - 128 = 64, 0.25 * 256 - 128 = -64.
    const std::vector<int8_t> x = {1, 0};
    std::vector<int8_t> out(2);
    softmax_row(x.data(), 2, std::log(3.0), 0, 1.0 / 256, -128, out.data());
    EXPECT_EQ(out, (std::vector<int8_t>{64, -64}));
    // Equal inputs: 1/4 each -> 64 - 128 = -64, whatever the scale and zero point.
    const std::vector<int8_t> same = {7, 7, 7, 7};
    std::vector<int8_t> out4(4);
    softmax_row(same.data(), 4, 0.37, 3, 1.0 / 256, -128, out4.data());
    EXPECT_EQ(out4, (std::vector<int8_t>(4, -64)));
}

TEST(PpuOps, SoftmaxRowsSumToOne) {
    std::vector<int8_t> x(50);
    for (size_t i = 0; i < x.size(); ++i) x[i] = static_cast<int8_t>((i * 37) % 256 - 128);
    std::vector<float> p(x.size());
    softmax_row_real(x.data(), 50, 0.05, -10, p.data());
    float sum = 0.0f;
    for (float v : p) sum += v;
    EXPECT_NEAR(sum, 1.0f, 1e-6f);
    // Quantized with scale 1/256: each code is off by at most 1/2, so the sum is within 25/256.
    std::vector<int8_t> q(x.size());
    softmax_row(x.data(), 50, 0.05, -10, 1.0 / 256, -128, q.data());
    int total = 0;
    for (int8_t v : q) total += v + 128;
    EXPECT_NEAR(total, 256, 25);
}

TEST(PpuOps, LayerNormOfAPair) {
    // v = [-1, 1]: mean 0, var 1, d = sqrt(1 + 1e-5); y = -+0.999995. Scale 0.01: -+99.9995 ->
    // -+100. With beta 0.5: 1.499995 / 0.01 saturates to 127; -0.499995 / 0.01 -> -50.
    const std::vector<int8_t> x = {-1, 1};
    const std::vector<float> g = {1.0f, 1.0f};
    const std::vector<float> b0 = {0.0f, 0.0f};
    const std::vector<float> b5 = {0.5f, 0.5f};
    std::vector<int8_t> out(2);
    layernorm_row(x.data(), 2, 1.0, 0, g.data(), b0.data(), 0.01, 0, out.data());
    EXPECT_EQ(out, (std::vector<int8_t>{-100, 100}));
    layernorm_row(x.data(), 2, 1.0, 0, g.data(), b5.data(), 0.01, 0, out.data());
    EXPECT_EQ(out, (std::vector<int8_t>{-50, 127}));
    // Zero point shifts the codes: 5 + x, same values.
    const std::vector<int8_t> xs = {4, 6};
    layernorm_row(xs.data(), 2, 1.0, 5, g.data(), b0.data(), 0.01, 3, out.data());
    EXPECT_EQ(out, (std::vector<int8_t>{-97, 103}));
}

TEST(PpuOps, RmsNorm) {
    // v = [3, -4]: ms = 12.5, d = sqrt(12.50001) = 3.5355353; gamma [1, 2]:
    // y = [0.848528, -2.262742]; scale 0.02 -> [42.43, -113.14] -> [42, -113].
    const std::vector<int8_t> x = {3, -4};
    const std::vector<float> g = {1.0f, 2.0f};
    std::vector<int8_t> out(2);
    rmsnorm_row(x.data(), 2, 1.0, 0, g.data(), 0.02, 0, out.data());
    EXPECT_EQ(out, (std::vector<int8_t>{42, -113}));
}

TEST(PpuOps, GeluAndSiluTables) {
    // Scales 0.1 in and out, zero points 0: entry q + 128 holds round(f(q / 10) * 10).
    const auto gelu = build_lut(LutFunction::kGelu, 0.1, 0, 0.1, 0);
    ASSERT_EQ(gelu.size(), 256u);
    EXPECT_EQ(gelu[128 + 10], 8);   // gelu(1) = 0.841345
    EXPECT_EQ(gelu[128 - 10], -2);  // gelu(-1) = -0.158655 -> -1.59
    EXPECT_EQ(gelu[128 + 0], 0);
    EXPECT_EQ(gelu[128 + 127], 127);  // gelu(12.7) = 12.7
    EXPECT_EQ(gelu[0], 0);            // gelu(-12.8) ~ -1e-36
    const auto silu = build_lut(LutFunction::kSilu, 0.1, 0, 0.1, 0);
    EXPECT_EQ(silu[128 + 10], 7);   // silu(1) = 0.731059
    EXPECT_EQ(silu[128 - 10], -3);  // silu(-1) = -0.268941 -> -2.69
    // Zero points: input zp 10 makes code 20 mean 1.0; output zp -5 shifts the result.
    const auto shifted = build_lut(LutFunction::kSilu, 0.1, 10, 0.1, -5);
    EXPECT_EQ(shifted[128 + 20], 2);
    // Saturation: silu(12.7) / 0.01 = 1270 -> 127; silu(-1.28) = -0.278 / 0.001 -> -128.
    EXPECT_EQ(build_lut(LutFunction::kSilu, 0.1, 0, 0.01, 0)[255], 127);
    EXPECT_EQ(build_lut(LutFunction::kSilu, 0.01, 0, 0.001, 0)[0], -128);
}

TEST(PpuOps, AddOnACommonGrid) {
    // sx 0.5, sy 0.25, so 0.5: twice = 1, mx = 0.5, my = 0.25, mo = 1 / (2^20 * 0.5) = 2^-19.
    const AddMultipliers m = add_multipliers(0.5, 0.25, 0.5);
    EXPECT_EQ(m.x.multiplier, 1 << 30);  // 0.5 = 2^30 * 2^-31
    EXPECT_EQ(m.x.shift, 0);
    EXPECT_EQ(m.y.shift, 1);  // 0.25 = 2^30 * 2^-32
    // x - zx = 2 -> 2^21 * 0.5 = 2^20; y - zy = 4 -> 2^22 * 0.25 = 2^20; acc = 2^21.
    const int32_t acc = add_accumulate(3, 1, m.x, 5, 1, m.y, Rounding::kHalfEven);
    EXPECT_EQ(acc, 1 << 21);
    // out = 2^21 * 2^-19 = 4 (real 2.0 = 0.5 * 2 + 0.25 * 4).
    EXPECT_EQ(requantize(acc, m.out.multiplier, m.out.shift, 0, -128, 127, Rounding::kHalfEven), 4);
}

TEST(PpuOps, AddOutputTieFollowsTheRoundingMode) {
    // sx = sy = 1, so = 2: twice = 2, mx = my = 0.5, mo = 2 / (2^20 * 2) = 2^-20.
    // x - zx = 1, y - zy = 0: acc = 2^19, out = 0.5 exactly.
    const AddMultipliers m = add_multipliers(1.0, 1.0, 2.0);
    const int32_t acc = add_accumulate(1, 0, m.x, 0, 0, m.y, Rounding::kHalfEven);
    EXPECT_EQ(acc, 1 << 19);
    const auto out = [&](Rounding r) {
        return requantize(acc, m.out.multiplier, m.out.shift, 0, -128, 127, r);
    };
    EXPECT_EQ(out(Rounding::kHalfEven), 0);
    EXPECT_EQ(out(Rounding::kHalfUp), 1);
    EXPECT_EQ(out(Rounding::kTflite), 1);
    // requant0 keeps the full int32 range: no clamp to int8.
    EXPECT_EQ(requant0(1 << 28, quantize_multiplier(0.5), Rounding::kHalfEven), 1 << 27);
    EXPECT_EQ(requant0(-(1 << 28), quantize_multiplier(0.5), Rounding::kHalfEven), -(1 << 27));
}

}  // namespace
}  // namespace npu

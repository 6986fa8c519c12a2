// The post-processing unit's element-wise and row-wise arithmetic, shared by the reference
// executor (sim/ref) and the PPU model (models/) so both produce the same bytes. Semantics are
// docs/operators.md; this file fixes what that text leaves to an implementation: the order of
// every float operation (softmax, layernorm, rmsnorm run in float32, strictly in row order), the
// double-precision LUT builder for gelu/silu, and the integer helpers of add and avgpool.
// Plain numbers in and out: core is the lowest layer and knows no graph types.
#pragma once

#include <cstdint>
#include <vector>

#include "sim/core/requant.h"
#include "sim/core/types.h"

namespace npu {

// Round to nearest, ties to even, independent of the floating-point environment's rounding mode.
[[nodiscard]] float round_half_even(float v);
[[nodiscard]] double round_half_even(double v);

// clamp(round_half_even(y / out_scale) + out_zp, -128, 127) for each of n floats, where the
// division is in float32 (out_scale is converted to float first). NaN maps to out_zp.
void quantize_floats(const float* y, int n, double out_scale, int32_t out_zp, int8_t* out);

// Softmax of one row of n int8 values: v = float(in_scale) * (x - in_zp), e = std::exp(v - max),
// p = e / sum(e) with the sum accumulated in float32 from index 0 up. softmax_row_real writes p;
// softmax_row also quantizes it with quantize_floats.
void softmax_row_real(const int8_t* x, int n, double in_scale, int32_t in_zp, float* p);
void softmax_row(const int8_t* x, int n, double in_scale, int32_t in_zp, double out_scale,
                 int32_t out_zp, int8_t* out);

inline constexpr float kNormEpsilon = 1e-5f;

// LayerNorm of one row in float32: v as for softmax; mean = (sum v) / n; var = (sum (v -
// mean)^2) / n (both sums in index order); d = std::sqrt(var + 1e-5f);
// y[i] = (v[i] - mean) / d * gamma[i] + beta[i].
void layernorm_row_real(const int8_t* x, int n, double in_scale, int32_t in_zp, const float* gamma,
                        const float* beta, float* y);
void layernorm_row(const int8_t* x, int n, double in_scale, int32_t in_zp, const float* gamma,
                   const float* beta, double out_scale, int32_t out_zp, int8_t* out);

// RMSNorm of one row in float32: ms = (sum v^2) / n; d = std::sqrt(ms + 1e-5f);
// y[i] = v[i] / d * gamma[i].
void rmsnorm_row_real(const int8_t* x, int n, double in_scale, int32_t in_zp, const float* gamma,
                      float* y);
void rmsnorm_row(const int8_t* x, int n, double in_scale, int32_t in_zp, const float* gamma,
                 double out_scale, int32_t out_zp, int8_t* out);

enum class LutFunction { kGelu, kSilu };

// f in double: gelu(v) = 0.5 v (1 + erf(v / sqrt 2)), silu(v) = v / (1 + exp(-v)).
[[nodiscard]] double lut_function(LutFunction f, double v);

// 256 entries, entry q + 128 for input code q:
// clamp(round_half_even(f(in_scale * (q - in_zp)) / out_scale) + out_zp, -128, 127), in double.
[[nodiscard]] std::vector<int8_t> build_lut(LutFunction f, double in_scale, int32_t in_zp,
                                            double out_scale, int32_t out_zp);

// Quantized add (TFLite's int8 scheme). Both inputs are scaled to a common 2^-20 * twice grid,
// twice = 2 * max(sx, sy); the output multiplier goes into the layer's requant as usual.
inline constexpr int kAddLeftShift = 20;
struct AddMultipliers {
    QuantMultiplier x;    // sx / twice
    QuantMultiplier y;    // sy / twice
    QuantMultiplier out;  // twice / (2^20 * so)
};
[[nodiscard]] AddMultipliers add_multipliers(double x_scale, double y_scale, double out_scale);

// requant with zero point 0 and no clamp (the full int32 range): docs/operators.md's requant0.
[[nodiscard]] int32_t requant0(int32_t acc, QuantMultiplier m, Rounding mode);

// The add's accumulator: requant0((x - zx) << 20, mx) + requant0((y - zy) << 20, my).
[[nodiscard]] int32_t add_accumulate(int8_t x, int32_t x_zp, QuantMultiplier mx, int8_t y,
                                     int32_t y_zp, QuantMultiplier my, Rounding mode);

// avgpool's division: s / count rounded to nearest, ties away from zero. count > 0.
[[nodiscard]] int32_t rounding_divide(int32_t s, int32_t count);

// The row functions on real (float) inputs, as a float vector unit and the float reference
// compute them: the same float32 operations in the same order as the *_row_real functions, v
// being the input value instead of sx * (x - zx).
void softmax_row_f32(const float* x, int n, float* p);
void layernorm_row_f32(const float* x, int n, const float* gamma, const float* beta, float* y);
void rmsnorm_row_f32(const float* x, int n, const float* gamma, float* y);

// The float form of a 256-entry int8 table (a `lookup` layer, which has no function behind it):
// q = clamp(round_half_even(x / in_scale) + in_zp, -128, 127) in double, y = lut[q + 128],
// result float(out_scale * (y - out_zp)).
[[nodiscard]] float lookup_real(float x, const int8_t* lut, double in_scale, int32_t in_zp,
                                double out_scale, int32_t out_zp);

}  // namespace npu

// Float32 requantization exactly as ONNX Runtime's x86 kernels (MLAS) compute it
// (`postproc.requant: float32`). Each function reproduces one MLAS routine operation for
// operation, in IEEE float32 with round-to-nearest-even, so the simulated datapath and the
// reference executor produce the bytes ORT produces. The sources, and the order of every
// operation, are in docs/operators.md ("Float32 requantization (ONNX Runtime)").
//
// The arithmetic lives in requant_f32.cc, compiled with -ffp-contract=off: a fused multiply-add
// would round once where MLAS rounds twice. x86's float->int conversion (CVTPS2DQ) is emulated:
// round to nearest even, and a NaN or a value outside int32 becomes INT32_MIN ("integer
// indefinite"), which MLAS's later clamps then map to the bottom of the output range.
// Plain numbers in and out, like requant.h: core knows no graph types.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace npu {

// Which MLAS formula the post-processing unit applies to a layer's accumulators.
enum class F32Formula : uint8_t {
    kScale,    // MlasRequantizeOutput: conv, gemm, matmul, depthwise, maxpool, global avgpool
    kMul,      // QLinearMul (qlmul.cpp, SSE2): the zero point is added in float
    kAdd,      // QLinearAdd (QLinearBinaryOpKernelAvx2.S): accumulators hold fp32 fa + fb
    kAvgPool,  // QLinearAveragePool (contrib qlinear_pool.cc): accumulators hold the fp32 mean
    kSoftmax,  // QLinearSoftmax (contrib qlinear_softmax.cc): a row op on the vector unit
};

[[nodiscard]] const char* to_string(F32Formula f);

// One layer's float32 post-processing parameters (the layer descriptor's copy is what the PPU
// reads). All scales are float32, as ORT holds them.
struct F32Requant {
    F32Formula formula = F32Formula::kScale;
    // kScale: the multiplier per output channel; kMul: the ratio (one per channel, all equal).
    std::vector<float> scale;
    float x_scale = 1.0f;    // kAdd: sa; kAvgPool: sx (the vector unit dequantizes with it)
    float y_scale = 1.0f;    // kAdd: sb
    float out_scale = 1.0f;  // kAdd, kAvgPool: so (divided by)
    // kMul, kAvgPool add the output zero point in float before rounding, so the result depends
    // on the zero point's value in the source model's type: 128 when the output tensor is uint8
    // there (its int8 codes are the uint8 codes - 128), else 0.
    int32_t zp_offset = 0;
    // kSoftmax: the exponential table by distance from the row's maximum (softmax_table_f32);
    // out_scale holds floor(1 / so).
    std::vector<float> table;
};

// ORT's per-channel multiplier: f32(f32(f32(in) * f32(w)) / f32(out)) (qlinearconv.cc,
// quantize_linear_matmul.cc, qlmul.cpp's ratio, QGemm with alpha 1). Pass w = 1 for a
// single-scale rescale (maxpool: f32(in / out)).
[[nodiscard]] float f32_rescale(double in_scale, double w_scale, double out_scale);

// QLinearGlobalAveragePool's multiplier: f32(f32(in) / f32(f32(out) * f32(count))).
[[nodiscard]] float f32_global_avgpool_scale(double in_scale, double out_scale, int64_t count);

// x86 CVTPS2DQ under the default MXCSR: round half to even; NaN, or |v| >= 2^31, gives INT32_MIN.
[[nodiscard]] int32_t cvt_f32_to_i32(float v);

// MlasRequantizeOutput (quantize.cpp; the ConvSym kernels do the same): v = f32(acc) * scale;
// v = max(v, -128 - zp); v = min(v, 127 - zp) (SSE MAXPS/MINPS: a NaN becomes the bound);
// q = cvt(v) + zp; then the fused activation's [act_min, act_max].
[[nodiscard]] int32_t requantize_f32(int32_t acc, float scale, int32_t out_zp, int32_t act_min,
                                     int32_t act_max);

// QLinearMul's output (qlmul.cpp MlasQLinearMulVectorS16): v = f32(f32(product) * ratio) +
// f32(zp + zp_offset); q = cvt(v) saturated to [-128, 127] + zp_offset, less zp_offset; then
// [act_min, act_max]. product = (x - zx) * (y - zy), exact.
[[nodiscard]] int32_t mul_requantize_f32(int32_t product, float ratio, int32_t out_zp,
                                         int32_t zp_offset, int32_t act_min, int32_t act_max);

// QLinearAdd (AVX2 kernel), first half, the vector unit's: f32(dx) * sa + f32(dy) * sb with
// dx = x - zx, dy = y - zy (each product rounded, then the sum).
[[nodiscard]] float add_partial_f32(int32_t dx, float sa, int32_t dy, float sb);
// Second half, the PPU's: q = cvt(sum / so); q = min(max(q, -128 - zp), 127 - zp) (integer
// clamps, after the conversion); q + zp; then [act_min, act_max].
[[nodiscard]] int32_t add_requantize_f32(float sum, float out_scale, int32_t out_zp,
                                         int32_t act_min, int32_t act_max);

// DequantizeLinear (quantize_linear.cc): f32(q - zp) * scale.
[[nodiscard]] float dequantize_f32(int32_t q, int32_t zp, float scale);

// QLinearAveragePool's mean of one window: the dequantized values (dequantize_f32) summed in
// float from 0 in window order, divided by f32(count).
[[nodiscard]] float avgpool_mean_f32(const float* values, int count);
// Its quantization (qlinear_pool.cc quantize_value): q = cvt(nearbyint(mean / so + f32(zp +
// zp_offset))) clamped to [-128, 127] + zp_offset, less zp_offset; then [act_min, act_max].
[[nodiscard]] int32_t avgpool_requantize_f32(float mean, float out_scale, int32_t out_zp,
                                             int32_t zp_offset, int32_t act_min, int32_t act_max);

// QuantizeLinear (MlasQuantizeLinear, SSE2 and AVX512F kernels): v = x / scale (a division);
// v = max(v, -128 - zp); v = min(v, 127 - zp) (a NaN becomes -128 - zp); cvt(v) + zp.
[[nodiscard]] int8_t quantize_linear_f32(float x, float scale, int32_t zp);

// QLinearSoftmax (opset 13: rows along the last axis), x86 build of ORT with float tables
// (EXP_OUT_DTYPE float). Its table for rows of `row_len` values, entry k for an input k codes
// below the row's maximum (k = 0..255): b = max(0, ln(f32(FLT_MAX / f32(row_len))) - 5) / sx in
// double, t[k] = f32(exp((255 - k - 255 + b) * sx)) in double (QlinearBuildLookupTableUint32;
// uint8 and int8 index it differently but give every k the same value).
[[nodiscard]] std::vector<float> softmax_table_f32(double in_scale, int64_t row_len);
// The row (QlinearSoftmaxCPU): sum = t[xmax - x] added in float in index order; Y = floor(1.0f /
// f32(so)); v = nearbyint(f32(t * Y) / sum). uint8 tensors (zp_offset 128): out = min(v + zp_u,
// 255). int8 tensors: q = v + zp; out = 255 -> int8 wraps: q > 255 gives -1, 128..255 wrap to
// negative codes, as ORT's static_cast<int8_t> does. A row of one value with Y > e^5 overflows
// t * Y to infinity, which ORT converts to the zero point on x86-64. p: formula kSoftmax (table,
// out_scale = Y, zp_offset).
void qlinear_softmax_row(const int8_t* x, int n, const F32Requant& p, int32_t out_zp, int8_t* out);

// The 32 bits of a float, and back: kAdd and kAvgPool keep fp32 values in the int32
// accumulators.
[[nodiscard]] int32_t f32_bits(float v);
[[nodiscard]] float f32_from_bits(int32_t bits);

// The PPU in float32 mode: one accumulator word of output channel `channel` to the output code,
// by p.formula (kScale: requantize_f32 with p.scale[channel]; kMul: mul_requantize_f32 with
// p.scale[channel]; kAdd: add_requantize_f32 of the word's float; kAvgPool:
// avgpool_requantize_f32 of the word's float).
[[nodiscard]] int32_t postprocess_f32(int32_t acc_word, size_t channel, const F32Requant& p,
                                      int32_t out_zp, int32_t act_min, int32_t act_max);

}  // namespace npu

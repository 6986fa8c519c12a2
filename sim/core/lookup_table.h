// Lookup tables of element-wise int8 -> int8 functions (the `lookup` op, docs/operators.md),
// built exactly as ONNX Runtime builds the tables of QLinearSigmoid, QLinearLeakyRelu and
// QLinearConcat's requantization (QlinearBuildLookupTable): each input code is dequantized in
// float32 (in_scale * (q - in_zp)), the function is applied in float32, and the result is
// quantized as MlasQuantizeLinear does (float32 division by out_scale, clamp, round half to even,
// + out_zp). The same table comes out for uint8 and int8 tensors (zero points moved by 128).
// Plain numbers in and out (core): the ONNX importer, the loader's finishing code, the float
// reference and the float datapath use it.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace npu {

// Functions a lookup layer may name instead of giving its table (a float network's Sigmoid or
// LeakyRelu: the table follows from the scales post-training quantization chooses).
enum class LookupFunction { kNone, kSigmoid, kLeakyRelu };

[[nodiscard]] const char* to_string(LookupFunction f);

// The function in float32: sigmoid is MlasComputeLogistic as ORT runs it on x86-64 (Eigen's
// rational polynomial, the FMA3 kernel's fused multiply-adds); leaky_relu v >= 0 ? v : alpha * v.
[[nodiscard]] float lookup_function(LookupFunction f, float alpha, float v);

// The 256-entry table, entry q + 128 for input code q.
[[nodiscard]] std::vector<int8_t> build_table(const std::function<float(float)>& f, double in_scale,
                                              int32_t in_zp, double out_scale, int32_t out_zp);

}  // namespace npu

// The float reference executor: the network a workload stands for, run in floating point. This
// is the "FP32 model" that quantized runs are measured against (accuracy: SQNR, max abs error,
// top-1 agreement), and the forward pass post-training quantization calibrates with.
//
// The float model of a layer: Layer::float_weights / float_bias when the workload gave them (a
// float network), else the dequantized int8 ones (w = weight_scale[c] * q, b = in_scale *
// weight_scale[c] * bias). Inputs: the sample's real values, or the dequantized int8 input.
//
// Arithmetic at precision p (fp32, bf16, fp16): weights, biases and every stored tensor (network
// inputs and each layer's output) are rounded to p's format (npu::round_to); products and sums are
// fp32, a conv/gemm/matmul output being bias + a_0 w_0 + a_1 w_1 + ... summed one product at a time
// in the im2col reduction order (kernel row, kernel column, input channel), as the array's float
// datapath accumulates. Operator semantics follow docs/operators.md with real numbers in place of
// quantized ones (docs/precision.md lists the float forms). Fused activations (relu, relu6, clamp)
// apply in fp32 after the op, before the output is rounded to p. The row functions (softmax,
// layernorm, rmsnorm) do the float32 operations of sim/core/ppu_ops in the same order, their
// gamma/beta staying fp32; gelu/silu evaluate npu::lut_function in double, rounded to fp32. Every
// layer runs at p: a layer's own `precision` override is not consulted (this is the float model).
#pragma once

#include <vector>

#include "sim/core/precision.h"
#include "sim/graph/workload.h"

namespace npu::quant {

// One float tensor per layer output, parallel to Workload::layers (each HWC like the int8 ones).
using FloatOutputs = std::vector<std::vector<float>>;

// The layer's float weights / bias (given, or dequantized from the int8 ones:
// float(weight_scale[c] * q), float(in_scale * weight_scale[c] * bias[c]), products in double).
// Empty for layers without weights (other than conv2d/gemm). Throws std::invalid_argument when
// their sizes do not match the layer's geometry.
[[nodiscard]] std::vector<float> float_weights(const graph::Layer& layer);
[[nodiscard]] std::vector<float> float_bias(const graph::Layer& layer);

// The real values of the workload's declared inputs (dequantized int8 data: float(q - zp) *
// float(scale)), parallel to Workload::inputs. A hand-built chain without declared inputs has one:
// Workload::input, with the first layer's input quantization.
[[nodiscard]] std::vector<std::vector<float>> dequantized_inputs(const graph::Workload& wl);

// Runs the whole workload in float at precision p (is_float(p) must hold; throws
// std::invalid_argument otherwise). `inputs` parallel to Workload::inputs; nullptr: the
// dequantized int8 inputs. A batched workload (Workload::batch) runs image by image, each layer's
// outputs back to back. Throws std::invalid_argument on size mismatches.
[[nodiscard]] FloatOutputs run_float(const graph::Workload& wl, Precision p,
                                     const std::vector<std::vector<float>>* inputs = nullptr);

}  // namespace npu::quant

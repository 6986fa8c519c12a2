// The quantization of a quantized workload (docs/workloads.md "Quantization"): every layer's
// input and output quantization in order, `auto` outputs calibrated on the reference's real
// outputs, and the requantization that follows. The YAML loader records what the file asks
// (graph::LayerRequest); this computes it. Post-training quantization of float networks
// (ptq.h) finishes its layers with finish_quantization() too.
#pragma once

#include <string>

#include "sim/graph/workload.h"

namespace npu::quant {

// maxpool, avgpool, global_avgpool, reshape and concat keep their input's quantization (unless
// an `output` is given: docs/workloads.md).
[[nodiscard]] bool keeps_input_quant(graph::OpKind kind);

// The output quantization for `output: {scale: auto}` / `zero_point: auto` from the range
// [lo, hi] of real values the layer produces; the range always contains 0 so that zero is exact,
// as in TFLite's ChooseQuantizationParams. Values the activation removes need no codes: the
// range is first narrowed to what `activation` (with clamp bounds) lets through. Both auto:
// scale = (hi - lo) / 255 (1 if 0), zero point round(-128 - lo / scale) clamped to int8. Scale
// auto, zero point zp given: the smallest scale that fits both sides of zp. Scale given: the zero
// point that maps lo to -128.
[[nodiscard]] graph::QuantParams choose_output(double lo, double hi,
                                               const graph::LayerRequest& request,
                                               graph::Activation activation, double clamp_min,
                                               double clamp_max);

// The quantization a layer is finished with, given its input_quant (or input), output,
// weight_scale (conv2d/gemm) and activation: the Requant multipliers and shifts
// (quantize_multiplier of each rescale, docs/workloads.md "Quantization"), the output zero point,
// the fused activation's bounds, add's input multipliers, the gelu/silu LUT and the table of a
// lookup that names its function. Returns "" or what is wrong (a rescale >= 2^31: "expected
// input.scale * weight_scale / output.scale < 2^31, found ...").
[[nodiscard]] std::string finish_quantization(graph::Layer& layer);

// Quantizes every layer of a loaded quantized network (not a float one) in order, as `pending`
// asks: each layer's input quantization is its sources' output quantization; its output is its
// input's (pooling, reshape, concat without `output`), the given one, or `auto`: calibrated on the
// real outputs of the reference (graph::real_outputs, every earlier layer evaluated with half-even
// rounding), or scale 1 and zero point 0 without data (timing-only). Then finish_quantization();
// an output with a uint8 view is marked QuantParams::uint8_origin.
// With data and samples, the first input's data becomes the first sample quantized with its
// quantization. Fills Workload::input and layer_outputs. Throws npu::UserError at the request's
// location for a concat whose inputs are quantized differently or a rescale >= 2^31.
void quantize_layers(graph::Workload& workload, const graph::PendingWork& pending);

}  // namespace npu::quant

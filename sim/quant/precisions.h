// Preparing a workload for the precisions it runs at.
#pragma once

#include "sim/core/precision.h"
#include "sim/graph/workload.h"

namespace npu::quant {

// Int4 weights of one conv2d/gemm layer from its float model (float_weights(), the given or the
// dequantized int8 weights): per output channel symmetric, s[c] = max|w[c]| / 7 (0 -> 1),
// q = clamp(round_half_even(w / s), -7, 7); bias = round_half_even(b / (input.scale * s[c]));
// weight_scale and the requantization multipliers follow (M = input.scale * s[c] /
// output.scale). The output quantization is kept. Throws std::invalid_argument for other ops
// or a layer without weights.
void quantize_weights_int4(graph::Layer& layer);

// The workload with every layer's precision made explicit (a layer's own, else `run_default`)
// and the weights of int4 conv2d/gemm layers (not depthwise: its weights stay int8) requantized
// to 4 bits. Float conv2d/gemm layers get their float model in float_weights / float_bias, and
// when any layer is float, Workload::float_input_data gets the real input values (for the DRAM
// image of the float datapath). Other layers are unchanged.
[[nodiscard]] graph::Workload resolve_precisions(const graph::Workload& wl, Precision run_default);

// Whether resolve_precisions(wl, run_default) changes more than making each layer's precision
// explicit: true when any layer runs at a float precision or is an int4 conv2d/gemm layer with
// weights. When false, `wl` runs as it is (a layer without a precision runs at run_default), and
// a simulation needs no copy of it.
[[nodiscard]] bool resolution_changes(const graph::Workload& wl, Precision run_default);

}  // namespace npu::quant

// The integer math of one quantized layer, written as plain loops. This is the body of the
// reference executor (sim/ref, the trusted model the simulated datapath is compared against). It
// lives here, below sim/ref, because the workload loader needs it too: `output: {scale: auto}`
// chooses a layer's output scale from its real accumulator values, which requires running every
// earlier layer. Use npu::ref's functions from anywhere above sim/graph.
#pragma once

#include <cstdint>
#include <vector>

#include "sim/core/types.h"
#include "sim/graph/workload.h"

namespace npu::graph {

// int32 accumulators, HWC (out_h x out_w x out_c): bias[c] + sum over the kernel window and input
// channels of (x - input.zero_point) * w. Taps in the padding read the input zero point, so they
// contribute exactly 0. Throws std::invalid_argument if input.size() != layer.input_elems() or
// the weights/bias do not match the geometry.
[[nodiscard]] std::vector<int32_t> accumulate(const Layer& layer, const std::vector<int8_t>& input);

// Per-channel requantization of accumulators (HWC, channel = index % out_c) with the layer's
// Requant and fused activation bounds.
[[nodiscard]] std::vector<int8_t> requantize_output(const Layer& layer,
                                                    const std::vector<int32_t>& acc, Rounding mode);

}  // namespace npu::graph

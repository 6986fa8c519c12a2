// The integer math of one quantized layer, written as plain loops. This is the body of the
// reference executor (sim/ref, the trusted model the simulated datapath is compared against).
// Calibration uses it too (sim/quant/calibrate.h): `output: {scale: auto}` chooses a layer's
// output scale from its real accumulator values, which requires running every earlier layer.
// Use npu::ref's functions from anywhere above sim/graph.
// Its GEMMs and requantization run on sim/kernels' check_isa(): another micro-kernel path than the
// simulated datapath's (active_isa()) wherever the CPU offers two, so a kernel bug cannot hide
// by giving both sides the same wrong bits.
#pragma once

#include <cstdint>
#include <vector>

#include "sim/core/types.h"
#include "sim/graph/workload.h"

namespace npu::graph {

// conv2d/gemm: int32 accumulators, HWC (out_h x out_w x out_c): bias[c] + sum over the kernel
// window and input channels of (x - input.zero_point) * w. Taps in the padding read the input zero
// point, so they contribute exactly 0. Grouped convolutions read input channels [g*C/G, (g+1)*C/G)
// for output channels of group g (docs/operators.md). Throws std::invalid_argument if input.size()
// != layer.input_elems() or the weights/bias do not match the geometry.
[[nodiscard]] std::vector<int32_t> accumulate(const Layer& layer, const std::vector<int8_t>& input);

// Per-channel requantization of accumulators (HWC, channel = index % out_c) with the layer's
// Requant and fused activation bounds.
[[nodiscard]] std::vector<int8_t> requantize_output(const Layer& layer,
                                                    const std::vector<int32_t>& acc, Rounding mode);

// The input tensors of one layer, in the order of Layer::inputs.
using LayerInputs = std::vector<const std::vector<int8_t>*>;

// The int32 accumulators of an integer op (conv2d, gemm, matmul, add, mul, maxpool, avgpool,
// global_avgpool) before the output requantization, in the output's layout; for add, the
// requant0 sum of docs/operators.md (which depends on `mode`). Throws std::invalid_argument for
// other ops or inconsistent sizes.
[[nodiscard]] std::vector<int32_t> op_accumulate(const Layer& layer, const LayerInputs& inputs,
                                                 Rounding mode);

// The real value each output element stands for before quantization (used by `output: auto`):
// integer ops: acc times its scale (conv2d/gemm: sx * sw[c]; matmul: sa * sb; mul: sx * sy; add:
// 2 max(sx, sy) * 2^-20; pooling: sx); softmax/layernorm/rmsnorm: the float32 results of
// sim/core/ppu_ops; gelu/silu: f(sx * (x - zx)) in double; reshape/concat: the dequantized input.
[[nodiscard]] std::vector<double> real_outputs(const Layer& layer, const LayerInputs& inputs,
                                               Rounding mode);

// One layer of any op: docs/operators.md, bit for bit. `requant` kFloat32: ONNX Runtime's float32
// formulas (sim/graph/float32_requant.h; `mode` is then not used).
[[nodiscard]] std::vector<int8_t> evaluate(const Layer& layer, const LayerInputs& inputs,
                                           Rounding mode,
                                           RequantMode requant = RequantMode::kFixedPoint);

// The quantization of input i: Layer::input_quant[i], or Layer::input for input 0 of a
// hand-built layer without input_quant. Throws std::invalid_argument if there is none.
[[nodiscard]] QuantParams input_quant(const Layer& layer, size_t i);

}  // namespace npu::graph

// A layer under `postproc.requant: float32`: its float32 post-processing parameters, derived
// from the IR's scales (sim/core/requant_f32.h holds the formulas), and the reference evaluation
// of the ops whose arithmetic changes (docs/operators.md, "Float32 requantization").
//
// clang-format off
// How a layer selects its formula (the onnx importer's contract; ORT kernel last):
//   conv2d, gemm (incl. depthwise)  kScale, scale[c] = f32_rescale(sx, sw[c], so)  QLinearConv, QGemm
//   matmul                          kScale, f32_rescale(sa, sb, so)                QLinearMatMul
//   maxpool                         kScale, f32_rescale(sx, 1, so)                 (int8 MaxPool)
//   global_avgpool, and avgpool whose window is the whole input with no padding
//                                   kScale on sum(x - zx),
//                                   f32_global_avgpool_scale(sx, so, H*W)          QLinearGlobalAveragePool
//   avgpool (other windows)         kAvgPool: fp32 mean of dequantized values      QLinearAveragePool
//   mul                             kMul, ratio f32_rescale(sa, sb, so)            QLinearMul
//   add                             kAdd, sa, sb, so                               QLinearAdd
//   softmax                         kSoftmax, exp table, floor(1 / so)             QLinearSoftmax
//   layernorm, rmsnorm, gelu, silu, reshape, concat: unchanged (no multiplier).
// clang-format on
#pragma once

#include <cstdint>
#include <vector>

#include "sim/core/requant_f32.h"
#include "sim/graph/layer_eval.h"
#include "sim/graph/workload.h"

namespace npu::graph {

// avgpool whose window is the whole input with no padding: ORT's QLinearAveragePool falls back
// to QLinearGlobalAveragePool there (qlinear_pool.cc), and so do we.
[[nodiscard]] bool avgpool_is_global(const Layer& layer);

// The layer's parameters; scale has as many entries as layer.requant.multiplier (one per output
// channel). Throws std::invalid_argument for a layer without the quantization it needs.
[[nodiscard]] F32Requant f32_requant(const Layer& layer);

// One layer of any op under float32 requantization, bit for bit as ONNX Runtime (the ops
// without a multiplier run as evaluate() does).
[[nodiscard]] std::vector<int8_t> evaluate_f32(const Layer& layer, const LayerInputs& inputs);

}  // namespace npu::graph

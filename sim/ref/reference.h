// The reference executor: the plain, bit-exact model of what the NPU computes, layer by layer.
// The simulated datapath's outputs are compared against these. The layer math is in
// sim/graph/layer_eval.cc (shared with the workload loader's `scale: auto`): convolutions and
// matmuls as im2col + int8 GEMM on the exact kernels of sim/kernels (independent of the
// datapath's own gather and tile code), the other ops as plain loops.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "sim/core/types.h"
#include "sim/graph/workload.h"

namespace npu::ref {

// int32 accumulator per output element (HWC): bias + sum of (x - in_zp) * w; padding adds 0.
[[nodiscard]] std::vector<int32_t> conv_accumulate(const graph::Layer& layer,
                                                   const std::vector<int8_t>& input);

// One layer: accumulate, requantize per channel with `mode`, fused activation clamp.
[[nodiscard]] std::vector<int8_t> run_layer(const graph::Layer& layer,
                                            const std::vector<int8_t>& input, Rounding mode);

// One layer of any op (docs/operators.md) on its inputs, in the order of Layer::inputs.
[[nodiscard]] std::vector<int8_t> run_op(const graph::Layer& layer,
                                         const std::vector<const std::vector<int8_t>*>& inputs,
                                         Rounding mode,
                                         RequantMode requant = RequantMode::kFixedPoint);

// Every layer's output, in layer order; a batched workload's (Workload::batch) holds every
// image's output back to back, each computed from that image alone (graph::image_of). A layer reads
// the tensors its `inputs` name (declared inputs from w.input_data, or earlier layers' outputs); a
// layer with no `inputs` reads the previous layer's output (the first reads w.input), as v1 chains
// do. Throws std::invalid_argument for a name that is neither a declared input nor an earlier
// layer. `requant`: postproc.requant (kFloat32: ONNX Runtime's float32 formulas,
// docs/operators.md).
[[nodiscard]] std::vector<std::vector<int8_t>> run_workload(
    const graph::Workload& w, Rounding mode, RequantMode requant = RequantMode::kFixedPoint);

// Receives each layer's output (layer index, output) as soon as it is computed.
using LayerSink =
    std::function<void(size_t layer, std::shared_ptr<const std::vector<int8_t>> output)>;

// run_workload's layers in the same order with the same results, each output handed to `sink`
// when computed and let go by the executor after the last layer that reads it, so that only the
// outputs still to be read (and those the sink keeps) are alive at once. A batched workload's
// outputs are all computed before the first is handed over (each needs every image).
// `before_layer(i)`, if given, is called before layer i is computed (it may block: a pace for a
// consumer); false stops the run there.
void run_workload_streaming(const graph::Workload& w, Rounding mode, RequantMode requant,
                            const LayerSink& sink,
                            const std::function<bool(size_t layer)>& before_layer = {});

// Every tensor by name: the declared inputs and each layer's output (named after the layer). A
// v1 chain without declared inputs reports its input as "input".
[[nodiscard]] std::map<std::string, std::vector<int8_t>> run_graph(
    const graph::Workload& w, Rounding mode, RequantMode requant = RequantMode::kFixedPoint);

}  // namespace npu::ref

#include "sim/ref/reference.h"

#include "sim/graph/layer_eval.h"

namespace npu::ref {

std::vector<int32_t> conv_accumulate(const graph::Layer& layer, const std::vector<int8_t>& input) {
    return graph::accumulate(layer, input);
}

std::vector<int8_t> run_layer(const graph::Layer& layer, const std::vector<int8_t>& input,
                              Rounding mode) {
    return graph::requantize_output(layer, graph::accumulate(layer, input), mode);
}

std::vector<std::vector<int8_t>> run_workload(const graph::Workload& w, Rounding mode) {
    std::vector<std::vector<int8_t>> outputs;
    outputs.reserve(w.layers.size());
    const std::vector<int8_t>* in = &w.input;
    for (const graph::Layer& layer : w.layers) {
        outputs.push_back(run_layer(layer, *in, mode));
        in = &outputs.back();
    }
    return outputs;
}

}  // namespace npu::ref

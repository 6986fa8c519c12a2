#include "sim/ref/reference.h"

#include <stdexcept>

#include "sim/graph/layer_eval.h"

namespace npu::ref {

std::vector<int32_t> conv_accumulate(const graph::Layer& layer, const std::vector<int8_t>& input) {
    return graph::accumulate(layer, input);
}

std::vector<int8_t> run_layer(const graph::Layer& layer, const std::vector<int8_t>& input,
                              Rounding mode) {
    return graph::requantize_output(layer, graph::accumulate(layer, input), mode);
}

std::vector<int8_t> run_op(const graph::Layer& layer,
                           const std::vector<const std::vector<int8_t>*>& inputs, Rounding mode,
                           RequantMode requant) {
    return graph::evaluate(layer, inputs, mode, requant);
}

namespace {

// Runs every layer; `outputs` is filled in layer order (reserved up front so pointers into it
// stay valid while later layers read earlier outputs).
void run_all(const graph::Workload& w, Rounding mode, RequantMode requant,
             std::vector<std::vector<int8_t>>& outputs) {
    if (w.batch > 1) {  // image by image, each layer's outputs back to back as the NPU stores them
        outputs.assign(w.layers.size(), {});
        for (int32_t b = 0; b < w.batch; ++b) {
            std::vector<std::vector<int8_t>> image;
            run_all(graph::image_of(w, b), mode, requant, image);
            for (size_t i = 0; i < image.size(); ++i) {
                outputs[i].insert(outputs[i].end(), image[i].begin(), image[i].end());
            }
        }
        return;
    }
    std::map<std::string, const std::vector<int8_t>*> tensors;
    for (size_t i = 0; i < w.inputs.size() && i < w.input_data.size(); ++i) {
        tensors[w.inputs[i].name] = &w.input_data[i];
    }
    if (w.inputs.empty()) tensors["input"] = &w.input;
    outputs.clear();
    outputs.reserve(w.layers.size());
    for (size_t i = 0; i < w.layers.size(); ++i) {
        const graph::Layer& layer = w.layers[i];
        graph::LayerInputs in;
        if (layer.inputs.empty()) {
            in.push_back(i == 0 ? (w.input_data.empty() ? &w.input : &w.input_data[0])
                                : &outputs[i - 1]);
        }
        for (const std::string& name : layer.inputs) {
            const auto it = tensors.find(name);
            if (it == tensors.end()) {
                throw std::invalid_argument("layer '" + layer.name + "' reads unknown tensor '" +
                                            name + "'");
            }
            in.push_back(it->second);
        }
        outputs.push_back(graph::evaluate(layer, in, mode, requant));
        tensors[layer.name] = &outputs.back();
    }
}

}  // namespace

std::vector<std::vector<int8_t>> run_workload(const graph::Workload& w, Rounding mode,
                                              RequantMode requant) {
    std::vector<std::vector<int8_t>> outputs;
    run_all(w, mode, requant, outputs);
    return outputs;
}

std::map<std::string, std::vector<int8_t>> run_graph(const graph::Workload& w, Rounding mode,
                                                     RequantMode requant) {
    std::vector<std::vector<int8_t>> outputs;
    run_all(w, mode, requant, outputs);
    std::map<std::string, std::vector<int8_t>> tensors;
    for (size_t i = 0; i < w.inputs.size() && i < w.input_data.size(); ++i) {
        tensors[w.inputs[i].name] = w.input_data[i];
    }
    if (w.inputs.empty()) tensors["input"] = w.input;
    for (size_t i = 0; i < w.layers.size(); ++i) tensors[w.layers[i].name] = std::move(outputs[i]);
    return tensors;
}

}  // namespace npu::ref

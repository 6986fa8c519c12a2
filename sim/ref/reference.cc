#include "sim/ref/reference.h"

#include <memory>
#include <stdexcept>
#include <utility>

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

using Tensors = std::map<std::string, const std::vector<int8_t>*>;

// The declared inputs by name (a v1 chain without declared inputs: its input as "input").
Tensors declared_inputs(const graph::Workload& w) {
    Tensors tensors;
    for (size_t i = 0; i < w.inputs.size() && i < w.input_data.size(); ++i) {
        tensors[w.inputs[i].name] = &w.input_data[i];
    }
    if (w.inputs.empty()) tensors["input"] = &w.input;
    return tensors;
}

// What layer i reads, in the order of Layer::inputs; a layer with no `inputs` reads `previous`
// (the previous layer's output; the first layer reads the workload's input).
graph::LayerInputs inputs_of(const graph::Workload& w, size_t i, const Tensors& tensors,
                             const std::vector<int8_t>* previous) {
    const graph::Layer& layer = w.layers[i];
    graph::LayerInputs in;
    if (layer.inputs.empty()) {
        in.push_back(i == 0 ? (w.input_data.empty() ? &w.input : &w.input_data[0]) : previous);
    }
    for (const std::string& name : layer.inputs) {
        const auto it = tensors.find(name);
        if (it == tensors.end()) {
            throw std::invalid_argument("layer '" + layer.name + "' reads unknown tensor '" + name +
                                        "'");
        }
        in.push_back(it->second);
    }
    return in;
}

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
    Tensors tensors = declared_inputs(w);
    outputs.clear();
    outputs.reserve(w.layers.size());
    for (size_t i = 0; i < w.layers.size(); ++i) {
        const graph::LayerInputs in = inputs_of(w, i, tensors, i == 0 ? nullptr : &outputs[i - 1]);
        outputs.push_back(graph::evaluate(w.layers[i], in, mode, requant));
        tensors[w.layers[i].name] = &outputs.back();
    }
}

}  // namespace

void run_workload_streaming(const graph::Workload& w, Rounding mode, RequantMode requant,
                            const LayerSink& sink,
                            const std::function<bool(size_t)>& before_layer) {
    if (w.batch > 1) {
        // A layer's batched output needs every image's: all are computed first, then handed over
        // at the consumer's pace (as much memory as run_workload).
        std::vector<std::vector<int8_t>> all;
        run_all(w, mode, requant, all);
        for (size_t i = 0; i < all.size(); ++i) {
            if (before_layer && !before_layer(i)) return;
            sink(i, std::make_shared<const std::vector<int8_t>>(std::move(all[i])));
        }
        return;
    }
    // The last layer that reads each layer's output (an output nobody reads: its own index).
    std::map<std::string, size_t> index;
    std::vector<size_t> last_reader(w.layers.size());
    for (size_t i = 0; i < w.layers.size(); ++i) {
        last_reader[i] = i;
        if (w.layers[i].inputs.empty() && i > 0) last_reader[i - 1] = i;
        for (const std::string& name : w.layers[i].inputs) {
            const auto it = index.find(name);
            if (it != index.end()) last_reader[it->second] = i;
        }
        index[w.layers[i].name] = i;
    }
    std::vector<std::vector<size_t>> released_after(w.layers.size());
    for (size_t j = 0; j < w.layers.size(); ++j) released_after[last_reader[j]].push_back(j);
    Tensors tensors = declared_inputs(w);
    std::vector<std::shared_ptr<const std::vector<int8_t>>> live(w.layers.size());
    for (size_t i = 0; i < w.layers.size(); ++i) {
        if (before_layer && !before_layer(i)) return;
        const graph::LayerInputs in =
            inputs_of(w, i, tensors, i == 0 ? nullptr : live[i - 1].get());
        live[i] = std::make_shared<const std::vector<int8_t>>(
            graph::evaluate(w.layers[i], in, mode, requant));
        tensors[w.layers[i].name] = live[i].get();
        sink(i, live[i]);
        // Outputs whose last reader this layer was are let go (the sink may hold them longer).
        for (const size_t j : released_after[i]) {
            tensors.erase(w.layers[j].name);
            live[j].reset();
        }
    }
}

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

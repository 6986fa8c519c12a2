#include "sim/quant/prepare.h"

#include <algorithm>
#include <atomic>
#include <future>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "sim/graph/workload_loader.h"
#include "sim/quant/calibrate.h"
#include "sim/quant/ptq.h"

namespace npu::quant {
namespace {

using graph::DataGenerator;
using graph::Layer;
using graph::LayerRequest;
using graph::OpKind;

// Declared input j's data stream: the first keeps stream 0 (v1's input); the others sit far
// above any layer's streams (3i+1..3i+3).
uint64_t input_stream(size_t j) { return j == 0 ? 0 : (uint64_t{1} << 63) + j; }
// Image b >= 1 of declared input j (a batch): between the layers' streams and the inputs'.
uint64_t batch_image_stream(int32_t b, size_t j) {
    return (uint64_t{1} << 62) + (uint64_t(b) << 32) + j;
}

// The seeded weights of every layer that needs them, on up to kDrawThreads threads (the calling
// one included): each tensor has its own stream, so the bytes do not depend on who draws them.
// The largest tensors go first, each to the next free thread.
constexpr unsigned kDrawThreads = 4;

void draw_weights(graph::Workload& w, const std::vector<size_t>& layers) {
    std::vector<size_t> order = layers;
    const auto count = [&w](size_t i) {
        return static_cast<size_t>(w.layers[i].reduction() * w.layers[i].out_c);
    };
    std::stable_sort(order.begin(), order.end(),
                     [&](size_t a, size_t b) { return count(a) > count(b); });
    std::atomic<size_t> next{0};
    const auto work = [&] {
        for (size_t j = next++; j < order.size(); j = next++) {
            const size_t i = order[j];
            w.layers[i].weights =
                DataGenerator(w.seed, 3 * static_cast<uint64_t>(i) + 1).int8s(count(i), -127, 127);
        }
    };
    const unsigned threads =
        std::min<unsigned>({kDrawThreads, std::max(1u, std::thread::hardware_concurrency()),
                            static_cast<unsigned>(std::min<size_t>(order.size(), kDrawThreads))});
    std::vector<std::future<void>> helpers;
    for (unsigned t = 1; t < threads; ++t) helpers.push_back(std::async(std::launch::async, work));
    work();
    for (std::future<void>& h : helpers) h.get();  // rethrows what a helper threw (bad_alloc)
}

}  // namespace

void draw_seeded_data(graph::Workload& w, const graph::PendingWork& pending) {
    w.input_data.clear();
    for (size_t j = 0; j < w.inputs.size(); ++j) {
        w.input_data.push_back(pending.with_data
                                   ? DataGenerator(w.seed, input_stream(j))
                                         .int8s(static_cast<size_t>(w.inputs[j].elems()), -128, 127)
                                   : std::vector<int8_t>{});
    }
    std::vector<size_t> drawn;  // the layers whose weights are seeded
    for (size_t i = 0; i < w.layers.size(); ++i) {
        const Layer& l = w.layers[i];
        const bool weighted = l.kind == OpKind::kConv2d || l.kind == OpKind::kGemm;
        if (weighted && !w.needs_ptq && pending.with_data && !pending.layers[i].weights_given) {
            drawn.push_back(i);
        }
    }
    draw_weights(w, drawn);
    for (size_t i = 0; i < w.layers.size(); ++i) {
        Layer& l = w.layers[i];
        const LayerRequest& r = pending.layers[i];
        const uint64_t stream = 3 * static_cast<uint64_t>(i);
        const bool weighted = l.kind == OpKind::kConv2d || l.kind == OpKind::kGemm;
        if (weighted && !w.needs_ptq) {  // a float network's weights come from its files
            const int64_t k = l.reduction();
            // Without data, weights and biases stay empty; the scales still size the
            // requantization.
            if (pending.with_data) {  // the weights: draw_weights above (stream + 1)
                if (r.bias == LayerRequest::Bias::kList) {
                    l.bias = r.bias_list;
                } else if (r.bias == LayerRequest::Bias::kZero) {
                    l.bias.assign(static_cast<size_t>(l.out_c), 0);
                } else if (r.bias == LayerRequest::Bias::kRandom) {  // kFile: the loader read it
                    DataGenerator gen(w.seed, stream + 2);
                    l.bias.resize(static_cast<size_t>(l.out_c));
                    for (auto& b : l.bias) {
                        b = static_cast<int32_t>(
                            gen.uniform_int(-k * graph::kBiasPerK, k * graph::kBiasPerK));
                    }
                }
            }
            if (r.w_scale_range) {
                DataGenerator gen(w.seed, stream + 3);
                l.weight_scale.resize(static_cast<size_t>(l.out_c));
                for (auto& s : l.weight_scale) {
                    s = r.w_scale_min + gen.uniform_unit() * (r.w_scale_max - r.w_scale_min);
                }
            }
        } else if (pending.with_data &&
                   (l.kind == OpKind::kLayerNorm || l.kind == OpKind::kRmsNorm)) {
            // gamma in [0.5, 1.5) from the weights' stream, beta in [-0.5, 0.5) from the bias's.
            // Those given as side files were read by the loader.
            if (!r.gamma_given) {
                DataGenerator g(w.seed, stream + 1);
                l.gamma.resize(static_cast<size_t>(l.out_c));
                for (float& v : l.gamma) v = static_cast<float>(0.5 + g.uniform_unit());
            }
            if (l.kind == OpKind::kLayerNorm && !r.beta_given) {
                DataGenerator b(w.seed, stream + 2);
                l.beta.resize(static_cast<size_t>(l.out_c));
                for (float& v : l.beta) v = static_cast<float>(b.uniform_unit() - 0.5);
            }
        }
    }
}

void draw_pending_data(graph::Workload& w) {
    if (!w.pending) return;
    const graph::PendingWork pending = std::move(*w.pending);
    w.pending.reset();
    draw_seeded_data(w, pending);
}

void set_batch(graph::Workload& w, int32_t batch) {
    if (batch < 1 || batch > graph::kMaxBatch) {
        throw std::invalid_argument("set_batch: batch " + std::to_string(batch) + " outside [1, " +
                                    std::to_string(graph::kMaxBatch) + "]");
    }
    if (!w.float_input_data.empty()) {
        throw std::invalid_argument("set_batch: workload '" + w.name +
                                    "' has float inputs given; set the batch before the inputs");
    }
    const auto resize = [&](std::vector<int8_t>& data, int64_t elems, size_t j) {
        if (data.empty() || elems <= 0) return;  // no data (timing-only)
        data.resize(static_cast<size_t>(elems));
        for (int32_t b = 1; b < batch; ++b) {
            const std::vector<int8_t> image = DataGenerator(w.seed, batch_image_stream(b, j))
                                                  .int8s(static_cast<size_t>(elems), -128, 127);
            data.insert(data.end(), image.begin(), image.end());
        }
    };
    if (w.inputs.empty()) {  // a v1 chain: Workload::input (and input_data[0] if it is kept)
        resize(w.input, w.layers.empty() ? 0 : w.layers[0].input_elems(), 0);
        if (!w.input_data.empty()) w.input_data[0] = w.input;
    } else {
        for (size_t j = 0; j < w.inputs.size() && j < w.input_data.size(); ++j) {
            resize(w.input_data[j], w.inputs[j].elems(), j);
        }
        if (!w.input_data.empty()) w.input = w.input_data[0];
    }
    w.batch = batch;
}

graph::Workload prepare(graph::Workload w) {
    if (!w.needs_ptq && !w.pending) return w;
    // Quantization sees one image (image 0); the batch's other images come after it.
    const int32_t batch = w.batch;
    w.batch = 1;
    if (w.needs_ptq) {
        graph::Workload q = quantize(w);  // draws what is pending first
        set_batch(q, batch);
        return q;
    }
    const graph::PendingWork pending = std::move(*w.pending);
    w.pending.reset();
    draw_seeded_data(w, pending);
    quantize_layers(w, pending);
    set_batch(w, batch);
    return w;
}

}  // namespace npu::quant

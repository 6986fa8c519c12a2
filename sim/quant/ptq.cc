#include "sim/quant/ptq.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <sstream>
#include <stdexcept>
#include <utility>

#include "sim/core/error.h"
#include "sim/quant/calibrate.h"
#include "sim/quant/float_ref.h"
#include "sim/quant/prepare.h"

namespace npu::quant {

using graph::Layer;
using graph::OpKind;
using graph::QuantParams;
using graph::Workload;

QuantParams choose_quant(double lo, double hi, bool symmetric) {
    lo = std::min(lo, 0.0);
    hi = std::max(hi, 0.0);
    QuantParams q;
    if (symmetric) {
        const double m = std::max(std::fabs(lo), std::fabs(hi));
        q.scale = m > 0.0 ? m / 127.0 : 1.0;
        q.zero_point = 0;
        return q;
    }
    const double span = hi - lo;
    q.scale = span > 0.0 ? span / 255.0 : 1.0;
    const double zp = std::nearbyint(-128.0 - lo / q.scale);
    q.zero_point = static_cast<int32_t>(std::clamp(zp, -128.0, 127.0));
    return q;
}

Range minmax_range(const std::vector<float>& values) {
    if (values.empty()) return {};
    const auto [mn, mx] = std::minmax_element(values.begin(), values.end());
    return {static_cast<double>(*mn), static_cast<double>(*mx)};
}

Range percentile_range(std::vector<float> values, double p) {
    if (values.empty()) return {};
    std::sort(values.begin(), values.end());
    const double n = static_cast<double>(values.size());
    const auto at = [&](double pct) {
        const double rank = std::ceil(pct / 100.0 * n) - 1.0;
        const double idx = std::clamp(rank, 0.0, n - 1.0);
        return static_cast<double>(values[static_cast<size_t>(idx)]);
    };
    return {at(100.0 - p), at(p)};
}

QuantizedWeights quantize_weights(const std::vector<float>& w, int out_c, bool per_channel,
                                  int qmax) {
    if (out_c <= 0 || w.size() % static_cast<size_t>(out_c) != 0) {
        throw std::invalid_argument("quantize_weights: weights do not split into out_c channels");
    }
    const size_t per = w.size() / static_cast<size_t>(out_c);
    QuantizedWeights r;
    r.scale.resize(static_cast<size_t>(out_c));
    double all_max = 0.0;
    for (size_t c = 0; c < r.scale.size(); ++c) {
        double m = 0.0;
        for (size_t i = 0; i < per; ++i) m = std::max(m, std::fabs(double{w[c * per + i]}));
        r.scale[c] = m;
        all_max = std::max(all_max, m);
    }
    for (double& s : r.scale) {
        const double m = per_channel ? s : all_max;
        s = m > 0.0 ? m / qmax : 1.0;
    }
    r.q.resize(w.size());
    for (size_t i = 0; i < w.size(); ++i) {
        const double v = std::nearbyint(double{w[i]} / r.scale[i / per]);
        r.q[i] = static_cast<int8_t>(std::clamp(v, -double(qmax), double(qmax)));
    }
    return r;
}

std::vector<int32_t> quantize_bias(const std::vector<float>& b, double in_scale,
                                   const std::vector<double>& w_scale) {
    if (b.size() != w_scale.size()) {
        throw std::invalid_argument("quantize_bias: one bias per weight scale expected");
    }
    std::vector<int32_t> q(b.size());
    for (size_t c = 0; c < b.size(); ++c) {
        const double v = std::nearbyint(double{b[c]} / (in_scale * w_scale[c]));
        if (!(std::fabs(v) <= std::numeric_limits<int32_t>::max())) {
            std::ostringstream os;
            os.precision(17);
            os << "bias " << b[c] << " of channel " << c << " is " << v
               << " in int32 units (input scale x weight scale), beyond int32";
            throw std::out_of_range(os.str());
        }
        q[c] = static_cast<int32_t>(v);
    }
    return q;
}

int8_t quantize_value(float x, const QuantParams& q) {
    const double v = std::nearbyint(double{x} / q.scale) + q.zero_point;
    return static_cast<int8_t>(std::clamp(v, -128.0, 127.0));
}

std::vector<int8_t> quantize_values(const std::vector<float>& x, const QuantParams& q) {
    std::vector<int8_t> r(x.size());
    for (size_t i = 0; i < x.size(); ++i) r[i] = quantize_value(x[i], q);
    return r;
}

namespace {

// Per-tensor calibration statistics: a running [min, max], or every value (percentile).
struct Stats {
    bool keep_all = false;
    Range r{std::numeric_limits<double>::infinity(), -std::numeric_limits<double>::infinity()};
    std::vector<float> all;
    void add(const std::vector<float>& v) {
        if (keep_all) {
            all.insert(all.end(), v.begin(), v.end());
            return;
        }
        const Range m = minmax_range(v);
        if (v.empty()) return;
        r.lo = std::min(r.lo, m.lo);
        r.hi = std::max(r.hi, m.hi);
    }
    [[nodiscard]] Range range(double p) const {
        if (keep_all) return percentile_range(all, p);
        return r.lo <= r.hi ? r : Range{};
    }
};

[[noreturn]] void fail(const Workload& wl, const std::string& where, const std::string& what) {
    throw UserError(Diagnostic{wl.source_file, 0, 0, where, what});
}

// A problem of layer `l`: at its line in the workload.
[[noreturn]] void fail(const Workload& wl, const graph::Layer& l, const std::string& where,
                       const std::string& what) {
    throw UserError(Diagnostic{wl.source_file, l.source_line, l.source_col, where, what});
}

}  // namespace

Workload quantize(const Workload& float_net, const PtqOptions& options) {
    if (!float_net.needs_ptq) {
        throw std::invalid_argument("quantize: the workload is not a float network pending PTQ");
    }
    Workload wl = float_net;
    draw_pending_data(wl);  // loaded: its seeded tensors (e.g. norms' gamma and beta) first
    if (wl.calibration.inputs.empty()) {
        fail(wl, "calibration", "post-training quantization needs calibration images, found none");
    }
    if (wl.inputs.size() != 1) {
        fail(wl, "inputs", "post-training quantization expects one declared input");
    }
    // 0: the input; 1 + i: layer i's output.
    const bool pct = options.method == PtqOptions::Method::kPercentile;
    std::vector<Stats> stats(wl.layers.size() + 1);
    for (Stats& s : stats) s.keep_all = pct;
    for (const std::vector<float>& image : wl.calibration.inputs) {
        const std::vector<std::vector<float>> in{image};
        const FloatOutputs outs = run_float(wl, Precision::kFp32, &in);
        stats[0].add(image);
        for (size_t i = 0; i < outs.size(); ++i) stats[i + 1].add(outs[i]);
    }

    std::map<std::string, QuantParams> quant;  // tensor name -> quantization
    const Range in_range = stats[0].range(options.percentile);
    graph::Tensor& input = wl.inputs[0];
    input.quant = choose_quant(in_range.lo, in_range.hi, options.symmetric_activations);
    quant[input.name] = input.quant;
    wl.layer_outputs.clear();
    for (size_t i = 0; i < wl.layers.size(); ++i) {
        Layer& l = wl.layers[i];
        const std::string where = "layers[" + std::to_string(i) + "] (" + l.name + ")";
        std::vector<std::string> names = l.inputs;
        if (names.empty()) names.push_back(i == 0 ? input.name : wl.layers[i - 1].name);
        l.input_quant.clear();
        for (const std::string& n : names) l.input_quant.push_back(quant.at(n));
        l.input = l.input_quant.at(0);
        if (keeps_input_quant(l.kind)) {
            for (const QuantParams& q : l.input_quant) {
                if (q != l.input) {
                    fail(wl, l, where,
                         "expected a concat whose inputs calibrate to one quantization (the "
                         "int8 concat does not requantize), found different scales");
                }
            }
            l.output = l.input;
        } else {
            const Range r = stats[i + 1].range(options.percentile);
            l.output = choose_quant(r.lo, r.hi, options.symmetric_activations);
        }
        if (l.kind == OpKind::kConv2d || l.kind == OpKind::kGemm) {
            const std::vector<float> w = float_weights(l);
            const std::vector<float> b = float_bias(l);
            const int qmax = l.precision == Precision::kInt4 ? 7 : 127;
            QuantizedWeights qw = quantize_weights(w, l.out_c, options.per_channel_weights, qmax);
            l.weights = std::move(qw.q);
            l.weight_scale = std::move(qw.scale);
            try {
                l.bias = quantize_bias(b, l.input.scale, l.weight_scale);
            } catch (const std::out_of_range& e) {
                fail(wl, l, where, std::string("expected an int32 bias, found ") + e.what());
            }
            int64_t max_bias = 0;
            for (int32_t v : l.bias) max_bias = std::max<int64_t>(max_bias, std::abs(int64_t{v}));
            if (l.reduction() * 255 * 127 + max_bias > std::numeric_limits<int32_t>::max()) {
                fail(wl, l, where,
                     "expected K * 255 * 127 + max|bias| < 2^31 so the int32 accumulator cannot "
                     "overflow, found K = " +
                         std::to_string(l.reduction()) +
                         ", max|bias| = " + std::to_string(max_bias));
            }
        }
        const std::string problem = finish_quantization(l);
        if (!problem.empty()) fail(wl, l, where, problem);
        quant[l.name] = l.output;
        wl.layer_outputs.push_back({l.name, l.out_shape, l.output});
    }
    const std::vector<float>& first =
        wl.samples.inputs.empty() ? wl.calibration.inputs[0] : wl.samples.inputs[0];
    wl.input_data.assign(1, quantize_values(first, input.quant));
    wl.input = wl.input_data[0];
    wl.needs_ptq = false;
    return wl;
}

Workload quantize(const Workload& float_net) { return quantize(float_net, float_net.ptq); }

Workload load_and_quantize(const std::string& path, const graph::LoadOptions& options) {
    return prepare(graph::load_workload(path, options));
}

std::string describe_quantization(const Workload& wl) {
    std::ostringstream os;
    os.precision(10);
    for (const graph::Tensor& t : wl.inputs) {
        os << t.name << ": scale " << t.quant.scale << " zero_point " << t.quant.zero_point << "\n";
    }
    for (const Layer& l : wl.layers) {
        os << l.name << ": scale " << l.output.scale << " zero_point " << l.output.zero_point;
        if (!l.weight_scale.empty()) {
            const auto [mn, mx] = std::minmax_element(l.weight_scale.begin(), l.weight_scale.end());
            os << " weight_scale [" << *mn << ", " << *mx << "]";
        }
        os << "\n";
    }
    return os.str();
}

}  // namespace npu::quant

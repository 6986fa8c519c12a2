#include "sim/quant/precisions.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "sim/core/ppu_ops.h"
#include "sim/core/requant.h"
#include "sim/quant/float_ref.h"

namespace npu::quant {

void quantize_weights_int4(graph::Layer& l) {
    if ((l.kind != graph::OpKind::kConv2d && l.kind != graph::OpKind::kGemm) || l.weights.empty()) {
        throw std::invalid_argument("layer '" + l.name +
                                    "': int4 weights need a conv2d or gemm layer with weights");
    }
    const std::vector<float> w = float_weights(l);
    const std::vector<float> b = float_bias(l);
    const size_t n = static_cast<size_t>(l.out_c);
    const size_t per = w.size() / n;
    l.weight_scale.assign(n, 1.0);
    for (size_t c = 0; c < n; ++c) {
        double amax = 0;
        for (size_t i = 0; i < per; ++i) amax = std::max(amax, std::fabs(double{w[c * per + i]}));
        const double s = amax > 0 ? amax / 7.0 : 1.0;
        l.weight_scale[c] = s;
        for (size_t i = 0; i < per; ++i) {
            const double q = round_half_even(double{w[c * per + i]} / s);
            l.weights[c * per + i] = static_cast<int8_t>(std::clamp(q, -7.0, 7.0));
        }
        if (c < l.bias.size()) {
            const double bq = round_half_even(double{b[c]} / (l.input.scale * s));
            l.bias[c] = static_cast<int32_t>(std::clamp(bq, -2147483648.0, 2147483647.0));
        }
        const QuantMultiplier m = quantize_multiplier(l.input.scale * s / l.output.scale);
        if (c < l.requant.multiplier.size()) {
            l.requant.multiplier[c] = m.multiplier;
            l.requant.shift[c] = m.shift;
        }
    }
}

namespace {

bool int4_weights_change(const graph::Layer& l, Precision p) {
    const bool depthwise = l.groups > 1 && l.groups == l.in_c && l.out_c == l.in_c;
    return p == Precision::kInt4 && !depthwise && !l.weights.empty() &&
           (l.kind == graph::OpKind::kConv2d || l.kind == graph::OpKind::kGemm);
}

}  // namespace

bool resolution_changes(const graph::Workload& wl, Precision run_default) {
    for (const graph::Layer& l : wl.layers) {
        const Precision p = l.precision.value_or(run_default);
        if (is_float(p) || int4_weights_change(l, p)) return true;
    }
    return false;
}

graph::Workload resolve_precisions(const graph::Workload& wl, Precision run_default) {
    graph::Workload out = wl;
    bool any_float = false;
    for (graph::Layer& l : out.layers) {
        const Precision p = l.precision.value_or(run_default);
        l.precision = p;
        if (is_float(p) && (l.kind == graph::OpKind::kConv2d || l.kind == graph::OpKind::kGemm)) {
            // The float model the float datapath runs (given, or the dequantized int8 one).
            if (!l.weights.empty() || !l.float_weights.empty()) {
                l.float_weights = float_weights(l);
                l.float_bias = float_bias(l);
            }
        }
        any_float = any_float || is_float(p);
        if (int4_weights_change(l, p)) quantize_weights_int4(l);
    }
    const bool has_data = wl.inputs.empty() ? !wl.input.empty() : !wl.input_data.empty();
    if (any_float && has_data && out.float_input_data.empty()) {
        out.float_input_data = dequantized_inputs(wl);
    }
    return out;
}

}  // namespace npu::quant

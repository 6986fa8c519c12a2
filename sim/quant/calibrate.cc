#include "sim/quant/calibrate.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <sstream>

#include "sim/core/error.h"
#include "sim/core/lookup_table.h"
#include "sim/core/ppu_ops.h"
#include "sim/core/requant.h"
#include "sim/graph/layer_eval.h"
#include "sim/quant/ptq.h"

namespace npu::quant {

using graph::Activation;
using graph::Layer;
using graph::LayerRequest;
using graph::OpKind;
using graph::QuantParams;

namespace {

// A real value's code in the output's quantized domain, saturated to int8.
int32_t quantize_real(double x, const QuantParams& q) {
    const double v = std::round(x / q.scale) + q.zero_point;
    return static_cast<int32_t>(std::clamp(v, -128.0, 127.0));
}

bool output_is_auto(const Layer& l, const LayerRequest& r) {
    if (keeps_input_quant(l.kind) && !r.has_output) return false;
    return r.out_scale_auto || r.out_zp_auto;
}

// `at` (a location without a message) with `message`.
[[noreturn]] void fail(Diagnostic at, const std::string& message) {
    at.message = message;
    throw UserError(std::move(at));
}

// The output quantization of layer `l` (its input_quant set) and the requantization that
// follows; `in` are its input tensors (for calibration).
void quantize_layer(Layer& l, const LayerRequest& r, const graph::LayerInputs& in, bool with_data) {
    const QuantParams qx = l.input_quant.at(0);
    if (l.kind == OpKind::kAdd) {
        // real_outputs (an auto output) reads the inputs' multipliers; they do not depend on the
        // output scale (finish_quantization sets the same values).
        const QuantParams qy = l.input_quant.size() > 1 ? l.input_quant[1] : qx;
        const AddMultipliers am = add_multipliers(qx.scale, qy.scale, 1.0);
        l.add_x = am.x;
        l.add_y = am.y;
    }
    if (l.kind == OpKind::kConcat) {
        for (size_t k = 1; k < l.input_quant.size(); ++k) {
            const QuantParams& q = l.input_quant[k];
            if (q == qx) continue;
            std::ostringstream os;
            os.precision(17);
            os << "expected inputs with equal quantization, found '" << l.inputs[0] << "' (scale "
               << qx.scale << ", zero point " << qx.zero_point << ") and '" << l.inputs[k]
               << "' (scale " << q.scale << ", zero point " << q.zero_point << ")";
            fail(r.inputs_at, os.str());
        }
    }
    if (keeps_input_quant(l.kind) && !r.has_output) {
        l.output = qx;
    } else if (output_is_auto(l, r) && !with_data) {
        // Timing-only: no data to calibrate on (and timing does not depend on the scales).
        l.output.scale = r.out_scale_auto ? 1.0 : r.out_scale;
        l.output.zero_point = r.out_zp_auto ? 0 : r.out_zero_point;
    } else if (output_is_auto(l, r)) {
        const std::vector<double> real = graph::real_outputs(l, in, Rounding::kHalfEven);
        double lo = 0.0;
        double hi = 0.0;
        for (double v : real) {
            lo = std::min(lo, v);
            hi = std::max(hi, v);
        }
        l.output = choose_output(lo, hi, r, l.activation, l.clamp_min, l.clamp_max);
    } else {
        l.output = {r.out_scale, r.out_zero_point};
    }
    const std::string problem = finish_quantization(l);
    if (!problem.empty()) fail(r.output_at, problem);
}

}  // namespace

bool keeps_input_quant(OpKind k) {
    return k == OpKind::kMaxPool || k == OpKind::kAvgPool || k == OpKind::kGlobalAvgPool ||
           k == OpKind::kReshape || k == OpKind::kConcat;
}

QuantParams choose_output(double lo, double hi, const LayerRequest& r, Activation activation,
                          double clamp_min, double clamp_max) {
    double cmin = -std::numeric_limits<double>::infinity();
    double cmax = std::numeric_limits<double>::infinity();
    if (activation == Activation::kRelu) cmin = 0.0;
    if (activation == Activation::kRelu6) cmin = 0.0, cmax = 6.0;
    if (activation == Activation::kClamp) cmin = clamp_min, cmax = clamp_max;
    // Values the activation removes need no codes.
    lo = std::min(0.0, std::max(lo, cmin));
    hi = std::max(0.0, std::min(hi, cmax));
    QuantParams q;
    if (r.out_scale_auto && r.out_zp_auto) {
        q.scale = hi > lo ? (hi - lo) / 255.0 : 1.0;
        const double zp = std::round(-128.0 - lo / q.scale);
        q.zero_point = static_cast<int32_t>(std::clamp(zp, -128.0, 127.0));
    } else if (r.out_scale_auto) {
        const int64_t zp = r.out_zero_point;
        double s = 0.0;
        if (hi > 0 && zp < 127) s = std::max(s, hi / static_cast<double>(127 - zp));
        if (lo < 0 && zp > -128) s = std::max(s, lo / static_cast<double>(-128 - zp));
        q.scale = s > 0 ? s : 1.0;
        q.zero_point = static_cast<int32_t>(zp);
    } else {
        q.scale = r.out_scale;
        const double zp = std::round(-128.0 - lo / q.scale);
        q.zero_point = static_cast<int32_t>(std::clamp(zp, -128.0, 127.0));
    }
    return q;
}

std::string finish_quantization(Layer& l) {
    const QuantParams qx = l.input_quant.empty() ? l.input : l.input_quant[0];
    const QuantParams qy = l.input_quant.size() > 1 ? l.input_quant[1] : qx;
    if (l.kind == OpKind::kAdd) {
        // The inputs' multipliers do not depend on the output scale.
        const AddMultipliers am = add_multipliers(qx.scale, qy.scale, 1.0);
        l.add_x = am.x;
        l.add_y = am.y;
    }
    const double so = l.output.scale;
    std::vector<double> ms;
    std::string formula;
    switch (l.kind) {
        case OpKind::kConv2d:
        case OpKind::kGemm:
            for (double ws : l.weight_scale) ms.push_back(qx.scale * ws / so);
            formula = "input.scale * weight_scale / output.scale";
            break;
        case OpKind::kMatmul:
        case OpKind::kMul:
            ms.assign(static_cast<size_t>(l.out_c), qx.scale * qy.scale / so);
            formula = "the inputs' scales multiplied / output.scale";
            break;
        case OpKind::kAdd:
            ms.assign(static_cast<size_t>(l.out_c),
                      2.0 * std::max(qx.scale, qy.scale) / (std::ldexp(1.0, kAddLeftShift) * so));
            formula = "2 max(x.scale, y.scale) / (2^20 output.scale)";
            break;
        default:
            ms.assign(static_cast<size_t>(l.out_c), qx.scale / so);
            formula = "input.scale / output.scale";
            break;
    }
    graph::Requant& rq = l.requant;
    rq.multiplier.clear();
    rq.shift.clear();
    for (double m : ms) {
        if (!(m < 0x1.0p31)) {
            return "expected " + formula + " < 2^31, found " + std::to_string(m);
        }
        const QuantMultiplier qm = l.kind == OpKind::kAdd
                                       ? add_multipliers(qx.scale, qy.scale, so).out
                                       : quantize_multiplier(m);
        rq.multiplier.push_back(qm.multiplier);
        rq.shift.push_back(qm.shift);
    }
    rq.out_zero_point = l.output.zero_point;
    rq.act_min = -128;
    rq.act_max = 127;
    switch (l.activation) {
        case Activation::kNone:
            break;
        case Activation::kRelu:
            rq.act_min = l.output.zero_point;
            break;
        case Activation::kRelu6:
            rq.act_min = l.output.zero_point;
            rq.act_max = quantize_real(6.0, l.output);
            break;
        case Activation::kClamp:
            rq.act_min = quantize_real(l.clamp_min, l.output);
            rq.act_max = quantize_real(l.clamp_max, l.output);
            break;
    }
    if (l.kind == OpKind::kLookup && l.lookup_function != LookupFunction::kNone) {
        const LookupFunction f = l.lookup_function;
        const float alpha = l.lookup_alpha;
        l.lut = build_table([f, alpha](float v) { return lookup_function(f, alpha, v); }, qx.scale,
                            qx.zero_point, so, l.output.zero_point);
    }
    if (l.kind == OpKind::kGelu || l.kind == OpKind::kSilu) {
        l.lut = build_lut(l.kind == OpKind::kGelu ? LutFunction::kGelu : LutFunction::kSilu,
                          qx.scale, qx.zero_point, so, l.output.zero_point);
    }
    return "";
}

void quantize_layers(graph::Workload& w, const graph::PendingWork& pending) {
    if (pending.with_data && !w.samples.inputs.empty()) {
        // The int8 input of a single run: the first sample, quantized with the input's
        // quantization (half-even, as post-training quantization does).
        w.input_data.at(0) = quantize_values(w.samples.inputs[0], w.inputs.at(0).quant);
    }
    w.input = w.input_data.at(0);
    // An auto output needs the real outputs of every earlier layer: they are evaluated up to the
    // last auto one.
    size_t last_auto = 0;
    bool any_auto = false;
    for (size_t i = 0; i < w.layers.size(); ++i) {
        if (output_is_auto(w.layers[i], pending.layers[i]) && pending.with_data) {
            last_auto = i;
            any_auto = true;
        }
    }
    std::vector<std::vector<int8_t>> data(w.layers.size());
    for (size_t i = 0; i < w.layers.size(); ++i) {
        Layer& l = w.layers[i];
        graph::LayerInputs in;
        l.input_quant.clear();
        for (int src : pending.layers[i].sources) {
            if (src >= 0) {
                l.input_quant.push_back(w.layers[static_cast<size_t>(src)].output);
                in.push_back(&data[static_cast<size_t>(src)]);
            } else {
                const size_t j = static_cast<size_t>(-src - 1);
                l.input_quant.push_back(w.inputs[j].quant);
                in.push_back(&w.input_data[j]);
            }
        }
        l.input = l.input_quant.at(0);
        quantize_layer(l, pending.layers[i], in, pending.with_data);
        if (pending.layers[i].uint8_origin) l.output.uint8_origin = true;
        if (any_auto && i < last_auto) data[i] = graph::evaluate(l, in, Rounding::kHalfEven);
    }
    w.layer_outputs.clear();
    for (const Layer& l : w.layers) w.layer_outputs.push_back({l.name, l.out_shape, l.output});
}

}  // namespace npu::quant

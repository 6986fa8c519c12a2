#include "sim/quant/float_ref.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <stdexcept>
#include <string>

#include "sim/core/ppu_ops.h"
#include "sim/graph/layer_eval.h"

namespace npu::quant {

namespace {

using graph::Activation;
using graph::Layer;
using graph::OpKind;
using Tensor = std::vector<float>;
using FloatInputs = std::vector<const Tensor*>;

[[noreturn]] void fail(const Layer& l, const std::string& what) {
    throw std::invalid_argument("layer '" + l.name + "' (" + graph::to_string(l.kind) +
                                "): " + what);
}

const Tensor& input_at(const Layer& l, const FloatInputs& in, size_t i) {
    if (i >= in.size() || in[i] == nullptr) fail(l, "missing input " + std::to_string(i));
    return *in[i];
}

int64_t row_length(const Layer& l) { return l.out_c > 0 ? l.out_c : 1; }

bool has_weights(const Layer& l) { return l.kind == OpKind::kConv2d || l.kind == OpKind::kGemm; }

// The ops whose int8 form clamps to the activation bounds in requantize_output.
bool takes_activation(OpKind k) {
    switch (k) {
        case OpKind::kConv2d:
        case OpKind::kGemm:
        case OpKind::kMatmul:
        case OpKind::kAdd:
        case OpKind::kMul:
        case OpKind::kMaxPool:
        case OpKind::kAvgPool:
        case OpKind::kGlobalAvgPool:
            return true;
        default:
            return false;
    }
}

// The fused activation in fp32 (NaN passes through: std::max/min return their first argument
// when the comparison is false).
float activate(const Layer& l, float v) {
    switch (l.activation) {
        case Activation::kNone:
            return v;
        case Activation::kRelu:
            return std::max(v, 0.0f);
        case Activation::kRelu6:
            return std::min(std::max(v, 0.0f), 6.0f);
        case Activation::kClamp:
            return std::min(std::max(v, static_cast<float>(l.clamp_min)),
                            static_cast<float>(l.clamp_max));
    }
    return v;
}

Tensor rounded(Precision p, Tensor v) {
    for (float& x : v) x = round_to(p, x);
    return v;
}

// conv2d/gemm: layer_eval's accumulate() with real numbers. Each output starts at its bias, then
// adds one product at a time in im2col order (ky, kx, ic); padded taps are skipped (they would
// add 0 * w).
Tensor conv_float(const Layer& l, const Tensor& x, Precision p) {
    if (static_cast<int64_t>(x.size()) != l.input_elems()) {
        fail(l, "input has " + std::to_string(x.size()) + " elements, expected " +
                    std::to_string(l.input_elems()));
    }
    if (l.groups < 1 || l.in_c % l.groups != 0 || l.out_c % l.groups != 0) {
        fail(l, "groups do not divide the channels");
    }
    if (l.out_h() <= 0 || l.out_w() <= 0) fail(l, "empty output");
    const Tensor w = rounded(p, float_weights(l));
    const Tensor b = rounded(p, float_bias(l));
    const int oh = l.out_h();
    const int ow = l.out_w();
    const int group_in = l.in_c / l.groups;
    const int group_out = l.out_c / l.groups;
    Tensor acc(static_cast<size_t>(int64_t{oh} * ow * l.out_c));
    for (int oy = 0; oy < oh; ++oy) {
        for (int ox = 0; ox < ow; ++ox) {
            float* out = &acc[(static_cast<size_t>(oy) * ow + ox) * l.out_c];
            for (int oc = 0; oc < l.out_c; ++oc) {
                const int c0 = (oc / group_out) * group_in;
                float sum = b[static_cast<size_t>(oc)];
                for (int ky = 0; ky < l.kernel_h; ++ky) {
                    const int iy = oy * l.stride_h - l.pad_top + ky * l.dilation_h;
                    if (iy < 0 || iy >= l.in_h) continue;
                    for (int kx = 0; kx < l.kernel_w; ++kx) {
                        const int ix = ox * l.stride_w - l.pad_left + kx * l.dilation_w;
                        if (ix < 0 || ix >= l.in_w) continue;
                        const float* xp = &x[(static_cast<size_t>(iy) * l.in_w + ix) * l.in_c + c0];
                        const float* wp =
                            &w[((static_cast<size_t>(oc) * l.kernel_h + ky) * l.kernel_w + kx) *
                               group_in];
                        // Separate multiply and add: the build has -ffp-contract=off, so this is
                        // one fp32 rounding for the product and one for the sum.
                        for (int ic = 0; ic < group_in; ++ic) sum += xp[ic] * wp[ic];
                    }
                }
                out[oc] = sum;
            }
        }
    }
    return acc;
}

Tensor matmul_float(const Layer& l, const FloatInputs& in) {
    const Tensor& a = input_at(l, in, 0);
    const Tensor& b = input_at(l, in, 1);
    const int64_t H = l.heads, M = l.mm_m, K = l.mm_k, N = l.mm_n;
    if (static_cast<int64_t>(a.size()) != H * M * K ||
        static_cast<int64_t>(b.size()) != H * K * N) {
        fail(l, "operand sizes differ from heads x M x K and heads x K x N");
    }
    const auto a_at = [&](int64_t h, int64_t m, int64_t k) {
        const int64_t i = l.a_interleaved ? m * H * K + h * K + k : (h * M + m) * K + k;
        return a[static_cast<size_t>(i)];
    };
    const auto b_at = [&](int64_t h, int64_t k, int64_t n) {
        int64_t i = 0;
        if (l.transpose_b) {
            i = l.b_interleaved ? n * H * K + h * K + k : (h * N + n) * K + k;
        } else {
            i = l.b_interleaved ? k * H * N + h * N + n : (h * K + k) * N + n;
        }
        return b[static_cast<size_t>(i)];
    };
    Tensor acc(static_cast<size_t>(H * M * N));
    for (int64_t h = 0; h < H; ++h) {
        for (int64_t m = 0; m < M; ++m) {
            for (int64_t n = 0; n < N; ++n) {
                float sum = 0.0f;
                for (int64_t k = 0; k < K; ++k) sum += a_at(h, m, k) * b_at(h, k, n);
                const int64_t o = l.out_interleaved ? m * H * N + h * N + n : (h * M + m) * N + n;
                acc[static_cast<size_t>(o)] = sum;
            }
        }
    }
    return acc;
}

// maxpool/avgpool/global_avgpool: taps in the padding are never read; the average divides by the
// number of taps inside the input (count_include_pad = false, as the int8 path).
Tensor pool_float(const Layer& l, const FloatInputs& in) {
    const Tensor& x = input_at(l, in, 0);
    if (static_cast<int64_t>(x.size()) != l.input_elems()) fail(l, "input size differs");
    const bool is_max = l.kind == OpKind::kMaxPool;
    const int oh = l.out_h(), ow = l.out_w(), c_n = l.in_c;
    if (oh <= 0 || ow <= 0) fail(l, "empty output");
    Tensor acc(static_cast<size_t>(int64_t{oh} * ow * c_n));
    for (int oy = 0; oy < oh; ++oy) {
        for (int ox = 0; ox < ow; ++ox) {
            for (int c = 0; c < c_n; ++c) {
                float best = -std::numeric_limits<float>::infinity();
                float sum = 0.0f;
                int32_t count = 0;
                for (int ky = 0; ky < l.kernel_h; ++ky) {
                    const int iy = oy * l.stride_h - l.pad_top + ky;
                    if (iy < 0 || iy >= l.in_h) continue;
                    for (int kx = 0; kx < l.kernel_w; ++kx) {
                        const int ix = ox * l.stride_w - l.pad_left + kx;
                        if (ix < 0 || ix >= l.in_w) continue;
                        const float v = x[(static_cast<size_t>(iy) * l.in_w + ix) * c_n +
                                          static_cast<size_t>(c)];
                        best = std::max(best, v);
                        sum += v;
                        ++count;
                    }
                }
                if (count == 0) fail(l, "a pooling window lies entirely in the padding");
                const size_t o = (static_cast<size_t>(oy) * ow + ox) * c_n + static_cast<size_t>(c);
                acc[o] = is_max ? best : sum / static_cast<float>(count);
            }
        }
    }
    return acc;
}

Tensor row_op_float(const Layer& l, const FloatInputs& in) {
    const Tensor& x = input_at(l, in, 0);
    const size_t row = static_cast<size_t>(row_length(l));
    if (static_cast<int64_t>(x.size()) != l.output_elems() || x.size() % row != 0) {
        fail(l, "input size differs from the output");
    }
    if (l.kind != OpKind::kSoftmax && l.gamma.size() != row) fail(l, "gamma size");
    if (l.kind == OpKind::kLayerNorm && l.beta.size() != row) fail(l, "beta size");
    const int n = static_cast<int>(row);
    Tensor y(x.size());
    for (size_t r = 0; r < x.size(); r += row) {
        if (l.kind == OpKind::kSoftmax) {
            softmax_row_f32(&x[r], n, &y[r]);
        } else if (l.kind == OpKind::kLayerNorm) {
            layernorm_row_f32(&x[r], n, l.gamma.data(), l.beta.data(), &y[r]);
        } else {
            rmsnorm_row_f32(&x[r], n, l.gamma.data(), &y[r]);
        }
    }
    return y;
}

Tensor concat_float(const Layer& l, const FloatInputs& in) {
    const size_t row = static_cast<size_t>(row_length(l));
    const size_t total = static_cast<size_t>(l.output_elems());
    const size_t rows = total / row;
    Tensor out(total);
    size_t col = 0;
    for (size_t i = 0; i < in.size(); ++i) {
        const Tensor& x = input_at(l, in, i);
        const size_t width = rows > 0 ? x.size() / rows : 0;
        if (width * rows != x.size() || col + width > row) fail(l, "input widths");
        for (size_t r = 0; r < rows; ++r) std::copy_n(&x[r * width], width, &out[r * row + col]);
        col += width;
    }
    if (col != row) fail(l, "input widths do not add up to the output's last dimension");
    return out;
}

// One layer at precision p: the op in fp32, the fused activation, then the output rounded to p.
Tensor evaluate_float(const Layer& l, const FloatInputs& in, Precision p) {
    Tensor out;
    switch (l.kind) {
        case OpKind::kConv2d:
        case OpKind::kGemm:
            out = conv_float(l, input_at(l, in, 0), p);
            break;
        case OpKind::kMatmul:
            out = matmul_float(l, in);
            break;
        case OpKind::kAdd:
        case OpKind::kMul: {
            const Tensor& x = input_at(l, in, 0);
            const Tensor& y = input_at(l, in, 1);
            const size_t n = static_cast<size_t>(l.output_elems());
            if (x.size() != n || y.size() != n) fail(l, "inputs differ in size from the output");
            out.resize(n);
            for (size_t i = 0; i < n; ++i) {
                out[i] = l.kind == OpKind::kAdd ? x[i] + y[i] : x[i] * y[i];
            }
            break;
        }
        case OpKind::kMaxPool:
        case OpKind::kAvgPool:
        case OpKind::kGlobalAvgPool:
            out = pool_float(l, in);
            break;
        case OpKind::kSoftmax:
        case OpKind::kLayerNorm:
        case OpKind::kRmsNorm:
            out = row_op_float(l, in);
            break;
        case OpKind::kGelu:
        case OpKind::kSilu: {
            const LutFunction f = l.kind == OpKind::kGelu ? LutFunction::kGelu : LutFunction::kSilu;
            out = input_at(l, in, 0);
            // The same double-precision function the int8 LUT is built from, rounded once to fp32.
            for (float& v : out) v = static_cast<float>(lut_function(f, double{v}));
            break;
        }
        case OpKind::kLookup: {
            out = input_at(l, in, 0);
            if (l.lookup_function != LookupFunction::kNone) {  // the named function
                for (float& v : out) {
                    v = lookup_function(l.lookup_function, l.lookup_alpha, v);
                }
                break;
            }
            // A given table has no function behind it: its float form quantizes, looks up and
            // dequantizes (npu::lookup_real).
            const graph::QuantParams qx = graph::input_quant(l, 0);
            for (float& v : out) {
                v = lookup_real(v, l.lut.data(), qx.scale, qx.zero_point, l.output.scale,
                                l.output.zero_point);
            }
            break;
        }
        case OpKind::kReshape:
            out = input_at(l, in, 0);
            if (static_cast<int64_t>(out.size()) != l.output_elems()) {
                fail(l, "element counts differ");
            }
            break;
        case OpKind::kConcat:
            out = concat_float(l, in);
            break;
    }
    if (takes_activation(l.kind)) {
        for (float& v : out) v = activate(l, v);
    }
    return rounded(p, std::move(out));
}

}  // namespace

std::vector<float> float_weights(const graph::Layer& l) {
    if (!has_weights(l)) return {};
    const int64_t expected = l.reduction() * l.out_c;
    if (!l.float_weights.empty()) {
        if (static_cast<int64_t>(l.float_weights.size()) != expected) {
            fail(l, "float_weights have " + std::to_string(l.float_weights.size()) +
                        " elements, expected " + std::to_string(expected));
        }
        return l.float_weights;
    }
    if (static_cast<int64_t>(l.weights.size()) != expected) {
        fail(l, "weights have " + std::to_string(l.weights.size()) + " elements, expected " +
                    std::to_string(expected));
    }
    if (static_cast<int64_t>(l.weight_scale.size()) != l.out_c) {
        fail(l, "weight_scale has " + std::to_string(l.weight_scale.size()) +
                    " entries, expected out_c = " + std::to_string(l.out_c));
    }
    // OHWI: output channel c owns the `reduction()` consecutive weights starting at c * K.
    const size_t k = static_cast<size_t>(l.reduction());
    std::vector<float> w(l.weights.size());
    for (size_t i = 0; i < w.size(); ++i) {
        w[i] = static_cast<float>(l.weight_scale[i / k] * l.weights[i]);
    }
    return w;
}

std::vector<float> float_bias(const graph::Layer& l) {
    if (!has_weights(l)) return {};
    if (!l.float_bias.empty()) {
        if (static_cast<int64_t>(l.float_bias.size()) != l.out_c) {
            fail(l, "float_bias has " + std::to_string(l.float_bias.size()) +
                        " elements, expected out_c = " + std::to_string(l.out_c));
        }
        return l.float_bias;
    }
    if (static_cast<int64_t>(l.bias.size()) != l.out_c) {
        fail(l, "bias has " + std::to_string(l.bias.size()) +
                    " elements, expected out_c = " + std::to_string(l.out_c));
    }
    if (static_cast<int64_t>(l.weight_scale.size()) != l.out_c) {
        fail(l, "weight_scale has " + std::to_string(l.weight_scale.size()) +
                    " entries, expected out_c = " + std::to_string(l.out_c));
    }
    const double sx = graph::input_quant(l, 0).scale;
    std::vector<float> b(l.bias.size());
    for (size_t c = 0; c < b.size(); ++c) {
        b[c] = static_cast<float>(sx * l.weight_scale[c] * l.bias[c]);
    }
    return b;
}

namespace {

std::vector<float> dequantize(const std::vector<int8_t>& q, const graph::QuantParams& qp) {
    const float s = static_cast<float>(qp.scale);
    std::vector<float> v(q.size());
    for (size_t i = 0; i < q.size(); ++i) {
        v[i] = static_cast<float>(int32_t{q[i]} - qp.zero_point) * s;
    }
    return v;
}

}  // namespace

std::vector<std::vector<float>> dequantized_inputs(const graph::Workload& wl) {
    std::vector<std::vector<float>> out;
    if (wl.inputs.empty()) {
        // A hand-built v1 chain: Workload::input, quantized as the first layer's input.
        if (!wl.layers.empty())
            out.push_back(dequantize(wl.input, graph::input_quant(wl.layers[0], 0)));
        return out;
    }
    for (size_t i = 0; i < wl.inputs.size(); ++i) {
        if (i >= wl.input_data.size()) {
            throw std::invalid_argument("workload '" + wl.name + "': input '" + wl.inputs[i].name +
                                        "' has no data");
        }
        out.push_back(dequantize(wl.input_data[i], wl.inputs[i].quant));
    }
    return out;
}

FloatOutputs run_float(const graph::Workload& wl, Precision p,
                       const std::vector<std::vector<float>>* inputs) {
    if (!is_float(p)) {
        throw std::invalid_argument(std::string("run_float: precision ") + to_string(p) +
                                    " is not a float precision (expected bf16, fp16 or fp32)");
    }
    std::vector<std::vector<float>> net_in = inputs != nullptr ? *inputs : dequantized_inputs(wl);
    if (wl.batch > 1) {  // image by image, each layer's outputs back to back
        FloatOutputs all(wl.layers.size());
        const auto n = static_cast<size_t>(wl.batch);
        for (int32_t b = 0; b < wl.batch; ++b) {
            std::vector<std::vector<float>> image_in;
            for (const std::vector<float>& v : net_in) {
                const size_t len = v.size() / n;
                const auto first = v.begin() + static_cast<std::ptrdiff_t>(len * size_t(b));
                image_in.emplace_back(first, first + static_cast<std::ptrdiff_t>(len));
            }
            const FloatOutputs one = run_float(graph::image_of(wl, b), p, &image_in);
            for (size_t i = 0; i < one.size(); ++i) {
                all[i].insert(all[i].end(), one[i].begin(), one[i].end());
            }
        }
        return all;
    }
    // A v1 chain without declared inputs has one input: Workload::input.
    const size_t expected_count =
        wl.inputs.empty() ? (wl.layers.empty() ? 0 : 1) : wl.inputs.size();
    if (net_in.size() != expected_count) {
        throw std::invalid_argument("workload '" + wl.name + "': " + std::to_string(net_in.size()) +
                                    " inputs given, expected " + std::to_string(expected_count));
    }
    for (size_t i = 0; i < net_in.size(); ++i) {
        const int64_t elems = wl.inputs.empty()
                                  ? (wl.layers.empty() ? 0 : wl.layers[0].input_elems())
                                  : wl.inputs[i].elems();
        if (static_cast<int64_t>(net_in[i].size()) != elems) {
            const std::string name = wl.inputs.empty() ? "input" : wl.inputs[i].name;
            throw std::invalid_argument("workload '" + wl.name + "': input '" + name + "' has " +
                                        std::to_string(net_in[i].size()) + " elements, expected " +
                                        std::to_string(elems));
        }
        net_in[i] = rounded(p, std::move(net_in[i]));
    }

    std::map<std::string, const Tensor*> tensors;
    for (size_t i = 0; i < wl.inputs.size(); ++i) tensors[wl.inputs[i].name] = &net_in[i];
    if (wl.inputs.empty() && !net_in.empty()) tensors["input"] = &net_in[0];
    FloatOutputs outputs;
    outputs.reserve(wl.layers.size());  // pointers into it stay valid
    for (size_t i = 0; i < wl.layers.size(); ++i) {
        const Layer& layer = wl.layers[i];
        FloatInputs in;
        if (layer.inputs.empty()) in.push_back(i == 0 ? &net_in[0] : &outputs[i - 1]);
        for (const std::string& name : layer.inputs) {
            const auto it = tensors.find(name);
            if (it == tensors.end()) {
                throw std::invalid_argument("layer '" + layer.name + "' reads unknown tensor '" +
                                            name + "'");
            }
            in.push_back(it->second);
        }
        outputs.push_back(evaluate_float(layer, in, p));
        tensors[layer.name] = &outputs.back();
    }
    return outputs;
}

}  // namespace npu::quant

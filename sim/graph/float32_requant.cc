#include "sim/graph/float32_requant.h"

#include <cmath>
#include <stdexcept>
#include <string>

namespace npu::graph {

namespace {

[[noreturn]] void fail(const Layer& l, const std::string& what) {
    throw std::invalid_argument("layer '" + l.name + "' (" + to_string(l.kind) + "): " + what);
}

const std::vector<int8_t>& input_at(const Layer& l, const LayerInputs& in, size_t i) {
    if (i >= in.size() || in[i] == nullptr) fail(l, "missing input " + std::to_string(i));
    return *in[i];
}

int32_t zp_offset(const QuantParams& q) { return q.uint8_origin ? 128 : 0; }

// A row op's row: the output's last dimension (as layer_eval's row ops).
int64_t row_length(const Layer& l) { return l.out_c > 0 ? l.out_c : 1; }

// The window of output pixel (oy, ox): taps inside the input, in (ky, kx) order, as ORT's pooling
// loops visit them (qlinear_pool.cc: h outer, w inner).
template <typename F>
void for_window(const Layer& l, int oy, int ox, F&& tap) {
    for (int ky = 0; ky < l.kernel_h; ++ky) {
        const int iy = oy * l.stride_h - l.pad_top + ky;
        if (iy < 0 || iy >= l.in_h) continue;
        for (int kx = 0; kx < l.kernel_w; ++kx) {
            const int ix = ox * l.stride_w - l.pad_left + kx;
            if (ix < 0 || ix >= l.in_w) continue;
            tap(iy, ix);
        }
    }
}

std::vector<int8_t> pool_f32(const Layer& l, const LayerInputs& in, const F32Requant& p) {
    const std::vector<int8_t>& x = input_at(l, in, 0);
    if (static_cast<int64_t>(x.size()) != l.input_elems()) fail(l, "input size differs");
    const QuantParams qx = input_quant(l, 0);
    const Requant& rq = l.requant;
    const int oh = l.out_h(), ow = l.out_w(), c_n = l.in_c;
    std::vector<int8_t> out(static_cast<size_t>(int64_t{oh} * ow * c_n));
    std::vector<float> values;
    for (int oy = 0; oy < oh; ++oy) {
        for (int ox = 0; ox < ow; ++ox) {
            for (int c = 0; c < c_n; ++c) {
                int32_t sum = 0;  // global: sum(x) - zx * count, exact in int32
                values.clear();
                for_window(l, oy, ox, [&](int iy, int ix) {
                    const int32_t v =
                        x[(static_cast<size_t>(iy) * l.in_w + ix) * c_n + static_cast<size_t>(c)];
                    sum += v - qx.zero_point;
                    values.push_back(dequantize_f32(v, qx.zero_point, p.x_scale));
                });
                if (values.empty()) fail(l, "a pooling window lies entirely in the padding");
                const size_t o = (static_cast<size_t>(oy) * ow + ox) * c_n + static_cast<size_t>(c);
                const int32_t word =
                    p.formula == F32Formula::kAvgPool
                        ? f32_bits(avgpool_mean_f32(values.data(), static_cast<int>(values.size())))
                        : sum;
                out[o] = static_cast<int8_t>(postprocess_f32(
                    word, static_cast<size_t>(c), p, rq.out_zero_point, rq.act_min, rq.act_max));
            }
        }
    }
    return out;
}

}  // namespace

bool avgpool_is_global(const Layer& l) {
    if (l.kind == OpKind::kGlobalAvgPool) return true;
    return l.kind == OpKind::kAvgPool && l.kernel_h == l.in_h && l.kernel_w == l.in_w &&
           l.pad_top == 0 && l.pad_bottom == 0 && l.pad_left == 0 && l.pad_right == 0;
}

F32Requant f32_requant(const Layer& l) {
    F32Requant p;
    const size_t n = l.requant.multiplier.size();
    const QuantParams qx = input_quant(l, 0);
    const double so = l.output.scale;
    const auto repeat = [&](float v) { p.scale.assign(n, v); };
    switch (l.kind) {
        case OpKind::kConv2d:
        case OpKind::kGemm:
            if (l.weight_scale.size() != n) fail(l, "weight scales differ in count from channels");
            p.scale.resize(n);
            for (size_t c = 0; c < n; ++c)
                p.scale[c] = f32_rescale(qx.scale, l.weight_scale[c], so);
            return p;
        case OpKind::kMatmul:
            repeat(f32_rescale(qx.scale, input_quant(l, 1).scale, so));
            return p;
        case OpKind::kMul:
            p.formula = F32Formula::kMul;
            p.zp_offset = zp_offset(l.output);
            repeat(f32_rescale(qx.scale, input_quant(l, 1).scale, so));
            return p;
        case OpKind::kAdd:
            p.formula = F32Formula::kAdd;
            p.x_scale = static_cast<float>(qx.scale);
            p.y_scale = static_cast<float>(input_quant(l, 1).scale);
            p.out_scale = static_cast<float>(so);
            repeat(0.0f);
            return p;
        case OpKind::kAvgPool:
        case OpKind::kGlobalAvgPool:
            p.x_scale = static_cast<float>(qx.scale);
            p.out_scale = static_cast<float>(so);
            if (avgpool_is_global(l)) {
                repeat(f32_global_avgpool_scale(qx.scale, so, int64_t{l.in_h} * l.in_w));
            } else {
                p.formula = F32Formula::kAvgPool;
                p.zp_offset = zp_offset(l.output);
                repeat(0.0f);
            }
            return p;
        case OpKind::kSoftmax:
            // QLinearSoftmax: a table of exponentials and floor(1 / so); the unused multiplier
            // keeps its per-element shape.
            p.formula = F32Formula::kSoftmax;
            p.table = softmax_table_f32(qx.scale, row_length(l));
            p.out_scale = std::floor(1.0f / static_cast<float>(so));
            p.zp_offset = zp_offset(l.output);
            repeat(f32_rescale(qx.scale, 1.0, so));
            return p;
        default:
            // maxpool, and the ops without a multiplier (their requant is unused).
            repeat(f32_rescale(qx.scale, 1.0, so));
            return p;
    }
}

std::vector<int8_t> evaluate_f32(const Layer& l, const LayerInputs& in) {
    const Requant& rq = l.requant;
    switch (l.kind) {
        case OpKind::kConv2d:
        case OpKind::kGemm:
        case OpKind::kMatmul:
        case OpKind::kMul:
        case OpKind::kMaxPool: {
            // The accumulators do not depend on the rounding mode for these ops.
            const std::vector<int32_t> acc = op_accumulate(l, in, Rounding::kHalfEven);
            const F32Requant p = f32_requant(l);
            const size_t channels = p.scale.size();
            if (channels == 0 || acc.size() % channels != 0) fail(l, "requant has no channels");
            std::vector<int8_t> out(acc.size());
            for (size_t i = 0; i < acc.size(); ++i) {
                out[i] = static_cast<int8_t>(postprocess_f32(
                    acc[i], i % channels, p, rq.out_zero_point, rq.act_min, rq.act_max));
            }
            return out;
        }
        case OpKind::kAdd: {
            const std::vector<int8_t>& x = input_at(l, in, 0);
            const std::vector<int8_t>& y = input_at(l, in, 1);
            if (x.size() != static_cast<size_t>(l.output_elems()) || y.size() != x.size()) {
                fail(l, "inputs differ in size from the output");
            }
            const F32Requant p = f32_requant(l);
            const int32_t zx = input_quant(l, 0).zero_point, zy = input_quant(l, 1).zero_point;
            std::vector<int8_t> out(x.size());
            for (size_t i = 0; i < x.size(); ++i) {
                const float s = add_partial_f32(x[i] - zx, p.x_scale, y[i] - zy, p.y_scale);
                out[i] = static_cast<int8_t>(
                    add_requantize_f32(s, p.out_scale, rq.out_zero_point, rq.act_min, rq.act_max));
            }
            return out;
        }
        case OpKind::kAvgPool:
        case OpKind::kGlobalAvgPool:
            return pool_f32(l, in, f32_requant(l));
        case OpKind::kSoftmax: {
            const std::vector<int8_t>& x = input_at(l, in, 0);
            const int64_t n = row_length(l);
            if (static_cast<int64_t>(x.size()) != l.output_elems() || n <= 0 ||
                static_cast<int64_t>(x.size()) % n != 0) {
                fail(l, "input size differs from the output");
            }
            const F32Requant p = f32_requant(l);
            std::vector<int8_t> out(x.size());
            for (size_t r = 0; r < x.size(); r += static_cast<size_t>(n)) {
                qlinear_softmax_row(&x[r], static_cast<int>(n), p, l.output.zero_point, &out[r]);
            }
            return out;
        }
        default:
            return evaluate(l, in, Rounding::kHalfEven);
    }
}

}  // namespace npu::graph

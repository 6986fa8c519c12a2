#include "sim/graph/layer_eval.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

#include "sim/core/ppu_ops.h"
#include "sim/core/requant.h"

namespace npu::graph {

namespace {

void check_layer(const Layer& l, size_t input_size) {
    const auto fail = [&](const std::string& what) {
        throw std::invalid_argument("layer '" + l.name + "': " + what);
    };
    if (static_cast<int64_t>(input_size) != l.input_elems()) {
        fail("input has " + std::to_string(input_size) + " elements, expected " +
             std::to_string(l.input_elems()));
    }
    if (static_cast<int64_t>(l.weights.size()) != l.reduction() * l.out_c) {
        fail("weights have " + std::to_string(l.weights.size()) + " elements, expected " +
             std::to_string(l.reduction() * l.out_c));
    }
    if (static_cast<int64_t>(l.bias.size()) != l.out_c) fail("bias size differs from out_c");
    if (l.out_h() <= 0 || l.out_w() <= 0) fail("empty output");
    if (l.groups < 1 || l.in_c % l.groups != 0 || l.out_c % l.groups != 0) {
        fail("groups do not divide the channels");
    }
}

[[noreturn]] void fail(const Layer& l, const std::string& what) {
    throw std::invalid_argument("layer '" + l.name + "' (" + to_string(l.kind) + "): " + what);
}

const std::vector<int8_t>& input_at(const Layer& l, const LayerInputs& in, size_t i) {
    if (i >= in.size() || in[i] == nullptr) fail(l, "missing input " + std::to_string(i));
    return *in[i];
}

// The output's last dimension (out_c) and the number of rows of it.
int64_t row_length(const Layer& l) { return l.out_c > 0 ? l.out_c : 1; }

std::vector<int32_t> matmul_accumulate(const Layer& l, const LayerInputs& in) {
    const std::vector<int8_t>& a = input_at(l, in, 0);
    const std::vector<int8_t>& b = input_at(l, in, 1);
    const int64_t H = l.heads, M = l.mm_m, K = l.mm_k, N = l.mm_n;
    if (static_cast<int64_t>(a.size()) != H * M * K ||
        static_cast<int64_t>(b.size()) != H * K * N) {
        fail(l, "operand sizes differ from heads x M x K and heads x K x N");
    }
    const int32_t za = input_quant(l, 0).zero_point;
    const int32_t zb = input_quant(l, 1).zero_point;
    const auto a_at = [&](int64_t h, int64_t m, int64_t k) -> int32_t {
        const int64_t i = l.a_interleaved ? m * H * K + h * K + k : (h * M + m) * K + k;
        return int32_t{a[static_cast<size_t>(i)]} - za;
    };
    const auto b_at = [&](int64_t h, int64_t k, int64_t n) -> int32_t {
        int64_t i = 0;
        if (l.transpose_b) {
            i = l.b_interleaved ? n * H * K + h * K + k : (h * N + n) * K + k;
        } else {
            i = l.b_interleaved ? k * H * N + h * N + n : (h * K + k) * N + n;
        }
        return int32_t{b[static_cast<size_t>(i)]} - zb;
    };
    std::vector<int32_t> acc(static_cast<size_t>(H * M * N));
    for (int64_t h = 0; h < H; ++h) {
        for (int64_t m = 0; m < M; ++m) {
            for (int64_t n = 0; n < N; ++n) {
                // The loader bounds K * 255 * 255 below 2^31.
                int32_t sum = 0;
                for (int64_t k = 0; k < K; ++k) sum += a_at(h, m, k) * b_at(h, k, n);
                const int64_t o = l.out_interleaved ? m * H * N + h * N + n : (h * M + m) * N + n;
                acc[static_cast<size_t>(o)] = sum;
            }
        }
    }
    return acc;
}

std::vector<int32_t> pool_accumulate(const Layer& l, const LayerInputs& in) {
    const std::vector<int8_t>& x = input_at(l, in, 0);
    if (static_cast<int64_t>(x.size()) != l.input_elems()) fail(l, "input size differs");
    const int32_t zx = input_quant(l, 0).zero_point;
    const bool is_max = l.kind == OpKind::kMaxPool;
    const int oh = l.out_h(), ow = l.out_w(), c_n = l.in_c;
    std::vector<int32_t> acc(static_cast<size_t>(int64_t{oh} * ow * c_n));
    for (int oy = 0; oy < oh; ++oy) {
        for (int ox = 0; ox < ow; ++ox) {
            for (int c = 0; c < c_n; ++c) {
                int32_t best = -129;
                int32_t sum = 0;
                int32_t count = 0;
                for (int ky = 0; ky < l.kernel_h; ++ky) {
                    const int iy = oy * l.stride_h - l.pad_top + ky;
                    if (iy < 0 || iy >= l.in_h) continue;  // padding is never read
                    for (int kx = 0; kx < l.kernel_w; ++kx) {
                        const int ix = ox * l.stride_w - l.pad_left + kx;
                        if (ix < 0 || ix >= l.in_w) continue;
                        const int32_t v = x[(static_cast<size_t>(iy) * l.in_w + ix) * c_n +
                                            static_cast<size_t>(c)];
                        best = std::max(best, v);
                        sum += v;
                        ++count;
                    }
                }
                if (count == 0) fail(l, "a pooling window lies entirely in the padding");
                const size_t o = (static_cast<size_t>(oy) * ow + ox) * c_n + static_cast<size_t>(c);
                acc[o] = is_max ? best - zx : rounding_divide(sum - count * zx, count);
            }
        }
    }
    return acc;
}

void check_same_size(const Layer& l, const LayerInputs& in) {
    const size_t n = static_cast<size_t>(l.output_elems());
    if (input_at(l, in, 0).size() != n || input_at(l, in, 1).size() != n) {
        fail(l, "inputs differ in size from the output");
    }
}

}  // namespace

QuantParams input_quant(const Layer& l, size_t i) {
    if (i < l.input_quant.size()) return l.input_quant[i];
    if (i == 0) return l.input;
    fail(l, "no quantization for input " + std::to_string(i));
}

std::vector<int32_t> op_accumulate(const Layer& l, const LayerInputs& in, Rounding mode) {
    switch (l.kind) {
        case OpKind::kConv2d:
        case OpKind::kGemm:
            return accumulate(l, input_at(l, in, 0));
        case OpKind::kMatmul:
            return matmul_accumulate(l, in);
        case OpKind::kMaxPool:
        case OpKind::kAvgPool:
        case OpKind::kGlobalAvgPool:
            return pool_accumulate(l, in);
        case OpKind::kAdd:
        case OpKind::kMul: {
            check_same_size(l, in);
            const std::vector<int8_t>& x = *in[0];
            const std::vector<int8_t>& y = *in[1];
            const int32_t zx = input_quant(l, 0).zero_point;
            const int32_t zy = input_quant(l, 1).zero_point;
            std::vector<int32_t> acc(x.size());
            for (size_t i = 0; i < x.size(); ++i) {
                acc[i] = l.kind == OpKind::kMul
                             ? (int32_t{x[i]} - zx) * (int32_t{y[i]} - zy)
                             : add_accumulate(x[i], zx, l.add_x, y[i], zy, l.add_y, mode);
            }
            return acc;
        }
        default:
            fail(l, "has no integer accumulator");
    }
}

std::vector<double> real_outputs(const Layer& l, const LayerInputs& in, Rounding mode) {
    std::vector<double> real;
    const QuantParams qx = input_quant(l, 0);
    const size_t row = static_cast<size_t>(row_length(l));
    switch (l.kind) {
        case OpKind::kConv2d:
        case OpKind::kGemm: {
            const std::vector<int32_t> acc = op_accumulate(l, in, mode);
            real.resize(acc.size());
            for (size_t i = 0; i < acc.size(); ++i) {
                real[i] = acc[i] * qx.scale * l.weight_scale[i % row];
            }
            return real;
        }
        case OpKind::kMatmul:
        case OpKind::kMul:
        case OpKind::kAdd:
        case OpKind::kMaxPool:
        case OpKind::kAvgPool:
        case OpKind::kGlobalAvgPool: {
            double scale = qx.scale;
            if (l.kind == OpKind::kMatmul || l.kind == OpKind::kMul) {
                scale *= input_quant(l, 1).scale;
            } else if (l.kind == OpKind::kAdd) {
                scale = 2.0 * std::max(qx.scale, input_quant(l, 1).scale) *
                        std::ldexp(1.0, -kAddLeftShift);
            }
            const std::vector<int32_t> acc = op_accumulate(l, in, mode);
            real.resize(acc.size());
            for (size_t i = 0; i < acc.size(); ++i) real[i] = acc[i] * scale;
            return real;
        }
        case OpKind::kSoftmax:
        case OpKind::kLayerNorm:
        case OpKind::kRmsNorm: {
            const std::vector<int8_t>& x = input_at(l, in, 0);
            std::vector<float> y(x.size());
            const int n = static_cast<int>(row);
            for (size_t r = 0; r + row <= x.size(); r += row) {
                if (l.kind == OpKind::kSoftmax) {
                    softmax_row_real(&x[r], n, qx.scale, qx.zero_point, &y[r]);
                } else if (l.kind == OpKind::kLayerNorm) {
                    layernorm_row_real(&x[r], n, qx.scale, qx.zero_point, l.gamma.data(),
                                       l.beta.data(), &y[r]);
                } else {
                    rmsnorm_row_real(&x[r], n, qx.scale, qx.zero_point, l.gamma.data(), &y[r]);
                }
            }
            return std::vector<double>(y.begin(), y.end());
        }
        case OpKind::kGelu:
        case OpKind::kSilu: {
            const LutFunction f = l.kind == OpKind::kGelu ? LutFunction::kGelu : LutFunction::kSilu;
            for (int8_t v : input_at(l, in, 0)) {
                real.push_back(lut_function(f, qx.scale * (int32_t{v} - qx.zero_point)));
            }
            return real;
        }
        case OpKind::kReshape:
        case OpKind::kConcat: {
            const std::vector<int8_t> out = evaluate(l, in, mode);
            for (int8_t v : out) real.push_back(qx.scale * (int32_t{v} - qx.zero_point));
            return real;
        }
    }
    return real;
}

std::vector<int8_t> evaluate(const Layer& l, const LayerInputs& in, Rounding mode) {
    const size_t row = static_cast<size_t>(row_length(l));
    switch (l.kind) {
        case OpKind::kConv2d:
        case OpKind::kGemm:
        case OpKind::kMatmul:
        case OpKind::kAdd:
        case OpKind::kMul:
        case OpKind::kMaxPool:
        case OpKind::kAvgPool:
        case OpKind::kGlobalAvgPool:
            return requantize_output(l, op_accumulate(l, in, mode), mode);
        case OpKind::kSoftmax:
        case OpKind::kLayerNorm:
        case OpKind::kRmsNorm: {
            const std::vector<int8_t>& x = input_at(l, in, 0);
            if (static_cast<int64_t>(x.size()) != l.output_elems() || x.size() % row != 0) {
                fail(l, "input size differs from the output");
            }
            if (l.kind != OpKind::kSoftmax && l.gamma.size() != row) fail(l, "gamma size");
            if (l.kind == OpKind::kLayerNorm && l.beta.size() != row) fail(l, "beta size");
            const QuantParams qx = input_quant(l, 0);
            const int n = static_cast<int>(row);
            std::vector<int8_t> out(x.size());
            for (size_t r = 0; r < x.size(); r += row) {
                if (l.kind == OpKind::kSoftmax) {
                    softmax_row(&x[r], n, qx.scale, qx.zero_point, l.output.scale,
                                l.output.zero_point, &out[r]);
                } else if (l.kind == OpKind::kLayerNorm) {
                    layernorm_row(&x[r], n, qx.scale, qx.zero_point, l.gamma.data(), l.beta.data(),
                                  l.output.scale, l.output.zero_point, &out[r]);
                } else {
                    rmsnorm_row(&x[r], n, qx.scale, qx.zero_point, l.gamma.data(), l.output.scale,
                                l.output.zero_point, &out[r]);
                }
            }
            return out;
        }
        case OpKind::kGelu:
        case OpKind::kSilu: {
            if (l.lut.size() != 256) fail(l, "lookup table does not have 256 entries");
            std::vector<int8_t> out = input_at(l, in, 0);
            for (int8_t& v : out) v = l.lut[static_cast<size_t>(int32_t{v} + 128)];
            return out;
        }
        case OpKind::kReshape: {
            const std::vector<int8_t>& x = input_at(l, in, 0);
            if (static_cast<int64_t>(x.size()) != l.output_elems())
                fail(l, "element counts differ");
            return x;
        }
        case OpKind::kConcat: {
            // Along the last dimension: every input has the output's rows, each its own width.
            const size_t total = static_cast<size_t>(l.output_elems());
            const size_t rows = total / row;
            std::vector<int8_t> out(total);
            size_t col = 0;
            for (size_t i = 0; i < in.size(); ++i) {
                const std::vector<int8_t>& x = input_at(l, in, i);
                const size_t width = rows > 0 ? x.size() / rows : 0;
                if (width * rows != x.size() || col + width > row) fail(l, "input widths");
                for (size_t r = 0; r < rows; ++r) {
                    std::copy_n(&x[r * width], width, &out[r * row + col]);
                }
                col += width;
            }
            if (col != row) fail(l, "input widths do not add up to the output's last dimension");
            return out;
        }
    }
    fail(l, "unknown op");
}

std::vector<int32_t> accumulate(const Layer& l, const std::vector<int8_t>& input) {
    check_layer(l, input.size());
    const int oh = l.out_h();
    const int ow = l.out_w();
    const int32_t zp = l.input.zero_point;
    const int group_in = l.in_c / l.groups;    // input channels per group
    const int group_out = l.out_c / l.groups;  // output channels per group
    std::vector<int32_t> acc(static_cast<size_t>(l.output_elems()));
    // (x - zp) once per input element instead of once per MAC.
    std::vector<int32_t> centered(input.size());
    for (size_t i = 0; i < input.size(); ++i) centered[i] = int32_t{input[i]} - zp;

    for (int oy = 0; oy < oh; ++oy) {
        for (int ox = 0; ox < ow; ++ox) {
            int32_t* out = &acc[(static_cast<size_t>(oy) * ow + ox) * l.out_c];
            for (int oc = 0; oc < l.out_c; ++oc) {
                const int c0 = (oc / group_out) * group_in;  // first input channel of the group
                // The loader bounds K * 255 * 127 + |bias| below 2^31, so int32 cannot overflow.
                int32_t sum = l.bias[oc];
                for (int ky = 0; ky < l.kernel_h; ++ky) {
                    const int iy = oy * l.stride_h - l.pad_top + ky * l.dilation_h;
                    if (iy < 0 || iy >= l.in_h) continue;  // padding: (zp - zp) * w == 0
                    for (int kx = 0; kx < l.kernel_w; ++kx) {
                        const int ix = ox * l.stride_w - l.pad_left + kx * l.dilation_w;
                        if (ix < 0 || ix >= l.in_w) continue;
                        const int32_t* x =
                            &centered[(static_cast<size_t>(iy) * l.in_w + ix) * l.in_c + c0];
                        const int8_t* w =
                            &l.weights[((static_cast<size_t>(oc) * l.kernel_h + ky) * l.kernel_w +
                                        kx) *
                                       group_in];
                        for (int ic = 0; ic < group_in; ++ic) sum += x[ic] * int32_t{w[ic]};
                    }
                }
                out[oc] = sum;
            }
        }
    }
    return acc;
}

std::vector<int8_t> requantize_output(const Layer& l, const std::vector<int32_t>& acc,
                                      Rounding mode) {
    const Requant& rq = l.requant;
    if (static_cast<int64_t>(rq.multiplier.size()) != l.out_c ||
        static_cast<int64_t>(rq.shift.size()) != l.out_c) {
        throw std::invalid_argument("layer '" + l.name + "': requant has no entry per channel");
    }
    if (static_cast<int64_t>(acc.size()) != l.output_elems()) {
        throw std::invalid_argument("layer '" + l.name +
                                    "': accumulator count differs from output");
    }
    std::vector<int8_t> out(acc.size());
    const size_t channels = static_cast<size_t>(l.out_c);
    for (size_t i = 0; i < acc.size(); ++i) {
        const size_t c = i % channels;
        out[i] = static_cast<int8_t>(requantize(acc[i], rq.multiplier[c], rq.shift[c],
                                                rq.out_zero_point, rq.act_min, rq.act_max, mode));
    }
    return out;
}

}  // namespace npu::graph

#include "sim/graph/layer_eval.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

#include "sim/core/ppu_ops.h"
#include "sim/core/requant.h"
#include "sim/graph/float32_requant.h"
#include "sim/kernels/gemm.h"
#include "sim/kernels/im2col.h"
#include "sim/kernels/requant_rows.h"

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

// Per head, one GEMM: sum (a - za)(b - zb) = sum a b - zb sum_k a - za sum_k b + K za zb, the
// zero-point terms as the GEMM's start values (int32 wrap-around; the loader bounds the true sums
// below 2^31, so the result is exact).
std::vector<int32_t> matmul_accumulate(const Layer& l, const LayerInputs& in) {
    const std::vector<int8_t>& a = input_at(l, in, 0);
    const std::vector<int8_t>& b = input_at(l, in, 1);
    const int64_t H = l.heads, M = l.mm_m, K = l.mm_k, N = l.mm_n;
    if (static_cast<int64_t>(a.size()) != H * M * K ||
        static_cast<int64_t>(b.size()) != H * K * N) {
        fail(l, "operand sizes differ from heads x M x K and heads x K x N");
    }
    const uint32_t za = static_cast<uint32_t>(input_quant(l, 0).zero_point);
    const uint32_t zb = static_cast<uint32_t>(input_quant(l, 1).zero_point);
    std::vector<int32_t> acc(static_cast<size_t>(H * M * N));
    std::vector<int32_t> row_init(static_cast<size_t>(M)), col_init(static_cast<size_t>(N));
    for (int64_t h = 0; h < H; ++h) {
        // A(m, k) = a[a0 + m * lda + k]; B(n, k) = b[b0 + n * sn + k * sk]; C(m, n) = acc[c0 + m *
        // ldc + n].
        const int64_t a0 = l.a_interleaved ? h * K : h * M * K;
        const int64_t lda = l.a_interleaved ? H * K : K;
        int64_t b0 = 0, sn = 0, sk = 0;
        if (l.transpose_b) {
            b0 = l.b_interleaved ? h * K : h * N * K;
            sn = l.b_interleaved ? H * K : K;
            sk = 1;
        } else {
            b0 = l.b_interleaved ? h * N : h * K * N;
            sn = 1;
            sk = l.b_interleaved ? H * N : N;
        }
        const int64_t c0 = l.out_interleaved ? h * N : h * M * N;
        const int64_t ldc = l.out_interleaved ? H * N : N;
        const int8_t* ah = a.data() + a0;
        const int8_t* bh = b.data() + b0;
        for (int64_t m = 0; m < M; ++m) {
            uint32_t sum = 0;
            for (int64_t k = 0; k < K; ++k) sum += static_cast<uint32_t>(int32_t{ah[m * lda + k]});
            row_init[static_cast<size_t>(m)] = static_cast<int32_t>(0u - zb * sum);
        }
        for (int64_t n = 0; n < N; ++n) {
            uint32_t sum = 0;
            for (int64_t k = 0; k < K; ++k)
                sum += static_cast<uint32_t>(int32_t{bh[n * sn + k * sk]});
            col_init[static_cast<size_t>(n)] =
                static_cast<int32_t>(static_cast<uint32_t>(K) * za * zb - za * sum);
        }
        const kernels::PackedB pb = kernels::pack_b(bh, N, K, sn, sk, kernels::check_isa());
        kernels::gemm(ah, M, lda, pb, col_init.data(), row_init.data(), acc.data() + c0, ldc);
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
        case OpKind::kLookup: {
            const QuantParams qo = l.output;
            for (int8_t v : evaluate(l, in, mode)) real.push_back(qo.scale * (v - qo.zero_point));
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

std::vector<int8_t> evaluate(const Layer& l, const LayerInputs& in, Rounding mode,
                             RequantMode requant) {
    if (requant == RequantMode::kFloat32) return evaluate_f32(l, in);
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
        case OpKind::kSilu:
        case OpKind::kLookup: {
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

namespace {

// Depthwise (one input and one output channel per group): the taps of each pixel, vectorized
// over the channels.
void depthwise_accumulate(const Layer& l, const std::vector<int8_t>& input, int32_t* acc) {
    const int oh = l.out_h(), ow = l.out_w(), c_n = l.in_c;
    const int taps = l.kernel_h * l.kernel_w;
    const int32_t zp = l.input.zero_point;
    std::vector<int32_t> w(static_cast<size_t>(taps) * c_n);  // [tap][c]
    for (int c = 0; c < c_n; ++c) {
        for (int t = 0; t < taps; ++t) {
            w[static_cast<size_t>(t) * c_n + c] = l.weights[static_cast<size_t>(c) * taps + t];
        }
    }
    std::vector<uint32_t> sum(static_cast<size_t>(c_n));
    for (int oy = 0; oy < oh; ++oy) {
        for (int ox = 0; ox < ow; ++ox) {
            for (int c = 0; c < c_n; ++c) sum[c] = static_cast<uint32_t>(l.bias[c]);
            for (int ky = 0; ky < l.kernel_h; ++ky) {
                const int iy = oy * l.stride_h - l.pad_top + ky * l.dilation_h;
                if (iy < 0 || iy >= l.in_h) continue;  // padding: (zp - zp) * w == 0
                for (int kx = 0; kx < l.kernel_w; ++kx) {
                    const int ix = ox * l.stride_w - l.pad_left + kx * l.dilation_w;
                    if (ix < 0 || ix >= l.in_w) continue;
                    const int8_t* x = &input[(static_cast<size_t>(iy) * l.in_w + ix) * c_n];
                    const int32_t* wt = &w[static_cast<size_t>(ky * l.kernel_w + kx) * c_n];
                    for (int c = 0; c < c_n; ++c) {
                        sum[c] += static_cast<uint32_t>((int32_t{x[c]} - zp) * wt[c]);
                    }
                }
            }
            int32_t* out = acc + (static_cast<size_t>(oy) * ow + ox) * c_n;
            for (int c = 0; c < c_n; ++c) out[c] = static_cast<int32_t>(sum[c]);
        }
    }
}

// im2col slabs of at most this many bytes (a whole layer's im2col could be large).
constexpr int64_t kSlabBytes = int64_t{4} << 20;
// Below this many rows (a decode step's one token) packing the weights costs more than the
// product: plain dot products over the contiguous weight rows instead.
constexpr int64_t kFewRows = 4;

}  // namespace

// Per group, a GEMM of the im2col matrix (taps in the padding hold the zero point) by the
// group's OHWI weights: sum (x - zp) w = sum x w - zp sum w, so the GEMM starts each output
// channel at bias - zp * sum_k w (int32 wrap-around; the loader bounds the true sums below 2^31,
// so the result is exact). A 1x1 stride-1 unpadded convolution (and every GEMM) reads the input
// in place.
std::vector<int32_t> accumulate(const Layer& l, const std::vector<int8_t>& input) {
    check_layer(l, input.size());
    const int oh = l.out_h();
    const int ow = l.out_w();
    const int32_t zp = l.input.zero_point;
    const int group_in = l.in_c / l.groups;    // input channels per group
    const int group_out = l.out_c / l.groups;  // output channels per group
    std::vector<int32_t> acc(static_cast<size_t>(l.output_elems()));
    if (group_in == 1 && group_out == 1) {
        depthwise_accumulate(l, input, acc.data());
        return acc;
    }
    const int64_t k = l.reduction();
    const bool in_place = l.groups == 1 && l.kernel_h == 1 && l.kernel_w == 1 && l.stride_h == 1 &&
                          l.stride_w == 1 && l.pad_top == 0 && l.pad_left == 0 && oh == l.in_h &&
                          ow == l.in_w;
    const kernels::ConvGeometry geo{
        l.in_h,       l.in_w,       l.in_c,    l.kernel_h, l.kernel_w, l.stride_h, l.stride_w,
        l.dilation_h, l.dilation_w, l.pad_top, l.pad_left, oh,         ow};
    const int slab_rows =
        static_cast<int>(std::clamp<int64_t>(kSlabBytes / std::max<int64_t>(1, ow * k), 1, oh));
    std::vector<int8_t> cols(in_place ? 0 : static_cast<size_t>(int64_t{slab_rows} * ow * k));
    std::vector<int32_t> col_init(static_cast<size_t>(group_out));
    for (int g = 0; g < l.groups; ++g) {
        const int8_t* w = l.weights.data() + static_cast<size_t>(g) * group_out * k;
        for (int j = 0; j < group_out; ++j) {
            uint32_t sum = 0;
            for (int64_t i = 0; i < k; ++i) sum += static_cast<uint32_t>(int32_t{w[j * k + i]});
            col_init[static_cast<size_t>(j)] = static_cast<int32_t>(
                static_cast<uint32_t>(l.bias[static_cast<size_t>(g) * group_out + j]) -
                static_cast<uint32_t>(zp) * sum);
        }
        int32_t* out = acc.data() + static_cast<size_t>(g) * group_out;
        if (in_place && int64_t{oh} * ow < kFewRows) {  // a few rows: dot products, no packing
            kernels::gemm_scalar(input.data(), int64_t{oh} * ow, l.in_c, w, group_out, k, k, 1,
                                 col_init.data(), nullptr, out, l.out_c);
            continue;
        }
        const kernels::PackedB pb = kernels::pack_b(w, group_out, k, k, 1, kernels::check_isa());
        if (in_place) {
            kernels::gemm(input.data(), int64_t{oh} * ow, l.in_c, pb, col_init.data(), nullptr, out,
                          l.out_c);
            continue;
        }
        for (int oy0 = 0; oy0 < oh; oy0 += slab_rows) {
            const int oy1 = std::min(oh, oy0 + slab_rows);
            kernels::im2col(input.data(), geo, g * group_in, group_in, oy0, oy1,
                            static_cast<int8_t>(zp), cols.data(), k);
            kernels::gemm(cols.data(), int64_t{oy1 - oy0} * ow, k, pb, col_init.data(), nullptr,
                          out + static_cast<size_t>(oy0) * ow * l.out_c, l.out_c);
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
    const int64_t rows = static_cast<int64_t>(acc.size()) / l.out_c;
    kernels::requantize_rows(acc.data(), rows, l.out_c, rq.multiplier.data(), rq.shift.data(),
                             rq.out_zero_point, rq.act_min, rq.act_max, mode, out.data(),
                             kernels::check_isa());
    for (size_t i = static_cast<size_t>(rows * l.out_c), c = 0; i < acc.size(); ++i, ++c) {
        out[i] = static_cast<int8_t>(requantize(acc[i], rq.multiplier[c], rq.shift[c],
                                                rq.out_zero_point, rq.act_min, rq.act_max, mode));
    }
    return out;
}

}  // namespace npu::graph

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <stdexcept>
#include <vector>

#include "sim/core/ppu_ops.h"
#include "sim/core/requant.h"
#include "sim/graph/layer_eval.h"
#include "sim/graph/workload.h"
#include "sim/ref/reference.h"

namespace npu::ref {
namespace {

using graph::Activation;
using graph::Layer;
using graph::OpKind;

Layer conv(int h, int w, int c, int out_c, int kh, int kw) {
    Layer l;
    l.name = "t";
    l.kind = OpKind::kConv2d;
    l.in_h = h;
    l.in_w = w;
    l.in_c = c;
    l.out_c = out_c;
    l.kernel_h = kh;
    l.kernel_w = kw;
    l.bias.assign(static_cast<size_t>(out_c), 0);
    return l;
}

// Requant with M = 0.5 for every channel (multiplier 2^30, shift 0).
void set_half_requant(Layer& l, int32_t zp, int32_t lo, int32_t hi) {
    l.requant.multiplier.assign(static_cast<size_t>(l.out_c), 1 << 30);
    l.requant.shift.assign(static_cast<size_t>(l.out_c), 0);
    l.requant.out_zero_point = zp;
    l.requant.act_min = lo;
    l.requant.act_max = hi;
}

TEST(RefConv, PaddingReadsTheInputZeroPoint) {
    // 3x3x1 input, zero point 2: centered values are 0 except x(0,0) - 2 = 1, x(1,1) - 2 = 4.
    // 3x3 kernel w[ky][kx] = 3 ky + kx + 1, padding 1, bias 10. Output (oy, ox) reads input
    // (oy - 1 + ky, ox - 1 + kx), so e.g. out(0,0) = 10 + 4 * w[2][2] + 1 * w[1][1] = 10 + 36 + 5.
    Layer l = conv(3, 3, 1, 1, 3, 3);
    l.pad_top = l.pad_bottom = l.pad_left = l.pad_right = 1;
    l.input.zero_point = 2;
    l.weights = {1, 2, 3, 4, 5, 6, 7, 8, 9};
    l.bias = {10};
    const std::vector<int8_t> x = {3, 2, 2, 2, 6, 2, 2, 2, 2};
    // out(0,1) = 10 + 4*8 + 1*4; out(0,2) = 10 + 4*7; out(1,0) = 10 + 4*6 + 1*2;
    // out(1,1) = 10 + 4*5 + 1*1; out(1,2) = 10 + 4*4; out(2,0) = 10 + 4*3; out(2,1) = 10 + 4*2;
    // out(2,2) = 10 + 4*1.
    EXPECT_EQ(conv_accumulate(l, x), (std::vector<int32_t>{51, 46, 38, 36, 31, 26, 22, 18, 14}));
}

TEST(RefConv, StrideAndDilationOnANonSquareKernel) {
    // 1x7x1 input 1..7, kernel 1x3 [1, 10, 100], dilation 2 (taps 0, 2, 4), stride 2:
    // out_w = (7 - 5) / 2 + 1 = 2; out0 = 1 + 3*10 + 5*100; out1 = 3 + 5*10 + 7*100.
    Layer l = conv(1, 7, 1, 1, 1, 3);
    l.stride_w = 2;
    l.dilation_w = 2;
    l.weights = {1, 10, 100};
    EXPECT_EQ(conv_accumulate(l, {1, 2, 3, 4, 5, 6, 7}), (std::vector<int32_t>{531, 753}));
}

TEST(RefConv, ChannelsAreInnermostInWeightsAndOutputs) {
    // 1x1 input with 2 channels [3, 5] (zp 0), a 1x1 conv with out_c 3, OHWI weights
    // w[o] = {a, b}: out[o] = 3a + 5b + bias[o].
    Layer l = conv(1, 1, 2, 3, 1, 1);
    l.weights = {1, 0, 0, 1, 2, -1};
    l.bias = {0, 100, -7};
    EXPECT_EQ(conv_accumulate(l, {3, 5}), (std::vector<int32_t>{3, 105, -6}));
}

TEST(RefGemm, SmallMatrixProduct) {
    // M=2, K=3, N=2, input zero point 1: centered rows [0,1,2], [3,4,5];
    // W rows (N x K) [1,0,-1], [2,2,2]; bias [5,-5].
    // [5+0-2, -5+2*3, 5+3-5, -5+2*12] = [3, 1, 3, 19].
    Layer l = conv(2, 1, 3, 2, 1, 1);
    l.kind = OpKind::kGemm;
    l.input.zero_point = 1;
    l.weights = {1, 0, -1, 2, 2, 2};
    l.bias = {5, -5};
    EXPECT_EQ(conv_accumulate(l, {1, 2, 3, 4, 5, 6}), (std::vector<int32_t>{3, 1, 3, 19}));
}

// One input pixel x = 1, 6 output channels with weight 1: acc[c] = 1 + bias[c] =
// [-300, -10, 1, 10, 30, 401]. M = 0.5 half-even: [-150, -5, 0, 5, 15, 200]; + zp 3:
// [-147, -2, 3, 8, 18, 203] before the activation clamp.
Layer activation_layer() {
    Layer l = conv(1, 1, 1, 6, 1, 1);
    l.weights.assign(6, 1);
    l.bias = {-301, -11, 0, 9, 29, 400};
    return l;
}

TEST(RefActivation, EachActivationClampsInTheQuantizedDomain) {
    Layer l = activation_layer();
    set_half_requant(l, 3, -128, 127);  // none
    EXPECT_EQ(run_layer(l, {1}, Rounding::kHalfEven),
              (std::vector<int8_t>{-128, -2, 3, 8, 18, 127}));
    set_half_requant(l, 3, 3, 127);  // relu: [zp, 127]
    EXPECT_EQ(run_layer(l, {1}, Rounding::kHalfEven), (std::vector<int8_t>{3, 3, 3, 8, 18, 127}));
    set_half_requant(l, 3, 3, 15);  // relu6 at scale 0.5: [zp, zp + 6 / 0.5]
    EXPECT_EQ(run_layer(l, {1}, Rounding::kHalfEven), (std::vector<int8_t>{3, 3, 3, 8, 15, 15}));
    set_half_requant(l, 3, 1, 8);  // clamp [-1, 2.5] at scale 0.5: [zp - 2, zp + 5]
    EXPECT_EQ(run_layer(l, {1}, Rounding::kHalfEven), (std::vector<int8_t>{1, 1, 3, 8, 8, 8}));
}

TEST(RefActivation, RoundingModeReachesTheOutput) {
    // acc 1 * 0.5 = 0.5: half-even 0, half-up 1, TFLite (SRDHM: (2^30 + 2^30) / 2^31) 1.
    Layer l = activation_layer();
    set_half_requant(l, 3, -128, 127);
    EXPECT_EQ(run_layer(l, {1}, Rounding::kHalfEven)[2], 3);
    EXPECT_EQ(run_layer(l, {1}, Rounding::kHalfUp)[2], 4);
    EXPECT_EQ(run_layer(l, {1}, Rounding::kTflite)[2], 4);
}

TEST(RefConv, RejectsMismatchedTensors) {
    Layer l = conv(2, 2, 1, 1, 1, 1);
    l.weights = {1};
    EXPECT_THROW((void)conv_accumulate(l, {1, 2, 3}), std::invalid_argument);
    l.weights = {1, 2};
    EXPECT_THROW((void)conv_accumulate(l, {1, 2, 3, 4}), std::invalid_argument);
}

// Explicit im2col + matmul: build the (M x K) patch matrix with padding filled by the zero point,
// then acc[m][n] = bias[n] + sum_k (patch[m][k] - zp) * W[n][k] with W the OHWI weights as N x K.
std::vector<int32_t> im2col_matmul(const Layer& l, const std::vector<int8_t>& x) {
    const int oh = l.out_h();
    const int ow = l.out_w();
    const int64_t k_total = l.reduction();
    std::vector<std::vector<int32_t>> patches;
    for (int oy = 0; oy < oh; ++oy) {
        for (int ox = 0; ox < ow; ++ox) {
            std::vector<int32_t> row;
            for (int ky = 0; ky < l.kernel_h; ++ky) {
                for (int kx = 0; kx < l.kernel_w; ++kx) {
                    for (int c = 0; c < l.in_c; ++c) {
                        const int iy = oy * l.stride_h + ky * l.dilation_h - l.pad_top;
                        const int ix = ox * l.stride_w + kx * l.dilation_w - l.pad_left;
                        const bool inside = iy >= 0 && iy < l.in_h && ix >= 0 && ix < l.in_w;
                        row.push_back(inside
                                          ? x[static_cast<size_t>((iy * l.in_w + ix) * l.in_c + c)]
                                          : l.input.zero_point);
                    }
                }
            }
            patches.push_back(row);
        }
    }
    std::vector<int32_t> out;
    for (const auto& row : patches) {
        for (int n = 0; n < l.out_c; ++n) {
            int64_t acc = l.bias[static_cast<size_t>(n)];
            for (int64_t k = 0; k < k_total; ++k) {
                acc += int64_t{row[static_cast<size_t>(k)] - l.input.zero_point} *
                       l.weights[static_cast<size_t>(n * k_total + k)];
            }
            out.push_back(static_cast<int32_t>(acc));
        }
    }
    return out;
}

TEST(RefConv, MatchesIm2colMatmulOnRandomGeometries) {
    std::mt19937 gen(2024);
    auto pick = [&](int lo, int hi) {
        return lo + static_cast<int>(gen() % static_cast<unsigned>(hi - lo + 1));
    };
    int checked = 0;
    for (int trial = 0; trial < 300; ++trial) {
        Layer l = conv(pick(1, 9), pick(1, 9), pick(1, 5), pick(1, 4), pick(1, 3), pick(1, 3));
        l.stride_h = pick(1, 3);
        l.stride_w = pick(1, 3);
        l.dilation_h = pick(1, 2);
        l.dilation_w = pick(1, 2);
        l.pad_top = pick(0, 2);
        l.pad_bottom = pick(0, 2);
        l.pad_left = pick(0, 2);
        l.pad_right = pick(0, 2);
        l.input.zero_point = pick(-128, 127);
        if (l.out_h() <= 0 || l.out_w() <= 0) continue;
        l.weights.resize(static_cast<size_t>(l.reduction() * l.out_c));
        for (auto& w : l.weights) w = static_cast<int8_t>(pick(-127, 127));
        for (auto& b : l.bias) b = pick(-5000, 5000);
        std::vector<int8_t> x(static_cast<size_t>(l.input_elems()));
        for (auto& v : x) v = static_cast<int8_t>(pick(-128, 127));
        ASSERT_EQ(conv_accumulate(l, x), im2col_matmul(l, x)) << l.shape_string();
        ++checked;
    }
    EXPECT_GT(checked, 200);
}

TEST(RefWorkload, ChainsEveryLayerOutputIntoTheNext) {
    // Layer 0: 1x1x1 -> 2 channels, weights [1, -1], acc [x, -x]; layer 1: gemm over the 1x1x2
    // output, K=2, N=1, weights [1, 1]. M = 0.5 everywhere, zero points 0.
    graph::Workload w;
    w.input = {20};
    Layer a = conv(1, 1, 1, 2, 1, 1);
    a.weights = {1, -1};
    set_half_requant(a, 0, -128, 127);
    Layer b = conv(1, 1, 2, 1, 1, 1);
    b.kind = OpKind::kGemm;
    b.weights = {1, 3};
    set_half_requant(b, 0, -128, 127);
    w.layers = {a, b};
    // a: [20, -20] * 0.5 = [10, -10]; b: (10 + 3 * -10) * 0.5 = -10.
    const auto outs = run_workload(w, Rounding::kHalfEven);
    ASSERT_EQ(outs.size(), 2u);
    EXPECT_EQ(outs[0], (std::vector<int8_t>{10, -10}));
    EXPECT_EQ(outs[1], (std::vector<int8_t>{-10}));
}

}  // namespace
}  // namespace npu::ref

namespace npu::ref {
namespace {

using graph::Layer;
using graph::LayerInputs;
using graph::OpKind;
using graph::QuantParams;

// Requant with M = 1 (multiplier 2^30, shift -1), zero point 0, no activation, `c` channels.
void set_unit_requant(Layer& l, int c) {
    l.out_c = c;
    l.requant.multiplier.assign(static_cast<size_t>(c), 1 << 30);
    l.requant.shift.assign(static_cast<size_t>(c), -1);
}

TEST(RefOps, GroupedAndDepthwiseConvolution) {
    // 1x1 image, 4 channels x = [1, 2, 3, 4], 1x1 kernel, groups 2, 4 output channels: outputs
    // 0-1 read channels 0-1, outputs 2-3 read channels 2-3; weights [OC][C/groups = 2].
    Layer l;
    l.kind = OpKind::kConv2d;
    l.in_c = 4;
    l.groups = 2;
    set_unit_requant(l, 4);
    l.bias = {0, 0, 0, 100};
    l.weights = {1, 1, 1, -1, 1, 1, 1, -1};
    // o0 = 1 + 2, o1 = 1 - 2, o2 = 3 + 4, o3 = 100 + 3 - 4.
    const std::vector<int8_t> x = {1, 2, 3, 4};
    EXPECT_EQ(conv_accumulate(l, x), (std::vector<int32_t>{3, -1, 7, 99}));
    EXPECT_EQ(l.macs(), 8);  // 1 pixel * K 2 * 4 outputs
    // Depthwise 3x3 over a 2x2x2 image with padding 1, zero point 1: centered channel 0 is
    // [0, 1, 2, 3] (input 1..4), channel 1 is all 1 (input 2). Weights all 1 for channel 0 and
    // 2 for channel 1: every output sees the whole 2x2 image, so o = [6, 8] at each pixel.
    Layer d;
    d.kind = OpKind::kConv2d;
    d.in_h = d.in_w = 2;
    d.in_c = 2;
    d.groups = 2;
    d.kernel_h = d.kernel_w = 3;
    d.pad_top = d.pad_bottom = d.pad_left = d.pad_right = 1;
    d.input.zero_point = 1;
    set_unit_requant(d, 2);
    d.bias = {0, 0};
    d.weights.assign(18, 1);
    std::fill(d.weights.begin() + 9, d.weights.end(), int8_t{2});
    const std::vector<int8_t> img = {1, 2, 2, 2, 3, 2, 4, 2};
    EXPECT_EQ(conv_accumulate(d, img), (std::vector<int32_t>{6, 8, 6, 8, 6, 8, 6, 8}));
    EXPECT_EQ(d.macs(), 2 * 2 * 9 * 1 * 2);
    EXPECT_EQ(d.shape_string(), "conv2d 2x2x2 -> 2x2x2 g2 k3x3 s1 p1");
}

TEST(RefOps, MatmulWithBothZeroPoints) {
    // a = [3, 5] - 1 = [2, 4]; b = [2, -1] + 1 = [3, 0]; acc = 6; M = 0.5 -> 3.
    Layer l;
    l.kind = OpKind::kMatmul;
    l.mm_m = 1;
    l.mm_k = 2;
    l.mm_n = 1;
    l.input_quant = {QuantParams{1.0, 1}, QuantParams{1.0, -1}};
    set_unit_requant(l, 1);
    l.requant.shift = {0};
    const std::vector<int8_t> a = {3, 5};
    const std::vector<int8_t> b = {2, -1};
    EXPECT_EQ(run_op(l, {&a, &b}, Rounding::kHalfEven), (std::vector<int8_t>{3}));
    EXPECT_EQ(l.macs(), 2);
}

TEST(RefOps, MatmulEveryLayoutMatchesANaivePerHeadLoop) {
    const int H = 3, M = 2, K = 4, N = 5;
    const int32_t za = 7, zb = -3;
    std::mt19937 rng(5);
    std::uniform_int_distribution<int> d(-128, 127);
    // Logical operands A[h][m][k], B[h][k][n].
    std::vector<int8_t> A(H * M * K), B(H * K * N);
    for (auto& v : A) v = static_cast<int8_t>(d(rng));
    for (auto& v : B) v = static_cast<int8_t>(d(rng));
    std::vector<int32_t> expect(H * M * N);  // [h][m][n]
    for (int h = 0; h < H; ++h)
        for (int m = 0; m < M; ++m)
            for (int n = 0; n < N; ++n) {
                int32_t s = 0;
                for (int k = 0; k < K; ++k) {
                    s += (A[(h * M + m) * K + k] - za) * (B[(h * K + k) * N + n] - zb);
                }
                expect[(h * M + m) * N + n] = s;
            }
    for (int mask = 0; mask < 16; ++mask) {
        Layer l;
        l.kind = OpKind::kMatmul;
        l.heads = H;
        l.mm_m = M;
        l.mm_k = K;
        l.mm_n = N;
        l.a_interleaved = mask & 1;
        l.b_interleaved = mask & 2;
        l.transpose_b = mask & 4;
        l.out_interleaved = mask & 8;
        l.input_quant = {QuantParams{1.0, za}, QuantParams{1.0, zb}};
        l.out_shape = {H, M, N};
        std::vector<int8_t> a(A.size()), b(B.size());
        for (int h = 0; h < H; ++h)
            for (int m = 0; m < M; ++m)
                for (int k = 0; k < K; ++k) {
                    const int i = l.a_interleaved ? m * H * K + h * K + k : (h * M + m) * K + k;
                    a[i] = A[(h * M + m) * K + k];
                }
        for (int h = 0; h < H; ++h)
            for (int k = 0; k < K; ++k)
                for (int n = 0; n < N; ++n) {
                    int i = 0;
                    if (l.transpose_b) {  // [H, N, K] or [N, H*K]
                        i = l.b_interleaved ? n * H * K + h * K + k : (h * N + n) * K + k;
                    } else {  // [H, K, N] or [K, H*N]
                        i = l.b_interleaved ? k * H * N + h * N + n : (h * K + k) * N + n;
                    }
                    b[i] = B[(h * K + k) * N + n];
                }
        const std::vector<int32_t> acc = graph::op_accumulate(l, {&a, &b}, Rounding::kHalfEven);
        for (int h = 0; h < H; ++h)
            for (int m = 0; m < M; ++m)
                for (int n = 0; n < N; ++n) {
                    const int o = l.out_interleaved ? m * H * N + h * N + n : (h * M + m) * N + n;
                    ASSERT_EQ(acc[o], expect[(h * M + m) * N + n])
                        << "layout mask " << mask << " h " << h << " m " << m << " n " << n;
                }
    }
}

TEST(RefOps, AddAndMulElementwise) {
    Layer add;
    add.kind = OpKind::kAdd;
    add.out_shape = {1, 2};
    // sx = sy = so = 1: twice 2, mx = my = 0.5, mo = 2^-19 (multiplier 2^30, shift 18).
    const AddMultipliers m = add_multipliers(1.0, 1.0, 1.0);
    add.add_x = m.x;
    add.add_y = m.y;
    set_unit_requant(add, 2);
    add.requant.multiplier.assign(2, m.out.multiplier);
    add.requant.shift.assign(2, m.out.shift);
    add.requant.act_min = -10;  // a clamp activation
    add.input_quant = {QuantParams{1.0, 2}, QuantParams{1.0, -1}};
    const std::vector<int8_t> x = {5, -20};
    const std::vector<int8_t> y = {-3, 0};
    // (5 - 2) + (-3 + 1) = 1; (-20 - 2) + (0 + 1) = -21 -> clamped to -10.
    EXPECT_EQ(run_op(add, {&x, &y}, Rounding::kHalfEven), (std::vector<int8_t>{1, -10}));

    Layer mul = add;
    mul.kind = OpKind::kMul;
    set_unit_requant(mul, 2);
    mul.requant.shift.assign(2, 0);  // M = 0.5
    mul.requant.act_min = -128;
    // (3 * -2) * 0.5 = -3; (-22 * 1) * 0.5 = -11.
    EXPECT_EQ(run_op(mul, {&x, &y}, Rounding::kHalfEven), (std::vector<int8_t>{-3, -11}));
}

Layer pool(OpKind kind, int h, int w, int c, int k, int s, int pad) {
    Layer l;
    l.kind = kind;
    l.in_h = h;
    l.in_w = w;
    l.in_c = c;
    l.kernel_h = l.kernel_w = k;
    l.stride_h = l.stride_w = s;
    l.pad_top = l.pad_bottom = l.pad_left = l.pad_right = pad;
    set_unit_requant(l, c);
    return l;
}

TEST(RefOps, PoolingBordersNeverCountThePadding) {
    // 3x3x1 input 1..9 (zero point 0 in the first case), 2x2 windows, stride 2, padding 1:
    // out 2x2; windows: (0,0) {1}, (0,1) {2,3}, (1,0) {4,7}, (1,1) {5,6,8,9}.
    const std::vector<int8_t> x = {1, 2, 3, 4, 5, 6, 7, 8, 9};
    Layer mx = pool(OpKind::kMaxPool, 3, 3, 1, 2, 2, 1);
    EXPECT_EQ(run_op(mx, {&x}, Rounding::kHalfEven), (std::vector<int8_t>{1, 3, 7, 9}));
    Layer av = pool(OpKind::kAvgPool, 3, 3, 1, 2, 2, 1);
    // 1/1, 5/2 = 2.5 -> 3 (ties away), 11/2 = 5.5 -> 6, 28/4 = 7.
    EXPECT_EQ(graph::op_accumulate(av, {&x}, Rounding::kHalfEven),
              (std::vector<int32_t>{1, 3, 6, 7}));
    // Zero point 6 (negative sums): 1-6 = -5; 5 - 12 = -7 -> -3.5 -> -4; 11 - 12 = -1 -> -0.5 ->
    // -1; 28 - 24 = 4 -> 1. Maxpool: acc = max - zx.
    av.input.zero_point = 6;
    mx.input.zero_point = 6;
    EXPECT_EQ(graph::op_accumulate(av, {&x}, Rounding::kHalfEven),
              (std::vector<int32_t>{-5, -4, -1, 1}));
    EXPECT_EQ(graph::op_accumulate(mx, {&x}, Rounding::kHalfEven),
              (std::vector<int32_t>{-5, -3, 1, 3}));
    // Negative values in a maxpool: padding (0) never wins over -100.
    const std::vector<int8_t> neg(9, -100);
    mx.input.zero_point = 0;
    EXPECT_EQ(run_op(mx, {&neg}, Rounding::kHalfEven), (std::vector<int8_t>(4, -100)));
    // Global average over 3x3, two channels: ch0 = 1..9 interleaved with ch1 = 9 - i.
    Layer g = pool(OpKind::kGlobalAvgPool, 3, 3, 2, 3, 1, 0);
    std::vector<int8_t> two(18);
    for (int i = 0; i < 9; ++i) {
        two[2 * i] = static_cast<int8_t>(i + 1);
        two[2 * i + 1] = static_cast<int8_t>(i % 2);  // 0,1,0,1,0,1,0,1,0: sum 4 -> 0.44 -> 0
    }
    EXPECT_EQ(run_op(g, {&two}, Rounding::kHalfEven), (std::vector<int8_t>{5, 0}));
}

TEST(RefOps, RowOpsLutReshapeConcat) {
    Layer sm;
    sm.kind = OpKind::kSoftmax;
    sm.out_shape = {2, 2};
    sm.out_c = 2;
    sm.input = {std::log(3.0), 0};
    sm.output = {1.0 / 256, -128};
    // Rows [1, 0] -> [0.75, 0.25] -> [64, -64]; [0, 1] -> [-64, 64].
    const std::vector<int8_t> x = {1, 0, 0, 1};
    EXPECT_EQ(run_op(sm, {&x}, Rounding::kHalfEven), (std::vector<int8_t>{64, -64, -64, 64}));

    Layer gelu;
    gelu.kind = OpKind::kGelu;
    gelu.out_shape = {4};
    gelu.out_c = 4;
    gelu.lut = build_lut(LutFunction::kGelu, 0.1, 0, 0.1, 0);
    const std::vector<int8_t> g = {10, -10, 0, 127};
    EXPECT_EQ(run_op(gelu, {&g}, Rounding::kHalfEven), (std::vector<int8_t>{8, -2, 0, 127}));

    Layer rs;
    rs.kind = OpKind::kReshape;
    rs.out_shape = {4, 1};
    rs.out_c = 1;
    EXPECT_EQ(run_op(rs, {&g}, Rounding::kHalfEven), g);

    // Concat [2, 1] and [2, 2] along the last dimension -> [2, 3].
    Layer cat;
    cat.kind = OpKind::kConcat;
    cat.out_shape = {2, 3};
    cat.out_c = 3;
    const std::vector<int8_t> p = {1, 2};
    const std::vector<int8_t> q = {3, 4, 5, 6};
    EXPECT_EQ(run_op(cat, {&p, &q}, Rounding::kHalfEven), (std::vector<int8_t>{1, 3, 4, 2, 5, 6}));
}

TEST(RefOps, RunGraphFollowsNamedInputs) {
    // x -> a = x * x (mul, M 1) ; b = concat(x, a): a DAG with a skip connection.
    graph::Workload w;
    w.inputs = {graph::Tensor{"x", {1, 2}, {1.0, 0}}};
    w.input_data = {{3, -4}};
    w.input = w.input_data[0];
    Layer a;
    a.name = "a";
    a.kind = OpKind::kMul;
    a.inputs = {"x", "x"};
    a.out_shape = {1, 2};
    a.input_quant = {QuantParams{}, QuantParams{}};
    set_unit_requant(a, 2);
    Layer b;
    b.name = "b";
    b.kind = OpKind::kConcat;
    b.inputs = {"x", "a"};
    b.out_shape = {1, 4};
    b.out_c = 4;
    w.layers = {a, b};
    const auto t = run_graph(w, Rounding::kHalfEven);
    ASSERT_EQ(t.size(), 3u);
    EXPECT_EQ(t.at("x"), (std::vector<int8_t>{3, -4}));
    EXPECT_EQ(t.at("a"), (std::vector<int8_t>{9, 16}));
    EXPECT_EQ(t.at("b"), (std::vector<int8_t>{3, -4, 9, 16}));
    const auto outs = run_workload(w, Rounding::kHalfEven);
    ASSERT_EQ(outs.size(), 2u);
    EXPECT_EQ(outs[1], t.at("b"));
    w.layers[1].inputs = {"x", "nope"};
    EXPECT_THROW((void)run_workload(w, Rounding::kHalfEven), std::invalid_argument);
}

}  // namespace
}  // namespace npu::ref

#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <stdexcept>
#include <vector>

#include "sim/core/requant.h"
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

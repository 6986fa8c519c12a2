#include "sim/quant/float_ref.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <map>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "sim/core/precision.h"
#include "sim/graph/workload.h"
#include "sim/graph/workload_loader.h"
#include "sim/quant/ptq.h"
#include "sim/ref/reference.h"

namespace npu::quant {
namespace {

using graph::Activation;
using graph::Layer;
using graph::OpKind;
using graph::Workload;

constexpr float kTwo24 = 16777216.0f;  // 2^24: 2^24 + 1 is not an fp32 value

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
    l.float_bias.assign(static_cast<size_t>(out_c), 0.0f);
    return l;
}

// A gemm [M x K] x [K x N] as a 1x1 convolution over an M x 1 image.
Layer gemm(int m, int k, int n) {
    Layer l = conv(m, 1, k, n, 1, 1);
    l.kind = OpKind::kGemm;
    return l;
}

// A one-layer workload without declared inputs (a hand-built v1 chain).
Workload single(const Layer& l) {
    Workload wl;
    wl.name = "hand";
    wl.layers.push_back(l);
    return wl;
}

std::vector<float> run1(const Layer& l, const std::vector<float>& x,
                        Precision p = Precision::kFp32) {
    const std::vector<std::vector<float>> in{x};
    return run_float(single(l), p, &in).at(0);
}

TEST(FloatRefConv, HandComputedWithPadding) {
    // 3x3x1 input, nonzero only at (0,0) = 1 and (1,1) = 4; 3x3 kernel w[ky][kx] = (3 ky + kx + 1)
    // / 2, padding 1, bias 10. out(oy, ox) reads input (oy - 1 + ky, ox - 1 + kx), so out(0,0) =
    // 10 + 4 w[2][2] + 1 w[1][1] = 10 + 18 + 2.5; padded taps add nothing.
    Layer l = conv(3, 3, 1, 1, 3, 3);
    l.pad_top = l.pad_bottom = l.pad_left = l.pad_right = 1;
    l.float_weights = {0.5f, 1.0f, 1.5f, 2.0f, 2.5f, 3.0f, 3.5f, 4.0f, 4.5f};
    l.float_bias = {10.0f};
    const std::vector<float> x = {1, 0, 0, 0, 4, 0, 0, 0, 0};
    // out(0,1) = 10 + 4 w[2][1] + w[1][0]; out(0,2) = 10 + 4 w[2][0]; out(1,0) = 10 + 4 w[1][2] +
    // w[0][1]; out(1,1) = 10 + 4 w[1][1] + w[0][0]; then 10 + 4 w[1][0], 10 + 4 w[0][2], ...
    EXPECT_EQ(run1(l, x),
              (std::vector<float>{30.5f, 28.0f, 24.0f, 23.0f, 20.5f, 18.0f, 16.0f, 14.0f, 12.0f}));
}

TEST(FloatRefConv, DilationStrideAndGroups) {
    // 1x5x2 input, 1x2 kernel with dilation 2 and stride 2, two groups (one channel each):
    // out(0, ox) channel g = x(2 ox, g) w[g][0] + x(2 ox + 2, g) w[g][1].
    Layer l = conv(1, 5, 2, 2, 1, 2);
    l.dilation_w = 2;
    l.stride_w = 2;
    l.groups = 2;
    l.float_weights = {1.0f, 10.0f, 100.0f, 1000.0f};  // [oc][kx][ic = 1]
    l.float_bias = {0.5f, -0.5f};
    const std::vector<float> x = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};  // x(ix, c) = 2 ix + c + 1
    // ox = 0: c0 = 0.5 + 1 + 50; c1 = -0.5 + 200 + 6000. ox = 1: c0 = 0.5 + 5 + 90;
    // c1 = -0.5 + 600 + 10000.
    EXPECT_EQ(run1(l, x), (std::vector<float>{51.5f, 6199.5f, 95.5f, 10599.5f}));
}

TEST(FloatRefConv, SumsInIm2colOrder) {
    // 1x2x2 input of ones, 1x2 kernel, products p(kx, ic) = w: 2^24, 1, -2^24, 1 in im2col order
    // (kx outer, ic inner): ((2^24 + 1) - 2^24) + 1 = 1 in fp32 (2^24 + 1 rounds to 2^24). Channel
    // outer, taps inner would give ((2^24 - 2^24) + 1) + 1 = 2.
    Layer l = conv(1, 2, 2, 1, 1, 2);
    l.float_weights = {kTwo24, 1.0f, -kTwo24, 1.0f};
    const std::vector<float> out = run1(l, {1, 1, 1, 1});
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0], 1.0f);
}

TEST(FloatRefGemm, HandComputed) {
    // [2 x 3] x [3 x 2] + bias: y[m][n] = b[n] + sum_k x[m][k] w[n][k].
    Layer l = gemm(2, 3, 2);
    l.float_weights = {1.0f, 2.0f, 3.0f, -1.0f, 0.5f, 0.25f};
    l.float_bias = {0.5f, -2.0f};
    const std::vector<float> x = {1, 2, 3, -4, 8, 0.5f};
    // m0: 0.5 + 1 + 4 + 9 = 14.5; -2 - 1 + 1 + 0.75 = -1.25.
    // m1: 0.5 - 4 + 16 + 1.5 = 14; -2 + 4 + 4 + 0.125 = 6.125.
    EXPECT_EQ(run1(l, x), (std::vector<float>{14.5f, -1.25f, 14.0f, 6.125f}));
}

TEST(FloatRefGemm, ProductsOneAtATimeInKOrder) {
    // 2^24 + 1 + 1 summed left to right stays 2^24; summed right to left it is 2^24 + 2.
    Layer l = gemm(1, 3, 1);
    l.float_weights = {kTwo24, 1.0f, 1.0f};
    EXPECT_EQ(run1(l, {1, 1, 1}), std::vector<float>{kTwo24});
}

TEST(FloatRefGemm, BiasIsAddedFirst) {
    // bias 2^24 then + 1 + 1: 2^24; adding the bias last would give 2 + 2^24 = 2^24 + 2.
    Layer l = gemm(1, 2, 1);
    l.float_weights = {1.0f, 1.0f};
    l.float_bias = {kTwo24};
    EXPECT_EQ(run1(l, {1, 1}), std::vector<float>{kTwo24});
}

TEST(FloatRefGemm, FusedActivations) {
    Layer l = gemm(1, 1, 4);
    l.float_weights = {-3.0f, 1.0f, 4.0f, 8.0f};
    const std::vector<float> x = {1.0f};
    l.activation = Activation::kRelu;
    EXPECT_EQ(run1(l, x), (std::vector<float>{0.0f, 1.0f, 4.0f, 8.0f}));
    l.activation = Activation::kRelu6;
    EXPECT_EQ(run1(l, x), (std::vector<float>{0.0f, 1.0f, 4.0f, 6.0f}));
    l.activation = Activation::kClamp;
    l.clamp_min = -1.0;
    l.clamp_max = 2.0;
    EXPECT_EQ(run1(l, x), (std::vector<float>{-1.0f, 1.0f, 2.0f, 2.0f}));
}

TEST(FloatRefGemm, DequantizesInt8Weights) {
    // No float model given: w = float(sw[c] * q), b = float(sx * sw[c] * bias).
    Layer l = gemm(1, 2, 2);
    l.float_bias.clear();
    l.input.scale = 0.5;
    l.weights = {2, -4, 8, 1};
    l.weight_scale = {0.25, 0.125};
    l.bias = {4, -8};
    EXPECT_EQ(float_weights(l), (std::vector<float>{0.5f, -1.0f, 1.0f, 0.125f}));
    EXPECT_EQ(float_bias(l), (std::vector<float>{0.5f, -0.5f}));
    // x = [2, 1]: 0.5 + 1 - 1 = 0.5; -0.5 + 2 + 0.125 = 1.625.
    EXPECT_EQ(run1(l, {2.0f, 1.0f}), (std::vector<float>{0.5f, 1.625f}));
}

TEST(FloatRefPrecision, InputsProductsAndOutputsAreRounded) {
    Layer l = gemm(1, 1, 1);
    l.float_weights = {1.0f};
    // 1 + 2^-10 is an fp16 value but rounds to 1 in bf16 (7 fraction bits).
    const float a = 1.0f + std::ldexp(1.0f, -10);
    EXPECT_EQ(run1(l, {a}, Precision::kFp32), std::vector<float>{a});
    EXPECT_EQ(run1(l, {a}, Precision::kFp16), std::vector<float>{a});
    EXPECT_EQ(run1(l, {a}, Precision::kBf16), std::vector<float>{1.0f});
    // (1 + 2^-7)^2 = 1 + 2^-6 + 2^-14: exact in fp32, rounded to 1 + 2^-6 in bf16 and to
    // 1 + 2^-6 in fp16 (2^-14 is below half of fp16's 2^-10 step at 1).
    const float b = 1.0f + std::ldexp(1.0f, -7);
    l.float_weights = {b};
    const float sq = 1.0f + std::ldexp(1.0f, -6) + std::ldexp(1.0f, -14);
    EXPECT_EQ(run1(l, {b}, Precision::kFp32), std::vector<float>{sq});
    EXPECT_EQ(run1(l, {b}, Precision::kBf16), std::vector<float>{1.0f + std::ldexp(1.0f, -6)});
    EXPECT_EQ(run1(l, {b}, Precision::kFp16), std::vector<float>{1.0f + std::ldexp(1.0f, -6)});
    // Weights are rounded too: w = 1 + 2^-10 is 1 in bf16.
    l.float_weights = {a};
    EXPECT_EQ(run1(l, {1.0f}, Precision::kBf16), std::vector<float>{1.0f});
}

TEST(FloatRefErrors, RejectsIntegerPrecisionsAndSizeMismatches) {
    Layer l = gemm(1, 2, 1);
    l.float_weights = {1.0f, 1.0f};
    const Workload wl = single(l);
    const std::vector<std::vector<float>> good{{1.0f, 2.0f}};
    EXPECT_THROW((void)run_float(wl, Precision::kInt8, &good), std::invalid_argument);
    EXPECT_THROW((void)run_float(wl, Precision::kInt4, &good), std::invalid_argument);
    const std::vector<std::vector<float>> short_input{{1.0f}};
    EXPECT_THROW((void)run_float(wl, Precision::kFp32, &short_input), std::invalid_argument);
    const std::vector<std::vector<float>> two_inputs{{1.0f, 2.0f}, {1.0f, 2.0f}};
    EXPECT_THROW((void)run_float(wl, Precision::kFp32, &two_inputs), std::invalid_argument);
    Layer bad = l;
    bad.float_weights = {1.0f, 1.0f, 1.0f};
    EXPECT_THROW((void)run_float(single(bad), Precision::kFp32, &good), std::invalid_argument);
    EXPECT_THROW((void)float_weights(bad), std::invalid_argument);
    bad = l;
    bad.float_bias = {1.0f, 2.0f};
    EXPECT_THROW((void)float_bias(bad), std::invalid_argument);
    EXPECT_EQ(run_float(wl, Precision::kFp32, &good).at(0), std::vector<float>{3.0f});
}

Workload bundled(const std::string& file) {
    return load_and_quantize(std::string(NPUSIM_SOURCE_DIR) + "/workloads/" + file);
}

// 10 log10(sum f^2 / sum (f - q)^2) in dB (f: the float reference; q: the int8 result).
double sqnr_db(const std::vector<float>& f, const std::vector<double>& q) {
    double signal = 0.0, noise = 0.0;
    for (size_t i = 0; i < f.size(); ++i) {
        signal += double{f[i]} * f[i];
        noise += (f[i] - q[i]) * (f[i] - q[i]);
    }
    return noise == 0.0 ? INFINITY : 10.0 * std::log10(signal / noise);
}

// The int8 reference's outputs as real numbers, parallel to the layers.
std::vector<std::vector<double>> int8_reals(const Workload& wl) {
    const std::vector<std::vector<int8_t>> q = ref::run_workload(wl, Rounding::kHalfEven);
    std::vector<std::vector<double>> dq(q.size());
    for (size_t i = 0; i < q.size(); ++i) {
        const graph::QuantParams qp = wl.layer_outputs.at(i).quant;
        for (int8_t v : q[i]) dq[i].push_back(qp.scale * (int32_t{v} - qp.zero_point));
    }
    return dq;
}

class FloatRefBundled : public ::testing::TestWithParam<const char*> {};

// The whole network in float against the whole network in int8. tiny_attention's head_b has a
// fixed output scale (0.05, for the concat) that its real values exceed: int8 saturates 23 of its
// 128 outputs there (clipping, which is int8 error too), and the final layer (a Gram matrix of
// those heads) inherits it, so its end-to-end bound is lower. OpsAgreeWithTheInt8Reference below
// checks every layer in isolation.
TEST_P(FloatRefBundled, AgreesWithTheInt8Reference) {
    const Workload wl = bundled(GetParam());
    const double bound_db = wl.name == "tiny_attention" ? 8.0 : 15.0;
    const std::vector<std::vector<double>> dq = int8_reals(wl);
    ASSERT_EQ(dq.size(), wl.layers.size());
    for (Precision p : {Precision::kFp32, Precision::kBf16, Precision::kFp16}) {
        const FloatOutputs f = run_float(wl, p);
        ASSERT_EQ(f.size(), wl.layers.size());
        for (size_t i = 0; i < f.size(); ++i) {
            ASSERT_EQ(static_cast<int64_t>(f[i].size()), wl.layers[i].output_elems())
                << wl.layers[i].name;
            for (float v : f[i]) {
                ASSERT_TRUE(std::isfinite(v)) << wl.layers[i].name;
                // Every stored tensor is a value of p's format.
                ASSERT_EQ(round_to(p, v), v) << wl.layers[i].name << " at " << to_string(p);
            }
        }
        std::printf("%s %s vs int8 (dB):", wl.name.c_str(), to_string(p));
        for (size_t i = 0; i < f.size(); ++i) {
            std::printf(" %s %.1f", wl.layers[i].name.c_str(), sqnr_db(f[i], dq[i]));
        }
        const double final_db = sqnr_db(f.back(), dq.back());
        std::printf("\n  final layer '%s': SQNR %.2f dB\n", wl.layers.back().name.c_str(),
                    final_db);
        EXPECT_GT(final_db, bound_db) << to_string(p);
    }
}

// Each layer alone, fed the int8 reference's inputs dequantized: the float op against the int8
// op, with the float result clamped to the output's int8 range (saturation is the int8 format's
// choice, not the op's semantics). Only one rounding to int8 separates the two, so every op kind
// must agree well.
TEST_P(FloatRefBundled, OpsAgreeWithTheInt8Reference) {
    const Workload wl = bundled(GetParam());
    const std::map<std::string, std::vector<int8_t>> tensors =
        ref::run_graph(wl, Rounding::kHalfEven);
    const std::vector<std::vector<double>> dq = int8_reals(wl);
    std::printf("%s per layer, fp32 vs int8 (dB):", wl.name.c_str());
    for (size_t i = 0; i < wl.layers.size(); ++i) {
        Layer l = wl.layers[i];
        if (l.inputs.empty()) l.inputs = {i == 0 ? wl.inputs.at(0).name : wl.layers[i - 1].name};
        Workload one;
        one.name = wl.name + "/" + l.name;
        for (const std::string& name : l.inputs) {
            if (std::any_of(one.inputs.begin(), one.inputs.end(),
                            [&](const graph::Tensor& t) { return t.name == name; })) {
                continue;  // read twice (gram reads split twice)
            }
            const graph::Tensor* t = wl.find_tensor(name);
            ASSERT_NE(t, nullptr) << name;
            one.inputs.push_back(*t);
            one.input_data.push_back(tensors.at(name));
        }
        one.input = one.input_data.at(0);
        one.layers = {l};
        std::vector<float> f = run_float(one, Precision::kFp32).at(0);
        const graph::QuantParams qp = wl.layer_outputs.at(i).quant;
        const float lo = static_cast<float>(qp.scale * (-128 - qp.zero_point));
        const float hi = static_cast<float>(qp.scale * (127 - qp.zero_point));
        for (float& v : f) v = std::clamp(v, lo, hi);
        const double db = sqnr_db(f, dq[i]);
        std::printf(" %s %.1f", l.name.c_str(), db);
        EXPECT_GT(db, 25.0) << l.name;
    }
    std::printf("\n");
}

INSTANTIATE_TEST_SUITE_P(Workloads, FloatRefBundled,
                         ::testing::Values("tiny_resnet.yaml", "tiny_attention.yaml"));

TEST(FloatRefWorkloads, CoverEveryOpKind) {
    std::set<OpKind> kinds;
    for (const char* file : {"tiny_resnet.yaml", "tiny_attention.yaml"}) {
        for (const Layer& l : bundled(file).layers) kinds.insert(l.kind);
    }
    EXPECT_EQ(kinds.size(), 15u);  // every OpKind, so the test above runs each of them
}

TEST(FloatRefWorkloads, Fp32OfBf16InputsDiffersOnlySlightly) {
    // bf16 keeps 8 significant bits: its outputs stay close to fp32 (a loose sanity bound).
    const Workload wl = bundled("tiny_resnet.yaml");
    const FloatOutputs f32 = run_float(wl, Precision::kFp32);
    const FloatOutputs b16 = run_float(wl, Precision::kBf16);
    const std::vector<double> ref(f32.back().begin(), f32.back().end());
    const double db = sqnr_db(b16.back(), ref);
    std::printf("tiny_resnet bf16 vs fp32 final: %.2f dB\n", db);
    EXPECT_GT(db, 25.0);
}

}  // namespace
}  // namespace npu::quant

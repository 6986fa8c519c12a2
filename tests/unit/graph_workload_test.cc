#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <map>
#include <random>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "sim/core/error.h"
#include "sim/core/ppu_ops.h"
#include "sim/core/requant.h"
#include "sim/graph/seeded_bytes.h"
#include "sim/graph/workload.h"
#include "sim/graph/workload_loader.h"
#include "sim/quant/prepare.h"
#include "sim/ref/reference.h"

namespace npu::graph {
namespace {

std::string workload_path(const std::string& name) {
    return std::string(NPUSIM_SOURCE_DIR) + "/workloads/" + name;
}

// The loader's workload with its pending work done (npu::quant::prepare: seeded tensors,
// quantization, calibration), as every command uses it.
Workload load(const std::string& text) {
    return quant::prepare(load_workload_from_string(text, "t.yaml"));
}
Workload load_file(const std::string& path, const LoadOptions& options = {}) {
    return quant::prepare(load_workload(path, options));
}

// Every diagnostic, one per line, as the CLI prints them.
std::string errors_of(const std::string& text) {
    try {
        (void)load(text);
    } catch (const UserError& e) {
        return e.what();
    }
    return "<no error>";
}

std::vector<int64_t> macs_of(const Workload& w) {
    std::vector<int64_t> v;
    for (const auto& l : w.layers) v.push_back(l.macs());
    return v;
}

TEST(GraphBundled, DefaultWorkload) {
    const Workload w = load_file(workload_path("default.yaml"));
    EXPECT_EQ(w.name, "default");
    EXPECT_EQ(w.seed, 42u);
    ASSERT_EQ(w.layers.size(), 4u);
    EXPECT_EQ(w.input.size(), 32u * 32 * 16);
    // conv1 32*32*32*(3*3*16); conv2 16*16*32*(3*3*32); conv3 16*16*64*32; fc 1*16384*10.
    EXPECT_EQ(macs_of(w), (std::vector<int64_t>{4718592, 2359296, 524288, 163840}));
    EXPECT_EQ(w.layers[0].shape_string(), "conv2d 32x32x16 -> 32x32x32 k3x3 s1 p1");
    EXPECT_EQ(w.layers[1].shape_string(), "conv2d 32x32x32 -> 16x16x32 k3x3 s2 p0,1,0,1");
    EXPECT_EQ(w.layers[2].shape_string(), "conv2d 16x16x32 -> 16x16x64 k1x1 s1 p0");
    EXPECT_EQ(w.layers[3].shape_string(), "gemm 1x16384x10 (MxKxN)");
    EXPECT_EQ(w.layers[3].kind, OpKind::kGemm);
    EXPECT_EQ(w.layers[3].in_w, 1);
    EXPECT_EQ(w.layers[3].kernel_h, 1);
    EXPECT_EQ(w.layers[1].activation, Activation::kRelu6);
    for (size_t i = 1; i < w.layers.size(); ++i) {
        EXPECT_EQ(w.layers[i].input_elems(), w.layers[i - 1].output_elems());
        EXPECT_EQ(w.layers[i].input.scale, w.layers[i - 1].output.scale);
        EXPECT_EQ(w.layers[i].input.zero_point, w.layers[i - 1].output.zero_point);
    }
}

TEST(GraphBundled, SmallWorkloadsWithAwkwardSizes) {
    const Workload c = load_file(workload_path("conv_small.yaml"));
    // c1 19*25*19*(3*3*29) = 2,355,525; c2 19*25*21*19 = 189,525.
    EXPECT_EQ(macs_of(c), (std::vector<int64_t>{2355525, 189525}));
    EXPECT_EQ(c.layers[0].shape_string(), "conv2d 37x50x29 -> 19x25x19 k3x3 s2 p1");
    EXPECT_EQ(c.layers[1].activation, Activation::kClamp);
    EXPECT_EQ(c.layers[1].bias, std::vector<int32_t>(21, 0));

    const Workload g = load_file(workload_path("gemm_small.yaml"));
    // g1 37*50*29 = 53,650; g2 37*29*13 = 13,949.
    EXPECT_EQ(macs_of(g), (std::vector<int64_t>{53650, 13949}));
    EXPECT_EQ(g.layers[0].shape_string(), "gemm 37x50x29 (MxKxN)");
    EXPECT_EQ(g.layers[1].shape_string(), "gemm 37x29x13 (MxKxN)");
    EXPECT_EQ(g.layers[1].output.zero_point, 0);  // scale auto, zero point given
}

TEST(GraphBundled, Gemm1024HasExplicitScales) {
    const Workload w = load_file(workload_path("gemm_1024.yaml"));
    ASSERT_EQ(w.layers.size(), 1u);
    EXPECT_EQ(w.layers[0].macs(), int64_t{1} << 30);  // 1024^3
    EXPECT_EQ(w.layers[0].output.scale, 1.0);
    EXPECT_EQ(w.layers[0].output.zero_point, -128);
    EXPECT_EQ(w.layers[0].requant.act_min, -128);  // relu at zero point -128
    // M = 0.05 * 0.01 / 1.0 = 5e-4.
    const QuantMultiplier q = quantize_multiplier(0.05 * 0.01 / 1.0);
    EXPECT_EQ(w.layers[0].requant.multiplier, std::vector<int32_t>(1024, q.multiplier));
    EXPECT_EQ(w.layers[0].requant.shift, std::vector<int32_t>(1024, q.shift));
}

TEST(GraphBundled, AutoScalesGiveUnsaturatedOutputs) {
    // conv3 of default.yaml has no activation and both output parameters auto: its real range
    // [lo, hi] (including 0) spans exactly 255 steps, so outputs reach both ends of int8 with
    // almost nothing clipped.
    const Workload w = load_file(workload_path("default.yaml"));
    const auto outs = ref::run_workload(w, Rounding::kHalfEven);
    const Layer& l = w.layers[2];
    const auto acc = ref::conv_accumulate(l, outs[1]);
    double lo = 0, hi = 0;
    for (size_t i = 0; i < acc.size(); ++i) {
        const double real = acc[i] * l.input.scale * l.weight_scale[i % 64];
        lo = std::min(lo, real);
        hi = std::max(hi, real);
    }
    EXPECT_DOUBLE_EQ(l.output.scale, (hi - lo) / 255);
    EXPECT_EQ(l.output.zero_point, static_cast<int32_t>(std::round(-128 - lo / l.output.scale)));
    const auto& y = outs[2];
    EXPECT_EQ(*std::min_element(y.begin(), y.end()), -128);
    EXPECT_GE(*std::max_element(y.begin(), y.end()), 126);
    EXPECT_LE(std::count(y.begin(), y.end(), 127) + std::count(y.begin(), y.end(), -128), 4);
}

TEST(GraphGeometry, SamePaddingFollowsTensorFlow) {
    const Workload w = load(R"(
input: {shape: [7, 8, 3], scale: 0.1}
layers:
  - {op: conv2d, out_channels: 2, kernel: [2, 3], stride: 2, padding: same, weight_scale: 0.1}
  - {op: conv2d, out_channels: 2, kernel: 3, dilation: 2, padding: same, weight_scale: 0.1}
  - {op: conv2d, out_channels: 2, kernel: 3, padding: valid, weight_scale: 0.1}
)");
    // h: out ceil(7/2) = 4, total (4-1)*2 + 2 - 7 = 1 -> top 0, bottom 1;
    // w: out ceil(8/2) = 4, total (4-1)*2 + 3 - 8 = 1 -> left 0, right 1.
    const Layer& a = w.layers[0];
    EXPECT_EQ(a.shape_string(), "conv2d 7x8x3 -> 4x4x2 k2x3 s2 p0,1,0,1");
    // Dilated 3x3 spans 5: total 4 each way -> 2 on every side.
    EXPECT_EQ(w.layers[1].shape_string(), "conv2d 4x4x2 -> 4x4x2 k3x3 s1 p2 d2");
    EXPECT_EQ(w.layers[2].shape_string(), "conv2d 4x4x2 -> 2x2x2 k3x3 s1 p0");
    EXPECT_EQ(w.layers[0].name, "layer0");  // default names
}

TEST(GraphGeometry, GemmReinterpretsThePreviousOutput) {
    const Workload w = load(R"(
input: {shape: [4, 4, 6], scale: 0.1}
layers:
  - {op: gemm, n: 5, weight_scale: 0.1}
  - {op: gemm, m: 2, n: 3, weight_scale: 0.1}
  - {op: gemm, m: 1, n: 7, weight_scale: 0.1}
  - {op: conv2d, out_channels: 2, kernel: 1, weight_scale: 0.1}
)");
    // 4x4x6 -> M = 16, K = 6; 16x5 = 80 elements -> m 2, K 40; 2x3 = 6 -> m 1, K 6.
    EXPECT_EQ(w.layers[0].shape_string(), "gemm 16x6x5 (MxKxN)");
    EXPECT_EQ(w.layers[1].shape_string(), "gemm 2x40x3 (MxKxN)");
    EXPECT_EQ(w.layers[2].shape_string(), "gemm 1x6x7 (MxKxN)");
    // A conv after a gemm sees M x 1 x N.
    EXPECT_EQ(w.layers[3].shape_string(), "conv2d 1x1x7 -> 1x1x2 k1x1 s1 p0");
}

TEST(GraphQuant, RequantAndActivationBounds) {
    const Workload w = load(R"(
input: {shape: [2, 2, 3], scale: 0.5, zero_point: 4}
layers:
  - {op: conv2d, out_channels: 2, kernel: 1, weight_scale: 0.25, activation: relu,
     output: {scale: 0.125, zero_point: 5}}
  - {op: conv2d, out_channels: 2, kernel: 1, weight_scale: [0.5, 0.25], activation: relu6,
     output: {scale: 0.05, zero_point: -10}}
  - {op: conv2d, out_channels: 1, kernel: 1, weight_scale: 1, activation: {clamp: [-1, 2.5]},
     output: {scale: 0.02}}
  - {op: conv2d, out_channels: 1, kernel: 1, weight_scale: 1, activation: {clamp: [-10, 10]},
     output: {scale: 0.02}}
)");
    const Layer& a = w.layers[0];
    EXPECT_EQ(a.input.zero_point, 4);
    // M = 0.5 * 0.25 / 0.125 = 1.0 = 2^30 * 2^-30.
    EXPECT_EQ(a.requant.multiplier, (std::vector<int32_t>{1 << 30, 1 << 30}));
    EXPECT_EQ(a.requant.shift, (std::vector<int32_t>{-1, -1}));
    EXPECT_EQ(a.requant.out_zero_point, 5);
    EXPECT_EQ(a.requant.act_min, 5);  // relu: [zp, 127]
    EXPECT_EQ(a.requant.act_max, 127);
    const Layer& b = w.layers[1];
    EXPECT_EQ(b.input.scale, 0.125);
    // M = 0.125 * 0.5 / 0.05 = 1.25 = 0.625 * 2^1 -> 0.625 * 2^31 = 1342177280, shift -1;
    // M = 0.625 = 0.625 * 2^0 -> shift 0.
    EXPECT_EQ(b.requant.multiplier, (std::vector<int32_t>{1342177280, 1342177280}));
    EXPECT_EQ(b.requant.shift, (std::vector<int32_t>{-1, 0}));
    EXPECT_EQ(b.requant.act_min, -10);        // relu6 low end: zp
    EXPECT_EQ(b.requant.act_max, -10 + 120);  // zp + round(6 / 0.05)
    // clamp [-1, 2.5] at 0.02, zero point 0 (an explicit scale alone means symmetric):
    // [round(-1 / 0.02), round(2.5 / 0.02)] = [-50, 125].
    EXPECT_EQ(w.layers[2].output.zero_point, 0);
    EXPECT_EQ(w.layers[2].requant.act_min, -50);
    EXPECT_EQ(w.layers[2].requant.act_max, 125);
    EXPECT_EQ(w.layers[2].clamp_min, -1.0);
    EXPECT_EQ(w.layers[2].clamp_max, 2.5);
    // clamp [-10, 10] at 0.02 is wider than int8: [-128, 127].
    EXPECT_EQ(w.layers[3].requant.act_min, -128);
    EXPECT_EQ(w.layers[3].requant.act_max, 127);
}

TEST(GraphQuant, WeightScaleAndBiasForms) {
    const Workload w = load(R"(
seed: 3
input: {shape: [3, 3, 4], scale: 0.1}
layers:
  - {op: conv2d, out_channels: 8, kernel: 3, padding: 1, weight_scale: {min: 0.01, max: 0.02},
     bias: true}
  - {op: conv2d, out_channels: 2, kernel: 1, weight_scale: [0.5, 0.25], bias: [7, -9]}
  - {op: conv2d, out_channels: 3, kernel: 1, weight_scale: 0.5, bias: false}
)");
    const Layer& a = w.layers[0];
    ASSERT_EQ(a.weight_scale.size(), 8u);
    for (double s : a.weight_scale) {
        EXPECT_GE(s, 0.01);
        EXPECT_LT(s, 0.02);
    }
    EXPECT_NE(a.weight_scale[0], a.weight_scale[1]);
    ASSERT_EQ(a.bias.size(), 8u);
    const int32_t bound = 3 * 3 * 4 * 64;  // K * 64
    for (int32_t b : a.bias) {
        EXPECT_GE(b, -bound);
        EXPECT_LE(b, bound);
    }
    EXPECT_EQ(a.weights.size(), 8u * 3 * 3 * 4);
    for (int8_t x : a.weights) EXPECT_GE(x, -127);  // symmetric: never -128
    EXPECT_EQ(w.layers[1].weight_scale, (std::vector<double>{0.5, 0.25}));
    EXPECT_EQ(w.layers[1].bias, (std::vector<int32_t>{7, -9}));
    EXPECT_EQ(w.layers[2].weight_scale, (std::vector<double>{0.5, 0.5, 0.5}));
    EXPECT_EQ(w.layers[2].bias, (std::vector<int32_t>{0, 0, 0}));
}

uint64_t fnv1a(const std::vector<int8_t>& v, size_t n) {
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < std::min(n, v.size()); ++i) {
        h = (h ^ static_cast<uint8_t>(v[i])) * 1099511628211ull;
    }
    return h;
}

TEST(GraphData, DeterministicAcrossLoadsAndPlatforms) {
    const Workload a = load_file(workload_path("gemm_small.yaml"));
    const Workload b = load_file(workload_path("gemm_small.yaml"));
    EXPECT_EQ(a.input, b.input);
    for (size_t i = 0; i < a.layers.size(); ++i) {
        EXPECT_EQ(a.layers[i].weights, b.layers[i].weights);
        EXPECT_EQ(a.layers[i].bias, b.layers[i].bias);
        EXPECT_EQ(a.layers[i].weight_scale, b.layers[i].weight_scale);
        EXPECT_EQ(a.layers[i].output.scale, b.layers[i].output.scale);
    }
    // Golden values recorded from this generator (mt19937_64, whose output the C++ standard fixes,
    // with our own integer mapping). A platform-dependent generator, or any change to the mapping
    // or the stream seeding, changes them; such a change must be deliberate.
    EXPECT_EQ(fnv1a(a.layers[0].weights, 64), 302183834178519985ull);
    EXPECT_EQ(fnv1a(a.input, 64), 4672261895386483511ull);
    EXPECT_EQ(std::vector<int8_t>(a.layers[0].weights.begin(), a.layers[0].weights.begin() + 8),
              (std::vector<int8_t>{-6, -78, 67, 67, -45, 120, 15, 7}));
}

TEST(GraphData, StreamsAreIndependentPerTensor) {
    const std::string head = "seed: 9\ninput: {shape: [4, 4, 2], scale: 0.1}\nlayers:\n";
    const std::string l0 = "  - {op: conv2d, out_channels: 3, kernel: 3, weight_scale: 0.1}\n";
    const Workload a = load(head + l0 + "  - {op: gemm, n: 4, weight_scale: 0.1}\n");
    const Workload b = load(head + l0 + "  - {op: gemm, n: 6, weight_scale: 0.1}\n");
    EXPECT_EQ(a.layers[0].weights, b.layers[0].weights);  // editing layer 1 leaves layer 0 alone
    EXPECT_EQ(a.layers[0].bias, b.layers[0].bias);
    EXPECT_EQ(a.input, b.input);
    const Workload c = load("seed: 10\ninput: {shape: [4, 4, 2], scale: 0.1}\nlayers:\n" + l0);
    EXPECT_NE(a.input, c.input);
    EXPECT_NE(a.layers[0].weights, c.layers[0].weights);
}

TEST(GraphData, UniformIntCoversTheRangeEvenly) {
    DataGenerator g(1, 2);
    int counts[5] = {0, 0, 0, 0, 0};
    for (int i = 0; i < 50000; ++i) {
        const int64_t v = g.uniform_int(-2, 2);
        ASSERT_GE(v, -2);
        ASSERT_LE(v, 2);
        ++counts[v + 2];
    }
    for (int c : counts) EXPECT_NEAR(c, 10000, 500);  // 5 sigma is about 450
    const auto bytes = DataGenerator(1, 2).int8s(20000, -128, 127);
    EXPECT_EQ(*std::min_element(bytes.begin(), bytes.end()), -128);
    EXPECT_EQ(*std::max_element(bytes.begin(), bytes.end()), 127);
}

// int8s draws exactly what uniform_int would, element by element, for every span of int8
// values (powers of two by a mask, the others by the division-free remainder).
TEST(GraphData, Int8sDrawTheSameAsUniformInt) {
    for (int lo = -128; lo <= 127; lo += 3) {
        for (int hi = lo; hi <= 127; hi += 1 + (hi - lo) / 4) {
            DataGenerator a(77, static_cast<uint64_t>(lo * 1000 + hi)), b = a;
            const std::vector<int8_t> got = a.int8s(700, lo, hi);
            for (size_t i = 0; i < got.size(); ++i) {
                ASSERT_EQ(int64_t{got[i]}, b.uniform_int(lo, hi)) << lo << " " << hi << " " << i;
            }
            ASSERT_EQ(a.uniform_int(0, 1000000), b.uniform_int(0, 1000000));  // in step after
        }
    }
    // The two spans the loader uses, at length.
    for (const auto& [lo, hi] : {std::pair{-128, 127}, std::pair{-127, 127}}) {
        DataGenerator a(5, 9), b(5, 9);
        const std::vector<int8_t> got = a.int8s(1'000'000, lo, hi);
        for (size_t i = 0; i < got.size(); ++i) ASSERT_EQ(int64_t{got[i]}, b.uniform_int(lo, hi));
    }
}

// The bulk mapping behind int8s on a scripted stream with draws over the limit, alone, in a row,
// at the edges of the engine's blocks (here 7 outputs): each rejected draw yields nothing, the
// rest map in order, and exactly the draws needed are taken (uniform_int's loop, draw by draw).
TEST(GraphData, BulkDrawsRejectDrawsOverTheLimitAsUniformIntDoes) {
    struct Script {
        std::vector<uint64_t> xs;
        size_t at = 0;
        size_t take(size_t want, const uint64_t*& out) {
            const size_t n = std::min({want, 7 - at % 7, xs.size() - at});
            out = xs.data() + at;
            at += n;
            return n;
        }
    };
    constexpr uint64_t kMax = ~uint64_t{0};
    const auto run = [](uint64_t limit, uint64_t span, int lo, auto map) {
        std::mt19937_64 gen(17);
        Script s;
        for (int i = 0; i < 60; ++i) s.xs.push_back(gen() & (kMax >> 1));
        for (size_t at : {size_t{0}, size_t{6}, size_t{7}, size_t{8}, size_t{20}, size_t{21},
                          size_t{22}, size_t{40}}) {
            s.xs[at] = kMax;  // over every limit
        }
        s.xs[30] = limit;  // the limit itself is kept
        if (limit < kMax) s.xs[31] = limit + 1;
        std::vector<int8_t> want;
        for (uint64_t x : s.xs) {
            if (x <= limit)
                want.push_back(static_cast<int8_t>(lo + static_cast<int64_t>(x % span)));
        }
        std::vector<int8_t> got(want.size());
        seeded::draw_bytes(s, got.data(), got.size(), limit, map);
        EXPECT_EQ(got, want) << "span " << span;
        EXPECT_EQ(s.at, s.xs.size()) << "span " << span;  // the last draw is kept: all taken
    };
    const auto base = [](int lo) { return static_cast<uint64_t>(static_cast<int64_t>(lo)); };
    run(kMax - 1, 255, -127, seeded::Mod255{base(-127)});
    run(kMax, 256, -128, seeded::LowBits{base(-128), 255});
    __extension__ typedef unsigned __int128 U128;
    run(kMax - 2, 7, -3, seeded::Remainder{base(-3), 7, ~U128{0} / 7 + 1});
}

TEST(GraphErrors, AllProblemsReportedTogether) {
    const std::string text =
        "name: bad\n"
        "seed: 1\n"
        "input: {shape: [8, 8, 4], scale: 0.1, zero_point: 200}\n"
        "layers:\n"
        "  - name: a\n"
        "    op: conv2d\n"
        "    out_channels: 0\n"
        "    kernal: 3\n"
        "    weight_scale: [0.1, 0.2]\n"
        "  - name: b\n"
        "    op: gemm\n"
        "    n: 4\n"
        "    kernel: 3\n"
        "    weight_scale: -1\n";
    EXPECT_EQ(errors_of(text),
              "t.yaml:3:51: input.zero_point: expected an integer in [-128, 127], found '200'\n"
              "t.yaml:8:5: layers[0].kernal: unknown key (did you mean 'kernel'?)\n"
              "t.yaml:7:19: layers[0].out_channels: expected an integer in [1, 65536], found '0'\n"
              "t.yaml:5:5: layers[0]: missing required key 'kernel'\n"
              "t.yaml:13:5: layers[1].kernel: key does not apply to op gemm\n"
              "t.yaml:14:19: layers[1].weight_scale: expected a number > 0, found '-1'");
}

TEST(GraphErrors, ShapesListsAndActivations) {
    const std::string text =
        "input: {shape: [4, 4, 3], scale: 0.1}\n"
        "layers:\n"
        "  - name: big\n"
        "    op: conv2d\n"
        "    out_channels: 2\n"
        "    kernel: [3, 7]\n"
        "    weight_scale: [0.1, 0.2, 0.3]\n"
        "    bias: [1, 2, 3]\n"
        "    activation: relux\n"
        "  - name: big\n"
        "    op: gemm\n"
        "    n: 3\n"
        "    weight_scale: 0.1\n"
        "    activation: {clamp: [2, 1]}\n"
        "    output: {scale: 0.5, zero: 1}\n";
    EXPECT_EQ(errors_of(text),
              "t.yaml:7:19: layers[0].weight_scale: expected a list of 2 scales (one per output "
              "channel), found a list of 3\n"
              "t.yaml:8:11: layers[0].bias: expected a list of 2 integers (one per output "
              "channel), found a list of 3\n"
              "t.yaml:9:17: layers[0].activation: expected none, relu, relu6 or {clamp: [min, "
              "max]}, found 'relux' (did you mean 'relu'?)\n"
              "t.yaml:14:25: layers[1].activation.clamp: expected [min, max] with min < max, "
              "found 2 >= 1\n"
              "t.yaml:15:26: layers[1].output.zero: unknown key; expected one of: scale, "
              "zero_point\n"
              "t.yaml:10:11: layers[1].name: expected a unique layer name, found 'big' (also "
              "layers[0])\n"
              "t.yaml:6:13: layers[0].kernel: expected a (dilated) kernel no larger than the "
              "padded input 4x4, found 3x7");
}

// A layer that repeats the name of its own input (here the previous layer, its default input):
// the duplicate is reported, and the layer still reads the earlier tensor's shape (it used to
// read the slot its own name had just replaced, an empty shape: a crash, found by fuzz_workload).
TEST(GraphErrors, ALayerNamedLikeItsOwnInputIsADuplicateNotACrash) {
    EXPECT_EQ(errors_of("inputs:\n"
                        "  - {name: x, shape: [4, 8], scale: 0.1, zero_point: 0}\n"
                        "layers:\n"
                        "  - {name: a, op: softmax, output: auto}\n"
                        "  - {name: a, op: concat, inputs: [a, a]}\n"),
              "t.yaml:5:12: layers[1].name: expected a unique layer name, found 'a' (also "
              "layers[0])");
}

TEST(GraphErrors, GemmRowsMustDivideTheInput) {
    EXPECT_EQ(errors_of("input: {shape: [4, 4, 3], scale: 0.1}\n"
                        "layers:\n"
                        "  - {op: gemm, n: 2, m: 5, weight_scale: 0.1}\n"),
              "t.yaml:3:25: layers[0].m: expected a divisor of the input's 48 elements (4x4x3), "
              "found 5");
}

TEST(GraphErrors, AccumulatorOverflowIsRejected) {
    // K = 3 * 3 * 8000 = 72000; 72000 * 32385 > 2^31.
    EXPECT_EQ(errors_of("input: {shape: [8, 8, 8000], scale: 0.1}\n"
                        "layers:\n"
                        "  - {op: conv2d, out_channels: 1, kernel: 3, weight_scale: 0.1}\n"),
              "t.yaml:3:5: layers[0]: expected K * 255 * 127 + max|bias| < 2^31 so the int32 "
              "accumulator cannot overflow, found K = 72000 (kernel_h * kernel_w * in_c), "
              "max|bias| = 4608000");
}

TEST(GraphErrors, TopLevelProblems) {
    EXPECT_EQ(errors_of("nmae: x\nseed: -1\nlayers: []\n"),
              "t.yaml:1:1: nmae: unknown key (did you mean 'name'?)\n"
              "t.yaml:2:7: seed: expected an integer in [0, 2^64), found '-1'\n"
              "t.yaml:1:1: missing required key 'input' (or 'inputs')\n"
              "t.yaml:3:9: layers: expected a non-empty list of layers, found a list of 0");
    EXPECT_EQ(errors_of("input: {shape: [4, 3], scale: 0.1}\n"
                        "layers:\n"
                        "  - {op: conv2d, out_channels: 1, kernel: 1, weight_scale: 0.1}\n"),
              "t.yaml:1:16: input.shape: expected [H, W, C] when the first layer is a conv2d, "
              "found a list of 2");
    EXPECT_EQ(errors_of("input: {shape: [4, 3], scale: 0.1}\n"
                        "layers:\n"
                        "  - {op: conv, weight_scale: 0.1}\n"),
              "t.yaml:3:10: layers[0].op: expected one of conv2d, gemm, matmul, add, mul, maxpool, "
              "avgpool, global_avgpool, softmax, layernorm, rmsnorm, gelu, silu, reshape, concat, "
              "lookup, "
              "found 'conv' (did you mean 'conv2d'?)");
}

TEST(GraphErrors, InvalidYamlAndMissingFile) {
    EXPECT_EQ(errors_of("layers: [\n"), "t.yaml:2:1: invalid YAML: a '[' without its closing ']'");
    try {
        (void)load_workload("/nonexistent/w.yaml");
        FAIL() << "expected UserError";
    } catch (const UserError& e) {
        EXPECT_STREQ(e.what(), "cannot open '/nonexistent/w.yaml': No such file or directory");
    }
}

// ---- Format v2: declared inputs, named layer inputs, every operator ----

namespace v2 {

// Every tensor of a workload, by name.
std::map<std::string, std::vector<int8_t>> tensors_of(const Workload& w) {
    return ref::run_graph(w, Rounding::kHalfEven);
}

}  // namespace v2

TEST(GraphV2, V1InputBecomesADeclaredTensorNamedInput) {
    const Workload w = load(R"(
seed: 3
input: {shape: [4, 6], scale: 0.5, zero_point: 1}
layers:
  - {op: gemm, n: 5, weight_scale: 0.1, output: {scale: 0.2}}
)");
    ASSERT_EQ(w.inputs.size(), 1u);
    EXPECT_EQ(w.inputs[0].name, "input");
    EXPECT_EQ(w.inputs[0].shape, (std::vector<int32_t>{4, 6}));
    EXPECT_EQ(w.inputs[0].quant, (QuantParams{0.5, 1}));
    ASSERT_EQ(w.input_data.size(), 1u);
    EXPECT_EQ(w.input_data[0], w.input);
    EXPECT_EQ(w.input, DataGenerator(3, 0).int8s(24, -128, 127));  // stream 0 as in v1
    const Layer& l = w.layers[0];
    EXPECT_TRUE(l.inputs.empty());  // the chain rule
    EXPECT_EQ(l.input_quant, (std::vector<QuantParams>{{0.5, 1}}));
    EXPECT_EQ(l.out_shape, (std::vector<int32_t>{4, 5}));
    ASSERT_EQ(w.layer_outputs.size(), 1u);
    EXPECT_EQ(w.layer_outputs[0].name, l.name);
    EXPECT_EQ(w.layer_outputs[0].shape, (std::vector<int32_t>{4, 5}));
    EXPECT_EQ(w.layer_outputs[0].quant, (QuantParams{0.2, 0}));
    EXPECT_EQ(w.find_tensor("input"), &w.inputs[0]);
}

TEST(GraphV2, DeclaredInputsDrawFromTheirOwnStreams) {
    const Workload w = load(R"(
seed: 9
inputs:
  - {name: a, shape: [2, 3], scale: 0.1}
  - {name: b, shape: [3, 2, 2], scale: 0.2, zero_point: -4}
layers:
  - {op: reshape, shape: [6]}
)");
    ASSERT_EQ(w.inputs.size(), 2u);
    EXPECT_EQ(w.inputs[1].name, "b");
    EXPECT_EQ(w.inputs[1].quant, (QuantParams{0.2, -4}));
    // The first declared input keeps v1's stream 0; input j > 0 uses stream 2^63 + j.
    EXPECT_EQ(w.input_data[0], DataGenerator(9, 0).int8s(6, -128, 127));
    EXPECT_EQ(w.input_data[1], DataGenerator(9, (uint64_t{1} << 63) + 1).int8s(12, -128, 127));
    EXPECT_EQ(w.input, w.input_data[0]);
    EXPECT_EQ(w.layers[0].out_shape, (std::vector<int32_t>{6}));
    EXPECT_EQ(w.layers[0].output, (QuantParams{0.1, 0}));  // reshape keeps the quantization
}

TEST(GraphV2, ShapesAndGeometryOfEveryImageOp) {
    const Workload w = load(R"(
inputs:
  - {name: img, shape: [6, 6, 8], scale: 0.1}
layers:
  - {name: g, op: conv2d, out_channels: 4, kernel: 3, padding: 1, groups: 2, weight_scale: 0.01}
  - {name: mp, op: maxpool, kernel: 3, stride: 2, padding: [1, 0]}
  - {name: ap, op: avgpool, inputs: [g], kernel: 2, stride: 2}
  - {name: gap, op: global_avgpool, inputs: [img]}
  - {name: fc, op: gemm, inputs: [ap], n: 3, weight_scale: 0.01}
)");
    const Layer& g = w.layers[0];
    EXPECT_EQ(g.groups, 2);
    EXPECT_EQ(g.weights.size(), 4u * 3 * 3 * 4);  // OC x KH x KW x C/groups
    EXPECT_EQ(g.out_shape, (std::vector<int32_t>{6, 6, 4}));
    // maxpool 6x6, k3 s2, padding 1 top/bottom 0 left/right: (6+2-3)/2+1 = 3, (6-3)/2+1 = 2.
    const Layer& mp = w.layers[1];
    EXPECT_EQ(mp.shape_string(), "maxpool 6x6x4 -> 3x2x4 k3x3 s2 p1,1,0,0");
    EXPECT_EQ(mp.out_shape, (std::vector<int32_t>{3, 2, 4}));
    EXPECT_EQ(mp.output, g.output);  // pooling keeps its input's quantization
    EXPECT_EQ(mp.requant.multiplier, (std::vector<int32_t>(4, 1 << 30)));  // M = 1 = 2^30 * 2^-30
    EXPECT_EQ(mp.requant.shift, (std::vector<int32_t>(4, -1)));
    EXPECT_EQ(w.layers[2].out_shape, (std::vector<int32_t>{3, 3, 4}));
    const Layer& gap = w.layers[3];
    EXPECT_EQ(gap.kernel_h, 6);
    EXPECT_EQ(gap.kernel_w, 6);
    EXPECT_EQ(gap.out_shape, (std::vector<int32_t>{1, 1, 8}));
    EXPECT_EQ(gap.input_quant, (std::vector<QuantParams>{{0.1, 0}}));
    // gemm on [3, 3, 4]: M = 3 * 3 = 9, K = 4.
    EXPECT_EQ(w.layers[4].shape_string(), "gemm 9x4x3 (MxKxN)");
    EXPECT_EQ(w.layers[4].out_shape, (std::vector<int32_t>{9, 3}));
}

TEST(GraphV2, ShapesQuantAndTablesOfEverySequenceOp) {
    const Workload w = load(R"(
seed: 4
inputs:
  - {name: x, shape: [4, 6], scale: 0.1, zero_point: 3}
  - {name: y, shape: [4, 6], scale: 0.3, zero_point: -2}
layers:
  - {name: s, op: add, inputs: [x, y], output: {scale: 0.25, zero_point: 1}}
  - {name: p, op: mul, inputs: [x, y], activation: relu, output: {scale: 0.5}}
  - {name: mm, op: matmul, inputs: [x, y], transpose_b: true, output: {scale: 2.0}}
  - {name: hm, op: matmul, inputs: [x, y], heads: 2, a_layout: interleaved,
     b_layout: interleaved, transpose_b: true, output: {scale: 2.0}}
  - {name: ln, op: layernorm, inputs: [x], output: {scale: 0.02}}
  - {name: rn, op: rmsnorm, inputs: [x], output: {scale: 0.02}}
  - {name: sm, op: softmax, inputs: [x], output: {scale: 0.00390625, zero_point: -128}}
  - {name: ge, op: gelu, inputs: [x], output: {scale: 0.05, zero_point: -10}}
  - {name: r, op: reshape, inputs: [x], shape: [-1, 3, 2]}
  - {name: r2, op: reshape, shape: [4, 6]}
  - {name: c, op: concat, inputs: [x, r2, x]}
  - {name: sa, op: softmax, inputs: [mm]}
)");
    const auto at = [&](const std::string& name) -> const Layer& {
        for (const auto& l : w.layers) {
            if (l.name == name) return l;
        }
        throw std::out_of_range(name);
    };
    const QuantMultiplier m_add = add_multipliers(0.1, 0.3, 0.25).out;
    const Layer& s = at("s");
    EXPECT_EQ(s.out_shape, (std::vector<int32_t>{4, 6}));
    EXPECT_EQ(s.input_quant, (std::vector<QuantParams>{{0.1, 3}, {0.3, -2}}));
    EXPECT_EQ(s.input, (QuantParams{0.1, 3}));
    // twice = 0.6: mx = 0.1 / 0.6, my = 0.3 / 0.6 = 0.5, mo = 0.6 / (2^20 * 0.25).
    EXPECT_EQ(s.add_x.multiplier, quantize_multiplier(0.1 / 0.6).multiplier);
    EXPECT_EQ(s.add_y.multiplier, 1 << 30);
    EXPECT_EQ(s.add_y.shift, 0);  // 0.5 = 2^30 * 2^-31
    EXPECT_EQ(s.requant.multiplier, (std::vector<int32_t>(6, m_add.multiplier)));
    EXPECT_EQ(s.requant.shift, (std::vector<int32_t>(6, m_add.shift)));
    EXPECT_EQ(s.requant.out_zero_point, 1);
    // mul: M = 0.1 * 0.3 / 0.5 = 0.06; relu clamps at the zero point 0.
    const Layer& p = at("p");
    EXPECT_EQ(p.requant.multiplier[5], quantize_multiplier(0.1 * 0.3 / 0.5).multiplier);
    EXPECT_EQ(p.requant.act_min, 0);
    // matmul, one head, 2-D operands: [4, 6] x [4, 6]^T = [4, 4]; M = 0.1 * 0.3 / 2.
    const Layer& mm = at("mm");
    EXPECT_EQ(mm.out_shape, (std::vector<int32_t>{4, 4}));
    EXPECT_EQ(mm.mm_m * 100 + mm.mm_k * 10 + mm.mm_n, 464);
    EXPECT_EQ(mm.requant.multiplier,
              (std::vector<int32_t>(4, quantize_multiplier(0.015).multiplier)));
    // two heads interleaved: a [4, 2*3], b^T [4, 2*3]: per head 4x3x4, out batched [2, 4, 4].
    const Layer& hm = at("hm");
    EXPECT_EQ(hm.out_shape, (std::vector<int32_t>{2, 4, 4}));
    EXPECT_EQ(hm.macs(), 2 * 4 * 3 * 4);
    EXPECT_EQ(hm.in_h, 4);
    EXPECT_EQ(hm.in_c, 6);
    EXPECT_EQ(hm.out_c, 4);
    // Norms: gamma from the layer's weight stream (3i+1), beta from its bias stream (3i+2).
    const Layer& ln = at("ln");
    DataGenerator gamma(4, 3 * 4 + 1), beta(4, 3 * 4 + 2);
    ASSERT_EQ(ln.gamma.size(), 6u);
    ASSERT_EQ(ln.beta.size(), 6u);
    for (size_t i = 0; i < 6; ++i) {
        EXPECT_EQ(ln.gamma[i], static_cast<float>(0.5 + gamma.uniform_unit()));
        EXPECT_EQ(ln.beta[i], static_cast<float>(beta.uniform_unit() - 0.5));
    }
    EXPECT_EQ(at("rn").gamma.size(), 6u);
    EXPECT_TRUE(at("rn").beta.empty());
    // Row ops carry an unused sx/so requant, one per column: 0.1 / 0.02 = 5.
    EXPECT_EQ(ln.requant.multiplier,
              (std::vector<int32_t>(6, quantize_multiplier(5.0).multiplier)));
    EXPECT_EQ(at("ge").lut, build_lut(LutFunction::kGelu, 0.1, 3, 0.05, -10));
    EXPECT_EQ(at("r").out_shape, (std::vector<int32_t>{4, 3, 2}));  // 24 / (3 * 2) = 4
    EXPECT_EQ(at("r2").inputs, (std::vector<std::string>{}));       // chain: reads r
    EXPECT_EQ(at("r2").out_shape, (std::vector<int32_t>{4, 6}));
    EXPECT_EQ(at("c").out_shape, (std::vector<int32_t>{4, 18}));
    EXPECT_EQ(at("c").output, (QuantParams{0.1, 3}));
    // softmax with output auto: probabilities in [0, 1] -> scale 1/255, zero point -128.
    EXPECT_EQ(at("sa").output.zero_point, -128);
    EXPECT_LE(at("sa").output.scale, 1.0 / 255 + 1e-12);

    // The reference runs the whole graph; concat copies rows, reshape keeps bytes.
    const auto t = v2::tensors_of(w);
    EXPECT_EQ(t.at("r"), t.at("x"));
    EXPECT_EQ(t.at("r2"), t.at("x"));
    for (size_t row = 0; row < 4; ++row) {
        for (size_t col = 0; col < 6; ++col) {
            EXPECT_EQ(t.at("c")[row * 18 + col], t.at("x")[row * 6 + col]);
            EXPECT_EQ(t.at("c")[row * 18 + 6 + col], t.at("x")[row * 6 + col]);
        }
    }
}

TEST(GraphV2, ReferenceRunsTheTinyNetworks) {
    const Workload rn = load_file(workload_path("tiny_resnet.yaml"));
    const auto out = ref::run_workload(rn, Rounding::kTflite);
    ASSERT_EQ(out.size(), rn.layers.size());
    for (size_t i = 0; i < out.size(); ++i) {
        EXPECT_EQ(static_cast<int64_t>(out[i].size()), rn.layers[i].output_elems()) << i;
    }
    // maxpool k3 s2 p1 with its input's quantization: output pixel (0,0) channel c is the max of
    // the stem's pixels (0..1, 0..1) (the window's other taps are padding).
    const std::vector<int8_t>& stem = out[0];
    const std::vector<int8_t>& pool = out[1];
    for (size_t c = 0; c < 16; ++c) {
        const int8_t want = std::max({stem[c], stem[16 + c], stem[16 * 16 + c], stem[17 * 16 + c]});
        EXPECT_EQ(pool[c], want) << c;
    }
    EXPECT_EQ(out.back().size(), 10u);

    const Workload at = load_file(workload_path("tiny_attention.yaml"));
    const auto tensors = ref::run_graph(at, Rounding::kHalfEven);
    const auto outs = ref::run_workload(at, Rounding::kHalfEven);
    ASSERT_EQ(outs.size(), at.layers.size());
    for (size_t i = 0; i < outs.size(); ++i) {
        EXPECT_EQ(outs[i], tensors.at(at.layers[i].name)) << i;
        EXPECT_EQ(static_cast<int64_t>(outs[i].size()), at.layers[i].output_elems()) << i;
    }
    // Softmax rows of 12 dequantized sum to 1 within 12 half steps of its scale.
    const Layer* probs = nullptr;
    for (const auto& l : at.layers) {
        if (l.name == "probs") probs = &l;
    }
    ASSERT_NE(probs, nullptr);
    const std::vector<int8_t>& p = tensors.at("probs");
    ASSERT_EQ(p.size(), 2u * 8 * 12);
    for (size_t r = 0; r < p.size(); r += 12) {
        double sum = 0;
        for (size_t i = 0; i < 12; ++i) {
            sum += probs->output.scale * (p[r + i] - probs->output.zero_point);
        }
        EXPECT_NEAR(sum, 1.0, 6 * probs->output.scale) << r;
    }
    // split (a reshape) keeps heads' bytes; flat keeps gram's.
    EXPECT_EQ(tensors.at("split"), tensors.at("heads"));
    EXPECT_EQ(tensors.at("flat"), tensors.at("gram"));
}

TEST(GraphV2Errors, TensorsShapesAndQuantization) {
    const std::string text =
        "inputs:\n"
        "  - {name: img, shape: [4, 4, 6], scale: 0.1}\n"
        "  - {name: seq, shape: [8, 16], scale: 0.1}\n"
        "  - {name: other, shape: [8, 12], scale: 0.2}\n"
        "layers:\n"
        "  - {name: conv, op: conv2d, out_channels: 4, kernel: 1, groups: 4, weight_scale: 0.1}\n"
        "  - {name: pool, op: maxpool, inputs: [img], kernel: 2, padding: 2}\n"
        "  - {name: s, op: add, inputs: [seq, other]}\n"
        "  - {name: m, op: matmul, inputs: [seq, other]}\n"
        "  - {name: h, op: matmul, inputs: [seq, seq], heads: 3, a_layout: interleaved}\n"
        "  - {name: c, op: concat, inputs: [seq, other]}\n"
        "  - {name: c2, op: concat, inputs: [seq, img]}\n"
        "  - {name: r, op: reshape, inputs: [seq], shape: [3, -1]}\n"
        "  - {name: u, op: softmax, inputs: [sek]}\n"
        "  - {name: v, op: softmax, inputs: [w]}\n"
        "  - {name: w, op: mul}\n"
        "  - {name: seq, op: gelu}\n";
    EXPECT_EQ(errors_of(text),
              "t.yaml:17:12: layers[11].name: expected a name that is not a declared input, found "
              "'seq' (also inputs[1])\n"
              "t.yaml:6:66: layers[0].groups: expected a divisor of the input's 6 channels and of "
              "out_channels 4, found 4\n"
              "t.yaml:7:66: layers[1].padding: expected padding smaller than the kernel 2x2, found "
              "2,2,2,2 (top, bottom, left, right)\n"
              "t.yaml:8:32: layers[2].inputs: expected inputs of equal shapes, found 'seq' of "
              "shape 8x16 and 'other' of shape 8x12\n"
              "t.yaml:9:41: layers[3].inputs[1]: expected operand b with K = 16 (from a 'seq' of "
              "shape 8x16), found 'other' of shape 8x12 (K = 8)\n"
              "t.yaml:10:36: layers[4].inputs[0]: expected operand a as [M, 3*K] (interleaved), "
              "found 'seq' of shape 8x16\n"
              "t.yaml:10:41: layers[4].inputs[1]: expected operand b as [3, K, N] (batched), found "
              "'seq' of shape 8x16\n"
              "t.yaml:12:36: layers[6].inputs: expected inputs that differ only in the last "
              "dimension, found 'seq' of shape 8x16 and 'img' of shape 4x4x6\n"
              "t.yaml:13:50: layers[7].shape: expected a shape of 128 elements (the input 'seq' of "
              "shape 8x16), found 3x-1\n"
              "t.yaml:14:37: layers[8].inputs[0]: expected a declared input or an earlier layer's "
              "output, found 'sek' (did you mean 'seq'?)\n"
              "t.yaml:15:37: layers[9].inputs[0]: expected a declared input or an earlier layer's "
              "output, found 'w' (a later layer: list layers after their inputs)\n"
              "t.yaml:16:5: layers[10]: missing required key 'inputs' (mul reads 2 tensor names)");
}

TEST(GraphV2Errors, ConcatNeedsEqualQuantizationAndMatmulABoundedK) {
    EXPECT_EQ(errors_of("inputs:\n"
                        "  - {name: a, shape: [2, 4], scale: 0.5}\n"
                        "  - {name: b, shape: [2, 3], scale: 0.5, zero_point: 1}\n"
                        "layers:\n"
                        "  - {op: concat, inputs: [a, b]}\n"),
              "t.yaml:5:26: layers[0].inputs: expected inputs with equal quantization, found 'a' "
              "(scale 0.5, zero point 0) and 'b' (scale 0.5, zero point 1)");
    // K = 40000: 40000 * 255 * 255 = 2,601,000,000 >= 2^31.
    EXPECT_EQ(errors_of("inputs:\n"
                        "  - {name: a, shape: [2, 40000], scale: 0.5}\n"
                        "layers:\n"
                        "  - {op: matmul, inputs: [a, a], transpose_b: true}\n"),
              "t.yaml:4:5: layers[0]: expected K * 255 * 255 < 2^31 so the int32 accumulator "
              "cannot overflow, found K = 40000");
    EXPECT_EQ(errors_of("input: {shape: [2, 4], scale: 0.5}\n"
                        "inputs: [{name: a, shape: [2, 4], scale: 0.5}]\n"
                        "layers:\n"
                        "  - {op: silu, activation: relu, output: {scale: 0.1}}\n"
                        "  - {op: reshape, shape: [8], output: auto}\n"),
              "t.yaml:2:9: inputs: expected either 'input' or 'inputs', found both\n"
              "t.yaml:4:16: layers[0].activation: key does not apply to op silu\n"
              "t.yaml:5:31: layers[1].output: key does not apply to op reshape");
}

// ---- mapping pins -------------------------------------------------------------------------

TEST(GraphPin, ParsesEveryPinAndDefaultsToNone) {
    const Workload w = load(R"(
inputs:
  - {name: x, shape: [8, 8, 16], scale: 0.05}
  - {name: y, shape: [8, 32], scale: 0.05}
layers:
  - {name: c, op: conv2d, inputs: [x], out_channels: 16, kernel: 3, padding: 1,
     weight_scale: 0.01, output: {scale: 1.0},
     mapping: {rows_per_block: 4, k_chunk: 64, dataflow: os}}
  - {name: g, op: gemm, n: 8, weight_scale: 0.01, output: {scale: 1.0}, mapping: {k_chunk: 32}}
  - {name: m, op: matmul, inputs: [y, y], transpose_b: true, output: {scale: 1.0},
     mapping: {dataflow: ws}}
  - {name: d, op: conv2d, inputs: [x], out_channels: 8, kernel: 1, weight_scale: 0.01,
     output: {scale: 1.0}, mapping: {}}
)");
    ASSERT_EQ(w.layers.size(), 4u);
    const Layer& c = w.layers[0];
    EXPECT_EQ(c.pin_rows, 4);
    EXPECT_EQ(c.pin_k_chunk, 64);
    ASSERT_TRUE(c.pin_dataflow.has_value());
    EXPECT_EQ(*c.pin_dataflow, Dataflow::kOutputStationary);
    EXPECT_EQ(w.layers[1].pin_rows, 0);
    EXPECT_EQ(w.layers[1].pin_k_chunk, 32);
    EXPECT_FALSE(w.layers[1].pin_dataflow.has_value());
    EXPECT_EQ(w.layers[2].pin_k_chunk, 0);
    ASSERT_TRUE(w.layers[2].pin_dataflow.has_value());
    EXPECT_EQ(*w.layers[2].pin_dataflow, Dataflow::kWeightStationary);
    EXPECT_EQ(w.layers[3].pin_rows, 0);
    EXPECT_EQ(w.layers[3].pin_k_chunk, 0);
    EXPECT_FALSE(w.layers[3].pin_dataflow.has_value());
}

TEST(GraphPin, BadPinsAreReportedTogether) {
    EXPECT_EQ(errors_of(R"(input: {shape: [8, 8, 16], scale: 0.05}
layers:
  - {name: c, op: conv2d, out_channels: 16, kernel: 3, weight_scale: 0.01,
     mapping: {rows_per_blok: 4, k_chunk: 0, dataflow: wss}}
  - {name: s, op: softmax, mapping: {k_chunk: 16}}
  - {name: g, op: gemm, n: 4, weight_scale: 0.01, mapping: 4}
  - {name: h, op: gemm, n: 4, weight_scale: 0.01, mapping: {rows_per_block: -1, tile: 2}}
  - {name: i, op: gemm, n: 4, weight_scale: 0.01, mapping: {order: kk}}
)"),
              "t.yaml:4:16: layers[0].mapping.rows_per_blok: unknown key (did you mean "
              "'rows_per_block'?)\n"
              "t.yaml:4:43: layers[0].mapping.k_chunk: expected an integer in [1, 268435456], "
              "found '0'\n"
              "t.yaml:4:56: layers[0].mapping.dataflow: expected ws or os, found 'wss' (did you "
              "mean 'ws'?)\n"
              "t.yaml:5:28: layers[1].mapping: key does not apply to op softmax\n"
              "t.yaml:6:60: layers[2].mapping: expected a map {rows_per_block, k_chunk, "
              "dataflow, order}, found '4'\n"
              "t.yaml:7:81: layers[3].mapping.tile: unknown key; expected one of: rows_per_block, "
              "k_chunk, dataflow, order\n"
              "t.yaml:7:77: layers[3].mapping.rows_per_block: expected an integer in [1, 65536], "
              "found '-1'\n"
              "t.yaml:8:68: layers[4].mapping.order: expected m, n or k, found 'kk' (did you mean "
              "'k'?)");
}

// ---- loading without data ----------------------------------------------------------------------

// Everything but the data (and auto calibration) equals a full load.
void expect_same_but_data(const Workload& full, const Workload& timing) {
    EXPECT_EQ(timing.name, full.name);
    ASSERT_EQ(timing.inputs.size(), full.inputs.size());
    for (size_t j = 0; j < full.inputs.size(); ++j) {
        EXPECT_EQ(timing.inputs[j].shape, full.inputs[j].shape);
        EXPECT_TRUE(timing.inputs[j].quant == full.inputs[j].quant);
    }
    ASSERT_EQ(timing.input_data.size(), full.input_data.size());
    for (const auto& d : timing.input_data) EXPECT_TRUE(d.empty());
    EXPECT_TRUE(timing.input.empty());
    EXPECT_EQ(macs_of(timing), macs_of(full));
    ASSERT_EQ(timing.layers.size(), full.layers.size());
    for (size_t i = 0; i < full.layers.size(); ++i) {
        const Layer& a = full.layers[i];
        const Layer& b = timing.layers[i];
        SCOPED_TRACE(a.name);
        EXPECT_EQ(b.kind, a.kind);
        EXPECT_EQ(b.inputs, a.inputs);
        EXPECT_EQ(b.out_shape, a.out_shape);
        EXPECT_EQ(b.shape_string(), a.shape_string());
        EXPECT_EQ(std::vector<int>({b.in_h, b.in_w, b.in_c, b.out_c, b.kernel_h, b.kernel_w,
                                    b.stride_h, b.stride_w, b.dilation_h, b.dilation_w, b.pad_top,
                                    b.pad_bottom, b.pad_left, b.pad_right, b.groups, b.heads}),
                  std::vector<int>({a.in_h, a.in_w, a.in_c, a.out_c, a.kernel_h, a.kernel_w,
                                    a.stride_h, a.stride_w, a.dilation_h, a.dilation_w, a.pad_top,
                                    a.pad_bottom, a.pad_left, a.pad_right, a.groups, a.heads}));
        EXPECT_EQ(std::vector<int64_t>({b.mm_m, b.mm_k, b.mm_n}),
                  std::vector<int64_t>({a.mm_m, a.mm_k, a.mm_n}));
        EXPECT_EQ(b.weight_scale, a.weight_scale);
        EXPECT_EQ(b.requant.multiplier.size(), a.requant.multiplier.size());
        EXPECT_EQ(b.requant.shift.size(), a.requant.shift.size());
        EXPECT_EQ(b.lut.size(), a.lut.size());
        EXPECT_TRUE(b.weights.empty());
        EXPECT_TRUE(b.bias.empty());
        EXPECT_TRUE(b.gamma.empty());
        EXPECT_TRUE(b.beta.empty());
        EXPECT_EQ(b.output_elems(), a.output_elems());
    }
    ASSERT_EQ(timing.layer_outputs.size(), full.layer_outputs.size());
    for (size_t i = 0; i < full.layer_outputs.size(); ++i) {
        EXPECT_EQ(timing.layer_outputs[i].name, full.layer_outputs[i].name);
        EXPECT_EQ(timing.layer_outputs[i].shape, full.layer_outputs[i].shape);
    }
}

TEST(GraphNoData, ResNet50KeepsEverythingButTheData) {
    LoadOptions no_data;
    no_data.with_data = false;
    const Workload full = load_file(workload_path("resnet50.yaml"));
    const Workload timing = load_file(workload_path("resnet50.yaml"), no_data);
    expect_same_but_data(full, timing);
    // Every scale in resnet50.yaml is explicit, so the requantization is identical too.
    for (size_t i = 0; i < full.layers.size(); ++i) {
        EXPECT_TRUE(timing.layers[i].output == full.layers[i].output) << full.layers[i].name;
        EXPECT_EQ(timing.layers[i].requant.multiplier, full.layers[i].requant.multiplier);
        EXPECT_EQ(timing.layers[i].requant.shift, full.layers[i].requant.shift);
    }
    EXPECT_FALSE(full.layers[0].weights.empty());  // the full load does draw them
}

TEST(GraphNoData, TinyAttentionAutoScalesBecomeOne) {
    LoadOptions no_data;
    no_data.with_data = false;
    const Workload full = load_file(workload_path("tiny_attention.yaml"));
    const Workload timing = load_file(workload_path("tiny_attention.yaml"), no_data);
    expect_same_but_data(full, timing);
    bool any_layernorm = false;
    for (const Layer& l : full.layers) any_layernorm |= !l.gamma.empty();
    EXPECT_TRUE(any_layernorm);  // so the empty gamma above is a real difference
    // Auto outputs get scale 1.0 and zero point 0 (no calibration); explicit ones (the 0.05
    // before the concat) are kept, and so are the quantizations pooling/reshape/concat inherit.
    size_t calibrated = 0, explicit_kept = 0;
    for (size_t i = 0; i < timing.layers.size(); ++i) {
        const QuantParams& t = timing.layers[i].output;
        const QuantParams& f = full.layers[i].output;
        if (f.scale == 0.05) {
            EXPECT_TRUE(t == f) << full.layers[i].name;
            ++explicit_kept;
        } else if (t != f) {
            EXPECT_EQ(t.scale, 1.0) << full.layers[i].name;
            EXPECT_EQ(t.zero_point, 0) << full.layers[i].name;
            ++calibrated;
        }
    }
    EXPECT_GE(explicit_kept, 2u);
    EXPECT_GE(calibrated, 10u);
}

}  // namespace
}  // namespace npu::graph

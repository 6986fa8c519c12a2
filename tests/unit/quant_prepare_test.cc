// What the loader leaves pending and npu::quant::prepare computes (sim/quant/prepare.h,
// calibrate.h): the loader draws and quantizes nothing (side files it reads); prepare() draws the
// seeded tensors and quantizes every layer, `auto` outputs calibrated; choose_output's arithmetic;
// the compiler refuses a workload with pending work. (graph_workload_test.cc pins the
// loaded-and-prepared values of every op and error.)
#include <gtest/gtest.h>

#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include "sim/compiler/compiler.h"
#include "sim/config/config_loader.h"
#include "sim/core/npy.h"
#include "sim/graph/workload_loader.h"
#include "sim/quant/calibrate.h"
#include "sim/quant/prepare.h"

namespace npu::quant {
namespace {

using graph::LayerRequest;

const char* const kTwoLayers = R"(
seed: 5
input: {shape: [4, 8], scale: 0.05, zero_point: 2}
layers:
  - {name: g, op: gemm, n: 16, weight_scale: {min: 0.01, max: 0.02}, activation: relu}
  - {name: p, op: gemm, n: 4, weight_scale: 0.01, bias: [1, 2, 3, 4],
     output: {scale: 0.5, zero_point: auto}}
)";

TEST(QuantPrepare, TheLoaderLeavesDataAndQuantizationPending) {
    const graph::Workload w = graph::load_workload_from_string(kTwoLayers, "t.yaml");
    ASSERT_TRUE(w.pending.has_value());
    EXPECT_TRUE(w.pending->with_data);
    EXPECT_TRUE(w.input_data.empty());
    EXPECT_TRUE(w.layers[0].weights.empty());
    EXPECT_TRUE(w.layers[0].weight_scale.empty());  // a {min, max} range: drawn later
    EXPECT_EQ(w.layers[1].weight_scale, std::vector<double>(4, 0.01));  // given
    EXPECT_TRUE(w.layers[0].requant.multiplier.empty());
    ASSERT_EQ(w.pending->layers.size(), 2u);
    const LayerRequest& g = w.pending->layers[0];
    const LayerRequest& p = w.pending->layers[1];
    EXPECT_TRUE(g.w_scale_range);
    EXPECT_EQ(g.w_scale_min, 0.01);
    EXPECT_EQ(g.w_scale_max, 0.02);
    EXPECT_EQ(g.bias, LayerRequest::Bias::kRandom);
    EXPECT_FALSE(g.has_output);
    EXPECT_TRUE(g.out_scale_auto && g.out_zp_auto);
    EXPECT_EQ(g.sources, (std::vector<int>{-1}));  // the declared input
    EXPECT_EQ(p.bias, LayerRequest::Bias::kList);
    EXPECT_EQ(p.bias_list, (std::vector<int32_t>{1, 2, 3, 4}));
    EXPECT_TRUE(p.has_output);
    EXPECT_FALSE(p.out_scale_auto);
    EXPECT_TRUE(p.out_zp_auto);
    EXPECT_EQ(p.out_scale, 0.5);
    EXPECT_EQ(p.sources, (std::vector<int>{0}));
    // Problems found while quantizing p are reported at its output map (line 7, column 14).
    EXPECT_EQ(p.output_at.to_string(), "t.yaml:7:14: layers[1].output: ");
}

TEST(QuantPrepare, PrepareDrawsAndQuantizesEverything) {
    const graph::Workload w = prepare(graph::load_workload_from_string(kTwoLayers, "t.yaml"));
    EXPECT_FALSE(w.pending.has_value());
    ASSERT_EQ(w.input_data.size(), 1u);
    EXPECT_EQ(w.input_data[0], graph::DataGenerator(5, 0).int8s(32, -128, 127));
    EXPECT_EQ(w.input, w.input_data[0]);
    EXPECT_EQ(w.layers[0].weights, graph::DataGenerator(5, 1).int8s(8 * 16, -127, 127));
    EXPECT_EQ(w.layers[0].weight_scale.size(), 16u);
    EXPECT_EQ(w.layers[1].bias, (std::vector<int32_t>{1, 2, 3, 4}));
    for (const graph::Layer& l : w.layers) {
        EXPECT_EQ(l.requant.multiplier.size(), size_t(l.out_c)) << l.name;
        EXPECT_EQ(l.input_quant.size(), 1u) << l.name;
    }
    EXPECT_EQ(w.layers[1].input, w.layers[0].output);
    EXPECT_EQ(w.layers[1].output.scale, 0.5);
    ASSERT_EQ(w.layer_outputs.size(), 2u);
    EXPECT_EQ(w.layer_outputs[1].quant, w.layers[1].output);
    // Nothing pending: prepare() changes nothing.
    const graph::Workload again = prepare(w);
    EXPECT_EQ(again.layers[0].weights, w.layers[0].weights);
    EXPECT_EQ(again.layers[1].output, w.layers[1].output);
}

// The weights are drawn on several threads, largest first: each layer's still come from its own
// stream (3i + 1), whichever thread drew them.
TEST(QuantPrepare, EveryLayersWeightsComeFromItsOwnStream) {
    const graph::Workload w = prepare(
        graph::load_workload(std::string(NPUSIM_SOURCE_DIR) + "/workloads/tiny_resnet.yaml"));
    size_t weighted = 0;
    for (size_t i = 0; i < w.layers.size(); ++i) {
        const graph::Layer& l = w.layers[i];
        if (l.kind != graph::OpKind::kConv2d && l.kind != graph::OpKind::kGemm) continue;
        ++weighted;
        EXPECT_EQ(l.weights, graph::DataGenerator(w.seed, 3 * i + 1)
                                 .int8s(static_cast<size_t>(l.reduction() * l.out_c), -127, 127))
            << l.name;
    }
    EXPECT_GE(weighted, 8u);
}

TEST(QuantPrepare, WithoutDataOnlyTheWeightScalesAreDrawn) {
    graph::LoadOptions no_data;
    no_data.with_data = false;
    const graph::Workload w =
        prepare(graph::load_workload_from_string(kTwoLayers, "t.yaml", no_data));
    EXPECT_EQ(w.input_data, std::vector<std::vector<int8_t>>(1));
    EXPECT_TRUE(w.layers[0].weights.empty());
    EXPECT_TRUE(w.layers[1].bias.empty());
    EXPECT_EQ(w.layers[0].weight_scale.size(), 16u);
    // g's auto output is not calibrated: scale 1, zero point 0.
    EXPECT_EQ(w.layers[0].output, (graph::QuantParams{1.0, 0}));
}

// Side files (an import's weights, bias, gamma) are parsing: the loader reads them (with data) and
// prepare() draws only the rest; a uint8 view marks the output after it is quantized.
TEST(QuantPrepare, SideFilesAreReadByTheLoaderAndNotDrawn) {
    const char* const yaml = R"(
seed: 3
input: {shape: [4, 8], scale: 0.05, zero_point: 2}
layers:
  - {name: g, op: gemm, n: 16, weight_scale: 0.01, weights: {file: w.npy}, bias: {file: b.npy},
     output: {scale: 0.1, zero_point: 1}, views: [{name: g_u8, type: uint8, shape: [4, 16]}]}
  - {name: n, op: layernorm, gamma: {file: gm.npy}, output: {scale: 0.1, zero_point: 0}}
)";
    std::vector<int8_t> weights(16 * 8);
    for (size_t i = 0; i < weights.size(); ++i) weights[i] = static_cast<int8_t>(i % 200 - 100);
    const std::vector<int32_t> bias = {5,  -6,  7,  -8,  9,  -10, 11, -12,
                                       13, -14, 15, -16, 17, -18, 19, -20};
    std::vector<float> gamma(16);
    for (size_t i = 0; i < gamma.size(); ++i) gamma[i] = 0.25f * static_cast<float>(i);
    const std::map<std::string, npy::Array> files = {{"w.npy", npy::from_int8(weights, {16, 8})},
                                                     {"b.npy", npy::from_int32(bias, {16})},
                                                     {"gm.npy", npy::from_float32(gamma, {16})}};
    graph::LoadOptions lo;
    lo.files = &files;
    const graph::Workload loaded = graph::load_workload_from_string(yaml, "t.yaml", lo);
    ASSERT_TRUE(loaded.pending.has_value());
    const LayerRequest& g = loaded.pending->layers[0];
    const LayerRequest& n = loaded.pending->layers[1];
    EXPECT_TRUE(g.weights_given);
    EXPECT_EQ(g.bias, LayerRequest::Bias::kFile);
    EXPECT_TRUE(g.uint8_origin);
    EXPECT_FALSE(n.uint8_origin);
    EXPECT_TRUE(n.gamma_given);
    EXPECT_FALSE(n.beta_given);
    EXPECT_EQ(loaded.layers[0].weights, weights);
    EXPECT_EQ(loaded.layers[0].bias, bias);
    EXPECT_EQ(loaded.layers[1].gamma, gamma);
    EXPECT_TRUE(loaded.layers[1].beta.empty());  // drawn by prepare()
    EXPECT_FALSE(loaded.layers[0].output.uint8_origin);

    const graph::Workload w = prepare(loaded);
    EXPECT_EQ(w.layers[0].weights, weights);
    EXPECT_EQ(w.layers[0].bias, bias);
    EXPECT_EQ(w.layers[1].gamma, gamma);
    // beta from layer 1's bias stream (3 * 1 + 2), uniform in [-0.5, 0.5).
    graph::DataGenerator beta_gen(3, 5);
    ASSERT_EQ(w.layers[1].beta.size(), 16u);
    for (float b : w.layers[1].beta)
        EXPECT_EQ(b, static_cast<float>(beta_gen.uniform_unit() - 0.5));
    EXPECT_EQ(w.layers[0].output, (graph::QuantParams{0.1, 1, true}));
    EXPECT_TRUE(w.layers[1].input.uint8_origin);  // g's
    EXPECT_FALSE(w.layers[1].output.uint8_origin);
    EXPECT_FALSE(w.inputs[0].quant.uint8_origin);

    // Timing-only: no side file is read and nothing is drawn.
    lo.with_data = false;
    const graph::Workload t = prepare(graph::load_workload_from_string(yaml, "t.yaml", lo));
    EXPECT_TRUE(t.layers[0].weights.empty());
    EXPECT_TRUE(t.layers[0].bias.empty());
    EXPECT_TRUE(t.layers[1].gamma.empty());
    EXPECT_EQ(t.layers[0].output, (graph::QuantParams{0.1, 1, true}));
}

TEST(QuantPrepare, CompileRefusesPendingWork) {
    const graph::Workload w = graph::load_workload_from_string(kTwoLayers, "t.yaml");
    try {
        (void)compiler::compile(w, cfg::default_hw_config(), {});
        ADD_FAILURE() << "no error";
    } catch (const std::invalid_argument& e) {
        EXPECT_STREQ(e.what(),
                     "compile: workload 't' has pending work (seeded tensors, quantization): run "
                     "npu::quant::prepare first");
    }
}

TEST(QuantCalibrate, ChooseOutput) {
    LayerRequest both;  // scale and zero point auto
    // [-1, 3]: scale 4 / 255, zero point round(-128 + 1 * 255 / 4) = round(-64.25) = -64.
    graph::QuantParams q = choose_output(-1.0, 3.0, both, graph::Activation::kNone, 0, 0);
    EXPECT_EQ(q.scale, 4.0 / 255.0);
    EXPECT_EQ(q.zero_point, -64);
    // relu drops the negative side: [0, 3] -> scale 3 / 255, zero point -128.
    q = choose_output(-1.0, 3.0, both, graph::Activation::kRelu, 0, 0);
    EXPECT_EQ(q.scale, 3.0 / 255.0);
    EXPECT_EQ(q.zero_point, -128);
    // Zero point 10 given: the smallest scale that fits 3 above it (3 / 117) and -1 below it
    // (-1 / -138): 3 / 117.
    LayerRequest zp = both;
    zp.out_zp_auto = false;
    zp.out_zero_point = 10;
    q = choose_output(-1.0, 3.0, zp, graph::Activation::kNone, 0, 0);
    EXPECT_EQ(q.scale, 3.0 / 117.0);
    EXPECT_EQ(q.zero_point, 10);
    // Scale 0.5 given: -1 maps to -128 with zero point round(-128 + 2) = -126.
    LayerRequest scale = both;
    scale.out_scale_auto = false;
    scale.out_scale = 0.5;
    q = choose_output(-1.0, 3.0, scale, graph::Activation::kNone, 0, 0);
    EXPECT_EQ(q.scale, 0.5);
    EXPECT_EQ(q.zero_point, -126);
    // All zero: scale 1.
    EXPECT_EQ(choose_output(0.0, 0.0, both, graph::Activation::kNone, 0, 0).scale, 1.0);
}

}  // namespace
}  // namespace npu::quant

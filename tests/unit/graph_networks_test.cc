// The bundled networks (workloads/*.yaml, written by scripts/gen_networks.py) load, with the
// layer counts, MAC totals and output shapes of their public definitions. The MAC totals are the
// generator's own counts (exact integers, computed from the shapes in Python, independently of
// Layer::macs()) and sit within 1% of the published figures. Loading only: nothing is simulated.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "sim/core/error.h"
#include "sim/graph/workload.h"
#include "sim/graph/workload_loader.h"
#include "sim/quant/prepare.h"

namespace npu::graph {
namespace {

// The networks use the v2 workload format (named tensors, new operators). Until the loader
// speaks it, a v1 loader rejects the op name; only that exact refusal skips, any other error
// fails the tests.
bool loader_has_v2() {
    try {
        (void)load_workload_from_string(
            "input: {shape: [1, 4], scale: 1.0}\nlayers:\n  - {op: softmax}\n", "probe.yaml");
    } catch (const UserError& e) {
        if (std::string(e.what()).find("found 'softmax'") != std::string::npos) return false;
        throw;
    }
    return true;
}

#define REQUIRE_V2_LOADER()                                                           \
    do {                                                                              \
        if (!loader_has_v2()) GTEST_SKIP() << "workload loader v2 not available yet"; \
    } while (0)

// Loaded and prepared (npu::quant::prepare: each layer's input quantization is set there).
Workload load_network(const std::string& file) {
    return quant::prepare(load_workload(std::string(NPUSIM_SOURCE_DIR) + "/workloads/" + file));
}

int64_t total_macs(const Workload& w) {
    int64_t sum = 0;
    for (const auto& l : w.layers) sum += l.macs();
    return sum;
}

std::map<std::string, int> op_counts(const Workload& w) {
    std::map<std::string, int> counts;
    for (const auto& l : w.layers) ++counts[to_string(l.kind)];
    return counts;
}

const Layer& layer(const Workload& w, const std::string& name) {
    for (const auto& l : w.layers) {
        if (l.name == name) return l;
    }
    ADD_FAILURE() << "no layer " << name << " in " << w.name;
    return w.layers.front();
}

double relative_error(int64_t macs, double published) {
    return std::abs(static_cast<double>(macs) - published) / published;
}

// Every layer input names a declared input or an earlier layer's output, and the layer reads it
// with that tensor's quantization. An empty `inputs` is the chain rule: the previous layer's
// output (layer 0: the first declared input).
void expect_wired(const Workload& w) {
    for (size_t j = 0; j < w.layers.size(); ++j) {
        const Layer& l = w.layers[j];
        std::vector<std::string> names = l.inputs;
        if (names.empty()) names.push_back(j == 0 ? w.inputs.at(0).name : w.layers[j - 1].name);
        ASSERT_EQ(names.size(), l.input_quant.size()) << l.name;
        for (size_t i = 0; i < names.size(); ++i) {
            const Tensor* t = w.find_tensor(names[i]);
            ASSERT_NE(t, nullptr) << l.name << " reads " << names[i];
            EXPECT_EQ(t->quant.scale, l.input_quant[i].scale) << l.name;
            EXPECT_EQ(t->quant.zero_point, l.input_quant[i].zero_point) << l.name;
        }
    }
}

TEST(GraphNetworks, ResNet18) {
    REQUIRE_V2_LOADER();
    const Workload w = load_network("resnet18.yaml");
    EXPECT_EQ(w.name, "resnet18");
    // conv1 + 8 blocks x 2 convs + 3 projections = 20 convs; 8 adds; maxpool, avgpool, fc.
    EXPECT_EQ(w.layers.size(), 31u);
    EXPECT_EQ(op_counts(w),
              (std::map<std::string, int>{
                  {"conv2d", 20}, {"maxpool", 1}, {"add", 8}, {"global_avgpool", 1}, {"gemm", 1}}));
    EXPECT_EQ(total_macs(w), 1814073344);  // scripts/gen_networks.py
    EXPECT_LT(relative_error(total_macs(w), 1.814e9), 0.01);
    // conv1: 112*112*64*(7*7*3) = 118,013,952.
    EXPECT_EQ(layer(w, "conv1").macs(), 118013952);
    EXPECT_EQ(layer(w, "conv1").shape_string(), "conv2d 224x224x3 -> 112x112x64 k7x7 s2 p3");
    EXPECT_EQ(layer(w, "maxpool").out_shape, (std::vector<int32_t>{56, 56, 64}));
    // The first block of stage 2 halves the image in its first 3x3 conv and in the projection.
    EXPECT_EQ(layer(w, "layer2_0_conv1").out_shape, (std::vector<int32_t>{28, 28, 128}));
    EXPECT_EQ(layer(w, "layer2_0_downsample").macs(), 28 * 28 * 64 * 128);
    EXPECT_EQ(layer(w, "layer2_0_add").inputs,
              (std::vector<std::string>{"layer2_0_conv2", "layer2_0_downsample"}));
    EXPECT_EQ(layer(w, "layer1_0_add").inputs,
              (std::vector<std::string>{"layer1_0_conv2", "maxpool"}));
    EXPECT_EQ(layer(w, "avgpool").out_shape, (std::vector<int32_t>{1, 1, 512}));
    EXPECT_EQ(layer(w, "fc").macs(), 512 * 1000);
    EXPECT_EQ(w.layers.back().out_shape, (std::vector<int32_t>{1, 1000}));
    expect_wired(w);
}

TEST(GraphNetworks, ResNet50) {
    REQUIRE_V2_LOADER();
    const Workload w = load_network("resnet50.yaml");
    // 16 bottlenecks x 3 convs + 4 projections + conv1 = 53 convs; 16 adds; maxpool, avgpool, fc.
    EXPECT_EQ(w.layers.size(), 72u);
    EXPECT_EQ(
        op_counts(w),
        (std::map<std::string, int>{
            {"conv2d", 53}, {"maxpool", 1}, {"add", 16}, {"global_avgpool", 1}, {"gemm", 1}}));
    EXPECT_EQ(total_macs(w), 4089184256);  // scripts/gen_networks.py
    EXPECT_LT(relative_error(total_macs(w), 4.089e9), 0.01);
    // v1.5: the stride sits on the 3x3 conv; the first 1x1 keeps 56x56.
    EXPECT_EQ(layer(w, "layer2_0_conv1").shape_string(),
              "conv2d 56x56x256 -> 56x56x128 k1x1 s1 p0");
    EXPECT_EQ(layer(w, "layer2_0_conv2").shape_string(),
              "conv2d 56x56x128 -> 28x28x128 k3x3 s2 p1");
    // Stage 1's first block needs a projection too (64 -> 256 channels, stride 1).
    EXPECT_EQ(layer(w, "layer1_0_downsample").macs(), 56 * 56 * 64 * 256);
    EXPECT_EQ(layer(w, "avgpool").out_shape, (std::vector<int32_t>{1, 1, 2048}));
    EXPECT_EQ(layer(w, "fc").macs(), 2048 * 1000);
    EXPECT_EQ(w.layers.back().out_shape, (std::vector<int32_t>{1, 1000}));
    expect_wired(w);
}

TEST(GraphNetworks, MobileNetV2) {
    REQUIRE_V2_LOADER();
    const Workload w = load_network("mobilenet_v2.yaml");
    // features0 + 17 blocks (16 with an expansion: 3 convs, the first without: 2) + features18
    // = 1 + 50 + 1 = 52 convs; 10 residual adds (blocks with stride 1 and equal channels).
    EXPECT_EQ(w.layers.size(), 64u);
    EXPECT_EQ(op_counts(w), (std::map<std::string, int>{
                                {"conv2d", 52}, {"add", 10}, {"global_avgpool", 1}, {"gemm", 1}}));
    EXPECT_EQ(total_macs(w), 300774272);  // scripts/gen_networks.py
    EXPECT_LT(relative_error(total_macs(w), 0.300e9), 0.01);
    int depthwise = 0;
    for (const auto& l : w.layers) {
        if (l.kind == OpKind::kConv2d && l.groups > 1) {
            ++depthwise;
            EXPECT_EQ(l.groups, l.in_c) << l.name;
            EXPECT_EQ(l.out_c, l.in_c) << l.name;
            EXPECT_EQ(l.macs(), l.out_pixels() * 9 * l.out_c) << l.name;
        }
    }
    EXPECT_EQ(depthwise, 17);
    // block2: expand 112x112x16 -> 96, depthwise stride 2 -> 56x56x96 (56*56*96*9 MACs).
    EXPECT_EQ(layer(w, "block2_dw").macs(), 56 * 56 * 96 * 9);
    EXPECT_EQ(layer(w, "block2_dw").activation, Activation::kRelu6);
    EXPECT_EQ(layer(w, "block3_add").inputs,
              (std::vector<std::string>{"block3_project", "block2_project"}));
    EXPECT_EQ(layer(w, "features18").out_shape, (std::vector<int32_t>{7, 7, 1280}));
    EXPECT_EQ(w.layers.back().out_shape, (std::vector<int32_t>{1, 1000}));
    expect_wired(w);
}

TEST(GraphNetworks, BertBaseLayer) {
    REQUIRE_V2_LOADER();
    const Workload w = load_network("bert_base_layer.yaml");
    EXPECT_EQ(w.layers.size(), 14u);
    EXPECT_EQ(op_counts(w), (std::map<std::string, int>{{"gemm", 6},
                                                        {"matmul", 2},
                                                        {"softmax", 1},
                                                        {"add", 2},
                                                        {"layernorm", 2},
                                                        {"gelu", 1}}));
    // S = 128, d = 768, 12 heads of 64, FFN 3072:
    // Q, K, V, O 4*S*d*d = 301,989,888; scores and context 2*12*S*S*64 = 25,165,824;
    // FFN 2*S*d*3072 = 603,979,776; total 931,135,488.
    EXPECT_EQ(total_macs(w), 931135488);
    const Layer& scores = layer(w, "scores");
    EXPECT_EQ(scores.heads, 12);
    EXPECT_TRUE(scores.a_interleaved);
    EXPECT_TRUE(scores.b_interleaved);
    EXPECT_TRUE(scores.transpose_b);
    EXPECT_FALSE(scores.out_interleaved);
    EXPECT_EQ(scores.out_shape, (std::vector<int32_t>{12, 128, 128}));
    EXPECT_EQ(scores.macs(), 12 * 128 * 64 * 128);
    const Layer& context = layer(w, "context");
    EXPECT_FALSE(context.a_interleaved);
    EXPECT_TRUE(context.b_interleaved);
    EXPECT_TRUE(context.out_interleaved);
    EXPECT_EQ(context.out_shape, (std::vector<int32_t>{128, 768}));
    EXPECT_EQ(layer(w, "ffn1").macs(), 128 * 768 * 3072);
    EXPECT_EQ(layer(w, "ffn_residual").inputs, (std::vector<std::string>{"ffn2", "ln1"}));
    EXPECT_EQ(w.layers.back().out_shape, (std::vector<int32_t>{128, 768}));
    expect_wired(w);
}

TEST(GraphNetworks, Llama7bPrefillLayer) {
    REQUIRE_V2_LOADER();
    const Workload w = load_network("llama7b_prefill.yaml");
    EXPECT_EQ(w.layers.size(), 16u);
    EXPECT_EQ(op_counts(w), (std::map<std::string, int>{{"rmsnorm", 2},
                                                        {"gemm", 7},
                                                        {"matmul", 2},
                                                        {"softmax", 1},
                                                        {"add", 2},
                                                        {"silu", 1},
                                                        {"mul", 1}}));
    // S = 512, d = 4096, 32 heads of 128, FFN 11008:
    // Q, K, V, O 4*S*d*d = 34,359,738,368; attention 2*32*S*S*128 = 2,147,483,648;
    // gate, up, down 3*S*d*11008 = 69,256,347,648; total 105,763,569,664.
    EXPECT_EQ(total_macs(w), 105763569664);
    EXPECT_EQ(layer(w, "scores").out_shape, (std::vector<int32_t>{32, 512, 512}));
    EXPECT_EQ(layer(w, "scores").inputs, (std::vector<std::string>{"q", "k"}));
    EXPECT_EQ(layer(w, "gate_up").inputs, (std::vector<std::string>{"gate_silu", "up"}));
    EXPECT_EQ(layer(w, "down").macs(), int64_t{512} * 11008 * 4096);
    EXPECT_EQ(w.layers.back().out_shape, (std::vector<int32_t>{512, 4096}));
    expect_wired(w);
}

TEST(GraphNetworks, Llama7bDecodeLayer) {
    REQUIRE_V2_LOADER();
    const Workload w = load_network("llama7b_decode.yaml");
    ASSERT_EQ(w.inputs.size(), 3u);
    EXPECT_EQ(w.inputs[1].name, "k_cache");
    EXPECT_EQ(w.inputs[1].shape, (std::vector<int32_t>{2048, 4096}));
    EXPECT_EQ(w.inputs[2].name, "v_cache");
    EXPECT_EQ(w.input_data.at(2).size(), 2048u * 4096);
    EXPECT_EQ(w.layers.size(), 16u);
    // One token, a 2048-position cache: Q, K, V, O 4*d*d = 67,108,864 (the new token's K and V
    // are computed); attention 2*32*2048*128 = 16,777,216; FFN 3*d*11008 = 135,266,304;
    // total 219,152,384.
    EXPECT_EQ(total_macs(w), 219152384);
    EXPECT_EQ(layer(w, "scores").inputs, (std::vector<std::string>{"q", "k_cache"}));
    EXPECT_EQ(layer(w, "scores").out_shape, (std::vector<int32_t>{32, 1, 2048}));
    EXPECT_EQ(layer(w, "context").inputs, (std::vector<std::string>{"probs", "v_cache"}));
    EXPECT_EQ(layer(w, "context").out_shape, (std::vector<int32_t>{1, 4096}));
    EXPECT_EQ(w.layers.back().out_shape, (std::vector<int32_t>{1, 4096}));
    expect_wired(w);
}

TEST(GraphNetworks, TinyResNetHasEveryImageOp) {
    REQUIRE_V2_LOADER();
    const Workload w = load_network("tiny_resnet.yaml");
    EXPECT_EQ(op_counts(w), (std::map<std::string, int>{{"conv2d", 8},
                                                        {"maxpool", 1},
                                                        {"add", 2},
                                                        {"avgpool", 1},
                                                        {"global_avgpool", 1},
                                                        {"gemm", 1}}));
    // stem 16*16*16*(9*8) = 294,912; b1 convs 8*8*16*(9*16) = 147,456 each;
    // b2_conv1 4*4*32*(9*16) = 73,728; b2_dw 4*4*32*9 = 4,608; b2_project 16*32*32 = 16,384;
    // b2_downsample 16*32*16 = 8,192; grouped 16*32*(9*8) = 36,864; fc 32*10 = 320.
    std::vector<int64_t> macs;
    for (const auto& l : w.layers) {
        if (l.macs() > 0) macs.push_back(l.macs());
    }
    EXPECT_EQ(macs,
              (std::vector<int64_t>{294912, 147456, 147456, 73728, 4608, 16384, 8192, 36864, 320}));
    EXPECT_EQ(total_macs(w), 729920);
    EXPECT_EQ(layer(w, "b2_dw").groups, 32);
    EXPECT_EQ(layer(w, "grouped").groups, 4);
    // Pooling keeps its input's quantization.
    EXPECT_EQ(layer(w, "pool").output.scale, layer(w, "stem").output.scale);
    EXPECT_EQ(layer(w, "pool").output.zero_point, layer(w, "stem").output.zero_point);
    EXPECT_EQ(w.layers.back().out_shape, (std::vector<int32_t>{1, 10}));
    expect_wired(w);
}

TEST(GraphNetworks, TinyAttentionHasEverySequenceOp) {
    REQUIRE_V2_LOADER();
    const Workload w = load_network("tiny_attention.yaml");
    ASSERT_EQ(w.inputs.size(), 2u);
    EXPECT_EQ(w.inputs[1].name, "ctx");
    EXPECT_EQ(op_counts(w), (std::map<std::string, int>{{"layernorm", 1},
                                                        {"gemm", 9},
                                                        {"matmul", 3},
                                                        {"softmax", 1},
                                                        {"add", 1},
                                                        {"rmsnorm", 1},
                                                        {"silu", 1},
                                                        {"mul", 1},
                                                        {"gelu", 1},
                                                        {"concat", 1},
                                                        {"reshape", 2}}));
    // q 8*32*32 = 8,192; k, v 12*32*32 = 12,288 each; scores 2*8*16*12 = 3,072;
    // context 2*8*12*16 = 3,072; attn_out 8,192; gate, up 8*32*48 = 12,288 each;
    // down 8*48*32 = 12,288; head_a, head_b 8*32*16 = 4,096 each; gram 2*8*16*8 = 2,048.
    EXPECT_EQ(total_macs(w), 94208);
    EXPECT_EQ(layer(w, "scores").out_shape, (std::vector<int32_t>{2, 8, 12}));
    EXPECT_EQ(layer(w, "context").out_shape, (std::vector<int32_t>{8, 32}));
    EXPECT_EQ(layer(w, "heads").out_shape, (std::vector<int32_t>{8, 32}));
    EXPECT_EQ(layer(w, "split").out_shape, (std::vector<int32_t>{2, 8, 16}));
    EXPECT_EQ(layer(w, "gram").out_shape, (std::vector<int32_t>{2, 8, 8}));
    EXPECT_TRUE(layer(w, "gram").transpose_b);
    EXPECT_EQ(layer(w, "gelu").lut.size(), 256u);
    EXPECT_EQ(layer(w, "norm").gamma.size(), 32u);
    EXPECT_EQ(w.layers.back().out_shape, (std::vector<int32_t>{1, 128}));
    expect_wired(w);
}

}  // namespace
}  // namespace npu::graph

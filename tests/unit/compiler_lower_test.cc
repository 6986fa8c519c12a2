// Lowering alone (sim/compiler/lower.h): the regions in allocation order with their sizes, which
// regions each layer reads and writes (reshape views resolved), each layer's class and
// descriptor constants, a matmul's per-head GEMM, and the precision problems it records.
// Fusion grouping alone (sim/compiler/fusion.h).
#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <vector>

#include "sim/compiler/fusion.h"
#include "sim/compiler/lower.h"
#include "tests/unit/compiler_test_util.h"

namespace npu::compiler {
namespace {

using test::workload;
using Kind = Region::Kind;

TEST(CompilerLower, RegionsInAllocationOrder) {
    const graph::Workload wl = workload(test::kGraph);
    const Lowered lo = lower(wl, cfg::default_hw_config());
    EXPECT_EQ(lo.source_file, "w.yaml");
    // x, y: 4 * 8 int8; g: weights K * N = 8 * 16, bias 16 * 4, output 4 * 16; r: a view (no
    // region); s: 4 * 16; a: 4 * 8; c: 4 * (16 + 8).
    const std::vector<std::pair<Kind, uint64_t>> expect = {
        {Kind::kInput, 32},  {Kind::kInput, 32},  {Kind::kWeights, 128}, {Kind::kBias, 64},
        {Kind::kOutput, 64}, {Kind::kOutput, 64}, {Kind::kOutput, 32},   {Kind::kOutput, 96}};
    ASSERT_EQ(lo.regions.size(), expect.size());
    for (size_t r = 0; r < expect.size(); ++r) {
        EXPECT_EQ(lo.regions[r].kind, expect[r].first) << r;
        EXPECT_EQ(lo.regions[r].bytes, expect[r].second) << r;
    }
    EXPECT_EQ(lo.regions[1].index, 1u);  // the second declared input
    EXPECT_EQ(lo.regions[5].layer, 2u);  // s's output
}

TEST(CompilerLower, EachLayerReadsAndWritesItsRegions) {
    const graph::Workload wl = workload(test::kGraph);
    const Lowered lo = lower(wl, cfg::default_hw_config());
    ASSERT_EQ(lo.layers.size(), 5u);
    const LoweredLayer &g = lo.layers[0], &r = lo.layers[1], &s = lo.layers[2], &a = lo.layers[3],
                       &c = lo.layers[4];
    EXPECT_EQ(g.cls, LayerClass::kArray);
    EXPECT_EQ(r.cls, LayerClass::kView);
    EXPECT_EQ(s.cls, LayerClass::kRows);
    EXPECT_EQ(a.cls, LayerClass::kElementwise);
    EXPECT_EQ(c.cls, LayerClass::kRows);
    EXPECT_EQ(g.input_regions, (std::vector<uint32_t>{0}));
    EXPECT_EQ(g.weight_region, 2u);
    EXPECT_EQ(g.bias_region, 3u);
    EXPECT_EQ(g.output_region, 4u);
    // The reshape is a view of g's output: it writes nothing new and s reads g's region.
    EXPECT_EQ(r.input_regions, (std::vector<uint32_t>{4}));
    EXPECT_EQ(r.output_region, 4u);
    EXPECT_EQ(r.weight_region, kNoRegion);
    EXPECT_EQ(s.inputs, (std::vector<std::string>{"r"}));  // the chain rule
    EXPECT_EQ(s.input_regions, (std::vector<uint32_t>{4}));
    EXPECT_EQ(a.input_regions, (std::vector<uint32_t>{0, 1}));
    EXPECT_EQ(c.input_regions, (std::vector<uint32_t>{5, 6}));
    EXPECT_EQ(c.concat_lens, (std::vector<int64_t>{16, 8}));
    // gemm: M = 4, K = 8, N = 16 as a 1x1 conv over a 4x1 image.
    EXPECT_EQ(g.K, 8u);
    EXPECT_EQ(g.N, 16u);
    EXPECT_EQ(g.desc.in_h, 4);
    EXPECT_EQ(g.desc.in_c, 8);
    EXPECT_EQ(g.desc.out_c, 16);
    EXPECT_EQ(g.desc.macs, 4u * 8 * 16);
    EXPECT_EQ(g.desc.output_bytes, 64u);
    EXPECT_EQ(&g.gemm(), g.layer);  // a gemm maps itself
    // Addresses, mapping text and residency are left to later passes.
    EXPECT_EQ(g.desc.output_addr, 0u);
    EXPECT_EQ(g.desc.mapping, "");
    EXPECT_EQ(g.desc.residency, "dram");
    for (const LoweredLayer& x : lo.layers) EXPECT_TRUE(x.problems.empty());
}

TEST(CompilerLower, MatmulMapsOneHeadsGemmAndHasAZeroBiasRegion) {
    const graph::Workload wl = workload(R"(
inputs:
  - {name: q, shape: [8, 32], scale: 0.05, zero_point: 3}
  - {name: k, shape: [12, 32], scale: 0.04, zero_point: -2}
layers:
  - {name: s, op: matmul, inputs: [q, k], heads: 2, a_layout: interleaved,
     b_layout: interleaved, transpose_b: true, output: {scale: 1.0}, mapping: {rows_per_block: 4}}
)");
    const Lowered lo = lower(wl, cfg::default_hw_config());
    const LoweredLayer& s = lo.layers[0];
    EXPECT_EQ(s.cls, LayerClass::kArray);
    // 2 heads of [8 x 16] x [16 x 12]: the head GEMM is M = 8, K = 16, N = 12 with the pins.
    const graph::Layer& h = s.gemm();
    EXPECT_EQ(&h, &s.head);
    EXPECT_EQ(h.kind, graph::OpKind::kGemm);
    EXPECT_EQ(h.in_h, 8);
    EXPECT_EQ(h.in_c, 16);
    EXPECT_EQ(h.out_c, 12);
    EXPECT_EQ(h.pin_rows, 4);
    EXPECT_EQ(s.desc.in_h, 8);
    EXPECT_EQ(s.desc.in_c, 16);
    EXPECT_EQ(s.desc.out_c, 12);
    EXPECT_EQ(s.desc.a_zero_point, 3);
    EXPECT_EQ(s.desc.b_zero_point, -2);
    EXPECT_EQ(s.desc.in_zero_point, 3);
    // Regions: q, k, the zero bias (N = 12 int32), the output (8 x 2 * 12).
    ASSERT_EQ(lo.regions.size(), 4u);
    EXPECT_EQ(lo.regions[2].kind, Kind::kBias);
    EXPECT_EQ(lo.regions[2].bytes, 48u);
    EXPECT_EQ(lo.regions[3].bytes, 192u);
    EXPECT_EQ(s.weight_region, kNoRegion);
    EXPECT_EQ(s.input_regions, (std::vector<uint32_t>{0, 1}));
}

TEST(CompilerLower, InputsTakeTheirFirstReadersFormat) {
    // An fp32 first layer stores the network input in fp32: 4 * 8 * 4 bytes.
    const graph::Workload wl = workload(R"(
input: {shape: [4, 8], scale: 0.05}
layers:
  - {name: g, op: gemm, n: 16, weight_scale: 0.01, output: {scale: 1.0}, precision: fp32}
)");
    const Lowered lo = lower(wl, cfg::default_hw_config());
    EXPECT_EQ(lo.regions[0].precision, Precision::kFp32);
    EXPECT_EQ(lo.regions[0].bytes, 128u);
    EXPECT_EQ(lo.layers[0].ab, 4u);
    EXPECT_EQ(lo.layers[0].desc.precision, Precision::kFp32);
}

TEST(CompilerLower, RecordsPrecisionProblemsAndKeepsGoing) {
    // h runs at fp32 but reads g's int8 output; with int4 unsupported by the array, g is a
    // problem too. Both are recorded, neither throws.
    const graph::Workload wl = workload(R"(
input: {shape: [4, 8], scale: 0.05}
layers:
  - {name: g, op: gemm, n: 16, weight_scale: 0.01, output: {scale: 1.0}, precision: int4}
  - {name: h, op: gemm, n: 16, weight_scale: 0.01, output: {scale: 1.0}, precision: fp32}
)");
    const Lowered lo = lower(wl, test::hw_with({"array.cycles_per_mac.int4=0"}));
    ASSERT_EQ(lo.layers[0].problems.size(), 1u);
    EXPECT_EQ(lo.layers[0].problems[0].to_string(),
              "w.yaml:4:5: layers[0]: layer 'g' runs at int4 but the array has no int4 mode: "
              "array.cycles_per_mac.int4 = 0 (--set)");
    EXPECT_EQ(lo.layers[0].desc.cycles_per_mac, 1);
    ASSERT_EQ(lo.layers[1].problems.size(), 1u);
    EXPECT_EQ(
        lo.layers[1].problems[0].to_string(),
        "w.yaml:5:5: layers[1]: layer 'h' runs at fp32 (4-byte activations) but its input 'g' "
        "is stored with 1-byte elements; there is no conversion unit: give the layers that "
        "share a tensor precisions of one activation width");
}

TEST(CompilerFusion, EveryLayerIsItsOwnGroup) {
    const graph::Workload wl = workload(test::kGraph);
    const Lowered lo = lower(wl, cfg::default_hw_config());
    const std::vector<FusionGroup> groups = group_layers(lo);
    ASSERT_EQ(groups.size(), 5u);
    for (size_t i = 0; i < groups.size(); ++i) {
        EXPECT_EQ(groups[i].first, i);
        EXPECT_EQ(groups[i].last, i);
        EXPECT_TRUE(groups[i].intermediates.empty());
    }
    EXPECT_NO_THROW(check_groups(groups, 5));
}

TEST(CompilerFusion, CheckGroupsRejectsGapsOverlapsAndBadIntermediates) {
    const auto message = [](const std::vector<FusionGroup>& g, size_t n) -> std::string {
        try {
            check_groups(g, n);
        } catch (const std::invalid_argument& e) {
            return e.what();
        }
        return "<no error>";
    };
    EXPECT_EQ(message({{0, 1, {0}}, {2, 3, {2}}}, 4), "<no error>");
    EXPECT_EQ(message({{0, 1, {}}, {3, 3, {}}}, 4),
              "fusion group 1 covers layers [3, 3], expected a run starting at layer 2");
    EXPECT_EQ(message({{0, 2, {2}}}, 3),
              "fusion group 0 names layer 2 as an intermediate, expected one of layers [0, 2)");
    EXPECT_EQ(message({{0, 1, {}}}, 3), "fusion groups cover 2 of 3 layers");
}

}  // namespace
}  // namespace npu::compiler

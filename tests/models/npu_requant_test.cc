// postproc.requant: float32 (ONNX Runtime's MLAS formulas) through the whole NPU: every operator
// of the test networks runs bit-exactly against the reference executor in float32 mode, with the
// closed-form and the PE-level array alike, on several array shapes and both dataflows; the mode
// changes bytes (the reference's two modes differ on these networks) but never cycles.
#include <gtest/gtest.h>

#include <string>
#include <systemc>

#include "sim/config/config_loader.h"
#include "sim/graph/float32_requant.h"
#include "sim/graph/workload_loader.h"
#include "sim/quant/prepare.h"
#include "sim/quant/ptq.h"
#include "sim/ref/reference.h"
#include "sim/run/simulation.h"
#include "tests/models/bundled.h"

namespace npu {
namespace {

using test_support::bundled;

struct Case {
    const char* workload;
    const char* dataflow;
    const char* pipelining;
    int rows, cols;
};

class NpuRequantF32 : public ::testing::TestWithParam<Case> {};

TEST_P(NpuRequantF32, BitExactWithBothFidelitiesAndTheSameCyclesAsFixedPoint) {
    const Case c = GetParam();
    cfg::HwConfig hw = cfg::default_hw_config();
    cfg::apply_overrides(
        hw, {"array.rows=" + std::to_string(c.rows), "array.cols=" + std::to_string(c.cols),
             std::string("array.dataflow=") + c.dataflow,
             std::string("array.pipelining=") + c.pipelining});
    const graph::Workload wl = bundled(c.workload);
    const run::RunResult fixed = run::simulate(hw, wl, {});
    cfg::apply_overrides(hw, {"postproc.requant=float32"});
    const run::RunResult fast = run::simulate(hw, wl, {});
    run::RunOptions po;
    po.fidelity = model::Fidelity::kPe;
    const run::RunResult pe = run::simulate(hw, wl, po);

    ASSERT_EQ(fast.stats.layers.size(), wl.layers.size());
    for (const auto& l : fast.stats.layers) {
        EXPECT_TRUE(l.checked) << l.name;
        EXPECT_TRUE(l.bit_exact) << l.name << " (" << l.op << "): " << l.mismatches;
    }
    // The simulation checked against the float32 reference; check it here directly too.
    EXPECT_EQ(fast.outputs, ref::run_workload(wl, hw.postproc.rounding, RequantMode::kFloat32));
    EXPECT_EQ(fast.outputs, pe.outputs);
    EXPECT_EQ(fast.stats.total_cycles, pe.stats.total_cycles);
    EXPECT_EQ(fast.stats.total_cycles, fixed.stats.total_cycles);
    for (size_t i = 0; i < fast.stats.layers.size(); ++i) {
        EXPECT_EQ(fast.stats.layers[i].end_cycle, pe.stats.layers[i].end_cycle);
        EXPECT_EQ(fast.stats.layers[i].end_cycle, fixed.stats.layers[i].end_cycle);
    }
}

INSTANTIATE_TEST_SUITE_P(Nets, NpuRequantF32,
                         ::testing::Values(Case{"tiny_resnet", "ws", "overlap", 16, 16},
                                           Case{"tiny_resnet", "os", "none", 8, 4},
                                           Case{"tiny_attention", "ws", "none", 8, 8},
                                           Case{"tiny_attention", "os", "overlap", 4, 8}));

// The two modes are different arithmetic: on the test networks the float32 reference differs
// from the fixed-point one in some bytes, so the comparisons above can fail.
TEST(NpuRequantF32Ref, TheModesDifferOnTheTestNetworks) {
    size_t differing = 0;
    for (const char* w : {"tiny_resnet", "tiny_attention"}) {
        const graph::Workload wl = bundled(w);
        const auto a = ref::run_workload(wl, Rounding::kHalfEven);
        const auto b = ref::run_workload(wl, Rounding::kHalfEven, RequantMode::kFloat32);
        ASSERT_EQ(a.size(), b.size());
        for (size_t i = 0; i < a.size(); ++i) {
            ASSERT_EQ(a[i].size(), b[i].size());
            for (size_t e = 0; e < a[i].size(); ++e) differing += a[i][e] != b[i][e];
        }
    }
    EXPECT_GT(differing, 0u);
}

// mul and average pooling with a uint8-origin output (the PPU adds the uint8 zero point in float),
// a padded avgpool (QLinearAveragePool's float mean) and a whole-input avgpool (its fallback to
// QLinearGlobalAveragePool), negative zero points, through the NPU in both fidelities.
TEST(NpuRequantF32Ops, PoolingAndMulWithUint8OriginOutputs) {
    graph::Workload wl = quant::prepare(graph::load_workload_from_string(R"(
name: pools
seed: 11
inputs:
  - {name: x, shape: [6, 5, 8], scale: 0.037, zero_point: -9}
  - {name: y, shape: [6, 5, 8], scale: 0.021, zero_point: 14}
layers:
  - {name: prod, op: mul, inputs: [x, y], output: {scale: 0.0119, zero_point: -3}}
  - {name: pad, op: avgpool, inputs: [prod], kernel: 3, stride: 2, padding: 1,
     output: {scale: 0.0093, zero_point: 5}}
  - {name: whole, op: avgpool, inputs: [x], kernel: [6, 5], stride: 1,
     output: {scale: 0.011, zero_point: -7}}
  - {name: gap, op: global_avgpool, inputs: [y], output: {scale: 0.017, zero_point: 2}}
)",
                                                                         "pools.yaml"));
    for (const char* name : {"prod", "pad"}) {
        for (size_t i = 0; i < wl.layers.size(); ++i) {
            if (wl.layers[i].name != name) continue;
            wl.layers[i].output.uint8_origin = true;
            wl.layer_outputs[i].quant.uint8_origin = true;
            for (graph::Layer& reader : wl.layers) {
                for (size_t k = 0; k < reader.inputs.size(); ++k) {
                    if (reader.inputs[k] != name) continue;
                    reader.input_quant[k].uint8_origin = true;
                    if (k == 0) reader.input.uint8_origin = true;
                }
            }
        }
    }
    EXPECT_EQ(graph::f32_requant(wl.layers[0]).formula, F32Formula::kMul);
    EXPECT_EQ(graph::f32_requant(wl.layers[0]).zp_offset, 128);
    EXPECT_EQ(graph::f32_requant(wl.layers[1]).formula, F32Formula::kAvgPool);
    EXPECT_EQ(graph::f32_requant(wl.layers[2]).formula, F32Formula::kScale);  // global fallback
    EXPECT_EQ(graph::f32_requant(wl.layers[2]).scale[0],
              f32_global_avgpool_scale(0.037, 0.011, 30));
    EXPECT_EQ(graph::f32_requant(wl.layers[3]).formula, F32Formula::kScale);

    cfg::HwConfig hw = cfg::default_hw_config();
    cfg::apply_overrides(hw, {"postproc.requant=float32", "postproc.lanes=4"});
    const run::RunResult fast = run::simulate(hw, wl, {});
    run::RunOptions po;
    po.fidelity = model::Fidelity::kPe;
    const run::RunResult pe = run::simulate(hw, wl, po);
    for (const auto& l : fast.stats.layers) {
        EXPECT_TRUE(l.checked) << l.name;
        EXPECT_TRUE(l.bit_exact) << l.name << ": " << l.mismatches;
    }
    EXPECT_EQ(fast.outputs, pe.outputs);
    EXPECT_EQ(fast.outputs, ref::run_workload(wl, Rounding::kHalfEven, RequantMode::kFloat32));
}

}  // namespace
}  // namespace npu

// A batch through the NPU: every image of a batched run is bit-exact against the reference (each
// image computed alone), image 0 equals a batch-1 run, the PE-level array gives the same cycles,
// and the batch reuses the weights: batch N takes at most N times batch 1's cycles and reads the
// weights from DRAM fewer times.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <systemc>
#include <vector>

#include "sim/compiler/compiler.h"
#include "sim/config/config_loader.h"
#include "sim/core/npy.h"
#include "sim/frontend/frontend.h"
#include "sim/frontend/tensor_io.h"
#include "sim/quant/prepare.h"
#include "sim/quant/ptq.h"
#include "sim/report/figures.h"
#include "sim/run/simulation.h"
#include "tests/models/bundled.h"

namespace npu {
namespace {

using test_support::bundled;

// The DRAM bytes the program's LOADs read from conv2d/gemm weights (each layer's weight range,
// [weight_addr, bias_addr): the weights region is allocated right before its bias).
uint64_t weight_bytes_loaded(const isa::Program& p) {
    uint64_t bytes = 0;
    for (const isa::Instr& in : p.instrs) {
        if (in.op != isa::Opcode::kLoad) continue;
        const isa::LayerDesc& d = p.layers.at(in.layer);
        if (d.op != "conv2d" && d.op != "gemm") continue;
        const isa::Transfer& x = p.xfer(in);
        if (x.dram_addr >= d.weight_addr && x.dram_addr < d.bias_addr) bytes += x.bytes();
    }
    return bytes;
}

struct BatchCase {
    const char* workload;
    const char* dataflow;
    int rows, cols;
};

class NpuBatch : public ::testing::TestWithParam<BatchCase> {};

TEST_P(NpuBatch, EveryImageBitExactAndImageZeroIsTheBatchOneRun) {
    const BatchCase c = GetParam();
    cfg::HwConfig hw = cfg::default_hw_config();
    cfg::apply_overrides(
        hw, {"array.rows=" + std::to_string(c.rows), "array.cols=" + std::to_string(c.cols),
             std::string("array.dataflow=") + c.dataflow});
    const run::RunResult one = run::simulate(hw, bundled(c.workload, 1), {});
    const run::RunResult four = run::simulate(hw, bundled(c.workload, 4), {});
    ASSERT_EQ(four.stats.batch, 4);
    ASSERT_EQ(four.outputs.size(), one.outputs.size());
    for (size_t i = 0; i < four.stats.layers.size(); ++i) {
        const auto& l = four.stats.layers[i];
        EXPECT_TRUE(l.checked) << l.name;
        EXPECT_TRUE(l.bit_exact) << l.name << " (" << l.op << "): " << l.mismatches
                                 << " mismatches";
        EXPECT_EQ(l.counters.macs, l.macs_total) << l.name;
        EXPECT_EQ(l.macs_total, 4 * one.stats.layers[i].macs_total) << l.name;
        // Four images' outputs; the first is the batch-1 run's, the second another one.
        const std::vector<int8_t>& all = four.outputs[i];
        const std::vector<int8_t>& first = one.outputs[i];
        ASSERT_EQ(all.size(), 4 * first.size()) << l.name;
        EXPECT_TRUE(std::equal(first.begin(), first.end(), all.begin())) << l.name;
        EXPECT_FALSE(std::equal(first.begin(), first.end(), all.begin() + first.size())) << l.name;
    }
    // The batch never takes longer than its images one after the other.
    EXPECT_LE(four.stats.total_cycles, 4 * one.stats.total_cycles);
}

INSTANTIATE_TEST_SUITE_P(Nets, NpuBatch,
                         ::testing::Values(BatchCase{"tiny_resnet", "ws", 16, 16},
                                           BatchCase{"tiny_resnet", "os", 8, 8},
                                           BatchCase{"tiny_attention", "ws", 16, 16},
                                           BatchCase{"mobilenet_v2", "ws", 16, 16}),
                         [](const ::testing::TestParamInfo<BatchCase>& p) {
                             return std::string(p.param.workload) + "_" + p.param.dataflow;
                         });

// Cycle accuracy holds for batched programs: the PE-level array gives the same cycles.
TEST(NpuBatch, PeLevelArrayEqualsFastOnABatch) {
    cfg::HwConfig hw = cfg::default_hw_config();
    cfg::apply_overrides(hw, {"array.rows=8", "array.cols=8"});
    const graph::Workload wl = bundled("tiny_resnet", 2);
    const run::RunResult fast = run::simulate(hw, wl, {});
    run::RunOptions po;
    po.fidelity = model::Fidelity::kPe;
    const run::RunResult pe = run::simulate(hw, wl, po);
    EXPECT_EQ(fast.outputs, pe.outputs);
    EXPECT_EQ(fast.stats.total_cycles, pe.stats.total_cycles);
}

// ResNet-18 on the TPU v1 config (timing only): weight-bound at batch 1. A batch of 8 reads the
// weights from DRAM fewer than 8 times as often, and finishes in less than 8 times batch 1's
// cycles.
TEST(NpuBatch, ABatchReusesTheWeights) {
    const cfg::HwConfig hw =
        cfg::load_hw_config(std::string(NPUSIM_SOURCE_DIR) + "/configs/tpu_v1.yaml", {});
    graph::LoadOptions lo;
    lo.with_data = false;
    const auto load = [&](int32_t batch) {
        graph::Workload wl = quant::load_and_quantize(
            std::string(NPUSIM_SOURCE_DIR) + "/workloads/resnet18.yaml", lo);
        quant::set_batch(wl, batch);
        return wl;
    };
    compiler::CompileOptions co;
    co.with_data = false;
    const isa::Program p1 = compiler::compile(load(1), hw, co);
    const isa::Program p8 = compiler::compile(load(8), hw, co);
    const uint64_t w1 = weight_bytes_loaded(p1), w8 = weight_bytes_loaded(p8);
    ASSERT_GT(w1, 0u);
    EXPECT_LT(w8, 8 * w1);
    EXPECT_LT(w8, 2 * w1);  // nearly every weight once for the whole batch
    run::RunOptions ro;
    ro.functional = false;
    const run::RunResult r1 = run::simulate(hw, load(1), ro);
    const run::RunResult r8 = run::simulate(hw, load(8), ro);
    EXPECT_LT(r8.stats.total_cycles, 8 * r1.stats.total_cycles);
    // The simulated DRAM reads are the program's: the batch reads fewer weight bytes per image.
    EXPECT_LT(r8.stats.total.dram_read_bytes, 8 * r1.stats.total.dram_read_bytes);
}

// An imported ONNX model (dynamic batch) run as one batch of every digits test image, given as
// one (360, 1, 8, 8) float32 array: every image's output is bit-exact against the reference, and
// with ONNX Runtime's float32 requantization every prediction is ONNX Runtime's
// (tests/onnx/goldens/digits_top1.json, as tests/models/onnx_top1_test.cc checks image by image).
TEST(NpuBatch, DigitsOnnxModelPredictsAsOnnxRuntimeOnTheWholeTestSplitInOneBatch) {
    const std::string onnx = std::string(NPUSIM_SOURCE_DIR) + "/tests/onnx/";
    std::ifstream f(onnx + "goldens/digits_top1.json");
    const std::vector<int64_t> ort = nlohmann::json::parse(f)
                                         .at("models")
                                         .at("digits_qdq.onnx")
                                         .at("predictions")
                                         .get<std::vector<int64_t>>();
    const npy::Array images = npy::read(onnx + "models/digits_test.npy");
    ASSERT_EQ(images.shape, (std::vector<int64_t>{360, 1, 8, 8}));
    cfg::HwConfig hw = cfg::default_hw_config();
    cfg::apply_overrides(hw, {"postproc.requant=float32"});
    graph::Workload wl = frontend::load_workload(onnx + "models/digits_qdq.onnx");
    quant::set_batch(wl, 360);
    frontend::apply_input_arrays(wl, {{"input", images, "digits_test.npy"}});
    const run::RunResult r = run::simulate(hw, wl, {});
    EXPECT_TRUE(report::check_summary(r.stats).all_checked_exact());
    const graph::QuantParams q = wl.layer_outputs.back().quant;
    const std::vector<int8_t>& out = r.outputs.back();
    ASSERT_EQ(out.size(), 360u * 10);
    for (size_t i = 0; i < 360; ++i) {
        // DequantizeLinear, then the first maximum (numpy.argmax).
        int64_t top = 0;
        float best = 0.0f;
        for (size_t k = 0; k < 10; ++k) {
            const float v = static_cast<float>(int{out[i * 10 + k]} - q.zero_point) *
                            static_cast<float>(q.scale);
            if (k == 0 || v > best) {
                best = v;
                top = static_cast<int64_t>(k);
            }
        }
        EXPECT_EQ(top, ort[i]) << "test image " << i;
    }
}

}  // namespace
}  // namespace npu

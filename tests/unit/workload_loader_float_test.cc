// The workload loader's float-network side: the per-layer `precision:` key, float32 weights and
// biases from files, and the `calibration:` / `samples:` sections (docs/workloads.md "Float
// networks and post-training quantization").
#include <gtest/gtest.h>

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "sim/core/error.h"
#include "sim/graph/workload.h"
#include "sim/graph/workload_loader.h"
#include "sim/quant/prepare.h"

namespace npu::graph {
namespace {

std::string digits_yaml() { return std::string(NPUSIM_SOURCE_DIR) + "/workloads/digits.yaml"; }

// A scratch directory with float32 files, for the workload text's relative paths.
class FloatFiles : public ::testing::Test {
  protected:
    void SetUp() override {
        m_dir =
            std::filesystem::temp_directory_path() /
            ("npusim_float_" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) +
             "_" + ::testing::UnitTest::GetInstance()->current_test_info()->name());
        std::filesystem::create_directories(m_dir);
    }
    void TearDown() override { std::filesystem::remove_all(m_dir); }

    void write_floats(const std::string& name, const std::vector<float>& v) {
        std::ofstream out(m_dir / name, std::ios::binary);
        out.write(reinterpret_cast<const char*>(v.data()),
                  static_cast<std::streamsize>(v.size() * sizeof(float)));
    }
    void write_bytes(const std::string& name, const std::vector<uint8_t>& v) {
        std::ofstream out(m_dir / name, std::ios::binary);
        out.write(reinterpret_cast<const char*>(v.data()), static_cast<std::streamsize>(v.size()));
    }
    std::string label() const { return (m_dir / "w.yaml").string(); }
    Workload load(const std::string& text) { return load_workload_from_string(text, label()); }
    std::string errors_of(const std::string& text) {
        try {
            (void)load(text);
        } catch (const UserError& e) {
            return e.what();
        }
        return "<no error>";
    }

    std::filesystem::path m_dir;
};

// A 2x2x1 input, a 1x1 conv to 2 channels, a gemm to 3: the smallest float network.
const char* kTiny = R"(
input: {shape: [2, 2, 1]}
calibration: {file: calib.f32}
samples: {file: samples.f32, labels: labels.u8}
layers:
  - name: conv
    op: conv2d
    out_channels: 2
    kernel: 1
    activation: relu
    weights: {file: conv.w.f32}
    bias: {file: conv.b.f32}
  - name: fc
    op: gemm
    m: 1
    n: 3
    precision: bf16
    weights: {file: fc.w.f32}
)";

TEST_F(FloatFiles, TinyFloatNetworkLoadsWithQuantizationPending) {
    write_floats("calib.f32", {0, 1, 2, 3, 4, 5, 6, 7});  // two images of 4
    write_floats("samples.f32", {1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3});
    write_bytes("labels.u8", {0, 2, 1});
    write_floats("conv.w.f32", {0.5f, -1.0f});
    write_floats("conv.b.f32", {0.25f, 0.0f});
    std::vector<float> fc(24);
    for (size_t i = 0; i < fc.size(); ++i) fc[i] = static_cast<float>(i) / 8;
    write_floats("fc.w.f32", fc);
    const Workload w = load(kTiny);
    EXPECT_TRUE(w.needs_ptq);
    ASSERT_EQ(w.calibration.inputs.size(), 2u);
    EXPECT_EQ(w.calibration.inputs[1], (std::vector<float>{4, 5, 6, 7}));
    EXPECT_EQ(w.calibration.source, (m_dir / "calib.f32").string());
    ASSERT_EQ(w.samples.inputs.size(), 3u);
    EXPECT_EQ(w.samples.labels, (std::vector<int32_t>{0, 2, 1}));
    ASSERT_EQ(w.layers.size(), 2u);
    EXPECT_EQ(w.layers[0].float_weights, (std::vector<float>{0.5f, -1.0f}));
    EXPECT_EQ(w.layers[0].float_bias, (std::vector<float>{0.25f, 0.0f}));
    EXPECT_EQ(w.layers[1].float_weights, fc);
    EXPECT_EQ(w.layers[1].float_bias, (std::vector<float>{0, 0, 0}));  // no bias: zeros
    EXPECT_TRUE(w.layers[0].weights.empty());                          // PTQ's job
    EXPECT_FALSE(w.layers[0].precision.has_value());
    EXPECT_EQ(w.layers[1].precision, Precision::kBf16);
    EXPECT_EQ(w.ptq.method, PtqSettings::Method::kMinMax);
    EXPECT_TRUE(w.ptq.per_channel_weights);
    EXPECT_FALSE(w.ptq.symmetric_activations);
}

TEST_F(FloatFiles, CalibrationSettingsAreRead) {
    write_floats("c.f32", std::vector<float>(12, 0.5f));
    write_floats("w.f32", {1.0f});
    const Workload w = load(R"(
input: {shape: [2, 2, 1]}
calibration: {file: c.f32, count: 3, method: percentile, percentile: 99.9, weights: per_tensor,
              activations: symmetric}
layers:
  - {op: conv2d, out_channels: 1, kernel: 1, weights: {file: w.f32}, bias: false}
)");
    EXPECT_EQ(w.calibration.inputs.size(), 3u);
    EXPECT_EQ(w.ptq.method, PtqSettings::Method::kPercentile);
    EXPECT_DOUBLE_EQ(w.ptq.percentile, 99.9);
    EXPECT_FALSE(w.ptq.per_channel_weights);
    EXPECT_TRUE(w.ptq.symmetric_activations);
}

TEST_F(FloatFiles, FileSizesAndMissingFilesAreLocatedErrors) {
    write_floats("calib.f32", {0, 1, 2, 3, 4, 5, 6});  // 7 values: not whole images of 4
    write_floats("samples.f32", {1, 1, 1, 1});
    write_bytes("labels.u8", {0, 2});                 // 2 labels for 1 image
    write_floats("conv.w.f32", {0.5f, -1.0f, 3.0f});  // 3 floats, 2 expected
    // conv.b.f32 and fc.w.f32 missing
    const std::string e = errors_of(kTiny);
    const std::string dir = m_dir.string();
    EXPECT_NE(e.find("w.yaml:3:21: calibration.file: expected '" + dir +
                     "/calib.f32' to hold whole float32 images of 4 values (a multiple of 16 "
                     "bytes), found 28 bytes"),
              std::string::npos)
        << e;
    EXPECT_NE(e.find("samples.labels: expected '" + dir +
                     "/labels.u8' to hold 1 uint8 labels (1 bytes), found 2 bytes"),
              std::string::npos)
        << e;
    EXPECT_NE(e.find("layers[0].weights.file: expected '" + dir +
                     "/conv.w.f32' to hold 2 float32 values (2x1x1x1 OHWI) (8 bytes), found 12 "
                     "bytes"),
              std::string::npos)
        << e;
    EXPECT_NE(e.find("layers[0].bias.file: cannot open '" + dir + "/conv.b.f32'"),
              std::string::npos)
        << e;
    EXPECT_NE(e.find("layers[1].weights.file: cannot open '" + dir + "/fc.w.f32'"),
              std::string::npos)
        << e;
}

TEST_F(FloatFiles, CountMustMatchTheFile) {
    write_floats("c.f32", std::vector<float>(8, 0.5f));
    write_floats("w.f32", {1.0f});
    const std::string e = errors_of(R"(
input: {shape: [2, 2, 1]}
calibration: {file: c.f32, count: 3}
layers:
  - {op: conv2d, out_channels: 1, kernel: 1, weights: {file: w.f32}}
)");
    EXPECT_NE(e.find("calibration.file: expected '" + m_dir.string() +
                     "/c.f32' to hold 12 float32 values (3 images of 2x2x1) (48 bytes), found 32 "
                     "bytes"),
              std::string::npos)
        << e;
}

TEST_F(FloatFiles, FloatNetworkRulesAreCheckedTogether) {
    write_floats("w.f32", {1.0f});
    const std::string e = errors_of(R"(
input: {shape: [2, 2, 1], scale: 0.5}
layers:
  - {op: conv2d, out_channels: 1, kernel: 1, weights: {file: w.f32}, weight_scale: 0.1,
     output: {scale: 0.2}}
  - {op: conv2d, out_channels: 1, kernel: 1, bias: true}
  - {op: gemm, n: 2, weights: {files: w.f32}, precision: int9}
)");
    EXPECT_NE(e.find("missing required key 'calibration'"), std::string::npos) << e;
    EXPECT_NE(e.find("input.scale: does not apply to a float network"), std::string::npos) << e;
    EXPECT_NE(e.find("layers[0].weight_scale: does not apply to a float network"),
              std::string::npos)
        << e;
    EXPECT_NE(e.find("layers[0].output: expected auto (or no 'output') in a float network"),
              std::string::npos)
        << e;
    EXPECT_NE(e.find("layers[1]: missing required key 'weights'"), std::string::npos) << e;
    EXPECT_NE(e.find("layers[1].bias: expected {file: F} (float32, one per output channel) or "
                     "false in a float network, found 'true'"),
              std::string::npos)
        << e;
    EXPECT_NE(e.find("layers[2].weights.files: unknown key"), std::string::npos) << e;
    EXPECT_NE(e.find("w.yaml:7:58: layers[2].precision: expected one of int8, int4, bf16, fp16, "
                     "fp32, found 'int9' (did you mean 'int8'?)"),
              std::string::npos)
        << e;
}

TEST(WorkloadLoaderPrecision, AnyOpTakesAPrecisionAndBadValuesListTheChoices) {
    const Workload w = load_workload_from_string(R"(
input: {shape: [4, 8], scale: 0.1}
layers:
  - {op: gemm, n: 8, weight_scale: 0.01, precision: int4}
  - {op: softmax, precision: fp16}
  - {op: gelu}
)",
                                                 "p.yaml");
    EXPECT_EQ(w.layers[0].precision, Precision::kInt4);
    EXPECT_EQ(w.layers[1].precision, Precision::kFp16);
    EXPECT_FALSE(w.layers[2].precision.has_value());
    EXPECT_FALSE(w.needs_ptq);
    try {
        (void)load_workload_from_string(R"(
input: {shape: [4, 8], scale: 0.1}
layers:
  - {op: gemm, n: 8, weight_scale: 0.01, precision: [int8]}
  - {op: gelu, precision: double}
)",
                                        "p.yaml");
        FAIL() << "no error";
    } catch (const UserError& e) {
        const std::string s = e.what();
        EXPECT_NE(s.find("p.yaml:4:53: layers[0].precision: expected one of int8, int4, bf16, "
                         "fp16, fp32, found a list of 1"),
                  std::string::npos)
            << s;
        EXPECT_NE(s.find("p.yaml:5:27: layers[1].precision: expected one of int8, int4, bf16, "
                         "fp16, fp32, found 'double'"),
                  std::string::npos)
            << s;
    }
}

TEST(WorkloadLoaderSamples, AQuantizedWorkloadTakesItsInputFromTheFirstSample) {
    const auto dir = std::filesystem::temp_directory_path() / "npusim_samples_q";
    std::filesystem::create_directories(dir);
    {
        const std::vector<float> v{0.0f, 0.25f, 0.3f, -1.0f, 100.0f, 0.125f};  // one 2x3 image
        std::ofstream out(dir / "s.f32", std::ios::binary);
        out.write(reinterpret_cast<const char*>(v.data()), 24);
    }
    // The loader records the samples; prepare() quantizes the first into the run's input.
    const Workload w = quant::prepare(load_workload_from_string(R"(
input: {shape: [2, 3], scale: 0.25, zero_point: 3}
samples: {file: s.f32}
layers:
  - {op: gemm, n: 2, weight_scale: 0.01}
)",
                                                                (dir / "q.yaml").string()));
    std::filesystem::remove_all(dir);
    EXPECT_FALSE(w.needs_ptq);
    // rint(x / 0.25) + 3: 0.3 / 0.25 = 1.2 -> 1; 0.125 / 0.25 = 0.5 -> 0 (half to even).
    EXPECT_EQ(w.input, (std::vector<int8_t>{3, 4, 4, -1, 127, 3}));
}

TEST(WorkloadLoaderCalibration, OnlyForFloatNetworks) {
    try {
        (void)load_workload_from_string(R"(
input: {shape: [4, 8], scale: 0.1}
calibration: {file: x.f32, method: mean}
layers:
  - {op: gemm, n: 8, weight_scale: 0.01}
)",
                                        "c.yaml");
        FAIL() << "no error";
    } catch (const UserError& e) {
        const std::string s = e.what();
        EXPECT_NE(s.find("c.yaml:3:14: calibration: applies to float networks only"),
                  std::string::npos)
            << s;
        EXPECT_NE(s.find("calibration.method: expected minmax, percentile, found 'mean'"),
                  std::string::npos)
            << s;
    }
}

TEST(WorkloadLoaderDigits, LoadsTheBundledFloatNetwork) {
    const Workload w = load_workload(digits_yaml());
    EXPECT_TRUE(w.needs_ptq);
    EXPECT_EQ(w.calibration.inputs.size(), 128u);
    EXPECT_EQ(w.samples.inputs.size(), 360u);
    EXPECT_EQ(w.samples.labels.size(), 360u);
    ASSERT_EQ(w.layers.size(), 5u);
    EXPECT_EQ(w.layers[0].float_weights.size(), 8u * 9);
    EXPECT_EQ(w.layers[2].float_weights.size(), 16u * 9 * 8);
    EXPECT_EQ(w.layers[4].float_weights.size(), 10u * 64);
    EXPECT_EQ(w.layers[4].in_c, 64);
    EXPECT_EQ(w.layers[4].out_shape, (std::vector<int32_t>{1, 10}));
    EXPECT_EQ(w.layers[3].out_shape, (std::vector<int32_t>{2, 2, 16}));
}

}  // namespace
}  // namespace npu::graph

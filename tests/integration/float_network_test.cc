// A float network through the command line: `npusim run` and `compile` post-training quantize
// workloads/digits.yaml after loading it, and the simulated int8 network is bit-exact.
#include <gtest/gtest.h>

#include <string>

#include "tests/integration/npusim_harness.h"

namespace npu::testing {
namespace {

using FloatNetwork = NpusimTest;

TEST_F(FloatNetwork, DigitsRunsBitExactAndCompiles) {
    const Result run = npusim("run --workload workloads/digits.yaml");
    ASSERT_EQ(run.code, 0) << run.err;
    EXPECT_NE(run.out.find("outputs: bit-exact against the reference (5 layers)"),
              std::string::npos)
        << run.out;
    const Result timing = npusim("run --timing-only --workload workloads/digits.yaml");
    EXPECT_EQ(timing.code, 0) << timing.err;
    const Result compile = npusim("compile --workload workloads/digits.yaml");
    ASSERT_EQ(compile.code, 0) << compile.err;
    EXPECT_NE(compile.out.find("fc: gemm 1x64x10 (MxKxN)"), std::string::npos) << compile.out;
    // The chosen quantization (workloads/digits/expected.json's input, conv1 and fc).
    EXPECT_NE(compile.out.find("post-training quantization (128 calibration images):\n"
                               "input: scale 0.003921568627 zero_point -128\n"
                               "conv1: scale 0.0209624571 zero_point -128 weight_scale ["),
              std::string::npos)
        << compile.out;
    EXPECT_NE(compile.out.find("fc: scale 0.1790616503 zero_point 28"), std::string::npos)
        << compile.out;
}

TEST_F(FloatNetwork, BadFloatFilesAreExit2) {
    write("w.f32", std::string(12, '\0'));  // 3 floats, 2 expected
    write("c.f32", std::string(16, '\0'));
    const auto yaml = write("f.yaml", R"(input: {shape: [2, 2, 1]}
calibration: {file: c.f32}
layers:
  - {op: conv2d, out_channels: 2, kernel: 1, weights: {file: w.f32}, precision: int3}
)");
    const Result r = npusim("run --workload " + yaml.string());
    EXPECT_EQ(r.code, 2);
    EXPECT_NE(r.err.find("layers[0].precision: expected one of int8, int4, bf16, fp16, fp32"),
              std::string::npos)
        << r.err;
}

}  // namespace
}  // namespace npu::testing

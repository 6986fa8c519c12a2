// SCALE-Sim v2 inputs: topology CSVs (conv with trailing commas and DP rows, GEMM) read into the
// IR through the frontend, content sniffing, exact error messages, and the .cfg conversion.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "sim/config/config_loader.h"
#include "sim/core/error.h"
#include "sim/frontend/frontend.h"
#include "sim/frontend/scalesim.h"

namespace npu::frontend {
namespace {

constexpr const char* kConv =
    "Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, "
    "Strides,\n"
    "Conv1, 30, 30, 3, 3, 8, 16, 1,\n"
    "\n"
    "CB2_DP, 17, 17, 3, 3, 16, 1, 2,\n"
    "Wide, 9, 12, 3, 5, 4, 6, 2, 3,\n";

std::string write_temp(const std::string& name, const std::string& text) {
    const std::string path = (std::filesystem::temp_directory_path() / name).string();
    std::ofstream(path) << text;
    return path;
}

std::string error_of(const std::string& text) {
    try {
        (void)parse_scalesim_topology(text, "t.csv");
    } catch (const UserError& e) {
        return e.what();
    }
    return "";
}

TEST(ScaleSimFrontend, ParsesConvRowsLikeTopologyUtils) {
    ASSERT_TRUE(is_scalesim_topology(kConv));
    const auto layers = parse_scalesim_topology(kConv, "t.csv");
    ASSERT_EQ(layers.size(), 3u);
    EXPECT_EQ(layers[0].name, "Conv1");
    EXPECT_EQ(layers[0].stride_w, 1);  // one stride given: width = height
    EXPECT_TRUE(layers[1].depthwise);  // "DP" in the name
    EXPECT_EQ(layers[2].stride_h, 2);
    EXPECT_EQ(layers[2].stride_w, 3);
}

TEST(ScaleSimFrontend, LoadsTheTopologyAsAWorkload) {
    const graph::Workload wl = load_workload(write_temp("npusim_topo.csv", kConv));
    ASSERT_EQ(wl.layers.size(), 3u);
    // Conv1: ofmap (30 - 3 + 1)^2 = 28 x 28, MACs 784 * 3*3*8 * 16 = 903,168.
    EXPECT_EQ(wl.layers[0].macs(), 784 * 72 * 16);
    // CB2_DP: depthwise, groups 16; ofmap ceil((17 - 3 + 2) / 2) = 8 -> 8 x 8 x 16, 9 MACs each.
    EXPECT_EQ(wl.layers[1].groups, 16);
    EXPECT_EQ(wl.layers[1].out_c, 16);
    EXPECT_EQ(wl.layers[1].out_h(), 8);
    EXPECT_EQ(wl.layers[1].macs(), 64 * 16 * 9);
    // Wide: ofmap ceil((9 - 3 + 2) / 2) = 4 by ceil((12 - 5 + 3) / 3) = 4: the last window runs
    // 2 columns past the input, so 2 columns of right padding ((4 - 1) * 3 + 5 - 12).
    EXPECT_EQ(wl.layers[2].out_h(), 4);
    EXPECT_EQ(wl.layers[2].out_w(), 4);
    EXPECT_EQ(wl.layers[2].pad_right, 2);
    EXPECT_EQ(wl.layers[2].pad_bottom, 0);
}

TEST(ScaleSimFrontend, LoadsGemmTopologies) {
    const std::string text = "Layer, M, N, K,\nG1, 64, 32, 48,\nG 2, 5, 7, 3,\n";
    ASSERT_TRUE(is_scalesim_topology(text));
    const graph::Workload wl = load_workload(write_temp("npusim_gemm.csv", text));
    ASSERT_EQ(wl.layers.size(), 2u);
    EXPECT_EQ(wl.layers[0].kind, graph::OpKind::kGemm);
    EXPECT_EQ(wl.layers[0].macs(), 64 * 32 * 48);  // M x N x K
    EXPECT_EQ(wl.layers[1].name, "G_2");           // made a tensor name
}

TEST(ScaleSimFrontend, OtherCsvsAndBadCellsAreClearErrors) {
    EXPECT_FALSE(is_scalesim_topology("a,b,c\n1,2,3\n"));
    EXPECT_EQ(error_of("a,b,c\n"),
              "t.csv:1:1: expected a SCALE-Sim topology header (conv: \"Layer name, IFMAP Height, "
              "IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, Strides,\"; GEMM: "
              "\"Layer, M, N, K,\"), found \"a,b,c\"");
    EXPECT_EQ(error_of("Layer, M, N, K,\nG1, 64, x, 64,\nG2, 3, 4\n"),
              "t.csv:2:9: N: expected a positive integer, found \"x\"\n"
              "t.csv:3:1: expected 4 cells each followed by a comma (Layer, M, N, K,), found 2 "
              "(SCALE-Sim drops the cell after the last comma)");
    EXPECT_EQ(error_of("Layer, M, N, K,\n"),
              "t.csv:2:1: expected at least one layer row, found none");
}

TEST(ScaleSimFrontend, ConfigBecomesAHardwareYamlNpusimAccepts) {
    const std::string cfg =
        "[general]\nrun_name = example\n[architecture_presets]\nArrayHeight: 32\nArrayWidth: 8\n"
        "IfmapSramSzkB: 64\nFilterSramSzkB: 32\nOfmapSramSzkB: 16\nIfmapOffset: 0\n"
        "Dataflow : is\nBandwidth : 10\n";
    const std::string yaml = scalesim_config_yaml(cfg, "s.cfg");
    const cfg::HwConfig hw = cfg::load_hw_config_from_string(yaml, "s.yaml", {});
    EXPECT_EQ(hw.name, "example");
    EXPECT_EQ(hw.array.rows, 32);
    EXPECT_EQ(hw.array.cols, 8);
    EXPECT_EQ(hw.array.timing, ArrayTiming::kScaleSim);
    EXPECT_EQ(hw.array.dataflow, Dataflow::kWeightStationary);  // is has no equivalent
    EXPECT_EQ(hw.scratchpad.size_bytes, 96u * 1024u);
    EXPECT_EQ(hw.accumulator.size_bytes, 64u * 1024u);
    EXPECT_EQ(hw.dram.bandwidth_bytes_per_s, 10e9);
    EXPECT_NE(yaml.find("# Dataflow: is (input stationary) has no npusim equivalent"),
              std::string::npos);
    EXPECT_NE(yaml.find("ifmapoffset = 0"), std::string::npos);
    try {
        (void)scalesim_config_yaml("[architecture_presets]\nArrayHeight: x\n", "s.cfg");
        FAIL();
    } catch (const UserError& e) {
        EXPECT_NE(std::string(e.what()).find(
                      "s.cfg:2: architecture_presets.ArrayHeight: expected an integer >= 1, "
                      "found \"x\""),
                  std::string::npos)
            << e.what();
    }
}

}  // namespace
}  // namespace npu::frontend

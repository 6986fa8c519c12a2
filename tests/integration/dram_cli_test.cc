// The banked DRAM's config through the npusim binary: presets, the effective-config dump round
// trip, the schema, and the clear refusal to run it before it is connected to the NPU model.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "tests/integration/npusim_harness.h"

namespace {

using npu::testing::Result;
namespace fs = std::filesystem;

class DramCli : public npu::testing::NpusimTest {};

TEST_F(DramCli, APresetDumpsExpandedAndLoadsBack) {
    const Result dump = npusim("config --hw " + std::string(NPUSIM_SOURCE_DIR) +
                               "/configs/vta.yaml --set dram.model=banked --dump");
    ASSERT_EQ(dump.code, 0) << dump.err;
    EXPECT_NE(dump.out.find("  model: banked"), std::string::npos) << dump.out;
    EXPECT_NE(dump.out.find("  name: \"ddr3_1600\""), std::string::npos) << dump.out;
    EXPECT_NE(dump.out.find("  timing.tRFC: 208"), std::string::npos) << dump.out;
    const fs::path file = m_dir / "dumped.yaml";
    std::ofstream(file) << dump.out;
    const Result again = npusim("config --hw " + file.string() + " --dump");
    ASSERT_EQ(again.code, 0) << again.err;
    EXPECT_EQ(again.out, dump.out);
}

TEST_F(DramCli, TheSchemaListsThePresetAndTheTiming) {
    const Result r = npusim("config --schema");
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_NE(r.out.find("\ndram.preset "), std::string::npos);
    EXPECT_NE(r.out.find("\ndram.timing.tFAW "), std::string::npos);
    EXPECT_NE(r.out.find("\ndram.power.idd0 "), std::string::npos);
}

TEST_F(DramCli, BadBankedKeysAreUserErrors) {
    const Result r = npusim("config --set dram.model=banked --set dram.timing.tRC=10 --check");
    EXPECT_EQ(r.code, 2);
    EXPECT_NE(r.err.find("error: --set: dram.timing.tRC: expected >= tRAS + tRP = 52 + 22 = 74 (a "
                         "row cycle is an activation plus a precharge), found 10"),
              std::string::npos)
        << r.err;
}

TEST_F(DramCli, ARunWithTheBankedModelIsRefusedUntilItIsConnected) {
    const Result r = npusim("run --set dram.model=banked --quiet");
    EXPECT_EQ(r.code, 2);
    EXPECT_NE(r.err.find("error: dram.model: banked is not connected to the NPU model yet "
                         "(docs/dram.md, \"Status\"); runs use dram.model simple"),
              std::string::npos)
        << r.err;
}

}  // namespace

// The banked DRAM's config through the npusim binary: presets, the effective-config dump round
// trip, the schema, and a run on it through the binary.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
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

TEST_F(DramCli, ABankedRunReportsItsRowBufferStatistics) {
    const fs::path out = m_dir / "run";
    const Result r = npusim("run --hw " + std::string(NPUSIM_SOURCE_DIR) +
                            "/configs/vta.yaml --set dram.model=banked --out " + out.string());
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_NE(r.out.find("DRAM (banked: ddr3_1600, 1 channel x 1 rank, open page, 3.2 GB/s peak "
                         "at 800 MHz)"),
              std::string::npos)
        << r.out;
    EXPECT_NE(r.out.find("outputs: bit-exact"), std::string::npos) << r.out;
    std::ifstream in(out / "stats.json");
    std::stringstream s;
    s << in.rdbuf();
    EXPECT_NE(s.str().find("\"row_hit_rate\""), std::string::npos);
    EXPECT_NE(s.str().find("\"row_conflicts\""), std::string::npos);
    // The simple model's run has none of the banked figures.
    const fs::path simple = m_dir / "simple";
    ASSERT_EQ(npusim("run --quiet --out " + simple.string()).code, 0);
    std::ifstream in2(simple / "stats.json");
    std::stringstream s2;
    s2 << in2.rdbuf();
    EXPECT_EQ(s2.str().find("\"row_hit_rate\""), std::string::npos);
}

}  // namespace

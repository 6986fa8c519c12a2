// Several cores through the binary: `--set cores=N` runs bit-exact and reports each core's share
// and figures (text report, stats.json, trace tracks); one core writes none of it; bad `cores` /
// `compiler.partition` values are refused with exit code 2 and the exact message.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "tests/integration/npusim_harness.h"

namespace npu::testing {
namespace {

class MultiCore : public NpusimTest {};

TEST_F(MultiCore, FourCoresRunABatchBitExactAndReportEachCore) {
    const fs::path out = m_dir / "c4";
    const fs::path trace = m_dir / "c4.json";
    const fs::path html = m_dir / "c4.html";
    const Result r = npusim(
        "run --workload tiny_resnet --batch 3 --set cores=4 --set compiler.partition=batch "
        "--no-progress --out " +
        out.string() + " --trace " + trace.string() + " --html " + html.string());
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_NE(r.out.find("  cores     4 (each the array and SRAMs above, peak 256 MACs/cycle), "
                         "sharing the DRAM; partition batch"),
              std::string::npos)
        << r.out;
    EXPECT_NE(r.out.find("            core 0: images 0..0, ends at cycle "), std::string::npos);
    EXPECT_NE(r.out.find("            core 3: idle (no image)"), std::string::npos) << r.out;
    const nlohmann::json j = nlohmann::json::parse(slurp(out / "stats.json"));
    EXPECT_EQ(j.at("schema_minor_version"), 6);
    EXPECT_TRUE(j.at("totals").at("bit_exact").get<bool>());
    EXPECT_EQ(j.at("partition"), "batch");
    ASSERT_EQ(j.at("cores").size(), 4u);
    EXPECT_EQ(j.at("cores")[2].at("first_image"), 2);
    EXPECT_EQ(j.at("cores")[3].at("images"), 0);
    EXPECT_EQ(j.at("peak").at("macs_per_cycle"), 4 * 256);
    EXPECT_TRUE(j.at("components").contains("npu3"));
    EXPECT_TRUE(j.at("components").contains("arbiter"));
    EXPECT_NE(slurp(html).find("<span>cores</span><b>4 (partition batch)</b>"), std::string::npos);
    const std::string t = slurp(trace);
    EXPECT_NE(t.find("\"name\":\"core2 compute\""), std::string::npos);
    // One core: none of it.
    const fs::path one = m_dir / "c1";
    ASSERT_EQ(npusim("run --workload tiny_resnet --no-progress --out " + one.string()).code, 0);
    const nlohmann::json k = nlohmann::json::parse(slurp(one / "stats.json"));
    EXPECT_FALSE(k.contains("cores"));
    EXPECT_FALSE(k.contains("partition"));
    EXPECT_TRUE(k.at("components").contains("npu"));
    // Four cores: four arrays and their SRAMs.
    EXPECT_DOUBLE_EQ(j.at("totals").at("area_mm2").get<double>(),
                     4 * k.at("totals").at("area_mm2").get<double>());
}

TEST_F(MultiCore, CompilePrintsEveryCoresProgram) {
    const Result r = npusim(
        "compile --workload tiny_resnet --batch 3 --set cores=2 --set compiler.partition=batch "
        "--emit asm");
    ASSERT_EQ(r.code, 0) << r.err;
    const size_t c0 = r.out.find("; core 0: images [0, 2) of the batch\n");
    const size_t c1 = r.out.find("; core 1: images [2, 3) of the batch\n");
    ASSERT_NE(c0, std::string::npos) << r.out.substr(0, 200);
    ASSERT_NE(c1, std::string::npos);
    EXPECT_LT(c0, c1);
    EXPECT_EQ(npusim("compile --workload tiny_resnet --emit asm").out.find("; core"),
              std::string::npos);
}

// compiler.partition auto at batch 1 splits the layers (each core its channels of some, its rows
// of the others) and says so; at a batch the cores divide it runs whole images.
TEST_F(MultiCore, AutoSplitsTheLayersAtBatchOne) {
    const fs::path out = m_dir / "auto";
    const Result r =
        npusim("run --workload tiny_resnet --set cores=2 --no-progress --out " + out.string());
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_NE(r.out.find("sharing the DRAM; partition auto"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("(chosen per layer by compiler.partition auto), ends at cycle "),
              std::string::npos)
        << r.out;
    const nlohmann::json j = nlohmann::json::parse(slurp(out / "stats.json"));
    EXPECT_TRUE(j.at("totals").at("bit_exact").get<bool>());
    EXPECT_EQ(j.at("partition"), "auto");
    const Result b = npusim("compile --workload tiny_resnet --batch 2 --set cores=2 --emit asm");
    ASSERT_EQ(b.code, 0) << b.err;
    EXPECT_NE(b.out.find("; core 1: images [1, 2) of the batch\n"), std::string::npos);
}

TEST_F(MultiCore, BadValuesAreRefused) {
    const Result a = npusim("run --workload tiny_resnet --set cores=0 --no-progress");
    EXPECT_EQ(a.code, 2);
    EXPECT_EQ(a.err, "error: --set: cores: expected an integer from 1 to 64, found 0\n");
    const Result b =
        npusim("run --workload tiny_resnet --set compiler.partition=rows --no-progress");
    EXPECT_EQ(b.code, 2);
    EXPECT_EQ(b.err,
              "error: --set: compiler.partition: expected one of auto, batch, channel, spatial, "
              "pipeline, found 'rows'\n");
    // Two cores need two copies of the network's DRAM; one core fits in 30000 B.
    const Result c = npusim(
        "run --workload tiny_resnet --batch 2 --set cores=2 --set dram.size=30000 --no-progress");
    EXPECT_EQ(c.code, 2);
    EXPECT_EQ(c.err,
              "error: --set: dram.size: expected at least the 40960 B of DRAM that workload "
              "'tiny_resnet' needs on 2 cores (each busy core its own weights, inputs and "
              "tensors: 17856, 17856 B, 4 KiB aligned), found 30000 B\n");
    EXPECT_EQ(
        npusim("run --workload tiny_resnet --batch 2 --set dram.size=30000 --no-progress").code, 0);
}

// Channel partition at batch 1 on 3 cores: bit-exact, the partition and each core's share in the
// report and stats.json, the barrier's stats; a setting it cannot run with is refused (exit 2).
TEST_F(MultiCore, ChannelPartitionSplitsOneImage) {
    const fs::path out = m_dir / "ch3";
    const Result r = npusim(
        "run --workload tiny_resnet --set cores=3 --set compiler.partition=channel --no-progress "
        "--out " +
        out.string());
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_NE(r.out.find("sharing the DRAM; partition channel"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("            core 2: its channels of every layer, ends at cycle "),
              std::string::npos)
        << r.out;
    const nlohmann::json j = nlohmann::json::parse(slurp(out / "stats.json"));
    EXPECT_TRUE(j.at("totals").at("bit_exact").get<bool>());
    EXPECT_EQ(j.at("partition"), "channel");
    ASSERT_EQ(j.at("cores").size(), 3u);
    EXPECT_EQ(j.at("cores")[2].at("images"), 1);
    EXPECT_TRUE(j.at("components").at("barrier").contains("core2"));
    const Result asm_out = npusim(
        "compile --workload tiny_resnet --set cores=2 --set compiler.partition=channel --emit asm");
    ASSERT_EQ(asm_out.code, 0) << asm_out.err;
    EXPECT_NE(asm_out.out.find("; core 1: its channels of every layer\n"), std::string::npos);
    const Result bad = npusim(
        "run --workload tiny_resnet --set cores=2 --set compiler.partition=channel "
        "--set compiler.fusion=auto --no-progress");
    EXPECT_EQ(bad.code, 2);
    EXPECT_EQ(bad.err,
              "error: --set: compiler.partition: expected batch with compiler.fusion auto "
              "(channel splits each layer over the cores, which keep no tensor on chip), found "
              "channel\n");
}

// Spatial partition at batch 1 on 3 cores: bit-exact, the partition and each core's share in the
// report, stats.json and the HTML report, the barrier's stats; a setting it cannot run with is
// refused (exit 2).
TEST_F(MultiCore, SpatialPartitionSplitsOneImage) {
    const fs::path out = m_dir / "sp3";
    const fs::path html = m_dir / "sp3.html";
    const Result r = npusim(
        "run --workload tiny_resnet --set cores=3 --set compiler.partition=spatial --no-progress "
        "--out " +
        out.string() + " --html " + html.string());
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_NE(r.out.find("sharing the DRAM; partition spatial"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("            core 2: its rows of every layer, ends at cycle "),
              std::string::npos)
        << r.out;
    const nlohmann::json j = nlohmann::json::parse(slurp(out / "stats.json"));
    EXPECT_TRUE(j.at("totals").at("bit_exact").get<bool>());
    EXPECT_EQ(j.at("partition"), "spatial");
    ASSERT_EQ(j.at("cores").size(), 3u);
    EXPECT_EQ(j.at("cores")[2].at("images"), 1);
    EXPECT_TRUE(j.at("components").at("barrier").contains("core2"));
    EXPECT_NE(slurp(html).find("<span>cores</span><b>3 (partition spatial)</b>"),
              std::string::npos);
    const Result asm_out = npusim(
        "compile --workload tiny_resnet --set cores=2 --set compiler.partition=spatial --emit asm");
    ASSERT_EQ(asm_out.code, 0) << asm_out.err;
    EXPECT_NE(asm_out.out.find("; core 1: its rows of every layer\n"), std::string::npos);
    const Result bad = npusim(
        "run --workload tiny_resnet --set cores=2 --set compiler.partition=spatial "
        "--set compiler.overlap=full --no-progress");
    EXPECT_EQ(bad.code, 2);
    EXPECT_EQ(bad.err,
              "error: --set: compiler.partition: expected batch with compiler.overlap full (full "
              "drops the barrier between layers, but each layer of a spatial split reads the "
              "other cores' outputs of the layers before it, which no core's dependency table "
              "sees; compiler.overlap prefetch keeps the barrier), found spatial\n");
}

// Pipeline partition at batch 4 on 3 cores: bit-exact, the partition and each core's stage in the
// report, the tokens' stats in stats.json, the stages in the asm headers, WAIT and SIGNAL in the
// instructions; a setting it cannot run with is refused (exit 2).
TEST_F(MultiCore, PipelinePartitionFlowsImagesThroughStages) {
    const fs::path out = m_dir / "pl3";
    const Result r = npusim(
        "run --workload tiny_resnet --batch 4 --set cores=3 --set compiler.partition=pipeline "
        "--no-progress --out " +
        out.string());
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_NE(r.out.find("sharing the DRAM; partition pipeline"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("            core 0: layers 0.."), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("'fc') for every image, ends at cycle "), std::string::npos) << r.out;
    const nlohmann::json j = nlohmann::json::parse(slurp(out / "stats.json"));
    EXPECT_TRUE(j.at("totals").at("bit_exact").get<bool>());
    EXPECT_EQ(j.at("partition"), "pipeline");
    ASSERT_EQ(j.at("cores").size(), 3u);
    EXPECT_FALSE(j.at("components").contains("barrier"));
    EXPECT_TRUE(j.at("components").at("tokens").at("core2").contains("wait_cycles"));
    const Result asm_out = npusim(
        "compile --workload tiny_resnet --batch 2 --set cores=2 --set compiler.partition=pipeline "
        "--emit asm");
    ASSERT_EQ(asm_out.code, 0) << asm_out.err;
    EXPECT_NE(asm_out.out.find("; core 0: layers [0, "), std::string::npos);
    EXPECT_NE(asm_out.out.find(") for every image (pipeline stage)\n"), std::string::npos);
    EXPECT_NE(asm_out.out.find(" SIGNAL image 1 to the next core\n"), std::string::npos);
    EXPECT_NE(asm_out.out.find(" WAIT image 1 from the previous core\n"), std::string::npos);
    const Result bad = npusim(
        "run --workload tiny_resnet --set cores=2 --set compiler.partition=pipeline "
        "--set compiler.fusion=auto --no-progress");
    EXPECT_EQ(bad.code, 2);
    EXPECT_EQ(bad.err,
              "error: --set: compiler.partition: expected batch with compiler.fusion auto "
              "(pipeline hands every tensor from core to core through DRAM), found pipeline\n");
}

}  // namespace
}  // namespace npu::testing

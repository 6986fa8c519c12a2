// End-to-end tests through the npusim binary, as a user runs it.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "tests/integration/npusim_harness.h"

namespace {

using npu::testing::Result;
using npu::testing::slurp;
namespace fs = std::filesystem;

class Cli : public npu::testing::NpusimTest {};

TEST_F(Cli, DefaultRunPrintsTheReportAndIsBitExact) {
    const Result r = npusim("run");
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_NE(r.out.find("config    edge_npu"), std::string::npos);
    EXPECT_NE(r.out.find("outputs: bit-exact against the reference (4 layers)"), std::string::npos)
        << r.out;
    EXPECT_EQ(r.out.find("SystemC"), std::string::npos) << "the SystemC banner leaked";
    EXPECT_EQ(r.err, "");
}

// NPUSIM_KERNELS forces the kernel path (sim/kernels/isa.h): the portable one gives the same
// bit-exact run; an unknown name is refused before any work, with exit code 2.
TEST_F(Cli, KernelPathFromTheEnvironment) {
    setenv("NPUSIM_KERNELS", "portable", 1);
    const Result ok = npusim("run --workload workloads/tiny_resnet.yaml --quiet --no-progress");
    setenv("NPUSIM_KERNELS", "sse9", 1);
    const Result bad = npusim("run --quiet");
    unsetenv("NPUSIM_KERNELS");
    EXPECT_EQ(ok.code, 0) << ok.err;
    EXPECT_NE(ok.out.find("bit-exact"), std::string::npos) << ok.out;
    EXPECT_EQ(bad.code, 2);
    EXPECT_EQ(bad.err,
              "error: <environment>: NPUSIM_KERNELS: expected portable, avx2 or avx512vnni, found "
              "'sse9'\n");
}

TEST_F(Cli, OutDirHoldsStatsCsvAndAReloadableEffectiveConfig) {
    const fs::path out = m_dir / "run1";
    Result r = npusim("run --out " + out.string() + " --set array.rows=8 --set array.cols=8");
    ASSERT_EQ(r.code, 0) << r.err;
    const nlohmann::json j = nlohmann::json::parse(slurp(out / "stats.json"));
    EXPECT_EQ(j.at("schema_version"), 1);
    ASSERT_EQ(j.at("layers").size(), 4u);
    for (const auto& l : j.at("layers")) {
        EXPECT_TRUE(l.at("bit_exact").get<bool>());
        EXPECT_GT(l.at("cycles").get<uint64_t>(), 0u);
    }
    // layers.csv: a header and one row per layer.
    const std::string csv = slurp(out / "layers.csv");
    EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 5);
    // The effective config reproduces the run exactly.
    const fs::path again = m_dir / "run2";
    r = npusim("run --hw " + (out / "effective_config.yaml").string() + " --out " + again.string());
    ASSERT_EQ(r.code, 0) << r.err;
    const nlohmann::json k = nlohmann::json::parse(slurp(again / "stats.json"));
    EXPECT_EQ(j.at("totals").at("cycles"), k.at("totals").at("cycles"));
    EXPECT_EQ(slurp(out / "layers.csv"), slurp(again / "layers.csv"));
}

TEST_F(Cli, RefusesToOverwriteResultsWithoutForce) {
    const fs::path out = m_dir / "r";
    ASSERT_EQ(npusim("run --quiet --out " + out.string()).code, 0);
    const Result again = npusim("run --quiet --out " + out.string());
    EXPECT_EQ(again.code, 2);
    EXPECT_NE(again.err.find("error: " + (out / "stats.json").string() +
                             ": already exists; pass --force to overwrite it"),
              std::string::npos)
        << again.err;
    EXPECT_EQ(npusim("run --quiet --force --out " + out.string()).code, 0);
}

TEST_F(Cli, BadConfigReportsEveryProblemWithLocationAndExitsTwo) {
    const fs::path cfg = write("bad.yaml", "array:\n  rowz: 8\n  cols: -4\nclock: fast\n");
    const Result r = npusim("run --hw " + cfg.string());
    EXPECT_EQ(r.code, 2);
    EXPECT_EQ(r.out, "");
    // Three problems, each with file:line:col and the key.
    const std::string f = cfg.string();
    EXPECT_EQ(r.err, "error: " + f + ":2:3: array.rowz: unknown key, did you mean 'array.rows'?\n" +
                         "error: " + f + ":3:9: array.cols: expected an integer from 1 to 1024, " +
                         "found -4\n" + "error: " + f +
                         ":4:8: clock: expected a frequency such as 1GHz, found 'fast'\n");
}

TEST_F(Cli, ConfigDumpIsAcceptedBackUnchangedForEveryBundledConfig) {
    for (const char* name : {"edge_npu", "tpu_v1", "gemmini", "nvdla", "vta"}) {
        const Result a = npusim(std::string("config --dump --hw configs/") + name + ".yaml");
        ASSERT_EQ(a.code, 0) << name << a.err;
        const fs::path dumped = write(std::string(name) + "_dump.yaml", a.out);
        const Result b = npusim("config --dump --hw " + dumped.string());
        ASSERT_EQ(b.code, 0) << name << b.err;
        EXPECT_EQ(a.out, b.out) << name;
    }
    const Result builtin = npusim("config --dump");
    EXPECT_EQ(builtin.out, npusim("config --dump --hw configs/edge_npu.yaml").out);
}

TEST_F(Cli, SchemaListsKeysWithUnits) {
    const Result r = npusim("config --schema");
    ASSERT_EQ(r.code, 0);
    for (const char* key : {"clock", "array.rows", "array.dataflow", "scratchpad.banks",
                            "dram.bandwidth", "postproc.rounding", "controller.queue_depth"}) {
        EXPECT_NE(r.out.find(key), std::string::npos) << key;
    }
}

TEST_F(Cli, CompileEmitsTheInstructionStream) {
    const Result r = npusim("compile --emit asm");
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_NE(r.out.find("; L0 conv1"), std::string::npos);
    EXPECT_NE(r.out.find(" COMPUTE "), std::string::npos);
    EXPECT_NE(r.out.find(" POST "), std::string::npos);
    EXPECT_NE(r.out.find(" STORE "), std::string::npos);
    EXPECT_NE(r.out.find(" SYNC"), std::string::npos);
    const Result m = npusim("compile");
    EXPECT_NE(m.out.find("conv1: conv2d 32x32x16 -> 32x32x32"), std::string::npos) << m.out;
}

TEST_F(Cli, PeFidelityGivesTheSameStatsAsTheFastModel) {
    const fs::path fast = m_dir / "fast", pe = m_dir / "pe";
    const fs::path wl = write("tiny.yaml", R"(
name: tiny
seed: 3
input: {shape: [9, 7, 6], scale: 0.05, zero_point: 4}
layers:
  - {name: c, op: conv2d, out_channels: 5, kernel: 3, stride: 2, padding: 1, weight_scale: 0.01,
     activation: relu, output: auto}
  - {name: g, op: gemm, n: 6, weight_scale: 0.02, output: auto}
)");
    const std::string common =
        " --workload " + wl.string() + " --set array.rows=4 --set array.cols=4 --quiet --out ";
    ASSERT_EQ(npusim("run" + common + fast.string()).code, 0);
    const Result r = npusim("run --fidelity pe" + common + pe.string());
    ASSERT_EQ(r.code, 0) << r.err;
    nlohmann::json a = nlohmann::json::parse(slurp(fast / "stats.json"));
    nlohmann::json b = nlohmann::json::parse(slurp(pe / "stats.json"));
    EXPECT_EQ(b.at("fidelity"), "pe");
    EXPECT_EQ(a.at("layers"), b.at("layers"));
    EXPECT_EQ(a.at("totals"), b.at("totals"));
}

TEST_F(Cli, BadFlagsAreUserErrors) {
    Result r = npusim("run --frobnicate");
    EXPECT_EQ(r.code, 2);
    EXPECT_EQ(r.err,
              "error: <command line>: run: unknown option '--frobnicate' (npusim run --help lists "
              "its options)\n");
    r = npusim("run --fidelity exact");
    EXPECT_EQ(r.code, 2);
    EXPECT_EQ(r.err,
              "error: <command line>: run: --fidelity: expected fast or pe, found 'exact'\n");
    r = npusim("bake");
    EXPECT_EQ(r.code, 2);
    r = npusim("run --workload does/not/exist.yaml");
    EXPECT_EQ(r.code, 2);
    EXPECT_NE(r.err.find("does/not/exist.yaml"), std::string::npos) << r.err;
    EXPECT_EQ(npusim("--help").code, 0);
}

TEST_F(Cli, SetOverridesReachTheModel) {
    const Result r = npusim("run --set array.rows=8 --set array.cols=8 --set array.dataflow=os");
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_NE(r.out.find("8x8 os"), std::string::npos) << r.out;
    const Result bad = npusim("run --set array.rows=banana");
    EXPECT_EQ(bad.code, 2);
    EXPECT_NE(bad.err.find("--set: array.rows:"), std::string::npos) << bad.err;
}

}  // namespace

// `npusim regress` end to end: the committed goldens pass, and every way a result can drift (an
// edited golden, a model timing change, a broken run) is caught with exit 1 and named; --update
// writes goldens a rerun accepts; a bad suite file is exit 2 with file:line:col.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "tests/integration/npusim_harness.h"

namespace {

namespace fs = std::filesystem;
using nlohmann::json;

using npu::testing::Result;
using npu::testing::slurp;

// 91732 -> "91,732", as the regress table prints integers.
std::string commas(uint64_t v) {
    std::string s = std::to_string(v);
    for (size_t i = s.size(); i > 3; i -= 3) s.insert(i - 3, ",");
    return s;
}

// The status column of a case's row in the regress table ("" when the case is not listed).
std::string status_of(const std::string& out, const std::string& name) {
    std::stringstream lines(out);
    for (std::string l; std::getline(lines, l);) {
        if (l.rfind(name + "  ", 0) != 0) continue;
        return l.substr(l.find_first_not_of(' ', name.size()));
    }
    return "";
}

const fs::path kGoldenDir = fs::path(NPUSIM_SOURCE_DIR) / "tests" / "golden";

class Regress : public npu::testing::NpusimTest {
  protected:
    // A private copy of the committed goldens to edit.
    fs::path copy_goldens() {
        const fs::path dir = m_dir / "golden";
        fs::copy(kGoldenDir, dir);
        return dir;
    }
};

TEST_F(Regress, QuickSuitePassesOnACleanTree) {
    const Result r = npusim("regress --quick");
    ASSERT_EQ(r.code, 0) << r.out << r.err;
    EXPECT_NE(r.out.find(" ok, 0 changed, 0 failed, 0 new"), std::string::npos) << r.out;
    EXPECT_EQ(status_of(r.out, "default_edge_npu"), "ok") << r.out;
    EXPECT_EQ(status_of(r.out, "gemm_small_os_overlap"), "ok") << r.out;
    // The benchmark case is quick: false.
    EXPECT_EQ(r.out.find("gemm_1024_32x32_timing"), std::string::npos) << r.out;
    EXPECT_EQ(r.err, "");
}

TEST_F(Regress, AnEditedGoldenCycleCountIsCaughtWithBothValues) {
    const fs::path dir = copy_goldens();
    const fs::path file = dir / "gemm_small_ws_overlap.json";
    json g = json::parse(slurp(file));
    const uint64_t cycles = g["totals"]["cycles"].get<uint64_t>();
    g["totals"]["cycles"] = cycles + 1000;
    std::ofstream(file) << g.dump(2);
    const Result r = npusim(
        "regress --only gemm_small_ws_overlap,gemm_small_ws_none --golden-dir " + dir.string());
    EXPECT_EQ(r.code, 1) << r.out << r.err;
    EXPECT_EQ(status_of(r.out, "gemm_small_ws_overlap"), "CHANGED (1 field)") << r.out;
    // golden -> now, and the change relative to the golden: -1000 / (cycles + 1000).
    char pct[32];
    std::snprintf(pct, sizeof pct, "(%+.1f%%)", -1000.0 / static_cast<double>(cycles + 1000) * 100);
    EXPECT_NE(r.out.find("    totals.cycles  " + commas(cycles + 1000) + " -> " + commas(cycles) +
                         "  " + pct + "\n"),
              std::string::npos)
        << r.out;
    EXPECT_EQ(status_of(r.out, "gemm_small_ws_none"), "ok") << r.out;
    EXPECT_NE(r.out.find("1 ok, 1 changed, 0 failed, 0 new"), std::string::npos) << r.out;
}

TEST_F(Regress, FloatsMatchToARelativeOneInABillionAndFlagsExactly) {
    const fs::path dir = copy_goldens();
    const fs::path file = dir / "default_vta.json";
    json g = json::parse(slurp(file));
    const double total = g["totals"]["energy_pj"]["total"].get<double>();
    g["totals"]["energy_pj"]["total"] = total * (1 + 1e-11);  // within 1e-9: still ok
    std::ofstream(file) << g.dump(2);
    Result r = npusim("regress --only default_vta --golden-dir " + dir.string());
    EXPECT_EQ(r.code, 0) << r.out;

    g["totals"]["energy_pj"]["total"] = total * (1 + 1e-8);  // beyond 1e-9: changed
    g["layers"][0]["bit_exact"] = false;
    std::ofstream(file) << g.dump(2);
    r = npusim("regress --only default_vta --golden-dir " + dir.string());
    EXPECT_EQ(r.code, 1) << r.out;
    EXPECT_EQ(status_of(r.out, "default_vta"), "CHANGED (2 fields)") << r.out;
    EXPECT_NE(r.out.find("    totals.energy_pj.total"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("    layers[0].bit_exact"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("false -> true\n"), std::string::npos) << r.out;
}

TEST_F(Regress, AModelTimingChangeIsCaught) {
    // The default_edge_npu case with a slower DRAM, compared with the committed golden.
    const fs::path suite = write("suite.yaml", R"(cases:
  - name: default_edge_npu
    config: configs/edge_npu.yaml
    workload: workloads/default.yaml
    set: [dram.latency_cycles=300]
    quick: true
)");
    const Result r = npusim("regress --suite " + suite.string());
    EXPECT_EQ(r.code, 1) << r.out << r.err;
    const uint64_t golden =
        json::parse(slurp(kGoldenDir / "default_edge_npu.json"))["totals"]["cycles"];
    EXPECT_NE(r.out.find("default_edge_npu  CHANGED ("), std::string::npos) << r.out;
    // totals.cycles is listed first, from the golden's count.
    EXPECT_NE(r.out.find(")\n    totals.cycles "), std::string::npos) << r.out;
    EXPECT_NE(r.out.find(" " + commas(golden) + " -> "), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("npusim regress --update --suite " + suite.string()), std::string::npos)
        << r.out;
}

TEST_F(Regress, UpdateWritesGoldensThatARerunAccepts) {
    const fs::path dir = m_dir / "fresh";
    const std::string args =
        "regress --only default_nvdla,conv_small_os_none --golden-dir " + dir.string();
    Result r = npusim(args);
    EXPECT_EQ(r.code, 1) << r.out;
    EXPECT_EQ(status_of(r.out, "default_nvdla"), "NEW (no golden)") << r.out;

    r = npusim(args + " --update");
    ASSERT_EQ(r.code, 0) << r.out << r.err;
    EXPECT_NE(r.out.find("wrote " + (dir / "default_nvdla.json").string() + "\n"),
              std::string::npos)
        << r.out;
    EXPECT_NE(r.out.find("wrote " + (dir / "conv_small_os_none.json").string() + "\n"),
              std::string::npos)
        << r.out;
    // The run is deterministic and the format fixed: byte for byte the committed golden.
    for (const char* name : {"default_nvdla.json", "conv_small_os_none.json"}) {
        const std::string text = slurp(dir / name);
        EXPECT_EQ(text, slurp(kGoldenDir / name)) << name;
        EXPECT_FALSE(json::parse(text).contains("host")) << name;
    }
    r = npusim(args);
    EXPECT_EQ(r.code, 0) << r.out;
    EXPECT_NE(r.out.find("2 ok, 0 changed, 0 failed, 0 new"), std::string::npos) << r.out;
}

TEST_F(Regress, ARunThatFailsOrAnUnreadableGoldenIsFailed) {
    const fs::path wl = write("broken.yaml", "name: broken\nlayers: [\n");
    const fs::path suite = write("suite.yaml",
                                 "cases:\n  - name: broken\n    config: "
                                 "configs/vta.yaml\n    workload: " +
                                     wl.string() + "\n    quick: true\n");
    const fs::path dir = copy_goldens();
    std::ofstream(dir / "default_gemmini.json") << "{ not json";
    Result r = npusim("regress --suite " + suite.string() + " --golden-dir " + dir.string());
    EXPECT_EQ(r.code, 1) << r.out;
    EXPECT_NE(r.out.find("broken  FAILED (exit 2: error: " + wl.string() + ":3:1: invalid YAML"),
              std::string::npos)
        << r.out;
    r = npusim("regress --only default_gemmini --golden-dir " + dir.string());
    EXPECT_EQ(r.code, 1) << r.out;
    EXPECT_NE(
        r.out.find("default_gemmini  FAILED (golden " + (dir / "default_gemmini.json").string()),
        std::string::npos)
        << r.out;
    // --update keeps the golden of a failed run and says so.
    r = npusim("regress --update --suite " + suite.string() + " --golden-dir " + dir.string());
    EXPECT_EQ(r.code, 1) << r.out;
    EXPECT_NE(r.out.find("failed cases keep their old goldens"), std::string::npos) << r.out;
    EXPECT_FALSE(fs::exists(dir / "broken.json"));
}

TEST_F(Regress, ABadSuiteFileIsExitTwoWithFileLineColumn) {
    const fs::path suite = write("bad.yaml", R"(cases:
  - name: a
    config: configs/edge_npu.yaml
    workload: workloads/default.yaml
    qick: true
  - name: a
    config: configs/edge_npu.yaml
    workload: workloads/default.yaml
    set: [array.rows=sixteen]
    batch: 0
    quick: maybe
)");
    const Result r = npusim("regress --suite " + suite.string());
    EXPECT_EQ(r.code, 2);
    EXPECT_EQ(r.out, "");
    const std::string f = suite.string();
    EXPECT_EQ(r.err, "error: " + f +
                         ":5:5: cases[0].qick: unknown key; expected one of: name, config, "
                         "workload, set, batch, timing_only, quick\n" +
                         "error: " + f + ":2:5: cases[0]: missing required key 'quick'\n" +
                         "error: " + f + ":10:12: cases[1].batch: expected an integer from 1 " +
                         "to 4096 (run with --batch N), found '0'\n" + "error: " + f +
                         ":11:12: cases[1].quick: expected true or false, " + "found 'maybe'\n" +
                         "error: " + f +
                         ":9:10: cases[1].set: --set: array.rows: expected an integer, found "
                         "'sixteen'\n" +
                         "error: " + f + ":6:11: cases[1].name: duplicate case name 'a'\n");

    const Result only = npusim("regress --only nosuch");
    EXPECT_EQ(only.code, 2);
    EXPECT_NE(only.err.find("error: <command line>: --only: no case 'nosuch' in "),
              std::string::npos)
        << only.err;
}

}  // namespace

// Design-space exploration in `npusim sweep` (docs/sweeps.md): objectives and constraints in the
// results, derived keys and keys that move together, unknown keys refused before anything runs,
// the sampling strategies (deterministic, resumable) and `sweep status`.
#include <filesystem>
#include <nlohmann/json.hpp>
#include <set>
#include <string>

#include "tests/integration/npusim_harness.h"

namespace {

namespace fs = std::filesystem;
using nlohmann::json;

using npu::testing::Result;
using npu::testing::slurp;

class SweepExplore : public npu::testing::NpusimTest {
  protected:
    json results(const fs::path& dir) { return json::parse(slurp(dir / "results.json")); }
};

// gemm_small, timing-only, square arrays 8/16/32 with the bank widths derived from the side, and
// two scratchpad sizes: every point is valid. Area (edge_npu's table: int8 PE 419 um^2, SRAM
// 5 um^2/byte, accumulator 64 KiB, 16 fixed-point post-processing lanes of 3632 um^2):
//   side 8:  64 * 419 = 26816 um^2; side 16: 107264; side 32: 429056
//   SRAM: 64 KiB + 64 KiB = 655360 um^2; 256 KiB + 64 KiB = 1638400 um^2
//   PPU: 16 * 3632 = 58112 um^2
// so under area_mm2 <= 1.0 only the 64 KiB points are feasible (0.740, 0.821, 1.143 -> not 32).
TEST_F(SweepExplore, ConstraintsMarkPointsAndTheFrontIsAmongFeasibleOnes) {
    const fs::path file = write("c.yaml",
                                "name: constrained\n"
                                "workloads: [workloads/gemm_small.yaml]\n"
                                "timing_only: true\n"
                                "grid:\n"
                                "  array.rows: {range: [8, 32], step: pow2}\n"
                                "  scratchpad.size: [64KiB, 256KiB]\n"
                                "derived:\n"
                                "  array.cols: \"{array.rows}\"\n"
                                "  scratchpad.bank_width: \"{array.rows}B\"\n"
                                "  accumulator.bank_width: \"{array.cols*4}B\"\n"
                                "objectives: [edp, area]\n"
                                "constraints:\n"
                                "  area_mm2: {max: 1.0}\n");
    const fs::path out = m_dir / "c";
    const Result r = npusim("sweep " + file.string() + " -j 2 --no-progress --out " + out.string());
    ASSERT_EQ(r.code, 0) << r.out << r.err;
    EXPECT_NE(r.out.find("6 done, 0 skipped (0 invalid, 0 failed)"), std::string::npos) << r.out;
    const json res = results(out);
    ASSERT_EQ(res["points"].size(), 6u);
    EXPECT_EQ(res["objectives"], json({"edp", "area"}));
    const std::vector<std::string> widths = {"8B", "8B", "16B", "16B", "32B", "32B"};
    const std::vector<bool> feasible = {true, false, true, false, false, false};
    for (size_t i = 0; i < 6; ++i) {
        const json& p = res["points"][i];
        EXPECT_EQ(p["settings"]["scratchpad.bank_width"], widths[i]) << i;
        EXPECT_EQ(p["status"], "ok") << i;
        EXPECT_EQ(p["feasible"], feasible[i]) << i;
        // edp = energy (J) x latency (s)
        EXPECT_DOUBLE_EQ(p["edp"].get<double>(),
                         p["energy_pj"].get<double>() * 1e-12 * p["latency_s"].get<double>());
        if (!feasible[i]) {
            EXPECT_EQ(p["violates"], "area_mm2 > 1.0") << i;
            EXPECT_FALSE(p.contains("rank")) << i;
            EXPECT_FALSE(p["pareto"].get<bool>()) << i;
        }
    }
    // Side 16 has the lower EDP (1403 cycles vs 2492, less energy), side 8 the smaller area:
    // both on the (edp, area) front among the two feasible points.
    EXPECT_DOUBLE_EQ(res["points"][0]["area_mm2"].get<double>(),
                     (26816.0 + 655360.0 + 58112.0) * 1e-6);
    EXPECT_LT(res["points"][2]["edp"].get<double>(), res["points"][0]["edp"].get<double>());
    EXPECT_EQ(res["points"][0]["rank"], 1);
    EXPECT_EQ(res["points"][2]["rank"], 1);
    EXPECT_TRUE(res["points"][0]["pareto"].get<bool>());
    EXPECT_TRUE(res["points"][2]["pareto"].get<bool>());
    const std::string csv = slurp(out / "results.csv");
    EXPECT_NE(csv.find(",ok,1403,"), std::string::npos) << csv;
    EXPECT_NE(csv.find(",false,area_mm2 > 1.0,,false,"), std::string::npos) << csv;
    EXPECT_NE(slurp(out / "report.html").find("<title>npusim sweep: constrained</title>"),
              std::string::npos);
}

// --grid with several keys moves them together; a constraint on a config key reads the point's
// effective config with the key's own units.
TEST_F(SweepExplore, GridFlagWithKeysThatMoveTogether) {
    const fs::path out = m_dir / "g";
    const Result r = npusim(
        "sweep --workload workloads/gemm_small.yaml --grid "
        "array.rows,array.cols,scratchpad.bank_width,accumulator.bank_width=8:8:8B:32B,32:32:32B:"
        "128B --objectives latency "
        "--timing-only --no-progress --out " +
        out.string());
    ASSERT_EQ(r.code, 0) << r.out << r.err;
    const json res = results(out);
    ASSERT_EQ(res["points"].size(), 2u);
    EXPECT_EQ(res["points"][1]["settings"], json({{"accumulator.bank_width", "128B"},
                                                  {"array.cols", "32"},
                                                  {"array.rows", "32"},
                                                  {"scratchpad.bank_width", "32B"}}));
    // One objective: the front is the fastest point.
    EXPECT_FALSE(res["points"][0]["pareto"].get<bool>());
    EXPECT_TRUE(res["points"][1]["pareto"].get<bool>());
    EXPECT_EQ(res["points"][0]["rank"], 2);

    const Result bad = npusim(
        "sweep --workload workloads/gemm_small.yaml --grid "
        "array.rows,array.cols=8:8,16 --out " +
        (m_dir / "x").string());
    EXPECT_EQ(bad.code, 2);
    EXPECT_NE(bad.err.find("--grid: expected 2 values joined by ':' per alternative in "
                           "'array.rows,array.cols=8:8,16', found '16'"),
              std::string::npos)
        << bad.err;
}

// Unknown keys in the grid, points or derived keys and unknown constraint columns are refused
// before any point runs, all at once, with the config loader's hint.
TEST_F(SweepExplore, UnknownKeysAreRefusedBeforeAnythingRuns) {
    const fs::path file = write("u.yaml",
                                "workloads: [workloads/gemm_small.yaml]\n"
                                "grid:\n"
                                "  array.row: [8, 16]\n"
                                "points:\n"
                                "  - {scratchpad.sise: 64KiB}\n"
                                "derived:\n"
                                "  array.cols: \"{array.rowz}\"\n"
                                "objectives: [latency, power]\n"
                                "constraints:\n"
                                "  area: {max: 1}\n"
                                "  scratchpad.size: {max: 2GHz}\n");
    const fs::path out = m_dir / "u";
    const Result r = npusim("sweep " + file.string() + " --out " + out.string());
    EXPECT_EQ(r.code, 2);
    const std::string f = file.string();
    for (const std::string& msg :
         {f + ":3:3: array.row: unknown key, did you mean 'array.rows'?",
          f + ":5:5: scratchpad.sise: unknown key, did you mean 'scratchpad.size'?",
          f + ":7:15: derived.array.cols: the template reads 'array.rowz': unknown key, did "
              "you mean 'array.rows'?",
          f + ":8:23: objectives[1]: expected one of latency, energy, edp, area, dram_bytes, "
              "inferences_per_second, tops_per_watt, found 'power'",
          f + ":10:3: constraints.area: unknown column: expected a result column (cycles, "
              "latency_s, inferences_per_second, energy_pj, edp, tops_per_watt, dram_bytes, "
              "mac_utilization, area_mm2) or a config key; did you mean 'area_mm2'?",
          f + ":11:3: constraints.scratchpad.size: max: expected a size such as 256KiB, found "
              "'2GHz'"}) {
        EXPECT_NE(r.err.find(msg), std::string::npos) << msg << "\n" << r.err;
    }
    EXPECT_FALSE(fs::exists(out));
}

// random and lhs draw `budget` distinct grid points, the same ones for the same seed.
TEST_F(SweepExplore, SamplingStrategiesAreDeterministicForASeed) {
    const std::string base =
        "sweep --workload workloads/gemm_small.yaml --grid array.rows=8,16,32 "
        "--grid scratchpad.size=64KiB,128KiB,256KiB,512KiB --derive scratchpad.bank_width="
        "{array.rows}B --timing-only --no-progress --budget 5 ";
    for (const std::string strategy : {"random", "lhs"}) {
        const fs::path a = m_dir / (strategy + "a"), b = m_dir / (strategy + "b");
        const Result ra = npusim(base + "--strategy " + strategy + " --seed 7 --out " + a.string());
        ASSERT_EQ(ra.code, 0) << ra.out << ra.err;
        ASSERT_EQ(npusim(base + "--strategy " + strategy + " --seed 7 --out " + b.string()).code,
                  0);
        EXPECT_EQ(slurp(a / "results.csv"), slurp(b / "results.csv")) << strategy;
        std::set<std::string> ids;
        const json res = results(a);
        for (const json& p : res["points"]) ids.insert(p["id"].get<std::string>());
        EXPECT_EQ(ids.size(), 5u) << strategy;
    }
    // lhs: 5 strata over 3 array sizes and 4 SRAM sizes use every array size and every SRAM size
    // (stratum k of 5 covers array index floor(3k/5 .. 3(k+1)/5)).
    std::set<std::string> rows, sizes;
    const json lhs = results(m_dir / "lhsa");
    for (const json& p : lhs["points"]) {
        rows.insert(p["settings"]["array.rows"].get<std::string>());
        sizes.insert(p["settings"]["scratchpad.size"].get<std::string>());
    }
    EXPECT_EQ(rows.size(), 3u);
    EXPECT_EQ(sizes.size(), 4u);
}

// NSGA-II in generations: the budget is met exactly, a rerun replays the search and runs only
// what is missing, and the results are the same.
TEST_F(SweepExplore, Nsga2ResumesAndReplaysTheSameSearch) {
    const fs::path file = write("n.yaml",
                                "name: search\n"
                                "workloads: [workloads/gemm_small.yaml]\n"
                                "timing_only: true\n"
                                "strategy: nsga2\n"
                                "budget: 10\n"
                                "population: 4\n"
                                "seed: 3\n"
                                "grid:\n"
                                "  array.rows: {range: [8, 64], step: pow2}\n"
                                "  scratchpad.size: {range: [64KiB, 512KiB], step: pow2}\n"
                                "  dram.bandwidth: [8GB/s, 16GB/s, 32GB/s]\n"
                                "derived:\n"
                                "  array.cols: \"{array.rows}\"\n"
                                "  scratchpad.bank_width: \"{array.rows}B\"\n"
                                "  accumulator.bank_width: \"{array.cols*4}B\"\n"
                                "objectives: [latency, energy, area]\n");
    const fs::path out = m_dir / "n";
    const std::string cmd = "sweep " + file.string() + " -j 2 --no-progress --out " + out.string();
    const Result first = npusim(cmd);
    ASSERT_EQ(first.code, 0) << first.out << first.err;
    // 10 = generations of 4, 4 and 2.
    EXPECT_NE(first.out.find("generation 0: 4 points, 4 to run\n"), std::string::npos);
    EXPECT_NE(first.out.find("generation 2: 2 points, 2 to run\n"), std::string::npos);
    EXPECT_NE(first.out.find("10 done, 0 skipped"), std::string::npos) << first.out;
    const json res = results(out);
    ASSERT_EQ(res["points"].size(), 10u);
    const std::string csv = slurp(out / "results.csv");
    const json manifest = json::parse(slurp(out / "sweep.json"));
    EXPECT_EQ(manifest["points"][9]["generation"], 2);

    fs::remove_all(out / "points" / res["points"][5]["id"].get<std::string>());
    const Result again = npusim(cmd);
    ASSERT_EQ(again.code, 0) << again.out << again.err;
    EXPECT_NE(again.out.find("1 done, 9 skipped"), std::string::npos) << again.out;
    EXPECT_EQ(slurp(out / "results.csv"), csv);

    const Result shard = npusim(cmd + " --shard 0/2");
    EXPECT_EQ(shard.code, 2);
    EXPECT_NE(shard.err.find("strategy nsga2 runs its generations in order"), std::string::npos);
}

TEST_F(SweepExplore, StatusCountsDoneAndPendingPoints) {
    const fs::path out = m_dir / "s";
    const std::string cmd =
        "sweep --workload workloads/gemm_small.yaml --grid array.rows=8,16,64 --timing-only "
        "--no-progress --out " +
        out.string();
    ASSERT_EQ(npusim(cmd).code, 0);
    fs::remove_all(out / "points" / results(out)["points"][0]["id"].get<std::string>());
    const Result st = npusim("sweep status " + out.string());
    ASSERT_EQ(st.code, 0) << st.err;
    EXPECT_NE(st.out.find("3 points, 2 done (1 invalid), 0 running, 0 failed, 1 pending"),
              std::string::npos)
        << st.out;
    EXPECT_NE(st.out.find("all          3       2        1        0       0        1"),
              std::string::npos)
        << st.out;
}

}  // namespace

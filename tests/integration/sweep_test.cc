// `npusim sweep` end to end: grid expansion and stable point ids, invalid points reported and
// skipped, resume after losing a point, shards + merge equal to the whole sweep, the Pareto
// marking on a hand-checked set, several points per process equal to one process per point, and
// a bad sweep file as exit 2 with file:line:col.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
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

class Sweep : public npu::testing::NpusimTest {
  protected:
    json results(const fs::path& dir) { return json::parse(slurp(dir / "results.json")); }
    // The row of a point given by one of its settings (each test's settings tell points apart).
    static const json* row(const json& res, const std::string& key, const std::string& value) {
        for (const json& p : res["points"]) {
            if (p["settings"].value(key, "") == value) return &p;
        }
        return nullptr;
    }
};

// 2 workloads x 2 x 2 grid = 8 points; a second sweep into another directory names them the
// same and writes byte-identical results.
TEST_F(Sweep, GridExpandsToTheCartesianProductWithStableIds) {
    const std::string cmd =
        "sweep --workload workloads/gemm_small.yaml --workload workloads/conv_small.yaml "
        "--grid array.rows=8,16 --grid scratchpad.size=1KiB,256KiB --timing-only -j 2 --out ";
    const Result a = npusim(cmd + (m_dir / "a").string());
    ASSERT_EQ(a.code, 0) << a.out << a.err;
    EXPECT_NE(a.out.find("npusim sweep: 8 points, 8 to run"), std::string::npos) << a.out;
    const json res = results(m_dir / "a");
    ASSERT_EQ(res["points"].size(), 8u);
    std::set<std::string> ids;
    for (const json& p : res["points"]) {
        ids.insert(p["id"].get<std::string>());
        EXPECT_TRUE(fs::is_directory(m_dir / "a" / "points" / p["id"].get<std::string>()));
    }
    EXPECT_EQ(ids.size(), 8u);
    // Order: per workload, the first grid dimension slowest.
    EXPECT_EQ(res["points"][0]["workload"], "workloads/gemm_small.yaml");
    EXPECT_EQ(res["points"][0]["settings"],
              json({{"array.rows", "8"}, {"scratchpad.size", "1KiB"}}));
    EXPECT_EQ(res["points"][1]["settings"],
              json({{"array.rows", "8"}, {"scratchpad.size", "256KiB"}}));
    EXPECT_EQ(res["points"][2]["settings"],
              json({{"array.rows", "16"}, {"scratchpad.size", "1KiB"}}));
    EXPECT_EQ(res["points"][4]["workload"], "workloads/conv_small.yaml");
    // The id is 12 hex digits of a hash of the workload, the settings and the sweep's identity.
    EXPECT_EQ(res["points"][0]["id"].get<std::string>().find_first_not_of("0123456789abcdef"),
              std::string::npos);
    EXPECT_EQ(res["points"][0]["id"].get<std::string>().size(), 12u);
    EXPECT_EQ(slurp(m_dir / "a" / "results.csv").substr(0, 197),
              "id,workload,array.rows,scratchpad.size,status,cycles,latency_s,inferences_per_"
              "second,energy_pj,edp,tops_per_watt,dram_bytes,mac_utilization,area_mm2,feasible,"
              "violates,rank,pareto,pareto_area,error\n");

    const Result b = npusim(cmd + (m_dir / "b").string());
    ASSERT_EQ(b.code, 0) << b.out << b.err;
    EXPECT_EQ(slurp(m_dir / "a" / "results.csv"), slurp(m_dir / "b" / "results.csv"));
    EXPECT_EQ(slurp(m_dir / "a" / "results.json"), slurp(m_dir / "b" / "results.json"));
}

// array.rows=64 breaks scratchpad.bank_width >= rows (16B in edge_npu): that point is recorded
// with the config's error and the sweep still succeeds.
TEST_F(Sweep, InvalidPointIsReportedAndSkipped) {
    const fs::path out = m_dir / "s";
    const Result r = npusim(
        "sweep --workload workloads/gemm_small.yaml --grid array.rows=16,64 --timing-only --out " +
        out.string());
    ASSERT_EQ(r.code, 0) << r.out << r.err;
    EXPECT_NE(r.out.find("2 done, 0 skipped (1 invalid, 0 failed)"), std::string::npos) << r.out;
    const json res = results(out);
    const json* bad = row(res, "array.rows", "64");
    const json* good = row(res, "array.rows", "16");
    ASSERT_TRUE(bad && good) << res.dump(2);
    EXPECT_EQ((*bad)["status"], "invalid");
    EXPECT_NE((*bad)["error"].get<std::string>().find("scratchpad.bank_width: expected >= "
                                                      "array.rows (64)"),
              std::string::npos)
        << (*bad)["error"];
    EXPECT_FALSE(bad->contains("cycles"));
    EXPECT_EQ((*good)["status"], "ok");
    EXPECT_GT((*good)["cycles"].get<uint64_t>(), 0u);
    EXPECT_NE(slurp(out / "results.csv").find(",invalid,,,,,,,,,,false,,,false,false,"),
              std::string::npos);
}

// A rerun skips finished points, runs only the one whose directory was lost, and writes the same
// results as the first run. The sweep file form, with a relative --out.
TEST_F(Sweep, RerunResumesOnlyMissingPoints) {
    const fs::path file = write("s.yaml",
                                "hw: configs/edge_npu.yaml\n"
                                "workloads: [workloads/gemm_small.yaml]\n"
                                "timing_only: true\n"
                                "grid:\n"
                                "  array.rows: [8, 16]\n"
                                "  dram.bandwidth: [8GB/s, 16GB/s]\n");
    const std::string cmd = "sweep " + file.string() + " -j 2 --out " + (m_dir / "r").string();
    const Result first = npusim(cmd);
    ASSERT_EQ(first.code, 0) << first.out << first.err;
    EXPECT_NE(first.out.find("4 done, 0 skipped"), std::string::npos) << first.out;
    const std::string csv = slurp(m_dir / "r" / "results.csv");
    const json res = results(m_dir / "r");
    fs::remove_all(m_dir / "r" / "points" / res["points"][2]["id"].get<std::string>());

    const Result again = npusim(cmd);
    ASSERT_EQ(again.code, 0) << again.out << again.err;
    EXPECT_NE(again.out.find("1 done, 3 skipped"), std::string::npos) << again.out;
    EXPECT_NE(again.out.find(res["points"][2]["id"].get<std::string>()), std::string::npos);
    EXPECT_EQ(slurp(m_dir / "r" / "results.csv"), csv);

    const Result third = npusim(cmd);
    EXPECT_NE(third.out.find("0 done, 4 skipped"), std::string::npos) << third.out;
}

// Shards 0/2 and 1/2 run disjoint halves; merged they give the whole sweep's results exactly.
TEST_F(Sweep, ShardsMergeToTheWholeSweep) {
    const std::string cmd =
        "sweep --workload workloads/gemm_small.yaml --grid array.rows=8,16,64 "
        "--grid dram.bandwidth=8GB/s,16GB/s --timing-only --out ";
    ASSERT_EQ(npusim(cmd + (m_dir / "all").string()).code, 0);
    const Result s0 = npusim(cmd + (m_dir / "s0").string() + " --shard 0/2");
    const Result s1 = npusim(cmd + (m_dir / "s1").string() + " --shard 1/2");
    ASSERT_EQ(s0.code, 0) << s0.out << s0.err;
    ASSERT_EQ(s1.code, 0) << s1.out << s1.err;
    EXPECT_NE(s0.out.find("3 points (shard 0/2 of 6)"), std::string::npos) << s0.out;
    EXPECT_EQ(results(m_dir / "s0")["points"].size(), 3u);

    // One shard alone is incomplete.
    const Result partial =
        npusim("sweep merge " + (m_dir / "s0").string() + " --out " + (m_dir / "p").string());
    EXPECT_EQ(partial.code, 1) << partial.out;
    EXPECT_NE(partial.out.find("3 of 6 points complete, 3 missing"), std::string::npos)
        << partial.out;

    const Result m = npusim("sweep merge " + (m_dir / "s0").string() + " " +
                            (m_dir / "s1").string() + " --out " + (m_dir / "m").string());
    ASSERT_EQ(m.code, 0) << m.out << m.err;
    EXPECT_EQ(slurp(m_dir / "m" / "results.csv"), slurp(m_dir / "all" / "results.csv"));
    EXPECT_EQ(slurp(m_dir / "m" / "results.json"), slurp(m_dir / "all" / "results.json"));
    // The merged directory holds every point, so it resumes like the whole sweep's.
    const Result resumed = npusim(cmd + (m_dir / "m").string());
    EXPECT_NE(resumed.out.find("0 done, 6 skipped"), std::string::npos) << resumed.out;
}

// Hand-checked (latency cycles, energy pJ) of gemm_small at 1 GHz, scratchpad.bank_width 32B
// (each energy includes requantizing 37*29 + 37*13 = 1554 elements at 3.3 pJ = 5128.2 pJ):
//   rows 32, hbm2_dc      (1262, 6734669.1)  fastest                             -> front
//   rows 16, horowitz45   (1396,  882257.9)  beats rows 32 on energy             -> front
//   rows 8,  lpddr4_edge  (1749,  370127.9)  least energy                        -> front
//   rows 8,  horowitz45   (1749,  941717.9)  same latency as lpddr4, more energy -> dominated
TEST_F(Sweep, ParetoFrontOnLatencyAndEnergy) {
    const std::string bw = ", scratchpad.bank_width: 32B}\n";
    const fs::path file = write("p.yaml",
                                "workloads: [workloads/gemm_small.yaml]\n"
                                "timing_only: true\n"
                                "points:\n"
                                "  - {array.rows: 32, energy: hbm2_dc" +
                                    bw + "  - {array.rows: 16, energy: horowitz45" + bw +
                                    "  - {array.rows: 8, energy: lpddr4_edge" + bw +
                                    "  - {array.rows: 8, energy: horowitz45" + bw);
    const Result r = npusim("sweep " + file.string() + " --out " + (m_dir / "p").string());
    ASSERT_EQ(r.code, 0) << r.out << r.err;
    const json res = results(m_dir / "p");
    ASSERT_EQ(res["points"].size(), 4u) << res.dump(2);
    const std::vector<std::pair<uint64_t, bool>> expect = {
        {1262, true}, {1396, true}, {1749, true}, {1749, false}};
    for (size_t i = 0; i < expect.size(); ++i) {
        EXPECT_EQ(res["points"][i]["cycles"], expect[i].first) << i;
        EXPECT_EQ(res["points"][i]["pareto"], expect[i].second) << i;
    }
    // With the area (32x32 > 16x16 > 8x8 PEs) every point that ran differently is optimal for
    // its area too; the duplicate-cycles point with more energy is still dominated.
    const std::vector<bool> with_area = {true, true, true, false};
    for (size_t i = 0; i < with_area.size(); ++i) {
        EXPECT_EQ(res["points"][i]["pareto_area"], with_area[i]) << i;
    }
    // tops_per_watt = (2 * MACs / J) / 1e12 = 2 * MACs / energy_pj, MACs from the point's run.
    const json& lp = res["points"][2];
    const json stats =
        json::parse(slurp(m_dir / "p" / "points" / lp["id"].get<std::string>() / "stats.json"));
    const double macs = stats["totals"]["macs_total"].get<double>();
    EXPECT_DOUBLE_EQ(lp["energy_pj"].get<double>(), 370127.9);
    EXPECT_DOUBLE_EQ(lp["tops_per_watt"].get<double>(), 2.0 * macs / 370127.9);
}

// The files of every point of two sweep directories, compared: byte for byte, except the host
// section of stats.json (the run's own wall time) and, in point.json, stats.json's hash.
void expect_same_points(const fs::path& a, const fs::path& b) {
    size_t points = 0;
    for (const auto& e : fs::directory_iterator(a / "points")) {
        const std::string id = e.path().filename().string();
        if (id[0] == '.') continue;
        ++points;
        const fs::path other = b / "points" / id;
        std::set<std::string> names_a, names_b;
        for (const auto& f : fs::directory_iterator(e.path())) {
            names_a.insert(f.path().filename().string());
        }
        for (const auto& f : fs::directory_iterator(other)) {
            names_b.insert(f.path().filename().string());
        }
        EXPECT_EQ(names_a, names_b) << id;
        for (const std::string& name : names_a) {
            if (name == "stats.json") {
                json x = json::parse(slurp(e.path() / name)), y = json::parse(slurp(other / name));
                x.erase("host");
                y.erase("host");
                EXPECT_EQ(x, y) << id;
            } else if (name == "point.json") {
                json x = json::parse(slurp(e.path() / name)), y = json::parse(slurp(other / name));
                x["files"].erase("stats.json");
                y["files"].erase("stats.json");
                EXPECT_EQ(x, y) << id;
            } else {
                EXPECT_EQ(slurp(e.path() / name), slurp(other / name)) << id << "/" << name;
            }
        }
    }
    EXPECT_GT(points, 0u);
}

// --points-per-process: the same points (ok, functional and timing-only, and invalid ones) give
// the same results.csv, results.json and point files as one process per point.
TEST_F(Sweep, PointsPerProcessWritesTheSameResults) {
    for (const char* mode : {"", "--timing-only "}) {
        const std::string cmd =
            "sweep --workload workloads/gemm_small.yaml --workload workloads/tiny_resnet.yaml "
            "--grid array.rows=8,64 --grid scratchpad.size=64KiB,256KiB -j 2 --no-progress " +
            std::string(mode) + "--out ";
        const fs::path one = m_dir / "one", batched = m_dir / "batched";
        fs::remove_all(one);
        fs::remove_all(batched);
        const Result a = npusim(cmd + one.string());
        ASSERT_EQ(a.code, 0) << a.out << a.err;
        const Result b = npusim(cmd + batched.string() + " --points-per-process 50");
        ASSERT_EQ(b.code, 0) << b.out << b.err;
        EXPECT_NE(b.out.find("8 done, 0 skipped (4 invalid, 0 failed)"), std::string::npos)
            << b.out;
        EXPECT_EQ(slurp(one / "results.csv"), slurp(batched / "results.csv")) << mode;
        EXPECT_EQ(slurp(one / "results.json"), slurp(batched / "results.json")) << mode;
        expect_same_points(one, batched);
        // Nothing of the batches is left behind.
        for (const auto& e : fs::directory_iterator(batched / "points")) {
            EXPECT_NE(e.path().filename().string()[0], '.') << e.path();
        }
    }
    const Result bad = npusim(
        "sweep --workload workloads/gemm_small.yaml --grid array.rows=8 "
        "--points-per-process 0 --out " +
        (m_dir / "x").string());
    EXPECT_EQ(bad.code, 2);
    EXPECT_NE(
        bad.err.find("--points-per-process: expected a whole number from 1 to 100000, found '0'"),
        std::string::npos)
        << bad.err;
}

// A batch process killed part-way (SIGKILL once its first point has finished): the points it
// finished are published, the others fail (nothing half-written is published), and a rerun runs
// exactly those, after which the results equal a clean sweep's.
TEST_F(Sweep, KilledBatchFailsItsUnfinishedPointsAndARerunCompletesThem) {
    const std::string cmd =
        "sweep --workload workloads/mobilenet_v2.yaml --grid array.rows=8,16 "
        "--grid scratchpad.size=128KiB,256KiB,512KiB,1MiB "
        "--timing-only -j 1 --no-progress --out ";
    const fs::path out = m_dir / "k";
    const std::string line = std::string("cd ") + NPUSIM_SOURCE_DIR + " && exec " + NPUSIM_BINARY +
                             " " + cmd + out.string() + " --points-per-process 8 >" +
                             (m_dir / "k.out").string() + " 2>&1";
    const pid_t sweep = ::fork();
    ASSERT_GE(sweep, 0);
    if (sweep == 0) {
        ::execl("/bin/sh", "sh", "-c", line.c_str(), static_cast<char*>(nullptr));
        ::_exit(127);
    }
    // The batch process: the one whose command line says run-batch and names this sweep.
    const auto find_batch = [&]() -> pid_t {
        for (const auto& e : fs::directory_iterator("/proc")) {
            const std::string name = e.path().filename().string();
            if (name.find_first_not_of("0123456789") != std::string::npos) continue;
            std::string cmdline = slurp(e.path() / "cmdline");
            for (char& c : cmdline) c = c == '\0' ? ' ' : c;
            if (cmdline.find("run-batch") != std::string::npos &&
                cmdline.find(out.string()) != std::string::npos) {
                return static_cast<pid_t>(std::stol(name));
            }
        }
        return -1;
    };
    const auto finished_points = [&] {
        size_t n = 0;
        std::error_code ec;
        for (const auto& e : fs::recursive_directory_iterator(out / "points", ec)) {
            n += e.path().filename() == "run.status";
        }
        return n;
    };
    bool killed = false;
    for (int i = 0; i < 6000 && !killed; ++i) {  // up to 60 s
        const pid_t batch = finished_points() > 0 ? find_batch() : -1;
        if (batch > 0) killed = ::kill(batch, SIGKILL) == 0;
        if (!killed) ::usleep(10000);
    }
    int status = 0;
    ASSERT_EQ(::waitpid(sweep, &status, 0), sweep);
    ASSERT_TRUE(killed) << slurp(m_dir / "k.out");
    const std::string log = slurp(m_dir / "k.out");
    EXPECT_EQ(WEXITSTATUS(status), 1) << log;
    EXPECT_NE(log.find("not finished: its batch process (--points-per-process) ended (killed by "
                       "signal 9) before it did"),
              std::string::npos)
        << log;
    size_t published = 0;
    for (const auto& e : fs::directory_iterator(out / "points")) {
        const std::string name = e.path().filename().string();
        ASSERT_NE(name[0], '.') << "left behind: " << name;
        ++published;
    }
    EXPECT_GE(published, 1u);
    EXPECT_LT(published, 8u);

    const Result again = npusim(cmd + out.string() + " --points-per-process 8");
    ASSERT_EQ(again.code, 0) << again.out << again.err;
    EXPECT_NE(again.out.find(std::to_string(8 - published) + " done, " + std::to_string(published) +
                             " skipped (0 invalid, 0 failed)"),
              std::string::npos)
        << again.out;
    const Result clean = npusim(cmd + (m_dir / "clean").string());
    ASSERT_EQ(clean.code, 0) << clean.out << clean.err;
    EXPECT_EQ(slurp(out / "results.csv"), slurp(m_dir / "clean" / "results.csv"));
    expect_same_points(m_dir / "clean", out);
}

TEST_F(Sweep, BadSweepFileIsExit2WithPosition) {
    const fs::path file = write("bad.yaml",
                                "workloads: [workloads/gemm_small.yaml, nope.yaml]\n"
                                "grid:\n"
                                "  array.rows: []\n"
                                "colour: blue\n");
    const Result r = npusim("sweep " + file.string() + " --out " + (m_dir / "x").string());
    EXPECT_EQ(r.code, 2);
    EXPECT_NE(r.err.find(file.string() +
                         ":1:40: workloads[1]: expected a workload file or a bundled name"),
              std::string::npos)
        << r.err;
    EXPECT_NE(r.err.find(":3:15: grid.array.rows: expected a non-empty list"), std::string::npos)
        << r.err;
    EXPECT_NE(r.err.find(":4:1: colour: unknown key"), std::string::npos) << r.err;
    EXPECT_FALSE(fs::exists(m_dir / "x"));
}

// A value its key's own parser refuses is refused before any point runs (not a sweep of invalid
// points); a value valid alone but against another key's rule is that point's problem.
TEST_F(Sweep, AGridValueItsKeyRefusesStopsTheSweepBeforeItRuns) {
    const fs::path out = m_dir / "s";
    Result r = npusim("sweep --workload gemm_small --grid array.rows=abc,16 --timing-only --out " +
                      out.string());
    EXPECT_EQ(r.code, 2);
    EXPECT_EQ(r.err, "error: <command line>: array.rows: expected an integer, found 'abc'\n");
    EXPECT_FALSE(fs::exists(out));
}

}  // namespace

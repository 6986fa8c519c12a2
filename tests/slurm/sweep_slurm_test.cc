// `npusim sweep --slurm` on a real Slurm (scripts/slurm-local.sh: munged, slurmctld and slurmd on
// this machine, loopback only): the example sweep as a job array of 4 shard tasks and a merge job
// gives results byte-identical to the same sweep run locally; a resubmission runs only what is
// missing; an NSGA-II search runs a job array per generation and equals its local run.
//
// ctest label `slurm`, outside the default run: it starts daemons (and may install packages). It
// runs when NPUSIM_SLURM_TESTS=1 (scripts/test.sh --slurm, .ci/run), and skips otherwise.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>

#include "tests/integration/npusim_harness.h"

namespace {

namespace fs = std::filesystem;
using nlohmann::json;

using npu::testing::Result;
using npu::testing::slurp;

class SweepSlurm : public npu::testing::NpusimTest {
  protected:
    void SetUp() override {
        NpusimTest::SetUp();
        const char* on = std::getenv("NPUSIM_SLURM_TESTS");
        if (on == nullptr || std::string(on) != "1") {
            GTEST_SKIP() << "needs a local Slurm: NPUSIM_SLURM_TESTS=1 ctest -L slurm "
                            "(scripts/test.sh --slurm) starts one";
        }
        // A cluster of the test's own (its folder and ports, from the pid), so one a developer
        // runs, or the other test running beside it, is left alone.
        m_slurm = fs::path("/tmp") / ("npusim-slurm-test-" + std::to_string(::getpid()));
        ::setenv("NPUSIM_SLURM_DIR", m_slurm.c_str(), 1);
        ::setenv("NPUSIM_SLURM_PORT", std::to_string(20000 + 2 * (::getpid() % 10000)).c_str(), 1);
        ::setenv("SLURM_CONF", (m_slurm / "slurm.conf").c_str(), 1);
        const std::string start =
            script() + " start >" + (m_dir / "slurm-start.log").string() + " 2>&1";
        m_started = true;
        ASSERT_EQ(std::system(start.c_str()), 0) << slurp(m_dir / "slurm-start.log");
    }
    void TearDown() override {
        if (m_started) {
            const std::string stop = script() + " stop >/dev/null 2>&1";
            EXPECT_EQ(std::system(stop.c_str()), 0);
            fs::remove_all(m_slurm);
        }
        NpusimTest::TearDown();
    }
    static std::string script() {
        return std::string(NPUSIM_SOURCE_DIR) + "/scripts/slurm-local.sh";
    }
    // Waits (at most 5 minutes) until none of the sweep's jobs is queued or running.
    void wait_for_jobs(const fs::path& dir) {
        const json jobs = json::parse(slurp(dir / "slurm" / "jobs.json"));
        std::string ids;
        for (const char* k : {"array", "merge", "driver"}) {
            if (jobs.contains(k)) ids += (ids.empty() ? "" : ",") + jobs[k].get<std::string>();
        }
        const fs::path q = m_dir / "squeue.txt";
        const std::string cmd = "squeue -h -j " + ids + " > " + q.string() + " 2>&1";
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::minutes(5);
        while (std::chrono::steady_clock::now() < deadline) {
            if (std::system(cmd.c_str()) == 0 && slurp(q).empty()) return;
            std::this_thread::sleep_for(std::chrono::milliseconds(500));
        }
        FAIL() << "the sweep's jobs did not finish in 5 minutes: " << slurp(q);
    }
    fs::path m_slurm;
    bool m_started = false;
};

TEST_F(SweepSlurm, JobArrayAndMergeEqualTheLocalRunAndResumeOnResubmission) {
    const fs::path local = m_dir / "local", cluster = m_dir / "cluster";
    const std::string sweep = "sweep configs/sweeps/example.yaml ";
    const Result l = npusim(sweep + "-j 2 --no-progress --out " + local.string());
    ASSERT_EQ(l.code, 0) << l.out << l.err;

    const std::string submit = sweep + "--slurm --tasks 4 --out " + cluster.string();
    const Result s = npusim(submit);
    ASSERT_EQ(s.code, 0) << s.out << s.err;
    EXPECT_NE(s.out.find("npusim sweep: 24 points; submitted job array "), std::string::npos)
        << s.out;
    EXPECT_NE(slurp(cluster / "slurm" / "array.sbatch").find("#SBATCH --array=0-3\n"),
              std::string::npos);
    wait_for_jobs(cluster);
    for (const char* f : {"results.csv", "results.json", "report.html"}) {
        EXPECT_EQ(slurp(cluster / f), slurp(local / f)) << f << "\n"
                                                        << slurp(cluster / "slurm" / "merge.out");
    }
    for (int t = 0; t < 4; ++t) {
        const std::string log = slurp(cluster / "slurm" / ("task-" + std::to_string(t) + ".out"));
        EXPECT_NE(log.find("6 done, 0 skipped (0 invalid, 0 failed)"), std::string::npos) << log;
    }
    const Result st = npusim("sweep status " + cluster.string());
    EXPECT_NE(st.out.find("24 points, 24 done (0 invalid), 0 running, 0 failed, 0 pending"),
              std::string::npos)
        << st.out;

    // A task that lost a point (as if preempted): the resubmission runs that point only.
    const json res = json::parse(slurp(local / "results.json"));
    const std::string lost = res["points"][5]["id"];  // index 5: shard 5 % 4 = 1
    fs::remove_all(cluster / "shards" / "1" / "points" / lost);
    fs::remove_all(cluster / "points" / lost);
    fs::remove(cluster / "results.csv");
    const Result again = npusim(submit);
    ASSERT_EQ(again.code, 0) << again.out << again.err;
    wait_for_jobs(cluster);
    EXPECT_NE(slurp(cluster / "slurm" / "task-1.out").find("1 done, 5 skipped"), std::string::npos)
        << slurp(cluster / "slurm" / "task-1.out");
    EXPECT_NE(slurp(cluster / "slurm" / "task-2.out").find("0 done, 6 skipped"), std::string::npos)
        << slurp(cluster / "slurm" / "task-2.out");
    EXPECT_EQ(slurp(cluster / "results.csv"), slurp(local / "results.csv"));

    const Result other = npusim(sweep + "--slurm --tasks 3 --out " + cluster.string());
    EXPECT_EQ(other.code, 2);
    EXPECT_NE(other.err.find("this sweep was submitted with --tasks 4"), std::string::npos)
        << other.err;
}

TEST_F(SweepSlurm, Nsga2RunsAJobArrayPerGenerationAndEqualsTheLocalSearch) {
    const fs::path file = write("n.yaml",
                                "name: search\n"
                                "workloads: [workloads/gemm_small.yaml]\n"
                                "timing_only: true\n"
                                "strategy: nsga2\n"
                                "budget: 8\n"
                                "population: 4\n"
                                "grid:\n"
                                "  array.rows: {range: [8, 64], step: pow2}\n"
                                "  scratchpad.size: {range: [64KiB, 512KiB], step: pow2}\n"
                                "derived:\n"
                                "  array.cols: \"{array.rows}\"\n"
                                "  scratchpad.bank_width: \"{array.rows}B\"\n"
                                "  accumulator.bank_width: \"{array.cols*4}B\"\n"
                                "objectives: [latency, energy, area]\n");
    const fs::path local = m_dir / "local", cluster = m_dir / "cluster";
    ASSERT_EQ(npusim("sweep " + file.string() + " -j 2 --no-progress --out " + local.string()).code,
              0);
    const Result s =
        npusim("sweep " + file.string() + " --slurm --tasks 2 --out " + cluster.string());
    ASSERT_EQ(s.code, 0) << s.out << s.err;
    wait_for_jobs(cluster);
    const std::string driver = slurp(cluster / "slurm" / "driver.out");
    EXPECT_NE(driver.find("generation 1: job array "), std::string::npos) << driver;
    EXPECT_EQ(slurp(cluster / "results.csv"), slurp(local / "results.csv")) << driver;
}

}  // namespace

// Sweep data safety (docs/sweeps.md, "Data safety"): a full disk mid-sweep loses nothing and a
// rerun completes it; ids change with the config, the workload and the mode; merge refuses
// shards of another sweep; a lock keeps a second sweep out; --html does not overwrite.
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "tests/integration/npusim_harness.h"

namespace {

namespace fs = std::filesystem;
using nlohmann::json;

using npu::testing::Result;
using npu::testing::slurp;

class SweepSafety : public npu::testing::NpusimTest {
  protected:
    void TearDown() override {
        if (!m_mount.empty()) {
            const std::string cmd = "umount " + m_mount.string() + " 2>/dev/null";
            (void)!std::system(cmd.c_str());
        }
        NpusimTest::TearDown();
    }
    json results(const fs::path& dir) { return json::parse(slurp(dir / "results.json")); }
    fs::path m_mount;
};

const char* kGrid =
    "sweep --workload workloads/gemm_small.yaml --grid array.rows=8,16 "
    "--grid scratchpad.size=64KiB,128KiB,256KiB --timing-only -j 2 --no-progress ";

// A sweep on a filesystem that fills up half-way: the points that could not be written fail
// (they are not recorded as invalid, and no directory with empty files is published), the rerun
// after space is freed runs exactly those, and the results equal a clean run's byte for byte.
TEST_F(SweepSafety, FullDiskMidSweepThenRerunCompletesEveryPoint) {
    const Result clean = npusim(std::string(kGrid) + "--out " + (m_dir / "clean").string());
    ASSERT_EQ(clean.code, 0) << clean.out << clean.err;

    m_mount = m_dir / "disk";
    fs::create_directories(m_mount);
    const std::string mount = "mount -t tmpfs -o size=1M tmpfs " + m_mount.string() + " 2>&1";
    if (std::system(mount.c_str()) != 0) {
        m_mount.clear();
        GTEST_SKIP() << "cannot mount a tmpfs here (needs root): the full-disk case is not tested";
    }
    // A point takes about 30 KB while it runs (its stats, layers, config and logs): leave room
    // for two or three of the six, so the disk fills up part-way through.
    const fs::path filler = m_mount / "filler";
    const std::string fill = "head -c 950000 /dev/zero > " + filler.string() + " 2>/dev/null";
    (void)!std::system(fill.c_str());
    const fs::path out = m_mount / "s";
    const Result full = npusim(std::string(kGrid) + "--out " + out.string());
    EXPECT_NE(full.code, 0) << full.out << full.err;
    EXPECT_EQ(full.out.find("invalid:"), std::string::npos) << full.out;
    // Whatever was published is complete: point.json lists non-empty files that are there.
    size_t published = 0;
    for (const auto& e : fs::directory_iterator(out / "points")) {
        const std::string name = e.path().filename().string();
        if (name[0] == '.') continue;
        ++published;
        const json pj = json::parse(slurp(e.path() / "point.json"));
        for (const auto& [f, meta] : pj.at("files").items()) {
            EXPECT_GT(meta.at("bytes").get<size_t>(), 0u) << name << "/" << f;
            EXPECT_EQ(fs::file_size(e.path() / f), meta.at("bytes").get<size_t>()) << name;
        }
    }
    EXPECT_LT(published, 6u) << full.out;

    fs::remove(filler);
    const Result again = npusim(std::string(kGrid) + "--out " + out.string());
    ASSERT_EQ(again.code, 0) << again.out << again.err;
    EXPECT_NE(again.out.find(std::to_string(6 - published) + " done, " + std::to_string(published) +
                             " skipped (0 invalid, 0 failed)"),
              std::string::npos)
        << again.out;
    EXPECT_EQ(slurp(out / "results.csv"), slurp(m_dir / "clean" / "results.csv"));
}

// A point directory whose files were damaged (an older version's empty file, a bad disk) is not
// complete: the rerun runs it again instead of listing it failed forever.
TEST_F(SweepSafety, DamagedPointIsRunAgain) {
    const fs::path out = m_dir / "s";
    ASSERT_EQ(npusim(std::string(kGrid) + "--out " + out.string()).code, 0);
    const std::string csv = slurp(out / "results.csv");
    const std::string id = results(out)["points"][1]["id"];
    std::ofstream(out / "points" / id / "stats.json", std::ios::trunc).flush();
    const Result again = npusim(std::string(kGrid) + "--out " + out.string());
    ASSERT_EQ(again.code, 0) << again.out << again.err;
    EXPECT_NE(again.out.find("1 done, 5 skipped"), std::string::npos) << again.out;
    EXPECT_EQ(slurp(out / "results.csv"), csv);
}

// The same settings under another hw:, mode or workload content are other points: rerunning
// into the same directory runs them all instead of keeping the old results.
TEST_F(SweepSafety, ChangedConfigModeOrWorkloadNeverReusesResults) {
    const fs::path out = m_dir / "s";
    const std::string grid = "--grid array.rows=8,16 --no-progress --out " + out.string();
    ASSERT_EQ(npusim("sweep --workload workloads/gemm_small.yaml --timing-only " + grid).code, 0);
    const std::string first = results(out)["points"][0]["id"];

    const Result other_hw = npusim(
        "sweep --hw configs/gemmini.yaml --workload "
        "workloads/gemm_small.yaml --timing-only " +
        grid);
    EXPECT_NE(other_hw.out.find("2 done, 0 skipped"), std::string::npos) << other_hw.out;
    EXPECT_NE(results(out)["points"][0]["id"], first);

    const Result functional = npusim("sweep --workload workloads/gemm_small.yaml " + grid);
    EXPECT_NE(functional.out.find("2 done, 0 skipped"), std::string::npos) << functional.out;

    // A copy of the workload with one byte more (a comment) at the same path.
    const fs::path wl = m_dir / "w.yaml";
    std::ofstream(wl) << slurp(fs::path(NPUSIM_SOURCE_DIR) / "workloads/gemm_small.yaml");
    const std::string cmd = "sweep --workload " + wl.string() + " --timing-only " + grid;
    EXPECT_NE(npusim(cmd).out.find("2 done, 0 skipped"), std::string::npos);
    EXPECT_NE(npusim(cmd).out.find("0 done, 2 skipped"), std::string::npos);
    std::ofstream(wl, std::ios::app) << "# changed\n";
    EXPECT_NE(npusim(cmd).out.find("2 done, 0 skipped"), std::string::npos);
}

TEST_F(SweepSafety, MergeRefusesShardsOfAnotherSweep) {
    const std::string grid =
        "--workload workloads/gemm_small.yaml --grid array.rows=8,16 "
        "--timing-only --no-progress --shard ";
    ASSERT_EQ(npusim("sweep " + grid + "0/2 --out " + (m_dir / "a").string()).code, 0);
    ASSERT_EQ(
        npusim("sweep --hw configs/gemmini.yaml " + grid + "1/2 --out " + (m_dir / "b").string())
            .code,
        0);
    const Result m = npusim("sweep merge " + (m_dir / "a").string() + " " + (m_dir / "b").string() +
                            " --out " + (m_dir / "m").string());
    EXPECT_EQ(m.code, 2);
    EXPECT_NE(m.err.find((m_dir / "b").string() + ": not a shard of the same sweep as " +
                         (m_dir / "a").string() +
                         ": its hardware config differs (hw configs/gemmini.yaml vs "
                         "configs/edge_npu.yaml)"),
              std::string::npos)
        << m.err;
    ASSERT_EQ(npusim("sweep " + grid + "1/2 --out " + (m_dir / "c").string()).code, 0);
    ASSERT_EQ(npusim("sweep --workload workloads/gemm_small.yaml --grid array.rows=8,16 "
                     "--no-progress --shard 1/2 --out " +
                     (m_dir / "f").string())
                  .code,
              0);
    const Result mode = npusim("sweep merge " + (m_dir / "a").string() + " " +
                               (m_dir / "f").string() + " --out " + (m_dir / "m").string());
    EXPECT_NE(mode.err.find("its mode differs (functional vs timing)"), std::string::npos)
        << mode.err;
    EXPECT_EQ(npusim("sweep merge " + (m_dir / "a").string() + " " + (m_dir / "c").string() +
                     " --out " + (m_dir / "m").string())
                  .code,
              0);
}

// While one sweep holds the directory's lock, a second is refused; a lock file left by a process
// that died does not block.
TEST_F(SweepSafety, LockKeepsASecondSweepOut) {
    const fs::path out = m_dir / "s";
    fs::create_directories(out);
    const int fd = ::open((out / ".lock").c_str(), O_RDWR | O_CREAT, 0644);
    ASSERT_GE(fd, 0);
    ASSERT_EQ(::write(fd, "pid 4242 on elsewhere\n", 22), 22);
    ASSERT_EQ(::flock(fd, LOCK_EX | LOCK_NB), 0);
    const Result busy = npusim(std::string(kGrid) + "--out " + out.string());
    EXPECT_EQ(busy.code, 2);
    EXPECT_NE(
        busy.err.find(out.string() + ": another sweep is writing into this directory (pid 4242 on "
                                     "elsewhere); wait for it to finish, or choose another --out"),
        std::string::npos)
        << busy.err;
    EXPECT_FALSE(fs::exists(out / "results.csv"));
    ::close(fd);  // as if that process died: the file stays, the lock is gone
    const Result free = npusim(std::string(kGrid) + "--out " + out.string());
    EXPECT_EQ(free.code, 0) << free.out << free.err;
}

TEST_F(SweepSafety, HtmlRefusesToOverwriteWithoutForce) {
    const fs::path page = write("page.html", "mine\n");
    const std::string cmd =
        std::string(kGrid) + "--out " + (m_dir / "s").string() + " --html " + page.string();
    const Result r = npusim(cmd);
    EXPECT_EQ(r.code, 2);
    EXPECT_NE(r.err.find(page.string() + ": --html: the file exists; add --force to overwrite it"),
              std::string::npos)
        << r.err;
    EXPECT_EQ(slurp(page), "mine\n");
    EXPECT_FALSE(fs::exists(m_dir / "s"));
    EXPECT_EQ(npusim(cmd + " --force").code, 0);
    EXPECT_NE(slurp(page).find("<svg"), std::string::npos);
}

}  // namespace

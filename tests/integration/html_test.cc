// HTML reports end to end: `npusim run --html FILE` and the sweep's report.html (+ --html FILE),
// their structure against the run's own stats, refusing to overwrite, and (when Debian's
// chromium is installed) a headless render through scripts/check_html.sh.
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "tests/integration/npusim_harness.h"

namespace {

namespace fs = std::filesystem;
using nlohmann::json;

using npu::testing::Result;
using npu::testing::slurp;

std::size_t count(const std::string& hay, const std::string& needle) {
    std::size_t n = 0;
    for (std::size_t at = hay.find(needle); at != std::string::npos;
         at = hay.find(needle, at + needle.size())) {
        ++n;
    }
    return n;
}

// Only the SVG namespace may mention http: the page needs nothing from the network.
void expect_self_contained(const std::string& page) {
    EXPECT_EQ(count(page, "http"), count(page, "http://www.w3.org/2000/svg"));
    EXPECT_EQ(page.find("<script"), std::string::npos);
    EXPECT_EQ(page.find("<link"), std::string::npos);
}

class Html : public npu::testing::NpusimTest {
  protected:
    // Renders `html` with scripts/check_html.sh into `png`; returns its exit code and output.
    Result check_html(const fs::path& html, const fs::path& png) {
        const fs::path log = m_dir / "check.log";
        const std::string cmd = std::string(NPUSIM_SOURCE_DIR) + "/scripts/check_html.sh " +
                                html.string() + " " + png.string() + " >" + log.string() + " 2>&1";
        const int status = std::system(cmd.c_str());
        Result r;
        r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
        r.out = slurp(log);
        return r;
    }
    fs::path run_page() {
        const fs::path html = m_dir / "run.html";
        const Result r = npusim("run --workload workloads/tiny_resnet.yaml --out " +
                                (m_dir / "o").string() + " --html " + html.string());
        EXPECT_EQ(r.code, 0) << r.out << r.err;
        EXPECT_NE(r.out.find("wrote " + html.string()), std::string::npos) << r.out;
        return html;
    }
    fs::path sweep_dir() {
        const fs::path out = m_dir / "sw";
        const Result r = npusim(
            "sweep --workload workloads/gemm_small.yaml --workload workloads/conv_small.yaml "
            "--grid array.rows=8,16 --grid dram.bandwidth=4GB/s,16GB/s --timing-only -j 2 "
            "--out " +
            out.string() + " --html " + (m_dir / "copy.html").string());
        EXPECT_EQ(r.code, 0) << r.out << r.err;
        EXPECT_NE(r.out.find((out / "report.html").string()), std::string::npos) << r.out;
        return out;
    }
};

TEST_F(Html, RunPageMatchesTheRunsStats) {
    const fs::path html = run_page();
    const std::string page = slurp(html);
    const json stats = json::parse(slurp(m_dir / "o" / "stats.json"));
    const std::size_t layers = stats["layers"].size();
    ASSERT_EQ(layers, 14u);
    EXPECT_EQ(page.rfind("<!DOCTYPE html>", 0), 0u);
    EXPECT_NE(page.find("npusim run: tiny_resnet on edge_npu"), std::string::npos);
    EXPECT_NE(page.find("outputs: bit-exact against the reference (14 layers)"), std::string::npos);
    // Cycles bars (one per layer) + the run's energy by component (6 bars); one energy stack
    // per layer; one roofline point per layer that has MACs.
    EXPECT_EQ(count(page, "class=\"bar\""), layers + 6);
    EXPECT_EQ(count(page, "class=\"stack\""), layers);
    std::size_t with_macs = 0;
    for (const json& l : stats["layers"]) with_macs += l["macs_total"].get<uint64_t>() > 0;
    EXPECT_EQ(count(page, "class=\"pt\""), with_macs);
    // Every layer's name is in the table.
    for (const json& l : stats["layers"]) {
        EXPECT_NE(page.find("<td class=\"l\">" + l["name"].get<std::string>() + "</td>"),
                  std::string::npos);
    }
    expect_self_contained(page);
}

TEST_F(Html, RunRefusesToOverwriteWithoutForce) {
    const fs::path html = write("exists.html", "keep");
    const Result r =
        npusim("run --workload workloads/gemm_small.yaml --timing-only --html " + html.string());
    EXPECT_EQ(r.code, 2);
    EXPECT_NE(r.err.find(html.string() + ": --html: already exists; pass --force"),
              std::string::npos)
        << r.err;
    EXPECT_EQ(slurp(html), "keep");
    const Result f = npusim(
        "run --workload workloads/gemm_small.yaml --timing-only --force "
        "--quiet --html " +
        html.string());
    EXPECT_EQ(f.code, 0) << f.err;
    EXPECT_NE(slurp(html), "keep");
}

TEST_F(Html, RunToAMissingDirectoryIsAUserError) {
    const std::string path = (m_dir / "no" / "such" / "r.html").string();
    const Result r =
        npusim("run --workload workloads/gemm_small.yaml --timing-only --html " + path);
    EXPECT_EQ(r.code, 2);
    EXPECT_NE(r.err.find(path), std::string::npos) << r.err;
}

TEST_F(Html, SweepPageHasAChartPerWorkloadAndTheParetoFront) {
    const fs::path out = sweep_dir();
    const std::string page = slurp(out / "report.html");
    EXPECT_EQ(page, slurp(m_dir / "copy.html"));
    const json res = json::parse(slurp(out / "results.json"));
    std::size_t front = 0, others = 0;
    for (const json& p : res["points"]) {
        if (p["status"] != "ok") continue;
        (p["pareto"].get<bool>() ? front : others) += 1;
        EXPECT_NE(page.find(p["id"].get<std::string>()), std::string::npos);
    }
    ASSERT_GT(front, 0u);
    // Per workload a scatter of the objectives and a parallel-coordinates chart.
    EXPECT_EQ(count(page, "<svg "), 4u);
    EXPECT_EQ(count(page, "class=\"pt front\""), front);
    EXPECT_EQ(count(page, "class=\"pt\""), others);
    EXPECT_EQ(count(page, "class=\"pl\""), front + others);  // a line per point that ran
    EXPECT_EQ(count(page, "<tr class=\"pareto\">"), front);
    expect_self_contained(page);

    // A rerun (every point skipped) writes the same bytes.
    const Result again = npusim(
        "sweep --workload workloads/gemm_small.yaml --workload "
        "workloads/conv_small.yaml --grid array.rows=8,16 --grid "
        "dram.bandwidth=4GB/s,16GB/s --timing-only --out " +
        out.string());
    ASSERT_EQ(again.code, 0) << again.out << again.err;
    EXPECT_EQ(slurp(out / "report.html"), page);
}

TEST_F(Html, PagesRenderInHeadlessChromium) {
    if (!fs::exists("/usr/bin/chromium")) {
        GTEST_SKIP() << "/usr/bin/chromium is not installed (apt-get install chromium): the "
                        "headless render check is skipped";
    }
    const fs::path run_html = run_page();
    const Result a = check_html(run_html, m_dir / "run.png");
    EXPECT_EQ(a.code, 0) << a.out;
    EXPECT_TRUE(fs::is_regular_file(m_dir / "run.png"));

    const fs::path out = sweep_dir();
    const Result b = check_html(out / "report.html", m_dir / "sweep.png");
    EXPECT_EQ(b.code, 0) << b.out;
    EXPECT_TRUE(fs::is_regular_file(m_dir / "sweep.png"));

    const fs::path cmp = m_dir / "compare.html";
    const Result made = npusim("compare --precisions int8,bf16,fp32 --html " + cmp.string());
    ASSERT_EQ(made.code, 0) << made.out << made.err;
    const std::string page = slurp(cmp);
    EXPECT_NE(page.find("<svg"), std::string::npos);
    EXPECT_EQ(page.find("<script"), std::string::npos);
    const Result d = check_html(cmp, m_dir / "compare.png");
    EXPECT_EQ(d.code, 0) << d.out;

    // The check can fail: a blank page is refused.
    const fs::path blank = write("blank.html", "<!DOCTYPE html><html><body></body></html>");
    const Result c = check_html(blank, m_dir / "blank.png");
    EXPECT_EQ(c.code, 1) << c.out;
    EXPECT_NE(c.out.find("looks blank"), std::string::npos) << c.out;
}

}  // namespace

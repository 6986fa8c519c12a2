// The mapper's objective through the binary: `--objective latency|energy|edp` on run, compile
// and compare, the same as `compiler.objective` in the config (--set or the YAML); latency is the
// default and compiles the same program as no objective; energy never raises a layer's
// estimated energy nor edp its energy x cycles over latency's choice (`compile --emit estimate`);
// bad values are refused with exit code 2 and the exact message.
#include <gtest/gtest.h>

#include <map>
#include <sstream>
#include <string>
#include <utility>

#include "tests/integration/npusim_harness.h"

namespace npu::testing {
namespace {

class Objective : public NpusimTest {};

// `compile --emit estimate`: layer -> (cycles, energy pJ).
std::map<std::string, std::pair<double, double>> estimates(const std::string& text) {
    std::map<std::string, std::pair<double, double>> out;
    std::istringstream in(text);
    std::string line;
    std::getline(in, line);
    EXPECT_EQ(line, "layer\tcycles\tenergy_pj\tdram_bytes");
    while (std::getline(in, line)) {
        std::istringstream f(line);
        std::string name;
        double cycles = 0, energy = 0;
        std::getline(f, name, '\t');
        f >> cycles >> energy;
        out[name] = {cycles, energy};
    }
    return out;
}

TEST_F(Objective, LatencyIsTheDefaultAndCompilesTheSameProgram) {
    const std::string common = "compile --hw gemmini --workload tiny_resnet --emit asm";
    const Result none = npusim(common);
    ASSERT_EQ(none.code, 0) << none.err;
    const Result latency = npusim(common + " --objective latency");
    ASSERT_EQ(latency.code, 0) << latency.err;
    EXPECT_EQ(none.out, latency.out);
    const Result set = npusim(common + " --set compiler.objective=latency");
    EXPECT_EQ(none.out, set.out);
}

TEST_F(Objective, EnergyAndLatencyEachWinTheirOwnEstimate) {
    const std::string common = "compile --hw nvdla --workload tiny_resnet --emit estimate";
    const Result lat = npusim(common);
    const Result en = npusim(common + " --objective energy");
    const Result edp = npusim(common + " --set compiler.objective=edp");
    ASSERT_EQ(lat.code, 0) << lat.err;
    ASSERT_EQ(en.code, 0) << en.err;
    ASSERT_EQ(edp.code, 0) << edp.err;
    const auto l = estimates(lat.out), e = estimates(en.out), d = estimates(edp.out);
    ASSERT_GT(l.size(), 5u);
    ASSERT_EQ(l.size(), e.size());
    int cheaper = 0;
    for (const auto& [name, le] : l) {
        // The energy and edp searches try every latency candidate (and more), so neither does
        // worse than latency's choice on its own objective.
        EXPECT_LE(e.at(name).second, le.second * (1 + 1e-9)) << name;
        EXPECT_LE(d.at(name).first * d.at(name).second, le.first * le.second * (1 + 1e-9)) << name;
        cheaper += e.at(name).second < le.second * (1 - 1e-6);
    }
    EXPECT_GT(cheaper, 0);  // somewhere the energy objective chose another mapping
}

TEST_F(Objective, RunAndCompareTakeTheObjective) {
    const std::string common =
        "run --hw edge_npu --workload tiny_resnet --timing-only --quiet --no-progress";
    const Result r = npusim(common + " --objective edp");
    EXPECT_EQ(r.code, 0) << r.err;
    const Result c = npusim(
        "compare --hw edge_npu --workload tiny_resnet --timing-only "
        "--precisions int8 --objective energy");
    EXPECT_EQ(c.code, 0) << c.err;
}

TEST_F(Objective, BadValuesAreUserErrors) {
    Result r = npusim("run --objective fast");
    EXPECT_EQ(r.code, 2);
    EXPECT_EQ(r.err,
              "error: <command line>: run: --objective: expected latency or energy or edp, found "
              "'fast'\n");
    r = npusim("compile --set compiler.objective=speed");
    EXPECT_EQ(r.code, 2);
    EXPECT_EQ(r.err,
              "error: --set: compiler.objective: expected one of "
              "latency, energy, edp, found 'speed'\n");
    const fs::path cfg = write("chip.yaml", "name: chip\ncompiler:\n  objective: power\n");
    r = npusim("compile --hw " + cfg.string());
    EXPECT_EQ(r.code, 2);
    EXPECT_EQ(r.err, "error: " + cfg.string() +
                         ":3:14: compiler.objective: expected one of latency, energy, edp, "
                         "found 'power'\n");
}

}  // namespace
}  // namespace npu::testing

// Every config key at the edges of its range, formed both ways a run forms a config (the built-in
// default + --set, and a config file + --set): both give the same verdict with the same messages,
// and every config they accept simulates without a crash (issue 11: `--set scratchpad.banks=3`
// without --hw used to skip validation and crash the SRAM model). Accepted configs run
// timing-only, and functionally where their SRAM storage is small.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <string>
#include <systemc>

#include "sim/config/config_loader.h"
#include "sim/config/config_schema.h"
#include "sim/config/paths.h"
#include "sim/core/units.h"
#include "sim/graph/workload_loader.h"
#include "sim/quant/prepare.h"
#include "sim/run/simulation.h"

namespace npu {
namespace {

// One conv and one gemm: small enough for every array size, and both engines move data.
const char* kWorkload = R"(
name: edges
seed: 3
input: {shape: [6, 6, 8], scale: 0.05}
layers:
  - {name: conv, op: conv2d, out_channels: 8, kernel: 3, padding: 1, weight_scale: 0.02,
     output: {scale: 0.1}, activation: relu}
  - {name: fc, op: gemm, inputs: [conv], n: 10, weight_scale: 0.02, output: {scale: 0.2}}
)";

std::string text_of(const cfg::FieldSpec& f, double v) {
    switch (f.type) {
        case cfg::FieldType::kInt:
            return std::to_string(static_cast<int64_t>(v));
        case cfg::FieldType::kSize:
            return std::to_string(static_cast<uint64_t>(std::max(v, 0.0))) + "B";
        case cfg::FieldType::kFrequency:
            return units::format_double(v) + "Hz";
        case cfg::FieldType::kBandwidth:
            return units::format_double(v) + "B/s";
        default:
            return units::format_double(v);
    }
}

// The values tried for a key: each end of its range and one step past it; every enum choice.
std::vector<std::string> edges(const cfg::FieldSpec& f) {
    if (f.type == cfg::FieldType::kEnum) {
        std::vector<std::string> v = f.choices;
        v.push_back("bogus");
        return v;
    }
    if (f.type == cfg::FieldType::kString) return {"x", std::string(65, 'n'), ""};
    const double step = f.type == cfg::FieldType::kDouble ? std::max(1e-3, f.min * 1e-3) : 1;
    std::vector<std::string> v{text_of(f, f.min), text_of(f, f.min - step)};
    if (std::isfinite(f.max)) {
        v.push_back(text_of(f, f.max));
        v.push_back(text_of(f, f.max * 1.001 + step));
    }
    return v;
}

std::string verdict(const std::optional<std::string>& hw, const std::string& set,
                    cfg::HwConfig* accepted) {
    try {
        *accepted = cfg::load_hw(hw, {set});
    } catch (const UserError& e) {
        std::string s;
        // The file label differs between the two forms; the keys and messages must not.
        for (const Diagnostic& d : e.diagnostics()) s += d.key + ": " + d.message + "\n";
        return s;
    }
    return "ok";
}

TEST(ConfigEdges, EveryKeyAtItsRangeEdgesIsJudgedAlikeWithAndWithoutAFileAndNeverCrashes) {
    graph::LoadOptions no_data;
    no_data.with_data = false;
    const graph::Workload timing =
        quant::prepare(graph::load_workload_from_string(kWorkload, "edges.yaml", no_data));
    const graph::Workload functional =
        quant::prepare(graph::load_workload_from_string(kWorkload, "edges.yaml"));
    size_t accepted_count = 0, refused_count = 0, simulated = 0;
    for (const cfg::FieldSpec& f : cfg::hw_fields()) {
        for (const std::string& v : edges(f)) {
            const std::string set = f.key + "=" + v;
            cfg::HwConfig plain, filed;
            const std::string a = verdict(std::nullopt, set, &plain);
            const std::string b = verdict(std::string("edge_npu"), set, &filed);
            EXPECT_EQ(a, b) << set;
            if (a != "ok") {
                ++refused_count;
                continue;
            }
            ++accepted_count;
            EXPECT_EQ(cfg::config_differences(plain, filed), std::vector<std::string>{}) << set;
            // Accepted: it must compile and simulate, or be refused by the compiler with a
            // message (a workload that does not fit is bad input, not a crash).
            for (bool with_data : {false, true}) {
                if (with_data &&
                    plain.scratchpad.size_bytes + plain.accumulator.size_bytes > (64u << 20)) {
                    continue;
                }
                run::RunOptions ro;
                ro.functional = with_data;
                try {
                    const run::RunResult r =
                        run::simulate(plain, with_data ? functional : timing, ro);
                    EXPECT_GT(r.stats.total_cycles, 0u) << set;
                    ++simulated;
                } catch (const UserError& e) {
                    EXPECT_FALSE(e.diagnostics().empty()) << set;
                }
            }
        }
    }
    // Both outcomes are exercised on a good share of the keys (about 80 keys, 4 values each).
    std::printf("%zu accepted, %zu refused, %zu simulations\n", accepted_count, refused_count,
                simulated);
    EXPECT_GT(accepted_count, 90u);
    EXPECT_GT(refused_count, 90u);
    EXPECT_GT(simulated, 150u);
}

}  // namespace
}  // namespace npu

// Randomized whole-NPU tests: random layer shapes on random small arrays and memories. For each,
// the simulated outputs are bit-exact against the reference executor, and the run with the
// closed-form array equals the run with the PE-level array in every cycle count.
// Also: every bundled config runs every small bundled workload bit-exactly.
#include <gtest/gtest.h>

#include <random>
#include <sstream>
#include <string>
#include <systemc>

#include "sim/config/config_loader.h"
#include "sim/graph/workload_loader.h"
#include "sim/quant/prepare.h"
#include "sim/quant/ptq.h"
#include "sim/run/simulation.h"

namespace npu {
namespace {

struct Case {
    std::string workload_yaml;
    std::vector<std::string> overrides;
};

// Draws with std::mt19937's raw output only (portable across standard libraries).
int draw(std::mt19937& rng, int lo, int hi) {
    return lo + static_cast<int>(rng() % static_cast<uint32_t>(hi - lo + 1));
}

Case random_case(uint32_t seed) {
    std::mt19937 rng(seed);
    Case c;
    const int kh = draw(rng, 1, 3), kw = draw(rng, 1, 3);
    const int dil = draw(rng, 1, 2);
    const int h = draw(rng, (kh - 1) * dil + 1, 14), w = draw(rng, (kw - 1) * dil + 1, 14);
    std::ostringstream y;
    y << "name: random" << seed << "\nseed: " << seed << "\n"
      << "input: {shape: [" << h << ", " << w << ", " << draw(rng, 1, 20)
      << "], scale: 0.05, zero_point: " << draw(rng, -20, 20) << "}\nlayers:\n"
      << "  - {name: conv, op: conv2d, out_channels: " << draw(rng, 1, 24) << ", kernel: [" << kh
      << ", " << kw << "], stride: [" << draw(rng, 1, 2) << ", " << draw(rng, 1, 2)
      << "], padding: [" << draw(rng, 0, 1) << ", " << draw(rng, 0, 1) << ", " << draw(rng, 0, 1)
      << ", " << draw(rng, 0, 1) << "], dilation: " << dil
      << ", weight_scale: {min: 0.004, max: 0.03}, activation: "
      << (draw(rng, 0, 1) ? "relu" : "none") << ", output: {scale: auto, zero_point: auto}}\n"
      << "  - {name: fc, op: gemm, m: 1, n: " << draw(rng, 1, 9)
      << ", weight_scale: 0.01, output: auto}\n";
    c.workload_yaml = y.str();
    const int rows = draw(rng, 2, 6), cols = draw(rng, 2, 6);
    const int width = 8;  // >= rows, cols; accumulator width >= 4 * cols
    c.overrides = {"array.rows=" + std::to_string(rows), "array.cols=" + std::to_string(cols),
                   std::string("array.dataflow=") + (draw(rng, 0, 1) ? "ws" : "os"),
                   std::string("array.pipelining=") + (draw(rng, 0, 1) ? "overlap" : "none"),
                   "scratchpad.bank_width=" + std::to_string(width) + "B",
                   "accumulator.bank_width=32B",
                   // Small memories force several blocks and k-chunks, and tight placements.
                   "scratchpad.size=" + std::to_string(draw(rng, 2, 8)) + "KiB",
                   "scratchpad.banks=" + std::to_string(1 << draw(rng, 0, 2)),
                   "accumulator.size=" + std::to_string(draw(rng, 1, 4)) + "KiB",
                   "accumulator.banks=" + std::to_string(draw(rng, 1, 2)),
                   "dma.burst=" + std::to_string(16 << draw(rng, 0, 2)) + "B",
                   "dma.channels=" + std::to_string(draw(rng, 1, 2)),
                   "dma.outstanding=" + std::to_string(draw(rng, 1, 8)),
                   "controller.queue_depth=" + std::to_string(draw(rng, 1, 4)),
                   std::string("postproc.rounding=") + (draw(rng, 0, 2) == 0 ? "tflite"
                                                        : draw(rng, 0, 1)    ? "half_up"
                                                                             : "half_even")};
    return c;
}

class NpuRandom : public ::testing::TestWithParam<uint32_t> {};

TEST_P(NpuRandom, BitExactAndFastEqualsPe) {
    const Case c = random_case(GetParam());
    SCOPED_TRACE(c.workload_yaml);
    cfg::HwConfig hw = cfg::default_hw_config();
    try {
        cfg::apply_overrides(hw, c.overrides);
    } catch (const UserError& e) {
        GTEST_SKIP() << "config drawn is invalid: " << e.what();
    }
    const graph::Workload wl =
        quant::prepare(graph::load_workload_from_string(c.workload_yaml, "random.yaml"));
    run::RunResult fast, pe;
    try {
        fast = run::simulate(hw, wl, {});
    } catch (const UserError& e) {
        GTEST_SKIP() << "does not fit the drawn memories: " << e.what();
    }
    run::RunOptions po;
    po.fidelity = model::Fidelity::kPe;
    pe = run::simulate(hw, wl, po);
    for (const auto& l : fast.stats.layers) {
        EXPECT_TRUE(l.bit_exact) << l.name << ": " << l.mismatches << " mismatches";
        EXPECT_EQ(l.counters.macs, l.macs_total);
    }
    EXPECT_EQ(fast.outputs, pe.outputs);
    ASSERT_EQ(fast.stats.layers.size(), pe.stats.layers.size());
    for (size_t i = 0; i < fast.stats.layers.size(); ++i) {
        const auto& a = fast.stats.layers[i];
        const auto& b = pe.stats.layers[i];
        EXPECT_EQ(a.end_cycle, b.end_cycle) << a.name;
        EXPECT_EQ(a.counters.array_busy_cycles, b.counters.array_busy_cycles) << a.name;
        EXPECT_EQ(a.counters.spad_bank_conflict_cycles, b.counters.spad_bank_conflict_cycles);
        EXPECT_EQ(a.counters.acc_bank_conflict_cycles, b.counters.acc_bank_conflict_cycles);
        EXPECT_EQ(a.counters.dram_read_bytes, b.counters.dram_read_bytes);
    }
}

INSTANTIATE_TEST_SUITE_P(Seeds, NpuRandom, ::testing::Range(1u, 61u));

class BundledConfigs : public ::testing::TestWithParam<const char*> {};

TEST_P(BundledConfigs, SmallBundledWorkloadsAreBitExact) {
    const std::string dir = NPUSIM_SOURCE_DIR;
    const cfg::HwConfig hw = cfg::load_hw_config(dir + "/configs/" + GetParam() + ".yaml", {});
    for (const char* w : {"default", "conv_small", "gemm_small"}) {
        const run::RunResult r =
            run::simulate(hw, quant::load_and_quantize(dir + "/workloads/" + w + ".yaml"), {});
        for (const auto& l : r.stats.layers) {
            EXPECT_TRUE(l.bit_exact) << w << "/" << l.name << ": " << l.mismatches;
            EXPECT_GT(l.cycles(), 0u);
        }
    }
}

INSTANTIATE_TEST_SUITE_P(Configs, BundledConfigs,
                         ::testing::Values("edge_npu", "gemmini", "nvdla", "tpu_v1", "vta"));

}  // namespace
}  // namespace npu

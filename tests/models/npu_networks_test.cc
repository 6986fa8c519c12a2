// Whole networks through the NPU: the small test networks that use every operator run
// bit-exactly against the reference on every array shape, dataflow and pipelining, with and
// without cross-layer prefetch, and with the PE-level array they give the same cycles as with the
// closed form.
#include <gtest/gtest.h>

#include <string>
#include <systemc>

#include "sim/compiler/compiler.h"
#include "sim/config/config_loader.h"
#include "sim/graph/workload_loader.h"
#include "sim/quant/prepare.h"
#include "sim/quant/ptq.h"
#include "sim/run/simulation.h"

namespace npu {
namespace {

struct NetCase {
    const char* workload;
    const char* dataflow;
    const char* pipelining;
    int rows, cols;
    const char* overlap = "none";  // compiler.overlap
};

class NpuNetworks : public ::testing::TestWithParam<NetCase> {};

TEST_P(NpuNetworks, BitExactAndPeEqualsFast) {
    const NetCase c = GetParam();
    cfg::HwConfig hw = cfg::default_hw_config();
    cfg::apply_overrides(
        hw, {"array.rows=" + std::to_string(c.rows), "array.cols=" + std::to_string(c.cols),
             std::string("array.dataflow=") + c.dataflow,
             std::string("array.pipelining=") + c.pipelining,
             std::string("compiler.overlap=") + c.overlap});
    const graph::Workload wl = quant::load_and_quantize(std::string(NPUSIM_SOURCE_DIR) +
                                                        "/workloads/" + c.workload + ".yaml");
    const run::RunResult fast = run::simulate(hw, wl, {});
    run::RunOptions po;
    po.fidelity = model::Fidelity::kPe;
    const run::RunResult pe = run::simulate(hw, wl, po);
    ASSERT_EQ(fast.stats.layers.size(), wl.layers.size());
    for (const auto& l : fast.stats.layers) {
        EXPECT_TRUE(l.checked) << l.name;
        EXPECT_TRUE(l.bit_exact) << l.name << " (" << l.op << "): " << l.mismatches
                                 << " mismatches";
        EXPECT_EQ(l.counters.macs, l.macs_total) << l.name;
    }
    EXPECT_EQ(fast.outputs, pe.outputs);
    EXPECT_EQ(fast.stats.total_cycles, pe.stats.total_cycles);
    for (size_t i = 0; i < fast.stats.layers.size(); ++i) {
        EXPECT_EQ(fast.stats.layers[i].end_cycle, pe.stats.layers[i].end_cycle)
            << fast.stats.layers[i].name;
        EXPECT_EQ(fast.stats.layers[i].start_cycle, pe.stats.layers[i].start_cycle)
            << fast.stats.layers[i].name;
    }
}

INSTANTIATE_TEST_SUITE_P(
    Nets, NpuNetworks,
    ::testing::Values(NetCase{"tiny_resnet", "ws", "overlap", 16, 16},
                      NetCase{"tiny_resnet", "os", "none", 8, 8},
                      NetCase{"tiny_resnet", "ws", "none", 4, 8},
                      NetCase{"tiny_attention", "ws", "overlap", 16, 16},
                      NetCase{"tiny_attention", "os", "overlap", 8, 4},
                      NetCase{"tiny_attention", "ws", "none", 8, 8},
                      NetCase{"tiny_resnet", "ws", "overlap", 16, 16, "prefetch"},
                      NetCase{"tiny_resnet", "os", "none", 8, 8, "prefetch"},
                      NetCase{"tiny_attention", "os", "overlap", 8, 4, "prefetch"}));

// Every rounding mode reaches every operator that requantizes.
TEST(NpuNetworks, EveryRoundingModeIsBitExactOnEveryOperator) {
    for (const char* mode : {"half_even", "tflite", "half_up"}) {
        cfg::HwConfig hw = cfg::default_hw_config();
        cfg::apply_overrides(hw, {std::string("postproc.rounding=") + mode});
        for (const char* w : {"tiny_resnet", "tiny_attention"}) {
            const run::RunResult r =
                run::simulate(hw,
                              quant::load_and_quantize(std::string(NPUSIM_SOURCE_DIR) +
                                                       "/workloads/" + w + ".yaml"),
                              {});
            for (const auto& l : r.stats.layers) {
                EXPECT_TRUE(l.bit_exact)
                    << mode << " " << w << "/" << l.name << ": " << l.mismatches;
            }
        }
    }
}

// The smallest scratchpad the compiler accepts for a 7x7 stride-2 convolution still runs
// bit-exactly; 64 bytes less is a clear error naming the layer.
TEST(NpuNetworks, ScratchpadJustLargeEnoughRunsAndOneStepLessIsAClearError) {
    const graph::Workload wl = quant::prepare(graph::load_workload_from_string(R"(
name: stem
seed: 5
input: {shape: [23, 19, 3], scale: 0.05, zero_point: 7}
layers:
  - {name: stem, op: conv2d, out_channels: 24, kernel: 7, stride: 2, padding: 3,
     weight_scale: 0.01, activation: relu, output: auto}
)",
                                                                               "stem.yaml"));
    const auto hw_with = [](uint64_t spad) {
        cfg::HwConfig hw = cfg::default_hw_config();
        cfg::apply_overrides(hw, {"scratchpad.banks=1", "scratchpad.bank_width=16B",
                                  "scratchpad.size=" + std::to_string(spad) + "B"});
        return hw;
    };
    const auto fits = [&](uint64_t spad) {
        try {
            (void)compiler::compile(wl, hw_with(spad), {});
            return true;
        } catch (const UserError&) {
            return false;
        }
    };
    uint64_t lo = 1536, hi = 256 * 1024;  // lo: the config's own minimum; hi fits
    ASSERT_TRUE(fits(hi));
    while (hi - lo > 64) {
        const uint64_t mid = (lo + hi) / 2 / 64 * 64;
        (fits(mid) ? hi : lo) = mid;
    }
    // The error first: under ASan, an exception thrown after a SystemC simulation has switched
    // stacks in this process draws a false stack-use-after-scope report.
    try {
        (void)compiler::compile(wl, hw_with(hi - 64), {});
        FAIL() << "expected a UserError";
    } catch (const UserError& e) {
        EXPECT_NE(std::string(e.what()).find("stem.yaml:6:5: layers[0]: layer 'stem'"),
                  std::string::npos)
            << e.what();
        EXPECT_NE(std::string(e.what()).find("does not fit on chip"), std::string::npos)
            << e.what();
    }
    const run::RunResult r = run::simulate(hw_with(hi), wl, {});
    EXPECT_TRUE(r.stats.layers[0].bit_exact) << r.stats.layers[0].mismatches;
}

}  // namespace
}  // namespace npu

// Activations kept on chip: which tensors stay in the scratchpad, and where.
#include <gtest/gtest.h>

#include "sim/compiler/compiler.h"
#include "sim/config/config_loader.h"
#include "sim/config/paths.h"
#include "sim/graph/workload_loader.h"
#include "sim/quant/ptq.h"

namespace npu::compiler {
namespace {

class CompilerResidency : public ::testing::Test {
  protected:
    void SetUp() override { cfg::set_data_dir(NPUSIM_SOURCE_DIR); }
    static graph::Workload load(const std::string& name) {
        return quant::load_and_quantize(std::string(NPUSIM_SOURCE_DIR) + "/workloads/" + name +
                                        ".yaml");
    }
};

// The end of the scratchpad range a transfer touches on its scratchpad side.
uint64_t sram_end(const isa::Transfer& x) {
    return x.sram_addr + uint64_t(x.rows - 1) * x.sram_stride + x.row_bytes;
}

TEST_F(CompilerResidency, IntermediateOutputsStayOnChipAndTheResultGoesToDram) {
    const cfg::HwConfig hw = cfg::default_hw_config();
    const graph::Workload wl = load("default");
    CompileOptions o;
    o.with_data = false;
    const isa::Program p = compile(wl, hw, o);
    ASSERT_EQ(p.layers.size(), 4u);
    // conv1 (32 KiB), conv2 (8 KiB) and conv3 (16 KiB) fit above the working sets; fc's output
    // is the network's result, read by nobody, so it goes to DRAM.
    EXPECT_EQ(p.layers[0].residency, "on-chip");
    EXPECT_EQ(p.layers[1].residency, "on-chip");
    EXPECT_EQ(p.layers[2].residency, "on-chip");
    EXPECT_EQ(p.layers[3].residency, "dram");
    EXPECT_LT(p.layers[3].output_addr, isa::kOnChipBase);
    // A resident output lies inside the scratchpad and clear of every buffer that the layers
    // alive with it (its producer and its reader) touch.
    for (size_t li = 0; li + 1 < p.layers.size(); ++li) {
        const uint64_t lo = p.layers[li].output_addr - isa::kOnChipBase;
        const uint64_t hi = lo + p.layers[li].output_bytes;
        EXPECT_LE(hi, hw.scratchpad.size_bytes);
        for (const isa::Instr& in : p.instrs) {
            if (in.layer != li && in.layer != li + 1) continue;
            if (in.op == isa::Opcode::kLoad || in.op == isa::Opcode::kStore) {
                const isa::Transfer& x = p.xfer(in);
                EXPECT_TRUE(sram_end(x) <= lo || x.sram_addr >= hi) << isa::to_asm(p, in);
            }
        }
    }
    // Tensors alive at the same time do not overlap: conv1's output (read by conv2) and conv2's.
    const auto range = [&](size_t li) {
        const uint64_t a = p.layers[li].output_addr - isa::kOnChipBase;
        return std::pair{a, a + p.layers[li].output_bytes};
    };
    EXPECT_TRUE(range(0).second <= range(1).first || range(1).second <= range(0).first);
    EXPECT_TRUE(range(1).second <= range(2).first || range(2).second <= range(1).first);
    // Less DRAM: only the input, weights, biases and the result.
    CompileOptions off = o;
    off.onchip_activations = false;
    const isa::Program q = compile(wl, hw, off);
    for (const isa::LayerDesc& d : q.layers) EXPECT_EQ(d.residency, "dram");
    EXPECT_EQ(p.dram_bytes_used + 32768 + 8192 + 16384, q.dram_bytes_used);
}

TEST_F(CompilerResidency, NothingStaysOnChipWhenTheScratchpadIsFullOfWorkingSets) {
    cfg::HwConfig hw = cfg::default_hw_config();
    // 64 KiB: conv1's working set alone leaves no room for its 32 KiB output.
    cfg::apply_overrides(hw, {"scratchpad.size=64KiB"});
    CompileOptions o;
    o.with_data = false;
    const isa::Program p = compile(load("default"), hw, o);
    EXPECT_EQ(p.layers[0].residency, "dram");
}

}  // namespace
}  // namespace npu::compiler

// The functional run's check against the reference executor, through run::simulate: with a
// corrupted weight row in DRAM the run reports, per layer, exactly the mismatches a comparison
// of the complete output lists finds, whether the simulated outputs are kept
// (RunOptions::keep_outputs, as --save-tensors does) or compared layer by layer and let go.
#include <gtest/gtest.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "models/platform/soc.h"
#include "sim/compiler/compiler.h"
#include "sim/config/config_loader.h"
#include "sim/quant/ptq.h"
#include "sim/ref/reference.h"
#include "sim/run/simulation.h"

namespace npu {
namespace {

// The first row of the first LOAD of `layer` that reads the program's DRAM image (weights or
// bias): its address and length.
std::pair<uint64_t, uint64_t> first_image_row_of(const isa::Program& p, uint32_t layer) {
    for (const isa::Instr& in : p.instrs) {
        if (in.op != isa::Opcode::kLoad || in.layer != layer) continue;
        const isa::Transfer& t = p.xfer(in);
        for (const isa::DramSegment& seg : p.dram_image) {
            if (t.dram_addr >= seg.addr &&
                t.dram_addr + t.row_bytes <= seg.addr + seg.bytes.size()) {
                return {t.dram_addr, t.row_bytes};
            }
        }
    }
    return {0, 0};
}

TEST(RunCheck, MismatchesAreCountedPerLayerAsAWholeComparisonCountsThem) {
    const cfg::HwConfig hw = cfg::default_hw_config();
    const graph::Workload wl =
        quant::load_and_quantize(std::string(NPUSIM_SOURCE_DIR) + "/workloads/tiny_resnet.yaml");
    compiler::CompileOptions copts;
    copts.with_data = true;
    const isa::Program program = compiler::compile(wl, hw, copts);
    const uint32_t corrupted = 3;
    const auto [addr, len] = first_image_row_of(program, corrupted);
    ASSERT_GT(len, 0u) << "layer " << corrupted << " loads nothing from the DRAM image";
    // The DRAM the run reads has that row inverted (copy on write: the program stays as compiled).
    run::RunOptions keep;
    keep.dram = [&hw, addr = addr, len = len](model::MemoryImage& image, stats::StatGroup& st) {
        std::vector<uint8_t> row(len);
        image.read(addr, row.data(), len, "test");
        for (uint8_t& b : row) b = static_cast<uint8_t>(~b);
        image.write(addr, row.data(), len, "test");
        return model::make_dram(hw, image, st);
    };
    run::RunOptions drop = keep;
    drop.keep_outputs = false;
    const run::RunResult kept = run::simulate(hw, wl, keep);
    const run::RunResult dropped = run::simulate(hw, wl, drop);
    EXPECT_TRUE(dropped.outputs.empty());

    // The whole comparison, as the check did before it went layer by layer.
    const auto expected = ref::run_workload(wl, hw.postproc.rounding, hw.postproc.requant);
    ASSERT_EQ(kept.outputs.size(), expected.size());
    ASSERT_EQ(kept.stats.layers.size(), expected.size());
    size_t first_bad = expected.size();
    for (size_t i = 0; i < expected.size(); ++i) {
        uint64_t bad = 0;
        ASSERT_EQ(kept.outputs[i].size(), expected[i].size());
        for (size_t e = 0; e < expected[i].size(); ++e) bad += expected[i][e] != kept.outputs[i][e];
        if (bad != 0 && first_bad == expected.size()) first_bad = i;
        for (const run::RunResult* r : {&kept, &dropped}) {
            const stats::LayerStats& l = r->stats.layers[i];
            EXPECT_TRUE(l.checked) << l.name;
            EXPECT_EQ(l.mismatches, bad) << l.name;
            EXPECT_EQ(l.bit_exact, bad == 0) << l.name;
        }
    }
    // The layers before the corrupted one are exact; the corruption shows from there on.
    EXPECT_GE(first_bad, corrupted);
    EXPECT_LT(first_bad, expected.size());
    // The same run on an intact DRAM is exact.
    run::RunOptions intact;
    intact.keep_outputs = false;
    for (const stats::LayerStats& l : run::simulate(hw, wl, intact).stats.layers) {
        EXPECT_TRUE(l.checked && l.bit_exact) << l.name << ": " << l.mismatches;
    }
}

}  // namespace
}  // namespace npu

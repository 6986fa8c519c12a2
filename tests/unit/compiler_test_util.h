// Helpers shared by the compiler's unit tests.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "sim/compiler/compiler.h"
#include "sim/compiler/emit.h"
#include "sim/compiler/estimate.h"
#include "sim/compiler/search.h"
#include "sim/config/config_loader.h"
#include "sim/core/error.h"
#include "sim/graph/workload_loader.h"
#include "sim/quant/prepare.h"

namespace npu::compiler::test {

// Validated default config with `overrides` applied.
inline cfg::HwConfig hw_with(const std::vector<std::string>& overrides) {
    cfg::HwConfig hw = cfg::default_hw_config();
    cfg::apply_overrides(hw, overrides);
    DiagnosticList d;
    cfg::validate(hw, d, "test");
    EXPECT_TRUE(d.empty()) << (d.empty() ? "" : d.items()[0].to_string());
    return hw;
}

// A small NPU: 8x8 array, 16 KiB scratchpad in 4 banks of 4096 B, 4 KiB accumulator in 2 banks.
inline cfg::HwConfig small_hw(std::vector<std::string> extra = {}) {
    std::vector<std::string> o = {"array.rows=8",          "array.cols=8",
                                  "scratchpad.size=16KiB", "scratchpad.banks=4",
                                  "accumulator.size=4KiB", "accumulator.banks=2"};
    o.insert(o.end(), extra.begin(), extra.end());
    return hw_with(o);
}

// A workload from YAML text, loaded and prepared (seeded data, quantization).
inline graph::Workload workload(const std::string& yaml) {
    return quant::prepare(graph::load_workload_from_string(yaml, "w.yaml"));
}

// Two declared inputs; a gemm, a reshape view of its output, a softmax reading the view, an add
// of the inputs, a concat of the softmax and the add. Regions: 0 x, 1 y, 2 g's weights, 3 g's
// bias, 4 g's output (r views it), 5 s's output, 6 a's output, 7 c's output (the result).
inline constexpr const char* kGraph = R"(
inputs:
  - {name: x, shape: [4, 8], scale: 0.05}
  - {name: y, shape: [4, 8], scale: 0.05}
layers:
  - {name: g, op: gemm, inputs: [x], n: 16, weight_scale: 0.01, output: {scale: 1.0}}
  - {name: r, op: reshape, shape: [4, 16]}
  - {name: s, op: softmax, output: {scale: 1.0}}
  - {name: a, op: add, inputs: [x, y], output: {scale: 1.0}}
  - {name: c, op: concat, inputs: [s, a]}
)";

// The estimate of candidate `c` of `x` from its emitted instructions (estimate_program), the
// reference the closed form (estimate()) is proven equal to; `counts` (if given) gets the
// emitted program's instruction counts.
inline Estimate emitted_estimate(const LoweredLayer& x, const ArrayPlan& c, const cfg::HwConfig& hw,
                                 isa::InstrCounts* counts = nullptr) {
    LayerPlan plan;
    plan.ok = true;
    plan.array = c;
    Emitted trial;
    emit_layer(x, plan, 0, trial);
    if (counts != nullptr) *counts = trial.program.counts();
    return estimate_program(trial.program, hw, c.dataflow, x.desc);
}

// Compile options whose array layers take their largest tiles in the config's (or the pinned)
// dataflow with the m-blocks outermost (plan_array(layer, hw, dataflow, {})), whatever the
// search prefers: the mapping a test of emission, fusion or tokens counts its instructions for.
// `wl` must outlive the options.
inline CompileOptions largest_tiles(const graph::Workload& wl, const cfg::HwConfig& hw,
                                    bool with_data = false) {
    CompileOptions o;
    o.with_data = with_data;
    const auto lowered = std::make_shared<Lowered>(lower(wl, hw));
    o.array_plan = [lowered, hw](size_t i) -> std::optional<ArrayPlan> {
        const LoweredLayer& x = lowered->layers.at(i);
        if (x.cls != LayerClass::kArray) return std::nullopt;
        const std::optional<Dataflow> pin = pinned_dataflow(*x.layer, hw);
        return plan_array(x, hw, pin ? *pin : hw.array.dataflow, {});
    };
    return o;
}

}  // namespace npu::compiler::test

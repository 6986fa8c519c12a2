#include "sim/compiler/compiler.h"

#include <algorithm>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "sim/compiler/emit.h"
#include "sim/compiler/fusion.h"
#include "sim/compiler/lower.h"
#include "sim/compiler/memory_plan.h"
#include "sim/compiler/pack.h"
#include "sim/compiler/search.h"
#include "sim/core/error.h"

namespace npu::compiler {

isa::Program compile(const graph::Workload& wl, const cfg::HwConfig& hw,
                     const CompileOptions& options) {
    if (wl.pending) {
        throw std::invalid_argument(
            "compile: workload '" + wl.name +
            "' has pending work (seeded tensors, quantization): run npu::quant::prepare first");
    }
    const Lowered lowered = lower(wl, hw);
    const std::vector<FusionGroup> groups = group_layers(lowered);
    std::vector<LayerPlan> plans = search_mappings(lowered, hw);
    if (options.array_plan) {
        for (size_t li = 0; li < plans.size(); ++li) {
            if (lowered.layers[li].cls != LayerClass::kArray) continue;
            if (std::optional<ArrayPlan> forced = options.array_plan(li)) {
                plans[li].array = std::move(*forced);
                plans[li].summary = array_summary(lowered.layers[li], plans[li].array);
            }
        }
    }
    DiagnosticList problems;  // per layer: lowering's, then the search's
    for (size_t li = 0; li < lowered.layers.size(); ++li) {
        for (const Diagnostic& d : lowered.layers[li].problems) problems.add(d);
        for (const Diagnostic& d : plans[li].problems) problems.add(d);
    }
    problems.throw_if_any();

    Emitted emitted = emit(lowered, plans, groups);
    const std::vector<uint64_t> work = working_sets(emitted.program);
    const MemoryBases bases{options.dram_base, options.onchip_base};
    const MemoryPlan memory =
        plan_memory(lowered, groups, work, hw, bases, options.onchip_activations);
    if (hw.compiler.overlap == LayerOverlap::kPrefetch) {
        // The slots go where the plan left room; emission does not depend on where regions live,
        // so the program is emitted again with them and the plan still holds.
        emitted = emit(lowered, plans, groups,
                       plan_prefetch(lowered, plans, groups, work, memory, hw, bases));
    }
    isa::Program& prog = emitted.program;
    prog.dram_base = options.dram_base;
    prog.dram_size = options.dram_size > 0
                         ? options.dram_size
                         : hw.dram.size_bytes - std::min(hw.dram.size_bytes, options.dram_base);
    prog.onchip_base = options.onchip_base;
    const uint64_t needed = memory.dram_end - memory.dram_begin;
    if (needed > prog.dram_size) {
        // The config is what would have to change: blame its key, where it was set.
        const cfg::KeySource where = hw.source_of("dram.size");
        throw UserError(Diagnostic{where.file, where.line, where.col, "dram.size",
                                   "expected at least the " + std::to_string(needed) +
                                       " B of DRAM that workload '" + wl.name +
                                       "' needs (weights, inputs and every tensor), found " +
                                       std::to_string(prog.dram_size) + " B"});
    }
    link(emitted, lowered, memory);
    if (options.with_data) pack_weights(wl, lowered, memory, hw, emitted.program);
    return std::move(emitted.program);
}

std::vector<LayerEstimate> estimate_layers(const graph::Workload& wl, const cfg::HwConfig& hw) {
    const Lowered lowered = lower(wl, hw);
    const std::vector<LayerPlan> plans = search_mappings(lowered, hw);
    DiagnosticList problems;
    std::vector<LayerEstimate> out;
    for (size_t li = 0; li < lowered.layers.size(); ++li) {
        const LoweredLayer& x = lowered.layers[li];
        for (const Diagnostic& d : x.problems) problems.add(d);
        for (const Diagnostic& d : plans[li].problems) problems.add(d);
        LayerEstimate e{x.layer->name, std::nullopt};
        if (x.cls == LayerClass::kArray && plans[li].ok)
            e.estimate = estimate(x, plans[li].array, hw);
        out.push_back(std::move(e));
    }
    problems.throw_if_any();
    return out;
}

}  // namespace npu::compiler

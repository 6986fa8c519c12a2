#include "sim/compiler/compiler.h"

#include <algorithm>
#include <limits>
#include <map>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "sim/compiler/emit.h"
#include "sim/compiler/fusion.h"
#include "sim/compiler/lower.h"
#include "sim/compiler/memory_plan.h"
#include "sim/compiler/pack.h"
#include "sim/compiler/schedule.h"
#include "sim/compiler/search.h"
#include "sim/compiler/tiling.h"
#include "sim/core/error.h"

namespace npu::compiler {

void check_prepared(const graph::Workload& wl) {
    if (wl.pending) {
        throw std::invalid_argument(
            "compile: workload '" + wl.name +
            "' has pending work (seeded tensors, quantization): run npu::quant::prepare first");
    }
}

uint64_t dram_available(const CompileOptions& options, const cfg::HwConfig& hw) {
    return options.dram_size > 0
               ? options.dram_size
               : hw.dram.size_bytes - std::min(hw.dram.size_bytes, options.dram_base);
}

void check_dram_fits(const graph::Workload& wl, const cfg::HwConfig& hw, uint64_t needed,
                     uint64_t available) {
    if (needed <= available) return;
    // The config is what would have to change: blame its key, where it was set.
    const cfg::KeySource where = hw.source_of("dram.size");
    throw UserError(Diagnostic{where.file, where.line, where.col, "dram.size",
                               "expected at least the " + std::to_string(needed) +
                                   " B of DRAM that workload '" + wl.name +
                                   "' needs (weights, inputs and every tensor), found " +
                                   std::to_string(available) + " B"});
}

namespace {

// Every layer's best plan: search_mappings() as with compiler.fusion = none (the scheduled
// search). With fusion auto, search_mappings() itself gives the closed-form plans (search.h),
// the fusion pass's other choice for a group's layers.
std::vector<LayerPlan> best_plans(const Lowered& lowered, const cfg::HwConfig& hw) {
    if (hw.compiler.fusion == Fusion::kNone) return search_mappings(lowered, hw);
    cfg::HwConfig unfused = hw;
    unfused.compiler.fusion = Fusion::kNone;
    return search_mappings(lowered, unfused);
}

}  // namespace

isa::Program compile(const graph::Workload& wl, const cfg::HwConfig& hw,
                     const CompileOptions& options) {
    check_prepared(wl);
    const Lowered lowered = lower(wl, hw);
    std::vector<FusionGroup> groups = group_layers(lowered);
    // Every layer's best plan: the scheduled search, as with compiler.fusion = none (search.h
    // searches without schedules when fusion is auto: those plans are the fusion pass's other
    // choice, below).
    const auto forced = [&](std::vector<LayerPlan>& plans) {
        if (!options.array_plan) return;
        for (size_t li = 0; li < plans.size(); ++li) {
            if (lowered.layers[li].cls != LayerClass::kArray) continue;
            if (std::optional<ArrayPlan> plan = options.array_plan(li)) {
                plans[li].array = std::move(*plan);
                plans[li].summary = array_summary(lowered.layers[li], plans[li].array);
            }
        }
    };
    std::vector<LayerPlan> plans = best_plans(lowered, hw);
    forced(plans);
    DiagnosticList problems;  // per layer: lowering's, then the search's
    for (size_t li = 0; li < lowered.layers.size(); ++li) {
        for (const Diagnostic& d : lowered.layers[li].problems) problems.add(d);
        for (const Diagnostic& d : plans[li].problems) problems.add(d);
    }
    problems.throw_if_any();

    Emitted emitted = emit(lowered, plans, groups);
    std::vector<uint64_t> work = working_sets(emitted.program);
    const MemoryBases bases{options.dram_base, options.onchip_base};
    // Fusion groups, chosen on the program emitted without them (fused layers use a subset of
    // their buffers, so its working sets bound theirs), each group's layers with their best or
    // their closed-form plans (fusion.h).
    std::optional<FusionChoice> fusion;
    const bool pinned = std::any_of(wl.layers.begin(), wl.layers.end(),
                                    [](const graph::Layer& l) { return l.pin_fuse == true; });
    if (hw.compiler.fusion != Fusion::kNone || pinned) {
        std::vector<LayerPlan> closed = plans;
        if (hw.compiler.fusion != Fusion::kNone) {
            closed = search_mappings(lowered, hw);
            forced(closed);
        }
        fusion =
            choose_fusion(lowered, plans, emitted, closed, hw, bases, options.onchip_activations);
        groups = fusion->groups;
        if (groups.size() < lowered.layers.size()) {
            // The plans the groups chose; the working sets (and so the memory plan below) are
            // the final program's: those choose_fusion() planned its last link with.
            plans = fusion->plans;
            emitted = emit(lowered, plans, group_layers(lowered));
            work = working_sets(emitted.program);
        }
    }
    check_groups(groups, lowered.layers.size());
    const MemoryPlan memory =
        plan_memory(lowered, groups, work, hw, bases, options.onchip_activations);
    const bool fused = groups.size() < lowered.layers.size();
    if (fused) place_intermediates(lowered, groups, memory, bases, plans);
    if (options.cores > 1) {
        for (size_t li = 0; li < plans.size(); ++li) {
            plans[li].core_units =
                core_share(lowered.layers[li], plans[li], hw.array.cols, options.core,
                           options.cores, options.layer_partitions.at(li));
        }
    }
    const bool prefetch = hw.compiler.overlap != LayerOverlap::kNone;  // prefetch or full
    if (fused || prefetch || options.cores > 1) {
        // The slots go where the plan left room, intermediates are read and written where it
        // keeps them; emission does not depend on where regions live, so the program is emitted
        // again with them and the plan still holds.
        emitted = emit(lowered, plans, groups,
                       prefetch ? plan_prefetch(lowered, plans, groups, work, memory, hw, bases)
                                : std::vector<std::optional<uint32_t>>{});
    }
    if (fusion) {
        for (size_t li = 0; li < lowered.layers.size(); ++li) {
            isa::LayerDesc& d = emitted.program.layers[li];
            d.fusion = fusion->notes[li];
            d.fused = fusion->fused[li];
            d.fusion_dram_saved = fusion->dram_saved[li];
            d.fusion_onchip_saved = fusion->onchip_saved[li];
        }
    }
    isa::Program& prog = emitted.program;
    if (hw.compiler.overlap == LayerOverlap::kFull) mark_layer_ends(prog);
    prog.dram_base = options.dram_base;
    prog.dram_size = dram_available(options, hw);
    prog.onchip_base = options.onchip_base;
    check_dram_fits(wl, hw, memory.dram_end - memory.dram_begin, prog.dram_size);
    link(emitted, lowered, memory);
    if (options.with_data) pack_weights(wl, lowered, memory, hw, emitted.program);
    return std::move(emitted.program);
}

std::vector<LayerEstimate> estimate_layers(const graph::Workload& wl, const cfg::HwConfig& hw) {
    const Lowered lowered = lower(wl, hw);
    const std::vector<LayerPlan> plans = best_plans(lowered, hw);
    DiagnosticList problems;
    std::vector<LayerEstimate> out;
    for (size_t li = 0; li < lowered.layers.size(); ++li) {
        const LoweredLayer& x = lowered.layers[li];
        for (const Diagnostic& d : x.problems) problems.add(d);
        for (const Diagnostic& d : plans[li].problems) problems.add(d);
        LayerEstimate e{x.layer->name, std::nullopt};
        if (x.cls == LayerClass::kArray && plans[li].ok)
            e.estimate = scored_estimate(x, plans[li].array, hw);
        out.push_back(std::move(e));
    }
    problems.throw_if_any();
    return out;
}

LayerSplit choose_layer_partitions(const graph::Workload& wl, const cfg::HwConfig& hw) {
    const Lowered lowered = lower(wl, hw);
    const std::vector<LayerPlan> plans = search_mappings(lowered, hw);
    LayerSplit out;
    out.layers.assign(lowered.layers.size(), Partition::kSpatial);
    // max(the slowest core's estimate, every core's DRAM bytes at peak bandwidth).
    const auto cost = [&](size_t li, Partition split) {
        const LoweredLayer& x = lowered.layers[li];
        uint64_t slowest = 0, bytes = 0;
        for (int c = 0; c < hw.cores; ++c) {
            LayerPlan plan = plans[li];
            plan.core_units = core_share(x, plan, hw.array.cols, c, hw.cores, split);
            Emitted trial;
            emit_layer(x, plan, static_cast<uint16_t>(li), trial);
            const Estimate e = estimate_program(trial.program, hw, plan.array.dataflow, x.desc);
            slowest = std::max(slowest, e.cycles);
            bytes += e.bytes;
        }
        return std::max(slowest, memory_cycles(bytes, hw));
    };
    for (size_t li = 0; li < lowered.layers.size(); ++li) {
        if (lowered.layers[li].cls != LayerClass::kArray) continue;
        if (!plans[li].ok) {
            out.layers[li] = Partition::kChannel;
            continue;
        }
        const uint64_t channel = cost(li, Partition::kChannel);
        const uint64_t spatial = cost(li, Partition::kSpatial);
        if (channel <= spatial) out.layers[li] = Partition::kChannel;
        out.split_cycles += std::min(channel, spatial);
        // One core, the whole layer: the closed form (equal to estimate_program() of its
        // emitted instructions, compiler_estimate_test), already max(array, DRAM bytes).
        out.one_core_cycles += estimate(lowered.layers[li], plans[li].array, hw).cycles;
    }
    return out;
}

int choose_batch_cores(const graph::Workload& wl, const cfg::HwConfig& hw) {
    // Per share size (images on one core): the array layers' estimated cycles and DRAM bytes.
    std::map<int32_t, Estimate> of_images;
    const auto share_estimate = [&](int32_t images) {
        const auto found = of_images.find(images);
        if (found != of_images.end()) return found->second;
        const graph::Workload part = images == wl.batch ? wl : graph::images_of(wl, 0, images);
        const Lowered lowered = lower(part, hw);
        const std::vector<LayerPlan> plans = best_plans(lowered, hw);
        Estimate total;
        for (size_t li = 0; li < lowered.layers.size(); ++li) {
            if (lowered.layers[li].cls != LayerClass::kArray || !plans[li].ok) continue;
            const Estimate e = scored_estimate(lowered.layers[li], plans[li].array, hw);
            total.cycles += e.cycles;
            total.bytes += e.bytes;
        }
        return of_images.emplace(images, total).first->second;
    };
    int best = hw.cores;
    uint64_t best_cycles = std::numeric_limits<uint64_t>::max();
    for (int k = std::min<int>(hw.cores, wl.batch); k >= 1; --k) {
        uint64_t slowest = 0, bytes = 0;
        for (const Share& s : split_evenly(wl.batch, k)) {  // split_batch()'s shares
            const Estimate e = share_estimate(static_cast<int32_t>(s.count));
            slowest = std::max(slowest, e.cycles);
            bytes += e.bytes;
        }
        const uint64_t cycles = std::max(slowest, memory_cycles(bytes, hw));
        if (cycles < best_cycles) {
            best = k;
            best_cycles = cycles;
        }
    }
    return best;
}

}  // namespace npu::compiler

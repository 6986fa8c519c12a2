#include "sim/compiler/fusion.h"

#include <algorithm>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <tuple>

#include "sim/compiler/emit.h"
#include "sim/compiler/estimate.h"
#include "sim/compiler/memory_plan.h"
#include "sim/compiler/schedule.h"
#include "sim/core/error.h"

namespace npu::compiler {

std::vector<FusionGroup> group_layers(const Lowered& lowered) {
    return groups_of(std::vector<bool>(lowered.layers.size(), false));
}

std::vector<FusionGroup> groups_of(const std::vector<bool>& fused) {
    std::vector<FusionGroup> groups;
    for (size_t i = 0; i < fused.size(); ++i) {
        if (i == 0 || !fused[i - 1]) groups.push_back({i, i, {}});
        FusionGroup& g = groups.back();
        g.last = i;
        if (fused[i] && i + 1 < fused.size()) g.intermediates.push_back(i);
    }
    return groups;
}

void check_groups(const std::vector<FusionGroup>& groups, size_t layer_count) {
    size_t next = 0;
    for (size_t g = 0; g < groups.size(); ++g) {
        const FusionGroup& fg = groups[g];
        if (fg.first != next || fg.last < fg.first) {
            throw std::invalid_argument("fusion group " + std::to_string(g) + " covers layers [" +
                                        std::to_string(fg.first) + ", " + std::to_string(fg.last) +
                                        "], expected a run starting at layer " +
                                        std::to_string(next));
        }
        for (size_t i : fg.intermediates) {
            if (i < fg.first || i >= fg.last) {
                throw std::invalid_argument(
                    "fusion group " + std::to_string(g) + " names layer " + std::to_string(i) +
                    " as an intermediate, expected one of layers [" + std::to_string(fg.first) +
                    ", " + std::to_string(fg.last) + ")");
            }
        }
        next = fg.last + 1;
    }
    if (next != layer_count) {
        throw std::invalid_argument("fusion groups cover " + std::to_string(next) + " of " +
                                    std::to_string(layer_count) + " layers");
    }
}

namespace {

std::string quoted(const LoweredLayer& x) { return "'" + x.layer->name + "'"; }

// Why `x` cannot write its output in place (POST at the output's row stride, or a row op's
// VECTOR); empty if it can.
std::string why_not_producer(const LoweredLayer& x) {
    const graph::Layer& l = *x.layer;
    switch (x.cls) {
        case LayerClass::kArray:
        case LayerClass::kWindow:
        case LayerClass::kElementwise:
            return "";
        case LayerClass::kRows:
            if (l.kind != graph::OpKind::kConcat) return "";
            break;
        case LayerClass::kView:
            break;
    }
    return std::string("a ") + graph::to_string(l.kind) + " layer's output is not written in place";
}

// Why `x` (planned `p`) cannot read input `k` in place, whole rows; empty if it can.
std::string why_not_reader(const LoweredLayer& x, const LayerPlan& p, size_t k) {
    const graph::Layer& l = *x.layer;
    switch (x.cls) {
        case LayerClass::kArray:
            if (l.kind == graph::OpKind::kMatmul) {
                if (k != 0) return "a matmul's B operand is not read in place";
                return l.a_interleaved ? "a matmul's interleaved A operand is not read in place"
                                       : "";
            }
            return k == 0 ? "" : "only a convolution's input slab is read in place";
        case LayerClass::kWindow:
            return p.window.split ? "it loads its input channel block by channel block" : "";
        case LayerClass::kElementwise:
            if (p.elementwise.cols_per_block < l.out_shape.back()) {
                return "its blocks hold " + std::to_string(p.elementwise.cols_per_block) + " of " +
                       std::to_string(l.out_shape.back()) + " elements of a row";
            }
            return "";
        case LayerClass::kRows:
            if (l.kind != graph::OpKind::kConcat) return "";
            break;
        case LayerClass::kView:
            break;
    }
    return std::string("a ") + graph::to_string(l.kind) + " layer's input is not read in place";
}

// The input of layer `reader` that is layer `producer`'s output (the first; -1: none).
int input_of(const Lowered& lowered, size_t producer, size_t reader) {
    const std::vector<uint32_t>& in = lowered.layers[reader].input_regions;
    for (size_t k = 0; k < in.size(); ++k) {
        if (in[k] == lowered.layers[producer].output_region) return static_cast<int>(k);
    }
    return -1;
}

}  // namespace

std::string why_not_fusable(const Lowered& lowered, const std::vector<LayerPlan>& plans,
                            size_t li) {
    const LoweredLayer& x = lowered.layers.at(li);
    if (li + 1 >= lowered.layers.size()) return "it is the last layer";
    const LoweredLayer& next = lowered.layers[li + 1];
    if (x.cls == LayerClass::kView) return "a reshape is a view, it has no output of its own";
    if (!plans[li].ok || !plans[li + 1].ok) return "a layer of the two could not be mapped";
    const uint32_t r = x.output_region;
    if (input_of(lowered, li, li + 1) < 0) {
        return "the next layer " + quoted(next) + " does not read its output";
    }
    for (size_t o = 0; o < lowered.layers.size(); ++o) {
        if (o == li + 1) continue;
        for (uint32_t in : lowered.layers[o].input_regions) {
            if (in == r) return "its output is also read by " + quoted(lowered.layers[o]);
        }
    }
    size_t reads = 0;
    for (uint32_t in : next.input_regions) reads += in == r ? 1 : 0;
    if (reads > 1) return quoted(next) + " reads its output twice";
    if (std::string why = why_not_producer(x); !why.empty()) return why;
    const size_t k = static_cast<size_t>(input_of(lowered, li, li + 1));
    if (std::string why = why_not_reader(next, plans[li + 1], k); !why.empty()) {
        return quoted(next) + " cannot read it in place: " + why;
    }
    return "";
}

namespace {

// Which plan a layer is emitted with while the links are chosen.
enum Variant : int { kBest = 0, kClosed = 1 };

// The layers' instructions, per layer, in one emitted program (for per-layer traffic).
std::vector<std::vector<size_t>> instrs_by_layer(const Emitted& e, size_t layers) {
    std::vector<std::vector<size_t>> out(layers);
    for (size_t i = 0; i < e.program.instrs.size(); ++i) {
        const uint16_t l = e.program.instrs[i].layer;
        if (l < layers) out[l].push_back(i);
    }
    return out;
}

}  // namespace

uint64_t fusion_cycles(const LoweredLayer& x, const LayerPlan& plan, const cfg::HwConfig& hw) {
    Emitted trial;
    emit_layer(x, plan, 0, trial);
    const isa::Program& p = trial.program;
    if (x.cls == LayerClass::kArray && plan.ok) {
        return std::max(estimate_program(p, hw, plan.array.dataflow, x.desc).cycles,
                        schedule_cycles(p, hw));
    }
    uint64_t bytes = 0;
    for (const isa::Instr& in : p.instrs) {
        if (in.op == isa::Opcode::kLoad || in.op == isa::Opcode::kStore)
            bytes += p.xfer(in).bytes();
    }
    return memory_cycles(bytes, hw);
}

FusionChoice choose_fusion(const Lowered& lowered, const std::vector<LayerPlan>& plans,
                           const Emitted& unfused, const std::vector<LayerPlan>& closed,
                           const cfg::HwConfig& hw, const MemoryBases& bases,
                           bool onchip_activations) {
    const size_t n = lowered.layers.size();
    FusionChoice ch;
    ch.fused.assign(n, false);
    ch.notes.assign(n, "");
    ch.dram_saved.assign(n, 0);
    ch.onchip_saved.assign(n, 0);
    ch.plans = plans;
    // The two unfused programs: every layer with its best plan (`unfused`) and with its
    // closed-form plan; a layer's working set and transfers come from the one it is planned with.
    const Emitted closed_e = emit(lowered, closed, group_layers(lowered));
    const Emitted* program[2] = {&unfused, &closed_e};
    const std::vector<uint64_t> work_of[2] = {working_sets(unfused.program),
                                              working_sets(closed_e.program)};
    const std::vector<std::vector<size_t>> instrs_of[2] = {instrs_by_layer(unfused, n),
                                                           instrs_by_layer(closed_e, n)};
    const std::vector<LayerPlan>* plan_of[2] = {&plans, &closed};
    std::vector<int> variant(n, kBest);
    const auto same_plan = [&](size_t l) {
        return plans[l].summary == closed[l].summary && work_of[kBest][l] == work_of[kClosed][l] &&
               instrs_of[kBest][l].size() == instrs_of[kClosed][l].size();
    };
    const auto work_for = [&](const std::vector<int>& v) {
        std::vector<uint64_t> w(n);
        for (size_t i = 0; i < n; ++i) w[i] = work_of[v[i]][i];
        return w;
    };
    const auto traffic = [&](const std::vector<int>& v, const MemoryPlan& mp,
                             const std::vector<bool>& drop) {
        Traffic t;
        for (size_t l = 0; l < n; ++l) {
            const Emitted& e = *program[v[l]];
            for (size_t i : instrs_of[v[l]][l]) {
                const uint32_t r = e.regions[i];
                if (r == kNoRegion || drop[r]) continue;
                (mp.onchip[r] ? t.onchip : t.dram) += e.program.xfer(e.program.instrs[i]).bytes();
            }
        }
        return t;
    };
    // fusion_cycles() of layer l planned `v`, reading its input in place and writing its output
    // in place or not (the addresses do not change the estimate: cached without them).
    std::map<std::tuple<size_t, int, bool, bool>, uint64_t> cycles_cache;
    const auto cycles = [&](size_t l, int v, bool in_place_in, bool in_place_out) {
        const auto key = std::make_tuple(l, v, in_place_in, in_place_out);
        if (const auto found = cycles_cache.find(key); found != cycles_cache.end())
            return found->second;
        LayerPlan p = (*plan_of[v])[l];
        if (in_place_in) {
            p.in_place_input = 0;
            p.in_place_index = static_cast<size_t>(input_of(lowered, l - 1, l));
        }
        if (in_place_out) p.in_place_output = 0;
        const uint64_t c = fusion_cycles(lowered.layers[l], p, hw);
        cycles_cache.emplace(key, c);
        return c;
    };
    std::vector<bool> dropped(lowered.regions.size(), false);
    Traffic now = program_traffic(
        unfused,
        plan_memory(lowered, groups_of(ch.fused), work_of[kBest], hw, bases, onchip_activations),
        dropped);
    DiagnosticList problems;
    for (size_t li = 0; li + 1 < n; ++li) {
        const LoweredLayer& x = lowered.layers[li];
        const std::optional<bool> pin = x.layer->pin_fuse;
        if (pin == false || (hw.compiler.fusion == Fusion::kNone && !pin)) continue;
        const std::string with = quoted(lowered.layers[li + 1]);
        const auto refuse = [&](const std::string& why) {
            ch.notes[li] = "not fused with " + with + ": " + why;
            if (pin) {
                problems.add(Diagnostic{lowered.source_file, x.layer->source_line,
                                        x.layer->source_col,
                                        "layers[" + std::to_string(li) + "].fuse",
                                        "layer '" + x.layer->name + "' is pinned to fuse with " +
                                            with + ", but " + why});
            }
        };
        // In auto mode only a layer whose output the next layer reads is a candidate worth a note.
        if (const std::string why = why_not_fusable(lowered, plans, li); !why.empty()) {
            if (pin || input_of(lowered, li, li + 1) >= 0) refuse(why);
            continue;
        }
        std::vector<bool> fused = ch.fused;
        fused[li] = true;
        std::vector<bool> drop = dropped;
        drop[x.output_region] = true;
        const bool in_group = li > 0 && ch.fused[li - 1];  // layer li's plan is settled
        // The two layers' estimated cycles apart, as they are planned now (layer li+1: its
        // best plan).
        const uint64_t apart =
            cycles(li, variant[li], in_group, false) + cycles(li + 1, kBest, false, false);
        // Each way of planning the pair (their best plans, then their closed-form plans; layer
        // li keeps its plan when it is already in a group), checked in turn: the intermediate
        // fits on chip, lies in banks neither layer's buffers use, the DRAM traffic does not grow
        // and (not pinned) the pair's estimated cycles do not either. The fewest cycles wins.
        struct Trial {
            std::vector<int> variant;
            Traffic traffic;
            uint64_t cycles = 0;
        };
        std::optional<Trial> best;
        std::string why;  // every way's refusal
        for (int v : {kBest, kClosed}) {
            std::vector<int> var = variant;
            if (!in_group) var[li] = v;
            var[li + 1] = v;
            // Nothing more to try when the closed-form plans are the ones just tried.
            if (v == kClosed && same_plan(li + 1) && (in_group || same_plan(li))) continue;
            const std::vector<uint64_t> work = work_for(var);
            std::optional<MemoryPlan> plan;
            std::string refusal;
            try {
                plan = plan_memory(lowered, groups_of(fused), work, hw, bases, onchip_activations);
            } catch (const UserError&) {
                refusal = "its output (" + std::to_string(lowered.regions[x.output_region].bytes) +
                          " B) does not fit on chip beside the working sets of both layers";
            }
            Trial t;
            if (plan) {
                // The intermediate is read and written where it lies while both layers' buffers
                // stream: in a bank one of them uses, the accesses would contend for its ports.
                const uint64_t bank =
                    hw.scratchpad.size_bytes / uint64_t(std::max(1, hw.scratchpad.banks));
                const uint64_t at = plan->address[x.output_region] - bases.onchip_window;
                const uint64_t used = std::max(work[li], work[li + 1]);
                t.traffic = traffic(var, *plan, drop);
                t.cycles =
                    cycles(li, var[li], in_group, true) + cycles(li + 1, var[li + 1], true, false);
                if (!pin && at < (used + bank - 1) / bank * bank) {
                    refusal = "its output would lie in scratchpad bank " +
                              std::to_string(at / bank) +
                              ", which the buffers of both layers use (their accesses would "
                              "contend)";
                } else if (!pin && t.traffic.dram > now.dram) {
                    refusal = "keeping its output on chip moves " +
                              std::to_string(t.traffic.dram - now.dram) +
                              " B more DRAM traffic (tensors read more often lose their place)";
                } else if (!pin && t.cycles > apart) {
                    refusal = "the estimate says the two layers take " + std::to_string(t.cycles) +
                              " cycles fused against " + std::to_string(apart) + " apart";
                }
            }
            if (!refusal.empty()) {
                why = why.empty() ? refusal : why + "; with their closed-form plans: " + refusal;
                continue;
            }
            t.variant = std::move(var);
            if (!best || t.cycles < best->cycles) best = std::move(t);
        }
        if (!best) {
            refuse(why);
            continue;
        }
        ch.fused = std::move(fused);
        dropped = std::move(drop);
        variant = std::move(best->variant);
        const Traffic& t = best->traffic;
        ch.dram_saved[li] = static_cast<int64_t>(now.dram) - static_cast<int64_t>(t.dram);
        ch.onchip_saved[li] = static_cast<int64_t>(now.onchip) - static_cast<int64_t>(t.onchip);
        ch.notes[li] = "fused with " + with + ": output kept on chip and read in place (" +
                       std::to_string(ch.dram_saved[li]) + " B DRAM and " +
                       std::to_string(ch.onchip_saved[li]) + " B on-chip copies saved)";
        now = t;
    }
    problems.throw_if_any();
    ch.groups = groups_of(ch.fused);
    for (size_t l = 0; l < n; ++l) {
        if (variant[l] == kClosed) ch.plans[l] = closed[l];
    }
    return ch;
}

void place_intermediates(const Lowered& lowered, const std::vector<FusionGroup>& groups,
                         const MemoryPlan& plan, const MemoryBases& bases,
                         std::vector<LayerPlan>& plans) {
    for (const FusionGroup& g : groups) {
        for (size_t li : g.intermediates) {
            const uint32_t r = lowered.layers[li].output_region;
            if (!plan.onchip[r]) {
                throw std::logic_error("compiler: the intermediate of layer '" +
                                       lowered.layers[li].layer->name + "' is not on chip");
            }
            const auto spad = static_cast<uint32_t>(plan.address[r] - bases.onchip_window);
            plans[li].in_place_output = spad;
            plans[li + 1].in_place_input = spad;
            plans[li + 1].in_place_index = static_cast<size_t>(input_of(lowered, li, li + 1));
        }
    }
}

}  // namespace npu::compiler

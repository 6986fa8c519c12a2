#include "sim/compiler/fusion.h"

#include <algorithm>
#include <stdexcept>
#include <string>

#include "sim/compiler/emit.h"
#include "sim/compiler/estimate.h"
#include "sim/compiler/memory_plan.h"
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

FusionChoice choose_fusion(const Lowered& lowered, const std::vector<LayerPlan>& plans,
                           const Emitted& unfused, const std::vector<uint64_t>& work,
                           const cfg::HwConfig& hw, const MemoryBases& bases,
                           bool onchip_activations) {
    const size_t n = lowered.layers.size();
    FusionChoice ch;
    ch.fused.assign(n, false);
    ch.notes.assign(n, "");
    ch.dram_saved.assign(n, 0);
    ch.onchip_saved.assign(n, 0);
    std::vector<bool> dropped(lowered.regions.size(), false);
    Traffic now = program_traffic(
        unfused, plan_memory(lowered, groups_of(ch.fused), work, hw, bases, onchip_activations),
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
        std::optional<MemoryPlan> plan;
        try {
            plan = plan_memory(lowered, groups_of(fused), work, hw, bases, onchip_activations);
        } catch (const UserError&) {
            refuse("its output (" + std::to_string(lowered.regions[x.output_region].bytes) +
                   " B) does not fit on chip beside the working sets of both layers");
            continue;
        }
        // The intermediate is read and written where it lies while both layers' buffers stream:
        // in a bank one of them uses, the accesses would contend for its ports.
        const uint64_t bank = hw.scratchpad.size_bytes / uint64_t(std::max(1, hw.scratchpad.banks));
        const uint64_t at = plan->address[x.output_region] - bases.onchip_window;
        const uint64_t used = std::max(work[li], work[li + 1]);  // banks [0, ceil(used / bank))
        if (!pin && at < (used + bank - 1) / bank * bank) {
            ch.notes[li] = "not fused with " + with + ": its output would lie in scratchpad bank " +
                           std::to_string(at / bank) +
                           ", which the buffers of both layers use (their accesses would contend)";
            continue;
        }
        std::vector<bool> drop = dropped;
        drop[x.output_region] = true;
        const Traffic t = program_traffic(unfused, *plan, drop);
        if (!pin && t.dram > now.dram) {
            ch.notes[li] = "not fused with " + with + ": keeping its output on chip moves " +
                           std::to_string(t.dram - now.dram) +
                           " B more DRAM traffic (tensors read more often lose their place)";
            continue;
        }
        ch.fused = std::move(fused);
        dropped = std::move(drop);
        ch.dram_saved[li] = static_cast<int64_t>(now.dram) - static_cast<int64_t>(t.dram);
        ch.onchip_saved[li] = static_cast<int64_t>(now.onchip) - static_cast<int64_t>(t.onchip);
        ch.notes[li] = "fused with " + with + ": output kept on chip and read in place (" +
                       std::to_string(ch.dram_saved[li]) + " B DRAM and " +
                       std::to_string(ch.onchip_saved[li]) + " B on-chip copies saved)";
        now = t;
    }
    problems.throw_if_any();
    ch.groups = groups_of(ch.fused);
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

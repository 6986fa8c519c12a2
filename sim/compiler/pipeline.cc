// The pipeline partition (partition.h): the layers split into stages, one per core, the program
// of every image linked into its own slot of each DRAM tensor and each stage's instructions of it
// handed to its core between WAIT and SIGNAL.
#include <algorithm>
#include <limits>
#include <stdexcept>
#include <string>
#include <utility>

#include "sim/compiler/emit.h"
#include "sim/compiler/estimate.h"
#include "sim/compiler/fusion.h"
#include "sim/compiler/lower.h"
#include "sim/compiler/memory_plan.h"
#include "sim/compiler/pack.h"
#include "sim/compiler/partition.h"
#include "sim/compiler/search.h"
#include "sim/core/error.h"

namespace npu::compiler {

namespace {

// Whether costs[0..n) split greedily into stages of at most `bound` each needs at most `cores`.
bool fits(const std::vector<uint64_t>& costs, int cores, uint64_t bound) {
    int used = 1;
    uint64_t sum = 0;
    for (uint64_t c : costs) {
        if (c > bound) return false;
        if (sum + c > bound) {
            ++used;
            sum = 0;
        }
        sum += c;
    }
    return used <= cores;
}

// Appends `in` of `from` (its payload too) to `to`.
void copy_instr(const isa::Program& from, const isa::Instr& in, isa::Program& to) {
    isa::Instr& out = to.append(in.op, in.layer);
    out.deps = in.deps;
    switch (in.op) {
        case isa::Opcode::kLoad:
        case isa::Opcode::kStore:
            to.xfer(out) = from.xfer(in);
            break;
        case isa::Opcode::kCompute:
            to.comp(out) = from.comp(in);
            break;
        case isa::Opcode::kVector:
            to.vec(out) = from.vec(in);
            break;
        case isa::Opcode::kPostproc:
            to.post(out) = from.post(in);
            break;
        case isa::Opcode::kSync:
        case isa::Opcode::kWait:
        case isa::Opcode::kSignal:
            out.payload = in.payload;
            break;
    }
}

// Whether `addr` lies in core 0's on-chip window (from `base`).
bool in_window(uint64_t addr, uint64_t base) {
    return addr >= base && addr - base < kCoreWindowStride;
}

bool per_image(const Region& r) {
    return r.kind == Region::Kind::kInput || r.kind == Region::Kind::kOutput;
}

}  // namespace

std::vector<Stage> split_layers(const std::vector<uint64_t>& costs, int cores) {
    if (cores < 1) throw std::invalid_argument("split_layers: " + std::to_string(cores) + " cores");
    const size_t n = costs.size(), k = size_t(cores);
    std::vector<Stage> out(k, Stage{n, 0});
    if (n <= k) {  // a layer each, the last cores none
        for (size_t c = 0; c < k; ++c)
            out[c] = Stage{std::min(c, n), c < n ? size_t{1} : size_t{0}};
        return out;
    }
    // The smallest bound on a stage's cost that fits in `cores` stages (binary search on it).
    uint64_t lo = *std::max_element(costs.begin(), costs.end()), hi = 0;
    for (uint64_t c : costs) hi += c;
    while (lo < hi) {
        const uint64_t mid = lo + (hi - lo) / 2;
        if (fits(costs, cores, mid)) {
            hi = mid;
        } else {
            lo = mid + 1;
        }
    }
    // Greedy under that bound, each stage leaving at least one layer to every later core.
    size_t next = 0;
    for (size_t c = 0; c < k; ++c) {
        const size_t last_allowed = n - (k - 1 - c);  // this stage ends at or before it
        size_t end = next + 1;
        uint64_t sum = costs[next];
        while (end < last_allowed && sum + costs[end] <= lo) sum += costs[end++];
        if (c + 1 == k) end = n;
        out[c] = Stage{next, end - next};
        next = end;
    }
    return out;
}

Partitioned compile_pipeline(const graph::Workload& wl, const cfg::HwConfig& hw,
                             const CompileOptions& options) {
    check_prepared(wl);
    // One image's program: every image runs it, linked into its own slot of each tensor.
    const graph::Workload one = wl.batch == 1 ? wl : graph::images_of(wl, 0, 1);
    const Lowered lowered = lower(one, hw);
    const std::vector<FusionGroup> groups = group_layers(lowered);
    const std::vector<LayerPlan> plans = search_mappings(lowered, hw);
    DiagnosticList problems;
    for (size_t li = 0; li < lowered.layers.size(); ++li) {
        for (const Diagnostic& d : lowered.layers[li].problems) problems.add(d);
        for (const Diagnostic& d : plans[li].problems) problems.add(d);
    }
    problems.throw_if_any();
    Emitted emitted = emit(lowered, plans, groups);
    check_groups(groups, lowered.layers.size());
    const std::vector<uint64_t> work = working_sets(emitted.program);

    Partitioned out;
    out.partition = Partition::kPipeline;
    out.stages = split_layers(layer_cycles(lowered, plans, emitted.program, hw), hw.cores);
    const auto batch = static_cast<uint64_t>(wl.batch);
    // Tensors read by a layer of another stage go through DRAM; a stage's own tensors may stay in
    // its core's scratchpad (one image at a time: its stage of an image ends before the next).
    std::vector<size_t> stage_of(lowered.layers.size(), 0);
    for (size_t c = 0; c < out.stages.size(); ++c) {
        for (size_t li = out.stages[c].first; li < out.stages[c].first + out.stages[c].layers;
             ++li) {
            stage_of[li] = c;
        }
    }
    std::vector<bool> crosses(lowered.regions.size(), false);
    for (size_t li = 0; li < lowered.layers.size(); ++li) {
        for (uint32_t r : lowered.layers[li].input_regions) {
            const Region& region = lowered.regions.at(r);
            if (region.kind != Region::Kind::kOutput || stage_of[region.layer] != stage_of[li]) {
                crosses[r] = true;
            }
        }
    }
    const MemoryBases bases{options.dram_base, options.onchip_base};
    const std::vector<bool> onchip =
        plan_memory(lowered, groups, work, hw, bases, options.onchip_activations, crosses).onchip;
    // The memory plan of the batch: every input and tensor in DRAM `batch` slots of one image's
    // size (the tensors kept on chip as above: the same first fit, the same addresses).
    Lowered batched = lowered;
    std::vector<bool> in_dram(lowered.regions.size(), false);
    for (size_t r = 0; r < batched.regions.size(); ++r) {
        in_dram[r] = !onchip[r];
        if (per_image(batched.regions[r]) && !onchip[r]) batched.regions[r].bytes *= batch;
    }
    const MemoryPlan memory =
        plan_memory(batched, groups, work, hw, bases, options.onchip_activations, in_dram);
    if (memory.onchip != onchip) {
        throw std::logic_error("compile_pipeline: the batch's plan keeps other tensors on chip");
    }
    const uint64_t dram_size = dram_available(options, hw);
    check_dram_fits(wl, hw, memory.dram_end - memory.dram_begin, dram_size);

    // The stages that have layers come first (split_layers): the last of them signals nobody.
    size_t busy = 0;
    for (const Stage& s : out.stages) busy += s.layers > 0 ? 1 : 0;
    out.programs.resize(out.stages.size());
    for (size_t c = 0; c < out.stages.size(); ++c) {
        const Stage& s = out.stages[c];
        isa::InstrCounts counts;
        for (const isa::Instr& in : emitted.program.instrs) {
            if (in.layer >= s.first && in.layer < s.first + s.layers) ++counts.of(in.op);
        }
        isa::InstrCounts all{0, 0, 0, 0, 2 * batch};  // every image's, its WAITs and SIGNALs
        for (uint64_t i = 0; i < batch; ++i) all += counts;
        out.programs[c].reserve(all);
        out.shares.push_back(CoreShare{0, wl.batch});
    }
    for (uint64_t image = 0; image < batch; ++image) {
        MemoryPlan at = memory;
        for (size_t r = 0; r < lowered.regions.size(); ++r) {
            if (per_image(lowered.regions[r]) && !onchip[r]) {
                at.address[r] += image * lowered.regions[r].bytes;
            }
        }
        Emitted linked = emitted;
        link(linked, lowered, at);
        for (size_t c = 0; c < busy; ++c) {
            const Stage& s = out.stages[c];
            isa::Program& p = out.programs[c];
            const auto first = static_cast<uint16_t>(s.first);
            const auto last = static_cast<uint16_t>(s.first + s.layers - 1);
            if (c > 0) p.append(isa::Opcode::kWait, first).payload = uint32_t(image);
            const uint64_t window = uint64_t(c) * kCoreWindowStride;  // core 0's to core c's
            for (const isa::Instr& in : linked.program.instrs) {
                if (in.layer < first || in.layer > last) continue;
                copy_instr(linked.program, in, p);
                if (in.op == isa::Opcode::kLoad || in.op == isa::Opcode::kStore) {
                    uint64_t& a = p.xfer(p.instrs.back()).dram_addr;
                    if (in_window(a, options.onchip_base)) a += window;
                }
            }
            if (c + 1 < busy) p.append(isa::Opcode::kSignal, last).payload = uint32_t(image);
        }
        if (image == 0) {
            // The run's layer table: image 0's addresses, i.e. the batch's tensors, which hold
            // the images back to back; a layer's MACs are the batch's, on its stage's core.
            for (isa::LayerDesc& d : linked.program.layers) {
                d.output_bytes *= batch;
                d.macs *= batch;
            }
            for (size_t c = 0; c < out.programs.size(); ++c) {
                isa::Program& p = out.programs[c];
                p.layers = linked.program.layers;
                const Stage& s = out.stages[c];
                for (size_t li = 0; li < p.layers.size(); ++li) {
                    isa::LayerDesc& d = p.layers[li];
                    if (li < s.first || li >= s.first + s.layers) d.macs = 0;
                    for (uint64_t* a :
                         {&d.input_addr, &d.weight_addr, &d.bias_addr, &d.output_addr}) {
                        if (in_window(*a, options.onchip_base)) *a += c * kCoreWindowStride;
                    }
                }
            }
        }
    }
    for (size_t c = 0; c < out.programs.size(); ++c) {
        isa::Program& p = out.programs[c];
        p.pipeline = true;
        p.dram_base = options.dram_base;
        p.dram_size = dram_size;
        p.dram_bytes_used = memory.dram_end - memory.dram_begin;
        p.onchip_base = options.onchip_base + uint64_t(c) * kCoreWindowStride;
    }
    // One DRAM image (weights once, every image's inputs back to back): core 0's program holds
    // it. The whole workload's inputs, at the batch plan's slots.
    if (options.with_data) pack_weights(wl, lowered, memory, hw, out.programs[0]);
    return out;
}

}  // namespace npu::compiler

// Pass 4 of the compiler (on the emitted program, before memory planning): fusion grouping.
//
//   in:  Lowered (lower.h), the layers' best and closed-form LayerPlans (search.h), the program
//        emitted without fusion with the best ones (emit.h), cfg::HwConfig (compiler.fusion),
//        the workload's `fuse:` pins (graph::Layer::pin_fuse)
//   out: the layers cut into FusionGroups: runs of consecutive layers whose intermediates (a
//        layer's output read only by the next layer of the group) stay on chip and never go
//        through memory: the producer's POST writes the intermediate where it lies in the
//        scratchpad (no STORE) and the reader reads it there (no LOAD); per layer the decision
//        and the bytes it saved; per layer the plan it keeps.
//
// A layer's output can be fused into the next layer (why_not_fusable()) when
//  - the next layer is its only reader (no other layer or view reads it) and reads it once;
//  - the producer can write it where it lies: a conv2d, gemm or matmul POST (a block of channels
//    at the tensor's row stride, isa::Postproc::out_stride), pooling, depthwise convolution,
//    add or mul POST, or a row op's VECTOR (softmax, norms, lookups; not concat);
//  - the reader reads whole rows of it: a conv2d/gemm's input slab, a matmul's A operand (not
//    interleaved by heads; not B), a pooling or depthwise convolution not split by channels, an
//    add/mul operand whose blocks are whole rows, a row op's input (not concat).
// So conv -> add (a residual), conv -> pooling, conv -> depthwise -> conv chains, conv -> conv and
// attention's matmul -> softmax -> matmul (the scores and probabilities stay on chip) fuse.
//
// The plans: with compiler.fusion = auto the driver (compiler.cc) searches every layer twice:
// its best plan (the scheduled search, what compiler.fusion = none maps it with) and its
// closed-form plan (the search without schedules, search.h: larger tiles, fewer buffers, more
// often leaving banks free for an intermediate). A layer in no group keeps its best plan.
//
// choose_fusion() takes each such link in layer order (compiler.fusion = auto; with none only the
// layers pinned `fuse: true`) and tries the pair planned two ways: both layers with their best
// plans, then both with their closed-form plans (a layer already fused with the one before keeps
// the plan its group chose). A way is acceptable when
//  1. memory planning can keep the intermediate on chip beside the working sets of both layers;
//  2. it lies in scratchpad banks neither layer's buffers use (read and written in place, it
//     would contend for their ports);
//  3. the program's estimated DRAM traffic (program_traffic(), estimate.h) is not larger than
//     without the link: keeping one tensor on chip can push another, read more often, off chip;
//  4. the two layers' estimated cycles fused (fusion_cycles(), planned that way, the input read
//     and the output written in place) are not more than apart (the first as it is planned now,
//     the second with its best plan): so a group never costs more estimated cycles than its
//     layers alone with their best plans (each link only lowers the sum).
// The acceptable way with the fewest estimated cycles is kept; with none the layers stay apart
// and the note says why (each way's reason: "...; with their closed-form plans: ..."). A `fuse:
// true` pin skips 2-4; one that cannot be met is an error (every one reported at once); `fuse:
// false` keeps the layer apart. Memory planning (memory_plan.h) places the groups' intermediates
// first; emission (emit.h) still ends every layer with its barrier, so a group's layers run one
// after the other and the controller checks each layer's output as before.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "sim/compiler/lower.h"
#include "sim/compiler/search.h"
#include "sim/config/hw_config.h"

namespace npu::compiler {

struct Emitted;      // emit.h
struct MemoryBases;  // memory_plan.h
struct MemoryPlan;

struct FusionGroup {
    size_t first = 0;  // layers [first, last]
    size_t last = 0;
    // Layers of the group whose outputs are intermediates (read only by the next layer of the
    // group): they stay on chip. Empty for a group of one layer.
    std::vector<size_t> intermediates;
};

// One group per layer, in order (no fusion).
[[nodiscard]] std::vector<FusionGroup> group_layers(const Lowered& lowered);

// The groups of `fused` (per layer: its output is an intermediate read by the next layer).
[[nodiscard]] std::vector<FusionGroup> groups_of(const std::vector<bool>& fused);

// Checks that `groups` cover the layers 0..layer_count-1 in order without gaps or overlaps and
// that every intermediate is a layer of its group other than the last; throws
// std::invalid_argument (a compiler bug, not a user error) otherwise.
void check_groups(const std::vector<FusionGroup>& groups, size_t layer_count);

// Why layer `li`'s output cannot be fused into layer li + 1 (see above); empty when it can.
[[nodiscard]] std::string why_not_fusable(const Lowered& lowered,
                                          const std::vector<LayerPlan>& plans, size_t li);

struct FusionChoice {
    std::vector<FusionGroup> groups;
    std::vector<bool> fused;  // per layer: its output is an intermediate
    // Per layer, about fusing its output into the next layer: the decision and its reason
    // ("fused with 'b': ..." or "not fused with 'b': ..."); empty when no link was considered.
    std::vector<std::string> notes;
    // Per fused layer: the DRAM bytes and the on-chip window bytes (scratchpad to scratchpad
    // copies) the program moves less because of it (program_traffic() before and after; DRAM
    // bytes can be negative for a pinned fusion that pushed other tensors off chip).
    std::vector<int64_t> dram_saved, onchip_saved;
    // Per layer the plan it is emitted with: its closed-form plan when its group chose that,
    // else its best plan.
    std::vector<LayerPlan> plans;
};

// The fusion groups (see above). `plans` are the layers' best plans and `unfused` the program
// emitted with them, one group per layer; `closed` the closed-form plans (the same as `plans`
// with compiler.fusion = none). Throws npu::UserError for `fuse: true` pins that cannot be met.
[[nodiscard]] FusionChoice choose_fusion(const Lowered& lowered,
                                         const std::vector<LayerPlan>& plans,
                                         const Emitted& unfused,
                                         const std::vector<LayerPlan>& closed,
                                         const cfg::HwConfig& hw, const MemoryBases& bases,
                                         bool onchip_activations);

// The estimated cycles of `layer` alone under `plan` (its in-place fields honoured; their
// addresses do not matter): an array layer: the later of the closed form (estimate_program())
// and the engine schedule (schedule_cycles(), schedule.h) of its instructions, the search's
// scored_estimate() of the plan when nothing is in place; any other layer: its LOADs' and
// STOREs' bytes at the DRAM's peak bandwidth (layer_cycles(), estimate.h).
[[nodiscard]] uint64_t fusion_cycles(const LoweredLayer& layer, const LayerPlan& plan,
                                     const cfg::HwConfig& hw);

// Sets the plans' in-place fields (LayerPlan::in_place_*) for every intermediate of `groups`
// from where `plan` keeps it on chip (scratchpad byte = address - onchip_window).
void place_intermediates(const Lowered& lowered, const std::vector<FusionGroup>& groups,
                         const MemoryPlan& plan, const MemoryBases& bases,
                         std::vector<LayerPlan>& plans);

}  // namespace npu::compiler

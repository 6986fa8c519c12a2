// Pass 3 of the compiler: instruction emission. Turns each layer's plan into its instructions
// and dependency tokens, and ends each layer with a SYNC barrier (a fusion group's layers too).
// A fused layer (LayerPlan::in_place_*, fusion.h) reads its intermediate input where it lies in
// the scratchpad (no LOAD: the COMPUTE's slab, the VECTOR's operand or slab point into it) and
// POSTs its intermediate output there (no STORE; a block of channels narrower than the tensor's
// rows at the row stride, isa::Postproc::out_stride); the barrier between the two layers orders
// the writes before the reads.
//
//   in:  Lowered (lower.h), the LayerPlans (search.h), the FusionGroups (fusion.h), and with
//        compiler.overlap = prefetch the prefetch slots (memory_plan.h plan_prefetch())
//   out: Emitted: an isa::Program whose layer table holds each layer's constants, mapping text
//        and dataflow, and whose instruction stream is final except for the far (DRAM or on-chip
//        window) address of every LOAD and STORE: that is an offset into a region, whose index
//        `regions` holds per instruction. Memory planning (memory_plan.h) chooses where the
//        regions live and link() adds their bases. Scratchpad and accumulator addresses are final
//        (they come from the plans).
//
// Dependency tokens. A layer's instructions form steps (loads, then one COMPUTE or VECTOR) and
// pairs (the steps that fill one accumulator / output buffer, then POST and STORE). Buffers come
// in ping/pong instances; the schedule records who last read each instance and sets the token
// flags so that nobody overwrites a buffer before its last reader is done:
//  - load -> compute: the last load of a step pushes, its compute pops.
//  - compute -> load: a step whose loads overwrite buffers last read by compute step j waits for
//    j; since computes run in order, one token from the latest such j covers everything before,
//    so only computes some later load waits for push, and loads pop when their need advances.
//  - compute -> store: the last step of a pair pushes, the pair's first store-side instruction
//    pops.
//  - store -> compute: the first step of a pair waits for the store-side instruction that last
//    read its accumulator (POST) or output buffer (STORE), by the same rule.
// Every wait is on an instruction earlier in program order, so in-order dispatch cannot deadlock.
//
// Prefetch across the barrier (compiler.overlap = prefetch). The first layer of a group whose
// weights are pre-tiled (conv, gemm) and that has a prefetch slot (a scratchpad address clear of
// both groups' buffers and of the tensors kept on chip meanwhile) gets its first weight tile
// (first_weights()) loaded by one LOAD placed after the previous group's last instruction and
// before its SYNC, tagged with the prefetched layer: the load engine runs it while the previous
// layer still computes, posts and stores. The prefetched layer's first step (or, n-blocks
// outermost, every step of n-block 0) reads the weights in the slot instead of loading them; the
// SYNC guarantees they have arrived. The prefetch LOAD waits (compute -> load token) for the
// last compute of its layer that read that layer's own prefetch slot, since slots of consecutive
// layers may overlap. Each layer keeps its instruction_count(): the LOAD moves, it is not added.
// Channel and spatial partitions (LayerPlan::core_units): each core's program prefetches the
// weights of its own first step of the next layer (first_weights() under the core's units: the
// first block of channels it runs, from that block's place in the pre-tiled weights; spatial:
// n-block 0, every core runs every channel), into a slot planned in its own scratchpad as for one
// core (no tensor is kept on chip in a split run); a core without a share of the next layer
// prefetches nothing. The LOAD comes before the SYNC, so it runs under the current layer and the
// cross-core barrier still orders every core's activations.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "sim/compiler/fusion.h"
#include "sim/compiler/lower.h"
#include "sim/compiler/search.h"
#include "sim/isa/isa.h"

namespace npu::compiler {

struct Emitted {
    isa::Program program;           // dram_image empty, dram_bytes_used 0
    std::vector<uint32_t> regions;  // per instruction: a LOAD's or STORE's region, else kNoRegion
};

// Channel and spatial partitions (partition.h): core `core`'s share of `cores` of a layer's work
// units, for LayerPlan::core_units; the units are split as evenly as they go (the first cores
// take one more). A core without units in a layer emits nothing for it but its SYNC.
// - kChannel: an array layer's units are blocks of its output channels, per repetition (group
//   or head), repetition-major: `array_cols` channels each where they tile the plan's n-block
//   (and array_cols is even: int4 weights start on a byte), else whole n-blocks, so a core runs,
//   for every image, the channels of a contiguous range of them (parts of n-blocks, with the
//   n-block's buffers). Every other layer is one unit, run whole by core 0.
// - kSpatial: every layer's units are its output rows, image-major: an array layer's GEMM rows
//   (a conv's output image rows, a gemm's or a matmul head's M rows, every head's; a batch folded
//   into the rows: the stacked images' rows), pooling's and depthwise's output image rows, and
//   the rows of add/mul and the row ops (softmax, norms, lookups, concat: every image's rows of
//   the last dimension). A core runs a contiguous range of them, every channel of each (every
//   n-block, k-chunk, column block), in blocks that fit the plan's buffers: an array layer's
//   m-blocks from the core's first row of each image on, each as many rows as the plan's hold
//   whose input slab fits the plan's slab buffer (at least the plan's m-block clipped to the
//   range: so as few m-blocks, i.e. weight loads, as fit); window and row layers' blocks are the
//   plan's (aligned from row 0 of each image) clipped to the range. A slab LOAD reads the input
//   rows its block needs, a convolution's halo rows included. A reshape is one unit (it emits
//   nothing).
[[nodiscard]] LayerPlan::Units core_share(const LoweredLayer& layer, const LayerPlan& plan,
                                          int32_t array_cols, int core, int cores,
                                          Partition partition = Partition::kChannel);
// The MACs of the layer's core_units share of `macs` (the layer's MACs; all without core_units).
[[nodiscard]] uint64_t share_of_macs(const LoweredLayer& layer, const LayerPlan& plan,
                                     uint64_t macs);

// The instructions of each kind emit_layer() appends for `layer` under `plan` (closed form), so
// the program's arrays are allocated once.
[[nodiscard]] isa::InstrCounts instruction_count(const LoweredLayer& layer, const LayerPlan& plan);

// The LOAD of the weights a layer's first step reads (sram_addr 0, far offset into its weight
// region), when it has pre-tiled weights that can be prefetched; nothing otherwise. Under the
// plan's core_units: this core's first step (its first block of channels, emit_gemm()'s transfer
// exactly), nothing when the core runs no step of the layer.
[[nodiscard]] std::optional<isa::Transfer> first_weights(const LoweredLayer& layer,
                                                         const LayerPlan& plan);

// A LOAD of the next layer's first weights into its slot, in this layer's stream.
struct Prefetch {
    isa::Transfer load;  // first_weights() with sram_addr = the slot
    uint32_t region = kNoRegion;
    uint16_t layer = 0;
};

// Appends layer `index`'s instructions (its plan; nothing if !plan.ok) without the closing SYNC,
// and its entry in the layer table. `prefetched`: the slot its first weights were loaded into by
// the previous layer's stream; `next`: a prefetch to append after its instructions.
void emit_layer(const LoweredLayer& layer, const LayerPlan& plan, uint16_t index, Emitted& out,
                std::optional<uint32_t> prefetched = std::nullopt, const Prefetch* next = nullptr);

// Every group's layers, each closed by a SYNC. `prefetch_slots` (per layer; empty: none):
// where a group's first layer's first weights are prefetched (see above). Throws
// std::logic_error (a compiler bug) if a layer's instructions of some kind are not
// instruction_count() many.
[[nodiscard]] Emitted emit(const Lowered& lowered, const std::vector<LayerPlan>& plans,
                           const std::vector<FusionGroup>& groups,
                           const std::vector<std::optional<uint32_t>>& prefetch_slots = {});

// compiler.overlap = full: every SYNC but the program's last becomes a layer-end marker
// (isa::kSyncLayerEnd): it ends its layer without holding dispatch, and the core's dependency
// table (models/engines/dependency_table.h) orders the layers' instructions instead of a
// barrier (isa::Program::dependency_table). The program keeps its instructions, order and tokens
// (it is the prefetch program).
void mark_layer_ends(isa::Program& program);

}  // namespace npu::compiler

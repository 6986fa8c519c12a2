// Pass 5 of the compiler: memory planning, and linking the program to the plan.
//
//   in:  Lowered (its regions, which layer reads which), the FusionGroups, each layer's working
//        set (working_sets() of the emitted program: scratchpad addresses do not depend on where
//        the regions live), cfg::HwConfig, the NPU's MemoryBases
//   out: MemoryPlan: every region's address, and which are on chip
//
// On-chip residency: a layer's output stays in the scratchpad (through the NPU's on-chip window)
// when it fits above the working set of every layer that runs while it is alive (its producer to
// its last reader, through reshape views), clear of every other resident tensor alive at the
// same time: first fit from the top, layer by layer. The intermediates of a fusion group must
// stay on chip and are placed before anything else (a group whose intermediates do not fit is an
// error). Declared inputs, weights, biases and outputs nobody reads (the network's results) stay
// in DRAM.
// DRAM: every other region in order (Lowered::regions: the inputs, then per layer its weights,
// bias and output), each at least 1 byte, 64-byte aligned, from MemoryBases::dram.
//
// Prefetch slots (compiler.overlap = prefetch, emit.h): after the plan above, each group's first
// layer with prefetchable weights (first_weights()) gets a slot for them by the same first fit:
// above the working sets of the previous group's layers and its own, clear of every tensor kept
// on chip while either group runs. Tensors kept on chip come first (they save DRAM traffic on
// every read); a layer whose weights do not fit in what is left gets no slot and waits for the
// barrier as without overlap. Channel and spatial partitions: per core, its share's first
// weights (first_weights() under the plan's core_units; none: no slot) in its own scratchpad,
// above the whole layers' working sets (a core's share uses a subset of the plan's buffers).
//
// link() then adds each region's address to the far address of every LOAD and STORE of the
// emitted program and fills the layer table's addresses and residency.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "sim/compiler/emit.h"
#include "sim/compiler/fusion.h"
#include "sim/compiler/lower.h"
#include "sim/compiler/search.h"
#include "sim/config/hw_config.h"
#include "sim/isa/isa.h"

namespace npu::compiler {

// Where this NPU's memory starts: its first DRAM byte and the address of scratchpad byte 0 in its
// address space (a transfer whose far address lies in the window moves scratchpad to scratchpad).
struct MemoryBases {
    uint64_t dram = 0;
    uint64_t onchip_window = isa::kOnChipBase;
};

struct MemoryPlan {
    std::vector<uint64_t> address;  // per region (Lowered::regions)
    std::vector<bool> onchip;       // per region: in the scratchpad (address in the window)
    uint64_t dram_begin = 0;        // [dram_begin, dram_end): the DRAM the regions take
    uint64_t dram_end = 0;
};

// The end of the scratchpad bytes each layer's own instructions touch (its working set),
// parallel to program.layers.
[[nodiscard]] std::vector<uint64_t> working_sets(const isa::Program& program);

// A region's lifetime in layers: from its producer to its last reader (nullopt: not a layer
// output that a later layer reads).
struct Lifetime {
    size_t from = 0, to = 0;
};
[[nodiscard]] std::vector<std::optional<Lifetime>> lifetimes(const Lowered& lowered);

// Throws npu::UserError when a fusion group's intermediates do not fit on chip. `keep_in_dram`
// (per region, or empty): regions that onchip_activations never keeps on chip (the pipeline
// partition's tensors read by another core, partition.h).
[[nodiscard]] MemoryPlan plan_memory(const Lowered& lowered, const std::vector<FusionGroup>& groups,
                                     const std::vector<uint64_t>& working_sets,
                                     const cfg::HwConfig& hw, const MemoryBases& bases,
                                     bool onchip_activations,
                                     const std::vector<bool>& keep_in_dram = {});

// Per layer the scratchpad address of its prefetch slot (nullopt: none); see above.
[[nodiscard]] std::vector<std::optional<uint32_t>> plan_prefetch(
    const Lowered& lowered, const std::vector<LayerPlan>& plans,
    const std::vector<FusionGroup>& groups, const std::vector<uint64_t>& working_sets,
    const MemoryPlan& plan, const cfg::HwConfig& hw, const MemoryBases& bases);

// Relocates every transfer of `emitted` by its region's address and fills the layer table's
// input/weight/bias/output addresses and residency, and Program::dram_bytes_used.
void link(Emitted& emitted, const Lowered& lowered, const MemoryPlan& plan);

}  // namespace npu::compiler

// The mapper's second opinion on a candidate's cycles: an engine-level schedule of its emitted
// instructions, one pass in program order, as the core runs them (models/engines/*), in closed
// form per instruction (no simulation kernel, no data):
//  - the controller dispatches one instruction per controller.dispatch_cycles into its engine's
//    FIFO (controller.queue_depth deep: a full FIFO blocks dispatch until the engine takes the
//    instruction queue_depth before);
//  - three in-order engines (load; compute; store: POST and STORE) take the next instruction when
//    they are free and it is dispatched, pop its dependency tokens (isa.h: each token carries the
//    cycle its producer's effect completed) and push theirs;
//  - LOAD and STORE go through the DMA (models/engines/dma.h): the channel free earliest of
//    dma.channels, dma.setup_cycles, then one burst per cycle (bursts of dma.burst bytes that do
//    not cross a burst boundary; rows contiguous on both sides are one run) with at most
//    dma.outstanding in flight per channel; each burst holds its DRAM channel (address /
//    dma.burst mod dram.channels) for ceil(bytes / per-channel bytes per cycle) cycles and
//    completes dram.latency_cycles later (the simple DRAM, models/mem/simple_dram.h), plus its
//    scratchpad bank cycles (a load's write after the data arrives, a store's read before the
//    request). The load engine moves on when its last burst is issued; a LOAD's tokens carry its
//    last completion; a STORE frees its buffer when its last scratchpad read is done;
//  - COMPUTE: its array tiles (as the compute engine splits them) issued on the fast array model
//    (timing::make_fast_array), each no earlier than the previous tile's start; the engine moves
//    on at the last tile's start, its tokens carry the last tile's completion;
//  - POST: ceil(m x n / postproc.lanes) cycles, the results postproc.pipeline_cycles later; the
//    accumulator buffer is free when the PPU has read it;
//  - VECTOR: not modelled (the scheduler is asked about array layers only): it takes no time.
// The layer ends when every instruction has completed (its SYNC).
// Not modelled: scratchpad and accumulator bank conflicts, the DMA serving bursts of concurrent
// transfers in time order (transfers take the DMA's and DRAM's resources in program order), the
// banked DRAM (it is taken as the simple one at its peak bandwidth), far addresses (the emitted
// region offsets stand in for the linked addresses when choosing a DRAM channel).
// Used by the search (search.h) to rank the candidates the closed-form estimate() cannot tell
// apart: on small layers DMA latency, pipeline fill and drain and the engines' waits are most of
// the time. Its error against simulation: tests/models/mapper_optimality_test.cc.
#pragma once

#include <cstdint>

#include "sim/compiler/estimate.h"
#include "sim/compiler/lower.h"
#include "sim/compiler/search.h"
#include "sim/config/hw_config.h"
#include "sim/isa/isa.h"

namespace npu::compiler {

// The cycles from the first instruction of `program` to the completion of its last (a program
// of array-layer instructions; SYNCs wait for everything before them).
[[nodiscard]] uint64_t schedule_cycles(const isa::Program& program, const cfg::HwConfig& hw);

// schedule_cycles() of `layer` emitted under `plan` (emit_layer, one layer alone).
[[nodiscard]] uint64_t scheduled_cycles(const LoweredLayer& layer, const ArrayPlan& plan,
                                        const cfg::HwConfig& hw);

// What the search scores a candidate with: estimate() (its counts and bytes) with the later of
// its closed-form and scheduled cycles (the energy then prices static power over those).
[[nodiscard]] Estimate scored_estimate(const LoweredLayer& layer, const ArrayPlan& plan,
                                       const cfg::HwConfig& hw);
// The same from the candidate's estimate() already computed (`closed`).
[[nodiscard]] Estimate scored_estimate(Estimate closed, const LoweredLayer& layer,
                                       const ArrayPlan& plan, const cfg::HwConfig& hw);

}  // namespace npu::compiler

// The store engine of a core: runs POST (the post-processing unit, accumulators -> scratchpad)
// and STORE (a DMA descriptor scratchpad -> far: DRAM, or the on-chip window).
//
// Timing contract: takes the next instruction from its FIFO; pops "accumulators ready" from the
// compute engine if the instruction says so (the wait is a stall).
//  - POST: runs the PPU (models/units/ppu.h) and waits until its results are in the scratchpad;
//    "accumulator buffer free" (to compute) carries the cycle the PPU finished reading them.
//  - STORE: issues the descriptor on the DMA and moves on when its last scratchpad read is done
//    (so the next POST cannot overwrite data still being stored); "buffer free" carries that
//    cycle; the instruction retires with the cycle its last write was acknowledged.
// Stats (group "npu.store"): instructions, wait_compute_cycles (waiting for results).
#pragma once

#include <systemc>

#include "models/engines/controller.h"
#include "models/engines/dma.h"
#include "models/engines/scoreboard.h"
#include "models/engines/token_queue.h"
#include "models/units/ppu.h"
#include "sim/stats/component_stats.h"
#include "sim/stats/stats.h"

namespace npu::model {

class StoreEngine : public sc_core::sc_module {
  public:
    SC_HAS_PROCESS(StoreEngine);
    // `results_ready`: compute -> store tokens; `buffer_free`: store -> compute tokens.
    StoreEngine(sc_core::sc_module_name name, Controller::Queue& queue, TokenQueue& results_ready,
                TokenQueue& buffer_free, PostProcessor& ppu, Dma& dma, const isa::Program& program,
                Scoreboard& board, stats::StatGroup& stats);
    // The engine's fields of the run's counters (store_wait_compute_cycles) of `layer`.
    void add_counters(size_t layer, stats::Counters& c) const;

  private:
    void thread();
    void run();

    Controller::Queue& m_queue;
    TokenQueue& m_results_ready;
    TokenQueue& m_buffer_free;
    PostProcessor& m_ppu;
    Dma& m_dma;
    const isa::Program& m_program;
    Scoreboard& m_board;
    stats::Stat& m_instructions;
    stats::Stat& m_wait_compute;
};

}  // namespace npu::model

// The load engine of a core: runs LOAD instructions (a DMA descriptor far -> scratchpad).
//
// Timing contract: takes the next LOAD from its FIFO; pops "scratchpad buffer free" from the
// compute engine if the instruction says so (the wait is a stall); issues the descriptor on the
// DMA (models/engines/dma.h) and moves on when its last burst is issued; "operands ready" (to the
// compute engine) and the instruction's retirement carry the cycle its last byte landed.
// Stats (group "npu.load"): instructions, wait_compute_cycles (waiting for a free buffer).
#pragma once

#include <systemc>

#include "models/engines/controller.h"
#include "models/engines/dma.h"
#include "models/engines/scoreboard.h"
#include "models/engines/token_queue.h"
#include "sim/stats/component_stats.h"
#include "sim/stats/stats.h"

namespace npu::model {

class LoadEngine : public sc_core::sc_module {
  public:
    SC_HAS_PROCESS(LoadEngine);
    // `buffer_free`: compute -> load tokens; `operands_ready`: load -> compute tokens.
    LoadEngine(sc_core::sc_module_name name, Controller::Queue& queue, TokenQueue& buffer_free,
               TokenQueue& operands_ready, Dma& dma, const isa::Program& program, Scoreboard& board,
               stats::StatGroup& stats);
    // The engine's fields of the run's counters (load_wait_compute_cycles) of `layer`.
    void add_counters(size_t layer, stats::Counters& c) const;

  private:
    void thread();
    void run();

    Controller::Queue& m_queue;
    TokenQueue& m_buffer_free;
    TokenQueue& m_operands_ready;
    Dma& m_dma;
    const isa::Program& m_program;
    Scoreboard& m_board;
    stats::Stat& m_instructions;
    stats::Stat& m_wait_compute;
};

}  // namespace npu::model

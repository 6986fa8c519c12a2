// The compute engine of a core: runs COMPUTE (a block of a layer's implicit GEMM on the MAC
// array) and VECTOR (the vector unit).
//
// Timing contract: takes the next instruction from its FIFO; pops "operands ready" (load) and
// "accumulator buffer free" (store) if the instruction says so (the waits are stalls).
//  - COMPUTE: splits the block into array tiles (ws: k by array.rows, all m rows streamed; os:
//    m by array.rows, all k streamed; a precision slower than one MAC per cycle stretches each
//    tile's stream by array.cycles_per_mac). For each tile it asks the array when the tile can
//    run (plan), then checks that the tile's three windows find their bank ports free: the
//    weight rows it reads (scratchpad), the slab rows its output pixels read (scratchpad), its
//    accumulator rows. A busy window delays the tile by that much and the tile is planned again
//    (one scratchpad conflict per tile that waited, with the cycles); the engine then waits
//    until the tile starts, reserves the windows and issues it. The engine moves on when the
//    last tile has started; its tokens and retirement carry the last tile's completion.
//  - VECTOR: runs the vector unit (models/units/vector_unit.h), waits until its results are
//    written, pushes its tokens.
// Functional runs: the data of a block comes from the datapaths (models/datapath/): with the
// closed-form array once per block, with the PE-level array tile by tile from its registers.
// Stats (group "npu.compute"): instructions, wait_load_cycles (operands), wait_store_cycles (a
// free accumulator buffer). The array, vector unit and memories count their own.
#pragma once

#include <systemc>

#include "models/datapath/datapaths.h"
#include "models/engines/controller.h"
#include "models/engines/scoreboard.h"
#include "models/engines/token_queue.h"
#include "models/mem/banked_sram.h"
#include "models/units/mac_array.h"
#include "models/units/vector_unit.h"
#include "sim/config/hw_config.h"
#include "sim/isa/isa.h"
#include "sim/stats/component_stats.h"
#include "sim/stats/stats.h"

namespace npu::model {

class ComputeEngine : public sc_core::sc_module {
  public:
    // The engine's token queues: the two it pops and the two it pushes.
    struct Tokens {
        TokenQueue& operands_ready;  // load -> compute
        TokenQueue& acc_free;        // store -> compute
        TokenQueue& spad_free;       // compute -> load
        TokenQueue& results_ready;   // compute -> store
    };

    SC_HAS_PROCESS(ComputeEngine);
    // `dp`: the datapaths (functional runs) or nullptr (timing only).
    ComputeEngine(sc_core::sc_module_name name, const cfg::ArrayConfig& array_cfg,
                  Controller::Queue& queue, Tokens tokens, MacArray& array, VectorUnit& vector,
                  BankedSram& spad, BankedSram& acc, datapath::Datapaths* dp,
                  const isa::Program& program, Scoreboard& board, stats::StatGroup& stats);
    // The engine's fields of the run's counters (compute_wait_*_cycles) of `layer`.
    void add_counters(size_t layer, stats::Counters& c) const;

  private:
    void thread();
    void run();
    void exec_compute(const isa::Instr& in);
    void push_tokens(const isa::Instr& in, uint64_t done);

    int m_rows, m_cols;  // the array's PEs
    Controller::Queue& m_queue;
    Tokens m_tokens;
    MacArray& m_array;
    VectorUnit& m_vector;
    BankedSram& m_spad;
    BankedSram& m_acc;
    datapath::Datapaths* m_dp;
    const isa::Program& m_program;
    Scoreboard& m_board;
    stats::Stat& m_instructions;
    stats::Stat& m_wait_load;
    stats::Stat& m_wait_store;
};

}  // namespace npu::model

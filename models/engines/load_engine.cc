#include "models/engines/load_engine.h"

#include "models/process.h"

namespace npu::model {

LoadEngine::LoadEngine(sc_core::sc_module_name name, Controller::Queue& queue,
                       TokenQueue& buffer_free, TokenQueue& operands_ready, Dma& dma,
                       const isa::Program& program, Scoreboard& board, stats::StatGroup& stats)
    : sc_module(name),
      m_queue(queue),
      m_buffer_free(buffer_free),
      m_operands_ready(operands_ready),
      m_dma(dma),
      m_program(program),
      m_board(board),
      m_instructions(stats.stat("instructions", "LOAD instructions run", "count")),
      m_wait_compute(stats.stat("wait_compute_cycles",
                                "cycles waiting for a free scratchpad buffer (token from compute)",
                                "cycles")) {
    SC_THREAD(thread);
}

void LoadEngine::thread() {
    guarded([this] { run(); });
}

void LoadEngine::run() {
    for (;;) {
        const isa::Instr* next = nullptr;
        m_queue.read(next);           // read(T&): GCC 12 -O3 warns on sc_fifo::read()'s temporary
        if (next == nullptr) return;  // end of program (the controller's null instruction)
        const isa::Instr& in = *next;
        const uint64_t queued = m_board.tracing() ? now_cycles() : 0;
        if (in.deps.pop_next) pop_timed(m_buffer_free, m_wait_compute, in.layer);
        m_board.wait_hazards(isa::Engine::kLoad, in.layer);  // compiler.overlap full
        if (m_board.tracing()) m_board.trace_begin(isa::Engine::kLoad, in, queued);
        const Dma::Result r = m_dma.load(m_program.xfer(in), in.layer);
        wait_until(r.issued);
        if (in.deps.push_next) m_operands_ready.push(r.complete);
        m_instructions.add(in.layer, 1);
        m_board.retire(isa::Engine::kLoad, r.complete);
    }
}

void LoadEngine::add_counters(size_t layer, stats::Counters& c) const {
    c.load_wait_compute_cycles += m_wait_compute.at(layer);
}

}  // namespace npu::model

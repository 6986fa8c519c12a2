#include "models/engines/store_engine.h"

#include "models/process.h"

namespace npu::model {

StoreEngine::StoreEngine(sc_core::sc_module_name name, Controller::Queue& queue,
                         TokenQueue& results_ready, TokenQueue& buffer_free, PostProcessor& ppu,
                         Dma& dma, const isa::Program& program, Scoreboard& board,
                         stats::StatGroup& stats)
    : sc_module(name),
      m_queue(queue),
      m_results_ready(results_ready),
      m_buffer_free(buffer_free),
      m_ppu(ppu),
      m_dma(dma),
      m_program(program),
      m_board(board),
      m_instructions(stats.stat("instructions", "POST and STORE instructions run", "count")),
      m_wait_compute(stats.stat("wait_compute_cycles",
                                "cycles waiting for results (token from compute)", "cycles")) {
    SC_THREAD(thread);
}

void StoreEngine::thread() {
    guarded([this] { run(); });
}

void StoreEngine::run() {
    for (;;) {
        const isa::Instr* next = nullptr;
        m_queue.read(next);           // read(T&): GCC 12 -O3 warns on sc_fifo::read()'s temporary
        if (next == nullptr) return;  // end of program (the controller's null instruction)
        const isa::Instr& in = *next;
        const uint64_t queued = m_board.tracing() ? now_cycles() : 0;
        if (in.deps.pop_prev) pop_timed(m_results_ready, m_wait_compute, in.layer);
        m_board.wait_hazards(isa::Engine::kStore, in.layer);  // compiler.overlap full
        if (m_board.tracing()) m_board.trace_begin(isa::Engine::kStore, in, queued);
        m_instructions.add(in.layer, 1);
        if (in.op == isa::Opcode::kPostproc) {
            const uint64_t begin = now_cycles();
            const PostProcessor::Times t =
                m_ppu.execute(in, m_program.post(in), m_program.layers[in.layer], begin);
            if (stats::LimiterLog* log = m_board.limiters()) {
                log->add(in.layer, stats::Limiter::kVectorPpu, begin, t.done);
            }
            wait_until(t.done);
            if (in.deps.push_prev) m_buffer_free.push(t.acc_free);
            m_board.retire(isa::Engine::kStore, now_cycles());
        } else {
            const Dma::Result r = m_dma.store(m_program.xfer(in), in.layer);
            // The next POST may overwrite this output buffer once the DMA has read it; a
            // VECTOR that wrote it directly waits for this token.
            wait_until(r.sram_done);
            if (in.deps.push_prev) m_buffer_free.push(r.sram_done);
            m_board.retire(isa::Engine::kStore, r.complete);
        }
    }
}

void StoreEngine::add_counters(size_t layer, stats::Counters& c) const {
    c.store_wait_compute_cycles += m_wait_compute.at(layer);
}

}  // namespace npu::model

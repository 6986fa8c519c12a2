#include "models/engines/compute_engine.h"

#include <algorithm>

#include "models/process.h"
#include "sim/core/error.h"

namespace npu::model {

ComputeEngine::ComputeEngine(sc_core::sc_module_name name, const cfg::ArrayConfig& array_cfg,
                             Controller::Queue& queue, Tokens tokens, MacArray& array,
                             VectorUnit& vector, BankedSram& spad, BankedSram& acc,
                             datapath::Datapaths* dp, const isa::Program& program,
                             Scoreboard& board, stats::StatGroup& stats)
    : sc_module(name),
      m_rows(array_cfg.rows),
      m_cols(array_cfg.cols),
      m_queue(queue),
      m_tokens(tokens),
      m_array(array),
      m_vector(vector),
      m_spad(spad),
      m_acc(acc),
      m_dp(dp),
      m_program(program),
      m_board(board),
      m_instructions(stats.stat("instructions", "COMPUTE and VECTOR instructions run", "count")),
      m_wait_load(stats.stat("wait_load_cycles", "cycles waiting for operands (token from load)",
                             "cycles")),
      m_wait_store(stats.stat("wait_store_cycles",
                              "cycles waiting for a free accumulator buffer (token from store)",
                              "cycles")) {
    SC_THREAD(thread);
}

void ComputeEngine::thread() {
    guarded([this] { run(); });
}

void ComputeEngine::run() {
    for (;;) {
        const isa::Instr* next = nullptr;
        m_queue.read(next);           // read(T&): GCC 12 -O3 warns on sc_fifo::read()'s temporary
        if (next == nullptr) return;  // end of program (the controller's null instruction)
        const isa::Instr& in = *next;
        const uint64_t queued = m_board.tracing() ? now_cycles() : 0;
        if (in.deps.pop_prev) pop_timed(m_tokens.operands_ready, m_wait_load, in.layer);
        if (in.deps.pop_next) pop_timed(m_tokens.acc_free, m_wait_store, in.layer);
        m_board.wait_hazards(isa::Engine::kCompute, in.layer);  // compiler.overlap full
        if (m_board.tracing()) m_board.trace_begin(isa::Engine::kCompute, in, queued);
        m_instructions.add(in.layer, 1);
        if (in.op == isa::Opcode::kVector) {
            const uint64_t begin = now_cycles();
            const uint64_t done =
                m_vector.execute(in, m_program.vec(in), m_program.layers[in.layer], begin);
            if (stats::LimiterLog* log = m_board.limiters()) {
                log->add(in.layer, stats::Limiter::kVectorPpu, begin, done);
            }
            wait_until(done);
            push_tokens(in, done);
        } else {
            exec_compute(in);
        }
    }
}

void ComputeEngine::push_tokens(const isa::Instr& in, uint64_t done) {
    if (in.deps.push_prev) m_tokens.spad_free.push(done);
    if (in.deps.push_next) m_tokens.results_ready.push(done);
    m_board.retire(isa::Engine::kCompute, done);
}

void ComputeEngine::exec_compute(const isa::Instr& in) {
    const isa::Compute& c = m_program.comp(in);
    const isa::LayerDesc& L = m_program.layers[in.layer];
    const size_t layer = in.layer;
    const bool ws = L.dataflow == Dataflow::kWeightStationary;
    timing::ArrayModel& array = m_array.model(L.dataflow);
    if (c.n > m_cols || c.m <= 0 || c.k <= 0 || c.n <= 0) {
        throw ModelError(name(), now_cycles(), in.id, "block does not fit the array");
    }
    const uint32_t eb = L.elem_bytes();
    const uint32_t row_bytes = static_cast<uint32_t>(L.in_w) * static_cast<uint32_t>(L.in_c) * eb;
    const uint32_t slab_bytes = static_cast<uint32_t>(c.slab_rows) * row_bytes;
    m_spad.check_range(c.slab_addr, slab_bytes, name());
    m_spad.check_range(c.w_addr, L.w_block_bytes(c.k, c.n, c.w_transposed), name());
    m_acc.check_range(c.acc_addr, uint64_t(c.m) * uint64_t(c.n) * 4, name());
    // A precision slower than one MAC per cycle stretches each tile's stream
    // (timing::scaled_for_precision); its data is then the block product, as with kFast.
    const int cpm = std::max(1, L.cycles_per_mac);
    const datapath::Where where{name(), now_cycles(), in.id};

    // The PE-level array carries int8 operands; float blocks and stretched tiles take their
    // data from the block computation (their timing still comes tile by tile below).
    const bool pe_data = m_dp != nullptr && m_array.fidelity() == Fidelity::kPe && cpm == 1 &&
                         !is_float(L.precision);
    if (m_dp != nullptr && is_float(L.precision)) {
        m_dp->floating.compute(c, L, m_dp->mem, where);
    } else if (m_dp != nullptr && !pe_data) {
        // The closed-form array gives the timing tile by tile below; the data of the whole block
        // is one product (wrapping int32 sums do not depend on how the reduction is split).
        m_dp->integer.compute_block(c, L, m_dp->mem, where);
    }
    const int tile_m = ws ? c.m : m_rows;
    const int tile_k = ws ? m_rows : c.k;
    uint64_t done = now_cycles();
    for (int i0 = 0; i0 < c.m; i0 += tile_m) {
        for (int k0 = 0; k0 < c.k; k0 += tile_k) {
            const timing::TileShape sh{std::min(tile_m, c.m - i0), std::min(tile_k, c.k - k0), c.n};
            // The weight rows the tile reads (a transposed chunk is read whole: n rows of k).
            const uint32_t w_addr =
                c.w_transposed ? c.w_addr
                               : c.w_addr + static_cast<uint32_t>(L.w_block_bytes(k0, c.n, false));
            const uint32_t w_len =
                static_cast<uint32_t>(c.w_transposed ? L.w_block_bytes(c.k, c.n, true)
                                                     : L.w_block_bytes(sh.k, c.n, false));
            const timing::TileShape sh_t = timing::scaled_for_precision(sh, ws, cpm);
            const uint32_t acc_addr = c.acc_addr + static_cast<uint32_t>(i0 * c.n * 4);
            const uint32_t acc_len = static_cast<uint32_t>(sh.m * c.n * 4);
            // The slab rows this tile reads: output rows of its first and last pixel, widened by
            // the kernel's reach, clipped to the slab.
            const int64_t p_first = c.m0 + i0, p_last = c.m0 + i0 + sh.m - 1;
            const int32_t ih_lo = static_cast<int32_t>(p_first / L.out_w) * L.stride_h - L.pad_top;
            const int32_t ih_hi = static_cast<int32_t>(p_last / L.out_w) * L.stride_h - L.pad_top +
                                  (L.kernel_h - 1) * L.dilation_h;
            const int32_t r_lo = std::clamp(ih_lo - c.slab_row0, 0, c.slab_rows - 1);
            const int32_t r_hi = std::clamp(ih_hi - c.slab_row0, r_lo, c.slab_rows - 1);
            const uint32_t a_addr = c.slab_addr + static_cast<uint32_t>(r_lo) * row_bytes;
            const uint32_t a_len = static_cast<uint32_t>(r_hi - r_lo + 1) * row_bytes;

            // Find the first start at which both the array and the bank ports agree. Waiting
            // until the tile's start lets earlier requests claim ports first (FCFS). `asked`:
            // the windows as first planned, before any bank delayed the tile.
            uint64_t earliest = now_cycles();
            uint64_t bank_wait = 0;
            timing::TileTiming t;
            timing::TileTiming asked;
            bool planned = false;
            for (;;) {
                t = array.plan(sh_t, std::max(earliest, now_cycles()));
                if (!planned) {
                    asked = t;
                    planned = true;
                }
                // How late each window's banks let it start (0: free as planned).
                const auto late = [](const BankedSram& mem, uint32_t addr, uint32_t len,
                                     uint64_t begin, uint64_t end) {
                    return mem.window_fit(addr, len, begin, end - begin) - begin;
                };
                const uint64_t delay =
                    std::max({late(m_spad, a_addr, a_len, t.stream_begin, t.stream_end),
                              late(m_spad, w_addr, w_len, t.weight_begin, t.weight_end),
                              late(m_acc, acc_addr, acc_len, t.out_begin, t.out_end)});
                if (delay > 0) {
                    bank_wait += delay;
                    earliest = t.start + delay;
                    continue;
                }
                if (t.start > now_cycles()) {
                    wait_until(t.start);
                    continue;
                }
                break;
            }
            // A tile's wait is counted as one scratchpad conflict, whichever window waited.
            if (bank_wait > 0) m_spad.count_conflict(layer, bank_wait);
            m_spad.occupy(a_addr, a_len, t.stream_begin, t.stream_end - t.stream_begin, layer,
                          asked.stream_begin);
            m_spad.occupy(w_addr, w_len, t.weight_begin, t.weight_end - t.weight_begin, layer,
                          asked.weight_begin);
            m_acc.occupy(acc_addr, acc_len, t.out_begin, t.out_end - t.out_begin, layer,
                         asked.out_begin);

            const bool add_to_acc = c.accumulate || k0 > 0;
            if (pe_data) {
                // The PE-level array computes each tile's data from its registers.
                const timing::TileData data = m_dp->integer.pe_tile(c, L, i0, k0, sh, m_dp->mem,
                                                                    {name(), now_cycles(), in.id});
                t = array.issue(sh, now_cycles(), &data);
                m_dp->integer.pe_finish(L, c, i0, sh, add_to_acc, m_dp->mem);
            } else {
                t = array.issue(sh_t, now_cycles(), nullptr);
            }
            m_array.count_tile(layer, L.precision, sh, t);
            if (stats::LimiterLog* log = m_board.limiters()) {
                log->add_tile(layer, t.stream_begin, t.stream_end, t.start, t.done());
                if (bank_wait > 0) {
                    log->add(layer, stats::Limiter::kBankConflict, asked.start, t.start);
                }
            }
            m_spad.count_read(layer, uint64_t(sh.m) * uint64_t(sh.k) * eb + w_len +
                                         (add_to_acc ? 0 : uint64_t(sh.n) * 4));
            m_acc.count_write(layer, acc_len);
            if (add_to_acc) m_acc.count_read(layer, acc_len);
            done = std::max(done, t.done());
        }
    }
    push_tokens(in, done);
}

void ComputeEngine::add_counters(size_t layer, stats::Counters& c) const {
    c.compute_wait_load_cycles += m_wait_load.at(layer);
    c.compute_wait_store_cycles += m_wait_store.at(layer);
}

}  // namespace npu::model

#include "models/npu.h"

#include <algorithm>
#include <climits>
#include <cstring>
#include <string>

#include "sim/core/error.h"
#include "sim/core/ppu_ops.h"
#include "sim/core/requant.h"
#include "sim/core/requant_f32.h"

namespace npu::model {

using sc_core::SC_NS;
using sc_core::sc_time;

namespace {
// One cycle is one SystemC nanosecond; kernel time values are integers of the time resolution.
// (The resolution is SystemC's default in every simulation context this program makes.)
uint64_t resolution_per_cycle() {
    static const uint64_t per_cycle = sc_time(1, SC_NS).value();
    return per_cycle;
}
}  // namespace

uint64_t now_cycles() { return sc_core::sc_time_stamp().value() / resolution_per_cycle(); }

void wait_until(uint64_t cycle) {
    const uint64_t now = now_cycles();
    if (cycle > now) sc_core::wait(sc_time::from_value((cycle - now) * resolution_per_cycle()));
}

namespace {
// The DMA's per-burst advance: when no other process has anything to do up to and including
// `cycle`, nobody can make a reservation in between, so the burst may claim its resources now
// without a context switch; the result is the same as waiting.
void advance_dma(uint64_t cycle) {
    const uint64_t now = now_cycles();
    if (cycle <= now) return;
    const sc_time until = sc_time::from_value((cycle - now) * resolution_per_cycle());
    if (sc_core::sc_time_to_pending_activity() > until) return;
    sc_core::wait(until);
}
}  // namespace

void TokenQueue::push(uint64_t ready_cycle) {
    m_tokens.push_back(ready_cycle);
    m_pushed.notify(sc_core::SC_ZERO_TIME);
}

void TokenQueue::pop() {
    while (m_tokens.empty()) sc_core::wait(m_pushed);
    const uint64_t ready = m_tokens.front();
    m_tokens.pop_front();
    wait_until(ready);
}

namespace {

// Pops a token and adds the cycles spent waiting for it to `stall`.
void pop_timed(TokenQueue& q, uint64_t& stall) {
    const uint64_t before = now_cycles();
    q.pop();
    stall += now_cycles() - before;
}

timing::ArrayGeometry geometry(const cfg::HwConfig& hw) {
    return {hw.array.rows, hw.array.cols, hw.array.dataflow, hw.array.pipelining, hw.array.timing};
}

// MACs of one precision: the total and, unless int8, its own counter (energy prices each).
void count_macs(stats::Counters& c, Precision p, uint64_t macs) {
    c.macs += macs;
    switch (p) {
        case Precision::kInt4:
            c.macs_int4 += macs;
            break;
        case Precision::kBf16:
            c.macs_bf16 += macs;
            break;
        case Precision::kFp16:
            c.macs_fp16 += macs;
            break;
        case Precision::kFp32:
            c.macs_fp32 += macs;
            break;
        case Precision::kInt8:
            break;
    }
}

}  // namespace

Npu::Npu(sc_core::sc_module_name name, const cfg::HwConfig& hw, const isa::Program& program,
         Fidelity fidelity, bool functional, stats::RunStats& stats)
    : sc_module(name),
      m_hw(hw),
      m_program(program),
      m_functional(functional),
      m_fidelity(fidelity),
      m_stats(stats),
      m_load_q("load_queue", hw.controller.queue_depth),
      m_compute_q("compute_queue", hw.controller.queue_depth),
      m_store_q("store_queue", hw.controller.queue_depth),
      m_dma_channels("dma_channels", hw.dma.channels) {
    const uint64_t dram_bytes = functional ? program.dram_bytes_used : 0;
    m_dram =
        std::make_unique<Dram>(hw.dram_bytes_per_cycle(), hw.dram.channels, hw.dram.latency_cycles,
                               static_cast<uint32_t>(hw.dma.burst_bytes), dram_bytes, functional);
    m_spad = std::make_unique<BankedSram>(hw.scratchpad.size_bytes, hw.scratchpad.banks,
                                          hw.scratchpad.bank_width_bytes, hw.scratchpad.ports,
                                          functional, now_cycles);
    m_acc = std::make_unique<BankedSram>(hw.accumulator.size_bytes, hw.accumulator.banks,
                                         hw.accumulator.bank_width_bytes, hw.accumulator.ports,
                                         functional, now_cycles);
    m_dma = std::make_unique<Dma>(hw.dma, *m_dram, *m_spad, advance_dma);
    for (Dataflow df : {Dataflow::kWeightStationary, Dataflow::kOutputStationary}) {
        timing::ArrayGeometry g = geometry(hw);
        g.dataflow = df;
        m_arrays[static_cast<int>(df)] =
            fidelity == Fidelity::kPe ? timing::make_pe_array(g) : timing::make_fast_array(g);
    }
    if (functional) {
        for (const isa::DramSegment& seg : program.dram_image) {
            std::memcpy(m_dram->data(seg.addr), seg.bytes.data(), seg.bytes.size());
        }
    }
    SC_THREAD(controller_thread);
    SC_THREAD(load_thread);
    SC_THREAD(compute_thread);
    SC_THREAD(store_thread);
}

void Npu::retire(isa::Engine e, uint64_t done_cycle) {
    ++m_retired[static_cast<int>(e)];
    m_last_done = std::max(m_last_done, done_cycle);
    m_retired_event.notify(sc_core::SC_ZERO_TIME);
    if (m_trace) {  // the engine moves on now; its effect is complete at done_cycle
        stats::TraceEvent ev = m_trace_open[static_cast<int>(e)];
        ev.end = now_cycles();
        ev.complete = done_cycle;
        m_trace->events.push_back(ev);
    }
}

void Npu::trace_begin(isa::Engine e, const isa::Instr& in, uint64_t queued) {
    stats::TraceEvent& ev = m_trace_open[static_cast<int>(e)];
    ev.instr = in.id;
    ev.layer = in.layer;
    ev.engine = static_cast<stats::TraceEngine>(e);
    ev.queued = queued;
    ev.start = now_cycles();
}

void Npu::trace_controller(const isa::Instr& in, uint64_t queued, bool blocked) {
    stats::TraceEvent ev;
    ev.instr = in.id;
    ev.layer = in.layer;
    ev.blocked = blocked;
    ev.queued = queued;
    ev.start = blocked ? now_cycles() : queued;
    ev.end = ev.complete = now_cycles();
    m_trace->events.push_back(ev);
}

void Npu::controller_thread() {
    size_t layer = SIZE_MAX;
    for (const isa::Instr& in : m_program.instrs) {
        if (in.layer != layer) {
            layer = in.layer;
            m_layer = layer;
            m_stats.layers[layer].start_cycle = now_cycles();
        }
        sc_core::wait(sc_time(m_hw.controller.dispatch_cycles, SC_NS));
        ++counters().instructions;
        const isa::Engine e = isa::engine_of(in.op);
        if (e == isa::Engine::kController) {  // SYNC: every earlier instruction has completed
            const uint64_t sync_start = now_cycles();
            while (m_retired[0] != m_dispatched[0] || m_retired[1] != m_dispatched[1] ||
                   m_retired[2] != m_dispatched[2]) {
                sc_core::wait(m_retired_event);
            }
            wait_until(m_last_done);
            m_stats.layers[layer].end_cycle = now_cycles();
            if (m_functional) {
                const isa::LayerDesc& d = m_program.layers[layer];
                const auto* p = reinterpret_cast<const int8_t*>(memory(d.output_addr));
                m_layer_outputs.resize(m_program.layers.size());
                m_layer_outputs[layer].assign(p, p + d.output_bytes);
            }
            if (m_trace) trace_controller(in, sync_start, false);
            if (m_layer_end_hook) m_layer_end_hook(layer, now_cycles());
            continue;
        }
        const uint64_t before = now_cycles();
        ++m_dispatched[static_cast<int>(e)];
        switch (e) {
            case isa::Engine::kLoad:
                m_load_q.write(&in);
                break;
            case isa::Engine::kCompute:
                m_compute_q.write(&in);
                break;
            default:
                m_store_q.write(&in);
                break;
        }
        counters().dispatch_queue_full_cycles += now_cycles() - before;
        if (m_trace && now_cycles() > before) trace_controller(in, before, true);
    }
    m_finished = true;
}

void Npu::load_thread() {
    for (;;) {
        const isa::Instr* next = nullptr;
        m_load_q.read(next);  // read(T&): GCC 12 -O3 warns on sc_fifo::read()'s temporary
        const isa::Instr& in = *next;
        const uint64_t queued = m_trace ? now_cycles() : 0;
        if (in.deps.pop_next) pop_timed(m_c2l, counters().load_wait_compute_cycles);
        if (m_trace) trace_begin(isa::Engine::kLoad, in, queued);
        m_dma_channels.wait();
        const Dma::Result r = m_dma->load(in.xfer, now_cycles(), counters());
        m_dma_channels.post();
        wait_until(r.issued);
        if (in.deps.push_next) m_l2c.push(r.complete);
        retire(isa::Engine::kLoad, r.complete);
    }
}

void Npu::compute_thread() {
    for (;;) {
        const isa::Instr* next = nullptr;
        m_compute_q.read(next);  // read(T&): GCC 12 -O3 warns on sc_fifo::read()'s temporary
        const isa::Instr& in = *next;
        const uint64_t queued = m_trace ? now_cycles() : 0;
        if (in.deps.pop_prev) pop_timed(m_l2c, counters().compute_wait_load_cycles);
        if (in.deps.pop_next) pop_timed(m_s2c, counters().compute_wait_store_cycles);
        if (m_trace) trace_begin(isa::Engine::kCompute, in, queued);
        if (in.op == isa::Opcode::kVector) {
            exec_vector(in);
        } else {
            exec_compute(in);
        }
    }
}

void Npu::store_thread() {
    for (;;) {
        const isa::Instr* next = nullptr;
        m_store_q.read(next);  // read(T&): GCC 12 -O3 warns on sc_fifo::read()'s temporary
        const isa::Instr& in = *next;
        const uint64_t queued = m_trace ? now_cycles() : 0;
        if (in.deps.pop_prev) pop_timed(m_c2s, counters().store_wait_compute_cycles);
        if (m_trace) trace_begin(isa::Engine::kStore, in, queued);
        if (in.op == isa::Opcode::kPostproc) {
            const uint64_t acc_free = exec_postproc(in);
            if (in.deps.push_prev) m_s2c.push(acc_free);
            retire(isa::Engine::kStore, now_cycles());
        } else {
            m_dma_channels.wait();
            const Dma::Result r = m_dma->store(in.xfer, now_cycles(), counters());
            m_dma_channels.post();
            // The next POST may overwrite this output buffer once the DMA has read it; a
            // VECTOR that wrote it directly waits for this token.
            wait_until(r.sram_done);
            if (in.deps.push_prev) m_s2c.push(r.sram_done);
            retire(isa::Engine::kStore, r.complete);
        }
    }
}

void Npu::exec_compute(const isa::Instr& in) {
    const isa::Compute& c = in.comp;
    const isa::LayerDesc& L = m_program.layers[in.layer];
    stats::Counters& cnt = counters();
    const bool ws = L.dataflow == Dataflow::kWeightStationary;
    timing::ArrayModel& array = *m_arrays[static_cast<int>(L.dataflow)];
    const int rows = m_hw.array.rows;
    if (c.n > m_hw.array.cols || c.m <= 0 || c.k <= 0 || c.n <= 0) {
        throw ModelError("npu.compute", now_cycles(), in.id, "block does not fit the array");
    }
    const uint32_t eb = L.elem_bytes();
    const uint32_t row_bytes = static_cast<uint32_t>(L.in_w) * static_cast<uint32_t>(L.in_c) * eb;
    const uint32_t slab_bytes = static_cast<uint32_t>(c.slab_rows) * row_bytes;
    m_spad->check_range(c.slab_addr, slab_bytes, "npu.compute");
    m_spad->check_range(c.w_addr, L.w_block_bytes(c.k, c.n, c.w_transposed), "npu.compute");
    // Float layers run the float datapath (models/npu_float.cc); int8 and int4 share the integer
    // one. A precision slower than one MAC per cycle stretches each tile's
    // stream (timing::scaled_for_precision); its data is then the block product, as in kFast.
    const int cpm = std::max(1, L.cycles_per_mac);
    const bool float_data = m_functional && is_float(L.precision);
    m_acc->check_range(c.acc_addr, uint64_t(c.m) * uint64_t(c.n) * 4, "npu.compute");

    // The PE-level array carries int8 operands; float blocks and stretched tiles take their
    // data from the block computation (their timing still comes tile by tile below).
    const bool pe_data =
        m_functional && m_fidelity == Fidelity::kPe && cpm == 1 && !is_float(L.precision);
    if (float_data) {
        float_compute(in);
    } else if (m_functional && !pe_data) {
        // The closed-form array gives the timing tile by tile below; the data of the whole block
        // is one product (wrapping int32 sums do not depend on how the reduction is split).
        const timing::TileShape block{c.m, c.k, c.n};
        gather_a(in, 0, 0, c.m, c.k);
        gather_w(L, c, 0, c.k);
        block_product(block);
        if (L.a_zero_point != 0 || L.b_zero_point != 0) correct_zero_points(L, block);
        accumulate_tile(c, 0, block, c.accumulate);
    }
    const int tile_m = ws ? c.m : rows;
    const int tile_k = ws ? rows : c.k;
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
            // until the tile's start lets earlier requests claim ports first (FCFS).
            uint64_t earliest = now_cycles();
            uint64_t bank_wait = 0;
            timing::TileTiming t;
            for (;;) {
                t = array.plan(sh_t, std::max(earliest, now_cycles()));
                // How late each window's banks let it start (0: free as planned).
                const auto late = [](const BankedSram& mem, uint32_t addr, uint32_t len,
                                     uint64_t begin, uint64_t end) {
                    return mem.window_fit(addr, len, begin, end - begin) - begin;
                };
                const uint64_t delay =
                    std::max({late(*m_spad, a_addr, a_len, t.stream_begin, t.stream_end),
                              late(*m_spad, w_addr, w_len, t.weight_begin, t.weight_end),
                              late(*m_acc, acc_addr, acc_len, t.out_begin, t.out_end)});
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
            if (bank_wait > 0) {
                ++cnt.spad_bank_conflicts;
                cnt.spad_bank_conflict_cycles += bank_wait;
            }
            m_spad->occupy(a_addr, a_len, t.stream_begin, t.stream_end - t.stream_begin);
            m_spad->occupy(w_addr, w_len, t.weight_begin, t.weight_end - t.weight_begin);
            m_acc->occupy(acc_addr, acc_len, t.out_begin, t.out_end - t.out_begin);

            const bool add_to_acc = c.accumulate || k0 > 0;
            if (pe_data) {
                // The PE-level array computes each tile's data from its registers.
                gather_a(in, i0, k0, sh.m, sh.k);
                gather_w(L, c, k0, sh.k);
                m_out_tile.resize(size_t(sh.m) * size_t(sh.n));
                const timing::TileData data{m_a_tile.data(),   sh.k, m_w_tile.data(), sh.n,
                                            m_out_tile.data(), sh.n};
                t = array.issue(sh, now_cycles(), &data);
                if (L.a_zero_point != 0 || L.b_zero_point != 0) correct_zero_points(L, sh);
                accumulate_tile(c, i0, sh, add_to_acc);
            } else {
                t = array.issue(sh_t, now_cycles(), nullptr);
            }
            count_macs(cnt, L.precision, uint64_t(sh.m) * uint64_t(sh.k) * uint64_t(sh.n));
            ++cnt.tiles;
            cnt.spad_read_bytes += uint64_t(sh.m) * uint64_t(sh.k) * eb + w_len +
                                   (add_to_acc ? 0 : uint64_t(sh.n) * 4);
            cnt.acc_write_bytes += acc_len;
            if (add_to_acc) cnt.acc_read_bytes += acc_len;
            cnt.array_busy_cycles += t.done() > std::max(t.start, m_array_done)
                                         ? t.done() - std::max(t.start, m_array_done)
                                         : 0;
            m_array_done = std::max(m_array_done, t.done());
            done = std::max(done, t.done());
        }
    }
    if (in.deps.push_prev) m_c2l.push(done);
    if (in.deps.push_next) m_c2s.push(done);
    retire(isa::Engine::kCompute, done);
}

// A operand rows [i0, i0+m) x reduction [k0, k0+k) of a COMPUTE block, through the im2col view
// of the slab (the input zero point for padding), into m_a_tile (row stride k).
void Npu::gather_a(const isa::Instr& in, int i0, int k0, int m, int k) {
    const isa::Compute& c = in.comp;
    const isa::LayerDesc& L = m_program.layers[in.layer];
    const uint32_t row_bytes = static_cast<uint32_t>(L.in_w) * static_cast<uint32_t>(L.in_c);
    m_a_tile.resize(size_t(m) * size_t(k));
    const int8_t zp = static_cast<int8_t>(L.in_zero_point);
    const auto* slab = reinterpret_cast<const int8_t*>(m_spad->data(c.slab_addr));
    const int32_t cg = L.in_c / L.groups;  // k = (kh * KW + kw) * Cg + ic, channels from c0
    for (int i = 0; i < m; ++i) {
        const int64_t p = c.m0 + i0 + i;
        const int32_t oh = static_cast<int32_t>(p / L.out_w);
        const int32_t ow = static_cast<int32_t>(p % L.out_w);
        const int64_t kidx = c.k0 + k0;
        int32_t ic = static_cast<int32_t>(kidx % cg);
        int32_t kw = static_cast<int32_t>((kidx / cg) % L.kernel_w);
        int32_t kh = static_cast<int32_t>(kidx / (int64_t{cg} * L.kernel_w));
        int8_t* dst = &m_a_tile[size_t(i) * size_t(k)];
        for (int kk = 0; kk < k; ++kk) {
            const int32_t ih = oh * L.stride_h - L.pad_top + kh * L.dilation_h;
            const int32_t iw = ow * L.stride_w - L.pad_left + kw * L.dilation_w;
            if (ih < 0 || ih >= L.in_h || iw < 0 || iw >= L.in_w) {
                dst[kk] = zp;  // padding carries the input zero point
            } else {
                const int32_t sr = ih - c.slab_row0;
                if (sr < 0 || sr >= c.slab_rows) {
                    throw ModelError("npu.compute", now_cycles(), in.id,
                                     "input row " + std::to_string(ih) + " is not in the slab");
                }
                dst[kk] =
                    slab[size_t(sr) * row_bytes + size_t(iw) * size_t(L.in_c) + size_t(c.c0 + ic)];
            }
            if (++ic == cg) {
                ic = 0;
                if (++kw == L.kernel_w) {
                    kw = 0;
                    ++kh;
                }
            }
        }
    }
}

// W rows [k0, k0+k) x the block's n columns into m_w_tile (k x n), through the transposer when
// the chunk is held n x k.
void Npu::gather_w(const isa::LayerDesc& L, const isa::Compute& c, int k0, int k) {
    m_w_tile.resize(size_t(k) * size_t(c.n));
    const auto* w = reinterpret_cast<const int8_t*>(m_spad->data(c.w_addr));
    if (L.weight_precision() == Precision::kInt4) {
        // Rows of n weights packed two per byte, low nibble first; sign-extended on the way in.
        const size_t row = weight_bytes(Precision::kInt4, uint64_t(c.n));
        const auto* b = reinterpret_cast<const uint8_t*>(w);
        for (int kk = 0; kk < k; ++kk) {
            for (int j = 0; j < c.n; ++j) {
                const uint8_t byte = b[size_t(k0 + kk) * row + size_t(j) / 2];
                const int nib = j % 2 == 0 ? byte & 0xf : byte >> 4;
                m_w_tile[size_t(kk) * size_t(c.n) + size_t(j)] =
                    static_cast<int8_t>(nib >= 8 ? nib - 16 : nib);
            }
        }
        return;
    }
    for (int kk = 0; kk < k; ++kk) {
        for (int j = 0; j < c.n; ++j) {
            m_w_tile[size_t(kk) * size_t(c.n) + size_t(j)] =
                c.w_transposed ? w[size_t(j) * size_t(c.k) + size_t(k0 + kk)]
                               : w[size_t(k0 + kk) * size_t(c.n) + size_t(j)];
        }
    }
}

// m_out_tile = m_a_tile x m_w_tile as dot products of int16 rows (|a * w| <= 2^14; the loader
// bounds every reduction so that int32 sums cannot overflow).
void Npu::block_product(const timing::TileShape& sh) {
    const size_t m = size_t(sh.m), k = size_t(sh.k), n = size_t(sh.n);
    m_a16.resize(k);
    m_wt16.resize(n * k);
    for (size_t kk = 0; kk < k; ++kk) {
        for (size_t j = 0; j < n; ++j) m_wt16[j * k + kk] = m_w_tile[kk * n + j];
    }
    m_out_tile.resize(m * n);
    for (size_t i = 0; i < m; ++i) {
        const int8_t* a = &m_a_tile[i * k];
        for (size_t kk = 0; kk < k; ++kk) m_a16[kk] = a[kk];
        for (size_t j = 0; j < n; ++j) {
            const int16_t* w = &m_wt16[j * k];
            int32_t sum = 0;
            for (size_t kk = 0; kk < k; ++kk) sum += int32_t{m_a16[kk]} * int32_t{w[kk]};
            m_out_tile[i * n + j] = sum;
        }
    }
}

// Accumulators of rows [i0, i0 + sh.m): bias + product, or += product (wrapping int32, as the
// hardware adder does).
void Npu::accumulate_tile(const isa::Compute& c, int i0, const timing::TileShape& sh,
                          bool add_to_acc) {
    auto* acc = reinterpret_cast<int32_t*>(m_acc->data(c.acc_addr + uint32_t(i0 * c.n * 4)));
    const auto* bias = reinterpret_cast<const int32_t*>(m_spad->data(c.bias_addr));
    for (int i = 0; i < sh.m; ++i) {
        for (int j = 0; j < sh.n; ++j) {
            const size_t at = size_t(i) * size_t(sh.n) + size_t(j);
            const uint32_t base = static_cast<uint32_t>(add_to_acc ? acc[at] : bias[j]);
            acc[at] = static_cast<int32_t>(base + static_cast<uint32_t>(m_out_tile[at]));
        }
    }
}

// sum_k (a - za)(w - zb) = sum_k a w - za sum_k w - zb sum_k a + k za zb: adder trees on the
// array's edges sum each activation row and weight column of the tile as they enter, and the
// correction joins the product on its way to the accumulators (no extra cycles).
void Npu::correct_zero_points(const isa::LayerDesc& L, const timing::TileShape& sh) {
    const int64_t za = L.a_zero_point, zb = L.b_zero_point;
    for (int i = 0; i < sh.m; ++i) {
        int64_t row = 0;
        for (int kk = 0; kk < sh.k; ++kk) row += m_a_tile[size_t(i) * size_t(sh.k) + size_t(kk)];
        for (int j = 0; j < sh.n; ++j) {
            int64_t col = 0;
            for (int kk = 0; kk < sh.k; ++kk)
                col += m_w_tile[size_t(kk) * size_t(sh.n) + size_t(j)];
            const int64_t fix = -za * col - zb * row + int64_t{sh.k} * za * zb;
            int32_t& out = m_out_tile[size_t(i) * size_t(sh.n) + size_t(j)];
            out = static_cast<int32_t>(static_cast<uint32_t>(out) + static_cast<uint32_t>(fix));
        }
    }
}

void Npu::exec_vector(const isa::Instr& in) {
    const isa::Vector& v = in.vec;
    const isa::LayerDesc& L = m_program.layers[in.layer];
    stats::Counters& cnt = counters();
    const bool pool = v.op == isa::VectorOp::kMaxPool || v.op == isa::VectorOp::kAvgPool ||
                      v.op == isa::VectorOp::kDepthwise;
    const bool to_acc = pool || v.op == isa::VectorOp::kAdd || v.op == isa::VectorOp::kMul;
    const bool two_inputs = v.op == isa::VectorOp::kAdd || v.op == isa::VectorOp::kMul;
    const bool row_op = v.op == isa::VectorOp::kSoftmax || v.op == isa::VectorOp::kLayerNorm ||
                        v.op == isa::VectorOp::kRmsNorm;
    const uint32_t eb = L.elem_bytes();
    // One slab row: every channel of the input row, or the block's channels (Vector::slab_c).
    const uint32_t slab_c = static_cast<uint32_t>(v.slab_c > 0 ? v.slab_c : L.in_c);
    const uint32_t row_bytes = static_cast<uint32_t>(L.in_w) * slab_c * eb;

    // Work: one element per lane per cycle (pooling: one window element); row ops take three
    // passes over each row (max / exp-sum / normalize, or mean / variance / normalize).
    const uint64_t out_elems =
        pool ? uint64_t(v.m) * uint64_t(v.n) : uint64_t(v.rows) * uint64_t(v.len);
    const uint64_t work =
        pool ? out_elems * uint64_t(L.kernel_h) * uint64_t(L.kernel_w) : out_elems;
    const uint64_t lanes = static_cast<uint64_t>(m_hw.postproc.lanes);
    const uint64_t busy = (work + lanes - 1) / lanes * (row_op ? 3 : 1);
    const uint64_t pipe = static_cast<uint64_t>(m_hw.postproc.pipeline_cycles);
    const uint32_t x_addr = pool ? v.slab_addr : v.x_addr;
    const uint32_t x_len = pool ? static_cast<uint32_t>(v.slab_rows) * row_bytes
                                : static_cast<uint32_t>(out_elems * eb);
    const uint32_t out_addr = to_acc ? v.acc_addr : v.out_addr;
    const uint32_t out_len = static_cast<uint32_t>(out_elems * (to_acc ? 4 : eb));

    m_spad->check_range(x_addr, x_len, "npu.vector");
    if (two_inputs) m_spad->check_range(v.y_addr, x_len, "npu.vector");
    (to_acc ? *m_acc : *m_spad).check_range(out_addr, out_len, "npu.vector");
    BankedSram& dst = to_acc ? *m_acc : *m_spad;

    // The first start at which the inputs' banks are free to read for `busy` cycles and the
    // destination's banks free to take the results `pipe` cycles later.
    const uint64_t now = now_cycles();
    uint64_t start = now;
    for (;;) {
        uint64_t a = m_spad->window_fit(x_addr, x_len, start, busy);
        if (two_inputs) a = m_spad->window_fit(v.y_addr, x_len, a, busy);
        const uint64_t s = dst.window_fit(out_addr, out_len, a + pipe, busy) - pipe;
        if (s == a && (!two_inputs || m_spad->window_fit(x_addr, x_len, a, busy) == a)) {
            start = a;
            break;
        }
        start = std::max(a, s);
    }
    if (start > now) {
        ++cnt.spad_bank_conflicts;
        cnt.spad_bank_conflict_cycles += start - now;
    }
    m_spad->occupy(x_addr, x_len, start, busy);
    if (two_inputs) m_spad->occupy(v.y_addr, x_len, start, busy);
    dst.occupy(out_addr, out_len, start + pipe, busy);

    if (m_functional) {
        if (is_float(L.precision)) {
            float_vector(v, L, row_bytes);
        } else {
            vector_data(v, L, row_bytes);
        }
    }
    cnt.spad_read_bytes += (pool ? work : out_elems * (two_inputs ? 2 : 1)) * eb;
    (to_acc ? cnt.acc_write_bytes : cnt.spad_write_bytes) += out_len;
    cnt.postproc_elements += out_elems;
    if (v.op == isa::VectorOp::kDepthwise) {
        // One MAC per window element; int4 depthwise weights are held as int8 (int8 MACs).
        count_macs(cnt, L.precision == Precision::kInt4 ? Precision::kInt8 : L.precision, work);
    }
    const uint64_t done = start + pipe + busy;
    wait_until(done);
    if (in.deps.push_prev) m_c2l.push(done);
    if (in.deps.push_next) m_c2s.push(done);
    retire(isa::Engine::kCompute, done);
}

void Npu::vector_data(const isa::Vector& v, const isa::LayerDesc& L, uint32_t row_bytes) {
    const Rounding mode = m_hw.postproc.rounding;
    // postproc.requant: float32: add leaves fp32 fa + fb and avgpool the fp32 window mean in the
    // accumulators, global average pooling the plain sum (docs/operators.md).
    const bool f32 = m_hw.postproc.requant == RequantMode::kFloat32;
    const int32_t zx = L.in_zero_point, zy = L.in2_zero_point;
    const auto* x = reinterpret_cast<const int8_t*>(m_spad->data(v.x_addr));
    auto* acc = reinterpret_cast<int32_t*>(m_acc->data(v.acc_addr));
    const int32_t sc = v.slab_c > 0 ? v.slab_c : L.in_c;  // channels per slab pixel, from c0
    const int32_t c0 = v.slab_c > 0 ? v.slab_c0 : 0;
    switch (v.op) {
        case isa::VectorOp::kAdd:
        case isa::VectorOp::kMul: {
            const auto* y = reinterpret_cast<const int8_t*>(m_spad->data(v.y_addr));
            const size_t n = size_t(v.rows) * size_t(v.len);
            for (size_t e = 0; e < n; ++e) {
                const int32_t dx = x[e] - zx, dy = y[e] - zy;
                if (v.op == isa::VectorOp::kMul) {
                    acc[e] = dx * dy;
                } else if (f32) {
                    acc[e] = f32_bits(add_partial_f32(dx, L.f32.x_scale, dy, L.f32.y_scale));
                } else {
                    // Both inputs to a common scale with 20 bits of headroom (TFLite's add).
                    acc[e] = requantize(dx * (1 << 20), L.add_x_multiplier, L.add_x_shift, 0,
                                        INT32_MIN, INT32_MAX, mode) +
                             requantize(dy * (1 << 20), L.add_y_multiplier, L.add_y_shift, 0,
                                        INT32_MIN, INT32_MAX, mode);
                }
            }
            return;
        }
        case isa::VectorOp::kMaxPool:
        case isa::VectorOp::kAvgPool:
        case isa::VectorOp::kDepthwise: {
            const auto* slab = reinterpret_cast<const int8_t*>(m_spad->data(v.slab_addr));
            const auto* w = reinterpret_cast<const int8_t*>(m_spad->data(v.w_addr));
            const auto* bias = reinterpret_cast<const int32_t*>(m_spad->data(v.bias_addr));
            const bool dw = v.op == isa::VectorOp::kDepthwise;
            const int taps = L.kernel_h * L.kernel_w;
            std::vector<float> window;  // float32 avgpool: the dequantized taps, in order
            for (int i = 0; i < v.m; ++i) {
                const int64_t p = v.m0 + i;
                const int32_t oh = static_cast<int32_t>(p / L.out_w);
                const int32_t ow = static_cast<int32_t>(p % L.out_w);
                for (int j = 0; j < v.n; ++j) {
                    int32_t best = INT32_MIN, count = 0;
                    int64_t sum = 0;
                    window.clear();
                    // Depthwise: wrapping int32 MACs from the folded bias; padding feeds the
                    // input zero point (the fold cancels it), as on the array.
                    uint32_t mac = dw ? static_cast<uint32_t>(bias[j]) : 0;
                    for (int kh = 0; kh < L.kernel_h; ++kh) {
                        const int32_t ih = oh * L.stride_h - L.pad_top + kh * L.dilation_h;
                        if (ih < 0 || ih >= L.in_h) {
                            if (dw) {
                                for (int kw = 0; kw < L.kernel_w; ++kw) {
                                    mac += static_cast<uint32_t>(
                                        zx *
                                        w[size_t(j) * size_t(taps) + size_t(kh * L.kernel_w + kw)]);
                                }
                            }
                            continue;
                        }
                        const int32_t sr = ih - v.slab_row0;
                        if (sr < 0 || sr >= v.slab_rows) {
                            throw ModelError(
                                "npu.vector", now_cycles(), -1,
                                "input row " + std::to_string(ih) + " is not in the slab");
                        }
                        for (int kw = 0; kw < L.kernel_w; ++kw) {
                            const int32_t iw = ow * L.stride_w - L.pad_left + kw * L.dilation_w;
                            const int8_t wv =
                                dw ? w[size_t(j) * size_t(taps) + size_t(kh * L.kernel_w + kw)] : 0;
                            if (iw < 0 || iw >= L.in_w) {
                                mac += static_cast<uint32_t>(zx * wv);
                                continue;
                            }
                            const int32_t raw =
                                slab[size_t(sr) * row_bytes + size_t(iw) * size_t(sc) +
                                     size_t(v.n0 + j - c0)];
                            mac += static_cast<uint32_t>(raw * wv);
                            const int32_t q = raw - zx;
                            best = std::max(best, q);
                            sum += q;
                            ++count;
                            if (f32) window.push_back(dequantize_f32(raw, zx, L.f32.x_scale));
                        }
                    }
                    int32_t r = 0;
                    if (dw) {
                        r = static_cast<int32_t>(mac);
                    } else if (v.op == isa::VectorOp::kMaxPool) {
                        r = best;
                    } else if (f32 && L.f32.formula == F32Formula::kAvgPool) {
                        r = f32_bits(avgpool_mean_f32(window.data(), count));
                    } else if (f32) {
                        r = static_cast<int32_t>(sum);  // global: sum(x - zx) for the PPU
                    } else if (count > 0) {             // rounded to nearest, ties away from zero
                        r = static_cast<int32_t>(sum >= 0 ? (sum + count / 2) / count
                                                          : -((-sum + count / 2) / count));
                    }
                    acc[size_t(i) * size_t(v.n) + size_t(j)] = r;
                }
            }
            return;
        }
        case isa::VectorOp::kSoftmax:
        case isa::VectorOp::kLayerNorm:
        case isa::VectorOp::kRmsNorm:
        case isa::VectorOp::kLut:
        case isa::VectorOp::kCopy: {
            auto* out = reinterpret_cast<int8_t*>(m_spad->data(v.out_addr));
            for (int r = 0; r < v.rows; ++r) {
                const int8_t* xr = x + size_t(r) * size_t(v.len);
                int8_t* o = out + size_t(r) * size_t(v.len);
                row_data(v.op, L, xr, v.len, o);
            }
            return;
        }
    }
}

void Npu::row_data(isa::VectorOp op, const isa::LayerDesc& L, const int8_t* x, int len,
                   int8_t* out) {
    switch (op) {
        case isa::VectorOp::kSoftmax:
            softmax_row(x, len, L.in_scale, L.in_zero_point, L.out_scale, L.out_zero_point, out);
            return;
        case isa::VectorOp::kLayerNorm:
            layernorm_row(x, len, L.in_scale, L.in_zero_point, L.gamma.data(), L.beta.data(),
                          L.out_scale, L.out_zero_point, out);
            return;
        case isa::VectorOp::kRmsNorm:
            rmsnorm_row(x, len, L.in_scale, L.in_zero_point, L.gamma.data(), L.out_scale,
                        L.out_zero_point, out);
            return;
        case isa::VectorOp::kLut:
            for (int e = 0; e < len; ++e) out[e] = L.lut[static_cast<size_t>(x[e] + 128)];
            return;
        case isa::VectorOp::kCopy:
            std::memcpy(out, x, static_cast<size_t>(len));
            return;
        default:
            throw ModelError("npu.vector", now_cycles(), -1, "not a row operation");
    }
}

uint64_t Npu::exec_postproc(const isa::Instr& in) {
    const isa::Postproc& p = in.post;
    const isa::LayerDesc& L = m_program.layers[in.layer];
    stats::Counters& cnt = counters();
    const uint64_t elems = uint64_t(p.m) * uint64_t(p.n);
    const uint32_t acc_len = static_cast<uint32_t>(elems * 4);
    const uint32_t out_len = static_cast<uint32_t>(elems * L.elem_bytes());
    m_acc->check_range(p.acc_addr, acc_len, "npu.postproc");
    m_spad->check_range(p.out_addr, out_len, "npu.postproc");
    // lanes elements per cycle stream out of the accumulators; results land in the scratchpad
    // pipeline_cycles later.
    const uint64_t busy =
        (elems + uint64_t(m_hw.postproc.lanes) - 1) / uint64_t(m_hw.postproc.lanes);
    const uint64_t pipe = static_cast<uint64_t>(m_hw.postproc.pipeline_cycles);
    const uint64_t now = now_cycles();
    // The first start at which the accumulator banks are free to read for `busy` cycles and the
    // scratchpad banks free to take the results `pipe` cycles later.
    uint64_t start = now;
    for (;;) {
        const uint64_t a = m_acc->window_fit(p.acc_addr, acc_len, start, busy);
        const uint64_t s = m_spad->window_fit(p.out_addr, out_len, a + pipe, busy) - pipe;
        if (s == a) {
            start = a;
            break;
        }
        start = std::max(a, s);
    }
    if (start > now) {
        ++cnt.acc_bank_conflicts;
        cnt.acc_bank_conflict_cycles += start - now;
    }
    m_acc->occupy(p.acc_addr, acc_len, start, busy);
    m_spad->occupy(p.out_addr, out_len, start + pipe, busy);
    if (m_functional && is_float(L.precision)) {
        float_postproc(p, L);
    } else if (m_functional) {
        const auto* acc = reinterpret_cast<const int32_t*>(m_acc->data(p.acc_addr));
        auto* out = reinterpret_cast<int8_t*>(m_spad->data(p.out_addr));
        const Rounding mode = m_hw.postproc.rounding;
        const bool f32 = m_hw.postproc.requant == RequantMode::kFloat32;
        for (int i = 0; i < p.m; ++i) {
            for (int j = 0; j < p.n; ++j) {
                const size_t ch = size_t(p.n0 + j);
                const size_t at = size_t(i) * size_t(p.n) + size_t(j);
                out[at] = static_cast<int8_t>(
                    f32 ? postprocess_f32(acc[at], ch, L.f32, L.out_zero_point, L.act_min,
                                          L.act_max)
                        : requantize(acc[at], L.multiplier[ch], L.shift[ch], L.out_zero_point,
                                     L.act_min, L.act_max, mode));
            }
        }
    }
    cnt.acc_read_bytes += acc_len;
    cnt.spad_write_bytes += out_len;
    cnt.postproc_elements += elems;
    const uint64_t done = start + pipe + busy;
    wait_until(done);
    return start + busy;
}

}  // namespace npu::model

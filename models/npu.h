// The NPU as SystemC modules: a controller that dispatches the instruction stream into three
// decoupled engines (load, compute, store), the DMA engine, DRAM, the banked scratchpad, the
// accumulator SRAM, the systolic MAC array and the post-processing unit.
//
// Timing: no sc_clock and no process per PE. Each engine is one SC_THREAD that waits exactly as
// long as its work takes; one SystemC time unit of 1 ns stands for one NPU cycle (reports convert
// with the configured clock), so every cycle count is an exact integer.
//  - Controller: decodes one instruction per `controller.dispatch_cycles` and writes it to its
//    engine's FIFO (depth `controller.queue_depth`); a full FIFO blocks dispatch (back-pressure).
//    SYNC waits until every earlier instruction has completed.
//  - Tokens between engines carry the cycle at which the producer's effect is complete; a pop
//    waits for both the token and that cycle.
//  - Load engine: one DMA descriptor at a time; moves on when its bursts are issued, pushes its
//    token when the data has landed.
//  - Compute engine: splits a COMPUTE block into array tiles (ws: k by array rows; os: m by
//    array rows), asks the array model (closed form, or PE-level with --fidelity pe) when each
//    tile can run, and holds the scratchpad / accumulator bank ports the tile reads and writes in
//    the array's windows (a busy port delays the tile: a bank conflict). Each layer runs in the
//    dataflow the compiler chose for it (the NPU holds one array model per dataflow). VECTOR
//    runs the vector unit (`postproc.lanes` lanes: elementwise, pooling, depthwise, row ops,
//    lookups) with the same bank-window rule.
//  - Store engine: POST runs the post-processing unit (lanes elements per cycle after a pipeline
//    latency) from the accumulators to the scratchpad; STORE is a DMA descriptor to DRAM, or to
//    the scratchpad's on-chip window for an activation kept on chip.
// Functional data (when enabled) is computed on the real operands: with the closed-form array
// once per COMPUTE block, with the PE-level array tile by tile from its registers. Each layer's
// output is captured when its SYNC completes.
// Stats: see sim/stats/stats.h; the engines attribute counts to the layer being run.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <systemc>
#include <vector>

#include "models/dma.h"
#include "models/resources.h"
#include "sim/config/hw_config.h"
#include "sim/isa/isa.h"
#include "sim/stats/stats.h"
#include "sim/stats/trace.h"
#include "sim/timing/array_model.h"

namespace npu::model {

enum class Fidelity { kFast, kPe };

// A dependency-token queue between two engines. Each token carries the cycle from which it may
// be consumed; one producer pushes them in nondecreasing order.
class TokenQueue {
  public:
    void push(uint64_t ready_cycle);
    // Blocks the calling thread until a token exists and its cycle has come.
    void pop();

  private:
    std::deque<uint64_t> m_tokens;
    sc_core::sc_event m_pushed;
};

[[nodiscard]] uint64_t now_cycles();
void wait_until(uint64_t cycle);

class Npu : public sc_core::sc_module {
  public:
    SC_HAS_PROCESS(Npu);
    Npu(sc_core::sc_module_name name, const cfg::HwConfig& hw, const isa::Program& program,
        Fidelity fidelity, bool functional, stats::RunStats& stats);

    Dram& dram() { return *m_dram; }
    // `bytes` at an address of the NPU's map: DRAM, or the scratchpad's on-chip window.
    [[nodiscard]] const uint8_t* memory(uint64_t addr) {
        return addr >= isa::kOnChipBase
                   ? m_spad->data(static_cast<uint32_t>(addr - isa::kOnChipBase))
                   : m_dram->data(addr);
    }
    [[nodiscard]] bool finished() const { return m_finished; }
    // Every layer's output as it stood when the layer ended (functional runs). A tensor kept on
    // chip may be overwritten once its last reader is done, so outputs are captured at SYNC.
    [[nodiscard]] const std::vector<std::vector<int8_t>>& layer_outputs() const {
        return m_layer_outputs;
    }
    // Records the timeline into `trace` (sim/stats/trace.h); nullptr (the default): nothing is
    // recorded, each engine pays one pointer test per instruction. Set before sc_start.
    void set_trace(stats::Trace* trace) { m_trace = trace; }
    // Called at each layer's end (its SYNC) with the layer index and the cycle; keep it cheap.
    void set_layer_end_hook(std::function<void(size_t layer, uint64_t cycle)> hook) {
        m_layer_end_hook = std::move(hook);
    }

  private:
    void controller_thread();
    void load_thread();
    void compute_thread();
    void store_thread();

    void exec_compute(const isa::Instr& in);
    void exec_vector(const isa::Instr& in);
    void vector_data(const isa::Vector& v, const isa::LayerDesc& L, uint32_t row_bytes);
    void row_data(isa::VectorOp op, const isa::LayerDesc& L, const int8_t* x, int len, int8_t* out);
    void correct_zero_points(const isa::LayerDesc& L, const timing::TileShape& sh);
    void gather_a(const isa::Instr& in, int i0, int k0, int m, int k);
    void gather_w(const isa::LayerDesc& L, const isa::Compute& c, int k0, int k);
    void block_product(const timing::TileShape& sh);
    void accumulate_tile(const isa::Compute& c, int i0, const timing::TileShape& sh,
                         bool add_to_acc);
    uint64_t exec_postproc(const isa::Instr& in);
    // The float datapath (bf16, fp16, fp32 layers; models/npu_float.cc): the data of a COMPUTE
    // block, a VECTOR instruction and a POST, in the layer's element format with fp32
    // accumulators, in the order of the float reference (npu::quant::run_float).
    void float_compute(const isa::Instr& in);
    void float_vector(const isa::Vector& v, const isa::LayerDesc& L, uint32_t row_bytes);
    void float_postproc(const isa::Postproc& p, const isa::LayerDesc& L);
    void retire(isa::Engine e, uint64_t done_cycle);
    void trace_begin(isa::Engine e, const isa::Instr& in, uint64_t queued);
    void trace_controller(const isa::Instr& in, uint64_t queued, bool blocked);
    stats::Counters& counters() { return m_stats.layers[m_layer].counters; }

    const cfg::HwConfig m_hw;
    const isa::Program& m_program;
    bool m_functional;
    Fidelity m_fidelity;
    stats::RunStats& m_stats;
    size_t m_layer = 0;
    bool m_finished = false;
    std::vector<std::vector<int8_t>> m_layer_outputs;

    std::unique_ptr<Dram> m_dram;
    std::unique_ptr<BankedSram> m_spad;
    std::unique_ptr<BankedSram> m_acc;
    std::unique_ptr<Dma> m_dma;
    std::unique_ptr<timing::ArrayModel> m_arrays[2];  // indexed by Dataflow (layers pick one)
    uint64_t m_array_done = 0;  // end of the latest tile (for array busy cycles)

    sc_core::sc_fifo<const isa::Instr*> m_load_q, m_compute_q, m_store_q;
    TokenQueue m_l2c, m_c2l, m_c2s, m_s2c;
    sc_core::sc_semaphore m_dma_channels;  // load and store engines share the DMA channels

    // Completion tracking for SYNC: dispatched vs retired per engine, latest completion cycle.
    uint64_t m_dispatched[3] = {0, 0, 0};
    uint64_t m_retired[3] = {0, 0, 0};
    uint64_t m_last_done = 0;
    sc_core::sc_event m_retired_event;

    // Tracing (off when m_trace is null): the instruction each engine is running.
    stats::Trace* m_trace = nullptr;
    stats::TraceEvent m_trace_open[3];
    std::function<void(size_t, uint64_t)> m_layer_end_hook;

    // Scratch buffers for one tile's operands (functional runs).
    std::vector<int8_t> m_a_tile, m_w_tile;
    std::vector<int32_t> m_out_tile;
    std::vector<int16_t> m_a16, m_wt16;  // operands widened for the block product
};

}  // namespace npu::model

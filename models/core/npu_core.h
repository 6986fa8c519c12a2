// One NPU core: the controller, the load / compute / store engines and the DMA (sc_modules joined
// by instruction FIFOs and dependency-token queues), the scratchpad and accumulator SRAMs, the MAC
// array, the vector unit and the post-processing unit, and the datapaths (functional runs).
//
//   controller --FIFO--> load ----------> DMA --memory port--> (platform address map)
//              --FIFO--> compute -> array, vector unit     |  scratchpad <-- spad_window
//              --FIFO--> store ---> PPU, DMA                 (the core's on-chip window target)
//   tokens: load <-> compute <-> store (sim/isa/isa.h)
//
// The core takes its memory through the DMA's port (bind it to the platform's address map) and
// offers its scratchpad through the window target (map it at the program's onchip_base). Each
// component's header states its own timing contract and statistics; their statistics form the group
// given here (e.g. "npu": npu.dma.bursts, npu.spad.bank0...). Every count is attributed to the
// layer of the instruction whose action it is.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <systemc>
#include <utility>
#include <vector>

#include "models/datapath/datapaths.h"
#include "models/engines/compute_engine.h"
#include "models/engines/controller.h"
#include "models/engines/dma.h"
#include "models/engines/load_engine.h"
#include "models/engines/scoreboard.h"
#include "models/engines/store_engine.h"
#include "models/engines/token_queue.h"
#include "models/mem/banked_sram.h"
#include "models/mem/sram_window.h"
#include "models/units/mac_array.h"
#include "models/units/ppu.h"
#include "models/units/vector_unit.h"
#include "sim/config/hw_config.h"
#include "sim/isa/isa.h"
#include "sim/stats/component_stats.h"
#include "sim/stats/stats.h"
#include "sim/stats/trace.h"

namespace npu::model {

class NpuCore : public sc_core::sc_module {
  public:
    // `layers`: the run's per-layer records (start and end cycles); `stats`: the core's group.
    NpuCore(sc_core::sc_module_name name, const cfg::HwConfig& hw, const isa::Program& program,
            Fidelity fidelity, bool functional, std::vector<stats::LayerStats>& layers,
            stats::StatGroup& stats);

    // The DMA's memory port: bind it to the platform's address map.
    [[nodiscard]] sc_core::sc_port<MemTargetIf>& memory_port() { return m_dma.memory; }
    // The scratchpad's on-chip window, a memory target for the address map.
    [[nodiscard]] MemTargetIf& window() { return m_window; }
    [[nodiscard]] uint64_t scratchpad_bytes() const { return m_spad.size(); }

    [[nodiscard]] bool finished() const { return m_controller.finished(); }
    // Every layer's output as it stood when the layer ended (functional runs), moved out: call
    // once, after the run.
    [[nodiscard]] std::vector<std::vector<int8_t>> take_layer_outputs() {
        return m_controller.take_layer_outputs();
    }
    // Hands each layer's output to `sink` as the layer ends instead of keeping it (functional
    // runs; set before the run).
    void set_output_sink(Controller::OutputSink sink) {
        m_controller.set_output_sink(std::move(sink));
    }
    // Records the timeline into `trace` (sim/stats/trace.h); nullptr: nothing is recorded.
    void set_trace(stats::Trace* trace) { m_board.set_trace(trace); }
    // Called at each layer's end (its SYNC) with the layer index and the cycle; keep it cheap.
    void set_layer_end_hook(std::function<void(size_t layer, uint64_t cycle)> hook) {
        m_controller.set_layer_end_hook(std::move(hook));
    }
    // Called at each layer's SYNC once the core's own instructions have completed, before the
    // layer ends (the cross-core barrier, models/platform/core_barrier.h); none: no wait.
    void set_barrier(Controller::Barrier barrier) { m_controller.set_barrier(std::move(barrier)); }
    // A pipelined program's WAIT and SIGNAL (models/platform/stage_tokens.h).
    void set_tokens(Controller::Token wait, Controller::Token signal) {
        m_controller.set_tokens(std::move(wait), std::move(signal));
    }
    // Where the core's components note what each cycle was spent on; each layer's share of the
    // causes lands in its LayerStats::limiters at its SYNC (sim/stats/limiters.h).
    [[nodiscard]] stats::LimiterLog& limiters() { return m_limiters; }
    // Adds the core's part of the run's counters of `layer` (everything but DRAM).
    void add_counters(size_t layer, stats::Counters& c) const;
    // compiler.overlap full: the cycles `layer`'s instructions waited in the dependency table
    // (models/engines/dependency_table.h); nullopt: the program has barriers, no table.
    [[nodiscard]] std::optional<uint64_t> hazard_wait_cycles(size_t layer) const;

  private:
    // Gives the scoreboard a dependency table when `program` ends its layers with markers
    // (compiler.overlap full); called before the controller is made.
    void enable_hazards(const isa::Program& program, stats::StatGroup& stats);
    stats::LimiterLog m_limiters;
    BankedSram m_spad;
    BankedSram m_acc;
    std::unique_ptr<datapath::Datapaths> m_datapaths;  // functional runs only
    MacArray m_array;
    VectorUnit m_vector;
    PostProcessor m_ppu;
    Dma m_dma;
    SramWindow m_window;
    Scoreboard m_board;
    TokenQueue m_l2c, m_c2l, m_c2s, m_s2c;
    // Created in this order: the engines' processes start in it (controller first).
    Controller m_controller;
    LoadEngine m_load;
    ComputeEngine m_compute;
    StoreEngine m_store;
};

}  // namespace npu::model

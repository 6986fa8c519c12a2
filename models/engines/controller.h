// The controller of a core: decodes the program's instruction stream in order and dispatches
// each instruction into its engine's FIFO (load, compute, store).
//
// Timing contract: one instruction per `controller.dispatch_cycles`; each engine FIFO is
// `controller.queue_depth` deep and a full FIFO blocks dispatch (back-pressure). SYNC waits
// until every earlier instruction has retired and its effect has completed (the Scoreboard);
// that cycle ends the layer the SYNC closes; with a cross-core barrier set (set_barrier()), the
// SYNC then waits at it too and the layer ends when it releases (the wait is a dependency wait). A
// layer starts when its first instruction is decoded (with compiler.overlap = prefetch that may be
// a LOAD in the previous layer's stream, before its SYNC: the spans then overlap). Each layer's
// exclusive cycles run from the previous layer's end (the first: cycle 0) to its own, so they add
// up to the run; its overlapped cycles are those of its span before the previous layer's end, and
// its limiters are attributed over its exclusive cycles (from the later of its start and the
// previous end; they add up to them). After the last instruction it writes a null instruction into
// each FIFO (no time): the end of program, on which each engine's thread returns. Functional runs:
// each layer's output is read (TLM debug transport, no timing) when its SYNC completes: a tensor
// kept on chip may be overwritten once its last reader is done. It is kept for take_layer_outputs()
// or handed to an output sink.
// compiler.overlap full (isa::Program::dependency_table: its SYNCs are layer-end markers,
// isa::kSyncLayerEnd, but the last): every instruction is entered into the core's dependency table
// at dispatch with its epoch (the layer ends before it in program order) and its address ranges
// (dependency_table.h), and a marker does not hold dispatch: it takes its dispatch cycles and
// hands its layer to the layer-end process, which ends the layers in order: a layer ends when
// every instruction before its marker has completed (and not before the previous layer's end),
// with the same records as at a SYNC (start, end, exclusive and overlapped cycles, limiters, the
// hook). Its output is read then (functional runs): the read is an entry of the table too, of
// the layer's epoch, so an instruction of a later layer that would overwrite the output waits
// for it (a WAR hazard like any other), and the bytes read are the layer's. The last SYNC is a
// barrier: dispatch waits there until the layer-end process has ended every layer.
// A pipelined program (isa::Program::pipeline) runs each layer of its stage once per image, so a
// layer has several SYNCs: the layer starts at its first instruction and ends at its last SYNC
// (its output, the whole batch's tensor, is handed on there, and the layer-end hook called
// there; each SYNC reads its image's part, from the image's slot or, a tensor its stage keeps on
// chip, from where it lies);
// each SYNC closes the cycles since the previous SYNC (or since the layer's start, if later), and
// the layer's exclusive cycles and limiters are the sum over its SYNCs. WAIT (after its dispatch
// cycles) holds dispatch until the previous core's token for its image (set_tokens()); its cycles
// count to the stage's first layer but do not start it (the layer starts at its first LOAD,
// COMPUTE, ...). SIGNAL waits for every earlier instruction to complete (it follows a SYNC: no
// time) and posts the token. Without tokens set, WAIT and SIGNAL are a malformed program
// (npu::ModelError). Stats (group "npu.controller"): instructions (dispatched, SYNC
// included), syncs, dispatch_stall_cycles (blocked on a full engine FIFO).
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <systemc>
#include <utility>
#include <vector>

#include "models/engines/scoreboard.h"
#include "sim/config/hw_config.h"
#include "sim/isa/isa.h"
#include "sim/stats/component_stats.h"
#include "sim/stats/stats.h"

namespace npu::model {

class Controller : public sc_core::sc_module {
  public:
    using Queue = sc_core::sc_fifo<const isa::Instr*>;
    // Reads `len` bytes at an address of the core's map into `dst` (no timing).
    using OutputReader = std::function<void(uint64_t addr, uint8_t* dst, uint32_t len)>;
    // Takes a layer's output when the layer ends (functional runs); none set: it is kept for
    // take_layer_outputs().
    using OutputSink = std::function<void(size_t layer, std::vector<int8_t>&& output)>;

    SC_HAS_PROCESS(Controller);
    // `layers`: the run's per-layer records (start and end cycles are written here).
    // `read_output`: set in functional runs (each layer's output is read at its SYNC).
    Controller(sc_core::sc_module_name name, const cfg::ControllerConfig& cfg,
               const isa::Program& program, Scoreboard& board,
               std::vector<stats::LayerStats>& layers, OutputReader read_output,
               stats::StatGroup& stats);

    [[nodiscard]] Queue& queue(isa::Engine e) { return *m_queues[static_cast<int>(e)]; }
    [[nodiscard]] bool finished() const { return m_finished; }
    // Every layer's output, moved out (after the run: nothing is kept).
    [[nodiscard]] std::vector<std::vector<int8_t>> take_layer_outputs() {
        return std::move(m_layer_outputs);
    }
    // Hands each layer's output to `sink` instead of keeping it (before the run).
    void set_output_sink(OutputSink sink) { m_output_sink = std::move(sink); }
    // Waits (in the controller's thread) at each SYNC once every earlier instruction has
    // completed, before the layer ends: the cross-core barrier (models/platform/core_barrier.h).
    using Barrier = std::function<void(size_t layer)>;
    void set_barrier(Barrier barrier) { m_barrier = std::move(barrier); }
    // WAIT and SIGNAL of a pipelined program: wait for / post the token of `image`
    // (models/platform/stage_tokens.h); `layer` is the instruction's layer.
    using Token = std::function<void(uint32_t image, size_t layer)>;
    void set_tokens(Token wait, Token signal) {
        m_wait_token = std::move(wait);
        m_signal_token = std::move(signal);
    }
    // Called at each layer's end (its SYNC) with the layer index and the cycle; keep it cheap.
    void set_layer_end_hook(std::function<void(size_t layer, uint64_t cycle)> hook) {
        m_layer_end_hook = std::move(hook);
    }
    // The controller's fields of the run's counters (instructions, dispatch_queue_full_cycles).
    void add_counters(size_t layer, stats::Counters& c) const;

  private:
    void thread();
    void run();
    // compiler.overlap full: the layer-end process (see above).
    void layer_ends_thread();
    void layer_ends();
    // Reads layer `layer`'s whole output and hands it on (functional runs).
    void take_output(size_t layer, std::vector<int8_t>* from_images);
    // A layer's end at now_cycles(), at a SYNC or by the layer-end process: its records (start,
    // end, exclusive, overlapped, limiters; a pipelined layer's later images add to them).
    void record_end(size_t layer, uint64_t& previous_end);

    cfg::ControllerConfig m_cfg;
    const isa::Program& m_program;
    Scoreboard& m_board;
    std::vector<stats::LayerStats>& m_layers;
    OutputReader m_read_output;
    Queue m_load_q, m_compute_q, m_store_q;
    Queue* m_queues[3];
    bool m_finished = false;
    std::vector<std::vector<int8_t>> m_layer_outputs;
    OutputSink m_output_sink;
    std::function<void(size_t, uint64_t)> m_layer_end_hook;
    Barrier m_barrier;
    Token m_wait_token, m_signal_token;
    // compiler.overlap full: the markers dispatched and not yet ended, in order.
    struct Marker {
        const isa::Instr* sync;
        uint32_t epoch;
        uint64_t dispatched;             // the cycle its dispatch began (the trace)
        DependencyTable::Handle reader;  // the read of the layer's output
    };
    bool m_full = false;
    std::deque<Marker> m_markers;
    sc_core::sc_event m_marker_event, m_ended_event;
    uint64_t m_markers_dispatched = 0, m_markers_ended = 0;
    bool m_dispatch_done = false;
    stats::Stat& m_instructions;
    stats::Stat& m_syncs;
    stats::Stat& m_stall;
};

}  // namespace npu::model

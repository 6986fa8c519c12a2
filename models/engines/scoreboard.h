// What the controller's SYNC needs to know about the engines: how many instructions each was
// given and has finished, and when the last of their effects completes; and the timeline
// (sim/stats/trace.h) when tracing is on. Plain bookkeeping shared by the controller and the
// engines of one core (no process of its own).
// Timing contract: an engine retires an instruction when it moves on from it, with the cycle at
// which its effect is complete (a DoneCycle: possibly known only later, see done_cycle.h).
// wait_all_complete() returns at the latest of those cycles, once every dispatched instruction
// has retired.
// With compiler.overlap = full it also holds the core's dependency table (dependency_table.h):
// the controller enters each instruction at dispatch (enter()), each engine calls
// wait_hazards() after its tokens pop and before it starts the instruction, and retire() tells
// the table. Stats (group "npu.hazards", full only): load_wait_cycles, compute_wait_cycles,
// store_wait_cycles (an engine holding an instruction back for an earlier layer's conflicting
// one), attributed to the waiting instruction's layer.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <systemc>
#include <vector>

#include "models/engines/dependency_table.h"
#include "models/engines/done_cycle.h"
#include "models/process.h"
#include "sim/isa/isa.h"
#include "sim/stats/component_stats.h"
#include "sim/stats/limiters.h"
#include "sim/stats/trace.h"

namespace npu::model {

class Scoreboard {
  public:
    // Records the timeline into `trace`; nullptr (the default): nothing is recorded, each engine
    // pays one pointer test per instruction.
    void set_trace(stats::Trace* trace) { m_trace = trace; }
    [[nodiscard]] bool tracing() const { return m_trace != nullptr; }
    // Where the engines note what each cycle was spent on (sim/stats/limiters.h); nullptr: nowhere.
    void set_limiters(stats::LimiterLog* log) { m_limiters = log; }
    [[nodiscard]] stats::LimiterLog* limiters() const { return m_limiters; }

    void dispatched(isa::Engine e) { ++m_dispatched[static_cast<int>(e)]; }
    // The engine moves on from its instruction now; its effect is complete at `done`.
    void retire(isa::Engine e, DoneCycle done);

    // compiler.overlap = full: use a dependency table, its wait counters in `stats`.
    void enable_hazards(stats::StatGroup& stats, size_t layers);
    [[nodiscard]] DependencyTable* hazards() { return m_hazards.get(); }
    [[nodiscard]] const DependencyTable* hazards() const { return m_hazards.get(); }
    // Dispatch (full): enters the instruction for engine `e` with its epoch and ranges.
    void enter(isa::Engine e, uint32_t epoch, const Accesses& a);
    // Before engine `e` starts its next instruction (of `layer`): waits until no instruction of
    // an earlier epoch whose ranges conflict is incomplete (no table: returns at once).
    void wait_hazards(isa::Engine e, size_t layer) {
        if (m_hazards) wait_hazards_slow(e, layer);
    }
    // Retires a table entry no engine runs (a layer's output read) and tells the waiters.
    void retire_entry(DependencyTable::Handle h, DoneCycle done) {
        m_hazards->retire(h, done);
        notify_after(m_hazard_event, 0);
    }
    // Blocks until a check of `h` is clear; returns the cycles waited.
    uint64_t wait_clear(DependencyTable::Handle h);
    // Waits on the dependency table's retire notifications (the layer-end process).
    [[nodiscard]] const sc_core::sc_event& hazard_event() const { return m_hazard_event; }
    // compiler.overlap full: when the first instruction of `layer` (by its tag) started in an
    // engine, after its tokens and hazards; UINT64_MAX: none has.
    [[nodiscard]] uint64_t layer_started(size_t layer) const {
        return layer < m_layer_started.size() ? m_layer_started[layer] : UINT64_MAX;
    }
    // The cycles each layer's instructions waited on hazards (0 without a table).
    [[nodiscard]] uint64_t hazard_wait_cycles(size_t layer) const;
    // Blocks until every dispatched instruction has retired and its effect has completed.
    void wait_all_complete();

    // Tracing (call only when tracing()): the engine starts `in` now, having taken it from its
    // queue at `queued`; the controller dispatched `in` (blocked: waited for a full queue).
    void trace_begin(isa::Engine e, const isa::Instr& in, uint64_t queued);
    void trace_controller(const isa::Instr& in, uint64_t queued, bool blocked);

  private:
    uint64_t m_dispatched[3] = {0, 0, 0};
    uint64_t m_retired[3] = {0, 0, 0};
    uint64_t m_last_done = 0;
    sc_core::sc_event m_retired_event;
    // Retired instructions whose completion is not known yet, and their trace events to patch.
    struct Later {
        DoneCycle done;
        size_t trace_event;
    };
    std::vector<Later> m_later;

    void wait_hazards_slow(isa::Engine e, size_t layer);
    std::unique_ptr<DependencyTable> m_hazards;
    std::deque<DependencyTable::Handle> m_entered[3];  // per engine, in dispatch order
    sc_core::sc_event m_hazard_event;
    stats::Stat* m_hazard_wait[3] = {nullptr, nullptr, nullptr};
    std::vector<uint64_t> m_layer_started;

    stats::Trace* m_trace = nullptr;
    stats::LimiterLog* m_limiters = nullptr;
    stats::TraceEvent m_open[3];  // the instruction each engine is running
};

}  // namespace npu::model

// What the controller's SYNC needs to know about the engines: how many instructions each was
// given and has finished, and when the last of their effects completes; and the timeline
// (sim/stats/trace.h) when tracing is on. Plain bookkeeping shared by the controller and the
// engines of one core (no process of its own).
// Timing contract: an engine retires an instruction when it moves on from it, with the cycle at
// which its effect is complete (a DoneCycle: possibly known only later, see done_cycle.h).
// wait_all_complete() returns at the latest of those cycles, once every dispatched instruction
// has retired.
#pragma once

#include <cstdint>
#include <systemc>
#include <vector>

#include "models/engines/done_cycle.h"
#include "sim/isa/isa.h"
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

    stats::Trace* m_trace = nullptr;
    stats::LimiterLog* m_limiters = nullptr;
    stats::TraceEvent m_open[3];  // the instruction each engine is running
};

}  // namespace npu::model

// The timeline of one run as Chrome / Perfetto trace-event JSON (open it in ui.perfetto.dev or
// chrome://tracing; docs/trace.md):
//  - one process (the NPU) with one track per engine: "controller", "load", "compute", "store",
//    and a "layers" track with one span per layer;
//  - per instruction a complete event ("ph":"X") on its engine's track from the cycle the engine
//    began it (its tokens obtained) to the cycle the engine moved on, named after its opcode,
//    with the instruction text, layer and cycles in "args"; the wait for its tokens before it is
//    a "wait" event (category "stall"); a controller blocked on a full engine queue is a
//    "dispatch blocked" event;
//  - an instruction whose effect completes after its engine moved on (a LOAD's data landing, a
//    COMPUTE's last results) also gets an async span ("ph":"b"/"e", category "inflight") from its
//    start to that completion: these overlap, which complete events on one track must not.
// Times: "ts"/"dur" are microseconds of simulated time (the trace format's unit): cycles are
// converted at the configured clock to whole nanoseconds, written with three decimals, so ui
// shows real time; every event also carries its cycles in "args". The output is deterministic.
#pragma once

#include <ostream>
#include <string>

#include "sim/stats/stats.h"
#include "sim/stats/trace.h"

namespace npu::report {

void write_trace_json(std::ostream& out, const stats::Trace& trace, const stats::RunStats& run);

// Writes the trace to `path`. Throws npu::UserError naming the path when it cannot be written.
void write_trace_json(const std::string& path, const stats::Trace& trace,
                      const stats::RunStats& run);

// Checks, before a run, that `path` can take the trace: its directory exists, it is not a
// directory, and it does not exist unless `force`. Throws npu::UserError naming the option.
void check_trace_path(const std::string& path, bool force);

}  // namespace npu::report

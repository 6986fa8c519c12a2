// A timeline of one run: which instruction each engine ran when, and how long each engine waited
// for its dependency tokens before it. Recorded by the NPU model only when tracing is on
// (run::RunOptions::trace); written as Chrome / Perfetto trace-event JSON by
// report::write_trace_json (docs/trace.md).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace npu::stats {

// The engines of the NPU, as trace tracks (same order as isa::Engine).
enum class TraceEngine : uint8_t { kLoad, kCompute, kStore, kController };
constexpr int kTraceEngines = 4;

[[nodiscard]] inline const char* to_string(TraceEngine e) {
    switch (e) {
        case TraceEngine::kLoad:
            return "load";
        case TraceEngine::kCompute:
            return "compute";
        case TraceEngine::kStore:
            return "store";
        case TraceEngine::kController:
            break;
    }
    return "controller";
}

// One instruction on its engine. Cycles are NPU cycles from the start of the run, with
// queued <= start <= end and start <= complete:
//  - queued: the engine took the instruction from its queue (controller: dispatched it);
//  - start: its dependency tokens were obtained, the engine began it (start - queued is the
//    token wait, a stall; the controller's SYNC has none);
//  - end: the engine moved on to its next instruction (a LOAD's last burst issued, a COMPUTE's
//    last tile started, a SYNC's layer ended);
//  - complete: its effect was complete (a LOAD's last byte landed, a COMPUTE's last result
//    written): what its dependency token carries. May lie after `end` and after later
//    instructions' starts: an engine overlaps an instruction's latency with the next.
// The controller's dispatch back-pressure is recorded as a SYNC-less event with
// `blocked = true` (queued = when it tried to dispatch, end = when the queue took it).
struct TraceEvent {
    uint32_t instr = 0;  // instruction id (index in the program)
    uint32_t layer = 0;  // layer index
    uint32_t core = 0;   // the NPU core (multi-core runs; 0 with one core)
    TraceEngine engine = TraceEngine::kController;
    bool blocked = false;  // controller blocked on a full engine queue (not an instruction run)
    uint64_t queued = 0;
    uint64_t start = 0;
    uint64_t end = 0;
    uint64_t complete = 0;
};

// What the trace says about each instruction of the program (indexed by instruction id).
struct TraceInstr {
    std::string op;         // opcode, e.g. "LOAD"
    std::string text;       // the instruction as `npusim compile --emit asm` prints it
    std::string waits_for;  // the tokens it pops, e.g. "load (operands)"; empty: none
};

struct Trace {
    std::vector<TraceInstr> instrs;
    std::vector<TraceEvent> events;  // in the order the engines recorded them
    int cores = 1;                   // a track group per core when > 1
};

// One trace from the cores' (core c's events tagged core c, its instruction ids moved past the
// earlier cores' instructions, which `instrs` holds first). One trace: itself.
[[nodiscard]] Trace merge_traces(std::vector<Trace>&& cores);

}  // namespace npu::stats

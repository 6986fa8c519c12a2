#include "models/engines/scoreboard.h"

#include <algorithm>

#include "models/process.h"

namespace npu::model {

void Scoreboard::retire(isa::Engine e, DoneCycle done) {
    const int i = static_cast<int>(e);
    ++m_retired[i];
    notify_after(m_retired_event, 0);
    size_t event = SIZE_MAX;
    if (m_trace) {  // the engine moves on now; its effect is complete at `done`
        stats::TraceEvent ev = m_open[i];
        ev.end = now_cycles();
        ev.complete = done.known() ? done.cycle() : ev.end;
        event = m_trace->events.size();
        m_trace->events.push_back(ev);
    }
    if (done.known()) {
        m_last_done = std::max(m_last_done, done.cycle());
    } else {
        m_later.push_back({done, event});
    }
}

void Scoreboard::wait_all_complete() {
    while (m_retired[0] != m_dispatched[0] || m_retired[1] != m_dispatched[1] ||
           m_retired[2] != m_dispatched[2]) {
        sc_core::wait(m_retired_event);
    }
    for (size_t i = 0; i < m_later.size(); ++i) {  // nothing retires meanwhile: all have
        const Later l = m_later[i];
        const uint64_t c = l.done.wait_known();
        m_last_done = std::max(m_last_done, c);
        if (m_trace && l.trace_event != SIZE_MAX) m_trace->events[l.trace_event].complete = c;
    }
    m_later.clear();
    wait_until(m_last_done);
}

void Scoreboard::trace_begin(isa::Engine e, const isa::Instr& in, uint64_t queued) {
    stats::TraceEvent& ev = m_open[static_cast<int>(e)];
    ev.instr = in.id;
    ev.layer = in.layer;
    ev.engine = static_cast<stats::TraceEngine>(e);
    ev.queued = queued;
    ev.start = now_cycles();
}

void Scoreboard::trace_controller(const isa::Instr& in, uint64_t queued, bool blocked) {
    stats::TraceEvent ev;
    ev.instr = in.id;
    ev.layer = in.layer;
    ev.blocked = blocked;
    ev.queued = queued;
    ev.start = blocked ? now_cycles() : queued;
    ev.end = ev.complete = now_cycles();
    m_trace->events.push_back(ev);
}

}  // namespace npu::model

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
    if (m_hazards) {
        m_hazards->retire(m_entered[i].front(), done);
        m_entered[i].pop_front();
        notify_after(m_hazard_event, 0);
    }
}

void Scoreboard::enable_hazards(stats::StatGroup& stats, size_t layers) {
    m_hazards = std::make_unique<DependencyTable>();
    m_layer_started.assign(layers, UINT64_MAX);
    const char* names[3] = {"load_wait_cycles", "compute_wait_cycles", "store_wait_cycles"};
    const char* what[3] = {"load", "compute", "store"};
    for (int i = 0; i < 3; ++i) {
        m_hazard_wait[i] = &stats.stat(names[i],
                                       std::string("cycles the ") + what[i] +
                                           " engine held an instruction back for a conflicting "
                                           "one of an earlier layer (dependency table)",
                                       "cycles");
    }
}

void Scoreboard::enter(isa::Engine e, uint32_t epoch, const Accesses& a) {
    m_entered[static_cast<int>(e)].push_back(m_hazards->add(epoch, a, now_cycles()));
}

uint64_t Scoreboard::wait_clear(DependencyTable::Handle h) {
    const uint64_t begin = now_cycles();
    for (;;) {
        const DependencyTable::Verdict v = m_hazards->check(h, now_cycles());
        if (v.kind == DependencyTable::Verdict::kClear) break;
        if (v.kind == DependencyTable::Verdict::kUntil) {
            wait_until(v.cycle);  // every conflicting one is complete by then
            break;
        }
        if (v.kind == DependencyTable::Verdict::kRetire) {
            sc_core::wait(m_hazard_event);
        } else {
            v.done.wait_known();
        }
    }
    return now_cycles() - begin;
}

void Scoreboard::wait_hazards_slow(isa::Engine e, size_t layer) {
    const int i = static_cast<int>(e);
    const uint64_t waited = wait_clear(m_entered[i].front());
    // No limiter is noted: a cycle spent only waiting is a dependency wait (limiters.h).
    m_hazard_wait[i]->add(layer, waited);
    if (m_layer_started[layer] == UINT64_MAX) m_layer_started[layer] = now_cycles();
}

uint64_t Scoreboard::hazard_wait_cycles(size_t layer) const {
    uint64_t n = 0;
    for (const stats::Stat* s : m_hazard_wait) n += s != nullptr ? s->at(layer) : 0;
    return n;
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

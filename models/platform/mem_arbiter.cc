#include "models/platform/mem_arbiter.h"

#include <string>

#include "models/process.h"

namespace npu::model {

namespace {
// Requests between two prunings of the grant calendar.
constexpr uint64_t kPruneEvery = 4096;
}  // namespace

MemArbiter::MemArbiter(sc_core::sc_module_name name, int cores, int ports, MemTargetIf& target,
                       stats::StatGroup& stats)
    : sc_module(name), m_target(target), m_calendar(ports) {
    for (int c = 0; c < cores; ++c) {
        m_ports.push_back(std::make_unique<Port>(*this, c));
        stats::StatGroup& g = stats.group("core" + std::to_string(c));
        PerCore pc;
        pc.requests = &g.stat("requests", "bursts granted to the core", "count");
        pc.wait_cycles = &g.stat("wait_cycles",
                                 "cycles the core's bursts waited for a request port (from "
                                 "their earliest cycle to their grant), summed",
                                 "cycles");
        m_cores.push_back(pc);
    }
}

void MemArbiter::set_limiters(int core, stats::LimiterLog* log, bool target_notes_now) {
    m_cores.at(static_cast<size_t>(core)).limiters = log;
    m_target_notes_now = target_notes_now;
    if (!target_notes_now) m_target.set_limiters(nullptr);
}

uint64_t MemArbiter::grant(int core, uint64_t earliest, uint32_t layer) {
    PerCore& pc = m_cores[static_cast<size_t>(core)];
    if (++m_since_prune == kPruneEvery) {
        // No request reaches back before the kernel's time: the grants before it are history.
        m_since_prune = 0;
        m_calendar.prune(now_cycles());
    }
    const uint64_t at = m_calendar.reserve(earliest, 1);
    pc.requests->add(layer, 1);
    if (at > earliest) {
        pc.wait_cycles->add(layer, at - earliest);
        if (pc.limiters != nullptr) {
            pc.limiters->add(layer, stats::Limiter::kDramBandwidth, earliest, at);
        }
    }
    return at;
}

uint64_t MemArbiter::Port::request(MemRequest& r) {
    r.earliest = m_owner.grant(m_core, r.earliest, r.layer);
    r.core = static_cast<uint16_t>(m_core);
    if (m_owner.m_target_notes_now) {
        m_owner.m_target.set_limiters(m_owner.m_cores[static_cast<size_t>(m_core)].limiters);
    }
    return m_owner.m_target.request(r);
}

}  // namespace npu::model

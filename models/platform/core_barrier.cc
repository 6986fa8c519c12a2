#include "models/platform/core_barrier.h"

#include <string>

#include "models/process.h"
#include "sim/core/error.h"

namespace npu::model {

CoreBarrier::CoreBarrier(sc_core::sc_module_name name, int cores, size_t layers, uint64_t latency,
                         stats::StatGroup& stats)
    : sc_module(name),
      m_latency(latency),
      m_release("release"),
      m_arrivals(static_cast<size_t>(cores), std::vector<uint64_t>(layers, 0)) {
    for (int c = 0; c < cores; ++c) {
        m_wait.push_back(&stats.group("core" + std::to_string(c))
                              .stat("wait_cycles",
                                    "cycles the core waited at the end of the layer for the "
                                    "other cores to finish theirs (cross-core barrier)",
                                    "cycles"));
    }
}

void CoreBarrier::arrive_and_wait(size_t core, size_t layer) {
    const uint64_t now = now_cycles();
    if (m_waiting > 0 && layer != m_layer) {
        throw ModelError("barrier", now, -1,
                         "core " + std::to_string(core) + " reached the barrier of layer " +
                             std::to_string(layer) + " while " + std::to_string(m_waiting) +
                             " core(s) wait at layer " + std::to_string(m_layer));
    }
    m_layer = layer;
    m_arrivals.at(core).at(layer) = now;
    const bool last = ++m_waiting == m_arrivals.size();
    if (last) {
        // The last core: every other one waits on the event; it fires in this cycle, and every
        // core (this one too) resumes m_latency later.
        m_waiting = 0;
        m_release.notify();
    } else {
        sc_core::wait(m_release);
    }
    if (m_latency > 0) wait_until(now_cycles() + m_latency);
    if (!last || m_latency > 0) m_wait[core]->add(layer, now_cycles() - now);
}

}  // namespace npu::model

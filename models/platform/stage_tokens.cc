#include "models/platform/stage_tokens.h"

#include <memory>
#include <string>

#include "models/process.h"
#include "sim/core/error.h"

namespace npu::model {

StageTokens::StageTokens(sc_core::sc_module_name name, int cores, uint64_t latency,
                         stats::StatGroup& stats)
    : sc_module(name), m_latency(latency), m_posted(static_cast<size_t>(cores)) {
    for (int c = 0; c < cores; ++c) {
        m_owned.push_back(
            std::make_unique<sc_core::sc_event>(("signal" + std::to_string(c)).c_str()));
        m_events.push_back(m_owned.back().get());
        stats::StatGroup& g = stats.group("core" + std::to_string(c));
        m_wait.push_back(&g.stat("wait_cycles",
                                 "cycles the core's WAITs held dispatch until the previous core "
                                 "had signalled the image (pipeline stage tokens)",
                                 "cycles"));
        m_images.push_back(
            &g.stat("images", "images whose stage the core completed and signalled", "count"));
    }
}

void StageTokens::wait(size_t core, uint32_t image, size_t layer) {
    const uint64_t now = now_cycles();
    if (core == 0 || core >= m_posted.size()) {
        throw ModelError("tokens", now, -1,
                         "core " + std::to_string(core) +
                             " waits for a token of the previous core, which it does not have");
    }
    const std::vector<uint64_t>& from = m_posted[core - 1];
    while (from.size() <= image) sc_core::wait(*m_events[core - 1]);
    // The token arrives m_latency after its SIGNAL (posted holds the arrival).
    if (now_cycles() < from[image]) wait_until(from[image]);
    m_wait[core]->add(layer, now_cycles() - now);
}

void StageTokens::signal(size_t core, uint32_t image, size_t layer) {
    std::vector<uint64_t>& posted = m_posted.at(core);
    if (image != posted.size()) {
        throw ModelError("tokens", now_cycles(), -1,
                         "core " + std::to_string(core) + " signals image " +
                             std::to_string(image) + " after " + std::to_string(posted.size()) +
                             " image(s): images are signalled in order");
    }
    posted.push_back(now_cycles() + m_latency);
    m_images[core]->add(layer, 1);
    m_events[core]->notify();
}

}  // namespace npu::model

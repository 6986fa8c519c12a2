#include "sim/ref/layer_check.h"

#include <algorithm>
#include <utility>

namespace npu::ref {

LayerCheck::LayerCheck(size_t layers)
    : m_expected(layers), m_simulated(layers), m_mismatches(layers) {}

void LayerCheck::expected(size_t layer, Output output) {
    const std::lock_guard<std::mutex> lock(m_mutex);
    m_expected.at(layer) = std::move(output);
    compare_if_both(layer);
}

void LayerCheck::simulated(size_t layer, Output output) {
    {
        const std::lock_guard<std::mutex> lock(m_mutex);
        m_simulated.at(layer) = std::move(output);
        ++m_simulated_count;
        compare_if_both(layer);
    }
    m_delivered.notify_all();
}

bool LayerCheck::wait_for_simulation(size_t layer) {
    std::unique_lock<std::mutex> lock(m_mutex);
    m_delivered.wait(
        lock, [&] { return m_simulation_ended || m_simulated_count + kReferenceLead >= layer; });
    return !m_abandoned;
}

void LayerCheck::simulation_ended() {
    {
        const std::lock_guard<std::mutex> lock(m_mutex);
        m_simulation_ended = true;
    }
    m_delivered.notify_all();
}

void LayerCheck::abandon() {
    {
        const std::lock_guard<std::mutex> lock(m_mutex);
        m_simulation_ended = true;
        m_abandoned = true;
    }
    m_delivered.notify_all();
}

std::optional<uint64_t> LayerCheck::mismatches(size_t layer) const {
    const std::lock_guard<std::mutex> lock(m_mutex);
    return m_mismatches.at(layer);
}

void LayerCheck::compare_if_both(size_t layer) {
    if (!m_expected[layer] || !m_simulated[layer]) return;
    const std::vector<int8_t>& want = *m_expected[layer];
    const std::vector<int8_t>& got = *m_simulated[layer];
    uint64_t bad = 0;
    const size_t both = std::min(want.size(), got.size());
    for (size_t e = 0; e < both; ++e) bad += want[e] != got[e];
    bad += want.size() - both;
    m_mismatches[layer] = bad;
    m_expected[layer].reset();
    m_simulated[layer].reset();
}

}  // namespace npu::ref

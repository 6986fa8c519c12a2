// The check of a functional run, layer by layer as both sides finish: the reference executor
// (on its own thread) and the simulation (on another) each hand over a layer's output when they
// have it; whichever comes second compares the two, records the layer's mismatch count and lets
// both go. So neither side's outputs need all be alive at once: the reference's are held only
// until the simulation catches up, and the reference is paced (wait_for_simulation) to stay at
// most kReferenceLead layers ahead of it.
//
// The result is what comparing the complete output lists would give: per layer, the number of
// elements of the expected output that differ from the simulated one (an element the simulated
// output lacks counts as differing; extra simulated bytes are not compared). Thread-safe.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

namespace npu::ref {

class LayerCheck {
  public:
    using Output = std::shared_ptr<const std::vector<int8_t>>;
    // How many layers the reference may compute beyond the last one the simulation delivered.
    static constexpr size_t kReferenceLead = 2;

    explicit LayerCheck(size_t layers);

    // The reference executor's output of `layer`.
    void expected(size_t layer, Output output);
    // The simulation's output of `layer`.
    void simulated(size_t layer, Output output);
    // Blocks until the simulation has delivered layers [0, layer - kReferenceLead) or has ended:
    // the reference's pace (ref::run_workload_streaming's before_layer). False once the check
    // is abandoned: the reference need not compute further.
    [[nodiscard]] bool wait_for_simulation(size_t layer);
    // The simulation delivers nothing more: releases a waiting reference, which runs to the end.
    void simulation_ended();
    // The simulation failed: releases a waiting reference, and wait_for_simulation says stop.
    void abandon();

    // Mismatching elements of `layer`; empty until both sides delivered it.
    [[nodiscard]] std::optional<uint64_t> mismatches(size_t layer) const;

  private:
    mutable std::mutex m_mutex;
    std::condition_variable m_delivered;
    std::vector<Output> m_expected, m_simulated;  // held until the other side's arrives
    std::vector<std::optional<uint64_t>> m_mismatches;
    size_t m_simulated_count = 0;  // layers the simulation delivered
    bool m_simulation_ended = false;
    bool m_abandoned = false;

    // Compares layer's two outputs if both are there (mutex held).
    void compare_if_both(size_t layer);
};

}  // namespace npu::ref

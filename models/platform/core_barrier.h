// The cross-core barrier of a channel-partitioned run (compiler.partition channel,
// sim/compiler/partition.h): every core's program closes each layer with a SYNC, and at that SYNC
// a core waits until every core has reached its SYNC of the same layer. A core reaches it once
// its own instructions of the layer have completed (the controller's SYNC), so when the barrier
// releases, every core's STOREs of the layer are in DRAM and the next layer may read any channel.
//
// What is modelled: the arrival of each core and the release of all of them together.
// Not modelled: the wires or messages that carry the arrivals and the release (their delay is one
// figure, `sync_cycles`), skew between the cores' releases.
// Timing contract: core c arriving at cycle a_c for layer L resumes at max over the cores of a_c,
// plus `latency` (the config's sync_cycles, default 0: the last core to arrive does not wait);
// nothing else is charged.
// The cores must arrive at their layers in the same order (each program has one SYNC per layer,
// in layer order): a core arriving for another layer than the ones waiting is a malformed program
// (npu::ModelError).
// Stats (group "barrier"): per core, core<c>.wait_cycles (cycles it waited for the other cores,
// per layer). arrival(c, L) keeps each core's arrival cycle (the platform's merged layer records
// take the limiters of the core that arrived last: the one the layer waited for).
#pragma once

#include <cstdint>
#include <systemc>
#include <vector>

#include "sim/stats/component_stats.h"

namespace npu::model {

class CoreBarrier : public sc_core::sc_module {
  public:
    // `latency`: cycles from the last arrival to the release (sync_cycles).
    CoreBarrier(sc_core::sc_module_name name, int cores, size_t layers, uint64_t latency,
                stats::StatGroup& stats);

    // Core `core` arrives for layer `layer`: returns (in its thread) when every core has.
    void arrive_and_wait(size_t core, size_t layer);
    // The cycle core `core` arrived for layer `layer` (0 if it never did).
    [[nodiscard]] uint64_t arrival(size_t core, size_t layer) const {
        return m_arrivals.at(core).at(layer);
    }

  private:
    uint64_t m_latency = 0;
    size_t m_waiting = 0;  // cores arrived for m_layer, not yet released
    size_t m_layer = 0;
    sc_core::sc_event m_release;
    std::vector<std::vector<uint64_t>> m_arrivals;  // per core, per layer
    std::vector<stats::Stat*> m_wait;               // per core
};

}  // namespace npu::model

// The point-to-point tokens of a pipelined run (compiler.partition pipeline,
// sim/compiler/partition.h): core c runs its stage of the layers for image 0, 1, ... and ends each
// image's stage with SIGNAL i (isa.h), which posts token (c, i); core c + 1 begins its stage of
// image i with WAIT i, which holds its dispatch until token (c, i) has been posted. Since SIGNAL
// follows the stage's last SYNC, every STORE of core c's stage of image i is in DRAM when core
// c + 1 reads it; images are signalled in order, so a token is the count of images a core has
// signalled.
//
// What is modelled: the tokens, the time one takes to cross (`latency`, the config's
// sync_cycles, default 0) and the waits for them. Not modelled: contention on the wires that carry
// them, and any bound on how far a core runs ahead of the next (each image has its own tensors in
// DRAM, so there is nothing to bound).
// Timing contract: a WAIT i on core c that the controller reaches at cycle w (after its dispatch
// cycles) resumes at max(w, s + latency), s the cycle core c - 1's SIGNAL i was posted (after its
// own dispatch cycles); a SIGNAL never waits. Core 0 has no previous core: a WAIT on it is a
// malformed program (npu::ModelError), as is a SIGNAL of another image than the next one.
// Stats (group "tokens"): per core, core<c>.wait_cycles (cycles its WAITs held dispatch, per
// layer: the stage's first layer) and core<c>.images (images it signalled, per layer: the stage's
// last layer). signalled(c, i) keeps the cycle each token arrives.
#pragma once

#include <cstdint>
#include <memory>
#include <systemc>
#include <vector>

#include "sim/stats/component_stats.h"

namespace npu::model {

class StageTokens : public sc_core::sc_module {
  public:
    // `latency`: cycles from a SIGNAL to the token's arrival at the next core (sync_cycles).
    StageTokens(sc_core::sc_module_name name, int cores, uint64_t latency, stats::StatGroup& stats);

    // Core `core` waits (in its thread) until core - 1 has signalled image `image`; `layer`: the
    // layer its wait cycles count to.
    void wait(size_t core, uint32_t image, size_t layer);
    // Core `core` has completed its stage of image `image` (the next after the last it signalled).
    void signal(size_t core, uint32_t image, size_t layer);
    // The cycle core `core`'s token of image `image` reaches the next core: its SIGNAL's cycle
    // plus the latency (throws std::out_of_range if it did not signal it).
    [[nodiscard]] uint64_t signalled(size_t core, uint32_t image) const {
        return m_posted.at(core).at(image);
    }

  private:
    uint64_t m_latency = 0;
    std::vector<std::vector<uint64_t>> m_posted;  // per core, per image signalled: its arrival
    std::vector<sc_core::sc_event*> m_events;     // per core: notified at each of its signals
    std::vector<std::unique_ptr<sc_core::sc_event>> m_owned;
    std::vector<stats::Stat*> m_wait, m_images;  // per core
};

}  // namespace npu::model

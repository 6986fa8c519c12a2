// A dependency-token queue between two engines (TVM VTA's decoupled access/execute; see
// sim/isa/isa.h for the four queues). Each token carries the cycle from which it may be consumed
// (the producer's effect is complete then); one producer pushes them in program order.
// Timing contract: pop() blocks until a token exists, its cycle is known and has come. No
// capacity limit: the compiler balances pushes and pops.
#pragma once

#include <cstdint>
#include <deque>
#include <systemc>

#include "models/engines/done_cycle.h"
#include "sim/stats/component_stats.h"

namespace npu::model {

class TokenQueue {
  public:
    void push(DoneCycle ready);
    // Blocks the calling thread until a token exists and its cycle has come.
    void pop();

  private:
    std::deque<DoneCycle> m_tokens;
    sc_core::sc_event m_pushed;
};

// Pops a token from `q` and counts the cycles spent waiting for it into `stall` for `layer`.
void pop_timed(TokenQueue& q, stats::Stat& stall, size_t layer);

}  // namespace npu::model

// When an instruction's effect is complete. Usually a cycle known when the engine moves on; for
// a DMA descriptor whose bursts went to a target that completes them later (the memory
// interface's deferred path, models/mem/mem_if.h), a cycle the DMA learns only when the last of
// them completes. Tokens and the controller's SYNC carry DoneCycle values and wait until known.
#pragma once

#include <cstdint>
#include <systemc>

namespace npu::model {

// The DMA's "a target told a completion" event, with the number of threads waiting on it (the
// DMA runs a target's wake-up in its own thread only when no other thread waits: Dma::slot_wait).
struct ToldEvent {
    sc_core::sc_event event;
    uint32_t waiters = 0;
    // Blocks the calling thread until the event is notified.
    void wait() {
        ++waiters;
        sc_core::wait(event);
        --waiters;
    }
    // ... or until `timeout` has passed, whichever comes first.
    void wait(const sc_core::sc_time& timeout) {
        ++waiters;
        sc_core::wait(timeout, event);
        --waiters;
    }
};

// A descriptor's completion as the DMA fills it in.
struct PendingDone {
    uint64_t cycle = 0;    // latest completion so far
    uint32_t pending = 0;  // bursts whose completion the targets have not told yet
    bool issuing = true;   // the descriptor still issues bursts
    [[nodiscard]] bool known() const { return !issuing && pending == 0; }
};

class DoneCycle {
  public:
    // A cycle known now (implicit: an engine passes a plain cycle where a DoneCycle is taken).
    DoneCycle(uint64_t cycle = 0) : m_cycle(cycle) {}  // NOLINT(google-explicit-constructor)
    // A cycle known once `later` is; `told` is notified whenever it may have become known.
    DoneCycle(const PendingDone* later, ToldEvent* told) : m_later(later), m_told(told) {}

    [[nodiscard]] bool known() const { return m_later == nullptr || m_later->known(); }
    // The cycle; valid once known().
    [[nodiscard]] uint64_t cycle() const { return m_later != nullptr ? m_later->cycle : m_cycle; }
    // Blocks the calling thread until known; returns the cycle.
    uint64_t wait_known() const {
        while (!known()) m_told->wait();
        return cycle();
    }

  private:
    uint64_t m_cycle = 0;
    const PendingDone* m_later = nullptr;
    ToldEvent* m_told = nullptr;
};

}  // namespace npu::model

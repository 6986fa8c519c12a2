// The shared memory port of a multi-core NPU: every core's DMA reaches the one memory target (the
// DRAM, or the shared L2 in front of it) through it (models/platform/soc.h builds it when `cores`
// > 1; one core has none). It sets each request's MemRequest::core.
//
// What is modelled: the interconnect's request ports into the memory target, `ports` of them
// (the platform gives dram.channels), each accepting one request (a burst) per cycle. Core c
// sends its requests to port(c). A request is granted the first cycle at or after its earliest
// cycle in which some request port is free, and goes on to the target with that cycle as its
// earliest; the target's own model (channels, banks, data bus) then decides its completion.
// Arbitration policy: first come, first served. Requests are granted in the order they reach the
// arbiter (the simulation kernel's process order, fixed for a given program and config: runs are
// deterministic); a request never moves an earlier grant, it takes the first free cycle at or
// after its earliest one. Two cores asking for the same cycle on a one-port arbiter: the first
// to arrive gets it, the other the next cycle.
// Not modelled: bounded request queues, priorities or QoS, a data path narrower than the target
// (the target's bandwidth limits the data), the arbiter's own latency (0 cycles).
// Timing contract: a pass-through of the memory interface (models/mem/mem_if.h): request()
// returns the target's answer for the request with earliest = its grant (a completion cycle, or
// kLater: the target tells the request's initiator directly). route() answers the port itself
// (the arbiter must see every request); untold_from() is the target's.
// Limiters: the cycles a request waited for its grant go to its core's LimiterLog as
// kDramBandwidth (the shared memory is what it waited for); the target notes its own waits in the
// log of the core whose request it is taking (set per request; a target that notes waits later,
// from its own process, gets no log: its waits are not attributed).
// Stats (group "arbiter"): per core, core<c>.requests (bursts granted) and core<c>.wait_cycles
// (cycles from a request's earliest cycle to its grant, summed), per layer.
#pragma once

#include <cstdint>
#include <memory>
#include <systemc>
#include <vector>

#include "models/mem/mem_if.h"
#include "models/mem/port_calendar.h"
#include "sim/stats/component_stats.h"
#include "sim/stats/limiters.h"

namespace npu::model {

class MemArbiter : public sc_core::sc_module {
  public:
    // `cores` ports in front of `target`, which grants `ports` requests per cycle.
    MemArbiter(sc_core::sc_module_name name, int cores, int ports, MemTargetIf& target,
               stats::StatGroup& stats);

    // Core c's side: a memory target for its address map.
    [[nodiscard]] MemTargetIf& port(int core) { return *m_ports.at(static_cast<size_t>(core)); }
    // Where core c's waits are noted (nullptr: nowhere). `target_notes_now`: the target notes its
    // own waits while it takes a request (the simple DRAM), so it is handed the log per request.
    void set_limiters(int core, stats::LimiterLog* log, bool target_notes_now);

    // The grant of a request of core `core` that may start at `earliest` (reserves it).
    uint64_t grant(int core, uint64_t earliest, uint32_t layer);

  private:
    class Port : public MemTargetIf {
      public:
        Port(MemArbiter& owner, int core) : m_owner(owner), m_core(core) {}
        [[nodiscard]] uint64_t request(MemRequest& r) override;
        [[nodiscard]] uint64_t untold_from() const override {
            return m_owner.m_target.untold_from();
        }
        void debug_access(uint64_t addr, uint8_t* buf, uint32_t len, bool write) override {
            m_owner.m_target.debug_access(addr, buf, len, write);
        }

      private:
        MemArbiter& m_owner;
        int m_core;
    };
    struct PerCore {
        stats::Stat* requests = nullptr;
        stats::Stat* wait_cycles = nullptr;
        stats::LimiterLog* limiters = nullptr;
    };

    MemTargetIf& m_target;
    PortCalendar m_calendar;
    std::vector<std::unique_ptr<Port>> m_ports;
    std::vector<PerCore> m_cores;
    bool m_target_notes_now = false;
    uint64_t m_since_prune = 0;
};

}  // namespace npu::model

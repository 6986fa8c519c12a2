// The memory-request interface: how an initiator with outstanding requests (a core's DMA) talks
// to a memory target (a DRAM model, a core's scratchpad window) through the platform's address
// map. One request per burst; no sc_clock and no per-cycle process anywhere on the path.
//
// Request (MemRequest, passed to MemTargetIf::request): address (in the receiver's range: the
// address map subtracts the region's base), bytes, read / write, the earliest cycle it may
// start, the layer whose statistics the target's actions count to, the initiator's buffer
// (functional runs; nullptr in timing-only runs: no data moves), and the initiator to tell a
// later completion.
// Completion, one of two ways:
//  - the target knows it at once (the simple busy-until DRAM, a scratchpad window): request()
//    returns the completion cycle. Nothing is scheduled in the kernel: the fast path costs one
//    virtual call per burst.
//  - the target decides later (a bank-level DRAM with queues): request() returns kLater and the
//    target calls initiator->complete(request, cycle) from one of its processes, at a kernel
//    time at or before `cycle`. The request object belongs to the initiator and stays valid
//    until then; completions may come in any order. untold_from() bounds the completions it
//    has not told yet (the initiator may then take a told one as its next without waiting).
// An initiator may ask route() once per transfer and send its requests straight to the target
// that serves the whole range (what an address decoder would do with each of them anyway).
// Completion cycle: a read's data has arrived at the initiator; a write has been performed and
// acknowledged. Targets move the data (functional runs) when they take the request: the
// engines' dependency tokens make sure nobody reads it before its timed arrival.
// debug_access() reads or writes functional data with no timing (the controller reads each
// layer's output this way).
//
// Why not TLM-2.0 sockets: the same design on the TLM-2.0 approximately-timed base protocol
// (nb_transport_fw BEGIN_REQ answered TLM_COMPLETED with the completion as annotated delay, or
// END_REQ and a later nb_transport_bw BEGIN_RESP; pooled payloads with a memory manager, an
// extension for the layer, a multi-passthrough address map) kept every golden exact but cost
// ~650 host instructions per burst: the delay annotation needs sc_time_stamp() and
// sc_time::from_value() (library calls) on both sides, plus extension lookups and socket
// binders. ResNet-50 timing-only on a 32x32 array (1.69 M bursts) took 3.14 G instructions
// against 2.05 G before the split (+53%; callgrind), far over the 10% budget; with this
// interface 2.16 G (+5%). It keeps the protocol's semantics (request, completion now or later,
// out of order, debug access) in cycles, with no kernel time on the path.
#pragma once

#include <cstdint>
#include <systemc>

#include "models/mem/memory_image.h"
#include "sim/stats/component_stats.h"
#include "sim/stats/stats.h"

namespace npu::model {

class MemInitiatorIf;

// One request (a burst).
struct MemRequest {
    uint64_t addr = 0;
    uint32_t bytes = 0;
    bool write = false;
    uint64_t earliest = 0;    // cycle
    uint32_t layer = 0;       // the instruction's layer: whose statistics the target counts to
    uint8_t* data = nullptr;  // the initiator's buffer; nullptr: timing only
    MemInitiatorIf* initiator = nullptr;  // told a completion that comes later
    uint16_t core = 0;  // the core whose request it is (the arbiter sets it; one core: 0)
};

// What an initiator offers the targets: a completion decided after the request.
class MemInitiatorIf {
  public:
    virtual ~MemInitiatorIf() = default;
    // `r` completes at `cycle`. Called from a target's process at a kernel time <= cycle.
    virtual void complete(MemRequest& r, uint64_t cycle) = 0;
};

// A memory target (or the address map in front of several).
class MemTargetIf : public virtual sc_core::sc_interface {
  public:
    // request()'s answer when the completion is told later through MemInitiatorIf::complete.
    static constexpr uint64_t kLater = UINT64_MAX;
    // Takes a request; returns its completion cycle, or kLater.
    [[nodiscard]] virtual uint64_t request(MemRequest& r) = 0;
    // A target that answers kLater: no completion it has not told yet comes before this cycle
    // (it holds for the requests taken so far; a request taken later may complete earlier).
    // Lets an initiator waiting for its first completion act on a told one without waiting for
    // the kernel to reach it. 0 (the default): no such bound.
    [[nodiscard]] virtual uint64_t untold_from() const { return 0; }

    // The synchronous loop (Dma::slot_wait): an initiator that would wait for a completion while
    // the target's own wake-up is the kernel's next activity may run that wake-up in its own
    // thread instead of switching to the target's process and back.
    // The kernel time (units, models/process.h) of the target's pending timed wake-up, if every
    // request it ever took came from `initiator` (so what the wake-up tells goes to it alone);
    // else, and when none is pending, UINT64_MAX. (The default: a target with no wake-up.)
    [[nodiscard]] virtual uint64_t pending_wake(const MemInitiatorIf* /*initiator*/) const {
        return UINT64_MAX;
    }
    // Takes back the pending wake-up, which must then be run (run_wake) or given back
    // (restore_wake) before the caller lets another process run.
    virtual void cancel_wake() {}
    // Gives the wake-up back: pending again at kernel time `at`, the time it had.
    virtual void restore_wake(uint64_t /*at*/) {}
    // Does now, in the calling thread, what the wake-up taken back would have done at kernel time
    // `at`, with the kernel still at an earlier time and no other process's activity before the
    // cycle after at's (the caller checked). Completions are told as the wake-up would tell them.
    virtual void run_wake(uint64_t /*at*/) {}

    // Where requests for [addr, addr + len) go: the target that serves the whole range and the
    // offset to subtract from their addresses. A target answers itself; an address decoder (the
    // address map) answers the target behind it, so an initiator decodes once per transfer
    // instead of once per burst. Anything that must see every request (an arbiter) answers
    // itself.
    struct Route {
        MemTargetIf* target = nullptr;
        uint64_t offset = 0;
    };
    [[nodiscard]] virtual Route route(uint64_t /*addr*/, uint64_t /*len*/) { return {this, 0}; }
    // Reads (write = false) or writes `len` bytes at `addr` with no timing (functional runs).
    virtual void debug_access(uint64_t addr, uint8_t* buf, uint32_t len, bool write) = 0;
    // Where the target notes the cycles a request waited for resources other requests held
    // (sim/stats/limiters.h); nullptr: nowhere. A target that notes nothing ignores it.
    virtual void set_limiters(stats::LimiterLog* /*log*/) {}
};

// A DRAM model behind the memory interface; the platform picks one by `dram.model`. The base
// holds what every DRAM shares: the functional data (the memory image, not the timing model)
// and the statistics every DRAM counts (group "dram"):
//   reads, writes              bursts read / written;
//   bytes_read, bytes_written  their bytes.
// An implementation adds its own timing and statistics and calls take() for every request.
// (The interface is the first base, so calls through it need no `this` adjustment.)
class DramTarget : public MemTargetIf, public sc_core::sc_module {
  public:
    void debug_access(uint64_t addr, uint8_t* buf, uint32_t len, bool write) override;
    // Adds the DRAM fields of the run's counters (dram_read_bytes, dram_write_bytes,
    // dram_bursts) of `layer`.
    void add_counters(size_t layer, stats::Counters& c) const;
    // Where the model notes the cycles a request waited for resources other requests held
    // (Limiter::kDramBandwidth, sim/stats/limiters.h); nullptr: nowhere.
    void set_limiters(stats::LimiterLog* log) override { m_limiters = log; }
    // The run ended at NPU cycle `end_cycle` (after the simulation, before the statistics are
    // read): a model that counts time-based activity (refresh, background) brings it up to there.
    virtual void finish(uint64_t /*end_cycle*/) {}

  protected:
    stats::LimiterLog* m_limiters = nullptr;
    DramTarget(sc_core::sc_module_name name, MemoryImage& image, stats::StatGroup& stats);
    // Moves the request's data (functional runs) and counts it.
    void take(const MemRequest& r) {
        count(r.write, r.layer, r.bytes);
        if (r.data != nullptr) move_data(r);
    }
    // take() of a request that moves no data.
    void count(bool write, uint32_t layer, uint32_t bytes) { count(write, layer, 1, bytes); }
    // `bursts` requests of `bytes` in all.
    void count(bool write, uint32_t layer, uint64_t bursts, uint64_t bytes) {
        (write ? m_writes : m_reads).add(layer, bursts);
        (write ? m_bytes_written : m_bytes_read).add(layer, bytes);
    }

  private:
    void move_data(const MemRequest& r);

    MemoryImage& m_image;
    stats::Stat& m_reads;
    stats::Stat& m_writes;
    stats::Stat& m_bytes_read;
    stats::Stat& m_bytes_written;
};

}  // namespace npu::model

// The dependency table of a core (compiler.overlap = full): what stands in for the barrier
// between layers. Plain C++ (no process, no waiting): the Scoreboard (scoreboard.h) drives it and
// does the waiting; unit-tested on hand-built ranges (tests/models/npu_dependency_table_test.cc).
//
// What is modelled: a hazard unit that the controller fills at dispatch. Every instruction is
// entered with its epoch, the number of layer ends (SYNCs) before it in program order (by
// position, not by its layer tag: a prefetch LOAD in the previous layer's stream is of the
// previous layer's epoch), and the address ranges it reads and writes, per space (DRAM; the
// scratchpad, which a DRAM-side address inside the program's on-chip window also names; the
// accumulators). The ranges are conservative [lo, hi) bounding intervals of each operand
// (accesses_of(): a strided transfer's first to last byte, a compute's slab, weight block, bias
// and accumulator block...), a few per instruction. A layer's end adds one more entry: the
// read of the layer's output (output_read()), which functional runs take then; it completes
// when the layer ends.
//
// Timing contract: before an engine starts an instruction (after its tokens pop) it waits until
// every instruction of an EARLIER epoch whose ranges conflict with its own (RAW, WAR or WAW: an
// overlapping range in the same space that one of the two writes) has completed, that is until
// the latest of their completion cycles (check()); it waits for an unretired one to retire first,
// and for a completion told later (a deferred DMA burst, done_cycle.h) to be told. Instructions of
// the same epoch are never checked against each other: within a layer the tokens order the work
// as they do with barriers, so a one-layer program runs exactly as without the table. The check
// itself takes no cycles (it is a comparator array beside the dispatch stage).
//
// Deadlock-freedom: an instruction waits only for instructions earlier in program order (an
// earlier epoch is earlier in the stream), and each of those waits only for tokens pushed by
// instructions earlier still (the compiler's rule, emit.h) or for hazards of earlier epochs
// again. So the earliest instruction not yet complete waits for nothing but its engine and
// dispatch, which are in program order too: it makes progress, and by induction every
// instruction completes. The output reads of layer ends wait only for their layer and earlier
// ones (the controller's layer-end process), and are positioned at their SYNC.
//
// Cost: an entry per dispatched instruction, dropped once it has completed and time has passed
// its completion; a check scans only the entries of earlier epochs still live (those in flight
// around a layer boundary), so deep inside a layer it is a few comparisons.
//
// Stats: the waits are counted by the Scoreboard's user (the engines, group "npu.hazards").
#pragma once

#include <array>
#include <cstdint>
#include <deque>
#include <vector>

#include "models/engines/done_cycle.h"
#include "sim/isa/isa.h"

namespace npu::model {

// Tests only (the mutation check of tests/models/npu_full_overlap_test.cc): every check is
// clear, as if the table were not there. Never set by the simulator.
inline bool g_test_skip_hazard_checks = false;

enum class Space : uint8_t { kDram, kSpad, kAcc };

// One range an instruction touches: [lo, hi) of `space`, written or only read.
struct Access {
    Space space = Space::kDram;
    bool write = false;
    uint64_t lo = 0, hi = 0;
};

// The ranges of one instruction (a few operands; an empty range is not kept).
struct Accesses {
    static constexpr int kMax = 6;
    std::array<Access, kMax> at{};
    int count = 0;
    void add(Space space, bool write, uint64_t lo, uint64_t bytes);
};

// Whether `later` must wait for `earlier`: some range of each in the same space overlaps, and
// one of the two writes it.
[[nodiscard]] bool conflicts(const Accesses& earlier, const Accesses& later);

// The ranges instruction `in` of `program` reads and writes (none for SYNC, WAIT, SIGNAL). A
// transfer's far-side address at or above program.onchip_base is a scratchpad address.
[[nodiscard]] Accesses accesses_of(const isa::Program& program, const isa::Instr& in);
// The read of layer `layer`'s output at its end (output_addr, output_bytes).
[[nodiscard]] Accesses output_read(const isa::Program& program, size_t layer);

class DependencyTable {
  public:
    using Handle = uint32_t;

    // What a check says: clear to start, wait until `cycle`, wait for an earlier conflicting
    // instruction to retire, or wait for `done` (retired, completion not told yet) to be told.
    struct Verdict {
        enum Kind { kClear, kUntil, kRetire, kTold } kind = kClear;
        uint64_t cycle = 0;  // kUntil
        DoneCycle done;      // kTold
    };

    // Enters an instruction of `epoch` (epochs never decrease from one add to the next) with its
    // ranges, at `now`; `counted`: it counts to its epoch's completion (epoch_done()); a layer's
    // output read does not.
    Handle add(uint32_t epoch, const Accesses& a, uint64_t now, bool counted = true);
    // The instruction's effect is complete at `done` (known now or told later).
    void retire(Handle h, DoneCycle done);
    // The conflicts of `h` (not retired) with the instructions of earlier epochs, at `now`.
    [[nodiscard]] Verdict check(Handle h, uint64_t now);

    // An epoch's counted instructions: entered, retired, and of those retired the latest known
    // completion and the completions not told yet (epoch_done() of the layer-end process).
    struct EpochState {
        uint64_t entered = 0, retired = 0;
        uint64_t max_done = 0;
        std::vector<DoneCycle> untold;
    };
    [[nodiscard]] EpochState& epoch(uint32_t e);
    // Entries still held (for tests and the cost note above).
    [[nodiscard]] size_t live() const;

  private:
    struct Entry {
        uint32_t epoch = 0;
        bool retired = false;
        bool counted = true;
        DoneCycle done;
        Accesses acc;
    };
    // Drops the entries of `bucket` that are complete by `now`.
    void prune(std::vector<Handle>& bucket, uint64_t now);
    [[nodiscard]] bool complete_by(Entry& e, uint64_t now);

    std::vector<Entry> m_pool;
    std::vector<Handle> m_free;
    // Live entries per epoch, from m_first_epoch on.
    std::deque<std::vector<Handle>> m_buckets;
    uint32_t m_first_epoch = 0;
    size_t m_prune_at = 64;  // prune the newest epoch's bucket when it grows past this
    std::deque<EpochState> m_epochs;
};

}  // namespace npu::model

// Types shared by the banked DRAM model (banked_dram.h), its per-channel controller
// (channel_controller.h) and its cycle-by-cycle reference (reference_channel.h): DRAM commands,
// the access atom a request is split into, requests and completions, statistics, and the exact
// conversion between NPU and memory cycles. Plain C++, no SystemC.
#pragma once

#include <cstdint>
#include <string>

namespace npu::dram {

// DRAM commands. RDA/WRA are reads/writes with auto-precharge (closed-page policy); REFPB is a
// per-bank refresh (LPDDR4/5 REFpb, HBM2 REFSB).
enum class Command : uint8_t { kAct, kPre, kRd, kWr, kRda, kWra, kRef, kRefpb };

[[nodiscard]] const char* to_string(Command c);
[[nodiscard]] inline bool is_read(Command c) { return c == Command::kRd || c == Command::kRda; }
[[nodiscard]] inline bool is_write(Command c) { return c == Command::kWr || c == Command::kWra; }
[[nodiscard]] inline bool is_column(Command c) { return is_read(c) || is_write(c); }

// One command on a channel's command bus. `bank` is the bank's index within its rank (bank group
// * banks_per_group + bank); row/column are 0 where the command has none.
struct CommandRecord {
    uint64_t cycle = 0;
    Command command = Command::kAct;
    uint32_t rank = 0;
    uint32_t bank = 0;
    uint32_t row = 0;
    uint32_t column = 0;  // burst index within the row
    bool operator==(const CommandRecord& o) const {
        return cycle == o.cycle && command == o.command && rank == o.rank && bank == o.bank &&
               row == o.row && column == o.column;
    }
};
[[nodiscard]] std::string to_string(const CommandRecord& r);

// How an access found its row: open and the right one (hit), all banks' rows closed (miss: an
// ACT), another row open (conflict: a PRE then an ACT).
enum class RowOutcome : uint8_t { kHit, kMiss, kConflict };

// One burst of one request, decoded, as it waits in a channel controller.
struct Atom {
    uint64_t arrival = 0;  // the request's arrival cycle; schedulable from arrival + 1
    uint32_t tag = 0;      // the owner's handle (BankedDram: the request's slot)
    uint32_t rank = 0;
    uint32_t bank_group = 0;
    uint32_t bank = 0;  // within the rank: bank_group * banks_per_group + bank in group
    uint32_t row = 0;
    uint32_t column = 0;  // burst index within the row
    bool is_write = false;
};

// A request to the memory: `bytes` from `addr`, split into the bursts it touches.
struct Request {
    uint64_t id = 0;  // the caller's, returned in the completion
    uint64_t addr = 0;
    uint64_t bytes = 0;
    bool is_write = false;
    uint64_t arrival_cycle = 0;  // memory cycle; >= the last advance() and the last arrival
};

// A request done: the cycle its last burst's data finished (read: data delivered; write: data
// written), reported once, by the first advance() whose cycle reaches it.
struct Completion {
    uint64_t id = 0;
    uint64_t cycle = 0;
    uint64_t arrival_cycle = 0;
    uint32_t bursts = 0;
    uint32_t row_hits = 0;
    uint32_t row_misses = 0;
    uint32_t row_conflicts = 0;
    uint64_t queue_cycles = 0;  // over its bursts: cycles from arrival to the column command
};

// What one channel counted. Cycle counts are memory-clock cycles; `*_rank_cycles` are summed
// over ranks; both background counts cover [0, now).
struct ChannelStats {
    uint64_t reads = 0;   // read bursts (RD + RDA)
    uint64_t writes = 0;  // write bursts (WR + WRA)
    uint64_t activates = 0;
    uint64_t precharges = 0;  // explicit PRE plus auto-precharges
    uint64_t refreshes = 0;   // REF (all-bank)
    uint64_t refreshes_per_bank = 0;
    uint64_t row_hits = 0;
    uint64_t row_misses = 0;
    uint64_t row_conflicts = 0;
    uint64_t queue_cycles = 0;        // sum over bursts of (column command - arrival)
    uint64_t refresh_cycles = 0;      // rank (REF) or bank (REFpb) cycles from due to refresh done
    uint64_t active_rank_cycles = 0;  // a rank with at least one open bank
    uint64_t precharged_rank_cycles = 0;  // a rank with every bank closed
    ChannelStats& operator+=(const ChannelStats& o);
};

// ceil(a * b / c) for fixed b and c, exact for every 64-bit a whose result fits. The division by
// the invariant c is a multiplication by a precomputed reciprocal while a * b + c - 1 < 2^63
// (Granlund & Montgomery, "Division by invariant integers using multiplication", PLDI 1994,
// Theorem 4.2: with l = ceil(log2 c) and m = ceil(2^(63 + l) / c), floor(n / c) =
// floor(n * m / 2^(63 + l)) for every n < 2^63), in 128 bits beyond. c = 1 is taken as 2b / 2
// (while 2b fits), so l >= 1 and the quotient is the product's high half shifted by l - 1.
class MulDivCeil {
  public:
    MulDivCeil(uint64_t b, uint64_t c);
    [[nodiscard]] uint64_t operator()(uint64_t a) const {
        if (a > m_limit) return wide(a);
        __extension__ using u128 = unsigned __int128;
        const uint64_t n = a * m_b + m_c - 1;
        // The shift 63 + l is at least 64 (c >= 2): the high half, shifted by l - 1.
        return static_cast<uint64_t>((static_cast<u128>(n) * m_magic) >> 64) >> m_shift;
    }

  private:
    [[nodiscard]] uint64_t wide(uint64_t a) const;

    uint64_t m_b;
    uint64_t m_c;
    uint64_t m_limit;  // the largest a with a * b + c - 1 < 2^63
    uint64_t m_magic;  // m
    unsigned m_shift;  // 63 + l - 64 (c = 1 is taken as 2 * b / 2, so l >= 1)
};

// Exact conversion between the NPU clock and the memory clock (both whole Hz). A time is "no
// earlier than": an NPU cycle maps to the first memory cycle at or after it, and back.
class ClockDomains {
  public:
    ClockDomains(uint64_t npu_hz, uint64_t memory_hz);
    // ceil(npu_cycle * memory_hz / npu_hz)
    [[nodiscard]] uint64_t to_memory(uint64_t npu_cycle) const { return m_to_memory(npu_cycle); }
    // ceil(memory_cycle * npu_hz / memory_hz)
    [[nodiscard]] uint64_t to_npu(uint64_t memory_cycle) const { return m_to_npu(memory_cycle); }

  private:
    // The ratio in lowest terms (1 GHz : 1.6 GHz = 5 : 8), so that products stay small.
    static uint64_t reduced(uint64_t hz, uint64_t other);

    MulDivCeil m_to_memory;
    MulDivCeil m_to_npu;
};

}  // namespace npu::dram

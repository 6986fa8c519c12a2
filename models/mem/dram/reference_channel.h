// The cycle-by-cycle reference of one DRAM channel: slow and simple, written to be trusted, and
// the yardstick the event-driven ChannelController is proven equal to (tests/unit/
// dram_equivalence_test.cc: same commands at the same cycles, same completions, same stats).
//
// What it models: exactly what ChannelController models (see channel_controller.h), with the
// same policy, but computed differently: it advances one memory cycle at a time, and decides
// whether a command is legal at cycle t by scanning the history of issued commands against a
// table of JEDEC rules "after X at s, no Y in scope Z before s + d" (docs/dram.md lists the
// table), plus the four-activate window and the one-command-per-cycle bus. Bank states (which row
// is open) are the only other state. Background (active/precharged) cycles are computed from the
// history at the end, as the union of every bank's [ACT, PRE) intervals.
// Timing contract: the per-cycle order of channel_controller.h.
// Stats: the same ChannelStats, counted independently.
#pragma once

#include <cstdint>
#include <vector>

#include "models/mem/dram/dram_types.h"
#include "sim/config/dram_config.h"

namespace npu::dram {

class ReferenceChannel {
  public:
    explicit ReferenceChannel(const cfg::DramConfig& config);

    // Same contract as ChannelController::push.
    void push(const Atom& atom);
    // Steps every cycle now()+1 .. t.
    void run_until(uint64_t t);
    [[nodiscard]] uint64_t now() const { return m_now; }
    [[nodiscard]] bool has_work() const;

    struct Done {
        uint32_t tag;
        uint64_t cycle;
        RowOutcome outcome;
    };
    [[nodiscard]] const std::vector<CommandRecord>& commands() const { return m_commands; }
    [[nodiscard]] const std::vector<Done>& done() const { return m_done; }
    [[nodiscard]] ChannelStats stats() const;

  private:
    enum class Scope { kBank, kGroup, kRank, kOtherRank, kChannel };
    struct Rule {
        unsigned from;  // bit mask of Command
        unsigned to;
        Scope scope;
        int64_t delay;
    };
    struct Issued {
        uint64_t cycle;
        uint64_t issued_at;  // the cycle the command was decided (an auto-precharge: its RDA/WRA)
        Command command;
        uint32_t rank;
        uint32_t group;
        uint32_t bank;
        bool on_bus;  // false: the auto-precharge of an RDA/WRA
    };
    struct Queued {
        Atom atom;
        bool activated = false;
        bool precharged = false;
    };

    void step(uint64_t t);
    [[nodiscard]] bool legal(Command c, uint32_t rank, uint32_t group, uint32_t bank,
                             uint64_t t) const;
    [[nodiscard]] Command next_command(const Atom& a) const;
    [[nodiscard]] bool blocked(const Atom& a) const;
    void issue(Command c, uint32_t rank, uint32_t group, uint32_t bank, uint32_t row,
               uint32_t column, uint64_t t);

    cfg::DramConfig m_c;
    std::vector<Rule> m_rules;
    uint64_t m_window = 0;  // an entry decided before t - m_window cannot constrain t
    uint64_t m_now = 0;
    bool m_write_mode = false;
    std::vector<uint32_t> m_open_row;  // per bank of the channel (rank-major); kClosed if none
    std::vector<uint64_t> m_refresh_due;
    std::vector<uint32_t> m_refresh_pending;
    std::vector<uint32_t> m_refresh_bank;
    std::vector<Atom> m_staged_reads;  // FIFO (front = index m_read_head)
    std::vector<Atom> m_staged_writes;
    size_t m_read_head = 0;
    size_t m_write_head = 0;
    std::vector<Queued> m_read_q;
    std::vector<Queued> m_write_q;
    std::vector<Issued> m_history;
    std::vector<CommandRecord> m_commands;
    std::vector<Done> m_done;
    ChannelStats m_stats;  // all but the background counts
};

}  // namespace npu::dram

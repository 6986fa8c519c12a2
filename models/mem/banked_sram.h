// A banked on-chip SRAM: the scratchpad or the accumulator memory of a core (later an L2).
//
// What is modelled: blocked banking (bank = address / (size / banks)); each bank has `ports`
// ports, each a calendar of reserved cycles (models/mem/port_calendar.h). Two kinds of request:
//  - access(): one DMA burst. Each bank it touches is held for ceil(bytes in that bank / bank
//    width) cycles from the first gap at or after `earliest`; done = the cycle after the last
//    byte moved.
//  - window_fit() + occupy(): a unit that streams over a range for a fixed window (an array
//    tile's stream, a post-processing pass) first finds a start at which every bank of the range
//    has a port free for the whole window, then reserves it.
// Requests are granted in the order they are made; a later request never moves an earlier
// reservation. Functional runs also hold the bytes (data()): zero pages mapped from the OS, so
// storage costs memory only where it is written (a 4 GiB accumulator for a small network costs
// what the network writes). Not modelled: port arbitration policies other than first come first
// served, read-modify-write, ECC, power gating.
// Timing contract: NPU cycles; contention and bank conflicts come out of the calendars.
// Stats (group given at construction, e.g. "npu.spad"):
//   bytes_read, bytes_written        bytes the users say they moved (count_read/count_write;
//                                    access() counts its burst);
//   conflicts, conflict_cycles       requests that could not start when they asked (a burst, an
//                                    array tile, a vector or post-processing pass) and the
//                                    cycles they waited (count_conflict; access() counts its own);
//   bank<i>.busy_cycles              port cycles reserved on bank i;
//   bank<i>.conflicts, bank<i>.conflict_cycles
//                                    requests that found bank i without a free port at the cycle
//                                    they asked for, and the cycles bank i alone delayed them.
#pragma once

#include <algorithm>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "models/mem/port_calendar.h"
#include "sim/config/hw_config.h"
#include "sim/stats/component_stats.h"
#include "sim/stats/limiters.h"

namespace npu::model {

// Unmaps anonymous pages (BankedSram's storage).
struct UnmapPages {
    uint64_t bytes = 0;
    void operator()(uint8_t* p) const;
};

class BankedSram {
  public:
    enum class Dir { kRead, kWrite };

    // `name` names the memory in error messages ("npu.spad"); `now` tells the current cycle so
    // old reservations can be forgotten (may be empty: nothing is forgotten).
    BankedSram(std::string name, const cfg::SramConfig& cfg, bool functional,
               stats::StatGroup& stats, std::function<uint64_t()> now = {});

    // One DMA burst of `len` bytes at `addr` (see above). Returns the cycle after the last byte
    // moved. Counts its bytes and conflicts for `layer`.
    uint64_t access(uint32_t addr, uint32_t len, uint64_t earliest, Dir dir, size_t layer) {
        prune(addr / m_bank_size, last_bank(addr, len));
        return reserve_burst(addr, len, earliest, dir, layer);
    }
    // access() without forgetting old reservations first (which never changes a result: no
    // request reaches back before the current cycle), for a caller that calls forget_past()
    // itself once for many bursts. Inline for a burst within one bank (the common case).
    uint64_t reserve_burst(uint32_t addr, uint32_t len, uint64_t earliest, Dir dir, size_t layer) {
        const uint64_t bank = addr / m_bank_size;
        if (uint64_t{addr} + len > (bank + 1) * m_bank_size) {
            return reserve_across_banks(addr, len, earliest, dir, layer);
        }
        uint64_t cycles = 0;
        const uint64_t start = reserve_in_bank(bank, len, earliest, layer, cycles);
        if (start > earliest) {
            count_conflict(layer, start - earliest);
            if (m_limiters != nullptr) {
                m_limiters->add(layer, stats::Limiter::kBankConflict, earliest, start);
            }
        }
        (dir == Dir::kRead ? m_bytes_read : m_bytes_written).add(layer, len);
        return start + cycles;
    }
    // Forgets the reservations of the banks of [addr, addr + len) that ended by now.
    void forget_past(uint32_t addr, uint64_t len) {
        prune(addr / m_bank_size, (uint64_t{addr} + std::max<uint64_t>(len, 1) - 1) / m_bank_size);
    }
    // First t >= begin such that every bank of [addr, addr+len) has a port free for
    // [t, t + cycles).
    [[nodiscard]] uint64_t window_fit(uint32_t addr, uint32_t len, uint64_t begin,
                                      uint64_t cycles) const {
        const uint64_t first = addr / m_bank_size;
        if (uint64_t{addr} + std::max<uint32_t>(len, 1) <= (first + 1) * m_bank_size) {
            return m_banks[first].first_fit(begin, cycles);  // one bank
        }
        return window_fit_banks(first, last_bank(addr, len), begin, cycles);
    }
    // Reserves one port of every bank of [addr, addr+len) for [begin, begin + cycles); the caller
    // checked window_fit() == begin. `asked`: the start the requester wanted; when begin is
    // later, each bank that was busy at `asked` counts a conflict (bank<i>.conflicts).
    void occupy(uint32_t addr, uint32_t len, uint64_t begin, uint64_t cycles, size_t layer,
                uint64_t asked);

    // Dma's runs of equal bursts in one bank (Dma::issue_run): the bank's geometry and
    // calendar, and what reserve_burst() counts, added for the whole run at once: `bursts` of
    // `bytes` bytes each held the bank `cycles` cycles, `conflicts` of them waited
    // `conflict_cycles` in all (each burst's conflict is its bank's too).
    [[nodiscard]] uint64_t bank_size() const { return m_bank_size; }
    [[nodiscard]] uint64_t bank_cycles(uint64_t bytes) const {
        const auto width = static_cast<uint64_t>(m_bank_width);
        return (bytes + width - 1) / width;
    }
    PortCalendar& bank(uint64_t b) { return m_banks[b]; }
    [[nodiscard]] stats::LimiterLog* limiters() const { return m_limiters; }
    void count_run(uint64_t bank, Dir dir, size_t layer, uint64_t bursts, uint64_t bytes,
                   uint64_t cycles, uint64_t conflicts, uint64_t conflict_cycles) {
        const BankStats& bs = m_bank_stats[bank];
        bs.busy_cycles->add(layer, bursts * cycles);
        bs.conflicts->add(layer, conflicts);
        bs.conflict_cycles->add(layer, conflict_cycles);
        m_conflicts.add(layer, conflicts);
        m_conflict_cycles.add(layer, conflict_cycles);
        (dir == Dir::kRead ? m_bytes_read : m_bytes_written).add(layer, bursts * bytes);
    }

    void count_read(size_t layer, uint64_t bytes) { m_bytes_read.add(layer, bytes); }
    void count_write(size_t layer, uint64_t bytes) { m_bytes_written.add(layer, bytes); }
    // Where access() notes the cycles a request waited for its banks (sim/stats/limiters.h).
    void set_limiters(stats::LimiterLog* log) { m_limiters = log; }
    // A request that waited `cycles` for its banks (not counted by access() or occupy()).
    void count_conflict(size_t layer, uint64_t cycles) {
        m_conflicts.add(layer, 1);
        m_conflict_cycles.add(layer, cycles);
    }

    // The memory's request-level counts of `layer` (for the run's counters).
    struct Counts {
        uint64_t bytes_read, bytes_written, conflicts, conflict_cycles;
    };
    [[nodiscard]] Counts counts(size_t layer) const {
        return {m_bytes_read.at(layer), m_bytes_written.at(layer), m_conflicts.at(layer),
                m_conflict_cycles.at(layer)};
    }

    [[nodiscard]] const std::string& name() const { return m_name; }
    [[nodiscard]] uint64_t size() const { return m_size; }
    [[nodiscard]] bool functional() const { return m_data != nullptr; }
    uint8_t* data(uint32_t addr) { return m_data.get() + addr; }
    // Throws ModelError (naming `what`) unless [addr, addr + len) lies in the memory.
    void check_range(uint64_t addr, uint64_t len, const char* what) const;

  private:
    struct BankStats {
        stats::Stat* busy_cycles;
        stats::Stat* conflicts;
        stats::Stat* conflict_cycles;
    };
    void prune(uint64_t first_bank, uint64_t last_bank);
    // window_fit() of a range over banks first..last.
    [[nodiscard]] uint64_t window_fit_banks(uint64_t first, uint64_t last, uint64_t begin,
                                            uint64_t cycles) const;
    // Reserves `bytes` of one burst on `bank` from its first fit at or after `earliest` and
    // counts the bank's statistics; returns the start and sets `cycles` (the port cycles held).
    uint64_t reserve_in_bank(uint64_t bank, uint64_t bytes, uint64_t earliest, size_t layer,
                             uint64_t& cycles) {
        const auto width = static_cast<uint64_t>(m_bank_width);
        cycles = (bytes + width - 1) / width;
        const uint64_t start = m_banks[bank].reserve(earliest, cycles);
        const BankStats& bs = m_bank_stats[bank];
        bs.busy_cycles->add(layer, cycles);
        if (start > earliest) {
            bs.conflicts->add(layer, 1);
            bs.conflict_cycles->add(layer, start - earliest);
        }
        return start;
    }
    // reserve_burst() of a burst over several banks.
    uint64_t reserve_across_banks(uint32_t addr, uint32_t len, uint64_t earliest, Dir dir,
                                  size_t layer);
    [[nodiscard]] uint64_t last_bank(uint32_t addr, uint32_t len) const {
        return (uint64_t{addr} + (len > 0 ? len : 1) - 1) / m_bank_size;
    }

    std::string m_name;
    uint64_t m_size;
    uint64_t m_bank_size;
    int m_bank_width;
    std::vector<PortCalendar> m_banks;
    std::unique_ptr<uint8_t, UnmapPages> m_data;  // functional runs: the bytes
    std::function<uint64_t()> m_now;
    stats::Stat& m_bytes_read;
    stats::Stat& m_bytes_written;
    stats::Stat& m_conflicts;
    stats::Stat& m_conflict_cycles;
    std::vector<BankStats> m_bank_stats;
    stats::LimiterLog* m_limiters = nullptr;
};

}  // namespace npu::model

// The energy model: prices the action counts a run recorded (stats::Counters) with an energy table
// (cfg::EnergyTable, pJ per action plus static power). Models only count; this is the one place
// where counts become picojoules, so a run can be re-priced later with another table from its
// stats.json alone (see sim/report/stats_json.h, price_from_stats_json).
//
// What is priced: MACs (each at its precision's energy), scratchpad and accumulator bytes
// read/written, DRAM bytes moved (read and write at one per-byte figure), and static (leakage)
// power over the elapsed cycles. Not priced (yet): DMA descriptors, post-processing, instruction
// dispatch. The banked DRAM's activates, bursts, refreshes and background are priced by
// dram_energy.h (Micron's IDD method) once that model feeds runs (docs/dram.md).
#pragma once

#include <cstdint>

#include "sim/config/hw_config.h"
#include "sim/stats/stats.h"

namespace npu::energy {

struct EnergyBreakdown {
    double mac_pj = 0;     // MACs of each precision * its mac_*_pj
    double spad_pj = 0;    // scratchpad bytes read/written * per-byte read/write energy
    double acc_pj = 0;     // accumulator bytes read/written * per-byte read/write energy
    double dram_pj = 0;    // (dram read + write bytes) * dram_pj_per_byte
    double static_pj = 0;  // static_mw over cycles / clock_hz seconds
    double ppu_pj = 0;     // requantized elements * requant_{fixed_point,float32}_pj
    // The shared L2's data-array bytes * l2_pj_per_byte (stats::L2Counts::bytes), priced from the
    // run's L2 counts (price_l2); has_l2: the run has an L2 (reports show the component).
    double l2_pj = 0;
    bool has_l2 = false;
    void set_l2(double pj) {
        l2_pj = pj;
        has_l2 = true;
    }

    [[nodiscard]] double sram_pj() const { return spad_pj + acc_pj; }
    [[nodiscard]] double total_pj() const;
};

// The L2's energy: its data-array bytes at table.l2_pj_per_byte.
[[nodiscard]] inline double price_l2(const stats::L2Counts& l2, const cfg::EnergyTable& table) {
    return static_cast<double>(l2.bytes) * table.l2_pj_per_byte;
}

// Prices `counters` over `cycles` elapsed at `clock_hz`. clock_hz must be > 0 when cycles > 0
// (a zero clock with zero cycles prices static energy as 0).
[[nodiscard]] EnergyBreakdown price(const stats::Counters& counters, uint64_t cycles,
                                    double clock_hz, const cfg::EnergyTable& table);

}  // namespace npu::energy

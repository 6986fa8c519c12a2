// Energy of a banked DRAM (dram.model: banked) by Micron's power-calculator method (TN-40-07,
// "Calculating Memory Power for DDR4 SDRAM"; the same as DRAMPower's core energy), from the
// device's IDD currents and VDD (dram.power, configs/dram/*.yaml cite theirs). The model counts
// (models/mem/dram: ChannelStats); this prices. Per device, summed over the devices of a rank
// (bus_width / device_width):
//   activate (with its precharge): VDD * (IDD0 * tRC - (IDD3N * tRAS + IDD2N * (tRC - tRAS))) * tCK
//   read burst:   VDD * (IDD4R - IDD3N) * tBURST * tCK      write burst: (IDD4W - IDD3N) likewise
//   refresh:      VDD * (IDD5B - IDD3N) * tRFC * tCK        per-bank: (IDD5PB - IDD3N) * tRFCpb
//   background:   VDD * IDD3N * tCK per rank-cycle with a bank open, VDD * IDD2N * tCK all closed
// Not priced: I/O and termination (the DQ interface), VPP (DDR4's 2.5 V word-line supply),
// power-down and self refresh (the model has none). A device without IDD data (dram.power.vdd
// = 0: the LPDDR5 and HBM2 presets) is not priced here: the run keeps energy.dram_pj_per_byte.
#pragma once

#include <cstdint>
#include <optional>

#include "sim/config/dram_config.h"
#include "sim/stats/component_stats.h"

namespace npu::energy {

// What a banked DRAM did that costs energy, summed over channels (ChannelStats).
struct DramActivity {
    uint64_t activates = 0;
    uint64_t reads = 0;   // read bursts
    uint64_t writes = 0;  // write bursts
    uint64_t refreshes = 0;
    uint64_t refreshes_per_bank = 0;
    uint64_t active_rank_cycles = 0;      // memory cycles x ranks with a bank open
    uint64_t precharged_rank_cycles = 0;  // memory cycles x ranks with every bank closed
};

// The energy of one operation of one rank (all its devices), in pJ.
struct DramOperationEnergy {
    double activate_pj = 0;
    double read_pj = 0;   // one burst
    double write_pj = 0;  // one burst
    double refresh_pj = 0;
    double refresh_per_bank_pj = 0;
    double active_standby_pj = 0;      // one rank-cycle
    double precharged_standby_pj = 0;  // one rank-cycle
};

struct DramEnergy {
    double activate_pj = 0;
    double read_pj = 0;
    double write_pj = 0;
    double refresh_pj = 0;
    double background_pj = 0;
    [[nodiscard]] double total_pj() const;
};

// What the banked DRAM counted into its statistics group (`dram`, models/mem/dram/
// banked_dram_target.h) for layer `*layer`, or over the run when `layer` is null. `config` says
// which kind of refresh its `refreshes` are.
[[nodiscard]] DramActivity dram_activity(const stats::StatGroup& dram,
                                         const cfg::DramConfig& config, const size_t* layer);

// nullopt when the device has no IDD data (dram.power.vdd = 0).
[[nodiscard]] std::optional<DramOperationEnergy> dram_operation_energy(
    const cfg::DramConfig& config);
[[nodiscard]] std::optional<DramEnergy> price_dram(const DramActivity& activity,
                                                   const cfg::DramConfig& config);

}  // namespace npu::energy

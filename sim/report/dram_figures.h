// The banked DRAM's figures of a run (dram.model: banked), per layer and over the run, from the
// statistics the model counted into the component group "dram" (models/mem/dram/
// banked_dram_target.h): row-buffer outcomes, commands, queue occupancy, latency, bandwidth
// utilization and the IDD energy (sim/energy/dram_energy.h). The text report, the HTML page and
// stats.json show them; docs/dram.md and docs/stats.md define them.
#pragma once

#include <cstdint>
#include <optional>

#include "sim/config/hw_config.h"
#include "sim/energy/dram_energy.h"
#include "sim/stats/stats.h"

namespace npu::report {

struct DramFigures {
    uint64_t requests = 0;  // NPU bursts (reads + writes on the memory interface)
    uint64_t bursts = 0;    // DRAM bursts read and written
    uint64_t row_hits = 0, row_misses = 0, row_conflicts = 0;
    uint64_t activates = 0, precharges = 0, refreshes = 0;
    uint64_t refresh_cycles = 0;  // rank (REF) or bank (REFpb) cycles a due refresh held
    double row_hit_rate = 0;      // row_hits / bursts
    double memory_cycles = 0;     // the span's NPU cycles in memory cycles
    // Data bus busy (bursts x tBURST) / (memory cycles x channels).
    double bandwidth_utilization = 0;
    double read_queue_occupancy = 0;           // average bursts waiting to read (Little's law)
    double write_queue_occupancy = 0;          // ... to write
    double average_latency = 0;                // NPU cycles per request, earliest to completion
    std::optional<energy::DramEnergy> energy;  // nullopt: the device has no IDD data
};

// The figures of layer `*layer` (over `cycles` NPU cycles), or of the run when `layer` is null;
// nullopt unless the run used the banked model.
[[nodiscard]] std::optional<DramFigures> dram_figures(const stats::RunStats& run,
                                                      const cfg::HwConfig& hw, const size_t* layer,
                                                      uint64_t cycles);

}  // namespace npu::report

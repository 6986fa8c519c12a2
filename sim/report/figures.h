// Derived per-layer and whole-run figures (time, MAC utilization, TOPS, DRAM bandwidth, roofline,
// energy), computed in one place so the printed table, stats.json and layers.csv always agree.
//
// Peaks are the array's at the precision: a layer's MAC peak is the PEs divided by its
// cycles_per_mac (LayerStats), the run's by the config precision's (RunStats::cycles_per_mac).
// Sources: clock and peaks come from RunStats (what the run used); when a field there is unset
// (0) the HwConfig's value is used. Energy is priced with HwConfig::energy. A layer's MACs are
// LayerStats::macs_total (the graph's count); the run's MACs are their sum. The run's cycles are
// RunStats::total_cycles (layers may overlap, so this is not the sum of layer cycles). Every
// ratio is 0 when its denominator is 0, never NaN.
//
// Roofline (Williams, Waterman and Patterson, CACM 2009), counted in MACs and DRAM bytes:
// intensity = MACs / DRAM bytes (read + written); ridge = peak MACs/cycle / peak DRAM
// bytes/cycle; attainable MACs/cycle = min(peak, intensity * DRAM bytes/cycle); a row is
// compute-bound when intensity >= ridge, else memory-bound. A row that moves no DRAM bytes but
// does MACs has infinite intensity: it is compute-bound and may attain the peak, and its
// intensity is written as 0 (no infinity in JSON). A row without MACs (e.g. pooling) is
// memory-bound if it moves DRAM bytes, else it has no bound.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "sim/config/hw_config.h"
#include "sim/energy/energy_model.h"
#include "sim/stats/stats.h"

namespace npu::report {

struct Peaks {
    double clock_hz = 0;
    uint64_t macs_per_cycle = 0;
    double dram_bytes_per_cycle = 0;
    // The NPU cores (`cores`): each leaks energy.static_mw, so static energy is priced for all.
    int cores = 1;

    [[nodiscard]] double tops() const;       // 2 ops per MAC * macs_per_cycle * clock / 1e12
    [[nodiscard]] double dram_gbps() const;  // dram_bytes_per_cycle * clock / 1e9
    // The roofline's ridge point in MACs per DRAM byte: macs_per_cycle / dram_bytes_per_cycle.
    [[nodiscard]] double ridge_point() const;
};

enum class Bound { kNone, kCompute, kMemory };
// "-", "compute", "memory": the word stats.json, layers.csv and the table use.
[[nodiscard]] const char* to_string(Bound b);

struct Figures {
    uint64_t macs = 0;
    uint64_t cycles = 0;
    double time_s = 0;              // cycles / clock_hz
    double mac_utilization = 0;     // macs / (cycles * peak macs per cycle), 0..1
    double tops = 0;                // 2 * macs / time_s / 1e12
    uint64_t dram_bytes = 0;        // read + write
    double dram_gbps = 0;           // dram_bytes / time_s / 1e9
    double dram_peak_fraction = 0;  // dram_bytes / (cycles * peak dram bytes per cycle)
    // Roofline (see the top of this file).
    double arithmetic_intensity = 0;       // macs / dram_bytes, MACs per byte (0: no DRAM bytes)
    double ridge_point = 0;                // Peaks::ridge_point(), MACs per byte
    double attainable_macs_per_cycle = 0;  // min(peak, intensity * peak DRAM bytes per cycle)
    double achieved_macs_per_cycle = 0;    // macs / cycles
    double attainable_fraction = 0;        // achieved / attainable, 0..1
    Bound bound = Bound::kNone;
    energy::EnergyBreakdown energy;
};

// What limited a row (sim/stats/limiters.h): the cause with the most cycles and its share of the
// row's cycles, "dma-latency 71%"; "-" when the row has no cycles.
[[nodiscard]] std::string limiter_cell(const stats::LimiterCycles& limiters);
// The parts of that cell: the cause's name ("-" without cycles) and its share, 0..1.
[[nodiscard]] std::string limiter_name(const stats::LimiterCycles& limiters);
[[nodiscard]] double limiter_share(const stats::LimiterCycles& limiters);

[[nodiscard]] Peaks peaks_of(const stats::RunStats& run, const cfg::HwConfig& hw);

[[nodiscard]] Figures figures_of(const stats::Counters& counters, uint64_t macs, uint64_t cycles,
                                 const Peaks& peaks, const cfg::EnergyTable& table);
// A layer's figures over its span (LayerStats::cycles()), except static energy: over its
// exclusive cycles, so that the layers' energies add up to the run's.
[[nodiscard]] Figures layer_figures(const stats::LayerStats& layer, const Peaks& peaks,
                                    const cfg::EnergyTable& table);
// Uses run.total (the summed counters) and run.total_cycles.
[[nodiscard]] Figures total_figures(const stats::RunStats& run, const Peaks& peaks,
                                    const cfg::EnergyTable& table);
[[nodiscard]] uint64_t total_macs(const stats::RunStats& run);

// Inferences per second when a batch of `batch` inferences takes `latency_s` (the run's time_s):
// batch / latency_s, 0 when the latency is 0.
[[nodiscard]] double inferences_per_second(double latency_s, int32_t batch = 1);

// TOPS per watt of `macs` MACs that cost `energy_pj`: (2 ops per MAC / J) / 1e12 =
// 2 * macs / energy_pj; 0 when the energy is 0.
[[nodiscard]] double tops_per_watt(double macs, double energy_pj);

// Output check over the whole run.
struct CheckSummary {
    std::size_t layers = 0;
    std::size_t checked = 0;
    std::size_t bit_exact = 0;  // checked and bit-exact
    uint64_t mismatches = 0;    // over all checked layers
    [[nodiscard]] bool all_checked_exact() const { return checked > 0 && bit_exact == checked; }
};
[[nodiscard]] CheckSummary check_summary(const stats::RunStats& run);

// A fusion group of the run (compiler.fusion, docs/fusion.md): consecutive layers, each but the
// last fused into the next (LayerStats::fused), and the bytes the compiler's estimate says the
// group saved (the sum of its fused layers').
struct FusionGroupFigures {
    std::vector<std::string> layers;
    int64_t dram_bytes_saved = 0;
    int64_t onchip_bytes_saved = 0;
};
// The run's groups of more than one layer, in order (empty without fusion).
[[nodiscard]] std::vector<FusionGroupFigures> fusion_groups(const stats::RunStats& run);

}  // namespace npu::report

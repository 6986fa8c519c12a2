#include "sim/report/figures.h"

namespace npu::report {

namespace {

double ratio(double num, double den) { return den > 0 ? num / den : 0.0; }

}  // namespace

double Peaks::tops() const { return 2.0 * static_cast<double>(macs_per_cycle) * clock_hz / 1e12; }

double Peaks::dram_gbps() const { return dram_bytes_per_cycle * clock_hz / 1e9; }

Peaks peaks_of(const stats::RunStats& run, const cfg::HwConfig& hw) {
    Peaks p;
    p.clock_hz = run.clock_hz > 0 ? run.clock_hz : hw.clock_hz;
    p.macs_per_cycle =
        run.peak_macs_per_cycle > 0 ? run.peak_macs_per_cycle : hw.peak_macs_per_cycle();
    p.dram_bytes_per_cycle = run.dram_peak_bytes_per_cycle > 0 ? run.dram_peak_bytes_per_cycle
                                                               : hw.dram_bytes_per_cycle();
    return p;
}

Figures figures_of(const stats::Counters& counters, uint64_t macs, uint64_t cycles,
                   const Peaks& peaks, const cfg::EnergyTable& table) {
    Figures f;
    f.macs = macs;
    f.cycles = cycles;
    const double cyc = static_cast<double>(cycles);
    f.time_s = ratio(cyc, peaks.clock_hz);
    f.mac_utilization =
        ratio(static_cast<double>(macs), cyc * static_cast<double>(peaks.macs_per_cycle));
    f.tops = ratio(2.0 * static_cast<double>(macs), f.time_s) / 1e12;
    f.dram_bytes = counters.dram_read_bytes + counters.dram_write_bytes;
    f.dram_gbps = ratio(static_cast<double>(f.dram_bytes), f.time_s) / 1e9;
    f.dram_peak_fraction =
        ratio(static_cast<double>(f.dram_bytes), cyc * peaks.dram_bytes_per_cycle);
    f.energy = energy::price(counters, cycles, peaks.clock_hz, table);
    return f;
}

Figures layer_figures(const stats::LayerStats& layer, const Peaks& peaks,
                      const cfg::EnergyTable& table) {
    return figures_of(layer.counters, layer.macs_total, layer.cycles(), peaks, table);
}

uint64_t total_macs(const stats::RunStats& run) {
    uint64_t macs = 0;
    for (const auto& l : run.layers) macs += l.macs_total;
    return macs;
}

Figures total_figures(const stats::RunStats& run, const Peaks& peaks,
                      const cfg::EnergyTable& table) {
    return figures_of(run.total, total_macs(run), run.total_cycles, peaks, table);
}

CheckSummary check_summary(const stats::RunStats& run) {
    CheckSummary s;
    s.layers = run.layers.size();
    for (const auto& l : run.layers) {
        if (!l.checked) continue;
        ++s.checked;
        if (l.bit_exact) ++s.bit_exact;
        s.mismatches += l.mismatches;
    }
    return s;
}

}  // namespace npu::report

#include "sim/report/figures.h"

#include <algorithm>
#include <cmath>

namespace npu::report {

namespace {

double ratio(double num, double den) { return den > 0 ? num / den : 0.0; }

// Needs f.macs, f.cycles and f.dram_bytes.
void put_roofline(Figures& f, const Peaks& peaks) {
    const double macs = static_cast<double>(f.macs);
    const double peak = static_cast<double>(peaks.macs_per_cycle);
    f.ridge_point = peaks.ridge_point();
    f.achieved_macs_per_cycle = ratio(macs, static_cast<double>(f.cycles));
    if (f.macs == 0) {
        // Nothing to compute: the roof is 0 and only moving bytes can bound the row.
        f.bound = f.dram_bytes > 0 ? Bound::kMemory : Bound::kNone;
        return;
    }
    if (f.dram_bytes == 0) {
        // Everything on chip: infinite intensity, written as 0 by the ratio rule.
        f.bound = Bound::kCompute;
        f.attainable_macs_per_cycle = peak;
    } else {
        f.arithmetic_intensity = macs / static_cast<double>(f.dram_bytes);
        f.bound = f.arithmetic_intensity >= f.ridge_point ? Bound::kCompute : Bound::kMemory;
        f.attainable_macs_per_cycle =
            std::min(peak, f.arithmetic_intensity * peaks.dram_bytes_per_cycle);
    }
    f.attainable_fraction = ratio(f.achieved_macs_per_cycle, f.attainable_macs_per_cycle);
}

}  // namespace

double Peaks::tops() const { return 2.0 * static_cast<double>(macs_per_cycle) * clock_hz / 1e12; }

double Peaks::dram_gbps() const { return dram_bytes_per_cycle * clock_hz / 1e9; }

double Peaks::ridge_point() const {
    return ratio(static_cast<double>(macs_per_cycle), dram_bytes_per_cycle);
}

const char* to_string(Bound b) {
    switch (b) {
        case Bound::kCompute:
            return "compute";
        case Bound::kMemory:
            return "memory";
        case Bound::kNone:
            break;
    }
    return "-";
}

Peaks peaks_of(const stats::RunStats& run, const cfg::HwConfig& hw) {
    Peaks p;
    p.clock_hz = run.clock_hz > 0 ? run.clock_hz : hw.clock_hz;
    p.macs_per_cycle =
        run.peak_macs_per_cycle > 0 ? run.peak_macs_per_cycle : hw.peak_macs_per_cycle();
    p.dram_bytes_per_cycle = run.dram_peak_bytes_per_cycle > 0 ? run.dram_peak_bytes_per_cycle
                                                               : hw.dram_bytes_per_cycle();
    p.cores = run.cores.empty() ? 1 : static_cast<int>(run.cores.size());
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
    put_roofline(f, peaks);
    f.energy = energy::price(counters, cycles, peaks.clock_hz, table);
    f.energy.static_pj *= static_cast<double>(peaks.cores);
    return f;
}

namespace {

// The array's peak at a precision that takes `cycles_per_mac` cycles per MAC.
Peaks at_precision(Peaks p, int cycles_per_mac) {
    if (cycles_per_mac > 1) {
        p.macs_per_cycle = std::max<uint64_t>(1, p.macs_per_cycle / uint64_t(cycles_per_mac));
    }
    return p;
}

}  // namespace

std::string limiter_name(const stats::LimiterCycles& limiters) {
    return limiters.total() == 0 ? "-" : stats::to_string(limiters.top());
}

double limiter_share(const stats::LimiterCycles& limiters) {
    return ratio(static_cast<double>(limiters.at(limiters.top())),
                 static_cast<double>(limiters.total()));
}

std::string limiter_cell(const stats::LimiterCycles& limiters) {
    if (limiters.total() == 0) return "-";
    return limiter_name(limiters) + " " +
           std::to_string(std::lround(100.0 * limiter_share(limiters))) + "%";
}

Figures layer_figures(const stats::LayerStats& layer, const Peaks& peaks,
                      const cfg::EnergyTable& table) {
    Figures f = figures_of(layer.counters, layer.macs_total, layer.cycles(),
                           at_precision(peaks, layer.cycles_per_mac), table);
    if (layer.dram_energy_pj) f.energy.dram_pj = *layer.dram_energy_pj;
    if (layer.l2) f.energy.set_l2(energy::price_l2(*layer.l2, table));
    // Leakage is charged once per cycle of the run: over the layer's exclusive cycles, which add
    // up to the run's, not over its span, which overlaps the previous layer's under
    // compiler.overlap (without overlap the two are equal). Stats built by hand without
    // exclusive cycles (0: not recorded; a layer's own SYNC takes at least one) use the span.
    if (layer.exclusive_cycles != 0 && layer.exclusive_cycles != layer.cycles()) {
        f.energy.static_pj =
            energy::price(stats::Counters{}, layer.exclusive_cycles, peaks.clock_hz, table)
                .static_pj *
            static_cast<double>(peaks.cores);
    }
    return f;
}

uint64_t total_macs(const stats::RunStats& run) {
    uint64_t macs = 0;
    for (const auto& l : run.layers) macs += l.macs_total;
    return macs;
}

Figures total_figures(const stats::RunStats& run, const Peaks& peaks,
                      const cfg::EnergyTable& table) {
    Figures f = figures_of(run.total, total_macs(run), run.total_cycles,
                           at_precision(peaks, run.cycles_per_mac), table);
    if (run.dram_energy_pj) f.energy.dram_pj = *run.dram_energy_pj;
    if (run.l2) f.energy.set_l2(energy::price_l2(*run.l2, table));
    return f;
}

double inferences_per_second(double latency_s, int32_t batch) {
    return ratio(static_cast<double>(batch), latency_s);
}

double tops_per_watt(double macs, double energy_pj) { return ratio(2.0 * macs, energy_pj); }

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

std::vector<FusionGroupFigures> fusion_groups(const stats::RunStats& run) {
    std::vector<FusionGroupFigures> groups;
    bool open = false;  // the previous layer was fused into this one
    for (const stats::LayerStats& l : run.layers) {
        if (!open && l.fused) groups.push_back({});
        if (open || l.fused) {
            FusionGroupFigures& g = groups.back();
            g.layers.push_back(l.name);
            g.dram_bytes_saved += l.fusion_dram_saved;
            g.onchip_bytes_saved += l.fusion_onchip_saved;
        }
        open = l.fused;
    }
    return groups;
}

}  // namespace npu::report

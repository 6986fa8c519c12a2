#include "sim/report/dram_figures.h"

namespace npu::report {

std::optional<DramFigures> dram_figures(const stats::RunStats& run, const cfg::HwConfig& hw,
                                        const size_t* layer, uint64_t cycles) {
    const stats::StatGroup* dram = run.components.find_group("dram");
    if (hw.dram.model != cfg::DramModel::kBanked || dram == nullptr ||
        dram->find("row_hits") == nullptr) {
        return std::nullopt;
    }
    auto get = [&](const char* name) -> uint64_t {
        const stats::Stat* s = dram->find(name);
        if (s == nullptr) return 0;
        return layer != nullptr ? s->at(*layer) : s->total();
    };
    auto ratio = [](double a, double b) { return b > 0 ? a / b : 0.0; };
    DramFigures f;
    f.requests = get("reads") + get("writes");
    f.bursts = get("read_bursts") + get("write_bursts");
    f.row_hits = get("row_hits");
    f.row_misses = get("row_misses");
    f.row_conflicts = get("row_conflicts");
    f.activates = get("activates");
    f.precharges = get("precharges");
    f.refreshes = get("refreshes");
    f.refresh_cycles = get("refresh_cycles");
    const double outcomes = static_cast<double>(f.row_hits + f.row_misses + f.row_conflicts);
    f.row_hit_rate = ratio(static_cast<double>(f.row_hits), outcomes);
    f.memory_cycles = static_cast<double>(cycles) * hw.dram.clock_hz / hw.clock_hz;
    f.bandwidth_utilization = ratio(static_cast<double>(f.bursts) * hw.dram.timing.tBURST,
                                    f.memory_cycles * hw.dram.channels);
    f.read_queue_occupancy = ratio(static_cast<double>(get("read_queue_cycles")), f.memory_cycles);
    f.write_queue_occupancy =
        ratio(static_cast<double>(get("write_queue_cycles")), f.memory_cycles);
    f.average_latency =
        ratio(static_cast<double>(get("latency_cycles")), static_cast<double>(f.requests));
    f.energy = energy::price_dram(energy::dram_activity(*dram, hw.dram, layer), hw.dram);
    return f;
}

}  // namespace npu::report

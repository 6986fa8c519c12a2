#include "sim/energy/dram_energy.h"

#include <algorithm>

namespace npu::energy {

double DramEnergy::total_pj() const {
    return activate_pj + read_pj + write_pj + refresh_pj + background_pj;
}

std::optional<DramOperationEnergy> dram_operation_energy(const cfg::DramConfig& c) {
    const cfg::DramPower& p = c.power;
    if (p.vdd <= 0) return std::nullopt;
    const cfg::DramTiming& t = c.timing;
    // mA * V = mW, times ns = pJ. Per device, then times the devices of a rank.
    const double tck_ns = 1e9 / c.clock_hz;
    const double devices = c.devices_per_rank();
    const double scale = p.vdd * tck_ns * devices;
    DramOperationEnergy e;
    e.activate_pj = scale * (p.idd0 * t.tRC -
                             (p.idd3n * t.tRAS + p.idd2n * static_cast<double>(t.tRC - t.tRAS)));
    e.read_pj = scale * (p.idd4r - p.idd3n) * t.tBURST;
    e.write_pj = scale * (p.idd4w - p.idd3n) * t.tBURST;
    e.refresh_pj = scale * (p.idd5b - p.idd3n) * t.tRFC;
    // Devices without per-bank refresh have no IDD5PB (and never issue REFpb).
    e.refresh_per_bank_pj = std::max(0.0, scale * (p.idd5pb - p.idd3n) * t.tRFCpb);
    e.active_standby_pj = scale * p.idd3n;
    e.precharged_standby_pj = scale * p.idd2n;
    return e;
}

DramActivity dram_activity(const stats::StatGroup& dram, const cfg::DramConfig& config,
                           const size_t* layer) {
    auto get = [&](const char* name) -> uint64_t {
        const stats::Stat* s = dram.find(name);
        if (s == nullptr) return 0;
        return layer != nullptr ? s->at(*layer) : s->total();
    };
    DramActivity a;
    a.activates = get("activates");
    a.reads = get("read_bursts");
    a.writes = get("write_bursts");
    (config.refresh == cfg::RefreshMode::kPerBank ? a.refreshes_per_bank : a.refreshes) =
        get("refreshes");
    a.active_rank_cycles = get("active_rank_cycles");
    a.precharged_rank_cycles = get("precharged_rank_cycles");
    return a;
}

std::optional<DramEnergy> price_dram(const DramActivity& a, const cfg::DramConfig& c) {
    const auto op = dram_operation_energy(c);
    if (!op) return std::nullopt;
    auto d = [](uint64_t v) { return static_cast<double>(v); };
    DramEnergy e;
    e.activate_pj = d(a.activates) * op->activate_pj;
    e.read_pj = d(a.reads) * op->read_pj;
    e.write_pj = d(a.writes) * op->write_pj;
    e.refresh_pj =
        d(a.refreshes) * op->refresh_pj + d(a.refreshes_per_bank) * op->refresh_per_bank_pj;
    e.background_pj = d(a.active_rank_cycles) * op->active_standby_pj +
                      d(a.precharged_rank_cycles) * op->precharged_standby_pj;
    return e;
}

}  // namespace npu::energy

#include "sim/energy/energy_model.h"

#include <algorithm>

namespace npu::energy {

double EnergyBreakdown::total_pj() const {
    return mac_pj + spad_pj + acc_pj + dram_pj + ppu_pj + static_pj + l2_pj;
}

namespace {

double as_double(uint64_t v) { return static_cast<double>(v); }

}  // namespace

EnergyBreakdown price(const stats::Counters& c, uint64_t cycles, double clock_hz,
                      const cfg::EnergyTable& t) {
    EnergyBreakdown e;
    const uint64_t other = c.macs_int4 + c.macs_bf16 + c.macs_fp16 + c.macs_fp32;
    e.mac_pj = as_double(c.macs - std::min(other, c.macs)) * t.mac_int8_pj +
               as_double(c.macs_int4) * t.mac_int4_pj + as_double(c.macs_bf16) * t.mac_bf16_pj +
               as_double(c.macs_fp16) * t.mac_fp16_pj + as_double(c.macs_fp32) * t.mac_fp32_pj;
    e.spad_pj = as_double(c.spad_read_bytes) * t.spad_read_pj_per_byte +
                as_double(c.spad_write_bytes) * t.spad_write_pj_per_byte;
    e.acc_pj = as_double(c.acc_read_bytes) * t.acc_read_pj_per_byte +
               as_double(c.acc_write_bytes) * t.acc_write_pj_per_byte;
    e.dram_pj = as_double(c.dram_read_bytes + c.dram_write_bytes) * t.dram_pj_per_byte;
    e.ppu_pj = as_double(c.requant_fixed_point_elements) * t.requant_fixed_point_pj +
               as_double(c.requant_float32_elements) * t.requant_float32_pj;
    // 1 mW = 1e-3 J/s = 1e9 pJ/s, so static pJ = static_mw * 1e9 * (cycles / clock_hz). Multiplying
    // before dividing keeps round inputs exact (50 mW, 1000 cycles, 1 GHz -> exactly 50000 pJ).
    if (cycles > 0 && clock_hz > 0) {
        e.static_pj = t.static_mw * 1e9 * as_double(cycles) / clock_hz;
    }
    return e;
}

}  // namespace npu::energy

// The simple DRAM's transfer time, shared by its SystemC model (models/mem/simple_dram.h) and the
// compiler's engine schedule (sim/compiler/schedule.h), so the two count a burst's channel cycles
// the same way.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>

namespace npu::timing {

// Cycles a DRAM channel moving `bytes_per_cycle` is busy with `len` bytes: ceil(len /
// bytes_per_cycle), computed so that exact multiples do not round up, and at least 1.
[[nodiscard]] inline uint64_t dram_transfer_cycles(uint64_t len, double bytes_per_cycle) {
    const double c = static_cast<double>(len) / bytes_per_cycle;
    const double r = std::round(c);
    const uint64_t cycles =
        std::fabs(c - r) < 1e-9 ? static_cast<uint64_t>(r) : static_cast<uint64_t>(std::ceil(c));
    return std::max<uint64_t>(cycles, 1);
}

}  // namespace npu::timing

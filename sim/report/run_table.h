// The human-readable run report printed to stdout: a header block (config, workload, fidelity,
// mode, clock, array, DRAM peak and roofline ridge point, latency and inferences per second),
// three tables with the same layer rows plus a TOTAL row (performance with the roofline bound;
// memory with the residency; time, energy and outputs), a stall summary and a one-line verdict on
// the outputs. Lines stay within 120 columns (long layer names, shapes and residencies are cut,
// marked with '~'). For people only: scripts read stats.json, whose figures come from the same
// code (figures.h).
#pragma once

#include <ostream>
#include <string>

#include "sim/config/hw_config.h"
#include "sim/stats/stats.h"

namespace npu::report {

inline constexpr std::size_t kTableWidth = 120;

void print_run_table(std::ostream& out, const stats::RunStats& run, const cfg::HwConfig& hw);

// "outputs: bit-exact against the reference (N layers)", "outputs: MISMATCH in layer X (n
// mismatches)", ... (also used as the last line of print_run_table).
[[nodiscard]] std::string outputs_verdict(const stats::RunStats& run);

// A layer's bit-exact cell: "yes", "NO (n mismatches)", or "-" when not checked.
[[nodiscard]] std::string bit_exact_cell(const stats::LayerStats& layer);

}  // namespace npu::report

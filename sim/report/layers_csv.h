// layers.csv: one row per layer with the same per-layer figures as stats.json (columns documented
// in docs/stats.md), for spreadsheets and pandas. A header row, then one row per layer; there is
// no total row (the run's totals are in stats.json; layer rows may overlap in time, so summing the
// cycles column does not give the run's cycles). Fields are quoted per RFC 4180 (a field holding a
// comma, double quote, CR or LF is wrapped in double quotes, inner quotes doubled); lines end with
// LF. Integers are written exactly, doubles in the shortest form that reads back to the same value.
#pragma once

#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "sim/config/hw_config.h"
#include "sim/stats/stats.h"

namespace npu::report {

[[nodiscard]] std::vector<std::string> layers_csv_header();

// One field, quoted only when RFC 4180 requires it.
[[nodiscard]] std::string csv_field(std::string_view text);

void write_layers_csv(std::ostream& out, const stats::RunStats& run, const cfg::HwConfig& hw);
// Throws npu::UserError naming the path when its directory does not exist or it cannot be written.
void write_layers_csv(const std::string& path, const stats::RunStats& run, const cfg::HwConfig& hw);

}  // namespace npu::report

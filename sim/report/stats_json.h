// stats.json: the machine-readable result of one run, with a versioned, stable schema (every key
// is documented in docs/stats.md). Scripts and the HTML report read this file, never the printed
// table. It holds the counts, cycles, clock and the energy table used, so energy can be re-priced
// from it alone (price_from_stats_json), with the same table or another one.
//
// Deterministic except the "host" object (wall time), which golden comparisons must skip.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "sim/config/hw_config.h"
#include "sim/energy/energy_model.h"
#include "sim/stats/stats.h"

namespace npu::report {

inline constexpr int kStatsSchemaVersion = 1;
// Counts compatible additions within a schema_version (1: the "components" trees; 6: "fusion").
inline constexpr int kStatsSchemaMinorVersion = 6;
inline constexpr const char* kToolName = "npusim";
// Keep equal to project(npusim VERSION ...) in the top CMakeLists.txt.
inline constexpr const char* kToolVersion = "0.1.0";

[[nodiscard]] nlohmann::json stats_to_json(const stats::RunStats& run, const cfg::HwConfig& hw);

// A component statistics tree as JSON: each group an object, each statistic its value: the total
// over layers, or the value of layer `layer` when given.
[[nodiscard]] nlohmann::json components_json(const stats::StatGroup& group,
                                             const size_t* layer = nullptr);

// Writes stats_to_json() indented by 2. Throws npu::UserError naming the path when its directory
// does not exist or it cannot be written.
void write_stats_json(const std::string& path, const stats::RunStats& run, const cfg::HwConfig& hw);

// Parses a stats.json file; npu::UserError naming the path (and line/column of a syntax error)
// when it cannot be read (not a regular file, larger than npu::kMaxTextInputBytes) or parsed,
// nests deeper than kMaxJsonDepth, or its schema_version is not kStatsSchemaVersion.
[[nodiscard]] nlohmann::json read_stats_json(const std::string& path);

// A stats.json document nests 5 levels; anything past this is not one (and deep nesting would
// exhaust the stack of the recursive readers and comparisons).
inline constexpr int kMaxJsonDepth = 64;

// Parses JSON text from a file (`source` names it in errors) after checking its nesting depth
// (arrays and objects, outside strings) against kMaxJsonDepth: npu::UserError with line:col of
// the first syntax error or of the bracket that goes too deep.
[[nodiscard]] nlohmann::json parse_json_bounded(const std::string& text, const std::string& source);

// Readers of the parts of a stats.json document. `source` names the document in diagnostics (a
// path); `key` is the JSON key path of `j` (e.g. "layers[2].counters"). All problems found are
// reported together in one npu::UserError.
[[nodiscard]] stats::Counters counters_from_json(const nlohmann::json& j, const std::string& key,
                                                 const std::string& source = "stats.json");
[[nodiscard]] cfg::EnergyTable energy_table_from_json(const nlohmann::json& j,
                                                      const std::string& key = "energy_table",
                                                      const std::string& source = "stats.json");

// Energy of every layer and of the run, priced from a stats.json document alone.
struct PricedRun {
    std::vector<energy::EnergyBreakdown> layers;  // in the document's layer order
    energy::EnergyBreakdown total;                // totals.counters over totals.cycles
};

// With the document's own energy_table: reproduces the energy_pj figures it holds.
[[nodiscard]] PricedRun price_from_stats_json(const nlohmann::json& doc,
                                              const std::string& source = "stats.json");
// With another table: what the same run would cost on other silicon.
[[nodiscard]] PricedRun price_from_stats_json(const nlohmann::json& doc,
                                              const cfg::EnergyTable& table,
                                              const std::string& source = "stats.json");

}  // namespace npu::report

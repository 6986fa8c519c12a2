// Self-contained HTML reports: one file with inline CSS and inline SVG charts drawn by
// sim/report/svg.h; no scripts, no network references, no external fonts or stylesheets, so the
// page opens anywhere (also from an archived sweep directory) and can be checked in a headless
// browser (scripts/check_html.sh). The same input gives the same bytes (no dates, no host
// names, fixed number formats). What each chart shows: docs/reports.md.
//
// - run page (`npusim run --html FILE`): header figures, per-layer cycles, per-layer energy
//   stacked by component, roofline, the run's energy by component, the per-layer table.
// - sweep page (`npusim sweep ... --html FILE`, and always DIR/report.html): per workload a
//   scatter of the first two objectives, points coloured by a swept key, infeasible ones grey,
//   the Pareto front ringed; parallel coordinates of the swept keys against the objectives; the
//   results table with the deciding figures first.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "sim/config/hw_config.h"
#include "sim/stats/stats.h"

namespace npu::report {

// The whole run page.
[[nodiscard]] std::string run_html(const stats::RunStats& run, const cfg::HwConfig& hw);
// Writes run_html() to `path`; throws npu::UserError naming the path when it cannot be written.
void write_run_html(const std::string& path, const stats::RunStats& run, const cfg::HwConfig& hw);

// One point of a sweep as results.csv has it (docs/sweeps.md).
struct SweepRow {
    std::string id;
    std::string workload;
    std::vector<std::pair<std::string, std::string>> settings;  // key=value, sorted by key
    std::string status;  // ok, mismatch, invalid, failed, missing
    std::string error;
    uint64_t cycles = 0;
    uint64_t dram_bytes = 0;
    double latency_s = 0;
    double inferences_per_second = 0;
    double energy_pj = 0;
    double tops_per_watt = 0;
    double mac_utilization = 0;
    double area_mm2 = 0;
    double edp = 0;        // energy (J) x latency (s)
    bool feasible = true;  // meets the sweep's constraints
    std::string violates;  // the constraints it breaks
    int rank = 0;          // non-dominated rank on the objectives (0: not ranked)
    bool pareto = false;   // rank 1
    [[nodiscard]] bool ran() const { return status == "ok" || status == "mismatch"; }
};

struct SweepReport {
    std::string title;                     // the sweep's name
    std::string hw;                        // base hardware config, as written
    std::vector<std::string> keys;         // the setting keys, the table's columns
    std::vector<std::string> objectives;   // latency, energy, edp, area, ...
    std::vector<std::string> constraints;  // as text, "area_mm2 <= 1"
    std::string color_by;                  // the key that colours the points ("": the first key)
    std::vector<SweepRow> rows;            // in results.csv order
};

// The whole sweep page. A workload's charts show its points that ran (ok or mismatch); Pareto
// points (as marked in the rows) are ringed and, with two objectives, joined by a step line.
[[nodiscard]] std::string sweep_html(const SweepReport& report);
// Writes sweep_html() to `path`; throws npu::UserError naming the path when it cannot be written.
void write_sweep_html(const std::string& path, const SweepReport& report);

// `npusim compare`: one workload at several precisions.
struct CompareReport {
    std::string workload, config;
    std::vector<std::string> precisions;  // the columns
    std::vector<std::string> charted;     // the columns with figures (those the chip supports)
    // The printed table's rows: a name and one cell per precision.
    std::vector<std::pair<std::string, std::vector<std::string>>> rows;
    std::vector<double> cycles, energy_pj;          // per precision
    std::vector<std::string> layers;                // layer names
    std::vector<std::vector<double>> layer_cycles;  // per precision, per layer
};

// The comparison table, cycles and energy per precision, and per-layer cycles grouped by
// precision.
[[nodiscard]] std::string compare_html(const CompareReport& report);
void write_compare_html(const std::string& path, const CompareReport& report);

}  // namespace npu::report

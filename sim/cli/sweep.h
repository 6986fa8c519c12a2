// `npusim sweep`: design-space exploration over hardware config overrides (docs/sweeps.md).
//
// A sweep is a base hardware config, one or more workloads, a design space (grid dimensions of
// config keys, ranges, derived keys) explored by a strategy (the whole grid, random or Latin
// hypercube samples, or NSGA-II), objectives and constraints. Every point is one `npusim run` in
// its own process of this same binary (a SystemC kernel elaborates once per process), up to -j at
// a time, writing into DIR/points/<id> (id: a stable hash of the workload, the sorted settings and
// the sweep's identity: the effective base config, the workload's content and the mode, so reruns
// and shards map a point to the same directory and a changed config never reuses old results). A
// point's directory appears only once it is complete and every file in it was written whole
// (written under a temporary name, checked, then renamed), so rerunning an interrupted sweep skips
// finished points and loses none. DIR/results.csv and DIR/results.json hold one row per point
// with the constraints checked, the non-dominated rank on the objectives and the Pareto front
// marked per workload; they depend only on the points, so the same points give byte-identical
// files. A lock file keeps a second sweep out of a running one's directory.
#pragma once

#include <cstdint>
#include <functional>
#include <iosfwd>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "sim/cli/sweep_search.h"
#include "sim/core/error.h"

namespace npu::cli {

// key=value config overrides, sorted by key, each key at most once.
using Settings = std::vector<std::pair<std::string, std::string>>;

struct SweepPoint {
    size_t index = 0;      // position in the whole expansion (before sharding)
    std::string id;        // point_id(workload, settings, identity)
    std::string workload;  // as written in the sweep
    Settings settings;
    size_t generation = 0;  // nsga2: the generation that proposed it (0 otherwise)
};

// One dimension of the design space: alternatives that each set one key (a `--grid` value, a
// YAML scalar, a range's step) or several keys together (a YAML map, `--grid a,b=1:2,3:4`).
struct SweepDimension {
    std::string name;
    std::vector<Settings> alternatives;
    bool ordered = true;  // neighbouring alternatives are similar (NSGA-II mutates by steps)
    Diagnostic where;     // file:line:col of the dimension, for errors
};

// A bound on a result column (latency_s, area_mm2, ...) or a config value (scratchpad.size).
struct SweepConstraint {
    std::string column;
    std::optional<double> min, max;
    std::string min_text, max_text;  // as written (sizes keep their units in messages)
    Diagnostic where;
};

struct SweepSpec {
    std::string name;                    // the report's title: `name:`, else the file's stem
    std::string hw;                      // base config, as written
    std::vector<std::string> workloads;  // as written
    std::vector<SweepDimension> grid;
    std::vector<Settings> points;  // explicit points, added after the grid's (or samples)
    // key -> template such as "{array.rows}B" or "{array.cols*4}B", evaluated per point.
    std::vector<std::pair<std::string, std::string>> derived;
    std::vector<Diagnostic> derived_where;
    std::vector<std::string> objectives{"latency", "energy"};
    std::vector<SweepConstraint> constraints;
    std::string strategy = "grid";  // grid | random | lhs | nsga2
    size_t budget = 0;              // random/lhs/nsga2: points to evaluate (per workload)
    uint64_t seed = 1;
    size_t population = 0;  // nsga2: points per generation (0: chosen from the budget)
    bool timing_only = false;
    std::string color_by;  // the report colours points by this key ("": the first swept key)
    std::vector<Diagnostic> point_where;  // per explicit point
};

// Loads a sweep YAML strictly: unknown or duplicate keys, missing or mistyped values and missing
// files are all reported together in one npu::UserError with file:line:col.
[[nodiscard]] SweepSpec load_sweep_file(const std::string& path);

// The objectives a sweep may name: the results column each one reads and whether it is
// maximized (inferences_per_second, tops_per_watt) rather than minimized.
struct ObjectiveInfo {
    std::string name, column;
    bool maximize = false;
};
[[nodiscard]] const std::vector<ObjectiveInfo>& sweep_objectives();
// The numeric columns of results.csv that constraints may bound (besides config keys).
[[nodiscard]] const std::vector<std::string>& sweep_result_columns();

// 12 hex digits of a 64-bit FNV-1a hash of the workload (as written), the sorted settings and
// `identity` (sweep_identity of the point's workload).
[[nodiscard]] std::string point_id(const std::string& workload, const Settings& settings,
                                   const std::string& identity);

// What a point's results depend on besides its settings: a hash of the effective base config,
// the workload file's bytes and the mode (timing-only or functional).
[[nodiscard]] std::string sweep_identity(const std::string& config_hash,
                                         const std::string& workload_hash, bool timing_only);
// 16 hex digits of FNV-1a over `bytes`.
[[nodiscard]] std::string content_hash(const std::string& bytes);

// Every point of a grid, random or lhs spec: per workload, the grid's cartesian product (first
// dimension slowest) or the strategy's samples, then the explicit points. A point equal to an
// earlier one (same id) is dropped. `identity` maps each workload to its sweep_identity;
// `base_value(key)` gives a key's value in the base config (for derived keys).
[[nodiscard]] std::vector<SweepPoint> expand_sweep(
    const SweepSpec& spec, const std::map<std::string, std::string>& identity,
    const std::function<std::string(const std::string&)>& base_value);

// Settings of one genome (an alternative index per grid dimension) with the derived keys added.
[[nodiscard]] Settings settings_of(
    const SweepSpec& spec, const Genome& genome,
    const std::function<std::string(const std::string&)>& base_value);

// For each (latency, energy) pair: true when no other pair is at least as good in both and
// strictly better in one (lower is better for both). Equal pairs are all on the front.
[[nodiscard]] std::vector<bool> pareto_front(const std::vector<std::pair<double, double>>& points);

// `npusim sweep ...`, `npusim sweep merge ...` and `npusim sweep status DIR`; `args` are the
// words after "sweep". Returns 0 when every point is complete (ok or invalid), 1 when some run
// failed or, for merge, some point is missing. Bad input throws npu::UserError.
int sweep_main(const std::vector<std::string>& args, std::ostream& out);

}  // namespace npu::cli

// `npusim sweep`: design-space exploration over hardware config overrides (docs/sweeps.md).
//
// A sweep is a base hardware config, one or more workloads, a grid of config keys (cartesian
// product) and/or an explicit list of points. Every point is one `npusim run` in its own process
// of this same binary (a SystemC kernel elaborates once per process), up to -j at a time, writing
// into DIR/points/<id> (id: a stable hash of the workload and the sorted settings, so reruns and
// shards map a point to the same directory). A point's directory appears only once it is complete
// (written under a temporary name, then renamed), so rerunning an interrupted sweep skips finished
// points and loses none. DIR/results.csv and DIR/results.json hold one row per point with the
// Pareto front on (latency, energy) marked per workload; they depend only on the points, so the
// same points give byte-identical files.
#pragma once

#include <iosfwd>
#include <string>
#include <utility>
#include <vector>

namespace npu::cli {

// key=value config overrides, sorted by key, each key at most once.
using Settings = std::vector<std::pair<std::string, std::string>>;

struct SweepPoint {
    size_t index = 0;      // position in the whole expansion (before sharding)
    std::string id;        // point_id(workload, settings)
    std::string workload;  // as written in the sweep (the id does not depend on where it lives)
    Settings settings;
};

struct SweepSpec {
    std::string hw;                      // base config, as written
    std::vector<std::string> workloads;  // as written
    // Each dimension is a list of alternatives; an alternative sets one key (a `--grid` value or
    // a YAML scalar) or several keys together (a YAML map, e.g. an array shape with its widths).
    std::vector<std::pair<std::string, std::vector<Settings>>> grid;
    std::vector<Settings> points;  // explicit points, added after the grid's
    bool timing_only = false;
};

// Loads a sweep YAML strictly: unknown or duplicate keys, missing or mistyped values and missing
// files are all reported together in one npu::UserError with file:line:col.
[[nodiscard]] SweepSpec load_sweep_file(const std::string& path);

// 12 hex digits of a 64-bit FNV-1a hash of the workload and the sorted settings.
[[nodiscard]] std::string point_id(const std::string& workload, const Settings& settings);

// Every point of the spec: per workload, the grid's cartesian product (first dimension slowest),
// then the explicit points. A point equal to an earlier one (same id) is dropped. A key set twice
// in one point is an npu::UserError.
[[nodiscard]] std::vector<SweepPoint> expand_sweep(const SweepSpec& spec);

// For each (latency, energy) pair: true when no other pair is at least as good in both and
// strictly better in one (lower is better for both). Equal pairs are all on the front.
[[nodiscard]] std::vector<bool> pareto_front(const std::vector<std::pair<double, double>>& points);
// The same over any number of objectives (all lower-is-better), e.g. (latency, energy, area).
[[nodiscard]] std::vector<bool> pareto_front(const std::vector<std::vector<double>>& points);

// `npusim sweep ...` and `npusim sweep merge ...`; `args` are the words after "sweep". Returns 0
// when every point is complete (ok or invalid), 1 when some run failed or, for merge, some point
// is missing. Bad input throws npu::UserError.
int sweep_main(const std::vector<std::string>& args, std::ostream& out);

}  // namespace npu::cli

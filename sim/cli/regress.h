// `npusim regress`: the regression suite over committed golden stats (docs/regression.md).
//
// A suite file (workloads/regression.yaml) lists cases, each one `npusim run` of a config and a
// workload with optional overrides. Every case runs as its own process of this same binary (a
// SystemC kernel elaborates once per process), up to -j at a time; each run's stats.json is then
// compared with tests/golden/<case>.json: integers (cycles, bytes, counts) and flags exactly,
// floating-point figures to a relative 1e-9, skipping "host" (wall time) and "tool_version".
// `--update` rewrites the goldens from the run instead, the only way goldens should change.
#pragma once

#include <iosfwd>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace npu::cli {

struct RegressCase {
    std::string name;               // also the golden file name: <golden dir>/<name>.json
    std::string config;             // path relative to the repository root
    std::string workload;           // path relative to the repository root
    std::vector<std::string> sets;  // "key=value" config overrides
    bool timing_only = false;
    bool quick = false;
    int32_t batch = 0;  // --batch N when > 0 (else the workload's)
};

// Loads and checks a suite file strictly: unknown or duplicate keys, missing or mistyped values,
// bad or duplicate case names, missing files and overrides the config refuses are all reported
// together in one npu::UserError with file:line:col. Case paths are resolved against `root`.
[[nodiscard]] std::vector<RegressCase> load_regress_suite(const std::string& path,
                                                          const std::string& root);

// One field that differs between a golden and a new stats.json document.
struct FieldDiff {
    std::string key;             // JSON key path, e.g. "totals.cycles" or "layers[2].counters.macs"
    nlohmann::json golden, now;  // null when the key is missing on that side
};

// Every difference between two stats.json documents under the rules above, "totals" first.
[[nodiscard]] std::vector<FieldDiff> compare_stats(const nlohmann::json& golden,
                                                   const nlohmann::json& now);

// `npusim regress [--suite FILE] [--quick] [--only NAME[,NAME...]] [-j N] [--update]
// [--golden-dir DIR]`; `args` are the words after "regress". Returns 0 when every case matches
// its golden (or, with --update, when every golden was written), 1 otherwise. Bad input throws
// npu::UserError.
int regress_main(const std::vector<std::string>& args, std::ostream& out);

}  // namespace npu::cli

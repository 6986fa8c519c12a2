// Internals of `npusim sweep` shared by its source files (sweep.cc: options and the commands;
// sweep_points.cc: running and publishing points, the directory lock; sweep_results.cc: the
// results tables and report; sweep_slurm.cc: Slurm scripts, submission and status).
#pragma once

#include <filesystem>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <ostream>
#include <string>
#include <vector>

#include "sim/cli/cli_util.h"
#include "sim/cli/sweep.h"
#include "sim/config/paths.h"

namespace npu::cli::sweep_impl {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr const char* kManifest = "sweep.json";
constexpr const char* kPointFile = "point.json";
constexpr const char* kErrorFile = "error.txt";

// Slurm submission options (`--slurm ...`).
struct SlurmOptions {
    bool enabled = false;
    std::string partition, time;
    size_t tasks = 0;  // 0: min(points, 16)
    size_t cpus_per_task = 1;
    std::vector<std::string> sbatch_args;
};

struct Options {
    std::string file;  // the sweep YAML, or "" for the flag form
    SweepSpec spec;
    std::string out;
    size_t jobs = 0;
    // --points-per-process N: up to N points run one after the other in one child process
    // (`sweep run-batch`), which saves the process start and setup per point; 1 (the default):
    // each point in its own process, so one point's crash cannot take others with it.
    size_t points_per_process = 1;
    size_t shard = 0, shards = 1;
    long generation = -1;  // nsga2 job-array task: run this generation's points (--generation)
    bool driver = false;   // nsga2 under Slurm: the job that runs the generations (--slurm-driver)
    bool progress = true;  // a progress line on stderr when it is a terminal (--no-progress: off)
    std::string html;      // --html FILE: a copy of DIR/report.html elsewhere
    bool force = false;    // --force: --html may overwrite
    SlurmOptions slurm;
    std::vector<std::string> args;  // the words after "sweep", as given (for the Slurm scripts)
};

// An input as `npusim run` resolves it (cfg::find_input: as written, a bundled name, a path
// under the data directory); "" when none names a file.
[[nodiscard]] std::string input_path(cfg::InputKind kind, const std::string& p);

// What a sweep's points depend on besides their settings (sweep.json "identity").
struct Identity {
    std::string config_hash;                       // of the effective base config
    std::map<std::string, std::string> workloads;  // workload as written -> content hash
    bool timing_only = false;
    [[nodiscard]] std::map<std::string, std::string> per_workload() const;  // -> sweep_identity
    [[nodiscard]] json to_json() const;
};

// The sweep's context, computed once: identity, the base config's values (for derived keys).
struct Context {
    Identity identity;
    std::function<std::string(const std::string&)> base_value;
};
[[nodiscard]] Context make_context(const SweepSpec& spec);

// Adds to `problems` every grid, point or derived key that is no config key and every
// constraint on an unknown column; resolves the constraints' bounds to numbers.
void check_spec_keys(SweepSpec& spec, DiagnosticList& problems);

[[nodiscard]] json point_json(const SweepPoint& p);
[[nodiscard]] SweepPoint point_from_json(const json& j);

// DIR/sweep.json: the identity, the whole expansion (all shards) and what results need.
void write_manifest(const fs::path& dir, const SweepSpec& spec, const Identity& identity,
                    const std::vector<SweepPoint>& points);

// ---- points (sweep_points.cc)

// A lock on a sweep directory, held until destroyed (flock: released when the process dies, so
// a stale lock never blocks). `exclusive` false takes a shared lock (several job-array tasks
// writing one directory).
class DirLock {
  public:
    DirLock(const fs::path& dir, const std::string& name, bool exclusive);
    ~DirLock();
    DirLock(const DirLock&) = delete;
    DirLock& operator=(const DirLock&) = delete;

  private:
    int m_fd = -1;
};

// A point's directory is complete when point.json parses, names this id, and every file it
// lists has the recorded size and hash.
[[nodiscard]] bool complete(const fs::path& point_dir, const std::string& id);

struct Counts {
    size_t done = 0, skipped = 0, invalid = 0, failed = 0;
};

// Runs `todo` (points not complete yet) -j at a time, each in a child process, publishing each
// finished point into DIR/points/<id>; returns the errors of those that failed (not persisted,
// so a rerun retries them). One point's life: point_job() starts it, finish_point() checks and
// publishes it.
std::map<std::string, std::string> run_points(const std::vector<SweepPoint>& todo, const Options& o,
                                              const fs::path& dir, std::ostream& out,
                                              Counts& counts);

// `npusim sweep run-batch FILE` (internal: the child of --points-per-process): runs the points
// FILE lists (each one's `npusim` arguments, stdout and stderr logs and exit-code file) one after
// the other in this process, each with its stdout and stderr on its own logs, as a child of its
// own would run it; writes each point's exit code to its file when it ends.
int run_batch(const std::vector<std::string>& args, std::ostream& out);

// Hard-links (else copies) a complete point directory into `dest` (a sibling's points/).
void link_point(const fs::path& from, const fs::path& to);

// ---- results (sweep_results.cc)

struct Row {
    const SweepPoint* point = nullptr;
    std::string status;  // ok, mismatch, invalid, failed, missing
    std::string error;
    uint64_t cycles = 0, dram_bytes = 0;
    double latency_s = 0, ips = 0, energy_pj = 0, tops_per_watt = 0, utilization = 0;
    double area_mm2 = 0;  // the config's area estimate (0: none)
    double edp = 0;       // energy (J) x latency (s)
    bool feasible = false;
    std::string violated;  // the constraints it breaks, "area_mm2 > 1"
    double violation = 0;  // sum of relative violations (search)
    int rank = 0;          // non-dominated rank on the objectives among feasible ok points
    bool pareto = false;   // rank 1
    bool pareto_area = false;
    [[nodiscard]] bool ran() const { return status == "ok" || status == "mismatch"; }
    [[nodiscard]] double column(const std::string& name) const;
};

// The spec parts results need, as sweep.json keeps them (so merge needs no sweep file).
struct ResultSpec {
    std::string name, hw, color_by;
    std::vector<std::string> objectives;
    std::vector<SweepConstraint> constraints;
    [[nodiscard]] json to_json() const;
    [[nodiscard]] static ResultSpec from_json(const json& j);
    [[nodiscard]] static ResultSpec of(const SweepSpec& s);
};

// Reads each point's row from DIR/points (`failures`: this run's errors of points that did not
// complete), checks the constraints and ranks the objectives per workload.
[[nodiscard]] std::vector<Row> read_rows(const fs::path& dir, const std::vector<SweepPoint>& points,
                                         const std::map<std::string, std::string>& failures,
                                         const ResultSpec& rs);

// The search's view of a row: objectives (maximized ones negated) and violation.
[[nodiscard]] Evaluation evaluation_of(const Row& r, const std::vector<std::string>& objectives);

// Writes DIR/results.csv, results.json and report.html (and `html` when not empty).
void write_results(const fs::path& dir, const std::vector<SweepPoint>& points,
                   const std::map<std::string, std::string>& failures, const ResultSpec& rs,
                   const std::string& html);

// ---- Slurm (sweep_slurm.cc)

// `--slurm`: writes DIR/slurm/*.sbatch and submit.sh, submits, prints the job ids.
int submit_slurm(const Options& o, const std::vector<SweepPoint>& points, std::ostream& out);
// nsga2 under Slurm: runs one generation's points as a job array and waits for it.
[[nodiscard]] bool run_generation_on_slurm(const Options& o, size_t generation, size_t points,
                                           std::ostream& out);
// `npusim sweep status DIR`.
int sweep_status(const std::vector<std::string>& args, std::ostream& out);

// Runs a program found on PATH with its output captured; returns its exit code (-1: could not
// start, `output` says why).
int run_program(const std::vector<std::string>& argv, std::string& output);

}  // namespace npu::cli::sweep_impl

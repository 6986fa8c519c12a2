// Helpers shared by the commands that drive other npusim processes (regress, sweep): starting
// a child with its output in files, reading files back, short text utilities.
#pragma once

#include <sys/types.h>
#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "sim/config/hw_config.h"
#include "sim/core/error.h"
#include "sim/graph/workload.h"

namespace npu::cli {

// The npusim binary running now: children must be exactly this build.
[[nodiscard]] std::string self_exe();

// Starts `exe args...` with stdout and stderr in the two files; returns its pid, or -1 with
// `error` set.
pid_t spawn(const std::string& exe, const std::vector<std::string>& args,
            const std::filesystem::path& out_log, const std::filesystem::path& err_log,
            std::string& error);

// One child process: `npusim ARGS` with its output in two files.
struct Job {
    std::vector<std::string> args;
    std::filesystem::path out_log, err_log;
};

// Runs jobs 0..count-1 of this binary, at most `parallel` at a time. `job(i)` describes job i;
// `finished(i, status)` gets each one's waitpid status as it ends; `not_started(i, error)` is
// called for a job that could not be started.
void run_jobs(size_t count, size_t parallel, const std::function<Job(size_t)>& job,
              const std::function<void(size_t, int)>& finished,
              const std::function<void(size_t, const std::string&)>& not_started);

[[nodiscard]] std::string slurp(const std::filesystem::path& p);
[[nodiscard]] std::string join(const std::vector<std::string>& items,
                               const std::string& sep = ", ");
// "'value'", "a list of 3", "a map", "nothing": what a YAML node is, for error messages.
[[nodiscard]] std::string describe(const YAML::Node& n);

// Host memory: half of this machine's RAM, the default bound of --max-memory.
[[nodiscard]] uint64_t default_max_memory();

// The host memory a run's simulated memories take, estimated from the config and the workload
// before anything is allocated: in a functional run, the scratchpad's and accumulator's byte
// storage (their full configured sizes) and the DRAM image (every weight, bias and tensor at its
// widest element), twice over for the reference's copy of the tensors; in a timing-only run
// nothing but the tensors' bookkeeping. `what` receives the breakdown for messages.
[[nodiscard]] uint64_t estimate_run_memory(const cfg::HwConfig& hw, const graph::Workload& wl,
                                           bool functional, std::string& what);

// Refuses (npu::UserError naming the config keys) a run whose estimate exceeds `max_memory` (a
// size such as 4GiB; absent: default_max_memory()). Runs made one after the other (compare's
// columns) do not hold their memories together, so the bound is per run.
void check_run_memory(const cfg::HwConfig& hw, const graph::Workload& wl, bool functional,
                      const std::optional<std::string>& max_memory);

// Strict YAML reading for the command files (regress suites, sweeps): every problem is
// collected with file:line:col and thrown together.
class YamlChecker {
  public:
    explicit YamlChecker(std::string file) : m_file(std::move(file)) {}

  protected:
    // Reads and parses m_file, whose top level must be a map (`expected` says of what, for the
    // error); throws npu::UserError naming the file (`what`: "sweep file") otherwise.
    YAML::Node load_top_map(const std::string& what, const std::string& expected);
    void error(const YAML::Mark& mark, const std::string& key, const std::string& message);
    // Duplicate keys, and keys not in `allowed` (when it is not empty), are errors.
    void check_keys(const YAML::Node& map, const std::string& path,
                    const std::vector<std::string>& allowed);
    std::string m_file;
    DiagnosticList m_diags;
};

}  // namespace npu::cli

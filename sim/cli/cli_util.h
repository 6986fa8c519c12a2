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

#include "sim/core/error.h"

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

// Command-line scanning: splits "--flag=value" and "-jN"; calls `on(flag, value, has_inline,
// original)` per flag (`value()` takes the flag's value, reporting a missing one) and
// `word(text)` per positional word.
template <class OnFlag, class OnWord>
void scan(const std::vector<std::string>& args, DiagnosticList& problems, OnFlag on, OnWord word) {
    for (size_t i = 0; i < args.size(); ++i) {
        std::string arg = args[i];
        std::optional<std::string> inline_value;
        if (arg.rfind("--", 0) == 0 && arg.find('=') != std::string::npos) {
            inline_value = arg.substr(arg.find('=') + 1);
            arg = arg.substr(0, arg.find('='));
        } else if (arg.rfind("-j", 0) == 0 && arg.size() > 2) {
            inline_value = arg.substr(2);
            arg = "-j";
        }
        auto value = [&]() -> std::string {
            if (inline_value) return *inline_value;
            if (i + 1 < args.size()) return args[++i];
            problems.add({"<command line>", 0, 0, "",
                          arg + ": expected a value after it, found the end of the command line"});
            return "";
        };
        if (arg.rfind("-", 0) != 0) {
            word(arg);
        } else {
            on(arg, value, inline_value.has_value(), args[i]);
        }
    }
}

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

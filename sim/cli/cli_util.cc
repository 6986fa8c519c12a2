#include "sim/cli/cli_util.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "sim/core/input_file.h"
#include "sim/core/units.h"
#include "sim/core/yaml_messages.h"
#include "sim/report/format.h"

extern char** environ;

namespace npu::cli {

namespace fs = std::filesystem;

std::string self_exe() {
    std::error_code ec;
    const fs::path p = fs::read_symlink("/proc/self/exe", ec);
    return ec ? "/proc/self/exe" : p.string();
}

pid_t spawn(const std::string& exe, const std::vector<std::string>& args, const fs::path& out_log,
            const fs::path& err_log, std::string& error) {
    std::vector<char*> argv;
    argv.push_back(const_cast<char*>(exe.c_str()));
    for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, out_log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_addopen(&fa, 2, err_log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    pid_t pid = -1;
    const int rc = posix_spawn(&pid, exe.c_str(), &fa, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&fa);
    if (rc != 0) {
        error = "cannot start " + exe + ": " + std::strerror(rc);
        return -1;
    }
    return pid;
}

void run_jobs(size_t count, size_t parallel, const std::function<Job(size_t)>& job,
              const std::function<void(size_t, int)>& finished,
              const std::function<void(size_t, const std::string&)>& not_started) {
    const std::string exe = self_exe();
    std::map<pid_t, size_t> running;
    size_t next = 0;
    while (next < count || !running.empty()) {
        while (next < count && running.size() < std::max<size_t>(parallel, 1)) {
            const Job j = job(next);
            std::string error;
            const pid_t pid = spawn(exe, j.args, j.out_log, j.err_log, error);
            if (pid > 0) {
                running[pid] = next;
            } else {
                not_started(next, error);
            }
            ++next;
        }
        if (running.empty()) continue;
        int status = 0;
        const pid_t pid = ::waitpid(-1, &status, 0);
        if (pid < 0) {
            if (errno == EINTR) continue;
            throw ModelError("npusim", 0, -1, std::string("waitpid: ") + std::strerror(errno));
        }
        const auto it = running.find(pid);
        if (it == running.end()) continue;
        const size_t i = it->second;
        running.erase(it);
        finished(i, status);
    }
}

uint64_t default_max_memory() {
    const long pages = ::sysconf(_SC_PHYS_PAGES);
    const long page = ::sysconf(_SC_PAGE_SIZE);
    if (pages <= 0 || page <= 0) return uint64_t{8} << 30;
    return static_cast<uint64_t>(pages) * static_cast<uint64_t>(page) / 2;
}

uint64_t estimate_run_memory(const cfg::HwConfig& hw, const graph::Workload& wl, bool functional,
                             std::string& what) {
    // The widest element a tensor is stored with (fp32) and an int32 bias per channel.
    constexpr uint64_t kWidest = 4;
    uint64_t tensors = 0;
    const auto images = static_cast<uint64_t>(std::max(1, wl.batch));  // activations per image
    for (const graph::Layer& l : wl.layers) {
        tensors += static_cast<uint64_t>(std::max<int64_t>(l.output_elems(), 0)) * kWidest * images;
        tensors += static_cast<uint64_t>(std::max<int64_t>(l.reduction(), 0)) *
                   static_cast<uint64_t>(std::max(l.out_c, 0)) * kWidest;
        tensors += static_cast<uint64_t>(std::max(l.out_c, 0)) * kWidest;
    }
    if (!functional) {
        what = "timing-only: no data storage";
        return 0;
    }
    const uint64_t sram = hw.scratchpad.size_bytes + hw.accumulator.size_bytes;
    // The DRAM image, the simulated outputs and the reference's outputs each hold the tensors.
    const uint64_t data = 3 * tensors;
    what = "scratchpad.size " + units::format_size(hw.scratchpad.size_bytes) +
           " + accumulator.size " + units::format_size(hw.accumulator.size_bytes) +
           " of SRAM storage + about " + report::human_bytes(data) +
           " for the DRAM image and the simulated and reference tensors";
    return sram + data;
}

void check_run_memory(const cfg::HwConfig& hw, const graph::Workload& wl, bool functional,
                      const std::optional<std::string>& max_memory) {
    uint64_t limit = default_max_memory();
    if (max_memory) {
        const auto v = units::parse_size_bytes(*max_memory);
        if (!v || *v == 0) {
            throw UserError(
                Diagnostic{"<command line>", 0, 0, "--max-memory",
                           "expected a size such as 4GiB, found " + in_quotes(*max_memory)});
        }
        limit = *v;
    }
    std::string what;
    const uint64_t need = estimate_run_memory(hw, wl, functional, what);
    if (need <= limit) return;
    const cfg::KeySource at = hw.source_of("accumulator.size");
    throw UserError(Diagnostic{
        at.file, at.line, at.col, "",
        "this run would need about " + report::human_bytes(need) + " of host memory (" + what +
            "), more than the " + report::human_bytes(limit) +
            " allowed (--max-memory; default half of this machine's RAM): make the SRAMs "
            "smaller, run --timing-only, or raise --max-memory"});
}

std::string slurp(const fs::path& p) {
    std::ifstream f(p);
    std::stringstream ss;
    ss << f.rdbuf();
    return ss.str();
}

std::string join(const std::vector<std::string>& items, const std::string& sep) {
    std::string s;
    for (const std::string& i : items) s += (s.empty() ? "" : sep) + i;
    return s;
}

std::string describe(const YAML::Node& n) {
    switch (n.Type()) {
        case YAML::NodeType::Scalar:
            return "'" + n.Scalar() + "'";
        case YAML::NodeType::Sequence:
            return "a list of " + std::to_string(n.size());
        case YAML::NodeType::Map:
            return "a map";
        default:
            return "nothing";
    }
}

YAML::Node YamlChecker::load_top_map(const std::string& what, const std::string& expected) {
    // A regular file of a bounded size only (sim/core/input_file.h).
    const std::string text = read_input_file_or_throw(m_file, kMaxTextInputBytes, "a " + what);
    YAML::Node top;
    try {
        top = YAML::Load(text);
    } catch (const YAML::Exception& e) {
        error(e.mark, "", yaml_syntax_message(e.msg, text, e.mark.line, e.mark.column));
        m_diags.throw_if_any();
    }
    if (!top.IsMap()) {
        error(top.Mark(), "", "expected a map with " + expected + ", found " + describe(top));
        m_diags.throw_if_any();
    }
    return top;
}

void YamlChecker::error(const YAML::Mark& mark, const std::string& key,
                        const std::string& message) {
    const bool known = mark.line >= 0;
    m_diags.add({m_file, known ? mark.line + 1 : 0, known ? mark.column + 1 : 0, key, message});
}

void YamlChecker::check_keys(const YAML::Node& map, const std::string& path,
                             const std::vector<std::string>& allowed) {
    std::set<std::string> seen;
    for (auto it = map.begin(); it != map.end(); ++it) {
        const YAML::Node key = it->first;
        const std::string k = key.IsScalar() ? key.Scalar() : describe(key);
        const std::string at = path.empty() ? k : path + "." + k;
        if (!seen.insert(k).second) {
            error(key.Mark(), at, "duplicate key");
        } else if (!allowed.empty() &&
                   std::find(allowed.begin(), allowed.end(), k) == allowed.end()) {
            error(key.Mark(), at, "unknown key; expected one of: " + join(allowed));
        }
    }
}

}  // namespace npu::cli

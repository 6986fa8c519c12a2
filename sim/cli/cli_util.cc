#include "sim/cli/cli_util.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

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
    std::ifstream f(m_file);
    if (!f) throw UserError(Diagnostic{m_file, 0, 0, "", "cannot read the " + what});
    std::stringstream text;
    text << f.rdbuf();
    YAML::Node top;
    try {
        top = YAML::Load(text.str());
    } catch (const YAML::Exception& e) {
        error(e.mark, "", "invalid YAML: " + e.msg);
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

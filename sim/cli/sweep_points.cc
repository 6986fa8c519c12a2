// Running one sweep point and publishing its directory whole (docs/sweeps.md, "Resume" and
// "Data safety"), and the lock that keeps two sweeps out of one directory.
#include <fcntl.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <sstream>

#include "sim/cli/cli.h"
#include "sim/cli/progress.h"
#include "sim/cli/sweep_impl.h"
#include "sim/core/error.h"
#include "sim/report/output_file.h"
#include "sim/report/stats_json.h"

namespace npu::cli::sweep_impl {
namespace {

// The files a finished point may hold besides point.json.
const std::vector<std::string> kPointFiles = {"stats.json", "layers.csv", "effective_config.yaml",
                                              kErrorFile};

std::string hostname() {
    char buf[256] = {};
    if (::gethostname(buf, sizeof buf - 1) != 0) return "?";
    return buf;
}

// The first line of a child's log, without run's "error: " prefix.
std::string first_line(const fs::path& log) {
    std::stringstream ss(slurp(log));
    for (std::string l; std::getline(ss, l);) {
        if (l.empty()) continue;
        if (l.rfind("error: ", 0) == 0) l = l.substr(7);
        return l;
    }
    return "";
}

// The point's files, checked: each readable, and stats.json a complete stats document. Returns
// the manifest (name -> bytes, hash) for point.json, or throws npu::UserError saying what is
// wrong.
json check_files(const fs::path& tmp) {
    json files = json::object();
    for (const std::string& name : kPointFiles) {
        const fs::path p = tmp / name;
        if (!fs::exists(p)) continue;
        std::ifstream f(p, std::ios::binary);
        std::stringstream ss;
        ss << f.rdbuf();
        if (!f.good() && !f.eof()) {
            throw UserError(Diagnostic{p.string(), 0, 0, "", "cannot read the point's file"});
        }
        const std::string bytes = ss.str();
        if (bytes.empty()) {
            throw UserError(Diagnostic{p.string(), 0, 0, "", "the point's file is empty"});
        }
        files[name] = {{"bytes", bytes.size()}, {"hash", content_hash(bytes)}};
    }
    if (files.contains("stats.json")) {
        (void)report::read_stats_json((tmp / "stats.json").string());  // throws when unreadable
    } else if (!files.contains(kErrorFile)) {
        throw UserError(Diagnostic{tmp.string(), 0, 0, "", "the run wrote no stats.json"});
    }
    return files;
}

std::string settings_text(const SweepPoint& p) {
    std::string s;
    for (const auto& [k, v] : p.settings) s += " " + k + "=" + v;
    return s;
}

// The child's command line for one point.
Job point_job(const SweepPoint& p, const Options& o, const std::string& hw, const fs::path& tmp) {
    Job j{{"run", "--hw", hw, "--workload", input_path(cfg::InputKind::kWorkload, p.workload)},
          tmp / "run.out",
          tmp / "run.err"};
    for (const auto& [k, v] : p.settings) j.args.insert(j.args.end(), {"--set", k + "=" + v});
    if (o.spec.timing_only) j.args.push_back("--timing-only");
    j.args.insert(j.args.end(), {"--quiet", "--out", tmp.string()});
    return j;
}

struct Finished {
    bool published = false;  // complete (ok, mismatch or invalid) and in place
    bool invalid = false;
    std::string verdict;  // the progress line's text
    std::string failure;  // when not published
};

// After a point's child ended with waitpid `status`: classify it, check its files, write
// point.json last and rename the directory into place. A point whose files cannot be written or
// read is not published (its temporary directory is removed) and fails, so a rerun retries it.
Finished finish_point(const SweepPoint& p, const fs::path& tmp, const fs::path& final_dir,
                      int status) {
    Finished f;
    const int code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    // Exit 0, or 1 (outputs differ; stats.json is written): the point ran.
    const bool ran = (code == 0 || code == 1) && fs::is_regular_file(tmp / "stats.json");
    std::string why = first_line(tmp / "run.err");
    // A run that could not write its own output files (a full disk) failed; it is not an invalid
    // design point, and must not be recorded as one. So is a rejection whose reason could not be
    // read back (its log could not be written either).
    const bool write_failure =
        code == 2 && (why.empty() || why.find(tmp.string()) != std::string::npos);
    try {
        if (ran || (code == 2 && !write_failure)) {
            if (code == 2) {
                report::write_file_atomic((tmp / kErrorFile).string(), why + "\n");
                f.invalid = true;
                f.verdict = "invalid: " + why;
            } else {
                f.verdict = first_line(tmp / "run.out");
            }
            fs::remove(tmp / "run.out");
            fs::remove(tmp / "run.err");
            json pj = point_json(p);
            pj.erase("index");
            pj["files"] = check_files(tmp);
            report::write_file_atomic((tmp / kPointFile).string(), pj.dump(2) + "\n");
            fs::remove_all(final_dir);
            std::error_code ec;
            fs::rename(tmp, final_dir, ec);
            if (ec && complete(final_dir, p.id)) {
                fs::remove_all(tmp);  // another process published the same point first
            } else if (ec) {
                throw UserError(Diagnostic{final_dir.string(), 0, 0, "",
                                           "cannot move the point into place: " + ec.message()});
            }
            f.published = true;
            return f;
        }
        if (why.empty()) why = first_line(tmp / "run.out");
        const std::string how = WIFEXITED(status)
                                    ? "exit " + std::to_string(code)
                                    : "killed by signal " + std::to_string(WTERMSIG(status));
        f.failure = how + (why.empty() ? "" : ": " + why);
    } catch (const UserError& e) {
        f.failure = e.diagnostics().front().to_string();
    } catch (const std::exception& e) {
        f.failure = e.what();
    }
    std::error_code ec;
    fs::remove_all(tmp, ec);
    f.invalid = false;
    f.verdict = "FAILED (" + f.failure + ")";
    return f;
}

}  // namespace

DirLock::DirLock(const fs::path& dir, const std::string& name, bool exclusive) {
    const fs::path path = dir / name;
    m_fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (m_fd < 0) {
        throw UserError(Diagnostic{
            path.string(), 0, 0, "",
            "cannot create the sweep's lock file: " + std::string(std::strerror(errno))});
    }
    if (::flock(m_fd, (exclusive ? LOCK_EX : LOCK_SH) | LOCK_NB) != 0) {
        const std::string holder = slurp(path);
        ::close(m_fd);
        m_fd = -1;
        throw UserError(
            Diagnostic{dir.string(), 0, 0, "",
                       "another sweep is writing into this directory" +
                           (holder.empty() ? std::string()
                                           : " (" + holder.substr(0, holder.find('\n')) + ")") +
                           "; wait for it to finish, or choose another --out"});
    }
    if (exclusive) {
        const std::string me = "pid " + std::to_string(::getpid()) + " on " + hostname() + "\n";
        if (::ftruncate(m_fd, 0) == 0) {
            (void)!::pwrite(m_fd, me.data(), me.size(), 0);
        }
    }
}

DirLock::~DirLock() {
    if (m_fd >= 0) ::close(m_fd);  // closing releases the flock
}

bool complete(const fs::path& point_dir, const std::string& id) {
    std::error_code ec;
    if (!fs::is_regular_file(point_dir / kPointFile, ec)) return false;
    try {
        const json pj = json::parse(slurp(point_dir / kPointFile));
        if (pj.at("id").get<std::string>() != id) return false;
        const json& files = pj.at("files");
        if (files.empty()) return false;
        for (const auto& [name, meta] : files.items()) {
            const fs::path p = point_dir / name;
            if (fs::file_size(p, ec) != meta.at("bytes").get<uint64_t>() || ec) return false;
            if (content_hash(slurp(p)) != meta.at("hash").get<std::string>()) return false;
        }
        return true;
    } catch (const std::exception&) {
        return false;
    }
}

void link_point(const fs::path& from, const fs::path& to) {
    const fs::path tmp =
        to.parent_path() / (".tmp-" + std::to_string(::getpid()) + "-" + to.filename().string());
    fs::remove_all(tmp);
    fs::create_directories(tmp);
    for (const auto& entry : fs::directory_iterator(from)) {
        std::error_code ec;
        const fs::path target = tmp / entry.path().filename();
        fs::create_hard_link(entry.path(), target, ec);
        if (ec) fs::copy_file(entry.path(), target);
    }
    fs::rename(tmp, to);
}

int run_batch(const std::vector<std::string>& args, std::ostream& out) {
    if (args.size() != 1) {
        throw UserError(Diagnostic{"<command line>", 0, 0, "",
                                   "sweep run-batch: expected one batch file (it is written by "
                                   "`npusim sweep --points-per-process`)"});
    }
    json batch;
    try {
        batch = json::parse(slurp(args[0])).at("points");
    } catch (const std::exception& e) {
        throw UserError(
            Diagnostic{args[0], 0, 0, "", std::string("not a batch file: ") + e.what()});
    }
    // This process's own stdout and stderr, restored after each point.
    std::cout.flush();
    std::cerr.flush();
    const int saved_out = ::dup(1), saved_err = ::dup(2);
    size_t ran = 0;
    for (const json& point : batch) {
        const auto args_of = point.at("args").get<std::vector<std::string>>();
        const auto redirect = [](int fd, const std::string& path) {
            const int f = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
            if (f < 0) return false;
            const bool ok = ::dup2(f, fd) >= 0;
            ::close(f);
            return ok;
        };
        // Logs that cannot be written: a rejection without a reason, which the sweep takes for a
        // write failure (the point fails, as a child whose logs cannot be opened would).
        int code = kUserErrorExitCode;
        if (redirect(1, point.at("out").get<std::string>()) &&
            redirect(2, point.at("err").get<std::string>())) {
            // What a child process running `npusim ARGS` would do (sim/cli/main.cc).
            code = cli::main(args_of, std::cout, std::cerr);
        }
        std::cout.flush();
        std::cerr.flush();
        std::fflush(nullptr);
        (void)::dup2(saved_out, 1);
        (void)::dup2(saved_err, 2);
        // The exit code last: a point without one did not finish (the sweep reruns it).
        report::write_file_atomic(point.at("status").get<std::string>(),
                                  std::to_string(code) + "\n");
        ++ran;
    }
    ::close(saved_out);
    ::close(saved_err);
    out << "ran " << ran << " points\n";
    return 0;
}

std::map<std::string, std::string> run_points(const std::vector<SweepPoint>& todo, const Options& o,
                                              const fs::path& dir, std::ostream& out,
                                              Counts& counts) {
    const std::string hw = input_path(cfg::InputKind::kHwConfig, o.spec.hw);
    std::map<std::string, std::string> failures;
    const std::string tmp_prefix = ".tmp-" + std::to_string(::getpid()) + "-";
    size_t finished = 0;
    Progress progress = Progress::on_stderr(o.progress, "sweep", "points", todo.size());
    const auto show = [&] {
        const size_t failed = counts.failed;
        progress.update(finished, failed ? std::to_string(failed) + " failed" : "", true);
    };
    show();
    const auto tmp_of = [&](const SweepPoint& p) { return dir / "points" / (tmp_prefix + p.id); };
    const auto report = [&](const SweepPoint& p, const std::string& verdict) {
        ++finished;
        progress.clear();
        out << "[" << finished << "/" << todo.size() << "] " << p.id << " " << p.workload
            << settings_text(p) << ": " << verdict << '\n'
            << std::flush;
        show();
    };
    const auto job = [&](size_t i) {
        const fs::path tmp = tmp_of(todo[i]);
        std::error_code ec;
        fs::remove_all(tmp, ec);
        fs::create_directories(tmp, ec);
        return point_job(todo[i], o, hw, tmp);
    };
    const auto not_started = [&](size_t i, const std::string& error) {
        failures[todo[i].id] = error;
        ++counts.failed;
        std::error_code ec;
        fs::remove_all(tmp_of(todo[i]), ec);
        report(todo[i], "FAILED (" + error + ")");
    };
    const auto done = [&](size_t i, int status) {
        const SweepPoint& p = todo[i];
        const Finished f = finish_point(p, tmp_of(p), dir / "points" / p.id, status);
        if (f.published) {
            ++counts.done;
            counts.invalid += f.invalid ? 1 : 0;
        } else {
            failures[p.id] = f.failure;
            ++counts.failed;
        }
        report(p, f.verdict);
    };
    if (o.points_per_process <= 1) {
        run_jobs(todo.size(), o.jobs, job, done, not_started);
        progress.clear();
        return failures;
    }
    // Batches of consecutive points, one child process each (`sweep run-batch`): at most
    // points_per_process points, and small enough that every one of the -j slots gets work.
    const size_t slots = std::max<size_t>(1, o.jobs);
    const size_t per =
        std::max<size_t>(1, std::min(o.points_per_process, (todo.size() + slots - 1) / slots));
    const size_t batches = (todo.size() + per - 1) / per;
    const auto first = [&](size_t b) { return b * per; };
    const auto last = [&](size_t b) { return std::min(todo.size(), (b + 1) * per); };
    const auto batch_file = [&](size_t b) {
        return dir / "points" / (tmp_prefix + "batch-" + std::to_string(b));
    };
    const auto status_file = [&](size_t i) { return tmp_of(todo[i]) / "run.status"; };
    const auto batch_job = [&](size_t b) {
        json points = json::array();
        for (size_t i = first(b); i < last(b); ++i) {
            const Job j = job(i);
            points.push_back({{"args", j.args},
                              {"out", j.out_log.string()},
                              {"err", j.err_log.string()},
                              {"status", status_file(i).string()}});
        }
        const fs::path file = batch_file(b);
        report::write_file_atomic(file.string() + ".json", json{{"points", points}}.dump() + "\n");
        return Job{{"sweep", "run-batch", file.string() + ".json"},
                   file.string() + ".out",
                   file.string() + ".err"};
    };
    const auto batch_done = [&](size_t b, int status) {
        // The batch process's own end, for the points it did not finish.
        std::string why = first_line(batch_file(b).string() + ".err");
        const std::string how = WIFEXITED(status)
                                    ? "exit " + std::to_string(WEXITSTATUS(status))
                                    : "killed by signal " + std::to_string(WTERMSIG(status));
        for (size_t i = first(b); i < last(b); ++i) {
            int code = -1;
            std::error_code ec;
            if (fs::is_regular_file(status_file(i), ec)) {
                try {
                    code = std::stoi(slurp(status_file(i)));
                } catch (const std::exception&) {
                    code = -1;
                }
                fs::remove(status_file(i), ec);
            }
            if (code >= 0 && code < 256) {
                done(i, W_EXITCODE(code, 0));  // as a child process of its own exiting `code`
                continue;
            }
            not_started(i, "not finished: its batch process (--points-per-process) ended (" + how +
                               (why.empty() ? "" : ": " + why) + ") before it did");
        }
        std::error_code ec;
        for (const char* ext : {".json", ".out", ".err"}) {
            fs::remove(batch_file(b).string() + ext, ec);
        }
    };
    const auto batch_not_started = [&](size_t b, const std::string& error) {
        for (size_t i = first(b); i < last(b); ++i) not_started(i, error);
        std::error_code ec;
        fs::remove(batch_file(b).string() + ".json", ec);
    };
    run_jobs(batches, o.jobs, batch_job, batch_done, batch_not_started);
    progress.clear();
    return failures;
}

}  // namespace npu::cli::sweep_impl

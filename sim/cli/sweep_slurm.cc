// `npusim sweep --slurm`: sbatch scripts written into the sweep directory (readable, editable,
// resubmittable), their submission, and `npusim sweep status DIR` (docs/sweeps.md, "Slurm").
//
// grid, random, lhs: a job array of N tasks, task I running `npusim sweep ... --shard I/N --out
// DIR/shards/I`, and a merge job (`--dependency=afterok:<array>`) running `npusim sweep merge
// DIR/shards/* --out DIR`. nsga2: one driver job running the search, which submits each
// generation as a job array (`sbatch --wait`) whose tasks run their share of the generation's
// points straight into DIR/points (`--generation G --shard I/N --out DIR`).
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <set>
#include <sstream>

#include "sim/cli/sweep_impl.h"
#include "sim/core/error.h"
#include "sim/report/output_file.h"

namespace npu::cli::sweep_impl {
namespace {

constexpr const char* kJobsFile = "jobs.json";

// A program's full path from PATH ("" when not found).
std::string on_path(const std::string& name) {
    if (name.find('/') != std::string::npos) return ::access(name.c_str(), X_OK) == 0 ? name : "";
    const char* path = std::getenv("PATH");
    std::stringstream dirs(path ? path : "/usr/bin:/bin");
    for (std::string d; std::getline(dirs, d, ':');) {
        const std::string p = (d.empty() ? "." : d) + "/" + name;
        if (::access(p.c_str(), X_OK) == 0) return p;
    }
    return "";
}

std::string quote(const std::string& s) {
    if (!s.empty() && s.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                          "0123456789_-./=:,+@%") == std::string::npos) {
        return s;
    }
    std::string q = "'";
    for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return q + "'";
}

// The sweep's own words for a script: the given arguments without those the script sets itself
// (output, jobs, shard, progress, --html) and, unless `keep_slurm`, without the Slurm options.
std::vector<std::string> script_args(const Options& o, bool keep_slurm) {
    const std::set<std::string> valued_drop = {"--out",   "-j",     "--jobs",
                                               "--shard", "--html", "--generation"};
    const std::set<std::string> flag_drop = {"--slurm", "--slurm-driver", "--force",
                                             "--no-progress"};
    const std::set<std::string> slurm_valued = {"--partition", "--time", "--tasks",
                                                "--cpus-per-task", "--sbatch-arg"};
    std::vector<std::string> out;
    for (size_t i = 0; i < o.args.size(); ++i) {
        const std::string& a = o.args[i];
        const std::string flag = a.rfind("--", 0) == 0 ? a.substr(0, a.find('=')) : a;
        const bool has_inline = a.rfind("--", 0) == 0 && a.find('=') != std::string::npos;
        if (a.rfind("-j", 0) == 0 && a.size() > 2) continue;  // -jN
        if (flag_drop.count(flag)) continue;
        if (valued_drop.count(flag) || (!keep_slurm && slurm_valued.count(flag))) {
            if (!has_inline) ++i;
            continue;
        }
        out.push_back(a);
    }
    return out;
}

std::string words(const std::vector<std::string>& v) {
    std::string s;
    for (const std::string& w : v) s += " " + quote(w);
    return s;
}

std::string cwd() {
    std::error_code ec;
    return fs::current_path(ec).string();
}

// The #SBATCH header shared by every script.
std::string header(const Options& o, const std::string& job_name, const std::string& log,
                   size_t cpus) {
    std::string h = "#!/bin/bash\n";
    h += "#SBATCH --job-name=" + quote(job_name) + "\n";
    h += "#SBATCH --output=" + quote(log) + "\n";
    h += "#SBATCH --cpus-per-task=" + std::to_string(cpus) + "\n";
    if (!o.slurm.partition.empty()) h += "#SBATCH --partition=" + quote(o.slurm.partition) + "\n";
    if (!o.slurm.time.empty()) h += "#SBATCH --time=" + quote(o.slurm.time) + "\n";
    for (const std::string& a : o.slurm.sbatch_args) h += "#SBATCH " + a + "\n";
    return h;
}

std::string job_id(const std::string& parsable) {
    // `sbatch --parsable` prints "ID" or "ID;CLUSTER".
    std::string id = parsable.substr(0, parsable.find_first_of(";\n"));
    while (!id.empty() && (id.back() == ' ' || id.back() == '\r')) id.pop_back();
    return id;
}

std::string submit(const std::vector<std::string>& argv) {
    std::string output;
    const int code = run_program(argv, output);
    const std::string id = job_id(output);
    if (code != 0 || id.empty() || id.find_first_not_of("0123456789_") != std::string::npos) {
        throw UserError(
            Diagnostic{"<slurm>", 0, 0, "",
                       join(argv, " ") + " failed (exit " + std::to_string(code) + "): " + output});
    }
    return id;
}

json read_jobs(const fs::path& slurm_dir) {
    try {
        if (fs::is_regular_file(slurm_dir / kJobsFile)) {
            return json::parse(slurp(slurm_dir / kJobsFile));
        }
    } catch (const json::exception&) {
    }
    return json::object();
}

std::string name_of(const Options& o) {
    std::string n = "npusim-" + o.spec.name;
    for (char& c : n) {
        if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_') c = '_';
    }
    return n;
}

}  // namespace

int run_program(const std::vector<std::string>& argv, std::string& output) {
    const std::string exe = on_path(argv.at(0));
    if (exe.empty()) {
        output = argv[0] + ": not found on PATH";
        return -1;
    }
    char tmpl[] = "/tmp/npusim-slurm-XXXXXX";
    const int fd = ::mkstemp(tmpl);
    if (fd < 0) {
        output = "cannot create a temporary file";
        return -1;
    }
    ::close(fd);
    std::string error;
    const pid_t pid = spawn(exe, {argv.begin() + 1, argv.end()}, tmpl, tmpl, error);
    int status = 0;
    if (pid > 0) {
        while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
        }
    }
    output = pid > 0 ? slurp(tmpl) : error;
    ::unlink(tmpl);
    if (pid <= 0) return -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

int submit_slurm(const Options& o, const std::vector<SweepPoint>& points, std::ostream& out) {
    if (on_path("sbatch").empty()) {
        throw UserError(Diagnostic{"<command line>", 0, 0, "--slurm",
                                   "sbatch not found on PATH: --slurm needs a Slurm client "
                                   "(scripts/slurm-local.sh start runs a local one)"});
    }
    const bool search = o.spec.strategy == "nsga2";
    const fs::path dir = fs::absolute(o.out).lexically_normal();
    const fs::path sdir = dir / "slurm";
    std::error_code ec;
    fs::create_directories(sdir, ec);
    fs::create_directories(dir / "points", ec);
    if (ec) {
        throw UserError(
            Diagnostic{o.out, 0, 0, "--out", "cannot create the directory: " + ec.message()});
    }
    DirLock lock(dir, ".lock", true);
    size_t tasks = o.slurm.tasks > 0 ? o.slurm.tasks : 16;
    if (!search) tasks = std::max<size_t>(1, std::min(tasks, points.size()));
    json jobs = read_jobs(sdir);
    if (jobs.contains("tasks") && jobs["tasks"].get<size_t>() != tasks) {
        throw UserError(Diagnostic{
            dir.string(), 0, 0, "--tasks",
            "this sweep was submitted with --tasks " + std::to_string(jobs["tasks"].get<size_t>()) +
                "; resubmit with the same number (its shards hold the finished points), or use "
                "another --out"});
    }
    const std::string self = self_exe();
    const std::string here = cwd();
    const std::string name = name_of(o);
    std::string array_id, merge_id, driver_id;
    if (search) {
        std::vector<std::string> args = script_args(o, true);
        args.push_back("--slurm-driver");
        if (!o.slurm.tasks) args.insert(args.end(), {"--tasks", std::to_string(tasks)});
        std::string s = header(o, name + "-driver", (sdir / "driver.out").string(), 1);
        s += "# The NSGA-II driver: submits each generation as a job array (gen-G.sbatch) and "
             "waits for it.\n";
        s += "cd " + quote(here) + "\n";
        s += "exec " + quote(self) + " sweep" + words(args) + " --out " + quote(dir.string()) +
             " -j " + std::to_string(o.slurm.cpus_per_task) + " --no-progress" +
             (o.html.empty() ? "" : " --force --html " + quote(fs::absolute(o.html).string())) +
             "\n";
        report::write_file_atomic((sdir / "driver.sbatch").string(), s);
        report::write_file_atomic((sdir / "submit.sh").string(),
                                  "#!/bin/bash\n# Resubmits this sweep (finished points are "
                                  "kept).\nset -euo pipefail\ncd \"$(dirname \"$0\")\"\n"
                                  "sbatch --parsable driver.sbatch\n");
        driver_id = submit({"sbatch", "--parsable", (sdir / "driver.sbatch").string()});
        jobs["kind"] = "nsga2";
        jobs["driver"] = driver_id;
    } else {
        const std::vector<std::string> args = script_args(o, false);
        std::string a = header(o, name, (sdir / "task-%a.out").string(), o.slurm.cpus_per_task);
        a += "#SBATCH --array=0-" + std::to_string(tasks - 1) + "\n";
        a += "# Task I runs shard I of " + std::to_string(tasks) +
             " into shards/I; a rerun skips its finished points.\n";
        a += "cd " + quote(here) + "\n";
        a += "exec " + quote(self) + " sweep" + words(args) + " --shard \"$SLURM_ARRAY_TASK_ID/" +
             std::to_string(tasks) + "\" --out " + quote(dir.string()) +
             "/shards/\"$SLURM_ARRAY_TASK_ID\" -j \"${SLURM_CPUS_PER_TASK:-1}\" --no-progress\n";
        std::string m = header(o, name + "-merge", (sdir / "merge.out").string(), 1);
        m += "# Runs after every task of the array succeeded (--dependency=afterok).\n";
        m += "cd " + quote(here) + "\n";
        m += "exec " + quote(self) + " sweep merge " + quote(dir.string()) + "/shards/* --out " +
             quote(dir.string()) +
             (o.html.empty() ? "" : " --force --html " + quote(fs::absolute(o.html).string())) +
             "\n";
        report::write_file_atomic((sdir / "array.sbatch").string(), a);
        report::write_file_atomic((sdir / "merge.sbatch").string(), m);
        report::write_file_atomic(
            (sdir / "submit.sh").string(),
            "#!/bin/bash\n# Resubmits this sweep: finished points are kept, failed or preempted "
            "tasks resume.\nset -euo pipefail\ncd \"$(dirname \"$0\")\"\n"
            "array=$(sbatch --parsable array.sbatch)\narray=${array%%;*}\n"
            "merge=$(sbatch --parsable --dependency=afterok:\"$array\" merge.sbatch)\n"
            "echo \"job array $array, merge job ${merge%%;*}\"\n");
        array_id = submit({"sbatch", "--parsable", (sdir / "array.sbatch").string()});
        merge_id = submit({"sbatch", "--parsable", "--dependency=afterok:" + array_id,
                           (sdir / "merge.sbatch").string()});
        jobs["kind"] = "array";
        jobs["array"] = array_id;
        jobs["merge"] = merge_id;
    }
    fs::permissions(sdir / "submit.sh", fs::perms::owner_exec | fs::perms::group_exec,
                    fs::perm_options::add, ec);
    jobs["tasks"] = tasks;
    report::write_file_atomic((sdir / kJobsFile).string(), jobs.dump(2) + "\n");
    if (search) {
        out << "npusim sweep: submitted the nsga2 driver, job " << driver_id
            << " (each generation a job array of up to " << tasks << " tasks)";
    } else {
        out << "npusim sweep: " << points.size() << " points; submitted job array " << array_id
            << " (" << tasks << " task" << (tasks == 1 ? "" : "s") << ") and merge job " << merge_id
            << " (after the array succeeds)";
    }
    out << "\nscripts in " << sdir.string() << "; results in " << dir.string()
        << "\nnpusim sweep status " << dir.string() << '\n';
    return 0;
}

bool run_generation_on_slurm(const Options& o, size_t generation, size_t points,
                             std::ostream& out) {
    const fs::path dir = fs::absolute(o.out).lexically_normal();
    const fs::path sdir = dir / "slurm";
    fs::create_directories(sdir);
    const size_t tasks =
        std::max<size_t>(1, std::min(o.slurm.tasks > 0 ? o.slurm.tasks : 16, points));
    const std::string g = std::to_string(generation);
    std::string s = header(o, name_of(o) + "-gen" + g, (sdir / ("gen-" + g + "-%a.out")).string(),
                           o.slurm.cpus_per_task);
    s += "#SBATCH --array=0-" + std::to_string(tasks - 1) + "\n";
    s += "cd " + quote(cwd()) + "\n";
    s += "exec " + quote(self_exe()) + " sweep" + words(script_args(o, false)) + " --generation " +
         g + " --shard \"$SLURM_ARRAY_TASK_ID/" + std::to_string(tasks) + "\" --out " +
         quote(dir.string()) + " -j \"${SLURM_CPUS_PER_TASK:-1}\" --no-progress\n";
    const fs::path script = sdir / ("gen-" + g + ".sbatch");
    report::write_file_atomic(script.string(), s);
    std::string output;
    const int code = run_program({"sbatch", "--wait", "--parsable", script.string()}, output);
    json jobs = read_jobs(sdir);
    jobs["generations"][g] = job_id(output);
    report::write_file_atomic((sdir / kJobsFile).string(), jobs.dump(2) + "\n");
    out << "generation " << g << ": job array " << job_id(output) << " (" << tasks
        << " tasks) ended with exit " << code << '\n'
        << std::flush;
    return code == 0;
}

int sweep_status(const std::vector<std::string>& args, std::ostream& out) {
    if (args.size() != 1 || args[0].rfind("-", 0) == 0) {
        throw UserError(
            Diagnostic{"<command line>", 0, 0, "", "sweep status: expected one sweep directory"});
    }
    const fs::path dir(args[0]);
    if (!fs::is_regular_file(dir / kManifest)) {
        throw UserError(Diagnostic{
            args[0], 0, 0, "", std::string("not a sweep result directory (no ") + kManifest + ")"});
    }
    std::vector<SweepPoint> points;
    try {
        const json doc = json::parse(slurp(dir / kManifest));
        for (const json& j : doc.at("points")) points.push_back(point_from_json(j));
    } catch (const json::exception& e) {
        throw UserError(Diagnostic{(dir / kManifest).string(), 0, 0, "", e.what()});
    }
    const json jobs = read_jobs(dir / "slurm");
    const bool array = jobs.value("kind", "") == "array";
    const size_t shards = array ? jobs.value("tasks", size_t{1}) : 1;

    // Slurm's view: task states by array index ("" when Slurm does not know them).
    std::map<std::string, std::string> state;  // "12_3" / "12" -> state
    std::vector<std::string> ids;
    for (const char* k : {"array", "merge", "driver"}) {
        if (jobs.contains(k)) ids.push_back(jobs[k].get<std::string>());
    }
    const json generations = jobs.value("generations", json::object());
    for (const auto& entry : generations.items()) ids.push_back(entry.value().get<std::string>());
    bool slurm_known = false;
    if (!ids.empty()) {
        std::string text;
        if (run_program({"sacct", "-n", "-P", "-X", "-o", "JobID,State", "-j", join(ids, ",")},
                        text) == 0) {
            std::stringstream ss(text);
            for (std::string l; std::getline(ss, l);) {
                const size_t bar = l.find('|');
                if (bar != std::string::npos) state[l.substr(0, bar)] = l.substr(bar + 1);
            }
            slurm_known = !state.empty();
        }
        if (run_program({"squeue", "-h", "-o", "%i %T", "-j", join(ids, ",")}, text) == 0) {
            std::stringstream ss(text);
            for (std::string l; std::getline(ss, l);) {
                const size_t sp = l.find(' ');
                if (sp != std::string::npos) state[l.substr(0, sp)] = l.substr(sp + 1);
            }
            slurm_known = true;
        }
    }
    const auto task_state = [&](const std::string& job, size_t i) -> std::string {
        const std::string key = job + "_" + std::to_string(i);
        if (state.count(key)) return state[key];
        // squeue folds pending tasks into "12_[2-5]" (or "12_[2,4-5]").
        for (const auto& [k, v] : state) {
            if (k.rfind(job + "_[", 0) != 0) continue;
            std::stringstream ranges(k.substr(job.size() + 2, k.size() - job.size() - 3));
            for (std::string r; std::getline(ranges, r, ',');) {
                const size_t dash = r.find('-');
                try {
                    const size_t lo = std::stoul(r.substr(0, dash));
                    const size_t hi =
                        dash == std::string::npos ? lo : std::stoul(r.substr(dash + 1));
                    if (i >= lo && i <= hi) return v;
                } catch (const std::exception&) {
                    // Not a range this reads (e.g. a throttle suffix alone): skip it.
                }
            }
        }
        return slurm_known ? "ended" : "";
    };

    struct Tally {
        size_t points = 0, done = 0, invalid = 0, running = 0, failed = 0, pending = 0;
    };
    std::vector<Tally> tally(shards);
    // Failed points: listed as failed in the shard's (or the sweep's) last results.json.
    std::vector<std::set<std::string>> failed(shards);
    std::vector<std::set<std::string>> running(shards);
    for (size_t s = 0; s < shards; ++s) {
        const fs::path sd = array ? dir / "shards" / std::to_string(s) : dir;
        try {
            if (fs::is_regular_file(sd / "results.json")) {
                const json r = json::parse(slurp(sd / "results.json"));
                for (const json& p : r.at("points")) {
                    if (p.value("status", "") == "failed") failed[s].insert(p.value("id", ""));
                }
            }
        } catch (const json::exception&) {
        }
        std::error_code ec;
        for (const auto& e : fs::directory_iterator(sd / "points", ec)) {
            const std::string n = e.path().filename().string();
            if (n.rfind(".tmp-", 0) == 0 && n.size() > 12)
                running[s].insert(n.substr(n.size() - 12));
        }
    }
    for (const SweepPoint& p : points) {
        const size_t s = p.index % shards;
        Tally& t = tally[s];
        ++t.points;
        const fs::path sd = array ? dir / "shards" / std::to_string(s) : dir;
        const fs::path pd =
            complete(dir / "points" / p.id, p.id) ? dir / "points" / p.id : sd / "points" / p.id;
        if (complete(pd, p.id)) {
            ++t.done;
            t.invalid += fs::is_regular_file(pd / kErrorFile) ? 1 : 0;
        } else if (running[s].count(p.id)) {
            ++t.running;
        } else if (failed[s].count(p.id)) {
            ++t.failed;
        } else {
            ++t.pending;
        }
    }
    Tally all;
    for (const Tally& t : tally) {
        all.points += t.points;
        all.done += t.done;
        all.invalid += t.invalid;
        all.running += t.running;
        all.failed += t.failed;
        all.pending += t.pending;
    }
    const auto line = [&](const std::string& label, const Tally& t) {
        char buf[160];
        std::snprintf(buf, sizeof buf, "%-6s %7zu %7zu %8zu %8zu %7zu %8zu", label.c_str(),
                      t.points, t.done, t.invalid, t.running, t.failed, t.pending);
        return std::string(buf);
    };
    out << "npusim sweep status " << dir.string() << ": " << all.points << " points, " << all.done
        << " done (" << all.invalid << " invalid), " << all.running << " running, " << all.failed
        << " failed, " << all.pending << " pending\n";
    out << "shard   points    done  invalid  running  failed  pending" << (array ? "  slurm" : "")
        << '\n';
    for (size_t s = 0; s < shards; ++s) {
        out << line(array ? std::to_string(s) : "all", tally[s]);
        if (array) out << "  " << task_state(jobs["array"].get<std::string>(), s);
        out << '\n';
    }
    if (jobs.contains("merge")) {
        const std::string id = jobs["merge"].get<std::string>();
        out << "merge job " << id << ": "
            << (state.count(id) ? state[id]
                                : (fs::is_regular_file(dir / "results.csv") ? "results written"
                                                                            : "not run yet"))
            << '\n';
    }
    if (jobs.contains("driver")) {
        const std::string id = jobs["driver"].get<std::string>();
        out << "nsga2 driver job " << id << ": " << (state.count(id) ? state[id] : "ended") << ", "
            << generations.size() << " generations submitted\n";
    }
    return 0;
}

}  // namespace npu::cli::sweep_impl

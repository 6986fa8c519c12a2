#include "sim/cli/sweep.h"

#include <sys/wait.h>
#include <unistd.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <sstream>
#include <thread>

#include "sim/cli/cli_util.h"
#include "sim/cli/progress.h"
#include "sim/config/paths.h"
#include "sim/core/error.h"
#include "sim/report/figures.h"
#include "sim/report/html.h"
#include "sim/report/layers_csv.h"
#include "sim/report/output_file.h"
#include "sim/report/stats_json.h"

namespace npu::cli {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

const std::vector<std::string> kTopKeys = {"hw", "workloads", "grid", "points", "timing_only"};
constexpr const char* kManifest = "sweep.json";
constexpr const char* kPointFile = "point.json";
constexpr const char* kErrorFile = "error.txt";

// An input path as written: relative to the current directory, else to the repository root
// (so `workloads/default.yaml` works from anywhere). "" when neither names a file.
std::string find_input(const std::string& p) {
    if (fs::is_regular_file(p)) return p;
    if (!fs::path(p).is_absolute()) {
        const fs::path under_root = fs::path(cfg::data_dir()) / p;
        if (fs::is_regular_file(under_root)) return under_root.string();
    }
    return "";
}

void write_file(const fs::path& p, const std::string& text) {
    report::write_file_atomic(p.string(), text);
}

// ---------------------------------------------------------------------------------------------
// The sweep file

class SweepLoader : public YamlChecker {
  public:
    explicit SweepLoader(std::string file) : YamlChecker(std::move(file)) {}

    SweepSpec load() {
        std::ifstream f(m_file);
        if (!f) throw UserError(Diagnostic{m_file, 0, 0, "", "cannot read the sweep file"});
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
            error(top.Mark(), "",
                  "expected a map with hw, workloads, grid, points, found " + describe(top));
            m_diags.throw_if_any();
        }
        check_keys(top, "", kTopKeys);
        SweepSpec s;
        s.hw = "configs/edge_npu.yaml";
        if (const YAML::Node hw = top["hw"]) {
            if (scalar(hw, "hw", "a config file")) s.hw = hw.Scalar();
            check_file(hw, "hw");
        }
        const YAML::Node wls = top["workloads"];
        if (!wls) {
            error(top.Mark(), "", "missing required key 'workloads'");
        } else if (!wls.IsSequence() || wls.size() == 0) {
            error(wls.Mark(), "workloads",
                  "expected a non-empty list of workload files, found " + describe(wls));
        } else {
            for (size_t i = 0; i < wls.size(); ++i) {
                const std::string at = "workloads[" + std::to_string(i) + "]";
                if (!scalar(wls[i], at, "a workload file")) continue;
                check_file(wls[i], at);
                s.workloads.push_back(wls[i].Scalar());
            }
        }
        if (const YAML::Node t = top["timing_only"]) {
            if (t.IsScalar() && (t.Scalar() == "true" || t.Scalar() == "false")) {
                s.timing_only = t.Scalar() == "true";
            } else {
                error(t.Mark(), "timing_only", "expected true or false, found " + describe(t));
            }
        }
        if (const YAML::Node grid = top["grid"]) parse_grid(grid, s);
        if (const YAML::Node pts = top["points"]) {
            if (!pts.IsSequence() || pts.size() == 0) {
                error(pts.Mark(), "points",
                      "expected a non-empty list of points (maps of key: value), found " +
                          describe(pts));
            } else {
                for (size_t i = 0; i < pts.size(); ++i) {
                    Settings st;
                    if (settings_map(pts[i], "points[" + std::to_string(i) + "]", st)) {
                        s.points.push_back(std::move(st));
                    }
                }
            }
        }
        m_diags.throw_if_any();
        return s;
    }

  private:
    bool scalar(const YAML::Node& n, const std::string& at, const std::string& what) {
        if (n.IsScalar() && !n.Scalar().empty()) return true;
        error(n.Mark(), at, "expected " + what + ", found " + describe(n));
        return false;
    }

    void check_file(const YAML::Node& n, const std::string& at) {
        if (n.IsScalar() && !n.Scalar().empty() && find_input(n.Scalar()).empty()) {
            error(n.Mark(), at,
                  "expected a file (relative to the current directory or the repository root " +
                      cfg::data_dir() + "), found '" + n.Scalar() + "' (no such file)");
        }
    }

    // A map of config key: scalar value (a point, or one alternative of a grid dimension).
    bool settings_map(const YAML::Node& n, const std::string& at, Settings& out) {
        if (!n.IsMap() || n.size() == 0) {
            error(n.Mark(), at, "expected a map of config key: value, found " + describe(n));
            return false;
        }
        check_keys(n, at, {});
        bool ok = true;
        for (auto it = n.begin(); it != n.end(); ++it) {
            const std::string k = it->first.IsScalar() ? it->first.Scalar() : "";
            if (k.empty()) continue;  // reported by check_keys as not a text
            if (!scalar(it->second, at + "." + k, "a value")) {
                ok = false;
                continue;
            }
            out.emplace_back(k, it->second.Scalar());
        }
        return ok;
    }

    void parse_grid(const YAML::Node& grid, SweepSpec& s) {
        if (!grid.IsMap() || grid.size() == 0) {
            error(grid.Mark(), "grid",
                  "expected a map of config key: [values], found " + describe(grid));
            return;
        }
        check_keys(grid, "grid", {});
        for (auto it = grid.begin(); it != grid.end(); ++it) {
            const std::string k = it->first.IsScalar() ? it->first.Scalar() : "";
            const std::string at = "grid." + k;
            const YAML::Node values = it->second;
            if (k.empty()) continue;
            if (!values.IsSequence() || values.size() == 0) {
                error(values.Mark(), at,
                      "expected a non-empty list of values, found " + describe(values));
                continue;
            }
            std::vector<Settings> alternatives;
            for (size_t i = 0; i < values.size(); ++i) {
                const std::string at_i = at + "[" + std::to_string(i) + "]";
                Settings st;
                if (values[i].IsMap()) {
                    if (settings_map(values[i], at_i, st)) alternatives.push_back(std::move(st));
                } else if (scalar(values[i], at_i, "a value or a map of key: value")) {
                    alternatives.push_back({{k, values[i].Scalar()}});
                }
            }
            s.grid.emplace_back(k, std::move(alternatives));
        }
    }
};

// ---------------------------------------------------------------------------------------------
// Command line

struct Options {
    std::string file;  // the sweep YAML, or "" for the flag form
    SweepSpec spec;
    std::string out;
    size_t jobs = 0;
    size_t shard = 0, shards = 1;
    bool progress = true;  // a progress line on stderr when it is a terminal (--no-progress: off)
    std::string html;      // --html FILE: a copy of DIR/report.html elsewhere
};

struct MergeOptions {
    std::vector<std::string> inputs;
    std::string out;
    std::string html;
};

size_t parse_count(const std::string& v, size_t max) {
    const bool digits = !v.empty() && v.size() < 7 && v.find_first_not_of("0123456789") == v.npos;
    const size_t n = digits ? std::stoul(v) : max + 1;
    return n;
}

Options parse_options(const std::vector<std::string>& args) {
    Options o;
    DiagnosticList problems;
    auto bad = [&](const std::string& msg) { problems.add({"<command line>", 0, 0, "", msg}); };
    std::optional<std::string> hw;
    std::vector<std::string> workloads;
    bool timing_only = false, flag_form = false;
    std::vector<std::string> words;
    scan(
        args, problems,
        [&](const std::string& arg, auto value, bool has_inline, const std::string&) {
            if (arg == "--hw") {
                hw = value();
                flag_form = true;
            } else if (arg == "--workload") {
                workloads.push_back(value());
                flag_form = true;
            } else if (arg == "--grid" || arg == "--precisions") {
                flag_form = true;
                // --precisions LIST is --grid precision=LIST.
                const std::string v = arg == "--grid" ? value() : "precision=" + value();
                const size_t eq = v.find('=');
                if (eq == std::string::npos || eq == 0 || eq + 1 == v.size()) {
                    bad("--grid: expected key=value1,value2,..., found '" + v + "'");
                    return;
                }
                std::vector<Settings> alternatives;
                std::stringstream list(v.substr(eq + 1));
                for (std::string item; std::getline(list, item, ',');) {
                    if (item.empty()) {
                        bad("--grid: empty value in '" + v + "'");
                        return;
                    }
                    alternatives.push_back({{v.substr(0, eq), item}});
                }
                o.spec.grid.emplace_back(v.substr(0, eq), std::move(alternatives));
            } else if (arg == "--out") {
                o.out = value();
            } else if (arg == "--html") {
                o.html = value();
            } else if (arg == "-j" || arg == "--jobs") {
                const std::string v = value();
                o.jobs = parse_count(v, 9999);
                if (o.jobs == 0 || o.jobs > 9999) {
                    bad(arg + ": expected a number of jobs >= 1, found '" + v + "'");
                }
            } else if (arg == "--shard") {
                const std::string v = value();
                const size_t slash = v.find('/');
                const size_t i = slash == v.npos ? 0 : parse_count(v.substr(0, slash), 999999);
                const size_t n = slash == v.npos ? 0 : parse_count(v.substr(slash + 1), 999999);
                if (n == 0 || n > 999999 || i >= n) {
                    bad("--shard: expected i/N with 0 <= i < N, found '" + v + "'");
                } else {
                    o.shard = i;
                    o.shards = n;
                }
            } else if (arg == "--timing-only" && !has_inline) {
                timing_only = true;
            } else if (arg == "--no-progress" && !has_inline) {
                o.progress = false;
            } else {
                bad("sweep: unknown option '" + arg + "' (see npusim --help)");
            }
        },
        [&](const std::string& w) { words.push_back(w); });
    if (words.size() > 1) bad("sweep: expected at most one sweep file, found " + join(words));
    if (!words.empty()) {
        o.file = words[0];
        if (flag_form) {
            bad("sweep: give either a sweep file or --hw/--workload/--grid, not both");
        }
    } else {
        if (workloads.empty()) bad("sweep: expected a sweep file or at least one --workload");
        if (o.out.empty()) bad("sweep: --out DIR is required without a sweep file");
        for (const std::string& w : workloads) {
            if (find_input(w).empty()) bad("--workload: no such file '" + w + "'");
        }
        o.spec.hw = hw.value_or("configs/edge_npu.yaml");
        if (find_input(o.spec.hw).empty()) bad("--hw: no such file '" + o.spec.hw + "'");
        o.spec.workloads = workloads;
    }
    problems.throw_if_any();
    if (!o.file.empty()) {
        const std::string found = find_input(o.file);
        o.spec = load_sweep_file(found.empty() ? o.file : found);
        if (o.out.empty()) o.out = "sweep-" + fs::path(o.file).stem().string();
    }
    o.spec.timing_only = o.spec.timing_only || timing_only;
    if (o.jobs == 0) o.jobs = std::max(1u, std::thread::hardware_concurrency());
    return o;
}

MergeOptions parse_merge(const std::vector<std::string>& args) {
    MergeOptions m;
    DiagnosticList problems;
    scan(
        args, problems,
        [&](const std::string& arg, auto value, bool, const std::string&) {
            if (arg == "--out") {
                m.out = value();
            } else if (arg == "--html") {
                m.html = value();
            } else {
                problems.add({"<command line>", 0, 0, "",
                              "sweep merge: unknown option '" + arg + "' (see npusim --help)"});
            }
        },
        [&](const std::string& w) { m.inputs.push_back(w); });
    if (m.inputs.empty()) {
        problems.add({"<command line>", 0, 0, "", "sweep merge: expected result directories"});
    }
    if (m.out.empty()) problems.add({"<command line>", 0, 0, "", "sweep merge: --out is required"});
    for (const std::string& d : m.inputs) {
        if (!fs::is_regular_file(fs::path(d) / kManifest)) {
            problems.add(
                {d, 0, 0, "", std::string("not a sweep result directory (no ") + kManifest + ")"});
        }
    }
    problems.throw_if_any();
    return m;
}

// ---------------------------------------------------------------------------------------------
// Points on disk

json point_json(const SweepPoint& p) {
    json s = json::object();
    for (const auto& [k, v] : p.settings) s[k] = v;
    return {{"index", p.index}, {"id", p.id}, {"workload", p.workload}, {"settings", s}};
}

SweepPoint point_from_json(const json& j) {
    SweepPoint p;
    p.index = j.at("index").get<size_t>();
    p.id = j.at("id").get<std::string>();
    p.workload = j.at("workload").get<std::string>();
    for (const auto& [k, v] : j.at("settings").items()) p.settings.emplace_back(k, v);
    return p;
}

void write_manifest(const fs::path& dir, const std::string& hw, bool timing_only,
                    const std::vector<SweepPoint>& points) {
    json list = json::array();
    for (const SweepPoint& p : points) list.push_back(point_json(p));
    const json m = {{"hw", hw}, {"timing_only", timing_only}, {"points", list}};
    write_file(dir / kManifest, m.dump(2) + "\n");
}

// A point's directory is complete when it holds stats.json (it ran) or error.txt (invalid).
bool complete(const fs::path& point_dir) {
    return fs::is_regular_file(point_dir / "stats.json") ||
           fs::is_regular_file(point_dir / kErrorFile);
}

struct Row {
    const SweepPoint* point = nullptr;
    std::string status;  // ok, mismatch, invalid, failed, missing
    std::string error;
    uint64_t cycles = 0, dram_bytes = 0;
    double latency_s = 0, ips = 0, energy_pj = 0, tops_per_watt = 0, utilization = 0;
    double area_mm2 = 0;  // the config's area estimate (0: none)
    bool pareto = false;
    bool pareto_area = false;  // on (latency, energy, area): also optimal for its silicon area
};

std::string num(double v) {
    char buf[40];
    std::snprintf(buf, sizeof buf, "%.12g", v);
    return buf;
}

// Results of `points` (in index order) from DIR/points; `failures` holds this run's errors of
// points that did not complete. Also writes DIR/report.html (and `html` when not empty).
void write_results(const fs::path& dir, const std::vector<SweepPoint>& points,
                   const std::map<std::string, std::string>& failures, const std::string& hw,
                   const std::string& html) {
    std::vector<Row> rows;
    for (const SweepPoint& p : points) {
        Row r;
        r.point = &p;
        const fs::path pd = dir / "points" / p.id;
        if (fs::is_regular_file(pd / "stats.json")) {
            try {
                const json doc = report::read_stats_json((pd / "stats.json").string());
                const json& t = doc.at("totals");
                // A timing-only run checks nothing: bit_exact is false there but means nothing.
                const bool differs =
                    t.value("layers_checked", 0) > 0 && !t.value("bit_exact", true);
                r.status = differs ? "mismatch" : "ok";
                r.cycles = t.at("cycles").get<uint64_t>();
                r.latency_s = t.at("time_s").get<double>();
                r.ips = t.at("inferences_per_second").get<double>();
                r.energy_pj = t.at("energy_pj").at("total").get<double>();
                r.tops_per_watt =
                    report::tops_per_watt(t.at("macs_total").get<double>(), r.energy_pj);
                r.dram_bytes = t.at("dram_bytes").get<uint64_t>();
                r.utilization = t.at("mac_utilization").get<double>();
                r.area_mm2 = t.value("area_mm2", 0.0);
            } catch (const UserError& e) {
                r.status = "failed";
                r.error = e.diagnostics().front().message;
            } catch (const json::exception& e) {
                r.status = "failed";
                r.error = std::string("stats.json: ") + e.what();
            }
        } else if (fs::is_regular_file(pd / kErrorFile)) {
            r.status = "invalid";
            r.error = slurp(pd / kErrorFile);
            while (!r.error.empty() && r.error.back() == '\n') r.error.pop_back();
        } else if (const auto f = failures.find(p.id); f != failures.end()) {
            r.status = "failed";
            r.error = f->second;
        } else {
            r.status = "missing";
        }
        rows.push_back(std::move(r));
    }
    // The Pareto front per workload among the points that ran correctly.
    std::map<std::string, std::vector<size_t>> by_workload;
    for (size_t i = 0; i < rows.size(); ++i) {
        if (rows[i].status == "ok") by_workload[rows[i].point->workload].push_back(i);
    }
    for (const auto& [wl, idx] : by_workload) {
        std::vector<std::pair<double, double>> pts;
        for (size_t i : idx) pts.emplace_back(rows[i].latency_s, rows[i].energy_pj);
        const std::vector<bool> front = pareto_front(pts);
        std::vector<std::vector<double>> with_area;
        for (size_t i : idx) {
            with_area.push_back({rows[i].latency_s, rows[i].energy_pj, rows[i].area_mm2});
        }
        const std::vector<bool> front3 = pareto_front(with_area);
        for (size_t k = 0; k < idx.size(); ++k) {
            rows[idx[k]].pareto = front[k];
            rows[idx[k]].pareto_area = front3[k];
        }
    }

    std::set<std::string> keyset;
    for (const SweepPoint& p : points) {
        for (const auto& kv : p.settings) keyset.insert(kv.first);
    }
    const std::vector<std::string> keys(keyset.begin(), keyset.end());
    std::string csv = "id,workload";
    for (const std::string& k : keys) csv += "," + report::csv_field(k);
    csv +=
        ",status,cycles,latency_s,inferences_per_second,energy_pj,tops_per_watt,dram_bytes,"
        "mac_utilization,area_mm2,pareto,pareto_area,error\n";
    json list = json::array();
    for (const Row& r : rows) {
        const SweepPoint& p = *r.point;
        std::map<std::string, std::string> s(p.settings.begin(), p.settings.end());
        csv += p.id + "," + report::csv_field(p.workload);
        for (const std::string& k : keys) csv += "," + report::csv_field(s.count(k) ? s[k] : "");
        const bool ran = r.status == "ok" || r.status == "mismatch";
        csv += "," + r.status;
        if (ran) {
            csv += "," + std::to_string(r.cycles) + "," + num(r.latency_s) + "," + num(r.ips) +
                   "," + num(r.energy_pj) + "," + num(r.tops_per_watt) + "," +
                   std::to_string(r.dram_bytes) + "," + num(r.utilization) + "," + num(r.area_mm2);
        } else {
            csv += ",,,,,,,,";
        }
        csv += std::string(",") + (r.pareto ? "true" : "false") + "," +
               (r.pareto_area ? "true" : "false") + "," + report::csv_field(r.error) + "\n";
        json j = point_json(p);
        j.erase("index");
        j["status"] = r.status;
        j["pareto"] = r.pareto;
        j["pareto_area"] = r.pareto_area;
        if (ran) {
            j["cycles"] = r.cycles;
            j["latency_s"] = r.latency_s;
            j["inferences_per_second"] = r.ips;
            j["energy_pj"] = r.energy_pj;
            j["tops_per_watt"] = r.tops_per_watt;
            j["dram_bytes"] = r.dram_bytes;
            j["mac_utilization"] = r.utilization;
            j["area_mm2"] = r.area_mm2;
        }
        if (!r.error.empty()) j["error"] = r.error;
        list.push_back(std::move(j));
    }
    write_file(dir / "results.csv", csv);
    write_file(dir / "results.json", json{{"points", list}}.dump(2) + "\n");

    report::SweepReport page;
    // The directory's name, not its path: the page stays the same wherever the sweep lives.
    page.title = dir.lexically_normal().has_filename()
                     ? dir.lexically_normal().filename().string()
                     : dir.lexically_normal().parent_path().filename().string();
    page.hw = hw;
    page.keys = keys;
    for (const Row& r : rows) {
        report::SweepRow h;
        h.id = r.point->id;
        h.workload = r.point->workload;
        h.settings = r.point->settings;
        h.status = r.status;
        h.error = r.error;
        h.cycles = r.cycles;
        h.dram_bytes = r.dram_bytes;
        h.latency_s = r.latency_s;
        h.inferences_per_second = r.ips;
        h.energy_pj = r.energy_pj;
        h.tops_per_watt = r.tops_per_watt;
        h.mac_utilization = r.utilization;
        h.pareto = r.pareto;
        page.rows.push_back(std::move(h));
    }
    report::write_sweep_html((dir / "report.html").string(), page);
    if (!html.empty()) report::write_sweep_html(html, page);
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

struct Counts {
    size_t done = 0, skipped = 0, invalid = 0, failed = 0;
};

// Runs the points not complete yet; returns the errors of those that failed (not persisted, so
// a rerun retries them).
std::map<std::string, std::string> run_points(const std::vector<SweepPoint>& todo, const Options& o,
                                              const fs::path& dir, std::ostream& out,
                                              Counts& counts) {
    const std::string hw = find_input(o.spec.hw);
    std::map<std::string, std::string> failures;
    const std::string tmp_prefix = ".tmp-" + std::to_string(::getpid()) + "-";
    size_t finished = 0;
    Progress progress = Progress::on_stderr(o.progress, "sweep", "points", todo.size());
    const auto show = [&] {
        const size_t failed = counts.failed;
        progress.update(finished, failed ? std::to_string(failed) + " failed" : "", true);
    };
    show();
    auto tmp_of = [&](const SweepPoint& p) { return dir / "points" / (tmp_prefix + p.id); };
    const auto job = [&](size_t i) {
        const SweepPoint& p = todo[i];
        const fs::path tmp = tmp_of(p);
        fs::remove_all(tmp);
        fs::create_directories(tmp);
        Job j{{"run", "--hw", hw, "--workload", find_input(p.workload)},
              tmp / "run.out",
              tmp / "run.err"};
        for (const auto& [k, v] : p.settings) j.args.insert(j.args.end(), {"--set", k + "=" + v});
        if (o.spec.timing_only) j.args.push_back("--timing-only");
        j.args.insert(j.args.end(), {"--quiet", "--out", tmp.string()});
        return j;
    };
    const auto not_started = [&](size_t i, const std::string& error) {
        failures[todo[i].id] = error;
        ++counts.failed;
        show();
    };
    const auto done = [&](size_t i, int status) {
        const SweepPoint& p = todo[i];
        const fs::path tmp = tmp_of(p);
        const int code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
        std::string verdict;
        // Exit 0, or 1 (outputs differ; stats.json is written): the point ran.
        const bool ran = (code == 0 || code == 1) && fs::is_regular_file(tmp / "stats.json");
        if (ran || code == 2) {
            if (code == 2) {
                std::string why = first_line(tmp / "run.err");
                write_file(tmp / kErrorFile, (why.empty() ? "exit 2" : why) + "\n");
                ++counts.invalid;
                verdict = "invalid: " + why;
            } else {
                verdict = first_line(tmp / "run.out");
            }
            fs::remove(tmp / "run.out");
            fs::remove(tmp / "run.err");
            write_file(tmp / kPointFile, point_json(p).dump(2) + "\n");
            const fs::path final_dir = dir / "points" / p.id;
            fs::remove_all(final_dir);
            fs::rename(tmp, final_dir);
            ++counts.done;
        } else {
            std::string why = first_line(tmp / "run.err");
            if (why.empty()) why = first_line(tmp / "run.out");
            const std::string how = WIFEXITED(status)
                                        ? "exit " + std::to_string(code)
                                        : "killed by signal " + std::to_string(WTERMSIG(status));
            failures[p.id] = how + (why.empty() ? "" : ": " + why);
            verdict = "FAILED (" + failures[p.id] + ")";
            ++counts.failed;
            fs::remove_all(tmp);
        }
        ++finished;
        progress.clear();
        out << "[" << finished << "/" << todo.size() << "] " << p.id << " " << p.workload;
        for (const auto& [k, v] : p.settings) out << " " << k << "=" << v;
        out << ": " << verdict << '\n' << std::flush;
        show();
    };
    run_jobs(todo.size(), o.jobs, job, done, not_started);
    progress.clear();
    return failures;
}

int run_sweep(const Options& o, std::ostream& out) {
    const std::vector<SweepPoint> all = expand_sweep(o.spec);
    std::vector<SweepPoint> mine;
    for (const SweepPoint& p : all) {
        if (p.index % o.shards == o.shard) mine.push_back(p);
    }
    const fs::path dir(o.out);
    std::error_code ec;
    fs::create_directories(dir / "points", ec);
    if (ec) {
        throw UserError(
            Diagnostic{o.out, 0, 0, "--out", "cannot create the directory: " + ec.message()});
    }
    write_manifest(dir, o.spec.hw, o.spec.timing_only, all);
    Counts counts;
    std::vector<SweepPoint> todo;
    for (const SweepPoint& p : mine) {
        if (complete(dir / "points" / p.id)) {
            ++counts.skipped;
        } else {
            todo.push_back(p);
        }
    }
    const size_t jobs = std::max<size_t>(1, std::min(o.jobs, todo.size()));
    out << "npusim sweep: " << mine.size() << " point" << (mine.size() == 1 ? "" : "s");
    if (o.shards > 1)
        out << " (shard " << o.shard << "/" << o.shards << " of " << all.size() << ")";
    out << ", " << todo.size() << " to run, " << jobs << " job" << (jobs == 1 ? "" : "s")
        << ", results in " << o.out << "\n"
        << std::flush;
    const auto t0 = std::chrono::steady_clock::now();
    Options run_opts = o;
    run_opts.jobs = jobs;
    const std::map<std::string, std::string> failures =
        run_points(todo, run_opts, dir, out, counts);
    const double wall =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    write_results(dir, mine, failures, o.spec.hw, o.html);
    char secs[32];
    std::snprintf(secs, sizeof secs, "%.1f s", wall);
    out << counts.done << " done, " << counts.skipped << " skipped (" << counts.invalid
        << " invalid, " << counts.failed << " failed) in " << secs << "\nwrote "
        << (dir / "results.csv").string() << ", " << (dir / "results.json").string() << ", "
        << (dir / "report.html").string() << (o.html.empty() ? "" : ", " + o.html) << '\n';
    return counts.failed == 0 ? 0 : 1;
}

int merge_sweeps(const MergeOptions& m, std::ostream& out) {
    std::map<size_t, SweepPoint> points;  // by index: the results' order
    std::string hw;
    bool timing_only = false;
    const fs::path dest(m.out);
    fs::create_directories(dest / "points");
    for (const std::string& in : m.inputs) {
        const fs::path manifest = fs::path(in) / kManifest;
        try {
            const json doc = json::parse(slurp(manifest));
            if (hw.empty()) {
                hw = doc.at("hw").get<std::string>();
                timing_only = doc.at("timing_only").get<bool>();
            }
            for (const json& j : doc.at("points")) {
                SweepPoint p = point_from_json(j);
                const auto [it, fresh] = points.emplace(p.index, p);
                if (!fresh && it->second.id != p.id) {
                    throw UserError(Diagnostic{manifest.string(), 0, 0, "points",
                                               "point " + std::to_string(p.index) + " is " + p.id +
                                                   " here but " + it->second.id +
                                                   " in an earlier directory: not the same sweep"});
                }
            }
        } catch (const json::exception& e) {
            throw UserError(Diagnostic{manifest.string(), 0, 0, "", e.what()});
        }
        for (const auto& entry : fs::directory_iterator(fs::path(in) / "points")) {
            const std::string name = entry.path().filename().string();
            if (name.empty() || name[0] == '.' || !complete(entry.path())) continue;
            const fs::path target = dest / "points" / name;
            if (fs::exists(target) || fs::equivalent(entry.path().parent_path(), dest / "points")) {
                continue;
            }
            fs::copy(entry.path(), target, fs::copy_options::recursive);
        }
    }
    std::vector<SweepPoint> list;
    for (auto& [i, p] : points) list.push_back(std::move(p));
    write_manifest(dest, hw, timing_only, list);
    write_results(dest, list, {}, hw, m.html);
    size_t missing = 0;
    for (const SweepPoint& p : list) missing += complete(dest / "points" / p.id) ? 0 : 1;
    out << "npusim sweep merge: " << list.size() - missing << " of " << list.size()
        << " points complete";
    if (missing > 0) out << ", " << missing << " missing (rerun their shards)";
    out << "\nwrote " << (dest / "results.csv").string() << ", " << (dest / "results.json").string()
        << ", " << (dest / "report.html").string() << (m.html.empty() ? "" : ", " + m.html) << '\n';
    return missing == 0 ? 0 : 1;
}

}  // namespace

SweepSpec load_sweep_file(const std::string& path) { return SweepLoader(path).load(); }

std::string point_id(const std::string& workload, const Settings& settings) {
    uint64_t h = 1469598103934665603ull;
    auto feed = [&h](const std::string& s) {
        for (char c : s) {
            h ^= static_cast<unsigned char>(c);
            h *= 1099511628211ull;
        }
        h ^= 0xff;  // separator: no byte of a text, so "ab"+"c" differs from "a"+"bc"
        h *= 1099511628211ull;
    };
    feed(workload);
    Settings sorted = settings;
    std::sort(sorted.begin(), sorted.end());
    for (const auto& [k, v] : sorted) {
        feed(k);
        feed(v);
    }
    char buf[20];
    std::snprintf(buf, sizeof buf, "%012llx",
                  static_cast<unsigned long long>(h & 0xffffffffffffull));
    return buf;
}

std::vector<SweepPoint> expand_sweep(const SweepSpec& spec) {
    DiagnosticList problems;
    std::vector<Settings> combos;
    if (!spec.grid.empty()) {
        std::vector<size_t> at(spec.grid.size(), 0);
        for (const auto& dim : spec.grid) {
            if (dim.second.empty()) return {};
        }
        while (true) {
            Settings s;
            for (size_t d = 0; d < spec.grid.size(); ++d) {
                const Settings& alt = spec.grid[d].second[at[d]];
                s.insert(s.end(), alt.begin(), alt.end());
            }
            combos.push_back(std::move(s));
            size_t d = spec.grid.size();  // odometer: the last dimension moves fastest
            while (d > 0 && ++at[d - 1] == spec.grid[d - 1].second.size()) at[--d] = 0;
            if (d == 0) break;
        }
    }
    combos.insert(combos.end(), spec.points.begin(), spec.points.end());
    if (combos.empty()) combos.emplace_back();
    for (Settings& c : combos) {
        std::stable_sort(c.begin(), c.end(),
                         [](const auto& a, const auto& b) { return a.first < b.first; });
        for (size_t i = 1; i < c.size(); ++i) {
            if (c[i].first == c[i - 1].first) {
                problems.add({"<sweep>", 0, 0, c[i].first,
                              "set twice in one point ('" + c[i - 1].second + "' and '" +
                                  c[i].second + "')"});
            }
        }
    }
    problems.throw_if_any();
    std::vector<SweepPoint> out;
    std::set<std::string> seen;
    for (const std::string& wl : spec.workloads) {
        for (const Settings& c : combos) {
            SweepPoint p;
            p.workload = wl;
            p.settings = c;
            p.id = point_id(p.workload, p.settings);
            if (!seen.insert(p.id).second) continue;
            p.index = out.size();
            out.push_back(std::move(p));
        }
    }
    return out;
}

std::vector<bool> pareto_front(const std::vector<std::pair<double, double>>& points) {
    std::vector<std::vector<double>> v;
    for (const auto& [l, e] : points) v.push_back({l, e});
    return pareto_front(v);
}

std::vector<bool> pareto_front(const std::vector<std::vector<double>>& points) {
    std::vector<bool> front(points.size(), true);
    for (size_t i = 0; i < points.size(); ++i) {
        for (size_t j = 0; j < points.size() && front[i]; ++j) {
            bool all_le = true, some_lt = false;
            for (size_t d = 0; d < points[i].size() && d < points[j].size(); ++d) {
                all_le = all_le && points[j][d] <= points[i][d];
                some_lt = some_lt || points[j][d] < points[i][d];
            }
            if (all_le && some_lt) front[i] = false;
        }
    }
    return front;
}

int sweep_main(const std::vector<std::string>& args, std::ostream& out) {
    if (!args.empty() && args[0] == "merge") {
        return merge_sweeps(parse_merge({args.begin() + 1, args.end()}), out);
    }
    return run_sweep(parse_options(args), out);
}

}  // namespace npu::cli

#include "sim/cli/sweep.h"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <thread>

#include "sim/cli/cli_util.h"
#include "sim/cli/options.h"
#include "sim/cli/sweep_impl.h"
#include "sim/config/config_loader.h"
#include "sim/config/config_schema.h"
#include "sim/config/paths.h"
#include "sim/core/error.h"
#include "sim/report/output_file.h"

namespace npu::cli {
namespace sweep_impl {

std::string input_path(cfg::InputKind kind, const std::string& p) {
    return cfg::find_input(kind, p).value_or("");
}

std::map<std::string, std::string> Identity::per_workload() const {
    std::map<std::string, std::string> m;
    for (const auto& [wl, h] : workloads) m[wl] = sweep_identity(config_hash, h, timing_only);
    return m;
}

json Identity::to_json() const {
    return {{"config", config_hash},
            {"workloads", workloads},
            {"mode", timing_only ? "timing" : "functional"}};
}

Context make_context(const SweepSpec& spec) {
    Context c;
    const std::string hw = input_path(cfg::InputKind::kHwConfig, spec.hw);
    // The effective base config (so an energy table or a default that changes changes the ids);
    // the file's bytes when it does not load on its own (a point's settings may repair it).
    auto base = std::make_shared<cfg::HwConfig>();
    try {
        *base = cfg::load_hw_config(hw, {});
        c.identity.config_hash = content_hash(cfg::dump_yaml(*base));
    } catch (const UserError&) {
        c.identity.config_hash = content_hash(slurp(hw));
        try {
            *base = cfg::default_hw_config();
        } catch (const UserError&) {
        }
    }
    for (const std::string& wl : spec.workloads) {
        c.identity.workloads[wl] = content_hash(slurp(input_path(cfg::InputKind::kWorkload, wl)));
    }
    c.identity.timing_only = spec.timing_only;
    c.base_value = [base](const std::string& key) -> std::string {
        const cfg::FieldSpec* f = cfg::find_field(key);
        return f ? cfg::format_field(*f, *base) : "";
    };
    return c;
}

namespace {

// The config loader's verdict on one key=value: "" when the key exists and (when `with_value`)
// its parser and range accept the value, else its message ("unknown key, did you mean
// 'array.rows'?", "is a section, not a key: ...", "expected a whole number, found 'abc'").
// Rules across keys are the points' business: a value may be valid only with another key's.
std::string key_problem(const std::string& key, const std::string& value, bool with_value) {
    if (!with_value && (key == "energy" || cfg::find_field(key) != nullptr)) return "";
    const std::vector<Diagnostic> problems = cfg::check_overrides({key + "=" + value});
    for (const Diagnostic& d : problems) {
        if (d.key == key) return d.message;
    }
    return problems.empty() ? "" : problems.front().message;
}

// A constraint bound as a number: plain for result columns, with the key's own parser for
// config keys (so `max: 512KiB` works on scratchpad.size).
std::optional<double> bound_value(const std::string& column, const std::string& text,
                                  std::string& problem) {
    if (text.empty()) return std::nullopt;
    if (const cfg::FieldSpec* f = cfg::find_field(column)) {
        cfg::HwConfig scratch;
        if (auto err = cfg::assign_field(*f, scratch, text)) {
            problem = *err;
            return std::nullopt;
        }
        if (f->access.as_int) return f->access.as_int(scratch);
        if (f->access.as_u64) return static_cast<double>(f->access.as_u64(scratch));
        if (f->access.as_double) return f->access.as_double(scratch);
        problem = "is not a number (" + cfg::type_name(f->type) + "): cannot be bounded";
        return std::nullopt;
    }
    try {
        size_t used = 0;
        const double v = std::stod(text, &used);
        if (used == text.size()) return v;
    } catch (const std::exception&) {
    }
    problem = "expected a number, found '" + text + "'";
    return std::nullopt;
}

}  // namespace

void check_spec_keys(SweepSpec& spec, DiagnosticList& problems) {
    const auto check = [&](const std::string& key, const std::string& value, Diagnostic at,
                           bool with_value = true) {
        const std::string why = key_problem(key, value, with_value);
        if (why.empty()) return;
        at.key = key;
        at.message = why;
        problems.add(at);
    };
    for (const SweepDimension& d : spec.grid) {
        std::set<std::string> seen;
        for (const Settings& alt : d.alternatives) {
            for (const auto& [k, v] : alt) {
                if (seen.insert(k).second) check(k, v, d.where);
            }
        }
    }
    for (size_t i = 0; i < spec.points.size(); ++i) {
        const Diagnostic at = i < spec.point_where.size() ? spec.point_where[i] : Diagnostic{};
        for (const auto& [k, v] : spec.points[i]) check(k, v, at);
    }
    for (size_t i = 0; i < spec.derived.size(); ++i) {
        const Diagnostic at = i < spec.derived_where.size()
                                  ? spec.derived_where[i]
                                  : Diagnostic{"<command line>", 0, 0, "", ""};
        check(spec.derived[i].first, spec.derived[i].second, at, false);  // a template
        // Every {KEY} the template reads must be a config key too.
        const std::string& t = spec.derived[i].second;
        for (size_t open = t.find('{'); open != std::string::npos; open = t.find('{', open + 1)) {
            const size_t close = t.find('}', open);
            std::string ref = t.substr(open + 1, close == std::string::npos ? 0 : close - open - 1);
            ref = ref.substr(0, ref.find_first_of("*/+- "));
            if (cfg::find_field(ref) == nullptr) {
                Diagnostic d = at;
                d.message = "the template reads '" + ref + "': " + key_problem(ref, "0", false);
                problems.add(d);
            }
        }
    }
    const auto& cols = sweep_result_columns();
    for (SweepConstraint& c : spec.constraints) {
        Diagnostic at = c.where;
        at.key = "constraints." + c.column;
        const bool result = std::find(cols.begin(), cols.end(), c.column) != cols.end();
        if (!result && cfg::find_field(c.column) == nullptr) {
            std::string hint;
            for (const std::string& col : cols) {
                if (c.column.size() > 2 &&
                    (col.rfind(c.column, 0) == 0 || c.column.rfind(col, 0) == 0)) {
                    hint = "did you mean '" + col + "'?";
                }
            }
            const std::string loader = key_problem(c.column, "0", false);
            if (hint.empty() && loader.find("did you mean") != std::string::npos) {
                hint = loader.substr(loader.find("did you mean"));
            }
            at.message = "unknown column: expected a result column (" + join(cols) +
                         ") or a config key" + (hint.empty() ? "" : "; " + hint);
            problems.add(at);
            continue;
        }
        for (const bool is_max : {false, true}) {
            const std::string& text = is_max ? c.max_text : c.min_text;
            std::string why;
            const std::optional<double> v = bound_value(c.column, text, why);
            if (!why.empty()) {
                at.message = std::string(is_max ? "max" : "min") + ": " + why;
                problems.add(at);
            }
            (is_max ? c.max : c.min) = v;
        }
    }
}

json point_json(const SweepPoint& p) {
    json s = json::object();
    for (const auto& [k, v] : p.settings) s[k] = v;
    json j = {{"index", p.index}, {"id", p.id}, {"workload", p.workload}, {"settings", s}};
    if (p.generation > 0) j["generation"] = p.generation;
    return j;
}

SweepPoint point_from_json(const json& j) {
    SweepPoint p;
    p.index = j.at("index").get<size_t>();
    p.id = j.at("id").get<std::string>();
    p.workload = j.at("workload").get<std::string>();
    p.generation = j.value("generation", size_t{0});
    for (const auto& [k, v] : j.at("settings").items()) p.settings.emplace_back(k, v);
    return p;
}

void write_manifest(const fs::path& dir, const SweepSpec& spec, const Identity& identity,
                    const std::vector<SweepPoint>& points) {
    json list = json::array();
    for (const SweepPoint& p : points) list.push_back(point_json(p));
    json m = ResultSpec::of(spec).to_json();
    m["timing_only"] = spec.timing_only;
    m["strategy"] = spec.strategy;
    m["identity"] = identity.to_json();
    m["points"] = list;
    report::write_file_atomic((dir / kManifest).string(), m.dump(2) + "\n");
}

}  // namespace sweep_impl

namespace {

using namespace sweep_impl;

struct MergeOptions {
    std::vector<std::string> inputs;
    std::string out;
    std::string html;
    bool force = false;
};

size_t parse_count(const std::string& v, size_t max) {
    const bool digits = !v.empty() && v.size() < 10 && v.find_first_not_of("0123456789") == v.npos;
    return digits ? std::stoul(v) : max + 1;
}

void check_html_target(const std::string& html, bool force, DiagnosticList& problems) {
    if (html.empty()) return;
    if (const std::string why = report::output_path_problem(html); !why.empty()) {
        problems.add({html, 0, 0, "--html", why});
    } else if (fs::exists(html) && !force) {
        problems.add({html, 0, 0, "--html", "the file exists; add --force to overwrite it"});
    }
}

// `--grid KEY=V1,V2,...` or `--grid K1,K2=A1:A2,B1:B2,...` (keys that move together).
void parse_grid_flag(const std::string& v, SweepSpec& spec,
                     const std::function<void(const std::string&)>& bad) {
    const size_t eq = v.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == v.size()) {
        bad("--grid: expected key=value1,value2,... or k1,k2=a1:a2,b1:b2,..., found '" + v + "'");
        return;
    }
    std::vector<std::string> keys;
    std::stringstream ks(v.substr(0, eq));
    for (std::string k; std::getline(ks, k, ',');) keys.push_back(k);
    SweepDimension dim;
    dim.name = v.substr(0, eq);
    dim.where = {"<command line>", 0, 0, "", ""};
    std::stringstream list(v.substr(eq + 1));
    for (std::string item; std::getline(list, item, ',');) {
        std::vector<std::string> values;
        std::stringstream vs(item);
        for (std::string x; std::getline(vs, x, keys.size() > 1 ? ':' : '\0');) values.push_back(x);
        const bool empty = std::any_of(values.begin(), values.end(),
                                       [](const std::string& x) { return x.empty(); });
        if (item.empty() || empty || values.size() != keys.size()) {
            bad("--grid: expected " + std::to_string(keys.size()) + " value" +
                (keys.size() > 1 ? "s joined by ':'" : "") + " per alternative in '" + v +
                "', found '" + item + "'");
            return;
        }
        Settings alt;
        for (size_t k = 0; k < keys.size(); ++k) alt.emplace_back(keys[k], values[k]);
        dim.alternatives.push_back(std::move(alt));
    }
    spec.grid.push_back(std::move(dim));
}

Options parse_options(const std::vector<std::string>& args) {
    std::vector<std::string> command{"sweep"};
    command.insert(command.end(), args.begin(), args.end());
    // The table (sim/cli/options.cc) checks the words: unknown options, missing values, whole
    // numbers, options given twice.
    const ParsedCommand p = parse_command_line(command);
    Options o;
    o.args = args;
    DiagnosticList problems;
    auto bad = [&](const std::string& msg) { problems.add({"<command line>", 0, 0, "", msg}); };
    const std::optional<std::string> hw = p.value("--hw"), name = p.value("--name"),
                                     color_by = p.value("--color-by"),
                                     strategy = p.value("--strategy"), budget = p.value("--budget"),
                                     seed = p.value("--seed"), population = p.value("--population"),
                                     objectives = p.value("--objectives");
    const std::vector<std::string> workloads = p.all("--workload");
    std::vector<std::pair<std::string, std::string>> derived;
    const bool timing_only = p.has("--timing-only");
    const bool flag_form =
        hw || !workloads.empty() || p.has("--grid") || p.has("--precisions") || p.has("--derive");
    const std::vector<std::string>& words = p.words;
    const auto count_flag = [&](const std::string& arg, const std::string& v, size_t max) {
        const size_t n = parse_count(v, max);
        if (n == 0 || n > max)
            bad(arg + ": expected a number from 1 to " + std::to_string(max) + ", found " +
                in_quotes(v));
        return n;
    };
    for (const std::string& g : p.all("--grid")) parse_grid_flag(g, o.spec, bad);
    // --precisions LIST is --grid precision=LIST.
    if (const auto list = p.value("--precisions"))
        parse_grid_flag("precision=" + *list, o.spec, bad);
    for (const std::string& v : p.all("--derive")) {
        const size_t eq = v.find('=');
        if (eq == std::string::npos || eq == 0 || eq + 1 == v.size()) {
            bad("--derive: expected KEY=TEMPLATE such as scratchpad.bank_width={array.rows}B, "
                "found " +
                in_quotes(v));
        } else {
            derived.emplace_back(v.substr(0, eq), v.substr(eq + 1));
        }
    }
    o.out = p.value("--out").value_or("");
    o.html = p.value("--html").value_or("");
    if (const auto j = p.value("-j")) o.jobs = count_flag("-j", *j, 9999);
    // Counts the option table checked, range included (sim/cli/options.cc).
    if (p.has("--points-per-process")) o.points_per_process = p.count("--points-per-process");
    if (const auto v = p.value("--shard")) {
        const size_t slash = v->find('/');
        const size_t i = slash == v->npos ? 0 : parse_count(v->substr(0, slash), 999999);
        const size_t n = slash == v->npos ? 0 : parse_count(v->substr(slash + 1), 999999);
        if (n == 0 || n > 999999 || i >= n) {
            bad("--shard: expected i/N with 0 <= i < N, found " + in_quotes(*v));
        } else {
            o.shard = i;
            o.shards = n;
        }
    }
    if (const auto v = p.value("--generation")) {
        const size_t g = parse_count(*v, 999999);
        if (g > 999999) {
            bad("--generation: expected a generation number, found " + in_quotes(*v));
        } else {
            o.generation = static_cast<long>(g);
        }
    }
    o.slurm.enabled = p.has("--slurm");
    o.driver = p.has("--slurm-driver");
    o.slurm.partition = p.value("--partition").value_or(o.slurm.partition);
    o.slurm.time = p.value("--time").value_or(o.slurm.time);
    if (p.has("--tasks")) o.slurm.tasks = p.count("--tasks");
    if (p.has("--cpus-per-task")) o.slurm.cpus_per_task = p.count("--cpus-per-task");
    o.slurm.sbatch_args = p.all("--sbatch-arg");
    o.progress = !p.has("--no-progress");
    o.force = p.has("--force");
    if (!words.empty()) {
        o.file = words[0];
        if (flag_form) {
            bad("sweep: give either a sweep file or --hw/--workload/--grid/--derive, not both");
        }
    } else {
        if (workloads.empty()) bad("sweep: expected a sweep file or at least one --workload");
        if (o.out.empty()) bad("sweep: --out DIR is required without a sweep file");
        // The same resolution as `npusim run` (bundled names, paths under the data directory).
        const auto resolves = [&](cfg::InputKind kind, const std::string& given, const char* flag) {
            try {
                (void)cfg::resolve_input(kind, given, flag);
            } catch (const UserError& e) {
                for (const Diagnostic& d : e.diagnostics()) problems.add(d);
            }
        };
        for (const std::string& w : workloads) resolves(cfg::InputKind::kWorkload, w, "--workload");
        o.spec.hw = hw.value_or("configs/edge_npu.yaml");
        resolves(cfg::InputKind::kHwConfig, o.spec.hw, "--hw");
        o.spec.workloads = workloads;
        // The report's title: the workloads' names (not --out, which differs between shards).
        std::vector<std::string> stems;
        for (const std::string& w : workloads) stems.push_back(fs::path(w).stem().string());
        o.spec.name = join(stems, " + ");
        o.spec.derived = derived;
        o.spec.derived_where.assign(derived.size(), Diagnostic{"<command line>", 0, 0, "", ""});
    }
    if (o.slurm.enabled && o.shards > 1) bad("--slurm makes its own shards: leave out --shard");
    if (o.slurm.enabled && o.generation >= 0) bad("--slurm and --generation do not go together");
    check_html_target(o.html, o.force, problems);
    problems.throw_if_any();
    if (!o.file.empty()) {
        o.spec = load_sweep_file(cfg::resolve_input(cfg::InputKind::kSweep, o.file, "sweep file"));
        if (o.out.empty()) o.out = "sweep-" + fs::path(o.file).stem().string();
    }
    // Flags that override or complete the file.
    if (name) o.spec.name = *name;
    if (color_by) o.spec.color_by = *color_by;
    if (strategy) o.spec.strategy = *strategy;        // one of the table's choices
    if (budget) o.spec.budget = std::stoul(*budget);  // the table checked 1 to 100000000
    if (seed) o.spec.seed = count_flag("--seed", *seed, UINT32_MAX);
    if (population) o.spec.population = std::stoul(*population);  // checked: 1 to 100000
    if (objectives) {
        o.spec.objectives.clear();
        std::stringstream ss(*objectives);
        for (std::string x; std::getline(ss, x, ',');) {
            const auto& all = sweep_objectives();
            if (std::none_of(all.begin(), all.end(),
                             [&](const ObjectiveInfo& i) { return i.name == x; })) {
                std::vector<std::string> names;
                for (const ObjectiveInfo& i : all) names.push_back(i.name);
                bad("--objectives: expected names from " + join(names) + ", found " + in_quotes(x));
            }
            o.spec.objectives.push_back(x);
        }
    }
    if (o.spec.strategy != "grid" && o.spec.budget == 0) {
        bad("strategy " + o.spec.strategy + " needs a budget (budget: N, or --budget N)");
    }
    if (o.spec.strategy != "grid" && o.spec.grid.empty()) {
        bad("strategy " + o.spec.strategy + " searches the grid's dimensions; give a grid");
    }
    o.spec.timing_only = o.spec.timing_only || timing_only;
    if (o.jobs == 0) o.jobs = std::max(1u, std::thread::hardware_concurrency());
    // A sweep file's keys were checked as it was read.
    if (o.file.empty()) check_spec_keys(o.spec, problems);
    problems.throw_if_any();
    return o;
}

MergeOptions parse_merge(const std::vector<std::string>& args) {
    std::vector<std::string> command{"sweep", "merge"};
    command.insert(command.end(), args.begin(), args.end());
    const ParsedCommand p = parse_command_line(command);  // DIR... and --out are required
    MergeOptions m;
    DiagnosticList problems;
    m.out = p.value("--out").value_or("");
    m.html = p.value("--html").value_or("");
    m.force = p.has("--force");
    m.inputs = p.words;
    for (const std::string& d : m.inputs) {
        if (!fs::is_regular_file(fs::path(d) / kManifest)) {
            problems.add(
                {d, 0, 0, "", std::string("not a sweep result directory (no ") + kManifest + ")"});
        }
    }
    check_html_target(m.html, m.force, problems);
    problems.throw_if_any();
    return m;
}

fs::path make_out_dir(const std::string& out) {
    const fs::path dir(out);
    std::error_code ec;
    fs::create_directories(dir / "points", ec);
    if (ec) {
        throw UserError(
            Diagnostic{out, 0, 0, "--out", "cannot create the directory: " + ec.message()});
    }
    return dir;
}

// Points of `mine` not complete yet; complete ones are counted as skipped, and the directory of
// a point left incomplete (unreadable files from an older version or a damaged disk) is removed
// so the point runs again.
std::vector<SweepPoint> still_to_run(const fs::path& dir, const std::vector<SweepPoint>& mine,
                                     Counts& counts) {
    std::vector<SweepPoint> todo;
    for (const SweepPoint& p : mine) {
        const fs::path pd = dir / "points" / p.id;
        if (complete(pd, p.id)) {
            ++counts.skipped;
            continue;
        }
        std::error_code ec;
        fs::remove_all(pd, ec);
        todo.push_back(p);
    }
    return todo;
}

std::string seconds(double s) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1f s", s);
    return buf;
}

void print_summary(std::ostream& out, const Counts& c, double wall, const fs::path& dir,
                   const std::string& html) {
    out << c.done << " done, " << c.skipped << " skipped (" << c.invalid << " invalid, " << c.failed
        << " failed) in " << seconds(wall) << "\nwrote " << (dir / "results.csv").string() << ", "
        << (dir / "results.json").string() << ", " << (dir / "report.html").string()
        << (html.empty() ? "" : ", " + html) << '\n';
}

// The points of a grid, random or lhs sweep, known before anything runs.
int run_enumerated(const Options& o, const Context& ctx, std::ostream& out) {
    const std::vector<SweepPoint> all =
        expand_sweep(o.spec, ctx.identity.per_workload(), ctx.base_value);
    if (o.slurm.enabled) return submit_slurm(o, all, out);
    std::vector<SweepPoint> mine;
    for (const SweepPoint& p : all) {
        if (p.index % o.shards == o.shard) mine.push_back(p);
    }
    const fs::path dir = make_out_dir(o.out);
    DirLock lock(dir, ".lock", true);
    write_manifest(dir, o.spec, ctx.identity, all);
    Counts counts;
    const std::vector<SweepPoint> todo = still_to_run(dir, mine, counts);
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
    write_results(dir, mine, failures, ResultSpec::of(o.spec), o.html);
    print_summary(out, counts, wall, dir, o.html);
    return counts.failed == 0 ? 0 : 1;
}

// The points the manifest of DIR lists (a search's points so far).
std::vector<SweepPoint> manifest_points(const fs::path& dir) {
    std::vector<SweepPoint> pts;
    if (!fs::is_regular_file(dir / kManifest)) return pts;
    try {
        const json doc = json::parse(slurp(dir / kManifest));
        for (const json& j : doc.at("points")) pts.push_back(point_from_json(j));
    } catch (const json::exception& e) {
        throw UserError(Diagnostic{(dir / kManifest).string(), 0, 0, "", e.what()});
    }
    return pts;
}

// nsga2 job-array task (--generation G --shard I/N): runs its share of generation G's points,
// as the driver listed them in DIR/sweep.json, straight into DIR/points.
int run_generation_task(const Options& o, std::ostream& out) {
    const fs::path dir = make_out_dir(o.out);
    DirLock shared(dir, ".lock", false);
    DirLock mine_lock(dir,
                      ".lock-gen-" + std::to_string(o.generation) + "-" + std::to_string(o.shard) +
                          "-of-" + std::to_string(o.shards),
                      true);
    std::vector<SweepPoint> gen;
    for (const SweepPoint& p : manifest_points(dir)) {
        if (static_cast<long>(p.generation) == o.generation) gen.push_back(p);
    }
    std::vector<SweepPoint> mine;
    for (size_t k = 0; k < gen.size(); ++k) {
        if (k % o.shards == o.shard) mine.push_back(gen[k]);
    }
    Counts counts;
    const std::vector<SweepPoint> todo = still_to_run(dir, mine, counts);
    out << "npusim sweep: generation " << o.generation << ", shard " << o.shard << "/" << o.shards
        << ": " << mine.size() << " points, " << todo.size() << " to run\n"
        << std::flush;
    Options run_opts = o;
    run_opts.jobs = std::max<size_t>(1, std::min(o.jobs, todo.size()));
    run_points(todo, run_opts, dir, out, counts);
    out << counts.done << " done, " << counts.skipped << " skipped (" << counts.invalid
        << " invalid, " << counts.failed << " failed)\n";
    return counts.failed == 0 ? 0 : 1;
}

// NSGA-II: generation after generation, each one's new points run together (-j locally, a job
// array under --slurm-driver). Deterministic for the seed, so a rerun replays the search from
// the finished points and runs only what is missing.
int run_search(const Options& o, const Context& ctx, std::ostream& out) {
    if (o.slurm.enabled) return submit_slurm(o, {}, out);
    if (o.shards > 1) {
        throw UserError(Diagnostic{
            "<command line>", 0, 0, "--shard",
            "strategy nsga2 runs its generations in order: --shard runs one generation's share "
            "(with --generation G, as its Slurm job arrays do); run the search itself without "
            "--shard, locally or with --slurm"});
    }
    const fs::path dir = make_out_dir(o.out);
    std::optional<DirLock> lock, driver_lock;
    if (o.driver) {
        lock.emplace(dir, ".lock", false);
        driver_lock.emplace(dir, ".lock-driver", true);
    } else {
        lock.emplace(dir, ".lock", true);
    }
    const std::map<std::string, std::string> identity = ctx.identity.per_workload();
    const ResultSpec rs = ResultSpec::of(o.spec);
    std::vector<Dimension> dims;
    for (const SweepDimension& d : o.spec.grid) dims.push_back({d.alternatives.size(), d.ordered});
    const size_t population = nsga2_population(o.spec.population, o.spec.budget);
    std::vector<SweepPoint> all;
    std::set<std::string> ids;
    std::map<std::string, std::string> failures;
    Counts counts;
    const auto t0 = std::chrono::steady_clock::now();
    out << "npusim sweep: nsga2, budget " << o.spec.budget << " per workload, population "
        << population << ", seed " << o.spec.seed << ", results in " << o.out << "\n"
        << std::flush;
    bool stopped = false;
    for (const std::string& wl : o.spec.workloads) {
        const auto evaluate = [&](size_t gen, const std::vector<Genome>& genomes,
                                  std::vector<Evaluation>& evals) {
            std::vector<SweepPoint> batch;
            for (const Genome& g : genomes) {
                SweepPoint p;
                p.workload = wl;
                p.settings = settings_of(o.spec, g, ctx.base_value);
                p.id = point_id(wl, p.settings, identity.at(wl));
                p.generation = gen;
                if (ids.insert(p.id).second) {
                    p.index = all.size();
                    all.push_back(p);
                }
                batch.push_back(p);
            }
            write_manifest(dir, o.spec, ctx.identity, all);
            std::vector<SweepPoint> todo = still_to_run(dir, batch, counts);
            out << "generation " << gen << ": " << batch.size() << " points, " << todo.size()
                << " to run\n"
                << std::flush;
            if (!todo.empty()) {
                if (o.driver) {
                    if (!run_generation_on_slurm(o, gen, todo.size(), out)) {
                        // The array's own task logs say why; its points are read back below.
                    }
                    for (const SweepPoint& p : todo) {
                        if (complete(dir / "points" / p.id, p.id)) {
                            ++counts.done;
                        } else {
                            failures[p.id] = "the generation's job array did not complete it";
                            ++counts.failed;
                        }
                    }
                } else {
                    Options run_opts = o;
                    run_opts.jobs = std::max<size_t>(1, std::min(o.jobs, todo.size()));
                    const auto f = run_points(todo, run_opts, dir, out, counts);
                    failures.insert(f.begin(), f.end());
                }
            }
            const std::vector<Row> rows = read_rows(dir, batch, failures, rs);
            for (const Row& r : rows) {
                if (r.status == "failed" || r.status == "missing") return false;
                evals.push_back(evaluation_of(r, o.spec.objectives));
            }
            return true;
        };
        const SearchResult res = nsga2(dims, population, o.spec.budget, o.spec.seed, evaluate);
        if (res.stopped) {
            stopped = true;
            break;
        }
    }
    const double wall =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    write_results(dir, all, failures, rs, o.html);
    if (stopped) {
        out << "the search stopped: a point failed (rerun to retry it and go on)\n";
    }
    print_summary(out, counts, wall, dir, o.html);
    return counts.failed == 0 && !stopped ? 0 : 1;
}

int run_sweep(const Options& o, std::ostream& out) {
    const Context ctx = make_context(o.spec);
    if (o.generation >= 0) return run_generation_task(o, out);
    if (o.spec.strategy == "nsga2") return run_search(o, ctx, out);
    return run_enumerated(o, ctx, out);
}

// The identity and point list of a sweep directory, for merge's same-sweep check.
struct ManifestInfo {
    json identity;
    ResultSpec rs;
    bool timing_only = false;
    std::vector<SweepPoint> points;
};

ManifestInfo read_manifest(const fs::path& manifest) {
    ManifestInfo m;
    try {
        const json doc = json::parse(slurp(manifest));
        m.identity = doc.value("identity", json());
        m.rs = ResultSpec::from_json(doc);
        m.timing_only = doc.at("timing_only").get<bool>();
        for (const json& j : doc.at("points")) m.points.push_back(point_from_json(j));
    } catch (const json::exception& e) {
        throw UserError(Diagnostic{manifest.string(), 0, 0, "", e.what()});
    }
    return m;
}

int merge_sweeps(const MergeOptions& m, std::ostream& out) {
    std::map<size_t, SweepPoint> points;  // by index: the results' order
    std::optional<ManifestInfo> first;
    std::string first_dir;
    const fs::path dest(m.out);
    fs::create_directories(dest / "points");
    DirLock lock(dest, ".lock", true);
    for (const std::string& in : m.inputs) {
        const fs::path manifest = fs::path(in) / kManifest;
        const ManifestInfo info = read_manifest(manifest);
        if (!first) {
            first = info;
            first_dir = in;
        } else {
            std::string why;
            if (info.identity != first->identity) {
                const json& a = first->identity;
                const json& b = info.identity;
                if (a.value("config", "") != b.value("config", "") || info.rs.hw != first->rs.hw) {
                    why = "its hardware config differs (hw " + info.rs.hw + " vs " + first->rs.hw +
                          ")";
                } else if (a.value("mode", "") != b.value("mode", "")) {
                    why = "its mode differs (" + b.value("mode", "?") + " vs " +
                          a.value("mode", "?") + ")";
                } else {
                    why = "its workloads differ (their files changed)";
                }
            } else if (info.points.size() != first->points.size()) {
                why = "it has " + std::to_string(info.points.size()) + " points, " + first_dir +
                      " has " + std::to_string(first->points.size());
            }
            if (!why.empty()) {
                throw UserError(Diagnostic{
                    in, 0, 0, "", "not a shard of the same sweep as " + first_dir + ": " + why});
            }
        }
        for (const SweepPoint& p : info.points) {
            const auto [it, fresh] = points.emplace(p.index, p);
            if (!fresh && it->second.id != p.id) {
                throw UserError(Diagnostic{manifest.string(), 0, 0, "points",
                                           "point " + std::to_string(p.index) + " is " + p.id +
                                               " here but " + it->second.id + " in " + first_dir +
                                               ": not the same sweep"});
            }
        }
        for (const auto& entry : fs::directory_iterator(fs::path(in) / "points")) {
            const std::string name = entry.path().filename().string();
            if (name.empty() || name[0] == '.' || !complete(entry.path(), name)) continue;
            const fs::path target = dest / "points" / name;
            if (fs::equivalent(entry.path().parent_path(), dest / "points")) continue;
            if (complete(target, name)) continue;
            fs::remove_all(target);
            link_point(entry.path(), target);
        }
    }
    std::vector<SweepPoint> list;
    for (auto& [i, p] : points) list.push_back(std::move(p));
    // The merged manifest keeps the shards' identity and result spec as they were.
    json doc = json::parse(slurp(fs::path(m.inputs.front()) / kManifest));
    json plist = json::array();
    for (const SweepPoint& p : list) plist.push_back(point_json(p));
    doc["points"] = plist;
    report::write_file_atomic((dest / kManifest).string(), doc.dump(2) + "\n");
    write_results(dest, list, {}, first->rs, m.html);
    size_t missing = 0;
    for (const SweepPoint& p : list) missing += complete(dest / "points" / p.id, p.id) ? 0 : 1;
    out << "npusim sweep merge: " << list.size() - missing << " of " << list.size()
        << " points complete";
    if (missing > 0) out << ", " << missing << " missing (rerun their shards)";
    out << "\nwrote " << (dest / "results.csv").string() << ", " << (dest / "results.json").string()
        << ", " << (dest / "report.html").string() << (m.html.empty() ? "" : ", " + m.html) << '\n';
    return missing == 0 ? 0 : 1;
}

}  // namespace

int sweep_main(const std::vector<std::string>& args, std::ostream& out) {
    if (!args.empty() && args[0] == "merge") {
        return merge_sweeps(parse_merge({args.begin() + 1, args.end()}), out);
    }
    if (!args.empty() && args[0] == "status") {
        return sweep_status({args.begin() + 1, args.end()}, out);
    }
    if (!args.empty() && args[0] == "run-batch")
        return run_batch({args.begin() + 1, args.end()}, out);
    return run_sweep(parse_options(args), out);
}

}  // namespace npu::cli

// The sweep file, point ids and the expansion of a sweep into points (docs/sweeps.md).
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "sim/cli/cli_util.h"
#include "sim/cli/sweep.h"
#include "sim/cli/sweep_impl.h"
#include "sim/config/paths.h"

namespace npu::cli {
namespace {

namespace fs = std::filesystem;

const std::vector<std::string> kTopKeys = {
    "name",       "hw",          "workloads", "grid",   "points", "derived",    "timing_only",
    "objectives", "constraints", "strategy",  "budget", "seed",   "population", "color_by"};
const std::vector<std::string> kStrategies = {"grid", "random", "lhs", "nsga2"};

// "256KiB" -> (256, "KiB"); "8" -> (8, ""); false when the text does not start with a number.
bool number_and_unit(const std::string& text, double& value, std::string& unit) {
    size_t used = 0;
    try {
        value = std::stod(text, &used);
    } catch (const std::exception&) {
        return false;
    }
    if (used == 0 || !std::isfinite(value)) return false;
    unit = text.substr(used);
    return true;
}

std::string format_number(double v) {
    char buf[40];
    std::snprintf(buf, sizeof buf, "%.12g", v);
    return buf;
}

class SweepLoader : public YamlChecker {
  public:
    explicit SweepLoader(std::string file) : YamlChecker(std::move(file)) {}

    SweepSpec load() {
        const YAML::Node top = load_top_map("sweep file", "hw, workloads, grid, points");
        check_keys(top, "", kTopKeys);
        SweepSpec s;
        s.name = fs::path(m_file).stem().string();
        if (const YAML::Node n = top["name"]) {
            if (scalar(n, "name", "a name")) s.name = n.Scalar();
        }
        s.hw = "configs/edge_npu.yaml";
        if (const YAML::Node hw = top["hw"]) {
            if (scalar(hw, "hw", "a config file")) s.hw = hw.Scalar();
            check_file(hw, "hw", cfg::InputKind::kHwConfig);
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
                check_file(wls[i], at, cfg::InputKind::kWorkload);
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
                    const std::string at = "points[" + std::to_string(i) + "]";
                    if (settings_map(pts[i], at, st)) {
                        s.points.push_back(std::move(st));
                        s.point_where.push_back(where(pts[i].Mark(), at));
                    }
                }
            }
        }
        if (const YAML::Node d = top["derived"]) parse_derived(d, s);
        if (const YAML::Node o = top["objectives"]) parse_objectives(o, s);
        if (const YAML::Node c = top["constraints"]) parse_constraints(c, s);
        parse_strategy(top, s);
        if (const YAML::Node c = top["color_by"]) {
            if (scalar(c, "color_by", "a swept key")) {
                s.color_by = c.Scalar();
                if (!swept(s, s.color_by)) {
                    error(c.Mark(), "color_by",
                          "expected a key the sweep sets (grid, points or derived), found '" +
                              s.color_by + "'");
                }
            }
        }
        sweep_impl::check_spec_keys(s, m_diags);
        m_diags.throw_if_any();
        return s;
    }

  private:
    Diagnostic where(const YAML::Mark& mark, const std::string& key) const {
        const bool known = mark.line >= 0;
        return {m_file, known ? mark.line + 1 : 0, known ? mark.column + 1 : 0, key, ""};
    }

    bool scalar(const YAML::Node& n, const std::string& at, const std::string& what) {
        if (n.IsScalar() && !n.Scalar().empty()) return true;
        error(n.Mark(), at, "expected " + what + ", found " + describe(n));
        return false;
    }

    // Resolved as `npusim run` resolves --hw and --workload (cfg::resolve_input).
    void check_file(const YAML::Node& n, const std::string& at, cfg::InputKind kind) {
        if (!n.IsScalar() || n.Scalar().empty()) return;
        try {
            (void)cfg::resolve_input(kind, n.Scalar(), at);
        } catch (const UserError& e) {
            error(n.Mark(), at, e.diagnostics().front().message);
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

    // {range: [LO, HI], step: pow2 | N}: LO, LO*2, ... or LO, LO+N, ... up to HI, with LO's unit.
    bool parse_range(const YAML::Node& n, const std::string& at, const std::string& key,
                     std::vector<Settings>& out) {
        check_keys(n, at, {"range", "step"});
        const YAML::Node r = n["range"];
        if (!r || !r.IsSequence() || r.size() != 2 || !r[0].IsScalar() || !r[1].IsScalar()) {
            error(r ? r.Mark() : n.Mark(), at + ".range",
                  "expected [low, high], e.g. [8, 256] or [64KiB, 1024KiB], found " +
                      (r ? describe(r) : std::string("nothing")));
            return false;
        }
        double lo = 0, hi = 0;
        std::string lo_unit, hi_unit;
        if (!number_and_unit(r[0].Scalar(), lo, lo_unit) ||
            !number_and_unit(r[1].Scalar(), hi, hi_unit) || lo_unit != hi_unit || lo > hi ||
            lo <= 0) {
            error(r.Mark(), at + ".range",
                  "expected [low, high] with 0 < low <= high, both numbers with the same unit "
                  "(e.g. [8, 256], [64KiB, 1024KiB]), found [" +
                      r[0].Scalar() + ", " + r[1].Scalar() + "]");
            return false;
        }
        std::string step = "1";
        if (const YAML::Node st = n["step"]) {
            if (st.IsScalar()) step = st.Scalar();
        }
        double linear = 0;
        std::string step_unit;
        const bool pow2 = step == "pow2";
        if (!pow2 && (!number_and_unit(step, linear, step_unit) || linear <= 0 ||
                      (!step_unit.empty() && step_unit != lo_unit))) {
            error(n["step"].Mark(), at + ".step",
                  "expected pow2 or a positive number, found '" + step + "'");
            return false;
        }
        constexpr size_t kMaxSteps = 100000;
        for (double v = lo; v <= hi * (1 + 1e-12); v = pow2 ? v * 2 : v + linear) {
            out.push_back({{key, format_number(v) + lo_unit}});
            if (out.size() > kMaxSteps) {
                error(n.Mark(), at, "the range has more than 100000 steps");
                return false;
            }
        }
        return true;
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
            SweepDimension dim;
            dim.name = k;
            dim.where = where(it->first.Mark(), k);
            if (values.IsMap() && values["range"]) {
                if (parse_range(values, at, k, dim.alternatives)) s.grid.push_back(std::move(dim));
                continue;
            }
            if (!values.IsSequence() || values.size() == 0) {
                error(values.Mark(), at,
                      "expected a non-empty list of values or {range: [low, high], step: ...}, "
                      "found " +
                          describe(values));
                continue;
            }
            for (size_t i = 0; i < values.size(); ++i) {
                const std::string at_i = at + "[" + std::to_string(i) + "]";
                Settings st;
                if (values[i].IsMap()) {
                    if (settings_map(values[i], at_i, st)) {
                        dim.alternatives.push_back(std::move(st));
                    }
                } else if (scalar(values[i], at_i, "a value or a map of key: value")) {
                    dim.alternatives.push_back({{k, values[i].Scalar()}});
                    double v = 0;
                    std::string unit;
                    // Words (int8, ws, a table name) have no order: mutate to any other value.
                    if (!number_and_unit(values[i].Scalar(), v, unit)) dim.ordered = false;
                }
            }
            s.grid.push_back(std::move(dim));
        }
    }

    void parse_derived(const YAML::Node& d, SweepSpec& s) {
        if (!d.IsMap() || d.size() == 0) {
            error(d.Mark(), "derived",
                  "expected a map of config key: template such as \"{array.rows}B\", found " +
                      describe(d));
            return;
        }
        check_keys(d, "derived", {});
        for (auto it = d.begin(); it != d.end(); ++it) {
            const std::string k = it->first.IsScalar() ? it->first.Scalar() : "";
            if (k.empty() || !scalar(it->second, "derived." + k, "a template")) continue;
            s.derived.emplace_back(k, it->second.Scalar());
            s.derived_where.push_back(where(it->second.Mark(), "derived." + k));
        }
    }

    void parse_objectives(const YAML::Node& o, SweepSpec& s) {
        std::vector<std::string> names;
        for (const ObjectiveInfo& i : sweep_objectives()) names.push_back(i.name);
        if (!o.IsSequence() || o.size() == 0) {
            error(o.Mark(), "objectives",
                  "expected a non-empty list of objectives from " + join(names) + ", found " +
                      describe(o));
            return;
        }
        s.objectives.clear();
        for (size_t i = 0; i < o.size(); ++i) {
            const std::string at = "objectives[" + std::to_string(i) + "]";
            if (!scalar(o[i], at, "an objective")) continue;
            const std::string v = o[i].Scalar();
            if (std::find(names.begin(), names.end(), v) == names.end()) {
                error(o[i].Mark(), at,
                      "expected one of " + join(names) + ", found '" + v + "'" + hint(v, names));
            } else if (std::find(s.objectives.begin(), s.objectives.end(), v) !=
                       s.objectives.end()) {
                error(o[i].Mark(), at, "'" + v + "' is named twice");
            } else {
                s.objectives.push_back(v);
            }
        }
    }

    void parse_constraints(const YAML::Node& c, SweepSpec& s) {
        if (!c.IsMap() || c.size() == 0) {
            error(c.Mark(), "constraints",
                  "expected a map of column: {min: X, max: Y}, e.g. area_mm2: {max: 1.0}, found " +
                      describe(c));
            return;
        }
        check_keys(c, "constraints", {});
        for (auto it = c.begin(); it != c.end(); ++it) {
            const std::string k = it->first.IsScalar() ? it->first.Scalar() : "";
            if (k.empty()) continue;
            const std::string at = "constraints." + k;
            const YAML::Node b = it->second;
            if (!b.IsMap() || (!b["min"] && !b["max"])) {
                error(b.Mark(), at, "expected {min: X}, {max: Y} or both, found " + describe(b));
                continue;
            }
            check_keys(b, at, {"min", "max"});
            SweepConstraint con;
            con.column = k;
            con.where = where(it->first.Mark(), k);
            for (const char* side : {"min", "max"}) {
                const YAML::Node v = b[side];
                if (!v) continue;
                if (!scalar(v, at + "." + side, "a number")) continue;
                (std::string(side) == "min" ? con.min_text : con.max_text) = v.Scalar();
            }
            s.constraints.push_back(std::move(con));
        }
    }

    size_t count(const YAML::Node& top, const char* key, size_t max) {
        const YAML::Node n = top[key];
        if (!n) return 0;
        const std::string v = n.IsScalar() ? n.Scalar() : "";
        const bool digits =
            !v.empty() && v.size() < 19 && v.find_first_not_of("0123456789") == std::string::npos;
        const unsigned long long x = digits ? std::stoull(v) : 0;
        if (!digits || x == 0 || x > max) {
            error(n.Mark(), key,
                  "expected a whole number from 1 to " + std::to_string(max) + ", found " +
                      describe(n));
            return 0;
        }
        return static_cast<size_t>(x);
    }

    void parse_strategy(const YAML::Node& top, SweepSpec& s) {
        if (const YAML::Node st = top["strategy"]) {
            const std::string v = st.IsScalar() ? st.Scalar() : "";
            if (std::find(kStrategies.begin(), kStrategies.end(), v) == kStrategies.end()) {
                error(st.Mark(), "strategy",
                      "expected one of " + join(kStrategies) + ", found " + describe(st));
            } else {
                s.strategy = v;
            }
        }
        s.budget = count(top, "budget", 100000000);
        s.population = count(top, "population", 100000);
        if (top["seed"]) s.seed = count(top, "seed", UINT32_MAX);
        const bool search = s.strategy != "grid";
        if (search && s.budget == 0 && !top["budget"]) {
            error(top["strategy"].Mark(), "budget",
                  "strategy " + s.strategy + " needs budget: (the number of points to run)");
        }
        if (search && s.grid.empty() && top["strategy"]) {
            error(top["strategy"].Mark(), "grid",
                  "strategy " + s.strategy + " searches the grid's dimensions; give a grid:");
        }
        for (const char* k : {"budget", "seed", "population"}) {
            if (!search && top[k]) {
                error(top[k].Mark(), k, "only for strategy random, lhs or nsga2 (this is a grid)");
            }
        }
        if (s.population > 0 && s.strategy != "nsga2") {
            error(top["population"].Mark(), "population", "only for strategy nsga2");
        }
    }

    static bool swept(const SweepSpec& s, const std::string& key) {
        const auto in = [&](const Settings& st) {
            return std::any_of(st.begin(), st.end(),
                               [&](const auto& kv) { return kv.first == key; });
        };
        for (const SweepDimension& d : s.grid) {
            if (std::any_of(d.alternatives.begin(), d.alternatives.end(), in)) return true;
        }
        for (const auto& [k, t] : s.derived) {
            if (k == key) return true;
        }
        return std::any_of(s.points.begin(), s.points.end(), in);
    }

    // " (did you mean 'x'?)" when one of `names` starts with `v`, or `v` with it.
    static std::string hint(const std::string& v, const std::vector<std::string>& names) {
        for (const std::string& n : names) {
            if (v.size() > 2 && (n.rfind(v, 0) == 0 || v.rfind(n, 0) == 0)) {
                return " (did you mean '" + n + "'?)";
            }
        }
        return "";
    }
};

// Replaces each {KEY} or {KEY*N} / {KEY/N} / {KEY+N} / {KEY-N} in `tmpl` by the point's value of
// KEY (`value(KEY)`), with integer arithmetic on the number in front of the value's unit.
std::string expand_template(const std::string& tmpl, const std::string& key,
                            const std::function<std::string(const std::string&)>& value) {
    std::string out;
    size_t pos = 0;
    while (pos < tmpl.size()) {
        const size_t open = tmpl.find('{', pos);
        if (open == std::string::npos) {
            out += tmpl.substr(pos);
            break;
        }
        out += tmpl.substr(pos, open - pos);
        const size_t close = tmpl.find('}', open);
        if (close == std::string::npos) {
            throw UserError(
                Diagnostic{"<sweep>", 0, 0, key, "derived: '" + tmpl + "' has '{' without '}'"});
        }
        std::string expr = tmpl.substr(open + 1, close - open - 1);
        expr.erase(std::remove(expr.begin(), expr.end(), ' '), expr.end());
        const size_t op = expr.find_first_of("*/+-");
        const std::string ref = expr.substr(0, op);
        const std::string text = value(ref);
        if (op == std::string::npos) {
            out += text;
        } else {
            double v = 0, n = 0;
            std::string unit, rest;
            if (!number_and_unit(text, v, unit) || !number_and_unit(expr.substr(op + 1), n, rest) ||
                !rest.empty() || (expr[op] == '/' && n == 0)) {
                throw UserError(Diagnostic{
                    "<sweep>", 0, 0, key,
                    "derived: cannot compute '" + expr + "' (" + ref + " is '" + text + "')"});
            }
            const double r = expr[op] == '*'   ? v * n
                             : expr[op] == '/' ? v / n
                             : expr[op] == '+' ? v + n
                                               : v - n;
            out += format_number(r) + unit;
        }
        pos = close + 1;
    }
    return out;
}

uint64_t fnv(const std::string& s, uint64_t h = 1469598103934665603ull) {
    for (char c : s) {
        h ^= static_cast<unsigned char>(c);
        h *= 1099511628211ull;
    }
    return h;
}

}  // namespace

SweepSpec load_sweep_file(const std::string& path) { return SweepLoader(path).load(); }

const std::vector<ObjectiveInfo>& sweep_objectives() {
    static const std::vector<ObjectiveInfo> kList = {
        {"latency", "latency_s", false},
        {"energy", "energy_pj", false},
        {"edp", "edp", false},
        {"area", "area_mm2", false},
        {"dram_bytes", "dram_bytes", false},
        {"inferences_per_second", "inferences_per_second", true},
        {"tops_per_watt", "tops_per_watt", true}};
    return kList;
}

const std::vector<std::string>& sweep_result_columns() {
    static const std::vector<std::string> kList = {
        "cycles",        "latency_s",  "inferences_per_second", "energy_pj", "edp",
        "tops_per_watt", "dram_bytes", "mac_utilization",       "area_mm2"};
    return kList;
}

std::string content_hash(const std::string& bytes) {
    char buf[20];
    std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(fnv(bytes)));
    return buf;
}

std::string sweep_identity(const std::string& config_hash, const std::string& workload_hash,
                           bool timing_only) {
    return content_hash(config_hash + "|" + workload_hash + "|" +
                        (timing_only ? "timing" : "functional"));
}

std::string point_id(const std::string& workload, const Settings& settings,
                     const std::string& identity) {
    uint64_t h = 1469598103934665603ull;
    auto feed = [&h](const std::string& s) {
        h = fnv(s, h);
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
    feed(identity);
    char buf[20];
    std::snprintf(buf, sizeof buf, "%012llx",
                  static_cast<unsigned long long>(h & 0xffffffffffffull));
    return buf;
}

namespace {

// Sorts a point's settings by key, adds the derived keys and reports a key set twice.
Settings finish_settings(const SweepSpec& spec, Settings s,
                         const std::function<std::string(const std::string&)>& base_value,
                         DiagnosticList& problems) {
    std::stable_sort(s.begin(), s.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
    for (size_t i = 1; i < s.size(); ++i) {
        if (s[i].first == s[i - 1].first) {
            problems.add(
                {"<sweep>", 0, 0, s[i].first,
                 "set twice in one point ('" + s[i - 1].second + "' and '" + s[i].second + "')"});
        }
    }
    if (spec.derived.empty()) return s;
    const Settings given = s;
    // A template reads the point's settings, the derived keys before it, else the base config.
    const auto value = [&](const std::string& k) {
        for (const auto& [gk, gv] : s) {
            if (gk == k) return gv;
        }
        return base_value(k);
    };
    for (size_t d = 0; d < spec.derived.size(); ++d) {
        const auto& [key, tmpl] = spec.derived[d];
        for (const auto& [gk, gv] : given) {
            if (gk == key) {
                Diagnostic at = spec.derived_where[d];
                at.message = "is derived, but this point also sets it to '" + gv + "'";
                problems.add(at);
            }
        }
        try {
            s.emplace_back(key, expand_template(tmpl, key, value));
        } catch (const UserError& e) {
            Diagnostic at = spec.derived_where[d];
            at.message = e.diagnostics().front().message;
            problems.add(at);
        }
    }
    std::stable_sort(s.begin(), s.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
    return s;
}

}  // namespace

Settings settings_of(const SweepSpec& spec, const Genome& genome,
                     const std::function<std::string(const std::string&)>& base_value) {
    Settings s;
    for (size_t d = 0; d < spec.grid.size() && d < genome.size(); ++d) {
        const Settings& alt = spec.grid[d].alternatives[genome[d]];
        s.insert(s.end(), alt.begin(), alt.end());
    }
    DiagnosticList problems;
    s = finish_settings(spec, std::move(s), base_value, problems);
    problems.throw_if_any();
    return s;
}

std::vector<SweepPoint> expand_sweep(
    const SweepSpec& spec, const std::map<std::string, std::string>& identity,
    const std::function<std::string(const std::string&)>& base_value) {
    std::vector<Dimension> dims;
    for (const SweepDimension& d : spec.grid) dims.push_back({d.alternatives.size(), d.ordered});
    std::vector<Genome> genomes;
    if (!spec.grid.empty()) {
        if (spec.strategy == "random") {
            genomes = random_sample(dims, spec.budget, spec.seed);
        } else if (spec.strategy == "lhs") {
            genomes = lhs_sample(dims, spec.budget, spec.seed);
        } else {
            genomes = random_sample(dims, SIZE_MAX, 0);  // the whole grid, in order
        }
    }
    DiagnosticList problems;
    std::vector<Settings> combos;
    for (const Genome& g : genomes) {
        Settings s;
        for (size_t d = 0; d < spec.grid.size(); ++d) {
            const Settings& alt = spec.grid[d].alternatives[g[d]];
            s.insert(s.end(), alt.begin(), alt.end());
        }
        combos.push_back(finish_settings(spec, std::move(s), base_value, problems));
    }
    for (const Settings& p : spec.points) {
        combos.push_back(finish_settings(spec, p, base_value, problems));
    }
    if (combos.empty()) combos.push_back(finish_settings(spec, {}, base_value, problems));
    problems.throw_if_any();
    std::vector<SweepPoint> out;
    std::set<std::string> seen;
    for (const std::string& wl : spec.workloads) {
        const auto it = identity.find(wl);
        const std::string ident = it == identity.end() ? "" : it->second;
        for (const Settings& c : combos) {
            SweepPoint p;
            p.workload = wl;
            p.settings = c;
            p.id = point_id(p.workload, p.settings, ident);
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

}  // namespace npu::cli

#include "sim/cli/regress.h"

#include <sys/wait.h>
#include <unistd.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <set>
#include <sstream>
#include <thread>

#include "sim/cli/cli_util.h"
#include "sim/cli/options.h"
#include "sim/config/config_loader.h"
#include "sim/config/paths.h"
#include "sim/core/error.h"
#include "sim/core/input_file.h"
#include "sim/core/units.h"
#include "sim/core/yaml_messages.h"
#include "sim/graph/workload.h"
#include "sim/report/output_file.h"
#include "sim/report/stats_json.h"

namespace npu::cli {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr double kRelTolerance = 1e-9;
constexpr size_t kMaxDiffsShown = 20;  // per case; --update and `git diff` show the rest
const std::vector<std::string> kTopKeys = {"cases"};
const std::vector<std::string> kCaseKeys = {"name",  "config",      "workload", "set",
                                            "batch", "timing_only", "quick"};

std::string resolve(const std::string& root, const std::string& rel) {
    return fs::path(rel).is_absolute() || root.empty() ? rel : (fs::path(root) / rel).string();
}

// A name becomes a file name, so keep it to a portable set.
bool valid_case_name(const std::string& s) {
    return !s.empty() && s[0] != '.' && std::all_of(s.begin(), s.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.';
    });
}

class SuiteLoader : public YamlChecker {
  public:
    SuiteLoader(std::string file, std::string root)
        : YamlChecker(std::move(file)), m_root(std::move(root)) {}

    std::vector<RegressCase> load() {
        const YAML::Node top = load_top_map("suite file", "'cases'");
        check_keys(top, "", kTopKeys);
        std::vector<RegressCase> cases;
        const YAML::Node list = top["cases"];
        if (!list) {
            error(top.Mark(), "", "missing required key 'cases'");
        } else if (!list.IsSequence() || list.size() == 0) {
            error(list.Mark(), "cases",
                  "expected a non-empty list of cases, found " + describe(list));
        } else {
            std::set<std::string> names;
            for (size_t i = 0; i < list.size(); ++i) {
                RegressCase c;
                if (!parse_case(list[i], "cases[" + std::to_string(i) + "]", c)) continue;
                if (!c.name.empty() && !names.insert(c.name).second) {
                    error(list[i]["name"].Mark(), "cases[" + std::to_string(i) + "].name",
                          "duplicate case name '" + c.name + "'");
                }
                cases.push_back(std::move(c));
            }
        }
        m_diags.throw_if_any();
        return cases;
    }

  private:
    std::string m_root;

    bool text(const YAML::Node& map, const std::string& path, const std::string& key,
              std::string& value) {
        const YAML::Node n = map[key];
        if (!n) {
            error(map.Mark(), path, "missing required key '" + key + "'");
            return false;
        }
        if (!n.IsScalar() || n.Scalar().empty()) {
            error(n.Mark(), path + "." + key, "expected a text, found " + describe(n));
            return false;
        }
        value = n.Scalar();
        return true;
    }

    void flag(const YAML::Node& map, const std::string& path, const std::string& key, bool required,
              bool& value) {
        const YAML::Node n = map[key];
        if (!n) {
            if (required) error(map.Mark(), path, "missing required key '" + key + "'");
            return;
        }
        if (n.IsScalar() && (n.Scalar() == "true" || n.Scalar() == "false")) {
            value = n.Scalar() == "true";
        } else {
            error(n.Mark(), path + "." + key, "expected true or false, found " + describe(n));
        }
    }

    // A suite path must name an existing file, so a typo fails here and not in a child run.
    void file(const YAML::Node& map, const std::string& path, const std::string& key,
              std::string& value) {
        if (!text(map, path, key, value)) return;
        std::error_code ec;
        if (!fs::is_regular_file(resolve(m_root, value), ec)) {
            error(map[key].Mark(), path + "." + key,
                  "expected a file relative to the repository root, found '" + value +
                      "' (no such file under " + (m_root.empty() ? "." : m_root) + ")");
            value.clear();
        }
    }

    bool parse_case(const YAML::Node& n, const std::string& path, RegressCase& c) {
        if (!n.IsMap()) {
            error(n.Mark(), path,
                  "expected a case (a map with name, config, workload, quick), " +
                      std::string("found ") + describe(n));
            return false;
        }
        check_keys(n, path, kCaseKeys);
        if (text(n, path, "name", c.name) && !valid_case_name(c.name)) {
            error(n["name"].Mark(), path + ".name",
                  "expected a name of letters, digits, '_', '-' and '.' (it names the golden "
                  "file), found '" +
                      c.name + "'");
        }
        file(n, path, "config", c.config);
        file(n, path, "workload", c.workload);
        if (const YAML::Node b = n["batch"]) {
            // What --batch accepts: 1 .. graph::kMaxBatch.
            const std::optional<int64_t> v =
                b.IsScalar() ? units::parse_int(b.Scalar()) : std::nullopt;
            if (v && *v >= 1 && *v <= graph::kMaxBatch) {
                c.batch = static_cast<int32_t>(*v);
            } else {
                error(b.Mark(), path + ".batch",
                      "expected an integer from 1 to " + std::to_string(graph::kMaxBatch) +
                          " (run with --batch N), found " + describe(b));
            }
        }
        flag(n, path, "timing_only", false, c.timing_only);
        flag(n, path, "quick", true, c.quick);
        if (const YAML::Node sets = n["set"]) {
            if (!sets.IsSequence()) {
                error(sets.Mark(), path + ".set",
                      "expected a list of key=value overrides, found " + describe(sets));
            } else {
                for (size_t i = 0; i < sets.size(); ++i) {
                    const YAML::Node s = sets[i];
                    if (s.IsScalar() && s.Scalar().find('=') != std::string::npos &&
                        s.Scalar()[0] != '=') {
                        c.sets.push_back(s.Scalar());
                    } else {
                        error(s.Mark(), path + ".set[" + std::to_string(i) + "]",
                              "expected key=value, found " + describe(s));
                    }
                }
            }
        }
        // The overrides must be keys and values the config accepts; its own diagnostics say why.
        if (!c.config.empty()) {
            try {
                (void)cfg::load_hw_config(resolve(m_root, c.config), c.sets);
            } catch (const UserError& e) {
                const YAML::Node at = n["set"] ? n["set"] : n["config"];
                for (const Diagnostic& d : e.diagnostics()) {
                    error(at.Mark(), path + (n["set"] ? ".set" : ".config"), d.to_string());
                }
            }
        }
        return true;
    }
};

// ---------------------------------------------------------------------------------------------
// Comparison

bool close_enough(double a, double b) {
    return a == b || std::fabs(a - b) <= kRelTolerance * std::max(std::fabs(a), std::fabs(b));
}

void diff_into(const json& g, const json& n, const std::string& key, std::vector<FieldDiff>& out) {
    if (g.is_object() && n.is_object()) {
        std::set<std::string> keys;
        for (const auto& [k, v] : g.items()) keys.insert(k);
        for (const auto& [k, v] : n.items()) keys.insert(k);
        for (const std::string& k : keys) {
            // Wall time and the version string differ between honest runs.
            if (key.empty() && (k == "host" || k == "tool_version")) continue;
            const auto gi = g.find(k);
            const auto ni = n.find(k);
            diff_into(gi != g.end() ? *gi : json(), ni != n.end() ? *ni : json(),
                      key.empty() ? k : key + "." + k, out);
        }
        return;
    }
    if (g.is_array() && n.is_array()) {
        for (size_t i = 0; i < std::max(g.size(), n.size()); ++i) {
            diff_into(i < g.size() ? g[i] : json(), i < n.size() ? n[i] : json(),
                      key + "[" + std::to_string(i) + "]", out);
        }
        return;
    }
    // Integers (cycles, bytes, counts) exactly; a float on either side within the tolerance.
    if (g.is_number() && n.is_number() && (g.is_number_float() || n.is_number_float())) {
        if (!close_enough(g.get<double>(), n.get<double>())) out.push_back({key, g, n});
        return;
    }
    if (g != n) out.push_back({key, g, n});
}

std::string with_commas(std::string digits) {
    const size_t first = digits[0] == '-' ? 1 : 0;
    for (size_t i = digits.size(); i > first + 3; i -= 3) digits.insert(i - 3, ",");
    return digits;
}

// `digits`: significant digits of a floating-point value.
std::string show(const json& v, int digits = 12) {
    char buf[64];
    switch (v.type()) {
        case json::value_t::null:
            return "(missing)";
        case json::value_t::number_unsigned:
            return with_commas(std::to_string(v.get<uint64_t>()));
        case json::value_t::number_integer:
            return with_commas(std::to_string(v.get<int64_t>()));
        case json::value_t::number_float:
            // At least the integer digits, so 4586600 does not become 4.5866e+06.
            if (const double a = std::fabs(v.get<double>()); a >= 1 && a < 1e15) {
                digits = std::max(digits, static_cast<int>(std::log10(a)) + 1);
            }
            std::snprintf(buf, sizeof buf, "%.*g", digits, v.get<double>());
            return buf;
        case json::value_t::string:
            return v.get<std::string>();
        case json::value_t::object:
            return "(an object)";
        case json::value_t::array:
            return "(a list of " + std::to_string(v.size()) + ")";
        default:
            return v.dump();
    }
}

// The two sides of a difference, floats with just enough digits to tell them apart.
std::pair<std::string, std::string> show_pair(const FieldDiff& d) {
    for (int digits = 6; digits < 17; ++digits) {
        std::pair<std::string, std::string> p = {show(d.golden, digits), show(d.now, digits)};
        if (p.first != p.second) return p;
    }
    return {show(d.golden, 17), show(d.now, 17)};
}

// "(+3.7%)": the relative change of a number; small changes keep two significant digits.
std::string change(const json& g, const json& n) {
    if (!g.is_number() || !n.is_number()) return "";
    const double a = g.get<double>(), b = n.get<double>();
    if (a == 0) return "(from 0)";
    const double pct = (b - a) / std::fabs(a) * 100.0;
    char buf[64];
    std::snprintf(buf, sizeof buf, std::fabs(pct) >= 0.1 ? "(%+.1f%%)" : "(%+.2g%%)", pct);
    return buf;
}

// ---------------------------------------------------------------------------------------------
// Running

struct Options {
    std::string suite, golden_dir;
    std::vector<std::string> only;
    bool quick = false, update = false;
    size_t jobs = 0;
};

Options parse_options(const std::vector<std::string>& args, const std::string& root) {
    Options o;
    o.suite = resolve(root, "workloads/regression.yaml");
    o.golden_dir = resolve(root, "tests/golden");
    std::vector<std::string> words{"regress"};
    words.insert(words.end(), args.begin(), args.end());
    const ParsedCommand p = parse_command_line(words);
    if (const auto suite = p.value("--suite")) o.suite = *suite;
    if (const auto dir = p.value("--golden-dir")) o.golden_dir = *dir;
    if (const auto only = p.value("--only")) {
        std::stringstream list(*only);
        for (std::string name; std::getline(list, name, ',');) {
            if (!name.empty()) o.only.push_back(name);
        }
    }
    o.jobs = p.count("-j");
    o.quick = p.has("--quick");
    o.update = p.has("--update");
    if (o.jobs == 0) o.jobs = std::max(1u, std::thread::hardware_concurrency());
    return o;
}

std::vector<RegressCase> select(const std::vector<RegressCase>& all, const Options& o) {
    DiagnosticList problems;
    std::vector<std::string> names;
    for (const RegressCase& c : all) names.push_back(c.name);
    for (const std::string& n : o.only) {
        if (std::find(names.begin(), names.end(), n) == names.end()) {
            problems.add(
                {"<command line>", 0, 0, "--only",
                 "no case '" + n + "' in " + o.suite + "; expected one of: " + join(names)});
        }
    }
    problems.throw_if_any();
    std::vector<RegressCase> picked;
    for (const RegressCase& c : all) {
        const bool named =
            o.only.empty() || std::find(o.only.begin(), o.only.end(), c.name) != o.only.end();
        if (named && (!o.quick || c.quick)) picked.push_back(c);
    }
    if (picked.empty()) {
        throw UserError(Diagnostic{"<command line>", 0, 0, "",
                                   "no case selected: every chosen case has quick: false, and "
                                   "--quick leaves those out"});
    }
    return picked;
}

enum class Status { kOk, kChanged, kFailed, kNew };

struct Outcome {
    Status status = Status::kFailed;
    std::string error;  // kFailed: why
    std::vector<FieldDiff> diffs;
    json stats;  // the run's stats.json without "host", when the run succeeded
};

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> lines;
    std::stringstream ss(text);
    for (std::string l; std::getline(ss, l);) {
        if (!l.empty()) lines.push_back(l);
    }
    return lines;
}

// Judges one finished child: its exit status, then its stats.json against the golden.
Outcome judge(const RegressCase& c, int status, const fs::path& work, const Options& o) {
    Outcome r;
    const fs::path dir = work / c.name;
    if (!WIFEXITED(status)) {
        r.error = "killed by signal " + std::to_string(WTERMSIG(status));
        return r;
    }
    if (const int code = WEXITSTATUS(status); code != 0) {
        // Exit 1 is an output mismatch (the verdict is on stdout); others print "error: ...".
        std::vector<std::string> why = lines_of(slurp(work / (c.name + ".err")));
        if (why.empty()) why = lines_of(slurp(work / (c.name + ".out")));
        r.error = "exit " + std::to_string(code) + ": " + (why.empty() ? "no message" : why[0]);
        return r;
    }
    try {
        r.stats = report::read_stats_json((dir / "stats.json").string());
        r.stats.erase("host");
    } catch (const UserError& e) {
        r.error = e.diagnostics().front().to_string();
        return r;
    }
    const fs::path golden = fs::path(o.golden_dir) / (c.name + ".json");
    if (!report::path_taken(golden.string())) {  // a symlink loop or a directory is read (refused)
        r.status = Status::kNew;
        return r;
    }
    try {
        r.diffs = compare_stats(report::read_stats_json(golden.string()), r.stats);
    } catch (const UserError& e) {
        r.error = "golden " + e.diagnostics().front().to_string();
        return r;
    }
    r.status = r.diffs.empty() ? Status::kOk : Status::kChanged;
    return r;
}

std::vector<Outcome> run_cases(const std::vector<RegressCase>& cases, const Options& o,
                               const std::string& root, const fs::path& work) {
    std::vector<Outcome> outcomes(cases.size());
    run_jobs(
        cases.size(), o.jobs,
        [&](size_t i) {
            const RegressCase& c = cases[i];
            Job j{{"run", "--hw", resolve(root, c.config), "--workload", resolve(root, c.workload)},
                  work / (c.name + ".out"),
                  work / (c.name + ".err")};
            for (const std::string& s : c.sets) j.args.insert(j.args.end(), {"--set", s});
            if (c.batch > 0) j.args.insert(j.args.end(), {"--batch", std::to_string(c.batch)});
            if (c.timing_only) j.args.push_back("--timing-only");
            j.args.insert(j.args.end(), {"--quiet", "--force", "--out", (work / c.name).string()});
            return j;
        },
        [&](size_t i, int status) { outcomes[i] = judge(cases[i], status, work, o); },
        [&](size_t i, const std::string& error) { outcomes[i].error = error; });
    return outcomes;
}

void print_table(std::ostream& out, const std::vector<RegressCase>& cases,
                 const std::vector<Outcome>& outcomes) {
    size_t width = 4;
    for (const RegressCase& c : cases) width = std::max(width, c.name.size());
    auto pad = [](const std::string& s, size_t w, bool right = false) {
        const std::string fill(w > s.size() ? w - s.size() : 0, ' ');
        return right ? fill + s : s + fill;
    };
    out << pad("case", width) << "  status\n" << std::string(width + 40, '-') << '\n';
    for (size_t i = 0; i < cases.size(); ++i) {
        const Outcome& r = outcomes[i];
        out << pad(cases[i].name, width) << "  ";
        switch (r.status) {
            case Status::kOk:
                out << "ok\n";
                continue;
            case Status::kNew:
                out << "NEW (no golden)\n";
                continue;
            case Status::kFailed:
                out << "FAILED (" << r.error << ")\n";
                continue;
            case Status::kChanged:
                out << "CHANGED (" << r.diffs.size() << " field" << (r.diffs.size() == 1 ? "" : "s")
                    << ")\n";
        }
        const size_t shown = std::min(r.diffs.size(), kMaxDiffsShown);
        std::vector<std::pair<std::string, std::string>> values;
        size_t wk = 0, wg = 0, wn = 0;
        for (size_t d = 0; d < shown; ++d) {
            values.push_back(show_pair(r.diffs[d]));
            wk = std::max(wk, r.diffs[d].key.size());
            wg = std::max(wg, values[d].first.size());
            wn = std::max(wn, values[d].second.size());
        }
        for (size_t d = 0; d < shown; ++d) {
            const FieldDiff& f = r.diffs[d];
            const auto& [was, now] = values[d];
            const std::string pct = change(f.golden, f.now);
            std::string line = "    " + pad(f.key, wk) + "  " + pad(was, wg, true) + " -> " +
                               (pct.empty() ? now : pad(now, wn, true));
            if (!pct.empty()) line += "  " + pct;
            out << line << '\n';
        }
        if (r.diffs.size() > shown) {
            out << "    ... and " << r.diffs.size() - shown << " more fields\n";
        }
    }
}

// Removes the children's scratch directory however regress_main leaves.
struct ScratchDir {
    fs::path path;
    ~ScratchDir() {
        std::error_code ec;
        fs::remove_all(path, ec);
    }
};

}  // namespace

std::vector<RegressCase> load_regress_suite(const std::string& path, const std::string& root) {
    return SuiteLoader(path, root).load();
}

std::vector<FieldDiff> compare_stats(const json& golden, const json& now) {
    std::vector<FieldDiff> diffs;
    diff_into(golden, now, "", diffs);
    // The run's totals say the most: cycles, then the other figures, then its counters and
    // energy; the per-layer fields that moved with them come after.
    auto rank = [](const FieldDiff& d) {
        if (d.key == "totals.cycles") return 0;
        if (d.key.rfind("totals.", 0) != 0) return 3;
        return d.key.find('.', 7) == std::string::npos ? 1 : 2;
    };
    std::stable_sort(diffs.begin(), diffs.end(),
                     [&](const FieldDiff& a, const FieldDiff& b) { return rank(a) < rank(b); });
    return diffs;
}

int regress_main(const std::vector<std::string>& args, std::ostream& out) {
    const std::string root = cfg::data_dir();
    const Options o = parse_options(args, root);
    const std::vector<RegressCase> cases = select(load_regress_suite(o.suite, root), o);
    const size_t jobs = std::min(o.jobs, cases.size());
    out << "npusim regress: " << cases.size() << " case" << (cases.size() == 1 ? "" : "s") << " of "
        << o.suite << ", goldens in " << o.golden_dir << ", " << jobs << " job"
        << (jobs == 1 ? "" : "s") << "\n\n"
        << std::flush;

    const ScratchDir work{fs::temp_directory_path() /
                          ("npusim_regress_" + std::to_string(::getpid()))};
    fs::remove_all(work.path);
    fs::create_directories(work.path);
    const auto t0 = std::chrono::steady_clock::now();
    const std::vector<Outcome> outcomes = run_cases(cases, o, root, work.path);
    const double wall =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

    print_table(out, cases, outcomes);
    std::map<Status, size_t> count;
    std::vector<std::string> to_review;
    for (size_t i = 0; i < cases.size(); ++i) {
        ++count[outcomes[i].status];
        if (outcomes[i].status == Status::kChanged || outcomes[i].status == Status::kNew) {
            to_review.push_back(cases[i].name);
        }
    }
    char secs[32];
    std::snprintf(secs, sizeof secs, "%.1f s", wall);
    out << '\n'
        << count[Status::kOk] << " ok, " << count[Status::kChanged] << " changed, "
        << count[Status::kFailed] << " failed, " << count[Status::kNew] << " new (" << secs
        << ")\n";

    if (o.update) {
        std::error_code ec;
        fs::create_directories(o.golden_dir, ec);
        // Every golden's path is checked before any is written: an update is all or nothing.
        DiagnosticList problems;
        for (size_t i = 0; i < cases.size(); ++i) {
            if (outcomes[i].status == Status::kFailed) continue;
            const fs::path golden = fs::path(o.golden_dir) / (cases[i].name + ".json");
            if (const std::string p = report::output_path_problem(golden.string()); !p.empty()) {
                problems.add(Diagnostic{golden.string(), 0, 0, "--update", p});
            }
        }
        problems.throw_if_any();
        for (size_t i = 0; i < cases.size(); ++i) {
            if (outcomes[i].status == Status::kFailed) continue;
            const fs::path golden = fs::path(o.golden_dir) / (cases[i].name + ".json");
            // nlohmann objects keep keys sorted
            report::write_file_atomic(golden.string(), outcomes[i].stats.dump(2) + '\n');
            out << "wrote " << golden.string() << '\n';
        }
        if (count[Status::kFailed] > 0) {
            out << "failed cases keep their old goldens\n";
            return 1;
        }
        return 0;
    }
    if (!to_review.empty()) {
        // Name the cases only when not all of the selection needs review.
        std::string cmd = "npusim regress --update";
        if (to_review.size() < cases.size()) {
            cmd += " --only " + join(to_review, ",");
        } else {
            if (!o.only.empty()) cmd += " --only " + join(o.only, ",");
            if (o.quick) cmd += " --quick";
        }
        if (o.suite != resolve(root, "workloads/regression.yaml")) cmd += " --suite " + o.suite;
        if (o.golden_dir != resolve(root, "tests/golden")) cmd += " --golden-dir " + o.golden_dir;
        out << "if these changes are intended, review them and accept them with:\n  " << cmd
            << '\n';
    }
    return count[Status::kOk] == cases.size() ? 0 : 1;
}

}  // namespace npu::cli

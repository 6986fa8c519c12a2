// A sweep's results: one row per point read from its directory, constraints checked, the
// objectives ranked per workload, written as results.csv, results.json and report.html.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <set>

#include "sim/cli/sweep_impl.h"
#include "sim/config/config_loader.h"
#include "sim/config/config_schema.h"
#include "sim/core/error.h"
#include "sim/report/figures.h"
#include "sim/report/html.h"
#include "sim/report/layers_csv.h"
#include "sim/report/output_file.h"
#include "sim/report/stats_json.h"

namespace npu::cli::sweep_impl {
namespace {

std::string num(double v) {
    char buf[40];
    std::snprintf(buf, sizeof buf, "%.12g", v);
    return buf;
}

// A config key's numeric value in a point's effective config (nan when not numeric).
double config_value(const fs::path& point_dir, const std::string& key) {
    const cfg::FieldSpec* f = cfg::find_field(key);
    if (f == nullptr) return std::nan("");
    try {
        cfg::HwConfig c = cfg::load_hw_config((point_dir / "effective_config.yaml").string(), {});
        if (f->access.as_int) return f->access.as_int(c);
        if (f->access.as_u64) return static_cast<double>(f->access.as_u64(c));
        if (f->access.as_double) return f->access.as_double(c);
    } catch (const UserError&) {
    }
    return std::nan("");
}

bool is_result_column(const std::string& c) {
    const auto& cols = sweep_result_columns();
    return std::find(cols.begin(), cols.end(), c) != cols.end();
}

// The bound's relative distance past its limit (0 when met).
double excess(double over, double limit) { return over / std::max(std::fabs(limit), 1e-300); }

}  // namespace

double Row::column(const std::string& name) const {
    if (name == "cycles") return static_cast<double>(cycles);
    if (name == "latency_s") return latency_s;
    if (name == "inferences_per_second") return ips;
    if (name == "energy_pj") return energy_pj;
    if (name == "edp") return edp;
    if (name == "tops_per_watt") return tops_per_watt;
    if (name == "dram_bytes") return static_cast<double>(dram_bytes);
    if (name == "mac_utilization") return utilization;
    if (name == "area_mm2") return area_mm2;
    return std::nan("");
}

json ResultSpec::to_json() const {
    json cons = json::array();
    for (const SweepConstraint& c : constraints) {
        json j = {{"column", c.column}};
        if (c.min) j["min"] = *c.min;
        if (c.max) j["max"] = *c.max;
        if (!c.min_text.empty()) j["min_text"] = c.min_text;
        if (!c.max_text.empty()) j["max_text"] = c.max_text;
        cons.push_back(std::move(j));
    }
    return {{"name", name},
            {"hw", hw},
            {"color_by", color_by},
            {"objectives", objectives},
            {"constraints", cons}};
}

ResultSpec ResultSpec::from_json(const json& j) {
    ResultSpec r;
    r.name = j.value("name", "");
    r.hw = j.at("hw").get<std::string>();
    r.color_by = j.value("color_by", "");
    r.objectives = j.value("objectives", std::vector<std::string>{"latency", "energy"});
    for (const json& c : j.value("constraints", json::array())) {
        SweepConstraint s;
        s.column = c.at("column").get<std::string>();
        if (c.contains("min")) s.min = c["min"].get<double>();
        if (c.contains("max")) s.max = c["max"].get<double>();
        s.min_text = c.value("min_text", "");
        s.max_text = c.value("max_text", "");
        r.constraints.push_back(std::move(s));
    }
    return r;
}

ResultSpec ResultSpec::of(const SweepSpec& s) {
    // Points are coloured by the key given, else by the first key of the first grid dimension
    // (as written: `array.rows` in a dimension of array shapes).
    std::string color_by = s.color_by;
    if (color_by.empty() && !s.grid.empty() && !s.grid[0].alternatives.empty() &&
        !s.grid[0].alternatives[0].empty()) {
        color_by = s.grid[0].alternatives[0][0].first;
    }
    return {s.name, s.hw, color_by, s.objectives, s.constraints};
}

Evaluation evaluation_of(const Row& r, const std::vector<std::string>& objectives) {
    Evaluation e;
    for (const std::string& o : objectives) {
        for (const ObjectiveInfo& info : sweep_objectives()) {
            if (info.name != o) continue;
            const double v = r.ran() ? r.column(info.column) : INFINITY;
            e.objectives.push_back(info.maximize && r.ran() ? -v : v);
        }
    }
    e.violation = r.ran() ? r.violation : INFINITY;
    return e;
}

std::vector<Row> read_rows(const fs::path& dir, const std::vector<SweepPoint>& points,
                           const std::map<std::string, std::string>& failures,
                           const ResultSpec& rs) {
    std::vector<Row> rows;
    for (const SweepPoint& p : points) {
        Row r;
        r.point = &p;
        const fs::path pd = dir / "points" / p.id;
        const bool done = fs::is_regular_file(pd / kPointFile);
        if (done && fs::is_regular_file(pd / "stats.json")) {
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
                r.edp = r.energy_pj * 1e-12 * r.latency_s;
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
        } else if (done && fs::is_regular_file(pd / kErrorFile)) {
            r.status = "invalid";
            r.error = slurp(pd / kErrorFile);
            while (!r.error.empty() && r.error.back() == '\n') r.error.pop_back();
        } else if (const auto f = failures.find(p.id); f != failures.end()) {
            r.status = "failed";
            r.error = f->second;
        } else {
            r.status = "missing";
        }
        // Constraints: on a result column, or on a config value of the point's effective config.
        r.feasible = r.status == "ok";
        if (r.ran()) {
            for (const SweepConstraint& c : rs.constraints) {
                const double v =
                    is_result_column(c.column) ? r.column(c.column) : config_value(pd, c.column);
                std::string broken;
                if (std::isnan(v)) {
                    broken = c.column + " unknown";
                    r.violation += 1;
                } else if (c.max && v > *c.max) {
                    broken = c.column + " > " + (c.max_text.empty() ? num(*c.max) : c.max_text);
                    r.violation += excess(v - *c.max, *c.max);
                } else if (c.min && v < *c.min) {
                    broken = c.column + " < " + (c.min_text.empty() ? num(*c.min) : c.min_text);
                    r.violation += excess(*c.min - v, *c.min);
                }
                if (!broken.empty()) {
                    r.feasible = false;
                    r.violated += (r.violated.empty() ? "" : "; ") + broken;
                }
            }
        }
        rows.push_back(std::move(r));
    }
    // Ranks and the Pareto fronts per workload among the feasible points that ran correctly.
    std::map<std::string, std::vector<size_t>> by_workload;
    for (size_t i = 0; i < rows.size(); ++i) {
        if (rows[i].feasible) by_workload[rows[i].point->workload].push_back(i);
    }
    for (const auto& [wl, idx] : by_workload) {
        std::vector<Evaluation> evals;
        std::vector<std::vector<double>> with_area;
        for (size_t i : idx) {
            evals.push_back(evaluation_of(rows[i], rs.objectives));
            with_area.push_back({rows[i].latency_s, rows[i].energy_pj, rows[i].area_mm2});
        }
        const std::vector<int> rank = nondominated_ranks(evals);
        const std::vector<bool> front3 = pareto_front(with_area);
        for (size_t k = 0; k < idx.size(); ++k) {
            rows[idx[k]].rank = rank[k];
            rows[idx[k]].pareto = rank[k] == 1;
            rows[idx[k]].pareto_area = front3[k];
        }
    }
    return rows;
}

void write_results(const fs::path& dir, const std::vector<SweepPoint>& points,
                   const std::map<std::string, std::string>& failures, const ResultSpec& rs,
                   const std::string& html) {
    const std::vector<Row> rows = read_rows(dir, points, failures, rs);
    std::set<std::string> keyset;
    for (const SweepPoint& p : points) {
        for (const auto& kv : p.settings) keyset.insert(kv.first);
    }
    const std::vector<std::string> keys(keyset.begin(), keyset.end());
    std::string csv = "id,workload";
    for (const std::string& k : keys) csv += "," + report::csv_field(k);
    csv +=
        ",status,cycles,latency_s,inferences_per_second,energy_pj,edp,tops_per_watt,dram_bytes,"
        "mac_utilization,area_mm2,feasible,violates,rank,pareto,pareto_area,error\n";
    json list = json::array();
    for (const Row& r : rows) {
        const SweepPoint& p = *r.point;
        std::map<std::string, std::string> s(p.settings.begin(), p.settings.end());
        csv += p.id + "," + report::csv_field(p.workload);
        for (const std::string& k : keys) csv += "," + report::csv_field(s.count(k) ? s[k] : "");
        csv += "," + r.status;
        if (r.ran()) {
            csv += "," + std::to_string(r.cycles) + "," + num(r.latency_s) + "," + num(r.ips) +
                   "," + num(r.energy_pj) + "," + num(r.edp) + "," + num(r.tops_per_watt) + "," +
                   std::to_string(r.dram_bytes) + "," + num(r.utilization) + "," + num(r.area_mm2);
        } else {
            csv += ",,,,,,,,,";
        }
        csv += std::string(",") + (r.feasible ? "true" : "false") + "," +
               report::csv_field(r.violated) + "," + (r.rank > 0 ? std::to_string(r.rank) : "") +
               "," + (r.pareto ? "true" : "false") + "," + (r.pareto_area ? "true" : "false") +
               "," + report::csv_field(r.error) + "\n";
        json j = point_json(p);
        j.erase("index");
        j["status"] = r.status;
        j["feasible"] = r.feasible;
        if (!r.violated.empty()) j["violates"] = r.violated;
        if (r.rank > 0) j["rank"] = r.rank;
        j["pareto"] = r.pareto;
        j["pareto_area"] = r.pareto_area;
        if (r.ran()) {
            j["cycles"] = r.cycles;
            j["latency_s"] = r.latency_s;
            j["inferences_per_second"] = r.ips;
            j["energy_pj"] = r.energy_pj;
            j["edp"] = r.edp;
            j["tops_per_watt"] = r.tops_per_watt;
            j["dram_bytes"] = r.dram_bytes;
            j["mac_utilization"] = r.utilization;
            j["area_mm2"] = r.area_mm2;
        }
        if (!r.error.empty()) j["error"] = r.error;
        list.push_back(std::move(j));
    }
    report::write_file_atomic((dir / "results.csv").string(), csv);
    report::write_file_atomic((dir / "results.json").string(),
                              json{{"objectives", rs.objectives}, {"points", list}}.dump(2) + "\n");

    report::SweepReport page;
    page.title = rs.name;
    page.hw = rs.hw;
    page.keys = keys;
    page.objectives = rs.objectives;
    page.color_by = rs.color_by;
    for (const SweepConstraint& c : rs.constraints) {
        std::string t;
        if (c.min) t += (c.min_text.empty() ? num(*c.min) : c.min_text) + " <= ";
        t += c.column;
        if (c.max) t += " <= " + (c.max_text.empty() ? num(*c.max) : c.max_text);
        page.constraints.push_back(t);
    }
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
        h.area_mm2 = r.area_mm2;
        h.edp = r.edp;
        h.feasible = r.feasible;
        h.violates = r.violated;
        h.rank = r.rank;
        h.pareto = r.pareto;
        page.rows.push_back(std::move(h));
    }
    report::write_sweep_html((dir / "report.html").string(), page);
    if (!html.empty()) report::write_sweep_html(html, page);
}

}  // namespace npu::cli::sweep_impl

#include "sim/report/html.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <map>
#include <sstream>

#include "sim/report/dram_figures.h"
#include "sim/report/figures.h"
#include "sim/report/format.h"
#include "sim/report/output_file.h"
#include "sim/report/run_table.h"
#include "sim/report/svg.h"

namespace npu::report {

namespace {

using svg::xml_escape;

constexpr const char* kComputeColor = "#4477aa";
constexpr const char* kMemoryColor = "#ee6677";
constexpr const char* kNoBoundColor = "#bbbbbb";

// Energy components, in the order of the stacks (bottom first), with fixed colours.
struct Component {
    const char* name;
    double energy::EnergyBreakdown::*member;
    const char* color;
};
// `l2`: the run has an L2 (its component comes before static).
const std::vector<Component>& components(bool l2 = false) {
    using E = energy::EnergyBreakdown;
    static const std::vector<Component> kList = {
        {"MAC", &E::mac_pj, "#4477aa"},         {"scratchpad", &E::spad_pj, "#66ccee"},
        {"accumulator", &E::acc_pj, "#228833"}, {"DRAM", &E::dram_pj, "#ee6677"},
        {"PPU", &E::ppu_pj, "#ccbb44"},         {"static", &E::static_pj, "#bbbbbb"}};
    static const std::vector<Component> kWithL2 = {
        {"MAC", &E::mac_pj, "#4477aa"},         {"scratchpad", &E::spad_pj, "#66ccee"},
        {"accumulator", &E::acc_pj, "#228833"}, {"DRAM", &E::dram_pj, "#ee6677"},
        {"PPU", &E::ppu_pj, "#ccbb44"},         {"L2", &E::l2_pj, "#aa3377"},
        {"static", &E::static_pj, "#bbbbbb"}};
    return l2 ? kWithL2 : kList;
}

// A unit for energies whose largest value is `max_pj`, and the divisor from pJ.
std::pair<std::string, double> energy_unit(double max_pj) {
    if (max_pj >= 1e9) return {"mJ", 1e9};
    if (max_pj >= 1e6) return {"\xC2\xB5J", 1e6};  // micro sign
    if (max_pj >= 1e3) return {"nJ", 1e3};
    return {"pJ", 1};
}

std::string num(double v, int digits = 6) {
    if (!std::isfinite(v)) return "-";
    char buf[48];
    std::snprintf(buf, sizeof buf, "%.*g", digits, v);
    return buf;
}

std::string energy_text(double pj) {
    const auto [unit, div] = energy_unit(pj);
    return num(pj / div, 4) + " " + unit;
}

const char* kCss = R"(body{font-family:sans-serif;margin:24px;color:#222;max-width:1240px}
h1{font-size:22px;margin:0 0 8px}h2{font-size:17px;margin:28px 0 6px;border-bottom:1px solid #ddd}
.summary{display:grid;grid-template-columns:repeat(4,minmax(0,1fr));gap:8px;margin:12px 0}
.summary div{background:#f4f6f8;border-radius:4px;padding:8px 10px}
.summary b{display:block;font-size:16px;margin-top:2px}.summary span{color:#555;font-size:12px}
.ok{color:#1b7a2b}.bad{color:#b3261e}.note{color:#555;font-size:13px;margin:4px 0 8px}
svg{display:block;max-width:100%;height:auto}
table{border-collapse:collapse;font-size:12px;margin-top:8px;display:block;overflow-x:auto;max-width:100%}
th,td{border:1px solid #ddd;padding:3px 6px;text-align:right;white-space:nowrap}
th{background:#f0f0f0;position:sticky;top:0}td.l,th.l{text-align:left}
tr.pareto td{background:#eaf2fb;font-weight:bold}
footer{margin-top:24px;color:#777;font-size:12px}
)";

std::string page_open(const std::string& title) {
    return "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
           "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>" +
           xml_escape(title) + "</title>\n<style>\n" + kCss + "</style>\n</head>\n<body>\n";
}

std::string page_close() {
    return "<footer>npusim 0.1.0 &middot; self-contained page: inline SVG, no scripts, no "
           "external resources (docs/reports.md)</footer>\n</body>\n</html>\n";
}

std::string tile(const std::string& label, const std::string& value, const std::string& cls = "") {
    return "<div><span>" + xml_escape(label) + "</span><b" +
           (cls.empty() ? "" : " class=\"" + cls + "\"") + ">" + xml_escape(value) + "</b></div>\n";
}

std::string td(const std::string& v, bool left = false) {
    return std::string(left ? "<td class=\"l\">" : "<td>") + xml_escape(v) + "</td>";
}

std::string th(const std::string& v, bool left = false) {
    return std::string(left ? "<th class=\"l\">" : "<th>") + xml_escape(v) + "</th>";
}

const char* bound_color(Bound b) {
    switch (b) {
        case Bound::kCompute:
            return kComputeColor;
        case Bound::kMemory:
            return kMemoryColor;
        case Bound::kNone:
            break;
    }
    return kNoBoundColor;
}

// Taller category charts when the labels are long; same width always.
svg::ChartOptions category_options(const std::string& title, const std::string& y_label,
                                   const std::vector<std::string>& names) {
    svg::ChartOptions o;
    o.title = title;
    o.y_label = y_label;
    std::size_t longest = 0;
    for (const std::string& n : names) longest = std::max(longest, n.size());
    o.max_label_chars = std::clamp<std::size_t>(longest, 4, 24);
    o.height = 300 + static_cast<int>(o.max_label_chars * 5);
    return o;
}

// The banked DRAM's table (dram.model: banked; empty otherwise), per layer and in total.
// The fusion groups and the bytes they saved (compiler.fusion; nothing without a group).
std::string fusion_section(const stats::RunStats& run) {
    const std::vector<FusionGroupFigures> groups = fusion_groups(run);
    if (groups.empty()) return "";
    std::string h = "<h2>Fusion groups</h2>\n<table>\n<tr>" + th("layers", true) +
                    th("DRAM B saved") + th("on-chip B saved") + "</tr>\n";
    for (const FusionGroupFigures& g : groups) {
        std::string names;
        for (const std::string& n : g.layers) names += (names.empty() ? "" : " > ") + n;
        h += "<tr>" + td(xml_escape(names), true) + td(std::to_string(g.dram_bytes_saved)) +
             td(std::to_string(g.onchip_bytes_saved)) + "</tr>\n";
    }
    return h +
           "</table>\n<p class=\"note\">Intermediates kept on chip, written and read in place; "
           "saved: the bytes the compiler's estimate moves less than without the group (DRAM; "
           "on-chip: copies through the scratchpad window).</p>\n";
}

std::string dram_section(const stats::RunStats& run, const cfg::HwConfig& hw) {
    if (!dram_figures(run, hw, nullptr, run.total_cycles)) return "";
    const cfg::DramConfig& d = hw.dram;
    std::string h =
        "<h2>DRAM (banked)</h2>\n<p class=\"note\">" + xml_escape(d.name) + ", " +
        std::to_string(d.channels) + " channel(s) x " + std::to_string(d.ranks) + " rank(s), " +
        to_string(d.page_policy) + " page, " + xml_escape(human_frequency(d.clock_hz)) + ", peak " +
        num(d.peak_bytes_per_s() / 1e9, 4) +
        " GB/s. Queues: average bursts waiting (Little's law); latency: NPU cycles "
        "per request; bus: data bus busy / time; energy by the IDD method "
        "(docs/dram.md).</p>\n<table>\n<tr>" +
        th("layer", true) + th("bursts") + th("row hits") + th("misses") + th("conflicts") +
        th("hit rate") + th("ACT") + th("PRE") + th("REF") + th("read queue") + th("write queue") +
        th("latency") + th("bus") + th("energy") + "</tr>\n";
    auto row = [&](const std::string& name, const DramFigures& f) {
        h += "<tr>" + td(name, true) + td(with_commas(f.bursts)) + td(with_commas(f.row_hits)) +
             td(with_commas(f.row_misses)) + td(with_commas(f.row_conflicts)) +
             td(percent(f.row_hit_rate)) + td(with_commas(f.activates)) +
             td(with_commas(f.precharges)) + td(with_commas(f.refreshes)) +
             td(fixed(f.read_queue_occupancy, 2)) + td(fixed(f.write_queue_occupancy, 2)) +
             td(fixed(f.average_latency, 1)) + td(percent(f.bandwidth_utilization)) +
             td(f.energy ? energy_text(f.energy->total_pj()) : "-") + "</tr>\n";
    };
    for (size_t i = 0; i < run.layers.size(); ++i) {
        row(run.layers[i].name, *dram_figures(run, hw, &i, run.layers[i].cycles()));
    }
    row("total", *dram_figures(run, hw, nullptr, run.total_cycles));
    return h + "</table>\n";
}

// The shared L2's table (runs with an L2 only), per layer and in total.
std::string l2_section(const stats::RunStats& run, const cfg::HwConfig& hw) {
    if (!run.l2) return "";
    std::string h = "<h2>L2</h2>\n<p class=\"note\">Shared L2 of " +
                    xml_escape(human_bytes(hw.l2.size_bytes)) + " (" + std::to_string(hw.l2.banks) +
                    " banks, " + std::to_string(hw.l2.ways) + " ways, " +
                    std::to_string(hw.l2.line_bytes) +
                    "-byte lines): hits and misses count lines of requests; bytes = served + "
                    "filled + written back, priced at " +
                    num(hw.energy.l2_pj_per_byte, 4) + " pJ/byte.</p>\n<table>\n<tr>" +
                    th("layer", true) + th("hits") + th("misses") + th("hit rate") +
                    th("writebacks") + th("bytes") + th("energy") + "</tr>\n";
    auto row = [&](const std::string& name, const stats::L2Counts& c) {
        h += "<tr>" + td(name, true) + td(with_commas(c.hits)) + td(with_commas(c.misses)) +
             td(percent(c.hit_rate())) + td(with_commas(c.writebacks)) + td(with_commas(c.bytes)) +
             td(energy_text(energy::price_l2(c, hw.energy))) + "</tr>\n";
    };
    for (const stats::LayerStats& l : run.layers) row(l.name, l.l2.value_or(stats::L2Counts{}));
    row("total", *run.l2);
    return h + "</table>\n";
}

}  // namespace

std::string run_html(const stats::RunStats& run, const cfg::HwConfig& hw) {
    const Peaks peaks = peaks_of(run, hw);
    const cfg::EnergyTable& table = hw.energy;
    const Figures total = total_figures(run, peaks, table);
    const std::string config = run.config_name.empty() ? hw.name : run.config_name;
    const std::string title = "npusim run: " + run.workload_name + " on " + config;

    std::vector<Figures> figs;
    std::vector<std::string> names;
    for (const stats::LayerStats& l : run.layers) {
        figs.push_back(layer_figures(l, peaks, table));
        names.push_back(l.name);
    }

    std::string h = page_open(title);
    h += "<h1>" + xml_escape(title) + "</h1>\n";
    h += "<p class=\"note\">fidelity " + xml_escape(run.fidelity) + ", " +
         (run.functional ? "functional (outputs computed)" : "timing-only") + ", clock " +
         xml_escape(human_frequency(peaks.clock_hz)) + ", peak " +
         std::to_string(peaks.macs_per_cycle) + " MACs/cycle = " + num(peaks.tops(), 4) +
         " TOPS, DRAM " + num(peaks.dram_bytes_per_cycle, 4) + " B/cycle, energy table '" +
         xml_escape(table.name) + "'</p>\n";

    const double energy_pj = total.energy.total_pj();
    const double tops_per_w = tops_per_watt(static_cast<double>(total.macs), energy_pj);
    const CheckSummary check = check_summary(run);
    const std::string verdict = outputs_verdict(run);
    const bool mismatch = check.checked > 0 && !check.all_checked_exact();
    h += "<div class=\"summary\">\n";
    h += tile("workload", run.workload_name);
    h += tile("config", config);
    h += tile("cycles", with_commas(run.total_cycles));
    if (!run.cores.empty()) {  // several cores sharing the DRAM
        h += tile("cores", std::to_string(run.cores.size()) + " (partition " + run.partition + ")");
    }
    if (run.batch > 1) {  // the batch's figures, and per inference
        h += tile("batch", std::to_string(run.batch) + " images");
        h += tile("batch latency", human_time(total.time_s));
        h += tile("latency per inference", human_time(total.time_s / run.batch));
    } else {
        h += tile("latency", human_time(total.time_s));
    }
    h += tile("inferences/s", human_rate(inferences_per_second(total.time_s, run.batch)));
    h += tile("energy", energy_text(energy_pj));
    if (run.batch > 1) h += tile("energy per inference", energy_text(energy_pj / run.batch));
    h += tile("TOPS/W", num(tops_per_w, 4));
    h += tile("MAC utilization", percent(total.mac_utilization));
    h += "</div>\n<p class=\"" +
         std::string(mismatch            ? "bad"
                     : check.checked > 0 ? "ok"
                                         : "note") +
         "\">" + xml_escape(verdict) + "</p>\n";

    // Per-layer cycles, coloured by roofline bound.
    {
        std::vector<double> cycles;
        std::vector<std::string> colors, tips;
        for (std::size_t i = 0; i < run.layers.size(); ++i) {
            const stats::LayerStats& l = run.layers[i];
            cycles.push_back(static_cast<double>(l.cycles()));
            colors.push_back(bound_color(figs[i].bound));
            tips.push_back(l.op + " " + l.shape + "\n" + with_commas(l.cycles()) +
                           " cycles, utilization " + percent(figs[i].mac_utilization) + ", " +
                           to_string(figs[i].bound) + "-bound (roofline); limited by " +
                           limiter_cell(l.limiters));
        }
        h += "<h2>Cycles per layer</h2>\n<p class=\"note\">Bars coloured by roofline bound: "
             "<span style=\"color:" +
             std::string(kComputeColor) +
             "\">&#9632; compute</span>, <span style=\"color:" + kMemoryColor +
             "\">&#9632; memory</span>, <span style=\"color:" + kNoBoundColor +
             "\">&#9632; neither</span>. Layers run one after another (a barrier separates "
             "them), so the bars add up to the run's cycles.</p>\n";
        h += svg::bar_chart(names, cycles, category_options("", "cycles", names), colors, tips);
    }

    // Per-layer energy, stacked by component.
    double max_layer_pj = 0;
    for (const Figures& f : figs) max_layer_pj = std::max(max_layer_pj, f.energy.total_pj());
    {
        const auto [unit, div] = energy_unit(max_layer_pj);
        std::vector<svg::Series> series;
        for (const Component& c : components(run.l2.has_value())) {
            svg::Series s;
            s.name = c.name;
            s.color = c.color;
            for (const Figures& f : figs) s.values.push_back(f.energy.*c.member / div);
            series.push_back(std::move(s));
        }
        h += "<h2>Energy per layer</h2>\n<p class=\"note\">Stacked by component (energy table '" +
             xml_escape(table.name) + "'); static energy is leakage over the layer's cycles.</p>\n";
        h += svg::stacked_bar_chart(names, series,
                                    category_options("", "energy (" + unit + ")", names));
    }

    // Roofline.
    {
        std::vector<svg::RooflinePoint> pts;
        for (std::size_t i = 0; i < run.layers.size(); ++i) {
            const Figures& f = figs[i];
            svg::RooflinePoint p;
            p.label = run.layers[i].name;
            p.intensity = f.dram_bytes > 0
                              ? static_cast<double>(f.macs) / static_cast<double>(f.dram_bytes)
                              : std::numeric_limits<double>::infinity();
            p.achieved = f.achieved_macs_per_cycle;
            p.color = bound_color(f.bound);
            pts.push_back(std::move(p));
        }
        svg::ChartOptions o;
        o.x_label = "operational intensity (MACs per DRAM byte, log)";
        o.y_label = "achieved MACs/cycle (log)";
        o.height = 460;
        h += "<h2>Roofline</h2>\n<p class=\"note\">One point per layer (hover for its name and "
             "figures), coloured by bound. Compute roof at " +
             std::to_string(peaks.macs_per_cycle) + " MACs/cycle, memory roof at " +
             num(peaks.dram_bytes_per_cycle, 4) + " DRAM bytes/cycle, ridge at " +
             num(peaks.ridge_point(), 4) +
             " MACs/byte. Layers without MACs are not drawn; layers without DRAM traffic sit at "
             "the right edge.</p>\n";
        h += svg::roofline_chart(pts, static_cast<double>(peaks.macs_per_cycle),
                                 peaks.dram_bytes_per_cycle, o);
    }

    // The run's energy by component.
    {
        const auto [unit, div] = energy_unit(energy_pj);
        std::vector<std::string> cats, colors, tips;
        std::vector<double> vals;
        for (const Component& c : components(run.l2.has_value())) {
            const double pj = total.energy.*c.member;
            cats.push_back(c.name);
            colors.push_back(c.color);
            vals.push_back(pj / div);
            tips.push_back(percent(energy_pj > 0 ? pj / energy_pj : 0) + " of " +
                           energy_text(energy_pj));
        }
        svg::ChartOptions o;
        o.y_label = "energy (" + unit + ")";
        o.width = 620;
        o.height = 300;
        o.max_label_chars = 11;
        h += "<h2>Energy by component (whole run)</h2>\n";
        h += svg::bar_chart(cats, vals, o, colors, tips);
        h += "<table>\n<tr>" + th("component", true) + th("energy") + th("share") + "</tr>\n";
        for (std::size_t i = 0; i < cats.size(); ++i) {
            const double pj = total.energy.*components(run.l2.has_value())[i].member;
            h += "<tr>" + td(cats[i], true) + td(energy_text(pj)) +
                 td(percent(energy_pj > 0 ? pj / energy_pj : 0)) + "</tr>\n";
        }
        h += "<tr>" + td("total", true) + td(energy_text(energy_pj)) + td("100.0%") +
             "</tr>\n</table>\n";
    }

    // The per-layer table.
    {
        const auto [unit, div] = energy_unit(max_layer_pj);
        h += "<h2>Layers</h2>\n<table>\n<tr>" + th("#") + th("layer", true) + th("op", true) +
             th("shape", true) + th("MACs") + th("start") + th("end") + th("cycles") +
             th("exclusive") + th("overlapped") + th("util") + th("MACs/B") + th("MACs/cycle") +
             th("roofline", true) + th("limited by", true) + th("DRAM bytes") +
             th("energy (" + unit + ")") + th("residency", true) + th("output", true) + "</tr>\n";
        for (std::size_t i = 0; i < run.layers.size(); ++i) {
            const stats::LayerStats& l = run.layers[i];
            const Figures& f = figs[i];
            const std::string out = !l.checked    ? "-"
                                    : l.bit_exact ? "bit-exact"
                                                  : with_commas(l.mismatches) + " mismatches";
            h += "<tr>" + td(std::to_string(i)) + td(l.name, true) + td(l.op, true) +
                 td(l.shape, true) + td(with_commas(l.macs_total)) +
                 td(with_commas(l.start_cycle)) + td(with_commas(l.end_cycle)) +
                 td(with_commas(l.cycles())) + td(with_commas(l.exclusive_cycles)) +
                 td(with_commas(l.overlapped_cycles)) + td(percent(f.mac_utilization)) +
                 td(f.dram_bytes > 0 ? fixed(f.arithmetic_intensity, 2) : "-") +
                 td(fixed(f.achieved_macs_per_cycle, 1)) + td(to_string(f.bound), true) +
                 td(limiter_cell(l.limiters), true) + td(with_commas(f.dram_bytes)) +
                 td(num(f.energy.total_pj() / div, 4)) +
                 td(l.residency.empty() ? "-" : l.residency, true) + td(out, true) + "</tr>\n";
        }
        h += "</table>\n<p class=\"note\">cycles = end - start, the layer's span; exclusive = "
             "end - the previous layer's end (the first layer: end): the exclusive cycles sum to "
             "the run's " +
             with_commas(run.total_cycles) +
             " cycles; overlapped = the span's cycles before the previous layer's end (spans "
             "overlap with compiler.overlap: prefetch). limited by: over the exclusive "
             "cycles.</p>\n<p class=\"note\">roofline: compute-bound when MACs/B reaches the ridge "
             "point, else memory-bound (a classification from the counts). limited by: what most "
             "of the layer's cycles went to, measured from the components' timelines; each cycle "
             "counts once, for the first of: ";
        for (size_t k = 0; k < stats::kLimiters; ++k) {
            const auto l = static_cast<stats::Limiter>(k);
            h += (k == 0 ? "" : "; ") + std::string("<b>") + stats::to_string(l) + "</b> (" +
                 xml_escape(stats::meaning(l)) + ")";
        }
        h += ".</p>\n";
    }
    h += fusion_section(run);
    h += dram_section(run, hw);
    h += l2_section(run, hw);
    h += page_close();
    return h;
}

void write_run_html(const std::string& path, const stats::RunStats& run, const cfg::HwConfig& hw) {
    write_file_atomic(path, run_html(run, hw));
}

namespace {

// One objective as the sweep page plots it: its axis title and its value in display units.
struct PlotFigure {
    std::string name, label;
    double (*value)(const SweepRow&);
};
const std::vector<PlotFigure>& plot_figures() {
    static const std::vector<PlotFigure> kList = {
        {"latency", "latency (\xC2\xB5s)", [](const SweepRow& r) { return r.latency_s * 1e6; }},
        {"energy", "energy (\xC2\xB5J)", [](const SweepRow& r) { return r.energy_pj * 1e-6; }},
        {"edp", "energy x delay (J s)", [](const SweepRow& r) { return r.edp; }},
        {"area", "area (mm\xC2\xB2)", [](const SweepRow& r) { return r.area_mm2; }},
        {"dram_bytes", "DRAM bytes",
         [](const SweepRow& r) { return static_cast<double>(r.dram_bytes); }},
        {"inferences_per_second", "inferences/s",
         [](const SweepRow& r) { return r.inferences_per_second; }},
        {"tops_per_watt", "TOPS/W", [](const SweepRow& r) { return r.tops_per_watt; }}};
    return kList;
}
const PlotFigure& plot_figure(const std::string& name) {
    for (const PlotFigure& f : plot_figures()) {
        if (f.name == name) return f;
    }
    return plot_figures().front();
}

// Setting values in a natural order: numbers (with their unit) by size, then words.
bool natural_less(const std::string& a, const std::string& b) {
    const auto lead = [](const std::string& s, double& v) {
        char* end = nullptr;
        v = std::strtod(s.c_str(), &end);
        return end != s.c_str();
    };
    double x = 0, y = 0;
    const bool nx = lead(a, x), ny = lead(b, y);
    if (nx != ny) return nx;
    if (nx && x != y) {
        // Sizes: 512KiB < 1MiB. Scale by the unit's first letter (B, K, M, G).
        const auto scale = [](const std::string& s) {
            const size_t u = s.find_first_of("KMGT");
            if (u == std::string::npos) return 1.0;
            return s[u] == 'K' ? 1e3 : s[u] == 'M' ? 1e6 : s[u] == 'G' ? 1e9 : 1e12;
        };
        return x * scale(a) < y * scale(b);
    }
    return a < b;
}

std::string setting(const SweepRow& r, const std::string& key) {
    for (const auto& [k, v] : r.settings) {
        if (k == key) return v;
    }
    return "";
}

std::string stem(const std::string& path) {
    std::string s = path.substr(path.find_last_of('/') + 1);
    return s.substr(0, s.rfind('.'));
}

}  // namespace

std::string sweep_html(const SweepReport& rep) {
    const std::string title = "npusim sweep: " + rep.title;
    std::string h = page_open(title);
    h += "<h1>" + xml_escape(title) + "</h1>\n";
    std::map<std::string, std::size_t> status_count;
    size_t infeasible = 0;
    for (const SweepRow& r : rep.rows) {
        ++status_count[r.status];
        infeasible += r.ran() && !r.feasible ? 1 : 0;
    }
    std::string counts;
    for (const auto& [st, n] : status_count) {
        counts += (counts.empty() ? "" : ", ") + std::to_string(n) + " " + st;
    }
    if (infeasible > 0) counts += "; " + std::to_string(infeasible) + " break a constraint";
    std::string objectives, constraints;
    for (const std::string& o : rep.objectives) objectives += (objectives.empty() ? "" : ", ") + o;
    for (const std::string& c : rep.constraints) {
        constraints += (constraints.empty() ? "" : ", ") + c;
    }
    const std::string color_key =
        !rep.color_by.empty() ? rep.color_by : (rep.keys.empty() ? "" : rep.keys.front());
    h += "<p class=\"note\">base config " + xml_escape(rep.hw) + "; " +
         std::to_string(rep.rows.size()) + " points (" + xml_escape(counts) +
         "). Objectives: " + xml_escape(objectives.empty() ? "latency, energy" : objectives) +
         "; constraints: " + xml_escape(constraints.empty() ? "none" : constraints) + ".</p>\n";
    h += "<p class=\"note\">Points are coloured by " +
         xml_escape(color_key.empty() ? "nothing (no swept key)" : color_key) +
         "; points that break a constraint are grey. Pareto-optimal points (rank 1 on the "
         "objectives among the feasible points of the same workload: no other is at least as "
         "good in every objective and better in one) have a dark ring" +
         std::string(rep.objectives.size() == 2 ? " and are joined by a step line" : "") +
         ". Hover a point or a line for its parameters.</p>\n";

    // The colour of each value of the colour key.
    std::vector<std::string> values;
    for (const SweepRow& r : rep.rows) {
        const std::string v = setting(r, color_key);
        if (std::find(values.begin(), values.end(), v) == values.end()) values.push_back(v);
    }
    std::stable_sort(values.begin(), values.end(), natural_less);
    std::map<std::string, std::string> color_of;
    std::vector<std::pair<std::string, std::string>> legend;
    for (std::size_t i = 0; i < values.size(); ++i) {
        color_of[values[i]] = svg::palette()[i % svg::palette().size()];
        if (i < 12) {
            legend.emplace_back(color_key + "=" + (values[i].empty() ? "(base)" : values[i]),
                                color_of[values[i]]);
        }
    }
    legend.emplace_back("breaks a constraint", "#b8b8b8");

    const std::vector<std::string> obj =
        rep.objectives.empty() ? std::vector<std::string>{"latency", "energy"} : rep.objectives;
    const PlotFigure& fx = plot_figure(obj[0]);
    const PlotFigure& fy =
        plot_figure(obj.size() > 1 ? obj[1] : (obj[0] == "energy" ? "latency" : "energy"));
    // Workloads in order of first appearance.
    std::vector<std::string> workloads;
    for (const SweepRow& r : rep.rows) {
        if (std::find(workloads.begin(), workloads.end(), r.workload) == workloads.end()) {
            workloads.push_back(r.workload);
        }
    }
    for (const std::string& wl : workloads) {
        std::vector<svg::ScatterPoint> pts;
        std::vector<svg::ParallelLine> lines;
        double xlo = std::numeric_limits<double>::infinity(), xhi = 0, ylo = xlo, yhi = 0;
        std::size_t front = 0;
        for (const SweepRow& r : rep.rows) {
            if (r.workload != wl || !r.ran()) continue;
            svg::ScatterPoint p;
            p.x = fx.value(r);
            p.y = fy.value(r);
            p.highlighted = r.pareto;
            p.color = r.feasible ? color_of[setting(r, color_key)] : "";
            front += r.pareto ? 1 : 0;
            p.tooltip = r.id + (r.pareto ? " (Pareto)" : "");
            for (const auto& [k, v] : r.settings) p.tooltip += "\n" + k + "=" + v;
            p.tooltip += "\nlatency " + human_time(r.latency_s) + ", energy " +
                         energy_text(r.energy_pj) + ", " + num(r.tops_per_watt, 4) +
                         " TOPS/W, area " + num(r.area_mm2, 4) + " mm\xC2\xB2";
            if (!r.feasible && !r.violates.empty()) p.tooltip += "\nbreaks " + r.violates;
            if (r.status != "ok") p.tooltip += "\nstatus " + r.status;
            if (p.x > 0) {
                xlo = std::min(xlo, p.x);
                xhi = std::max(xhi, p.x);
            }
            if (p.y > 0) {
                ylo = std::min(ylo, p.y);
                yhi = std::max(yhi, p.y);
            }
            svg::ParallelLine line;
            line.color = p.color;
            line.bold = r.pareto;
            line.tooltip = p.tooltip;
            for (const std::string& k : rep.keys) {
                std::vector<std::string> vals;
                for (const SweepRow& o : rep.rows) {
                    const std::string v = setting(o, k);
                    if (std::find(vals.begin(), vals.end(), v) == vals.end()) vals.push_back(v);
                }
                std::stable_sort(vals.begin(), vals.end(), natural_less);
                line.values.push_back(static_cast<double>(
                    std::find(vals.begin(), vals.end(), setting(r, k)) - vals.begin()));
            }
            for (const std::string& o : obj) line.values.push_back(plot_figure(o).value(r));
            lines.push_back(std::move(line));
            pts.push_back(std::move(p));
        }
        h += "<h2>" + xml_escape(wl) + "</h2>\n";
        if (pts.empty()) {
            h += "<p class=\"note\">No point of this workload ran.</p>\n";
            continue;
        }
        svg::ScatterOptions o;
        // Log axes once the values spread over more than a factor of 20.
        o.log_x = xhi > 20 * xlo;
        o.log_y = yhi > 20 * ylo;
        o.x_label = fx.label + (o.log_x ? ", log" : "");
        o.y_label = fy.label + (o.log_y ? ", log" : "");
        o.height = 420;
        o.step_line = obj.size() == 2;
        o.legend = legend;
        o.highlight_color = "#222";
        h += "<p class=\"note\">" + std::to_string(front) + " Pareto-optimal of " +
             std::to_string(pts.size()) + " points that ran.</p>\n";
        h += svg::scatter_chart(pts, o);
        // Parallel coordinates: every swept key, then every objective.
        std::vector<svg::ParallelAxis> axes;
        for (const std::string& k : rep.keys) {
            svg::ParallelAxis ax;
            ax.name = k;
            for (const SweepRow& r : rep.rows) {
                const std::string v = setting(r, k);
                if (std::find(ax.categories.begin(), ax.categories.end(), v) ==
                    ax.categories.end()) {
                    ax.categories.push_back(v);
                }
            }
            std::stable_sort(ax.categories.begin(), ax.categories.end(), natural_less);
            for (std::string& c : ax.categories) {
                if (c.empty()) c = "(base)";
            }
            axes.push_back(std::move(ax));
        }
        for (const std::string& ob : obj) {
            svg::ParallelAxis ax;
            ax.name = plot_figure(ob).label;
            double lo = std::numeric_limits<double>::infinity(), hi = 0;
            for (const svg::ParallelLine& l : lines) {
                const double v = l.values[axes.size()];
                if (v > 0) {
                    lo = std::min(lo, v);
                    hi = std::max(hi, v);
                }
            }
            ax.log = hi > 20 * lo;
            axes.push_back(std::move(ax));
        }
        for (svg::ParallelLine& l : lines) l.values.resize(axes.size());
        svg::ChartOptions po;
        po.title = "parallel coordinates";
        po.height = 380;
        h += "<p class=\"note\">Every point as a line through its settings and objectives "
             "(lower is better on each objective axis, except inferences/s and TOPS/W).</p>\n";
        h += svg::parallel_chart(axes, lines, po, legend);
    }

    // The table: the figures that decide first, so they are visible without scrolling.
    h += "<h2>Results</h2>\n<table>\n<tr>" + th("rank") + th("latency") + th("energy") +
         th("EDP (J s)") + th("TOPS/W") + th("area mm\xC2\xB2");
    for (const std::string& k : rep.keys) h += th(k, true);
    h += th("workload", true) + th("status", true) + th("breaks", true) + th("cycles") +
         th("inferences/s") + th("DRAM bytes") + th("util") + th("id", true) + th("error", true) +
         "</tr>\n";
    for (const SweepRow& r : rep.rows) {
        h += std::string(r.pareto ? "<tr class=\"pareto\">" : "<tr>") +
             td(r.rank > 0 ? (r.pareto ? "\xE2\x98\x85 1" : std::to_string(r.rank)) : "");
        if (r.ran()) {
            h += td(human_time(r.latency_s)) + td(energy_text(r.energy_pj)) + td(num(r.edp, 4)) +
                 td(num(r.tops_per_watt, 4)) + td(num(r.area_mm2, 4));
        } else {
            h += "<td></td><td></td><td></td><td></td><td></td>";
        }
        for (const std::string& k : rep.keys) h += td(setting(r, k), true);
        h += td(stem(r.workload), true) + td(r.status, true) + td(r.violates, true);
        if (r.ran()) {
            h += td(with_commas(r.cycles)) + td(human_rate(r.inferences_per_second)) +
                 td(with_commas(r.dram_bytes)) + td(percent(r.mac_utilization));
        } else {
            h += "<td></td><td></td><td></td><td></td>";
        }
        h += td(r.id, true) + td(r.error, true) + "</tr>\n";
    }
    h += "</table>\n";
    h += page_close();
    return h;
}

void write_sweep_html(const std::string& path, const SweepReport& report) {
    write_file_atomic(path, sweep_html(report));
}

std::string compare_html(const CompareReport& rep) {
    std::string h = page_open("npusim compare: " + rep.workload);
    h += "<h1>npusim compare: " + xml_escape(rep.workload) + " on " + xml_escape(rep.config) +
         "</h1>\n<table><tr>" + th("", true);
    for (const std::string& p : rep.precisions) h += th(p);
    h += "</tr>\n";
    for (const auto& [name, cells] : rep.rows) {
        h += "<tr>" + td(name, true);
        for (const std::string& v : cells) h += td(v);
        h += "</tr>\n";
    }
    h += "</table>\n";
    svg::ChartOptions co;
    co.title = "Cycles per inference";
    co.y_label = "cycles";
    const std::vector<std::string>& charted = rep.charted.empty() ? rep.precisions : rep.charted;
    h += "<h2>Cycles</h2>\n" + svg::bar_chart(charted, rep.cycles, co);
    std::vector<double> uj;
    for (double pj : rep.energy_pj) uj.push_back(pj * 1e-6);
    co.title = "Energy per inference";
    co.y_label = "uJ";
    h += "<h2>Energy</h2>\n" + svg::bar_chart(charted, uj, co);
    std::vector<svg::Series> per_layer;
    for (size_t i = 0; i < charted.size() && i < rep.layer_cycles.size(); ++i) {
        per_layer.push_back({charted[i], rep.layer_cycles[i], ""});
    }
    co.title = "Cycles per layer and precision";
    co.y_label = "cycles";
    h += "<h2>Per layer</h2>\n" + svg::grouped_bar_chart(rep.layers, per_layer, co);
    return h + page_close();
}

void write_compare_html(const std::string& path, const CompareReport& report) {
    write_file_atomic(path, compare_html(report));
}

}  // namespace npu::report

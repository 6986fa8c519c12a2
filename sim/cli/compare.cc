#include "sim/cli/compare.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <limits>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>

#include "sim/cli/cli_util.h"
#include "sim/cli/options.h"
#include "sim/config/config_loader.h"
#include "sim/config/paths.h"
#include "sim/core/error.h"
#include "sim/core/requant_f32.h"
#include "sim/frontend/frontend.h"
#include "sim/quant/float_ref.h"
#include "sim/quant/prepare.h"
#include "sim/quant/ptq.h"
#include "sim/report/figures.h"
#include "sim/report/format.h"
#include "sim/report/html.h"
#include "sim/report/output_file.h"
#include "sim/run/simulation.h"

namespace npu::cli {
namespace {

using nlohmann::json;

struct Options {
    std::optional<std::string> hw, workload, json_path, html_path, calibration;
    std::vector<std::string> sets;
    std::optional<std::string> max_memory;
    std::vector<Precision> precisions{Precision::kInt8, Precision::kFp32};
    int64_t max_samples = -1;  // -1: every sample
    size_t batch = 0;          // --batch (0: the workload's)
    bool timing_only = false;
    bool force = false;
};

Options parse(const std::vector<std::string>& args) {
    std::vector<std::string> words{"compare"};
    words.insert(words.end(), args.begin(), args.end());
    const ParsedCommand p = parse_command_line(words);
    Options o;
    DiagnosticList problems;
    const auto bad = [&](const std::string& m) {
        problems.add(Diagnostic{"<command line>", 0, 0, "", "compare: " + m});
    };
    o.hw = p.value("--hw");
    o.workload = p.value("--workload");
    o.calibration = p.value("--calibration");
    o.sets = p.all("--set");
    if (const auto obj = p.value("--objective")) o.sets.push_back("compiler.objective=" + *obj);
    o.json_path = p.value("--json");
    o.html_path = p.value("--html");
    o.force = p.has("--force");
    o.timing_only = p.has("--timing-only");
    o.max_memory = p.value("--max-memory");
    if (p.has("--samples")) o.max_samples = static_cast<int64_t>(p.count("--samples"));
    o.batch = p.count("--batch");
    if (const auto list = p.value("--precisions")) {
        o.precisions.clear();
        std::stringstream ss(*list);
        std::string item;
        while (std::getline(ss, item, ',')) {
            const auto prec = parse_precision(item);
            if (!prec) {
                bad("--precisions: expected a list of " + precision_choices() + ", found " +
                    in_quotes(item));
            } else if (std::find(o.precisions.begin(), o.precisions.end(), *prec) !=
                       o.precisions.end()) {
                bad("--precisions: " + in_quotes(item) + " is listed twice");
            } else {
                o.precisions.push_back(*prec);
            }
        }
        if (o.precisions.empty()) bad("--precisions: expected at least one precision");
    }
    problems.throw_if_any();
    std::vector<std::pair<std::string, std::string>> outputs;
    if (o.json_path) outputs.emplace_back("--json", *o.json_path);
    if (o.html_path) outputs.emplace_back("--html", *o.html_path);
    report::check_output_paths(outputs, o.force);
    problems.throw_if_any();
    return o;
}

// Accuracy of one precision's final output against the fp32 model over the samples.
struct Accuracy {
    bool known = false;
    double signal = 0, noise = 0, max_abs = 0;
    size_t samples = 0, agree = 0, labelled = 0, correct = 0;
    [[nodiscard]] double sqnr_db() const {
        if (noise <= 0) return std::numeric_limits<double>::infinity();
        return 10.0 * std::log10(signal / noise);
    }
};

struct Column {
    Precision precision = Precision::kInt8;
    bool supported = true;  // false: the chip has no such mode; nothing below is filled in
    cfg::HwConfig hw;
    stats::RunStats stats;
    report::Figures total;
    std::vector<report::Figures> layers;
    double area_mm2 = 0;
    bool bit_exact = false;
    Accuracy acc;
};

size_t argmax(const std::vector<double>& v) {
    return static_cast<size_t>(std::max_element(v.begin(), v.end()) - v.begin());
}

// The real values of a simulated output: int8 dequantized, or a float format decoded.
std::vector<double> real_values(const std::vector<int8_t>& raw, Precision p,
                                const graph::QuantParams& q) {
    std::vector<double> v;
    if (!is_float(p)) {
        for (int8_t x : raw) {
            v.push_back(q.scale * (static_cast<double>(x) - static_cast<double>(q.zero_point)));
        }
        return v;
    }
    const size_t eb = act_bytes(p);
    for (size_t i = 0; i + eb <= raw.size(); i += eb) {
        v.push_back(load_float(p, reinterpret_cast<const uint8_t*>(&raw[i])));
    }
    return v;
}

double tops_per_watt(const report::Figures& f) {
    return report::tops_per_watt(static_cast<double>(f.macs), f.energy.total_pj());
}

std::string num(double v, int decimals) { return report::fixed(v, decimals); }

std::string db(double v) { return std::isinf(v) ? "inf" : num(v, 2); }

json number_or_null(double v) { return std::isfinite(v) ? json(v) : json(nullptr); }

}  // namespace

int compare_main(const std::vector<std::string>& args, std::ostream& out) {
    const Options o = parse(args);
    const cfg::HwConfig base = cfg::load_hw(o.hw, o.sets);
    frontend::LoadOptions lo;
    lo.with_data = !o.timing_only;
    if (o.calibration) lo.calibration = *o.calibration;
    graph::Workload loaded = frontend::load_workload(cfg::workload_file(o.workload), lo);
    if (o.batch > 0) quant::set_batch(loaded, static_cast<int32_t>(o.batch));  // table-checked
    const graph::Workload& wl = loaded;
    if (wl.layers.empty()) {
        throw UserError(Diagnostic{wl.source_file, 0, 0, "layers", "the workload has no layers"});
    }
    // A precision the chip lacks is a column that says so (a hypothetical variant is opted into
    // with --set array.cycles_per_mac.P=N); the baseline must be one it has.
    const auto lacks = [&](Precision p) { return base.array.cycles_for(p) <= 0; };
    if (lacks(o.precisions.front())) {
        const std::string key =
            std::string("array.cycles_per_mac.") + to_string(o.precisions.front());
        const cfg::KeySource at = base.source_of(key);
        throw UserError(Diagnostic{
            at.file, at.line, at.col, key,
            std::string("the baseline precision (the first of --precisions) is ") +
                to_string(o.precisions.front()) + ", which " + base.name +
                " does not support (0 cycles per MAC): list a precision it has first, or price a "
                "hypothetical variant with --set " +
                key + "=N"});
    }

    check_run_memory(base, wl, !o.timing_only, o.max_memory);

    // The samples accuracy is measured over: the workload's labelled samples, else its own input.
    const size_t last = wl.layers.size() - 1;
    const graph::Tensor& out_tensor = wl.layer_outputs.at(last);
    const graph::QuantParams in_q = wl.inputs.empty() ? wl.layers[0].input : wl.inputs[0].quant;
    // A labelled sample is one image: a batched workload runs it as its image 0 alone.
    const graph::Workload one_image =
        wl.samples.inputs.empty() ? graph::Workload{} : graph::image_of(wl, 0);
    const graph::Workload& sample_wl = wl.samples.inputs.empty() ? wl : one_image;
    std::vector<std::vector<std::vector<float>>> sample_inputs;  // per sample, per declared input
    std::vector<int32_t> labels;
    if (!o.timing_only) {
        const std::vector<std::vector<float>> own = quant::dequantized_inputs(sample_wl);
        if (!wl.samples.inputs.empty()) {
            const size_t n = o.max_samples > 0
                                 ? std::min<size_t>(size_t(o.max_samples), wl.samples.inputs.size())
                                 : wl.samples.inputs.size();
            for (size_t i = 0; i < n; ++i) {
                std::vector<std::vector<float>> ins = own;
                if (ins.empty()) ins.emplace_back();
                ins[0] = wl.samples.inputs[i];
                sample_inputs.push_back(std::move(ins));
                if (i < wl.samples.labels.size()) labels.push_back(wl.samples.labels[i]);
            }
        } else {
            sample_inputs.push_back(own);
        }
    }
    // The fp32 model's final outputs, the reference of every column's accuracy.
    std::vector<std::vector<double>> reference;
    for (const auto& ins : sample_inputs) {
        const quant::FloatOutputs f = quant::run_float(sample_wl, Precision::kFp32, &ins);
        reference.emplace_back(f.at(last).begin(), f.at(last).end());
    }

    std::vector<Column> cols;
    for (Precision p : o.precisions) {
        Column c;
        c.precision = p;
        if (lacks(p)) {
            c.supported = false;
            cols.push_back(std::move(c));
            continue;
        }
        c.hw = base;
        c.hw.precision = p;
        run::RunOptions ro;
        ro.functional = !o.timing_only;
        run::RunResult r = run::simulate(c.hw, wl, ro);
        c.stats = r.stats;
        const report::Peaks peaks = report::peaks_of(c.stats, c.hw);
        c.total = report::total_figures(c.stats, peaks, c.hw.energy);
        for (const auto& l : c.stats.layers) {
            c.layers.push_back(report::layer_figures(l, peaks, c.hw.energy));
        }
        c.area_mm2 = c.hw.area_mm2(p);
        c.bit_exact = report::check_summary(c.stats).all_checked_exact();
        if (!o.timing_only) {
            c.acc.known = true;
            for (size_t s = 0; s < sample_inputs.size(); ++s) {
                // The simulated datapath on this sample: int8 input quantized, float input as is.
                std::vector<int8_t> raw;
                if (wl.samples.inputs.empty() && s == 0) {
                    raw = r.outputs.at(last);
                } else {
                    graph::Workload ws = sample_wl;
                    std::vector<int8_t> x = quant::quantize_values(sample_inputs[s][0], in_q);
                    if (c.hw.postproc.requant == RequantMode::kFloat32) {
                        // QuantizeLinear as ONNX Runtime computes it (float32 division).
                        for (size_t e = 0; e < x.size(); ++e) {
                            x[e] = quantize_linear_f32(sample_inputs[s][0][e],
                                                       static_cast<float>(in_q.scale),
                                                       in_q.zero_point);
                        }
                    }
                    ws.input = x;
                    if (!ws.input_data.empty()) ws.input_data[0] = x;
                    if (is_float(p)) ws.float_input_data = sample_inputs[s];
                    run::RunOptions so;
                    so.check = false;
                    raw = run::simulate(c.hw, ws, so).outputs.at(last);
                }
                const std::vector<double> got = real_values(raw, p, out_tensor.quant);
                const std::vector<double>& ref = reference[s];
                for (size_t e = 0; e < ref.size() && e < got.size(); ++e) {
                    c.acc.signal += ref[e] * ref[e];
                    c.acc.noise += (ref[e] - got[e]) * (ref[e] - got[e]);
                    c.acc.max_abs = std::max(c.acc.max_abs, std::fabs(ref[e] - got[e]));
                }
                ++c.acc.samples;
                const size_t top = argmax(got);
                if (top == argmax(ref)) ++c.acc.agree;
                if (s < labels.size()) {
                    ++c.acc.labelled;
                    if (int64_t(top) == labels[s]) ++c.acc.correct;
                }
            }
        }
        cols.push_back(std::move(c));
    }

    // The printed table: one column per precision.
    const Column& first = cols.front();
    std::vector<std::pair<std::string, std::vector<std::string>>> rows;
    const auto row = [&](const std::string& name,
                         const std::function<std::string(const Column&)>& f) {
        std::vector<std::string> cells;
        for (const Column& c : cols) cells.push_back(c.supported ? f(c) : "not supported");
        rows.emplace_back(name, std::move(cells));
    };
    row("cycles", [](const Column& c) { return report::with_commas(c.total.cycles); });
    row(wl.batch > 1 ? "latency (batch of " + std::to_string(wl.batch) + ")" : "latency",
        [](const Column& c) { return report::human_time(c.total.time_s); });
    row("inferences/s", [](const Column& c) {
        return num(report::inferences_per_second(c.total.time_s, c.stats.batch), 1);
    });
    row("achieved TOPS", [](const Column& c) { return num(c.total.tops, 4); });
    row("MAC utilization",
        [](const Column& c) { return report::percent(c.total.mac_utilization); });
    row("DRAM bytes", [](const Column& c) { return report::human_bytes(c.total.dram_bytes); });
    row("DRAM GB/s (average)", [](const Column& c) { return num(c.total.dram_gbps, 2); });
    row("energy / inference (uJ)", [](const Column& c) {
        return report::microjoules(c.total.energy.total_pj() / std::max(1, c.stats.batch));
    });
    row("TOPS/W", [](const Column& c) { return num(tops_per_watt(c.total), 3); });
    row("area (mm^2)", [](const Column& c) { return num(c.area_mm2, 3); });
    row("speedup vs " + std::string(to_string(first.precision)), [&](const Column& c) {
        return c.total.cycles > 0 ? num(static_cast<double>(first.total.cycles) /
                                            static_cast<double>(c.total.cycles),
                                        2) +
                                        "x"
                                  : "-";
    });
    row("energy vs " + std::string(to_string(first.precision)), [&](const Column& c) {
        const double e = first.total.energy.total_pj();
        return e > 0 ? num(c.total.energy.total_pj() / e, 3) + "x" : "-";
    });
    row("data", [](const Column& c) -> std::string {
        if (!c.stats.functional) return "timing-only";
        return c.bit_exact ? "bit-exact" : "MISMATCH";
    });
    if (!o.timing_only) {
        row("SQNR vs fp32 (dB)", [](const Column& c) { return db(c.acc.sqnr_db()); });
        row("max abs error", [](const Column& c) { return num(c.acc.max_abs, 5); });
        row("top-1 agreement", [](const Column& c) {
            return std::to_string(c.acc.agree) + "/" + std::to_string(c.acc.samples);
        });
        if (!labels.empty()) {
            row("accuracy (labels)", [](const Column& c) {
                return report::percent(
                           c.acc.labelled ? double(c.acc.correct) / double(c.acc.labelled) : 0.0) +
                       " (" + std::to_string(c.acc.correct) + "/" + std::to_string(c.acc.labelled) +
                       ")";
            });
        }
    }

    out << "npusim compare: workload " << wl.name << " on " << base.name << "\n";
    if (!o.timing_only) {
        out << "  accuracy: final layer '" << wl.layers[last].name
            << "' against the fp32 model over " << sample_inputs.size()
            << (wl.samples.inputs.empty() ? " input (the workload's own)" : " samples") << "\n";
    }
    out << '\n';
    size_t w0 = 8;
    for (const auto& r : rows) w0 = std::max(w0, r.first.size());
    std::vector<size_t> widths(cols.size(), 0);
    for (size_t i = 0; i < cols.size(); ++i) {
        widths[i] = std::string(to_string(cols[i].precision)).size();
        for (const auto& r : rows) widths[i] = std::max(widths[i], r.second[i].size());
    }
    const auto line = [&](const std::string& name, const std::vector<std::string>& cells) {
        out << "  " << name << std::string(w0 - name.size(), ' ');
        for (size_t i = 0; i < cells.size(); ++i) {
            out << "  " << std::string(widths[i] - cells[i].size(), ' ') << cells[i];
        }
        out << '\n';
    };
    {
        std::vector<std::string> head;
        for (const Column& c : cols) head.emplace_back(to_string(c.precision));
        line("", head);
    }
    for (const auto& r : rows) line(r.first, r.second);

    // Per layer: cycles and the roofline bound at each precision (why a precision wins where).
    out << "\nper layer: cycles (bound)\n";
    {
        size_t lw = 5;
        for (const auto& l : first.stats.layers) lw = std::max(lw, l.name.size());
        std::vector<std::vector<std::string>> cells(first.stats.layers.size());
        std::vector<size_t> cw(cols.size(), 0);
        for (size_t i = 0; i < first.stats.layers.size(); ++i) {
            for (size_t j = 0; j < cols.size(); ++j) {
                if (!cols[j].supported) {
                    cells[i].emplace_back("-");
                } else {
                    const report::Figures& f = cols[j].layers.at(i);
                    cells[i].push_back(report::with_commas(f.cycles) + " (" +
                                       report::to_string(f.bound) + ")");
                }
                cw[j] = std::max({cw[j], cells[i].back().size(),
                                  std::string(to_string(cols[j].precision)).size()});
            }
        }
        out << "  " << std::string(lw, ' ');
        for (size_t j = 0; j < cols.size(); ++j) {
            const std::string h = to_string(cols[j].precision);
            out << "  " << std::string(cw[j] - h.size(), ' ') << h;
        }
        out << '\n';
        for (size_t i = 0; i < first.stats.layers.size(); ++i) {
            const std::string& n = first.stats.layers[i].name;
            out << "  " << n << std::string(lw - n.size(), ' ');
            for (size_t j = 0; j < cols.size(); ++j) {
                out << "  " << std::string(cw[j] - cells[i][j].size(), ' ') << cells[i][j];
            }
            out << '\n';
        }
    }
    for (const Column& c : cols) {
        if (c.supported) continue;
        const std::string key = std::string("array.cycles_per_mac.") + to_string(c.precision);
        out << "\nnot supported: " << base.name << " has no " << to_string(c.precision) << " mode ("
            << cfg::describe_key(base, key) << "); --set " << key
            << "=N prices a hypothetical variant\n";
    }
    // Say only what was done: a timing-only comparison computed no outputs and checked nothing.
    if (o.timing_only) {
        out << "\ndata: timing-only: no outputs were computed, so none was checked and there is no "
               "accuracy\n";
    } else {
        out << "\ndata: every column's outputs come from the simulated datapath, checked bit for "
               "bit against its reference (int8/int4: the integer reference executor; "
               "bf16/fp16/fp32: the float reference executor); the data row gives each verdict\n";
    }

    json doc;
    doc["workload"] = wl.name;
    doc["config"] = base.name;
    doc["accuracy_samples"] = sample_inputs.size();
    doc["reference"] = "fp32";
    json pj = json::array();
    for (const Column& c : cols) {
        json j;
        j["precision"] = to_string(c.precision);
        j["supported"] = c.supported;
        if (!c.supported) {
            pj.push_back(std::move(j));
            continue;
        }
        if (c.stats.batch > 1) j["batch"] = c.stats.batch;  // the figures below are the batch's
        j["cycles"] = c.total.cycles;
        j["latency_s"] = c.total.time_s;
        j["inferences_per_second"] = report::inferences_per_second(c.total.time_s, c.stats.batch);
        j["tops"] = c.total.tops;
        j["mac_utilization"] = c.total.mac_utilization;
        j["dram_bytes"] = c.total.dram_bytes;
        j["dram_gbps"] = c.total.dram_gbps;
        j["energy_pj"] = c.total.energy.total_pj();
        j["tops_per_watt"] = tops_per_watt(c.total);
        j["area_mm2"] = c.area_mm2;
        j["speedup"] = c.total.cycles > 0 ? static_cast<double>(first.total.cycles) /
                                                static_cast<double>(c.total.cycles)
                                          : 0.0;
        j["energy_ratio"] = first.total.energy.total_pj() > 0
                                ? c.total.energy.total_pj() / first.total.energy.total_pj()
                                : 0.0;
        j["functional"] = c.stats.functional;
        j["bit_exact"] = c.bit_exact;
        if (c.acc.known) {
            j["accuracy"] = json{{"sqnr_db", number_or_null(c.acc.sqnr_db())},
                                 {"max_abs_error", c.acc.max_abs},
                                 {"samples", c.acc.samples},
                                 {"top1_agreement", c.acc.agree},
                                 {"labelled", c.acc.labelled},
                                 {"correct", c.acc.correct}};
        }
        json layers = json::array();
        for (size_t i = 0; i < c.stats.layers.size(); ++i) {
            layers.push_back(json{{"name", c.stats.layers[i].name},
                                  {"cycles", c.layers[i].cycles},
                                  {"energy_pj", c.layers[i].energy.total_pj()},
                                  {"dram_bytes", c.layers[i].dram_bytes},
                                  {"bound", report::to_string(c.layers[i].bound)}});
        }
        j["layers"] = std::move(layers);
        pj.push_back(std::move(j));
    }
    doc["precisions"] = std::move(pj);
    if (o.json_path) {
        report::write_file_atomic(*o.json_path,
                                  doc.dump(2, ' ', false, json::error_handler_t::replace) + '\n');
        out << "wrote " << *o.json_path << '\n';
    }
    if (o.html_path) {
        report::CompareReport page;
        page.workload = wl.name;
        page.config = base.name;
        page.rows = rows;
        for (const auto& l : first.stats.layers) page.layers.push_back(l.name);
        for (const Column& c : cols) {
            page.precisions.emplace_back(to_string(c.precision));
            if (!c.supported) continue;
            page.charted.emplace_back(to_string(c.precision));
            page.cycles.push_back(static_cast<double>(c.total.cycles));
            page.energy_pj.push_back(c.total.energy.total_pj());
            std::vector<double> per_layer;
            for (const auto& f : c.layers) per_layer.push_back(static_cast<double>(f.cycles));
            page.layer_cycles.push_back(std::move(per_layer));
        }
        report::write_compare_html(*o.html_path, page);
        out << "wrote " << *o.html_path << '\n';
    }
    bool ok = true;
    for (const Column& c : cols) ok = ok && (!c.supported || c.bit_exact || !c.stats.functional);
    return ok ? 0 : 1;
}

}  // namespace npu::cli

#include "sim/frontend/frontend.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <utility>

#include "sim/core/error.h"
#include "sim/frontend/onnx_import.h"
#include "sim/frontend/scalesim.h"
#include "sim/quant/calibrate.h"
#include "sim/quant/prepare.h"
#include "sim/quant/ptq.h"

namespace npu::frontend {
namespace {

std::string extension_of(const std::string& path) {
    std::string ext = std::filesystem::path(path).extension().string();
    std::transform(ext.begin(), ext.end(), ext.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return ext;
}

bool is_yaml(const std::string& ext) { return ext == ".yaml" || ext == ".yml"; }

// A SCALE-Sim topology (sim/frontend/scalesim.h): the header says conv or GEMM; any other CSV is
// an error naming both headers. No side files: SCALE-Sim has no data.
Imported import_scalesim(const std::string& path) {
    std::ifstream in(path);
    if (!in) throw UserError(Diagnostic{path, 0, 0, "", "cannot open the file for reading"});
    std::ostringstream text;
    text << in.rdbuf();
    const std::string stem = std::filesystem::path(path).stem().string();
    return Imported{scalesim_workload_yaml(parse_scalesim_topology(text.str(), path), stem), {}};
}

// A float network loaded for timing only, without calibration images: every scale 1, zero point
// 0 (timing depends on neither), finished as post-training quantization finishes its layers.
graph::Workload placeholder_quantization(graph::Workload wl) {
    quant::draw_pending_data(wl);
    std::map<std::string, graph::QuantParams> q;
    for (const graph::Tensor& t : wl.inputs) q[t.name] = t.quant;
    wl.layer_outputs.clear();
    for (size_t i = 0; i < wl.layers.size(); ++i) {
        graph::Layer& l = wl.layers[i];
        std::vector<std::string> names = l.inputs;
        if (names.empty() && !wl.inputs.empty()) {
            names.push_back(i == 0 ? wl.inputs[0].name : wl.layers[i - 1].name);
        }
        l.input_quant.clear();
        for (const std::string& n : names)
            l.input_quant.push_back(q.count(n) ? q.at(n) : graph::QuantParams{});
        if (!l.input_quant.empty()) l.input = l.input_quant[0];
        l.output = graph::QuantParams{};
        const std::string problem = quant::finish_quantization(l);
        if (!problem.empty()) throw UserError(Diagnostic{wl.source_file, 0, 0, l.name, problem});
        q[l.name] = l.output;
        wl.layer_outputs.push_back({l.name, l.out_shape, l.output});
    }
    wl.needs_ptq = false;
    return wl;
}

}  // namespace

const std::vector<Format>& formats() {
    static const std::vector<Format> kFormats = {
        {"onnx",
         {".onnx"},
         "ONNX models: QDQ, QLinear/com.microsoft or float (docs/onnx.md)",
         [](const std::string& path, const ImportOptions& o) {
             OnnxImportOptions oo;
             oo.calibration = o.calibration;
             oo.data_dir = o.data_dir;
             oo.require_calibration = o.require_calibration;
             ImportedWorkload w = import_onnx(path, oo);
             return Imported{std::move(w.yaml), std::move(w.files)};
         }},
        {"scalesim",
         {".csv"},
         "SCALE-Sim v2 conv or GEMM topologies (docs/workloads.md)",
         [](const std::string& path, const ImportOptions&) { return import_scalesim(path); }},
    };
    return kFormats;
}

const Format& format_for(const std::string& path, const std::string& name) {
    std::string known;
    for (const Format& f : formats()) known += (known.empty() ? "" : ", ") + f.name;
    if (!name.empty()) {
        for (const Format& f : formats()) {
            if (f.name == name) return f;
        }
        throw UserError(Diagnostic{"<command line>", 0, 0, "--format",
                                   "expected one of " + known + ", found '" + name + "'"});
    }
    if (path.empty()) {  // no file to blame: the command line is where it is missing
        throw UserError(Diagnostic{"<command line>", 0, 0, "MODEL",
                                   "expected a model file (" + known + "), found ''"});
    }
    const std::string ext = extension_of(path);
    for (const Format& f : formats()) {
        if (std::find(f.extensions.begin(), f.extensions.end(), ext) != f.extensions.end()) {
            return f;
        }
    }
    throw UserError(Diagnostic{path, 0, 0, "",
                               "expected a model file of a known format (" + known +
                                   ", by extension or --format), found '" +
                                   (ext.empty() ? std::string("no extension") : ext) + "'"});
}

std::vector<std::string> supported_extensions() {
    std::vector<std::string> v = {".yaml", ".yml"};
    for (const Format& f : formats()) v.insert(v.end(), f.extensions.begin(), f.extensions.end());
    return v;
}

graph::Workload load_workload(const std::string& path, const LoadOptions& options) {
    const std::string ext = extension_of(path);
    graph::LoadOptions lo;
    lo.with_data = options.with_data;
    if (is_yaml(ext)) return quant::load_and_quantize(path, lo);
    for (const Format& f : formats()) {
        if (std::find(f.extensions.begin(), f.extensions.end(), ext) == f.extensions.end())
            continue;
        ImportOptions io;
        io.calibration = options.calibration;
        io.require_calibration = options.with_data;
        const Imported im = f.import(path, io);
        lo.files = &im.files;
        graph::Workload wl = graph::load_workload_from_string(im.yaml, path, lo);
        if (wl.needs_ptq && !options.with_data && wl.calibration.inputs.empty()) {
            return placeholder_quantization(std::move(wl));
        }
        return quant::prepare(std::move(wl));
    }
    std::string list;
    for (const std::string& e : supported_extensions()) list += (list.empty() ? "" : ", ") + e;
    throw UserError(Diagnostic{path, 0, 0, "",
                               "expected a workload file ending in one of " + list + ", found '" +
                                   (ext.empty() ? std::string("no extension") : ext) + "'"});
}

}  // namespace npu::frontend

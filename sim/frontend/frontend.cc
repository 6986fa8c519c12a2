#include "sim/frontend/frontend.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "sim/core/error.h"
#include "sim/frontend/onnx_import.h"
#include "sim/frontend/scalesim.h"
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
        if (std::find(f.extensions.begin(), f.extensions.end(), ext) == f.extensions.end()) continue;
        ImportOptions io;
        io.calibration = options.calibration;
        const Imported im = f.import(path, io);
        lo.files = &im.files;
        graph::Workload wl = graph::load_workload_from_string(im.yaml, path, lo);
        return wl.needs_ptq ? quant::quantize(wl) : wl;
    }
    std::string list;
    for (const std::string& e : supported_extensions()) list += (list.empty() ? "" : ", ") + e;
    throw UserError(Diagnostic{path, 0, 0, "",
                               "expected a workload file ending in one of " + list + ", found '" +
                                   (ext.empty() ? std::string("no extension") : ext) + "'"});
}

}  // namespace npu::frontend

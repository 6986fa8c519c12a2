#include "sim/frontend/frontend.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "sim/core/error.h"
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

}  // namespace

std::vector<std::string> supported_extensions() { return {".yaml", ".yml", ".csv"}; }

graph::Workload load_workload(const std::string& path, const LoadOptions& options) {
    const std::string ext = extension_of(path);
    if (ext == ".yaml" || ext == ".yml") {
        graph::LoadOptions lo;
        lo.with_data = options.with_data;
        return quant::load_and_quantize(path, lo);
    }
    if (ext == ".csv") {
        // A SCALE-Sim topology (sim/frontend/scalesim.h): the header says conv or GEMM; any
        // other CSV is an error naming both headers.
        std::ifstream in(path);
        if (!in) {
            throw UserError(Diagnostic{path, 0, 0, "", "cannot open the file for reading"});
        }
        std::ostringstream text;
        text << in.rdbuf();
        const std::string stem = std::filesystem::path(path).stem().string();
        const std::string yaml =
            scalesim_workload_yaml(parse_scalesim_topology(text.str(), path), stem);
        graph::LoadOptions lo;
        lo.with_data = options.with_data;
        graph::Workload wl = graph::load_workload_from_string(yaml, path, lo);
        wl.source_file = path;
        return wl;
    }
    std::string list;
    for (const std::string& e : supported_extensions()) list += (list.empty() ? "" : ", ") + e;
    throw UserError(Diagnostic{path, 0, 0, "",
                               "expected a workload file ending in one of " + list + ", found '" +
                                   (ext.empty() ? std::string("no extension") : ext) + "'"});
}

}  // namespace npu::frontend

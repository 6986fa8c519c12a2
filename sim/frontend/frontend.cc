#include "sim/frontend/frontend.h"

#include <algorithm>
#include <cctype>
#include <filesystem>

#include "sim/core/error.h"
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

std::vector<std::string> supported_extensions() { return {".yaml", ".yml"}; }

graph::Workload load_workload(const std::string& path, const LoadOptions& options) {
    const std::string ext = extension_of(path);
    if (ext == ".yaml" || ext == ".yml") {
        graph::LoadOptions lo;
        lo.with_data = options.with_data;
        return quant::load_and_quantize(path, lo);
    }
    std::string list;
    for (const std::string& e : supported_extensions()) list += (list.empty() ? "" : ", ") + e;
    throw UserError(Diagnostic{path, 0, 0, "",
                               "expected a workload file ending in one of " + list + ", found '" +
                                   (ext.empty() ? std::string("no extension") : ext) + "'"});
}

}  // namespace npu::frontend

#include "sim/report/output_file.h"

#include <filesystem>
#include <system_error>

#include "sim/core/error.h"

namespace npu::report {

std::ofstream open_output_file(const std::string& path) {
    namespace fs = std::filesystem;
    const fs::path p(path);
    const fs::path dir = p.parent_path();
    std::error_code ec;
    if (!dir.empty() && !fs::is_directory(dir, ec)) {
        throw UserError(Diagnostic{
            path, 0, 0, "",
            "cannot write output file: directory '" + dir.string() + "' does not exist"});
    }
    std::ofstream out(p, std::ios::out | std::ios::trunc | std::ios::binary);
    if (!out) {
        throw UserError(Diagnostic{path, 0, 0, "", "cannot open output file for writing"});
    }
    return out;
}

void check_written(std::ofstream& out, const std::string& path) {
    out.flush();
    if (!out) throw UserError(Diagnostic{path, 0, 0, "", "error while writing output file"});
}

}  // namespace npu::report

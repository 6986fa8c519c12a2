// Opening report files for writing, with user-facing errors: a path whose directory does not
// exist, or that cannot be opened, is a mistake in what the user asked for (npu::UserError naming
// the path), not a crash.
#pragma once

#include <fstream>
#include <string>

namespace npu::report {

// Opens `path` for writing (truncating). Throws npu::UserError naming the path when its directory
// does not exist or the file cannot be opened.
[[nodiscard]] std::ofstream open_output_file(const std::string& path);

// Throws npu::UserError naming the path if writing to `out` failed (e.g. disk full).
void check_written(std::ofstream& out, const std::string& path);

}  // namespace npu::report

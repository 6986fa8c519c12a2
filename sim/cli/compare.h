// `npusim compare`: one workload on one hardware config at several precisions, side by side
// (performance, energy, area, and accuracy against the fp32 model). docs/precision.md.
#pragma once

#include <ostream>
#include <string>
#include <vector>

namespace npu::cli {

// args: everything after "compare". Returns the process exit code; throws npu::UserError for bad
// input (reported by the caller with exit code 2).
int compare_main(const std::vector<std::string>& args, std::ostream& out);

}  // namespace npu::cli

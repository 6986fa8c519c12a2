// The npusim command line: `npusim run | compile | config`. Exit codes: 0 success, 1 outputs
// differ from the reference, 2 bad input (config, workload, flags), 3 internal model error.
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

namespace npu::cli {

int main(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

}  // namespace npu::cli

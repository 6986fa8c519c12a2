// Where npusim finds its bundled data (configs/, configs/energy/, workloads/): the repository or
// install root. The CLI sets it once at start-up (from NPUSIM_HOME or its own location); unit tests
// set it to the source tree. Kept as a setter rather than a compile definition so the library does
// not bake in the build machine's paths.
#pragma once

#include <string>

namespace npu::cfg {

// Default: the environment variable NPUSIM_HOME if set and non-empty, else ".".
[[nodiscard]] std::string data_dir();
void set_data_dir(std::string dir);

// <data_dir>/configs/energy: bundled energy tables, one NAME.yaml each.
[[nodiscard]] std::string energy_tables_dir();

// <data_dir>/configs/dram: bundled banked-DRAM presets, one NAME.yaml each (docs/dram.md).
[[nodiscard]] std::string dram_presets_dir();

}  // namespace npu::cfg

// Where npusim finds its bundled data (configs/, configs/energy/, workloads/): the repository or
// install root. The CLI sets it once at start-up (from NPUSIM_HOME or its own location); unit tests
// set it to the source tree. Kept as a setter rather than a compile definition so the library does
// not bake in the build machine's paths.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace npu::cfg {

// Default: the environment variable NPUSIM_HOME if set and non-empty, else ".".
[[nodiscard]] std::string data_dir();
void set_data_dir(std::string dir);

// <data_dir>/configs/energy: bundled energy tables, one NAME.yaml each.
[[nodiscard]] std::string energy_tables_dir();

// <data_dir>/configs/dram: bundled banked-DRAM presets, one NAME.yaml each (docs/dram.md).
[[nodiscard]] std::string dram_presets_dir();

// The input files a command line names.
enum class InputKind {
    kHwConfig,  // --hw: bundled in <data_dir>/configs
    kWorkload,  // --workload: bundled in <data_dir>/workloads
    kSweep,     // npusim sweep FILE: bundled in <data_dir>/configs/sweeps
};

// What a user wrote for an input file, resolved the same way by every command (run, compile,
// config, compare, sweep, regress):
//   1. a path that exists as written (relative to the working directory) is used as it is;
//   2. a bare name, without '/' or extension, is a bundled file: `--hw tpu_v1` is
//      <data_dir>/configs/tpu_v1.yaml, `--workload resnet50` <data_dir>/workloads/resnet50.yaml;
//   3. a relative path that exists under <data_dir> is that file (`configs/tpu_v1.yaml` from any
//      directory).
// Otherwise npu::UserError (file `flag`, e.g. "--hw") names what was tried and lists the bundled
// names. What is found is not opened here: the loaders check it is a readable regular file.
[[nodiscard]] std::string resolve_input(InputKind kind, const std::string& text,
                                        const std::string& flag);

// The file resolve_input finds for `text` (the same rules), or nullopt where it would throw.
[[nodiscard]] std::optional<std::string> find_input(InputKind kind, const std::string& text);

// --workload as given (resolve_input), or the default workload <data_dir>/workloads/default.yaml.
[[nodiscard]] std::string workload_file(const std::optional<std::string>& given);

// The bundled names of a kind, sorted ("edge_npu", "gemmini", ...).
[[nodiscard]] std::vector<std::string> bundled_names(InputKind kind);

}  // namespace npu::cfg

// Reading the files a user names (configs, workloads, weights, samples, suites, stats and golden
// JSON) without trusting them: only regular files are read (a directory, a device such as
// /dev/zero, a FIFO or a symlink loop is refused with the system's reason), and never more bytes
// than the caller's bound, which comes from what the file must hold (a weights file: exactly the
// bytes of the layer's geometry; a YAML or JSON document: kMaxTextInputBytes). The size is checked
// before anything is allocated.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace npu {

// The bound for a YAML or JSON document (configs, workloads, suites, sweeps, stats, goldens): the
// bundled ones are under 1 MiB.
inline constexpr uint64_t kMaxTextInputBytes = uint64_t{64} << 20;

// Why `path` cannot be read as an input file: "cannot open 'x': No such file or directory",
// "cannot read 'x': it is a directory, not a file", ...; nullopt when it is a readable regular
// file. `size_bytes` receives its size when it is one.
[[nodiscard]] std::optional<std::string> input_file_problem(const std::string& path,
                                                            uint64_t* size_bytes = nullptr);

// The whole file, at most `max_bytes` long; on failure nullopt and `error` says why ("... is
// 70000000 bytes, more than the 67108864 a workload file may have"; `what` names the kind).
[[nodiscard]] std::optional<std::string> read_input_file(const std::string& path,
                                                         uint64_t max_bytes,
                                                         const std::string& what,
                                                         std::string& error);

// The whole file, which must be exactly `bytes` long; `what` says what it must hold, for the
// message ("expected 'w.bin' to hold 1152 int8 weights (1152 bytes), found 4096 bytes").
[[nodiscard]] std::optional<std::string> read_input_file_exact(const std::string& path,
                                                               uint64_t bytes,
                                                               const std::string& what,
                                                               std::string& error);

// The same as read_input_file, throwing npu::UserError (file = path) instead.
[[nodiscard]] std::string read_input_file_or_throw(const std::string& path, uint64_t max_bytes,
                                                   const std::string& what);

}  // namespace npu

// Loading the hardware config from YAML, applying `--set key=value` overrides, cross-field
// validation, and the two texts generated from the field table (config_schema.h): the complete,
// commented effective config (`dump_yaml`) and the key reference (`schema_text`).
//
// Strict by design: unknown keys are errors (with a "did you mean" hint), every value goes
// through its unit parser, and every problem found is reported together in one npu::UserError,
// each with file:line:col (1-based, of the offending value; of the key for unknown or duplicate
// keys) and the key path. Every key is optional: a missing key keeps its default.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "sim/config/hw_config.h"
#include "sim/core/error.h"

namespace npu::cfg {

// Loads `path`, applies `overrides` ("key=value", file label "--set") after the file, validates.
[[nodiscard]] HwConfig load_hw_config(const std::string& path,
                                      const std::vector<std::string>& overrides);

// The same from text; `file_label` names it in diagnostics, and relative energy table paths are
// resolved against its directory.
[[nodiscard]] HwConfig load_hw_config_from_string(const std::string& yaml_text,
                                                  const std::string& file_label,
                                                  const std::vector<std::string>& overrides);

// What every command uses: `hw` is a bundled config name ("tpu_v1") or a path (resolved by
// resolve_input, sim/config/paths.h), absent for the built-in default; then the overrides; then
// the same validation as a file, whichever way the config was formed.
[[nodiscard]] HwConfig load_hw(const std::optional<std::string>& hw,
                               const std::vector<std::string>& overrides);

// The built-in defaults (equal to configs/edge_npu.yaml), validated.
[[nodiscard]] HwConfig default_hw_config();

// Applies "key=value" overrides with the same parsers as the file (`energy=NAME` loads a bundled
// table or a path relative to the working directory), then validates the result like a file:
// `config` is changed only when the whole is valid, else npu::UserError lists every problem.
void apply_overrides(HwConfig& config, const std::vector<std::string>& overrides);

// The problems of "key=value" overrides on their own (unknown key with a "did you mean" hint,
// a section instead of a key, a value its key's parser refuses), file "--set"; empty when each is
// a known key with a well-formed value. For commands that check a grid of settings before
// running any of them (sweep). Cross-field rules need the whole config: load_hw checks those.
[[nodiscard]] std::vector<Diagnostic> check_overrides(const std::vector<std::string>& overrides);

// Range checks of every key plus the cross-field rules (see docs/config.md), all in one pass;
// problems are added to `diagnostics` with `file_label` as their file.
void validate(const HwConfig& config, DiagnosticList& diagnostics, const std::string& file_label);

// A key as a message names it for a user to change: "scratchpad.size = 256KiB
// (edge_npu.yaml:12:3)", "array.dataflow = ws (built-in default)", "clock = 1GHz (--set)".
[[nodiscard]] std::string describe_key(const HwConfig& config, const std::string& key);

// Loads an energy table file (keys = the fields of EnergyTable; missing keys keep the
// horowitz45 defaults; a missing `name` becomes the file's stem).
[[nodiscard]] EnergyTable load_energy_table(const std::string& path);

// The complete effective config as commented YAML; loading it back gives an equal HwConfig.
[[nodiscard]] std::string dump_yaml(const HwConfig& config);

// Every key with its type, default, unit, range and meaning, as a readable table.
[[nodiscard]] std::string schema_text();

}  // namespace npu::cfg

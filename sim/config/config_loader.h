// Loading the hardware config from YAML, applying `--set key=value` overrides, cross-field
// validation, and the two texts generated from the field table (config_schema.h): the complete,
// commented effective config (`dump_yaml`) and the key reference (`schema_text`).
//
// Strict by design: unknown keys are errors (with a "did you mean" hint), every value goes
// through its unit parser, and every problem found is reported together in one npu::UserError,
// each with file:line:col (1-based, of the offending value; of the key for unknown or duplicate
// keys) and the key path. Every key is optional: a missing key keeps its default.
#pragma once

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

// The built-in defaults (equal to configs/edge_npu.yaml), validated.
[[nodiscard]] HwConfig default_hw_config();

// Applies "key=value" overrides with the same parsers as the file; `energy=NAME` loads a bundled
// table (or a path relative to the working directory). Does not validate across fields.
void apply_overrides(HwConfig& config, const std::vector<std::string>& overrides);

// Range checks of every key plus the cross-field rules (see docs/config.md), all in one pass;
// problems are added to `diagnostics` with `file_label` as their file.
void validate(const HwConfig& config, DiagnosticList& diagnostics, const std::string& file_label);

// Loads an energy table file (keys = the fields of EnergyTable; missing keys keep the
// horowitz45 defaults; a missing `name` becomes the file's stem).
[[nodiscard]] EnergyTable load_energy_table(const std::string& path);

// The complete effective config as commented YAML; loading it back gives an equal HwConfig.
[[nodiscard]] std::string dump_yaml(const HwConfig& config);

// Every key with its type, default, unit, range and meaning, as a readable table.
[[nodiscard]] std::string schema_text();

}  // namespace npu::cfg

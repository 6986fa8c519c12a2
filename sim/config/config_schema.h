// The hardware config's field table: one entry per YAML key (path, type, unit, range, meaning and
// a typed reference into HwConfig). Loading, --set overrides, range validation, the effective
// config dump, the schema text and config comparison all iterate this one table, so adding a key
// means adding one entry here and one field in hw_config.h. Defaults are not repeated here: they
// are read from a default-constructed HwConfig.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sim/config/hw_config.h"

namespace npu::cfg {

enum class FieldType {
    kInt,        // plain integer
    kSize,       // bytes, written with a unit: 256KiB, 512KB, 64B
    kFrequency,  // Hz, written with a unit: 1GHz, 700MHz
    kBandwidth,  // bytes/s, written with a unit: 25.6GB/s
    kDouble,     // plain real number
    kString,
    kEnum,  // one of FieldSpec::choices
};

// A typed reference into an HwConfig; exactly one member is set, matching the C++ field's type
// (a kSize key may live in an int or a uint64_t field).
struct FieldAccess {
    int& (*as_int)(HwConfig&) = nullptr;
    uint64_t& (*as_u64)(HwConfig&) = nullptr;
    double& (*as_double)(HwConfig&) = nullptr;
    std::string& (*as_string)(HwConfig&) = nullptr;
    int (*get_enum)(const HwConfig&) = nullptr;  // index into choices
    void (*set_enum)(HwConfig&, int) = nullptr;
};

struct FieldSpec {
    std::string key;  // full path: "array.rows", "energy.mac_int8_pj"
    FieldType type = FieldType::kInt;
    std::string unit;  // "bytes", "Hz", "cycles", "pJ", ... (empty when none)
    double min = 0;    // inclusive range; for kString, the minimum length
    double max = 0;
    std::vector<std::string> choices;  // kEnum: spelling of enum value i
    std::string meaning;
    FieldAccess access;
};

// Every leaf key, in the order the dump writes them.
[[nodiscard]] const std::vector<FieldSpec>& hw_fields();
[[nodiscard]] const FieldSpec* find_field(std::string_view key);

// Sections (YAML mappings that hold keys): "array", "scratchpad", ..., "energy".
struct SectionSpec {
    std::string name;
    std::string meaning;
};
[[nodiscard]] const std::vector<SectionSpec>& hw_sections();
[[nodiscard]] bool is_section(std::string_view key);

// The value as it is written in YAML, unquoted: "16", "256KiB", "1GHz", "ws", "0.3".
[[nodiscard]] std::string format_field(const FieldSpec& field, const HwConfig& config);

// Parses `text` with the field's parser and stores it. On failure returns the message a user sees
// ("expected a size such as 256KiB, found '12GHz'", "expected an integer from 1 to 1024, found
// 0") and leaves the config unchanged.
[[nodiscard]] std::optional<std::string> assign_field(const FieldSpec& field, HwConfig& config,
                                                      std::string_view text);

// The range check alone, for configs built in code: the message, or nullopt when in range.
[[nodiscard]] std::optional<std::string> check_field_range(const FieldSpec& field,
                                                           const HwConfig& config);

// "an integer", "a size such as 256KiB", ... (used in "expected ..." messages).
[[nodiscard]] std::string expected_text(const FieldSpec& field);
// "integer", "size", "frequency", "bandwidth", "number", "string", "enum" (schema column).
[[nodiscard]] std::string type_name(FieldType type);
// "1 .. 1024", "1B .. 1GiB", "ws | os", ">= 0" (schema column).
[[nodiscard]] std::string range_text(const FieldSpec& field);

// Keys whose values differ (exact comparison, doubles included); empty when equal.
[[nodiscard]] std::vector<std::string> config_differences(const HwConfig& a, const HwConfig& b);

}  // namespace npu::cfg

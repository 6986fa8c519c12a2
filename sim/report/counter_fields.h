// The one list of stats::Counters fields by name, in declaration order: the JSON writer and reader,
// the CSV writer and docs/stats.md all follow it, so a counter is named once. Adding a field to
// Counters without adding it here fails to compile (a size check in counter_fields.cc).
#pragma once

#include <cstdint>
#include <vector>

#include "sim/stats/stats.h"

namespace npu::report {

struct CounterField {
    const char* name;                   // stable key in stats.json / column in layers.csv
    uint64_t stats::Counters::*member;  // where the value lives
    const char* unit;                   // "count", "bytes", "cycles"
    // The stats.json schema_minor_version that added it: a reader takes it as 0 in a file
    // without it when it came after minor 1.
    int since_minor = 1;
};

[[nodiscard]] const std::vector<CounterField>& counter_fields();

}  // namespace npu::report

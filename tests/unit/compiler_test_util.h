// Helpers shared by the compiler's unit tests.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "sim/config/config_loader.h"
#include "sim/core/error.h"
#include "sim/graph/workload_loader.h"
#include "sim/quant/prepare.h"

namespace npu::compiler::test {

// Validated default config with `overrides` applied.
inline cfg::HwConfig hw_with(const std::vector<std::string>& overrides) {
    cfg::HwConfig hw = cfg::default_hw_config();
    cfg::apply_overrides(hw, overrides);
    DiagnosticList d;
    cfg::validate(hw, d, "test");
    EXPECT_TRUE(d.empty()) << (d.empty() ? "" : d.items()[0].to_string());
    return hw;
}

// A small NPU: 8x8 array, 16 KiB scratchpad in 4 banks of 4096 B, 4 KiB accumulator in 2 banks.
inline cfg::HwConfig small_hw(std::vector<std::string> extra = {}) {
    std::vector<std::string> o = {"array.rows=8",          "array.cols=8",
                                  "scratchpad.size=16KiB", "scratchpad.banks=4",
                                  "accumulator.size=4KiB", "accumulator.banks=2"};
    o.insert(o.end(), extra.begin(), extra.end());
    return hw_with(o);
}

// A workload from YAML text, loaded and prepared (seeded data, quantization).
inline graph::Workload workload(const std::string& yaml) {
    return quant::prepare(graph::load_workload_from_string(yaml, "w.yaml"));
}

}  // namespace npu::compiler::test

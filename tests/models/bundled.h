// A bundled workload (workloads/NAME.yaml), loaded and quantized as the command line does, and
// the default config with several cores, for the whole-NPU tests.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "sim/config/config_loader.h"
#include "sim/graph/workload.h"
#include "sim/quant/prepare.h"
#include "sim/quant/ptq.h"

namespace npu::test_support {

inline graph::Workload bundled(const std::string& name) {
    return quant::load_and_quantize(std::string(NPUSIM_SOURCE_DIR) + "/workloads/" + name +
                                    ".yaml");
}

// The same with its batch set to `batch` (quant::set_batch).
inline graph::Workload bundled(const std::string& name, int32_t batch) {
    graph::Workload wl = bundled(name);
    quant::set_batch(wl, batch);
    return wl;
}

// The default config with `cores` cores and the overrides `more` (`key=value`).
inline cfg::HwConfig with_cores(int cores, std::vector<std::string> more = {}) {
    cfg::HwConfig hw = cfg::default_hw_config();
    more.push_back("cores=" + std::to_string(cores));
    cfg::apply_overrides(hw, more);
    return hw;
}

}  // namespace npu::test_support

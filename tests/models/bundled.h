// A bundled workload (workloads/NAME.yaml), loaded and quantized as the command line does, for
// the whole-NPU tests.
#pragma once

#include <cstdint>
#include <string>

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

}  // namespace npu::test_support

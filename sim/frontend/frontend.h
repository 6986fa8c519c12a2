// Frontends: every file format a workload can come in (ARCHITECTURE.md §8, sim/frontend) turned
// into the same graph IR. The command line loads workloads only through here, so a format added
// here works in every command that takes a workload (run, compile, compare; sweep and regress
// pass it on to `npusim run`).
//
// Formats, chosen by the file's extension:
//   .yaml / .yml   npusim's workload YAML (docs/workloads.md); a float network is post-training
//                  quantized with its own `calibration:` settings (sim/quant/ptq.h)
//   .csv           a SCALE-Sim v2 topology, conv or GEMM, told apart by its header
//                  (sim/frontend/scalesim.h)
#pragma once

#include <string>
#include <vector>

#include "sim/graph/workload.h"
#include "sim/graph/workload_loader.h"

namespace npu::frontend {

struct LoadOptions {
    // false: timing-only (graph::LoadOptions::with_data); no tensor data is drawn or read.
    bool with_data = true;
};

// The formats load_workload() accepts, as the extensions it recognises (for messages and --help).
[[nodiscard]] std::vector<std::string> supported_extensions();

// Loads a workload in any supported format, ready to compile (quantized). Throws npu::UserError
// naming the file for an unknown format or anything wrong inside it.
[[nodiscard]] graph::Workload load_workload(const std::string& path,
                                            const LoadOptions& options = {});

}  // namespace npu::frontend

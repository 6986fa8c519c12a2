// SCALE-Sim v2 inputs (so SCALE-Sim users can bring what they have; docs/workloads.md):
//  - topology CSVs, conv or GEMM, read as SCALE-Sim's scalesim/topology_utils.py reads them: the
//    first row is a header; each row ends with a comma (the cell after it is dropped); conv rows
//    are `name, IFMAP height, IFMAP width, filter height, filter width, channels, num filter,
//    stride height[, stride width]` (stride width defaults to the height's), output size
//    ceil((in - filter + stride) / stride) as SCALE-Sim computes it (bottom/right padding where
//    the stride does not divide; SCALE-Sim topologies otherwise give padded IFMAP sizes), and a row
//    whose name contains `DP` is depthwise (SCALE-Sim runs it as `channels` one-channel
//    convolutions; here it is one conv2d with groups = channels); GEMM rows are `name, M, N, K`.
//    Which of the two a file is comes from its header: a first cell `Layer name`/`Layer` followed
//    by IFMAP columns is conv, by exactly M, N, K is GEMM (the content decides, so a `.csv` needs
//    no --format flag; a CSV that is neither is an error naming both headers).
//  - the `[architecture_presets]` of a SCALE-Sim .cfg turned into an npusim hardware YAML.
// SCALE-Sim has no data or quantization: each layer reads its own declared input (SCALE-Sim
// layers are independent), with fixed illustrative scales and `output: auto`.
#pragma once

#include <string>
#include <vector>

#include "sim/graph/workload.h"

namespace npu::frontend {

struct ScaleSimLayer {
    std::string name;
    int ifmap_h = 1, ifmap_w = 1, filter_h = 1, filter_w = 1, channels = 1, num_filter = 1;
    int stride_h = 1, stride_w = 1;
    bool depthwise = false;  // a `DP` row
    bool gemm = false;       // from a GEMM topology: M = ifmap_h, K = channels, N = num_filter
};

// True when `text`'s first row is a SCALE-Sim conv or GEMM topology header.
[[nodiscard]] bool is_scalesim_topology(const std::string& text);

// Parses a topology. Throws npu::UserError listing every bad cell as file:line:col.
[[nodiscard]] std::vector<ScaleSimLayer> parse_scalesim_topology(const std::string& text,
                                                                 const std::string& file_label);

// The workload YAML (docs/workloads.md) of a parsed topology, named `name`.
[[nodiscard]] std::string scalesim_workload_yaml(const std::vector<ScaleSimLayer>& layers,
                                                 const std::string& name);

// A SCALE-Sim .cfg (INI) as an npusim hardware config YAML, with `array.timing: scalesim`; what
// has no npusim key is stated in comments. Throws npu::UserError (file:line) for a missing or
// malformed ArrayHeight/ArrayWidth/SRAM size/Dataflow.
[[nodiscard]] std::string scalesim_config_yaml(const std::string& cfg_text,
                                               const std::string& file_label);

}  // namespace npu::frontend

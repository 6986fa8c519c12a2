// ONNX import (docs/onnx.md): an ONNX model, quantized (QDQ graphs, QLinear* / com.microsoft
// operators, ConvInteger/MatMulInteger) or float, becomes a workload in npusim's YAML format
// (docs/workloads.md) plus its side files (weights, biases, layer-norm parameters as .npy). The
// command line loads that text directly (sim/frontend: load_workload), and `npusim import`
// writes it to disk, so running an .onnx file and running its imported YAML are the same load.
//
// What maps onto what: each quantized ONNX tensor (an output of QuantizeLinear or of a QLinear
// operator) is one IR tensor (uint8 tensors move their zero point by -128: the int8 datapath
// computes the same real values); QDQ groups are recognised as ONNX Runtime's QDQ selectors do
// (DQ inputs, one compute node, a Q output, optionally through a Relu/Clip the Q makes
// redundant); layout changes (Reshape, Flatten, Transpose, Squeeze, Unsqueeze, Identity, no-op
// Casts) become views of the IR tensor rather than layers. A float model becomes a float network
// that post-training quantization calibrates (`calibration`). Every tensor keeps its ONNX name,
// shape, element type and layout as a view (Workload::views) for --input and --save-tensors.
//
// Anything else is an npu::UserError naming the node, its op type and domain, the model's opset
// and the supported operators.
#pragma once

#include <map>
#include <string>

#include "sim/core/npy.h"

namespace npu::frontend {

struct OnnxImportOptions {
    // Calibration images for a float model (.npy, NCHW as the model's input or NHWC, float32;
    // or a raw float32 HWC file). Required to run a float model; written into the YAML as given
    // (made absolute).
    std::string calibration;
    // Side files are named "<data_dir>/<file>.npy" in the YAML (the folder `npusim import`
    // creates next to it).
    std::string data_dir = "data";
    // false: a float model without calibration imports anyway (timing-only runs, compile).
    bool require_calibration = true;
};

struct ImportedWorkload {
    std::string yaml;                         // the workload (docs/workloads.md)
    std::map<std::string, npy::Array> files;  // side files by the name the YAML uses
    bool float_model = false;                 // post-training quantization pending
};

// Throws npu::UserError for a file that cannot be read or a graph that cannot be imported.
[[nodiscard]] ImportedWorkload import_onnx(const std::string& path,
                                           const OnnxImportOptions& options = {});

// The operators import_onnx accepts, one line per group (for messages and docs).
[[nodiscard]] std::string onnx_supported_ops();

}  // namespace npu::frontend

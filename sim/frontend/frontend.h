// Frontends: every file format a workload can come in (ARCHITECTURE.md §8, sim/frontend) turned
// into the same graph IR. The command line loads workloads only through here, so a format added
// here works in every command that takes a workload (run, compile, compare; sweep and regress
// pass it on to `npusim run`).
//
// Formats, chosen by the file's extension (or by name: `npusim import --format NAME`):
//   .yaml / .yml   npusim's workload YAML (docs/workloads.md); a float network is post-training
//                  quantized with its own `calibration:` settings (sim/quant/ptq.h)
//   .onnx          ONNX models, quantized or float (docs/onnx.md, sim/frontend/onnx_import.h)
//   .csv           a SCALE-Sim v2 topology, conv or GEMM, told apart by its header
//                  (sim/frontend/scalesim.h)
// Every other format is an importer: it turns the file into workload YAML text plus side files
// (weights, biases, tables as .npy), which load_workload reads from memory and `npusim import`
// writes to disk, so a run of the original file and a run of its imported YAML are one path.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "sim/core/npy.h"
#include "sim/graph/workload.h"
#include "sim/graph/workload_loader.h"

namespace npu::frontend {

struct LoadOptions {
    // false: timing-only (graph::LoadOptions::with_data); no tensor data is drawn or read.
    bool with_data = true;
    // Calibration images for an imported float model (e.g. a float ONNX model): .npy (NCHW as
    // the model's input, or NHWC) or raw float32 HWC. Empty: the format's own, if any.
    std::string calibration;
};

struct ImportOptions {
    std::string calibration;        // as LoadOptions::calibration
    std::string data_dir = "data";  // the folder (relative to the YAML) side files are named in
    // false (timing-only loads): a float model may come without calibration images.
    bool require_calibration = true;
};

// An imported workload: YAML text (docs/workloads.md) and its side files by the names it uses.
struct Imported {
    std::string yaml;
    std::map<std::string, npy::Array> files;
};

// A format other than workload YAML.
struct Format {
    std::string name;                     // for `npusim import --format NAME`
    std::vector<std::string> extensions;  // lower case, with the dot
    std::string description;
    std::function<Imported(const std::string& path, const ImportOptions& options)> import;
};

// Every importable format (not the YAML itself).
[[nodiscard]] const std::vector<Format>& formats();
// The format of `path` by its extension, or by `name` when given; throws npu::UserError naming
// the file and the formats there are.
[[nodiscard]] const Format& format_for(const std::string& path, const std::string& name = "");

// The formats load_workload() accepts, as the extensions it recognises (for messages and --help).
[[nodiscard]] std::vector<std::string> supported_extensions();

// Loads a workload in any supported format, ready to compile (quantized). Throws npu::UserError
// naming the file for an unknown format or anything wrong inside it.
[[nodiscard]] graph::Workload load_workload(const std::string& path,
                                            const LoadOptions& options = {});

}  // namespace npu::frontend

// Real tensors in and out of a workload (`npusim run --input NAME=FILE.npy`, `--save-tensors
// DIR`), through the tensor views an import records (Workload::views: the source model's names,
// layouts and element types) or, for native workloads, the IR tensors themselves.
//
// In: NAME is a view's name (an ONNX tensor) or a declared input of the workload. The .npy file
// must have the view's shape (e.g. NCHW) or the IR tensor's shape (converted either way), and an
// element type that fits: float32 is quantized as ONNX's QuantizeLinear does (float32
// division, round half to even, saturate: `clamp(rne(x / scale) + zero_point)`), uint8 moves by
// -128 into int8, int8 is taken as it is.
// A batch (Workload::batch > 1) gives and saves N images along a leading dimension: (N, ...one
// image's shape...), a view's leading 1 (the source model's batch) replaced by N.
// Out: every declared input and layer output, one .npy per view (the source model's name,
// layout and type: uint8 stays uint8; float32 views are dequantized as DequantizeLinear does,
// `float(q - zero_point) * scale`), or per IR tensor without a view (int8, its IR shape, named
// after the layer). File names are the tensor names with every character other than letters,
// digits, '.', '-' and '_' replaced by '_' (tensor_file_name).
#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "sim/core/npy.h"
#include "sim/graph/workload.h"

namespace npu::frontend {

// "NAME=FILE" pairs, as given on the command line.
using InputFiles = std::vector<std::pair<std::string, std::string>>;

// Replaces the data of the named inputs; throws npu::UserError (every problem) for an unknown
// name (with the names there are), a file that is not a fitting .npy, or a name given twice.
void apply_inputs(graph::Workload& wl, const InputFiles& inputs);

// The same with arrays in memory (e.g. one image of a labelled set per run); `source` stands
// for the file in messages.
struct InputArray {
    std::string name;
    npy::Array array;
    std::string source;
};
void apply_input_arrays(graph::Workload& wl, const std::vector<InputArray>& inputs);

// One input converted (exposed for tests): the int8 data of declared input `tensor`, and its
// real values when the file held float32.
struct ConvertedInput {
    size_t input_index = 0;
    std::vector<int8_t> data;
    std::vector<float> real;  // empty unless float32 was given
};
[[nodiscard]] ConvertedInput convert_input(const graph::Workload& wl, const std::string& name,
                                           const npy::Array& a, const std::string& file);

// Every tensor to save: file name (tensor_file_name + ".npy") -> array. `outputs` are the
// layers' outputs (parallel to wl.layers); the declared inputs come from wl.input_data.
[[nodiscard]] std::map<std::string, npy::Array> tensors_to_save(
    const graph::Workload& wl, const std::vector<std::vector<int8_t>>& outputs);

// A tensor name as a file name (without the extension).
[[nodiscard]] std::string tensor_file_name(const std::string& name);

// rne(x / scale) + zero_point, saturated to int8, all in float32 as MlasQuantizeLinear does.
[[nodiscard]] int8_t quantize_linear(float x, double scale, int32_t zero_point);

}  // namespace npu::frontend

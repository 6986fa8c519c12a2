// Post-training quantization (PTQ): a float network (conv2d/gemm weights given as float32 files,
// docs/workloads.md "Float networks and post-training quantization") becomes the int8 workload
// the NPU runs. The workload loader (sim/graph, below the float executor) builds the structure
// and leaves Workload::needs_ptq set; quantize() runs the float reference (run_float, fp32) over
// the calibration images, records every tensor's range and fills each layer's quantization the
// way a quantized layer is finished (finish_quantization, calibrate.h). The arithmetic is in the
// pure functions below; docs/precision.md "Post-training quantization" states it.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "sim/graph/workload.h"
#include "sim/graph/workload_loader.h"

namespace npu::quant {

using PtqOptions = graph::PtqSettings;

struct Range {
    double lo = 0.0;
    double hi = 0.0;
};

// lo = min(lo, 0), hi = max(hi, 0) (zero stays exact). Asymmetric: scale = (hi - lo) / 255 in
// double (1.0 if 0), zero_point = clamp(rint(-128 - lo / scale), -128, 127). Symmetric:
// scale = max(|lo|, |hi|) / 127 (1.0 if 0), zero_point 0. rint: round half to even.
[[nodiscard]] graph::QuantParams choose_quant(double lo, double hi, bool symmetric);

// [min, max] of the values ({0, 0} if empty).
[[nodiscard]] Range minmax_range(const std::vector<float>& values);
// Nearest rank on the sorted values v[0..n-1]: hi = v[ceil(p/100 * n) - 1], lo =
// v[ceil((100 - p)/100 * n) - 1], each index clamped to [0, n - 1] (p = 100: the min/max).
[[nodiscard]] Range percentile_range(std::vector<float> values, double p);

// Symmetric weight quantization of OHWI weights with out_c output channels. Per channel:
// s[c] = max|w[c]| / qmax (1.0 if 0); per tensor: one s = max|w| / qmax for every channel.
// q = clamp(rint(w / s[c]), -qmax, qmax), w / s in double. qmax = 127 (int8), 7 (int4 layers).
struct QuantizedWeights {
    std::vector<int8_t> q;
    std::vector<double> scale;  // out_c entries
};
[[nodiscard]] QuantizedWeights quantize_weights(const std::vector<float>& w, int out_c,
                                                bool per_channel, int qmax = 127);

// bias_q[c] = rint(b[c] / (in_scale * w_scale[c])) in double. Throws std::out_of_range if one does
// not fit int32.
[[nodiscard]] std::vector<int32_t> quantize_bias(const std::vector<float>& b, double in_scale,
                                                 const std::vector<double>& w_scale);

// clamp(rint(x / q.scale) + q.zero_point, -128, 127): a division, not a multiplication by the
// reciprocal (pixel 0.5 / (1/255) is exactly 127.5 and must round to even).
[[nodiscard]] int8_t quantize_value(float x, const graph::QuantParams& q);
[[nodiscard]] std::vector<int8_t> quantize_values(const std::vector<float>& x,
                                                  const graph::QuantParams& q);

// The int8 workload of a float network (float_net.needs_ptq must hold; throws
// std::invalid_argument otherwise). Every activation tensor (the input and each layer's output;
// maxpool, avgpool, global_avgpool, reshape and concat keep their input's quantization) is
// calibrated over Workload::calibration with run_float(fp32); conv2d/gemm weights are quantized
// symmetric (int4 layers: [-7, 7]) and biases to int32. Workload::input / input_data[0] become
// the first sample (the first calibration image if there are no samples) quantized with the
// input's quantization. Float weights and the sample sets stay. A loaded network's pending seeded
// tensors (prepare.h) are drawn first. Throws npu::UserError (naming the
// workload file and layer) for a network that cannot be quantized: no calibration images, a
// concat whose inputs calibrate differently, a bias or accumulator beyond int32, a rescale
// >= 2^31.
[[nodiscard]] graph::Workload quantize(const graph::Workload& float_net, const PtqOptions& options);
// With the workload's own `calibration:` settings (float_net.ptq).
[[nodiscard]] graph::Workload quantize(const graph::Workload& float_net);

// load_workload, then prepare() (prepare.h): seeded data, and calibration or, for a float network,
// post-training quantization. What the command line runs (through sim/frontend).
[[nodiscard]] graph::Workload load_and_quantize(const std::string& path,
                                                const graph::LoadOptions& options = {});

// One line per quantized tensor: "input: scale 0.0039215686 zero_point -128", and per conv/gemm
// the weight scales' range; for reports and tests.
[[nodiscard]] std::string describe_quantization(const graph::Workload& wl);

}  // namespace npu::quant

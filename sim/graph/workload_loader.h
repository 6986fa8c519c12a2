// Loads a workload YAML file (format: docs/workloads.md) into a Workload: the layer graph with
// its geometry, the given quantization parameters and float weights, and what remains to compute
// (Workload::pending: the tensors drawn from the file's seed and every layer's quantization, with
// `auto` outputs calibrated), which npu::quant::prepare (sim/quant/prepare.h) computes. The loader
// only parses and checks. Strict like the hardware config: unknown keys (with a "did you mean"
// hint), wrong types, out-of-range values and inconsistent shapes are all collected and thrown
// together as one npu::UserError, each with file:line:col and a key path such as
// `layers[1].kernel`.
#pragma once

#include <cstdint>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "sim/core/npy.h"
#include "sim/graph/workload.h"
#include "sim/kernels/mt19937_64.h"

namespace npu::graph {

struct LoadOptions {
    // false (timing-only runs): recorded in Workload::pending for prepare(), which then draws no
    // tensor (Layer::weights, bias, gamma, beta and Workload::input / input_data's vectors stay
    // empty) and calibrates no `auto` output (an auto scale becomes 1.0, an auto zero point 0).
    // Every check, shape, geometry and requantization vector is as usual. Timing does not depend
    // on data or scales; such a workload cannot be run functionally or checked against the
    // reference.
    bool with_data = true;
    // Side files held in memory (an import's weights, biases, tables: sim/frontend), by the name
    // a `{file: F}` key gives; consulted before the file system.
    const std::map<std::string, npy::Array>* files = nullptr;
};

// Nothing may run or compile the result before npu::quant::prepare() (or use
// npu::quant::load_and_quantize, which does both). A float network (conv2d/gemm with
// `weights: {file: F}`) also comes back with Workload::needs_ptq set: prepare() post-training
// quantizes it.
[[nodiscard]] Workload load_workload(const std::string& path, const LoadOptions& options = {});
// file_label names the text in diagnostics and becomes Workload::source_file.
[[nodiscard]] Workload load_workload_from_string(const std::string& text,
                                                 const std::string& file_label,
                                                 const LoadOptions& options = {});

// The data generator, exposed so tests can pin it down. Each tensor has its own stream, seeded
// from (workload seed, stream id) through splitmix64, so editing one layer leaves the other
// layers' data unchanged. Stream ids: 0 = the input; for layer i: 3i+1 weights, 3i+2 bias,
// 3i+3 per-channel weight scales.
class DataGenerator {
  public:
    DataGenerator(uint64_t seed, uint64_t stream);
    // Uniform in [lo, hi] (lo <= hi), by rejection sampling on std::mt19937_64's raw output: the
    // same numbers on every platform (std::uniform_int_distribution is implementation-defined).
    [[nodiscard]] int64_t uniform_int(int64_t lo, int64_t hi);
    // Uniform in [0, 1) with 53 random bits.
    [[nodiscard]] double uniform_unit();
    [[nodiscard]] std::vector<int8_t> int8s(size_t count, int lo, int hi);

  private:
    // std::mt19937_64's sequence (fixed by the C++ standard), generated in bulk.
    kernels::Mt19937_64 m_engine;
};

[[nodiscard]] uint64_t splitmix64(uint64_t x);

}  // namespace npu::graph

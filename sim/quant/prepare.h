// From a loaded workload to one that can run. The workload loader (sim/graph) only parses and
// checks a file; what the file asks to be computed it records in Workload::pending, and
// prepare() computes it:
//   - the seeded tensors (draw_seeded_data), each from its own stream of the workload's seed
//     (docs/workloads.md "Data generation", graph::DataGenerator): every declared input's data,
//     conv2d/gemm weights and random or zero biases, per-channel weight scales drawn from a
//     {min, max} range, layernorm/rmsnorm gamma and beta; tensors given as side files
//     (`{file: F}`: weights, biases, gamma, beta, tables) the loader has read. Timing-only loads
//     draw none but the weight scales (the requantization's size depends on them, not its timing);
//   - a quantized network's quantization, `auto` outputs calibrated on the reference's real
//     outputs (quantize_layers, calibrate.h);
//   - a float network's post-training quantization (quantize, ptq.h).
// The results are bit for bit those the loader computed itself before (same streams, same order
// of operations).
#pragma once

#include "sim/graph/workload.h"

namespace npu::quant {

// The workload with nothing pending (returned as is if nothing is), with its batch's images
// (set_batch). Throws npu::UserError for a
// quantization problem, at the workload file's location (calibrate.h), or for a float network
// that cannot be quantized (ptq.h).
[[nodiscard]] graph::Workload prepare(graph::Workload workload);

// The seeded tensors and weight scales `pending` asks for (see above); Workload::input_data gets
// one vector per declared input (empty without data).
void draw_seeded_data(graph::Workload& workload, const graph::PendingWork& pending);

// Sets workload.batch and gives every declared input that has data `batch` images (a v1 chain:
// Workload::input): its first image as it is, image b >= 1 of input j drawn from stream
// 2^62 + 2^32 b + j (docs/workloads.md "Data generation"), so each image is distinct and a batch
// of N starts with the images of every smaller batch. Quantization never depends on the batch
// (prepare() calibrates on image 0 before calling this). Throws std::invalid_argument for a batch
// outside [1, graph::kMaxBatch] or a workload whose float inputs are already given.
void set_batch(graph::Workload& workload, int32_t batch);

// draw_seeded_data for what `workload.pending` asks, which it then clears (nothing if nothing is
// pending). The quantization asked for is the caller's: post-training quantization (ptq.h) and a
// timing-only float network's placeholder one (sim/frontend) start with this.
void draw_pending_data(graph::Workload& workload);

}  // namespace npu::quant

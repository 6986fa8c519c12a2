// Tiling of one layer on the systolic array: the mapping (block sizes of the layer's implicit
// GEMM) and where its double buffers sit in the scratchpad and accumulator.
//
// Mapping (one scheme for conv and GEMM; a GEMM is a 1x1 conv over an M x 1 image):
//   for each m-block (a run of whole output rows):   load the input slab those rows need
//     for each n-block (array.cols output channels):  load the bias
//       for each k-chunk of the reduction:            load the weights, compute
//     post-process the m-block x n-block accumulators to int8, store them
// Slabs, weight chunks, biases, outputs and accumulators are double-buffered so loads, compute
// and stores overlap. choose_mapping() picks the largest k-chunk, then the most output rows per
// m-block, that fit (within MappingLimits); the search pass (search.h) tries smaller ones too.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "sim/config/hw_config.h"
#include "sim/core/precision.h"
#include "sim/graph/workload.h"

namespace npu::compiler {

// How a layer's double buffers are laid out over the scratchpad banks (see place()).
enum class Placement { kBankExclusive, kHalves, kPacked };
[[nodiscard]] const char* to_string(Placement p);

// Per-layer mapping decision (also printed in reports).
struct LayerMapping {
    int64_t m = 0, k = 0, n = 0;  // implicit GEMM
    int32_t out_rows_per_block = 0;
    int64_t mb = 0;  // output pixels per m-block
    int32_t nb = 0;  // output channels per n-block
    int64_t kb = 0;  // reduction per k-chunk
    int64_t m_blocks = 0, n_blocks = 0, k_chunks = 0;
    uint32_t slab_bytes = 0, w_bytes = 0, bias_bytes = 0, out_bytes = 0, acc_bytes = 0;
    Placement placement = Placement::kBankExclusive;
    // Which fields the workload pinned (graph::Layer::pin_*); summary() marks them "(pinned)".
    bool pinned_rows = false, pinned_k = false, pinned_dataflow = false;
    [[nodiscard]] std::string summary(Dataflow df) const;
};

// Scratchpad and accumulator addresses of a layer's ping/pong buffers.
// K-chunks outermost (place_k_outer()): w[i] holds one k-chunk of every n-block, n-block q at
// w[i] + q x w_block; bias[0] the biases of every channel; the accumulators hold every m-block x
// n-block pair's sums, pair (b, q) at acc[0] + (b x n_blocks + q) x acc_slot (acc[1] unused).
struct Buffers {
    uint32_t slab[2]{}, w[2]{}, bias[2]{}, out[2]{};
    uint32_t acc[2]{};
    uint32_t w_block = 0, acc_slot = 0;  // k-chunks outermost only
};
// The buffers placed `how`, or nothing when they do not fit that way.
[[nodiscard]] std::optional<Buffers> place(const LayerMapping& mp, const cfg::HwConfig& hw,
                                           Placement how);
// The bytes the k-chunks-outermost order keeps resident in the accumulators: every m-block x
// n-block pair's sums, m_blocks x n_blocks x aligned(acc_bytes).
[[nodiscard]] uint64_t resident_sums_bytes(const LayerMapping& mp);
// The buffers of the k-chunks-outermost order (emit.cc): slab[2] (slab_bytes each), w[2] (one
// k-chunk of every n-block: n_blocks x aligned(w_bytes) each), the biases of all mp.n channels
// once (right after w[0]; w[1] keeps as much room after it, so place()'s groups stay alike),
// out[2] (out_bytes each), laid out by place() in its first placement that fits (bank-exclusive,
// halves, packed); and every pair's sums in the accumulators from 0 (resident_sums_bytes()).
// Nothing when they do not fit.
[[nodiscard]] std::optional<Buffers> place_k_outer(const LayerMapping& mp, const cfg::HwConfig& hw);

// Upper bounds the mapper's search puts on a mapping (0: none); pins still win.
struct MappingLimits {
    int32_t max_rows = 0;
    int64_t max_k_chunk = 0;
};

// Throws npu::UserError when a layer cannot be mapped (SRAM too small), naming the layer, what
// it needs and what the config has. Honours the layer's pins (Layer::pin_rows, pin_k_chunk,
// pin_dataflow) and throws when they cannot be met: more rows than the output has, a k-chunk
// larger than the reduction or (ws) neither a multiple of array.rows nor the whole reduction, a
// dataflow the array does not run, a pinned mapping that does not fit the SRAM. With
// `array.dataflow: both` a pinned dataflow is the one mapped for (else hw.array.dataflow).
[[nodiscard]] LayerMapping choose_mapping(const graph::Layer& layer, const cfg::HwConfig& hw,
                                          const MappingLimits& limits = {});
// The dataflow a layer pins, checked against the array (nullopt: not pinned).
[[nodiscard]] std::optional<Dataflow> pinned_dataflow(const graph::Layer& layer,
                                                      const cfg::HwConfig& hw);
// The precision a layer runs at: its own (`precision:` in the workload) or the config's.
[[nodiscard]] Precision precision_of(const graph::Layer& layer, const cfg::HwConfig& hw);
// The end of a "does not fit" message: the config keys that would have to grow, where they were
// set ("; to fit it, raise scratchpad.size (edge_npu.yaml:12:3) or accumulator.size (...)").
[[nodiscard]] std::string grow_srams_hint(const cfg::HwConfig& hw);

}  // namespace npu::compiler

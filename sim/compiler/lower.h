// Pass 1 of the compiler (compile() runs them in order; each can be run and tested alone):
// lowering. A Workload becomes the list of layer descriptors the NPU's layer table holds and
// the list of memory regions the program addresses.
//
//   in:  graph::Workload (quantized: Workload::needs_ptq clear), cfg::HwConfig
//   out: Lowered
//        - per layer a LoweredLayer: the isa::LayerDesc constants (geometry, zero points,
//          requantization, precision and the array's cycles per MAC at it); its addresses,
//          mapping text, dataflow and residency are left for later passes. Also what the later
//          passes need: the tensors it reads (the chain rule resolved), its regions, its class
//          (array, vector kinds, view), element sizes, and for a matmul one head's GEMM.
//        - the regions in the order DRAM is allocated: the declared inputs, then per layer its
//          weights and bias, then its output (a reshape's output is a view: the region it reads).
//          Activation regions hold Workload::batch images; weights and biases are shared.
//        - problems found per layer (a precision the array has no mode for, an input stored with
//          another element width), to be reported with the later passes' problems.
// Lowering never throws for a bad layer; it records the problem and keeps going (cycles_per_mac
// becomes 1) so that every problem is reported at once.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "sim/config/hw_config.h"
#include "sim/core/error.h"
#include "sim/graph/workload.h"
#include "sim/isa/isa.h"

namespace npu::compiler {

inline constexpr uint32_t kNoRegion = UINT32_MAX;

// A contiguous piece of memory the program reads or writes: a declared input, a layer's
// pre-tiled weights or (folded) biases, or a layer's output tensor.
struct Region {
    enum class Kind { kInput, kWeights, kBias, kOutput };
    Kind kind = Kind::kOutput;
    size_t index = 0;    // kInput: the declared input (Workload::inputs; 0: a v1 chain's input)
    uint64_t bytes = 0;  // its size (the allocator reserves at least 1 byte, 64-byte aligned)
    size_t layer = 0;    // kWeights, kBias, kOutput: the layer
    // kInput: the precision of its first reader, which sets its element format.
    Precision precision = Precision::kInt8;
};

// How a layer runs: on the array (conv2d/gemm, matmul), on the vector unit (add/mul; row ops:
// softmax, norms, lookups, concat; window ops: pooling, depthwise convolution) or not at all
// (reshape: a view).
enum class LayerClass { kArray, kElementwise, kRows, kWindow, kView };

struct LoweredLayer {
    const graph::Layer* layer = nullptr;  // in the Workload (which outlives every pass)
    LayerClass cls = LayerClass::kView;
    isa::LayerDesc desc;
    // The tensors it reads (chain rule resolved) and their regions (a reshape view: the region it
    // views). Concat: each input's last dimension (its row length).
    std::vector<std::string> inputs;
    std::vector<uint32_t> input_regions;
    std::vector<int64_t> concat_lens;
    uint32_t weight_region = kNoRegion, bias_region = kNoRegion, output_region = kNoRegion;
    Precision prec = Precision::kInt8;
    Precision wprec = Precision::kInt8;  // conv/gemm weights (int4 packs; depthwise stays int8)
    uint64_t ab = 1;                     // bytes per activation element
    uint64_t w_slot = 1;                 // DRAM bytes reserved per weight (int4: 1)
    uint64_t K = 1, N = 1;               // conv/gemm: per-group reduction, output channels
    int32_t groups = 1;
    bool depthwise = false;
    // matmul: one head's GEMM (kind gemm, M x K x N, the layer's pins, int8 for int4 layers);
    // a batch folded into the rows (below): the layer over the stacked images; the other array
    // layers map the layer itself (gemm()).
    graph::Layer head;
    bool has_head = false;
    // The batch (Workload::batch). Every activation tensor holds `batch` images back to back, so
    // an image of input i starts in_image_bytes[i] after the one before (the output's:
    // out_image_bytes). A gemm, and a conv2d whose rows are independent (kernel and stride 1
    // vertically, no vertical padding), folds the batch into its rows: `head` is the layer on the
    // images stacked vertically (in_h x batch) and `samples` is 1. Add/mul and the row ops run over
    // batch x rows (samples 1). Every other layer (other convolutions, matmul, pooling, depthwise)
    // runs its body `samples` = batch times, image by image.
    int32_t batch = 1;
    int32_t samples = 1;
    std::vector<uint64_t> in_image_bytes;
    uint64_t out_image_bytes = 0;
    std::vector<Diagnostic> problems;
    [[nodiscard]] const graph::Layer& gemm() const { return has_head ? head : *layer; }
};

struct Lowered {
    int32_t batch = 1;                 // Workload::batch
    std::vector<LoweredLayer> layers;  // parallel to Workload::layers
    std::vector<Region> regions;       // in allocation order
    std::string source_file;           // the workload's, for diagnostics
};

// The result points into `workload`, which must outlive it.
[[nodiscard]] Lowered lower(const graph::Workload& workload, const cfg::HwConfig& hw);
Lowered lower(const graph::Workload&& workload, const cfg::HwConfig& hw) = delete;

}  // namespace npu::compiler

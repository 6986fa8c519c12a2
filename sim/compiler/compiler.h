// The workload compiler: maps each quantized layer onto tiles that fit the on-chip SRAM and
// emits the instruction stream (isa::Program) with its dependency tokens and the initial DRAM
// image (weights in the array's K-major layout, biases with the input zero point folded in).
//
// compile() runs passes, each in its own file with its input and output stated in its header
// and tested alone:
//   1. lower        (lower.h)        Workload -> layer descriptors and memory regions
//   2. search       (search.h)       per layer: the mapping (array layers: the best of a search
//                                    scored by the closed-form estimate, estimate.h) and its
//                                    on-chip buffers
//   3. emit         (emit.h)         plans -> instructions and tokens, far addresses relative to
//                                    regions; a SYNC closes each layer
//   4. fuse         (fusion.h)       with compiler.fusion auto or `fuse: true` pins: layers ->
//                                    fusion groups, chosen on the program of step 3 and memory
//                                    plans of it (without: one layer each)
//   5. plan memory  (memory_plan.h)  working sets -> on-chip residency, DRAM allocation; the
//                                    program is emitted again when groups read and write their
//                                    intermediates in place (or with prefetch slots); link: the
//                                    far addresses and the layer table's addresses
//   6. pack         (pack.h)         the DRAM image: inputs, pre-tiled weights, folded biases
// Memory is planned after emission because residency depends on each layer's working set, which
// the emitted scratchpad addresses give exactly; emission does not depend on where regions live,
// so the program is emitted once and relocated.
#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <vector>

#include "sim/compiler/estimate.h"
#include "sim/compiler/mapping.h"
#include "sim/compiler/search.h"
#include "sim/config/hw_config.h"
#include "sim/graph/workload.h"
#include "sim/isa/isa.h"

namespace npu::compiler {

struct CompileOptions {
    bool with_data = true;  // build the DRAM image (false: timing-only)
    // Keep a layer's output in the scratchpad, above the working set of every layer that runs
    // while it is alive, when it fits; its readers then load it on chip (no DRAM traffic).
    bool onchip_activations = true;
    // The NPU instance's address space (isa::Program): DRAM is allocated from dram_base, at most
    // dram_size bytes (0: the config's dram.size minus dram_base); the scratchpad's on-chip
    // window starts at onchip_base.
    uint64_t dram_base = 0;
    uint64_t dram_size = 0;
    uint64_t onchip_base = isa::kOnChipBase;
    // Experiments and tests (the mapper's optimality test): the plan of array layer `layer` (an
    // index into the workload's layers) instead of the search's choice when it returns one, e.g.
    // one of array_candidates() or a plan_array() of other limits. Empty: the search chooses.
    std::function<std::optional<ArrayPlan>(size_t layer)> array_plan = nullptr;
    // Channel and spatial partitions (partition.h): with cores > 1, the program of core `core`:
    // each layer's work units (emit.h core_share(); `layer_partitions[i]`, kChannel or kSpatial:
    // layer i's channels or rows, its pin or auto's choice, set by compile_cores()) split over
    // the cores as evenly as they go (the first cores take one more), this core's share emitted
    // (LayerPlan::core_units). Memory is planned on the whole layers, so every core's program
    // has the same DRAM layout.
    int core = 0;
    int cores = 1;
    std::vector<Partition> layer_partitions = {};  // one per workload layer when cores > 1
};

// Element sizes (docs/precision.md): activations take act_bytes(p) bytes each (int4: int8
// activations); conv/gemm weights are stored K-major per n-block with each row of n weights in
// weight_bytes(p, n) bytes (int4: two per byte, low nibble first; depthwise weights stay int8);
// biases and accumulators are 4 bytes. Every tensor is stored in its producer's activation format,
// and a layer must read tensors of its own activation width (an int8 layer cannot read an fp32
// tensor: there is no conversion unit), else compile() throws npu::UserError. Every problem of
// every layer (a layer that does not fit, a pin that cannot be met, a precision without an array
// mode) is reported at once, as is a workload that needs more DRAM than the config has. The
// workload must have nothing pending (npu::quant::prepare); std::invalid_argument otherwise.
[[nodiscard]] isa::Program compile(const graph::Workload& workload, const cfg::HwConfig& hw,
                                   const CompileOptions& options);

// The mapper's score of each layer's chosen plan (with compiler.fusion = auto: its best plan, the
// one compile() keeps for a layer in no fusion group) (scored_estimate(), schedule.h: the
// closed-form estimate with the later of its and the engine schedule's cycles), in the workload's
// order; only array layers (conv/gemm, matmul) have one (`estimate` empty otherwise). `compile
// --emit estimate` prints it and scripts/cost_model_error.sh compares it with simulation. Throws
// what compile() throws for a layer that cannot be mapped.
struct LayerEstimate {
    std::string name;
    std::optional<Estimate> estimate;
};
[[nodiscard]] std::vector<LayerEstimate> estimate_layers(const graph::Workload& workload,
                                                         const cfg::HwConfig& hw);

// What compile() and the multi-core passes (partition.h) share: std::invalid_argument for a
// workload with pending work (npu::quant::prepare first); the DRAM the program may use
// (options.dram_size, else the config's dram.size above options.dram_base); npu::UserError naming
// dram.size when `needed` bytes exceed `available`.
void check_prepared(const graph::Workload& workload);
[[nodiscard]] uint64_t dram_available(const CompileOptions& options, const cfg::HwConfig& hw);
void check_dram_fits(const graph::Workload& workload, const cfg::HwConfig& hw, uint64_t needed,
                     uint64_t available);

// compiler.partition auto on several cores (partition.h): per layer of the workload, the split of
// its work over hw.cores cores that the mapper's estimate prefers. An array layer (conv, gemm,
// matmul) is emitted both ways, every core's share of it (core_share()), and each way is scored
// max(the slowest core's estimate (estimate_program()), every core's DRAM bytes together at the
// DRAM's peak bandwidth): the cores compute in parallel and share the DRAM, so channel (each core
// reads every input row and its own weights) wins on weight-heavy layers and spatial (each core
// reads every weight and its own rows) on activation-heavy ones; a tie goes to channel. Every
// other layer is spatial (channel would run it whole on core 0); a layer that cannot be mapped
// gets channel (compile() reports it). `split_cycles` adds up the array layers' chosen costs,
// `one_core_cycles` their estimates whole on one core, scored the same way: auto splits the layers
// only when the first is smaller. Every byte is taken to the DRAM: a shared L2 (l2.size) is not
// known to the estimate.
struct LayerSplit {
    std::vector<Partition> layers;  // kChannel or kSpatial, per layer
    uint64_t split_cycles = 0;
    uint64_t one_core_cycles = 0;
};
[[nodiscard]] LayerSplit choose_layer_partitions(const graph::Workload& workload,
                                                 const cfg::HwConfig& hw);

// compiler.partition auto when it gives the cores images (partition.h): how many of the hw.cores
// cores to keep busy, k in 1..hw.cores, each busy core taking its share of the batch
// (split_batch(batch, k)). Each k is scored as the splits are: max(the slowest busy core's
// estimate, every busy core's DRAM bytes together at the DRAM's peak bandwidth), a core's estimate
// the sum of its array layers' scored estimates (scored_estimate(), schedule.h: the later of the
// closed form and the engine schedule of the layer's instructions, which sees the DMA latency and
// engine waits that keep a lone core from either bound) for its images, mapped as compile() maps
// them. Every core reads every weight, so a weight-bound batch (e.g. BERT on a chip whose DRAM is
// slow for its array) may run faster on fewer cores, each weight read once for more images. The
// fewest cycles wins; a tie keeps more cores busy. Every byte is taken to the DRAM (a tensor kept
// on chip and a shared L2 are not known to the estimate).
[[nodiscard]] int choose_batch_cores(const graph::Workload& workload, const cfg::HwConfig& hw);

}  // namespace npu::compiler

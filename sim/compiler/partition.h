// The multi-core pass: splits a workload over the NPU's cores (`cores`, hw_config.h) and compiles
// each core's share into its own program.
//
//   in:  the Workload, cfg::HwConfig (cores, compiler.partition), CompileOptions
//   out: Partitioned: per core its share (pipeline: its stage) and its isa::Program, all with the
//        workload's layer table, for models/platform/soc.h (one core: compile() itself,
//        unchanged)
//
// Partition `batch` (and `auto` where it chooses batch, below): core c runs images [first, first +
// images) of the batch, the batch split as evenly as it goes (the first batch % cores cores take
// one image more); a core gets no image when the batch is smaller than the cores and runs a program
// without instructions. Each busy core's program is compile() of its images (graph::images_of), so
// its mapping, tiling and timing are those of a one-core run of that batch; the cores run
// independently (no cross-core barrier: no core reads another's data). Each core's regions
// (inputs, weights, every tensor) lie in its own DRAM range, one after the other from
// options.dram_base, 4 KiB aligned (weights are stored once per busy core, not shared); core c's
// scratchpad window starts at options.onchip_base + c * kCoreWindowStride. Every layer's output
// is the busy cores' outputs of it back to back, in core order (activation tensors hold their
// images back to back: Workload::batch).
//
// Partition `channel`: every core runs every layer, each its share of the layer's work units
// (compiler/emit.h work_units(): an array layer's (group or head, n-block) pairs, i.e. blocks of
// output channels, split as evenly as they go, the first cores taking one more; a layer with
// fewer n-blocks than cores leaves the last cores without work in it). Every other layer
// (depthwise, pooling, add, softmax, layernorm, concat, ...) is one unit: core 0 runs it whole.
// Each core writes its channels into the one shared output tensor in DRAM (every core's
// program has the same DRAM range and layout: memory is planned on the whole layers; core 0's
// program holds the DRAM image; no tensor is kept on chip) and reads its share of the weights
// (pre-tiled per n-block) from the one copy. The programs set isa::Program::core_barrier: each
// layer's SYNC waits at the cross-core barrier (models/platform/core_barrier.h) until every core
// has completed the layer, so the next layer reads every channel. Each core's n-blocks are the
// one-core mapping's (the mapping is chosen for the whole layer). Core c's scratchpad window
// starts at onchip_base + c * kCoreWindowStride as with batch. With compiler.overlap prefetch,
// each core prefetches the first weights of its own share of the next layer (its first block of
// channels) into a slot of its own scratchpad before the layer's SYNC (emit.h), and the barrier
// stays. Not with compiler.fusion auto, compiler.overlap full or a workload's `fuse: true` pins
// (npu::UserError naming compiler.partition or the pin): fusion keeps tensors on chip, which the
// cores do not; full drops the barrier between layers, but the next layer reads the other cores'
// outputs, which no core's dependency table sees.
//
// Partition `spatial`: as channel (every core runs every layer, one shared DRAM layout planned on
// the whole layers, core 0's program holds the DRAM image, no tensor kept on chip, the barrier at
// every SYNC, prefetch as channel's, the same refusals), but the work units are every layer's
// output rows (emit.h core_share()): an array layer's GEMM rows (a conv's output image rows),
// pooling's and depthwise's output rows, the rows of add/mul and of the row ops; with a batch, the
// images' rows one image after the other (units = images x rows, image-major, so a core's range may
// span the end of one image and the start of the next; a layer that folds the batch into its rows,
// and the row ops, count the stacked rows). Split as evenly as they go, the first cores taking one
// more; a layer with fewer rows than cores (a gemm of one row, a global pooling) leaves the last
// cores without work in it. Each core runs its rows in blocks that fit the plan's buffers (emit.h
// core_share()), with every output channel: it loads the input rows its rows need (a convolution's
// halo rows too: neighbouring cores both load them) and the whole layer's weights (every n-block
// and k-chunk, per m-block as the plan does, from the one copy) and stores its rows of the shared
// output.
//
// Partition `pipeline` (compile_pipeline(), pipeline.cc): the layers, in workload order, are split
// into `cores` contiguous stages, core c running stage c's layers whole for every image of the
// batch. The split balances the compiler's own estimate of each layer's cycles for one image
// (estimate.h layer_cycles(): an array layer's closed-form estimate, any other layer its DRAM
// bytes at peak bandwidth): split_layers() finds the smallest bound B on a stage's summed cost for
// which the layers fit in `cores` stages (binary search; the largest stage is then as small as
// any split makes it), then fills the stages in order greedily under B, each stage leaving at
// least one layer to every later core (so no core is idle while there are as many layers as
// cores); with fewer layers than cores, one layer each and the last cores idle (a program without
// instructions). The images flow through the stages: core c runs its stage for image 0, then
// image 1, ...; before image i's stage core c > 0 executes WAIT i, which holds its dispatch until
// core c - 1 has executed SIGNAL i, which follows core c - 1's last SYNC of image i (every STORE
// of its stage of image i is in DRAM; models/platform/stage_tokens.h). Earlier stages are done
// with image i by then too (each core waits for the one before), so a layer may read any earlier
// layer's output (skip connections across stages). One image's program is compiled once (the
// mapping, tiling and timing of a one-core run of one image, graph::images_of()). A tensor whose
// readers all run in its producer's stage may stay in that core's scratchpad (with
// CompileOptions::onchip_activations, memory_plan.h's first fit over the working sets of the
// layers it lives through, all of that stage): one place for every image, since a core ends an
// image's stage before it starts the next. Every other region is in DRAM, planned once for the
// batch: the weights once (one copy, shared by every core), every input and every tensor a later
// stage reads (or nobody: the network's outputs) `batch` times one image's size, so it holds the
// images back to back (Workload::batch) as a one-core run of the batch lays it out. Emission does
// not depend on where regions live, so image i's instructions are that program linked with every
// DRAM input and tensor moved to image i's slot (its address + i x one image's bytes), and core
// c's program takes its stage's layers' instructions of every image in turn, its on-chip
// addresses moved from core 0's window to its own (onchip_base + c * kCoreWindowStride). Each
// image has its own DRAM slots, so no core overwrites what another still reads and a core may run
// ahead of the next without bound. Every core's program has the same DRAM range and layout (core
// 0's holds the DRAM image: the weights and every image's inputs), the run's whole layer table
// (the batch's tensors: output_bytes the batch's; a layer's MACs the batch's in its core's
// program, 0 in the others'; on-chip addresses in its core's window) and isa::Program::pipeline.
// Not with compiler.fusion auto, compiler.overlap prefetch or full, or `fuse: true` pins
// (npu::UserError naming compiler.partition or the pin). With batch 1 nothing overlaps: the stages
// run one after the other, the image's layers in order as on one core but every tensor between
// stages through DRAM. A layer's run record (soc.h merge_core_layers()) is its core's: from its
// first image's first instruction to its last image's SYNC, so the spans of a stage's layers
// overlap; exclusive cycles still run from the previous layer's end to its own and add up to the
// run.
//
// Per-layer pins: a workload layer's `partition: channel | spatial` (graph::Layer::pin_partition)
// splits that layer that way in a channel or spatial run on several cores, whatever
// compiler.partition says (the rest of the run as above); with one core or a batch, pipeline (or
// auto) partition a pin is refused (npu::UserError naming each pinned layer's file:line:col); a
// pin `partition: pipeline` is not a pin (the workload loader refuses it).
//
// Partition `auto`: batch when the batch gives every core the same number of images (a multiple
// of the cores), or when the splits cannot run (compiler.fusion auto, compiler.overlap full, a
// `fuse: true` pin); otherwise (e.g. batch 1 on 4 cores) the split above, each layer channel or
// spatial as choose_layer_partitions() (compiler.h) prefers (every core's share of the layer
// estimated both ways, the cores in parallel against the shared DRAM), if the estimate says the
// split beats one core running the layers whole, else batch (at batch 1: one core busy, e.g. a
// DRAM-bound chip where every split only adds traffic). Where auto runs batch, it keeps
// choose_batch_cores() (compiler.h) of the cores busy, the batch split over them as batch splits
// it and the others idle. Pins are refused with auto as with batch. Auto never chooses pipeline.
// Not done: a pipeline split by measured rather than estimated cycles, or one that weighs the
// DRAM traffic between stages.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "sim/compiler/compiler.h"
#include "sim/config/hw_config.h"
#include "sim/graph/workload.h"
#include "sim/isa/isa.h"

namespace npu::compiler {

// Distance between consecutive cores' on-chip windows (above the largest scratchpad, 4 GiB).
inline constexpr uint64_t kCoreWindowStride = uint64_t{1} << 33;
// Alignment of each core's DRAM range.
inline constexpr uint64_t kCoreDramAlign = 4096;

struct CoreShare {
    int32_t first_image = 0;
    int32_t images = 0;  // 0: the core is idle
};

// The batch split over `cores` (see above). Throws std::invalid_argument for cores < 1 or
// batch < 1.
[[nodiscard]] std::vector<CoreShare> split_batch(int32_t batch, int cores);

// A pipeline stage: layers [first, first + layers) of the workload (layers 0: an idle core).
struct Stage {
    size_t first = 0;
    size_t layers = 0;
};

// The layers split into `cores` contiguous stages by their costs (see above): the smallest
// largest stage, filled greedily in order, each stage leaving a layer to every later core; with
// no more layers than cores, one layer each. Throws std::invalid_argument for cores < 1.
[[nodiscard]] std::vector<Stage> split_layers(const std::vector<uint64_t>& costs, int cores);

struct Partitioned {
    // The one used: batch, channel, spatial, pipeline, or kAuto when auto split the layers each
    // its own way.
    Partition partition = Partition::kBatch;
    // Per core (channel, spatial, pipeline: every core the whole batch).
    std::vector<CoreShare> shares;
    std::vector<isa::Program> programs;  // per core
    // Channel, spatial and auto's split: per layer, kChannel or kSpatial (pins and auto's choice
    // included). Empty otherwise.
    std::vector<Partition> layers;
    std::vector<Stage> stages;  // pipeline: per core its stage (else empty)
};

// Throws what compile() throws (for the first core's share whose compile fails), and
// npu::UserError naming dram.size when the cores' ranges together do not fit in the DRAM
// (options.dram_size, or dram.size from options.dram_base); each program's dram_size is then its
// dram_bytes_used (batch; channel and spatial: the one range is checked as compile() does).
// Channel, spatial or pipeline with an unsupported setting, or partition pins outside a channel or
// spatial run on several cores: npu::UserError with every problem (see above).
// What each core runs of a split run (channel, spatial, auto's split), for the reports: "its
// channels of every layer" or "its rows of every layer", and where layers are pinned to the other
// split, e.g. "its channels of every layer (its rows of the 32 layers pinned spatial)"; auto's:
// "its channels of 21 layers and its rows of 32 layers (chosen per layer by compiler.partition
// auto)"; pipeline: "its stage of the layers for every image" (Partitioned::stages says which).
// Empty for batch.
[[nodiscard]] std::string share_text(const Partitioned& parts);

[[nodiscard]] Partitioned compile_cores(const graph::Workload& workload, const cfg::HwConfig& hw,
                                        const CompileOptions& options);

// compile_cores() of partition pipeline (its checks done): sim/compiler/pipeline.cc.
[[nodiscard]] Partitioned compile_pipeline(const graph::Workload& workload, const cfg::HwConfig& hw,
                                           const CompileOptions& options);

}  // namespace npu::compiler

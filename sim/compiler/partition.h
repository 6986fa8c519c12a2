// The multi-core pass: splits a workload over the NPU's cores (`cores`, hw_config.h) and compiles
// each core's share into its own program.
//
//   in:  the Workload, cfg::HwConfig (cores, compiler.partition), CompileOptions
//   out: Partitioned: per core its share and its isa::Program, all with the workload's layer
//        table, for models/platform/soc.h (one core: compile() itself, unchanged)
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
// starts at onchip_base + c * kCoreWindowStride as with batch. Not with compiler.fusion auto,
// compiler.overlap prefetch or a workload's `fuse: true` pins (npu::UserError naming
// compiler.partition or the pin).
//
// Partition `spatial`: as channel (every core runs every layer, one shared DRAM layout planned on
// the whole layers, core 0's program holds the DRAM image, no tensor kept on chip, the barrier at
// every SYNC, the same refusals), but the work units are every layer's output rows (emit.h
// core_share()): an array layer's GEMM rows (a conv's output image rows), pooling's and
// depthwise's output rows, the rows of add/mul and of the row ops; with a batch, the images'
// rows one image after the other (units = images x rows, image-major, so a core's range may
// span the end of one image and the start of the next; a layer that folds the batch into its
// rows, and the row ops, count the stacked rows). Split as evenly as they go, the first cores
// taking one more; a layer with fewer rows than cores (a gemm of one row, a global pooling)
// leaves the last cores without work in it. Each core runs its rows in blocks that fit the plan's
// buffers (emit.h core_share()), with every output channel: it loads the input rows its rows need
// (a convolution's halo rows too: neighbouring cores both load them) and the whole layer's
// weights (every n-block and k-chunk, per m-block as the plan does, from the one copy) and
// stores its rows of the shared output.
//
// Per-layer pins: a workload layer's `partition: channel | spatial` (graph::Layer::pin_partition)
// splits that layer that way in a channel or spatial run on several cores, whatever
// compiler.partition says (the rest of the run as above); with one core or a batch (or auto)
// partition a pin is refused (npu::UserError naming each pinned layer's file:line:col).
//
// Partition `auto`: batch when the batch gives every core the same number of images (a multiple
// of the cores), or when the splits cannot run (compiler.fusion auto, compiler.overlap prefetch, a
// `fuse: true` pin); otherwise (e.g. batch 1 on 4 cores) the split above, each layer channel or
// spatial as choose_layer_partitions() (compiler.h) prefers (every core's share of the layer
// estimated both ways, the cores in parallel against the shared DRAM), if the estimate says the
// split beats one core running the layers whole, else batch (at batch 1: one core busy, e.g. a
// DRAM-bound chip where every split only adds traffic). Pins are refused with auto as with
// batch.
// Not done: pipelining layers over cores.
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

struct Partitioned {
    // The one used: batch, channel, spatial, or kAuto when auto split the layers each its own way.
    Partition partition = Partition::kBatch;
    std::vector<CoreShare> shares;       // per core (channel, spatial: every core the whole batch)
    std::vector<isa::Program> programs;  // per core
    // Channel, spatial and auto's split: per layer, kChannel or kSpatial (pins and auto's choice
    // included). Empty otherwise.
    std::vector<Partition> layers;
};

// Throws what compile() throws (for the first core's share whose compile fails), and
// npu::UserError naming dram.size when the cores' ranges together do not fit in the DRAM
// (options.dram_size, or dram.size from options.dram_base); each program's dram_size is then its
// dram_bytes_used (batch; channel and spatial: the one range is checked as compile() does).
// Channel or spatial with an unsupported setting, or partition pins outside a channel or spatial
// run on several cores: npu::UserError with every problem (see above).
// What each core runs of a split run (channel, spatial, auto's split), for the reports: "its
// channels of every layer" or "its rows of every layer", and where layers are pinned to the other
// split, e.g. "its channels of every layer (its rows of the 32 layers pinned spatial)"; auto's:
// "its channels of 21 layers and its rows of 32 layers (chosen per layer by compiler.partition
// auto)". Empty for batch.
[[nodiscard]] std::string share_text(const Partitioned& parts);

[[nodiscard]] Partitioned compile_cores(const graph::Workload& workload, const cfg::HwConfig& hw,
                                        const CompileOptions& options);

}  // namespace npu::compiler

// Pass 2 of the compiler: mapping search. Chooses, per layer, how it is tiled and where its
// double buffers sit on chip.
//
//   in:  Lowered (lower.h), cfg::HwConfig
//   out: per layer a LayerPlan (parallel to Lowered::layers):
//        - array layers (conv2d/gemm, matmul): an ArrayPlan: the dataflow, the search's limits,
//          the LayerMapping and its Buffers (mapping.h);
//        - add/mul: an ElementwisePlan; softmax, norms, lookups, concat: one RowsPlan per input;
//          pooling and depthwise convolution: a WindowPlan; reshape: nothing (a view);
//        - the one-line summary that becomes LayerDesc::mapping;
//        - the problems (a layer that does not fit, a pin that cannot be met) as diagnostics.
//
// The search (array layers): for each dataflow the array runs (or the pinned one), the largest
// tiles that fit (choose_mapping) and smaller ones: the output rows spread evenly over the
// largest's number of m-blocks and up to four times as many (every distinct block height), each
// with the largest k-chunk that fits and with the reduction spread over up to four times the
// largest's k-chunks (at most 8 values of each, evenly spaced; a mapping already tried is left
// out; a layer whose largest tiles are too many instructions to schedule, see below, keeps to the
// rows spread over 1, 2 and 4 times the blocks, and half the k-chunk). Every candidate with one
// k-chunk is tried a second time with the n-blocks outermost (ArrayPlan::order kN: each weight
// loaded once, each slab once per n-block); every candidate whose partial sums all fit the
// accumulators (one k-chunk: objectives energy and edp only), with the k-chunks outermost (kK,
// k_outer_plan(): its k-chunk, or the largest halved one under which one chunk of every n-block
// fits; each weight loaded once per image, each slab once per chunk, or once in all where the slab
// is plain rows of K). A pinned order (Layer::pin_order) keeps that order's candidates only; none:
// an error saying why. A matmul's heads are small GEMMs: only their largest tiles are tried, in
// each dataflow, m-blocks outermost. Each candidate is scored by estimate() (estimate.h): the
// array's tiles back to back in closed form against the layer's DRAM bytes at peak bandwidth, with
// the actions the energy model prices; the closed form's cycles are a bound (no DMA latency,
// pipeline fill and drain or engine waits, which dominate small layers). The best by the closed
// form for compiler.objective (better()) are then scheduled (schedule.h: the emitted candidate
// through the three engines, the token protocol and the DMA), best first, each scored with the
// later of its closed-form and scheduled cycles (scored_estimate()) - the best that is not k-chunks
// outermost first, so one of those (the fewest bytes, the closed form's favourites, slower than
// it says) wins only against a schedule - until a candidate's closed form alone
// loses to the best scored, 16 candidates, or 2048 scheduled instructions per layer (small layers
// get every schedule they need, a large one a few or none). The winner: latency: the fewest DRAM
// bytes among those scheduled within 1% of the fastest, then the first tried (the schedule leaves
// out bank conflicts, which grow with the traffic); energy: the least energy; edp: the least energy
// x cycles (ties: better()). With compiler.fusion = auto nothing is scheduled and the candidates
// are the few (the closed form's choice, as before the schedule: its smaller tiles take banks the
// fusion pass needs free): compile() searches both ways and keeps these plans only for the layers
// of a fusion group that chose them (fusion.h). docs/mapper.md.
//
// Plans do not depend on where tensors live: the emitter (emit.h) turns a plan into
// instructions whose far addresses are relative to regions, and memory planning places them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "sim/compiler/lower.h"
#include "sim/compiler/mapping.h"
#include "sim/config/hw_config.h"
#include "sim/core/error.h"

namespace npu::compiler {

struct ArrayPlan {
    Dataflow dataflow = Dataflow::kWeightStationary;
    MappingLimits limits;
    LayerMapping mapping;
    Buffers buffers;
    // The loop outermost (emit.cc; docs/mapper.md "Loop order"):
    // - kM: m-blocks outermost, image by image or over the stacked images of a layer that folds
    //   the batch into its rows (LoweredLayer::has_head); each block's sums finished before the
    //   next, its weights loaded once per m-block.
    // - kN (one k-chunk only): n-blocks outermost. Each n-block's weights and bias are loaded
    //   once and used by every m-block of every image (the slabs are loaded once per n-block).
    // - kK (not matmul): k-chunks outermost, per image and group like kM. Every m-block x n-block
    //   pair's sums stay in the accumulators across the chunks (resident_sums_bytes() must fit
    //   them; buffers from place_k_outer()); each chunk's weights are loaded once, each slab
    //   once per chunk.
    LoopOrder order = LoopOrder::kM;
};

// add, mul: blocks of `rows_per_block` rows x `cols_per_block` elements of the last dimension.
struct ElementwisePlan {
    int64_t rows_per_block = 0, cols_per_block = 0;
    uint32_t x[2]{}, y[2]{}, out[2]{}, acc[2]{};
};

// softmax, layernorm, rmsnorm, gelu/silu, concat (one per input): blocks of whole rows.
struct RowsPlan {
    int64_t rows_per_block = 0;
    uint32_t x[2]{}, out[2]{};
};

// maxpool, avgpool, global_avgpool, depthwise conv: blocks of output rows x channel blocks.
struct WindowPlan {
    int32_t rows_per_block = 0;
    int64_t channels_per_block = 0;
    // Each channel block loads a slab of just its channels (a strided DMA), for inputs whose rows
    // with every channel do not fit.
    bool split = false;
    uint32_t slab[2]{}, w[2]{}, bias[2]{}, out[2]{}, acc[2]{};
};

struct LayerPlan {
    bool ok = false;  // false: the layer could not be mapped (see problems)
    ArrayPlan array;
    ElementwisePlan elementwise;
    std::vector<RowsPlan> rows;
    WindowPlan window;
    std::string summary;
    std::vector<Diagnostic> problems;
    // Fusion (fusion.h), set by the driver after memory planning; emission honours them:
    // - in_place_input: input `in_place_index` (an intermediate of the layer's fusion group) is
    //   read where it lies in the scratchpad, from byte `*in_place_input` on, instead of loaded;
    // - in_place_output: the output (an intermediate) is written by POST straight to where it
    //   lies in the scratchpad, from byte `*in_place_output` on, instead of stored.
    std::optional<uint32_t> in_place_input;
    size_t in_place_index = 0;
    std::optional<uint32_t> in_place_output;
    // Channel and spatial partitions (partition.h), set by the driver after memory planning: the
    // work units [first, first + count) this core's program runs (core_share(), emit.h): with
    // `partition` channel, an array layer's units are blocks of `channels` output channels (any
    // other layer is one unit); with spatial, every layer's units are its output rows, image by
    // image (image-major); nullopt: all of them. Emission and instruction_count() honour it.
    struct Units {
        int64_t first = 0;
        int64_t count = 0;
        int32_t channels = 0;
        Partition partition = Partition::kChannel;  // kChannel or kSpatial
    };
    std::optional<Units> core_units;
};

// One candidate of the search for an array layer: `dataflow` with `limits`. Throws
// npu::UserError when it does not fit (or a pin cannot be met).
[[nodiscard]] ArrayPlan plan_array(const LoweredLayer& layer, const cfg::HwConfig& hw,
                                   Dataflow dataflow, const MappingLimits& limits);

// `base`'s tiles (rows, dataflow) with k-chunks of `kb` and the k-chunks outermost (its buffers
// from place_k_outer()), or nothing when its resident sums or buffers do not fit. Not for a
// matmul. kb is taken as is (ws: a multiple of array.rows or the whole K).
[[nodiscard]] std::optional<ArrayPlan> k_outer_plan(const ArrayPlan& base, int64_t kb,
                                                    const cfg::HwConfig& hw);

// The candidates the search tries for an array layer, in order (see above); those that do not
// fit are left out (all of them, possibly). Throws npu::UserError for a dataflow pin the array
// does not run.
[[nodiscard]] std::vector<ArrayPlan> array_candidates(const LoweredLayer& layer,
                                                      const cfg::HwConfig& hw);

// The one-line summary of an array layer's plan (LayerDesc::mapping).
[[nodiscard]] std::string array_summary(const LoweredLayer& layer, const ArrayPlan& plan);

// The plan of one layer (the search for array layers). Throws npu::UserError when it cannot be
// mapped.
[[nodiscard]] LayerPlan plan_layer(const LoweredLayer& layer, const cfg::HwConfig& hw);

// Every layer's plan; a layer that cannot be mapped gets ok = false and its problems (key
// `layers[i]`).
[[nodiscard]] std::vector<LayerPlan> search_mappings(const Lowered& lowered,
                                                     const cfg::HwConfig& hw);

}  // namespace npu::compiler

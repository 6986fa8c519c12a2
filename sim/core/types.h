// Small enums shared by every layer (config, timing, reference kernels, models).
#pragma once

namespace npu {

// Systolic-array dataflow: weight-stationary ("ws") or output-stationary ("os").
enum class Dataflow { kWeightStationary, kOutputStationary };

// kNone: fold by fold (preload, stream, drain, then the next tile). kOverlap: weights (ws) or
// output registers (os) are double-buffered so the next tile overlaps the current one.
enum class Pipelining { kNone, kOverlap };

// How the array's tile timing is counted (`array.timing`): npusim's own microarchitecture
// (docs/timing.md), or SCALE-Sim v2's accounting (folds never overlap, every fold charged in full,
// no drain), so results can be checked against numbers SCALE-Sim users already have.
enum class ArrayTiming { kNpusim, kScaleSim };

// Requantization rounding: ONNX (one rounding, half to even), TFLite (gemmlowp's two roundings,
// half away from zero), half up (XNNPACK's integer path).
enum class Rounding { kHalfEven, kTflite, kHalfUp };

// How the post-processing unit requantizes (`postproc.requant`): integer multipliers and shifts
// with the rounding above (gemmlowp/TFLite style), or float32 multipliers exactly as ONNX
// Runtime's MLAS kernels (sim/core/requant_f32.h; the rounding mode is then not used).
enum class RequantMode { kFixedPoint, kFloat32 };

// What the compiler's mapping search minimizes per layer (`compiler.objective`): its estimated
// cycles, its estimated energy, or their product (energy-delay product). docs/mapper.md.
enum class Objective { kLatency, kEnergy, kEdp };
// How the compiler orders consecutive layers (`compiler.overlap`): kNone, each layer's first
// instruction waits for the previous layer's barrier; kPrefetch, the first weight tile of the
// next layer is loaded while the current one computes and drains, where the scratchpad has room;
// kFull, that and no barrier between layers: each core's dependency table
// (models/engines/dependency_table.h) orders the layers' work by the addresses it touches.
enum class LayerOverlap { kNone, kPrefetch, kFull };
// How the compiler splits the work over the NPU's cores (`compiler.partition`, with `cores` > 1):
// kBatch, each core runs whole images of the batch; kChannel, each array layer's output channels
// are split over the cores, which meet at a barrier after every layer; kSpatial, every layer's
// output rows are split over the cores, which meet at a barrier after every layer; kPipeline, the
// layers are split into one contiguous stage per core and the images flow through the stages;
// kAuto, the compiler's choice: batch, or channel or spatial per layer (sim/compiler/partition.h).
enum class Partition { kAuto, kBatch, kChannel, kSpatial, kPipeline };
// Whether the compiler fuses consecutive layers (`compiler.fusion`): kNone, never (a workload's
// `fuse: true` pin still does); kAuto, where the intermediate fits on chip and the cost estimate
// is not worse (docs/fusion.md).
enum class Fusion { kNone, kAuto };
// Which loop of an array layer's implicit GEMM the compiler puts outermost (docs/mapper.md, "Loop
// order"): kM, the m-blocks (each block's sums finished before the next); kN, the n-blocks (each
// weight loaded once, one k-chunk); kK, the k-chunks (every partial sum resident in the
// accumulators, each chunk's weights loaded once).
enum class LoopOrder { kM, kN, kK };

[[nodiscard]] const char* to_string(Dataflow d);
[[nodiscard]] const char* to_string(Pipelining p);
[[nodiscard]] const char* to_string(ArrayTiming t);
[[nodiscard]] const char* to_string(Rounding r);
[[nodiscard]] const char* to_string(RequantMode m);
[[nodiscard]] const char* to_string(Objective o);
[[nodiscard]] const char* to_string(LayerOverlap o);
[[nodiscard]] const char* to_string(Partition p);
[[nodiscard]] const char* to_string(Fusion f);
[[nodiscard]] const char* to_string(LoopOrder o);

}  // namespace npu

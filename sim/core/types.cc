#include "sim/core/types.h"

namespace npu {

const char* to_string(Dataflow d) { return d == Dataflow::kWeightStationary ? "ws" : "os"; }
const char* to_string(Pipelining p) { return p == Pipelining::kNone ? "none" : "overlap"; }
const char* to_string(LayerOverlap o) {
    switch (o) {
        case LayerOverlap::kNone:
            return "none";
        case LayerOverlap::kPrefetch:
            return "prefetch";
        case LayerOverlap::kFull:
            return "full";
    }
    return "?";
}
const char* to_string(Partition p) {
    switch (p) {
        case Partition::kAuto:
            return "auto";
        case Partition::kBatch:
            return "batch";
        case Partition::kChannel:
            return "channel";
        case Partition::kSpatial:
            return "spatial";
        case Partition::kPipeline:
            return "pipeline";
    }
    return "?";
}
const char* to_string(Fusion f) { return f == Fusion::kNone ? "none" : "auto"; }
const char* to_string(LoopOrder o) {
    switch (o) {
        case LoopOrder::kM:
            return "m";
        case LoopOrder::kN:
            return "n";
        case LoopOrder::kK:
            return "k";
    }
    return "?";
}
const char* to_string(ArrayTiming t) { return t == ArrayTiming::kNpusim ? "npusim" : "scalesim"; }
const char* to_string(Rounding r) {
    switch (r) {
        case Rounding::kHalfEven:
            return "half_even";
        case Rounding::kTflite:
            return "tflite";
        case Rounding::kHalfUp:
            return "half_up";
    }
    return "?";
}
const char* to_string(RequantMode m) {
    return m == RequantMode::kFixedPoint ? "fixed_point" : "float32";
}
const char* to_string(Objective o) {
    switch (o) {
        case Objective::kLatency:
            return "latency";
        case Objective::kEnergy:
            return "energy";
        case Objective::kEdp:
            return "edp";
    }
    return "?";
}

}  // namespace npu

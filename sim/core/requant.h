// Requantization: the integer arithmetic that turns an int32 accumulator into an int8 output.
//
// A real-valued rescale M = in_scale * w_scale / out_scale is stored as an integer multiplier and
// a shift, M = multiplier * 2^-(31 + shift) with multiplier in [2^30, 2^31) (multiplier 0 encodes
// M == 0). requantize() applies it with one of three rounding behaviours found in real stacks
// (see Rounding in sim/core/types.h), adds the output zero point and clamps to the fused
// activation's bounds. requantize() is on the post-processing unit's per-element hot path: it
// does no allocation and no floating-point math.
#pragma once

#include <cstdint>

#include "sim/core/types.h"

namespace npu {

struct QuantMultiplier {
    int32_t multiplier = 0;  // in [2^30, 2^31), or 0 when M == 0
    int32_t shift = 0;       // M = multiplier * 2^-(31 + shift); in [-31, 31]
};

// Exact decomposition of m >= 0 (frexp-based, like TFLite's QuantizeMultiplier): the multiplier is
// m's mantissa rounded to 31 bits. Values below 2^-32 become 0 (as TFLite does: the shift would
// exceed what the gemmlowp path can express). Throws std::invalid_argument for a negative, NaN or
// infinite m, or m >= 2^31 (the shift would fall below -31); the workload loader rejects such
// scales with a user-facing message before getting here.
[[nodiscard]] QuantMultiplier quantize_multiplier(double m);

// round(acc * multiplier * 2^-(31 + shift)) + out_zp, clamped to [act_min, act_max].
//  kHalfEven: one rounding of the exact product, ties to even (ONNX).
//  kHalfUp:   one rounding of the exact product, ties toward +inf (XNNPACK's integer path).
//  kTflite:   gemmlowp SaturatingRoundingDoublingHighMul(acc << left_shift, multiplier) then
//             RoundingDivideByPOT(x, right_shift), exactly as TFLite's
//             MultiplyByQuantizedMultiplier: two roundings, the second half away from zero (the
//             first one's nudge rounds negative ties toward zero, as gemmlowp does). The left
//             shift saturates to int32 (as gemmlowp's SaturatingShiftLeft / NEON vqshl do) where
//             TFLite's scalar code would overflow.
// Preconditions: shift in [-31, 31], multiplier in [0, 2^31), act_min <= act_max.
[[nodiscard]] int32_t requantize(int32_t acc, int32_t multiplier, int32_t shift, int32_t out_zp,
                                 int32_t act_min, int32_t act_max, Rounding mode);

}  // namespace npu

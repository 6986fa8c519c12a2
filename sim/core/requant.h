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
// Inline and in 64-bit integers: |acc * multiplier| < 2^62 and the divisor is 2^(31 + shift)
// with 31 + shift in [0, 62], so every intermediate below fits an int64 (the unit tests hold it
// bit for bit to a 128-bit version of the same formulas, tests/unit/requant_oracle.h).
[[nodiscard]] inline int32_t requantize(int32_t acc, int32_t multiplier, int32_t shift,
                                        int32_t out_zp, int32_t act_min, int32_t act_max,
                                        Rounding mode) {
    int64_t q = 0;
    if (mode == Rounding::kTflite) {
        const int32_t left_shift = shift < 0 ? -shift : 0;
        const int32_t right_shift = shift > 0 ? shift : 0;
        // SaturatingShiftLeft: acc * 2^left_shift (< 2^62 in magnitude), saturated to int32.
        int64_t x = int64_t{acc} * (int64_t{1} << left_shift);
        x = x < INT32_MIN ? INT32_MIN : (x > INT32_MAX ? INT32_MAX : x);
        // SaturatingRoundingDoublingHighMul: (x * m * 2 + 2^31) >> 32, ties away from zero by a
        // signed nudge and truncating division; only INT32_MIN * INT32_MIN overflows (m >= 0
        // here, but the saturation is kept for the contract).
        int64_t high = 0;
        if (x == INT32_MIN && multiplier == INT32_MIN) {
            high = INT32_MAX;
        } else {
            const int64_t ab = x * int64_t{multiplier};
            const int64_t nudge = ab >= 0 ? (int64_t{1} << 30) : (1 - (int64_t{1} << 30));
            high = (ab + nudge) / (int64_t{1} << 31);
        }
        // RoundingDivideByPOT: high / 2^right_shift rounded half away from zero.
        const int32_t h = static_cast<int32_t>(high);
        const int32_t mask = static_cast<int32_t>((int64_t{1} << right_shift) - 1);
        const int32_t threshold = (mask >> 1) + (h < 0 ? 1 : 0);
        q = (h >> right_shift) + ((h & mask) > threshold ? 1 : 0);
    } else {
        const int64_t product = int64_t{acc} * multiplier;
        const int32_t total = 31 + shift;  // divide by 2^total, total in [0, 62]
        if (total <= 0) {
            q = product;
        } else if (mode == Rounding::kHalfUp) {
            // floor(x + 1/2): |product| + 2^61 < 2^63; >> on a negative int64 floors (GCC/Clang).
            q = (product + (int64_t{1} << (total - 1))) >> total;
        } else {
            q = product >> total;                                       // floor
            const int64_t rem = product & ((int64_t{1} << total) - 1);  // in [0, 2^total)
            const int64_t half = int64_t{1} << (total - 1);
            q += (rem > half || (rem == half && (q & 1) != 0)) ? 1 : 0;
        }
    }
    q += out_zp;
    return static_cast<int32_t>(q < act_min ? act_min : (q > act_max ? act_max : q));
}

}  // namespace npu

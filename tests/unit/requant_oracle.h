// The test oracle for requantize() (sim/core/requant.h): the earlier out-of-line version of the
// same formulas in 128-bit integers, kept verbatim so the inline 64-bit code can be held to it bit
// for bit (tests/unit/requant_test.cc: edge cases in every rounding mode and many millions of
// random inputs).
#pragma once

#include <cstdint>
#include <limits>

#include "sim/core/types.h"

namespace npu::oracle {

namespace detail {

// __extension__ keeps -Wpedantic quiet about the (GCC/Clang) 128-bit integer.
__extension__ typedef __int128 Int128;

// gemmlowp's SaturatingRoundingDoublingHighMul: (a * b * 2 + 2^31) >> 32 with ties away from
// zero; the only overflow case (INT32_MIN * INT32_MIN) saturates.
inline int32_t saturating_rounding_doubling_high_mul(int32_t a, int32_t b) {
    if (a == b && a == std::numeric_limits<int32_t>::min()) {
        return std::numeric_limits<int32_t>::max();
    }
    const int64_t ab = int64_t{a} * int64_t{b};
    const int64_t nudge = ab >= 0 ? (int64_t{1} << 30) : (1 - (int64_t{1} << 30));
    // Division truncates toward zero, which together with the signed nudge rounds half away.
    return static_cast<int32_t>((ab + nudge) / (int64_t{1} << 31));
}

// gemmlowp's RoundingDivideByPOT: x / 2^exponent rounded half away from zero.
inline int32_t rounding_divide_by_pot(int32_t x, int32_t exponent) {
    const int32_t mask = static_cast<int32_t>((int64_t{1} << exponent) - 1);
    const int32_t remainder = x & mask;
    const int32_t threshold = (mask >> 1) + (x < 0 ? 1 : 0);
    return (x >> exponent) + (remainder > threshold ? 1 : 0);
}

inline int32_t clamp_to(Int128 v, int32_t lo, int32_t hi) {
    if (v < lo) return lo;
    if (v > hi) return hi;
    return static_cast<int32_t>(v);
}

}  // namespace detail

inline int32_t requantize_int128(int32_t acc, int32_t multiplier, int32_t shift, int32_t out_zp,
                                 int32_t act_min, int32_t act_max, Rounding mode) {
    if (mode == Rounding::kTflite) {
        const int32_t left_shift = shift < 0 ? -shift : 0;
        const int32_t right_shift = shift > 0 ? shift : 0;
        const int64_t shifted = int64_t{acc} * (int64_t{1} << left_shift);
        const int32_t x = detail::clamp_to(shifted, std::numeric_limits<int32_t>::min(),
                                           std::numeric_limits<int32_t>::max());
        const int32_t y = detail::rounding_divide_by_pot(
            detail::saturating_rounding_doubling_high_mul(x, multiplier), right_shift);
        return detail::clamp_to(detail::Int128{y} + out_zp, act_min, act_max);
    }
    // One rounding of the exact product: |acc * multiplier| < 2^62, and a left shift of up to 31
    // keeps it below 2^93, well inside __int128.
    const detail::Int128 product = detail::Int128{acc} * multiplier;
    const int32_t total = 31 + shift;  // divide by 2^total
    detail::Int128 q = 0;
    if (total <= 0) {
        q = product * (detail::Int128{1} << -total);
    } else {
        const detail::Int128 half = detail::Int128{1} << (total - 1);
        if (mode == Rounding::kHalfUp) {
            q = (product + half) >> total;  // arithmetic shift floors: floor(x + 1/2)
        } else {
            q = product >> total;  // floor
            const detail::Int128 rem =
                product - q * (detail::Int128{1} << total);  // in [0, 2^total)
            if (rem > half || (rem == half && (q & 1) != 0)) ++q;
        }
    }
    return detail::clamp_to(q + out_zp, act_min, act_max);
}

}  // namespace npu::oracle

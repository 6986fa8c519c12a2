// Per-channel requantization of a block of int32 accumulators to int8 outputs: the same bits as
// npu::requantize (sim/core/requant.h) element by element, vectorized where the path allows.
#pragma once

#include <cstdint>

#include "sim/core/types.h"
#include "sim/kernels/isa.h"

namespace npu::kernels {

// out[i * n + j] = int8(requantize(acc[i * n + j], multiplier[j], shift[j], out_zp, act_min,
// act_max, mode)) for i < rows, j < n (the int8 conversion keeps the low byte, as a cast does).
// Preconditions of requantize(): shift in [-31, 31], multiplier in [0, 2^31), act_min <= act_max.
void requantize_rows(const int32_t* acc, int64_t rows, int64_t n, const int32_t* multiplier,
                     const int32_t* shift, int32_t out_zp, int32_t act_min, int32_t act_max,
                     Rounding mode, int8_t* out, Isa isa = active_isa());

}  // namespace npu::kernels

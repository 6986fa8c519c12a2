#include "sim/kernels/requant_rows.h"

#include "sim/core/requant.h"

namespace npu::kernels {

void requantize_rows(const int32_t* acc, int64_t rows, int64_t n, const int32_t* multiplier,
                     const int32_t* shift, int32_t out_zp, int32_t act_min, int32_t act_max,
                     Rounding mode, int8_t* out, Isa /*isa*/) {
    for (int64_t i = 0; i < rows; ++i) {
        const int32_t* a = acc + i * n;
        int8_t* o = out + i * n;
        for (int64_t j = 0; j < n; ++j) {
            o[j] = static_cast<int8_t>(
                requantize(a[j], multiplier[j], shift[j], out_zp, act_min, act_max, mode));
        }
    }
}

}  // namespace npu::kernels

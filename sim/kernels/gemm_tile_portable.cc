#include "sim/kernels/gemm_tiles.h"

namespace npu::kernels::tiles {

void portable(int64_t k_groups, const int8_t* a, const int8_t* b, int32_t* c, int64_t ldc) {
    // Unsigned sums wrap modulo 2^32 as the hardware adder does (signed overflow would be UB).
    uint32_t acc[kPortableMr][kPortableNr];
    for (int r = 0; r < kPortableMr; ++r) {
        for (int j = 0; j < kPortableNr; ++j) acc[r][j] = static_cast<uint32_t>(c[r * ldc + j]);
    }
    for (int64_t g = 0; g < k_groups; ++g) {
        for (int r = 0; r < kPortableMr; ++r) {
            const int8_t* ar = a + r * kPortableGroup;
            for (int j = 0; j < kPortableNr; ++j) {
                const int8_t* bj = b + j * kPortableGroup;
                // Four products of int8 stay far inside int32.
                const int32_t dot = ar[0] * bj[0] + ar[1] * bj[1] + ar[2] * bj[2] + ar[3] * bj[3];
                acc[r][j] += static_cast<uint32_t>(dot);
            }
        }
        a += kPortableMr * kPortableGroup;
        b += kPortableNr * kPortableGroup;
    }
    for (int r = 0; r < kPortableMr; ++r) {
        for (int j = 0; j < kPortableNr; ++j) c[r * ldc + j] = static_cast<int32_t>(acc[r][j]);
    }
}

}  // namespace npu::kernels::tiles

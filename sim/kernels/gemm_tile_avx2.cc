#include <immintrin.h>

#include <cstring>

#include "sim/kernels/gemm_tiles.h"

namespace npu::kernels::tiles {

// int16 x int16 -> int32 pair sums (vpmaddwd) are exact for int8 operands: |a b + a' b'| <= 2^15.
__attribute__((target("avx2"))) void avx2(int64_t k_groups, const int16_t* a, const int16_t* b,
                                          int32_t* c, int64_t ldc) {
    __m256i acc[kAvx2Mr][2];
#pragma GCC unroll 6
    for (int r = 0; r < kAvx2Mr; ++r) {
        acc[r][0] = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(c + r * ldc));
        acc[r][1] = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(c + r * ldc + 8));
    }
    for (int64_t g = 0; g < k_groups; ++g) {
        const __m256i b0 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(b));
        const __m256i b1 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(b + 16));
#pragma GCC unroll 6
        for (int r = 0; r < kAvx2Mr; ++r) {
            int32_t pair = 0;
            std::memcpy(&pair, a + r * kAvx2Group, sizeof pair);
            const __m256i ar = _mm256_set1_epi32(pair);
            acc[r][0] = _mm256_add_epi32(acc[r][0], _mm256_madd_epi16(ar, b0));
            acc[r][1] = _mm256_add_epi32(acc[r][1], _mm256_madd_epi16(ar, b1));
        }
        a += kAvx2Mr * kAvx2Group;
        b += kAvx2Nr * kAvx2Group;
    }
#pragma GCC unroll 6
    for (int r = 0; r < kAvx2Mr; ++r) {
        _mm256_storeu_si256(reinterpret_cast<__m256i*>(c + r * ldc), acc[r][0]);
        _mm256_storeu_si256(reinterpret_cast<__m256i*>(c + r * ldc + 8), acc[r][1]);
    }
}

}  // namespace npu::kernels::tiles

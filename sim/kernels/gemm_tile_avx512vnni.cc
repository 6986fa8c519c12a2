#include <immintrin.h>

#include <cstring>

#include "sim/kernels/gemm_tiles.h"

namespace npu::kernels::tiles {

// vpdpbusd: each int32 lane adds four u8 x s8 products (exact in int32) to its sum, wrapping.
__attribute__((target("avx512f,avx512bw,avx512vl,avx512vnni"))) void avx512vnni(
    int64_t k_groups, const uint8_t* a, const int8_t* b, int32_t* c, int64_t ldc) {
    __m512i acc[kVnniMr][2];
#pragma GCC unroll 8
    for (int r = 0; r < kVnniMr; ++r) {
        acc[r][0] = _mm512_loadu_si512(c + r * ldc);
        acc[r][1] = _mm512_loadu_si512(c + r * ldc + 16);
    }
    for (int64_t g = 0; g < k_groups; ++g) {
        const __m512i b0 = _mm512_loadu_si512(b);
        const __m512i b1 = _mm512_loadu_si512(b + 64);
#pragma GCC unroll 8
        for (int r = 0; r < kVnniMr; ++r) {
            int32_t quad = 0;
            std::memcpy(&quad, a + r * kVnniGroup, sizeof quad);
            const __m512i ar = _mm512_set1_epi32(quad);
            acc[r][0] = _mm512_dpbusd_epi32(acc[r][0], ar, b0);
            acc[r][1] = _mm512_dpbusd_epi32(acc[r][1], ar, b1);
        }
        a += kVnniMr * kVnniGroup;
        b += kVnniNr * kVnniGroup;
    }
#pragma GCC unroll 8
    for (int r = 0; r < kVnniMr; ++r) {
        _mm512_storeu_si512(c + r * ldc, acc[r][0]);
        _mm512_storeu_si512(c + r * ldc + 16, acc[r][1]);
    }
}

}  // namespace npu::kernels::tiles

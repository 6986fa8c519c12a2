#include "sim/kernels/requant_rows.h"

// GCC 12's AVX-512 headers build some results from _mm512_undefined_epi32() (a self-initialized
// variable), which -Wmaybe-uninitialized reports at -O3 inside their inline functions.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <immintrin.h>

#include <cstring>

#include "sim/core/requant.h"

namespace npu::kernels {

namespace {

void rows_scalar(const int32_t* acc, int64_t rows, int64_t n, const int32_t* multiplier,
                 const int32_t* shift, int32_t out_zp, int32_t act_min, int32_t act_max,
                 Rounding mode, int8_t* out) {
    for (int64_t i = 0; i < rows; ++i) {
        const int32_t* a = acc + i * n;
        int8_t* o = out + i * n;
        for (int64_t j = 0; j < n; ++j) {
            o[j] = static_cast<int8_t>(
                requantize(a[j], multiplier[j], shift[j], out_zp, act_min, act_max, mode));
        }
    }
}

// The one-rounding modes in 64-bit lanes, the formulas of requantize(): p = acc * multiplier
// (|p| < 2^62), t = 31 + shift in [0, 62];
//   half_up:   q = (p + 2^(t-1)) >> t                      (2^(t-1) read as 0 when t = 0)
//   half_even: q = p >> t, plus 1 if t > 0 and rem + (q & 1) > 2^(t-1), rem = p & (2^t - 1)
// (rem + odd > half is rem > half, or rem == half with q odd), then + out_zp and the clamp. The
// int8 store keeps the low byte, as the scalar cast does.
__attribute__((target("avx512f,avx512bw,avx512vl,avx512dq"))) void rows_avx512(
    const int32_t* acc, int64_t rows, int64_t n, const int32_t* multiplier, const int32_t* shift,
    int32_t out_zp, int32_t act_min, int32_t act_max, bool half_up, int8_t* out) {
    const __m512i one = _mm512_set1_epi64(1);
    const __m512i zero = _mm512_setzero_si512();
    const __m512i zp = _mm512_set1_epi64(out_zp);
    const __m512i lo = _mm512_set1_epi64(act_min);
    const __m512i hi = _mm512_set1_epi64(act_max);
    const __m512i k31 = _mm512_set1_epi64(31);
    for (int64_t i = 0; i < rows; ++i) {
        const int32_t* a = acc + i * n;
        int8_t* o = out + i * n;
        for (int64_t j = 0; j < n; j += 8) {
            const int64_t left = n - j;
            const __mmask8 lanes =
                left >= 8 ? __mmask8{0xff} : static_cast<__mmask8>((1u << left) - 1u);
            const __m512i x = _mm512_cvtepi32_epi64(_mm256_maskz_loadu_epi32(lanes, a + j));
            const __m512i m =
                _mm512_cvtepi32_epi64(_mm256_maskz_loadu_epi32(lanes, multiplier + j));
            const __m512i t = _mm512_add_epi64(
                _mm512_cvtepi32_epi64(_mm256_maskz_loadu_epi32(lanes, shift + j)), k31);
            const __m512i p = _mm512_mul_epi32(x, m);
            const __m512i pow = _mm512_sllv_epi64(one, t);
            const __m512i half = _mm512_srli_epi64(pow, 1);
            __m512i q;
            if (half_up) {
                q = _mm512_srav_epi64(_mm512_add_epi64(p, half), t);
            } else {
                q = _mm512_srav_epi64(p, t);
                const __m512i rem = _mm512_and_si512(p, _mm512_sub_epi64(pow, one));
                const __m512i odd = _mm512_and_si512(q, one);
                const __mmask8 up = _mm512_cmpgt_epi64_mask(_mm512_add_epi64(rem, odd), half) &
                                    _mm512_cmpgt_epi64_mask(t, zero);
                q = _mm512_mask_add_epi64(q, up, q, one);
            }
            q = _mm512_min_epi64(_mm512_max_epi64(_mm512_add_epi64(q, zp), lo), hi);
            _mm512_mask_cvtepi64_storeu_epi8(o + j, lanes, q);
        }
    }
}

// The same in AVX2, four lanes at a time. AVX2 has no arithmetic 64-bit shift: with
// |p| < 2^62, p + 2^62 is positive (and p + 2^(t-1) + 2^62 < 2^64), so a logical shift of it
// minus 2^(62-t) is the floor of p / 2^t (2^t divides 2^62).
__attribute__((target("avx2"))) __m256i quads_avx2(__m256i x, __m256i m, __m256i t, bool half_up) {
    const __m256i one = _mm256_set1_epi64x(1);
    const __m256i bias = _mm256_set1_epi64x(int64_t{1} << 62);
    const __m256i p = _mm256_mul_epi32(x, m);
    const __m256i pow = _mm256_sllv_epi64(one, t);
    const __m256i half = _mm256_srli_epi64(pow, 1);
    const __m256i unbias = _mm256_srlv_epi64(bias, t);
    if (half_up) {
        return _mm256_sub_epi64(
            _mm256_srlv_epi64(_mm256_add_epi64(_mm256_add_epi64(p, half), bias), t), unbias);
    }
    __m256i q = _mm256_sub_epi64(_mm256_srlv_epi64(_mm256_add_epi64(p, bias), t), unbias);
    const __m256i rem = _mm256_and_si256(p, _mm256_sub_epi64(pow, one));
    const __m256i odd = _mm256_and_si256(q, one);
    const __m256i up = _mm256_and_si256(_mm256_cmpgt_epi64(_mm256_add_epi64(rem, odd), half),
                                        _mm256_cmpgt_epi64(t, _mm256_setzero_si256()));
    return _mm256_sub_epi64(q, up);  // up is -1 where the quotient rounds up
}

__attribute__((target("avx2"))) void rows_avx2(const int32_t* acc, int64_t rows, int64_t n,
                                               const int32_t* multiplier, const int32_t* shift,
                                               int32_t out_zp, int32_t act_min, int32_t act_max,
                                               bool half_up, int8_t* out) {
    const __m256i zp = _mm256_set1_epi64x(out_zp);
    const __m256i lo = _mm256_set1_epi64x(act_min);
    const __m256i hi = _mm256_set1_epi64x(act_max);
    const __m256i k31 = _mm256_set1_epi64x(31);
    // The low byte of each 64-bit lane into bytes 0..1 of each 128-bit half.
    const __m256i pick =
        _mm256_setr_epi8(0, 8, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, 0, 8, -1, -1,
                         -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1);
    const int64_t full = n / 4 * 4;
    for (int64_t i = 0; i < rows; ++i) {
        const int32_t* a = acc + i * n;
        int8_t* o = out + i * n;
        for (int64_t j = 0; j < full; j += 4) {
            const __m256i x =
                _mm256_cvtepi32_epi64(_mm_loadu_si128(reinterpret_cast<const __m128i*>(a + j)));
            const __m256i m = _mm256_cvtepi32_epi64(
                _mm_loadu_si128(reinterpret_cast<const __m128i*>(multiplier + j)));
            const __m256i t = _mm256_add_epi64(
                _mm256_cvtepi32_epi64(_mm_loadu_si128(reinterpret_cast<const __m128i*>(shift + j))),
                k31);
            __m256i q = _mm256_add_epi64(quads_avx2(x, m, t, half_up), zp);
            q = _mm256_blendv_epi8(q, lo, _mm256_cmpgt_epi64(lo, q));
            q = _mm256_blendv_epi8(q, hi, _mm256_cmpgt_epi64(q, hi));
            const __m256i bytes = _mm256_shuffle_epi8(q, pick);
            const uint32_t four =
                static_cast<uint32_t>(_mm256_extract_epi16(bytes, 0) & 0xffff) |
                (static_cast<uint32_t>(_mm256_extract_epi16(bytes, 8) & 0xffff) << 16);
            std::memcpy(o + j, &four, 4);
        }
        for (int64_t j = full; j < n; ++j) {
            o[j] = static_cast<int8_t>(
                requantize(a[j], multiplier[j], shift[j], out_zp, act_min, act_max,
                           half_up ? Rounding::kHalfUp : Rounding::kHalfEven));
        }
    }
}

}  // namespace

void requantize_rows(const int32_t* acc, int64_t rows, int64_t n, const int32_t* multiplier,
                     const int32_t* shift, int32_t out_zp, int32_t act_min, int32_t act_max,
                     Rounding mode, int8_t* out, Isa isa) {
    // The vector code has the one-rounding modes; kTflite's two roundings (and any other mode)
    // run the scalar formulas on every path.
    const bool one_rounding = mode == Rounding::kHalfEven || mode == Rounding::kHalfUp;
    if (!one_rounding || isa == Isa::kPortable) {
        rows_scalar(acc, rows, n, multiplier, shift, out_zp, act_min, act_max, mode, out);
    } else if (isa == Isa::kAvx2) {
        rows_avx2(acc, rows, n, multiplier, shift, out_zp, act_min, act_max,
                  mode == Rounding::kHalfUp, out);
    } else {
        rows_avx512(acc, rows, n, multiplier, shift, out_zp, act_min, act_max,
                    mode == Rounding::kHalfUp, out);
    }
}

}  // namespace npu::kernels

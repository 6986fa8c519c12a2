// Blocked int8 GEMM: C = A * B^T with int8 operands and int32 sums that wrap around as a 32-bit
// hardware adder does (every path gives the same bits, also when a sum overflows).
//
// A is M x K, row-major (a row's K elements contiguous: an im2col matrix, or activations). B is
// N x K, addressed through two strides, so a layer's OHWI weights (N = out_c, K contiguous) and a
// matmul's K x N operand both fit. B is packed once (PackedB) into the layout of one path's
// micro-kernel and reused for any number of A rows:
//   portable     4 x 8 tile, groups of 4 int8 of K, scalar C++
//   avx2         6 x 16 tile, pairs of K widened to int16, vpmaddwd + vpaddd
//   avx512vnni   8 x 32 tile, groups of 4 int8 of K, vpdpbusd (A taken as unsigned: a + 128, the
//                extra 128 * sum_k b[n][k] is subtracted from the column's start value)
// Loops are blocked GotoBLAS-style: 256 values of K at a time, A packed per 240-row block into
// tile-row panels, each packed B panel (256 x NR) reused across the block from L1.
#pragma once

#include <cstdint>
#include <vector>

#include "sim/kernels/isa.h"

namespace npu::kernels {

class PackedB {
  public:
    PackedB() = default;
    [[nodiscard]] int64_t n() const { return m_n; }
    [[nodiscard]] int64_t k() const { return m_k; }
    [[nodiscard]] Isa isa() const { return m_isa; }

  private:
    friend void pack_b(PackedB& p, const int8_t* b, int64_t n, int64_t k, int64_t stride_n,
                       int64_t stride_k, Isa isa);
    friend void gemm(const int8_t* a, int64_t m, int64_t lda, const PackedB& b,
                     const int32_t* col_init, const int32_t* row_init, int32_t* c, int64_t ldc);
    Isa m_isa = Isa::kPortable;
    int64_t m_n = 0, m_k = 0;
    int64_t m_k_groups = 0;  // K padded to the path's group size, in groups
    // Panels of NR columns, [panel][k group][NR][group]: int8 (portable, avx512vnni) or int16
    // (avx2).
    std::vector<int8_t> m_bytes;
    std::vector<int16_t> m_words;
    std::vector<int32_t> m_correction;  // per column, added to its start value (avx512vnni)
};

// B(n, k) = b[n * stride_n + k * stride_k], for n < N, k < K.
[[nodiscard]] PackedB pack_b(const int8_t* b, int64_t n, int64_t k, int64_t stride_n,
                             int64_t stride_k, Isa isa = active_isa());
// The same into `p`, reusing its storage (no allocation when it held a pack this large before):
// for a stream of products that each pack their own B.
void pack_b(PackedB& p, const int8_t* b, int64_t n, int64_t k, int64_t stride_n, int64_t stride_k,
            Isa isa = active_isa());

// c[i * ldc + j] = col_init[j] + row_init[i] + sum_k a[i * lda + k] * B(j, k)   (i < M, j < N)
// in wrapping int32 arithmetic; a null col_init / row_init counts as zeros. lda >= K, ldc >= N.
void gemm(const int8_t* a, int64_t m, int64_t lda, const PackedB& b, const int32_t* col_init,
          const int32_t* row_init, int32_t* c, int64_t ldc);

// The same contract as a plain triple loop on unpacked B: what the tests hold every path to.
void gemm_scalar(const int8_t* a, int64_t m, int64_t lda, const int8_t* b, int64_t n, int64_t k,
                 int64_t stride_n, int64_t stride_k, const int32_t* col_init,
                 const int32_t* row_init, int32_t* c, int64_t ldc);

}  // namespace npu::kernels

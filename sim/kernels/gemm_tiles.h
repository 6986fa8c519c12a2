// The micro-kernels behind gemm() (sim/kernels/gemm.h), one per path, each in its own file and
// compiled for its instruction set by a target attribute (the rest of the binary stays generic
// x86-64). A micro-kernel adds one MR x NR tile of A * B^T over `k_groups` groups of K into C:
//   c[r * ldc + j] += sum over the groups of a_panel[g][r][t] * b_panel[g][j][t]
// (wrapping int32), with both panels packed by gemm.cc: [group][MR rows][group elements] and
// [group][NR columns][group elements]. Internal to sim/kernels.
#pragma once

#include <cstdint>

namespace npu::kernels::tiles {

// portable: MR 4, NR 8, groups of 4 int8 (a and b signed).
inline constexpr int kPortableMr = 4, kPortableNr = 8, kPortableGroup = 4;
void portable(int64_t k_groups, const int8_t* a, const int8_t* b, int32_t* c, int64_t ldc);

// avx2: MR 6, NR 16, pairs of int16.
inline constexpr int kAvx2Mr = 6, kAvx2Nr = 16, kAvx2Group = 2;
void avx2(int64_t k_groups, const int16_t* a, const int16_t* b, int32_t* c, int64_t ldc);

// avx512vnni: MR 8, NR 32, groups of 4 int8; a unsigned (the signed value + 128), b signed.
inline constexpr int kVnniMr = 8, kVnniNr = 32, kVnniGroup = 4;
void avx512vnni(int64_t k_groups, const uint8_t* a, const int8_t* b, int32_t* c, int64_t ldc);

}  // namespace npu::kernels::tiles

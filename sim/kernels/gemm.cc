#include "sim/kernels/gemm.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <stdexcept>

#include "sim/kernels/gemm_tiles.h"

namespace npu::kernels {

namespace {

constexpr int64_t kBlockK = 256;     // values of K per block (B panel of 256 x NR stays in L1)
constexpr int64_t kBlockRows = 240;  // rows of A per packed block (a multiple of 4, 6 and 8)

struct Shape {
    int mr, nr, group;
};

// The largest micro-kernel tile, mr x nr over every path (an edge tile's scratch).
constexpr size_t kMaxTile =
    std::max({size_t(tiles::kPortableMr) * tiles::kPortableNr,
              size_t(tiles::kAvx2Mr) * tiles::kAvx2Nr, size_t(tiles::kVnniMr) * tiles::kVnniNr});

Shape shape_of(Isa isa) {
    switch (isa) {
        case Isa::kPortable:
            return {tiles::kPortableMr, tiles::kPortableNr, tiles::kPortableGroup};
        case Isa::kAvx2:
            return {tiles::kAvx2Mr, tiles::kAvx2Nr, tiles::kAvx2Group};
        case Isa::kAvx512Vnni:
            return {tiles::kVnniMr, tiles::kVnniNr, tiles::kVnniGroup};
    }
    throw std::logic_error("kernels: unknown path");
}

// B into [panel][k group][nr][group], zero beyond N and K. Every element is written once (the
// storage is reused from an earlier pack: nothing is cleared first).
template <typename T>
void pack_panels(const int8_t* b, int64_t n, int64_t k, int64_t stride_n, int64_t stride_k,
                 const Shape& s, int64_t k_groups, std::vector<T>& out) {
    const int64_t panels = (n + s.nr - 1) / s.nr;
    out.resize(static_cast<size_t>(panels * k_groups * s.nr * s.group));
    const int64_t full_groups = k / s.group;  // groups with every element inside K
    const int64_t step = int64_t{s.nr} * s.group;
    for (int64_t p = 0; p < panels; ++p) {
        T* panel = out.data() + p * k_groups * s.nr * s.group;
        for (int64_t j = 0; j < s.nr; ++j) {
            T* dst = panel + j * s.group;
            if (p * s.nr + j >= n) {  // a column beyond N: zeros
                for (int64_t g = 0; g < k_groups; ++g) {
                    for (int64_t t = 0; t < s.group; ++t) dst[g * step + t] = T{0};
                }
                continue;
            }
            const int8_t* src = b + (p * s.nr + j) * stride_n;
            if (stride_k == 1) {
                for (int64_t g = 0; g < full_groups; ++g) {
                    for (int64_t t = 0; t < s.group; ++t) {
                        dst[g * step + t] = static_cast<T>(src[g * s.group + t]);
                    }
                }
            } else {
                for (int64_t g = 0; g < full_groups; ++g) {
                    for (int64_t t = 0; t < s.group; ++t) {
                        dst[g * step + t] = static_cast<T>(src[(g * s.group + t) * stride_k]);
                    }
                }
            }
            if (full_groups < k_groups) {  // the last group, zero beyond K
                for (int64_t t = 0; t < s.group; ++t) {
                    const int64_t kk = full_groups * s.group + t;
                    dst[full_groups * step + t] =
                        kk < k ? static_cast<T>(src[kk * stride_k]) : T{0};
                }
            }
        }
    }
}

// Rows [0, rows) and K values [k0, k0 + groups * group) of A into panels of mr rows:
// [panel][group][mr][group elements], each element converted by `f`; zero beyond rows and K.
// The tile shape is a compile-time constant (MR rows, groups of G): the inner copies unroll, and
// no store through `out` makes the compiler reload it.
template <int MR, int G, typename T, typename F>
void pack_a(const int8_t* a, int64_t lda, int64_t rows, int64_t k0, int64_t k, int64_t groups, F f,
            T* out) {
    const int64_t full = std::max<int64_t>(0, std::min<int64_t>(groups, (k - k0) / G));
    constexpr int64_t kStride = int64_t{MR} * G;
    for (int64_t r0 = 0; r0 < rows; r0 += MR) {
        T* panel = out + r0 * groups * G;
        for (int64_t r = 0; r < MR; ++r) {
            T* dst = panel + r * G;
            if (r0 + r >= rows) {
                for (int64_t g = 0; g < groups; ++g) {
                    for (int t = 0; t < G; ++t) dst[g * kStride + t] = T{0};
                }
                continue;
            }
            const int8_t* src = a + (r0 + r) * lda + k0;
            for (int64_t g = 0; g < full; ++g) {
                for (int t = 0; t < G; ++t) dst[g * kStride + t] = f(src[g * G + t]);
            }
            for (int64_t g = full; g < groups; ++g) {
                for (int t = 0; t < G; ++t) {
                    const int64_t kk = k0 + g * G + t;
                    dst[g * kStride + t] = kk < k ? f(src[g * G + t]) : T{0};
                }
            }
        }
    }
}

// The blocked loops, for one path: `pack` packs a block of A, `tile` is the micro-kernel.
template <typename T, typename Pack, typename Tile>
void run_blocks(const int8_t* a, int64_t m, int64_t lda, const PackedB& b, const T* b_data,
                int64_t k_groups, const Shape& s, Pack pack, Tile tile, int32_t* c, int64_t ldc) {
    const int64_t n = b.n();
    const int64_t block_groups = kBlockK / s.group;
    const int64_t panels = (n + s.nr - 1) / s.nr;
    const int64_t panel_elems = k_groups * s.nr * s.group;
    // The packed A block: as large as this product needs (pack_a writes every element a tile
    // reads), kept per thread across calls so that a stream of small products (the datapath's
    // COMPUTE blocks) neither allocates nor touches fresh pages each time.
    thread_local std::vector<T> a_block;
    const int64_t rows_needed = (std::min(kBlockRows, m) + s.mr - 1) / s.mr * s.mr;
    const size_t a_need =
        static_cast<size_t>(rows_needed * std::min(block_groups, k_groups) * s.group);
    if (a_block.size() < a_need) a_block.resize(a_need);
    std::array<int32_t, kMaxTile> edge;
    for (int64_t g0 = 0; g0 < k_groups; g0 += block_groups) {
        const int64_t gn = std::min(block_groups, k_groups - g0);
        for (int64_t i0 = 0; i0 < m; i0 += kBlockRows) {
            const int64_t rows = std::min(kBlockRows, m - i0);
            pack(a + i0 * lda, lda, rows, g0 * s.group, gn, a_block.data());
            for (int64_t p = 0; p < panels; ++p) {
                const T* bp = b_data + p * panel_elems + g0 * s.nr * s.group;
                const int64_t cols = std::min<int64_t>(s.nr, n - p * s.nr);
                for (int64_t r0 = 0; r0 < rows; r0 += s.mr) {
                    const T* ap = a_block.data() + r0 * gn * s.group;
                    int32_t* ct = c + (i0 + r0) * ldc + p * s.nr;
                    const int64_t tile_rows = std::min<int64_t>(s.mr, rows - r0);
                    if (tile_rows == s.mr && cols == s.nr) {
                        tile(gn, ap, bp, ct, ldc);
                        continue;
                    }
                    // An edge tile: computed in full on a copy, only its valid part written back.
                    std::fill(edge.begin(), edge.begin() + s.mr * s.nr, 0);
                    for (int64_t r = 0; r < tile_rows; ++r) {
                        std::memcpy(&edge[static_cast<size_t>(r * s.nr)], ct + r * ldc,
                                    static_cast<size_t>(cols) * sizeof(int32_t));
                    }
                    tile(gn, ap, bp, edge.data(), s.nr);
                    for (int64_t r = 0; r < tile_rows; ++r) {
                        std::memcpy(ct + r * ldc, &edge[static_cast<size_t>(r * s.nr)],
                                    static_cast<size_t>(cols) * sizeof(int32_t));
                    }
                }
            }
        }
    }
}

}  // namespace

void pack_b(PackedB& p, const int8_t* b, int64_t n, int64_t k, int64_t stride_n, int64_t stride_k,
            Isa isa) {
    if (n < 0 || k < 0) throw std::invalid_argument("pack_b: negative size");
    p.m_isa = isa;
    p.m_n = n;
    p.m_k = k;
    const Shape s = shape_of(isa);
    p.m_k_groups = (k + s.group - 1) / s.group;
    p.m_correction.assign(static_cast<size_t>(n), 0);
    // The other path's storage is emptied: a PackedB holds one path's layout.
    if (isa == Isa::kAvx2) {
        pack_panels(b, n, k, stride_n, stride_k, s, p.m_k_groups, p.m_words);
        p.m_bytes.clear();
    } else {
        pack_panels(b, n, k, stride_n, stride_k, s, p.m_k_groups, p.m_bytes);
        p.m_words.clear();
    }
    if (isa == Isa::kAvx512Vnni) {
        // The tile sums (a + 128) * b: take 128 * sum_k b back out of the start value.
        for (int64_t j = 0; j < n; ++j) {
            const int8_t* row = b + j * stride_n;
            uint32_t sum = 0;  // modulo 2^32, as the tiles' sums
            if (stride_k == 1) {
                for (int64_t kk = 0; kk < k; ++kk) sum += static_cast<uint32_t>(int32_t{row[kk]});
            } else {
                for (int64_t kk = 0; kk < k; ++kk) {
                    sum += static_cast<uint32_t>(int32_t{row[kk * stride_k]});
                }
            }
            p.m_correction[static_cast<size_t>(j)] = static_cast<int32_t>(0u - 128u * sum);
        }
    }
}

PackedB pack_b(const int8_t* b, int64_t n, int64_t k, int64_t stride_n, int64_t stride_k, Isa isa) {
    PackedB p;
    pack_b(p, b, n, k, stride_n, stride_k, isa);
    return p;
}

void gemm(const int8_t* a, int64_t m, int64_t lda, const PackedB& b, const int32_t* col_init,
          const int32_t* row_init, int32_t* c, int64_t ldc) {
    const int64_t n = b.m_n;
    const int64_t k = b.m_k;
    if (m < 0 || lda < k || ldc < n) throw std::invalid_argument("gemm: bad sizes or strides");
    for (int64_t i = 0; i < m; ++i) {
        const uint32_t r = row_init != nullptr ? static_cast<uint32_t>(row_init[i]) : 0u;
        int32_t* ci = c + i * ldc;
        for (int64_t j = 0; j < n; ++j) {
            const uint32_t col = col_init != nullptr ? static_cast<uint32_t>(col_init[j]) : 0u;
            ci[j] = static_cast<int32_t>(
                col + static_cast<uint32_t>(b.m_correction[static_cast<size_t>(j)]) + r);
        }
    }
    if (m == 0 || n == 0 || k == 0) return;
    const Shape s = shape_of(b.m_isa);
    switch (b.m_isa) {
        case Isa::kPortable:
            run_blocks(
                a, m, lda, b, b.m_bytes.data(), b.m_k_groups, s,
                [&](const int8_t* x, int64_t ld, int64_t rows, int64_t k0, int64_t gn, int8_t* o) {
                    pack_a<tiles::kPortableMr, tiles::kPortableGroup>(
                        x, ld, rows, k0, k, gn, [](int8_t v) { return v; }, o);
                },
                tiles::portable, c, ldc);
            return;
        case Isa::kAvx2:
            run_blocks(
                a, m, lda, b, b.m_words.data(), b.m_k_groups, s,
                [&](const int8_t* x, int64_t ld, int64_t rows, int64_t k0, int64_t gn, int16_t* o) {
                    pack_a<tiles::kAvx2Mr, tiles::kAvx2Group>(
                        x, ld, rows, k0, k, gn, [](int8_t v) { return int16_t{v}; }, o);
                },
                tiles::avx2, c, ldc);
            return;
        case Isa::kAvx512Vnni: {
            // The packed block holds a + 128 as unsigned bytes; run_blocks sees it as int8_t.
            run_blocks(
                a, m, lda, b, b.m_bytes.data(), b.m_k_groups, s,
                [&](const int8_t* x, int64_t ld, int64_t rows, int64_t k0, int64_t gn, int8_t* o) {
                    pack_a<tiles::kVnniMr, tiles::kVnniGroup>(
                        x, ld, rows, k0, k, gn,
                        [](int8_t v) {
                            return static_cast<int8_t>(static_cast<uint8_t>(v) ^ 0x80u);
                        },
                        o);
                },
                [](int64_t gn, const int8_t* ap, const int8_t* bp, int32_t* ct, int64_t ld) {
                    tiles::avx512vnni(gn, reinterpret_cast<const uint8_t*>(ap), bp, ct, ld);
                },
                c, ldc);
            return;
        }
    }
}

void gemm_scalar(const int8_t* a, int64_t m, int64_t lda, const int8_t* b, int64_t n, int64_t k,
                 int64_t stride_n, int64_t stride_k, const int32_t* col_init,
                 const int32_t* row_init, int32_t* c, int64_t ldc) {
    for (int64_t i = 0; i < m; ++i) {
        for (int64_t j = 0; j < n; ++j) {
            uint32_t sum = (col_init != nullptr ? static_cast<uint32_t>(col_init[j]) : 0u) +
                           (row_init != nullptr ? static_cast<uint32_t>(row_init[i]) : 0u);
            for (int64_t kk = 0; kk < k; ++kk) {
                sum += static_cast<uint32_t>(int32_t{a[i * lda + kk]} *
                                             int32_t{b[j * stride_n + kk * stride_k]});
            }
            c[i * ldc + j] = static_cast<int32_t>(sum);
        }
    }
}

}  // namespace npu::kernels

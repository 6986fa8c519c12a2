// Small arithmetic the compiler's passes share: alignment, ceiling division, and which input rows
// a block of output rows reads (the slab).
#pragma once

#include <algorithm>
#include <cstdint>
#include <vector>

#include "sim/graph/workload.h"

namespace npu::compiler {

inline constexpr uint64_t kDramAlign = 64;  // every DRAM region starts on a 64-byte boundary
inline constexpr uint32_t kSramAlign = 64;  // every scratchpad buffer too

[[nodiscard]] inline uint64_t align_up(uint64_t v, uint64_t a) { return (v + a - 1) / a * a; }
[[nodiscard]] inline int64_t ceil_div(int64_t a, int64_t b) { return (a + b - 1) / b; }
[[nodiscard]] inline uint32_t aligned(uint64_t bytes) {
    return static_cast<uint32_t>(align_up(bytes, kSramAlign));
}
// The number of elements of a tensor of `shape`.
[[nodiscard]] inline int64_t elements(const std::vector<int32_t>& shape) {
    int64_t n = 1;
    for (int32_t d : shape) n *= d;
    return n;
}

// `total` things split over `parts` (>= 1) as evenly as they go, in order: part p takes
// [first, first + count), the first total % parts parts one more than the rest.
struct Share {
    int64_t first = 0;
    int64_t count = 0;
};
[[nodiscard]] inline std::vector<Share> split_evenly(int64_t total, int parts) {
    std::vector<Share> out(static_cast<size_t>(std::max(parts, 0)));
    const int64_t each = total / parts, extra = total % parts;
    int64_t next = 0;
    for (int p = 0; p < parts; ++p) {
        out[size_t(p)] = {next, each + (p < extra ? 1 : 0)};
        next += out[size_t(p)].count;
    }
    return out;
}

// Input rows [first, first + count) that output rows [oh0, oh1) read (clipped to the input).
struct RowSpan {
    int32_t first = 0;
    int32_t count = 0;
};
[[nodiscard]] inline RowSpan slab_rows(const graph::Layer& l, int32_t oh0, int32_t oh1) {
    const int32_t lo = std::max(0, oh0 * l.stride_h - l.pad_top);
    const int32_t hi =
        std::min(l.in_h, (oh1 - 1) * l.stride_h - l.pad_top + (l.kernel_h - 1) * l.dilation_h + 1);
    // A block lying wholly in the padding still gets a one-row slab, so every step has a load.
    if (hi <= lo) return {std::min(lo, l.in_h - 1), 1};
    return {lo, hi - lo};
}

// The largest slab (bytes, every input channel) over the blocks of `rows_per_block` output rows.
[[nodiscard]] inline uint32_t max_slab_bytes(const graph::Layer& l, int32_t rows_per_block,
                                             uint64_t elem_bytes) {
    int32_t worst = 0;
    for (int32_t oh0 = 0; oh0 < l.out_h(); oh0 += rows_per_block) {
        worst = std::max(worst, slab_rows(l, oh0, std::min(l.out_h(), oh0 + rows_per_block)).count);
    }
    return static_cast<uint32_t>(uint64_t(int64_t{worst} * l.in_w * l.in_c) * elem_bytes);
}

// Whether the reduction of GEMM `l` (a conv's or gemm's, `groups` groups) is its input pixels'
// channels, each slab row's pixels holding all of it (a 1x1 convolution of one group, a gemm): a
// k-chunk's COMPUTE then reads only that chunk's channels of the slab, and the k-chunks outermost
// load only those (emit.cc).
[[nodiscard]] inline bool slab_is_columns(const graph::Layer& l, int32_t groups) {
    return l.kind != graph::OpKind::kMatmul && l.kernel_h == 1 && l.kernel_w == 1 && groups == 1;
}

}  // namespace npu::compiler

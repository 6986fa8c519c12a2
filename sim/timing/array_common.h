// Helpers shared by the two array timing models (fast closed form and PE-level reference): the
// tile-shape check and the plain loop kernel. Internal to sim/timing; not part of the contract.
#pragma once

#include <cstdint>
#include <memory>

#include "sim/timing/array_model.h"

namespace npu::timing::detail {

inline constexpr const char* kArrayModule = "npu.array";

// Throws npu::ModelError unless the geometry is usable (rows, cols >= 1).
void check_geometry(const ArrayGeometry& g);

// Throws npu::ModelError unless the tile fits the array for its dataflow (see array_model.h:
// ws: 1 <= k <= rows, 1 <= n <= cols, m >= 1; os: 1 <= m <= rows, 1 <= n <= cols, k >= 1) and,
// when data is given, its pointers and leading dimensions are usable. Inline: the models check
// every tile they plan and issue; the error is built out of line (tile_misfit).
[[noreturn]] void tile_misfit(const ArrayGeometry& g, const TileShape& s, uint64_t cycle);
inline void check_tile(const ArrayGeometry& g, const TileShape& s, const TileData* data,
                       uint64_t cycle) {
    const bool ws = g.dataflow == Dataflow::kWeightStationary;
    const bool fits =
        s.m >= 1 && s.k >= 1 && s.n >= 1 && s.n <= g.cols && (ws ? s.k <= g.rows : s.m <= g.rows);
    if (fits &&
        (data == nullptr || (data->a != nullptr && data->w != nullptr && data->out != nullptr &&
                             data->lda >= s.k && data->ldw >= s.n && data->ldo >= s.n))) {
        return;
    }
    tile_misfit(g, s, cycle);
}

// out[i][j] = sum_kk a[i][kk] * w[kk][j], int32 with two's-complement wraparound (the hardware
// accumulator wraps; doing the sum in uint32 keeps C++ free of signed-overflow UB).
void gemm_int8(const TileShape& s, const TileData& d);

// SCALE-Sim v2 accounting (scalesim_array.cc): the closed form, and the PE-level form that runs
// each fold, padded to the full array, on a fresh PE-level array.
[[nodiscard]] std::unique_ptr<ArrayModel> make_scalesim_fast_array(const ArrayGeometry& g);
[[nodiscard]] std::unique_ptr<ArrayModel> make_scalesim_pe_array(const ArrayGeometry& g);

// Two's-complement wrapping int32 add without UB.
[[nodiscard]] inline int32_t wrap_add(int32_t x, int32_t y) {
    return static_cast<int32_t>(static_cast<uint32_t>(x) + static_cast<uint32_t>(y));
}

}  // namespace npu::timing::detail

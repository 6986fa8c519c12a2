#include "sim/timing/array_common.h"

#include <cstddef>
#include <string>

#include "sim/core/error.h"

namespace npu::timing::detail {

void check_geometry(const ArrayGeometry& g) {
    if (g.rows < 1 || g.cols < 1) {
        throw ModelError(kArrayModule, 0, -1,
                         "array geometry must be at least 1x1, got " + std::to_string(g.rows) +
                             "x" + std::to_string(g.cols));
    }
}

void tile_misfit(const ArrayGeometry& g, const TileShape& s, uint64_t cycle) {
    const bool ws = g.dataflow == Dataflow::kWeightStationary;
    const bool ok =
        s.m >= 1 && s.k >= 1 && s.n >= 1 && s.n <= g.cols && (ws ? s.k <= g.rows : s.m <= g.rows);
    if (!ok) {
        throw ModelError(
            kArrayModule, cycle, -1,
            std::string("tile m=") + std::to_string(s.m) + " k=" + std::to_string(s.k) +
                " n=" + std::to_string(s.n) + " does not fit a " + std::to_string(g.rows) + "x" +
                std::to_string(g.cols) + " " + to_string(g.dataflow) + " array (expected " +
                (ws ? "1 <= k <= rows, 1 <= n <= cols, m >= 1"
                    : "1 <= m <= rows, 1 <= n <= cols, k >= 1") +
                ")");
    }
    // check_tile calls this only when the shape fits and data was given but is not usable.
    throw ModelError(kArrayModule, cycle, -1,
                     "tile data needs a, w, out pointers and lda >= k, ldw >= n, ldo >= n");
}

void gemm_int8(const TileShape& s, const TileData& d) {
    for (int i = 0; i < s.m; ++i) {
        int32_t* out_row = d.out + static_cast<ptrdiff_t>(i) * d.ldo;
        for (int j = 0; j < s.n; ++j) {
            out_row[j] = 0;
        }
        const int8_t* a_row = d.a + static_cast<ptrdiff_t>(i) * d.lda;
        for (int kk = 0; kk < s.k; ++kk) {
            const int32_t a = a_row[kk];
            const int8_t* w_row = d.w + static_cast<ptrdiff_t>(kk) * d.ldw;
            for (int j = 0; j < s.n; ++j) {
                out_row[j] = wrap_add(out_row[j], a * static_cast<int32_t>(w_row[j]));
            }
        }
    }
}

}  // namespace npu::timing::detail

// Closed-form array timing: O(1) per tile, no allocation. Every formula here is derived in
// docs/timing.md from the PE-level model (pe_array.cc), and the equivalence tests hold the two
// equal cycle for cycle.
#include <algorithm>

#include "sim/timing/array_common.h"
#include "sim/timing/array_model.h"

namespace npu::timing {
namespace {

using u64 = uint64_t;

class FastArray final : public ArrayModel {
  public:
    explicit FastArray(const ArrayGeometry& g) : m_geo(g) { detail::check_geometry(g); }

    [[nodiscard]] TileTiming plan(const TileShape& shape, uint64_t earliest) const override {
        detail::check_tile(m_geo, shape, nullptr, earliest);
        return m_geo.dataflow == Dataflow::kWeightStationary ? plan_ws(shape, earliest)
                                                             : plan_os(shape, earliest);
    }

    TileTiming issue(const TileShape& shape, uint64_t earliest, const TileData* data) override {
        detail::check_tile(m_geo, shape, data, earliest);
        const TileTiming t = m_geo.dataflow == Dataflow::kWeightStationary
                                 ? plan_ws(shape, earliest)
                                 : plan_os(shape, earliest);
        m_prev = t;
        m_has_prev = true;
        if (data != nullptr) {
            detail::gemm_int8(shape, *data);
        }
        return t;
    }

    [[nodiscard]] const ArrayGeometry& geometry() const override { return m_geo; }

  private:
    // Weight-stationary. Preload shifts R rows in R cycles; the stream can begin once the last
    // shift has latched: sb >= wb + R. Activation row i reaches PE(r,c) at sb+i+r+c; the psum of
    // output (i,c) leaves PE(R-1,c) at sb+i+R-1+c and is written one cycle later, at sb+i+c+R.
    [[nodiscard]] TileTiming plan_ws(const TileShape& s, u64 earliest) const {
        const u64 R = static_cast<u64>(m_geo.rows);
        const u64 C = static_cast<u64>(m_geo.cols);
        u64 wb = earliest;
        u64 sb = 0;
        if (m_geo.pipelining == Pipelining::kNone) {
            // Fold by fold: the single weight register chain is reloaded only when the
            // previous tile has written its last result.
            if (m_has_prev) {
                wb = std::max(wb, m_prev.out_end);
            }
            sb = wb + R;
        } else {
            // Shadow chain: it may be overwritten only after every PE switched to the previous
            // tile's weights. PE(r,c) switches in cycle prev.sb + r + c (the tagged first
            // activation reaches it); the last one is PE(R-1,C-1). A shift in cycle x writes the
            // shadow at the end of x, so x = prev.sb + R + C - 2 is already safe.
            if (m_has_prev) {
                wb = std::max(wb, m_prev.stream_begin + R + C - 2);
            }
            // Back-to-back: the first activation row may follow the previous tile's last one.
            sb = wb + R;
            if (m_has_prev) {
                sb = std::max(sb, m_prev.stream_end);
            }
        }
        TileTiming t;
        t.start = wb;
        t.weight_begin = wb;
        t.weight_end = wb + R;
        t.stream_begin = sb;
        t.stream_end = sb + static_cast<u64>(s.m);
        t.out_begin = sb + R;  // output (0,0)
        // Last output (m-1, n-1) written at sb + (m-1) + (n-1) + R.
        t.out_end = sb + static_cast<u64>(s.m) + static_cast<u64>(s.n) + R - 1;
        return t;
    }

    // Output-stationary. PE(i,j) does MAC kk at sb+kk+i+j; the last MAC of the tile is at
    // PE(m-1,n-1): sb+k+m+n-3. The drain starts the next cycle (d = sb+k+m+n-2) and shifts all R
    // rows of every column down, one per cycle: the bottom register (row R-1-s) is written in
    // cycle d+s, so tile row i is written at d+R-1-i: rows m-1..0 in [d+R-m, d+R).
    [[nodiscard]] TileTiming plan_os(const TileShape& s, u64 earliest) const {
        const u64 R = static_cast<u64>(m_geo.rows);
        const u64 k = static_cast<u64>(s.k);
        u64 sb = earliest;
        if (m_has_prev) {
            if (m_geo.pipelining == Pipelining::kNone) {
                sb = std::max(sb, m_prev.out_end);
            } else {
                // The stream port is free after the previous stream (back-to-back), and PE(0,0)
                // -- the first PE to finish -- moves its result into its drain register at the
                // end of cycle sb+k-1, which must not be inside the previous drain
                // [prev.out_end - R, prev.out_end): sb + k - 1 >= prev.out_end.
                sb = std::max(sb, m_prev.stream_end);
                if (m_prev.out_end + 1 > k) {
                    sb = std::max(sb, m_prev.out_end + 1 - k);
                }
            }
        }
        const u64 drain = sb + k + static_cast<u64>(s.m) + static_cast<u64>(s.n) - 2;
        TileTiming t;
        t.start = sb;
        t.weight_begin = sb;
        t.weight_end = sb + k;
        t.stream_begin = sb;
        t.stream_end = sb + k;
        t.out_begin = drain + R - static_cast<u64>(s.m);
        t.out_end = drain + R;
        return t;
    }

    ArrayGeometry m_geo;
    bool m_has_prev = false;
    TileTiming m_prev;
};

}  // namespace

std::unique_ptr<ArrayModel> make_fast_array(const ArrayGeometry& g) {
    if (g.timing == ArrayTiming::kScaleSim) return detail::make_scalesim_fast_array(g);
    return std::make_unique<FastArray>(g);
}

}  // namespace npu::timing

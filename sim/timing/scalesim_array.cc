// SCALE-Sim v2's cycle accounting of the systolic array (`array.timing: scalesim`), so a user can
// check npusim against numbers SCALE-Sim gave them. SCALE-Sim maps a layer onto the array in
// folds (ws: R rows of the reduction x C output channels, the M output pixels streamed; os: R
// output pixels x C channels, the K reduction streamed), never overlaps two folds, charges every
// fold as if it were full, and counts os without the drain. Per fold (docs/timing.md):
//   ws: M + 2R + C - 2 cycles    os: K + R + C - 2 cycles
// Against npusim's own model without pipelining, for a full fold, that is exactly one cycle less
// (ws) and R cycles less (os, the drain). The two forms here are held equal by the tests:
//  - the closed form (ScaleSimFast), O(1) per tile;
//  - the PE-level form (ScaleSimPe): every fold, its operands zero-padded to the full R x C
//    array, runs on a fresh PE-level array (pe_array.cc, no pipelining, so nothing overlaps), and
//    its output window is moved earlier by that constant. This is the evidence that SCALE-Sim's
//    per-fold count is a PE-level schedule of the full fold with a different end convention.
// Windows: weight and stream windows are those of the padded fold; the output window [out_begin,
// out_end) keeps its length and ends at the SCALE-Sim count. A tile's m (ws) or k (os) is the
// temporal length the caller gives (scaled for slower precisions, as for npusim's timing).
#include <algorithm>
#include <vector>

#include "sim/timing/array_common.h"
#include "sim/timing/array_model.h"

namespace npu::timing::detail {
namespace {

using u64 = uint64_t;

// The padded fold: ws uses every row (k = R) and column (n = C); os every row (m = R) and column.
TileShape full_fold(const ArrayGeometry& g, const TileShape& s) {
    TileShape f = s;
    f.n = g.cols;
    (g.dataflow == Dataflow::kWeightStationary ? f.k : f.m) = g.rows;
    return f;
}

// Cycles SCALE-Sim counts less than npusim's unpipelined array for the same full fold.
u64 end_shift(const ArrayGeometry& g) {
    return g.dataflow == Dataflow::kWeightStationary ? 1 : static_cast<u64>(g.rows);
}

class ScaleSimFast final : public ArrayModel {
  public:
    explicit ScaleSimFast(const ArrayGeometry& g) : m_geo(g) { check_geometry(g); }

    [[nodiscard]] TileTiming plan(const TileShape& shape, uint64_t earliest) const override {
        check_tile(m_geo, shape, nullptr, earliest);
        return plan_fold(shape, earliest);
    }

    TileTiming issue(const TileShape& shape, uint64_t earliest, const TileData* data) override {
        check_tile(m_geo, shape, data, earliest);
        const TileTiming t = plan_fold(shape, earliest);
        m_prev_end = t.out_end;
        if (data != nullptr) gemm_int8(shape, *data);
        return t;
    }

    [[nodiscard]] const ArrayGeometry& geometry() const override { return m_geo; }

  private:
    [[nodiscard]] TileTiming plan_fold(const TileShape& s, u64 earliest) const {
        const u64 R = static_cast<u64>(m_geo.rows);
        const u64 C = static_cast<u64>(m_geo.cols);
        const u64 start = std::max(earliest, m_prev_end);  // folds never overlap
        TileTiming t;
        t.start = start;
        t.weight_begin = start;
        if (m_geo.dataflow == Dataflow::kWeightStationary) {
            // Preload R rows, then stream M activation rows: M + 2R + C - 2 in all.
            const u64 m = static_cast<u64>(s.m);
            t.weight_end = start + R;
            t.stream_begin = start + R;
            t.stream_end = t.stream_begin + m;
            t.out_end = start + m + 2 * R + C - 2;
            t.out_begin = t.out_end - (m + C - 1);
        } else {
            // Stream K steps through R x C output-stationary PEs: K + R + C - 2, no drain.
            const u64 k = static_cast<u64>(s.k);
            t.weight_end = start + k;
            t.stream_begin = start;
            t.stream_end = start + k;
            t.out_end = start + k + R + C - 2;
            t.out_begin = t.out_end - R;
        }
        return t;
    }

    ArrayGeometry m_geo;
    u64 m_prev_end = 0;
};

class ScaleSimPe final : public ArrayModel {
  public:
    explicit ScaleSimPe(const ArrayGeometry& g) : m_geo(g) {
        check_geometry(g);
        m_inner = g;
        m_inner.timing = ArrayTiming::kNpusim;
        m_inner.pipelining = Pipelining::kNone;
    }

    [[nodiscard]] TileTiming plan(const TileShape& shape, uint64_t earliest) const override {
        check_tile(m_geo, shape, nullptr, earliest);
        return run_fold(shape, earliest, nullptr);
    }

    TileTiming issue(const TileShape& shape, uint64_t earliest, const TileData* data) override {
        check_tile(m_geo, shape, data, earliest);
        const TileTiming t = run_fold(shape, earliest, data);
        m_prev_end = t.out_end;
        return t;
    }

    [[nodiscard]] const ArrayGeometry& geometry() const override { return m_geo; }

  private:
    TileTiming run_fold(const TileShape& s, u64 earliest, const TileData* data) const {
        const TileShape f = full_fold(m_geo, s);
        std::unique_ptr<ArrayModel> pe = make_pe_array(m_inner);
        TileTiming t;
        const u64 start = std::max(earliest, m_prev_end);
        if (data == nullptr) {
            t = pe->issue(f, start, nullptr);
        } else {
            // The real operands in the top-left corner of zero-filled full-fold operands; the
            // padding adds zero products, so the tile's outputs are the corner of the result.
            std::vector<int8_t> a(static_cast<size_t>(f.m) * static_cast<size_t>(f.k), 0);
            std::vector<int8_t> w(static_cast<size_t>(f.k) * static_cast<size_t>(f.n), 0);
            std::vector<int32_t> out(static_cast<size_t>(f.m) * static_cast<size_t>(f.n), 0);
            for (int i = 0; i < s.m; ++i) {
                std::copy_n(data->a + static_cast<ptrdiff_t>(i) * data->lda, s.k,
                            &a[static_cast<size_t>(i) * static_cast<size_t>(f.k)]);
            }
            for (int kk = 0; kk < s.k; ++kk) {
                std::copy_n(data->w + static_cast<ptrdiff_t>(kk) * data->ldw, s.n,
                            &w[static_cast<size_t>(kk) * static_cast<size_t>(f.n)]);
            }
            const TileData padded{a.data(), f.k, w.data(), f.n, out.data(), f.n};
            t = pe->issue(f, start, &padded);
            for (int i = 0; i < s.m; ++i) {
                std::copy_n(&out[static_cast<size_t>(i) * static_cast<size_t>(f.n)], s.n,
                            data->out + static_cast<ptrdiff_t>(i) * data->ldo);
            }
        }
        const u64 d = end_shift(m_geo);
        t.out_begin -= d;
        t.out_end -= d;
        return t;
    }

    ArrayGeometry m_geo;
    ArrayGeometry m_inner;
    u64 m_prev_end = 0;
};

}  // namespace

std::unique_ptr<ArrayModel> make_scalesim_fast_array(const ArrayGeometry& g) {
    return std::make_unique<ScaleSimFast>(g);
}

std::unique_ptr<ArrayModel> make_scalesim_pe_array(const ArrayGeometry& g) {
    return std::make_unique<ScaleSimPe>(g);
}

}  // namespace npu::timing::detail

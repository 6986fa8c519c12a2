// PE-level reference model of the systolic array. Every cycle it moves every operand one PE
// (activations right; ws partial sums / os weights down), performs the MACs the operands meet
// for, shifts weight rows into the (shadow) weight registers and drains output registers. The
// controller starts a tile's weight load / stream / drain only when conditions it can observe in
// the registers hold (all PEs switched off the shadow weights, the previous stream finished, the
// previous tile's last result written, ...). All reported times are the cycles in which these
// events happened in the simulation. The one place it looks ahead is os overlap: a PE moves its
// result to its drain register as it does its last MAC, and that must not collide with the
// previous drain; the controller starts the stream speculatively and, if a collision happens,
// rolls back to the snapshot and tries one cycle later (the first collision-free cycle wins).
//
// Slow on purpose (O(rows*cols) per cycle) and simple enough to trust; docs/timing.md defines
// the microarchitecture this implements.
#include <algorithm>
#include <deque>
#include <string>
#include <vector>

#include "sim/core/error.h"
#include "sim/timing/array_common.h"
#include "sim/timing/array_model.h"

namespace npu::timing {
namespace {

using u64 = uint64_t;

// An operand travelling through the array, with the tags hardware would carry alongside it.
struct Op {
    bool valid = false;
    bool first = false;  // first row (ws) / column (os) of its tile: the propagate tag
    bool last = false;   // last row / column of its tile
    int64_t tile = -1;
    int32_t idx = 0;  // ws: activation row i; os: reduction index kk
    int8_t v = 0;
};

// A partial sum (ws) or an output register (os).
struct Acc {
    bool valid = false;
    bool ok = true;  // false once a MAC used weights of another tile (junk column, never written)
    int64_t tile = -1;
    int32_t i = 0;  // output row
    int32_t v = 0;
};

struct Pe {
    Op a;          // activation latched this cycle; the right neighbour uses it next cycle
    Op wv;         // os: weight latched this cycle; the lower neighbour uses it next cycle
    int8_t w = 0;  // ws: active weight
    int64_t w_tile = -1;
    int8_t s = 0;  // ws overlap: shadow weight
    int64_t s_tile = -1;
    bool pending = false;  // shadow holds weights no PE switched to yet
    Acc p;                 // ws: partial sum latched this cycle; os: output register
    Acc d;                 // os overlap: drain register
};

struct TileRec {
    int64_t id = 0;
    TileShape s;
    u64 earliest = 0;
    u64 not_before = 0;  // os overlap: raised by a rolled-back speculative start
    bool load_started = false;
    int load_steps = 0;
    u64 load_begin = 0;
    u64 load_end = 0;
    bool stream_started = false;
    int reads = 0;
    u64 stream_begin = 0;
    u64 stream_end = 0;
    int64_t finished_pes = 0;  // os: PEs that did their last MAC
    u64 last_mac = 0;
    bool drain_started = false;
    int64_t writes = 0;
    u64 first_write = 0;
    u64 last_write = 0;
    [[nodiscard]] int64_t outputs() const { return static_cast<int64_t>(s.m) * s.n; }
    [[nodiscard]] bool done() const { return writes == outputs(); }
};

struct State {
    u64 t = 0;
    std::vector<Pe> pe;
    std::vector<Op> ring;        // scratchpad reads of the last L cycles: slot t % L
    std::vector<TileRec> tiles;  // live tiles, in issue order
    int64_t loading = -1;        // ws: tile whose weights are shifting in
    int64_t draining = -1;       // os: tile whose results are shifting out
    int drain_step = 0;
};

// Operands and results of one issued tile (copied: the caller's buffers may be gone when a
// later issue() re-simulates this tile).
struct Stored {
    TileShape s;
    bool has_data = false;
    std::vector<int8_t> a;     // m x k
    std::vector<int8_t> w;     // k x n
    std::vector<int32_t> out;  // m x n
    TileTiming timing;
    bool timed = false;
};

class PeArray final : public ArrayModel {
  public:
    explicit PeArray(const ArrayGeometry& g) : m_geo(g) {
        detail::check_geometry(g);
        m_R = g.rows;
        m_C = g.cols;
        m_L = std::max(m_R, m_C);
        m_ws = g.dataflow == Dataflow::kWeightStationary;
        m_overlap = g.pipelining == Pipelining::kOverlap;
        m_committed.pe.assign(static_cast<size_t>(m_R) * m_C, Pe{});
        m_committed.ring.assign(static_cast<size_t>(m_L), Op{});
    }

    [[nodiscard]] TileTiming plan(const TileShape& shape, uint64_t earliest) const override {
        PeArray copy = *this;
        return copy.issue(shape, earliest, nullptr);
    }

    TileTiming issue(const TileShape& shape, uint64_t earliest, const TileData* data) override {
        detail::check_tile(m_geo, shape, data, earliest);
        const int64_t id = m_next_id++;
        Stored st;
        st.s = shape;
        if (data != nullptr) {
            st.has_data = true;
            for (int i = 0; i < shape.m; ++i) {
                for (int kk = 0; kk < shape.k; ++kk) {
                    st.a.push_back(data->a[static_cast<ptrdiff_t>(i) * data->lda + kk]);
                }
            }
            for (int kk = 0; kk < shape.k; ++kk) {
                for (int j = 0; j < shape.n; ++j) {
                    st.w.push_back(data->w[static_cast<ptrdiff_t>(kk) * data->ldw + j]);
                }
            }
            st.out.assign(static_cast<size_t>(shape.m) * shape.n, 0);
        }
        m_store.push_back(std::move(st));
        TileRec rec;
        rec.id = id;
        rec.s = shape;
        rec.earliest = earliest;
        m_committed.tiles.push_back(rec);

        const TileTiming timing = simulate(id);
        Stored& mine = stored(id);
        mine.timing = timing;
        mine.timed = true;
        if (data != nullptr) {
            for (int i = 0; i < shape.m; ++i) {
                for (int j = 0; j < shape.n; ++j) {
                    data->out[static_cast<ptrdiff_t>(i) * data->ldo + j] =
                        mine.out[static_cast<size_t>(i) * shape.n + j];
                }
            }
        }
        prune();
        return timing;
    }

    [[nodiscard]] const ArrayGeometry& geometry() const override { return m_geo; }

  private:
    Pe& pe(State& s, int r, int c) const { return s.pe[static_cast<size_t>(r) * m_C + c]; }
    Stored& stored(int64_t id) { return m_store[static_cast<size_t>(id - m_store_base)]; }
    [[nodiscard]] static TileRec* find(State& s, int64_t id) {
        for (TileRec& r : s.tiles) {
            if (r.id == id) {
                return &r;
            }
        }
        return nullptr;
    }
    [[noreturn]] void broken(const State& s, int64_t id, const std::string& what) const {
        throw ModelError("npu.array.pe", s.t, id, "PE model invariant broken: " + what);
    }

    // The read the skew line of array row/column `x` delivers in cycle t (it was made x cycles
    // earlier).
    [[nodiscard]] const Op& skewed(const State& s, int x) const {
        const int slot = static_cast<int>((s.t + static_cast<u64>(m_L) - static_cast<u64>(x)) %
                                          static_cast<u64>(m_L));
        return s.ring[static_cast<size_t>(slot)];
    }

    // Runs the committed state (with tile `id` newly queued) until tile `id` has written its
    // last result. The new committed state is the one at the start of the cycle in which `id`
    // first acted, so that the next tile (which can only act later) is simulated from there.
    TileTiming simulate(int64_t id) {
        State st = m_committed;
        State commit = st;
        State spec;
        bool have_spec = false;
        u64 spec_cycle = 0;
        for (;;) {
            TileRec* me = find(st, id);
            if (me->done()) {
                break;
            }
            const bool me_started = m_ws ? me->load_started : me->stream_started;
            if (!me_started) {
                skip_idle(st);
                commit = st;
            }
            bool started_me = false;
            int64_t hazard = -1;
            step(st, started_me, hazard);
            if (started_me && !m_ws && m_overlap) {
                // step() started `id`'s stream in its first phase, before changing anything:
                // roll back here if one of its PEs later hits the previous drain.
                spec = commit;
                have_spec = true;
                spec_cycle = commit.t;
            }
            if (hazard >= 0) {
                if (hazard != id || !have_spec) {
                    broken(st, hazard, "drain register collision outside speculation");
                }
                st = spec;
                find(st, id)->not_before = spec_cycle + 1;
                have_spec = false;
            }
        }
        // Tiles issued earlier were simulated again here; they must come out the same.
        for (const TileRec& r : st.tiles) {
            if (r.id != id && r.done() && stored(r.id).timed &&
                !(timing_of(r) == stored(r.id).timing)) {
                broken(st, r.id, "an earlier tile's timing changed when a later tile was issued");
            }
        }
        const TileTiming result = timing_of(*find(st, id));
        m_committed = commit;
        return result;
    }

    [[nodiscard]] TileTiming timing_of(const TileRec& r) const {
        TileTiming t;
        if (m_ws) {
            t.start = r.load_begin;
            t.weight_begin = r.load_begin;
            t.weight_end = r.load_end;
        } else {
            t.start = r.stream_begin;
            t.weight_begin = r.stream_begin;
            t.weight_end = r.stream_end;
        }
        t.stream_begin = r.stream_begin;
        t.stream_end = r.stream_end;
        t.out_begin = r.first_write;
        t.out_end = r.last_write + 1;
        return t;
    }

    // When nothing is in flight, no cycle changes any register: jump to the next cycle in which
    // the controller may start something (far-future `earliest` values cost nothing).
    void skip_idle(State& st) const {
        if (st.loading >= 0 || st.draining >= 0) {
            return;
        }
        for (const Op& o : st.ring) {
            if (o.valid) {
                return;
            }
        }
        for (const Pe& p : st.pe) {
            if (p.a.valid || p.wv.valid || p.p.valid || p.d.valid) {
                return;
            }
        }
        u64 next = ~u64{0};
        for (const TileRec& r : st.tiles) {
            const bool started = m_ws ? r.load_started : r.stream_started;
            if (!r.done() && started) {
                return;
            }
            if (!started) {
                next = std::min(next, std::max(r.earliest, r.not_before));
            }
        }
        if (next != ~u64{0} && next > st.t) {
            st.t = next;
        }
    }

    void step(State& st, bool& started_me, int64_t& hazard) {
        if (m_ws) {
            step_ws(st, started_me);
        } else {
            step_os(st, started_me, hazard);
        }
        if (hazard < 0) {
            ++st.t;
        }
    }

    // First phase of a cycle: which activation row (ws) / activation column + weight row (os)
    // the scratchpad reads this cycle. Returns the tile that started streaming, or -1.
    int64_t stream_phase(State& st) const {
        Op& slot = st.ring[static_cast<size_t>(st.t % static_cast<u64>(m_L))];
        slot = Op{};
        TileRec* prev = nullptr;
        for (TileRec& r : st.tiles) {
            const int len = m_ws ? r.s.m : r.s.k;
            if (r.stream_started && r.reads < len) {
                read(st, r, slot);
                return -1;
            }
            if (!r.stream_started) {
                const bool prev_ok =
                    prev == nullptr ||
                    (m_ws || m_overlap ? true : (prev->done() && prev->last_write < st.t));
                const bool ready =
                    m_ws ? (r.load_started && r.load_steps == m_R && r.load_end <= st.t)
                         : (st.t >= r.earliest && st.t >= r.not_before);
                if (!prev_ok || !ready) {
                    return -1;
                }
                r.stream_started = true;
                r.stream_begin = st.t;
                read(st, r, slot);
                return r.id;
            }
            prev = &r;
        }
        return -1;
    }

    void read(State& st, TileRec& r, Op& slot) const {
        const int len = m_ws ? r.s.m : r.s.k;
        slot.valid = true;
        slot.tile = r.id;
        slot.idx = r.reads;
        slot.first = r.reads == 0;
        slot.last = r.reads == len - 1;
        ++r.reads;
        if (r.reads == len) {
            r.stream_end = st.t + 1;
        }
    }

    void record_write(State& st, TileRec& r, int i, int c, int32_t v) {
        if (r.writes == 0) {
            r.first_write = st.t;
        }
        r.last_write = st.t;
        ++r.writes;
        Stored& so = stored(r.id);
        if (so.has_data) {
            so.out[static_cast<size_t>(i) * r.s.n + c] = v;
        }
    }

    int8_t a_value(int64_t tile, int i, int kk) {
        const Stored& so = stored(tile);
        return so.has_data ? so.a[static_cast<size_t>(i) * so.s.k + kk] : int8_t{0};
    }
    int8_t w_value(int64_t tile, int kk, int j) {
        const Stored& so = stored(tile);
        return so.has_data ? so.w[static_cast<size_t>(kk) * so.s.n + j] : int8_t{0};
    }

    void step_ws(State& st, bool& started_me) {
        (void)stream_phase(st);
        // Accumulator: the psums the bottom row latched last cycle are written this cycle.
        for (int c = 0; c < m_C; ++c) {
            const Acc& p = pe(st, m_R - 1, c).p;
            if (!p.valid) {
                continue;
            }
            TileRec* r = find(st, p.tile);
            if (r == nullptr || c >= r->s.n) {
                continue;  // a column the tile does not use: discarded
            }
            if (!p.ok) {
                broken(st, p.tile, "a written psum used another tile's weights");
            }
            record_write(st, *r, p.i, c, p.v);
        }
        // PEs, bottom-right first so every PE still sees its neighbours' last-cycle latches.
        for (int r = m_R - 1; r >= 0; --r) {
            for (int c = m_C - 1; c >= 0; --c) {
                Pe& me = pe(st, r, c);
                Op in;
                if (c == 0) {
                    // A read of a finished (forgotten) tile is a leftover nobody uses.
                    const Op& rd = skewed(st, r);
                    const TileRec* tr = rd.valid ? find(st, rd.tile) : nullptr;
                    if (tr != nullptr) {
                        in = rd;
                        in.v = r < tr->s.k ? a_value(rd.tile, rd.idx, r) : int8_t{0};
                    }
                } else {
                    in = pe(st, r, c - 1).a;
                }
                Acc above;
                if (r == 0) {
                    above.valid = in.valid;
                    above.tile = in.tile;
                    above.i = in.idx;
                } else {
                    above = pe(st, r - 1, c).p;
                }
                if (!in.valid) {
                    if (above.valid) {
                        broken(st, above.tile, "psum arrived without its activation");
                    }
                    me.p = Acc{};
                    me.a = in;
                    continue;
                }
                if (m_overlap && in.first) {
                    // Propagate: the tile's first activation switches this PE to its shadow.
                    if (!me.pending || me.s_tile != in.tile) {
                        broken(st, in.tile, "switch to shadow weights that are not loaded");
                    }
                    me.w = me.s;
                    me.w_tile = me.s_tile;
                    me.pending = false;
                }
                if (!above.valid || above.tile != in.tile || above.i != in.idx) {
                    broken(st, in.tile, "activation met a psum of another row");
                }
                Acc out = above;
                out.ok = above.ok && me.w_tile == in.tile;
                out.v = detail::wrap_add(above.v, static_cast<int32_t>(in.v) * me.w);
                me.p = out;
                me.a = in;
            }
        }
        load_phase(st, started_me);
    }

    // Last phase of a ws cycle: shift a weight row in at the top (latched at the end of the
    // cycle, after this cycle's MACs and switches read the registers).
    void load_phase(State& st, bool& started_me) {
        TileRec* r = nullptr;
        if (st.loading >= 0) {
            r = find(st, st.loading);
        } else {
            TileRec* prev = nullptr;
            for (TileRec& cand : st.tiles) {
                if (!cand.load_started) {
                    r = &cand;
                    break;
                }
                prev = &cand;
            }
            if (r == nullptr || st.t < r->earliest) {
                return;
            }
            if (m_overlap) {
                for (const Pe& p : st.pe) {
                    if (p.pending) {
                        return;  // some PE has not switched to the shadow weights yet
                    }
                }
            } else if (prev != nullptr && !(prev->done() && prev->last_write < st.t)) {
                return;  // fold by fold: previous tile not finished
            }
            r->load_started = true;
            r->load_begin = st.t;
            st.loading = r->id;
            started_me = r->id == m_next_id - 1;
        }
        // Step s brings weight row R-1-s; after R shifts row x sits in array row x.
        const int row = m_R - 1 - r->load_steps;
        for (int c = 0; c < m_C; ++c) {
            for (int x = m_R - 1; x >= 1; --x) {
                Pe& dst = pe(st, x, c);
                const Pe& src = pe(st, x - 1, c);
                if (m_overlap) {
                    if (dst.pending) {
                        broken(st, r->id, "shadow weights overwritten before use");
                    }
                    dst.s = src.s;
                    dst.s_tile = src.s_tile;
                } else {
                    dst.w = src.w;
                    dst.w_tile = src.w_tile;
                }
            }
            Pe& top = pe(st, 0, c);
            const int8_t v = (row < r->s.k && c < r->s.n) ? w_value(r->id, row, c) : int8_t{0};
            if (m_overlap) {
                if (top.pending) {
                    broken(st, r->id, "shadow weights overwritten before use");
                }
                top.s = v;
                top.s_tile = r->id;
            } else {
                top.w = v;
                top.w_tile = r->id;
            }
        }
        ++r->load_steps;
        if (r->load_steps == m_R) {
            r->load_end = st.t + 1;
            st.loading = -1;
            if (m_overlap) {
                for (Pe& p : st.pe) {
                    p.pending = true;
                }
            }
        }
    }

    void step_os(State& st, bool& started_me, int64_t& hazard) {
        const int64_t started = stream_phase(st);
        started_me = started >= 0 && started == m_next_id - 1;
        // Drain: starts once every PE of the oldest undrained tile did its last MAC (in an
        // earlier cycle) and no drain is running; then R cycles, bottom row first.
        if (st.draining < 0) {
            for (TileRec& r : st.tiles) {
                if (r.drain_started) {
                    continue;
                }
                if (r.finished_pes == r.outputs() && r.last_mac < st.t) {
                    r.drain_started = true;
                    st.draining = r.id;
                    st.drain_step = 0;
                }
                break;
            }
        }
        const bool drain_now = st.draining >= 0;
        if (drain_now) {
            for (int c = 0; c < m_C; ++c) {
                const Acc& reg = m_overlap ? pe(st, m_R - 1, c).d : pe(st, m_R - 1, c).p;
                if (!reg.valid) {
                    continue;
                }
                TileRec* r = find(st, reg.tile);
                if (r == nullptr || reg.tile != st.draining) {
                    broken(st, reg.tile, "drained a result of a tile that is not draining");
                }
                record_write(st, *r, reg.i, c, reg.v);
            }
        }
        for (int r = m_R - 1; r >= 0; --r) {
            for (int c = m_C - 1; c >= 0; --c) {
                Pe& me = pe(st, r, c);
                Op a_in;
                Op w_in;
                if (c == 0) {
                    const Op& rd = skewed(st, r);
                    const TileRec* tr = rd.valid ? find(st, rd.tile) : nullptr;
                    if (tr != nullptr && r < tr->s.m) {
                        a_in = rd;
                        a_in.v = a_value(rd.tile, r, rd.idx);
                    }
                } else {
                    a_in = pe(st, r, c - 1).a;
                }
                if (r == 0) {
                    const Op& rd = skewed(st, c);
                    const TileRec* tr = rd.valid ? find(st, rd.tile) : nullptr;
                    if (tr != nullptr && c < tr->s.n) {
                        w_in = rd;
                        w_in.v = w_value(rd.tile, rd.idx, c);
                    }
                } else {
                    w_in = pe(st, r - 1, c).wv;
                }
                me.a = a_in;
                me.wv = w_in;
                if (!a_in.valid || !w_in.valid) {
                    continue;
                }
                if (a_in.tile != w_in.tile || a_in.idx != w_in.idx) {
                    broken(st, a_in.tile, "activation and weight of different MACs met");
                }
                if (drain_now && !m_overlap) {
                    broken(st, a_in.tile, "MAC into an output register that is draining");
                }
                Acc& o = me.p;
                const int32_t prod = static_cast<int32_t>(a_in.v) * w_in.v;
                if (a_in.first) {
                    if (o.valid) {
                        broken(st, a_in.tile, "first MAC into an occupied output register");
                    }
                    o = Acc{true, true, a_in.tile, r, prod};
                } else {
                    if (!o.valid || o.tile != a_in.tile) {
                        broken(st, a_in.tile, "MAC into another tile's output register");
                    }
                    o.v = detail::wrap_add(o.v, prod);
                }
                if (!a_in.last) {
                    continue;
                }
                TileRec* tr = find(st, a_in.tile);
                ++tr->finished_pes;
                tr->last_mac = st.t;
                if (m_overlap) {
                    // Move the result to the drain register (latched at the end of this cycle).
                    if (me.d.valid || drain_now) {
                        hazard = a_in.tile;
                        return;
                    }
                    me.d = o;
                    o = Acc{};
                }
            }
        }
        if (drain_now) {
            for (int c = 0; c < m_C; ++c) {
                for (int r = m_R - 1; r >= 1; --r) {
                    Acc& dst = m_overlap ? pe(st, r, c).d : pe(st, r, c).p;
                    dst = m_overlap ? pe(st, r - 1, c).d : pe(st, r - 1, c).p;
                }
                (m_overlap ? pe(st, 0, c).d : pe(st, 0, c).p) = Acc{};
            }
            if (++st.drain_step == m_R) {
                st.draining = -1;
            }
        }
    }

    // Forget tiles that finished before the committed cycle (and their stored operands).
    void prune() {
        auto& tiles = m_committed.tiles;
        size_t n = 0;
        while (n < tiles.size() && tiles[n].done()) {
            ++n;
        }
        tiles.erase(tiles.begin(), tiles.begin() + static_cast<ptrdiff_t>(n));
        const int64_t keep_from = tiles.empty() ? m_next_id : tiles.front().id;
        // Keep one finished tile's record so its re-simulated outputs still have a home.
        while (m_store_base < keep_from - 1 && m_store.size() > 1) {
            m_store.pop_front();
            ++m_store_base;
        }
    }

    ArrayGeometry m_geo;
    int m_R = 0;
    int m_C = 0;
    int m_L = 0;
    bool m_ws = true;
    bool m_overlap = true;
    State m_committed;
    std::deque<Stored> m_store;
    int64_t m_store_base = 0;
    int64_t m_next_id = 0;
};

}  // namespace

std::unique_ptr<ArrayModel> make_pe_array(const ArrayGeometry& g) {
    if (g.timing == ArrayTiming::kScaleSim) return detail::make_scalesim_pe_array(g);
    return std::make_unique<PeArray>(g);
}

}  // namespace npu::timing

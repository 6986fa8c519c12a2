#include "sim/compiler/schedule.h"

#include <algorithm>
#include <cmath>
#include <deque>
#include <functional>
#include <iterator>
#include <map>
#include <memory>
#include <vector>

#include "sim/compiler/emit.h"
#include "sim/timing/array_model.h"
#include "sim/timing/dram_transfer.h"

namespace npu::compiler {
namespace {

uint64_t ceil_cycles(uint64_t bytes, uint64_t per_cycle) {
    return std::max<uint64_t>(1, (bytes + per_cycle - 1) / per_cycle);
}

// A burst's DRAM latency in NPU cycles: dram.latency_cycles (the simple DRAM); the banked one's
// row miss, ACT to data (tRCD + tCL + tBURST memory cycles), at the NPU's clock.
uint64_t latency_cycles(const cfg::HwConfig& hw) {
    if (hw.dram.model != cfg::DramModel::kBanked) {
        return static_cast<uint64_t>(std::max(0, hw.dram.latency_cycles));
    }
    const cfg::DramTiming& t = hw.dram.timing;
    const double mem = double(t.tRCD + t.tCL + t.tBURST);
    return static_cast<uint64_t>(std::ceil(mem * hw.clock_hz / hw.dram.clock_hz));
}

// The DMA and the simple DRAM behind it (see the header).
class DmaSchedule {
  public:
    explicit DmaSchedule(const cfg::HwConfig& hw)
        : m_setup(static_cast<uint64_t>(std::max(0, hw.dma.setup_cycles))),
          m_burst(static_cast<uint64_t>(std::max(1, hw.dma.burst_bytes))),
          m_outstanding(static_cast<size_t>(std::max(1, hw.dma.outstanding))),
          m_bank_width(static_cast<uint64_t>(std::max(1, hw.scratchpad.bank_width_bytes))),
          m_latency(latency_cycles(hw)),
          m_per_channel(hw.dram_bytes_per_cycle() / std::max(1, hw.dram.channels)),
          m_channels(static_cast<size_t>(std::max(1, hw.dma.channels))),
          m_dram(static_cast<size_t>(std::max(1, hw.dram.channels))) {}

    struct Result {
        uint64_t issued = 0;     // the cycle after the last burst's issue
        uint64_t sram_done = 0;  // a store's last scratchpad read done
        uint64_t complete = 0;   // the last burst completed
    };

    Result run(const isa::Transfer& xfer, bool load, uint64_t now) {
        isa::Transfer x = xfer;
        if (x.rows > 1 && x.dram_stride == x.row_bytes && x.sram_stride == x.row_bytes) {
            x.row_bytes *= x.rows;
            x.rows = 1;
        }
        Channel* ch = &m_channels[0];
        for (Channel& c : m_channels) {
            if (c.next_issue < ch->next_issue) ch = &c;
        }
        uint64_t t = std::max(now, ch->next_issue) + m_setup;
        Result r;
        r.sram_done = t;
        r.complete = t;
        if (x.rows >= kRun) {
            // Many rows: their bursts as one run of the average burst (the first row's count
            // of bursts per row).
            const uint64_t per_row = (x.dram_addr % m_burst + x.row_bytes + m_burst - 1) / m_burst;
            const uint64_t k = per_row * x.rows;
            run_of(*ch, x.dram_addr, k, (x.bytes() + k - 1) / k, load, t, r);
            x.rows = 0;
        }
        for (uint32_t row = 0; row < x.rows; ++row) {
            uint64_t far = x.dram_addr + uint64_t{row} * x.dram_stride;
            uint64_t left = x.row_bytes;
            while (left > 0) {
                const uint64_t len = std::min(left, m_burst - far % m_burst);
                const uint64_t whole = len == m_burst ? left / m_burst : 0;
                if (whole >= kRun) {  // a run of whole bursts: in closed form
                    run_of(*ch, far, whole, m_burst, load, t, r);
                    far += whole * m_burst;
                    left -= whole * m_burst;
                    continue;
                }
                burst(*ch, far, len, load, t, r);
                far += len;
                left -= len;
            }
        }
        ch->next_issue = t;
        r.issued = t;
        return r;
    }

    // Forgets the DRAM reservations that end before `t` (no later request starts before it).
    void forget_before(uint64_t t) {
        for (Calendar& c : m_dram) {
            while (!c.empty() && c.begin()->second < t) c.erase(c.begin());
        }
    }

  private:
    struct Channel {
        uint64_t next_issue = 0;
        // The completions of the bursts in flight: single bursts (ascending), and the last ones
        // of a run (run_of) as a series: burst j of [j0, j1) completes at base + j * per (at most
        // `cap`).
        std::deque<uint64_t> singles;
        uint64_t base = 0, cap = 0, j0 = 0, j1 = 0;
        double per = 0;
        [[nodiscard]] size_t size() const { return singles.size() + (j1 - j0); }
        [[nodiscard]] uint64_t series_next() const {
            return std::min(cap, base + static_cast<uint64_t>(double(j0) * per));
        }
        // The earliest completion in flight (some must be).
        [[nodiscard]] uint64_t earliest() const {
            if (j0 == j1) return singles.front();
            return singles.empty() ? series_next() : std::min(singles.front(), series_next());
        }
        void pop_earliest() {
            if (j0 < j1 && (singles.empty() || series_next() <= singles.front())) {
                ++j0;
            } else {
                singles.pop_front();
            }
        }
        void push(uint64_t done) {
            auto it = singles.end();
            while (it != singles.begin() && *std::prev(it) > done) --it;
            singles.insert(it, done);
        }
    };
    // Whole bursts in a row from which a run is taken in closed form.
    static constexpr uint64_t kRun = 8;

    // One burst of `len` bytes at DRAM offset `far`, issued from cycle t on (t moves past it).
    void burst(Channel& ch, uint64_t far, uint64_t len, bool load, uint64_t& t, Result& r) {
        // One burst per cycle, when one of the channel's slots is free.
        while (ch.size() > 0 && ch.earliest() <= t) ch.pop_earliest();
        if (ch.size() >= m_outstanding) {
            t = std::max(t, ch.earliest());
            ch.pop_earliest();
        }
        const uint64_t issue = t++;
        const uint64_t bank = ceil_cycles(len, m_bank_width);
        const uint64_t earliest = load ? issue : issue + bank;
        if (!load) r.sram_done = std::max(r.sram_done, earliest);
        const uint64_t busy = transfer_cycles(len);
        const uint64_t start = reserve(m_dram[(far / m_burst) % m_dram.size()], earliest, busy);
        const uint64_t done = start + busy + m_latency + (load ? bank : 0);
        ch.push(done);
        r.complete = std::max(r.complete, done);
    }

    // `k` bursts of `len` bytes from the DRAM offset `far`, issued from t on, in their
    // steady state: each DRAM channel takes its share back to back from the first time it is
    // free for all of them; the bursts complete one per max(1 cycle, a burst's DRAM cycles over
    // the channels, a slot's round trip over dma.outstanding) cycles, and the last issues when
    // the one dma.outstanding before it has completed.
    void run_of(Channel& ch, uint64_t far, uint64_t k, uint64_t len, bool load, uint64_t& t,
                Result& r) {
        const uint64_t c = transfer_cycles(len), bank = ceil_cycles(len, m_bank_width);
        const uint64_t tail = m_latency + (load ? bank : 0);
        const uint64_t earliest = load ? t : t + bank;
        const size_t channels = m_dram.size();
        uint64_t first = UINT64_MAX, last = 0;
        for (size_t i = 0; i < channels && i < k; ++i) {
            const uint64_t share = k / channels + (i < k % channels ? 1 : 0);
            const uint64_t s =
                reserve(m_dram[(far / m_burst + i) % channels], earliest + i, share * c);
            first = std::min(first, s);
            last = std::max(last, s + share * c);
        }
        const double per = std::max({1.0, double(c) / double(channels),
                                     double(c + tail + (load ? 0 : bank)) / double(m_outstanding)});
        const auto at = [&](uint64_t j) {  // burst j's completion
            return first + c + tail + static_cast<uint64_t>(double(j) * per);
        };
        const uint64_t complete = std::max(at(k - 1), last + tail);
        uint64_t last_issue = t + k - 1;
        if (k > m_outstanding) last_issue = std::max(last_issue, at(k - 1 - m_outstanding));
        // In flight after it: its last dma.outstanding bursts (those before have completed
        // by the last issue, or hold no slot the next burst could need first).
        ch.singles.clear();
        ch.base = first + c + tail;
        ch.per = per;
        ch.cap = complete;
        ch.j1 = k;
        ch.j0 = k > m_outstanding ? k - m_outstanding : 0;
        if (!load) r.sram_done = std::max(r.sram_done, last_issue + bank);
        r.complete = std::max(r.complete, complete);
        t = last_issue + 1;
    }

    // A DRAM channel's busy intervals [begin, end), disjoint and not touching (program order is
    // not time order: a STORE that waits for its results takes the channel later than the LOADs
    // after it in the program, which fit in the gaps before it).
    using Calendar = std::map<uint64_t, uint64_t>;
    // The first start >= earliest at which `c` is free for `cycles`; reserved.
    static uint64_t reserve(Calendar& c, uint64_t earliest, uint64_t cycles) {
        uint64_t t = earliest;
        auto it = c.upper_bound(t);
        if (it != c.begin()) {
            auto before = std::prev(it);
            t = std::max(t, before->second);
        }
        while (it != c.end() && it->first < t + cycles) {
            t = std::max(t, it->second);
            ++it;
        }
        // [t, t + cycles) lies between std::prev(it) (ends <= t) and it (starts >= t + cycles).
        uint64_t b = t, e = t + cycles;
        if (it != c.end() && it->first == e) {
            e = it->second;
            it = c.erase(it);
        }
        if (it != c.begin()) {
            auto before = std::prev(it);
            if (before->second == b) {
                before->second = e;
                return t;
            }
        }
        c.emplace_hint(it, b, e);
        return t;
    }

    uint64_t transfer_cycles(uint64_t len) const {
        return timing::dram_transfer_cycles(len, m_per_channel);
    }

    uint64_t m_setup, m_burst;
    size_t m_outstanding;
    uint64_t m_bank_width, m_latency;
    double m_per_channel;
    std::vector<Channel> m_channels;
    std::vector<Calendar> m_dram;  // per DRAM channel
};

// A token queue: the cycles its tokens became valid, oldest first.
struct Tokens {
    std::deque<uint64_t> q;
    void push(uint64_t t) { q.push_back(t); }
    uint64_t pop() {
        if (q.empty()) return 0;  // a malformed program; emit() never pops an empty queue
        const uint64_t t = q.front();
        q.pop_front();
        return t;
    }
};

// The array's tiles, issued in order (the compute engine issues each tile no earlier than the
// previous one's start): the fast array model's timing of a tile depends on the previous tile
// only through the previous tile's shape and its stream start, and shifts with both (as
// TileRuns in estimate.h), so the model is asked once per pair of shapes and a COMPUTE's tiles
// of one shape after the first follow one another a fixed step apart.
class ArrayRuns {
  public:
    explicit ArrayRuns(const timing::ArrayGeometry& g) : m_geo(g) {}

    // `count` tiles of `shape`, the first no earlier than `earliest`: the last one's timing.
    timing::TileTiming add(const timing::TileShape& shape, uint64_t count, uint64_t earliest) {
        timing::TileTiming t;
        if (!m_has_prev) {
            t = alone(shape).plan(shape, earliest);
        } else {
            Pair& p = pair(m_prev, shape);
            const uint64_t shift = m_prev_sb - p.prev_t.stream_begin;
            t = shifted(p.model->plan(shape, earliest > shift ? earliest - shift : 0), shift);
        }
        if (count > 1) t = shifted(t, (count - 1) * step(shape));
        m_has_prev = true;
        m_prev = shape;
        m_prev_sb = t.stream_begin;
        return t;
    }

  private:
    struct Pair {
        timing::TileShape prev, shape;
        std::unique_ptr<timing::ArrayModel> model;  // prev issued from cycle 0
        timing::TileTiming prev_t;
    };
    static bool same(const timing::TileShape& a, const timing::TileShape& b) {
        return a.m == b.m && a.k == b.k && a.n == b.n;
    }
    static timing::TileTiming shifted(timing::TileTiming t, uint64_t d) {
        t.start += d;
        t.weight_begin += d;
        t.weight_end += d;
        t.stream_begin += d;
        t.stream_end += d;
        t.out_begin += d;
        t.out_end += d;
        return t;
    }
    timing::ArrayModel& alone(const timing::TileShape&) {
        if (!m_alone) m_alone = timing::make_fast_array(m_geo);
        return *m_alone;
    }
    Pair& pair(const timing::TileShape& prev, const timing::TileShape& shape) {
        for (Pair& p : m_pairs) {
            if (same(p.prev, prev) && same(p.shape, shape)) return p;
        }
        Pair p{prev, shape, timing::make_fast_array(m_geo), {}};
        p.prev_t = p.model->issue(prev, 0, nullptr);
        m_pairs.push_back(std::move(p));
        return m_pairs.back();
    }
    // The stream start of a tile of `shape` right after one of the same shape, minus that one's.
    uint64_t step(const timing::TileShape& shape) {
        Pair& p = pair(shape, shape);
        return p.model->plan(shape, 0).stream_begin - p.prev_t.stream_begin;
    }

    timing::ArrayGeometry m_geo;
    std::unique_ptr<timing::ArrayModel> m_alone;
    std::deque<Pair> m_pairs;
    bool m_has_prev = false;
    timing::TileShape m_prev;
    uint64_t m_prev_sb = 0;
};

}  // namespace

uint64_t schedule_cycles(const isa::Program& p, const cfg::HwConfig& hw) {
    const uint64_t dispatch = static_cast<uint64_t>(std::max(0, hw.controller.dispatch_cycles));
    const size_t depth = static_cast<size_t>(std::max(1, hw.controller.queue_depth));
    const uint64_t lanes = static_cast<uint64_t>(std::max(1, hw.postproc.lanes));
    const uint64_t pipeline = static_cast<uint64_t>(std::max(0, hw.postproc.pipeline_cycles));
    DmaSchedule dma(hw);
    std::unique_ptr<ArrayRuns> arrays[2];
    const auto array = [&](Dataflow df) -> ArrayRuns& {
        auto& a = arrays[df == Dataflow::kWeightStationary ? 0 : 1];
        if (!a) {
            a = std::make_unique<ArrayRuns>(timing::ArrayGeometry{
                hw.array.rows, hw.array.cols, df, hw.array.pipelining, hw.array.timing});
        }
        return *a;
    };
    // Each engine's instructions in program order (load, compute, store), and per instruction
    // its engine and place in that order; SYNC, WAIT and SIGNAL wait for everything before them
    // (a layer's program has them at its end).
    const size_t n = p.instrs.size();
    std::vector<uint32_t> seq[3];
    std::vector<uint8_t> engine_of(n, 3);
    std::vector<uint32_t> place(n, 0);
    for (size_t i = 0; i < n; ++i) {
        const isa::Opcode op = p.instrs[i].op;
        if (op == isa::Opcode::kSync || op == isa::Opcode::kWait || op == isa::Opcode::kSignal) {
            continue;
        }
        const isa::Engine en = isa::engine_of(op);
        const int e = en == isa::Engine::kLoad ? 0 : en == isa::Engine::kCompute ? 1 : 2;
        engine_of[i] = static_cast<uint8_t>(e);
        place[i] = static_cast<uint32_t>(seq[e].size());
        seq[e].push_back(static_cast<uint32_t>(i));
    }
    // The controller's dispatch (known up to `dispatched`), when each engine took each of its
    // instructions (its FIFO slot frees then), when each engine is free, its next instruction.
    std::vector<uint64_t> disp(n, 0);
    size_t dispatched = 0;
    uint64_t last_disp = 0;
    std::vector<uint64_t> taken[3];
    uint64_t free[3] = {0, 0, 0};
    size_t next[3] = {0, 0, 0};
    Tokens spad_free, operands_ready, results_ready, acc_free;
    Tokens* pops[3][2] = {{nullptr, &spad_free},  // load: pop_next
                          {&operands_ready, &acc_free},
                          {&results_ready, nullptr}};
    uint64_t end = 0, steps = 0;
    for (;;) {
        // Dispatch as far as it is known: an instruction enters its engine's FIFO when it is
        // decoded and the engine has taken the one `depth` before it.
        while (dispatched < n) {
            const size_t i = dispatched;
            uint64_t d = last_disp + dispatch;
            const int e = engine_of[i];
            if (e == 3) {  // a barrier: once everything before it has run, when it completed
                bool all = true;
                for (int k = 0; k < 3; ++k) {
                    all = all && (next[k] == seq[k].size() || seq[k][next[k]] > i);
                }
                if (!all) break;
                d = std::max(d, end);
            } else if (place[i] >= depth) {
                const size_t before = place[i] - depth;
                if (before >= taken[e].size()) break;  // not taken yet
                d = std::max(d, taken[e][before]);
            }
            disp[i] = last_disp = d;
            ++dispatched;
        }
        // The engine whose next instruction can start first (dispatched, tokens pushed).
        int pick = -1;
        uint64_t pick_at = 0;
        for (int e = 0; e < 3; ++e) {
            if (next[e] >= seq[e].size()) continue;
            const size_t i = seq[e][next[e]];
            if (i >= dispatched) continue;
            const isa::Deps& dp = p.instrs[i].deps;
            uint64_t at = std::max(free[e], disp[i]);
            bool ready = true;
            for (int k = 0; k < 2; ++k) {
                const bool pops_it = k == 0 ? dp.pop_prev : dp.pop_next;
                Tokens* q = pops[e][k];
                if (!pops_it || q == nullptr) continue;
                if (q->q.empty()) {
                    ready = false;
                } else {
                    at = std::max(at, q->q.front());
                }
            }
            if (ready && (pick < 0 || at < pick_at)) {
                pick = e;
                pick_at = at;
            }
        }
        if (pick < 0) break;  // every instruction is done (or a malformed program)
        const int e = pick;
        const size_t i = seq[e][next[e]++];
        const isa::Instr& in = p.instrs[i];
        taken[e].push_back(std::max(free[e], disp[i]));
        if ((++steps & 63) == 0) dma.forget_before(std::min(free[0], free[2]));
        uint64_t now = pick_at;
        for (int k = 0; k < 2; ++k) {
            const bool pops_it = k == 0 ? in.deps.pop_prev : in.deps.pop_next;
            if (pops_it && pops[e][k] != nullptr) (void)pops[e][k]->pop();
        }
        switch (in.op) {
            case isa::Opcode::kLoad: {
                const DmaSchedule::Result r = dma.run(p.xfer(in), true, now);
                free[e] = r.issued;
                if (in.deps.push_next) operands_ready.push(r.complete);
                end = std::max(end, r.complete);
                break;
            }
            case isa::Opcode::kCompute:
            case isa::Opcode::kVector: {
                uint64_t done = now;
                if (in.op == isa::Opcode::kCompute) {
                    const isa::Compute& c = p.comp(in);
                    const isa::LayerDesc& L = p.layers.at(in.layer);
                    const bool ws = L.dataflow == Dataflow::kWeightStationary;
                    const int cpm = std::max(1, L.cycles_per_mac);
                    ArrayRuns& a = array(L.dataflow);
                    // The engine's tiles (ws: k by array.rows, os: m by array.rows): whole ones,
                    // then the rest; each starts no earlier than the previous one.
                    const int rows = hw.array.rows;
                    const int split = ws ? c.k : c.m;
                    const auto tile = [&](int part) {
                        const timing::TileShape sh = ws ? timing::TileShape{c.m, part, c.n}
                                                        : timing::TileShape{part, c.k, c.n};
                        return timing::scaled_for_precision(sh, ws, cpm);
                    };
                    if (split >= rows) {
                        const timing::TileTiming t =
                            a.add(tile(rows), static_cast<uint64_t>(split / rows), now);
                        now = std::max(now, t.start);
                        done = std::max(done, t.done());
                    }
                    if (split % rows != 0) {
                        const timing::TileTiming t = a.add(tile(split % rows), 1, now);
                        now = std::max(now, t.start);
                        done = std::max(done, t.done());
                    }
                }
                free[e] = now;
                if (in.deps.push_prev) spad_free.push(done);
                if (in.deps.push_next) results_ready.push(done);
                end = std::max(end, done);
                break;
            }
            case isa::Opcode::kPostproc: {
                const isa::Postproc& post = p.post(in);
                const uint64_t busy = ceil_cycles(uint64_t(post.m) * uint64_t(post.n), lanes);
                free[e] = now + pipeline + busy;
                if (in.deps.push_prev) acc_free.push(now + busy);
                end = std::max(end, free[e]);
                break;
            }
            case isa::Opcode::kStore: {
                const DmaSchedule::Result r = dma.run(p.xfer(in), false, now);
                free[e] = std::max(r.issued, r.sram_done);
                if (in.deps.push_prev) acc_free.push(r.sram_done);
                end = std::max(end, r.complete);
                break;
            }
            default:
                break;
        }
    }
    return std::max(end, last_disp);
}

uint64_t scheduled_cycles(const LoweredLayer& x, const ArrayPlan& plan, const cfg::HwConfig& hw) {
    LayerPlan lp;
    lp.ok = true;
    lp.array = plan;
    Emitted trial;
    emit_layer(x, lp, 0, trial);
    return schedule_cycles(trial.program, hw);
}

Estimate scored_estimate(Estimate closed, const LoweredLayer& x, const ArrayPlan& plan,
                         const cfg::HwConfig& hw) {
    closed.cycles = std::max(closed.cycles, scheduled_cycles(x, plan, hw));
    return closed;
}

Estimate scored_estimate(const LoweredLayer& x, const ArrayPlan& plan, const cfg::HwConfig& hw) {
    return scored_estimate(estimate(x, plan, hw), x, plan, hw);
}

}  // namespace npu::compiler

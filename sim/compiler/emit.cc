#include "sim/compiler/emit.h"

#include <algorithm>
#include <initializer_list>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>

#include "sim/compiler/tiling.h"

namespace npu::compiler {
namespace {

// The buffers a schedule tracks (emit.h explains the tokens).
// kPrefetch: the slot a layer's first weights are prefetched into (emit.h), one instance; every
// layer's slot is treated as the same buffer (slots of consecutive layers may overlap).
// kSums: the resident sums of the k-chunks-outermost order (one instance: every pair's, released
// by the last POST of an emit_gemm_k_outer() call).
enum BufKind { kSlab, kWeights, kBias, kInX, kInY, kOut, kAcc, kPrefetch, kSums, kBufKinds };
struct BufRef {
    BufKind kind;
    int inst;
};

// A transfer's far side: `offset` bytes into region `region`.
struct Far {
    uint32_t region = kNoRegion;
    uint64_t offset = 0;
};

// A block of output channels of one repetition (a group or a head): n-block j's channels
// [n0, n0 + n) (the whole n-block unless the plan's core_units cut it).
struct NBlock {
    int64_t j = 0;
    int32_t n0 = 0, n = 0;
};
// Those repetition `rep` runs: every n-block, or under core_units the channels of its units
// there (units of core_units->channels channels, repetition-major, never across an n-block).
std::vector<NBlock> n_blocks_of(const LayerPlan& plan, int64_t rep) {
    const LayerMapping& mp = plan.array.mapping;
    int64_t c0 = 0, c1 = mp.n;
    if (plan.core_units && plan.core_units->partition == Partition::kChannel) {
        const LayerPlan::Units& u = *plan.core_units;
        const int64_t per = ceil_div(mp.n, u.channels), base = rep * per;
        c0 = std::clamp<int64_t>(u.first - base, 0, per) * u.channels;
        c1 = std::min<int64_t>(mp.n,
                               std::clamp<int64_t>(u.first + u.count - base, 0, per) * u.channels);
    }
    std::vector<NBlock> out;
    for (int64_t j = c0 / mp.nb; j * mp.nb < c1; ++j) {
        const int64_t lo = std::max(c0, j * mp.nb);
        const int64_t hi = std::min({c1, (j + 1) * mp.nb, mp.n});
        if (hi > lo) out.push_back({j, static_cast<int32_t>(lo), static_cast<int32_t>(hi - lo)});
    }
    return out;
}

// The repetitions (groups or heads) of an array layer, each of mapping.n_blocks n-blocks.
int64_t array_repeats(const LoweredLayer& x) {
    return x.layer->kind == graph::OpKind::kMatmul ? x.layer->heads : x.groups;
}

// A layer's output rows as the spatial partition splits them: `samples` images (run one after
// the other) of `rows` rows each. Array layers: the rows of the GEMM they map (a conv's output
// image rows, a gemm's or matmul head's M; a batch folded into the rows: the stacked images',
// one sample); pooling and depthwise: output image rows, image by image; add/mul and the row
// ops: the rows of every image (one sample); a reshape: one row (it emits nothing).
struct RowSplit {
    int64_t samples = 1, rows = 1;
};
RowSplit row_split(const LoweredLayer& x) {
    const graph::Layer& l = *x.layer;
    switch (x.cls) {
        case LayerClass::kArray:
            return {x.samples, x.gemm().out_h()};
        case LayerClass::kWindow:
            return {x.samples, l.out_h()};
        case LayerClass::kElementwise:
        case LayerClass::kRows:
            return {1, elements(l.out_shape) / l.out_shape.back() * x.batch};
        case LayerClass::kView:
            return {1, 1};
    }
    return {1, 1};
}

// Rows [r0, r1) of sample `sample`.
struct RowPiece {
    int64_t sample = 0;
    int64_t r0 = 0, r1 = 0;
};
// The rows this core runs, sample by sample: all of them, or under spatial core_units its
// units' rows (units are rows, sample-major; samples without any are left out).
std::vector<RowPiece> row_pieces(const LayerPlan& plan, const RowSplit& split) {
    std::vector<RowPiece> out;
    const bool spatial = plan.core_units && plan.core_units->partition == Partition::kSpatial;
    for (int64_t smp = 0; smp < split.samples; ++smp) {
        int64_t lo = 0, hi = split.rows;
        if (spatial) {
            const LayerPlan::Units& u = *plan.core_units;
            const int64_t base = smp * split.rows;
            lo = std::clamp<int64_t>(u.first - base, 0, split.rows);
            hi = std::clamp<int64_t>(u.first + u.count - base, 0, split.rows);
        }
        if (hi > lo) out.push_back({smp, lo, hi});
    }
    return out;
}
// The plan's blocks of `per_block` rows (from row 0) clipped to rows [r0, r1): how many there
// are, and where the one starting at row `r` ends.
int64_t blocks_in(int64_t r0, int64_t r1, int64_t per_block) {
    return r1 > r0 ? ceil_div(r1, per_block) - r0 / per_block : 0;
}
int64_t block_end(int64_t r, int64_t r1, int64_t per_block) {
    return std::min(r1, (r / per_block + 1) * per_block);
}
// Where the m-block of GEMM `l` (input rows of `row_bytes`) that starts at output row `r` ends,
// for rows [r, r1): the most rows an m-block of the plan holds whose input slab fits the plan's
// slab buffer, at least the plan's block clipped (block_end(), whose slab lies within the plan's
// block's). From a block boundary of the plan that is the plan's block; a core's range that
// starts inside one (spatial) is cut into as few m-blocks as fit, so each core loads the weights
// as few times as it can.
int64_t m_block_end(const graph::Layer& l, const LayerMapping& mp, uint64_t row_bytes, int64_t r,
                    int64_t r1) {
    const int64_t clipped = block_end(r, r1, mp.out_rows_per_block);
    for (int64_t e = std::min(r1, r + mp.out_rows_per_block); e > clipped; --e) {
        const RowSpan slab = slab_rows(l, static_cast<int32_t>(r), static_cast<int32_t>(e));
        if (uint64_t(slab.count) * row_bytes <= mp.slab_bytes) return e;
    }
    return clipped;
}

class Schedule {
  public:
    // `prefetched`: where the previous layer's stream loaded this layer's first weights (emit.h).
    Schedule(Emitted& e, uint16_t layer, std::optional<uint32_t> prefetched)
        : m_e(e), m_p(e.program), m_layer(layer), m_prefetched(prefetched) {
        for (auto& k : m_last_compute_reader) k[0] = k[1] = -1;
        for (auto& k : m_last_store_reader) k[0] = k[1] = -1;
    }

    // A LOAD of `x` (x.dram_addr: the offset into `region`) into a buffer instance.
    void load(const isa::Transfer& x, uint32_t region, BufRef writes) {
        if (m_step_first_load < 0) m_step_first_load = static_cast<int64_t>(m_p.instrs.size());
        m_step_need = std::max(m_step_need, m_last_compute_reader[writes.kind][writes.inst]);
        m_p.xfer(add(isa::Opcode::kLoad)) = x;
        m_e.regions.back() = region;
        m_step_last_load = static_cast<int64_t>(m_p.instrs.size()) - 1;
    }

    // The step's COMPUTE or VECTOR, for the caller to fill in. `writes` is the accumulator or
    // output buffer of the pair (it is claimed by the pair's first step).
    isa::Compute& compute(std::initializer_list<BufRef> reads, BufRef writes) {
        return m_p.comp(step(isa::Opcode::kCompute, reads, writes));
    }
    isa::Vector& vector(std::initializer_list<BufRef> reads, BufRef writes) {
        return m_p.vec(step(isa::Opcode::kVector, reads, writes));
    }

    // A POST of the open pair; `releases` is the buffer it frees for later compute steps.
    void postproc(const isa::Postproc& post, std::optional<BufRef> releases) {
        m_p.post(store_side(isa::Opcode::kPostproc, releases)) = post;
    }

    // A STORE (x.dram_addr: the offset into `region`).
    void store(const isa::Transfer& x, uint32_t region, std::optional<BufRef> releases) {
        m_p.xfer(store_side(isa::Opcode::kStore, releases)) = x;
        m_e.regions.back() = region;
    }

    // Where this layer's first weights were prefetched, once (the first GEMM asks); nothing if
    // they were not.
    std::optional<uint32_t> take_prefetched() { return std::exchange(m_prefetched, std::nullopt); }

    // The next layer's first weights (x.sram_addr: its prefetch slot; tagged with layer `next`),
    // loaded after this layer's loads. It waits for the last compute of this layer that read the
    // slot (this layer's own prefetched weights), like a step's loads; the next layer's computes
    // need no token for it: the barrier that closes this layer waits for it.
    void prefetch(const isa::Transfer& x, uint32_t region, uint16_t next) {
        const int64_t need = m_last_compute_reader[kPrefetch][0];
        const int64_t idx = static_cast<int64_t>(m_p.instrs.size());
        m_e.regions.push_back(region);
        m_p.xfer(m_p.append(isa::Opcode::kLoad, next)) = x;
        if (need > m_load_popped) {
            m_p.instrs[static_cast<size_t>(idx)].deps.pop_next = true;
            m_c2l_pushers.push_back(need);
            m_load_popped = need;
        }
    }

    // Sets the pushes the pops asked for.
    void finish() {
        for (int64_t j : m_c2l_pushers) {
            m_p.instrs[static_cast<size_t>(m_computes[static_cast<size_t>(j)])].deps.push_prev =
                true;
        }
        for (int64_t j : m_s2c_pushers) {
            m_p.instrs[static_cast<size_t>(m_stores[static_cast<size_t>(j)])].deps.push_prev = true;
        }
    }

  private:
    // The step's compute-side instruction.
    isa::Instr& step(isa::Opcode op, std::initializer_list<BufRef> reads, BufRef writes) {
        const int64_t idx = static_cast<int64_t>(m_p.instrs.size());
        add(op);
        const int64_t step = static_cast<int64_t>(m_computes.size());
        m_computes.push_back(idx);
        if (m_step_first_load >= 0) {
            m_p.instrs[static_cast<size_t>(m_step_last_load)].deps.push_next = true;
            m_p.instrs[static_cast<size_t>(idx)].deps.pop_prev = true;
            if (m_step_need > m_load_popped) {
                m_p.instrs[static_cast<size_t>(m_step_first_load)].deps.pop_next = true;
                m_c2l_pushers.push_back(m_step_need);
                m_load_popped = m_step_need;
            }
        }
        if (!m_pair_open) {
            m_pair_open = true;
            const int64_t need = m_last_store_reader[writes.kind][writes.inst];
            if (need > m_compute_popped) {
                m_p.instrs[static_cast<size_t>(idx)].deps.pop_next = true;
                m_s2c_pushers.push_back(need);
                m_compute_popped = need;
            }
        }
        for (const BufRef& r : reads) m_last_compute_reader[r.kind][r.inst] = step;
        m_pair_last_compute = idx;
        m_step_first_load = m_step_last_load = -1;
        m_step_need = -1;
        return m_p.instrs[static_cast<size_t>(idx)];
    }

    // Store side of the open pair.
    isa::Instr& store_side(isa::Opcode op, std::optional<BufRef> releases) {
        const int64_t idx = static_cast<int64_t>(m_p.instrs.size());
        isa::Instr& in = add(op);
        if (m_pair_open) {  // the pair's first store-side instruction waits for its results
            m_p.instrs[static_cast<size_t>(m_pair_last_compute)].deps.push_next = true;
            in.deps.pop_prev = true;
            m_pair_open = false;
        }
        const int64_t sidx = static_cast<int64_t>(m_stores.size());
        m_stores.push_back(idx);
        if (releases) m_last_store_reader[releases->kind][releases->inst] = sidx;
        return m_p.instrs[static_cast<size_t>(idx)];
    }

    isa::Instr& add(isa::Opcode op) {
        m_e.regions.push_back(kNoRegion);
        return m_p.append(op, m_layer);
    }

    Emitted& m_e;
    isa::Program& m_p;
    uint16_t m_layer;
    int64_t m_last_compute_reader[kBufKinds][2];  // compute step index
    int64_t m_last_store_reader[kBufKinds][2];    // store-side instruction index
    std::vector<int64_t> m_computes, m_stores;    // program indices
    std::vector<int64_t> m_c2l_pushers, m_s2c_pushers;
    int64_t m_step_first_load = -1, m_step_last_load = -1, m_step_need = -1;
    int64_t m_load_popped = -1, m_compute_popped = -1;
    bool m_pair_open = false;
    int64_t m_pair_last_compute = -1;
    std::optional<uint32_t> m_prefetched;
};

// Where a GEMM's operands live: regions and offsets into them.
struct GemmIo {
    Far a;                      // slab rows come from here...
    uint64_t a_row_stride = 0;  // ...every a_row_stride bytes, a_row_bytes each
    uint64_t a_row_bytes = 0;
    Far w;                      // pre-tiled weights, or an activation tensor (matmul)
    bool w_pretiled = true;     // [K][nb] blocks per n-block, contiguous per chunk
    uint64_t w_row_stride = 0;  // matmul: B's row stride
    bool w_transposed = false;
    Far bias;
    Far out;
    uint64_t out_row_stride = 0;
    // Fusion: the scratchpad address of A's region (read in place: no slab LOAD) and of the
    // output's (POST writes there: no STORE); see LayerPlan.
    std::optional<uint32_t> a_in_place, out_in_place;
    int32_t c0 = 0;   // first input channel of the group (im2col)
    int32_t oc0 = 0;  // first output channel of the group
    // Element sizes: activations (A, a matmul's B, the output) and one row of n pre-tiled weights.
    uint64_t ab = 1;
    Precision wprec = Precision::kInt8;
    [[nodiscard]] uint64_t wrow(uint64_t n) const { return weight_bytes(wprec, n); }
};

// One m-block of a GEMM: output rows [oh0, oh1) of `l`, i.e. pixels m0.. (m of them), reading
// the input slab rows `slab`.
struct MBlock {
    int64_t m0 = 0;
    int32_t m = 0;
    RowSpan slab;
};
MBlock m_block(const graph::Layer& l, int64_t oh0, int64_t oh1) {
    return {oh0 * l.out_w(), static_cast<int32_t>((oh1 - oh0) * l.out_w()),
            slab_rows(l, static_cast<int32_t>(oh0), static_cast<int32_t>(oh1))};
}

// The LOAD of an m-block's slab, `image_offset` bytes into A, into scratchpad `addr`; returns
// where the slab's first row is: `addr`, or where it lies when A is read in place (no LOAD).
uint32_t load_slab(Schedule& sch, const GemmIo& io, uint64_t image_offset, const MBlock& mb,
                   uint32_t addr, BufRef into) {
    const uint64_t off = io.a.offset + image_offset + uint64_t(mb.slab.first) * io.a_row_stride;
    if (io.a_in_place) return static_cast<uint32_t>(*io.a_in_place + off);
    sch.load({off, io.a_row_stride, addr, static_cast<uint32_t>(io.a_row_bytes),
              static_cast<uint32_t>(mb.slab.count), static_cast<uint32_t>(io.a_row_bytes)},
             io.a.region, into);
    return addr;
}

// The LOAD of the reduction columns k0.. (k of them) of an m-block's slab (every pixel's input
// channels k0..k0 + k): into the slab buffer at `addr` where the whole slab would put them, so a
// COMPUTE of that chunk reads them where it reads a whole slab. Returns where the slab's first
// row is (load_slab()).
uint32_t load_slab_columns(Schedule& sch, const GemmIo& io, const graph::Layer& l, const MBlock& mb,
                           int64_t k0, int32_t k, uint32_t addr, BufRef into) {
    const uint64_t off = io.a.offset + uint64_t(mb.slab.first) * io.a_row_stride;
    if (io.a_in_place) return static_cast<uint32_t>(*io.a_in_place + off);
    const uint64_t pixel = uint64_t(l.in_c) * io.ab;
    sch.load({off + uint64_t(k0) * io.ab, pixel, static_cast<uint32_t>(addr + uint64_t(k0) * io.ab),
              static_cast<uint32_t>(pixel), static_cast<uint32_t>(int64_t{mb.slab.count} * l.in_w),
              static_cast<uint32_t>(uint64_t(k) * io.ab)},
             io.a.region, into);
    return addr;
}

// The LOAD of the biases of channels n0.. (n of them).
void load_bias(Schedule& sch, const GemmIo& io, int32_t n0, int32_t n, uint32_t addr, BufRef into) {
    sch.load({io.bias.offset + uint64_t(io.oc0 + n0) * 4, uint64_t(n) * 4, addr,
              static_cast<uint32_t>(n) * 4, 1, static_cast<uint32_t>(n) * 4},
             io.bias.region, into);
}

// The LOAD of rows k0.. (k of them) of block b's pre-tiled weights: rows of n-block b.j's
// [K][nb] block (every earlier block is full; the last may be narrower), each wrow(width of the
// n-block) bytes, of which the block's channels: the whole row (one contiguous run) unless the
// block is part of its n-block (channel partition; it then starts on a byte).
// (pretiled_rows(): the transfer, its far side an offset into the weights' region, which holds
// the group's weights from `w_offset` on.)
isa::Transfer pretiled_rows(uint64_t w_offset, Precision wprec, const LayerMapping& mp,
                            const NBlock& b, int64_t k0, int32_t k, uint32_t addr) {
    const auto wrow = [wprec](uint64_t n) { return weight_bytes(wprec, n); };
    const int64_t first = b.j * mp.nb;
    const uint64_t row = wrow(uint64_t(std::min<int64_t>(mp.nb, mp.n - first)));
    const uint64_t part = wrow(uint64_t(b.n));
    return {w_offset + uint64_t(b.j) * uint64_t(mp.k) * wrow(uint64_t(mp.nb)) + uint64_t(k0) * row +
                wrow(uint64_t(b.n0 - first)),
            row,
            addr,
            static_cast<uint32_t>(part),
            static_cast<uint32_t>(k),
            static_cast<uint32_t>(part)};
}
void load_pretiled(Schedule& sch, const GemmIo& io, const LayerMapping& mp, const NBlock& b,
                   int64_t k0, int32_t k, uint32_t addr, BufRef into) {
    sch.load(pretiled_rows(io.w.offset, io.wprec, mp, b, k0, k, addr), io.w.region, into);
}

// Where group `grp`'s pre-tiled weights start in the layer's weight region.
uint64_t group_weights_offset(const LoweredLayer& x, int32_t grp) {
    return uint64_t(grp) * x.K * (x.N / uint64_t(x.groups)) * x.w_slot;
}

// The COMPUTE of m-block `mb` x reduction k0.. (k) x channels n0.. (n), from the slab at
// slab_addr and the weights at w_addr into the accumulators at acc_addr (bias at bias_addr).
struct ComputeAt {
    uint32_t slab = 0, w = 0, bias = 0, acc = 0;
};
void fill_compute(isa::Compute& cc, const GemmIo& io, const MBlock& mb, int64_t k0, int32_t k,
                  int32_t n0, int32_t n, const ComputeAt& at, bool accumulate) {
    cc.m0 = mb.m0;
    cc.m = mb.m;
    cc.k0 = k0;
    cc.k = k;
    cc.n0 = n0;
    cc.n = n;
    cc.c0 = io.c0;
    cc.slab_addr = at.slab;
    cc.slab_row0 = mb.slab.first;
    cc.slab_rows = mb.slab.count;
    cc.w_addr = at.w;
    cc.w_transposed = io.w_transposed;
    cc.bias_addr = at.bias;
    cc.acc_addr = at.acc;
    cc.accumulate = accumulate;
}

// POST of the m-block x n-block accumulators at acc into out, and its STORE into the output,
// `image_offset` bytes on. An output written in place is posted where its rows lie (at the
// output's row stride unless n is every channel), without a STORE.
void post_and_store(Schedule& sch, const GemmIo& io, uint64_t image_offset, const MBlock& mb,
                    int32_t n0, int32_t n, uint32_t acc, uint32_t out,
                    std::optional<BufRef> acc_buf) {
    const uint64_t off = io.out.offset + image_offset + uint64_t(mb.m0) * io.out_row_stride +
                         uint64_t(io.oc0 + n0) * io.ab;
    if (io.out_in_place) {
        const uint64_t row = uint64_t(n) * io.ab;
        sch.postproc({acc, static_cast<uint32_t>(*io.out_in_place + off), mb.m, io.oc0 + n0, n,
                      row == io.out_row_stride ? 0 : static_cast<uint32_t>(io.out_row_stride)},
                     acc_buf);
        return;
    }
    sch.postproc({acc, out, mb.m, io.oc0 + n0, n}, acc_buf);
    sch.store({off, io.out_row_stride, out, static_cast<uint32_t>(uint64_t(n) * io.ab),
               static_cast<uint32_t>(mb.m), static_cast<uint32_t>(uint64_t(n) * io.ab)},
              io.out.region, std::nullopt);
}

// The blocks of channels `nbs` only (nothing when none), and output rows [r0, r1) only, in
// m-blocks from r0 on (m_block_end(); every row: the plan's m-blocks).
void emit_gemm(Schedule& sch, const graph::Layer& l, const LayerMapping& mp, const Buffers& buf,
               const GemmIo& io, const std::vector<NBlock>& nbs, int64_t r0, int64_t r1) {
    if (nbs.empty() || r1 <= r0) return;
    const std::optional<uint32_t> pf = sch.take_prefetched();  // the first step's weights
    int64_t s = 0, p = 0, b = 0;
    for (int64_t oh0 = r0, oh1 = 0; oh0 < r1; oh0 = oh1, ++b) {
        oh1 = m_block_end(l, mp, io.a_row_bytes, oh0, r1);
        const MBlock mb = m_block(l, oh0, oh1);
        const BufRef slab_buf{kSlab, static_cast<int>(b % 2)};
        const uint32_t slab = load_slab(sch, io, 0, mb, buf.slab[b % 2], slab_buf);
        for (const NBlock& nbk : nbs) {
            const int32_t n0 = nbk.n0, n = nbk.n;
            const BufRef acc{kAcc, static_cast<int>(p % 2)};
            const BufRef bias{kBias, static_cast<int>(p % 2)};
            for (int64_t c = 0; c < mp.k_chunks; ++c, ++s) {
                const int64_t k0 = c * mp.kb;
                const int32_t k = static_cast<int32_t>(std::min<int64_t>(mp.kb, mp.k - k0));
                const bool pre = pf && s == 0;
                const BufRef w =
                    pre ? BufRef{kPrefetch, 0} : BufRef{kWeights, static_cast<int>(s % 2)};
                const uint32_t w_addr = pre ? *pf : buf.w[s % 2];
                if (c == 0) load_bias(sch, io, n0, n, buf.bias[p % 2], bias);
                if (pre) {
                } else if (io.w_pretiled) {
                    load_pretiled(sch, io, mp, nbk, k0, k, buf.w[s % 2], w);
                } else if (io.w_transposed) {  // B^T rows n0.. hold k0..k0+k
                    sch.load({io.w.offset + uint64_t(n0) * io.w_row_stride + uint64_t(k0) * io.ab,
                              io.w_row_stride, buf.w[s % 2], static_cast<uint32_t>(k * io.ab),
                              static_cast<uint32_t>(n), static_cast<uint32_t>(k * io.ab)},
                             io.w.region, w);
                } else {
                    sch.load({io.w.offset + uint64_t(k0) * io.w_row_stride + uint64_t(n0) * io.ab,
                              io.w_row_stride, buf.w[s % 2], static_cast<uint32_t>(n * io.ab),
                              static_cast<uint32_t>(k), static_cast<uint32_t>(n * io.ab)},
                             io.w.region, w);
                }
                fill_compute(sch.compute({slab_buf, w, bias}, acc), io, mb, k0, k, n0, n,
                             {slab, w_addr, buf.bias[p % 2], buf.acc[p % 2]}, c > 0);
            }
            post_and_store(sch, io, 0, mb, n0, n, buf.acc[p % 2], buf.out[p % 2], acc);
            ++p;
        }
    }
}

// The same GEMM for the images of `pieces` (image s reads A a_image bytes and writes the output
// out_image bytes after image s - 1) with the n-blocks outermost and one k-chunk: each n-block's
// bias and weights are loaded once, then every image's m-blocks load their slab and compute.
// The blocks of channels `nbs` only, and each piece's rows only (emit_gemm()).
void emit_gemm_weights_outer(Schedule& sch, const graph::Layer& l, const LayerMapping& mp,
                             const Buffers& buf, const GemmIo& io,
                             const std::vector<RowPiece>& pieces, uint64_t a_image,
                             uint64_t out_image, const std::vector<NBlock>& nbs) {
    if (nbs.empty() || pieces.empty()) return;
    const std::optional<uint32_t> pf = sch.take_prefetched();  // n-block 0's weights
    int64_t t = 0;  // steps (each loads a slab and computes one pair)
    for (size_t q = 0; q < nbs.size(); ++q) {
        const NBlock& nbk = nbs[q];
        const int32_t n0 = nbk.n0, n = nbk.n;
        const size_t j = q;  // its buffers alternate
        const bool pre = pf && q == 0;
        const BufRef w = pre ? BufRef{kPrefetch, 0} : BufRef{kWeights, static_cast<int>(j % 2)};
        const uint32_t w_addr = pre ? *pf : buf.w[j % 2];
        const BufRef bias{kBias, static_cast<int>(j % 2)};
        bool first = true;  // the n-block's first step loads its bias and weights
        for (const RowPiece& piece : pieces) {
            const uint64_t smp = uint64_t(piece.sample);
            for (int64_t oh0 = piece.r0, oh1 = 0; oh0 < piece.r1; oh0 = oh1, ++t) {
                oh1 = m_block_end(l, mp, io.a_row_bytes, oh0, piece.r1);
                const MBlock mb = m_block(l, oh0, oh1);
                const BufRef slab_buf{kSlab, static_cast<int>(t % 2)};
                const BufRef acc{kAcc, static_cast<int>(t % 2)};
                const uint32_t slab =
                    load_slab(sch, io, smp * a_image, mb, buf.slab[t % 2], slab_buf);
                if (std::exchange(first, false)) {
                    load_bias(sch, io, n0, n, buf.bias[j % 2], bias);
                    if (!pre) {
                        load_pretiled(sch, io, mp, nbk, 0, static_cast<int32_t>(mp.k), buf.w[j % 2],
                                      w);
                    }
                }
                fill_compute(sch.compute({slab_buf, w, bias}, acc), io, mb, 0,
                             static_cast<int32_t>(mp.k), n0, n,
                             {slab, w_addr, buf.bias[j % 2], buf.acc[t % 2]}, false);
                post_and_store(sch, io, smp * out_image, mb, n0, n, buf.acc[t % 2], buf.out[t % 2],
                               acc);
            }
        }
    }
}

// The same GEMM with the k-chunks outermost (ArrayPlan::order kK), for the blocks of channels
// `nbs` and output rows [r0, r1) (m-blocks as emit_gemm()): the biases of the blocks' channels
// are loaded once; then per k-chunk c, per m-block b its slab (double-buffered over the steps)
// and per n-block q a COMPUTE into the pair's own accumulators (Buffers::acc_slot apart), adding
// from the second chunk on. The first m-block of each chunk loads the chunk's weights of n-block
// q right before its COMPUTE, into the chunk's region w[c % 2] (so chunk c + 1 loads while chunk
// c - 1's region is free: the regions alternate), where every later m-block reads them. In the
// last chunk each pair is posted and stored right after its COMPUTE. So each weight is loaded
// once per call (image, group), each slab once per chunk (`columns`, slab_is_columns(): only the
// chunk's columns of it, so every input byte once per call), and every partial sum stays
// resident.
// Tokens: the sums are one buffer (kSums) that only the call's last POST releases, so the next
// call's first COMPUTE waits for it and the pairs of one call never wait for each other.
void emit_gemm_k_outer(Schedule& sch, const graph::Layer& l, const LayerMapping& mp,
                       const Buffers& buf, const GemmIo& io, const std::vector<NBlock>& nbs,
                       int64_t r0, int64_t r1, bool columns) {
    if (nbs.empty() || r1 <= r0) return;
    const std::optional<uint32_t> pf = sch.take_prefetched();  // chunk 0 of the first n-block
    std::vector<MBlock> blocks;
    for (int64_t oh0 = r0, oh1 = 0; oh0 < r1; oh0 = oh1) {
        oh1 = m_block_end(l, mp, io.a_row_bytes, oh0, r1);
        blocks.push_back(m_block(l, oh0, oh1));
    }
    if (blocks.size() > size_t(mp.m_blocks) || nbs.size() > size_t(mp.n_blocks)) {
        throw std::logic_error(
            "compiler: k-chunks outermost with more m-blocks or n-blocks than "
            "the plan's resident sums hold");
    }
    const int32_t n_first = nbs.front().n0;
    const int32_t n_all = nbs.back().n0 + nbs.back().n - n_first;
    const BufRef bias{kBias, 0}, sums{kSums, 0};
    int64_t t = 0, p = 0;  // slabs loaded, pairs posted
    for (int64_t c = 0; c < mp.k_chunks; ++c) {
        const int64_t k0 = c * mp.kb;
        const int32_t k = static_cast<int32_t>(std::min<int64_t>(mp.kb, mp.k - k0));
        const bool last = c + 1 == mp.k_chunks;
        for (size_t b = 0; b < blocks.size(); ++b, ++t) {
            const MBlock& mb = blocks[b];
            const BufRef slab_buf{kSlab, static_cast<int>(t % 2)};
            if (c == 0 && b == 0) load_bias(sch, io, n_first, n_all, buf.bias[0], bias);
            const uint32_t slab =
                columns ? load_slab_columns(sch, io, l, mb, k0, k, buf.slab[t % 2], slab_buf)
                        : load_slab(sch, io, 0, mb, buf.slab[t % 2], slab_buf);
            for (size_t q = 0; q < nbs.size(); ++q) {
                const NBlock& nbk = nbs[q];
                const bool pre = pf && c == 0 && q == 0;
                const BufRef w =
                    pre ? BufRef{kPrefetch, 0} : BufRef{kWeights, static_cast<int>(c % 2)};
                const uint32_t w_addr =
                    pre ? *pf : buf.w[c % 2] + static_cast<uint32_t>(q) * buf.w_block;
                if (b == 0 && !pre) load_pretiled(sch, io, mp, nbk, k0, k, w_addr, w);
                const uint32_t acc =
                    buf.acc[0] + static_cast<uint32_t>(b * size_t(mp.n_blocks) + q) * buf.acc_slot;
                isa::Compute& cc = c == 0 ? sch.compute({slab_buf, w, bias}, sums)
                                          : sch.compute({slab_buf, w}, sums);
                fill_compute(cc, io, mb, k0, k, nbk.n0, nbk.n,
                             {slab, w_addr, buf.bias[0] + uint32_t(nbk.n0 - n_first) * 4, acc},
                             c > 0);
                if (!last) continue;
                const bool final_pair = b + 1 == blocks.size() && q + 1 == nbs.size();
                post_and_store(sch, io, 0, mb, nbk.n0, nbk.n, acc, buf.out[p % 2],
                               final_pair ? std::optional<BufRef>(sums) : std::nullopt);
                ++p;
            }
        }
    }
}

// Conv/gemm (not depthwise), group by group, and matmul, head by head, on the array.
void emit_array(Schedule& sch, const LoweredLayer& x, const LayerPlan& lp) {
    const ArrayPlan& plan = lp.array;
    const graph::Layer& l = *x.layer;
    const LayerMapping& mp = plan.mapping;
    const uint64_t ab = x.ab;
    // Image s of a batch run image by image reads and writes its own part of each tensor.
    const uint64_t a_image = x.in_image_bytes.at(0), out_image = x.out_image_bytes;
    // The rows this core runs, image by image (spatial partition; else all of them).
    const std::vector<RowPiece> pieces = row_pieces(lp, row_split(x));
    if (l.kind != graph::OpKind::kMatmul) {
        const graph::Layer& g = x.gemm();  // the layer, or its images stacked as rows
        // N-blocks outermost: one pass over the groups, each over every piece.
        const bool n_outer = plan.order == LoopOrder::kN;
        const std::vector<RowPiece> passes = n_outer ? std::vector<RowPiece>{RowPiece{}} : pieces;
        for (const RowPiece& pass : passes) {
            const int32_t smp = static_cast<int32_t>(pass.sample);
            for (int32_t grp = 0; grp < x.groups; ++grp) {
                GemmIo io;
                io.ab = ab;
                io.wprec = x.wprec;
                io.a = {x.input_regions.front(), uint64_t(smp) * a_image};
                io.a_row_bytes = io.a_row_stride = uint64_t(l.in_w) * uint64_t(l.in_c) * ab;
                io.w = {x.weight_region, group_weights_offset(x, grp)};
                io.bias = {x.bias_region, 0};
                io.out = {x.output_region, uint64_t(smp) * out_image};
                io.out_row_stride = x.N * ab;
                io.c0 = grp * (l.in_c / x.groups);
                io.oc0 = grp * (l.out_c / x.groups);
                io.a_in_place = lp.in_place_input;
                io.out_in_place = lp.in_place_output;
                const std::vector<NBlock> nbs = n_blocks_of(lp, grp);
                if (n_outer) {
                    emit_gemm_weights_outer(sch, g, mp, plan.buffers, io, pieces, a_image,
                                            out_image, nbs);
                } else if (plan.order == LoopOrder::kK) {
                    emit_gemm_k_outer(sch, g, mp, plan.buffers, io, nbs, pass.r0, pass.r1,
                                      slab_is_columns(g, x.groups));
                } else {
                    emit_gemm(sch, g, mp, plan.buffers, io, nbs, pass.r0, pass.r1);
                }
            }
        }
        return;
    }
    const int64_t H = l.heads, M = l.mm_m, Km = l.mm_k, Nm = l.mm_n;
    const uint64_t b_image = x.in_image_bytes.at(1);
    const bool plan_in_place_a = lp.in_place_input && lp.in_place_index == 0;
    for (const RowPiece& piece : pieces) {
        const int64_t smp = piece.sample;
        for (int64_t h = 0; h < H; ++h) {
            GemmIo io;
            io.ab = ab;
            io.wprec = *x.head.precision;
            io.a_row_bytes = uint64_t(Km) * ab;
            io.a_row_stride = uint64_t(l.a_interleaved ? H * Km : Km) * ab;
            io.a = {x.input_regions.at(0),
                    uint64_t(smp) * a_image + uint64_t(l.a_interleaved ? h * Km : h * M * Km) * ab};
            io.w_pretiled = false;
            io.w_transposed = l.transpose_b;
            const uint64_t b0 = uint64_t(smp) * b_image;
            if (l.transpose_b) {  // B_h stored [Nm][Km]
                io.w_row_stride = uint64_t(l.b_interleaved ? H * Km : Km) * ab;
                io.w = {x.input_regions.at(1),
                        b0 + uint64_t(l.b_interleaved ? h * Km : h * Nm * Km) * ab};
            } else {  // B_h stored [Km][Nm]
                io.w_row_stride = uint64_t(l.b_interleaved ? H * Nm : Nm) * ab;
                io.w = {x.input_regions.at(1),
                        b0 + uint64_t(l.b_interleaved ? h * Nm : h * Km * Nm) * ab};
            }
            io.bias = {x.bias_region, 0};
            if (plan_in_place_a) io.a_in_place = lp.in_place_input;  // A, not interleaved
            io.out_in_place = lp.in_place_output;
            io.out_row_stride = uint64_t(l.out_interleaved ? H * Nm : Nm) * ab;
            io.out = {x.output_region, uint64_t(smp) * out_image +
                                           uint64_t(l.out_interleaved ? h * Nm : h * M * Nm) * ab};
            emit_gemm(sch, x.head, mp, plan.buffers, io, n_blocks_of(lp, h), piece.r0, piece.r1);
        }
    }
}

// add, mul: blocks of rows x column chunks of the last dimension.
void emit_elementwise(Schedule& sch, const LoweredLayer& x, const LayerPlan& lp) {
    const ElementwisePlan& p = lp.elementwise;
    const graph::Layer& l = *x.layer;
    // Fusion: an operand read in place, the output written in place (whole rows: c is len).
    const auto in_place = [&](size_t input) {
        return lp.in_place_input && lp.in_place_index == input ? lp.in_place_input : std::nullopt;
    };
    const std::optional<uint32_t> x_in = in_place(0), y_in = in_place(1);
    const uint64_t ab = x.ab;
    // The batch's images are more rows.
    const int64_t len = l.out_shape.back(), rows = elements(l.out_shape) / len * x.batch;
    const int64_t rb = p.rows_per_block, lc = p.cols_per_block;
    const isa::VectorOp op =
        l.kind == graph::OpKind::kAdd ? isa::VectorOp::kAdd : isa::VectorOp::kMul;
    int64_t s = 0;
    for (const RowPiece& piece : row_pieces(lp, {1, rows})) {  // spatial: this core's rows
        for (int64_t r0 = piece.r0; r0 < piece.r1; r0 = block_end(r0, piece.r1, rb)) {
            const int32_t r = static_cast<int32_t>(block_end(r0, piece.r1, rb) - r0);
            for (int64_t c0 = 0; c0 < len; c0 += lc, ++s) {
                const int32_t c = static_cast<int32_t>(std::min(lc, len - c0));
                const int i = static_cast<int>(s % 2);
                const uint64_t off = uint64_t(r0) * uint64_t(len) + uint64_t(c0);
                const auto xfer = [&](uint32_t spad) {
                    return isa::Transfer{off * ab,
                                         uint64_t(len) * ab,
                                         spad,
                                         static_cast<uint32_t>(uint64_t(c) * ab),
                                         static_cast<uint32_t>(r),
                                         static_cast<uint32_t>(uint64_t(c) * ab)};
                };
                const auto at = [&](const std::optional<uint32_t>& base) {
                    return static_cast<uint32_t>(*base + off * ab);
                };
                if (!x_in) sch.load(xfer(p.x[i]), x.input_regions.at(0), {kInX, i});
                if (!y_in) sch.load(xfer(p.y[i]), x.input_regions.at(1), {kInY, i});
                isa::Vector& v = sch.vector({{kInX, i}, {kInY, i}}, {kAcc, i});
                v.op = op;
                v.x_addr = x_in ? at(x_in) : p.x[i];
                v.y_addr = y_in ? at(y_in) : p.y[i];
                v.rows = r;
                v.len = c;
                v.acc_addr = p.acc[i];
                // (v may dangle once the next instruction is added: nothing below reads it.)
                const uint32_t out = lp.in_place_output ? at(lp.in_place_output) : p.out[i];
                const uint32_t stride =
                    lp.in_place_output && c != len ? static_cast<uint32_t>(uint64_t(len) * ab) : 0;
                sch.postproc({p.acc[i], out, r, static_cast<int32_t>(c0), c, stride},
                             BufRef{kAcc, i});
                if (!lp.in_place_output) sch.store(xfer(p.out[i]), x.output_region, std::nullopt);
            }
        }
    }
}

// Row ops: rows [piece.r0, piece.r1) of `len` elements from region `in` (the plan's blocks
// clipped to them); each row lands at `row * out_stride + out_offset` (elements) of the output.
// Fusion (not concat: whole rows, out_stride len, offset 0): `in_at`, the input read where it
// lies; `out_at`, the output written where it lies (no STORE).
void emit_rows(Schedule& sch, const LoweredLayer& x, const RowsPlan& p, isa::VectorOp op,
               uint32_t in, const RowPiece& piece, int64_t len, uint64_t out_stride,
               uint64_t out_offset, std::optional<uint32_t> in_at = std::nullopt,
               std::optional<uint32_t> out_at = std::nullopt) {
    // Row strides and offsets come in elements; everything below is bytes.
    const uint64_t ab = x.ab;
    const uint64_t row = uint64_t(len) * ab;
    out_stride *= ab;
    out_offset *= ab;
    const int64_t rb = p.rows_per_block;
    int64_t s = 0;
    for (int64_t r0 = piece.r0; r0 < piece.r1; r0 = block_end(r0, piece.r1, rb), ++s) {
        const uint32_t r = static_cast<uint32_t>(block_end(r0, piece.r1, rb) - r0);
        const int i = static_cast<int>(s % 2);
        if (!in_at) {
            sch.load({uint64_t(r0) * row, row, p.x[i], static_cast<uint32_t>(row), r,
                      static_cast<uint32_t>(row)},
                     in, {kInX, i});
        }
        isa::Vector& v = sch.vector({{kInX, i}}, {kOut, i});
        v.op = op;
        v.x_addr = in_at ? static_cast<uint32_t>(*in_at + uint64_t(r0) * row) : p.x[i];
        v.out_addr = out_at ? static_cast<uint32_t>(*out_at + uint64_t(r0) * out_stride) : p.out[i];
        v.rows = static_cast<int32_t>(r);
        v.len = static_cast<int32_t>(len);
        if (out_at) continue;
        sch.store({uint64_t(r0) * out_stride + out_offset, out_stride, p.out[i],
                   static_cast<uint32_t>(row), r, static_cast<uint32_t>(row)},
                  x.output_region, BufRef{kOut, i});
    }
}

// Pooling and depthwise convolution: blocks of output rows read an input slab; channel blocks.
void emit_window(Schedule& sch, const LoweredLayer& x, const LayerPlan& lp) {
    const WindowPlan& p = lp.window;
    const graph::Layer& l = *x.layer;
    const isa::VectorOp op = l.kind == graph::OpKind::kConv2d    ? isa::VectorOp::kDepthwise
                             : l.kind == graph::OpKind::kMaxPool ? isa::VectorOp::kMaxPool
                                                                 : isa::VectorOp::kAvgPool;
    const bool dw = op == isa::VectorOp::kDepthwise;
    const uint64_t ab = x.ab, wb = is_float(x.prec) ? ab : 1;
    const int64_t C = l.in_c, taps = int64_t{l.kernel_h} * l.kernel_w;
    const int64_t nb = p.channels_per_block;
    const int32_t rows_per_block = p.rows_per_block;
    const bool split = p.split;
    const uint32_t in = x.input_regions.front();
    int64_t q = 0;   // channel blocks so far
    int64_t mb = 0;  // row blocks so far (every image's)
    // Image by image, the rows this core runs (spatial partition; else all of them): the plan's
    // blocks clipped to them.
    for (const RowPiece& piece : row_pieces(lp, row_split(x))) {
        const uint64_t in0 = uint64_t(piece.sample) * x.in_image_bytes.at(0);
        const uint64_t out0 = uint64_t(piece.sample) * x.out_image_bytes;
        for (int64_t r = piece.r0; r < piece.r1; r = block_end(r, piece.r1, rows_per_block), ++mb) {
            const int32_t oh0 = static_cast<int32_t>(r);
            const int32_t oh1 = static_cast<int32_t>(block_end(r, piece.r1, rows_per_block));
            const RowSpan slab = slab_rows(l, oh0, oh1);
            const uint64_t row_bytes = uint64_t(l.in_w) * uint64_t(C) * ab;
            for (int64_t n0 = 0; n0 < C; n0 += nb, ++q) {
                const int32_t n = static_cast<int32_t>(std::min(nb, C - n0));
                const int i = static_cast<int>(q % 2);
                const int slab_i = split ? i : static_cast<int>(mb % 2);
                const BufRef slab_buf{kSlab, slab_i};
                // Fusion: the slab read where its rows lie (whole rows: not split).
                uint32_t slab_addr = p.slab[slab_i];
                if (lp.in_place_input) {
                    slab_addr = static_cast<uint32_t>(*lp.in_place_input + in0 +
                                                      uint64_t(slab.first) * row_bytes);
                } else if (split) {  // pixels of the slab rows, channels n0..n0+n each
                    const uint64_t px = uint64_t(slab.count) * uint64_t(l.in_w);
                    sch.load(
                        {in0 + (uint64_t(slab.first) * uint64_t(l.in_w) * uint64_t(C) +
                                uint64_t(n0)) *
                                   ab,
                         uint64_t(C) * ab, p.slab[slab_i], static_cast<uint32_t>(uint64_t(n) * ab),
                         static_cast<uint32_t>(px), static_cast<uint32_t>(uint64_t(n) * ab)},
                        in, slab_buf);
                } else if (n0 == 0) {
                    sch.load({in0 + uint64_t(slab.first) * row_bytes, row_bytes, p.slab[mb % 2],
                              static_cast<uint32_t>(row_bytes), static_cast<uint32_t>(slab.count),
                              static_cast<uint32_t>(row_bytes)},
                             in, slab_buf);
                }
                if (dw) {  // weights [C][kh*kw] and folded biases, channels n0..n0+n
                    sch.load({uint64_t(n0 * taps) * wb, uint64_t(n * taps) * wb, p.w[i],
                              static_cast<uint32_t>(uint64_t(n * taps) * wb), 1,
                              static_cast<uint32_t>(uint64_t(n * taps) * wb)},
                             x.weight_region, {kWeights, i});
                    sch.load({uint64_t(n0) * 4, uint64_t(n) * 4, p.bias[i],
                              static_cast<uint32_t>(n) * 4, 1, static_cast<uint32_t>(n) * 4},
                             x.bias_region, {kBias, i});
                }
                isa::Vector& v = dw ? sch.vector({slab_buf, {kWeights, i}, {kBias, i}}, {kAcc, i})
                                    : sch.vector({slab_buf}, {kAcc, i});
                const int32_t m = static_cast<int32_t>(int64_t{oh1 - oh0} * l.out_w());
                v.op = op;
                v.m0 = int64_t{oh0} * l.out_w();
                v.m = m;
                v.n0 = static_cast<int32_t>(n0);
                v.n = n;
                v.slab_addr = slab_addr;
                v.slab_row0 = slab.first;
                v.slab_rows = slab.count;
                if (split) {
                    v.slab_c = n;
                    v.slab_c0 = static_cast<int32_t>(n0);
                }
                v.acc_addr = p.acc[i];
                v.w_addr = p.w[i];
                v.bias_addr = p.bias[i];
                // (v may dangle once the next instruction is added: nothing below reads it.)
                const uint64_t out_off =
                    out0 +
                    (uint64_t(int64_t{oh0} * l.out_w()) * uint64_t(l.out_c) + uint64_t(n0)) * ab;
                if (lp.in_place_output) {  // at the output's row stride unless n is every channel
                    sch.postproc({p.acc[i], static_cast<uint32_t>(*lp.in_place_output + out_off), m,
                                  static_cast<int32_t>(n0), n,
                                  n == l.out_c ? 0 : static_cast<uint32_t>(uint64_t(l.out_c) * ab)},
                                 BufRef{kAcc, i});
                    continue;
                }
                sch.postproc({p.acc[i], p.out[i], m, static_cast<int32_t>(n0), n}, BufRef{kAcc, i});
                sch.store({out_off, uint64_t(l.out_c) * ab, p.out[i],
                           static_cast<uint32_t>(uint64_t(n) * ab), static_cast<uint32_t>(m),
                           static_cast<uint32_t>(uint64_t(n) * ab)},
                          x.output_region, std::nullopt);
            }
        }
    }
}

void emit_body(Schedule& sch, const LoweredLayer& x, const LayerPlan& plan) {
    const graph::Layer& l = *x.layer;
    // Another core's share (channel partition): a one-unit layer this core does not run.
    if (x.cls != LayerClass::kArray && plan.core_units && plan.core_units->count == 0) return;
    switch (x.cls) {
        case LayerClass::kArray:
            emit_array(sch, x, plan);
            return;
        case LayerClass::kElementwise:
            emit_elementwise(sch, x, plan);
            return;
        case LayerClass::kWindow:
            emit_window(sch, x, plan);
            return;
        case LayerClass::kRows: {
            const int64_t total = l.out_shape.back();
            // Every image's rows, or this core's (spatial partition): one piece or none.
            const std::vector<RowPiece> pieces = row_pieces(plan, row_split(x));
            if (pieces.empty()) return;
            const RowPiece& rows = pieces.front();
            if (l.kind != graph::OpKind::kConcat) {
                const isa::VectorOp op =
                    l.kind == graph::OpKind::kSoftmax     ? isa::VectorOp::kSoftmax
                    : l.kind == graph::OpKind::kLayerNorm ? isa::VectorOp::kLayerNorm
                    : l.kind == graph::OpKind::kRmsNorm   ? isa::VectorOp::kRmsNorm
                                                          : isa::VectorOp::kLut;
                emit_rows(sch, x, plan.rows.front(), op, x.input_regions.front(), rows, total,
                          uint64_t(total), 0, plan.in_place_input, plan.in_place_output);
                return;
            }
            int64_t offset = 0;
            for (size_t i = 0; i < x.input_regions.size(); ++i) {
                const int64_t len = x.concat_lens[i];
                emit_rows(sch, x, plan.rows[i], isa::VectorOp::kCopy, x.input_regions[i], rows, len,
                          uint64_t(total), uint64_t(offset));
                offset += len;
            }
            return;
        }
        case LayerClass::kView:
            return;
    }
}

}  // namespace

LayerPlan::Units core_share(const LoweredLayer& x, const LayerPlan& plan, int32_t array_cols,
                            int core, int cores, Partition partition) {
    LayerPlan::Units u;
    u.partition = partition;
    int64_t units = 1;
    if (partition == Partition::kSpatial) {
        if (plan.ok) {
            const RowSplit split = row_split(x);
            units = split.samples * split.rows;
        }
    } else if (plan.ok && x.cls == LayerClass::kArray) {
        const LayerMapping& mp = plan.array.mapping;
        // The array's columns, where they tile an n-block and start on a byte (int4 weights hold
        // two per byte); else whole n-blocks.
        u.channels =
            array_cols > 0 && mp.nb % array_cols == 0 && array_cols % 2 == 0 ? array_cols : mp.nb;
        units = array_repeats(x) * ceil_div(mp.n, u.channels);
    }
    const Share mine = split_evenly(units, cores).at(static_cast<size_t>(core));
    u.first = mine.first;
    u.count = mine.count;
    return u;
}

uint64_t share_of_macs(const LoweredLayer& x, const LayerPlan& plan, uint64_t macs) {
    if (!plan.core_units) return macs;
    if (plan.core_units->partition == Partition::kSpatial) {
        // MACs are linear in the output rows: each of the samples x rows does an equal part.
        const RowSplit split = row_split(x);
        const uint64_t rows = uint64_t(split.samples) * uint64_t(split.rows);
        if (rows == 0 || macs % rows != 0) {
            throw std::logic_error("compiler: layer '" + x.layer->name + "' has " +
                                   std::to_string(macs) + " MACs, not a multiple of its " +
                                   std::to_string(rows) + " output rows");
        }
        return macs / rows * uint64_t(plan.core_units->count);
    }
    if (x.cls != LayerClass::kArray) return plan.core_units->count > 0 ? macs : 0;
    // MACs are linear in the output channels: each repetition's mp.n channels do macs / (reps
    // x mp.n) each.
    const LayerMapping& mp = plan.array.mapping;
    const uint64_t channels = uint64_t(array_repeats(x)) * uint64_t(mp.n);
    if (channels == 0 || macs % channels != 0) {
        throw std::logic_error("compiler: layer '" + x.layer->name + "' has " +
                               std::to_string(macs) + " MACs, not a multiple of its " +
                               std::to_string(channels) + " output channels");
    }
    uint64_t mine = 0;
    for (int64_t r = 0; r < array_repeats(x); ++r) {
        for (const NBlock& b : n_blocks_of(plan, r)) mine += uint64_t(b.n);
    }
    return macs / channels * mine;
}

namespace {
// The group and block of channels of the first GEMM step this core runs (emit_array(): the first
// group with channels of the plan's core_units, its first block; every core of a spatial split
// runs every channel), if it runs one: a core without rows (spatial) or channels of the layer
// has none.
std::optional<std::pair<int32_t, NBlock>> first_block(const LoweredLayer& x,
                                                      const LayerPlan& plan) {
    if (row_pieces(plan, row_split(x)).empty()) return std::nullopt;
    for (int32_t grp = 0; grp < x.groups; ++grp) {
        const std::vector<NBlock> nbs = n_blocks_of(plan, grp);
        if (!nbs.empty()) return std::make_pair(grp, nbs.front());
    }
    return std::nullopt;
}
}  // namespace

std::optional<isa::Transfer> first_weights(const LoweredLayer& x, const LayerPlan& plan) {
    if (!plan.ok || x.cls != LayerClass::kArray || x.layer->kind == graph::OpKind::kMatmul ||
        x.weight_region == kNoRegion) {
        return std::nullopt;
    }
    // load_pretiled() of the first block of channels this core runs (one core: n-block 0 of
    // group 0), rows 0..: its first k-chunk (m- or k-chunks outermost), or the whole K when the
    // n-blocks are outermost.
    const LayerMapping& mp = plan.array.mapping;
    const int64_t k = plan.array.order == LoopOrder::kN ? mp.k : std::min<int64_t>(mp.kb, mp.k);
    const std::optional<std::pair<int32_t, NBlock>> first = first_block(x, plan);
    if (!first) return std::nullopt;  // no share of the layer: no first step
    return pretiled_rows(group_weights_offset(x, first->first), x.wprec, mp, first->second, 0,
                         static_cast<int32_t>(k), 0);
}

void emit_layer(const LoweredLayer& x, const LayerPlan& plan, uint16_t index, Emitted& out,
                std::optional<uint32_t> prefetched, const Prefetch* next) {
    isa::LayerDesc d = x.desc;
    if (plan.ok) {
        d.mapping = plan.summary;
        if (x.cls == LayerClass::kArray) d.dataflow = plan.array.dataflow;
        if (plan.core_units) d.macs = share_of_macs(x, plan, d.macs);
    }
    out.program.layers.push_back(std::move(d));
    Schedule sch(out, index, plan.ok ? prefetched : std::nullopt);
    if (plan.ok) emit_body(sch, x, plan);
    if (next != nullptr) sch.prefetch(next->load, next->region, next->layer);
    sch.finish();
}

isa::InstrCounts instruction_count(const LoweredLayer& x, const LayerPlan& plan) {
    isa::InstrCounts n;
    if (!plan.ok) return n;
    if (x.cls != LayerClass::kArray && plan.core_units && plan.core_units->count == 0) return n;
    const graph::Layer& l = *x.layer;
    const auto blocks = [](int64_t total, int64_t per_block) {
        return uint64_t(ceil_div(total, per_block));
    };
    switch (x.cls) {
        case LayerClass::kArray: {
            // Per repetition (image, group or head): per m-block its slab LOAD; per n-block the
            // bias LOAD, per k-chunk the weights' LOAD and a COMPUTE, then POST and STORE.
            // N-blocks outermost (one k-chunk), per group: per n-block the bias and weights'
            // LOADs, then per image and m-block a slab LOAD, COMPUTE, POST and STORE.
            // Fusion: an input read in place has no slab LOADs, an output written in place no
            // STOREs (one per POST).
            // Channel partition: only the n-blocks of the plan's core_units, and only the
            // repetitions (groups, heads) that have one load their slabs. Spatial: the m-blocks
            // of the core's rows of each image (m_block_end(); one core: the plan's m_blocks).
            const LayerMapping& mp = plan.array.mapping;
            uint64_t m_blocks_all = 0;  // every image's m-blocks this core runs
            const graph::Layer& g = x.gemm();
            const uint64_t row_bytes = uint64_t(g.in_w) * uint64_t(g.in_c) * x.ab;
            for (const RowPiece& piece : row_pieces(plan, row_split(x))) {
                for (int64_t r = piece.r0; r < piece.r1; ++m_blocks_all) {
                    r = m_block_end(g, mp, row_bytes, r, piece.r1);
                }
            }
            const uint64_t no_slab = plan.in_place_input ? 1 : 0;
            const uint64_t no_store = plan.in_place_output ? 1 : 0;
            uint64_t touched = 0, units = 0;  // repetitions with a block; their blocks
            for (int64_t r = 0; r < array_repeats(x); ++r) {
                const size_t b = n_blocks_of(plan, r).size();
                touched += b > 0 ? 1 : 0;
                units += b;
            }
            if (plan.array.order == LoopOrder::kK) {
                // K-chunks outermost, per image piece and repetition with a block: one bias
                // LOAD, per k-chunk each n-block's weights' LOAD and each m-block's slab LOAD,
                // per k-chunk a COMPUTE per pair, then one POST and STORE per pair.
                const uint64_t pieces = row_pieces(plan, row_split(x)).size();
                const uint64_t chunks = uint64_t(mp.k_chunks);
                const uint64_t pairs = units * m_blocks_all;
                n.transfers = pieces * (touched + units * chunks) +
                              (1 - no_slab) * chunks * touched * m_blocks_all +
                              (1 - no_store) * pairs;
                n.computes = chunks * pairs;
                n.posts = pairs;
                return n;
            }
            if (plan.array.order == LoopOrder::kN) {
                const uint64_t n_blocks = m_blocks_all > 0 ? units : 0;
                const uint64_t steps = n_blocks * m_blocks_all;
                n.transfers = 2 * n_blocks + (2 - no_slab - no_store) * steps;
                n.computes = n.posts = steps;
                return n;
            }
            const uint64_t m_blocks = touched * m_blocks_all;
            const uint64_t n_blocks = units * m_blocks_all;
            n.transfers =
                (1 - no_slab) * m_blocks + n_blocks * (2 - no_store + uint64_t(mp.k_chunks));
            n.computes = n_blocks * uint64_t(mp.k_chunks);
            n.posts = n_blocks;
            return n;
        }
        case LayerClass::kElementwise: {  // LOAD x, LOAD y, VECTOR, POST, STORE per block
            // (fusion: no LOAD of an operand read in place, no STORE of an output written so)
            // (spatial: the blocks of rows clipped to the core's rows)
            const ElementwisePlan& p = plan.elementwise;
            const int64_t len = l.out_shape.back();
            uint64_t row_blocks = 0;
            for (const RowPiece& piece : row_pieces(plan, row_split(x))) {
                row_blocks += uint64_t(blocks_in(piece.r0, piece.r1, p.rows_per_block));
            }
            const uint64_t b = row_blocks * blocks(len, p.cols_per_block);
            n.transfers = (3 - (plan.in_place_input ? 1 : 0) - (plan.in_place_output ? 1 : 0)) * b;
            n.vectors = n.posts = b;
            return n;
        }
        case LayerClass::kRows: {  // LOAD, VECTOR, STORE per block of rows, for every input
            // (fusion: no LOAD of an input read in place, no STORE of an output written so;
            // spatial: the blocks clipped to the core's rows)
            const std::vector<RowPiece> pieces = row_pieces(plan, row_split(x));
            const uint64_t per_block =
                2 - (plan.in_place_input ? 1 : 0) - (plan.in_place_output ? 1 : 0);
            for (const RowsPlan& p : plan.rows) {
                uint64_t b = 0;
                for (const RowPiece& piece : pieces) {
                    b += uint64_t(blocks_in(piece.r0, piece.r1, p.rows_per_block));
                }
                n.transfers += per_block * b;
                n.vectors += b;
            }
            return n;
        }
        case LayerClass::kWindow: {
            // Per block of rows its slab LOAD (split: per channel block); per channel block the
            // depthwise weights' and biases' LOADs, VECTOR, POST, STORE.
            // (spatial: the blocks clipped to the core's rows of each image)
            const WindowPlan& p = plan.window;
            uint64_t row_blocks = 0;
            for (const RowPiece& piece : row_pieces(plan, row_split(x))) {
                row_blocks += uint64_t(blocks_in(piece.r0, piece.r1, p.rows_per_block));
            }
            const uint64_t channel_blocks = row_blocks * blocks(l.in_c, p.channels_per_block);
            // Fusion: no slab LOAD when the input is read in place (never split), no STORE when
            // the output is written in place.
            const uint64_t loads_per_channel_block =
                (l.kind == graph::OpKind::kConv2d ? 2 : 0) + (p.split ? 1 : 0);
            n.transfers =
                channel_blocks * (loads_per_channel_block + (plan.in_place_output ? 0 : 1)) +
                (p.split || plan.in_place_input ? 0 : row_blocks);
            n.vectors = n.posts = channel_blocks;
            return n;
        }
        case LayerClass::kView:
            return n;
    }
    return n;
}

Emitted emit(const Lowered& lowered, const std::vector<LayerPlan>& plans,
             const std::vector<FusionGroup>& groups,
             const std::vector<std::optional<uint32_t>>& prefetch_slots) {
    Emitted out;
    isa::Program& p = out.program;
    p.layers.reserve(lowered.layers.size());
    const size_t n_layers = lowered.layers.size();
    std::vector<isa::InstrCounts> counted(n_layers);
    isa::InstrCounts total;
    total.syncs = n_layers;
    for (size_t li = 0; li < n_layers; ++li) {
        counted[li] = instruction_count(lowered.layers[li], plans[li]);
        total += counted[li];
    }
    p.reserve(total);
    out.regions.reserve(total.total());
    const auto slot = [&](size_t li) {
        return li < prefetch_slots.size() ? prefetch_slots[li] : std::nullopt;
    };
    for (size_t gi = 0; gi < groups.size(); ++gi) {
        const FusionGroup& g = groups[gi];
        // The next group's first layer, when its first weights are prefetched: loaded in this
        // group's last layer's stream, before the barrier.
        std::optional<Prefetch> next;
        if (gi + 1 < groups.size()) {
            const size_t nl = groups[gi + 1].first;
            const std::optional<isa::Transfer> w = first_weights(lowered.layers[nl], plans[nl]);
            if (slot(nl) && w) {
                next = Prefetch{*w, lowered.layers[nl].weight_region, static_cast<uint16_t>(nl)};
                next->load.sram_addr = *slot(nl);
            }
        }
        for (size_t li = g.first; li <= g.last; ++li) {
            const bool pre = li == g.first && gi > 0 && slot(li) &&
                             first_weights(lowered.layers[li], plans[li]).has_value();
            emit_layer(lowered.layers[li], plans[li], static_cast<uint16_t>(li), out,
                       pre ? slot(li) : std::nullopt, li == g.last && next ? &*next : nullptr);
            // Every layer of a group ends with its barrier too (emit.h).
            p.append(isa::Opcode::kSync, static_cast<uint16_t>(li));
            out.regions.push_back(kNoRegion);
        }
    }
    // Every layer's instructions (wherever they sit in the stream) are instruction_count() many.
    std::vector<isa::InstrCounts> emitted(n_layers);
    for (const isa::Instr& in : p.instrs) {
        if (in.op != isa::Opcode::kSync) ++emitted[in.layer].of(in.op);
    }
    for (size_t li = 0; li < n_layers; ++li) {
        if (emitted[li] != counted[li]) {
            const auto str = [](const isa::InstrCounts& c) {
                return std::to_string(c.transfers) + " transfers, " + std::to_string(c.computes) +
                       " computes, " + std::to_string(c.vectors) + " vectors, " +
                       std::to_string(c.posts) + " posts";
            };
            throw std::logic_error("compiler: layer '" + lowered.layers[li].layer->name +
                                   "' emitted " + str(emitted[li]) + ", instruction_count() says " +
                                   str(counted[li]));
        }
    }
    return out;
}

void mark_layer_ends(isa::Program& program) {
    isa::Instr* last = nullptr;
    for (isa::Instr& in : program.instrs) {
        if (in.op != isa::Opcode::kSync) continue;
        in.payload = isa::kSyncLayerEnd;
        last = &in;
    }
    if (last != nullptr) last->payload = isa::kSyncBarrier;
    program.dependency_table = true;
}

}  // namespace npu::compiler

#include "sim/compiler/compiler.h"

#include <algorithm>
#include <cstring>
#include <map>
#include <sstream>

#include "sim/config/config_loader.h"
#include "sim/core/error.h"
#include "sim/graph/float32_requant.h"
#include "sim/timing/array_model.h"

namespace npu::compiler {
namespace {

// The config keys a layer that does not fit would need changed, where they were set.
std::string grow_srams_hint(const cfg::HwConfig& hw) {
    return "; to fit it, raise " + cfg::describe_key(hw, "scratchpad.size") + " or " +
           cfg::describe_key(hw, "accumulator.size");
}

constexpr uint64_t kDramAlign = 64;
constexpr uint32_t kSramAlign = 64;

uint64_t align_up(uint64_t v, uint64_t a) { return (v + a - 1) / a * a; }
int64_t ceil_div(int64_t a, int64_t b) { return (a + b - 1) / b; }

// Input rows [first, last] (unclipped) that output rows [oh0, oh1) read.
struct RowSpan {
    int32_t first = 0;
    int32_t count = 0;
};
RowSpan slab_rows(const graph::Layer& l, int32_t oh0, int32_t oh1) {
    const int32_t lo = std::max(0, oh0 * l.stride_h - l.pad_top);
    const int32_t hi =
        std::min(l.in_h, (oh1 - 1) * l.stride_h - l.pad_top + (l.kernel_h - 1) * l.dilation_h + 1);
    // A block lying wholly in the padding still gets a one-row slab, so every step has a load.
    if (hi <= lo) return {std::min(lo, l.in_h - 1), 1};
    return {lo, hi - lo};
}

uint32_t max_slab_bytes(const graph::Layer& l, int32_t rows_per_block, uint64_t elem_bytes) {
    int32_t worst = 0;
    for (int32_t oh0 = 0; oh0 < l.out_h(); oh0 += rows_per_block) {
        worst = std::max(worst, slab_rows(l, oh0, std::min(l.out_h(), oh0 + rows_per_block)).count);
    }
    return static_cast<uint32_t>(uint64_t(int64_t{worst} * l.in_w * l.in_c) * elem_bytes);
}

uint32_t aligned(uint64_t bytes) { return static_cast<uint32_t>(align_up(bytes, kSramAlign)); }

// "4 output rows of 56 pixels"
std::string out_rows_text(int32_t rows, int32_t width) {
    return std::to_string(rows) + " output row" + (rows == 1 ? "" : "s") + " of " +
           std::to_string(width) + " pixels";
}

uint64_t spad_need(const LayerMapping& mp) {
    return 2 * (uint64_t{aligned(mp.slab_bytes)} + aligned(mp.w_bytes) + aligned(mp.bias_bytes) +
                aligned(mp.out_bytes));
}

}  // namespace

// Scratchpad placement of one layer's double buffers. What runs at the same time: the array
// reads slab[b] and w[s] while the load engine fills w[s+1] (and, at block boundaries, slab[b+1]
// and the next bias), and the store engine writes and reads out[p]. Buffers used at the same
// time should sit in different banks, or they compete for the bank ports.
//   kBankExclusive: slab0 | slab1 | w0 + bias0 + out0 | w1 + bias1 + out1, each group starting on
//                   a bank boundary in banks of its own.
//   kHalves:        every ping buffer in the lower half of the banks, every pong buffer in the
//                   upper half (Gemmini's software uses this split).
//   kPacked:        one after another.
std::optional<Buffers> place(const LayerMapping& mp, const cfg::HwConfig& hw, Placement how) {
    Buffers b;
    const uint64_t size = hw.scratchpad.size_bytes;
    const uint64_t banks = static_cast<uint64_t>(hw.scratchpad.banks);
    const uint64_t bank = size / banks;
    b.acc[0] = 0;
    b.acc[1] = hw.accumulator.banks % 2 == 0 ? static_cast<uint32_t>(hw.accumulator.size_bytes / 2)
                                             : aligned(mp.acc_bytes);
    if (uint64_t{b.acc[1]} + mp.acc_bytes > hw.accumulator.size_bytes) return std::nullopt;
    switch (how) {
        case Placement::kBankExclusive: {
            uint64_t at = 0;  // next free bank boundary
            auto group = [&](std::initializer_list<std::pair<uint32_t*, uint32_t>> parts) {
                uint64_t cursor = at;
                for (const auto& [addr, bytes] : parts) {
                    *addr = static_cast<uint32_t>(cursor);
                    cursor += aligned(bytes);
                }
                at = align_up(cursor, bank);
            };
            group({{&b.slab[0], mp.slab_bytes}});
            group({{&b.slab[1], mp.slab_bytes}});
            group({{&b.w[0], mp.w_bytes}, {&b.bias[0], mp.bias_bytes}, {&b.out[0], mp.out_bytes}});
            group({{&b.w[1], mp.w_bytes}, {&b.bias[1], mp.bias_bytes}, {&b.out[1], mp.out_bytes}});
            if (at > size) return std::nullopt;
            return b;
        }
        case Placement::kHalves:
        case Placement::kPacked: {
            const bool split = how == Placement::kHalves;
            if (split && banks % 2 != 0) return std::nullopt;
            uint64_t at[2] = {0, split ? size / 2 : 0};
            const uint64_t limit[2] = {split ? size / 2 : size, size};
            for (int i = 0; i < 2; ++i) {
                uint64_t& cursor = at[split ? i : 0];
                for (auto [addr, bytes] :
                     {std::pair{&b.slab[i], mp.slab_bytes}, std::pair{&b.w[i], mp.w_bytes},
                      std::pair{&b.bias[i], mp.bias_bytes}, std::pair{&b.out[i], mp.out_bytes}}) {
                    *addr = static_cast<uint32_t>(cursor);
                    cursor += aligned(bytes);
                }
                if (cursor > limit[split ? i : 1]) return std::nullopt;
            }
            return b;
        }
    }
    return std::nullopt;
}

const char* to_string(Placement p) {
    switch (p) {
        case Placement::kBankExclusive:
            return "bank-exclusive";
        case Placement::kHalves:
            return "halves";
        case Placement::kPacked:
            return "packed";
    }
    return "?";
}

std::string LayerMapping::summary(Dataflow df) const {
    std::ostringstream os;
    os << to_string(df) << (pinned_dataflow ? " (pinned)" : "") << " m-block " << mb << " ("
       << out_rows_per_block << " out rows" << (pinned_rows ? ", pinned" : "") << ") x n-block "
       << nb << " x k-chunk " << kb << (pinned_k ? " (pinned)" : "") << "; " << m_blocks << "x"
       << n_blocks << "x" << k_chunks << " blocks; spad 2x(slab " << slab_bytes << " + w "
       << w_bytes << " + bias " << bias_bytes << " + out " << out_bytes << ") B, acc 2x"
       << acc_bytes << " B";
    return os.str();
}

Precision precision_of(const graph::Layer& l, const cfg::HwConfig& hw) {
    return l.precision.value_or(hw.precision);
}

std::optional<Dataflow> pinned_dataflow(const graph::Layer& l, const cfg::HwConfig& hw) {
    if (!l.pin_dataflow) return std::nullopt;
    if (!hw.array.both_dataflows && *l.pin_dataflow != hw.array.dataflow) {
        throw UserError(
            Diagnostic{"", 0, 0, "",
                       "layer '" + l.name + "' pins dataflow " + to_string(*l.pin_dataflow) +
                           " but the array is " + to_string(hw.array.dataflow) +
                           "-only: " + cfg::describe_key(hw, "array.dataflow") +
                           " would have to be " + to_string(*l.pin_dataflow) + " or both"});
    }
    return l.pin_dataflow;
}

LayerMapping choose_mapping(const graph::Layer& l, const cfg::HwConfig& hw,
                            const MappingLimits& limits) {
    LayerMapping mp;
    // A grouped convolution maps one group at a time (the slab still holds every channel).
    const int32_t groups = std::max(1, l.groups);
    mp.m = l.out_pixels();
    mp.k = int64_t{l.kernel_h} * l.kernel_w * (l.in_c / groups);
    mp.n = l.out_c / groups;
    const int32_t rows = hw.array.rows;
    mp.nb = static_cast<int32_t>(std::min<int64_t>(hw.array.cols, mp.n));
    const int32_t out_w = l.out_w();
    const Precision prec = precision_of(l, hw);
    const uint64_t ab = act_bytes(prec);
    const auto set_rows = [&](int32_t r) {
        mp.out_rows_per_block = r;
        mp.mb = int64_t{r} * out_w;
        mp.slab_bytes = max_slab_bytes(l, r, ab);
        mp.out_bytes = static_cast<uint32_t>(uint64_t(mp.mb * mp.nb) * ab);
        mp.acc_bytes = static_cast<uint32_t>(mp.mb * mp.nb * 4);
    };
    const auto set_kb = [&](int64_t kb) {
        mp.kb = kb;
        mp.w_bytes = static_cast<uint32_t>(uint64_t(kb) * weight_bytes(prec, uint64_t(mp.nb)));
        mp.bias_bytes = static_cast<uint32_t>(mp.nb * 4);
    };
    Placement how = Placement::kBankExclusive;
    const auto fits = [&]() { return place(mp, hw, how).has_value(); };
    const auto fail = [&](const std::string& message) {
        throw UserError(Diagnostic{"", 0, 0, "", "layer '" + l.name + "' " + message});
    };

    // Pins (docs/workloads.md): checked against the layer and the array before any search.
    const std::optional<Dataflow> pin_df = pinned_dataflow(l, hw);
    const Dataflow df = pin_df ? *pin_df : hw.array.dataflow;
    mp.pinned_dataflow = pin_df.has_value();
    mp.pinned_rows = l.pin_rows > 0;
    mp.pinned_k = l.pin_k_chunk > 0;
    if (mp.pinned_rows && l.pin_rows > l.out_h()) {
        fail("pins mapping.rows_per_block " + std::to_string(l.pin_rows) + " but has " +
             std::to_string(l.out_h()) + " output rows");
    }
    if (mp.pinned_k && l.pin_k_chunk > mp.k) {
        fail("pins mapping.k_chunk " + std::to_string(l.pin_k_chunk) + " but its reduction K is " +
             std::to_string(mp.k));
    }
    if (mp.pinned_k && df == Dataflow::kWeightStationary && l.pin_k_chunk != mp.k &&
        l.pin_k_chunk % rows != 0) {
        fail("pins mapping.k_chunk " + std::to_string(l.pin_k_chunk) +
             " but a ws array needs a multiple of array.rows " + std::to_string(rows) +
             " or the whole reduction K = " + std::to_string(mp.k));
    }

    // For the first placement (best first) under which one output row fits: the largest k-chunk
    // (whole reduction first; for ws a multiple of the array rows), then as many output rows as
    // fit. fits() is monotone in the k-chunk, but not in the rows: with padding wider than the
    // stride, blocks of r rows can need a taller slab than blocks of r + 1 (a 5x5 "same" conv over
    // 8 rows: 3 rows per block read 7 input rows, 4 read 6), so the rows are scanned, not bisected.
    // A pinned k-chunk or row count is used as is (and must fit).
    const int64_t k_unit = df == Dataflow::kWeightStationary ? rows : 1;
    const int32_t first_rows = mp.pinned_rows ? l.pin_rows : 1;
    bool found = false;
    for (Placement p : {Placement::kBankExclusive, Placement::kHalves, Placement::kPacked}) {
        how = p;
        int64_t kb = mp.pinned_k              ? l.pin_k_chunk
                     : limits.max_k_chunk > 0 ? std::min(mp.k, limits.max_k_chunk)
                                              : mp.k;
        set_rows(first_rows);
        set_kb(kb);
        while (!mp.pinned_k && !fits() && kb > k_unit) {
            // Halve, keeping a multiple of the unit; strictly decreasing while kb > k_unit.
            kb = static_cast<int64_t>(
                align_up(static_cast<uint64_t>(ceil_div(kb, 2)), static_cast<uint64_t>(k_unit)));
            set_kb(kb);
        }
        if (fits()) {
            found = true;
            break;
        }
    }
    if (!found && (mp.pinned_rows || mp.pinned_k)) {
        std::ostringstream os;
        os << "(" << l.shape_string() << ") does not fit on chip with its pinned mapping (";
        if (mp.pinned_rows) os << "rows_per_block " << l.pin_rows << (mp.pinned_k ? ", " : "");
        if (mp.pinned_k) os << "k_chunk " << l.pin_k_chunk;
        os << "): " << out_rows_text(mp.out_rows_per_block, out_w) << ", " << mp.nb
           << " channels and k-chunk " << mp.kb << " need " << spad_need(mp)
           << " B of scratchpad (has " << hw.scratchpad.size_bytes << ") and "
           << 2 * uint64_t{mp.acc_bytes} << " B of accumulator (has " << hw.accumulator.size_bytes
           << ")" << grow_srams_hint(hw);
        fail(os.str());
    }
    if (!found) {
        std::ostringstream os;
        os << "(" << l.shape_string()
           << ") does not fit on chip: the smallest double-buffered mapping (1 output row of "
           << out_w << " pixels, " << mp.nb << " channels, k-chunk " << mp.kb << ") needs "
           << spad_need(mp) << " B of scratchpad (has " << hw.scratchpad.size_bytes << ") and "
           << 2 * uint64_t{mp.acc_bytes} << " B of accumulator (has " << hw.accumulator.size_bytes
           << ")" << grow_srams_hint(hw);
        fail(os.str());
    }
    mp.placement = how;
    int32_t lo = first_rows;
    if (!mp.pinned_rows) {
        const int32_t most = limits.max_rows > 0 ? std::min(l.out_h(), limits.max_rows) : l.out_h();
        for (lo = most; lo > 1; --lo) {  // one row fits (found above)
            set_rows(lo);
            if (fits()) break;
        }
    }
    set_rows(lo);
    mp.m_blocks = ceil_div(l.out_h(), lo);
    mp.n_blocks = ceil_div(mp.n, mp.nb);
    mp.k_chunks = ceil_div(mp.k, mp.kb);
    return mp;
}

namespace {

// ---------------------------------------------------------------------------------------------
// Dependency tokens. A layer's instructions form steps (loads, then one COMPUTE or VECTOR) and
// pairs (the steps that fill one accumulator / output buffer, then POST and STORE). Buffers come
// in ping/pong instances; the schedule records who last read each instance and sets the token
// flags so that nobody overwrites a buffer before its last reader is done:
//  - load -> compute: the last load of a step pushes, its compute pops.
//  - compute -> load: a step whose loads overwrite buffers last read by compute step j waits for
//    j; since computes run in order, one token from the latest such j covers everything before,
//    so only computes some later load waits for push, and loads pop when their need advances.
//  - compute -> store: the last step of a pair pushes, the pair's first store-side instruction
//    pops.
//  - store -> compute: the first step of a pair waits for the store-side instruction that last
//    read its accumulator (POST) or output buffer (STORE), by the same rule.
// Every wait is on an instruction earlier in program order, so in-order dispatch cannot deadlock.
enum BufKind { kSlab, kWeights, kBias, kInX, kInY, kOut, kAcc, kBufKinds };
struct BufRef {
    BufKind kind;
    int inst;
};

class Schedule {
  public:
    Schedule(isa::Program& p, uint16_t layer) : m_p(p), m_layer(layer) {
        for (auto& k : m_last_compute_reader) k[0] = k[1] = -1;
        for (auto& k : m_last_store_reader) k[0] = k[1] = -1;
    }

    isa::Instr& load(const isa::Transfer& x, BufRef writes) {
        if (m_step_first_load < 0) m_step_first_load = static_cast<int64_t>(m_p.instrs.size());
        m_step_need = std::max(m_step_need, m_last_compute_reader[writes.kind][writes.inst]);
        isa::Instr& in = add(isa::Opcode::kLoad);
        in.xfer = x;
        m_step_last_load = static_cast<int64_t>(m_p.instrs.size()) - 1;
        return in;
    }

    // The step's compute-side instruction. `writes` is the accumulator or output buffer of the
    // pair (it is claimed by the pair's first step).
    isa::Instr& compute(isa::Opcode op, std::initializer_list<BufRef> reads, BufRef writes) {
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

    // Store side of the open pair; `reads` is the buffer it frees for later compute steps.
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

    // Sets the pushes the pops asked for, then ends the layer with SYNC.
    void finish() {
        for (int64_t j : m_c2l_pushers) {
            m_p.instrs[static_cast<size_t>(m_computes[static_cast<size_t>(j)])].deps.push_prev =
                true;
        }
        for (int64_t j : m_s2c_pushers) {
            m_p.instrs[static_cast<size_t>(m_stores[static_cast<size_t>(j)])].deps.push_prev = true;
        }
        add(isa::Opcode::kSync);
    }

  private:
    isa::Instr& add(isa::Opcode op) {
        isa::Instr in;
        in.id = static_cast<uint32_t>(m_p.instrs.size());
        in.op = op;
        in.layer = m_layer;
        m_p.instrs.push_back(in);
        return m_p.instrs.back();
    }

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
};

// Where a layer's operands live in DRAM.
struct GemmIo {
    uint64_t a_base = 0;        // slab rows come from here...
    uint64_t a_row_stride = 0;  // ...every a_row_stride bytes, a_row_bytes each
    uint64_t a_row_bytes = 0;
    uint64_t w_base = 0;        // pre-tiled weights, or an activation tensor (matmul)
    bool w_pretiled = true;     // [K][nb] blocks per n-block, contiguous per chunk
    uint64_t w_row_stride = 0;  // matmul: B's row stride in DRAM
    bool w_transposed = false;
    uint64_t bias_base = 0;
    uint64_t out_base = 0;
    uint64_t out_row_stride = 0;
    int32_t c0 = 0;   // first input channel of the group (im2col)
    int32_t oc0 = 0;  // first output channel of the group
    // Element sizes: activations (A, a matmul's B, the output) and one row of n pre-tiled weights.
    uint64_t ab = 1;
    Precision wprec = Precision::kInt8;
    [[nodiscard]] uint64_t wrow(uint64_t n) const { return weight_bytes(wprec, n); }
};

void emit_gemm(Schedule& sch, const graph::Layer& l, const LayerMapping& mp, const Buffers& buf,
               const GemmIo& io) {
    int64_t s = 0, p = 0;
    for (int64_t b = 0; b < mp.m_blocks; ++b) {
        const int32_t oh0 = static_cast<int32_t>(b * mp.out_rows_per_block);
        const int32_t oh1 = std::min(l.out_h(), oh0 + mp.out_rows_per_block);
        const int64_t m0 = int64_t{oh0} * l.out_w();
        const int32_t m = static_cast<int32_t>(int64_t{oh1 - oh0} * l.out_w());
        const RowSpan slab = slab_rows(l, oh0, oh1);
        const BufRef slab_buf{kSlab, static_cast<int>(b % 2)};
        for (int64_t j = 0; j < mp.n_blocks; ++j, ++p) {
            const int32_t n0 = static_cast<int32_t>(j * mp.nb);
            const int32_t n = static_cast<int32_t>(std::min<int64_t>(mp.nb, mp.n - n0));
            const BufRef acc{kAcc, static_cast<int>(p % 2)};
            const BufRef bias{kBias, static_cast<int>(p % 2)};
            for (int64_t c = 0; c < mp.k_chunks; ++c, ++s) {
                const int64_t k0 = c * mp.kb;
                const int32_t k = static_cast<int32_t>(std::min<int64_t>(mp.kb, mp.k - k0));
                const BufRef w{kWeights, static_cast<int>(s % 2)};
                if (j == 0 && c == 0) {
                    sch.load(
                        {io.a_base + uint64_t(slab.first) * io.a_row_stride, io.a_row_stride,
                         buf.slab[b % 2], static_cast<uint32_t>(io.a_row_bytes),
                         static_cast<uint32_t>(slab.count), static_cast<uint32_t>(io.a_row_bytes)},
                        slab_buf);
                }
                if (c == 0) {
                    sch.load(
                        {io.bias_base + uint64_t(io.oc0 + n0) * 4, uint64_t(n) * 4, buf.bias[p % 2],
                         static_cast<uint32_t>(n) * 4, 1, static_cast<uint32_t>(n) * 4},
                        bias);
                }
                if (io.w_pretiled) {
                    // One contiguous run: the n-block's [K][nb] block (every earlier block is
                    // full), rows k0..k0+k of wrow(n) bytes.
                    const uint64_t row = io.wrow(uint64_t(n));
                    sch.load({io.w_base + uint64_t(j) * uint64_t(mp.k) * io.wrow(uint64_t(mp.nb)) +
                                  uint64_t(k0) * row,
                              row, buf.w[s % 2], static_cast<uint32_t>(row),
                              static_cast<uint32_t>(k), static_cast<uint32_t>(row)},
                             w);
                } else if (io.w_transposed) {  // B^T rows n0.. hold k0..k0+k
                    sch.load({io.w_base + uint64_t(n0) * io.w_row_stride + uint64_t(k0) * io.ab,
                              io.w_row_stride, buf.w[s % 2], static_cast<uint32_t>(k * io.ab),
                              static_cast<uint32_t>(n), static_cast<uint32_t>(k * io.ab)},
                             w);
                } else {
                    sch.load({io.w_base + uint64_t(k0) * io.w_row_stride + uint64_t(n0) * io.ab,
                              io.w_row_stride, buf.w[s % 2], static_cast<uint32_t>(n * io.ab),
                              static_cast<uint32_t>(k), static_cast<uint32_t>(n * io.ab)},
                             w);
                }
                isa::Instr& cin = sch.compute(isa::Opcode::kCompute, {slab_buf, w, bias}, acc);
                isa::Compute& cc = cin.comp;
                cc.m0 = m0;
                cc.m = m;
                cc.k0 = k0;
                cc.k = k;
                cc.n0 = n0;
                cc.n = n;
                cc.c0 = io.c0;
                cc.slab_addr = buf.slab[b % 2];
                cc.slab_row0 = slab.first;
                cc.slab_rows = slab.count;
                cc.w_addr = buf.w[s % 2];
                cc.w_transposed = io.w_transposed;
                cc.bias_addr = buf.bias[p % 2];
                cc.acc_addr = buf.acc[p % 2];
                cc.accumulate = c > 0;
            }
            isa::Instr& pin = sch.store_side(isa::Opcode::kPostproc, acc);
            pin.post = {buf.acc[p % 2], buf.out[p % 2], m, io.oc0 + n0, n};
            isa::Instr& sin = sch.store_side(isa::Opcode::kStore, std::nullopt);
            sin.xfer = {
                io.out_base + uint64_t(m0) * io.out_row_stride + uint64_t(io.oc0 + n0) * io.ab,
                io.out_row_stride,
                buf.out[p % 2],
                static_cast<uint32_t>(uint64_t(n) * io.ab),
                static_cast<uint32_t>(m),
                static_cast<uint32_t>(uint64_t(n) * io.ab)};
        }
    }
}

// Little-endian bytes of `v` in a float precision's format (rounded to nearest even).
std::vector<uint8_t> encode_floats(const std::vector<float>& v, Precision p) {
    std::vector<uint8_t> out(v.size() * act_bytes(p));
    for (size_t i = 0; i < v.size(); ++i) {
        store_float(p, &out[i * act_bytes(p)], v[i]);
    }
    return out;
}

template <typename T>
void put(std::vector<uint8_t>& bytes, size_t at, T v) {
    for (size_t i = 0; i < sizeof(T); ++i) {
        bytes[at + i] = static_cast<uint8_t>(static_cast<uint64_t>(v) >> (8 * i));
    }
}

int64_t elements(const std::vector<int32_t>& shape) {
    int64_t n = 1;
    for (int32_t d : shape) n *= d;
    return n;
}

}  // namespace

namespace {

// Ping/pong scratchpad buffers of a vector layer, `bytes[i]` each, in the lower and upper halves
// of the banks when there are an even number of them (so a load never meets a read of the other
// instance), packed otherwise. Returns false when they do not fit.
bool place_vector(const cfg::HwConfig& hw,
                  std::initializer_list<std::pair<uint32_t*, uint64_t>> bufs) {
    const uint64_t size = hw.scratchpad.size_bytes;
    const bool split = hw.scratchpad.banks % 2 == 0;
    uint64_t at[2] = {0, split ? size / 2 : 0};
    for (int i = 0; i < 2; ++i) {
        uint64_t& cursor = at[split ? i : 0];
        for (const auto& [addr, bytes] : bufs) {
            addr[i] = static_cast<uint32_t>(cursor);
            cursor += aligned(bytes);
        }
        if (cursor > (split && i == 0 ? size / 2 : size)) return false;
    }
    return true;
}

[[noreturn]] void does_not_fit(const graph::Layer& l, const cfg::HwConfig& hw,
                               const std::string& what) {
    throw UserError(Diagnostic{"", 0, 0, "",
                               "layer '" + l.name + "' (" + l.shape_string() +
                                   ") does not fit on chip: " + what + " (scratchpad has " +
                                   std::to_string(hw.scratchpad.size_bytes) + " B)" +
                                   grow_srams_hint(hw)});
}

// Largest r in [1, max_rows] for which fits(r) holds (fits is monotone in r here), or 0.
template <typename F>
int64_t largest(int64_t max_rows, F fits) {
    if (!fits(1)) return 0;
    int64_t lo = 1, hi = max_rows;
    while (lo < hi) {
        const int64_t mid = lo + (hi - lo + 1) / 2;
        if (fits(mid)) {
            lo = mid;
        } else {
            hi = mid - 1;
        }
    }
    return lo;
}

uint32_t acc_half(const cfg::HwConfig& hw) {
    return hw.accumulator.banks % 2 == 0 ? static_cast<uint32_t>(hw.accumulator.size_bytes / 2) : 0;
}

// add, mul: rows x len elementwise (len = the last dimension, split into column chunks when one
// row's int32 results do not fit); the vector unit leaves int32 for POST to requantize.
std::string emit_elementwise(Schedule& sch, const graph::Layer& l, const cfg::HwConfig& hw,
                             uint64_t x, uint64_t y, uint64_t out, int64_t total, int64_t len) {
    const uint64_t ab = act_bytes(precision_of(l, hw));
    const int64_t rows = total / len;
    const uint64_t acc_cap = hw.accumulator.size_bytes / 2;
    int64_t lc = len;
    while (lc > 1 && uint64_t(lc) * 4 > acc_cap) lc = (lc + 1) / 2;
    uint32_t xb[2], yb[2], ob[2];
    const auto fits = [&](int64_t r) {
        const uint64_t elems = uint64_t(r) * uint64_t(lc), bytes = elems * ab;
        return elems * 4 <= acc_cap && place_vector(hw, {{xb, bytes}, {yb, bytes}, {ob, bytes}});
    };
    int64_t rb = largest(rows, fits);
    while (rb == 0 && lc > 1) {
        lc = (lc + 1) / 2;
        rb = largest(rows, fits);
    }
    if (rb == 0) does_not_fit(l, hw, "not even one element fits the double buffers");
    fits(rb);
    const uint32_t acc[2] = {
        0, acc_half(hw) ? acc_half(hw) : static_cast<uint32_t>(aligned(uint64_t(rb * lc) * 4))};
    const isa::VectorOp op =
        l.kind == graph::OpKind::kAdd ? isa::VectorOp::kAdd : isa::VectorOp::kMul;
    int64_t s = 0;
    for (int64_t r0 = 0; r0 < rows; r0 += rb) {
        const int32_t r = static_cast<int32_t>(std::min(rb, rows - r0));
        for (int64_t c0 = 0; c0 < len; c0 += lc, ++s) {
            const int32_t c = static_cast<int32_t>(std::min(lc, len - c0));
            const int i = static_cast<int>(s % 2);
            const uint64_t off = uint64_t(r0) * uint64_t(len) + uint64_t(c0);
            const auto xfer = [&](uint64_t base, uint32_t spad) {
                return isa::Transfer{base + off * ab,
                                     uint64_t(len) * ab,
                                     spad,
                                     static_cast<uint32_t>(uint64_t(c) * ab),
                                     static_cast<uint32_t>(r),
                                     static_cast<uint32_t>(uint64_t(c) * ab)};
            };
            sch.load(xfer(x, xb[i]), {kInX, i});
            sch.load(xfer(y, yb[i]), {kInY, i});
            isa::Instr& v = sch.compute(isa::Opcode::kVector, {{kInX, i}, {kInY, i}}, {kAcc, i});
            v.vec.op = op;
            v.vec.x_addr = xb[i];
            v.vec.y_addr = yb[i];
            v.vec.rows = r;
            v.vec.len = c;
            v.vec.acc_addr = acc[i];
            isa::Instr& pin = sch.store_side(isa::Opcode::kPostproc, BufRef{kAcc, i});
            pin.post = {acc[i], ob[i], r, static_cast<int32_t>(c0), c};
            isa::Instr& st = sch.store_side(isa::Opcode::kStore, std::nullopt);
            st.xfer = xfer(out, ob[i]);
        }
    }
    return "vector " + std::string(graph::to_string(l.kind)) + " " + std::to_string(rb) +
           " rows x " + std::to_string(lc) + " per block";
}

// softmax, layernorm, rmsnorm, gelu/silu (lookup), concat (copy): whole rows of `len` int8 in,
// int8 out, no accumulators. Each input row lands at `out + row * out_stride + out_offset`.
std::string emit_rows(Schedule& sch, const graph::Layer& l, const cfg::HwConfig& hw,
                      isa::VectorOp op, uint64_t x, int64_t rows, int64_t len, uint64_t out,
                      uint64_t out_stride, uint64_t out_offset) {
    // Row strides and offsets come in elements; everything below is bytes.
    const uint64_t ab = act_bytes(precision_of(l, hw));
    const uint64_t row = uint64_t(len) * ab;
    out_stride *= ab;
    out_offset *= ab;
    uint32_t xb[2], ob[2];
    const auto fits = [&](int64_t r) {
        const uint64_t bytes = uint64_t(r) * row;
        return place_vector(hw, {{xb, bytes}, {ob, bytes}});
    };
    const int64_t rb = largest(rows, fits);
    if (rb == 0)
        does_not_fit(l, hw,
                     "one row of " + std::to_string(row) + " bytes, double-buffered in and out");
    fits(rb);
    int64_t s = 0;
    for (int64_t r0 = 0; r0 < rows; r0 += rb, ++s) {
        const uint32_t r = static_cast<uint32_t>(std::min(rb, rows - r0));
        const int i = static_cast<int>(s % 2);
        sch.load({x + uint64_t(r0) * row, row, xb[i], static_cast<uint32_t>(row), r,
                  static_cast<uint32_t>(row)},
                 {kInX, i});
        isa::Instr& v = sch.compute(isa::Opcode::kVector, {{kInX, i}}, {kOut, i});
        v.vec.op = op;
        v.vec.x_addr = xb[i];
        v.vec.out_addr = ob[i];
        v.vec.rows = static_cast<int32_t>(r);
        v.vec.len = static_cast<int32_t>(len);
        isa::Instr& st = sch.store_side(isa::Opcode::kStore, BufRef{kOut, i});
        st.xfer = {out + uint64_t(r0) * out_stride + out_offset,
                   out_stride,
                   ob[i],
                   static_cast<uint32_t>(row),
                   r,
                   static_cast<uint32_t>(row)};
    }
    return "vector " + std::string(isa::to_string(op)) + " " + std::to_string(rb) + " rows of " +
           std::to_string(len) + " per block";
}

// maxpool, avgpool, global_avgpool and depthwise convolution on the vector unit: blocks of whole
// output rows read an input slab; channel blocks of nb leave int32 for POST.
std::string emit_window(Schedule& sch, const graph::Layer& l, const cfg::HwConfig& hw,
                        isa::VectorOp op, uint64_t x, uint64_t out, uint64_t w_base,
                        uint64_t bias_base) {
    const bool dw = op == isa::VectorOp::kDepthwise;
    const Precision prec = precision_of(l, hw);
    // Depthwise weights: one per channel and tap, int8 unless the precision is a float one.
    const uint64_t ab = act_bytes(prec), wb = is_float(prec) ? ab : 1;
    const int64_t C = l.in_c, taps = int64_t{l.kernel_h} * l.kernel_w;
    const uint64_t acc_cap = hw.accumulator.size_bytes / 2;
    int64_t nb = C;
    uint32_t sb[2], wbuf[2], bb[2], ob[2];
    int32_t rows_per_block = 0;
    // split: each channel block loads a slab of just its channels (a strided DMA), for inputs
    // whose rows with every channel do not fit (e.g. fp32 global pooling over 7x7x2048).
    bool split = false;
    const auto slab_bytes = [&](int32_t r) -> uint64_t {
        const uint64_t all = max_slab_bytes(l, r, ab);
        return split ? all / uint64_t(C) * uint64_t(nb) : all;
    };
    const auto fits = [&](int32_t r) {
        const uint64_t mb = uint64_t(r) * uint64_t(l.out_w());
        return mb * uint64_t(nb) * 4 <= acc_cap &&
               place_vector(hw, {{sb, slab_bytes(r)},
                                 {wbuf, dw ? uint64_t(nb * taps) * wb : 0},
                                 {bb, dw ? uint64_t(nb) * 4 : 0},
                                 {ob, mb * uint64_t(nb) * ab}});
    };
    for (;; nb = (nb + 1) / 2) {
        for (rows_per_block = l.out_h(); rows_per_block > 0 && !fits(rows_per_block);
             --rows_per_block) {
        }
        if (rows_per_block > 0) break;
        if (nb == 1) {
            if (split) break;
            split = true;  // every channel of one row does not fit: try channel slabs
            nb = 2 * C;    // halved to C by the loop
        }
    }
    if (rows_per_block == 0)
        does_not_fit(l, hw, "one output row with its input slab, double-buffered");
    fits(rows_per_block);
    const uint64_t mb_max = uint64_t(rows_per_block) * uint64_t(l.out_w());
    const uint32_t acc[2] = {
        0, acc_half(hw) ? acc_half(hw) : static_cast<uint32_t>(aligned(mb_max * uint64_t(nb) * 4))};
    const int64_t m_blocks = ceil_div(l.out_h(), rows_per_block);
    int64_t s = 0, p = 0;
    for (int64_t b = 0; b < m_blocks; ++b) {
        const int32_t oh0 = static_cast<int32_t>(b * rows_per_block);
        const int32_t oh1 = std::min(l.out_h(), oh0 + rows_per_block);
        const RowSpan slab = slab_rows(l, oh0, oh1);
        const uint64_t row_bytes = uint64_t(l.in_w) * uint64_t(C) * ab;
        for (int64_t n0 = 0; n0 < C; n0 += nb, ++s, ++p) {
            const int32_t n = static_cast<int32_t>(std::min(nb, C - n0));
            const int i = static_cast<int>(p % 2);
            const int slab_i = split ? i : static_cast<int>(b % 2);
            const BufRef slab_buf{kSlab, slab_i};
            if (split) {  // pixels of the slab rows, channels n0..n0+n each
                const uint64_t px = uint64_t(slab.count) * uint64_t(l.in_w);
                sch.load(
                    {x + (uint64_t(slab.first) * uint64_t(l.in_w) * uint64_t(C) + uint64_t(n0)) *
                             ab,
                     uint64_t(C) * ab, sb[slab_i], static_cast<uint32_t>(uint64_t(n) * ab),
                     static_cast<uint32_t>(px), static_cast<uint32_t>(uint64_t(n) * ab)},
                    slab_buf);
            } else if (n0 == 0) {
                sch.load({x + uint64_t(slab.first) * row_bytes, row_bytes, sb[b % 2],
                          static_cast<uint32_t>(row_bytes), static_cast<uint32_t>(slab.count),
                          static_cast<uint32_t>(row_bytes)},
                         slab_buf);
            }
            if (dw) {  // weights [C][kh*kw] and folded biases, channels n0..n0+n
                sch.load({w_base + uint64_t(n0 * taps) * wb, uint64_t(n * taps) * wb, wbuf[i],
                          static_cast<uint32_t>(uint64_t(n * taps) * wb), 1,
                          static_cast<uint32_t>(uint64_t(n * taps) * wb)},
                         {kWeights, i});
                sch.load({bias_base + uint64_t(n0) * 4, uint64_t(n) * 4, bb[i],
                          static_cast<uint32_t>(n) * 4, 1, static_cast<uint32_t>(n) * 4},
                         {kBias, i});
            }
            isa::Instr& v = dw ? sch.compute(isa::Opcode::kVector,
                                             {slab_buf, {kWeights, i}, {kBias, i}}, {kAcc, i})
                               : sch.compute(isa::Opcode::kVector, {slab_buf}, {kAcc, i});
            const int32_t m = static_cast<int32_t>(int64_t{oh1 - oh0} * l.out_w());
            v.vec.op = op;
            v.vec.m0 = int64_t{oh0} * l.out_w();
            v.vec.m = m;
            v.vec.n0 = static_cast<int32_t>(n0);
            v.vec.n = n;
            v.vec.slab_addr = sb[slab_i];
            v.vec.slab_row0 = slab.first;
            v.vec.slab_rows = slab.count;
            if (split) {
                v.vec.slab_c = n;
                v.vec.slab_c0 = static_cast<int32_t>(n0);
            }
            v.vec.acc_addr = acc[i];
            v.vec.w_addr = wbuf[i];
            v.vec.bias_addr = bb[i];
            isa::Instr& pin = sch.store_side(isa::Opcode::kPostproc, BufRef{kAcc, i});
            pin.post = {acc[i], ob[i], m, static_cast<int32_t>(n0), n};
            isa::Instr& st = sch.store_side(isa::Opcode::kStore, std::nullopt);
            // Not v.vec.m0: store_side() may have reallocated the program, leaving v dangling.
            st.xfer = {
                out + (uint64_t(int64_t{oh0} * l.out_w()) * uint64_t(l.out_c) + uint64_t(n0)) * ab,
                uint64_t(l.out_c) * ab,
                ob[i],
                static_cast<uint32_t>(uint64_t(n) * ab),
                static_cast<uint32_t>(m),
                static_cast<uint32_t>(uint64_t(n) * ab)};
        }
    }
    return "vector " + std::string(isa::to_string(op)) + " " + std::to_string(rows_per_block) +
           " out rows x " + std::to_string(nb) + " channels per block" +
           (split ? " (slabs of the block's channels)" : "");
}

}  // namespace

namespace {

// A first-order estimate of a layer's cycles for the mapper: the array's tiles back to back
// (closed form, as the compute engine splits them) against its DRAM bytes at peak bandwidth.
uint64_t estimate_cycles(const isa::Program& p, const cfg::HwConfig& hw) {
    const auto array = timing::make_fast_array(
        {hw.array.rows, hw.array.cols, hw.array.dataflow, hw.array.pipelining, hw.array.timing});
    const bool ws = hw.array.dataflow == Dataflow::kWeightStationary;
    const int cpm = p.layers.empty() ? 1 : std::max(1, p.layers.back().cycles_per_mac);
    uint64_t end = 0, bytes = 0;
    for (const isa::Instr& in : p.instrs) {
        if (in.op == isa::Opcode::kLoad || in.op == isa::Opcode::kStore) bytes += in.xfer.bytes();
        if (in.op != isa::Opcode::kCompute) continue;
        const isa::Compute& c = in.comp;
        const int tm = ws ? c.m : hw.array.rows, tk = ws ? hw.array.rows : c.k;
        for (int i0 = 0; i0 < c.m; i0 += tm) {
            for (int k0 = 0; k0 < c.k; k0 += tk) {
                const timing::TileShape sh{std::min(tm, c.m - i0), std::min(tk, c.k - k0), c.n};
                end = std::max(
                    end,
                    array->issue(timing::scaled_for_precision(sh, ws, cpm), 0, nullptr).done());
            }
        }
    }
    const auto mem = static_cast<uint64_t>(static_cast<double>(bytes) / hw.dram_bytes_per_cycle());
    return std::max(end, mem);
}

}  // namespace

namespace {

// One compilation of the whole workload. Tensors named in `onchip` live at that scratchpad
// offset (through the NPU's on-chip address window) instead of DRAM.
// What the mapper's search chose for a layer on the array (kept between the two passes: where
// tensors live does not change the choice).
struct ArrayChoice {
    bool known = false;
    Dataflow dataflow = Dataflow::kWeightStationary;
    MappingLimits limits;
};

isa::Program compile_pass(const graph::Workload& wl, const cfg::HwConfig& hw,
                          const CompileOptions& options,
                          const std::map<std::string, uint64_t>& onchip,
                          std::vector<ArrayChoice>& choices) {
    choices.resize(wl.layers.size());
    isa::Program prog;
    prog.dram_base = options.dram_base;
    prog.dram_size = options.dram_size > 0
                         ? options.dram_size
                         : hw.dram.size_bytes - std::min(hw.dram.size_bytes, options.dram_base);
    prog.onchip_base = options.onchip_base;
    uint64_t at = options.dram_base;
    auto take = [&at](uint64_t bytes) {
        const uint64_t here = at;
        at = align_up(at + std::max<uint64_t>(bytes, 1), kDramAlign);
        return here;
    };
    auto image = [&](uint64_t addr, std::vector<uint8_t> bytes) {
        if (options.with_data) prog.dram_image.push_back({addr, std::move(bytes)});
    };
    // Every tensor's DRAM address: declared inputs first, then each layer's output (a reshape
    // is a view of its input). A v1 chain names nothing: its input is "input" and each layer
    // reads the previous layer's output.
    std::map<std::string, uint64_t> addr;
    std::map<std::string, std::vector<int32_t>> shape_of;
    // Bytes per element of every tensor: its producer's activation format; a declared input's is
    // that of the first layer reading it.
    std::map<std::string, uint64_t> elem_width;
    const auto first_reader_precision = [&](const std::string& name) -> Precision {
        for (size_t i = 0; i < wl.layers.size(); ++i) {
            const graph::Layer& l = wl.layers[i];
            const bool reads =
                l.inputs.empty()
                    ? (i == 0 &&
                       (name == "input" || (!wl.inputs.empty() && name == wl.inputs[0].name)))
                    : std::find(l.inputs.begin(), l.inputs.end(), name) != l.inputs.end();
            if (reads) return precision_of(l, hw);
        }
        return hw.precision;
    };
    // The initial image of a network input: int8 data, or its real values in a float format.
    const auto input_image = [&](uint64_t a, size_t i, const std::vector<int8_t>& q, Precision p) {
        if (!is_float(p)) {
            if (!q.empty()) image(a, std::vector<uint8_t>(q.begin(), q.end()));
        } else if (i < wl.float_input_data.size()) {
            image(a, encode_floats(wl.float_input_data[i], p));
        }
    };
    std::string previous;
    if (wl.inputs.empty()) {
        previous = "input";
        const Precision p = first_reader_precision(previous);
        elem_width[previous] = act_bytes(p);
        const uint64_t bytes =
            wl.layers.empty() ? 0 : uint64_t(wl.layers[0].input_elems()) * elem_width[previous];
        addr[previous] = take(bytes);
        input_image(addr[previous], 0, wl.input, p);
    }
    for (size_t i = 0; i < wl.inputs.size(); ++i) {
        const Precision p = first_reader_precision(wl.inputs[i].name);
        const uint64_t wd = act_bytes(p);
        const uint64_t a = take(uint64_t(elements(wl.inputs[i].shape)) * wd);
        addr[wl.inputs[i].name] = a;
        elem_width[wl.inputs[i].name] = wd;
        shape_of[wl.inputs[i].name] = wl.inputs[i].shape;
        input_image(a, i, i < wl.input_data.size() ? wl.input_data[i] : std::vector<int8_t>{}, p);
        if (i == 0) previous = wl.inputs[i].name;
    }
    for (const graph::Tensor& t : wl.layer_outputs) shape_of[t.name] = t.shape;

    DiagnosticList problems;
    for (size_t li = 0; li < wl.layers.size(); ++li) {
        const graph::Layer& l = wl.layers[li];
        const uint16_t layer_index = static_cast<uint16_t>(li);
        isa::LayerDesc d;
        d.name = l.name;
        d.op = graph::to_string(l.kind);
        d.shape = l.dims_string();
        d.in_h = l.in_h;
        d.in_w = l.in_w;
        d.in_c = l.in_c;
        d.out_h = l.out_h();
        d.out_w = l.out_w();
        d.out_c = l.out_c;
        d.groups = std::max(1, l.groups);
        d.dataflow = hw.array.dataflow;
        d.kernel_h = l.kernel_h;
        d.kernel_w = l.kernel_w;
        d.stride_h = l.stride_h;
        d.stride_w = l.stride_w;
        d.dilation_h = l.dilation_h;
        d.dilation_w = l.dilation_w;
        d.pad_top = l.pad_top;
        d.pad_left = l.pad_left;
        d.in_zero_point = l.input.zero_point;
        d.multiplier = l.requant.multiplier;
        d.shift = l.requant.shift;
        d.out_zero_point = l.requant.out_zero_point;
        d.act_min = l.requant.act_min;
        d.act_max = l.requant.act_max;
        switch (l.activation) {
            case graph::Activation::kNone:
                break;
            case graph::Activation::kRelu:
                d.act_lo = 0.0f;
                break;
            case graph::Activation::kRelu6:
                d.act_lo = 0.0f;
                d.act_hi = 6.0f;
                break;
            case graph::Activation::kClamp:
                d.act_lo = static_cast<float>(l.clamp_min);
                d.act_hi = static_cast<float>(l.clamp_max);
                break;
        }
        d.macs = static_cast<uint64_t>(l.macs());
        const Precision prec = precision_of(l, hw);
        const uint64_t ab = act_bytes(prec);
        d.precision = prec;
        d.cycles_per_mac = hw.array.cycles_for(prec);
        if (hw.postproc.requant == RequantMode::kFloat32 && !is_float(prec)) {
            d.f32 = graph::f32_requant(l);
        }
        d.output_bytes = static_cast<uint64_t>(l.output_elems()) * ab;
        d.in_scale = l.input.scale;
        d.out_scale = l.output.scale;
        if (l.input_quant.size() > 1) d.in2_zero_point = l.input_quant[1].zero_point;
        d.add_x_multiplier = l.add_x.multiplier;
        d.add_x_shift = l.add_x.shift;
        d.add_y_multiplier = l.add_y.multiplier;
        d.add_y_shift = l.add_y.shift;
        d.gamma = l.gamma;
        d.beta = l.beta;
        d.lut = l.lut;
        d.lookup_function = static_cast<int>(l.lookup_function);
        d.lookup_alpha = l.lookup_alpha;
        const std::vector<std::string> inputs =
            l.inputs.empty() ? std::vector<std::string>{previous} : l.inputs;
        previous = l.name;
        const auto input_addr = [&](size_t i) { return addr.at(inputs.at(i)); };
        d.input_addr = input_addr(0);
        elem_width[l.name] = ab;
        {
            std::string problem;
            if (d.cycles_per_mac <= 0) {
                problem =
                    std::string("runs at ") + to_string(prec) + " but the array has no " +
                    to_string(prec) + " mode: " +
                    cfg::describe_key(hw, std::string("array.cycles_per_mac.") + to_string(prec));
            }
            for (const std::string& t : inputs) {
                if (const auto w = elem_width.find(t); w != elem_width.end() && w->second != ab) {
                    problem = std::string("runs at ") + to_string(prec) + " (" +
                              std::to_string(ab) + "-byte activations) but its input '" + t +
                              "' is stored with " + std::to_string(w->second) +
                              "-byte elements; there is no conversion unit: give the layers "
                              "that share a tensor precisions of one activation width";
                }
            }
            if (!problem.empty()) {
                problems.add(Diagnostic{wl.source_file, l.source_line, l.source_col,
                                        "layers[" + std::to_string(li) + "]",
                                        "layer '" + l.name + "' " + problem});
                d.cycles_per_mac = 1;  // keep compiling to report every problem at once
            }
        }
        // DRAM: weights and biases first, then the output.
        const int32_t groups = std::max(1, l.groups);
        const bool depthwise = groups > 1 && groups == l.in_c && l.out_c == l.in_c;
        const uint64_t K =
            uint64_t(l.kernel_h) * uint64_t(l.kernel_w) * uint64_t(std::max(1, l.in_c / groups));
        const uint64_t N = uint64_t(std::max(1, l.out_c));
        // Weight precision: int4 only for array layers; depthwise weights stay int8 (or float).
        const Precision wprec = depthwise && prec == Precision::kInt4 ? Precision::kInt8 : prec;
        // DRAM bytes reserved per weight (int4 rows of n pack into ceil(n/2) bytes: at most 1).
        const uint64_t w_slot = std::max<uint64_t>(1, weight_bits(wprec) / 8);
        if (l.kind == graph::OpKind::kConv2d || l.kind == graph::OpKind::kGemm) {
            d.weight_addr = take(K * N * w_slot);
            d.bias_addr = take(N * 4);
        } else if (l.kind == graph::OpKind::kMatmul) {
            d.bias_addr = take(uint64_t(l.mm_n) * 4);
            image(d.bias_addr, std::vector<uint8_t>(uint64_t(l.mm_n) * 4, 0));
        }
        if (l.kind == graph::OpKind::kReshape) {
            d.output_addr = d.input_addr;
        } else if (const auto it = onchip.find(l.name); it != onchip.end()) {
            d.output_addr = options.onchip_base + it->second;
        } else {
            d.output_addr = take(d.output_bytes);
        }
        const bool on_chip = d.output_addr >= options.onchip_base &&
                             d.output_addr - options.onchip_base < hw.scratchpad.size_bytes;
        d.residency = on_chip ? "on-chip" : "dram";
        addr[l.name] = d.output_addr;

        // Conv/gemm (not depthwise) and matmul run on the array, in the dataflow `h` names.
        const auto emit_matrix = [&](Schedule& sch, const cfg::HwConfig& hw_,
                                     const MappingLimits& limits) -> std::string {
            std::string mapping;
            if (l.kind != graph::OpKind::kMatmul) {
                const LayerMapping mp = choose_mapping(l, hw_, limits);
                const Buffers buf = *place(mp, hw_, mp.placement);
                for (int32_t g = 0; g < groups; ++g) {
                    GemmIo io;
                    io.ab = ab;
                    io.wprec = wprec;
                    io.a_base = d.input_addr;
                    io.a_row_bytes = io.a_row_stride = uint64_t(l.in_w) * uint64_t(l.in_c) * ab;
                    io.w_base = d.weight_addr + uint64_t(g) * K * (N / uint64_t(groups)) * w_slot;
                    io.bias_base = d.bias_addr;
                    io.out_base = d.output_addr;
                    io.out_row_stride = N * ab;
                    io.c0 = g * (l.in_c / groups);
                    io.oc0 = g * (l.out_c / groups);
                    emit_gemm(sch, l, mp, buf, io);
                }
                mapping = mp.summary(hw_.array.dataflow) +
                          (groups > 1 ? ", " + std::to_string(groups) + " groups" : "");
                return mapping;
            }
            const int64_t H = l.heads, M = l.mm_m, Km = l.mm_k, Nm = l.mm_n;
            graph::Layer head;  // the per-head GEMM's geometry
            head.name = l.name;
            head.kind = graph::OpKind::kGemm;
            head.in_h = static_cast<int32_t>(M);
            head.in_w = 1;
            head.in_c = static_cast<int32_t>(Km);
            head.out_c = static_cast<int32_t>(Nm);
            head.pin_rows = l.pin_rows;
            head.pin_k_chunk = l.pin_k_chunk;
            head.pin_dataflow = l.pin_dataflow;
            // Both operands are activations: int4 (a weight format) does not apply.
            head.precision = prec == Precision::kInt4 ? Precision::kInt8 : prec;
            const LayerMapping mp = choose_mapping(head, hw_, limits);
            const Buffers buf = *place(mp, hw_, mp.placement);
            const uint64_t b_base = input_addr(1);
            for (int64_t h = 0; h < H; ++h) {
                GemmIo io;
                io.ab = ab;
                io.wprec = *head.precision;
                io.a_row_bytes = uint64_t(Km) * ab;
                io.a_row_stride = uint64_t(l.a_interleaved ? H * Km : Km) * ab;
                io.a_base = d.input_addr + uint64_t(l.a_interleaved ? h * Km : h * M * Km) * ab;
                io.w_pretiled = false;
                io.w_transposed = l.transpose_b;
                if (l.transpose_b) {  // B_h stored [Nm][Km]
                    io.w_row_stride = uint64_t(l.b_interleaved ? H * Km : Km) * ab;
                    io.w_base = b_base + uint64_t(l.b_interleaved ? h * Km : h * Nm * Km) * ab;
                } else {  // B_h stored [Km][Nm]
                    io.w_row_stride = uint64_t(l.b_interleaved ? H * Nm : Nm) * ab;
                    io.w_base = b_base + uint64_t(l.b_interleaved ? h * Nm : h * Km * Nm) * ab;
                }
                io.bias_base = d.bias_addr;
                io.out_row_stride = uint64_t(l.out_interleaved ? H * Nm : Nm) * ab;
                io.out_base =
                    d.output_addr + uint64_t(l.out_interleaved ? h * Nm : h * M * Nm) * ab;
                emit_gemm(sch, head, mp, buf, io);
            }
            mapping = mp.summary(hw_.array.dataflow) + ", " + std::to_string(H) + " heads";
            return mapping;
        };
        // With both dataflows, each is compiled and estimated (array cycles from the closed
        // form vs DRAM bytes at peak bandwidth); the faster wins, ties go to array.dataflow.
        // A dataflow the layer pins is taken as is (and must be one the array runs).
        // The mapper's search: for each dataflow the array runs (or the pinned one), the largest
        // tiles that fit and smaller ones (the rows spread evenly over the same number of blocks,
        // or over two and four times as many; half the k-chunk), each compiled and estimated (the
        // array's tiles back to back in the closed form vs the layer's DRAM bytes at peak
        // bandwidth). The fastest wins, then the one with the least DRAM traffic, then the first
        // tried (largest tiles, array.dataflow).
        const auto emit_on_array = [&](Schedule& sch_) -> std::string {
            ArrayChoice& choice = choices[li];
            if (choice.known) {
                cfg::HwConfig chosen = hw;
                chosen.array.dataflow = choice.dataflow;
                prog.layers.back().dataflow = choice.dataflow;
                return emit_matrix(sch_, chosen, choice.limits);
            }
            std::vector<Dataflow> dataflows{hw.array.dataflow};
            const std::optional<Dataflow> pin = pinned_dataflow(l, hw);
            if (pin) dataflows = {*pin};
            // Every candidate is a trial compilation: a layer of more than kSearchSteps steps
            // (LLaMA prefill's projections have tens of thousands) takes the largest tiles in
            // the configured (or pinned) dataflow instead.
            constexpr int64_t kSearchSteps = 4096;
            if (l.kind != graph::OpKind::kMatmul) {
                cfg::HwConfig first = hw;
                first.array.dataflow = dataflows.front();
                try {
                    const LayerMapping mp = choose_mapping(l, first);
                    if (mp.m_blocks * mp.n_blocks * mp.k_chunks * groups > kSearchSteps) {
                        choice = {true, first.array.dataflow, {}};
                        prog.layers.back().dataflow = first.array.dataflow;
                        return emit_matrix(sch_, first, {});
                    }
                } catch (const UserError&) {
                    // does not fit this dataflow: the search below finds out what does
                }
            }
            if (!pin && hw.array.both_dataflows) {
                dataflows.push_back(hw.array.dataflow == Dataflow::kWeightStationary
                                        ? Dataflow::kOutputStationary
                                        : Dataflow::kWeightStationary);
            }
            cfg::HwConfig best_hw = hw;
            best_hw.array.dataflow = dataflows.front();
            MappingLimits best_limits;
            std::pair<uint64_t, uint64_t> best{UINT64_MAX, UINT64_MAX};
            for (Dataflow df : dataflows) {
                cfg::HwConfig trial_hw = hw;
                trial_hw.array.dataflow = df;
                const auto evaluate = [&](const MappingLimits& lim) -> bool {
                    isa::Program trial;
                    trial.layers.push_back(d);
                    Schedule trial_sch(trial, 0);
                    try {
                        (void)emit_matrix(trial_sch, trial_hw, lim);
                    } catch (const UserError&) {
                        return false;  // does not fit this way
                    }
                    uint64_t bytes = 0;
                    for (const isa::Instr& in : trial.instrs) {
                        if (in.op == isa::Opcode::kLoad || in.op == isa::Opcode::kStore) {
                            bytes += in.xfer.bytes();
                        }
                    }
                    const std::pair<uint64_t, uint64_t> score{estimate_cycles(trial, trial_hw),
                                                              bytes};
                    if (score < best) {
                        best = score;
                        best_hw = trial_hw;
                        best_limits = lim;
                    }
                    return true;
                };
                if (l.kind == graph::OpKind::kMatmul) {  // heads are small GEMMs: largest tiles
                    (void)evaluate({});
                    continue;
                }
                if (!evaluate({})) continue;
                const std::optional<LayerMapping> largest = choose_mapping(l, trial_hw);
                const int64_t unit = df == Dataflow::kWeightStationary ? hw.array.rows : 1;
                const int64_t half_k = static_cast<int64_t>(align_up(
                    static_cast<uint64_t>(ceil_div(largest->kb, 2)), static_cast<uint64_t>(unit)));
                // The same number of blocks with the rows spread evenly (no thin last block),
                // then twice and four times as many blocks.
                const int32_t out_h = l.out_h(), most = largest->out_rows_per_block;
                for (int32_t times : {1, 2, 4}) {
                    const int64_t blocks = ceil_div(out_h, most) * times;
                    const auto r = static_cast<int32_t>(ceil_div(out_h, blocks));
                    if (!largest->pinned_rows && r < most) (void)evaluate({r, 0});
                }
                if (!largest->pinned_k && half_k < largest->kb) (void)evaluate({0, half_k});
            }
            prog.layers.back().dataflow = best_hw.array.dataflow;
            choice = {true, best_hw.array.dataflow, best_limits};
            return emit_matrix(sch_, best_hw, best_limits);
        };
        Schedule sch(prog, layer_index);
        const size_t first_instr = prog.instrs.size();
        prog.layers.push_back(d);
        try {
            std::string mapping;
            switch (l.kind) {
                case graph::OpKind::kConv2d:
                case graph::OpKind::kGemm: {
                    if (options.with_data && is_float(prec) && !l.float_weights.empty()) {
                        // The float model in the layer's format, in the same layouts; biases
                        // fp32 (rounded to the format, as the float reference rounds them), no
                        // zero point to fold.
                        const uint64_t Ng = N / uint64_t(groups);
                        const uint64_t nb =
                            depthwise ? Ng
                                      : uint64_t(std::min<int64_t>(hw.array.cols, int64_t(Ng)));
                        std::vector<float> w(K * N);
                        std::vector<float> bias(N);
                        for (uint64_t oc = 0; oc < N; ++oc) {
                            const uint64_t g = oc / Ng, j = oc % Ng;
                            const uint64_t n0 = j / nb * nb, width = std::min(nb, Ng - n0);
                            for (uint64_t kk = 0; kk < K; ++kk) {
                                const uint64_t at_w =
                                    depthwise ? oc * K + kk
                                              : g * K * Ng + n0 * K + kk * width + (j - n0);
                                w[at_w] = l.float_weights[oc * K + kk];
                            }
                            bias[oc] = round_to(prec, l.float_bias.at(oc));
                        }
                        image(d.weight_addr, encode_floats(w, prec));
                        image(d.bias_addr, encode_floats(bias, Precision::kFp32));
                    }
                    if (options.with_data && !is_float(prec)) {
                        // Weights OHWI -> per group, one K-major [K][nb] block per n-block
                        // (every k-chunk of an n-block is one contiguous run; k = (kh*KW +
                        // kw)*Cg + ic); depthwise keeps [C][kh*kw]. Biases fold the input zero
                        // point: sum (x - zp) w = sum x w - zp sum w.
                        const uint64_t Ng = N / uint64_t(groups);
                        const uint64_t nb =
                            depthwise ? Ng
                                      : uint64_t(std::min<int64_t>(hw.array.cols, int64_t(Ng)));
                        std::vector<uint8_t> w(K * N * w_slot);
                        const bool packed = wprec == Precision::kInt4;
                        std::vector<uint8_t> bias(N * 4);
                        for (uint64_t oc = 0; oc < N; ++oc) {
                            const uint64_t g = oc / Ng, j = oc % Ng;
                            const uint64_t n0 = j / nb * nb, width = std::min(nb, Ng - n0);
                            int64_t wsum = 0;
                            for (uint64_t kk = 0; kk < K; ++kk) {
                                const int8_t v = l.weights[oc * K + kk];
                                if (packed) {  // row kk of the block: ceil(width/2) bytes
                                    const uint64_t row = weight_bytes(wprec, width);
                                    const uint64_t at_w = g * K * Ng +
                                                          (n0 / nb) * K * weight_bytes(wprec, nb) +
                                                          kk * row + (j - n0) / 2;
                                    const auto nib = static_cast<uint8_t>(v & 0xf);
                                    w[at_w] = static_cast<uint8_t>(
                                        (j - n0) % 2 == 0 ? (w[at_w] & 0xf0) | nib
                                                          : (w[at_w] & 0x0f) | (nib << 4));
                                } else {
                                    const uint64_t at_w =
                                        depthwise ? oc * K + kk
                                                  : g * K * Ng + n0 * K + kk * width + (j - n0);
                                    w[at_w] = static_cast<uint8_t>(v);
                                }
                                wsum += v;
                            }
                            const int64_t folded =
                                int64_t{l.bias[oc]} - int64_t{l.input.zero_point} * wsum;
                            put<uint32_t>(bias, oc * 4, static_cast<uint32_t>(folded));
                        }
                        image(d.weight_addr, std::move(w));
                        image(d.bias_addr, std::move(bias));
                    }
                    prog.layers.back() = d;
                    if (depthwise) {
                        mapping = emit_window(sch, l, hw, isa::VectorOp::kDepthwise, d.input_addr,
                                              d.output_addr, d.weight_addr, d.bias_addr);
                        break;
                    }
                    mapping = emit_on_array(sch);
                    break;
                }
                case graph::OpKind::kMatmul: {
                    d.a_zero_point = l.input_quant.at(0).zero_point;
                    d.b_zero_point = l.input_quant.at(1).zero_point;
                    d.in_h = static_cast<int32_t>(l.mm_m);
                    d.in_w = 1;
                    d.in_c = static_cast<int32_t>(l.mm_k);
                    d.out_h = static_cast<int32_t>(l.mm_m);
                    d.out_w = 1;
                    d.out_c = static_cast<int32_t>(l.mm_n);
                    d.kernel_h = d.kernel_w = d.stride_h = d.stride_w = 1;
                    d.dilation_h = d.dilation_w = 1;
                    d.pad_top = d.pad_left = 0;
                    d.in_zero_point = d.a_zero_point;
                    prog.layers.back() = d;
                    mapping = emit_on_array(sch);
                    break;
                }
                case graph::OpKind::kAdd:
                case graph::OpKind::kMul:
                    d.in2_zero_point = l.input_quant.at(1).zero_point;
                    prog.layers.back() = d;
                    mapping =
                        emit_elementwise(sch, l, hw, d.input_addr, input_addr(1), d.output_addr,
                                         elements(l.out_shape), l.out_shape.back());
                    break;
                case graph::OpKind::kMaxPool:
                case graph::OpKind::kAvgPool:
                case graph::OpKind::kGlobalAvgPool:
                    mapping =
                        emit_window(sch, l, hw,
                                    l.kind == graph::OpKind::kMaxPool ? isa::VectorOp::kMaxPool
                                                                      : isa::VectorOp::kAvgPool,
                                    d.input_addr, d.output_addr, 0, 0);
                    break;
                case graph::OpKind::kSoftmax:
                case graph::OpKind::kLayerNorm:
                case graph::OpKind::kRmsNorm:
                case graph::OpKind::kGelu:
                case graph::OpKind::kSilu:
                case graph::OpKind::kLookup: {
                    const isa::VectorOp op =
                        l.kind == graph::OpKind::kSoftmax     ? isa::VectorOp::kSoftmax
                        : l.kind == graph::OpKind::kLayerNorm ? isa::VectorOp::kLayerNorm
                        : l.kind == graph::OpKind::kRmsNorm   ? isa::VectorOp::kRmsNorm
                                                              : isa::VectorOp::kLut;
                    const int64_t len = l.out_shape.back();
                    const int64_t rows = elements(l.out_shape) / len;
                    mapping = emit_rows(sch, l, hw, op, d.input_addr, rows, len, d.output_addr,
                                        uint64_t(len), 0);
                    break;
                }
                case graph::OpKind::kConcat: {
                    const int64_t total = l.out_shape.back();
                    const int64_t rows = elements(l.out_shape) / total;
                    int64_t offset = 0;
                    for (size_t i = 0; i < inputs.size(); ++i) {
                        const int64_t len = shape_of.at(inputs[i]).back();
                        mapping = emit_rows(sch, l, hw, isa::VectorOp::kCopy, input_addr(i), rows,
                                            len, d.output_addr, uint64_t(total), uint64_t(offset));
                        offset += len;
                    }
                    break;
                }
                case graph::OpKind::kReshape:
                    mapping = "view (no data moved)";
                    break;
            }
            prog.layers.back().mapping = mapping;
        } catch (const UserError& e) {
            for (Diagnostic dg : e.diagnostics()) {
                dg.file = wl.source_file;
                dg.line = l.source_line;
                dg.col = l.source_col;
                dg.key = "layers[" + std::to_string(li) + "]";
                problems.add(std::move(dg));
            }
            prog.instrs.resize(first_instr);
        }
        sch.finish();
    }
    problems.throw_if_any();
    prog.dram_bytes_used = at - options.dram_base;
    if (prog.dram_bytes_used > prog.dram_size) {
        // The config is what would have to change: blame its key, where it was set.
        const cfg::KeySource where = hw.source_of("dram.size");
        throw UserError(Diagnostic{where.file, where.line, where.col, "dram.size",
                                   "expected at least the " + std::to_string(prog.dram_bytes_used) +
                                       " B of DRAM that workload '" + wl.name +
                                       "' needs (weights, inputs and every tensor), found " +
                                       std::to_string(prog.dram_size) + " B"});
    }
    return prog;
}

// The end of the scratchpad bytes each layer's own buffers use (its working set).
std::vector<uint64_t> high_water(const isa::Program& p) {
    std::vector<uint64_t> hw(p.layers.size(), 0);
    const auto reach = [&](size_t layer, uint64_t addr, uint64_t len) {
        if (len > 0) hw[layer] = std::max(hw[layer], addr + len);
    };
    for (const isa::Instr& in : p.instrs) {
        const isa::LayerDesc& d = p.layers[in.layer];
        const uint64_t eb = d.elem_bytes();
        const uint64_t row_bytes = uint64_t(d.in_w) * uint64_t(d.in_c) * eb;
        switch (in.op) {
            case isa::Opcode::kLoad:
            case isa::Opcode::kStore:
                if (in.xfer.rows > 0) {
                    reach(in.layer, in.xfer.sram_addr,
                          uint64_t(in.xfer.rows - 1) * in.xfer.sram_stride + in.xfer.row_bytes);
                }
                break;
            case isa::Opcode::kCompute:
                reach(in.layer, in.comp.slab_addr, uint64_t(in.comp.slab_rows) * row_bytes);
                reach(in.layer, in.comp.w_addr,
                      d.w_block_bytes(in.comp.k, in.comp.n, in.comp.w_transposed));
                reach(in.layer, in.comp.bias_addr, uint64_t(in.comp.n) * 4);
                break;
            case isa::Opcode::kVector: {
                const isa::Vector& v = in.vec;
                const uint64_t flat = uint64_t(v.rows) * uint64_t(v.len) * eb;
                reach(in.layer, v.x_addr, flat);
                reach(in.layer, v.y_addr, flat);
                reach(in.layer, v.out_addr, flat);
                reach(in.layer, v.slab_addr,
                      uint64_t(v.slab_rows) * uint64_t(d.in_w) *
                          uint64_t(v.slab_c > 0 ? v.slab_c : d.in_c) * eb);
                reach(in.layer, v.w_addr,
                      d.dw_weight_bytes(int64_t{v.n} * d.kernel_h * d.kernel_w));
                reach(in.layer, v.bias_addr, uint64_t(v.n) * 4);
                break;
            }
            case isa::Opcode::kPostproc:
                reach(in.layer, in.post.out_addr, uint64_t(in.post.m) * uint64_t(in.post.n) * eb);
                break;
            case isa::Opcode::kSync:
                break;
        }
    }
    return hw;
}

}  // namespace

isa::Program compile(const graph::Workload& wl, const cfg::HwConfig& hw,
                     const CompileOptions& options) {
    std::vector<ArrayChoice> choices;
    if (!options.onchip_activations) return compile_pass(wl, hw, options, {}, choices);
    // Pass 1 with every tensor in DRAM gives each layer's working set.
    CompileOptions timing = options;
    timing.with_data = false;
    const isa::Program first = compile_pass(wl, hw, timing, {}, choices);
    const std::vector<uint64_t> work = high_water(first);

    // Lifetimes: a layer output lives from its producer to its last reader (a reshape is a view:
    // its readers read the underlying tensor). Outputs nobody reads are the network's results
    // and go to DRAM, as do declared inputs.
    std::map<std::string, std::string> base;  // reshape output -> the tensor it views
    std::map<std::string, size_t> producer, last_reader;
    std::string previous = wl.inputs.empty() ? "input" : wl.inputs.front().name;
    const auto root = [&](std::string n) {
        for (auto it = base.find(n); it != base.end(); it = base.find(n)) n = it->second;
        return n;
    };
    for (size_t li = 0; li < wl.layers.size(); ++li) {
        const graph::Layer& l = wl.layers[li];
        const std::vector<std::string> ins =
            l.inputs.empty() ? std::vector<std::string>{previous} : l.inputs;
        for (const std::string& n : ins) last_reader[root(n)] = li;
        if (l.kind == graph::OpKind::kReshape) {
            base[l.name] = ins.front();
        } else {
            producer[l.name] = li;
        }
        previous = l.name;
    }
    // First fit from the top of the scratchpad, above the working set of every layer that runs
    // while the tensor is alive, clear of every other resident tensor alive at the same time.
    struct Placed {
        uint64_t addr, size;
        size_t from, to;
    };
    std::vector<Placed> placed;
    std::map<std::string, uint64_t> onchip;
    const uint64_t top = hw.scratchpad.size_bytes;
    for (size_t li = 0; li < wl.layers.size(); ++li) {
        const graph::Layer& l = wl.layers[li];
        const auto r = last_reader.find(l.name);
        if (!producer.count(l.name) || r == last_reader.end()) continue;
        const size_t from = li, to = r->second;
        const uint64_t size =
            static_cast<uint64_t>(l.output_elems()) * act_bytes(precision_of(l, hw));
        uint64_t floor = 0;
        for (size_t k = from; k <= to; ++k) floor = std::max(floor, work[k]);
        floor = align_up(floor, kSramAlign);
        if (size + floor > top) continue;
        // Candidates: right under the top, or right under a tensor alive at the same time.
        const auto clashes = [&](uint64_t a) {
            for (const Placed& p : placed) {
                if (p.from <= to && from <= p.to && a < p.addr + p.size && p.addr < a + size) {
                    return true;
                }
            }
            return false;
        };
        std::vector<uint64_t> candidates{(top - size) / kSramAlign * kSramAlign};
        for (const Placed& p : placed) {
            if (p.addr >= size) candidates.push_back((p.addr - size) / kSramAlign * kSramAlign);
        }
        std::sort(candidates.rbegin(), candidates.rend());
        uint64_t a = UINT64_MAX;
        for (uint64_t c : candidates) {
            if (c >= floor && !clashes(c)) {
                a = c;
                break;
            }
        }
        if (a == UINT64_MAX) continue;
        placed.push_back({a, size, from, to});
        onchip[l.name] = a;
    }
    return compile_pass(wl, hw, options, onchip, choices);
}

}  // namespace npu::compiler

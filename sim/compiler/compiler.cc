#include "sim/compiler/compiler.h"

#include <algorithm>
#include <sstream>

#include "sim/core/error.h"

namespace npu::compiler {
namespace {

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

uint32_t max_slab_bytes(const graph::Layer& l, int32_t rows_per_block) {
    int32_t worst = 0;
    for (int32_t oh0 = 0; oh0 < l.out_h(); oh0 += rows_per_block) {
        worst = std::max(worst, slab_rows(l, oh0, std::min(l.out_h(), oh0 + rows_per_block)).count);
    }
    return static_cast<uint32_t>(int64_t{worst} * l.in_w * l.in_c);
}

uint32_t aligned(uint64_t bytes) { return static_cast<uint32_t>(align_up(bytes, kSramAlign)); }

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
    os << to_string(df) << " m-block " << mb << " (" << out_rows_per_block
       << " out rows) x n-block " << nb << " x k-chunk " << kb << "; " << m_blocks << "x"
       << n_blocks << "x" << k_chunks << " blocks; spad 2x(slab " << slab_bytes << " + w "
       << w_bytes << " + bias " << bias_bytes << " + out " << out_bytes << ") B, acc 2x"
       << acc_bytes << " B";
    return os.str();
}

LayerMapping choose_mapping(const graph::Layer& l, const cfg::HwConfig& hw) {
    LayerMapping mp;
    mp.m = l.out_pixels();
    mp.k = l.reduction();
    mp.n = l.out_c;
    const int32_t rows = hw.array.rows;
    mp.nb = static_cast<int32_t>(std::min<int64_t>(hw.array.cols, mp.n));
    const int32_t out_w = l.out_w();
    const auto set_rows = [&](int32_t r) {
        mp.out_rows_per_block = r;
        mp.mb = int64_t{r} * out_w;
        mp.slab_bytes = max_slab_bytes(l, r);
        mp.out_bytes = static_cast<uint32_t>(mp.mb * mp.nb);
        mp.acc_bytes = static_cast<uint32_t>(mp.mb * mp.nb * 4);
    };
    const auto set_kb = [&](int64_t kb) {
        mp.kb = kb;
        mp.w_bytes = static_cast<uint32_t>(kb * mp.nb);
        mp.bias_bytes = static_cast<uint32_t>(mp.nb * 4);
    };
    Placement how = Placement::kBankExclusive;
    const auto fits = [&]() { return place(mp, hw, how).has_value(); };

    // For the first placement (best first) under which one output row fits: the largest k-chunk
    // (whole reduction first; for ws a multiple of the array rows), then as many output rows as
    // fit. fits() is monotone in the k-chunk, but not in the rows: with padding wider than the
    // stride, blocks of r rows can need a taller slab than blocks of r + 1 (a 5x5 "same" conv over
    // 8 rows: 3 rows per block read 7 input rows, 4 read 6), so the rows are scanned, not bisected.
    const int64_t k_unit = hw.array.dataflow == Dataflow::kWeightStationary ? rows : 1;
    bool found = false;
    for (Placement p : {Placement::kBankExclusive, Placement::kHalves, Placement::kPacked}) {
        how = p;
        int64_t kb = mp.k;
        set_rows(1);
        set_kb(kb);
        while (!fits() && kb > k_unit) {
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
    if (!found) {
        std::ostringstream os;
        os << "layer '" << l.name << "' (" << l.shape_string()
           << ") does not fit on chip: the smallest double-buffered mapping (1 output row of "
           << out_w << " pixels, " << mp.nb << " channels, k-chunk " << mp.kb << ") needs "
           << spad_need(mp) << " B of scratchpad (has " << hw.scratchpad.size_bytes << ") and "
           << 2 * uint64_t{mp.acc_bytes} << " B of accumulator (has " << hw.accumulator.size_bytes
           << ")";
        throw UserError(Diagnostic{"", 0, 0, "", os.str()});
    }
    mp.placement = how;
    int32_t lo = l.out_h();  // one row fits (found above)
    for (; lo > 1; --lo) {
        set_rows(lo);
        if (fits()) break;
    }
    set_rows(lo);
    mp.m_blocks = ceil_div(l.out_h(), lo);
    mp.n_blocks = ceil_div(mp.n, mp.nb);
    mp.k_chunks = ceil_div(mp.k, mp.kb);
    return mp;
}

namespace {

class Emitter {
  public:
    explicit Emitter(isa::Program& p) : m_p(p) {}
    isa::Instr& add(isa::Opcode op, uint16_t layer) {
        isa::Instr in;
        in.id = static_cast<uint32_t>(m_p.instrs.size());
        in.op = op;
        in.layer = layer;
        m_p.instrs.push_back(in);
        return m_p.instrs.back();
    }

  private:
    isa::Program& m_p;
};

void emit_layer(const graph::Layer& l, const LayerMapping& mp, const isa::LayerDesc& d,
                const cfg::HwConfig& hw, uint16_t li, isa::Program& prog) {
    Emitter em(prog);
    const Buffers buf = *place(mp, hw, mp.placement);
    const int64_t steps = mp.m_blocks * mp.n_blocks * mp.k_chunks;
    const int64_t pairs = mp.m_blocks * mp.n_blocks;
    int64_t s = 0, p = 0;
    for (int64_t b = 0; b < mp.m_blocks; ++b) {
        const int32_t oh0 = static_cast<int32_t>(b * mp.out_rows_per_block);
        const int32_t oh1 = std::min(l.out_h(), oh0 + mp.out_rows_per_block);
        const int64_t m0 = int64_t{oh0} * l.out_w();
        const int32_t m = static_cast<int32_t>(int64_t{oh1 - oh0} * l.out_w());
        const RowSpan slab = slab_rows(l, oh0, oh1);
        const uint32_t slab_addr = buf.slab[b % 2];
        for (int64_t j = 0; j < mp.n_blocks; ++j, ++p) {
            const int32_t n0 = static_cast<int32_t>(j * mp.nb);
            const int32_t n = static_cast<int32_t>(std::min<int64_t>(mp.nb, mp.n - n0));
            for (int64_t c = 0; c < mp.k_chunks; ++c, ++s) {
                const int64_t k0 = c * mp.kb;
                const int32_t k = static_cast<int32_t>(std::min<int64_t>(mp.kb, mp.k - k0));
                const size_t first_load = prog.instrs.size();
                if (j == 0 && c == 0) {
                    isa::Instr& in = em.add(isa::Opcode::kLoad, li);
                    const uint64_t row_bytes = uint64_t(l.in_w) * uint64_t(l.in_c);
                    in.xfer = {d.input_addr + uint64_t(slab.first) * row_bytes,
                               row_bytes,
                               slab_addr,
                               static_cast<uint32_t>(row_bytes),
                               static_cast<uint32_t>(slab.count),
                               static_cast<uint32_t>(row_bytes)};
                }
                if (c == 0) {
                    isa::Instr& in = em.add(isa::Opcode::kLoad, li);
                    in.xfer = {d.bias_addr + uint64_t(n0) * 4,
                               uint64_t(n) * 4,
                               buf.bias[p % 2],
                               static_cast<uint32_t>(n) * 4,
                               1,
                               static_cast<uint32_t>(n) * 4};
                }
                {
                    isa::Instr& in = em.add(isa::Opcode::kLoad, li);
                    // Weights are pre-tiled per n-block (see compile()): one contiguous run.
                    in.xfer = {
                        d.weight_addr + uint64_t(n0) * uint64_t(mp.k) + uint64_t(k0) * uint64_t(n),
                        uint64_t(n),
                        buf.w[s % 2],
                        static_cast<uint32_t>(n),
                        static_cast<uint32_t>(k),
                        static_cast<uint32_t>(n)};
                }
                // Buffer reuse: step s's buffers were last used by step s-2 (see header).
                prog.instrs[first_load].deps.pop_next = s >= 2;
                prog.instrs.back().deps.push_next = true;

                isa::Instr& cin = em.add(isa::Opcode::kCompute, li);
                isa::Compute& cc = cin.comp;
                cc.m0 = m0;
                cc.m = m;
                cc.k0 = k0;
                cc.k = k;
                cc.n0 = n0;
                cc.n = n;
                cc.slab_addr = slab_addr;
                cc.slab_row0 = slab.first;
                cc.slab_rows = slab.count;
                cc.w_addr = buf.w[s % 2];
                cc.bias_addr = buf.bias[p % 2];
                cc.acc_addr = buf.acc[p % 2];
                cc.accumulate = c > 0;
                cin.deps.pop_prev = true;
                cin.deps.push_prev = s + 2 < steps;
                cin.deps.pop_next = c == 0 && p >= 2;
                cin.deps.push_next = c + 1 == mp.k_chunks;
            }
            isa::Instr& pin = em.add(isa::Opcode::kPostproc, li);
            pin.post = {buf.acc[p % 2], buf.out[p % 2], m, n0, n};
            pin.deps.pop_prev = true;
            pin.deps.push_prev = p + 2 < pairs;
            isa::Instr& sin = em.add(isa::Opcode::kStore, li);
            sin.xfer = {d.output_addr + uint64_t(m0) * uint64_t(mp.n) + uint64_t(n0),
                        uint64_t(mp.n),
                        buf.out[p % 2],
                        static_cast<uint32_t>(n),
                        static_cast<uint32_t>(m),
                        static_cast<uint32_t>(n)};
        }
    }
    em.add(isa::Opcode::kSync, li);
}

template <typename T>
void put(std::vector<uint8_t>& bytes, size_t at, T v) {
    for (size_t i = 0; i < sizeof(T); ++i) {
        bytes[at + i] = static_cast<uint8_t>(static_cast<uint64_t>(v) >> (8 * i));
    }
}

}  // namespace

isa::Program compile(const graph::Workload& wl, const cfg::HwConfig& hw,
                     const CompileOptions& options) {
    isa::Program prog;
    uint64_t at = 0;
    auto take = [&at](uint64_t bytes) {
        const uint64_t here = at;
        at = align_up(at + bytes, kDramAlign);
        return here;
    };
    const uint64_t input_bytes = wl.layers.empty() ? 0 : uint64_t(wl.layers[0].input_elems());
    uint64_t input_addr = take(input_bytes);
    if (options.with_data && !wl.input.empty()) {
        prog.dram_image.push_back(
            {input_addr, std::vector<uint8_t>(wl.input.begin(), wl.input.end())});
    }
    std::vector<LayerMapping> mappings;
    DiagnosticList problems;
    for (size_t i = 0; i < wl.layers.size(); ++i) {
        try {
            mappings.push_back(choose_mapping(wl.layers[i], hw));
        } catch (const UserError& e) {
            for (Diagnostic d : e.diagnostics()) {
                d.file = wl.source_file;
                d.key = "layers[" + std::to_string(i) + "]";
                problems.add(std::move(d));
            }
        }
    }
    problems.throw_if_any();

    for (size_t li = 0; li < wl.layers.size(); ++li) {
        const graph::Layer& l = wl.layers[li];
        const LayerMapping& mp = mappings[li];
        isa::LayerDesc d;
        d.name = l.name;
        d.op = graph::to_string(l.kind);
        d.shape = l.dims_string();
        d.mapping = mp.summary(hw.array.dataflow);
        d.in_h = l.in_h;
        d.in_w = l.in_w;
        d.in_c = l.in_c;
        d.out_h = l.out_h();
        d.out_w = l.out_w();
        d.out_c = l.out_c;
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
        d.macs = static_cast<uint64_t>(l.macs());
        d.input_addr = input_addr;
        const uint64_t k = static_cast<uint64_t>(mp.k), n = static_cast<uint64_t>(mp.n);
        d.weight_addr = take(k * n);
        d.bias_addr = take(n * 4);
        d.output_addr = take(static_cast<uint64_t>(l.output_elems()));
        input_addr = d.output_addr;

        if (options.with_data) {
            // Weights OHWI -> one K-major [K][nb] block per n-block, blocks in order (so every
            // k-chunk of an n-block is contiguous in DRAM; k = (kh*KW + kw)*IC + ic, the OHWI
            // inner order), and the input zero point folded into the bias:
            // sum (x - zp) w = sum x w - zp sum w.
            std::vector<uint8_t> w(k * n);
            std::vector<int64_t> wsum(n, 0);
            const uint64_t nb = static_cast<uint64_t>(mp.nb);
            for (uint64_t oc = 0; oc < n; ++oc) {
                const uint64_t n0 = oc / nb * nb;
                const uint64_t width = std::min(nb, n - n0);
                for (uint64_t kk = 0; kk < k; ++kk) {
                    const int8_t v = l.weights[oc * k + kk];
                    w[n0 * k + kk * width + (oc - n0)] = static_cast<uint8_t>(v);
                    wsum[oc] += v;
                }
            }
            std::vector<uint8_t> bias(n * 4);
            for (uint64_t oc = 0; oc < n; ++oc) {
                const int64_t folded = int64_t{l.bias[oc]} - int64_t{l.input.zero_point} * wsum[oc];
                put<uint32_t>(bias, oc * 4, static_cast<uint32_t>(folded));
            }
            prog.dram_image.push_back({d.weight_addr, std::move(w)});
            prog.dram_image.push_back({d.bias_addr, std::move(bias)});
        }
        prog.layers.push_back(d);
        emit_layer(l, mp, d, hw, static_cast<uint16_t>(li), prog);
    }
    prog.dram_bytes_used = at;
    if (at > hw.dram.size_bytes) {
        throw UserError(Diagnostic{wl.source_file, 0, 0, "dram.size",
                                   "the workload needs " + std::to_string(at) +
                                       " B of DRAM, the config has " +
                                       std::to_string(hw.dram.size_bytes)});
    }
    return prog;
}

}  // namespace npu::compiler

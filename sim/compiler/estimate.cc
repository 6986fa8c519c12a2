#include "sim/compiler/estimate.h"

#include <algorithm>

#include "sim/compiler/tiling.h"
#include "sim/energy/energy_model.h"

namespace npu::compiler {
namespace {

bool same(const timing::TileShape& a, const timing::TileShape& b) {
    return a.m == b.m && a.k == b.k && a.n == b.n;
}

// The MACs of a layer at precision p, in Counters' split (int8: macs alone).
void count_macs(stats::Counters& c, Precision p, uint64_t macs) {
    c.macs += macs;
    switch (p) {
        case Precision::kInt4:
            c.macs_int4 += macs;
            break;
        case Precision::kBf16:
            c.macs_bf16 += macs;
            break;
        case Precision::kFp16:
            c.macs_fp16 += macs;
            break;
        case Precision::kFp32:
            c.macs_fp32 += macs;
            break;
        default:
            break;
    }
}

// What one COMPUTE of m x k x n costs the memories, tile by tile as the compute engine splits it
// (models/engines/compute_engine.cc): each tile of sm x sk reads sm x sk activations, its weight
// rows (a transposed chunk whole) and, when it starts the sums, the n biases from the
// scratchpad, writes its sm x n sums to the accumulators and reads them back when it adds to
// them. ws: tiles of k <= rows (all m); os: tiles of m <= rows (all k).
void count_compute(stats::Counters& c, const isa::LayerDesc& L, bool ws, int rows, int64_t m,
                   int64_t k, int64_t n, bool accumulate, bool w_transposed) {
    const uint64_t tiles = uint64_t(ceil_div(ws ? k : m, rows));
    const uint64_t sums = uint64_t(m) * uint64_t(n) * 4;  // one pass over every sum
    // ws: every tile holds all m rows; os: the tiles together hold them once.
    const uint64_t acc_passes = ws ? tiles : 1;
    // Tiles that start the sums: ws the first (k0 = 0), os every one (each has all of k).
    const uint64_t bias_tiles = accumulate ? 0 : (ws ? 1 : tiles);
    const uint64_t w_reads = w_transposed ? tiles * L.w_block_bytes(k, n, true)
                             : ws         ? L.w_block_bytes(k, n, false)
                                          : tiles * L.w_block_bytes(k, n, false);
    c.spad_read_bytes +=
        uint64_t(m) * uint64_t(k) * L.elem_bytes() + w_reads + bias_tiles * uint64_t(n) * 4;
    c.acc_write_bytes += acc_passes * sums;
    // ws: every tile after the first adds (and the first too when accumulating); os: one pass.
    c.acc_read_bytes += ws ? (accumulate ? tiles : tiles - 1) * sums : (accumulate ? sums : 0);
    count_macs(c, L.precision, uint64_t(m) * uint64_t(k) * uint64_t(n));
}

// One POST of m x n sums (models/units/ppu.cc): the sums read, the results written to the
// scratchpad, requantized by an integer layer.
void count_post(stats::Counters& c, const isa::LayerDesc& L, RequantMode requant, int64_t m,
                int64_t n) {
    const uint64_t elems = uint64_t(m) * uint64_t(n);
    c.acc_read_bytes += elems * 4;
    c.spad_write_bytes += elems * L.elem_bytes();
    c.postproc_elements += elems;
    if (!is_float(L.precision)) {
        (requant == RequantMode::kFloat32 ? c.requant_float32_elements
                                          : c.requant_fixed_point_elements) += elems;
    }
}

// The transfers: a LOAD reads DRAM and writes the scratchpad, a STORE the other way round.
void count_transfers(stats::Counters& c, uint64_t loaded, uint64_t stored) {
    c.dram_read_bytes += loaded;
    c.spad_write_bytes += loaded;
    c.dram_write_bytes += stored;
    c.spad_read_bytes += stored;
}

}  // namespace

uint64_t memory_cycles(uint64_t bytes, const cfg::HwConfig& hw) {
    return static_cast<uint64_t>(static_cast<double>(bytes) / hw.dram_bytes_per_cycle());
}

double energy_pj(const Estimate& e, const cfg::HwConfig& hw) {
    return energy::price(e.counters, e.cycles, hw.clock_hz, hw.energy).total_pj();
}

bool better(const Estimate& a, const Estimate& b, const cfg::HwConfig& hw) {
    double ca = 0, cb = 0;
    switch (hw.compiler.objective) {
        case Objective::kLatency:
            return a < b;
        case Objective::kEnergy:
            ca = energy_pj(a, hw);
            cb = energy_pj(b, hw);
            break;
        case Objective::kEdp:
            ca = energy_pj(a, hw) * static_cast<double>(a.cycles);
            cb = energy_pj(b, hw) * static_cast<double>(b.cycles);
            break;
    }
    return ca != cb ? ca < cb : a < b;
}

TileRuns::TileRuns(const timing::ArrayGeometry& geometry) : m_geo(geometry) {}

uint64_t TileRuns::delta(const timing::TileShape& prev, const timing::TileShape& shape) {
    for (const Step& s : m_steps) {
        if (same(s.prev, prev) && same(s.shape, shape)) return s.delta;
    }
    const auto model = timing::make_fast_array(m_geo);
    const uint64_t a = model->issue(prev, 0, nullptr).stream_begin;
    const uint64_t b = model->issue(shape, 0, nullptr).stream_begin;
    m_steps.push_back({prev, shape, b - a});
    return b - a;
}

const TileRuns::Alone& TileRuns::alone(const timing::TileShape& shape) {
    for (const Alone& a : m_alone) {
        if (same(a.shape, shape)) return a;
    }
    const timing::TileTiming t = timing::make_fast_array(m_geo)->issue(shape, 0, nullptr);
    m_alone.push_back({shape, t.stream_begin, t.out_end - t.stream_begin});
    return m_alone.back();
}

void TileRuns::add(const timing::TileShape& shape, uint64_t count) {
    if (count == 0) return;
    const uint64_t first = m_has_prev ? m_prev_start + delta(m_prev, shape) : alone(shape).start;
    const uint64_t last = count > 1 ? first + (count - 1) * delta(shape, shape) : first;
    const uint64_t span = alone(shape).span;
    m_end = std::max({m_end, first + span, last + span});
    m_has_prev = true;
    m_prev = shape;
    m_prev_start = last;
}

Estimate estimate(const LoweredLayer& x, const ArrayPlan& plan, const cfg::HwConfig& hw) {
    const graph::Layer& g = x.gemm();
    const LayerMapping& mp = plan.mapping;
    const bool matmul = x.layer->kind == graph::OpKind::kMatmul;
    const int64_t repeats = matmul ? x.layer->heads : x.groups;  // heads or groups, one by one
    const auto samples = static_cast<uint64_t>(x.samples);       // images, one by one
    const bool ws = plan.dataflow == Dataflow::kWeightStationary;
    const int cpm = std::max(1, x.desc.cycles_per_mac);
    const int rows = hw.array.rows;

    // Bytes of one repetition of one image (emit.cc, emit_gemm): per m-block its slab; per
    // m-block and n-block the bias and every weight chunk; per m-block and n-block the output
    // block. With the n-blocks outermost (one k-chunk): every slab once per n-block, the bias and
    // the weights once for all images. With the k-chunks outermost: every slab once per k-chunk
    // (plain rows of K: each chunk's columns, so every slab once), the bias and the weights once
    // per image.
    const uint64_t a_row = uint64_t(g.in_w) * uint64_t(g.in_c) * x.ab;
    uint64_t slab_bytes = 0;
    for (int64_t b = 0; b < mp.m_blocks; ++b) {
        const int32_t oh0 = static_cast<int32_t>(b * mp.out_rows_per_block);
        const int32_t oh1 = std::min(g.out_h(), oh0 + mp.out_rows_per_block);
        slab_bytes += uint64_t(slab_rows(g, oh0, oh1).count) * a_row;
    }
    const int64_t last_n = mp.n - (mp.n_blocks - 1) * mp.nb;
    // Pre-tiled weights: each chunk is k rows of weight_bytes(n) (int4 packs two per byte); a
    // matmul's B is an activation tensor: k x n elements either way round.
    const uint64_t w_row_sum =
        matmul ? uint64_t(mp.n) * x.ab
               : uint64_t(mp.n_blocks - 1) * weight_bytes(x.wprec, uint64_t(mp.nb)) +
                     weight_bytes(x.wprec, uint64_t(last_n));
    const uint64_t out_bytes = uint64_t(mp.m) * uint64_t(mp.n) * x.ab;
    const uint64_t per_repeat_stored = samples * out_bytes;
    uint64_t per_repeat = 0;
    switch (plan.order) {
        case LoopOrder::kM:
            per_repeat = samples * (slab_bytes + uint64_t(mp.m_blocks) * uint64_t(mp.n) * 4 +
                                    uint64_t(mp.m_blocks) * uint64_t(mp.k) * w_row_sum + out_bytes);
            break;
        case LoopOrder::kN:
            per_repeat = samples * (uint64_t(mp.n_blocks) * slab_bytes + out_bytes) +
                         uint64_t(mp.n) * 4 + uint64_t(mp.k) * w_row_sum;
            break;
        case LoopOrder::kK:  // a slab of plain rows of K: each chunk's columns, once in all
            per_repeat =
                samples * ((slab_is_columns(g, x.groups) ? 1 : uint64_t(mp.k_chunks)) * slab_bytes +
                           uint64_t(mp.n) * 4 + uint64_t(mp.k) * w_row_sum + out_bytes);
            break;
    }

    // The array: every COMPUTE (m-block x k-chunk x n-block) split into tiles as the compute
    // engine splits it: ws tiles of k <= array.rows (all m rows), os tiles of m <= array.rows
    // (all k), each stretched by the precision's cycles per MAC; in the order emit() issues them.
    TileRuns runs(
        {hw.array.rows, hw.array.cols, plan.dataflow, hw.array.pipelining, hw.array.timing});
    stats::Counters counts;
    const bool w_transposed = matmul && x.layer->transpose_b;
    const auto tiles = [&](int32_t m, int32_t k, int32_t n, bool accumulate) {
        count_compute(counts, x.desc, ws, rows, m, k, n, accumulate, w_transposed);
        const int32_t split = ws ? k : m;
        const auto tile = [&](int32_t part) {
            const timing::TileShape sh =
                ws ? timing::TileShape{m, part, n} : timing::TileShape{part, k, n};
            return timing::scaled_for_precision(sh, ws, cpm);
        };
        if (split >= rows) runs.add(tile(rows), uint64_t(split / rows));
        if (split % rows != 0) runs.add(tile(split % rows), 1);
    };
    const auto block_m = [&](int64_t b) {
        const int32_t oh0 = static_cast<int32_t>(b * mp.out_rows_per_block);
        const int32_t oh1 = std::min(g.out_h(), oh0 + mp.out_rows_per_block);
        return static_cast<int32_t>(int64_t{oh1 - oh0} * g.out_w());
    };
    const auto block_n = [&](int64_t j) {
        return static_cast<int32_t>(std::min<int64_t>(mp.nb, mp.n - j * mp.nb));
    };
    const auto chunk_k = [&](int64_t c) {
        return static_cast<int32_t>(std::min<int64_t>(mp.kb, mp.k - c * mp.kb));
    };
    if (plan.order == LoopOrder::kK) {  // per image and group: k-chunks, m-blocks, n-blocks
        for (uint64_t r = 0; r < samples * uint64_t(repeats); ++r) {
            for (int64_t c = 0; c < mp.k_chunks; ++c) {
                for (int64_t b = 0; b < mp.m_blocks; ++b) {
                    for (int64_t j = 0; j < mp.n_blocks; ++j) {
                        tiles(block_m(b), chunk_k(c), block_n(j), c > 0);
                        if (c + 1 == mp.k_chunks) {
                            count_post(counts, x.desc, hw.postproc.requant, block_m(b), block_n(j));
                        }
                    }
                }
            }
        }
    } else if (plan.order == LoopOrder::kN) {  // per group: n-blocks, then images and m-blocks
        for (int64_t r = 0; r < repeats; ++r) {
            for (int64_t j = 0; j < mp.n_blocks; ++j) {
                for (uint64_t s = 0; s < samples; ++s) {
                    for (int64_t b = 0; b < mp.m_blocks; ++b) {
                        tiles(block_m(b), static_cast<int32_t>(mp.k), block_n(j), false);
                        count_post(counts, x.desc, hw.postproc.requant, block_m(b), block_n(j));
                    }
                }
            }
        }
    } else {  // per image, per group or head: m-blocks, n-blocks, k-chunks
        for (uint64_t r = 0; r < samples * uint64_t(repeats); ++r) {
            for (int64_t b = 0; b < mp.m_blocks; ++b) {
                const int32_t m = block_m(b);
                for (int64_t j = 0; j < mp.n_blocks; ++j) {
                    const int32_t n = block_n(j);
                    for (int64_t c = 0; c < mp.k_chunks; ++c) {
                        tiles(m, chunk_k(c), n, c > 0);
                    }
                    count_post(counts, x.desc, hw.postproc.requant, m, n);
                }
            }
        }
    }
    const uint64_t bytes = per_repeat * uint64_t(repeats);
    const uint64_t stored = per_repeat_stored * uint64_t(repeats);
    count_transfers(counts, bytes - stored, stored);
    return {std::max(runs.end(), memory_cycles(bytes, hw)), bytes, counts};
}

Estimate estimate_program(const isa::Program& p, const cfg::HwConfig& hw, Dataflow dataflow,
                          const isa::LayerDesc& L) {
    const auto array = timing::make_fast_array(
        {hw.array.rows, hw.array.cols, dataflow, hw.array.pipelining, hw.array.timing});
    const bool ws = dataflow == Dataflow::kWeightStationary;
    const int cpm = std::max(1, L.cycles_per_mac);
    const uint64_t eb = L.elem_bytes();
    uint64_t end = 0, bytes = 0;
    stats::Counters n;
    for (const isa::Instr& in : p.instrs) {
        if (in.op == isa::Opcode::kLoad || in.op == isa::Opcode::kStore) {
            const uint64_t b = p.xfer(in).bytes();
            bytes += b;
            const bool load = in.op == isa::Opcode::kLoad;
            count_transfers(n, load ? b : 0, load ? 0 : b);
        }
        if (in.op == isa::Opcode::kPostproc) {
            count_post(n, L, hw.postproc.requant, p.post(in).m, p.post(in).n);
        }
        if (in.op != isa::Opcode::kCompute) continue;
        const isa::Compute& c = p.comp(in);
        const int tm = ws ? c.m : hw.array.rows, tk = ws ? hw.array.rows : c.k;
        for (int i0 = 0; i0 < c.m; i0 += tm) {
            for (int k0 = 0; k0 < c.k; k0 += tk) {
                const timing::TileShape sh{std::min(tm, c.m - i0), std::min(tk, c.k - k0), c.n};
                end = std::max(
                    end,
                    array->issue(timing::scaled_for_precision(sh, ws, cpm), 0, nullptr).done());
                // models/engines/compute_engine.cc, tile by tile.
                const bool add = c.accumulate || k0 > 0;
                const uint64_t acc_len = uint64_t(sh.m) * uint64_t(c.n) * 4;
                n.spad_read_bytes += uint64_t(sh.m) * uint64_t(sh.k) * eb +
                                     (c.w_transposed ? L.w_block_bytes(c.k, c.n, true)
                                                     : L.w_block_bytes(sh.k, c.n, false)) +
                                     (add ? 0 : uint64_t(c.n) * 4);
                n.acc_write_bytes += acc_len;
                if (add) n.acc_read_bytes += acc_len;
                count_macs(n, L.precision, uint64_t(sh.m) * uint64_t(sh.k) * uint64_t(sh.n));
            }
        }
    }
    return {std::max(end, memory_cycles(bytes, hw)), bytes, n};
}

std::vector<uint64_t> layer_cycles(const Lowered& lowered, const std::vector<LayerPlan>& plans,
                                   const isa::Program& emitted, const cfg::HwConfig& hw) {
    std::vector<uint64_t> bytes(lowered.layers.size(), 0);
    for (const isa::Instr& in : emitted.instrs) {
        if (in.op == isa::Opcode::kLoad || in.op == isa::Opcode::kStore) {
            bytes.at(in.layer) += emitted.xfer(in).bytes();
        }
    }
    std::vector<uint64_t> out(lowered.layers.size(), 0);
    for (size_t li = 0; li < out.size(); ++li) {
        const LoweredLayer& x = lowered.layers[li];
        out[li] = x.cls == LayerClass::kArray && plans.at(li).ok
                      ? estimate(x, plans[li].array, hw).cycles
                      : memory_cycles(bytes[li], hw);
    }
    return out;
}

Traffic program_traffic(const Emitted& e, const MemoryPlan& plan,
                        const std::vector<bool>& dropped) {
    Traffic t;
    const isa::Program& p = e.program;
    for (size_t i = 0; i < p.instrs.size(); ++i) {
        const uint32_t r = e.regions[i];
        if (r == kNoRegion || dropped[r]) continue;
        (plan.onchip[r] ? t.onchip : t.dram) += p.xfer(p.instrs[i]).bytes();
    }
    return t;
}

}  // namespace npu::compiler

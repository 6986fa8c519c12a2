#include "models/datapath/int_datapath.h"

#include <algorithm>
#include <climits>
#include <cstring>
#include <string>

#include "sim/core/error.h"
#include "sim/core/ppu_ops.h"
#include "sim/core/requant.h"
#include "sim/core/requant_f32.h"
#include "sim/kernels/gemm.h"
#include "sim/kernels/requant_rows.h"

namespace npu::datapath {

void IntDatapath::compute_block(const isa::Compute& c, const isa::LayerDesc& L, Memory mem,
                                Where where) {
    const timing::TileShape block{c.m, c.k, c.n};
    gather_a(c, L, 0, 0, c.m, c.k, mem, where);
    // B(j, kk) of the GEMM is W[kk][j], read in place (int4 rows unpacked first).
    const auto* w = reinterpret_cast<const int8_t*>(mem.spad + c.w_addr);
    const int64_t m = c.m, k = c.k, n = c.n;
    int64_t stride_n = c.w_transposed ? k : 1, stride_k = c.w_transposed ? 1 : n;
    if (L.weight_precision() == Precision::kInt4) {
        gather_w(L, c, 0, c.k, mem);
        w = m_w_tile.data();
        stride_n = 1;
        stride_k = n;
    }
    if (m <= kDirectRows && stride_n == 1) {
        direct_block(c, L, w, mem);
        return;
    }
    const Packed& packed = packed_weights(c, L, w, stride_n, stride_k);
    // The edge adders' zero-point correction (correct_zero_points) and the bias as the GEMM's
    // start values: sum_k (a - za)(w - zb) = sum_k a w - za sum_k w - zb sum_k a + k za zb, all
    // wrapping in 32 bits.
    const auto za = static_cast<uint32_t>(L.a_zero_point);
    const auto zb = static_cast<uint32_t>(L.b_zero_point);
    const auto* bias = reinterpret_cast<const int32_t*>(mem.spad + c.bias_addr);
    m_col_init.assign(size_t(n), 0);
    for (int64_t j = 0; j < n; ++j) {
        uint32_t v = c.accumulate ? 0u : static_cast<uint32_t>(bias[j]);
        if (za != 0) v += static_cast<uint32_t>(k) * za * zb - za * packed.col_sums[size_t(j)];
        m_col_init[size_t(j)] = static_cast<int32_t>(v);
    }
    const int32_t* row_init = nullptr;
    if (zb != 0) {
        m_row_init.resize(size_t(m));
        for (int64_t i = 0; i < m; ++i) {
            uint32_t sum = 0;
            for (int64_t kk = 0; kk < k; ++kk)
                sum += static_cast<uint32_t>(int32_t{m_a_tile[size_t(i * k + kk)]});
            m_row_init[size_t(i)] = static_cast<int32_t>(0u - zb * sum);
        }
        row_init = m_row_init.data();
    }
    auto* acc = reinterpret_cast<int32_t*>(mem.acc + c.acc_addr);
    if (!c.accumulate) {  // acc = bias + product, straight into the accumulators
        kernels::gemm(m_a_tile.data(), m, k, packed.b, m_col_init.data(), row_init, acc, n);
        return;
    }
    m_out_tile.resize(size_t(m * n));
    kernels::gemm(m_a_tile.data(), m, k, packed.b, m_col_init.data(), row_init, m_out_tile.data(),
                  n);
    accumulate_tile(c, 0, block, true, mem);
}

// A block of at most kDirectRows rows (a decode step's one token) with its weights K-major
// (W[kk][j], n contiguous bytes per kk): each weight meets so few rows that packing it for the
// GEMM's micro-kernel costs more than the product, so it is computed straight from the
// scratchpad, row by row, in the same wrapping int32 arithmetic (and the same start values:
// bias, the zero-point correction) as the packed path. Each product fits int16 (|a w| <= 2^14).
void IntDatapath::direct_block(const isa::Compute& c, const isa::LayerDesc& L, const int8_t* w,
                               Memory mem) {
    const int64_t m = c.m, k = c.k, n = c.n;
    const auto za = static_cast<uint32_t>(L.a_zero_point);
    const auto zb = static_cast<uint32_t>(L.b_zero_point);
    const auto* bias = reinterpret_cast<const int32_t*>(mem.spad + c.bias_addr);
    m_direct.resize(size_t(n));
    uint32_t* row = m_direct.data();
    // The column sums of W (mod 2^32), for the correction -za * sum_k w.
    m_col_sums.assign(size_t(n), 0);
    if (za != 0) {
        uint32_t* sums = m_col_sums.data();
        for (int64_t kk = 0; kk < k; ++kk) {
            const int8_t* wr = w + kk * n;
            for (int64_t j = 0; j < n; ++j) sums[j] += static_cast<uint32_t>(int32_t{wr[j]});
        }
    }
    const bool into_acc = !c.accumulate;  // acc = bias + product, else += product (below)
    if (!into_acc) m_out_tile.resize(size_t(m * n));
    auto* out = into_acc ? reinterpret_cast<int32_t*>(mem.acc + c.acc_addr) : m_out_tile.data();
    for (int64_t i = 0; i < m; ++i) {
        const int8_t* a = m_a_tile.data() + i * k;
        uint32_t r = 0;  // the correction -zb * sum_k a of row i
        if (zb != 0) {
            uint32_t sum = 0;
            for (int64_t kk = 0; kk < k; ++kk) sum += static_cast<uint32_t>(int32_t{a[kk]});
            r = 0u - zb * sum;
        }
        for (int64_t j = 0; j < n; ++j) {
            uint32_t v = c.accumulate ? 0u : static_cast<uint32_t>(bias[j]);
            if (za != 0) v += static_cast<uint32_t>(k) * za * zb - za * m_col_sums[size_t(j)];
            row[j] = v + r;
        }
        for (int64_t kk = 0; kk < k; ++kk) {
            const auto av = static_cast<int16_t>(a[kk]);
            const int8_t* wr = w + kk * n;
            for (int64_t j = 0; j < n; ++j) {
                row[j] += static_cast<uint32_t>(
                    int32_t{static_cast<int16_t>(av * static_cast<int16_t>(wr[j]))});
            }
        }
        for (int64_t j = 0; j < n; ++j) out[i * n + j] = static_cast<int32_t>(row[j]);
    }
    if (!into_acc) accumulate_tile(c, 0, timing::TileShape{c.m, c.k, c.n}, true, mem);
}

// The block's weights packed for the GEMM, with their column sums. A mapping that streams a
// layer's weights reloads each (k0, n0) block for every m-block: packing is done once per block
// and reused while the scratchpad holds the same bytes. Entries are keyed by the block's place
// in the layer and hold the bytes they were packed from; a reuse compares them with the
// scratchpad's (any difference: packed again), so the result never depends on the cache. A
// block is kept from its second use on (most mappings use each block once), the entries live
// until the layer changes, and at most kPackCacheBytes are kept.
const IntDatapath::Packed& IntDatapath::packed_weights(const isa::Compute& c,
                                                       const isa::LayerDesc& L, const int8_t* w,
                                                       int64_t stride_n, int64_t stride_k) {
    const int64_t k = c.k, n = c.n;
    const size_t bytes = size_t(k) * size_t(n);  // the block is contiguous, k x n or n x k
    const auto pack = [&](Packed& p) {
        kernels::pack_b(p.b, w, n, k, stride_n, stride_k);
        p.col_sums.assign(size_t(n), 0);
        if (L.a_zero_point == 0) return;
        for (int64_t j = 0; j < n; ++j) {
            uint32_t sum = 0;
            for (int64_t kk = 0; kk < k; ++kk)
                sum += static_cast<uint32_t>(int32_t{w[j * stride_n + kk * stride_k]});
            p.col_sums[size_t(j)] = sum;
        }
    };
    if (&L != m_cache_layer) {
        m_pack_cache.clear();
        m_pack_seen.clear();
        m_cache_bytes = 0;
        m_cache_layer = &L;
    }
    const BlockKey key{c.k0, c.n0, c.k, c.n, c.w_transposed};
    const auto it = m_pack_cache.find(key);
    if (it != m_pack_cache.end()) {
        Packed& e = *it->second;
        if (std::memcmp(e.source.data(), w, bytes) != 0) {
            e.source.assign(w, w + bytes);
            pack(e);
        }
        return e;
    }
    if (m_pack_seen.insert(key).second || m_cache_bytes + 3 * bytes > kPackCacheBytes) {
        pack(m_uncached);  // a first use (or a full cache): packed, not kept
        return m_uncached;
    }
    auto e = std::make_unique<Packed>();
    e->source.assign(w, w + bytes);
    pack(*e);
    m_cache_bytes += 3 * bytes;  // the source, the packed block (up to 2 bytes per weight)
    return *m_pack_cache.emplace(key, std::move(e)).first->second;
}

timing::TileData IntDatapath::pe_tile(const isa::Compute& c, const isa::LayerDesc& L, int i0,
                                      int k0, const timing::TileShape& sh, Memory mem,
                                      Where where) {
    gather_a(c, L, i0, k0, sh.m, sh.k, mem, where);
    gather_w(L, c, k0, sh.k, mem);
    m_out_tile.resize(size_t(sh.m) * size_t(sh.n));
    return {m_a_tile.data(), sh.k, m_w_tile.data(), sh.n, m_out_tile.data(), sh.n};
}

void IntDatapath::pe_finish(const isa::LayerDesc& L, const isa::Compute& c, int i0,
                            const timing::TileShape& sh, bool add_to_acc, Memory mem) {
    if (L.a_zero_point != 0 || L.b_zero_point != 0) correct_zero_points(L, sh);
    accumulate_tile(c, i0, sh, add_to_acc, mem);
}

void IntDatapath::postproc(const isa::Postproc& p, const isa::LayerDesc& L, Memory mem) const {
    const auto* acc = reinterpret_cast<const int32_t*>(mem.acc + p.acc_addr);
    auto* out = reinterpret_cast<int8_t*>(mem.spad + p.out_addr);
    if (p.out_stride != 0) {  // row by row, each at its stride
        isa::Postproc row = p;
        row.m = 1;
        row.out_stride = 0;
        for (int i = 0; i < p.m; ++i) {
            row.acc_addr = p.acc_addr + uint32_t(i) * uint32_t(p.n) * 4;
            row.out_addr = p.out_addr + uint32_t(i) * p.out_stride;
            postproc(row, L, mem);
        }
        return;
    }
    if (m_requant != RequantMode::kFloat32) {
        kernels::requantize_rows(acc, p.m, p.n, L.multiplier.data() + p.n0, L.shift.data() + p.n0,
                                 L.out_zero_point, L.act_min, L.act_max, m_rounding, out);
        return;
    }
    for (int i = 0; i < p.m; ++i) {
        for (int j = 0; j < p.n; ++j) {
            const size_t at = size_t(i) * size_t(p.n) + size_t(j);
            out[at] = static_cast<int8_t>(postprocess_f32(acc[at], size_t(p.n0 + j), L.f32,
                                                          L.out_zero_point, L.act_min, L.act_max));
        }
    }
}

// A operand rows [i0, i0+m) x reduction [k0, k0+k) of a COMPUTE block, through the im2col view
// of the slab (the input zero point for padding), into m_a_tile (row stride k). The channels of
// one kernel tap are contiguous in the slab: each tap's run is one copy (or one fill).
void IntDatapath::gather_a(const isa::Compute& c, const isa::LayerDesc& L, int i0, int k0, int m,
                           int k, Memory mem, Where where) {
    const size_t row_bytes = size_t(L.in_w) * size_t(L.in_c);
    m_a_tile.resize(size_t(m) * size_t(k));
    const int8_t zp = static_cast<int8_t>(L.in_zero_point);
    const auto* slab = reinterpret_cast<const int8_t*>(mem.spad + c.slab_addr);
    const int32_t cg = L.in_c / L.groups;  // k = (kh * KW + kw) * Cg + ic, channels from c0
    const int64_t kidx = c.k0 + k0;
    const auto ic0 = static_cast<int32_t>(kidx % cg);
    const auto kw0 = static_cast<int32_t>((kidx / cg) % L.kernel_w);
    const auto kh0 = static_cast<int32_t>(kidx / (int64_t{cg} * L.kernel_w));
    for (int i = 0; i < m; ++i) {
        const int64_t p = c.m0 + i0 + i;
        const auto oh = static_cast<int32_t>(p / L.out_w);
        const auto ow = static_cast<int32_t>(p % L.out_w);
        int8_t* dst = &m_a_tile[size_t(i) * size_t(k)];
        int32_t ic = ic0, kw = kw0, kh = kh0;
        for (int kk = 0; kk < k;) {
            const int run = std::min(k - kk, cg - ic);
            const int32_t ih = oh * L.stride_h - L.pad_top + kh * L.dilation_h;
            const int32_t iw = ow * L.stride_w - L.pad_left + kw * L.dilation_w;
            if (ih < 0 || ih >= L.in_h || iw < 0 || iw >= L.in_w) {
                std::memset(dst + kk, zp, size_t(run));  // padding carries the input zero point
            } else {
                const int32_t sr = ih - c.slab_row0;
                if (sr < 0 || sr >= c.slab_rows) {
                    throw ModelError(where.unit, where.cycle, where.instr,
                                     "input row " + std::to_string(ih) + " is not in the slab");
                }
                std::memcpy(
                    dst + kk,
                    slab + size_t(sr) * row_bytes + size_t(iw) * size_t(L.in_c) + size_t(c.c0 + ic),
                    size_t(run));
            }
            kk += run;
            ic = 0;
            if (++kw == L.kernel_w) {
                kw = 0;
                ++kh;
            }
        }
    }
}

// W rows [k0, k0+k) x the block's n columns into m_w_tile (k x n), through the transposer when
// the chunk is held n x k.
void IntDatapath::gather_w(const isa::LayerDesc& L, const isa::Compute& c, int k0, int k,
                           Memory mem) {
    m_w_tile.resize(size_t(k) * size_t(c.n));
    const auto* w = reinterpret_cast<const int8_t*>(mem.spad + c.w_addr);
    if (L.weight_precision() == Precision::kInt4) {
        // Rows of n weights packed two per byte, low nibble first; sign-extended on the way in.
        const size_t row = weight_bytes(Precision::kInt4, uint64_t(c.n));
        const auto* b = reinterpret_cast<const uint8_t*>(w);
        for (int kk = 0; kk < k; ++kk) {
            for (int j = 0; j < c.n; ++j) {
                const uint8_t byte = b[size_t(k0 + kk) * row + size_t(j) / 2];
                const int nib = j % 2 == 0 ? byte & 0xf : byte >> 4;
                m_w_tile[size_t(kk) * size_t(c.n) + size_t(j)] =
                    static_cast<int8_t>(nib >= 8 ? nib - 16 : nib);
            }
        }
        return;
    }
    for (int kk = 0; kk < k; ++kk) {
        for (int j = 0; j < c.n; ++j) {
            m_w_tile[size_t(kk) * size_t(c.n) + size_t(j)] =
                c.w_transposed ? w[size_t(j) * size_t(c.k) + size_t(k0 + kk)]
                               : w[size_t(k0 + kk) * size_t(c.n) + size_t(j)];
        }
    }
}

// Accumulators of rows [i0, i0 + sh.m): bias + product, or += product (wrapping int32, as the
// hardware adder does).
void IntDatapath::accumulate_tile(const isa::Compute& c, int i0, const timing::TileShape& sh,
                                  bool add_to_acc, Memory mem) {
    auto* acc = reinterpret_cast<int32_t*>(mem.acc + c.acc_addr + uint32_t(i0 * c.n * 4));
    const auto* bias = reinterpret_cast<const int32_t*>(mem.spad + c.bias_addr);
    for (int i = 0; i < sh.m; ++i) {
        for (int j = 0; j < sh.n; ++j) {
            const size_t at = size_t(i) * size_t(sh.n) + size_t(j);
            const uint32_t base = static_cast<uint32_t>(add_to_acc ? acc[at] : bias[j]);
            acc[at] = static_cast<int32_t>(base + static_cast<uint32_t>(m_out_tile[at]));
        }
    }
}

// sum_k (a - za)(w - zb) = sum_k a w - za sum_k w - zb sum_k a + k za zb: adder trees on the
// array's edges sum each activation row and weight column of the tile as they enter, and the
// correction joins the product on its way to the accumulators (no extra cycles).
void IntDatapath::correct_zero_points(const isa::LayerDesc& L, const timing::TileShape& sh) {
    const int64_t za = L.a_zero_point, zb = L.b_zero_point;
    for (int i = 0; i < sh.m; ++i) {
        int64_t row = 0;
        for (int kk = 0; kk < sh.k; ++kk) row += m_a_tile[size_t(i) * size_t(sh.k) + size_t(kk)];
        for (int j = 0; j < sh.n; ++j) {
            int64_t col = 0;
            for (int kk = 0; kk < sh.k; ++kk)
                col += m_w_tile[size_t(kk) * size_t(sh.n) + size_t(j)];
            const int64_t fix = -za * col - zb * row + int64_t{sh.k} * za * zb;
            int32_t& out = m_out_tile[size_t(i) * size_t(sh.n) + size_t(j)];
            out = static_cast<int32_t>(static_cast<uint32_t>(out) + static_cast<uint32_t>(fix));
        }
    }
}

// A residual add of at least this many elements requantizes through tables (vector, kAdd).
constexpr size_t kAddTableMin = 1024;

void IntDatapath::vector(const isa::Vector& v, const isa::LayerDesc& L, uint32_t row_bytes,
                         Memory mem, Where where) {
    const Rounding mode = m_rounding;
    // postproc.requant: float32: add leaves fp32 fa + fb and avgpool the fp32 window mean in the
    // accumulators, global average pooling the plain sum (docs/operators.md).
    const bool f32 = m_requant == RequantMode::kFloat32;
    const int32_t zx = L.in_zero_point, zy = L.in2_zero_point;
    const auto* x = reinterpret_cast<const int8_t*>((mem.spad + v.x_addr));
    auto* acc = reinterpret_cast<int32_t*>((mem.acc + v.acc_addr));
    const int32_t sc = v.slab_c > 0 ? v.slab_c : L.in_c;  // channels per slab pixel, from c0
    const int32_t c0 = v.slab_c > 0 ? v.slab_c0 : 0;
    switch (v.op) {
        case isa::VectorOp::kAdd:
        case isa::VectorOp::kMul: {
            const auto* y = reinterpret_cast<const int8_t*>((mem.spad + v.y_addr));
            const size_t n = size_t(v.rows) * size_t(v.len);
            // The int8 add: both inputs to a common scale with 20 bits of headroom (TFLite's
            // add), each term a function of its input's byte alone.
            const auto term_x = [&](int32_t dx) {
                return requantize(dx * (1 << 20), L.add_x_multiplier, L.add_x_shift, 0, INT32_MIN,
                                  INT32_MAX, mode);
            };
            const auto term_y = [&](int32_t dy) {
                return requantize(dy * (1 << 20), L.add_y_multiplier, L.add_y_shift, 0, INT32_MIN,
                                  INT32_MAX, mode);
            };
            if (v.op == isa::VectorOp::kAdd && !f32 && n >= kAddTableMin) {
                // The 256 terms of each input, requantized once, then looked up.
                int32_t tx[256], ty[256];
                for (int b = -128; b < 128; ++b) {
                    tx[uint8_t(b)] = term_x(b - zx);
                    ty[uint8_t(b)] = term_y(b - zy);
                }
                for (size_t e = 0; e < n; ++e) acc[e] = tx[uint8_t(x[e])] + ty[uint8_t(y[e])];
                return;
            }
            for (size_t e = 0; e < n; ++e) {
                const int32_t dx = x[e] - zx, dy = y[e] - zy;
                if (v.op == isa::VectorOp::kMul) {
                    acc[e] = dx * dy;
                } else if (f32) {
                    acc[e] = f32_bits(add_partial_f32(dx, L.f32.x_scale, dy, L.f32.y_scale));
                } else {
                    acc[e] = term_x(dx) + term_y(dy);
                }
            }
            return;
        }
        case isa::VectorOp::kMaxPool:
        case isa::VectorOp::kAvgPool:
        case isa::VectorOp::kDepthwise: {
            const auto* slab = reinterpret_cast<const int8_t*>((mem.spad + v.slab_addr));
            const auto* w = reinterpret_cast<const int8_t*>((mem.spad + v.w_addr));
            const auto* bias = reinterpret_cast<const int32_t*>((mem.spad + v.bias_addr));
            const bool dw = v.op == isa::VectorOp::kDepthwise;
            const int taps = L.kernel_h * L.kernel_w;
            std::vector<float> window;  // float32 avgpool: the dequantized taps, in order
            for (int i = 0; i < v.m; ++i) {
                const int64_t p = v.m0 + i;
                const int32_t oh = static_cast<int32_t>(p / L.out_w);
                const int32_t ow = static_cast<int32_t>(p % L.out_w);
                for (int j = 0; j < v.n; ++j) {
                    int32_t best = INT32_MIN, count = 0;
                    int64_t sum = 0;
                    window.clear();
                    // Depthwise: wrapping int32 MACs from the folded bias; padding feeds the
                    // input zero point (the fold cancels it), as on the array.
                    uint32_t mac = dw ? static_cast<uint32_t>(bias[j]) : 0;
                    for (int kh = 0; kh < L.kernel_h; ++kh) {
                        const int32_t ih = oh * L.stride_h - L.pad_top + kh * L.dilation_h;
                        if (ih < 0 || ih >= L.in_h) {
                            if (dw) {
                                for (int kw = 0; kw < L.kernel_w; ++kw) {
                                    mac += static_cast<uint32_t>(
                                        zx *
                                        w[size_t(j) * size_t(taps) + size_t(kh * L.kernel_w + kw)]);
                                }
                            }
                            continue;
                        }
                        const int32_t sr = ih - v.slab_row0;
                        if (sr < 0 || sr >= v.slab_rows) {
                            throw ModelError(
                                where.unit, where.cycle, where.instr,
                                "input row " + std::to_string(ih) + " is not in the slab");
                        }
                        for (int kw = 0; kw < L.kernel_w; ++kw) {
                            const int32_t iw = ow * L.stride_w - L.pad_left + kw * L.dilation_w;
                            const int8_t wv =
                                dw ? w[size_t(j) * size_t(taps) + size_t(kh * L.kernel_w + kw)] : 0;
                            if (iw < 0 || iw >= L.in_w) {
                                mac += static_cast<uint32_t>(zx * wv);
                                continue;
                            }
                            const int32_t raw =
                                slab[size_t(sr) * row_bytes + size_t(iw) * size_t(sc) +
                                     size_t(v.n0 + j - c0)];
                            mac += static_cast<uint32_t>(raw * wv);
                            const int32_t q = raw - zx;
                            best = std::max(best, q);
                            sum += q;
                            ++count;
                            if (f32) window.push_back(dequantize_f32(raw, zx, L.f32.x_scale));
                        }
                    }
                    int32_t r = 0;
                    if (dw) {
                        r = static_cast<int32_t>(mac);
                    } else if (v.op == isa::VectorOp::kMaxPool) {
                        r = best;
                    } else if (f32 && L.f32.formula == F32Formula::kAvgPool) {
                        r = f32_bits(avgpool_mean_f32(window.data(), count));
                    } else if (f32) {
                        r = static_cast<int32_t>(sum);  // global: sum(x - zx) for the PPU
                    } else if (count > 0) {             // rounded to nearest, ties away from zero
                        r = static_cast<int32_t>(sum >= 0 ? (sum + count / 2) / count
                                                          : -((-sum + count / 2) / count));
                    }
                    acc[size_t(i) * size_t(v.n) + size_t(j)] = r;
                }
            }
            return;
        }
        case isa::VectorOp::kSoftmax:
        case isa::VectorOp::kLayerNorm:
        case isa::VectorOp::kRmsNorm:
        case isa::VectorOp::kLut:
        case isa::VectorOp::kCopy: {
            auto* out = reinterpret_cast<int8_t*>((mem.spad + v.out_addr));
            for (int r = 0; r < v.rows; ++r) {
                const int8_t* xr = x + size_t(r) * size_t(v.len);
                int8_t* o = out + size_t(r) * size_t(v.len);
                row_data(v.op, L, xr, v.len, o, where);
            }
            return;
        }
    }
}

void IntDatapath::row_data(isa::VectorOp op, const isa::LayerDesc& L, const int8_t* x, int len,
                           int8_t* out, Where where) {
    switch (op) {
        case isa::VectorOp::kSoftmax:
            if (L.f32.formula == F32Formula::kSoftmax) {  // postproc.requant: float32
                qlinear_softmax_row(x, len, L.f32, L.out_zero_point, out);
                return;
            }
            softmax_row(x, len, L.in_scale, L.in_zero_point, L.out_scale, L.out_zero_point, out);
            return;
        case isa::VectorOp::kLayerNorm:
            layernorm_row(x, len, L.in_scale, L.in_zero_point, L.gamma.data(), L.beta.data(),
                          L.out_scale, L.out_zero_point, out);
            return;
        case isa::VectorOp::kRmsNorm:
            rmsnorm_row(x, len, L.in_scale, L.in_zero_point, L.gamma.data(), L.out_scale,
                        L.out_zero_point, out);
            return;
        case isa::VectorOp::kLut:
            for (int e = 0; e < len; ++e) out[e] = L.lut[static_cast<size_t>(x[e] + 128)];
            return;
        case isa::VectorOp::kCopy:
            std::memcpy(out, x, static_cast<size_t>(len));
            return;
        default:
            throw ModelError(where.unit, where.cycle, where.instr, "not a row operation");
    }
}

}  // namespace npu::datapath

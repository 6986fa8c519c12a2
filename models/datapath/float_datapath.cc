#include "models/datapath/float_datapath.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include "sim/core/error.h"
#include "sim/core/lookup_table.h"
#include "sim/core/ppu_ops.h"

namespace npu::datapath {
namespace {

float load_elem(Precision p, const uint8_t* base, size_t i) {
    return load_float(p, base + i * act_bytes(p));
}

void store_elem(Precision p, uint8_t* base, size_t i, float v) {
    store_float(p, base + i * act_bytes(p), v);
}

float load_f32(const uint8_t* base, size_t i) { return load_elem(Precision::kFp32, base, i); }
void store_f32(uint8_t* base, size_t i, float v) { store_elem(Precision::kFp32, base, i, v); }

}  // namespace

void FloatDatapath::compute(const isa::Compute& c, const isa::LayerDesc& L, Memory mem,
                            Where where) {
    const Precision p = L.precision;
    const size_t row_elems = size_t(L.in_w) * size_t(L.in_c);
    const uint8_t* slab = (mem.spad + c.slab_addr);
    const uint8_t* bias = (mem.spad + c.bias_addr);
    uint8_t* acc = (mem.acc + c.acc_addr);
    const int32_t cg = L.in_c / L.groups;
    const size_t k = size_t(c.k), n = size_t(c.n);
    // The block's weights as a k x n fp32 tile (through the transposer when held n x k).
    const uint8_t* w = (mem.spad + c.w_addr);
    std::vector<float> wt(k * n);
    for (size_t kk = 0; kk < k; ++kk) {
        for (size_t j = 0; j < n; ++j) {
            wt[kk * n + j] = load_elem(p, w, c.w_transposed ? j * k + kk : kk * n + j);
        }
    }
    // Each reduction index's kernel offset and channel (im2col order: kernel row, column, channel).
    std::vector<int32_t> dy(k), dx(k), ch(k);
    for (size_t kk = 0; kk < k; ++kk) {
        const int64_t kidx = c.k0 + int64_t(kk);
        ch[kk] = c.c0 + static_cast<int32_t>(kidx % cg);
        dx[kk] = static_cast<int32_t>((kidx / cg) % L.kernel_w) * L.dilation_w;
        dy[kk] = static_cast<int32_t>(kidx / (int64_t{cg} * L.kernel_w)) * L.dilation_h;
    }
    std::vector<float> a(k);
    std::vector<bool> inside(k);
    for (int i = 0; i < c.m; ++i) {
        const int64_t px = c.m0 + i;
        const int32_t ih0 = static_cast<int32_t>(px / L.out_w) * L.stride_h - L.pad_top;
        const int32_t iw0 = static_cast<int32_t>(px % L.out_w) * L.stride_w - L.pad_left;
        for (size_t kk = 0; kk < k; ++kk) {  // the A row; padded taps are skipped, not zeros
            const int32_t ih = ih0 + dy[kk], iw = iw0 + dx[kk];
            inside[kk] = ih >= 0 && ih < L.in_h && iw >= 0 && iw < L.in_w;
            if (!inside[kk]) continue;
            const int32_t sr = ih - c.slab_row0;
            if (sr < 0 || sr >= c.slab_rows) {
                throw ModelError(where.unit, where.cycle, where.instr,
                                 "input row " + std::to_string(ih) + " is not in the slab");
            }
            a[kk] = load_elem(
                p, slab, size_t(sr) * row_elems + size_t(iw) * size_t(L.in_c) + size_t(ch[kk]));
        }
        for (size_t j = 0; j < n; ++j) {
            const size_t at = size_t(i) * n + j;
            float sum = c.accumulate ? load_f32(acc, at) : load_f32(bias, j);
            for (size_t kk = 0; kk < k; ++kk) {
                if (inside[kk]) sum += a[kk] * wt[kk * n + j];
            }
            store_f32(acc, at, sum);
        }
    }
}

void FloatDatapath::vector(const isa::Vector& v, const isa::LayerDesc& L, uint32_t row_bytes,
                           Memory mem, Where where) {
    const Precision p = L.precision;
    const size_t eb = act_bytes(p);
    const size_t row_elems = row_bytes / eb;
    const int32_t sc = v.slab_c > 0 ? v.slab_c : L.in_c;  // channels per slab pixel, from c0
    const int32_t c0 = v.slab_c > 0 ? v.slab_c0 : 0;
    const uint8_t* x = (mem.spad + v.x_addr);
    uint8_t* acc = (mem.acc + v.acc_addr);
    switch (v.op) {
        case isa::VectorOp::kAdd:
        case isa::VectorOp::kMul: {
            const uint8_t* y = (mem.spad + v.y_addr);
            const size_t n = size_t(v.rows) * size_t(v.len);
            for (size_t e = 0; e < n; ++e) {
                const float a = load_elem(p, x, e), b = load_elem(p, y, e);
                store_f32(acc, e, v.op == isa::VectorOp::kAdd ? a + b : a * b);
            }
            return;
        }
        case isa::VectorOp::kMaxPool:
        case isa::VectorOp::kAvgPool:
        case isa::VectorOp::kDepthwise: {
            const uint8_t* slab = (mem.spad + v.slab_addr);
            const uint8_t* w = (mem.spad + v.w_addr);
            const uint8_t* bias = (mem.spad + v.bias_addr);
            const bool dw = v.op == isa::VectorOp::kDepthwise;
            const int taps = L.kernel_h * L.kernel_w;
            for (int i = 0; i < v.m; ++i) {
                const int64_t px = v.m0 + i;
                const int32_t oh = static_cast<int32_t>(px / L.out_w);
                const int32_t ow = static_cast<int32_t>(px % L.out_w);
                for (int j = 0; j < v.n; ++j) {
                    float best = -std::numeric_limits<float>::infinity();
                    float sum = dw ? load_f32(bias, size_t(j)) : 0.0f;
                    int32_t count = 0;
                    for (int kh = 0; kh < L.kernel_h; ++kh) {
                        // Pooling windows have no dilation (as the reference).
                        const int32_t ih =
                            oh * L.stride_h - L.pad_top + kh * (dw ? L.dilation_h : 1);
                        if (ih < 0 || ih >= L.in_h) continue;
                        const int32_t sr = ih - v.slab_row0;
                        if (sr < 0 || sr >= v.slab_rows) {
                            throw ModelError(
                                where.unit, where.cycle, where.instr,
                                "input row " + std::to_string(ih) + " is not in the slab");
                        }
                        for (int kw = 0; kw < L.kernel_w; ++kw) {
                            const int32_t iw =
                                ow * L.stride_w - L.pad_left + kw * (dw ? L.dilation_w : 1);
                            if (iw < 0 || iw >= L.in_w) continue;
                            const float xv =
                                load_elem(p, slab,
                                          size_t(sr) * row_elems + size_t(iw) * size_t(sc) +
                                              size_t(v.n0 + j - c0));
                            if (dw) {
                                sum += xv * load_elem(p, w,
                                                      size_t(j) * size_t(taps) +
                                                          size_t(kh * L.kernel_w + kw));
                            } else {
                                best = std::max(best, xv);
                                sum += xv;
                            }
                            ++count;
                        }
                    }
                    float r = sum;
                    if (v.op == isa::VectorOp::kMaxPool) {
                        r = best;
                    } else if (v.op == isa::VectorOp::kAvgPool) {
                        r = count > 0 ? sum / static_cast<float>(count) : 0.0f;
                    }
                    store_f32(acc, size_t(i) * size_t(v.n) + size_t(j), r);
                }
            }
            return;
        }
        case isa::VectorOp::kSoftmax:
        case isa::VectorOp::kLayerNorm:
        case isa::VectorOp::kRmsNorm:
        case isa::VectorOp::kLut:
        case isa::VectorOp::kCopy: {
            uint8_t* out = (mem.spad + v.out_addr);
            std::vector<float> xr(size_t(v.len)), yr(size_t(v.len));
            for (int r = 0; r < v.rows; ++r) {
                const size_t base = size_t(r) * size_t(v.len);
                if (v.op == isa::VectorOp::kCopy) {
                    std::memcpy(out + base * eb, x + base * eb, size_t(v.len) * eb);
                    continue;
                }
                for (int e = 0; e < v.len; ++e) xr[size_t(e)] = load_elem(p, x, base + size_t(e));
                switch (v.op) {
                    case isa::VectorOp::kSoftmax:
                        softmax_row_f32(xr.data(), v.len, yr.data());
                        break;
                    case isa::VectorOp::kLayerNorm:
                        layernorm_row_f32(xr.data(), v.len, L.gamma.data(), L.beta.data(),
                                          yr.data());
                        break;
                    case isa::VectorOp::kRmsNorm:
                        rmsnorm_row_f32(xr.data(), v.len, L.gamma.data(), yr.data());
                        break;
                    default: {  // kLut: the function itself (the int8 table's source), fp32 out
                        if (L.op == "lookup" && L.lookup_function != 0) {  // a named function
                            const auto f = static_cast<LookupFunction>(L.lookup_function);
                            for (int e = 0; e < v.len; ++e) {
                                yr[size_t(e)] = lookup_function(f, L.lookup_alpha, xr[size_t(e)]);
                            }
                            break;
                        }
                        if (L.op == "lookup") {  // a given table: quantize, look up, dequantize
                            for (int e = 0; e < v.len; ++e) {
                                yr[size_t(e)] =
                                    lookup_real(xr[size_t(e)], L.lut.data(), L.in_scale,
                                                L.in_zero_point, L.out_scale, L.out_zero_point);
                            }
                            break;
                        }
                        const LutFunction f =
                            L.op == "gelu" ? LutFunction::kGelu : LutFunction::kSilu;
                        for (int e = 0; e < v.len; ++e) {
                            yr[size_t(e)] =
                                static_cast<float>(lut_function(f, double{xr[size_t(e)]}));
                        }
                        break;
                    }
                }
                for (int e = 0; e < v.len; ++e) store_elem(p, out, base + size_t(e), yr[size_t(e)]);
            }
            return;
        }
    }
}

void FloatDatapath::postproc(const isa::Postproc& pp, const isa::LayerDesc& L, Memory mem) {
    const uint8_t* acc = (mem.acc + pp.acc_addr);
    uint8_t* out = (mem.spad + pp.out_addr);
    const size_t n = size_t(pp.m) * size_t(pp.n);
    for (size_t e = 0; e < n; ++e) {
        const float v = std::min(std::max(load_f32(acc, e), L.act_lo), L.act_hi);
        if (pp.out_stride == 0) {
            store_elem(L.precision, out, e, v);
        } else {  // row e / n at its stride
            store_elem(L.precision, out + (e / size_t(pp.n)) * pp.out_stride, (e % size_t(pp.n)),
                       v);
        }
    }
}

}  // namespace npu::datapath

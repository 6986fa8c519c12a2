#include "sim/compiler/search.h"

#include <algorithm>
#include <initializer_list>
#include <utility>

#include "sim/compiler/estimate.h"
#include "sim/compiler/tiling.h"
#include "sim/isa/isa.h"

namespace npu::compiler {
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
ElementwisePlan plan_elementwise(const LoweredLayer& x, const cfg::HwConfig& hw) {
    const graph::Layer& l = *x.layer;
    const int64_t total = elements(l.out_shape), len = l.out_shape.back();
    const uint64_t ab = x.ab;
    const int64_t rows = total / len * x.batch;  // the batch's images are more rows
    const uint64_t acc_cap = hw.accumulator.size_bytes / 2;
    ElementwisePlan p;
    int64_t lc = len;
    while (lc > 1 && uint64_t(lc) * 4 > acc_cap) lc = (lc + 1) / 2;
    const auto fits = [&](int64_t r) {
        const uint64_t elems = uint64_t(r) * uint64_t(lc), bytes = elems * ab;
        return elems * 4 <= acc_cap &&
               place_vector(hw, {{p.x, bytes}, {p.y, bytes}, {p.out, bytes}});
    };
    int64_t rb = largest(rows, fits);
    while (rb == 0 && lc > 1) {
        lc = (lc + 1) / 2;
        rb = largest(rows, fits);
    }
    if (rb == 0) does_not_fit(l, hw, "not even one element fits the double buffers");
    (void)fits(rb);  // the buffers' addresses for rb rows
    p.rows_per_block = rb;
    p.cols_per_block = lc;
    p.acc[0] = 0;
    p.acc[1] = acc_half(hw) ? acc_half(hw) : aligned(uint64_t(rb * lc) * 4);
    return p;
}

// softmax, layernorm, rmsnorm, gelu/silu (lookup), concat (copy): whole rows of `len` elements
// in and out, no accumulators.
RowsPlan plan_rows(const LoweredLayer& x, const cfg::HwConfig& hw, int64_t rows, int64_t len) {
    const uint64_t row = uint64_t(len) * x.ab;
    RowsPlan p;
    const auto fits = [&](int64_t r) {
        const uint64_t bytes = uint64_t(r) * row;
        return place_vector(hw, {{p.x, bytes}, {p.out, bytes}});
    };
    p.rows_per_block = largest(rows, fits);
    if (p.rows_per_block == 0) {
        does_not_fit(*x.layer, hw,
                     "one row of " + std::to_string(row) + " bytes, double-buffered in and out");
    }
    (void)fits(p.rows_per_block);
    return p;
}

// maxpool, avgpool, global_avgpool and depthwise convolution on the vector unit: blocks of whole
// output rows read an input slab; channel blocks of nb leave int32 for POST.
WindowPlan plan_window(const LoweredLayer& x, const cfg::HwConfig& hw) {
    const graph::Layer& l = *x.layer;
    const bool dw = l.kind == graph::OpKind::kConv2d;
    // Depthwise weights: one per channel and tap, int8 unless the precision is a float one.
    const uint64_t ab = x.ab, wb = is_float(x.prec) ? ab : 1;
    const int64_t C = l.in_c, taps = int64_t{l.kernel_h} * l.kernel_w;
    const uint64_t acc_cap = hw.accumulator.size_bytes / 2;
    WindowPlan p;
    int64_t nb = C;
    int32_t rows_per_block = 0;
    bool split = false;
    const auto slab_bytes = [&](int32_t r) -> uint64_t {
        const uint64_t all = max_slab_bytes(l, r, ab);
        return split ? all / uint64_t(C) * uint64_t(nb) : all;
    };
    const auto fits = [&](int32_t r) {
        const uint64_t mb = uint64_t(r) * uint64_t(l.out_w());
        return mb * uint64_t(nb) * 4 <= acc_cap &&
               place_vector(hw, {{p.slab, slab_bytes(r)},
                                 {p.w, dw ? uint64_t(nb * taps) * wb : 0},
                                 {p.bias, dw ? uint64_t(nb) * 4 : 0},
                                 {p.out, mb * uint64_t(nb) * ab}});
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
    (void)fits(rows_per_block);
    const uint64_t mb_max = uint64_t(rows_per_block) * uint64_t(l.out_w());
    p.rows_per_block = rows_per_block;
    p.channels_per_block = nb;
    p.split = split;
    p.acc[0] = 0;
    p.acc[1] = acc_half(hw) ? acc_half(hw) : aligned(mb_max * uint64_t(nb) * 4);
    return p;
}

isa::VectorOp row_op(graph::OpKind k) {
    switch (k) {
        case graph::OpKind::kSoftmax:
            return isa::VectorOp::kSoftmax;
        case graph::OpKind::kLayerNorm:
            return isa::VectorOp::kLayerNorm;
        case graph::OpKind::kRmsNorm:
            return isa::VectorOp::kRmsNorm;
        case graph::OpKind::kConcat:
            return isa::VectorOp::kCopy;
        default:
            return isa::VectorOp::kLut;  // gelu, silu, lookup
    }
}

}  // namespace

std::string array_summary(const LoweredLayer& x, const ArrayPlan& p) {
    std::string s = p.mapping.summary(p.dataflow);
    if (x.layer->kind == graph::OpKind::kMatmul) {
        s += ", " + std::to_string(x.layer->heads) + " heads";
    } else if (x.groups > 1) {
        s += ", " + std::to_string(x.groups) + " groups";
    }
    if (x.batch > 1) {
        s += ", batch " + std::to_string(x.batch) + ": " +
             (p.weights_outer ? std::string("n-blocks outermost, weights loaded once")
              : x.samples > 1 ? std::string("image by image")
                              : std::string("images stacked as rows"));
    }
    return s;
}

namespace {

ArrayPlan search_array(const LoweredLayer& x, const cfg::HwConfig& hw) {
    const std::vector<ArrayPlan> candidates = array_candidates(x, hw);
    if (candidates.empty()) {  // none fits: the largest tiles in the first dataflow say why
        const std::optional<Dataflow> pin = pinned_dataflow(*x.layer, hw);
        return plan_array(x, hw, pin ? *pin : hw.array.dataflow, {});
    }
    size_t best = 0;
    Estimate best_score = estimate(x, candidates[0], hw);
    for (size_t i = 1; i < candidates.size(); ++i) {
        const Estimate score = estimate(x, candidates[i], hw);
        if (better(score, best_score, hw)) {
            best = i;
            best_score = score;
        }
    }
    return candidates[best];
}

}  // namespace

ArrayPlan plan_array(const LoweredLayer& x, const cfg::HwConfig& hw, Dataflow dataflow,
                     const MappingLimits& limits) {
    cfg::HwConfig h = hw;
    h.array.dataflow = dataflow;
    ArrayPlan p;
    p.dataflow = dataflow;
    p.limits = limits;
    p.mapping = choose_mapping(x.gemm(), h, limits);
    p.buffers = *place(p.mapping, h, p.mapping.placement);
    return p;
}

std::vector<ArrayPlan> array_candidates(const LoweredLayer& x, const cfg::HwConfig& hw) {
    const std::optional<Dataflow> pin = pinned_dataflow(*x.layer, hw);
    std::vector<Dataflow> dataflows{pin ? *pin : hw.array.dataflow};
    if (!pin && hw.array.both_dataflows) {
        dataflows.push_back(hw.array.dataflow == Dataflow::kWeightStationary
                                ? Dataflow::kOutputStationary
                                : Dataflow::kWeightStationary);
    }
    std::vector<ArrayPlan> out;
    for (Dataflow df : dataflows) {
        const auto attempt = [&](const MappingLimits& lim) {
            try {
                out.push_back(plan_array(x, hw, df, lim));
                return true;
            } catch (const UserError&) {
                return false;  // does not fit this way
            }
        };
        if (x.layer->kind == graph::OpKind::kMatmul) {  // heads are small GEMMs: largest tiles
            (void)attempt({});
            continue;
        }
        if (!attempt({})) continue;
        const LayerMapping largest = out.back().mapping;
        const int64_t unit = df == Dataflow::kWeightStationary ? hw.array.rows : 1;
        const int64_t half_k = static_cast<int64_t>(
            align_up(static_cast<uint64_t>(ceil_div(largest.kb, 2)), static_cast<uint64_t>(unit)));
        // The same number of blocks with the rows spread evenly (no thin last block), then twice
        // and four times as many blocks.
        const int32_t out_h = x.gemm().out_h(), most = largest.out_rows_per_block;
        for (int32_t times : {1, 2, 4}) {
            const int64_t blocks = ceil_div(out_h, most) * times;
            const auto r = static_cast<int32_t>(ceil_div(out_h, blocks));
            if (!largest.pinned_rows && r < most) (void)attempt({r, 0});
        }
        if (!largest.pinned_k && half_k < largest.kb) (void)attempt({0, half_k});
    }
    // The n-blocks outermost: with a batch (weights loaded once for every image), and for one
    // image too when the objective is not latency (the latency search keeps its candidates of
    // before, so its programs stay as they were).
    const bool n_outer = x.batch > 1 || hw.compiler.objective != Objective::kLatency;
    if (n_outer && x.layer->kind != graph::OpKind::kMatmul) {
        const size_t tried = out.size();
        for (size_t i = 0; i < tried; ++i) {
            if (out[i].mapping.k_chunks != 1) continue;
            ArrayPlan p = out[i];
            p.weights_outer = true;
            out.push_back(p);
        }
    }
    return out;
}

LayerPlan plan_layer(const LoweredLayer& x, const cfg::HwConfig& hw) {
    const graph::Layer& l = *x.layer;
    LayerPlan p;
    switch (x.cls) {
        case LayerClass::kArray:
            p.array = search_array(x, hw);
            p.summary = array_summary(x, p.array);
            break;
        case LayerClass::kElementwise: {
            p.elementwise = plan_elementwise(x, hw);
            p.summary = "vector " + std::string(graph::to_string(l.kind)) + " " +
                        std::to_string(p.elementwise.rows_per_block) + " rows x " +
                        std::to_string(p.elementwise.cols_per_block) + " per block";
            break;
        }
        case LayerClass::kRows: {
            const isa::VectorOp op = row_op(l.kind);
            const int64_t total = l.out_shape.back();
            const int64_t rows = elements(l.out_shape) / total * x.batch;
            const std::vector<int64_t> lens =
                l.kind == graph::OpKind::kConcat ? x.concat_lens : std::vector<int64_t>{total};
            for (int64_t len : lens) {
                p.rows.push_back(plan_rows(x, hw, rows, len));
                // The summary names the last input's blocks (concat: one plan per input).
                p.summary = "vector " + std::string(isa::to_string(op)) + " " +
                            std::to_string(p.rows.back().rows_per_block) + " rows of " +
                            std::to_string(len) + " per block";
            }
            break;
        }
        case LayerClass::kWindow: {
            p.window = plan_window(x, hw);
            const isa::VectorOp op = l.kind == graph::OpKind::kConv2d    ? isa::VectorOp::kDepthwise
                                     : l.kind == graph::OpKind::kMaxPool ? isa::VectorOp::kMaxPool
                                                                         : isa::VectorOp::kAvgPool;
            p.summary = "vector " + std::string(isa::to_string(op)) + " " +
                        std::to_string(p.window.rows_per_block) + " out rows x " +
                        std::to_string(p.window.channels_per_block) + " channels per block" +
                        (p.window.split ? " (slabs of the block's channels)" : "");
            break;
        }
        case LayerClass::kView:
            p.summary = "view (no data moved)";
            break;
    }
    p.ok = true;
    return p;
}

std::vector<LayerPlan> search_mappings(const Lowered& lowered, const cfg::HwConfig& hw) {
    std::vector<LayerPlan> plans(lowered.layers.size());
    for (size_t li = 0; li < lowered.layers.size(); ++li) {
        try {
            plans[li] = plan_layer(lowered.layers[li], hw);
        } catch (const UserError& e) {
            for (Diagnostic dg : e.diagnostics()) {
                dg.file = lowered.source_file;
                dg.line = lowered.layers[li].layer->source_line;
                dg.col = lowered.layers[li].layer->source_col;
                dg.key = "layers[" + std::to_string(li) + "]";
                plans[li].problems.push_back(std::move(dg));
            }
        }
    }
    return plans;
}

}  // namespace npu::compiler

#include "sim/compiler/search.h"

#include <algorithm>
#include <initializer_list>
#include <utility>

#include "sim/compiler/emit.h"
#include "sim/compiler/estimate.h"
#include "sim/compiler/schedule.h"
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

// The most candidates of one layer the search schedules (schedule.h).
constexpr size_t kMaxScheduled = 16;
// The instructions the search schedules per layer at most: small layers, where the closed form
// is furthest from the run, get up to kMaxScheduled schedules; a large one (thousands of
// instructions per candidate) a few or none (the closed form's best).
constexpr uint64_t kScheduleBudget = 2048;
// Latency: how far (percent) behind the fastest schedule a candidate with less traffic may be.
constexpr uint64_t kNearPercent = 1;

// Whether the search schedules candidates at all: not with compiler.fusion = auto, whose pass
// (after the search) needs the layers' buffers clear of the banks it would keep an output in;
// the schedule's smaller tiles take more banks and block fusions that save more than they gain
// (tiny_resnet on gemmini: 4.7% slower), so with fusion the search keeps the closed form's
// choice among its few candidates, as before the schedule.
bool scheduled(const cfg::HwConfig& hw) { return hw.compiler.fusion == Fusion::kNone; }

// The instructions a candidate emits (what scheduling it costs).
uint64_t instructions(const LoweredLayer& x, const ArrayPlan& plan) {
    LayerPlan lp;
    lp.ok = true;
    lp.array = plan;
    return instruction_count(x, lp).total();
}

// Whether a candidate is small enough for the search to schedule it at all.
bool schedulable(const LoweredLayer& x, const ArrayPlan& plan) {
    return instructions(x, plan) <= kScheduleBudget;
}

// Up to kMaxSteps values of [lo, hi], evenly spaced, both ends included (empty if hi < lo).
constexpr int64_t kMaxSteps = 8;
std::vector<int64_t> spread(int64_t lo, int64_t hi) {
    std::vector<int64_t> v;
    if (hi < lo) return v;
    const int64_t n = std::min(kMaxSteps, hi - lo + 1);
    for (int64_t i = 0; i < n; ++i) {
        const int64_t x = n == 1 ? lo : lo + (hi - lo) * i / (n - 1);
        if (v.empty() || v.back() != x) v.push_back(x);
    }
    return v;
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
             (p.order == LoopOrder::kN ? std::string("n-blocks outermost, weights loaded once")
              : x.samples > 1          ? std::string("image by image")
                                       : std::string("images stacked as rows"));
    }
    if (p.order == LoopOrder::kK) {
        s += "; k-chunks outermost, partial sums resident (acc " +
             std::to_string(resident_sums_bytes(p.mapping)) + " B)";
    }
    return s;
}

namespace {

// Why a layer's pinned loop order cannot be met, given that its largest tiles `largest` (m-blocks
// outermost) fit.
[[noreturn]] void order_not_met(const LoweredLayer& x, const cfg::HwConfig& hw,
                                const ArrayPlan& largest) {
    const graph::Layer& l = *x.layer;
    const LayerMapping& mp = largest.mapping;
    const LoopOrder order = *l.pin_order;
    std::string why;
    if (l.kind == graph::OpKind::kMatmul) {
        why = "a matmul's heads run with the m-blocks outermost only";
    } else if (order == LoopOrder::kN) {
        why = l.pin_k_chunk > 0 && l.pin_k_chunk < mp.k
                  ? "mapping.k_chunk " + std::to_string(l.pin_k_chunk) +
                        " splits the reduction K = " + std::to_string(mp.k) +
                        " and the n-blocks outermost need one k-chunk"
                  : "no mapping with one k-chunk (the whole reduction K = " + std::to_string(mp.k) +
                        ") fits the scratchpad (has " + std::to_string(hw.scratchpad.size_bytes) +
                        " B)" + grow_srams_hint(hw);
    } else if (resident_sums_bytes(mp) > hw.accumulator.size_bytes) {
        why = "the k-chunks outermost keep every m-block x n-block sum resident: " +
              std::to_string(mp.m_blocks) + " x " + std::to_string(mp.n_blocks) + " blocks of " +
              std::to_string(mp.acc_bytes) + " B need " + std::to_string(resident_sums_bytes(mp)) +
              " B of accumulator (has " + std::to_string(hw.accumulator.size_bytes) + ")";
    } else {
        why =
            "one k-chunk of every n-block, double-buffered, with the slabs, biases and outputs "
            "does not fit the scratchpad (has " +
            std::to_string(hw.scratchpad.size_bytes) + " B)" + grow_srams_hint(hw);
    }
    throw UserError(Diagnostic{
        "", 0, 0, "",
        "layer '" + l.name + "' pins mapping.order " + to_string(order) + " but " + why});
}

ArrayPlan search_array(const LoweredLayer& x, const cfg::HwConfig& hw) {
    const std::vector<ArrayPlan> candidates = array_candidates(x, hw);
    if (candidates.empty()) {  // none fits: the largest tiles in the first dataflow say why
        const std::optional<Dataflow> pin = pinned_dataflow(*x.layer, hw);
        const ArrayPlan largest = plan_array(x, hw, pin ? *pin : hw.array.dataflow, {});
        if (x.layer->pin_order && *x.layer->pin_order != LoopOrder::kM) {
            order_not_met(x, hw, largest);
        }
        return largest;
    }
    // The closed form of every candidate, best first (ties: the first tried).
    std::vector<Estimate> closed;
    closed.reserve(candidates.size());
    for (const ArrayPlan& c : candidates) closed.push_back(estimate(x, c, hw));
    std::vector<size_t> order(candidates.size());
    for (size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::stable_sort(order.begin(), order.end(),
                     [&](size_t a, size_t b) { return better(closed[a], closed[b], hw); });
    // The best of the m- and n-blocks outermost is scheduled first: the k-chunks outermost move
    // the fewest bytes, so the closed form (bytes at peak bandwidth) ranks them first, but their
    // many small COMPUTEs and LOADs run slower than it says; scheduled first, one could use up
    // the layer's budget and win unopposed. So a k-chunks-outermost candidate is taken only when
    // its schedule beats the best other one's.
    const auto first_other = std::find_if(
        order.begin(), order.end(), [&](size_t i) { return candidates[i].order != LoopOrder::kK; });
    if (first_other != order.end()) std::rotate(order.begin(), first_other, first_other + 1);
    // Then their schedules (schedule.h), in that order, each scored with the later of its
    // closed-form and scheduled cycles: the closed form's cycles are a bound the schedule does
    // not beat, so once a candidate's closed form alone is worse than the best scored, none
    // after it can win. At most kMaxScheduled schedules per layer.
    // Latency: the fewest DRAM bytes among the candidates scheduled within kNearPercent of the
    // fastest (then the first tried: the largest tiles): the schedule leaves out the scratchpad's
    // bank conflicts, which grow with the traffic (a LOAD writes the banks the array reads), so a
    // schedule a little faster with more traffic is not faster in the run.
    const bool latency = hw.compiler.objective == Objective::kLatency;
    const auto near = [](uint64_t cycles, uint64_t fewest) {
        return cycles * 100 <= fewest * (100 + kNearPercent);
    };
    size_t best = order[0];
    Estimate best_score;
    std::vector<std::pair<size_t, Estimate>> scored;
    uint64_t fewest = UINT64_MAX;
    uint64_t budget = kScheduleBudget;
    for (size_t n = 0; scheduled(hw) && n < order.size() && n < kMaxScheduled; ++n) {
        const size_t i = order[n];
        if (n > 0 &&
            (latency ? !near(closed[i].cycles, fewest) : better(best_score, closed[i], hw))) {
            break;
        }
        const uint64_t cost = instructions(x, candidates[i]);
        if (cost > budget) break;
        budget -= std::min(budget, cost);
        const Estimate score = scored_estimate(closed[i], x, candidates[i], hw);
        scored.emplace_back(i, score);
        fewest = std::min(fewest, score.cycles);
        if (n == 0 || better(score, best_score, hw)) {
            best = i;
            best_score = score;
        }
    }
    if (latency) {
        bool found = false;
        for (const auto& [i, score] : scored) {
            if (near(score.cycles, fewest) && (!found || score.bytes < best_score.bytes ||
                                               (score.bytes == best_score.bytes && i < best))) {
                best = i;
                best_score = score;
                found = true;
            }
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

std::optional<ArrayPlan> k_outer_plan(const ArrayPlan& base, int64_t kb, const cfg::HwConfig& hw) {
    ArrayPlan p = base;
    LayerMapping& mp = p.mapping;
    const uint64_t w_row = uint64_t(mp.w_bytes) / uint64_t(mp.kb);  // w_bytes is kb rows
    mp.kb = kb;
    mp.w_bytes = static_cast<uint32_t>(uint64_t(kb) * w_row);
    mp.k_chunks = ceil_div(mp.k, kb);
    const std::optional<Buffers> b = place_k_outer(mp, hw);
    if (!b) return std::nullopt;
    p.buffers = *b;
    p.order = LoopOrder::kK;
    return p;
}

std::vector<ArrayPlan> array_candidates(const LoweredLayer& x, const cfg::HwConfig& hw) {
    const std::optional<Dataflow> pin = pinned_dataflow(*x.layer, hw);
    const std::optional<LoopOrder> pin_order = x.layer->pin_order;
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
        const size_t first = out.size() - 1;
        // Smaller tiles: the output rows spread evenly over the largest's number of m-blocks
        // and up to four times as many (every distinct block height), each with the largest
        // k-chunk that fits and with the reduction spread over up to four times the largest's
        // k-chunks (every distinct chunk, a multiple of array.rows in ws). Each list is kept to
        // kMaxSteps values (evenly spaced over the range). A layer too large to schedule
        // (search_array) keeps to the closed form's few: the rows spread over 1, 2 and 4 times
        // the blocks, and half the k-chunk.
        const int64_t unit = df == Dataflow::kWeightStationary ? hw.array.rows : 1;
        const int32_t out_h = x.gemm().out_h(), most = largest.out_rows_per_block;
        const bool few = !scheduled(hw) || !schedulable(x, out.back());
        const int64_t b0 = ceil_div(out_h, most), c0 = largest.k_chunks;
        const std::vector<int64_t> block_counts =
            few ? std::vector<int64_t>{b0, 2 * b0, 4 * b0}
                : spread(b0, std::min<int64_t>(out_h, 4 * b0));
        const std::vector<int64_t> chunk_counts =
            few ? std::vector<int64_t>{2 * c0} : spread(c0 + 1, 4 * c0);
        std::vector<int32_t> rows{0};
        if (!largest.pinned_rows) {
            for (int64_t blocks : block_counts) {
                const auto r = static_cast<int32_t>(ceil_div(out_h, blocks));
                if (r < most && std::find(rows.begin(), rows.end(), r) == rows.end()) {
                    rows.push_back(r);
                }
            }
        }
        std::vector<int64_t> chunks{0};
        if (!largest.pinned_k) {
            for (int64_t c : chunk_counts) {
                const auto kb = static_cast<int64_t>(
                    few ? align_up(static_cast<uint64_t>(ceil_div(largest.kb, 2)),
                                   static_cast<uint64_t>(unit))
                        : align_up(static_cast<uint64_t>(ceil_div(largest.k, c)),
                                   static_cast<uint64_t>(unit)));
                if (kb < largest.kb &&
                    std::find(chunks.begin(), chunks.end(), kb) == chunks.end()) {
                    chunks.push_back(kb);
                }
            }
        }
        // Few: each smaller block height, then half the k-chunk; else every pair.
        std::vector<MappingLimits> limits;
        for (int32_t r : rows) {
            for (int64_t kb : chunks) {
                if ((r != 0 || kb != 0) && (!few || kb == 0)) limits.push_back({r, kb});
            }
        }
        if (few) {
            for (size_t k = 1; k < chunks.size(); ++k) limits.push_back({0, chunks[k]});
        }
        for (const MappingLimits& lim : limits) {
            if (!attempt(lim)) continue;
            // The same mapping as one tried before (the limit did not bind): left out.
            const LayerMapping& m = out.back().mapping;
            for (size_t i = first; i + 1 < out.size(); ++i) {
                const LayerMapping& o = out[i].mapping;
                if (o.mb == m.mb && o.kb == m.kb && o.placement == m.placement) {
                    out.pop_back();
                    break;
                }
            }
        }
    }
    if (x.layer->kind == graph::OpKind::kMatmul) {  // m-blocks outermost only
        if (pin_order && *pin_order != LoopOrder::kM) out.clear();
        return out;
    }
    const size_t tried = out.size();
    // The n-blocks outermost, for every candidate with one k-chunk (with fusion, as before the
    // schedule: with a batch, or for one image when the objective is not latency).
    const bool n_outer =
        pin_order ? *pin_order == LoopOrder::kN
                  : scheduled(hw) || x.batch > 1 || hw.compiler.objective != Objective::kLatency;
    if (n_outer) {
        for (size_t i = 0; i < tried; ++i) {
            if (out[i].mapping.k_chunks != 1) continue;
            ArrayPlan p = out[i];
            p.order = LoopOrder::kN;
            out.push_back(p);
        }
    }
    // The k-chunks outermost, for every candidate whose sums fit the accumulators (one k-chunk:
    // every weight and every slab loaded once; objectives energy and edp only): with its
    // k-chunk, or else the largest k-chunk (halved from its own, a multiple of array.rows in ws,
    // unless pinned) under which one chunk of every n-block fits. With fusion, as the n-blocks:
    // unless the objective is latency.
    const bool k_outer = pin_order ? *pin_order == LoopOrder::kK
                                   : scheduled(hw) || hw.compiler.objective != Objective::kLatency;
    if (k_outer) {
        const size_t before = out.size();
        // One k-chunk (every weight and slab loaded once): not for latency, unless pinned. Its
        // schedule beats the m-blocks' on several bundled layers (the fewest bytes) that then
        // run slower (regress: default_nvdla, default_vta_simple, conv_small_ws_overlap, up to
        // 0.5%; what the schedule leaves out, schedule.h, the cause not isolated further); for
        // energy the bytes it saves are what counts.
        const bool one_chunk = pin_order || hw.compiler.objective != Objective::kLatency;
        const auto add = [&](const ArrayPlan& base, int64_t kb) {
            if (ceil_div(base.mapping.k, kb) < 2 && !one_chunk) return true;
            const std::optional<ArrayPlan> k = k_outer_plan(base, kb, hw);
            if (!k) return false;
            const ArrayPlan& p = *k;
            const LayerMapping& mp = p.mapping;
            for (size_t i = before; i < out.size(); ++i) {
                const LayerMapping& o = out[i].mapping;
                if (out[i].dataflow == p.dataflow && o.mb == mp.mb && o.kb == mp.kb) return true;
            }
            out.push_back(*k);
            return true;
        };
        for (size_t i = 0; i < tried; ++i) {
            const ArrayPlan base = out[i];
            const LayerMapping& mp = base.mapping;
            if (resident_sums_bytes(mp) > hw.accumulator.size_bytes) continue;
            if (add(base, mp.kb) || mp.pinned_k) continue;
            const int64_t unit = base.dataflow == Dataflow::kWeightStationary ? hw.array.rows : 1;
            for (int64_t kb = mp.kb; kb > unit;) {
                kb = static_cast<int64_t>(
                    align_up(static_cast<uint64_t>(ceil_div(kb, 2)), static_cast<uint64_t>(unit)));
                if (add(base, kb)) break;
            }
        }
    }
    if (pin_order) {  // only the pinned order's
        out.erase(std::remove_if(out.begin(), out.end(),
                                 [&](const ArrayPlan& p) { return p.order != *pin_order; }),
                  out.end());
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

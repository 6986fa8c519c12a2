#include "models/units/vector_unit.h"

#include <algorithm>

namespace npu::model {

VectorUnit::VectorUnit(const cfg::PostprocConfig& cfg, BankedSram& spad, BankedSram& acc,
                       datapath::Datapaths* dp, stats::StatGroup& stats)
    : m_cfg(cfg),
      m_spad(spad),
      m_acc(acc),
      m_dp(dp),
      m_instructions(stats.stat("instructions", "VECTOR instructions run", "count")),
      m_elements(stats.stat("elements", "output elements produced", "count")),
      m_macs(stats) {}

uint64_t VectorUnit::execute(const isa::Instr& in, const isa::Vector& v, const isa::LayerDesc& L,
                             uint64_t now) {
    const size_t layer = in.layer;
    const bool pool = v.op == isa::VectorOp::kMaxPool || v.op == isa::VectorOp::kAvgPool ||
                      v.op == isa::VectorOp::kDepthwise;
    const bool to_acc = pool || v.op == isa::VectorOp::kAdd || v.op == isa::VectorOp::kMul;
    const bool two_inputs = v.op == isa::VectorOp::kAdd || v.op == isa::VectorOp::kMul;
    const bool row_op = v.op == isa::VectorOp::kSoftmax || v.op == isa::VectorOp::kLayerNorm ||
                        v.op == isa::VectorOp::kRmsNorm;
    const uint32_t eb = L.elem_bytes();
    // One slab row: every channel of the input row, or the block's channels (Vector::slab_c).
    const uint32_t slab_c = static_cast<uint32_t>(v.slab_c > 0 ? v.slab_c : L.in_c);
    const uint32_t row_bytes = static_cast<uint32_t>(L.in_w) * slab_c * eb;

    // Work: one element per lane per cycle (pooling: one window element); row ops take three
    // passes over each row (max / exp-sum / normalize, or mean / variance / normalize).
    const uint64_t out_elems =
        pool ? uint64_t(v.m) * uint64_t(v.n) : uint64_t(v.rows) * uint64_t(v.len);
    const uint64_t work =
        pool ? out_elems * uint64_t(L.kernel_h) * uint64_t(L.kernel_w) : out_elems;
    const uint64_t lanes = static_cast<uint64_t>(m_cfg.lanes);
    const uint64_t busy = (work + lanes - 1) / lanes * (row_op ? 3 : 1);
    const uint64_t pipe = static_cast<uint64_t>(m_cfg.pipeline_cycles);
    const uint32_t x_addr = pool ? v.slab_addr : v.x_addr;
    const uint32_t x_len = pool ? static_cast<uint32_t>(v.slab_rows) * row_bytes
                                : static_cast<uint32_t>(out_elems * eb);
    const uint32_t out_addr = to_acc ? v.acc_addr : v.out_addr;
    const uint32_t out_len = static_cast<uint32_t>(out_elems * (to_acc ? 4 : eb));

    m_spad.check_range(x_addr, x_len, "npu.vector");
    if (two_inputs) m_spad.check_range(v.y_addr, x_len, "npu.vector");
    BankedSram& dst = to_acc ? m_acc : m_spad;
    dst.check_range(out_addr, out_len, "npu.vector");

    // The first start at which the inputs' banks are free to read for `busy` cycles and the
    // destination's banks free to take the results `pipe` cycles later.
    uint64_t start = now;
    for (;;) {
        uint64_t a = m_spad.window_fit(x_addr, x_len, start, busy);
        if (two_inputs) a = m_spad.window_fit(v.y_addr, x_len, a, busy);
        const uint64_t s = dst.window_fit(out_addr, out_len, a + pipe, busy) - pipe;
        if (s == a && (!two_inputs || m_spad.window_fit(x_addr, x_len, a, busy) == a)) {
            start = a;
            break;
        }
        start = std::max(a, s);
    }
    if (start > now) m_spad.count_conflict(layer, start - now);
    m_spad.occupy(x_addr, x_len, start, busy, layer, now);
    if (two_inputs) m_spad.occupy(v.y_addr, x_len, start, busy, layer, now);
    dst.occupy(out_addr, out_len, start + pipe, busy, layer, now + pipe);

    if (m_dp != nullptr) {
        const datapath::Where where{"npu.vector", now, in.id};
        if (is_float(L.precision)) {
            m_dp->floating.vector(v, L, row_bytes, m_dp->mem, where);
        } else {
            m_dp->integer.vector(v, L, row_bytes, m_dp->mem, where);
        }
    }
    m_spad.count_read(layer, (pool ? work : out_elems * (two_inputs ? 2 : 1)) * eb);
    (to_acc ? m_acc : m_spad).count_write(layer, out_len);
    m_instructions.add(layer, 1);
    m_elements.add(layer, out_elems);
    if (v.op == isa::VectorOp::kDepthwise) {
        // One MAC per window element; int4 depthwise weights are held as int8 (int8 MACs).
        m_macs.add(layer, L.precision == Precision::kInt4 ? Precision::kInt8 : L.precision, work);
    }
    return start + pipe + busy;
}

void VectorUnit::add_counters(size_t layer, stats::Counters& c) const {
    c.postproc_elements += m_elements.at(layer);
    m_macs.add_counters(layer, c);
}

}  // namespace npu::model

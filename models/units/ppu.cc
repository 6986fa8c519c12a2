#include "models/units/ppu.h"

#include <algorithm>

namespace npu::model {

PostProcessor::PostProcessor(const cfg::PostprocConfig& cfg, BankedSram& spad, BankedSram& acc,
                             datapath::Datapaths* dp, stats::StatGroup& stats)
    : m_cfg(cfg),
      m_spad(spad),
      m_acc(acc),
      m_dp(dp),
      m_instructions(stats.stat("instructions", "POST instructions run", "count")),
      m_elements(stats.stat("elements", "accumulator elements post-processed", "count")),
      m_requant(stats.stat("requant_elements",
                           "elements of integer layers requantized (in postproc.requant)",
                           "count")) {}

PostProcessor::Times PostProcessor::execute(const isa::Instr& in, const isa::Postproc& p,
                                            const isa::LayerDesc& L, uint64_t now) {
    const size_t layer = in.layer;
    const uint64_t elems = uint64_t(p.m) * uint64_t(p.n);
    const uint32_t acc_len = static_cast<uint32_t>(elems * 4);
    const uint32_t out_len = static_cast<uint32_t>(elems * L.elem_bytes());
    // The scratchpad range the rows land in (out_len itself unless a row stride spreads them).
    const uint32_t span = static_cast<uint32_t>(p.out_span(L.elem_bytes()));
    m_acc.check_range(p.acc_addr, acc_len, "npu.ppu");
    m_spad.check_range(p.out_addr, span, "npu.ppu");
    const uint64_t busy = (elems + uint64_t(m_cfg.lanes) - 1) / uint64_t(m_cfg.lanes);
    const uint64_t pipe = static_cast<uint64_t>(m_cfg.pipeline_cycles);
    // The first start at which the accumulator banks are free to read for `busy` cycles and the
    // scratchpad banks free to take the results `pipe` cycles later.
    uint64_t start = now;
    for (;;) {
        const uint64_t a = m_acc.window_fit(p.acc_addr, acc_len, start, busy);
        const uint64_t s = m_spad.window_fit(p.out_addr, span, a + pipe, busy) - pipe;
        if (s == a) {
            start = a;
            break;
        }
        start = std::max(a, s);
    }
    if (start > now) m_acc.count_conflict(layer, start - now);
    m_acc.occupy(p.acc_addr, acc_len, start, busy, layer, now);
    m_spad.occupy(p.out_addr, span, start + pipe, busy, layer, now + pipe);
    if (m_dp != nullptr) {
        if (is_float(L.precision)) {
            m_dp->floating.postproc(p, L, m_dp->mem);
        } else {
            m_dp->integer.postproc(p, L, m_dp->mem);
        }
    }
    m_acc.count_read(layer, acc_len);
    m_spad.count_write(layer, out_len);
    m_instructions.add(layer, 1);
    m_elements.add(layer, elems);
    if (!is_float(L.precision)) m_requant.add(layer, elems);
    return {start + busy, start + pipe + busy};
}

void PostProcessor::add_counters(size_t layer, stats::Counters& c) const {
    c.postproc_elements += m_elements.at(layer);
    (m_cfg.requant == RequantMode::kFloat32 ? c.requant_float32_elements
                                            : c.requant_fixed_point_elements) +=
        m_requant.at(layer);
}

}  // namespace npu::model

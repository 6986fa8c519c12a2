#include "models/units/mac_array.h"

#include <algorithm>
#include <string>

namespace npu::model {

MacStats::MacStats(stats::StatGroup& group) {
    for (Precision p : kAllPrecisions) {
        m_macs[static_cast<size_t>(p)] =
            &group.stat(std::string("macs_") + to_string(p),
                        std::string("multiply-accumulates at ") + to_string(p), "count");
    }
}

void MacStats::add_counters(size_t layer, stats::Counters& c) const {
    const auto at = [&](Precision p) { return m_macs[static_cast<size_t>(p)]->at(layer); };
    c.macs_int4 += at(Precision::kInt4);
    c.macs_bf16 += at(Precision::kBf16);
    c.macs_fp16 += at(Precision::kFp16);
    c.macs_fp32 += at(Precision::kFp32);
    for (Precision p : kAllPrecisions) c.macs += at(p);
}

MacArray::MacArray(const cfg::ArrayConfig& cfg, Fidelity fidelity, stats::StatGroup& stats)
    : m_fidelity(fidelity),
      m_tiles(stats.stat("tiles", "tiles issued to the array", "count")),
      m_busy(stats.stat("busy_cycles", "cycles with at least one tile in flight", "cycles")),
      m_macs(stats) {
    for (Dataflow df : {Dataflow::kWeightStationary, Dataflow::kOutputStationary}) {
        const timing::ArrayGeometry g{cfg.rows, cfg.cols, df, cfg.pipelining, cfg.timing};
        m_models[static_cast<size_t>(df)] =
            fidelity == Fidelity::kPe ? timing::make_pe_array(g) : timing::make_fast_array(g);
    }
}

void MacArray::count_tile(size_t layer, Precision p, const timing::TileShape& sh,
                          const timing::TileTiming& t) {
    m_macs.add(layer, p, uint64_t(sh.m) * uint64_t(sh.k) * uint64_t(sh.n));
    m_tiles.add(layer, 1);
    const uint64_t from = std::max(t.start, m_done);
    if (t.done() > from) m_busy.add(layer, t.done() - from);
    m_done = std::max(m_done, t.done());
}

void MacArray::add_counters(size_t layer, stats::Counters& c) const {
    c.tiles += m_tiles.at(layer);
    c.array_busy_cycles += m_busy.at(layer);
    m_macs.add_counters(layer, c);
}

}  // namespace npu::model

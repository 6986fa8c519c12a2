// The post-processing unit (PPU) of a core, run by the store engine's POST: accumulators ->
// requantize per output channel -> activation clamp -> int8 in the scratchpad (float layers:
// fp32 accumulators -> activation bounds -> the layer's format).
//
// Timing contract: `postproc.lanes` elements per cycle stream out of the accumulators and the
// results land in the scratchpad `postproc.pipeline_cycles` later. With busy = ceil(m*n / lanes),
// POST starts at the first t >= now at which the accumulator banks are free for [t, t + busy)
// and the scratchpad banks for [t + pipeline, t + pipeline + busy) (a later start counts one
// accumulator conflict); its results are complete at t + pipeline + busy, and the accumulator
// buffer is free again at t + busy. A POST with a row stride (isa::Postproc::out_stride, fused
// layers) reserves every bank of the span from its first to its last output byte.
// Not modelled: a requantization pipeline stalled by a narrower scratchpad port.
// Stats (group "npu.ppu"): instructions, elements (accumulator elements post-processed),
// requant_elements (those of integer layers, requantized in the postproc.requant arithmetic).
#pragma once

#include <cstdint>

#include "models/datapath/datapaths.h"
#include "models/mem/banked_sram.h"
#include "sim/config/hw_config.h"
#include "sim/isa/isa.h"
#include "sim/stats/component_stats.h"
#include "sim/stats/stats.h"

namespace npu::model {

class PostProcessor {
  public:
    // `dp`: the datapaths (functional runs) or nullptr (timing only).
    PostProcessor(const cfg::PostprocConfig& cfg, BankedSram& spad, BankedSram& acc,
                  datapath::Datapaths* dp, stats::StatGroup& stats);
    struct Times {
        uint64_t acc_free;  // the accumulators are read: the buffer may be written again
        uint64_t done;      // the results are in the scratchpad
    };
    // Runs a POST instruction from `now`: reserves its bank windows and computes its data.
    [[nodiscard]] Times execute(const isa::Instr& in, const isa::Postproc& p,
                                const isa::LayerDesc& L, uint64_t now);
    // The unit's fields of the run's counters (postproc_elements) of `layer`.
    void add_counters(size_t layer, stats::Counters& c) const;

  private:
    cfg::PostprocConfig m_cfg;
    BankedSram& m_spad;
    BankedSram& m_acc;
    datapath::Datapaths* m_dp;
    stats::Stat& m_instructions;
    stats::Stat& m_elements;
    stats::Stat& m_requant;  // elements of integer layers (postproc.requant prices them)
};

}  // namespace npu::model

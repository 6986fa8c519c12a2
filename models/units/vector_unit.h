// The vector unit beside the array (`postproc.lanes` lanes), run by the compute engine for the
// layers that are not matrix products: elementwise add / mul and pooling and depthwise
// convolution (int32 / fp32 results to the accumulators), row ops (softmax, layer / RMS norm),
// lookups and copies (results to the scratchpad). docs/operators.md says what each computes.
//
// Timing contract: one element per lane per cycle (pooling and depthwise: one window element);
// row ops take three passes over each row. busy = ceil(work / lanes) (x3 for row ops); the
// inputs are read for `busy` cycles from the start and the results written
// `postproc.pipeline_cycles` later for `busy` cycles. The unit starts at the first cycle at or
// after `now` at which the inputs' scratchpad banks are free for the read window and the
// destination's banks for the write window (a later start counts one scratchpad conflict), and
// its results are complete at start + pipeline + busy.
// Not modelled: a vector register file, lanes idle at a row's end.
// Stats (group "npu.vector"): instructions, elements (outputs produced), macs_<precision>
// (depthwise window MACs; int4 depthwise weights are held as int8: int8 MACs).
#pragma once

#include <cstdint>

#include "models/datapath/datapaths.h"
#include "models/mem/banked_sram.h"
#include "models/units/mac_array.h"
#include "sim/config/hw_config.h"
#include "sim/isa/isa.h"
#include "sim/stats/component_stats.h"

namespace npu::model {

class VectorUnit {
  public:
    // `dp`: the datapaths (functional runs) or nullptr (timing only).
    VectorUnit(const cfg::PostprocConfig& cfg, BankedSram& spad, BankedSram& acc,
               datapath::Datapaths* dp, stats::StatGroup& stats);
    // Runs a VECTOR instruction from `now`: reserves its bank windows, computes its data;
    // returns the cycle its results are written.
    [[nodiscard]] uint64_t execute(const isa::Instr& in, const isa::Vector& v,
                                   const isa::LayerDesc& L, uint64_t now);
    // The unit's fields of the run's counters (postproc_elements, MACs) of `layer`.
    void add_counters(size_t layer, stats::Counters& c) const;

  private:
    cfg::PostprocConfig m_cfg;
    BankedSram& m_spad;
    BankedSram& m_acc;
    datapath::Datapaths* m_dp;
    stats::Stat& m_instructions;
    stats::Stat& m_elements;
    MacStats m_macs;
};

}  // namespace npu::model

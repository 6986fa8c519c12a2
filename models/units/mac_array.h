// The systolic MAC array of a core, for the compute engine: one timing model per dataflow (a
// layer runs in the dataflow the compiler chose; with `array.dataflow: both` the array runs
// either), the closed form or the PE-level reference (sim/timing/array_model.h, --fidelity pe).
//
// What is modelled: the array's tile timing (fill, skew, stream, drain, weight preload, overlap
// with the previous tile; docs/timing.md). The compute engine asks plan() when a tile can run,
// checks the scratchpad and accumulator bank windows, and issue()s it. Not modelled here: the
// operands' SRAM ports (the compute engine reserves them) and the data (the datapaths, except
// that the PE-level model computes each tile's product from its registers).
// Timing contract: as sim/timing's ArrayModel; tiles are issued in order.
// Stats (group "npu.array"): tiles; macs_<precision> (useful MACs m*k*n of each tile at the
// layer's precision); busy_cycles (cycles with at least one tile in flight).
#pragma once

#include <array>
#include <cstdint>
#include <memory>

#include "sim/config/hw_config.h"
#include "sim/core/precision.h"
#include "sim/stats/component_stats.h"
#include "sim/stats/stats.h"
#include "sim/timing/array_model.h"

namespace npu::model {

// Which array timing model runs: the closed form, or the PE-level reference.
enum class Fidelity { kFast, kPe };

// MACs per precision, for a unit that multiplies (the array, the vector unit's depthwise
// convolution): the energy model prices each precision's MACs.
class MacStats {
  public:
    explicit MacStats(stats::StatGroup& group);
    void add(size_t layer, Precision p, uint64_t macs) {
        m_macs[static_cast<size_t>(p)]->add(layer, macs);
    }
    // The MAC fields of the run's counters (macs, macs_int4, ...) of `layer`.
    void add_counters(size_t layer, stats::Counters& c) const;

  private:
    std::array<stats::Stat*, kPrecisionCount> m_macs{};
};

class MacArray {
  public:
    MacArray(const cfg::ArrayConfig& cfg, Fidelity fidelity, stats::StatGroup& stats);

    [[nodiscard]] timing::ArrayModel& model(Dataflow df) {
        return *m_models[static_cast<size_t>(df)];
    }
    [[nodiscard]] Fidelity fidelity() const { return m_fidelity; }
    // Counts a tile of `sh` (its data shape) at precision `p` that ran with timing `t`.
    void count_tile(size_t layer, Precision p, const timing::TileShape& sh,
                    const timing::TileTiming& t);
    // The array fields of the run's counters (tiles, array_busy_cycles, MACs) of `layer`.
    void add_counters(size_t layer, stats::Counters& c) const;

  private:
    Fidelity m_fidelity;
    std::unique_ptr<timing::ArrayModel> m_models[2];  // indexed by Dataflow
    uint64_t m_done = 0;                              // end of the latest tile
    stats::Stat& m_tiles;
    stats::Stat& m_busy;
    MacStats m_macs;
};

}  // namespace npu::model

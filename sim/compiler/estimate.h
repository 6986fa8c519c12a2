// The mapper's first-order estimate of an array layer: its tiles back to back on the array (the
// closed form of sim/timing, the array's own model) against its DRAM bytes at peak bandwidth, and
// the actions the energy model prices (MACs, scratchpad and accumulator bytes read and written,
// DRAM bytes, requantized elements), counted as the models count them. The search (search.h)
// ranks its candidates by the config's compiler.objective (better()): latency (cycles, then
// bytes), energy (the priced counts plus static power over the cycles) or their product.
//
// estimate() computes it from the plan alone, without emitting the layer: the bytes of every
// LOAD and STORE in closed form, and the array time by issuing the tiles in runs of equal shape
// (TileRuns). estimate_program() computes the same from emitted instructions (every COMPUTE
// split into tiles and issued on the fast array model, every transfer's bytes summed): it is the
// reference the closed form is proven equal to (tests/unit/compiler_estimate_test.cc, every
// candidate of every array layer of every bundled workload on every bundled config).
#pragma once

#include <cstdint>
#include <vector>

#include "sim/compiler/emit.h"
#include "sim/compiler/lower.h"
#include "sim/compiler/memory_plan.h"
#include "sim/compiler/search.h"
#include "sim/config/hw_config.h"
#include "sim/isa/isa.h"
#include "sim/stats/stats.h"
#include "sim/timing/array_model.h"

namespace npu::compiler {

struct Estimate {
    uint64_t cycles = 0;  // max(array busy, DRAM bytes / peak bytes per cycle)
    uint64_t bytes = 0;   // DRAM (or on-chip window) bytes of every LOAD and STORE
    // The counts a run records for the layer, every transfer taken to go to DRAM (a tensor kept
    // on chip moves scratchpad to scratchpad instead): macs (and macs_<precision>),
    // dram_read_bytes (LOADs) and dram_write_bytes (STOREs), spad_read_bytes (the array's A,
    // weight and bias reads, STOREs), spad_write_bytes (LOADs, POST results), acc_read_bytes and
    // acc_write_bytes (the array's partial sums, POST), requant_<arithmetic>_elements (POST of an
    // integer layer). Every other field is 0.
    stats::Counters counters;
    // Latency order: the fastest, then the least traffic.
    friend bool operator<(const Estimate& a, const Estimate& b) {
        return a.cycles != b.cycles ? a.cycles < b.cycles : a.bytes < b.bytes;
    }
};

// The cycles `bytes` of DRAM traffic take at the DRAM's peak bandwidth.
[[nodiscard]] uint64_t memory_cycles(uint64_t bytes, const cfg::HwConfig& hw);

// The energy the estimate's counts cost (sim/energy's price(), static power over its cycles).
[[nodiscard]] double energy_pj(const Estimate& e, const cfg::HwConfig& hw);

// Whether `a` is better than `b` for hw.compiler.objective: latency: operator<; energy: less
// energy; edp: less energy x cycles; a tie (equal energy or product) is broken by operator<.
[[nodiscard]] bool better(const Estimate& a, const Estimate& b, const cfg::HwConfig& hw);

// The estimate of `layer` mapped by `plan` (an array layer), in closed form.
[[nodiscard]] Estimate estimate(const LoweredLayer& layer, const ArrayPlan& plan,
                                const cfg::HwConfig& hw);

// The same from a program holding the layer's instructions (the reference): `dataflow` is the
// array's mode, `layer` the layer's descriptor. Its counts are taken instruction by instruction
// and tile by tile as the models take them (compute engine, post-processor, DMA).
[[nodiscard]] Estimate estimate_program(const isa::Program& program, const cfg::HwConfig& hw,
                                        Dataflow dataflow, const isa::LayerDesc& layer);

// Each layer's estimated cycles, for the pipeline partition's stages (partition.h): an array
// layer's estimate() of its plan; any other layer the bytes of its LOADs and STOREs in `emitted`
// (its program, one SYNC per layer) at the DRAM's peak bandwidth (the vector unit's own time is not
// estimated: those layers stream their operands, and on the bundled configs their traffic is the
// larger).
[[nodiscard]] std::vector<uint64_t> layer_cycles(const Lowered& lowered,
                                                 const std::vector<LayerPlan>& plans,
                                                 const isa::Program& emitted,
                                                 const cfg::HwConfig& hw);

// The whole program's traffic once its regions are placed (fusion's cost, fusion.h): the bytes
// of every LOAD and STORE of `emitted` whose region `plan` keeps in DRAM, and of those whose
// region it keeps on chip (scratchpad to scratchpad through the on-chip window). Transfers of a
// region marked in `dropped` (per region; fusion removes them) are not counted.
struct Traffic {
    uint64_t dram = 0;
    uint64_t onchip = 0;
};
[[nodiscard]] Traffic program_traffic(const Emitted& emitted, const MemoryPlan& plan,
                                      const std::vector<bool>& dropped);

// When the last of a sequence of tiles issued back to back (each as early as the array allows)
// writes its last result, computed per run of tiles of one shape: the fast array model's timing
// of a tile depends on the previous tile only through the previous tile's shape and its stream
// start, so after the first tile of a run each further one starts a fixed number of cycles after
// the one before. The model is asked once per distinct (previous shape, shape) pair.
class TileRuns {
  public:
    explicit TileRuns(const timing::ArrayGeometry& geometry);
    // `count` tiles of `shape` after the ones added so far.
    void add(const timing::TileShape& shape, uint64_t count);
    // The cycle after the last result of every tile added (0 if none).
    [[nodiscard]] uint64_t end() const { return m_end; }

  private:
    struct Step {
        timing::TileShape prev, shape;
        uint64_t delta;  // stream start of `shape` minus that of `prev`, issued right after it
    };
    struct Alone {
        timing::TileShape shape;
        uint64_t start, span;  // stream start as the first tile; out_end - stream start
    };
    [[nodiscard]] uint64_t delta(const timing::TileShape& prev, const timing::TileShape& shape);
    [[nodiscard]] const Alone& alone(const timing::TileShape& shape);

    timing::ArrayGeometry m_geo;
    std::vector<Step> m_steps;
    std::vector<Alone> m_alone;
    bool m_has_prev = false;
    timing::TileShape m_prev;
    uint64_t m_prev_start = 0;
    uint64_t m_end = 0;
};

}  // namespace npu::compiler

// The platform: the NPU core(s) and the memory target, built from the config and joined by the
// address map(s).
//
// One core (`cores: 1`):
//   npu (NpuCore) --dma port--> address_map --[0, dram.size)----------> dram (by dram.model)
//                                           --[onchip_base, +spad)----> npu.spad_window
// N cores (`cores: N`), one program each (sim/compiler/partition.h), sharing the DRAM target
// through the arbiter (models/platform/mem_arbiter.h, dram.channels request ports):
//   npu<c> --dma port--> address_map<c> --[0, dram.size)--> arbiter.port(c) --> dram
//                                       --[program c's onchip_base, +spad)--> npu<c>'s window
// Each core has its own address map: its DRAM view is the whole (shared) DRAM, its on-chip
// window its own scratchpad. The programs' DRAM ranges must not overlap; the memory image holds
// all of them (one DRAM, one image). Programs with isa::Program::core_barrier (compiler.partition
// channel) all share one range instead (core 0's program holds its image), and each core's SYNC
// waits at the cross-core barrier (models/platform/core_barrier.h, module "barrier", stats group
// "barrier"). Pipelined programs (isa::Program::pipeline, compiler.partition pipeline) share one
// range too, and each core's WAIT and SIGNAL take and post the tokens of the stage tokens
// (models/platform/stage_tokens.h, module "tokens", stats group "tokens"). With `l2.size` > 0
// the shared L2 (models/mem/l2_cache.h, module and stats group "l2") stands between the address
// map (one core) or the arbiter (`l2.banks` request ports then) and the DRAM:
// `... --> [l2 -->] dram`. The components of core c count into group "npu<c>", the arbiter into
// "arbiter"; core c's layer records are core_layers(c), the run's are their merge
// (merge_core_layers()).
//
// The memory target is chosen by name (`dram.model`; `simple`: models/mem/simple_dram.h). The
// functional data of DRAM lives in the memory image (models/mem/memory_image.h), which holds the
// program's DRAM range [dram_base, dram_base + dram_bytes_used) with its initial image (backed by
// Program::dram_image in place, copy on write: the program must outlive the Soc); the timing
// model never holds data. Plain C++ (no process of its own): it owns and binds the
// top-level modules, named "npu", "address_map" and "dram".
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include "models/core/npu_core.h"
#include "models/mem/l2_cache.h"
#include "models/mem/mem_if.h"
#include "models/mem/memory_image.h"
#include "models/platform/address_map.h"
#include "models/platform/core_barrier.h"
#include "models/platform/mem_arbiter.h"
#include "models/platform/stage_tokens.h"
#include "sim/config/hw_config.h"
#include "sim/isa/isa.h"
#include "sim/stats/stats.h"

namespace npu::model {

// Makes the DRAM target (a module named "dram") over `image`, counting into `stats`.
using DramFactory =
    std::function<std::unique_ptr<DramTarget>(MemoryImage& image, stats::StatGroup& stats)>;

class Soc {
  public:
    // Elaborates the platform for `program` in the current SystemC context. `run`: its layers
    // (one per program layer) receive start and end cycles; its `components` tree (with one
    // slot per layer) receives every component's statistics.
    // `make_dram`: the memory target; empty: the one `dram.model` names (make_dram).
    // `program` must outlive the Soc (its DRAM image backs the memory image).
    Soc(const cfg::HwConfig& hw, const isa::Program& program, Fidelity fidelity, bool functional,
        stats::RunStats& run, const DramFactory& make_dram_target = {});
    // hw.cores cores, core c running programs[c] (every program has the run's layer table; a core
    // with nothing to do runs one without instructions). One program: as above.
    Soc(const cfg::HwConfig& hw, const std::vector<const isa::Program*>& programs,
        Fidelity fidelity, bool functional, stats::RunStats& run,
        const DramFactory& make_dram_target = {});
    ~Soc();
    Soc(const Soc&) = delete;
    Soc& operator=(const Soc&) = delete;

    [[nodiscard]] NpuCore& core(size_t c = 0) { return *m_cores.at(c); }
    [[nodiscard]] size_t cores() const { return m_cores.size(); }
    // Core c's layer records (one core: the run's).
    [[nodiscard]] const std::vector<stats::LayerStats>& core_layers(size_t c) const;
    // Several cores: the run's layer records from the cores' (RunStats::layers, cores; see
    // merge_core_layers()). One core: nothing to do.
    void merge_layers(stats::RunStats& run) const;
    // Every layer's counters (RunStats::layers[i].counters) from the components' statistics.
    void collect_counters(stats::RunStats& run) const;

  private:
    MemoryImage m_image;
    std::unique_ptr<DramTarget> m_dram;
    std::unique_ptr<L2Cache> m_l2;           // l2.size > 0 only
    std::unique_ptr<MemArbiter> m_arbiter;   // several cores only
    std::unique_ptr<CoreBarrier> m_barrier;  // several cores sharing each layer (core_barrier)
    std::unique_ptr<StageTokens> m_tokens;   // several cores pipelining the layers (pipeline)
    std::vector<std::unique_ptr<AddressMap>> m_maps;
    std::vector<std::vector<stats::LayerStats>> m_core_layers;  // several cores only
    std::vector<std::unique_ptr<NpuCore>> m_cores;
    stats::RunStats* m_run = nullptr;
};

// The run's record of each layer from the cores' records of it (each core with the run's layer
// table): it starts at the earliest core's start and ends at the latest core's end (cores that
// never ran the layer, start = end = 0, do not count); exclusive and overlapped cycles follow
// from the merged spans as in the controller (models/engines/controller.h); its limiters are
// those of the core that ended it last, or with `arrivals` (per core, per layer: the cycle it
// reached the cross-core barrier, which ends the layer on every core at once) of the core that
// arrived last; its causes are that core's, those of least precedence trimmed to the exclusive
// cycles, or (a pipelined layer, whose core's causes add up over every image's SYNC) dependency
// added up to them. Every other field is the first record's.
[[nodiscard]] std::vector<stats::LayerStats> merge_core_layers(
    const std::vector<std::vector<stats::LayerStats>>& cores,
    const std::vector<std::vector<uint64_t>>& arrivals = {});

// The DRAM target `hw.dram.model` names, as a module called "dram".
[[nodiscard]] std::unique_ptr<DramTarget> make_dram(const cfg::HwConfig& hw, MemoryImage& image,
                                                    stats::StatGroup& stats);

}  // namespace npu::model

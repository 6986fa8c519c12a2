// The platform: the NPU core(s) and the memory target, built from the config and joined by the
// address map. Today one core; the scheduling work adds N cores sharing the memory target
// through an arbiter (and an L2) here.
//
//   npu (NpuCore) --dma port--> address_map --[0, dram.size)----------> dram (by dram.model)
//                                           --[onchip_base, +spad)----> npu.spad_window
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

#include "models/core/npu_core.h"
#include "models/mem/mem_if.h"
#include "models/mem/memory_image.h"
#include "models/platform/address_map.h"
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
    ~Soc();
    Soc(const Soc&) = delete;
    Soc& operator=(const Soc&) = delete;

    [[nodiscard]] NpuCore& core() { return *m_core; }
    // Every layer's counters (RunStats::layers[i].counters) from the components' statistics.
    void collect_counters(stats::RunStats& run) const;

  private:
    MemoryImage m_image;
    std::unique_ptr<DramTarget> m_dram;
    std::unique_ptr<AddressMap> m_map;
    std::unique_ptr<NpuCore> m_core;
};

// The DRAM target `hw.dram.model` names, as a module called "dram".
[[nodiscard]] std::unique_ptr<DramTarget> make_dram(const cfg::HwConfig& hw, MemoryImage& image,
                                                    stats::StatGroup& stats);

}  // namespace npu::model

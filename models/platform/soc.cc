#include "models/platform/soc.h"

#include <algorithm>
#include <string>

#include "models/mem/dram/banked_dram_target.h"
#include "models/mem/simple_dram.h"
#include "models/process.h"
#include "sim/core/error.h"

namespace npu::model {

std::unique_ptr<DramTarget> make_dram(const cfg::HwConfig& hw, MemoryImage& image,
                                      stats::StatGroup& stats) {
    switch (hw.dram.model) {
        case cfg::DramModel::kSimple:
            break;
        case cfg::DramModel::kBanked:
            return std::make_unique<BankedDramTarget>("dram", hw, image, stats);
    }
    return std::make_unique<SimpleDram>("dram", hw.dram_bytes_per_cycle(), hw.dram.channels,
                                        hw.dram.latency_cycles,
                                        static_cast<uint32_t>(hw.dma.burst_bytes), image, stats);
}

Soc::Soc(const cfg::HwConfig& hw, const isa::Program& program, Fidelity fidelity, bool functional,
         stats::RunStats& run, const DramFactory& make_dram_target) {
    check_time_resolution();
    if (program.dram_base + program.dram_bytes_used > hw.dram.size_bytes) {
        throw ModelError("soc", 0, -1,
                         "the program's DRAM range [" + std::to_string(program.dram_base) + ", " +
                             std::to_string(program.dram_base + program.dram_bytes_used) +
                             ") is not in the " + std::to_string(hw.dram.size_bytes) +
                             "-byte DRAM");
    }
    if (functional) {
        m_image.map(program.dram_base, program.dram_bytes_used);
        // The packed weights stay in the Program: the image reads them in place and copies a
        // page only when the run writes to it.
        for (const isa::DramSegment& seg : program.dram_image) {
            m_image.back(seg.addr, seg.bytes.data(), seg.bytes.size());
        }
    }
    stats::StatGroup& dram_stats = run.components.group("dram");
    m_dram = make_dram_target ? make_dram_target(m_image, dram_stats)
                              : make_dram(hw, m_image, dram_stats);
    m_map = std::make_unique<AddressMap>("address_map");
    m_core = std::make_unique<NpuCore>("npu", hw, program, fidelity, functional, run.layers,
                                       run.components.group("npu"));
    m_map->add_region("dram", 0, hw.dram.size_bytes, *m_dram);
    m_map->add_region("npu.spad_window", program.onchip_base, m_core->scratchpad_bytes(),
                      m_core->window());
    m_core->memory_port().bind(*m_map);
    m_dram->set_limiters(&m_core->limiters());
}

Soc::~Soc() = default;

void Soc::collect_counters(stats::RunStats& run) const {
    uint64_t end = 0;
    for (const stats::LayerStats& l : run.layers) end = std::max(end, l.end_cycle);
    m_dram->finish(end);
    for (size_t i = 0; i < run.layers.size(); ++i) {
        stats::Counters c;
        m_core->add_counters(i, c);
        m_dram->add_counters(i, c);
        run.layers[i].counters = c;
    }
}

}  // namespace npu::model

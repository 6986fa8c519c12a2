#include "models/platform/soc.h"

#include <algorithm>
#include <stdexcept>
#include <string>

#include "models/mem/dram/banked_dram_target.h"
#include "models/mem/l2_cache.h"
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

namespace {

// Throws unless `program`'s DRAM range lies in the DRAM.
void check_range(const cfg::HwConfig& hw, const isa::Program& program) {
    if (program.dram_base + program.dram_bytes_used > hw.dram.size_bytes) {
        throw ModelError("soc", 0, -1,
                         "the program's DRAM range [" + std::to_string(program.dram_base) + ", " +
                             std::to_string(program.dram_base + program.dram_bytes_used) +
                             ") is not in the " + std::to_string(hw.dram.size_bytes) +
                             "-byte DRAM");
    }
}

// Maps the program's DRAM range into the image, backed by its packed weights (read in place,
// copied a page at a time when the run writes to it).
void map_program(MemoryImage& image, const isa::Program& program) {
    image.map(program.dram_base, program.dram_bytes_used);
    for (const isa::DramSegment& seg : program.dram_image) {
        image.back(seg.addr, seg.bytes.data(), seg.bytes.size());
    }
}

}  // namespace

Soc::Soc(const cfg::HwConfig& hw, const isa::Program& program, Fidelity fidelity, bool functional,
         stats::RunStats& run, const DramFactory& make_dram_target)
    : Soc(hw, std::vector<const isa::Program*>{&program}, fidelity, functional, run,
          make_dram_target) {}

Soc::Soc(const cfg::HwConfig& hw, const std::vector<const isa::Program*>& programs,
         Fidelity fidelity, bool functional, stats::RunStats& run,
         const DramFactory& make_dram_target)
    : m_run(&run) {
    check_time_resolution();
    if (programs.empty() || (programs.size() > 1 && programs.size() != size_t(hw.cores))) {
        throw ModelError("soc", 0, -1,
                         std::to_string(programs.size()) + " programs for " +
                             std::to_string(hw.cores) + " cores (one each, or one for one core)");
    }
    for (size_t c = 0; c < programs.size(); ++c) {
        check_range(hw, *programs[c]);
        if (programs[c]->layers.size() != run.layers.size()) {
            throw ModelError("soc", 0, -1,
                             "core " + std::to_string(c) + "'s program has " +
                                 std::to_string(programs[c]->layers.size()) + " layers, the run " +
                                 std::to_string(run.layers.size()));
        }
    }
    // Channel partition: the cores share one DRAM range and layout (core 0's program holds the
    // image); otherwise the image refuses overlapping ranges (ModelError): the cores' programs
    // must not overlap.
    // Pipeline: the same, with the stage tokens instead of the barrier.
    const bool shared = programs.size() > 1 && (programs[0]->core_barrier || programs[0]->pipeline);
    for (size_t c = 1; shared && c < programs.size(); ++c) {
        const isa::Program& p = *programs[c];
        if (p.core_barrier != programs[0]->core_barrier || p.pipeline != programs[0]->pipeline ||
            p.dram_base != programs[0]->dram_base ||
            p.dram_bytes_used != programs[0]->dram_bytes_used) {
            throw ModelError("soc", 0, -1,
                             "core " + std::to_string(c) +
                                 "'s program does not share core 0's DRAM range and barrier "
                                 "or tokens");
        }
    }
    if (functional) {
        for (const isa::Program* p : programs) {
            map_program(m_image, *p);
            if (shared) break;
        }
    }
    stats::StatGroup& dram_stats = run.components.group("dram");
    m_dram = make_dram_target ? make_dram_target(m_image, dram_stats)
                              : make_dram(hw, m_image, dram_stats);
    if (hw.l2.present()) {
        m_l2 = std::make_unique<L2Cache>("l2", hw.l2, static_cast<uint32_t>(hw.dma.burst_bytes),
                                         *m_dram, run.components.group("l2"), hw.cores);
        // Several cores: a DRAM that notes its waits later (banked) gets no log (as without L2).
        m_l2->set_pass_limiters(programs.size() == 1 || hw.dram.model == cfg::DramModel::kSimple);
    }
    MemTargetIf& memory = m_l2 ? static_cast<MemTargetIf&>(*m_l2) : *m_dram;
    if (programs.size() == 1) {
        const isa::Program& program = *programs[0];
        m_maps.push_back(std::make_unique<AddressMap>("address_map"));
        m_cores.push_back(std::make_unique<NpuCore>("npu", hw, program, fidelity, functional,
                                                    run.layers, run.components.group("npu")));
        m_maps[0]->add_region("dram", 0, hw.dram.size_bytes, memory);
        m_maps[0]->add_region("npu.spad_window", program.onchip_base,
                              m_cores[0]->scratchpad_bytes(), m_cores[0]->window());
        m_cores[0]->memory_port().bind(*m_maps[0]);
        memory.set_limiters(&m_cores[0]->limiters());
        return;
    }
    const int n = hw.cores;
    // The arbiter's request ports: the DRAM's channels, or the L2's banks.
    const int ports = std::max(1, m_l2 ? hw.l2.banks : hw.dram.channels);
    m_arbiter =
        std::make_unique<MemArbiter>("arbiter", n, ports, memory, run.components.group("arbiter"));
    m_core_layers.assign(size_t(n), run.layers);
    if (shared && programs[0]->core_barrier) {
        m_barrier =
            std::make_unique<CoreBarrier>("barrier", n, run.layers.size(), uint64_t(hw.sync_cycles),
                                          run.components.group("barrier"));
    }
    if (shared && programs[0]->pipeline) {
        m_tokens = std::make_unique<StageTokens>("tokens", n, uint64_t(hw.sync_cycles),
                                                 run.components.group("tokens"));
    }
    for (int c = 0; c < n; ++c) {
        const isa::Program& program = *programs[size_t(c)];
        const std::string name = "npu" + std::to_string(c);
        m_maps.push_back(std::make_unique<AddressMap>(("address_map" + std::to_string(c)).c_str()));
        m_cores.push_back(std::make_unique<NpuCore>(name.c_str(), hw, program, fidelity, functional,
                                                    m_core_layers[size_t(c)],
                                                    run.components.group(name)));
        AddressMap& map = *m_maps.back();
        NpuCore& core = *m_cores.back();
        map.add_region("dram", 0, hw.dram.size_bytes, m_arbiter->port(c));
        map.add_region(name + ".spad_window", program.onchip_base, core.scratchpad_bytes(),
                       core.window());
        core.memory_port().bind(map);
        // The simple DRAM (and the L2) note their waits as they take a request: into the log of
        // its core.
        m_arbiter->set_limiters(c, &core.limiters(),
                                m_l2 || hw.dram.model == cfg::DramModel::kSimple);
        if (m_barrier) {
            core.set_barrier(
                [b = m_barrier.get(), c](size_t layer) { b->arrive_and_wait(size_t(c), layer); });
        }
        if (m_tokens) {
            StageTokens* t = m_tokens.get();
            core.set_tokens(
                [t, c](uint32_t image, size_t layer) { t->wait(size_t(c), image, layer); },
                [t, c](uint32_t image, size_t layer) { t->signal(size_t(c), image, layer); });
        }
    }
}

Soc::~Soc() = default;

const std::vector<stats::LayerStats>& Soc::core_layers(size_t c) const {
    if (m_core_layers.empty()) {
        if (c != 0) throw std::out_of_range("Soc::core_layers: one core");
        return m_run->layers;
    }
    return m_core_layers.at(c);
}

void Soc::merge_layers(stats::RunStats& run) const {
    if (m_core_layers.empty()) return;
    std::vector<std::vector<uint64_t>> arrivals;
    if (m_barrier) {
        arrivals.resize(m_core_layers.size());
        for (size_t c = 0; c < arrivals.size(); ++c) {
            for (size_t i = 0; i < run.layers.size(); ++i) {
                arrivals[c].push_back(m_barrier->arrival(c, i));
            }
        }
    }
    run.layers = merge_core_layers(m_core_layers, arrivals);
}

void Soc::collect_counters(stats::RunStats& run) const {
    uint64_t end = 0;
    for (const stats::LayerStats& l : run.layers) end = std::max(end, l.end_cycle);
    m_dram->finish(end);
    if (m_l2) m_l2->finish();
    for (size_t i = 0; i < run.layers.size(); ++i) {
        stats::Counters c;
        for (const std::unique_ptr<NpuCore>& core : m_cores) core->add_counters(i, c);
        m_dram->add_counters(i, c);
        run.layers[i].counters = c;
        for (const std::unique_ptr<NpuCore>& core : m_cores) {
            if (const std::optional<uint64_t> w = core->hazard_wait_cycles(i)) {
                run.layers[i].hazard_wait_cycles =
                    run.layers[i].hazard_wait_cycles.value_or(0) + *w;
            }
        }
    }
}

std::vector<stats::LayerStats> merge_core_layers(
    const std::vector<std::vector<stats::LayerStats>>& cores,
    const std::vector<std::vector<uint64_t>>& arrivals) {
    std::vector<stats::LayerStats> out = cores.at(0);
    uint64_t previous_end = 0;
    for (size_t i = 0; i < out.size(); ++i) {
        stats::LayerStats& m = out[i];
        const stats::LayerStats* last = nullptr;  // the core that ended the layer last
        for (const std::vector<stats::LayerStats>& core : cores) {
            const stats::LayerStats& l = core.at(i);
            if (l.end_cycle == 0) continue;  // the core never ran it
            if (last == nullptr || l.start_cycle < m.start_cycle) m.start_cycle = l.start_cycle;
            if (last == nullptr || l.end_cycle >= last->end_cycle) last = &l;
        }
        if (!arrivals.empty()) {  // the barrier: the core that arrived last (ties: the later)
            size_t critical = 0;
            for (size_t c = 1; c < cores.size(); ++c) {
                if (arrivals.at(c).at(i) >= arrivals.at(critical).at(i)) critical = c;
            }
            if (cores[critical].at(i).end_cycle != 0) last = &cores[critical].at(i);
        }
        if (last == nullptr) {
            m.start_cycle = m.end_cycle = m.exclusive_cycles = m.overlapped_cycles = 0;
            m.limiters = {};
            continue;
        }
        m.end_cycle = last->end_cycle;
        const uint64_t own_from = std::max(m.start_cycle, previous_end);
        m.exclusive_cycles = m.end_cycle - std::min(m.end_cycle, previous_end);
        m.overlapped_cycles = own_from - m.start_cycle;
        previous_end = std::max(previous_end, m.end_cycle);
        // The last core's causes over its own exclusive cycles, which begin at or before the
        // merged ones: the surplus comes off the causes of least precedence first.
        m.limiters = last->limiters;
        uint64_t surplus = m.limiters.total() - std::min(m.limiters.total(), m.exclusive_cycles);
        for (size_t k = stats::kLimiters; k-- > 0 && surplus > 0;) {
            const uint64_t take = std::min(surplus, m.limiters.cycles[k]);
            m.limiters.cycles[k] -= take;
            surplus -= take;
        }
        // A pipelined layer's causes (its core's, over every image) may fall short of its merged
        // exclusive cycles: the rest waited on other layers of the stage (dependency).
        m.limiters.cycles[static_cast<size_t>(stats::Limiter::kDependency)] +=
            m.exclusive_cycles - std::min(m.exclusive_cycles, m.limiters.total());
    }
    return out;
}

}  // namespace npu::model

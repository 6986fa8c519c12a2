#include "models/core/npu_core.h"

#include "models/process.h"

namespace npu::model {

namespace {

std::unique_ptr<datapath::Datapaths> make_datapaths(bool functional, const cfg::HwConfig& hw,
                                                    BankedSram& spad, BankedSram& acc) {
    if (!functional) return nullptr;
    return std::make_unique<datapath::Datapaths>(hw.postproc.rounding, hw.postproc.requant,
                                                 datapath::Memory{spad.data(0), acc.data(0)});
}

}  // namespace

void NpuCore::enable_hazards(const isa::Program& program, stats::StatGroup& stats) {
    if (!program.dependency_table) return;
    m_board.enable_hazards(stats.group("hazards"), program.layers.size());
    m_limiters.set_clipped(true);
}

NpuCore::NpuCore(sc_core::sc_module_name name, const cfg::HwConfig& hw, const isa::Program& program,
                 Fidelity fidelity, bool functional, std::vector<stats::LayerStats>& layers,
                 stats::StatGroup& stats)
    : sc_module(name),
      m_limiters(program.layers.size()),
      m_spad(std::string(this->name()) + ".spad", hw.scratchpad, functional, stats.group("spad"),
             now_cycles),
      m_acc(std::string(this->name()) + ".acc", hw.accumulator, functional, stats.group("acc"),
            now_cycles),
      m_datapaths(make_datapaths(functional, hw, m_spad, m_acc)),
      m_array(hw.array, fidelity, stats.group("array")),
      m_vector(hw.postproc, m_spad, m_acc, m_datapaths.get(), stats.group("vector")),
      m_ppu(hw.postproc, m_spad, m_acc, m_datapaths.get(), stats.group("ppu")),
      m_dma("dma", hw.dma, m_spad, functional, stats.group("dma")),
      m_window("spad_window", m_spad),
      m_controller(
          "controller", hw.controller, program, m_board, layers,
          functional ? Controller::OutputReader([this](uint64_t addr, uint8_t* dst, uint32_t len) {
              m_dma.peek(addr, dst, len);
          })
                     : Controller::OutputReader(),
          // The table first: the controller checks that a program with markers has one.
          (enable_hazards(program, stats), stats.group("controller"))),
      m_load("load", m_controller.queue(isa::Engine::kLoad), m_c2l, m_l2c, m_dma, program, m_board,
             stats.group("load")),
      m_compute("compute", hw.array, m_controller.queue(isa::Engine::kCompute),
                {m_l2c, m_s2c, m_c2l, m_c2s}, m_array, m_vector, m_spad, m_acc, m_datapaths.get(),
                program, m_board, stats.group("compute")),
      m_store("store", m_controller.queue(isa::Engine::kStore), m_c2s, m_s2c, m_ppu, m_dma, program,
              m_board, stats.group("store")) {
    m_board.set_limiters(&m_limiters);
    m_spad.set_limiters(&m_limiters);
    m_acc.set_limiters(&m_limiters);
    m_dma.set_limiters(&m_limiters);
}

std::optional<uint64_t> NpuCore::hazard_wait_cycles(size_t layer) const {
    if (m_board.hazards() == nullptr) return std::nullopt;
    return m_board.hazard_wait_cycles(layer);
}

void NpuCore::add_counters(size_t layer, stats::Counters& c) const {
    m_controller.add_counters(layer, c);
    m_load.add_counters(layer, c);
    m_compute.add_counters(layer, c);
    m_store.add_counters(layer, c);
    m_dma.add_counters(layer, c);
    m_array.add_counters(layer, c);
    m_vector.add_counters(layer, c);
    m_ppu.add_counters(layer, c);
    const BankedSram::Counts s = m_spad.counts(layer);
    c.spad_read_bytes += s.bytes_read;
    c.spad_write_bytes += s.bytes_written;
    c.spad_bank_conflicts += s.conflicts;
    c.spad_bank_conflict_cycles += s.conflict_cycles;
    const BankedSram::Counts a = m_acc.counts(layer);
    c.acc_read_bytes += a.bytes_read;
    c.acc_write_bytes += a.bytes_written;
    c.acc_bank_conflicts += a.conflicts;
    c.acc_bank_conflict_cycles += a.conflict_cycles;
}

}  // namespace npu::model

#include "models/engines/controller.h"

#include <algorithm>

#include "models/process.h"
#include "sim/core/error.h"

namespace npu::model {

Controller::Controller(sc_core::sc_module_name name, const cfg::ControllerConfig& cfg,
                       const isa::Program& program, Scoreboard& board,
                       std::vector<stats::LayerStats>& layers, OutputReader read_output,
                       stats::StatGroup& stats)
    : sc_module(name),
      m_cfg(cfg),
      m_program(program),
      m_board(board),
      m_layers(layers),
      m_read_output(std::move(read_output)),
      m_load_q("load_queue", cfg.queue_depth),
      m_compute_q("compute_queue", cfg.queue_depth),
      m_store_q("store_queue", cfg.queue_depth),
      m_queues{&m_load_q, &m_compute_q, &m_store_q},
      m_instructions(
          stats.stat("instructions", "instructions dispatched (SYNC included)", "count")),
      m_syncs(stats.stat("syncs", "SYNC barriers completed", "count")),
      m_stall(stats.stat("dispatch_stall_cycles",
                         "cycles dispatch was blocked on a full engine queue", "cycles")) {
    SC_THREAD(thread);
    m_full = program.dependency_table;
    if (m_full) {
        if (m_board.hazards() == nullptr) {
            throw std::logic_error(
                "Controller: a program with layer-end markers needs the "
                "dependency table (Scoreboard::enable_hazards)");
        }
        SC_THREAD(layer_ends_thread);
    }
}

void Controller::layer_ends_thread() {
    guarded([this] { layer_ends(); });
}

void Controller::record_end(size_t layer, uint64_t& previous_end) {
    stats::LayerStats& ls = m_layers[layer];
    // A layer's earlier ends (a pipelined program's earlier images) add to its record.
    const bool again = ls.end_cycle != 0;
    ls.end_cycle = now_cycles();
    if (m_full) {
        // Dispatch runs ahead of the engines here: the layer starts when its first instruction
        // starts in an engine (after its tokens and hazards), if one has.
        const uint64_t started = m_board.layer_started(layer);
        if (started != UINT64_MAX) ls.start_cycle = started;
    }
    // Its span overlaps the previous layer's until that one's end; the rest is its own.
    const uint64_t own_from = std::max(ls.start_cycle, previous_end);
    ls.exclusive_cycles = (again ? ls.exclusive_cycles : 0) + ls.end_cycle - previous_end;
    if (!again) ls.overlapped_cycles = own_from - ls.start_cycle;
    if (stats::LimiterLog* log = m_board.limiters()) {
        // With the dependency table its limiters cover its exclusive cycles from the previous
        // end (its instructions may start later than that: the cycles between are dependency
        // waits); at a SYNC, from its own part of the span.
        const stats::LimiterCycles c =
            log->close_layer(layer, m_full ? previous_end : own_from, ls.end_cycle);
        if (again) {
            ls.limiters += c;
        } else {
            ls.limiters = c;
        }
    }
    previous_end = ls.end_cycle;
    m_syncs.add(layer, 1);
}

void Controller::take_output(size_t layer, std::vector<int8_t>* from_images) {
    const isa::LayerDesc& d = m_program.layers[layer];
    std::vector<int8_t> out;
    if (from_images != nullptr) {
        out = std::move(*from_images);
    } else {
        out.resize(d.output_bytes);
        m_read_output(d.output_addr, reinterpret_cast<uint8_t*>(out.data()),
                      static_cast<uint32_t>(d.output_bytes));
    }
    if (m_output_sink) {
        m_output_sink(layer, std::move(out));
    } else {
        m_layer_outputs.resize(m_program.layers.size());
        m_layer_outputs[layer] = std::move(out);
    }
}

// Ends the layers of a compiler.overlap full program in order (see controller.h). A layer's
// epoch holds every instruction between the previous marker and its own; the earlier epochs
// have ended already (in order), so the layer ends once its epoch's instructions have retired
// and completed, and not before the previous end (now, since the previous layer ended).
void Controller::layer_ends() {
    DependencyTable& table = *m_board.hazards();
    uint64_t previous_end = 0;
    for (;;) {
        while (m_markers.empty()) {
            if (m_dispatch_done) return;
            sc_core::wait(m_marker_event);
        }
        const Marker m = m_markers.front();
        m_markers.pop_front();
        DependencyTable::EpochState& e = table.epoch(m.epoch);
        while (e.retired < e.entered) sc_core::wait(m_board.hazard_event());
        uint64_t end = e.max_done;
        for (const DoneCycle& d : e.untold) end = std::max(end, d.wait_known());
        e.untold.clear();
        wait_until(end);
        const size_t layer = m.sync->layer;
        record_end(layer, previous_end);
        // The output as it stands now: every writer of it (of this epoch or before) has
        // completed, and none of a later epoch can have begun, since each waits for this read
        // (its entry, retired next) when its ranges touch the output.
        if (m_read_output) take_output(layer, nullptr);
        m_board.retire_entry(m.reader, now_cycles());
        if (m_board.tracing()) m_board.trace_controller(*m.sync, m.dispatched, false);
        if (m_layer_end_hook) m_layer_end_hook(layer, now_cycles());
        ++m_markers_ended;
        notify_after(m_ended_event, 0);
    }
}

void Controller::thread() {
    guarded([this] { run(); });
}

void Controller::run() {
    std::vector<bool> started(m_program.layers.size(), false);
    // Per layer: its SYNCs not yet reached (one, unless a pipelined program runs it per image).
    std::vector<uint32_t> syncs_left(m_program.layers.size(), 0);
    for (const isa::Instr& in : m_program.instrs) {
        if (in.op == isa::Opcode::kSync) ++syncs_left.at(in.layer);
    }
    const std::vector<uint32_t> syncs = syncs_left;
    // A pipelined program's layer outputs, an image per SYNC (functional runs).
    std::vector<std::vector<int8_t>> images(
        m_program.pipeline && m_read_output ? m_program.layers.size() : 0);
    uint64_t previous_end = 0;  // the end of the layer that ended last (program start: 0)
    const auto dispatch = static_cast<uint64_t>(m_cfg.dispatch_cycles);
    uint32_t epoch = 0;  // compiler.overlap full: layer-end markers dispatched so far
    for (const isa::Instr& in : m_program.instrs) {
        const size_t layer = in.layer;
        const bool token = in.op == isa::Opcode::kWait || in.op == isa::Opcode::kSignal;
        // A layer starts at its first instruction, which may be a prefetch placed in the
        // previous layer's stream (a WAIT does not start it: the stage starts after it).
        if (!started[layer] && !token) {
            started[layer] = true;
            m_layers[layer].start_cycle = now_cycles();
        }
        if (dispatch > 0) {
            wait_until(now_cycles() + dispatch);
        } else {
            sc_core::wait(sc_core::SC_ZERO_TIME);
        }
        m_instructions.add(layer, 1);
        const isa::Engine e = isa::engine_of(in.op);
        if (token) {
            if (!m_wait_token) {
                throw ModelError(name(), now_cycles(), static_cast<int64_t>(in.id),
                                 std::string(isa::to_string(in.op)) +
                                     " in a program that is not pipelined over cores");
            }
            const uint64_t token_start = now_cycles();
            if (in.op == isa::Opcode::kWait) {
                m_wait_token(in.payload, layer);
            } else {
                m_board.wait_all_complete();
                m_signal_token(in.payload, layer);
            }
            if (m_board.tracing()) m_board.trace_controller(in, token_start, false);
            continue;
        }
        if (e == isa::Engine::kController && m_full) {  // a marker, or the last SYNC
            const uint64_t sync_start = now_cycles();
            const DependencyTable::Handle reader = m_board.hazards()->add(
                epoch, output_read(m_program, layer), now_cycles(), /*counted=*/false);
            m_markers.push_back({&in, epoch, sync_start, reader});
            ++m_markers_dispatched;
            ++epoch;
            notify_after(m_marker_event, 0);
            if (in.payload == isa::kSyncBarrier) {  // the last: wait until every layer ended
                while (m_markers_ended < m_markers_dispatched) sc_core::wait(m_ended_event);
            }
            continue;
        }
        if (e == isa::Engine::kController) {  // SYNC: every earlier instruction has completed
            const uint64_t sync_start = now_cycles();
            m_board.wait_all_complete();
            if (m_barrier) m_barrier(layer);
            record_end(layer, previous_end);
            const uint32_t image = syncs[layer] - syncs_left[layer];
            if (!images.empty()) {
                // Image `image` of the batch's output: from its slot, or from where the stage
                // keeps it on chip (one image at a time).
                const isa::LayerDesc& d = m_program.layers[layer];
                const uint64_t part = d.output_bytes / syncs[layer];
                std::vector<int8_t>& out = images[layer];
                out.resize(d.output_bytes);
                m_read_output(d.output_addr + (d.residency == "on-chip" ? 0 : image * part),
                              reinterpret_cast<uint8_t*>(out.data() + image * part),
                              static_cast<uint32_t>(part));
            }
            if (--syncs_left[layer] > 0) {  // not the layer's end yet
                if (m_board.tracing()) m_board.trace_controller(in, sync_start, false);
                continue;
            }
            if (m_read_output) take_output(layer, images.empty() ? nullptr : &images[layer]);
            if (m_board.tracing()) m_board.trace_controller(in, sync_start, false);
            if (m_layer_end_hook) m_layer_end_hook(layer, now_cycles());
            continue;
        }
        const uint64_t before = now_cycles();
        if (m_full) m_board.enter(e, epoch, accesses_of(m_program, in));
        m_board.dispatched(e);
        queue(e).write(&in);
        const uint64_t blocked = now_cycles() - before;
        m_stall.add(layer, blocked);
        if (m_board.tracing() && blocked > 0) m_board.trace_controller(in, before, true);
    }
    // End of program: each engine returns from its loop after its last instruction, so every
    // SystemC thread ends by returning (no thread is left to be killed when the kernel context
    // is destroyed, and no body is a never-returning loop).
    for (Queue* q : m_queues) q->write(nullptr);
    if (m_full) {  // the layer-end process returns once it has ended every layer
        m_dispatch_done = true;
        notify_after(m_marker_event, 0);
        while (m_markers_ended < m_markers_dispatched) sc_core::wait(m_ended_event);
    }
    m_finished = true;
}

void Controller::add_counters(size_t layer, stats::Counters& c) const {
    c.instructions += m_instructions.at(layer);
    c.dispatch_queue_full_cycles += m_stall.at(layer);
}

}  // namespace npu::model

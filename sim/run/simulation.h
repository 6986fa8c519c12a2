// One simulation: compile the workload, elaborate the SystemC NPU, run it, collect the stats and
// the outputs, and compare the outputs with the reference executor.
//
// Each call builds a fresh SystemC simulation context, so a process may run several simulations
// one after the other (tests compare fidelities this way); they must not overlap.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "models/platform/soc.h"
#include "sim/compiler/compiler.h"
#include "sim/config/hw_config.h"
#include "sim/graph/workload.h"
#include "sim/isa/isa.h"
#include "sim/stats/stats.h"
#include "sim/stats/trace.h"

namespace npu::run {

struct RunOptions {
    bool functional = true;  // compute the data (false: timing only)
    model::Fidelity fidelity = model::Fidelity::kFast;
    bool check = true;   // compare outputs with the reference executor
    bool trace = false;  // record the timeline (RunResult::trace); off: nothing recorded
    // Called by the model at each layer's end (simulated cycle so far); for progress displays.
    std::function<void(size_t layers_done, size_t layers_total, uint64_t cycle)> on_layer_end;
    // The memory target instead of the one `dram.model` names (tests, experiments); empty: the
    // configured one.
    model::DramFactory dram;
    // Functional runs: keep every layer's simulated output in RunResult::outputs. Off (simulate()
    // only): each output is compared with the reference's as soon as both exist and then let go,
    // for a smaller peak memory; the check's figures are the same.
    bool keep_outputs = true;
    // Functional runs: takes each layer's simulated output as the layer ends (on the simulation's
    // thread) instead of RunResult::outputs.
    std::function<void(size_t layer, std::vector<int8_t>&& output)> on_layer_output;
};

struct RunResult {
    stats::RunStats stats;
    // Every layer's simulated output (functional runs, unless RunOptions::keep_outputs is off or
    // RunOptions::on_layer_output takes them).
    std::vector<std::vector<int8_t>> outputs;
    stats::Trace trace;  // the timeline (RunOptions::trace)
};

[[nodiscard]] const char* to_string(model::Fidelity f);

// Throws npu::UserError for a workload that cannot be mapped; npu::ModelError on a model fault
// (also one a model process threw: it stops the simulation and is rethrown here).
[[nodiscard]] RunResult simulate(const cfg::HwConfig& hw, const graph::Workload& workload,
                                 const RunOptions& options);

// Runs a compiled program on the platform, without the reference check: every figure of
// simulate() but the workload name and the wall time. For hand-made programs (model tests).
// Throws what a model process threw (npu::ModelError for a malformed program).
[[nodiscard]] RunResult simulate_program(const cfg::HwConfig& hw, const isa::Program& program,
                                         const RunOptions& options);
// The same for hw.cores cores, core c running programs[c] (compiler::compile_cores(); one
// program: one core, as simulate_program). Each layer's output is the busy cores' outputs of it
// back to back in core order; its record spans the cores' (model::merge_core_layers());
// RunStats::cores holds each core's figures (several cores only); the trace has every core's
// events (TraceEvent::core).
[[nodiscard]] RunResult simulate_programs(const cfg::HwConfig& hw,
                                          const std::vector<const isa::Program*>& programs,
                                          const RunOptions& options);

}  // namespace npu::run

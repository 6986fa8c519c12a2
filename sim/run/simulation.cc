#include "sim/run/simulation.h"

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <systemc>

#include "sim/core/error.h"
#include "sim/ref/reference.h"

namespace npu::run {

const char* to_string(model::Fidelity f) { return f == model::Fidelity::kPe ? "pe" : "fast"; }

namespace {

// A fresh kernel context per simulation (SystemC refuses a second sc_start after the first
// simulation ended, and new modules after the first sc_start).
class SimContext {
  public:
    SimContext() {
        setenv("SC_COPYRIGHT_MESSAGE", "DISABLE", 0);
        sc_core::sc_curr_simcontext = new sc_core::sc_simcontext();
        sc_core::sc_default_global_context = sc_core::sc_curr_simcontext;
        // Our models produce no SystemC warnings; one means a modelling error.
        sc_core::sc_report_handler::set_actions(sc_core::SC_WARNING,
                                                sc_core::SC_DISPLAY | sc_core::SC_THROW);
    }
    ~SimContext() {
        delete sc_core::sc_curr_simcontext;
        sc_core::sc_curr_simcontext = nullptr;
        sc_core::sc_default_global_context = nullptr;
    }
    SimContext(const SimContext&) = delete;
    SimContext& operator=(const SimContext&) = delete;
};

}  // namespace

RunResult simulate(const cfg::HwConfig& hw, const graph::Workload& workload,
                   const RunOptions& options) {
    const auto t0 = std::chrono::steady_clock::now();
    compiler::CompileOptions copts;
    copts.with_data = options.functional;
    const isa::Program program = compiler::compile(workload, hw, copts);

    RunResult result;
    stats::RunStats& st = result.stats;
    st.config_name = hw.name;
    st.workload_name = workload.name;
    st.fidelity = to_string(options.fidelity);
    st.functional = options.functional;
    st.clock_hz = hw.clock_hz;
    st.peak_macs_per_cycle = hw.peak_macs_per_cycle();
    st.dram_peak_bytes_per_cycle = hw.dram_bytes_per_cycle();
    for (const isa::LayerDesc& d : program.layers) {
        stats::LayerStats ls;
        ls.name = d.name;
        ls.op = d.op;
        ls.shape = d.shape;
        ls.mapping = d.mapping;
        ls.residency = d.residency;
        ls.macs_total = d.macs;
        st.layers.push_back(ls);
    }

    {
        SimContext ctx;
        auto npu = std::make_unique<model::Npu>("npu", hw, program, options.fidelity,
                                                options.functional, st);
        sc_core::sc_start();
        if (!npu->finished()) {
            std::string layer = "?";
            for (const stats::LayerStats& ls : st.layers) {
                if (ls.end_cycle == 0) {
                    layer = ls.name;
                    break;
                }
            }
            throw ModelError("npu.controller", model::now_cycles(), -1,
                             "the program deadlocked in layer '" + layer +
                                 "': engines wait for tokens nobody pushes");
        }
        if (options.functional) result.outputs = npu->layer_outputs();
        npu.reset();
    }
    st.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    for (const stats::LayerStats& ls : st.layers) {
        st.total += ls.counters;
        st.total_cycles = std::max(st.total_cycles, ls.end_cycle);
    }

    if (options.functional && options.check) {
        const auto expected = ref::run_workload(workload, hw.postproc.rounding);
        for (size_t i = 0; i < st.layers.size(); ++i) {
            uint64_t bad = 0;
            for (size_t e = 0; e < expected[i].size(); ++e)
                bad += expected[i][e] != result.outputs[i][e];
            st.layers[i].checked = true;
            st.layers[i].mismatches = bad;
            st.layers[i].bit_exact = bad == 0;
        }
    }
    return result;
}

}  // namespace npu::run

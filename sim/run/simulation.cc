#include "sim/run/simulation.h"

#include <algorithm>
#include <chrono>
#include <cstring>
#include <future>
#include <memory>
#include <optional>
#include <stdexcept>
#include <systemc>
#include <type_traits>
#include <utility>

#include "models/platform/soc.h"
#include "models/process.h"
#include "sim/compiler/partition.h"
#include "sim/core/error.h"
#include "sim/energy/dram_energy.h"
#include "sim/quant/float_ref.h"
#include "sim/quant/precisions.h"
#include "sim/ref/layer_check.h"
#include "sim/ref/reference.h"

namespace npu::run {

const char* to_string(model::Fidelity f) { return f == model::Fidelity::kPe ? "pe" : "fast"; }

namespace {

// What the trace says about each instruction: opcode, text and the tokens it waits for.
void describe_instructions(const isa::Program& program, stats::Trace& trace) {
    trace.instrs.resize(program.instrs.size());
    for (const isa::Instr& in : program.instrs) {
        stats::TraceInstr& t = trace.instrs.at(in.id);
        t.op = isa::to_string(in.op);
        t.text = isa::to_asm(program, in);
        std::string w;
        const auto add = [&w](const char* what) {
            w += (w.empty() ? "" : ", ") + std::string(what);
        };
        switch (isa::engine_of(in.op)) {
            case isa::Engine::kLoad:
                if (in.deps.pop_next) add("compute (scratchpad buffer free)");
                break;
            case isa::Engine::kCompute:
                if (in.deps.pop_prev) add("load (operands ready)");
                if (in.deps.pop_next) add("store (accumulator buffer free)");
                break;
            case isa::Engine::kStore:
                if (in.deps.pop_prev) add("compute (accumulators ready)");
                break;
            case isa::Engine::kController:
                if (in.op == isa::Opcode::kWait) add("the previous core (its stage of the image)");
                break;
        }
        t.waits_for = w;
    }
}

// Runs `reference` on its own thread when `wanted` (an invalid future otherwise); get() returns
// its result or rethrows what it threw.
template <typename F>
std::future<std::invoke_result_t<F>> start_reference(bool wanted, F reference) {
    if (!wanted) return {};
    return std::async(std::launch::async, std::move(reference));
}

// The banked DRAM's energy by the IDD method replaces the per-byte price, per layer and over the
// run, when its device has IDD data (sim/energy/dram_energy.h).
void price_banked_dram(const cfg::HwConfig& hw, stats::RunStats& st) {
    const stats::StatGroup* dram = st.components.find_group("dram");
    if (hw.dram.model != cfg::DramModel::kBanked || dram == nullptr) return;
    for (size_t i = 0; i < st.layers.size(); ++i) {
        if (const auto e = energy::price_dram(energy::dram_activity(*dram, hw.dram, &i), hw.dram)) {
            st.layers[i].dram_energy_pj = e->total_pj();
        }
    }
    if (const auto e =
            energy::price_dram(energy::dram_activity(*dram, hw.dram, nullptr), hw.dram)) {
        st.dram_energy_pj = e->total_pj();
    }
}

// The L2's counts per layer and over the run (stats::L2Counts), from its group "l2" when the run
// has one.
void collect_l2(stats::RunStats& st) {
    const stats::StatGroup* l2 = st.components.find_group("l2");
    if (l2 == nullptr) return;
    auto at = [l2](const char* name, size_t i) { return l2->find(name)->at(i); };
    stats::L2Counts total;
    for (size_t i = 0; i < st.layers.size(); ++i) {
        stats::L2Counts c;
        c.hits = at("hits", i);
        c.misses = at("misses", i);
        c.writebacks = at("writebacks", i);
        c.bytes = at("bytes_read", i) + at("bytes_written", i) + at("fill_bytes", i) +
                  at("writeback_bytes", i);
        st.layers[i].l2 = c;
        total += c;
    }
    st.l2 = total;
}

// Several cores: core c (one of the first `busy` ones, which have work) hands its output of each
// layer to `parts`; when every busy core has, they go to `deliver` back to back in core order.
struct CoreOutputs {
    std::vector<std::vector<std::vector<int8_t>>> parts;  // per layer, per busy core
    std::vector<size_t> in;                               // per layer: parts handed in
};
template <typename Deliver>
void collect_core_outputs(model::NpuCore& npu, size_t c, size_t busy, CoreOutputs& outs,
                          Deliver& deliver) {
    npu.set_output_sink([c, busy, &outs, &deliver](size_t layer, std::vector<int8_t>&& out) {
        std::vector<std::vector<int8_t>>& parts = outs.parts.at(layer);
        parts.resize(busy);
        parts.at(c) = std::move(out);
        if (++outs.in.at(layer) < busy) return;
        std::vector<int8_t> whole;
        for (std::vector<int8_t>& p : parts) {
            whole.insert(whole.end(), p.begin(), p.end());
            std::vector<int8_t>().swap(p);
        }
        deliver(layer, std::move(whole));
    });
}

}  // namespace

RunResult simulate_program(const cfg::HwConfig& hw, const isa::Program& program,
                           const RunOptions& options) {
    return simulate_programs(hw, {&program}, options);
}

RunResult simulate_programs(const cfg::HwConfig& hw,
                            const std::vector<const isa::Program*>& programs,
                            const RunOptions& options) {
    if (programs.empty()) throw std::invalid_argument("simulate_programs: no program");
    const isa::Program& program = *programs[0];
    const size_t cores = programs.size();
    RunResult result;
    stats::RunStats& st = result.stats;
    st.config_name = hw.name;
    st.fidelity = to_string(options.fidelity);
    st.functional = options.functional;
    st.precision = to_string(hw.precision);
    st.cycles_per_mac = std::max(1, hw.array.cycles_for(hw.precision));
    st.clock_hz = hw.clock_hz;
    st.peak_macs_per_cycle = hw.peak_macs_per_cycle() * cores;
    st.dram_peak_bytes_per_cycle = hw.dram_bytes_per_cycle();
    for (const isa::LayerDesc& d : program.layers) {
        stats::LayerStats ls;
        ls.name = d.name;
        ls.op = d.op;
        ls.shape = d.shape;
        ls.mapping = d.mapping;
        ls.residency = d.residency;
        ls.fusion = d.fusion;
        ls.fused = d.fused;
        ls.fusion_dram_saved = d.fusion_dram_saved;
        ls.fusion_onchip_saved = d.fusion_onchip_saved;
        ls.macs_total = d.macs;
        ls.precision = to_string(d.precision);
        ls.cycles_per_mac = std::max(1, d.cycles_per_mac);
        st.layers.push_back(ls);
    }
    // Several cores: a layer's MACs are the busy cores' (each ran its share of the batch).
    for (size_t c = 1; c < cores; ++c) {
        if (programs[c]->instrs.empty()) continue;
        for (size_t i = 0; i < st.layers.size() && i < programs[c]->layers.size(); ++i) {
            st.layers[i].macs_total += programs[c]->layers[i].macs;
        }
    }
    st.components = stats::StatGroup("", program.layers.size());

    std::vector<stats::Trace> core_traces(options.trace ? cores : 0);
    for (size_t c = 0; c < core_traces.size(); ++c) {
        describe_instructions(*programs[c], core_traces[c]);
    }
    // Several cores: each layer's output is the busy cores' outputs back to back (core order),
    // handed on when the last of them has ended the layer.
    const std::function<void(size_t, std::vector<int8_t> &&)> sink = options.on_layer_output;
    std::vector<std::vector<int8_t>> kept_outputs;
    const auto deliver = [&](size_t layer, std::vector<int8_t>&& out) {
        if (sink) {
            sink(layer, std::move(out));
        } else {
            kept_outputs.resize(st.layers.size());
            kept_outputs[layer] = std::move(out);
        }
    };
    size_t busy = 0;
    for (const isa::Program* p : programs) busy += p->instrs.empty() ? 0 : 1;
    // Channel partition: every core ends every layer (at the barrier), and the whole output is
    // in the shared DRAM by then: core 0's reading of it is the layer's output.
    const bool shared = cores > 1 && program.core_barrier;
    // Pipeline: each layer runs on one core, which reads the whole output (every image) from the
    // shared DRAM at the layer's last SYNC: that is the layer's output, and its end.
    const bool pipeline = cores > 1 && program.pipeline;
    const size_t readers = shared ? 1 : busy, enders = shared ? cores : pipeline ? 1 : busy;
    CoreOutputs core_outputs{std::vector<std::vector<std::vector<int8_t>>>(st.layers.size()),
                             std::vector<size_t>(st.layers.size(), 0)};
    std::vector<size_t> arrived(st.layers.size(), 0);  // per layer: busy cores that ended it
    {
        model::KernelContext ctx;
        model::Soc soc(hw, programs, options.fidelity, options.functional, st, options.dram);
        size_t done = 0;
        for (size_t c = 0; c < cores; ++c) {
            model::NpuCore& npu = soc.core(c);
            if (options.trace) npu.set_trace(&core_traces[c]);
            if (options.functional && cores == 1 && sink) npu.set_output_sink(sink);
            if (options.functional && pipeline) {
                npu.set_output_sink([&deliver](size_t layer, std::vector<int8_t>&& out) {
                    deliver(layer, std::move(out));
                });
            } else if (options.functional && cores > 1) {
                if (c < readers) {
                    collect_core_outputs(npu, c, readers, core_outputs, deliver);
                } else if (shared) {
                    npu.set_output_sink([](size_t, std::vector<int8_t>&&) {});
                }
            }
            if (options.on_layer_end) {
                const size_t total = program.layers.size();
                // Several cores: a layer is done when its last busy core ends it.
                npu.set_layer_end_hook([&options, total, &done, &arrived, enders, cores](
                                           size_t layer, uint64_t cycle) {
                    if (cores == 1 || ++arrived.at(layer) % enders == 0) {
                        options.on_layer_end(++done, total, cycle);
                    }
                });
            }
        }
        sc_core::sc_start();
        // An exception a process threw (a ModelError, say) stopped the simulation: it is the
        // cause, whatever state the engines were left in.
        model::rethrow_process_error();
        for (size_t c = 0; c < cores; ++c) {
            if (soc.core(c).finished()) continue;
            std::string layer = "?";
            for (const stats::LayerStats& ls : soc.core_layers(c)) {
                if (ls.end_cycle == 0) {
                    layer = ls.name;
                    break;
                }
            }
            throw ModelError(
                cores == 1 ? "npu.controller" : "npu" + std::to_string(c) + ".controller",
                model::now_cycles(), -1,
                "the program deadlocked in layer '" + layer +
                    "': engines wait for tokens nobody pushes");
        }
        if (options.functional && cores == 1 && !sink) {
            result.outputs = soc.core(0).take_layer_outputs();
        }
        soc.merge_layers(st);
        if (cores > 1) {
            for (size_t c = 0; c < cores; ++c) {
                stats::CoreStats cs;
                for (const stats::LayerStats& ls : soc.core_layers(c)) {
                    cs.end_cycle = std::max(cs.end_cycle, ls.end_cycle);
                }
                for (const isa::LayerDesc& d : programs[c]->layers) {
                    if (!programs[c]->instrs.empty()) cs.macs += d.macs;
                }
                st.cores.push_back(cs);
            }
        }
        soc.collect_counters(st);
    }
    if (options.functional && cores > 1 && !sink) result.outputs = std::move(kept_outputs);
    if (options.trace) result.trace = stats::merge_traces(std::move(core_traces));
    for (const stats::LayerStats& ls : st.layers) {
        st.total += ls.counters;
        st.limiters += ls.limiters;
        st.total_cycles = std::max(st.total_cycles, ls.end_cycle);
    }
    price_banked_dram(hw, st);
    collect_l2(st);
    return result;
}

RunResult simulate(const cfg::HwConfig& hw, const graph::Workload& given,
                   const RunOptions& options) {
    const auto t0 = std::chrono::steady_clock::now();
    // Int4 layers' weights requantized to 4 bits, float layers' float models filled in: a copy
    // only when that changes something (a layer without a precision runs at hw.precision). The
    // reference check below runs this same workload.
    std::optional<graph::Workload> resolved;
    if (quant::resolution_changes(given, hw.precision)) {
        resolved = quant::resolve_precisions(given, hw.precision);
    }
    const graph::Workload& workload = resolved ? *resolved : given;
    // The float layers' precisions: the reference runs one float precision for a whole network.
    std::optional<Precision> float_p;
    bool float_mixed = false, any_int = false;
    for (const graph::Layer& l : workload.layers) {
        const Precision p = l.precision.value_or(hw.precision);
        if (!is_float(p)) {
            any_int = true;
        } else if (float_p && *float_p != p) {
            float_mixed = true;
        } else {
            float_p = p;
        }
    }
    // The reference executor runs on another thread while the program is compiled and simulated.
    // The integer check compares layer by layer as both sides finish (ref::LayerCheck): neither
    // side's outputs are all alive at once unless the caller keeps the simulated ones.
    const bool check_int = options.functional && options.check && !float_p;
    const bool check_float =
        options.functional && options.check && float_p && !float_mixed && !any_int;
    const bool keep = options.functional && (options.keep_outputs || check_float);
    const size_t n_layers = workload.layers.size();
    std::unique_ptr<ref::LayerCheck> check;
    if (check_int) check = std::make_unique<ref::LayerCheck>(n_layers);
    // Simulated outputs kept for the caller (the check may read them until its thread is joined).
    std::vector<std::vector<int8_t>> kept;
    auto expected_int = start_reference(check_int, [&workload, &hw, c = check.get()] {
        ref::run_workload_streaming(
            workload, hw.postproc.rounding, hw.postproc.requant,
            [c](size_t i, ref::LayerCheck::Output out) { c->expected(i, std::move(out)); },
            [c](size_t i) { return c->wait_for_simulation(i); });
    });
    auto expected_float = start_reference(check_float, [&workload, p = float_p] {
        return quant::run_float(
            workload, *p, workload.float_input_data.empty() ? nullptr : &workload.float_input_data);
    });
    // However this function is left, the reference is released before its thread is joined (by
    // the futures' destructors, declared before): it stops early unless the simulation ended.
    struct Release {
        ref::LayerCheck* check;
        bool ended = false;
        ~Release() {
            if (check != nullptr && !ended) check->abandon();
        }
    } release{check.get()};

    compiler::CompileOptions copts;
    copts.with_data = options.functional;
    const compiler::Partitioned parts = compiler::compile_cores(workload, hw, copts);
    const isa::Program& program = parts.programs.at(0);
    std::vector<const isa::Program*> programs;
    for (const isa::Program& p : parts.programs) programs.push_back(&p);

    RunOptions sim_options = options;
    if (check_int || (options.functional && !keep)) {
        if (keep) kept.resize(program.layers.size());
        sim_options.on_layer_output = [&kept, keep, c = check.get()](size_t i,
                                                                     std::vector<int8_t>&& out) {
            if (keep) {
                kept.at(i) = std::move(out);
                // The check reads the kept output in place (held until the run's end).
                if (c != nullptr)
                    c->simulated(i, ref::LayerCheck::Output(ref::LayerCheck::Output(), &kept[i]));
            } else if (c != nullptr) {
                c->simulated(i, std::make_shared<const std::vector<int8_t>>(std::move(out)));
            }
        };
    }
    RunResult result = simulate_programs(hw, programs, sim_options);
    stats::RunStats& st = result.stats;
    st.workload_name = workload.name;
    st.batch = workload.batch;
    if (st.cores.size() > 1) {
        st.partition = to_string(parts.partition);
        st.core_share = compiler::share_text(parts);
        for (size_t c = 0; c < st.cores.size(); ++c) {
            st.cores[c].first_image = parts.shares.at(c).first_image;
            st.cores[c].images = parts.shares.at(c).images;
            if (!parts.stages.empty()) {
                st.cores[c].first_layer = static_cast<int32_t>(parts.stages.at(c).first);
                st.cores[c].layers = static_cast<int32_t>(parts.stages.at(c).layers);
            }
        }
    }
    st.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (check) {
        check->simulation_ended();
        release.ended = true;
        expected_int.get();
    }

    if (options.functional && options.check && float_mixed) {
        st.note =
            "outputs not checked: the layers run at different float precisions (the float "
            "reference runs one per network)";
    }
    if (check_float) {
        // Float: the simulated bytes against the float reference's values in the same format.
        const quant::FloatOutputs expected = expected_float.get();
        for (size_t i = 0; i < st.layers.size(); ++i) {
            const std::vector<int8_t>& got = result.outputs[i];
            const size_t eb = act_bytes(*float_p);
            uint64_t bad = 0;
            uint8_t want[4];
            for (size_t e = 0; e < expected[i].size(); ++e) {
                store_float(*float_p, want, expected[i][e]);
                bad += (e + 1) * eb > got.size() || std::memcmp(want, &got[e * eb], eb) != 0;
            }
            st.layers[i].checked = true;
            st.layers[i].mismatches = bad;
            st.layers[i].bit_exact = bad == 0;
        }
    } else if (check_int) {
        for (size_t i = 0; i < st.layers.size(); ++i) {
            const std::optional<uint64_t> bad = i < n_layers ? check->mismatches(i) : std::nullopt;
            if (!bad) {
                throw std::logic_error("layer '" + st.layers[i].name +
                                       "': no simulated or no reference output to compare");
            }
            st.layers[i].checked = true;
            st.layers[i].mismatches = *bad;
            st.layers[i].bit_exact = *bad == 0;
        }
    }
    if (keep && check_int) result.outputs = std::move(kept);
    return result;
}

}  // namespace npu::run

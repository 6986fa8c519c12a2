#include "sim/cli/cli.h"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <optional>
#include <sstream>

#include "sim/cli/cli_util.h"
#include "sim/cli/compare.h"
#include "sim/cli/exit_codes.h"
#include "sim/cli/options.h"
#include "sim/cli/progress.h"
#include "sim/cli/regress.h"
#include "sim/cli/sweep.h"
#include "sim/compiler/compiler.h"
#include "sim/compiler/partition.h"
#include "sim/config/config_loader.h"
#include "sim/config/paths.h"
#include "sim/core/error.h"
#include "sim/core/input_file.h"
#include "sim/core/npy.h"
#include "sim/frontend/frontend.h"
#include "sim/frontend/scalesim.h"
#include "sim/frontend/tensor_io.h"
#include "sim/graph/workload_loader.h"
#include "sim/kernels/isa.h"
#include "sim/quant/prepare.h"
#include "sim/quant/ptq.h"
#include "sim/report/format.h"
#include "sim/report/html.h"
#include "sim/report/layers_csv.h"
#include "sim/report/output_file.h"
#include "sim/report/run_table.h"
#include "sim/report/stats_json.h"
#include "sim/report/trace_json.h"
#include "sim/run/simulation.h"

namespace npu::cli {
namespace {

constexpr const char* kVersion = "0.1.0";

struct Args {
    std::string command;
    std::optional<std::string> hw, workload, out, emit, output_file, html, trace, max_memory,
        from_scalesim;
    std::optional<std::string> save_tensors, calibration, format;
    std::vector<std::string> sets;
    std::vector<std::pair<std::string, std::string>> inputs;  // --input NAME=FILE
    std::vector<std::string> words;                           // positional (import MODEL)
    bool no_progress = false;
    bool force = false, timing_only = false, no_check = false, quiet = false;
    bool dump = false, schema = false, check = false;
    std::string fidelity = "fast";
    size_t batch = 0;  // --batch (0: the workload's)
};

// The table-checked command line (sim/cli/options.h) as run, compile and config use it.
Args to_args(const ParsedCommand& p) {
    Args a;
    a.command = p.spec->name;
    a.hw = p.value("--hw");
    a.workload = p.value("--workload");
    a.out = p.value("--out");
    a.emit = p.value("--emit");
    a.output_file = p.value("-o");
    a.html = p.value("--html");
    a.trace = p.value("--trace");
    a.max_memory = p.value("--max-memory");
    a.from_scalesim = p.value("--from-scalesim");
    a.sets = p.all("--set");
    if (const auto o = p.value("--objective")) a.sets.push_back("compiler.objective=" + *o);
    a.no_progress = p.has("--no-progress");
    a.force = p.has("--force");
    a.timing_only = p.has("--timing-only");
    a.no_check = p.has("--no-check");
    a.quiet = p.has("--quiet");
    a.dump = p.has("--dump");
    a.schema = p.has("--schema");
    a.check = p.has("--check");
    a.fidelity = p.value("--fidelity").value_or("fast");
    a.save_tensors = p.value("--save-tensors");
    a.calibration = p.value("--calibration");
    a.format = p.value("--format");
    a.words = p.words;
    a.batch = p.count("--batch");
    DiagnosticList problems;
    for (const std::string& v : p.all("--input")) {
        const size_t eq = v.find('=');
        if (eq == std::string::npos || eq == 0 || eq + 1 == v.size()) {
            problems.add(Diagnostic{"<command line>", 0, 0, "",
                                    "--input: expected NAME=FILE.npy, found " + in_quotes(v)});
        } else {
            a.inputs.emplace_back(v.substr(0, eq), v.substr(eq + 1));
        }
    }
    problems.throw_if_any();
    return a;
}

cfg::HwConfig load_hw(const Args& a) { return cfg::load_hw(a.hw, a.sets); }

// with_data = false skips drawing the tensors and calibrating `auto` scales (timing-only runs
// and compile, which do not need them).
graph::Workload load_wl(const Args& a, bool with_data) {
    frontend::LoadOptions lo;
    lo.with_data = with_data;
    if (a.calibration) lo.calibration = *a.calibration;
    // Any supported format; a float network is post-training quantized (sim/frontend).
    graph::Workload wl = frontend::load_workload(cfg::workload_file(a.workload), lo);
    if (a.batch > 0) quant::set_batch(wl, static_cast<int32_t>(a.batch));  // table-checked range
    return wl;
}

// --save-tensors DIR: a directory we may fill (created if missing; existing .npy files are kept
// unless --force).
void check_save_dir(const std::string& dir, bool force) {
    std::error_code ec;
    if (std::filesystem::exists(dir) && !std::filesystem::is_directory(dir)) {
        throw UserError(Diagnostic{dir, 0, 0, "--save-tensors", "exists and is not a directory"});
    }
    std::filesystem::create_directories(dir, ec);
    if (ec) {
        throw UserError(Diagnostic{dir, 0, 0, "--save-tensors",
                                   "cannot create the directory: " + ec.message()});
    }
    if (force) return;
    for (const auto& e : std::filesystem::directory_iterator(dir, ec)) {
        if (e.path().extension() == ".npy") {
            throw UserError(Diagnostic{dir, 0, 0, "--save-tensors",
                                       "already holds .npy files; pass --force to overwrite them, "
                                       "or choose an empty directory"});
        }
    }
}

// Refuses to overwrite files the user did not allow us to replace.
void check_writable(const std::vector<std::string>& paths, bool force) {
    if (force) return;
    DiagnosticList problems;
    for (const std::string& p : paths) {
        if (report::path_taken(p)) {
            problems.add(Diagnostic{p, 0, 0, "",
                                    "already exists; pass --force to overwrite it, or choose "
                                    "another --out directory"});
        }
    }
    problems.throw_if_any();
}

int cmd_run(const Args& a, std::ostream& out) {
    const cfg::HwConfig hw = load_hw(a);
    if (a.timing_only && (!a.inputs.empty() || a.save_tensors)) {
        throw UserError(Diagnostic{"<command line>", 0, 0, "",
                                   "--input and --save-tensors need the data path; drop "
                                   "--timing-only"});
    }
    graph::Workload wl = load_wl(a, !a.timing_only);
    frontend::apply_inputs(wl, a.inputs);
    if (a.save_tensors) check_save_dir(*a.save_tensors, a.force);
    std::string stats_path, csv_path, cfg_path;
    if (a.out) {
        stats_path = *a.out + "/stats.json";
        csv_path = *a.out + "/layers.csv";
        cfg_path = *a.out + "/effective_config.yaml";
        check_writable({stats_path, csv_path, cfg_path}, a.force);
        std::error_code ec;
        std::filesystem::create_directories(*a.out, ec);
        if (ec) {
            throw UserError(
                Diagnostic{*a.out, 0, 0, "--out", "cannot create the directory: " + ec.message()});
        }
    }
    // Before simulating: a missing directory or a file in the way is reported up front, not
    // after a long run.
    if (a.html) report::check_output_paths({{"--html", *a.html}}, a.force);
    if (a.trace) report::check_trace_path(*a.trace, a.force);
    check_run_memory(hw, wl, !a.timing_only, a.max_memory);
    run::RunOptions ro;
    ro.trace = a.trace.has_value();
    Progress progress = Progress::on_stderr(!a.no_progress && !a.quiet, "run", "layers", 0);
    progress.show_after(std::chrono::seconds(1));
    if (progress.enabled()) {
        ro.on_layer_end = [&progress](size_t done, size_t total, uint64_t cycle) {
            progress.set_total(total);
            progress.update(done, report::with_commas(cycle) + " cycles");
        };
    }
    ro.functional = !a.timing_only;
    ro.check = !a.no_check;
    ro.keep_outputs = a.save_tensors.has_value();  // else compared layer by layer and let go
    ro.fidelity = a.fidelity == "pe" ? model::Fidelity::kPe : model::Fidelity::kFast;
    const run::RunResult r = run::simulate(hw, wl, ro);
    progress.clear();
    if (a.quiet) {
        out << report::outputs_verdict(r.stats) << '\n';
    } else {
        report::print_run_table(out, r.stats, hw);
    }
    if (a.out) {
        report::write_stats_json(stats_path, r.stats, hw);
        report::write_layers_csv(csv_path, r.stats, hw);
        report::write_file_atomic(cfg_path, cfg::dump_yaml(hw));
        if (!a.quiet) out << "wrote " << stats_path << ", " << csv_path << ", " << cfg_path << '\n';
    }
    if (a.html) {
        report::write_run_html(*a.html, r.stats, hw);
        if (!a.quiet) out << "wrote " << *a.html << '\n';
    }
    if (a.trace) {
        report::write_trace_json(*a.trace, r.trace, r.stats);
        if (!a.quiet) out << "wrote " << *a.trace << '\n';
    }
    if (a.save_tensors) {
        const auto files = frontend::tensors_to_save(wl, r.outputs);
        for (const auto& [name, array] : files) {
            report::write_file_atomic(*a.save_tensors + "/" + name, npy::serialize(array));
        }
        if (!a.quiet) {
            out << "wrote " << files.size() << " tensors to " << *a.save_tensors << '\n';
        }
    }
    for (const auto& l : r.stats.layers) {
        if (l.checked && !l.bit_exact) return 1;
    }
    return 0;
}

int cmd_compile(const Args& a, std::ostream& out) {
    const cfg::HwConfig hw = load_hw(a);
    const graph::Workload wl = load_wl(a, false);
    std::ostringstream text;
    compiler::CompileOptions co;
    co.with_data = false;
    const compiler::Partitioned parts = compiler::compile_cores(wl, hw, co);
    const isa::Program& program = parts.programs.at(0);
    if (a.emit && *a.emit == "estimate") {
        // One line per array layer: the chosen plan's estimate (docs/mapper.md).
        text << "layer\tcycles\tenergy_pj\tdram_bytes\n";
        for (const compiler::LayerEstimate& e : compiler::estimate_layers(wl, hw)) {
            if (!e.estimate) continue;
            char energy[32];
            std::snprintf(energy, sizeof energy, "%.1f", compiler::energy_pj(*e.estimate, hw));
            text << e.name << '\t' << e.estimate->cycles << '\t' << energy << '\t'
                 << e.estimate->bytes << '\n';
        }
    } else if (a.emit && *a.emit == "asm") {
        for (size_t c = 0; c < parts.programs.size(); ++c) {
            if (parts.programs.size() > 1) {
                const compiler::CoreShare& sh = parts.shares[c];
                const std::string share = compiler::share_text(parts);
                if (!parts.stages.empty()) {
                    const compiler::Stage& st = parts.stages[c];
                    text << "; core " << c << ": ";
                    if (st.layers == 0) {
                        text << "no layer (more cores than layers)\n";
                    } else {
                        text << "layers [" << st.first << ", " << st.first + st.layers
                             << ") for every image (pipeline stage)\n";
                    }
                } else if (!share.empty()) {
                    text << "; core " << c << ": " << share << "\n";
                } else {
                    text << "; core " << c << ": images [" << sh.first_image << ", "
                         << sh.first_image + sh.images << ") of the batch\n";
                }
            }
            text << isa::to_asm(parts.programs[c]);
        }
    } else {
        for (const isa::LayerDesc& d : program.layers) {
            text << d.name << ": " << d.op << " " << d.shape << "\n  " << d.mapping << '\n';
            if (!d.fusion.empty()) text << "  " << d.fusion << '\n';  // compiler.fusion, pins
        }
        if (!wl.calibration.inputs.empty()) {  // a float network: PTQ's choices
            text << "post-training quantization (" << wl.calibration.inputs.size()
                 << " calibration images):\n"
                 << quant::describe_quantization(wl);
        }
    }
    if (a.output_file) {
        report::check_output_paths({{"-o", *a.output_file}}, a.force);
        report::write_file_atomic(*a.output_file, text.str());
    } else {
        out << text.str();
    }
    return 0;
}

// `import MODEL -o W.yaml`: the workload YAML and its side files in W.data/ beside it.
int cmd_import(const Args& a, std::ostream& out) {
    // The table requires one MODEL word and -o.
    const std::string model = a.words[0];
    const frontend::Format& f = frontend::format_for(model, a.format ? *a.format : "");
    const std::filesystem::path yaml = *a.output_file;
    const std::string data_dir = yaml.stem().string() + ".data";
    frontend::ImportOptions io;
    io.data_dir = data_dir;
    if (a.calibration) io.calibration = *a.calibration;
    const auto t0 = std::chrono::steady_clock::now();
    const std::clock_t c0 = std::clock();
    const frontend::Imported im = f.import(model, io);
    const double convert_s =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    const double convert_cpu = double(std::clock() - c0) / CLOCKS_PER_SEC;
    std::vector<std::string> targets = {yaml.string()};
    const std::filesystem::path dir = yaml.parent_path();
    for (const auto& [name, array] : im.files) targets.push_back((dir / name).string());
    check_writable(targets, a.force);
    std::error_code ec;
    if (!im.files.empty()) std::filesystem::create_directories(dir / data_dir, ec);
    if (ec) {
        throw UserError(Diagnostic{(dir / data_dir).string(), 0, 0, "-o",
                                   "cannot create the directory: " + ec.message()});
    }
    // Each side file straight from its array (header, then the data: no copy of the weights),
    // flushed together, the YAML renamed into place last.
    std::vector<std::string> headers;
    headers.reserve(im.files.size());  // the views below point into these strings
    std::vector<report::OutputFile> files;
    for (const auto& [name, array] : im.files) {
        headers.push_back(npy::header(array));
        files.push_back(
            {(dir / name).string(),
             {headers.back(), std::string_view(reinterpret_cast<const char*>(array.data.data()),
                                               array.data.size())}});
    }
    files.push_back({yaml.string(), {im.yaml}});
    report::write_files_atomic(files);
    const double secs =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    uint64_t bytes = im.yaml.size();
    for (const auto& [name, array] : im.files) bytes += array.data.size();
    out << "imported " << model << " (" << f.name << ") into " << yaml.string() << " and "
        << im.files.size() << " files in " << (dir / data_dir).string() << ": converted in "
        << report::fixed(convert_s, 3) << " s (" << report::fixed(convert_cpu, 3) << " s CPU), "
        << report::with_commas(bytes) << " bytes written and synced in "
        << report::fixed(secs - convert_s, 3) << " s\n";
    return 0;
}

int cmd_config(const Args& a, std::ostream& out) {
    if (a.from_scalesim) {
        if (a.dump || a.schema || a.check || a.hw || !a.sets.empty()) {
            throw UserError(Diagnostic{"<command line>", 0, 0, "",
                                       "config: --from-scalesim takes only -o and --force (it "
                                       "converts a SCALE-Sim file; check the result with "
                                       "npusim config --hw FILE --check)"});
        }
        if (a.output_file) report::check_output_paths({{"-o", *a.output_file}}, a.force);
        const std::string text =
            read_input_file_or_throw(*a.from_scalesim, kMaxTextInputBytes, "a SCALE-Sim config");
        const std::string yaml = frontend::scalesim_config_yaml(text, *a.from_scalesim);
        // What it wrote must be a config npusim accepts.
        (void)cfg::load_hw_config_from_string(yaml, *a.from_scalesim, {});
        if (a.output_file) {
            report::write_file_atomic(*a.output_file, yaml);
        } else {
            out << yaml;
        }
        return 0;
    }
    const int modes = int(a.dump) + int(a.schema) + int(a.check);
    if (modes != 1) {
        throw UserError(Diagnostic{
            "<command line>", 0, 0, "",
            "config: expected exactly one of --dump, --schema, --check, --from-scalesim"});
    }
    if (a.output_file || a.force) {
        throw UserError(Diagnostic{"<command line>", 0, 0, "",
                                   "config: -o and --force go with --from-scalesim (--dump "
                                   "prints to stdout)"});
    }
    if (a.schema) {
        out << cfg::schema_text();
        return 0;
    }
    const cfg::HwConfig hw = load_hw(a);
    if (a.dump) {
        out << cfg::dump_yaml(hw);
    } else {
        out << (a.hw ? *a.hw : std::string("built-in default")) << ": ok\n";
    }
    return 0;
}

}  // namespace

int main(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
    if (const char* home = std::getenv("NPUSIM_HOME"); home && *home) {
        cfg::set_data_dir(home);
    } else {
#ifdef NPUSIM_SOURCE_DIR
        cfg::set_data_dir(NPUSIM_SOURCE_DIR);
#endif
    }
    // Every failure ends here with its exit code and a message, whatever threw it: never a
    // SystemC "uncaught exception" report (which would exit 1, the code for differing outputs).
    try {
        if (args.empty() || ((args[0] == "--help" || args[0] == "-h") && args.size() == 1)) {
            out << general_help();
            return args.empty() ? kUserErrorExitCode : 0;
        }
        if (args[0] == "--version" && args.size() == 1) {
            out << "npusim " << kVersion << '\n';
            return 0;
        }
        // Internal: a child of `sweep --points-per-process` (sim/cli/sweep_points.cc).
        if (args.size() >= 2 && args[0] == "sweep" && args[1] == "run-batch") {
            return sweep_main({args.begin() + 1, args.end()}, out);
        }
        const ParsedCommand p = parse_command_line(args);
        if (p.help) {
            out << command_help(*p.spec);
            return 0;
        }
        // A bad NPUSIM_KERNELS is reported before any work (sim/kernels/isa.h).
        (void)kernels::active_isa();
        const std::string& command = p.spec->name;
        if (command == "regress") return regress_main({args.begin() + 1, args.end()}, out);
        if (command.rfind("sweep", 0) == 0) {  // sweep_main reads "merge" and "status"
            return sweep_main({args.begin() + 1, args.end()}, out);
        }
        if (command == "compare") return compare_main({args.begin() + 1, args.end()}, out);
        const Args a = to_args(p);
        if (command == "run") return cmd_run(a, out);
        if (command == "compile") return cmd_compile(a, out);
        if (command == "import") return cmd_import(a, out);
        return cmd_config(a, out);
    } catch (...) {
        return report_error(std::current_exception(), err);
    }
}

}  // namespace npu::cli

#include "sim/cli/cli.h"

#include <chrono>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <optional>
#include <sstream>

#include "sim/cli/compare.h"
#include "sim/cli/exit_codes.h"
#include "sim/cli/progress.h"
#include "sim/cli/regress.h"
#include "sim/cli/sweep.h"
#include "sim/compiler/compiler.h"
#include "sim/config/config_loader.h"
#include "sim/config/paths.h"
#include "sim/core/error.h"
#include "sim/core/npy.h"
#include "sim/frontend/frontend.h"
#include "sim/frontend/scalesim.h"
#include "sim/frontend/tensor_io.h"
#include "sim/graph/workload_loader.h"
#include "sim/kernels/isa.h"
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

constexpr const char* kUsage = R"(npusim - cycle-accurate simulator of a quantized-network NPU

usage:
  npusim run     [--hw FILE] [--workload FILE] [--set KEY=VALUE]... [--out DIR] [--force]
                 [--fidelity fast|pe] [--timing-only] [--no-check] [--quiet] [--html FILE]
                 [--trace FILE] [--no-progress] [--input NAME=FILE.npy]... [--save-tensors DIR]
                 [--calibration FILE]
  npusim compile [--hw FILE] [--workload FILE] [--set KEY=VALUE]... [--emit asm|mapping] [-o FILE]
                 [--calibration FILE]
  npusim import  MODEL [--format NAME] [--calibration FILE] -o W.yaml [--force]
  npusim config  [--hw FILE] [--set KEY=VALUE]... (--dump | --schema | --check)
  npusim config  --from-scalesim SCALE.cfg [-o FILE] [--force]
  npusim compare [--hw FILE] [--workload FILE] [--set KEY=VALUE]... [--precisions P,P,...]
                 [--samples N] [--timing-only] [--json FILE] [--html FILE] [--force]
                 [--calibration FILE]
  npusim regress [--suite FILE] [--quick] [--only NAME[,NAME...]] [-j N] [--update]
                 [--golden-dir DIR]
  npusim sweep   (FILE | [--hw FILE] --workload FILE... --grid KEY[,KEY...]=V1,V2,...
                 [--precisions LIST] [--derive KEY=TEMPLATE]... [--name NAME])
                 [-j N] [--points-per-process N] [--out DIR] [--timing-only] [--shard I/N]
                 [--html FILE [--force]]
                 [--objectives LIST] [--strategy grid|random|lhs|nsga2] [--budget N]
                 [--seed N] [--population N] [--color-by KEY] [--no-progress]
                 [--slurm [--tasks N] [--partition P] [--cpus-per-task C] [--time T]
                  [--sbatch-arg ARG]...]
  npusim sweep merge DIR... --out DIR [--html FILE [--force]]
  npusim sweep status DIR
  npusim --help | --version

commands:
  run      compile the workload, simulate it on the NPU and print per-layer cycles, utilization,
           bandwidth, SRAM traffic, stalls, energy and whether the outputs are bit-exact
  compile  show the mapping the compiler chose per layer, or the whole instruction stream
  import   convert a model (ONNX: .onnx, docs/onnx.md; a SCALE-Sim topology: .csv; by extension
           or --format) into workload YAML (-o W.yaml) with its weights, biases and tables as .npy
           files in the folder W.data/ beside it; running the YAML is the same as running the model
  config   print the effective config (--dump, a YAML file --hw accepts back), every key with its
           type, default, unit and meaning (--schema), or just validate (--check);
           --from-scalesim turns a SCALE-Sim config into a hardware YAML (stdout or -o), with
           array.timing: scalesim and what has no npusim key stated in comments
  compare  run one workload at several precisions (default int8,fp32) and print them side by
           side: cycles, latency, inferences/s, TOPS, DRAM traffic, energy, TOPS/W, area, speedup
           and energy ratio against the first, and accuracy against the fp32 model (SQNR, max
           abs error, top-1 agreement; accuracy on the workload's labelled samples if it has any);
           per layer the cycles and roofline bound (docs/precision.md). --json/--html write it
  regress  run the regression suite (default workloads/regression.yaml), each case in its own
           process, -j at a time, and compare every stats.json with tests/golden/<case>.json
           (--golden-dir): integers exactly, other numbers to 1e-9; exit 1 on any difference.
           --quick: only the cases marked quick; --update: rewrite the goldens from this run
  sweep    run every point of a sweep (a sweep YAML, or a grid of --set values), each in its own
           process (--points-per-process N: up to N per process), -j at a time, into
           DIR/points/<id>; write DIR/results.csv and results.json with the constraints
           checked, the rank on the objectives (default latency, energy) and the Pareto front
           marked, and DIR/report.html (--html FILE: also to FILE); a rerun skips finished
           points. --grid a,b=1:2,3:4 moves keys together; --derive
           KEY=TEMPLATE computes a key per point ("{array.rows}B"); --strategy random|lhs|nsga2
           runs --budget N points (--seed) instead of the whole grid. --shard I/N: only points
           with index % N == I; merge: combine shard directories; --slurm: submit a job array
           of --tasks N shards and a merge job (nsga2: a job array per generation); status:
           points done, running, failed and pending per shard (docs/sweeps.md)

options:
  --hw FILE          hardware config YAML (default: the built-in edge NPU, configs/edge_npu.yaml)
  --workload FILE    workload YAML or a model file such as .onnx (default: workloads/default.yaml)
  --set KEY=VALUE    override one config key, e.g. --set array.rows=32 --set clock=800MHz
  --out DIR          write stats.json, layers.csv and effective_config.yaml into DIR
  --force            allow --out to overwrite those files when they already exist
  --fidelity MODE    fast: closed-form array timing (default); pe: PE-level array model, every
                     operand through every PE register each cycle (slow; for small runs)
  --timing-only      skip the functional data path (no outputs, no bit-exact check)
  --no-check         compute the outputs but do not compare them with the reference executor
  --precisions LIST  compare: precisions to run, from int8, int4 (int4 weights, int8
                     activations), bf16, fp16, fp32; the first is the baseline.
                     sweep: a precision dimension (the same as --grid precision=LIST)
  --samples N        compare: measure accuracy over the first N of the workload's samples
  --quiet            print only the verdict line
  --trace FILE       run: write the timeline (each engine's instructions and stalls, per-layer
                     spans) as Chrome/Perfetto trace JSON for ui.perfetto.dev (docs/trace.md);
                     refuses to overwrite without --force
  --points-per-process N
                     sweep: run up to N points one after the other in each child process instead
                     of one process per point (saves process start and setup: faster timing-only
                     sweeps; a crash then also fails the rest of its batch, which a rerun retries).
                     Results are the same either way (docs/sweeps.md)
  --no-progress      run, sweep: no progress line on stderr (drawn only when stderr is a
                     terminal: never in pipes or logs; run: from 1 s on, not with --quiet)
  --html FILE        run, sweep: also write a self-contained HTML report (charts and tables; no
                     scripts or network) to FILE (refuses to overwrite without --force)
  --emit WHAT        compile: asm (instruction stream) or mapping (per-layer choice; default)
  -o FILE            compile: write to FILE instead of stdout (refuses to overwrite without --force);
                     import: the YAML to write
  --input NAME=FILE  run: the data of input NAME (a model's tensor name or a declared input) from a
                     NumPy .npy file instead of seeded data: the model's shape and layout (ONNX:
                     NCHW) or the NPU's (HWC); float32 is quantized as QuantizeLinear does, uint8
                     and int8 are taken as they are. Repeatable
  --save-tensors DIR run: write every tensor the datapath produced as DIR/NAME.npy, named, laid out
                     and typed as the model has it (ONNX: NCHW, uint8 stays uint8, float outputs
                     dequantized); tensors without a model name as the layer's int8 HWC output
  --calibration FILE calibration images of a float model (.npy NCHW or NHWC float32, or raw float32
                     HWC), for post-training quantization
  --format NAME      import: the model's format when its extension does not say (onnx, scalesim)

exit codes: 0 ok, 1 outputs differ from the reference, 2 bad input, 3 internal model error
environment: NPUSIM_HOME  repository root holding configs/ and workloads/ (default: the source
             tree npusim was built from)
)";

struct Args {
    std::string command;
    std::optional<std::string> hw, workload, out, emit, output_file, html;
    std::optional<std::string> save_tensors, calibration, format;
    std::vector<std::string> sets;
    std::vector<std::pair<std::string, std::string>> inputs;  // --input NAME=FILE
    std::vector<std::string> words;                           // positional (import MODEL)
    std::optional<std::string> trace, from_scalesim;
    bool no_progress = false;
    bool force = false, timing_only = false, no_check = false, quiet = false;
    bool dump = false, schema = false, check = false;
    std::string fidelity = "fast";
};

// Parses flags; bad flags are user errors (all reported together).
Args parse(const std::vector<std::string>& argv) {
    Args a;
    DiagnosticList problems;
    auto bad = [&problems](const std::string& msg) {
        problems.add(Diagnostic{"<command line>", 0, 0, "", msg});
    };
    size_t i = 0;
    if (!argv.empty()) a.command = argv[i++];
    const std::map<std::string, std::optional<std::string>*> valued = {
        {"--hw", &a.hw},
        {"--workload", &a.workload},
        {"--out", &a.out},
        {"--emit", &a.emit},
        {"-o", &a.output_file},
        {"--html", &a.html},
        {"--trace", &a.trace},
        {"--from-scalesim", &a.from_scalesim},
        {"--save-tensors", &a.save_tensors},
        {"--calibration", &a.calibration},
        {"--format", &a.format}};
    const std::map<std::string, bool*> flags = {
        {"--force", &a.force},       {"--timing-only", &a.timing_only},
        {"--no-check", &a.no_check}, {"--quiet", &a.quiet},
        {"--dump", &a.dump},         {"--schema", &a.schema},
        {"--check", &a.check},       {"--no-progress", &a.no_progress}};
    for (; i < argv.size(); ++i) {
        std::string arg = argv[i];
        std::optional<std::string> inline_value;
        if (arg.rfind("--", 0) == 0 && arg.find('=') != std::string::npos) {
            inline_value = arg.substr(arg.find('=') + 1);
            arg = arg.substr(0, arg.find('='));
        }
        auto value = [&]() -> std::optional<std::string> {
            if (inline_value) return inline_value;
            if (i + 1 < argv.size()) return argv[++i];
            bad(arg + ": expected a value after it, found the end of the command line");
            return std::nullopt;
        };
        if (auto it = valued.find(arg); it != valued.end()) {
            *it->second = value();
        } else if (arg == "--set") {
            if (auto v = value()) a.sets.push_back(*v);
        } else if (arg == "--input") {
            if (auto v = value()) {
                const size_t eq = v->find('=');
                if (eq == std::string::npos || eq == 0 || eq + 1 == v->size()) {
                    bad("--input: expected NAME=FILE.npy, found '" + *v + "'");
                } else {
                    a.inputs.emplace_back(v->substr(0, eq), v->substr(eq + 1));
                }
            }
        } else if (a.command == "import" && arg.rfind("-", 0) != 0) {
            a.words.push_back(arg);
        } else if (arg == "--fidelity") {
            if (auto v = value()) a.fidelity = *v;
        } else if (auto f = flags.find(arg); f != flags.end() && !inline_value) {
            *f->second = true;
        } else {
            bad("unknown option '" + argv[i] + "' (see npusim --help)");
        }
    }
    if (a.fidelity != "fast" && a.fidelity != "pe") {
        bad("--fidelity: expected fast or pe, found '" + a.fidelity + "'");
    }
    if (a.emit && *a.emit != "asm" && *a.emit != "mapping") {
        bad("--emit: expected asm or mapping, found '" + *a.emit + "'");
    }
    problems.throw_if_any();
    return a;
}

cfg::HwConfig load_hw(const Args& a) {
    if (a.hw) return cfg::load_hw_config(*a.hw, a.sets);
    cfg::HwConfig hw = cfg::default_hw_config();
    cfg::apply_overrides(hw, a.sets);
    // The cross-field rules hold for overridden defaults too.
    DiagnosticList problems;
    cfg::validate(hw, problems, "--set");
    problems.throw_if_any();
    return hw;
}

// with_data = false skips drawing the tensors and calibrating `auto` scales (timing-only runs
// and compile, which do not need them).
graph::Workload load_wl(const Args& a, bool with_data) {
    frontend::LoadOptions lo;
    lo.with_data = with_data;
    if (a.calibration) lo.calibration = *a.calibration;
    // Any supported format; a float network is post-training quantized (sim/frontend).
    return frontend::load_workload(
        a.workload ? *a.workload : cfg::data_dir() + "/workloads/default.yaml", lo);
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
        if (std::filesystem::exists(p)) {
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
    if (a.html) {
        check_writable({*a.html}, a.force);
        // Before simulating: a missing directory is reported up front, not after a long run.
        const std::filesystem::path dir = std::filesystem::path(*a.html).parent_path();
        if (!dir.empty() && !std::filesystem::is_directory(dir)) {
            throw UserError(Diagnostic{*a.html, 0, 0, "--html",
                                       "the directory '" + dir.string() + "' does not exist"});
        }
    }
    if (a.trace) report::check_trace_path(*a.trace, a.force);
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
    const isa::Program program = compiler::compile(wl, hw, co);
    if (a.emit && *a.emit == "asm") {
        text << isa::to_asm(program);
    } else {
        for (const isa::LayerDesc& d : program.layers) {
            text << d.name << ": " << d.op << " " << d.shape << "\n  " << d.mapping << '\n';
        }
        if (!wl.calibration.inputs.empty()) {  // a float network: PTQ's choices
            text << "post-training quantization (" << wl.calibration.inputs.size()
                 << " calibration images):\n"
                 << quant::describe_quantization(wl);
        }
    }
    if (a.output_file) {
        check_writable({*a.output_file}, a.force);
        report::write_file_atomic(*a.output_file, text.str());
    } else {
        out << text.str();
    }
    return 0;
}

// `import MODEL -o W.yaml`: the workload YAML and its side files in W.data/ beside it.
int cmd_import(const Args& a, std::ostream& out) {
    DiagnosticList problems;
    if (a.words.size() != 1) {
        problems.add(
            Diagnostic{"<command line>", 0, 0, "",
                       "import: expected one model file, found " + std::to_string(a.words.size())});
    }
    if (!a.output_file) {
        problems.add(Diagnostic{"<command line>", 0, 0, "",
                                "import: expected -o W.yaml (the workload to write)"});
    }
    problems.throw_if_any();
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
        std::ifstream in(*a.from_scalesim);
        if (!in) {
            throw UserError(
                Diagnostic{*a.from_scalesim, 0, 0, "", "cannot open the file for reading"});
        }
        std::ostringstream text;
        text << in.rdbuf();
        const std::string yaml = frontend::scalesim_config_yaml(text.str(), *a.from_scalesim);
        // What it wrote must be a config npusim accepts.
        (void)cfg::load_hw_config_from_string(yaml, *a.from_scalesim, {});
        if (a.output_file) {
            check_writable({*a.output_file}, a.force);
            report::write_file_atomic(*a.output_file, yaml);
        } else {
            out << yaml;
        }
        return 0;
    }
    const int modes = int(a.dump) + int(a.schema) + int(a.check);
    if (modes != 1) {
        throw UserError(Diagnostic{"<command line>", 0, 0, "",
                                   "config: expected exactly one of --dump, --schema, --check"});
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
    try {
        if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
            out << kUsage;
            return args.empty() ? kUserErrorExitCode : 0;
        }
        if (args[0] == "--version") {
            out << "npusim " << kVersion << '\n';
            return 0;
        }
        // A bad NPUSIM_KERNELS is reported before any work (sim/kernels/isa.h).
        (void)kernels::active_isa();
        if (args[0] == "regress") return regress_main({args.begin() + 1, args.end()}, out);
        if (args[0] == "sweep") return sweep_main({args.begin() + 1, args.end()}, out);
        if (args[0] == "compare") return compare_main({args.begin() + 1, args.end()}, out);
        const Args a = parse(args);
        if (a.command == "run") return cmd_run(a, out);
        if (a.command == "compile") return cmd_compile(a, out);
        if (a.command == "config") return cmd_config(a, out);
        if (a.command == "import") return cmd_import(a, out);
        throw UserError(Diagnostic{
            "<command line>", 0, 0, "",
            "unknown command '" + a.command +
                "': expected run, compile, config, import, compare, regress or sweep (see npusim "
                "--help)"});
    } catch (...) {
        return report_error(std::current_exception(), err);
    }
}

}  // namespace npu::cli

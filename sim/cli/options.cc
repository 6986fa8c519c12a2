#include "sim/cli/options.h"

#include <algorithm>

#include "sim/core/error.h"
#include "sim/graph/workload.h"

namespace npu::cli {
namespace {

constexpr const char* kWhere = "<command line>";
constexpr size_t kWidth = 100;
constexpr size_t kUnlimited = static_cast<size_t>(-1);

OptionSpec flag(std::string name, std::string meaning) {
    return OptionSpec{std::move(name), "", ValueKind::kNone, std::move(meaning), {}, false,
                      false,           {}};
}

OptionSpec text(std::string name, std::string value_name, std::string meaning) {
    return OptionSpec{std::move(name),
                      std::move(value_name),
                      ValueKind::kText,
                      std::move(meaning),
                      {},
                      false,
                      false,
                      {}};
}

OptionSpec choice(std::string name, std::vector<std::string> choices, std::string meaning) {
    std::string value_name;
    for (const std::string& c : choices) value_name += (value_name.empty() ? "" : "|") + c;
    return OptionSpec{std::move(name),
                      value_name,
                      ValueKind::kChoice,
                      std::move(meaning),
                      std::move(choices),
                      false,
                      false,
                      {}};
}

OptionSpec number(std::string name, std::string meaning) {
    return OptionSpec{std::move(name), "N", ValueKind::kPositiveInt, std::move(meaning), {}, false,
                      false,           {}};
}

OptionSpec at_most(OptionSpec o, uint64_t max_value) {
    o.max_value = max_value;
    return o;
}

OptionSpec repeated(OptionSpec o) {
    o.repeatable = true;
    return o;
}

OptionSpec required(OptionSpec o) {
    o.required = true;
    return o;
}

OptionSpec jobs() {
    OptionSpec o{"-j",
                 "N",
                 ValueKind::kPositiveInt,
                 "run N simulations at a time (default: one per core)",
                 {},
                 false,
                 false,
                 {"--jobs"}};
    return o;
}

const OptionSpec kHw = text("--hw", "FILE",
                            "hardware config: a bundled name (edge_npu, gemmini, nvdla, tpu_v1, "
                            "vta) or a YAML file (default: the built-in edge NPU)");
const OptionSpec kWorkload = text("--workload", "FILE",
                                  "workload: a bundled name (resnet50, tiny_resnet, ...) or a "
                                  "file: YAML, an ONNX model (.onnx), a SCALE-Sim topology (.csv) "
                                  "(default: workloads/default.yaml)");
const OptionSpec kSet = repeated(text("--set", "KEY=VALUE",
                                      "override one config key, e.g. --set array.rows=32 (units "
                                      "in values: 1GHz, 256KiB, 25.6GB/s)"));
const OptionSpec kForce = flag("--force", "allow overwriting output files that already exist");
const OptionSpec kTimingOnly =
    flag("--timing-only", "skip the functional data path (no outputs, no bit-exact check)");
const OptionSpec kNoProgress =
    flag("--no-progress", "no progress line on stderr (drawn only when stderr is a terminal)");
const OptionSpec kCalibration = text("--calibration", "FILE",
                                     "calibration images of a float model (.npy NCHW or NHWC "
                                     "float32, or raw float32 HWC) for post-training quantization");
const OptionSpec kBatch = at_most(number("--batch",
                                         "run N images at once, every layer reusing its weights "
                                         "across them (default: the workload's batch, else 1)"),
                                  graph::kMaxBatch);
const OptionSpec kObjective =
    choice("--objective", {"latency", "energy", "edp"},
           "what the mapper minimizes per layer: estimated cycles (default), energy, or energy x "
           "cycles; the same as --set compiler.objective=... (docs/mapper.md)");
const OptionSpec kMaxMemory = text("--max-memory", "SIZE",
                                   "refuse a run whose simulated memories need more host memory "
                                   "than SIZE (e.g. 4GiB; default: half of this machine's RAM)");

std::vector<CommandSpec> build_table() {
    std::vector<CommandSpec> t;
    t.push_back(CommandSpec{
        "run",
        "compile the workload, simulate it and report cycles, traffic, stalls, energy and "
        "whether the outputs are bit-exact",
        "Compiles the workload for the hardware config, simulates it on the NPU and prints "
        "per-layer cycles, utilization, bandwidth, SRAM traffic, stalls and energy, and whether "
        "the simulated outputs equal the reference executor's bit for bit (exit 1 when not).",
        "",
        0,
        0,
        {kHw, kWorkload, kSet,
         text("--out", "DIR", "write stats.json, layers.csv and effective_config.yaml into DIR"),
         kForce,
         choice("--fidelity", {"fast", "pe"},
                "array timing: fast (closed form, default) or pe (PE-level model; slow)"),
         kTimingOnly,
         flag("--no-check", "compute the outputs but do not compare them with the reference"),
         flag("--quiet", "print only the verdict line"),
         text("--html", "FILE", "also write a self-contained HTML report to FILE"),
         text("--trace", "FILE",
              "write the timeline as Chrome/Perfetto trace JSON to FILE (docs/trace.md)"),
         kNoProgress, kMaxMemory, kBatch, kObjective,
         repeated(text("--input", "NAME=FILE",
                       "the data of input NAME from a NumPy .npy file instead of seeded data (the "
                       "model's shape and layout, ONNX: NCHW, or the NPU's HWC; with a batch of "
                       "N, N images along a leading dimension; float32 is quantized as "
                       "QuantizeLinear does, uint8 and int8 are taken as they are)")),
         text("--save-tensors", "DIR",
              "write every tensor the datapath produced as DIR/NAME.npy, named, laid out and "
              "typed as the model has it"),
         kCalibration},
        {"npusim run --hw tpu_v1 --workload resnet50 --timing-only",
         "npusim run --workload model.onnx --input input=image.npy --save-tensors out/",
         "npusim run --set array.rows=32 --set array.cols=32 --out results/",
         "npusim run --hw tpu_v1 --workload resnet50 --batch 8"}});
    t.push_back(CommandSpec{
        "compile",
        "show the mapping the compiler chose per layer, or the whole instruction stream",
        "Compiles the workload for the hardware config without simulating it, and prints the "
        "tiling chosen per layer (--emit mapping) or the instruction stream (--emit asm).",
        "",
        0,
        0,
        {kHw, kWorkload, kSet,
         choice("--emit", {"asm", "mapping", "estimate"},
                "what to print: the instruction stream (every core's with cores > 1), the "
                "per-layer mapping (default), or the mapper's estimate of each array layer "
                "(cycles, energy, DRAM bytes; "
                "docs/mapper.md)"),
         text("-o", "FILE", "write to FILE instead of stdout"), kForce, kCalibration, kBatch,
         kObjective},
        {"npusim compile --hw gemmini --workload tiny_resnet --emit asm -o tiny.asm",
         "npusim compile --hw tpu_v1 --workload resnet50 --batch 8"}});
    t.push_back(CommandSpec{
        "import",
        "convert a model (ONNX, a SCALE-Sim topology) into workload YAML with its side files",
        "Converts a model (ONNX: .onnx, docs/onnx.md; a SCALE-Sim topology: .csv; by extension or "
        "--format) into workload YAML (-o W.yaml) with its weights, biases and tables as .npy "
        "files in the folder W.data/ beside it; running the YAML is the same as running the "
        "model.",
        "MODEL",
        1,
        1,
        {required(text("-o", "W.yaml",
                       "the workload YAML to write (side files go to FILE's "
                       "stem + .data/ beside it)")),
         text("--format", "NAME",
              "the model's format when its extension does not say (onnx, "
              "scalesim)"),
         kCalibration, kForce},
        {"npusim import model.onnx -o workloads/model.yaml",
         "npusim import float_model.onnx --calibration calib.npy -o fm.yaml"}});
    t.push_back(CommandSpec{
        "config",
        "print the effective config, every key's meaning, or just validate; convert a SCALE-Sim "
        "config",
        "Exactly one of: --dump prints the complete effective config (a YAML file --hw accepts "
        "back), --schema lists every key with type, default, unit, range and meaning, --check "
        "validates the config and the overrides, --from-scalesim turns a SCALE-Sim .cfg into a "
        "hardware YAML (stdout or -o) with array.timing: scalesim and what has no npusim key "
        "stated in comments (docs/workloads.md).",
        "",
        0,
        0,
        {kHw, kSet, flag("--dump", "print the effective config as YAML"),
         flag("--schema", "list every key with its type, default, unit, range and meaning"),
         flag("--check", "validate only; print 'ok' or every problem"),
         text("--from-scalesim", "FILE", "convert this SCALE-Sim config (.cfg) to a hardware YAML"),
         text("-o", "FILE", "--from-scalesim: write the YAML to FILE instead of stdout"), kForce},
        {"npusim config --hw tpu_v1 --set array.rows=128 --check", "npusim config --schema",
         "npusim config --from-scalesim scale.cfg -o configs/mine.yaml"}});
    t.push_back(CommandSpec{
        "compare",
        "run one workload at several precisions side by side (speed, energy, area, accuracy)",
        "Runs the workload at each precision (default int8,fp32) and prints them side by side: "
        "cycles, latency, inferences/s, TOPS, DRAM traffic, energy, TOPS/W, area, speedup and "
        "energy ratio against the first, and accuracy against the fp32 model; per layer the "
        "cycles and roofline bound (docs/precision.md). A precision the chip does not support is "
        "shown as such unless its cycles_per_mac is set with --set.",
        "",
        0,
        0,
        {kHw, kWorkload, kSet,
         text("--precisions", "LIST",
              "precisions to run, from int8, int4, bf16, fp16, fp32; the first is the baseline"),
         OptionSpec{"--samples",
                    "N",
                    ValueKind::kPositiveInt,
                    "measure accuracy over the first N of the workload's samples",
                    {},
                    false,
                    false,
                    {}},
         kTimingOnly, text("--json", "FILE", "also write the comparison as JSON to FILE"),
         text("--html", "FILE", "also write the comparison as an HTML page to FILE"), kForce,
         kMaxMemory, kCalibration, kBatch, kObjective},
        {"npusim compare --workload digits --precisions int8,bf16,fp32",
         "npusim compare --hw tpu_v1 --workload resnet50 --timing-only --precisions int8"}});
    t.push_back(CommandSpec{
        "regress",
        "run the regression suite and compare every stats.json with its golden",
        "Runs every case of the suite (default workloads/regression.yaml), each in its own "
        "process, and compares its stats.json with tests/golden/<case>.json: integers exactly, "
        "other numbers to 1e-9; exit 1 on any difference (docs/regression.md).",
        "",
        0,
        0,
        {text("--suite", "FILE", "the suite file (default: workloads/regression.yaml)"),
         flag("--quick", "only the cases marked quick"),
         text("--only", "NAME[,NAME...]", "only the named cases"), jobs(),
         flag("--update", "rewrite the goldens of the selected cases from this run"),
         text("--golden-dir", "DIR", "where the goldens are (default: tests/golden)")},
        {"npusim regress --quick", "npusim regress --update --only default_vta"}});
    t.push_back(CommandSpec{
        "sweep",
        "run the points of a design-space sweep, rank them on the objectives and mark the "
        "Pareto front",
        "Runs every point of a sweep (a sweep YAML, or a grid of --set values), each in its own "
        "process, -j at a time, into DIR/points/<id>, and writes DIR/results.csv and "
        "results.json with the constraints checked, the rank on the objectives and the Pareto "
        "front marked, and DIR/report.html; a rerun skips finished points. A sweep file is a "
        "path or a bundled name (configs/sweeps). --strategy random|lhs|nsga2 runs --budget N "
        "points instead of the whole grid; --slurm submits a job array of --tasks shards and a "
        "merge job (docs/sweeps.md).",
        "[FILE]",
        0,
        1,
        {kHw,
         repeated(kWorkload),
         repeated(text("--grid", "KEY=V1,V2,...",
                       "one dimension of the grid: a config key and its values; K1,K2=A1:A2,B1:B2 "
                       "moves keys together")),
         text("--precisions", "LIST", "a precision dimension (the same as --grid precision=LIST)"),
         repeated(text("--derive", "KEY=TEMPLATE",
                       "compute a key per point from others, e.g. "
                       "scratchpad.bank_width={array.rows}B")),
         text("--name", "NAME", "the sweep's name (the report's title)"),
         text("--objectives", "LIST",
              "the columns to minimize or maximize for the rank and the Pareto front "
              "(default latency,energy)"),
         choice("--strategy", {"grid", "random", "lhs", "nsga2"},
                "which points to run: the whole grid (default), random or Latin-hypercube "
                "samples, or an NSGA-II search"),
         at_most(number("--budget", "random, lhs, nsga2: how many points to run"), 100000000),
         number("--seed", "random, lhs, nsga2: the seed (the same seed runs the same points)"),
         at_most(number("--population", "nsga2: the population per generation (default budget/8)"),
                 100000),
         text("--color-by", "KEY", "the swept key that colours the report's points"),
         jobs(),
         at_most(number("--points-per-process",
                        "run up to N points one after the other in each child process instead "
                        "of one process per point (faster timing-only sweeps; a crash then fails "
                        "the rest of its batch, which a rerun retries); the results are the same"),
                 100000),
         text("--out", "DIR",
              "the result directory (required without a sweep file; default "
              "sweep-<file name>)"),
         kTimingOnly,
         text("--shard", "I/N", "only the points with index % N == I"),
         text("--generation", "G",
              "nsga2: run only generation G's points (what a Slurm job array task runs)"),
         text("--html", "FILE", "also write the report page to FILE"),
         kForce,
         kNoProgress,
         flag("--slurm", "submit the sweep to Slurm (sbatch) instead of running it here"),
         at_most(number("--tasks", "--slurm: the job array's size (shards)"), 100000),
         text("--partition", "P", "--slurm: the Slurm partition"),
         at_most(number("--cpus-per-task", "--slurm: CPUs per array task (its -j)"), 4096),
         text("--time", "T", "--slurm: each job's time limit (sbatch --time)"),
         repeated(text("--sbatch-arg", "ARG", "--slurm: one more sbatch argument, as given")),
         flag("--slurm-driver",
              "nsga2 under Slurm: run the generations as job arrays (what the driver job runs)")},
        {"npusim sweep configs/sweeps/example.yaml -j 2",
         "npusim sweep --workload resnet50 --grid array.rows=16,32 --timing-only --out s/",
         "npusim sweep bert_layer --slurm --tasks 8 --partition cpu"}});
    t.push_back(CommandSpec{
        "sweep merge",
        "combine the result directories of sweep shards",
        "Combines the result directories of a sharded sweep into one (results and report); "
        "refuses shards of another sweep (config, mode, points).",
        "DIR...",
        1,
        kUnlimited,
        {required(text("--out", "DIR", "the merged result directory")),
         text("--html", "FILE", "also write the report page to FILE"), kForce},
        {"npusim sweep merge shard0/ shard1/ --out all/"}});
    t.push_back(CommandSpec{
        "sweep status",
        "points done, running, failed and pending of a (Slurm) sweep directory",
        "Counts a sweep directory's points: done, running, failed and pending, per shard, with "
        "Slurm's view of its jobs when it has one.",
        "DIR",
        1,
        1,
        {},
        {"npusim sweep status sweep-bert_layer"}});
    return t;
}

std::string join(const std::vector<std::string>& items, const std::string& sep) {
    std::string s;
    for (const std::string& i : items) s += (s.empty() ? "" : sep) + i;
    return s;
}

const OptionSpec* find_option(const CommandSpec& c, const std::string& name) {
    for (const OptionSpec& o : c.options) {
        if (o.name == name) return &o;
        if (std::find(o.aliases.begin(), o.aliases.end(), name) != o.aliases.end()) return &o;
    }
    return nullptr;
}

// Tokens (never split) joined by spaces and wrapped at kWidth columns; the first line starts at
// `first_column`, continuation lines are indented by `indent`.
std::string wrap_tokens(const std::vector<std::string>& tokens, size_t first_column,
                        size_t indent) {
    std::string out, line;
    size_t column = first_column;
    for (const std::string& token : tokens) {
        if (token.empty()) continue;
        if (!line.empty() && column + 1 + token.size() > kWidth) {
            out += line + "\n";
            line = std::string(indent, ' ') + token;
            column = indent + token.size();
        } else {
            if (!line.empty()) {
                line += ' ';
                ++column;
            }
            line += token;
            column += token.size();
        }
    }
    return out + line;
}

std::string wrap(const std::string& words, size_t first_column, size_t indent) {
    std::vector<std::string> tokens;
    size_t start = 0;
    while (start <= words.size()) {
        size_t end = words.find(' ', start);
        if (end == std::string::npos) end = words.size();
        tokens.push_back(words.substr(start, end - start));
        start = end + 1;
    }
    return wrap_tokens(tokens, first_column, indent);
}

std::string option_usage(const OptionSpec& o) {
    std::string s = o.name;
    if (!o.value_name.empty()) s += " " + o.value_name;
    if (!o.required) s = "[" + s + "]";
    if (o.repeatable) s += "...";
    return s;
}

bool positive_int(const std::string& v, uint64_t max_value) {
    return !v.empty() && v.size() <= 9 && v.find_first_not_of("0123456789") == std::string::npos &&
           std::stoul(v) >= 1 && std::stoul(v) <= max_value;
}

}  // namespace

const std::vector<CommandSpec>& command_specs() {
    static const std::vector<CommandSpec> table = build_table();
    return table;
}

const CommandSpec* find_command(std::string_view name) {
    for (const CommandSpec& c : command_specs()) {
        if (c.name == name) return &c;
    }
    return nullptr;
}

std::optional<std::string> ParsedCommand::value(const std::string& option) const {
    const auto it = values.find(option);
    if (it == values.end() || it->second.empty()) return std::nullopt;
    return it->second.back();
}

std::vector<std::string> ParsedCommand::all(const std::string& option) const {
    const auto it = values.find(option);
    return it == values.end() ? std::vector<std::string>{} : it->second;
}

size_t ParsedCommand::count(const std::string& option) const {
    const auto v = value(option);
    return v ? std::stoul(*v) : 0;
}

ParsedCommand parse_command_line(const std::vector<std::string>& args) {
    ParsedCommand p;
    DiagnosticList problems;
    const auto bad = [&](const std::string& message) {
        problems.add(Diagnostic{kWhere, 0, 0, "", message});
    };
    std::vector<std::string> names;
    for (const CommandSpec& c : command_specs()) {
        if (c.name.find(' ') == std::string::npos) names.push_back(c.name);
    }
    size_t i = 0;
    std::string command = args.empty() ? "" : args[0];
    bool help = false;
    if (command == "help" || command == "--help" || command == "-h") {
        help = true;
        command = args.size() > 1 ? args[1] : "";
        i = 1;
        if (command.empty()) {
            bad("expected a command after 'help'");
            problems.throw_if_any();
        }
    }
    if (command == "sweep" && args.size() > i + 1 &&
        (args[i + 1] == "merge" || args[i + 1] == "status")) {
        command = "sweep " + args[i + 1];
        ++i;
    }
    p.spec = find_command(command);
    if (p.spec == nullptr) {
        bad(command.empty() ? "expected a command: " + join(names, ", ") + " (npusim --help)"
                            : "unknown command " + in_quotes(command) + ": expected " +
                                  join(names, ", ") + " (npusim --help)");
        problems.throw_if_any();
    }
    const CommandSpec& spec = *p.spec;
    const std::string prefix = spec.name + ": ";
    p.help = help;
    for (++i; i < args.size(); ++i) {
        std::string arg = args[i];
        if (arg == "--help" || arg == "-h") {
            p.help = true;
            continue;
        }
        if (arg.empty() || arg[0] != '-' || arg == "-") {
            p.words.push_back(arg);
            continue;
        }
        std::optional<std::string> inline_value;
        if (arg.rfind("--", 0) == 0 && arg.find('=') != std::string::npos) {
            inline_value = arg.substr(arg.find('=') + 1);
            arg = arg.substr(0, arg.find('='));
        } else if (arg.rfind("-j", 0) == 0 && arg.size() > 2 && find_option(spec, "-j")) {
            inline_value = arg.substr(2);
            arg = "-j";
        }
        const OptionSpec* o = find_option(spec, arg);
        if (o == nullptr) {
            bad(prefix + "unknown option " + in_quotes(arg) + " (npusim " + spec.name +
                " --help lists its options)");
            // Its value, if it has one, is not a second problem (for commands without words).
            if (!inline_value && spec.max_words == 0 && i + 1 < args.size() &&
                args[i + 1].rfind("-", 0) != 0) {
                ++i;
            }
            continue;
        }
        std::string v;
        if (o->kind == ValueKind::kNone) {
            if (inline_value) {
                bad(prefix + o->name + " takes no value, found " + in_quotes(*inline_value));
                continue;
            }
        } else if (inline_value) {
            v = *inline_value;
        } else if (i + 1 < args.size() && find_option(spec, args[i + 1]) != nullptr &&
                   args[i + 1].rfind("--", 0) == 0) {
            // "--max-memory --hw x": the value is missing, not "--hw".
            bad(prefix + o->name + ": expected " + o->value_name + " after it, found the option " +
                in_quotes(args[i + 1]));
            continue;
        } else if (i + 1 < args.size()) {
            v = args[++i];
        } else {
            bad(prefix + o->name + ": expected " + o->value_name +
                " after it, found the end of the command line");
            continue;
        }
        if (o->kind == ValueKind::kText && v.empty()) {
            bad(prefix + o->name + ": expected " + o->value_name + ", found ''");
            continue;
        }
        if (o->kind == ValueKind::kChoice &&
            std::find(o->choices.begin(), o->choices.end(), v) == o->choices.end()) {
            bad(prefix + o->name + ": expected " + join(o->choices, " or ") + ", found " +
                in_quotes(v));
            continue;
        }
        if (o->kind == ValueKind::kPositiveInt && !positive_int(v, o->max_value)) {
            bad(prefix + o->name + ": expected a whole number from 1 to " +
                std::to_string(o->max_value) + ", found " + in_quotes(v));
            continue;
        }
        std::vector<std::string>& slot = p.values[o->name];
        if (!slot.empty() && !o->repeatable) {
            bad(prefix + o->name + " is given twice (" + in_quotes(slot.back()) + " and " +
                in_quotes(v) + ")");
            continue;
        }
        slot.push_back(v);
    }
    if (p.help) return p;  // help runs nothing: the rest need not be complete
    for (const OptionSpec& o : spec.options) {
        if (o.required && !p.has(o.name))
            bad(prefix + o.name + " " + o.value_name + " is required");
    }
    if (p.words.size() < spec.min_words) {
        bad(prefix + "expected " + spec.words + " after the command");
    } else if (p.words.size() > spec.max_words) {
        const size_t first_extra = spec.max_words;
        bad(prefix + "unexpected argument " + in_quotes(p.words[first_extra]) +
            (spec.max_words == 0 ? " (this command takes only options)"
                                 : " (expected at most " + std::to_string(spec.max_words) + ")"));
    }
    problems.throw_if_any();
    return p;
}

std::string synopsis(const CommandSpec& c, size_t first_column) {
    std::vector<std::string> tokens{"npusim " + c.name};
    if (!c.words.empty()) tokens.push_back(c.words);
    for (const OptionSpec& o : c.options) tokens.push_back(option_usage(o));
    // Continuation lines start under the first option; an option is never split.
    return wrap_tokens(tokens, first_column, first_column + 8 + c.name.size());
}

std::string command_help(const CommandSpec& c) {
    const std::string usage = "usage: ";
    std::string out =
        usage + synopsis(c, usage.size()) + "\n\n" + wrap(c.description, 0, 0) + "\n\n";
    out += "options:\n";
    size_t width = 0;
    std::vector<std::string> heads;
    for (const OptionSpec& o : c.options) {
        std::string h = o.name;
        for (const std::string& a : o.aliases) h += ", " + a;
        if (!o.value_name.empty()) h += " " + o.value_name;
        heads.push_back(h);
        width = std::max(width, h.size());
    }
    width = std::clamp<size_t>(width, 10, 28);  // at least "-h, --help"
    for (size_t k = 0; k < c.options.size(); ++k) {
        std::string line = "  " + heads[k];
        const size_t column = 2 + width + 2;
        if (line.size() + 2 > column) {
            out += line + "\n";
            line = std::string(column, ' ');
        } else {
            line += std::string(column - line.size(), ' ');
        }
        std::string meaning = c.options[k].meaning;
        if (c.options[k].required) meaning += " (required)";
        out += line + wrap(meaning, column, column) + "\n";
    }
    out += "  -h, --help" + std::string(2 + width + 2 - 12, ' ') + "print this help and exit\n";
    out += c.examples.size() == 1 ? "\nexample:\n" : "\nexamples:\n";
    for (const std::string& e : c.examples) out += "  " + e + "\n";
    return out;
}

std::string general_help() {
    std::string out = "npusim - cycle-accurate simulator of a quantized-network NPU\n\nusage:\n";
    for (const CommandSpec& c : command_specs()) {
        const std::string s = "npusim " + c.name + (c.words.empty() ? "" : " " + c.words) +
                              (c.options.empty() ? "" : " [options]");
        out += "  " + s + "\n";
    }
    out += "  npusim <command> --help     that command's options, one line each, and examples\n";
    out += "  npusim --version\n\ncommands:\n";
    size_t width = 0;
    for (const CommandSpec& c : command_specs()) width = std::max(width, c.name.size());
    for (const CommandSpec& c : command_specs()) {
        const size_t column = 2 + width + 2;
        out += "  " + c.name + std::string(column - 2 - c.name.size(), ' ') +
               wrap(c.summary, column, column) + "\n";
    }
    out +=
        "\nexit codes: 0 ok, 1 outputs differ from the reference (run) or from a golden "
        "(regress),\n            2 bad input, 3 internal model error\n"
        "environment: NPUSIM_HOME  the directory holding the bundled configs/ and workloads/ "
        "(default:\n             the source tree npusim was built from)\n";
    return out;
}

}  // namespace npu::cli

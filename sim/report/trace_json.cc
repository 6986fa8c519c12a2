#include "sim/report/trace_json.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <sstream>
#include <system_error>
#include <utility>
#include <vector>

#include "sim/core/error.h"
#include "sim/report/output_file.h"

namespace npu::report {
namespace {

constexpr int kPid = 1;
constexpr int kLayersTid = 0;

// Track of an engine: the controller first, then the engines in pipeline order.
int tid_of(stats::TraceEngine e) {
    switch (e) {
        case stats::TraceEngine::kController:
            return 1;
        case stats::TraceEngine::kLoad:
            return 2;
        case stats::TraceEngine::kCompute:
            return 3;
        case stats::TraceEngine::kStore:
            return 4;
    }
    return 1;
}

std::string quoted(const std::string& s) {
    std::string r = "\"";
    for (const char c : s) {
        switch (c) {
            case '"':
                r += "\\\"";
                break;
            case '\\':
                r += "\\\\";
                break;
            case '\n':
                r += "\\n";
                break;
            case '\t':
                r += "\\t";
                break;
            default:
                if (static_cast<unsigned char>(c) < 0x20) {
                    char buf[8];
                    std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(c));
                    r += buf;
                } else {
                    r += c;
                }
        }
    }
    return r + "\"";
}

// Cycles -> whole nanoseconds of simulated time -> microseconds with three decimals. Rounding
// each cycle count (not each duration) keeps the ends of back-to-back events equal.
class Clock {
  public:
    explicit Clock(double clock_hz) : m_ns_per_cycle(1e9L / static_cast<long double>(clock_hz)) {}
    [[nodiscard]] uint64_t ns(uint64_t cycle) const {
        return static_cast<uint64_t>(
            std::llround(static_cast<long double>(cycle) * m_ns_per_cycle));
    }
    [[nodiscard]] static std::string us(uint64_t ns) {
        char buf[32];
        std::snprintf(buf, sizeof buf, "%llu.%03llu", static_cast<unsigned long long>(ns / 1000),
                      static_cast<unsigned long long>(ns % 1000));
        return buf;
    }
    // "ts":..,"dur":.. of the span [from, to) in cycles.
    [[nodiscard]] std::string span(uint64_t from, uint64_t to) const {
        const uint64_t a = ns(from), b = ns(to);
        return "\"ts\":" + us(a) + ",\"dur\":" + us(b - a);
    }
    [[nodiscard]] std::string at(uint64_t cycle) const { return "\"ts\":" + us(ns(cycle)); }

  private:
    long double m_ns_per_cycle;
};

std::string head(const char* ph, const std::string& name, const char* cat, int tid) {
    return std::string("{\"ph\":\"") + ph + "\",\"name\":" + quoted(name) + ",\"cat\":\"" + cat +
           "\",\"pid\":" + std::to_string(kPid) + ",\"tid\":" + std::to_string(tid);
}

std::string num(uint64_t v) { return std::to_string(v); }

}  // namespace

void write_trace_json(std::ostream& out, const stats::Trace& trace, const stats::RunStats& run) {
    const Clock clk(run.clock_hz > 0 ? run.clock_hz : 1e9);
    bool first = true;
    const auto emit = [&out, &first](const std::string& ev) {
        out << (first ? "\n" : ",\n") << ev;
        first = false;
    };
    out << "{\"displayTimeUnit\":\"ns\",\"otherData\":{\"tool\":\"npusim\",\"config\":"
        << quoted(run.config_name) << ",\"workload\":" << quoted(run.workload_name)
        << ",\"clock_hz\":" << num(static_cast<uint64_t>(std::llround(run.clock_hz)))
        << ",\"total_cycles\":" << num(run.total_cycles) << "},\"traceEvents\":[";

    emit("{\"ph\":\"M\",\"name\":\"process_name\",\"pid\":" + std::to_string(kPid) +
         ",\"tid\":0,\"args\":{\"name\":" +
         quoted("npu " + run.config_name + " / " + run.workload_name) + "}}");
    // The layers' track, then per core its controller, load, compute and store tracks (several
    // cores: named "core<c> ...", track 1 + 4c + the engine's).
    std::vector<std::pair<int, std::string>> tracks{{kLayersTid, "layers"}};
    for (int c = 0; c < std::max(1, trace.cores); ++c) {
        const std::string prefix = trace.cores > 1 ? "core" + std::to_string(c) + " " : "";
        for (const char* e : {"controller", "load", "compute", "store"}) {
            tracks.emplace_back(static_cast<int>(tracks.size()), prefix + e);
        }
    }
    for (const auto& [tid, name] : tracks) {
        const std::string ids =
            ",\"pid\":" + std::to_string(kPid) + ",\"tid\":" + std::to_string(tid);
        emit("{\"ph\":\"M\",\"name\":\"thread_name\"" + ids + ",\"args\":{\"name\":\"" + name +
             "\"}}");
        emit("{\"ph\":\"M\",\"name\":\"thread_sort_index\"" + ids +
             ",\"args\":{\"sort_index\":" + std::to_string(tid) + "}}");
    }

    for (size_t i = 0; i < run.layers.size(); ++i) {
        const stats::LayerStats& l = run.layers[i];
        emit(head("X", l.name, "layer", kLayersTid) + "," + clk.span(l.start_cycle, l.end_cycle) +
             ",\"args\":{\"layer\":" + num(i) + ",\"op\":" + quoted(l.op) +
             ",\"shape\":" + quoted(l.shape) + ",\"start_cycle\":" + num(l.start_cycle) +
             ",\"end_cycle\":" + num(l.end_cycle) + ",\"cycles\":" + num(l.cycles()) + "}}");
    }

    static const stats::TraceInstr kUnknown{"?", "?", ""};
    for (const stats::TraceEvent& ev : trace.events) {
        const stats::TraceInstr& ti =
            ev.instr < trace.instrs.size() ? trace.instrs[ev.instr] : kUnknown;
        const std::string layer_name =
            ev.layer < run.layers.size() ? run.layers[ev.layer].name : std::string("?");
        const int tid = tid_of(ev.engine) + 4 * static_cast<int>(ev.core);
        const std::string ref = "\"instr\":" + num(ev.instr) + ",\"layer\":" + quoted(layer_name);
        if (ev.blocked) {
            emit(head("X", "dispatch blocked", "stall", tid) + "," + clk.span(ev.queued, ev.start) +
                 ",\"args\":{" + ref + ",\"asm\":" + quoted(ti.text) +
                 ",\"cycles\":" + num(ev.start - ev.queued) + "}}");
            continue;
        }
        if (ev.start > ev.queued) {
            emit(head("X", "wait", "stall", tid) + "," + clk.span(ev.queued, ev.start) +
                 ",\"args\":{" + ref + ",\"waits_for\":" + quoted(ti.waits_for) +
                 ",\"cycles\":" + num(ev.start - ev.queued) + "}}");
        }
        const std::string args =
            ",\"args\":{\"id\":" + num(ev.instr) + ",\"layer\":" + num(ev.layer) +
            ",\"layer_name\":" + quoted(layer_name) + ",\"asm\":" + quoted(ti.text) +
            ",\"start_cycle\":" + num(ev.start) + ",\"end_cycle\":" + num(ev.end) +
            ",\"complete_cycle\":" + num(ev.complete) + "}}";
        emit(head("X", ti.op, "instr", tid) + "," + clk.span(ev.start, ev.end) + args);
        if (ev.complete > ev.end) {
            const std::string id = ",\"id\":" + num(ev.instr);
            emit(head("b", ti.op + " in flight", "inflight", tid) + id + "," + clk.at(ev.start) +
                 args);
            emit(head("e", ti.op + " in flight", "inflight", tid) + id + "," + clk.at(ev.complete) +
                 "}");
        }
    }
    out << "\n]}\n";
}

void write_trace_json(const std::string& path, const stats::Trace& trace,
                      const stats::RunStats& run) {
    std::ostringstream out;
    write_trace_json(out, trace, run);
    write_file_atomic(path, out.str());
}

void check_trace_path(const std::string& path, bool force) {
    namespace fs = std::filesystem;
    const auto bad = [&path](const std::string& msg) {
        throw UserError(Diagnostic{path, 0, 0, "--trace", msg});
    };
    if (path.empty()) bad("expected a file name, found an empty value");
    std::error_code ec;
    const fs::path p(path);
    if (fs::is_directory(p, ec)) bad("expected a file name, found a directory");
    const fs::path dir = p.parent_path();
    if (!dir.empty() && !fs::is_directory(dir, ec)) {
        bad("cannot write the trace: directory '" + dir.string() + "' does not exist");
    }
    if (!force && fs::exists(p, ec)) bad("already exists; pass --force to overwrite it");
}

}  // namespace npu::report

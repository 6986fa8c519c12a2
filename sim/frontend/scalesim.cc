#include "sim/frontend/scalesim.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <set>
#include <sstream>

#include "sim/core/error.h"

namespace npu::frontend {
namespace {

struct Cell {
    std::string text;  // trimmed
    int col = 1;       // 1-based column of the cell's first character
};

std::string trim(const std::string& s) {
    const size_t b = s.find_first_not_of(" \t\r");
    if (b == std::string::npos) return "";
    const size_t e = s.find_last_not_of(" \t\r");
    return s.substr(b, e - b + 1);
}

// SCALE-Sim's row.strip().split(',')[:-1]: the cell after the last comma is dropped.
std::vector<Cell> split_row(const std::string& line) {
    std::vector<Cell> cells;
    size_t start = 0;
    for (;;) {
        const size_t comma = line.find(',', start);
        if (comma == std::string::npos) break;
        const std::string raw = line.substr(start, comma - start);
        const size_t lead = raw.find_first_not_of(" \t");
        cells.push_back(
            {trim(raw), static_cast<int>(start + (lead == std::string::npos ? 0 : lead)) + 1});
        start = comma + 1;
    }
    return cells;
}

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> out;
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line)) out.push_back(line);
    return out;
}

std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return s;
}

enum class Kind { kNone, kConv, kGemm };

Kind header_kind(const std::string& first_line) {
    const std::vector<Cell> h = split_row(
        trim(first_line) + (trim(first_line).empty() || trim(first_line).back() == ',' ? "" : ","));
    if (h.size() < 4) return Kind::kNone;
    const std::string c0 = lower(h[0].text);
    if (c0 != "layer name" && c0 != "layer") return Kind::kNone;
    if (lower(h[1].text).find("ifmap") != std::string::npos) return Kind::kConv;
    if (h.size() == 4 && lower(h[1].text) == "m" && lower(h[2].text) == "n" &&
        lower(h[3].text) == "k") {
        return Kind::kGemm;
    }
    return Kind::kNone;
}

constexpr const char* kConvHeader =
    "Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, "
    "Strides,";
constexpr const char* kGemmHeader = "Layer, M, N, K,";

// Layer names usable as npusim tensor names: letters, digits and '_'; unique.
std::string tensor_name(const std::string& raw, std::set<std::string>& used) {
    std::string s;
    for (char c : raw) s += std::isalnum(static_cast<unsigned char>(c)) || c == '_' ? c : '_';
    if (s.empty() || std::isdigit(static_cast<unsigned char>(s[0]))) s = "L" + s;
    std::string name = s;
    for (int i = 2; used.count(name) != 0; ++i) name = s + "_" + std::to_string(i);
    used.insert(name);
    return name;
}

}  // namespace

bool is_scalesim_topology(const std::string& text) {
    const std::vector<std::string> lines = lines_of(text);
    return !lines.empty() && header_kind(lines[0]) != Kind::kNone;
}

std::vector<ScaleSimLayer> parse_scalesim_topology(const std::string& text,
                                                   const std::string& file) {
    DiagnosticList problems;
    const std::vector<std::string> lines = lines_of(text);
    const Kind kind = lines.empty() ? Kind::kNone : header_kind(lines[0]);
    if (kind == Kind::kNone) {
        problems.add(Diagnostic{file, 1, 1, "",
                                std::string("expected a SCALE-Sim topology header (conv: \"") +
                                    kConvHeader + "\"; GEMM: \"" + kGemmHeader + "\"), found \"" +
                                    (lines.empty() ? std::string() : trim(lines[0])) + "\""});
        problems.throw_if_any();
    }
    std::vector<ScaleSimLayer> layers;
    for (size_t li = 1; li < lines.size(); ++li) {
        const std::string row = trim(lines[li]);
        if (row.empty()) continue;
        const int line_no = static_cast<int>(li) + 1;
        const std::vector<Cell> cells = split_row(row);
        const size_t need = kind == Kind::kGemm ? 4 : 8;
        if (cells.size() < need) {
            problems.add(Diagnostic{
                file, line_no, 1, "",
                "expected " + std::to_string(need) + " cells each followed by a comma (" +
                    (kind == Kind::kGemm ? kGemmHeader : kConvHeader) + "), found " +
                    std::to_string(cells.size()) +
                    (row.back() == ',' ? "" : " (SCALE-Sim drops the cell after the last comma)")});
            continue;
        }
        bool ok = true;
        const auto number = [&](size_t i, const char* what) {
            const Cell& c = cells[i];
            int v = 0;
            bool valid = !c.text.empty() &&
                         std::all_of(c.text.begin(), c.text.end(),
                                     [](unsigned char ch) { return std::isdigit(ch) != 0; }) &&
                         c.text.size() <= 9;
            if (valid) v = std::stoi(c.text);
            if (!valid || v < 1) {
                problems.add(Diagnostic{file, line_no, c.col, what,
                                        "expected a positive integer, found \"" + c.text + "\""});
                ok = false;
            }
            return v;
        };
        ScaleSimLayer l;
        l.name = cells[0].text;
        if (l.name.empty()) {
            problems.add(Diagnostic{file, line_no, 1, "", "expected a layer name, found none"});
            ok = false;
        }
        if (kind == Kind::kGemm) {
            l.gemm = true;
            l.ifmap_h = number(1, "M");
            l.num_filter = number(2, "N");
            l.channels = number(3, "K");
        } else {
            l.ifmap_h = number(1, "IFMAP Height");
            l.ifmap_w = number(2, "IFMAP Width");
            l.filter_h = number(3, "Filter Height");
            l.filter_w = number(4, "Filter Width");
            l.channels = number(5, "Channels");
            l.num_filter = number(6, "Num Filter");
            l.stride_h = number(7, "Strides");
            l.stride_w = cells.size() > 8 ? number(8, "Stride Width") : l.stride_h;
            l.depthwise = l.name.find("DP") != std::string::npos;
            if (ok && (l.filter_h > l.ifmap_h || l.filter_w > l.ifmap_w)) {
                problems.add(Diagnostic{
                    file, line_no, cells[3].col, "Filter Height",
                    "expected a filter no larger than the IFMAP (" + std::to_string(l.ifmap_h) +
                        "x" + std::to_string(l.ifmap_w) + "), found " + std::to_string(l.filter_h) +
                        "x" + std::to_string(l.filter_w)});
                ok = false;
            }
        }
        if (ok) layers.push_back(l);
    }
    if (layers.empty() && problems.items().empty()) {
        problems.add(Diagnostic{file, 2, 1, "", "expected at least one layer row, found none"});
    }
    problems.throw_if_any();
    return layers;
}

std::string scalesim_workload_yaml(const std::vector<ScaleSimLayer>& layers,
                                   const std::string& name) {
    std::ostringstream y;
    std::set<std::string> used;
    std::vector<std::string> names;
    for (const ScaleSimLayer& l : layers) names.push_back(tensor_name(l.name, used));
    y << "# Imported from a SCALE-Sim topology; each layer reads its own input, as SCALE-Sim's\n"
         "# layers are independent. Scales are illustrative (SCALE-Sim has no data).\n";
    y << "name: " << tensor_name(name, used) << "\nseed: 1\ninputs:\n";
    for (size_t i = 0; i < layers.size(); ++i) {
        const ScaleSimLayer& l = layers[i];
        y << "  - {name: " << names[i] << "_in, shape: [" << l.ifmap_h;
        if (!l.gemm) y << ", " << l.ifmap_w;
        y << ", " << l.channels << "], scale: 0.05, zero_point: 0}\n";
    }
    y << "layers:\n";
    for (size_t i = 0; i < layers.size(); ++i) {
        const ScaleSimLayer& l = layers[i];
        y << "  - name: " << names[i] << "\n    inputs: [" << names[i] << "_in]\n";
        if (l.gemm) {
            y << "    op: gemm\n    n: " << l.num_filter << "\n";
        } else {
            // SCALE-Sim's output size is ceil((in - filter + stride) / stride): where the stride
            // does not divide (in - filter), its last window runs past the input; the same
            // windows here need that much padding at the bottom / right.
            const auto out = [](int in, int f, int s) { return (in - f + s + s - 1) / s; };
            const int pb =
                (out(l.ifmap_h, l.filter_h, l.stride_h) - 1) * l.stride_h + l.filter_h - l.ifmap_h;
            const int pr =
                (out(l.ifmap_w, l.filter_w, l.stride_w) - 1) * l.stride_w + l.filter_w - l.ifmap_w;
            y << "    op: conv2d\n    kernel: [" << l.filter_h << ", " << l.filter_w
              << "]\n    stride: [" << l.stride_h << ", " << l.stride_w << "]\n";
            if (pb > 0 || pr > 0) y << "    padding: [0, " << pb << ", 0, " << pr << "]\n";
            if (l.depthwise) {
                y << "    groups: " << l.channels
                  << "\n    out_channels: " << int64_t{l.channels} * l.num_filter << "\n";
            } else {
                y << "    out_channels: " << l.num_filter << "\n";
            }
        }
        y << "    weight_scale: {min: 0.002, max: 0.004}\n    output: auto\n";
    }
    return y.str();
}

std::string scalesim_config_yaml(const std::string& text, const std::string& file) {
    // INI: [section], key = value (SCALE-Sim's configparser); keys compared case-insensitively.
    std::map<std::string, std::pair<std::string, int>> arch;  // lower key -> (value, line)
    std::map<std::string, std::pair<std::string, int>> general, run;
    std::map<std::string, std::pair<std::string, int>>* section = nullptr;
    const std::vector<std::string> lines = lines_of(text);
    for (size_t i = 0; i < lines.size(); ++i) {
        const std::string l = trim(lines[i]);
        if (l.empty() || l[0] == '#' || l[0] == ';') continue;
        if (l.front() == '[' && l.back() == ']') {
            const std::string s = lower(trim(l.substr(1, l.size() - 2)));
            section = s == "architecture_presets" ? &arch
                      : s == "general"            ? &general
                      : s == "run_presets"        ? &run
                                                  : nullptr;
            continue;
        }
        const size_t eq = l.find_first_of("=:");
        if (section == nullptr || eq == std::string::npos) continue;
        (*section)[lower(trim(l.substr(0, eq)))] = {trim(l.substr(eq + 1)),
                                                    static_cast<int>(i) + 1};
    }
    DiagnosticList problems;
    const auto get_int = [&](const char* key, long long lo) -> long long {
        const auto it = arch.find(lower(key));
        if (it == arch.end()) {
            problems.add(Diagnostic{file, 0, 0, std::string("architecture_presets.") + key,
                                    "expected a value, found none"});
            return lo;
        }
        const std::string& v = it->second.first;
        const bool digits =
            !v.empty() && v.size() <= 12 &&
            std::all_of(v.begin(), v.end(), [](unsigned char c) { return std::isdigit(c) != 0; });
        if (!digits || std::stoll(v) < lo) {
            problems.add(Diagnostic{
                file, it->second.second, 0, std::string("architecture_presets.") + key,
                "expected an integer >= " + std::to_string(lo) + ", found \"" + v + "\""});
            return lo;
        }
        return std::stoll(v);
    };
    const long long rows = get_int("ArrayHeight", 1);
    const long long cols = get_int("ArrayWidth", 1);
    const long long ifmap_kb = get_int("IfmapSramSzkB", 1);
    const long long filter_kb = get_int("FilterSramSzkB", 1);
    const long long ofmap_kb = get_int("OfmapSramSzkB", 1);
    std::string df = "ws";
    std::string df_note;
    if (const auto it = arch.find("dataflow"); it == arch.end()) {
        problems.add(Diagnostic{file, 0, 0, "architecture_presets.Dataflow",
                                "expected os, ws or is, found none"});
    } else {
        df = lower(it->second.first);
        if (df == "is") {
            df = "ws";
            df_note =
                "# Dataflow: is (input stationary) has no npusim equivalent; ws is used (the\n"
                "# reduction on the rows, as is does, with weights rather than inputs held).\n";
        } else if (df != "os" && df != "ws") {
            problems.add(Diagnostic{file, it->second.second, 0, "architecture_presets.Dataflow",
                                    "expected os, ws or is, found \"" + it->second.first + "\""});
        }
    }
    problems.throw_if_any();

    std::ostringstream y;
    const auto name_it = general.find("run_name");
    y << "# Converted from the SCALE-Sim config " << file << " (npusim config --from-scalesim).\n";
    y << "name: " << (name_it != general.end() ? name_it->second.first : std::string("scalesim"))
      << "\n";
    y << "clock: 1GHz  # SCALE-Sim counts cycles only; 1 GHz makes its words/cycle GB/s\n";
    y << "array:\n  rows: " << rows << "\n  cols: " << cols << "\n  dataflow: " << df
      << "\n  pipelining: none\n  timing: scalesim  # count cycles as SCALE-Sim v2 does\n";
    y << df_note;
    y << "# IFMAP and filter SRAMs share npusim's scratchpad (" << ifmap_kb << " + " << filter_kb
      << " KiB); SCALE-Sim's 1-byte words are int8.\n";
    // SCALE-Sim's SRAMs deliver what the array needs every cycle: one bank per buffer, as wide
    // as a row of operands (rounded up to a power of two), so ports never stall the array.
    const auto pow2 = [](long long v) {
        long long p = 1;
        while (p < v) p *= 2;
        return p;
    };
    y << "# One bank per buffer, a row of operands wide: SCALE-Sim's SRAMs never stall the "
         "array.\n";
    y << "scratchpad:\n  size: " << ifmap_kb + filter_kb
      << "KiB\n  banks: 1\n  bank_width: " << pow2(std::max(rows, cols)) << "B\n";
    y << "# The OFMAP SRAM holds int8 outputs in SCALE-Sim; npusim's accumulator holds int32\n"
         "# partial sums, so it is sized 4x.\n";
    y << "accumulator:\n  size: " << 4 * ofmap_kb
      << "KiB\n  banks: 1\n  bank_width: " << pow2(4 * cols) << "B\n";
    if (const auto bw = arch.find("bandwidth"); bw != arch.end()) {
        y << "dram:\n  bandwidth: " << bw->second.first << "GB/s  # Bandwidth: " << bw->second.first
          << " words/cycle at 1 GHz\n";
    } else {
        y << "# Bandwidth: not given; npusim's default DRAM bandwidth applies.\n";
    }
    y << "# Not mapped (no npusim key):";
    bool any = false;
    for (const char* k : {"ifmapoffset", "filteroffset", "ofmapoffset", "memorybanks"}) {
        if (const auto it = arch.find(k); it != arch.end()) {
            y << (any ? "," : "") << " " << k << " = " << it->second.first;
            any = true;
        }
    }
    for (const auto& [k, v] : run) {
        y << (any ? "," : "") << " run_presets." << k << " = " << v.first;
        any = true;
    }
    if (!any) y << " nothing";
    y << "\n# SCALE-Sim's DRAM model (request traces, stall cycles) differs from npusim's; only "
         "the\n"
         "# array's compute cycles are comparable (docs/timing.md).\n";
    return y.str();
}

}  // namespace npu::frontend

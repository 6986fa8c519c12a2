#include "sim/report/layers_csv.h"

#include <charconv>
#include <fstream>
#include <sstream>

#include "sim/report/counter_fields.h"
#include "sim/report/figures.h"
#include "sim/report/output_file.h"

namespace npu::report {

namespace {

// Columns before and after the counters; counters come in counter_fields() order.
const char* const kLeadColumns[] = {
    "index",
    "name",
    "op",
    "shape",
    "mapping",
    "residency",
    "start_cycle",
    "end_cycle",
    "cycles",
    "exclusive_cycles",
    "overlapped_cycles",
    "time_s",
    "macs_total",
    "mac_utilization",
    "tops",
    "dram_bytes",
    "dram_gbps",
    "dram_peak_fraction",
    "arithmetic_intensity",
    "ridge_point",
    "attainable_macs_per_cycle",
    "achieved_macs_per_cycle",
    "attainable_fraction",
    "bound",
    "limiter",
    "limiter_share",
};
const char* const kTailColumns[] = {
    "energy_mac_pj",    "energy_spad_pj",  "energy_acc_pj", "energy_dram_pj", "energy_ppu_pj",
    "energy_static_pj", "energy_total_pj", "checked",       "bit_exact",      "mismatches",
};

std::string number(double v) {
    char buf[64];
    // Shortest representation that parses back to exactly v.
    const auto res = std::to_chars(buf, buf + sizeof(buf), v);
    return std::string(buf, res.ptr);
}

std::string number(uint64_t v) { return std::to_string(v); }

const char* boolean(bool b) { return b ? "true" : "false"; }

void write_row(std::ostream& out, const std::vector<std::string>& fields) {
    for (std::size_t i = 0; i < fields.size(); ++i) {
        if (i > 0) out << ',';
        out << csv_field(fields[i]);
    }
    out << '\n';
}

}  // namespace

std::vector<std::string> layers_csv_header() {
    std::vector<std::string> h(std::begin(kLeadColumns), std::end(kLeadColumns));
    for (const auto& f : counter_fields()) h.emplace_back(f.name);
    h.insert(h.end(), std::begin(kTailColumns), std::end(kTailColumns));
    return h;
}

std::string csv_field(std::string_view text) {
    if (text.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(text);
    std::string q = "\"";
    for (char ch : text) {
        if (ch == '"') q += '"';
        q += ch;
    }
    q += '"';
    return q;
}

void write_layers_csv(std::ostream& out, const stats::RunStats& run, const cfg::HwConfig& hw) {
    const Peaks peaks = peaks_of(run, hw);
    write_row(out, layers_csv_header());
    for (std::size_t i = 0; i < run.layers.size(); ++i) {
        const stats::LayerStats& l = run.layers[i];
        const Figures f = layer_figures(l, peaks, hw.energy);
        std::vector<std::string> row = {
            number(static_cast<uint64_t>(i)),
            l.name,
            l.op,
            l.shape,
            l.mapping,
            l.residency,
            number(l.start_cycle),
            number(l.end_cycle),
            number(f.cycles),
            number(l.exclusive_cycles),
            number(l.overlapped_cycles),
            number(f.time_s),
            number(f.macs),
            number(f.mac_utilization),
            number(f.tops),
            number(f.dram_bytes),
            number(f.dram_gbps),
            number(f.dram_peak_fraction),
            number(f.arithmetic_intensity),
            number(f.ridge_point),
            number(f.attainable_macs_per_cycle),
            number(f.achieved_macs_per_cycle),
            number(f.attainable_fraction),
            to_string(f.bound),
            limiter_name(l.limiters),
            number(limiter_share(l.limiters)),
        };
        for (const auto& cf : counter_fields()) row.push_back(number(l.counters.*cf.member));
        row.push_back(number(f.energy.mac_pj));
        row.push_back(number(f.energy.spad_pj));
        row.push_back(number(f.energy.acc_pj));
        row.push_back(number(f.energy.dram_pj));
        row.push_back(number(f.energy.ppu_pj));
        row.push_back(number(f.energy.static_pj));
        row.push_back(number(f.energy.total_pj()));
        row.emplace_back(boolean(l.checked));
        row.emplace_back(boolean(l.checked && l.bit_exact));
        row.push_back(number(l.mismatches));
        write_row(out, row);
    }
}

void write_layers_csv(const std::string& path, const stats::RunStats& run,
                      const cfg::HwConfig& hw) {
    std::ostringstream out;
    write_layers_csv(out, run, hw);
    write_file_atomic(path, out.str());
}

}  // namespace npu::report

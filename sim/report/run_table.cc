#include "sim/report/run_table.h"

#include <algorithm>
#include <vector>

#include "sim/core/types.h"
#include "sim/core/units.h"
#include "sim/report/dram_figures.h"
#include "sim/report/figures.h"
#include "sim/report/format.h"
#include "sim/report/stats_json.h"

namespace npu::report {

namespace {

constexpr const char* kIndent = "  ";

struct Column {
    std::string head;
    bool right = true;          // numbers right-aligned, text left-aligned
    std::size_t max_width = 0;  // 0: no limit; longer cells are cut and end in '~'
};

std::string fit(const std::string& s, std::size_t max_width) {
    if (max_width == 0 || s.size() <= max_width) return s;
    return s.substr(0, max_width - 1) + "~";
}

// Prints a titled table; the last row is the TOTAL row, set off by a rule.
void print_table(std::ostream& out, const std::string& title, const std::vector<Column>& cols,
                 std::vector<std::vector<std::string>> rows) {
    std::vector<std::size_t> width(cols.size());
    for (std::size_t c = 0; c < cols.size(); ++c) width[c] = cols[c].head.size();
    for (auto& row : rows) {
        for (std::size_t c = 0; c < cols.size(); ++c) {
            row[c] = fit(row[c], cols[c].max_width);
            width[c] = std::max(width[c], row[c].size());
        }
    }
    auto line = [&](const std::vector<std::string>& cells) {
        std::string s = kIndent;
        for (std::size_t c = 0; c < cols.size(); ++c) {
            if (c > 0) s += "  ";
            const std::string pad(width[c] - cells[c].size(), ' ');
            s += cols[c].right ? pad + cells[c] : cells[c] + pad;
        }
        while (!s.empty() && s.back() == ' ') s.pop_back();
        out << s << '\n';
    };
    std::vector<std::string> heads;
    for (const auto& c : cols) heads.push_back(c.head);
    std::size_t rule = 0;
    for (std::size_t c = 0; c < cols.size(); ++c) rule += width[c] + (c > 0 ? 2 : 0);

    out << '\n' << title << '\n';
    line(heads);
    out << kIndent << std::string(rule, '-') << '\n';
    for (std::size_t r = 0; r < rows.size(); ++r) {
        if (r + 1 == rows.size() && r > 0) out << kIndent << std::string(rule, '-') << '\n';
        line(rows[r]);
    }
}

std::string total_bit_exact_cell(const CheckSummary& s) {
    if (s.checked == 0) return "-";
    if (s.bit_exact == s.checked && s.mismatches == 0) return "yes";
    return "NO (" + with_commas(s.mismatches) + " mismatches)";
}

double share(uint64_t part, uint64_t whole) {
    return whole > 0 ? static_cast<double>(part) / static_cast<double>(whole) : 0.0;
}

// A row's arithmetic intensity for people: "inf" when it does MACs without touching DRAM (the
// JSON writes 0 there), "-" when it does neither.
std::string intensity_cell(const Figures& f) {
    if (f.macs > 0 && f.dram_bytes == 0) return "inf";
    if (f.bound == Bound::kNone) return "-";
    return fixed(f.arithmetic_intensity, 2);
}

void print_header(std::ostream& out, const stats::RunStats& run, const cfg::HwConfig& hw,
                  const Peaks& peaks, const Figures& total) {
    auto item = [&](const char* key, const std::string& value) {
        std::string k = key;
        k.resize(10, ' ');
        out << kIndent << k << value << '\n';
    };
    out << kToolName << ' ' << kToolVersion << " run report\n";
    item("config", run.config_name.empty() ? hw.name : run.config_name);
    item("workload", run.workload_name.empty() ? "-" : run.workload_name);
    item("fidelity", run.fidelity.empty() ? "-" : run.fidelity);
    item("mode",
         run.functional ? "functional (outputs computed)" : "timing-only (outputs not computed)");
    if (!run.note.empty()) item("note", run.note);
    {
        std::string p = run.precision;
        if (run.cycles_per_mac > 1) {
            p += " (" + std::to_string(run.cycles_per_mac) + " cycles per MAC: peak " +
                 with_commas(peaks.macs_per_cycle / uint64_t(run.cycles_per_mac)) + " MACs/cycle)";
        }
        for (const auto& l : run.layers) {
            if (l.precision != run.precision) {
                p += "; mixed: see the layers' precision column";
                break;
            }
        }
        item("precision", p);
    }
    item("clock", human_frequency(peaks.clock_hz));
    item("array", std::to_string(hw.array.rows) + "x" + std::to_string(hw.array.cols) + " " +
                      to_string(hw.array.dataflow) + " (" + to_string(hw.array.pipelining) +
                      " pipelining), peak " + with_commas(peaks.macs_per_cycle) +
                      " MACs/cycle = " + fixed(peaks.tops(), 3) + " TOPS");
    item("DRAM", "peak " + fixed(peaks.dram_bytes_per_cycle, 2) +
                     " B/cycle = " + fixed(peaks.dram_gbps(), 2) + " GB/s; roofline ridge point " +
                     fixed(peaks.ridge_point(), 2) + " MACs/byte");
    item("energy", "table '" + hw.energy.name + "'");
    if (!run.cores.empty()) {
        // Several cores: the peak above is theirs together; each core's utilization is of its
        // own array over the run's cycles.
        const auto n = static_cast<uint64_t>(run.cores.size());
        item("cores", std::to_string(n) + " (each the array and SRAMs above, peak " +
                          with_commas(peaks.macs_per_cycle / n) +
                          " MACs/cycle), sharing the DRAM; partition " + run.partition);
        for (std::size_t c = 0; c < run.cores.size(); ++c) {
            const stats::CoreStats& cs = run.cores[c];
            const double slots =
                static_cast<double>(peaks.macs_per_cycle / n) * static_cast<double>(total.cycles);
            std::string v = "core " + std::to_string(c) + ": ";
            // Channel, spatial: every core runs every image, its share of each layer's channels
            // or rows.
            const std::string share = !run.core_share.empty()
                                          ? run.core_share
                                          : "images " + std::to_string(cs.first_image) + ".." +
                                                std::to_string(cs.first_image + cs.images - 1);
            if (run.partition == "pipeline") {
                const std::string names =
                    cs.layers == 0
                        ? std::string()
                        : " ('" + run.layers.at(size_t(cs.first_layer)).name + "' .. '" +
                              run.layers.at(size_t(cs.first_layer + cs.layers - 1)).name + "')";
                v += cs.layers == 0
                         ? std::string("idle (no layer: more cores than layers)")
                         : "layers " + std::to_string(cs.first_layer) + ".." +
                               std::to_string(cs.first_layer + cs.layers - 1) + names +
                               " for every image, ends at cycle " + with_commas(cs.end_cycle) +
                               ", utilization " +
                               percent(slots > 0 ? static_cast<double>(cs.macs) / slots : 0.0);
                item("", v);
                continue;
            }
            v += cs.images == 0
                     ? std::string("idle (no image)")
                     : share + ", ends at cycle " + with_commas(cs.end_cycle) + ", utilization " +
                           percent(slots > 0 ? static_cast<double>(cs.macs) / slots : 0.0);
            item("", v);
        }
    }
    if (run.batch <= 1) {
        item("latency", human_time(total.time_s) + " (" + with_commas(total.cycles) +
                            " cycles) = " + human_rate(inferences_per_second(total.time_s)) +
                            " inferences/s");
        return;
    }
    // A batch: the run's figures are the batch's; per inference, they divide by it.
    const double n = run.batch;
    item("batch", std::to_string(run.batch) + " images; latency " + human_time(total.time_s) +
                      " (" + with_commas(total.cycles) + " cycles) for the batch = " +
                      human_rate(inferences_per_second(total.time_s, run.batch)) + " inferences/s");
    item("per image",
         human_time(total.time_s / n) + " (" + fixed(static_cast<double>(total.cycles) / n, 1) +
             " cycles), " + microjoules(total.energy.total_pj() / n) + " uJ, DRAM " +
             with_commas(static_cast<uint64_t>(
                 static_cast<double>(run.total.dram_read_bytes + run.total.dram_write_bytes) / n)) +
             " B");
}

// The limiters table's head for a cause (at most 7 columns, so 8 causes fit in 120).
const char* short_head(stats::Limiter l) {
    switch (l) {
        case stats::Limiter::kCompute:
            return "compute";
        case stats::Limiter::kFillPreload:
            return "fill";
        case stats::Limiter::kVectorPpu:
            return "vec/ppu";
        case stats::Limiter::kBankConflict:
            return "banks";
        case stats::Limiter::kDramBandwidth:
            return "dram-bw";
        case stats::Limiter::kDmaLatency:
            return "dma-lat";
        case stats::Limiter::kDmaIssue:
            return "dma-iss";
        case stats::Limiter::kDependency:
            break;
    }
    return "deps";
}

// Every layer's cycles by what limited them (sim/stats/limiters.h): the cause with the most and
// every cause's share; a row's shares add up to 100%. Only the causes some layer has appear.
void print_limiters(std::ostream& out, const stats::RunStats& run) {
    std::vector<stats::Limiter> causes;
    for (size_t i = 0; i < stats::kLimiters; ++i) {
        if (run.limiters.cycles[i] > 0) causes.push_back(static_cast<stats::Limiter>(i));
    }
    if (causes.empty()) return;
    std::vector<Column> columns{{"layer", false, 18}, {"limited by", false, 18}};
    for (stats::Limiter l : causes) columns.push_back({short_head(l), true, 0});
    std::vector<std::vector<std::string>> rows;
    const auto add = [&](const std::string& name, const stats::LimiterCycles& c) {
        std::vector<std::string> cells{name, limiter_cell(c)};
        for (stats::Limiter l : causes) {
            cells.push_back(c.at(l) == 0 ? "-" : percent(share(c.at(l), c.total())));
        }
        rows.push_back(std::move(cells));
    };
    for (const auto& l : run.layers) add(l.name, l.limiters);
    add("TOTAL", run.limiters);
    print_table(out,
                "limiters (measured: each cycle of a row counts once, for the first cause in "
                "progress)",
                columns, rows);
    for (stats::Limiter l : causes) {
        std::string head = short_head(l);
        head.resize(8, ' ');
        out << kIndent << head << "= " << stats::to_string(l) << ": " << stats::meaning(l) << '\n';
    }
}

void print_stalls(std::ostream& out, const stats::RunStats& run) {
    const stats::Counters& c = run.total;
    const uint64_t cycles = run.total_cycles;
    out << "\nstalls (cycles, and share of the run's " << with_commas(cycles) << " cycles)\n";
    bool overlapping = false;
    auto row = [&](const char* what, uint64_t n, const std::string& extra = std::string()) {
        std::string s = std::string(kIndent) + what;
        s.resize(54, ' ');
        std::string num = with_commas(n);
        s += std::string(num.size() < 14 ? 14 - num.size() : 0, ' ') + num;
        // A count summed over concurrent waiters (DMA channels, bank requests) can exceed the
        // run: a share over 100% would mislead, so the row says what it is instead.
        std::string pct = n > cycles ? "overlapping" : percent(share(n, cycles));
        overlapping = overlapping || n > cycles;
        s += std::string(pct.size() < 9 ? 9 - pct.size() : 2, ' ') + pct;
        out << s << extra << '\n';
    };
    row("array busy (at least one tile in flight)", c.array_busy_cycles);
    row("compute waiting for operands (load)", c.compute_wait_load_cycles);
    row("compute waiting for a free accumulator (store)", c.compute_wait_store_cycles);
    row("load waiting for a free scratchpad buffer", c.load_wait_compute_cycles);
    row("store waiting for results (compute)", c.store_wait_compute_cycles);
    row("controller blocked on a full engine queue", c.dispatch_queue_full_cycles);
    row("scratchpad bank-conflict waits", c.spad_bank_conflict_cycles,
        "  (" + with_commas(c.spad_bank_conflicts) + " requests)");
    row("accumulator bank-conflict waits", c.acc_bank_conflict_cycles,
        "  (" + with_commas(c.acc_bank_conflicts) + " requests)");
    if (overlapping) {
        out << kIndent
            << "overlapping: the waits of concurrent requests summed, more cycles than the run "
               "has\n";
    }
}

// Every layer's span, its exclusive and its overlapped cycles (stats.h LayerStats).
void print_spans(std::ostream& out, const stats::RunStats& run) {
    std::vector<std::vector<std::string>> rows;
    uint64_t exclusive = 0, overlapped = 0, waited = 0;
    // compiler.overlap full: each layer's waits in the dependency table.
    const bool hazards = !run.layers.empty() && run.layers.front().hazard_wait_cycles;
    for (const stats::LayerStats& l : run.layers) {
        rows.push_back({l.name, with_commas(l.start_cycle), with_commas(l.end_cycle),
                        with_commas(l.cycles()), with_commas(l.exclusive_cycles),
                        with_commas(l.overlapped_cycles)});
        if (hazards) rows.back().push_back(with_commas(l.hazard_wait_cycles.value_or(0)));
        exclusive += l.exclusive_cycles;
        overlapped += l.overlapped_cycles;
        waited += l.hazard_wait_cycles.value_or(0);
    }
    rows.push_back({"TOTAL", "0", with_commas(run.total_cycles), with_commas(run.total_cycles),
                    with_commas(exclusive), with_commas(overlapped)});
    if (hazards) rows.back().push_back(with_commas(waited));
    std::vector<Column> columns = {{"layer", false, 18},   {"start", true, 0},
                                   {"end", true, 0},       {"span", true, 0},
                                   {"exclusive", true, 0}, {"overlapped", true, 0}};
    if (hazards) columns.push_back({"hazard waits", true, 0});
    print_table(out,
                "layer spans (exclusive cycles sum to the run's " + with_commas(run.total_cycles) +
                    "; spans overlap by the overlapped cycles)",
                columns, rows);
    out << kIndent << "span = end - start (the performance table's cycles); exclusive = end - the "
        << "previous layer's end\n"
        << kIndent << "(the first: end); overlapped = the span's cycles before the previous "
        << "layer's end (compiler.overlap)\n";
    if (hazards) {
        out << kIndent << "hazard waits = cycles the layer's instructions waited for conflicting "
            << "ones of earlier layers\n"
            << kIndent << "(compiler.overlap full: the dependency table, summed over engines)\n";
    }
}

// The fusion groups and the bytes they saved (compiler.fusion; nothing without a group).
void print_fusion(std::ostream& out, const stats::RunStats& run) {
    const std::vector<FusionGroupFigures> groups = fusion_groups(run);
    if (groups.empty()) return;
    std::vector<std::vector<std::string>> rows;
    int64_t dram = 0, onchip = 0;
    const auto bytes = [](int64_t b) {
        return b < 0 ? "-" + with_commas(uint64_t(-b)) : with_commas(uint64_t(b));
    };
    for (const FusionGroupFigures& g : groups) {
        std::string names;
        for (const std::string& n : g.layers) names += (names.empty() ? "" : " > ") + n;
        rows.push_back({names, bytes(g.dram_bytes_saved), bytes(g.onchip_bytes_saved)});
        dram += g.dram_bytes_saved;
        onchip += g.onchip_bytes_saved;
    }
    rows.push_back(
        {"TOTAL (" + std::to_string(groups.size()) + " groups)", bytes(dram), bytes(onchip)});
    print_table(out, "fusion groups (intermediates kept on chip, written and read in place)",
                {{"layers", false, 80}, {"DRAM B saved", true, 0}, {"on-chip B saved", true, 0}},
                rows);
    out << kIndent << "saved: the bytes the compiler's estimate moves less than without the group "
        << "(DRAM; on-chip: copies through\n"
        << kIndent << "the scratchpad window); `npusim compile` says why other layers were not "
        << "fused\n";
}

}  // namespace

std::string bit_exact_cell(const stats::LayerStats& layer) {
    if (!layer.checked) return "-";
    if (layer.bit_exact) return "yes";
    return "NO (" + with_commas(layer.mismatches) + " mismatches)";
}

std::string outputs_verdict(const stats::RunStats& run) {
    const CheckSummary s = check_summary(run);
    if (!run.functional) return "outputs: not checked (timing-only run)";
    if (s.checked == 0) return "outputs: not checked against the reference";
    std::vector<const stats::LayerStats*> bad;
    for (const auto& l : run.layers) {
        if (l.checked && !l.bit_exact) bad.push_back(&l);
    }
    if (bad.empty()) {
        std::string v = "outputs: bit-exact against the reference (" + std::to_string(s.checked);
        v += s.checked == 1 ? " layer" : " layers";
        if (s.checked < s.layers) v += " of " + std::to_string(s.layers) + " checked";
        return v + ")";
    }
    std::string v = "outputs: MISMATCH in layer";
    v += bad.size() == 1 ? " " : "s ";
    for (std::size_t i = 0; i < bad.size(); ++i) {
        if (i > 0) v += ", ";
        v += bad[i]->name + " (" + with_commas(bad[i]->mismatches) + ")";
    }
    return v + "; " + with_commas(s.mismatches) + " mismatching outputs in total";
}

// The banked DRAM's table (dram.model: banked): how requests found their rows, the commands,
// queues, latency, bus utilization and the IDD energy, per layer.
void print_dram(std::ostream& out, const stats::RunStats& run, const cfg::HwConfig& hw) {
    if (!dram_figures(run, hw, nullptr, run.total_cycles)) return;
    std::vector<std::vector<std::string>> rows;
    auto row = [&](const std::string& name, const DramFigures& f) {
        rows.push_back({name, with_commas(f.bursts), percent(f.row_hit_rate),
                        with_commas(f.row_misses), with_commas(f.row_conflicts),
                        with_commas(f.activates), with_commas(f.refreshes),
                        fixed(f.read_queue_occupancy, 1), fixed(f.write_queue_occupancy, 1),
                        fixed(f.average_latency, 1), percent(f.bandwidth_utilization),
                        f.energy ? microjoules(f.energy->total_pj()) : "-"});
    };
    for (size_t i = 0; i < run.layers.size(); ++i) {
        row(run.layers[i].name, *dram_figures(run, hw, &i, run.layers[i].cycles()));
    }
    row("TOTAL", *dram_figures(run, hw, nullptr, run.total_cycles));
    const cfg::DramConfig& d = hw.dram;
    print_table(out,
                "DRAM (banked: " + d.name + ", " + std::to_string(d.channels) + " channel" +
                    (d.channels == 1 ? "" : "s") + " x " + std::to_string(d.ranks) + " rank" +
                    (d.ranks == 1 ? "" : "s") + ", " + cfg::to_string(d.page_policy) + " page, " +
                    fixed(d.peak_bytes_per_s() / 1e9, 1) + " GB/s peak at " +
                    human_frequency(d.clock_hz) + ")",
                {{"layer", false, 18},
                 {"bursts", true, 0},
                 {"hit rate", true, 0},
                 {"misses", true, 0},
                 {"conflicts", true, 0},
                 {"ACT", true, 0},
                 {"REF", true, 0},
                 {"rd queue", true, 0},
                 {"wr queue", true, 0},
                 {"latency", true, 0},
                 {"bus util", true, 0},
                 {"IDD uJ", true, 0}},
                rows);
    out << kIndent << "bursts = DRAM bursts; rd/wr queue = average bursts waiting (Little's law); "
        << "latency = NPU cycles per request\n"
        << kIndent << "bus util = data bus busy / time; IDD uJ = activate + read + write + "
        << "refresh + background (docs/dram.md), the DRAM column above\n";
}

// The shared L2's table (runs with an L2 only): per layer and in total, its lines found and
// missed, hit rate, write-backs, data-array bytes and their energy.
void print_l2(std::ostream& out, const stats::RunStats& run, const cfg::HwConfig& hw) {
    if (!run.l2) return;
    std::vector<std::vector<std::string>> rows;
    auto row = [&](const std::string& name, const stats::L2Counts& c) {
        rows.push_back({name, with_commas(c.hits), with_commas(c.misses), percent(c.hit_rate()),
                        with_commas(c.writebacks), human_bytes(c.bytes),
                        microjoules(energy::price_l2(c, hw.energy))});
    };
    for (const auto& l : run.layers) row(l.name, l.l2.value_or(stats::L2Counts{}));
    row("TOTAL", *run.l2);
    print_table(out, "L2",
                {{"layer", false, 18},
                 {"hits", true, 0},
                 {"misses", true, 0},
                 {"hit rate", true, 0},
                 {"writebacks", true, 0},
                 {"bytes", true, 0},
                 {"uJ", true, 0}},
                rows);
    out << kIndent << "hits, misses = lines of requests found / not found in the shared L2 ("
        << units::format_size(hw.l2.size_bytes) << ")\n"
        << kIndent << "bytes = served + filled + written back, at "
        << fixed(hw.energy.l2_pj_per_byte, 2) << " pJ/byte (in the energy table's total)\n";
}

void print_run_table(std::ostream& out, const stats::RunStats& run, const cfg::HwConfig& hw) {
    const Peaks peaks = peaks_of(run, hw);
    const cfg::EnergyTable& table = hw.energy;
    const Figures total = total_figures(run, peaks, table);
    print_header(out, run, hw, peaks, total);

    struct Row {
        std::string name, op, shape, residency, bit_exact;
        const stats::Counters* counters;
        const stats::LimiterCycles* limiters;
        Figures fig;
    };
    std::vector<Row> rows;
    for (const auto& l : run.layers) {
        rows.push_back({l.name, l.op, l.shape, l.residency.empty() ? "-" : l.residency,
                        bit_exact_cell(l), &l.counters, &l.limiters,
                        layer_figures(l, peaks, table)});
    }
    rows.push_back({"TOTAL", "", "", "", total_bit_exact_cell(check_summary(run)), &run.total,
                    &run.limiters, total});

    // Widths: layer 18 + op 7 + shape 31 + numbers; about 100 columns at realistic sizes. Time
    // and TOPS live in the energy table so the roofline columns fit in 120.
    bool mixed = false;
    for (const auto& l : run.layers) mixed = mixed || l.precision != run.precision;
    std::vector<std::vector<std::string>> perf;
    for (size_t i = 0; i < rows.size(); ++i) {
        const Row& r = rows[i];
        std::vector<std::string> cells{r.name, r.op, r.shape};
        if (mixed) cells.push_back(i < run.layers.size() ? run.layers[i].precision : "");
        for (std::string c :
             {with_commas(r.fig.macs), with_commas(r.fig.cycles), percent(r.fig.mac_utilization),
              intensity_cell(r.fig), std::string(to_string(r.fig.bound))}) {
            cells.push_back(std::move(c));
        }
        perf.push_back(std::move(cells));
    }
    std::vector<Column> columns{{"layer", false, 18}, {"op", false, 7}, {"shape", false, 31}};
    if (mixed) columns.push_back({"prec", false, 0});
    for (Column c : std::initializer_list<Column>{{"MACs", true, 0},
                                                  {"cycles", true, 0},
                                                  {"util", true, 0},
                                                  {"MACs/B", true, 0},
                                                  {"roofline", false, 0}}) {
        columns.push_back(c);
    }
    print_table(out, "performance", columns, perf);
    out << kIndent << "util = MACs / (cycles x " << with_commas(peaks.macs_per_cycle)
        << " MACs/cycle / cycles per MAC); MACs/B = MACs per DRAM byte (read + written)\n";
    out << kIndent << "roofline = compute if MACs/B >= the ridge point "
        << fixed(peaks.ridge_point(), 2) << " (" << with_commas(peaks.macs_per_cycle)
        << " MACs/cycle / " << fixed(peaks.dram_bytes_per_cycle, 2) << " B/cycle), else memory\n";
    out << kIndent
        << "(a classification from the counts; what limited each row, measured: table "
           "'limiters')\n";
    print_limiters(out, run);

    std::vector<std::vector<std::string>> mem;
    for (const auto& r : rows) {
        const stats::Counters& c = *r.counters;
        mem.push_back(
            {r.name, r.residency, human_bytes(c.dram_read_bytes), human_bytes(c.dram_write_bytes),
             fixed(r.fig.dram_gbps, 2), percent(r.fig.dram_peak_fraction),
             human_bytes(c.spad_read_bytes + c.acc_read_bytes),
             human_bytes(c.spad_write_bytes + c.acc_write_bytes),
             with_commas(c.spad_bank_conflicts) + " / " + with_commas(c.acc_bank_conflicts)});
    }
    // Both conflict counts share one column so the residency fits in 120 columns.
    print_table(out, "memory",
                {{"layer", false, 18},
                 {"residency", false, 12},
                 {"DRAM read", true, 0},
                 {"DRAM write", true, 0},
                 {"DRAM GB/s", true, 0},
                 {"% peak", true, 0},
                 {"SRAM read", true, 0},
                 {"SRAM write", true, 0},
                 {"bank conflicts", true, 0}},
                mem);
    out << kIndent << "SRAM = scratchpad + accumulator; bank conflicts = scratchpad / accumulator "
        << "requests that found their bank port busy\n";

    std::vector<std::vector<std::string>> en;
    for (const auto& r : rows) {
        const energy::EnergyBreakdown& e = r.fig.energy;
        en.push_back({r.name, human_time(r.fig.time_s), fixed(r.fig.tops, 3), microjoules(e.mac_pj),
                      microjoules(e.sram_pj()), microjoules(e.dram_pj), microjoules(e.ppu_pj),
                      microjoules(e.static_pj), microjoules(e.total_pj()), r.bit_exact});
    }
    print_table(out, "time, energy (uJ) and outputs",
                {{"layer", false, 15},
                 {"time", true, 0},
                 {"TOPS*", true, 0},
                 {"MAC", true, 0},
                 {"SRAM", true, 0},
                 {"DRAM", true, 0},
                 {"PPU", true, 0},
                 {"static", true, 0},
                 {"total", true, 0},
                 {"bit-exact", false, 0}},
                en);
    out << kIndent
        << "* TOPS = 2 ops per MAC x MACs / time / 1e12; static = " << fixed(table.static_mw, 3)
        << " mW over each row's cycles (TOTAL: the run's cycles)\n";

    print_spans(out, run);
    print_fusion(out, run);
    print_dram(out, run, hw);
    print_l2(out, run, hw);
    print_stalls(out, run);
    out << '\n' << outputs_verdict(run) << '\n';
}

}  // namespace npu::report

// Roofline figures (intensity, ridge, attainable rate, bound), residency and inferences per second:
// computed once in figures.cc, the same in stats.json, layers.csv and the printed table.
#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

#include "sim/report/figures.h"
#include "sim/report/layers_csv.h"
#include "sim/report/stats_json.h"

namespace npu::report {
namespace {

using nlohmann::json;

stats::LayerStats layer(const std::string& name, uint64_t macs, uint64_t read, uint64_t write,
                        uint64_t start, uint64_t end) {
    stats::LayerStats l;
    l.name = name;
    l.op = macs > 0 ? "gemm" : "maxpool";
    l.macs_total = macs;
    l.counters.macs = macs;
    l.counters.dram_read_bytes = read;
    l.counters.dram_write_bytes = write;
    l.start_cycle = start;
    l.end_cycle = end;
    return l;
}

// Peak 256 MACs/cycle, DRAM 16 B/cycle: ridge point 256 / 16 = 16 MACs per byte.
stats::RunStats roofline_run() {
    stats::RunStats run;
    run.clock_hz = 1e9;
    run.peak_macs_per_cycle = 256;
    run.dram_peak_bytes_per_cycle = 16;
    run.layers = {
        // 65536 MACs / 8192 B = 8 < 16: memory-bound, roof 8 * 16 = 128 MACs/cycle;
        // achieved 65536 / 1024 cycles = 64 MACs/cycle = 0.5 of the roof.
        layer("mem", 65536, 6144, 2048, 0, 1024),
        // 262144 / 8192 = 32 >= 16: compute-bound, roof 256; 262144 / 1280 = 204.8 = 0.8 of it.
        layer("cmp", 262144, 4096, 4096, 1024, 2304),
        // Exactly at the ridge (16384 / 1024 = 16) counts as compute-bound; 16384 / 128 = 128.
        layer("ridge", 16384, 1024, 0, 2304, 2432),
        // Pooling: no MACs but DRAM traffic: memory-bound, roof 0.
        layer("pool", 0, 4096, 0, 2432, 2688),
        // MACs without DRAM traffic: infinite intensity (written 0), compute, roof 256;
        // 4096 / 32 = 128 = 0.5 of it.
        layer("onchip", 4096, 0, 0, 2688, 2720),
        // Neither: no bound.
        layer("empty", 0, 0, 0, 2720, 2720),
    };
    run.layers[4].residency = "on-chip";
    run.layers[0].residency = "dram";
    run.total_cycles = 5000;
    for (const auto& l : run.layers) run.total += l.counters;
    return run;
}

Peaks peaks() { return peaks_of(roofline_run(), cfg::HwConfig{}); }

TEST(ReportRoofline, RidgePointOfThePeaks) {
    EXPECT_EQ(peaks().ridge_point(), 16.0);  // 256 / 16
    Peaks p = peaks();
    p.dram_bytes_per_cycle = 0;
    EXPECT_EQ(p.ridge_point(), 0.0);  // a 0 denominator gives 0, never inf
    EXPECT_STREQ(to_string(Bound::kCompute), "compute");
    EXPECT_STREQ(to_string(Bound::kMemory), "memory");
    EXPECT_STREQ(to_string(Bound::kNone), "-");
}

TEST(ReportRoofline, LayerFiguresCoverEveryCase) {
    const stats::RunStats run = roofline_run();
    const Peaks p = peaks();
    const cfg::EnergyTable table;
    struct Expect {
        double intensity, attainable, achieved, fraction;
        Bound bound;
    };
    const std::vector<Expect> expect = {
        {8.0, 128.0, 64.0, 0.5, Bound::kMemory},     // mem
        {32.0, 256.0, 204.8, 0.8, Bound::kCompute},  // cmp
        {16.0, 256.0, 128.0, 0.5, Bound::kCompute},  // ridge
        {0.0, 0.0, 0.0, 0.0, Bound::kMemory},        // pool
        {0.0, 256.0, 128.0, 0.5, Bound::kCompute},   // onchip
        {0.0, 0.0, 0.0, 0.0, Bound::kNone},          // empty
    };
    ASSERT_EQ(run.layers.size(), expect.size());
    for (std::size_t i = 0; i < expect.size(); ++i) {
        const Figures f = layer_figures(run.layers[i], p, table);
        const std::string& n = run.layers[i].name;
        EXPECT_DOUBLE_EQ(f.arithmetic_intensity, expect[i].intensity) << n;
        EXPECT_EQ(f.ridge_point, 16.0) << n;
        EXPECT_DOUBLE_EQ(f.attainable_macs_per_cycle, expect[i].attainable) << n;
        EXPECT_DOUBLE_EQ(f.achieved_macs_per_cycle, expect[i].achieved) << n;
        EXPECT_DOUBLE_EQ(f.attainable_fraction, expect[i].fraction) << n;
        EXPECT_EQ(f.bound, expect[i].bound) << n;
    }
    // Memory-bound: the fraction of the roof equals the fraction of the DRAM peak,
    // 8192 B / (1024 cycles * 16 B/cycle) = 0.5.
    const Figures mem = layer_figures(run.layers[0], p, table);
    EXPECT_DOUBLE_EQ(mem.attainable_fraction, mem.dram_peak_fraction);
}

TEST(ReportRoofline, StaticEnergyIsChargedOverExclusiveCyclesSoLayersAddUpToTheRun) {
    cfg::EnergyTable table;
    table.static_mw = 100;  // 100 mW at 1 GHz: 0.1 W * 1e-9 s = 0.1 nJ = 100 pJ per cycle
    const Peaks p = peaks();
    // conv1 [0, 1000); fc's prefetch starts at 600, under conv1, and fc ends at 3000:
    // span 2400, exclusive 3000 - 1000 = 2000, overlapped 400.
    stats::LayerStats conv1 = layer("conv1", 0, 0, 0, 0, 1000);
    conv1.exclusive_cycles = 1000;
    stats::LayerStats fc = layer("fc", 0, 0, 0, 600, 3000);
    fc.exclusive_cycles = 2000;
    fc.overlapped_cycles = 400;
    const Figures a = layer_figures(conv1, p, table);
    const Figures b = layer_figures(fc, p, table);
    EXPECT_DOUBLE_EQ(a.energy.static_pj, 100.0 * 1000);
    EXPECT_DOUBLE_EQ(b.energy.static_pj, 100.0 * 2000);  // not 100 * 2400 (the span)
    EXPECT_EQ(b.cycles, 2400u);                          // the other figures: over the span
    stats::RunStats run;
    run.total_cycles = 3000;
    run.layers = {conv1, fc};
    EXPECT_DOUBLE_EQ(a.energy.static_pj + b.energy.static_pj,
                     total_figures(run, p, table).energy.static_pj);
    // Without overlap exclusive == span; stats without exclusive cycles use the span.
    fc.exclusive_cycles = 0;
    EXPECT_DOUBLE_EQ(layer_figures(fc, p, table).energy.static_pj, 100.0 * 2400);
}

TEST(ReportRoofline, EveryCoreLeaksStaticPower) {
    cfg::EnergyTable table;
    table.static_mw = 100;  // 100 pJ per cycle per core at 1 GHz
    stats::RunStats run;
    run.clock_hz = 1e9;
    run.total_cycles = 3000;
    stats::LayerStats conv1 = layer("conv1", 0, 0, 0, 0, 1000);
    conv1.exclusive_cycles = 1000;
    run.layers = {conv1};
    EXPECT_EQ(peaks_of(run, cfg::HwConfig{}).cores, 1);
    run.cores.resize(4);  // four cores: 4 * 100 pJ per cycle
    const Peaks p = peaks_of(run, cfg::HwConfig{});
    EXPECT_EQ(p.cores, 4);
    EXPECT_DOUBLE_EQ(layer_figures(conv1, p, table).energy.static_pj, 4 * 100.0 * 1000);
    EXPECT_DOUBLE_EQ(total_figures(run, p, table).energy.static_pj, 4 * 100.0 * 3000);
    conv1.start_cycle = 200;  // span 800 over exclusive 1000 still prices the exclusive cycles
    EXPECT_DOUBLE_EQ(layer_figures(conv1, p, table).energy.static_pj, 4 * 100.0 * 1000);
}

TEST(ReportRoofline, TotalsAndInferencesPerSecond) {
    const Figures t = total_figures(roofline_run(), peaks(), cfg::EnergyTable{});
    // MACs 65536 + 262144 + 16384 + 4096 = 348160; bytes 8192 + 8192 + 1024 + 4096 = 21504;
    // 348160 / 21504 = 16.19 >= 16: compute-bound; achieved 348160 / 5000 = 69.632 = 0.272 * 256.
    EXPECT_EQ(t.macs, 348160u);
    EXPECT_EQ(t.dram_bytes, 21504u);
    EXPECT_DOUBLE_EQ(t.arithmetic_intensity, 348160.0 / 21504.0);
    EXPECT_EQ(t.bound, Bound::kCompute);
    EXPECT_DOUBLE_EQ(t.attainable_macs_per_cycle, 256.0);
    EXPECT_DOUBLE_EQ(t.achieved_macs_per_cycle, 69.632);
    EXPECT_DOUBLE_EQ(t.attainable_fraction, 0.272);
    EXPECT_DOUBLE_EQ(inferences_per_second(t.time_s), 200000.0);  // 1 / (5000 / 1 GHz)
    EXPECT_EQ(inferences_per_second(0.0), 0.0);
}

TEST(ReportRoofline, StatsJsonHasRooflineResidencyAndRate) {
    const json j = json::parse(stats_to_json(roofline_run(), cfg::HwConfig{}).dump());
    EXPECT_EQ(j.at("schema_version"), 1);  // fields were added, none changed
    EXPECT_EQ(j.at("peak").at("ridge_point"), 16.0);
    const json& mem = j.at("layers").at(0);
    EXPECT_EQ(mem.at("residency"), "dram");
    EXPECT_EQ(mem.at("arithmetic_intensity"), 8.0);
    EXPECT_EQ(mem.at("ridge_point"), 16.0);
    EXPECT_EQ(mem.at("attainable_macs_per_cycle"), 128.0);
    EXPECT_EQ(mem.at("achieved_macs_per_cycle"), 64.0);
    EXPECT_EQ(mem.at("attainable_fraction"), 0.5);
    EXPECT_EQ(mem.at("bound"), "memory");
    EXPECT_EQ(j.at("layers").at(1).at("residency"), "");  // the compiler did not say
    EXPECT_EQ(j.at("layers").at(1).at("bound"), "compute");
    EXPECT_EQ(j.at("layers").at(3).at("bound"), "memory");
    const json& onchip = j.at("layers").at(4);
    EXPECT_EQ(onchip.at("residency"), "on-chip");
    EXPECT_EQ(onchip.at("arithmetic_intensity"), 0.0);  // infinite, written as 0
    EXPECT_EQ(onchip.at("bound"), "compute");
    EXPECT_EQ(onchip.at("attainable_macs_per_cycle"), 256.0);
    EXPECT_EQ(j.at("layers").at(5).at("bound"), "-");

    const json& t = j.at("totals");
    EXPECT_EQ(t.at("bound"), "compute");
    EXPECT_DOUBLE_EQ(t.at("arithmetic_intensity").get<double>(), 348160.0 / 21504.0);
    EXPECT_DOUBLE_EQ(t.at("attainable_fraction").get<double>(), 0.272);
    EXPECT_DOUBLE_EQ(t.at("time_s").get<double>(), 5e-6);                     // the latency
    EXPECT_DOUBLE_EQ(t.at("inferences_per_second").get<double>(), 200000.0);  // 1 / 5 us
    EXPECT_FALSE(t.contains("residency"));
}

TEST(ReportRoofline, LayersCsvHasTheSameColumns) {
    std::ostringstream out;
    write_layers_csv(out, roofline_run(), cfg::HwConfig{});
    std::vector<std::vector<std::string>> rows;
    std::istringstream in(out.str());
    for (std::string line; std::getline(in, line);) {
        std::vector<std::string> row;
        std::istringstream fields(line);
        for (std::string f; std::getline(fields, f, ',');) row.push_back(f);
        if (!line.empty() && line.back() == ',') row.emplace_back();
        rows.push_back(row);
    }
    ASSERT_EQ(rows.size(), 7u);  // header + 6 layers (no field here needs quoting)
    auto col = [&](std::size_t r, const std::string& name) {
        for (std::size_t c = 0; c < rows[0].size(); ++c) {
            if (rows[0][c] == name) return rows.at(r).at(c);
        }
        ADD_FAILURE() << "no column " << name;
        return std::string();
    };
    EXPECT_EQ(col(1, "residency"), "dram");
    EXPECT_EQ(col(1, "arithmetic_intensity"), "8");
    EXPECT_EQ(col(1, "ridge_point"), "16");
    EXPECT_EQ(col(1, "attainable_macs_per_cycle"), "128");
    EXPECT_EQ(col(1, "achieved_macs_per_cycle"), "64");
    EXPECT_EQ(col(1, "attainable_fraction"), "0.5");
    EXPECT_EQ(col(1, "bound"), "memory");
    EXPECT_EQ(col(2, "residency"), "");
    EXPECT_EQ(col(2, "achieved_macs_per_cycle"), "204.8");  // 262144 / 1280
    EXPECT_EQ(col(2, "bound"), "compute");
    EXPECT_EQ(col(5, "residency"), "on-chip");
    EXPECT_EQ(col(6, "bound"), "-");
}

}  // namespace
}  // namespace npu::report

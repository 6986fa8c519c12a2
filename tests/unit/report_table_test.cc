#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

#include "sim/report/format.h"
#include "sim/report/run_table.h"

namespace npu::report {
namespace {

stats::RunStats sample_run() {
    stats::RunStats run;
    run.config_name = "edge_npu";
    run.workload_name = "tiny_cnn";
    run.fidelity = "fast";
    run.functional = true;
    run.clock_hz = 1e9;
    run.peak_macs_per_cycle = 256;
    run.dram_peak_bytes_per_cycle = 16;

    stats::LayerStats a;
    a.name = "conv1";
    a.op = "conv2d";
    a.shape = "1x3x32x32 * 16x3x3x3";
    a.macs_total = 128000;
    a.start_cycle = 0;
    a.end_cycle = 1000;
    a.counters.macs = 128000;
    a.counters.dram_read_bytes = 1536;
    a.counters.dram_write_bytes = 1024;
    a.counters.spad_read_bytes = 3072;
    a.counters.acc_read_bytes = 1024;
    a.counters.spad_write_bytes = 2048;
    a.counters.acc_write_bytes = 3 * 1024 * 1024;
    a.counters.spad_bank_conflicts = 7;
    a.counters.acc_bank_conflicts = 2;
    a.counters.compute_wait_load_cycles = 300;
    a.checked = true;
    a.bit_exact = true;

    stats::LayerStats b;
    b.name = "fc";
    b.op = "gemm";
    b.shape = "1x256 * 256x256";
    b.macs_total = 65536;
    b.start_cycle = 1000;
    b.end_cycle = 3000;
    b.counters.macs = 65536;
    b.counters.compute_wait_load_cycles = 150;
    b.checked = true;
    b.bit_exact = false;
    b.mismatches = 3;

    run.layers = {a, b};
    run.total_cycles = 3000;
    run.total = a.counters;
    run.total += b.counters;
    return run;
}

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> lines;
    std::istringstream in(text);
    for (std::string l; std::getline(in, l);) lines.push_back(l);
    return lines;
}

// The rows whose first cell is `name`, in order: performance, memory, energy, spans.
std::vector<std::string> rows_named(const std::string& text, const std::string& name) {
    std::vector<std::string> out;
    for (const auto& l : lines_of(text)) {
        if (l.rfind("  " + name + " ", 0) == 0) out.push_back(l);
    }
    return out;
}

std::string print(const stats::RunStats& run) {
    std::ostringstream out;
    print_run_table(out, run, cfg::HwConfig{});
    return out.str();
}

bool has(const std::string& haystack, const std::string& needle) {
    return haystack.find(needle) != std::string::npos;
}

TEST(ReportFormat, HumanNumbers) {
    EXPECT_EQ(with_commas(0), "0");
    EXPECT_EQ(with_commas(999), "999");
    EXPECT_EQ(with_commas(1000), "1,000");
    EXPECT_EQ(with_commas(1234567), "1,234,567");
    EXPECT_EQ(human_bytes(512), "512 B");
    EXPECT_EQ(human_bytes(1536), "1.50 KiB");
    EXPECT_EQ(human_bytes(3u << 20), "3.00 MiB");
    EXPECT_EQ(human_bytes(5ull << 30), "5.00 GiB");
    EXPECT_EQ(human_time(1e-6), "1.000 us");
    EXPECT_EQ(human_time(2.5e-3), "2.500 ms");
    EXPECT_EQ(human_time(3.0), "3.000 s");
    EXPECT_EQ(human_frequency(1e9), "1 GHz");
    EXPECT_EQ(human_frequency(700e6), "700 MHz");
    EXPECT_EQ(human_frequency(1.5e9), "1.5 GHz");
    EXPECT_EQ(percent(0.5), "50.0%");
    EXPECT_EQ(microjoules(38400.0), "0.038");   // 38400 pJ = 0.0384 uJ
    EXPECT_EQ(microjoules(300.0), "3.00e-04");  // too small for 3 decimals
    EXPECT_EQ(microjoules(2.5e9), "2500.0");
    EXPECT_EQ(microjoules(0.0), "0.000");
}

TEST(ReportTable, HeaderDescribesTheRun) {
    const std::string text = print(sample_run());
    EXPECT_TRUE(has(text, "  config    edge_npu\n"));
    EXPECT_TRUE(has(text, "  workload  tiny_cnn\n"));
    EXPECT_TRUE(has(text, "  fidelity  fast\n"));
    EXPECT_TRUE(has(text, "  mode      functional (outputs computed)\n"));
    EXPECT_TRUE(has(text, "  clock     1 GHz\n"));
    EXPECT_TRUE(has(text, "16x16 ws (overlap pipelining), peak 256 MACs/cycle = 0.512 TOPS"));
    EXPECT_TRUE(has(text, "peak 16.00 B/cycle = 16.00 GB/s"));
}

TEST(ReportTable, PerformanceRowsHaveUtilizationAndTops) {
    const std::string text = print(sample_run());
    const auto conv = rows_named(text, "conv1");
    const auto fc = rows_named(text, "fc");
    const auto total = rows_named(text, "TOTAL");
    ASSERT_EQ(conv.size(), 4u) << text;  // performance, memory, energy, spans
    ASSERT_EQ(fc.size(), 4u);
    ASSERT_EQ(total.size(), 4u);
    EXPECT_TRUE(has(conv[0], "conv2d")) << conv[0];
    EXPECT_TRUE(has(conv[0], "1x3x32x32 * 16x3x3x3")) << conv[0];
    EXPECT_TRUE(has(conv[0], "128,000")) << conv[0];
    EXPECT_TRUE(has(conv[0], "1,000")) << conv[0];
    EXPECT_TRUE(has(conv[0], "50.0%")) << conv[0];      // 128000 / (1000 * 256)
    EXPECT_TRUE(has(fc[0], "12.8%")) << fc[0];          // 65536 / (2000 * 256)
    EXPECT_TRUE(has(total[0], "193,536")) << total[0];  // 128000 + 65536
    EXPECT_TRUE(has(total[0], "25.2%")) << total[0];    // 193536 / (3000 * 256)
    // Time and TOPS sit in the energy table (third row of each layer).
    EXPECT_TRUE(has(conv[2], "  1.000 us  0.256  ")) << conv[2];  // 2 * 128000 / 1 us / 1e12
    EXPECT_TRUE(has(fc[2], "  2.000 us  0.066  ")) << fc[2];      // 2 * 65536 / 2 us = 0.065536
    // 2 * 193536 / 3 us / 1e12 = 0.129024
    EXPECT_TRUE(has(total[2], "  3.000 us  0.129  ")) << total[2];
    EXPECT_TRUE(has(text, "TOPS = 2 ops per MAC"));
}

TEST(ReportTable, PerformanceRowsHaveIntensityAndBound) {
    const std::string text = print(sample_run());
    // Ridge point: 256 MACs/cycle / 16 B/cycle = 16 MACs/byte.
    // conv1: 128000 MACs / (1536 + 1024) B = 50 MACs/B >= 16: compute-bound.
    EXPECT_TRUE(has(rows_named(text, "conv1").at(0), "  50.0%   50.00  compute"))
        << rows_named(text, "conv1").at(0);
    // fc moves no DRAM bytes but does MACs: infinite intensity, compute-bound.
    EXPECT_TRUE(has(rows_named(text, "fc").at(0), "  12.8%     inf  compute"))
        << rows_named(text, "fc").at(0);
    // TOTAL: 193536 / 2560 = 75.6 MACs/B.
    EXPECT_TRUE(has(rows_named(text, "TOTAL").at(0), "  25.2%   75.60  compute"))
        << rows_named(text, "TOTAL").at(0);
    EXPECT_TRUE(has(text,
                    "  roofline = compute if MACs/B >= the ridge point 16.00 (256 MACs/cycle / "
                    "16.00 B/cycle), else memory\n"))
        << text;

    stats::RunStats run = sample_run();
    // fc now reads 65536 + 65536 B: 65536 / 131072 = 0.5 MACs/B < 16: memory-bound.
    run.layers[1].counters.dram_read_bytes = 131072;
    // A pooling layer: no MACs; it moves bytes, so memory-bound; a layer doing neither: "-".
    stats::LayerStats pool;
    pool.name = "pool";
    pool.op = "maxpool";
    pool.start_cycle = 3000;
    pool.end_cycle = 3100;
    pool.counters.dram_read_bytes = 4096;
    stats::LayerStats idle = pool;
    idle.name = "idle";
    idle.counters = stats::Counters{};
    run.layers.push_back(pool);
    run.layers.push_back(idle);
    const std::string text2 = print(run);
    EXPECT_TRUE(has(rows_named(text2, "fc").at(0), "  12.8%    0.50  memory"))
        << rows_named(text2, "fc").at(0);
    EXPECT_TRUE(has(rows_named(text2, "pool").at(0), "   0.00  memory"))
        << rows_named(text2, "pool").at(0);
    const std::string idle_row = rows_named(text2, "idle").at(0);
    EXPECT_EQ(idle_row.substr(idle_row.size() - 7), "   -  -") << idle_row;
}

TEST(ReportTable, HeaderHasLatencyInferencesAndRidge) {
    const std::string text = print(sample_run());
    // 3000 cycles at 1 GHz = 3 us; 1 / 3 us = 333,333.3 inferences/s.
    EXPECT_TRUE(has(text, "  latency   3.000 us (3,000 cycles) = 333,333 inferences/s\n")) << text;
    EXPECT_TRUE(has(text, "GB/s; roofline ridge point 16.00 MACs/byte\n")) << text;
    stats::RunStats run = sample_run();
    run.total_cycles = 0;
    EXPECT_TRUE(has(print(run), "  latency   0.000 us (0 cycles) = 0.000 inferences/s\n"));
}

TEST(ReportTable, MemoryRowsHaveBytesBandwidthAndConflicts) {
    const std::string text = print(sample_run());
    const std::string conv = rows_named(text, "conv1").at(1);
    EXPECT_TRUE(has(conv, "1.50 KiB")) << conv;  // DRAM read 1536 B
    EXPECT_TRUE(has(conv, "1.00 KiB")) << conv;  // DRAM write 1024 B
    EXPECT_TRUE(has(conv, "2.56")) << conv;      // 2560 B / 1 us = 2.56 GB/s
    EXPECT_TRUE(has(conv, "16.0%")) << conv;     // 2560 / (1000 cycles * 16 B/cycle)
    EXPECT_TRUE(has(conv, "4.00 KiB")) << conv;  // SRAM read 3072 + 1024
    EXPECT_TRUE(has(conv, "3.00 MiB")) << conv;  // SRAM write 2048 + 3 MiB = 3.002 MiB
    // spad / acc conflicts, the last column
    EXPECT_EQ(conv.substr(conv.size() - 7), "  7 / 2") << conv;
    EXPECT_EQ(conv.rfind("  conv1  -  ", 0), 0u) << conv;  // residency not given
}

TEST(ReportTable, MemoryRowsShowResidency) {
    stats::RunStats run = sample_run();
    run.layers[0].residency = "on-chip";
    run.layers[1].residency = "dram";
    const std::string text = print(run);
    EXPECT_EQ(rows_named(text, "conv1").at(1).rfind("  conv1  on-chip  ", 0), 0u) << text;
    EXPECT_EQ(rows_named(text, "fc").at(1).rfind("  fc     dram     ", 0), 0u) << text;
    EXPECT_EQ(rows_named(text, "TOTAL").at(1).rfind("  TOTAL           ", 0), 0u) << text;
}

TEST(ReportTable, EnergyRowsAndBitExactStatus) {
    const std::string text = print(sample_run());
    const std::string conv = rows_named(text, "conv1").at(2);
    // Default table: MAC 128000 * 0.3 pJ = 0.0384 uJ; DRAM 2560 B * 160 pJ = 0.4096 uJ;
    // static 50 mW * 1 us = 0.05 uJ.
    EXPECT_TRUE(has(conv, "0.038")) << conv;
    EXPECT_TRUE(has(conv, "0.410")) << conv;
    EXPECT_TRUE(has(conv, "0.050")) << conv;
    EXPECT_TRUE(has(conv, "yes")) << conv;
    EXPECT_TRUE(has(rows_named(text, "fc").at(2), "NO (3 mismatches)"));
    EXPECT_TRUE(has(rows_named(text, "TOTAL").at(2), "NO (3 mismatches)"));
}

TEST(ReportTable, StallSummaryAndVerdict) {
    const std::string text = print(sample_run());
    // 300 + 150 = 450 cycles of 3000 = 15.0%
    EXPECT_TRUE(has(text, "compute waiting for operands (load)")) << text;
    const auto lines = lines_of(text);
    bool found = false;
    for (const auto& l : lines) {
        if (has(l, "compute waiting for operands")) {
            found = true;
            EXPECT_TRUE(has(l, "450")) << l;
            EXPECT_TRUE(has(l, "15.0%")) << l;
        }
    }
    EXPECT_TRUE(found);
    EXPECT_EQ(lines.back(), "outputs: MISMATCH in layer fc (3); 3 mismatching outputs in total");
}

TEST(ReportTable, VerdictCases) {
    stats::RunStats run = sample_run();
    run.layers[1].bit_exact = true;
    run.layers[1].mismatches = 0;
    EXPECT_EQ(outputs_verdict(run), "outputs: bit-exact against the reference (2 layers)");
    run.layers[1].checked = false;
    EXPECT_EQ(outputs_verdict(run),
              "outputs: bit-exact against the reference (1 layer of 2 checked)");
    EXPECT_EQ(bit_exact_cell(run.layers[1]), "-");
    run.functional = false;
    EXPECT_EQ(outputs_verdict(run), "outputs: not checked (timing-only run)");
    const std::string text = print(run);
    EXPECT_TRUE(has(text, "timing-only (outputs not computed)"));
}

TEST(ReportTable, SpansGiveStartEndExclusiveAndOverlappedCycles) {
    stats::RunStats run = sample_run();
    // fc's prefetch started at cycle 600, under conv1 (which ends at 1000); fc ends at 3000:
    // span 3000 - 600 = 2400, exclusive 3000 - 1000 = 2000, overlapped 1000 - 600 = 400.
    run.layers[0].exclusive_cycles = 1000;
    run.layers[1].start_cycle = 600;
    run.layers[1].exclusive_cycles = 2000;
    run.layers[1].overlapped_cycles = 400;
    const std::string text = print(run);
    EXPECT_TRUE(has(text,
                    "layer spans (exclusive cycles sum to the run's 3,000; spans overlap by "
                    "the overlapped cycles)"))
        << text;
    EXPECT_EQ(rows_named(text, "conv1").at(3),
              "  conv1      0  1,000  1,000      1,000           0")
        << text;
    EXPECT_EQ(rows_named(text, "fc").at(3), "  fc       600  3,000  2,400      2,000         400")
        << text;
    EXPECT_EQ(rows_named(text, "TOTAL").at(3),
              "  TOTAL      0  3,000  3,000      3,000         400")
        << text;
}

TEST(ReportTable, LongNamesStayWithin120Columns) {
    stats::RunStats run = sample_run();
    run.layers[0].name = "backbone.stage4.block17.conv_expand_pointwise";
    run.layers[0].shape = "1x1024x14x14 * 4096x1024x1x1 -> 1x4096x14x14";
    run.layers[0].macs_total = 822'083'584;
    run.layers[0].end_cycle = 123'456'789'012;
    run.total_cycles = 123'456'791'012;
    run.layers[0].counters.dram_read_bytes = 999ull << 30;
    run.layers[1].mismatches = 1'000'000;
    run.layers[1].residency = "on-chip, weights streamed from dram";
    const std::string text = print(run);
    for (const auto& l : lines_of(text)) {
        EXPECT_LE(l.size(), kTableWidth) << l;
    }
    EXPECT_TRUE(has(text, "backbone.stage4.b~")) << text;  // cut to 18 columns
    EXPECT_TRUE(has(text, "on-chip, we~")) << text;        // residency cut to 12 columns
}

}  // namespace
}  // namespace npu::report

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

#include "sim/core/error.h"
#include "sim/report/counter_fields.h"
#include "sim/report/layers_csv.h"

namespace npu::report {
namespace {

// A strict RFC 4180 reader for the test: quoted fields may hold commas, quotes ("") and newlines.
std::vector<std::vector<std::string>> parse_csv(const std::string& text) {
    std::vector<std::vector<std::string>> rows;
    std::vector<std::string> row;
    std::string field;
    bool quoted = false;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char ch = text[i];
        if (quoted) {
            if (ch == '"' && i + 1 < text.size() && text[i + 1] == '"') {
                field += '"';
                ++i;
            } else if (ch == '"') {
                quoted = false;
            } else {
                field += ch;
            }
        } else if (ch == '"') {
            quoted = true;
        } else if (ch == ',') {
            row.push_back(field);
            field.clear();
        } else if (ch == '\n') {
            row.push_back(field);
            field.clear();
            rows.push_back(row);
            row.clear();
        } else {
            field += ch;
        }
    }
    EXPECT_FALSE(quoted) << "unterminated quoted field";
    EXPECT_TRUE(field.empty() && row.empty()) << "last line not terminated";
    return rows;
}

stats::RunStats sample_run() {
    stats::RunStats run;
    run.clock_hz = 1e9;
    run.peak_macs_per_cycle = 256;
    run.dram_peak_bytes_per_cycle = 16;
    stats::LayerStats a;
    a.name = "conv1, \"stem\"";  // needs quoting: comma and quotes
    a.op = "conv2d";
    a.shape = "1x3x32x32";
    a.mapping = "ws mb=64\nnb=16";  // needs quoting: newline
    a.macs_total = 128000;
    a.start_cycle = 0;
    a.end_cycle = 1000;
    a.counters.macs = 128000;
    a.counters.dram_read_bytes = 1536;
    a.counters.dram_write_bytes = 1024;
    a.counters.spad_bank_conflicts = 18446744073709551615ull;  // max uint64: written exactly
    a.checked = true;
    a.bit_exact = true;
    stats::LayerStats b;
    b.name = "fc";
    b.op = "gemm";
    b.shape = "1x256 * 256x256";
    b.macs_total = 65536;
    b.start_cycle = 1000;
    b.end_cycle = 3000;
    run.layers = {a, b};
    run.total_cycles = 3000;
    return run;
}

std::string column(const std::vector<std::vector<std::string>>& rows, std::size_t row,
                   const std::string& name) {
    const auto& head = rows.at(0);
    for (std::size_t c = 0; c < head.size(); ++c) {
        if (head[c] == name) return rows.at(row).at(c);
    }
    ADD_FAILURE() << "no column " << name;
    return {};
}

TEST(ReportCsv, FieldQuotingFollowsRfc4180) {
    EXPECT_EQ(csv_field("plain"), "plain");
    EXPECT_EQ(csv_field(""), "");
    EXPECT_EQ(csv_field("a,b"), "\"a,b\"");
    EXPECT_EQ(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
    EXPECT_EQ(csv_field("two\nlines"), "\"two\nlines\"");
    EXPECT_EQ(csv_field("cr\r"), "\"cr\r\"");
    EXPECT_EQ(csv_field("it's; fine"), "it's; fine");
}

TEST(ReportCsv, HeaderHasEveryCounterAndNoDuplicates) {
    const std::vector<std::string> h = layers_csv_header();
    EXPECT_EQ(h.size(), 26 + counter_fields().size() + 10);
    for (const auto& f : counter_fields()) {
        EXPECT_EQ(std::count(h.begin(), h.end(), f.name), 1) << f.name;
    }
    for (std::size_t i = 0; i < h.size(); ++i) {
        EXPECT_EQ(std::count(h.begin(), h.end(), h[i]), 1) << h[i];
    }
}

TEST(ReportCsv, OneRowPerLayerSameColumnCountValuesExact) {
    std::ostringstream out;
    write_layers_csv(out, sample_run(), cfg::HwConfig{});
    const auto rows = parse_csv(out.str());
    ASSERT_EQ(rows.size(), 3u);  // header + 2 layers, no total row
    for (const auto& r : rows) EXPECT_EQ(r.size(), layers_csv_header().size());
    EXPECT_EQ(rows[0], layers_csv_header());
    EXPECT_EQ(column(rows, 1, "name"), "conv1, \"stem\"");
    EXPECT_EQ(column(rows, 1, "mapping"), "ws mb=64\nnb=16");
    EXPECT_EQ(column(rows, 1, "index"), "0");
    EXPECT_EQ(column(rows, 1, "cycles"), "1000");
    EXPECT_EQ(column(rows, 1, "time_s"), "1e-06");
    EXPECT_EQ(column(rows, 1, "macs_total"), "128000");
    EXPECT_EQ(column(rows, 1, "macs"), "128000");
    EXPECT_EQ(column(rows, 1, "mac_utilization"), "0.5");      // 128000 / (1000 * 256)
    EXPECT_EQ(column(rows, 1, "tops"), "0.256");               // 2 * 128000 / 1 us / 1e12
    EXPECT_EQ(column(rows, 1, "dram_bytes"), "2560");          // 1536 + 1024
    EXPECT_EQ(column(rows, 1, "dram_peak_fraction"), "0.16");  // 2560 / (1000 * 16)
    EXPECT_EQ(column(rows, 1, "spad_bank_conflicts"), "18446744073709551615");
    EXPECT_EQ(column(rows, 1, "energy_mac_pj"), "38400");    // 128000 * 0.3
    EXPECT_EQ(column(rows, 1, "energy_dram_pj"), "409600");  // 2560 * 160
    EXPECT_EQ(column(rows, 1, "checked"), "true");
    EXPECT_EQ(column(rows, 1, "bit_exact"), "true");
    EXPECT_EQ(column(rows, 2, "name"), "fc");
    EXPECT_EQ(column(rows, 2, "shape"), "1x256 * 256x256");
    EXPECT_EQ(column(rows, 2, "mac_utilization"), "0.128");  // 65536 / (2000 * 256)
    EXPECT_EQ(column(rows, 2, "checked"), "false");
    EXPECT_EQ(column(rows, 2, "bit_exact"), "false");
    EXPECT_EQ(column(rows, 2, "mismatches"), "0");
}

TEST(ReportCsv, MissingDirectoryIsAUserErrorNamingThePath) {
    const std::string path =
        (std::filesystem::temp_directory_path() / "npusim_no_such_dir_4711" / "layers.csv")
            .string();
    try {
        write_layers_csv(path, sample_run(), cfg::HwConfig{});
        FAIL() << "expected UserError";
    } catch (const UserError& e) {
        ASSERT_EQ(e.diagnostics().size(), 1u);
        EXPECT_EQ(e.diagnostics()[0].file, path);
        EXPECT_NE(std::string(e.what()).find("does not exist"), std::string::npos) << e.what();
    }
}

}  // namespace
}  // namespace npu::report

// Loading, overrides and validation of the hardware config: every bad-input test checks the exact
// text a user sees (file:line:col: key: message), all problems of one input together.
#include "sim/config/config_loader.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "sim/config/config_schema.h"
#include "sim/config/paths.h"

namespace npu::cfg {
namespace {

class ConfigLoader : public ::testing::Test {
  protected:
    void SetUp() override { set_data_dir(NPUSIM_SOURCE_DIR); }

    // The full error text of loading `yaml`, or "" if it loads.
    static std::string errors_of(const std::string& yaml,
                                 const std::vector<std::string>& overrides = {}) {
        try {
            (void)load_hw_config_from_string(yaml, "hw.yaml", overrides);
        } catch (const UserError& e) {
            return e.what();
        }
        return "";
    }
};

TEST_F(ConfigLoader, MissingKeysKeepDefaultsAndGivenKeysAreParsedWithUnits) {
    HwConfig c = load_hw_config_from_string(R"(
name: big
clock: 1.5 GHz
array:
  rows: 32
  cols: 32
  dataflow: os
  pipelining: none
scratchpad:
  size: 1MiB
  bank_width: 32B
accumulator:
  bank_width: 128B
dram:
  bandwidth: 25.6GB/s
postproc:
  rounding: tflite
)",
                                            "hw.yaml", {});
    EXPECT_EQ(c.name, "big");
    EXPECT_EQ(c.clock_hz, 1.5e9);
    EXPECT_EQ(c.array.rows, 32);
    EXPECT_EQ(c.array.cols, 32);
    EXPECT_EQ(c.array.dataflow, Dataflow::kOutputStationary);
    EXPECT_EQ(c.array.pipelining, Pipelining::kNone);
    EXPECT_EQ(c.scratchpad.size_bytes, 1048576u);
    EXPECT_EQ(c.scratchpad.bank_width_bytes, 32);
    EXPECT_EQ(c.scratchpad.banks, 4);  // default kept
    EXPECT_EQ(c.accumulator.bank_width_bytes, 128);
    EXPECT_EQ(c.dram.bandwidth_bytes_per_s, 25.6e9);
    EXPECT_EQ(c.postproc.rounding, Rounding::kTflite);
    EXPECT_EQ(c.dma.burst_bytes, 64);  // default kept
    EXPECT_EQ(c.energy.name, "horowitz45");
}

TEST_F(ConfigLoader, UnknownKeysGetADidYouMeanHint) {
    EXPECT_EQ(errors_of("array:\n  row: 32\n"),
              "hw.yaml:2:3: array.row: unknown key, did you mean 'array.rows'?");
    EXPECT_EQ(errors_of("rows: 32\n"),
              "hw.yaml:1:1: rows: unknown key, did you mean 'array.rows'?");
    EXPECT_EQ(errors_of("scratchpd:\n  size: 1MiB\n"),
              "hw.yaml:1:1: scratchpd: unknown key, did you mean 'scratchpad'?");
    EXPECT_EQ(errors_of("turbo: true\n"),
              "hw.yaml:1:1: turbo: unknown key (`npusim config --schema` lists every key)");
}

TEST_F(ConfigLoader, WrongTypesBadUnitsAndShapes) {
    EXPECT_EQ(errors_of("array:\n  cols: abc\n"),
              "hw.yaml:2:9: array.cols: expected an integer, found 'abc'");
    EXPECT_EQ(errors_of("scratchpad:\n  size: 12GHz\n"),
              "hw.yaml:2:9: scratchpad.size: expected a size such as 256KiB, found '12GHz'");
    EXPECT_EQ(errors_of("clock: 4KiB\n"),
              "hw.yaml:1:8: clock: expected a frequency such as 1GHz, found '4KiB'");
    EXPECT_EQ(errors_of("dram:\n  bandwidth: 16GB\n"),
              "hw.yaml:2:14: dram.bandwidth: expected a bandwidth such as 25.6GB/s, found '16GB'");
    EXPECT_EQ(errors_of("array:\n  dataflow: rs\n"),
              "hw.yaml:2:13: array.dataflow: expected one of ws, os, both, found 'rs'");
    EXPECT_EQ(errors_of("compiler:\n  overlap: true\n"),
              "hw.yaml:2:12: compiler.overlap: expected one of none, prefetch, full, found 'true'");
    EXPECT_EQ(errors_of("compiler:\n  partition: rows\n"),
              "hw.yaml:2:14: compiler.partition: expected one of auto, batch, channel, spatial, "
              "pipeline, found 'rows'");
    EXPECT_EQ(errors_of("compiler:\n  partition: channel\n"), "");
    EXPECT_EQ(errors_of("compiler:\n  partition: spatial\n"), "");
    EXPECT_EQ(errors_of("compiler:\n  partition: pipeline\n"), "");
    EXPECT_EQ(errors_of("cores: two\n"), "hw.yaml:1:8: cores: expected an integer, found 'two'");
    EXPECT_EQ(errors_of("array:\n  rows: {a: 1}\n"),
              "hw.yaml:2:9: array.rows: expected an integer, found a mapping");
    EXPECT_EQ(errors_of("array:\n  rows: [1, 2]\n"),
              "hw.yaml:2:9: array.rows: expected an integer, found a sequence");
    EXPECT_EQ(errors_of("array:\n  rows:\n"),
              "hw.yaml:2:3: array.rows: expected an integer, found nothing");
    EXPECT_EQ(errors_of("dram: 5\n"),
              "hw.yaml:1:7: dram: expected a mapping of dram keys, found '5'");
}

TEST_F(ConfigLoader, OutOfRangeValues) {
    EXPECT_EQ(errors_of("array:\n  rows: 0\n"),
              "hw.yaml:2:9: array.rows: expected an integer from 1 to 1024, found 0");
    EXPECT_EQ(errors_of("array:\n  rows: 99999999999\n"),
              "hw.yaml:2:9: array.rows: expected an integer from 1 to 1024, found 99999999999");
    EXPECT_EQ(errors_of("cores: 0\n"),
              "hw.yaml:1:8: cores: expected an integer from 1 to 64, found 0");
    EXPECT_EQ(errors_of("cores: 65\n"),
              "hw.yaml:1:8: cores: expected an integer from 1 to 64, found 65");
    EXPECT_EQ(errors_of("dma:\n  burst: 8KiB\n"),
              "hw.yaml:2:10: dma.burst: expected a size from 1B to 4KiB, found 8KiB");
    EXPECT_EQ(errors_of("clock: 200GHz\n"),
              "hw.yaml:1:8: clock: expected a frequency from 1MHz to 100GHz, found 200GHz");
    EXPECT_EQ(errors_of("energy:\n  static_mw: -1\n"),
              "hw.yaml:2:14: energy.static_mw: expected a number from 0 to 1000000, found -1");
}

TEST_F(ConfigLoader, DuplicateKeysAreErrors) {
    EXPECT_EQ(errors_of("array:\n  rows: 16\n  rows: 32\n"),
              "hw.yaml:3:3: array.rows: duplicate key (first given on line 2)");
}

TEST_F(ConfigLoader, SyntaxErrorsAndNonMappingDocuments) {
    EXPECT_EQ(errors_of("array: [1, 2\n"),
              "hw.yaml:2:1: invalid YAML: a '[' without its closing ']'");
    EXPECT_EQ(errors_of("- 1\n- 2\n"),
              "hw.yaml:1:1: expected a mapping of config keys at the top level, found a sequence");
    EXPECT_EQ(
        errors_of(""),
        "hw.yaml: expected a mapping of config keys at the top level, found an empty document");
}

TEST_F(ConfigLoader, MissingFile) {
    try {
        (void)load_hw_config("no/such/hw.yaml", {});
        FAIL() << "expected UserError";
    } catch (const UserError& e) {
        EXPECT_STREQ(e.what(), "cannot open 'no/such/hw.yaml': No such file or directory");
    }
}

TEST_F(ConfigLoader, CrossFieldRulesNameBothKeysAndTheNumbers) {
    EXPECT_EQ(
        errors_of("array:\n  rows: 32\n  cols: 16\nscratchpad:\n  bank_width: 16B\n"),
        "hw.yaml:5:15: scratchpad.bank_width: expected >= array.rows (32) so one bank feeds a "
        "row per cycle, found 16");
    EXPECT_EQ(errors_of("accumulator:\n  bank_width: 32B\n"),
              "hw.yaml:2:15: accumulator.bank_width: expected >= 4 * array.cols (64) so one bank "
              "takes an int32 row of results per cycle, found 32");
    EXPECT_EQ(errors_of("scratchpad:\n  banks: 3\n"),
              "hw.yaml:2:10: scratchpad.size: expected a multiple of scratchpad.banks (3) so every "
              "bank has the same size, found 256KiB");
    // 256KiB / 4 banks = 64KiB per bank; 65536 % 48 = 16.
    EXPECT_EQ(errors_of("scratchpad:\n  bank_width: 48B\n"),
              "hw.yaml:2:15: scratchpad.bank_width: expected a divisor of the bank size "
              "(scratchpad.size / scratchpad.banks = 256KiB / 4 = 64KiB) so a bank is a whole "
              "number of rows, found 48B");
    EXPECT_EQ(errors_of("dma:\n  burst: 48B\n"),
              "hw.yaml:2:10: dma.burst: expected a power of two (DRAM bursts are aligned "
              "power-of-two transfers), found 48B");
    EXPECT_EQ(errors_of("dram:\n  bandwidth: 1GB/s\n  channels: 2\n"),
              "hw.yaml:2:14: dram.bandwidth: expected >= clock * dram.channels (1GHz * 2 = 2GB/s) "
              "so each channel moves at least 1 byte per cycle, found 1GB/s");
    // 2 * 3 * 16 * 16 = 1536 bytes needed; 1KiB = 1024 given (4 banks of 256B, 16B rows: valid).
    EXPECT_EQ(
        errors_of("scratchpad:\n  size: 1KiB\n"),
        "hw.yaml:2:9: scratchpad.size: expected >= 2 * 3 * array.rows * array.cols = 2 * 3 "
        "* 16 * 16 = 1536B (a double-buffered weight, activation and output tile), found 1KiB");
    // 2 * 4 * 16 * 16 = 2048 bytes needed.
    EXPECT_EQ(errors_of("accumulator:\n  size: 1KiB\n  banks: 1\n"),
              "hw.yaml:2:9: accumulator.size: expected >= 2 * 4 * array.rows * array.cols = 2 * 4 "
              "* 16 * 16 = 2KiB (a double-buffered int32 output tile), found 1KiB");
}

// The shared L2's geometry is checked only when there is one (l2.size > 0): a power-of-two line
// and a size of whole sets in every bank; range errors and the geometry error come together.
TEST_F(ConfigLoader, L2GeometryErrors) {
    EXPECT_EQ(errors_of("l2:\n  line: 48B\n"), "");  // no L2: its geometry is not used
    EXPECT_EQ(errors_of("l2:\n  size: 1MiB\n  line: 48B\n"),
              "hw.yaml:3:9: l2.line: expected a power of two (lines are aligned), found 48B");
    // Defaults: 64-byte lines, 16 ways, 8 banks: 64 * 16 * 8 = 8KiB per set across the banks.
    EXPECT_EQ(errors_of("l2:\n  size: 12KiB\n"),
              "hw.yaml:2:9: l2.size: expected a multiple of l2.line * l2.ways * l2.banks (64 * 16 "
              "* 8 = 8KiB) so every bank holds whole sets, found 12KiB");
    EXPECT_EQ(errors_of("l2:\n  size: 12KiB\n  ways: 3\n  banks: 1\n"), "");  // 64 * 3 * 1
    EXPECT_EQ(errors_of("l2:\n  size: 1MiB\n  line: 48B\n  ways: 0\n  hit_latency: -1\n"),
              "hw.yaml:4:9: l2.ways: expected an integer from 1 to 1024, found 0\n"
              "hw.yaml:5:16: l2.hit_latency: expected an integer from 0 to 1000000, found -1\n"
              "hw.yaml:3:9: l2.line: expected a power of two (lines are aligned), found 48B");
    EXPECT_EQ(errors_of("name: x\n", {"l2.size=12KiB"}),
              "--set: l2.size: expected a multiple of l2.line * l2.ways * l2.banks (64 * 16 * 8 = "
              "8KiB) so every bank holds whole sets, found 12KiB");
}

TEST_F(ConfigLoader, SeveralErrorsInOneFileAreReportedTogetherInOrder) {
    const std::string yaml = R"(name: broken
array:
  row: 32
  cols: abc
  dataflow: wx
clock: 12KiB
scratchpad:
  size: 12GHz
  banks: 0
dma:
  burst: 48B
)";
    try {
        (void)load_hw_config_from_string(yaml, "hw.yaml", {});
        FAIL() << "expected UserError";
    } catch (const UserError& e) {
        ASSERT_EQ(e.diagnostics().size(), 7u) << e.what();
        EXPECT_EQ(e.diagnostics()[0].line, 3);
        EXPECT_EQ(e.diagnostics()[0].col, 3);
        EXPECT_STREQ(e.what(),
                     "hw.yaml:3:3: array.row: unknown key, did you mean 'array.rows'?\n"
                     "hw.yaml:4:9: array.cols: expected an integer, found 'abc'\n"
                     "hw.yaml:5:13: array.dataflow: expected one of ws, os, both, found 'wx'\n"
                     "hw.yaml:6:8: clock: expected a frequency such as 1GHz, found '12KiB'\n"
                     "hw.yaml:8:9: scratchpad.size: expected a size such as 256KiB, found '12GHz'\n"
                     "hw.yaml:9:10: scratchpad.banks: expected an integer from 1 to 1024, found 0\n"
                     "hw.yaml:11:10: dma.burst: expected a power of two (DRAM bursts are aligned "
                     "power-of-two transfers), found 48B");
    }
}

TEST_F(ConfigLoader, CrossFieldChecksSkipKeysWhoseValueWasRejected) {
    // rows is rejected, so no cross-field rule may reason about it (the default 16 stays in
    // place but the user did not choose it).
    EXPECT_EQ(errors_of("array:\n  rows: 2000\nscratchpad:\n  bank_width: 8B\n"),
              "hw.yaml:2:9: array.rows: expected an integer from 1 to 1024, found 2000\n"
              "hw.yaml:4:15: scratchpad.bank_width: expected >= array.cols (16) so one bank feeds "
              "a column per cycle, found 8");
}

TEST_F(ConfigLoader, OverridesApplyAfterTheFileWithTheSameParsers) {
    HwConfig c = load_hw_config_from_string("array:\n  rows: 32\nscratchpad:\n  bank_width: 32B\n",
                                            "hw.yaml",
                                            {"array.rows=8", "clock = 700MHz", "dram.size=2GiB",
                                             "energy=hbm2_dc", "energy.static_mw=100"});
    EXPECT_EQ(c.array.rows, 8);
    EXPECT_EQ(c.clock_hz, 7e8);
    EXPECT_EQ(c.dram.size_bytes, 2ull << 30);
    EXPECT_EQ(c.energy.name, "hbm2_dc");
    EXPECT_EQ(c.energy.dram_pj_per_byte, 31.2);
    EXPECT_EQ(c.energy.static_mw, 100.0);  // later override wins over the table
}

TEST_F(ConfigLoader, BadOverridesAreReportedTogether) {
    EXPECT_EQ(errors_of("name: x\n",
                        {"array.colz=3", "clock=fast", "array", "array=4", "energy=nope", "=3"}),
              "--set: array.colz: unknown key, did you mean 'array.cols'?\n"
              "--set: clock: expected a frequency such as 1GHz, found 'fast'\n"
              "--set: expected key=value, found 'array'\n"
              "--set: array: is a section, not a key: set one of its keys, e.g. array.rows=...\n"
              "--set: energy: expected a bundled energy table (hbm2_dc, horowitz45, lpddr4_edge) "
              "or a path to a .yaml file, found 'nope'\n"
              "--set: expected key=value, found '=3'");
    // A cross-field problem caused by an override is located at the override.
    EXPECT_EQ(errors_of("name: x\n", {"array.rows=32"}),
              "--set: scratchpad.bank_width: expected >= array.rows (32) so one bank feeds a row "
              "per cycle, found 16");
}

// Issue 11: overrides on a config built in code are validated like a file, across fields too;
// a refused set leaves the config as it was.
TEST_F(ConfigLoader, ApplyOverridesValidatesTheWholeResult) {
    HwConfig c;
    apply_overrides(c, {"array.rows=64", "scratchpad.bank_width=64B", "postproc.rounding=half_up"});
    EXPECT_EQ(c.array.rows, 64);
    EXPECT_EQ(c.postproc.rounding, Rounding::kHalfUp);
    EXPECT_EQ(c.key_sources.at("array.rows").file, "--set");
    try {
        apply_overrides(c, {"scratchpad.banks=3"});
        FAIL() << "expected UserError";
    } catch (const UserError& e) {
        EXPECT_STREQ(e.what(),
                     "--set: scratchpad.size: expected a multiple of scratchpad.banks (3) so every "
                     "bank has the same size, found 256KiB");
    }
    EXPECT_EQ(c.scratchpad.banks, 4);
    try {
        apply_overrides(c, {"array.rows=-1"});
        FAIL() << "expected UserError";
    } catch (const UserError& e) {
        EXPECT_STREQ(e.what(), "--set: array.rows: expected an integer from 1 to 1024, found -1");
    }
    EXPECT_EQ(c.array.rows, 64);  // a rejected value leaves the config unchanged
}

TEST_F(ConfigLoader, ValidateChecksConfigsBuiltInCode) {
    HwConfig c;
    c.array.rows = 0;
    c.scratchpad.banks = 0;
    c.dram.bandwidth_bytes_per_s = 5e8;
    DiagnosticList diags;
    validate(c, diags, "<code>");
    ASSERT_EQ(diags.items().size(), 3u);
    EXPECT_EQ(diags.items()[0].to_string(),
              "<code>: array.rows: expected an integer from 1 to 1024, found 0");
    EXPECT_EQ(diags.items()[1].to_string(),
              "<code>: scratchpad.banks: expected an integer from 1 to 1024, found 0");
    EXPECT_EQ(diags.items()[2].to_string(),
              "<code>: dram.bandwidth: expected >= clock * dram.channels (1GHz * 1 = 1GB/s) so "
              "each channel moves at least 1 byte per cycle, found 500MB/s");
    DiagnosticList none;
    validate(HwConfig{}, none, "<code>");
    EXPECT_TRUE(none.empty());
}

TEST_F(ConfigLoader, EnergyAsBundledNameInlineMappingOrRelativePath) {
    HwConfig named = load_hw_config_from_string("energy: lpddr4_edge\n", "hw.yaml", {});
    EXPECT_EQ(named.energy.name, "lpddr4_edge");
    EXPECT_EQ(named.energy.dram_pj_per_byte, 40.0);  // 5 pJ/bit * 8

    HwConfig inline_table =
        load_hw_config_from_string("energy:\n  mac_int8_pj: 0.25\n", "hw.yaml", {});
    EXPECT_EQ(inline_table.energy.name, "custom");
    EXPECT_EQ(inline_table.energy.mac_int8_pj, 0.25);
    EXPECT_EQ(inline_table.energy.dram_pj_per_byte, 160.0);  // default

    namespace fs = std::filesystem;
    fs::path dir = fs::path(::testing::TempDir()) / "npusim_config_energy_test";
    fs::create_directories(dir / "tables");
    std::ofstream(dir / "tables" / "mine.yaml") << "mac_int8_pj: 0.5\nstatic_mw: 7\n";
    std::ofstream(dir / "hw.yaml") << "energy: tables/mine.yaml\n";
    HwConfig from_path = load_hw_config((dir / "hw.yaml").string(), {});
    EXPECT_EQ(from_path.energy.name, "mine");  // the file's stem, as it sets no name
    EXPECT_EQ(from_path.energy.mac_int8_pj, 0.5);
    EXPECT_EQ(from_path.energy.static_mw, 7.0);
    EXPECT_EQ(from_path.energy.spad_read_pj_per_byte, 2.5);  // horowitz45 default

    std::ofstream(dir / "tables" / "bad.yaml") << "mac_int8: 1\nstatic_mw: lots\n";
    std::ofstream(dir / "bad_hw.yaml") << "energy: tables/bad.yaml\n";
    const std::string table = (dir / "tables" / "bad.yaml").string();
    try {
        (void)load_hw_config((dir / "bad_hw.yaml").string(), {});
        FAIL() << "expected UserError";
    } catch (const UserError& e) {
        EXPECT_EQ(std::string(e.what()),
                  table + ":1:1: mac_int8: unknown key, did you mean 'mac_int8_pj'?\n" + table +
                      ":2:12: static_mw: expected a number, found 'lots'");
    }
    fs::remove_all(dir);
}

TEST_F(ConfigLoader, EnergyErrors) {
    EXPECT_EQ(errors_of("energy: ./missing.yaml\n"),
              "hw.yaml:1:9: energy: cannot open './missing.yaml': No such file or directory");
    EXPECT_EQ(errors_of("energy:\n  dram_pj: 3\n"),
              "hw.yaml:2:3: energy.dram_pj: unknown key, did you mean 'energy.dram_pj_per_byte'?");
    EXPECT_EQ(errors_of("energy: [1]\n"),
              "hw.yaml:1:9: energy: expected an energy table name, a path to a .yaml file or a "
              "mapping, found a sequence");
}

}  // namespace
}  // namespace npu::cfg

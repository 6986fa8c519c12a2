#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <string>

#include "sim/core/error.h"
#include "sim/energy/energy_model.h"
#include "sim/report/counter_fields.h"
#include "sim/report/layers_csv.h"
#include "sim/report/stats_json.h"

namespace npu::report {
namespace {

using nlohmann::json;

// Every counter gets a distinct value; `base` above 2^53 checks that integers survive exactly
// (a double would round them).
stats::Counters distinct_counters(uint64_t base) {
    stats::Counters c;
    uint64_t v = base;
    for (const auto& f : counter_fields()) {
        c.*f.member = v;
        v += 7;
    }
    return c;
}

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
    a.mapping = "ws mb=64 nb=16 kb=16 tiles=8";
    a.macs_total = 128000;
    a.start_cycle = 0;
    a.end_cycle = 1000;
    a.counters.macs = 128000;
    a.counters.dram_read_bytes = 1536;
    a.counters.dram_write_bytes = 1024;
    a.counters.spad_read_bytes = 4096;
    a.counters.acc_write_bytes = 2048;
    a.checked = true;
    a.bit_exact = true;

    stats::LayerStats b;
    b.name = "fc";
    b.op = "gemm";
    b.shape = "1x256 * 256x256";
    b.macs_total = 65536;
    b.start_cycle = 1000;
    b.end_cycle = 3000;
    b.counters = distinct_counters((1ull << 60) + 3);
    b.checked = true;
    b.bit_exact = false;
    b.mismatches = 3;

    run.layers = {a, b};
    run.total_cycles = 3000;
    run.total = a.counters;
    run.total += b.counters;
    run.wall_seconds = 0.25;
    return run;
}

cfg::HwConfig sample_hw() {
    cfg::HwConfig hw;
    hw.energy.name = "test_table";
    hw.energy.static_mw = 40.0;
    return hw;
}

// Serialize and parse again, as a script reading the file would see it.
json through_text(const json& j) { return json::parse(j.dump(2)); }

TEST(ReportJson, VersionedHeaderAndRunDescription) {
    const json j = stats_to_json(sample_run(), sample_hw());
    EXPECT_EQ(j.at("schema_version"), 1);
    EXPECT_EQ(j.at("tool"), "npusim");
    EXPECT_EQ(j.at("tool_version"), kToolVersion);
    EXPECT_EQ(j.at("config_name"), "edge_npu");
    EXPECT_EQ(j.at("workload"), "tiny_cnn");
    EXPECT_EQ(j.at("fidelity"), "fast");
    EXPECT_EQ(j.at("functional"), true);
    EXPECT_EQ(j.at("clock_hz"), 1e9);
    EXPECT_EQ(j.at("array").at("rows"), 16);
    EXPECT_EQ(j.at("array").at("dataflow"), "ws");
    EXPECT_EQ(j.at("peak").at("macs_per_cycle"), 256u);
    EXPECT_DOUBLE_EQ(j.at("peak").at("tops").get<double>(), 0.512);      // 2 * 256 * 1e9 / 1e12
    EXPECT_DOUBLE_EQ(j.at("peak").at("dram_gbps").get<double>(), 16.0);  // 16 B * 1 GHz
    // Wall time lives apart from the deterministic figures.
    EXPECT_EQ(j.at("host").at("wall_seconds"), 0.25);
    EXPECT_EQ(j.at("host").at("simulated_cycles_per_second"), 12000.0);  // 3000 / 0.25
}

TEST(ReportJson, ComponentsTreeHasTotalsAndEachLayersValues) {
    stats::RunStats run = sample_run();
    run.components = stats::StatGroup("", 2);
    stats::StatGroup& npu = run.components.group("npu");
    stats::Stat& bursts = npu.group("dma").stat("bursts", "bursts issued", "count");
    stats::Stat& conflicts =
        npu.group("spad").group("bank3").stat("conflicts", "requests that waited", "count");
    run.components.group("dram").stat("bytes_read", "bytes read", "bytes").add(1, 1ull << 60);
    bursts.add(0, 5);
    bursts.add(1, 7);
    conflicts.add(1, 2);
    const json j = through_text(stats_to_json(run, sample_hw()));
    EXPECT_EQ(j.at("schema_minor_version"), 6);
    const json& c = j.at("components");
    EXPECT_EQ(c.at("npu").at("dma").at("bursts"), 12u);
    EXPECT_EQ(c.at("npu").at("spad").at("bank3").at("conflicts"), 2u);
    EXPECT_EQ(c.at("dram").at("bytes_read").get<uint64_t>(), 1ull << 60);  // exact above 2^53
    EXPECT_EQ(j.at("layers")[0].at("components").at("npu").at("dma").at("bursts"), 5u);
    EXPECT_EQ(j.at("layers")[1].at("components").at("npu").at("dma").at("bursts"), 7u);
    EXPECT_EQ(j.at("layers")[0].at("components").at("npu").at("spad").at("bank3").at("conflicts"),
              0u);
    // A group name cannot also name a statistic, and a statistic is declared once.
    EXPECT_THROW(npu.stat("dma", "", "count"), std::logic_error);
    EXPECT_THROW(npu.group("dma").stat("bursts", "", "count"), std::logic_error);
    EXPECT_EQ(run.components.find("npu.spad.bank3.conflicts"), &conflicts);
    EXPECT_EQ(run.components.find("npu.spad.bank4.conflicts"), nullptr);
}

TEST(ReportJson, EnergyTableHasEveryField) {
    const json t = stats_to_json(sample_run(), sample_hw()).at("energy_table");
    const cfg::EnergyTable d = sample_hw().energy;
    EXPECT_EQ(t.size(), 14u);  // name + 13 numbers
    EXPECT_EQ(t.at("name"), "test_table");
    EXPECT_EQ(t.at("mac_int8_pj"), d.mac_int8_pj);
    EXPECT_EQ(t.at("mac_int4_pj"), d.mac_int4_pj);
    EXPECT_EQ(t.at("mac_bf16_pj"), d.mac_bf16_pj);
    EXPECT_EQ(t.at("mac_fp16_pj"), d.mac_fp16_pj);
    EXPECT_EQ(t.at("mac_fp32_pj"), d.mac_fp32_pj);
    EXPECT_EQ(t.at("spad_read_pj_per_byte"), d.spad_read_pj_per_byte);
    EXPECT_EQ(t.at("spad_write_pj_per_byte"), d.spad_write_pj_per_byte);
    EXPECT_EQ(t.at("acc_read_pj_per_byte"), d.acc_read_pj_per_byte);
    EXPECT_EQ(t.at("acc_write_pj_per_byte"), d.acc_write_pj_per_byte);
    EXPECT_EQ(t.at("dram_pj_per_byte"), d.dram_pj_per_byte);
    EXPECT_EQ(t.at("static_mw"), 40.0);
    const cfg::EnergyTable back = energy_table_from_json(through_text(t));
    EXPECT_EQ(back.name, "test_table");
    EXPECT_EQ(back.static_mw, 40.0);
    EXPECT_EQ(back.dram_pj_per_byte, d.dram_pj_per_byte);
}

TEST(ReportJson, EveryCounterRoundTripsExactly) {
    const stats::RunStats run = sample_run();
    const json j = through_text(stats_to_json(run, sample_hw()));
    const json& lc = j.at("layers").at(1).at("counters");
    EXPECT_EQ(lc.size(), counter_fields().size());
    const stats::Counters back = counters_from_json(lc, "layers[1].counters");
    for (const auto& f : counter_fields()) {
        EXPECT_EQ(back.*f.member, run.layers[1].counters.*f.member) << f.name;
        EXPECT_EQ(lc.at(f.name).get<uint64_t>(), run.layers[1].counters.*f.member) << f.name;
    }
    const stats::Counters total = counters_from_json(j.at("totals").at("counters"), "totals");
    for (const auto& f : counter_fields())
        EXPECT_EQ(total.*f.member, run.total.*f.member) << f.name;
    // The first counter of layer 1 is 2^60 + 3, which a double cannot hold.
    EXPECT_EQ(back.instructions, (1ull << 60) + 3);
}

TEST(ReportJson, PerLayerFiguresAndChecks) {
    const json j = stats_to_json(sample_run(), sample_hw());
    const json& a = j.at("layers").at(0);
    EXPECT_EQ(a.at("index"), 0u);
    EXPECT_EQ(a.at("name"), "conv1");
    EXPECT_EQ(a.at("op"), "conv2d");
    EXPECT_EQ(a.at("mapping"), "ws mb=64 nb=16 kb=16 tiles=8");
    EXPECT_EQ(a.at("start_cycle"), 0u);
    EXPECT_EQ(a.at("end_cycle"), 1000u);
    EXPECT_EQ(a.at("cycles"), 1000u);
    EXPECT_EQ(a.at("macs_total"), 128000u);
    EXPECT_DOUBLE_EQ(a.at("time_s").get<double>(), 1e-6);              // 1000 / 1 GHz
    EXPECT_DOUBLE_EQ(a.at("mac_utilization").get<double>(), 0.5);      // 128000 / (1000 * 256)
    EXPECT_DOUBLE_EQ(a.at("tops").get<double>(), 0.256);               // 2 * 128000 / 1 us / 1e12
    EXPECT_EQ(a.at("dram_bytes"), 2560u);                              // 1536 + 1024
    EXPECT_DOUBLE_EQ(a.at("dram_gbps").get<double>(), 2.56);           // 2560 B / 1 us
    EXPECT_DOUBLE_EQ(a.at("dram_peak_fraction").get<double>(), 0.16);  // 2560 / (1000 * 16)
    // Default table, static 40 mW: MAC 128000*0.3, spad 4096*2.5, acc 2048*1.25,
    // DRAM 2560*160, static 40e9 pJ/s * 1 us.
    const json& e = a.at("energy_pj");
    EXPECT_DOUBLE_EQ(e.at("mac").get<double>(), 38400.0);
    EXPECT_DOUBLE_EQ(e.at("spad").get<double>(), 10240.0);
    EXPECT_DOUBLE_EQ(e.at("acc").get<double>(), 2560.0);
    EXPECT_DOUBLE_EQ(e.at("dram").get<double>(), 409600.0);
    EXPECT_DOUBLE_EQ(e.at("static").get<double>(), 40000.0);
    EXPECT_DOUBLE_EQ(e.at("total").get<double>(), 500800.0);
    EXPECT_EQ(a.at("checked"), true);
    EXPECT_EQ(a.at("bit_exact"), true);
    EXPECT_EQ(a.at("mismatches"), 0u);

    const json& b = j.at("layers").at(1);
    EXPECT_EQ(b.at("bit_exact"), false);
    EXPECT_EQ(b.at("mismatches"), 3u);
    EXPECT_DOUBLE_EQ(b.at("mac_utilization").get<double>(), 0.128);  // 65536 / (2000 * 256)

    const json& t = j.at("totals");
    EXPECT_EQ(t.at("cycles"), 3000u);
    EXPECT_EQ(t.at("macs_total"), 193536u);                          // 128000 + 65536
    EXPECT_DOUBLE_EQ(t.at("mac_utilization").get<double>(), 0.252);  // 193536 / (3000 * 256)
    EXPECT_EQ(t.at("layers"), 2u);
    EXPECT_EQ(t.at("layers_checked"), 2u);
    EXPECT_EQ(t.at("layers_bit_exact"), 1u);
    EXPECT_EQ(t.at("mismatches"), 3u);
    EXPECT_EQ(t.at("bit_exact"), false);
}

TEST(ReportJson, RepricingFromJsonEqualsDirectPricing) {
    const stats::RunStats run = sample_run();
    const cfg::HwConfig hw = sample_hw();
    const json j = through_text(stats_to_json(run, hw));
    const PricedRun p = price_from_stats_json(j);
    ASSERT_EQ(p.layers.size(), 2u);
    for (std::size_t i = 0; i < 2; ++i) {
        const energy::EnergyBreakdown direct =
            energy::price(run.layers[i].counters, run.layers[i].cycles(), 1e9, hw.energy);
        // Bit-identical: same integers, same doubles (nlohmann writes round-trip digits).
        EXPECT_EQ(p.layers[i].mac_pj, direct.mac_pj) << i;
        EXPECT_EQ(p.layers[i].spad_pj, direct.spad_pj) << i;
        EXPECT_EQ(p.layers[i].acc_pj, direct.acc_pj) << i;
        EXPECT_EQ(p.layers[i].dram_pj, direct.dram_pj) << i;
        EXPECT_EQ(p.layers[i].static_pj, direct.static_pj) << i;
        EXPECT_EQ(p.layers[i].total_pj(),
                  j.at("layers").at(i).at("energy_pj").at("total").get<double>());
    }
    const energy::EnergyBreakdown direct_total = energy::price(run.total, 3000, 1e9, hw.energy);
    EXPECT_EQ(p.total.total_pj(), direct_total.total_pj());
    EXPECT_EQ(p.total.total_pj(), j.at("totals").at("energy_pj").at("total").get<double>());

    // Another table: only the table changes the price.
    cfg::EnergyTable other;
    other.dram_pj_per_byte = 32.0;  // e.g. LPDDR4 ~4 pJ/bit
    const PricedRun q = price_from_stats_json(j, other);
    EXPECT_EQ(q.layers[0].dram_pj, 2560.0 * 32.0);
    EXPECT_EQ(q.layers[0].mac_pj, p.layers[0].mac_pj);
}

TEST(ReportJson, RepricingChargesStaticOverExclusiveCyclesAndEveryCore) {
    stats::RunStats run = sample_run();
    const cfg::HwConfig hw = sample_hw();
    // Layer 1 overlapped the previous by 200 cycles: its exclusive cycles are its span - 200.
    const uint64_t span = run.layers[1].cycles();
    run.layers[1].exclusive_cycles = span - 200;
    run.layers[1].overlapped_cycles = 200;
    json j = through_text(stats_to_json(run, hw));
    const PricedRun p = price_from_stats_json(j);
    const double per_cycle = energy::price({}, 1, 1e9, hw.energy).static_pj;
    EXPECT_DOUBLE_EQ(p.layers[1].static_pj, per_cycle * double(span - 200));
    EXPECT_EQ(p.layers[1].total_pj(),
              j.at("layers").at(1).at("energy_pj").at("total").get<double>());
    // A file of two cores: both leak.
    run.cores.resize(2);
    j = through_text(stats_to_json(run, hw));
    const PricedRun two = price_from_stats_json(j);
    EXPECT_DOUBLE_EQ(two.layers[1].static_pj, 2 * per_cycle * double(span - 200));
    EXPECT_DOUBLE_EQ(two.total.static_pj, 2 * p.total.static_pj);
    EXPECT_EQ(two.total.total_pj(), j.at("totals").at("energy_pj").at("total").get<double>());
    EXPECT_EQ(two.layers[1].total_pj(),
              j.at("layers").at(1).at("energy_pj").at("total").get<double>());
}

// A run with the shared L2: each layer and the totals have an `l2` object, the energy an `l2`
// term (its bytes at l2_pj_per_byte, in the total), the table its l2_pj_per_byte; repricing gives
// the same energies, and another table's L2 price; a run without an L2 writes none of these keys.
TEST(ReportJson, AnL2RunHasItsCountsAndEnergyAndReprices) {
    const json without = stats_to_json(sample_run(), sample_hw());
    EXPECT_FALSE(without.at("totals").contains("l2"));
    EXPECT_FALSE(without.at("totals").at("energy_pj").contains("l2"));
    EXPECT_FALSE(without.at("energy_table").contains("l2_pj_per_byte"));
    stats::RunStats run = sample_run();
    run.layers[0].l2 = stats::L2Counts{30, 10, 2, 4000};
    run.layers[1].l2 = stats::L2Counts{0, 0, 0, 0};
    run.l2 = stats::L2Counts{30, 10, 2, 4000};
    const cfg::HwConfig hw = sample_hw();
    const json j = through_text(stats_to_json(run, hw));
    const json& l0 = j.at("layers").at(0);
    EXPECT_EQ(l0.at("l2").at("hits").get<uint64_t>(), 30u);
    EXPECT_EQ(l0.at("l2").at("misses").get<uint64_t>(), 10u);
    EXPECT_EQ(l0.at("l2").at("writebacks").get<uint64_t>(), 2u);
    EXPECT_EQ(l0.at("l2").at("bytes").get<uint64_t>(), 4000u);
    EXPECT_EQ(l0.at("l2").at("hit_rate").get<double>(), 0.75);
    EXPECT_EQ(j.at("layers").at(1).at("l2").at("hit_rate").get<double>(), 0.0);
    EXPECT_EQ(l0.at("energy_pj").at("l2").get<double>(), 4000 * 12.5);
    EXPECT_EQ(j.at("energy_table").at("l2_pj_per_byte").get<double>(), 12.5);
    const json wl0 = without.at("layers").at(0).at("energy_pj");
    EXPECT_EQ(l0.at("energy_pj").at("total").get<double>(),
              wl0.at("total").get<double>() + 4000 * 12.5);
    const PricedRun p = price_from_stats_json(j);
    EXPECT_TRUE(p.layers[0].has_l2);
    EXPECT_EQ(p.layers[0].l2_pj, 4000 * 12.5);
    EXPECT_EQ(p.layers[0].total_pj(), l0.at("energy_pj").at("total").get<double>());
    EXPECT_EQ(p.total.total_pj(), j.at("totals").at("energy_pj").at("total").get<double>());
    cfg::EnergyTable other;
    other.l2_pj_per_byte = 2.0;
    EXPECT_EQ(price_from_stats_json(j, other).layers[0].l2_pj, 8000.0);
}

TEST(ReportJson, AFileWithoutRequantizationEnergyReadsItAsZero) {
    // schema_minor_version 1 had no requantization energy: its counters and table keys are
    // absent, and repricing such a file gives its energy as it was (no PPU term).
    stats::RunStats run = sample_run();
    run.layers[0].counters.requant_fixed_point_elements = 1000;
    run.total.requant_fixed_point_elements = 1000;
    const cfg::HwConfig hw = sample_hw();
    json j = through_text(stats_to_json(run, hw));
    const PricedRun now = price_from_stats_json(j);
    EXPECT_EQ(now.layers[0].ppu_pj, 1000 * hw.energy.requant_fixed_point_pj);
    j["energy_table"].erase("requant_fixed_point_pj");
    j["energy_table"].erase("requant_float32_pj");
    for (json* c :
         {&j["layers"][0]["counters"], &j["layers"][1]["counters"], &j["totals"]["counters"]}) {
        c->erase("requant_fixed_point_elements");
        c->erase("requant_float32_elements");
    }
    const PricedRun old = price_from_stats_json(j);
    EXPECT_EQ(old.layers[0].ppu_pj, 0.0);
    EXPECT_EQ(old.layers[0].total_pj(), now.layers[0].total_pj() - now.layers[0].ppu_pj);
    // Any other missing key is still an error.
    j["energy_table"].erase("static_mw");
    EXPECT_THROW((void)price_from_stats_json(j), UserError);
}

TEST(ReportJson, BadCountersAreAllReportedWithKeyPaths) {
    json c = stats_to_json(sample_run(), sample_hw()).at("layers").at(0).at("counters");
    c.erase("tiles");
    c["macs"] = "many";
    c["dram_bursts"] = -1;
    try {
        (void)counters_from_json(c, "layers[0].counters", "run/stats.json");
        FAIL() << "expected UserError";
    } catch (const UserError& e) {
        ASSERT_EQ(e.diagnostics().size(), 3u);
        EXPECT_EQ(e.diagnostics()[0].to_string(),
                  "run/stats.json: layers[0].counters.macs: expected a non-negative integer, "
                  "found string \"many\"");
        EXPECT_EQ(e.diagnostics()[1].to_string(),
                  "run/stats.json: layers[0].counters.tiles: expected a value, found nothing "
                  "(key missing)");
        EXPECT_EQ(e.diagnostics()[2].to_string(),
                  "run/stats.json: layers[0].counters.dram_bursts: expected a non-negative "
                  "integer, found number -1");
    }
}

void collect_keys(const json& j, std::vector<std::string>& keys) {
    if (j.is_object()) {
        for (auto it = j.begin(); it != j.end(); ++it) {
            keys.push_back(it.key());
            collect_keys(it.value(), keys);
        }
    } else if (j.is_array()) {
        for (const auto& v : j) collect_keys(v, keys);
    }
}

// docs/stats.md documents every key stats.json holds and every layers.csv column, as `key`.
TEST(ReportJson, EveryKeyAndColumnIsDocumented) {
    std::ifstream in(std::string(NPUSIM_SOURCE_DIR) + "/docs/stats.md");
    ASSERT_TRUE(in) << "docs/stats.md missing";
    const std::string doc((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::vector<std::string> keys;
    collect_keys(stats_to_json(sample_run(), sample_hw()), keys);
    EXPECT_GT(keys.size(), 60u);
    for (const auto& k : keys) {
        EXPECT_NE(doc.find("`" + k + "`"), std::string::npos) << "undocumented key " << k;
    }
    for (const auto& c : layers_csv_header()) {
        EXPECT_NE(doc.find("`" + c + "`"), std::string::npos) << "undocumented column " << c;
    }
}

class ReportJsonFiles : public ::testing::Test {
  protected:
    void SetUp() override {
        m_dir = std::filesystem::temp_directory_path() /
                ("npusim_report_json_" +
                 std::to_string(::testing::UnitTest::GetInstance()->random_seed()) + "_" +
                 ::testing::UnitTest::GetInstance()->current_test_info()->name());
        std::filesystem::remove_all(m_dir);
        std::filesystem::create_directories(m_dir);
    }
    void TearDown() override { std::filesystem::remove_all(m_dir); }
    std::filesystem::path m_dir;
};

TEST_F(ReportJsonFiles, WriteThenReadGivesTheSameDocument) {
    const std::string path = (m_dir / "stats.json").string();
    write_stats_json(path, sample_run(), sample_hw());
    const json back = read_stats_json(path);
    EXPECT_EQ(back, through_text(stats_to_json(sample_run(), sample_hw())));
    const PricedRun p = price_from_stats_json(back, path);
    EXPECT_EQ(p.total.total_pj(), back.at("totals").at("energy_pj").at("total").get<double>());
}

TEST_F(ReportJsonFiles, MissingDirectoryIsAUserErrorNamingThePath) {
    const std::string path = (m_dir / "no_such_dir" / "stats.json").string();
    try {
        write_stats_json(path, sample_run(), sample_hw());
        FAIL() << "expected UserError";
    } catch (const UserError& e) {
        EXPECT_EQ(std::string(e.what()), path + ": cannot write output file: directory '" +
                                             (m_dir / "no_such_dir").string() + "' does not exist");
    }
}

TEST_F(ReportJsonFiles, WrongSchemaVersionIsRefused) {
    const std::string path = (m_dir / "old.json").string();
    std::ofstream(path) << R"({"schema_version": 7, "tool": "npusim"})";
    try {
        (void)read_stats_json(path);
        FAIL() << "expected UserError";
    } catch (const UserError& e) {
        EXPECT_EQ(std::string(e.what()), path + ": schema_version: expected 1, found 7");
    }
}

// Found by fuzz_stats_json (tests/fuzz/crashes/fuzz_stats_json/number_overflow): a number beyond a
// double's range made nlohmann throw out_of_range, which escaped as an uncaught exception.
TEST(ReportJson, ANumberBeyondADoubleIsAUserErrorWithItsPosition) {
    try {
        (void)parse_json_bounded("{\n  \"cycles\": 5555e55555}", "golden.json");
        FAIL() << "expected UserError";
    } catch (const UserError& e) {
        EXPECT_EQ(std::string(e.what()),
                  "golden.json:2:13: invalid JSON: expected a number a double can hold, found "
                  "'5555e55555'");
    }
}

}  // namespace
}  // namespace npu::report

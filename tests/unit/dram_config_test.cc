// The dram section of the hardware config (dram.model, presets, the banked keys and their
// cross-field rules, dump round trip) and the DRAM energy model.
#include <gtest/gtest.h>

#include <cmath>

#include "sim/config/config_loader.h"
#include "sim/config/config_schema.h"
#include "sim/config/paths.h"
#include "sim/energy/dram_energy.h"

namespace npu::cfg {
namespace {

class DramConfigTest : public ::testing::Test {
  protected:
    void SetUp() override { set_data_dir(NPUSIM_SOURCE_DIR); }
};

HwConfig load(const std::string& yaml, const std::vector<std::string>& overrides = {}) {
    return load_hw_config_from_string(yaml, "hw.yaml", overrides);
}

std::string error_of(const std::string& yaml, const std::vector<std::string>& overrides = {}) {
    try {
        (void)load(yaml, overrides);
    } catch (const UserError& e) {
        std::string out;
        for (const auto& d : e.diagnostics()) out += d.to_string() + "\n";
        return out;
    }
    return "no error";
}

TEST_F(DramConfigTest, TheDefaultsAreTheDdr4Preset) {
    const HwConfig preset = load("dram: {preset: ddr4_3200}");
    EXPECT_EQ(config_differences(preset, HwConfig{}), std::vector<std::string>{});
    EXPECT_EQ(HwConfig{}.dram.model, DramModel::kSimple);
}

TEST_F(DramConfigTest, EveryPresetLoadsWithItsPeakBandwidth) {
    struct Case {
        const char* name;
        double peak;  // bytes/s: channels * burst bytes * clock / tBURST
    };
    const Case cases[] = {
        {"ddr4_3200", 1 * 64 * 1.6e9 / 4},      // 25.6 GB/s
        {"lpddr4_4266", 2 * 32 * 2.133e9 / 8},  // 17.064 GB/s
        {"lpddr5_6400", 2 * 32 * 0.8e9 / 2},    // 25.6 GB/s
        {"hbm2", 16 * 32 * 1e9 / 2},            // 256 GB/s
        {"ddr3_1600", 1 * 16 * 0.8e9 / 4},      // 3.2 GB/s
        {"ddr3_2133", 1 * 64 * 1.066e9 / 4},    // 17.056 GB/s
    };
    for (const Case& c : cases) {
        SCOPED_TRACE(c.name);
        const HwConfig hw =
            load(std::string("dram: {model: banked, size: 256MiB, preset: ") + c.name + "}");
        EXPECT_EQ(hw.dram.name, c.name);
        EXPECT_DOUBLE_EQ(hw.dram.peak_bytes_per_s(), c.peak);
        // 1 GHz NPU clock: bytes per NPU cycle = bytes per second / 1e9.
        EXPECT_DOUBLE_EQ(hw.dram_bytes_per_cycle(), c.peak / 1e9);
    }
    // The simple model keeps dram.bandwidth.
    EXPECT_DOUBLE_EQ(load("dram: {preset: hbm2, size: 256MiB}").dram_bytes_per_cycle(), 16.0);
}

TEST_F(DramConfigTest, APresetAppliesBeforeTheKeysBesideItAndSetOverridesInOrder) {
    const HwConfig hw = load("dram:\n  timing: {tCL: 24}\n  preset: hbm2\n  channels: 8\n");
    EXPECT_EQ(hw.dram.timing.tCL, 24);          // the file's key wins over the preset's 17
    EXPECT_EQ(hw.dram.timing.tRCD, 12);         // the preset's
    EXPECT_EQ(hw.dram.channels, 8);             // the file's
    EXPECT_EQ(hw.dram.size_bytes, 1ull << 30);  // a system key: the preset leaves it
    // --set applies in order: a preset resets every device key, later keys override it.
    const HwConfig set = load("dram: {timing: {tCL: 24}}",
                              {"dram.preset=ddr3_1600", "dram.timing.tRCD=12", "dram.size=512MiB"});
    EXPECT_EQ(set.dram.timing.tCL, 11);
    EXPECT_EQ(set.dram.timing.tRCD, 12);
    EXPECT_EQ(set.dram.name, "ddr3_1600");
}

TEST_F(DramConfigTest, TheDumpWritesTheExpandedValuesAndLoadsBackEqual) {
    const HwConfig hw = load("dram: {model: banked, preset: lpddr4_4266, page_policy: closed}",
                             {"dram.timing.tRTP=20"});
    const std::string dump = dump_yaml(hw);
    EXPECT_EQ(dump.find("\n  preset:"), std::string::npos) << dump;
    EXPECT_NE(dump.find("  name: \"lpddr4_4266\""), std::string::npos) << dump;
    EXPECT_NE(dump.find("  timing.tRTP: 20"), std::string::npos) << dump;
    EXPECT_NE(dump.find("  power.idd4r: 278.68"), std::string::npos) << dump;
    const HwConfig back = load_hw_config_from_string(dump, "dump.yaml", {});
    EXPECT_EQ(config_differences(hw, back), std::vector<std::string>{});
    EXPECT_EQ(dump_yaml(back), dump);
}

TEST_F(DramConfigTest, ImpossibleCombinationsAreReportedWithTheirLocations) {
    EXPECT_EQ(error_of("dram:\n  model: banked\n  timing:\n    tRC: 70\n"),
              "hw.yaml:4:10: dram.timing.tRC: expected >= tRAS + tRP = 52 + 22 = 74 (a row cycle "
              "is an activation plus a precharge), found 70\n");
    EXPECT_EQ(error_of("dram: {mapping: RoBaCoCh}"),
              "hw.yaml:1:17: dram.mapping: expected each of Ro, Ba, Bg, Ra, Co, Ch exactly once, "
              "most significant first (e.g. RoBaRaCoBgCh), found 'RoBaCoCh'\n");
    EXPECT_EQ(error_of("dram: {model: banked, size: 16GiB}"),
              "hw.yaml:1:29: dram.size: expected <= the banked DRAM's capacity (channels * ranks "
              "* bank_groups * banks_per_group * rows * columns * bus_width / 8 = 1 * 1 * 4 * 4 * "
              "65536 * 1024 * 8 = 8GiB), found 16GiB\n");
    EXPECT_EQ(error_of("dram: {rows: 1000, write_low: 30}"),
              "hw.yaml:1:14: dram.rows: expected a power of two (its address bits are decoded by "
              "dram.mapping), found 1000\n"
              "hw.yaml:1:31: dram.write_low: expected < dram.write_high (24) so draining stops "
              "before it starts again, found 30\n");
    // DDR4 has no per-bank refresh: no interval, no duration, no current.
    EXPECT_EQ(error_of("name: x", {"dram.refresh=per_bank"}),
              "--set: dram.timing.tREFIpb: expected >= 1 with dram.refresh per_bank (the device "
              "has no per-bank refresh otherwise), found 0\n"
              "--set: dram.timing.tRFCpb: expected >= 1 with dram.refresh per_bank (the device "
              "has no per-bank refresh otherwise), found 0\n"
              "hw.yaml: dram.power.idd5pb: expected >= idd3n (43 mA: refresh draws at least the "
              "active standby current), found 0\n");
    EXPECT_EQ(error_of("dram: {model: banked, channels: 3}"),
              "hw.yaml:1:33: dram.channels: expected a power of two with dram.model banked (the "
              "channel is decoded from address bits), found 3\n");
    // The simple model keeps its own rule and does not need a power of two.
    EXPECT_EQ(error_of("dram: {channels: 3, bandwidth: 48GB/s}"), "no error");
}

TEST_F(DramConfigTest, PresetNamesAndPresetFilesAreChecked) {
    EXPECT_EQ(error_of("dram: {preset: ddr9}"),
              "hw.yaml:1:16: dram.preset: expected a bundled DRAM preset (ddr3_1600, ddr3_2133, "
              "ddr4_3200, hbm2, lpddr4_4266, lpddr5_6400) or a path to a .yaml file, found "
              "'ddr9'\n");
    const std::string dir = testing::TempDir();
    const std::string path = dir + "/my_dram.yaml";
    {
        FILE* f = std::fopen(path.c_str(), "w");
        ASSERT_NE(f, nullptr);
        std::fputs("clock: 1GHz\nmodel: banked\ntimeing: {tCL: 3}\n", f);
        std::fclose(f);
    }
    EXPECT_EQ(error_of("dram: {preset: " + path + "}"),
              path +
                  ":2:1: dram.model: is not a device key: a preset sets the device, the hardware "
                  "config sets dram.model, dram.size and the simple model's keys\n" +
                  path + ":3:1: dram.timeing: unknown key, did you mean 'dram.timing'?\n");
    // A valid custom preset: keys it leaves out are the defaults; its name is the file's stem.
    {
        FILE* f = std::fopen(path.c_str(), "w");
        std::fputs("clock: 1GHz\ntiming: {tCL: 30}\n", f);
        std::fclose(f);
    }
    const HwConfig hw = load("dram: {preset: hbm2}", {"dram.preset=" + path});
    EXPECT_EQ(hw.dram.name, "my_dram");
    EXPECT_EQ(hw.dram.clock_hz, 1e9);
    EXPECT_EQ(hw.dram.timing.tCL, 30);
    EXPECT_EQ(hw.dram.timing.tRCD, 22);  // back to the default, not hbm2's 12
    EXPECT_EQ(hw.dram.channels, 1);
}

TEST_F(DramConfigTest, TheSchemaDocumentsEveryDramKey) {
    const std::string schema = schema_text();
    for (const auto& f : hw_fields()) {
        if (f.key.rfind("dram.", 0) != 0) continue;
        EXPECT_NE(schema.find("\n" + f.key + " "), std::string::npos) << f.key;
    }
    EXPECT_NE(schema.find("\ndram.preset "), std::string::npos);
    EXPECT_NE(schema.find("all_bank | per_bank | off"), std::string::npos);
}

TEST_F(DramConfigTest, Ddr4EnergyPerOperationByMicronsMethod) {
    // DDR4-3200: tCK = 0.625 ns, VDD 1.2 V, 8 devices per rank; currents per device (mA):
    // IDD0 48, IDD2N 34, IDD3N 43, IDD4R 135, IDD4W 123, IDD5B 250.
    const auto e = energy::dram_operation_energy(DramConfig{});
    ASSERT_TRUE(e.has_value());
    // ACT: 1.2 * (48 * 74 - (43 * 52 + 34 * 22)) * 0.625 = 1.2 * 568 * 0.625 = 426 pJ, x 8.
    EXPECT_NEAR(e->activate_pj, 3408, 1e-9);
    // RD: 1.2 * (135 - 43) * 4 * 0.625 = 276 pJ, x 8 = 2208 pJ per 64 bytes (34.5 pJ/byte).
    EXPECT_NEAR(e->read_pj, 2208, 1e-9);
    // WR: 1.2 * (123 - 43) * 4 * 0.625 = 240 pJ, x 8.
    EXPECT_NEAR(e->write_pj, 1920, 1e-9);
    // REF: 1.2 * (250 - 43) * 560 * 0.625 = 86940 pJ, x 8.
    EXPECT_NEAR(e->refresh_pj, 695520, 1e-6);
    // Background per rank-cycle: 1.2 * 43 * 0.625 * 8 = 258 pJ; 1.2 * 34 * 0.625 * 8 = 204 pJ.
    EXPECT_NEAR(e->active_standby_pj, 258, 1e-9);
    EXPECT_NEAR(e->precharged_standby_pj, 204, 1e-9);

    energy::DramActivity a;
    a.activates = 10;
    a.reads = 100;
    a.writes = 20;
    a.refreshes = 1;
    a.active_rank_cycles = 1000;
    a.precharged_rank_cycles = 500;
    const auto priced = energy::price_dram(a, DramConfig{});
    ASSERT_TRUE(priced.has_value());
    EXPECT_NEAR(priced->activate_pj, 34080, 1e-6);
    EXPECT_NEAR(priced->read_pj, 220800, 1e-6);
    EXPECT_NEAR(priced->write_pj, 38400, 1e-6);
    EXPECT_NEAR(priced->refresh_pj, 695520, 1e-6);
    EXPECT_NEAR(priced->background_pj, 258000 + 102000, 1e-6);
    EXPECT_NEAR(priced->total_pj(), 34080 + 220800 + 38400 + 695520 + 360000, 1e-6);
}

TEST_F(DramConfigTest, DevicesWithoutIddDataAreNotPricedByTheIddMethod) {
    const HwConfig hw = load("dram: {preset: hbm2, size: 256MiB}");
    EXPECT_FALSE(energy::dram_operation_energy(hw.dram).has_value());
    EXPECT_FALSE(energy::price_dram({}, hw.dram).has_value());
    // LPDDR4 per-bank refresh: 1.1 * (51.85 - 33.68) * 406 * 0.4688 ns, one x16 device.
    const HwConfig lp = load("dram: {preset: lpddr4_4266, size: 256MiB}");
    const auto e = energy::dram_operation_energy(lp.dram);
    ASSERT_TRUE(e.has_value());
    EXPECT_NEAR(e->refresh_per_bank_pj, 1.1 * (51.85 - 33.68) * 406 * (1e9 / 2.133e9), 1e-6);
}

}  // namespace
}  // namespace npu::cfg

#include "sim/energy/energy_model.h"

#include <gtest/gtest.h>

namespace npu::energy {
namespace {

// A table of dyadic fractions, so every product below is exact in binary floating point.
cfg::EnergyTable dyadic_table() {
    cfg::EnergyTable t;
    t.name = "test";
    t.mac_int8_pj = 0.25;
    t.spad_read_pj_per_byte = 2.0;
    t.spad_write_pj_per_byte = 3.0;
    t.acc_read_pj_per_byte = 0.5;
    t.acc_write_pj_per_byte = 1.0;
    t.dram_pj_per_byte = 100.0;
    t.static_mw = 50.0;
    return t;
}

stats::Counters sample_counters() {
    stats::Counters c;
    c.macs = 1000;
    c.spad_read_bytes = 64;
    c.spad_write_bytes = 32;
    c.acc_read_bytes = 16;
    c.acc_write_bytes = 8;
    c.dram_read_bytes = 100;
    c.dram_write_bytes = 28;
    return c;
}

TEST(EnergyModel, PricesEveryComponentExactly) {
    const EnergyBreakdown e = price(sample_counters(), 2000, 1e9, dyadic_table());
    EXPECT_EQ(e.mac_pj, 250.0);         // 1000 MACs * 0.25 pJ
    EXPECT_EQ(e.spad_pj, 224.0);        // 64 B * 2 pJ + 32 B * 3 pJ = 128 + 96
    EXPECT_EQ(e.acc_pj, 16.0);          // 16 B * 0.5 pJ + 8 B * 1 pJ = 8 + 8
    EXPECT_EQ(e.sram_pj(), 240.0);      // 224 + 16
    EXPECT_EQ(e.dram_pj, 12800.0);      // (100 + 28) B * 100 pJ
    EXPECT_EQ(e.static_pj, 100000.0);   // 50 mW * 2000 cycles / 1 GHz = 50 mW * 2 us = 100 nJ
    EXPECT_EQ(e.total_pj(), 113290.0);  // 250 + 224 + 16 + 12800 + 100000
}

TEST(EnergyModel, DefaultHorowitzTable) {
    stats::Counters c;
    c.macs = 1'000'000;
    c.spad_read_bytes = 4096;
    c.acc_write_bytes = 1024;
    c.dram_read_bytes = 65536;
    const EnergyBreakdown e = price(c, 10'000, 700e6, cfg::EnergyTable{});
    EXPECT_DOUBLE_EQ(e.mac_pj, 300000.0);     // 1e6 * 0.3 pJ
    EXPECT_DOUBLE_EQ(e.spad_pj, 10240.0);     // 4096 B * 2.5 pJ
    EXPECT_DOUBLE_EQ(e.acc_pj, 1280.0);       // 1024 B * 1.25 pJ
    EXPECT_DOUBLE_EQ(e.dram_pj, 10485760.0);  // 65536 B * 160 pJ
    // 50 mW * 10000 cycles / 700 MHz = 50e9 pJ/s * 14.2857 us = 714285.714... pJ
    EXPECT_DOUBLE_EQ(e.static_pj, 50.0 * 1e9 * 10000.0 / 700e6);
    EXPECT_NEAR(e.static_pj, 714285.714285714, 1e-6);
    EXPECT_DOUBLE_EQ(e.total_pj(), 300000.0 + 10240.0 + 1280.0 + 10485760.0 + e.static_pj);
}

TEST(EnergyModel, CountersThatAreNotPricedDoNotChangeEnergy) {
    stats::Counters c = sample_counters();
    const EnergyBreakdown base = price(c, 2000, 1e9, dyadic_table());
    c.instructions = 77;
    c.tiles = 9;
    c.dram_bursts = 3;
    c.dma_descriptors = 2;
    c.spad_bank_conflicts = 5;
    c.compute_wait_load_cycles = 400;
    const EnergyBreakdown again = price(c, 2000, 1e9, dyadic_table());
    EXPECT_EQ(again.total_pj(), base.total_pj());
}

TEST(EnergyModel, ZeroCyclesOrZeroClockHaveNoStaticEnergy) {
    EXPECT_EQ(price(sample_counters(), 0, 1e9, dyadic_table()).static_pj, 0.0);
    EXPECT_EQ(price(sample_counters(), 0, 0.0, dyadic_table()).static_pj, 0.0);
    EXPECT_EQ(price(stats::Counters{}, 0, 1e9, dyadic_table()).total_pj(), 0.0);
}

TEST(EnergyModel, PricingIsLinearInCounts) {
    stats::Counters twice = sample_counters();
    twice += sample_counters();
    const EnergyBreakdown one = price(sample_counters(), 1000, 1e9, dyadic_table());
    const EnergyBreakdown two = price(twice, 2000, 1e9, dyadic_table());
    EXPECT_EQ(two.total_pj(), 2 * one.total_pj());  // 2 * (250+224+16+12800+50000) = 126580
    EXPECT_EQ(two.total_pj(), 126580.0);
}

TEST(EnergyModel, RequantizationIsPricedInItsArithmetic) {
    cfg::EnergyTable t = dyadic_table();
    t.requant_fixed_point_pj = 3.25;
    t.requant_float32_pj = 4.0;
    stats::Counters c;
    c.postproc_elements = 150;  // not priced itself: the float layers' and vector unit's part
    c.requant_fixed_point_elements = 100;
    c.requant_float32_elements = 10;
    const EnergyBreakdown e = price(c, 0, 1e9, t);
    EXPECT_EQ(e.ppu_pj, 365.0);      // 100 * 3.25 + 10 * 4.0
    EXPECT_EQ(e.total_pj(), 365.0);  // nothing else was counted
}

TEST(EnergyModel, DefaultRequantizationEnergiesFollowHorowitz) {
    const cfg::EnergyTable t;
    EXPECT_DOUBLE_EQ(t.requant_fixed_point_pj, 3.1 + 0.1 + 0.1);    // 32-bit mul + add/shift + zp
    EXPECT_DOUBLE_EQ(t.requant_float32_pj, 3.7 + 0.1 + 0.1 + 0.1);  // fp32 mul + 2 cvt + zp
}

TEST(EnergyModel, AreaCountsThePostProcessingLanesInTheirArithmetic) {
    cfg::HwConfig hw;  // 16x16 int8 PEs of 419 um^2, 256 + 64 KiB SRAM at 5 um^2/byte, 16 lanes
    const double base = 256.0 * 419.0 + 5.0 * (256.0 + 64.0) * 1024.0;
    EXPECT_DOUBLE_EQ(hw.area_mm2(Precision::kInt8), (base + 16.0 * 3632.0) * 1e-6);
    hw.postproc.requant = RequantMode::kFloat32;
    EXPECT_DOUBLE_EQ(hw.area_mm2(Precision::kInt8), (base + 16.0 * 7974.0) * 1e-6);
    hw.postproc.lanes = 4;
    EXPECT_DOUBLE_EQ(hw.area_mm2(Precision::kInt8), (base + 4.0 * 7974.0) * 1e-6);
}

}  // namespace
}  // namespace npu::energy

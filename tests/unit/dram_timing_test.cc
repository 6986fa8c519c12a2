// Closed-form timing of the banked DRAM, each figure derived by hand (docs/dram.md, "Proofs") on
// the DDR4-3200 preset (the defaults: tRCD = tRP = tCL = 22, tCWL 16, tRAS 52, tRC 74, tRRD_S 4,
// tRRD_L 8, tFAW 34, tCCD_S 4, tCCD_L 8, tBURST 4, tRTP 12, tREFI 12480, tRFC 560; 64-byte
// bursts; mapping RoBaRaCoBgCh), plus the address map, the clock conversion and the API contract.
// A request arriving at cycle a is registered in a and schedulable from a + 1.
#include <gtest/gtest.h>

#include <random>
#include <utility>
#include <vector>

#include "models/mem/dram/banked_dram.h"
#include "models/mem/dram/traffic.h"
#include "sim/config/config_loader.h"
#include "sim/config/paths.h"
#include "sim/core/error.h"

namespace npu::dram {
namespace {

cfg::DramConfig ddr4(cfg::RefreshMode refresh = cfg::RefreshMode::kOff,
                     cfg::PagePolicy policy = cfg::PagePolicy::kOpen) {
    cfg::DramConfig c;  // the DDR4-3200 preset's values
    c.model = cfg::DramModel::kBanked;
    c.refresh = refresh;
    c.page_policy = policy;
    return c;
}

uint64_t address(const BankedDram& d, uint32_t group, uint32_t bank, uint32_t row,
                 uint32_t column = 0) {
    DramAddress a;
    a.bank_group = group;
    a.bank = bank;
    a.row = row;
    a.column = column;
    return d.address_map().encode(a);
}

// Runs until every request is done; returns the completions in order.
std::vector<Completion> drain(BankedDram& d) {
    std::vector<Completion> done;
    while (const auto e = d.next_event()) d.advance(*e, done);
    return done;
}

Completion read_one(BankedDram& d, uint64_t addr, uint64_t at, bool write = false) {
    d.enqueue({at, addr, 64, write, at});
    auto done = drain(d);
    EXPECT_EQ(done.size(), 1u);
    return done.empty() ? Completion{} : done[0];
}

TEST(DramTiming, ReadOnAClosedBankTakesRcdPlusClPlusBurst) {
    BankedDram d(ddr4());
    std::vector<CommandRecord> trace;
    d.set_trace(0, &trace);
    // ACT at 101, RD at 101 + tRCD = 123, data done at 123 + tCL + tBURST = 149:
    // 1 + 22 + 22 + 4 = 49 cycles after the arrival.
    const Completion c = read_one(d, address(d, 1, 2, 7), 100);
    EXPECT_EQ(c.cycle, 149u);
    EXPECT_EQ(c.row_misses, 1u);
    ASSERT_EQ(trace.size(), 2u);
    EXPECT_EQ(trace[0].cycle, 101u);
    EXPECT_EQ(trace[0].command, Command::kAct);
    EXPECT_EQ(trace[1].cycle, 123u);
    EXPECT_EQ(trace[1].command, Command::kRd);
    // A write: WR at 123, data written at 123 + tCWL + tBURST = 143 (arrival 100 + 43).
    BankedDram w(ddr4());
    EXPECT_EQ(read_one(w, address(w, 1, 2, 7), 100, true).cycle, 143u);
}

TEST(DramTiming, RowHitSkipsTheActivateAndARowConflictAddsAPrecharge) {
    BankedDram d(ddr4());
    read_one(d, address(d, 0, 0, 5), 0);  // opens row 5 of bank 0, group 0
    // Hit, long after: RD at 1001, done 1001 + tCL + tBURST = 1027 (1 + 22 + 4 = 27 cycles).
    const Completion hit = read_one(d, address(d, 0, 0, 5, 3), 1000);
    EXPECT_EQ(hit.cycle, 1027u);
    EXPECT_EQ(hit.row_hits, 1u);
    // Conflict: PRE at 2001, ACT at 2001 + tRP = 2023, RD at 2045, done 2071:
    // 1 + tRP + tRCD + tCL + tBURST = 1 + 22 + 22 + 22 + 4 = 71 cycles, tRP more than a miss.
    const Completion conflict = read_one(d, address(d, 0, 0, 6), 2000);
    EXPECT_EQ(conflict.cycle, 2071u);
    EXPECT_EQ(conflict.row_conflicts, 1u);
}

TEST(DramTiming, ClosedPageMissesEveryTimeAndABankCyclesInTrc) {
    BankedDram d(ddr4(cfg::RefreshMode::kOff, cfg::PagePolicy::kClosed));
    // Two reads to the same row of one bank, arriving together. The first: ACT 1, RDA 23, done
    // 49. Its auto-precharge at max(RDA + tRTP, ACT + tRAS) = max(35, 53) = 53; the second ACT
    // at 53 + tRP = 75 = 1 + tRC, RDA at 97, done 97 + 26 = 123: a miss again.
    const uint64_t a = address(d, 0, 0, 9);
    d.enqueue({0, a, 64, false, 0});
    d.enqueue({1, a + 64 * 4, 64, false, 0});  // the next column of the same bank and row
    const auto done = drain(d);
    ASSERT_EQ(done.size(), 2u);
    EXPECT_EQ(done[0].cycle, 49u);
    EXPECT_EQ(done[1].cycle, 123u);
    EXPECT_EQ(done[1].row_misses, 1u);
    EXPECT_EQ(d.channel_stats(0).precharges, 2u);
}

TEST(DramTiming, FourActivatesPerWindow) {
    cfg::DramConfig c = ddr4();
    c.timing.tRCD = 60;  // keep the reads out of the way of the fifth ACT
    c.timing.tRAS = 60;
    c.timing.tRC = 82;
    BankedDram d(c);
    std::vector<CommandRecord> trace;
    d.set_trace(0, &trace);
    // Banks in groups 0, 1, 2, 3, then group 0 again. ACTs at 1, 5, 9, 13 (tRRD_S = 4 apart);
    // the fifth would be due at max(13 + tRRD_S, 1 + tRRD_L) = 17 but waits for the window
    // opened by the first: 1 + tFAW = 35.
    for (uint32_t i = 0; i < 5; ++i) d.enqueue({i, address(d, i % 4, i / 4, 3), 64, false, 0});
    drain(d);
    std::vector<uint64_t> acts;
    for (const CommandRecord& r : trace) {
        if (r.command == Command::kAct) acts.push_back(r.cycle);
    }
    EXPECT_EQ(acts, (std::vector<uint64_t>{1, 5, 9, 13, 35}));
}

TEST(DramTiming, StreamingReadsRunAtOneBurstPerTccdS) {
    // 256 KiB = 4096 bursts, all requested at cycle 0. Consecutive bursts alternate bank groups,
    // so column commands go tCCD_S = 4 apart, every burst a row hit but the first of each bank;
    // the ACTs (and the PREs when the stream reaches row 1) hide in the cycles between reads.
    // The first read: ACT 1, RD 23; the last RD at 23 + 4095 * 4 = 16403, done + 26 = 16429.
    const uint64_t n = 4096;
    for (bool write : {false, true}) {
        BankedDram d(ddr4());
        for (uint64_t i = 0; i < n; ++i) d.enqueue({i, i * 64, 64, write, 0});
        const auto done = drain(d);
        ASSERT_EQ(done.size(), n);
        // Writes: WR 23 + 4095 * 4 = 16403, written 16403 + tCWL + tBURST = 16423.
        EXPECT_EQ(done.back().cycle, write ? 16423u : 16429u);
        const ChannelStats s = d.channel_stats(0);
        EXPECT_EQ(s.row_hits + s.row_misses + s.row_conflicts, n);
        // 512 bursts per bank (128 columns x 4 groups), 2048 per row: rows 0 and 1 of banks 0-3
        // in each of 4 groups, 32 ACTs; the 16 of row 1 find row 0 open (conflicts).
        EXPECT_EQ(s.activates, 32u);
        EXPECT_EQ(s.row_conflicts, 16u);
    }
}

TEST(DramTiming, StreamingWithRefreshLosesAboutTrfcPerTrefi) {
    // 16 MiB streamed. Each refresh stops the data bus for tRFC = 560 cycles at least, and at
    // most 3 (the read slot) + tRTP 12 + 15 (16 PREs, one per cycle) + tRP 22 + tRFC 560 +
    // tRCD 22 = 634 cycles: the efficiency lies between 1 - 634 / 12480 = 0.9492 and
    // 1 - 560 / 12480 = 0.9551.
    const uint64_t n = 16 * 1024 * 1024 / 64;
    const TrafficResult r =
        run_traffic(ddr4(cfg::RefreshMode::kAllBank), Pattern::kStreaming, n, 0, 256);
    const double efficiency = static_cast<double>(n) * 4 / static_cast<double>(r.cycles);
    EXPECT_GT(efficiency, 1 - 634.0 / 12480);
    EXPECT_LT(efficiency, 1 - 560.0 / 12480);
    // One refresh per tREFI, each holding the rank for at least tRFC after falling due.
    EXPECT_EQ(r.stats.refreshes, r.cycles / 12480);
    EXPECT_GE(r.stats.refresh_cycles, r.stats.refreshes * 560);
}

TEST(DramTiming, AllBankRefreshBlocksTheRankAndPerBankRefreshOnlyItsBank) {
    {
        // DDR4: the first refresh falls due at tREFI = 12480, REF at once (all banks closed);
        // a read arriving then waits for tRFC: ACT 12480 + 560 = 13040, RD 13062, done 13088.
        BankedDram d(ddr4(cfg::RefreshMode::kAllBank));
        EXPECT_EQ(read_one(d, address(d, 2, 1, 4), 12480).cycle, 13088u);
        EXPECT_EQ(d.channel_stats(0).refreshes, 1u);
    }
    {
        // LPDDR4-4266 (per-bank refresh): REFpb of bank 0 at tREFIpb = 1042. A read to bank 1
        // arriving then waits only for REFpb -> ACT tRRD = 22: ACT 1064, RD 1064 + 39 = 1103,
        // done 1103 + tCL 36 + tBURST 8 = 1147. A read to bank 0 waits for tRFCpb: ACT
        // 1042 + 406 = 1448, RD 1487, done 1531.
        cfg::set_data_dir(NPUSIM_SOURCE_DIR);
        cfg::HwConfig hw = cfg::load_hw_config_from_string(
            "dram: {model: banked, preset: lpddr4_4266, channels: 1}", "test.yaml", {});
        BankedDram d(hw.dram);
        DramAddress bank0;
        DramAddress bank1;
        bank1.bank = 1;
        d.enqueue({0, d.address_map().encode(bank0), 32, false, 1042});
        d.enqueue({1, d.address_map().encode(bank1), 32, false, 1042});
        const auto done = drain(d);
        ASSERT_EQ(done.size(), 2u);
        EXPECT_EQ(done[0].id, 1u);
        EXPECT_EQ(done[0].cycle, 1147u);
        EXPECT_EQ(done[1].cycle, 1531u);
    }
}

TEST(DramTiming, ARequestSplitsIntoBurstsOverChannels) {
    cfg::set_data_dir(NPUSIM_SOURCE_DIR);
    cfg::HwConfig hw =
        cfg::load_hw_config_from_string("dram: {model: banked, preset: hbm2}", "test.yaml", {});
    BankedDram d(hw.dram);
    // HBM2: 32-byte bursts, consecutive bursts on consecutive pseudo channels. 100 bytes from
    // address 16 touch bursts 0-3 (bytes 0-127), one per channel 0-3, served in parallel:
    // ACT 1, RD 1 + tRCD 12 = 13, done 13 + tCL 17 + tBURST 2 = 32.
    d.enqueue({7, 16, 100, false, 0});
    const auto done = drain(d);
    ASSERT_EQ(done.size(), 1u);
    EXPECT_EQ(done[0].bursts, 4u);
    EXPECT_EQ(done[0].cycle, 32u);
    for (int ch = 0; ch < 4; ++ch) EXPECT_EQ(d.channel_stats(ch).reads, 1u) << ch;
    EXPECT_EQ(d.channel_stats(4).reads, 0u);
}

TEST(DramTiming, TheDefaultMappingSlicesAddressBits) {
    BankedDram d(ddr4());
    const AddressMap& m = d.address_map();
    // RoBaRaCoBgCh over 64-byte bursts: bits 0-5 byte, 6-7 bank group, 8-14 column (128 bursts
    // per 8 KiB row), 15-16 bank, 17-32 row (no rank or channel bits).
    EXPECT_EQ(m.decode(0x40).bank_group, 1u);
    EXPECT_EQ(m.decode(0x100).column, 1u);
    EXPECT_EQ(m.decode(0x8000).bank, 1u);
    EXPECT_EQ(m.decode(0x20000).row, 1u);
    EXPECT_EQ(m.decode(0x3f).column, 0u);
    std::mt19937_64 rng(1);
    for (int i = 0; i < 1000; ++i) {
        const uint64_t addr = (rng() % (8ull << 30)) & ~uint64_t{63};
        EXPECT_EQ(m.encode(m.decode(addr)), addr);
    }
}

TEST(DramTiming, ClockDomainsConvertExactlyAndRoundUp) {
    // NPU 1 GHz, DDR4-3200 command clock 1.6 GHz: 1000 NPU cycles = 1600 memory cycles exactly;
    // NPU cycle 1 (1 ns) is memory cycle 1.6 -> 2; memory cycle 3 (1.875 ns) -> NPU cycle 2.
    const ClockDomains k(1'000'000'000, 1'600'000'000);
    EXPECT_EQ(k.to_memory(1000), 1600u);
    EXPECT_EQ(k.to_memory(1), 2u);
    EXPECT_EQ(k.to_npu(3), 2u);
    EXPECT_EQ(k.to_npu(1600), 1000u);
    EXPECT_EQ(k.to_memory(0), 0u);
    // No overflow for long runs: 10^15 NPU cycles (11.6 days at 1 GHz).
    EXPECT_EQ(k.to_memory(1'000'000'000'000'000), 1'600'000'000'000'000u);
    // LPDDR4-4266 at 2133 MHz against 700 MHz: 700 NPU cycles = 2133 memory cycles.
    const ClockDomains l(700'000'000, 2'133'000'000);
    EXPECT_EQ(l.to_memory(700), 2133u);
    EXPECT_EQ(l.to_npu(2133), 700u);
    EXPECT_EQ(l.to_npu(1), 1u);
    // Products beyond 64 bits take the wide path: ceil(2^62 * 7 / 3).
    const ClockDomains w(3, 7);
    EXPECT_EQ(w.to_memory(uint64_t{1} << 62), 10'760'600'709'663'905'110u);
}

TEST(DramTiming, MulDivCeilByReciprocalEqualsTheDivision) {
    // The reciprocal path against the plain 128-bit division, for ratios of every kind (one,
    // powers of two, primes, reduced clock ratios, large) and multiplicands of every magnitude,
    // including both sides of the switch to the wide path.
    __extension__ using u128 = unsigned __int128;
    const auto exact = [](uint64_t a, uint64_t b, uint64_t c) {
        return static_cast<uint64_t>((static_cast<u128>(a) * b + c - 1) / c);
    };
    std::mt19937_64 rng(12);
    std::vector<std::pair<uint64_t, uint64_t>> ratios = {{1, 1},
                                                         {8, 5},
                                                         {5, 8},
                                                         {2133, 700},
                                                         {700, 2133},
                                                         {7, 3},
                                                         {1, 1024},
                                                         {1024, 1},
                                                         {3, 4096},
                                                         {1'000'000'007, 998'244'353},
                                                         {1, 3'000'000'019},
                                                         {4'000'000'000, 1},
                                                         {3, 1},
                                                         {(uint64_t{1} << 62) + 1, 1},
                                                         {uint64_t{1} << 63, 1},
                                                         {UINT64_MAX, 1}};
    for (int i = 0; i < 200; ++i)
        ratios.emplace_back(rng() % 10'000'000'000 + 1, rng() % 10'000'000'000 + 1);
    for (const auto& [b, c] : ratios) {
        const MulDivCeil f(b, c);
        const uint64_t limit = ((uint64_t{1} << 63) - c) / b;
        std::vector<uint64_t> as = {0, 1, 2, c - 1, c, c + 1, limit - 1, limit, limit + 1};
        for (int i = 0; i < 500; ++i) as.push_back(rng() >> (rng() % 64));
        for (const uint64_t a : as) {
            if (static_cast<u128>(a) * b / c > UINT64_MAX - 1) continue;  // the result must fit
            ASSERT_EQ(f(a), exact(a, b, c)) << a << " * " << b << " / " << c;
        }
    }
}

TEST(DramTiming, BrokenContractsAreModelErrors) {
    BankedDram d(ddr4());
    std::vector<Completion> done;
    d.advance(100, done);
    try {
        d.enqueue({5, 0, 64, false, 99});
        FAIL() << "expected a ModelError";
    } catch (const ModelError& e) {
        EXPECT_NE(std::string(e.what()).find("request 5 (64 bytes at cycle 99) breaks the "
                                             "contract"),
                  std::string::npos)
            << e.what();
    }
    EXPECT_THROW(d.enqueue({6, 0, 0, false, 100}), ModelError);
    EXPECT_THROW(d.advance(50, done), ModelError);
}

}  // namespace
}  // namespace npu::dram

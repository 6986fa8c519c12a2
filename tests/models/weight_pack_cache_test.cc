// The integer datapath packs a weight block once per load and reuses it across the COMPUTE
// blocks that read it; a write to the block's scratchpad range (announced through
// IntDatapath::invalidate, which the core calls for every scratchpad write BankedSram reports)
// makes the next COMPUTE pack the new bytes.
#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <utility>
#include <vector>

#include "models/datapath/int_datapath.h"
#include "models/mem/banked_sram.h"
#include "sim/stats/component_stats.h"

namespace npu {
namespace {

constexpr int kM = 8, kK = 20, kN = 6;
constexpr uint32_t kSlab = 0, kW = 1024, kBias = 2048, kOther = 3072;

// A matmul-shaped layer (1 x kM output pixels, 1x1 kernel, kK input channels) with both zero
// points, so the cached column sums matter too.
isa::LayerDesc layer() {
    isa::LayerDesc L;
    L.op = "matmul";
    L.precision = Precision::kInt8;
    L.in_h = 1;
    L.in_w = kM;
    L.in_c = kK;
    L.out_h = 1;
    L.out_w = kM;
    L.out_c = kN;
    L.a_zero_point = 3;
    L.b_zero_point = -2;
    return L;
}

// Rows [m0, m0 + 4) of the product into accumulator bytes acc_addr.
isa::Compute block(int64_t m0, uint32_t acc_addr) {
    isa::Compute c;
    c.m0 = m0;
    c.m = 4;
    c.k = kK;
    c.n = kN;
    c.slab_addr = kSlab;
    c.slab_rows = 1;
    c.w_addr = kW;
    c.bias_addr = kBias;
    c.acc_addr = acc_addr;
    return c;
}

struct Fixture {
    Fixture() : spad(4096, 0), acc(4096, 0) {
        for (int i = 0; i < kM * kK; ++i) spad[kSlab + i] = static_cast<uint8_t>(i * 37 + 5);
        const std::vector<int32_t> bias{100, -7, 0, 33, -1000, 12};
        std::memcpy(&spad[kBias], bias.data(), bias.size() * 4);
    }
    void set_weights(int seed) {
        for (int e = 0; e < kK * kN; ++e) spad[kW + e] = static_cast<uint8_t>(e * seed + 11);
    }
    // acc = bias + sum_k (a - za)(w - zb) for rows [m0, m0 + 4), from the current bytes.
    void expect_block(int64_t m0, uint32_t acc_addr, const char* when) const {
        const isa::LayerDesc L = layer();
        for (int i = 0; i < 4; ++i) {
            for (int j = 0; j < kN; ++j) {
                int32_t want = 0;
                std::memcpy(&want, &spad[kBias + size_t(j) * 4], 4);
                for (int kk = 0; kk < kK; ++kk) {
                    const int32_t a = static_cast<int8_t>(spad[kSlab + size_t((m0 + i) * kK + kk)]);
                    const int32_t w = static_cast<int8_t>(spad[kW + size_t(kk * kN + j)]);
                    want += (a - L.a_zero_point) * (w - L.b_zero_point);
                }
                int32_t got = 0;
                std::memcpy(&got, &acc[acc_addr + size_t(i * kN + j) * 4], 4);
                ASSERT_EQ(got, want) << when << " row " << m0 + i << " col " << j;
            }
        }
    }
    datapath::Memory mem() { return {spad.data(), acc.data()}; }
    std::vector<uint8_t> spad, acc;
};

TEST(WeightPackCache, ABlockIsPackedOncePerLoadAndAWriteToItsRangeRepacksIt) {
    Fixture f;
    datapath::IntDatapath dp(Rounding::kHalfUp, RequantMode::kFixedPoint);
    const isa::LayerDesc L = layer();
    f.set_weights(7);
    dp.compute_block(block(0, 0), L, f.mem(), {});
    dp.compute_block(block(4, 256), L, f.mem(), {});
    EXPECT_EQ(dp.blocks_packed(), 1u);  // the second m-block reuses the packed block
    f.expect_block(0, 0, "first load, m-block 0:");
    f.expect_block(4, 256, "first load, m-block 1:");

    // A write next to the block (its last byte + 1 onwards) keeps it.
    f.spad[kOther] = 1;
    dp.invalidate(kW + uint64_t{kK} * kN, 16);
    dp.compute_block(block(0, 0), L, f.mem(), {});
    EXPECT_EQ(dp.blocks_packed(), 1u);

    // New weights in the range (a write touching only its last byte announces it): repacked,
    // and the product is the new weights'.
    f.set_weights(13);
    dp.invalidate(kW + uint64_t{kK} * kN - 1, 1);
    dp.compute_block(block(0, 0), L, f.mem(), {});
    dp.compute_block(block(4, 256), L, f.mem(), {});
    EXPECT_EQ(dp.blocks_packed(), 2u);
    f.expect_block(0, 0, "second load, m-block 0:");
    f.expect_block(4, 256, "second load, m-block 1:");
}

TEST(WeightPackCache, AnotherShapeAtTheSameAddressIsAnotherBlock) {
    Fixture f;
    datapath::IntDatapath dp(Rounding::kHalfUp, RequantMode::kFixedPoint);
    const isa::LayerDesc L = layer();
    f.set_weights(5);
    dp.compute_block(block(0, 0), L, f.mem(), {});
    isa::Compute narrow = block(0, 512);
    narrow.n = kN - 1;  // reads the same bytes with another row length
    dp.compute_block(narrow, L, f.mem(), {});
    EXPECT_EQ(dp.blocks_packed(), 2u);
    f.expect_block(0, 0, "full width:");
}

TEST(WeightPackCache, TheScratchpadReportsEveryWriteToItsListener) {
    stats::StatGroup stats("", 1);
    model::BankedSram spad("spad", cfg::SramConfig{4096, 2, 16, 1}, false, stats.group("spad"));
    std::vector<std::pair<uint64_t, uint64_t>> writes;
    spad.set_write_listener([&](uint64_t addr, uint64_t len) { writes.emplace_back(addr, len); });
    (void)spad.access(100, 64, 0, model::BankedSram::Dir::kWrite, 0);  // a DMA burst in
    (void)spad.access(300, 64, 0, model::BankedSram::Dir::kRead, 0);   // a burst out: no write
    (void)spad.reserve_burst(2040, 16, 0, model::BankedSram::Dir::kWrite, 0);
    spad.note_write(7, 3);  // a unit's output
    const std::vector<std::pair<uint64_t, uint64_t>> want{{100, 64}, {2040, 16}, {7, 3}};
    EXPECT_EQ(writes, want);
}

}  // namespace
}  // namespace npu

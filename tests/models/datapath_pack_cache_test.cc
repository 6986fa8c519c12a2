// The integer datapath's packed-weights reuse (IntDatapath::compute_block): the same weight block
// of a layer computed again and again (a mapping that reloads it per m-block) gives the plain
// product every time, also when the scratchpad's bytes at that block changed in between.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <random>
#include <vector>

#include "models/datapath/int_datapath.h"

namespace npu::datapath {
namespace {

constexpr int kM = 8, kK = 64, kN = 32;
constexpr uint32_t kSlab = 0, kWeights = 4096, kBias = 8192;

struct Block {
    std::vector<uint8_t> spad = std::vector<uint8_t>(16384);
    std::vector<uint8_t> acc = std::vector<uint8_t>(size_t{kM} * kN * 4);
    isa::LayerDesc layer;
    isa::Compute c;

    explicit Block(std::mt19937_64& gen) {
        for (uint8_t& b : spad) b = static_cast<uint8_t>(gen());
        layer.op = "conv2d";  // a 1x1 convolution over a 1 x kM x kK input
        layer.in_h = layer.out_h = 1;
        layer.in_w = layer.out_w = kM;
        layer.in_c = kK;
        layer.out_c = kN;
        layer.a_zero_point = 3;  // the column sums' correction is in play
        c.m = kM;
        c.k = kK;
        c.n = kN;
        c.slab_addr = kSlab;
        c.slab_rows = 1;
        c.w_addr = kWeights;
        c.bias_addr = kBias;
    }
    // bias + sum_k (a - za) * w, wrapping in 32 bits.
    [[nodiscard]] std::vector<int32_t> want() const {
        std::vector<int32_t> out(size_t{kM} * kN);
        const auto* a = reinterpret_cast<const int8_t*>(spad.data() + kSlab);
        const auto* w = reinterpret_cast<const int8_t*>(spad.data() + kWeights);
        for (int i = 0; i < kM; ++i) {
            for (int j = 0; j < kN; ++j) {
                int32_t bias;
                std::memcpy(&bias, spad.data() + kBias + 4 * j, 4);
                uint32_t s = static_cast<uint32_t>(bias);
                for (int kk = 0; kk < kK; ++kk) {
                    s += static_cast<uint32_t>((a[i * kK + kk] - layer.a_zero_point) *
                                               w[kk * kN + j]);
                }
                out[size_t(i) * kN + size_t(j)] = static_cast<int32_t>(s);
            }
        }
        return out;
    }
    [[nodiscard]] std::vector<int32_t> got() const {
        std::vector<int32_t> out(size_t{kM} * kN);
        std::memcpy(out.data(), acc.data(), acc.size());
        return out;
    }
};

TEST(DatapathPackCache, RepeatedBlocksEqualThePlainProductAlsoAfterTheirBytesChange) {
    std::mt19937_64 gen(5);
    Block b(gen);
    IntDatapath dp(Rounding::kHalfEven, RequantMode::kFixedPoint);
    const Memory mem{b.spad.data(), b.acc.data()};
    // First use (packed, not kept), second (kept), third and fourth (reused).
    for (int use = 0; use < 4; ++use) {
        std::fill(b.acc.begin(), b.acc.end(), uint8_t{0xee});
        dp.compute_block(b.c, b.layer, mem, {});
        ASSERT_EQ(b.got(), b.want()) << "use " << use;
    }
    // The same block's bytes change (another LOAD filled it): packed again.
    for (int i = 0; i < kK * kN; i += 7) b.spad[kWeights + size_t(i)] ^= 0x5a;
    dp.compute_block(b.c, b.layer, mem, {});
    EXPECT_EQ(b.got(), b.want());
    // Another block of the layer at the same scratchpad address (another k0): its own entry.
    isa::Compute other = b.c;
    other.k0 = 0;
    other.n0 = kN;
    for (int use = 0; use < 3; ++use) {
        dp.compute_block(other, b.layer, mem, {});
        EXPECT_EQ(b.got(), b.want()) << "use " << use;
    }
    // Another layer (a new LayerDesc): nothing of the first is taken for it.
    Block next(gen);
    const Memory mem2{next.spad.data(), next.acc.data()};
    for (int use = 0; use < 3; ++use) {
        dp.compute_block(next.c, next.layer, mem2, {});
        EXPECT_EQ(next.got(), next.want()) << "use " << use;
    }
}

// Blocks of one and two rows are computed without packing (IntDatapath::direct_block): the same
// wrapping product, the bias or the accumulators' old values, the zero-point corrections.
TEST(DatapathPackCache, OneAndTwoRowBlocksEqualThePlainProduct) {
    std::mt19937_64 gen(11);
    for (int rows : {1, 2}) {
        for (int za : {0, 3, -128}) {
            for (bool accumulate : {false, true}) {
                Block b(gen);
                b.c.m = rows;
                b.c.accumulate = accumulate;
                b.layer.a_zero_point = za;
                IntDatapath dp(Rounding::kHalfEven, RequantMode::kFixedPoint);
                const Memory mem{b.spad.data(), b.acc.data()};
                for (uint8_t& x : b.acc) x = static_cast<uint8_t>(gen());
                const std::vector<int32_t> before = b.got();
                dp.compute_block(b.c, b.layer, mem, {});
                const std::vector<int32_t> want = b.want(), got = b.got();
                for (int i = 0; i < kM; ++i) {
                    for (int j = 0; j < kN; ++j) {
                        const size_t at = size_t(i) * kN + size_t(j);
                        int32_t bias;
                        std::memcpy(&bias, b.spad.data() + kBias + 4 * j, 4);
                        // += : the old value plus the product (want less its bias), wrapping.
                        const auto sum = static_cast<int32_t>(static_cast<uint32_t>(before[at]) +
                                                              static_cast<uint32_t>(want[at]) -
                                                              static_cast<uint32_t>(bias));
                        const int32_t expect = i >= rows ? before[at] : accumulate ? sum : want[at];
                        ASSERT_EQ(got[at], expect) << rows << " rows, za " << za << ", accumulate "
                                                   << accumulate << ", (" << i << ", " << j << ")";
                    }
                }
            }
        }
    }
}

// A residual add of 1024 elements or more requantizes through per-byte tables: the same
// accumulators as the element-by-element path (one instruction of 2 x 1500 elements against
// three instructions of 1000).
TEST(IntDatapathAdd, TableAndElementwisePathsGiveTheSameAccumulators) {
    std::mt19937_64 gen(3);
    std::vector<uint8_t> spad(8192), acc_big(3000 * 4), acc_small(3000 * 4);
    for (uint8_t& b : spad) b = static_cast<uint8_t>(gen());
    isa::LayerDesc L;
    L.in_zero_point = -7;
    L.in2_zero_point = 12;
    L.add_x_multiplier = 1518500250;  // 0.707 in Q31
    L.add_x_shift = -1;
    L.add_y_multiplier = 1900000000;
    L.add_y_shift = 0;
    isa::Vector v;
    v.op = isa::VectorOp::kAdd;
    v.x_addr = 0;
    v.y_addr = 4096;
    v.rows = 2;
    v.len = 1500;
    IntDatapath dp(Rounding::kHalfEven, RequantMode::kFixedPoint);
    dp.vector(v, L, 0, Memory{spad.data(), acc_big.data()}, {});
    v.rows = 1;
    v.len = 1000;
    for (uint32_t part = 0; part < 3; ++part) {
        v.x_addr = part * 1000;
        v.y_addr = 4096 + part * 1000;
        v.acc_addr = part * 4000;
        dp.vector(v, L, 0, Memory{spad.data(), acc_small.data()}, {});
    }
    EXPECT_EQ(acc_big, acc_small);
}

}  // namespace
}  // namespace npu::datapath

// The integer kernels (sim/kernels) and the reference executor's convolution and matmul built on
// them, bit-exact against plain loops on random shapes. ctest runs this binary once per path
// (NPUSIM_KERNELS=portable|avx2|avx512vnni); a path this CPU lacks is reported as skipped.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <random>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "sim/core/error.h"
#include "sim/core/requant.h"
#include "sim/graph/layer_eval.h"
#include "sim/graph/workload_loader.h"
#include "sim/kernels/gemm.h"
#include "sim/kernels/im2col.h"
#include "sim/kernels/isa.h"
#include "sim/kernels/requant_rows.h"

namespace npu::kernels {
namespace {

std::vector<int8_t> random_bytes(std::mt19937_64& gen, size_t n, int lo = -128, int hi = 127) {
    std::vector<int8_t> v(n);
    for (auto& x : v) x = static_cast<int8_t>(lo + static_cast<int>(gen() % (hi - lo + 1)));
    return v;
}

std::vector<int32_t> random_ints(std::mt19937_64& gen, size_t n) {
    std::vector<int32_t> v(n);
    for (auto& x : v) x = static_cast<int32_t>(static_cast<uint32_t>(gen()));
    return v;
}

struct GemmCase {
    int64_t m, n, k;
    bool transposed_b;  // B given as K x N (stride_n 1) instead of N x K
    int64_t lda_pad, ldc_pad;
    bool inits;
};

void check_gemm(const GemmCase& t, std::mt19937_64& gen, Isa isa) {
    const int64_t lda = t.k + t.lda_pad, ldc = t.n + t.ldc_pad;
    const std::vector<int8_t> a =
        random_bytes(gen, static_cast<size_t>(std::max<int64_t>(1, t.m * lda)));
    const std::vector<int8_t> b =
        random_bytes(gen, static_cast<size_t>(std::max<int64_t>(1, t.n * t.k)));
    const int64_t sn = t.transposed_b ? 1 : t.k, sk = t.transposed_b ? t.n : 1;
    const std::vector<int32_t> col = random_ints(gen, static_cast<size_t>(t.n));
    const std::vector<int32_t> row = random_ints(gen, static_cast<size_t>(t.m));
    const int32_t* ci = t.inits ? col.data() : nullptr;
    const int32_t* ri = t.inits ? row.data() : nullptr;
    // Entries between rows (ldc > n) must stay untouched.
    std::vector<int32_t> want(static_cast<size_t>(std::max<int64_t>(1, t.m * ldc)), 7);
    std::vector<int32_t> got = want;
    gemm_scalar(a.data(), t.m, lda, b.data(), t.n, t.k, sn, sk, ci, ri, want.data(), ldc);
    const PackedB pb = pack_b(b.data(), t.n, t.k, sn, sk, isa);
    gemm(a.data(), t.m, lda, pb, ci, ri, got.data(), ldc);
    ASSERT_EQ(got, want) << to_string(isa) << " m " << t.m << " n " << t.n << " k " << t.k
                         << " transposed " << t.transposed_b << " lda+" << t.lda_pad << " ldc+"
                         << t.ldc_pad << " inits " << t.inits;
}

TEST(Kernels, ActivePathIsTheRequestedOne) {
    const char* v = std::getenv("NPUSIM_KERNELS");
    const Isa isa = active_isa();
    if (v != nullptr && *v != '\0') {
        EXPECT_EQ(std::string(to_string(isa)), v);
    } else {
        EXPECT_EQ(isa, best_isa());
    }
    std::printf("kernels path: %s\n", to_string(isa));
}

// The reference executor checks the datapath on another path wherever the CPU offers two.
TEST(Kernels, CheckPathIsAnotherSupportedPathWhenThereIsOne) {
    const std::vector<Isa> all = supported_isas();
    const Isa check = check_isa();
    EXPECT_TRUE(supported(check));
    if (all.size() > 1) {
        EXPECT_NE(check, active_isa());
        // The widest of the others.
        EXPECT_EQ(check, all.back() != active_isa() ? all.back() : all[all.size() - 2]);
    } else {
        EXPECT_EQ(check, active_isa());
    }
    std::printf("check path: %s\n", to_string(check));
}

TEST(Kernels, UnknownOrUnsupportedPathIsAClearError) {
    try {
        (void)isa_from_env_value("sse9");
        FAIL() << "no error";
    } catch (const UserError& e) {
        EXPECT_EQ(e.diagnostics().at(0).to_string(),
                  "<environment>: NPUSIM_KERNELS: expected portable, avx2 or avx512vnni, found "
                  "'sse9'");
    }
    EXPECT_EQ(isa_from_env_value(nullptr), best_isa());
    EXPECT_EQ(isa_from_env_value(""), best_isa());
    EXPECT_EQ(isa_from_env_value("portable"), Isa::kPortable);
    for (Isa i : {Isa::kAvx2, Isa::kAvx512Vnni}) {
        if (supported(i)) {
            EXPECT_EQ(isa_from_env_value(to_string(i)), i);
            continue;
        }
        try {
            (void)isa_from_env_value(to_string(i));
            FAIL() << "no error";
        } catch (const UserError& e) {
            const std::string msg = e.diagnostics().at(0).to_string();
            EXPECT_NE(msg.find("this CPU cannot run the '" + std::string(to_string(i)) +
                               "' kernels; it offers portable"),
                      std::string::npos)
                << msg;
        }
    }
}

// The workload loader's seeded bytes (DataGenerator::int8s, mapped in bulk on this path) equal
// the definition: std::mt19937_64 seeded through splitmix64, each draw over the limit rejected,
// lo + x % span. Lengths cross the engine's 312-output blocks; spans: the inputs' 256 (low bits),
// the weights' 255 (byte sums) and others (the direct remainder).
TEST(Kernels, SeededBytesEqualTheDefinitionOnThisPath) {
    const auto reference = [](uint64_t seed, uint64_t stream, size_t n, int lo, int hi) {
        std::mt19937_64 engine(graph::splitmix64(seed ^ graph::splitmix64(stream)));
        const uint64_t span = static_cast<uint64_t>(hi - lo) + 1;
        const uint64_t limit = UINT64_MAX - (UINT64_MAX % span + 1) % span;
        std::vector<int8_t> v(n);
        for (auto& b : v) {
            uint64_t x = engine();
            while (x > limit) x = engine();
            b = static_cast<int8_t>(lo + static_cast<int64_t>(x % span));
        }
        return v;
    };
    const std::pair<int, int> ranges[] = {{-128, 127}, {-127, 127}, {-8, 7}, {0, 0},
                                          {-100, 27},  {-3, 3},     {5, 100}};
    for (const auto& [lo, hi] : ranges) {
        for (size_t n : {size_t{0}, size_t{1}, size_t{311}, size_t{312}, size_t{313}, size_t{5000},
                         size_t{100003}}) {
            graph::DataGenerator gen(42,
                                     static_cast<uint64_t>(n) * 1000 + static_cast<uint64_t>(hi));
            ASSERT_EQ(gen.int8s(n, lo, hi),
                      reference(42, static_cast<uint64_t>(n) * 1000 + static_cast<uint64_t>(hi), n,
                                lo, hi))
                << lo << ".." << hi << " n " << n;
        }
    }
    // Draws continue in step across calls: two calls equal one of their total length.
    graph::DataGenerator a(7, 1), b(7, 1);
    std::vector<int8_t> two = a.int8s(1000, -127, 127);
    const std::vector<int8_t> rest = a.int8s(777, -127, 127);
    two.insert(two.end(), rest.begin(), rest.end());
    EXPECT_EQ(two, b.int8s(1777, -127, 127));
}

TEST(Kernels, GemmEdgeSizesEqualPlainLoops) {
    std::mt19937_64 gen(1);
    const int64_t ms[] = {1, 2, 3, 5, 6, 7, 8, 9, 17, 239, 240, 241, 250};
    const int64_t ns[] = {1, 3, 8, 15, 16, 17, 31, 32, 33, 65};
    const int64_t ks[] = {1, 2, 3, 4, 5, 7, 255, 256, 257, 600};
    for (int64_t m : ms) {
        for (int64_t n : ns) {
            for (int64_t k : ks) {
                if (m * n * k > 2'000'000) continue;
                const bool odd = ((m + n + k) & 1) != 0;
                check_gemm({m, n, k, odd, odd ? 3 : 0, odd ? 0 : 5, !odd}, gen, active_isa());
                if (HasFatalFailure()) return;
            }
        }
    }
}

TEST(Kernels, GemmRandomShapesEqualPlainLoops) {
    std::mt19937_64 gen(2);
    for (int i = 0; i < 150; ++i) {
        const int64_t m = 1 + static_cast<int64_t>(gen() % 300);
        const int64_t n = 1 + static_cast<int64_t>(gen() % 100);
        const int64_t k = 1 + static_cast<int64_t>(gen() % (i % 10 == 0 ? 5000 : 700));
        if (m * n * k > 4'000'000) continue;
        check_gemm({m, n, k, (gen() & 1) != 0, static_cast<int64_t>(gen() % 9),
                    static_cast<int64_t>(gen() % 9), (gen() & 1) != 0},
                   gen, active_isa());
        if (HasFatalFailure()) return;
    }
}

// One PackedB packed again and again (the datapath packs every COMPUTE block into the same one),
// larger, smaller and on another path than before: each product equals the plain loops. The
// GEMM's per-thread A block is reused across these calls too.
TEST(Kernels, PackingIntoAReusedPackedBEqualsPlainLoops) {
    std::mt19937_64 gen(3);
    struct Shape {
        int64_t m, n, k;
    };
    const Shape shapes[] = {{250, 65, 600}, {3, 5, 7},      {17, 33, 257},
                            {1, 1, 1},      {240, 64, 256}, {9, 17, 3}};
    PackedB pb;
    for (int round = 0; round < 2; ++round) {
        for (const Shape& t : shapes) {
            for (const Isa isa : supported_isas()) {
                const Isa use = round == 0 ? isa : active_isa();
                const std::vector<int8_t> a = random_bytes(gen, static_cast<size_t>(t.m * t.k));
                const std::vector<int8_t> b = random_bytes(gen, static_cast<size_t>(t.n * t.k));
                const std::vector<int32_t> col = random_ints(gen, static_cast<size_t>(t.n));
                std::vector<int32_t> want(static_cast<size_t>(t.m * t.n)), got(want.size());
                gemm_scalar(a.data(), t.m, t.k, b.data(), t.n, t.k, t.k, 1, col.data(), nullptr,
                            want.data(), t.n);
                pack_b(pb, b.data(), t.n, t.k, t.k, 1, use);
                EXPECT_EQ(pb.isa(), use);
                EXPECT_EQ(pb.n(), t.n);
                EXPECT_EQ(pb.k(), t.k);
                gemm(a.data(), t.m, t.k, pb, col.data(), nullptr, got.data(), t.n);
                ASSERT_EQ(got, want) << to_string(use) << " m " << t.m << " n " << t.n << " k "
                                     << t.k << " round " << round;
            }
        }
    }
}

TEST(Kernels, GemmSumsWrapAroundAsA32BitAdder) {
    // 140,000 products of -128 * -128 = 2^14 each: 2^14 * 140000 > 2^31 wraps, in every path
    // exactly as in 32-bit unsigned arithmetic.
    const int64_t m = 3, n = 5, k = 140000;
    const std::vector<int8_t> a(static_cast<size_t>(m * k), -128),
        b(static_cast<size_t>(n * k), -128);
    std::vector<int32_t> got(static_cast<size_t>(m * n)), want(got.size());
    gemm_scalar(a.data(), m, k, b.data(), n, k, k, 1, nullptr, nullptr, want.data(), n);
    gemm(a.data(), m, k, pack_b(b.data(), n, k, k, 1), nullptr, nullptr, got.data(), n);
    EXPECT_EQ(got, want);
    EXPECT_EQ(static_cast<uint32_t>(want[0]), static_cast<uint32_t>(uint64_t{16384} * k));
}

TEST(Kernels, GemmWithEmptyKGivesTheStartValues) {
    const std::vector<int32_t> col = {1, 2}, row = {10, 20, 30};
    std::vector<int32_t> c(6, -1);
    const int8_t* none = nullptr;
    gemm(none, 3, 0, pack_b(none, 2, 0, 0, 1), col.data(), row.data(), c.data(), 2);
    EXPECT_EQ(c, (std::vector<int32_t>{11, 12, 21, 22, 31, 32}));
}

TEST(Kernels, Im2colGathersWindowsWithPaddingValue) {
    // 3x3 input, 2 channels, 2x2 kernel, stride 1, padding 1 on top/left: output 3x3.
    std::vector<int8_t> x(18);
    for (int i = 0; i < 18; ++i) x[i] = static_cast<int8_t>(i + 1);
    ConvGeometry g;
    g.in_h = g.in_w = 3;
    g.in_c = 2;
    g.kernel_h = g.kernel_w = 2;
    g.pad_top = g.pad_left = 1;
    g.out_h = g.out_w = 3;
    std::vector<int8_t> out(9 * 8, 0);
    im2col(x.data(), g, 1, 1, 0, 3, -5, out.data(), 8);
    // Pixel (0, 0): taps (-1,-1) (-1,0) (0,-1) (0,0) of channel 1 -> pad pad pad x[1].
    EXPECT_EQ(std::vector<int8_t>(out.begin(), out.begin() + 4),
              (std::vector<int8_t>{-5, -5, -5, 2}));
    // Pixel (2, 2): taps (1,1) (1,2) (2,1) (2,2) -> x at pixels 4, 5, 7, 8, channel 1.
    EXPECT_EQ(std::vector<int8_t>(out.begin() + 64, out.begin() + 68),
              (std::vector<int8_t>{10, 12, 16, 18}));
    // Rows 1..2 only: the first row written is pixel (1, 0).
    std::vector<int8_t> slab(6 * 8, 0);
    im2col(x.data(), g, 1, 1, 1, 3, -5, slab.data(), 8);
    EXPECT_EQ(std::vector<int8_t>(slab.begin(), slab.begin() + 8),
              std::vector<int8_t>(out.begin() + 24, out.begin() + 32));
}

TEST(Kernels, RequantizeRowsEqualsRequantize) {
    std::mt19937_64 gen(3);
    for (Rounding mode : {Rounding::kHalfEven, Rounding::kHalfUp, Rounding::kTflite}) {
        for (int64_t n : {1, 3, 8, 16, 17, 64, 100}) {
            const int64_t rows = 1 + static_cast<int64_t>(gen() % 40);
            std::vector<int32_t> acc = random_ints(gen, static_cast<size_t>(rows * n));
            for (size_t i = 0; i < acc.size(); i += 2) acc[i] >>= gen() % 31;  // also small sums
            // Edge values and exact ties (odd multiples of powers of two) at random places.
            for (size_t i = 1; i < acc.size(); i += 3) {
                const int k = static_cast<int>(gen() % 31);
                const int64_t v = static_cast<int64_t>(2 * (gen() % 4) + 1) << k;
                acc[i] = i % 5 == 0 ? (i % 2 == 0 ? INT32_MIN : INT32_MAX)
                                    : static_cast<int32_t>(std::clamp<int64_t>(
                                          (gen() & 1) != 0 ? v : -v, INT32_MIN, INT32_MAX));
            }
            std::vector<int32_t> mult(static_cast<size_t>(n)), shift(mult.size());
            for (int64_t j = 0; j < n; ++j) {
                mult[j] = j % 7 == 0 ? 0 : static_cast<int32_t>((1u << 30) | (gen() & 0x3fffffff));
                shift[j] = static_cast<int32_t>(gen() % 63) - 31;
            }
            for (const auto& [zp, lo, hi] : {std::tuple{-3, -128, 127}, std::tuple{0, 0, 6},
                                             std::tuple{100, INT32_MIN, INT32_MAX}}) {
                std::vector<int8_t> got(acc.size());
                requantize_rows(acc.data(), rows, n, mult.data(), shift.data(), zp, lo, hi, mode,
                                got.data());
                for (size_t i = 0; i < acc.size(); ++i) {
                    const size_t c = i % static_cast<size_t>(n);
                    ASSERT_EQ(got[i], static_cast<int8_t>(
                                          requantize(acc[i], mult[c], shift[c], zp, lo, hi, mode)))
                        << to_string(mode) << " n " << n << " i " << i;
                }
            }
        }
    }
}

// The reference executor's convolution against the definition (docs/operators.md), written
// here as plain loops.
std::vector<int32_t> naive_conv(const graph::Layer& l, const std::vector<int8_t>& x) {
    const int oh = l.out_h(), ow = l.out_w();
    const int gi = l.in_c / l.groups, go = l.out_c / l.groups;
    std::vector<int32_t> acc(static_cast<size_t>(oh * ow * l.out_c));
    for (int oy = 0; oy < oh; ++oy) {
        for (int ox = 0; ox < ow; ++ox) {
            for (int oc = 0; oc < l.out_c; ++oc) {
                int64_t sum = l.bias[oc];
                for (int ky = 0; ky < l.kernel_h; ++ky) {
                    for (int kx = 0; kx < l.kernel_w; ++kx) {
                        const int iy = oy * l.stride_h - l.pad_top + ky * l.dilation_h;
                        const int ix = ox * l.stride_w - l.pad_left + kx * l.dilation_w;
                        for (int ic = 0; ic < gi; ++ic) {
                            const int32_t v =
                                iy < 0 || iy >= l.in_h || ix < 0 || ix >= l.in_w
                                    ? l.input.zero_point
                                    : x[(static_cast<size_t>(iy) * l.in_w + ix) * l.in_c +
                                        (oc / go) * gi + ic];
                            sum += int64_t{v - l.input.zero_point} *
                                   l.weights[((static_cast<size_t>(oc) * l.kernel_h + ky) *
                                                  l.kernel_w +
                                              kx) *
                                                 gi +
                                             ic];
                        }
                    }
                }
                acc[(static_cast<size_t>(oy) * ow + ox) * l.out_c + oc] = static_cast<int32_t>(sum);
            }
        }
    }
    return acc;
}

TEST(ReferenceOnKernels, ConvolutionsOfRandomShapesEqualTheDefinition) {
    std::mt19937_64 gen(4);
    for (int i = 0; i < 120; ++i) {
        graph::Layer l;
        l.name = "c" + std::to_string(i);
        const int kind = i % 4;  // 0 dense, 1 grouped, 2 depthwise, 3 gemm-like 1x1
        const int groups = kind == 1 ? 1 + static_cast<int>(gen() % 4) : 1;
        const int gi = 1 + static_cast<int>(gen() % (kind == 3 ? 300 : 40));
        l.in_c = kind == 2 ? 1 + static_cast<int>(gen() % 40) : gi * groups;
        l.groups = kind == 2 ? l.in_c : groups;
        l.out_c = kind == 2 ? l.in_c : groups * (1 + static_cast<int>(gen() % 40));
        l.in_h = 1 + static_cast<int>(gen() % 12);
        l.in_w = 1 + static_cast<int>(gen() % 12);
        if (kind == 3 && i % 8 == 3) {  // 1-3 rows: the reference's unpacked few-rows path
            l.in_w = 1 + l.in_h % 3;
            l.in_h = 1;
        }
        if (kind != 3) {
            l.kernel_h = 1 + static_cast<int>(gen() % 3);
            l.kernel_w = 1 + static_cast<int>(gen() % 4);
            l.stride_h = 1 + static_cast<int>(gen() % 2);
            l.stride_w = 1 + static_cast<int>(gen() % 3);
            l.dilation_h = 1 + static_cast<int>(gen() % 2);
            l.pad_top = static_cast<int>(gen() % 3);
            l.pad_bottom = static_cast<int>(gen() % 3);
            l.pad_left = static_cast<int>(gen() % 2);
            l.pad_right = static_cast<int>(gen() % 2);
        }
        if (l.out_h() <= 0 || l.out_w() <= 0) continue;
        l.input.zero_point = static_cast<int32_t>(gen() % 256) - 128;
        l.weights = random_bytes(gen, static_cast<size_t>(l.reduction() * l.out_c), -127, 127);
        l.bias.resize(static_cast<size_t>(l.out_c));
        for (auto& b : l.bias) b = static_cast<int32_t>(gen() % 200001) - 100000;
        const std::vector<int8_t> x = random_bytes(gen, static_cast<size_t>(l.input_elems()));
        ASSERT_EQ(graph::accumulate(l, x), naive_conv(l, x))
            << l.shape_string() << " groups " << l.groups;
    }
}

TEST(ReferenceOnKernels, MatmulsInEveryLayoutEqualTheDefinition) {
    std::mt19937_64 gen(5);
    for (int i = 0; i < 64; ++i) {
        graph::Layer l;
        l.name = "mm";
        l.kind = graph::OpKind::kMatmul;
        l.heads = 1 + static_cast<int>(gen() % 3);
        l.mm_m = 1 + static_cast<int64_t>(gen() % 20);
        l.mm_k = 1 + static_cast<int64_t>(gen() % 70);
        l.mm_n = 1 + static_cast<int64_t>(gen() % 40);
        l.a_interleaved = (i & 1) != 0;
        l.b_interleaved = (i & 2) != 0;
        l.transpose_b = (i & 4) != 0;
        l.out_interleaved = (i & 8) != 0;
        const int32_t za = static_cast<int32_t>(gen() % 256) - 128;
        const int32_t zb = static_cast<int32_t>(gen() % 256) - 128;
        l.input_quant = {graph::QuantParams{0.1, za}, graph::QuantParams{0.1, zb}};
        const int64_t H = l.heads, M = l.mm_m, K = l.mm_k, N = l.mm_n;
        const std::vector<int8_t> a = random_bytes(gen, static_cast<size_t>(H * M * K));
        const std::vector<int8_t> b = random_bytes(gen, static_cast<size_t>(H * K * N));
        std::vector<int32_t> want(static_cast<size_t>(H * M * N));
        for (int64_t h = 0; h < H; ++h) {
            for (int64_t m = 0; m < M; ++m) {
                for (int64_t n = 0; n < N; ++n) {
                    int64_t sum = 0;
                    for (int64_t k = 0; k < K; ++k) {
                        const int64_t ai =
                            l.a_interleaved ? m * H * K + h * K + k : (h * M + m) * K + k;
                        const int64_t bi =
                            l.transpose_b
                                ? (l.b_interleaved ? n * H * K + h * K + k : (h * N + n) * K + k)
                                : (l.b_interleaved ? k * H * N + h * N + n : (h * K + k) * N + n);
                        sum += int64_t{a[ai] - za} * (b[bi] - zb);
                    }
                    const int64_t o =
                        l.out_interleaved ? m * H * N + h * N + n : (h * M + m) * N + n;
                    want[static_cast<size_t>(o)] = static_cast<int32_t>(sum);
                }
            }
        }
        ASSERT_EQ(graph::op_accumulate(l, {&a, &b}, Rounding::kHalfEven), want) << i;
    }
}

}  // namespace
}  // namespace npu::kernels

int main(int argc, char** argv) {
    // A path this CPU lacks is skipped (ctest SKIP_RETURN_CODE), not failed: CI machines differ.
    const char* v = std::getenv("NPUSIM_KERNELS");
    if (v != nullptr && *v != '\0') {
        const std::optional<npu::kernels::Isa> isa = npu::kernels::parse_isa(v);
        if (isa && !npu::kernels::supported(*isa)) {
            std::printf("skipped: this CPU cannot run the %s kernels\n", v);
            return 77;
        }
    }
    ::testing::InitGoogleTest(&argc, argv);
    return RUN_ALL_TESTS();
}

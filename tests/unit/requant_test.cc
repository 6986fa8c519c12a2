#include "sim/core/requant.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <iterator>
#include <limits>
#include <random>
#include <stdexcept>
#include <vector>

#include "tests/unit/requant_oracle.h"

namespace npu {
namespace {

constexpr int32_t kI32Min = std::numeric_limits<int32_t>::min();
constexpr int32_t kI32Max = std::numeric_limits<int32_t>::max();
constexpr int32_t kHalfMult = 1 << 30;  // with shift s: M = 2^30 * 2^-(31+s) = 2^-(1+s)

// requantize with no zero point and no clamping beyond int32.
int32_t rq(int32_t acc, int32_t mult, int32_t shift, Rounding mode) {
    return requantize(acc, mult, shift, 0, kI32Min, kI32Max, mode);
}

TEST(RequantMultiplier, PowersOfTwoAndExactMantissas) {
    auto check = [](double m, int32_t mult, int32_t shift) {
        const QuantMultiplier q = quantize_multiplier(m);
        EXPECT_EQ(q.multiplier, mult) << m;
        EXPECT_EQ(q.shift, shift) << m;
    };
    check(0.5, 1 << 30, 0);                    // 2^30 * 2^-31
    check(1.0, 1 << 30, -1);                   // 2^30 * 2^-30
    check(0.25, 1 << 30, 1);                   // 2^30 * 2^-32
    check(0.75, 3 << 29, 0);                   // 0.75 * 2^31 = 1610612736
    check(0.0, 0, 0);                          // M == 0 is encoded as multiplier 0
    check(std::ldexp(1.0, -32), 1 << 30, 31);  // smallest representable shift
    check(std::ldexp(1.0, -33), 0, 0);         // below it: zero, as TFLite
    check(std::ldexp(1.0, 30), 1 << 30, -31);  // largest: 2^30 * 2^0
    // 1 - 2^-40: the mantissa rounds up to 2^31, which carries into the exponent.
    check(1.0 - std::ldexp(1.0, -40), 1 << 30, -1);
    // 0.1 = 0.8 * 2^-3: round(0.8 * 2^31) = round(1717986918.4) = 1717986918.
    check(0.1, 1717986918, 3);
}

TEST(RequantMultiplier, RejectsWhatCannotBeRepresented) {
    EXPECT_THROW((void)quantize_multiplier(-0.5), std::invalid_argument);
    EXPECT_THROW((void)quantize_multiplier(std::nan("")), std::invalid_argument);
    EXPECT_THROW((void)quantize_multiplier(INFINITY), std::invalid_argument);
    EXPECT_THROW((void)quantize_multiplier(std::ldexp(1.0, 31)), std::invalid_argument);
}

TEST(RequantMultiplier, RandomValuesAreWithinHalfAnUlp) {
    std::mt19937_64 gen(5);
    for (int i = 0; i < 20000; ++i) {
        const double m = std::ldexp(0.5 + static_cast<double>(gen() >> 11) * 0x1.0p-54,
                                    static_cast<int>(gen() % 60) - 30);
        const QuantMultiplier q = quantize_multiplier(m);
        ASSERT_GE(q.multiplier, 1 << 30);
        ASSERT_LE(q.multiplier, kI32Max);
        const double back = std::ldexp(static_cast<double>(q.multiplier), -(31 + q.shift));
        ASSERT_LE(std::fabs(back - m), std::ldexp(1.0, -(32 + q.shift))) << m;
    }
}

TEST(RequantRounding, TiesWithOneRounding) {
    // M = 0.5: acc 1, 3, 5 -> 0.5, 1.5, 2.5 (and negatives).
    const int32_t accs[] = {1, 3, 5, -1, -3, -5, 7, -7};
    const int32_t half_even[] = {0, 2, 2, 0, -2, -2, 4, -4};
    const int32_t half_up[] = {1, 2, 3, 0, -1, -2, 4, -3};
    for (size_t i = 0; i < std::size(accs); ++i) {
        EXPECT_EQ(rq(accs[i], kHalfMult, 0, Rounding::kHalfEven), half_even[i]) << accs[i];
        EXPECT_EQ(rq(accs[i], kHalfMult, 0, Rounding::kHalfUp), half_up[i]) << accs[i];
    }
}

TEST(RequantRounding, TfliteTiesFollowGemmlowp) {
    // M = 0.5, right_shift 0: only SaturatingRoundingDoublingHighMul rounds. Its nudge is 2^30
    // for a positive product and 1 - 2^30 for a negative one, then it truncates: positive ties go
    // up, negative ties go toward zero. -3 * 2^30 + 1 - 2^30 = -2^32 + 1 -> / 2^31 -> -1.
    EXPECT_EQ(rq(1, kHalfMult, 0, Rounding::kTflite), 1);
    EXPECT_EQ(rq(3, kHalfMult, 0, Rounding::kTflite), 2);
    EXPECT_EQ(rq(-1, kHalfMult, 0, Rounding::kTflite), 0);
    EXPECT_EQ(rq(-3, kHalfMult, 0, Rounding::kTflite), -1);
    // M = 0.25 (shift 1): SRDHM gives acc / 2 exactly for even acc, then RoundingDivideByPOT
    // rounds the tie away from zero: 10 -> 5 -> 2.5 -> 3; -10 -> -5 -> -2.5 -> -3.
    EXPECT_EQ(rq(10, kHalfMult, 1, Rounding::kTflite), 3);
    EXPECT_EQ(rq(-10, kHalfMult, 1, Rounding::kTflite), -3);
    EXPECT_EQ(rq(10, kHalfMult, 1, Rounding::kHalfEven), 2);
    EXPECT_EQ(rq(-10, kHalfMult, 1, Rounding::kHalfEven), -2);
    EXPECT_EQ(rq(10, kHalfMult, 1, Rounding::kHalfUp), 3);
    EXPECT_EQ(rq(-10, kHalfMult, 1, Rounding::kHalfUp), -2);
    // Double rounding: 1 * 0.25 = 0.25 is 0 with one rounding, but SRDHM makes 0.5 -> 1 and
    // RoundingDivideByPOT(1, 1) = 0.5 -> 1.
    EXPECT_EQ(rq(1, kHalfMult, 1, Rounding::kTflite), 1);
    EXPECT_EQ(rq(1, kHalfMult, 1, Rounding::kHalfEven), 0);
    EXPECT_EQ(rq(1, kHalfMult, 1, Rounding::kHalfUp), 0);
}

TEST(RequantRounding, LargeAccumulatorsAndMultiplierExtremes) {
    // (2^31 - 1) * 0.5 = 1073741823.5: half-even goes to the even 1073741824, as does half-up;
    // TFLite: ((2^31-1) * 2^30 + 2^30) / 2^31 = 2^30.
    for (Rounding r : {Rounding::kHalfEven, Rounding::kHalfUp, Rounding::kTflite}) {
        EXPECT_EQ(rq(kI32Max, kHalfMult, 0, r), 1073741824) << to_string(r);
        EXPECT_EQ(rq(kI32Min, kHalfMult, 0, r), -1073741824) << to_string(r);
        // Largest multiplier, M = 1 - 2^-31: (2^31-1)^2 / 2^31 = 2^31 - 2 + 2^-31.
        EXPECT_EQ(rq(kI32Max, kI32Max, 0, r), 2147483646) << to_string(r);
        EXPECT_EQ(rq(1000, kI32Max, 0, r), 1000) << to_string(r);
        // Multiplier 0 (M == 0): always the zero point.
        EXPECT_EQ(requantize(123456, 0, 0, -7, -128, 127, r), -7);
    }
    // Smallest multiplier with the largest shift: M = 2^30 * 2^-62 = 2^-32.
    // INT32_MIN * 2^-32 = -0.5: one rounding gives 0 for both ties rules; TFLite:
    // SRDHM = trunc((-2^61 + 1 - 2^30) / 2^31) = -2^30, RoundingDivideByPOT(-2^30, 31) = -1.
    EXPECT_EQ(rq(kI32Min, kHalfMult, 31, Rounding::kHalfEven), 0);
    EXPECT_EQ(rq(kI32Min, kHalfMult, 31, Rounding::kHalfUp), 0);
    EXPECT_EQ(rq(kI32Min, kHalfMult, 31, Rounding::kTflite), -1);
    EXPECT_EQ(rq(kI32Max, kHalfMult, 31, Rounding::kHalfEven), 0);  // 0.49999...
}

TEST(RequantRounding, NegativeShiftScalesUp) {
    // shift -3: M = 2^30 * 2^-28 = 4.
    for (Rounding r : {Rounding::kHalfEven, Rounding::kHalfUp, Rounding::kTflite}) {
        EXPECT_EQ(rq(5, kHalfMult, -3, r), 20);
        EXPECT_EQ(rq(-5, kHalfMult, -3, r), -20);
    }
    // 2^29 * 4 = 2^31 exceeds int32: the exact paths saturate at the end; TFLite saturates the
    // left-shifted input to 2^31 - 1 first, then SRDHM(2^31 - 1, 2^30) = 2^30.
    EXPECT_EQ(rq(1 << 29, kHalfMult, -3, Rounding::kHalfEven), kI32Max);
    EXPECT_EQ(rq(1 << 29, kHalfMult, -3, Rounding::kHalfUp), kI32Max);
    EXPECT_EQ(rq(1 << 29, kHalfMult, -3, Rounding::kTflite), 1 << 30);
}

TEST(RequantRounding, ZeroPointAndActivationClamp) {
    for (Rounding r : {Rounding::kHalfEven, Rounding::kHalfUp, Rounding::kTflite}) {
        EXPECT_EQ(requantize(10, kHalfMult, 0, -3, -128, 127, r), 2);       // 5 - 3
        EXPECT_EQ(requantize(1000, kHalfMult, 0, 5, -128, 127, r), 127);    // 505 saturates
        EXPECT_EQ(requantize(-1000, kHalfMult, 0, 5, -128, 127, r), -128);  // -495 saturates
        EXPECT_EQ(requantize(-4, kHalfMult, 0, 5, 5, 127, r), 5);           // relu: 3 -> zp
        EXPECT_EQ(requantize(40, kHalfMult, 0, 5, 5, 20, r), 20);           // relu6-like top
    }
}

// Exact rational reference, in plain int64: q = floor(p / d), r = p - q d in [0, d), then the tie
// rule on 2r against d.
int64_t exact_round(int32_t acc, int32_t mult, int32_t shift, Rounding mode) {
    const int64_t p = int64_t{acc} * mult;  // |p| < 2^62
    const int total = 31 + shift;
    if (total <= 0) {
        const int left = -total;
        if (p > (int64_t{kI32Max} >> left)) return kI32Max;
        if (p < (int64_t{kI32Min} >> left)) return kI32Min;
        return p * (int64_t{1} << left);
    }
    const int64_t d = int64_t{1} << total;
    int64_t q = p / d;
    int64_t r = p % d;
    if (r < 0) {
        q -= 1;
        r += d;
    }
    if (2 * r > d) return q + 1;
    if (2 * r < d) return q;
    return mode == Rounding::kHalfUp ? q + 1 : q + (q & 1);
}

TEST(RequantRounding, OneRoundingModesMatchExactArithmetic) {
    std::mt19937_64 gen(1234);
    for (int i = 0; i < 300000; ++i) {
        const uint64_t bits = gen();
        // Mix full-range accumulators with small ones (where ties are frequent).
        int32_t acc = static_cast<int32_t>(static_cast<uint32_t>(bits));
        if ((bits >> 32) % 3 == 0) acc = static_cast<int32_t>(acc % 4096);
        const int32_t mult =
            (i % 7 == 0) ? (1 << 30) : static_cast<int32_t>((1u << 30) + (gen() % (1u << 30)));
        const int32_t shift = static_cast<int32_t>(gen() % 63) - 31;
        for (Rounding r : {Rounding::kHalfEven, Rounding::kHalfUp}) {
            const int64_t want =
                std::clamp<int64_t>(exact_round(acc, mult, shift, r), kI32Min, kI32Max);
            ASSERT_EQ(rq(acc, mult, shift, r), want)
                << "acc " << acc << " mult " << mult << " shift " << shift << " " << to_string(r);
        }
    }
}

// gemmlowp / TFLite, transcribed (fixedpoint.h and kernels/internal/common.h).
int32_t gemmlowp_srdhm(int32_t a, int32_t b) {
    bool overflow = a == b && a == std::numeric_limits<int32_t>::min();
    std::int64_t a_64(a);
    std::int64_t b_64(b);
    std::int64_t ab_64 = a_64 * b_64;
    std::int32_t nudge = ab_64 >= 0 ? (1 << 30) : (1 - (1 << 30));
    std::int32_t ab_x2_high32 = static_cast<std::int32_t>((ab_64 + nudge) / (1ll << 31));
    return overflow ? std::numeric_limits<std::int32_t>::max() : ab_x2_high32;
}

int32_t gemmlowp_rdbpot(int32_t x, int exponent) {
    const int32_t mask = static_cast<int32_t>((1ll << exponent) - 1);
    const int32_t zero = 0;
    const int32_t one = 1;
    const int32_t remainder = x & mask;
    const int32_t threshold = (mask >> 1) + ((x < zero) ? one : zero);
    return (x >> exponent) + ((remainder > threshold) ? one : zero);
}

int32_t tflite_multiply_by_quantized_multiplier(int32_t x, int32_t quantized_multiplier,
                                                int shift) {
    int left_shift = shift > 0 ? shift : 0;
    int right_shift = shift > 0 ? 0 : -shift;
    return gemmlowp_rdbpot(gemmlowp_srdhm(x * (1 << left_shift), quantized_multiplier),
                           right_shift);
}

TEST(RequantRounding, TfliteModeMatchesGemmlowpTranscription) {
    std::mt19937_64 gen(99);
    for (int i = 0; i < 300000; ++i) {
        const int32_t shift = static_cast<int32_t>(gen() % 63) - 31;  // ours; TFLite's is -shift
        const int left = shift < 0 ? -shift : 0;
        // TFLite's x * (1 << left_shift) must not overflow for the transcription to be defined.
        const int64_t bound = int64_t{1} << (31 - left);
        int64_t acc = static_cast<int64_t>(gen() % static_cast<uint64_t>(2 * bound)) - bound;
        if (gen() % 3 == 0) acc %= 4096;
        const int32_t mult =
            (i % 5 == 0) ? (1 << 30) : static_cast<int32_t>((1u << 30) + (gen() % (1u << 30)));
        const int32_t a = static_cast<int32_t>(acc);
        const int32_t want = tflite_multiply_by_quantized_multiplier(a, mult, -shift);
        ASSERT_EQ(rq(a, mult, shift, Rounding::kTflite), want)
            << "acc " << a << " mult " << mult << " shift " << shift;
    }
}

// The inline 64-bit requantize() against the 128-bit oracle on every combination of edge values:
// accumulators at the int32 limits, around powers of two and at exact ties (odd multiples of
// powers of two), every shift, multipliers at their limits, extreme zero points and clamps.
TEST(RequantOracle, EdgeCasesInEveryModeEqualThe128BitVersion) {
    std::vector<int32_t> accs = {kI32Min, kI32Min + 1, kI32Max, kI32Max - 1, 0, 1, -1};
    for (int k = 0; k < 31; ++k) {
        for (int64_t odd : {1, 3, 5, 7}) {
            for (int64_t d : {-1, 0, 1}) {
                const int64_t v = (odd << k) + d;
                if (v <= kI32Max) accs.push_back(static_cast<int32_t>(v));
                if (-v >= kI32Min) accs.push_back(static_cast<int32_t>(-v));
            }
        }
    }
    const int32_t mults[] = {0,       1,       2,           kHalfMult,  kHalfMult + 1,
                             3 << 29, kI32Max, kI32Max - 1, 1717986918, 1518500250};
    const int32_t zps[] = {0, -128, 127, kI32Min, kI32Max};
    const int32_t bounds[][2] = {{-128, 127}, {kI32Min, kI32Max}, {0, 6}, {5, 5}, {kI32Min, -7}};
    int64_t cases = 0;
    for (Rounding mode : {Rounding::kHalfEven, Rounding::kHalfUp, Rounding::kTflite}) {
        for (int32_t shift = -31; shift <= 31; ++shift) {
            for (int32_t m : mults) {
                for (int32_t acc : accs) {
                    for (int32_t zp : zps) {
                        for (const auto& b : bounds) {
                            const int32_t want =
                                oracle::requantize_int128(acc, m, shift, zp, b[0], b[1], mode);
                            const int32_t got = requantize(acc, m, shift, zp, b[0], b[1], mode);
                            ++cases;
                            if (got != want) {
                                FAIL() << "acc " << acc << " mult " << m << " shift " << shift
                                       << " zp " << zp << " [" << b[0] << ", " << b[1] << "] mode "
                                       << to_string(mode) << ": " << got << " != " << want;
                            }
                        }
                    }
                }
            }
        }
    }
    EXPECT_GT(cases, 10'000'000);
}

// 24 million random inputs (uniform over the whole precondition domain, and in the ranges real
// layers use) against the oracle.
TEST(RequantOracle, RandomInputsEqualThe128BitVersion) {
    std::mt19937_64 gen(14);
    const Rounding modes[] = {Rounding::kHalfEven, Rounding::kHalfUp, Rounding::kTflite};
    for (int i = 0; i < 24'000'000; ++i) {
        const uint64_t r = gen();
        const uint64_t r2 = gen();
        const bool typical = (r2 & 1) != 0;
        const int32_t acc = typical
                                ? static_cast<int32_t>(static_cast<int64_t>(r % 2000001) - 1000000)
                                : static_cast<int32_t>(static_cast<uint32_t>(r));
        const int32_t mult = typical ? static_cast<int32_t>((1u << 30) | ((r >> 32) & 0x3fffffffu))
                                     : static_cast<int32_t>((r >> 32) & 0x7fffffffu);
        const int32_t shift = static_cast<int32_t>((r2 >> 1) % 63) - 31;
        const int32_t zp = typical ? static_cast<int32_t>((r2 >> 8) % 256) - 128
                                   : static_cast<int32_t>(static_cast<uint32_t>(r2 >> 8));
        int32_t lo = typical ? -128 : static_cast<int32_t>(static_cast<uint32_t>(r2 >> 32));
        int32_t hi = typical ? 127 : static_cast<int32_t>(static_cast<uint32_t>(r));
        if (lo > hi) std::swap(lo, hi);
        const Rounding mode = modes[(r2 >> 40) % 3];
        const int32_t want = oracle::requantize_int128(acc, mult, shift, zp, lo, hi, mode);
        const int32_t got = requantize(acc, mult, shift, zp, lo, hi, mode);
        if (got != want) {
            FAIL() << "acc " << acc << " mult " << mult << " shift " << shift << " zp " << zp
                   << " [" << lo << ", " << hi << "] mode " << to_string(mode) << ": " << got
                   << " != " << want;
        }
    }
}

}  // namespace
}  // namespace npu

#include "sim/core/units.h"

#include <gtest/gtest.h>

#include <cmath>

namespace npu::units {
namespace {

TEST(UnitsFrequency, ParsesUnitsSpacesAndPlainNumbers) {
    EXPECT_EQ(parse_frequency_hz("1GHz"), 1e9);
    EXPECT_EQ(parse_frequency_hz("700MHz"), 7e8);
    EXPECT_EQ(parse_frequency_hz("1.5 GHz"), 1.5e9);
    EXPECT_EQ(parse_frequency_hz("250kHz"), 250e3);
    EXPECT_EQ(parse_frequency_hz("100"), 100.0);
    EXPECT_EQ(parse_frequency_hz("1e9"), 1e9);
    EXPECT_EQ(parse_frequency_hz("  2ghz "), 2e9);  // frequency units ignore case
    EXPECT_EQ(parse_frequency_hz("0.7GHz"), 7e8);   // one rounding: exactly 700000000
}

TEST(UnitsFrequency, RejectsOtherUnitsAndNonPositive) {
    EXPECT_EQ(parse_frequency_hz("12KiB"), std::nullopt);
    EXPECT_EQ(parse_frequency_hz("fast"), std::nullopt);
    EXPECT_EQ(parse_frequency_hz("0Hz"), std::nullopt);
    EXPECT_EQ(parse_frequency_hz("-1GHz"), std::nullopt);
    EXPECT_EQ(parse_frequency_hz(""), std::nullopt);
    EXPECT_EQ(parse_frequency_hz("GHz"), std::nullopt);
    EXPECT_EQ(parse_frequency_hz("1GHz2"), std::nullopt);
}

TEST(UnitsSize, ParsesBinaryDecimalAndPlainBytes) {
    EXPECT_EQ(parse_size_bytes("256KiB"), 262144u);    // 256 * 1024
    EXPECT_EQ(parse_size_bytes("4MiB"), 4194304u);     // 4 * 1024^2
    EXPECT_EQ(parse_size_bytes("1GiB"), 1073741824u);  // 1024^3
    EXPECT_EQ(parse_size_bytes("512KB"), 512000u);     // 1000-based
    EXPECT_EQ(parse_size_bytes("64B"), 64u);
    EXPECT_EQ(parse_size_bytes("4096"), 4096u);
    EXPECT_EQ(parse_size_bytes("1.5KiB"), 1536u);           // whole bytes: accepted
    EXPECT_EQ(parse_size_bytes("24 MiB"), 25165824u);       // 24 * 1048576
    EXPECT_EQ(parse_size_bytes("16TiB"), 17592186044416u);  // 16 * 1024^4
}

TEST(UnitsSize, RejectsFractionsOfBytesOtherUnitsAndOverflow) {
    EXPECT_EQ(parse_size_bytes("1.5B"), std::nullopt);
    EXPECT_EQ(parse_size_bytes("0.1KiB"), std::nullopt);  // 102.4 bytes
    EXPECT_EQ(parse_size_bytes("12GHz"), std::nullopt);
    EXPECT_EQ(parse_size_bytes("12Gb"), std::nullopt);  // bits are not bytes
    EXPECT_EQ(parse_size_bytes("-4KiB"), std::nullopt);
    EXPECT_EQ(parse_size_bytes("99999999TiB"), std::nullopt);  // > 2^64
    EXPECT_EQ(parse_size_bytes("abc"), std::nullopt);
}

TEST(UnitsBandwidth, ParsesDecimalBinaryAndPlain) {
    EXPECT_EQ(parse_bandwidth_bytes_per_s("25.6GB/s"), 25.6e9);  // the double nearest 2.56e10
    EXPECT_EQ(parse_bandwidth_bytes_per_s("34GB/s"), 34e9);
    EXPECT_EQ(parse_bandwidth_bytes_per_s("10GiB/s"), 10737418240.0);  // 10 * 2^30
    EXPECT_EQ(parse_bandwidth_bytes_per_s("800MB/s"), 8e8);
    EXPECT_EQ(parse_bandwidth_bytes_per_s("1000"), 1000.0);
    EXPECT_EQ(parse_bandwidth_bytes_per_s("1.5 TB/s"), 1.5e12);
    EXPECT_EQ(parse_bandwidth_bytes_per_s("16GB"), std::nullopt);
    EXPECT_EQ(parse_bandwidth_bytes_per_s("16Gb/s"), std::nullopt);
    EXPECT_EQ(parse_bandwidth_bytes_per_s("0GB/s"), std::nullopt);
}

TEST(UnitsPlain, IntegersAndDoubles) {
    EXPECT_EQ(parse_int("42"), 42);
    EXPECT_EQ(parse_int("-3"), -3);
    EXPECT_EQ(parse_int("1.0"), std::nullopt);
    EXPECT_EQ(parse_int("16B"), std::nullopt);
    EXPECT_EQ(parse_int("99999999999999999999"), std::nullopt);
    EXPECT_EQ(parse_double("0.3"), 0.3);
    EXPECT_EQ(parse_double("-1e-3"), -1e-3);
    EXPECT_EQ(parse_double("3pJ"), std::nullopt);
    EXPECT_EQ(parse_double("nan"), std::nullopt);
}

TEST(UnitsFormat, ShortestExactForms) {
    EXPECT_EQ(format_frequency(1e9), "1GHz");
    EXPECT_EQ(format_frequency(7e8), "700MHz");
    EXPECT_EQ(format_frequency(1.5e9), "1.5GHz");
    EXPECT_EQ(format_frequency(1234.0), "1.234kHz");
    EXPECT_EQ(format_frequency(0.5), "0.5Hz");
    EXPECT_EQ(format_size(262144), "256KiB");
    EXPECT_EQ(format_size(512000), "512KB");
    EXPECT_EQ(format_size(64), "64B");
    EXPECT_EQ(format_size(0), "0B");
    EXPECT_EQ(format_size(1536), "1536B");      // "1.5KiB" is longer
    EXPECT_EQ(format_size(1024000), "1024KB");  // shorter than "1000KiB"
    EXPECT_EQ(format_size(25165824), "24MiB");
    EXPECT_EQ(format_bandwidth(16e9), "16GB/s");
    EXPECT_EQ(format_bandwidth(25.6e9), "25.6GB/s");
    EXPECT_EQ(format_bandwidth(10737418240.0), "10GiB/s");
    EXPECT_EQ(format_bandwidth(8e8), "800MB/s");
    EXPECT_EQ(format_double(0.3), "0.3");
    EXPECT_EQ(format_double(160.0), "160");
    EXPECT_EQ(format_double(1.25), "1.25");
    EXPECT_EQ(format_double(1e-9), "1e-9");
}

TEST(UnitsFormat, RoundTripsExactly) {
    const double freqs[] = {1e9, 7e8, 1.5e9, 123456789.0, 3.3e9, 1.0 / 3.0 * 1e9, 0.1, 999.999e6};
    for (double f : freqs) {
        EXPECT_EQ(parse_frequency_hz(format_frequency(f)), f) << format_frequency(f);
    }
    const uint64_t sizes[] = {1,      1000,     1024,       1536,          262144,
                              512000, 25165824, 3ull << 40, 1234567891ull, 18446744073709551615ull};
    for (uint64_t s : sizes) EXPECT_EQ(parse_size_bytes(format_size(s)), s) << format_size(s);
    const double bws[] = {16e9, 25.6e9,           34e9,      10737418240.0,
                          8e8,  1.0 / 7.0 * 1e10, 12345.678, 1e14};
    for (double b : bws) {
        EXPECT_EQ(parse_bandwidth_bytes_per_s(format_bandwidth(b)), b) << format_bandwidth(b);
    }
    const double doubles[] = {0.3, 2.5, 160, 31.2, 1.0 / 3.0, 1e-12, 6.02e23, -4.75};
    for (double d : doubles) EXPECT_EQ(parse_double(format_double(d)), d) << format_double(d);
}

}  // namespace
}  // namespace npu::units

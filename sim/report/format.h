// Human-readable number formatting for the printed report (not for stats.json or layers.csv, which
// keep exact values). Exposed so tests and other text reports format the same way.
#pragma once

#include <cstdint>
#include <string>

namespace npu::report {

// 1234567 -> "1,234,567".
[[nodiscard]] std::string with_commas(uint64_t v);
// Fixed-point with `decimals` digits: fixed(0.5, 1) -> "0.5".
[[nodiscard]] std::string fixed(double v, int decimals);
// Binary prefixes: 512 -> "512 B", 1536 -> "1.50 KiB", 3 << 20 -> "3.00 MiB", then GiB.
[[nodiscard]] std::string human_bytes(uint64_t bytes);
// Seconds as "12.345 us" below 1 ms, "1.234 ms" below 1 s, else "1.234 s".
[[nodiscard]] std::string human_time(double seconds);
// 1e9 -> "1 GHz", 7e8 -> "700 MHz", 1.5e9 -> "1.5 GHz" (up to 3 decimals, trailing zeros cut).
[[nodiscard]] std::string human_frequency(double hz);
// A rate such as inferences per second: from 100 up rounded to a whole number with commas
// (10901.3 -> "10,901"), below with 3 decimals (2.5 -> "2.500").
[[nodiscard]] std::string human_rate(double v);
// A fraction as a percentage with one decimal: 0.5 -> "50.0%".
[[nodiscard]] std::string percent(double fraction);
// Picojoules as microjoules: 3 decimals (1 above 1000 uJ); below 0.001 uJ in scientific form so a
// small but nonzero energy does not print as 0.
[[nodiscard]] std::string microjoules(double pj);

}  // namespace npu::report

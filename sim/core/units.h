// Quantities with units, as users write them in YAML and on the command line: frequencies
// (`1GHz`, `700MHz`, `1.5 GHz`), sizes (`256KiB`, `512KB`, `64B`) and bandwidths (`25.6GB/s`,
// `10GiB/s`). Parsing is exact: the decimal text is converted once, with correct rounding, so
// `25.6GB/s` is the double nearest 25600000000 rather than 25.6 * 1e9 rounded twice. Formatting
// picks the shortest exact human form, and parse(format(x)) == x holds for every value formatted.
//
// Parsers return std::nullopt for text that is not a quantity of that kind; the caller words the
// diagnostic ("expected a size such as 256KiB, found '12GHz'") because it knows the key.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace npu::units {

// Hz, kHz, MHz, GHz, THz (unit letters are case-insensitive); a plain number is Hz. Must be > 0
// and finite.
[[nodiscard]] std::optional<double> parse_frequency_hz(std::string_view text);

// B, KB/MB/GB/TB (powers of 1000), KiB/MiB/GiB/TiB (powers of 1024); a plain integer is bytes.
// A fraction is accepted only when the result is a whole number of bytes (`1.5KiB` = 1536).
[[nodiscard]] std::optional<uint64_t> parse_size_bytes(std::string_view text);

// B/s, KB/s, MB/s, GB/s, TB/s (powers of 1000), KiB/s ... TiB/s (powers of 1024); a plain number
// is bytes per second. Must be > 0 and finite.
[[nodiscard]] std::optional<double> parse_bandwidth_bytes_per_s(std::string_view text);

// A plain decimal integer with an optional sign (no units, no fraction).
[[nodiscard]] std::optional<int64_t> parse_int(std::string_view text);

// A plain real number (`0.3`, `1e-3`, `160`); must be finite.
[[nodiscard]] std::optional<double> parse_double(std::string_view text);

// Shortest exact forms: 1e9 -> "1GHz", 7e8 -> "700MHz", 1.5e9 -> "1.5GHz".
[[nodiscard]] std::string format_frequency(double hz);
// 262144 -> "256KiB", 512000 -> "512KB", 100 -> "100B", 0 -> "0B".
[[nodiscard]] std::string format_size(uint64_t bytes);
// 16e9 -> "16GB/s", 10 * 2^30 -> "10GiB/s", 25.6e9 -> "25.6GB/s".
[[nodiscard]] std::string format_bandwidth(double bytes_per_s);
// Shortest decimal that reads back to exactly the same double: 0.3 -> "0.3", 160 -> "160".
[[nodiscard]] std::string format_double(double value);

}  // namespace npu::units

// Numeric precision of a layer's datapath: what the DMA moves, what the scratchpad holds, what the
// array multiplies and what the accumulators hold.
//
//   precision  activations      weights                        accumulators
//   int8       int8             int8                           int32
//   int4       int8             int4, two per byte (low first)  int32     ("w4a8")
//   bf16       bfloat16         bfloat16                       fp32
//   fp16       IEEE binary16    IEEE binary16                  fp32
//   fp32       IEEE binary32    IEEE binary32                  fp32
//
// Biases are 4 bytes in every precision (int32 or fp32). The array's throughput per precision is
// the hardware config's `array.cycles_per_mac.*`; the MAC energy is `energy.mac_*_pj`.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace npu {

enum class Precision : uint8_t { kInt8, kInt4, kBf16, kFp16, kFp32 };
inline constexpr int kPrecisionCount = 5;
inline constexpr std::array<Precision, kPrecisionCount> kAllPrecisions{
    Precision::kInt8, Precision::kInt4, Precision::kBf16, Precision::kFp16, Precision::kFp32};

[[nodiscard]] const char* to_string(Precision p);
// "int8" | "int4" | "bf16" | "fp16" | "fp32" (also "w4a8" for int4); nullopt otherwise.
[[nodiscard]] std::optional<Precision> parse_precision(std::string_view text);
// "int8, int4, bf16, fp16, fp32"
[[nodiscard]] std::string precision_choices();

[[nodiscard]] constexpr bool is_float(Precision p) {
    return p == Precision::kBf16 || p == Precision::kFp16 || p == Precision::kFp32;
}
// Bytes of one activation element in memory.
[[nodiscard]] constexpr uint32_t act_bytes(Precision p) {
    return p == Precision::kFp32 ? 4 : (p == Precision::kBf16 || p == Precision::kFp16) ? 2 : 1;
}
// Bits of one weight element in memory (int4: 4, packed two per byte).
[[nodiscard]] constexpr uint32_t weight_bits(Precision p) {
    return p == Precision::kInt4 ? 4 : 8 * act_bytes(p);
}
// Bytes of `count` weights (int4 rounds up to whole bytes).
[[nodiscard]] constexpr uint64_t weight_bytes(Precision p, uint64_t count) {
    return (count * weight_bits(p) + 7) / 8;
}
// Bytes of one accumulator element (int32 or fp32) and of one bias.
inline constexpr uint32_t kAccBytes = 4;

// Storage formats of the float precisions, round to nearest even (NaN stays NaN, overflow gives
// infinity). The values returned are exactly representable in the format.
[[nodiscard]] float round_to_bf16(float x);
[[nodiscard]] float round_to_fp16(float x);
// Bit patterns (for memory images).
[[nodiscard]] uint16_t bf16_bits(float x);  // of round_to_bf16(x)
[[nodiscard]] uint16_t fp16_bits(float x);  // of round_to_fp16(x)
[[nodiscard]] float bf16_value(uint16_t bits);
[[nodiscard]] float fp16_value(uint16_t bits);
// The bit pattern of x in a float precision's format (fp32: its IEEE bits; bf16/fp16: rounded to
// nearest even), in the low act_bytes(p) bytes; and the value of such a pattern. Memory holds
// these little-endian.
[[nodiscard]] uint32_t float_bits(Precision p, float x);
[[nodiscard]] float float_from_bits(Precision p, uint32_t bits);
// One element of a float precision in memory (act_bytes(p) bytes, little-endian).
[[nodiscard]] float load_float(Precision p, const uint8_t* bytes);
void store_float(Precision p, uint8_t* bytes, float x);
// The value a float precision stores for x (fp32: x itself). Integer precisions: x unchanged.
[[nodiscard]] float round_to(Precision p, float x);

}  // namespace npu

#include "sim/core/precision.h"

#include <cmath>
#include <cstring>

namespace npu {

const char* to_string(Precision p) {
    switch (p) {
        case Precision::kInt8:
            return "int8";
        case Precision::kInt4:
            return "int4";
        case Precision::kBf16:
            return "bf16";
        case Precision::kFp16:
            return "fp16";
        case Precision::kFp32:
            return "fp32";
    }
    return "?";
}

std::optional<Precision> parse_precision(std::string_view text) {
    for (Precision p : kAllPrecisions) {
        if (text == to_string(p)) return p;
    }
    if (text == "w4a8") return Precision::kInt4;
    return std::nullopt;
}

std::string precision_choices() {
    std::string out;
    for (Precision p : kAllPrecisions) {
        if (!out.empty()) out += ", ";
        out += to_string(p);
    }
    return out;
}

namespace {

uint32_t bits_of(float x) {
    uint32_t b = 0;
    std::memcpy(&b, &x, sizeof b);
    return b;
}
float from_bits(uint32_t b) {
    float x = 0;
    std::memcpy(&x, &b, sizeof x);
    return x;
}

}  // namespace

uint16_t bf16_bits(float x) {
    const uint32_t b = bits_of(x);
    if (std::isnan(x)) return static_cast<uint16_t>((b >> 16) | 0x0040u);  // quiet NaN
    // Round to nearest even on the 16 bits dropped (carries into the exponent give infinity).
    const uint32_t lsb = (b >> 16) & 1u;
    return static_cast<uint16_t>((b + 0x7fffu + lsb) >> 16);
}

float bf16_value(uint16_t bits) { return from_bits(uint32_t{bits} << 16); }

float round_to_bf16(float x) { return bf16_value(bf16_bits(x)); }

uint16_t fp16_bits(float x) {
    const uint32_t b = bits_of(x);
    const uint32_t sign = (b >> 16) & 0x8000u;
    const uint32_t abs = b & 0x7fffffffu;
    if (abs > 0x7f800000u) return static_cast<uint16_t>(sign | 0x7e00u);   // NaN
    if (abs >= 0x477ff000u) return static_cast<uint16_t>(sign | 0x7c00u);  // rounds to >= 2^16
    const int exp = static_cast<int>(abs >> 23) - 127;
    if (exp >= -14) {  // normal in binary16: keep 10 of the 23 mantissa bits
        const uint32_t mant = abs & 0x7fffffu;
        uint32_t h = (static_cast<uint32_t>(exp + 15) << 10) | (mant >> 13);
        const uint32_t rest = mant & 0x1fffu;
        if (rest > 0x1000u || (rest == 0x1000u && (h & 1u))) ++h;  // may carry into the exponent
        return static_cast<uint16_t>(sign | h);
    }
    // Subnormal (or zero) in binary16: the value in units of 2^-24, rounded to nearest even.
    if (exp < -25) return static_cast<uint16_t>(sign);
    const uint32_t mant = (abs & 0x7fffffu) | 0x800000u;  // 1.m x 2^exp, exp in [-25, -15]
    const int shift = -exp - 1;                           // 14 + (-14 - exp) - 1 + 13 - 13
    // value / 2^-24 = mant * 2^(exp - 23 + 24) = mant >> (-(exp + 1))
    const uint32_t h = mant >> shift;
    const uint32_t rest = mant & ((1u << shift) - 1u);
    const uint32_t half = 1u << (shift - 1);
    uint32_t r = h;
    if (rest > half || (rest == half && (h & 1u))) ++r;
    return static_cast<uint16_t>(sign | r);
}

float fp16_value(uint16_t bits) {
    const uint32_t sign = (uint32_t{bits} & 0x8000u) << 16;
    const uint32_t exp = (bits >> 10) & 0x1fu;
    const uint32_t mant = bits & 0x3ffu;
    if (exp == 0) {
        const float v = std::ldexp(static_cast<float>(mant), -24);
        return sign ? -v : v;
    }
    if (exp == 31) return from_bits(sign | 0x7f800000u | (mant << 13));
    return from_bits(sign | ((exp + 112) << 23) | (mant << 13));
}

float round_to_fp16(float x) { return fp16_value(fp16_bits(x)); }

uint32_t float_bits(Precision p, float x) {
    switch (p) {
        case Precision::kBf16:
            return bf16_bits(x);
        case Precision::kFp16:
            return fp16_bits(x);
        default:
            return bits_of(x);
    }
}

float float_from_bits(Precision p, uint32_t bits) {
    switch (p) {
        case Precision::kBf16:
            return bf16_value(static_cast<uint16_t>(bits));
        case Precision::kFp16:
            return fp16_value(static_cast<uint16_t>(bits));
        default:
            return from_bits(bits);
    }
}

float load_float(Precision p, const uint8_t* bytes) {
    uint32_t bits = 0;
    for (uint32_t b = 0; b < act_bytes(p); ++b) bits |= uint32_t{bytes[b]} << (8 * b);
    return float_from_bits(p, bits);
}

void store_float(Precision p, uint8_t* bytes, float x) {
    const uint32_t bits = float_bits(p, x);
    for (uint32_t b = 0; b < act_bytes(p); ++b) bytes[b] = static_cast<uint8_t>(bits >> (8 * b));
}

float round_to(Precision p, float x) {
    switch (p) {
        case Precision::kBf16:
            return round_to_bf16(x);
        case Precision::kFp16:
            return round_to_fp16(x);
        default:
            return x;
    }
}

}  // namespace npu

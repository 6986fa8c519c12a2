// Compiled with -ffp-contract=off (sim/CMakeLists.txt): every product and sum below rounds to
// float32 on its own, as MLAS's separate MULPS / ADDPS / DIVPS instructions do.
#include "sim/core/requant_f32.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

namespace npu {

namespace {

constexpr int32_t kQMin = -128;
constexpr int32_t kQMax = 127;

// SSE MAXPS / MINPS: the second operand when the comparison fails (so a NaN first operand
// yields the bound).
float max_ps(float a, float b) { return a > b ? a : b; }
float min_ps(float a, float b) { return a < b ? a : b; }

int32_t clamp_act(int32_t q, int32_t act_min, int32_t act_max) {
    return std::clamp(q, act_min, act_max);
}

}  // namespace

const char* to_string(F32Formula f) {
    switch (f) {
        case F32Formula::kScale:
            return "scale";
        case F32Formula::kMul:
            return "mul";
        case F32Formula::kAdd:
            return "add";
        case F32Formula::kAvgPool:
            return "avgpool";
        case F32Formula::kSoftmax:
            return "softmax";
    }
    return "?";
}

float f32_rescale(double in_scale, double w_scale, double out_scale) {
    const float product = static_cast<float>(in_scale) * static_cast<float>(w_scale);
    return product / static_cast<float>(out_scale);
}

float f32_global_avgpool_scale(double in_scale, double out_scale, int64_t count) {
    const float denominator = static_cast<float>(out_scale) * static_cast<float>(count);
    return static_cast<float>(in_scale) / denominator;
}

int32_t cvt_f32_to_i32(float v) {
    // [-2^31, 2^31) is exactly representable at both ends; NaN fails both comparisons.
    if (!(v >= -2147483648.0f && v < 2147483648.0f)) return std::numeric_limits<int32_t>::min();
    // nearbyint rounds half to even under the default rounding mode, as CVTPS2DQ does under the
    // default MXCSR; the result is an integer-valued float inside int32.
    return static_cast<int32_t>(std::nearbyint(v));
}

int32_t requantize_f32(int32_t acc, float scale, int32_t out_zp, int32_t act_min, int32_t act_max) {
    float v = static_cast<float>(acc) * scale;  // CVTDQ2PS rounds to nearest even too
    v = max_ps(v, static_cast<float>(kQMin - out_zp));
    v = min_ps(v, static_cast<float>(kQMax - out_zp));
    return clamp_act(cvt_f32_to_i32(v) + out_zp, act_min, act_max);
}

int32_t mul_requantize_f32(int32_t product, float ratio, int32_t out_zp, int32_t zp_offset,
                           int32_t act_min, int32_t act_max) {
    const float scaled = static_cast<float>(product) * ratio;
    const float v = scaled + static_cast<float>(out_zp + zp_offset);
    // PACKSSDW then PACKSSWB (PACKUSWB for uint8): saturation to the source type's range.
    const int32_t q = std::clamp(cvt_f32_to_i32(v), kQMin + zp_offset, kQMax + zp_offset);
    return clamp_act(q - zp_offset, act_min, act_max);
}

float add_partial_f32(int32_t dx, float sa, int32_t dy, float sb) {
    const float fa = static_cast<float>(dx) * sa;
    const float fb = static_cast<float>(dy) * sb;
    return fa + fb;
}

int32_t add_requantize_f32(float sum, float out_scale, int32_t out_zp, int32_t act_min,
                           int32_t act_max) {
    int32_t q = cvt_f32_to_i32(sum / out_scale);
    q = std::max(q, kQMin - out_zp);  // VPMAXSD, VPMINSD: integer clamps after the conversion
    q = std::min(q, kQMax - out_zp);
    return clamp_act(q + out_zp, act_min, act_max);
}

float dequantize_f32(int32_t q, int32_t zp, float scale) {
    return static_cast<float>(q - zp) * scale;
}

float avgpool_mean_f32(const float* values, int count) {
    float sum = 0.0f;
    for (int i = 0; i < count; ++i) sum += values[i];
    return sum / static_cast<float>(count);
}

int32_t avgpool_requantize_f32(float mean, float out_scale, int32_t out_zp, int32_t zp_offset,
                               int32_t act_min, int32_t act_max) {
    const float v = mean / out_scale + static_cast<float>(out_zp + zp_offset);
    const int32_t q = std::clamp(cvt_f32_to_i32(v), kQMin + zp_offset, kQMax + zp_offset);
    return clamp_act(q - zp_offset, act_min, act_max);
}

int8_t quantize_linear_f32(float x, float scale, int32_t zp) {
    float v = x / scale;
    v = max_ps(v, static_cast<float>(kQMin - zp));
    v = min_ps(v, static_cast<float>(kQMax - zp));
    return static_cast<int8_t>(cvt_f32_to_i32(v) + zp);
}

std::vector<float> softmax_table_f32(double in_scale, int64_t row_len) {
    const float sx = static_cast<float>(in_scale);
    // ORT: log(numeric_limits<float>::max() / reduce_len): a float quotient, its log in double.
    const float quotient = std::numeric_limits<float>::max() / static_cast<float>(row_len);
    const double shift =
        std::max(0.0, std::log(static_cast<double>(quotient)) - 5.0) / static_cast<double>(sx);
    std::vector<float> table(256);
    for (int k = 0; k < 256; ++k) {
        const double e =
            std::exp((static_cast<double>(255 - k) - 255 + shift) * static_cast<double>(sx));
        table[static_cast<size_t>(k)] = static_cast<float>(e);
    }
    return table;
}

void qlinear_softmax_row(const int8_t* x, int n, const F32Requant& p, int32_t out_zp, int8_t* out) {
    if (n <= 0) return;
    const int32_t xmax = *std::max_element(x, x + n);
    float sum = 0.0f;
    for (int i = 0; i < n; ++i) sum += p.table[static_cast<size_t>(xmax - x[i])];
    for (int i = 0; i < n; ++i) {
        const float t = p.table[static_cast<size_t>(xmax - x[i])];
        const float quotient = (t * p.out_scale) / sum;
        // t * Y overflows to infinity only in a row of one value with Y > e^5 (the table's
        // headroom): ORT's float-to-integer conversion of infinity on x86-64 (CVTTSS2SI's
        // indefinite integer, low 32 bits 0 for uint32, INT32_MIN for int32) leaves the zero
        // point, as v = 0 does here.
        const int32_t v =
            std::isfinite(quotient) ? static_cast<int32_t>(std::nearbyint(quotient)) : 0;
        if (p.zp_offset != 0) {  // uint8: saturated at 255 (v >= 0, so only from above)
            out[i] = static_cast<int8_t>(std::min(v + out_zp + p.zp_offset, 255) - p.zp_offset);
        } else {  // int8: 255 above, then the low byte
            const int32_t code = v + out_zp;
            out[i] = static_cast<int8_t>(static_cast<uint8_t>(code > 255 ? 255 : code));
        }
    }
}

int32_t f32_bits(float v) {
    int32_t bits = 0;
    std::memcpy(&bits, &v, sizeof bits);
    return bits;
}

float f32_from_bits(int32_t bits) {
    float v = 0.0f;
    std::memcpy(&v, &bits, sizeof v);
    return v;
}

int32_t postprocess_f32(int32_t acc_word, size_t channel, const F32Requant& p, int32_t out_zp,
                        int32_t act_min, int32_t act_max) {
    switch (p.formula) {
        case F32Formula::kScale:
            return requantize_f32(acc_word, p.scale[channel], out_zp, act_min, act_max);
        case F32Formula::kMul:
            return mul_requantize_f32(acc_word, p.scale[channel], out_zp, p.zp_offset, act_min,
                                      act_max);
        case F32Formula::kAdd:
            return add_requantize_f32(f32_from_bits(acc_word), p.out_scale, out_zp, act_min,
                                      act_max);
        case F32Formula::kAvgPool:
            return avgpool_requantize_f32(f32_from_bits(acc_word), p.out_scale, out_zp, p.zp_offset,
                                          act_min, act_max);
        case F32Formula::kSoftmax:
            break;  // a row op: qlinear_softmax_row
    }
    return out_zp;
}

}  // namespace npu

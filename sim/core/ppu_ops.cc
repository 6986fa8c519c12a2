#include "sim/core/ppu_ops.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

namespace npu {

namespace {

template <typename F>
F round_even(F v) {
    const F lo = std::floor(v);
    const F diff = v - lo;
    if (diff > F(0.5)) return lo + F(1);
    if (diff < F(0.5)) return lo;
    return std::fmod(lo, F(2)) == F(0) ? lo : lo + F(1);  // a tie: the even neighbour
}

int8_t saturate_code(double v) { return static_cast<int8_t>(std::clamp(v, -128.0, 127.0)); }

}  // namespace

float round_half_even(float v) { return round_even(v); }
double round_half_even(double v) { return round_even(v); }

void quantize_floats(const float* y, int n, double out_scale, int32_t out_zp, int8_t* out) {
    const float so = static_cast<float>(out_scale);
    for (int i = 0; i < n; ++i) {
        const float r = round_half_even(y[i] / so);
        // Clamp in double: r may be far outside int range (or NaN, which becomes the zero point).
        out[i] = std::isnan(r) ? saturate_code(out_zp) : saturate_code(double{r} + out_zp);
    }
}

void softmax_row_real(const int8_t* x, int n, double in_scale, int32_t in_zp, float* p) {
    if (n <= 0) return;
    const float sx = static_cast<float>(in_scale);
    float vmax = -std::numeric_limits<float>::infinity();
    for (int i = 0; i < n; ++i) {
        p[i] = sx * static_cast<float>(int32_t{x[i]} - in_zp);
        vmax = std::max(vmax, p[i]);
    }
    float sum = 0.0f;
    for (int i = 0; i < n; ++i) {
        p[i] = std::exp(p[i] - vmax);
        sum += p[i];
    }
    for (int i = 0; i < n; ++i) p[i] = p[i] / sum;
}

void softmax_row(const int8_t* x, int n, double in_scale, int32_t in_zp, double out_scale,
                 int32_t out_zp, int8_t* out) {
    std::vector<float> p(static_cast<size_t>(std::max(n, 0)));
    softmax_row_real(x, n, in_scale, in_zp, p.data());
    quantize_floats(p.data(), n, out_scale, out_zp, out);
}

void layernorm_row_real(const int8_t* x, int n, double in_scale, int32_t in_zp, const float* gamma,
                        const float* beta, float* y) {
    if (n <= 0) return;
    const float sx = static_cast<float>(in_scale);
    const float count = static_cast<float>(n);
    float sum = 0.0f;
    for (int i = 0; i < n; ++i) {
        y[i] = sx * static_cast<float>(int32_t{x[i]} - in_zp);
        sum += y[i];
    }
    const float mean = sum / count;
    float sq = 0.0f;
    for (int i = 0; i < n; ++i) {
        const float d = y[i] - mean;
        sq += d * d;
    }
    const float var = sq / count;
    const float den = std::sqrt(var + kNormEpsilon);
    for (int i = 0; i < n; ++i) y[i] = (y[i] - mean) / den * gamma[i] + beta[i];
}

void layernorm_row(const int8_t* x, int n, double in_scale, int32_t in_zp, const float* gamma,
                   const float* beta, double out_scale, int32_t out_zp, int8_t* out) {
    std::vector<float> y(static_cast<size_t>(std::max(n, 0)));
    layernorm_row_real(x, n, in_scale, in_zp, gamma, beta, y.data());
    quantize_floats(y.data(), n, out_scale, out_zp, out);
}

void rmsnorm_row_real(const int8_t* x, int n, double in_scale, int32_t in_zp, const float* gamma,
                      float* y) {
    if (n <= 0) return;
    const float sx = static_cast<float>(in_scale);
    float sq = 0.0f;
    for (int i = 0; i < n; ++i) {
        y[i] = sx * static_cast<float>(int32_t{x[i]} - in_zp);
        sq += y[i] * y[i];
    }
    const float den = std::sqrt(sq / static_cast<float>(n) + kNormEpsilon);
    for (int i = 0; i < n; ++i) y[i] = y[i] / den * gamma[i];
}

void rmsnorm_row(const int8_t* x, int n, double in_scale, int32_t in_zp, const float* gamma,
                 double out_scale, int32_t out_zp, int8_t* out) {
    std::vector<float> y(static_cast<size_t>(std::max(n, 0)));
    rmsnorm_row_real(x, n, in_scale, in_zp, gamma, y.data());
    quantize_floats(y.data(), n, out_scale, out_zp, out);
}

double lut_function(LutFunction f, double v) {
    switch (f) {
        case LutFunction::kGelu:
            return 0.5 * v * (1.0 + std::erf(v / std::sqrt(2.0)));
        case LutFunction::kSilu:
            return v / (1.0 + std::exp(-v));
    }
    return 0.0;
}

std::vector<int8_t> build_lut(LutFunction f, double in_scale, int32_t in_zp, double out_scale,
                              int32_t out_zp) {
    std::vector<int8_t> lut(256);
    for (int q = -128; q <= 127; ++q) {
        const double y = lut_function(f, in_scale * (q - in_zp));
        lut[static_cast<size_t>(q + 128)] = saturate_code(round_half_even(y / out_scale) + out_zp);
    }
    return lut;
}

AddMultipliers add_multipliers(double x_scale, double y_scale, double out_scale) {
    const double twice = 2.0 * std::max(x_scale, y_scale);
    AddMultipliers m;
    m.x = quantize_multiplier(x_scale / twice);
    m.y = quantize_multiplier(y_scale / twice);
    m.out = quantize_multiplier(twice / (std::ldexp(1.0, kAddLeftShift) * out_scale));
    return m;
}

int32_t requant0(int32_t acc, QuantMultiplier m, Rounding mode) {
    return requantize(acc, m.multiplier, m.shift, 0, std::numeric_limits<int32_t>::min(),
                      std::numeric_limits<int32_t>::max(), mode);
}

int32_t add_accumulate(int8_t x, int32_t x_zp, QuantMultiplier mx, int8_t y, int32_t y_zp,
                       QuantMultiplier my, Rounding mode) {
    // |x - zp| <= 255, so the shifted values stay below 2^28; each scaled term is at most half.
    const int32_t sx = (int32_t{x} - x_zp) * (int32_t{1} << kAddLeftShift);
    const int32_t sy = (int32_t{y} - y_zp) * (int32_t{1} << kAddLeftShift);
    return requant0(sx, mx, mode) + requant0(sy, my, mode);
}

int32_t rounding_divide(int32_t s, int32_t count) {
    if (count <= 0) throw std::invalid_argument("rounding_divide: count must be positive");
    return s >= 0 ? (s + count / 2) / count : -((-s + count / 2) / count);
}

void softmax_row_f32(const float* x, int n, float* p) {
    float vmax = -std::numeric_limits<float>::infinity();
    for (int i = 0; i < n; ++i) vmax = std::max(vmax, x[i]);
    float sum = 0.0f;
    for (int i = 0; i < n; ++i) {
        p[i] = std::exp(x[i] - vmax);
        sum += p[i];
    }
    for (int i = 0; i < n; ++i) p[i] = p[i] / sum;
}

void layernorm_row_f32(const float* x, int n, const float* gamma, const float* beta, float* y) {
    const float count = static_cast<float>(n);
    float sum = 0.0f;
    for (int i = 0; i < n; ++i) sum += x[i];
    const float mean = sum / count;
    float sq = 0.0f;
    for (int i = 0; i < n; ++i) {
        const float d = x[i] - mean;
        sq += d * d;
    }
    const float var = sq / count;
    const float den = std::sqrt(var + kNormEpsilon);
    for (int i = 0; i < n; ++i) y[i] = (x[i] - mean) / den * gamma[i] + beta[i];
}

void rmsnorm_row_f32(const float* x, int n, const float* gamma, float* y) {
    float sq = 0.0f;
    for (int i = 0; i < n; ++i) sq += x[i] * x[i];
    const float den = std::sqrt(sq / static_cast<float>(n) + kNormEpsilon);
    for (int i = 0; i < n; ++i) y[i] = x[i] / den * gamma[i];
}

float lookup_real(float x, const int8_t* lut, double in_scale, int32_t in_zp, double out_scale,
                  int32_t out_zp) {
    double q = round_half_even(double{x} / in_scale) + in_zp;
    if (!(q >= -128.0)) q = -128.0;  // NaN too
    if (q > 127.0) q = 127.0;
    const int32_t y = lut[static_cast<int>(q) + 128];
    return static_cast<float>(out_scale * (y - out_zp));
}

}  // namespace npu

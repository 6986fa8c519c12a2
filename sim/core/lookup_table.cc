#include "sim/core/lookup_table.h"

#include <algorithm>
#include <cmath>

namespace npu {

const char* to_string(LookupFunction f) {
    switch (f) {
        case LookupFunction::kNone:
            return "none";
        case LookupFunction::kSigmoid:
            return "sigmoid";
        case LookupFunction::kLeakyRelu:
            return "leaky_relu";
    }
    return "?";
}

namespace {

// MlasComputeLogistic (onnxruntime/core/mlas/lib/logistic.cpp: constants and order of
// operations; the x86-64 FMA3 kernel fuses each multiply-add).
float logistic(float v) {
    constexpr float kLo = -18.0f, kHi = 18.0f;
    constexpr float a9 = 4.37031012579801e-11f, a7 = 1.15627324459942e-07f,
                    a5 = 6.08574864600143e-05f, a3 = 8.51377133304701e-03f,
                    a1 = 2.48287947061529e-01f;
    constexpr float b10 = 6.10247389755681e-13f, b8 = 5.76102136993427e-09f,
                    b6 = 6.29106785017040e-06f, b4 = 1.70198817374094e-03f,
                    b2 = 1.16817656904453e-01f, b0 = 9.93151921023180e-01f;
    const float x = std::min(std::max(v, kLo), kHi);
    const float x2 = x * x;
    float p = std::fma(x2, a9, a7);
    p = std::fma(p, x2, a5);
    p = std::fma(p, x2, a3);
    p = std::fma(p, x2, a1);
    p = p * x;
    float q = std::fma(x2, b10, b8);
    q = std::fma(q, x2, b6);
    q = std::fma(q, x2, b4);
    q = std::fma(q, x2, b2);
    q = std::fma(q, x2, b0);
    return std::min(std::max(p / q + 0.5f, 0.0f), 1.0f);
}

}  // namespace

float lookup_function(LookupFunction f, float alpha, float v) {
    switch (f) {
        case LookupFunction::kSigmoid:
            return logistic(v);
        case LookupFunction::kLeakyRelu:
            return v >= 0.0f ? v : alpha * v;
        case LookupFunction::kNone:
            break;
    }
    return v;
}

std::vector<int8_t> build_table(const std::function<float(float)>& f, double in_scale,
                                int32_t in_zp, double out_scale, int32_t out_zp) {
    const float sx = static_cast<float>(in_scale);
    const float sy = static_cast<float>(out_scale);
    std::vector<int8_t> table(256);
    for (int q = -128; q <= 127; ++q) {
        const float x = sx * static_cast<float>(q - in_zp);
        // MlasQuantizeLinear: divide, clamp to [qmin - zp, qmax - zp] (MAXPS: a NaN takes the
        // lower bound), round half to even, add the zero point.
        float v = f(x) / sy;
        v = std::isnan(v) ? static_cast<float>(-128 - out_zp)
                          : std::max(v, static_cast<float>(-128 - out_zp));
        v = std::min(v, static_cast<float>(127 - out_zp));
        table[static_cast<size_t>(q + 128)] =
            static_cast<int8_t>(static_cast<int32_t>(std::nearbyintf(v)) + out_zp);
    }
    return table;
}

}  // namespace npu

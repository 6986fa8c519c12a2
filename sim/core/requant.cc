#include "sim/core/requant.h"

#include <cmath>
#include <cstdint>
#include <stdexcept>

namespace npu {

QuantMultiplier quantize_multiplier(double m) {
    if (!std::isfinite(m) || m < 0.0) {
        throw std::invalid_argument("quantize_multiplier: expected a finite m >= 0");
    }
    if (m == 0.0) return {0, 0};
    int exponent = 0;  // m = q * 2^exponent, q in [0.5, 1)
    const double q = std::frexp(m, &exponent);
    // q * 2^31 is exact in a double (a power-of-two scaling); llround only rounds the mantissa.
    int64_t q_fixed = std::llround(std::ldexp(q, 31));
    if (q_fixed == (int64_t{1} << 31)) {  // rounding carried into the next power of two
        q_fixed /= 2;
        ++exponent;
    }
    // M = q_fixed * 2^(exponent - 31) = q_fixed * 2^-(31 + shift)  =>  shift = -exponent.
    if (exponent < -31) return {0, 0};
    if (exponent > 31) {
        throw std::invalid_argument("quantize_multiplier: m >= 2^31 cannot be represented");
    }
    return {static_cast<int32_t>(q_fixed), static_cast<int32_t>(-exponent)};
}

}  // namespace npu

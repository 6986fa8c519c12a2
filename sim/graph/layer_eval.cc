#include "sim/graph/layer_eval.h"

#include <stdexcept>
#include <string>

#include "sim/core/requant.h"

namespace npu::graph {

namespace {

void check_layer(const Layer& l, size_t input_size) {
    const auto fail = [&](const std::string& what) {
        throw std::invalid_argument("layer '" + l.name + "': " + what);
    };
    if (static_cast<int64_t>(input_size) != l.input_elems()) {
        fail("input has " + std::to_string(input_size) + " elements, expected " +
             std::to_string(l.input_elems()));
    }
    if (static_cast<int64_t>(l.weights.size()) != l.reduction() * l.out_c) {
        fail("weights have " + std::to_string(l.weights.size()) + " elements, expected " +
             std::to_string(l.reduction() * l.out_c));
    }
    if (static_cast<int64_t>(l.bias.size()) != l.out_c) fail("bias size differs from out_c");
    if (l.out_h() <= 0 || l.out_w() <= 0) fail("empty output");
}

}  // namespace

std::vector<int32_t> accumulate(const Layer& l, const std::vector<int8_t>& input) {
    check_layer(l, input.size());
    const int oh = l.out_h();
    const int ow = l.out_w();
    const int32_t zp = l.input.zero_point;
    std::vector<int32_t> acc(static_cast<size_t>(l.output_elems()));
    // (x - zp) once per input element instead of once per MAC.
    std::vector<int32_t> centered(input.size());
    for (size_t i = 0; i < input.size(); ++i) centered[i] = int32_t{input[i]} - zp;

    for (int oy = 0; oy < oh; ++oy) {
        for (int ox = 0; ox < ow; ++ox) {
            int32_t* out = &acc[(static_cast<size_t>(oy) * ow + ox) * l.out_c];
            for (int oc = 0; oc < l.out_c; ++oc) {
                // The loader bounds K * 255 * 127 + |bias| below 2^31, so int32 cannot overflow.
                int32_t sum = l.bias[oc];
                for (int ky = 0; ky < l.kernel_h; ++ky) {
                    const int iy = oy * l.stride_h - l.pad_top + ky * l.dilation_h;
                    if (iy < 0 || iy >= l.in_h) continue;  // padding: (zp - zp) * w == 0
                    for (int kx = 0; kx < l.kernel_w; ++kx) {
                        const int ix = ox * l.stride_w - l.pad_left + kx * l.dilation_w;
                        if (ix < 0 || ix >= l.in_w) continue;
                        const int32_t* x =
                            &centered[(static_cast<size_t>(iy) * l.in_w + ix) * l.in_c];
                        const int8_t* w =
                            &l.weights[((static_cast<size_t>(oc) * l.kernel_h + ky) * l.kernel_w +
                                        kx) *
                                       l.in_c];
                        for (int ic = 0; ic < l.in_c; ++ic) sum += x[ic] * int32_t{w[ic]};
                    }
                }
                out[oc] = sum;
            }
        }
    }
    return acc;
}

std::vector<int8_t> requantize_output(const Layer& l, const std::vector<int32_t>& acc,
                                      Rounding mode) {
    const Requant& rq = l.requant;
    if (static_cast<int64_t>(rq.multiplier.size()) != l.out_c ||
        static_cast<int64_t>(rq.shift.size()) != l.out_c) {
        throw std::invalid_argument("layer '" + l.name + "': requant has no entry per channel");
    }
    if (static_cast<int64_t>(acc.size()) != l.output_elems()) {
        throw std::invalid_argument("layer '" + l.name +
                                    "': accumulator count differs from output");
    }
    std::vector<int8_t> out(acc.size());
    const size_t channels = static_cast<size_t>(l.out_c);
    for (size_t i = 0; i < acc.size(); ++i) {
        const size_t c = i % channels;
        out[i] = static_cast<int8_t>(requantize(acc[i], rq.multiplier[c], rq.shift[c],
                                                rq.out_zero_point, rq.act_min, rq.act_max, mode));
    }
    return out;
}

}  // namespace npu::graph

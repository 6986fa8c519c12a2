#include "sim/kernels/im2col.h"

#include <cstring>

namespace npu::kernels {

void im2col(const int8_t* x, const ConvGeometry& g, int c0, int cg, int oy0, int oy1, int8_t pad,
            int8_t* out, int64_t ld) {
    const size_t run = static_cast<size_t>(cg);
    for (int oy = oy0; oy < oy1; ++oy) {
        for (int ox = 0; ox < g.out_w; ++ox) {
            int8_t* row = out + (int64_t{oy - oy0} * g.out_w + ox) * ld;
            for (int ky = 0; ky < g.kernel_h; ++ky) {
                const int iy = oy * g.stride_h - g.pad_top + ky * g.dilation_h;
                int8_t* dst = row + int64_t{ky} * g.kernel_w * cg;
                if (iy < 0 || iy >= g.in_h) {
                    std::memset(dst, pad, run * static_cast<size_t>(g.kernel_w));
                    continue;
                }
                const int8_t* src_row = x + int64_t{iy} * g.in_w * g.in_c + c0;
                for (int kx = 0; kx < g.kernel_w; ++kx, dst += cg) {
                    const int ix = ox * g.stride_w - g.pad_left + kx * g.dilation_w;
                    if (ix < 0 || ix >= g.in_w) {
                        std::memset(dst, pad, run);
                    } else {
                        std::memcpy(dst, src_row + int64_t{ix} * g.in_c, run);
                    }
                }
            }
        }
    }
}

}  // namespace npu::kernels

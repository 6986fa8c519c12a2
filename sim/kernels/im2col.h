// im2col: the rows of a convolution's GEMM operand A, gathered once from an HWC int8 input.
//
// Row (oy - oy0) * out_w + ox holds the window of output pixel (oy, ox) in the order of OHWI
// weights, [ky][kx][c] for c in [c0, c0 + cg): K = kernel_h * kernel_w * cg values. Taps in the
// padding hold `pad` (the input's zero point, so they contribute (zp - zp) * w = 0 once the zero
// point is taken out). Rows [oy0, oy1) of output pixels are produced, so a caller may gather a
// slab of output rows at a time.
#pragma once

#include <cstdint>

namespace npu::kernels {

struct ConvGeometry {
    int in_h = 1, in_w = 1, in_c = 1;
    int kernel_h = 1, kernel_w = 1;
    int stride_h = 1, stride_w = 1;
    int dilation_h = 1, dilation_w = 1;
    int pad_top = 0, pad_left = 0;
    int out_h = 1, out_w = 1;
};

// Writes (oy1 - oy0) * out_w rows of kernel_h * kernel_w * cg values to out, row stride ld.
void im2col(const int8_t* x, const ConvGeometry& g, int c0, int cg, int oy0, int oy1, int8_t pad,
            int8_t* out, int64_t ld);

}  // namespace npu::kernels

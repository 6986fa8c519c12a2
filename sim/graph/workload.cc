#include "sim/graph/workload.h"

#include <sstream>

namespace npu::graph {

const char* to_string(OpKind k) {
    switch (k) {
        case OpKind::kGemm:
            return "gemm";
        case OpKind::kConv2d:
            return "conv2d";
    }
    return "?";
}

const char* to_string(Activation a) {
    switch (a) {
        case Activation::kNone:
            return "none";
        case Activation::kRelu:
            return "relu";
        case Activation::kRelu6:
            return "relu6";
        case Activation::kClamp:
            return "clamp";
    }
    return "?";
}

// Floor division of the padded extent by the stride, as every framework does; a result <= 0 means
// the (dilated) kernel does not fit (the loader rejects that).
int Layer::out_h() const {
    const int span = in_h + pad_top + pad_bottom - ((kernel_h - 1) * dilation_h + 1);
    return span < 0 ? 0 : span / stride_h + 1;
}

int Layer::out_w() const {
    const int span = in_w + pad_left + pad_right - ((kernel_w - 1) * dilation_w + 1);
    return span < 0 ? 0 : span / stride_w + 1;
}

std::string Layer::shape_string() const { return std::string(to_string(kind)) + " " + dims_string(); }

std::string Layer::dims_string() const {
    std::ostringstream os;
    if (kind == OpKind::kGemm) {
        os << in_h << 'x' << in_c << 'x' << out_c << " (MxKxN)";
        return os.str();
    }
    os << in_h << 'x' << in_w << 'x' << in_c << " -> " << out_h() << 'x' << out_w() << 'x' << out_c
       << " k" << kernel_h << 'x' << kernel_w << " s" << stride_h;
    if (stride_w != stride_h) os << 'x' << stride_w;
    os << " p" << pad_top;
    if (pad_bottom != pad_top || pad_left != pad_top || pad_right != pad_top) {
        os << ',' << pad_bottom << ',' << pad_left << ',' << pad_right;
    }
    if (dilation_h != 1 || dilation_w != 1) {
        os << " d" << dilation_h;
        if (dilation_w != dilation_h) os << 'x' << dilation_w;
    }
    return os.str();
}

}  // namespace npu::graph

#include "sim/graph/workload.h"

#include <cstddef>
#include <sstream>
#include <stdexcept>

namespace npu::graph {

const char* to_string(OpKind k) {
    switch (k) {
        case OpKind::kGemm:
            return "gemm";
        case OpKind::kConv2d:
            return "conv2d";
        case OpKind::kMatmul:
            return "matmul";
        case OpKind::kAdd:
            return "add";
        case OpKind::kMul:
            return "mul";
        case OpKind::kMaxPool:
            return "maxpool";
        case OpKind::kAvgPool:
            return "avgpool";
        case OpKind::kGlobalAvgPool:
            return "global_avgpool";
        case OpKind::kSoftmax:
            return "softmax";
        case OpKind::kLayerNorm:
            return "layernorm";
        case OpKind::kRmsNorm:
            return "rmsnorm";
        case OpKind::kGelu:
            return "gelu";
        case OpKind::kSilu:
            return "silu";
        case OpKind::kReshape:
            return "reshape";
        case OpKind::kConcat:
            return "concat";
        case OpKind::kLookup:
            return "lookup";
    }
    return "?";
}

const char* to_string(TensorView::Type t) {
    switch (t) {
        case TensorView::Type::kInt8:
            return "int8";
        case TensorView::Type::kUint8:
            return "uint8";
        case TensorView::Type::kFloat32:
            return "float32";
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

int64_t Tensor::elems() const {
    int64_t n = 1;
    for (int32_t d : shape) n *= d;
    return n;
}

int64_t Layer::macs() const {
    switch (kind) {
        case OpKind::kConv2d:
        case OpKind::kGemm:
            return out_pixels() * reduction() * out_c;
        case OpKind::kMatmul:
            return int64_t{heads} * mm_m * mm_k * mm_n;
        default:
            return 0;
    }
}

int64_t Layer::output_elems() const {
    if (out_shape.empty()) return out_pixels() * out_c;
    int64_t n = 1;
    for (int32_t d : out_shape) n *= d;
    return n;
}

const Tensor* Workload::find_tensor(const std::string& tensor) const {
    for (const Tensor& t : inputs) {
        if (t.name == tensor) return &t;
    }
    for (const Tensor& t : layer_outputs) {
        if (t.name == tensor) return &t;
    }
    return nullptr;
}

namespace {

std::string shape_text(const std::vector<int32_t>& shape) {
    std::string s;
    for (int32_t d : shape) s += (s.empty() ? "" : "x") + std::to_string(d);
    return s.empty() ? "?" : s;
}

}  // namespace

std::string Layer::shape_string() const {
    return std::string(to_string(kind)) + " " + dims_string();
}

std::string Layer::dims_string() const {
    std::ostringstream os;
    if (kind == OpKind::kGemm) {
        os << in_h << 'x' << in_c << 'x' << out_c << " (MxKxN)";
        return os.str();
    }
    if (kind == OpKind::kMatmul) {
        os << heads << 'x' << mm_m << 'x' << mm_k << 'x' << mm_n << " (HxMxKxN)";
        return os.str();
    }
    if (kind != OpKind::kConv2d && kind != OpKind::kMaxPool && kind != OpKind::kAvgPool) {
        // Element-wise, row-wise, layout ops: the first input's dims (if known) and the output's.
        if (kind == OpKind::kGlobalAvgPool) {
            os << in_h << 'x' << in_w << 'x' << in_c;
        } else {
            os << in_h << 'x' << in_c;
        }
        if (inputs.size() > 1) os << " (" << inputs.size() << " inputs)";
        os << " -> " << shape_text(out_shape);
        return os.str();
    }
    os << in_h << 'x' << in_w << 'x' << in_c << " -> " << out_h() << 'x' << out_w() << 'x' << out_c;
    if (groups != 1) os << " g" << groups;
    os << " k" << kernel_h << 'x' << kernel_w << " s" << stride_h;
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

namespace {

// Parts [b, b + count) of `batch` equal parts of `data` (empty stays empty).
template <typename T>
std::vector<T> part(const std::vector<T>& data, int32_t b, int32_t count, int32_t batch,
                    const std::string& what) {
    if (data.empty()) return data;
    if (data.size() % static_cast<size_t>(batch) != 0) {
        throw std::invalid_argument("image_of: " + what + " holds " + std::to_string(data.size()) +
                                    " elements, not " + std::to_string(batch) + " equal images");
    }
    const size_t n = data.size() / static_cast<size_t>(batch);
    const auto first = data.begin() + static_cast<std::ptrdiff_t>(n * static_cast<size_t>(b));
    return std::vector<T>(first,
                          first + static_cast<std::ptrdiff_t>(n * static_cast<size_t>(count)));
}

}  // namespace

Workload images_of(const Workload& w, int32_t first, int32_t count) {
    if (first < 0 || count < 1 || first + count > w.batch) {
        throw std::invalid_argument("images_of: images [" + std::to_string(first) + ", " +
                                    std::to_string(first + count) + ") of a batch of " +
                                    std::to_string(w.batch));
    }
    Workload img = w;
    img.batch = count;
    if (w.batch == count) return img;
    for (size_t j = 0; j < w.input_data.size(); ++j) {
        img.input_data[j] =
            part(w.input_data[j], first, count, w.batch, "input " + std::to_string(j));
    }
    for (size_t j = 0; j < w.float_input_data.size(); ++j) {
        img.float_input_data[j] =
            part(w.float_input_data[j], first, count, w.batch, "float input " + std::to_string(j));
    }
    img.input = part(w.input, first, count, w.batch, "input");
    return img;
}

Workload image_of(const Workload& w, int32_t b) {
    if (b < 0 || b >= w.batch) {
        throw std::invalid_argument("image_of: image " + std::to_string(b) + " of a batch of " +
                                    std::to_string(w.batch));
    }
    return images_of(w, b, 1);
}

}  // namespace npu::graph

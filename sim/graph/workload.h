// Workload IR: a chain of quantized layers with their tensors. Plain data.
//
// Tensor layouts (batch 1):
//   activations  HWC int8 (a GEMM's M x K operand is H=M, W=1, C=K)
//   weights      [out_c][kernel_h][kernel_w][in_c] int8 (OHWI, as TFLite), symmetric (zero point 0)
//   bias         [out_c] int32, scale = input.scale * weight_scale[c]
// A GEMM is described as a 1x1 convolution over an M x 1 image with K channels, so the compiler
// and the reference have one path; `kind` keeps what the user wrote for reports.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace npu::graph {

enum class OpKind { kGemm, kConv2d };
enum class Activation { kNone, kRelu, kRelu6, kClamp };

[[nodiscard]] const char* to_string(OpKind k);
[[nodiscard]] const char* to_string(Activation a);

struct QuantParams {
    double scale = 1.0;
    int32_t zero_point = 0;
};

// Per-output-channel requantization, computed from the scales when the workload is loaded:
// M[c] = input.scale * weight_scale[c] / output.scale = multiplier[c] * 2^-(31 + shift[c]) with
// multiplier in [2^30, 2^31). act_min/act_max are the fused activation's bounds in the output's
// quantized domain (e.g. ReLU: [output.zero_point, 127]).
struct Requant {
    std::vector<int32_t> multiplier;
    std::vector<int32_t> shift;
    int32_t out_zero_point = 0;
    int32_t act_min = -128;
    int32_t act_max = 127;
};

struct Layer {
    std::string name;
    OpKind kind = OpKind::kConv2d;
    // Geometry (GEMM: in_h = M, in_w = 1, in_c = K, out_c = N, kernel 1x1, stride 1, no padding).
    int in_h = 1, in_w = 1, in_c = 1;
    int out_c = 1;
    int kernel_h = 1, kernel_w = 1;
    int stride_h = 1, stride_w = 1;
    int dilation_h = 1, dilation_w = 1;
    int pad_top = 0, pad_bottom = 0, pad_left = 0, pad_right = 0;

    QuantParams input;
    std::vector<double> weight_scale;  // size out_c (per-tensor scales are repeated)
    QuantParams output;
    Activation activation = Activation::kNone;
    double clamp_min = 0.0, clamp_max = 0.0;  // real-valued, for kClamp
    Requant requant;

    std::vector<int8_t> weights;  // OHWI
    std::vector<int32_t> bias;    // out_c

    [[nodiscard]] int out_h() const;
    [[nodiscard]] int out_w() const;
    [[nodiscard]] int64_t reduction() const { return int64_t{kernel_h} * kernel_w * in_c; }  // K
    [[nodiscard]] int64_t out_pixels() const { return int64_t{out_h()} * out_w(); }          // M
    [[nodiscard]] int64_t macs() const { return out_pixels() * reduction() * out_c; }
    [[nodiscard]] int64_t input_elems() const { return int64_t{in_h} * in_w * in_c; }
    [[nodiscard]] int64_t output_elems() const { return out_pixels() * out_c; }
    // "conv2d 56x56x64 -> 56x56x64 k3x3 s1 p1" / "gemm 128x256x64 (MxKxN)"
    [[nodiscard]] std::string shape_string() const;
    // The same without the operator: "56x56x64 -> 56x56x64 k3x3 s1 p1" / "128x256x64 (MxKxN)"
    [[nodiscard]] std::string dims_string() const;
};

struct Workload {
    std::string name;
    std::string source_file;
    uint64_t seed = 0;
    std::vector<int8_t> input;   // the first layer's input, HWC
    std::vector<Layer> layers;   // a chain: layer i+1 reads layer i's output (same element count)
};

}  // namespace npu::graph

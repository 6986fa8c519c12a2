// Workload IR: a DAG of quantized layers over named int8 tensors, with the layers' own weights.
// Plain data. Operator semantics (the contract with the compiler and the models) are in
// docs/operators.md. A layer's output tensor is named after the layer; `inputs` names the tensors
// it reads (declared workload inputs or earlier layers' outputs). An empty `inputs` means the
// chain rule of v1 workloads: the previous layer's output (layer 0: Workload::input).
//
// Tensor layouts (one image; a batch of N images stores each activation tensor N times back to
// back, image 0 first: Workload::batch):
//   activations  HWC int8 (a GEMM's M x K operand is H=M, W=1, C=K)
//   weights      [out_c][kernel_h][kernel_w][in_c] int8 (OHWI, as TFLite), symmetric (zero point 0)
//   bias         [out_c] int32, scale = input.scale * weight_scale[c]
// A GEMM is described as a 1x1 convolution over an M x 1 image with K channels, so the compiler
// and the reference have one path; `kind` keeps what the user wrote for reports.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "sim/core/error.h"
#include "sim/core/lookup_table.h"
#include "sim/core/precision.h"
#include "sim/core/requant.h"
#include "sim/core/types.h"

namespace npu::graph {

enum class OpKind {
    kGemm,
    kConv2d,
    kMatmul,
    kAdd,
    kMul,
    kMaxPool,
    kAvgPool,
    kGlobalAvgPool,
    kSoftmax,
    kLayerNorm,
    kRmsNorm,
    kGelu,
    kSilu,
    kReshape,
    kConcat,
    kLookup,  // a 256-entry table given by the workload (e.g. an imported QLinearSigmoid)
};
enum class Activation { kNone, kRelu, kRelu6, kClamp };

[[nodiscard]] const char* to_string(OpKind k);
[[nodiscard]] const char* to_string(Activation a);

// scale: the real value of one step. An ONNX importer stores the model's float32 scale exactly
// (a double holds every float32), which postproc.requant: float32 relies on to match ONNX Runtime.
// uint8_origin: the tensor is uint8 in the source model and its int8 codes here are the uint8
// codes - 128 (zero_point likewise); float32 requantization of mul and avgpool adds the zero
// point in float, so it needs the original one (sim/core/requant_f32.h, zp_offset).
struct QuantParams {
    double scale = 1.0;
    int32_t zero_point = 0;
    bool uint8_origin = false;
};

[[nodiscard]] inline bool operator==(const QuantParams& a, const QuantParams& b) {
    return a.scale == b.scale && a.zero_point == b.zero_point && a.uint8_origin == b.uint8_origin;
}
[[nodiscard]] inline bool operator!=(const QuantParams& a, const QuantParams& b) {
    return !(a == b);
}

// A named int8 tensor, row-major (last dimension contiguous).
struct Tensor {
    std::string name;
    std::vector<int32_t> shape;
    QuantParams quant;
    [[nodiscard]] int64_t elems() const;
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
    std::string name;  // also the name of the output tensor
    // Where the layer is written in its workload file (1-based; 0: not from a file), so that later
    // stages (the compiler) point at it: "resnet.yaml:40:5: layers[3]: ...".
    int source_line = 0, source_col = 0;
    OpKind kind = OpKind::kConv2d;
    std::vector<std::string> inputs;  // tensor names; empty: the previous layer's output
    std::vector<int32_t> out_shape;   // the output tensor's shape (empty in hand-built v1 layers)
    // Geometry (GEMM: in_h = M, in_w = 1, in_c = K, out_c = N, kernel 1x1, stride 1, no padding).
    // Pooling fills kernel/stride/padding (out_c = C). Other ops: in_h = the first input's
    // leading dimensions multiplied, in_w = 1, in_c = its last dimension, out_c = the output's
    // last dimension.
    int in_h = 1, in_w = 1, in_c = 1;
    int out_c = 1;
    int kernel_h = 1, kernel_w = 1;
    int stride_h = 1, stride_w = 1;
    int dilation_h = 1, dilation_w = 1;
    int pad_top = 0, pad_bottom = 0, pad_left = 0, pad_right = 0;
    int groups = 1;  // conv2d: in_c and out_c are divisible by it; depthwise: groups == in_c

    // matmul: per head h < heads, [mm_m x mm_k] x [mm_k x mm_n]. Layouts in docs/operators.md:
    // batched [H, M, K] or interleaved [M, H*K] (head h = columns [h*K, (h+1)*K)).
    int heads = 1;
    int64_t mm_m = 0, mm_k = 0, mm_n = 0;
    bool a_interleaved = false, b_interleaved = false, transpose_b = false, out_interleaved = false;

    QuantParams input;                     // the first input's quantization
    std::vector<QuantParams> input_quant;  // one per input (v2 loader; may be empty if hand-built)
    std::vector<double> weight_scale;      // size out_c (per-tensor scales are repeated)
    QuantParams output;
    Activation activation = Activation::kNone;
    double clamp_min = 0.0, clamp_max = 0.0;  // real-valued, for kClamp
    // Every op's output multiplier(s), zero point and activation bounds. Conv/gemm: per output
    // channel; other ops: one multiplier repeated out_c times (the output's last dimension).
    Requant requant;
    QuantMultiplier add_x, add_y;  // add: the inputs' multipliers onto the common grid

    std::vector<float> gamma, beta;  // layernorm (gamma, beta), rmsnorm (gamma): last dim each
    std::vector<int8_t> lut;         // gelu/silu/lookup: 256 entries, indexed by q + 128
    // lookup: the function behind the table, if named (the table then follows from the scales;
    // float runs apply the function), and LeakyRelu's alpha.
    LookupFunction lookup_function = LookupFunction::kNone;
    float lookup_alpha = 0.01f;

    std::vector<int8_t> weights;  // OHWI (empty when loaded without data)
    std::vector<int32_t> bias;    // out_c (empty when loaded without data)

    // The workload's `mapping:` pins (conv2d, gemm, matmul; 0 / nullopt: the mapper chooses).
    // pin_rows: output rows per m-block (matmul: rows of each head's M); pin_k_chunk: reduction
    // per k-chunk; pin_dataflow: the array dataflow (the config must offer it); pin_order: the
    // loop outermost (m-, n- or k-blocks; docs/mapper.md "Loop order").
    int32_t pin_rows = 0;
    int64_t pin_k_chunk = 0;
    std::optional<Dataflow> pin_dataflow;
    std::optional<LoopOrder> pin_order;
    // `fuse:` (any layer): true, its output stays on chip and the next layer, its only reader,
    // reads it in place (a fusion group; the compiler reports why when it cannot); false, never;
    // nullopt: compiler.fusion decides (docs/fusion.md).
    std::optional<bool> pin_fuse;
    // `partition:` (any layer): channel or spatial, how this layer is split over the cores in a
    // run with compiler.partition channel or spatial on several cores (overriding it for this
    // layer); nullopt: compiler.partition's. Refused otherwise (compiler/partition.h).
    std::optional<Partition> pin_partition;

    // The layer's datapath precision (`precision:` in the workload); nullopt: the run's
    // (hardware config `precision`, or --precision).
    std::optional<Precision> precision;

    // The float model (conv2d/gemm; fp32 runs and post-training quantization): weights in the
    // layout of `weights` and one bias per output channel. Empty when the workload was given
    // quantized: the float model is then the dequantized int8 one (npu::quant::dequantize).
    std::vector<float> float_weights;
    std::vector<float> float_bias;

    [[nodiscard]] int out_h() const;
    [[nodiscard]] int out_w() const;
    // K of conv2d/gemm: kernel_h * kernel_w * (in_c / groups).
    [[nodiscard]] int64_t reduction() const {
        return int64_t{kernel_h} * kernel_w * (in_c / (groups > 0 ? groups : 1));
    }
    [[nodiscard]] int64_t out_pixels() const { return int64_t{out_h()} * out_w(); }  // M
    // conv2d/gemm: out_pixels * K * out_c; matmul: heads * M * K * N; other ops: 0.
    [[nodiscard]] int64_t macs() const;
    [[nodiscard]] int64_t input_elems() const { return int64_t{in_h} * in_w * in_c; }  // input 0
    // The product of out_shape, or out_pixels * out_c when out_shape is empty.
    [[nodiscard]] int64_t output_elems() const;
    // "conv2d 56x56x64 -> 56x56x64 k3x3 s1 p1" / "gemm 128x256x64 (MxKxN)"
    [[nodiscard]] std::string shape_string() const;
    // The same without the operator: "56x56x64 -> 56x56x64 k3x3 s1 p1" / "128x256x64 (MxKxN)"
    [[nodiscard]] std::string dims_string() const;
};

// Real-valued sample inputs of the first network input (HWC, float32), e.g. a calibration set or
// a labelled test split. labels is empty, or one class index per input.
struct SampleSet {
    std::vector<std::vector<float>> inputs;
    std::vector<int32_t> labels;
    std::string source;  // where they came from (file), for reports
};

// Post-training quantization settings of a float network (`calibration:` in the workload;
// docs/precision.md "Post-training quantization").
struct PtqSettings {
    enum class Method { kMinMax, kPercentile };
    Method method = Method::kMinMax;
    double percentile = 99.99;        // kPercentile: hi at p, lo at 100 - p (nearest rank)
    bool per_channel_weights = true;  // false: one weight scale per layer
    bool symmetric_activations = false;
};

// How a tensor of the model a workload was imported from (an ONNX tensor) lies in one of the
// workload's tensors: its name there, its element type, and its layout as a view of the IR
// tensor: the source tensor is reshape(transpose(reshape(ir, dims), perm), shape)
// (sim/frontend/tensor_view.h). `npusim run --input` and `--save-tensors` convert through them.
struct TensorView {
    enum class Type {
        kInt8,     // the IR's own values
        kUint8,    // IR value + 128 (the zero point moved by 128)
        kFloat32,  // the real values: float(q - zero_point) * float(scale) (input: quantized)
    };
    std::string tensor;  // the IR tensor (a declared input or a layer)
    std::string name;    // the source model's name for it
    Type type = Type::kInt8;
    std::vector<int64_t> shape;  // the source tensor's shape
    std::vector<int64_t> dims;   // factors of the IR tensor (empty with perm: the same order)
    std::vector<int> perm;
};

[[nodiscard]] const char* to_string(TensorView::Type t);

// A random conv2d/gemm bias is drawn uniformly in [-K * kBiasPerK, K * kBiasPerK].
inline constexpr int64_t kBiasPerK = 64;

// What a workload file asks of a layer that is computed after loading, by npu::quant::prepare
// (sim/quant/prepare.h): its seeded tensors and its output quantization.
struct LayerRequest {
    // conv2d/gemm biases: drawn (kRandom), zeros, `bias_list`, or a file the loader read: a float
    // network's into Layer::float_bias, a quantized layer's (int32, with data) into Layer::bias.
    enum class Bias { kRandom, kZero, kList, kFile };
    Bias bias = Bias::kRandom;
    std::vector<int32_t> bias_list;
    // Tensors the loader read from the file's side files (with data; not drawn): conv2d/gemm int8
    // weights (Layer::weights), layernorm/rmsnorm gamma and beta.
    bool weights_given = false, gamma_given = false, beta_given = false;
    // Weight scales drawn per output channel uniformly in [w_scale_min, w_scale_max); otherwise
    // the loader put the given ones in Layer::weight_scale.
    bool w_scale_range = false;
    double w_scale_min = 0.0, w_scale_max = 0.0;
    // The output quantization as written: whether `output` is given (maxpool, avgpool,
    // global_avgpool, reshape and concat keep their input's without it), and its scale and zero
    // point, each a value or auto.
    bool has_output = false;
    bool out_scale_auto = true, out_zp_auto = true;
    double out_scale = 1.0;
    int32_t out_zero_point = 0;
    // The tensors the layer reads: >= 0 a layer, < 0 the declared input -(i + 1).
    std::vector<int> sources;
    // The output has a uint8 view (TensorView::Type::kUint8, an import of a uint8 tensor): its
    // quantization is QuantParams::uint8_origin.
    bool uint8_origin = false;
    // Where a problem found while quantizing is reported (file:line:col and key, no message): the
    // output (`layers[i].output`, at its map or the layer) and the inputs (`layers[i].inputs`).
    Diagnostic output_at, inputs_at;
};

// Everything a loaded workload still needs (the YAML loader fills it; npu::quant::prepare()
// carries it out and clears Workload::pending).
struct PendingWork {
    // false (timing-only, graph::LoadOptions::with_data): draw no tensor and calibrate nothing.
    bool with_data = true;
    std::vector<LayerRequest> layers;  // parallel to Workload::layers
};

// The largest batch a workload may ask for (`batch:`, `npusim run --batch`).
inline constexpr int32_t kMaxBatch = 4096;

struct Workload {
    std::string name;
    std::string source_file;
    uint64_t seed = 0;
    // Images per run (`batch:` in the workload, `--batch` on the command line): every layer runs
    // on each of them with the same weights. Tensor shapes, layers and views describe one image;
    // the data of every declared input (input_data, input, float_input_data) holds `batch` images
    // back to back (frontend::apply_batch draws images 1.. of seeded inputs), and so does every
    // layer's output in DRAM.
    int32_t batch = 1;
    std::vector<int8_t> input;   // the data of the first declared input (= input_data[0])
    std::vector<Layer> layers;   // in an order where every input is produced before it is read
    std::vector<Tensor> inputs;  // declared network inputs and given tensors (e.g. a KV cache)
    std::vector<std::vector<int8_t>> input_data;  // parallel to `inputs`
    // The real values of the network inputs (parallel to `inputs`, or one for a v1 chain's
    // `input`), for layers running at a float precision; npu::quant::resolve_precisions fills it.
    std::vector<std::vector<float>> float_input_data;

    // Every layer's output tensor (name, shape, quantization), parallel to `layers`;
    // npu::quant::prepare fills it.
    std::vector<Tensor> layer_outputs;

    // Post-training quantization's calibration inputs, and labelled evaluation samples for
    // accuracy (both optional; `calibration:` and `samples:` in the workload).
    SampleSet calibration;
    SampleSet samples;

    // A float network (conv2d/gemm weights given as float files) loads with its quantization
    // pending: shapes, float weights and sample sets are filled, but no int8 weights, scales or
    // requantization. npu::quant::quantize() (sim/quant/ptq.h) calibrates it with `ptq` and
    // clears the flag; nothing may run or compile the workload before that.
    bool needs_ptq = false;
    PtqSettings ptq;

    // The source model's tensors (imported workloads; `views:` in the YAML), in the order given.
    std::vector<TensorView> views;

    // Set by the YAML loader: the seeded tensors, weight scales, quantization and calibration the
    // file asks for are not computed yet (npu::quant::prepare does it). Nothing may run or
    // compile the workload before. A hand-built Workload has nothing pending.
    std::optional<PendingWork> pending;

    // A declared input or a layer output by name (searches `inputs`, then `layer_outputs`);
    // nullptr if there is none.
    [[nodiscard]] const Tensor* find_tensor(const std::string& name) const;
};

// Image b (< w.batch) of a batched workload: a copy with batch 1 whose declared inputs hold image
// b's data (input_data, input, float_input_data: each the b-th of its w.batch equal parts);
// everything else as in `w`. Throws std::invalid_argument for b outside [0, w.batch) or input
// data that is not w.batch images.
[[nodiscard]] Workload image_of(const Workload& w, int32_t b);
// Images [first, first + count) of a batched workload: as image_of, with batch `count` and the
// inputs' parts back to back (a core's share of the batch, sim/compiler/partition.h). Throws
// std::invalid_argument for a range outside [0, w.batch) or an empty one.
[[nodiscard]] Workload images_of(const Workload& w, int32_t first, int32_t count);

}  // namespace npu::graph

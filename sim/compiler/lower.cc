#include "sim/compiler/lower.h"

#include <algorithm>
#include <map>

#include "sim/compiler/mapping.h"
#include "sim/compiler/tiling.h"
#include "sim/config/config_loader.h"
#include "sim/graph/float32_requant.h"

namespace npu::compiler {
namespace {

LayerClass class_of(const graph::Layer& l, bool depthwise) {
    switch (l.kind) {
        case graph::OpKind::kConv2d:
            return depthwise ? LayerClass::kWindow : LayerClass::kArray;
        case graph::OpKind::kGemm:
        case graph::OpKind::kMatmul:
            return LayerClass::kArray;
        case graph::OpKind::kAdd:
        case graph::OpKind::kMul:
            return LayerClass::kElementwise;
        case graph::OpKind::kMaxPool:
        case graph::OpKind::kAvgPool:
        case graph::OpKind::kGlobalAvgPool:
            return LayerClass::kWindow;
        case graph::OpKind::kSoftmax:
        case graph::OpKind::kLayerNorm:
        case graph::OpKind::kRmsNorm:
        case graph::OpKind::kGelu:
        case graph::OpKind::kSilu:
        case graph::OpKind::kLookup:
        case graph::OpKind::kConcat:
            return LayerClass::kRows;
        case graph::OpKind::kReshape:
            return LayerClass::kView;
    }
    return LayerClass::kView;
}

// The layer-table entry of `l`: everything but addresses, mapping, dataflow and residency.
isa::LayerDesc describe(const graph::Layer& l, const cfg::HwConfig& hw, Precision prec) {
    isa::LayerDesc d;
    d.name = l.name;
    d.op = graph::to_string(l.kind);
    d.shape = l.dims_string();
    d.in_h = l.in_h;
    d.in_w = l.in_w;
    d.in_c = l.in_c;
    d.out_h = l.out_h();
    d.out_w = l.out_w();
    d.out_c = l.out_c;
    d.groups = std::max(1, l.groups);
    d.dataflow = hw.array.dataflow;
    d.kernel_h = l.kernel_h;
    d.kernel_w = l.kernel_w;
    d.stride_h = l.stride_h;
    d.stride_w = l.stride_w;
    d.dilation_h = l.dilation_h;
    d.dilation_w = l.dilation_w;
    d.pad_top = l.pad_top;
    d.pad_left = l.pad_left;
    d.in_zero_point = l.input.zero_point;
    d.multiplier = l.requant.multiplier;
    d.shift = l.requant.shift;
    d.out_zero_point = l.requant.out_zero_point;
    d.act_min = l.requant.act_min;
    d.act_max = l.requant.act_max;
    switch (l.activation) {
        case graph::Activation::kNone:
            break;
        case graph::Activation::kRelu:
            d.act_lo = 0.0f;
            break;
        case graph::Activation::kRelu6:
            d.act_lo = 0.0f;
            d.act_hi = 6.0f;
            break;
        case graph::Activation::kClamp:
            d.act_lo = static_cast<float>(l.clamp_min);
            d.act_hi = static_cast<float>(l.clamp_max);
            break;
    }
    d.macs = static_cast<uint64_t>(l.macs());
    d.precision = prec;
    d.cycles_per_mac = hw.array.cycles_for(prec);
    if (hw.postproc.requant == RequantMode::kFloat32 && !is_float(prec)) {
        d.f32 = graph::f32_requant(l);
    }
    d.output_bytes = static_cast<uint64_t>(l.output_elems()) * act_bytes(prec);
    d.in_scale = l.input.scale;
    d.out_scale = l.output.scale;
    if (l.input_quant.size() > 1) d.in2_zero_point = l.input_quant[1].zero_point;
    d.add_x_multiplier = l.add_x.multiplier;
    d.add_x_shift = l.add_x.shift;
    d.add_y_multiplier = l.add_y.multiplier;
    d.add_y_shift = l.add_y.shift;
    d.gamma = l.gamma;
    d.beta = l.beta;
    d.lut = l.lut;
    d.lookup_function = static_cast<int>(l.lookup_function);
    d.lookup_alpha = l.lookup_alpha;
    if (l.kind == graph::OpKind::kMatmul) {  // the array runs one M x K x N GEMM per head
        d.a_zero_point = l.input_quant.at(0).zero_point;
        d.b_zero_point = l.input_quant.at(1).zero_point;
        d.in_h = static_cast<int32_t>(l.mm_m);
        d.in_w = 1;
        d.in_c = static_cast<int32_t>(l.mm_k);
        d.out_h = static_cast<int32_t>(l.mm_m);
        d.out_w = 1;
        d.out_c = static_cast<int32_t>(l.mm_n);
        d.kernel_h = d.kernel_w = d.stride_h = d.stride_w = 1;
        d.dilation_h = d.dilation_w = 1;
        d.pad_top = d.pad_left = 0;
        d.in_zero_point = d.a_zero_point;
    }
    if (l.kind == graph::OpKind::kAdd || l.kind == graph::OpKind::kMul) {
        d.in2_zero_point = l.input_quant.at(1).zero_point;
    }
    return d;
}

// One head's GEMM of a matmul: M x K x N, the layer's pins; both operands are activations, so
// int4 (a weight format) does not apply.
graph::Layer matmul_head(const graph::Layer& l, Precision prec) {
    graph::Layer head;
    head.name = l.name;
    head.kind = graph::OpKind::kGemm;
    head.in_h = static_cast<int32_t>(l.mm_m);
    head.in_w = 1;
    head.in_c = static_cast<int32_t>(l.mm_k);
    head.out_c = static_cast<int32_t>(l.mm_n);
    head.pin_rows = l.pin_rows;
    head.pin_k_chunk = l.pin_k_chunk;
    head.pin_dataflow = l.pin_dataflow;
    head.precision = prec == Precision::kInt4 ? Precision::kInt8 : prec;
    return head;
}

// Whether `l`'s output rows depend only on the same input rows' images when the batch's images
// are stacked vertically: a gemm, or a conv2d with a kernel and stride of 1 and no padding
// vertically (each output row reads its own input row).
bool rows_independent(const graph::Layer& l) {
    return l.kind == graph::OpKind::kGemm ||
           (l.kind == graph::OpKind::kConv2d && l.kernel_h == 1 && l.stride_h == 1 &&
            l.pad_top == 0 && l.pad_bottom == 0);
}

}  // namespace

Lowered lower(const graph::Workload& wl, const cfg::HwConfig& hw) {
    Lowered out;
    out.source_file = wl.source_file;
    out.batch = std::max(1, wl.batch);
    const auto B = static_cast<uint64_t>(out.batch);
    std::map<std::string, uint32_t> region_of;  // every tensor's region (a view: what it views)
    std::map<std::string, std::vector<int32_t>> shape_of;
    // Bytes per element of every tensor: its producer's activation format; a declared input's is
    // that of the first layer reading it.
    std::map<std::string, uint64_t> elem_width;
    const auto first_reader_precision = [&](const std::string& name) -> Precision {
        for (size_t i = 0; i < wl.layers.size(); ++i) {
            const graph::Layer& l = wl.layers[i];
            const bool reads =
                l.inputs.empty()
                    ? (i == 0 &&
                       (name == "input" || (!wl.inputs.empty() && name == wl.inputs[0].name)))
                    : std::find(l.inputs.begin(), l.inputs.end(), name) != l.inputs.end();
            if (reads) return precision_of(l, hw);
        }
        return hw.precision;
    };
    const auto add_region = [&](Region r) {
        out.regions.push_back(r);
        return static_cast<uint32_t>(out.regions.size() - 1);
    };
    // Declared inputs. A v1 chain names nothing: its input is "input" and each layer reads the
    // previous layer's output.
    std::string previous;
    if (wl.inputs.empty()) {
        previous = "input";
        const Precision p = first_reader_precision(previous);
        elem_width[previous] = act_bytes(p);
        const uint64_t bytes =
            wl.layers.empty() ? 0 : uint64_t(wl.layers[0].input_elems()) * elem_width[previous] * B;
        region_of[previous] = add_region({Region::Kind::kInput, 0, bytes, 0, p});
    }
    for (size_t i = 0; i < wl.inputs.size(); ++i) {
        const std::string& name = wl.inputs[i].name;
        const Precision p = first_reader_precision(name);
        elem_width[name] = act_bytes(p);
        shape_of[name] = wl.inputs[i].shape;
        region_of[name] =
            add_region({Region::Kind::kInput, i,
                        uint64_t(elements(wl.inputs[i].shape)) * act_bytes(p) * B, 0, p});
        if (i == 0) previous = name;
    }
    for (const graph::Tensor& t : wl.layer_outputs) shape_of[t.name] = t.shape;

    out.layers.resize(wl.layers.size());
    for (size_t li = 0; li < wl.layers.size(); ++li) {
        const graph::Layer& l = wl.layers[li];
        LoweredLayer& x = out.layers[li];
        x.layer = &l;
        x.prec = precision_of(l, hw);
        x.ab = act_bytes(x.prec);
        x.groups = std::max(1, l.groups);
        x.depthwise = x.groups > 1 && x.groups == l.in_c && l.out_c == l.in_c;
        x.cls = class_of(l, x.depthwise);
        x.desc = describe(l, hw, x.prec);
        x.inputs = l.inputs.empty() ? std::vector<std::string>{previous} : l.inputs;
        previous = l.name;
        for (const std::string& t : x.inputs) x.input_regions.push_back(region_of.at(t));
        if (l.kind == graph::OpKind::kConcat) {
            for (const std::string& t : x.inputs) x.concat_lens.push_back(shape_of.at(t).back());
        }
        if (l.kind == graph::OpKind::kMatmul) {
            x.head = matmul_head(l, x.prec);
            x.has_head = true;
        }
        x.batch = out.batch;
        x.desc.macs *= B;
        x.desc.output_bytes *= B;
        for (uint32_t r : x.input_regions) x.in_image_bytes.push_back(out.regions[r].bytes / B);
        x.out_image_bytes = x.desc.output_bytes / B;
        if (out.batch > 1 && x.cls == LayerClass::kArray && rows_independent(l)) {
            x.head = l;  // the images stacked: in_h x batch rows
            x.head.in_h = static_cast<int32_t>(int64_t{l.in_h} * out.batch);
            x.has_head = true;
            x.desc.in_h = x.head.in_h;
            x.desc.out_h = x.head.out_h();
        } else if (x.cls == LayerClass::kArray || x.cls == LayerClass::kWindow) {
            x.samples = out.batch;
        }

        std::string problem;
        if (x.desc.cycles_per_mac <= 0) {
            problem =
                std::string("runs at ") + to_string(x.prec) + " but the array has no " +
                to_string(x.prec) + " mode: " +
                cfg::describe_key(hw, std::string("array.cycles_per_mac.") + to_string(x.prec));
        }
        for (const std::string& t : x.inputs) {
            if (const auto w = elem_width.find(t); w != elem_width.end() && w->second != x.ab) {
                problem = std::string("runs at ") + to_string(x.prec) + " (" +
                          std::to_string(x.ab) + "-byte activations) but its input '" + t +
                          "' is stored with " + std::to_string(w->second) +
                          "-byte elements; there is no conversion unit: give the layers that "
                          "share a tensor precisions of one activation width";
            }
        }
        elem_width[l.name] = x.ab;
        if (!problem.empty()) {
            x.problems.push_back(Diagnostic{wl.source_file, l.source_line, l.source_col,
                                            "layers[" + std::to_string(li) + "]",
                                            "layer '" + l.name + "' " + problem});
            x.desc.cycles_per_mac = 1;  // keep compiling to report every problem at once
        }

        // Regions, in allocation order: weights and biases first, then the output.
        x.K =
            uint64_t(l.kernel_h) * uint64_t(l.kernel_w) * uint64_t(std::max(1, l.in_c / x.groups));
        x.N = uint64_t(std::max(1, l.out_c));
        // Weight precision: int4 only for array layers; depthwise weights stay int8 (or float).
        x.wprec = x.depthwise && x.prec == Precision::kInt4 ? Precision::kInt8 : x.prec;
        // DRAM bytes reserved per weight (int4 rows of n pack into ceil(n/2) bytes: at most 1).
        x.w_slot = std::max<uint64_t>(1, weight_bits(x.wprec) / 8);
        if (l.kind == graph::OpKind::kConv2d || l.kind == graph::OpKind::kGemm) {
            x.weight_region = add_region({Region::Kind::kWeights, 0, x.K * x.N * x.w_slot, li});
            x.bias_region = add_region({Region::Kind::kBias, 0, x.N * 4, li});
        } else if (l.kind == graph::OpKind::kMatmul) {
            x.bias_region = add_region({Region::Kind::kBias, 0, uint64_t(l.mm_n) * 4, li});
        }
        x.output_region = l.kind == graph::OpKind::kReshape
                              ? x.input_regions.front()
                              : add_region({Region::Kind::kOutput, 0, x.desc.output_bytes, li});
        region_of[l.name] = x.output_region;
    }
    return out;
}

}  // namespace npu::compiler

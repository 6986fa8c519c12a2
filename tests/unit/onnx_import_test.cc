// ONNX import (sim/frontend/onnx_import.h): the committed test models (tests/onnx/models, written
// by scripts/make_onnx_models.py) against ONNX Runtime's own tensors (tests/onnx/goldens, written
// by scripts/ort_goldens.py), layer by layer and end to end; the .npy reader/writer; tensor
// views; and malformed or hostile models (each a UserError with a message, never a crash).
#include "sim/frontend/onnx_import.h"

#include <gtest/gtest.h>
#include <onnx/onnx_pb.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "sim/core/error.h"
#include "sim/core/npy.h"
#include "sim/frontend/frontend.h"
#include "sim/frontend/tensor_io.h"
#include "sim/frontend/tensor_view.h"
#include "sim/graph/layer_eval.h"
#include "sim/graph/workload_loader.h"
#include "sim/ref/reference.h"

namespace {

namespace fs = std::filesystem;
using npu::UserError;
using npu::frontend::Layout;
using npu::graph::Workload;

const std::string kModels = std::string(NPUSIM_SOURCE_DIR) + "/tests/onnx/models/";
const std::string kGoldens = std::string(NPUSIM_SOURCE_DIR) + "/tests/onnx/goldens/";

std::string error_of(const std::function<void()>& f) {
    try {
        f();
    } catch (const UserError& e) {
        return e.diagnostics().at(0).to_string();
    }
    return "";
}

// ------------------------------------------------------------------ npy

TEST(Npy, RoundTripsEveryType) {
    const npu::npy::Array a = npu::npy::from_int8({-128, 0, 127, 5, 6, 7}, {2, 3});
    const std::string bytes = npu::npy::serialize(a);
    EXPECT_EQ(bytes.size() % 64, 6u * 1 % 64);  // header padded to 64, then 6 data bytes
    const npu::npy::Array b = npu::npy::parse(bytes, "x.npy");
    EXPECT_EQ(b.shape, (std::vector<int64_t>{2, 3}));
    EXPECT_EQ(b.data, a.data);
    const npu::npy::Array f =
        npu::npy::parse(npu::npy::serialize(npu::npy::from_float32({1.5f, -2.0f}, {2})), "f.npy");
    EXPECT_EQ(f.dtype, npu::npy::DType::kFloat32);
    EXPECT_EQ(f.reals(), (std::vector<double>{1.5, -2.0}));
    const npu::npy::Array i =
        npu::npy::parse(npu::npy::serialize(npu::npy::from_int32({-7, 1 << 30}, {1, 2})), "i.npy");
    EXPECT_EQ(i.ints(), (std::vector<int64_t>{-7, 1 << 30}));
    const npu::npy::Array s =
        npu::npy::parse(npu::npy::serialize(npu::npy::from_uint8({9}, {})), "s");
    EXPECT_TRUE(s.shape.empty());
    EXPECT_EQ(npu::npy::shape_string({5}), "(5,)");
}

std::string npy_bytes(int major, const std::string& dict, const std::string& data) {
    std::string h = "\x93NUMPY";
    h += static_cast<char>(major);
    h += '\0';
    const size_t len = dict.size();
    h += static_cast<char>(len & 0xff);
    h += static_cast<char>(len >> 8);
    if (major > 1) h += std::string(2, '\0');
    return h + dict + data;
}

TEST(Npy, ReadsVersions2And3) {
    const std::string d = "{'descr': '<f4', 'fortran_order': False, 'shape': (1,), }\n";
    float v = 3.0f;
    const std::string data(reinterpret_cast<const char*>(&v), 4);
    EXPECT_EQ(npu::npy::parse(npy_bytes(2, d, data), "a").reals().at(0), 3.0);
    EXPECT_EQ(npu::npy::parse(npy_bytes(3, d, data), "a").reals().at(0), 3.0);
}

TEST(Npy, RejectsBadFilesWithTheirReason) {
    const auto err = [](const std::string& bytes) {
        return error_of([&] { (void)npu::npy::parse(bytes, "t.npy"); });
    };
    EXPECT_EQ(err("hello world"),
              "t.npy: expected a NumPy .npy file (magic \\x93NUMPY), found other bytes");
    EXPECT_EQ(err(npy_bytes(4, "{}", "")),
              "t.npy: expected .npy format version 1.0, 2.0 or 3.0, found 4.0");
    const std::string f4 = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 2), }\n";
    EXPECT_EQ(err(npy_bytes(1, f4, std::string(12, '\0'))),
              "t.npy: expected 16 bytes of float32 data for shape (2, 2), found 12 (truncated)");
    EXPECT_EQ(err(npy_bytes(1, f4, std::string(20, '\0'))),
              "t.npy: expected 16 bytes of float32 data for shape (2, 2), found 20");
    EXPECT_EQ(
        err(npy_bytes(1, "{'descr': '>f4', 'fortran_order': False, 'shape': (1,), }", "abcd")),
        "t.npy: expected an element type int8 (|i1), uint8 (|u1), int32 (<i4), int64 (<i8), "
        "float32 (<f4) or float64 (<f8), found '>f4' (big-endian)");
    EXPECT_EQ(err(npy_bytes(1, "{'descr': '<f4', 'fortran_order': True, 'shape': (1,), }", "abcd")),
              "t.npy: expected a C-order array (fortran_order False), found a Fortran-order one "
              "(save np.ascontiguousarray(x))");
    EXPECT_EQ(err(npy_bytes(1, "{'descr': '<f4', 'shape': (1,), }", "abcd")),
              "t.npy: malformed .npy header: expected the header to give 'descr', "
              "'fortran_order' and 'shape'");
    EXPECT_EQ(err(npy_bytes(1,
                            "{'descr': '|u1', 'fortran_order': False, 'shape': "
                            "(99999999999, 99999999999), }",
                            "")),
              "t.npy: expected at most 2147483648 bytes of data, found shape (99999999999, "
              "99999999999)");
    std::string cut = npy_bytes(1, f4, "");
    cut.resize(20);
    EXPECT_EQ(err(cut), "t.npy: truncated .npy header: it announces 60 bytes, the file has 10");
}

// ------------------------------------------------------------------ layouts

TEST(Layout, NchwOverHwc) {
    // [1, C=2, H=2, W=3] over IR [2, 3, 2]: element (c, h, w) is IR (h*3 + w)*2 + c.
    const Layout l = Layout::nchw(2, 2, 3, {1, 2, 2, 3});
    EXPECT_EQ(l.check(), "");
    EXPECT_EQ(l.offsets(), (std::vector<int64_t>{0, 2, 4, 6, 8, 10, 1, 3, 5, 7, 9, 11}));
    // Flatten keeps the order (a gemm permutes its weight columns by it).
    EXPECT_EQ(l.reshaped({1, 12})->offsets(), l.offsets());
    EXPECT_FALSE(l.is_contiguous());
}

TEST(Layout, HeadSplitTransposeAndMerge) {
    // [S=2, D=4] split into 2 heads of 2 and transposed to [H, S, dh]: head h, row s, column k
    // is IR s*4 + h*2 + k.
    const Layout split = *Layout::identity({2, 4}).reshaped({2, 2, 2});
    const Layout heads = split.transposed({1, 0, 2});
    EXPECT_EQ(heads.offsets(), (std::vector<int64_t>{0, 1, 4, 5, 2, 3, 6, 7}));
    const Layout merged = *heads.transposed({1, 0, 2}).reshaped({2, 4});
    EXPECT_TRUE(merged.is_contiguous());
    // A reshape that would need a copy is not a view.
    EXPECT_FALSE(Layout::identity({2, 3}).transposed({1, 0}).reshaped({2, 3}).has_value());
}

// ------------------------------------------------------------------ ONNX Runtime's tensors

// The golden .npy files of a model as IR data: IR tensor -> int8 values, via the views.
std::map<std::string, std::vector<int8_t>> golden_ir(const Workload& wl, const std::string& dir) {
    std::map<std::string, std::vector<int8_t>> g;
    for (const npu::graph::TensorView& v : wl.views) {
        if (v.type == npu::graph::TensorView::Type::kFloat32) continue;
        const fs::path f = fs::path(dir) / (npu::frontend::tensor_file_name(v.name) + ".npy");
        if (!fs::exists(f) || g.count(v.tensor)) continue;
        const npu::npy::Array a = npu::npy::read(f.string());
        Layout l;
        l.dims = v.dims;
        l.perm = v.perm;
        l.shape = v.shape;
        std::vector<int64_t> offs;
        if (v.dims.empty()) {
            for (int64_t e = 0; e < a.elems(); ++e) offs.push_back(e);
        } else {
            offs = l.offsets();
        }
        std::vector<int8_t> ir(static_cast<size_t>(a.elems()));
        for (size_t e = 0; e < ir.size(); ++e) {
            const int x = v.type == npu::graph::TensorView::Type::kUint8
                              ? int{a.data[e]} - 128
                              : int{static_cast<int8_t>(a.data[e])};
            ir[static_cast<size_t>(offs[e])] = static_cast<int8_t>(x);
        }
        g[v.tensor] = std::move(ir);
    }
    return g;
}

struct Diff {
    int64_t differ = 0;
    int max_lsb = 0;
};

Diff diff(const std::vector<int8_t>& a, const std::vector<int8_t>& b) {
    Diff d;
    for (size_t i = 0; i < a.size() && i < b.size(); ++i) {
        const int x = std::abs(int{a[i]} - int{b[i]});
        d.differ += x != 0;
        d.max_lsb = std::max(d.max_lsb, x);
    }
    return d;
}

// Each layer evaluated on ORT's own input tensors against ORT's output tensor: per layer name,
// the differences (layers whose inputs or output ORT does not expose are skipped).
std::map<std::string, Diff> layer_by_layer(const std::string& name, npu::RequantMode requant) {
    const Workload wl = npu::frontend::load_workload(kModels + name + ".onnx");
    std::map<std::string, std::vector<int8_t>> g = golden_ir(wl, kGoldens + name);
    EXPECT_TRUE(g.count(wl.inputs.at(0).name)) << "the goldens hold the quantized input";
    std::map<std::string, Diff> diffs;
    for (const npu::graph::Layer& l : wl.layers) {
        npu::graph::LayerInputs in;
        bool all = true;
        for (const std::string& t : l.inputs) {
            all = all && g.count(t);
            if (g.count(t)) in.push_back(&g.at(t));
        }
        if (!all) continue;
        const std::vector<int8_t> out =
            npu::graph::evaluate(l, in, npu::Rounding::kHalfEven, requant);
        if (l.kind == npu::graph::OpKind::kReshape && !g.count(l.name)) g[l.name] = out;
        if (!g.count(l.name)) continue;
        diffs[l.name] = diff(out, g.at(l.name));
    }
    return diffs;
}

class OrtGoldens : public ::testing::TestWithParam<std::string> {};

// postproc.requant float32: every layer on ORT's own input tensors gives ORT's output exactly.
TEST_P(OrtGoldens, EveryLayerEqualsOnnxRuntimeWithFloat32Requant) {
    const std::string name = GetParam();
    const std::map<std::string, Diff> diffs = layer_by_layer(name, npu::RequantMode::kFloat32);
    for (const auto& [layer, d] : diffs) EXPECT_EQ(d.differ, 0) << name << " layer " << layer;
    EXPECT_GE(diffs.size(), 4u) << name;
}

// And end to end from ORT's quantized input: every tensor of every model is ORT's.
TEST_P(OrtGoldens, EveryTensorEqualsOnnxRuntimeEndToEndWithFloat32Requant) {
    const std::string name = GetParam();
    Workload wl = npu::frontend::load_workload(kModels + name + ".onnx");
    npu::frontend::apply_inputs(
        wl, {{"input", kModels + name.substr(0, name.find('_')) + "_input.npy"}});
    const auto g = golden_ir(wl, kGoldens + name);
    const auto outs = npu::ref::run_graph(wl, npu::Rounding::kHalfEven, npu::RequantMode::kFloat32);
    size_t compared = 0;
    for (const auto& [tensor, data] : outs) {
        if (!g.count(tensor)) continue;
        EXPECT_EQ(diff(data, g.at(tensor)).differ, 0) << name << " " << tensor;
        ++compared;
    }
    EXPECT_GE(compared, 5u) << name;
}

INSTANTIATE_TEST_SUITE_P(Models, OrtGoldens,
                         ::testing::Values("digits_qdq", "digits_qlinear", "residual_qdq",
                                           "residual_qlinear", "depthwise_qdq", "depthwise_qlinear",
                                           "transformer_qdq", "transformer_qlinear"));

// postproc.requant fixed_point (integer multipliers, gemmlowp style) on ORT's own input tensors:
// every layer within 1 LSB of ORT; the layers that differ, and in how many elements, are these
// (measured; every other layer is exact): the depthwise network's average pooling (54 of 384:
// ORT's QLinearAveragePool is a float mean) and global average pooling (1 of 16: a multiplier
// rounded to 31 bits against ORT's float32 one), the transformer's softmax (13 of 128:
// QLinearSoftmax's float table against our float exp).
TEST(OrtGoldens, FixedPointLayersDifferFromOnnxRuntimeByKnownCounts) {
    const std::map<std::string, std::map<std::string, int64_t>> expected = {
        {"digits_qdq", {}},
        {"digits_qlinear", {}},
        {"residual_qdq", {}},
        {"residual_qlinear", {}},
        {"depthwise_qdq",
         {{"/avg/QuantizeLinear_output_0", 54}, {"/gap/QuantizeLinear_output_0", 1}}},
        {"depthwise_qlinear",
         {{"/avg/QuantizeLinear_output_0", 54}, {"/gap/QuantizeLinear_output_0", 1}}},
        {"transformer_qdq", {{"probs_quantized", 13}}},
        {"transformer_qlinear", {{"probs_quantized", 13}}},
    };
    for (const auto& [name, layers] : expected) {
        const std::map<std::string, Diff> diffs =
            layer_by_layer(name, npu::RequantMode::kFixedPoint);
        EXPECT_GE(diffs.size(), 4u) << name;
        for (const auto& [layer, d] : diffs) {
            EXPECT_LE(d.max_lsb, 1) << name << " layer " << layer;
            const int64_t want = layers.count(layer) ? layers.at(layer) : 0;
            EXPECT_EQ(d.differ, want) << name << " layer " << layer;
        }
        for (const auto& [layer, count] : layers) {
            EXPECT_TRUE(diffs.count(layer)) << name << " layer " << layer << " not compared";
        }
    }
}

// The QDQ and operator forms of a network import to the same workload (same weights, scales,
// layers), and the YAML round trip gives the same workload again.
TEST(OnnxImport, QdqAndOperatorFormsAgreeAndYamlRoundTrips) {
    for (const char* net : {"digits", "residual", "depthwise", "transformer"}) {
        const Workload a = npu::frontend::load_workload(kModels + net + "_qdq.onnx");
        const Workload b = npu::frontend::load_workload(kModels + net + "_qlinear.onnx");
        ASSERT_EQ(a.layers.size(), b.layers.size()) << net;
        for (size_t i = 0; i < a.layers.size(); ++i) {
            EXPECT_EQ(a.layers[i].kind, b.layers[i].kind) << net << " " << i;
            EXPECT_EQ(a.layers[i].weights, b.layers[i].weights) << net << " " << i;
            EXPECT_EQ(a.layers[i].bias, b.layers[i].bias) << net << " " << i;
            EXPECT_EQ(a.layers[i].requant.multiplier, b.layers[i].requant.multiplier)
                << net << " " << i;
            EXPECT_EQ(a.layers[i].lut, b.layers[i].lut) << net << " " << i;
        }
        // YAML written to disk and read back.
        const fs::path dir = fs::temp_directory_path() / ("npusim_onnx_rt_" + std::string(net));
        fs::remove_all(dir);
        fs::create_directories(dir / "w.data");
        npu::frontend::OnnxImportOptions o;
        o.data_dir = "w.data";
        const npu::frontend::ImportedWorkload im =
            npu::frontend::import_onnx(kModels + net + "_qdq.onnx", o);
        for (const auto& [file, array] : im.files) {
            std::ofstream(dir / file, std::ios::binary) << npu::npy::serialize(array);
        }
        std::ofstream(dir / "w.yaml") << im.yaml;
        const Workload c = npu::frontend::load_workload((dir / "w.yaml").string());
        ASSERT_EQ(a.layers.size(), c.layers.size());
        for (size_t i = 0; i < a.layers.size(); ++i) {
            EXPECT_EQ(a.layers[i].weights, c.layers[i].weights);
            EXPECT_EQ(a.layers[i].weight_scale, c.layers[i].weight_scale);
            EXPECT_EQ(a.layers[i].output, c.layers[i].output);
            EXPECT_EQ(a.layers[i].requant.shift, c.layers[i].requant.shift);
        }
        EXPECT_EQ(npu::ref::run_workload(a, npu::Rounding::kHalfEven),
                  npu::ref::run_workload(c, npu::Rounding::kHalfEven));
        fs::remove_all(dir);
    }
}

TEST(OnnxImport, FloatModelsArePostTrainingQuantized) {
    npu::frontend::LoadOptions lo;
    lo.calibration = kModels + "digits_calib.npy";
    const Workload wl = npu::frontend::load_workload(kModels + "digits_fp32.onnx", lo);
    EXPECT_FALSE(wl.needs_ptq);
    EXPECT_EQ(wl.layers.size(), 5u);
    EXPECT_EQ(wl.calibration.inputs.size(), 128u);
    // The same calibration as workloads/digits.yaml (its images in NCHW), so the same scales.
    const Workload yaml =
        npu::frontend::load_workload(std::string(NPUSIM_SOURCE_DIR) + "/workloads/digits.yaml");
    for (size_t i = 0; i < wl.layers.size(); ++i) {
        EXPECT_DOUBLE_EQ(wl.layers[i].output.scale, yaml.layers[i].output.scale) << i;
        EXPECT_EQ(wl.layers[i].output.zero_point, yaml.layers[i].output.zero_point) << i;
    }
    // Sigmoid and LeakyRelu become lookups whose tables PTQ builds from the chosen scales.
    lo.calibration = kModels + "depthwise_calib.npy";
    const Workload dw = npu::frontend::load_workload(kModels + "depthwise_fp32.onnx", lo);
    int lookups = 0;
    for (const npu::graph::Layer& l : dw.layers) {
        if (l.kind != npu::graph::OpKind::kLookup) continue;
        ++lookups;
        EXPECT_NE(l.lookup_function, npu::LookupFunction::kNone);
        ASSERT_EQ(l.lut.size(), 256u);
        const npu::graph::QuantParams qx = l.input_quant.at(0);
        EXPECT_EQ(l.lut, npu::build_table(
                             [&](float v) {
                                 return npu::lookup_function(l.lookup_function, l.lookup_alpha, v);
                             },
                             qx.scale, qx.zero_point, l.output.scale, l.output.zero_point));
    }
    EXPECT_EQ(lookups, 2);
    EXPECT_EQ(error_of([] { (void)npu::frontend::load_workload(kModels + "digits_fp32.onnx"); }),
              kModels +
                  "digits_fp32.onnx: a float model is post-training quantized: give "
                  "calibration images (--calibration FILE.npy, NCHW or NHWC float32)");
}

// ------------------------------------------------------------------ --input

TEST(TensorIo, InputsQuantizeAsQuantizeLinearAndCheckShapes) {
    Workload wl = npu::frontend::load_workload(kModels + "digits_qdq.onnx");
    const auto& q = wl.inputs[0].quant;
    EXPECT_EQ(npu::frontend::quantize_linear(0.5f, q.scale, q.zero_point),
              static_cast<int8_t>(std::nearbyintf(0.5f / static_cast<float>(q.scale)) - 128));
    const std::string bad = (fs::temp_directory_path() / "npusim_bad_input.npy").string();
    std::ofstream(bad, std::ios::binary)
        << npu::npy::serialize(npu::npy::from_float32(std::vector<float>(10, 0.0f), {10}));
    EXPECT_EQ(error_of([&] {
                  npu::frontend::apply_inputs(wl, {{"input", bad}});
              }),
              bad +
                  ": --input: 'input': expected an array of shape (1, 1, 8, 8) (as the model "
                  "has it) or (8, 8, 1) (the NPU's layout), found (10,)");
    EXPECT_EQ(error_of([&] {
                  npu::frontend::apply_inputs(wl, {{"x", bad}});
              }),
              bad +
                  ": --input: 'x' is not an input of the workload; its inputs: "
                  "'/conv1/Cast_output_0', '/quant/QuantizeLinear_output_0', 'input'");
    fs::remove(bad);
}

// ------------------------------------------------------------------ malformed models

onnx::ModelProto tiny_model() {
    // y = Relu(x): a valid float model skeleton the tests break in different ways.
    onnx::ModelProto m;
    m.set_ir_version(8);
    m.add_opset_import()->set_version(13);
    onnx::GraphProto* g = m.mutable_graph();
    onnx::ValueInfoProto* x = g->add_input();
    x->set_name("x");
    x->mutable_type()->mutable_tensor_type()->set_elem_type(onnx::TensorProto::FLOAT);
    for (int d : {1, 4})
        x->mutable_type()->mutable_tensor_type()->mutable_shape()->add_dim()->set_dim_value(d);
    g->add_output()->set_name("y");
    onnx::NodeProto* n = g->add_node();
    n->set_op_type("Relu");
    n->set_name("relu");
    n->add_input("x");
    n->add_output("y");
    return m;
}

std::string import_error(const onnx::ModelProto& m, const std::string& name) {
    const fs::path p = fs::temp_directory_path() / ("npusim_bad_" + name + ".onnx");
    std::ofstream(p, std::ios::binary) << m.SerializeAsString();
    std::string e = error_of([&] { (void)npu::frontend::import_onnx(p.string()); });
    fs::remove(p);
    const size_t at = e.find(": ");
    return at == std::string::npos ? e : e.substr(at + 2);  // without the temporary path
}

// A float Conv followed by BatchNormalization imports as one conv2d whose weights and bias have
// the normalization folded in (k = gamma / sqrt(var + eps) in double, w * k, (b - mean) * k +
// beta): the same workload, byte for byte, as the Conv with those weights written out.
TEST(OnnxImport, BatchNormalizationFoldsIntoTheConv) {
    const auto init = [](onnx::GraphProto* g, const std::string& name, std::vector<int64_t> dims,
                         const std::vector<float>& v) {
        onnx::TensorProto* t = g->add_initializer();
        t->set_name(name);
        t->set_data_type(onnx::TensorProto::FLOAT);
        for (int64_t d : dims) t->add_dims(d);
        for (float f : v) t->add_float_data(f);
    };
    const auto model = [&](bool with_bn, const std::vector<float>& w, const std::vector<float>& b) {
        onnx::ModelProto m = tiny_model();  // x [1, 4] -> Relu -> y; made x [1, 2, 3, 3]
        onnx::GraphProto* g = m.mutable_graph();
        auto* shape = g->mutable_input(0)->mutable_type()->mutable_tensor_type()->mutable_shape();
        shape->mutable_dim(1)->set_dim_value(2);
        shape->add_dim()->set_dim_value(3);
        shape->add_dim()->set_dim_value(3);
        g->mutable_node(0)->set_input(0, "bn");
        onnx::NodeProto conv;
        conv.set_op_type("Conv");
        conv.set_name("conv");
        for (const char* in : {"x", "w", "b"}) conv.add_input(in);
        conv.add_output(with_bn ? "c" : "bn");
        init(g, "w", {2, 2, 1, 1}, w);
        init(g, "b", {2}, b);
        std::vector<onnx::NodeProto> nodes = {conv};
        if (with_bn) {
            onnx::NodeProto bn;
            bn.set_op_type("BatchNormalization");
            bn.set_name("bn");
            for (const char* in : {"c", "gamma", "beta", "mean", "var"}) bn.add_input(in);
            bn.add_output("bn");
            init(g, "gamma", {2}, {1.5f, 0.5f});
            init(g, "beta", {2}, {0.25f, -1.0f});
            init(g, "mean", {2}, {0.1f, -0.2f});
            init(g, "var", {2}, {4.0f, 0.25f});
            nodes.push_back(bn);
        }
        nodes.push_back(g->node(0));
        g->clear_node();
        for (const onnx::NodeProto& n : nodes) *g->add_node() = n;
        const fs::path dir =
            fs::temp_directory_path() / (std::string("npusim_bn_") + (with_bn ? "a" : "b"));
        fs::create_directories(dir);
        const fs::path p = dir / "m.onnx";  // one model name for both
        std::ofstream(p, std::ios::binary) << m.SerializeAsString();
        npu::frontend::OnnxImportOptions o;
        o.require_calibration = false;
        npu::frontend::ImportedWorkload im = npu::frontend::import_onnx(p.string(), o);
        fs::remove_all(dir);
        return im;
    };
    const std::vector<float> w = {1.0f, -2.0f, 0.5f, 3.0f}, b = {0.5f, -0.25f};
    std::vector<float> wf = w, bf = b;
    const double gamma[2] = {1.5, 0.5}, beta[2] = {0.25, -1.0}, mean[2] = {0.1f, -0.2f};
    const double var[2] = {4.0, 0.25};
    for (size_t c = 0; c < 2; ++c) {
        const double k = gamma[c] / std::sqrt(var[c] + double{1e-5f});
        for (size_t i = 0; i < 2; ++i) wf[c * 2 + i] = static_cast<float>(wf[c * 2 + i] * k);
        bf[c] = static_cast<float>((double{bf[c]} - mean[c]) * k + beta[c]);
    }
    const npu::frontend::ImportedWorkload folded = model(true, w, b);
    const npu::frontend::ImportedWorkload plain = model(false, wf, bf);
    EXPECT_EQ(folded.yaml, plain.yaml);
    ASSERT_EQ(folded.files.size(), plain.files.size());
    for (const auto& [name, a] : plain.files) {
        ASSERT_TRUE(folded.files.count(name)) << name;
        EXPECT_EQ(folded.files.at(name).data, a.data) << name;
    }
    EXPECT_NE(folded.yaml.find("conv2d"), std::string::npos);
    EXPECT_EQ(folded.yaml.find("BatchNormalization"), std::string::npos);
}

TEST(OnnxMalformed, TruncatedAndGarbageFiles) {
    std::ifstream in(kModels + "digits_qdq.onnx", std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    for (size_t cut : {size_t{7}, bytes.size() / 2, bytes.size() - 3}) {
        const fs::path p = fs::temp_directory_path() / "npusim_truncated.onnx";
        std::ofstream(p, std::ios::binary) << bytes.substr(0, cut);
        const std::string e = error_of([&] { (void)npu::frontend::import_onnx(p.string()); });
        EXPECT_FALSE(e.empty()) << "cut at " << cut;
        fs::remove(p);
    }
    const fs::path p = fs::temp_directory_path() / "npusim_garbage.onnx";
    std::ofstream(p, std::ios::binary) << std::string("\xff\xff\xff\xff garbage", 13);
    EXPECT_EQ(error_of([&] { (void)npu::frontend::import_onnx(p.string()); }),
              p.string() +
                  ": expected an ONNX model (a protobuf ModelProto), found bytes protobuf "
                  "cannot parse (truncated or not ONNX)");
    fs::remove(p);
}

TEST(OnnxMalformed, StructuralProblemsAreNamed) {
    onnx::ModelProto m = tiny_model();
    m.mutable_graph()->mutable_node(0)->set_input(0, "nowhere");
    EXPECT_EQ(import_error(m, "missing"),
              "node 'relu' (Relu, domain ai.onnx): input 'nowhere' is not a graph input, an "
              "initializer or any node's output");

    m = tiny_model();  // a cycle: a -> b -> a
    onnx::GraphProto* g = m.mutable_graph();
    g->mutable_node(0)->set_input(0, "b");
    g->mutable_node(0)->set_output(0, "a");
    onnx::NodeProto* n = g->add_node();
    n->set_op_type("Relu");
    n->set_name("back");
    n->add_input("a");
    n->add_output("b");
    g->mutable_output(0)->set_name("a");
    EXPECT_EQ(import_error(m, "cycle"),
              "expected an acyclic graph, found a cycle through node 'relu' (Relu, domain "
              "ai.onnx), node 'back' (Relu, domain ai.onnx)");

    m = tiny_model();
    m.mutable_opset_import(0)->set_version(7);
    EXPECT_EQ(import_error(m, "opset"),
              "expected a default-domain opset in [10, 21] (QuantizeLinear needs 10), found 7");

    m = tiny_model();
    m.mutable_graph()->mutable_node(0)->set_op_type("Frobnicate");
    EXPECT_NE(
        import_error(m, "unknown")
            .find("node 'relu' (Frobnicate, domain ai.onnx): operator Frobnicate is not supported "
                  "(model opset 13). Supported operators: quantized (QDQ:"),
        std::string::npos);
}

TEST(OnnxMalformed, HostileInitializers) {
    onnx::ModelProto m = tiny_model();
    onnx::TensorProto* t = m.mutable_graph()->add_initializer();
    t->set_name("w");
    t->set_data_type(onnx::TensorProto::FLOAT);
    t->add_dims(int64_t{1} << 40);  // absurd, and no data
    EXPECT_EQ(import_error(m, "huge"),
              "initializer 'w': expected at most 1073741824 elements, found dims [1099511627776]");

    m = tiny_model();
    t = m.mutable_graph()->add_initializer();
    t->set_name("w");
    t->set_data_type(onnx::TensorProto::FLOAT);
    t->add_dims(4);
    t->set_raw_data(std::string(12, '\0'));  // 3 floats for 4
    EXPECT_EQ(import_error(m, "short"),
              "initializer 'w': expected 16 bytes of float32 data for dims [4], found 12");

    m = tiny_model();
    t = m.mutable_graph()->add_initializer();
    t->set_name("w");
    t->set_data_type(onnx::TensorProto::STRING);
    EXPECT_NE(
        import_error(m, "string").find("initializer 'w': expected a tensor of a numeric type"),
        std::string::npos);

    m = tiny_model();
    t = m.mutable_graph()->add_initializer();
    t->set_name("w");
    t->set_data_type(onnx::TensorProto::FLOAT);
    t->add_dims(1);
    t->set_data_location(onnx::TensorProto::EXTERNAL);
    auto* kv = t->add_external_data();
    kv->set_key("location");
    kv->set_value("../../etc/passwd");
    EXPECT_EQ(import_error(m, "external"),
              "initializer 'w': external_data location: expected a file name relative to the "
              "model's directory (no '..'), found '../../etc/passwd'");

    m = tiny_model();  // a huge dynamic input
    m.mutable_graph()
        ->mutable_input(0)
        ->mutable_type()
        ->mutable_tensor_type()
        ->mutable_shape()
        ->mutable_dim(1)
        ->set_dim_value(int64_t{1} << 40);
    EXPECT_NE(import_error(m, "bigdim").find("exceeds 65536"), std::string::npos);
}

TEST(OnnxMalformed, DynamicQuantizationIsRefused) {
    onnx::ModelProto m = tiny_model();
    m.mutable_graph()->mutable_node(0)->set_op_type("DynamicQuantizeLinear");
    m.mutable_graph()->mutable_node(0)->add_output("s");
    m.mutable_graph()->mutable_node(0)->add_output("z");
    EXPECT_NE(import_error(m, "dyn").find("dynamic quantization computes scales at run time"),
              std::string::npos);
}

}  // namespace

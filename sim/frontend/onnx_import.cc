#include "sim/frontend/onnx_import.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <functional>
#include <limits>
#include <numeric>
#include <set>
#include <sstream>
#include <tuple>
#include <utility>

#include "sim/core/error.h"
#include "sim/core/lookup_table.h"
#include "sim/frontend/onnx_model.h"
#include "sim/frontend/tensor_view.h"

namespace npu::frontend {

using onnx_detail::Const;
using onnx_detail::Model;
using onnx_detail::Node;

namespace {

constexpr const char* kSupported =
    "quantized (QDQ: QuantizeLinear/DequantizeLinear around Conv, Gemm, MatMul, Add, Mul, "
    "MaxPool, AveragePool, GlobalAveragePool, Concat, Softmax, Sigmoid, LeakyRelu, "
    "LayerNormalization, Reshape, Flatten, Transpose, Squeeze, Unsqueeze; Relu/Clip fused): "
    "QuantizeLinear, DequantizeLinear, QLinearConv, QLinearMatMul, ConvInteger, MatMulInteger, "
    "com.microsoft QGemm, QLinearAdd, QLinearMul, QLinearAveragePool, QLinearGlobalAveragePool, "
    "QLinearConcat, QLinearSigmoid, QLinearLeakyRelu, QLinearSoftmax, MaxPool, Reshape, "
    "Flatten, Transpose, Squeeze, Unsqueeze, Identity, Cast (no-op); float: Conv (+ "
    "BatchNormalization), Gemm, MatMul (+ Add bias), Add, Mul, MaxPool, AveragePool, "
    "GlobalAveragePool, Relu, Clip, Softmax, LayerNormalization, the Erf GELU pattern, Concat, "
    "Reshape, Flatten, Transpose, Squeeze, Unsqueeze, Identity, Dropout";

using Shape = std::vector<int64_t>;

std::string shape_text(const Shape& s) {
    std::string t = "[";
    for (size_t i = 0; i < s.size(); ++i) t += (i ? ", " : "") + std::to_string(s[i]);
    return t + "]";
}

int64_t product(const Shape& s) {
    int64_t p = 1;
    for (int64_t d : s) p *= d;
    return p;
}

// Drops leading size-1 axes (the batch of 1), keeping at least one axis.
Shape squeeze_leading(Shape s) {
    while (s.size() > 1 && s.front() == 1) s.erase(s.begin());
    return s;
}

// An ONNX tensor that lives in an IR tensor.
struct Bound {
    std::string ir;
    Layout lay;
    int type = onnx_detail::kInt8;  // kInt8 / kUint8: quantized values; kFloat: real values
};

// The quantization of an IR tensor (IR domain: int8 zero point).
struct IrTensor {
    Shape shape;
    bool has_q = false;
    double scale = 1.0;
    int zp = 0;
};

// A quantized operand of a layer.
struct QIn {
    std::string onnx;
    const Bound* b = nullptr;
    double scale = 1.0;
    int zp = 0;  // IR domain
};

// A quantized result.
struct QOut {
    std::string name;  // the ONNX tensor (the Q output or the QLinear op's output)
    double scale = 1.0;
    int zp = 0;  // IR domain
    int type = onnx_detail::kUint8;
    std::string activation;  // "", relu, relu6, or clamp
    double clamp_lo = 0, clamp_hi = 0;
};

// A fused activation: "", relu, relu6 or clamp [lo, hi] (real values).
struct Act {
    std::string kind;
    double lo = 0, hi = 0;
};

// Weights of a conv/gemm: OIHW int8 (zero point removed) with per-output-channel scales, or
// float.
struct Weights {
    Shape shape;  // ONNX shape (O, I, kh, kw) or (K, N) / (N, K)
    std::vector<int8_t> q;
    std::vector<double> scale;  // per output channel (repeated for per-tensor)
    // Float weights (float models): the model's own float32 bytes (`model_f`, not copied: a
    // ResNet-50 holds 100 MB of them) until the importer changes them, then `f`.
    std::vector<float> f;
    const std::string* model_f = nullptr;
    bool is_float = false;
    // The float weights to change in place (copied out of the model the first time).
    std::vector<float>& own_floats() {
        if (model_f) {
            f.resize(model_f->size() / sizeof(float));
            if (!f.empty()) std::memcpy(f.data(), model_f->data(), model_f->size());
            model_f = nullptr;
        }
        return f;
    }
    // The float weights' bytes (float32, little-endian like the host).
    [[nodiscard]] const char* float_bytes() const {
        return model_f ? model_f->data() : reinterpret_cast<const char*>(f.data());
    }
};

class Importer {
  public:
    Importer(const Model& m, const OnnxImportOptions& o) : M(m), m_opt(o) {}

    ImportedWorkload run();

  private:
    const Model& M;
    OnnxImportOptions m_opt;
    bool m_quantized = false;
    std::map<std::string, Bound> m_bound;
    std::map<std::string, IrTensor> m_ir;
    std::vector<std::string> m_ir_order;
    std::set<size_t> m_done;
    YAML::Node m_inputs = YAML::Node(YAML::NodeType::Sequence);
    YAML::Node m_layers = YAML::Node(YAML::NodeType::Sequence);
    std::map<std::string, YAML::Node> m_layer_of;  // IR name -> its YAML (to add views)
    std::map<std::string, YAML::Node> m_input_of;
    std::map<std::string, npy::Array> m_files;
    std::set<std::string> m_file_names;
    // Dequantized float tensors (DQ outputs) of weights: constant inputs of DQ nodes.
    std::map<std::string, const Node*> m_weight_dq;

    [[noreturn]] void fail(const Node& n, const std::string& what) const {
        M.fail(n, what + " (opset " + std::to_string(M.opset()) + ")");
    }
    [[noreturn]] void unsupported(const Node& n, const std::string& why) const {
        M.fail(n, why + " (model opset " + std::to_string(M.opset()) +
                      "). Supported operators: " + kSupported);
    }

    // --- constants
    const Const& const_in(const Node& n, size_t i, const char* what) const;
    double scalar_f(const Node& n, size_t i, const char* what) const;
    int zero_point(const Node& n, size_t i, int& type) const;  // ONNX value; type out

    // --- IR tensors and layers
    std::string unique(const std::string& want);
    std::string file_for(const std::string& layer, const std::string& what, npy::Array a);
    void add_ir(const std::string& name, const Shape& shape, bool has_q, double scale, int zp);
    YAML::Node& new_layer(const std::string& name, const char* op,
                          const std::vector<std::string>& inputs);
    void set_output(YAML::Node& l, const QOut& o);
    void bind(const std::string& onnx, const std::string& ir, const Layout& lay, int type);
    std::string reshape_ir(const std::string& ir, const Shape& to);

    // --- operands
    const Bound& bound(const Node& n, size_t i) const;
    QIn qin(const Node& n, size_t i);  // QDQ: a dequantized tensor
    QIn qin_linear(const Node& n, size_t x, size_t scale, size_t zp);
    QOut qout_qdq(const Node& n);
    QOut qout_linear(const Node& n, size_t scale, size_t zp, size_t out = 0);
    Weights weights_dq(const Node& n, size_t i, int axis);
    Weights weights_linear(const Node& n, size_t w, size_t scale, size_t zp, int axis);
    std::vector<int32_t> bias_int(const Node& n, size_t i, int64_t count);
    std::vector<float> bias_float(const Node& n, size_t i, int64_t count);
    void check_q(const Node& n, const QIn& x) const;

    // --- layout requirements
    struct Image {
        std::string ir;
        int64_t c = 0, h = 0, w = 0;
    };
    Image image(const Node& n, const Bound& b);
    // The rows view of `b` around axis `axis` (ONNX rank): [rows, L], the axis innermost.
    std::string rows(const Node& n, const Bound& b, int64_t axis, int64_t& L);

    // --- emitters (quantized x: q set; float model: q unset)
    void emit_conv(const Node& n, const Bound& x, const Weights& w, const std::vector<int32_t>* bq,
                   const std::vector<float>* bf, const QOut* o, const Act& act,
                   const std::string& out_name);
    void emit_gemm(const Node& n, const Bound& x, const Weights& w, bool w_is_nk,
                   const std::vector<int32_t>* bq, const std::vector<float>* bf, const QOut* o,
                   const Act& act, const std::string& out_name);
    void emit_matmul(const Node& n, const Bound& a, const Bound& b, const QOut* o,
                     const std::string& out_name);
    void emit_binary(const Node& n, const char* op, const Bound& x, const Bound& y, const QOut* o,
                     const Act& act, const std::string& out_name);
    void emit_pool(const Node& n, const Bound& x, const QOut* o, const std::string& out_name);
    void emit_rows(const Node& n, const char* op, const Bound& x, int64_t axis, const QOut* o,
                   const std::string& out_name, const std::vector<float>* gamma = nullptr,
                   const std::vector<float>* beta = nullptr);
    void emit_row_op(const Node& n, const Bound& x, const QOut* o, const std::string& name);
    // A Clip's [min, max]: attributes before opset 11, constant inputs since (absent: unbounded).
    std::pair<double, double> clip_bounds(const Node& n) {
        double lo = -std::numeric_limits<double>::infinity();
        double hi = std::numeric_limits<double>::infinity();
        if (M.opset() < 11) {
            lo = M.attr_float(n, "min", -std::numeric_limits<float>::max());
            hi = M.attr_float(n, "max", std::numeric_limits<float>::max());
        } else {
            if (n.has_input(1)) lo = const_in(n, 1, "Clip min").real(0);
            if (n.has_input(2)) hi = const_in(n, 2, "Clip max").real(0);
        }
        return {lo, hi};
    }

    // Sigmoid (QLinearSigmoid), or LeakyRelu (QLinearLeakyRelu) with the node's alpha, as a
    // lookup table built as ORT builds it.
    void emit_activation_lookup(const Node& n, bool sigmoid, const QIn& x, const QOut& o) {
        const LookupFunction f = sigmoid ? LookupFunction::kSigmoid : LookupFunction::kLeakyRelu;
        const float alpha = sigmoid ? 0.0f : M.attr_float(n, "alpha", 0.01f);
        emit_lookup(n, x, o, [f, alpha](float v) { return lookup_function(f, alpha, v); });
    }
    void emit_lookup(const Node& n, const QIn& x, const QOut& o,
                     const std::function<float(float)>& f, bool array_logistic = false);
    template <class Order>
    void set_weights(YAML::Node& l, const std::string& stem, const Weights& w,
                     const std::vector<int64_t>& shape, Order order, const std::vector<int32_t>* bq,
                     const std::vector<float>* bf, const Act& act, const QOut* o);
    Layout emit_concat(const Node& n, const std::vector<QIn>& xs, const QOut* o, int64_t axis,
                       const std::string& out_name);
    bool view_op(const Node& n);

    // --- node handlers
    void declare_input(const std::string& onnx_in, const std::string& q_out, double scale,
                       int zp_onnx, int type);
    void on_quantize(const Node& n);
    void on_dequantize(const Node& n);
    void on_qdq_compute(const Node& n);
    void on_qlinear(const Node& n);
    void on_integer(const Node& n);
    void on_float(const Node& n);
    bool match_gelu(const Node& n, std::string& out);
    Act float_activation(const Node& n, std::string& out);
    void finish_views();
};

// ---------------------------------------------------------------- constants

const Const& Importer::const_in(const Node& n, size_t i, const char* what) const {
    if (!n.has_input(i)) fail(n, std::string("missing input ") + what);
    const Const* c = M.constant(n.in[i]);
    if (c == nullptr) {
        fail(n, std::string(what) + " '" + n.in[i] +
                    "' must be a constant (an initializer or a Constant node)");
    }
    return *c;
}

double Importer::scalar_f(const Node& n, size_t i, const char* what) const {
    const Const& c = const_in(n, i, what);
    if (c.elems() != 1 || c.dtype != onnx_detail::kFloat) {
        fail(n, std::string(what) + ": expected one float32 value, found " +
                    std::to_string(c.elems()) + " " + onnx_detail::elem_type_name(c.dtype));
    }
    const double v = c.real(0);
    if (!(v > 0.0) || !std::isfinite(v)) {
        fail(n, std::string(what) + ": expected a finite scale > 0, found " + std::to_string(v));
    }
    return v;
}

int Importer::zero_point(const Node& n, size_t i, int& type) const {
    if (!n.has_input(i)) {
        type = onnx_detail::kUint8;  // ONNX: an omitted zero point is uint8 0
        return 0;
    }
    const Const& c = const_in(n, i, "zero point");
    if (c.elems() != 1) {
        fail(n, "zero point: expected one value (per-tensor activations), found " +
                    std::to_string(c.elems()));
    }
    type = c.dtype;
    if (type != onnx_detail::kUint8 && type != onnx_detail::kInt8) {
        fail(n, "zero point: expected uint8 or int8 (8-bit quantization), found " +
                    onnx_detail::elem_type_name(type));
    }
    return static_cast<int>(c.integer(0));
}

int ir_zp(int zp_onnx, int type) { return type == onnx_detail::kUint8 ? zp_onnx - 128 : zp_onnx; }

// ---------------------------------------------------------------- IR building

std::string Importer::unique(const std::string& want) {
    std::string name = want.empty() ? "t" : want;
    for (int k = 2; m_ir.count(name); ++k) name = want + "#" + std::to_string(k);
    return name;
}

std::string Importer::file_for(const std::string& layer, const std::string& what, npy::Array a) {
    std::string base;
    for (char c : layer) {
        base += (std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_') ? c : '_';
    }
    while (!base.empty() && base.front() == '_') base.erase(base.begin());
    if (base.empty()) base = "t";
    std::string file = m_opt.data_dir + "/" + base + "." + what + ".npy";
    for (int k = 2; m_file_names.count(file); ++k) {
        file = m_opt.data_dir + "/" + base + "_" + std::to_string(k) + "." + what + ".npy";
    }
    m_file_names.insert(file);
    m_files[file] = std::move(a);
    return file;
}

void Importer::add_ir(const std::string& name, const Shape& shape, bool has_q, double scale,
                      int zp) {
    IrTensor t;
    t.shape = shape;
    t.has_q = has_q;
    t.scale = scale;
    t.zp = zp;
    m_ir[name] = t;
    m_ir_order.push_back(name);
}

YAML::Node& Importer::new_layer(const std::string& name, const char* op,
                                const std::vector<std::string>& inputs) {
    YAML::Node l(YAML::NodeType::Map);
    l["name"] = name;
    l["op"] = op;
    YAML::Node in(YAML::NodeType::Sequence);
    for (const std::string& s : inputs) in.push_back(s);
    in.SetStyle(YAML::EmitterStyle::Flow);
    l["inputs"] = in;
    m_layers.push_back(l);
    m_layer_of[name] = l;
    return m_layer_of[name];
}

void Importer::set_output(YAML::Node& l, const QOut& o) {
    YAML::Node out(YAML::NodeType::Map);
    out["scale"] = o.scale;
    out["zero_point"] = o.zp;
    out.SetStyle(YAML::EmitterStyle::Flow);
    l["output"] = out;
}

void Importer::bind(const std::string& onnx, const std::string& ir, const Layout& lay, int type) {
    m_bound[onnx] = Bound{ir, lay, type};
}

// The IR tensor `ir` as an IR tensor of shape `to` (same elements, same order): itself, or a
// free reshape layer.
std::string Importer::reshape_ir(const std::string& ir, const Shape& to) {
    const IrTensor& t = m_ir.at(ir);
    if (t.shape == to) return ir;
    const std::string name = unique(ir + "#reshape");
    YAML::Node& l = new_layer(name, "reshape", {ir});
    YAML::Node s(YAML::NodeType::Sequence);
    for (int64_t d : to) s.push_back(d);
    s.SetStyle(YAML::EmitterStyle::Flow);
    l["shape"] = s;
    const IrTensor src = t;
    add_ir(name, to, src.has_q, src.scale, src.zp);
    return name;
}

// ---------------------------------------------------------------- operands

const Bound& Importer::bound(const Node& n, size_t i) const {
    if (!n.has_input(i)) fail(n, "missing input " + std::to_string(i));
    const auto it = m_bound.find(n.in[i]);
    if (it == m_bound.end()) {
        const Node* p = M.producer(n.in[i]);
        fail(n,
             "input '" + n.in[i] + "' is " +
                 (p ? "computed by " + p->label() +
                          ", which was not imported as a tensor of "
                          "the NPU"
                  : M.is_const(n.in[i]) ? std::string("a constant where an activation is expected")
                                        : std::string("not an imported tensor")));
    }
    return it->second;
}

void Importer::check_q(const Node& n, const QIn& x) const {
    const IrTensor& t = m_ir.at(x.b->ir);
    if (!t.has_q) return;
    if (static_cast<float>(t.scale) != static_cast<float>(x.scale) || t.zp != x.zp) {
        std::ostringstream os;
        os.precision(9);
        os << "reads '" << x.onnx << "' with scale " << x.scale << " and zero point " << x.zp
           << " (int8 domain), but it was quantized with scale " << t.scale << " and zero point "
           << t.zp << ": requantizing on read is not supported";
        fail(n, os.str());
    }
}

QIn Importer::qin(const Node& n, size_t i) {
    const Bound& b = bound(n, i);
    if (b.type != onnx_detail::kFloat) {
        fail(n, "input '" + n.in[i] +
                    "' is a quantized tensor; a QDQ operator reads it through "
                    "DequantizeLinear");
    }
    const IrTensor& t = m_ir.at(b.ir);
    QIn x;
    x.onnx = n.in[i];
    x.b = &b;
    x.scale = t.scale;
    x.zp = t.zp;
    return x;
}

QIn Importer::qin_linear(const Node& n, size_t xi, size_t si, size_t zi) {
    const Bound& b = bound(n, xi);
    if (b.type == onnx_detail::kFloat) {
        fail(n,
             "input '" + n.in[xi] + "' is a float tensor; expected a quantized (uint8/int8) one");
    }
    QIn x;
    x.onnx = n.in[xi];
    x.b = &b;
    x.scale = scalar_f(n, si, "input scale");
    int type = 0;
    const int zp = zero_point(n, zi, type);
    if (n.has_input(zi) && type != b.type) {
        fail(n, "zero point of '" + n.in[xi] + "' is " + onnx_detail::elem_type_name(type) +
                    ", the tensor " + onnx_detail::elem_type_name(b.type));
    }
    x.zp = ir_zp(zp, b.type);
    IrTensor& t = m_ir.at(b.ir);
    if (!t.has_q) {  // an integer graph input: its consumer gives its quantization
        t.has_q = true;
        t.scale = x.scale;
        t.zp = x.zp;
        m_input_of.at(b.ir)["scale"] = x.scale;
        m_input_of.at(b.ir)["zero_point"] = x.zp;
    }
    check_q(n, x);
    return x;
}

// The Q node (through an optional Relu/Clip) a QDQ compute node's output feeds.
QOut Importer::qout_qdq(const Node& n) {
    if (n.out.empty() || n.out[0].empty()) fail(n, "has no output");
    std::string t = n.out[0];
    QOut o;
    const auto single_consumer = [&](const std::string& x) -> const Node* {
        const auto& cs = M.consumers(x);
        if (cs.size() != 1 || M.is_output(x)) return nullptr;
        return cs[0];
    };
    const Node* c = single_consumer(t);
    if (c && (c->op == "Relu" || c->op == "Clip") && c->domain.empty()) {
        if (c->op == "Relu") {
            o.activation = "relu";
        } else {
            double lo = -std::numeric_limits<double>::infinity();
            double hi = std::numeric_limits<double>::infinity();
            if (M.opset() < 11) {
                lo = M.attr_float(*c, "min", -std::numeric_limits<float>::max());
                hi = M.attr_float(*c, "max", std::numeric_limits<float>::max());
            } else {
                if (c->has_input(1)) lo = const_in(*c, 1, "Clip min").real(0);
                if (c->has_input(2)) hi = const_in(*c, 2, "Clip max").real(0);
            }
            o.activation = lo == 0.0 && hi == 6.0 ? "relu6" : "clamp";
            o.clamp_lo = lo;
            o.clamp_hi = hi;
        }
        m_done.insert(c->index);
        t = c->out[0];
        c = single_consumer(t);
    }
    if (c == nullptr || c->op != "QuantizeLinear" || !c->domain.empty()) {
        fail(n, "computes a float result ('" + t +
                    "') that is not quantized by exactly one QuantizeLinear: npusim imports "
                    "quantized models whose every compute node sits in a QDQ group (as ONNX "
                    "Runtime fuses them), or float models");
    }
    if (M.has_attr(*c, "axis") && c->has_input(1) && M.constant(c->in[1]) &&
        M.constant(c->in[1])->elems() > 1) {
        fail(*c, "per-channel quantization of an activation is not supported");
    }
    m_done.insert(c->index);
    o.name = c->out[0];
    o.scale = scalar_f(*c, 1, "output scale");
    o.zp = ir_zp(zero_point(*c, 2, o.type), o.type);
    if (o.activation == "clamp" && std::isinf(o.clamp_lo) && std::isinf(o.clamp_hi)) {
        o.activation.clear();
    }
    if (o.activation == "clamp") {
        // The IR clamps real bounds; unbounded sides become the output range's ends.
        if (std::isinf(o.clamp_lo)) o.clamp_lo = o.scale * (-128 - o.zp);
        if (std::isinf(o.clamp_hi)) o.clamp_hi = o.scale * (127 - o.zp);
    }
    return o;
}

QOut Importer::qout_linear(const Node& n, size_t si, size_t zi, size_t out) {
    if (out >= n.out.size() || n.out[out].empty()) fail(n, "has no output");
    QOut o;
    o.name = n.out[out];
    o.scale = scalar_f(n, si, "output scale");
    o.zp = ir_zp(zero_point(n, zi, o.type), o.type);
    return o;
}

// Integer weights: q - zero_point must fit int8 (symmetric int8 weights, or uint8 weights with
// zero point 128 exactly); per-tensor or per-channel along `axis`.
Weights make_int_weights(const Model& M, const Node& n, const Const& w, const Const& s,
                         const Const* z, int axis) {
    Weights r;
    r.shape = w.shape;
    if (w.dtype != onnx_detail::kInt8 && w.dtype != onnx_detail::kUint8) {
        M.fail(n, "weights: expected int8 or uint8, found " + onnx_detail::elem_type_name(w.dtype));
    }
    if (w.shape.empty()) M.fail(n, "weights: expected a tensor, found a scalar");
    if (axis < 0) axis += static_cast<int>(w.shape.size());
    if (axis < 0 || axis >= static_cast<int>(w.shape.size()))
        M.fail(n, "weights: axis out of range");
    const int64_t channels = w.shape[static_cast<size_t>(axis)];
    const int64_t ns = s.elems();
    if (s.dtype != onnx_detail::kFloat || (ns != 1 && ns != channels)) {
        M.fail(n, "weight scale: expected one float32 or one per channel (" +
                      std::to_string(channels) + "), found " + std::to_string(ns) + " " +
                      onnx_detail::elem_type_name(s.dtype));
    }
    if (z && z->elems() != ns) M.fail(n, "weight zero point: expected as many values as scales");
    if (z && z->dtype != w.dtype) M.fail(n, "weight zero point: type differs from the weights'");
    r.scale.resize(static_cast<size_t>(channels));
    for (int64_t c = 0; c < channels; ++c) {
        r.scale[static_cast<size_t>(c)] = s.real(static_cast<size_t>(ns == 1 ? 0 : c));
        if (!(r.scale[static_cast<size_t>(c)] > 0.0)) {
            M.fail(n, "weight scale: expected values > 0, found " +
                          std::to_string(r.scale[static_cast<size_t>(c)]) + " at channel " +
                          std::to_string(c));
        }
    }
    int64_t inner = 1;
    for (size_t k = static_cast<size_t>(axis) + 1; k < w.shape.size(); ++k) inner *= w.shape[k];
    r.q.resize(static_cast<size_t>(w.elems()));
    for (size_t k = 0; k < r.q.size(); ++k) {
        const int64_t c = (static_cast<int64_t>(k) / inner) % channels;
        const int64_t zp = z ? z->integer(static_cast<size_t>(ns == 1 ? 0 : c)) : 0;
        const int64_t v = w.integer(k) - zp;
        if (v < -128 || v > 127) {
            M.fail(n, "weights: value " + std::to_string(w.integer(k)) + " minus zero point " +
                          std::to_string(zp) +
                          " leaves int8; the NPU's weights are symmetric int8 (zero point 0)");
        }
        r.q[k] = static_cast<int8_t>(v);
    }
    return r;
}

Weights Importer::weights_dq(const Node& n, size_t i, int axis) {
    if (!n.has_input(i)) fail(n, "missing weights");
    const auto it = m_weight_dq.find(n.in[i]);
    if (it == m_weight_dq.end()) {
        fail(n,
             "weights '" + n.in[i] + "' must be DequantizeLinear of a constant int8/uint8 tensor");
    }
    const Node& dq = *it->second;
    m_done.insert(dq.index);
    const int dq_axis = static_cast<int>(M.attr_int(dq, "axis", 1));
    const Const& w = const_in(dq, 0, "weights");
    const Const& s = const_in(dq, 1, "weight scale");
    const Const* z = dq.has_input(2) ? &const_in(dq, 2, "weight zero point") : nullptr;
    if (s.elems() > 1) {
        int a = dq_axis < 0 ? dq_axis + static_cast<int>(w.shape.size()) : dq_axis;
        if (a != (axis < 0 ? axis + static_cast<int>(w.shape.size()) : axis)) {
            fail(n, "weights are quantized per channel along axis " + std::to_string(dq_axis) +
                        "; expected the output-channel axis " + std::to_string(axis));
        }
    }
    return make_int_weights(M, dq, w, s, z, axis);
}

Weights Importer::weights_linear(const Node& n, size_t wi, size_t si, size_t zi, int axis) {
    const Const& w = const_in(n, wi, "weights");
    const Const& s = const_in(n, si, "weight scale");
    const Const* z = n.has_input(zi) ? &const_in(n, zi, "weight zero point") : nullptr;
    return make_int_weights(M, n, w, s, z, axis);
}

std::vector<int32_t> Importer::bias_int(const Node& n, size_t i, int64_t count) {
    if (!n.has_input(i)) return {};
    const Const* c = M.constant(n.in[i]);
    if (c == nullptr) {  // QDQ: DQ(int32 bias)
        const auto it = m_weight_dq.find(n.in[i]);
        if (it == m_weight_dq.end()) fail(n, "bias '" + n.in[i] + "' must be a constant int32");
        m_done.insert(it->second->index);
        c = &const_in(*it->second, 0, "bias");
        const Node& dq = *it->second;
        if (dq.has_input(2)) {
            const Const& z = const_in(dq, 2, "bias zero point");
            for (size_t k = 0; k < static_cast<size_t>(z.elems()); ++k) {
                if (z.integer(k) != 0) fail(n, "bias zero point: expected 0");
            }
        }
    }
    if (c->dtype != onnx_detail::kInt32) {
        fail(n, "bias: expected int32, found " + onnx_detail::elem_type_name(c->dtype));
    }
    if (c->elems() != count) {
        fail(n, "bias: expected " + std::to_string(count) + " values, found " +
                    std::to_string(c->elems()));
    }
    std::vector<int32_t> b(static_cast<size_t>(count));
    for (size_t k = 0; k < b.size(); ++k) b[k] = static_cast<int32_t>(c->integer(k));
    return b;
}

std::vector<float> Importer::bias_float(const Node& n, size_t i, int64_t count) {
    if (!n.has_input(i)) return std::vector<float>(static_cast<size_t>(count), 0.0f);
    const Const& c = const_in(n, i, "bias");
    if (c.elems() != count && c.elems() != 1) {
        fail(n, "bias: expected " + std::to_string(count) + " values, found " +
                    std::to_string(c.elems()));
    }
    std::vector<float> b(static_cast<size_t>(count));
    for (size_t k = 0; k < b.size(); ++k) b[k] = static_cast<float>(c.real(c.elems() == 1 ? 0 : k));
    return b;
}

// ---------------------------------------------------------------- layouts

Importer::Image Importer::image(const Node& n, const Bound& b) {
    const Shape& s = b.lay.shape;
    if (s.size() != 4 || s[0] != 1) {
        fail(n, "expected an NCHW image [1, C, H, W] (batch 1), found '" + n.in[0] + "' of shape " +
                    shape_text(s));
    }
    Image im;
    im.c = s[1];
    im.h = s[2];
    im.w = s[3];
    const Layout want = Layout::nchw(im.c, im.h, im.w, s);
    if (!b.lay.same_order(want)) {
        fail(n, "input '" + n.in[0] +
                    "' is laid out in an order the NPU's HWC image cannot hold without a "
                    "transpose");
    }
    im.ir = reshape_ir(b.ir, {im.h, im.w, im.c});
    return im;
}

std::string Importer::rows(const Node& n, const Bound& b, int64_t axis, int64_t& L) {
    const Shape& s = b.lay.shape;
    const int64_t r = static_cast<int64_t>(s.size());
    if (axis < 0) axis += r;
    if (axis < 0 || axis >= r) fail(n, "axis out of range");
    L = s[static_cast<size_t>(axis)];
    // The axis must be the innermost run of the IR tensor: move it last, then the IR must hold
    // every row contiguously.
    std::vector<int64_t> q;
    for (int64_t k = 0; k < r; ++k) {
        if (k != axis) q.push_back(k);
    }
    q.push_back(axis);
    const Layout t = b.lay.transposed(q);
    const Layout c = t.canonical();
    const bool inner =
        L == 1 || (!c.dims.empty() && c.perm.back() == static_cast<int>(c.dims.size()) - 1 &&
                   c.dims.back() % L == 0);
    // The last permuted run is the IR's innermost dims: L must be exactly its innermost part.
    bool ok = inner;
    if (ok && L > 1) {
        const std::vector<int64_t> offs = t.offsets();
        for (int64_t j = 0; j < L && ok; ++j) ok = offs[static_cast<size_t>(j)] == offs[0] + j;
        ok = ok && offs[0] % L == 0;
    }
    if (!ok) {
        fail(n, "reduces over axis " + std::to_string(axis) + " of '" + b.ir +
                    "', which the NPU does not hold as contiguous rows");
    }
    const int64_t elems = b.lay.elems();
    return reshape_ir(b.ir, {elems / std::max<int64_t>(L, 1), L});
}

// ---------------------------------------------------------------- emitters

std::vector<int64_t> pads_of(const Model& M, const Node& n, int64_t h, int64_t w, int64_t kh,
                             int64_t kw, int64_t sh, int64_t sw, int64_t dh, int64_t dw) {
    // ONNX pads: [top, left, bottom, right]; auto_pad computes them.
    std::vector<int64_t> p = M.attr_ints(n, "pads");
    const std::string autopad = M.attr_string(n, "auto_pad", "NOTSET");
    if (autopad == "SAME_UPPER" || autopad == "SAME_LOWER") {
        p.assign(4, 0);
        const auto same = [&](int64_t in, int64_t k, int64_t s, int64_t d, int64_t& a, int64_t& b) {
            const int64_t out = (in + s - 1) / s;
            const int64_t total = std::max<int64_t>((out - 1) * s + (k - 1) * d + 1 - in, 0);
            a = autopad == "SAME_UPPER" ? total / 2 : total - total / 2;
            b = total - a;
        };
        same(h, kh, sh, dh, p[0], p[2]);
        same(w, kw, sw, dw, p[1], p[3]);
    } else if (autopad == "VALID") {
        p.assign(4, 0);
    } else if (autopad != "NOTSET") {
        M.fail(n, "auto_pad: expected NOTSET, SAME_UPPER, SAME_LOWER or VALID, found '" + autopad +
                      "'");
    }
    if (p.empty()) p.assign(4, 0);
    if (p.size() != 4)
        M.fail(n, "pads: expected 4 values (2-D), found " + std::to_string(p.size()));
    for (int64_t v : p) {
        if (v < 0 || v > 1024) M.fail(n, "pads: expected values in [0, 1024]");
    }
    return {p[0], p[2], p[1], p[3]};  // IR: top, bottom, left, right
}

std::pair<int64_t, int64_t> pair_attr(const Model& M, const Node& n, const char* key, int64_t def) {
    const std::vector<int64_t> v = M.attr_ints(n, key);
    if (v.empty()) return {def, def};
    if (v.size() != 2) {
        M.fail(n,
               std::string(key) + ": expected 2 values (2-D), found " + std::to_string(v.size()));
    }
    for (int64_t x : v) {
        if (x < 1 || x > 1024) M.fail(n, std::string(key) + ": expected values in [1, 1024]");
    }
    return {v[0], v[1]};
}

YAML::Node flow_ints(const std::vector<int64_t>& v) {
    YAML::Node s(YAML::NodeType::Sequence);
    for (int64_t x : v) s.push_back(x);
    s.SetStyle(YAML::EmitterStyle::Flow);
    return s;
}

void set_activation(YAML::Node& l, const std::string& kind, double lo, double hi) {
    if (kind.empty()) return;
    if (kind == "clamp") {
        YAML::Node c(YAML::NodeType::Map);
        YAML::Node r(YAML::NodeType::Sequence);
        r.push_back(lo);
        r.push_back(hi);
        r.SetStyle(YAML::EmitterStyle::Flow);
        c["clamp"] = r;
        c.SetStyle(YAML::EmitterStyle::Flow);
        l["activation"] = c;
    } else {
        l["activation"] = kind;
    }
}

// What conv2d and gemm layers share: the weights side file in the IR's order (`order(emit)`
// calls emit(e, n) for the IR's elements in order: the next n of them are ONNX weight elements
// e, e + 1, ..., e + n - 1), the weight
// scales and the bias (int32, or float in a float model), the fused activation and the output
// quantization.
template <class Order>
void Importer::set_weights(YAML::Node& l, const std::string& stem, const Weights& w,
                           const std::vector<int64_t>& shape, Order order,
                           const std::vector<int32_t>* bq, const std::vector<float>* bf,
                           const Act& act, const QOut* o) {
    npy::Array a;
    a.dtype = w.is_float ? npy::DType::kFloat32 : npy::DType::kInt8;
    a.shape = shape;
    // Appended run by run straight into the side file's array (ResNet-50: 100 MB of float32;
    // no zero-filling first, whole rows at once where the IR keeps ONNX's order).
    const size_t es = npy::element_size(a.dtype);
    a.data.reserve(static_cast<size_t>(a.elems()) * es);
    const auto* src = w.is_float ? reinterpret_cast<const uint8_t*>(w.float_bytes())
                                 : reinterpret_cast<const uint8_t*>(w.q.data());
    order([&](int64_t e, int64_t run) {
        const uint8_t* p = src + static_cast<size_t>(e) * es;
        a.data.insert(a.data.end(), p, p + static_cast<size_t>(run) * es);
    });
    const int64_t channels = shape.at(0);
    l["weights"]["file"] = file_for(stem, "weight", std::move(a));
    l["weights"].SetStyle(YAML::EmitterStyle::Flow);
    if (w.is_float) {
        if (bf) l["bias"]["file"] = file_for(stem, "bias", npy::from_float32(*bf, {channels}));
    } else {
        YAML::Node ws(YAML::NodeType::Sequence);
        for (double s : w.scale) ws.push_back(s);
        ws.SetStyle(YAML::EmitterStyle::Flow);
        l["weight_scale"] = ws;
        if (bq && !bq->empty()) {
            l["bias"]["file"] = file_for(stem, "bias", npy::from_int32(*bq, {channels}));
        } else {
            l["bias"] = false;
        }
    }
    if (l["bias"].IsMap()) l["bias"].SetStyle(YAML::EmitterStyle::Flow);
    set_activation(l, act.kind, act.lo, act.hi);
    if (o) set_output(l, *o);
}

void Importer::emit_conv(const Node& n, const Bound& x, const Weights& w,
                         const std::vector<int32_t>* bq, const std::vector<float>* bf,
                         const QOut* o, const Act& act, const std::string& out_name) {
    const Image im = image(n, x);
    if (w.shape.size() != 4) {
        fail(n, "weights: expected OIHW (2-D convolution), found shape " + shape_text(w.shape));
    }
    const int64_t oc = w.shape[0], icg = w.shape[1], kh = w.shape[2], kw = w.shape[3];
    const int64_t groups = M.attr_int(n, "group", 1);
    if (groups < 1 || im.c % groups != 0 || icg * groups != im.c || oc % groups != 0) {
        fail(n, "group " + std::to_string(groups) + " does not fit " + std::to_string(im.c) +
                    " input channels and weights " + shape_text(w.shape));
    }
    if (const auto k = M.attr_ints(n, "kernel_shape"); !k.empty() && (k != Shape{kh, kw})) {
        fail(n, "kernel_shape differs from the weights' shape");
    }
    const auto [sh, sw] = pair_attr(M, n, "strides", 1);
    const auto [dh, dw] = pair_attr(M, n, "dilations", 1);
    const std::vector<int64_t> pads = pads_of(M, n, im.h, im.w, kh, kw, sh, sw, dh, dw);
    const int64_t oh = (im.h + pads[0] + pads[1] - ((kh - 1) * dh + 1)) / sh + 1;
    const int64_t ow = (im.w + pads[2] + pads[3] - ((kw - 1) * dw + 1)) / sw + 1;
    if (oh < 1 || ow < 1) fail(n, "the kernel is larger than the padded input");
    // OIHW -> OHWI
    const auto ohwi = [&](int64_t oo, int64_t y, int64_t xx, int64_t i) {
        return ((oo * icg + i) * kh + y) * kw + xx;
    };
    YAML::Node& l = new_layer(out_name, "conv2d", {im.ir});
    l["out_channels"] = oc;
    l["kernel"] = flow_ints({kh, kw});
    l["stride"] = flow_ints({sh, sw});
    l["padding"] = flow_ints(pads);
    l["dilation"] = flow_ints({dh, dw});
    if (groups > 1) l["groups"] = groups;
    // OHWI element ((o * kh + y) * kw + x) * icg + i holds OIHW element ohwi(o, y, x, i).
    set_weights(
        l, out_name, w, {oc, kh, kw, icg},
        [&](auto&& emit) {
            if (kh * kw == 1) return emit(0, oc * icg);  // 1x1: the same order
            for (int64_t o2 = 0; o2 < oc; ++o2)
                for (int64_t y = 0; y < kh; ++y)
                    for (int64_t xx = 0; xx < kw; ++xx)
                        for (int64_t i = 0; i < icg; ++i) emit(ohwi(o2, y, xx, i), 1);
        },
        bq, bf, act, o);
    add_ir(out_name, {oh, ow, oc}, o != nullptr, o ? o->scale : 1.0, o ? o->zp : 0);
}

void Importer::emit_gemm(const Node& n, const Bound& x, const Weights& w, bool w_is_nk,
                         const std::vector<int32_t>* bq, const std::vector<float>* bf,
                         const QOut* o, const Act& act, const std::string& out_name) {
    if (w.shape.size() != 2) fail(n, "weights: expected a matrix, found " + shape_text(w.shape));
    const int64_t K = w_is_nk ? w.shape[1] : w.shape[0];
    const int64_t N = w_is_nk ? w.shape[0] : w.shape[1];
    const Shape& xs = x.lay.shape;
    if (xs.empty() || xs.back() != K) {
        fail(n, "input '" + n.in[0] + "' of shape " + shape_text(xs) +
                    " does not have K = " + std::to_string(K) + " columns");
    }
    const int64_t M_rows = product(xs) / K;
    // Row m, column k of the ONNX operand is IR element m*K + g(k): find g (columns of the
    // weights follow it), or refuse a layout that mixes rows.
    std::vector<int64_t> g(static_cast<size_t>(K));
    if (x.lay.is_contiguous()) {
        std::iota(g.begin(), g.end(), 0);
    } else {
        const std::vector<int64_t> offs = x.lay.offsets();
        for (int64_t m = 0; m < M_rows; ++m) {
            for (int64_t k = 0; k < K; ++k) {
                const int64_t off = offs[static_cast<size_t>(m * K + k)];
                if (off / K != m || (m > 0 && off % K != g[static_cast<size_t>(k)])) {
                    fail(n, "input '" + n.in[0] +
                                "' is laid out so that its rows are not the NPU's rows");
                }
                if (m == 0) g[static_cast<size_t>(k)] = off % K;
            }
        }
    }
    // IR weights [N][K] in IR column order: column g(k) holds ONNX column k.
    const auto at = [&](int64_t nn, int64_t k) {
        return static_cast<size_t>(w_is_nk ? nn * K + k : k * N + nn);
    };
    std::vector<int64_t> g_inv(static_cast<size_t>(K));
    for (int64_t k = 0; k < K; ++k) g_inv[static_cast<size_t>(g[static_cast<size_t>(k)])] = k;
    YAML::Node& l = new_layer(out_name, "gemm", {x.ir});
    l["n"] = N;
    l["m"] = M_rows;
    // IR weights [N][K] in IR column order: column g(k) holds ONNX column k.
    set_weights(
        l, out_name, w, {N, K},
        [&](auto&& emit) {
            bool same = w_is_nk;  // [N][K] with the IR's columns in ONNX's order
            for (int64_t k = 0; k < K && same; ++k) same = g_inv[static_cast<size_t>(k)] == k;
            if (same) return emit(0, N * K);
            for (int64_t nn = 0; nn < N; ++nn)
                for (int64_t k = 0; k < K; ++k)
                    emit(static_cast<int64_t>(at(nn, g_inv[static_cast<size_t>(k)])), 1);
        },
        bq, bf, act, o);
    add_ir(out_name, {M_rows, N}, o != nullptr, o ? o->scale : 1.0, o ? o->zp : 0);
}

// Strides of a [H, R, C] operand (H heads) over its IR tensor; false if not strided that way.
bool operand_strides(const Layout& lay, int64_t H, int64_t R, int64_t C, int64_t& sh, int64_t& sr,
                     int64_t& sc) {
    const std::vector<int64_t> offs = lay.offsets();
    if (static_cast<int64_t>(offs.size()) != H * R * C) return false;
    const int64_t o0 = offs[0];
    sh = H > 1 ? offs[static_cast<size_t>(R * C)] - o0 : 0;
    sr = R > 1 ? offs[static_cast<size_t>(C)] - o0 : 0;
    sc = C > 1 ? offs[1] - o0 : 0;
    if (o0 != 0) return false;
    for (int64_t h = 0; h < H; ++h)
        for (int64_t r = 0; r < R; ++r)
            for (int64_t c = 0; c < C; ++c) {
                if (offs[static_cast<size_t>((h * R + r) * C + c)] != h * sh + r * sr + c * sc) {
                    return false;
                }
            }
    return true;
}

void Importer::emit_matmul(const Node& n, const Bound& a, const Bound& b, const QOut* o,
                           const std::string& out_name) {
    Shape as = a.lay.shape, bs = b.lay.shape;
    // Batch 1 in front; then [H, M, K] x [H, K, N] or 2-D.
    while (as.size() > 3 && as.front() == 1) as.erase(as.begin());
    while (bs.size() > 3 && bs.front() == 1) bs.erase(bs.begin());
    if (as.size() == 3 && as[0] == 1 && bs.size() == 3 && bs[0] == 1) {
        as.erase(as.begin());
        bs.erase(bs.begin());
    }
    if (as.size() == 3 && bs.size() == 2) bs.insert(bs.begin(), 1);
    if (as.size() != bs.size() || as.size() < 2 || as.size() > 3 ||
        (as.size() == 3 && as[0] != bs[0] && bs[0] != 1)) {
        fail(n, "operands of shapes " + shape_text(a.lay.shape) + " and " +
                    shape_text(b.lay.shape) + " are not a (batched) matrix product of 1 batch");
    }
    const int64_t H = as.size() == 3 ? as[0] : 1;
    const int64_t M_ = as[as.size() - 2], K = as.back(), N = bs.back();
    if (bs[bs.size() - 2] != K) fail(n, "inner dimensions differ");
    if (bs.size() == 3 && bs[0] == 1 && H > 1)
        fail(n, "broadcasting b over heads is not supported");
    int64_t sh, sm, sk, tbh, tbk, tbn;
    if (!operand_strides(a.lay, H, M_, K, sh, sm, sk) ||
        !operand_strides(b.lay, H, K, N, tbh, tbk, tbn)) {
        fail(n, "an operand is laid out in an order the NPU's matmul cannot read");
    }
    // a: batched [H, M, K] or interleaved [M, H*K]
    const bool a_batched = sk == 1 && sm == K && (H == 1 || sh == M_ * K);
    const bool a_inter = sk == 1 && sm == H * K && sh == K;
    if (!a_batched && !a_inter) fail(n, "operand a's layout is neither batched nor interleaved");
    bool transpose_b = false, b_inter = false;
    if (tbn == 1 && tbk == N && (H == 1 || tbh == K * N)) {
    } else if (tbn == 1 && tbk == H * N && tbh == N) {
        b_inter = true;
    } else if (tbk == 1 && tbn == K && (H == 1 || tbh == N * K)) {
        transpose_b = true;
    } else if (tbk == 1 && tbn == H * K && tbh == K) {
        transpose_b = b_inter = true;
    } else {
        fail(n, "operand b's layout is neither batched nor interleaved (transposed or not)");
    }
    const std::string ai =
        reshape_ir(a.ir, a_batched ? (H > 1 ? Shape{H, M_, K} : Shape{M_, K}) : Shape{M_, H * K});
    // Heads merged right after (Transpose of the head and row axes, as attention does before
    // its output projection): write the output interleaved [M, H*N], so the merge is a view.
    bool out_inter = false;
    if (H > 1) {
        std::string t = n.out.at(0);
        for (int hop = 0; hop < 4 && !out_inter; ++hop) {
            const auto& cs = M.consumers(t);
            if (cs.size() != 1) break;
            const Node& c = *cs[0];
            if (c.op == "Transpose") {
                const std::vector<int64_t> p = M.attr_ints(c, "perm");
                out_inter =
                    p == std::vector<int64_t>{1, 0, 2} || p == std::vector<int64_t>{0, 2, 1, 3};
                break;
            }
            if (c.op != "QuantizeLinear" && c.op != "DequantizeLinear" && c.op != "Cast") break;
            t = c.out.at(0);
        }
    }
    const Shape b_ir = transpose_b
                           ? (b_inter ? Shape{N, H * K} : (H > 1 ? Shape{H, N, K} : Shape{N, K}))
                           : (b_inter ? Shape{K, H * N} : (H > 1 ? Shape{H, K, N} : Shape{K, N}));
    const std::string bi = reshape_ir(b.ir, b_ir);
    YAML::Node& l = new_layer(out_name, "matmul", {ai, bi});
    if (H > 1) l["heads"] = H;
    if (a_inter) l["a_layout"] = "interleaved";
    if (b_inter) l["b_layout"] = "interleaved";
    if (transpose_b) l["transpose_b"] = true;
    if (out_inter) l["out_layout"] = "interleaved";
    if (o) set_output(l, *o);
    const Shape out_ir = out_inter ? Shape{M_, H * N} : H > 1 ? Shape{H, M_, N} : Shape{M_, N};
    add_ir(out_name, out_ir, o != nullptr, o ? o->scale : 1.0, o ? o->zp : 0);
}

// The layout of a matmul's ONNX output over the IR tensor emit_matmul made.
Layout matmul_out_layout(const Shape& onnx_out, const Shape& ir_out) {
    if (ir_out.size() == 2 && onnx_out.size() >= 3 && onnx_out[onnx_out.size() - 3] > 1) {
        // interleaved [M, H*N] holding [.., H, M, N]
        const int64_t H = onnx_out[onnx_out.size() - 3], Mr = onnx_out[onnx_out.size() - 2],
                      N = onnx_out.back();
        Layout l = *Layout::identity({Mr, H, N}).reshaped({Mr, H, N});
        Layout t = l.transposed({1, 0, 2});
        return *t.reshaped(onnx_out);
    }
    return Layout::identity(onnx_out);
}

void Importer::emit_binary(const Node& n, const char* op, const Bound& x, const Bound& y,
                           const QOut* o, const Act& act, const std::string& out_name) {
    if (x.lay.shape != y.lay.shape) {
        fail(n, std::string(op) + " of shapes " + shape_text(x.lay.shape) + " and " +
                    shape_text(y.lay.shape) + ": broadcasting is not supported");
    }
    if (!x.lay.same_order(y.lay)) {
        fail(n, "operands are laid out in different orders in the NPU");
    }
    const std::string xi = x.ir;
    const std::string yi = reshape_ir(y.ir, m_ir.at(x.ir).shape);
    YAML::Node& l = new_layer(out_name, op, {xi, yi});
    set_activation(l, act.kind, act.lo, act.hi);
    if (o) set_output(l, *o);
    add_ir(out_name, m_ir.at(xi).shape, o != nullptr, o ? o->scale : 1.0, o ? o->zp : 0);
}

void Importer::emit_pool(const Node& n, const Bound& x, const QOut* o,
                         const std::string& out_name) {
    const Image im = image(n, x);
    const bool global = n.op == "GlobalAveragePool" || n.op == "QLinearGlobalAveragePool" ||
                        n.op == "GlobalMaxPool";
    if (global) {
        if (n.op == "GlobalMaxPool") unsupported(n, "GlobalMaxPool is not supported");
        YAML::Node& l = new_layer(out_name, "global_avgpool", {im.ir});
        if (o) set_output(l, *o);
        add_ir(out_name, {1, 1, im.c}, o != nullptr, o ? o->scale : 1.0, o ? o->zp : 0);
        return;
    }
    const bool is_max = n.op == "MaxPool";
    const std::vector<int64_t> ks = M.attr_ints(n, "kernel_shape");
    if (ks.size() != 2) fail(n, "kernel_shape: expected 2 values (2-D pooling)");
    const auto [sh, sw] = pair_attr(M, n, "strides", 1);
    const auto [dh, dw] = pair_attr(M, n, "dilations", 1);
    if (dh != 1 || dw != 1) unsupported(n, "pooling with dilations is not supported");
    if (M.attr_int(n, "storage_order", 0) != 0) unsupported(n, "storage_order 1 is not supported");
    if (n.out.size() > 1 && !n.out[1].empty())
        unsupported(n, "MaxPool's Indices output is not supported");
    if (!is_max && M.attr_int(n, "count_include_pad", 0) != 0) {
        unsupported(n,
                    "count_include_pad 1 is not supported (the NPU averages the taps inside the "
                    "input)");
    }
    std::vector<int64_t> pads = pads_of(M, n, im.h, im.w, ks[0], ks[1], sh, sw, 1, 1);
    if (M.attr_int(n, "ceil_mode", 0) != 0) {
        // ceil: extra rows/columns of padding at the end, which the NPU never reads as taps.
        const auto extra = [](int64_t in, int64_t k, int64_t s, int64_t a, int64_t b) {
            const int64_t span = in + a + b - k;
            const int64_t out_ceil = (span + s - 1) / s + 1;
            // ONNX: the last window must start inside the input or the left padding.
            const int64_t out = (out_ceil - 1) * s >= in + a ? out_ceil - 1 : out_ceil;
            return std::max<int64_t>((out - 1) * s + k - (in + a + b), 0);
        };
        pads[1] += extra(im.h, ks[0], sh, pads[0], pads[1]);
        pads[3] += extra(im.w, ks[1], sw, pads[2], pads[3]);
    }
    const int64_t oh = (im.h + pads[0] + pads[1] - ks[0]) / sh + 1;
    const int64_t ow = (im.w + pads[2] + pads[3] - ks[1]) / sw + 1;
    YAML::Node& l = new_layer(out_name, is_max ? "maxpool" : "avgpool", {im.ir});
    l["kernel"] = flow_ints(ks);
    l["stride"] = flow_ints({sh, sw});
    l["padding"] = flow_ints(pads);
    if (o) set_output(l, *o);
    add_ir(out_name, {oh, ow, im.c}, o != nullptr, o ? o->scale : 1.0, o ? o->zp : 0);
}

void Importer::emit_rows(const Node& n, const char* op, const Bound& x, int64_t axis, const QOut* o,
                         const std::string& out_name, const std::vector<float>* gamma,
                         const std::vector<float>* beta) {
    int64_t L = 0;
    const std::string xi = rows(n, x, axis, L);
    YAML::Node& l = new_layer(out_name, op, {xi});
    if (gamma) {
        l["gamma"]["file"] = file_for(out_name, "gamma", npy::from_float32(*gamma, {L}));
        l["gamma"].SetStyle(YAML::EmitterStyle::Flow);
    }
    if (beta) {
        l["beta"]["file"] = file_for(out_name, "beta", npy::from_float32(*beta, {L}));
        l["beta"].SetStyle(YAML::EmitterStyle::Flow);
    }
    if (o) set_output(l, *o);
    add_ir(out_name, m_ir.at(xi).shape, o != nullptr, o ? o->scale : 1.0, o ? o->zp : 0);
}

// Softmax (any opset's axis semantics) or LayerNormalization (last axis, epsilon 1e-5, its
// gamma and beta) of `x`.
void Importer::emit_row_op(const Node& n, const Bound& x, const QOut* o, const std::string& name) {
    const int64_t r = static_cast<int64_t>(x.lay.shape.size());
    if (n.op == "Softmax") {
        int64_t axis = M.attr_int(n, "axis", M.opset() < 13 ? 1 : -1);
        if (axis < 0) axis += r;
        Bound v = x;
        if (M.opset() < 13 && axis != r - 1) {  // opset < 13 flattens from the axis on
            const Shape& s = v.lay.shape;
            const auto lay = v.lay.reshaped({product(Shape(s.begin(), s.begin() + axis)),
                                             product(Shape(s.begin() + axis, s.end()))});
            if (!lay) fail(n, "cannot flatten the input for softmax");
            v.lay = *lay;
            axis = 1;
        }
        emit_rows(n, "softmax", v, axis, o, name);
        return;
    }
    const int64_t axis = M.attr_int(n, "axis", -1);
    if (axis != -1 && axis != r - 1) unsupported(n, "normalizing over more than the last axis");
    if (std::fabs(M.attr_float(n, "epsilon", 1e-5f) - 1e-5f) > 1e-12f) {
        unsupported(n, "epsilon other than 1e-5 (the vector unit's) is not supported");
    }
    for (size_t k = 1; k < n.out.size(); ++k) {
        if (!n.out[k].empty() && !M.consumers(n.out[k]).empty()) {
            fail(n, "mean/inv-std outputs are not supported");
        }
    }
    const int64_t L = x.lay.shape.back();
    const std::vector<float> gamma = bias_float(n, 1, L);
    const std::vector<float> beta = bias_float(n, 2, L);
    emit_rows(n, "layernorm", x, axis, o, name, &gamma, &beta);
}

void Importer::emit_lookup(const Node& n, const QIn& x, const QOut& o,
                           const std::function<float(float)>& f, bool) {
    // ORT's QlinearBuildLookupTable (npu::build_table); uint8 and int8 give the same table in
    // the int8 domain (zero points moved by 128).
    YAML::Node table(YAML::NodeType::Sequence);
    for (int8_t v : build_table(f, x.scale, x.zp, o.scale, o.zp)) table.push_back(int{v});
    table.SetStyle(YAML::EmitterStyle::Flow);
    YAML::Node& l = new_layer(o.name, "lookup", {x.b->ir});
    l["table"] = table;
    set_output(l, o);
    add_ir(o.name, m_ir.at(x.b->ir).shape, true, o.scale, o.zp);
    bind(o.name, o.name, Layout{x.b->lay.dims, x.b->lay.perm, x.b->lay.shape}, o.type);
    (void)n;
}

Layout Importer::emit_concat(const Node& n, const std::vector<QIn>& xs, const QOut* o, int64_t axis,
                             const std::string& out_name) {
    const Shape& s0 = xs[0].b->lay.shape;
    const int64_t r = static_cast<int64_t>(s0.size());
    if (axis < 0) axis += r;
    if (axis < 0 || axis >= r) fail(n, "axis out of range");
    // The concat axis must be the IR tensors' last dimension: channels of NCHW images, or the
    // last axis of plain tensors.
    std::vector<std::string> ins;
    Shape out_onnx = s0;
    out_onnx[static_cast<size_t>(axis)] = 0;
    Shape ir_out;
    for (const QIn& x : xs) {
        const Shape& s = x.b->lay.shape;
        if (s.size() != s0.size()) fail(n, "inputs of different ranks");
        for (int64_t k = 0; k < r; ++k) {
            if (k != axis && s[static_cast<size_t>(k)] != s0[static_cast<size_t>(k)]) {
                fail(n, "inputs differ in more than the concat axis");
            }
        }
        out_onnx[static_cast<size_t>(axis)] += s[static_cast<size_t>(axis)];
        std::string ir;
        if (r == 4 && axis == 1 && s[0] == 1) {
            const Image im = image(n, *x.b);
            ir = im.ir;
        } else if (axis == r - 1 && x.b->lay.is_contiguous()) {
            Shape irs = squeeze_leading(s);
            ir = reshape_ir(x.b->ir, irs);
        } else {
            fail(n, "concatenates along axis " + std::to_string(axis) +
                        ", which is not the innermost dimension the NPU holds");
        }
        // Inputs quantized differently are requantized to the output's quantization first, by
        // a table as ORT's QLinearConcat does.
        if (o && (static_cast<float>(x.scale) != static_cast<float>(o->scale) || x.zp != o->zp)) {
            QOut req = *o;
            req.name = unique(x.onnx + "#requant");
            QIn xr = x;
            Bound tmp = *x.b;
            tmp.ir = ir;
            xr.b = &tmp;
            emit_lookup(n, xr, req, [](float v) { return v; });
            ir = req.name;
        }
        ins.push_back(ir);
    }
    YAML::Node& l = new_layer(out_name, "concat", ins);
    (void)l;
    Shape irs = m_ir.at(ins[0]).shape;
    irs.back() = 0;
    for (const std::string& i : ins) irs.back() += m_ir.at(i).shape.back();
    add_ir(out_name, irs, o != nullptr, o ? o->scale : 1.0, o ? o->zp : 0);
    if (r == 4 && axis == 1) return Layout::nchw(out_onnx[1], out_onnx[2], out_onnx[3], out_onnx);
    return Layout::identity(out_onnx);
}

// Layout-only operators: the output is a view of the input's IR tensor. True if handled.
bool Importer::view_op(const Node& n) {
    static const std::set<std::string> kViews = {"Reshape", "Flatten",   "Transpose",
                                                 "Squeeze", "Unsqueeze", "Identity",
                                                 "Dropout", "Cast",      "Pad"};
    if (!n.domain.empty() || kViews.count(n.op) == 0) return false;
    const Bound b = bound(n, 0);
    const Shape& s = b.lay.shape;
    const int64_t r = static_cast<int64_t>(s.size());
    Layout out = b.lay;
    if (n.op == "Pad") {
        // Only the zero padding torch writes before AveragePool (a copy).
        bool zero = true;
        if (n.has_input(1)) {
            for (int64_t v : const_in(n, 1, "pads").ints()) zero = zero && v == 0;
        } else {
            for (int64_t v : M.attr_ints(n, "pads")) zero = zero && v == 0;
        }
        if (!zero) unsupported(n, "Pad other than zero padding is not supported (pad in the Conv)");
    } else if (n.op == "Identity" || n.op == "Dropout") {
        if (n.out.size() > 1 && !n.out[1].empty() && !M.consumers(n.out[1]).empty()) {
            unsupported(n, "Dropout's mask output is not supported");
        }
    } else if (n.op == "Cast") {
        const int to = static_cast<int>(M.attr_int(n, "to", 0));
        if (to != b.type) {
            fail(n, "casts a " + onnx_detail::elem_type_name(b.type) + " tensor to " +
                        onnx_detail::elem_type_name(to) +
                        ": only casts to the same type (no-ops) "
                        "are supported");
        }
    } else if (n.op == "Transpose") {
        std::vector<int64_t> p = M.attr_ints(n, "perm");
        if (p.empty()) {
            for (int64_t k = r; k-- > 0;) p.push_back(k);
        }
        std::vector<int64_t> sorted = p;
        std::sort(sorted.begin(), sorted.end());
        for (int64_t k = 0; k < r; ++k) {
            if (static_cast<int64_t>(sorted.size()) != r || sorted[static_cast<size_t>(k)] != k) {
                fail(n, "perm: expected a permutation of " + std::to_string(r) + " axes");
            }
        }
        out = b.lay.transposed(p);
    } else {
        Shape to;
        if (n.op == "Reshape") {
            std::vector<int64_t> spec =
                M.opset() < 5 ? M.attr_ints(n, "shape") : const_in(n, 1, "shape").ints();
            if (M.attr_int(n, "allowzero", 0) != 0) unsupported(n, "allowzero 1 is not supported");
            int64_t known = 1;
            int wild = -1;
            for (size_t k = 0; k < spec.size(); ++k) {
                if (spec[k] == 0) {
                    if (k >= s.size()) fail(n, "shape copies a dimension the input does not have");
                    spec[k] = s[k];
                }
                if (spec[k] == -1) {
                    if (wild >= 0) fail(n, "shape has more than one -1");
                    wild = static_cast<int>(k);
                } else if (spec[k] < 1) {
                    fail(n, "shape: expected dimensions >= 1, 0 or one -1");
                } else {
                    known *= spec[k];
                }
            }
            if (wild >= 0) spec[static_cast<size_t>(wild)] = known ? b.lay.elems() / known : 0;
            to = spec;
        } else if (n.op == "Flatten") {
            int64_t axis = M.attr_int(n, "axis", 1);
            if (axis < 0) axis += r;
            if (axis < 0 || axis > r) fail(n, "axis out of range");
            to = {product(Shape(s.begin(), s.begin() + axis)),
                  product(Shape(s.begin() + axis, s.end()))};
        } else {
            std::vector<int64_t> axes =
                n.has_input(1) ? const_in(n, 1, "axes").ints() : M.attr_ints(n, "axes");
            const int64_t rank = r + (n.op == "Unsqueeze" ? static_cast<int64_t>(axes.size()) : 0);
            for (int64_t& a : axes) {
                if (a < 0) a += rank;
                if (a < 0 || a >= rank) fail(n, "axes out of range");
            }
            std::sort(axes.begin(), axes.end());
            to = s;
            if (n.op == "Unsqueeze") {
                for (int64_t a : axes) to.insert(to.begin() + a, 1);
            } else {
                to.clear();
                for (int64_t k = 0; k < r; ++k) {
                    const bool drop = axes.empty()
                                          ? s[static_cast<size_t>(k)] == 1
                                          : std::binary_search(axes.begin(), axes.end(), k);
                    if (drop && s[static_cast<size_t>(k)] != 1)
                        fail(n, "squeezes an axis not of size 1");
                    if (!drop) to.push_back(s[static_cast<size_t>(k)]);
                }
            }
        }
        if (product(to) != b.lay.elems()) {
            fail(n, "reshapes " + shape_text(s) + " to " + shape_text(to) +
                        " (a different number of elements)");
        }
        const std::optional<Layout> v = b.lay.reshaped(to);
        if (!v) {
            fail(n, "reshapes " + shape_text(s) + " to " + shape_text(to) +
                        " in a way that is not a view of the NPU's tensor (it would need a copy)");
        }
        out = *v;
    }
    if (n.out.empty() || n.out[0].empty()) fail(n, "has no output");
    bind(n.out[0], b.ir, out, b.type);
    return true;
}

// ---------------------------------------------------------------- graph inputs, Q and DQ

void Importer::declare_input(const std::string& onnx_in, const std::string& q_out, double scale,
                             int zp_onnx, int type) {
    const onnx_detail::TensorInfo* ti = M.info(onnx_in);
    if (ti == nullptr || !ti->shape) {
        M.fail("graph input '" + onnx_in + "': expected a tensor with a known shape");
    }
    Shape s = *ti->shape;
    if (!s.empty() && s[0] == -1) s[0] = 1;  // a dynamic batch imports as one image (--batch N)
    if (s.size() == 4 && s[0] > 1) {
        M.fail("graph input '" + onnx_in + "': a fixed batch of " + std::to_string(s[0]) +
               " (shape " + shape_text(*ti->shape) +
               "); export the model with a batch of 1 or a dynamic one and run it with --batch " +
               std::to_string(s[0]));
    }
    for (int64_t d : s) {
        if (d < 1) {
            M.fail("graph input '" + onnx_in + "': expected known dimensions >= 1, found shape " +
                   shape_text(*ti->shape) + " (npusim simulates one static shape)");
        }
        if (d > 65536) {
            M.fail("graph input '" + onnx_in + "': dimension " + std::to_string(d) +
                   " exceeds 65536");
        }
    }
    const bool image = s.size() == 4 && s[0] == 1;
    const Shape ir_shape = image ? Shape{s[2], s[3], s[1]} : squeeze_leading(s);
    if (ir_shape.size() > 4) M.fail("graph input '" + onnx_in + "': more than 4 dimensions");
    const Layout lay = image ? Layout::nchw(s[1], s[2], s[3], s) : Layout::identity(s);
    const std::string ir = unique(q_out.empty() ? onnx_in : q_out);
    const bool quantized = type != onnx_detail::kFloat;
    YAML::Node in(YAML::NodeType::Map);
    in["name"] = ir;
    in["shape"] = flow_ints(ir_shape);
    if (quantized && scale > 0) {
        in["scale"] = scale;
        in["zero_point"] = ir_zp(zp_onnx, type);
    }
    m_inputs.push_back(in);
    m_input_of[ir] = in;
    add_ir(ir, ir_shape, quantized && scale > 0, scale, quantized ? ir_zp(zp_onnx, type) : 0);
    if (!q_out.empty()) {
        bind(q_out, ir, lay, type);
        bind(onnx_in, ir, lay, onnx_detail::kFloat);
    } else {
        bind(onnx_in, ir, lay, quantized ? type : onnx_detail::kFloat);
    }
}

void Importer::on_quantize(const Node& n) {
    const std::string& x = n.in.at(0);
    const double scale = scalar_f(n, 1, "scale");
    int type = 0;
    const int zp = zero_point(n, 2, type);
    if (n.out.empty() || n.out[0].empty()) fail(n, "has no output");
    const bool graph_input = std::find(M.inputs().begin(), M.inputs().end(), x) != M.inputs().end();
    if (graph_input && !m_bound.count(x)) {
        const onnx_detail::TensorInfo* ti = M.info(x);
        if (ti && ti->elem_type != onnx_detail::kFloat) {
            fail(n, "quantizes graph input '" + x + "' of type " +
                        onnx_detail::elem_type_name(ti->elem_type) + "; expected float32");
        }
        declare_input(x, n.out[0], scale, zp, type);
        return;
    }
    const auto it = m_bound.find(x);
    if (it == m_bound.end() || it->second.type != onnx_detail::kFloat) {
        const Node* p = M.producer(x);
        fail(n, "quantizes '" + x + "', " +
                    (p ? "computed by " + p->label() +
                             ", which is not part of a supported QDQ group (it would run in "
                             "float)"
                       : std::string("which is not an imported tensor")));
    }
    // DequantizeLinear -> (views) -> QuantizeLinear: the same tensor, or a requantization.
    const Bound b = it->second;
    const IrTensor& t = m_ir.at(b.ir);
    QOut o;
    o.name = n.out[0];
    o.scale = scale;
    o.type = type;
    o.zp = ir_zp(zp, type);
    if (static_cast<float>(t.scale) == static_cast<float>(scale) && t.zp == o.zp) {
        bind(o.name, b.ir, b.lay, type);
        return;
    }
    QIn q;
    q.onnx = x;
    q.b = &it->second;
    q.scale = t.scale;
    q.zp = t.zp;
    Bound src = b;
    src.type = type;  // the table reads the source's codes in its own type
    for (const auto& [name, bb] : m_bound) {
        if (bb.ir == b.ir && bb.type != onnx_detail::kFloat) src.type = bb.type;
    }
    q.b = &src;
    o.name = unique(n.out[0]);
    emit_lookup(n, q, o, [](float v) { return v; });
    if (o.name != n.out[0]) bind(n.out[0], o.name, b.lay, type);
}

void Importer::on_dequantize(const Node& n) {
    const std::string& x = n.in.at(0);
    if (n.out.empty() || n.out[0].empty()) fail(n, "has no output");
    if (M.is_const(x)) {
        m_weight_dq[n.out[0]] = &n;
        return;
    }
    const double scale = scalar_f(n, 1, "scale");
    int type = 0;
    const int zp = zero_point(n, 2, type);
    auto it = m_bound.find(x);
    if (it == m_bound.end()) {
        const bool graph_input =
            std::find(M.inputs().begin(), M.inputs().end(), x) != M.inputs().end();
        if (!graph_input) fail(n, "dequantizes '" + x + "', which is not an imported tensor");
        const onnx_detail::TensorInfo* ti = M.info(x);
        const int in_type = ti ? ti->elem_type : type;
        declare_input(x, "", scale, zp, in_type);
        it = m_bound.find(x);
    }
    const Bound b = it->second;
    if (b.type == onnx_detail::kFloat) fail(n, "dequantizes a float tensor");
    if (n.has_input(2) && type != b.type) {
        fail(n, "zero point type " + onnx_detail::elem_type_name(type) + " differs from '" + x +
                    "' (" + onnx_detail::elem_type_name(b.type) + ")");
    }
    QIn q;
    q.onnx = x;
    q.b = &it->second;
    q.scale = scale;
    q.zp = ir_zp(zp, b.type);
    IrTensor& t = m_ir.at(b.ir);
    if (!t.has_q) {
        t.has_q = true;
        t.scale = q.scale;
        t.zp = q.zp;
        if (m_input_of.count(b.ir)) {
            m_input_of.at(b.ir)["scale"] = q.scale;
            m_input_of.at(b.ir)["zero_point"] = q.zp;
        }
    }
    check_q(n, q);
    bind(n.out[0], b.ir, b.lay, onnx_detail::kFloat);
}

Act act_of(const QOut& o) { return {o.activation, o.clamp_lo, o.clamp_hi}; }

// The ONNX output shape of a gemm whose input has `in` and N outputs.
Shape gemm_out_shape(const Shape& in, int64_t n) {
    Shape s = in;
    s.back() = n;
    return s;
}

void Importer::on_qdq_compute(const Node& n) {
    const std::string& op = n.op;
    if (op == "Conv") {
        const QIn x = qin(n, 0);
        const Weights w = weights_dq(n, 1, 0);
        const std::vector<int32_t> b = bias_int(n, 2, w.shape.at(0));
        const QOut o = qout_qdq(n);
        const std::string name = unique(o.name);
        emit_conv(n, *x.b, w, &b, nullptr, &o, act_of(o), name);
        const Shape& irs = m_ir.at(name).shape;
        bind(o.name, name, Layout::nchw(irs[2], irs[0], irs[1], {1, irs[2], irs[0], irs[1]}),
             o.type);
    } else if (op == "Gemm" || (op == "MatMul" && m_weight_dq.count(n.in.at(1)))) {
        const QIn x = qin(n, 0);
        bool trans_b = false;
        if (op == "Gemm") {
            if (M.attr_int(n, "transA", 0) != 0) unsupported(n, "transA 1 is not supported");
            if (M.attr_float(n, "alpha", 1.0f) != 1.0f)
                unsupported(n, "alpha != 1 is not supported");
            if (n.has_input(2) && M.attr_float(n, "beta", 1.0f) != 1.0f) {
                unsupported(n, "beta != 1 is not supported");
            }
            trans_b = M.attr_int(n, "transB", 0) != 0;
        }
        const Weights w = weights_dq(n, 1, trans_b ? 0 : 1);
        const int64_t N = trans_b ? w.shape.at(0) : w.shape.at(1);
        const std::vector<int32_t> b = op == "Gemm" ? bias_int(n, 2, N) : std::vector<int32_t>{};
        const QOut o = qout_qdq(n);
        const std::string name = unique(o.name);
        emit_gemm(n, *x.b, w, trans_b, &b, nullptr, &o, act_of(o), name);
        bind(o.name, name, Layout::identity(gemm_out_shape(x.b->lay.shape, N)), o.type);
    } else if (op == "MatMul") {
        const QIn a = qin(n, 0), b = qin(n, 1);
        const QOut o = qout_qdq(n);
        const std::string name = unique(o.name);
        emit_matmul(n, *a.b, *b.b, &o, name);
        Shape os = a.b->lay.shape;
        os.back() = b.b->lay.shape.back();
        bind(o.name, name, matmul_out_layout(os, m_ir.at(name).shape), o.type);
    } else if (op == "Add" || op == "Mul") {
        const QIn x = qin(n, 0), y = qin(n, 1);
        const QOut o = qout_qdq(n);
        const std::string name = unique(o.name);
        emit_binary(n, op == "Add" ? "add" : "mul", *x.b, *y.b, &o, act_of(o), name);
        bind(o.name, name, Layout{x.b->lay.dims, x.b->lay.perm, x.b->lay.shape}, o.type);
    } else if (op == "AveragePool" || op == "GlobalAveragePool" || op == "MaxPool") {
        const QIn x = qin(n, 0);
        const QOut o = qout_qdq(n);
        if (!o.activation.empty()) unsupported(n, "an activation after pooling is not supported");
        const std::string name = unique(o.name);
        emit_pool(n, *x.b, &o, name);
        const Shape& irs = m_ir.at(name).shape;
        bind(o.name, name, Layout::nchw(irs[2], irs[0], irs[1], {1, irs[2], irs[0], irs[1]}),
             o.type);
    } else if (op == "Softmax" || op == "LayerNormalization") {
        const QIn x = qin(n, 0);
        const QOut o = qout_qdq(n);
        if (!o.activation.empty())
            unsupported(n, "an activation after " + op + " is not supported");
        const std::string name = unique(o.name);
        emit_row_op(n, *x.b, &o, name);
        bind(o.name, name, Layout{x.b->lay.dims, x.b->lay.perm, x.b->lay.shape}, o.type);
    } else if (op == "Sigmoid" || op == "LeakyRelu") {
        const QIn x = qin(n, 0);
        const QOut o = qout_qdq(n);
        if (!o.activation.empty())
            unsupported(n, "an activation after " + op + " is not supported");
        // The table reads the input's codes as ORT's kernel does (uint8 or int8).
        QIn xi = x;
        Bound src = *x.b;
        src.type = o.type;
        xi.b = &src;
        QOut oo = o;
        oo.name = unique(o.name);
        emit_activation_lookup(n, op == "Sigmoid", xi, oo);
        if (oo.name != o.name) bind(o.name, oo.name, src.lay, o.type);
    } else if (op == "Div" && M.is_const(n.in.at(1))) {
        // DQ -> the Erf GELU -> Q: the gelu table (f in double, docs/operators.md); ORT runs the
        // pattern in float.
        const QIn x = qin(n, 0);
        std::string end;
        if (!match_gelu(n, end))
            unsupported(n, "Div is supported only as part of the Erf GELU pattern");
        Node last = n;
        last.out = {end};
        const QOut o = qout_qdq(last);
        if (!o.activation.empty()) unsupported(n, "an activation after GELU is not supported");
        const std::string name = unique(o.name);
        YAML::Node& l = new_layer(name, "gelu", {x.b->ir});
        set_output(l, o);
        add_ir(name, m_ir.at(x.b->ir).shape, true, o.scale, o.zp);
        bind(o.name, name, Layout{x.b->lay.dims, x.b->lay.perm, x.b->lay.shape}, o.type);
    } else if (op == "Relu" || op == "Clip") {
        // DQ -> Relu/Clip -> Q on its own: exactly a table (ORT removes a Relu the Q makes
        // redundant and requantizes DQ -> Q in float; a table computes the same).
        const QIn x = qin(n, 0);
        double lo = 0.0, hi = std::numeric_limits<double>::infinity();
        if (op == "Clip") std::tie(lo, hi) = clip_bounds(n);
        const auto& cs = M.consumers(n.out.at(0));
        if (cs.size() != 1 || cs[0]->op != "QuantizeLinear" || M.is_output(n.out[0])) {
            fail(n, "expected its result to be quantized by one QuantizeLinear");
        }
        const Node& q = *cs[0];
        m_done.insert(q.index);
        QOut o;
        o.name = q.out.at(0);
        o.scale = scalar_f(q, 1, "output scale");
        o.zp = ir_zp(zero_point(q, 2, o.type), o.type);
        QIn xi = x;
        Bound src = *x.b;
        src.type = o.type;
        for (const auto& [name, bb] : m_bound) {
            if (bb.ir == x.b->ir && bb.type != onnx_detail::kFloat) src.type = bb.type;
        }
        xi.b = &src;
        QOut oo = o;
        oo.name = unique(o.name);
        const float flo = static_cast<float>(lo), fhi = static_cast<float>(hi);
        emit_lookup(n, xi, oo, [flo, fhi](float v) { return std::min(std::max(v, flo), fhi); });
        if (oo.name != o.name) bind(o.name, oo.name, src.lay, o.type);
    } else if (op == "Concat") {
        std::vector<QIn> xs;
        for (size_t i = 0; i < n.in.size(); ++i) xs.push_back(qin(n, i));
        const QOut o = qout_qdq(n);
        const std::string name = unique(o.name);
        bind(o.name, name, emit_concat(n, xs, &o, M.attr_int(n, "axis", 0), name), o.type);
    } else {
        unsupported(n,
                    "operator " + op + " is not supported between QuantizeLinear/DequantizeLinear");
    }
}

void Importer::on_qlinear(const Node& n) {
    const std::string& op = n.op;
    const auto image_out = [&](const std::string& name, const QOut& o) {
        const Shape& irs = m_ir.at(name).shape;
        bind(o.name, name, Layout::nchw(irs[2], irs[0], irs[1], {1, irs[2], irs[0], irs[1]}),
             o.type);
    };
    if (op == "QLinearConv") {
        const QIn x = qin_linear(n, 0, 1, 2);
        const Weights w = weights_linear(n, 3, 4, 5, 0);
        const QOut o = qout_linear(n, 6, 7);
        const std::vector<int32_t> b = bias_int(n, 8, w.shape.at(0));
        const std::string name = unique(o.name);
        emit_conv(n, *x.b, w, &b, nullptr, &o, {}, name);
        image_out(name, o);
    } else if (op == "QLinearMatMul" || op == "QGemm") {
        const QIn a = qin_linear(n, 0, 1, 2);
        bool trans_b = false;
        if (op == "QGemm") {
            if (M.attr_int(n, "transA", 0) != 0) unsupported(n, "transA 1 is not supported");
            if (M.attr_float(n, "alpha", 1.0f) != 1.0f)
                unsupported(n, "alpha != 1 is not supported");
            trans_b = M.attr_int(n, "transB", 0) != 0;
            if (!n.has_input(7))
                unsupported(n, "QGemm without y_scale (a float output) is not supported");
        }
        const QOut o = op == "QGemm" ? qout_linear(n, 7, 8) : qout_linear(n, 6, 7);
        const std::string name = unique(o.name);
        if (M.is_const(n.in.at(3))) {
            const Weights w = weights_linear(n, 3, 4, 5, trans_b ? 0 : 1);
            const int64_t N = trans_b ? w.shape.at(0) : w.shape.at(1);
            const std::vector<int32_t> b =
                op == "QGemm" ? bias_int(n, 6, N) : std::vector<int32_t>{};
            emit_gemm(n, *a.b, w, trans_b, &b, nullptr, &o, {}, name);
            bind(o.name, name, Layout::identity(gemm_out_shape(a.b->lay.shape, N)), o.type);
        } else {
            if (op == "QGemm") unsupported(n, "QGemm with a non-constant B is not supported");
            const QIn b = qin_linear(n, 3, 4, 5);
            emit_matmul(n, *a.b, *b.b, &o, name);
            Shape os = a.b->lay.shape;
            os.back() = b.b->lay.shape.back();
            bind(o.name, name, matmul_out_layout(os, m_ir.at(name).shape), o.type);
        }
    } else if (op == "QLinearAdd" || op == "QLinearMul") {
        const QIn x = qin_linear(n, 0, 1, 2), y = qin_linear(n, 3, 4, 5);
        const QOut o = qout_linear(n, 6, 7);
        const std::string name = unique(o.name);
        emit_binary(n, op == "QLinearAdd" ? "add" : "mul", *x.b, *y.b, &o, {}, name);
        bind(o.name, name, Layout{x.b->lay.dims, x.b->lay.perm, x.b->lay.shape}, o.type);
    } else if (op == "QLinearAveragePool" || op == "QLinearGlobalAveragePool") {
        if (M.attr_int(n, "channels_last", 0) != 0)
            unsupported(n, "channels_last 1 is not supported");
        const QIn x = qin_linear(n, 0, 1, 2);
        const QOut o = qout_linear(n, 3, 4);
        const std::string name = unique(o.name);
        Node plain = n;
        plain.op = op == "QLinearAveragePool" ? "AveragePool" : "GlobalAveragePool";
        emit_pool(plain, *x.b, &o, name);
        image_out(name, o);
    } else if (op == "QLinearSigmoid" || op == "QLinearLeakyRelu") {
        const QIn x = qin_linear(n, 0, 1, 2);
        QOut o = qout_linear(n, 3, 4);
        const std::string onnx = o.name;
        o.name = unique(o.name);
        emit_activation_lookup(n, op == "QLinearSigmoid", x, o);
        if (onnx != o.name) bind(onnx, o.name, x.b->lay, o.type);
    } else if (op == "QLinearSoftmax") {
        const QIn x = qin_linear(n, 0, 1, 2);
        const QOut o = qout_linear(n, 3, 4);
        const std::string name = unique(o.name);
        int64_t axis = M.attr_int(n, "axis", -1);
        const int64_t r = static_cast<int64_t>(x.b->lay.shape.size());
        if (axis < 0) axis += r;
        if (M.attr_int(n, "opset", 13) < 13 && axis != r - 1)
            unsupported(n, "softmax over flattened axes");
        emit_rows(n, "softmax", *x.b, axis, &o, name);
        bind(o.name, name, Layout{x.b->lay.dims, x.b->lay.perm, x.b->lay.shape}, o.type);
    } else if (op == "QLinearConcat") {
        const QOut o = qout_linear(n, 0, 1);
        if (n.in.size() < 5 || (n.in.size() - 2) % 3 != 0) {
            fail(n, "expected Y_scale, Y_zero_point, then (tensor, scale, zero point) triples");
        }
        std::vector<QIn> xs;
        for (size_t i = 2; i + 2 < n.in.size(); i += 3)
            xs.push_back(qin_linear(n, i, i + 1, i + 2));
        const std::string name = unique(o.name);
        bind(o.name, name, emit_concat(n, xs, &o, M.attr_int(n, "axis", 0), name), o.type);
    } else {
        unsupported(n, "operator " + op + " (domain " + (n.domain.empty() ? "ai.onnx" : n.domain) +
                           ") is not supported");
    }
}

// ConvInteger / MatMulInteger (int32 out) -> Cast(float) -> Mul(scale) [-> Add(bias)] ->
// QuantizeLinear: one conv/gemm whose requantization is scale / output scale.
void Importer::on_integer(const Node& n) {
    const QIn x = [&] {
        const Bound& b = bound(n, 0);
        QIn q;
        q.onnx = n.in[0];
        q.b = &b;
        const IrTensor& t = m_ir.at(b.ir);
        if (!t.has_q) fail(n, "input '" + n.in[0] + "' has no known quantization");
        q.scale = t.scale;
        q.zp = t.zp;
        if (n.has_input(2)) {
            int type = 0;
            if (ir_zp(zero_point(n, 2, type), b.type) != t.zp)
                fail(n, "x_zero_point differs from the tensor's");
        }
        return q;
    }();
    const bool conv = n.op == "ConvInteger";
    const Const& wc = const_in(n, 1, "weights");
    const Const* wz = n.has_input(3) ? &const_in(n, 3, "weight zero point") : nullptr;
    // Follow Cast -> Mul(const) [-> Add(const)] -> QuantizeLinear.
    const auto next = [&](const std::string& t, const char* op) -> const Node* {
        const auto& cs = M.consumers(t);
        if (cs.size() != 1 || cs[0]->op != op || M.is_output(t)) return nullptr;
        return cs[0];
    };
    const Node* cast = next(n.out.at(0), "Cast");
    const Node* mul = cast ? next(cast->out.at(0), "Mul") : nullptr;
    if (!mul) {
        fail(n,
             "expected its int32 result to be rescaled by Cast(float) -> Mul(constant scale) -> "
             "QuantizeLinear (static quantization)");
    }
    const std::string other = mul->in.at(0) == cast->out.at(0) ? mul->in.at(1) : mul->in.at(0);
    const Const* sc = M.constant(other);
    if (!sc) fail(*mul, "the rescale must be a constant");
    const Node* add = next(mul->out.at(0), "Add");
    std::string before_q = add ? add->out.at(0) : mul->out.at(0);
    m_done.insert(cast->index);
    m_done.insert(mul->index);
    if (add) m_done.insert(add->index);
    const int axis = conv ? 0 : 1;
    Const scale_w = *sc;
    // weight scale = rescale / input scale (per output channel or one)
    Const s = onnx_detail::make_const(onnx_detail::kFloat, {scale_w.elems()});
    for (size_t k = 0; k < static_cast<size_t>(s.elems()); ++k) {
        const float v = static_cast<float>(scale_w.real(k) / x.scale);
        std::memcpy(s.raw.data() + 4 * k, &v, 4);
    }
    Weights w = make_int_weights(M, n, wc, s, wz, axis);
    const int64_t N = conv ? wc.shape.at(0) : wc.shape.at(1);
    std::vector<int32_t> b;
    if (add) {
        const std::string bn = add->in.at(0) == mul->out.at(0) ? add->in.at(1) : add->in.at(0);
        const Const* bc = M.constant(bn);
        if (!bc) fail(*add, "the bias must be a constant");
        for (int64_t c = 0; c < N; ++c) {
            const double v = bc->real(static_cast<size_t>(bc->elems() == 1 ? 0 : c)) /
                             (x.scale * w.scale[static_cast<size_t>(c)]);
            b.push_back(static_cast<int32_t>(std::nearbyint(v)));
        }
    }
    // The Q (reuse the QDQ output logic from the last float node).
    const Node& last = add ? *add : *mul;
    const QOut o = qout_qdq(last);
    const std::string name = unique(o.name);
    if (conv) {
        emit_conv(n, *x.b, w, &b, nullptr, &o, act_of(o), name);
        const Shape& irs = m_ir.at(name).shape;
        bind(o.name, name, Layout::nchw(irs[2], irs[0], irs[1], {1, irs[2], irs[0], irs[1]}),
             o.type);
    } else {
        emit_gemm(n, *x.b, w, false, &b, nullptr, &o, act_of(o), name);
        bind(o.name, name, Layout::identity(gemm_out_shape(x.b->lay.shape, N)), o.type);
    }
    (void)before_q;
}

// A float node's fused activation: its single consumer Relu/Clip (not a graph output). `out`
// becomes the tensor after it.
Act Importer::float_activation(const Node& n, std::string& out) {
    Act a;
    out = n.out.at(0);
    const auto& cs = M.consumers(out);
    if (cs.size() != 1 || M.is_output(out)) return a;
    const Node& c = *cs[0];
    if (!c.domain.empty() || (c.op != "Relu" && c.op != "Clip")) return a;
    if (c.op == "Relu") {
        a.kind = "relu";
    } else {
        const auto [lo, hi] = clip_bounds(c);
        if (lo == 0.0 && hi == 6.0) {
            a.kind = "relu6";
        } else if (lo == 0.0 && std::isinf(hi)) {
            a.kind = "relu";
        } else if (std::isinf(lo) || std::isinf(hi)) {
            fail(c, "a one-sided Clip other than Relu cannot be fused in a float model");
        } else {
            a.kind = "clamp";
            a.lo = lo;
            a.hi = hi;
        }
    }
    m_done.insert(c.index);
    out = c.out.at(0);
    return a;
}

// The Erf GELU as exporters write it: x / sqrt(2) -> Erf -> + 1 -> * x -> * 0.5 (either order
// of the two Muls), starting at the Div. Marks the nodes done; `out` is the GELU's result.
bool Importer::match_gelu(const Node& n, std::string& out) {
    const double d = M.constant(n.in.at(1))->real(0);
    const auto only = [&](const std::string& t, const char* o) -> const Node* {
        const auto& cs = M.consumers(t);
        return cs.size() == 1 && cs[0]->op == o && !M.is_output(t) ? cs[0] : nullptr;
    };
    const auto const_of = [&](const Node& m, const std::string& other) -> double {
        const std::string c = m.in.at(0) == other ? m.in.at(1) : m.in.at(0);
        const Const* k = M.constant(c);
        return k && k->elems() == 1 ? k->real(0) : std::nan("");
    };
    const Node* erf = only(n.out.at(0), "Erf");
    const Node* add = erf ? only(erf->out.at(0), "Add") : nullptr;
    const Node* mul1 = add ? only(add->out.at(0), "Mul") : nullptr;
    bool ok = std::fabs(d - std::sqrt(2.0)) < 1e-6 && add && mul1 &&
              std::fabs(const_of(*add, erf->out[0]) - 1.0) < 1e-7;
    if (!ok) return false;
    const std::string other = mul1->in.at(0) == add->out[0] ? mul1->in.at(1) : mul1->in.at(0);
    if (other == n.in[0]) {  // (x * (1 + erf)) * 0.5
        const Node* mul2 = only(mul1->out.at(0), "Mul");
        if (!mul2 || std::fabs(const_of(*mul2, mul1->out[0]) - 0.5) >= 1e-7) return false;
        m_done.insert(mul2->index);
        out = mul2->out.at(0);
    } else {  // (x * 0.5) * (1 + erf)
        const Node* half = M.producer(other);
        if (!half || half->op != "Mul" || std::fabs(const_of(*half, n.in[0]) - 0.5) >= 1e-7 ||
            (half->in.at(0) != n.in[0] && half->in.at(1) != n.in[0])) {
            return false;
        }
        m_done.insert(half->index);
        out = mul1->out.at(0);
    }
    m_done.insert(erf->index);
    m_done.insert(add->index);
    m_done.insert(mul1->index);
    return true;
}

void Importer::on_float(const Node& n) {
    const std::string& op = n.op;
    if (!n.domain.empty()) {
        unsupported(n, "operator " + op + " of domain " + n.domain + " is not supported");
    }
    const auto float_weights = [&](size_t i) {
        const Const& c = const_in(n, i, "weights");
        if (c.dtype != onnx_detail::kFloat) {
            fail(n, "weights: expected float32, found " + onnx_detail::elem_type_name(c.dtype));
        }
        Weights w;
        w.is_float = true;
        w.shape = c.shape;
        w.model_f = &c.raw;
        for (size_t k = 0; k < c.raw.size(); k += sizeof(float)) {
            float v;
            std::memcpy(&v, c.raw.data() + k, sizeof(float));
            if (!std::isfinite(v)) fail(n, "weights: expected finite values");
        }
        return w;
    };
    if (op == "Conv") {
        const Bound& x = bound(n, 0);
        Weights w = float_weights(1);
        if (w.shape.size() != 4) fail(n, "weights: expected OIHW");
        const int64_t oc = w.shape[0];
        std::vector<float> b = bias_float(n, 2, oc);
        std::string out = n.out.at(0);
        Node produced_by = n;
        // BatchNormalization folded into the weights and bias.
        const auto& cs = M.consumers(out);
        if (cs.size() == 1 && cs[0]->op == "BatchNormalization" && !M.is_output(out)) {
            const Node& bn = *cs[0];
            if (bn.out.size() > 1) {
                for (size_t k = 1; k < bn.out.size(); ++k) {
                    if (!bn.out[k].empty()) fail(bn, "training-mode outputs are not supported");
                }
            }
            const std::vector<float> gamma = bias_float(bn, 1, oc);
            const std::vector<float> beta = bias_float(bn, 2, oc);
            const std::vector<float> mean = bias_float(bn, 3, oc);
            const std::vector<float> var = bias_float(bn, 4, oc);
            const double eps = M.attr_float(bn, "epsilon", 1e-5f);
            std::vector<float>& f = w.own_floats();
            const size_t per = f.size() / static_cast<size_t>(oc);
            for (size_t c = 0; c < static_cast<size_t>(oc); ++c) {
                const double k = double{gamma[c]} / std::sqrt(double{var[c]} + eps);
                for (size_t i = 0; i < per; ++i) {
                    f[c * per + i] = static_cast<float>(f[c * per + i] * k);
                }
                b[c] = static_cast<float>((double{b[c]} - mean[c]) * k + beta[c]);
            }
            m_done.insert(bn.index);
            produced_by = bn;  // the conv's output is the BatchNormalization's
            produced_by.out = {bn.out[0]};
        }
        const Act act = float_activation(produced_by, out);
        const std::string name = unique(out);
        emit_conv(n, x, w, nullptr, &b, nullptr, act, name);
        const Shape& irs = m_ir.at(name).shape;
        bind(out, name, Layout::nchw(irs[2], irs[0], irs[1], {1, irs[2], irs[0], irs[1]}),
             onnx_detail::kFloat);
    } else if (op == "Gemm" || (op == "MatMul" && M.is_const(n.in.at(1)))) {
        const Bound& x = bound(n, 0);
        Weights w = float_weights(1);
        bool trans_b = false;
        float alpha = 1.0f, beta = 1.0f;
        if (op == "Gemm") {
            if (M.attr_int(n, "transA", 0) != 0) unsupported(n, "transA 1 is not supported");
            trans_b = M.attr_int(n, "transB", 0) != 0;
            alpha = M.attr_float(n, "alpha", 1.0f);
            beta = M.attr_float(n, "beta", 1.0f);
        }
        if (w.shape.size() != 2) fail(n, "weights: expected a matrix");
        const int64_t N = trans_b ? w.shape[0] : w.shape[1];
        if (alpha != 1.0f) {
            for (float& v : w.own_floats()) v *= alpha;
        }
        std::vector<float> b =
            op == "Gemm" ? bias_float(n, 2, N) : std::vector<float>(static_cast<size_t>(N), 0.0f);
        for (float& v : b) v *= beta;
        std::string out = n.out.at(0);
        if (op == "MatMul") {  // MatMul + Add(constant bias)
            const auto& cs = M.consumers(out);
            if (cs.size() == 1 && cs[0]->op == "Add" && !M.is_output(out)) {
                const Node& add = *cs[0];
                const std::string other = add.in.at(0) == out ? add.in.at(1) : add.in.at(0);
                if (const Const* bc = M.constant(other)) {
                    if (bc->elems() != N && bc->elems() != 1) fail(add, "bias of the wrong size");
                    for (int64_t c = 0; c < N; ++c) {
                        b[static_cast<size_t>(c)] += static_cast<float>(
                            bc->real(static_cast<size_t>(bc->elems() == 1 ? 0 : c)));
                    }
                    m_done.insert(add.index);
                    out = add.out.at(0);
                }
            }
        }
        Node last = n;
        last.out = {out};
        const Act act = float_activation(last, out);
        const std::string name = unique(out);
        emit_gemm(n, x, w, trans_b, nullptr, &b, nullptr, act, name);
        bind(out, name, Layout::identity(gemm_out_shape(x.lay.shape, N)), onnx_detail::kFloat);
    } else if (op == "MatMul") {
        const Bound& a = bound(n, 0);
        const Bound& b = bound(n, 1);
        const std::string name = unique(n.out.at(0));
        emit_matmul(n, a, b, nullptr, name);
        Shape os = a.lay.shape;
        os.back() = b.lay.shape.back();
        bind(n.out[0], name, matmul_out_layout(os, m_ir.at(name).shape), onnx_detail::kFloat);
    } else if (op == "Add" || op == "Mul") {
        if (M.is_const(n.in.at(0)) || M.is_const(n.in.at(1))) {
            unsupported(n, op +
                               " with a constant operand is not supported (only a bias folded into "
                               "the MatMul before it)");
        }
        const Bound& x = bound(n, 0);
        const Bound& y = bound(n, 1);
        std::string out;
        const Act act = float_activation(n, out);
        const std::string name = unique(out);
        emit_binary(n, op == "Add" ? "add" : "mul", x, y, nullptr, act, name);
        bind(out, name, Layout{x.lay.dims, x.lay.perm, x.lay.shape}, onnx_detail::kFloat);
    } else if (op == "MaxPool" || op == "AveragePool" || op == "GlobalAveragePool") {
        const Bound& x = bound(n, 0);
        const std::string name = unique(n.out.at(0));
        emit_pool(n, x, nullptr, name);
        const Shape& irs = m_ir.at(name).shape;
        bind(n.out[0], name, Layout::nchw(irs[2], irs[0], irs[1], {1, irs[2], irs[0], irs[1]}),
             onnx_detail::kFloat);
    } else if (op == "Softmax" || op == "LayerNormalization") {
        const Bound& x = bound(n, 0);
        const std::string name = unique(n.out.at(0));
        emit_row_op(n, x, nullptr, name);
        bind(n.out[0], name, Layout{x.lay.dims, x.lay.perm, x.lay.shape}, onnx_detail::kFloat);
    } else if (op == "Div" && M.is_const(n.in.at(1))) {
        const Bound& x = bound(n, 0);
        std::string out;
        if (!match_gelu(n, out))
            unsupported(n, "Div is supported only as part of the Erf GELU pattern");
        const std::string name = unique(out);
        YAML::Node& l = new_layer(name, "gelu", {x.ir});
        (void)l;
        add_ir(name, m_ir.at(x.ir).shape, false, 1.0, 0);
        bind(out, name, Layout{x.lay.dims, x.lay.perm, x.lay.shape}, onnx_detail::kFloat);
    } else if (op == "Concat") {
        std::vector<QIn> xs;
        for (size_t i = 0; i < n.in.size(); ++i) {
            QIn q;
            q.onnx = n.in[i];
            q.b = &bound(n, i);
            xs.push_back(q);
        }
        const std::string name = unique(n.out.at(0));
        bind(n.out[0], name, emit_concat(n, xs, nullptr, M.attr_int(n, "axis", 0), name),
             onnx_detail::kFloat);
    } else if (op == "Sigmoid" || op == "LeakyRelu") {
        // A lookup whose table post-training quantization builds from the scales it chooses.
        const Bound& x = bound(n, 0);
        const std::string name = unique(n.out.at(0));
        YAML::Node& l = new_layer(name, "lookup", {x.ir});
        l["function"] = op == "Sigmoid" ? "sigmoid" : "leaky_relu";
        if (op == "LeakyRelu") l["alpha"] = M.attr_float(n, "alpha", 0.01f);
        add_ir(name, m_ir.at(x.ir).shape, false, 1.0, 0);
        bind(n.out[0], name, Layout{x.lay.dims, x.lay.perm, x.lay.shape}, onnx_detail::kFloat);
    } else if (op == "Relu" || op == "Clip") {
        unsupported(n,
                    op + " is supported fused after Conv, Gemm, MatMul or Add (its only consumer)");
    } else {
        unsupported(n, "operator " + op + " is not supported");
    }
}

void Importer::finish_views() {
    std::set<std::string> outputs(M.outputs().begin(), M.outputs().end());
    std::set<std::string> inputs(M.inputs().begin(), M.inputs().end());
    for (const auto& [name, b] : m_bound) {
        const bool export_it = b.type != onnx_detail::kFloat || !m_quantized ||
                               outputs.count(name) || inputs.count(name);
        if (!export_it) continue;
        YAML::Node v(YAML::NodeType::Map);
        v["name"] = name;
        v["type"] = b.type == onnx_detail::kUint8  ? "uint8"
                    : b.type == onnx_detail::kInt8 ? "int8"
                                                   : "float32";
        v["shape"] = flow_ints(b.lay.shape);
        if (!b.lay.is_contiguous()) {
            v["dims"] = flow_ints(b.lay.dims);
            std::vector<int64_t> p(b.lay.perm.begin(), b.lay.perm.end());
            v["perm"] = flow_ints(p);
        }
        v.SetStyle(YAML::EmitterStyle::Flow);
        YAML::Node* owner = nullptr;
        if (m_layer_of.count(b.ir)) owner = &m_layer_of.at(b.ir);
        if (m_input_of.count(b.ir)) owner = &m_input_of.at(b.ir);
        if (owner == nullptr) continue;
        (*owner)["views"].push_back(v);
    }
}

ImportedWorkload Importer::run() {
    static const std::set<std::string> kQuantOps = {"QuantizeLinear",
                                                    "DequantizeLinear",
                                                    "QLinearConv",
                                                    "QLinearMatMul",
                                                    "ConvInteger",
                                                    "MatMulInteger",
                                                    "QGemm",
                                                    "QLinearAdd",
                                                    "QLinearMul",
                                                    "QLinearAveragePool",
                                                    "QLinearGlobalAveragePool",
                                                    "QLinearConcat",
                                                    "QLinearSigmoid",
                                                    "QLinearLeakyRelu",
                                                    "QLinearSoftmax"};
    for (const Node& n : M.nodes()) {
        if (n.op == "DynamicQuantizeLinear") {
            unsupported(n,
                        "dynamic quantization computes scales at run time; npusim runs "
                        "statically quantized models (or float models it quantizes)");
        }
        if (kQuantOps.count(n.op) && (n.domain.empty() || n.domain == "com.microsoft")) {
            m_quantized = true;
        }
    }
    for (const std::string& in : M.inputs()) {
        const onnx_detail::TensorInfo* ti = M.info(in);
        const int type = ti ? ti->elem_type : onnx_detail::kUndefined;
        if (type == onnx_detail::kUint8 || type == onnx_detail::kInt8) {
            declare_input(in, "", 0.0, 0, type);
        } else if (type != onnx_detail::kFloat) {
            M.fail("graph input '" + in + "': expected float32, uint8 or int8, found " +
                   onnx_detail::elem_type_name(type));
        } else if (!m_quantized) {
            declare_input(in, "", 0.0, 0, onnx_detail::kFloat);
        }
    }
    for (const Node& n : M.nodes()) {
        if (M.folded(n) || m_done.count(n.index)) continue;
        if (n.domain.empty() && n.op == "QuantizeLinear") {
            on_quantize(n);
        } else if (n.domain.empty() && n.op == "DequantizeLinear") {
            on_dequantize(n);
        } else if (n.has_input(0) && m_bound.count(n.in[0]) && view_op(n)) {
        } else if (!m_quantized) {
            on_float(n);
        } else if (n.op.rfind("QLinear", 0) == 0 || n.op == "QGemm") {
            on_qlinear(n);
        } else if (n.domain.empty() && (n.op == "ConvInteger" || n.op == "MatMulInteger")) {
            on_integer(n);
        } else if (n.domain.empty() && n.op == "MaxPool" && n.has_input(0) &&
                   m_bound.count(n.in[0]) && m_bound.at(n.in[0]).type != onnx_detail::kFloat) {
            const Bound& x = m_bound.at(n.in[0]);
            const IrTensor& t = m_ir.at(x.ir);
            QOut o;
            o.name = n.out.at(0);
            o.scale = t.scale;
            o.zp = t.zp;
            o.type = x.type;
            const std::string name = unique(o.name);
            emit_pool(n, x, &o, name);
            const Shape& irs = m_ir.at(name).shape;
            bind(o.name, name, Layout::nchw(irs[2], irs[0], irs[1], {1, irs[2], irs[0], irs[1]}),
                 o.type);
        } else if (n.domain.empty()) {
            on_qdq_compute(n);
        } else {
            unsupported(n, "operator " + n.op + " of domain " + n.domain + " is not supported");
        }
    }
    for (const std::string& o : M.outputs()) {
        if (!m_bound.count(o)) {
            const Node* p = M.producer(o);
            M.fail("graph output '" + o + "' is not computed by the imported graph" +
                   (p ? " (it comes from " + p->label() + ")" : ""));
        }
    }
    if (m_layers.size() == 0) M.fail("the graph computes nothing the NPU runs (no layers)");
    finish_views();

    YAML::Node root(YAML::NodeType::Map);
    std::string stem = std::filesystem::path(M.path()).stem().string();
    root["name"] = stem.empty() ? "onnx" : stem;
    root["description"] = "imported from " + std::filesystem::path(M.path()).filename().string() +
                          " (ONNX opset " + std::to_string(M.opset()) + ") by npusim import";
    root["inputs"] = m_inputs;
    if (!m_quantized && (m_opt.require_calibration || !m_opt.calibration.empty())) {
        if (m_opt.calibration.empty()) {
            M.fail(
                "a float model is post-training quantized: give calibration images "
                "(--calibration FILE.npy, NCHW or NHWC float32)");
        }
        YAML::Node c(YAML::NodeType::Map);
        c["file"] = std::filesystem::absolute(m_opt.calibration).lexically_normal().string();
        c.SetStyle(YAML::EmitterStyle::Flow);
        root["calibration"] = c;
    }
    root["layers"] = m_layers;
    YAML::Emitter e;
    e.SetDoublePrecision(17);
    e.SetFloatPrecision(9);
    e << root;
    ImportedWorkload r;
    r.yaml = std::string(e.c_str()) + "\n";
    r.files = std::move(m_files);
    r.float_model = !m_quantized;
    return r;
}

}  // namespace

ImportedWorkload import_onnx(const std::string& path, const OnnxImportOptions& options) {
    const Model model(path);
    return Importer(model, options).run();
}

std::string onnx_supported_ops() { return kSupported; }

}  // namespace npu::frontend

// An ONNX model read for import: Debian's libonnx parses the protobuf (no hand-written reader),
// then this layer turns it into plain data the importer (onnx_import.cc) can match patterns on:
// nodes in a checked topological order with their producers and consumers, every constant
// (initializers, `Constant` nodes, external data, and small constant subgraphs folded here:
// Cast, Mul, Div, Add, Sub, ConstantOfShape, Shape, Gather, Unsqueeze, Squeeze, Concat, Reshape,
// Identity), and every tensor's element type and shape (the model's value_info, completed by
// ONNX's own shape inference).
//
// Hostile files are expected: sizes are checked before anything is allocated (file size, tensor
// element counts against their bytes, external data ranges inside the model's directory),
// cycles and missing inputs are named, and every problem is a npu::UserError naming the file,
// the node (name, op type, domain) and what was expected.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace onnx {
class NodeProto;
class ModelProto;
class AttributeProto;
}  // namespace onnx

namespace npu::frontend::onnx_detail {

// ONNX TensorProto element types used here (the protobuf enum's values).
enum ElemType : int {
    kUndefined = 0,
    kFloat = 1,
    kUint8 = 2,
    kInt8 = 3,
    kUint16 = 4,
    kInt16 = 5,
    kInt32 = 6,
    kInt64 = 7,
    kString = 8,
    kBool = 9,
    kFloat16 = 10,
    kDouble = 11,
    kUint32 = 12,
    kUint64 = 13,
};
[[nodiscard]] std::string elem_type_name(int t);

// A constant tensor: little-endian packed elements.
struct Const {
    int dtype = kFloat;
    std::vector<int64_t> shape;
    std::string raw;
    [[nodiscard]] int64_t elems() const;
    [[nodiscard]] bool is_float() const { return dtype == kFloat || dtype == kDouble; }
    [[nodiscard]] double real(size_t k) const;      // any type, as a double
    [[nodiscard]] int64_t integer(size_t k) const;  // integer types (and bool)
    [[nodiscard]] std::vector<float> floats() const;
    [[nodiscard]] std::vector<int64_t> ints() const;
};
[[nodiscard]] size_t elem_size(int dtype);  // 0: unsupported
[[nodiscard]] Const make_const(int dtype, std::vector<int64_t> shape);

struct Node {
    const onnx::NodeProto* proto = nullptr;
    std::string name, op, domain;      // domain "" for the default (ai.onnx)
    std::vector<std::string> in, out;  // "" for an omitted optional input
    size_t index = 0;                  // position in the file
    // "'conv1' (Conv, domain ai.onnx)"
    [[nodiscard]] std::string label() const;
    [[nodiscard]] bool has_input(size_t i) const { return i < in.size() && !in[i].empty(); }
};

struct TensorInfo {
    int elem_type = kUndefined;
    std::optional<std::vector<int64_t>> shape;  // -1 for an unknown dimension
};

class Model {
  public:
    // Reads, parses and prepares `path`. Throws npu::UserError.
    explicit Model(const std::string& path);
    ~Model();
    Model(const Model&) = delete;
    Model& operator=(const Model&) = delete;

    [[nodiscard]] const std::string& path() const { return m_path; }
    [[nodiscard]] int64_t opset() const { return m_opset; }        // default domain
    [[nodiscard]] int64_t ms_opset() const { return m_ms_opset; }  // com.microsoft (0: none)
    [[nodiscard]] const std::vector<Node>& nodes() const { return m_nodes; }  // topological
    [[nodiscard]] const std::vector<std::string>& inputs() const { return m_inputs; }
    [[nodiscard]] const std::vector<std::string>& outputs() const { return m_outputs; }

    [[nodiscard]] const Const* constant(const std::string& name) const;
    [[nodiscard]] bool is_const(const std::string& name) const { return constant(name) != nullptr; }
    [[nodiscard]] const TensorInfo* info(const std::string& name) const;
    // The node producing `name` (nullptr: a graph input or constant).
    [[nodiscard]] const Node* producer(const std::string& name) const;
    [[nodiscard]] const std::vector<const Node*>& consumers(const std::string& name) const;
    [[nodiscard]] bool is_output(const std::string& name) const {
        return m_output_set.count(name) != 0;
    }
    // Nodes folded into constants (Constant nodes included); the importer skips them.
    [[nodiscard]] bool folded(const Node& n) const { return m_folded.count(n.index) != 0; }

    // Attributes (throw UserError naming the node when one has the wrong type).
    [[nodiscard]] const onnx::AttributeProto* attr(const Node& n, const std::string& name) const;
    [[nodiscard]] int64_t attr_int(const Node& n, const std::string& name, int64_t def) const;
    [[nodiscard]] float attr_float(const Node& n, const std::string& name, float def) const;
    [[nodiscard]] std::vector<int64_t> attr_ints(const Node& n, const std::string& name) const;
    [[nodiscard]] std::string attr_string(const Node& n, const std::string& name,
                                          const std::string& def) const;
    [[nodiscard]] bool has_attr(const Node& n, const std::string& name) const {
        return attr(n, name) != nullptr;
    }

    [[noreturn]] void fail(const Node& n, const std::string& what) const;
    [[noreturn]] void fail(const std::string& what) const;

  private:
    std::string m_path;
    std::unique_ptr<onnx::ModelProto> m_proto;
    int64_t m_opset = 0;
    int64_t m_ms_opset = 0;
    std::vector<Node> m_nodes;
    std::vector<std::string> m_inputs, m_outputs;
    std::set<std::string> m_output_set;
    std::map<std::string, Const> m_consts;
    std::map<std::string, TensorInfo> m_infos;
    std::map<std::string, const Node*> m_producer;
    std::map<std::string, std::vector<const Node*>> m_consumers;
    std::set<size_t> m_folded;

    void read_constants();
    void build_nodes();
    void infer_shapes();
    void fold_constants();
    bool fold(const Node& n);
};

}  // namespace npu::frontend::onnx_detail

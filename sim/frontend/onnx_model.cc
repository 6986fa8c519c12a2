#include "sim/frontend/onnx_model.h"

#include <fcntl.h>
#include <onnx/onnx_pb.h>
#include <onnx/shape_inference/implementation.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <queue>
#include <sstream>

#include "sim/core/error.h"

namespace npu::frontend::onnx_detail {

namespace {

// Bounds on what an import may allocate. A protobuf message cannot exceed 2 GiB; one constant
// holds at most 2^30 elements (4 GiB as float32 would already not fit the file).
constexpr int64_t kMaxFileBytes = (int64_t{1} << 31) - 1;
constexpr int64_t kMaxConstElems = int64_t{1} << 30;
constexpr int64_t kMaxDims = 8;
// Folded constants are small shape arithmetic; bigger ones stay nodes (and are then rejected).
constexpr int64_t kMaxFoldElems = int64_t{1} << 20;

std::string domain_name(const std::string& d) { return d.empty() ? "ai.onnx" : d; }

std::string shape_text(const std::vector<int64_t>& s) {
    std::string t = "[";
    for (size_t i = 0; i < s.size(); ++i) t += (i ? ", " : "") + std::to_string(s[i]);
    return t + "]";
}

}  // namespace

std::string elem_type_name(int t) {
    switch (t) {
        case kFloat:
            return "float32";
        case kUint8:
            return "uint8";
        case kInt8:
            return "int8";
        case kUint16:
            return "uint16";
        case kInt16:
            return "int16";
        case kInt32:
            return "int32";
        case kInt64:
            return "int64";
        case kString:
            return "string";
        case kBool:
            return "bool";
        case kFloat16:
            return "float16";
        case kDouble:
            return "float64";
        case kUint32:
            return "uint32";
        case kUint64:
            return "uint64";
        default:
            return "element type " + std::to_string(t);
    }
}

size_t elem_size(int dtype) {
    switch (dtype) {
        case kUint8:
        case kInt8:
        case kBool:
            return 1;
        case kUint16:
        case kInt16:
            return 2;
        case kFloat:
        case kInt32:
        case kUint32:
            return 4;
        case kInt64:
        case kDouble:
        case kUint64:
            return 8;
        default:
            return 0;
    }
}

int64_t Const::elems() const {
    int64_t n = 1;
    for (int64_t d : shape) n *= d;
    return n;
}

namespace {

// Element k of a little-endian array of T (ONNX raw_data; the host is little-endian).
template <typename T>
T element(const char* p, size_t k) {
    T v;
    std::memcpy(&v, p + k * sizeof(T), sizeof(T));
    return v;
}

}  // namespace

double Const::real(size_t k) const {
    switch (dtype) {
        case kFloat:
            return element<float>(raw.data(), k);
        case kDouble:
            return element<double>(raw.data(), k);
        default:
            return static_cast<double>(integer(k));
    }
}

int64_t Const::integer(size_t k) const {
    const char* p = raw.data();
    switch (dtype) {
        case kUint8:
        case kBool:
            return element<uint8_t>(p, k);
        case kInt8:
            return element<int8_t>(p, k);
        case kUint16:
            return element<uint16_t>(p, k);
        case kInt16:
            return element<int16_t>(p, k);
        case kInt32:
            return element<int32_t>(p, k);
        case kUint32:
            return element<uint32_t>(p, k);
        case kInt64:
        case kUint64:
            return element<int64_t>(p, k);
        default:
            return static_cast<int64_t>(real(k));
    }
}

std::vector<float> Const::floats() const {
    std::vector<float> v(static_cast<size_t>(elems()));
    if (dtype == kFloat) {
        if (!v.empty()) std::memcpy(v.data(), raw.data(), v.size() * 4);
        return v;
    }
    for (size_t k = 0; k < v.size(); ++k) v[k] = static_cast<float>(real(k));
    return v;
}

std::vector<int64_t> Const::ints() const {
    std::vector<int64_t> v(static_cast<size_t>(elems()));
    for (size_t k = 0; k < v.size(); ++k) v[k] = integer(k);
    return v;
}

Const make_const(int dtype, std::vector<int64_t> shape) {
    Const c;
    c.dtype = dtype;
    c.shape = std::move(shape);
    c.raw.assign(static_cast<size_t>(c.elems()) * elem_size(dtype), '\0');
    return c;
}

std::string Node::label() const {
    return "node '" + name + "' (" + op + ", domain " + domain_name(domain) + ")";
}

Model::~Model() = default;

void Model::fail(const Node& n, const std::string& what) const {
    throw UserError(Diagnostic{m_path, 0, 0, "", n.label() + ": " + what});
}

void Model::fail(const std::string& what) const {
    throw UserError(Diagnostic{m_path, 0, 0, "", what});
}

const Const* Model::constant(const std::string& name) const {
    const auto it = m_consts.find(name);
    return it == m_consts.end() ? nullptr : &it->second;
}

const TensorInfo* Model::info(const std::string& name) const {
    const auto it = m_infos.find(name);
    return it == m_infos.end() ? nullptr : &it->second;
}

const Node* Model::producer(const std::string& name) const {
    const auto it = m_producer.find(name);
    return it == m_producer.end() ? nullptr : it->second;
}

const std::vector<const Node*>& Model::consumers(const std::string& name) const {
    static const std::vector<const Node*> kNone;
    const auto it = m_consumers.find(name);
    return it == m_consumers.end() ? kNone : it->second;
}

const onnx::AttributeProto* Model::attr(const Node& n, const std::string& name) const {
    for (const onnx::AttributeProto& a : n.proto->attribute()) {
        if (a.name() == name) return &a;
    }
    return nullptr;
}

int64_t Model::attr_int(const Node& n, const std::string& name, int64_t def) const {
    const onnx::AttributeProto* a = attr(n, name);
    if (a == nullptr) return def;
    if (a->type() != onnx::AttributeProto::INT) {
        fail(n, "attribute '" + name + "': expected an integer");
    }
    return a->i();
}

float Model::attr_float(const Node& n, const std::string& name, float def) const {
    const onnx::AttributeProto* a = attr(n, name);
    if (a == nullptr) return def;
    if (a->type() != onnx::AttributeProto::FLOAT)
        fail(n, "attribute '" + name + "': expected a float");
    return a->f();
}

std::vector<int64_t> Model::attr_ints(const Node& n, const std::string& name) const {
    const onnx::AttributeProto* a = attr(n, name);
    if (a == nullptr) return {};
    if (a->type() != onnx::AttributeProto::INTS) {
        fail(n, "attribute '" + name + "': expected a list of integers");
    }
    if (a->ints_size() > 64) fail(n, "attribute '" + name + "': expected at most 64 values");
    return {a->ints().begin(), a->ints().end()};
}

std::string Model::attr_string(const Node& n, const std::string& name,
                               const std::string& def) const {
    const onnx::AttributeProto* a = attr(n, name);
    if (a == nullptr) return def;
    if (a->type() != onnx::AttributeProto::STRING) {
        fail(n, "attribute '" + name + "': expected a string");
    }
    return a->s();
}

namespace {

// The bytes of a TensorProto's data (raw_data moved out, typed fields packed, or external data
// read), checked against its dims. `where` names it for errors.
class TensorReader {
  public:
    TensorReader(const Model& m, std::string dir) : m_model(m), m_dir(std::move(dir)) {}

    Const read(onnx::TensorProto& t, const std::string& where) const {
        Const c;
        c.dtype = t.data_type();
        const size_t es = elem_size(c.dtype);
        if (es == 0) {
            m_model.fail(where +
                         ": expected a tensor of a numeric type (float32, float64, int8, "
                         "uint8, int16, uint16, int32, uint32, int64, uint64, bool), found " +
                         elem_type_name(c.dtype));
        }
        if (t.dims_size() > kMaxDims) {
            m_model.fail(where + ": expected at most " + std::to_string(kMaxDims) +
                         " dimensions, found " + std::to_string(t.dims_size()));
        }
        int64_t elems = 1;
        for (int64_t d : t.dims()) {
            if (d < 0)
                m_model.fail(where + ": expected dimensions >= 0, found " + std::to_string(d));
            if (d != 0 && elems > kMaxConstElems / d) {
                m_model.fail(where + ": expected at most " + std::to_string(kMaxConstElems) +
                             " elements, found dims " +
                             shape_text({t.dims().begin(), t.dims().end()}));
            }
            elems *= d;
            c.shape.push_back(d);
        }
        const int64_t bytes = elems * static_cast<int64_t>(es);
        if (t.data_location() == onnx::TensorProto::EXTERNAL) {
            c.raw = external(t, where, bytes);
        } else if (t.has_raw_data()) {
            if (static_cast<int64_t>(t.raw_data().size()) != bytes) {
                m_model.fail(where + ": expected " + std::to_string(bytes) + " bytes of " +
                             elem_type_name(c.dtype) + " data for dims " + shape_text(c.shape) +
                             ", found " + std::to_string(t.raw_data().size()));
            }
            c.raw.swap(*t.mutable_raw_data());
        } else {
            c.raw.resize(static_cast<size_t>(bytes));
            const auto count_ok = [&](int64_t have) {
                if (have != elems) {
                    m_model.fail(where + ": expected " + std::to_string(elems) +
                                 " values for dims " + shape_text(c.shape) + ", found " +
                                 std::to_string(have));
                }
            };
            char* p = c.raw.data();
            switch (c.dtype) {
                case kFloat:
                    count_ok(t.float_data_size());
                    if (elems) std::memcpy(p, t.float_data().data(), static_cast<size_t>(bytes));
                    break;
                case kDouble:
                    count_ok(t.double_data_size());
                    if (elems) std::memcpy(p, t.double_data().data(), static_cast<size_t>(bytes));
                    break;
                case kInt64:
                    count_ok(t.int64_data_size());
                    if (elems) std::memcpy(p, t.int64_data().data(), static_cast<size_t>(bytes));
                    break;
                case kUint32:
                case kUint64:
                    count_ok(t.uint64_data_size());
                    for (int64_t k = 0; k < elems; ++k) {
                        const uint64_t v = t.uint64_data(static_cast<int>(k));
                        std::memcpy(p + k * static_cast<int64_t>(es), &v, es);
                    }
                    break;
                default:  // int8, uint8, int16, uint16, int32, bool live in int32_data
                    count_ok(t.int32_data_size());
                    for (int64_t k = 0; k < elems; ++k) {
                        const int32_t v = t.int32_data(static_cast<int>(k));
                        std::memcpy(p + k * static_cast<int64_t>(es), &v, es);
                    }
                    break;
            }
        }
        return c;
    }

  private:
    const Model& m_model;
    std::string m_dir;

    std::string external(const onnx::TensorProto& t, const std::string& where,
                         int64_t bytes) const {
        std::string location;
        int64_t offset = 0, length = -1;
        for (const auto& kv : t.external_data()) {
            const auto number = [&](const std::string& s) {
                char* end = nullptr;
                errno = 0;
                const long long v = std::strtoll(s.c_str(), &end, 10);
                if (s.empty() || *end != '\0' || errno == ERANGE || v < 0) {
                    m_model.fail(where + ": external_data '" + kv.key() +
                                 "': expected a non-negative integer, found '" + s + "'");
                }
                return static_cast<int64_t>(v);
            };
            if (kv.key() == "location") location = kv.value();
            if (kv.key() == "offset") offset = number(kv.value());
            if (kv.key() == "length") length = number(kv.value());
        }
        const std::filesystem::path rel(location);
        bool escapes = location.empty() || rel.is_absolute();
        for (const auto& part : rel) escapes = escapes || part == "..";
        if (escapes) {
            m_model.fail(where +
                         ": external_data location: expected a file name relative to the "
                         "model's directory (no '..'), found '" +
                         location + "'");
        }
        if (length >= 0 && length != bytes) {
            m_model.fail(where + ": external_data length " + std::to_string(length) +
                         " differs from the " + std::to_string(bytes) + " bytes its dims need");
        }
        const std::string file = (std::filesystem::path(m_dir) / rel).string();
        std::ifstream in(file, std::ios::binary | std::ios::ate);
        if (!in) {
            m_model.fail(where + ": cannot open external data file '" + file +
                         "': " + std::strerror(errno));
        }
        const int64_t size = static_cast<int64_t>(in.tellg());
        if (offset > size || bytes > size - offset) {
            m_model.fail(where + ": external data file '" + file + "' has " + std::to_string(size) +
                         " bytes, the tensor needs " + std::to_string(bytes) + " from offset " +
                         std::to_string(offset));
        }
        std::string data(static_cast<size_t>(bytes), '\0');
        in.seekg(offset);
        if (bytes > 0 && !in.read(data.data(), bytes)) {
            m_model.fail(where + ": cannot read external data file '" + file + "'");
        }
        return data;
    }
};

}  // namespace

Model::Model(const std::string& path) : m_path(path), m_proto(new onnx::ModelProto) {
    std::ifstream in(path, std::ios::binary | std::ios::ate);
    if (!in) fail(std::string("cannot open the ONNX model: ") + std::strerror(errno));
    const std::streamoff size = in.tellg();
    if (size <= 0) fail("expected an ONNX model (a protobuf ModelProto), found an empty file");
    if (size > kMaxFileBytes) {
        fail(
            "expected an ONNX model below 2 GiB (protobuf's limit; larger models keep their "
            "weights in external data files), found " +
            std::to_string(size) + " bytes");
    }
    in.close();
    // Parsed from the file mapped into memory: protobuf then copies each tensor's raw_data once
    // into a string of its final size (a stream would grow it chunk by chunk), and nothing else
    // of a 100 MB model is copied.
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) fail(std::string("cannot open the ONNX model: ") + std::strerror(errno));
    const size_t len = static_cast<size_t>(size);
    void* map = ::mmap(nullptr, len, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);
    const int map_err = errno;
    ::close(fd);
    if (map == MAP_FAILED)
        fail(std::string("cannot read the ONNX model: ") + std::strerror(map_err));
    const bool parsed = m_proto->ParseFromArray(map, static_cast<int>(len));
    ::munmap(map, len);
    if (!parsed) {
        fail(
            "expected an ONNX model (a protobuf ModelProto), found bytes protobuf cannot parse "
            "(truncated or not ONNX)");
    }
    if (!m_proto->has_graph()) fail("expected a model with a graph, found none");
    for (const onnx::OperatorSetIdProto& o : m_proto->opset_import()) {
        if (o.domain().empty() || o.domain() == "ai.onnx") m_opset = o.version();
        if (o.domain() == "com.microsoft") m_ms_opset = o.version();
    }
    if (m_opset == 0) {
        fail("expected an opset_import for the default domain (ai.onnx), found none");
    }
    if (m_opset < 10 || m_opset > 21) {
        fail("expected a default-domain opset in [10, 21] (QuantizeLinear needs 10), found " +
             std::to_string(m_opset));
    }
    const onnx::GraphProto& g = m_proto->graph();
    if (g.sparse_initializer_size() > 0) fail("sparse initializers are not supported");
    build_nodes();
    infer_shapes();
    read_constants();
    fold_constants();
}

void Model::build_nodes() {
    onnx::GraphProto& g = *m_proto->mutable_graph();
    std::set<std::string> defined;  // graph inputs, initializers, node outputs
    for (const onnx::TensorProto& t : g.initializer()) {
        if (t.name().empty()) fail("an initializer has no name");
        if (!defined.insert(t.name()).second) {
            fail("initializer '" + t.name() + "' is defined twice");
        }
    }
    std::set<std::string> initializers = defined;
    for (const onnx::ValueInfoProto& v : g.input()) {
        if (initializers.count(v.name())) continue;  // IR < 4 lists initializers as inputs
        if (v.name().empty()) fail("a graph input has no name");
        if (!defined.insert(v.name()).second)
            fail("graph input '" + v.name() + "' is defined twice");
        m_inputs.push_back(v.name());
    }
    std::vector<Node> nodes;
    nodes.reserve(static_cast<size_t>(g.node_size()));
    for (int i = 0; i < g.node_size(); ++i) {
        const onnx::NodeProto& p = g.node(i);
        Node n;
        n.proto = &p;
        n.index = static_cast<size_t>(i);
        n.op = p.op_type();
        n.domain = p.domain() == "ai.onnx" ? "" : p.domain();
        n.name = p.name().empty() ? "#" + std::to_string(i) + " " + p.op_type() : p.name();
        n.in.assign(p.input().begin(), p.input().end());
        n.out.assign(p.output().begin(), p.output().end());
        for (const onnx::AttributeProto& a : p.attribute()) {
            if (a.type() == onnx::AttributeProto::GRAPH ||
                a.type() == onnx::AttributeProto::GRAPHS) {
                fail(n, "control flow (subgraph attribute '" + a.name() +
                            "') is not supported: npusim runs a static dataflow graph");
            }
        }
        for (const std::string& o : n.out) {
            if (o.empty()) continue;
            if (!defined.insert(o).second) {
                fail(n, "output '" + o +
                            "' is already defined elsewhere (an ONNX graph assigns "
                            "each tensor once)");
            }
        }
        nodes.push_back(std::move(n));
    }
    for (const Node& n : nodes) {
        for (const std::string& x : n.in) {
            if (!x.empty() && defined.count(x) == 0) {
                fail(n, "input '" + x +
                            "' is not a graph input, an initializer or any node's "
                            "output");
            }
        }
    }
    // Kahn's algorithm; what is left over sits on a cycle.
    std::map<std::string, size_t> producer_index;
    for (const Node& n : nodes) {
        for (const std::string& o : n.out) {
            if (!o.empty()) producer_index[o] = n.index;
        }
    }
    std::vector<std::vector<size_t>> users(nodes.size());
    std::vector<size_t> pending(nodes.size(), 0);
    for (const Node& n : nodes) {
        std::set<size_t> deps;
        for (const std::string& x : n.in) {
            const auto it = producer_index.find(x);
            if (it != producer_index.end()) deps.insert(it->second);
        }
        pending[n.index] = deps.size();
        for (size_t d : deps) users[d].push_back(n.index);
    }
    std::priority_queue<size_t, std::vector<size_t>, std::greater<size_t>> ready;
    for (size_t i = 0; i < nodes.size(); ++i) {
        if (pending[i] == 0) ready.push(i);
    }
    std::vector<size_t> order;
    while (!ready.empty()) {
        const size_t i = ready.top();
        ready.pop();
        order.push_back(i);
        for (size_t u : users[i]) {
            if (--pending[u] == 0) ready.push(u);
        }
    }
    if (order.size() != nodes.size()) {
        std::string cycle;
        for (size_t i = 0; i < nodes.size(); ++i) {
            if (pending[i] > 0) cycle += (cycle.empty() ? "" : ", ") + nodes[i].label();
        }
        fail("expected an acyclic graph, found a cycle through " + cycle);
    }
    m_nodes.reserve(nodes.size());
    for (size_t i : order) m_nodes.push_back(std::move(nodes[i]));
    for (const Node& n : m_nodes) {
        for (const std::string& o : n.out) {
            if (!o.empty()) m_producer[o] = &n;
        }
        for (const std::string& x : n.in) {
            if (!x.empty()) m_consumers[x].push_back(&n);
        }
    }
    for (const onnx::ValueInfoProto& v : g.output()) {
        if (defined.count(v.name()) == 0) {
            fail("graph output '" + v.name() + "' is not produced by any node or input");
        }
        m_outputs.push_back(v.name());
        m_output_set.insert(v.name());
    }
    if (m_outputs.empty()) fail("expected at least one graph output, found none");
}

void Model::infer_shapes() {
    const auto collect = [this](const onnx::ValueInfoProto& v) {
        if (!v.type().has_tensor_type()) return;
        const onnx::TypeProto_Tensor& t = v.type().tensor_type();
        TensorInfo info;
        info.elem_type = t.elem_type();
        if (t.has_shape()) {
            std::vector<int64_t> s;
            for (const onnx::TensorShapeProto_Dimension& d : t.shape().dim()) {
                s.push_back(d.has_dim_value() && d.dim_value() >= 0 ? d.dim_value() : -1);
            }
            info.shape = s;
        }
        m_infos[v.name()] = info;
    };
    try {
        onnx::shape_inference::InferShapes(*m_proto, onnx::OpSchemaRegistry::Instance(),
                                           onnx::ShapeInferenceOptions(false, 0, true));
    } catch (const std::exception& e) {
        // The model is inconsistent in a way ONNX itself detects; report it as such.
        fail(std::string("ONNX shape inference rejects the model: ") + e.what());
    }
    const onnx::GraphProto& g = m_proto->graph();
    for (const auto& v : g.input()) collect(v);
    for (const auto& v : g.value_info()) collect(v);
    for (const auto& v : g.output()) collect(v);
}

void Model::read_constants() {
    onnx::GraphProto& g = *m_proto->mutable_graph();
    const TensorReader reader(*this, std::filesystem::path(m_path).parent_path().string());
    for (onnx::TensorProto& t : *g.mutable_initializer()) {
        m_consts[t.name()] = reader.read(t, "initializer '" + t.name() + "'");
    }
    for (const Node& n : m_nodes) {
        if (n.op != "Constant" || !n.domain.empty()) continue;
        if (n.out.size() != 1) fail(n, "expected one output");
        const onnx::AttributeProto* a = nullptr;
        for (const onnx::AttributeProto& x : n.proto->attribute()) a = &x;
        if (n.proto->attribute_size() != 1 || a == nullptr) {
            fail(n, "expected exactly one attribute (value, value_float(s) or value_int(s))");
        }
        Const c;
        if (a->name() == "value" && a->type() == onnx::AttributeProto::TENSOR) {
            onnx::TensorProto t = a->t();
            c = reader.read(t, n.label());
        } else if (a->name() == "value_float" && a->type() == onnx::AttributeProto::FLOAT) {
            c = make_const(kFloat, {});
            const float v = a->f();
            std::memcpy(c.raw.data(), &v, 4);
        } else if (a->name() == "value_int" && a->type() == onnx::AttributeProto::INT) {
            c = make_const(kInt64, {});
            const int64_t v = a->i();
            std::memcpy(c.raw.data(), &v, 8);
        } else if (a->name() == "value_floats" && a->type() == onnx::AttributeProto::FLOATS) {
            c = make_const(kFloat, {a->floats_size()});
            if (a->floats_size()) std::memcpy(c.raw.data(), a->floats().data(), c.raw.size());
        } else if (a->name() == "value_ints" && a->type() == onnx::AttributeProto::INTS) {
            c = make_const(kInt64, {a->ints_size()});
            if (a->ints_size()) std::memcpy(c.raw.data(), a->ints().data(), c.raw.size());
        } else {
            fail(n, "attribute '" + a->name() +
                        "' is not supported (value, value_float(s), "
                        "value_int(s))");
        }
        m_consts[n.out[0]] = std::move(c);
        m_folded.insert(n.index);
    }
}

void Model::fold_constants() {
    for (const Node& n : m_nodes) {
        if (m_folded.count(n.index)) continue;
        if (fold(n)) m_folded.insert(n.index);
    }
}

namespace {

// Broadcast index helper (numpy rules) for the folded element-wise ops.
bool broadcast_shape(const std::vector<int64_t>& a, const std::vector<int64_t>& b,
                     std::vector<int64_t>& out) {
    const size_t r = std::max(a.size(), b.size());
    out.assign(r, 1);
    for (size_t i = 0; i < r; ++i) {
        const int64_t x = i < r - a.size() ? 1 : a[i - (r - a.size())];
        const int64_t y = i < r - b.size() ? 1 : b[i - (r - b.size())];
        if (x != y && x != 1 && y != 1) return false;
        out[i] = std::max(x, y);
    }
    return true;
}

size_t broadcast_index(const std::vector<int64_t>& out_shape, size_t flat,
                       const std::vector<int64_t>& in_shape) {
    size_t idx = 0, stride = 1;
    const size_t r = out_shape.size();
    for (size_t k = r; k-- > 0;) {
        const int64_t coord = static_cast<int64_t>(flat % static_cast<size_t>(out_shape[k]));
        flat /= static_cast<size_t>(out_shape[k]);
        if (k >= r - in_shape.size()) {
            const int64_t d = in_shape[k - (r - in_shape.size())];
            if (d != 1) idx += static_cast<size_t>(coord) * stride;
            stride *= static_cast<size_t>(d);
        }
    }
    return idx;
}

void set_value(Const& c, size_t k, double v) {
    char* p = c.raw.data();
    switch (c.dtype) {
        case kFloat: {
            const float f = static_cast<float>(v);
            std::memcpy(p + k * 4, &f, 4);
            return;
        }
        case kDouble:
            std::memcpy(p + k * 8, &v, 8);
            return;
        default: {
            const int64_t i = static_cast<int64_t>(v);
            std::memcpy(p + k * elem_size(c.dtype), &i, elem_size(c.dtype));
            return;
        }
    }
}

void set_int(Const& c, size_t k, int64_t v) {
    if (c.is_float()) {
        set_value(c, k, static_cast<double>(v));
        return;
    }
    std::memcpy(c.raw.data() + k * elem_size(c.dtype), &v, elem_size(c.dtype));
}

}  // namespace

// Folds one node whose inputs are all constants (or, for Shape, whose input shape is known).
// Returns false when the node is not foldable (it stays for the importer).
bool Model::fold(const Node& n) {
    if (!n.domain.empty() || n.out.size() != 1 || n.out[0].empty()) return false;
    static const std::set<std::string> kFoldable = {
        "Identity", "Cast",   "Mul",       "Div",     "Add",    "Sub",     "ConstantOfShape",
        "Shape",    "Gather", "Unsqueeze", "Squeeze", "Concat", "Reshape", "Neg"};
    if (kFoldable.count(n.op) == 0) return false;
    if (n.op == "Shape") {
        if (!n.has_input(0)) return false;
        std::vector<int64_t> shape;
        if (const Const* c = constant(n.in[0])) {
            shape = c->shape;
        } else if (const TensorInfo* ti = info(n.in[0]); ti && ti->shape) {
            shape = *ti->shape;
            if (std::find(shape.begin(), shape.end(), -1) != shape.end()) return false;
        } else {
            return false;
        }
        Const c = make_const(kInt64, {static_cast<int64_t>(shape.size())});
        for (size_t k = 0; k < shape.size(); ++k) set_int(c, k, shape[k]);
        m_consts[n.out[0]] = std::move(c);
        return true;
    }
    std::vector<const Const*> in;
    for (size_t i = 0; i < n.in.size(); ++i) {
        if (n.in[i].empty()) {
            in.push_back(nullptr);
            continue;
        }
        const Const* c = constant(n.in[i]);
        if (c == nullptr) return false;
        if (c->elems() > kMaxFoldElems) return false;
        in.push_back(c);
    }
    if (in.empty() || in[0] == nullptr) {
        if (n.op != "ConstantOfShape") return false;
    }
    Const out;
    const auto need_inputs = [&](size_t k) {
        if (in.size() < k) fail(n, "expected " + std::to_string(k) + " inputs");
    };
    if (n.op == "Identity") {
        out = *in[0];
    } else if (n.op == "Cast") {
        const int to = static_cast<int>(attr_int(n, "to", 0));
        if (elem_size(to) == 0) fail(n, "Cast to " + elem_type_name(to) + " is not supported");
        out = make_const(to, in[0]->shape);
        for (size_t k = 0; k < static_cast<size_t>(out.elems()); ++k) {
            if (in[0]->is_float() && !out.is_float()) {
                const double v = in[0]->real(k);
                if (!std::isfinite(v)) fail(n, "casts a non-finite value to an integer");
                set_int(out, k, static_cast<int64_t>(std::trunc(v)));  // as static_cast does
            } else if (out.is_float()) {
                set_value(out, k, in[0]->real(k));
            } else {
                set_int(out, k, in[0]->integer(k));
            }
        }
    } else if (n.op == "Neg") {
        out = *in[0];
        for (size_t k = 0; k < static_cast<size_t>(out.elems()); ++k) {
            if (out.is_float()) {
                set_value(out, k, -in[0]->real(k));
            } else {
                set_int(out, k, -in[0]->integer(k));
            }
        }
    } else if (n.op == "Mul" || n.op == "Div" || n.op == "Add" || n.op == "Sub") {
        need_inputs(2);
        const Const& a = *in[0];
        const Const& b = *in[1];
        if (a.dtype != b.dtype) fail(n, "inputs of different element types");
        std::vector<int64_t> shape;
        if (!broadcast_shape(a.shape, b.shape, shape)) {
            fail(n, "input shapes " + shape_text(a.shape) + " and " + shape_text(b.shape) +
                        " do not broadcast");
        }
        out = make_const(a.dtype, shape);
        for (size_t k = 0; k < static_cast<size_t>(out.elems()); ++k) {
            const size_t ia = broadcast_index(shape, k, a.shape);
            const size_t ib = broadcast_index(shape, k, b.shape);
            if (a.dtype == kFloat) {
                // float32 arithmetic, as ONNX Runtime folds it.
                const float x = static_cast<float>(a.real(ia));
                const float y = static_cast<float>(b.real(ib));
                const float r = n.op == "Mul"   ? x * y
                                : n.op == "Div" ? x / y
                                : n.op == "Add" ? x + y
                                                : x - y;
                set_value(out, k, r);
            } else if (a.is_float()) {
                const double x = a.real(ia), y = b.real(ib);
                set_value(out, k,
                          n.op == "Mul"   ? x * y
                          : n.op == "Div" ? x / y
                          : n.op == "Add" ? x + y
                                          : x - y);
            } else {
                const int64_t x = a.integer(ia), y = b.integer(ib);
                if (n.op == "Div" && y == 0) fail(n, "divides an integer by zero");
                set_int(out, k,
                        n.op == "Mul"   ? x * y
                        : n.op == "Div" ? x / y
                        : n.op == "Add" ? x + y
                                        : x - y);
            }
        }
    } else if (n.op == "ConstantOfShape") {
        std::vector<int64_t> shape;
        if (!in.empty() && in[0] != nullptr) shape = in[0]->ints();
        int64_t elems = 1;
        for (int64_t d : shape) {
            if (d < 0 || (d != 0 && elems > kMaxFoldElems / d)) return false;
            elems *= d;
        }
        Const value = make_const(kFloat, {});
        if (const onnx::AttributeProto* a = attr(n, "value")) {
            if (a->type() != onnx::AttributeProto::TENSOR)
                fail(n, "attribute 'value': expected a tensor");
            onnx::TensorProto t = a->t();
            const TensorReader reader(*this, "");
            value = reader.read(t, n.label() + " attribute 'value'");
            if (value.elems() != 1) fail(n, "attribute 'value': expected one element");
        }
        out = make_const(value.dtype, shape);
        for (size_t k = 0; k < static_cast<size_t>(out.elems()); ++k) {
            std::memcpy(out.raw.data() + k * elem_size(out.dtype), value.raw.data(),
                        elem_size(out.dtype));
        }
    } else if (n.op == "Unsqueeze" || n.op == "Squeeze" || n.op == "Reshape") {
        out = *in[0];
        std::vector<int64_t> axes;
        if (n.op == "Reshape") {
            need_inputs(2);
            std::vector<int64_t> shape = in[1]->ints();
            int64_t known = 1;
            int wild = -1;
            for (size_t i = 0; i < shape.size(); ++i) {
                if (shape[i] == 0) shape[i] = i < in[0]->shape.size() ? in[0]->shape[i] : 0;
                if (shape[i] == -1) {
                    wild = static_cast<int>(i);
                } else {
                    known *= shape[i];
                }
            }
            if (wild >= 0 && known > 0) shape[static_cast<size_t>(wild)] = in[0]->elems() / known;
            out.shape = shape;
            if (out.elems() != in[0]->elems()) fail(n, "reshapes to a different element count");
        } else {
            axes = in.size() > 1 && in[1] ? in[1]->ints() : attr_ints(n, "axes");
            const int64_t rank = static_cast<int64_t>(in[0]->shape.size()) +
                                 (n.op == "Unsqueeze" ? static_cast<int64_t>(axes.size()) : 0);
            for (int64_t& a : axes) {
                if (a < 0) a += rank;
                if (a < 0 || a >= rank) fail(n, "axis out of range");
            }
            std::sort(axes.begin(), axes.end());
            if (n.op == "Unsqueeze") {
                for (int64_t a : axes) out.shape.insert(out.shape.begin() + a, 1);
            } else {
                std::vector<int64_t> s;
                for (size_t i = 0; i < in[0]->shape.size(); ++i) {
                    const bool drop = axes.empty() ? in[0]->shape[i] == 1
                                                   : std::binary_search(axes.begin(), axes.end(),
                                                                        static_cast<int64_t>(i));
                    if (!drop) s.push_back(in[0]->shape[i]);
                }
                out.shape = s;
            }
        }
    } else if (n.op == "Gather") {
        need_inputs(2);
        const Const& data = *in[0];
        const Const& idx = *in[1];
        if (data.shape.size() != 1 || attr_int(n, "axis", 0) != 0) return false;
        out = make_const(data.dtype, idx.shape);
        const size_t es = elem_size(data.dtype);
        for (size_t k = 0; k < static_cast<size_t>(idx.elems()); ++k) {
            int64_t i = idx.integer(k);
            if (i < 0) i += data.shape[0];
            if (i < 0 || i >= data.shape[0]) fail(n, "index out of range");
            std::memcpy(out.raw.data() + k * es, data.raw.data() + static_cast<size_t>(i) * es, es);
        }
    } else if (n.op == "Concat") {
        const int64_t axis = attr_int(n, "axis", 0);
        for (const Const* c : in) {
            if (c == nullptr || c->shape.size() != 1) return false;
        }
        if (axis != 0 && axis != -1) return false;
        int64_t total = 0;
        for (const Const* c : in) {
            if (c->dtype != in[0]->dtype) fail(n, "inputs of different element types");
            total += c->shape[0];
        }
        out = make_const(in[0]->dtype, {total});
        size_t at = 0;
        for (const Const* c : in) {
            std::memcpy(out.raw.data() + at, c->raw.data(), c->raw.size());
            at += c->raw.size();
        }
    } else {
        return false;
    }
    m_consts[n.out[0]] = std::move(out);
    return true;
}

}  // namespace npu::frontend::onnx_detail

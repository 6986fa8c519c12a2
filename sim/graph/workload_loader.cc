#include "sim/graph/workload_loader.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <sstream>

#include "sim/core/edit_distance.h"
#include "sim/core/error.h"
#include "sim/core/huge_pages.h"
#include "sim/core/input_file.h"
#include "sim/core/npy.h"
#include "sim/core/yaml_messages.h"
#include "sim/graph/seeded_bytes.h"
#include "sim/kernels/isa.h"

namespace npu::graph {

uint64_t splitmix64(uint64_t x) {
    x += 0x9e3779b97f4a7c15ull;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
    return x ^ (x >> 31);
}

DataGenerator::DataGenerator(uint64_t seed, uint64_t stream)
    : m_engine(splitmix64(seed ^ splitmix64(stream))) {}

int64_t DataGenerator::uniform_int(int64_t lo, int64_t hi) {
    const uint64_t span = static_cast<uint64_t>(hi) - static_cast<uint64_t>(lo) + 1;  // 0: all 2^64
    if (span == 0) return static_cast<int64_t>(m_engine());
    // Reject the top partial block so every residue is equally likely.
    const uint64_t limit = std::numeric_limits<uint64_t>::max() -
                           (std::numeric_limits<uint64_t>::max() % span + 1) % span;
    uint64_t x = m_engine();
    while (x > limit) x = m_engine();
    return static_cast<int64_t>(static_cast<uint64_t>(lo) + x % span);
}

double DataGenerator::uniform_unit() { return static_cast<double>(m_engine() >> 11) * 0x1.0p-53; }

namespace {

using seeded::draw_bytes;
using seeded::LowBits;
using seeded::Mod255;
using seeded::Remainder;

// draw_bytes compiled for the generic target and for the wider vector units (as sim/kernels'
// paths: per-function target attributes, chosen by kernels::active_isa()); the same bytes on
// every path, integer operations only.
template <typename Map>
void draw_portable(kernels::Mt19937_64& e, int8_t* out, size_t n, uint64_t limit, Map map) {
    draw_bytes(e, out, n, limit, map);
}
template <typename Map>
__attribute__((target("avx2"))) void draw_avx2(kernels::Mt19937_64& e, int8_t* out, size_t n,
                                               uint64_t limit, Map map) {
    draw_bytes(e, out, n, limit, map);
}
template <typename Map>
__attribute__((target("avx512f,avx512bw"))) void draw_avx512(kernels::Mt19937_64& e, int8_t* out,
                                                             size_t n, uint64_t limit, Map map) {
    draw_bytes(e, out, n, limit, map);
}

template <typename Map>
void draw(kernels::Mt19937_64& e, int8_t* out, size_t n, uint64_t limit, Map map) {
    switch (kernels::active_isa()) {
        case kernels::Isa::kAvx512Vnni:
            draw_avx512(e, out, n, limit, map);
            return;
        case kernels::Isa::kAvx2:
            draw_avx2(e, out, n, limit, map);
            return;
        case kernels::Isa::kPortable:
            break;
    }
    draw_portable(e, out, n, limit, map);
}

}  // namespace

std::vector<int8_t> DataGenerator::int8s(size_t count, int lo, int hi) {
    // uniform_int(lo, hi) per element, its constants computed once and its remainder without a
    // division: the same draws, so the same bytes (a unit test holds it to uniform_int).
    const uint64_t span = static_cast<uint64_t>(int64_t{hi} - lo) + 1;  // in [1, 2^32]
    constexpr uint64_t kMax = std::numeric_limits<uint64_t>::max();
    const uint64_t limit = kMax - (kMax % span + 1) % span;
    std::vector<int8_t> v;
    v.reserve(count);
    advise_huge_pages(v.data(), count);
    v.resize(count);
    const auto base = static_cast<uint64_t>(static_cast<int64_t>(lo));
    if ((span & (span - 1)) == 0) {
        draw(m_engine, v.data(), count, limit, LowBits{base, span - 1});
    } else if (span == 255) {
        draw(m_engine, v.data(), count, limit, Mod255{base});
    } else {
        draw(m_engine, v.data(), count, limit,
             Remainder{base, span, ~Remainder::U128{0} / span + 1});
    }
    return v;
}

namespace {

// Bounds that keep every derived quantity inside int and the generated tensors reasonable.
constexpr int64_t kMaxDim = 65536;                     // H, W, C, out_channels, n, m
constexpr int64_t kMaxWindow = 1024;                   // kernel, stride, dilation, padding
constexpr int64_t kMaxTensorElems = int64_t{1} << 28;  // any one tensor (256 Mi elements)
// |x - zp| <= 255 and |w| <= 127, so |acc| <= K * 32385 + max|bias| must stay below 2^31.
constexpr int64_t kMaxTermMagnitude = 255 * 127;

const std::vector<std::string> kTopKeys = {
    "name", "description", "seed", "batch", "input", "inputs", "layers", "calibration", "samples"};
const std::vector<std::string> kCalibrationKeys = {"file",       "count",   "method",
                                                   "percentile", "weights", "activations"};
const std::vector<std::string> kSamplesKeys = {"file", "labels", "count"};
const std::vector<std::string> kNamedInputKeys = {"name", "shape", "scale", "zero_point", "views"};
const std::vector<std::string> kInputKeys = {"shape", "scale", "zero_point", "views"};
const std::vector<std::string> kViewKeys = {"name", "type", "shape", "dims", "perm"};
const std::vector<std::string> kCommonLayerKeys = {"name",  "op",   "inputs",   "precision",
                                                   "views", "fuse", "partition"};

struct OpInfo {
    const char* name;
    OpKind kind;
    std::vector<std::string> keys;  // besides kCommonLayerKeys
};

const std::vector<OpInfo> kOps = {
    {"conv2d",
     OpKind::kConv2d,
     {"out_channels", "kernel", "stride", "padding", "dilation", "groups", "weights",
      "weight_scale", "bias", "activation", "output", "mapping"}},
    {"gemm",
     OpKind::kGemm,
     {"n", "m", "weights", "weight_scale", "bias", "activation", "output", "mapping"}},
    {"matmul",
     OpKind::kMatmul,
     {"heads", "a_layout", "b_layout", "out_layout", "transpose_b", "activation", "output",
      "mapping"}},
    {"add", OpKind::kAdd, {"activation", "output"}},
    {"mul", OpKind::kMul, {"activation", "output"}},
    {"maxpool", OpKind::kMaxPool, {"kernel", "stride", "padding", "output"}},
    {"avgpool", OpKind::kAvgPool, {"kernel", "stride", "padding", "output"}},
    {"global_avgpool", OpKind::kGlobalAvgPool, {"output"}},
    {"softmax", OpKind::kSoftmax, {"output"}},
    {"layernorm", OpKind::kLayerNorm, {"output", "gamma", "beta"}},
    {"rmsnorm", OpKind::kRmsNorm, {"output", "gamma"}},
    {"gelu", OpKind::kGelu, {"output"}},
    {"silu", OpKind::kSilu, {"output"}},
    {"reshape", OpKind::kReshape, {"shape"}},
    {"concat", OpKind::kConcat, {}},
    {"lookup", OpKind::kLookup, {"table", "function", "alpha", "output"}},
};

const OpInfo& op_info(OpKind k) {
    for (const OpInfo& o : kOps) {
        if (o.kind == k) return o;
    }
    return kOps.front();
}

std::vector<std::string> op_names() {
    std::vector<std::string> v;
    for (const OpInfo& o : kOps) v.push_back(o.name);
    return v;
}

// Every op-specific key of any op (for "key does not apply to op X").
std::vector<std::string> all_op_keys() {
    std::vector<std::string> v;
    for (const OpInfo& o : kOps) {
        for (const auto& k : o.keys) {
            if (std::find(v.begin(), v.end(), k) == v.end()) v.push_back(k);
        }
    }
    return v;
}

bool has_key(OpKind k, const std::string& key) {
    const auto& keys = op_info(k).keys;
    return std::find(keys.begin(), keys.end(), key) != keys.end();
}
const std::vector<std::string> kOutputKeys = {"scale", "zero_point"};
const std::vector<std::string> kMappingKeys = {"rows_per_block", "k_chunk", "dataflow", "order"};

// A name ends up in reports, CSV and JSON: non-empty, printable UTF-8.
bool good_name(const YAML::Node& n) {
    return n.IsScalar() && !n.Scalar().empty() && printable_utf8(n.Scalar());
}
constexpr const char* kNameExpected = "expected a non-empty name of printable UTF-8 text, found ";

std::string describe(const YAML::Node& n) {
    switch (n.Type()) {
        case YAML::NodeType::Scalar:
            return in_quotes(n.Scalar());
        case YAML::NodeType::Sequence:
            return "a list of " + std::to_string(n.size());
        case YAML::NodeType::Map:
            return "a map";
        default:
            return "nothing";
    }
}

std::string did_you_mean(const std::string& word, const std::vector<std::string>& options) {
    std::string best;
    size_t best_d = std::max<size_t>(2, word.size() / 3) + 1;
    for (const auto& o : options) {
        // The distance is at least the difference in length: skip what cannot be closer.
        if (length_gap(word, o) >= best_d) continue;
        const size_t d = edit_distance(word, o);
        if (d < best_d) {
            best_d = d;
            best = o;
        }
    }
    return best.empty() ? "" : " (did you mean '" + best + "'?)";
}

std::string join_list(const std::vector<std::string>& v) {
    std::string s;
    for (const auto& x : v) s += (s.empty() ? "" : ", ") + x;
    return s;
}

std::string child(const std::string& path, const std::string& key) {
    return path.empty() ? key : path + "." + key;
}

std::optional<int64_t> parse_int(const std::string& s) {
    if (s.empty()) return std::nullopt;
    size_t i = (s[0] == '-' || s[0] == '+') ? 1 : 0;
    if (i == s.size()) return std::nullopt;
    for (size_t j = i; j < s.size(); ++j) {
        if (s[j] < '0' || s[j] > '9') return std::nullopt;
    }
    errno = 0;
    char* end = nullptr;
    const long long v = std::strtoll(s.c_str(), &end, 10);
    if (errno == ERANGE || *end != '\0') return std::nullopt;
    return static_cast<int64_t>(v);
}

std::optional<double> parse_number(const std::string& s) {
    if (s.empty() || std::isspace(static_cast<unsigned char>(s[0]))) return std::nullopt;
    errno = 0;
    char* end = nullptr;
    const double v = std::strtod(s.c_str(), &end);
    if (errno == ERANGE || *end != '\0' || !std::isfinite(v)) return std::nullopt;
    // strtod also reads hex floats and "infinity"; allow only decimal notation.
    if (s.find_first_of("xXnN") != std::string::npos) return std::nullopt;
    return v;
}

struct Pair {
    int64_t h = 1, w = 1;
};

enum class PadMode { kExplicit, kSame, kValid };

struct LayerSpec {
    YAML::Node node;
    std::string path;  // "layers[3]"
    std::string name;
    std::optional<OpKind> op;
    // conv2d
    int64_t out_c = 0;
    Pair kernel, stride, dilation;
    PadMode pad_mode = PadMode::kExplicit;
    int64_t pads[4] = {0, 0, 0, 0};  // top, bottom, left, right
    // gemm
    int64_t n = 0;
    std::optional<int64_t> m;
    // quantization
    enum class ScaleKind { kScalar, kList, kRange } w_scale_kind = ScaleKind::kScalar;
    std::vector<double> w_scales;  // kScalar: one value; kList: out_c values
    double w_scale_min = 0, w_scale_max = 0;
    enum class BiasKind { kRandom, kZero, kList, kFile } bias_kind = BiasKind::kRandom;
    // Float weights / bias (`{file: ...}`, paths as written; float networks only).
    std::string weights_file, bias_file;
    YAML::Node weights_node, bias_node;
    std::optional<Precision> precision;
    std::vector<int32_t> bias_list;
    Activation activation = Activation::kNone;
    double clamp_min = 0, clamp_max = 0;
    bool out_scale_auto = true, out_zp_auto = true;
    double out_scale = 1.0;
    int64_t out_zp = 0;
    YAML::Node output_node;  // for errors found after generation
    bool geometry_ok = true;
    // v2
    int64_t groups = 1;
    std::vector<std::string> inputs;  // empty: the previous layer's output
    YAML::Node inputs_node;
    int64_t heads = 1;
    bool a_interleaved = false, b_interleaved = false, transpose_b = false, out_interleaved = false;
    std::vector<int64_t> reshape;  // reshape: target shape, one entry may be -1
    // A default YAML::Node is "defined" (null), so presence is tracked separately.
    bool has_inputs = false, has_output = false;
    // mapping: {rows_per_block, k_chunk, dataflow} (0 / nullopt: not pinned)
    int64_t pin_rows = 0, pin_k_chunk = 0;
    std::optional<Dataflow> pin_dataflow;
    std::optional<LoopOrder> pin_order;
    std::optional<bool> pin_fuse;            // fuse: true | false
    std::optional<Partition> pin_partition;  // partition: channel | spatial
    // lookup: the table (256 int8 entries, indexed by q + 128), or the function it follows from
    std::vector<int8_t> table;
    LookupFunction lookup_function = LookupFunction::kNone;
    float lookup_alpha = 0.01f;
    // layernorm/rmsnorm: gamma/beta {file: F} (float32, one per element of the last dimension)
    std::string gamma_file, beta_file;
};

// A declared tensor (`input:` or an entry of `inputs:`).
struct InputSpec {
    std::string name;
    std::string path;  // "input" or "inputs[1]"
    std::vector<int64_t> shape;
    QuantParams quant;
    YAML::Node shape_node;
    bool v1 = false;  // the `input:` form
    bool ok = true;
};

// A tensor known while the geometry is resolved.
struct TensorSlot {
    std::vector<int64_t> shape;
    int source = 0;   // >= 0: the producing layer; < 0: -(declared input + 1)
    bool ok = false;  // false: its definition had errors (reported there)
};

class Loader {
  public:
    Loader(std::string file, const LoadOptions& options)
        : m_file(std::move(file)), m_options(options) {}
    Workload load(const std::string& text);

  private:
    std::string m_file;
    LoadOptions m_options;
    DiagnosticList m_diags;
    bool m_float = false;  // a float network: some layer has `weights: {file: ...}` (and no
                           // weight_scale: quantized weights from a file come with their scales)

    void error(const YAML::Mark& mark, const std::string& key, const std::string& message) {
        const bool known = mark.line >= 0;
        m_diags.add({m_file, known ? mark.line + 1 : 0, known ? mark.column + 1 : 0, key, message});
    }
    // A node looked up by a missing key has no position (yaml-cpp throws on asking for it): the
    // message then carries its key path alone.
    void error(const YAML::Node& at, const std::string& key, const std::string& message) {
        error(at.IsDefined() ? at.Mark() : YAML::Mark::null_mark(), key, message);
    }
    // A location (file:line:col of `at`, key) for a problem found after loading.
    [[nodiscard]] Diagnostic where(const YAML::Node& at, const std::string& key) const {
        const YAML::Mark mark = at.IsDefined() ? at.Mark() : YAML::Mark::null_mark();
        const bool known = mark.line >= 0;
        return {m_file, known ? mark.line + 1 : 0, known ? mark.column + 1 : 0, key, ""};
    }

    // Reports unknown and duplicate keys of `map`. Keys in `foreign` belong to another op.
    void check_keys(const YAML::Node& map, const std::string& path,
                    const std::vector<std::string>& allowed,
                    const std::vector<std::string>& foreign = {}, const std::string& op_name = "");
    bool expect_map(const YAML::Node& n, const std::string& path, const std::string& what);

    std::optional<int64_t> get_int(const YAML::Node& n, const std::string& path, int64_t lo,
                                   int64_t hi);
    std::optional<double> get_positive(const YAML::Node& n, const std::string& path);
    std::optional<double> get_number(const YAML::Node& n, const std::string& path);
    std::optional<Pair> get_pair(const YAML::Node& n, const std::string& path, int64_t lo,
                                 int64_t hi);

    void parse_layer(const YAML::Node& n, int index, LayerSpec& spec);
    void parse_geometry(LayerSpec& spec);
    void parse_padding(const YAML::Node& n, LayerSpec& spec);
    void parse_quant(LayerSpec& spec, bool out_c_known);
    void parse_output(const YAML::Node& n, LayerSpec& spec);
    void parse_activation(const YAML::Node& n, LayerSpec& spec);
    void parse_mapping(const YAML::Node& n, LayerSpec& spec);
    std::optional<std::string> parse_file_ref(const YAML::Node& n, const std::string& path);
    std::string resolve_path(const std::string& file) const;
    std::optional<std::vector<char>> read_file_exact(const YAML::Node& at, const std::string& path,
                                                     const std::string& file, int64_t bytes,
                                                     const std::string& what);
    std::optional<std::vector<float>> read_floats(const YAML::Node& at, const std::string& path,
                                                  const std::string& file, int64_t count,
                                                  const std::string& what);
    void parse_calibration(const YAML::Node& n, const InputSpec* first, Workload& w);
    std::optional<YAML::Node> image_file(const YAML::Node& n, const std::string& path);
    void parse_samples(const YAML::Node& n, const InputSpec* first, Workload& w);
    std::optional<std::vector<std::vector<float>>> npy_images(const YAML::Node& f,
                                                              const std::string& path,
                                                              const InputSpec& input,
                                                              const Workload& w);
    std::optional<int64_t> sample_count(const YAML::Node& n, const std::string& path,
                                        const std::string& file, int64_t elems);
    InputSpec parse_input(const YAML::Node& n, const std::string& path, const std::string& name,
                          bool v1);
    void resolve_window(const LayerSpec& spec, Layer& l);
    std::vector<int64_t> layer_geometry(const LayerSpec& spec, Layer& l,
                                        const std::vector<const TensorSlot*>& in,
                                        const std::vector<std::string>& names,
                                        const std::vector<int>& src,
                                        const std::vector<InputSpec>& in_specs, size_t index);
    void check_float_layer(const LayerSpec& spec);
    void read_float_params(const LayerSpec& spec, Layer& l);
    const npy::Array* read_array(const YAML::Node& at, const std::string& path,
                                 const std::string& file, npy::DType dtype, int64_t count,
                                 const std::string& what);
    std::vector<std::unique_ptr<npy::Array>> m_arrays;  // side files read from disk
    void read_int_params(const LayerSpec& spec, Layer& l);
    void read_norm_params(const LayerSpec& spec, Layer& l);
    void parse_views(const YAML::Node& n, const std::string& path, const std::string& tensor,
                     Workload& w);
    void parse_table(const YAML::Node& n, LayerSpec& spec);
    bool input_count_ok(const LayerSpec& spec, size_t count);
};

void Loader::check_keys(const YAML::Node& map, const std::string& path,
                        const std::vector<std::string>& allowed,
                        const std::vector<std::string>& foreign, const std::string& op_name) {
    std::set<std::string> seen;
    for (auto it = map.begin(); it != map.end(); ++it) {
        const YAML::Node key = it->first;  // a copy: GCC 12 -O2 warns on a reference here
        if (!key.IsScalar()) {
            error(key, path, "expected a key name, found " + describe(key));
            continue;
        }
        const std::string& k = key.Scalar();
        if (!seen.insert(k).second) {
            error(key, child(path, k), "duplicate key");
            continue;
        }
        if (std::find(allowed.begin(), allowed.end(), k) != allowed.end()) continue;
        if (std::find(foreign.begin(), foreign.end(), k) != foreign.end()) {
            error(key, child(path, k), "key does not apply to op " + op_name);
            continue;
        }
        error(
            key, child(path, k), "unknown key" + [&] {
                const std::string hint = did_you_mean(k, allowed);
                return hint.empty() ? "; expected one of: " + join_list(allowed) : hint;
            }());
    }
}

bool Loader::expect_map(const YAML::Node& n, const std::string& path, const std::string& what) {
    if (n.IsMap()) return true;
    error(n, path, "expected " + what + ", found " + describe(n));
    return false;
}

std::optional<int64_t> Loader::get_int(const YAML::Node& n, const std::string& path, int64_t lo,
                                       int64_t hi) {
    std::optional<int64_t> v;
    if (n.IsScalar()) v = parse_int(n.Scalar());
    if (!v || *v < lo || *v > hi) {
        error(n, path,
              "expected an integer in [" + std::to_string(lo) + ", " + std::to_string(hi) +
                  "], found " + describe(n));
        return std::nullopt;
    }
    return v;
}

std::optional<double> Loader::get_number(const YAML::Node& n, const std::string& path) {
    std::optional<double> v;
    if (n.IsScalar()) v = parse_number(n.Scalar());
    if (!v) error(n, path, "expected a number, found " + describe(n));
    return v;
}

std::optional<double> Loader::get_positive(const YAML::Node& n, const std::string& path) {
    std::optional<double> v;
    if (n.IsScalar()) v = parse_number(n.Scalar());
    if (!v || *v <= 0.0) {
        error(n, path, "expected a number > 0, found " + describe(n));
        return std::nullopt;
    }
    return v;
}

std::optional<Pair> Loader::get_pair(const YAML::Node& n, const std::string& path, int64_t lo,
                                     int64_t hi) {
    const std::string range = "[" + std::to_string(lo) + ", " + std::to_string(hi) + "]";
    if (n.IsScalar()) {
        const auto v = parse_int(n.Scalar());
        if (v && *v >= lo && *v <= hi) return Pair{*v, *v};
    } else if (n.IsSequence() && n.size() == 2) {
        const auto h = get_int(n[0], path + "[0]", lo, hi);
        const auto w = get_int(n[1], path + "[1]", lo, hi);
        if (h && w) return Pair{*h, *w};
        return std::nullopt;
    }
    error(n, path,
          "expected an integer in " + range + " or a list [h, w] of them, found " + describe(n));
    return std::nullopt;
}

void Loader::parse_padding(const YAML::Node& n, LayerSpec& spec) {
    const std::string path = child(spec.path, "padding");
    if (n.IsScalar() && (n.Scalar() == "same" || n.Scalar() == "valid")) {
        spec.pad_mode = n.Scalar() == "same" ? PadMode::kSame : PadMode::kValid;
        return;
    }
    if (n.IsScalar()) {
        const auto v = parse_int(n.Scalar());
        if (v && *v >= 0 && *v <= kMaxWindow) {
            std::fill(std::begin(spec.pads), std::end(spec.pads), *v);
            return;
        }
    } else if (n.IsSequence() && (n.size() == 2 || n.size() == 4)) {
        int64_t v[4] = {0, 0, 0, 0};
        bool ok = true;
        for (size_t i = 0; i < n.size(); ++i) {
            const auto x = get_int(n[i], path + "[" + std::to_string(i) + "]", 0, kMaxWindow);
            ok = ok && x.has_value();
            if (x) v[i] = *x;
        }
        if (!ok) {
            spec.geometry_ok = false;
            return;
        }
        if (n.size() == 2) {  // [vertical, horizontal]
            spec.pads[0] = spec.pads[1] = v[0];
            spec.pads[2] = spec.pads[3] = v[1];
        } else {
            std::copy(std::begin(v), std::end(v), std::begin(spec.pads));
        }
        return;
    }
    spec.geometry_ok = false;
    error(n, path,
          "expected an integer in [0, " + std::to_string(kMaxWindow) +
              "], [vertical, horizontal], [top, bottom, left, right], 'same' or 'valid', found " +
              describe(n));
}

void Loader::parse_geometry(LayerSpec& spec) {
    const YAML::Node& n = spec.node;
    const size_t before = m_diags.items().size();
    const OpKind op = *spec.op;
    if (op == OpKind::kConv2d || op == OpKind::kMaxPool || op == OpKind::kAvgPool) {
        if (op == OpKind::kConv2d) {
            if (const YAML::Node v = n["out_channels"]) {
                if (auto x = get_int(v, child(spec.path, "out_channels"), 1, kMaxDim)) {
                    spec.out_c = *x;
                }
            } else {
                error(n, spec.path, "missing required key 'out_channels'");
            }
            if (const YAML::Node v = n["groups"]) {
                if (auto x = get_int(v, child(spec.path, "groups"), 1, kMaxDim)) spec.groups = *x;
            }
            if (const YAML::Node v = n["dilation"]) {
                if (auto p = get_pair(v, child(spec.path, "dilation"), 1, kMaxWindow)) {
                    spec.dilation = *p;
                }
            }
        }
        if (const YAML::Node v = n["kernel"]) {
            if (auto p = get_pair(v, child(spec.path, "kernel"), 1, kMaxWindow)) spec.kernel = *p;
        } else {
            error(n, spec.path, "missing required key 'kernel'");
        }
        if (const YAML::Node v = n["stride"]) {
            if (auto p = get_pair(v, child(spec.path, "stride"), 1, kMaxWindow)) spec.stride = *p;
        }
        if (const YAML::Node v = n["padding"]) parse_padding(v, spec);
    } else if (op == OpKind::kGemm) {
        if (const YAML::Node v = n["n"]) {
            if (auto x = get_int(v, child(spec.path, "n"), 1, kMaxDim)) spec.n = *x;
        } else {
            error(n, spec.path, "missing required key 'n'");
        }
        if (const YAML::Node v = n["m"]) spec.m = get_int(v, child(spec.path, "m"), 1, kMaxDim);
        if (n["m"] && !spec.m) spec.geometry_ok = false;
    }
    if (m_diags.items().size() != before) spec.geometry_ok = false;
}

void Loader::parse_output(const YAML::Node& n, LayerSpec& spec) {
    const std::string path = child(spec.path, "output");
    spec.output_node = n;
    spec.has_output = true;
    if (n.IsScalar() && n.Scalar() == "auto") return;  // both auto
    if (!expect_map(n, path, "a map {scale, zero_point} or 'auto'")) return;
    check_keys(n, path, kOutputKeys);
    if (const YAML::Node s = n["scale"]) {
        if (!(s.IsScalar() && s.Scalar() == "auto")) {
            spec.out_scale_auto = false;
            if (auto v = get_positive(s, child(path, "scale"))) spec.out_scale = *v;
        }
    } else {
        error(n, path, "missing required key 'scale' (a number > 0 or 'auto')");
    }
    if (const YAML::Node z = n["zero_point"]) {
        if (!(z.IsScalar() && z.Scalar() == "auto")) {
            spec.out_zp_auto = false;
            if (auto v = get_int(z, child(path, "zero_point"), -128, 127)) spec.out_zp = *v;
        }
    } else if (!spec.out_scale_auto) {
        spec.out_zp_auto = false;  // an explicit scale with no zero point: symmetric
    }
}

void Loader::parse_activation(const YAML::Node& n, LayerSpec& spec) {
    const std::string path = child(spec.path, "activation");
    const std::vector<std::string> names = {"none", "relu", "relu6"};
    if (n.IsScalar()) {
        const std::string& s = n.Scalar();
        if (s == "none") return;
        if (s == "relu") {
            spec.activation = Activation::kRelu;
            return;
        }
        if (s == "relu6") {
            spec.activation = Activation::kRelu6;
            return;
        }
    } else if (n.IsMap() && n.size() == 1 && n["clamp"]) {
        const YAML::Node c = n["clamp"];
        const std::string cpath = child(path, "clamp");
        if (c.IsSequence() && c.size() == 2) {
            const auto lo = get_number(c[0], cpath + "[0]");
            const auto hi = get_number(c[1], cpath + "[1]");
            if (lo && hi && *lo >= *hi) {
                error(c, cpath,
                      "expected [min, max] with min < max, found " + c[0].Scalar() +
                          " >= " + c[1].Scalar());
            } else if (lo && hi) {
                spec.activation = Activation::kClamp;
                spec.clamp_min = *lo;
                spec.clamp_max = *hi;
            }
        } else {
            error(c, cpath, "expected a list [min, max] of numbers, found " + describe(c));
        }
        return;
    }
    const std::string hint = n.IsScalar() ? did_you_mean(n.Scalar(), names) : "";
    error(n, path,
          "expected none, relu, relu6 or {clamp: [min, max]}, found " + describe(n) + hint);
}

// mapping: {rows_per_block, k_chunk, dataflow, order}, every key optional. Whether the pins fit the
// layer and the hardware is the compiler's check (it knows the array and the SRAM).
void Loader::parse_mapping(const YAML::Node& n, LayerSpec& spec) {
    const std::string path = child(spec.path, "mapping");
    if (!expect_map(n, path, "a map {rows_per_block, k_chunk, dataflow, order}")) return;
    check_keys(n, path, kMappingKeys);
    if (const YAML::Node v = n["rows_per_block"]) {
        if (auto x = get_int(v, child(path, "rows_per_block"), 1, kMaxDim)) spec.pin_rows = *x;
    }
    if (const YAML::Node v = n["k_chunk"]) {
        if (auto x = get_int(v, child(path, "k_chunk"), 1, kMaxTensorElems)) spec.pin_k_chunk = *x;
    }
    if (const YAML::Node v = n["dataflow"]) {
        if (v.IsScalar() && (v.Scalar() == "ws" || v.Scalar() == "os")) {
            spec.pin_dataflow =
                v.Scalar() == "ws" ? Dataflow::kWeightStationary : Dataflow::kOutputStationary;
        } else {
            error(v, child(path, "dataflow"),
                  "expected ws or os, found " + describe(v) +
                      (v.IsScalar() ? did_you_mean(v.Scalar(), {"ws", "os"}) : ""));
        }
    }
    if (const YAML::Node v = n["order"]) {
        if (v.IsScalar() && (v.Scalar() == "m" || v.Scalar() == "n" || v.Scalar() == "k")) {
            spec.pin_order = v.Scalar() == "m"   ? LoopOrder::kM
                             : v.Scalar() == "n" ? LoopOrder::kN
                                                 : LoopOrder::kK;
        } else {
            error(v, child(path, "order"),
                  "expected m, n or k, found " + describe(v) +
                      (v.IsScalar() ? did_you_mean(v.Scalar(), {"m", "n", "k"}) : ""));
        }
    }
}

void Loader::parse_quant(LayerSpec& spec, bool out_c_known) {
    const YAML::Node& n = spec.node;
    const int64_t out_c = *spec.op == OpKind::kConv2d ? spec.out_c : spec.n;
    const std::string count = std::to_string(out_c);

    // weights: {file: F} (float32 OHWI; a float network: post-training quantization chooses the
    // scales)
    if (const YAML::Node wf = n["weights"]) {
        spec.weights_node = wf;
        if (auto f = parse_file_ref(wf, child(spec.path, "weights"))) spec.weights_file = *f;
    }
    // weight_scale: number | list of out_c numbers | {min, max}
    const std::string wpath = child(spec.path, "weight_scale");
    if (m_float) {
        if (const YAML::Node ws = n["weight_scale"]) {
            error(ws, wpath,
                  "does not apply to a float network (post-training quantization chooses the "
                  "weight scales)");
        }
    } else if (const YAML::Node ws = n["weight_scale"]) {
        if (ws.IsScalar()) {
            if (auto v = get_positive(ws, wpath)) spec.w_scales = {*v};
        } else if (ws.IsSequence()) {
            spec.w_scale_kind = LayerSpec::ScaleKind::kList;
            if (out_c_known && static_cast<int64_t>(ws.size()) != out_c) {
                error(ws, wpath,
                      "expected a list of " + count + " scales (one per output channel), found " +
                          describe(ws));
            }
            for (size_t i = 0; i < ws.size(); ++i) {
                if (auto v = get_positive(ws[i], wpath + "[" + std::to_string(i) + "]")) {
                    spec.w_scales.push_back(*v);
                }
            }
        } else if (ws.IsMap()) {
            spec.w_scale_kind = LayerSpec::ScaleKind::kRange;
            check_keys(ws, wpath, {"min", "max"});
            const YAML::Node lo_n = ws["min"];
            const YAML::Node hi_n = ws["max"];
            if (!lo_n || !hi_n) error(ws, wpath, "expected both 'min' and 'max'");
            const auto lo = lo_n ? get_positive(lo_n, child(wpath, "min")) : std::nullopt;
            const auto hi = hi_n ? get_positive(hi_n, child(wpath, "max")) : std::nullopt;
            if (lo.has_value() && hi.has_value()) {
                const double lo_v = lo.value(), hi_v = hi.value();
                if (lo_v > hi_v) {
                    error(ws, wpath,
                          "expected min <= max, found min " + lo_n.Scalar() + " > max " +
                              hi_n.Scalar());
                }
                spec.w_scale_min = lo_v;
                spec.w_scale_max = hi_v;
            }
        } else {
            error(ws, wpath,
                  "expected a number > 0, a list of them or {min, max}, found " + describe(ws));
        }
    } else {
        error(n, spec.path, "missing required key 'weight_scale'");
    }

    // bias: true (random) | false (zeros) | list of out_c int32 values | {file: F} (float32)
    if (m_float) spec.bias_kind = LayerSpec::BiasKind::kZero;
    if (const YAML::Node b = n["bias"]) {
        const std::string bpath = child(spec.path, "bias");
        if (m_float) {
            spec.bias_node = b;
            if (b.IsScalar() && b.Scalar() == "false") {
                spec.bias_kind = LayerSpec::BiasKind::kZero;
            } else if (b.IsMap()) {
                spec.bias_kind = LayerSpec::BiasKind::kFile;
                if (auto f = parse_file_ref(b, bpath)) spec.bias_file = *f;
            } else {
                error(b, bpath,
                      "expected {file: F} (float32, one per output channel) or false in a float "
                      "network, found " +
                          describe(b));
            }
        } else if (b.IsMap()) {
            spec.bias_node = b;
            spec.bias_kind = LayerSpec::BiasKind::kFile;  // int32, one per output channel
            if (auto f = parse_file_ref(b, bpath)) spec.bias_file = *f;
        } else if (b.IsScalar() && (b.Scalar() == "true" || b.Scalar() == "false")) {
            spec.bias_kind =
                b.Scalar() == "true" ? LayerSpec::BiasKind::kRandom : LayerSpec::BiasKind::kZero;
        } else if (b.IsSequence()) {
            spec.bias_kind = LayerSpec::BiasKind::kList;
            if (out_c_known && static_cast<int64_t>(b.size()) != out_c) {
                error(b, bpath,
                      "expected a list of " + count + " integers (one per output channel), found " +
                          describe(b));
            }
            for (size_t i = 0; i < b.size(); ++i) {
                if (auto v = get_int(b[i], bpath + "[" + std::to_string(i) + "]",
                                     std::numeric_limits<int32_t>::min(),
                                     std::numeric_limits<int32_t>::max())) {
                    spec.bias_list.push_back(static_cast<int32_t>(*v));
                }
            }
        } else {
            error(b, bpath,
                  "expected true, false, a list of integers or {file: F} (int32), found " +
                      describe(b));
        }
    }

    if (const YAML::Node a = n["activation"]) parse_activation(a, spec);
    if (const YAML::Node o = n["output"]) parse_output(o, spec);
}

void Loader::parse_layer(const YAML::Node& n, int index, LayerSpec& spec) {
    spec.node = n;
    spec.path = "layers[" + std::to_string(index) + "]";
    spec.name = "layer" + std::to_string(index);
    if (!expect_map(n, spec.path, "a layer map with 'op'")) {
        spec.geometry_ok = false;
        return;
    }
    if (const YAML::Node name = n["name"]) {
        if (good_name(name)) {
            spec.name = name.Scalar();
        } else {
            error(name, child(spec.path, "name"), kNameExpected + describe(name));
        }
    }
    const YAML::Node op = n["op"];
    const std::vector<std::string> names = op_names();
    if (!op) {
        error(n, spec.path, "missing required key 'op' (one of " + join_list(names) + ")");
    } else if (op.IsScalar()) {
        for (const OpInfo& o : kOps) {
            if (op.Scalar() == o.name) spec.op = o.kind;
        }
    }
    if (op && !spec.op) {
        error(op, child(spec.path, "op"),
              "expected one of " + join_list(names) + ", found " + describe(op) +
                  (op.IsScalar() ? did_you_mean(op.Scalar(), names) : ""));
    }
    if (!spec.op) {
        // Without an op we cannot tell which keys belong; accept the union, check the rest.
        std::vector<std::string> all = kCommonLayerKeys;
        const auto keys = all_op_keys();
        all.insert(all.end(), keys.begin(), keys.end());
        check_keys(n, spec.path, all);
        spec.geometry_ok = false;
        return;
    }
    const OpKind kind = *spec.op;
    std::vector<std::string> allowed = kCommonLayerKeys;
    const auto& own = op_info(kind).keys;
    allowed.insert(allowed.end(), own.begin(), own.end());
    std::vector<std::string> foreign;
    for (const auto& k : all_op_keys()) {
        if (!has_key(kind, k)) foreign.push_back(k);
    }
    check_keys(n, spec.path, allowed, foreign, to_string(kind));
    if (const YAML::Node p = n["precision"]) {
        const std::optional<Precision> v =
            p.IsScalar() ? parse_precision(p.Scalar()) : std::nullopt;
        if (v) {
            spec.precision = v;
        } else {
            std::vector<std::string> choices;
            for (Precision x : kAllPrecisions) choices.emplace_back(to_string(x));
            error(p, child(spec.path, "precision"),
                  "expected one of " + precision_choices() + ", found " + describe(p) +
                      (p.IsScalar() ? did_you_mean(p.Scalar(), choices) : ""));
        }
    }

    if (const YAML::Node f = n["fuse"]) {
        if (f.IsScalar() && (f.Scalar() == "true" || f.Scalar() == "false")) {
            spec.pin_fuse = f.Scalar() == "true";
        } else {
            error(f, child(spec.path, "fuse"),
                  "expected true or false, found " + describe(f) +
                      (f.IsScalar() ? did_you_mean(f.Scalar(), {"true", "false"}) : ""));
        }
    }
    if (const YAML::Node pp = n["partition"]) {
        if (pp.IsScalar() && (pp.Scalar() == "channel" || pp.Scalar() == "spatial")) {
            spec.pin_partition =
                pp.Scalar() == "channel" ? Partition::kChannel : Partition::kSpatial;
        } else {
            error(pp, child(spec.path, "partition"),
                  "expected channel or spatial, found " + describe(pp) +
                      (pp.IsScalar() ? did_you_mean(pp.Scalar(), {"channel", "spatial"}) : ""));
        }
    }
    if (const YAML::Node in = n["inputs"]) {
        spec.inputs_node = in;
        spec.has_inputs = true;
        const std::string ipath = child(spec.path, "inputs");
        if (!in.IsSequence() || in.size() == 0) {
            error(in, ipath, "expected a non-empty list of tensor names, found " + describe(in));
            spec.geometry_ok = false;
        } else {
            for (size_t i = 0; i < in.size(); ++i) {
                if (in[i].IsScalar() && !in[i].Scalar().empty()) {
                    spec.inputs.push_back(in[i].Scalar());
                } else {
                    error(in[i], ipath + "[" + std::to_string(i) + "]",
                          "expected a tensor name, found " + describe(in[i]));
                    spec.geometry_ok = false;
                }
            }
        }
    }
    const auto layout = [&](const char* key, bool& interleaved) {
        const YAML::Node v = n[key];
        if (!v) return;
        if (v.IsScalar() && (v.Scalar() == "batched" || v.Scalar() == "interleaved")) {
            interleaved = v.Scalar() == "interleaved";
            return;
        }
        error(v, child(spec.path, key),
              "expected batched or interleaved, found " + describe(v) +
                  (v.IsScalar() ? did_you_mean(v.Scalar(), {"batched", "interleaved"}) : ""));
        spec.geometry_ok = false;
    };
    if (const YAML::Node m = n["mapping"]; m && has_key(kind, "mapping")) parse_mapping(m, spec);
    switch (kind) {
        case OpKind::kConv2d:
        case OpKind::kGemm:
            parse_geometry(spec);
            parse_quant(spec, kind == OpKind::kConv2d ? spec.out_c > 0 : spec.n > 0);
            return;
        case OpKind::kMaxPool:
        case OpKind::kAvgPool:
            parse_geometry(spec);
            break;
        case OpKind::kMatmul:
            if (const YAML::Node v = n["heads"]) {
                if (auto x = get_int(v, child(spec.path, "heads"), 1, kMaxDim)) {
                    spec.heads = *x;
                } else {
                    spec.geometry_ok = false;
                }
            }
            layout("a_layout", spec.a_interleaved);
            layout("b_layout", spec.b_interleaved);
            layout("out_layout", spec.out_interleaved);
            if (const YAML::Node v = n["transpose_b"]) {
                if (v.IsScalar() && (v.Scalar() == "true" || v.Scalar() == "false")) {
                    spec.transpose_b = v.Scalar() == "true";
                } else {
                    error(v, child(spec.path, "transpose_b"),
                          "expected true or false, found " + describe(v));
                }
            }
            break;
        case OpKind::kReshape:
            if (const YAML::Node v = n["shape"]) {
                const std::string spath = child(spec.path, "shape");
                if (!v.IsSequence() || v.size() == 0 || v.size() > 4) {
                    error(v, spath, "expected a list of 1 to 4 dimensions, found " + describe(v));
                    spec.geometry_ok = false;
                } else {
                    int wild = 0;
                    for (size_t i = 0; i < v.size(); ++i) {
                        const std::string ip = spath + "[" + std::to_string(i) + "]";
                        if (v[i].IsScalar() && v[i].Scalar() == "-1") {
                            if (++wild > 1) {
                                error(v[i], ip, "expected at most one -1, found a second");
                                spec.geometry_ok = false;
                            }
                            spec.reshape.push_back(-1);
                        } else if (auto x = get_int(v[i], ip, 1, kMaxTensorElems)) {
                            spec.reshape.push_back(*x);
                        } else {
                            spec.geometry_ok = false;
                        }
                    }
                }
            } else {
                error(n, spec.path, "missing required key 'shape'");
                spec.geometry_ok = false;
            }
            break;
        case OpKind::kLookup:
            if (const YAML::Node f = n["function"]) {
                if (f.IsScalar() && (f.Scalar() == "sigmoid" || f.Scalar() == "leaky_relu")) {
                    spec.lookup_function = f.Scalar() == "sigmoid" ? LookupFunction::kSigmoid
                                                                   : LookupFunction::kLeakyRelu;
                } else {
                    error(f, child(spec.path, "function"),
                          "expected sigmoid or leaky_relu, found " + describe(f));
                }
                if (n["table"]) {
                    error(n["table"], child(spec.path, "table"),
                          "expected either 'table' or 'function', found both");
                }
            } else if (const YAML::Node t = n["table"]) {
                parse_table(t, spec);
            } else {
                error(n, spec.path,
                      "missing required key 'table' (256 int8 entries, or {file: F}) or "
                      "'function'");
                spec.geometry_ok = false;
            }
            if (const YAML::Node a = n["alpha"]) {
                if (spec.lookup_function != LookupFunction::kLeakyRelu) {
                    error(a, child(spec.path, "alpha"), "applies to function: leaky_relu only");
                } else if (auto v = get_number(a, child(spec.path, "alpha"))) {
                    spec.lookup_alpha = static_cast<float>(*v);
                }
            }
            if (!n["output"] && (spec.lookup_function == LookupFunction::kNone || !m_float)) {
                error(n, spec.path,
                      "missing required key 'output' ({scale, zero_point}: the table's values are "
                      "in the output's quantization)");
            }
            break;
        case OpKind::kLayerNorm:
        case OpKind::kRmsNorm:
            for (const char* key : {"gamma", "beta"}) {
                const YAML::Node v = n[key];
                if (!v || !has_key(kind, key)) continue;
                if (auto f = parse_file_ref(v, child(spec.path, key))) {
                    (std::string(key) == "gamma" ? spec.gamma_file : spec.beta_file) = *f;
                }
            }
            break;
        default:
            break;
    }
    if (const YAML::Node a = n["activation"]; a && has_key(kind, "activation")) {
        parse_activation(a, spec);
    }
    if (const YAML::Node o = n["output"]; o && has_key(kind, "output")) parse_output(o, spec);
}

// A shape as text: "8x32".
std::string shape_text(const std::vector<int64_t>& shape) {
    std::string s;
    for (int64_t d : shape) s += (s.empty() ? "" : "x") + std::to_string(d);
    return s;
}

int64_t product(const std::vector<int64_t>& v, size_t from, size_t to) {
    int64_t p = 1;
    for (size_t i = from; i < to && i < v.size(); ++i) p *= v[i];
    return p;
}

// A tensor with a uint8 view is uint8 in the model it was imported from (its codes here are the
// uint8 codes - 128): QuantParams::uint8_origin, which float32 requantization reads.
bool has_uint8_view(const Workload& w, const std::string& tensor) {
    return std::any_of(w.views.begin(), w.views.end(), [&](const TensorView& v) {
        return v.tensor == tensor && v.type == TensorView::Type::kUint8;
    });
}

// The number of tensors an op reads (concat: at least 2, given as 2).
size_t input_count(OpKind k) {
    return k == OpKind::kMatmul || k == OpKind::kAdd || k == OpKind::kMul || k == OpKind::kConcat
               ? 2
               : 1;
}

InputSpec Loader::parse_input(const YAML::Node& n, const std::string& path, const std::string& name,
                              bool v1) {
    InputSpec s;
    s.name = name;
    s.path = path;
    s.v1 = v1;
    // yaml-cpp throws on assigning a looked-up missing key: keep the default (null) node then.
    const YAML::Node given = n["shape"];
    if (given) s.shape_node = given;
    const std::string spath = child(path, "shape");
    const YAML::Node& sn = s.shape_node;
    if (!given) {
        error(n, path, "missing required key 'shape'");
        s.ok = false;
    } else if (sn.IsSequence() &&
               (v1 ? (sn.size() == 2 || sn.size() == 3) : (sn.size() >= 1 && sn.size() <= 4))) {
        for (size_t i = 0; i < sn.size(); ++i) {
            const auto v = get_int(sn[i], spath + "[" + std::to_string(i) + "]", 1, kMaxDim);
            s.ok = s.ok && v.has_value();
            s.shape.push_back(v ? *v : 1);
        }
        const int64_t elems = product(s.shape, 0, s.shape.size());
        if (s.ok && elems > kMaxTensorElems) {
            error(sn, spath,
                  "expected at most " + std::to_string(kMaxTensorElems) + " elements, found " +
                      std::to_string(elems));
            s.ok = false;
        }
    } else {
        error(sn, spath,
              std::string(v1 ? "expected a list [H, W, C] (or [M, K] before a gemm)"
                             : "expected a list of 1 to 4 dimensions") +
                  ", found " + describe(sn));
        s.ok = false;
    }
    if (m_float) {
        // Calibration chooses the input's quantization.
        for (const char* key : {"scale", "zero_point"}) {
            if (const YAML::Node v = n[key]) {
                error(v, child(path, key),
                      "does not apply to a float network (post-training quantization chooses the "
                      "input's quantization from the calibration images)");
            }
        }
        return s;
    }
    if (const YAML::Node sc = n["scale"]) {
        if (auto v = get_positive(sc, child(path, "scale"))) s.quant.scale = *v;
    } else {
        error(n, path, "missing required key 'scale'");
    }
    if (const YAML::Node z = n["zero_point"]) {
        if (auto v = get_int(z, child(path, "zero_point"), -128, 127)) {
            s.quant.zero_point = static_cast<int32_t>(*v);
        }
    }
    return s;
}

// Kernel, stride, dilation and padding of conv2d/maxpool/avgpool on an H x W input (already in
// l.in_h / l.in_w); reports a kernel larger than the padded input.
void Loader::resolve_window(const LayerSpec& spec, Layer& l) {
    l.kernel_h = static_cast<int>(spec.kernel.h);
    l.kernel_w = static_cast<int>(spec.kernel.w);
    l.stride_h = static_cast<int>(spec.stride.h);
    l.stride_w = static_cast<int>(spec.stride.w);
    l.dilation_h = static_cast<int>(spec.dilation.h);
    l.dilation_w = static_cast<int>(spec.dilation.w);
    const int eff_h = (l.kernel_h - 1) * l.dilation_h + 1;
    const int eff_w = (l.kernel_w - 1) * l.dilation_w + 1;
    if (spec.pad_mode == PadMode::kSame) {
        // TensorFlow's rule: out = ceil(in / stride); the odd pixel of padding goes last.
        const auto same = [](int in, int stride, int eff, int& first, int& last) {
            const int out = (in + stride - 1) / stride;
            const int total = std::max((out - 1) * stride + eff - in, 0);
            first = total / 2;
            last = total - first;
        };
        same(l.in_h, l.stride_h, eff_h, l.pad_top, l.pad_bottom);
        same(l.in_w, l.stride_w, eff_w, l.pad_left, l.pad_right);
    } else if (spec.pad_mode == PadMode::kExplicit) {
        l.pad_top = static_cast<int>(spec.pads[0]);
        l.pad_bottom = static_cast<int>(spec.pads[1]);
        l.pad_left = static_cast<int>(spec.pads[2]);
        l.pad_right = static_cast<int>(spec.pads[3]);
    }
    const int padded_h = l.in_h + l.pad_top + l.pad_bottom;
    const int padded_w = l.in_w + l.pad_left + l.pad_right;
    if (eff_h > padded_h || eff_w > padded_w) {
        error(spec.node["kernel"], child(spec.path, "kernel"),
              "expected a (dilated) kernel no larger than the padded input " +
                  std::to_string(padded_h) + "x" + std::to_string(padded_w) + ", found " +
                  std::to_string(eff_h) + "x" + std::to_string(eff_w));
    }
}

// Reports a list of inputs whose length does not fit the op (or a missing `inputs:`).
bool Loader::input_count_ok(const LayerSpec& spec, size_t count) {
    const OpKind op = *spec.op;
    const std::string op_name = to_string(op);
    const size_t want = input_count(op);
    if (op == OpKind::kConcat ? count >= want : count == want) return true;
    const std::string what = (op == OpKind::kConcat ? "at least " : "") + std::to_string(want) +
                             " tensor name" + (want > 1 ? "s" : "");
    if (!spec.has_inputs) {
        error(spec.node, spec.path,
              "missing required key 'inputs' (" + op_name + " reads " + what + ")");
    } else {
        error(spec.inputs_node, child(spec.path, "inputs"),
              "expected a list of " + what + " (" + op_name + "), found " +
                  describe(spec.inputs_node));
    }
    return false;
}

// Checks the layer's inputs against its op, fills the Layer's geometry and returns the output
// shape (empty after an error, which is reported).
std::vector<int64_t> Loader::layer_geometry(const LayerSpec& spec, Layer& l,
                                            const std::vector<const TensorSlot*>& in,
                                            const std::vector<std::string>& names,
                                            const std::vector<int>& src,
                                            const std::vector<InputSpec>& in_specs, size_t index) {
    const OpKind op = *spec.op;
    const std::string op_name = to_string(op);
    const std::string ipath = child(spec.path, "inputs");
    // Where to report a problem with input k.
    const auto at_input = [&](size_t k) {
        return spec.has_inputs ? spec.inputs_node[k] : spec.node;
    };
    const auto input_path = [&](size_t k) {
        return spec.has_inputs ? ipath + "[" + std::to_string(k) + "]" : spec.path;
    };
    const auto tensor = [&](size_t k) {
        return "'" + names[k] + "' of shape " + shape_text(in[k]->shape);
    };
    const std::vector<int64_t>& x = in[0]->shape;
    std::vector<int64_t> out;

    const auto conv_like_checks = [&]() {
        const int64_t k = l.reduction();
        if (l.out_pixels() * l.out_c > kMaxTensorElems || k * l.out_c > kMaxTensorElems) {
            error(spec.node, spec.path,
                  "expected at most " + std::to_string(kMaxTensorElems) +
                      " elements per tensor, found " + std::to_string(l.out_pixels() * l.out_c) +
                      " outputs and " + std::to_string(k * l.out_c) + " weights");
        }
        int64_t max_bias = 0;
        if (spec.bias_kind == LayerSpec::BiasKind::kRandom) max_bias = k * kBiasPerK;
        for (int32_t b : spec.bias_list)
            max_bias = std::max<int64_t>(max_bias, std::abs(int64_t{b}));
        if (k * kMaxTermMagnitude + max_bias > std::numeric_limits<int32_t>::max()) {
            error(spec.node, spec.path,
                  "expected K * 255 * 127 + max|bias| < 2^31 so the int32 accumulator cannot "
                  "overflow, found K = " +
                      std::to_string(k) +
                      " (kernel_h * kernel_w * in_c), max|bias| = " + std::to_string(max_bias));
        }
    };

    switch (op) {
        case OpKind::kConv2d:
        case OpKind::kMaxPool:
        case OpKind::kAvgPool:
        case OpKind::kGlobalAvgPool: {
            // An image [H, W, C]; a layer's [M, N] (a gemm's output) is M x 1 x N as in v1.
            if (x.size() == 3) {
                l.in_h = static_cast<int>(x[0]);
                l.in_w = static_cast<int>(x[1]);
                l.in_c = static_cast<int>(x[2]);
            } else if (x.size() == 2 && src[0] >= 0) {
                l.in_h = static_cast<int>(x[0]);
                l.in_w = 1;
                l.in_c = static_cast<int>(x[1]);
            } else {
                const InputSpec* decl =
                    src[0] < 0 ? &in_specs[static_cast<size_t>(-src[0] - 1)] : nullptr;
                if (decl != nullptr && decl->shape_node.IsNull()) {
                    return {};  // its missing shape is reported already
                }
                if (decl != nullptr && decl->v1 && index == 0 && x.size() == 2) {
                    error(decl->shape_node, "input.shape",
                          "expected [H, W, C] when the first layer is a " + op_name +
                              ", found a list of 2");
                } else {
                    error(at_input(0), input_path(0),
                          "expected an image [H, W, C] for " + op_name + ", found " + tensor(0));
                }
                return {};
            }
            if (op == OpKind::kGlobalAvgPool) {
                l.kernel_h = l.in_h;
                l.kernel_w = l.in_w;
                l.out_c = l.in_c;
                return {1, 1, l.in_c};
            }
            const size_t before = m_diags.items().size();
            resolve_window(spec, l);
            if (op == OpKind::kConv2d) {
                l.out_c = static_cast<int>(spec.out_c);
                l.groups = static_cast<int>(spec.groups);
                if (l.in_c % l.groups != 0 || l.out_c % l.groups != 0) {
                    error(spec.node["groups"], child(spec.path, "groups"),
                          "expected a divisor of the input's " + std::to_string(l.in_c) +
                              " channels and of out_channels " + std::to_string(l.out_c) +
                              ", found " + std::to_string(l.groups));
                    return {};
                }
            } else {
                l.out_c = l.in_c;
                if (l.pad_top >= l.kernel_h || l.pad_bottom >= l.kernel_h ||
                    l.pad_left >= l.kernel_w || l.pad_right >= l.kernel_w) {
                    error(spec.node["padding"] ? spec.node["padding"] : spec.node,
                          child(spec.path, "padding"),
                          "expected padding smaller than the kernel " + std::to_string(l.kernel_h) +
                              "x" + std::to_string(l.kernel_w) + ", found " +
                              std::to_string(l.pad_top) + "," + std::to_string(l.pad_bottom) + "," +
                              std::to_string(l.pad_left) + "," + std::to_string(l.pad_right) +
                              " (top, bottom, left, right)");
                }
            }
            if (m_diags.items().size() != before) return {};
            if (op == OpKind::kConv2d) conv_like_checks();
            return {l.out_h(), l.out_w(), l.out_c};
        }
        case OpKind::kGemm: {
            const int64_t elems = product(x, 0, x.size());
            int64_t m = product(x, 0, x.size() - 1);
            if (spec.m) {
                m = *spec.m;
                if (elems % m != 0) {
                    error(spec.node["m"], child(spec.path, "m"),
                          "expected a divisor of the input's " + std::to_string(elems) +
                              " elements (" + shape_text(x) + "), found " + std::to_string(m));
                    return {};
                }
            }
            l.in_h = static_cast<int>(m);
            l.in_w = 1;
            l.in_c = static_cast<int>(elems / m);
            l.out_c = static_cast<int>(spec.n);
            conv_like_checks();
            return {m, spec.n};
        }
        case OpKind::kMatmul: {
            const int64_t H = spec.heads;
            const std::vector<int64_t>& a = in[1 - 1]->shape;
            const std::vector<int64_t>& b = in[1]->shape;
            const std::string h = std::to_string(H);
            int64_t M = 0, K = 0, N = 0, Kb = 0;
            // Operand dims by layout: batched [H, r, c] ([r, c] when H == 1), interleaved
            // [r, H*c]. Returns false if the shape does not fit.
            const auto dims = [&](const std::vector<int64_t>& s, bool interleaved, int64_t& r,
                                  int64_t& c) {
                if (interleaved) {
                    if (s.size() != 2 || s[1] % H != 0) return false;
                    r = s[0];
                    c = s[1] / H;
                } else if (s.size() == 3 && s[0] == H) {
                    r = s[1];
                    c = s[2];
                } else if (s.size() == 2 && H == 1) {
                    r = s[0];
                    c = s[1];
                } else {
                    return false;
                }
                return true;
            };
            const auto layout_text = [&](bool interleaved, const char* r, const char* c) {
                return interleaved ? std::string("[") + r + ", " + h + "*" + c + "] (interleaved)"
                                   : "[" + h + ", " + r + ", " + c + "] (batched)";
            };
            bool ok = true;
            if (!dims(a, spec.a_interleaved, M, K)) {
                error(at_input(0), input_path(0),
                      "expected operand a as " + layout_text(spec.a_interleaved, "M", "K") +
                          ", found " + tensor(0));
                ok = false;
            }
            const bool b_ok = spec.transpose_b ? dims(b, spec.b_interleaved, N, Kb)
                                               : dims(b, spec.b_interleaved, Kb, N);
            if (!b_ok) {
                error(at_input(1), input_path(1),
                      "expected operand b as " +
                          (spec.transpose_b ? layout_text(spec.b_interleaved, "N", "K")
                                            : layout_text(spec.b_interleaved, "K", "N")) +
                          ", found " + tensor(1));
                ok = false;
            }
            if (!ok) return {};
            if (K != Kb) {
                error(at_input(1), input_path(1),
                      "expected operand b with K = " + std::to_string(K) + " (from a " + tensor(0) +
                          "), found " + tensor(1) + " (K = " + std::to_string(Kb) + ")");
                return {};
            }
            if (K * 255 * 255 > std::numeric_limits<int32_t>::max()) {
                error(spec.node, spec.path,
                      "expected K * 255 * 255 < 2^31 so the int32 accumulator cannot overflow, "
                      "found K = " +
                          std::to_string(K));
                return {};
            }
            l.heads = static_cast<int>(H);
            l.mm_m = M;
            l.mm_k = K;
            l.mm_n = N;
            l.a_interleaved = spec.a_interleaved;
            l.b_interleaved = spec.b_interleaved;
            l.transpose_b = spec.transpose_b;
            l.out_interleaved = spec.out_interleaved;
            if (spec.out_interleaved) {
                out = {M, H * N};
            } else if (H == 1 && a.size() == 2) {
                out = {M, N};
            } else {
                out = {H, M, N};
            }
            break;
        }
        case OpKind::kAdd:
        case OpKind::kMul:
            if (in[0]->shape != in[1]->shape) {
                error(spec.inputs_node, ipath,
                      "expected inputs of equal shapes, found " + tensor(0) + " and " + tensor(1));
                return {};
            }
            out = x;
            break;
        case OpKind::kReshape: {
            const int64_t elems = product(x, 0, x.size());
            int64_t known = 1;
            bool wild = false;
            for (int64_t d : spec.reshape) {
                if (d == -1) {
                    wild = true;
                } else {
                    known *= d;
                }
            }
            out = spec.reshape;
            if (wild && elems % known == 0) {
                for (int64_t& d : out) {
                    if (d == -1) d = elems / known;
                }
            }
            if (wild ? elems % known != 0 : known != elems) {
                std::string given;
                for (int64_t d : spec.reshape)
                    given += (given.empty() ? "" : "x") + std::to_string(d);
                error(spec.node["shape"], child(spec.path, "shape"),
                      "expected a shape of " + std::to_string(elems) + " elements (the input " +
                          tensor(0) + "), found " + given);
                return {};
            }
            break;
        }
        case OpKind::kConcat: {
            out = x;
            for (size_t k = 1; k < in.size(); ++k) {
                const std::vector<int64_t>& y = in[k]->shape;
                if (y.size() != x.size() || !std::equal(x.begin(), x.end() - 1, y.begin())) {
                    error(spec.inputs_node, ipath,
                          "expected inputs that differ only in the last dimension, found " +
                              tensor(0) + " and " + tensor(k));
                    return {};
                }
                out.back() += y.back();
            }
            break;
        }
        default:  // softmax, layernorm, rmsnorm, gelu, silu: the input's shape
            out = x;
            break;
    }
    // Row view: the first input's leading dimensions x its last; out_c = the output's last.
    l.in_h = static_cast<int>(std::min(product(x, 0, x.size() - 1), kMaxTensorElems));
    l.in_w = 1;
    l.in_c = static_cast<int>(x.back());
    l.out_c = static_cast<int>(std::min(out.back(), kMaxTensorElems));
    return out;
}

// {file: F}: the path as written (resolved against the workload's directory when read).
std::optional<std::string> Loader::parse_file_ref(const YAML::Node& n, const std::string& path) {
    if (!expect_map(n, path, "a map {file: F}")) return std::nullopt;
    check_keys(n, path, {"file"});
    const YAML::Node f = n["file"];
    if (!f) {
        error(n, path, "missing required key 'file'");
        return std::nullopt;
    }
    if (!f.IsScalar() || f.Scalar().empty()) {
        error(f, child(path, "file"), "expected a file name, found " + describe(f));
        return std::nullopt;
    }
    return f.Scalar();
}

// Relative paths are relative to the workload file's directory.
std::string Loader::resolve_path(const std::string& file) const {
    if (!file.empty() && file[0] == '/') return file;
    const size_t slash = m_file.find_last_of('/');
    return slash == std::string::npos ? file : m_file.substr(0, slash + 1) + file;
}

// The whole file, which must be exactly `bytes` long (what: "float32 values" etc., for errors).
std::optional<std::vector<char>> Loader::read_file_exact(const YAML::Node& at,
                                                         const std::string& path,
                                                         const std::string& file, int64_t bytes,
                                                         const std::string& what) {
    const std::string full = resolve_path(file);
    std::string problem;
    const auto text = read_input_file_exact(full, static_cast<uint64_t>(bytes), what, problem);
    if (!text) {
        error(at, path, problem);
        return std::nullopt;
    }
    return std::vector<char>(text->begin(), text->end());
}

// `count` raw little-endian float32 values; non-finite values are errors.
std::optional<std::vector<float>> Loader::read_floats(const YAML::Node& at, const std::string& path,
                                                      const std::string& file, int64_t count,
                                                      const std::string& what) {
    const auto data = read_file_exact(at, path, file, count * 4,
                                      std::to_string(count) + " float32 values (" + what + ")");
    if (!data) return std::nullopt;
    std::vector<float> v(static_cast<size_t>(count));
    for (size_t i = 0; i < v.size(); ++i) {
        uint32_t bits = 0;
        for (int b = 3; b >= 0; --b) {
            bits = (bits << 8) | static_cast<uint8_t>((*data)[4 * i + static_cast<size_t>(b)]);
        }
        std::memcpy(&v[i], &bits, 4);
        if (!std::isfinite(v[i])) {
            error(at, path,
                  "expected finite float32 values in '" + resolve_path(file) + "', found " +
                      std::to_string(v[i]) + " at index " + std::to_string(i));
            return std::nullopt;
        }
    }
    return v;
}

// The number of images in a sample file: `count` if given (the file must hold exactly that
// many), else the file's size / the image size.
std::optional<int64_t> Loader::sample_count(const YAML::Node& n, const std::string& path,
                                            const std::string& file, int64_t elems) {
    if (const YAML::Node c = n["count"]) return get_int(c, child(path, "count"), 1, kMaxDim * 16);
    uint64_t size = 0;
    if (const auto problem = input_file_problem(resolve_path(file), &size)) {
        error(n["file"], child(path, "file"), *problem);
        return std::nullopt;
    }
    const int64_t image = elems * 4;
    if (size == 0 || static_cast<int64_t>(size) % image != 0) {
        error(n["file"], child(path, "file"),
              "expected '" + resolve_path(file) + "' to hold whole float32 images of " +
                  std::to_string(elems) + " values (a multiple of " + std::to_string(image) +
                  " bytes), found " + std::to_string(size) + " bytes");
        return std::nullopt;
    }
    const int64_t count = static_cast<int64_t>(size) / image;
    if (count > kMaxDim * 16) {
        error(n["file"], child(path, "file"),
              "expected at most " + std::to_string(kMaxDim * 16) + " images in '" +
                  resolve_path(file) + "', found " + std::to_string(count));
        return std::nullopt;
    }
    return count;
}

std::vector<std::vector<float>> split_images(const std::vector<float>& all, int64_t count,
                                             int64_t elems) {
    std::vector<std::vector<float>> v;
    for (int64_t i = 0; i < count; ++i) {
        v.emplace_back(all.begin() + i * elems, all.begin() + (i + 1) * elems);
    }
    return v;
}

// calibration: {file, count, method: minmax | percentile, percentile, weights: per_channel |
// per_tensor, activations: asymmetric | symmetric}
// The `file:` of a calibration:/samples: section (raw float32 images, HWC), or nothing after
// reporting it missing or not a file name.
std::optional<YAML::Node> Loader::image_file(const YAML::Node& n, const std::string& path) {
    const YAML::Node f = n["file"];
    if (!f) {
        error(n, path, "missing required key 'file' (raw float32 images, HWC)");
        return std::nullopt;
    }
    if (!f.IsScalar() || f.Scalar().empty()) {
        error(f, child(path, "file"), "expected a file name, found " + describe(f));
        return std::nullopt;
    }
    return f;
}

void Loader::parse_calibration(const YAML::Node& n, const InputSpec* first, Workload& w) {
    const std::string path = "calibration";
    if (!expect_map(n, path, "a map {file, count, method, percentile, weights, activations}")) {
        return;
    }
    check_keys(n, path, kCalibrationKeys);
    if (!m_float) {
        error(n, path,
              "applies to float networks only (conv2d/gemm layers with weights: {file: F})");
    }
    const auto choice = [&](const char* key, const std::vector<std::string>& options) -> int {
        const YAML::Node v = n[key];
        if (!v) return -1;
        for (size_t i = 0; i < options.size(); ++i) {
            if (v.IsScalar() && v.Scalar() == options[i]) return static_cast<int>(i);
        }
        error(v, child(path, key),
              "expected " + join_list(options) + ", found " + describe(v) +
                  (v.IsScalar() ? did_you_mean(v.Scalar(), options) : ""));
        return -1;
    };
    PtqSettings& p = w.ptq;
    const int method = choice("method", {"minmax", "percentile"});
    if (method >= 0) {
        p.method = method == 0 ? PtqSettings::Method::kMinMax : PtqSettings::Method::kPercentile;
    }
    if (const YAML::Node v = n["percentile"]) {
        if (p.method != PtqSettings::Method::kPercentile) {
            error(v, child(path, "percentile"), "applies to method: percentile only");
        } else if (auto x = get_number(v, child(path, "percentile"))) {
            if (*x < 50.0 || *x > 100.0) {
                error(v, child(path, "percentile"),
                      "expected a number in [50, 100], found " + describe(v));
            } else {
                p.percentile = *x;
            }
        }
    }
    if (const int v = choice("weights", {"per_channel", "per_tensor"}); v >= 0) {
        p.per_channel_weights = v == 0;
    }
    if (const int v = choice("activations", {"asymmetric", "symmetric"}); v >= 0) {
        p.symmetric_activations = v == 1;
    }
    const std::optional<YAML::Node> file = image_file(n, path);
    if (!file) return;
    const YAML::Node& f = *file;
    if (first == nullptr || !first->ok) return;
    if (auto images = npy_images(f, child(path, "file"), *first, w)) {
        w.calibration.inputs = std::move(*images);
        w.calibration.source = resolve_path(f.Scalar());
        return;
    }
    const int64_t elems = product(first->shape, 0, first->shape.size());
    const auto count = sample_count(n, path, f.Scalar(), elems);
    if (!count) return;
    const auto all = read_floats(f, child(path, "file"), f.Scalar(), *count * elems,
                                 std::to_string(*count) + " images of " + shape_text(first->shape));
    if (!all) return;
    w.calibration.inputs = split_images(*all, *count, elems);
    w.calibration.source = resolve_path(f.Scalar());
}

// Images from a .npy file (float32): [N, ...the input's shape] in the IR's layout, or, for an
// [H, W, C] input, [N, C, H, W] (NCHW, as an ONNX model has them; preferred when the input has
// an NCHW view). nullopt when the file is not a .npy (then it is raw float32 HWC) or after an
// error (reported).
std::optional<std::vector<std::vector<float>>> Loader::npy_images(const YAML::Node& f,
                                                                  const std::string& path,
                                                                  const InputSpec& input,
                                                                  const Workload& w) {
    const std::string file = f.Scalar();
    if (file.size() < 5 || file.compare(file.size() - 4, 4, ".npy") != 0) return std::nullopt;
    npy::Array a;
    try {
        a = npy::read(resolve_path(file));
    } catch (const UserError& e) {
        for (const Diagnostic& d : e.diagnostics()) error(f, path, d.message);
        return std::vector<std::vector<float>>{};
    }
    const std::vector<int64_t>& s = input.shape;
    const int64_t elems = product(s, 0, s.size());
    const auto tail = [&](const std::vector<int64_t>& want) {
        return a.shape.size() >= want.size() &&
               std::equal(want.begin(), want.end(),
                          a.shape.end() - static_cast<std::ptrdiff_t>(want.size()));
    };
    bool nchw_view = false;
    for (const TensorView& v : w.views)
        nchw_view = nchw_view || (v.tensor == input.name && !v.perm.empty());
    const bool hwc = tail(s);
    const bool chw = s.size() == 3 && tail({s[2], s[0], s[1]});
    if (a.dtype != npy::DType::kFloat32 || (!hwc && !chw) || elems == 0) {
        error(f, path,
              "expected '" + resolve_path(file) + "' to hold float32 images of shape " +
                  shape_text(s) +
                  (s.size() == 3 ? " (or NCHW " + std::to_string(s[2]) + "x" +
                                       std::to_string(s[0]) + "x" + std::to_string(s[1]) + ")"
                                 : "") +
                  ", found " + npy::to_string(a.dtype) + " " + npy::shape_string(a.shape));
        return std::vector<std::vector<float>>{};
    }
    const int64_t count = a.elems() / elems;
    const bool transpose = chw && (!hwc || nchw_view);
    std::vector<std::vector<float>> images(static_cast<size_t>(count));
    for (int64_t i = 0; i < count; ++i) {
        std::vector<float>& img = images[static_cast<size_t>(i)];
        img.resize(static_cast<size_t>(elems));
        const uint8_t* base = a.data.data() + static_cast<size_t>(i * elems) * 4;
        for (int64_t e = 0; e < elems; ++e) {
            int64_t src = e;
            if (transpose) {  // e = (h*W + w)*C + c  <-  c*H*W + h*W + w
                const int64_t c = e % s[2], hw = e / s[2];
                src = c * s[0] * s[1] + hw;
            }
            float v;
            std::memcpy(&v, base + src * 4, 4);
            if (!std::isfinite(v)) {
                error(f, path, "expected finite values in '" + resolve_path(file) + "'");
                return std::vector<std::vector<float>>{};
            }
            img[static_cast<size_t>(e)] = v;
        }
    }
    return images;
}

// samples: {file, labels, count}
void Loader::parse_samples(const YAML::Node& n, const InputSpec* first, Workload& w) {
    const std::string path = "samples";
    if (!expect_map(n, path, "a map {file, labels, count}")) return;
    check_keys(n, path, kSamplesKeys);
    const std::optional<YAML::Node> file = image_file(n, path);
    if (!file) return;
    const YAML::Node& f = *file;
    const YAML::Node lf = n["labels"];
    if (lf && (!lf.IsScalar() || lf.Scalar().empty())) {
        error(lf, child(path, "labels"), "expected a file name, found " + describe(lf));
    }
    if (first == nullptr || !first->ok) return;
    if (auto images = npy_images(f, child(path, "file"), *first, w)) {
        w.samples.inputs = std::move(*images);
        w.samples.source = resolve_path(f.Scalar());
        if (lf && lf.IsScalar() && lf.Scalar().size() > 4 &&
            lf.Scalar().compare(lf.Scalar().size() - 4, 4, ".npy") == 0) {
            try {
                const npy::Array la = npy::read(resolve_path(lf.Scalar()));
                const std::vector<int64_t> v =
                    la.dtype == npy::DType::kFloat32 || la.dtype == npy::DType::kFloat64
                        ? std::vector<int64_t>{}
                        : la.ints();
                if (static_cast<size_t>(la.elems()) != w.samples.inputs.size() || v.empty()) {
                    error(lf, child(path, "labels"),
                          "expected " + std::to_string(w.samples.inputs.size()) +
                              " integer labels, found " + npy::to_string(la.dtype) + " " +
                              npy::shape_string(la.shape));
                } else {
                    for (int64_t x : v) w.samples.labels.push_back(static_cast<int32_t>(x));
                }
            } catch (const UserError& e) {
                for (const Diagnostic& d : e.diagnostics())
                    error(lf, child(path, "labels"), d.message);
            }
        }
        return;
    }
    const int64_t elems = product(first->shape, 0, first->shape.size());
    const auto count = sample_count(n, path, f.Scalar(), elems);
    if (!count) return;
    const auto all = read_floats(f, child(path, "file"), f.Scalar(), *count * elems,
                                 std::to_string(*count) + " images of " + shape_text(first->shape));
    if (all) {
        w.samples.inputs = split_images(*all, *count, elems);
        w.samples.source = resolve_path(f.Scalar());
    }
    if (lf && lf.IsScalar() && !lf.Scalar().empty()) {
        const auto labels = read_file_exact(lf, child(path, "labels"), lf.Scalar(), *count,
                                            std::to_string(*count) + " uint8 labels");
        if (labels) {
            for (char c : *labels) w.samples.labels.push_back(static_cast<uint8_t>(c));
        }
    }
}

// The data of a `{file: F}` side file: an in-memory file of an import (LoadOptions::files), a
// NumPy .npy file (its element type must be `dtype`), or raw little-endian values of that type.
// `count` elements are expected (any shape holding them).
const npy::Array* Loader::read_array(const YAML::Node& at, const std::string& path,
                                     const std::string& file, npy::DType dtype, int64_t count,
                                     const std::string& what) {
    const npy::Array* a = nullptr;
    const std::string full = resolve_path(file);
    const bool is_npy = file.size() > 4 && file.compare(file.size() - 4, 4, ".npy") == 0;
    try {
        if (m_options.files != nullptr && m_options.files->count(file)) {
            a = &m_options.files->at(file);  // an import's file: read in place, not copied
        } else if (is_npy) {
            m_arrays.push_back(std::make_unique<npy::Array>(npy::read(full)));
            a = m_arrays.back().get();
        } else {
            const auto data = read_file_exact(
                at, path, file, count * static_cast<int64_t>(npy::element_size(dtype)),
                std::to_string(count) + " " + npy::to_string(dtype) + " values (" + what + ")");
            if (!data) return nullptr;
            auto raw = std::make_unique<npy::Array>();
            raw->dtype = dtype;
            raw->shape = {count};
            raw->data.assign(data->begin(), data->end());
            m_arrays.push_back(std::move(raw));
            return m_arrays.back().get();
        }
    } catch (const UserError& e) {
        for (const Diagnostic& d : e.diagnostics()) {
            error(at, path, (d.file.empty() ? "" : "'" + d.file + "': ") + d.message);
        }
        return nullptr;
    }
    if (a->dtype != dtype || a->elems() != count) {
        error(at, path,
              "expected '" + full + "' to hold " + std::to_string(count) + " " +
                  npy::to_string(dtype) + " values (" + what + "), found " +
                  std::to_string(a->elems()) + " " + npy::to_string(a->dtype) +
                  " values of shape " + npy::shape_string(a->shape));
        return nullptr;
    }
    return a;
}

// A quantized conv2d/gemm whose weights (int8, OHWI) or bias (int32) come from files.
void Loader::read_int_params(const LayerSpec& spec, Layer& l) {
    const int64_t count = l.reduction() * l.out_c;
    if (!spec.weights_file.empty()) {
        if (auto a = read_array(spec.weights_node["file"], child(spec.path, "weights.file"),
                                spec.weights_file, npy::DType::kInt8, count,
                                std::to_string(l.out_c) + "x" + std::to_string(l.kernel_h) + "x" +
                                    std::to_string(l.kernel_w) + "x" +
                                    std::to_string(l.in_c / l.groups) + " OHWI")) {
            l.weights.assign(a->data.begin(), a->data.end());
        }
    }
    if (spec.bias_kind == LayerSpec::BiasKind::kFile && !spec.bias_file.empty()) {
        if (auto a =
                read_array(spec.bias_node["file"], child(spec.path, "bias.file"), spec.bias_file,
                           npy::DType::kInt32, l.out_c, "one per output channel")) {
            l.bias.resize(static_cast<size_t>(l.out_c));
            std::memcpy(l.bias.data(), a->data.data(), a->data.size());
            int64_t max_bias = 0;
            for (int32_t b : l.bias) max_bias = std::max<int64_t>(max_bias, std::abs(int64_t{b}));
            if (l.reduction() * kMaxTermMagnitude + max_bias >
                std::numeric_limits<int32_t>::max()) {
                error(spec.bias_node, child(spec.path, "bias"),
                      "expected K * 255 * 127 + max|bias| < 2^31 so the int32 accumulator cannot "
                      "overflow, found K = " +
                          std::to_string(l.reduction()) +
                          ", max|bias| = " + std::to_string(max_bias));
            }
        }
    }
}

// layernorm/rmsnorm gamma and beta from files (float32, one per element of the last dimension).
void Loader::read_norm_params(const LayerSpec& spec, Layer& l) {
    const auto load = [&](const std::string& file, const char* key, std::vector<float>& out) {
        if (file.empty()) return;
        const YAML::Node at = spec.node[key]["file"];
        if (auto a = read_array(at, child(spec.path, std::string(key) + ".file"), file,
                                npy::DType::kFloat32, l.out_c, "one per element of a row")) {
            out.resize(static_cast<size_t>(l.out_c));
            std::memcpy(out.data(), a->data.data(), a->data.size());
        }
    };
    load(spec.gamma_file, "gamma", l.gamma);
    load(spec.beta_file, "beta", l.beta);
}

// table: a list of 256 integers in [-128, 127] (entry q + 128 for input code q), or {file: F}
// (256 int8 values).
void Loader::parse_table(const YAML::Node& n, LayerSpec& spec) {
    const std::string path = child(spec.path, "table");
    if (n.IsMap()) {
        if (auto f = parse_file_ref(n, path)) {
            if (auto a = read_array(n["file"], child(path, "file"), *f, npy::DType::kInt8, 256,
                                    "a lookup table")) {
                spec.table.assign(a->data.begin(), a->data.end());
            }
        }
        return;
    }
    if (!n.IsSequence() || n.size() != 256) {
        error(n, path, "expected a list of 256 integers in [-128, 127], found " + describe(n));
        spec.geometry_ok = false;
        return;
    }
    for (size_t i = 0; i < n.size(); ++i) {
        const auto v = get_int(n[i], path + "[" + std::to_string(i) + "]", -128, 127);
        spec.table.push_back(static_cast<int8_t>(v ? *v : 0));
    }
}

// views: [{name, type, shape, dims, perm}]: the tensor as the model it was imported from names
// and lays it out (docs/onnx.md). dims/perm are optional (the same order as the IR tensor).
void Loader::parse_views(const YAML::Node& n, const std::string& path, const std::string& tensor,
                         Workload& w) {
    if (!n.IsSequence()) {
        error(n, path, "expected a list of {name, type, shape, dims, perm}, found " + describe(n));
        return;
    }
    for (size_t i = 0; i < n.size(); ++i) {
        const YAML::Node v = n[i];
        const std::string vp = path + "[" + std::to_string(i) + "]";
        if (!expect_map(v, vp, "a map {name, type, shape, dims, perm}")) continue;
        check_keys(v, vp, kViewKeys);
        TensorView tv;
        tv.tensor = tensor;
        if (const YAML::Node nm = v["name"]; nm && nm.IsScalar() && !nm.Scalar().empty()) {
            tv.name = nm.Scalar();
        } else {
            error(nm ? nm : v, child(vp, "name"), "expected a tensor name");
        }
        const YAML::Node t = v["type"];
        if (t && t.IsScalar() &&
            (t.Scalar() == "int8" || t.Scalar() == "uint8" || t.Scalar() == "float32")) {
            tv.type = t.Scalar() == "int8"    ? TensorView::Type::kInt8
                      : t.Scalar() == "uint8" ? TensorView::Type::kUint8
                                              : TensorView::Type::kFloat32;
        } else {
            error(t ? t : v, child(vp, "type"),
                  "expected int8, uint8 or float32, found " + (t ? describe(t) : "nothing"));
        }
        const auto ints = [&](const char* key, std::vector<int64_t>& out, int64_t lo) {
            const YAML::Node s = v[key];
            if (!s) return;
            if (!s.IsSequence() || s.size() > 16) {
                error(s, child(vp, key),
                      "expected a list of at most 16 integers, found " + describe(s));
                return;
            }
            for (size_t k = 0; k < s.size(); ++k) {
                if (auto x = get_int(s[k], child(vp, key) + "[" + std::to_string(k) + "]", lo,
                                     kMaxTensorElems)) {
                    out.push_back(*x);
                }
            }
        };
        if (!v["shape"]) error(v, vp, "missing required key 'shape'");
        ints("shape", tv.shape, 1);
        ints("dims", tv.dims, 2);
        std::vector<int64_t> perm;
        ints("perm", perm, 0);
        for (int64_t p : perm) tv.perm.push_back(static_cast<int>(p));
        if (tv.dims.size() != tv.perm.size()) {
            error(v, vp, "expected dims and perm of equal length");
        }
        w.views.push_back(std::move(tv));
    }
}

// A float network's conv2d/gemm needs float weights, and its outputs are calibrated.
void Loader::check_float_layer(const LayerSpec& spec) {
    if (!m_float || !spec.op) return;
    const OpKind op = *spec.op;
    if ((op == OpKind::kConv2d || op == OpKind::kGemm) && !spec.node["weights"]) {
        error(spec.node, spec.path,
              "missing required key 'weights' ({file: F}, float32 OHWI: every conv2d/gemm of a "
              "float network has float weights)");
    }
    if (spec.has_output && !(spec.out_scale_auto && spec.out_zp_auto)) {
        error(spec.output_node, child(spec.path, "output"),
              "expected auto (or no 'output') in a float network: post-training quantization "
              "chooses every output's quantization");
    }
}

// A float network's conv2d/gemm: float32 weights (OHWI) and bias (zeros without `bias`).
void Loader::read_float_params(const LayerSpec& spec, Layer& l) {
    if (spec.weights_file.empty()) return;  // reported when parsed
    const int64_t count = l.reduction() * l.out_c;
    const auto floats = [&](const npy::Array& a) {
        const float* p = reinterpret_cast<const float*>(a.data.data());
        return std::vector<float>(p, p + a.elems());
    };
    const auto is_array = [&](const std::string& f) {
        return (m_options.files != nullptr && m_options.files->count(f)) ||
               (f.size() > 4 && f.compare(f.size() - 4, 4, ".npy") == 0);
    };
    if (is_array(spec.weights_file)) {
        if (auto a = read_array(spec.weights_node["file"], child(spec.path, "weights.file"),
                                spec.weights_file, npy::DType::kFloat32, count, "OHWI weights")) {
            l.float_weights = floats(*a);
        }
        if (spec.bias_kind != LayerSpec::BiasKind::kFile) {
            l.float_bias.assign(static_cast<size_t>(l.out_c), 0.0f);
        } else if (!spec.bias_file.empty()) {
            if (auto a = read_array(spec.bias_node["file"], child(spec.path, "bias.file"),
                                    spec.bias_file, npy::DType::kFloat32, l.out_c,
                                    "one per output channel")) {
                l.float_bias = floats(*a);
            }
        }
        return;
    }
    if (auto v = read_floats(
            spec.weights_node["file"], child(spec.path, "weights.file"), spec.weights_file, count,
            std::to_string(l.out_c) + "x" + std::to_string(l.kernel_h) + "x" +
                std::to_string(l.kernel_w) + "x" + std::to_string(l.in_c / l.groups) + " OHWI")) {
        l.float_weights = std::move(*v);
    }
    if (spec.bias_kind == LayerSpec::BiasKind::kFile) {
        if (spec.bias_file.empty()) return;
        if (auto v = read_floats(spec.bias_node["file"], child(spec.path, "bias.file"),
                                 spec.bias_file, l.out_c, "one per output channel")) {
            l.float_bias = std::move(*v);
        }
    } else {
        l.float_bias.assign(static_cast<size_t>(l.out_c), 0.0f);
    }
}

Workload Loader::load(const std::string& text) {
    YAML::Node root;
    try {
        root = YAML::Load(text);
    } catch (const YAML::Exception& e) {
        error(e.mark, "", yaml_syntax_message(e.msg, text, e.mark.line, e.mark.column));
        m_diags.throw_if_any();
    }
    Workload w;
    w.source_file = m_file;
    if (!root.IsMap()) {
        error(root, "",
              "expected a workload map with 'input' and 'layers', found " +
                  (root.IsNull() ? std::string("an empty document") : describe(root)));
        m_diags.throw_if_any();
    }
    check_keys(root, "", kTopKeys);
    // A float network: some layer gives float weights (`weights: {file: F}`).
    if (const YAML::Node ls = root["layers"]; ls && ls.IsSequence()) {
        for (const YAML::Node& l : ls) {
            m_float = m_float || (l.IsMap() && l["weights"] && !l["weight_scale"]);
        }
    }
    w.needs_ptq = m_float;

    w.name = m_file.substr(m_file.find_last_of('/') + 1);
    w.name = w.name.substr(0, w.name.find('.'));
    if (const YAML::Node name = root["name"]) {
        if (good_name(name)) {
            w.name = name.Scalar();
        } else {
            error(name, "name", kNameExpected + describe(name));
        }
    }
    if (const YAML::Node d = root["description"]; d && !d.IsScalar()) {
        error(d, "description", "expected a text, found " + describe(d));
    }
    if (const YAML::Node seed = root["seed"]) {
        std::optional<uint64_t> v;
        const std::string s = seed.IsScalar() ? seed.Scalar() : "";
        if (!s.empty() && s.find_first_not_of("0123456789") == std::string::npos) {
            errno = 0;
            const unsigned long long x = std::strtoull(s.c_str(), nullptr, 10);
            if (errno != ERANGE) v = static_cast<uint64_t>(x);
        }
        if (v) {
            w.seed = *v;
        } else {
            error(seed, "seed", "expected an integer in [0, 2^64), found " + describe(seed));
        }
    }
    if (const YAML::Node batch = root["batch"]) {
        if (const auto v = get_int(batch, "batch", 1, kMaxBatch))
            w.batch = static_cast<int32_t>(*v);
    }

    // Declared tensors: `input: {shape, scale, zero_point}` (v1, one tensor named `input`) or
    // `inputs: [{name, shape, scale, zero_point}, ...]`.
    std::vector<InputSpec> in_specs;
    const YAML::Node input = root["input"];
    const YAML::Node inputs = root["inputs"];
    if (input && inputs) {
        error(inputs, "inputs", "expected either 'input' or 'inputs', found both");
    } else if (!input && !inputs) {
        error(root, "", "missing required key 'input' (or 'inputs')");
    } else if (input) {
        if (expect_map(input, "input", "a map {shape, scale, zero_point}")) {
            check_keys(input, "input", kInputKeys);
            in_specs.push_back(parse_input(input, "input", "input", true));
        }
    } else if (!inputs.IsSequence() || inputs.size() == 0) {
        error(inputs, "inputs",
              "expected a non-empty list of {name, shape, scale, zero_point}, found " +
                  describe(inputs));
    } else {
        std::map<std::string, size_t> seen;
        for (size_t j = 0; j < inputs.size(); ++j) {
            const std::string path = "inputs[" + std::to_string(j) + "]";
            if (!expect_map(inputs[j], path, "a map {name, shape, scale, zero_point}")) continue;
            check_keys(inputs[j], path, kNamedInputKeys);
            std::string name;
            if (const YAML::Node nm = inputs[j]["name"]) {
                if (good_name(nm)) {
                    name = nm.Scalar();
                    const auto [it, fresh] = seen.emplace(name, j);
                    if (!fresh) {
                        error(nm, child(path, "name"),
                              "expected a unique tensor name, found '" + name + "' (also inputs[" +
                                  std::to_string(it->second) + "])");
                    }
                } else {
                    error(nm, child(path, "name"), kNameExpected + describe(nm));
                }
            } else {
                error(inputs[j], path, "missing required key 'name'");
            }
            in_specs.push_back(parse_input(inputs[j], path, name, false));
            if (name.empty()) in_specs.back().ok = false;
        }
    }

    // The declared tensors' views of an imported model.
    if (input && input.IsMap() && input["views"]) {
        parse_views(input["views"], "input.views", "input", w);
    } else if (inputs && inputs.IsSequence()) {
        for (size_t j = 0; j < inputs.size() && j < in_specs.size(); ++j) {
            if (inputs[j].IsMap() && inputs[j]["views"] && !in_specs[j].name.empty()) {
                parse_views(inputs[j]["views"], "inputs[" + std::to_string(j) + "].views",
                            in_specs[j].name, w);
            }
        }
    }

    // Sample sets of the first declared input (raw float32 HWC images).
    const InputSpec* first = in_specs.empty() ? nullptr : &in_specs[0];
    if (const YAML::Node c = root["calibration"]) {
        parse_calibration(c, first, w);
    } else if (m_float && m_options.with_data) {  // timing-only runs need no scales
        error(root, "",
              "missing required key 'calibration' (a float network is quantized from calibration "
              "images)");
    }
    if (const YAML::Node s = root["samples"]) parse_samples(s, first, w);
    if (m_float && in_specs.size() > 1) {
        error(
            inputs, "inputs",
            "expected one declared input in a float network (calibration images feed it), found " +
                std::to_string(in_specs.size()));
    }

    std::vector<LayerSpec> specs;
    const YAML::Node layers = root["layers"];
    if (!layers) {
        error(root, "", "missing required key 'layers'");
    } else if (!layers.IsSequence() || layers.size() == 0) {
        error(layers, "layers", "expected a non-empty list of layers, found " + describe(layers));
    } else {
        specs.resize(layers.size());
        std::map<std::string, size_t> names;
        for (size_t i = 0; i < layers.size(); ++i) {
            parse_layer(layers[i], static_cast<int>(i), specs[i]);
            check_float_layer(specs[i]);
            if (layers[i].IsMap() && layers[i]["views"]) {
                parse_views(layers[i]["views"], specs[i].path + ".views", specs[i].name, w);
            }
            const YAML::Node at =
                layers[i].IsMap() && layers[i]["name"] ? layers[i]["name"] : layers[i];
            const auto [it, fresh] = names.emplace(specs[i].name, i);
            if (!fresh) {
                error(at, child(specs[i].path, "name"),
                      "expected a unique layer name, found '" + specs[i].name + "' (also layers[" +
                          std::to_string(it->second) + "])");
            }
            for (size_t j = 0; j < in_specs.size(); ++j) {
                if (in_specs[j].name != specs[i].name) continue;
                error(at, child(specs[i].path, "name"),
                      "expected a name that is not a declared input, found '" + specs[i].name +
                          "' (also " + in_specs[j].path + ")");
            }
        }
    }

    // Geometry, layer by layer, over the tensors known so far (declared inputs, earlier layers).
    std::map<std::string, TensorSlot> slots;
    std::vector<std::string> known_names;  // for "did you mean"
    for (size_t j = 0; j < in_specs.size(); ++j) {
        slots[in_specs[j].name] = {in_specs[j].shape, -static_cast<int>(j) - 1, in_specs[j].ok};
        known_names.push_back(in_specs[j].name);
    }
    std::vector<std::vector<int>> sources(specs.size());  // >= 0: layer; < 0: -(input + 1)
    w.layers.resize(specs.size());
    for (size_t i = 0; i < specs.size(); ++i) {
        LayerSpec& spec = specs[i];
        Layer& l = w.layers[i];
        l.name = spec.name;
        if (spec.node.IsDefined() && spec.node.Mark().line >= 0) {
            l.source_line = spec.node.Mark().line + 1;
            l.source_col = spec.node.Mark().column + 1;
        }
        l.inputs = spec.inputs;
        l.pin_rows = static_cast<int32_t>(spec.pin_rows);
        l.pin_k_chunk = spec.pin_k_chunk;
        l.pin_dataflow = spec.pin_dataflow;
        l.pin_order = spec.pin_order;
        l.pin_fuse = spec.pin_fuse;
        l.pin_partition = spec.pin_partition;
        l.precision = spec.precision;
        bool ok = spec.geometry_ok && spec.op.has_value();
        if (spec.op) l.kind = *spec.op;
        std::vector<std::string> names = spec.inputs;
        if (names.empty()) {
            if (i > 0) {
                names.push_back(specs[i - 1].name);
            } else if (!in_specs.empty()) {
                names.push_back(in_specs[0].name);
            } else {
                ok = false;
            }
        }
        // Copies of the inputs' slots: a layer may repeat an earlier name (reported as a
        // duplicate), even its own input's, and its slot is replaced below.
        std::vector<TensorSlot> in_slots;
        if (spec.has_inputs && spec.inputs.size() != spec.inputs_node.size()) {
            names.clear();  // a malformed entry (reported): node indices would not match
            ok = false;
        }
        // (No names at all: the declared inputs had errors, already reported.)
        if (spec.op && !names.empty() && !input_count_ok(spec, names.size())) ok = false;
        if (spec.op && names.empty() && spec.has_inputs) ok = false;
        for (size_t k = 0; k < names.size(); ++k) {
            const auto it = slots.find(names[k]);
            if (it == slots.end()) {
                const YAML::Node at = spec.has_inputs ? spec.inputs_node[k] : spec.node;
                const bool later =
                    std::any_of(specs.begin() + static_cast<std::ptrdiff_t>(i), specs.end(),
                                [&](const LayerSpec& o) { return o.name == names[k]; });
                error(at, child(spec.path, "inputs") + "[" + std::to_string(k) + "]",
                      "expected a declared input or an earlier layer's output, found '" + names[k] +
                          "'" +
                          (later ? " (a later layer: list layers after their inputs)"
                                 : did_you_mean(names[k], known_names)));
                ok = false;
                continue;
            }
            if (!it->second.ok) ok = false;  // reported where it was defined
            in_slots.push_back(it->second);
            sources[i].push_back(it->second.source);
        }
        std::vector<const TensorSlot*> in;
        for (const TensorSlot& slot : in_slots) in.push_back(&slot);
        slots[spec.name] = {{}, static_cast<int>(i), false};
        known_names.push_back(spec.name);
        if (!ok) continue;
        const size_t before = m_diags.items().size();
        std::vector<int64_t> out = layer_geometry(spec, l, in, names, sources[i], in_specs, i);
        if (m_diags.items().size() != before || out.empty()) continue;
        int64_t elems = 1;
        for (int64_t d : out) elems *= d;
        if (elems > kMaxTensorElems) {
            error(spec.node, spec.path,
                  "expected at most " + std::to_string(kMaxTensorElems) +
                      " elements per tensor, found " + std::to_string(elems) + " outputs");
            continue;
        }
        for (int64_t d : out) l.out_shape.push_back(static_cast<int32_t>(d));
        slots[spec.name] = {out, static_cast<int>(i), true};
        if (m_float && (l.kind == OpKind::kConv2d || l.kind == OpKind::kGemm)) {
            read_float_params(spec, l);
        }
    }
    m_diags.throw_if_any();

    // Declared tensors, and what remains to compute: seeded tensors and the quantization
    // (npu::quant::prepare, sim/quant/prepare.h).
    for (const InputSpec& in : in_specs) {
        Tensor t;
        t.name = in.name;
        for (int64_t d : in.shape) t.shape.push_back(static_cast<int32_t>(d));
        t.quant = in.quant;
        t.quant.uint8_origin = has_uint8_view(w, t.name);
        w.inputs.push_back(std::move(t));
    }
    PendingWork pending;
    pending.with_data = m_options.with_data;
    for (size_t i = 0; i < specs.size(); ++i) {
        const LayerSpec& spec = specs[i];
        Layer& l = w.layers[i];
        LayerRequest r;
        if (m_float && (l.kind == OpKind::kConv2d || l.kind == OpKind::kGemm)) {
            // Float weights were read with the geometry; the scales are post-training
            // quantization's.
            l.weight_scale.assign(static_cast<size_t>(l.out_c), 1.0);
        } else if (l.kind == OpKind::kConv2d || l.kind == OpKind::kGemm) {
            // Weights (int8) and a bias (int32) given as side files are read here (with data:
            // timing-only runs need no tensor); prepare() draws the others.
            if (m_options.with_data &&
                (!spec.weights_file.empty() || spec.bias_kind == LayerSpec::BiasKind::kFile)) {
                read_int_params(spec, l);
                r.weights_given = !spec.weights_file.empty();
            }
            if (spec.w_scale_kind == LayerSpec::ScaleKind::kList) {
                l.weight_scale = spec.w_scales;
            } else if (spec.w_scale_kind == LayerSpec::ScaleKind::kScalar) {
                l.weight_scale.assign(static_cast<size_t>(l.out_c), spec.w_scales.at(0));
            } else {
                r.w_scale_range = true;
                r.w_scale_min = spec.w_scale_min;
                r.w_scale_max = spec.w_scale_max;
            }
        } else if (m_options.with_data &&
                   (l.kind == OpKind::kLayerNorm || l.kind == OpKind::kRmsNorm)) {
            read_norm_params(spec, l);  // given gamma/beta files; prepare() draws the others
            r.gamma_given = !spec.gamma_file.empty();
            r.beta_given = !spec.beta_file.empty();
        }
        if (l.kind == OpKind::kLookup) {
            l.lut = spec.table;
            l.lookup_function = spec.lookup_function;
            l.lookup_alpha = spec.lookup_alpha;
        }
        switch (spec.bias_kind) {
            case LayerSpec::BiasKind::kRandom:
                r.bias = LayerRequest::Bias::kRandom;
                break;
            case LayerSpec::BiasKind::kZero:
                r.bias = LayerRequest::Bias::kZero;
                break;
            case LayerSpec::BiasKind::kList:
                r.bias = LayerRequest::Bias::kList;
                r.bias_list = spec.bias_list;
                break;
            case LayerSpec::BiasKind::kFile:
                r.bias = LayerRequest::Bias::kFile;
                break;
        }
        l.activation = spec.activation;
        l.clamp_min = spec.clamp_min;
        l.clamp_max = spec.clamp_max;
        r.has_output = spec.has_output;
        r.out_scale_auto = spec.out_scale_auto;
        r.out_zp_auto = spec.out_zp_auto;
        r.out_scale = spec.out_scale;
        r.out_zero_point = static_cast<int32_t>(spec.out_zp);
        r.sources = sources[i];
        r.uint8_origin = has_uint8_view(w, l.name);
        r.output_at =
            where(spec.has_output ? spec.output_node : spec.node, child(spec.path, "output"));
        r.inputs_at = where(spec.inputs_node, child(spec.path, "inputs"));
        pending.layers.push_back(std::move(r));
    }
    m_diags.throw_if_any();  // side files that could not be read
    w.pending = std::move(pending);
    return w;
}

}  // namespace

Workload load_workload_from_string(const std::string& text, const std::string& file_label,
                                   const LoadOptions& options) {
    return Loader(file_label, options).load(text);
}

Workload load_workload(const std::string& path, const LoadOptions& options) {
    return load_workload_from_string(
        read_input_file_or_throw(path, kMaxTextInputBytes, "a workload file"), path, options);
}

}  // namespace npu::graph

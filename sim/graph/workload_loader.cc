#include "sim/graph/workload_loader.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <limits>
#include <map>
#include <optional>
#include <set>
#include <sstream>

#include "sim/core/error.h"
#include "sim/core/requant.h"
#include "sim/graph/layer_eval.h"

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

std::vector<int8_t> DataGenerator::int8s(size_t count, int lo, int hi) {
    std::vector<int8_t> v(count);
    for (auto& x : v) x = static_cast<int8_t>(uniform_int(lo, hi));
    return v;
}

namespace {

// Bounds that keep every derived quantity inside int and the generated tensors reasonable.
constexpr int64_t kMaxDim = 65536;                     // H, W, C, out_channels, n, m
constexpr int64_t kMaxWindow = 1024;                   // kernel, stride, dilation, padding
constexpr int64_t kMaxTensorElems = int64_t{1} << 28;  // any one tensor (256 Mi elements)
constexpr int64_t kBiasPerK = 64;                      // random bias in [-64 K, 64 K]
// |x - zp| <= 255 and |w| <= 127, so |acc| <= K * 32385 + max|bias| must stay below 2^31.
constexpr int64_t kMaxTermMagnitude = 255 * 127;

const std::vector<std::string> kTopKeys = {"name", "description", "seed", "input", "layers"};
const std::vector<std::string> kInputKeys = {"shape", "scale", "zero_point"};
const std::vector<std::string> kCommonLayerKeys = {"name",   "op",   "weight_scale",
                                                   "output", "bias", "activation"};
const std::vector<std::string> kConvKeys = {"out_channels", "kernel", "stride", "padding",
                                            "dilation"};
const std::vector<std::string> kGemmKeys = {"n", "m"};
const std::vector<std::string> kOutputKeys = {"scale", "zero_point"};

std::string describe(const YAML::Node& n) {
    switch (n.Type()) {
        case YAML::NodeType::Scalar:
            return "'" + n.Scalar() + "'";
        case YAML::NodeType::Sequence:
            return "a list of " + std::to_string(n.size());
        case YAML::NodeType::Map:
            return "a map";
        default:
            return "nothing";
    }
}

size_t edit_distance(const std::string& a, const std::string& b) {
    std::vector<size_t> row(b.size() + 1);
    for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
    for (size_t i = 1; i <= a.size(); ++i) {
        size_t diag = row[0];
        row[0] = i;
        for (size_t j = 1; j <= b.size(); ++j) {
            const size_t up = row[j];
            row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] == b[j - 1] ? 0 : 1)});
            diag = up;
        }
    }
    return row[b.size()];
}

std::string did_you_mean(const std::string& word, const std::vector<std::string>& options) {
    std::string best;
    size_t best_d = std::max<size_t>(2, word.size() / 3) + 1;
    for (const auto& o : options) {
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
    enum class BiasKind { kRandom, kZero, kList } bias_kind = BiasKind::kRandom;
    std::vector<int32_t> bias_list;
    Activation activation = Activation::kNone;
    double clamp_min = 0, clamp_max = 0;
    bool out_scale_auto = true, out_zp_auto = true;
    double out_scale = 1.0;
    int64_t out_zp = 0;
    YAML::Node output_node;  // for errors found after generation
    bool geometry_ok = true;
};

class Loader {
  public:
    explicit Loader(std::string file) : m_file(std::move(file)) {}
    Workload load(const std::string& text);

  private:
    std::string m_file;
    DiagnosticList m_diags;

    void error(const YAML::Mark& mark, const std::string& key, const std::string& message) {
        const bool known = mark.line >= 0;
        m_diags.add({m_file, known ? mark.line + 1 : 0, known ? mark.column + 1 : 0, key, message});
    }
    void error(const YAML::Node& at, const std::string& key, const std::string& message) {
        error(at.Mark(), key, message);
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
    if (*spec.op == OpKind::kConv2d) {
        if (const YAML::Node v = n["out_channels"]) {
            if (auto x = get_int(v, child(spec.path, "out_channels"), 1, kMaxDim)) spec.out_c = *x;
        } else {
            error(n, spec.path, "missing required key 'out_channels'");
        }
        if (const YAML::Node v = n["kernel"]) {
            if (auto p = get_pair(v, child(spec.path, "kernel"), 1, kMaxWindow)) spec.kernel = *p;
        } else {
            error(n, spec.path, "missing required key 'kernel'");
        }
        if (const YAML::Node v = n["stride"]) {
            if (auto p = get_pair(v, child(spec.path, "stride"), 1, kMaxWindow)) spec.stride = *p;
        }
        if (const YAML::Node v = n["dilation"]) {
            if (auto p = get_pair(v, child(spec.path, "dilation"), 1, kMaxWindow)) {
                spec.dilation = *p;
            }
        }
        if (const YAML::Node v = n["padding"]) parse_padding(v, spec);
    } else {
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

void Loader::parse_quant(LayerSpec& spec, bool out_c_known) {
    const YAML::Node& n = spec.node;
    const int64_t out_c = *spec.op == OpKind::kConv2d ? spec.out_c : spec.n;
    const std::string count = std::to_string(out_c);

    // weight_scale: number | list of out_c numbers | {min, max}
    const std::string wpath = child(spec.path, "weight_scale");
    if (const YAML::Node ws = n["weight_scale"]) {
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

    // bias: true (random) | false (zeros) | list of out_c int32 values
    if (const YAML::Node b = n["bias"]) {
        const std::string bpath = child(spec.path, "bias");
        if (b.IsScalar() && (b.Scalar() == "true" || b.Scalar() == "false")) {
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
            error(b, bpath, "expected true, false or a list of integers, found " + describe(b));
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
        if (name.IsScalar() && !name.Scalar().empty()) {
            spec.name = name.Scalar();
        } else {
            error(name, child(spec.path, "name"),
                  "expected a non-empty name, found " + describe(name));
        }
    }
    const YAML::Node op = n["op"];
    if (!op) {
        error(n, spec.path, "missing required key 'op' (conv2d or gemm)");
    } else if (op.IsScalar() && op.Scalar() == "conv2d") {
        spec.op = OpKind::kConv2d;
    } else if (op.IsScalar() && op.Scalar() == "gemm") {
        spec.op = OpKind::kGemm;
    } else {
        error(op, child(spec.path, "op"),
              "expected conv2d or gemm, found " + describe(op) +
                  (op.IsScalar() ? did_you_mean(op.Scalar(), {"conv2d", "gemm"}) : ""));
    }
    if (!spec.op) {
        // Without an op we cannot tell which keys belong; accept the union, check the rest.
        std::vector<std::string> all = kCommonLayerKeys;
        all.insert(all.end(), kConvKeys.begin(), kConvKeys.end());
        all.insert(all.end(), kGemmKeys.begin(), kGemmKeys.end());
        check_keys(n, spec.path, all);
        spec.geometry_ok = false;
        return;
    }
    const bool conv = *spec.op == OpKind::kConv2d;
    std::vector<std::string> allowed = kCommonLayerKeys;
    const auto& own = conv ? kConvKeys : kGemmKeys;
    allowed.insert(allowed.end(), own.begin(), own.end());
    check_keys(n, spec.path, allowed, conv ? kGemmKeys : kConvKeys, to_string(*spec.op));
    parse_geometry(spec);
    const bool out_c_known = conv ? spec.out_c > 0 : spec.n > 0;
    parse_quant(spec, out_c_known);
}

// Chooses the output quantization for `output: {scale: auto}` / `zero_point: auto` from the range
// [lo, hi] of real values (acc * in_scale * w_scale) the layer produces; the range always contains
// 0 so that zero is exact, as in TFLite's ChooseQuantizationParams.
QuantParams choose_output(double lo, double hi, const LayerSpec& spec) {
    double cmin = -std::numeric_limits<double>::infinity();
    double cmax = std::numeric_limits<double>::infinity();
    if (spec.activation == Activation::kRelu) cmin = 0.0;
    if (spec.activation == Activation::kRelu6) cmin = 0.0, cmax = 6.0;
    if (spec.activation == Activation::kClamp) cmin = spec.clamp_min, cmax = spec.clamp_max;
    // Values the activation removes need no codes.
    lo = std::min(0.0, std::max(lo, cmin));
    hi = std::max(0.0, std::min(hi, cmax));
    QuantParams q;
    if (spec.out_scale_auto && spec.out_zp_auto) {
        q.scale = hi > lo ? (hi - lo) / 255.0 : 1.0;
        const double zp = std::round(-128.0 - lo / q.scale);
        q.zero_point = static_cast<int32_t>(std::clamp(zp, -128.0, 127.0));
    } else if (spec.out_scale_auto) {
        const int64_t zp = spec.out_zp;
        double s = 0.0;
        if (hi > 0 && zp < 127) s = std::max(s, hi / static_cast<double>(127 - zp));
        if (lo < 0 && zp > -128) s = std::max(s, lo / static_cast<double>(-128 - zp));
        q.scale = s > 0 ? s : 1.0;
        q.zero_point = static_cast<int32_t>(zp);
    } else {
        q.scale = spec.out_scale;
        const double zp = std::round(-128.0 - lo / q.scale);
        q.zero_point = static_cast<int32_t>(std::clamp(zp, -128.0, 127.0));
    }
    return q;
}

// A real value's code in the output's quantized domain, saturated to int8.
int32_t quantize_real(double x, const QuantParams& q) {
    const double v = std::round(x / q.scale) + q.zero_point;
    return static_cast<int32_t>(std::clamp(v, -128.0, 127.0));
}

Workload Loader::load(const std::string& text) {
    YAML::Node root;
    try {
        root = YAML::Load(text);
    } catch (const YAML::Exception& e) {
        error(e.mark, "", "invalid YAML: " + e.msg);
        m_diags.throw_if_any();
    }
    Workload w;
    w.source_file = m_file;
    if (!root.IsMap()) {
        error(root, "",
              "expected a workload map with 'input' and 'layers', found " + describe(root));
        m_diags.throw_if_any();
    }
    check_keys(root, "", kTopKeys);

    w.name = m_file.substr(m_file.find_last_of('/') + 1);
    w.name = w.name.substr(0, w.name.find('.'));
    if (const YAML::Node name = root["name"]) {
        if (name.IsScalar() && !name.Scalar().empty()) {
            w.name = name.Scalar();
        } else {
            error(name, "name", "expected a non-empty name, found " + describe(name));
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

    // Input tensor: shape [H, W, C] (or [M, K] when the first layer is a gemm).
    int64_t shape[3] = {0, 0, 0};
    bool shape_ok = false;
    bool shape_2d = false;
    YAML::Node shape_node;
    QuantParams in_q;
    const YAML::Node input = root["input"];
    if (!input) {
        error(root, "", "missing required key 'input'");
    } else if (expect_map(input, "input", "a map {shape, scale, zero_point}")) {
        check_keys(input, "input", kInputKeys);
        shape_node = input["shape"];
        if (!shape_node) {
            error(input, "input", "missing required key 'shape'");
        } else if (shape_node.IsSequence() && (shape_node.size() == 3 || shape_node.size() == 2)) {
            shape_ok = true;
            shape_2d = shape_node.size() == 2;
            for (size_t i = 0; i < shape_node.size(); ++i) {
                const auto v =
                    get_int(shape_node[i], "input.shape[" + std::to_string(i) + "]", 1, kMaxDim);
                shape_ok = shape_ok && v.has_value();
                if (v) shape[i] = *v;
            }
            if (shape_2d) {  // [M, K] is H = M, W = 1, C = K
                shape[2] = shape[1];
                shape[1] = 1;
            }
            if (shape_ok && shape[0] * shape[1] * shape[2] > kMaxTensorElems) {
                error(shape_node, "input.shape",
                      "expected at most " + std::to_string(kMaxTensorElems) + " elements, found " +
                          std::to_string(shape[0] * shape[1] * shape[2]));
                shape_ok = false;
            }
        } else {
            error(shape_node, "input.shape",
                  "expected a list [H, W, C] (or [M, K] before a gemm), found " +
                      describe(shape_node));
        }
        if (const YAML::Node s = input["scale"]) {
            if (auto v = get_positive(s, "input.scale")) in_q.scale = *v;
        } else {
            error(input, "input", "missing required key 'scale'");
        }
        if (const YAML::Node z = input["zero_point"]) {
            if (auto v = get_int(z, "input.zero_point", -128, 127)) {
                in_q.zero_point = static_cast<int32_t>(*v);
            }
        }
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
            const auto [it, fresh] = names.emplace(specs[i].name, i);
            if (!fresh) {
                const YAML::Node at =
                    layers[i].IsMap() && layers[i]["name"] ? layers[i]["name"] : layers[i];
                error(at, child(specs[i].path, "name"),
                      "expected a unique layer name, found '" + specs[i].name + "' (also layers[" +
                          std::to_string(it->second) + "])");
            }
        }
    }
    if (shape_ok && shape_2d && !specs.empty() && specs[0].op == OpKind::kConv2d) {
        error(shape_node, "input.shape",
              "expected [H, W, C] when the first layer is a conv2d, found a list of 2");
        shape_ok = false;
    }

    // Geometry, layer by layer: each layer's input is the previous layer's output.
    w.layers.resize(specs.size());
    int64_t cur[3] = {shape[0], shape[1], shape[2]};
    bool known = shape_ok;
    for (size_t i = 0; i < specs.size(); ++i) {
        LayerSpec& spec = specs[i];
        Layer& l = w.layers[i];
        l.name = spec.name;
        if (!known || !spec.geometry_ok || !spec.op) {
            known = false;
            continue;
        }
        const size_t before = m_diags.items().size();
        if (*spec.op == OpKind::kConv2d) {
            l.kind = OpKind::kConv2d;
            l.in_h = static_cast<int>(cur[0]);
            l.in_w = static_cast<int>(cur[1]);
            l.in_c = static_cast<int>(cur[2]);
            l.out_c = static_cast<int>(spec.out_c);
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
        } else {
            l.kind = OpKind::kGemm;
            const int64_t elems = cur[0] * cur[1] * cur[2];
            int64_t m = cur[0] * cur[1];
            if (spec.m) {
                m = *spec.m;
                if (elems % m != 0) {
                    error(spec.node["m"], child(spec.path, "m"),
                          "expected a divisor of the input's " + std::to_string(elems) +
                              " elements (" + std::to_string(cur[0]) + "x" +
                              std::to_string(cur[1]) + "x" + std::to_string(cur[2]) + "), found " +
                              std::to_string(m));
                    m = 1;
                }
            }
            l.in_h = static_cast<int>(std::min(m, kMaxTensorElems));
            l.in_w = 1;
            l.in_c = static_cast<int>(std::min(elems / m, kMaxTensorElems));
            l.out_c = static_cast<int>(spec.n);
        }
        if (m_diags.items().size() == before) {
            const int64_t k = l.reduction();
            if (l.output_elems() > kMaxTensorElems || k * l.out_c > kMaxTensorElems) {
                error(spec.node, spec.path,
                      "expected at most " + std::to_string(kMaxTensorElems) +
                          " elements per tensor, found " + std::to_string(l.output_elems()) +
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
        }
        if (m_diags.items().size() != before) {
            known = false;
            continue;
        }
        cur[0] = l.out_h();
        cur[1] = l.out_w();
        cur[2] = l.out_c;
    }
    m_diags.throw_if_any();

    // Data, each tensor from its own stream (see DataGenerator).
    w.input = DataGenerator(w.seed, 0).int8s(static_cast<size_t>(shape[0] * shape[1] * shape[2]),
                                             -128, 127);
    size_t last_auto = 0;
    bool any_auto = false;
    for (size_t i = 0; i < specs.size(); ++i) {
        const LayerSpec& spec = specs[i];
        Layer& l = w.layers[i];
        const uint64_t stream = 3 * static_cast<uint64_t>(i);
        const int64_t k = l.reduction();
        l.weights =
            DataGenerator(w.seed, stream + 1).int8s(static_cast<size_t>(k * l.out_c), -127, 127);
        if (spec.bias_kind == LayerSpec::BiasKind::kList) {
            l.bias = spec.bias_list;
        } else if (spec.bias_kind == LayerSpec::BiasKind::kZero) {
            l.bias.assign(static_cast<size_t>(l.out_c), 0);
        } else {
            DataGenerator gen(w.seed, stream + 2);
            l.bias.resize(static_cast<size_t>(l.out_c));
            for (auto& b : l.bias) {
                b = static_cast<int32_t>(gen.uniform_int(-k * kBiasPerK, k * kBiasPerK));
            }
        }
        if (spec.w_scale_kind == LayerSpec::ScaleKind::kList) {
            l.weight_scale = spec.w_scales;
        } else if (spec.w_scale_kind == LayerSpec::ScaleKind::kScalar) {
            l.weight_scale.assign(static_cast<size_t>(l.out_c), spec.w_scales.at(0));
        } else {
            DataGenerator gen(w.seed, stream + 3);
            l.weight_scale.resize(static_cast<size_t>(l.out_c));
            for (auto& s : l.weight_scale) {
                s = spec.w_scale_min + gen.uniform_unit() * (spec.w_scale_max - spec.w_scale_min);
            }
        }
        l.activation = spec.activation;
        l.clamp_min = spec.clamp_min;
        l.clamp_max = spec.clamp_max;
        if (spec.out_scale_auto || spec.out_zp_auto) {
            last_auto = i;
            any_auto = true;
        }
    }

    // Quantization, in order: an auto output needs the real outputs of every earlier layer.
    QuantParams q_in = in_q;
    std::vector<int8_t> current;
    const std::vector<int8_t>* x = &w.input;
    for (size_t i = 0; i < specs.size(); ++i) {
        const LayerSpec& spec = specs[i];
        Layer& l = w.layers[i];
        l.input = q_in;
        std::vector<int32_t> acc;
        if (spec.out_scale_auto || spec.out_zp_auto) {
            acc = accumulate(l, *x);
            double lo = 0.0;
            double hi = 0.0;
            const size_t channels = static_cast<size_t>(l.out_c);
            for (size_t j = 0; j < acc.size(); ++j) {
                const double real = acc[j] * l.input.scale * l.weight_scale[j % channels];
                lo = std::min(lo, real);
                hi = std::max(hi, real);
            }
            l.output = choose_output(lo, hi, spec);
        } else {
            l.output = {spec.out_scale, static_cast<int32_t>(spec.out_zp)};
        }
        Requant& rq = l.requant;
        rq.multiplier.clear();
        rq.shift.clear();
        for (double ws : l.weight_scale) {
            const double m = l.input.scale * ws / l.output.scale;
            if (!(m < 0x1.0p31)) {
                error(spec.output_node ? spec.output_node : spec.node, child(spec.path, "output"),
                      "expected input.scale * weight_scale / output.scale < 2^31, found " +
                          std::to_string(m));
                break;
            }
            const QuantMultiplier qm = quantize_multiplier(m);
            rq.multiplier.push_back(qm.multiplier);
            rq.shift.push_back(qm.shift);
        }
        rq.out_zero_point = l.output.zero_point;
        rq.act_min = -128;
        rq.act_max = 127;
        switch (l.activation) {
            case Activation::kNone:
                break;
            case Activation::kRelu:
                rq.act_min = l.output.zero_point;
                break;
            case Activation::kRelu6:
                rq.act_min = l.output.zero_point;
                rq.act_max = quantize_real(6.0, l.output);
                break;
            case Activation::kClamp:
                rq.act_min = quantize_real(l.clamp_min, l.output);
                rq.act_max = quantize_real(l.clamp_max, l.output);
                break;
        }
        if (!m_diags.empty()) break;
        if (any_auto && i < last_auto) {
            if (acc.empty()) acc = accumulate(l, *x);
            // Half-even (ONNX) rounding: the choice of later scales depends on it only marginally.
            current = requantize_output(l, acc, Rounding::kHalfEven);
            x = &current;
        }
        q_in = l.output;
    }
    m_diags.throw_if_any();
    return w;
}

}  // namespace

Workload load_workload_from_string(const std::string& text, const std::string& file_label) {
    return Loader(file_label).load(text);
}

Workload load_workload(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        throw UserError(Diagnostic{
            path, 0, 0, "", std::string("cannot open workload file: ") + std::strerror(errno)});
    }
    std::ostringstream text;
    text << in.rdbuf();
    return load_workload_from_string(text.str(), path);
}

}  // namespace npu::graph

// ONNX models through the npusim binary: run on a real input with every tensor saved and
// compared with ONNX Runtime's (tests/onnx/goldens), in both dataflows and at PE fidelity;
// `npusim import` and the imported YAML give the same cycles and the same bytes; compare on a
// float model; bad models and bad inputs are exit 2 with a message; a SCALE-Sim topology imports
// to a YAML that runs in the CSV's cycles.
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tests/integration/npusim_harness.h"

namespace npu::testing {
namespace {

const std::string kModels = "tests/onnx/models/";
const std::string kGoldens = "tests/onnx/goldens/";

// The .npy bytes of a file (header and data).
std::string bytes_of(const fs::path& p) {
    std::ifstream f(p, std::ios::binary);
    return std::string((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
}

class OnnxRun : public NpusimTest {
  protected:
    // Runs MODEL on its committed input, saving every tensor into DIR; returns the exit code.
    Result run(const std::string& model, const std::string& dir, const std::string& extra = "") {
        const std::string net = model.substr(0, model.find('_'));
        return npusim("run --workload " + kModels + model + ".onnx --input input=" + kModels + net +
                      "_input.npy --save-tensors " + (m_dir / dir).string() +
                      " --quiet --no-progress " + extra);
    }
    struct Differences {
        int tensors = 0;       // tensors of the golden manifest that differ from the saved ones
        int64_t elements = 0;  // their differing elements
        int worst = 0;         // the largest difference in LSB (quantized tensors)
    };
    Differences compare(const std::string& model, const std::string& dir) {
        std::ifstream mf(std::string(NPUSIM_SOURCE_DIR) + "/" + kGoldens + model +
                         "/manifest.json");
        const nlohmann::json manifest = nlohmann::json::parse(mf);
        Differences d;
        int compared = 0;
        for (const auto& t : manifest["tensors"]) {
            const std::string file = t["file"];
            const fs::path golden = fs::path(NPUSIM_SOURCE_DIR) / kGoldens / model / file;
            const fs::path saved = m_dir / dir / file;
            EXPECT_TRUE(fs::exists(saved)) << model << ": " << file << " was not saved";
            if (!fs::exists(saved)) continue;
            const std::string g = bytes_of(golden), s = bytes_of(saved);
            EXPECT_EQ(g.size(), s.size()) << model << ": " << file;
            ++compared;
            if (g == s) continue;
            ++d.tensors;
            // The payload is the last elements of the file: uint8, int8 or float32 (outputs).
            const bool u8 = g.find("'descr': '|u1'") != std::string::npos;
            const bool i8 = g.find("'descr': '|i1'") != std::string::npos;
            const size_t width = u8 || i8 ? 1 : 4;
            for (size_t i = g.find('\n') + 1; i + width <= g.size() && i + width <= s.size();
                 i += width) {
                if (g.compare(i, width, s, i, width) == 0) continue;
                ++d.elements;
                if (!u8 && !i8) continue;
                const int a = u8 ? int(uint8_t(g[i])) : int(int8_t(g[i]));
                const int b = u8 ? int(uint8_t(s[i])) : int(int8_t(s[i]));
                d.worst = std::max(d.worst, std::abs(a - b));
            }
        }
        EXPECT_GE(compared, 5) << model;
        return d;
    }
};

const std::vector<std::string> kQuantizedModels = {
    "digits_qdq",    "digits_qlinear",    "residual_qdq",    "residual_qlinear",
    "depthwise_qdq", "depthwise_qlinear", "transformer_qdq", "transformer_qlinear"};

// With postproc.requant float32 every tensor of every committed model equals ONNX Runtime's
// byte for byte (0 differing elements), in ws and os and at PE fidelity (the residual network's
// PE run is left out for time: its layers are the digits network's ops at a larger size).
TEST_F(OnnxRun, EveryModelEqualsOnnxRuntimeWithFloat32Requant) {
    for (const std::string& model : kQuantizedModels) {
        for (const std::string extra : {"", "--set array.dataflow=os", "--fidelity pe"}) {
            if (extra == "--fidelity pe" && model.rfind("residual", 0) == 0) continue;
            const std::string dir = "t" + std::to_string(std::hash<std::string>{}(model + extra));
            const Result r = run(model, dir, "--set postproc.requant=float32 " + extra);
            ASSERT_EQ(r.code, 0) << model << " " << extra << ": " << r.err;
            EXPECT_NE(r.out.find("bit-exact"), std::string::npos) << r.out;
            const Differences d = compare(model, dir);
            EXPECT_EQ(d.tensors, 0) << model << " " << extra;
            EXPECT_EQ(d.elements, 0) << model << " " << extra;
        }
    }
}

// With the default fixed-point requantization (integer multipliers, not ORT's float32) the conv
// networks are still exact on these inputs, and the others differ by exactly these counts, end
// to end from the quantized input (the QDQ and operator forms alike): the average pooling
// (depthwise) and the softmax (transformer) differ by 1 LSB in some elements and the layers after
// them inherit it (layer by layer, on ORT's own inputs, every layer is within 1 LSB:
// tests/unit/onnx_import_test.cc). The float output counts as differing elements too.
TEST_F(OnnxRun, FixedPointRequantDiffersFromOnnxRuntimeByKnownCounts) {
    struct Expected {
        int tensors;
        int64_t elements;
        int worst;
    };
    const std::map<std::string, Expected> expected = {
        {"digits_qdq", {0, 0, 0}},         {"digits_qlinear", {0, 0, 0}},
        {"residual_qdq", {0, 0, 0}},       {"residual_qlinear", {0, 0, 0}},
        {"depthwise_qdq", {9, 192, 3}},    {"depthwise_qlinear", {9, 192, 3}},
        {"transformer_qdq", {12, 294, 4}}, {"transformer_qlinear", {12, 294, 4}}};
    for (const auto& [model, e] : expected) {
        const Result r = run(model, model);
        ASSERT_EQ(r.code, 0) << model << ": " << r.err;
        const Differences d = compare(model, model);
        EXPECT_EQ(d.tensors, e.tensors) << model;
        EXPECT_EQ(d.elements, e.elements) << model;
        EXPECT_EQ(d.worst, e.worst) << model;
    }
}

// `npusim import` writes the YAML and its .npy files; running the YAML gives the same cycles
// (stats.json) and the same bytes (every saved tensor, named as in the model) as the ONNX file.
TEST_F(OnnxRun, ImportedYamlRunsLikeTheModel) {
    const fs::path yaml = m_dir / "imp" / "residual.yaml";
    fs::create_directories(yaml.parent_path());
    Result r = npusim("import " + kModels + "residual_qdq.onnx -o " + yaml.string());
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_TRUE(fs::exists(m_dir / "imp" / "residual.data"));
    r = npusim("import " + kModels + "residual_qdq.onnx -o " + yaml.string());
    EXPECT_EQ(r.code, 2);
    EXPECT_NE(r.err.find("already exists; pass --force"), std::string::npos) << r.err;
    const std::string in = " --input input=" + kModels + "residual_input.npy --quiet --no-progress";
    ASSERT_EQ(npusim("run --workload " + yaml.string() + in + " --out " + (m_dir / "a").string() +
                     " --save-tensors " + (m_dir / "ta").string())
                  .code,
              0);
    ASSERT_EQ(npusim("run --workload " + kModels + "residual_qdq.onnx" + in + " --out " +
                     (m_dir / "b").string() + " --save-tensors " + (m_dir / "tb").string())
                  .code,
              0);
    const auto stats = [&](const char* d) {
        std::ifstream f(m_dir / d / "stats.json");
        return nlohmann::json::parse(f)["totals"];
    };
    EXPECT_EQ(stats("a")["cycles"], stats("b")["cycles"]);
    EXPECT_EQ(stats("a")["dram_bytes"], stats("b")["dram_bytes"]);
    int files = 0;
    for (const auto& e : fs::directory_iterator(m_dir / "tb")) {
        EXPECT_EQ(bytes_of(e.path()), bytes_of(m_dir / "ta" / e.path().filename())) << e.path();
        ++files;
    }
    EXPECT_GE(files, 10);
}

// A SCALE-Sim topology imports the same way (`--format scalesim` or by its .csv extension; no
// side files: SCALE-Sim has no data), and the YAML runs in the cycles of the CSV, per layer, in
// SCALE-Sim's own array timing and in npusim's.
TEST_F(OnnxRun, ImportedScaleSimTopologyRunsLikeTheCsv) {
    const fs::path csv =
        write("topo.csv",
              "Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, "
              "Channels, Num Filter, Strides,\n"
              "Conv1, 18, 18, 3, 3, 8, 16, 1,\n"
              "CB2_DP, 17, 17, 3, 3, 16, 1, 2,\n"
              "Wide, 9, 12, 3, 5, 16, 6, 2, 3,\n");
    const fs::path yaml = m_dir / "topo.yaml";
    Result r = npusim("import " + csv.string() + " -o " + yaml.string());
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_NE(r.out.find("(scalesim)"), std::string::npos) << r.out;
    EXPECT_FALSE(fs::exists(m_dir / "topo.data"));
    const fs::path other = write("topo.txt", bytes_of(csv));  // the name is the stem
    r = npusim("import " + other.string() + " --format scalesim -o " +
               (m_dir / "other.yaml").string());
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(bytes_of(m_dir / "other.yaml"), bytes_of(yaml));
    for (const std::string timing : {"scalesim", "npusim"}) {
        const std::string set = " --set array.timing=" + timing + " --quiet --no-progress --out ";
        ASSERT_EQ(
            npusim("run --workload " + csv.string() + set + (m_dir / "a").string() + " --force")
                .code,
            0);
        ASSERT_EQ(
            npusim("run --workload " + yaml.string() + set + (m_dir / "b").string() + " --force")
                .code,
            0);
        const auto stats = [&](const char* d) {
            std::ifstream f(m_dir / d / "stats.json");
            return nlohmann::json::parse(f);
        };
        const nlohmann::json a = stats("a"), b = stats("b");
        EXPECT_EQ(a["totals"]["cycles"], b["totals"]["cycles"]) << timing;
        ASSERT_EQ(a["layers"].size(), 3u);
        for (size_t i = 0; i < 3; ++i) {
            EXPECT_EQ(a["layers"][i]["cycles"], b["layers"][i]["cycles"]) << timing << " " << i;
        }
    }
}

TEST_F(OnnxRun, CompareWorksOnAFloatModel) {
    const Result r = npusim("compare --workload " + kModels + "digits_fp32.onnx --calibration " +
                            kModels + "digits_calib.npy --precisions int8,fp32");
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_NE(r.out.find("int8"), std::string::npos);
    EXPECT_NE(r.out.find("fp32"), std::string::npos);
}

TEST_F(OnnxRun, BadModelsAndInputsAreExit2) {
    const fs::path bad = write("bad.onnx", "this is not a protobuf");
    Result r = npusim("run --workload " + bad.string());
    EXPECT_EQ(r.code, 2);
    EXPECT_NE(r.err.find("expected an ONNX model (a protobuf ModelProto)"), std::string::npos)
        << r.err;
    r = npusim("run --workload " + kModels + "digits_qdq.onnx --input input=" + kModels +
               "residual_input.npy --quiet");
    EXPECT_EQ(r.code, 2);
    EXPECT_NE(r.err.find("'input': expected an array of shape (1, 1, 8, 8)"), std::string::npos)
        << r.err;
    r = npusim("run --workload " + kModels + "digits_qdq.onnx --input nonsense --quiet");
    EXPECT_EQ(r.code, 2);
    EXPECT_NE(r.err.find("--input: expected NAME=FILE.npy, found 'nonsense'"), std::string::npos)
        << r.err;
    r = npusim("run --workload " + kModels + "digits_fp32.onnx --quiet");
    EXPECT_EQ(r.code, 2);
    EXPECT_NE(r.err.find("give calibration images (--calibration FILE.npy"), std::string::npos)
        << r.err;
    r = npusim("import " + kModels + "digits_qdq.onnx");
    EXPECT_EQ(r.code, 2);
    EXPECT_NE(r.err.find("import: -o W.yaml is required"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace npu::testing

// A batch through the binary: `npusim run --batch N` checks every image bit for bit and reports
// the batch's and per-inference figures; `batch:` in the workload does the same and --batch
// overrides it; an .npy of N images is the batch's input and --save-tensors writes N images;
// bad values are refused with exit code 2 and the exact message.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tests/integration/npusim_harness.h"

namespace npu::testing {
namespace {

class Batch : public NpusimTest {
  protected:
    // An int8 .npy file (format 1.0) of `shape` holding `data`.
    fs::path write_npy(const std::string& name, const std::string& shape,
                       const std::vector<int8_t>& data) {
        std::string header = "{'descr': '|i1', 'fortran_order': False, 'shape': " + shape + ", }";
        header.resize((header.size() + 11) / 64 * 64 + 64 - 11, ' ');
        header += '\n';
        std::string bytes = std::string("\x93NUMPY\x01\x00", 8);
        bytes += static_cast<char>(header.size() & 0xff);
        bytes += static_cast<char>(header.size() >> 8);
        bytes += header;
        bytes.append(reinterpret_cast<const char*>(data.data()), data.size());
        return write(name, bytes);
    }
};

TEST_F(Batch, RunChecksEveryImageAndReportsPerInference) {
    const fs::path out = m_dir / "b3";
    const fs::path html = m_dir / "b3.html";
    const Result r = npusim("run --workload tiny_resnet --batch 3 --no-progress --out " +
                            out.string() + " --html " + html.string());
    ASSERT_EQ(r.code, 0) << r.err;
    const std::string page = slurp(html);
    EXPECT_NE(page.find("<span>batch</span><b>3 images</b>"), std::string::npos);
    EXPECT_NE(page.find("<span>latency per inference</span>"), std::string::npos);
    EXPECT_NE(page.find("<span>energy per inference</span>"), std::string::npos);
    EXPECT_NE(r.out.find("  batch     3 images; latency "), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("  per image "), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("bit-exact"), std::string::npos);
    const nlohmann::json j = nlohmann::json::parse(slurp(out / "stats.json"));
    EXPECT_EQ(j.at("batch"), 3);
    EXPECT_TRUE(j.at("totals").at("bit_exact").get<bool>());
    const double time = j.at("totals").at("time_s").get<double>();
    EXPECT_DOUBLE_EQ(j.at("totals").at("inferences_per_second").get<double>(), 3 / time);
    EXPECT_DOUBLE_EQ(j.at("totals").at("per_inference").at("time_s").get<double>(), time / 3);
    // The same batch from the workload file; --batch overrides it.
    const fs::path w = write(
        "b.yaml", "batch: 3\n" + slurp(fs::path(NPUSIM_SOURCE_DIR) / "workloads/tiny_resnet.yaml"));
    const fs::path out2 = m_dir / "file";
    ASSERT_EQ(npusim("run --workload " + w.string() + " --no-progress --out " + out2.string()).code,
              0);
    const nlohmann::json k = nlohmann::json::parse(slurp(out2 / "stats.json"));
    EXPECT_EQ(k.at("batch"), 3);
    EXPECT_EQ(k.at("totals").at("cycles"), j.at("totals").at("cycles"));
    const Result one = npusim("run --workload " + w.string() + " --batch 1 --quiet --no-progress");
    EXPECT_EQ(one.code, 0);
    const Result mapping = npusim("compile --workload " + w.string() + " --batch 2");
    EXPECT_NE(mapping.out.find(", batch 2: "), std::string::npos) << mapping.out;
}

TEST_F(Batch, InputAndSavedTensorsHoldTheImagesAlongTheFirstDimension) {
    const fs::path w = write("g.yaml", R"(
inputs:
  - {name: x, shape: [4, 16], scale: 0.05}
layers:
  - {name: g, op: gemm, n: 8, weight_scale: 0.01, output: {scale: 0.5}}
)");
    std::vector<int8_t> x(2 * 4 * 16);
    for (size_t i = 0; i < x.size(); ++i) x[i] = static_cast<int8_t>(int(i * 7 % 255) - 127);
    const fs::path in = write_npy("x.npy", "(2, 4, 16)", x);
    const fs::path saved = m_dir / "saved";
    const Result r = npusim("run --workload " + w.string() + " --batch 2 --input x=" + in.string() +
                            " --save-tensors " + saved.string() + " --quiet --no-progress");
    ASSERT_EQ(r.code, 0) << r.err;
    const std::string back = slurp(saved / "x.npy");
    EXPECT_NE(back.find("'shape': (2, 4, 16)"), std::string::npos) << back.substr(0, 128);
    EXPECT_EQ(back.substr(back.size() - x.size()),
              std::string(reinterpret_cast<const char*>(x.data()), x.size()));
    const std::string g = slurp(saved / "g.npy");
    EXPECT_NE(g.find("'shape': (2, 4, 8)"), std::string::npos) << g.substr(0, 128);
    // One image where the batch needs two.
    const fs::path one = write_npy("one.npy", "(4, 16)", std::vector<int8_t>(64));
    const Result bad = npusim("run --workload " + w.string() +
                              " --batch 2 --input x=" + one.string() + " --quiet --no-progress");
    EXPECT_EQ(bad.code, 2);
    EXPECT_EQ(bad.err, "error: " + one.string() +
                           ": --input: 'x': expected the batch's 2 images along the first "
                           "dimension (shape (2, ...)), found (4, 16)\n");
}

// A batch from --input through a pipeline of 2 cores (one layer each): bit-exact against the
// reference, and every saved tensor byte for byte the one-core run's.
TEST_F(Batch, PipelinedBatchFromInputEqualsOneCore) {
    const fs::path w = write("p.yaml", R"(
inputs:
  - {name: x, shape: [4, 16], scale: 0.05}
layers:
  - {name: g, op: gemm, n: 24, weight_scale: 0.01, output: {scale: 0.5}}
  - {name: h, op: gemm, n: 8, weight_scale: 0.01, output: {scale: 0.5}}
)");
    std::vector<int8_t> x(3 * 4 * 16);
    for (size_t i = 0; i < x.size(); ++i) x[i] = static_cast<int8_t>(int(i * 11 % 255) - 127);
    const fs::path in = write_npy("x3.npy", "(3, 4, 16)", x);
    const auto run = [&](const std::string& cores, const fs::path& saved, const fs::path& out) {
        return npusim("run --workload " + w.string() + " --batch 3 --input x=" + in.string() +
                      " --set cores=" + cores + " --set compiler.partition=pipeline" +
                      " --save-tensors " + saved.string() + " --out " + out.string() +
                      " --quiet --no-progress");
    };
    const Result one = run("1", m_dir / "s1", m_dir / "o1");
    ASSERT_EQ(one.code, 0) << one.err;
    const Result two = run("2", m_dir / "s2", m_dir / "o2");
    ASSERT_EQ(two.code, 0) << two.err;
    const nlohmann::json j = nlohmann::json::parse(slurp(m_dir / "o2" / "stats.json"));
    EXPECT_TRUE(j.at("totals").at("bit_exact").get<bool>());
    EXPECT_EQ(j.at("partition"), "pipeline");
    for (const char* t : {"g.npy", "h.npy"}) {
        EXPECT_EQ(slurp(m_dir / "s2" / t), slurp(m_dir / "s1" / t)) << t;
    }
}

TEST_F(Batch, CompareRunsEveryPrecisionOnTheBatch) {
    const fs::path j = m_dir / "c.json";
    const Result r = npusim(
        "compare --workload tiny_resnet --batch 2 --precisions int8,bf16 --json " + j.string());
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_NE(r.out.find("latency (batch of 2)"), std::string::npos) << r.out;
    const nlohmann::json c = nlohmann::json::parse(slurp(j));
    for (const nlohmann::json& p : c.at("precisions")) {
        EXPECT_EQ(p.at("batch"), 2);
        EXPECT_EQ(p.at("bit_exact"), true);
        EXPECT_DOUBLE_EQ(p.at("inferences_per_second").get<double>(),
                         2 / p.at("latency_s").get<double>());
    }
}

TEST_F(Batch, BadBatchValuesAreRefused) {
    Result r = npusim("run --batch 0");
    EXPECT_EQ(r.code, 2);
    EXPECT_EQ(r.err,
              "error: <command line>: run: --batch: expected a whole number from 1 to 4096, "
              "found '0'\n");
    r = npusim("compile --batch 5000");
    EXPECT_EQ(r.code, 2);
    EXPECT_EQ(r.err,
              "error: <command line>: compile: --batch: expected a whole number from 1 to 4096, "
              "found '5000'\n");
    const fs::path w = write("w.yaml",
                             "seed: 1\nbatch: -2\ninput: {shape: [4, 3], scale: 0.1}\nlayers:\n"
                             "  - {op: gemm, n: 2, weight_scale: 0.1}\n");
    r = npusim("run --workload " + w.string());
    EXPECT_EQ(r.code, 2);
    EXPECT_EQ(r.err, "error: " + w.string() +
                         ":2:8: batch: expected an integer in [1, 4096], found '-2'\n");
}

}  // namespace
}  // namespace npu::testing

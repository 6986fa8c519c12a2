// `npusim run --trace FILE` end to end: the timeline of a real run (every instruction of the
// program once, on its engine; one engine's events never overlap; cycles consistent; layer spans
// in order), bad --trace paths as exit 2; and no progress line when stderr is not a terminal
// (run and sweep).
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "tests/integration/npusim_harness.h"

namespace {

namespace fs = std::filesystem;
using nlohmann::json;

using npu::testing::Result;
using npu::testing::slurp;

class Trace : public npu::testing::NpusimTest {};

// Instruction lines of `npusim compile --emit asm` (comments start with ';').
size_t instruction_count(const std::string& asm_text) {
    std::stringstream ss(asm_text);
    size_t n = 0;
    for (std::string l; std::getline(ss, l);) n += !l.empty() && l[0] != ';';
    return n;
}

// A progress display would draw with carriage returns; stderr here is a file, so none.
void expect_no_progress(const Result& r) {
    EXPECT_EQ(r.err.find('\r'), std::string::npos) << r.err;
    EXPECT_EQ(r.err.find(" elapsed"), std::string::npos) << r.err;
}

TEST_F(Trace, EveryInstructionOnceOnItsEngineWithoutOverlap) {
    const std::string wl = "--workload workloads/tiny_resnet.yaml";
    const Result c = npusim("compile --emit asm " + wl);
    ASSERT_EQ(c.code, 0) << c.err;
    const size_t instrs = instruction_count(c.out);
    ASSERT_GT(instrs, 50u);

    const fs::path t = m_dir / "t.json";
    const Result r = npusim("run " + wl + " --trace " + t.string());
    ASSERT_EQ(r.code, 0) << r.out << r.err;
    EXPECT_NE(r.out.find("wrote " + t.string()), std::string::npos) << r.out;
    expect_no_progress(r);
    const json j = json::parse(slurp(t));

    std::map<std::string, int> tid_of;  // track name -> tid
    for (const json& e : j["traceEvents"]) {
        if (e["ph"] == "M" && e["name"] == "thread_name") tid_of[e["args"]["name"]] = e["tid"];
    }
    ASSERT_EQ(tid_of.size(), 5u);
    const std::map<std::string, std::string> engine_of_op = {
        {"LOAD", "load"},  {"COMPUTE", "compute"}, {"VECTOR", "compute"},
        {"POST", "store"}, {"STORE", "store"},     {"SYNC", "controller"}};

    std::vector<int> seen(instrs, 0);
    std::map<int, std::vector<std::pair<uint64_t, uint64_t>>> spans;  // per tid, in cycles
    std::vector<std::pair<uint64_t, uint64_t>> layers;
    std::map<std::string, int> ops;
    for (const json& e : j["traceEvents"]) {
        const std::string cat = e.value("cat", "");
        if (e["ph"] != "X") continue;
        if (cat == "layer") {
            layers.emplace_back(e["args"]["start_cycle"], e["args"]["end_cycle"]);
            continue;
        }
        if (cat != "instr") continue;
        const json& a = e["args"];
        const int id = a["id"];
        ASSERT_GE(id, 0);
        ASSERT_LT(size_t(id), instrs);
        ++seen[size_t(id)];
        ++ops[e["name"]];
        const uint64_t start = a["start_cycle"], end = a["end_cycle"], done = a["complete_cycle"];
        EXPECT_LE(start, end) << e.dump();
        EXPECT_LE(start, done) << e.dump();
        EXPECT_EQ(e["tid"], tid_of.at(engine_of_op.at(e["name"]))) << e.dump();
        EXPECT_EQ(a["asm"].get<std::string>().rfind(std::to_string(id) + ": ", 0), 0u) << e.dump();
        spans[e["tid"]].emplace_back(start, end);
    }
    for (size_t i = 0; i < instrs; ++i) EXPECT_EQ(seen[i], 1) << "instruction " << i;
    EXPECT_GT(ops["VECTOR"], 0);  // tiny_resnet exercises the vector unit too
    for (auto& [tid, v] : spans) {
        std::sort(v.begin(), v.end());
        for (size_t i = 1; i < v.size(); ++i) {
            EXPECT_LE(v[i - 1].second, v[i].first) << "track " << tid << " overlaps";
        }
    }
    ASSERT_FALSE(layers.empty());
    for (size_t i = 1; i < layers.size(); ++i) {
        EXPECT_LE(layers[i - 1].second, layers[i].first) << "layer " << i;
    }
    EXPECT_EQ(layers.back().second, j["otherData"]["total_cycles"].get<uint64_t>());
}

TEST_F(Trace, TheSameRunWritesTheSameTrace) {
    const fs::path a = m_dir / "a.json", b = m_dir / "b.json";
    ASSERT_EQ(npusim("run --timing-only --quiet --trace " + a.string()).code, 0);
    ASSERT_EQ(npusim("run --timing-only --quiet --trace " + b.string()).code, 0);
    EXPECT_EQ(slurp(a), slurp(b));
}

TEST_F(Trace, BadPathsAreExit2BeforeTheRun) {
    Result r = npusim("run --trace " + (m_dir / "missing" / "t.json").string());
    EXPECT_EQ(r.code, 2);
    EXPECT_EQ(r.err, "error: " + (m_dir / "missing" / "t.json").string() +
                         ": --trace: cannot write the trace: directory '" +
                         (m_dir / "missing").string() + "' does not exist\n");
    EXPECT_EQ(r.out, "");  // refused before simulating: no report

    r = npusim("run --trace " + m_dir.string());
    EXPECT_EQ(r.code, 2);
    EXPECT_NE(r.err.find("--trace: expected a file name, found a directory"), std::string::npos)
        << r.err;

    const fs::path t = write("t.json", "old");
    r = npusim("run --trace " + t.string());
    EXPECT_EQ(r.code, 2);
    EXPECT_NE(r.err.find("already exists; pass --force to overwrite it"), std::string::npos)
        << r.err;
    EXPECT_EQ(slurp(t), "old");
    r = npusim("run --quiet --force --trace " + t.string());
    EXPECT_EQ(r.code, 0) << r.err;
    EXPECT_NE(slurp(t).find("\"traceEvents\""), std::string::npos);

    r = npusim("run --trace");
    EXPECT_EQ(r.code, 2);
    EXPECT_NE(r.err.find("--trace: expected FILE after it"), std::string::npos) << r.err;
}

TEST_F(Trace, NoProgressLineWhenStderrIsNotATerminal) {
    Result r = npusim("run --timing-only --workload workloads/tiny_resnet.yaml");
    ASSERT_EQ(r.code, 0) << r.err;
    expect_no_progress(r);
    EXPECT_EQ(r.err, "");
    r = npusim("run --timing-only --no-progress");
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(r.err, "");

    const std::string sweep =
        "sweep --workload workloads/gemm_small.yaml --grid array.rows=8,16 --timing-only -j 1 "
        "--out ";
    r = npusim(sweep + (m_dir / "s").string());
    ASSERT_EQ(r.code, 0) << r.out << r.err;
    expect_no_progress(r);
    EXPECT_EQ(r.err, "");
    r = npusim(sweep + (m_dir / "s2").string() + " --no-progress");
    ASSERT_EQ(r.code, 0) << r.out << r.err;
    EXPECT_EQ(r.err, "");
}

}  // namespace

// The "limited by" column through the binary (sim/stats/limiters.h): what the layers' cycles went
// to, measured, next to the roofline's classification; the causes add up to each layer's cycles.
#include <nlohmann/json.hpp>

#include "tests/integration/npusim_harness.h"

namespace npu::testing {
namespace {

using nlohmann::json;

class Limiters : public NpusimTest {
  protected:
    json run_stats(const std::string& args) {
        const fs::path out = m_dir / ("out" + std::to_string(++m_runs));
        const Result r =
            npusim("run --timing-only --no-progress --quiet --out " + out.string() + " " + args);
        EXPECT_EQ(r.code, 0) << r.err;
        return json::parse(slurp(out / "stats.json"));
    }
    int m_runs = 0;
    static const json& layer(const json& stats, const std::string& name) {
        for (const json& l : stats.at("layers")) {
            if (l.at("name") == name) return l;
        }
        ADD_FAILURE() << "no layer " << name;
        return stats;
    }
    // Every row's causes add up to its cycles (totals: the layers' cycles).
    static void expect_partition(const json& stats) {
        uint64_t layer_cycles = 0;
        for (const json& l : stats.at("layers")) {
            uint64_t sum = 0;
            for (const auto& [cause, cycles] : l.at("limiter_cycles").items()) {
                sum += cycles.get<uint64_t>();
            }
            EXPECT_EQ(sum, l.at("cycles").get<uint64_t>()) << l.at("name");
            layer_cycles += sum;
        }
        uint64_t total = 0;
        for (const auto& [cause, cycles] : stats.at("totals").at("limiter_cycles").items()) {
            total += cycles.get<uint64_t>();
        }
        EXPECT_EQ(total, layer_cycles);
    }
};

// Issue 11: on tpu_v1 with the simple DRAM model (the chip's memory when the issue was filed:
// 70 cycles of latency per burst) every BERT GEMM is memory-bound by the roofline, but DRAM runs
// at a small fraction of its peak: what limits them is the DMA's concurrency (16 outstanding
// bursts x the DRAM latency), and more outstanding requests make them faster.
TEST_F(Limiters, TpuV1BertGemmsAreLimitedByDmaConcurrency) {
    const json s = run_stats("--hw tpu_v1 --workload bert_base_layer --set dram.model=simple");
    expect_partition(s);
    for (const char* name : {"q", "k", "v", "attn_out", "ffn1", "ffn2"}) {
        const json& l = layer(s, name);
        EXPECT_EQ(l.at("bound"), "memory") << name;  // the roofline's classification stays
        EXPECT_EQ(l.at("limiter"), "dma-latency") << name;
        EXPECT_GT(l.at("limiter_share").get<double>(), 0.5) << name;
        EXPECT_LT(l.at("dram_peak_fraction").get<double>(), 0.5) << name;
    }
    EXPECT_EQ(s.at("totals").at("limiter"), "dma-latency");
    const json more = run_stats(
        "--hw tpu_v1 --workload bert_base_layer --set dram.model=simple --set dma.outstanding=128");
    EXPECT_LT(layer(more, "ffn1").at("cycles").get<uint64_t>() * 3 / 2,
              layer(s, "ffn1").at("cycles").get<uint64_t>());
}

// The bundled tpu_v1 runs on its DDR3-2133 (banked model): a row hit answers in about 21 NPU
// cycles instead of 70, the same 16 outstanding bursts per channel move 2.4x the bytes, and DRAM
// bandwidth becomes what limits the GEMMs (DRAM above 60% of its peak in each of them): the
// first limiter of q, k and v; attn_out has it tied with fill/preload (6,167 against 6,168
// cycles: within 1% of its first); ffn2 and the whole run, whose k-chunks the mapper's schedule
// splits finer (more weight preloads: fill/preload 40% of ffn2's cycles), have it second, at
// more than a quarter of their cycles (ffn2: 22,765 of 61,299; the run: 80,462 of 269,049).
TEST_F(Limiters, TpuV1BertGemmsOnItsDdr3AreLimitedByDramBandwidth) {
    const json s = run_stats("--hw tpu_v1 --workload bert_base_layer");
    expect_partition(s);
    for (const char* name : {"q", "k", "v", "attn_out", "ffn1", "ffn2"}) {
        const json& l = layer(s, name);
        EXPECT_EQ(l.at("bound"), "memory") << name;
        EXPECT_NE(l.at("limiter"), "dma-latency") << name;
        EXPECT_GT(l.at("dram_peak_fraction").get<double>(), 0.6) << name;
    }
    for (const char* name : {"q", "k", "v"}) {
        EXPECT_EQ(layer(s, name).at("limiter"), "dram-bandwidth") << name;
    }
    const json& out = layer(s, "attn_out").at("limiter_cycles");
    const auto first =
        out.at(layer(s, "attn_out").at("limiter").get<std::string>()).get<uint64_t>();
    EXPECT_GE(out.at("dram-bandwidth").get<uint64_t>() * 100, first * 99);
    for (const json* j : {&layer(s, "ffn2"), &s.at("totals")}) {
        const json& c = j->at("limiter_cycles");
        uint64_t all = 0, second = 0;
        for (const auto& [cause, cycles] : c.items()) {
            all += cycles.get<uint64_t>();
            if (cause != j->at("limiter")) second = std::max(second, cycles.get<uint64_t>());
        }
        EXPECT_EQ(c.at("dram-bandwidth").get<uint64_t>(), second);
        EXPECT_GT(c.at("dram-bandwidth").get<uint64_t>() * 4, all);
    }
}

// Issue 11: the edge default's fc layer (batch 1) is memory-bound by the roofline; what limits it
// is the weight-stationary array's per-tile overhead: each tile loads 16 rows of weights and
// fills and drains the pipeline to stream one row.
TEST_F(Limiters, EdgeDefaultFcIsLimitedByTheWeightPreload) {
    const json s = run_stats("");
    expect_partition(s);
    const json& fc = layer(s, "fc");
    EXPECT_EQ(fc.at("bound"), "memory");
    EXPECT_EQ(fc.at("limiter"), "fill/preload");
    EXPECT_GT(fc.at("limiter_share").get<double>(), 0.5);
    EXPECT_EQ(layer(s, "conv1").at("limiter"), "compute");
}

TEST_F(Limiters, TheTableShowsBothColumnsAndEveryShare) {
    const Result r = npusim("run --timing-only --no-progress");
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_NE(r.out.find("MACs/B  roofline\n"), std::string::npos) << r.out;
    const size_t table = r.out.find(
        "limiters (measured: each cycle of a row counts once, for the first cause in progress)\n"
        "  layer  limited by        compute");
    ASSERT_NE(table, std::string::npos) << r.out;
    // The fc row: its limiter and share, then every cause's share.
    const size_t fc = r.out.find("\n  fc     fill/preload 86%", table);
    EXPECT_NE(fc, std::string::npos) << r.out;
    EXPECT_NE(r.out.find("  fill    = fill/preload: the array loads a tile's weights", table),
              std::string::npos);
    // layers.csv carries the same answer.
    const Result c =
        npusim("run --timing-only --no-progress --quiet --out " + (m_dir / "csv").string());
    ASSERT_EQ(c.code, 0) << c.err;
    const std::string csv = slurp(m_dir / "csv" / "layers.csv");
    EXPECT_NE(csv.find(",bound,limiter,limiter_share,"), std::string::npos);
    EXPECT_NE(csv.find(",memory,fill/preload,0."), std::string::npos);
}

}  // namespace
}  // namespace npu::testing

// The mapper against the simulator: on random layers small enough to enumerate every legal
// mapping (both dataflows; every limit on the output rows per m-block and on the k-chunk, i.e.
// every m-block and k-chunk size choose_mapping() can produce; m-blocks or n-blocks outermost),
// each mapping is compiled (CompileOptions::array_plan) and simulated timing-only through the
// real model, and the mapping the search chooses is compared with the best simulated one:
//  - latency: simulated cycles of the chosen / the fewest simulated cycles;
//  - energy (compiler.objective=energy): simulated energy of the chosen / the least.
// Issue 13's bound: every layer within 5% (ratio <= 1.05) under both objectives. The quick test
// takes 12 layers; MapperOptimalityLong (ctest label long: mapper_optimality_long) takes 100;
// both print the distribution of chosen / best (docs/mapper.md has the table).
// The search's second opinion, the engine schedule (sim/compiler/schedule.h), is checked against
// the simulated layer on every legal mapping of the quick test's layers (its error printed and
// bounded).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <random>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

#include "sim/compiler/compiler.h"
#include "sim/compiler/estimate.h"
#include "sim/compiler/lower.h"
#include "sim/compiler/schedule.h"
#include "sim/compiler/search.h"
#include "sim/compiler/tiling.h"
#include "sim/config/config_loader.h"
#include "sim/energy/energy_model.h"
#include "sim/graph/workload_loader.h"
#include "sim/quant/prepare.h"
#include "sim/run/simulation.h"

namespace npu {
namespace {

int draw(std::mt19937& rng, int lo, int hi) {
    return lo + static_cast<int>(rng() % static_cast<uint32_t>(hi - lo + 1));
}

// A conv2d (plain or grouped) or a gemm of small shape, one layer on the array. (Depthwise
// convolution runs on the vector unit with the largest row block that fits: no choice to search.)
std::string random_layer(uint32_t seed) {
    std::mt19937 rng(seed);
    std::ostringstream y;
    y << "name: layer" << seed << "\nseed: " << seed << "\n";
    const int kind = draw(rng, 0, 2);
    if (kind == 2) {  // gemm: m rows of k
        y << "input: {shape: [" << draw(rng, 1, 12) << ", " << draw(rng, 4, 64)
          << "], scale: 0.05}\nlayers:\n  - {name: g, op: gemm, n: " << draw(rng, 2, 24)
          << ", weight_scale: 0.01, output: {scale: 0.5}}\n";
        return y.str();
    }
    const int k = draw(rng, 1, 3), h = draw(rng, k, 10), w = draw(rng, k, 10);
    const int groups = kind == 1 ? 2 : 1;
    // Two or more input channels per group: one per group would be depthwise (vector unit).
    y << "input: {shape: [" << h << ", " << w << ", " << groups * draw(rng, groups, 10)
      << "], scale: 0.05}\nlayers:\n  - {name: c, op: conv2d, out_channels: "
      << groups * draw(rng, 1, 12) << ", kernel: [" << k << ", " << k << "], stride: ["
      << draw(rng, 1, 2) << ", " << draw(rng, 1, 2) << "], padding: " << draw(rng, 0, 1)
      << ", groups: " << groups << ", weight_scale: 0.01, output: {scale: 0.5}}\n";
    return y.str();
}

// A small NPU that runs both dataflows, with memories small enough that the layers above have
// many legal tilings.
cfg::HwConfig small_npu(uint32_t seed, Objective objective) {
    std::mt19937 rng(seed * 7919u);
    cfg::HwConfig hw = cfg::default_hw_config();
    const int dim = 4 << draw(rng, 0, 1);  // 4x4 or 8x8
    cfg::apply_overrides(
        hw,
        {"array.rows=" + std::to_string(dim), "array.cols=" + std::to_string(dim),
         "array.dataflow=both",
         std::string("array.pipelining=") + (draw(rng, 0, 1) ? "overlap" : "none"),
         "scratchpad.size=" + std::to_string(2 << draw(rng, 0, 2)) + "KiB", "scratchpad.banks=4",
         "scratchpad.bank_width=8B", "accumulator.size=1KiB", "accumulator.banks=2",
         "accumulator.bank_width=32B", std::string("compiler.objective=") + to_string(objective)});
    return hw;
}

struct Sim {
    uint64_t cycles = 0;
    double energy_pj = 0;
    stats::Counters counters;
};

Sim simulate(const cfg::HwConfig& hw, const graph::Workload& wl,
             const std::optional<compiler::ArrayPlan>& plan) {
    compiler::CompileOptions co;
    co.with_data = false;
    if (plan) co.array_plan = [&](size_t) { return plan; };
    const isa::Program program = compiler::compile(wl, hw, co);
    run::RunOptions ro;
    ro.functional = false;
    const run::RunResult r = run::simulate_program(hw, program, ro);
    const stats::LayerStats& l = r.stats.layers.at(0);
    return {l.cycles(), energy::price(l.counters, l.cycles(), hw.clock_hz, hw.energy).total_pj(),
            l.counters};
}

// Every legal plan of the workload's one array layer: both dataflows, every limit on rows and
// k-chunk (deduplicated by the mapping they produce), each also with the n-blocks outermost
// when it has one k-chunk; and with the k-chunks outermost, every block height of those with
// every distinct number of k-chunks (from 1; ws: chunks a multiple of array.rows) under which its
// sums and buffers fit (compiler::k_outer_plan()).
std::vector<compiler::ArrayPlan> every_plan(const compiler::LoweredLayer& x,
                                            const cfg::HwConfig& hw) {
    std::vector<compiler::ArrayPlan> out;
    std::vector<std::tuple<int, int64_t, int64_t, int>> seen;
    const graph::Layer& g = x.gemm();
    for (Dataflow df : {Dataflow::kWeightStationary, Dataflow::kOutputStationary}) {
        for (int32_t r = 1; r <= g.out_h(); ++r) {
            for (int64_t kb = 1; kb <= int64_t(g.kernel_h) * g.kernel_w * g.in_c; ++kb) {
                compiler::ArrayPlan p;
                try {
                    p = compiler::plan_array(x, hw, df, {r, kb});
                } catch (const UserError&) {
                    continue;
                }
                const auto key = std::make_tuple(static_cast<int>(df), p.mapping.mb, p.mapping.kb,
                                                 static_cast<int>(p.mapping.placement));
                if (std::find(seen.begin(), seen.end(), key) != seen.end()) continue;
                seen.push_back(key);
                out.push_back(p);
                if (p.mapping.k_chunks == 1) {
                    p.order = LoopOrder::kN;
                    out.push_back(p);
                }
            }
        }
    }
    std::vector<std::tuple<int, int64_t, int64_t>> k_seen;
    const size_t m_plans = out.size();
    for (size_t i = 0; i < m_plans; ++i) {
        const compiler::ArrayPlan base = out[i];
        if (base.order != LoopOrder::kM) continue;
        const int64_t K = base.mapping.k;
        const int64_t unit = base.dataflow == Dataflow::kWeightStationary ? hw.array.rows : 1;
        for (int64_t c = 1; c <= compiler::ceil_div(K, unit); ++c) {
            const int64_t kb = std::min<int64_t>(
                K, int64_t(compiler::align_up(uint64_t(compiler::ceil_div(K, c)), uint64_t(unit))));
            const auto key = std::make_tuple(static_cast<int>(base.dataflow), base.mapping.mb, kb);
            if (std::find(k_seen.begin(), k_seen.end(), key) != k_seen.end()) continue;
            const std::optional<compiler::ArrayPlan> k = compiler::k_outer_plan(base, kb, hw);
            if (!k) continue;
            k_seen.push_back(key);
            out.push_back(*k);
        }
    }
    return out;
}

struct Outcome {
    double latency_ratio = 0, energy_ratio = 0;  // chosen / best simulated
    size_t mappings = 0;
    std::string layer;
};

// For layer `seed`: the search's choice under each objective against every legal mapping.
std::optional<Outcome> check_layer(uint32_t seed) {
    const std::string yaml = random_layer(seed);
    const graph::Workload wl = quant::prepare(graph::load_workload_from_string(yaml, "l.yaml"));
    const cfg::HwConfig lat = small_npu(seed, Objective::kLatency);
    const cfg::HwConfig en = small_npu(seed, Objective::kEnergy);
    const compiler::Lowered lowered = compiler::lower(wl, lat);
    const compiler::LoweredLayer& x = lowered.layers.at(0);
    EXPECT_EQ(x.cls, compiler::LayerClass::kArray);
    const std::vector<compiler::ArrayPlan> plans = every_plan(x, lat);
    if (plans.empty()) return std::nullopt;  // does not fit this NPU at all
    uint64_t fewest_cycles = UINT64_MAX;
    double least_energy = 1e300;
    for (const compiler::ArrayPlan& p : plans) {
        const Sim s = simulate(lat, wl, p);
        fewest_cycles = std::min(fewest_cycles, s.cycles);
        least_energy = std::min(least_energy, s.energy_pj);
    }
    const Sim chosen_lat = simulate(lat, wl, std::nullopt);
    const Sim chosen_en = simulate(en, wl, std::nullopt);
    Outcome o;
    o.latency_ratio = double(chosen_lat.cycles) / double(fewest_cycles);
    o.energy_ratio = chosen_en.energy_pj / least_energy;
    o.mappings = plans.size();
    o.layer = x.layer->shape_string();
    return o;
}

double quantile(std::vector<double> v, double q) {
    std::sort(v.begin(), v.end());
    return v[static_cast<size_t>(q * double(v.size() - 1) + 0.5)];
}

// Issue 13: the chosen mapping within 5% of the best simulated one, on every layer.
constexpr double kNear = 1.05;

void check_layers(uint32_t first, uint32_t count) {
    std::vector<double> lat, en;
    size_t mappings = 0;
    for (uint32_t seed = first; seed < first + count; ++seed) {
        const std::optional<Outcome> o = check_layer(seed);
        ASSERT_TRUE(o) << "seed " << seed << " fits no mapping:\n" << random_layer(seed);
        EXPECT_LE(o->latency_ratio, kNear) << "seed " << seed << " " << o->layer;
        EXPECT_LE(o->energy_ratio, kNear) << "seed " << seed << " " << o->layer;
        if (o->latency_ratio > kNear || o->energy_ratio > kNear) {
            std::printf("seed %u %s: latency %.4f energy %.4f of the best (over %.2f)\n", seed,
                        o->layer.c_str(), o->latency_ratio, o->energy_ratio, kNear);
        }
        lat.push_back(o->latency_ratio);
        en.push_back(o->energy_ratio);
        mappings += o->mappings;
    }
    const auto line = [](const char* name, const std::vector<double>& v) {
        std::printf(
            "%-8s chosen/best: min %.4f  p50 %.4f  p90 %.4f  p99 %.4f  max %.4f  "
            "optimal (<= 1.0001) %zu of %zu\n",
            name, quantile(v, 0), quantile(v, 0.5), quantile(v, 0.9), quantile(v, 0.99),
            quantile(v, 1),
            size_t(std::count_if(v.begin(), v.end(), [](double r) { return r <= 1.0001; })),
            v.size());
    };
    std::printf("%u layers, %zu legal mappings simulated\n", count, mappings);
    line("latency", lat);
    line("energy", en);
}

// Every legal mapping of the quick test's 12 layers, each on its small NPU (latency objective):
// fn(workload, hw, the lowered layer, the mapping).
template <class Fn>
void for_each_quick_mapping(Fn fn) {
    for (uint32_t seed = 1; seed <= 12; ++seed) {
        const std::string yaml = random_layer(seed);
        SCOPED_TRACE(yaml);
        const graph::Workload wl = quant::prepare(graph::load_workload_from_string(yaml, "l.yaml"));
        const cfg::HwConfig hw = small_npu(seed, Objective::kLatency);
        const compiler::Lowered lowered = compiler::lower(wl, hw);
        const compiler::LoweredLayer& x = lowered.layers.at(0);
        ASSERT_EQ(x.cls, compiler::LayerClass::kArray);
        for (const compiler::ArrayPlan& p : every_plan(x, hw)) fn(wl, hw, x, p);
    }
}

// The estimate's counts (Estimate::counters) are the simulated layer's, for every legal mapping
// of the quick test's layers: the energy objective prices exactly what a run records (the
// tensors of a one-layer workload all live in DRAM). Cycles are an estimate: the closed form's
// are a bound (no DMA latency, no engine waits); the schedule's error is bounded below.
TEST(MapperOptimality, EstimatedCountsEqualTheSimulatedLayer) {
    int compared = 0;
    for_each_quick_mapping([&](const graph::Workload& wl, const cfg::HwConfig& hw,
                               const compiler::LoweredLayer& x, const compiler::ArrayPlan& p) {
        const stats::Counters e = compiler::estimate(x, p, hw).counters;
        const stats::Counters s = simulate(hw, wl, p).counters;
        const std::string what =
            p.mapping.summary(p.dataflow) + " order " + std::string(to_string(p.order));
        EXPECT_EQ(e.macs, s.macs) << what;
        EXPECT_EQ(e.dram_read_bytes, s.dram_read_bytes) << what;
        EXPECT_EQ(e.dram_write_bytes, s.dram_write_bytes) << what;
        EXPECT_EQ(e.spad_read_bytes, s.spad_read_bytes) << what;
        EXPECT_EQ(e.spad_write_bytes, s.spad_write_bytes) << what;
        EXPECT_EQ(e.acc_read_bytes, s.acc_read_bytes) << what;
        EXPECT_EQ(e.acc_write_bytes, s.acc_write_bytes) << what;
        EXPECT_EQ(e.requant_fixed_point_elements, s.requant_fixed_point_elements) << what;
        ++compared;
    });
    EXPECT_GT(compared, 100);
}

// The engine schedule (schedule.h) against the simulated layer, on every legal mapping of the
// quick test's layers: error = scheduled / simulated - 1. What it leaves out (bank conflicts, the
// DMA's bursts of concurrent transfers interleaved in time, runs of bursts in closed form) keeps
// it within a few percent: measured mean |error| 1.00% over all, max 6.62% over the 3,158
// mappings with the m- or n-blocks outermost (4.84% before the same-cycle order became a rule of
// the model, models/process.h); bounded at 2% and 8%. The k-chunks outermost (298 more
// mappings) reload every slab per chunk: with many small chunks the layer is a stream of small
// LOADs, which the schedule runs faster than the simulation (every error of theirs above 8% is
// an underestimate, on the plans of many chunks); measured max 13.8%, bounded at 15% (the mean
// over all mappings stays bounded at 2%).
TEST(MapperOptimality, ScheduleTracksTheSimulatedLayer) {
    double sum_abs = 0, worst[2] = {0, 0};
    std::string worst_what[2];
    size_t n = 0;
    for_each_quick_mapping([&](const graph::Workload& wl, const cfg::HwConfig& hw,
                               const compiler::LoweredLayer& x, const compiler::ArrayPlan& p) {
        const double sim = double(simulate(hw, wl, p).cycles);
        const double e = double(compiler::scheduled_cycles(x, p, hw)) / sim - 1;
        sum_abs += std::abs(e);
        const int k = p.order == LoopOrder::kK ? 1 : 0;
        if (std::abs(e) > worst[k]) {
            worst[k] = std::abs(e);
            worst_what[k] = x.layer->shape_string() + ", " + p.mapping.summary(p.dataflow);
        }
        ++n;
    });
    std::printf(
        "schedule error over %zu mappings: mean |e| %.2f%%, max |e| %.2f%% m/n-outer (%s), "
        "%.2f%% k-outer (%s)\n",
        n, 100 * sum_abs / double(n), 100 * worst[0], worst_what[0].c_str(), 100 * worst[1],
        worst_what[1].c_str());
    EXPECT_GT(n, 100u);
    EXPECT_LE(sum_abs / double(n), 0.02);
    EXPECT_LE(worst[0], 0.08);
    EXPECT_LE(worst[1], 0.15);
}

TEST(MapperOptimality, ChosenNearTheBestSimulated) { check_layers(1, 12); }

// 100 layers (ctest mapper_optimality_long, label long).
TEST(MapperOptimalityLong, DISABLED_HundredLayers) { check_layers(1001, 100); }

}  // namespace
}  // namespace npu

// The sweep's search (sim/cli/sweep_search): Pareto fronts and non-dominated ranks on
// hand-checked sets, crowding distance, constrained domination, the samplers' guarantees
// (distinct points, Latin hypercube strata, determinism), and NSGA-II against a problem whose
// exhaustive front is computed here.
#include "sim/cli/sweep_search.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <set>

namespace npu::cli {
namespace {

Evaluation ev(std::vector<double> o, double violation = 0) { return {std::move(o), violation}; }

TEST(SweepSearch, ParetoFrontKeepsEqualPointsAndDropsDominatedOnes) {
    // (1,5) (2,2) (5,1) are the front; (2,2) twice: both on it; (3,3) is beaten by (2,2);
    // (1,6) by (1,5) (equal in one, worse in the other).
    const std::vector<std::vector<double>> pts = {{1, 5}, {2, 2}, {5, 1}, {2, 2}, {3, 3}, {1, 6}};
    EXPECT_EQ(pareto_front(pts), (std::vector<bool>{true, true, true, true, false, false}));
}

TEST(SweepSearch, RanksPeelFrontsAndConstraintsComeFirst) {
    // Front 1: (1,4) (4,1); front 2: (2,5) (5,2) (each beaten by one of front 1);
    // front 3: (6,6). The infeasible (0,0) with violation 0.5 ranks below every feasible point,
    // and the one with violation 2 below that.
    const std::vector<Evaluation> pts = {ev({1, 4}),      ev({4, 1}),     ev({2, 5}),
                                         ev({5, 2}),      ev({6, 6}),     ev({0, 0}, 0.5),
                                         ev({0, 0}, 2.0), ev({0, 0}, 0.5)};
    EXPECT_EQ(nondominated_ranks(pts), (std::vector<int>{1, 1, 2, 2, 3, 4, 5, 4}));
    EXPECT_TRUE(dominates(ev({9, 9}), ev({0, 0}, 0.1)));
    EXPECT_FALSE(dominates(ev({0, 0}, 0.1), ev({9, 9})));
    EXPECT_FALSE(dominates(ev({1, 1}), ev({1, 1})));
}

// The one-pass ranking equals peeling fronts one by one (the definition), on random points
// with ties, three objectives and some infeasible ones.
TEST(SweepSearch, RanksEqualPeelingFrontsOneByOne) {
    Rng rng(11);
    std::vector<Evaluation> pts;
    for (int i = 0; i < 300; ++i) {
        const double v = rng.below(5) == 0 ? static_cast<double>(rng.below(3)) : 0.0;
        pts.push_back(ev({static_cast<double>(rng.below(12)), static_cast<double>(rng.below(12)),
                          static_cast<double>(rng.below(12))},
                         v));
    }
    std::vector<int> peeled(pts.size(), 0);
    for (int r = 1;; ++r) {
        std::vector<size_t> front;
        for (size_t i = 0; i < pts.size(); ++i) {
            if (peeled[i] != 0) continue;
            bool beaten = false;
            for (size_t j = 0; j < pts.size() && !beaten; ++j) {
                beaten = peeled[j] == 0 && dominates(pts[j], pts[i]);
            }
            if (!beaten) front.push_back(i);
        }
        if (front.empty()) break;
        for (size_t i : front) peeled[i] = r;
    }
    EXPECT_EQ(nondominated_ranks(pts), peeled);
}

TEST(SweepSearch, CrowdingDistanceGivesExtremesInfinityAndSumsNormalizedGaps) {
    // One front sorted on x: (0,10) (2,6) (3,5) (10,0). Ranges: x 10, y 10.
    // (2,6): x gap (3-0)/10 + y gap (10-5)/10 = 0.8; (3,5): (10-2)/10 + (6-0)/10 = 1.4.
    const std::vector<Evaluation> pts = {ev({2, 6}), ev({10, 0}), ev({0, 10}), ev({3, 5})};
    const std::vector<double> d = crowding_distance(pts, {0, 1, 2, 3});
    EXPECT_DOUBLE_EQ(d[0], 0.8);
    EXPECT_TRUE(std::isinf(d[1]));
    EXPECT_TRUE(std::isinf(d[2]));
    EXPECT_DOUBLE_EQ(d[3], 1.4);
}

TEST(SweepSearch, RandomSampleIsDistinctDeterministicAndTheWholeGridWhenSmall) {
    const std::vector<Dimension> dims = {{6, true}, {5, true}, {2, false}};
    const std::vector<Genome> a = random_sample(dims, 20, 7);
    ASSERT_EQ(a.size(), 20u);
    EXPECT_EQ(std::set<Genome>(a.begin(), a.end()).size(), 20u);
    EXPECT_EQ(random_sample(dims, 20, 7), a);
    EXPECT_NE(random_sample(dims, 20, 8), a);
    const std::vector<Genome> all = random_sample(dims, 100, 7);
    ASSERT_EQ(all.size(), 60u);  // 6 * 5 * 2, in grid order (last dimension fastest)
    EXPECT_EQ(all[0], (Genome{0, 0, 0}));
    EXPECT_EQ(all[1], (Genome{0, 0, 1}));
    EXPECT_EQ(all[59], (Genome{5, 4, 1}));
}

TEST(SweepSearch, LatinHypercubeUsesEveryStratumOfEveryDimension) {
    // 8 samples over dimensions of 8 and 16 alternatives: stratum k of 8 covers alternative k
    // (8 alternatives) or alternatives 2k, 2k+1 (16): each stratum is hit exactly once.
    const std::vector<Dimension> dims = {{8, true}, {16, true}, {32, true}};
    const std::vector<Genome> s = lhs_sample(dims, 8, 3);
    ASSERT_EQ(s.size(), 8u);
    for (size_t d = 0; d < dims.size(); ++d) {
        std::set<size_t> strata;
        for (const Genome& g : s) strata.insert(g[d] * 8 / dims[d].size);
        EXPECT_EQ(strata.size(), 8u) << "dimension " << d;
    }
    EXPECT_EQ(lhs_sample(dims, 8, 3), s);
}

// A small design space with a hardware-like trade-off whose front is known by enumeration:
// array side (8 .. 256, pow2), SRAM (16 .. 2048 KiB, pow2), DRAM bandwidth (4 values), a
// categorical "dataflow" with a different compute efficiency. Objectives: latency and energy
// (7 of the 384 points are on the front).
struct Toy {
    std::vector<Dimension> dims = {{6, true}, {8, true}, {4, true}, {2, false}};
    Evaluation eval(const Genome& g) const {
        const double side = 8.0 * std::pow(2.0, static_cast<double>(g[0]));
        const double sram_kib = 16.0 * std::pow(2.0, static_cast<double>(g[1]));
        const double bw = 8.0 * static_cast<double>(g[2] + 1);
        const double eff = g[3] == 0 ? 0.9 : 0.6;
        const double macs = side * side * eff;
        const double traffic = 4e5 * (1.0 + 256.0 / sram_kib);
        const double latency = std::max(1e8 / macs, traffic / bw) + 50.0;
        const double energy =
            1e8 * 0.3 + traffic * 20.0 + (side * side * 0.02 + sram_kib) * latency;
        return ev({latency, energy});
    }
};

// The share of the exhaustive front that NSGA-II finds with a budget of 25% of the grid.
double recall(uint64_t seed) {
    const Toy toy;
    const std::vector<Genome> grid = random_sample(toy.dims, 100000, 0);
    std::vector<std::vector<double>> objs;
    for (const Genome& g : grid) objs.push_back(toy.eval(g).objectives);
    const std::vector<bool> front = pareto_front(objs);
    std::set<Genome> truth;
    for (size_t i = 0; i < grid.size(); ++i) {
        if (front[i]) truth.insert(grid[i]);
    }
    const size_t budget = grid.size() / 4;
    const SearchResult r =
        nsga2(toy.dims, 0, budget, seed,
              [&](size_t, const std::vector<Genome>& gs, std::vector<Evaluation>& out) {
                  for (const Genome& g : gs) out.push_back(toy.eval(g));
                  return true;
              });
    EXPECT_EQ(r.genomes.size(), budget);
    EXPECT_EQ(std::set<Genome>(r.genomes.begin(), r.genomes.end()).size(), budget);
    size_t found = 0;
    for (const Genome& g : r.genomes) found += truth.count(g);
    return static_cast<double>(found) / static_cast<double>(truth.size());
}

TEST(SweepSearch, Nsga2FindsNinetyPercentOfTheTrueFrontWithAQuarterOfTheGrid) {
    // 384 points, a budget of 96 (population 12). Seed 1 finds the whole front; over seeds
    // 1..100, 93 find at least 90% of it (all 7 points) and the others 6 of 7 (docs/sweeps.md
    // has the figures on larger fronts and on MobileNetV2).
    EXPECT_GE(recall(1), 0.9);
    size_t good = 0;
    for (uint64_t seed = 1; seed <= 100; ++seed) good += recall(seed) >= 0.9 ? 1 : 0;
    EXPECT_EQ(good, 93u);
}

TEST(SweepSearch, Nsga2IsDeterministicAndStopsWhenEvaluationStops) {
    const Toy toy;
    const auto run = [&](size_t stop_after) {
        size_t calls = 0;
        return nsga2(toy.dims, 8, 40, 5,
                     [&](size_t, const std::vector<Genome>& gs, std::vector<Evaluation>& out) {
                         if (++calls > stop_after) return false;
                         for (const Genome& g : gs) out.push_back(toy.eval(g));
                         return true;
                     });
    };
    const SearchResult a = run(100), b = run(100);
    EXPECT_EQ(a.genomes, b.genomes);
    EXPECT_EQ(a.genomes.size(), 40u);
    EXPECT_EQ(a.generation.back(), 4u);  // 8 per generation: generations 0..4
    const SearchResult c = run(2);
    EXPECT_TRUE(c.stopped);
    EXPECT_EQ(c.genomes.size(), 16u);
    EXPECT_TRUE(std::equal(c.genomes.begin(), c.genomes.end(), a.genomes.begin()));
}

}  // namespace
}  // namespace npu::cli

// The search side of `npusim sweep` (docs/sweeps.md), plain C++ without SystemC so it is
// unit-tested on its own: Pareto fronts and non-dominated ranks, and the sampling strategies over
// a discrete design space (random, Latin hypercube, NSGA-II).
//
// A design space is a list of dimensions, each a list of alternatives (a grid dimension's values,
// or a range expanded to its steps). A point of the space is a Genome: one alternative index per
// dimension. Ordered dimensions (ranges, numeric lists) mutate to a neighbouring value; the others
// to any other value.
//
// Everything here is deterministic for a seed: the random numbers come from our own splitmix64
// generator and our own integer mapping (std:: distributions differ between standard libraries).
#pragma once

#include <cstdint>
#include <functional>
#include <limits>
#include <vector>

namespace npu::cli {

// For each point (all objectives lower-is-better): true when no other point is at least as good
// in every objective and strictly better in one. Equal points are all on the front.
[[nodiscard]] std::vector<bool> pareto_front(const std::vector<std::vector<double>>& points);

// One evaluated point as the search sees it: its objectives (lower is better; maximized figures
// are negated by the caller) and how far it is from feasible (0: meets every constraint; > 0: the
// sum of the constraints' relative violations; +infinity: the point did not run at all).
struct Evaluation {
    std::vector<double> objectives;
    double violation = 0;
};

// Deb's constrained domination: a feasible point beats an infeasible one, of two infeasible ones
// the smaller violation wins, and of two feasible ones Pareto dominance on the objectives decides.
[[nodiscard]] bool dominates(const Evaluation& a, const Evaluation& b);

// Non-dominated sorting (Deb et al., "A fast and elitist multiobjective genetic algorithm:
// NSGA-II", IEEE TEC 2002) under constrained domination: rank 1 is the front, rank 2 the front of
// the rest, and so on. O(n^2) time and O(n) memory.
[[nodiscard]] std::vector<int> nondominated_ranks(const std::vector<Evaluation>& points);

// Crowding distance of each member of one front (indices into `points`): the sum over objectives
// of the normalized gap between its two neighbours; the extremes of each objective get infinity.
[[nodiscard]] std::vector<double> crowding_distance(const std::vector<Evaluation>& points,
                                                    const std::vector<size_t>& front);

using Genome = std::vector<size_t>;  // one alternative index per dimension

struct Dimension {
    size_t size = 0;       // number of alternatives
    bool ordered = false;  // neighbours are similar (ranges, numbers): mutate by a step
};

// splitmix64 (Steele, Lea, Flood, "Fast splittable pseudorandom number generators", 2014).
class Rng {
  public:
    explicit Rng(uint64_t seed) : m_state(seed) {}
    uint64_t next();
    size_t below(size_t n);  // uniform in [0, n), n > 0 (rejection: no modulo bias)
    double unit();           // uniform in [0, 1)

  private:
    uint64_t m_state;
};

// The number of points of the space, saturated at SIZE_MAX.
[[nodiscard]] size_t space_size(const std::vector<Dimension>& dims);

// `count` distinct genomes drawn uniformly (all of them, in grid order, when the space has at
// most `count` points).
[[nodiscard]] std::vector<Genome> random_sample(const std::vector<Dimension>& dims, size_t count,
                                                uint64_t seed);

// `count` distinct genomes by Latin hypercube sampling: each dimension's range is cut into
// `count` equal strata and every stratum is used once (a stratum maps to the alternative under
// it; duplicates, which a dimension with fewer alternatives than `count` makes, are replaced by
// random points not drawn yet).
[[nodiscard]] std::vector<Genome> lhs_sample(const std::vector<Dimension>& dims, size_t count,
                                             uint64_t seed);

// NSGA-II over the space. `evaluate(generation, genomes)` runs one generation's new points (all
// of them at once, in parallel or as a job array) and returns their evaluations in order, or
// false to stop (a point failed). The search starts from a Latin hypercube population, makes each
// next population from binary tournaments (rank, then crowding distance), uniform crossover and
// per-dimension mutation, and keeps the best `population` of everything evaluated (elitism). Most
// children (kLocalShare) are local moves instead: an unevaluated neighbour (one step in one
// dimension) of the current front, which walks fronts that are connected in the grid.
// Every point is evaluated at most once; a child equal to an evaluated point is mutated again.
// It stops after `budget` evaluations (the last generation is cut to fit) or when the space is
// exhausted. `population` 0 picks budget / 8, from 4 to 100 (small populations and many
// generations did best on the problems in docs/sweeps.md). Returns every evaluated genome, in
// evaluation order, or stops early (returning what was evaluated) when `evaluate` returns false.
struct SearchResult {
    std::vector<Genome> genomes;
    std::vector<Evaluation> evaluations;
    std::vector<size_t> generation;  // per genome
    bool stopped = false;            // evaluate returned false
};
using EvaluateFn = std::function<bool(size_t generation, const std::vector<Genome>& genomes,
                                      std::vector<Evaluation>& evaluations)>;
// The population nsga2() uses for `population` (0: the default) and `budget`.
[[nodiscard]] size_t nsga2_population(size_t population, size_t budget);
[[nodiscard]] SearchResult nsga2(const std::vector<Dimension>& dims, size_t population,
                                 size_t budget, uint64_t seed, const EvaluateFn& evaluate);

}  // namespace npu::cli

#include "sim/cli/sweep_search.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <set>

namespace npu::cli {

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
// The share of children made by a local move (one dimension of a front point changed by a step)
// rather than by tournament, crossover and mutation: measured on the unit test's problem and
// on MobileNetV2 and BERT sweeps (docs/sweeps.md).
constexpr double kLocalShare = 0.9;

bool pareto_dominates(const std::vector<double>& a, const std::vector<double>& b) {
    bool all_le = true, some_lt = false;
    for (size_t d = 0; d < a.size() && d < b.size(); ++d) {
        all_le = all_le && a[d] <= b[d];
        some_lt = some_lt || a[d] < b[d];
    }
    return all_le && some_lt;
}

// A genome not in `taken`, drawn uniformly by rejection; when the space is small or nearly used
// up, the first free one in grid order after a random start. Returns false when none is left.
bool fresh_genome(const std::vector<Dimension>& dims, const std::set<Genome>& taken, Rng& rng,
                  Genome& out) {
    for (int attempt = 0; attempt < 64; ++attempt) {
        Genome g(dims.size());
        for (size_t d = 0; d < dims.size(); ++d) g[d] = rng.below(dims[d].size);
        if (!taken.count(g)) {
            out = std::move(g);
            return true;
        }
    }
    const size_t total = space_size(dims);
    if (total == SIZE_MAX || taken.size() >= total) return false;
    // Walk the grid (an odometer, last dimension fastest) from a random point.
    Genome g(dims.size());
    for (size_t d = 0; d < dims.size(); ++d) g[d] = rng.below(dims[d].size);
    for (size_t step = 0; step < total; ++step) {
        if (!taken.count(g)) {
            out = g;
            return true;
        }
        size_t d = dims.size();
        while (d > 0 && ++g[d - 1] == dims[d - 1].size) g[--d] = 0;
    }
    return false;
}

}  // namespace

std::vector<bool> pareto_front(const std::vector<std::vector<double>>& points) {
    std::vector<bool> front(points.size(), true);
    for (size_t i = 0; i < points.size(); ++i) {
        for (size_t j = 0; j < points.size() && front[i]; ++j) {
            if (pareto_dominates(points[j], points[i])) front[i] = false;
        }
    }
    return front;
}

bool dominates(const Evaluation& a, const Evaluation& b) {
    if (a.violation == 0 && b.violation > 0) return true;
    if (a.violation > 0 || b.violation > 0) return a.violation < b.violation;
    return pareto_dominates(a.objectives, b.objectives);
}

std::vector<int> nondominated_ranks(const std::vector<Evaluation>& points) {
    // A point's rank (its front, peeling front after front) is one more than the longest chain
    // of points dominating it, one dominating the next. Whoever dominates a point comes before
    // it in the order (violation, then objectives lexicographically), so one pass in that order
    // finds every rank from the ranks before it: O(n^2) time like Deb's fast sort, but O(n)
    // memory instead of a list of the points each one dominates (which for 100,000 points would
    // not fit).
    const size_t n = points.size();
    std::vector<size_t> order(n);
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
        if (points[a].violation != points[b].violation) {
            return points[a].violation < points[b].violation;
        }
        return points[a].objectives < points[b].objectives;
    });
    std::vector<int> rank(n, 0);
    for (size_t k = 0; k < n; ++k) {
        const size_t i = order[k];
        int r = 1;
        for (size_t m = 0; m < k; ++m) {
            const size_t j = order[m];
            if (rank[j] >= r && dominates(points[j], points[i])) r = rank[j] + 1;
        }
        rank[i] = r;
    }
    return rank;
}

std::vector<double> crowding_distance(const std::vector<Evaluation>& points,
                                      const std::vector<size_t>& front) {
    std::vector<double> dist(front.size(), 0.0);
    if (front.empty()) return dist;
    const size_t m = points[front[0]].objectives.size();
    std::vector<size_t> order(front.size());
    for (size_t k = 0; k < m; ++k) {
        std::iota(order.begin(), order.end(), 0);
        std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
            return points[front[a]].objectives[k] < points[front[b]].objectives[k];
        });
        const double lo = points[front[order.front()]].objectives[k];
        const double hi = points[front[order.back()]].objectives[k];
        dist[order.front()] = kInf;
        dist[order.back()] = kInf;
        if (!(hi > lo) || !std::isfinite(hi - lo)) continue;
        for (size_t i = 1; i + 1 < order.size(); ++i) {
            dist[order[i]] += (points[front[order[i + 1]]].objectives[k] -
                               points[front[order[i - 1]]].objectives[k]) /
                              (hi - lo);
        }
    }
    return dist;
}

uint64_t Rng::next() {
    uint64_t z = (m_state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

size_t Rng::below(size_t n) {
    const uint64_t limit = UINT64_MAX - UINT64_MAX % n;
    uint64_t v = next();
    while (v >= limit) v = next();
    return static_cast<size_t>(v % n);
}

double Rng::unit() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }

size_t space_size(const std::vector<Dimension>& dims) {
    size_t total = 1;
    for (const Dimension& d : dims) {
        if (d.size == 0) return 0;
        if (total > SIZE_MAX / d.size) return SIZE_MAX;
        total *= d.size;
    }
    return total;
}

std::vector<Genome> random_sample(const std::vector<Dimension>& dims, size_t count, uint64_t seed) {
    std::vector<Genome> out;
    const size_t total = space_size(dims);
    if (total == 0) return out;
    if (total <= count) {
        Genome g(dims.size(), 0);
        for (size_t i = 0; i < total; ++i) {
            out.push_back(g);
            size_t d = dims.size();
            while (d > 0 && ++g[d - 1] == dims[d - 1].size) g[--d] = 0;
        }
        return out;
    }
    Rng rng(seed);
    std::set<Genome> taken;
    Genome g;
    while (out.size() < count && fresh_genome(dims, taken, rng, g)) {
        taken.insert(g);
        out.push_back(g);
    }
    return out;
}

std::vector<Genome> lhs_sample(const std::vector<Dimension>& dims, size_t count, uint64_t seed) {
    const size_t total = space_size(dims);
    if (total == 0) return {};
    if (total <= count) return random_sample(dims, count, seed);
    Rng rng(seed);
    std::vector<Genome> raw(count, Genome(dims.size()));
    std::vector<size_t> perm(count);
    for (size_t d = 0; d < dims.size(); ++d) {
        std::iota(perm.begin(), perm.end(), 0);
        for (size_t i = count; i > 1; --i) std::swap(perm[i - 1], perm[rng.below(i)]);
        for (size_t i = 0; i < count; ++i) {
            const double u =
                (static_cast<double>(perm[i]) + rng.unit()) / static_cast<double>(count);
            raw[i][d] = std::min(dims[d].size - 1,
                                 static_cast<size_t>(u * static_cast<double>(dims[d].size)));
        }
    }
    std::set<Genome> taken;
    std::vector<Genome> out;
    for (Genome& g : raw) {
        if (taken.insert(g).second) {
            out.push_back(std::move(g));
        } else if (Genome f; fresh_genome(dims, taken, rng, f)) {
            taken.insert(f);
            out.push_back(std::move(f));
        }
    }
    return out;
}

size_t nsga2_population(size_t population, size_t budget) {
    if (population == 0) return std::clamp<size_t>(budget / 8, 4, 100);
    return std::max<size_t>(population, 2);
}

SearchResult nsga2(const std::vector<Dimension>& dims, size_t population, size_t budget,
                   uint64_t seed, const EvaluateFn& evaluate) {
    SearchResult res;
    population = nsga2_population(population, budget);
    Rng rng(seed);
    std::set<Genome> seen;
    // Evaluates `batch` as generation `gen`; false when evaluate stopped.
    const auto run = [&](size_t gen, const std::vector<Genome>& batch) {
        std::vector<Evaluation> evals;
        if (!evaluate(gen, batch, evals) || evals.size() != batch.size()) {
            res.stopped = true;
            return false;
        }
        for (size_t i = 0; i < batch.size(); ++i) {
            res.genomes.push_back(batch[i]);
            res.evaluations.push_back(evals[i]);
            res.generation.push_back(gen);
        }
        return true;
    };

    std::vector<Genome> first = lhs_sample(dims, std::min(population, budget), rng.next());
    for (const Genome& g : first) seen.insert(g);
    if (first.empty() || !run(0, first)) return res;
    // The current parents, as indices into res.
    std::vector<size_t> parents(first.size());
    std::iota(parents.begin(), parents.end(), 0);

    for (size_t gen = 1; res.genomes.size() < budget; ++gen) {
        // Rank and crowding of the parents, for the tournaments.
        std::vector<Evaluation> pe;
        for (size_t i : parents) pe.push_back(res.evaluations[i]);
        const std::vector<int> rank = nondominated_ranks(pe);
        std::vector<double> crowd(parents.size(), 0.0);
        for (int r = 1;; ++r) {
            std::vector<size_t> front;
            for (size_t i = 0; i < parents.size(); ++i) {
                if (rank[i] == r) front.push_back(i);
            }
            if (front.empty()) break;
            const std::vector<double> c = crowding_distance(pe, front);
            for (size_t k = 0; k < front.size(); ++k) crowd[front[k]] = c[k];
        }
        const auto tournament = [&] {
            const size_t a = rng.below(parents.size()), b = rng.below(parents.size());
            if (rank[a] != rank[b]) return rank[a] < rank[b] ? a : b;
            return crowd[a] >= crowd[b] ? a : b;
        };
        const size_t want = std::min(population, budget - res.genomes.size());
        std::vector<Genome> children;
        // Local moves: the unevaluated neighbours (one dimension one step away, or any other
        // value of an unordered one) of the front of every point evaluated so far. Fronts of
        // hardware design spaces are mostly connected this way, so walking them finds the
        // points that crossover and mutation alone keep missing.
        const std::vector<int> all_rank = nondominated_ranks(res.evaluations);
        std::vector<Genome> near;
        std::set<Genome> near_set;
        for (size_t i = 0; i < all_rank.size(); ++i) {
            if (all_rank[i] != 1) continue;
            for (size_t d = 0; d < dims.size(); ++d) {
                for (size_t v = 0; v < dims[d].size; ++v) {
                    const size_t at = res.genomes[i][d];
                    if (v == at || (dims[d].ordered && v + 1 != at && v != at + 1)) continue;
                    Genome g = res.genomes[i];
                    g[d] = v;
                    if (!seen.count(g) && near_set.insert(g).second) near.push_back(std::move(g));
                }
            }
        }
        while (children.size() < want) {
            Genome child;
            if (!near.empty() && rng.unit() < kLocalShare) {
                const size_t k = rng.below(near.size());
                child = near[k];
                near.erase(near.begin() + static_cast<std::ptrdiff_t>(k));
                if (seen.count(child)) continue;
                seen.insert(child);
                children.push_back(std::move(child));
                continue;
            }
            const Genome& x = res.genomes[parents[tournament()]];
            const Genome& y = res.genomes[parents[tournament()]];
            child = x;
            if (rng.unit() < 0.9) {  // uniform crossover
                for (size_t d = 0; d < dims.size(); ++d) {
                    if (rng.below(2)) child[d] = y[d];
                }
            }
            // Mutation: each dimension with probability 1/D, then more until the child is new.
            const auto mutate = [&](size_t d) {
                const size_t n = dims[d].size;
                if (n < 2) return;
                if (dims[d].ordered) {
                    const size_t step =
                        rng.below(5) == 0 ? 1 + rng.below(std::max<size_t>(1, n / 2)) : 1;
                    const bool up =
                        child[d] == 0 ? true : (child[d] + 1 == n ? false : rng.below(2) == 1);
                    child[d] =
                        up ? std::min(n - 1, child[d] + step) : child[d] - std::min(child[d], step);
                } else {
                    child[d] = (child[d] + 1 + rng.below(n - 1)) % n;
                }
            };
            for (size_t d = 0; d < dims.size(); ++d) {
                if (rng.below(dims.size()) == 0) mutate(d);
            }
            for (int tries = 0; seen.count(child) && tries < 32; ++tries) {
                mutate(rng.below(dims.size()));
            }
            if (seen.count(child) && !fresh_genome(dims, seen, rng, child)) break;
            seen.insert(child);
            children.push_back(std::move(child));
        }
        if (children.empty()) break;  // the space is exhausted
        const size_t base = res.genomes.size();
        if (!run(gen, children)) return res;
        // Elitism: the best `population` of parents and children by rank, then crowding.
        std::vector<size_t> pool(res.genomes.size());
        std::iota(pool.begin(), pool.end(), 0);
        (void)base;
        std::vector<Evaluation> pool_eval;
        for (size_t i : pool) pool_eval.push_back(res.evaluations[i]);
        const std::vector<int> pool_rank = nondominated_ranks(pool_eval);
        std::vector<size_t> next;
        for (int r = 1; next.size() < population; ++r) {
            std::vector<size_t> front;
            for (size_t i = 0; i < pool.size(); ++i) {
                if (pool_rank[i] == r) front.push_back(i);
            }
            if (front.empty()) break;
            if (next.size() + front.size() > population) {
                const std::vector<double> c = crowding_distance(pool_eval, front);
                std::vector<size_t> order(front.size());
                std::iota(order.begin(), order.end(), 0);
                std::stable_sort(order.begin(), order.end(),
                                 [&](size_t a, size_t b) { return c[a] > c[b]; });
                for (size_t k = 0; next.size() < population; ++k) {
                    next.push_back(pool[front[order[k]]]);
                }
            } else {
                for (size_t i : front) next.push_back(pool[i]);
            }
        }
        parents = std::move(next);
    }
    return res;
}

}  // namespace npu::cli

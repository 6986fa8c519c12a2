#include "sim/frontend/tensor_view.h"

#include <algorithm>
#include <numeric>

namespace npu::frontend {

namespace {

int64_t product(const std::vector<int64_t>& v) {
    int64_t p = 1;
    for (int64_t d : v) p *= d;
    return p;
}

// The range [first, second) of permuted factors each source axis covers; false when `shape` is
// not a grouping of `dp`.
bool groups_of(const std::vector<int64_t>& dp, const std::vector<int64_t>& shape,
               std::vector<std::pair<size_t, size_t>>& groups) {
    groups.clear();
    size_t i = 0;
    for (int64_t s : shape) {
        const size_t b = i;
        if (s != 1) {
            int64_t p = 1;
            while (p < s && i < dp.size()) p *= dp[i++];
            if (p != s) return false;
        }
        groups.emplace_back(b, i);
    }
    return i == dp.size();
}

}  // namespace

Layout Layout::identity(const std::vector<int64_t>& shape) {
    Layout l;
    for (int64_t d : shape) {
        if (d != 1) l.dims.push_back(d);
    }
    l.perm.resize(l.dims.size());
    std::iota(l.perm.begin(), l.perm.end(), 0);
    l.shape = shape;
    return l;
}

Layout Layout::nchw(int64_t c, int64_t h, int64_t w, const std::vector<int64_t>& shape) {
    // IR order h, w, c; source order c, h, w.
    Layout l;
    int ih = -1, iw = -1, ic = -1;
    if (h != 1) {
        ih = static_cast<int>(l.dims.size());
        l.dims.push_back(h);
    }
    if (w != 1) {
        iw = static_cast<int>(l.dims.size());
        l.dims.push_back(w);
    }
    if (c != 1) {
        ic = static_cast<int>(l.dims.size());
        l.dims.push_back(c);
    }
    for (int i : {ic, ih, iw}) {
        if (i >= 0) l.perm.push_back(i);
    }
    l.shape = shape;
    return l;
}

int64_t Layout::elems() const { return product(dims); }

std::vector<int64_t> Layout::permuted() const {
    std::vector<int64_t> dp;
    for (int p : perm) dp.push_back(dims[static_cast<size_t>(p)]);
    return dp;
}

std::string Layout::check() const {
    if (perm.size() != dims.size()) return "perm and dims differ in length";
    std::vector<int> sorted = perm;
    std::sort(sorted.begin(), sorted.end());
    for (size_t i = 0; i < sorted.size(); ++i) {
        if (sorted[i] != static_cast<int>(i)) return "perm is not a permutation";
    }
    for (int64_t d : dims) {
        if (d < 2) return "dims must be factors >= 2";
    }
    std::vector<std::pair<size_t, size_t>> g;
    if (!groups_of(permuted(), shape, g)) return "shape does not group the permuted dims";
    return "";
}

Layout Layout::canonical() const {
    Layout l;
    // Factors ordered as the source walks them; merge runs that are consecutive in IR order too.
    std::vector<std::vector<int>> runs;
    for (int p : perm) {
        if (!runs.empty() && runs.back().back() + 1 == p) {
            runs.back().push_back(p);
        } else {
            runs.push_back({p});
        }
    }
    // Order the runs by their position in the IR to number the merged dims.
    std::vector<size_t> by_ir(runs.size());
    std::iota(by_ir.begin(), by_ir.end(), 0);
    std::sort(by_ir.begin(), by_ir.end(),
              [&](size_t a, size_t b) { return runs[a].front() < runs[b].front(); });
    std::vector<int> index_of(runs.size());
    for (size_t k = 0; k < by_ir.size(); ++k) {
        int64_t d = 1;
        for (int p : runs[by_ir[k]]) d *= dims[static_cast<size_t>(p)];
        l.dims.push_back(d);
        index_of[by_ir[k]] = static_cast<int>(k);
    }
    for (size_t r = 0; r < runs.size(); ++r) l.perm.push_back(index_of[r]);
    l.shape = {elems()};
    return l;
}

bool Layout::same_order(const Layout& o) const {
    const Layout a = canonical();
    const Layout b = o.canonical();
    return a.dims == b.dims && a.perm == b.perm;
}

bool Layout::is_contiguous() const { return canonical().perm.size() <= 1; }

std::vector<int64_t> Layout::offsets() const {
    const size_t n = dims.size();
    std::vector<int64_t> stride(n, 1);
    for (size_t k = n; k-- > 1;) stride[k - 1] = stride[k] * dims[k];
    const std::vector<int64_t> dp = permuted();
    std::vector<int64_t> pstride(n);
    for (size_t k = 0; k < n; ++k) pstride[k] = stride[static_cast<size_t>(perm[k])];
    std::vector<int64_t> out(static_cast<size_t>(elems()));
    std::vector<int64_t> idx(n, 0);
    int64_t off = 0;
    for (int64_t& o : out) {
        o = off;
        for (size_t k = n; k-- > 0;) {
            if (++idx[k] < dp[k]) {
                off += pstride[k];
                break;
            }
            off -= (dp[k] - 1) * pstride[k];
            idx[k] = 0;
        }
    }
    return out;
}

std::optional<Layout> Layout::reshaped(const std::vector<int64_t>& new_shape) const {
    if (product(new_shape) != elems()) return std::nullopt;
    const std::vector<int64_t> dp = permuted();
    std::vector<std::pair<size_t, size_t>> g;
    if (groups_of(dp, new_shape, g)) {
        Layout l = *this;
        l.shape = new_shape;
        return l;
    }
    // Refine: the boundaries of both factorizations must form a divisibility chain.
    std::vector<int64_t> bounds;
    int64_t p = 1;
    for (int64_t d : dp) bounds.push_back(p *= d);
    p = 1;
    for (int64_t d : new_shape) {
        if (d != 1) bounds.push_back(p *= d);
    }
    std::sort(bounds.begin(), bounds.end());
    bounds.erase(std::unique(bounds.begin(), bounds.end()), bounds.end());
    int64_t prev = 1;
    for (int64_t b : bounds) {
        if (b % prev != 0) return std::nullopt;
        prev = b;
    }
    // Split each permuted factor at the boundaries inside it.
    std::vector<std::vector<int64_t>> pieces(dims.size());
    int64_t start = 1;
    size_t bi = 0;
    for (size_t i = 0; i < dp.size(); ++i) {
        const int64_t end = start * dp[i];
        int64_t last = start;
        while (bi < bounds.size() && bounds[bi] <= end) {
            if (bounds[bi] > last) {
                pieces[static_cast<size_t>(perm[i])].push_back(bounds[bi] / last);
                last = bounds[bi];
            }
            ++bi;
        }
        start = end;
    }
    Layout l;
    std::vector<int> first(dims.size());
    for (size_t d = 0; d < dims.size(); ++d) {
        first[d] = static_cast<int>(l.dims.size());
        for (int64_t f : pieces[d]) l.dims.push_back(f);
    }
    for (int q : perm) {
        for (size_t k = 0; k < pieces[static_cast<size_t>(q)].size(); ++k) {
            l.perm.push_back(first[static_cast<size_t>(q)] + static_cast<int>(k));
        }
    }
    l.shape = new_shape;
    if (!l.check().empty()) return std::nullopt;
    return l;
}

Layout Layout::transposed(const std::vector<int64_t>& axes) const {
    std::vector<std::pair<size_t, size_t>> g;
    groups_of(permuted(), shape, g);
    Layout l;
    l.dims = dims;
    for (int64_t a : axes) {
        const auto [b, e] = g[static_cast<size_t>(a)];
        for (size_t k = b; k < e; ++k) l.perm.push_back(perm[k]);
        l.shape.push_back(shape[static_cast<size_t>(a)]);
    }
    return l;
}

}  // namespace npu::frontend

#include "sim/stats/limiters.h"

#include <algorithm>
#include <stdexcept>
#include <string>
#include <vector>

namespace npu::stats {

const char* to_string(Limiter l) {
    switch (l) {
        case Limiter::kCompute:
            return "compute";
        case Limiter::kFillPreload:
            return "fill/preload";
        case Limiter::kVectorPpu:
            return "vector-ppu";
        case Limiter::kBankConflict:
            return "bank-conflicts";
        case Limiter::kDramBandwidth:
            return "dram-bandwidth";
        case Limiter::kDmaLatency:
            return "dma-latency";
        case Limiter::kDmaIssue:
            return "dma-issue";
        case Limiter::kDependency:
            break;
    }
    return "dependency";
}

const char* meaning(Limiter l) {
    switch (l) {
        case Limiter::kCompute:
            return "the array streams operands through its PEs";
        case Limiter::kFillPreload:
            return "the array loads a tile's weights (weight-stationary) or fills and drains its "
                   "pipeline";
        case Limiter::kVectorPpu:
            return "the vector or post-processing unit works";
        case Limiter::kBankConflict:
            return "a request waits for a busy SRAM bank port";
        case Limiter::kDramBandwidth:
            return "a DRAM request waits inside the DRAM (its channel busy with other requests; "
                   "banked: also row opens and closes, refresh)";
        case Limiter::kDmaLatency:
            return "DMA bursts in flight: every dma.outstanding slot full, or a transfer's "
                   "last bursts";
        case Limiter::kDmaIssue:
            return "the DMA sets up a transfer and issues its bursts";
        case Limiter::kDependency:
            break;
    }
    return "nothing else in progress: waiting for a dependency, dispatch or the layer's barrier";
}

uint64_t LimiterCycles::total() const {
    uint64_t t = 0;
    for (uint64_t c : cycles) t += c;
    return t;
}

Limiter LimiterCycles::top() const {
    if (total() == 0) return Limiter::kDependency;
    size_t best = 0;
    for (size_t i = 1; i < kLimiters; ++i) {
        if (cycles[i] > cycles[best]) best = i;
    }
    return static_cast<Limiter>(best);
}

LimiterCycles& LimiterCycles::operator+=(const LimiterCycles& o) {
    for (size_t i = 0; i < kLimiters; ++i) cycles[i] += o.cycles[i];
    return *this;
}

namespace {

// A function object, not a function pointer, so that the sort inlines the comparison.
struct ByBegin {
    bool operator()(const Interval& a, const Interval& b) const { return a.begin < b.begin; }
};

// Sorts `list` by begin (only when it is not: a component notes its intervals as time advances),
// clips it to [start, end) and merges the intervals that overlap or touch, in place.
void coalesce(std::vector<Interval>& list, uint64_t start, uint64_t end) {
    if (!std::is_sorted(list.begin(), list.end(), ByBegin())) {
        std::sort(list.begin(), list.end(), ByBegin());
    }
    size_t n = 0;  // intervals kept
    for (Interval x : list) {
        x.begin = std::max(x.begin, start);
        x.end = std::min(x.end, end);
        if (x.end <= x.begin) continue;
        if (n > 0 && x.begin <= list[n - 1].end) {
            list[n - 1].end = std::max(list[n - 1].end, x.end);
        } else {
            list[n++] = x;
        }
    }
    list.resize(n);
}

}  // namespace

LimiterCycles attribute(const std::array<std::vector<Interval>, kLimiters>& by_cause,
                        uint64_t start, uint64_t end) {
    std::array<std::vector<Interval>, kLimiters> lists = by_cause;
    return Attribution()(lists, start, end);
}

LimiterCycles Attribution::operator()(std::array<std::vector<Interval>, kLimiters>& by_cause,
                                      uint64_t start, uint64_t end, uint64_t counted_compute) {
    LimiterCycles out;
    if (end <= start) return out;
    m_claimed.clear();  // sorted, disjoint, not touching: what the causes so far took
    uint64_t claimed_cycles = 0;
    for (size_t i = 0; i + 1 < kLimiters; ++i) {
        std::vector<Interval>& mine = by_cause[i];
        coalesce(mine, start, end);
        if (mine.empty()) continue;
        // claimed | mine, merged where they overlap or touch.
        m_merged.clear();
        uint64_t merged_cycles = 0;
        auto a = m_claimed.begin(), b = mine.begin();
        while (a != m_claimed.end() || b != mine.end()) {
            const Interval x =
                b == mine.end() || (a != m_claimed.end() && a->begin <= b->begin) ? *a++ : *b++;
            if (!m_merged.empty() && x.begin <= m_merged.back().end) {
                if (x.end > m_merged.back().end) {
                    merged_cycles += x.end - m_merged.back().end;
                    m_merged.back().end = x.end;
                }
            } else {
                m_merged.push_back(x);
                merged_cycles += x.end - x.begin;
            }
        }
        out.cycles[i] = merged_cycles - claimed_cycles;  // what this cause adds to the earlier
        claimed_cycles = merged_cycles;
        m_claimed.swap(m_merged);
    }
    out.cycles[kLimiters - 1] = (end - start) - claimed_cycles;
    // The counted streams lie in the kFillPreload intervals, apart from the kCompute list's.
    out.cycles[static_cast<size_t>(Limiter::kCompute)] += counted_compute;
    out.cycles[static_cast<size_t>(Limiter::kFillPreload)] -= counted_compute;
    return out;
}

void LimiterLog::tile_out_of_order() {
    throw std::logic_error("limiters: an array tile's stream begins before the previous one's");
}

void LimiterLog::store(Open& open, Limiter what) {
    if (open.layer == kNoLayer) return;
    std::vector<Interval>& list = m_layers[open.layer][static_cast<size_t>(what)];
    if (list.capacity() == 0) list.swap(m_spare[static_cast<size_t>(what)]);  // reuse
    list.push_back(open.span);
    open.layer = kNoLayer;
}

LimiterCycles LimiterLog::close_layer(size_t layer, uint64_t start, uint64_t end) {
    for (size_t i = 0; i < kLimiters; ++i) {
        if (m_open[i].layer == layer) store(m_open[i], static_cast<Limiter>(i));
    }
    std::array<std::vector<Interval>, kLimiters>& open = m_layers[layer];
    Tiles& tiles = m_tiles[layer];
    if (tiles.compute > 0 && (tiles.compute_first < start || tiles.last_end > end)) {
        throw std::logic_error("limiters: an array tile of layer " + std::to_string(layer) +
                               " streams over [" + std::to_string(tiles.compute_first) + ", " +
                               std::to_string(tiles.last_end) + "), outside the layer's [" +
                               std::to_string(start) + ", " + std::to_string(end) + ")");
    }
    const LimiterCycles c = m_attribute(open, start, end, tiles.compute);
    tiles = Tiles{};
    for (size_t i = 0; i < kLimiters; ++i) {  // the buffers serve the next layer
        open[i].clear();
        if (open[i].capacity() > m_spare[i].capacity()) open[i].swap(m_spare[i]);
    }
    return c;
}

}  // namespace npu::stats

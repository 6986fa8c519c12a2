#include "sim/stats/limiters.h"

#include <algorithm>
#include <iterator>

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

bool by_begin(const Interval& a, const Interval& b) { return a.begin < b.begin; }

// Sorted intervals (by begin) clipped to [start, end) and merged where they touch, into `out`.
void coalesce(const std::vector<Interval>& sorted, uint64_t start, uint64_t end,
              std::vector<Interval>& out) {
    out.clear();
    for (Interval x : sorted) {
        x.begin = std::max(x.begin, start);
        x.end = std::min(x.end, end);
        if (x.end <= x.begin) continue;
        if (!out.empty() && x.begin <= out.back().end) {
            out.back().end = std::max(out.back().end, x.end);
        } else {
            out.push_back(x);
        }
    }
}

uint64_t length(const std::vector<Interval>& list) {
    uint64_t n = 0;
    for (const Interval& x : list) n += x.end - x.begin;
    return n;
}

}  // namespace

LimiterCycles attribute(const std::array<std::vector<Interval>, kLimiters>& by_cause,
                        uint64_t start, uint64_t end) {
    LimiterCycles out;
    if (end <= start) return out;
    // Disjoint and sorted: the cycles earlier causes took. Each cause's list is mostly in time
    // order already (its components note intervals as time advances): sorted only when not.
    std::vector<Interval> claimed, mine, both, sorted;
    uint64_t claimed_cycles = 0;
    for (size_t i = 0; i + 1 < kLimiters; ++i) {
        const std::vector<Interval>& list = by_cause[i];
        if (list.empty()) continue;
        if (std::is_sorted(list.begin(), list.end(), by_begin)) {
            coalesce(list, start, end, mine);
        } else {
            sorted = list;
            std::sort(sorted.begin(), sorted.end(), by_begin);
            coalesce(sorted, start, end, mine);
        }
        both.clear();
        std::merge(claimed.begin(), claimed.end(), mine.begin(), mine.end(),
                   std::back_inserter(both), by_begin);
        coalesce(both, start, end, claimed);
        const uint64_t now = length(claimed);
        out.cycles[i] = now - claimed_cycles;  // what this cause adds to the earlier ones
        claimed_cycles = now;
    }
    out.cycles[kLimiters - 1] = (end - start) - claimed_cycles;
    return out;
}

LimiterCycles LimiterLog::close_layer(size_t layer, uint64_t start, uint64_t end) {
    std::array<std::vector<Interval>, kLimiters>& open = m_layers[layer];
    const LimiterCycles c = attribute(open, start, end);
    for (size_t i = 0; i < kLimiters; ++i) {  // the buffers serve the next layer
        open[i].clear();
        if (open[i].capacity() > m_spare[i].capacity()) open[i].swap(m_spare[i]);
    }
    return c;
}

}  // namespace npu::stats

#include "sim/stats/limiters.h"

#include <algorithm>

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
            return "a DRAM request waits for its channel (busy with other requests)";
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

// `list` clipped to [start, end), sorted and merged into disjoint intervals.
std::vector<Interval> disjoint(std::vector<Interval> list, uint64_t start, uint64_t end) {
    std::sort(list.begin(), list.end(),
              [](const Interval& a, const Interval& b) { return a.begin < b.begin; });
    std::vector<Interval> out;
    for (Interval x : list) {
        x.begin = std::max(x.begin, start);
        x.end = std::min(x.end, end);
        if (x.end <= x.begin) continue;
        if (!out.empty() && x.begin <= out.back().end) {
            out.back().end = std::max(out.back().end, x.end);
        } else {
            out.push_back(x);
        }
    }
    return out;
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
    std::vector<Interval> claimed;  // disjoint, sorted: the cycles earlier causes took
    uint64_t claimed_cycles = 0;
    for (size_t i = 0; i + 1 < kLimiters; ++i) {
        if (by_cause[i].empty()) continue;
        std::vector<Interval> both = claimed;
        const std::vector<Interval> mine = disjoint(by_cause[i], start, end);
        both.insert(both.end(), mine.begin(), mine.end());
        claimed = disjoint(std::move(both), start, end);
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
    for (std::vector<Interval>& list : open) std::vector<Interval>().swap(list);
    return c;
}

}  // namespace npu::stats

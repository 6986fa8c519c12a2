// What limited each layer: its cycles partitioned among the activities that were in progress,
// measured from the components' timelines.
//
// While a layer runs, the components note the intervals of cycles they spent on each activity
// (LimiterLog::add): the array's tiles (streaming operands; preloading weights, filling and
// draining its pipeline), the vector and post-processing units, waits for scratchpad bank ports,
// DRAM requests held back inside the DRAM (other requests on their channel; banked: also row
// opens and closes, refresh), the DMA's slots all in flight (and a transfer's last bursts in
// flight), the DMA issuing a transfer. When the layer ends
// (close_layer), every cycle of [start, end) is charged to exactly one cause: the first in the
// order of Limiter below that was in progress at that cycle; a cycle in which none was is a
// dependency wait (an engine waiting for a token, the controller's dispatch or the layer's
// barrier with nothing else to do). The shares therefore add up to the layer's cycles exactly and
// never overlap. The order puts the array's useful work first (a cycle in which the array
// computes is not lost to whatever else happens meanwhile), then the array's own overheads, the
// units that make the array wait, and the memory path from the nearest cause to the farthest.
//
// Cost: one interval per tile, burst wait, unit pass or transfer, merged with the previous one of
// the same cause when they touch; each layer's intervals are merged (sorted only when out of
// order) when it ends.
// Plain C++ (no SystemC), unit-tested on constructed timelines.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace npu::stats {

// In the order of precedence (see above); kDependency takes the cycles no other cause claims.
enum class Limiter : uint8_t {
    kCompute,        // the array streams operands through its PEs (a tile's stream window)
    kFillPreload,    // the rest of a tile's span: loading its weights into the PEs
                     // (weight-stationary), filling and draining the pipeline
    kVectorPpu,      // the vector unit or the post-processing unit works
    kBankConflict,   // a request waits for a busy scratchpad / accumulator bank port
    kDramBandwidth,  // a DRAM request waits inside the DRAM: its channel busy with other
                     // requests (banked: beyond its unloaded span, e.g. row opens, refresh)
    kDmaLatency,     // DMA bursts in flight: every outstanding slot full, or a transfer's last
                     // bursts not back yet (concurrency = dma.outstanding x latency)
    kDmaIssue,       // the DMA sets a transfer up and issues its bursts (one per cycle)
    kDependency,     // none of the above: waiting for tokens, dispatch or the layer's barrier
};
inline constexpr size_t kLimiters = 8;

// "compute", "fill/preload", "vector-ppu", "bank-conflicts", "dram-bandwidth",
// "dma-latency", "dma-issue", "dependency".
[[nodiscard]] const char* to_string(Limiter l);
// What each means, one line (the reports' legends).
[[nodiscard]] const char* meaning(Limiter l);

// A layer's (or a run's) cycles per cause; they add up to its cycles.
struct LimiterCycles {
    std::array<uint64_t, kLimiters> cycles{};

    [[nodiscard]] uint64_t at(Limiter l) const { return cycles[static_cast<size_t>(l)]; }
    [[nodiscard]] uint64_t total() const;
    // The cause with the most cycles (the earlier one in the order on a tie); kDependency when
    // there are no cycles.
    [[nodiscard]] Limiter top() const;
    LimiterCycles& operator+=(const LimiterCycles& o);
};

struct Interval {
    uint64_t begin = 0;
    uint64_t end = 0;  // exclusive
};

// Partitions [start, end) by the precedence above: `by_cause[i]` are the intervals of
// Limiter(i) (any order, may overlap, may reach outside [start, end)); kDependency's entry is
// ignored (it is the remainder).
[[nodiscard]] LimiterCycles attribute(const std::array<std::vector<Interval>, kLimiters>& by_cause,
                                      uint64_t start, uint64_t end);

class LimiterLog {
  public:
    explicit LimiterLog(size_t layers = 0) : m_layers(layers) {}

    // `layer` spent [begin, end) on `what` (nothing when end <= begin).
    void add(size_t layer, Limiter what, uint64_t begin, uint64_t end) {
        if (end <= begin) return;
        std::vector<Interval>& list = m_layers[layer][static_cast<size_t>(what)];
        if (list.capacity() == 0) list.swap(m_spare[static_cast<size_t>(what)]);  // reuse
        if (!list.empty() && begin <= list.back().end && end >= list.back().begin) {
            Interval& last = list.back();  // touches the previous one: one interval
            if (begin < last.begin) last.begin = begin;
            if (end > last.end) last.end = end;
            return;
        }
        list.push_back({begin, end});
    }
    // The layer's cycles [start, end) by cause (attribute()); forgets its intervals.
    [[nodiscard]] LimiterCycles close_layer(size_t layer, uint64_t start, uint64_t end);

  private:
    std::vector<std::array<std::vector<Interval>, kLimiters>> m_layers;
    // Closed layers' buffers (emptied), taken by the next layer that notes a cause.
    std::array<std::vector<Interval>, kLimiters> m_spare;
};

}  // namespace npu::stats

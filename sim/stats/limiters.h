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
// the same cause when they touch; when a layer ends, each cause's intervals are merged in place
// (sorted only when out of order) and painted in the order of precedence, without allocating.
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
    kDmaLatency,     // DMA bursts in flight: every outstanding slot full (until the waiting
                     // burst issues, that cycle included), or a transfer's last bursts not
                     // back yet (concurrency = dma.outstanding x latency)
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

// attribute() without allocating once its buffers have grown: each cause's list is sorted (only
// when it is not), clipped and merged in place, then merged, cause by cause in the order of
// precedence, into the cycles the causes before it claimed; a cause gets what it adds to them.
// O(intervals + causes x claimed intervals).
class Attribution {
  public:
    // `counted_compute`: compute cycles counted beside the lists (LimiterLog::add_tile), inside
    // the kFillPreload list's intervals and apart from the kCompute list's.
    [[nodiscard]] LimiterCycles operator()(std::array<std::vector<Interval>, kLimiters>& by_cause,
                                           uint64_t start, uint64_t end,
                                           uint64_t counted_compute = 0);

  private:
    std::vector<Interval> m_claimed, m_merged;
};

class LimiterLog {
  public:
    explicit LimiterLog(size_t layers = 0) : m_layers(layers), m_tiles(layers) {}

    // `layer` spent [begin, end) on `what` (nothing when end <= begin).
    // Each cause keeps its latest interval open: one that overlaps or touches it (a stream of
    // bursts, back-to-back transfers) only widens it, at the cost of a few comparisons; any
    // other moves it to its layer's list and opens a new one.
    void add(size_t layer, Limiter what, uint64_t begin, uint64_t end) {
        if (end <= begin) return;
        Open& open = m_open[static_cast<size_t>(what)];
        if (open.layer == layer && begin <= open.span.end && end >= open.span.begin) {
            if (begin < open.span.begin) open.span.begin = begin;
            if (end > open.span.end) open.span.end = end;
            return;
        }
        store(open, what);
        open = Open{{begin, end}, layer};
    }
    // An array tile of `layer`: it streamed operands over [stream_begin, stream_end) (kCompute)
    // within its span [begin, end) (the rest: kFillPreload). The streams of a layer's tiles come
    // in issue order: their cycles are counted as they come (the union so far is known from the
    // last one), not kept; the span joins the kFillPreload intervals (back-to-back tiles: one).
    // The model notes the array's time only this way (add(kCompute) would count twice what
    // overlaps a counted stream). Throws std::logic_error for a stream that begins before the
    // previous one.
    void add_tile(size_t layer, uint64_t stream_begin, uint64_t stream_end, uint64_t begin,
                  uint64_t end) {
        if (m_clipped) {  // see set_clipped()
            add(layer, Limiter::kCompute, stream_begin, stream_end);
            add(layer, Limiter::kFillPreload, begin, end);
            return;
        }
        Tiles& t = m_tiles[layer];
        if (stream_end > stream_begin) {
            if (stream_begin < t.last_begin) tile_out_of_order();
            const uint64_t from = stream_begin > t.last_end ? stream_begin : t.last_end;
            if (stream_end > from) t.compute += stream_end - from;
            if (t.compute_first > stream_begin) t.compute_first = stream_begin;
            t.last_begin = stream_begin;
            if (stream_end > t.last_end) t.last_end = stream_end;
            // Keep the counted cycles inside the kFillPreload intervals.
            if (stream_begin < begin || stream_end > end) {
                add(layer, Limiter::kFillPreload, stream_begin, stream_end);
            }
        }
        add(layer, Limiter::kFillPreload, begin, end);
    }
    // compiler.overlap full: a layer's tiles may stream before the previous layer's end, that is
    // before the cycles its causes are measured over; their streams are then kept as kCompute
    // intervals (clipped to [start, end) like every other cause) instead of counted. The shares
    // are the same as counting where nothing reaches outside; it costs an interval per stream
    // that does not touch the previous one.
    void set_clipped(bool clipped) { m_clipped = clipped; }
    // The layer's cycles [start, end) by cause (attribute()); forgets its intervals. Throws
    // std::logic_error when a counted tile stream reaches outside [start, end).
    [[nodiscard]] LimiterCycles close_layer(size_t layer, uint64_t start, uint64_t end);

  private:
    static constexpr size_t kNoLayer = SIZE_MAX;
    struct Open {
        Interval span;
        size_t layer = kNoLayer;
    };
    // Moves an open interval to its layer's list of `what`.
    void store(Open& open, Limiter what);
    [[noreturn]] static void tile_out_of_order();

    // A layer's tile streams so far.
    struct Tiles {
        uint64_t compute = 0;  // cycles of their union
        uint64_t compute_first = UINT64_MAX;
        uint64_t last_begin = 0;
        uint64_t last_end = 0;  // the latest end so far
    };

    bool m_clipped = false;
    std::array<Open, kLimiters> m_open;
    std::vector<std::array<std::vector<Interval>, kLimiters>> m_layers;
    std::vector<Tiles> m_tiles;
    // Closed layers' buffers (emptied), taken by the next layer that notes a cause.
    std::array<std::vector<Interval>, kLimiters> m_spare;
    Attribution m_attribute;
};

}  // namespace npu::stats

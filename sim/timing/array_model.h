// Timing (and, optionally, data) of the systolic MAC array, one tile at a time.
//
// Two implementations of one interface:
//  - make_fast_array(): closed-form tile latency (fill, skew, stream, drain, weight preload,
//    overlap with the previous tile). O(1) per tile. This is what simulations use.
//  - make_pe_array(): a PE-level reference that moves every operand and partial sum through
//    every PE register, every cycle. Slow and simple; it exists to be trusted. Tests prove the
//    fast model equal to it (timing and data) over many random tile sequences; `--fidelity pe`
//    selects it for small runs.
// See docs/timing.md for the microarchitecture and the arithmetic.
//
// Tile semantics. A tile computes out[m][n] = sum_k a[m][k] * w[k][n] (int8 x int8 -> int32,
// wrapping two's-complement accumulation). Limits: ws: k <= rows, n <= cols, m >= 1 any;
// os: m <= rows, n <= cols, k >= 1 any.
//
// Times are NPU clock cycles (uint64). Every window is half-open [begin, end).
#pragma once

#include <cstdint>
#include <memory>

#include "sim/core/types.h"

namespace npu::timing {

struct ArrayGeometry {
    int rows = 16;
    int cols = 16;
    Dataflow dataflow = Dataflow::kWeightStationary;
    Pipelining pipelining = Pipelining::kOverlap;
    // kScaleSim: SCALE-Sim v2's accounting (scalesim_array.cc); pipelining is then not used.
    ArrayTiming timing = ArrayTiming::kNpusim;
};

struct TileShape {
    int m = 0;
    int k = 0;
    int n = 0;
};

// The shape whose timing a tile of `sh` takes when each PE needs `cycles_per_mac` cycles per MAC
// (a precision slower than the array's int8 rate, array.cycles_per_mac): operands enter the array
// every cycles_per_mac cycles, so the stream phase stretches by that factor (ws: the m activation
// rows; os: the k reduction steps) while fill, skew and drain do not. Timing only: the data of the
// tile is still sh.
[[nodiscard]] inline TileShape scaled_for_precision(const TileShape& sh, bool weight_stationary,
                                                    int cycles_per_mac) {
    TileShape t = sh;
    if (cycles_per_mac > 1) (weight_stationary ? t.m : t.k) *= cycles_per_mac;
    return t;
}

// Operands of one tile, or nullptr in a TileTiming-only call. Row-major with leading dimensions.
struct TileData {
    const int8_t* a = nullptr;  // m x k, row stride lda
    int lda = 0;
    const int8_t* w = nullptr;  // k x n, row stride ldw
    int ldw = 0;
    int32_t* out = nullptr;  // m x n, row stride ldo; receives the product (overwritten)
    int ldo = 0;
};

// When the tile occupies which part of the array and its SRAM ports. The compute engine uses
// the windows to reserve scratchpad / accumulator bank ports.
struct TileTiming {
    uint64_t start = 0;         // first cycle of work on this tile (ws: first weight-load cycle)
    uint64_t weight_begin = 0;  // weight rows read from the scratchpad (ws preload; os: = stream)
    uint64_t weight_end = 0;
    uint64_t stream_begin = 0;  // activation rows read from the scratchpad and fed to the array
    uint64_t stream_end = 0;
    uint64_t out_begin = 0;  // results written to the accumulator
    uint64_t out_end = 0;    // == done: the cycle after the last result is written
    [[nodiscard]] uint64_t done() const { return out_end; }
    friend bool operator==(const TileTiming& x, const TileTiming& y) {
        return x.start == y.start && x.weight_begin == y.weight_begin &&
               x.weight_end == y.weight_end && x.stream_begin == y.stream_begin &&
               x.stream_end == y.stream_end && x.out_begin == y.out_begin && x.out_end == y.out_end;
    }
};

class ArrayModel {
  public:
    virtual ~ArrayModel() = default;
    // The timing `issue` would give, without changing any state.
    [[nodiscard]] virtual TileTiming plan(const TileShape& shape, uint64_t earliest) const = 0;
    // Issue the next tile, starting no earlier than `earliest` (its operands are ready then). Tiles
    // are issued in order; the array state (what the previous tile still occupies) carries over.
    // With data != nullptr, writes the product to data->out.
    virtual TileTiming issue(const TileShape& shape, uint64_t earliest, const TileData* data) = 0;
    [[nodiscard]] virtual const ArrayGeometry& geometry() const = 0;
};

[[nodiscard]] std::unique_ptr<ArrayModel> make_fast_array(const ArrayGeometry& g);
[[nodiscard]] std::unique_ptr<ArrayModel> make_pe_array(const ArrayGeometry& g);

}  // namespace npu::timing

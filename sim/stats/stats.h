// Statistics of one run: what the models counted. Models count actions; they never price them
// (the energy model does, from these counts and an energy table).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "sim/stats/component_stats.h"
#include "sim/stats/limiters.h"

namespace npu::stats {

// Additive counters; a layer's and the run's totals are sums of these.
struct Counters {
    uint64_t instructions = 0;
    uint64_t macs = 0;  // useful multiply-accumulates (m*k*n over tiles)
    // The part of `macs` done at each non-int8 precision (int8 MACs: macs minus these).
    uint64_t macs_int4 = 0;
    uint64_t macs_bf16 = 0;
    uint64_t macs_fp16 = 0;
    uint64_t macs_fp32 = 0;
    uint64_t array_busy_cycles = 0;  // cycles the array had at least one tile in flight
    uint64_t tiles = 0;
    uint64_t dram_read_bytes = 0;
    uint64_t dram_write_bytes = 0;
    uint64_t dram_bursts = 0;
    uint64_t dma_descriptors = 0;
    uint64_t spad_read_bytes = 0;
    uint64_t spad_write_bytes = 0;
    uint64_t acc_read_bytes = 0;
    uint64_t acc_write_bytes = 0;
    uint64_t spad_bank_conflicts = 0;        // requests that found their bank port busy
    uint64_t spad_bank_conflict_cycles = 0;  // cycles those requests waited
    uint64_t acc_bank_conflicts = 0;
    uint64_t acc_bank_conflict_cycles = 0;
    uint64_t postproc_elements = 0;
    // The part of postproc_elements that integer layers requantized, in each postproc.requant
    // arithmetic (energy prices each).
    uint64_t requant_fixed_point_elements = 0;
    uint64_t requant_float32_elements = 0;
    // Stall cycles by cause: an engine idle with work queued, waiting for ...
    uint64_t compute_wait_load_cycles = 0;    // ... operands (token from load)
    uint64_t compute_wait_store_cycles = 0;   // ... a free accumulator buffer (token from store)
    uint64_t load_wait_compute_cycles = 0;    // ... a free scratchpad buffer (token from compute)
    uint64_t store_wait_compute_cycles = 0;   // ... results (token from compute)
    uint64_t dispatch_queue_full_cycles = 0;  // controller blocked on a full engine queue

    Counters& operator+=(const Counters& o);
};

// The shared L2's counts (models/mem/l2_cache.h, group "l2") of a layer or the run; only runs
// with an L2 (l2.size > 0) have them.
struct L2Counts {
    uint64_t hits = 0;        // lines requests found
    uint64_t misses = 0;      // lines requests did not find
    uint64_t writebacks = 0;  // dirty lines written back
    // Bytes in or out of the data array: requests served, lines filled, lines written back (what
    // energy.l2_pj_per_byte prices).
    uint64_t bytes = 0;
    // hits / (hits + misses), 0 without accesses.
    [[nodiscard]] double hit_rate() const {
        return hits + misses == 0 ? 0.0
                                  : static_cast<double>(hits) / static_cast<double>(hits + misses);
    }
    L2Counts& operator+=(const L2Counts& o) {
        hits += o.hits;
        misses += o.misses;
        writebacks += o.writebacks;
        bytes += o.bytes;
        return *this;
    }
};

struct LayerStats {
    std::string name;
    std::string precision = "int8";  // the layer's datapath precision
    int cycles_per_mac = 1;          // the array's cycles per MAC at it (peak = PEs / this)
    std::string op;                  // "gemm" | "conv2d"
    std::string shape;               // Layer::shape_string()
    std::string mapping;             // compiler's summary, e.g. "ws mb=64 nb=16 kb=16 tiles=..."
    std::string residency;  // where the layer's tensors live, e.g. "dram" or "on-chip" (empty:
                            // the compiler did not say)
    // Fusion (isa::LayerDesc): the compiler's note about fusing this layer's output into the
    // next layer (empty: none), whether it did, and the bytes its estimate says that saved.
    std::string fusion;
    bool fused = false;
    int64_t fusion_dram_saved = 0, fusion_onchip_saved = 0;
    uint64_t macs_total = 0;  // the layer's MACs (from the graph), for utilization
    uint64_t start_cycle = 0;
    uint64_t end_cycle = 0;
    // The layer's span: from its first instruction's dispatch to its end. With cross-layer
    // overlap (compiler.overlap) consecutive spans overlap, and their sum exceeds the run.
    [[nodiscard]] uint64_t cycles() const { return end_cycle - start_cycle; }
    // From the previous layer's end (the first layer: cycle 0) to this one's: they add up to the
    // run's cycles. Without overlap exclusive_cycles == cycles().
    uint64_t exclusive_cycles = 0;
    // The cycles of the span before the previous layer's end (0 without overlap).
    uint64_t overlapped_cycles = 0;
    Counters counters;
    // The layer's exclusive cycles by what limited them (sim/stats/limiters.h); they add up to
    // exclusive_cycles.
    LimiterCycles limiters;
    // The banked DRAM's energy by the IDD method (sim/energy/dram_energy.h), which replaces the
    // per-byte DRAM price; nullopt: DRAM is priced per byte (energy.dram_pj_per_byte).
    std::optional<double> dram_energy_pj;
    std::optional<L2Counts> l2;  // runs with an L2 only
    // compiler.overlap full only: the cycles the layer's instructions waited in the dependency
    // table for conflicting instructions of earlier layers (models/engines/dependency_table.h).
    std::optional<uint64_t> hazard_wait_cycles;
    bool checked = false;  // outputs compared against the reference executor
    bool bit_exact = false;
    uint64_t mismatches = 0;
};

// One core of a multi-core run (`cores` > 1): its figures beside the run's totals.
struct CoreStats {
    uint64_t end_cycle = 0;               // its last layer's end (0: it had no work)
    uint64_t macs = 0;                    // the MACs of its share of the work
    int32_t first_image = 0, images = 0;  // its share of the batch (partition batch)
    // Partition pipeline: its stage, layers [first_layer, first_layer + layers) of the run's table,
    // run for every image (layers 0: idle, more cores than layers).
    int32_t first_layer = 0, layers = 0;
};

struct RunStats {
    std::string config_name;
    std::string workload_name;
    std::string fidelity;    // "fast" | "pe"
    bool functional = true;  // data computed (false: timing-only)
    std::string note;        // a remark on the outputs check (e.g. why it was skipped), or empty
    std::string precision = "int8";  // the config's precision (layers may override it)
    int cycles_per_mac = 1;          // the array's cycles per MAC at that precision
    double clock_hz = 1e9;
    // Images the run computed (Workload::batch): every figure is the batch's, per-inference ones
    // divide by it.
    int32_t batch = 1;
    uint64_t peak_macs_per_cycle = 0;
    double dram_peak_bytes_per_cycle = 0;
    std::vector<LayerStats> layers;
    uint64_t total_cycles = 0;
    Counters total;                        // sum over layers
    LimiterCycles limiters;                // sum over layers
    std::optional<double> dram_energy_pj;  // as LayerStats', over the run
    std::optional<L2Counts> l2;            // as LayerStats', over the run
    double wall_seconds = 0;  // host time to compile and simulate (excludes the reference check)
    // Every component's statistics (sim/stats/component_stats.h): the tree the models counted
    // into, e.g. "npu.dma.bursts"; `layers` and `total` hold the same counts per layer, summed
    // into the counters above (sim/run derives them from this tree).
    StatGroup components;
    // Multi-core runs: per core (empty for one core). The layers' records and counters above are
    // the run's (over every core); core c's components count into group "npu<c>".
    std::vector<CoreStats> cores;
    std::string partition;  // how the work was split over the cores (empty: one core)
    // Channel and spatial: what each core runs (compiler::share_text), for the text report.
    std::string core_share;
};

}  // namespace npu::stats

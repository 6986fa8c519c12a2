// The hardware configuration: plain data, no YAML. Loading, validation, --set overrides, the
// effective-config dump and the schema all come from one field table in config_schema.cc, so a key
// is declared once (path, type, default, unit, meaning). Defaults below are the bundled edge NPU
// (configs/edge_npu.yaml); keep the two equal.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <string>

#include "sim/config/dram_config.h"
#include "sim/core/precision.h"
#include "sim/core/types.h"

namespace npu::cfg {

using npu::ArrayTiming;   // "npusim" | "scalesim"
using npu::Dataflow;      // "ws" | "os"
using npu::LayerOverlap;  // "none" | "prefetch" | "full"
using npu::Partition;     // "auto" | "batch" | "channel"
using npu::Pipelining;    // "none" | "overlap"
using npu::RequantMode;
using npu::Rounding;  // "half_even" | "tflite" | "half_up"

struct ArrayConfig {
    int rows = 16;  // PE rows: the reduction (K) dimension for ws, output rows (M) for os
    int cols = 16;  // PE columns: output channels (N)
    Dataflow dataflow = Dataflow::kWeightStationary;
    // The array runs both dataflows (Gemmini's can): the compiler picks one per layer, and
    // `dataflow` breaks ties. Written `array.dataflow: both`.
    bool both_dataflows = false;
    Pipelining pipelining = Pipelining::kOverlap;
    // npusim's microarchitecture, or SCALE-Sim v2's cycle accounting (docs/timing.md).
    ArrayTiming timing = ArrayTiming::kNpusim;
    // Cycles one PE takes per MAC of each precision (index: npu::Precision), 0 = the array does
    // not run that precision. Default: an illustrative multi-precision PE that does one int8 (or
    // int8 x int4) MAC per cycle, one bf16/fp16 MAC every 2 cycles and one fp32 MAC every 4.
    std::array<int, kPrecisionCount> cycles_per_mac{1, 1, 2, 2, 4};
    [[nodiscard]] int cycles_for(Precision p) const {
        return cycles_per_mac[static_cast<size_t>(p)];
    }
};

struct SramConfig {
    uint64_t size_bytes = 0;
    int banks = 1;
    int bank_width_bytes = 16;  // bytes one bank port moves per cycle
    int ports = 1;              // ports per bank (each an independent busy-until timeline)
};

struct DmaConfig {
    int channels = 2;
    int burst_bytes = 64;
    int outstanding = 32;   // bursts in flight per channel
    int setup_cycles = 16;  // per descriptor, before its first burst
};

// The shared on-chip L2 (models/mem/l2_cache.h): a hardware-managed cache in front of the DRAM,
// shared by every core. size 0 (the default): no L2, requests go straight to the DRAM.
struct L2Config {
    uint64_t size_bytes = 0;
    int banks = 8;                // lines interleaved over the banks (line index mod banks)
    int bank_width_bytes = 32;    // bytes one bank port moves per cycle
    int line_bytes = 64;          // a power of two
    int ways = 16;                // associativity (LRU)
    int hit_latency_cycles = 10;  // tag and data array access, after the port transfer
    [[nodiscard]] bool present() const { return size_bytes > 0; }
    [[nodiscard]] uint64_t sets_per_bank() const {
        return size_bytes / (static_cast<uint64_t>(line_bytes) * static_cast<uint64_t>(ways) *
                             static_cast<uint64_t>(banks));
    }
};

struct PostprocConfig {
    int lanes = 16;           // accumulator elements requantized per cycle
    int pipeline_cycles = 4;  // latency of the requantization pipeline
    Rounding rounding = Rounding::kHalfEven;
    RequantMode requant = RequantMode::kFixedPoint;  // "fixed_point" | "float32"
};

struct ControllerConfig {
    int queue_depth = 8;      // instruction FIFO depth of each engine (load, compute, store)
    int dispatch_cycles = 1;  // cycles to decode and dispatch one instruction
};

// The compiler's choices that are not the hardware's.
struct CompilerConfig {
    // What the mapping search minimizes per array layer (docs/mapper.md).
    Objective objective = Objective::kLatency;
    // How consecutive layers are ordered: a barrier, or the next layer's first weights
    // prefetched across it (docs/architecture.md, Controller).
    LayerOverlap overlap = LayerOverlap::kNone;
    // How the work is split over the cores when `cores` > 1 (sim/compiler/partition.h).
    Partition partition = Partition::kAuto;
    // Whether consecutive layers are fused, their intermediate kept on chip and read in place
    // (docs/fusion.md).
    Fusion fusion = Fusion::kNone;
};

// Energy per action. Defaults: Horowitz, ISSCC 2014, 45 nm 0.9 V (see configs/energy/*.yaml).
struct EnergyTable {
    std::string name = "horowitz45";
    double mac_int8_pj = 0.3;            // 8-bit multiply (0.2) + 32-bit add (0.1)
    double mac_int4_pj = 0.2;            // 8x4-bit multiply (~half of 8x8: 0.1) + 32-bit add (0.1)
    double mac_bf16_pj = 2.0;            // taken equal to fp16 (no published 45 nm bf16 figure)
    double mac_fp16_pj = 2.0;            // fp16 multiply (1.1) + fp32 add (0.9)
    double mac_fp32_pj = 4.6;            // fp32 multiply (3.7) + fp32 add (0.9)
    double spad_read_pj_per_byte = 2.5;  // 64-bit read of a 32 KB array: 20 pJ
    double spad_write_pj_per_byte = 2.5;
    double acc_read_pj_per_byte = 1.25;  // 64-bit read of an 8 KB array: 10 pJ
    double acc_write_pj_per_byte = 1.25;
    double dram_pj_per_byte = 160.0;  // DDR4 ~20 pJ/bit
    double static_mw = 50.0;          // leakage of one NPU core
    // A byte in or out of the shared L2's data array (a request served, a line filled or written
    // back): a 64-bit read of a 1 MB array costs 100 pJ -> 12.5 pJ/byte (Horowitz); writes taken
    // equal. Priced only in runs with an L2 (l2.size > 0).
    double l2_pj_per_byte = 12.5;
    // Requantizing one accumulator element of an integer layer in the post-processing unit:
    // fixed_point: a 32x32-bit multiply (3.1) + the rounding add and shift (0.1) + the zero point
    // add and clamp (0.1); float32: an fp32 multiply (3.7) + int32->fp32 and fp32->int32
    // conversions (taken as one 32-bit add each, 0.1 + 0.1) + the zero point add and clamp (0.1).
    double requant_fixed_point_pj = 3.3;
    double requant_float32_pj = 4.0;
    [[nodiscard]] double mac_pj(Precision p) const {
        switch (p) {
            case Precision::kInt4:
                return mac_int4_pj;
            case Precision::kBf16:
                return mac_bf16_pj;
            case Precision::kFp16:
                return mac_fp16_pj;
            case Precision::kFp32:
                return mac_fp32_pj;
            default:
                return mac_int8_pj;
        }
    }
};

// Silicon area, for comparisons at equal area (0 everywhere: no estimate). Defaults: Horowitz,
// ISSCC 2014, 45 nm: 8-bit multiply 282 um2, 32-bit add 137, fp16 multiply 1640, fp32 multiply
// 7700, fp32 add 4184; a PE is one multiplier plus its accumulator adder. SRAM: an estimate of
// ~0.6 um2 per bit with periphery at 45 nm (not from the reference; set your own). A lane of the
// post-processing unit: fixed_point a 32-bit multiplier (3495) + a 32-bit adder (137); float32 an
// fp32 multiplier (7700) + a 32-bit adder for the zero point (137) + conversions taken as one
// more adder (137).
struct AreaTable {
    // One PE (multiplier + accumulator adder) per precision (index: npu::Precision), um^2.
    std::array<double, kPrecisionCount> pe_um2{419.0, 278.0, 5824.0, 5824.0, 11884.0};
    double sram_um2_per_byte = 5.0;
    double ppu_lane_um2_fixed_point = 3632.0;
    double ppu_lane_um2_float32 = 7974.0;
};

// Where a key's value was written (1-based; line 0: no line, e.g. a --set override).
struct KeySource {
    std::string file;
    int line = 0;
    int col = 0;
};

struct HwConfig {
    std::string name = "edge_npu";
    double clock_hz = 1e9;
    // The precision layers run at unless the workload says otherwise (`precision:` on a layer).
    Precision precision = Precision::kInt8;
    // NPU cores, each its own controller, engines, scratchpad, accumulators and array (all as
    // configured below), sharing the one DRAM through an arbiter (models/platform/soc.h).
    int cores = 1;
    // Cycles a cross-core signal takes (cores > 1): from the last core's arrival at the barrier
    // to every core's release (models/platform/core_barrier.h), from a SIGNAL to the WAIT it
    // releases (stage_tokens.h).
    int sync_cycles = 0;
    ArrayConfig array;
    SramConfig scratchpad{256 * 1024, 4, 16, 1};
    SramConfig accumulator{64 * 1024, 2, 64, 1};
    DmaConfig dma;
    DramConfig dram;
    L2Config l2;
    PostprocConfig postproc;
    ControllerConfig controller;
    CompilerConfig compiler;
    EnergyTable energy;
    AreaTable area;

    // Provenance, not keys (ignored by comparisons and the dump): the file the config was loaded
    // from ("" for the built-in default) and where each key given in it or by --set was written,
    // so that a later stage (the compiler) can blame the key a user would have to change.
    std::string source_file;
    std::map<std::string, KeySource> key_sources;
    // Where `key` was written, or the config file (line 0) when it took its default there, or
    // "built-in default config" when there is no file.
    [[nodiscard]] KeySource source_of(const std::string& key) const {
        if (auto it = key_sources.find(key); it != key_sources.end()) return it->second;
        return KeySource{source_file.empty() ? "built-in default config" : source_file, 0, 0};
    }

    // Derived quantities (not keys).
    // Peak DRAM bytes per NPU cycle: dram.bandwidth for the simple model, the device's data rate
    // x bus width x channels for the banked one (dram.bandwidth is not used there).
    [[nodiscard]] double dram_bytes_per_cycle() const {
        const double bytes_per_s =
            dram.model == DramModel::kBanked ? dram.peak_bytes_per_s() : dram.bandwidth_bytes_per_s;
        return bytes_per_s / clock_hz;
    }
    [[nodiscard]] uint64_t peak_macs_per_cycle() const {
        return static_cast<uint64_t>(array.rows) * static_cast<uint64_t>(array.cols);
    }
    // Peak MACs per cycle at precision p (0 when the array does not run it).
    [[nodiscard]] double peak_macs_per_cycle(Precision p) const {
        const int c = array.cycles_for(p);
        return c > 0 ? static_cast<double>(peak_macs_per_cycle()) / c : 0.0;
    }
    // Estimated area in mm^2 of an array of PEs built for precision p, the scratchpad and
    // accumulator SRAM and the post-processing unit's lanes in its postproc.requant arithmetic,
    // once per core (0 when the area table is all zero).
    [[nodiscard]] double area_mm2(Precision p) const {
        const double pe = area.pe_um2[static_cast<size_t>(p)];
        const double sram = area.sram_um2_per_byte *
                            static_cast<double>(scratchpad.size_bytes + accumulator.size_bytes);
        const double lane = postproc.requant == RequantMode::kFloat32
                                ? area.ppu_lane_um2_float32
                                : area.ppu_lane_um2_fixed_point;
        return (pe * static_cast<double>(peak_macs_per_cycle()) + sram +
                lane * static_cast<double>(postproc.lanes)) *
               static_cast<double>(cores) * 1e-6;
    }
};

}  // namespace npu::cfg

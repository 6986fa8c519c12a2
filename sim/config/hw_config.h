// The hardware configuration: plain data, no YAML. Loading, validation, --set overrides, the
// effective-config dump and the schema all come from one field table in config_schema.cc, so a key
// is declared once (path, type, default, unit, meaning). Defaults below are the bundled edge NPU
// (configs/edge_npu.yaml); keep the two equal.
#pragma once

#include <cstdint>
#include <string>

#include "sim/core/types.h"

namespace npu::cfg {

using npu::Dataflow;    // "ws" | "os"
using npu::Pipelining;  // "none" | "overlap"
using npu::Rounding;    // "half_even" | "tflite" | "half_up"

struct ArrayConfig {
    int rows = 16;  // PE rows: the reduction (K) dimension for ws, output rows (M) for os
    int cols = 16;  // PE columns: output channels (N)
    Dataflow dataflow = Dataflow::kWeightStationary;
    // The array runs both dataflows (Gemmini's can): the compiler picks one per layer, and
    // `dataflow` breaks ties. Written `array.dataflow: both`.
    bool both_dataflows = false;
    Pipelining pipelining = Pipelining::kOverlap;
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

struct DramConfig {
    double bandwidth_bytes_per_s = 16e9;  // total over all channels
    int latency_cycles = 100;             // NPU cycles from a burst's start to its data
    int channels = 1;
    uint64_t size_bytes = 1ull << 30;  // address space the compiler may use
};

struct PostprocConfig {
    int lanes = 16;           // accumulator elements requantized per cycle
    int pipeline_cycles = 4;  // latency of the requantization pipeline
    Rounding rounding = Rounding::kHalfEven;
};

struct ControllerConfig {
    int queue_depth = 8;      // instruction FIFO depth of each engine (load, compute, store)
    int dispatch_cycles = 1;  // cycles to decode and dispatch one instruction
};

// Energy per action. Defaults: Horowitz, ISSCC 2014, 45 nm 0.9 V (see configs/energy/*.yaml).
struct EnergyTable {
    std::string name = "horowitz45";
    double mac_int8_pj = 0.3;            // 8-bit multiply (0.2) + 32-bit add (0.1)
    double spad_read_pj_per_byte = 2.5;  // 64-bit read of a 32 KB array: 20 pJ
    double spad_write_pj_per_byte = 2.5;
    double acc_read_pj_per_byte = 1.25;  // 64-bit read of an 8 KB array: 10 pJ
    double acc_write_pj_per_byte = 1.25;
    double dram_pj_per_byte = 160.0;  // DDR4 ~20 pJ/bit
    double static_mw = 50.0;          // leakage of the whole NPU
};

struct HwConfig {
    std::string name = "edge_npu";
    double clock_hz = 1e9;
    ArrayConfig array;
    SramConfig scratchpad{256 * 1024, 4, 16, 1};
    SramConfig accumulator{64 * 1024, 2, 64, 1};
    DmaConfig dma;
    DramConfig dram;
    PostprocConfig postproc;
    ControllerConfig controller;
    EnergyTable energy;

    // Derived quantities (not keys).
    [[nodiscard]] double dram_bytes_per_cycle() const {
        return dram.bandwidth_bytes_per_s / clock_hz;
    }
    [[nodiscard]] uint64_t peak_macs_per_cycle() const {
        return static_cast<uint64_t>(array.rows) * static_cast<uint64_t>(array.cols);
    }
};

}  // namespace npu::cfg

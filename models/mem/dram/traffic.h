// Synthetic request streams for the banked DRAM: the micro-benchmark (build/dram_bench) and the
// comparison with a published DRAM simulator result (docs/dram.md) drive the model through here,
// the way a trace-driven DRAM simulator is fed: requests enter as fast as the controller takes
// them, at most `in_flight` outstanding.
#pragma once

#include <cstdint>

#include "models/mem/dram/dram_types.h"
#include "sim/config/dram_config.h"

namespace npu::dram {

enum class Pattern {
    kStreaming,  // consecutive bursts from address 0
    kRandom,     // uniformly random bursts over the capacity (up to 16 GiB)
};

struct TrafficResult {
    uint64_t requests = 0;
    uint64_t cycles = 0;    // memory cycles until the last completion
    uint64_t advances = 0;  // advance() calls (events an adapter would wake up for)
    ChannelStats stats;     // summed over channels
    double host_seconds = 0;
};

// `requests` requests of one burst each; every `write_every`-th is a write (0: none).
[[nodiscard]] TrafficResult run_traffic(const cfg::DramConfig& config, Pattern pattern,
                                        uint64_t requests, uint64_t write_every, uint64_t in_flight,
                                        uint64_t seed = 1);

// The configuration of Ramulator's comparison of five DRAM simulators (Y. Kim, W. Yang,
// O. Mutlu, "Ramulator: A Fast and Extensible DRAM Simulator", IEEE CAL 2015, Table 3 and
// footnote 5): DDR3-1600K (11-11-11), one rank of eight 2Gb x8 devices (2 GiB), 800 MHz,
// row-interleaved mapping (RoBaRaCoCh), FR-FCFS, open row, 32 + 32 request buffers
// (Ramulator's defaults: write drain from 80% to 20% of the write buffer), refresh every 7.8 us.
[[nodiscard]] cfg::DramConfig ramulator_ddr3_1600_config();

}  // namespace npu::dram

#include "sim/stats/stats.h"

#include <utility>
#include <vector>

#include "sim/stats/trace.h"

namespace npu::stats {

Counters& Counters::operator+=(const Counters& o) {
    instructions += o.instructions;
    macs += o.macs;
    macs_int4 += o.macs_int4;
    macs_bf16 += o.macs_bf16;
    macs_fp16 += o.macs_fp16;
    macs_fp32 += o.macs_fp32;
    array_busy_cycles += o.array_busy_cycles;
    tiles += o.tiles;
    dram_read_bytes += o.dram_read_bytes;
    dram_write_bytes += o.dram_write_bytes;
    dram_bursts += o.dram_bursts;
    dma_descriptors += o.dma_descriptors;
    spad_read_bytes += o.spad_read_bytes;
    spad_write_bytes += o.spad_write_bytes;
    acc_read_bytes += o.acc_read_bytes;
    acc_write_bytes += o.acc_write_bytes;
    spad_bank_conflicts += o.spad_bank_conflicts;
    spad_bank_conflict_cycles += o.spad_bank_conflict_cycles;
    acc_bank_conflicts += o.acc_bank_conflicts;
    acc_bank_conflict_cycles += o.acc_bank_conflict_cycles;
    postproc_elements += o.postproc_elements;
    requant_fixed_point_elements += o.requant_fixed_point_elements;
    requant_float32_elements += o.requant_float32_elements;
    compute_wait_load_cycles += o.compute_wait_load_cycles;
    compute_wait_store_cycles += o.compute_wait_store_cycles;
    load_wait_compute_cycles += o.load_wait_compute_cycles;
    store_wait_compute_cycles += o.store_wait_compute_cycles;
    dispatch_queue_full_cycles += o.dispatch_queue_full_cycles;
    return *this;
}

}  // namespace npu::stats

namespace npu::stats {

Trace merge_traces(std::vector<Trace>&& cores) {
    if (cores.size() == 1) return std::move(cores[0]);
    Trace out;
    out.cores = static_cast<int>(cores.size());
    for (size_t c = 0; c < cores.size(); ++c) {
        const auto offset = static_cast<uint32_t>(out.instrs.size());
        for (TraceEvent ev : cores[c].events) {
            ev.core = static_cast<uint32_t>(c);
            ev.instr += offset;
            out.events.push_back(ev);
        }
        for (TraceInstr& in : cores[c].instrs) out.instrs.push_back(std::move(in));
    }
    return out;
}

}  // namespace npu::stats

#include "sim/compiler/partition.h"

#include <algorithm>
#include <stdexcept>
#include <string>
#include <utility>

namespace npu::compiler {

std::vector<CoreShare> split_batch(int32_t batch, int cores) {
    if (cores < 1 || batch < 1) {
        throw std::invalid_argument("split_batch: " + std::to_string(batch) + " images over " +
                                    std::to_string(cores) + " cores");
    }
    std::vector<CoreShare> out(static_cast<size_t>(cores));
    const int32_t each = batch / cores, extra = batch % cores;
    int32_t next = 0;
    for (int c = 0; c < cores; ++c) {
        out[size_t(c)].first_image = next;
        out[size_t(c)].images = each + (c < extra ? 1 : 0);
        next += out[size_t(c)].images;
    }
    return out;
}

Partitioned compile_cores(const graph::Workload& wl, const cfg::HwConfig& hw,
                          const CompileOptions& options) {
    Partitioned out;
    if (hw.cores <= 1) {
        out.shares.push_back(CoreShare{0, wl.batch});
        out.programs.push_back(compile(wl, hw, options));
        return out;
    }
    out.shares = split_batch(wl.batch, hw.cores);
    uint64_t dram_next = options.dram_base;
    for (size_t c = 0; c < out.shares.size(); ++c) {
        const CoreShare& share = out.shares[c];
        CompileOptions o = options;
        o.onchip_base = options.onchip_base + uint64_t(c) * kCoreWindowStride;
        if (share.images == 0) {
            // Idle: the run's layer table (core 0 is never idle), no instructions, no DRAM.
            isa::Program idle;
            idle.layers = out.programs.at(0).layers;
            idle.dram_base = dram_next;
            idle.onchip_base = o.onchip_base;
            out.programs.push_back(std::move(idle));
            continue;
        }
        o.dram_base = dram_next;
        o.dram_size =
            options.dram_size > 0
                ? options.dram_size - std::min(options.dram_size, dram_next - options.dram_base)
                : 0;
        const graph::Workload part =
            share.images == wl.batch ? wl : graph::images_of(wl, share.first_image, share.images);
        out.programs.push_back(compile(part, hw, o));
        const isa::Program& p = out.programs.back();
        dram_next = (p.dram_base + p.dram_bytes_used + kCoreDramAlign - 1) / kCoreDramAlign *
                    kCoreDramAlign;
    }
    return out;
}

}  // namespace npu::compiler

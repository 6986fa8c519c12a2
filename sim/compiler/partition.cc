#include "sim/compiler/partition.h"

#include <algorithm>
#include <limits>
#include <stdexcept>
#include <string>
#include <utility>

#include "sim/compiler/tiling.h"
#include "sim/core/error.h"

namespace npu::compiler {

std::vector<CoreShare> split_batch(int32_t batch, int cores) {
    if (cores < 1 || batch < 1) {
        throw std::invalid_argument("split_batch: " + std::to_string(batch) + " images over " +
                                    std::to_string(cores) + " cores");
    }
    std::vector<CoreShare> out;
    for (const Share& s : split_evenly(batch, cores)) {
        out.push_back(CoreShare{static_cast<int32_t>(s.first), static_cast<int32_t>(s.count)});
    }
    return out;
}

namespace {

// What the channel and spatial partitions cannot run with: every problem at once
// (npu::UserError).
void check_split(const graph::Workload& wl, const cfg::HwConfig& hw, Partition partition) {
    DiagnosticList problems;
    const cfg::KeySource where = hw.source_of("compiler.partition");
    const std::string name = to_string(partition);
    const std::string why = partition == Partition::kPipeline
                                ? "hands every tensor from core to core through DRAM"
                                : "splits each layer over the cores, which keep no tensor on chip";
    const auto refuse = [&](const std::string& setting) {
        problems.add(Diagnostic{
            where.file, where.line, where.col, "compiler.partition",
            "expected batch with " + setting + " (" + name + " " + why + "), found " + name});
    };
    if (hw.compiler.fusion != Fusion::kNone) {
        refuse("compiler.fusion " + std::string(to_string(hw.compiler.fusion)));
    }
    // Pipeline hands tensors on through DRAM with no prefetch slot planned across its stages;
    // channel and spatial prefetch each core's share of the next layer's first weights (constants
    // in DRAM) before the barrier, but keep the barrier: `full` drops it, and the next layer reads
    // the other cores' outputs, which no core's dependency table sees.
    if (partition == Partition::kPipeline && hw.compiler.overlap != LayerOverlap::kNone) {
        refuse("compiler.overlap " + std::string(to_string(hw.compiler.overlap)));
    } else if (hw.compiler.overlap == LayerOverlap::kFull) {
        problems.add(Diagnostic{
            where.file, where.line, where.col, "compiler.partition",
            "expected batch with compiler.overlap full (full drops the barrier between layers, "
            "but each layer of a " +
                name +
                " split reads the other cores' outputs of the layers before it, which no core's "
                "dependency table sees; compiler.overlap prefetch keeps the barrier), found " +
                name});
    }
    for (size_t li = 0; li < wl.layers.size(); ++li) {
        const graph::Layer& l = wl.layers[li];
        if (l.pin_fuse != true) continue;
        problems.add(Diagnostic{wl.source_file, l.source_line, l.source_col,
                                "layers[" + std::to_string(li) + "].fuse",
                                "expected no fusion pin with compiler.partition " + name +
                                    (partition == Partition::kPipeline
                                         ? " (" + name + " " + why + ")"
                                         : std::string(" (each layer is split over the cores, "
                                                       "which keep no tensor on chip)")) +
                                    ", found fuse: true on layer '" + l.name + "'"});
    }
    problems.throw_if_any();
}

// Channel and spatial: one memory plan, each core its share of every layer (see partition.h).
// `partition`: the run's (kAuto: `layers` chosen per layer); `layers`: each layer's split.
Partitioned compile_split(const graph::Workload& wl, const cfg::HwConfig& hw,
                          const CompileOptions& options, Partition partition,
                          std::vector<Partition> layers) {
    if (partition != Partition::kAuto) check_split(wl, hw, partition);
    Partitioned out;
    out.partition = partition;
    out.layers = std::move(layers);
    for (int c = 0; c < hw.cores; ++c) {
        CompileOptions o = options;
        o.core = c;
        o.cores = hw.cores;
        o.layer_partitions = out.layers;
        o.onchip_activations = false;
        o.onchip_base = options.onchip_base + uint64_t(c) * kCoreWindowStride;
        // One DRAM image: core 0's program holds it.
        o.with_data = options.with_data && c == 0;
        out.shares.push_back(CoreShare{0, wl.batch});
        out.programs.push_back(compile(wl, hw, o));
        isa::Program& p = out.programs.back();
        p.core_barrier = true;
        const isa::Program& first = out.programs.front();
        if (p.dram_base != first.dram_base || p.dram_bytes_used != first.dram_bytes_used) {
            throw std::logic_error("compile_cores: core " + std::to_string(c) +
                                   "'s DRAM layout differs from core 0's");
        }
    }
    return out;
}

// compiler.partition auto may split the layers (rather than the batch) when the batch does not
// give every core the same number of images and the splits can run (no fusion, no overlap full,
// no `fuse: true` pin; prefetch can).
bool auto_may_split(const graph::Workload& wl, const cfg::HwConfig& hw) {
    return wl.batch % hw.cores != 0 && hw.compiler.fusion == Fusion::kNone &&
           hw.compiler.overlap != LayerOverlap::kFull &&
           std::none_of(wl.layers.begin(), wl.layers.end(),
                        [](const graph::Layer& l) { return l.pin_fuse == true; });
}

// Layers' `partition:` pins: only in a channel or spatial run on several cores (every problem at
// once, npu::UserError).
void check_partition_pins(const graph::Workload& wl, const cfg::HwConfig& hw) {
    const bool split = hw.cores > 1 && (hw.compiler.partition == Partition::kChannel ||
                                        hw.compiler.partition == Partition::kSpatial);
    if (split) return;
    const std::string run =
        hw.cores <= 1 ? std::string("cores 1")
                      : "compiler.partition " + std::string(to_string(hw.compiler.partition));
    DiagnosticList problems;
    for (size_t li = 0; li < wl.layers.size(); ++li) {
        const graph::Layer& l = wl.layers[li];
        if (!l.pin_partition) continue;
        problems.add(Diagnostic{wl.source_file, l.source_line, l.source_col,
                                "layers[" + std::to_string(li) + "].partition",
                                "expected no partition pin with " + run +
                                    " (a pin chooses channel or spatial for one layer of a "
                                    "channel or spatial run on several cores), found partition: " +
                                    to_string(*l.pin_partition) + " on layer '" + l.name + "'"});
    }
    problems.throw_if_any();
}

}  // namespace

std::string share_text(const Partitioned& parts) {
    if (parts.partition == Partition::kPipeline) return "its stage of the layers for every image";
    if (parts.layers.empty()) return "";
    const auto what = [](Partition p) {
        return p == Partition::kChannel ? std::string("channels") : std::string("rows");
    };
    const auto count = [&](Partition p) {
        return static_cast<size_t>(std::count(parts.layers.begin(), parts.layers.end(), p));
    };
    const auto layers = [](size_t n) { return n == 1 ? " layer" : " layers"; };
    if (parts.partition == Partition::kAuto) {
        const size_t channel = count(Partition::kChannel), spatial = count(Partition::kSpatial);
        const std::string chosen = " (chosen per layer by compiler.partition auto)";
        if (channel == 0 || spatial == 0) {
            return "its " + what(channel == 0 ? Partition::kSpatial : Partition::kChannel) +
                   " of every layer" + chosen;
        }
        return "its channels of " + std::to_string(channel) + layers(channel) +
               " and its rows of " + std::to_string(spatial) + layers(spatial) + chosen;
    }
    const Partition other =
        parts.partition == Partition::kChannel ? Partition::kSpatial : Partition::kChannel;
    const size_t pinned = count(other);
    std::string text = "its " + what(parts.partition) + " of every layer";
    if (pinned == 0) return text;
    return text + " (its " + what(other) + " of the " + std::to_string(pinned) + layers(pinned) +
           " pinned " + to_string(other) + ")";
}

Partitioned compile_cores(const graph::Workload& wl, const cfg::HwConfig& hw,
                          const CompileOptions& options) {
    check_partition_pins(wl, hw);
    Partitioned out;
    if (hw.cores <= 1) {
        out.shares.push_back(CoreShare{0, wl.batch});
        out.programs.push_back(compile(wl, hw, options));
        return out;
    }
    if (hw.compiler.partition == Partition::kChannel ||
        hw.compiler.partition == Partition::kSpatial) {
        std::vector<Partition> layers;
        for (const graph::Layer& l : wl.layers) {
            layers.push_back(l.pin_partition.value_or(hw.compiler.partition));
        }
        return compile_split(wl, hw, options, hw.compiler.partition, std::move(layers));
    }
    if (hw.compiler.partition == Partition::kAuto && auto_may_split(wl, hw)) {
        LayerSplit split = choose_layer_partitions(wl, hw);
        if (split.split_cycles < split.one_core_cycles) {
            return compile_split(wl, hw, options, Partition::kAuto, std::move(split.layers));
        }
    }
    if (hw.compiler.partition == Partition::kPipeline) {
        check_split(wl, hw, Partition::kPipeline);
        return compile_pipeline(wl, hw, options);
    }
    // Auto keeps busy as many cores as its estimate prefers (choose_batch_cores()), the rest idle.
    const int busy =
        hw.compiler.partition == Partition::kAuto ? choose_batch_cores(wl, hw) : hw.cores;
    out.shares = split_batch(wl.batch, busy);
    while (out.shares.size() < static_cast<size_t>(hw.cores)) {
        out.shares.push_back(CoreShare{wl.batch, 0});
    }
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
        // Each core's range is checked against the DRAM below, for all the cores at once.
        o.dram_size = std::numeric_limits<uint64_t>::max() / 2;
        const graph::Workload part =
            share.images == wl.batch ? wl : graph::images_of(wl, share.first_image, share.images);
        out.programs.push_back(compile(part, hw, o));
        const isa::Program& p = out.programs.back();
        dram_next = (p.dram_base + p.dram_bytes_used + kCoreDramAlign - 1) / kCoreDramAlign *
                    kCoreDramAlign;
    }
    const uint64_t limit =
        options.dram_size > 0 ? options.dram_base + options.dram_size : hw.dram.size_bytes;
    std::string each;
    for (size_t c = 0; c < out.programs.size(); ++c) {
        isa::Program& p = out.programs[c];
        p.dram_size = p.dram_bytes_used;
        if (out.shares[c].images == 0) continue;
        each += (each.empty() ? "" : ", ") + std::to_string(p.dram_bytes_used);
    }
    if (dram_next > limit) {
        const cfg::KeySource where = hw.source_of("dram.size");
        throw UserError(Diagnostic{
            where.file, where.line, where.col, "dram.size",
            "expected at least the " + std::to_string(dram_next - options.dram_base) +
                " B of DRAM that workload '" + wl.name + "' needs on " + std::to_string(hw.cores) +
                " cores (each busy core its own weights, inputs and " + "tensors: " + each +
                " B, 4 KiB aligned), found " +
                std::to_string(limit - std::min(limit, options.dram_base)) + " B"});
    }
    return out;
}

}  // namespace npu::compiler

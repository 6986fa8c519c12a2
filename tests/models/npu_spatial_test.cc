// The spatial partition (`compiler.partition: spatial`, sim/compiler/partition.h): every layer's
// output rows split over the cores, which meet at the cross-core barrier after every layer. The
// split (every layer kind split, uneven shares, layers with fewer rows than cores, the MACs of
// each core those of its rows and adding up to the layer's, a core's rows spanning two images);
// small networks at 2 and 3 cores bit-exact against the reference and byte for byte the one-core
// run; PE-level arrays equal to the fast ones; the settings spatial cannot run with refused with
// the exact message. NPUSIM_SPATIAL_SWEEP=long (ctest multicore_spatial_long) adds the bundled
// chips at 4 cores on BERT and ResNet-50.
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <string>
#include <utility>
#include <vector>

#include "sim/compiler/partition.h"
#include "sim/core/error.h"
#include "sim/graph/workload_loader.h"
#include "sim/report/figures.h"
#include "sim/run/simulation.h"
#include "tests/models/bundled.h"
#include "tests/models/multicore_checks.h"

namespace npu {
namespace {

using test_support::bundled;

cfg::HwConfig spatial_hw(int cores, std::vector<std::string> more = {}) {
    more.push_back("compiler.partition=spatial");
    return test_support::with_cores(cores, std::move(more));
}

// Per layer and core: the instructions other than SYNC.
std::vector<std::vector<uint64_t>> instructions(const compiler::Partitioned& parts) {
    std::vector<std::vector<uint64_t>> out(parts.programs.at(0).layers.size(),
                                           std::vector<uint64_t>(parts.programs.size(), 0));
    for (size_t c = 0; c < parts.programs.size(); ++c) {
        for (const isa::Instr& in : parts.programs[c].instrs) {
            if (in.op != isa::Opcode::kSync) ++out.at(in.layer)[c];
        }
    }
    return out;
}

// tiny_resnet (16x16 input) over 3 cores: every core's program shares one DRAM range and has the
// barrier; each conv's and depthwise's MACs are those of its output rows split 3 ways as evenly
// as they go (stem: 16 rows, 6 + 5 + 5; b1_conv1: 8 rows, 3 + 3 + 2; b2_*: 4 rows, 2 + 1 + 1),
// adding up to the one-core program's; the pooling, add and global-pooling layers are split too
// (every core has instructions in pool and b1_add); the global pooling (one output row) and the
// fully connected layer (one row) run on core 0 only.
TEST(SpatialPartition, SplitsEveryLayersRows) {
    const graph::Workload wl = bundled("tiny_resnet");
    compiler::CompileOptions o;
    o.with_data = false;
    const compiler::Partitioned one = compiler::compile_cores(wl, spatial_hw(1), o);
    const compiler::Partitioned three = compiler::compile_cores(wl, spatial_hw(3), o);
    ASSERT_EQ(three.partition, Partition::kSpatial);
    ASSERT_EQ(three.programs.size(), 3u);
    const isa::Program& whole = one.programs.at(0);
    const std::vector<std::vector<uint64_t>> instrs = instructions(three);
    for (size_t c = 0; c < 3; ++c) {
        const isa::Program& p = three.programs[c];
        EXPECT_TRUE(p.core_barrier);
        EXPECT_EQ(p.dram_base, three.programs[0].dram_base);
        EXPECT_EQ(p.dram_bytes_used, three.programs[0].dram_bytes_used);
        EXPECT_EQ(p.onchip_base, isa::kOnChipBase + c * compiler::kCoreWindowStride);
        EXPECT_EQ(p.counts().syncs, whole.layers.size());  // every layer closed by its barrier
    }
    const auto layer = [&](const std::string& name) {
        for (size_t i = 0; i < wl.layers.size(); ++i) {
            if (wl.layers[i].name == name) return i;
        }
        ADD_FAILURE() << "no layer " << name;
        return size_t{0};
    };
    const auto expect_rows = [&](const std::string& name, std::vector<uint64_t> rows) {
        const size_t i = layer(name);
        const uint64_t out_h = rows[0] + rows[1] + rows[2];
        for (size_t c = 0; c < 3; ++c) {
            EXPECT_EQ(three.programs[c].layers[i].macs, whole.layers[i].macs / out_h * rows[c])
                << name << " core " << c;
        }
    };
    expect_rows("stem", {6, 5, 5});
    expect_rows("b1_conv1", {3, 3, 2});
    expect_rows("b2_conv1", {2, 1, 1});
    expect_rows("b2_dw", {2, 1, 1});
    expect_rows("b2_downsample", {2, 1, 1});
    for (const char* split : {"pool", "b1_add", "b2_add"}) {
        for (size_t c = 0; c < 3; ++c) EXPECT_GT(instrs[layer(split)][c], 0u) << split << " " << c;
    }
    bool one_row_layer = false;
    for (size_t i = 0; i < whole.layers.size(); ++i) {
        uint64_t macs = 0;
        for (size_t c = 0; c < 3; ++c) macs += three.programs[c].layers[i].macs;
        EXPECT_EQ(macs, whole.layers[i].macs) << whole.layers[i].name;
        if (instrs[i][0] > 0 && instrs[i][1] == 0) {  // fewer rows than cores: core 0 only
            one_row_layer = true;
            EXPECT_EQ(instrs[i][2], 0u) << whole.layers[i].name;
            EXPECT_EQ(three.programs[0].layers[i].macs, whole.layers[i].macs);
        }
    }
    EXPECT_TRUE(one_row_layer);
}

// A batch of 2 over 3 cores: b1_conv1's 2 x 8 rows are 6 + 5 + 5, so core 1 runs rows 6..7 of
// image 0 and rows 0..2 of image 1; its STOREs write both images' rows.
TEST(SpatialPartition, ACoresRowsSpanTwoImages) {
    const graph::Workload wl = bundled("tiny_resnet", 2);
    compiler::CompileOptions o;
    o.with_data = false;
    const compiler::Partitioned three = compiler::compile_cores(wl, spatial_hw(3), o);
    const compiler::Partitioned one = compiler::compile_cores(wl, spatial_hw(1), o);
    size_t li = 0;
    while (wl.layers.at(li).name != "b1_conv1") ++li;
    const isa::Program& p = three.programs.at(1);
    EXPECT_EQ(p.layers[li].macs, one.programs[0].layers[li].macs / 16 * 5);
    // Output b1_conv1 is 8x8x16 int8 per image, images back to back: a pixel is 16 B, a row of
    // the stacked images 8 pixels. Each STORE row is one pixel's channels; core 1 stores rows 6
    // and 7 of image 0 and rows 0, 1, 2 of image 1 (stacked rows 6..10).
    const uint64_t base = p.layers[li].output_addr;
    std::vector<uint64_t> rows_stored;
    for (const isa::Instr& in : p.instrs) {
        if (in.layer != li || in.op != isa::Opcode::kStore) continue;
        const isa::Transfer& x = p.xfer(in);
        for (uint32_t r = 0; r < x.rows; ++r) {
            rows_stored.push_back(((x.dram_addr - base) / 16 + r) / 8);
        }
    }
    ASSERT_FALSE(rows_stored.empty());
    std::sort(rows_stored.begin(), rows_stored.end());
    rows_stored.erase(std::unique(rows_stored.begin(), rows_stored.end()), rows_stored.end());
    EXPECT_EQ(rows_stored, (std::vector<uint64_t>{6, 7, 8, 9, 10}));
}

struct SpatialCase {
    const char* workload;
    int32_t batch;
    int cores;
    const char* set;  // one more override, or ""
};

class SpatialNets : public ::testing::TestWithParam<SpatialCase> {};

// Every layer bit-exact against the reference and byte for byte the one-core run's outputs;
// the MACs are the one-core run's; every core ends every layer at the same cycle (the barrier),
// the layer's end.
TEST_P(SpatialNets, BitExactAndEqualToOneCore) {
    const SpatialCase c = GetParam();
    const graph::Workload wl = bundled(c.workload, c.batch);
    std::vector<std::string> more;
    if (*c.set != '\0') more.push_back(c.set);
    const run::RunResult one = run::simulate(spatial_hw(1, more), wl, {});
    const run::RunResult many = run::simulate(spatial_hw(c.cores, more), wl, {});
    ASSERT_EQ(many.stats.cores.size(), size_t(c.cores));
    EXPECT_EQ(many.stats.partition, "spatial");
    EXPECT_TRUE(report::check_summary(many.stats).all_checked_exact());
    EXPECT_EQ(report::check_summary(many.stats).checked, many.stats.layers.size());
    test_support::expect_layers_match_one_core(many, one);
    uint64_t macs = 0;
    for (size_t k = 0; k < many.stats.cores.size(); ++k) {
        const stats::CoreStats& cs = many.stats.cores[k];
        EXPECT_EQ(cs.first_image, 0) << "core " << k;
        EXPECT_EQ(cs.images, c.batch) << "core " << k;
        EXPECT_EQ(cs.end_cycle, many.stats.total_cycles) << "core " << k;
        macs += cs.macs;
    }
    EXPECT_EQ(macs, many.stats.total.macs);
    EXPECT_NE(many.stats.components.find_group("barrier"), nullptr);
}

INSTANTIATE_TEST_SUITE_P(
    Nets, SpatialNets,
    ::testing::Values(SpatialCase{"tiny_resnet", 1, 2, ""}, SpatialCase{"tiny_resnet", 1, 3, ""},
                      SpatialCase{"tiny_resnet", 2, 2, ""},
                      SpatialCase{"tiny_resnet", 2, 3, ""},  // rows spanning two images
                      SpatialCase{"tiny_attention", 1, 2, ""},
                      SpatialCase{"tiny_attention", 1, 3, ""},
                      SpatialCase{"tiny_attention", 2, 3, ""},
                      SpatialCase{"conv_small", 1, 3, ""},  // 19 rows: 7 + 6 + 6
                      SpatialCase{"gemm_small", 1, 2, ""},  // 37 rows: 19 + 18
                      SpatialCase{"gemm_small", 3, 2, ""},  // the batch folded into the rows
                      SpatialCase{"mobilenet_v2", 1, 3, ""},
                      SpatialCase{"tiny_resnet", 1, 3, "precision=fp16"},
                      SpatialCase{"tiny_resnet", 1, 2, "precision=int4"},
                      SpatialCase{"tiny_attention", 1, 2, "precision=fp16"},
                      SpatialCase{"tiny_resnet", 1, 2, "array.dataflow=os"},
                      SpatialCase{"tiny_resnet", 1, 2, "dram.model=banked"},
                      // Small scratchpad: many m-blocks per layer, clipped at the cores' rows.
                      SpatialCase{"tiny_resnet", 1, 3, "scratchpad.size=16384"}),
    test_support::case_name<SpatialCase>);

// Each core's array is the fast array; the PE-level arrays give the same outputs and, layer by
// layer, the same end cycles.
TEST(SpatialPartition, PeLevelArraysEqualFast) {
    const graph::Workload wl = bundled("tiny_resnet");
    run::RunOptions po;
    po.fidelity = model::Fidelity::kPe;
    const run::RunResult runs[2] = {
        run::simulate(spatial_hw(3, {"array.rows=8", "array.cols=8"}), wl, {}),
        run::simulate(spatial_hw(3, {"array.rows=8", "array.cols=8"}), wl, po)};
    test_support::expect_pe_level_equals_fast(runs[0], runs[1]);
}

// One image of a compute-bound network (conv_small): two cores each with part of the output rows
// finish sooner than one core, and never more than twice as fast.
TEST(SpatialPartition, TwoCoresRunOneImageFaster) {
    const graph::Workload wl = bundled("conv_small");
    run::RunOptions o;
    o.functional = false;
    const run::RunResult one = run::simulate(spatial_hw(1), wl, o);
    const run::RunResult two = run::simulate(spatial_hw(2), wl, o);
    EXPECT_LT(two.stats.total_cycles, one.stats.total_cycles);
    EXPECT_GE(2 * two.stats.total_cycles, one.stats.total_cycles);
}

TEST(SpatialPartition, RefusesWhatItCannotSplit) {
    const graph::Workload wl = bundled("tiny_resnet");
    EXPECT_EQ(test_support::partition_error(
                  spatial_hw(2, {"compiler.fusion=auto", "compiler.overlap=full"}), wl),
              "--set: compiler.partition: expected batch with compiler.fusion auto (spatial "
              "splits each layer over the cores, which keep no tensor on chip), found spatial\n"
              "--set: compiler.partition: expected batch with compiler.overlap full (full drops "
              "the barrier between layers, but each layer of a spatial split reads the other "
              "cores' outputs of the layers before it, which no core's dependency table sees; "
              "compiler.overlap prefetch keeps the barrier), found spatial");
    graph::Workload pinned = wl;
    pinned.layers.at(1).pin_fuse = true;
    pinned.layers.at(4).pin_fuse = true;
    const std::string where = pinned.source_file + ":";
    EXPECT_EQ(test_support::partition_error(spatial_hw(2), pinned),
              where + std::to_string(pinned.layers[1].source_line) + ":" +
                  std::to_string(pinned.layers[1].source_col) +
                  ": layers[1].fuse: expected no fusion pin with compiler.partition spatial (each "
                  "layer is split over the cores, which keep no tensor on chip), found fuse: true "
                  "on layer 'pool'\n" +
                  where + std::to_string(pinned.layers[4].source_line) + ":" +
                  std::to_string(pinned.layers[4].source_col) +
                  ": layers[4].fuse: expected no fusion pin with compiler.partition spatial (each "
                  "layer is split over the cores, which keep no tensor on chip), found fuse: true "
                  "on layer 'b1_add'");
    // One core: no split, nothing refused.
    EXPECT_EQ(test_support::partition_error(spatial_hw(1, {"compiler.fusion=auto"}), wl),
              "(no error)");
}

// tiny_resnet with `partition:` pins, as the workload file gives them (at each layer's line).
graph::Workload pinned_resnet(int32_t batch,
                              const std::vector<std::pair<std::string, Partition>>& pins) {
    graph::Workload wl = bundled("tiny_resnet", batch);
    for (const auto& [name, p] : pins) {
        bool found = false;
        for (graph::Layer& l : wl.layers) {
            if (l.name == name) {
                l.pin_partition = p;
                found = true;
            }
        }
        EXPECT_TRUE(found) << name;
    }
    return wl;
}

// Per layer and core: the MACs.
std::vector<std::vector<uint64_t>> macs_of(const compiler::Partitioned& parts) {
    std::vector<std::vector<uint64_t>> out;
    for (size_t i = 0; i < parts.programs.at(0).layers.size(); ++i) {
        out.emplace_back();
        for (const isa::Program& p : parts.programs) out.back().push_back(p.layers[i].macs);
    }
    return out;
}

// A pinned layer is split as its pin says, every other layer as compiler.partition says: per
// core, its MACs and instructions are those of the run of the pin's partition, and the rest those
// of the run's own. In a channel run, 'stem' and 'pool' pinned spatial; in a spatial run,
// 'b1_conv1' pinned channel.
TEST(PartitionPins, APinnedLayerIsSplitAsItsPinSays) {
    compiler::CompileOptions o;
    o.with_data = false;
    const graph::Workload plain = bundled("tiny_resnet");
    const cfg::HwConfig channel = test_support::with_cores(3, {"compiler.partition=channel"});
    const compiler::Partitioned by_channel = compiler::compile_cores(plain, channel, o);
    const compiler::Partitioned by_rows = compiler::compile_cores(plain, spatial_hw(3), o);
    const std::vector<std::pair<std::string, Partition>> to_rows = {{"stem", Partition::kSpatial},
                                                                    {"pool", Partition::kSpatial}};
    const graph::Workload wl = pinned_resnet(1, to_rows);
    const compiler::Partitioned mixed = compiler::compile_cores(wl, channel, o);
    const graph::Workload wl2 = pinned_resnet(1, {{"b1_conv1", Partition::kChannel}});
    const compiler::Partitioned mixed2 = compiler::compile_cores(wl2, spatial_hw(3), o);
    const auto ins = instructions(mixed), ins2 = instructions(mixed2);
    const auto ins_ch = instructions(by_channel), ins_sp = instructions(by_rows);
    for (size_t i = 0; i < wl.layers.size(); ++i) {
        const std::string& name = wl.layers[i].name;
        const bool rows = name == "stem" || name == "pool";
        EXPECT_EQ(macs_of(mixed)[i], macs_of(rows ? by_rows : by_channel)[i]) << name;
        EXPECT_EQ(ins[i], (rows ? ins_sp : ins_ch)[i]) << name;
        const bool channels = name == "b1_conv1";
        EXPECT_EQ(macs_of(mixed2)[i], macs_of(channels ? by_channel : by_rows)[i]) << name;
        EXPECT_EQ(ins2[i], (channels ? ins_ch : ins_sp)[i]) << name;
    }
    // The pins change the split: pool runs on every core in mixed, on core 0 only by channel.
    size_t pool = 1;
    ASSERT_EQ(wl.layers[pool].name, "pool");
    EXPECT_GT(ins[pool][2], 0u);
    EXPECT_EQ(ins_ch[pool][2], 0u);
}

// Runs with pins: bit-exact and byte for byte the one-core run (of the workload without pins).
TEST(PartitionPins, PinnedRunsAreBitExact) {
    const run::RunResult one = run::simulate(spatial_hw(1), bundled("tiny_resnet", 2), {});
    const std::vector<std::pair<std::string, Partition>> to_rows = {
        {"stem", Partition::kSpatial},
        {"pool", Partition::kSpatial},
        {"b1_add", Partition::kSpatial}};
    const run::RunResult a = run::simulate(
        test_support::with_cores(3, {"compiler.partition=channel"}), pinned_resnet(2, to_rows), {});
    EXPECT_EQ(a.stats.partition, "channel");
    test_support::expect_layers_match_one_core(a, one);
    const run::RunResult b = run::simulate(
        spatial_hw(2),
        pinned_resnet(2, {{"b1_conv1", Partition::kChannel}, {"b2_conv1", Partition::kChannel}}),
        {});
    EXPECT_EQ(b.stats.partition, "spatial");
    test_support::expect_layers_match_one_core(b, one);
}

// Pins only in a channel or spatial run on several cores: each pinned layer named at its line.
TEST(PartitionPins, RefusedOutsideChannelOrSpatialRuns) {
    const graph::Workload wl =
        pinned_resnet(1, {{"stem", Partition::kSpatial}, {"b1_conv1", Partition::kChannel}});
    const std::string at0 = wl.source_file + ":" + std::to_string(wl.layers[0].source_line) + ":" +
                            std::to_string(wl.layers[0].source_col);
    const std::string at2 = wl.source_file + ":" + std::to_string(wl.layers[2].source_line) + ":" +
                            std::to_string(wl.layers[2].source_col);
    const auto message = [&](const std::string& run) {
        return at0 + ": layers[0].partition: expected no partition pin with " + run +
               " (a pin chooses channel or spatial for one layer of a channel or spatial run on "
               "several cores), found partition: spatial on layer 'stem'\n" +
               at2 + ": layers[2].partition: expected no partition pin with " + run +
               " (a pin chooses channel or spatial for one layer of a channel or spatial run on "
               "several cores), found partition: channel on layer 'b1_conv1'";
    };
    EXPECT_EQ(test_support::partition_error(
                  test_support::with_cores(2, {"compiler.partition=batch"}), wl),
              message("compiler.partition batch"));
    EXPECT_EQ(test_support::partition_error(test_support::with_cores(2), wl),
              message("compiler.partition auto"));
    EXPECT_EQ(test_support::partition_error(spatial_hw(1), wl), message("cores 1"));
}

// The loader reads `partition:` on any layer; any other value is refused at its position.
TEST(PartitionPins, LoaderReadsThePin) {
    const std::string head = "input: {shape: [4, 4, 8], scale: 0.1, zero_point: 0}\nlayers:\n";
    const graph::Workload wl = graph::load_workload_from_string(
        head +
            "  - {name: c, op: conv2d, out_channels: 8, kernel: 1, weight_scale: 0.01, partition: "
            "spatial}\n"
            "  - {name: p, op: maxpool, kernel: 2, stride: 2, partition: channel}\n"
            "  - {name: q, op: maxpool, kernel: 1}\n",
        "w.yaml");
    ASSERT_EQ(wl.layers.size(), 3u);
    EXPECT_EQ(wl.layers[0].pin_partition, Partition::kSpatial);
    EXPECT_EQ(wl.layers[1].pin_partition, Partition::kChannel);
    EXPECT_EQ(wl.layers[2].pin_partition, std::nullopt);
    try {
        (void)graph::load_workload_from_string(
            head +
                "  - {name: c, op: conv2d, out_channels: 8, kernel: 1, weight_scale: 0.01, "
                "partition: rows}\n",
            "w.yaml");
        ADD_FAILURE() << "no error";
    } catch (const UserError& e) {
        EXPECT_EQ(std::string(e.what()),
                  "w.yaml:3:86: layers[0].partition: expected channel or spatial, found 'rows'");
    }
}

// The bundled chips at 4 cores; BERT and ResNet-50 (with data) only with
// NPUSIM_SPATIAL_SWEEP=long (ctest multicore_spatial_long, label long).
TEST(SpatialPartition, BundledChipsBitExact) {
    test_support::expect_bundled_chips_bit_exact("NPUSIM_SPATIAL_SWEEP", "spatial");
}

}  // namespace
}  // namespace npu

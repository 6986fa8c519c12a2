// Batch (Workload::batch) through the compiler's passes and the data around them: lowering
// (activation regions hold every image, weights are shared; which layers fold the batch into
// their rows), the search (the n-blocks-outermost twin of every one-k-chunk candidate, and which
// one wins), emission (weights loaded once per n-block for every image; each image's offsets),
// the closed-form estimate against the emitted program, the images a batch draws, the
// reference's per-image outputs, `batch:` and `--batch` errors, --input with N images, and the
// per-inference figures of stats.json.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "sim/cli/options.h"
#include "sim/compiler/emit.h"
#include "sim/compiler/estimate.h"
#include "sim/compiler/lower.h"
#include "sim/compiler/search.h"
#include "sim/core/npy.h"
#include "sim/frontend/tensor_io.h"
#include "sim/graph/workload_loader.h"
#include "sim/quant/float_ref.h"
#include "sim/quant/prepare.h"
#include "sim/ref/reference.h"
#include "sim/report/stats_json.h"
#include "tests/unit/compiler_test_util.h"

namespace npu::compiler {
namespace {

using isa::Opcode;
using test::small_hw;

graph::Workload batched(const std::string& yaml, int32_t batch) {
    graph::Workload wl = test::workload(yaml);
    quant::set_batch(wl, batch);
    return wl;
}

// A 3x3 convolution (its rows read their neighbours: run image by image) on the small NPU (8x8
// array): K = 3 * 3 * 8 = 72 fits one k-chunk, N = 16 is 2 n-blocks of 8, the 4 output rows one
// m-block. One image's input is 4 * 4 * 8 = 128 B, its output 4 * 4 * 16 = 256 B.
const char* const kConv = R"(
input: {shape: [4, 4, 8], scale: 0.05}
layers:
  - {name: c, op: conv2d, out_channels: 16, kernel: 3, padding: 1, weight_scale: 0.01,
     output: {scale: 1.0}}
)";

// 4x32 x 32x32: a gemm folds the batch into its rows.
const char* const kGemm = R"(
input: {shape: [4, 32], scale: 0.05}
layers:
  - {name: g, op: gemm, n: 32, weight_scale: 0.01, output: {scale: 1.0}}
)";

TEST(CompilerBatch, LoweringSharesWeightsAndFoldsRowIndependentLayers) {
    const graph::Workload wl = batched(R"(
input: {shape: [6, 6, 8], scale: 0.05}
layers:
  - {name: p, op: conv2d, out_channels: 16, kernel: 1, weight_scale: 0.01, output: {scale: 1.0}}
  - {name: c, op: conv2d, out_channels: 16, kernel: 3, padding: 1, weight_scale: 0.01,
     output: {scale: 1.0}}
  - {name: d, op: conv2d, out_channels: 16, groups: 16, kernel: 3, padding: 1,
     weight_scale: 0.01, output: {scale: 1.0}}
  - {name: m, op: maxpool, kernel: 2, stride: 2}
  - {name: a, op: add, inputs: [m, m], output: {scale: 1.0}}
)",
                                       3);
    const Lowered lo = lower(wl, small_hw());
    EXPECT_EQ(lo.batch, 3);
    // Regions: the input 6*6*8 x 3; p: weights 8*16, bias 16*4, output 6*6*16 x 3; c (reading
    // p's 16 channels): weights 144*16, bias, output; d: weights 9*16, bias, output; m: 3*3*16
    // x 3; a: the same.
    const std::vector<uint64_t> bytes = {864,  128, 64, 1728, 2304, 64,
                                         1728, 144, 64, 1728, 432,  432};
    ASSERT_EQ(lo.regions.size(), bytes.size());
    for (size_t r = 0; r < bytes.size(); ++r) EXPECT_EQ(lo.regions[r].bytes, bytes[r]) << r;
    const LoweredLayer &p = lo.layers[0], &c = lo.layers[1], &d = lo.layers[2], &m = lo.layers[3],
                       &a = lo.layers[4];
    // p (1x1, stride 1, no padding): the images stacked, 18 rows, one pass.
    EXPECT_TRUE(p.has_head);
    EXPECT_EQ(p.gemm().in_h, 18);
    EXPECT_EQ(p.gemm().out_h(), 18);
    EXPECT_EQ(p.desc.in_h, 18);
    EXPECT_EQ(p.desc.out_h, 18);
    EXPECT_EQ(p.samples, 1);
    // c (3x3) and the vector unit's window ops: image by image, with each image's offsets.
    EXPECT_FALSE(c.has_head);
    EXPECT_EQ(&c.gemm(), c.layer);
    EXPECT_EQ(c.desc.in_h, 6);
    EXPECT_EQ(c.samples, 3);
    EXPECT_EQ(c.in_image_bytes, (std::vector<uint64_t>{576}));
    EXPECT_EQ(c.out_image_bytes, 576u);
    EXPECT_EQ(d.cls, LayerClass::kWindow);
    EXPECT_EQ(d.samples, 3);
    EXPECT_EQ(m.samples, 3);
    EXPECT_EQ(m.out_image_bytes, 144u);
    // add: all rows of every image at once.
    EXPECT_EQ(a.samples, 1);
    EXPECT_EQ(a.batch, 3);
    // MACs and output bytes are the batch's: c does 6*6 * 144 * 16 per image.
    EXPECT_EQ(c.desc.macs, 3u * 36 * 144 * 16);
    EXPECT_EQ(c.desc.output_bytes, 1728u);
}

TEST(CompilerBatch, BatchOneLowersAsBefore) {
    const graph::Workload wl = test::workload(kGemm);
    const Lowered lo = lower(wl, small_hw());
    EXPECT_EQ(lo.batch, 1);
    EXPECT_FALSE(lo.layers[0].has_head);
    EXPECT_EQ(lo.layers[0].samples, 1);
    EXPECT_EQ(lo.regions[0].bytes, 128u);
    // The n-blocks-outermost twins of one image (every objective tries them) read each slab
    // once per n-block, for one image as for a batch.
    for (const ArrayPlan& p : array_candidates(lo.layers[0], small_hw())) {
        if (p.order == LoopOrder::kN) {
            EXPECT_EQ(p.mapping.k_chunks, 1);
        }
    }
}

TEST(CompilerBatch, EveryOneChunkCandidateHasAWeightsOuterTwin) {
    const cfg::HwConfig hw = small_hw();
    const graph::Workload wl1 = test::workload(kConv);
    const Lowered one = lower(wl1, hw);
    const graph::Workload wl = batched(kConv, 2);
    const Lowered lo = lower(wl, hw);
    // One image's candidates with the m-blocks outermost (its twins are tried too: every
    // objective tries the n-blocks outermost); the k-chunks-outermost ones come after the twins.
    std::vector<ArrayPlan> base;
    for (const ArrayPlan& p : array_candidates(one.layers[0], hw)) {
        if (p.order == LoopOrder::kM) base.push_back(p);
    }
    const std::vector<ArrayPlan> c = array_candidates(lo.layers[0], hw);
    size_t one_chunk = 0;
    for (const ArrayPlan& p : base) one_chunk += p.mapping.k_chunks == 1;
    ASSERT_GT(one_chunk, 0u);
    ASSERT_GE(c.size(), base.size() + one_chunk);
    for (size_t i = 0; i < base.size(); ++i) {
        EXPECT_EQ(c[i].order, LoopOrder::kM);
        EXPECT_EQ(c[i].mapping.out_rows_per_block, base[i].mapping.out_rows_per_block);
    }
    for (size_t i = base.size(); i < base.size() + one_chunk; ++i) {
        EXPECT_EQ(c[i].order, LoopOrder::kN);
        EXPECT_EQ(c[i].mapping.k_chunks, 1);
    }
    for (size_t i = base.size() + one_chunk; i < c.size(); ++i) {
        EXPECT_EQ(c[i].order, LoopOrder::kK);
    }
}

TEST(CompilerBatch, WeightsOuterLoadsEachWeightBlockOnceForEveryImage) {
    const cfg::HwConfig hw = small_hw();
    const graph::Workload wl = batched(kConv, 2);
    const Lowered lo = lower(wl, hw);
    const LoweredLayer& x = lo.layers[0];
    LayerPlan plan = plan_layer(x, hw);
    // Both orders compute the same tiles; the n-blocks outermost move fewer bytes (below), so
    // the search takes them.
    ASSERT_TRUE(plan.array.order == LoopOrder::kN);
    ASSERT_EQ(plan.array.mapping.n_blocks, 2);
    ASSERT_EQ(plan.array.mapping.m_blocks, 1);
    ASSERT_EQ(plan.array.mapping.k_chunks, 1);
    EXPECT_NE(plan.summary.find(", batch 2: n-blocks outermost, weights loaded once"),
              std::string::npos)
        << plan.summary;
    Emitted e;
    emit_layer(x, plan, 0, e);
    // Per n-block: image 0 loads its slab, the bias and the weights, computes, POST, STORE;
    // image 1 loads its slab, computes, POST, STORE: 2 x (6 + 4) = 20 instructions.
    ASSERT_EQ(e.program.instrs.size(), 20u);
    EXPECT_TRUE(e.program.counts() == instruction_count(x, plan));
    EXPECT_TRUE(e.program.counts() == (isa::InstrCounts{12, 4, 0, 4, 0}));
    const std::vector<Opcode> first = {Opcode::kLoad,    Opcode::kLoad,     Opcode::kLoad,
                                       Opcode::kCompute, Opcode::kPostproc, Opcode::kStore};
    const std::vector<Opcode> second = {Opcode::kLoad, Opcode::kCompute, Opcode::kPostproc,
                                        Opcode::kStore};
    uint64_t weight_bytes = 0;
    for (size_t j = 0; j < 2; ++j) {
        const size_t at = 10 * j;
        for (size_t i = 0; i < first.size(); ++i) EXPECT_EQ(e.program.instrs[at + i].op, first[i]);
        for (size_t i = 0; i < second.size(); ++i) {
            EXPECT_EQ(e.program.instrs[at + 6 + i].op, second[i]);
        }
        const auto xfer = [&](size_t i) { return e.program.xfer(e.program.instrs[at + i]); };
        // Image 0's slab at 0, image 1's one image (128 B) on; both the whole 4x4x8 input.
        EXPECT_EQ(e.regions[at], x.input_regions[0]);
        EXPECT_EQ(xfer(0).dram_addr, 0u);
        EXPECT_EQ(xfer(6).dram_addr, 128u);
        EXPECT_EQ(xfer(6).bytes(), 128u);
        // The n-block's bias (8 channels at 32j B) and its [72][8] weight block at 576j B.
        EXPECT_EQ(e.regions[at + 1], x.bias_region);
        EXPECT_EQ(xfer(1).dram_addr, 32u * j);
        EXPECT_EQ(e.regions[at + 2], x.weight_region);
        EXPECT_EQ(xfer(2).dram_addr, 576u * j);
        weight_bytes += xfer(2).bytes();
        // Stores: columns 8j.. of each of the 16 pixels; image 1's one image (256 B) on.
        EXPECT_EQ(xfer(5).dram_addr, 8u * j);
        EXPECT_EQ(xfer(9).dram_addr, 256u + 8u * j);
        // Both images' COMPUTEs use the n-block's one weight buffer.
        EXPECT_EQ(e.program.comp(e.program.instrs[at + 3]).w_addr,
                  e.program.comp(e.program.instrs[at + 7]).w_addr);
    }
    EXPECT_EQ(weight_bytes, 72u * 16);  // every weight once, for both images
    // The closed form: 2 images x (2 n-blocks x 128 B of slab + 256 B out) + 16 x 4 B of bias +
    // 72 x 16 B of weights = 2240 B; image by image it is 2 x (128 + 64 + 1152 + 256) = 3200 B.
    EXPECT_EQ(estimate(x, plan.array, hw).bytes, 2240u);
    ArrayPlan by_image = plan.array;
    by_image.order = LoopOrder::kM;
    EXPECT_EQ(estimate(x, by_image, hw).bytes, 3200u);
    EXPECT_EQ(estimate(x, plan.array, hw).cycles,
              estimate_program(e.program, hw, plan.array.dataflow, x.desc).cycles);
}

TEST(CompilerBatch, ImageByImageOffsetsEachImage) {
    const cfg::HwConfig hw = small_hw();
    const graph::Workload wl = batched(kConv, 2);
    const Lowered lo = lower(wl, hw);
    LayerPlan plan = plan_layer(lo.layers[0], hw);
    plan.array.order = LoopOrder::kM;
    Emitted e;
    emit_layer(lo.layers[0], plan, 0, e);
    // Per image: slab; per n-block bias, weights, COMPUTE, POST, STORE: 2 x (1 + 2 x 5) = 22.
    ASSERT_EQ(e.program.instrs.size(), 22u);
    EXPECT_TRUE(e.program.counts() == instruction_count(lo.layers[0], plan));
    EXPECT_EQ(e.program.xfer(e.program.instrs[0]).dram_addr, 0u);
    EXPECT_EQ(e.program.xfer(e.program.instrs[11]).dram_addr, 128u);      // image 1's slab
    EXPECT_EQ(e.program.xfer(e.program.instrs[21]).dram_addr, 256u + 8);  // its last store
}

TEST(CompilerBatch, GemmStacksTheImagesAsRows) {
    const cfg::HwConfig hw = small_hw();
    const graph::Workload wl = batched(kGemm, 3);
    const Lowered lo = lower(wl, hw);
    const LayerPlan plan = plan_layer(lo.layers[0], hw);
    // All 12 rows in one m-block: the weights are loaded once per n-block, as for one image.
    EXPECT_FALSE(plan.array.order == LoopOrder::kN);
    EXPECT_EQ(plan.array.mapping.m, 12);
    EXPECT_EQ(plan.array.mapping.m_blocks, 1);
    EXPECT_NE(plan.summary.find(", batch 3: images stacked as rows"), std::string::npos)
        << plan.summary;
    Emitted e;
    emit_layer(lo.layers[0], plan, 0, e);
    EXPECT_TRUE(e.program.counts() == (isa::InstrCounts{13, 4, 0, 4, 0}));
    EXPECT_EQ(e.program.xfer(e.program.instrs[0]).bytes(), 12u * 32);  // every image's rows
}

// The closed form equals the emitted program on every candidate of batched layers of every
// class the array runs: image by image (3x3, grouped, matmul), stacked (gemm, 1x1), and the
// n-blocks outermost; in both dataflows.
TEST(CompilerBatch, EstimateEqualsTheEmittedProgram) {
    const graph::Workload wl = batched(R"(
inputs:
  - {name: x, shape: [7, 5, 12], scale: 0.05}
  - {name: q, shape: [2, 6, 8], scale: 0.05}
  - {name: k, shape: [2, 8, 6], scale: 0.05}
layers:
  - {name: c, op: conv2d, inputs: [x], out_channels: 20, kernel: 3, stride: 2, padding: 1,
     weight_scale: 0.01, output: {scale: 1.0}}
  - {name: g, op: conv2d, inputs: [x], out_channels: 24, groups: 2, kernel: 3, padding: 1,
     weight_scale: 0.01, output: {scale: 1.0}}
  - {name: p, op: conv2d, inputs: [x], out_channels: 40, kernel: 1, weight_scale: 0.01,
     output: {scale: 1.0}}
  - {name: f, op: gemm, inputs: [p], n: 17, weight_scale: 0.01, output: {scale: 1.0}}
  - {name: mm, op: matmul, inputs: [q, k], heads: 2, output: {scale: 1.0}}
)",
                                       3);
    int compared = 0;
    for (const char* df : {"ws", "os"}) {
        const cfg::HwConfig hw = small_hw({std::string("array.dataflow=") + df});
        const Lowered lo = lower(wl, hw);
        for (const LoweredLayer& x : lo.layers) {
            for (const ArrayPlan& c : array_candidates(x, hw)) {
                isa::InstrCounts counts;
                const Estimate emitted = test::emitted_estimate(x, c, hw, &counts);
                LayerPlan plan;
                plan.ok = true;
                plan.array = c;
                EXPECT_TRUE(counts == instruction_count(x, plan)) << x.layer->name;
                const Estimate closed = estimate(x, c, hw);
                EXPECT_EQ(closed.cycles, emitted.cycles) << df << " " << x.layer->name;
                EXPECT_EQ(closed.bytes, emitted.bytes) << df << " " << x.layer->name;
                compared += c.order == LoopOrder::kN;
            }
        }
    }
    EXPECT_GT(compared, 0);  // the n-blocks-outermost order was among them
}

TEST(CompilerBatch, ImagesAreDistinctDeterministicAndNested) {
    const graph::Workload one = test::workload(kConv);
    graph::Workload b3 = test::workload(kConv);
    quant::set_batch(b3, 3);
    graph::Workload b2 = test::workload(kConv);
    quant::set_batch(b2, 2);
    ASSERT_EQ(one.input_data[0].size(), 128u);
    ASSERT_EQ(b3.input_data[0].size(), 3u * 128);
    EXPECT_EQ(b3.input, b3.input_data[0]);
    EXPECT_EQ(b3.batch, 3);
    // Image 0 is the batch-1 input; the others differ from it and from each other; a batch of 2
    // is the first two images of a batch of 3.
    const graph::Workload i0 = graph::image_of(b3, 0), i1 = graph::image_of(b3, 1),
                          i2 = graph::image_of(b3, 2);
    EXPECT_EQ(i0.input_data[0], one.input_data[0]);
    EXPECT_NE(i1.input_data[0], i0.input_data[0]);
    EXPECT_NE(i2.input_data[0], i1.input_data[0]);
    EXPECT_EQ(i1.batch, 1);
    EXPECT_EQ(std::vector<int8_t>(b3.input.begin(), b3.input.begin() + 256), b2.input);
    // Back to one image.
    quant::set_batch(b3, 1);
    EXPECT_EQ(b3.input_data[0], one.input_data[0]);
    EXPECT_THROW(quant::set_batch(b3, 0), std::invalid_argument);
    EXPECT_THROW((void)graph::image_of(b2, 2), std::invalid_argument);
}

// A float network (post-training quantized on its calibration images) and a quantized one with
// `auto` outputs, each given `batch: 3`: the quantization is the batch-1 one (computed on one
// image), and the batch's images follow.
TEST(CompilerBatch, QuantizationIgnoresTheBatch) {
    for (const char* name : {"digits", "tiny_resnet"}) {
        const std::string path = std::string(NPUSIM_SOURCE_DIR) + "/workloads/" + name + ".yaml";
        std::ifstream f(path);
        std::stringstream text;
        text << f.rdbuf();
        const graph::Workload one =
            quant::prepare(graph::load_workload_from_string(text.str(), path));
        const graph::Workload three =
            quant::prepare(graph::load_workload_from_string("batch: 3\n" + text.str(), path));
        ASSERT_EQ(three.batch, 3) << name;
        ASSERT_EQ(three.layers.size(), one.layers.size());
        for (size_t i = 0; i < one.layers.size(); ++i) {
            EXPECT_EQ(three.layers[i].requant.multiplier, one.layers[i].requant.multiplier)
                << name << " " << one.layers[i].name;
            EXPECT_EQ(three.layers[i].output, one.layers[i].output) << name;
        }
        EXPECT_EQ(graph::image_of(three, 0).input_data, one.input_data) << name;
        EXPECT_EQ(three.input_data[0].size(), 3 * one.input_data[0].size()) << name;
        EXPECT_EQ(three.input, three.input_data[0]) << name;
        // The float reference runs every image (digits: its float32 model).
        EXPECT_EQ(quant::run_float(three, Precision::kFp32).back().size(),
                  3 * quant::run_float(one, Precision::kFp32).back().size())
            << name;
    }
}

TEST(CompilerBatch, ReferenceComputesEveryImageAlone) {
    const graph::Workload wl = batched(kConv, 3);
    const auto all = ref::run_workload(wl, Rounding::kHalfEven);
    ASSERT_EQ(all.size(), 1u);
    ASSERT_EQ(all[0].size(), 3u * 256);
    for (int32_t b = 0; b < 3; ++b) {
        const auto one = ref::run_workload(graph::image_of(wl, b), Rounding::kHalfEven);
        EXPECT_EQ(std::vector<int8_t>(all[0].begin() + 256 * b, all[0].begin() + 256 * (b + 1)),
                  one[0])
            << b;
    }
}

TEST(CompilerBatch, BadBatchInTheWorkloadAndOnTheCommandLine) {
    const auto errors_of = [](const std::string& text) -> std::string {
        try {
            (void)graph::load_workload_from_string(text, "t.yaml");
        } catch (const UserError& e) {
            return e.what();
        }
        return "<no error>";
    };
    const std::string rest =
        "input: {shape: [4, 3], scale: 0.1}\nlayers:\n"
        "  - {op: gemm, n: 2, weight_scale: 0.1}\n";
    EXPECT_EQ(errors_of("batch: 0\n" + rest),
              "t.yaml:1:8: batch: expected an integer in [1, 4096], found '0'");
    EXPECT_EQ(errors_of("batch: 4097\n" + rest),
              "t.yaml:1:8: batch: expected an integer in [1, 4096], found '4097'");
    EXPECT_EQ(errors_of("batch: [2]\n" + rest),
              "t.yaml:1:8: batch: expected an integer in [1, 4096], found a list of 1");
    EXPECT_EQ(graph::load_workload_from_string("batch: 5\n" + rest, "t.yaml").batch, 5);
    for (const char* v : {"0", "4097", "x"}) {
        try {
            (void)cli::parse_command_line({"run", "--batch", v});
            ADD_FAILURE() << v;
        } catch (const UserError& e) {
            EXPECT_EQ(std::string(e.what()),
                      std::string("<command line>: run: --batch: expected a whole number from 1 "
                                  "to 4096, found '") +
                          v + "'");
        }
    }
    EXPECT_EQ(cli::parse_command_line({"compile", "--batch", "8"}).count("--batch"), 8u);
}

TEST(CompilerBatch, InputFilesHoldTheBatchAlongALeadingDimension) {
    graph::Workload wl = batched(kGemm, 2);
    std::vector<int8_t> data(2 * 4 * 32);
    for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<int8_t>(i % 251 - 120);
    frontend::apply_input_arrays(wl, {{"input", npy::from_int8(data, {2, 4, 32}), "x.npy"}});
    EXPECT_EQ(wl.input_data[0], data);
    EXPECT_EQ(wl.input, data);
    try {
        frontend::apply_input_arrays(wl, {{"input", npy::from_int8(data, {8, 32}), "y.npy"}});
        ADD_FAILURE();
    } catch (const UserError& e) {
        EXPECT_STREQ(e.what(),
                     "y.npy: --input: 'input': expected the batch's 2 images along the first "
                     "dimension (shape (2, ...)), found (8, 32)");
    }
    try {
        frontend::apply_input_arrays(wl, {{"input", npy::from_int8(data, {2, 8, 16}), "z.npy"}});
        ADD_FAILURE();
    } catch (const UserError& e) {
        EXPECT_STREQ(e.what(),
                     "z.npy: --input: 'input': expected an array of shape (4, 32), found (8, 16) "
                     "per image");
    }
    // Saved with the images along a leading dimension.
    const auto files = frontend::tensors_to_save(wl, {std::vector<int8_t>(2 * 4 * 32, 1)});
    EXPECT_EQ(files.at("input.npy").shape, (std::vector<int64_t>{2, 4, 32}));
    EXPECT_EQ(files.at("g.npy").shape, (std::vector<int64_t>{2, 4, 32}));
}

TEST(CompilerBatch, StatsJsonGivesPerInferenceFigures) {
    stats::RunStats run;
    run.batch = 4;
    run.clock_hz = 1e9;
    run.total_cycles = 4000;
    run.total.dram_read_bytes = 1000;
    run.total.dram_write_bytes = 200;
    const nlohmann::json j = report::stats_to_json(run, cfg::default_hw_config());
    EXPECT_EQ(j.at("schema_minor_version"), 6);
    EXPECT_EQ(j.at("batch"), 4);
    const nlohmann::json& t = j.at("totals");
    // 4 inferences in 4000 cycles at 1 GHz = 4 us: 1e6 inferences/s, 1 us and 300 B each.
    EXPECT_DOUBLE_EQ(t.at("inferences_per_second").get<double>(), 1e6);
    EXPECT_DOUBLE_EQ(t.at("per_inference").at("time_s").get<double>(), 1e-6);
    EXPECT_DOUBLE_EQ(t.at("per_inference").at("cycles").get<double>(), 1000.0);
    EXPECT_DOUBLE_EQ(t.at("per_inference").at("dram_bytes").get<double>(), 300.0);
    EXPECT_DOUBLE_EQ(t.at("per_inference").at("energy_pj").get<double>(),
                     t.at("energy_pj").at("total").get<double>() / 4);
    run.batch = 1;
    const nlohmann::json one = report::stats_to_json(run, cfg::default_hw_config());
    EXPECT_FALSE(one.contains("batch"));
    EXPECT_FALSE(one.at("totals").contains("per_inference"));
    EXPECT_DOUBLE_EQ(one.at("totals").at("inferences_per_second").get<double>(), 250000.0);
}

}  // namespace
}  // namespace npu::compiler

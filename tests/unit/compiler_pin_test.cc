// Mapping pins (`mapping: {rows_per_block, k_chunk, dataflow}` in the workload): each pin changes
// the mapper's choice exactly as asked (LayerMapping fields, the program's LayerDesc and its
// COMPUTE instructions), the summary marks pinned fields, and pins the layer or the hardware
// cannot honour are errors with exact messages.
#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "sim/compiler/compiler.h"
#include "sim/config/config_loader.h"
#include "sim/core/error.h"
#include "sim/graph/workload_loader.h"
#include "sim/isa/isa.h"
#include "sim/quant/prepare.h"
#include "tests/unit/compiler_test_util.h"

namespace npu::compiler {
namespace {

using test::hw_with;

// 32x32x16 -> 32x32x32, 3x3 pad 1: M = 1024, K = 3 * 3 * 16 = 144, N = 32. `pin` is the text of
// the layer's mapping map ("" for none).
graph::Workload conv(const std::string& pin) {
    return test::workload(
        "input: {shape: [32, 32, 16], scale: 0.05}\n"
        "layers:\n"
        "  - {name: c, op: conv2d, out_channels: 32, kernel: 3, padding: 1, weight_scale: 0.01,\n"
        "     output: {scale: 1.0}" +
        (pin.empty() ? std::string() : ", mapping: " + pin) + "}\n");
}

// The k sizes of the program's COMPUTE instructions, in order.
std::vector<int32_t> compute_ks(const isa::Program& p) {
    std::vector<int32_t> ks;
    for (const isa::Instr& in : p.instrs) {
        if (in.op == isa::Opcode::kCompute) ks.push_back(p.comp(in).k);
    }
    return ks;
}

isa::Program compile_timing(const graph::Workload& wl, const cfg::HwConfig& hw) {
    CompileOptions co;
    co.with_data = false;
    return compile(wl, hw, co);
}

std::string choose_error(const graph::Workload& wl, const cfg::HwConfig& hw) {
    try {
        (void)choose_mapping(wl.layers.at(0), hw);
    } catch (const UserError& e) {
        return e.what();
    }
    return "<no error>";
}

// Default config: 16x16 ws, scratchpad 256 KiB in 4 banks of 64 KiB, accumulator 64 KiB in two
// halves of 32 KiB. Unpinned, the conv takes the whole K = 144 and 16 rows per block (acc
// 16 * 32 * 16 * 4 = 32768 = one half; 17 rows would not fit).
TEST(CompilerPin, UnpinnedBaseline) {
    const LayerMapping mp = choose_mapping(conv("").layers[0], cfg::default_hw_config());
    EXPECT_EQ(mp.kb, 144);
    EXPECT_EQ(mp.out_rows_per_block, 16);
    EXPECT_FALSE(mp.pinned_rows || mp.pinned_k || mp.pinned_dataflow);
    EXPECT_EQ(mp.summary(Dataflow::kWeightStationary).find("pinned"), std::string::npos);
}

TEST(CompilerPin, RowsAndKChunk) {
    const auto wl = conv("{rows_per_block: 4, k_chunk: 48}");
    const LayerMapping mp = choose_mapping(wl.layers[0], cfg::default_hw_config());
    EXPECT_EQ(mp.out_rows_per_block, 4);
    EXPECT_EQ(mp.mb, 128);  // 4 rows * 32 pixels
    EXPECT_EQ(mp.m_blocks, 8);
    EXPECT_EQ(mp.kb, 48);
    EXPECT_EQ(mp.k_chunks, 3);        // 144 / 48
    EXPECT_EQ(mp.n_blocks, 2);        // 32 / 16
    EXPECT_EQ(mp.slab_bytes, 3072u);  // an inner block reads 4 + 2 rows of 32 * 16 B
    EXPECT_EQ(mp.w_bytes, 768u);      // 48 * 16
    EXPECT_EQ(mp.acc_bytes, 8192u);   // 128 * 16 * 4
    EXPECT_EQ(mp.summary(Dataflow::kWeightStationary),
              "ws m-block 128 (4 out rows, pinned) x n-block 16 x k-chunk 48 (pinned); 8x2x3 "
              "blocks; spad 2x(slab 3072 + w 768 + bias 64 + out 2048) B, acc 2x8192 B");
    // The program: 8 m-blocks x 2 n-blocks x 3 k-chunks COMPUTEs of k = 48, m = 128.
    const isa::Program p = compile_timing(wl, cfg::default_hw_config());
    EXPECT_EQ(compute_ks(p), std::vector<int32_t>(48, 48));
    for (const isa::Instr& in : p.instrs) {
        if (in.op == isa::Opcode::kCompute) {
            EXPECT_EQ(p.comp(in).m, 128);
        }
    }
    EXPECT_EQ(p.layers.at(0).mapping, mp.summary(Dataflow::kWeightStationary));
    EXPECT_NE(isa::to_asm(p).find("mapping: ws m-block 128 (4 out rows, pinned)"),
              std::string::npos);
}

TEST(CompilerPin, KChunkAloneKeepsTheRowSearch) {
    const LayerMapping mp =
        choose_mapping(conv("{k_chunk: 32}").layers[0], cfg::default_hw_config());
    EXPECT_EQ(mp.kb, 32);
    EXPECT_EQ(mp.k_chunks, 5);             // ceil(144 / 32): 32, 32, 32, 32, 16
    EXPECT_EQ(mp.out_rows_per_block, 16);  // still the accumulator's limit
    EXPECT_FALSE(mp.pinned_rows);
    const isa::Program p = compile_timing(conv("{k_chunk: 32}"), cfg::default_hw_config());
    // The search still chooses the m-blocks (the schedule prefers more than choose_mapping's
    // 2 here); every m-block x n-block runs the pinned 5 chunks.
    const std::vector<int32_t> ks = compute_ks(p);
    ASSERT_GT(ks.size(), 0u);
    ASSERT_EQ(ks.size() % (2u * 5u), 0u);  // m-blocks x 2 n-blocks x 5 chunks
    for (size_t i = 0; i < ks.size(); i += 5) {
        EXPECT_EQ(std::vector<int32_t>(ks.begin() + long(i), ks.begin() + long(i) + 5),
                  (std::vector<int32_t>{32, 32, 32, 32, 16}));
    }
}

TEST(CompilerPin, OsTakesAnyKChunk) {
    // os needs no multiple of array.rows: 50, 50, 44.
    const auto wl = conv("{k_chunk: 50}");
    const isa::Program p = compile_timing(wl, hw_with({"array.dataflow=os"}));
    const std::vector<int32_t> ks = compute_ks(p);
    ASSERT_GT(ks.size(), 0u);
    ASSERT_EQ(ks.size() % (2u * 3u), 0u);  // m-blocks x 2 n-blocks x 3 chunks
    for (size_t i = 0; i < ks.size(); i += 3) {
        EXPECT_EQ(std::vector<int32_t>(ks.begin() + long(i), ks.begin() + long(i) + 3),
                  (std::vector<int32_t>{50, 50, 44}));
    }
    // The whole reduction is allowed on ws even when it is no multiple of the array rows
    // (144 = 4.5 * 32).
    const cfg::HwConfig rows32 = hw_with({"array.rows=32", "scratchpad.bank_width=32B"});
    EXPECT_EQ(choose_mapping(conv("{k_chunk: 144}").layers[0], rows32).kb, 144);
    EXPECT_EQ(choose_mapping(conv("{k_chunk: 96}").layers[0], rows32).kb, 96);
}

TEST(CompilerPin, DataflowPinOverridesTheEstimate) {
    const cfg::HwConfig both = hw_with({"array.dataflow=both"});
    const isa::Program free_choice = compile_timing(conv(""), both);
    const Dataflow chosen = free_choice.layers.at(0).dataflow;
    const Dataflow other = chosen == Dataflow::kWeightStationary ? Dataflow::kOutputStationary
                                                                 : Dataflow::kWeightStationary;
    const std::string other_text = to_string(other);
    const isa::Program pinned = compile_timing(conv("{dataflow: " + other_text + "}"), both);
    EXPECT_EQ(pinned.layers.at(0).dataflow, other);
    EXPECT_EQ(pinned.layers.at(0).mapping.rfind(other_text + " (pinned) m-block ", 0), 0u)
        << pinned.layers.at(0).mapping;
    // On a single-dataflow array, pinning that dataflow is allowed.
    const isa::Program os = compile_timing(conv("{dataflow: os}"), hw_with({"array.dataflow=os"}));
    EXPECT_EQ(os.layers.at(0).dataflow, Dataflow::kOutputStationary);
    EXPECT_EQ(os.layers.at(0).mapping.rfind("os (pinned) m-block ", 0), 0u);
}

TEST(CompilerPin, KChunkPinSteersTheDataflowChoiceOnBoth) {
    // k_chunk 50 is no multiple of 16: ws cannot take it, so `both` runs the layer os.
    const isa::Program p = compile_timing(conv("{k_chunk: 50}"), hw_with({"array.dataflow=both"}));
    EXPECT_EQ(p.layers.at(0).dataflow, Dataflow::kOutputStationary);
}

TEST(CompilerPin, MatmulPinsApplyToEveryHead) {
    // a [16, 32] x b [32, 24]: M = 16, K = 32, N = 24 (2 n-blocks of 16 and 8).
    const auto wl = quant::prepare(graph::load_workload_from_string(R"(
inputs:
  - {name: a, shape: [16, 32], scale: 0.05}
  - {name: b, shape: [32, 24], scale: 0.05}
layers:
  - {name: mm, op: matmul, inputs: [a, b], output: {scale: 1.0},
     mapping: {rows_per_block: 4, k_chunk: 16}}
)",
                                                                    "w.yaml"));
    const isa::Program p = compile_timing(wl, cfg::default_hw_config());
    // 4 m-blocks x 2 n-blocks x 2 k-chunks, each k = 16 and m = 4.
    EXPECT_EQ(compute_ks(p), std::vector<int32_t>(16, 16));
    for (const isa::Instr& in : p.instrs) {
        if (in.op == isa::Opcode::kCompute) {
            EXPECT_EQ(p.comp(in).m, 4);
        }
    }
    EXPECT_EQ(p.layers.at(0).mapping.rfind(
                  "ws m-block 4 (4 out rows, pinned) x n-block 16 x k-chunk 16 (pinned); 4x2x2", 0),
              0u)
        << p.layers.at(0).mapping;
}

TEST(CompilerPin, BadPins) {
    const cfg::HwConfig hw = cfg::default_hw_config();
    EXPECT_EQ(choose_error(conv("{rows_per_block: 33}"), hw),
              "layer 'c' pins mapping.rows_per_block 33 but has 32 output rows");
    EXPECT_EQ(choose_error(conv("{k_chunk: 145}"), hw),
              "layer 'c' pins mapping.k_chunk 145 but its reduction K is 144");
    EXPECT_EQ(choose_error(conv("{k_chunk: 50}"), hw),
              "layer 'c' pins mapping.k_chunk 50 but a ws array needs a multiple of array.rows 16 "
              "or the whole reduction K = 144");
    EXPECT_EQ(choose_error(conv("{dataflow: os}"), hw),
              "layer 'c' pins dataflow os but the array is ws-only: array.dataflow = ws (built-in "
              "default) would have to be os or both");
    EXPECT_EQ(choose_error(conv("{dataflow: ws}"), hw_with({"array.dataflow=os"})),
              "layer 'c' pins dataflow ws but the array is os-only: array.dataflow = os (--set) "
              "would have to be ws or both");
}

TEST(CompilerPin, PinnedMappingThatDoesNotFit) {
    // 8x8 array, 16 KiB scratchpad in 4 banks, 4 KiB accumulator in 2 banks. 32 rows per block:
    // the slab holds all 32 input rows (32 * 32 * 16 = 16384 B), out 32 * 32 * 8 = 8192 B,
    // acc 4 * 8192 = 32768 B; k halves 144 -> 72 -> 40 -> 24 -> 16 -> 8 (w 8 * 8 = 64 B,
    // bias 8 * 4 = 32 B, aligned to 64). Scratchpad 2 * (16384 + 64 + 64 + 8192) = 49408 B,
    // accumulator 2 * 32768 = 65536 B.
    const cfg::HwConfig small =
        hw_with({"array.rows=8", "array.cols=8", "scratchpad.size=16KiB", "scratchpad.banks=4",
                 "accumulator.size=4KiB", "accumulator.banks=2"});
    const auto wl = conv("{rows_per_block: 32}");
    const std::string expected =
        "layer 'c' (conv2d 32x32x16 -> 32x32x32 k3x3 s1 p1) does not fit on chip with its pinned "
        "mapping (rows_per_block 32): 32 output rows of 32 pixels, 8 channels and k-chunk 8 need "
        "49408 B of scratchpad (has 16384) and 65536 B of accumulator (has 4096); to fit it, "
        "raise scratchpad.size = 16KiB (--set) or accumulator.size = 4KiB (--set)";
    EXPECT_EQ(choose_error(wl, small), expected);
    // Through compile(): the file and the layer's key path are added.
    try {
        (void)compile_timing(wl, small);
        ADD_FAILURE() << "expected an error";
    } catch (const UserError& e) {
        EXPECT_EQ(std::string(e.what()), "w.yaml:3:5: layers[0]: " + expected);
    }
}

std::string compile_error(const graph::Workload& wl, const cfg::HwConfig& hw) {
    try {
        (void)compile_timing(wl, hw);
    } catch (const UserError& e) {
        return e.what();
    }
    return "<no error>";
}

// `mapping: {order: m | n | k}`: the loop order pinned. The conv's largest tiles on the default
// NPU: 16 rows per m-block (2 m-blocks), 2 n-blocks of 16, k-chunk 144.
TEST(CompilerPin, OrderPins) {
    const cfg::HwConfig hw = cfg::default_hw_config();
    // m: neither of the others.
    const std::string m = compile_timing(conv("{order: m}"), hw).layers.at(0).mapping;
    EXPECT_EQ(m.find("outermost"), std::string::npos) << m;
    // n: one k-chunk (the summary names the n-blocks outermost with a batch only).
    const auto wl_n = conv("{order: n}");
    const isa::Program n = compile_timing(wl_n, hw);
    const std::vector<int32_t> ks = compute_ks(n);
    EXPECT_FALSE(ks.empty());
    for (int32_t k : ks) EXPECT_EQ(k, 144);
    // k, with 4 rows per block and chunks of 48, on an accumulator of 128 KiB: 8 m-blocks x 2
    // n-blocks x 128 x 16 x 4 B = 131072 B of resident sums, every byte of it; 8 x 2 x 3
    // COMPUTEs of k 48.
    const isa::Program k = compile_timing(conv("{order: k, rows_per_block: 4, k_chunk: 48}"),
                                          hw_with({"accumulator.size=128KiB"}));
    EXPECT_NE(
        k.layers.at(0).mapping.find("; k-chunks outermost, partial sums resident (acc 131072 B)"),
        std::string::npos)
        << k.layers.at(0).mapping;
    EXPECT_EQ(compute_ks(k), std::vector<int32_t>(48, 48));
}

TEST(CompilerPin, OrderPinsThatCannotBeMet) {
    const cfg::HwConfig hw = cfg::default_hw_config();
    // Its largest tiles: 2 x 2 pairs of 512 x 16 x 4 = 32768 B, 131072 B in all.
    EXPECT_EQ(compile_error(conv("{order: k}"), hw),
              "w.yaml:3:5: layers[0]: layer 'c' pins mapping.order k but the k-chunks outermost "
              "keep every m-block x n-block sum resident: 2 x 2 blocks of 32768 B need 131072 B "
              "of accumulator (has 65536)");
    EXPECT_EQ(compile_error(conv("{order: n, k_chunk: 48}"), hw),
              "w.yaml:3:5: layers[0]: layer 'c' pins mapping.order n but mapping.k_chunk 48 "
              "splits the reduction K = 144 and the n-blocks outermost need one k-chunk");
    const auto mm = quant::prepare(graph::load_workload_from_string(R"(
inputs:
  - {name: a, shape: [16, 32], scale: 0.05}
  - {name: b, shape: [32, 24], scale: 0.05}
layers:
  - {name: mm, op: matmul, inputs: [a, b], output: {scale: 1.0}, mapping: {order: k}}
)",
                                                                    "w.yaml"));
    EXPECT_EQ(compile_error(mm, hw),
              "w.yaml:6:5: layers[0]: layer 'mm' pins mapping.order k but a matmul's heads run "
              "with the m-blocks outermost only");
}

}  // namespace
}  // namespace npu::compiler

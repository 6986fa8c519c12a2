// No barrier between layers (compiler.overlap = full): the dependency table
// (models/engines/dependency_table.h) on hand-built ranges; a hand-built two-layer program whose
// second layer's LOAD runs under the first layer's STORE, and waits for it exactly when it reads
// what the STORE writes; outputs bit-exact on the small bundled networks on every bundled chip,
// batch 1 and 2, with and without fusion; the hazards are real (without the checks outputs go
// wrong); a one-layer program runs as with prefetch; a bad value's message.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <systemc>
#include <vector>

#include "models/engines/dependency_table.h"
#include "sim/compiler/compiler.h"
#include "sim/config/config_loader.h"
#include "sim/core/error.h"
#include "sim/graph/workload_loader.h"
#include "sim/quant/prepare.h"
#include "sim/run/simulation.h"
#include "tests/models/bundled.h"
#include "tests/models/spans_checks.h"

namespace npu {
namespace {

using model::Accesses;
using model::DependencyTable;
using model::Space;
using test_support::bundled;
using Verdict = DependencyTable::Verdict;

Accesses ranges(std::vector<model::Access> list) {
    Accesses a;
    for (const model::Access& x : list) a.add(x.space, x.write, x.lo, x.hi - x.lo);
    return a;
}
const model::Access kReadSpad0{Space::kSpad, false, 0, 64};     // spad [0, 64) read
const model::Access kWriteSpad32{Space::kSpad, true, 32, 96};   // spad [32, 96) written
const model::Access kWriteSpad64{Space::kSpad, true, 64, 128};  // spad [64, 128) written
const model::Access kReadSpad32{Space::kSpad, false, 32, 96};   // spad [32, 96) read
const model::Access kWriteAcc0{Space::kAcc, true, 0, 64};       // acc [0, 64) written
const model::Access kWriteDram0{Space::kDram, true, 0, 64};     // DRAM [0, 64) written

TEST(DependencyTable, ConflictsAreRawWarWawOnOverlappingRangesOfOneSpace) {
    const Accesses r0 = ranges({kReadSpad0}), w32 = ranges({kWriteSpad32});
    EXPECT_TRUE(model::conflicts(w32, r0));   // RAW: a later read of what an earlier one writes
    EXPECT_TRUE(model::conflicts(r0, w32));   // WAR
    EXPECT_TRUE(model::conflicts(w32, w32));  // WAW
    EXPECT_FALSE(model::conflicts(r0, ranges({kReadSpad32})));  // two reads never
    // [0, 64) and [64, 128) touch but do not overlap ([lo, hi) ranges).
    EXPECT_FALSE(model::conflicts(r0, ranges({kWriteSpad64})));
    // The same addresses in another space are other memory.
    EXPECT_FALSE(model::conflicts(r0, ranges({kWriteAcc0})));
    EXPECT_FALSE(model::conflicts(r0, ranges({kWriteDram0})));
}

TEST(DependencyTable, WaitsForTheLatestConflictingEarlierEpochOnlyAndNeverForItsOwn) {
    DependencyTable t;
    // Epoch 0: a writer of spad [32, 96) (done 50), a reader of spad [0, 64) (done 70), a writer
    // of acc [0, 64) (done 90), a writer of DRAM [0, 64) (done 120).
    const auto w = t.add(0, ranges({kWriteSpad32}), 0);
    const auto r = t.add(0, ranges({kReadSpad0}), 0);
    const auto acc = t.add(0, ranges({kWriteAcc0}), 0);
    const auto dram = t.add(0, ranges({kWriteDram0}), 0);
    // Of the same epoch: never checked, though it overlaps the writer.
    const auto same = t.add(0, ranges({kWriteSpad32}), 0);
    EXPECT_EQ(t.check(same, 0).kind, Verdict::kClear);
    // Epoch 1: writes spad [64, 128): WAW with the first writer only (the reader ends at 64).
    const auto x = t.add(1, ranges({kWriteSpad64}), 0);
    // Not retired yet (the first writer, and `same`): wait for them to retire.
    EXPECT_EQ(t.check(x, 0).kind, Verdict::kRetire);
    t.retire(w, 50);
    t.retire(r, 70);
    t.retire(acc, 90);
    t.retire(dram, 120);
    EXPECT_EQ(t.check(x, 10).kind, Verdict::kRetire);  // `same` (spad [32, 96)) still runs
    t.retire(same, 60);
    Verdict v = t.check(x, 10);
    EXPECT_EQ(v.kind, Verdict::kUntil);
    EXPECT_EQ(v.cycle, 60u);  // WAW with both writers (50, 60): 50 cycles from 10
    // Epoch 2: writes spad [0, 64) and reads acc [0, 64): WAR with the reader (70), WAW with the
    // writers of spad (50, 60), RAW with the acc writer (90): the latest, 90. Not with x (spad
    // [64, 128), not retired): no overlap.
    const auto y = t.add(2, ranges({{Space::kSpad, true, 0, 64}, {Space::kAcc, false, 0, 64}}), 10);
    v = t.check(y, 10);
    EXPECT_EQ(v.kind, Verdict::kUntil);
    EXPECT_EQ(v.cycle, 90u);
    // At 90 everything it waited for is complete: clear, and those entries are gone.
    EXPECT_EQ(t.check(y, 90).kind, Verdict::kClear);
    // Left: the DRAM writer (120), x (not retired) and y.
    EXPECT_EQ(t.live(), 3u);
    // The epochs' completion records: epoch 0's 5 entries all retired, the latest at 120.
    EXPECT_EQ(t.epoch(0).entered, 5u);
    EXPECT_EQ(t.epoch(0).retired, 5u);
    EXPECT_EQ(t.epoch(0).max_done, 120u);
}

TEST(DependencyTable, ACompletionToldLaterIsWaitedForThenItsCycle) {
    DependencyTable t;
    model::ToldEvent told;
    model::PendingDone later;
    later.pending = 1;
    later.issuing = false;
    const auto w = t.add(0, ranges({kWriteSpad32}), 0);
    t.retire(w, model::DoneCycle(&later, &told));
    const auto x = t.add(1, ranges({kReadSpad32}), 0);
    EXPECT_EQ(t.check(x, 5).kind, Verdict::kTold);
    later.pending = 0;
    later.cycle = 77;
    const Verdict v = t.check(x, 5);
    EXPECT_EQ(v.kind, Verdict::kUntil);
    EXPECT_EQ(v.cycle, 77u);
    // An uncounted entry (a layer's output read) does not count to its epoch's completion.
    const auto out = t.add(1, ranges({kReadSpad0}), 5, /*counted=*/false);
    t.retire(out, 80);
    EXPECT_EQ(t.epoch(1).entered, 1u);
    EXPECT_EQ(t.epoch(1).retired, 0u);
}

TEST(DependencyTable, RangesFollowThePayloads) {
    isa::Program p;
    p.layers.resize(1);
    p.layers[0].in_w = 4;
    p.layers[0].in_c = 8;
    // LOAD: 3 rows of 16 B, DRAM stride 100, spad stride 32: DRAM [1000, 1216) read, spad
    // [64, 144) written. A far side in the on-chip window is the scratchpad.
    isa::Transfer& ld = p.xfer(p.append(isa::Opcode::kLoad, 0));
    ld = isa::Transfer{1000, 100, 64, 32, 3, 16};
    isa::Transfer& st = p.xfer(p.append(isa::Opcode::kStore, 0));
    st = isa::Transfer{p.onchip_base + 4096, 16, 0, 16, 2, 16};
    // COMPUTE 2 x 8 x 4, slab of 3 rows of 4 x 8 B: slab [0, 96), weights [200, 232), bias
    // [300, 316), acc [0, 32) written.
    isa::Compute& c = p.comp(p.append(isa::Opcode::kCompute, 0));
    c.m = 2;
    c.k = 8;
    c.n = 4;
    c.slab_rows = 3;
    c.w_addr = 200;
    c.bias_addr = 300;
    const Accesses a = model::accesses_of(p, p.instrs[0]);
    ASSERT_EQ(a.count, 2);
    EXPECT_EQ(a.at[0].space, Space::kDram);
    EXPECT_FALSE(a.at[0].write);
    EXPECT_EQ(a.at[0].lo, 1000u);
    EXPECT_EQ(a.at[0].hi, 1216u);  // 2 x 100 + 16
    EXPECT_EQ(a.at[1].space, Space::kSpad);
    EXPECT_TRUE(a.at[1].write);
    EXPECT_EQ(a.at[1].lo, 64u);
    EXPECT_EQ(a.at[1].hi, 144u);  // 64 + 2 x 32 + 16
    const Accesses s = model::accesses_of(p, p.instrs[1]);
    ASSERT_EQ(s.count, 2);
    EXPECT_EQ(s.at[0].space, Space::kSpad);  // the on-chip window: written
    EXPECT_TRUE(s.at[0].write);
    EXPECT_EQ(s.at[0].lo, 4096u);
    EXPECT_EQ(s.at[0].hi, 4128u);
    EXPECT_FALSE(s.at[1].write);  // the scratchpad side is read
    const Accesses k = model::accesses_of(p, p.instrs[2]);
    ASSERT_EQ(k.count, 4);
    EXPECT_EQ(k.at[0].hi, 96u);
    EXPECT_EQ(k.at[1].lo, 200u);
    EXPECT_EQ(k.at[1].hi, 232u);
    EXPECT_EQ(k.at[2].lo, 300u);
    EXPECT_EQ(k.at[2].hi, 316u);
    EXPECT_EQ(k.at[3].space, Space::kAcc);
    EXPECT_TRUE(k.at[3].write);
    EXPECT_EQ(k.at[3].hi, 32u);
}

// The worked example's memory system (docs/architecture.md, Load engine and DMA): 10 setup
// cycles, DRAM 16 B/cycle, latency 20, one channel; 16-byte scratchpad bank ports.
cfg::HwConfig small_memory_hw(const std::string& overlap) {
    cfg::HwConfig hw = cfg::default_hw_config();
    cfg::apply_overrides(
        hw, {"dma.setup_cycles=10", "dram.latency_cycles=20", "dram.bandwidth=16GB/s",
             "dram.channels=1", "scratchpad.bank_width=16", "controller.dispatch_cycles=1",
             "compiler.overlap=" + overlap});
    return hw;
}

// Layer 0 STOREs 64 B (spad [0, 64) -> DRAM 0x1000, its output); layer 1 LOADs 64 B from
// DRAM `load_from` into spad [0x100, 0x140). `full`: the first SYNC is a layer-end marker.
isa::Program store_then_load(uint64_t load_from, bool full, const cfg::HwConfig& hw) {
    isa::Program p;
    p.layers.resize(2);
    p.layers[0].name = "store";
    p.layers[0].output_addr = 0x1000;
    p.layers[0].output_bytes = 64;
    p.layers[1].name = "load";
    p.layers[1].output_addr = 0x3000;
    p.layers[1].output_bytes = 64;
    p.xfer(p.append(isa::Opcode::kStore, 0)) = isa::Transfer{0x1000, 64, 0, 64, 1, 64};
    p.append(isa::Opcode::kSync, 0).payload = full ? isa::kSyncLayerEnd : isa::kSyncBarrier;
    p.xfer(p.append(isa::Opcode::kLoad, 1)) = isa::Transfer{load_from, 64, 0x100, 64, 1, 64};
    p.append(isa::Opcode::kSync, 1);
    p.dram_size = hw.dram.size_bytes;
    p.dependency_table = full;
    return p;
}

run::RunResult run_timing(const cfg::HwConfig& hw, const isa::Program& p) {
    run::RunOptions o;
    o.functional = false;
    return run::simulate_program(hw, p, o);
}

TEST(NpuFullOverlap, TheNextLayersLoadRunsUnderTheStoreUnlessItReadsWhatTheStoreWrites) {
    // The STORE is decoded in cycle 0 and starts at 1: setup to 11, its burst reads the
    // scratchpad [11, 15) (64 B / 16 B per cycle), the DRAM takes it [15, 19), written at
    // 19 + 20 = 39.
    // - With a barrier: layer 0 ends at 39; the LOAD decodes [39, 40), starts at 40: setup to
    //   50, DRAM [50, 54), data at 74, scratchpad [74, 78): the run is 78.
    // - full, a LOAD from elsewhere (DRAM 0x2000): the marker decodes [1, 2), the LOAD [2, 3)
    //   and starts at 3 on the other DMA channel: setup to 13; the DRAM channel is taken
    //   [15, 19) by the STORE, so its burst gets [19, 23), data at 43, scratchpad [43, 47).
    //   Layer 0 still ends at 39, layer 1 at 47: the run is 47, and layer 1's span [3, 47)
    //   overlaps layer 0's by 39 - 3 = 36 cycles. No hazard wait.
    // - full, a LOAD of what the STORE writes (DRAM 0x1000, RAW): it waits from 3 until the
    //   STORE's write lands at 39 (36 hazard cycles), then setup to 49, DRAM [49, 53), data 73,
    //   scratchpad [73, 77): the run is 77, a cycle of dispatch less than with the barrier.
    const cfg::HwConfig barrier_hw = small_memory_hw("none");
    const cfg::HwConfig full_hw = small_memory_hw("full");
    const run::RunResult barrier =
        run_timing(barrier_hw, store_then_load(0x2000, false, barrier_hw));
    EXPECT_EQ(barrier.stats.layers[0].end_cycle, 39u);
    EXPECT_EQ(barrier.stats.layers[1].end_cycle, 78u);
    EXPECT_EQ(barrier.stats.total_cycles, 78u);
    EXPECT_FALSE(barrier.stats.layers[1].hazard_wait_cycles.has_value());

    const run::RunResult apart = run_timing(full_hw, store_then_load(0x2000, true, full_hw));
    EXPECT_EQ(apart.stats.layers[0].end_cycle, 39u);
    EXPECT_EQ(apart.stats.layers[1].start_cycle, 3u);
    EXPECT_EQ(apart.stats.layers[1].end_cycle, 47u);
    EXPECT_EQ(apart.stats.layers[1].overlapped_cycles, 36u);
    EXPECT_EQ(apart.stats.layers[1].exclusive_cycles, 8u);  // 47 - 39
    EXPECT_EQ(apart.stats.total_cycles, 47u);
    EXPECT_EQ(apart.stats.layers[1].hazard_wait_cycles, 0u);

    const run::RunResult raw = run_timing(full_hw, store_then_load(0x1000, true, full_hw));
    EXPECT_EQ(raw.stats.layers[0].end_cycle, 39u);
    EXPECT_EQ(raw.stats.layers[1].start_cycle, 39u);
    EXPECT_EQ(raw.stats.layers[1].end_cycle, 77u);
    EXPECT_EQ(raw.stats.total_cycles, 77u);
    EXPECT_EQ(raw.stats.layers[1].hazard_wait_cycles, 36u);
    EXPECT_EQ(raw.stats.components.find("npu.hazards.load_wait_cycles")->at(1), 36u);
    EXPECT_EQ(raw.stats.layers[1].overlapped_cycles, 0u);
    for (const run::RunResult* r : {&barrier, &apart, &raw}) {
        for (const stats::LayerStats& l : r->stats.layers) {
            EXPECT_EQ(l.limiters.total(), l.exclusive_cycles) << l.name;
        }
    }
}

TEST(NpuFullOverlap, ALayersOutputIsCapturedBeforeALaterLayerOverwritesIt) {
    // Layer 0 LOADs 64 bytes (1..64) from DRAM 0x1000 into scratchpad [0x100, 0x140), its output
    // (kept on chip), then 1 KiB elsewhere; layer 1 LOADs 64 other bytes (101..164) from DRAM
    // 0x2000 over layer 0's output. Layer 0's first LOAD is done long before layer 0 ends, so
    // without the read of the output at the layer's end in the table, layer 1's LOAD would
    // overwrite the output (a functional burst copies its data when it issues) before it is read.
    // - Layer 0's first LOAD starts at 1: setup to 11, one burst issued at 11, DRAM [11, 15), data
    //   35, scratchpad [35, 39). The load engine moves on at 12 and takes the 1 KiB LOAD on the
    //   other DMA channel: setup to 22, 16 bursts issued 22..37 (the engine moves on at 38), the
    //   DRAM channel takes them back to back [22, 26) .. [82, 86); the last lands at 106,
    //   scratchpad [106, 110): layer 0 ends, and its output is read, at 110.
    // - Layer 1's LOAD, taken at 38, conflicts with layer 0's first LOAD (WAW, done 39) and with
    //   the read of layer 0's output (WAR, at 110): 72 hazard cycles; from 110: setup to 120, DRAM
    //   [120, 124), data 144, scratchpad [144, 148): the run is 148.
    const cfg::HwConfig hw = small_memory_hw("full");
    isa::Program p;
    p.layers.resize(2);
    for (isa::LayerDesc& d : p.layers) {
        d.output_addr = p.onchip_base + 0x100;
        d.output_bytes = 64;
        d.residency = "on-chip";
    }
    p.xfer(p.append(isa::Opcode::kLoad, 0)) = isa::Transfer{0x1000, 64, 0x100, 64, 1, 64};
    p.xfer(p.append(isa::Opcode::kLoad, 0)) = isa::Transfer{0x4000, 1024, 0x800, 1024, 1, 1024};
    p.append(isa::Opcode::kSync, 0).payload = isa::kSyncLayerEnd;
    p.xfer(p.append(isa::Opcode::kLoad, 1)) = isa::Transfer{0x2000, 64, 0x100, 64, 1, 64};
    p.append(isa::Opcode::kSync, 1);
    p.dependency_table = true;
    p.dram_size = hw.dram.size_bytes;
    p.dram_bytes_used = 0x5000;
    std::vector<uint8_t> a(64), b(64);
    for (size_t i = 0; i < 64; ++i) {
        a[i] = static_cast<uint8_t>(1 + i);
        b[i] = static_cast<uint8_t>(101 + i);
    }
    p.dram_image.push_back({0x1000, a});
    p.dram_image.push_back({0x2000, b});
    const run::RunResult r = run::simulate_program(hw, p, {});
    ASSERT_EQ(r.outputs.size(), 2u);
    EXPECT_EQ(std::vector<uint8_t>(r.outputs[0].begin(), r.outputs[0].end()), a);
    EXPECT_EQ(std::vector<uint8_t>(r.outputs[1].begin(), r.outputs[1].end()), b);
    EXPECT_EQ(r.stats.layers[0].end_cycle, 110u);
    EXPECT_EQ(r.stats.layers[1].start_cycle, 110u);
    EXPECT_EQ(r.stats.layers[1].hazard_wait_cycles, 72u);
    EXPECT_EQ(r.stats.total_cycles, 148u);
}

// The bundled chips, loaded as the command line does, with compiler.overlap full (and more).
cfg::HwConfig chip(const std::string& name, std::vector<std::string> more = {}) {
    more.insert(more.begin(), "compiler.overlap=full");  // `more` may set it otherwise
    cfg::HwConfig hw =
        cfg::load_hw_config(std::string(NPUSIM_SOURCE_DIR) + "/configs/" + name + ".yaml", {});
    cfg::apply_overrides(hw, more);
    return hw;
}

struct NetCase {
    const char* chip;
    const char* workload;
    bool fusion;
};
class NpuFullOverlapNets : public ::testing::TestWithParam<NetCase> {};

TEST_P(NpuFullOverlapNets, EveryLayerBitExactAtBatchOneAndTwo) {
    const NetCase c = GetParam();
    std::vector<std::string> more;
    if (c.fusion) more.push_back("compiler.fusion=auto");
    const cfg::HwConfig hw = chip(c.chip, more);
    for (const int32_t batch : {1, 2}) {
        const run::RunResult r = run::simulate(hw, bundled(c.workload, batch), {});
        uint64_t previous_end = 0;
        for (const stats::LayerStats& l : r.stats.layers) {
            EXPECT_TRUE(l.checked && l.bit_exact) << c.chip << " " << c.workload << " batch "
                                                  << batch << " " << l.name << ": " << l.mismatches;
            ASSERT_TRUE(l.hazard_wait_cycles.has_value());
            EXPECT_GE(l.end_cycle, previous_end) << l.name;  // end cycles are monotonic
            previous_end = l.end_cycle;
        }
        test_support::expect_spans_add_up(r.stats);  // spans, exclusive and overlapped cycles
    }
}

INSTANTIATE_TEST_SUITE_P(
    Nets, NpuFullOverlapNets,
    ::testing::Values(
        NetCase{"edge_npu", "tiny_resnet", false}, NetCase{"edge_npu", "tiny_attention", false},
        NetCase{"edge_npu", "conv_small", false}, NetCase{"edge_npu", "gemm_small", false},
        NetCase{"edge_npu", "mobilenet_v2", false}, NetCase{"edge_npu", "tiny_resnet", true},
        NetCase{"edge_npu", "tiny_attention", true}, NetCase{"nvdla", "tiny_resnet", false},
        NetCase{"nvdla", "tiny_attention", false}, NetCase{"nvdla", "conv_small", false},
        NetCase{"nvdla", "gemm_small", false}, NetCase{"nvdla", "mobilenet_v2", false},
        NetCase{"nvdla", "tiny_resnet", true}, NetCase{"gemmini", "tiny_resnet", false},
        NetCase{"gemmini", "tiny_attention", false}, NetCase{"gemmini", "conv_small", false},
        NetCase{"gemmini", "gemm_small", false}, NetCase{"gemmini", "tiny_resnet", true},
        NetCase{"vta", "tiny_resnet", false}, NetCase{"vta", "tiny_attention", false},
        NetCase{"vta", "conv_small", false}, NetCase{"vta", "gemm_small", false},
        NetCase{"vta", "tiny_resnet", true}, NetCase{"vta", "conv_small", true},
        NetCase{"tpu_v1", "tiny_resnet", false}, NetCase{"tpu_v1", "tiny_attention", false},
        NetCase{"tpu_v1", "conv_small", false}, NetCase{"tpu_v1", "gemm_small", false},
        NetCase{"tpu_v1", "tiny_attention", true}),
    [](const ::testing::TestParamInfo<NetCase>& p) {
        return std::string(p.param.chip) + "_" + p.param.workload +
               (p.param.fusion ? "_fused" : "");
    });

TEST(NpuFullOverlap, WithoutTheHazardChecksOutputsGoWrong) {
    // The mutation check: the same run with every check clear (as if there were no table) lets
    // a later layer overwrite what an earlier one still reads or read what it has not written,
    // so some layer's output differs from the reference; with the checks, every layer is
    // bit-exact and the instructions did wait.
    const cfg::HwConfig hw = chip("edge_npu");
    const graph::Workload wl = bundled("tiny_resnet");
    const run::RunResult checked = run::simulate(hw, wl, {});
    uint64_t waited = 0;
    for (const stats::LayerStats& l : checked.stats.layers) {
        EXPECT_TRUE(l.bit_exact) << l.name;
        waited += *l.hazard_wait_cycles;
    }
    EXPECT_GT(waited, 0u);
    model::g_test_skip_hazard_checks = true;
    const run::RunResult unchecked = run::simulate(hw, wl, {});
    model::g_test_skip_hazard_checks = false;
    uint64_t wrong = 0;
    for (const stats::LayerStats& l : unchecked.stats.layers) wrong += l.bit_exact ? 0 : 1;
    EXPECT_GT(wrong, 0u);
    EXPECT_NE(unchecked.outputs, checked.outputs);
}

TEST(NpuFullOverlap, AOneLayerProgramRunsAsWithPrefetch) {
    // One layer: its SYNC is the program's last, a barrier, and nothing is of an earlier epoch.
    const graph::Workload wl = quant::prepare(graph::load_workload_from_string(R"(
name: one
seed: 3
input: {shape: [37, 50], scale: 0.05, zero_point: 0}
layers:
  - {name: g, op: gemm, n: 29, weight_scale: 0.01, output: {scale: 0.5, zero_point: 0}}
)",
                                                                               "one.yaml"));
    const run::RunResult full = run::simulate(chip("edge_npu"), wl, {});
    const run::RunResult prefetch =
        run::simulate(chip("edge_npu", {"compiler.overlap=prefetch"}), wl, {});
    ASSERT_EQ(full.stats.layers.size(), 1u);
    EXPECT_EQ(full.stats.total_cycles, prefetch.stats.total_cycles);
    EXPECT_EQ(full.stats.layers[0].end_cycle, prefetch.stats.layers[0].end_cycle);
    EXPECT_EQ(full.stats.layers[0].hazard_wait_cycles, 0u);
    EXPECT_EQ(full.outputs, prefetch.outputs);
    EXPECT_TRUE(full.stats.layers[0].bit_exact);
}

TEST(NpuFullOverlap, TheProgramMarksEveryLayerEndButTheLast) {
    compiler::CompileOptions co;
    co.with_data = false;
    const isa::Program p = compiler::compile(bundled("tiny_resnet"), chip("edge_npu"), co);
    const isa::Program pre = compiler::compile(bundled("tiny_resnet"),
                                               chip("edge_npu", {"compiler.overlap=prefetch"}), co);
    ASSERT_EQ(p.instrs.size(), pre.instrs.size());
    size_t markers = 0, barriers = 0;
    for (size_t i = 0; i < p.instrs.size(); ++i) {
        // The prefetch program, but for the SYNCs' payloads.
        EXPECT_EQ(p.instrs[i].op, pre.instrs[i].op) << i;
        if (p.instrs[i].op != isa::Opcode::kSync) continue;
        EXPECT_EQ(pre.instrs[i].payload, isa::kSyncBarrier);
        (p.instrs[i].payload == isa::kSyncLayerEnd ? markers : barriers) += 1;
    }
    EXPECT_EQ(barriers, 1u);
    EXPECT_EQ(markers, p.layers.size() - 1);
    EXPECT_EQ(p.instrs.back().payload, isa::kSyncBarrier);
}

TEST(NpuFullOverlap, ABadValueNamesTheThree) {
    try {
        (void)cfg::load_hw_config_from_string("compiler:\n  overlap: all\n", "hw.yaml", {});
        FAIL() << "expected a UserError";
    } catch (const UserError& e) {
        EXPECT_STREQ(e.what(),
                     "hw.yaml:2:12: compiler.overlap: expected one of none, prefetch, full, found "
                     "'all'");
    }
}

TEST(NpuFullOverlap, SplittingLayersOverCoresIsRefusedAndBatchRuns) {
    const graph::Workload wl = bundled("tiny_resnet", 2);
    try {
        (void)run::simulate(chip("edge_npu", {"cores=2", "compiler.partition=channel"}), wl, {});
        FAIL() << "expected a UserError";
    } catch (const UserError& e) {
        EXPECT_NE(std::string(e.what()).find("expected batch with compiler.overlap full"),
                  std::string::npos)
            << e.what();
    }
    const run::RunResult r =
        run::simulate(chip("edge_npu", {"cores=2", "compiler.partition=batch"}), wl, {});
    for (const stats::LayerStats& l : r.stats.layers) {
        EXPECT_TRUE(l.checked && l.bit_exact) << l.name;
        EXPECT_TRUE(l.hazard_wait_cycles.has_value()) << l.name;
    }
}

}  // namespace
}  // namespace npu

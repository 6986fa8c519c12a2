// The pipeline partition (`compiler.partition: pipeline`, sim/compiler/partition.h): the layers
// split into one contiguous stage per core by the compiler's cost estimate, the images of the
// batch flowing through the stages, core c + 1 starting image i once core c has signalled it
// (models/platform/stage_tokens.h). The split (the smallest largest stage, empty stages when the
// layers are fewer than the cores); the programs (one shared DRAM layout, each image's transfers
// in its own slot, WAIT and SIGNAL around each image's stage); small networks at 2 and 3 cores,
// batch 1 and 4, bit-exact against the reference and byte for byte the one-core run; the token
// waits cycle for cycle from the trace; PE-level arrays equal to the fast ones; the settings
// pipeline cannot run with refused with the exact message.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "sim/compiler/emit.h"
#include "sim/compiler/estimate.h"
#include "sim/compiler/fusion.h"
#include "sim/compiler/lower.h"
#include "sim/compiler/partition.h"
#include "sim/compiler/search.h"
#include "sim/core/error.h"
#include "sim/graph/workload.h"
#include "sim/graph/workload_loader.h"
#include "sim/report/figures.h"
#include "sim/run/simulation.h"
#include "tests/models/bundled.h"
#include "tests/models/multicore_checks.h"

namespace npu {
namespace {

using test_support::bundled;

cfg::HwConfig pipeline_hw(int cores, std::vector<std::string> more = {}) {
    more.push_back("compiler.partition=pipeline");
    return test_support::with_cores(cores, std::move(more));
}

std::vector<std::pair<size_t, size_t>> pairs(const std::vector<compiler::Stage>& stages) {
    std::vector<std::pair<size_t, size_t>> out;
    for (const compiler::Stage& s : stages) out.emplace_back(s.first, s.layers);
    return out;
}

TEST(PipelineSplit, SmallestLargestStageFilledInOrder) {
    using P = std::vector<std::pair<size_t, size_t>>;
    // Bound 10 (the largest layer): [10], [1], [1]: each stage leaves a layer to the later ones.
    EXPECT_EQ(pairs(compiler::split_layers({10, 1, 1}, 3)), (P{{0, 1}, {1, 1}, {2, 1}}));
    EXPECT_EQ(pairs(compiler::split_layers({1, 1, 10}, 3)), (P{{0, 1}, {1, 1}, {2, 1}}));
    // Bound 8: [4, 4], [4, 4].
    EXPECT_EQ(pairs(compiler::split_layers({4, 4, 4, 4}, 2)), (P{{0, 2}, {2, 2}}));
    // Bound 6 (3 + 3 | 3 + 1 beats 3 | 3 + 3 + 1 = 7): greedy [3, 3], [3, 1].
    EXPECT_EQ(pairs(compiler::split_layers({3, 3, 3, 1}, 2)), (P{{0, 2}, {2, 2}}));
    // Bound 5: [5], then the five 1s (5 <= 5).
    EXPECT_EQ(pairs(compiler::split_layers({5, 1, 1, 1, 1, 1}, 2)), (P{{0, 1}, {1, 5}}));
    // Bound 7 over 3 cores: [2, 5], [3, 4], [6].
    EXPECT_EQ(pairs(compiler::split_layers({2, 5, 3, 4, 6}, 3)), (P{{0, 2}, {2, 2}, {4, 1}}));
    // Fewer layers than cores: one each, the last core none.
    EXPECT_EQ(pairs(compiler::split_layers({1, 2}, 3)), (P{{0, 1}, {1, 1}, {2, 0}}));
    EXPECT_EQ(pairs(compiler::split_layers({7}, 1)), (P{{0, 1}}));
    EXPECT_THROW((void)compiler::split_layers({1}, 0), std::invalid_argument);
}

// The largest stage cost over every split of `costs` into `cores` contiguous (maybe empty) stages.
uint64_t best_largest(const std::vector<uint64_t>& costs, size_t from, int cores) {
    if (cores == 1) {
        uint64_t s = 0;
        for (size_t i = from; i < costs.size(); ++i) s += costs[i];
        return s;
    }
    uint64_t best = UINT64_MAX, sum = 0;
    for (size_t end = from; end <= costs.size(); ++end) {
        if (end > from) sum += costs[end - 1];
        best = std::min(best, std::max(sum, best_largest(costs, end, cores - 1)));
    }
    return best;
}

// tiny_resnet's layers (one image) over 2 and 3 cores: the stages are split_layers() of the
// compiler's per-layer cycles (estimate.h layer_cycles()), their largest stage the smallest of
// every split (brute force), and each core's program holds its stage's layers only.
TEST(PipelinePartition, StagesBalanceTheEstimate) {
    const graph::Workload wl = bundled("tiny_resnet");
    const cfg::HwConfig hw = pipeline_hw(1);
    const compiler::Lowered lowered = compiler::lower(wl, hw);
    const std::vector<compiler::LayerPlan> plans = compiler::search_mappings(lowered, hw);
    const compiler::Emitted emitted =
        compiler::emit(lowered, plans, compiler::group_layers(lowered));
    const std::vector<uint64_t> costs = compiler::layer_cycles(lowered, plans, emitted.program, hw);
    compiler::CompileOptions o;
    o.with_data = false;
    for (int cores : {2, 3}) {
        const compiler::Partitioned parts = compiler::compile_cores(wl, pipeline_hw(cores), o);
        EXPECT_EQ(parts.partition, Partition::kPipeline);
        EXPECT_EQ(pairs(parts.stages), pairs(compiler::split_layers(costs, cores)));
        uint64_t largest = 0;
        size_t next = 0;
        for (size_t c = 0; c < parts.stages.size(); ++c) {
            const compiler::Stage& s = parts.stages[c];
            EXPECT_EQ(s.first, next);
            EXPECT_GT(s.layers, 0u);
            next = s.first + s.layers;
            uint64_t sum = 0;
            for (size_t i = s.first; i < next; ++i) sum += costs[i];
            largest = std::max(largest, sum);
            for (const isa::Instr& in : parts.programs[c].instrs) {
                EXPECT_GE(in.layer, s.first);
                EXPECT_LT(in.layer, next);
            }
        }
        EXPECT_EQ(next, wl.layers.size());
        EXPECT_EQ(largest, best_largest(costs, 0, cores)) << cores << " cores";
    }
}

// tiny_resnet, batch 4, over 3 cores: one DRAM range shared by every core (core 0's program holds
// the DRAM image: weights once, the four input images); core c's program is, per image i, WAIT i
// (not on core 0), its stage's instructions of the one-image program with every DRAM tensor's
// transfers moved to image i's slot, SIGNAL i (not on the last core); a layer's MACs are the
// batch's on its core, 0 on the others; its output_bytes the batch's tensor. Some of a stage's
// own tensors stay on chip, in its core's window, one place for every image; every tensor a
// later stage reads is in DRAM.
TEST(PipelinePartition, ProgramsRunEachImageInItsOwnSlot) {
    const graph::Workload wl = bundled("tiny_resnet", 4);
    compiler::CompileOptions o;
    const compiler::Partitioned parts = compiler::compile_cores(wl, pipeline_hw(3), o);
    const compiler::Partitioned one = compiler::compile_cores(wl, pipeline_hw(1), o);
    const compiler::Partitioned image =
        compiler::compile_cores(graph::images_of(wl, 0, 1), pipeline_hw(1), o);
    ASSERT_EQ(parts.programs.size(), 3u);
    EXPECT_FALSE(parts.programs[0].dram_image.empty());
    constexpr uint64_t kWindow = compiler::kCoreWindowStride;
    bool any_onchip = false;
    for (size_t c = 0; c < 3; ++c) {
        const isa::Program& p = parts.programs[c];
        const compiler::Stage& s = parts.stages[c];
        EXPECT_TRUE(p.pipeline);
        EXPECT_FALSE(p.core_barrier);
        EXPECT_EQ(p.dram_base, parts.programs[0].dram_base);
        EXPECT_EQ(p.dram_bytes_used, parts.programs[0].dram_bytes_used);
        EXPECT_EQ(p.onchip_base, isa::kOnChipBase + c * compiler::kCoreWindowStride);
        if (c > 0) {
            EXPECT_TRUE(p.dram_image.empty());
        }
        EXPECT_EQ(p.counts().syncs, 4 * (s.layers + (c > 0 ? 1 : 0) + (c < 2 ? 1 : 0)));
        std::vector<uint32_t> waits, signals;
        for (const isa::Instr& in : p.instrs) {
            if (in.op == isa::Opcode::kWait) waits.push_back(in.payload);
            if (in.op == isa::Opcode::kSignal) signals.push_back(in.payload);
        }
        EXPECT_EQ(waits, c > 0 ? (std::vector<uint32_t>{0, 1, 2, 3}) : std::vector<uint32_t>{});
        EXPECT_EQ(signals, c < 2 ? (std::vector<uint32_t>{0, 1, 2, 3}) : std::vector<uint32_t>{});
        if (c > 0) {
            EXPECT_EQ(p.instrs.front().op, isa::Opcode::kWait);
            EXPECT_EQ(p.instrs.front().layer, s.first);
        }
        for (size_t li = 0; li < p.layers.size(); ++li) {
            const bool mine = li >= s.first && li < s.first + s.layers;
            EXPECT_EQ(p.layers[li].macs, mine ? one.programs[0].layers[li].macs : 0u) << li;
            EXPECT_EQ(p.layers[li].output_bytes, 4 * image.programs[0].layers[li].output_bytes);
        }
        // Every STORE of layer li, image i, lands in [output_addr + i * bytes, + bytes).
        const uint64_t per_image_stores = [&] {
            uint64_t n = 0;
            for (const isa::Instr& in : image.programs[0].instrs) {
                n += in.op == isa::Opcode::kStore && in.layer >= s.first &&
                             in.layer < s.first + s.layers
                         ? 1
                         : 0;
            }
            return n;
        }();
        uint64_t stores = 0, onchip_stores = 0;
        uint32_t img = 0, signalled = 0;  // the image of the instructions so far
        for (const isa::Instr& in : p.instrs) {
            if (in.op == isa::Opcode::kWait) img = in.payload;  // cores 1, 2
            if (in.op == isa::Opcode::kSignal) ++signalled;     // cores 0, 1
            if (c == 0) img = signalled;                        // core 0: no WAIT
            if (in.op != isa::Opcode::kStore) continue;
            ++stores;
            const uint64_t bytes = image.programs[0].layers[in.layer].output_bytes;
            // A tensor the stage keeps on chip: one place in the core's window for every image.
            const bool onchip = p.layers[in.layer].residency == "on-chip";
            onchip_stores += onchip ? 1 : 0;
            if (onchip) {
                EXPECT_EQ(p.layers[in.layer].output_addr & ~(kWindow - 1), p.onchip_base);
            }
            const uint64_t begin = p.layers[in.layer].output_addr + (onchip ? 0 : img * bytes);
            const isa::Transfer& x = p.xfer(in);
            EXPECT_GE(x.dram_addr, begin) << "core " << c << " image " << img;
            EXPECT_LE(x.dram_addr + (x.rows - 1) * x.dram_stride + x.row_bytes, begin + bytes)
                << "core " << c << " image " << img;
        }
        EXPECT_EQ(stores, 4 * per_image_stores);
        any_onchip = any_onchip || onchip_stores > 0;
    }
    EXPECT_TRUE(any_onchip);  // tiny_resnet's stages keep some of their own tensors on chip
    // A tensor read by a later stage is in DRAM (its reader is on another core).
    size_t crossing = 0;
    for (size_t li = 0; li < wl.layers.size(); ++li) {
        size_t producer = 0, reader = 0;
        for (size_t c = 0; c < 3; ++c) {
            const compiler::Stage& s = parts.stages[c];
            if (li >= s.first && li < s.first + s.layers) producer = c;
        }
        for (size_t r = li + 1; r < wl.layers.size(); ++r) {
            // No inputs: the previous layer's output (the chain rule).
            const std::vector<std::string> inputs =
                wl.layers[r].inputs.empty() ? std::vector<std::string>{wl.layers[r - 1].name}
                                            : wl.layers[r].inputs;
            for (const std::string& name : inputs) {
                if (name != wl.layers[li].name) continue;
                for (size_t c = 0; c < 3; ++c) {
                    const compiler::Stage& s = parts.stages[c];
                    if (r >= s.first && r < s.first + s.layers) reader = std::max(reader, c);
                }
            }
        }
        if (reader > producer) {
            ++crossing;
            EXPECT_EQ(parts.programs[producer].layers[li].residency, "dram") << li;
        }
    }
    EXPECT_GE(crossing, 2u);  // at least the two stage boundaries
}

struct PipelineCase {
    const char* workload;
    int32_t batch;
    int cores;
    const char* set;  // one more override, or ""
};

class PipelineNets : public ::testing::TestWithParam<PipelineCase> {};

// Every layer bit-exact against the reference and byte for byte the one-core run's outputs; the
// MACs are the one-core run's, each core's those of its stage; a layer runs on one core only
// (its span within that core's); the stages' tokens in the stats.
TEST_P(PipelineNets, BitExactAndEqualToOneCore) {
    const PipelineCase c = GetParam();
    const graph::Workload wl = bundled(c.workload, c.batch);
    std::vector<std::string> more;
    if (*c.set != '\0') more.push_back(c.set);
    const run::RunResult one = run::simulate(pipeline_hw(1, more), wl, {});
    const run::RunResult many = run::simulate(pipeline_hw(c.cores, more), wl, {});
    ASSERT_EQ(many.stats.cores.size(), size_t(c.cores));
    EXPECT_EQ(many.stats.partition, "pipeline");
    EXPECT_TRUE(report::check_summary(many.stats).all_checked_exact());
    EXPECT_EQ(report::check_summary(many.stats).checked, many.stats.layers.size());
    test_support::expect_layers_match_one_core(many, one);
    uint64_t macs = 0;
    int32_t next = 0;
    for (size_t k = 0; k < many.stats.cores.size(); ++k) {
        const stats::CoreStats& cs = many.stats.cores[k];
        EXPECT_EQ(cs.images, c.batch) << "core " << k;
        EXPECT_EQ(cs.first_layer, next) << "core " << k;
        next = cs.first_layer + cs.layers;
        uint64_t stage_macs = 0;
        for (int32_t i = cs.first_layer; i < next; ++i) {
            stage_macs += many.stats.layers[size_t(i)].macs_total;
            EXPECT_LE(many.stats.layers[size_t(i)].end_cycle, cs.end_cycle);
        }
        EXPECT_EQ(cs.macs, stage_macs) << "core " << k;
        macs += cs.macs;
    }
    EXPECT_EQ(size_t(next), many.stats.layers.size());
    EXPECT_EQ(macs, many.stats.total.macs);
    EXPECT_NE(many.stats.components.find_group("tokens"), nullptr);
    EXPECT_EQ(many.stats.components.find_group("barrier"), nullptr);
    // The last busy core signals nothing; every other signals each image once.
    const stats::StatGroup* tokens = many.stats.components.find_group("tokens");
    ASSERT_NE(tokens, nullptr);
    EXPECT_EQ(tokens->find("core0.images")->total(), c.cores > 1 ? uint64_t(c.batch) : 0u);
}

INSTANTIATE_TEST_SUITE_P(
    Nets, PipelineNets,
    ::testing::Values(PipelineCase{"tiny_resnet", 1, 2, ""},  // one image: no overlap
                      PipelineCase{"tiny_resnet", 1, 3, ""}, PipelineCase{"tiny_resnet", 4, 2, ""},
                      PipelineCase{"tiny_resnet", 4, 3, ""},  // skip connections across stages
                      PipelineCase{"tiny_attention", 1, 2, ""},
                      PipelineCase{"tiny_attention", 3, 3, ""},
                      PipelineCase{"conv_small", 4, 2, ""}, PipelineCase{"gemm_small", 3, 2, ""},
                      PipelineCase{"mobilenet_v2", 2, 3, ""},
                      PipelineCase{"tiny_resnet", 4, 3, "precision=fp16"},
                      PipelineCase{"tiny_resnet", 2, 2, "precision=int4"},
                      PipelineCase{"tiny_attention", 2, 2, "precision=fp16"},
                      PipelineCase{"tiny_resnet", 4, 2, "array.dataflow=os"},
                      PipelineCase{"tiny_resnet", 4, 3, "dram.model=banked"},
                      PipelineCase{"tiny_resnet", 3, 2, "scratchpad.size=16384"}),
    test_support::case_name<PipelineCase>);

// The weights are stored once, every input and tensor per image, all in DRAM: at least what a
// one-core run of the batch needs (which may keep tensors on chip); a DRAM too small is refused
// at dram.size.
TEST(PipelinePartition, NeedsTheDramOfOneCoreRunOfTheBatch) {
    const graph::Workload wl = bundled("tiny_resnet", 2);
    compiler::CompileOptions o;
    o.with_data = false;
    const uint64_t need =
        compiler::compile_cores(wl, pipeline_hw(2), o).programs[0].dram_bytes_used;
    EXPECT_GE(need, compiler::compile_cores(wl, pipeline_hw(1), o).programs[0].dram_bytes_used);
    EXPECT_EQ(test_support::partition_error(
                  pipeline_hw(2, {"dram.size=" + std::to_string(need - 1)}), wl),
              "--set: dram.size: expected at least the " + std::to_string(need) +
                  " B of DRAM that workload 'tiny_resnet' needs (weights, inputs and every "
                  "tensor), found " +
                  std::to_string(need - 1) + " B");
}

// More cores than layers (gemm_small has two): a layer each on cores 0 and 1, core 2 idle.
TEST(PipelinePartition, MoreCoresThanLayers) {
    const graph::Workload wl = bundled("gemm_small", 2);
    ASSERT_EQ(wl.layers.size(), 2u);
    const run::RunResult one = run::simulate(pipeline_hw(1), wl, {});
    const run::RunResult many = run::simulate(pipeline_hw(3), wl, {});
    test_support::expect_layers_match_one_core(many, one);
    ASSERT_EQ(many.stats.cores.size(), 3u);
    EXPECT_EQ(many.stats.cores[0].layers, 1);
    EXPECT_EQ(many.stats.cores[1].first_layer, 1);
    EXPECT_EQ(many.stats.cores[1].layers, 1);
    EXPECT_EQ(many.stats.cores[2].layers, 0);
    EXPECT_EQ(many.stats.cores[2].end_cycle, 0u);
    EXPECT_EQ(many.stats.cores[2].macs, 0u);
}

// The token waits, cycle for cycle (tiny_resnet, batch 4, 2 cores, dispatch 1 cycle). Core 0
// posts token i when its SIGNAL i completes: one dispatch cycle after the SYNC before it ends
// (every earlier instruction has completed by then). Core 1's WAIT i, reached one dispatch cycle
// after the instruction before it, ends at max(its start, that post); the wait cycles in the
// stats are the sum of those waits; core 1's stage starts (its first layer's start) the cycle its
// WAIT 0 ends: image 0 of stage 1 starts exactly when core 0's stage of image 0 is done, plus the
// SIGNAL's dispatch cycle.
TEST(PipelinePartition, TokenWaitsAreExact) {
    const graph::Workload wl = bundled("tiny_resnet", 4);
    run::RunOptions ro;
    ro.trace = true;
    const cfg::HwConfig hw = pipeline_hw(2);
    const run::RunResult r = run::simulate(hw, wl, ro);
    compiler::CompileOptions o;
    o.with_data = false;
    const compiler::Partitioned parts = compiler::compile_cores(wl, hw, o);
    const size_t offset = parts.programs[0].instrs.size();  // core 1's ids follow core 0's
    std::vector<uint64_t> posted(4, 0), sync_end(4, 0), wait_start(4, 0), wait_end(4, 0);
    uint64_t last_sync = 0;
    for (const stats::TraceEvent& ev : r.trace.events) {
        if (ev.engine != stats::TraceEngine::kController || ev.blocked) continue;
        const isa::Program& p = parts.programs[ev.core];
        const isa::Instr& in = p.instrs.at(ev.instr - (ev.core == 1 ? offset : 0));
        if (ev.core == 0 && in.op == isa::Opcode::kSync) last_sync = ev.end;
        if (ev.core == 0 && in.op == isa::Opcode::kSignal) {
            posted.at(in.payload) = ev.end;
            sync_end.at(in.payload) = last_sync;
        }
        if (ev.core == 1 && in.op == isa::Opcode::kWait) {
            wait_start.at(in.payload) = ev.start;
            wait_end.at(in.payload) = ev.end;
        }
    }
    uint64_t waited = 0;
    for (size_t i = 0; i < 4; ++i) {
        EXPECT_EQ(posted[i], sync_end[i] + 1) << "image " << i;
        EXPECT_EQ(wait_end[i], std::max(wait_start[i], posted[i])) << "image " << i;
        waited += wait_end[i] - wait_start[i];
    }
    EXPECT_GT(posted[0], wait_start[0]);  // core 1 waits for image 0
    EXPECT_EQ(r.stats.components.find("tokens.core1.wait_cycles")->total(), waited);
    EXPECT_EQ(r.stats.components.find("tokens.core0.wait_cycles")->total(), 0u);
    EXPECT_EQ(r.stats.components.find("tokens.core0.images")->total(), 4u);
    const size_t first1 = parts.stages[1].first;
    EXPECT_EQ(r.stats.layers.at(first1).start_cycle, posted[0]);
    // Core 0 ran ahead: it finished image 1's stage before core 1 finished image 0's.
    EXPECT_LT(posted[1], r.stats.layers.back().end_cycle);
    EXPECT_EQ(r.trace.cores, 2);
}

// Batch 4 over 2 cores: the images overlap (core 0 runs image i + 1 while core 1 runs image i),
// so the batch takes less than four one-image pipelined runs (the same program per image, the
// stages one after the other), and no less than half of them (two cores). At batch 1 nothing
// overlaps: on tiny_resnet the pipelined image is slower than one core's (which keeps tensors on
// chip; the pipeline moves every tensor through DRAM).
TEST(PipelinePartition, ABatchOverlapsOneImageDoesNot) {
    run::RunOptions o;
    o.functional = false;
    const graph::Workload b4 = bundled("tiny_resnet", 4), b1 = bundled("tiny_resnet");
    const uint64_t two4 = run::simulate(pipeline_hw(2), b4, o).stats.total_cycles;
    const uint64_t one1 = run::simulate(pipeline_hw(1), b1, o).stats.total_cycles;
    const uint64_t two1 = run::simulate(pipeline_hw(2), b1, o).stats.total_cycles;
    EXPECT_LT(two4, 4 * two1);
    EXPECT_GE(2 * two4, 4 * two1);
    EXPECT_GT(two1, one1);
}

// Two hand-written programs of two layers (no data): core 0 runs layer 0 (its SYNC alone) and
// SIGNALs image 0; core 1 WAITs for it, then runs layer 1. Dispatch is 1 cycle an instruction:
// core 0's SYNC decodes in cycle 0 and ends layer 0 at 1 (nothing to wait for); its SIGNAL
// decodes in cycle 1 and posts at 2. Core 1's WAIT decodes in cycle 0, reaches the tokens at 1
// and waits 1 cycle, to 2; layer 1 starts there, its SYNC ends it at 3.
isa::Program token_program(std::vector<std::pair<isa::Opcode, uint16_t>> instrs,
                           uint32_t image = 0) {
    isa::Program p;
    p.layers.resize(2);
    p.pipeline = true;
    for (const auto& [op, layer] : instrs) {
        isa::Instr& in = p.append(op, layer);
        if (op != isa::Opcode::kSync) in.payload = image;
    }
    return p;
}

TEST(StageTokens, AWaitEndsWhenThePreviousCoreSignals) {
    const isa::Program a = token_program({{isa::Opcode::kSync, 0}, {isa::Opcode::kSignal, 0}});
    const isa::Program b = token_program({{isa::Opcode::kWait, 1}, {isa::Opcode::kSync, 1}});
    run::RunOptions o;
    o.functional = false;
    const run::RunResult r = run::simulate_programs(pipeline_hw(2), {&a, &b}, o);
    ASSERT_EQ(r.stats.layers.size(), 2u);
    EXPECT_EQ(r.stats.layers[0].start_cycle, 0u);
    EXPECT_EQ(r.stats.layers[0].end_cycle, 1u);
    EXPECT_EQ(r.stats.layers[1].start_cycle, 2u);
    EXPECT_EQ(r.stats.layers[1].end_cycle, 3u);
    EXPECT_EQ(r.stats.total_cycles, 3u);
    EXPECT_EQ(r.stats.components.find("tokens.core1.wait_cycles")->total(), 1u);
    EXPECT_EQ(r.stats.components.find("tokens.core1.wait_cycles")->at(1), 1u);
    EXPECT_EQ(r.stats.components.find("tokens.core0.images")->at(0), 1u);
    // Layer 1's exclusive cycles (from layer 0's end) are 2: the wait and its SYNC, the wait
    // counted as dependency.
    EXPECT_EQ(r.stats.layers[1].exclusive_cycles, 2u);
    EXPECT_EQ(r.stats.layers[1].limiters.total(), 2u);
}

// The same with sync_cycles 4: the token posted at 2 reaches core 1 at 6, so its WAIT (at the
// tokens from cycle 1) waits 5 cycles; layer 1 runs from 6, its SYNC ends it at 7.
TEST(StageTokens, ATokenTakesSyncCyclesToCross) {
    const isa::Program a = token_program({{isa::Opcode::kSync, 0}, {isa::Opcode::kSignal, 0}});
    const isa::Program b = token_program({{isa::Opcode::kWait, 1}, {isa::Opcode::kSync, 1}});
    run::RunOptions o;
    o.functional = false;
    cfg::HwConfig hw = pipeline_hw(2);
    hw.sync_cycles = 4;
    const run::RunResult r = run::simulate_programs(hw, {&a, &b}, o);
    ASSERT_EQ(r.stats.layers.size(), 2u);
    EXPECT_EQ(r.stats.layers[0].end_cycle, 1u);
    EXPECT_EQ(r.stats.layers[1].start_cycle, 6u);
    EXPECT_EQ(r.stats.layers[1].end_cycle, 7u);
    EXPECT_EQ(r.stats.components.find("tokens.core1.wait_cycles")->at(1), 5u);
}

TEST(StageTokens, MalformedProgramsAreModelErrors) {
    run::RunOptions o;
    o.functional = false;
    const isa::Program idle = token_program({});
    // A SIGNAL of image 1 before image 0.
    const isa::Program skip = token_program({{isa::Opcode::kSignal, 0}}, 1);
    try {
        (void)run::simulate_programs(pipeline_hw(2), {&skip, &idle}, o);
        ADD_FAILURE() << "no error";
    } catch (const ModelError& e) {
        EXPECT_NE(std::string(e.what()).find(
                      "core 0 signals image 1 after 0 image(s): images are signalled in order"),
                  std::string::npos)
            << e.what();
    }
    // A WAIT on core 0, which has no previous core.
    const isa::Program first = token_program({{isa::Opcode::kWait, 0}});
    try {
        (void)run::simulate_programs(pipeline_hw(2), {&first, &idle}, o);
        ADD_FAILURE() << "no error";
    } catch (const ModelError& e) {
        EXPECT_NE(std::string(e.what()).find(
                      "core 0 waits for a token of the previous core, which it does not have"),
                  std::string::npos)
            << e.what();
    }
}

TEST(PipelinePartition, PeLevelArraysEqualFast) {
    const graph::Workload wl = bundled("tiny_resnet", 2);
    run::RunOptions po;
    po.fidelity = model::Fidelity::kPe;
    const run::RunResult runs[2] = {
        run::simulate(pipeline_hw(3, {"array.rows=8", "array.cols=8"}), wl, {}),
        run::simulate(pipeline_hw(3, {"array.rows=8", "array.cols=8"}), wl, po)};
    test_support::expect_pe_level_equals_fast(runs[0], runs[1]);
}

TEST(PipelinePartition, RefusesWhatItCannotRun) {
    const graph::Workload wl = bundled("tiny_resnet");
    EXPECT_EQ(test_support::partition_error(
                  pipeline_hw(2, {"compiler.fusion=auto", "compiler.overlap=prefetch"}), wl),
              "--set: compiler.partition: expected batch with compiler.fusion auto (pipeline "
              "hands every tensor from core to core through DRAM), found pipeline\n"
              "--set: compiler.partition: expected batch with compiler.overlap prefetch "
              "(pipeline hands every tensor from core to core through DRAM), found pipeline");
    graph::Workload pinned = wl;
    pinned.layers.at(1).pin_fuse = true;
    const std::string where = pinned.source_file + ":";
    EXPECT_EQ(test_support::partition_error(pipeline_hw(2), pinned),
              where + std::to_string(pinned.layers[1].source_line) + ":" +
                  std::to_string(pinned.layers[1].source_col) +
                  ": layers[1].fuse: expected no fusion pin with compiler.partition pipeline "
                  "(pipeline hands every tensor from core to core through DRAM), found fuse: "
                  "true on layer 'pool'");
    graph::Workload split = wl;
    split.layers.at(2).pin_partition = Partition::kChannel;
    EXPECT_EQ(test_support::partition_error(pipeline_hw(2), split),
              where + std::to_string(split.layers[2].source_line) + ":" +
                  std::to_string(split.layers[2].source_col) +
                  ": layers[2].partition: expected no partition pin with compiler.partition "
                  "pipeline (a pin chooses channel or spatial for one layer of a channel or "
                  "spatial run on several cores), found partition: channel on layer "
                  "'b1_conv1'");
    // A pin `partition: pipeline` is no pin: the loader takes channel or spatial only.
    try {
        (void)graph::load_workload_from_string(
            "input: {shape: [4, 4, 8], scale: 0.1, zero_point: 0}\nlayers:\n"
            "  - {name: c, op: conv2d, out_channels: 8, kernel: 1, weight_scale: 0.01, "
            "partition: pipeline}\n",
            "w.yaml");
        ADD_FAILURE() << "no error";
    } catch (const UserError& e) {
        EXPECT_EQ(std::string(e.what()),
                  "w.yaml:3:86: layers[0].partition: expected channel or spatial, found "
                  "'pipeline'");
    }
    // One core: no pipeline, nothing refused.
    EXPECT_EQ(test_support::partition_error(pipeline_hw(1, {"compiler.fusion=auto"}), wl),
              "(no error)");
}

// Every bundled chip at 4 cores, tiny_resnet at batch 4 (NPUSIM_PIPELINE_SWEEP=long, ctest
// multicore_pipeline_long: also BERT and ResNet-50 at batch 4, with data): bit-exact.
TEST(PipelinePartition, BundledChipsBitExact) {
    test_support::expect_bundled_chips_bit_exact("NPUSIM_PIPELINE_SWEEP", "pipeline", nullptr, 4);
}

}  // namespace
}  // namespace npu

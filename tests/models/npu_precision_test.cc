// Precisions through the NPU: int4 (and int8/int4 mixed per layer) runs bit-exact against the
// reference on the integer datapath at both fidelities; element sizes set the bytes moved; the
// array's cycles per MAC set its throughput; unsupported or unconvertible precisions are errors.
#include <gtest/gtest.h>

#include <string>
#include <systemc>

#include "sim/config/config_loader.h"
#include "sim/core/error.h"
#include "sim/graph/workload_loader.h"
#include "sim/quant/precisions.h"
#include "sim/quant/prepare.h"
#include "sim/quant/ptq.h"
#include "sim/run/simulation.h"

namespace npu {
namespace {

graph::Workload load(const std::string& name) {
    return quant::load_and_quantize(std::string(NPUSIM_SOURCE_DIR) + "/workloads/" + name +
                                    ".yaml");
}

cfg::HwConfig hw_at(const std::string& precision, std::vector<std::string> more = {}) {
    cfg::HwConfig hw = cfg::default_hw_config();
    more.push_back("precision=" + precision);
    cfg::apply_overrides(hw, more);
    return hw;
}

void expect_bit_exact(const run::RunResult& r) {
    for (const auto& l : r.stats.layers) {
        EXPECT_TRUE(l.checked) << l.name;
        EXPECT_TRUE(l.bit_exact) << l.name << " (" << l.op << "): " << l.mismatches
                                 << " mismatches";
    }
}

// First: under ASan an exception thrown after a SystemC simulation in the same process is
// misreported, and these throw before simulating.
TEST(NpuPrecision, UnsupportedAndUnconvertiblePrecisionsAreClearErrors) {
    const graph::Workload wl = load("default");
    run::RunOptions t;
    t.functional = false;
    try {
        (void)run::simulate(hw_at("fp32", {"array.cycles_per_mac.fp32=0"}), wl, t);
        FAIL() << "expected an error";
    } catch (const UserError& e) {
        EXPECT_NE(std::string(e.what()).find("no fp32 mode"), std::string::npos) << e.what();
    }
    graph::Workload mixed = wl;
    mixed.layers[1].precision = Precision::kFp32;  // reads conv1's int8 output
    try {
        (void)run::simulate(hw_at("int8"), mixed, t);
        FAIL() << "expected an error";
    } catch (const UserError& e) {
        const std::string m = e.what();
        EXPECT_NE(m.find("conv2"), std::string::npos) << m;
        EXPECT_NE(m.find("conversion"), std::string::npos) << m;
    }
}

TEST(NpuPrecision, Int4IsBitExactAtBothFidelitiesAndChangesTheWeights) {
    for (const char* net : {"tiny_resnet", "tiny_attention", "default"}) {
        const graph::Workload wl = load(net);
        const cfg::HwConfig hw = hw_at("int4");
        const run::RunResult fast = run::simulate(hw, wl, {});
        run::RunOptions po;
        po.fidelity = model::Fidelity::kPe;
        const run::RunResult pe = run::simulate(hw, wl, po);
        expect_bit_exact(fast);
        EXPECT_EQ(fast.outputs, pe.outputs) << net;
        EXPECT_EQ(fast.stats.total_cycles, pe.stats.total_cycles) << net;
        // The weights really are 4-bit: int8 gives other outputs.
        const run::RunResult i8 = run::simulate(hw_at("int8"), wl, {});
        EXPECT_NE(i8.outputs.back(), fast.outputs.back()) << net;
        const graph::Workload r = quant::resolve_precisions(wl, Precision::kInt4);
        for (const auto& l : r.layers) {
            EXPECT_EQ(l.precision, Precision::kInt4);
            const bool depthwise = l.groups > 1 && l.groups == l.in_c;
            if (l.kind != graph::OpKind::kConv2d && l.kind != graph::OpKind::kGemm) continue;
            if (depthwise) continue;
            for (int8_t w : l.weights) {
                ASSERT_GE(w, -7) << l.name;
                ASSERT_LE(w, 7) << l.name;
            }
        }
    }
}

TEST(NpuPrecision, Int4HalvesWeightTrafficAndIsPricedAsInt4) {
    const graph::Workload wl = load("gemm_small");
    run::RunOptions t;
    t.functional = false;
    const run::RunResult i8 = run::simulate(hw_at("int8"), wl, t);
    const run::RunResult i4 = run::simulate(hw_at("int4"), wl, t);
    EXPECT_LT(i4.stats.total.dram_read_bytes, i8.stats.total.dram_read_bytes);
    EXPECT_EQ(i4.stats.total.dram_write_bytes, i8.stats.total.dram_write_bytes);
    EXPECT_EQ(i4.stats.total.macs_int4, i4.stats.total.macs);
    EXPECT_EQ(i8.stats.total.macs_int4, 0u);
    EXPECT_EQ(i4.stats.layers[0].precision, "int4");
}

TEST(NpuPrecision, MixedInt8AndInt4PerLayerIsBitExact) {
    graph::Workload wl = load("tiny_resnet");
    uint64_t int4_macs = 0;
    for (size_t i = 0; i < wl.layers.size(); ++i) {
        graph::Layer& l = wl.layers[i];
        if (i % 2 == 0) {
            l.precision = Precision::kInt4;
            const bool depthwise = l.groups > 1 && l.groups == l.in_c;
            if ((l.kind == graph::OpKind::kConv2d || l.kind == graph::OpKind::kGemm) &&
                !depthwise) {
                int4_macs += static_cast<uint64_t>(l.macs());
            }
        }
    }
    ASSERT_GT(int4_macs, 0u);
    for (auto fidelity : {model::Fidelity::kFast, model::Fidelity::kPe}) {
        run::RunOptions o;
        o.fidelity = fidelity;
        const run::RunResult r = run::simulate(hw_at("int8"), wl, o);
        expect_bit_exact(r);
        EXPECT_EQ(r.stats.total.macs_int4, int4_macs);
        for (size_t i = 0; i < wl.layers.size(); ++i) {
            EXPECT_EQ(r.stats.layers[i].precision, i % 2 == 0 ? "int4" : "int8");
        }
    }
}

TEST(NpuPrecision, FloatDatapathIsBitExactAgainstTheFloatReference) {
    struct Array {
        const char* dataflow;
        const char* pipelining;
        int rows, cols;
    };
    for (const char* net : {"tiny_resnet", "tiny_attention"}) {
        const graph::Workload wl = load(net);
        for (const char* p : {"fp32", "bf16", "fp16"}) {
            for (const Array a : {Array{"ws", "overlap", 16, 16}, Array{"os", "none", 8, 4}}) {
                const cfg::HwConfig hw = hw_at(p, {std::string("array.dataflow=") + a.dataflow,
                                                   std::string("array.pipelining=") + a.pipelining,
                                                   "array.rows=" + std::to_string(a.rows),
                                                   "array.cols=" + std::to_string(a.cols)});
                const run::RunResult fast = run::simulate(hw, wl, {});
                EXPECT_TRUE(fast.stats.functional);
                expect_bit_exact(fast);
                run::RunOptions po;
                po.fidelity = model::Fidelity::kPe;
                const run::RunResult pe = run::simulate(hw, wl, po);
                EXPECT_EQ(fast.outputs, pe.outputs) << net << " " << p;
                EXPECT_EQ(fast.stats.total_cycles, pe.stats.total_cycles) << net << " " << p;
            }
        }
        // The formats differ: fp32 outputs are 4 bytes each, bf16 2.
        const run::RunResult f32 = run::simulate(hw_at("fp32"), wl, {});
        const run::RunResult bf = run::simulate(hw_at("bf16"), wl, {});
        EXPECT_EQ(f32.outputs.back().size(), 2 * bf.outputs.back().size());
    }
}

TEST(NpuPrecision, Bf16AndFp16MixRunButAreNotChecked) {
    graph::Workload wl = load("tiny_resnet");
    for (size_t i = 0; i < wl.layers.size(); ++i) {
        wl.layers[i].precision = i % 2 == 0 ? Precision::kBf16 : Precision::kFp16;
    }
    const run::RunResult r = run::simulate(hw_at("bf16"), wl, {});
    EXPECT_TRUE(r.stats.functional);
    for (const auto& l : r.stats.layers) EXPECT_FALSE(l.checked) << l.name;
    EXPECT_NE(r.stats.note.find("different float precisions"), std::string::npos) << r.stats.note;
}

TEST(NpuPrecision, FloatRunsMoveTheirElementSize) {
    const graph::Workload wl = load("default");
    run::RunOptions t;
    t.functional = false;
    const run::RunResult i8 = run::simulate(hw_at("int8"), wl, t);
    const run::RunResult f32 = run::simulate(hw_at("fp32"), wl, t);
    const run::RunResult f16 = run::simulate(hw_at("fp16"), wl, t);
    // One GEMM writes its output once: 4 and 2 bytes per element. (In `default` the int8
    // activations stay on chip where the wider ones do not fit.)
    const graph::Workload one = load("gemm_small");
    const uint64_t w8 = run::simulate(hw_at("int8"), one, t).stats.total.dram_write_bytes;
    EXPECT_EQ(run::simulate(hw_at("fp32"), one, t).stats.total.dram_write_bytes, 4 * w8);
    EXPECT_EQ(run::simulate(hw_at("bf16"), one, t).stats.total.dram_write_bytes, 2 * w8);
    EXPECT_EQ(f32.stats.total.macs_fp32, f32.stats.total.macs);
    EXPECT_EQ(f16.stats.total.macs_fp16, f16.stats.total.macs);
    EXPECT_GT(f32.stats.total_cycles, f16.stats.total_cycles);
    EXPECT_GT(f16.stats.total_cycles, i8.stats.total_cycles);
    // The data path does not change the timing.
    EXPECT_EQ(run::simulate(hw_at("fp32"), wl, {}).stats.total_cycles, f32.stats.total_cycles);
}

TEST(NpuPrecision, PoolingSlabsOfTheBlocksChannelsWhenWholeRowsDoNotFit) {
    // 8x8x64 pooling in a scratchpad too small for a double-buffered slab with every channel:
    // each channel block loads its own channels (a strided DMA). Bit-exact in int8 and fp32.
    const graph::Workload wl = quant::prepare(graph::load_workload_from_string(
        "name: split_pool\nseed: 3\ninput: {shape: [8, 8, 64], scale: 0.05, zero_point: -3}\n"
        "layers:\n"
        "  - {name: mp, op: maxpool, kernel: 3, stride: 1, padding: 1}\n"
        "  - {name: ap, op: avgpool, kernel: 3, stride: 2, padding: 1}\n"
        "  - {name: gp, op: global_avgpool}\n",
        "split_pool.yaml", {}));
    for (const auto& [p, spad] : {std::pair{"int8", "2KiB"}, std::pair{"fp32", "8KiB"}}) {
        const cfg::HwConfig hw = hw_at(p, {std::string("scratchpad.size=") + spad});
        const run::RunResult fast = run::simulate(hw, wl, {});
        expect_bit_exact(fast);
        for (const auto& l : fast.stats.layers) {
            EXPECT_NE(l.mapping.find("slabs of the block's channels"), std::string::npos)
                << p << " " << l.name << ": " << l.mapping;
        }
        run::RunOptions po;
        po.fidelity = model::Fidelity::kPe;
        EXPECT_EQ(run::simulate(hw, wl, po).outputs, fast.outputs) << p;
    }
}

TEST(NpuPrecision, CyclesPerMacStretchTheArrayAndFastEqualsPe) {
    const graph::Workload wl = load("gemm_small");
    for (const char* df : {"ws", "os"}) {
        const std::string d = std::string("array.dataflow=") + df;
        const run::RunResult one = run::simulate(hw_at("int8", {d}), wl, {});
        const run::RunResult three =
            run::simulate(hw_at("int8", {d, "array.cycles_per_mac.int8=3"}), wl, {});
        run::RunOptions po;
        po.fidelity = model::Fidelity::kPe;
        const run::RunResult three_pe =
            run::simulate(hw_at("int8", {d, "array.cycles_per_mac.int8=3"}), wl, po);
        expect_bit_exact(three);
        expect_bit_exact(three_pe);
        EXPECT_EQ(three.stats.total_cycles, three_pe.stats.total_cycles) << df;
        EXPECT_EQ(one.outputs, three.outputs) << df;
        // The stream phase triples; fill and drain do not.
        EXPECT_GT(three.stats.total.array_busy_cycles, 2 * one.stats.total.array_busy_cycles) << df;
        EXPECT_LT(three.stats.total.array_busy_cycles, 3 * one.stats.total.array_busy_cycles) << df;
    }
}

}  // namespace
}  // namespace npu

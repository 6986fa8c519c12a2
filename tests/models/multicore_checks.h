// What the multicore, channel and spatial tests share: the per-layer checks of a several-core run
// against the one-core run of the same workload (every layer checked and bit-exact, the same
// output bytes and MACs, its counters' MACs its own, its span ordered and its limiters adding up
// to its exclusive cycles), the PE-level check, the user error of compiling a partition, and the
// name of a parameterized case.
#pragma once

#include <gtest/gtest.h>

#include <cctype>
#include <cstdlib>
#include <functional>
#include <string>
#include <vector>

#include "sim/compiler/partition.h"
#include "sim/config/config_loader.h"
#include "sim/core/error.h"
#include "sim/report/figures.h"
#include "sim/run/simulation.h"
#include "tests/models/bundled.h"

namespace npu::test_support {

inline void expect_layers_match_one_core(const run::RunResult& many, const run::RunResult& one) {
    ASSERT_EQ(many.outputs.size(), one.outputs.size());
    ASSERT_EQ(many.stats.layers.size(), one.stats.layers.size());
    for (size_t i = 0; i < many.stats.layers.size(); ++i) {
        const auto& l = many.stats.layers[i];
        EXPECT_TRUE(l.checked && l.bit_exact) << l.name << ": " << l.mismatches << " mismatches";
        EXPECT_EQ(many.outputs[i], one.outputs[i]) << l.name;
        EXPECT_EQ(l.macs_total, one.stats.layers[i].macs_total) << l.name;
        EXPECT_EQ(l.counters.macs, l.macs_total) << l.name;
        EXPECT_LE(l.start_cycle, l.end_cycle) << l.name;
        EXPECT_EQ(l.exclusive_cycles, l.limiters.total()) << l.name;
    }
}

// Runs with fast and with PE-level arrays: the same outputs and, layer by layer, the same end
// cycles.
inline void expect_pe_level_equals_fast(const run::RunResult& fast, const run::RunResult& pe) {
    EXPECT_EQ(fast.outputs, pe.outputs);
    ASSERT_EQ(fast.stats.layers.size(), pe.stats.layers.size());
    for (size_t i = 0; i < fast.stats.layers.size(); ++i) {
        EXPECT_EQ(fast.stats.layers[i].end_cycle, pe.stats.layers[i].end_cycle)
            << fast.stats.layers[i].name;
    }
}

// The message of the npu::UserError that compiling `wl` over the cores of `hw` throws, or
// "(no error)".
inline std::string partition_error(const cfg::HwConfig& hw, const graph::Workload& wl) {
    try {
        (void)compiler::compile_cores(wl, hw, {});
    } catch (const UserError& e) {
        return e.what();
    }
    return "(no error)";
}

// Every bundled chip at 4 cores with compiler.partition `partition`: tiny_resnet, and with the
// environment variable `env` set to "long" BERT and ResNet-50 too (with data; a ctest entry of
// label long sets it), each at batch `batch`, with the config overrides `more` too. Every layer
// checked and bit-exact; the run reports the partition `reported(workload, hw)` gives (empty:
// `partition`).
inline void expect_bundled_chips_bit_exact(
    const char* env, const std::string& partition,
    const std::function<std::string(const graph::Workload&, const cfg::HwConfig&)>& reported =
        nullptr,
    int32_t batch = 1, const std::vector<std::string>& more = {}) {
    const char* sweep = std::getenv(env);
    const bool full = sweep != nullptr && std::string(sweep) == "long";
    const std::vector<const char*> nets =
        full ? std::vector<const char*>{"tiny_resnet", "bert_base_layer", "resnet50"}
             : std::vector<const char*>{"tiny_resnet"};
    for (const char* chip : {"edge_npu", "tpu_v1", "gemmini", "nvdla", "vta"}) {
        std::vector<std::string> sets = {"cores=4", "compiler.partition=" + partition};
        sets.insert(sets.end(), more.begin(), more.end());
        const cfg::HwConfig hw = cfg::load_hw_config(
            std::string(NPUSIM_SOURCE_DIR) + "/configs/" + chip + ".yaml", sets);
        for (const char* net : nets) {
            SCOPED_TRACE(std::string(chip) + " " + net);
            const graph::Workload wl = batch == 1 ? bundled(net) : bundled(net, batch);
            const run::RunResult r = run::simulate(hw, wl, {});
            EXPECT_TRUE(report::check_summary(r.stats).all_checked_exact());
            EXPECT_EQ(report::check_summary(r.stats).checked, r.stats.layers.size());
            EXPECT_EQ(r.stats.partition, reported ? reported(wl, hw) : partition);
        }
    }
}

// gtest's name of a case with fields workload, batch, cores and set (a --set text):
// "tiny_resnet_b1_c2_precision_fp16".
template <class Case>
std::string case_name(const ::testing::TestParamInfo<Case>& p) {
    std::string s = std::string(p.param.workload) + "_b" + std::to_string(p.param.batch) + "_c" +
                    std::to_string(p.param.cores);
    for (const char* q = p.param.set; *q != '\0'; ++q) {
        s += std::isalnum(static_cast<unsigned char>(*q)) ? *q : '_';
    }
    return s;
}

}  // namespace npu::test_support

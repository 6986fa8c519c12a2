// The per-layer checks of a several-core run against the one-core run of the same workload (the
// multicore and channel tests): every layer checked and bit-exact, the same output bytes and
// MACs, its counters' MACs its own, its span ordered and its limiters adding up to its exclusive
// cycles.
#pragma once

#include <gtest/gtest.h>

#include "sim/run/simulation.h"

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

}  // namespace npu::test_support

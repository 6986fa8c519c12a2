// Layer spans as sim/stats/stats.h defines them, for the cross-layer overlap tests
// (npu_overlap_test: compiler.overlap prefetch; npu_full_overlap_test: full).
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>

#include "sim/stats/stats.h"

namespace npu::test_support {

// Each layer's exclusive cycles run from the previous layer's end to its own, its overlapped
// cycles are the part of its span before the previous layer's end, its limiters add up to its
// exclusive cycles, and the exclusive cycles add up to the run's.
inline void expect_spans_add_up(const stats::RunStats& st) {
    uint64_t exclusive = 0, previous_end = 0;
    for (const stats::LayerStats& l : st.layers) {
        EXPECT_EQ(l.exclusive_cycles, l.end_cycle - previous_end) << l.name;
        EXPECT_EQ(l.overlapped_cycles, std::max(l.start_cycle, previous_end) - l.start_cycle)
            << l.name;
        EXPECT_EQ(l.limiters.total(), l.exclusive_cycles) << l.name;
        exclusive += l.exclusive_cycles;
        previous_end = l.end_cycle;
    }
    EXPECT_EQ(exclusive, st.total_cycles);
}

}  // namespace npu::test_support

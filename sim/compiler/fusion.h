// Pass 2 of the compiler: fusion grouping.
//
//   in:  Lowered (lower.h)
//   out: the layers cut into FusionGroups: runs of consecutive layers that are mapped, emitted
//        and scheduled together, whose intermediate tensors (produced inside the group and read
//        only inside it) stay on chip and never reach DRAM.
//
// Today there is no fusion: every layer is a group of its own (no intermediates), and every
// group ends with a SYNC barrier. The groups are the interface the fusion work fills: the memory
// planner (memory_plan.h) already keeps a group's intermediates on chip for the group's span
// before it places anything else, and reports a group whose intermediates do not fit.
#pragma once

#include <cstddef>
#include <vector>

#include "sim/compiler/lower.h"

namespace npu::compiler {

struct FusionGroup {
    size_t first = 0;  // layers [first, last]
    size_t last = 0;
    // Layers of the group whose outputs are intermediates (read only by later layers of the
    // group): they must stay on chip. Empty for a group of one layer.
    std::vector<size_t> intermediates;
};

// One group per layer, in order.
[[nodiscard]] std::vector<FusionGroup> group_layers(const Lowered& lowered);

// Checks that `groups` cover the layers 0..layer_count-1 in order without gaps or overlaps and
// that every intermediate is a layer of its group other than the last; throws
// std::invalid_argument (a compiler bug, not a user error) otherwise.
void check_groups(const std::vector<FusionGroup>& groups, size_t layer_count);

}  // namespace npu::compiler

#include "sim/compiler/fusion.h"

#include <stdexcept>
#include <string>

namespace npu::compiler {

std::vector<FusionGroup> group_layers(const Lowered& lowered) {
    std::vector<FusionGroup> groups(lowered.layers.size());
    for (size_t i = 0; i < groups.size(); ++i) groups[i] = {i, i, {}};
    return groups;
}

void check_groups(const std::vector<FusionGroup>& groups, size_t layer_count) {
    size_t next = 0;
    for (size_t g = 0; g < groups.size(); ++g) {
        const FusionGroup& fg = groups[g];
        if (fg.first != next || fg.last < fg.first) {
            throw std::invalid_argument("fusion group " + std::to_string(g) + " covers layers [" +
                                        std::to_string(fg.first) + ", " + std::to_string(fg.last) +
                                        "], expected a run starting at layer " +
                                        std::to_string(next));
        }
        for (size_t i : fg.intermediates) {
            if (i < fg.first || i >= fg.last) {
                throw std::invalid_argument(
                    "fusion group " + std::to_string(g) + " names layer " + std::to_string(i) +
                    " as an intermediate, expected one of layers [" + std::to_string(fg.first) +
                    ", " + std::to_string(fg.last) + ")");
            }
        }
        next = fg.last + 1;
    }
    if (next != layer_count) {
        throw std::invalid_argument("fusion groups cover " + std::to_string(next) + " of " +
                                    std::to_string(layer_count) + " layers");
    }
}

}  // namespace npu::compiler

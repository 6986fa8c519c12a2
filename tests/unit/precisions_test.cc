// Preparing a workload for its precisions (sim/quant/precisions.h): when a simulation can run the
// loaded workload as it is, without a copy.
#include "sim/quant/precisions.h"

#include <gtest/gtest.h>

#include <string>

#include "sim/graph/workload_loader.h"
#include "sim/quant/prepare.h"

namespace npu::quant {
namespace {

graph::Workload net() {
    return prepare(graph::load_workload_from_string(
        "name: p\nseed: 1\ninput: {shape: [6, 6, 4], scale: 0.05}\nlayers:\n"
        "  - {name: c, op: conv2d, out_channels: 8, kernel: 3, padding: 1, weight_scale: 0.01,\n"
        "     output: {scale: 0.1}}\n"
        "  - {name: d, op: conv2d, out_channels: 8, kernel: 3, padding: 1, groups: 8,\n"
        "     weight_scale: 0.01, output: {scale: 0.1}}\n",
        "p.yaml"));
}

TEST(Precisions, IntegerRunsNeedNoResolvedCopy) {
    const graph::Workload wl = net();
    EXPECT_FALSE(resolution_changes(wl, Precision::kInt8));
    // int4 requantizes the dense layer's weights; fp32 fills in float models.
    EXPECT_TRUE(resolution_changes(wl, Precision::kInt4));
    EXPECT_TRUE(resolution_changes(wl, Precision::kFp32));
    // What resolve_precisions does to an int8 run is making the precision explicit only.
    const graph::Workload r = resolve_precisions(wl, Precision::kInt8);
    for (size_t i = 0; i < wl.layers.size(); ++i) {
        EXPECT_EQ(r.layers[i].precision, Precision::kInt8);
        EXPECT_EQ(r.layers[i].weights, wl.layers[i].weights);
        EXPECT_EQ(r.layers[i].bias, wl.layers[i].bias);
        EXPECT_EQ(r.layers[i].requant.multiplier, wl.layers[i].requant.multiplier);
        EXPECT_TRUE(r.layers[i].float_weights.empty());
    }
    EXPECT_TRUE(r.float_input_data.empty());
}

TEST(Precisions, OneLayersOwnPrecisionDecides) {
    graph::Workload wl = net();
    wl.layers[1].precision = Precision::kInt4;  // depthwise weights stay int8: no change
    EXPECT_FALSE(resolution_changes(wl, Precision::kInt8));
    wl.layers[1].precision = Precision::kBf16;
    EXPECT_TRUE(resolution_changes(wl, Precision::kInt8));
    wl.layers[1].precision = Precision::kInt8;
    EXPECT_FALSE(resolution_changes(wl, Precision::kInt8));
    wl.layers[0].precision = Precision::kInt4;
    EXPECT_TRUE(resolution_changes(wl, Precision::kInt8));
}

}  // namespace
}  // namespace npu::quant

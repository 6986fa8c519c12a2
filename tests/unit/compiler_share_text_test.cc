// What the reports say each core of a channel or spatial run does (compiler::share_text), with
// and without layers pinned to the other split.
#include <gtest/gtest.h>

#include "sim/compiler/partition.h"

namespace npu {
namespace {

graph::Workload three_layers() {
    graph::Workload wl;
    wl.layers.resize(3);
    return wl;
}

TEST(ShareText, NamesTheSplitAndTheLayersPinnedToTheOther) {
    graph::Workload wl = three_layers();
    EXPECT_EQ(compiler::share_text(Partition::kChannel, wl), "its channels of every layer");
    EXPECT_EQ(compiler::share_text(Partition::kSpatial, wl), "its rows of every layer");
    EXPECT_EQ(compiler::share_text(Partition::kBatch, wl), "");
    EXPECT_EQ(compiler::share_text(Partition::kAuto, wl), "");
    EXPECT_EQ(compiler::share_text(Partition::kPipeline, wl),
              "its stage of the layers for every image");
    // A pin to the run's own split changes nothing; pins to the other split are counted.
    wl.layers[0].pin_partition = Partition::kChannel;
    EXPECT_EQ(compiler::share_text(Partition::kChannel, wl), "its channels of every layer");
    EXPECT_EQ(compiler::share_text(Partition::kSpatial, wl),
              "its rows of every layer (its channels of the 1 layer pinned channel)");
    wl.layers[2].pin_partition = Partition::kSpatial;
    wl.layers[1].pin_partition = Partition::kSpatial;
    EXPECT_EQ(compiler::share_text(Partition::kChannel, wl),
              "its channels of every layer (its rows of the 2 layers pinned spatial)");
}

}  // namespace
}  // namespace npu

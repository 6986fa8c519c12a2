// What the reports say each core of a channel or spatial run does (compiler::share_text), with
// and without layers pinned to the other split.
#include <gtest/gtest.h>

#include "sim/compiler/partition.h"

namespace npu {
namespace {

compiler::Partitioned split(Partition run, std::vector<Partition> layers) {
    compiler::Partitioned p;
    p.partition = run;
    p.layers = std::move(layers);
    return p;
}

TEST(ShareText, NamesTheSplitAndTheLayersPinnedToTheOther) {
    using P = Partition;
    EXPECT_EQ(compiler::share_text(split(P::kChannel, {P::kChannel, P::kChannel, P::kChannel})),
              "its channels of every layer");
    EXPECT_EQ(compiler::share_text(split(P::kSpatial, {P::kSpatial, P::kSpatial, P::kSpatial})),
              "its rows of every layer");
    EXPECT_EQ(compiler::share_text(split(P::kBatch, {})), "");
    EXPECT_EQ(compiler::share_text(split(P::kPipeline, {})),
              "its stage of the layers for every image");
    // Layers split the other way are counted as pinned.
    EXPECT_EQ(compiler::share_text(split(P::kSpatial, {P::kChannel, P::kSpatial, P::kSpatial})),
              "its rows of every layer (its channels of the 1 layer pinned channel)");
    EXPECT_EQ(compiler::share_text(split(P::kChannel, {P::kChannel, P::kSpatial, P::kSpatial})),
              "its channels of every layer (its rows of the 2 layers pinned spatial)");
}

TEST(ShareText, AutoCountsEachSplit) {
    using P = Partition;
    EXPECT_EQ(compiler::share_text(split(P::kAuto, {P::kChannel, P::kSpatial, P::kSpatial})),
              "its channels of 1 layer and its rows of 2 layers (chosen per layer by "
              "compiler.partition auto)");
    EXPECT_EQ(compiler::share_text(split(P::kAuto, {P::kSpatial, P::kSpatial})),
              "its rows of every layer (chosen per layer by compiler.partition auto)");
}

}  // namespace
}  // namespace npu

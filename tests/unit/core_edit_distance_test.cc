// The edit distance behind the loaders' "did you mean" suggestions (sim/core/edit_distance.h).
#include <gtest/gtest.h>

#include <string>

#include "sim/core/edit_distance.h"

namespace npu {
namespace {

TEST(EditDistance, CountsInsertionsDeletionsAndSubstitutions) {
    EXPECT_EQ(edit_distance("", ""), 0u);
    EXPECT_EQ(edit_distance("rows", "rows"), 0u);
    EXPECT_EQ(edit_distance("", "rows"), 4u);                  // 4 insertions
    EXPECT_EQ(edit_distance("rows", ""), 4u);                  // 4 deletions
    EXPECT_EQ(edit_distance("array.row", "array.rows"), 1u);   // 1 insertion
    EXPECT_EQ(edit_distance("arry.rows", "array.rows"), 1u);   // 1 insertion inside
    EXPECT_EQ(edit_distance("array.cols", "array.rows"), 2u);  // c->r, l->w
    EXPECT_EQ(edit_distance("kitten", "sitting"), 3u);         // k->s, e->i, +g
    EXPECT_EQ(edit_distance("flaw", "lawn"), 2u);              // -f, +n
    EXPECT_EQ(edit_distance("batch", "bacth"), 2u);            // a transposition is 2 edits
}

TEST(EditDistance, IsSymmetricAndAtLeastTheLengthGap) {
    const std::string words[] = {"",
                                 "a",
                                 "dram",
                                 "dram.model",
                                 "dram.preset",
                                 "scratchpad.size",
                                 "scratchpad.banks",
                                 "accumulator",
                                 "softmax",
                                 "sofmtax"};
    for (const std::string& a : words) {
        for (const std::string& b : words) {
            EXPECT_EQ(edit_distance(a, b), edit_distance(b, a)) << a << " / " << b;
            EXPECT_GE(edit_distance(a, b), length_gap(a, b)) << a << " / " << b;
            EXPECT_LE(edit_distance(a, b), std::max(a.size(), b.size())) << a << " / " << b;
        }
    }
    EXPECT_EQ(length_gap("dram", "dram.model"), 6u);
    EXPECT_EQ(length_gap("dram.model", "dram"), 6u);
}

}  // namespace
}  // namespace npu

#include <gtest/gtest.h>

#include "sim/core/error.h"

namespace npu {
namespace {

TEST(CoreError, DiagnosticFormatsLocationKeyAndMessage) {
    Diagnostic d{"configs/x.yaml", 12, 5, "array.rows", "expected an integer >= 1, found -3"};
    EXPECT_EQ(d.to_string(), "configs/x.yaml:12:5: array.rows: expected an integer >= 1, found -3");
    Diagnostic no_loc{"--set", 0, 0, "clock", "expected a frequency such as 1GHz, found 'fast'"};
    EXPECT_EQ(no_loc.to_string(), "--set: clock: expected a frequency such as 1GHz, found 'fast'");
}

TEST(CoreError, DiagnosticListReportsEverythingTogether) {
    DiagnosticList list;
    EXPECT_NO_THROW(list.throw_if_any());
    list.add({"a.yaml", 1, 1, "x", "bad"});
    list.add({"a.yaml", 2, 3, "y", "worse"});
    try {
        list.throw_if_any();
        FAIL() << "expected UserError";
    } catch (const UserError& e) {
        ASSERT_EQ(e.diagnostics().size(), 2u);
        EXPECT_STREQ(e.what(), "a.yaml:1:1: x: bad\na.yaml:2:3: y: worse");
    }
}

TEST(CoreError, ModelErrorNamesModuleCycleAndInstruction) {
    ModelError e("npu.compute", 1234, 17, "tile exceeds array");
    EXPECT_STREQ(
        e.what(),
        "internal model error in npu.compute at cycle 1234 (instruction 17): tile exceeds array");
}

}  // namespace
}  // namespace npu

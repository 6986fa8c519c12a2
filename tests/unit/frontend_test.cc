// The frontend dispatch: workloads load through one entry point, by file extension.
#include "sim/frontend/frontend.h"

#include <gtest/gtest.h>

#include "sim/core/error.h"

namespace {

std::string error_of(const std::string& path) {
    try {
        (void)npu::frontend::load_workload(path);
    } catch (const npu::UserError& e) {
        return e.diagnostics().at(0).to_string();
    }
    return "";
}

TEST(Frontend, LoadsYamlWorkloads) {
    const npu::graph::Workload wl =
        npu::frontend::load_workload(std::string(NPUSIM_SOURCE_DIR) + "/workloads/default.yaml");
    EXPECT_EQ(wl.name, "default");
    EXPECT_FALSE(wl.layers.empty());
}

TEST(Frontend, UnknownFormatNamesTheFileAndTheFormats) {
    EXPECT_EQ(
        error_of("model.txt"),
        "model.txt: expected a workload file ending in one of .yaml, .yml, .onnx, .csv, found "
        "'.txt'");
    EXPECT_EQ(
        error_of("model"),
        "model: expected a workload file ending in one of .yaml, .yml, .onnx, .csv, found 'no "
        "extension'");
}

// Issue 11's mutation campaign: `npusim import "" -o w.yaml` said "found 'no extension'" with no
// file, flag or argument named.
TEST(Frontend, AnEmptyModelPathNamesTheArgument) {
    try {
        (void)npu::frontend::format_for("");
        FAIL() << "expected a UserError";
    } catch (const npu::UserError& e) {
        EXPECT_EQ(e.diagnostics().at(0).to_string(),
                  "<command line>: MODEL: expected a model file (onnx, scalesim), found ''");
    }
}

}  // namespace

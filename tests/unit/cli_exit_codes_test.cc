// The command line's exit codes: a user error is 2 with every diagnostic, a model error (from a
// model process too: sim/run rethrows it) is 3 with its message, any other exception is 3.
#include <gtest/gtest.h>

#include <filesystem>
#include <new>
#include <sstream>
#include <stdexcept>

#include "sim/cli/exit_codes.h"
#include "sim/core/error.h"

namespace npu::cli {
namespace {

TEST(CliExitCodes, AModelErrorIsExit3WithItsMessage) {
    std::ostringstream err;
    const ModelError e("npu.compute", 1, 0, "block does not fit the array");
    EXPECT_EQ(report_error(std::make_exception_ptr(e), err), 3);
    EXPECT_EQ(err.str(),
              "error: internal model error in npu.compute at cycle 1 (instruction 0): block does "
              "not fit the array\n");
}

TEST(CliExitCodes, AUserErrorIsExit2WithEveryDiagnostic) {
    std::ostringstream err;
    const UserError e({Diagnostic{"hw.yaml", 3, 5, "array.rows", "expected an integer"},
                       Diagnostic{"--set", 0, 0, "dram.size", "expected a size"}});
    EXPECT_EQ(report_error(std::make_exception_ptr(e), err), 2);
    EXPECT_EQ(err.str(),
              "error: hw.yaml:3:5: array.rows: expected an integer\n"
              "error: --set: dram.size: expected a size\n");
}

TEST(CliExitCodes, AFileTheSystemRefusedIsExit2WithThePath) {
    std::ostringstream err;
    const std::filesystem::filesystem_error e(
        "copy", "out/x.json", std::make_error_code(std::errc::read_only_file_system));
    EXPECT_EQ(report_error(std::make_exception_ptr(e), err), 2);
    EXPECT_EQ(err.str(), "error: out/x.json: Read-only file system\n");
}

TEST(CliExitCodes, OutOfMemoryIsExit2NamingTheBound) {
    std::ostringstream err;
    EXPECT_EQ(report_error(std::make_exception_ptr(std::bad_alloc()), err), 2);
    EXPECT_EQ(err.str(),
              "error: out of memory: the config and workload need more host memory than this "
              "machine has (--max-memory bounds what a run may use)\n");
}

TEST(CliExitCodes, AnyOtherExceptionIsAnInternalErrorExit3) {
    std::ostringstream err;
    EXPECT_EQ(report_error(std::make_exception_ptr(std::runtime_error("boom")), err), 3);
    EXPECT_EQ(err.str(), "error: internal error: boom\n");
}

}  // namespace
}  // namespace npu::cli

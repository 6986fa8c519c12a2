// How the command line answers an exception: what it prints and the exit code it returns.
// Exit codes: 0 ok, 1 outputs differ from the reference, 2 bad input (UserError; a file the
// system refused, std::filesystem::filesystem_error; a config too big for this machine,
// std::bad_alloc), 3 an internal model error (ModelError, or any other exception: a fault of the
// simulator, never the user's).
// Plain C++ (unit-tested without a SystemC kernel).
#pragma once

#include <exception>
#include <ostream>

namespace npu::cli {

inline constexpr int kModelErrorExitCode = 3;

// Prints `e` to `err` ("error: ..." lines: every diagnostic of a UserError) and returns its exit
// code: kUserErrorExitCode for a UserError, a filesystem_error or bad_alloc,
// kModelErrorExitCode for anything else.
[[nodiscard]] int report_error(const std::exception_ptr& e, std::ostream& err);

}  // namespace npu::cli

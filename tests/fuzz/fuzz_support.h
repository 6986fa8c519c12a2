// Shared by the fuzz targets (tests/fuzz): what every refusal must look like, and how a target
// reports a broken property (abort, so libFuzzer and the replay test both see a crash).
#pragma once

#include <cstdio>
#include <cstdlib>
#include <string>

#include "sim/core/error.h"

namespace npu::fuzz {

[[noreturn]] inline void fail(const std::string& what) {
    std::fprintf(stderr, "fuzz property broken: %s\n", what.c_str());
    std::abort();
}

// A refusal carries at least one diagnostic, each with a message, and never echoes a huge value.
inline void expect_messages(const UserError& e) {
    if (e.diagnostics().empty()) fail("UserError without a diagnostic");
    for (const Diagnostic& d : e.diagnostics()) {
        if (d.message.empty()) fail("a diagnostic without a message");
        if (d.to_string().size() > 4096)
            fail("a message of " + std::to_string(d.to_string().size()) +
                 " characters: " + d.to_string().substr(0, 200));
    }
}

}  // namespace npu::fuzz

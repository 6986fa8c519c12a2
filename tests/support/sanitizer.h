// Tests that throw an exception inside a SystemC process skip themselves in an AddressSanitizer
// build (the Release pass runs them).
//
// Why: Debian's libsystemc announces its coroutine stack switches to ASan, but hands it stale
// stack bounds (see restore_sanitizer_stack in models/process.cc). An exception thrown while the
// kernel runs, on a coroutine or on the kernel's own stack, is then unwound without ASan
// unpoisoning those frames, and the poisoned shadow left behind is reported later as a false
// stack-buffer-overflow, or as a CHECK failure in asan_thread.cpp, in whatever test runs next on
// that memory. models/process.cc repairs the bounds after each simulation, so exceptions thrown
// outside the kernel are fine; only a throw inside a running process is not. In a run that
// succeeds the models throw nowhere, and every SystemC thread ends by returning (none is killed
// when the kernel context is destroyed), so everything else runs under ASan.
#pragma once

#include <gtest/gtest.h>

#if defined(__SANITIZE_ADDRESS__)
#define NPUSIM_SKIP_IF_ASAN_THROWS_IN_A_PROCESS()                                              \
    GTEST_SKIP() << "throws inside a SystemC process: ASan cannot follow SystemC's coroutine " \
                    "stacks (tests/support/sanitizer.h)"
#else
#define NPUSIM_SKIP_IF_ASAN_THROWS_IN_A_PROCESS() static_cast<void>(0)
#endif

// A test's SystemC thread: runs `body` once, inside model::guarded (an exception it throws ends
// the simulation and is rethrown by model::rethrow_process_error after sc_start).
#pragma once

#include <functional>
#include <systemc>
#include <utility>

#include "models/process.h"

namespace npu::test_support {

struct Driver : sc_core::sc_module {
    SC_HAS_PROCESS(Driver);
    Driver(sc_core::sc_module_name name, std::function<void()> body)
        : sc_module(name), m_body(std::move(body)) {
        SC_THREAD(run);
    }
    void run() { model::guarded(m_body); }
    std::function<void()> m_body;
};

}  // namespace npu::test_support

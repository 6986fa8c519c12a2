#include "models/process.h"

#include <cstdlib>

#if defined(__SANITIZE_ADDRESS__)
#include <pthread.h>
#include <sanitizer/common_interface_defs.h>
#endif

#include "sim/core/error.h"

namespace npu::model {

using sc_core::sc_time;

namespace {

// The first exception a process threw in the running simulation. Simulations in one process run
// one after the other (sim/run), so one slot is enough.
std::exception_ptr g_process_error;

// AddressSanitizer builds only. Debian's libsystemc announces its coroutine stack switches to
// ASan (__sanitizer_start/finish_switch_fiber), but when the kernel switches back to the thread
// that called sc_start it hands ASan the bounds of the last coroutine, not the thread's own
// stack. ASan then believes the thread runs on that coroutine's stack: a later throw on the real
// stack unpoisons the wrong range (ASan prints "ignoring requested __asan_handle_no_return"), and
// the frames the exception unwinds leave poisoned shadow behind, reported later as a false
// stack-buffer-overflow. After the kernel has run, tell ASan the calling thread's real stack
// again (a switch from the thread's stack to itself).
void restore_sanitizer_stack() {
#if defined(__SANITIZE_ADDRESS__)
    pthread_attr_t attr;
    if (pthread_getattr_np(pthread_self(), &attr) != 0) return;
    void* bottom = nullptr;
    size_t size = 0;
    const int got = pthread_attr_getstack(&attr, &bottom, &size);
    pthread_attr_destroy(&attr);
    if (got != 0) return;
    void* fake_stack = nullptr;
    __sanitizer_start_switch_fiber(&fake_stack, bottom, size);
    __sanitizer_finish_switch_fiber(fake_stack, nullptr, nullptr);
#endif
}

}  // namespace

void check_time_resolution() {
    if (sc_time(1, sc_core::SC_NS).value() != kTimeUnitsPerCycle) {
        throw ModelError("kernel", 0, -1,
                         "the SystemC time resolution is not 1 ps; cycles would be misread");
    }
}

sc_time cycles_to_time(uint64_t cycles) { return sc_time::from_value(cycles * kTimeUnitsPerCycle); }

uint64_t time_to_cycles(const sc_time& t) { return t.value() / kTimeUnitsPerCycle; }

void wait_until(uint64_t cycle) {
    const uint64_t now = now_cycles();
    if (cycle > now) sc_core::wait(cycles_to_time(cycle - now));
}

void advance_to(uint64_t cycle) {
    const uint64_t now = now_cycles();
    if (cycle <= now) return;
    const sc_time until = cycles_to_time(cycle - now);
    if (sc_core::sc_time_to_pending_activity() > until) return;
    sc_core::wait(until);
}

void notify_after(sc_core::sc_event& e, uint64_t cycles) {
    ++detail::g_notifications;
    if (cycles == 0) {
        e.notify(sc_core::SC_ZERO_TIME);
    } else {
        e.notify(cycles_to_time(cycles));
    }
}

uint64_t next_activity_cycle() {
    const uint64_t pending = time_to_cycles(sc_core::sc_time_to_pending_activity());
    const uint64_t now = now_cycles();
    return pending > UINT64_MAX - now ? UINT64_MAX : now + pending;
}

KernelContext::KernelContext() {
    setenv("SC_COPYRIGHT_MESSAGE", "DISABLE", 0);
    clear_process_error();
    sc_core::sc_curr_simcontext = new sc_core::sc_simcontext();
    sc_core::sc_default_global_context = sc_core::sc_curr_simcontext;
    sc_core::sc_report_handler::set_actions(sc_core::SC_WARNING,
                                            sc_core::SC_DISPLAY | sc_core::SC_THROW);
    // A process error stops the simulation (sc_stop): the error is what gets reported, not the
    // kernel's note "Simulation stopped by user." (an info of type "/OSCI/SystemC").
    sc_core::sc_report_handler::set_actions("/OSCI/SystemC", sc_core::SC_INFO,
                                            sc_core::SC_DO_NOTHING);
}

KernelContext::~KernelContext() {
    delete sc_core::sc_curr_simcontext;
    sc_core::sc_curr_simcontext = nullptr;
    sc_core::sc_default_global_context = nullptr;
    restore_sanitizer_stack();
}

void keep_process_error(std::exception_ptr e) {
    if (g_process_error) return;  // a second sc_stop() would be a kernel warning
    g_process_error = std::move(e);
    sc_core::sc_stop();
}

void rethrow_process_error() {
    restore_sanitizer_stack();  // called after every sc_start
    if (!g_process_error) return;
    std::exception_ptr e = g_process_error;
    g_process_error = nullptr;
    std::rethrow_exception(e);
}

void clear_process_error() { g_process_error = nullptr; }

}  // namespace npu::model

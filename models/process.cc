#include "models/process.h"

#include <algorithm>
#include <array>
#include <cstdlib>
#include <memory>
#include <string>
#include <unordered_map>

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
                         "the SystemC time resolution is not 1 fs; cycles would be misread");
    }
}

sc_time cycles_to_time(uint64_t cycles) { return sc_time::from_value(cycles * kTimeUnitsPerCycle); }

namespace {
// The ring (detail::g_ring, process.h) and the map of the cycles whose slot another cycle still to
// come held when they took their first ticket, with the size at which the map drops the cycles
// that have passed next.
std::unordered_map<uint64_t, uint32_t> g_far;
size_t g_far_prune_at = 64;
// set_kernel_probe()'s event (made in the running simulation's context).
std::unique_ptr<sc_core::sc_event> g_probe;

void clear_tickets() {
    detail::g_ring.fill(detail::TicketSlot{});
    g_far.clear();
    g_far_prune_at = 64;
}

// A new count of `cycle` in the map (its ring slot holds another cycle to come; it is not in
// the map yet).
uint32_t& far_tickets_of(uint64_t cycle) {
    const uint64_t now = now_cycles();
    if (g_far.size() >= g_far_prune_at) {  // drop the cycles that have passed
        for (auto p = g_far.begin(); p != g_far.end();) {
            if (p->first <= now) {
                --detail::g_ring[p->first % detail::kTicketRing].far;
                p = g_far.erase(p);
            } else {
                ++p;
            }
        }
        g_far_prune_at = 2 * g_far.size() + 64;
    }
    ++detail::g_ring[cycle % detail::kTicketRing].far;
    return g_far[cycle];
}

uint32_t& tickets_of(uint64_t cycle) {
    detail::TicketSlot& slot = detail::g_ring[cycle % detail::kTicketRing];
    if (slot.cycle == cycle) return slot.taken;
    if (slot.far > 0) {
        const auto it = g_far.find(cycle);
        if (it != g_far.end()) return it->second;
    }
    if (slot.cycle == UINT64_MAX || slot.cycle <= now_cycles()) {
        slot.cycle = cycle;
        slot.taken = 0;
        return slot.taken;
    }
    return far_tickets_of(cycle);
}
}  // namespace

void set_kernel_probe(uint64_t ahead) { detail::g_probe_ahead = ahead; }

void use_same_cycle_tickets(bool on) { detail::g_use_tickets = on; }

uint64_t detail::wake_time_slow(uint64_t cycle) {
    if (!g_use_tickets) return cycle * kTimeUnitsPerCycle;
    uint32_t& taken = tickets_of(cycle);
    if (taken == kTimeUnitsPerCycle) {
        throw ModelError("kernel", now_cycles(), -1,
                         "more than " + std::to_string(kTimeUnitsPerCycle) +
                             " wake-ups requested for cycle " + std::to_string(cycle) +
                             " (the kernel time units of one cycle)");
    }
    return cycle * kTimeUnitsPerCycle + taken++;
}

sc_time span_to(uint64_t cycle) { return time_of_units(wake_time(cycle) - now_time()); }

uint64_t time_to_cycles(const sc_time& t) { return t.value() / kTimeUnitsPerCycle; }

void wait_until(uint64_t cycle) {
    if (cycle > now_cycles()) wait_in_window([cycle] { sc_core::wait(span_to(cycle)); });
}

void advance_to(uint64_t cycle) {
    if (cycle <= now_cycles()) return;
    // Nothing pending up to the end of `cycle`: nobody acts before this thread would.
    if (next_activity_time() / kTimeUnitsPerCycle > cycle) return;
    wait_in_window([cycle] { sc_core::wait(span_to(cycle)); });
}

void notify_after(sc_core::sc_event& e, uint64_t cycles) {
    if (cycles > 0) {
        notify_at(e, now_cycles() + cycles);
        return;
    }
    ++detail::g_notifications;
    e.notify(sc_core::SC_ZERO_TIME);
    detail::probe_after_notification();
}

void detail::probe_notification() {
    if (!g_probe) g_probe = std::make_unique<sc_core::sc_event>();
    g_probe->notify(span_to(now_cycles() + g_probe_ahead));
    g_probe->cancel();
}

bool same_cycle_tickets() { return detail::g_use_tickets; }

void release_held_wakes() {
    if (detail::g_held.event == nullptr) return;
    const detail::HeldWake held = detail::g_held;
    detail::g_held = detail::HeldWake{};
    ++detail::g_notifications;
    held.event->notify(time_of_units(held.time - now_time()));
    if (held.released != nullptr) *held.released = true;
    detail::probe_after_notification();
}

namespace {
// The kernel's own next pending activity (units), held wake-ups not counted; inline for
// next_activity_time() (advance_to asks it per burst).
inline uint64_t kernel_next() {
    const uint64_t pending = sc_core::sc_time_to_pending_activity().value();
    const uint64_t now = now_time();
    return pending > UINT64_MAX - now ? UINT64_MAX : now + pending;
}
}  // namespace

uint64_t next_activity_time() { return std::min(kernel_next(), detail::g_held.time); }

uint64_t next_activity_cycle() {
    const uint64_t at = next_activity_time();
    return at == UINT64_MAX ? UINT64_MAX : at / kTimeUnitsPerCycle;
}

KernelContext::KernelContext() {
    setenv("SC_COPYRIGHT_MESSAGE", "DISABLE", 0);
    clear_process_error();
    clear_tickets();
    detail::g_held = detail::HeldWake{};  // a simulation that threw may have left one
    detail::g_hold_open = false;
    sc_core::sc_curr_simcontext = new sc_core::sc_simcontext();
    sc_core::sc_default_global_context = sc_core::sc_curr_simcontext;
    // 1 fs: kTimeUnitsPerCycle units per nanosecond (check_time_resolution).
    sc_core::sc_set_time_resolution(1, sc_core::SC_FS);
    sc_core::sc_report_handler::set_actions(sc_core::SC_WARNING,
                                            sc_core::SC_DISPLAY | sc_core::SC_THROW);
    // A process error stops the simulation (sc_stop): the error is what gets reported, not the
    // kernel's note "Simulation stopped by user." (an info of type "/OSCI/SystemC").
    sc_core::sc_report_handler::set_actions("/OSCI/SystemC", sc_core::SC_INFO,
                                            sc_core::SC_DO_NOTHING);
}

KernelContext::~KernelContext() {
    g_probe.reset();
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

// What every model shares with the SystemC kernel: cycles as kernel time, waiting for a cycle,
// and carrying an exception out of a process.
//
// Time: one SystemC nanosecond stands for one NPU cycle (reports convert with the configured
// clock), so every cycle count is an exact integer. There is no sc_clock: a process waits
// exactly as long as its work takes.
//
// Same-cycle order, a rule of the model: processes due at the same cycle run in the order they
// asked for it (oldest request first). Every timed wake-up the models request (wait_until,
// advance_to, Advancer, the DMA's wait for a completion, notify_after with a delay) takes a ticket,
// the next free kernel time inside that cycle: the cycle's first request runs at cycle x
// kTimeUnitsPerCycle, the next one unit later, and so on (wake_time()). No two timed wake-ups share
// a kernel time, so the SystemC kernel's event queue never breaks a tie (it orders equal times by
// its history: which notifications were made and cancelled before), and a notification nobody waits
// for changes nobody's order (tests/models/same_cycle_order_test.cc). now_cycles() is the cycle (a
// ticket is below one cycle). Immediate and delta notifications keep the kernel's evaluation
// order: the order of the notifications that made the processes runnable.
// use_same_cycle_tickets(false) gives the kernel's order back (tests show what the rule fixes).
//
// Errors: SystemC turns an exception that leaves a process into its own report (E549), which
// loses the type. Every process body runs inside guarded(): the first exception is kept, the
// simulation stops, and sim/run rethrows it after sc_start (rethrow_process_error), so a
// ModelError reaches the command line as exit code 3 with its message.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <exception>
#include <systemc>

namespace npu::model {

// Kernel time units per cycle: the resolution KernelContext sets (1 fs) per nanosecond, room for
// a million same-cycle tickets in a cycle (see "Same-cycle order"); 2^64 fs is 1.8e13 cycles.
// Checked when a simulation context is made (check_time_resolution).
inline constexpr uint64_t kTimeUnitsPerCycle = 1000000;
// Throws ModelError unless one cycle (1 ns) is kTimeUnitsPerCycle units of kernel time.
void check_time_resolution();

// The kernel's time read through its inline accessor (sc_time_stamp() is the same value behind a
// library call; the models ask for the time several times per burst and per tile).
[[nodiscard]] inline uint64_t now_cycles() {
    return sc_core::sc_get_curr_simcontext()->time_stamp().value() / kTimeUnitsPerCycle;
}
// A span of `units` kernel time units as an sc_time: sc_time::from_value() without its library
// call, which only stores the value and marks the time resolution fixed (done long before: the
// first sc_time a simulation makes, check_time_resolution, marks it). An sc_time is its one
// value_type (checked here); tests/models/same_cycle_order_test.cc compares it with from_value.
// The models' notifications and timed waits go through it (a few per DRAM wake-up).
[[nodiscard]] inline sc_core::sc_time time_of_units(uint64_t units) {
    static_assert(sizeof(sc_core::sc_time) == sizeof(sc_core::sc_time::value_type));
    sc_core::sc_time t;
    std::memcpy(static_cast<void*>(&t), &units, sizeof units);
    return t;
}
// A span of `cycles` as kernel time (the models' waits go through wait_until and the others).
[[nodiscard]] sc_core::sc_time cycles_to_time(uint64_t cycles);
// Whether timed wake-ups take tickets (see "Same-cycle order"; on by default). Set it before a
// simulation starts.
void use_same_cycle_tickets(bool on);
namespace detail {
// Tickets taken per cycle (see "Same-cycle order"), for the running simulation: a direct-mapped
// ring of the cycles to come (a slot whose cycle has passed is free), and a map (process.cc) for a
// cycle whose slot another cycle still to come holds; `far` counts the map's cycles of this slot
// (none: a cycle of this slot is not in the map, and a free slot can be taken with no look-up).
struct TicketSlot {
    uint64_t cycle = UINT64_MAX;  // UINT64_MAX: free
    uint32_t taken = 0;
    uint32_t far = 0;
};
inline constexpr size_t kTicketRing = 4096;
inline std::array<TicketSlot, kTicketRing> g_ring;
inline bool g_use_tickets = true;  // use_same_cycle_tickets()
// wake_time()'s other cases (the map, a full cycle, no tickets), out of line.
uint64_t wake_time_slow(uint64_t cycle);
}  // namespace detail
// The kernel time (units) of a wake-up at `cycle` (> the present cycle): with tickets the cycle's
// next free unit (ModelError when a cycle runs out of units), else the cycle's start. Inline: the
// cycle's ring slot when it holds the cycle or is free with no cycle of it in the map.
[[nodiscard]] inline uint64_t wake_time(uint64_t cycle) {
    detail::TicketSlot& slot = detail::g_ring[cycle % detail::kTicketRing];
    if (detail::g_use_tickets) {
        if (slot.cycle != cycle && slot.far == 0 &&
            (slot.cycle == UINT64_MAX || slot.cycle <= now_cycles())) {
            slot.cycle = cycle;
            slot.taken = 0;
        }
        if (slot.cycle == cycle && slot.taken < kTimeUnitsPerCycle) {
            return cycle * kTimeUnitsPerCycle + slot.taken++;
        }
    }
    return detail::wake_time_slow(cycle);
}
// The span from now to a new ticket in `cycle` (> the present cycle).
[[nodiscard]] sc_core::sc_time span_to(uint64_t cycle);
// A span of kernel time in whole cycles (kernel times here are whole cycles).
[[nodiscard]] uint64_t time_to_cycles(const sc_core::sc_time& t);
// Blocks the calling thread until `cycle` (returns at once if it has come).
void wait_until(uint64_t cycle);
// Moves the calling thread to `cycle` only if some other process has something to do before or
// at it (at it: a ticket of that cycle, taken before this thread's would be). When nothing is
// pending up to `cycle`, nobody can make a reservation in between, so the caller may claim
// resources at `cycle` now, without a context switch: the result is the same as waiting. (The DMA
// issues each burst this way.)
void advance_to(uint64_t cycle);
// The cycle of the next pending activity of any process (now when some is pending now; far in
// the future when none is): advance_to(c) returns at once for every c before it.
[[nodiscard]] uint64_t next_activity_cycle();
// The kernel's present time, in units (kTimeUnitsPerCycle per cycle).
[[nodiscard]] inline uint64_t now_time() {
    return sc_core::sc_get_curr_simcontext()->time_stamp().value();
}
// The kernel time (units) of the next pending activity of any process: now_time() when some is
// pending now (runnable processes, delta notifications), UINT64_MAX when none is. A held wake-up
// (below) counts.
[[nodiscard]] uint64_t next_activity_time();
// Whether timed wake-ups take tickets (use_same_cycle_tickets).
[[nodiscard]] bool same_cycle_tickets();

namespace detail {
// How many notifications the models made through notify_after (Advancer).
inline uint64_t g_notifications = 0;
}  // namespace detail
// Counts a change a model made to the kernel's pending notifications outside the functions
// below (an event notified or cancelled directly), for Advancer.
inline void count_kernel_change() { ++detail::g_notifications; }
// Notifies `e` `cycles` from now (0: in the next delta cycle). The models notify only through
// here, so a thread can tell that it made no notification (Advancer).
void notify_after(sc_core::sc_event& e, uint64_t cycles);
// Tests of the same-cycle order: after every notify_after, also notify an event nothing waits
// for `ahead` cycles on (a ticket taken, an entry in the kernel's event queue) and cancel it at
// once; 0: off (the default). No result may change (tests/models/same_cycle_order_test.cc).
void set_kernel_probe(uint64_t ahead);
namespace detail {
inline uint64_t g_probe_ahead = 0;  // set_kernel_probe()
// The probe's notification (g_probe_ahead > 0), out of line.
void probe_notification();
// After every notification the models make: the probe's, when it is on.
inline void probe_after_notification() {
    if (g_probe_ahead > 0) probe_notification();
}
}  // namespace detail
// notify_after(e, cycle - now) for a `cycle` after the present one, returning the kernel time
// (units) of the ticket the notification took. Inline (the banked DRAM's wake-ups).
inline uint64_t notify_at(sc_core::sc_event& e, uint64_t cycle) {
    ++detail::g_notifications;
    const uint64_t at = wake_time(cycle);
    e.notify(time_of_units(at - now_time()));
    detail::probe_after_notification();
    return at;
}

// Held wake-ups. While a thread runs between two of its waits, no other process can act, so a
// timed notification requested from it need not enter the kernel's event queue until the thread
// lets the kernel run. Inside a hold window (the DMA opens one while it issues a descriptor:
// open_hold_window), hold_wake() takes the notification's ticket (its kernel time) and keeps it
// aside: next_activity_time() and Advancer count it as pending, and release_held_wakes() hands it
// to the kernel before the thread waits (wait_in_window, Advancer, advance_to and wait_until do,
// and the window's end). A wake-up the thread runs itself first (the DMA's synchronous loop,
// MemTargetIf::run_wake) is dropped with unhold_wake() and never costs the kernel an insert, a
// cancel and a removal. At every wait the kernel holds the same notifications at the same times as
// without holding, and tickets make those times unique (the queue's history orders nothing), so
// holding changes no result. One wake-up is held at a time (holding another releases the first).
namespace detail {
struct HeldWake {
    sc_core::sc_event* event = nullptr;
    uint64_t time = UINT64_MAX;  // kernel time (units); UINT64_MAX: none held
    bool* released = nullptr;    // set when it is handed to the kernel (nullptr: nowhere)
};
inline HeldWake g_held;
inline bool g_hold_open = false;
inline bool g_hold_enabled = true;  // use_wake_holding
inline uint64_t g_holds = 0;        // held_wakes
}  // namespace detail
// Whether hold windows hold anything (on by default; tests compare). Set it before a simulation.
inline void use_wake_holding(bool on) { detail::g_hold_enabled = on; }
// Wake-ups held so far, over every simulation (tests).
[[nodiscard]] inline uint64_t held_wakes() { return detail::g_holds; }
// Whether the running thread is inside a hold window.
[[nodiscard]] inline bool wake_hold_open() { return detail::g_hold_open; }
// The kernel time (units) of the held wake-up, UINT64_MAX when none is held.
[[nodiscard]] inline uint64_t held_wake_time() { return detail::g_held.time; }
// Hands the held wake-up (if any) to the kernel: `e` notified at its time.
void release_held_wakes();
// Holds `e` at kernel time `at`, a ticket it took before (a wake-up given back). Inline, as
// hold_wake (the banked DRAM holds one per wake-up it asks for while the DMA issues).
inline void hold_wake_at(sc_core::sc_event& e, uint64_t at, bool* released = nullptr) {
    if (detail::g_held.event != nullptr && detail::g_held.event != &e) release_held_wakes();
    detail::g_held = detail::HeldWake{&e, at, released};
    ++detail::g_holds;
}
// Inside a hold window: notify_at(e, cycle) held back; returns its ticket's kernel time.
// `released` (if given) is set to true when the wake-up is handed to the kernel.
inline uint64_t hold_wake(sc_core::sc_event& e, uint64_t cycle, bool* released = nullptr) {
    const uint64_t at = wake_time(cycle);
    hold_wake_at(e, at, released);
    return at;
}
// Drops `e`'s held wake-up, if it is the one held.
inline void unhold_wake(const sc_core::sc_event& e) {
    if (detail::g_held.event == &e) detail::g_held = detail::HeldWake{};
}
// Opens a hold window (not nested); close_hold_window() ends it, releasing what is held. (No
// RAII guard: an exception ends the simulation, and the next KernelContext starts closed.)
inline void open_hold_window() { detail::g_hold_open = detail::g_hold_enabled; }
inline void close_hold_window() {
    if (detail::g_held.event != nullptr) release_held_wakes();
    detail::g_hold_open = false;
}
// Runs `wait` (a kernel wait of the calling thread) with the window closed and nothing held, as
// every wait inside a hold window must.
template <typename Wait>
void wait_in_window(Wait&& wait) {
    if (!detail::g_hold_open) {
        wait();
        return;
    }
    close_hold_window();
    wait();
    detail::g_hold_open = true;
}

// advance_to() for a thread that claims many cycles in a row without waiting (the DMA issuing a
// descriptor's bursts): the same decisions with the same effects on the kernel, asking the kernel
// for its next pending activity only when the answer may have changed since it last asked. It
// may change only when time or the delta cycle moved (the thread waited), or when a notification
// was made or taken back (notify_after, notify_at, release_held_wakes; a model that notifies or
// cancels an event itself counts it with count_kernel_change()), or another thread asks (one
// Advancer may serve several threads); call forget() where another thread may have run since the
// last call (at the start of each descriptor). Asking again without such a change gives the same
// answer and has no effect: the query's one side effect is dropping cancelled timed notifications
// from the top of the kernel's queue, and the previous query left none there. So even the order of
// same-time wake-ups (which the shape of that queue decides) is the same as with advance_to.
class Advancer {
  public:
    void forget() { m_now = UINT64_MAX; }
    // Off: ask the kernel at every call, as advance_to does (tests compare the two).
    void keep_answers(bool on) { m_keep = on; }
    void advance_to(uint64_t cycle) { (void)advance_to_until(cycle); }
    // advance_to(), returning a cycle before which another advance_to would return at once (held
    // wake-ups aside) while the kernel's answer cannot change (see above): the cycle of the
    // kernel's next pending activity as just asked, else the present cycle + 1 (it asked nothing,
    // or it waited: a later cycle asks again, as advance_to would).
    [[nodiscard]] uint64_t advance_to_until(uint64_t cycle) {
        sc_core::sc_simcontext* k = sc_core::sc_get_curr_simcontext();
        const uint64_t now = k->time_stamp().value();
        if (cycle <= now / kTimeUnitsPerCycle) return now / kTimeUnitsPerCycle + 1;
        // Nothing pending up to the end of `cycle` (a held wake-up counts): nobody acts before
        // this thread would.
        const uint64_t kernel = kernel_next(k, now);
        if (std::min(kernel, detail::g_held.time) / kTimeUnitsPerCycle > cycle) {
            return kernel == UINT64_MAX ? UINT64_MAX : kernel / kTimeUnitsPerCycle;
        }
        m_now = UINT64_MAX;
        wait_in_window([cycle] { sc_core::wait(span_to(cycle)); });
        return cycle + 1;
    }
    // The kernel's own next pending activity (units; held wake-ups not counted:
    // next_activity_time() counts them), kept the same way (call forget() after a wait of the
    // calling thread that advance_to did not make).
    [[nodiscard]] uint64_t kernel_next() {
        sc_core::sc_simcontext* k = sc_core::sc_get_curr_simcontext();
        return kernel_next(k, k->time_stamp().value());
    }

  private:
    uint64_t kernel_next(sc_core::sc_simcontext* k, uint64_t now) {
        // (Asked by another thread, e.g. the DMA's other channel, in the same delta cycle: that
        // one may have waited since, a timed wait no notification counts.)
        const void* const process = k->get_curr_proc_info()->process_handle;
        if (!m_keep || now != m_now || k->change_stamp() != m_stamp ||
            detail::g_notifications != m_notifications || process != m_process) {
            const uint64_t pending = sc_core::sc_time_to_pending_activity(k).value();
            m_pending = pending > UINT64_MAX - now ? UINT64_MAX : now + pending;
            m_now = now;
            m_stamp = k->change_stamp();
            m_notifications = detail::g_notifications;
            m_process = process;
        }
        return m_pending;
    }

    uint64_t m_now = UINT64_MAX;  // kernel time (units) of the last query; UINT64_MAX: none
    uint64_t m_stamp = 0;         // the kernel's change stamp then
    uint64_t m_notifications = 0;
    const void* m_process = nullptr;  // the thread that asked
    uint64_t m_pending = 0;  // the query's answer: the next pending activity (kernel time units)
    bool m_keep = true;
};

// A fresh SystemC simulation context for one simulation, made current for its lifetime (SystemC
// refuses a second sc_start after a simulation ended, and new modules after the first
// sc_start). Forgets a kept process error; turns SystemC warnings into exceptions (our models
// produce none: one means a modelling error). Simulations must not overlap.
class KernelContext {
  public:
    KernelContext();
    ~KernelContext();
    KernelContext(const KernelContext&) = delete;
    KernelContext& operator=(const KernelContext&) = delete;
};

// Keeps the first exception thrown by a process and stops the simulation.
void keep_process_error(std::exception_ptr e);
// Rethrows the kept exception (and forgets it); does nothing when there is none. Call it after
// every sc_start (in AddressSanitizer builds it also re-announces the caller's stack: process.cc).
void rethrow_process_error();
// Forgets a kept exception (a new simulation starts).
void clear_process_error();

// Runs a process body; an exception ends the simulation and is rethrown after sc_start.
template <typename Body>
void guarded(Body&& body) {
    try {
        body();
    } catch (const sc_core::sc_unwind_exception&) {
        throw;  // the kernel kills or resets this process: let it unwind
    } catch (...) {
        keep_process_error(std::current_exception());
    }
}

}  // namespace npu::model

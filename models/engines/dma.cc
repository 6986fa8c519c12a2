#include "models/engines/dma.h"

#include <algorithm>

#include "models/mem/dram/banked_dram_target.h"
#include "models/process.h"
#include "sim/core/error.h"

namespace npu::model {

Dma::Dma(sc_core::sc_module_name name, const cfg::DmaConfig& cfg, BankedSram& spad, bool functional,
         stats::StatGroup& stats)
    : sc_module(name),
      memory("memory"),
      m_cfg(cfg),
      m_outstanding(static_cast<size_t>(cfg.outstanding)),
      m_spad(spad),
      m_functional(functional),
      m_channels(static_cast<size_t>(cfg.channels)),
      m_free_channels("free_channels", cfg.channels),
      m_descriptors(stats.stat("descriptors", "DMA descriptors (2D transfers) processed", "count")),
      m_burst_count(
          stats.stat("bursts", "bursts issued (requests on the memory interface)", "count")),
      m_bytes(stats.stat("bytes", "bytes moved", "bytes")),
      m_full_cycles(stats.stat("outstanding_full_cycles",
                               "cycles a channel's next burst waited because dma.outstanding "
                               "bursts were in flight",
                               "cycles")) {
    const auto burst = static_cast<uint64_t>(cfg.burst_bytes);
    if (burst == 0 || (burst & (burst - 1)) != 0) {
        throw ModelError(this->name(), 0, -1,
                         "dma.burst must be a power of two, found " + std::to_string(burst));
    }
}

Dma::Result Dma::load(const isa::Transfer& x, uint32_t layer) {
    m_free_channels.wait();
    const Result r = run(x, true, layer);
    m_free_channels.post();
    return r;
}

Dma::Result Dma::store(const isa::Transfer& x, uint32_t layer) {
    m_free_channels.wait();
    const Result r = run(x, false, layer);
    m_free_channels.post();
    return r;
}

inline Dma::Burst& Dma::free_burst() {
    if (m_free_bursts == nullptr) {
        m_bursts.push_back(std::make_unique<Burst>());
        m_bursts.back()->initiator = this;
        m_free_bursts = m_bursts.back().get();
    }
    return *m_free_bursts;
}

uint64_t Dma::slot_wait(Channel& ch, uint64_t t, uint32_t layer) {
    ++m_slot_waits;
    const uint64_t asked = t;
    for (;;) {
        if (ch.pending == 0) {  // every completion is known: the earliest frees the slot
            t = std::max(t, ch.in_flight.top());
            ch.in_flight.pop();
            break;
        }
        if (!ch.in_flight.empty() && ch.untold != nullptr &&
            ch.in_flight.top() <= ch.untold->untold_from()) {
            // No untold completion comes before the earliest known one: it frees the slot.
            ch.relied = std::max(ch.relied, ch.in_flight.top());
            t = std::max(t, ch.in_flight.top());
            ch.in_flight.pop();
            break;
        }
        // Wait for the earliest known completion or the next one told, whichever comes first,
        // and look again.
        await_completion(ch, t);
        while (!ch.in_flight.empty() && ch.in_flight.top() <= t) ch.in_flight.pop();
        if (ch.in_flight.size() + ch.pending < m_outstanding) break;
    }
    m_full_cycles.add(layer, t - asked);
    note_slots_full(layer, asked, t);
    return t;
}

void Dma::await_completion(Channel& ch, uint64_t& t) {
    constexpr uint64_t kUnits = kTimeUnitsPerCycle;
    // The ticket the wait's timeout takes (as a wait until the earliest known completion would).
    const uint64_t timeout = ch.in_flight.empty() ? UINT64_MAX : wake_time(ch.in_flight.top());
    if (m_sync_loop && same_cycle_tickets()) {
        for (;;) {
            // The kernel's next activity and the held wake-up (process.h), whichever is first.
            // (The kernel's answer kept while it cannot have changed: Advancer.)
            const uint64_t kernel = m_advance.kernel_next();
            const uint64_t held = held_wake_time();
            const uint64_t next = std::min(kernel, held);
            if (next == UINT64_MAX) break;  // nothing else pending: only a told completion ends it
            if (timeout < next) {
                // The timeout comes first. With every other activity in a later cycle, nobody
                // acts before this thread would (as in advance_to): go on at its cycle.
                if (next / kUnits <= timeout / kUnits) break;
                ++s_sync_timeouts;
                t = std::max(t, timeout / kUnits);
                return;
            }
            // The target's wake-up next, with nobody else waiting for what it tells and every
            // other activity in a later cycle: run it here (the kernel would switch to the
            // target's process and, when it tells a completion, back to this thread in the next
            // delta cycle at the same time).
            MemTargetIf* target = ch.untold;
            if (target == nullptr || m_told.waiters > 0 || target->pending_wake(this) != next)
                break;
            target->cancel_wake();
            // Every other activity: the kernel's when the wake-up was the held one (the kernel's
            // answer may still count a later notification of the same event that cancel_wake
            // took back: then the check below is only stricter), else the kernel asked again.
            const uint64_t other =
                next == held ? kernel : std::min(m_advance.kernel_next(), held_wake_time());
            if (other / kUnits <= next / kUnits) {
                target->restore_wake(next);
                break;
            }
            m_in_wake = true;
            m_told_in_wake = false;
            target->run_wake(next);
            m_in_wake = false;
            ++s_sync_wakes;
            if (m_told_in_wake) {  // the wait ends at the wake-up's cycle
                t = std::max(t, next / kUnits);
                return;
            }
            // Nothing told: still waiting, the timeout's ticket kept.
        }
    }
    wait_in_window([this, timeout] {
        if (timeout == UINT64_MAX) {
            m_told.wait();
        } else {
            m_told.wait(time_of_units(timeout - now_time()));
        }
    });
    m_advance.forget();  // the kernel ran (Advancer keeps no answer across this thread's waits)
    t = std::max(t, now_cycles());
}

void Dma::early_completion(uint64_t cycle, uint64_t relied) const {
    throw ModelError(name(), now_cycles(), -1,
                     "a completion at cycle " + std::to_string(cycle) +
                         " came before the target's bound on untold completions (cycle " +
                         std::to_string(relied) + ")");
}

void Dma::complete(MemRequest& r, uint64_t cycle) { complete_told(r, cycle); }

Dma::Result Dma::run(const isa::Transfer& xfer, bool to_sram, uint32_t layer) {
    // Rows that are contiguous on both sides are one stream of bursts.
    isa::Transfer x = xfer;
    if (x.rows > 1 && x.dram_stride == x.row_bytes && x.sram_stride == x.row_bytes) {
        x.row_bytes *= x.rows;
        x.rows = 1;
    }
    m_spad.check_range(x.sram_addr,
                       uint64_t{x.rows - (x.rows ? 1 : 0)} * x.sram_stride + x.row_bytes, name());
    // The idle channel that can issue first.
    Channel* pick = nullptr;
    for (Channel& c : m_channels) {
        if (!c.busy && (pick == nullptr || c.next_issue < pick->next_issue)) pick = &c;
    }
    if (pick == nullptr) {
        throw ModelError(name(), now_cycles(), -1, "more transfers than DMA channels");
    }
    Channel& ch = *pick;
    ch.busy = true;
    m_advance.forget();  // other threads ran since the last descriptor
    const uint64_t begin = std::max(now_cycles(), ch.next_issue);
    uint64_t t = begin + static_cast<uint64_t>(m_cfg.setup_cycles);
    Result r;
    uint64_t complete = t;
    r.sram_done = t;
    Deferred* later = nullptr;  // made when a burst's completion is told later
    const uint64_t burst = static_cast<uint64_t>(m_cfg.burst_bytes);
    // A power of two (validated; checked in the constructor).
    const uint64_t burst_mask = burst - 1;
    uint64_t bursts = 0;
    // The far side's target for the whole transfer, decoded once.
    const MemTargetIf::Route far_side =
        x.rows > 0 ? memory->route(x.dram_addr, uint64_t{x.rows - 1} * x.dram_stride + x.row_bytes)
                   : MemTargetIf::Route{};
    SimpleDram* simple = nullptr;
    BankedDramTarget* banked = nullptr;
    if (!m_functional && m_descriptor_path && far_side.target != nullptr) {
        if (far_side.target != m_cast_target) {  // a dynamic_cast costs ~900 instructions
            m_cast_target = far_side.target;
            m_cast_simple = dynamic_cast<SimpleDram*>(far_side.target);
            m_cast_banked = dynamic_cast<BankedDramTarget*>(far_side.target);
        }
        simple = m_cast_simple;
        banked = m_cast_banked;
    }
    if (simple != nullptr) {
        t = issue_to_simple_dram(x, to_sram, layer, ch, t, *simple, far_side.offset, complete, r,
                                 bursts);
    } else if (banked != nullptr) {
        t = issue_to_banked(x, to_sram, layer, ch, t, *banked, far_side.offset, later, r, bursts);
    } else {
        // Burst by burst. No other process acts while this thread issues between its waits: a
        // target's wake-up requested meanwhile is held back from the kernel until it waits
        // (process.h). (The simple DRAM asks for none: its descriptor path opens no window.)
        open_hold_window();
    }
    const uint64_t sram_span = x.rows > 0 ? uint64_t{x.rows - 1} * x.sram_stride + x.row_bytes : 0;
    const bool by_burst = simple == nullptr && banked == nullptr;
    for (uint32_t row = 0; by_burst && row < x.rows; ++row) {
        uint64_t far = x.dram_addr + uint64_t{row} * x.dram_stride;
        uint32_t sram = x.sram_addr + row * x.sram_stride;
        uint64_t left = x.row_bytes;
        while (left > 0) {
            const uint32_t len = static_cast<uint32_t>(std::min(left, burst - (far & burst_mask)));
            // Issue: one burst per cycle, and only when a slot among `outstanding` is free.
            t = acquire_slot(ch, t, layer);
            const uint64_t issue = t;
            t = issue + 1;
            m_advance.advance_to(issue);
            ++bursts;
            Burst& b = free_burst();
            b.addr = far - far_side.offset;
            b.bytes = len;
            b.write = !to_sram;
            b.layer = layer;
            b.data = m_functional ? m_spad.data(sram) : nullptr;
            b.ch = &ch;
            b.sram = sram;
            uint64_t done = 0;
            if (to_sram) {
                b.earliest = issue;
                done = far_side.target->request(b);
                if (done != MemTargetIf::kLater) {
                    if (forget_now()) m_spad.forget_past(x.sram_addr, sram_span);
                    done = m_spad.reserve_burst(sram, len, done, BankedSram::Dir::kWrite, layer);
                }
            } else {
                if (forget_now()) m_spad.forget_past(x.sram_addr, sram_span);
                b.earliest = m_spad.reserve_burst(sram, len, issue, BankedSram::Dir::kRead, layer);
                r.sram_done = std::max(r.sram_done, b.earliest);
                done = far_side.target->request(b);
            }
            if (done != MemTargetIf::kLater) {
                ch.in_flight.push(done);
                complete = std::max(complete, done);
            } else {  // the target tells the completion later: the request keeps its slot
                keep_burst();
                defer(b, ch, far_side.target, later);
            }
            far += len;
            sram += len;
            left -= len;
        }
    }
    if (by_burst) close_hold_window();
    ch.next_issue = t;
    ch.busy = false;
    r.issued = t;
    m_descriptors.add(layer, 1);
    m_burst_count.add(layer, bursts);
    m_bytes.add(layer, x.bytes());
    if (m_limiters != nullptr) m_limiters->add(layer, stats::Limiter::kDmaIssue, begin, t);
    if (later == nullptr) {
        r.complete = complete;
        // The last bursts on their way (a deferred descriptor notes them when its last
        // completion is told: note_deferred_latency).
        if (m_limiters != nullptr) m_limiters->add(layer, stats::Limiter::kDmaLatency, t, complete);
    } else {
        later->cycle = std::max(later->cycle, complete);
        later->issuing = false;
        later->issued = t;
        later->layer = layer;
        note_deferred_latency(*later);
        r.complete = later->known() ? DoneCycle(later->cycle) : DoneCycle(later, &m_told);
    }
    return r;
}

uint64_t Dma::issue_to_banked(const isa::Transfer& x, bool to_sram, uint32_t layer, Channel& ch,
                              uint64_t t, BankedDramTarget& dram, uint64_t offset, Deferred*& later,
                              Result& r, uint64_t& bursts) {
    constexpr uint64_t kUnits = kTimeUnitsPerCycle;
    const uint64_t burst = static_cast<uint64_t>(m_cfg.burst_bytes);
    const uint64_t burst_mask = burst - 1;  // a power of two (checked in the constructor)
    const uint64_t sram_span = x.rows > 0 ? uint64_t{x.rows - 1} * x.sram_stride + x.row_bytes : 0;
    MemTargetIf* const target = &dram;
    // The burst-by-burst path's advance_to per burst (Advancer) returns at once while the burst
    // issues in a cycle before the next pending activity: the kernel's, whose answer cannot
    // change while this thread makes no notification and does not wait (asked again after a
    // notification counted (process.h), a slot wait, or at a burst in its cycle or later), and
    // the held wake-up, which a request may move earlier (looked at per burst: its cycle is after
    // the burst's, time / kUnits > issue, when time >= (issue + 1) x kUnits).
    uint64_t horizon = 0;  // a burst issuing before it (and the held wake-up's cycle) needs none
    uint64_t notes = 0, waits = 0;
    open_hold_window();
    uint64_t n = 0;
    for (uint32_t row = 0; row < x.rows; ++row) {
        uint64_t far = x.dram_addr + uint64_t{row} * x.dram_stride;
        uint32_t sram = x.sram_addr + row * x.sram_stride;
        uint64_t left = x.row_bytes;
        while (left > 0) {
            const uint32_t len = static_cast<uint32_t>(std::min(left, burst - (far & burst_mask)));
            t = acquire_slot(ch, t, layer, [&dram](const MemTargetIf& m) {
                return &m == &dram ? dram.BankedDramTarget::untold_from() : m.untold_from();
            });
            const uint64_t issue = t;
            t = issue + 1;
            if (issue >= horizon || (issue + 1) * kUnits > detail::g_held.time ||
                detail::g_notifications != notes || m_slot_waits != waits) {
                horizon = m_advance.advance_to_until(issue);
                notes = detail::g_notifications;
                waits = m_slot_waits;
            }
            ++n;
            Burst& b = free_burst();
            keep_burst();  // the request keeps its slot until told
            b.addr = far - offset;
            b.bytes = len;
            b.write = !to_sram;
            b.layer = layer;
            b.data = nullptr;
            b.ch = &ch;
            b.sram = sram;
            if (to_sram) {
                b.earliest = issue;
            } else {
                if (forget_now()) m_spad.forget_past(x.sram_addr, sram_span);
                b.earliest = m_spad.reserve_burst(sram, len, issue, BankedSram::Dir::kRead, layer);
                r.sram_done = std::max(r.sram_done, b.earliest);
            }
            dram.request_timing(b);
            defer(b, ch, target, later);
            far += len;
            sram += len;
            left -= len;
        }
    }
    close_hold_window();
    s_banked_bursts += n;
    bursts += n;
    return t;
}

uint64_t Dma::issue_to_simple_dram(const isa::Transfer& x, bool to_sram, uint32_t layer,
                                   Channel& ch, uint64_t t, SimpleDram& dram, uint64_t offset,
                                   uint64_t& complete, Result& r, uint64_t& bursts) {
    const uint64_t burst = static_cast<uint64_t>(m_cfg.burst_bytes);
    const uint64_t sram_span = uint64_t{x.rows - 1} * x.sram_stride + x.row_bytes;
    m_spad.forget_past(x.sram_addr, sram_span);
    // A burst issuing before the next pending activity of any process needs no advance_to: no
    // one can reserve anything in between (process.h).
    uint64_t horizon = next_activity_cycle();
    const uint64_t bank_size = m_spad.bank_size();
    const uint64_t dram_cycles = dram.transfer_cycles(static_cast<uint32_t>(burst));
    uint64_t n = 0;  // bursts (the DRAM counts them and their bytes at the end)
    // Rows of one burst each, all of the same length (every row starts at the same offset in a
    // burst): on one DRAM channel, the rows within one bank go as one run.
    const bool row_bursts = x.row_bytes > 0 && x.row_bytes <= burst - x.dram_addr % burst &&
                            x.dram_stride % burst == 0 && dram.channels() == 1;
    const uint64_t row_cycles =
        row_bursts ? dram.transfer_cycles(static_cast<uint32_t>(x.row_bytes)) : 0;
    for (uint32_t row = 0; row < x.rows; ++row) {
        const uint64_t row_far = x.dram_addr + uint64_t{row} * x.dram_stride;
        uint64_t far = row_far - offset;
        uint32_t sram = x.sram_addr + row * x.sram_stride;
        if (row_bursts && ch.pending == 0 && x.rows - row >= 2) {
            const uint64_t bank = sram / bank_size;
            const uint64_t end = (bank + 1) * bank_size;  // the rows from here within the bank
            if (uint64_t{sram} + x.row_bytes <= end) {
                uint64_t k = x.rows - row;
                if (x.sram_stride > 0) {
                    k = std::min<uint64_t>(k, (end - sram - x.row_bytes) / x.sram_stride + 1);
                }
                if (k >= 2) {
                    Run run{to_sram, layer,      bank,        far,         k,
                            horizon, row_cycles, x.row_bytes, x.sram_addr, sram_span};
                    const uint64_t done = issue_run(run, ch, t, dram, complete, r);
                    horizon = run.horizon;
                    n += done;
                    m_row_run_bursts += done;
                    if (done > 0) {
                        row += static_cast<uint32_t>(done - 1);  // and the loop's ++row
                        continue;
                    }
                }
            }
        }
        uint64_t left = x.row_bytes;
        // The row's first burst ends at a burst-aligned address; every later one is whole.
        uint64_t room = burst - row_far % burst;
        while (left > 0) {
            if (room == burst && left >= 2 * burst && ch.pending == 0) {
                // Whole bursts from here: as many as the row and the bank hold, as one run.
                const uint64_t bank = sram / bank_size;
                const uint64_t k = std::min(left, (bank + 1) * bank_size - sram) / burst;
                if (k >= 2) {
                    Run run{to_sram, layer,       bank,  far,         k,
                            horizon, dram_cycles, burst, x.sram_addr, sram_span};
                    const uint64_t done = issue_run(run, ch, t, dram, complete, r);
                    horizon = run.horizon;
                    n += done;
                    far += done * burst;
                    sram += static_cast<uint32_t>(done * burst);
                    left -= done * burst;
                    if (left == 0) break;
                }
            }
            const auto len = static_cast<uint32_t>(std::min(left, room));
            room = burst;
            t = acquire_slot(ch, t, layer);
            const uint64_t issue = t;
            t = issue + 1;
            if (issue >= horizon) {
                advance_to(issue);
                horizon = next_activity_cycle();
                m_spad.forget_past(x.sram_addr, sram_span);
            }
            ++n;
            uint64_t done = 0;
            if (to_sram) {
                done = dram.timing_request(far, len, issue, layer);
                done = m_spad.reserve_burst(sram, len, done, BankedSram::Dir::kWrite, layer);
            } else {
                const uint64_t read =
                    m_spad.reserve_burst(sram, len, issue, BankedSram::Dir::kRead, layer);
                r.sram_done = std::max(r.sram_done, read);
                done = dram.timing_request(far, len, read, layer);
            }
            ch.in_flight.push(done);
            complete = std::max(complete, done);
            far += len;
            sram += len;
            left -= len;
        }
    }
    dram.count_timing(!to_sram, layer, n, x.bytes());
    bursts += n;
    return t;
}

uint64_t Dma::issue_run(Run& run, Channel& ch, uint64_t& t, SimpleDram& dram, uint64_t& complete,
                        Result& r) {
    const uint64_t cycles = run.dram_cycles;
    const uint64_t latency = dram.latency();
    const size_t channels = dram.channels();
    const size_t first_channel = dram.channel_of(run.far);
    size_t dch = first_channel;
    PortCalendar& cal = m_spad.bank(run.bank);
    const uint64_t bank_cycles = m_spad.bank_cycles(run.bytes);
    const size_t ports = cal.ports();
    stats::LimiterLog* const dram_notes = dram.limiters();
    stats::LimiterLog* const bank_notes = m_spad.limiters();
    Completions& in_flight = ch.in_flight;
    uint64_t last_earliest = 0;  // the bank's earliest cycle of the last burst
    bool bank_checked = false;   // free_beyond_tails held at an earliest cycle <= last_earliest
    // It did not: the bursts search the bank's calendar (PortCalendar::reserve, what
    // reserve_burst does) until the next wait.
    bool search = false;
    uint64_t full = 0, conflicts = 0, conflict_cycles = 0;
    // The steady state in closed form: loads, one DRAM channel, one bank port no busier than
    // the DRAM (see the header).
    const bool closed_form =
        m_closed_form && run.to_sram && channels == 1 && ports == 1 && bank_cycles <= cycles;
    uint64_t n = 0;
    for (; n < run.bursts; ++n) {
        // The slot (acquire_slot with every completion known), taken below once the burst is
        // sure to be issued here.
        while (!in_flight.empty() && in_flight.top() <= t) in_flight.pop();
        const bool gated = in_flight.size() >= m_outstanding;
        if (closed_form && gated && bank_checked) {
            const uint64_t m = steady_loads(run, in_flight, t, dram, cal, run.bursts - n,
                                            bank_cycles, full, complete, last_earliest);
            if (m > 0) {
                n += m - 1;  // and the loop's ++n
                continue;
            }
        }
        const uint64_t issue = gated ? in_flight.top() : t;  // top > t
        if (issue >= run.horizon) {  // as the caller would (issue_to_simple_dram)
            advance_to(issue);
            run.horizon = next_activity_cycle();
            m_spad.forget_past(run.spad_addr, run.spad_span);
            // Others may have reserved the bank meanwhile: check it again.
            bank_checked = false;
            search = false;
            last_earliest = 0;
        }
        // The bank's earliest cycle: a load's DRAM completion, a store's issue.
        uint64_t dram_start = 0;
        uint64_t earliest = issue;
        if (run.to_sram) {
            dram_start = std::max(issue, dram.channel_free(dch));
            earliest = dram_start + cycles + latency;
        }
        if (earliest < last_earliest) break;  // a load over several DRAM channels, out of order
        if (!bank_checked && !search) {
            bank_checked = cal.free_beyond_tails(earliest, bank_cycles);
            search = !bank_checked;
        }
        // The first port with the least max(earliest, its tail) (PortCalendar::append, below),
        // or the bank's first fit, reserved here (nothing below stops the burst).
        size_t port = 0;
        uint64_t bank_start = 0;
        if (search) {
            bank_start = cal.reserve(earliest, bank_cycles);
            ++m_searched_bursts;
        } else {
            bank_start = std::max(earliest, cal.tail(0));
            for (size_t p = 1; p < ports; ++p) {
                const uint64_t s = std::max(earliest, cal.tail(p));
                if (s < bank_start) {
                    bank_start = s;
                    port = p;
                }
            }
        }
        uint64_t done = bank_start + bank_cycles;
        uint64_t dram_earliest = issue;
        if (!run.to_sram) {  // the DRAM write once the bank read ends
            dram_earliest = done;
            r.sram_done = std::max(r.sram_done, done);
            dram_start = std::max(done, dram.channel_free(dch));
            done = dram_start + cycles + latency;
        }
        // Commit the burst: what acquire_slot, SimpleDram::reserve and reserve_burst do.
        if (gated) {
            in_flight.pop();
            full += issue - t;
            note_slots_full(run.layer, t, issue);
        }
        dram.channel_free(dch) = dram_start + cycles;
        if (dram_notes != nullptr && dram_start > dram_earliest) {
            dram_notes->add(run.layer, stats::Limiter::kDramBandwidth, dram_earliest, dram_start);
        }
        if (!search) cal.append(port, bank_start, bank_cycles);
        if (bank_start > earliest) {
            ++conflicts;
            conflict_cycles += bank_start - earliest;
            if (bank_notes != nullptr) {
                bank_notes->add(run.layer, stats::Limiter::kBankConflict, earliest, bank_start);
            }
        }
        in_flight.push(done);
        complete = std::max(complete, done);
        t = issue + 1;
        last_earliest = earliest;
        dch = dch + 1 == channels ? 0 : dch + 1;
    }
    if (n == 0) return 0;
    // The statistics of the n bursts at once: channel first_channel + j (mod channels) had every
    // channels-th burst from the j-th.
    m_full_cycles.add(run.layer, full);
    for (size_t j = 0; j < channels && j < n; ++j) {
        const size_t c = (first_channel + j) % channels;
        dram.add_busy(c, run.layer, cycles * ((n - j + channels - 1) / channels));
    }
    m_spad.count_run(run.bank, run.to_sram ? BankedSram::Dir::kWrite : BankedSram::Dir::kRead,
                     run.layer, n, run.bytes, bank_cycles, conflicts, conflict_cycles);
    m_run_bursts += n;
    return n;
}

uint64_t Dma::steady_loads(const Run& run, Completions& in_flight, uint64_t& t, SimpleDram& dram,
                           PortCalendar& cal, uint64_t most, uint64_t bank_cycles, uint64_t& full,
                           uint64_t& complete, uint64_t& last_earliest) {
    // Burst j (from 0) issues when the j-th earliest completion in flight h_j frees its slot;
    // the DRAM channel, busy until f0, takes it at f0 + j * c; it lands in the bank at
    // e_j = f0 + (j + 1) * c + latency, free there; it completes at e_j + bank_cycles.
    const uint64_t c = run.dram_cycles;
    const uint64_t f0 = dram.channel_free(0);
    const uint64_t e0 = f0 + c + dram.latency();
    const uint64_t done0 = e0 + bank_cycles;
    const uint64_t h0 = in_flight.top();  // > t
    // The bank free from e0 (the run's first burst checked that no earlier gap fits); the new
    // completions after every one in flight; the DRAM still busy when burst 0 issues.
    if (cal.tail(0) > e0 || done0 <= in_flight.back() || h0 >= f0 || h0 >= run.horizon) return 0;
    // Bursts while each slot frees at least 2 cycles after the last (each waits: the slots-full
    // intervals join), the DRAM channel is still busy with the previous burst when it issues (it
    // waits: the DRAM's intervals join) and before the horizon.
    const uint64_t limit = std::min<uint64_t>(most, in_flight.size());
    uint64_t m = 1;
    uint64_t last = h0;
    for (; m < limit; ++m) {
        const uint64_t h = in_flight.at(m);
        if (h < last + 2 || h > f0 + (m - 1) * c || h >= run.horizon) break;
        last = h;
    }
    // What the bursts did, at once: slot waits [t_j, h_j + 1) with t_j = h_{j-1} + 1 join into
    // [t, last + 1); DRAM waits [h_j, f0 + j * c) into [h0, f0 + (m - 1) * c).
    full += last + 1 - t - m;
    note_slots_full(run.layer, t, last);
    in_flight.pop(m);
    in_flight.push_series(done0, c, m);
    dram.channel_free(0) = f0 + m * c;
    if (stats::LimiterLog* notes = dram.limiters()) {
        notes->add(run.layer, stats::Limiter::kDramBandwidth, h0, f0 + (m - 1) * c);
    }
    cal.append_series(0, e0, c, bank_cycles, m);
    complete = std::max(complete, done0 + (m - 1) * c);
    t = last + 1;
    last_earliest = e0 + (m - 1) * c;
    m_steady_bursts += m;
    return m;
}

void Dma::peek(uint64_t addr, uint8_t* dst, uint32_t len) {
    memory->debug_access(addr, dst, len, false);
}

void Dma::add_counters(size_t layer, stats::Counters& c) const {
    c.dma_descriptors += m_descriptors.at(layer);
}

}  // namespace npu::model

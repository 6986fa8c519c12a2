#include "models/mem/dram/banked_dram_target.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "models/engines/dma.h"
#include "models/process.h"
#include "sim/core/error.h"

namespace npu::model {

namespace {

uint64_t whole_hz(double hz) { return static_cast<uint64_t>(std::llround(hz)); }

// What a channel counted between two snapshots (the counts only grow).
dram::ChannelStats since(const dram::ChannelStats& now, const dram::ChannelStats& before) {
    dram::ChannelStats d;
    d.reads = now.reads - before.reads;
    d.writes = now.writes - before.writes;
    d.activates = now.activates - before.activates;
    d.precharges = now.precharges - before.precharges;
    d.refreshes = now.refreshes - before.refreshes;
    d.refreshes_per_bank = now.refreshes_per_bank - before.refreshes_per_bank;
    d.refresh_cycles = now.refresh_cycles - before.refresh_cycles;
    d.active_rank_cycles = now.active_rank_cycles - before.active_rank_cycles;
    d.precharged_rank_cycles = now.precharged_rank_cycles - before.precharged_rank_cycles;
    return d;
}

}  // namespace

BankedDramTarget::ChannelStatRefs BankedDramTarget::channel_refs(stats::StatGroup& g) {
    return ChannelStatRefs{
        &g.stat("activates", "ACT commands", "count"),
        &g.stat("precharges", "row closes: PRE commands and auto-precharges", "count"),
        &g.stat("refreshes", "refresh commands (all-bank REF and per-bank REFpb)", "count"),
        &g.stat("refresh_cycles",
                "memory cycles x ranks (REF) or banks (REFpb) a due refresh held, from due to done",
                "cycles"),
        &g.stat("active_rank_cycles", "memory cycles x ranks with at least one bank open",
                "cycles"),
        &g.stat("precharged_rank_cycles", "memory cycles x ranks with every bank closed", "cycles"),
        &g.stat("read_bursts", "DRAM bursts read (an NPU request is one or more)", "count"),
        &g.stat("write_bursts", "DRAM bursts written", "count"),
    };
}

BankedDramTarget::BankedDramTarget(sc_core::sc_module_name name, const cfg::HwConfig& hw,
                                   MemoryImage& image, stats::StatGroup& stats)
    : DramTarget(name, image, stats),
      m_model(hw.dram),
      m_clocks(whole_hz(hw.clock_hz), whole_hz(hw.dram.clock_hz)),
      m_min_data_delay(m_model.min_data_delay()),
      m_delay{static_cast<uint64_t>(hw.dram.timing.tCL + hw.dram.timing.tBURST),
              static_cast<uint64_t>(hw.dram.timing.tCWL + hw.dram.timing.tBURST)},
      m_unloaded{1 + static_cast<uint64_t>(hw.dram.timing.tCL),
                 1 + static_cast<uint64_t>(hw.dram.timing.tCWL)},
      m_burst_cycles(static_cast<uint64_t>(hw.dram.timing.tBURST)),
      m_counted(static_cast<size_t>(m_model.channels())),
      m_total_stats(channel_refs(stats)),
      m_row_hits(stats.stat("row_hits", "bursts that found their row open", "count")),
      m_row_misses(
          stats.stat("row_misses", "bursts that found their bank closed (an ACT)", "count")),
      m_row_conflicts(stats.stat(
          "row_conflicts", "bursts that found another row open (a PRE, then an ACT)", "count")),
      m_read_queue(stats.stat("read_queue_cycles",
                              "memory cycles read bursts waited from arrival to their column "
                              "command (/ elapsed memory cycles: average read queue occupancy)",
                              "cycles")),
      m_write_queue(stats.stat("write_queue_cycles",
                               "memory cycles write bursts waited from arrival to their column "
                               "command (/ elapsed memory cycles: average write queue occupancy)",
                               "cycles")),
      m_latency(stats.stat("latency_cycles",
                           "NPU cycles from each request's earliest cycle to its completion, "
                           "summed over requests",
                           "cycles")),
      m_counts(std::max<size_t>(stats.layers(), 1), LayerCounts{}) {
    if (m_model.channels() > 1) {
        for (int c = 0; c < m_model.channels(); ++c) {
            m_channel_stats.push_back(channel_refs(stats.group("channel" + std::to_string(c))));
        }
    }
    SC_METHOD(wake);
    sensitive << m_wake;
    dont_initialize();
}

uint64_t BankedDramTarget::request(MemRequest& r) {
    // A functional request's data moves now (what take() does; the request is counted when
    // told, as every request: tell).
    if (r.data != nullptr) DramTarget::debug_access(r.addr, r.data, r.bytes, r.write);
    request_timing(r);
    return kLater;
}

void BankedDramTarget::note_initiator(MemInitiatorIf* initiator) {
    if (m_initiator == nullptr) {
        m_initiator = initiator;
        m_dma = dynamic_cast<Dma*>(initiator);
    } else {
        m_shared = true;
    }
    update_fast();
}

void BankedDramTarget::insert_kept(uint64_t arrival, MemRequest& r) {
    // After every kept request that arrives no later (m_kept_tail already counts it).
    Kept* p = m_kept.data() + (m_kept_tail - 1);
    const Kept* const head = m_kept.data() + m_kept_head;
    for (; p != head && p[-1].arrival > arrival; --p) *p = p[-1];
    *p = Kept{arrival, &r};
}

void BankedDramTarget::note_counts_layer(uint32_t layer) {
    m_counts_layer = layer;
    m_layer_counts = &m_counts[layer];
    m_counts_low = std::min(m_counts_low, layer);
    m_counts_high = std::max(m_counts_high, layer);
}

void BankedDramTarget::make_kept_room() {
    const size_t kept = m_kept_tail - m_kept_head;
    if (m_kept_head >= kept && m_kept_head > 0) {
        // Half or more of the buffer is behind the head: move the kept ones to the front.
        std::copy(m_kept.begin() + static_cast<std::ptrdiff_t>(m_kept_head),
                  m_kept.begin() + static_cast<std::ptrdiff_t>(m_kept_tail), m_kept.begin());
        m_kept_head = 0;
        m_kept_tail = kept;
    } else {
        m_kept.resize(std::max<size_t>(64, 2 * m_kept.size()));
        m_kept_capacity = m_kept.size();
    }
}

void BankedDramTarget::set_wake_at(uint64_t cycle) {
    m_wake_at = cycle;
    if (cycle == UINT64_MAX || cycle == 0) {
        m_wake_memory = cycle;
        return;
    }
    // to_memory(cycle - 1) >= (cycle - 1) x f_mem / f_npu, so one more is past it: its NPU
    // cycle is at least `cycle`. (The first such memory cycle is that one or the one before.)
    m_wake_memory = m_clocks.to_memory(cycle - 1) + 1;
}

void BankedDramTarget::wake_by(uint64_t cycle) {
    if (cycle >= m_wake_at) return;
    const uint64_t now = m_present != UINT64_MAX ? m_present : now_cycles();
    if (cycle > now) {
        set_wake_at(cycle);
        // Held back from the kernel while an initiator's thread issues (process.h).
        if (wake_hold_open()) {
            m_wake_time = hold_wake(m_wake, cycle, &m_in_kernel);
        } else {
            m_wake_time = notify_at(m_wake, cycle);
            m_in_kernel = true;
        }
        return;
    }
    // Due now: the next delta cycle (never in a wake-up run in an initiator's thread: a step at
    // cycle k asks for no wake-up before k + 1, and requests for none before their earliest + 1).
    if (m_present != UINT64_MAX) {
        throw ModelError(name(), now, -1,
                         "a wake-up run in an initiator's thread asked for another at once");
    }
    set_wake_at(now);
    m_wake_time = UINT64_MAX;
    notify_after(m_wake, 0);
    m_in_kernel = true;
}

void BankedDramTarget::wake() {
    guarded([this] {
        if (held_wake_time() != UINT64_MAX || wake_hold_open()) {
            throw ModelError(name(), now_cycles(), -1,
                             "a thread let the kernel run with a wake-up held back (process.h)");
        }
        set_wake_at(UINT64_MAX);
        m_wake_time = UINT64_MAX;
        m_in_kernel = false;  // the one the kernel had has fired
        step(now_cycles());
    });
}

void BankedDramTarget::cancel_wake() {
    unhold_wake(m_wake);
    // A notification only the kernel can take back (one held never reached it): cancelling it
    // may change the kernel's next activity (Advancer keeps that answer while nothing changed).
    if (m_in_kernel) {
        m_wake.cancel();
        m_in_kernel = false;
        count_kernel_change();
    }
}

void BankedDramTarget::restore_wake(uint64_t at) {
    if (wake_hold_open()) {
        hold_wake_at(m_wake, at, &m_in_kernel);
    } else {
        m_wake.notify(time_of_units(at - now_time()));
        m_in_kernel = true;
        count_kernel_change();
    }
}

void BankedDramTarget::run_wake(uint64_t at) {
    set_wake_at(UINT64_MAX);
    m_wake_time = UINT64_MAX;
    m_present = at / kTimeUnitsPerCycle;
    struct Restore {
        uint64_t& present;
        ~Restore() { present = UINT64_MAX; }
    } restore{m_present};
    step(m_present);
}

__attribute__((always_inline)) inline void BankedDramTarget::tell(const dram::Completion& c,
                                                                  uint64_t npu_cycle) {
    MemRequest& r = *reinterpret_cast<MemRequest*>(static_cast<uintptr_t>(c.id));
    const uint64_t done = m_clocks.to_npu(c.cycle);
    if (done < npu_cycle) {  // the wake-up rule above makes this impossible
        throw ModelError(name(), npu_cycle, -1,
                         "a completion at cycle " + std::to_string(done) + " was told late");
    }
    const bool write = r.write;
    if (r.layer != m_counts_layer) note_counts_layer(r.layer);
    LayerCounts& k = *m_layer_counts;
    ++k.requests[write];
    k.bytes[write] += r.bytes;
    k.row_hits += c.row_hits;
    k.row_misses += c.row_misses;
    k.row_conflicts += c.row_conflicts;
    k.queue_cycles[write] += c.queue_cycles;
    k.latency += done - r.earliest;
    if (m_limiters != nullptr) {
        // The unloaded span (see the header); a request of b bursts (b >= 1) moves b x tBURST.
        const uint64_t unloaded = m_unloaded[write] + c.bursts * m_burst_cycles;
        if (c.cycle - c.arrival_cycle > unloaded) {
            m_limiters->add(r.layer, stats::Limiter::kDramBandwidth, r.earliest,
                            m_clocks.to_npu(c.cycle - unloaded));
        }
    }
    if (m_dma_only) {
        m_dma->complete_told(r, done);
    } else {
        tell_other(r, done);
    }
}

void BankedDramTarget::tell_other(MemRequest& r, uint64_t done) {
    if (m_log != nullptr) (*m_log)[m_log_index.at(&r)].told = done;
    if (r.initiator == m_initiator && m_dma != nullptr) {
        m_dma->complete_told(r, done);
    } else {
        r.initiator->complete(r, done);
    }
}

void BankedDramTarget::step(uint64_t npu_cycle) {
    // Every request from now on arrives at or after `horizon`: the model may run up to it once
    // the kept requests that arrive by then are in.
    const uint64_t horizon = m_clocks.to_memory(npu_cycle);
    while (!kept_empty() && m_kept[m_kept_head].arrival <= horizon) {
        const Kept k = m_kept[m_kept_head++];
        MemRequest& r = *k.request;
        const auto id = reinterpret_cast<uintptr_t>(&r);
        if (r.layer != m_fast_layer) {  // a layer change, or logging (update_fast)
            if (r.layer != m_layer) {
                // The channels' activity up to this arrival counts to the layer before (advancing
                // in pieces changes nothing: the model is exact at any advance points).
                m_model.advance(k.arrival, m_done);
                flush_channel_stats();
                m_layer = r.layer;
                update_fast();
            }
            if (m_log != nullptr) {
                m_log->push_back(
                    Logged{dram::Request{id, r.addr, r.bytes, r.write, k.arrival}, r.earliest, 0});
                m_log->back().request.id = m_log->size() - 1;
                m_log_index[&r] = m_log->size() - 1;
            }
        }
        m_model.enqueue(id, r.addr, r.bytes, r.write, k.arrival);
    }
    if (kept_empty()) m_kept_head = m_kept_tail = 0;
    m_model.advance(horizon);
    // The completions the layer changes' advances reported first, then every one known (what
    // advance(horizon, done) and take_known(done) would add to them, in the same order, handed
    // over straight from the model's slots).
    for (const dram::Completion& c : m_done) tell(c, npu_cycle);
    m_done.clear();
    m_model.tell_known([this, npu_cycle](const dram::Completion& c) { tell(c, npu_cycle); });
    // The first memory cycle a completion not known yet can come.
    uint64_t next = UINT64_MAX;
    if (const auto e = m_model.next_unknown_completion()) next = *e;
    if (!kept_empty()) {
        next = std::min(next, m_kept[m_kept_head].arrival + 1 + m_min_data_delay);
    } else if (m_model.outstanding() == 0 && m_counts_low != UINT32_MAX) {
        add_counts();  // idle: every request has been told
    }
    if (next != UINT64_MAX) wake_by(m_clocks.to_npu(next));
}

void BankedDramTarget::add_counts() {
    for (uint32_t layer = m_counts_low; layer <= m_counts_high; ++layer) {
        LayerCounts& k = m_counts[layer];
        for (const bool write : {false, true}) {
            if (k.requests[write] > 0) count(write, layer, k.requests[write], k.bytes[write]);
        }
        m_row_hits.add(layer, k.row_hits);
        m_row_misses.add(layer, k.row_misses);
        m_row_conflicts.add(layer, k.row_conflicts);
        m_read_queue.add(layer, k.queue_cycles[0]);
        m_write_queue.add(layer, k.queue_cycles[1]);
        m_latency.add(layer, k.latency);
        k = LayerCounts{};
    }
    m_counts_low = UINT32_MAX;
    m_counts_high = 0;
    m_counts_layer = UINT32_MAX;
}

void BankedDramTarget::add_channel(const ChannelStatRefs& s, uint32_t layer,
                                   const dram::ChannelStats& d) {
    s.activates->add(layer, d.activates);
    s.precharges->add(layer, d.precharges);
    s.refreshes->add(layer, d.refreshes + d.refreshes_per_bank);
    s.refresh_cycles->add(layer, d.refresh_cycles);
    s.active_rank_cycles->add(layer, d.active_rank_cycles);
    s.precharged_rank_cycles->add(layer, d.precharged_rank_cycles);
    s.read_bursts->add(layer, d.reads);
    s.write_bursts->add(layer, d.writes);
}

void BankedDramTarget::flush_channel_stats() {
    for (size_t c = 0; c < m_counted.size(); ++c) {
        const dram::ChannelStats now = m_model.channel_stats(static_cast<int>(c));
        const dram::ChannelStats delta = since(now, m_counted[c]);
        add_channel(m_total_stats, m_layer, delta);
        if (!m_channel_stats.empty()) add_channel(m_channel_stats[c], m_layer, delta);
        m_counted[c] = now;
    }
}

void BankedDramTarget::finish(uint64_t end_cycle) {
    // Outstanding requests cannot remain after a finished run; the model still runs its refresh
    // and background to the end.
    const uint64_t end = m_clocks.to_memory(std::max(end_cycle, now_cycles()));
    if (end > m_model.now() && kept_empty()) m_model.advance(end, m_done);
    m_done.clear();
    flush_channel_stats();
    if (m_counts_low != UINT32_MAX) add_counts();
}

}  // namespace npu::model

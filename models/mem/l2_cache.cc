#include "models/mem/l2_cache.h"

#include <algorithm>
#include <string>

#include "models/process.h"

namespace npu::model {

namespace {
// Reservations of a bank between two prunings of its calendar.
constexpr uint64_t kPruneEvery = 4096;

// A free slot of `items` (reused from `free`, else appended), by index.
template <class T>
int32_t take_slot(std::vector<T>& items, std::vector<int32_t>& free) {
    if (!free.empty()) {
        const int32_t id = free.back();
        free.pop_back();
        return id;
    }
    items.emplace_back();
    return static_cast<int32_t>(items.size() - 1);
}

}  // namespace

L2Tags::L2Tags(uint64_t sets_per_bank, int ways, int banks)
    : m_sets(sets_per_bank),
      m_assoc(static_cast<size_t>(ways)),
      m_banks(static_cast<uint64_t>(banks)),
      m_ways(static_cast<size_t>(sets_per_bank * static_cast<uint64_t>(ways) *
                                 static_cast<uint64_t>(banks))) {}

L2Tags::Way* L2Tags::find(uint64_t line) {
    Way* set = &m_ways[set_base(line)];
    for (size_t w = 0; w < m_assoc; ++w) {
        if (set[w].valid && set[w].line == line) return &set[w];
    }
    return nullptr;
}

L2Tags::Access L2Tags::access(uint64_t line, bool write) {
    Access a;
    Way* set = &m_ways[set_base(line)];
    Way* victim = nullptr;
    for (size_t w = 0; w < m_assoc; ++w) {
        Way& way = set[w];
        if (way.valid && way.line == line) {
            a.way = &way;
            a.hit = true;
            break;
        }
        // The replacement candidate: the first invalid way, else the least recently used.
        if (victim == nullptr ||
            (victim->valid && (!way.valid || way.last_use < victim->last_use))) {
            victim = &way;
        }
    }
    if (!a.hit) {
        if (victim->valid) {
            a.evicted = true;
            a.victim = *victim;
        }
        *victim = Way{};
        victim->valid = true;
        victim->line = line;
        a.way = victim;
    }
    a.way->last_use = ++m_clock;
    if (write) a.way->dirty = true;
    return a;
}

L2Cache::L2Cache(sc_core::sc_module_name name, const cfg::L2Config& cfg, uint32_t dram_atom,
                 DramTarget& dram, stats::StatGroup& stats, int cores)
    : sc_module(name),
      m_cfg(cfg),
      m_line(static_cast<uint32_t>(cfg.line_bytes)),
      m_atom(std::min(static_cast<uint32_t>(cfg.line_bytes), std::max<uint32_t>(dram_atom, 1))),
      m_dram(dram),
      m_tags(cfg.sets_per_bank(), cfg.ways, cfg.banks),
      m_banks(static_cast<size_t>(cfg.banks), PortCalendar(1)),
      m_since_prune(static_cast<size_t>(cfg.banks), 0),
      m_hits(stats.stat("hits", "lines requests found in the L2", "count")),
      m_misses(stats.stat("misses",
                          "lines requests did not find (each sent a fill, but a "
                          "whole-line write)",
                          "count")),
      m_fill_waits(stats.stat(
          "fill_waits", "hits on a line whose fill was still in flight (merged misses)", "count")),
      m_bytes_read(stats.stat("bytes_read", "bytes of read requests served", "bytes")),
      m_bytes_written(stats.stat("bytes_written", "bytes of write requests served", "bytes")),
      m_fill_bytes(stats.stat("fill_bytes", "bytes written into the banks by line fills", "bytes")),
      m_writeback_bytes(stats.stat(
          "writeback_bytes", "bytes read out of the banks to write dirty lines back", "bytes")),
      m_writebacks(stats.stat("writebacks", "dirty lines evicted and written back", "count")),
      m_evictions(stats.stat("evictions", "valid lines replaced (clean or dirty)", "count")),
      m_conflict_cycles(stats.stat("conflict_cycles",
                                   "cycles requests, fills and write-backs waited for a bank "
                                   "port",
                                   "cycles")),
      m_dirty_at_end(stats.stat("dirty_lines_at_end",
                                "dirty lines left at the end of the run (not written back)",
                                "count")) {
    // The atom divides the line: both are powers of two (config validation), atom <= line.
    for (int b = 0; b < cfg.banks; ++b) {
        m_bank_busy.push_back(
            &stats.group("bank" + std::to_string(b))
                 .stat("busy_cycles", "port cycles reserved on this bank", "cycles"));
    }
    for (int c = 0; cores > 1 && c < cores; ++c) {
        stats::StatGroup& g = stats.group("core" + std::to_string(c));
        m_core_hits.push_back(&g.stat("hits", "lines the core's requests found", "count"));
        m_core_misses.push_back(&g.stat("misses", "lines the core's requests missed", "count"));
    }
}

void L2Cache::set_limiters(stats::LimiterLog* log) {
    m_limiters = log;
    if (m_pass_limiters) m_dram.set_limiters(log);
}

uint64_t L2Cache::untold_from() const { return m_waiting == 0 ? UINT64_MAX : m_dram.untold_from(); }

uint64_t L2Cache::occupy(size_t bank, uint32_t bytes, uint64_t from, uint32_t layer,
                         stats::LimiterLog* log) {
    const uint64_t width = static_cast<uint64_t>(m_cfg.bank_width_bytes);
    const uint64_t cycles = std::max<uint64_t>(1, (uint64_t{bytes} + width - 1) / width);
    PortCalendar& port = m_banks[bank];
    if (++m_since_prune[bank] == kPruneEvery) {
        // No request, fill or write-back reaches back before the kernel's time.
        m_since_prune[bank] = 0;
        port.prune(now_cycles());
    }
    const uint64_t start = port.reserve(from, cycles);
    m_bank_busy[bank]->add(layer, cycles);
    if (start > from) {
        m_conflict_cycles.add(layer, start - from);
        if (log != nullptr) log->add(layer, stats::Limiter::kBankConflict, from, start);
    }
    return start + cycles;
}

L2Cache::Outgoing& L2Cache::new_outgoing() {
    if (m_free_out.empty()) {
        m_out.emplace_back();
        return m_out.back();
    }
    Outgoing* o = m_free_out.back();
    m_free_out.pop_back();
    return *o;
}

uint64_t L2Cache::to_dram(uint64_t addr, uint32_t bytes, bool write, uint64_t earliest,
                          uint32_t layer, uint16_t core, int32_t fill) {
    uint64_t done = 0;
    bool later = false;
    for (uint32_t off = 0; off < bytes; off += m_atom) {
        Outgoing& o = new_outgoing();
        o.addr = addr + off;
        o.bytes = std::min(m_atom, bytes - off);
        o.write = write;
        o.earliest = earliest;
        o.layer = layer;
        o.data = nullptr;  // timing only: the data is in the memory image
        o.initiator = this;
        o.core = core;
        o.fill = fill;
        const uint64_t c = m_dram.request(o);
        if (c == kLater) {
            later = true;
            if (fill >= 0) ++m_fills[static_cast<size_t>(fill)].outstanding;
            continue;  // released when the DRAM tells it
        }
        done = std::max(done, c);
        if (fill >= 0) {
            Fill& f = m_fills[static_cast<size_t>(fill)];
            f.arrived = std::max(f.arrived, c);
        }
        release(o);
    }
    return later ? kLater : done;
}

void L2Cache::write_back(uint64_t line, uint64_t from, uint32_t layer, uint16_t core,
                         stats::LimiterLog* log) {
    m_writebacks.add(layer, 1);
    m_writeback_bytes.add(layer, m_line);
    const uint64_t read = occupy(m_tags.bank_of(line), m_line, from, layer, log);
    (void)to_dram(line * m_line, m_line, true, read, layer, core, -1);
}

uint64_t L2Cache::start_fill(uint64_t line, uint64_t earliest, uint32_t layer, uint16_t core,
                             L2Tags::Way& way) {
    m_fill_bytes.add(layer, m_line);
    const int32_t id = take_slot(m_fills, m_free_fills);
    Fill& f = m_fills[static_cast<size_t>(id)];
    f = Fill{};
    f.line = line;
    f.layer = layer;
    const uint64_t arrived = to_dram(line * m_line, m_line, false, earliest, layer, core, id);
    if (arrived != kLater) {
        m_free_fills.push_back(id);
        way.ready = occupy(m_tags.bank_of(line), m_line, arrived, layer, m_limiters);
        way.fill = -1;
        return way.ready;
    }
    way.fill = id;  // its parts answered at once are in Fill::arrived already
    return UINT64_MAX;
}

uint64_t L2Cache::request(MemRequest& r) {
    if (r.bytes == 0) return r.earliest;  // nothing to move
    if (r.data != nullptr) m_dram.debug_access(r.addr, r.data, r.bytes, r.write);
    (r.write ? m_bytes_written : m_bytes_read).add(r.layer, r.bytes);
    const uint64_t end = r.addr + r.bytes;
    uint64_t done = 0;
    int32_t pending = -1;
    for (uint64_t line = r.addr / m_line; line * m_line < end; ++line) {
        const uint64_t from = std::max<uint64_t>(r.addr, line * m_line);
        const auto bytes =
            static_cast<uint32_t>(std::min<uint64_t>(end, (line + 1) * m_line) - from);
        L2Tags::Access a = m_tags.access(line, r.write);
        L2Tags::Way& way = *a.way;
        if (r.write) way.layer = r.layer;
        (a.hit ? m_hits : m_misses).add(r.layer, 1);
        if (!m_core_hits.empty()) {
            (a.hit ? m_core_hits : m_core_misses).at(r.core)->add(r.layer, 1);
        }
        if (a.evicted) m_evictions.add(r.layer, 1);
        if (a.evicted && a.victim.dirty) {
            if (a.victim.fill >= 0) {
                m_fills[static_cast<size_t>(a.victim.fill)].write_back = true;
            } else {
                write_back(a.victim.line, std::max(r.earliest, a.victim.ready), r.layer, r.core,
                           m_limiters);
            }
        }
        uint64_t ready = 0;
        if (a.hit) {
            if (way.fill >= 0 || way.ready > r.earliest) m_fill_waits.add(r.layer, 1);
            ready = way.fill >= 0 ? UINT64_MAX : std::max(r.earliest, way.ready);
        } else if (r.write && bytes == m_line) {
            way.ready = r.earliest;  // the whole line is written: nothing to fetch
            ready = r.earliest;
        } else {
            ready = start_fill(line, r.earliest, r.layer, r.core, way);
        }
        if (ready != UINT64_MAX) {
            done = std::max(done, occupy(m_tags.bank_of(line), bytes, ready, r.layer, m_limiters) +
                                      static_cast<uint64_t>(m_cfg.hit_latency_cycles));
            continue;
        }
        if (pending < 0) {
            pending = take_slot(m_pending, m_free_pending);
            m_pending[static_cast<size_t>(pending)] = Pending{&r, m_limiters, 0, 0};
        }
        ++m_pending[static_cast<size_t>(pending)].left;
        m_fills[static_cast<size_t>(way.fill)].waiters.push_back(
            Waiter{pending, bytes, r.earliest});
    }
    if (pending < 0) return done;
    Pending& p = m_pending[static_cast<size_t>(pending)];
    p.done = std::max(p.done, done);
    ++m_waiting;
    return kLater;
}

void L2Cache::complete(MemRequest& r, uint64_t cycle) {
    auto& o = static_cast<Outgoing&>(r);
    const int32_t id = o.fill;
    release(o);
    if (id < 0) return;  // a write-back's acknowledgement: nobody waits for it
    Fill& f = m_fills[static_cast<size_t>(id)];
    f.arrived = std::max(f.arrived, cycle);
    if (--f.outstanding > 0) return;
    const uint64_t ready = occupy(m_tags.bank_of(f.line), m_line, f.arrived, f.layer, m_limiters);
    fill_arrived(id, ready);
}

void L2Cache::fill_arrived(int32_t id, uint64_t ready) {
    // Taken out of the fill first: telling an initiator may make it send new requests.
    Fill& f = m_fills[static_cast<size_t>(id)];
    const uint64_t line = f.line;
    const uint32_t layer = f.layer;
    const bool write_back_after = f.write_back;
    std::vector<Waiter> waiters;
    waiters.swap(f.waiters);
    m_free_fills.push_back(id);
    if (L2Tags::Way* way = m_tags.find(line); way != nullptr && way->fill == id) {
        way->fill = -1;
        way->ready = ready;
    }
    const size_t bank = m_tags.bank_of(line);
    const auto hit_latency = static_cast<uint64_t>(m_cfg.hit_latency_cycles);
    uint64_t last = ready;
    std::vector<int32_t> told;
    for (const Waiter& w : waiters) {
        Pending& p = m_pending[static_cast<size_t>(w.pending)];
        const uint64_t moved =
            occupy(bank, w.bytes, std::max(ready, w.earliest), p.request->layer, p.limiters);
        last = std::max(last, moved);
        p.done = std::max(p.done, moved + hit_latency);
        if (--p.left == 0) told.push_back(w.pending);
    }
    // The line was evicted dirty (a write merged into its fill): out after its last access.
    if (write_back_after) write_back(line, last, layer, 0, m_limiters);
    for (const int32_t id_p : told) {
        const Pending p = m_pending[static_cast<size_t>(id_p)];
        m_free_pending.push_back(id_p);
        --m_waiting;
        p.request->initiator->complete(*p.request, p.done);
    }
}

void L2Cache::finish() {
    for (const L2Tags::Way& w : m_tags.ways()) {
        if (w.valid && w.dirty) m_dirty_at_end.add(w.layer, 1);
    }
}

}  // namespace npu::model

#include "models/mem/dram/reference_channel.h"

#include <algorithm>

namespace npu::dram {
namespace {

constexpr uint32_t kClosed = UINT32_MAX;

constexpr unsigned bit(Command c) { return 1u << static_cast<unsigned>(c); }

constexpr unsigned kAct = bit(Command::kAct);
constexpr unsigned kPre = bit(Command::kPre);
constexpr unsigned kReads = bit(Command::kRd) | bit(Command::kRda);
constexpr unsigned kWrites = bit(Command::kWr) | bit(Command::kWra);
constexpr unsigned kColumns = kReads | kWrites;
constexpr unsigned kRef = bit(Command::kRef);
constexpr unsigned kRefpb = bit(Command::kRefpb);

}  // namespace

ReferenceChannel::ReferenceChannel(const cfg::DramConfig& c)
    : m_c(c),
      m_open_row(static_cast<size_t>(c.ranks * c.banks_per_rank()), kClosed),
      m_refresh_due(static_cast<size_t>(c.ranks)),
      m_refresh_pending(static_cast<size_t>(c.ranks), 0),
      m_refresh_bank(static_cast<size_t>(c.ranks), 0) {
    const cfg::DramTiming& t = c.timing;
    const int64_t burst = t.tBURST;
    // The JEDEC rules of docs/dram.md, "after a command in `from`, no command in `to` within
    // `scope` before `delay` cycles".
    m_rules = {
        {kAct, kAct, Scope::kBank, t.tRC},
        {kAct, kAct, Scope::kGroup, t.tRRD_L},
        {kAct, kAct, Scope::kRank, t.tRRD_S},
        {kAct, kColumns, Scope::kBank, t.tRCD},
        {kAct, kPre, Scope::kBank, t.tRAS},
        {kAct, kRefpb, Scope::kRank, t.tRRD_S},
        {kAct, kRef, Scope::kRank, t.tRC},
        {kReads, kReads, Scope::kGroup, t.tCCD_L},
        {kReads, kReads, Scope::kRank, t.tCCD_S},
        {kReads, kReads, Scope::kOtherRank, burst + t.tRTRS},
        {kReads, kWrites, Scope::kChannel, t.tCL + burst + t.tRTRS - t.tCWL},
        {kReads, kPre, Scope::kBank, t.tRTP},
        {kWrites, kWrites, Scope::kGroup, t.tCCD_L},
        {kWrites, kWrites, Scope::kRank, t.tCCD_S},
        {kWrites, kWrites, Scope::kOtherRank, burst + t.tRTRS},
        {kWrites, kReads, Scope::kGroup, t.tCWL + burst + t.tWTR_L},
        {kWrites, kReads, Scope::kRank, t.tCWL + burst + t.tWTR_S},
        {kWrites, kReads, Scope::kOtherRank, t.tCWL + burst + t.tRTRS - t.tCL},
        {kWrites, kPre, Scope::kBank, t.tCWL + burst + t.tWR},
        {kPre, kAct, Scope::kBank, t.tRP},
        {kPre, kRefpb, Scope::kBank, t.tRP},
        {kPre, kRef, Scope::kRank, t.tRP},
        {kRef, kAct | kRef | kRefpb, Scope::kRank, t.tRFC},
        {kRefpb, kAct | kRefpb, Scope::kBank, t.tRFCpb},
        {kRefpb, kAct, Scope::kRank, t.tRRD_S},
        {kRefpb, kRefpb, Scope::kRank, t.tRREFD},
    };
    int64_t longest = 0;
    for (const Rule& r : m_rules) longest = std::max(longest, r.delay);
    // An auto-precharge lies at most this far after its RDA/WRA.
    const int64_t auto_pre = std::max({int64_t{t.tRTP}, t.tCWL + burst + t.tWR, int64_t{t.tRAS}});
    m_window = static_cast<uint64_t>(longest + auto_pre + t.tFAW + 1);
    const int period = c.refresh == cfg::RefreshMode::kPerBank ? t.tREFIpb : t.tREFI;
    for (uint64_t& due : m_refresh_due) due = static_cast<uint64_t>(period);
}

void ReferenceChannel::push(const Atom& a) {
    (a.is_write ? m_staged_writes : m_staged_reads).push_back(a);
}

bool ReferenceChannel::has_work() const {
    return m_read_head < m_staged_reads.size() || m_write_head < m_staged_writes.size() ||
           !m_read_q.empty() || !m_write_q.empty();
}

void ReferenceChannel::run_until(uint64_t t) {
    for (uint64_t cycle = m_now + 1; cycle <= t; ++cycle) step(cycle);
    m_now = std::max(m_now, t);
}

bool ReferenceChannel::legal(Command c, uint32_t rank, uint32_t group, uint32_t bank,
                             uint64_t t) const {
    const unsigned target = bit(c);
    uint32_t recent_acts = 0;  // ACTs of this rank in (t - tFAW, t]
    for (auto it = m_history.rbegin(); it != m_history.rend(); ++it) {
        const Issued& h = *it;
        if (h.issued_at + m_window < t) break;
        if (h.on_bus && h.cycle >= t) return false;  // one command per cycle
        if (c == Command::kAct && h.command == Command::kAct && h.rank == rank &&
            h.cycle + static_cast<uint64_t>(m_c.timing.tFAW) > t) {
            ++recent_acts;
        }
        for (const Rule& r : m_rules) {
            if ((r.from & bit(h.command)) == 0 || (r.to & target) == 0) continue;
            bool in_scope = false;
            switch (r.scope) {
                case Scope::kBank:
                    in_scope = h.rank == rank && h.bank == bank;
                    break;
                case Scope::kGroup:
                    in_scope = h.rank == rank && h.group == group;
                    break;
                case Scope::kRank:
                    in_scope = h.rank == rank;
                    break;
                case Scope::kOtherRank:
                    in_scope = h.rank != rank;
                    break;
                case Scope::kChannel:
                    in_scope = true;
                    break;
            }
            if (in_scope && static_cast<int64_t>(t) < static_cast<int64_t>(h.cycle) + r.delay) {
                return false;
            }
        }
    }
    return recent_acts < 4;
}

Command ReferenceChannel::next_command(const Atom& a) const {
    const uint32_t open = m_open_row[a.rank * static_cast<uint32_t>(m_c.banks_per_rank()) + a.bank];
    if (open == kClosed) return Command::kAct;
    if (open != a.row) return Command::kPre;
    const bool closed_page = m_c.page_policy == cfg::PagePolicy::kClosed;
    if (a.is_write) return closed_page ? Command::kWra : Command::kWr;
    return closed_page ? Command::kRda : Command::kRd;
}

bool ReferenceChannel::blocked(const Atom& a) const {
    if (m_refresh_pending[a.rank] == 0) return false;
    return m_c.refresh == cfg::RefreshMode::kAllBank || m_refresh_bank[a.rank] == a.bank;
}

void ReferenceChannel::step(uint64_t t) {
    // 1. Bursts registered before t enter their queue while it has room; reads first.
    while (m_read_head < m_staged_reads.size() && m_staged_reads[m_read_head].arrival < t &&
           m_read_q.size() < static_cast<size_t>(m_c.read_queue)) {
        m_read_q.push_back({m_staged_reads[m_read_head++]});
    }
    while (m_write_head < m_staged_writes.size() && m_staged_writes[m_write_head].arrival < t &&
           m_write_q.size() < static_cast<size_t>(m_c.write_queue)) {
        m_write_q.push_back({m_staged_writes[m_write_head++]});
    }
    // 2. Refreshes falling due.
    const bool per_bank = m_c.refresh == cfg::RefreshMode::kPerBank;
    if (m_c.refresh != cfg::RefreshMode::kOff) {
        const auto period = static_cast<uint64_t>(per_bank ? m_c.timing.tREFIpb : m_c.timing.tREFI);
        for (size_t r = 0; r < m_refresh_due.size(); ++r) {
            while (m_refresh_due[r] <= t) {
                ++m_refresh_pending[r];
                m_refresh_due[r] += period;
            }
        }
    }
    // 3. Write drain.
    const size_t writes = m_write_q.size();
    const size_t reads = m_read_q.size();
    if (!m_write_mode &&
        (writes >= static_cast<size_t>(m_c.write_high) || (reads == 0 && writes > 0))) {
        m_write_mode = true;
    } else if (m_write_mode &&
               (writes == 0 || (writes <= static_cast<size_t>(m_c.write_low) && reads > 0))) {
        m_write_mode = false;
    }
    // 4a. Refresh first, lowest rank first.
    const auto banks = static_cast<uint32_t>(m_c.banks_per_rank());
    const auto per_group = static_cast<uint32_t>(m_c.banks_per_group);
    for (uint32_t r = 0; r < m_refresh_pending.size(); ++r) {
        if (m_refresh_pending[r] == 0) continue;
        if (per_bank) {
            const uint32_t b = m_refresh_bank[r];
            const Command c =
                m_open_row[r * banks + b] == kClosed ? Command::kRefpb : Command::kPre;
            if (legal(c, r, b / per_group, b, t)) {
                issue(c, r, b / per_group, b, 0, 0, t);
                return;
            }
            continue;
        }
        bool any_open = false;
        for (uint32_t b = 0; b < banks; ++b) {
            if (m_open_row[r * banks + b] == kClosed) continue;
            any_open = true;
            if (legal(Command::kPre, r, b / per_group, b, t)) {
                issue(Command::kPre, r, b / per_group, b, 0, 0, t);
                return;
            }
        }
        if (!any_open && legal(Command::kRef, r, 0, 0, t)) {
            issue(Command::kRef, r, 0, 0, 0, 0, t);
            return;
        }
    }
    // 4b. FR-FCFS: the oldest burst whose column command is legal, else the oldest whose ACT or
    // PRE is legal.
    std::vector<Queued>& q = m_write_mode ? m_write_q : m_read_q;
    for (int pass = 0; pass < 2; ++pass) {
        for (size_t i = 0; i < q.size(); ++i) {
            const Atom a = q[i].atom;
            if (blocked(a)) continue;
            const Command c = next_command(a);
            if (is_column(c) != (pass == 0) || !legal(c, a.rank, a.bank_group, a.bank, t)) {
                continue;
            }
            issue(c, a.rank, a.bank_group, a.bank, a.row, a.column, t);
            if (c == Command::kAct) q[i].activated = true;
            if (c == Command::kPre) q[i].precharged = true;
            if (is_column(c)) {
                const RowOutcome o = q[i].precharged  ? RowOutcome::kConflict
                                     : q[i].activated ? RowOutcome::kMiss
                                                      : RowOutcome::kHit;
                const int latency =
                    (a.is_write ? m_c.timing.tCWL : m_c.timing.tCL) + m_c.timing.tBURST;
                m_done.push_back({a.tag, t + static_cast<uint64_t>(latency), o});
                m_stats.queue_cycles += t - a.arrival;
                if (o == RowOutcome::kHit) ++m_stats.row_hits;
                if (o == RowOutcome::kMiss) ++m_stats.row_misses;
                if (o == RowOutcome::kConflict) ++m_stats.row_conflicts;
                q.erase(q.begin() + static_cast<std::ptrdiff_t>(i));
            }
            return;
        }
    }
}

void ReferenceChannel::issue(Command c, uint32_t rank, uint32_t group, uint32_t bank, uint32_t row,
                             uint32_t column, uint64_t t) {
    m_commands.push_back({t, c, rank, bank, row, column});
    m_history.push_back({t, t, c, rank, group, bank, true});
    const uint32_t index = rank * static_cast<uint32_t>(m_c.banks_per_rank()) + bank;
    const bool per_bank = m_c.refresh == cfg::RefreshMode::kPerBank;
    const auto period = static_cast<uint64_t>(per_bank ? m_c.timing.tREFIpb : m_c.timing.tREFI);
    const auto length = static_cast<uint64_t>(per_bank ? m_c.timing.tRFCpb : m_c.timing.tRFC);
    switch (c) {
        case Command::kAct:
            ++m_stats.activates;
            m_open_row[index] = row;
            break;
        case Command::kPre:
            ++m_stats.precharges;
            m_open_row[index] = kClosed;
            break;
        case Command::kRd:
        case Command::kRda:
            ++m_stats.reads;
            break;
        case Command::kWr:
        case Command::kWra:
            ++m_stats.writes;
            break;
        case Command::kRef:
        case Command::kRefpb: {
            ++(c == Command::kRef ? m_stats.refreshes : m_stats.refreshes_per_bank);
            // The oldest pending refresh fell due `pending` periods before the next one.
            const uint64_t due = m_refresh_due[rank] - m_refresh_pending[rank] * period;
            m_stats.refresh_cycles += t + length - due;
            --m_refresh_pending[rank];
            if (c == Command::kRefpb) {
                m_refresh_bank[rank] =
                    (m_refresh_bank[rank] + 1) % static_cast<uint32_t>(m_c.banks_per_rank());
            }
            break;
        }
    }
    if (c != Command::kRda && c != Command::kWra) return;
    // Auto-precharge: at the first cycle at or after t that the PRE rules of this bank allow.
    uint64_t p = t;
    for (auto it = m_history.rbegin(); it != m_history.rend(); ++it) {
        const Issued& h = *it;
        if (h.issued_at + m_window < t) break;
        if (h.rank != rank || h.bank != bank) continue;
        for (const Rule& r : m_rules) {
            if ((r.from & bit(h.command)) == 0 || (r.to & kPre) == 0 || r.scope != Scope::kBank) {
                continue;
            }
            p = std::max<int64_t>(static_cast<int64_t>(p), static_cast<int64_t>(h.cycle) + r.delay);
        }
    }
    ++m_stats.precharges;
    m_open_row[index] = kClosed;
    m_history.push_back({p, t, Command::kPre, rank, group, bank, false});
}

ChannelStats ReferenceChannel::stats() const {
    ChannelStats s = m_stats;
    // Background: per rank, the union of its banks' open intervals [ACT, PRE) within [0, now).
    const auto banks = static_cast<uint32_t>(m_c.banks_per_rank());
    for (uint32_t rank = 0; rank < static_cast<uint32_t>(m_c.ranks); ++rank) {
        std::vector<std::pair<uint64_t, uint64_t>> open;
        for (uint32_t bank = 0; bank < banks; ++bank) {
            std::vector<Issued> events;
            for (const Issued& h : m_history) {
                if (h.rank == rank && h.bank == bank &&
                    (h.command == Command::kAct || h.command == Command::kPre)) {
                    events.push_back(h);
                }
            }
            std::stable_sort(events.begin(), events.end(),
                             [](const Issued& a, const Issued& b) { return a.cycle < b.cycle; });
            for (size_t i = 0; i < events.size(); ++i) {
                if (events[i].command != Command::kAct) continue;
                const uint64_t end = i + 1 < events.size() ? events[i + 1].cycle : m_now;
                open.emplace_back(events[i].cycle, std::min(end, m_now));
            }
        }
        std::sort(open.begin(), open.end());
        uint64_t active = 0;
        uint64_t covered = 0;  // everything before this is counted
        for (const auto& [begin, end] : open) {
            const uint64_t from = std::max(begin, covered);
            if (end > from) {
                active += end - from;
                covered = end;
            }
        }
        s.active_rank_cycles += active;
        s.precharged_rank_cycles += m_now - active;
    }
    return s;
}

}  // namespace npu::dram

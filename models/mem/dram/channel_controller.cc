#include "models/mem/dram/channel_controller.h"

#include <algorithm>
#include <iterator>

#include "models/mem/dram/banked_dram.h"
#include "sim/core/error.h"

namespace npu::dram {
namespace {

uint64_t nonnegative(int64_t v) { return v < 0 ? 0 : static_cast<uint64_t>(v); }

void raise(uint64_t& reg, uint64_t cycle) { reg = std::max(reg, cycle); }

}  // namespace

void ChannelController::Fifo::grow() {
    std::vector<Atom> bigger(std::max<size_t>(16, 2 * m_items.size()));
    const size_t mask = m_items.size() - 1;
    for (size_t i = 0; i < m_size; ++i) bigger[i] = m_items[(m_head + i) & mask];
    m_items.swap(bigger);
    m_capacity = m_items.size();
    m_mask = m_capacity - 1;
    m_head = 0;
}

void ChannelController::BankQueue::grow() {
    std::vector<Entry> bigger(std::max<size_t>(4, 2 * ring.size()));
    for (uint32_t i = 0; i < size; ++i) bigger[i] = at(i);
    ring.swap(bigger);
    capacity = static_cast<uint32_t>(ring.size());
    mask = capacity - 1;
    head = 0;
}

ChannelController::ChannelController(const cfg::DramConfig& c)
    : m_t(c.timing),
      m_policy(c.page_policy),
      m_refresh(c.refresh),
      m_ranks(static_cast<uint32_t>(c.ranks)),
      m_groups_per_rank(static_cast<uint32_t>(c.bank_groups)),
      m_banks_per_group(static_cast<uint32_t>(c.banks_per_group)),
      m_banks_per_rank(static_cast<uint32_t>(c.banks_per_rank())),
      m_read_depth(static_cast<size_t>(c.read_queue)),
      m_write_depth(static_cast<size_t>(c.write_queue)),
      m_write_high(static_cast<size_t>(c.write_high)),
      m_write_low(static_cast<size_t>(c.write_low)),
      m_refresh_period(static_cast<uint64_t>(
          c.refresh == cfg::RefreshMode::kPerBank ? c.timing.tREFIpb : c.timing.tREFI)),
      m_refresh_length(static_cast<uint64_t>(
          c.refresh == cfg::RefreshMode::kPerBank ? c.timing.tRFCpb : c.timing.tRFC)),
      m_rd_to_wr(
          nonnegative(int64_t{c.timing.tCL} + c.timing.tBURST + c.timing.tRTRS - c.timing.tCWL)),
      m_wr_to_rd_other(
          nonnegative(int64_t{c.timing.tCWL} + c.timing.tBURST + c.timing.tRTRS - c.timing.tCL)),
      m_banks(static_cast<size_t>(m_ranks) * m_banks_per_rank),
      m_place(m_banks.size()),
      m_groups(static_cast<size_t>(m_ranks) * m_groups_per_rank),
      m_rank(m_ranks),
      m_background(m_ranks),
      m_closes(m_banks.size(), kNever) {
    for (Queue* q : {&m_read_q, &m_write_q}) {
        q->banks.resize(m_banks.size());
        q->oldest_hit.assign(m_banks.size(), kNoSeq);
        q->oldest_miss.assign(m_banks.size(), kNoSeq);
        q->next_hit.assign(m_banks.size(), Queue::kNone);
        q->prev_hit.assign(m_banks.size(), Queue::kNone);
        q->misses.reserve(m_banks.size());
        q->miss_position.assign(m_banks.size(), 0);
    }
    for (Rank& r : m_rank) r.refresh_due = m_refresh_period;
    if (m_refresh != cfg::RefreshMode::kOff) m_refresh_due = m_refresh_period;
    m_rank_from.resize(m_ranks);
    const bool closed = m_policy == cfg::PagePolicy::kClosed;
    m_column_command[0] = closed ? Command::kRda : Command::kRd;
    m_column_command[1] = closed ? Command::kWra : Command::kWr;
    m_streamable = m_ranks == 1 && !closed;
    m_data_delay[0] = static_cast<uint64_t>(m_t.tCL) + static_cast<uint64_t>(m_t.tBURST);
    m_data_delay[1] = static_cast<uint64_t>(m_t.tCWL) + static_cast<uint64_t>(m_t.tBURST);
    m_wr_to_pre = m_data_delay[1] + static_cast<uint64_t>(m_t.tWR);
    m_wr_to_rd_l = m_data_delay[1] + static_cast<uint64_t>(m_t.tWTR_L);
    m_wr_to_rd_s = m_data_delay[1] + static_cast<uint64_t>(m_t.tWTR_S);
    for (uint32_t b = 0; b < m_place.size(); ++b) {
        const uint32_t rank = b / m_banks_per_rank;
        const uint32_t bank = b % m_banks_per_rank;
        m_place[b] = Place{rank, bank, rank * m_groups_per_rank + bank / m_banks_per_group};
        m_banks[b].group = m_place[b].group;
    }
}

void ChannelController::stage_error(uint64_t arrival) const {
    throw ModelError("dram.controller", m_now, -1,
                     "a burst arrived at cycle " + std::to_string(arrival) +
                         ", before the controller's present cycle");
}

void ChannelController::run_until(uint64_t t) {
    // After a step the next decision is recomputed at once (nothing reads the kept one during
    // the loop), and kept at the end.
    uint64_t next = next_decision();
    while (next <= t) {
        if (m_streamable) {
            next = run_streaming(t, next);
            break;
        }
        step(next);
        next = compute_next_decision();
    }
    m_next = next;
    m_next_valid = true;
    m_now = std::max(m_now, t);
}

inline void ChannelController::step(uint64_t t) {
    // The mode is evaluated once per cycle, after the admissions. The cycles since the last step
    // (if any) saw the queues as that step left them, and so does this one if no burst enters:
    // the mode the next decision computed for them (run_until computes it before every
    // step; the rule is idempotent, so one evaluation is every idle cycle's).
    const bool gap = t > m_last_step + 1;
    m_now = t;
    m_last_step = t;
    const unsigned admitted = accept(t);
    if (admitted == 0) {
        m_write_mode = m_idle_mode;
    } else {
        const bool mode = gap ? m_idle_mode : m_write_mode;
        // Reads entering in read mode keep it: that mode was evaluated with as many writes queued
        // as now (only reads left since: the read queue is the one served), so fewer than
        // write_high, and a read waits now.
        m_write_mode = admitted == kAdmittedReads && !mode ? false : mode_after(mode);
    }
    update_refresh_due(t);
    if (!issue_refresh(t)) issue_request(t);
}

inline uint32_t ChannelController::enter(Queue& q, const Atom& a) {
    const uint32_t b = a.rank * m_banks_per_rank + a.bank;
    const uint64_t seq = q.next_seq++;
    BankQueue& bq = q.banks[b];
    if (bq.size == bq.capacity) bq.grow();
    const uint32_t offset = bq.size++;
    Entry& e = bq.at(offset);
    e.atom = a;
    e.seq = seq;
    e.outcome = RowOutcome::kHit;
    ++q.size;
    // The youngest burst: it represents its bank only if the bank had no hit (miss) yet.
    if (m_banks[b].open_row == a.row) {
        if (bq.hit != BankQueue::kNone) return Queue::kNone;
        bq.hit = offset;
        set_hit(q, b, seq);
    } else {
        if (bq.miss != BankQueue::kNone) return Queue::kNone;
        bq.miss = offset;
        set_miss(q, b, seq);
    }
    return b;
}

__attribute__((always_inline)) inline void ChannelController::leave(Queue& q, uint32_t b) {
    BankQueue& bq = q.banks[b];
    const uint32_t k = bq.hit;
    const uint32_t row = bq.at(k).atom.row;
    m_burst_left = true;
    --q.size;
    // Out of the ring: the misses ahead of it (if any) move up one place, keeping their offsets;
    // the bursts after it come one offset nearer the front.
    for (uint32_t i = k; i > 0; --i) bq.at(i) = bq.at(i - 1);
    bq.head = (bq.head + 1) & bq.mask;
    --bq.size;
    if (bq.miss != BankQueue::kNone && bq.miss > k) --bq.miss;
    // The bank's next hit is younger than the one issued (its oldest miss does not change, nor
    // its open row).
    for (uint32_t i = k; i < bq.size; ++i) {
        const Entry& e = bq.at(i);
        if (e.atom.row == row) {
            bq.hit = i;
            later_hit(q, b, e.seq);
            return;
        }
    }
    bq.hit = BankQueue::kNone;
    set_hit(q, b, kNoSeq);
}

void ChannelController::reindex_bank(Queue& q, uint32_t b) {
    BankQueue& bq = q.banks[b];
    uint64_t hit = kNoSeq;
    uint64_t miss = kNoSeq;
    bq.hit = BankQueue::kNone;
    bq.miss = BankQueue::kNone;
    const uint32_t open = m_banks[b].open_row;
    for (uint32_t i = 0; i < bq.size; ++i) {
        const Entry& e = bq.at(i);
        if (e.atom.row == open) {
            if (hit != kNoSeq) continue;
            hit = e.seq;
            bq.hit = i;
        } else {
            if (miss != kNoSeq) continue;
            miss = e.seq;
            bq.miss = i;
        }
        if (hit != kNoSeq && miss != kNoSeq) break;
    }
    set_hit(q, b, hit);
    set_miss(q, b, miss);
}

inline void ChannelController::set_hit(Queue& q, uint32_t b, uint64_t seq) {
    const uint64_t old = q.oldest_hit[b];
    if (old == seq) return;
    q.oldest_hit[b] = seq;
    constexpr uint32_t kNone = Queue::kNone;
    if (old != kNoSeq) {  // unlink b
        const uint32_t prev = q.prev_hit[b];
        const uint32_t next = q.next_hit[b];
        (prev == kNone ? q.first_hit : q.next_hit[prev]) = next;
        (next == kNone ? q.last_hit : q.prev_hit[next]) = prev;
    }
    if (seq == kNoSeq) return;
    // Usually among the youngest: find its place from the back.
    link_hit(q, b, seq, kNone);
}

inline void ChannelController::link_hit(Queue& q, uint32_t b, uint64_t seq, uint32_t stop) {
    constexpr uint32_t kNone = Queue::kNone;
    uint32_t prev = q.last_hit;
    while (prev != stop && q.oldest_hit[prev] > seq) prev = q.prev_hit[prev];
    const uint32_t next = prev == kNone ? q.first_hit : q.next_hit[prev];
    q.prev_hit[b] = prev;
    q.next_hit[b] = next;
    (prev == kNone ? q.first_hit : q.next_hit[prev]) = b;
    (next == kNone ? q.last_hit : q.prev_hit[next]) = b;
}

inline void ChannelController::later_hit(Queue& q, uint32_t b, uint64_t seq) {
    q.oldest_hit[b] = seq;
    // Still the youngest oldest hit: b keeps its place at the end.
    if (q.last_hit == b) return;
    constexpr uint32_t kNone = Queue::kNone;
    // Unlink b (a bank follows it), then find its place from the back: at or after its old one.
    const uint32_t prev = q.prev_hit[b];
    const uint32_t next = q.next_hit[b];
    (prev == kNone ? q.first_hit : q.next_hit[prev]) = next;
    q.prev_hit[next] = prev;
    link_hit(q, b, seq, prev);
}

void ChannelController::set_miss(Queue& q, uint32_t b, uint64_t seq) {
    const uint64_t old = q.oldest_miss[b];
    q.oldest_miss[b] = seq;
    if (old == kNoSeq && seq != kNoSeq) {
        q.miss_position[b] = static_cast<uint32_t>(q.misses.size());
        q.misses.push_back(b);
        q.row_floor = 0;  // a bank the floor did not cover
    } else if (old != kNoSeq && seq == kNoSeq) {
        const uint32_t last = q.misses.back();
        q.misses[q.miss_position[b]] = last;
        q.miss_position[last] = q.miss_position[b];
        q.misses.pop_back();
    }
}

void ChannelController::reindex_bank(uint32_t b) {
    reindex_bank(m_read_q, b);
    reindex_bank(m_write_q, b);
}

void ChannelController::reindex_closed(uint32_t b) {
    // Every burst misses a closed bank (no row is kClosed): no hit, the front the oldest miss.
    for (Queue* q : {&m_read_q, &m_write_q}) {
        BankQueue& bq = q->banks[b];
        bq.hit = BankQueue::kNone;
        bq.miss = bq.size > 0 ? 0 : BankQueue::kNone;
        set_hit(*q, b, kNoSeq);
        set_miss(*q, b, bq.size > 0 ? bq.at(0).seq : kNoSeq);
    }
}

inline bool ChannelController::admit_from(Fifo& staged, Queue& q, size_t depth, bool writes,
                                          uint64_t t) {
    if (staged.front_entry() > t || q.size >= depth) return false;
    const bool tracked = m_candidates.kept == kept_for(writes);
    do {
        const uint32_t b = enter(q, staged.front());
        staged.pop();
        // A new representative of its bank changes the candidates (it is the youngest burst,
        // so only if it is legal no later than they are).
        if (tracked && b != Queue::kNone) consider(m_candidates, q, b, t);
    } while (staged.front_entry() <= t && q.size < depth);
    return true;
}

inline unsigned ChannelController::admit(uint64_t t) {
    const bool reads = admit_from(m_read_staged, m_read_q, m_read_depth, false, t);  // first
    const bool writes = admit_from(m_write_staged, m_write_q, m_write_depth, true, t);
    return (reads ? kAdmittedReads : 0u) | (writes ? kAdmittedWrites : 0u);
}

void ChannelController::update_refresh_due(uint64_t t) {
    if (t < m_refresh_due) return;
    m_refresh_due = kNever;
    for (Rank& r : m_rank) {
        while (r.refresh_due <= t) {
            ++r.refresh_pending;
            ++m_refreshes_pending;
            r.refresh_due += m_refresh_period;
            m_candidates.kept = 0;  // bursts of this rank (or bank) are blocked now
            m_refresh_at = 0;       // and its refresh commands are due
        }
        m_refresh_due = std::min(m_refresh_due, r.refresh_due);
    }
}

bool ChannelController::mode_after(bool write_mode) const {
    const size_t writes = m_write_q.size;
    const size_t reads = m_read_q.size;
    // (write_high >= 1: no write queued keeps read mode, the common case decided first.)
    if (!write_mode) return writes > 0 && (writes >= m_write_high || reads == 0);
    return !(writes == 0 || (writes <= m_write_low && reads > 0));
}

uint64_t ChannelController::earliest(Command c, uint32_t rank, uint32_t group,
                                     uint32_t bank) const {
    const Bank& b = bank_of(rank, bank);
    const Rank& r = m_rank[rank];
    switch (c) {
        case Command::kAct: {
            uint64_t e =
                std::max({m_bus_free, b.next_act, group_of(rank, group).next_act, r.next_act});
            // tFAW: the fourth-last ACT of the rank opens the window.
            if (r.faw_count >= 4) e = std::max(e, r.faw[r.faw_count % 4] + m_t.tFAW);
            return e;
        }
        case Command::kPre:
            return std::max(m_bus_free, b.next_pre);
        case Command::kRd:
        case Command::kRda:
            return std::max({m_bus_free, b.next_rd, group_of(rank, group).next_rd, r.next_rd});
        case Command::kWr:
        case Command::kWra:
            return std::max({m_bus_free, b.next_wr, group_of(rank, group).next_wr, r.next_wr});
        case Command::kRef:
            return std::max(m_bus_free, r.next_ref);
        case Command::kRefpb:
            return std::max({m_bus_free, b.next_refpb, r.next_refpb});
    }
    return kNever;
}

std::optional<ChannelController::RefreshStep> ChannelController::refresh_step(uint32_t rank,
                                                                              uint64_t t) const {
    const Rank& r = m_rank[rank];
    if (r.refresh_pending == 0) return std::nullopt;
    if (m_refresh == cfg::RefreshMode::kPerBank) {
        const uint32_t bank = r.refresh_bank;
        const uint32_t group = bank / m_banks_per_group;
        const Command c = bank_of(rank, bank).open_row == kClosed ? Command::kRefpb : Command::kPre;
        return RefreshStep{c, bank, earliest(c, rank, group, bank)};
    }
    // All-bank: PRE the open banks (at t: the lowest-numbered one legal at t; otherwise the one
    // legal first), then REF.
    std::optional<RefreshStep> best;
    for (uint32_t bank = 0; bank < m_banks_per_rank; ++bank) {
        if (bank_of(rank, bank).open_row == kClosed) continue;
        const uint64_t e = earliest(Command::kPre, rank, bank / m_banks_per_group, bank);
        if (e <= t) return RefreshStep{Command::kPre, bank, e};
        if (!best || e < best->cycle) best = RefreshStep{Command::kPre, bank, e};
    }
    if (best) return best;
    return RefreshStep{Command::kRef, 0, earliest(Command::kRef, rank, 0, 0)};
}

bool ChannelController::issue_due_refresh(uint64_t t) {
    for (uint32_t rank = 0; rank < m_ranks; ++rank) {
        const auto s = refresh_step(rank, t);
        if (!s || s->cycle > t) continue;
        issue(s->command, rank, s->bank / m_banks_per_group, s->bank, 0, 0, t);
        return true;
    }
    return false;
}

namespace {

// Offers a command legal at `at` for the burst of age `seq` to the candidates.
template <typename Candidates>
void offer(Candidates& c, uint64_t at, uint64_t seq, uint32_t bank, Command command, bool column) {
    if (at > c.time) return;
    if (at < c.time) {
        c.time = at;
        c.column = UINT64_MAX;
        c.row = UINT64_MAX;
    }
    uint64_t& best = column ? c.column : c.row;
    if (seq < best) {  // ties: the oldest burst
        best = seq;
        (column ? c.column_bank : c.row_bank) = bank;
        (column ? c.column_command : c.row_command) = command;
    }
}

}  // namespace

void ChannelController::consider(Candidates& c, const Queue& q, uint32_t b, uint64_t from) const {
    if (blocked(b)) return;
    const bool write = &q == &m_write_q;
    if (q.oldest_hit[b] != kNoSeq) {
        offer(c, std::max(earliest_column(b, write), from), q.oldest_hit[b], b,
              column_command(write), true);
    }
    if (q.oldest_miss[b] != kNoSeq) {
        const Command command = m_banks[b].open_row == kClosed ? Command::kAct : Command::kPre;
        offer(c, std::max(earliest_row(b), from), q.oldest_miss[b], b, command, false);
    }
}

template <bool kSkip>
inline void ChannelController::walk_hits(const Queue& q, bool write_queue, uint64_t soonest,
                                         uint32_t skip, Candidates& c) const {
    // Oldest hit first: a later bank wins only by being legal strictly earlier (offer()'s ties
    // go to the oldest burst); once one is legal at `soonest`, no younger one can win.
    uint64_t time = kNever;
    uint64_t seq = kNoSeq;
    uint32_t best = 0;
    for (uint32_t b = q.first_hit; b != Queue::kNone; b = q.next_hit[b]) {
        if (kSkip && b == skip) continue;
        const Bank& bank = m_banks[b];
        const Group& g = m_groups[bank.group];
        const uint64_t at = write_queue ? std::max({soonest, bank.next_wr, g.next_wr})
                                        : std::max({soonest, bank.next_rd, g.next_rd});
        if (at < time) {
            time = at;
            seq = q.oldest_hit[b];
            best = b;
            if (at == soonest) break;
        }
    }
    c.kept = kept_for(write_queue);
    c.time = time;
    c.column = seq;
    c.column_bank = best;
    c.row = kNoSeq;
    c.column_command = column_command(write_queue);
}

inline const ChannelController::Candidates& ChannelController::scan_streaming(const Queue& q,
                                                                              bool write_queue,
                                                                              uint64_t from) const {
    ++m_streaming_scans;
    const Rank& rank = m_rank[0];
    const uint64_t soonest =
        std::max({from, m_bus_free, write_queue ? rank.next_wr : rank.next_rd});
    walk_hits<false>(q, write_queue, soonest, Queue::kNone, m_candidates);
    return m_candidates;
}

const ChannelController::Candidates& ChannelController::scan_one_rank(const Queue& q,
                                                                      bool write_queue,
                                                                      uint64_t from) const {
    Candidates& c = m_candidates;
    c.kept = kept_for(write_queue);
    const Rank& rank = m_rank[0];
    // A due refresh blocks every bank (all-bank: no candidate at all), or the bank it refreshes
    // next (per-bank: the walks skip it; Queue::kNone, no bank, otherwise).
    uint32_t blocked_bank = Queue::kNone;
    if (m_refreshes_pending > 0) {
        if (m_refresh == cfg::RefreshMode::kAllBank) {
            c.time = kNever;
            c.column = kNoSeq;
            c.row = kNoSeq;
            return c;
        }
        blocked_bank = rank.refresh_bank;
        ++m_refresh_scans;
    }
    from = std::max(from, m_bus_free);
    // No column command is legal before `soonest`.
    const uint64_t soonest = std::max(from, write_queue ? rank.next_wr : rank.next_rd);
    walk_hits<true>(q, write_queue, soonest, blocked_bank, c);
    if (q.misses.empty()) return c;
    // No row command legal before the column command found: the misses change nothing.
    if (q.row_floor > c.time) {
        ++m_row_floor_skips;
        return c;
    }
    // The misses (any order: offer() keeps the earliest, ties to the oldest burst, and a row
    // command legal strictly earlier than every column command takes the decision).
    const uint64_t rank_act_from = rank_act(rank);
    uint64_t floor = kNever;
    for (const uint32_t b : q.misses) {
        const Bank& bank = m_banks[b];
        const bool open = bank.open_row != kClosed;
        const uint64_t legal =
            open ? bank.next_pre
                 : std::max({rank_act_from, bank.next_act, m_groups[bank.group].next_act});
        floor = std::min(floor, legal);
        if (b == blocked_bank) continue;
        offer(c, std::max(from, legal), q.oldest_miss[b], b, open ? Command::kPre : Command::kAct,
              false);
    }
    q.row_floor = floor;
    return c;
}

const ChannelController::Candidates& ChannelController::scan_candidates(bool write_queue,
                                                                        uint64_t from) const {
    Candidates& c = m_candidates;
    c = Candidates{};
    c.kept = kept_for(write_queue);
    const Queue& q = write_queue ? m_write_q : m_read_q;
    // consider() for every bank, with the rank's shares taken once.
    from = std::max(from, m_bus_free);
    const Command column = column_command(write_queue);
    // (One rank is scan_one_rank(): candidates() takes it before calling this.)
    uint64_t soonest_column = kNever;  // no column command is legal before this
    for (uint32_t r = 0; r < m_ranks; ++r) {
        const Rank& rank = m_rank[r];
        m_rank_from[r].column = std::max(from, write_queue ? rank.next_wr : rank.next_rd);
        m_rank_from[r].act = std::max(from, rank_act(rank));
        soonest_column = std::min(soonest_column, m_rank_from[r].column);
    }
    const bool any_blocked = m_refreshes_pending > 0;
    for (const uint32_t b : q.misses) {
        if (any_blocked && blocked(b)) continue;
        const Bank& bank = m_banks[b];
        if (bank.open_row != kClosed) {
            offer(c, std::max(from, bank.next_pre), q.oldest_miss[b], b, Command::kPre, false);
        } else {
            offer(c,
                  std::max({m_rank_from[m_place[b].rank].act, bank.next_act,
                            m_groups[m_place[b].group].next_act}),
                  q.oldest_miss[b], b, Command::kAct, false);
        }
    }
    // Oldest first: once one is legal at soonest_column, every younger one loses to it.
    for (uint32_t b = q.first_hit; b != Queue::kNone; b = q.next_hit[b]) {
        if (any_blocked && blocked(b)) continue;
        const Bank& bank = m_banks[b];
        const Group& g = m_groups[m_place[b].group];
        const uint64_t rank = m_rank_from[m_place[b].rank].column;
        const uint64_t at = write_queue ? std::max({rank, bank.next_wr, g.next_wr})
                                        : std::max({rank, bank.next_rd, g.next_rd});
        offer(c, at, q.oldest_hit[b], b, column, true);
        if (at == soonest_column) break;
    }
    return c;
}

inline void ChannelController::column_rules(Command c, uint32_t index, uint64_t t) {
    const Place& place = m_place[index];
    const uint32_t rank = place.rank;
    Bank& b = m_banks[index];
    Group& g = m_groups[place.group];
    Rank& r = m_rank[rank];
    const uint64_t burst = static_cast<uint64_t>(m_t.tBURST);
    if (c == Command::kRd || c == Command::kRda) {
        ++m_stats.reads;
        raise(b.next_pre, t + m_t.tRTP);
        raise(g.next_rd, t + m_t.tCCD_L);
        raise(r.next_rd, t + m_t.tCCD_S);
        if (m_ranks == 1) {
            raise(r.next_wr, t + m_rd_to_wr);
        } else {
            for (uint32_t other = 0; other < m_ranks; ++other) {
                raise(m_rank[other].next_wr, t + m_rd_to_wr);
                if (other != rank) raise(m_rank[other].next_rd, t + burst + m_t.tRTRS);
            }
        }
    } else {
        ++m_stats.writes;
        raise(b.next_pre, t + m_wr_to_pre);
        raise(g.next_wr, t + m_t.tCCD_L);
        raise(r.next_wr, t + m_t.tCCD_S);
        raise(g.next_rd, t + m_wr_to_rd_l);
        raise(r.next_rd, t + m_wr_to_rd_s);
        for (uint32_t other = 0; m_ranks > 1 && other < m_ranks; ++other) {
            if (other == rank) continue;
            raise(m_rank[other].next_wr, t + burst + m_t.tRTRS);
            raise(m_rank[other].next_rd, t + m_wr_to_rd_other);
        }
    }
    // A column command with auto-precharge: the bank closes itself at the first cycle an
    // explicit PRE would be legal (the command bus aside).
    if (c == Command::kRda || c == Command::kWra) {
        b.open_row = kClosed;
        const uint64_t p = b.next_pre;
        m_closes[index] = p;
        ++m_background[rank].pending_closes;
        precharge_at(rank, place.bank, p);
    }
}

__attribute__((noinline)) void ChannelController::report_traced(const Done& d, Command command,
                                                                const Atom& a) {
    if (m_trace != nullptr) {
        m_trace->push_back({d.issued, command, a.rank, a.bank, a.row, a.column});
    }
    report(d);
}

inline void ChannelController::report(const Done& d) {
    if (m_owner != nullptr) {
        m_owner->burst_done(d);
    } else {
        m_done.push_back(d);
    }
}

inline bool ChannelController::issue_request(uint64_t t) {
    // Every burst's next command is legal at t or later (t is the first cycle anything can
    // happen), so the ones legal at t are those at the candidates' time, if that is t.
    const Candidates& c = candidates(m_write_mode, t);
    if (c.time != t) return false;
    const bool column = c.column != kNoSeq;
    const Command command = column ? c.column_command : c.row_command;
    Queue& q = m_write_mode ? m_write_q : m_read_q;
    // The burst: its bank's oldest hit (column command) or oldest miss.
    const uint32_t bank = column ? c.column_bank : c.row_bank;
    BankQueue& bq = q.banks[bank];
    Entry& e = bq.at(column ? bq.hit : bq.miss);
    const Atom& a = e.atom;
    if (!column) {  // ACT or PRE
        e.outcome = std::max(e.outcome,
                             command == Command::kAct ? RowOutcome::kMiss : RowOutcome::kConflict);
        issue(command, a.rank, a.bank_group, a.bank, a.row, a.column, t);
        return true;
    }
    // issue() of the column command, its rules inline; what it records read from the burst
    // before leave() takes it out of its ring (no copy of the burst).
    if (m_trace != nullptr) m_trace->push_back({t, command, a.rank, a.bank, a.row, a.column});
    const RowOutcome outcome = e.outcome;
    const uint64_t latency = m_data_delay[a.is_write];
    report(Done{a.tag, t, t + latency, outcome});
    m_stats.queue_cycles += t - a.arrival;
    ++m_outcomes[static_cast<unsigned>(outcome)];
    leave(q, bank);
    m_bus_free = t + 1;
    m_candidates.kept = 0;
    column_rules(command, bank, t);
    return true;
}

uint64_t ChannelController::run_streaming(uint64_t end, uint64_t next) {
    // step() and compute_next_decision() for every cycle up to `end`, with one rank and open
    // pages: a column command of a bank with no miss queued (every burst of the bank hits it:
    // its oldest hit is its front, and so is the next one) goes in line, with no auto-precharge
    // and the rules of one rank; any other command through issue_request() or the refresh path.
    // Steps (1)-(3) are step()'s, written again: sharing them (a template step<kStream>, or an
    // always-inline helper both call) cost 7 M and 14 M instructions more on the benchmark (GCC
    // 12 inlined their callees differently into two callers).
    while (next <= end) {
        const uint64_t t = next;
        const bool gap = t > m_last_step + 1;
        m_now = t;
        m_last_step = t;
        const unsigned admitted = accept(t);
        if (admitted == 0) {
            m_write_mode = m_idle_mode;
        } else {
            const bool mode = gap ? m_idle_mode : m_write_mode;
            m_write_mode = admitted == kAdmittedReads && !mode ? false : mode_after(mode);
            // An admission-only cycle (see the header): in the mode the candidates are kept for,
            // before the refreshes' share of the next decision and the kept candidates' time
            // (as admit_from() left it: it offered them the bursts that became their bank's
            // representative). The rest of the step does nothing; the next decision is that
            // time or the next entry.
            if (m_write_mode == m_idle_mode) {
                const uint64_t queue_next = std::min(m_candidates.time, m_refresh_gate);
                if (queue_next > t) {
                    ++m_folded;
                    next = queue_next;
                    if (m_read_q.size < m_read_depth) {
                        next = std::min(next, m_read_staged.front_entry());
                    }
                    if (m_write_q.size < m_write_depth) {
                        next = std::min(next, m_write_staged.front_entry());
                    }
                    continue;
                }
            }
        }
        // (Before m_refresh_gate no refresh falls due and none is legal: both checks fail.)
        if (t < m_refresh_gate) {
            stream_request(t);
        } else {
            update_refresh_due(t);
            if (!issue_refresh(t)) stream_request(t);
        }
        next = compute_next_decision();
    }
    return next;
}

__attribute__((always_inline)) inline void ChannelController::stream_request(uint64_t t) {
    const bool write = m_write_mode;
    const Candidates& c = candidates(write, t);
    if (c.time != t) return;
    Queue& q = write ? m_write_q : m_read_q;
    const uint32_t b = c.column_bank;
    BankQueue& bq = q.banks[b];
    if (c.column == kNoSeq || bq.miss != BankQueue::kNone) {
        issue_request(t);
        return;
    }
    ++m_streamed;
    const Command command = c.column_command;
    const Entry& e = bq.ring[bq.head];
    const Atom& a = e.atom;
    const RowOutcome outcome = e.outcome;
    if (m_direct) {
        m_owner->burst_done(Done{a.tag, t, t + m_data_delay[write], outcome});
    } else {
        report_traced(Done{a.tag, t, t + m_data_delay[write], outcome}, command, a);
    }
    m_stats.queue_cycles += t - a.arrival;
    ++m_outcomes[static_cast<unsigned>(outcome)];
    // leave(): the front goes; the bank's next hit is its new front, if any.
    m_burst_left = true;
    --q.size;
    bq.head = (bq.head + 1) & bq.mask;
    if (--bq.size > 0) {
        later_hit(q, b, bq.ring[bq.head].seq);
    } else {
        bq.hit = BankQueue::kNone;
        set_hit(q, b, kNoSeq);
    }
    m_bus_free = t + 1;
    m_candidates.kept = 0;
    // column_rules() of one rank, no auto-precharge. The command is legal at t (the candidates'
    // time is at least its group's and rank's register of its kind), so raising those two
    // registers to t + tCCD_L, t + tCCD_S is setting them.
    Bank& bank = m_banks[b];
    Group& g = m_groups[bank.group];
    Rank& r = m_rank[0];
    if (!write) {
        ++m_stats.reads;
        raise(bank.next_pre, t + m_t.tRTP);
        g.next_rd = t + m_t.tCCD_L;
        r.next_rd = t + m_t.tCCD_S;
        raise(r.next_wr, t + m_rd_to_wr);
    } else {
        ++m_stats.writes;
        raise(bank.next_pre, t + m_wr_to_pre);
        g.next_wr = t + m_t.tCCD_L;
        r.next_wr = t + m_t.tCCD_S;
        raise(g.next_rd, t + m_wr_to_rd_l);
        raise(r.next_rd, t + m_wr_to_rd_s);
    }
}

void ChannelController::issue(Command c, uint32_t rank, uint32_t group, uint32_t bank, uint32_t row,
                              uint32_t column, uint64_t t) {
    if (m_trace != nullptr) m_trace->push_back({t, c, rank, bank, row, column});
    m_bus_free = t + 1;
    m_candidates.kept = 0;
    Bank& b = bank_of(rank, bank);
    Group& g = group_of(rank, group);
    Rank& r = m_rank[rank];
    switch (c) {
        case Command::kAct:
            account(m_background[rank], &m_closes[rank * m_banks_per_rank], m_banks_per_rank, t);
            ++m_background[rank].open_banks;
            ++m_stats.activates;
            b.open_row = row;
            b.act_cycle = t;
            reindex_bank(rank * m_banks_per_rank + bank);
            raise(b.next_act, t + m_t.tRC);
            raise(b.next_rd, t + m_t.tRCD);
            raise(b.next_wr, t + m_t.tRCD);
            raise(b.next_pre, t + m_t.tRAS);
            raise(g.next_act, t + m_t.tRRD_L);
            raise(r.next_act, t + m_t.tRRD_S);
            raise(r.next_refpb, t + m_t.tRRD_S);
            raise(r.next_ref, t + m_t.tRC);
            r.faw[r.faw_count % 4] = t;
            ++r.faw_count;
            return;
        case Command::kPre:
            account(m_background[rank], &m_closes[rank * m_banks_per_rank], m_banks_per_rank, t);
            --m_background[rank].open_banks;
            precharge_at(rank, bank, t);
            return;
        case Command::kRd:
        case Command::kRda:
        case Command::kWr:
        case Command::kWra:
            column_rules(c, rank * m_banks_per_rank + bank, t);
            return;
        case Command::kRef: {
            ++m_stats.refreshes;
            refreshed(r, t);
            raise(r.next_act, t + m_t.tRFC);
            raise(r.next_ref, t + m_t.tRFC);
            raise(r.next_refpb, t + m_t.tRFC);
            return;
        }
        case Command::kRefpb: {
            ++m_stats.refreshes_per_bank;
            refreshed(r, t);
            r.refresh_bank = (r.refresh_bank + 1) % m_banks_per_rank;
            raise(b.next_act, t + m_t.tRFCpb);
            raise(b.next_refpb, t + m_t.tRFCpb);
            raise(r.next_act, t + m_t.tRRD_S);
            raise(r.next_refpb, t + m_t.tRREFD);
            return;
        }
    }
}

void ChannelController::refreshed(Rank& r, uint64_t t) {
    // The oldest pending refresh fell due `pending` periods before the next one will.
    const uint64_t oldest_due = r.refresh_due - r.refresh_pending * m_refresh_period;
    m_stats.refresh_cycles += t + m_refresh_length - oldest_due;
    --r.refresh_pending;
    --m_refreshes_pending;
}

void ChannelController::precharge_at(uint32_t rank, uint32_t bank, uint64_t p) {
    Bank& b = bank_of(rank, bank);
    ++m_stats.precharges;
    b.open_row = kClosed;
    reindex_closed(rank * m_banks_per_rank + bank);
    raise(b.next_act, p + m_t.tRP);
    raise(b.next_refpb, p + m_t.tRP);
    raise(m_rank[rank].next_ref, p + m_t.tRP);
}

void ChannelController::account(Background& bg, uint64_t* closes, uint32_t banks, uint64_t until) {
    auto advance = [&bg](uint64_t to) {
        if (bg.open_banks > 0) bg.active_cycles += to - bg.accounted_at;
        bg.accounted_at = to;
    };
    while (bg.pending_closes > 0) {
        uint32_t first = 0;
        for (uint32_t i = 1; i < banks; ++i) {
            if (closes[i] < closes[first]) first = i;
        }
        if (closes[first] > until) break;
        advance(closes[first]);
        closes[first] = kNever;
        --bg.open_banks;
        --bg.pending_closes;
    }
    advance(until);
}

__attribute__((noinline)) void ChannelController::first_decision() const {
    m_next = compute_next_decision();
    m_next_valid = true;
}

inline uint64_t ChannelController::compute_next_decision() const {
    uint64_t best = kNever;
    // (front_entry() is kNever when nothing is staged.)
    if (m_read_q.size < m_read_depth) best = std::max(m_read_staged.front_entry(), m_now + 1);
    if (m_write_q.size < m_write_depth) {
        best = std::min(best, std::max(m_write_staged.front_entry(), m_now + 1));
    }
    uint64_t gate = m_refresh_due;
    if (m_refreshes_pending > 0) {
        uint64_t refresh = kNever;
        for (uint32_t rank = 0; rank < m_ranks; ++rank) {
            if (m_rank[rank].refresh_pending == 0) continue;
            if (const auto s = refresh_step(rank, 0)) refresh = std::min(refresh, s->cycle);
        }
        m_refresh_at = refresh;
        gate = std::min(gate, refresh);
    }
    m_refresh_gate = gate;
    best = std::min(best, gate);
    // The cycles until the next event see the mode the present queues give. The last step's mode
    // was evaluated over the queues as they were before its command (after its admissions), so
    // it is their fixed point (the rule is idempotent) unless a column command took a burst out.
    // (Computed exactly once after each step, by run_until, or before the first: a second call
    // without a step between would take m_write_mode after a burst left.)
    m_idle_mode = m_burst_left ? mode_after(m_write_mode) : m_write_mode;
    m_burst_left = false;
    return std::min(best, candidates(m_idle_mode, m_now + 1).time);
}

ChannelStats ChannelController::stats() const {
    ChannelStats s = m_stats;
    s.row_hits = m_outcomes[static_cast<unsigned>(RowOutcome::kHit)];
    s.row_misses = m_outcomes[static_cast<unsigned>(RowOutcome::kMiss)];
    s.row_conflicts = m_outcomes[static_cast<unsigned>(RowOutcome::kConflict)];
    std::vector<uint64_t> closes(m_banks_per_rank);
    for (uint32_t rank = 0; rank < m_ranks; ++rank) {
        Background bg = m_background[rank];
        std::copy_n(m_closes.begin() + rank * m_banks_per_rank, m_banks_per_rank, closes.begin());
        account(bg, closes.data(), m_banks_per_rank, m_now);
        s.active_rank_cycles += bg.active_cycles;
        s.precharged_rank_cycles += m_now - bg.active_cycles;
    }
    return s;
}

}  // namespace npu::dram

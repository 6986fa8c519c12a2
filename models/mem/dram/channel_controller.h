// One DRAM channel and its controller, event-driven (the fast model).
//
// What it models: a read queue and a write queue of configured depths fed in arrival order from
// unbounded staging FIFOs (a full queue back-pressures: bursts wait in staging); FR-FCFS
// scheduling (the oldest burst whose column command is legal now, else the oldest whose ACT or
// PRE is legal now) over the read queue, or the write queue while writes drain (from
// dram.write_high queued writes down to dram.write_low, or whenever no read waits); open- or
// closed-page policy (closed: RDA/WRA, the bank precharges itself as soon as an explicit PRE would
// be legal); all-bank or per-bank refresh with priority over requests (a due refresh blocks its
// rank, or its bank, closes the open banks and refreshes); one command per cycle on the command
// bus; every JEDEC timing rule of docs/dram.md (tRCD, tRP, tRAS, tRC, tRRD_S/L, tFAW, tCCD_S/L,
// tCL, tCWL, tWR, tWTR_S/L, tRTP, tRTRS, tRFC, tRFCpb, tRREFD).
// What it does not model: power-down and self refresh, refresh postponement, separate row and
// column command buses (HBM), read-after-write forwarding or ordering between a read and a queued
// write to the same address (the initiator waits for the write's completion), ECC, data.
//
// Timing contract (memory-clock cycles). Each cycle t runs, in this order: (1) staged bursts with
// arrival < t enter their queue while it has room (a burst is registered in its arrival cycle and
// schedulable from the next), reads before writes; (2) refreshes that are due become pending;
// (3) the write-drain mode is updated; (4) at most one command issues: refresh commands of the
// lowest pending rank first (PRE of its open banks in bank order, then REF; per bank: PRE then
// REFpb), else FR-FCFS as above. A command is legal at t when every rule "a command of kind X at
// s forbids a command of kind Y in scope Z before s + d" holds, scope being the bank, the bank
// group, the rank, the other ranks or the channel. A read's data is done at RD + tCL + tBURST, a
// write's at WR + tCWL + tBURST.
// The controller never loops over cycles: each register holds the first cycle a command kind is
// legal in its scope, and per bank it keeps the oldest queued burst that hits the open row and the
// oldest that misses (all hits of a bank share their next command, as do all misses), so the next
// cycle anything can happen is a minimum over the banks with queued bursts, recomputed only when
// a command issues, the drain mode flips or a refresh falls due: over the banks with a miss, and
// over the banks with a hit in the age of their oldest hit up to the first one legal as early as
// any column command can be (usually the first or second); plus a pass over one bank's own
// bursts (below) when it opens a row (a bank that closes has no hit and its front is its oldest
// miss: no search); no allocation once the buffers have grown. With one rank, no refresh due and no
// miss in the queue (a stream of row hits: 95% of the request commands of timing-only ResNet-18)
// that walk is the whole scan, inline (scan_streaming; streaming_scans() counts it); with one rank
// otherwise (scan_one_rank) the same walk skips the bank a due per-bank refresh holds back
// (refresh_scans() counts those scans), then the banks with a miss are offered, unless no row
// command of theirs can be legal by the column command found (Queue::row_floor, a lower bound
// kept between scans; row_floor_skips() counts those scans). The first cycle a
// due refresh command is legal is kept from the next decision: a step looks at the refresh commands
// only from then on (run_streaming's steps look neither at them nor at a refresh falling due
// before m_refresh_gate, the least of that cycle and the next refresh's due cycle). Each queue
// keeps every bank's bursts in a ring of their own, in age order (ages: one sequence number per
// queue, for FR-FCFS across banks), with the offsets of the bank's oldest hit and miss: the issued
// burst is found from its bank with no search, the bank's next hit after it is the next burst with
// the open row (in a stream of hits, the next one), and its oldest hit and miss after its row
// changes are found among its own bursts. The drain rule is evaluated only when the queues it reads
// changed: a step's mode is a fixed point of the queues it saw (the rule is idempotent), so it
// holds for the cycles after the step until a burst enters or leaves, and reads entering in read
// mode cannot flip it. With one rank and open pages (the bundled presets) run_until's steps run in
// one loop (run_streaming) whose column command of a bank with no miss queued takes a short path:
// the burst is the bank's front (every burst of the bank hits), so is its next hit, and the rules
// are one rank's with no auto-precharge (streamed_commands() counts them; any other command takes
// the general one); with an owner and no trace it hands the burst to the owner with no further
// check (m_direct). A cycle of that loop whose bursts enter their queue but cause no command takes
// a short step (folded_admissions() counts them): the bursts enter as in a full step (same order,
// ages and arrivals; a new representative of its bank offered to the kept candidates, O(1)), the
// mode is evaluated as there, and if it is the mode the last next decision kept the candidates for
// (m_idle_mode), and both the refreshes' share of that decision (a refresh falling due, a pending
// refresh command legal) and the candidates' time lie after the cycle, the rest of the step is
// idle: no refresh falls due or issues, no request command is legal (a burst behind an older hit,
// or miss, of its bank changes no candidate at all). It leaves the full step's state (m_now,
// m_last_step, m_write_mode, which is m_idle_mode again after a step with no command), and its next
// decision is the full step's: the least of the candidates' time, the refreshes' share
// (m_refresh_gate: m_refresh_due, or m_refresh_at while a refresh is pending) and the entry of each
// staging FIFO's front if its queue has room (after the cycle: the bursts entering by then did), so
// busy_event() gives the owner the same cycles. Proven equal, command by command and completion by
// completion, to the cycle-by-cycle ReferenceChannel (reference_channel.h) in
// tests/unit/dram_equivalence_test.cc (which asserts that the streaming scan, the short column path
// and the short admission step were taken, and has streaming-heavy streams where each of the first
// two takes about half of the decisions, and per-bank refresh under streams of hits where the
// one-rank scan skips a blocked bank; an untraced copy of every stream's BankedDram must give the
// traced one's completions and stats).
//
// Stats (ChannelStats): bursts read/written, ACT, PRE, REF, REFpb, row hits/misses/conflicts,
// queueing cycles, refresh cycles, active and precharged rank-cycles.
#pragma once

#include <algorithm>
#include <cstdint>
#include <optional>
#include <vector>

#include "models/mem/dram/dram_types.h"
#include "sim/config/dram_config.h"

namespace npu::dram {

class BankedDram;

class ChannelController {
  public:
    // The config passed validation.
    explicit ChannelController(const cfg::DramConfig& config);

    // A burst arrives. Arrivals are nondecreasing and >= now().
    void push(const Atom& atom) { stage(atom.is_write, atom.arrival) = atom; }
    // push() of a burst the caller writes into the returned slot (arrival and is_write set; the
    // rest to fill before the next call): no copy of the burst through the stack.
    Atom& stage(bool is_write, uint64_t arrival) {
        if (arrival < m_now) stage_error(arrival);
        return stage_checked(is_write, arrival);
    }
    // stage() of a burst whose arrival the caller has checked is >= now() (BankedDram: >= its
    // own present, which no channel's passes).
    Atom& stage_checked(bool is_write, uint64_t arrival) {
        Fifo& staged = is_write ? m_write_staged : m_read_staged;
        // Only the front of a FIFO can be the next decision, and staging changes neither the
        // queues nor the mode: a kept next decision stays, or the new front comes first (arrival
        // >= now()). (Before the first decision m_next is not kept: first_decision() sets it.)
        if (staged.empty() &&
            (is_write ? m_write_q.size < m_write_depth : m_read_q.size < m_read_depth)) {
            m_next = std::min(m_next, arrival + 1);
        }
        Atom& a = staged.push(arrival);
        a.is_write = is_write;
        return a;
    }
    // Runs cycles now()+1 .. t (t >= now()).
    void run_until(uint64_t t);
    // The next cycle > now() at which a command issues or a burst enters a queue, if no burst
    // arrives meanwhile; nullopt when nothing is staged or queued (a refresh alone is no reason to
    // wake up: run_until catches up with it).
    [[nodiscard]] std::optional<uint64_t> next_busy_event() const {
        if (!has_work()) return std::nullopt;
        return next_decision();
    }
    [[nodiscard]] bool has_work() const { return has_reads() || has_writes(); }
    // Whether a read (write) burst is staged or queued.
    [[nodiscard]] bool has_reads() const { return !m_read_staged.empty() || m_read_q.size > 0; }
    [[nodiscard]] bool has_writes() const { return !m_write_staged.empty() || m_write_q.size > 0; }
    // next_busy_event() when has_work() (inline: the owner asks once per channel per step).
    [[nodiscard]] uint64_t busy_event() const { return next_decision(); }
    [[nodiscard]] uint64_t now() const { return m_now; }
    // How many FR-FCFS scans took the streaming case (one rank, no refresh due, every burst of
    // the queue a hit: the walk over the banks with a hit is the whole scan), and how many
    // one-rank scans skipped a bank held back by its due per-bank refresh, for tests.
    [[nodiscard]] uint64_t streaming_scans() const { return m_streaming_scans; }
    [[nodiscard]] uint64_t refresh_scans() const { return m_refresh_scans; }
    // How many one-rank scans left the banks with a miss out because none of their row
    // commands can be legal by the column command found (Queue::row_floor), for tests.
    [[nodiscard]] uint64_t row_floor_skips() const { return m_row_floor_skips; }
    // How many column commands run_streaming()'s own path issued (tests).
    [[nodiscard]] uint64_t streamed_commands() const { return m_streamed; }
    // How many of run_streaming()'s cycles only admitted bursts, folded to the admission (tests).
    [[nodiscard]] uint64_t folded_admissions() const { return m_folded; }

    // A burst whose column command has issued; its data is done at `cycle` (may be > now()).
    struct Done {
        uint32_t tag;
        uint64_t issued;  // its column command
        uint64_t cycle;
        RowOutcome outcome;
    };
    // Bursts issued since the caller last cleared the vector (none while an owner takes them).
    [[nodiscard]] std::vector<Done>& done() { return m_done; }
    // Hands every burst whose column command issues to `owner` (BankedDram::burst_done, its
    // request's slot) as it issues instead of through done(): no second pass over the bursts.
    // nullptr: done() again. The owner must outlive the controller's runs.
    void set_owner(BankedDram* owner) {
        m_owner = owner;
        m_direct = m_owner != nullptr && m_trace == nullptr;
    }

    // Counts so far; the background counts cover [0, now()).
    [[nodiscard]] ChannelStats stats() const;
    // Records every command issued (for the equivalence tests); nullptr stops recording.
    void set_trace(std::vector<CommandRecord>* trace) {
        m_trace = trace;
        m_direct = m_owner != nullptr && m_trace == nullptr;
    }

  private:
    static constexpr uint64_t kNever = UINT64_MAX;
    static constexpr uint32_t kClosed = UINT32_MAX;

    // A queued burst, its age (arrival order over its queue) and the row commands issued on its
    // behalf (its row outcome). 64 bytes, a cache line: the rings' stride is a shift.
    struct alignas(64) Entry {
        Atom atom;
        uint64_t seq = 0;
        // Its row outcome so far: kMiss once an ACT issued on its behalf, kConflict once a PRE
        // did (kHit < kMiss < kConflict: the larger one stays).
        RowOutcome outcome = RowOutcome::kHit;
    };
    // One bank's bursts of one queue, in age order: a ring of power-of-two size that only grows
    // (no allocation in steady state), with the offsets (from the front) of the bank's oldest
    // hit and oldest miss. A column command takes the oldest hit: the front when no miss is
    // older (the misses ahead of it move up one place otherwise), and the bank's next hit is the
    // first burst after it with the open row (usually the very next).
    struct BankQueue {
        static constexpr uint32_t kNone = UINT32_MAX;
        std::vector<Entry> ring;
        uint32_t head = 0;
        uint32_t size = 0;
        uint32_t mask = 0;      // ring.size() - 1 (0 before the first burst: ring empty)
        uint32_t capacity = 0;  // ring.size(), kept (no division by the entry size per burst)
        uint32_t hit = kNone;   // offset of the oldest hit, or kNone
        uint32_t miss = kNone;  // offset of the oldest miss, or kNone
        [[nodiscard]] Entry& at(uint32_t offset) { return ring[(head + offset) & mask]; }
        [[nodiscard]] const Entry& at(uint32_t offset) const {
            return ring[(head + offset) & mask];
        }
        void grow();  // twice the size (at least 4), the ring unrolled so the head is at 0
    };
    // One queue (read or write): per bank its bursts in age order, and the banks indexed by
    // their oldest hit and miss: every burst of a bank that hits its open row has the same next
    // command (RD/WR) and every one that misses the same (PRE, or ACT when the bank is closed),
    // so FR-FCFS only needs each bank's oldest hit and oldest miss.
    struct Queue {
        std::vector<BankQueue> banks;       // per bank
        size_t size = 0;                    // queued bursts
        uint64_t next_seq = 0;              // the age of the next burst to enter
        std::vector<uint64_t> oldest_hit;   // per bank: seq of its oldest hit, or kNoSeq
        std::vector<uint64_t> oldest_miss;  // per bank: seq of its oldest miss, or kNoSeq
        // The banks with a hit queued, by the age of their oldest hit (oldest first), a list
        // linked through per-bank indices: FR-FCFS walks them in that order and stops at the
        // first whose column command is legal as early as any column command can be.
        static constexpr uint32_t kNone = UINT32_MAX;
        uint32_t first_hit = kNone;
        uint32_t last_hit = kNone;
        std::vector<uint32_t> next_hit;       // per bank with a hit: the bank after it, or kNone
        std::vector<uint32_t> prev_hit;       // ... before it
        std::vector<uint32_t> misses;         // the banks with a miss queued (any order)
        std::vector<uint32_t> miss_position;  // per bank: its index in `misses`
        // No row command for a miss of this queue is legal before this cycle (0: not known):
        // the least over the banks with a miss (a due refresh's blocked one too) of the first
        // cycle their PRE or ACT is legal, the bus aside, as scan_one_rank() last took it. It
        // stays a bound until a bank gets its first miss (which resets it): the registers only
        // rise, and a bank that opens (closes) had its ACT (PRE) legal by then and has its PRE
        // legal tRAS (its ACT tRP) later at the earliest.
        mutable uint64_t row_floor = 0;
    };
    // Sets bank b's oldest hit (miss) in q, keeping q.hits (q.misses) in step.
    void set_hit(Queue& q, uint32_t b, uint64_t seq);
    void set_miss(Queue& q, uint32_t b, uint64_t seq);
    // set_hit() when bank b (with a hit) gets a younger oldest hit `seq` (leave()).
    void later_hit(Queue& q, uint32_t b, uint64_t seq);
    // Links bank b (not in q's hit list, its oldest hit `seq`) into the list by age, searching
    // from the back no further than bank `stop` (Queue::kNone: the whole list).
    void link_hit(Queue& q, uint32_t b, uint64_t seq, uint32_t stop);
    static constexpr uint64_t kNoSeq = UINT64_MAX;
    // FIFO of staged bursts, a ring of power-of-two size that only grows (no allocation in
    // steady state).
    class Fifo {
      public:
        [[nodiscard]] bool empty() const { return m_size == 0; }
        [[nodiscard]] const Atom& front() const { return m_items[m_head]; }
        // The first cycle the front burst can enter its queue (its arrival + 1), kNever when
        // empty: one load where the scheduling path asks "does a staged burst enter at t?".
        [[nodiscard]] uint64_t front_entry() const { return m_front_entry; }
        // A new slot at the back, its arrival set (its other old contents: the caller writes
        // every field).
        Atom& push(uint64_t arrival) {
            if (m_size == m_capacity) grow();
            if (m_size == 0) m_front_entry = arrival + 1;
            Atom& a = m_items[(m_head + m_size++) & m_mask];
            a.arrival = arrival;
            return a;
        }
        void pop() {
            m_head = (m_head + 1) & m_mask;
            m_front_entry = --m_size == 0 ? kNever : m_items[m_head].arrival + 1;
        }

      private:
        void grow();  // twice the size, the ring unrolled so the head is at 0
        std::vector<Atom> m_items;
        // m_items.size() and that - 1, kept (no division by the element size per access).
        size_t m_capacity = 0;
        size_t m_mask = 0;
        size_t m_head = 0;
        size_t m_size = 0;
        uint64_t m_front_entry = kNever;
    };
    // First cycle each command kind is legal, per scope. Rules are max-updates at issue.
    struct Bank {
        uint32_t open_row = kClosed;
        uint64_t act_cycle = 0;
        uint64_t next_act = 0, next_pre = 0, next_rd = 0, next_wr = 0, next_refpb = 0;
        uint32_t group = 0;  // its group's index in m_groups (m_place's, at hand in the scans)
    };
    struct alignas(32) Group {  // (32 bytes: m_groups' stride is a shift)
        uint64_t next_act = 0, next_rd = 0, next_wr = 0;
    };
    struct Rank {
        uint64_t next_act = 0, next_rd = 0, next_wr = 0, next_ref = 0, next_refpb = 0;
        uint64_t faw[4] = {0, 0, 0, 0};  // the last four ACTs, a ring
        uint32_t faw_count = 0;
        // refresh
        uint64_t refresh_due = 0;  // the next refresh becomes pending at this cycle
        uint32_t refresh_pending = 0;
        uint32_t refresh_bank = 0;  // per-bank: the bank refreshed next
    };
    // Background accounting of one rank: banks open, auto-precharges still to happen, and the
    // cycles with at least one bank open up to `accounted_at`.
    struct Background {
        uint32_t open_banks = 0;
        uint32_t pending_closes = 0;
        uint64_t accounted_at = 0;
        uint64_t active_cycles = 0;
    };

    [[noreturn]] void stage_error(uint64_t arrival) const;
    void step(uint64_t t);
    // run_until()'s loop from the next decision `next` up to `end` with one rank and open pages
    // (m_streamable); returns the next decision after `end`.
    uint64_t run_streaming(uint64_t end, uint64_t next);
    // Step (4) of run_streaming(): issue_request() with the column command of a bank with no
    // miss queued in line.
    void stream_request(uint64_t t);
    bool m_streamable = false;  // one rank, open pages
    uint64_t m_streamed = 0;    // streamed_commands()
    uint64_t m_folded = 0;      // folded_admissions()
    // Step (1) of a cycle: the staged bursts that enter their queue at t; which did (kAdmitted*
    // bits, 0: none). Usually none: the check inline, the work in admit().
    static constexpr unsigned kAdmittedReads = 1;
    static constexpr unsigned kAdmittedWrites = 2;
    unsigned accept(uint64_t t) {
        if (m_read_staged.front_entry() > t && m_write_staged.front_entry() > t) return 0;
        return admit(t);
    }
    unsigned admit(uint64_t t);
    bool admit_from(Fifo& staged, Queue& q, size_t depth, bool writes, uint64_t t);
    void update_refresh_due(uint64_t t);
    // The write-drain mode one evaluation of the rule gives from `write_mode` and the queues.
    [[nodiscard]] bool mode_after(bool write_mode) const;
    // Issues the refresh command due at t, if any (refresh takes precedence over requests).
    bool issue_refresh(uint64_t t) {
        // No refresh command is legal before m_refresh_at (see there).
        if (m_refreshes_pending == 0 || m_refresh_at > t) return false;
        return issue_due_refresh(t);
    }
    bool issue_due_refresh(uint64_t t);
    bool issue_request(uint64_t t);
    [[nodiscard]] uint64_t next_decision() const {
        if (!m_next_valid) first_decision();
        return m_next;
    }
    // The next decision before the first run_until (later ones are kept: run_until computes each
    // after its steps), out of line: next_decision()'s callers stay small.
    void first_decision() const;
    [[nodiscard]] uint64_t compute_next_decision() const;
    mutable uint64_t m_next = 0;  // next_decision(), while m_next_valid
    // No refresh command is legal before this cycle (issue_refresh() looks no further when it
    // is later): the first cycle one of a pending rank is, as the last next decision took it
    // with a refresh pending. That holds until the next step's command (the next decision
    // after it takes it again) or until a rank falls due (update_refresh_due() sets 0: look;
    // needed when a rank falls due while another is still pending). With no refresh pending
    // since, it is the cycle of the last refresh command (past).
    mutable uint64_t m_refresh_at = 0;
    // The refreshes' share of the last next decision: m_refresh_due, or m_refresh_at if less
    // while a refresh is pending. Until the step after it nothing changes them (a step changes
    // them only at or after this cycle): run_streaming's steps before it skip the refresh checks.
    mutable uint64_t m_refresh_gate = 0;
    mutable bool m_next_valid = false;
    // mode_after(m_write_mode) over the queues as the last step left them, computed with the
    // next decision (the mode of every cycle after that step until a burst enters a queue).
    mutable bool m_idle_mode = false;
    // A burst left a queue since the last next decision was computed (its mode evaluation).
    mutable bool m_burst_left = false;

    // The requests' side of the next decision: over the unblocked bursts of one queue, the first
    // cycle (>= `from`) any of their next commands is legal, and the oldest burst whose column
    // command, and the oldest whose ACT or PRE, is legal then. Kept between events (the state it
    // reads only changes at events) and recomputed only when a command issues, the mode flips or
    // a refresh falls due; bursts entering the queue update it in O(1) each.
    struct Candidates {
        // 0: not kept (recompute), else kept for one queue: kept_for(write_queue).
        uint32_t kept = 0;
        uint64_t time = kNever;
        uint64_t column = kNoSeq;  // seq of the burst, or kNoSeq
        uint64_t row = kNoSeq;
        uint32_t column_bank = 0;  // the bank whose oldest hit `column` is
        uint32_t row_bank = 0;     // ... whose oldest miss `row` is
        Command column_command = Command::kRd;
        Command row_command = Command::kAct;
    };
    static uint32_t kept_for(bool write_queue) { return write_queue ? 2 : 1; }
    // Adds bank `b`'s representatives (of queue `q`) to `c`, legal no earlier than `from`.
    void consider(Candidates& c, const Queue& q, uint32_t b, uint64_t from) const;
    // RD/WR, or RDA/WRA (closed page)
    [[nodiscard]] Command column_command(bool write) const { return m_column_command[write]; }
    const Candidates& candidates(bool write_queue, uint64_t from) const {
        if (m_candidates.kept == kept_for(write_queue)) return m_candidates;
        if (m_ranks > 1) return scan_candidates(write_queue, from);
        const Queue& q = write_queue ? m_write_q : m_read_q;
        if (q.misses.empty() && m_refreshes_pending == 0) {
            return scan_streaming(q, write_queue, from);
        }
        return scan_one_rank(q, write_queue, from);
    }
    // candidates() when they are not kept: a scan of the queue's representatives.
    const Candidates& scan_candidates(bool write_queue, uint64_t from) const;
    // scan_candidates() with one rank: the rank's shares and the blocked bank (a due per-bank
    // refresh's) taken once, the walk over the banks with a hit as scan_streaming's, then the
    // banks with a miss.
    const Candidates& scan_one_rank(const Queue& q, bool write_queue, uint64_t from) const;
    // scan_one_rank() in the streaming case (no refresh due, every burst of `q` a hit): the walk
    // over the banks with a hit alone, inline (defined in the .cc, its only user).
    const Candidates& scan_streaming(const Queue& q, bool write_queue, uint64_t from) const;
    // Both scans' walk over the banks with a hit in `q`, oldest hit first, skipping bank `skip`
    // when kSkip (the streaming scan skips none and pays no check): the oldest burst whose column
    // command is legal first (no earlier than `soonest`, the rank's share and the bus) into `c`'s
    // column fields, kept for the queue (inline; defined in the .cc, its only user).
    template <bool kSkip>
    void walk_hits(const Queue& q, bool write_queue, uint64_t soonest, uint32_t skip,
                   Candidates& c) const;
    mutable uint64_t m_streaming_scans = 0;  // streaming_scans()
    mutable uint64_t m_refresh_scans = 0;    // refresh_scans()
    mutable uint64_t m_row_floor_skips = 0;  // row_floor_skips()
    // Queue bookkeeping.
    // Returns the burst's bank (channel-wide index) if the burst represents it now (its oldest
    // hit or miss), else Queue::kNone.
    uint32_t enter(Queue& q, const Atom& a);
    void leave(Queue& q, uint32_t b);         // bank b's oldest hit had its column command
    void reindex_bank(Queue& q, uint32_t b);  // recompute b's oldest hit and miss
    void reindex_bank(uint32_t b);            // ... in both queues (its open row changed)
    void reindex_closed(uint32_t b);          // reindex_bank(b) when b just closed (no search)
    // A due refresh holds the bank (channel-wide bank index) back from requests.
    [[nodiscard]] bool blocked(uint32_t b) const {
        if (m_refreshes_pending == 0) return false;
        const Rank& r = m_rank[m_place[b].rank];
        if (r.refresh_pending == 0) return false;
        return m_refresh == cfg::RefreshMode::kAllBank || r.refresh_bank == m_place[b].bank;
    }
    // The first cycle bank b's (channel-wide index) column command (RD/RDA, or WR/WRA when
    // `write`), and its row command (ACT when closed, else PRE), is legal: earliest() for them.
    [[nodiscard]] uint64_t earliest_column(uint32_t b, bool write) const {
        const Bank& bank = m_banks[b];
        const Group& g = m_groups[m_place[b].group];
        const Rank& r = m_rank[m_place[b].rank];
        return write ? std::max({m_bus_free, bank.next_wr, g.next_wr, r.next_wr})
                     : std::max({m_bus_free, bank.next_rd, g.next_rd, r.next_rd});
    }
    [[nodiscard]] uint64_t earliest_row(uint32_t b) const {
        const Bank& bank = m_banks[b];
        if (bank.open_row != kClosed) return std::max(m_bus_free, bank.next_pre);
        return std::max({m_bus_free, bank.next_act, m_groups[m_place[b].group].next_act,
                         rank_act(m_rank[m_place[b].rank])});
    }
    // The rank's share of when an ACT is legal: tRRD_S, tRFC, and tFAW (the fourth-last ACT of
    // the rank opens the window).
    [[nodiscard]] uint64_t rank_act(const Rank& r) const {
        return r.faw_count >= 4 ? std::max(r.next_act, r.faw[r.faw_count % 4] + m_t.tFAW)
                                : r.next_act;
    }
    [[nodiscard]] uint64_t earliest(Command c, uint32_t rank, uint32_t group, uint32_t bank) const;
    // The refresh command of a pending rank (kPre, kRef or kRefpb; its bank; when it is legal):
    // the one that issues at `t` if any does, else the one legal first.
    struct RefreshStep {
        Command command;
        uint32_t bank;
        uint64_t cycle;
    };
    [[nodiscard]] std::optional<RefreshStep> refresh_step(uint32_t rank, uint64_t t) const;

    void issue(Command c, uint32_t rank, uint32_t group, uint32_t bank, uint32_t row,
               uint32_t column, uint64_t t);
    // The rules and counts of a column command (RD/RDA/WR/WRA) at t, its auto-precharge
    // included: issue()'s share for them (issue_request calls it directly).
    // `b`: the channel-wide bank index.
    void column_rules(Command c, uint32_t b, uint64_t t);
    void precharge_at(uint32_t rank, uint32_t bank, uint64_t p);
    void refreshed(Rank& r, uint64_t t);  // a REF or REFpb of rank r issued at t
    // Brings `bg` up to `until`: pending auto-precharges (`closes`, one per bank of the rank,
    // kNever when none) at or before it close their banks in time order.
    static void account(Background& bg, uint64_t* closes, uint32_t banks, uint64_t until);

    [[nodiscard]] Bank& bank_of(uint32_t rank, uint32_t bank) {
        return m_banks[rank * m_banks_per_rank + bank];
    }
    [[nodiscard]] const Bank& bank_of(uint32_t rank, uint32_t bank) const {
        return m_banks[rank * m_banks_per_rank + bank];
    }
    [[nodiscard]] Group& group_of(uint32_t rank, uint32_t group) {
        return m_groups[rank * m_groups_per_rank + group];
    }
    [[nodiscard]] const Group& group_of(uint32_t rank, uint32_t group) const {
        return m_groups[rank * m_groups_per_rank + group];
    }

    cfg::DramTiming m_t;
    cfg::PagePolicy m_policy;
    cfg::RefreshMode m_refresh;
    uint32_t m_ranks;
    uint32_t m_groups_per_rank;
    uint32_t m_banks_per_group;
    uint32_t m_banks_per_rank;
    size_t m_read_depth;
    size_t m_write_depth;
    size_t m_write_high;
    size_t m_write_low;
    uint64_t m_refresh_period;    // tREFI or tREFIpb
    uint64_t m_refresh_length;    // tRFC or tRFCpb
    uint64_t m_rd_to_wr;          // tCL + tBURST + tRTRS - tCWL (>= 0)
    uint64_t m_wr_to_rd_other;    // tCWL + tBURST + tRTRS - tCL (>= 0), another rank
    Command m_column_command[2];  // column_command(false), column_command(true)
    uint64_t m_data_delay[2];     // a read's tCL + tBURST, a write's tCWL + tBURST
    // A write's tCWL + tBURST + tWR, + tWTR_L, + tWTR_S (the write's rules, added once).
    uint64_t m_wr_to_pre, m_wr_to_rd_l, m_wr_to_rd_s;

    uint64_t m_now = 0;        // every cycle up to here has run
    uint64_t m_last_step = 0;  // the last cycle something could happen
    uint64_t m_bus_free = 0;   // the command bus: one command per cycle
    bool m_write_mode = false;
    std::vector<Bank> m_banks;
    // Per channel-wide bank index: its rank, its bank within the rank and its group's index in
    // m_groups (no divisions on the scheduling path).
    struct Place {
        uint32_t rank = 0;
        uint32_t bank = 0;
        uint32_t group = 0;
    };
    std::vector<Place> m_place;
    std::vector<Group> m_groups;
    std::vector<Rank> m_rank;
    std::vector<Background> m_background;  // per rank
    std::vector<uint64_t> m_closes;        // per bank: its pending auto-precharge, or kNever
    Queue m_read_q;
    Queue m_write_q;
    Fifo m_read_staged;
    Fifo m_write_staged;
    std::vector<Done> m_done;
    BankedDram* m_owner = nullptr;  // set_owner()
    // A burst's column command issued: to the owner, or into m_done.
    void report(const Done& d);
    // run_streaming()'s column command when it is not m_direct: recorded, then report()ed.
    void report_traced(const Done& d, Command command, const Atom& a);
    // An owner takes the bursts and no trace records: the streaming path calls the owner alone.
    bool m_direct = false;
    // Column commands by their burst's row outcome (kHit, kMiss, kConflict): stats()'s row_hits,
    // row_misses and row_conflicts (m_stats leaves them 0).
    uint64_t m_outcomes[3] = {0, 0, 0};
    mutable Candidates m_candidates;
    uint32_t m_refreshes_pending = 0;  // over all ranks (no burst is blocked when 0)
    uint64_t m_refresh_due = kNever;   // the earliest refresh_due of the ranks (kNever: off)
    // candidates()' scratch, per rank: from when its bursts' column commands, and its closed
    // banks' ACTs, can be legal (the rank's share, the command bus, `from`).
    struct RankFrom {
        uint64_t column = 0, act = 0;
    };
    mutable std::vector<RankFrom> m_rank_from;
    ChannelStats m_stats;
    std::vector<CommandRecord>* m_trace = nullptr;
};

}  // namespace npu::dram

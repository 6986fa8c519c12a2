// The proof of the banked DRAM's timing: the event-driven model (BankedDram over
// ChannelController) equals the cycle-by-cycle ReferenceChannel on random request streams -
// random device organisations and timing, random addresses, read/write mixes and burstiness, both
// page policies, all three refresh modes - command for command (same command, bank, row, column,
// cycle), completion for completion, and in every statistic. The fast model is driven through its
// public event API the way an adapter would (enqueue, next_event, advance at arbitrary points),
// the reference cycle by cycle.
//
// The default run checks a few thousand streams in seconds; NPUSIM_DRAM_SWEEP=long (ctest entry
// dram_equivalence_long, label `long`) runs many more and longer ones.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <optional>
#include <random>
#include <string>

#include "models/mem/dram/banked_dram.h"
#include "models/mem/dram/channel_controller.h"
#include "models/mem/dram/reference_channel.h"
#include "sim/config/config_loader.h"
#include "sim/config/hw_config.h"
#include "sim/config/paths.h"

namespace npu::dram {
namespace {

bool long_sweep() {
    const char* v = std::getenv("NPUSIM_DRAM_SWEEP");
    return v != nullptr && std::string(v) == "long";
}

int pick(std::mt19937_64& rng, int lo, int hi) {
    return std::uniform_int_distribution<int>(lo, hi)(rng);
}

// A small random device (few rows, so conflicts are common) with random timing that passes
// validation: the model relies on nothing the validator does not check.
cfg::DramConfig random_device(std::mt19937_64& rng) {
    cfg::DramConfig c;
    c.model = cfg::DramModel::kBanked;
    c.channels = 1;
    c.ranks = 1 << pick(rng, 0, 1);
    c.bank_groups = 1 << pick(rng, 0, 2);
    c.banks_per_group = 1 << pick(rng, 0, 2);
    c.rows = 1 << pick(rng, 1, 4);
    c.burst_length = 1 << pick(rng, 1, 3);
    c.columns = c.burst_length << pick(rng, 0, 3);
    c.bus_width_bits = 8 << pick(rng, 0, 3);
    c.device_width_bits = c.bus_width_bits;
    const char* mappings[] = {"RoBaRaCoBgCh", "RoCoBaBgRaCh", "RoBaBgRaCoCh", "ChRaBgBaRoCo",
                              "CoRoBgBaRaCh"};
    c.mapping = mappings[pick(rng, 0, 4)];
    c.page_policy = pick(rng, 0, 1) == 0 ? cfg::PagePolicy::kOpen : cfg::PagePolicy::kClosed;
    const int refresh = pick(rng, 0, 5);
    c.refresh = refresh < 3   ? cfg::RefreshMode::kAllBank
                : refresh < 5 ? cfg::RefreshMode::kPerBank
                              : cfg::RefreshMode::kOff;
    c.read_queue = pick(rng, 1, 8);
    c.write_queue = pick(rng, 1, 8);
    c.write_high = pick(rng, 1, c.write_queue);
    c.write_low = pick(rng, 0, c.write_high - 1);
    cfg::DramTiming& t = c.timing;
    t.tRCD = pick(rng, 1, 8);
    t.tRP = pick(rng, 1, 8);
    t.tCL = pick(rng, 1, 10);
    t.tCWL = pick(rng, 1, 10);
    t.tRAS = t.tRCD + pick(rng, 0, 10);
    t.tRC = t.tRAS + t.tRP + pick(rng, 0, 4);
    t.tRRD_S = pick(rng, 1, 4);
    t.tRRD_L = t.tRRD_S + pick(rng, 0, 3);
    t.tFAW = pick(rng, 0, 24);
    t.tBURST = pick(rng, 1, 4);
    t.tCCD_S = t.tBURST + pick(rng, 0, 2);
    t.tCCD_L = t.tCCD_S + pick(rng, 0, 3);
    t.tWR = pick(rng, 1, 8);
    t.tWTR_S = pick(rng, 1, 4);
    t.tWTR_L = t.tWTR_S + pick(rng, 0, 3);
    t.tRTP = pick(rng, 1, 6);
    t.tRTRS = pick(rng, 0, 3);
    // Refresh that can keep up: an interval longer than the slowest way to close a bank (the
    // write recovery or tRAS, then tRP) plus the refresh itself.
    const int close = std::max(t.tRAS, t.tCWL + t.tBURST + t.tWR) + t.tRP;
    t.tRFC = pick(rng, 5, 40);
    t.tREFI = t.tRFC + close + pick(rng, 10, 300);
    t.tRFCpb = pick(rng, 1, 20);
    t.tRREFD = pick(rng, 0, 6);
    t.tREFIpb = close + t.tRREFD + pick(rng, 5, 60);
    // A bank comes round again after banks * tREFIpb: leave room for an access in between.
    const int banks = c.bank_groups * c.banks_per_group;
    const int turn = t.tRFCpb + close + t.tRC + t.tCL + 2 * t.tCCD_L + 20;
    t.tREFIpb = std::max(t.tREFIpb, (turn + banks - 1) / banks);
    c.power.vdd = 0;  // no IDD data: energy is not what this test is about
    c.size_bytes = c.capacity_bytes();
    return c;
}

struct Stream {
    std::vector<Request> requests;
};

// Bursty arrivals (runs in the same cycle, short and long gaps), a read/write mix, random and
// sequential addresses, requests of one to a few bursts.
Stream random_stream(std::mt19937_64& rng, const cfg::DramConfig& c, int count) {
    Stream s;
    const uint64_t capacity = c.capacity_bytes();
    const uint64_t burst = c.atom_bytes();
    const double write_share = std::uniform_real_distribution<double>(0, 1)(rng);
    const int max_gap = pick(rng, 0, 3) == 0 ? 200 : pick(rng, 0, 12);
    uint64_t arrival = static_cast<uint64_t>(pick(rng, 0, 5));
    uint64_t next_seq = 0;
    for (int i = 0; i < count; ++i) {
        if (pick(rng, 0, 2) != 0) arrival += static_cast<uint64_t>(pick(rng, 0, max_gap));
        Request r;
        r.id = static_cast<uint64_t>(i);
        r.is_write = std::uniform_real_distribution<double>(0, 1)(rng) < write_share;
        r.bytes = static_cast<uint64_t>(pick(rng, 1, static_cast<int>(3 * burst)));
        if (pick(rng, 0, 3) == 0) {
            r.addr = next_seq % capacity;  // sequential
        } else {
            r.addr = std::uniform_int_distribution<uint64_t>(0, capacity - 1)(rng);
        }
        r.addr = std::min(r.addr, capacity - r.bytes);
        next_seq = r.addr + r.bytes;
        r.arrival_cycle = arrival;
        s.requests.push_back(r);
    }
    return s;
}

// Over the streams checked so far: commands issued, and FR-FCFS scans that took the controller's
// streaming case (ChannelController::streaming_scans): the tests assert it was exercised.
uint64_t g_commands = 0;
uint64_t g_streaming_scans = 0;
// ... and column commands issued by the controller's streaming loop's own path
// (ChannelController::streamed_commands).
uint64_t g_streamed = 0;
// What the streams exercised so far (printed by the tests that count them).
void print_counts() {
    std::printf(
        "%llu commands, %llu FR-FCFS scans in the streaming case, %llu column commands by the "
        "streaming loop's own path\n",
        static_cast<unsigned long long>(g_commands),
        static_cast<unsigned long long>(g_streaming_scans),
        static_cast<unsigned long long>(g_streamed));
}

constexpr uint64_t kNoDone = UINT64_MAX;  // a burst not done (check_controller)

struct Outcome {
    uint64_t cycle = 0;
    uint32_t hits = 0, misses = 0, conflicts = 0;
    uint64_t queue_cycles = 0;  // over its bursts: column command - arrival
};

void expect_same_stats(const ChannelStats& fast, const ChannelStats& ref) {
    EXPECT_EQ(fast.reads, ref.reads);
    EXPECT_EQ(fast.writes, ref.writes);
    EXPECT_EQ(fast.activates, ref.activates);
    EXPECT_EQ(fast.precharges, ref.precharges);
    EXPECT_EQ(fast.refreshes, ref.refreshes);
    EXPECT_EQ(fast.refreshes_per_bank, ref.refreshes_per_bank);
    EXPECT_EQ(fast.row_hits, ref.row_hits);
    EXPECT_EQ(fast.row_misses, ref.row_misses);
    EXPECT_EQ(fast.row_conflicts, ref.row_conflicts);
    EXPECT_EQ(fast.queue_cycles, ref.queue_cycles);
    EXPECT_EQ(fast.refresh_cycles, ref.refresh_cycles);
    EXPECT_EQ(fast.active_rank_cycles, ref.active_rank_cycles);
    EXPECT_EQ(fast.precharged_rank_cycles, ref.precharged_rank_cycles);
}

// Two completions equal in every field.
bool same_completion(const Completion& a, const Completion& b) {
    return a.id == b.id && a.cycle == b.cycle && a.arrival_cycle == b.arrival_cycle &&
           a.bursts == b.bursts && a.row_hits == b.row_hits && a.row_misses == b.row_misses &&
           a.row_conflicts == b.row_conflicts && a.queue_cycles == b.queue_cycles;
}

// Runs one stream through both models and compares everything. Returns false on a difference
// (the EXPECTs say what).
bool check_stream(const cfg::DramConfig& c, const Stream& s, std::mt19937_64& rng) {
    // Fast: through the event API, with advance() at random points between arrivals.
    BankedDram fast(c);
    std::vector<CommandRecord> fast_commands;
    fast.set_trace(0, &fast_commands);
    std::vector<Completion> done;
    // The same calls without a trace: the controller's column commands then go straight to the
    // BankedDram (ChannelController's m_direct path), which must agree with the traced run.
    BankedDram direct(c);
    std::vector<Completion> direct_done;
    const auto advance = [&](uint64_t t) {
        fast.advance(t, done);
        direct.advance(t, direct_done);
    };
    for (const Request& r : s.requests) {
        while (true) {
            const auto e = fast.next_event();
            EXPECT_EQ(e, direct.next_event());
            if (!e || *e > r.arrival_cycle) break;
            advance(pick(rng, 0, 1) == 0 ? *e : r.arrival_cycle);
        }
        if (pick(rng, 0, 2) == 0) advance(r.arrival_cycle);
        fast.enqueue(r);
        direct.enqueue(r);
    }
    const uint64_t last_arrival = s.requests.empty() ? 0 : s.requests.back().arrival_cycle;
    while (const auto e = fast.next_event()) {
        // Every request is served within a bounded time (no starvation in these short streams).
        if (*e > last_arrival + 200000) {
            ADD_FAILURE() << "requests still outstanding at cycle " << *e;
            return false;
        }
        advance(*e);
    }
    // Run on past the last completion, through some idle refreshes.
    const uint64_t end = fast.now() + static_cast<uint64_t>(pick(rng, 0, 400));
    advance(end);
    EXPECT_EQ(direct.streamed_commands(), fast.streamed_commands());
    EXPECT_EQ(direct_done.size(), done.size());
    for (size_t i = 0; i < std::min(done.size(), direct_done.size()); ++i) {
        const Completion& a = done[i];
        const Completion& b = direct_done[i];
        if (!same_completion(a, b)) {
            ADD_FAILURE() << "completion " << i << ": traced request " << a.id << " done at "
                          << a.cycle << " (" << a.row_hits << "/" << a.row_misses << "/"
                          << a.row_conflicts << " hit/miss/conflict, " << a.queue_cycles
                          << " queue cycles), untraced request " << b.id << " at " << b.cycle
                          << " (" << b.row_hits << "/" << b.row_misses << "/" << b.row_conflicts
                          << ", " << b.queue_cycles << ")";
            return false;
        }
    }
    expect_same_stats(direct.channel_stats(0), fast.channel_stats(0));

    g_commands += fast_commands.size();
    g_streaming_scans += fast.streaming_scans();
    g_streamed += fast.streamed_commands();

    ReferenceChannel ref(c);
    for (const Request& r : s.requests) {
        const uint64_t burst = c.atom_bytes();
        for (uint64_t b = r.addr / burst; b <= (r.addr + r.bytes - 1) / burst; ++b) {
            ref.push(fast.route(b * burst, r.is_write, r.arrival_cycle, static_cast<uint32_t>(r.id))
                         .atom);
        }
    }
    ref.run_until(end);

    bool same = true;
    EXPECT_EQ(fast_commands.size(), ref.commands().size());
    for (size_t i = 0; i < std::min(fast_commands.size(), ref.commands().size()); ++i) {
        if (!(fast_commands[i] == ref.commands()[i])) {
            std::string context;
            for (size_t j = i > 6 ? i - 6 : 0; j < i; ++j) {
                context += "\n  " + to_string(ref.commands()[j]);
            }
            ADD_FAILURE() << "command " << i << ": fast " << to_string(fast_commands[i])
                          << ", reference " << to_string(ref.commands()[i])
                          << "; the commands before:" << context;
            same = false;
            break;
        }
    }
    std::map<uint64_t, Outcome> expected;
    for (const ReferenceChannel::Done& d : ref.done()) {
        Outcome& o = expected[d.tag];
        o.cycle = std::max(o.cycle, d.cycle);
        // The burst's column command: its data is done tCL (tCWL) + tBURST after it.
        const Request& r = s.requests[d.tag];
        const uint64_t delay =
            static_cast<uint64_t>((r.is_write ? c.timing.tCWL : c.timing.tCL) + c.timing.tBURST);
        o.queue_cycles += d.cycle - delay - r.arrival_cycle;
        ++(d.outcome == RowOutcome::kHit    ? o.hits
           : d.outcome == RowOutcome::kMiss ? o.misses
                                            : o.conflicts);
    }
    EXPECT_EQ(done.size(), s.requests.size());
    EXPECT_EQ(expected.size(), s.requests.size());
    uint64_t last_cycle = 0;
    for (const Completion& got : done) {
        const Outcome& want = expected[got.id];
        if (got.cycle != want.cycle || got.row_hits != want.hits || got.row_misses != want.misses ||
            got.row_conflicts != want.conflicts || got.queue_cycles != want.queue_cycles) {
            ADD_FAILURE() << "request " << got.id << ": fast done at " << got.cycle << " ("
                          << got.row_hits << "/" << got.row_misses << "/" << got.row_conflicts
                          << " hit/miss/conflict, " << got.queue_cycles
                          << " queue cycles), reference " << want.cycle << " (" << want.hits << "/"
                          << want.misses << "/" << want.conflicts << ", " << want.queue_cycles
                          << ")";
            same = false;
            break;
        }
        EXPECT_GE(got.cycle, last_cycle) << "completions out of order";
        last_cycle = got.cycle;
    }
    expect_same_stats(fast.channel_stats(0), ref.stats());
    return same && !::testing::Test::HasFailure();
}

std::string describe(const cfg::DramConfig& c) {
    const cfg::DramTiming& t = c.timing;
    return "ranks " + std::to_string(c.ranks) + " bg " + std::to_string(c.bank_groups) + "x" +
           std::to_string(c.banks_per_group) + " rows " + std::to_string(c.rows) + " cols " +
           std::to_string(c.columns) + " BL " + std::to_string(c.burst_length) + " " + c.mapping +
           " " + to_string(c.page_policy) + " refresh " + to_string(c.refresh) + " q " +
           std::to_string(c.read_queue) + "/" + std::to_string(c.write_queue) + " wm " +
           std::to_string(c.write_high) + "/" + std::to_string(c.write_low) + " RCD " +
           std::to_string(t.tRCD) + " RP " + std::to_string(t.tRP) + " CL " +
           std::to_string(t.tCL) + " CWL " + std::to_string(t.tCWL) + " RAS " +
           std::to_string(t.tRAS) + " RC " + std::to_string(t.tRC) + " RRD " +
           std::to_string(t.tRRD_S) + "/" + std::to_string(t.tRRD_L) + " FAW " +
           std::to_string(t.tFAW) + " CCD " + std::to_string(t.tCCD_S) + "/" +
           std::to_string(t.tCCD_L) + " BURST " + std::to_string(t.tBURST) + " WR " +
           std::to_string(t.tWR) + " WTR " + std::to_string(t.tWTR_S) + "/" +
           std::to_string(t.tWTR_L) + " RTP " + std::to_string(t.tRTP) + " RTRS " +
           std::to_string(t.tRTRS) + " REFI " + std::to_string(t.tREFI) + " RFC " +
           std::to_string(t.tRFC) + " REFIpb " + std::to_string(t.tREFIpb) + " RFCpb " +
           std::to_string(t.tRFCpb) + " RREFD " + std::to_string(t.tRREFD);
}

// `cases` devices from `device(rng)`, each with a stream from `stream(rng, device)`, checked
// against the reference (check_stream); counts (g_commands, g_streaming_scans) and prints the
// commands and streaming scans.
template <typename Device, typename MakeStream>
void check_streams(std::mt19937_64& rng, int cases, Device device, MakeStream stream) {
    g_commands = g_streaming_scans = g_streamed = 0;
    for (int i = 0; i < cases; ++i) {
        const cfg::DramConfig c = device(rng);
        cfg::HwConfig hw;
        hw.dram = c;
        for (const auto& p : cfg::dram_problems(hw)) FAIL() << p.keys[0] << ": " << p.message;
        const Stream s = stream(rng, c);
        if (!check_stream(c, s, rng)) {
            FAIL() << "case " << i << ": " << describe(c);
        }
    }
    print_counts();
}

TEST(DramEquivalence, RandomDevicesAndStreamsMatchTheCycleByCycleReference) {
    const int cases = long_sweep() ? 12000 : 2500;
    std::mt19937_64 rng(20240611);
    check_streams(rng, cases, random_device, [](std::mt19937_64& r, const cfg::DramConfig& c) {
        return random_stream(r, c, pick(r, 1, long_sweep() ? 250 : 60));
    });
    EXPECT_GT(g_streaming_scans, 0u);
    EXPECT_GT(g_streamed, 0u);
}

// A streaming-heavy device and stream (the state timing-only networks spend most commands in:
// one rank, open page, deep queues, long rows, sequential bursts arriving a few cycles apart,
// mostly reads): the controller's streaming FR-FCFS walk (scan_streaming) takes most decisions,
// and the runs of row hits are broken now and then by a jump to another address (misses, row
// conflicts), a write drain or a refresh, so the fast path is entered and left often.
cfg::DramConfig streaming_device(std::mt19937_64& rng) {
    cfg::DramConfig c = random_device(rng);
    c.ranks = 1;
    c.page_policy = cfg::PagePolicy::kOpen;
    c.columns = c.burst_length << pick(rng, 3, 6);  // 8 to 64 bursts per row
    const char* mappings[] = {"RoBaRaCoBgCh", "RoCoBaBgRaCh", "RoBaBgRaCoCh"};
    c.mapping = mappings[pick(rng, 0, 2)];
    c.read_queue = pick(rng, 4, 32);
    c.write_queue = pick(rng, 4, 32);
    c.write_high = pick(rng, 1, c.write_queue);
    c.write_low = pick(rng, 0, c.write_high - 1);
    // Refresh rarely (or not at all): long runs without a refresh due.
    c.timing.tREFI *= 20;
    c.timing.tREFIpb *= 20;
    c.size_bytes = c.capacity_bytes();
    return c;
}

Stream streaming_stream(std::mt19937_64& rng, const cfg::DramConfig& c, int count) {
    Stream s;
    const uint64_t capacity = c.capacity_bytes();
    const uint64_t burst = c.atom_bytes();
    const double write_share = std::uniform_real_distribution<double>(0, 0.3)(rng);
    uint64_t addr = 0;
    uint64_t arrival = static_cast<uint64_t>(pick(rng, 0, 5));
    for (int i = 0; i < count; ++i) {
        if (pick(rng, 0, 100) == 0) {  // a jump: other rows
            addr = std::uniform_int_distribution<uint64_t>(0, capacity / burst - 1)(rng) * burst;
        }
        arrival +=
            static_cast<uint64_t>(pick(rng, 0, 30) == 0 ? pick(rng, 0, 60) : pick(rng, 0, 3));
        Request r;
        r.id = static_cast<uint64_t>(i);
        r.is_write = std::uniform_real_distribution<double>(0, 1)(rng) < write_share;
        r.bytes = burst * static_cast<uint64_t>(pick(rng, 1, 2));
        if (addr + r.bytes > capacity) addr = 0;
        r.addr = addr;
        addr += r.bytes;
        r.arrival_cycle = arrival;
        s.requests.push_back(r);
    }
    return s;
}

// The streaming walk proven on streams that take it for about half the commands (the random
// streams above reach it for about one command in eight).
TEST(DramEquivalence, StreamingHeavyStreamsMatchTheCycleByCycleReference) {
    const int cases = long_sweep() ? 5000 : 1000;
    std::mt19937_64 rng(20261207);
    check_streams(rng, cases, streaming_device, [](std::mt19937_64& r, const cfg::DramConfig& c) {
        return streaming_stream(r, c, pick(r, 50, long_sweep() ? 600 : 200));
    });
    // 134,578 of 279,147 commands (48%; the rest are mostly the ACTs and PREs of the short
    // rows, and decisions kept from an earlier scan).
    EXPECT_GT(g_streaming_scans, g_commands / 3);
    // 147,342 column commands (53%) by the streaming loop's short path (stream_request).
    EXPECT_GT(g_streamed, g_commands / 3);
}

// Over the streams check_controller() checked so far: the streaming loop's cycles that only
// admitted bursts, folded to the admission (ChannelController::folded_admissions).
uint64_t g_folded = 0;

// One ChannelController, driven directly (run_until at random points between arrivals, as the
// adapter does), against the ReferenceChannel on the same bursts: the same commands, the same
// completion (cycle, row outcome) of every burst, the same statistics. Adds the controller's
// one-rank scans that skipped a bank blocked by its per-bank refresh to *refresh_scans.
bool check_controller(const cfg::DramConfig& c, const Stream& s, std::mt19937_64& rng,
                      uint64_t* refresh_scans, uint64_t* row_floor_skips) {
    const BankedDram router(c);  // the address mapping only
    std::vector<Atom> atoms;
    for (const Request& r : s.requests) {
        const uint64_t burst = c.atom_bytes();
        for (uint64_t b = r.addr / burst; b <= (r.addr + r.bytes - 1) / burst; ++b) {
            atoms.push_back(router
                                .route(b * burst, r.is_write, r.arrival_cycle,
                                       static_cast<uint32_t>(atoms.size()))
                                .atom);
        }
    }
    ChannelController fast(c);
    std::vector<CommandRecord> commands;
    fast.set_trace(&commands);
    for (const Atom& a : atoms) {
        while (true) {
            const auto e = fast.next_busy_event();
            if (!e || *e > a.arrival) break;
            fast.run_until(pick(rng, 0, 1) == 0 ? *e : a.arrival);
        }
        if (pick(rng, 0, 2) == 0) fast.run_until(a.arrival);
        fast.push(a);
    }
    const uint64_t last_arrival = atoms.empty() ? 0 : atoms.back().arrival;
    while (const auto e = fast.next_busy_event()) {
        if (*e > last_arrival + 200000) {
            ADD_FAILURE() << "bursts still outstanding at cycle " << *e;
            return false;
        }
        fast.run_until(*e);
    }
    const uint64_t end = fast.now() + static_cast<uint64_t>(pick(rng, 0, 400));
    fast.run_until(end);
    *refresh_scans += fast.refresh_scans();
    *row_floor_skips += fast.row_floor_skips();
    g_commands += commands.size();
    g_folded += fast.folded_admissions();

    ReferenceChannel ref(c);
    for (const Atom& a : atoms) ref.push(a);
    ref.run_until(end);
    EXPECT_EQ(commands.size(), ref.commands().size());
    for (size_t i = 0; i < std::min(commands.size(), ref.commands().size()); ++i) {
        if (!(commands[i] == ref.commands()[i])) {
            ADD_FAILURE() << "command " << i << ": fast " << to_string(commands[i])
                          << ", reference " << to_string(ref.commands()[i]);
            return false;
        }
    }
    std::vector<ChannelController::Done> got(atoms.size(), {0, 0, kNoDone, RowOutcome::kHit});
    for (const ChannelController::Done& d : fast.done()) got[d.tag] = d;
    EXPECT_EQ(fast.done().size(), atoms.size());
    EXPECT_EQ(ref.done().size(), atoms.size());
    for (const ReferenceChannel::Done& d : ref.done()) {
        if (got[d.tag].cycle != d.cycle || got[d.tag].outcome != d.outcome) {
            ADD_FAILURE() << "burst " << d.tag << ": fast done at " << got[d.tag].cycle
                          << ", reference at " << d.cycle;
            return false;
        }
    }
    expect_same_stats(fast.stats(), ref.stats());
    return !::testing::Test::HasFailure();
}

// Validates `c`, draws a streaming-heavy stream for it and checks the controller alone against
// the reference (check_controller).
bool check_streaming_controller(std::mt19937_64& rng, const cfg::DramConfig& c,
                                uint64_t* refresh_scans, uint64_t* row_floor_skips) {
    cfg::HwConfig hw;
    hw.dram = c;
    const auto problems = cfg::dram_problems(hw);
    for (const auto& p : problems) ADD_FAILURE() << p.keys[0] << ": " << p.message;
    if (!problems.empty()) return false;
    const Stream s = streaming_stream(rng, c, pick(rng, 50, long_sweep() ? 600 : 200));
    return check_controller(c, s, rng, refresh_scans, row_floor_skips);
}

// Per-bank refresh under streams of row hits (LPDDR4/5 in timing-only networks: one bank's refresh
// is due for part of the time, that bank closed, with misses queued, for tRFCpb after it): the
// controller's one-rank scan (scan_one_rank) skips the blocked bank in its walk over the banks
// with a hit and among the misses. Streaming devices with per-bank refresh at its own rate (one
// bank due about every tREFIpb) and bank-interleaved mappings, so other banks have hits queued
// while one is blocked; asserts the path was taken (ChannelController::refresh_scans, driven
// directly: check_controller).
TEST(DramEquivalence, PerBankRefreshUnderStreamsOfHitsMatchesTheReference) {
    const int cases = long_sweep() ? 3000 : 600;
    std::mt19937_64 rng(20261208);
    uint64_t refresh_scans = 0;
    uint64_t row_floor_skips = 0;
    g_commands = 0;
    for (int i = 0; i < cases; ++i) {
        cfg::DramConfig c = streaming_device(rng);
        c.refresh = cfg::RefreshMode::kPerBank;
        c.timing.tREFIpb /= 20;  // streaming_device's rare refresh undone
        c.bank_groups = 1 << pick(rng, 1, 2);
        c.banks_per_group = 1 << pick(rng, 1, 2);
        const char* mappings[] = {"RoCoBaBgRaCh", "RoBaBgRaCoCh"};
        c.mapping = mappings[pick(rng, 0, 1)];
        const cfg::DramTiming& t = c.timing;
        const int banks = c.bank_groups * c.banks_per_group;
        const int close = std::max(t.tRAS, t.tCWL + t.tBURST + t.tWR) + t.tRP;
        const int turn = t.tRFCpb + close + t.tRC + t.tCL + 2 * t.tCCD_L + 20;
        c.timing.tREFIpb = std::max(c.timing.tREFIpb, (turn + banks - 1) / banks);
        c.size_bytes = c.capacity_bytes();
        ASSERT_TRUE(check_streaming_controller(rng, c, &refresh_scans, &row_floor_skips))
            << "case " << i << ": " << describe(c);
    }
    std::printf(
        "%llu commands, %llu one-rank scans with a bank blocked by its refresh, %llu that left "
        "the misses out by their row floor\n",
        static_cast<unsigned long long>(g_commands), static_cast<unsigned long long>(refresh_scans),
        static_cast<unsigned long long>(row_floor_skips));
    // 22,575 scans with a blocked bank for 175,469 commands.
    EXPECT_GT(refresh_scans, g_commands / 10);
    // The misses of the refreshed bank wait out tRFCpb: scans leave them out by Queue::row_floor.
    EXPECT_GT(row_floor_skips, g_commands / 30);
}

// The streaming loop's admission-only cycles (run_streaming: the bursts that entered change
// neither the mode nor the candidates' time, and no refresh is due; the rest of the step is
// skipped) proven on streaming-heavy streams, driven directly (check_controller), where bursts
// arrive a few cycles apart and mostly queue behind an older hit of their bank: asserts that many
// cycles took the short step.
TEST(DramEquivalence, StreamingLoopFoldsAdmissionOnlyCyclesAndMatchesTheReference) {
    const int cases = long_sweep() ? 3000 : 600;
    std::mt19937_64 rng(20261209);
    uint64_t refresh_scans = 0;
    uint64_t row_floor_skips = 0;
    g_commands = g_folded = 0;
    for (int i = 0; i < cases; ++i) {
        const cfg::DramConfig c = streaming_device(rng);
        ASSERT_TRUE(check_streaming_controller(rng, c, &refresh_scans, &row_floor_skips))
            << "case " << i << ": " << describe(c);
    }
    std::printf("%llu commands, %llu admission-only cycles folded\n",
                static_cast<unsigned long long>(g_commands),
                static_cast<unsigned long long>(g_folded));
    // 72,545 folded cycles for 159,469 commands.
    EXPECT_GT(g_folded, g_commands / 4);
}

// Feeds `requests` to a model: before each arrival, steps it at random points (its next event or
// the arrival cycle) while its next event comes first, then arrive(r); at the end, steps it from
// event to event until none is left. `next_event()` is the model's, `step(t)` advances it to t.
// Returns false after a fatal failure.
template <typename NextEvent, typename Step, typename Arrive>
bool drive_at_random_steps(const std::vector<Request>& requests, std::mt19937_64& rng,
                           NextEvent&& next_event, Step&& step, Arrive&& arrive) {
    for (const Request& r : requests) {
        while (true) {
            const auto e = next_event();
            if (!e || *e > r.arrival_cycle || pick(rng, 0, 3) == 0) break;
            step(pick(rng, 0, 1) == 0 ? *e : r.arrival_cycle);
            if (::testing::Test::HasFatalFailure()) return false;
        }
        if (pick(rng, 0, 2) == 0) step(r.arrival_cycle);
        if (::testing::Test::HasFatalFailure()) return false;
        arrive(r);
        if (::testing::Test::HasFatalFailure()) return false;
    }
    while (const auto e = next_event()) {
        step(*e);
        if (::testing::Test::HasFatalFailure()) return false;
    }
    return true;
}

// The adapter's path (BankedDramTarget::step): advance(t) reporting nothing, then tell_known()
// handing every known completion over from the model's slots, equals advance(t, done) then
// take_known(done) on random devices and streams: the same completions (every field) in the same
// order, and the same next_event(), next_unknown_completion() and outstanding() after each call;
// between them both models also take plain advance(t, done) calls at random points (the
// adapter's layer changes), so slots freed by either path are reused by later requests.
TEST(DramEquivalence, TellKnownEqualsAdvanceAndTakeKnown) {
    const int cases = long_sweep() ? 3000 : 600;
    std::mt19937_64 rng(20261207);
    uint64_t told = 0, reused = 0;
    for (int i = 0; i < cases; ++i) {
        const cfg::DramConfig c = random_device(rng);
        const Stream s = random_stream(rng, c, pick(rng, 1, long_sweep() ? 250 : 80));
        BankedDram a(c), b(c);
        std::vector<Completion> done_a, done_b;
        auto compare = [&](const char* where) {
            ASSERT_EQ(done_a.size(), done_b.size()) << where << ", case " << i;
            for (size_t k = 0; k < done_a.size(); ++k) {
                ASSERT_TRUE(same_completion(done_a[k], done_b[k]))
                    << where << ", case " << i << ", completion " << k << ": request "
                    << done_a[k].id << " at " << done_a[k].cycle << " vs request " << done_b[k].id
                    << " at " << done_b[k].cycle;
            }
            ASSERT_EQ(a.next_event(), b.next_event()) << where << ", case " << i;
            ASSERT_EQ(a.next_unknown_completion(), b.next_unknown_completion())
                << where << ", case " << i;
            ASSERT_EQ(a.outstanding(), b.outstanding()) << where << ", case " << i;
        };
        auto step = [&](uint64_t t) {
            if (pick(rng, 0, 2) == 0) {  // a layer change's advance
                a.advance(t, done_a);
                b.advance(t, done_b);
            } else {
                a.advance(t, done_a);
                a.take_known(done_a);
                b.advance(t);
                b.tell_known([&](const Completion& d) {
                    done_b.push_back(d);
                    ++told;
                });
            }
            compare("after a step");
        };
        const bool drove = drive_at_random_steps(
            s.requests, rng, [&] { return a.next_event(); }, step,
            [&](const Request& r) {
                if (!done_a.empty()) ++reused;  // freed slots are taken again
                a.enqueue(r);
                b.enqueue(r);
            });
        if (!drove) return;
        ASSERT_EQ(done_a.size(), s.requests.size()) << "case " << i;
        compare("at the end");
    }
    std::printf("%llu completions told from slots\n", static_cast<unsigned long long>(told));
    EXPECT_GT(told, 10000u);
    EXPECT_GT(reused, 1000u);
}

// The bundled presets' real timing, both page policies, with refresh falling due often.
TEST(DramEquivalence, BundledPresetsMatchTheCycleByCycleReference) {
    g_commands = g_streaming_scans = g_streamed = 0;
    cfg::set_data_dir(NPUSIM_SOURCE_DIR);
    std::mt19937_64 rng(7);
    const int streams = long_sweep() ? 40 : 4;
    for (const char* preset :
         {"ddr4_3200", "lpddr4_4266", "lpddr5_6400", "hbm2", "ddr3_1600", "ddr3_2133"}) {
        for (const char* policy : {"open", "closed"}) {
            SCOPED_TRACE(std::string(preset) + " " + policy);
            cfg::HwConfig hw = cfg::load_hw_config_from_string(
                "dram: {model: banked, preset: " + std::string(preset) +
                    ", channels: 1, size: 64MiB, page_policy: " + policy + "}",
                "test.yaml", {});
            // Refresh often enough to meet it within a short stream.
            hw.dram.timing.tREFI = hw.dram.timing.tRFC + 400;
            if (hw.dram.timing.tREFIpb > 0) hw.dram.timing.tREFIpb = hw.dram.timing.tRFCpb + 60;
            for (int i = 0; i < streams; ++i) {
                const Stream s = random_stream(rng, hw.dram, long_sweep() ? 800 : 150);
                ASSERT_TRUE(check_stream(hw.dram, s, rng)) << describe(hw.dram);
            }
        }
    }
    print_counts();
    EXPECT_GT(g_streaming_scans, 0u);
}

// next_unknown_completion() is BankedDram's one look per channel at its staging and queues
// (has_reads/has_writes, the kept next decision inline): it must equal its definition, the least
// over the channels of next_busy_event() plus the data delay of the bursts they hold
// (min(tCL, tCWL) + tBURST with a write, else tCL + tBURST), taken on a mirror of every channel
// fed the same bursts (route()) and run to the same cycles. Random devices of one to four
// channels; a request of one burst takes enqueue()'s path with no loop, so the mirror checks its
// staging too.
TEST(DramEquivalence, NextUnknownCompletionIsTheChannelsNextEventPlusTheirDataDelay) {
    const int cases = long_sweep() ? 2000 : 400;
    std::mt19937_64 rng(20261208);
    uint64_t checked = 0, with_writes = 0, reads_only = 0, idle = 0;
    for (int i = 0; i < cases; ++i) {
        cfg::DramConfig c = random_device(rng);
        c.channels = 1 << pick(rng, 0, 2);
        c.size_bytes = c.capacity_bytes();
        const Stream s = random_stream(rng, c, pick(rng, 1, 80));
        BankedDram model(c);
        std::vector<ChannelController> mirror(static_cast<size_t>(c.channels),
                                              ChannelController(c));
        const uint64_t read_delay = static_cast<uint64_t>(c.timing.tCL + c.timing.tBURST);
        const uint64_t min_delay =
            static_cast<uint64_t>(std::min(c.timing.tCL, c.timing.tCWL) + c.timing.tBURST);
        std::vector<Completion> done;
        auto check = [&](const char* where) {
            std::optional<uint64_t> expected;
            bool writes = false;
            for (ChannelController& m : mirror) {
                m.done().clear();
                const auto e = m.next_busy_event();
                if (!e) continue;
                writes = writes || m.has_writes();
                const uint64_t t = *e + (m.has_writes() ? min_delay : read_delay);
                if (!expected || t < *expected) expected = t;
            }
            ASSERT_EQ(model.next_unknown_completion(), expected) << where << ", case " << i;
            ++checked;
            ++(!expected ? idle : writes ? with_writes : reads_only);
        };
        auto step = [&](uint64_t t) {
            model.advance(t);
            model.take_known(done);
            for (ChannelController& m : mirror) m.run_until(t);
            check("after a step");
        };
        const bool drove = drive_at_random_steps(
            s.requests, rng, [&] { return model.next_event(); }, step,
            [&](const Request& r) {
                model.enqueue(r);
                const uint64_t burst = c.atom_bytes();
                for (uint64_t b = r.addr / burst; b <= (r.addr + r.bytes - 1) / burst; ++b) {
                    const BankedDram::Routed x =
                        model.route(b * burst, r.is_write, r.arrival_cycle, 0);
                    mirror[x.channel].push(x.atom);
                }
                check("after an arrival");
            });
        if (!drove) return;
        ASSERT_EQ(done.size(), s.requests.size()) << "case " << i;
    }
    std::printf("%llu looks: %llu with a write held, %llu reads only, %llu idle\n",
                static_cast<unsigned long long>(checked),
                static_cast<unsigned long long>(with_writes),
                static_cast<unsigned long long>(reads_only), static_cast<unsigned long long>(idle));
    EXPECT_GT(with_writes, 1000u);
    EXPECT_GT(reads_only, 1000u);
    EXPECT_GT(idle, 100u);
}

}  // namespace
}  // namespace npu::dram

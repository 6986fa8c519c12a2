// The banked DRAM behind the memory interface (`dram.model: banked`): a SystemC adapter that puts
// the plain C++ model (banked_dram.h: channels, ranks, bank groups, banks, rows, FR-FCFS
// controllers, refresh) where the platform expects a DramTarget (models/mem/mem_if.h).
//
// Clock domains: the NPU runs at `clock` (kernel time: one nanosecond per NPU cycle), the memory
// at `dram.clock`. A request whose earliest NPU cycle is e arrives at the controller at memory
// cycle to_memory(e) = ceil(e * f_mem / f_npu), the first memory cycle at or after it; a request
// done at memory cycle c completes at NPU cycle to_npu(c) = ceil(c * f_npu / f_mem), the first
// NPU cycle at or after it (dram::ClockDomains; exact integer arithmetic on whole Hz).
//
// Timing contract (memory interface): request() returns kLater for every request; the completion
// is told through the initiator (MemInitiatorIf::complete) at a kernel time at or before its
// cycle, in completion order. One SC_METHOD, woken by an event, never per cycle:
//  - request() converts the arrival, keeps the request in a list ordered by (arrival, issue
//    order) and makes sure the method runs by the NPU cycle the request could first complete
//    (arrival + 1 + tCL + tBURST memory cycles for a read, tCWL for a write).
//  - the method at NPU cycle k: every request issued from now on has earliest >= k, so arrives
//    at or after M = to_memory(k). It hands the model the kept requests with arrival <= M in
//    that order, advances the model to M (exact: the model needs no per-cycle calls), tells
//    every completion the model knows (a request whose last column command has issued, even if
//    its data comes after M), and sleeps until the first NPU cycle a completion not known yet
//    could come: to_npu of the earliest of, per channel, its next command plus tCL + tBURST
//    (tCWL if it holds writes), and the next kept arrival + 1 + min(tCL, tCWL) + tBURST.
// A DMA that would wait for a completion may run the method's wake-up in its own thread
// (run_wake, the synchronous loop of models/engines/dma.h) when that wake-up is the kernel's next
// activity and every request so far came from it: the same step at the same cycle. A wake-up
// requested from an initiator's thread inside its hold window (models/process.h) is held back
// from the kernel until that thread waits.
// So the controller sees exactly the request stream (arrival cycles and order) it would see if
// it were fed cycle by cycle; tests/models/banked_dram_target_test.cc proves the completions
// equal the cycle-by-cycle reference (reference_channel.h) on NPU-generated streams.
// Functional data moves when the request is taken (DramTarget::take); timing never touches it.
// Limiters (DramTarget::set_limiters, sim/stats/limiters.h): a request's unloaded span is what it
// takes on an idle channel with its row open, 1 + tCL + bursts x tBURST memory cycles from its
// arrival (tCWL for a write: the controller issues at the earliest the cycle after an arrival).
// Whatever it took beyond that it waited inside the DRAM (the queue behind other requests, row
// opens and closes, refresh, bus turnarounds): the request's layer is charged
// Limiter::kDramBandwidth from its earliest cycle for that long, [earliest, to_npu(arrival +
// waited)). The unloaded span itself is the request's latency (the DMA's bursts in flight). A
// request whose bursts the mapping spreads over channels could finish sooner than its unloaded
// span: up to (bursts - 1) x tBURST of its wait then goes uncharged (never more is charged).
//
// Stats (group "dram"), besides those of every DramTarget (reads, writes, bytes_read,
// bytes_written, counted per request):
//   per request, to its layer: row_hits, row_misses, row_conflicts (bursts, by how they found
//     their bank), read_queue_cycles, write_queue_cycles (memory cycles bursts waited from
//     arrival to their column command: average queue occupancy = this / elapsed memory cycles,
//     by Little's law), latency_cycles (NPU cycles from a request's earliest cycle to its
//     completion, summed over requests);
//   per channel (sums at the top, groups channel<i> when there are several), to the layer of the
//     last request that arrived (the traffic the DRAM was serving; a request of another layer
//     arriving at memory cycle a closes the previous layer's share at a): activates,
//     precharges, refreshes (REF + REFpb), refresh_cycles (rank or bank cycles a due refresh
//     held), active_rank_cycles, precharged_rank_cycles (memory cycles x ranks with a bank open
//     / all banks closed: the IDD background), read_bursts, write_bursts (DRAM bursts: the data
//     bus is busy tBURST cycles for each, so bandwidth utilization = (read_bursts +
//     write_bursts) x tBURST / (elapsed memory cycles x channels)).
// The run's background and refresh are counted up to the end of the simulation. The per-request
// statistics (DramTarget's four and the six above) are summed per layer in plain counters when
// the request is told and added to their Stat objects whenever the DRAM falls idle (no request
// kept or in flight: after the last completion of a run, so readers after the simulation see
// every request even without finish()) and in finish(); a Stat read while requests are in flight
// may lack the latest ones. (So request() does what DramTarget::take() would in two parts: a
// functional request's data moves at once, the counts come with the others.)
// Cost per request: no conversion between the clocks to decide whether it needs a wake-up (the
// pending one's cycle is kept in memory cycles too), one insertion into the kept list (at the
// back but for requests that arrive before ones issued earlier), the model's enqueue and
// completion (banked_dram.h), one conversion of the completion cycle (two with limiters) and
// the initiator's complete(); per wake-up, the model's advance and one notification. The DMA's
// timing-only requests come through request_timing() (inline, no virtual call: Dma's direct
// path), and the initiator of the first request, when it is a DMA, is told through
// Dma::complete_told() (inline, no virtual call); any other initiator through
// MemInitiatorIf::complete. While every request came from that DMA and nothing is logged
// (set_log), a completion goes to it after one look (m_dma_only), and step() sees a request's
// layer change and the log with one comparison (m_fast_layer);
// tests/models/banked_dram_stats_test.cc checks the statistics and told cycles equal those of the
// same stream logged.
#pragma once

#include <cstdint>
#include <systemc>
#include <unordered_map>
#include <vector>

#include "models/mem/dram/banked_dram.h"
#include "models/mem/mem_if.h"
#include "sim/config/hw_config.h"

namespace npu::model {

class Dma;

class BankedDramTarget : public DramTarget {
  public:
    SC_HAS_PROCESS(BankedDramTarget);
    BankedDramTarget(sc_core::sc_module_name name, const cfg::HwConfig& hw, MemoryImage& image,
                     stats::StatGroup& stats);

    [[nodiscard]] uint64_t request(MemRequest& r) override;
    // request() of a timing-only request (no data), inline: the DMA's path to the banked DRAM
    // (Dma::issue_to_banked) calls it directly, with no virtual call. Always kLater.
    void request_timing(MemRequest& r) {
        if (r.initiator != m_initiator) note_initiator(r.initiator);
        const uint64_t arrival = m_clocks.to_memory(r.earliest);
        if (m_kept_tail == m_kept_capacity) make_kept_room();
        Kept* const back = m_kept.data() + m_kept_tail;
        if (m_kept_tail++ == m_kept_head || back[-1].arrival <= arrival) {
            back->arrival = arrival;
            back->request = &r;
        } else {
            insert_kept(arrival, r);
        }
        // The method runs by the first NPU cycle the request could complete (to_npu of `ready`):
        // nothing to do when the pending wake-up comes no later.
        const uint64_t ready = arrival + 1 + m_delay[r.write];
        if (ready < m_wake_memory) wake_by(m_clocks.to_npu(ready));
    }
    // The cycle the method wakes next: no completion not told yet can come before it (the wake-up
    // rule below), UINT64_MAX when every completion has been told.
    [[nodiscard]] uint64_t untold_from() const override { return m_wake_at; }
    // The synchronous loop (mem_if.h): the wake-up's kernel time while it is a pending timed
    // notification and every request so far came from `initiator`.
    [[nodiscard]] uint64_t pending_wake(const MemInitiatorIf* initiator) const override {
        return initiator == m_initiator && !m_shared ? m_wake_time : UINT64_MAX;
    }
    void cancel_wake() override;
    void restore_wake(uint64_t at) override;
    void run_wake(uint64_t at) override;

    // What the model was given and what the initiator was told, per request (tests).
    struct Logged {
        dram::Request request;  // as the model received it (arrival in memory cycles, id = order)
        uint64_t earliest = 0;  // the request's earliest cycle (NPU cycles)
        uint64_t told = 0;      // the completion cycle told (NPU cycles)
    };
    void set_log(std::vector<Logged>* log) {
        m_log = log;
        update_fast();
    }
    [[nodiscard]] const dram::BankedDram& model() const { return m_model; }
    [[nodiscard]] const dram::ClockDomains& clocks() const { return m_clocks; }

  private:
    struct Kept {
        uint64_t arrival;  // memory cycle
        MemRequest* request;
    };
    struct ChannelStatRefs {
        stats::Stat* activates;
        stats::Stat* precharges;
        stats::Stat* refreshes;
        stats::Stat* refresh_cycles;
        stats::Stat* active_rank_cycles;
        stats::Stat* precharged_rank_cycles;
        stats::Stat* read_bursts;
        stats::Stat* write_bursts;
    };
    // The per-request statistics of one layer not added to the Stat objects yet (index 0: reads,
    // 1: writes).
    struct LayerCounts {
        uint64_t requests[2];  // DramTarget's reads, writes
        uint64_t bytes[2];     // DramTarget's bytes_read, bytes_written
        uint64_t queue_cycles[2];
        uint64_t row_hits;
        uint64_t row_misses;
        uint64_t row_conflicts;
        uint64_t latency;
    };

    void wake();
    void step(uint64_t npu_cycle);
    // Counts a completion the model reported in the step at `npu_cycle` and tells its initiator.
    void tell(const dram::Completion& c, uint64_t npu_cycle);
    // tell()'s rarer cases, out of line: the log, or an initiator other than the DMA m_dma.
    void tell_other(MemRequest& r, uint64_t done);
    // Sets m_dma_only and m_fast_layer from m_dma, m_shared, m_log and m_layer.
    void update_fast() {
        m_dma_only = m_dma != nullptr && !m_shared && m_log == nullptr;
        m_fast_layer = m_log == nullptr ? m_layer : UINT32_MAX;
    }
    // Makes the method run at NPU cycle `cycle` unless it runs earlier already.
    void wake_by(uint64_t cycle);
    // Sets m_wake_at and m_wake_memory.
    void set_wake_at(uint64_t cycle);
    // Counts the channels' commands since the last call to `m_layer`.
    void flush_channel_stats();
    // Adds the per-request counts kept in m_counts to the Stat objects.
    void add_counts();
    void finish(uint64_t end_cycle) override;
    ChannelStatRefs channel_refs(stats::StatGroup& g);
    static void add_channel(const ChannelStatRefs& s, uint32_t layer, const dram::ChannelStats& d);

    dram::BankedDram m_model;
    dram::ClockDomains m_clocks;
    uint64_t m_min_data_delay;  // min(tCL, tCWL) + tBURST
    uint64_t m_delay[2];        // from a column command to its data: tCL + tBURST, tCWL + tBURST
    // A request's unloaded span (see the header) less its bursts x tBURST, for a read and a
    // write: 1 + m_delay - tBURST.
    uint64_t m_unloaded[2];
    uint64_t m_burst_cycles;  // tBURST
    // Requests not handed to the model yet: m_kept[m_kept_head, m_kept_tail) in (arrival, issue
    // order) (a request goes after every kept one that arrives no later: equal arrivals stay in
    // issue order with no field for it). Requests come almost in arrival order: most go at the
    // back, the others are inserted from the back. The vector's size is the buffer's capacity.
    std::vector<Kept> m_kept;
    size_t m_kept_head = 0;
    size_t m_kept_tail = 0;
    size_t m_kept_capacity = 0;  // m_kept.size()
    [[nodiscard]] bool kept_empty() const { return m_kept_head == m_kept_tail; }
    // Room for one more at m_kept_tail: the kept requests moved to the front, or a larger buffer.
    void make_kept_room();
    // request()'s rare cases, out of line.
    void insert_kept(uint64_t arrival, MemRequest& r);
    void note_initiator(MemInitiatorIf* initiator);
    // A told request's layer differs from the last one's: the range of layers to add widens.
    void note_counts_layer(uint32_t layer);
    std::vector<dram::Completion> m_done;
    sc_core::sc_event m_wake;
    uint64_t m_wake_at = UINT64_MAX;    // NPU cycle of the pending notification
    uint64_t m_wake_time = UINT64_MAX;  // its kernel time (units) when timed, else UINT64_MAX
    // Whether the kernel may hold a notification of m_wake (notified, or held and released,
    // since it last fired or was cancelled): cancel_wake() cancels only then.
    bool m_in_kernel = false;
    // A memory cycle from which on the NPU cycle (to_npu) is m_wake_at or later (the first such
    // or the one after it), UINT64_MAX with m_wake_at: a request that could complete no earlier
    // needs no wake-up (no conversion per request; one just before it asks wake_by()).
    uint64_t m_wake_memory = UINT64_MAX;
    // The present cycle of a wake-up run in an initiator's thread (run_wake); else UINT64_MAX:
    // the kernel's.
    uint64_t m_present = UINT64_MAX;
    const MemInitiatorIf* m_initiator = nullptr;  // of the first request
    // It as a DMA (nullptr: another initiator), told with no virtual call (Dma::complete_told).
    Dma* m_dma = nullptr;
    bool m_shared = false;  // a request came from another initiator
    // Every request came from m_dma and nothing is logged: tell() hands each to
    // Dma::complete_told with no other look.
    bool m_dma_only = false;
    uint32_t m_layer = 0;  // of the last request handed to the model
    // m_layer while nothing is logged, else UINT32_MAX (no layer): step() looks at a request's
    // layer and the log with one comparison.
    uint32_t m_fast_layer = 0;
    std::vector<dram::ChannelStats> m_counted;  // per channel, already counted
    std::vector<ChannelStatRefs> m_channel_stats;
    ChannelStatRefs m_total_stats;
    stats::Stat& m_row_hits;
    stats::Stat& m_row_misses;
    stats::Stat& m_row_conflicts;
    stats::Stat& m_read_queue;
    stats::Stat& m_write_queue;
    stats::Stat& m_latency;
    // Per layer, the per-request counts not added to the Stat objects yet (plain additions per
    // told request); layers m_counts_low .. m_counts_high may hold some.
    std::vector<LayerCounts> m_counts;
    uint32_t m_counts_low = UINT32_MAX;
    uint32_t m_counts_high = 0;
    uint32_t m_counts_layer = UINT32_MAX;   // of the last told request (within the range)
    LayerCounts* m_layer_counts = nullptr;  // m_counts[m_counts_layer] (while not UINT32_MAX)
    std::vector<Logged>* m_log = nullptr;
    std::unordered_map<const MemRequest*, size_t> m_log_index;  // while logging
};

}  // namespace npu::model
